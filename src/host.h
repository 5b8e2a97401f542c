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

/* One step of a converted value (codec.h lists the tags). For an LFUNC step the host
   answers with the id it gives the function; otherwise the answer means nothing. */
CU_IMPORT("value") double host_value(int32_t tag, double num, const void *p, int32_t len);

/* Monotonic time in milliseconds, for deadlines. */
CU_IMPORT("now") double host_now(void);

/* Non-zero when the host asks the running compute to stop (another thread sets a flag the
   host reads, so no message round trip is needed). Checked with the deadline. */
CU_IMPORT("interrupted") int32_t host_interrupted(void);

/*
** External tables (ext.c; js/ext.js). Tables are numbered; keys and values are passed as
** (tag, num, p, len) with codec.h's tags, and the host returns values in the unit's
** ExtSlots. Statuses: 0, or CODEC_STALE / CODEC_READONLY.
*/
CU_IMPORT("js_ext_table_get") int32_t host_ext_get(double id, int32_t ktag, double knum, const void *kp, int32_t klen);
CU_IMPORT("js_ext_table_set") int32_t host_ext_set(double id, int32_t ktag, double knum, const void *kp, int32_t klen,
                                                   int32_t vtag, double vnum, const void *vp, int32_t vlen);
CU_IMPORT("js_ext_table_delete") int32_t host_ext_delete(double id, int32_t ktag, double knum, const void *kp, int32_t klen);
CU_IMPORT("js_ext_table_size") double host_ext_size(double id);
CU_IMPORT("js_ext_table_keys") double host_ext_keys(double id);
CU_IMPORT("js_ext_table_next") int32_t host_ext_next(double iter);
CU_IMPORT("js_ext_iter_release") void host_ext_iter_release(double iter);
CU_IMPORT("js_ext_table_new") double host_ext_new(void);
CU_IMPORT("js_ext_table_bytes") int32_t host_ext_bytes(double id);
CU_IMPORT("js_ext_read") void host_ext_read(double ticket, void *dst);
CU_IMPORT("js_ext_retain") void host_ext_retain(double id);
CU_IMPORT("js_ext_release") void host_ext_release(double id);
/* A stored function's bytecode (in slot 0) and its upvalue i (value in slot 0, its cell id
   in slot 1's num; tag CODEC_ENV for the global environment). */
CU_IMPORT("js_ext_fn_code") int32_t host_ext_fn_code(double id);
CU_IMPORT("js_ext_fn_upvalue") int32_t host_ext_fn_upvalue(double id, int32_t i);
/* A new id, unique in the unit (for upvalue cells). */
CU_IMPORT("js_ext_new_id") double host_ext_new_id(void);
/* 1: the steps that follow build a table to store; 0: that build failed, drop it. */
CU_IMPORT("js_ext_build") void host_ext_build(int32_t start);

/*
** Lazy restore (docs/persistence.md): on a unit whose store reads asynchronously, an
** import that needs a record the host has not read yet answers CODEC_MISS (the imports
** returning a number: HOST_MISS_NUM). host_ext_wait then suspends the compute until the
** record is read (JSPI: the host makes this import a WebAssembly.Suspending) and returns
** 0, or non-zero if the read failed; the call is then made again. A unit whose store reads
** synchronously never answers CODEC_MISS, so this costs one comparison per call.
*/
CU_IMPORT("js_ext_wait") int32_t host_ext_wait(void);
#define HOST_MISS_NUM (-3.0)

/* result = call, made again after each wait while it answers miss; `failed` if a wait fails. */
#define HOST_CALL(result, call, miss, failed) \
  while (((result) = (call)) == (miss)) if (host_ext_wait() != 0) { (result) = (failed); break; }

#endif
