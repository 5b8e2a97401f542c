/*
** oracle.c: differential test of src/match.c against lstrlib.c, Lua 5.4.7's own pattern
** matcher, in one process. The runtime's string table holds match.c's functions; this
** program links a second, plain copy of lstrlib.c (its luaopen_string renamed to
** oracle_open_lstrlib, see match.mk), opens it as the global `lstrlib`, then runs
** oracle.lua, which compares the two on random patterns and subjects.
**
** usage: match-oracle [cases [seed]], from the project's root; exits 1 on any difference.
*/
#include <stdio.h>
#include <stdlib.h>
#include "lauxlib.h"
#include "lualib.h"
#include "cu.h"
#include "../native/host.h"
#include "../native/runtime.h"

int oracle_open_lstrlib(lua_State *L);

int main(int argc, char **argv) {
  if (cu_init(CU_PROFILE_FULL, 256.0 * 1024 * 1024) != 0) { fprintf(stderr, "init failed\n"); return 1; }
  lua_State *L = cu_current()->L;
  lua_pushcfunction(L, oracle_open_lstrlib);
  lua_call(L, 0, 1);
  lua_setglobal(L, "lstrlib");
  /* opening it pointed the strings' metatable at its new table: point it back */
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_getglobal(L, LUA_STRLIBNAME);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 2);
  lua_pushinteger(L, argc > 1 ? atoll(argv[1]) : 20000);
  lua_setglobal(L, "CASES");
  lua_pushinteger(L, argc > 2 ? atoll(argv[2]) : 20251121);
  lua_setglobal(L, "SEED");

  return native_run_file("test/match/oracle.lua", "=oracle", "match-oracle");
}
