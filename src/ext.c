/*
** ext.c: external tables. The data of _home, _io, ext.table() and every table nested in
** them lives on the host (js/ext.js); Lua holds proxies. A proxy is an empty table with
** a protected metatable whose metamethods call the host, so type() is "table" and
** indexing, assignment, #, pairs, ipairs and the table library all work. Its id sits in
** a weak side table, so rawget and next see an empty table (docs/ext.md says so).
**
** Values cross in slots (ExtSlot, in the unit's state): a tag, a number and up to 48
** bytes inline; a longer string is fetched by ticket into a Lua buffer of its size. A
** plain Lua table assigned to a proxy is copied by codec.c's walk, in store mode.
** Reading the same external table twice gives the same proxy (a weak id -> proxy cache),
** and a live proxy keeps its table alive on the host (retain on creation, release in
** __gc).
*/
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include "lauxlib.h"
#include "bigint.h"
#include "cu.h"
#include "codec.h"
#include "host.h"

#define EXT_META "cu.ext"        /* registry: the proxies' metatable */
#define EXT_ITER "cu.ext.iter"   /* registry: metatable of pairs iterators */

/* The upvalue of every metamethod and ext function (the table is also in the registry, by
   reference, for code that runs outside them: closure.c's capture). The id -> proxy
   cache is reached through the registry only (ext_push_proxy). */
#define EXT_IDS     lua_upvalueindex(1)   /* proxy -> id, weak keys */

/* Pushes the ids table and gives its index. */
static int EXT_IDS_SLOT(lua_State *L) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, cu_unit(L)->ext_ids_ref);
  return lua_gettop(L);
}

/* A key or value as the host imports take it. */
typedef struct ExtArg {
  int32_t tag;
  double num;
  const void *p;
  int32_t len;
  lua_Integer i;  /* storage for an INT64 */
} ExtArg;

/* Raises an error located at the Lua code that used the table. */
static int ext_error(lua_State *L, const char *fmt, ...) {
  va_list argp;
  va_start(argp, fmt);
  luaL_where(L, 1);  /* level 1: the caller of this C function */
  lua_pushvfstring(L, fmt, argp);
  va_end(argp);
  lua_concat(L, 2);
  return lua_error(L);
}

static double ext_id(lua_State *L, int idx) {
  lua_pushvalue(L, idx);
  lua_rawget(L, EXT_IDS);
  double id = lua_tonumber(L, -1);
  lua_pop(L, 1);
  if (id == 0) ext_error(L, "not an external table");
  return id;
}

static void ext_integer(ExtArg *a, lua_Integer i) {
  if (i >= -((lua_Integer)1 << 53) && i <= ((lua_Integer)1 << 53)) {
    a->tag = CODEC_INT;
    a->num = (double)i;
  }
  else {
    a->tag = CODEC_INT64;
    a->i = i;
    a->p = &a->i;
    a->len = 8;
  }
}

/* The key at idx, as Lua would use it in a table: 2.0 is 2. Returns a message when the
   value cannot be a key of an external table, NULL when it can. */
static const char *ext_key(lua_State *L, int idx, ExtArg *k) {
  memset(k, 0, sizeof *k);
  switch (lua_type(L, idx)) {
    case LUA_TNUMBER: {
      lua_Integer i;
      if (lua_isinteger(L, idx)) ext_integer(k, lua_tointeger(L, idx));
      else {
        lua_Number f = lua_tonumber(L, idx);
        if (f != f) return "table index is NaN";
        if (lua_numbertointeger(f, &i) && (lua_Number)i == f) ext_integer(k, i);
        else { k->tag = CODEC_FLOAT; k->num = f; }
      }
      return NULL;
    }
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, idx, &len);
      static const int tags[] = {CODEC_BYTES, CODEC_ASCII, CODEC_UTF8};
      k->tag = tags[codec_utf8(s, len)];
      k->p = s;
      k->len = (int32_t)len;
      return NULL;
    }
    case LUA_TBOOLEAN:
      k->tag = lua_toboolean(L, idx) ? CODEC_TRUE : CODEC_FALSE;
      return NULL;
    case LUA_TNIL: return "table index is nil";
    default: return "external tables take only string, number and boolean keys";
  }
}

/* Raises the error for a failed import (a store failure is reported by the host). */
void ext_fail(lua_State *L, int32_t status) {
  if (status == CODEC_READONLY) ext_error(L, "this table is read-only (input given by the host)");
  if (status == CODEC_STALE)
    ext_error(L, "this external table no longer exists (it was made by a compute that was rolled back, or its input was replaced)");
  cu_unit(L)->host_failed = 1;
  ext_error(L, "the host failed to access an external table");
}

/* GC work charged per batch of new proxies (see ext_push_proxy). */
#define EXT_PACE_EVERY 64
#define EXT_PACE_KB 16

/*
** The proxy for id: the cached one, or a new one that keeps the host's table alive.
** Loops over input make a proxy per element, short-lived, with a finalizer and entries
** in two weak tables. With Lua's default pacing the weak tables' dead entries count as
** live memory, so each cycle starts later than the last and memory grows without bound
** (measured: 2 MiB exhausted after about 20,000 proxies). Charging a little extra GC
** work per batch of proxies keeps it flat (about 45 KB) and costs nothing elsewhere.
*/
static void ext_push_proxy(lua_State *L, double id) {
  CuUnit *u = cu_unit(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, u->ext_proxies_ref);
  if (lua_rawgeti(L, -1, (lua_Integer)id) == LUA_TTABLE) {
    lua_remove(L, -2);
    return;
  }
  lua_pop(L, 1);
  int proxies = lua_gettop(L);
  if (++u->ext_proxies_made % EXT_PACE_EVERY == 0) lua_gc(L, LUA_GCSTEP, EXT_PACE_KB);
  lua_createtable(L, 0, 0);
  luaL_setmetatable(L, EXT_META);
  lua_rawgeti(L, LUA_REGISTRYINDEX, u->ext_ids_ref);
  lua_pushvalue(L, -2);
  lua_pushnumber(L, id);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  lua_pushvalue(L, -1);
  lua_rawseti(L, proxies, (lua_Integer)id);
  lua_remove(L, proxies);
  host_ext_retain(id);
}

/* Pushes the value the host left in a slot. The slot is copied first: allocating may run
   a finalizer that uses the slots again. */
void ext_push_slot_value(lua_State *L, int which) {
  ExtSlot s = cu_unit(L)->ext_slots[which];
  switch (s.tag) {
    case CODEC_NIL: lua_pushnil(L); break;
    case CODEC_FALSE: lua_pushboolean(L, 0); break;
    case CODEC_TRUE: lua_pushboolean(L, 1); break;
    case CODEC_INT: lua_pushinteger(L, (lua_Integer)s.num); break;
    case CODEC_INT64: {
      lua_Integer i;
      memcpy(&i, s.data, 8);
      lua_pushinteger(L, i);
      break;
    }
    case CODEC_FLOAT: lua_pushnumber(L, s.num); break;
    case CODEC_ASCII: case CODEC_UTF8: case CODEC_BYTES: lua_pushlstring(L, (const char *)s.data, (size_t)s.len); break;
    case CODEC_LONG: {
      luaL_Buffer b;
      char *p = luaL_buffinitsize(L, &b, (size_t)s.len);
      host_ext_read(s.num, p);
      luaL_pushresultsize(&b, (size_t)s.len);
      break;
    }
    case CODEC_BIGINT: {
      luaL_Buffer b;
      char *p = luaL_buffinitsize(L, &b, (size_t)s.len);
      host_ext_read(s.num, p);
      big_pushfromhex(L, p, (size_t)s.len);
      lua_remove(L, -2);  /* the buffer's box */
      break;
    }
    case CODEC_EXTREF: ext_push_proxy(L, s.num); break;
    case CODEC_LFUNC: closure_push(L, s.num); break;
    case CODEC_CFUNC: closure_push_cfunction(L, (const char *)s.data, (size_t)s.len); break;
    default: ext_fail(L, s.tag);
  }
}

static int ext_index(lua_State *L) {
  double id = ext_id(L, 1);
  ExtArg k;
  if (ext_key(L, 2, &k) != NULL) return 0;  /* t[nil], t[{}]: nil, as for a table */
  int32_t tag;
  HOST_CALL(tag, host_ext_get(id, k.tag, k.num, k.p, k.len), CODEC_MISS, -1);
  if (CODEC_FAILED(tag)) ext_fail(L, tag);  /* negative: the host's side failed */
  ext_push_slot_value(L, 0);
  return 1;
}

static void ext_describe_key(lua_State *L, int idx) {
  if (lua_type(L, idx) == LUA_TSTRING) lua_pushfstring(L, "\"%s\"", lua_tostring(L, idx));
  else luaL_tolstring(L, idx, NULL);
}

static int ext_store(lua_State *L) {
  codec_store(L, 1);
  return 0;
}

/*
** t[key] = the value at v, for table id; kidx is where the key is, for messages (0: the
** key is an upvalue number). Returns 1 if the value was a plain table, stored as a new
** external table (the caller may want a proxy for it instead).
*/
static int ext_assign(lua_State *L, double id, ExtArg *k, int kidx, int v) {
  ExtArg val;
  int built = 0;
  memset(&val, 0, sizeof val);
  switch (lua_type(L, v)) {
    case LUA_TNIL: {
      int32_t status;
      HOST_CALL(status, host_ext_delete(id, k->tag, k->num, k->p, k->len), CODEC_MISS, -1);
      if (status != 0) ext_fail(L, status);
      return 0;
    }
    case LUA_TBOOLEAN: case LUA_TNUMBER: case LUA_TSTRING:
      ext_key(L, v, &val);  /* the same encoding, except that NaN is a fine value */
      if (lua_type(L, v) == LUA_TNUMBER && !lua_isinteger(L, v)) {
        val.tag = CODEC_FLOAT;  /* values keep their subtype: 2.0 stays a float */
        val.num = lua_tonumber(L, v);
      }
      break;
    case LUA_TTABLE:
      lua_pushvalue(L, v);
      lua_rawget(L, EXT_IDS_SLOT(L));
      if (lua_isnumber(L, -1)) {  /* another external table: a reference */
        val.tag = CODEC_EXTREF;
        val.num = lua_tonumber(L, -1);
        lua_pop(L, 2);
        break;
      }
      lua_pop(L, 2);
      built = 1;  /* a plain table is copied, with its cycles and shared parts */
      /* fall through */
    case LUA_TFUNCTION:
      if (!built && closure_id(L, v) > 0) {  /* stored or restored before: by reference */
        val.tag = CODEC_FNREF;
        val.num = closure_id(L, v);
        break;
      }
      host_ext_build(1);
      lua_pushcfunction(L, ext_store);
      lua_pushvalue(L, v);
      if (lua_pcall(L, 1, 0, 0) != LUA_OK) {  /* e.g. a coroutine inside it */
        host_ext_build(0);
        if (kidx) ext_describe_key(L, kidx);
        else lua_pushfstring(L, "upvalue %d", (int)k->num);
        return ext_error(L, "%s (key %s)", lua_tostring(L, -2), lua_tostring(L, -1));
      }
      val.tag = CODEC_BUILT;
      break;
    default:
      if (big_is(L, v)) {
        big_pushhex(L, v);
        size_t len;
        val.p = lua_tolstring(L, -1, &len);
        val.len = (int32_t)len;
        val.tag = CODEC_BIGINT;
        break;
      }
      if (kidx) ext_describe_key(L, kidx);
      else lua_pushfstring(L, "upvalue %d", (int)k->num);
      return ext_error(L, "external tables cannot hold a %s (key %s)", luaL_typename(L, v), lua_tostring(L, -1));
  }
  int32_t status;  /* a miss comes before the host takes a BUILT value, so asking again is safe */
  HOST_CALL(status, host_ext_set(id, k->tag, k->num, k->p, k->len, val.tag, val.num, val.p, val.len), CODEC_MISS, -2);
  if (status == -2 && val.tag == CODEC_BUILT) host_ext_build(0);  /* a wait failed: never taken */
  if (status != 0) ext_fail(L, status);
  return built;
}

static int ext_newindex(lua_State *L) {
  double id = ext_id(L, 1);
  ExtArg k;
  const char *bad = ext_key(L, 2, &k);
  if (bad) return ext_error(L, "%s", bad);
  ext_assign(L, id, &k, 2, 3);
  return 0;
}

/* Upvalue i of stored function id = the value at v (closure.c). 1 if it was a plain table
   (now an external table: ext_get_value gives its proxy). A stale id is skipped. */
int ext_set_value(lua_State *L, double id, int i, int v) {
  ExtArg k;
  memset(&k, 0, sizeof k);
  k.tag = CODEC_INT;
  k.num = i;
  return ext_assign(L, id, &k, 0, v);
}

void ext_get_value(lua_State *L, double id, int i) {
  int32_t tag;
  HOST_CALL(tag, host_ext_get(id, CODEC_INT, i, NULL, 0), CODEC_MISS, -1);
  if (CODEC_FAILED(tag)) ext_fail(L, tag);
  ext_push_slot_value(L, 0);
}

static int ext_len(lua_State *L) {
  double id = ext_id(L, 1), n;
  HOST_CALL(n, host_ext_size(id), HOST_MISS_NUM, -2);
  if (n < 0) ext_fail(L, n == -1 ? CODEC_STALE : -1);
  lua_pushinteger(L, (lua_Integer)n);
  return 1;
}

/* The iterator pairs returns: like every function here it has the ids as upvalue 1;
   upvalue 2 holds the host's iterator. */
static int ext_next(lua_State *L) {
  double *iter = luaL_checkudata(L, lua_upvalueindex(2), EXT_ITER);
  int32_t more = *iter == 0 ? 0 : host_ext_next(*iter);
  if (more < 0) ext_fail(L, more);
  if (more == 0) {
    if (*iter != 0) host_ext_iter_release(*iter);
    *iter = 0;
    return 0;
  }
  ext_push_slot_value(L, 0);
  ext_push_slot_value(L, 1);
  return 2;
}

static int ext_iter_gc(lua_State *L) {
  double *iter = lua_touserdata(L, 1);
  if (*iter != 0) host_ext_iter_release(*iter);
  *iter = 0;
  return 0;
}

static int ext_pairs(lua_State *L) {
  double id = ext_id(L, 1);
  lua_pushvalue(L, EXT_IDS);
  double *iter = lua_newuserdatauv(L, sizeof(double), 0);
  *iter = 0;
  luaL_setmetatable(L, EXT_ITER);
  HOST_CALL(*iter, host_ext_keys(id), HOST_MISS_NUM, -2);
  if (*iter < 0) {
    int32_t why = *iter == -1 ? CODEC_STALE : -1;
    *iter = 0;
    ext_fail(L, why);
  }
  lua_pushcclosure(L, ext_next, 2);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

static int ext_gc(lua_State *L) {
  lua_pushvalue(L, 1);
  if (lua_rawget(L, EXT_IDS) == LUA_TNUMBER) host_ext_release(lua_tonumber(L, -1));
  return 0;
}

static int ext_tostring(lua_State *L) {
  lua_pushfstring(L, "external table: %p", lua_topointer(L, 1));
  return 1;
}

static int ext_new(lua_State *L) {
  ext_push_proxy(L, host_ext_new());
  return 1;
}

/* ext.bytes(view): the bytes of a Uint8Array (or any typed array) given as input. */
static int ext_bytes(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  int32_t tag = host_ext_bytes(ext_id(L, 1));
  if (CODEC_FAILED(tag)) ext_fail(L, tag);
  if (tag == CODEC_NIL) return luaL_argerror(L, 1, "not a typed array");
  ext_push_slot_value(L, 0);
  return 1;
}

/* ext.isexternal(v): whether v is an external table. */
static int ext_isexternal(lua_State *L) {
  lua_pushvalue(L, 1);
  lua_rawget(L, EXT_IDS);
  lua_pushboolean(L, lua_isnumber(L, -1));
  return 1;
}

/* Where the host writes the values it hands to Lua. */
CU_EXPORT("ext_slots")
ExtSlot *ext_slots(void) {
  return cu_current()->ext_slots;
}

/* The root tables: _home is id 1 and _io is id 2 on the host. */
static int ext_root(lua_State *L) {
  ext_push_proxy(L, (double)luaL_checkinteger(L, 1));
  return 1;
}

static void ext_weak_table(lua_State *L, const char *mode) {
  lua_newtable(L);
  lua_createtable(L, 0, 1);
  lua_pushstring(L, mode);
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
}

int ext_open(lua_State *L) {
  static const luaL_Reg meta[] = {
    {"__index", ext_index}, {"__newindex", ext_newindex}, {"__len", ext_len},
    {"__pairs", ext_pairs}, {"__gc", ext_gc}, {"__tostring", ext_tostring}, {NULL, NULL}
  };
  static const luaL_Reg lib[] = {
    {"table", ext_new}, {"bytes", ext_bytes}, {"isexternal", ext_isexternal}, {NULL, NULL}
  };
  static const char *const roots[] = {"_home", "_io"};
  luaL_newmetatable(L, EXT_ITER);
  lua_pushcfunction(L, ext_iter_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  luaL_newmetatable(L, EXT_META);        /* 1: the proxies' metatable */
  ext_weak_table(L, "k");                /* 2: ids, proxy -> id */
  ext_weak_table(L, "v");                /* 3: proxies, id -> proxy */
  int mt = lua_gettop(L) - 2;
  lua_pushvalue(L, mt + 1);
  cu_unit(L)->ext_ids_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, mt + 2);
  cu_unit(L)->ext_proxies_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, mt);                  /* luaL_setfuncs fills the table below the upvalue */
  lua_pushvalue(L, mt + 1);
  luaL_setfuncs(L, meta, 1);
  lua_pop(L, 1);
  lua_pushliteral(L, "external table");  /* getmetatable shows this; setmetatable refuses */
  lua_setfield(L, mt, "__metatable");
  luaL_newlibtable(L, lib);
  lua_pushvalue(L, mt + 1);
  luaL_setfuncs(L, lib, 1);
  lua_setglobal(L, "ext");
  for (int i = 0; i < 2; i++) {
    lua_pushvalue(L, mt + 1);
    lua_pushcclosure(L, ext_root, 1);
    lua_pushinteger(L, i + 1);
    lua_call(L, 1, 1);
    lua_setglobal(L, roots[i]);
  }
  lua_settop(L, mt - 1);
  return 0;
}
