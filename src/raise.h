/*
** raise.h: a Lua error that pcall or xpcall catches without a wasm exception (raise.c).
** Force-included into ldo.c and lbaselib.c (see the Makefile) and included by call_vm.h for
** lvm.c, so that Lua's sources stay unmodified: lbaselib.c's error() and assert() ask
** raise_unwind first, lvm.c returns from luaV_execute when it says so, and ldo.c's
** protected call turns that return into the error status.
*/
#ifndef cu_raise_h
#define cu_raise_h

struct lua_State;

/* The thread whose error is on its way to pcall's catch by returning, from
   raise_unwind until that catch; NULL at every other time. */
extern struct lua_State *raise_pending;

/* Called by error() and assert() (lbaselib.c) with the error object on top: true when
   the error can reach pcall's or xpcall's catch by returning (xpcall's handler has then
   run), and then set up to do so. */
int raise_unwind(struct lua_State *L);

/* Finds pcall and xpcall among the base library's functions; called when a unit opens
   them. */
void raise_open(struct lua_State *L);

/* After error() returned to OP_CALL or OP_TAILCALL (call_vm.h). */
void raise_leave(struct lua_State *L) __attribute__((noinline));

/* ldo.c's protected call, as Lua defines it for ISO C, plus one check when the body
   returns normally: a body that returned because of a raise has failed. */
#define LUAI_THROW(L,c)  longjmp((c)->b, 1)
#define LUAI_TRY(L,c,a) \
  if (setjmp((c)->b) == 0) { \
    a \
    if (raise_pending == (L)) { raise_pending = NULL; (c)->status = LUA_ERRRUN; } \
  }
#define luai_jmpbuf  jmp_buf

#endif
