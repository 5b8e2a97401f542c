/*
** runlua.c: runs one Lua file through the runtime, natively: `cu-lua [--full] FILE`.
** Its output is compared byte for byte with the same file run in cu.wasm (the
** differential test), so both builds must agree on everything a script can print.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "host.h"
#include "runtime.h"

int main(int argc, char **argv) {
  int profile = 0;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--full") == 0) profile = 1;
    else path = argv[i];
  }
  if (path == NULL) { fprintf(stderr, "usage: cu-lua [--full] FILE.lua\n"); return 2; }
  FILE *f = fopen(path, "rb");
  if (f == NULL) { perror(path); return 2; }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  const char *name = "=input";
  if (cu_init(profile, 64.0 * 1024 * 1024) != 0) { fprintf(stderr, "cu-lua: init failed\n"); return 1; }
  char *buf = cu_buffer((size_t)size + strlen(name));
  if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) { fprintf(stderr, "cu-lua: cannot read %s\n", path); return 1; }
  fclose(f);
  memcpy(buf + size, name, strlen(name));
  native.echo = 1;
  native_reset();
  int status = cu_eval((size_t)size, strlen(name), INFINITY, INFINITY);
  if (status != 0) {
    fprintf(stderr, "cu-lua: %s\n", native.message);
    return 1;
  }
  return 0;
}
