/*
** bigint-gmp.c: GMP's times for bench/bigint.js's operations (the native limit).
** Prints JSON: { "<digits>": { "multiply": us, "divide": us, "tostring": us, "parse": us } }.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gmp.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static char *digits(int n, long seed) { /* the same digits as bench/bigint.js */
  char *s = malloc((size_t)n + 1);
  long x = seed;
  for (int i = 0; i < n; i++) {
    x = (x * 48271) % 2147483647L;
    s[i] = (char)('0' + (x >> 16) % 10);
  }
  s[0] = (char)('1' + seed % 9);
  s[n] = 0;
  return s;
}

enum { MUL, DIV, TOSTR, PARSE };

static void op(int which, mpz_t r, mpz_t a, mpz_t b, mpz_t p, const char *s, char *buf) {
  switch (which) {
    case MUL: mpz_mul(r, a, b); break;
    case DIV: mpz_tdiv_q(r, p, b); break;
    case TOSTR: mpz_get_str(buf, 10, a); break;
    default: mpz_set_str(r, s, 10); break;
  }
}

int main(int argc, char **argv) {
  printf("{");
  for (int i = 1; i < argc; i++) {
    int d = atoi(argv[i]);
    char *s = digits(d, d + 1), *t = digits(d, d + 7), *buf = malloc((size_t)d * 2 + 8);
    mpz_t a, b, p, r;
    mpz_inits(a, b, p, r, NULL);
    mpz_set_str(a, s, 10);
    mpz_set_str(b, t, 10);
    mpz_mul(p, a, b);
    static const char *names[] = {"multiply", "divide", "tostring", "parse"};
    printf("%s\"%d\": {", i > 1 ? ", " : "", d);
    for (int w = 0; w < 4; w++) {
      long n = 1;
      double el;
      for (;;) {
        double t0 = now();
        for (long k = 0; k < n; k++) op(w, r, a, b, p, s, buf);
        el = now() - t0;
        if (el > 0.05) break;
        n *= 2;
      }
      double best = el / n;
      for (int rep = 0; rep < 4; rep++) {
        double t0 = now();
        for (long k = 0; k < n; k++) op(w, r, a, b, p, s, buf);
        double e = (now() - t0) / n;
        if (e < best) best = e;
      }
      printf("%s\"%s\": %.4f", w ? ", " : "", names[w], best * 1e6);
    }
    printf("}");
    mpz_clears(a, b, p, r, NULL);
    free(s);
    free(t);
    free(buf);
  }
  printf("}\n");
  return 0;
}
