/*
** oracle.c: differential test of src/bigint.c against GMP (GMP is used here only).
** Deterministic random cases over every operation, driven through the real Lua entry
** points (metamethods via lua_arith/lua_compare, module functions via pcall), with
** operands of 1 to 5,000 decimal digits and the edge values where carries, limb
** boundaries and algorithm thresholds live.
**
** usage: bigint-oracle [cases [seed]]; prints "N passed, N failed", exits 1 on failure.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <float.h>
#include <stdarg.h>
#include <gmp.h>

/* The thresholds and kernels are static: include the unit under test itself. */
#include "../../src/bigint.c"

#include "lualib.h"
#include "cu.h"

#ifndef ORACLE_CASES
#define ORACLE_CASES 200000
#endif
#ifndef ORACLE_SEED
#define ORACLE_SEED 20240601
#endif


static lua_State *L;
static gmp_randstate_t rs;
static long passed, failed;
static int cur_op;

static void mpz_add_si(mpz_t r, mpz_t a, long v) {
  if (v >= 0) mpz_add_ui(r, a, (unsigned long)v); else mpz_sub_ui(r, a, (unsigned long)-v);
}

static unsigned long rnd(unsigned long n) { /* uniform in [0, n) */
  return n <= 1 ? 0 : gmp_urandomm_ui(rs, n);
}

/* ---- operands ---- */

static void rand_limbs(mpz_t x, unsigned long limbs) {
  if (limbs == 0) {
    mpz_set_ui(x, 0);
    return;
  }
  /* rrandomb gives long runs of ones and zeros: the carry and borrow stress cases */
  if (rnd(2))
    mpz_rrandomb(x, rs, limbs * 32);
  else
    mpz_urandomb(x, rs, limbs * 32);
  mpz_setbit(x, limbs * 32 - 1 - rnd(32)); /* keep the top limb non-zero */
}

static void rand_digits(mpz_t x, unsigned long digits) {
  unsigned long bits = (unsigned long)(digits * 3.3219280948873623) + 1;
  if (rnd(2))
    mpz_rrandomb(x, rs, bits);
  else
    mpz_urandomb(x, rs, bits);
}

static unsigned long rand_ndigits(unsigned long maxd) {
  unsigned long r = rnd(100), d;
  if (r < 40) d = 1 + rnd(40);
  else if (r < 70) d = 40 + rnd(360);
  else if (r < 90) d = 400 + rnd(1600);
  else d = 2000 + rnd(3001);
  return d > maxd ? 1 + rnd(maxd) : d;
}

/* Any operand: mostly random sizes, often an edge value. */
static void gen(mpz_t x, unsigned long maxd) {
  unsigned long r = rnd(100);
  if (r < 55) {
    rand_digits(x, rand_ndigits(maxd));
  } else if (r < 62) {
    static const long small[] = {0, 1, 2, 3, 7, 10, 255, 256, 65535, 999999999, 1000000000};
    mpz_set_si(x, small[rnd(sizeof small / sizeof small[0])]);
  } else if (r < 75) {
    /* powers of two and their neighbours, at limb boundaries first */
    static const unsigned long ks[] = {31, 32, 33, 63, 64, 65, 95, 96, 97, 127, 128, 256, 1024};
    unsigned long k = rnd(3) ? ks[rnd(sizeof ks / sizeof ks[0])] : rnd(maxd * 3 + 1);
    mpz_set_ui(x, 0);
    mpz_setbit(x, k);
    long adj = (long)rnd(3) - 1;
    if (adj > 0) mpz_add_ui(x, x, 1);
    if (adj < 0) mpz_sub_ui(x, x, 1);
  } else if (r < 85) {
    /* sizes around the algorithm thresholds (in limbs) */
    static const unsigned long ts[] = {BIG_KARA_THRESHOLD, BIG_KSQR_THRESHOLD,
                                       2 * BIG_KARA_THRESHOLD, 2 * BIG_KSQR_THRESHOLD,
                                       BIG_TOSTR_THRESHOLD, 4 * BIG_KARA_THRESHOLD,
                                       BIG_TOOM3_THRESHOLD, BIG_TSQR_THRESHOLD,
                                       2 * BIG_TOOM3_THRESHOLD, 3 * BIG_TOOM3_THRESHOLD};
    unsigned long t = ts[rnd(sizeof ts / sizeof ts[0])];
    rand_limbs(x, t - 1 + rnd(3));
  } else if (r < 90) {
    /* all ones: 2^(32n) - 1 */
    mpz_set_ui(x, 0);
    mpz_setbit(x, 32 * (1 + rnd(80)));
    mpz_sub_ui(x, x, 1);
  } else {
    /* near the Lua integer range */
    static const char *v[] = {"9223372036854775807", "9223372036854775808",
                              "18446744073709551615", "18446744073709551616",
                              "4294967295", "4294967296", "4294967297", "9007199254740993"};
    mpz_set_str(x, v[rnd(sizeof v / sizeof v[0])], 10);
  }
  if (rnd(2)) mpz_neg(x, x);
}

/* Pushes x as a bigint, or (when native and possible) as a Lua integer or float. */
static int push_val(mpz_t x, int native) {
  if (native && mpz_fits_slong_p(x) && rnd(3) == 0) {
    lua_pushinteger(L, mpz_get_si(x));
    return 1;
  }
  size_t bits = mpz_sizeinbase(x, 2);
  if (native && rnd(8) == 0 && mpz_sgn(x) != 0 && bits <= 1000 &&
      (bits <= 53 || mpz_scan1(x, 0) >= bits - 53)) {
    lua_pushnumber(L, mpz_get_d(x));
    return 2;
  }
  char *h = mpz_get_str(NULL, 16, x);
  big_pushfromhex(L, h, strlen(h));
  free(h);
  return 0;
}

/* ---- reporting ---- */

static const char *opnames[] = {"add",   "sub",    "mul",     "sqr",       "idiv",   "mod",
                                "divmod", "unm",   "pow",     "band",      "bor",    "bxor",
                                "bnot",  "shl",    "shr",     "eq",        "lt",     "le",
                                "cmp",   "powmod", "gcd",     "isqrt",     "bitlen", "tostring",
                                "parse", "tobytes", "frombytes", "tonumber", "tofloat", "abs",
                                "sign",  "concat"};
enum { ADD, SUB, MUL, SQR, IDIV, MOD, DIVMOD, UNM, POW, BAND, BOR, BXOR, BNOT, SHL, SHR, EQ, LT,
       LE, CMP, POWMOD, GCD, ISQRT, BITLEN, TOSTR, PARSE, TOBYTES, FROMBYTES, TONUM, TOFLOAT,
       ABS, SIGN, CONCAT, NOPS };
static long opcount[NOPS];

static void fail(const char *fmt, ...) {
  failed++;
  if (failed > 10) return;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "FAIL %s: ", opnames[cur_op]);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
}

static char *show(mpz_t x) { /* abbreviated hex, for messages; leaks, failures only */
  char *h = mpz_get_str(NULL, 16, x);
  size_t n = strlen(h);
  if (n > 80) {
    memmove(h + 37, "...", 3);
    memmove(h + 40, h + n - 40, 41);
  }
  return h;
}

/* Compares the bigint at idx with e. */
static void check_big(int idx, mpz_t e, mpz_t a, mpz_t b) {
  if (!big_is(L, idx)) {
    fail("result is a %s, not a bigint (a=%s b=%s)", luaL_typename(L, idx), show(a), show(b));
    return;
  }
  big_pushhex(L, idx);
  char *h = mpz_get_str(NULL, 16, e);
  if (strcmp(h, lua_tostring(L, -1)) != 0) {
    fail("a=%s b=%s expected %s got %.80s", show(a), show(b), show(e), lua_tostring(L, -1));
  } else {
    passed++;
  }
  free(h);
  lua_pop(L, 1);
}

static void check_str(const char *got, const char *exp, mpz_t a) {
  if (strcmp(got, exp) != 0)
    fail("a=%s expected \"%.60s\" got \"%.60s\"", show(a), exp, got);
  else
    passed++;
}

/* ---- protected calls ---- */

static int p_arith(lua_State *L) {
  int op = (int)lua_tointeger(L, 1);
  lua_arith(L, op);
  return 1;
}

static int p_compare(lua_State *L) {
  int op = (int)lua_tointeger(L, 1);
  lua_pushboolean(L, lua_compare(L, 2, 3, op));
  return 1;
}

/* Calls bigint[name] with the n values on top; leaves nres results or an error string.
** Returns the pcall status. */
static int call_fn(const char *name, int n, int nres) {
  lua_getglobal(L, "bigint");
  lua_getfield(L, -1, name);
  lua_remove(L, -2);
  lua_insert(L, -n - 1);
  return lua_pcall(L, n, nres, 0);
}

/* Runs lua_arith(op) on two operands (one may be native); returns pcall status. */
static int do_arith(int op, mpz_t a, mpz_t b, int unary) {
  lua_pushcfunction(L, p_arith);
  lua_pushinteger(L, op);
  int na = push_val(a, !unary);
  if (!unary) {
    push_val(b, na == 0);
  }
  return lua_pcall(L, unary ? 2 : 3, 1, 0);
}

/* ---- expected values ---- */

static void fdiv_expected(mpz_t q, mpz_t r, mpz_t a, mpz_t b) {
  mpz_fdiv_qr(q, r, a, b);
}

/* nearest double, ties to even */
static double nearest(mpz_t x) {
  size_t bits = mpz_sizeinbase(x, 2);
  if (mpz_sgn(x) == 0) return 0;
  if (bits > 1100) return mpz_sgn(x) < 0 ? -HUGE_VAL : HUGE_VAL;
  mpz_t ax, lo, hi, t;
  mpz_inits(ax, lo, hi, t, NULL);
  mpz_abs(ax, x);
  double d = mpz_get_d(ax); /* truncated */
  double r = d;
  if (!isinf(d) && bits > 53) {
    double up = nextafter(d, HUGE_VAL);
    mpz_set_d(lo, d);
    if (isinf(up)) { /* 2^1024 is the "next" value for rounding purposes */
      mpz_set_ui(hi, 0);
      mpz_setbit(hi, 1024);
    } else {
      mpz_set_d(hi, up);
    }
    mpz_add(t, lo, hi);
    mpz_mul_2exp(ax, ax, 1);
    int c = mpz_cmp(ax, t);
    if (c > 0) r = up;
    else if (c == 0) {
      /* tie: the one with an even mantissa */
      int e;
      double m = frexp(d, &e);
      uint64_t mant = (uint64_t)ldexp(m, 53);
      r = (mant & 1) ? up : d;
    }
  }
  mpz_clears(ax, lo, hi, t, NULL);
  return mpz_sgn(x) < 0 ? -r : r;
}

/* ---- the cases ---- */

static void run_case(void) {
  mpz_t a, b, c, e, f;
  mpz_inits(a, b, c, e, f, NULL);
  int top = lua_gettop(L);
  unsigned long w = rnd(1000);
  /* weights: cheap operations often, the quadratic ones less */
  int op;
  if (w < 70) op = ADD;
  else if (w < 130) op = SUB;
  else if (w < 230) op = MUL;
  else if (w < 270) op = SQR;
  else if (w < 340) op = IDIV;
  else if (w < 400) op = MOD;
  else if (w < 450) op = DIVMOD;
  else if (w < 465) op = UNM;
  else if (w < 490) op = POW;
  else if (w < 520) op = BAND;
  else if (w < 550) op = BOR;
  else if (w < 580) op = BXOR;
  else if (w < 595) op = BNOT;
  else if (w < 625) op = SHL;
  else if (w < 655) op = SHR;
  else if (w < 675) op = EQ;
  else if (w < 700) op = LT;
  else if (w < 720) op = LE;
  else if (w < 740) op = CMP;
  else if (w < 752) op = POWMOD;
  else if (w < 762) op = GCD;
  else if (w < 775) op = ISQRT;
  else if (w < 790) op = BITLEN;
  else if (w < 850) op = TOSTR;
  else if (w < 910) op = PARSE;
  else if (w < 935) op = TOBYTES;
  else if (w < 950) op = FROMBYTES;
  else if (w < 965) op = TONUM;
  else if (w < 980) op = TOFLOAT;
  else if (w < 988) op = ABS;
  else if (w < 994) op = SIGN;
  else op = CONCAT;
  cur_op = op;
  opcount[op]++;

  switch (op) {
    case ADD: case SUB: case MUL: case BAND: case BOR: case BXOR: {
      gen(a, 5000);
      gen(b, 5000);
      static const int lop[] = {LUA_OPADD, LUA_OPSUB, LUA_OPMUL, 0, 0, 0, 0, 0, 0,
                                LUA_OPBAND, LUA_OPBOR, LUA_OPBXOR};
      if (op == ADD) mpz_add(e, a, b);
      else if (op == SUB) mpz_sub(e, a, b);
      else if (op == MUL) mpz_mul(e, a, b);
      else if (op == BAND) mpz_and(e, a, b);
      else if (op == BOR) mpz_ior(e, a, b);
      else mpz_xor(e, a, b);
      if (do_arith(lop[op], a, b, 0) != LUA_OK) fail("error %s", lua_tostring(L, -1));
      else check_big(-1, e, a, b);
      break;
    }
    case SQR: { /* the same object on both sides takes the squaring path */
      gen(a, 5000);
      mpz_mul(e, a, a);
      lua_pushcfunction(L, p_arith);
      lua_pushinteger(L, LUA_OPMUL);
      push_val(a, 0);
      lua_pushvalue(L, -1);
      if (lua_pcall(L, 3, 1, 0) != LUA_OK) fail("error %s", lua_tostring(L, -1));
      else check_big(-1, e, a, a);
      break;
    }
    case IDIV: case MOD: case DIVMOD: {
      gen(a, 5000);
      do gen(b, rnd(4) ? 2600 : 5000); while (mpz_sgn(b) == 0);
      fdiv_expected(e, f, a, b);
      if (op == DIVMOD) {
        push_val(a, 1);
        push_val(b, 1);
        if (call_fn("divmod", 2, 2) != LUA_OK) fail("error %s", lua_tostring(L, -1));
        else {
          check_big(-2, e, a, b);
          check_big(-1, f, a, b);
        }
      } else if (do_arith(op == IDIV ? LUA_OPIDIV : LUA_OPMOD, a, b, 0) != LUA_OK) {
        fail("error %s", lua_tostring(L, -1));
      } else {
        check_big(-1, op == IDIV ? e : f, a, b);
      }
      break;
    }
    case UNM: case BNOT: {
      gen(a, 5000);
      if (op == UNM) mpz_neg(e, a); else mpz_com(e, a);
      if (do_arith(op == UNM ? LUA_OPUNM : LUA_OPBNOT, a, a, 1) != LUA_OK)
        fail("error %s", lua_tostring(L, -1));
      else check_big(-1, e, a, a);
      break;
    }
    case POW: {
      gen(a, rnd(3) ? 60 : 1500);
      size_t bits = mpz_sizeinbase(a, 2);
      unsigned long maxe = 60000 / bits;
      mpz_set_ui(b, rnd(maxe + 1));
      mpz_pow_ui(e, a, mpz_get_ui(b));
      if (rnd(2)) {
        if (do_arith(LUA_OPPOW, a, b, 0) != LUA_OK) fail("error %s", lua_tostring(L, -1));
        else check_big(-1, e, a, b);
      } else {
        push_val(a, 1);
        push_val(b, 0);
        if (call_fn("pow", 2, 1) != LUA_OK) fail("error %s", lua_tostring(L, -1));
        else check_big(-1, e, a, b);
      }
      break;
    }
    case SHL: case SHR: {
      gen(a, 5000);
      long s = (long)rnd(rnd(4) ? 200 : 20000);
      if (rnd(5) == 0) s = -s;
      int left = (op == SHL) == (s >= 0);
      unsigned long n = (unsigned long)labs(s);
      if (left) mpz_mul_2exp(e, a, n); else mpz_fdiv_q_2exp(e, a, n);
      mpz_set_si(b, s);
      lua_pushcfunction(L, p_arith);
      lua_pushinteger(L, op == SHL ? LUA_OPSHL : LUA_OPSHR);
      push_val(a, 0);
      if (rnd(4) == 0) push_val(b, 0); else lua_pushinteger(L, s);
      if (lua_pcall(L, 3, 1, 0) != LUA_OK) fail("error %s", lua_tostring(L, -1));
      else check_big(-1, e, a, b);
      break;
    }
    case EQ: case LT: case LE: case CMP: {
      gen(a, 3000);
      int kind = (int)rnd(4);
      if (kind == 0) mpz_set(b, a);
      else if (kind == 1) { mpz_set(b, a); mpz_add_si(b, b, rnd(2) ? 1 : -1); }
      else gen(b, 3000);
      /* sometimes a non-integral float near a */
      double fl = 0;
      int usefloat = (op != EQ || rnd(2)) && rnd(6) == 0 && mpz_sizeinbase(a, 2) < 900;
      if (usefloat) {
        fl = mpz_get_d(a) + (rnd(2) ? 0.5 : -0.25) * (rnd(2) ? 1 : 1e-3);
        if (rnd(10) == 0) fl = rnd(2) ? HUGE_VAL : -HUGE_VAL;
      }
      int swap = (int)rnd(2), got, exp;
      int ca = usefloat ? -mpz_cmp_d(a, fl) : mpz_cmp(b, a); /* sign of (b - a) style */
      (void)ca;
      lua_pushcfunction(L, p_compare);
      lua_pushinteger(L, op == LT ? LUA_OPLT : op == LE ? LUA_OPLE : LUA_OPEQ);
      int x_is_a = !swap;
      /* the operands in order: x then y */
      int cmpxy;
      if (usefloat) {
        int cab = mpz_cmp_d(a, fl); /* a ? fl */
        cmpxy = x_is_a ? cab : -cab;
        if (x_is_a) { push_val(a, 0); lua_pushnumber(L, fl); }
        else { lua_pushnumber(L, fl); push_val(a, 0); }
      } else {
        int cab = mpz_cmp(a, b);
        cmpxy = x_is_a ? cab : -cab;
        if (x_is_a) { push_val(a, 0); push_val(b, 0); }
        else { push_val(b, 0); push_val(a, 0); }
      }
      cmpxy = cmpxy < 0 ? -1 : cmpxy > 0;
      if (op == CMP) {
        lua_remove(L, -3);
        lua_remove(L, -3);
        if (call_fn("cmp", 2, 1) != LUA_OK) { fail("error %s", lua_tostring(L, -1)); break; }
        got = (int)lua_tointeger(L, -1);
        exp = cmpxy;
      } else {
        if (op == EQ && (usefloat || rnd(2))) { /* numbers never reach __eq: bigint.eq */
          lua_remove(L, -3);
          lua_remove(L, -3);
          if (call_fn("eq", 2, 1) != LUA_OK) { fail("error %s", lua_tostring(L, -1)); break; }
        } else if (lua_pcall(L, 3, 1, 0) != LUA_OK) {
          fail("error %s", lua_tostring(L, -1));
          break;
        }
        got = lua_toboolean(L, -1);
        exp = op == EQ ? cmpxy == 0 : op == LT ? cmpxy < 0 : cmpxy <= 0;
      }
      if (got != exp) fail("a=%s b=%s float=%d(%g) swap=%d expected %d got %d", show(a), show(b),
                           usefloat, fl, swap, exp, got);
      else passed++;
      break;
    }
    case POWMOD: {
      gen(a, 300);
      gen(b, rnd(3) ? 30 : 120);
      mpz_abs(b, b);
      do gen(c, 300); while (mpz_sgn(c) == 0);
      mpz_abs(f, c);
      mpz_powm(e, a, b, f);
      if (mpz_sgn(c) < 0 && mpz_sgn(e) != 0) mpz_add(e, e, c);
      push_val(a, 1);
      push_val(b, 1);
      push_val(c, 1);
      if (call_fn("powmod", 3, 1) != LUA_OK) fail("error %s", lua_tostring(L, -1));
      else check_big(-1, e, a, c);
      break;
    }
    case GCD: {
      gen(a, rnd(4) ? 600 : 5000);
      gen(b, rnd(4) ? 600 : 5000);
      if (rnd(4) == 0) { /* a shared factor makes a non-trivial gcd */
        gen(c, 400);
        mpz_mul(a, a, c);
        mpz_mul(b, b, c);
      }
      mpz_gcd(e, a, b);
      push_val(a, 1);
      push_val(b, 1);
      if (call_fn("gcd", 2, 1) != LUA_OK) fail("error %s", lua_tostring(L, -1));
      else check_big(-1, e, a, b);
      break;
    }
    case ISQRT: {
      gen(a, rnd(4) ? 800 : 5000);
      mpz_abs(a, a);
      if (rnd(3) == 0) { /* perfect squares and their neighbours */
        mpz_mul(a, a, a);
        mpz_add_si(a, a, (long)rnd(3) - 1);
        if (mpz_sgn(a) < 0) mpz_set_ui(a, 0);
      }
      mpz_sqrt(e, a);
      push_val(a, 1);
      if (call_fn("isqrt", 1, 1) != LUA_OK) fail("error %s", lua_tostring(L, -1));
      else check_big(-1, e, a, a);
      break;
    }
    case BITLEN: case SIGN: case ABS: {
      gen(a, 5000);
      push_val(a, 1);
      if (op == ABS) {
        mpz_abs(e, a);
        if (call_fn("abs", 1, 1) != LUA_OK) fail("error %s", lua_tostring(L, -1));
        else check_big(-1, e, a, a);
        break;
      }
      long exp = op == SIGN ? mpz_sgn(a) : mpz_sgn(a) == 0 ? 0 : (long)mpz_sizeinbase(a, 2);
      if (call_fn(op == SIGN ? "sign" : "bitlen", 1, 1) != LUA_OK)
        fail("error %s", lua_tostring(L, -1));
      else if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) != exp)
        fail("a=%s expected %ld got %s", show(a), exp, lua_tostring(L, -1));
      else passed++;
      break;
    }
    case TOSTR: case CONCAT: {
      gen(a, 5000);
      int base = rnd(2) ? 10 : rnd(3) ? 16 : 2 + (int)rnd(35);
      if (op == CONCAT) base = 10;
      char *s = mpz_get_str(NULL, base, a);
      push_val(a, 0);
      int st;
      if (op == CONCAT) {
        lua_pushliteral(L, "<");
        lua_insert(L, -2);
        lua_concat(L, 2);
        st = LUA_OK;
        char *t = malloc(strlen(s) + 2);
        t[0] = '<';
        strcpy(t + 1, s);
        free(s);
        s = t;
      } else if (base == 10 && rnd(2)) {
        st = LUA_OK;
        luaL_tolstring(L, -1, NULL); /* __tostring */
        lua_remove(L, -2);
      } else {
        lua_pushinteger(L, base);
        st = call_fn("tostring", 2, 1);
      }
      if (st != LUA_OK) fail("error %s", lua_tostring(L, -1));
      else check_str(lua_tostring(L, -1), s, a);
      free(s);
      break;
    }
    case PARSE: {
      gen(a, 5000);
      int base = rnd(2) ? 10 : rnd(3) ? 16 : 2 + (int)rnd(35);
      char *s = mpz_get_str(NULL, base, mpz_sgn(a) < 0 ? (mpz_neg(f, a), f) : a);
      size_t n = strlen(s);
      char *t = malloc(2 * n + 32), *p = t;
      if (rnd(4) == 0) *p++ = ' ';
      if (mpz_sgn(a) < 0) *p++ = '-';
      else if (rnd(4) == 0) *p++ = '+';
      int passbase = 1;
      if ((base == 16 || base == 2 || base == 8) && rnd(2)) {
        *p++ = '0';
        *p++ = base == 16 ? (rnd(2) ? 'x' : 'X') : base == 2 ? 'b' : 'o';
        passbase = rnd(2);
        if (rnd(8) == 0) *p++ = '_';
      } else if (rnd(6) == 0) {
        *p++ = '0'; /* a leading zero */
      }
      for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (rnd(3) == 0 && ch >= 'a') ch = (char)(ch - 'a' + 'A');
        *p++ = ch;
        if (i + 1 < n && rnd(16) == 0) *p++ = '_';
      }
      if (rnd(4) == 0) *p++ = '\n';
      size_t tl = (size_t)(p - t);
      lua_pushlstring(L, t, tl);
      int st;
      if (passbase) {
        lua_pushinteger(L, base);
        st = call_fn("new", 2, 1);
      } else {
        st = call_fn("new", 1, 1);
      }
      if (base == 10 && passbase && rnd(2)) { /* bigint(s) too */
        lua_settop(L, top);
        lua_getglobal(L, "bigint");
        lua_pushlstring(L, t, tl);
        st = lua_pcall(L, 1, 1, 0);
      }
      if (st != LUA_OK) fail("\"%.60s\" base %d: error %s", t, base, lua_tostring(L, -1));
      else check_big(-1, a, a, a);
      free(s);
      free(t);
      break;
    }
    case TOBYTES: {
      gen(a, 2000);
      int sgn = mpz_sgn(a) < 0 || rnd(2);
      /* the smallest width */
      size_t need = 1;
      for (;;) {
        mpz_set_ui(f, 0);
        mpz_setbit(f, 8 * need - (sgn ? 1 : 0)); /* f = limit */
        mpz_neg(c, f);
        if (mpz_cmp(a, f) < 0 && (!sgn || mpz_cmp(a, c) >= 0)) break;
        need++;
      }
      int mode = (int)rnd(4); /* 0: no width, 1: exact, 2: wider, 3: too narrow */
      if (mode == 3 && need == 1) mode = 1;
      size_t width = mode == 0 ? need : mode == 1 ? need : mode == 2 ? need + 1 + rnd(5) : need - 1;
      push_val(a, 1);
      if (mode == 0) lua_pushnil(L); else lua_pushinteger(L, (lua_Integer)width);
      lua_pushboolean(L, sgn);
      int st = call_fn("tobytes", 3, 1);
      if (mode == 3) {
        if (st == LUA_OK) fail("a=%s width %zu: expected an error", show(a), width);
        else passed++;
        break;
      }
      if (st != LUA_OK) { fail("a=%s: error %s", show(a), lua_tostring(L, -1)); break; }
      mpz_set(c, a);
      if (mpz_sgn(c) < 0) {
        mpz_set_ui(f, 0);
        mpz_setbit(f, 8 * width);
        mpz_add(c, c, f);
      }
      unsigned char *buf = calloc(width + 1, 1);
      size_t cnt = 0;
      unsigned char *tmpb = mpz_export(NULL, &cnt, 1, 1, 1, 0, c);
      memcpy(buf + width - cnt, tmpb, cnt);
      free(tmpb);
      size_t gl;
      const char *g = lua_tolstring(L, -1, &gl);
      if (gl != width || memcmp(g, buf, width) != 0) fail("a=%s width %zu signed %d", show(a), width, sgn);
      else passed++;
      free(buf);
      break;
    }
    case FROMBYTES: {
      size_t n = rnd(4) ? rnd(40) : rnd(700);
      unsigned char *buf = malloc(n + 1);
      int pat = (int)rnd(3);
      for (size_t i = 0; i < n; i++) buf[i] = pat == 0 ? (unsigned char)rnd(256) : pat == 1 ? 0xff : (i ? 0 : 0x80);
      int sgn = (int)rnd(2);
      mpz_import(e, n, 1, 1, 1, 0, buf);
      if (sgn && n > 0 && (buf[0] & 0x80)) {
        mpz_set_ui(f, 0);
        mpz_setbit(f, 8 * n);
        mpz_sub(e, e, f);
      }
      lua_pushlstring(L, (const char *)buf, n);
      lua_pushboolean(L, sgn);
      free(buf);
      if (call_fn("frombytes", 2, 1) != LUA_OK) fail("error %s", lua_tostring(L, -1));
      else check_big(-1, e, e, e);
      break;
    }
    case TONUM: {
      gen(a, rnd(2) ? 19 : 40);
      push_val(a, 0);
      int fits = mpz_fits_slong_p(a);
      int st = call_fn("tonumber", 1, 1);
      if (fits && st == LUA_OK && lua_isinteger(L, -1) && lua_tointeger(L, -1) == mpz_get_si(a)) passed++;
      else if (!fits && st != LUA_OK) passed++;
      else fail("a=%s fits=%d status=%d got %s", show(a), fits, st, lua_tostring(L, -1));
      break;
    }
    case TOFLOAT: {
      gen(a, rnd(8) ? 400 : 330);
      if (rnd(4) == 0) { /* halfway cases */
        mpz_set_ui(a, 0);
        mpz_setbit(a, 60 + rnd(900));
        mpz_setbit(a, mpz_sizeinbase(a, 2) - 54);
        if (rnd(2)) mpz_setbit(a, mpz_sizeinbase(a, 2) - 53);
        if (rnd(2)) mpz_setbit(a, rnd(mpz_sizeinbase(a, 2) - 54));
        if (rnd(2)) mpz_neg(a, a);
      }
      double ex = nearest(a);
      push_val(a, 0);
      lua_pushliteral(L, "float");
      if (call_fn("tonumber", 2, 1) != LUA_OK) fail("error %s", lua_tostring(L, -1));
      else if (lua_isinteger(L, -1) || lua_tonumber(L, -1) != ex)
        fail("a=%s expected %.17g got %.17g", show(a), ex, lua_tonumber(L, -1));
      else passed++;
      break;
    }
  }
  lua_settop(L, top);
  mpz_clears(a, b, c, e, f, NULL);
}

int main(int argc, char **argv) {
  cu_maxstack = 1000000;  /* the runtime sets it per unit; these states are not units */
  /* nor do they run computes: the work bigint.c counts meets no limit */
  cu_current()->lim.max_instructions = cu_current()->lim.max_ms = HUGE_VAL;
  long cases = argc > 1 ? atol(argv[1]) : ORACLE_CASES;
  unsigned long seed = argc > 2 ? strtoul(argv[2], NULL, 10) : ORACLE_SEED;
  gmp_randinit_default(rs);
  gmp_randseed_ui(rs, seed);
  L = luaL_newstate();
  luaL_openlibs(L);
  luaL_requiref(L, "bigint", luaopen_bigint, 1);
  lua_pop(L, 1);
  for (long i = 0; i < cases; i++) {
    run_case();
    if (i % 1000 == 999) lua_gc(L, LUA_GCCOLLECT);
  }
  if (getenv("BIGINT_ORACLE_VERBOSE"))
    for (int i = 0; i < NOPS; i++) fprintf(stderr, "%-10s %ld\n", opnames[i], opcount[i]);
  lua_close(L);
  gmp_randclear(rs);
  printf("%ld passed, %ld failed\n", passed, failed);
  return failed != 0;
}
