/*
** prime.c: tells the wasm engine, before any script runs, that the interpreter's call
** of a C function in a tail call reaches many functions. V8 records which functions
** each indirect call reaches and, when it optimizes the interpreter loop, inlines the
** one or few it saw behind a guard. A script whose hot loop tail-calls one C function
** (`return setmetatable(o, mt)`) and later another (`return string.format(...)`) then
** fails the guard, and the whole loop (lvm.c, the largest function in the module)
** drops back to baseline code until it is optimized again: about 130 ms of compiling in
** Chromium, and a slow run meanwhile. luaD_pretailcall is inlined into luaV_execute, so
** that call site is only ever reached from a script's tail calls. Plain calls of C
** functions go through luaD_precall, which opening the libraries reaches with many
** functions, and every compute with several of cu.c's. Once a site has reached more
** functions than the engine would inline (V8: four), it stays an indirect call, and
** the guard can never fail.
*/
#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"
#include "cu.h"

#define PRIME_KEY "cu.prime"

/* A tail call of the C function f, in as little of Lua's syntax as a first compute
   would use anyway (a call of a global), because the first unit compiles each function
   of the module when first run: about 50 µs each in Node. f is a field of the primer's
   own _ENV, not of _G. */
static const char prime_source[] = "return f''";

/* Six small C functions (V8 inlines at most four). Given "", none allocates, so a
   unit's memory statistics do not depend on whether init or renew primed it. */
static const struct { const char *lib, *name; } prime_targets[] = {
  {LUA_GNAME, "assert"}, {LUA_GNAME, "type"}, {LUA_GNAME, "rawlen"},
  {LUA_GNAME, "getmetatable"}, {LUA_MATHLIBNAME, "type"}, {LUA_STRLIBNAME, "len"},
};

/* Protected. The first call compiles the primer and keeps it in the registry, where a
   unit copied from this one's image finds it; every call runs it, because the engine
   keeps the record per instance. */
int prime_calls(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, PRIME_KEY) != LUA_TFUNCTION) {
    lua_pop(L, 1);
    if (luaL_loadbufferx(L, prime_source, sizeof prime_source - 1, "=prime", "t") != LUA_OK)
      return lua_error(L);
    lua_newtable(L);
    lua_setupvalue(L, -2, 1);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, PRIME_KEY);
  }
  lua_getupvalue(L, -1, 1);  /* the primer's _ENV */
  for (size_t i = 0; i < sizeof prime_targets / sizeof prime_targets[0]; i++) {
    lua_getglobal(L, prime_targets[i].lib);
    lua_getfield(L, -1, prime_targets[i].name);
    lua_setfield(L, -3, "f");
    lua_pop(L, 1);
    lua_pushvalue(L, -2);
    lua_call(L, 0, 0);
  }
  return 0;
}
