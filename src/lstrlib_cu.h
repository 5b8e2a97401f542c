/*
** lstrlib_cu.h: force-included into lstrlib.c only (see the Makefile), so that Lua's
** string table holds Cu's versions of five functions from the start, while lstrlib.c
** itself stays unmodified: match.c's find, match, gmatch and gsub, and libs.c's rep.
** Its table names the functions without a call ({"find", str_find}); their definitions
** are followed by '('. So each name is declared here as Cu's function (an asm label
** gives the symbol), and a function-like macro, which only applies where '(' follows,
** renames lstrlib.c's definitions. Nothing references those then, and the linker drops
** them with the matcher they call: lstrlib.c's pattern matching is not in the module.
** Includes nothing itself and leaves lprefix.h first.
*/
#ifndef lstrlib_cu_h
#define lstrlib_cu_h

struct lua_State;
int (str_find)(struct lua_State *L) __asm__("match_find");
int (str_match)(struct lua_State *L) __asm__("match_match");
int (gmatch)(struct lua_State *L) __asm__("match_gmatch");
int (str_gsub)(struct lua_State *L) __asm__("match_gsub");
int (str_rep)(struct lua_State *L) __asm__("libs_rep");

#define str_find(L) lstrlib_find(L)
#define str_match(L) lstrlib_match(L)
#define gmatch(L) lstrlib_gmatch(L)
#define str_gsub(L) lstrlib_gsub(L)
#define str_rep(L) lstrlib_rep(L)

#endif
