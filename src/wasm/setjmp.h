/*
** setjmp.h for wasm32: wasi-libc (2022) ships none. With -mllvm -wasm-enable-sjlj the
** compiler rewrites setjmp/longjmp into calls to the runtime in sjlj.c, which unwinds
** with a wasm exception; this header only has to give jmp_buf its layout.
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
_Noreturn void longjmp(jmp_buf env, int val);
#define _setjmp setjmp
#define _longjmp longjmp

#endif
