/*
** host.h (native): what the native host (host.c) records of a compute, for the native
** runner and the C unit tests.
*/
#ifndef native_host_h
#define native_host_h

#include <stddef.h>

typedef struct NativeResult {
  int count;            /* top-level values received */
  char first[256];      /* the first top-level value, printed */
  char message[4096];   /* the second top-level string (the message, on error) */
  char output[65536];   /* what print wrote, truncated for tests */
  size_t output_len;
  int echo;             /* also copy output to stdout and values to the console */
} NativeResult;

extern NativeResult native;
void native_reset(void);
/* Runs a Lua file as one compute without limits on the initialised unit, its output on
   stdout; 0, or 1 with the error on stderr after "who: " (2 if the file cannot be read). */
int native_run_file(const char *path, const char *chunkname, const char *who);

#endif
