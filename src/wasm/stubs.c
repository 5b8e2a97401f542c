/*
** stubs.c: the libc functions Lua links against that wasi-libc (2022) lacks. A compute
** unit has no processes and no temporary files, so both fail the way POSIX says.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

FILE *tmpfile(void) {
  errno = ENOTSUP;
  return NULL;
}

int system(const char *command) {
  if (command == NULL) return 0;  /* "no command processor is available" */
  errno = ENOSYS;
  return -1;
}
