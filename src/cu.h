/*
** cu.h: the unit's state and the internal interface between the runtime's modules.
** One wasm instance is one unit, and all of its state lives in one CuUnit.
*/
#ifndef cu_h
#define cu_h

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "lua.h"
#include "cu_limits.h"

/* Library profiles (init's argument). */
#define CU_PROFILE_SANDBOX 0
#define CU_PROFILE_FULL    1

/* Compute status, returned by eval: how it ended. */
#define CU_OK          0
#define CU_ERR_RUNTIME 1
#define CU_ERR_SYNTAX  2
#define CU_ERR_MEMORY  3
#define CU_ERR_LIMIT   4
#define CU_ERR_HOST    5

typedef struct CuMemory {
  size_t used;          /* bytes Lua holds now */
  size_t peak;          /* most bytes ever held */
  size_t compute_peak;  /* most bytes held during the current compute */
  size_t cap;           /* Lua allocations fail beyond this */
  size_t high;          /* end of the highest block ever handed out: the host clears
                           no further than this when it reuses the memory */
} CuMemory;

typedef struct CuLimits {
  double max_instructions;  /* budget for this compute; HUGE_VAL for none */
  double max_ms;            /* time limit of this compute; HUGE_VAL for none */
  double deadline;          /* host_now() value after which the compute fails; NAN until the first check */
  double counted;           /* instructions counted so far in this compute */
  double work;              /* steps of C work (pattern matching) not yet counted */
  int hit;                  /* the limit was exceeded: keep failing until the end */
  const char *why;          /* which limit, for the message */
  double last;              /* instructions the last compute ran */
  int interruptible;        /* check host_interrupted (set by the export of that name) */
} CuLimits;

typedef struct CuWarn {
  int on;    /* "@on" was given */
  int cont;  /* the next piece continues a message */
  int show;  /* the message being written is delivered */
} CuWarn;

/* A value the host hands to Lua (ext.c); two of them carry a key and its value. */
typedef struct ExtSlot {
  int32_t tag;            /* CODEC_* */
  int32_t len;            /* string length */
  double num;             /* number, table id, or ticket of a long string */
  unsigned char data[48]; /* a short string, or an INT64's 8 bytes */
} ExtSlot;

typedef struct CuUnit {
  lua_State *L;
  int profile;
  int host_failed;  /* a host import reported a failure during this compute */
  CuMemory mem;
  CuLimits lim;
  CuWarn warn;
  char *buf;        /* where the host writes code; grown on demand */
  size_t bufsize;
  double stats[6];  /* filled by get_memory_stats for the host to read */
  ExtSlot ext_slots[2];
  unsigned ext_proxies_made;  /* for pacing the collector (ext.c) */
  int ext_ids_ref, ext_proxies_ref;  /* registry references of ext.c's two caches */
  unsigned closure_captures;  /* successful computes, for pruning closure.c's tables */
  double started;   /* host_now() when the unit started or was renewed: os.clock's zero */
} CuUnit;

/* The unit behind any lua_State, kept as the allocator's userdata. */
CuUnit *cu_unit(lua_State *L);
/* The instance's unit, for code that has no lua_State at hand. */
CuUnit *cu_current(void);

/* cu.c: os.clock's clock (loslib.c's clock() is renamed to it): the time since the unit
   started, which is what a process's CPU clock would show a script that never waits. */
clock_t cu_clock(void);

/* image.c: gives a unit copied from another's image its own seeds (run protected). */
int image_renew(lua_State *L);

/* prime.c: shows the engine that the interpreter's tail call of C functions reaches
   many functions (run protected, by init and renew). */
int prime_calls(lua_State *L);

/* alloc.c: the capped allocator. */
void *alloc_lua(void *ud, void *ptr, size_t osize, size_t nsize);
void *alloc_bytes(CuUnit *u, void *ptr, size_t osize, size_t nsize);

/* limits.c: instruction budget and deadline, checked in a count hook (limits_watch is
   declared in cu_luauser.h, for lua_resume). */
void limits_begin(lua_State *L, double max_instructions, double max_ms);
double limits_instructions(lua_State *L);
int limits_geti(lua_State *L, int idx, lua_Integer i);

/* match.c: string.find, match, gmatch and gsub, with their work counted. lstrlib.c's
   table holds them (lstrlib_cu.h). */
int match_find(lua_State *L);
int match_match(lua_State *L);
int match_gmatch(lua_State *L);
int match_gsub(lua_State *L);

/* ext.c: external tables. */
int ext_open(lua_State *L);
void ext_push_slot_value(lua_State *L, int which);
void ext_fail(lua_State *L, int32_t status);
int ext_set_value(lua_State *L, double id, int i, int v);
void ext_get_value(lua_State *L, double id, int i);
ExtSlot *ext_slots(void);

/* closure.c: storing and restoring Lua functions. */
const char *closure_cname(lua_State *L, int idx, size_t *len);
double closure_id(lua_State *L, int idx);
double closure_cell(lua_State *L, int f, int i);
const char *closure_dump(lua_State *L, int idx, size_t *len);
void closure_push(lua_State *L, double id);
void closure_push_cfunction(lua_State *L, const char *name, size_t len);
void closure_bind(lua_State *L, int idx, double id);
void closure_capture(lua_State *L);
void closure_revert(lua_State *L);
int closure_upvalue(lua_State *L, int f, int i);
void closure_forget(lua_State *L);
int closure_open(lua_State *L);

/* libs.c: the library profiles, print, warn and string.rep. */
int libs_open(lua_State *L);
int libs_rep(lua_State *L);
void libs_warnf(void *ud, const char *msg, int tocont);

/* codec.c: hands Lua values to the host. */
void codec_emit(lua_State *L, int first, int last);
void codec_store(lua_State *L, int idx);
void codec_reset(void);
int codec_utf8(const char *s, size_t len);

#endif
