/*
** raise.c: error() and assert() inside pcall or xpcall, without a wasm exception. A
** Lua error is a longjmp, and in wasm a longjmp is an exception that the engine unwinds:
** V8 in Node 20 charges about 0.8 us per throw plus 0.17 us per frame (bench/throw.js),
** where native Lua's longjmp costs tens of nanoseconds. Code that uses pcall and error
** for control flow paid that on every error.
**
** In the common case the frames between the error and pcall's catch are all known: pcall
** (lbaselib.c) -> lua_pcallk -> luaD_pcall -> luaD_rawrunprotected (the catch) -> f_call
** -> luaD_callnoyield -> luaV_execute, which runs the called function and every Lua
** function it calls in turn, until one of them calls error() from OP_CALL or
** OP_TAILCALL. None of those frames does anything after a callee returns that a throw
** would have skipped, if luaV_execute returns at once: luaD_pcall's error path
** (luaD_closeprotected, luaD_seterrorobj) restores everything else from its own saved
** state, as it does after a throw. So raise_unwind checks that this is the case, and
** the error returns instead: error() returns its error object as its one result, which
** lands in the call's register with the stack top just above it; OP_CALL sees
** raise_pending and leaves luaV_execute as its first frame's return would (call_vm.h);
** luaD_rawrunprotected's body returns, and its LUAI_TRY (raise.h) reports LUA_ERRRUN.
** From there on it is Lua's own error path.
**
** xpcall is the same protected call with a message handler, which Lua runs where the
** error is, before anything unwinds (luaG_errormsg). So raise_unwind runs it there too,
** the same way, and the handler's result is what returns to the catch; a handler that
** fails throws from inside it, as it would from luaG_errormsg.
**
** Anything else throws, as before: errors that Lua's runtime raises (arithmetic on nil,
** a library's argument check), error() called from a C function or a metamethod, or in
** a coroutine that can yield (its pcall is protected by lua_resume instead), and any
** call, return or line hook (a hook would see the frames that a throw never returns
** through).
*/
#define LUA_CORE
#include "lprefix.h"
#include "lua.h"
#include "lstate.h"
#include "ldo.h"
#include "lobject.h"
#include "lopcodes.h"
#include "lstring.h"
#include "raise.h"

lua_State *raise_pending;
/* The base library's pcall and xpcall; the same for every unit. */
static lua_CFunction raise_pcall, raise_xpcall;

void raise_open(lua_State *L) {
  lua_getglobal(L, "pcall");
  raise_pcall = lua_tocfunction(L, -1);
  lua_getglobal(L, "xpcall");
  raise_xpcall = lua_tocfunction(L, -1);
  lua_pop(L, 2);
}

/* Whether a hook would see frames return: a call, return or line hook (the limits'
   count hook sees none), which a throw never returns through. */
#define raise_hooked(L)  (((L)->hookmask & ~LUA_MASKCOUNT) != 0)

/* Where the caller put the function of Lua frame ci: a vararg function's frame starts
   above its arguments (luaT_adjustvarargs), and OP_RETURN moves it back by as much. */
static StkId raise_called_at(CallInfo *ci) {
  Proto *p = clLvalue(s2v(ci->func.p))->p;
  return ci->func.p - (p->is_vararg ? ci->u.l.nextraargs + p->numparams + 1 : 0);
}

/* The frame that the luaV_execute running Lua frame ci started with, or NULL if a C
   frame lies between: a C function that called Lua, which would see the return. */
static CallInfo *raise_first(CallInfo *ci) {
  for (; !(ci->callstatus & CIST_FRESH); ci = ci->previous)
    if (!isLuacode(ci->previous)) return NULL;
  return ci;
}

int raise_unwind(lua_State *L) {
  CallInfo *ci = L->ci;  /* the frame of error() or assert() */
  CallInfo *caller = ci->previous, *first, *pcall_ci;
  const TValue *err = s2v(L->top.p - 1);
  Instruction call;
  lua_CFunction catcher;
  if (raise_hooked(L) || !isLuacode(caller))
    return 0;
  /* Called by the caller's current instruction, from the register it names: only
     OP_CALL and OP_TAILCALL put a function there; metamethods, hooks and finalizers
     call theirs above the caller's registers, and save their own instruction. */
  call = caller->u.l.savedpc[-1];
  if ((GET_OPCODE(call) != OP_CALL && GET_OPCODE(call) != OP_TAILCALL)
      || caller->func.p + 1 + GETARG_A(call) != ci->func.p)
    return 0;
  first = raise_first(caller);
  if (first == NULL) return 0;
  /* pcall or xpcall called that first frame directly, with its own luaD_pcall (not
     lua_resume's, which CIST_YPCALL marks), and its protected call is the innermost:
     the message handler in force is its own. pcall calls its argument 1 after pushing
     true under it; xpcall pushes true and argument 1 above its handler, argument 2. */
  pcall_ci = first->previous;
  if (isLua(pcall_ci) || (pcall_ci->callstatus & CIST_YPCALL) || !ttislcf(s2v(pcall_ci->func.p)))
    return 0;
  catcher = fvalue(s2v(pcall_ci->func.p));
  if (catcher == raise_pcall) {
    if (L->errfunc != 0 || raise_called_at(first) != pcall_ci->func.p + 2) return 0;
  } else if (catcher == raise_xpcall) {
    if (L->errfunc != savestack(L, pcall_ci->func.p + 2)
        || raise_called_at(first) != pcall_ci->func.p + 4)
      return 0;
  } else {
    return 0;
  }
  /* lua_error turns this one message into a memory error, which no handler sees */
  if (ttisshrstring(err) && eqshrstr(tsvalue(err), G(L)->memerrmsg))
    return 0;
  if (L->errfunc != 0) {  /* as luaG_errormsg: the handler's result replaces the error */
    StkId handler = restorestack(L, L->errfunc);
    setobjs2s(L, L->top.p, L->top.p - 1);
    setobjs2s(L, L->top.p - 1, handler);
    L->top.p++;  /* EXTRA_STACK has room, as luaG_errormsg assumes */
    luaD_callnoyield(L, L->top.p - 2, 1);
    if (raise_hooked(L)) luaD_throw(L, LUA_ERRRUN);  /* the handler set one */
  }
  ci->nresults = 1;  /* whatever the call asked for, the error object lands in its register */
  raise_pending = L;
  return 1;
}

/* Makes current the frame that the running luaV_execute started with, for it to leave
   through. Out of line: inlined into the interpreter loop, this walk made Node's
   spectral-norm 10% slower. */
void raise_leave(lua_State *L) {
  L->ci = raise_first(L->ci);  /* raise_unwind found only Lua frames on the way */
}
