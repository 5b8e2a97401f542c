/*
** closure.c: Lua functions kept in external tables. A Lua function is stored as its
** bytecode (with debug info, so errors keep their lines) and its upvalues, through the
** codec in store mode; the host keeps it as a graph node like a table (js/ext.js). A C
** function is stored by name, and only the standard library's.
**
** Upvalues: the _ENV upvalue that is the global table is re-bound to the unit's globals on
** restore. Every upvalue cell has an id (the host gives it a key when it is stored), so
** functions that shared an upvalue share it again after restore (lua_upvaluejoin). A
** function stored or restored is "bound" to its id; at the end of every successful
** compute the upvalues of the bound functions that are still alive are captured again
** (closure_capture), so a counter kept in an upvalue goes on after a restart; after one
** that failed they go back to what was captured (closure_revert). A plain
** table in an upvalue is stored as an external table, and the closure's upvalue then
** refers to that external table.
*/
#include <string.h>
#include "lauxlib.h"
#include "cu.h"
#include "codec.h"
#include "host.h"

#define CLOSURE_CNAMES "cu.fn.cnames"  /* C function -> "lib.name" */
#define CLOSURE_CFUNCS "cu.fn.cfuncs"  /* "lib.name" -> C function, as opened */
#define CLOSURE_BOUND  "cu.fn.bound"   /* closure -> id (weak keys) */
#define CLOSURE_FNS    "cu.fn.fns"     /* id -> closure (weak values): restored once */
#define CLOSURE_KEEP   "cu.fn.keep"    /* bound closure -> true, until the next capture */
#define CLOSURE_UIDS   "cu.fn.uids"    /* upvalue address -> {cell, index} */
#define CLOSURE_OWNERS "cu.fn.owners"  /* upvalue address -> closure holding it (weak values) */
#define CLOSURE_PRUNE_EVERY 256         /* captures between two prunings of CLOSURE_UIDS */
#define CLOSURE_CELLS  "cu.fn.cells"   /* cell -> closure owning it (weak values) */
#define CLOSURE_CELLIX "cu.fn.cellix"  /* cell -> upvalue index in that closure */

static void closure_registry(lua_State *L, const char *key) {
  lua_getfield(L, LUA_REGISTRYINDEX, key);
}

/* Registry table `key` gets t[k] = v, for k and v on top of the stack (both popped). */
static void closure_put(lua_State *L, const char *key) {
  closure_registry(L, key);
  lua_insert(L, -3);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

static void closure_names(lua_State *L, int names, int funcs, const char *prefix, int lib) {
  lua_pushnil(L);
  while (lua_next(L, lib)) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_iscfunction(L, -1)) {
      lua_pushfstring(L, "%s%s", prefix, lua_tostring(L, -2));  /* key, function, name */
      lua_pushvalue(L, -1);
      lua_pushvalue(L, -3);
      lua_rawset(L, funcs);   /* name -> function */
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, names);   /* function -> name */
    }
    lua_pop(L, 1);
  }
}

static void closure_weak(lua_State *L, const char *key, const char *mode) {
  lua_newtable(L);
  if (mode) {
    lua_createtable(L, 0, 1);
    lua_pushstring(L, mode);
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
  }
  lua_setfield(L, LUA_REGISTRYINDEX, key);
}

/* The names of the libraries' C functions, made the first time a unit stores or restores
   a C function (about 10 KB a unit would otherwise carry from the start). They are the
   functions the libraries hold at that moment. */
static void closure_names_init(lua_State *L) {
  static const char *const libs[] = {"string", "table", "math", "utf8", "coroutine", "os",
                                     "io", "debug", "bigint", "ext", "package", NULL};
  lua_newtable(L);
  int names = lua_gettop(L);
  lua_newtable(L);
  int funcs = lua_gettop(L);
  lua_pushglobaltable(L);
  closure_names(L, names, funcs, "", lua_gettop(L));
  lua_pop(L, 1);
  for (int i = 0; libs[i]; i++) {
    if (lua_getglobal(L, libs[i]) == LUA_TTABLE) {
      lua_pushfstring(L, "%s.", libs[i]);
      closure_names(L, names, funcs, lua_tostring(L, -1), lua_gettop(L) - 1);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_setfield(L, LUA_REGISTRYINDEX, CLOSURE_CFUNCS);
  lua_setfield(L, LUA_REGISTRYINDEX, CLOSURE_CNAMES);
}

static void closure_names_table(lua_State *L, const char *key) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, key) == LUA_TTABLE) return;
  lua_pop(L, 1);
  closure_names_init(L);
  lua_getfield(L, LUA_REGISTRYINDEX, key);
}

/* After the libraries are open: the bookkeeping tables. */
int closure_open(lua_State *L) {
  closure_weak(L, CLOSURE_BOUND, "k");
  closure_weak(L, CLOSURE_FNS, "v");
  closure_weak(L, CLOSURE_KEEP, NULL);
  closure_weak(L, CLOSURE_UIDS, NULL);
  closure_weak(L, CLOSURE_OWNERS, "v");
  closure_weak(L, CLOSURE_CELLS, "v");
  closure_weak(L, CLOSURE_CELLIX, NULL);
  return 0;
}

/* The standard library name of the C function at idx (pushed), or NULL (nothing pushed). */
const char *closure_cname(lua_State *L, int idx, size_t *len) {
  closure_names_table(L, CLOSURE_CNAMES);
  lua_pushvalue(L, idx);
  if (lua_rawget(L, -2) != LUA_TSTRING) {
    lua_pop(L, 2);
    return NULL;
  }
  lua_remove(L, -2);
  return lua_tolstring(L, -1, len);
}

void closure_push_cfunction(lua_State *L, const char *name, size_t len) {
  closure_names_table(L, CLOSURE_CFUNCS);
  lua_pushlstring(L, name, len);
  if (lua_rawget(L, -2) != LUA_TFUNCTION) luaL_error(L, "the stored C function %s does not exist in this unit", lua_pushlstring(L, name, len));
  lua_remove(L, -2);
}

/* The id the function at idx is bound to, or 0. */
double closure_id(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  closure_registry(L, CLOSURE_BOUND);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  double id = lua_tonumber(L, -1);
  lua_pop(L, 2);
  return id;
}

void closure_bind(lua_State *L, int idx, double id) {
  idx = lua_absindex(L, idx);
  lua_pushvalue(L, idx);
  lua_pushnumber(L, id);
  closure_put(L, CLOSURE_BOUND);
  lua_pushinteger(L, (lua_Integer)id);
  lua_pushvalue(L, idx);
  closure_put(L, CLOSURE_FNS);
  lua_pushvalue(L, idx);
  lua_pushboolean(L, 1);
  closure_put(L, CLOSURE_KEEP);
}

/* Records that upvalue i of the function at f is cell `cell`, for later joins. */
static void closure_note_cell(lua_State *L, int f, int i, double cell) {
  void *uid = lua_upvalueid(L, f, i);
  lua_pushlightuserdata(L, uid);
  lua_createtable(L, 2, 0);
  lua_pushnumber(L, cell);
  lua_rawseti(L, -2, 1);
  lua_pushinteger(L, i);
  lua_rawseti(L, -2, 2);
  closure_put(L, CLOSURE_UIDS);
  lua_pushlightuserdata(L, uid);
  lua_pushvalue(L, f);
  closure_put(L, CLOSURE_OWNERS);  /* weak: the entry must not keep the closure alive */
  lua_pushinteger(L, (lua_Integer)cell);
  lua_pushvalue(L, f);
  closure_put(L, CLOSURE_CELLS);
  lua_pushinteger(L, (lua_Integer)cell);
  lua_pushinteger(L, i);
  closure_put(L, CLOSURE_CELLIX);
}

/* The cell id of upvalue i of the function at f: the one it has, or a new one. An entry
   keyed by the upvalue's address is trusted only if its owner still has that upvalue
   there (an address can be reused once the upvalue is gone). */
double closure_cell(lua_State *L, int f, int i) {
  f = lua_absindex(L, f);
  void *uid = lua_upvalueid(L, f, i);
  closure_registry(L, CLOSURE_UIDS);
  lua_pushlightuserdata(L, uid);
  if (lua_rawget(L, -2) == LUA_TTABLE) {
    lua_rawgeti(L, -1, 1);
    double cell = lua_tonumber(L, -1);
    lua_rawgeti(L, -2, 2);
    closure_registry(L, CLOSURE_OWNERS);
    lua_pushlightuserdata(L, uid);
    lua_rawget(L, -2);
    int ok = lua_isfunction(L, -1) && lua_upvalueid(L, -1, (int)lua_tointeger(L, -3)) == uid;
    lua_pop(L, 6);
    if (ok) return cell;
  }
  else lua_pop(L, 2);
  double cell = host_ext_new_id();
  closure_note_cell(L, f, i, cell);
  return cell;
}

typedef struct Dump {
  int started;
  luaL_Buffer b;
} Dump;

/* The buffer starts at the first write: luaL_buffinit pushes onto the stack, and lua_dump
   wants the function on top when it begins. */
static int closure_writer(lua_State *L, const void *p, size_t sz, void *ud) {
  Dump *d = ud;
  if (!d->started) {
    d->started = 1;
    luaL_buffinit(L, &d->b);
  }
  luaL_addlstring(&d->b, p, sz);
  return 0;
}

/* Pushes the bytecode of the Lua function at idx, with debug info. */
const char *closure_dump(lua_State *L, int idx, size_t *len) {
  Dump d;
  d.started = 0;
  lua_pushvalue(L, idx);
  if (lua_dump(L, closure_writer, &d, 0) != 0 || !d.started) luaL_error(L, "cannot dump a function");
  luaL_pushresult(&d.b);
  lua_remove(L, -2);
  return lua_tolstring(L, -1, len);
}

static int closure_nups(lua_State *L, int f) {
  lua_Debug ar;
  lua_pushvalue(L, f);
  lua_getinfo(L, ">u", &ar);
  return ar.nups;
}

/* Pushes upvalue i of the function at f; 1 if it is the _ENV that is the global table,
   which is never stored (it is re-bound on restore). */
int closure_upvalue(lua_State *L, int f, int i) {
  const char *name = lua_getupvalue(L, f, i);
  lua_pushglobaltable(L);
  int env = name != NULL && strcmp(name, "_ENV") == 0 && lua_rawequal(L, -1, -2);
  lua_pop(L, 1);
  return env;
}

/* Pushes the stored function id: the cached closure, or a new one from its bytecode,
   with its upvalues restored, re-bound to the globals, or joined to the cells they share. */
void closure_push(lua_State *L, double id) {
  closure_registry(L, CLOSURE_FNS);
  if (lua_rawgeti(L, -1, (lua_Integer)id) == LUA_TFUNCTION) {
    lua_remove(L, -2);
    return;
  }
  lua_pop(L, 2);
  int32_t tag;
  HOST_CALL(tag, host_ext_fn_code(id), CODEC_MISS, -1);
  if (CODEC_FAILED(tag)) ext_fail(L, tag);
  ext_push_slot_value(L, 0);
  size_t len;
  const char *code = lua_tolstring(L, -1, &len);
  /* only the runtime loads binary chunks, and only from the unit's own store, whose
     records carry checksums; lua_load still checks the header and sizes */
  if (luaL_loadbufferx(L, code, len, "=stored function", "b") != LUA_OK)
    luaL_error(L, "a stored function (external id %f) is damaged: %s", id, lua_tostring(L, -1));
  lua_remove(L, -2);
  int f = lua_gettop(L);
  closure_bind(L, f, id);  /* before the upvalues: a function may be its own upvalue */
  for (int i = 1, n = closure_nups(L, f); i <= n; i++) {
    int32_t vtag;
    HOST_CALL(vtag, host_ext_fn_upvalue(id, i), CODEC_MISS, -1);
    if (CODEC_FAILED(vtag)) ext_fail(L, vtag);
    double cell = cu_unit(L)->ext_slots[1].num;
    closure_registry(L, CLOSURE_CELLS);
    lua_rawgeti(L, -1, (lua_Integer)cell);
    if (cell > 0 && lua_isfunction(L, -1)) {  /* another live function holds this cell */
      closure_registry(L, CLOSURE_CELLIX);
      lua_rawgeti(L, -1, (lua_Integer)cell);
      int j = (int)lua_tointeger(L, -1);
      lua_pop(L, 2);
      lua_upvaluejoin(L, f, i, lua_gettop(L), j);
      lua_pop(L, 2);
      continue;
    }
    lua_pop(L, 2);
    if (vtag == CODEC_ENV) lua_pushglobaltable(L);
    else ext_push_slot_value(L, 0);
    lua_setupvalue(L, f, i);
    if (cell > 0) closure_note_cell(L, f, i, cell);
  }
}

/* Drops the entries of a strong table (at t) whose counterpart in the weak table `weak`
   is gone: its owner was collected. With `tell`, the keys are cells, and the host hears
   that Lua holds each one no more, so it can forget the cell's key (js/ext.js). */
static void closure_prune_by(lua_State *L, int t, const char *weak, int tell) {
  closure_registry(L, weak);
  lua_pushnil(L);
  while (lua_next(L, t)) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    if (lua_rawget(L, t + 1) == LUA_TNIL) {
      if (tell) host_ext_release(lua_tonumber(L, -2));
      lua_pushvalue(L, -2);
      lua_pushnil(L);
      lua_rawset(L, t);  /* clearing a field during a traversal is allowed */
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* Drops the bookkeeping of upvalues whose closures have been collected. A cell is noted
   again only once its owner is gone (closure_push joins a live one), and closure_cell
   trusts an upvalue's entry only while its owner lives, so once a cell's owner is
   collected Lua never gives that cell to the host again (a joined closure that still
   shares the upvalue gets a new cell). */
static void closure_prune(lua_State *L) {
  closure_registry(L, CLOSURE_UIDS);
  closure_prune_by(L, lua_gettop(L), CLOSURE_OWNERS, 0);
  lua_pop(L, 1);
  closure_registry(L, CLOSURE_CELLIX);
  closure_prune_by(L, lua_gettop(L), CLOSURE_CELLS, 1);
  lua_pop(L, 1);
}

/* Walks the live bound functions, unbinding those whose node is gone (made by a compute
   that failed, or of a version the unit has since re-read). With keep (a stack index),
   it captures: sends each upvalue to the host, marks the function in keep, and re-points
   an upvalue that held a plain table to the external table it became. Without, it
   reverts: takes each upvalue back from the host. The _ENV that is the global table is
   never stored, so it is left alone. */
static void closure_walk(lua_State *L, int keep) {
  closure_registry(L, CLOSURE_BOUND);
  int bound = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, bound)) {
    double id = lua_tonumber(L, -1);
    lua_pop(L, 1);
    int f = lua_gettop(L);
    double size;
    HOST_CALL(size, host_ext_size(id), HOST_MISS_NUM, -2);
    if (size < 0) {
      lua_pushvalue(L, f);
      lua_pushnil(L);
      lua_rawset(L, bound);
      continue;
    }
    if (keep) {
      lua_pushvalue(L, f);
      lua_pushboolean(L, 1);
      lua_rawset(L, keep);
    }
    for (int i = 1, n = closure_nups(L, f); i <= n; i++) {
      int skip = closure_upvalue(L, f, i) || (keep && !ext_set_value(L, id, i, lua_gettop(L)));
      lua_pop(L, 1);
      if (skip) continue;
      ext_get_value(L, id, i);
      lua_setupvalue(L, f, i);
    }
  }
  lua_pop(L, 1);
}

/* At the end of a successful compute: sends the upvalues of every live bound function, so
   the host keeps what they hold now. Every function bound now is kept alive until the next
   capture (CLOSURE_KEEP, as closure_bind does for one bound meanwhile): one that a compute
   calls and then drops must not be collected before its changes are sent. */
void closure_capture(lua_State *L) {
  if (++cu_unit(L)->closure_captures % CLOSURE_PRUNE_EVERY == 0) closure_prune(L);
  lua_newtable(L);
  closure_walk(L, lua_gettop(L));
  lua_setfield(L, LUA_REGISTRYINDEX, CLOSURE_KEEP);
}

/* After a compute that failed, once the host has undone its writes: the upvalues of every
   live bound function go back to what the host holds, the last capture. Without this a
   failed compute's changes to them (a counter it stepped) would stay in the live closure,
   and the next successful compute would capture them. */
void closure_revert(lua_State *L) {
  closure_walk(L, 0);
}

static void closure_clear(lua_State *L, const char *key) {
  closure_registry(L, key);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_pushnil(L);
    lua_rawset(L, -4);
  }
  lua_pop(L, 1);
}

/* When closure_revert could not finish (out of memory, a limit): every function is
   unbound and its cells forgotten, so none can capture what the failed compute left in
   it, and a stored function is restored afresh from the host on its next use (the other
   tables are only read through these). Clearing in place allocates nothing: this cannot
   fail. */
void closure_forget(lua_State *L) {
  closure_clear(L, CLOSURE_BOUND);
  closure_clear(L, CLOSURE_FNS);
  closure_clear(L, CLOSURE_CELLS);
  closure_clear(L, CLOSURE_UIDS);
}
