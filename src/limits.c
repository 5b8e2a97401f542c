/*
** limits.c: the instruction budget and the wall-clock deadline of a compute, checked in
** C by a count hook, so enforcing them costs no call into the host per instruction.
** The hook is set on the main thread and every coroutine inherits it when created.
** Once a limit is hit the hook fires on every instruction, so a script cannot catch
** the error with pcall and carry on: the compute unwinds all the way out.
**
** Lua switches hooks off in two places a script controls: inside a hook (so a message
** handler called for the hook's own error would run unchecked) and while finalizers run
** (so `__gc = function() while true do end end` would never be stopped). Both are
** switched back on here; see limits_hook and limits_gc_pcall.
**
** The pattern matcher can spend unbounded time in C with no instruction to hook, e.g.
** string.find with ".-.-.-.-b$" on a long string. match.c counts its work through
** limits_room (cu_limits.h) against the same limits, as do bigint.c, the allocator, and
** the stock libraries' loops and work on data counted below.
**
** The hook costs more than its own calls: with any hook set, Lua's interpreter calls
** luaG_traceexec before every instruction. lvm.c is compiled with an inline counter in
** its place (limits_vm.h), so the per-instruction cost is one decrement.
*/
#include <math.h>
#include <string.h>
#include "lauxlib.h"
#include "lstate.h"  /* L->hookcount and L->allowhook */
#include "ldo.h"
#include "ldebug.h"
#include "lstring.h"
#include "cu.h"
#include "host.h"

#define LIMITS_PERIOD 1000  /* instructions between two checks */

/* Whether the deadline has passed. The clock is first read at the first check (after
   1,000 instructions), not when the compute starts: a compute that ends sooner never
   pays for reading it, and the limit moves by microseconds at most. */
static int limits_late(CuLimits *lim) {
  if (!isfinite(lim->max_ms)) return 0;
  double now = host_now();
  if (isnan(lim->deadline)) lim->deadline = now + lim->max_ms;
  return now > lim->deadline;
}

/* The error of the limit that was hit: raised by the hook, and by C code that counts
   its own work (match.c). */
int limits_raise(lua_State *L) {
  return luaL_error(L, "%s", cu_unit(L)->lim.why);
}

/* Whether a limit is exceeded; the first time one is, records which for the message.
   The hook and C code's counter both ask here. */
static int limits_exceeded(CuLimits *lim) {
  if (lim->hit) return 1;
  if (lim->counted > lim->max_instructions) lim->why = "instruction limit exceeded";
  else if (limits_late(lim)) lim->why = "time limit exceeded";
  else if (lim->interruptible && host_interrupted()) lim->why = "interrupted by the host";
  else return 0;
  lim->hit = 1;
  return 1;
}

static void limits_hook(lua_State *L, lua_Debug *ar) {
  CuLimits *lim = &cu_unit(L)->lim;
  int period = lua_gethookcount(L);
  (void)ar;
  lim->counted += period;
  if (!limits_exceeded(lim)) {
    /* a coroutine that hit a limit in an earlier compute still checks every instruction */
    if (period != LIMITS_PERIOD) lua_sethook(L, limits_hook, LUA_MASKCOUNT, LIMITS_PERIOD);
    return;
  }
  lua_sethook(L, limits_hook, LUA_MASKCOUNT, 1);
  L->allowhook = 1;  /* an xpcall handler run for this error must stay limited too */
  limits_raise(L);
}

/* lvm.c's inline counter (limits_vm.h) calls this when the hook is due. */
int limits_traceexec_slow(lua_State *L, const Instruction *pc) {
  return luaG_traceexec(L, pc);
}

/* lgc.c calls this instead of luaD_pcall (the Makefile renames it there; it is only
   used to run finalizers), so the limits also hold inside __gc metamethods. */
int limits_gc_pcall(lua_State *L, Pfunc func, void *u, ptrdiff_t oldtop, ptrdiff_t ef) {
  L->allowhook = 1;
  return luaD_pcall(L, func, u, oldtop, ef);
}

/* Counts work done in C; true once a limit is exceeded. */
static int limits_work(CuLimits *lim, double units) {
  lim->work += units;
  if (lim->work < LIMITS_PERIOD) return lim->hit;
  lim->counted += lim->work;
  lim->work = 0;
  return limits_exceeded(lim);
}

/* Makes every thread's hook fire at its next instruction, which then raises the limit's
   error. C code that finds a limit exceeded where it cannot raise (the allocator, a
   string comparison) does not know which thread runs: without this, up to a period of
   instructions, each able to copy or compare the whole memory, would run first. Lua
   keeps every thread but the main one in allgc. */
static void limits_due(lua_State *L) {
  global_State *g = G(L);
  g->mainthread->hookcount = 1;
  for (GCObject *o = g->allgc; o != NULL; o = o->next)
    if (o->tt == LUA_VTHREAD) gco2th(o)->hookcount = 1;
}

int limits_room = LIMITS_PERIOD;

/* Called when limits_room runs out (cu_limits.h): counts the steps taken since the room
   was filled, at once. Once a limit is hit the room stays empty, so every later step
   fails too. */
int limits_step_slow(void) {
  CuUnit *u = cu_current();
  int was = u->lim.hit;
  int hit = limits_work(&u->lim, (double)LIMITS_PERIOD - limits_room);
  limits_room = hit ? 0 : LIMITS_PERIOD;
  if (hit && !was && u->L != NULL) limits_due(u->L);
  return hit;
}

/* Makes thread co's hook match the running compute's (limits_begin): set while there are
   limits, removed while there are none. Called before a coroutine is resumed, because a
   coroutine keeps the hook it was created with, from whichever compute that was. */
void limits_watch(lua_State *L, lua_State *co) {
  int limited = lua_gethook(L) == limits_hook;
  if (limited && (lua_gethook(co) != limits_hook || lua_gethookcount(co) != lua_gethookcount(L)))
    lua_sethook(co, limits_hook, LUA_MASKCOUNT, lua_gethookcount(L));
  else if (!limited && lua_gethook(co) == limits_hook)
    lua_sethook(co, NULL, 0, 0);
}

void limits_begin(lua_State *L, double max_instructions, double max_ms) {
  CuLimits *lim = &cu_unit(L)->lim;
  lim->counted = 0;
  lim->work = 0;
  lim->hit = 0;
  lim->why = NULL;
  lim->max_instructions = max_instructions;
  lim->max_ms = max_ms;
  lim->deadline = NAN;  /* set at the first check, see limits_late */
  limits_room = LIMITS_PERIOD;
  /* No limits, no hook: a hook of any kind keeps Lua's interpreter in its slow mode. An
     interruptible unit (a worker's) keeps it, to look at the interrupt flag. */
  if (isfinite(max_instructions) || isfinite(max_ms) || lim->interruptible)
    lua_sethook(L, limits_hook, LUA_MASKCOUNT, LIMITS_PERIOD);  /* also restarts the period */
  else
    lua_sethook(L, NULL, 0, 0);
}

/* lvm.c's and ltable.c's comparison of two long strings (the Makefile renames it there):
   a memcmp of up to the whole memory, with no allocation, behind one `==` or one table
   lookup. L is not at hand (the VM compares constants without it), so it only spends. */
int limits_eqlngstr(TString *a, TString *b) {
  if (a != b && a->u.lnglen == b->u.lnglen) limits_spend_bytes(a->u.lnglen, LIMITS_COMPARE_BYTES);
  return luaS_eqlngstr(a, b);
}

/* lvm.c's ordering of two strings compares them a segment at a time with strcoll. */
int limits_strcoll(const char *a, const char *b) {
  limits_spend_bytes(strlen(a), LIMITS_COMPARE_BYTES);
  return strcoll(a, b);
}

/* utf8.len (lutf8lib_cu.h): counted after the call, a step per character, by its
   result, the count or the position of the first invalid byte. */
int limits_utf8_len(lua_State *L, lua_CFunction len) {
  int results = len(L);
  limits_charge_bytes(L, (size_t)lua_tointeger(L, -1), 1);
  return results;
}

/* utf8.offset (lutf8lib_cu.h): counted after the call, a step per byte between where it
   started and where it stopped. Not by its n: skipping continuation bytes, one move can
   walk the whole string. The arguments are valid if the call returns. */
int limits_utf8_offset(lua_State *L, lua_CFunction offset) {
  size_t len = 0;
  lua_Integer n = lua_tointeger(L, 2);
  lua_tolstring(L, 1, &len);
  lua_Integer from = lua_isnoneornil(L, 3) ? (n >= 0 ? 1 : (lua_Integer)len + 1) : lua_tointeger(L, 3);
  int results = offset(L);
  if (from < 0) from += (lua_Integer)len + 1;
  lua_Integer to = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : n >= 0 ? (lua_Integer)len + 1 : 0;
  limits_charge_bytes(L, (size_t)(to > from ? to - from : from - to), 1);
  return results;
}

/* ltablib.c's lua_geti (the Makefile renames its calls): a step each, so that the table
   library's loops in C count against the limits: move, insert's and remove's shifts,
   sort, concat and unpack. Nothing else bounded table.move({}, 1, 1e14, 2), which
   copies nils for days in no memory at all, or table.insert(t, 1, v) under a __len
   that claims 1e14 elements. */
int limits_geti(lua_State *L, int idx, lua_Integer i) {
  limits_charge(L, 1);
  return lua_geti(L, idx, i);
}

double limits_instructions(lua_State *L) {
  if (lua_gethook(L) == NULL) return NAN;  /* not counted without limits */
  const CuLimits *lim = &cu_unit(L)->lim;
  double steps = lim->work + (limits_room >= 0 ? LIMITS_PERIOD - limits_room : 0);  /* not yet in counted */
  return lim->counted + steps + (lua_gethookcount(L) - L->hookcount);
}
