/*
** match_lstrlib.h: force-included into lstrlib.c only (see the Makefile), so that Lua's
** string table holds match.c's find, match, gmatch and gsub from the start, while
** lstrlib.c itself stays unmodified. Its table names the four functions without a call
** ({"find", str_find}); their definitions are followed by '('. So each name is
** declared here as match.c's function (an asm label gives the symbol), and a
** function-like macro, which only applies where '(' follows, renames the four
** definitions. Nothing references them then, and the linker drops them with the
** matcher they call: lstrlib.c's pattern matching is not in the module at all.
** Includes nothing itself and leaves lprefix.h first.
*/
#ifndef match_lstrlib_h
#define match_lstrlib_h

struct lua_State;
int (str_find)(struct lua_State *L) __asm__("match_find");
int (str_match)(struct lua_State *L) __asm__("match_match");
int (gmatch)(struct lua_State *L) __asm__("match_gmatch");
int (str_gsub)(struct lua_State *L) __asm__("match_gsub");

#define str_find(L) lstrlib_find(L)
#define str_match(L) lstrlib_match(L)
#define gmatch(L) lstrlib_gmatch(L)
#define str_gsub(L) lstrlib_gsub(L)

#endif
