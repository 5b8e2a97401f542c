/*
** bigint.c: arbitrary-precision integers for Lua, as immutable "bigint" userdata.
**
** Numbers are sign and magnitude, the magnitude in 32-bit limbs (least significant
** first) because wasm32 has a fast 32x32->64 multiply but no 128-bit type. Every buffer,
** temporaries included, is Lua userdata: the unit's memory cap applies to it, and when an
** allocation fails in the middle of an operation Lua's longjmp leaves nothing behind
** that the garbage collector cannot reclaim.
*/
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <limits.h>

#include "lua.h"
#include "lauxlib.h"
#include "lstate.h" /* tobig reads a value's metatable directly */
#include "bigint.h"
#include "cu_limits.h"

typedef uint32_t limb;
typedef uint64_t dlimb;

/* Sizes in limbs where the subquadratic algorithms start to pay; measured in wasm
** (see docs/bigint.md). Overridable so the tests can exercise both sides. */
#ifndef BIG_KARA_THRESHOLD
#define BIG_KARA_THRESHOLD 96
#endif
#ifndef BIG_KSQR_THRESHOLD
#define BIG_KSQR_THRESHOLD 96
#endif
#ifndef BIG_TOOM3_THRESHOLD
#define BIG_TOOM3_THRESHOLD 200
#endif
#ifndef BIG_TSQR_THRESHOLD
#define BIG_TSQR_THRESHOLD 200
#endif
#ifndef BIG_TOSTR_THRESHOLD
#define BIG_TOSTR_THRESHOLD 24
#endif
#ifndef BIG_PARSE_THRESHOLD
#define BIG_PARSE_THRESHOLD 40 /* chunks of digits, each one limb */
#endif

/* Work counts against the compute's limits (cu_limits.h) as one unit per BIG_WORK_UNIT
** limb operations, about the time of a Lua instruction, so that the instruction budget
** and the deadline hold for the loops that run in C (powmod, gcd, isqrt, a power's
** squarings, the conversions' recursion) as they do for Lua's own. */
#ifndef BIG_WORK_UNIT
#define BIG_WORK_UNIT 16
#endif

/* Keeps every byte count below 2^31, so nothing overflows a 32-bit size_t. */
#define BIG_MAXLIMBS ((size_t)0x1ffffff0)

#if defined(__GNUC__)
#define BIG_NORET __attribute__((noreturn))
#define BIG_UNUSED __attribute__((unused))
#else
#define BIG_NORET
#define BIG_UNUSED
#endif

typedef struct Big {
  int32_t neg;  /* 1 when negative; zero is never negative */
  uint32_t n;   /* limbs in use; the top one is non-zero */
  limb d[];
} Big;

#define MTNAME "bigint"
#define UPMETA lua_upvalueindex(1)

/* Counts units of work. The kernels only count: they have no lua_State to raise the
** limit's error with, and big_check does that between them. */
__attribute__((noinline)) static void big_spend(uint64_t units) {
  (void)limits_spend(units < (1u << 30) ? (int)units : 1 << 30);
}

/* Counts ops limb operations; below a unit's worth there is no call, so the small
** numbers' operations cost no more than before. */
static inline void big_work(uint64_t ops) {
  if (ops >= BIG_WORK_UNIT) big_spend(ops / BIG_WORK_UNIT);
}

/* Raises the limit's error once the work counted has exceeded a limit. Called from the
** functions Lua calls, after each step of their loops: a step is one kernel call, so the
** limits stop a loop in C within one multiplication or division. */
__attribute__((noinline)) static void big_check(lua_State *L) {
  limits_charge(L, 1);
}

/* ---------------------------------------------------------------------------------- */
/* Natural-number kernels on limb arrays. */

static size_t ln_norm(const limb *a, size_t n) {
  while (n > 0 && a[n - 1] == 0) n--;
  return n;
}

static int ln_cmp(const limb *a, size_t an, const limb *b, size_t bn) {
  if (an != bn) return an < bn ? -1 : 1;
  while (an-- > 0)
    if (a[an] != b[an]) return a[an] < b[an] ? -1 : 1;
  return 0;
}

/* Two limbs at a time, as one 64-bit word: half the loop trips and carry steps of a
** limb-at-a-time loop (3-4x faster in wasm). Written portably; on little-endian targets
** such as wasm the compiler makes each a single 64-bit load or store. */
static uint64_t ld64(const limb *p) { return (uint64_t)p[1] << 32 | p[0]; }
static void st64(limb *p, uint64_t v) { p[0] = (limb)v; p[1] = (limb)(v >> 32); }

/* r = a + b with an >= bn; r may be a. Returns the carry. */
static limb ln_add(limb *r, const limb *a, size_t an, const limb *b, size_t bn) {
  uint64_t c = 0;
  size_t i = 0;
  for (; i + 2 <= bn; i += 2) {
    uint64_t x = ld64(a + i), s = x + ld64(b + i);
    uint64_t c1 = s < x;
    s += c;
    c = c1 | (s < c);
    st64(r + i, s);
  }
  if (i < bn) {
    dlimb t = (dlimb)a[i] + b[i] + c;
    r[i] = (limb)t;
    c = t >> 32;
    i++;
  }
  if (r == a) {  /* in place: done as soon as the carry is */
    for (; c != 0 && i < an; i++) c = ++r[i] == 0;
    return (limb)c;
  }
  for (; i < an; i++) {
    dlimb t = (dlimb)a[i] + c;
    r[i] = (limb)t;
    c = t >> 32;
  }
  return (limb)c;
}

/* r = a - b with an >= bn; r may be a. Returns the borrow. */
static limb ln_sub(limb *r, const limb *a, size_t an, const limb *b, size_t bn) {
  uint64_t br = 0;
  size_t i = 0;
  for (; i + 2 <= bn; i += 2) {
    uint64_t x = ld64(a + i), y = ld64(b + i), d = x - y;
    uint64_t b1 = x < y;
    b1 |= d < br;
    st64(r + i, d - br);
    br = b1;
  }
  if (i < bn) {
    dlimb t = (dlimb)a[i] - b[i] - br;
    r[i] = (limb)t;
    br = (limb)(t >> 63);
    i++;
  }
  if (r == a) {
    for (; br != 0 && i < an; i++) br = r[i]-- == 0;
    return (limb)br;
  }
  for (; i < an; i++) {
    dlimb t = (dlimb)a[i] - br;
    r[i] = (limb)t;
    br = (limb)(t >> 63);
  }
  return (limb)br;
}

/* Adds a single limb in place; returns the carry out of the top. */
static limb ln_add1(limb *r, size_t n, limb v) {
  for (size_t i = 0; v != 0 && i < n; i++) {
    r[i] += v;
    v = r[i] < v;
  }
  return v;
}

static limb ln_sub1(limb *r, size_t n, limb v) {
  for (size_t i = 0; v != 0 && i < n; i++) {
    limb t = r[i];
    r[i] = t - v;
    v = t < v;
  }
  return v;
}

/* r = a * b; r may be a. */
static limb ln_mul1(limb *r, const limb *a, size_t n, limb b) {
  dlimb c = 0;
  for (size_t i = 0; i < n; i++) {
    c += (dlimb)a[i] * b;
    r[i] = (limb)c;
    c >>= 32;
  }
  return (limb)c;
}

/* r += a * b; returns the carry limb. */
static limb ln_addmul1(limb *r, const limb *a, size_t n, limb b) {
  dlimb c = 0;
  size_t i = 0;
  /* unrolled by two: the loop overhead is a real share of wasm's cost here */
  for (; i + 1 < n; i += 2) {
    c += (dlimb)a[i] * b + r[i];
    r[i] = (limb)c;
    c >>= 32;
    c += (dlimb)a[i + 1] * b + r[i + 1];
    r[i + 1] = (limb)c;
    c >>= 32;
  }
  if (i < n) {
    c += (dlimb)a[i] * b + r[i];
    r[i] = (limb)c;
    c >>= 32;
  }
  return (limb)c;
}

/* r -= a * b; returns what is still owed above r[n-1] (it can reach 2^32). */
static dlimb ln_submul1(limb *r, const limb *a, size_t n, limb b) {
  dlimb c = 0;
  for (size_t i = 0; i < n; i++) {
    dlimb p = (dlimb)a[i] * b + c;
    limb lo = (limb)p, t = r[i];
    c = (p >> 32) + (t < lo);
    r[i] = t - lo;
  }
  return c;
}

/* r = a << s, 0 <= s < 32; returns the bits shifted out. r may be a. */
static limb ln_lshift(limb *r, const limb *a, size_t n, unsigned s) {
  if (s == 0) {
    if (r != a) memmove(r, a, n * sizeof(limb));
    return 0;
  }
  if (n == 0) return 0;
  limb out = a[n - 1] >> (32 - s);
  size_t i = n - 1;
  /* from the top down, two limbs per step: r[i-1..i] from the word a[i-1..i] and a[i-2] */
  for (; i >= 2; i -= 2)
    st64(r + i - 1, (ld64(a + i - 1) << s) | (a[i - 2] >> (32 - s)));
  for (; i > 0; i--) r[i] = (a[i] << s) | (a[i - 1] >> (32 - s));
  r[0] = a[0] << s;
  return out;
}

/* r = a >> s, 0 <= s < 32; returns the bits shifted out (in the top of a limb). r may be a. */
static limb ln_rshift(limb *r, const limb *a, size_t n, unsigned s) {
  if (s == 0) {
    if (r != a) memmove(r, a, n * sizeof(limb));
    return 0;
  }
  if (n == 0) return 0;
  limb out = a[0] << (32 - s);
  size_t i = 0;
  for (; i + 3 <= n; i += 2) {
    uint64_t w = ld64(a + i);
    st64(r + i, (w >> s) | ((uint64_t)a[i + 2] << (64 - s)));
  }
  for (; i + 1 < n; i++) r[i] = (a[i] >> s) | (a[i + 1] << (32 - s));
  r[n - 1] = a[n - 1] >> s;
  return out;
}

static unsigned clz32(limb x) {
  return x == 0 ? 32 : (unsigned)__builtin_clz(x);
}

static size_t ln_bitlen(const limb *a, size_t n) {
  return n == 0 ? 0 : n * 32 - clz32(a[n - 1]);
}

/* |a - b| into r (an limbs, an >= bn, b zero-extended); returns 1 when b > a. */
static int ln_absdiff(limb *r, const limb *a, size_t an, const limb *b, size_t bn) {
  int less = 0;
  size_t i = an;
  while (i > bn && a[i - 1] == 0) i--;
  if (i == bn) less = ln_cmp(a, bn, b, bn) < 0;
  if (!less) {
    ln_sub(r, a, an, b, bn);
  } else {
    ln_sub(r, b, bn, a, bn);
    for (i = bn; i < an; i++) r[i] = 0;
  }
  return less;
}

/* ---- multiplication ---- */

/* r[0..n) += a * (b0 + b1 B), setting r[n] and r[n+1]. Two rows per pass halve the loads
** and stores of r; each row keeps its own carry so no sum exceeds 64 bits. */
static void ln_addmul2(limb *r, const limb *a, size_t n, limb b0, limb b1) {
  dlimb cx = 0, cy = 0;
  limb prev = 0;
  for (size_t i = 0; i < n; i++) {
    limb ai = a[i];
    dlimb x = (dlimb)ai * b0 + r[i] + cx;
    dlimb y = (dlimb)prev * b1 + (limb)x + cy;
    cx = x >> 32;
    cy = y >> 32;
    r[i] = (limb)y;
    prev = ai;
  }
  dlimb y = (dlimb)prev * b1 + cx + cy;
  r[n] = (limb)y;
  r[n + 1] = (limb)(y >> 32);
}

#if defined(__wasm__) && defined(__clang__) && !defined(BIG_NO_SIMD)
#include <wasm_simd128.h>
#define BIG_COMBA_MAX 256
#ifndef BIG_COMBA_MIN
#define BIG_COMBA_MIN 20 /* below this the scalar rows measured faster */
#endif

/* Column-wise (Comba) product with wasm SIMD: extmul makes two 32x32->64 products per
** instruction; their low and high halves are summed in separate 64-bit lanes, so no
** carry is propagated until each column is complete. b is reversed first so that every
** column is a dot product of two contiguous runs. bn <= BIG_COMBA_MAX. */
__attribute__((target("simd128")))
static void ln_mul_comba(limb *r, const limb *a, size_t an, const limb *b, size_t bn) {
  limb brev[BIG_COMBA_MAX];
  for (size_t t = 0; t < bn; t++) brev[t] = b[bn - 1 - t];
  dlimb carry = 0;
  for (size_t k = 0; k + 1 < an + bn; k++) {
    size_t i0 = k >= bn ? k - bn + 1 : 0, i1 = k < an ? k : an - 1;
    const limb *pa = a + i0, *pb = brev + (bn - 1 - k + i0);
    size_t len = i1 - i0 + 1, t = 0;
    /* whole products summed mod 2^64, and their high halves exactly: the sum of the low
    ** halves (below 2^64) is the difference, which saves masking every product */
    v128_t all = wasm_i64x2_splat(0), hi = all;
    for (; t + 4 <= len; t += 4) {
      v128_t va = wasm_v128_load(pa + t), vb = wasm_v128_load(pb + t);
      v128_t p0 = wasm_u64x2_extmul_low_u32x4(va, vb), p1 = wasm_u64x2_extmul_high_u32x4(va, vb);
      all = wasm_i64x2_add(all, wasm_i64x2_add(p0, p1));
      hi = wasm_i64x2_add(hi, wasm_i64x2_add(wasm_u64x2_shr(p0, 32), wasm_u64x2_shr(p1, 32)));
    }
    dlimb sh = (dlimb)wasm_i64x2_extract_lane(hi, 0) + (dlimb)wasm_i64x2_extract_lane(hi, 1);
    dlimb sl = (dlimb)wasm_i64x2_extract_lane(all, 0) + (dlimb)wasm_i64x2_extract_lane(all, 1);
    sl -= sh << 32;
    for (; t < len; t++) {
      dlimb p = (dlimb)pa[t] * pb[t];
      sl += (limb)p;
      sh += p >> 32;
    }
    carry += sl;
    r[k] = (limb)carry;
    carry = (carry >> 32) + sh;
  }
  r[an + bn - 1] = (limb)carry;
}
#define HAVE_COMBA 1
#endif

static void ln_mul_basic(limb *r, const limb *a, size_t an, const limb *b, size_t bn) {
  big_work((uint64_t)an * bn);
#ifdef HAVE_COMBA
  if (bn <= BIG_COMBA_MAX && bn >= BIG_COMBA_MIN) {
    ln_mul_comba(r, a, an, b, bn);
    return;
  }
#endif
  size_t j;
  if (bn & 1) {
    r[an] = ln_mul1(r, a, an, b[0]);
    j = 1;
  } else {
    memset(r, 0, an * sizeof(limb));
    j = 0;
  }
  for (; j < bn; j += 2) ln_addmul2(r + j, a, an, b[j], b[j + 1]);
}

/* Not used by the wasm build, where ln_mul_basic measured faster (see ln_sqr). */
static BIG_UNUSED void ln_sqr_basic(limb *r, const limb *a, size_t n) {
  memset(r, 0, 2 * n * sizeof(limb));
  /* each cross product once, then doubled, then the squares on the diagonal */
  for (size_t i = 0; i + 1 < n; i++)
    r[i + n] = ln_addmul1(r + 2 * i + 1, a + i + 1, n - i - 1, a[i]);
  ln_lshift(r, r, 2 * n, 1);
  dlimb c = 0;
  for (size_t i = 0; i < n; i++) {
    dlimb sq = (dlimb)a[i] * a[i];
    c += (dlimb)r[2 * i] + (limb)sq;
    r[2 * i] = (limb)c;
    c >>= 32;
    c += (dlimb)r[2 * i + 1] + (sq >> 32);
    r[2 * i + 1] = (limb)c;
    c >>= 32;
  }
}

/* Scratch limbs the Karatsuba and Toom-3 recursion needs for n x n: at each level the
** larger of the two algorithms' needs, and children of at most (n + 1) / 2 limbs. */
static size_t kara_tmp(size_t n) {
  size_t t = 0;
  while (n >= 4) {
    size_t h = (n + 1) / 2, kara = 6 * h + 2, toom = 12 * (n / 3 + 2);
    t += kara > toom ? kara : toom;
    n = h;
  }
  return t + 4;
}

static void ln_kmul(limb *r, const limb *a, const limb *b, size_t n, limb *tmp);
static void ln_ksqr(limb *r, const limb *a, size_t n, limb *tmp);
static void ln_sqr(limb *r, const limb *a, size_t n, limb *tmp);

/* Toom-3's evaluation of x = x0 + x1 X + x2 X^2 (parts of k, k and s limbs) at 1, -1
** and 2, in one pass: p1 = x(1), pm = |x(-1)|, p2 = x(2), each k + 1 limbs. Returns 1
** when x(-1) < 0. (Signed >> is arithmetic in every compiler Cu is built with.) */
static int toom3_eval(limb *p1, limb *pm, limb *p2, const limb *x, size_t k, size_t s) {
  const limb *x1 = x + k, *x2 = x + 2 * k;
  uint64_t c1 = 0, c2 = 0;
  int64_t cm = 0;
  for (size_t i = 0; i < k; i++) {
    uint64_t a0 = x[i], a1 = x1[i], a2 = i < s ? x2[i] : 0;
    c1 += a0 + a1 + a2;
    c2 += a0 + 2 * a1 + 4 * a2;
    cm += (int64_t)(a0 + a2) - (int64_t)a1;
    p1[i] = (limb)c1;
    p2[i] = (limb)c2;
    pm[i] = (limb)cm;
    c1 >>= 32;
    c2 >>= 32;
    cm >>= 32;
  }
  p1[k] = (limb)c1;
  p2[k] = (limb)c2;
  pm[k] = (limb)cm;
  if (cm >= 0) return 0;
  limb borrow = 0; /* pm = 0 - pm, over k + 1 limbs */
  for (size_t i = 0; i <= k; i++) {
    limb v = pm[i];
    pm[i] = 0 - v - borrow;
    borrow = (v | borrow) != 0;
  }
  return 1;
}

/* Toom-3 (Toom-Cook with 3 parts): r[0..2n) = a * b, or a^2 when b is NULL. With
** x = B^k, a = a0 + a1 x + a2 x^2 and likewise b; the product's five coefficients come
** from five products of k + 1 limbs, at x = 0, 1, -1, 2 and infinity, instead of
** Karatsuba's 3 + 3 = 9 of half that size. The evaluation and the interpolation each
** run as a few fused passes with signed accumulators: as separate additions, shifts and
** subtractions they took a tenth of a 10,000-digit product. n >= 9. */
static void ln_toom3(limb *r, const limb *a, const limb *b, size_t n, limb *tmp) {
  size_t k = (n + 2) / 3, s = n - 2 * k, m = k + 1, L = 2 * m;
  limb *pa1 = tmp, *pam = pa1 + m, *pa2 = pam + m, *pb1 = pa2 + m, *pbm = pb1 + m,
       *pb2 = pbm + m, *v1 = pb2 + m, *vm1 = v1 + L, *v2 = vm1 + L, *rec = v2 + L;
  int negm = toom3_eval(pa1, pam, pa2, a, k, s);
  if (b) {
    negm ^= toom3_eval(pb1, pbm, pb2, b, k, s);
    ln_kmul(v1, pa1, pb1, m, rec);
    ln_kmul(vm1, pam, pbm, m, rec);
    ln_kmul(v2, pa2, pb2, m, rec);
    ln_kmul(r, a, b, k, rec);                      /* x = 0 */
    ln_kmul(r + 4 * k, a + 2 * k, b + 2 * k, s, rec); /* x = infinity */
  } else {
    negm = 0;
    ln_sqr(v1, pa1, m, rec);
    ln_sqr(vm1, pam, m, rec);
    ln_sqr(v2, pa2, m, rec);
    ln_sqr(r, a, k, rec);
    ln_sqr(r + 4 * k, a + 2 * k, s, rec);
  }
  memset(r + 2 * k, 0, 2 * k * sizeof(limb));
  const limb *c0 = r, *c4 = r + 4 * k;
  /* v1 := v1 + v(-1) - 2 c0 - 2 c4 = 2 c2, and vm1 := v1 - v(-1) = 2 (c1 + c3) */
  int64_t x = 0, y = 0;
  for (size_t i = 0; i < L; i++) {
    int64_t p = v1[i], q = negm ? -(int64_t)vm1[i] : (int64_t)vm1[i];
    int64_t e = (i < 2 * k ? (int64_t)c0[i] : 0) + (i < 2 * s ? (int64_t)c4[i] : 0);
    x += p + q - 2 * e;
    y += p - q;
    v1[i] = (limb)x;
    vm1[i] = (limb)y;
    x >>= 32;
    y >>= 32;
  }
  /* v2 = c0 + 2 c1 + 4 c2 + 8 c3 + 16 c4, so v2 - c0 - 16 c4 - 2 (2 c2) - 2 (c1 + c3) = 6 c3 */
  int64_t z = 0;
  for (size_t i = 0; i < L; i++) {
    int64_t e = (i < 2 * k ? (int64_t)c0[i] : 0) + (i < 2 * s ? 16 * (int64_t)c4[i] : 0);
    z += (int64_t)v2[i] - e - 2 * (int64_t)v1[i] - (int64_t)vm1[i];
    v2[i] = (limb)z;
    z >>= 32;
  }
  /* v2 := v2 / 6: halved on the fly, then divided by 3 exactly a word at a time (times
     3's inverse mod 2^64, carrying q * 3 >> 64, at most 2, as a borrow) */
  uint64_t c = 0;
  for (size_t i = 0; i < L; i += 2) { /* L is even */
    uint64_t h = ld64(v2 + i) >> 1 | (i + 2 < L ? (uint64_t)v2[i + 2] << 63 : 0);
    uint64_t t = h - c, q = t * 0xaaaaaaaaaaaaaaabull, q2 = q << 1;
    c = (h < c) + (q >> 63) + (q2 + q < q2);
    st64(v2 + i, q);
  }
  /* v1 := v1 / 2 = c2, and vm1 := vm1 / 2 - c3 = c1 */
  y = 0;
  for (size_t i = 0; i < L; i++) {
    limb up1 = i + 1 < L ? v1[i + 1] : 0, upm = i + 1 < L ? vm1[i + 1] : 0;
    v1[i] = v1[i] >> 1 | up1 << 31;
    y += (int64_t)(vm1[i] >> 1 | upm << 31) - (int64_t)v2[i];
    vm1[i] = (limb)y;
    y >>= 32;
  }
  /* r = c0 + c1 x + c2 x^2 + c3 x^3 + c4 x^4 */
  ln_add(r + k, r + k, 2 * n - k, vm1, ln_norm(vm1, L));
  ln_add(r + 2 * k, r + 2 * k, 2 * n - 2 * k, v1, ln_norm(v1, L));
  ln_add(r + 3 * k, r + 3 * k, 2 * n - 3 * k, v2, ln_norm(v2, L));
}

/* r[0..2n) = z0 + z1 B^h + z2 B^2h, given z0 and z2 in place and t = |a0-a1| |b0-b1|:
** z1 = z0 + z2 -/+ t, summed in one pass with a signed accumulator, into w. */
static void kara_combine(limb *r, size_t n, size_t h, limb *w, const limb *t, int add_t) {
  const limb *z0 = r, *z2 = r + 2 * h;
  size_t z2n = 2 * (n - h);
  int64_t c = 0;
  for (size_t i = 0; i < 2 * h; i++) {
    int64_t ti = t[i];
    c += (int64_t)z0[i] + (i < z2n ? (int64_t)z2[i] : 0) + (add_t ? ti : -ti);
    w[i] = (limb)c;
    c >>= 32;
  }
  w[2 * h] = (limb)c;
  ln_add(r + h, r + h, 2 * n - h, w, ln_norm(w, 2 * h + 1));
}

static void ln_kmul(limb *r, const limb *a, const limb *b, size_t n, limb *tmp) {
  if (n < BIG_KARA_THRESHOLD || n < 4) {
    ln_mul_basic(r, a, n, b, n);
    return;
  }
  if (n >= BIG_TOOM3_THRESHOLD && n >= 9) {
    ln_toom3(r, a, b, n, tmp);
    return;
  }
  size_t h = (n + 1) / 2, hn = n - h;
  limb *da = tmp, *db = tmp + h, *t = tmp + 2 * h, *w = tmp + 4 * h, *rec = tmp + 6 * h + 2;
  int sa = ln_absdiff(da, a, h, a + h, hn);
  int sb = ln_absdiff(db, b, h, b + h, hn);
  ln_kmul(r, a, b, h, rec);
  ln_kmul(r + 2 * h, a + h, b + h, hn, rec);
  ln_kmul(t, da, db, h, rec);
  kara_combine(r, n, h, w, t, sa != sb);
}

static void ln_ksqr(limb *r, const limb *a, size_t n, limb *tmp) {
  size_t h = (n + 1) / 2, hn = n - h;
  limb *da = tmp, *t = tmp + 2 * h, *w = tmp + 4 * h, *rec = tmp + 6 * h + 2;
  ln_absdiff(da, a, h, a + h, hn);
  ln_sqr(r, a, h, rec);
  ln_sqr(r + 2 * h, a + h, hn, rec);
  ln_sqr(t, da, h, rec);
  kara_combine(r, n, h, w, t, 0);
}

/* r[0..2n) = a^2; tmp holds kara_tmp(n) limbs. */
static void ln_sqr(limb *r, const limb *a, size_t n, limb *tmp) {
  if (n == 0) return;
  if (n < BIG_KSQR_THRESHOLD || n < 4)
#ifdef HAVE_COMBA /* in wasm the general product measured faster than the one-row square */
    ln_mul_basic(r, a, n, a, n);
#else
    ln_sqr_basic(r, a, n);
#endif
  else if (n >= BIG_TSQR_THRESHOLD && n >= 9)
    ln_toom3(r, a, NULL, n, tmp);
  else
    ln_ksqr(r, a, n, tmp);
}

/* Scratch for ln_mul(an, bn), an >= bn. */
static size_t mul_tmp(size_t an, size_t bn) {
  if (bn < BIG_KARA_THRESHOLD) return 0;
  if (an == bn) return kara_tmp(bn);
  size_t rem = an % bn, t = kara_tmp(bn);
  if (rem > 0) {
    size_t u = rem > bn ? mul_tmp(rem, bn) : mul_tmp(bn, rem);
    if (u > t) t = u;
  }
  return 2 * bn + t;
}

/* r[0..an+bn) = a * b with an >= bn >= 1; r must not overlap a or b. */
static void ln_mul(limb *r, const limb *a, size_t an, const limb *b, size_t bn, limb *tmp) {
  if (bn < BIG_KARA_THRESHOLD) {
    ln_mul_basic(r, a, an, b, bn);
    return;
  }
  if (an == bn) {
    ln_kmul(r, a, b, bn, tmp);
    return;
  }
  /* unbalanced: slices of a the size of b, each a balanced product */
  limb *p = tmp, *rec = tmp + 2 * bn;
  ln_kmul(r, a, b, bn, rec);
  memset(r + 2 * bn, 0, (an - bn) * sizeof(limb));
  size_t off = bn;
  for (; off + bn <= an; off += bn) {
    ln_kmul(p, a + off, b, bn, rec);
    ln_add(r + off, r + off, an + bn - off, p, 2 * bn);
  }
  size_t rem = an - off;
  if (rem > 0) {
    ln_mul(p, b, bn, a + off, rem, rec);
    ln_add(r + off, r + off, an + bn - off, p, bn + rem);
  }
}

/* ---- division ---- */

/* q = a / d, returns a % d. q may be a or NULL. (wasm's 64-bit division measured faster
** here than a multiplication by a precomputed inverse.) */
static limb ln_divrem1(limb *q, const limb *a, size_t n, limb d) {
  dlimb r = 0;
  big_work(n);
  for (size_t i = n; i-- > 0;) {
    dlimb cur = (r << 32) | a[i];
    dlimb qq = cur / d;
    r = cur - qq * d;
    if (q) q[i] = (limb)qq;
  }
  return (limb)r;
}

/* Knuth's algorithm D, in place on a normalized divisor (top bit of b[n-1] set): a has
** n + m limbs; on return q[0..m) and the returned top limb (0 or 1) are the quotient
** and a[0..n) the remainder, with a[n..n+m) zero. */
static limb ln_divrem_basecase(limb *q, limb *a, size_t m, const limb *b, size_t n) {
  limb qh = 0;
  big_work((uint64_t)(m + 1) * n);
  if (ln_cmp(a + m, n, b, n) >= 0) {
    ln_sub(a + m, a + m, n, b, n);
    qh = 1;
  }
  if (n == 1) {
    dlimb r = a[m];
    for (size_t i = m; i-- > 0;) {
      dlimb cur = (r << 32) | a[i];
      q[i] = (limb)(cur / b[0]);
      r = cur % b[0];
    }
    a[0] = (limb)r;
    memset(a + 1, 0, m * sizeof(limb));
    return qh;
  }
  limb vh = b[n - 1], vl = b[n - 2];
  for (size_t j = m; j-- > 0;) {
    dlimb num = ((dlimb)a[j + n] << 32) | a[j + n - 1];
    dlimb qh2 = num / vh, rh = num % vh;
    /* the estimate is at most 2 too big; the test on vl removes nearly all of that */
    while ((qh2 >> 32) != 0 || qh2 * vl > ((rh << 32) | a[j + n - 2])) {
      qh2--;
      rh += vh;
      if ((rh >> 32) != 0) break;
    }
    dlimb owed = ln_submul1(a + j, b, n, (limb)qh2);
    if (owed > a[j + n]) {
      qh2--;
      ln_add(a + j, a + j, n, b, n);
    }
    a[j + n] = 0;
    q[j] = (limb)qh2;
  }
  return qh;
}

#ifndef BIG_DC_DIV_THRESHOLD
#define BIG_DC_DIV_THRESHOLD 24
#endif

static size_t dc_tmp(size_t m) {
  return m + 1 + 8 * m + kara_tmp(m) + 8;
}

/* Subtracts 1 from the quotient q[0..n) with its top limb *qh. */
static void q_dec(limb *q, size_t n, limb *qh) {
  if (ln_sub1(q, n, 1)) (*qh)--;
}

/* Recursive division (Burnikel and Ziegler; Zimmermann's formulation): same contract as
** ln_divrem_basecase, with m <= n. Two half-size divisions by the top of b, each
** corrected by one multiplication by the bottom of b. */
static limb ln_divrem_dc(limb *q, limb *a, size_t m, const limb *b, size_t n, limb *tmp) {
  if (m < BIG_DC_DIV_THRESHOLD || n - m / 2 < BIG_DC_DIV_THRESHOLD)
    return ln_divrem_basecase(q, a, m, b, n);
  size_t k = m / 2;
  limb *t = tmp, *mt = tmp + m + 1;
  /* high half: (a div B^2k) / (b div B^k) */
  limb qh1 = ln_divrem_dc(q + k, a + 2 * k, m - k, b + k, n - k, tmp);
  ln_mul(t, q + k, m - k, b, k, mt);
  if (qh1) ln_add(t + (m - k), t + (m - k), k, b, k);
  limb borrow = ln_sub(a + k, a + k, n, t, m);
  while (borrow) {
    q_dec(q + k, m - k, &qh1);
    borrow -= ln_add(a + k, a + k, n, b, n);
  }
  /* low half */
  limb qh0 = ln_divrem_dc(q, a + k, k, b + k, n - k, tmp);
  ln_mul(t, q, k, b, k, mt);
  if (qh0) ln_add(t + k, t + k, k, b, k);
  borrow = ln_sub(a, a, n, t, 2 * k);
  while (borrow) {
    q_dec(q, k, &qh0);
    borrow -= ln_add(a, a, n, b, n);
  }
  if (qh0) qh1 += ln_add1(q + k, m - k, qh0);
  return qh1;
}

/* Scratch limbs for ln_divrem(an, bn). */
static size_t divrem_tmp(size_t an, size_t bn) {
  return (an + 2) + bn + (an - bn + 2) + dc_tmp(bn) + 8;
}

/* q[0..an-bn+1) = a / b, r[0..bn) = a % b, with an >= bn >= 1 and b[bn-1] != 0. Either
** output may be NULL. tmp holds divrem_tmp(an, bn) limbs. */
static void ln_divrem(limb *q, limb *r, const limb *a, size_t an, const limb *b, size_t bn,
                      limb *tmp) {
  if (bn == 1) {
    limb rem = ln_divrem1(q, a, an, b[0]);
    if (r) r[0] = rem;
    return;
  }
  unsigned s = clz32(b[bn - 1]);
  size_t len = an + 1, qlen = len - bn;
  limb *w = tmp, *v = w + len, *qq = v + bn, *rest = qq + qlen + 1;
  ln_lshift(v, b, bn, s);
  w[an] = ln_lshift(w, a, an, s);
  if (bn < BIG_DC_DIV_THRESHOLD || qlen < BIG_DC_DIV_THRESHOLD) {
    qq[qlen] = ln_divrem_basecase(qq, w, qlen, v, bn);
  } else {
    /* blocks of bn quotient limbs from the top, the first one shorter */
    size_t first = qlen % bn;
    if (first == 0) first = bn;
    size_t off = qlen - first;
    qq[qlen] = ln_divrem_dc(qq + off, w + off, first, v, bn, rest);
    while (off > 0) {
      off -= bn;
      ln_divrem_dc(qq + off, w + off, bn, v, bn, rest);
    }
  }
  /* a < B^an keeps the quotient within an - bn + 1 limbs */
  if (q) memcpy(q, qq, (an - bn + 1) * sizeof(limb));
  if (r) ln_rshift(r, w, bn, s);
}

/* ---------------------------------------------------------------------------------- */
/* Scratch memory: a stack of userdata chunks on the Lua stack. Released marks are reused,
** and everything becomes garbage when the C function returns or raises. */

typedef struct Chunk {
  struct Chunk *next;
  size_t cap;
  limb d[];
} Chunk;

typedef struct Arena {
  lua_State *L;
  Chunk *first, *cur;
  size_t used;
} Arena;

typedef struct Mark {
  Chunk *c;
  size_t used;
} Mark;

static BIG_NORET void big_memerr(lua_State *L) {
  lua_pushliteral(L, "not enough memory");
  lua_error(L);
  __builtin_unreachable();
}

static void ar_init(Arena *A, lua_State *L) {
  A->L = L;
  A->first = A->cur = NULL;
  A->used = 0;
}

static Mark ar_mark(Arena *A) {
  Mark m = {A->cur, A->used};
  return m;
}

static void ar_release(Arena *A, Mark m) {
  A->cur = m.c;
  A->used = m.used;
}

static limb *ar_alloc(Arena *A, size_t n) {
  if (n == 0) n = 1;
  for (;;) {
    if (A->cur == NULL && A->first != NULL) {
      A->cur = A->first;
      A->used = 0;
    }
    if (A->cur != NULL && A->cur->cap - A->used >= n) {
      limb *p = A->cur->d + A->used;
      A->used += n;
      return p;
    }
    if (A->cur != NULL && A->cur->next != NULL) {
      A->cur = A->cur->next;
      A->used = 0;
      continue;
    }
    size_t cap = A->cur ? 2 * A->cur->cap : 64;
    if (cap < n) cap = n;
    if (cap > BIG_MAXLIMBS) cap = n;
    if (cap > BIG_MAXLIMBS) big_memerr(A->L);
    luaL_checkstack(A->L, 1, "bigint");
    Chunk *c = (Chunk *)lua_newuserdatauv(A->L, sizeof(Chunk) + cap * sizeof(limb), 0);
    c->next = NULL;
    c->cap = cap;
    if (A->cur)
      A->cur->next = c;
    else
      A->first = c;
    A->cur = c;
    A->used = 0;
  }
}

/* ---------------------------------------------------------------------------------- */
/* Values. */

static Big *newbig(lua_State *L, size_t n, int fast) {
  if (n > BIG_MAXLIMBS) big_memerr(L);
  big_work(n); /* what makes n limbs does at least that much: the linear operations' count */
  Big *b = (Big *)lua_newuserdatauv(L, sizeof(Big) + n * sizeof(limb), 0);
  b->neg = 0;
  b->n = 0;
  if (fast) {
    lua_pushvalue(L, UPMETA);
    lua_setmetatable(L, -2);
  } else {
    luaL_setmetatable(L, MTNAME);
  }
  return b;
}

static void fixup(Big *b, size_t n, int neg) {
  b->n = (uint32_t)ln_norm(b->d, n);
  b->neg = neg && b->n > 0;
}

/* A read-only view of an operand; small Lua numbers live in buf. */
typedef struct Arg {
  const limb *d;
  size_t n;
  int neg;
  limb buf[36];
} Arg;

/* The bigint at idx, or NULL. fast: idx > 0 and the running C function's first upvalue
** is the metatable, which is then compared by pointer, reading Lua's structures directly:
** lua_getmetatable + lua_rawequal + lua_pop measured 0.03 us per operand in wasm, as much
** as the whole 11x11-limb product of a 100-digit multiply. */
static Big *tobig(lua_State *L, int idx, int fast) {
  if (!fast) return (Big *)luaL_testudata(L, idx, MTNAME);
  StkId base = L->ci->func.p;
  if (base + idx >= L->top.p) return NULL; /* none */
  const TValue *o = s2v(base + idx);
  const TValue *mt = &clCvalue(s2v(base))->upvalue[0];
  if (!ttisfulluserdata(o) || uvalue(o)->metatable != hvalue(mt)) return NULL;
  return (Big *)getudatamem(uvalue(o));
}

static void arg_u64(Arg *a, uint64_t u, int neg) {
  a->buf[0] = (limb)u;
  a->buf[1] = (limb)(u >> 32);
  a->d = a->buf;
  a->n = ln_norm(a->buf, 2);
  a->neg = neg && a->n > 0;
}

static void arg_int(Arg *a, lua_Integer i) {
  arg_u64(a, i < 0 ? 0 - (uint64_t)i : (uint64_t)i, i < 0);
}

/* An integral finite double, exactly. */
static void arg_float(Arg *a, double x) {
  int neg = x < 0, e;
  double m = frexp(fabs(x), &e);
  uint64_t mant = (uint64_t)ldexp(m, 53);
  int sh = e - 53;
  if (sh <= 0) {
    arg_u64(a, sh <= -64 ? 0 : mant >> -sh, neg);
    return;
  }
  size_t w = (size_t)sh / 32;
  unsigned bits = (unsigned)sh % 32;
  memset(a->buf, 0, sizeof(a->buf));
  a->buf[w] = (limb)mant;
  a->buf[w + 1] = (limb)(mant >> 32);
  ln_lshift(a->buf + w, a->buf + w, 3, bits);
  a->d = a->buf;
  a->n = ln_norm(a->buf, w + 3);
  a->neg = neg && a->n > 0;
}

static int isintegral(double x) {
  return x == floor(x) && isfinite(x);
}

/* Reads any integer-valued operand; raises a clear error otherwise. */
static void getarg(lua_State *L, int idx, Arg *a) {
  Big *b = tobig(L, idx, 1);
  if (b) { /* the common case first */
    a->d = b->d;
    a->n = b->n;
    a->neg = b->neg;
    return;
  }
  switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        arg_int(a, lua_tointeger(L, idx));
      } else {
        double x = lua_tonumber(L, idx);
        if (!isintegral(x))
          luaL_error(L, "bigint: number %s has no integer representation",
                     lua_tostring(L, idx));
        arg_float(a, x);
      }
      return;
    default:
      break;
  }
  luaL_error(L, "bigint: cannot use a %s value as an integer", luaL_typename(L, idx));
}

static Big *pushcopy(lua_State *L, const limb *d, size_t n, int neg) {
  Big *r = newbig(L, n, 1);
  memcpy(r->d, d, n * sizeof(limb));
  fixup(r, n, neg);
  return r;
}

/* A count (shift, exponent) from a number or bigint: its magnitude, saturated. */
static uint64_t getcount(lua_State *L, int idx, int *neg, int *odd) {
  Arg a;
  getarg(L, idx, &a);
  *neg = a.neg;
  *odd = a.n > 0 && (a.d[0] & 1);
  if (a.n > 2) return UINT64_MAX;
  uint64_t v = a.n > 0 ? a.d[0] : 0;
  if (a.n > 1) v |= (uint64_t)a.d[1] << 32;
  return v;
}

/* Leaves only the value on top of the stack above the function's first top slots. */
static void ret1(lua_State *L, int top) {
  if (lua_gettop(L) > top + 1) {
    lua_replace(L, top + 1);
    lua_settop(L, top + 1);
  }
}

/* ---------------------------------------------------------------------------------- */
/* Arithmetic. */

/* Pushes a + b, b's sign flipped when flip. */
static void push_addsub(lua_State *L, const Arg *a, const Arg *b, int flip) {
  int bneg = b->neg ^ flip;
  if (b->n == 0) bneg = 0;
  if (a->n == 0) {
    pushcopy(L, b->d, b->n, bneg);
    return;
  }
  if (a->neg == bneg) {
    const Arg *x = a, *y = b;
    if (x->n < y->n) x = b, y = a;
    Big *r = newbig(L, x->n + 1, 1);
    r->d[x->n] = ln_add(r->d, x->d, x->n, y->d, y->n);
    fixup(r, x->n + 1, a->neg);
  } else {
    int c = ln_cmp(a->d, a->n, b->d, b->n);
    const Arg *x = c >= 0 ? a : b, *y = c >= 0 ? b : a;
    Big *r = newbig(L, x->n, 1);
    ln_sub(r->d, x->d, x->n, y->d, y->n);
    fixup(r, x->n, c >= 0 ? a->neg : bneg);
  }
}

static int m_add(lua_State *L) {
  Arg a, b;
  getarg(L, 1, &a);
  getarg(L, 2, &b);
  push_addsub(L, &a, &b, 0);
  return 1;
}

static int m_sub(lua_State *L) {
  Arg a, b;
  getarg(L, 1, &a);
  getarg(L, 2, &b);
  push_addsub(L, &a, &b, 1);
  return 1;
}

static int m_unm(lua_State *L) {
  Arg a;
  getarg(L, 1, &a);
  pushcopy(L, a.d, a.n, !a.neg);
  return 1;
}

/* Pushes a * b (magnitudes), with the given sign. */
static void push_mul(lua_State *L, const limb *a, size_t an, const limb *b, size_t bn, int neg,
                     int same) {
  if (an == 0 || bn == 0) {
    newbig(L, 0, 1);
    return;
  }
  if (an < bn) {
    const limb *t = a;
    a = b;
    b = t;
    size_t tn = an;
    an = bn;
    bn = tn;
  }
  if (same && an == bn && an >= BIG_KSQR_THRESHOLD) {
    limb *tmp = (limb *)lua_newuserdatauv(L, kara_tmp(an) * sizeof(limb), 0);
    Big *r = newbig(L, 2 * an, 1);
    ln_sqr(r->d, a, an, tmp);
    fixup(r, 2 * an, neg);
    return;
  }
  if (same && an == bn) {
    Big *r = newbig(L, 2 * an, 1);
    ln_sqr(r->d, a, an, NULL);
    fixup(r, 2 * an, neg);
    return;
  }
  size_t tn = mul_tmp(an, bn);
  limb *tmp = tn ? (limb *)lua_newuserdatauv(L, tn * sizeof(limb), 0) : NULL;
  Big *r = newbig(L, an + bn, 1);
  ln_mul(r->d, a, an, b, bn, tmp);
  fixup(r, an + bn, neg);
}

static int m_mul(lua_State *L) {
  Arg a, b;
  getarg(L, 1, &a);
  getarg(L, 2, &b);
  push_mul(L, a.d, a.n, b.d, b.n, a.neg != b.neg, a.d == b.d && a.n == b.n);
  big_check(L);
  return 1;
}

/* Floor division: pushes the quotient and/or the remainder (in that order). */
#define SMALL_LIMBS 64

static void push_divmod(lua_State *L, const Arg *a, const Arg *b, int wantq, int wantr) {
  if (b->n == 0) luaL_error(L, "bigint: division by zero");
  size_t an = a->n, bn = b->n;
  size_t qcap = an >= bn ? an - bn + 2 : 1;
  /* small operands work on the C stack; only the wanted results become userdata, since
  ** allocation is most of the cost at these sizes */
  limb qs[SMALL_LIMBS], rs[SMALL_LIMBS], ts[16 * SMALL_LIMBS];
  Big *q = NULL, *r = NULL;
  int qi = 0, ri = 0;
  limb *qd = qs, *rd = rs;
  if (wantq || qcap > SMALL_LIMBS) {
    q = newbig(L, qcap, 1);
    qi = lua_gettop(L);
    qd = q->d;
  }
  if (wantr || bn > SMALL_LIMBS) {
    r = newbig(L, bn, 1);
    ri = lua_gettop(L);
    rd = r->d;
  }
  size_t qn = 0, rn;
  if (an < bn) {
    memcpy(rd, a->d, an * sizeof(limb));
    rn = an;
  } else {
    size_t tn = divrem_tmp(an, bn);
    limb *tmp = bn == 1 ? NULL
                : tn <= 16 * SMALL_LIMBS ? ts : (limb *)lua_newuserdatauv(L, tn * sizeof(limb), 0);
    ln_divrem(qd, rd, a->d, an, b->d, bn, tmp);
    qd[qcap - 1] = 0;
    qn = ln_norm(qd, qcap);
    rn = ln_norm(rd, bn);
  }
  int qneg = a->neg != b->neg, rneg = a->neg;
  if (a->neg != b->neg && rn > 0) {
    /* truncation rounded toward zero; floor needs one step further */
    qd[qn] = 0;
    ln_add1(qd, qn + 1, 1);
    qn = ln_norm(qd, qn + 1);
    ln_sub(rd, b->d, bn, rd, rn);
    rn = ln_norm(rd, bn);
    rneg = b->neg;
  }
  if (q) fixup(q, qn, qneg);
  if (r) fixup(r, rn, rneg);
  if (wantq) lua_pushvalue(L, qi);
  if (wantr) lua_pushvalue(L, ri);
}

/* //, % and divmod: the quotient, the remainder, or both, of arguments 1 and 2. */
static int divmod_of_args(lua_State *L, int wantq, int wantr) {
  Arg a, b;
  getarg(L, 1, &a);
  getarg(L, 2, &b);
  push_divmod(L, &a, &b, wantq, wantr);
  big_check(L);
  return wantq + wantr;
}

static int m_idiv(lua_State *L) { return divmod_of_args(L, 1, 0); }
static int m_mod(lua_State *L) { return divmod_of_args(L, 0, 1); }
static int f_divmod(lua_State *L) { return divmod_of_args(L, 1, 1); }

static int m_div(lua_State *L) {
  return luaL_error(L, "bigint: '/' is not defined for bigints; use '//' (floor division)");
}

/* a^e with e >= 0 already checked. */
static void push_pow(lua_State *L, const Arg *a, uint64_t e, int odd) {
  int neg = a->neg && odd;
  int ebig = e == UINT64_MAX;
  if (e == 0) {
    limb one = 1;
    pushcopy(L, &one, 1, 0);
    return;
  }
  if (a->n == 0 || (a->n == 1 && a->d[0] == 1)) {
    pushcopy(L, a->d, a->n, neg);
    return;
  }
  size_t bits = ln_bitlen(a->d, a->n);
  if (ebig || e > (uint64_t)BIG_MAXLIMBS * 32 / bits) big_memerr(L);
  size_t cap = (size_t)((bits * e) / 32 + 2);
  if (cap > BIG_MAXLIMBS) big_memerr(L);
  int top = lua_gettop(L);
  Arena A;
  ar_init(&A, L);
  limb *x = ar_alloc(&A, cap), *y = ar_alloc(&A, cap);
  /* mul_tmp(x, y) <= 8y + kara_tmp(y): its remainder chain shrinks like Euclid's */
  size_t t1 = kara_tmp(cap), t2 = 8 * a->n + kara_tmp(a->n);
  limb *tmp = ar_alloc(&A, (t1 > t2 ? t1 : t2) + 8);
  memcpy(x, a->d, a->n * sizeof(limb));
  size_t xn = a->n;
  int hb = 63;
  while (!((e >> hb) & 1)) hb--;
  for (int i = hb - 1; i >= 0; i--) {
    big_check(L);
    ln_sqr(y, x, xn, tmp);
    xn = ln_norm(y, 2 * xn);
    limb *t = x;
    x = y;
    y = t;
    if ((e >> i) & 1) {
      if (a->n == 1) {
        limb c = ln_mul1(x, x, xn, a->d[0]);
        if (c) x[xn++] = c;
      } else {
        ln_mul(y, x, xn, a->d, a->n, tmp);
        xn = ln_norm(y, xn + a->n);
        t = x;
        x = y;
        y = t;
      }
    }
  }
  pushcopy(L, x, xn, neg);
  ret1(L, top);
}

static int m_pow(lua_State *L) {
  Arg a;
  getarg(L, 1, &a);
  int eneg, odd;
  uint64_t e = getcount(L, 2, &eneg, &odd);
  if (eneg) return luaL_error(L, "bigint: negative exponent");
  push_pow(L, &a, e, odd);
  return 1;
}

/* ---- bitwise, in infinite two's complement ---- */

static limb bitop1(int op, limb x, limb y) {
  return op == 0 ? (x & y) : op == 1 ? (x | y) : (x ^ y);
}

static int bitop(lua_State *L, int op) {
  Arg a, b;
  getarg(L, 1, &a);
  getarg(L, 2, &b);
  size_t n = (a.n > b.n ? a.n : b.n) + 1;
  Big *r = newbig(L, n, 1);
  int rneg = (int)(bitop1(op, (limb)-a.neg, (limb)-b.neg) & 1);
  limb ba = 1, bb = 1, cr = 1;
  for (size_t i = 0; i < n; i++) {
    limb x = i < a.n ? a.d[i] : 0, y = i < b.n ? b.d[i] : 0;
    if (a.neg) { /* two's complement of -m is ~(m - 1) */
      limb t = x - ba;
      ba = x < ba;
      x = ~t;
    }
    if (b.neg) {
      limb t = y - bb;
      bb = y < bb;
      y = ~t;
    }
    limb z = bitop1(op, x, y);
    if (rneg) {
      limb t = ~z + cr;
      cr = cr && t == 0;
      z = t;
    }
    r->d[i] = z;
  }
  fixup(r, n, rneg);
  return 1;
}

static int m_band(lua_State *L) { return bitop(L, 0); }
static int m_bor(lua_State *L) { return bitop(L, 1); }
static int m_bxor(lua_State *L) { return bitop(L, 2); }

static int m_bnot(lua_State *L) {
  Arg a;
  getarg(L, 1, &a);
  /* ~x == -x - 1 */
  Big *r = newbig(L, a.n + 1, 1);
  memcpy(r->d, a.d, a.n * sizeof(limb));
  r->d[a.n] = 0;
  if (a.neg)
    ln_sub1(r->d, a.n, 1);
  else
    ln_add1(r->d, a.n + 1, 1);
  fixup(r, a.n + 1, !a.neg);
  return 1;
}

static void push_shift(lua_State *L, const Arg *a, uint64_t s, int right) {
  if (a->n == 0 || s == 0) {
    pushcopy(L, a->d, a->n, a->neg);
    return;
  }
  if (!right) {
    if (s / 32 > BIG_MAXLIMBS - a->n - 1) big_memerr(L);
    size_t w = (size_t)(s / 32), n = a->n + w + 1;
    Big *r = newbig(L, n, 1);
    memset(r->d, 0, w * sizeof(limb));
    r->d[n - 1] = ln_lshift(r->d + w, a->d, a->n, (unsigned)(s % 32));
    fixup(r, n, a->neg);
    return;
  }
  /* floor(a / 2^s): negative values round down, as Python does */
  int inexact = 0;
  if (s >= (uint64_t)a->n * 32) {
    limb v = a->neg ? 1 : 0;
    pushcopy(L, &v, 1, a->neg);
    return;
  }
  size_t w = (size_t)(s / 32), n = a->n - w;
  for (size_t i = 0; i < w && !inexact; i++) inexact = a->d[i] != 0;
  Big *r = newbig(L, n + 1, 1);
  if (ln_rshift(r->d, a->d + w, n, (unsigned)(s % 32)) != 0) inexact = 1;
  r->d[n] = 0;
  if (a->neg && inexact) ln_add1(r->d, n + 1, 1);
  fixup(r, n + 1, a->neg);
}

static int shift(lua_State *L, int right) {
  Arg a;
  getarg(L, 1, &a);
  int neg, odd;
  uint64_t s = getcount(L, 2, &neg, &odd);
  if (neg) right = !right; /* as Lua's integers: x << -n == x >> n */
  if (s == UINT64_MAX && !right && a.n > 0) big_memerr(L);
  push_shift(L, &a, s, right);
  return 1;
}

static int m_shl(lua_State *L) { return shift(L, 0); }
static int m_shr(lua_State *L) { return shift(L, 1); }

/* ---- comparison ---- */

static int cmp_args(const Arg *a, const Arg *b) {
  if (a->neg != b->neg) return a->neg ? -1 : 1;
  int c = ln_cmp(a->d, a->n, b->d, b->n);
  return a->neg ? -c : c;
}

/* Compares the values at i and j exactly; floats need not be integral. Returns 2 when
** either is NaN (unordered). */
static int cmp_values(lua_State *L, int i, int j) {
  Arg a, b;
  double x;
  int adj = 0; /* which side is a non-integral float, and how it was rounded */
  if (lua_type(L, i) == LUA_TNUMBER && lua_type(L, j) == LUA_TNUMBER) {
    if (lua_compare(L, i, j, LUA_OPEQ)) return 0;
    if (lua_compare(L, i, j, LUA_OPLT)) return -1;
    if (lua_compare(L, j, i, LUA_OPLT)) return 1;
    return 2;
  }
  if (lua_type(L, i) == LUA_TNUMBER && !lua_isinteger(L, i)) {
    x = lua_tonumber(L, i);
    if (isnan(x)) return 2;
    if (isinf(x)) return x < 0 ? -1 : 1;
    if (!isintegral(x)) {
      arg_float(&a, floor(x)); /* i is floor(x) + 0.5ish: above floor, below floor+1 */
      adj = 1;
    } else {
      arg_float(&a, x);
    }
  } else {
    getarg(L, i, &a);
  }
  if (lua_type(L, j) == LUA_TNUMBER && !lua_isinteger(L, j)) {
    x = lua_tonumber(L, j);
    if (isnan(x)) return 2;
    if (isinf(x)) return x < 0 ? 1 : -1;
    if (!isintegral(x)) {
      arg_float(&b, floor(x));
      adj = -1;
    } else {
      arg_float(&b, x);
    }
  } else {
    getarg(L, j, &b);
  }
  int c = cmp_args(&a, &b);
  /* only one side can be a non-integral float: the other is a bigint */
  if (c == 0 && adj != 0) c = adj;
  return c;
}

static int m_eq(lua_State *L) {
  lua_pushboolean(L, cmp_values(L, 1, 2) == 0);
  return 1;
}

static int m_lt(lua_State *L) {
  lua_pushboolean(L, cmp_values(L, 1, 2) == -1);
  return 1;
}

static int m_le(lua_State *L) {
  int c = cmp_values(L, 1, 2);
  lua_pushboolean(L, c == -1 || c == 0);
  return 1;
}

static int isnumlike(lua_State *L, int idx) {
  return lua_type(L, idx) == LUA_TNUMBER || tobig(L, idx, 1) != NULL;
}

static int f_eq(lua_State *L) {
  luaL_checkany(L, 1);
  luaL_checkany(L, 2);
  if (!isnumlike(L, 1) || !isnumlike(L, 2))
    lua_pushboolean(L, lua_rawequal(L, 1, 2));
  else
    lua_pushboolean(L, cmp_values(L, 1, 2) == 0);
  return 1;
}

static int f_cmp(lua_State *L) {
  int c = cmp_values(L, 1, 2);
  if (c == 2) return luaL_error(L, "bigint: cannot compare with NaN");
  lua_pushinteger(L, c);
  return 1;
}

/* ---------------------------------------------------------------------------------- */
/* Conversion to and from text. */

static const char DIGITS[] = "0123456789abcdefghijklmnopqrstuvwxyz";

typedef struct BaseInfo {
  int base;
  int k;        /* digits per chunk */
  limb bk;      /* base^k, the largest power that fits a limb */
  int log2b;    /* bits per digit for power-of-two bases, else 0 */
  int bitsup;   /* ceil(log2(base)) */
} BaseInfo;

static void baseinfo(int base, BaseInfo *bi) {
  bi->base = base;
  bi->k = 1;
  dlimb p = (dlimb)base;
  while (p * (dlimb)base <= 0xffffffffu) {
    p *= (dlimb)base;
    bi->k++;
  }
  bi->bk = (limb)p;
  bi->log2b = (base & (base - 1)) == 0 ? __builtin_ctz((unsigned)base) : 0;
  bi->bitsup = 1;
  while ((1 << bi->bitsup) < base) bi->bitsup++;
}

/* ---- to text ---- */

/* Writes exactly width digits of x (x < base^width, x is destroyed) ending at out+width. */
static void tostr_basic(char *out, size_t width, limb *x, size_t xn, const BaseInfo *bi) {
  char *p = out + width;
  xn = ln_norm(x, xn);
  while (xn > 0) {
    limb rem = ln_divrem1(x, x, xn, bi->bk);
    xn = ln_norm(x, xn);
    if (bi->base == 10) { /* a constant divisor becomes a multiplication */
      for (int i = 0; i < 9 && p > out; i++) {
        *--p = (char)('0' + rem % 10);
        rem /= 10;
      }
    } else {
      for (int i = 0; i < bi->k && p > out; i++) {
        *--p = DIGITS[rem % (limb)bi->base];
        rem /= (limb)bi->base;
      }
    }
  }
  while (p > out) *--p = '0';
}

typedef struct Pow {
  limb *d;
  size_t n;
} Pow;

/* pw[j + 1] = pw[j]^2: the next power of the base, for either conversion. The limits are
** checked first, and the squaring's scratch is given back for the next one. */
static void pow_next(Arena *A, Pow *pw, int j) {
  size_t n = pw[j].n;
  big_check(A->L);
  pw[j + 1].d = ar_alloc(A, 2 * n);
  Mark m = ar_mark(A);
  ln_sqr(pw[j + 1].d, pw[j].d, n, ar_alloc(A, kara_tmp(n)));
  ar_release(A, m);
  pw[j + 1].n = ln_norm(pw[j + 1].d, 2 * n);
}

/* x < pw[j]^2 and width = k * 2^(j+1). */
static void tostr_rec(Arena *A, char *out, size_t width, const limb *x, size_t xn, const Pow *pw,
                      int j, const BaseInfo *bi) {
  xn = ln_norm(x, xn);
  big_check(A->L);
  Mark m = ar_mark(A);
  if (j < 0 || xn < BIG_TOSTR_THRESHOLD) {
    limb *t = ar_alloc(A, xn);
    memcpy(t, x, xn * sizeof(limb));
    tostr_basic(out, width, t, xn, bi);
    ar_release(A, m);
    return;
  }
  size_t half = width / 2, pn = pw[j].n;
  if (xn < pn || ln_cmp(x, xn, pw[j].d, pn) < 0) {
    memset(out, '0', half);
    tostr_rec(A, out + half, half, x, xn, pw, j - 1, bi);
  } else {
    size_t qn = xn - pn + 1;
    limb *q = ar_alloc(A, qn), *r = ar_alloc(A, pn);
    Mark halves = ar_mark(A); /* the division's scratch is free again for the halves */
    ln_divrem(q, r, x, xn, pw[j].d, pn, ar_alloc(A, divrem_tmp(xn, pn)));
    ar_release(A, halves);
    tostr_rec(A, out, half, q, qn, pw, j - 1, bi);
    tostr_rec(A, out + half, half, r, pn, pw, j - 1, bi);
  }
  ar_release(A, m);
}

/* Decimal powers kept between calls: squaring them took about 15% of a 10,000-digit
** tostring. The cache is the only value of a weak table in the registry, so any
** collection (an emergency one at the memory cap included) frees it, and it holds only
** powers up to POWCACHE_MAX limbs (16 KB), so it stays below 32 KB. */
#define POWCACHE_MAX 4096
static const char powcache_key = 0;

typedef struct PowCache {
  int count;
  uint32_t off[32], n[32];
  limb d[];
} PowCache;

/* Fills pw[0..j] with base^(k 2^i) until pw[j]^2 exceeds x's xn limbs; returns j. May
** leave values on the stack. */
static int tostr_powers(lua_State *L, Arena *A, const BaseInfo *bi, size_t xn, Pow *pw) {
  int j = 0, have = 0, wt = 0; /* wt: the weak table's index */
  if (bi->base == 10) {
    luaL_checkstack(L, 4, "bigint");
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &powcache_key) != LUA_TTABLE) {
      lua_pop(L, 1);
      lua_createtable(L, 1, 0);
      lua_createtable(L, 0, 1);
      lua_pushliteral(L, "v");
      lua_setfield(L, -2, "__mode");
      lua_setmetatable(L, -2);
      lua_pushvalue(L, -1);
      lua_rawsetp(L, LUA_REGISTRYINDEX, &powcache_key);
    }
    wt = lua_gettop(L);
    lua_rawgeti(L, wt, 1); /* stays on the stack, so it lives until the call returns */
    const PowCache *c = (const PowCache *)lua_touserdata(L, -1);
    for (; c != NULL && have < c->count; have++) {
      pw[have].d = (limb *)c->d + c->off[have];
      pw[have].n = c->n[have];
    }
  }
  if (have == 0) {
    pw[0].d = ar_alloc(A, 1);
    pw[0].d[0] = bi->bk;
    pw[0].n = 1;
  }
  int had = have > 0 ? have : 1;
  while (xn + 2 > 2 * pw[j].n) {
    if (j + 1 < had) {
      j++;
      continue;
    }
    pow_next(A, pw, j++);
  }
  if (wt && j + 1 > have) { /* new powers: a larger cache replaces the old one */
    int cnt = 0;
    size_t total = 0;
    while (cnt <= j && pw[cnt].n <= POWCACHE_MAX) total += pw[cnt++].n;
    if (cnt > have) {
      PowCache *c = (PowCache *)lua_newuserdatauv(L, sizeof(PowCache) + total * sizeof(limb), 0);
      c->count = cnt;
      for (int i = 0, off = 0; i < cnt; off += (int)pw[i].n, i++) {
        c->off[i] = (uint32_t)off;
        c->n[i] = (uint32_t)pw[i].n;
        memcpy(c->d + off, pw[i].d, pw[i].n * sizeof(limb));
      }
      lua_rawseti(L, wt, 1);
    }
  }
  return j;
}

/* Pushes the digits of |x| (no sign, no prefix) with an optional '-' first. */
static void push_tostring(lua_State *L, const limb *x, size_t xn, int neg, int base) {
  if (xn == 0) {
    lua_pushliteral(L, "0");
    return;
  }
  BaseInfo bi;
  baseinfo(base, &bi);
  int top = lua_gettop(L);
  /* the text is built in scratch memory (a luaL_Buffer cannot share the stack with it),
  ** on the C stack when it is small: allocation is most of the cost there */
  char small[1024];
  Arena A;
  ar_init(&A, L);
  if (xn < BIG_TOSTR_THRESHOLD && xn <= 64 && !bi.log2b) {
    limb t[64];
    int lb = 31;
    while (!((bi.bk >> lb) & 1)) lb--;
    size_t width = (size_t)bi.k * ((xn * 32 + (size_t)lb - 1) / (size_t)lb);
    memcpy(t, x, xn * sizeof(limb));
    tostr_basic(small + 1, width, t, xn, &bi);
    char *p = small + 1;
    while (*p == '0') p++;
    if (neg) *--p = '-';
    lua_pushlstring(L, p, (size_t)(small + 1 + width - p));
    return;
  }
  if (bi.log2b) {
    size_t bits = ln_bitlen(x, xn), nd = (bits + bi.log2b - 1) / bi.log2b;
    char *s = nd + 1 <= sizeof small ? small : (char *)ar_alloc(&A, (nd + 1) / 4 + 1);
    char *p = s + nd + 1;
    limb mask = (limb)base - 1;
    for (size_t i = 0; i < nd; i++) {
      size_t bit = i * bi.log2b, w = bit / 32, o = bit % 32;
      dlimb v = x[w] >> o;
      if (o + bi.log2b > 32 && w + 1 < xn) v |= (dlimb)x[w + 1] << (32 - o);
      *--p = DIGITS[v & mask];
    }
    if (neg) *--p = '-';
    lua_pushlstring(L, p, (size_t)(s + nd + 1 - p));
    ret1(L, top);
    return;
  }
  Pow pw[64];
  int j = 0;
  size_t width;
  if (xn < BIG_TOSTR_THRESHOLD) {
    int lb = 31;
    while (!((bi.bk >> lb) & 1)) lb--;
    width = (size_t)bi.k * ((xn * 32 + (size_t)lb - 1) / (size_t)lb);
    j = -1;
  } else {
    j = tostr_powers(L, &A, &bi, xn, pw);
    width = (size_t)bi.k << (j + 1);
  }
  char *s = (char *)ar_alloc(&A, (width + 1) / 4 + 1);
  tostr_rec(&A, s + 1, width, x, xn, pw, j, &bi);
  char *p = s + 1;
  while (*p == '0') p++;
  if (neg) *--p = '-';
  lua_pushlstring(L, p, (size_t)(s + 1 + width - p));
  ret1(L, top);
}

/* ---- from text ---- */

/* Horner's rule over chunks of k digits. */
static size_t parse_basic(limb *r, const unsigned char *d, size_t len, const BaseInfo *bi) {
  size_t n = 0, i = 0, first = len % (size_t)bi->k, chunks = len / (size_t)bi->k + 1;
  big_work((uint64_t)chunks * chunks / 2); /* a row of n limbs per chunk */
  if (first == 0) first = (size_t)bi->k;
  while (i < len) {
    size_t cl = i == 0 ? first : (size_t)bi->k;
    limb v = 0, m = 1;
    for (size_t t = 0; t < cl; t++) {
      v = v * (limb)bi->base + d[i + t];
      m *= (limb)bi->base;
    }
    limb c = ln_mul1(r, r, n, m);
    if (c) r[n++] = c;
    c = ln_add1(r, n, v); /* with n == 0 this is v itself */
    if (c) r[n++] = c;
    i += cl;
  }
  return n;
}

static size_t digits_limbs(size_t len, const BaseInfo *bi) {
  return len / 32 * (size_t)bi->bitsup + ((len % 32) * (size_t)bi->bitsup + 31) / 32 + 2;
}

/* Value of the digit values d[0..len) into r; pw[j] = base^(k*2^j). */
static size_t parse_rec(Arena *A, limb *r, const unsigned char *d, size_t len, const Pow *pw,
                        int j, const BaseInfo *bi) {
  big_check(A->L);
  if (len <= (size_t)bi->k * BIG_PARSE_THRESHOLD) return parse_basic(r, d, len, bi);
  while (j > 0 && ((size_t)bi->k << j) >= len) j--;
  size_t lolen = (size_t)bi->k << j, hilen = len - lolen;
  Mark m = ar_mark(A);
  limb *hi = ar_alloc(A, digits_limbs(hilen, bi)), *lo = ar_alloc(A, digits_limbs(lolen, bi));
  size_t hn = parse_rec(A, hi, d, hilen, pw, j, bi);
  size_t ln = parse_rec(A, lo, d + hilen, lolen, pw, j - 1, bi);
  size_t pn = pw[j].n, rn;
  if (hn == 0) {
    memcpy(r, lo, ln * sizeof(limb));
    rn = ln;
  } else {
    const limb *x = pw[j].d, *y = hi;
    size_t xn = pn, yn = hn;
    if (xn < yn) {
      x = hi, y = pw[j].d;
      xn = hn, yn = pn;
    }
    limb *tmp = ar_alloc(A, mul_tmp(xn, yn));
    ln_mul(r, x, xn, y, yn, tmp);
    rn = hn + pn;
    ln_add(r, r, rn, lo, ln);
  }
  ar_release(A, m);
  return ln_norm(r, rn);
}

static int digitval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

static int isspace_(int c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Parses s as an integer in base (0: decimal, or a 0x/0b/0o prefix). Pushes the bigint
** and returns 1, or pushes nothing and returns 0 when s is malformed. strict: only
** '-'? hex digits, as the JS boundary produces. */
static int parse_push(lua_State *L, const char *s, size_t len, int base, int strict, int fast) {
  size_t i = 0, e = len;
  int neg = 0;
  if (!strict) {
    while (i < e && isspace_((unsigned char)s[i])) i++;
    while (e > i && isspace_((unsigned char)s[e - 1])) e--;
  }
  if (i < e && (s[i] == '-' || (s[i] == '+' && !strict))) neg = s[i++] == '-';
  int after_prefix = 0;
  if (!strict && e - i >= 2 && s[i] == '0') {
    int c = s[i + 1] | 0x20, pb = c == 'x' ? 16 : c == 'b' ? 2 : c == 'o' ? 8 : 0;
    if (pb != 0 && (base == 0 || base == pb)) {
      base = pb;
      i += 2;
      after_prefix = 1;
    }
  }
  if (base == 0) base = 10;
  if (i >= e) return 0;
  int top = lua_gettop(L);
  Arena A;
  ar_init(&A, L);
  unsigned char small[1024]; /* the digits' values; allocation dominates short inputs */
  unsigned char *dv = e - i <= sizeof small ? small : (unsigned char *)ar_alloc(&A, (e - i) / 4 + 1);
  size_t nd = 0;
  int prevdigit = after_prefix;
  for (; i < e; i++) {
    int c = (unsigned char)s[i];
    if (c == '_' && !strict) {
      if (!prevdigit || i + 1 >= e || digitval((unsigned char)s[i + 1]) >= base) {
        lua_settop(L, top);
        return 0;
      }
      prevdigit = 0;
      continue;
    }
    int v = digitval(c);
    if (v >= base) {
      lua_settop(L, top);
      return 0;
    }
    dv[nd++] = (unsigned char)v;
    prevdigit = 1;
  }
  if (nd == 0) {
    lua_settop(L, top);
    return 0;
  }
  size_t z = 0;
  while (z + 1 < nd && dv[z] == 0) z++; /* leading zeros only cost time */
  BaseInfo bi;
  baseinfo(base, &bi);
  size_t cap = digits_limbs(nd - z, &bi);
  if (cap > BIG_MAXLIMBS) big_memerr(L);
  Big *r = newbig(L, cap, fast);
  int ridx = lua_gettop(L);
  size_t rn;
  if (bi.log2b) {
    memset(r->d, 0, cap * sizeof(limb));
    size_t bit = 0;
    for (size_t t = nd; t-- > z; bit += (size_t)bi.log2b) {
      r->d[bit / 32] |= (limb)dv[t] << (bit % 32);
      if (bit % 32 + (size_t)bi.log2b > 32) r->d[bit / 32 + 1] |= (limb)dv[t] >> (32 - bit % 32);
    }
    rn = cap;
  } else {
    size_t len2 = nd - z;
    Pow pw[64];
    int j = 0;
    if (len2 > (size_t)bi.k * BIG_PARSE_THRESHOLD) {
      pw[0].d = ar_alloc(&A, 1);
      pw[0].d[0] = bi.bk;
      pw[0].n = 1;
      while (((size_t)bi.k << (j + 1)) < len2) pow_next(&A, pw, j++);
    }
    rn = parse_rec(&A, r->d, dv + z, len2, pw, j, &bi);
  }
  fixup(r, rn, neg);
  lua_pushvalue(L, ridx);
  ret1(L, top);
  return 1;
}

/* Raises "invalid integer", quoting at most the start of a long input. */
static BIG_NORET void badstring(lua_State *L, const char *s, size_t len, int base) {
  const char *more = len > 40 ? "..." : "";
  lua_pushlstring(L, s, len > 40 ? 40 : len);
  const char *q = lua_tostring(L, -1);
  if (base == 0)
    luaL_error(L, "bigint: invalid integer \"%s%s\"", q, more);
  else
    luaL_error(L, "bigint: invalid integer \"%s%s\" in base %d", q, more, base);
  __builtin_unreachable();
}

static int checkbase(lua_State *L, int idx, int def) {
  lua_Integer b = luaL_optinteger(L, idx, def);
  luaL_argcheck(L, b >= 2 && b <= 36, idx, "base out of range (2 to 36)");
  return (int)b;
}

/* ---------------------------------------------------------------------------------- */
/* Module functions. */

static void push_new(lua_State *L, int idx, int baseidx) {
  int t = lua_type(L, idx);
  if (t == LUA_TSTRING) {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    int base = lua_isnoneornil(L, baseidx) ? 0 : checkbase(L, baseidx, 10);
    if (!parse_push(L, s, len, base, 0, 1)) badstring(L, s, len, base);
    return;
  }
  if (!lua_isnoneornil(L, baseidx))
    luaL_error(L, "bigint: a base is only allowed with a string");
  if (t == LUA_TUSERDATA && tobig(L, idx, 1)) {
    lua_pushvalue(L, idx); /* immutable, so sharing is safe */
    return;
  }
  if (t == LUA_TNUMBER && !lua_isinteger(L, idx)) {
    double x = lua_tonumber(L, idx);
    if (isnan(x) || isinf(x))
      luaL_error(L, "bigint: cannot convert %s to an integer", lua_tostring(L, idx));
  }
  if (t != LUA_TNUMBER) luaL_error(L, "bigint: cannot convert a %s to bigint", luaL_typename(L, idx));
  Arg a;
  getarg(L, idx, &a);
  pushcopy(L, a.d, a.n, a.neg);
}

static int f_new(lua_State *L) {
  luaL_checkany(L, 1);
  push_new(L, 1, 2);
  return 1;
}

static int f_call(lua_State *L) { /* bigint(x, base): the module table is argument 1 */
  luaL_checkany(L, 2);
  push_new(L, 2, 3);
  return 1;
}

static int f_is(lua_State *L) {
  lua_pushboolean(L, tobig(L, 1, 1) != NULL);
  return 1;
}

static int m_tostring(lua_State *L) {
  Arg a;
  getarg(L, 1, &a);
  int base = checkbase(L, 2, 10);
  push_tostring(L, a.d, a.n, a.neg, base);
  return 1;
}

static int m_concat(lua_State *L) {
  for (int i = 1; i <= 2; i++) {
    if (tobig(L, i, 1)) {
      Arg a;
      getarg(L, i, &a);
      push_tostring(L, a.d, a.n, a.neg, 10);
    } else if (lua_type(L, i) == LUA_TSTRING || lua_type(L, i) == LUA_TNUMBER) {
      lua_pushvalue(L, i);
    } else {
      return luaL_error(L, "attempt to concatenate a %s value", luaL_typename(L, i));
    }
  }
  lua_concat(L, 2);
  return 1;
}

/* Nearest double, ties to even: the top 64 bits carry a sticky bit for the rest. */
static double todouble(const Arg *a) {
  size_t bits = ln_bitlen(a->d, a->n);
  double r;
  if (bits <= 64) {
    uint64_t v = a->n > 0 ? a->d[0] : 0;
    if (a->n > 1) v |= (uint64_t)a->d[1] << 32;
    r = (double)v;
  } else {
    size_t sh = bits - 64, w = sh / 32;
    unsigned o = (unsigned)(sh % 32);
    uint64_t v = 0;
    for (size_t i = 0; i < 3 && w + i < a->n; i++) {
      if (i == 0)
        v = a->d[w] >> o;
      else if (32 * i - o < 64)
        v |= (uint64_t)a->d[w + i] << (32 * i - o);
    }
    int sticky = (o != 0 && (a->d[w] & ((1u << o) - 1)) != 0);
    for (size_t i = 0; i < w && !sticky; i++) sticky = a->d[i] != 0;
    v |= (uint64_t)sticky;
    r = sh > 2000 ? HUGE_VAL : ldexp((double)v, (int)sh);
  }
  return a->neg ? -r : r;
}

static int m_tonumber(lua_State *L) {
  Arg a;
  getarg(L, 1, &a);
  const char *opt = luaL_optstring(L, 2, "integer");
  if (strcmp(opt, "float") == 0) {
    lua_pushnumber(L, todouble(&a));
    return 1;
  }
  if (strcmp(opt, "integer") != 0) return luaL_argerror(L, 2, "expected \"integer\" or \"float\"");
  uint64_t v = 0;
  if (a.n <= 2) {
    v = a.n > 0 ? a.d[0] : 0;
    if (a.n > 1) v |= (uint64_t)a.d[1] << 32;
  }
  if (a.n > 2 || (a.neg ? v > (uint64_t)1 << 63 : v > (uint64_t)INT64_MAX))
    return luaL_error(L, "bigint: value does not fit in a Lua integer (use tonumber('float') for "
                         "the nearest float)");
  lua_pushinteger(L, (lua_Integer)(a.neg ? 0 - v : v));
  return 1;
}

static int f_abs(lua_State *L) {
  Arg a;
  getarg(L, 1, &a);
  if (!a.neg && tobig(L, 1, 1)) {
    lua_pushvalue(L, 1);
    return 1;
  }
  pushcopy(L, a.d, a.n, 0);
  return 1;
}

static int f_sign(lua_State *L) {
  Arg a;
  getarg(L, 1, &a);
  lua_pushinteger(L, a.n == 0 ? 0 : a.neg ? -1 : 1);
  return 1;
}

static int f_bitlen(lua_State *L) {
  Arg a;
  getarg(L, 1, &a);
  lua_pushinteger(L, (lua_Integer)ln_bitlen(a.d, a.n));
  return 1;
}

static int f_powmod(lua_State *L) {
  Arg a, e, m;
  getarg(L, 1, &a);
  getarg(L, 2, &e);
  getarg(L, 3, &m);
  if (e.neg) return luaL_error(L, "bigint: negative exponent in powmod");
  if (m.n == 0) return luaL_error(L, "bigint: powmod with modulus zero");
  int top = lua_gettop(L);
  size_t mn = m.n;
  Arena A;
  ar_init(&A, L);
  limb *x = ar_alloc(&A, 2 * mn), *b = ar_alloc(&A, mn), *t = ar_alloc(&A, 2 * mn);
  limb *dt = ar_alloc(&A, divrem_tmp(2 * mn > a.n ? 2 * mn : a.n, mn)), *st = ar_alloc(&A, 8 * mn + kara_tmp(mn) + 8);
  /* b = a mod |m|, in [0, |m|) */
  size_t bn;
  if (a.n >= mn) {
    ln_divrem(NULL, b, a.d, a.n, m.d, mn, dt);
    bn = ln_norm(b, mn);
  } else {
    memcpy(b, a.d, a.n * sizeof(limb));
    bn = a.n;
  }
  if (a.neg && bn > 0) {
    ln_sub(b, m.d, mn, b, bn);
    bn = ln_norm(b, mn);
  }
  size_t xn;
  x[0] = 1;
  xn = (mn == 1 && m.d[0] == 1) ? 0 : 1;
  size_t ebits = ln_bitlen(e.d, e.n);
  for (size_t i = ebits; i-- > 0;) {
    big_check(L);
    if (xn > 0) {
      ln_sqr(t, x, xn, st);
      size_t tn = ln_norm(t, 2 * xn);
      if (tn >= mn) {
        ln_divrem(NULL, x, t, tn, m.d, mn, dt);
        xn = ln_norm(x, mn);
      } else {
        memcpy(x, t, tn * sizeof(limb));
        xn = tn;
      }
    }
    if ((e.d[i / 32] >> (i % 32)) & 1) {
      if (xn == 0 || bn == 0) {
        xn = 0;
        continue;
      }
      if (xn >= bn)
        ln_mul(t, x, xn, b, bn, st);
      else
        ln_mul(t, b, bn, x, xn, st);
      size_t tn = ln_norm(t, xn + bn);
      if (tn >= mn) {
        ln_divrem(NULL, x, t, tn, m.d, mn, dt);
        xn = ln_norm(x, mn);
      } else {
        memcpy(x, t, tn * sizeof(limb));
        xn = tn;
      }
    }
  }
  /* the result takes the modulus's sign, as Lua's % does */
  if (m.neg && xn > 0) {
    ln_sub(t, m.d, mn, x, xn);
    xn = ln_norm(t, mn);
    pushcopy(L, t, xn, 1);
  } else {
    pushcopy(L, x, xn, 0);
  }
  ret1(L, top);
  return 1;
}

static int f_pow(lua_State *L) {
  return m_pow(L);
}

static int f_gcd(lua_State *L) {
  Arg a, b;
  getarg(L, 1, &a);
  getarg(L, 2, &b);
  int top = lua_gettop(L);
  size_t n = (a.n > b.n ? a.n : b.n) + 1;
  Arena A;
  ar_init(&A, L);
  limb *x = ar_alloc(&A, n), *y = ar_alloc(&A, n), *z = ar_alloc(&A, n);
  limb *dt = ar_alloc(&A, divrem_tmp(n, n));
  size_t xn = a.n, yn = b.n;
  memcpy(x, a.d, xn * sizeof(limb));
  memcpy(y, b.d, yn * sizeof(limb));
  if (ln_cmp(x, xn, y, yn) < 0) {
    limb *t = x;
    x = y;
    y = t;
    size_t tn = xn;
    xn = yn;
    yn = tn;
  }
  /* Euclid: each step keeps x >= y */
  while (yn > 0) {
    big_check(L);
    ln_divrem(NULL, z, x, xn, y, yn, dt);
    size_t zn = ln_norm(z, yn);
    limb *t = x;
    x = y;
    xn = yn;
    y = z;
    yn = zn;
    z = t;
  }
  pushcopy(L, x, xn, 0);
  ret1(L, top);
  return 1;
}

static int f_isqrt(lua_State *L) {
  Arg a;
  getarg(L, 1, &a);
  if (a.neg) return luaL_error(L, "bigint: isqrt of a negative number");
  if (a.n == 0) {
    pushcopy(L, a.d, 0, 0);
    return 1;
  }
  int top = lua_gettop(L);
  size_t n = a.n, bits = ln_bitlen(a.d, n);
  Arena A;
  ar_init(&A, L);
  limb *x = ar_alloc(&A, n + 2), *y = ar_alloc(&A, n + 2), *q = ar_alloc(&A, n + 2);
  limb *dt = ar_alloc(&A, divrem_tmp(n + 2, n + 2));
  /* Newton from above: start at 2^ceil(bits/2) >= sqrt(a); it decreases to the floor */
  size_t sb = (bits + 1) / 2, xn = sb / 32 + 1;
  memset(x, 0, (xn + 1) * sizeof(limb));
  x[sb / 32] = (limb)1 << (sb % 32);
  xn = ln_norm(x, xn);
  for (;;) {
    size_t qn;
    big_check(L);
    if (n >= xn) {
      ln_divrem(q, NULL, a.d, n, x, xn, dt);
      qn = ln_norm(q, n - xn + 1);
    } else {
      qn = 0;
    }
    /* y = (x + q) / 2 */
    size_t yn;
    if (xn >= qn) {
      y[xn] = ln_add(y, x, xn, q, qn);
      yn = xn + 1;
    } else {
      y[qn] = ln_add(y, q, qn, x, xn);
      yn = qn + 1;
    }
    ln_rshift(y, y, yn, 1);
    yn = ln_norm(y, yn);
    if (ln_cmp(y, yn, x, xn) >= 0) break;
    limb *t = x;
    x = y;
    y = t;
    xn = yn;
  }
  pushcopy(L, x, xn, 0);
  ret1(L, top);
  return 1;
}

/* tobytes(x [, width [, signed]]): big-endian; two's complement when signed. */
static int f_tobytes(lua_State *L) {
  Arg a;
  getarg(L, 1, &a);
  int haswidth = !lua_isnoneornil(L, 2);
  lua_Integer w = haswidth ? luaL_checkinteger(L, 2) : 0;
  int sgn = lua_toboolean(L, 3);
  if (a.neg && !sgn) return luaL_error(L, "bigint: negative value needs signed tobytes");
  size_t bits = ln_bitlen(a.d, a.n);
  if (a.neg) { /* -m fits w signed bytes iff m - 1 fits 8w - 1 bits */
    int exact_pow2 = 1;
    for (size_t i = 0; i + 1 < a.n; i++) exact_pow2 &= a.d[i] == 0;
    exact_pow2 &= (a.d[a.n - 1] & (a.d[a.n - 1] - 1)) == 0;
    bits = (exact_pow2 ? bits - 1 : bits) + 1;
  } else if (sgn) {
    bits += 1;
  }
  size_t need = (bits + 7) / 8;
  if (need == 0) need = 1;
  if (haswidth) {
    if (w < 0) return luaL_argerror(L, 2, "negative width");
    if ((uint64_t)w < need)
      return luaL_error(L, "bigint: value does not fit in %I bytes", (LUAI_UACINT)w);
    need = (size_t)w;
  }
  luaL_Buffer B;
  unsigned char *p = (unsigned char *)luaL_buffinitsize(L, &B, need);
  unsigned carry = 1;
  for (size_t i = 0; i < need; i++) {
    unsigned v = i / 4 < a.n ? (a.d[i / 4] >> (8 * (i % 4))) & 0xff : 0;
    if (a.neg) {
      v = (~v & 0xff) + carry;
      carry = v >> 8;
      v &= 0xff;
    }
    p[need - 1 - i] = (unsigned char)v;
  }
  luaL_pushresultsize(&B, need);
  return 1;
}

static int f_frombytes(lua_State *L) {
  size_t len;
  const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &len);
  int sgn = lua_toboolean(L, 2);
  int neg = sgn && len > 0 && (s[0] & 0x80);
  size_t n = len / 4 + 1;
  Big *r = newbig(L, n, 1);
  memset(r->d, 0, n * sizeof(limb));
  unsigned borrow = 1;
  for (size_t i = 0; i < len; i++) {
    unsigned v = s[len - 1 - i];
    if (neg) { /* magnitude = ~x + 1 */
      v = (~v & 0xff) + borrow;
      borrow = v >> 8;
      v &= 0xff;
    }
    r->d[i / 4] |= (limb)v << (8 * (i % 4));
  }
  fixup(r, n, neg);
  return 1;
}

/* ---------------------------------------------------------------------------------- */
/* Registration and the runtime's entry points. */

static const luaL_Reg metamethods[] = {
  {"__add", m_add},   {"__sub", m_sub},   {"__mul", m_mul},       {"__div", m_div},
  {"__mod", m_mod},   {"__idiv", m_idiv}, {"__pow", m_pow},       {"__unm", m_unm},
  {"__band", m_band}, {"__bor", m_bor},   {"__bxor", m_bxor},     {"__shl", m_shl},
  {"__shr", m_shr},   {"__bnot", m_bnot}, {"__eq", m_eq},         {"__lt", m_lt},
  {"__le", m_le},     {"__concat", m_concat}, {"__tostring", m_tostring}, {NULL, NULL}
};

/* Both methods (x:abs()) and module functions (bigint.abs(x)). */
static const luaL_Reg functions[] = {
  {"tostring", m_tostring}, {"tonumber", m_tonumber}, {"abs", f_abs},
  {"sign", f_sign},         {"divmod", f_divmod},     {"pow", f_pow},
  {"powmod", f_powmod},     {"gcd", f_gcd},           {"isqrt", f_isqrt},
  {"bitlen", f_bitlen},     {"tobytes", f_tobytes},   {"eq", f_eq},
  {"cmp", f_cmp},           {NULL, NULL}
};

int luaopen_bigint(lua_State *L) {
  luaL_newmetatable(L, MTNAME); /* sets __name */
  int mt = lua_gettop(L);
  lua_pushvalue(L, mt);
  luaL_setfuncs(L, metamethods, 1);
  lua_newtable(L); /* methods */
  lua_pushvalue(L, mt);
  luaL_setfuncs(L, functions, 1);
  lua_setfield(L, mt, "__index");

  lua_newtable(L); /* the module */
  lua_pushvalue(L, mt);
  luaL_setfuncs(L, functions, 1);
  static const luaL_Reg extra[] = {
    {"new", f_new}, {"frombytes", f_frombytes}, {"isbigint", f_is}, {NULL, NULL}
  };
  lua_pushvalue(L, mt);
  luaL_setfuncs(L, extra, 1);
  lua_newtable(L); /* its metatable makes it callable */
  lua_pushvalue(L, mt);
  lua_pushcclosure(L, f_call, 1);
  lua_setfield(L, -2, "__call");
  lua_setmetatable(L, -2);
  return 1;
}

int big_is(lua_State *L, int idx) {
  return tobig(L, idx, 0) != NULL;
}

void big_pushhex(lua_State *L, int idx) {
  Big *b = tobig(L, idx, 0);
  if (b == NULL) {
    luaL_error(L, "bigint: expected a bigint");
    return;
  }
  push_tostring(L, b->d, b->n, b->neg, 16);
}

void big_pushfromhex(lua_State *L, const char *s, size_t len) {
  /* parse_push makes the value with luaL_setmetatable, as there is no upvalue here */
  if (!parse_push(L, s, len, 16, 1, 0)) badstring(L, s, len, 16);
}
