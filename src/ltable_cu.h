/*
** ltable_cu.h: force-included into ltable.c only (see the Makefile), so that two pieces
** of table work that run in C behind one instruction count against the limits
** (cu_limits.h), while ltable.c stays unmodified:
**   - next: one call passes every empty slot between a key and the next entry. A table
**     whose entries were set and then cleared keeps its slots, so `next(t)` could walk
**     the whole memory's worth of them, uncounted, again and again.
**   - hashing a long string the first time it is a key: a pass over all its bytes.
** Unlike the other _cu.h headers, this one defines code that needs Lua's internal
** types, so it includes ltable.c's headers itself, lprefix.h first as ltable.c does
** (their include guards make ltable.c's own includes no-ops), and declares findindex,
** which ltable.c defines further down. ltable.c's luaH_next is renamed by a macro defined
** after the one here and goes unused.
*/
#ifndef ltable_cu_h
#define ltable_cu_h

#define LUA_CORE  /* as ltable.c defines before its includes, for luaconf.h */
#include "lprefix.h"
#include "lua.h"
#include "lobject.h"
#include "lstate.h"
#include "lstring.h"
#include "ltable.h"
#include "cu_limits.h"

static unsigned int findindex(lua_State *L, Table *t, TValue *key, unsigned int asize);

/* The same walk as ltable.c's: from the slot after key (numbered array part first, then
   the nodes), the first one that is not empty. It counts the slots it passes, which a
   traversal of a full table keeps at none. */
int luaH_next(lua_State *L, Table *t, StkId key) {
  unsigned int asize = luaH_realasize(t);
  unsigned int nodes = (unsigned int)sizenode(t);
  unsigned int from = findindex(L, t, s2v(key), asize);
  unsigned int i = from;
  while (i < asize && isempty(&t->array[i])) i++;
  if (i >= asize)
    while (i - asize < nodes && isempty(gval(gnode(t, i - asize)))) i++;
  if (i - from >= LIMITS_SCAN_SLOTS) limits_charge(L, (int)((i - from) / LIMITS_SCAN_SLOTS));
  if (i < asize) {
    setivalue(s2v(key), (lua_Integer)i + 1);
    setobj2s(L, key + 1, &t->array[i]);
    return 1;
  }
  if (i - asize < nodes) {
    Node *n = gnode(t, i - asize);
    getnodekey(L, s2v(key), n);
    setobj2s(L, key + 1, gval(n));
    return 1;
  }
  return 0;
}
#define luaH_next(L, t, key) ltable_next_unused(L, t, key)

/* A long string's hash is made once, over all its bytes, when it is first a key
   (mainpositionTV has no L at hand, so this only spends; see limits_due). */
static unsigned int ltable_hashlongstr(TString *ts) {
  if (ts->extra == 0) limits_spend_bytes(ts->u.lnglen, LIMITS_HASH_BYTES);
  return luaS_hashlongstr(ts);
}
#define luaS_hashlongstr(ts) ltable_hashlongstr(ts)

#endif
