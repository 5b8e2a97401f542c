/*
** cu_limits.h: the two counters lstrlib.c's pattern matcher calls (the Makefile routes its
** l_unlikely tests and memcmp here; see limits.c). Force-included into lstrlib.c, so it
** includes nothing itself and leaves lprefix.h first.
*/
#ifndef cu_limits_h
#define cu_limits_h

int limits_step(void);
int limits_memcmp(const void *a, const void *b, __SIZE_TYPE__ n);

#endif
