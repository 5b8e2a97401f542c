/*
** cu_limits.h: the counter through which C code that can run long without executing a
** Lua instruction (the pattern matcher, match.c) counts its work against the compute's
** limits (limits.c). The room is one process-wide counter: a process runs one unit's
** compute at a time (in wasm, an instance is a unit).
*/
#ifndef cu_limits_h
#define cu_limits_h

/* Units of work left before limits.c looks at the limits again. Spending is a
   decrement here, inline: a call per step made string-heavy code 25% slower. */
extern int limits_room;
/* Counts what was spent since the room was filled; true once a limit is exceeded. */
int limits_step_slow(void);

#endif
