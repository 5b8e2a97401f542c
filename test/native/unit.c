/*
** unit.c: C unit tests of the runtime, built natively with gcc: UTF-8 validation, the
** capped allocator, integer formatting, and computes run through the same entry points the wasm host uses.
** Ends with the line "N passed, N failed".
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/cu.h"
#include "../../src/codec.h"
#include "host.h"
#include "runtime.h"

static int passed, failed;

static void check(int ok, const char *what) {
  if (ok) passed++;
  else { failed++; printf("FAIL: %s\n", what); }
}

static int run(const char *code, double instructions) {
  const char *name = "=input";
  size_t len = strlen(code);
  char *buf = cu_buffer(len + strlen(name));
  memcpy(buf, code, len);
  memcpy(buf + len, name, strlen(name));
  native_reset();
  return cu_eval(len, strlen(name), instructions, INFINITY);
}

/* Every Lua error that is thrown goes through luaD_throw; the link routes Lua's calls of
   it here (the Makefile's rule for build/native/unit), so a test can count them. */
struct lua_State;
static int throws;
void __real_luaD_throw(struct lua_State *L, int code) __attribute__((noreturn));
void __wrap_luaD_throw(struct lua_State *L, int code) __attribute__((noreturn));
void __wrap_luaD_throw(struct lua_State *L, int code) {
  throws++;
  __real_luaD_throw(L, code);
}

/* Runs code under an instruction limit (INFINITY: none, so no count hook); true if the
   compute returned `expected` and threw `thrown` times. */
static int errors_thrown(const char *code, double instructions, const char *expected, int thrown) {
  throws = 0;
  int status = run(code, instructions);
  if (status != CU_OK || strcmp(native.first, expected) != 0 || throws != thrown) {
    printf("  %s\n  -> status %d, result %s, %d thrown\n", code, status, native.first, throws);
    return 0;
  }
  return 1;
}

static void test_utf8(void) {
  check(codec_utf8("hello", 5) == 1, "ASCII is ASCII");
  check(codec_utf8("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", 15) == 2, "valid UTF-8 is UTF-8");
  check(codec_utf8("\xc0\x80", 2) == 0, "overlong NUL is rejected");
  check(codec_utf8("\xe0\x80\xaf", 3) == 0, "overlong 3-byte form is rejected");
  check(codec_utf8("\xed\xa0\x80", 3) == 0, "a surrogate is rejected");
  check(codec_utf8("\xf4\x90\x80\x80", 4) == 0, "past U+10FFFF is rejected");
  check(codec_utf8("\xe2\x82", 2) == 0, "a truncated sequence is rejected");
  check(codec_utf8("\x80", 1) == 0, "a lone continuation byte is rejected");
  check(codec_utf8("", 0) == 1, "the empty string is ASCII");
  check(codec_utf8("a\0b", 3) == 1, "NUL is ASCII");
}

static void test_alloc(void) {
  CuUnit u;
  memset(&u, 0, sizeof u);
  u.mem.cap = 1000;
  void *a = alloc_bytes(&u, NULL, 5, 600);
  check(a != NULL && u.mem.used == 600, "allocation under the cap succeeds and is counted");
  check(alloc_bytes(&u, NULL, 5, 401) == NULL && u.mem.used == 600, "allocation past the cap fails and changes nothing");
  void *b = alloc_bytes(&u, NULL, 5, 400);
  check(b != NULL && u.mem.used == 1000 && u.mem.peak == 1000, "allocation up to the cap exactly succeeds");
  a = alloc_bytes(&u, a, 600, 100);
  check(a != NULL && u.mem.used == 500 && u.mem.peak == 1000, "shrinking frees bytes and keeps the peak");
  check(alloc_bytes(&u, a, 100, 0) == NULL && u.mem.used == 400, "freeing gives the bytes back");
  alloc_bytes(&u, b, 400, 0);
  check(u.mem.used == 0, "everything is given back");
  check(u.mem.high >= (size_t)b + 400 && u.mem.high >= (size_t)a, "the high-water mark covers every block handed out");
}

static void test_fmt(void) {
  char s[32];
  check(fmt_integer(s, sizeof s, "%lld", -9223372036854775807LL - 1) == 20 && strcmp(s, "-9223372036854775808") == 0, "the most negative integer");
  check(fmt_integer(s, sizeof s, "%lld", 0) == 1 && strcmp(s, "0") == 0, "zero");
  check(fmt_integer(s, 4, "%lld", -12345) == 6 && strcmp(s, "-12") == 0, "a short buffer truncates, terminates, and returns the full length");
  check(fmt_integer(s, 0, "%lld", 7) == 1, "a zero-size buffer is not written");
  check(fmt_integer(s, sizeof s, "%5lld", 42) == 5 && strcmp(s, "   42") == 0, "any other format goes to snprintf");
}

static void test_computes(void) {
  check(cu_init(CU_PROFILE_SANDBOX, 4.0 * 1024 * 1024) == CU_OK, "a unit starts with a 4 MiB cap");
  check(run("return 1 + 1", INFINITY) == CU_OK && strcmp(native.first, "2") == 0, "return 1 + 1 gives 2");
  check(run("error('boom')", INFINITY) == CU_ERR_RUNTIME && strstr(native.message, "boom"), "error() is a runtime error");
  check(run("return 1 +", INFINITY) == CU_ERR_SYNTAX, "a syntax error is reported as such");
  check(run("local t = {} for i = 1, 1e8 do t[i] = i end", INFINITY) == CU_ERR_MEMORY, "running out of memory is a memory error");
  check(run("while true do end", 1e6) == CU_ERR_LIMIT, "the instruction limit stops a loop");
  check(run("local function f() return 1 + f() end return f()", INFINITY) == CU_ERR_RUNTIME
        && strstr(native.message, "stack overflow"), "deep recursion is a stack overflow");
  check(run("return debug.sethook", INFINITY) == CU_OK && strcmp(native.first, "nil") == 0, "the sandbox has no debug.sethook");
  double used = cu_run_gc(1e8, INFINITY);
  for (int i = 0; i < 200; i++) run(i % 2 ? "error('x')" : "local t = {} for i = 1, 1e8 do t[i] = i end", INFINITY);
  check(run("return 6 * 7", INFINITY) == CU_OK && strcmp(native.first, "42") == 0, "the unit works after 200 failures");
  check(cu_run_gc(1e8, INFINITY) <= used + 1024, "failures leak no Lua memory");
}

/* src/raise.c: error() and assert() return to pcall's catch instead of throwing when
   nothing but Lua frames lie between; everything else still throws. The results are
   compared with stock Lua's in test/raise.test.js; here, which way each one went. */
static void test_raise(void) {
  static const char *const cases[][3] = {  /* definition of f, errors thrown of 100, what */
    {"local function f() error('x') end", "0", "error() in a function pcall called returns"},
    {"local function f() error({}) end", "0", "... with a table"},
    {"local function f() return error('x') end", "0", "... from a tail call"},
    {"local function f() local a, b = error('x') return a end", "0", "... asking for two results"},
    {"local function f() assert(false, 'x') end", "0", "assert() returns"},
    {"local function h() error('x') end local function g() h() end local function f() g() end", "0",
     "... through Lua frames"},
    {"local function f(...) local a = ... error(a) end", "0", "... from a vararg function"},
    {"local function f() local c <close> = setmetatable({}, {__close = function() end}) error('x') end", "0",
     "... past a to-be-closed variable"},
    {"local t = setmetatable({}, {__call = function() error('x') end}) local function f() t() end", "0",
     "... through __call"},
    {"local function f() xpcall(function() error('x') end, function(m) return m end) error('y') end", "0",
     "under xpcall too, its handler run where the error is"},
    {"local function f() xpcall(function() error('x') end, function(m) error(m) end) error('y') end", "100",
     "a handler that fails throws (once: at the C stack's limit)"},
    {"local function f() local x = nil; return x.y end", "100", "runtime errors throw"},
    {"local f = error", "100", "pcall(error) throws"},
    {"local function f() return setmetatable({}, {__index = function() error('x') end}).y end", "100",
     "an error in a metamethod throws"},
    {"local function f() table.sort({2, 1}, function() error('x') end) end", "100",
     "an error under a C function throws"},
    {"local t = setmetatable({}, {__index = error}) local function f() return t[1] end", "100",
     "error() as __index throws"},
    {"local t = setmetatable({}, {__concat = error}) local function f() return t .. 1 end", "100",
     "error() as __concat throws"},
    {"local m = {__close = error} local function f() do local c <close> = setmetatable({}, m) end end", "100",
     "error() as __close throws"},
    {"local function f() for k in error, {} do end end", "100", "error() as a for iterator throws"},
  };
  const char *count = "local n = 0 for i = 1, 100 do if not pcall(f, i) then n = n + 1 end end return n";
  char code[512], what[160];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    snprintf(code, sizeof code, "%s %s", cases[i][0], count);
    snprintf(what, sizeof what, "%s, no count hook", cases[i][2]);
    check(errors_thrown(code, INFINITY, "100", atoi(cases[i][1])), what);
    snprintf(what, sizeof what, "%s, under the limits' count hook", cases[i][2]);
    check(errors_thrown(code, 1e9, "100", atoi(cases[i][1])), what);
  }
  check(errors_thrown("local co = coroutine.wrap(function() while true do "
                      "assert(not pcall(function() error('x') end)) coroutine.yield() end end) "
                      "for i = 1, 100 do co() end return 100", INFINITY, "100", 100),
        "pcall in a coroutine that can yield: lua_resume catches, so errors throw");
  check(run("while true do pcall(function() error('x') end) end", 1e6) == CU_ERR_LIMIT,
        "errors that return still count against the instruction limit");
  check(run("return 6 * 7", INFINITY) == CU_OK && strcmp(native.first, "42") == 0, "the unit works after");
}

int main(void) {
  test_utf8();
  test_alloc();
  test_fmt();
  test_computes();
  test_raise();
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
