/*
** lgc_cu.h: force-included into lgc.c only (see the Makefile), so that the collector's
** marking counts against the limits (cu_limits.h), while lgc.c stays unmodified. A
** collection runs in C behind one instruction and marks every live object: a full one
** per `collectgarbage()` call, one per failed allocation (the emergency collection), and
** one per allocation once a script sets the collector's parameters so
** (`collectgarbage("incremental", 1, 1000)`: a pause of 0; "generational" with a minor
** multiplier of 1 re-marks every touched old table each 1% the heap grows). Uncounted,
** each of those was a pass over the whole memory for a step or two of the budget.
**
** In either mode, every object a collection keeps is marked once by reallymarkobject,
** and every one with slots is then traversed by propagatemark, which returns its work (a
** table's slots, a stack's size, a closure's upvalues). Both are counted here. Sweeping
** is not: an object is swept once per cycle, and was either allocated (counted by the
** allocator) or marked. The ephemeron tables' convergence re-traverses them uncounted.
**
** Includes lgc.c's headers itself, lprefix.h first as lgc.c does (their include guards
** make lgc.c's own includes no-ops).
*/
#ifndef lgc_cu_h
#define lgc_cu_h

#define LUA_CORE  /* as lgc.c defines before its includes, for luaconf.h */
#include "lprefix.h"
#include "lua.h"
#include "lobject.h"
#include "lstate.h"
#include "cu_limits.h"

/* lgc.c calls these functions with g and defines them with (global_State *g, ...). The
   macros tell the two apart by the first token of the argument list: calls reach the
   counting functions below, and the definitions are renamed. Another spelling in a later
   Lua would fail to compile rather than go uncounted. */
#define propagatemark(first) LGC_CU_PROPAGATEMARK_##first)
#define LGC_CU_PROPAGATEMARK_g lgc_cu_propagatemark(g
#define LGC_CU_PROPAGATEMARK_global_State lgc_propagatemark(global_State
#define reallymarkobject(first, ...) LGC_CU_MARK_##first, __VA_ARGS__)
#define LGC_CU_MARK_g lgc_cu_reallymarkobject(g
#define LGC_CU_MARK_global_State lgc_reallymarkobject(global_State

static lu_mem lgc_propagatemark(global_State *g);
static void lgc_reallymarkobject(global_State *g, GCObject *o);

/* The collector cannot raise an error, so these only spend (see limits_due). */

/* Every object a cycle keeps is marked once, strings included (they are never
   propagated), and swept once. */
static void lgc_cu_reallymarkobject(global_State *g, GCObject *o) {
  limits_spend(LIMITS_MARK_OBJECT);
  lgc_reallymarkobject(g, o);
}

/* A table's, stack's or closure's slots, marked. */
static lu_mem lgc_cu_propagatemark(global_State *g) {
  lu_mem work = lgc_propagatemark(g);
  limits_spend_bytes(work, LIMITS_MARK_WORK);
  return work;
}

#endif
