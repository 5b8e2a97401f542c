/*
** cu_limits.h: the two counters lstrlib.c's pattern matcher calls (the Makefile routes its
** l_unlikely tests and memcmp here; see limits.c). Force-included into lstrlib.c, so it
** includes nothing itself and leaves lprefix.h first. The room is one process-wide
** counter: a process runs one unit's compute at a time (in wasm, an instance is a unit).
*/
#ifndef cu_limits_h
#define cu_limits_h

/* Steps the matcher may take before limits.c looks at the limits again. A step is one
   decrement here, inline: a call per step made string-heavy code 25% slower. */
extern int limits_room;
int limits_step_slow(void);
static inline int limits_step(void) {
  return --limits_room < 0 && limits_step_slow();
}
/* memcmp of plain find: one step per 64 bytes compared. __builtin_memcmp, because
   memcmp itself is renamed to this function in lstrlib.c. */
static inline int limits_memcmp(const void *a, const void *b, __SIZE_TYPE__ n) {
  limits_room -= 1 + (int)(n / 64);
  if (limits_room < 0 && limits_step_slow()) return 1;
  return __builtin_memcmp(a, b, n);
}

#endif
