/*
** limits.c: the instruction budget and the wall-clock deadline of a compute, checked in
** C by a count hook, so enforcing them costs no call into the host per instruction.
** The hook is set on the main thread and every coroutine inherits it when created.
** Once a limit is hit the hook fires on every instruction, so a script cannot catch
** the error with pcall and carry on: the compute unwinds all the way out.
*/
#include <math.h>
#include "lauxlib.h"
#include "lstate.h"  /* L->hookcount: how far into the current period we are */
#include "cu.h"
#include "host.h"

#define LIMITS_PERIOD 1000  /* instructions between two checks */

static void limits_hook(lua_State *L, lua_Debug *ar) {
  CuLimits *lim = &cu_unit(L)->lim;
  int period = lua_gethookcount(L);
  (void)ar;
  lim->counted += period;
  if (!lim->hit) {
    if (lim->counted > lim->max_instructions)
      lim->why = "instruction limit exceeded";
    else if (host_now() > lim->deadline)
      lim->why = "time limit exceeded";
    else {
      /* a coroutine that hit a limit in an earlier compute still checks every instruction */
      if (period != LIMITS_PERIOD) lua_sethook(L, limits_hook, LUA_MASKCOUNT, LIMITS_PERIOD);
      return;
    }
    lim->hit = 1;
  }
  lua_sethook(L, limits_hook, LUA_MASKCOUNT, 1);
  luaL_error(L, "%s", lim->why);
}

void limits_begin(lua_State *L, double max_instructions, double max_ms) {
  CuLimits *lim = &cu_unit(L)->lim;
  lim->counted = 0;
  lim->hit = 0;
  lim->why = NULL;
  lim->max_instructions = max_instructions;
  lim->deadline = isfinite(max_ms) ? host_now() + max_ms : HUGE_VAL;
  lua_sethook(L, limits_hook, LUA_MASKCOUNT, LIMITS_PERIOD);  /* also restarts the period */
}

double limits_instructions(lua_State *L) {
  return cu_unit(L)->lim.counted + (lua_gethookcount(L) - L->hookcount);
}
