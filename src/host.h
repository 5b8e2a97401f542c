/*
** host.h: the functions the host provides (wasm imports from module "cu"). In the
** native build the same names are ordinary functions (test/native/host.c), so the
** runtime compiles unchanged for both. docs/abi.md is the reference.
*/
#ifndef cu_host_h
#define cu_host_h

#include <stdint.h>

#if defined(__wasm__)
#define CU_IMPORT(name) __attribute__((import_module("cu"), import_name(name)))
#define CU_EXPORT(name) __attribute__((export_name(name), visibility("default")))
#else
#define CU_IMPORT(name)
#define CU_EXPORT(name)
#endif

/* Output streams passed to host_output. */
#define CU_OUT_STDOUT 1
#define CU_OUT_STDERR 2
#define CU_OUT_WARN   3

/* Text a script printed; returns 0, or non-zero when the host's callback failed. */
CU_IMPORT("output") int32_t host_output(int32_t stream, const char *p, int32_t len);

/* One step of a converted value (codec.h lists the tags). */
CU_IMPORT("value") void host_value(int32_t tag, double num, const void *p, int32_t len);

/* Monotonic time in milliseconds, for deadlines. */
CU_IMPORT("now") double host_now(void);

#endif
