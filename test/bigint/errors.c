/*
** errors.c: runs test/bigint/errors.lua (error cases and documented semantics), then
** checks the memory behaviour natively: bigints are freed by the garbage collector, and
** hitting the allocator's cap in the middle of an operation gives a clean
** "not enough memory" and leaves nothing behind.
** Prints "N passed, N failed"; exits 1 on failure.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"
#include "bigint.h"
#include "cu.h"


static size_t used, peak, cap = (size_t)-1;
static int passed, failed;

static void *alloc(void *ud, void *p, size_t osize, size_t nsize) {
  (void)ud;
  if (p == NULL) osize = 0;
  if (nsize == 0) {
    free(p);
    used -= osize;
    return NULL;
  }
  if (nsize > osize && used - osize + nsize > cap) return NULL;
  void *q = realloc(p, nsize);
  if (q == NULL) return NULL;
  used = used - osize + nsize;
  if (used > peak) peak = used;
  return q;
}

static void check(int cond, const char *name) {
  if (cond) {
    passed++;
  } else {
    failed++;
    fprintf(stderr, "FAIL: %s\n", name);
  }
}

static int l_check(lua_State *L) {
  check(lua_toboolean(L, 1), luaL_optstring(L, 2, "?"));
  return 0;
}

/* Runs code; returns the status and leaves the message (if any) in msg. */
static int run(lua_State *L, const char *code, char *msg, size_t msgsize) {
  int st = luaL_loadstring(L, code);
  if (st == LUA_OK) st = lua_pcall(L, 0, 0, 0);
  msg[0] = 0;
  if (st != LUA_OK) {
    snprintf(msg, msgsize, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
    lua_pop(L, 1);
  }
  return st;
}

static size_t settle(lua_State *L) {
  lua_gc(L, LUA_GCCOLLECT);
  lua_gc(L, LUA_GCCOLLECT);
  return used;
}

int main(int argc, char **argv) {
  cu_maxstack = 1000000;  /* the runtime sets it per unit; these states are not units */
  /* nor do they run computes: the work bigint.c counts meets no limit */
  cu_current()->lim.max_instructions = cu_current()->lim.max_ms = HUGE_VAL;
  const char *script = argc > 1 ? argv[1] : "test/bigint/errors.lua";
  lua_State *L = lua_newstate(alloc, NULL);
  luaL_openlibs(L);
  luaL_requiref(L, "bigint", luaopen_bigint, 1);
  lua_pop(L, 1);
  lua_register(L, "check", l_check);
  char msg[512];

  if (luaL_dofile(L, script) != LUA_OK) {
    check(0, lua_tostring(L, -1));
    lua_pop(L, 1);
  }

  /* GC: a million temporaries, then memory is back to the baseline */
  run(L, "A = bigint(2)^300 + 12345", msg, sizeof msg);
  size_t base = settle(L);
  peak = used;
  int st = run(L, "for i = 1, 1000000 do local t = A * A + i; t = t // 3 end", msg, sizeof msg);
  check(st == LUA_OK, msg);
  size_t loop_peak = peak - base, after = settle(L);
  fprintf(stderr, "gc: baseline %zu bytes, peak +%zu during 1e6 temporaries, after +%ld\n", base,
          loop_peak, (long)after - (long)base);
  check(after <= base + 1024, "memory back to baseline after 1e6 temporaries");
  check(loop_peak < 4 * 1024 * 1024, "the collector keeps up during the loop");

  /* the cap: each case fails cleanly, and the state recovers fully */
  static const char *heavy[] = {
    "local x = bigint(3) ^ 3000000",                                 /* the result */
    "local x = bigint(3) ^ 200000; local s = tostring(x * x)",        /* scratch */
    "local t = {} for i = 1, 1e6 do t[i] = bigint(2) ^ 1000 + i end", /* many values */
    "local x = bigint(('7'):rep(300000))",                            /* parsing */
    "local x = bigint(7) ^ 1000000; local y = bigint.gcd(x, x - 1)",
    "local x = bigint(7) ^ 300000; local y = bigint.isqrt(x * x)",
  };
  base = settle(L);
  for (size_t i = 0; i < sizeof heavy / sizeof heavy[0]; i++) {
    for (size_t room = 64 * 1024; room <= 1024 * 1024; room *= 4) {
      cap = base + room;
      st = run(L, heavy[i], msg, sizeof msg);
      cap = (size_t)-1;
      char name[800];
      snprintf(name, sizeof name, "cap +%zu KiB, case %zu: status %d, \"%s\"", room / 1024, i, st, msg);
      check(st == LUA_ERRMEM && strcmp(msg, "not enough memory") == 0, name);
      size_t now = settle(L);
      snprintf(name, sizeof name, "cap case %zu: memory back to baseline (+%ld)", i, (long)now - (long)base);
      check(now <= base + 1024, name);
    }
  }
  st = run(L, "assert(tostring(bigint(2)^100) == '1267650600228229401496703205376')", msg, sizeof msg);
  check(st == LUA_OK, "the state works after running out of memory");

  lua_close(L);
  check(used == 0, "everything freed at lua_close");
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
