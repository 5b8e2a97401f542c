/*
** alloc.c: the allocator behind every Lua allocation. It enforces the unit's byte cap
** inside the fixed linear memory, so exhaustion is Lua's ordinary, catchable "not
** enough memory" (Lua then runs an emergency collection and retries once), and it
** keeps the figures that getMemoryStats reports, and how far up the heap has been
** written (the host clears that much before another unit reuses the memory).
*/
#include <stdlib.h>
#include "cu.h"
#include "cu_limits.h"

void *alloc_bytes(CuUnit *u, void *ptr, size_t osize, size_t nsize) {
  CuMemory *m = &u->mem;
  if (ptr == NULL) osize = 0;  /* Lua then passes a type tag, not a size */
  if (nsize == 0) {
    free(ptr);
    m->used -= osize;
    return NULL;
  }
  if (nsize > osize && nsize - osize > m->cap - m->used) return NULL;
  void *p = realloc(ptr, nsize);
  if (p == NULL) return NULL;  /* the heap ran out before the cap: just as clean */
  if ((size_t)p + nsize > m->high) m->high = (size_t)p + nsize;
  m->used = m->used - osize + nsize;
  if (m->used > m->peak) m->peak = m->used;
  if (m->used > m->compute_peak) m->compute_peak = m->used;
  return p;
}

/* Lua's allocator. What Lua obtains it then fills (a string's bytes, a copied table or
   stack), so growth counts against the limits as work (cu_limits.h): one C call can
   make a string as large as the memory, with one instruction to count. The allocator
   cannot raise; the limits' hook does, at the next instruction (limits.c). */
void *alloc_lua(void *ud, void *ptr, size_t osize, size_t nsize) {
  size_t had = ptr == NULL ? 0 : osize;  /* without ptr, osize is a type tag */
  void *p = alloc_bytes((CuUnit *)ud, ptr, osize, nsize);
  if (p != NULL && nsize > had) limits_spend_bytes(nsize - had, LIMITS_COPY_BYTES);
  return p;
}

CuUnit *cu_unit(lua_State *L) {
  void *ud;
  lua_getallocf(L, &ud);
  return (CuUnit *)ud;
}
