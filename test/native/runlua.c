/*
** runlua.c: runs one Lua file through the runtime, natively: `cu-lua [--full] FILE`.
** Its output is compared byte for byte with the same file run in cu.wasm (the
** differential test), so both builds must agree on everything a script can print.
*/
#include <stdio.h>
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
  if (cu_init(profile, 64.0 * 1024 * 1024) != 0) { fprintf(stderr, "cu-lua: init failed\n"); return 1; }
  return native_run_file(path, "=input", "cu-lua");
}
