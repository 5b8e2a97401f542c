/*
** runtime.h (native): the runtime's exported functions, declared for native callers.
*/
#ifndef native_runtime_h
#define native_runtime_h

#include <stddef.h>

int cu_init(int profile, double cap);
char *cu_buffer(size_t size);
int cu_eval(size_t code_len, size_t name_len, double max_instructions, double max_ms);
double *cu_get_memory_stats(void);
double cu_run_gc(double max_instructions, double max_ms);

#endif
