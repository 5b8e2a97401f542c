/*
** cu_limits.h: the counter through which C code that can run long without executing a
** Lua instruction counts its work against the compute's limits (limits.c): the pattern
** matcher (match.c), bigint.c's kernels and loops, and the stock libraries' work on data
** (the table library's element reads, string comparisons and UTF-8 walks in limits.c,
** load's source in libs.c, every byte the allocator hands out, alloc.c, next's walk and
** long keys' hashes, ltable_cu.h, and the collector's marking, lgc_cu.h). The room is
** one process-wide counter: a process runs one unit's compute at a time (in wasm, an
** instance is a unit).
*/
#ifndef cu_limits_h
#define cu_limits_h

#include <limits.h>
#include <stddef.h>
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

/* Work on data in C counts too, at rates that make a step take about the time of a
   simple Lua instruction (a loop's add, 3.6 ns in Node; docs/api.md, "Limits"): */
#define LIMITS_COPY_BYTES 32    /* bytes the allocator hands out, which Lua then fills */
#define LIMITS_COMPARE_BYTES 8  /* bytes of two strings compared */
#define LIMITS_LEX_BYTES 2      /* bytes of source that load hands the lexer */
#define LIMITS_SCAN_SLOTS 8     /* empty table slots that next passes (ltable_cu.h) */
#define LIMITS_HASH_BYTES 4     /* bytes of a long string hashed as a key (ltable_cu.h) */
#define LIMITS_MARK_WORK 4      /* slots the collector marks (lgc_cu.h) */
#define LIMITS_MARK_OBJECT 3    /* steps, not bytes: an object the collector keeps (lgc_cu.h) */
/* (and utf8.len and utf8.offset a step per character or byte they walk, src/limits.c) */

static inline int limits_spend_bytes(size_t bytes, size_t bytes_per_step) {
  size_t steps = bytes / bytes_per_step;
  return limits_spend(steps < INT_MAX ? (int)steps : INT_MAX);  /* units of up to 4 GiB */
}

/* Spends units of work, raising the limit's error once a limit is exceeded; after that,
   every charge of a unit or more raises, as the room stays empty. */
static inline void limits_charge(lua_State *L, int units) {
  if (limits_spend(units)) limits_raise(L);
}

static inline void limits_charge_bytes(lua_State *L, size_t bytes, size_t bytes_per_step) {
  if (limits_spend_bytes(bytes, bytes_per_step)) limits_raise(L);
}

#endif
