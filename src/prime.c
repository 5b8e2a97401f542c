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
#include "cu.h"

#define PRIME_KEY "cu.prime"

/* Six C functions, each tail-called once (V8 inlines at most four); none allocates, so
   a unit's memory statistics do not depend on whether init or renew primed it. */
static const char prime_source[] =
  "local function t(f,...)return f(...)end "
  "return function()t(type,1)t(rawequal,1,1)t(rawlen,'')t(select,1)t(math.abs,1)t(string.len,'')end";

/* Protected. The first call compiles the primer and keeps it in the registry, where a
   unit copied from this one's image finds it; every call runs it, because the engine
   keeps the record per instance. */
int prime_calls(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, PRIME_KEY) != LUA_TFUNCTION) {
    if (luaL_loadbufferx(L, prime_source, sizeof prime_source - 1, "=prime", "t") != LUA_OK)
      return lua_error(L);
    lua_call(L, 0, 1);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, PRIME_KEY);
  }
  lua_call(L, 0, 0);
  return 0;
}
