/*
** call_vm.h: force-included into lvm.c only (see the Makefile), after limits_vm.h. It
** puts the common case of a Lua-to-Lua call inline in the interpreter loop: OP_CALL's
** luaD_precall is a call into ldo.c, and in wasm that call is the largest part of a
** small Lua function's cost. Taken when the callee is a Lua function, its frame fits the
** stack, and a CallInfo is already there to reuse; everything else (C functions,
** __call, growing the stack or the CallInfo list, which may collect garbage) goes to
** luaD_precall, unchanged. Measured: fib 15% faster in Node and 10% in Chromium,
** spectral-norm and closures 6-7% in Node, but fannkuch, which makes no calls, 8% slower
** in Node (docs/benchmarks.md §3). Inlining all of luaD_precall instead made Chromium's
** closures 12% slower.
**
** The frame set up here is the one luaD_precall sets up for a Lua function (ldo.c,
** case LUA_VLCL, with prepCallInfo and next_ci): the same fields, the same values.
**
** When a C function called from OP_CALL or OP_TAILCALL returns an error on its way to
** pcall (raise.c), luaV_execute returns at once, as a throw would have left it.
*/
#ifndef cu_call_vm_h
#define cu_call_vm_h

#define LUA_CORE
#include "lprefix.h"
#include "lstate.h"
#include "lobject.h"
#include "ldo.h"  /* its declarations come before the macros below */
#include "raise.h"

/* After a C function called from OP_CALL or OP_TAILCALL returns: true if it raised
   an error on its way to pcall (raise.c), and then L->ci is the frame that this
   luaV_execute started with, for the call to leave through OP_RETURN's own exit (lvm.c's
   label `ret`) as if that frame returned. A second `return` out of the loop made the
   interpreter 2 KB smaller and Node's spectral-norm 25% slower. */
static inline int call_raised(lua_State *L) {
  if (l_likely(raise_pending != L)) return 0;
  raise_leave(L);
  return 1;
}

#define CALL_RAISED ((CallInfo *)1)  /* call_precall's result when call_raised */

static inline CallInfo *call_precall(lua_State *L, StkId func, int nresults) {
  CallInfo *ci;
  if (ttisLclosure(s2v(func))) {
    Proto *p = clLvalue(s2v(func))->p;
    int fsize = p->maxstacksize;
    ci = L->ci->next;
    if (l_likely(ci != NULL && L->stack_last.p - L->top.p > fsize)) {
      int narg = cast_int(L->top.p - func) - 1;
      L->ci = ci;
      ci->func.p = func;
      ci->nresults = nresults;
      ci->callstatus = 0;
      ci->top.p = func + 1 + fsize;
      ci->u.l.savedpc = p->code;
      for (; narg < p->numparams; narg++)
        setnilvalue(s2v(L->top.p++));  /* missing arguments are nil */
      return ci;
    }
  }
  ci = luaD_precall(L, func, nresults);
  return ci == NULL && call_raised(L) ? CALL_RAISED : ci;
}

/* Expanded in luaV_execute only, where `ci` is the running frame. */
#define luaD_precall(L,func,nresults) ({ \
  CallInfo *called_ = call_precall(L, func, nresults); \
  if (l_unlikely(called_ == CALL_RAISED)) { ci = L->ci; goto ret; } \
  called_; })
#define luaD_pretailcall(L,ci_,func,narg1,delta) ({ \
  int results_ = luaD_pretailcall(L, ci_, func, narg1, delta); \
  if (l_unlikely(results_ >= 0 && call_raised(L))) { ci = L->ci; goto ret; } \
  results_; })

#endif
