/*
** lutf8lib_cu.h: force-included into lutf8lib.c only (see the Makefile), so that
** utf8.len and utf8.offset count the characters they walk against the limits
** (limits_utf8_len and limits_utf8_offset, src/limits.c): each walks a string in C with
** nothing to allocate, as long as the memory allows, behind one instruction.
** lutf8lib.c stays unmodified. A function-like macro renames its two definitions (their
** names are followed by '('), and its table ({"len", utflen}, no '(') gets the static
** functions declared here, which call the renamed ones through Cu's counting.
** Includes nothing itself and leaves lprefix.h first.
*/
#ifndef lutf8lib_cu_h
#define lutf8lib_cu_h

struct lua_State;
int limits_utf8_len(struct lua_State *L, int (*len)(struct lua_State *L));
int limits_utf8_offset(struct lua_State *L, int (*offset)(struct lua_State *L));

static int lutf8lib_len(struct lua_State *L);
static int lutf8lib_offset(struct lua_State *L);
static int (utflen)(struct lua_State *L) { return limits_utf8_len(L, lutf8lib_len); }
static int (byteoffset)(struct lua_State *L) { return limits_utf8_offset(L, lutf8lib_offset); }

#define utflen(L) lutf8lib_len(L)
#define byteoffset(L) lutf8lib_offset(L)

#endif
