/*
** sjlj.c: the setjmp/longjmp runtime that LLVM's wasm SjLj lowering calls (LLVM 19 ABI).
** A longjmp throws the __c_longjmp tag (inline, setjmp.h); the frame that called setjmp
** catches it, asks __wasm_setjmp_test whether the jump is for it, and otherwise rethrows.
** The compiler restores the shadow stack pointer in the catch block, so nothing leaks.
*/
#include <stdint.h>
#include "setjmp.h"

void __wasm_setjmp(void *env, uint32_t label, void *func_invocation_id) {
  cu_jmp_buf_impl *jb = env;
  if (label == 0 || func_invocation_id == 0) __builtin_trap();
  jb->func_invocation_id = func_invocation_id;
  jb->label = label;
}

uint32_t __wasm_setjmp_test(void *env, void *func_invocation_id) {
  cu_jmp_buf_impl *jb = env;
  if (jb->label == 0) __builtin_trap();  /* longjmp to a buffer setjmp never filled */
  return jb->func_invocation_id == func_invocation_id ? jb->label : 0;
}

/* What the lowering calls for a longjmp it sees; setjmp.h's longjmp throws inline. */
void __wasm_longjmp(void *env, int val) {
  cu_longjmp(env, val);
}
