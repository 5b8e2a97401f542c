/*
** floor.c: the start-up floor, a reference for Cu's first unit (bench/run.js). Stock Lua
** 5.4.7 alone in wasm, built with Cu's compiler and flags but none of its runtime: its
** one export makes a state, compiles and runs `return 1`, and closes the state. Built
** without FLOOR_LIBS it opens no library, the least any Lua in wasm does for a first
** result; with FLOOR_LIBS it opens Lua's standard libraries, as a Lua-in-wasm runtime
** would. Not part of Cu.
*/
#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

/* 1 on success, else minus Lua's status, or 0 if the state could not be made. */
__attribute__((export_name("floor_run")))
int floor_run(void) {
  lua_State *L = luaL_newstate();
  if (L == NULL) return 0;
#ifdef FLOOR_LIBS
  luaL_openlibs(L);
#endif
  int status = luaL_loadstring(L, "return 1");
  if (status == LUA_OK) status = lua_pcall(L, 0, 1, 0);
  int result = status == LUA_OK ? (int)lua_tointeger(L, -1) : -status;
  lua_close(L);
  return result;
}
