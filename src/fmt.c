/*
** fmt.c: integers to decimal text without printf. Lua writes every integer it turns
** into a string (tostring, `..`, string.format's plain %d) with snprintf("%lld"), and
** libc's snprintf parses its format twice and goes through a FILE for each call. The
** plain "%lld" is done here; cu_luauser.h routes Lua's l_sprintf for integers here,
** and every other format still goes to snprintf.
*/
#include <stdio.h>
#include <string.h>
#include "cu_luauser.h"

int fmt_integer(char *s, size_t size, const char *format, long long n) {
  if (strcmp(format, "%lld") != 0) return snprintf(s, size, format, n);
  char digits[24];
  char *p = digits + sizeof digits;
  /* in unsigned arithmetic, so that the most negative integer has a magnitude too */
  unsigned long long u = n < 0 ? 0ull - (unsigned long long)n : (unsigned long long)n;
  do *--p = (char)('0' + u % 10); while ((u /= 10) != 0);
  if (n < 0) *--p = '-';
  int len = (int)(digits + sizeof digits - p);
  if (size > 0) {  /* snprintf's contract: truncate, always terminate, return the full length */
    size_t copy = (size_t)len < size ? (size_t)len : size - 1;
    memcpy(s, p, copy);
    s[copy] = '\0';
  }
  return len;
}
