/*
** match.c: string.find, string.match, string.gmatch and string.gsub, replacing
** lstrlib.c's four. Same patterns, same results and same error messages as Lua 5.4.7's
** (test/match/oracle.c checks that against lstrlib.c itself), with two differences
** inside:
**   - Its work counts against the compute's limits (cu_limits.h): every item of the
**     pattern tried, every subject byte scanned, every class element read. lstrlib.c's
**     matcher has loops no limit can see: a class of m characters under `*` on a subject
**     of n bytes costs n*m steps, and a script could run for minutes under a 200 ms limit.
**   - It is faster: a `[set]` is turned into a 256-bit map once per call instead of being
**     read again for every byte, classes such as %a are one table lookup, a repeated
**     item is scanned in a tight loop, and a search skips ahead to the bytes where the
**     pattern's first item can match.
** The matcher itself is the classic one: recursive backtracking over the pattern text,
** tail calls turned into jumps, so the same pattern takes the same path as in lstrlib.c.
*/
#include <stdint.h>
#include <string.h>
#include "lauxlib.h"
#include "lualib.h"
#include "cu.h"

#define MATCH_DEPTH 200     /* lstrlib.c's MAXCCALLS: "pattern too complex" beyond it */
#define MATCH_CAPTURES 32   /* LUA_MAXCAPTURES */
#define CAP_UNFINISHED (-1)
#define CAP_POSITION (-2)
#define MATCH_SETS 4        /* [set] maps kept per call */
#define MATCH_SCAN_SHIFT 4  /* a step per 16 bytes scanned: the scans are tight loops */
/* Code that runs once per call or per match, not per byte: compiled for size. */
#if defined(__clang__)
#define MATCH_COLD __attribute__((minsize))
#else
#define MATCH_COLD
#endif

/* Character classes of the C locale, as the pattern letters name them. */
enum { K_ALPHA = 1, K_DIGIT = 2, K_LOWER = 4, K_UPPER = 8, K_SPACE = 16, K_CNTRL = 32,
       K_PUNCT = 64, K_XDIGIT = 128 };
static const unsigned char match_ctype[256] = {
  [0 ... '\t' - 1] = K_CNTRL, ['\t' ... '\r'] = K_CNTRL | K_SPACE,
  ['\r' + 1 ... 31] = K_CNTRL, [127] = K_CNTRL, [' '] = K_SPACE,
  ['!' ... '/'] = K_PUNCT, [':' ... '@'] = K_PUNCT, ['[' ... '`'] = K_PUNCT,
  ['{' ... '~'] = K_PUNCT,
  ['0' ... '9'] = K_DIGIT | K_XDIGIT,
  ['A' ... 'F'] = K_ALPHA | K_UPPER | K_XDIGIT, ['G' ... 'Z'] = K_ALPHA | K_UPPER,
  ['a' ... 'f'] = K_ALPHA | K_LOWER | K_XDIGIT, ['g' ... 'z'] = K_ALPHA | K_LOWER,
};

typedef struct MatchSet {
  const char *at;   /* the '[' this map was made from */
  uint32_t bits[8];
} MatchSet;

typedef struct MatchState {
  const char *src_init, *src_end, *p_end;
  lua_State *L;
  int depth;        /* calls of match_item left before "pattern too complex" */
  int level;        /* captures open or closed so far */
  struct { const char *init; ptrdiff_t len; } capture[MATCH_CAPTURES];
  int next_set;
  MatchSet sets[MATCH_SETS];
} MatchState;

#define match_charge(ms, units) limits_charge((ms)->L, (units))

MATCH_COLD static void match_prepare(MatchState *ms, lua_State *L, const char *s, size_t ls,
                          const char *p, size_t lp) {
  ms->L = L;
  ms->depth = MATCH_DEPTH;
  ms->src_init = s;
  ms->src_end = s + ls;
  ms->p_end = p + lp;
  ms->next_set = 0;
  for (int i = 0; i < MATCH_SETS; i++) ms->sets[i].at = NULL;
}

/* Whether byte c is in class letter cl (%a, %D...); any other cl stands for itself. */
static int match_class(int c, int cl) {
  int kind;
  switch (cl | 0x20) {  /* lower case for letters; no other byte maps onto a-z */
    case 'a': kind = K_ALPHA; break;
    case 'c': kind = K_CNTRL; break;
    case 'd': kind = K_DIGIT; break;
    case 'g': kind = K_ALPHA | K_DIGIT | K_PUNCT; break;
    case 'l': kind = K_LOWER; break;
    case 'p': kind = K_PUNCT; break;
    case 's': kind = K_SPACE; break;
    case 'u': kind = K_UPPER; break;
    case 'w': kind = K_ALPHA | K_DIGIT; break;
    case 'x': kind = K_XDIGIT; break;
    case 'z': return (c == 0) == (cl == 'z');  /* deprecated, kept by Lua 5.4 */
    default: return cl == c;
  }
  return ((match_ctype[c] & kind) != 0) == (cl >= 'a');
}

/* The 256-bit map of the set from '[' at p to its ']' at ec. */
MATCH_COLD static const uint32_t *match_set(MatchState *ms, const char *p, const char *ec) {
  for (int i = 0; i < MATCH_SETS; i++)
    if (ms->sets[i].at == p) return ms->sets[i].bits;
  const char *at = p;
  MatchSet *set = &ms->sets[ms->next_set];
  ms->next_set = (ms->next_set + 1) % MATCH_SETS;
  match_charge(ms, 1 + (int)((ec - p) >> MATCH_SCAN_SHIFT));
  uint32_t *bits = set->bits;
  memset(bits, 0, sizeof set->bits);
  int negate = p[1] == '^';
  if (negate) p++;
  while (++p < ec) {
    int c = (unsigned char)*p;
    if (c == '%') {
      int cl = (unsigned char)*++p;
      match_charge(ms, 8);
      for (int b = 0; b < 256; b++)
        if (match_class(b, cl)) bits[b >> 5] |= 1u << (b & 31);
    }
    else if (p[1] == '-' && p + 2 < ec) {
      for (int b = c; b <= (unsigned char)p[2]; b++) bits[b >> 5] |= 1u << (b & 31);
      p += 2;
    }
    else bits[c >> 5] |= 1u << (c & 31);
  }
  if (negate)
    for (int i = 0; i < 8; i++) bits[i] = ~bits[i];
  set->at = at;
  return bits;
}

/* The end of the single-character item at p ('x', '.', '%x' or '[set]'). */
static const char *match_item_end(MatchState *ms, const char *p) {
  switch (*p++) {
    case '%':
      if (p == ms->p_end) luaL_error(ms->L, "malformed pattern (ends with '%%')");
      return p + 1;
    case '[': {
      const char *start = p;
      if (*p == '^') p++;
      do {  /* the first character is always a member, even ']' */
        if (p == ms->p_end) luaL_error(ms->L, "malformed pattern (missing ']')");
        if (*p++ == '%' && p < ms->p_end) p++;
      } while (*p != ']');
      match_charge(ms, (int)((p - start) >> MATCH_SCAN_SHIFT));
      return p + 1;
    }
    default:
      return p;
  }
}

/* How many bytes in a row from s on (at most max) match the item from p to ep (want 1)
   or fail to match it (want 0): a repetition's run, or the distance to a place where
   a search can start. */
static size_t match_span(MatchState *ms, const char *s, const char *p, const char *ep,
                         size_t max, int want) {
  const unsigned char *u = (const unsigned char *)s;
  size_t n = 0;
  switch (*p) {
    case '.': n = want ? max : 0; break;
    case '%': {
      int cl = (unsigned char)p[1];
      while (n < max && match_class(u[n], cl) == want) n++;
      break;
    }
    case '[': {
      const uint32_t *bits = match_set(ms, p, ep - 1);
      while (n < max && (int)(bits[u[n] >> 5] >> (u[n] & 31) & 1) == want) n++;
      break;
    }
    default: {
      unsigned char c = (unsigned char)*p;
      if (want) while (n < max && u[n] == c) n++;
      else {
        const char *at = memchr(s, c, max);
        n = at ? (size_t)(at - s) : max;
      }
    }
  }
  match_charge(ms, (int)(n >> MATCH_SCAN_SHIFT));
  return n;
}

/* Whether the byte at s matches the item from p to ep. */
static int match_one(MatchState *ms, const char *s, const char *p, const char *ep) {
  if (s >= ms->src_end) return 0;
  int c = (unsigned char)*s;
  switch (*p) {
    case '.': return 1;
    case '%': return match_class(c, (unsigned char)p[1]);
    case '[': {
      const uint32_t *bits = match_set(ms, p, ep - 1);
      return bits[c >> 5] >> (c & 31) & 1;
    }
    default: return (unsigned char)*p == c;
  }
}

static const char *match_item(MatchState *ms, const char *s, const char *p);

static const char *match_max(MatchState *ms, const char *s, const char *p, const char *ep) {
  ptrdiff_t i = (ptrdiff_t)match_span(ms, s, p, ep, (size_t)(ms->src_end - s), 1);
  for (; i >= 0; i--) {  /* the longest run first, then shorter ones */
    const char *res = match_item(ms, s + i, ep + 1);
    if (res) return res;
  }
  return NULL;
}

static const char *match_min(MatchState *ms, const char *s, const char *p, const char *ep) {
  for (;;) {
    const char *res = match_item(ms, s, ep + 1);
    if (res) return res;
    if (!match_one(ms, s, p, ep)) return NULL;
    s++;
  }
}

MATCH_COLD static const char *match_open_capture(MatchState *ms, const char *s, const char *p, ptrdiff_t what) {
  int level = ms->level;
  if (level >= MATCH_CAPTURES) luaL_error(ms->L, "too many captures");
  ms->capture[level].init = s;
  ms->capture[level].len = what;
  ms->level = level + 1;
  const char *res = match_item(ms, s, p);
  if (res == NULL) ms->level--;
  return res;
}

MATCH_COLD static const char *match_close_capture(MatchState *ms, const char *s, const char *p) {
  int l = ms->level - 1;
  while (l >= 0 && ms->capture[l].len != CAP_UNFINISHED) l--;
  if (l < 0) luaL_error(ms->L, "invalid pattern capture");
  ms->capture[l].len = s - ms->capture[l].init;
  const char *res = match_item(ms, s, p);
  if (res == NULL) ms->capture[l].len = CAP_UNFINISHED;
  return res;
}

/* %1 to %9 in a pattern: the text of that (closed) capture again. */
MATCH_COLD static const char *match_backref(MatchState *ms, const char *s, int digit) {
  int l = digit - '1';
  if (l < 0 || l >= ms->level || ms->capture[l].len == CAP_UNFINISHED)
    luaL_error(ms->L, "invalid capture index %%%d", l + 1);
  size_t len = (size_t)ms->capture[l].len;
  match_charge(ms, (int)(len >> MATCH_SCAN_SHIFT));
  if ((size_t)(ms->src_end - s) >= len && memcmp(ms->capture[l].init, s, len) == 0)
    return s + len;
  return NULL;
}

/* %bxy at p (pointing at x): from s, a balanced run between x and y. */
MATCH_COLD static const char *match_balance(MatchState *ms, const char *s, const char *p) {
  if (p >= ms->p_end - 1) luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
  if (*s != *p) return NULL;  /* at the end, *s is the subject's terminating zero */
  const char *start = s;
  int open = *p, close = p[1], depth = 1;
  while (++s < ms->src_end) {
    if (*s == close) {
      if (--depth == 0) break;
    }
    else if (*s == open) depth++;
  }
  match_charge(ms, (int)((s - start) >> MATCH_SCAN_SHIFT));
  return s < ms->src_end ? s + 1 : NULL;
}

/* Whether the set at p (to ep) separates the bytes before and at s: %f[set]. */
MATCH_COLD static int match_frontier(MatchState *ms, const char *s, const char *p, const char *ep) {
  const uint32_t *bits = match_set(ms, p, ep - 1);
  unsigned char before = s == ms->src_init ? 0 : (unsigned char)s[-1];
  unsigned char at = (unsigned char)*s;  /* 0 at the end, as in lstrlib.c */
  return !(bits[before >> 5] >> (before & 31) & 1) && (bits[at >> 5] >> (at & 31) & 1);
}

/* Matches the pattern from p on against the subject from s; the end of the match, or
   NULL. Each item tried is a unit of work, counted when this call returns. */
static const char *match_item(MatchState *ms, const char *s, const char *p) {
  int work = 1;
  if (ms->depth-- == 0) luaL_error(ms->L, "pattern too complex");
  for (;; work++) {
    if (p == ms->p_end) break;
    switch (*p) {
      case '(':
        if (p[1] == ')') s = match_open_capture(ms, s, p + 2, CAP_POSITION);
        else s = match_open_capture(ms, s, p + 1, CAP_UNFINISHED);
        goto done;
      case ')':
        s = match_close_capture(ms, s, p + 1);
        goto done;
      case '$':
        if (p + 1 != ms->p_end) goto single;
        if (s != ms->src_end) s = NULL;
        goto done;
      case '%':
        switch (p[1]) {
          case 'b':
            s = match_balance(ms, s, p + 2);
            if (s == NULL) goto done;
            p += 4;
            continue;
          case 'f': {
            p += 2;
            if (*p != '[') luaL_error(ms->L, "missing '[' after '%%f' in pattern");
            const char *ep = match_item_end(ms, p);
            if (!match_frontier(ms, s, p, ep)) { s = NULL; goto done; }
            p = ep;
            continue;
          }
          case '0': case '1': case '2': case '3': case '4':
          case '5': case '6': case '7': case '8': case '9':
            s = match_backref(ms, s, (unsigned char)p[1]);
            if (s == NULL) goto done;
            p += 2;
            continue;
          default:
            goto single;
        }
      default: single: {
        const char *ep = match_item_end(ms, p);
        if (!match_one(ms, s, p, ep)) {
          if (*ep == '*' || *ep == '?' || *ep == '-') { p = ep + 1; continue; }
          s = NULL;
          goto done;
        }
        switch (*ep) {
          case '?': {
            const char *res = match_item(ms, s + 1, ep + 1);
            if (res) { s = res; goto done; }
            p = ep + 1;
            continue;
          }
          case '+': s = match_max(ms, s + 1, p, ep); goto done;
          case '*': s = match_max(ms, s, p, ep); goto done;
          case '-': s = match_min(ms, s, p, ep); goto done;
          default: s++; p = ep; continue;
        }
      }
    }
  }
done:
  ms->depth++;
  match_charge(ms, work);
  return s;
}

/* The first item every match must begin with, when there is one: a single-character
   item that is not optional, after any captures that open there. Searches skip the
   bytes it cannot match, which is where most of a search's positions go. Only asked
   after a first attempt at matching, which has reached this item and so has already
   raised any error in its text. */
MATCH_COLD static const char *match_first(MatchState *ms, const char *p, const char **ep) {
  while (p < ms->p_end && *p == '(') p += p[1] == ')' ? 2 : 1;
  if (p == ms->p_end || *p == ')' || (*p == '$' && p + 1 == ms->p_end)) return NULL;
  if (*p == '%' && (p[1] == 'b' || p[1] == 'f' || (p[1] >= '0' && p[1] <= '9'))) return NULL;
  *ep = match_item_end(ms, p);
  if (**ep == '*' || **ep == '?' || **ep == '-') return NULL;
  return p;
}

/* Where the next attempt goes after one failed at s (not at the end): the next byte,
   or further once the pattern's first item is known. state: 0 not looked at yet,
   1 there is a first item, 2 there is none. */
typedef struct MatchNext { int state; const char *p, *ep; } MatchNext;

static const char *match_next(MatchState *ms, MatchNext *next, const char *s, const char *p) {
  if (next->state == 0) {
    next->p = match_first(ms, p, &next->ep);
    next->state = next->p ? 1 : 2;
  }
  s++;
  if (next->state == 2) return s;
  return s + match_span(ms, s, next->p, next->ep, (size_t)(ms->src_end - s), 0);
}

/* Capture i of a match from s to e, pushed (a position) or returned (a string). */
MATCH_COLD static ptrdiff_t match_capture(MatchState *ms, int i, const char *s, const char *e,
                               const char **text) {
  if (i >= ms->level) {
    if (i != 0) luaL_error(ms->L, "invalid capture index %%%d", i + 1);
    *text = s;  /* no captures: the whole match */
    return e - s;
  }
  ptrdiff_t len = ms->capture[i].len;
  *text = ms->capture[i].init;
  if (len == CAP_UNFINISHED) luaL_error(ms->L, "unfinished capture");
  if (len == CAP_POSITION) lua_pushinteger(ms->L, (ms->capture[i].init - ms->src_init) + 1);
  return len;
}

MATCH_COLD static void match_push_capture(MatchState *ms, int i, const char *s, const char *e) {
  const char *text;
  ptrdiff_t len = match_capture(ms, i, s, e, &text);
  if (len != CAP_POSITION) lua_pushlstring(ms->L, text, (size_t)len);
}

/* Pushes every capture (or the whole match when there are none and s is given). */
MATCH_COLD static int match_push_captures(MatchState *ms, const char *s, const char *e) {
  int n = (ms->level == 0 && s) ? 1 : ms->level;
  luaL_checkstack(ms->L, n, "too many captures");
  for (int i = 0; i < n; i++) match_push_capture(ms, i, s, e);
  return n;
}

/* Lua's relative string position: negative counts from the end, clamped to 1. */
MATCH_COLD static size_t match_position(lua_Integer pos, size_t len) {
  if (pos > 0) return (size_t)pos;
  if (pos == 0 || pos < -(lua_Integer)len) return 1;
  return len + (size_t)pos + 1;
}

/* Whether a pattern has no magic characters, so find can compare bytes. */
MATCH_COLD static int match_is_plain(const char *p, size_t lp) {
  for (size_t i = 0; i < lp; i++)
    switch (p[i]) {
      case '^': case '$': case '*': case '+': case '?': case '.': case '(': case '[':
      case '%': case '-': return 0;
    }
  return 1;
}

/* The first place of p (lp bytes) in s (ls bytes), or NULL. */
MATCH_COLD static const char *match_plain(lua_State *L, const char *s, size_t ls, const char *p, size_t lp) {
  if (lp == 0) return s;
  if (lp > ls) return NULL;
  const char *end = s + (ls - lp) + 1;  /* the last start that fits, plus one */
  while (s < end) {
    const char *at = memchr(s, *p, (size_t)(end - s));
    if (at == NULL) break;
    limits_charge(L, 1 + (int)((at - s) >> 6) + (int)(lp >> 6));
    if (memcmp(at + 1, p + 1, lp - 1) == 0) return at;
    s = at + 1;
  }
  return NULL;
}

MATCH_COLD static int match_search(lua_State *L, int find) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  size_t init = match_position(luaL_optinteger(L, 3, 1), ls) - 1;
  if (init > ls) {
    luaL_pushfail(L);
    return 1;
  }
  if (find && (lua_toboolean(L, 4) || match_is_plain(p, lp))) {
    const char *at = match_plain(L, s + init, ls - init, p, lp);
    if (at) {
      lua_pushinteger(L, (at - s) + 1);
      lua_pushinteger(L, (lua_Integer)((at - s) + lp));
      return 2;
    }
  }
  else {
    MatchState ms;
    MatchNext next = {0, NULL, NULL};
    const char *s1 = s + init;
    int anchor = *p == '^';
    if (anchor) { p++; lp--; }
    match_prepare(&ms, L, s, ls, p, lp);
    for (;;) {
      ms.level = 0;
      const char *e = match_item(&ms, s1, p);
      if (e) {
        if (!find) return match_push_captures(&ms, s1, e);
        lua_pushinteger(L, (s1 - s) + 1);
        lua_pushinteger(L, e - s);
        return match_push_captures(&ms, NULL, NULL) + 2;
      }
      if (anchor || s1 >= ms.src_end) break;
      s1 = match_next(&ms, &next, s1, p);
    }
  }
  luaL_pushfail(L);
  return 1;
}

int match_find(lua_State *L) { return match_search(L, 1); }
int match_match(lua_State *L) { return match_search(L, 0); }

/* gmatch's iterator state, a userdata kept as the iterator's third upvalue (the subject
   and the pattern are the first two, so the pointers here stay valid). */
typedef struct MatchIter {
  const char *src, *p, *lastmatch;
  MatchNext next;
  MatchState ms;
} MatchIter;

MATCH_COLD static int match_iterate(lua_State *L) {
  MatchIter *it = (MatchIter *)lua_touserdata(L, lua_upvalueindex(3));
  it->ms.L = L;
  for (const char *src = it->src; src <= it->ms.src_end; ) {
    it->ms.level = 0;
    const char *e = match_item(&it->ms, src, it->p);
    if (e != NULL && e != it->lastmatch) {
      it->src = it->lastmatch = e;
      return match_push_captures(&it->ms, src, e);
    }
    if (src == it->ms.src_end) break;
    src = match_next(&it->ms, &it->next, src, it->p);
  }
  return 0;
}

MATCH_COLD int match_gmatch(lua_State *L) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  size_t init = match_position(luaL_optinteger(L, 3, 1), ls) - 1;
  lua_settop(L, 2);
  MatchIter *it = (MatchIter *)lua_newuserdatauv(L, sizeof(MatchIter), 0);
  if (init > ls) init = ls + 1;  /* nothing left to match */
  match_prepare(&it->ms, L, s, ls, p, lp);
  it->src = s + init;
  it->p = p;
  it->lastmatch = NULL;
  it->next.state = 0;
  lua_pushcclosure(L, match_iterate, 3);
  return 1;
}

/* gsub's string replacement: %0 to %9 and %% expanded. */
MATCH_COLD static void match_add_string(MatchState *ms, luaL_Buffer *b, const char *s, const char *e) {
  lua_State *L = ms->L;
  size_t l;
  const char *r = lua_tolstring(L, 3, &l), *end = r + l;
  for (;;) {
    const char *esc = memchr(r, '%', (size_t)(end - r));
    if (esc == NULL) break;
    luaL_addlstring(b, r, (size_t)(esc - r));
    int c = (unsigned char)esc[1];  /* the string's terminating zero after a final '%' */
    if (c == '%') luaL_addchar(b, '%');
    else if (c == '0') luaL_addlstring(b, s, (size_t)(e - s));
    else if (c >= '1' && c <= '9') {
      const char *text;
      ptrdiff_t len = match_capture(ms, c - '1', s, e, &text);
      if (len == CAP_POSITION) luaL_addvalue(b);
      else luaL_addlstring(b, text, (size_t)len);
    }
    else luaL_error(L, "invalid use of '%c' in replacement string", '%');
    r = esc + 2;
  }
  luaL_addlstring(b, r, (size_t)(end - r));
}

/* Adds the replacement of the match s..e; whether it changed the text. */
MATCH_COLD static int match_add_value(MatchState *ms, luaL_Buffer *b, const char *s, const char *e, int type) {
  lua_State *L = ms->L;
  if (type == LUA_TFUNCTION) {
    lua_pushvalue(L, 3);
    lua_call(L, match_push_captures(ms, s, e), 1);
  }
  else if (type == LUA_TTABLE) {
    match_push_capture(ms, 0, s, e);
    lua_gettable(L, 3);
  }
  else {
    match_add_string(ms, b, s, e);
    return 1;
  }
  if (!lua_toboolean(L, -1)) {  /* nil or false: the match stays as it was */
    lua_pop(L, 1);
    luaL_addlstring(b, s, (size_t)(e - s));
    return 0;
  }
  if (!lua_isstring(L, -1))
    return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  luaL_addvalue(b);
  return 1;
}

MATCH_COLD int match_gsub(lua_State *L) {
  size_t ls, lp;
  const char *src = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  const char *lastmatch = NULL;
  int type = lua_type(L, 3);
  lua_Integer max = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
  int anchor = *p == '^';
  lua_Integer n = 0;
  int changed = 0;
  MatchState ms;
  MatchNext next = {0, NULL, NULL};
  luaL_Buffer b;
  luaL_argexpected(L, type == LUA_TNUMBER || type == LUA_TSTRING ||
                   type == LUA_TFUNCTION || type == LUA_TTABLE, 3, "string/function/table");
  luaL_buffinit(L, &b);
  if (anchor) { p++; lp--; }
  match_prepare(&ms, L, src, ls, p, lp);
  while (n < max) {
    ms.level = 0;
    const char *e = match_item(&ms, src, p);
    if (e != NULL && e != lastmatch) {
      n++;
      changed = match_add_value(&ms, &b, src, e, type) | changed;
      src = lastmatch = e;
    }
    else if (src < ms.src_end) {  /* no match here: keep the text up to the next try */
      const char *to = anchor ? src + 1 : match_next(&ms, &next, src, p);
      luaL_addlstring(&b, src, (size_t)(to - src));
      src = to;
    }
    else break;
    if (anchor) break;
  }
  if (!changed) lua_pushvalue(L, 1);
  else {
    luaL_addlstring(&b, src, (size_t)(ms.src_end - src));
    luaL_pushresult(&b);
  }
  lua_pushinteger(L, n);
  return 2;
}
