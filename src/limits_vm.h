/*
** limits_vm.h: force-included into lvm.c only, which is compiled with luaG_traceexec
** renamed to limits_traceexec (see the Makefile). With any hook set, Lua's interpreter
** calls luaG_traceexec before every instruction; for the limits' count hook that call is
** nearly all waste (measured: 1.6x slower natively). This inline version only counts
** down, and leaves everything else, including the instruction where the hook is due and
** any other kind of hook, to the real function.
*/
#ifndef cu_limits_vm_h
#define cu_limits_vm_h

#define LUA_CORE  /* as lvm.c defines before its includes, which this header precedes */
#include "lprefix.h"
#include "lstate.h"

int limits_traceexec_slow(lua_State *L, const Instruction *pc);

static inline int limits_traceexec(lua_State *L, const Instruction *pc) {
  if (L->hookmask == LUA_MASKCOUNT && L->hookcount > 1) {
    L->hookcount--;
    return 1;  /* keep 'trap' on, as luaG_traceexec does */
  }
  return limits_traceexec_slow(L, pc);
}

#endif
