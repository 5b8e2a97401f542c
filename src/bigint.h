/*
** bigint.h: arbitrary-precision integers for Lua (the "bigint" module), and the few
** entry points the runtime needs to move them across the JS boundary.
*/
#ifndef bigint_h
#define bigint_h

#include <stddef.h>
#include "lua.h"

/* Opens the module: returns the (callable) module table, and registers the metatable
** under the name "bigint". */
int luaopen_bigint(lua_State *L);

/* 1 if the value at idx is a bigint. */
int big_is(lua_State *L, int idx);

/* Pushes the bigint at idx as lowercase hex with a leading '-' when negative and no
** prefix ("0", "-1f"), the form JS's BigInt('0x'...) and BigInt.toString(16) use. */
void big_pushhex(lua_State *L, int idx);

/* The inverse of big_pushhex: pushes a bigint; raises a Lua error on malformed input. */
void big_pushfromhex(lua_State *L, const char *s, size_t len);

#endif
