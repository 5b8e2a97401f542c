/*
** cu_limits.h: the counter through which C code that can run long without executing a
** Lua instruction (the pattern matcher, match.c; bigint.c's kernels and loops; the table
** library's element reads, limits_geti) counts its work against the compute's limits
** (limits.c). The room is one process-wide counter: a process runs one unit's compute
** at a time (in wasm, an instance is a unit).
*/
#ifndef cu_limits_h
#define cu_limits_h

#include "lua.h"

/* Units of work left before limits.c looks at the limits again. Spending is a
   decrement here, inline: a call per step made string-heavy code 25% slower. */
extern int limits_room;
/* Counts what was spent since the room was filled; true once a limit is exceeded. */
int limits_step_slow(void);
int limits_raise(lua_State *L);

/* Spends units of work; true once a limit is exceeded. Code that cannot unwind here (a
   kernel with no lua_State) only spends, and its caller raises with limits_charge. */
static inline int limits_spend(int units) {
  limits_room -= units;
  return limits_room < 0 && limits_step_slow();
}

/* Spends units of work, raising the limit's error once a limit is exceeded; after that,
   every charge of a unit or more raises, as the room stays empty. */
static inline void limits_charge(lua_State *L, int units) {
  if (limits_spend(units)) limits_raise(L);
}

#endif
