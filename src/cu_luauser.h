/*
** cu_luauser.h: adaptations injected at the end of lua.h through LUA_USER_H, so that
** Lua's own sources stay unmodified. Seen by every Lua file and by our runtime.
*/
#ifndef cu_luauser_h
#define cu_luauser_h

/*
** The Lua stack limit is chosen per unit from its memory cap (see cu.c), so runaway
** recursion reports "stack overflow" instead of running the fixed memory out. Lua only
** compares against LUAI_MAXSTACK at run time (ldo.c), so a variable works. The pseudo
** indices are derived from it in lua.h; pin them to the stock value so they stay
** compile-time constants. cu_maxstack never exceeds CU_MAXSTACK_CEILING.
*/
#define CU_MAXSTACK_CEILING 1000000
extern int cu_maxstack;
#undef LUAI_MAXSTACK
#define LUAI_MAXSTACK cu_maxstack
#undef LUA_REGISTRYINDEX
#define LUA_REGISTRYINDEX (-CU_MAXSTACK_CEILING - 1000)

/* A unit has no temporary files (WASI has no tmpnam): os.tmpname() reports an error,
   in the native build too, so both builds behave alike. */
#define LUA_TMPNAMBUFSIZE 32
#define lua_tmpnam(b,e) { (b)[0] = '\0'; e = 1; }

/* String hashes get a seed from the host's random source (src/entropy.c), not from
   time(NULL) and addresses that every wasm unit shares. */
unsigned int entropy_seed(void);
#define luai_makeseed(L) ((void)(L), entropy_seed())

/* Lua writes integers with snprintf("%lld"); that one format goes to a digit loop
   (src/fmt.c), chosen by the argument's type, and every other call to snprintf. */
#include <stddef.h>
int fmt_integer(char *s, size_t size, const char *format, long long n);
#undef l_sprintf
#define l_sprintf(s,sz,f,i) _Generic((i), long long: fmt_integer, default: snprintf)(s, sz, f, i)

/* A coroutine keeps the hook it was created with, from whichever compute that was: each
   resume first makes it match the running compute's limits (limits_watch, src/limits.c).
   Lua calls this in lua_resume, with L the coroutine and `from`, lua_resume's parameter,
   the thread resuming it. Wrapping coroutine.resume and wrap in C functions did the same
   but added a C level, which took the position out of errors a wrap passes on. */
struct lua_State;
void limits_watch(struct lua_State *L, struct lua_State *co);
#define luai_userstateresume(L,n) ((from) != NULL ? limits_watch(from, L) : (void)0)

#if defined(__wasm__)
/* wasi-libc's <signal.h> refuses to compile without emulation; Lua only needs the type. */
#define l_signalT int
/* lvm.c dispatches through a table of label addresses under GCC and clang. Wasm has no
   indirect jump, so LLVM turns each of those gotos into a load from a table plus a jump
   through one shared switch; Lua's plain switch is one br_table. Measured 3-10% faster
   on most benchmark workloads in Node and in Chromium (docs/benchmarks.md). */
#define LUA_USE_JUMPTABLE 0

/* A Lua error unwinds as a wasm exception, which costs for every frame between the throw
   and luaD_rawrunprotected's catch: about 0.8 us plus 0.17 us a frame in Node 20
   (bench/throw.js). error() crossed ten frames; these calls on its way are inlined, so
   it crosses five (the pcall workload 540 -> 420 ms in Node, docs/benchmarks.md).
   lua_error and luaG_errormsg are small and lead only to luaD_throw; precallC is ldo.c's
   call of a C function, inline in its two callers; luaD_callnoyield is how pcall enters
   the protected function. A declaration's attributes carry over to the definition. */
struct lua_State;
union StackValue;
#define CU_INLINE __attribute__((always_inline))
int (lua_error) (struct lua_State *L) CU_INLINE;
void luaG_errormsg (struct lua_State *L) CU_INLINE __attribute__((noreturn));
void luaD_callnoyield (struct lua_State *L, union StackValue *func, int nResults) CU_INLINE;
#if defined(ldo_c)
static int precallC (struct lua_State *L, union StackValue *func, int nresults,
                     int (*f) (struct lua_State *L)) CU_INLINE;
#endif
#undef CU_INLINE
#endif

#endif
