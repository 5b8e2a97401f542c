/*
** image.c: a unit started from a copy of another unit's memory. Starting Lua (cu.c's
** init: the state and its libraries) is a third of what a new unit costs, and it ends
** the same way every time but for what it drew from the random source. So the host
** keeps the memory of a unit that has just started (its "image") and copies it into
** the next units of that module and memory size instead of starting them
** (js/module.js). The copy would share the seeds of the unit it came from; renew draws
** its own: a new string-hash seed, with every string and table rehashed under it, and a
** new math.random seed. Only Lua's own objects depend on those seeds.
*/
#include "lua.h"
#include "lualib.h"
#include "lgc.h"
#include "lstate.h"
#include "lstring.h"
#include "ltable.h"
#include "cu.h"

/* Short strings: new hashes, each into its bucket of the string table, which keeps its
   size. No allocation, so nothing can fail halfway. */
static void image_rehash_strings(global_State *g) {
  stringtable *tb = &g->strt;
  TString *all = NULL;
  for (int i = 0; i < tb->size; i++) {
    TString *ts = tb->hash[i];
    while (ts != NULL) {
      TString *next = ts->u.hnext;
      ts->hash = luaS_hash(getstr(ts), ts->shrlen, g->seed);
      ts->u.hnext = all;
      all = ts;
      ts = next;
    }
    tb->hash[i] = NULL;
  }
  while (all != NULL) {
    TString *next = all->u.hnext;
    TString **bucket = &tb->hash[lmod(all->hash, tb->size)];
    all->u.hnext = *bucket;
    *bucket = all;
    all = next;
  }
}

/* Long strings hash on first use: forget the old hash. Tables place keys by hash: each
   one is rebuilt at its own size. */
static void image_rehash_objects(lua_State *L, GCObject *o) {
  for (; o != NULL; o = o->next) {
    if (o->tt == LUA_VLNGSTR) gco2ts(o)->extra = 0;
    else if (o->tt == LUA_VTABLE && !isdummy(gco2t(o))) {
      Table *t = gco2t(o);
      luaH_resize(L, t, luaH_realasize(t), sizenode(t));
    }
  }
}

/* Called protected (a table's new node array may fail to allocate). */
int image_renew(lua_State *L) {
  global_State *g = G(L);
  g->seed = luai_makeseed(L);
  image_rehash_strings(g);
  image_rehash_objects(L, g->allgc);
  image_rehash_objects(L, g->finobj);
  image_rehash_objects(L, g->tobefnz);
  /* math.randomseed() without arguments draws a seed, as luaopen_math did */
  if (lua_getglobal(L, LUA_MATHLIBNAME) == LUA_TTABLE && lua_getfield(L, -1, "randomseed") == LUA_TFUNCTION)
    lua_call(L, 0, 0);
  return 0;
}
