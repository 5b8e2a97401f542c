/*
** bigint-tune.c: measures where src/bigint.c's subquadratic algorithms start to pay,
** compiled to wasm32 (the target that matters) and run by bench/bigint-tune.js.
** The thresholds become variables here so one build can sweep them.
*/
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define BIG_KARA_DEFAULT 96
#define BIG_KSQR_DEFAULT 96
static unsigned long kara_t = BIG_KARA_DEFAULT, ksqr_t = BIG_KSQR_DEFAULT, tostr_t = 24, parse_t = 40;
static unsigned long toom_t = 200, tsqr_t = 200;
#define BIG_DC_DIV_THRESHOLD 24
#define BIG_KARA_THRESHOLD kara_t
#define BIG_KSQR_THRESHOLD ksqr_t
#define BIG_TOOM3_THRESHOLD toom_t
#define BIG_TSQR_THRESHOLD tsqr_t
#define BIG_TOSTR_THRESHOLD tostr_t
#define BIG_PARSE_THRESHOLD parse_t
#include "../src/bigint.c"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint32_t seed = 12345;
static limb rnd(void) { seed = seed * 1103515245u + 12345u; return seed ^ (seed >> 15) * 2654435761u; }

static limb A[20000], Bv[20000], R[40000], T[400000];

/* best time per call of mul (sq: squaring) at n limbs with the current thresholds */
static double timeit(size_t n, int sq) {
  double best = 1e9;
  for (int rep = 0; rep < 5; rep++) {
    int iters = (int)(2e6 / (double)(n * n)) + 1;
    double t0 = now();
    for (int i = 0; i < iters; i++) {
      if (sq) ln_sqr(R, A, n, T); else ln_kmul(R, A, Bv, n, T);
    }
    double t = (now() - t0) / iters;
    if (t < best) best = t;
  }
  return best;
}

/* Just enough of Lua's API for the conversions' scratch memory (leaked: a benchmark). */
static char *pool;
static size_t pool_used;
static void pool_reset(void) { if (!pool) pool = malloc(64 << 20); pool_used = 0; }
void *lua_newuserdatauv(lua_State *L, size_t sz, int nuv) {
  (void)L; (void)nuv;
  void *p = pool + pool_used;
  pool_used += (sz + 15) & ~(size_t)15;
  if (pool_used > (64 << 20)) abort();
  return p;
}
void luaL_checkstack(lua_State *L, int sz, const char *msg) { (void)L; (void)sz; (void)msg; }
static size_t outlen;
const char *lua_pushlstring(lua_State *L, const char *s, size_t len) { (void)L; (void)s; outlen = len; return s; }
int lua_gettop(lua_State *L) { (void)L; return 0; }

/* time per call of f, best of 5 */
#define BEST(expr, res) do { double best_ = 1e9; int it_ = 1; \
  for (;;) { double t0_ = now(); for (int i_ = 0; i_ < it_; i_++) { expr; } double t_ = now() - t0_; \
    if (t_ > 0.05) break; it_ *= 2; } \
  for (int r_ = 0; r_ < 5; r_++) { double t0_ = now(); for (int i_ = 0; i_ < it_; i_++) { expr; } \
    double t_ = (now() - t0_) / it_; if (t_ < best_) best_ = t_; } res = best_; } while (0)

static void ops(void) {
  static const size_t digits[] = {100, 1000, 10000, 100000};
  static char text[200000];
  printf("kernels (us): digits mul div tostring parse\n");
  for (size_t k = 0; k < 4; k++) {
    size_t n = (size_t)(digits[k] / 9.6329598612473983) + 1; /* limbs */
    limb *a = malloc(n * 4 + 8), *b = malloc(n * 4 + 8), *p = malloc(8 * n + 16), *q = malloc(8 * n + 16);
    limb *r = malloc(4 * n + 8), *tmp = malloc((mul_tmp(n, n) + 3 * n + 16) * 4);
    for (size_t i = 0; i < n; i++) { a[i] = rnd(); b[i] = rnd(); }
    a[n - 1] |= 1; b[n - 1] |= 1;
    double tm, td, ts, tp;
    BEST(ln_mul(p, a, n, b, n, tmp), tm);
    size_t pn = ln_norm(p, 2 * n);
    BEST(ln_divrem(q, r, p, pn, b, n, tmp), td);
    BEST((pool_reset(), push_tostring(NULL, a, n, 0, 10)), ts);
    size_t len = 0;
    { /* the digits to parse: reuse a decimal rendering */
      for (size_t i = 0; i < digits[k]; i++) text[len++] = (char)('1' + (i * 7) % 9);
    }
    unsigned char *dv = malloc(len);
    for (size_t i = 0; i < len; i++) dv[i] = (unsigned char)(text[i] - '0');
    BaseInfo bi;
    baseinfo(10, &bi);
    limb *out = malloc(digits_limbs(len, &bi) * 4);
    BEST(({ pool_reset(); Arena A; ar_init(&A, NULL); Pow pw[64]; int j = 0;
      if (len > (size_t)bi.k * BIG_PARSE_THRESHOLD) {
        pw[0].d = ar_alloc(&A, 1); pw[0].d[0] = bi.bk; pw[0].n = 1;
        while (((size_t)bi.k << (j + 1)) < len) { size_t m = pw[j].n; limb *t = ar_alloc(&A, kara_tmp(m));
          pw[j + 1].d = ar_alloc(&A, 2 * m); ln_sqr(pw[j + 1].d, pw[j].d, m, t); pw[j + 1].n = ln_norm(pw[j + 1].d, 2 * m); j++; } }
      parse_rec(&A, out, dv, len, pw, j, &bi); }), tp);
    printf("%zu %.3f %.3f %.3f %.3f\n", digits[k], tm * 1e6, td * 1e6, ts * 1e6, tp * 1e6);
  }
}

/* The SIMD kernel only exists in wasm, where GMP is not: check it (and Karatsuba on top
** of it) against plain row-by-row multiplication, with random and all-ones limbs. */
static int check(void) {
  static limb ref[2000], got[2000];
  long bad = 0, n = 0;
  for (int it = 0; it < 20000; it++) {
    size_t an = 1 + rnd() % (it < 15000 ? 300 : 700), bn = 1 + rnd() % an;
    int pat = (int)(rnd() % 3);
    for (size_t i = 0; i < an; i++) A[i] = pat == 0 ? rnd() : pat == 1 ? 0xffffffffu : (rnd() & 1 ? 0xffffffffu : 0);
    for (size_t i = 0; i < bn; i++) Bv[i] = pat == 0 ? rnd() : pat == 1 ? 0xffffffffu : (rnd() & 1 ? 0xffffffffu : rnd());
    memset(ref, 0, sizeof ref);
    for (size_t j = 0; j < bn; j++) ref[an + j] = ln_addmul1(ref + j, A, an, Bv[j]);
    ln_mul(got, A, an, Bv, bn, T);
    n++;
    if (memcmp(ref, got, (an + bn) * sizeof(limb)) != 0) { if (bad++ < 5) printf("mismatch %zu x %zu pattern %d\n", an, bn, pat); }
    if (an == bn) {
      ln_sqr(got, A, an, T);
      memset(ref, 0, sizeof ref);
      for (size_t j = 0; j < an; j++) ref[an + j] = ln_addmul1(ref + j, A, an, A[j]);
      n++;
      if (memcmp(ref, got, 2 * an * sizeof(limb)) != 0) { if (bad++ < 5) printf("sqr mismatch %zu\n", an); }
    }
  }
  printf("%ld passed, %ld failed\n", n - bad, bad);
  return bad != 0;
}

/* Times multiply and square at each size for each value of one pair of thresholds
   (*mul for multiply, *sqr for square), as one table per operation. */
static void sweep(const char *what, unsigned long *mul, unsigned long *sqr,
                  const unsigned long *ths, size_t nths, const size_t *sizes, size_t nsizes, int decimals) {
  for (int i = 0; i < 20000; i++) { A[i] = rnd(); Bv[i] = rnd(); }
  for (int sq = 0; sq < 2; sq++) {
    printf("%s: us per op; columns = %s\n%6s", sq ? "square" : "multiply", what, "limbs");
    for (size_t t = 0; t < nths; t++) printf(" %8lu", ths[t]);
    printf("\n");
    for (size_t s = 0; s < nsizes; s++) {
      printf("%6zu", sizes[s]);
      for (size_t t = 0; t < nths; t++) {
        *mul = *sqr = ths[t];
        printf(" %8.*f", decimals, timeit(sizes[s], sq) * 1e6);
      }
      printf("\n");
    }
  }
}

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

/* Toom-3's thresholds, above the Karatsuba ones */
static void toom(void) {
  static const unsigned long ths[] = {200, 250, 300, 350, 400, 500, 100000};
  static const size_t sizes[] = {150, 200, 256, 300, 400, 512, 768, 1039, 1536, 2048, 4096, 10382};
  sweep("Toom-3 threshold (100000 = Karatsuba only)", &toom_t, &tsqr_t, ths, COUNT(ths), sizes, COUNT(sizes), 2);
  toom_t = tsqr_t = 350;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "check") == 0) return check();
  if (argc > 1 && strcmp(argv[1], "toom") == 0) { toom(); return 0; }
  if (argc > 1) { ops(); return 0; }
  static const unsigned long ths[] = {32, 48, 64, 80, 96, 112, 128, 160, 100000};
  static const size_t sizes[] = {64, 96, 128, 174, 192, 256, 347, 512, 1039, 2048};
  sweep("threshold (100000 = schoolbook)", &kara_t, &ksqr_t, ths, COUNT(ths), sizes, COUNT(sizes), 3);
  return 0;
}
