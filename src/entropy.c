/*
** entropy.c: where a unit's randomness comes from. Stock Lua seeds its string hashes
** (lstate.c's luai_makeseed) and math.random (lmathlib.c's randseed) from time(NULL)
** and a few addresses. In wasm every unit has the same addresses, so units made in the
** same second would hash alike and draw the same "random" numbers, and anyone who knows
** the second knows the seeds. Both seeds come from the host's random source instead
** (WASI random_get; getentropy in the native build). The JS host can make that source
** deterministic per unit (the `seed` option), for reproducible runs.
*/
#include <stdint.h>
#include <sys/random.h>
#include <time.h>
#include "lua.h"

static uint64_t entropy_fallback;

/* 64 fresh bits; if the host has no random source, time mixed with a counter, which is
   what stock Lua would have used. */
static uint64_t entropy_bits(void) {
  uint64_t v;
  if (getentropy(&v, sizeof v) == 0) return v;
  entropy_fallback += 0x9e3779b97f4a7c15u;
  return (uint64_t)time(NULL) ^ entropy_fallback;
}

unsigned int entropy_seed(void) {
  return (unsigned int)entropy_bits();
}

/* lmathlib.c calls time(NULL) only in randseed, for math.random's first seed word; the
   Makefile renames that call to this function, so the word is random, also for
   math.randomseed() without arguments. */
time_t entropy_time(time_t *t) {
  time_t v = (time_t)entropy_bits();
  if (t != NULL) *t = v;
  return v;
}
