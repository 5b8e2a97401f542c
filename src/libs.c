/*
** libs.c: the library profiles a unit can be created with, the functions through which
** a script talks to the host (print, warn, and the text-only load), and string.rep,
** whose stock loop the limits could not stop.
**   sandbox (default): base without dofile/loadfile, load for text chunks only,
**     require for preloaded modules only, coroutine, table, string, math, utf8,
**     os.time/clock/date/difftime, debug.traceback. Nothing reaches a file, a process,
**     the environment, or the hook that enforces the limits.
**   Both have bigint (bigint.c) as a global and through require, and the external
**   tables (ext.c): _home, _io and ext.
**   full: every standard library over WASI with no preopened directories; os.exit
**     raises an error, because an exit must never unwind through the wasm frames.
*/
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "lauxlib.h"
#include "lualib.h"
#include "bigint.h"
#include "cu.h"
#include "cu_limits.h"
#include "host.h"
#include "raise.h"

/* Sends text to the host; a failing host callback becomes a Lua error of kind host. */
static void libs_write(lua_State *L, int stream, const char *s, size_t len) {
  if (len > 0 && host_output(stream, s, (int32_t)len) != 0) {
    cu_unit(L)->host_failed = 1;
    luaL_error(L, "the host's output callback failed");
  }
}

/* print, with pieces gathered locally so a typical line is one call to the host. */
static int libs_print(lua_State *L) {
  char line[512];
  size_t used = 0;
  int n = lua_gettop(L);
  for (int i = 1; i <= n + 1; i++) {
    size_t len;
    const char *s;
    if (i <= n) s = luaL_tolstring(L, i, &len);
    else { s = "\n"; len = 1; lua_pushnil(L); }
    size_t sep = (i > 1 && i <= n);
    if (used + sep + len > sizeof(line)) {
      libs_write(L, CU_OUT_STDOUT, line, used);
      used = 0;
    }
    if (sep) line[used++] = '\t';
    if (len > sizeof(line)) libs_write(L, CU_OUT_STDOUT, s, len);
    else { memcpy(line + used, s, len); used += len; }
    lua_pop(L, 1);
  }
  libs_write(L, CU_OUT_STDOUT, line, used);
  return 0;
}

/*
** warn follows lua.c: off until "@on". Errors raised in finalizers reach us as a
** warning that begins with the piece "error in "; those are always delivered, because
** they are the only trace such an error leaves. A warning ends with an empty write to
** CU_OUT_WARN. Failures of the host are ignored here: a warning may be issued in the
** middle of a collection, where raising an error is not allowed.
*/
void libs_warnf(void *ud, const char *msg, int tocont) {
  CuWarn *ws = &((CuUnit *)ud)->warn;
  if (!ws->cont) {
    if (!tocont && msg[0] == '@') {  /* control message */
      if (strcmp(msg, "@on") == 0) ws->on = 1;
      else if (strcmp(msg, "@off") == 0) ws->on = 0;
      return;
    }
    ws->show = ws->on || (tocont && strcmp(msg, "error in ") == 0);
  }
  if (ws->show) {
    host_output(CU_OUT_WARN, msg, (int32_t)strlen(msg));
    if (!tocont) host_output(CU_OUT_WARN, "", 0);
  }
  ws->cont = tocont;
}

/* A reader function's piece, counted as the lexer's work (cu_limits.h) before it is
   read: a reader can hand the lexer a megabyte of comment per instruction. */
static int libs_read(lua_State *L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_call(L, 0, 1);
  if (lua_type(L, -1) == LUA_TSTRING) limits_charge_bytes(L, lua_rawlen(L, -1), LIMITS_LEX_BYTES);
  return 1;
}

/* load, with the mode forced to text (a binary chunk can corrupt the VM), and the
   source's bytes counted as work. */
static int libs_load(lua_State *L) {
  int n = lua_gettop(L);
  size_t len;
  if (n < 3) lua_settop(L, n = 3);
  if (lua_tolstring(L, 1, &len) != NULL) limits_charge_bytes(L, len, LIMITS_LEX_BYTES);
  else if (lua_type(L, 1) == LUA_TFUNCTION) {
    lua_pushvalue(L, 1);
    lua_pushcclosure(L, libs_read, 1);
    lua_replace(L, 1);
  }
  lua_pushliteral(L, "t");
  lua_replace(L, 3);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

/* string.rep as Lua 5.4.7 defines it, except that n empty pieces give "" at once.
   lstrlib.c copies them one at a time: with nothing to allocate, the memory never ends
   that loop and no hook sees it, so string.rep("", 1e9) took 4.7 s under a 500 ms limit,
   and with math.maxinteger it would run for centuries. Otherwise the result must fit
   the memory, which bounds the loop. lstrlib_cu.h puts it in the string table. */
int libs_rep(lua_State *L) {
  size_t len, seplen;
  const char *s = luaL_checklstring(L, 1, &len);
  lua_Integer n = luaL_checkinteger(L, 2);
  const char *sep = luaL_optlstring(L, 3, "", &seplen);
  size_t piece = len + seplen;
  if (n <= 0 || piece == 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  if (piece < len || (lua_Integer)piece > INT_MAX / n)  /* lstrlib.c's bound, an int */
    return luaL_error(L, "resulting string too large");
  size_t total = (size_t)n * len + (size_t)(n - 1) * seplen;
  luaL_Buffer b;
  char *p = luaL_buffinitsize(L, &b, total);
  for (lua_Integer i = 0; i < n; i++) {
    if (i > 0) {
      memcpy(p, sep, seplen);
      p += seplen;
    }
    memcpy(p, s, len);
    p += len;
  }
  luaL_pushresultsize(&b, total);
  return 1;
}

static int libs_exit(lua_State *L) {
  return luaL_error(L, "os.exit is not available in a compute unit (return or error instead)");
}

/* Replaces the library table `name` (global and package.loaded) by one with only `keep`. */
static void libs_keep(lua_State *L, const char *name, const char *const keep[]) {
  lua_getglobal(L, name);
  lua_newtable(L);
  for (int i = 0; keep[i]; i++) {
    lua_getfield(L, -2, keep[i]);
    lua_setfield(L, -2, keep[i]);
  }
  lua_pushvalue(L, -1);
  lua_setglobal(L, name);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_insert(L, -2);
  lua_setfield(L, -2, name);
  lua_pop(L, 2);
}

static void libs_set(lua_State *L, const char *table, const char *field, lua_CFunction f) {
  if (table) lua_getglobal(L, table);
  else lua_pushglobaltable(L);
  if (f) lua_pushcfunction(L, f);
  else lua_pushnil(L);
  lua_setfield(L, -2, field);
  lua_pop(L, 1);
}

static void libs_open_sandbox(lua_State *L) {
  static const luaL_Reg libs[] = {
    {LUA_GNAME, luaopen_base}, {LUA_LOADLIBNAME, luaopen_package},
    {LUA_COLIBNAME, luaopen_coroutine}, {LUA_TABLIBNAME, luaopen_table},
    {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
    {LUA_UTF8LIBNAME, luaopen_utf8}, {LUA_OSLIBNAME, luaopen_os},
    {LUA_DBLIBNAME, luaopen_debug}, {NULL, NULL}
  };
  static const char *const os_keep[] = {"time", "clock", "date", "difftime", NULL};
  static const char *const debug_keep[] = {"traceback", NULL};
  for (const luaL_Reg *lib = libs; lib->func; lib++) {
    luaL_requiref(L, lib->name, lib->func, 1);
    lua_pop(L, 1);
  }
  libs_keep(L, LUA_OSLIBNAME, os_keep);
  libs_keep(L, LUA_DBLIBNAME, debug_keep);
  libs_set(L, NULL, "dofile", NULL);
  libs_set(L, NULL, "loadfile", NULL);
  lua_getglobal(L, "load");
  lua_pushcclosure(L, libs_load, 1);
  lua_setglobal(L, "load");
  /* require serves package.preload only: there are no files and no C libraries */
  lua_getglobal(L, LUA_LOADLIBNAME);
  lua_pushnil(L); lua_setfield(L, -2, "loadlib");
  lua_pushnil(L); lua_setfield(L, -2, "searchpath");
  lua_pushliteral(L, ""); lua_setfield(L, -2, "path");
  lua_pushliteral(L, ""); lua_setfield(L, -2, "cpath");
  lua_getfield(L, -1, "searchers");
  lua_createtable(L, 1, 0);
  lua_rawgeti(L, -2, 1);  /* the preload searcher */
  lua_rawseti(L, -2, 1);
  lua_setfield(L, -3, "searchers");
  lua_pop(L, 2);
}

int libs_open(lua_State *L) {
  CuUnit *u = cu_unit(L);
  if (u->profile == CU_PROFILE_FULL) {
    luaL_openlibs(L);
    libs_set(L, LUA_OSLIBNAME, "exit", libs_exit);
    setvbuf(stdout, NULL, _IONBF, 0);  /* io.write and print reach the host in order */
    setvbuf(stderr, NULL, _IONBF, 0);
  }
  else libs_open_sandbox(L);
  raise_open(L);
  libs_set(L, NULL, "print", libs_print);
  luaL_requiref(L, "bigint", luaopen_bigint, 1);  /* a global, and require("bigint") */
  lua_pop(L, 1);
  ext_open(L);
  return closure_open(L);  /* last: it names the C functions of every library */
}
