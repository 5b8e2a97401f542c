/*
** cu.c: the unit. It creates the Lua state inside the fixed memory and runs computes;
** the wasm exports live here (docs/abi.md). A compute is: load the code as text, call
** it under a message handler that records a traceback, then hand every result (or the
** error) to the host through codec.c. Everything that can fail runs protected, so an
** error, out-of-memory or a limit always ends as a status, never as a trap.
*/
#include <math.h>
#include <string.h>
#include "lauxlib.h"
#include "cu.h"
#include "codec.h"
#include "host.h"

#define CU_TRACEBACK_KEY "cu.traceback"
#define CU_CACHE_KEY "cu.chunks"
#define CU_CACHE_MAX 4096     /* sources up to this size keep their compiled chunk */
#define CU_KEEP_BUFFER 16384  /* a larger code buffer is given back after each load */

int cu_maxstack = 1000;  /* see cu_luauser.h; set by cu_init */

static CuUnit unit;

CuUnit *cu_current(void) {
  return &unit;
}

typedef struct Request {
  size_t code_len, name_len;
  int status;
} Request;

static int cu_panic(lua_State *L) {
  (void)L;
  __builtin_trap();  /* unreachable by design; the host marks the unit broken */
}

/* Records where an error happened, and keeps the error value itself unchanged. */
static int cu_msgh(lua_State *L) {
  luaL_traceback(L, L, NULL, 1);
  lua_setfield(L, LUA_REGISTRYINDEX, CU_TRACEBACK_KEY);
  return 1;
}

static int cu_tostring(lua_State *L) {
  luaL_tolstring(L, 1, NULL);
  return 1;
}

/* Sends [value, message, traceback] for the error at the top of the stack. */
static void cu_report(lua_State *L, Request *req) {
  int err = lua_gettop(L);
  if (lua_type(L, err) == LUA_TSTRING || lua_type(L, err) == LUA_TNUMBER) {
    lua_pushvalue(L, err);
    lua_tolstring(L, -1, NULL);  /* converts the copy; the value itself stays a number */
  }
  else if (!luaL_getmetafield(L, err, "__tostring"))
    lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, err));
  else {
    lua_pop(L, 1);
    /* __tostring may itself fail; the report must not */
    lua_pushcfunction(L, cu_tostring);
    lua_pushvalue(L, err);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK || lua_type(L, -1) != LUA_TSTRING) {
      lua_pop(L, 1);
      lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, err));
    }
  }
  if (lua_getfield(L, LUA_REGISTRYINDEX, CU_TRACEBACK_KEY) != LUA_TSTRING) {
    lua_pop(L, 1);
    lua_pushliteral(L, "");
  }
  if (unit.host_failed) req->status = CU_ERR_HOST;
  codec_emit(L, err, err + 2);
}

static int cu_status(int lua_status) {
  if (unit.lim.hit) return CU_ERR_LIMIT;
  if (unit.host_failed) return CU_ERR_HOST;
  switch (lua_status) {
    case LUA_ERRSYNTAX: return CU_ERR_SYNTAX;
    case LUA_ERRMEM: return CU_ERR_MEMORY;
    default: return CU_ERR_RUNTIME;
  }
}

/*
** Pushes the compiled chunk for the code in the buffer. Hosts often run the same small
** code again (a handler called per request), so compiled chunks are cached per chunk
** name and source, with weak values: the collector bounds the cache. A cached chunk gets
** its _ENV upvalue back (a script may have assigned it), so it runs like a fresh load.
*/
static int cu_load(lua_State *L, Request *req, int name) {
  const char *chunkname = lua_tostring(L, name);
  if (req->code_len > CU_CACHE_MAX)
    return luaL_loadbufferx(L, unit.buf, req->code_len, chunkname, "t");
  if (lua_getfield(L, LUA_REGISTRYINDEX, CU_CACHE_KEY) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, CU_CACHE_KEY);
  }
  if (lua_getfield(L, -1, chunkname) != LUA_TTABLE) {  /* name -> {source -> chunk} */
    lua_pop(L, 1);
    lua_newtable(L);
    lua_newtable(L);
    lua_pushliteral(L, "v");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, chunkname);
  }
  lua_pushlstring(L, unit.buf, req->code_len);
  if (lua_rawget(L, -2) == LUA_TFUNCTION) {
    lua_pushglobaltable(L);
    lua_setupvalue(L, -2, 1);
  }
  else {
    lua_pop(L, 1);
    int status = luaL_loadbufferx(L, unit.buf, req->code_len, chunkname, "t");
    if (status != LUA_OK) {
      lua_replace(L, name + 1);
      lua_settop(L, name + 1);
      return status;
    }
    lua_pushlstring(L, unit.buf, req->code_len);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4);
  }
  lua_replace(L, name + 1);
  lua_settop(L, name + 1);
  return LUA_OK;
}

static int cu_capture(lua_State *L) {
  closure_capture(L);
  return 0;
}

/* The protected body of a compute. Stack: 1 = the Request. */
static int cu_compute(lua_State *L) {
  Request *req = lua_touserdata(L, 1);
  lua_pushcfunction(L, cu_msgh);  /* 2 */
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, CU_TRACEBACK_KEY);
  lua_pushlstring(L, unit.buf + req->code_len, req->name_len);  /* 3: chunk name */
  int status = cu_load(L, req, 3);  /* 4: the chunk, or the error */
  if (unit.bufsize > CU_KEEP_BUFFER) {
    unit.buf = alloc_bytes(&unit, unit.buf, unit.bufsize, 0);
    unit.bufsize = 0;
  }
  if (status == LUA_OK) status = lua_pcall(L, 0, LUA_MULTRET, 2);
  if (status == LUA_OK && !unit.lim.hit) {  /* what stored functions' upvalues hold now */
    lua_pushcfunction(L, cu_capture);
    status = lua_pcall(L, 0, 0, 2);
  }
  if (unit.lim.hit) {  /* also when `return pcall(f)` swallowed it, or lstrlib raised */
    lua_pushstring(L, unit.lim.why);
    status = LUA_ERRRUN;
  }
  if (status != LUA_OK) {
    req->status = cu_status(status);
    cu_report(L, req);
    return 0;
  }
  codec_emit(L, 4, lua_gettop(L));
  return 0;
}

/* The last steps of starting a unit, protected: start (opening the libraries, or
   renewing a copy), then priming the instance (prime.c). */
static int cu_start(lua_State *L, lua_CFunction start) {
  lua_pushcfunction(L, start);
  int status = lua_pcall(L, 0, 0, 0);
  if (status == LUA_OK) {
    lua_pushcfunction(L, prime_calls);
    status = lua_pcall(L, 0, 0, 0);
  }
  lua_settop(L, 0);
  return status;
}

CU_EXPORT("init")
int cu_init(int profile, double cap) {
  if (unit.L != NULL) return CU_ERR_HOST;
#if defined(__wasm__)
  /* Lua may use the heap up to the end of the fixed memory, less room for libc's own
     allocations (dlmalloc's headers and fragmentation). */
  extern unsigned char __heap_base;
  size_t heap = __builtin_wasm_memory_size(0) * 65536 - (size_t)&__heap_base;
  if (cap <= 0) cap = (double)(heap - (heap / 16 > 65536 ? heap / 16 : 65536));
#endif
  if (!(cap > 0)) return CU_ERR_MEMORY;
  unit.mem.cap = (size_t)cap;
  unit.profile = profile;
  /* no limits while the unit starts: its allocations count as work (alloc.c) */
  unit.lim.max_instructions = unit.lim.max_ms = HUGE_VAL;
  /* Deep recursion costs a 16-byte slot and a call record (about 36 bytes) per level,
     and growing the stack briefly holds the old and new copies: at cap/128 slots the
     worst case stays under half the cap, so it ends as "stack overflow", not OOM. */
  double slots = cap / 128;
  cu_maxstack = slots > CU_MAXSTACK_CEILING ? CU_MAXSTACK_CEILING : slots < 1000 ? 1000 : (int)slots;
  lua_State *L = lua_newstate(alloc_lua, &unit);
  if (L == NULL) return CU_ERR_MEMORY;
  lua_atpanic(L, cu_panic);
  lua_setwarnf(L, libs_warnf, &unit);
  if (cu_start(L, libs_open) != LUA_OK) {
    lua_close(L);
    return CU_ERR_MEMORY;
  }
  unit.L = L;
  unit.started = host_now();
  return CU_OK;
}

/* The host copied this memory from a unit that init had just started, before anything
   else ran (js/module.js); the copy becomes a unit of its own (image.c). */
CU_EXPORT("renew")
int cu_renew(void) {
  if (unit.L == NULL) return CU_ERR_HOST;
  unit.started = host_now();
  size_t peak = unit.mem.peak;
  int status = cu_start(unit.L, image_renew);
  /* the statistics a started unit has: the rehash's brief second node arrays are not
     the script's */
  unit.mem.peak = peak;
  return status == LUA_OK ? CU_OK : CU_ERR_MEMORY;
}

clock_t cu_clock(void) {
  return (clock_t)((host_now() - unit.started) * (CLOCKS_PER_SEC / 1000.0));
}

/* [used, peak, cap, compute_peak, instructions of the last compute, the heap's
   high-water address], as doubles. eval refreshes them at its end, so a host may keep
   the pointer and read them directly. */
CU_EXPORT("get_memory_stats")
double *cu_get_memory_stats(void) {
  unit.stats[0] = (double)unit.mem.used;
  unit.stats[1] = (double)unit.mem.peak;
  unit.stats[2] = (double)unit.mem.cap;
  unit.stats[3] = (double)unit.mem.compute_peak;
  unit.stats[4] = unit.lim.last;
  unit.stats[5] = (double)unit.mem.high;
  return unit.stats;
}

static int cu_collect(lua_State *L) {
  lua_gc(L, LUA_GCCOLLECT);
  return 0;
}

/* Room for code_len + name_len bytes of code and chunk name; NULL if it does not fit. */
CU_EXPORT("buffer")
char *cu_buffer(size_t size) {
  if (unit.L == NULL) return NULL;
  if (size <= unit.bufsize) return unit.buf;
  /* On NULL the host may run_gc (garbage may hold the room, and finalizers need
     limits) and ask again. */
  char *p = alloc_bytes(&unit, unit.buf, unit.bufsize, size);
  if (p == NULL) return NULL;
  unit.buf = p;
  unit.bufsize = size;
  return p;
}

/* Runs the code in the buffer. Results (or [value, message, traceback] on error) reach
   the host through host_value; the return value is a CU_* status. */
CU_EXPORT("eval")
int cu_eval(size_t code_len, size_t name_len, double max_instructions, double max_ms) {
  lua_State *L = unit.L;
  if (L == NULL || code_len + name_len > unit.bufsize) return CU_ERR_HOST;
  Request req = {code_len, name_len, CU_OK};
  lua_settop(L, 0);
  unit.host_failed = 0;
  unit.mem.compute_peak = unit.mem.used;
  limits_begin(L, isnan(max_instructions) ? HUGE_VAL : max_instructions, max_ms);
  lua_pushcfunction(L, cu_compute);
  lua_pushlightuserdata(L, &req);
  int status = lua_pcall(L, 1, 0, 0);
  unit.lim.last = limits_instructions(L);
  if (status != LUA_OK) {
    /* The report itself failed (out of memory while converting, say): send what is
       certain, without allocating. */
    req.status = cu_status(status);
    codec_reset();
    size_t len = 0;
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : "error while reporting an error";
    if (len == 0) len = strlen(msg);
    host_value(CODEC_UTF8, 0, msg, (int32_t)len);
    host_value(CODEC_UTF8, 0, msg, (int32_t)len);
    host_value(CODEC_ASCII, 0, "", 0);
  }
  lua_settop(L, 0);
  /* A compute that ran out of memory leaves the heap full of its garbage, and Lua
     never collects in an emergency while it grows a stack (gcstopem in ldo.c): the
     next compute could report OOM where it should say "stack overflow". */
  if (req.status == CU_ERR_MEMORY) {
    lua_pushcfunction(L, cu_collect);
    lua_pcall(L, 0, 0, 0);
    lua_settop(L, 0);
  }
  cu_get_memory_stats();
  return req.status;
}

/* Makes every later compute check the host's interrupt flag (and so keep the count hook
   even without limits). */
CU_EXPORT("set_interruptible")
void cu_set_interruptible(int on) {
  unit.lim.interruptible = on;
}

/* Runs f protected between computes, under the given limits (it may allocate, and so
   run finalizers); returns its status. */
static int cu_between(lua_CFunction f, double max_instructions, double max_ms) {
  lua_State *L = unit.L;
  lua_settop(L, 0);
  limits_begin(L, max_instructions, max_ms);
  lua_pushcfunction(L, f);
  int status = lua_pcall(L, 0, 0, 0);
  lua_settop(L, 0);
  return status;
}

static int cu_revert_body(lua_State *L) {
  closure_revert(L);
  return 0;
}

/* After a compute that failed, once the host has undone its writes: stored functions'
   upvalues go back to what the host holds (closure_revert). If that cannot finish, the
   functions are forgotten instead (closure_forget) and restored from the host on their
   next use. */
CU_EXPORT("revert")
void cu_revert(double max_instructions, double max_ms) {
  if (unit.L != NULL && cu_between(cu_revert_body, max_instructions, max_ms) != LUA_OK) closure_forget(unit.L);
}

/* A full collection, with finalizers under the given limits; returns the bytes Lua
   holds afterwards. */
CU_EXPORT("run_gc")
double cu_run_gc(double max_instructions, double max_ms) {
  if (unit.L == NULL) return 0;
  cu_between(cu_collect, max_instructions, max_ms);
  return (double)unit.mem.used;
}
