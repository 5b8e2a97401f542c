/*
** codec.c: converts Lua values for the host, step by step through host_value, without
** an intermediate buffer. Tables are walked iteratively, keeping the walk's frames in a
** Lua table on the heap, so nesting is bounded by the unit's memory alone, not by the C
** stack or the Lua stack limit. A table met twice (shared or cyclic) is sent once and then referred
** to by its index, so the host can rebuild the same graph.
*/
#include <stdint.h>
#include <string.h>
#include "lauxlib.h"
#include "bigint.h"
#include "cu.h"
#include "codec.h"
#include "host.h"

#define CODEC_SAFE_INT ((lua_Integer)1 << 53)

/* Marks an empty "pending value" slot; its address is private, so no script can forge it. */
static const char codec_none;

/* Each table being walked is a frame of four entries in the frames table: the table,
   its length n (-1 unless it goes as an ARRAY), a pending value (whose key, a table, is
   being sent first) or codec_none, and the cursor (last index or key sent). */
#define FRAME_TABLE   1
#define FRAME_N       2
#define FRAME_PENDING 3
#define FRAME_CURSOR  4

typedef struct Walk {
  int visited;  /* stack index of table -> BEGIN index; nil until a table is met */
  int ids;      /* stack index of ext.c's proxy -> id table */
  int frames;   /* stack index of the frames; nil until a table is met */
  int depth;    /* frames in use */
  int store;    /* for an external table: refuse what it cannot hold */
  lua_Integer ntables;
} Walk;

/* 0: not valid UTF-8; 1: ASCII; 2: valid UTF-8 with multi-byte sequences. */
int codec_utf8(const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str, *end = s + len;
  int ascii = 1;
  while (s < end) {
    unsigned c = *s;
    if (c < 0x80) { s++; continue; }
    ascii = 0;
    size_t n;
    uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if ((size_t)(end - s) <= n) return 0;
    for (size_t i = 1; i <= n; i++) {
      if ((s[i] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (s[i] & 0x3F);
    }
    /* overlong forms, surrogates and values past U+10FFFF are not UTF-8 */
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    s += n + 1;
  }
  return ascii ? 1 : 2;
}

static void codec_string(lua_State *L, int idx) {
  size_t len;
  const char *s = lua_tolstring(L, idx, &len);
  static const int tags[] = {CODEC_BYTES, CODEC_ASCII, CODEC_UTF8};
  host_value(tags[codec_utf8(s, len)], 0, s, (int32_t)len);
}

/* Functions, userdata and threads are described, never called or converted. */
static void codec_opaque(lua_State *L, int idx, int tag) {
  const char *name = luaL_typename(L, idx);
  if (tag == CODEC_USERDATA && luaL_getmetafield(L, idx, "__name") != LUA_TNIL) {
    if (lua_type(L, -1) == LUA_TSTRING) name = lua_tostring(L, -1);
  }
  else lua_pushnil(L);
  lua_pushfstring(L, "%s: %p", name, lua_topointer(L, idx));
  size_t len;
  const char *s = lua_tolstring(L, -1, &len);
  host_value(tag, 0, s, (int32_t)len);
  lua_pop(L, 2);
}

/* ARRAY when the keys are exactly 1..n (n > 0), OBJECT when every key is a UTF-8
   string (or there are none), MAP otherwise. */
static int codec_kind(lua_State *L, int t, lua_Integer *n) {
  lua_Integer count = 0, max = 0;
  int ints = 1, strings = 1;
  lua_pushnil(L);
  while (lua_next(L, t)) {
    lua_pop(L, 1);
    count++;
    if (ints) {
      lua_Integer i = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
      if (i < 1) ints = 0;
      else if (i > max) max = i;
    }
    if (strings) {
      size_t len;
      const char *s;
      if (lua_type(L, -1) != LUA_TSTRING) strings = 0;
      else if (s = lua_tolstring(L, -1, &len), !codec_utf8(s, len)) strings = 0;
    }
  }
  *n = count;
  if (count > 0 && ints && max == count) return CODEC_ARRAY;
  return strings ? CODEC_OBJECT : CODEC_MAP;
}

static int codec_seen(lua_State *L, int idx, Walk *w);
static void codec_frame(lua_State *L, int idx, Walk *w, lua_Integer n);

/* A function to store: a standard library function by name, a function already stored
   or restored by its id, else its bytecode and upvalues (a frame). */
static void codec_function(lua_State *L, int idx, Walk *w) {
  double id;
  size_t len;
  if (lua_iscfunction(L, idx)) {
    const char *name = closure_cname(L, idx, &len);
    if (name == NULL) luaL_error(L, "external tables hold only the standard library's C functions");
    host_value(CODEC_CFUNC, 0, name, (int32_t)len);
    lua_pop(L, 1);
    return;
  }
  if ((id = closure_id(L, idx)) > 0) {
    host_value(CODEC_FNREF, id, NULL, 0);
    return;
  }
  if (codec_seen(L, idx, w)) return;
  const char *code = closure_dump(L, idx, &len);
  double fid = host_value(CODEC_LFUNC, 0, code, (int32_t)len);
  lua_pop(L, 1);
  if (fid > 0) closure_bind(L, idx, fid);  /* its upvalues are captured at each commit */
  lua_Debug ar;
  lua_pushvalue(L, idx);
  lua_getinfo(L, ">u", &ar);
  codec_frame(L, idx, w, -2 - (lua_Integer)ar.nups);
}

/* Whether the table or function at idx was sent already (then a REF is sent); else it is
   numbered for later REFs. */
static int codec_seen(lua_State *L, int idx, Walk *w) {
  if (lua_isnil(L, w->visited)) {
    lua_newtable(L);
    lua_replace(L, w->visited);
    lua_newtable(L);
    lua_replace(L, w->frames);
  }
  lua_pushvalue(L, idx);
  if (lua_rawget(L, w->visited) == LUA_TNUMBER) {
    host_value(CODEC_REF, (double)lua_tointeger(L, -1), NULL, 0);
    lua_pop(L, 1);
    return 1;
  }
  lua_pop(L, 1);
  lua_pushvalue(L, idx);
  lua_pushinteger(L, w->ntables++);
  lua_rawset(L, w->visited);
  return 0;
}

/* Pushes a frame for the table or function at idx: n is its length as an ARRAY, -1 for
   other tables, or -2 - nups for a function. */
static void codec_frame(lua_State *L, int idx, Walk *w, lua_Integer n) {
  int b = w->depth++ * 4;
  lua_pushvalue(L, idx);
  lua_rawseti(L, w->frames, b + FRAME_TABLE);
  lua_pushinteger(L, n);
  lua_rawseti(L, w->frames, b + FRAME_N);
  lua_pushlightuserdata(L, (void *)&codec_none);
  lua_rawseti(L, w->frames, b + FRAME_PENDING);
  if (n >= 0 || n <= -2) lua_pushinteger(L, 0);
  else lua_pushnil(L);
  lua_rawseti(L, w->frames, b + FRAME_CURSOR);
}

/*
** Sends the value on top of the stack and pops it. A table not seen before is only
** begun: it becomes a frame that codec_walk advances.
*/
static void codec_begin(lua_State *L, Walk *w) {
  int top = lua_gettop(L);
  switch (lua_type(L, top)) {
    case LUA_TNIL: host_value(CODEC_NIL, 0, NULL, 0); break;
    case LUA_TBOOLEAN:
      host_value(lua_toboolean(L, top) ? CODEC_TRUE : CODEC_FALSE, 0, NULL, 0);
      break;
    case LUA_TNUMBER:
      if (lua_isinteger(L, top)) {
        lua_Integer i = lua_tointeger(L, top);
        if (i >= -CODEC_SAFE_INT && i <= CODEC_SAFE_INT) host_value(CODEC_INT, (double)i, NULL, 0);
        else host_value(CODEC_INT64, 0, &i, 8);
      }
      else host_value(CODEC_FLOAT, lua_tonumber(L, top), NULL, 0);
      break;
    case LUA_TSTRING: codec_string(L, top); break;
    case LUA_TTABLE: {
      lua_pushvalue(L, top);
      if (lua_rawget(L, w->ids) == LUA_TNUMBER) {  /* an external table: by reference */
        double id = lua_tonumber(L, -1);  /* on a lazy unit its records may need reading first */
        while (host_value(CODEC_EXTREF, id, NULL, 0) == CODEC_MISS && host_ext_wait() == 0) {}
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      if (codec_seen(L, top, w)) break;
      lua_Integer n;
      int kind = codec_kind(L, top, &n);
      host_value(kind, 0, NULL, (int32_t)n);
      codec_frame(L, top, w, kind == CODEC_ARRAY ? n : -1);
      break;
    }
    case LUA_TFUNCTION:
      if (w->store) {
        codec_function(L, top, w);
        break;
      }
      /* fall through */
    case LUA_TTHREAD: case LUA_TLIGHTUSERDATA:
      if (w->store) luaL_error(L, "external tables cannot hold a %s", luaL_typename(L, top));
      codec_opaque(L, top, lua_type(L, top) == LUA_TFUNCTION ? CODEC_FUNCTION
                           : lua_type(L, top) == LUA_TTHREAD ? CODEC_THREAD : CODEC_USERDATA);
      break;
    case LUA_TUSERDATA:
      if (big_is(L, top)) {
        size_t len;
        big_pushhex(L, top);
        const char *hex = lua_tolstring(L, -1, &len);
        host_value(CODEC_BIGINT, 0, hex, (int32_t)len);
        lua_pop(L, 1);
        break;
      }
      if (w->store) luaL_error(L, "external tables cannot hold a %s", luaL_typename(L, top));
      codec_opaque(L, top, CODEC_USERDATA);
      break;
  }
  lua_pop(L, 1);
}

static int codec_is_none(lua_State *L, int idx) {
  return lua_touserdata(L, idx) == (void *)&codec_none;
}

/* Advances the frames until every table begun is finished. */
static void codec_walk(lua_State *L, Walk *w) {
  while (w->depth > 0) {
    int b = (w->depth - 1) * 4;
    if (lua_rawgeti(L, w->frames, b + FRAME_PENDING) != LUA_TLIGHTUSERDATA || !codec_is_none(L, -1)) {
      lua_pushlightuserdata(L, (void *)&codec_none);
      lua_rawseti(L, w->frames, b + FRAME_PENDING);
      codec_begin(L, w);  /* the value whose key (a table) was just sent */
      continue;
    }
    lua_pop(L, 1);
    lua_rawgeti(L, w->frames, b + FRAME_TABLE);
    int t = lua_gettop(L);
    lua_rawgeti(L, w->frames, b + FRAME_N);
    lua_Integer n = lua_tointeger(L, -1);
    lua_rawgeti(L, w->frames, b + FRAME_CURSOR);
    if (n <= -2) {  /* a function: its upvalues in order, each after its cell id */
      int i = (int)lua_tointeger(L, -1) + 1;
      lua_settop(L, t);
      if (i > -n - 2) {
        host_value(CODEC_END, 0, NULL, 0);
        w->depth--;
      }
      else {
        lua_pushinteger(L, i);
        lua_rawseti(L, w->frames, b + FRAME_CURSOR);
        host_value(CODEC_UPVAL, closure_cell(L, t, i), NULL, 0);
        if (closure_upvalue(L, t, i)) {
          host_value(CODEC_ENV, 0, NULL, 0);
          lua_pop(L, 1);
        }
        else codec_begin(L, w);
      }
    }
    else if (n >= 0) {  /* array: values in order */
      lua_Integer i = lua_tointeger(L, -1) + 1;
      lua_settop(L, t);
      if (i > n) {
        host_value(CODEC_END, 0, NULL, 0);
        w->depth--;
      }
      else {
        lua_pushinteger(L, i);
        lua_rawseti(L, w->frames, b + FRAME_CURSOR);
        lua_rawgeti(L, t, i);
        codec_begin(L, w);
      }
    }
    else {
      lua_remove(L, -2);  /* n */
      if (!lua_next(L, t)) {
        host_value(CODEC_END, 0, NULL, 0);
        w->depth--;
      }
      else {  /* t, key, value */
        lua_pushvalue(L, -2);
        lua_rawseti(L, w->frames, b + FRAME_CURSOR);
        if (lua_type(L, -2) == LUA_TTABLE) {  /* send the key's table, then the value */
          if (w->store) luaL_error(L, "external tables take only string, number and boolean keys");
          lua_rawseti(L, w->frames, b + FRAME_PENDING);
          codec_begin(L, w);
        }
        else {
          lua_pushvalue(L, -2);
          codec_begin(L, w);  /* the key */
          codec_begin(L, w);  /* the value */
        }
      }
    }
    lua_settop(L, t - 1);
  }
}

static void codec_run(lua_State *L, int first, int last, int store) {
  int base = lua_gettop(L);
  luaL_checkstack(L, 8, "value nested too deeply");
  lua_pushnil(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, cu_unit(L)->ext_ids_ref);
  if (!lua_istable(L, -1)) {  /* before ext.c has opened: no proxies exist */
    lua_pop(L, 1);
    lua_newtable(L);
  }
  lua_pushnil(L);
  Walk w = {base + 1, base + 2, base + 3, 0, store, 0};
  for (int idx = first; idx <= last; idx++) {
    lua_pushvalue(L, idx);
    codec_begin(L, &w);
    codec_walk(L, &w);
  }
  lua_settop(L, base);
}

/* Sends the values at first..last as top-level values; a table shared among them is
   sent once, so the host sees the same object. External tables go by reference. */
void codec_emit(lua_State *L, int first, int last) {
  codec_run(L, first, last, 0);
}

/* Sends the value at idx to be kept in an external table: functions, threads and
   userdata (but bigints) are refused, and so are keys that are tables. */
void codec_store(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  codec_run(L, idx, idx, 1);
}

void codec_reset(void) {
  host_value(CODEC_RESET, 0, NULL, 0);
}
