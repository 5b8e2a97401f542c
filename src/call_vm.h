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
*/
#ifndef cu_call_vm_h
#define cu_call_vm_h

#define LUA_CORE
#include "lprefix.h"
#include "lstate.h"
#include "lobject.h"
#include "ldo.h"  /* its declaration of luaD_precall comes before the macro below */

static inline CallInfo *call_precall(lua_State *L, StkId func, int nresults) {
  if (ttisLclosure(s2v(func))) {
    Proto *p = clLvalue(s2v(func))->p;
    int fsize = p->maxstacksize;
    CallInfo *ci = L->ci->next;
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
  return luaD_precall(L, func, nresults);
}

#define luaD_precall(L,func,nresults) call_precall(L, func, nresults)

#endif
