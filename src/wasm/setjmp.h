/*
** setjmp.h for wasm32: wasi-libc (2022) ships none. With -mllvm -wasm-enable-sjlj the
** compiler rewrites setjmp into calls to the runtime in sjlj.c. longjmp is inline here:
** it throws the __c_longjmp tag from its caller's frame, because a wasm exception costs
** for every frame it unwinds (about 0.17 us each in Node 20), and a call to the
** runtime's __wasm_longjmp would be one more on every Lua error (docs/benchmarks.md).
*/
#ifndef cu_setjmp_h
#define cu_setjmp_h

typedef struct {
  void *func_invocation_id;   /* identifies the frame that called setjmp */
  unsigned label;             /* which setjmp call site inside that frame */
  struct { void *env; int val; } arg;  /* payload of the in-flight longjmp */
} cu_jmp_buf_impl;
typedef cu_jmp_buf_impl jmp_buf[1];

int setjmp(jmp_buf env) __attribute__((returns_twice));
#define _setjmp setjmp

/* The catch in the frame that called setjmp reads the payload: which buffer the jump is
   for, and the value setjmp returns there. Tag 1 is __c_longjmp. */
static inline __attribute__((always_inline, noreturn)) void cu_longjmp(jmp_buf env, int val) {
  env->arg.env = env;
  env->arg.val = val == 0 ? 1 : val;  /* longjmp(env, 0) must make setjmp return 1 */
  __builtin_wasm_throw(1, &env->arg);
}
#define longjmp cu_longjmp
#define _longjmp cu_longjmp

#endif
