/*
** host.c: the host imports of src/host.h, implemented natively, so the runtime's C
** sources run under gcc exactly as in wasm: output goes to stdout, values are
** summarised for the runner and the unit tests.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "../../src/host.h"
#include "../../src/codec.h"
#include "host.h"
#include "runtime.h"

NativeResult native;
static int depth;

void native_reset(void) {
  int echo = native.echo;
  memset(&native, 0, sizeof native);
  native.echo = echo;
  depth = 0;
}

int native_run_file(const char *path, const char *chunkname, const char *who) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) { perror(path); return 2; }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  size_t name_len = strlen(chunkname);
  char *buf = cu_buffer((size_t)size + name_len);  /* the code, then its chunk name */
  int read = buf != NULL && fread(buf, 1, (size_t)size, f) == (size_t)size;
  fclose(f);
  if (!read) { fprintf(stderr, "%s: cannot read %s\n", who, path); return 2; }
  memcpy(buf + size, chunkname, name_len);
  native.echo = 1;
  native_reset();
  if (cu_eval((size_t)size, name_len, INFINITY, INFINITY) != 0) {
    fprintf(stderr, "%s: %s\n", who, native.message);
    return 1;
  }
  return 0;
}

int32_t host_output(int32_t stream, const char *p, int32_t len) {
  if (stream == CU_OUT_STDOUT) {
    size_t room = sizeof native.output - 1 - native.output_len;
    size_t n = (size_t)len < room ? (size_t)len : room;
    memcpy(native.output + native.output_len, p, n);
    native.output_len += n;
    if (native.echo) fwrite(p, 1, (size_t)len, stdout);
  }
  else if (native.echo) fwrite(p, 1, (size_t)len, stderr);
  return 0;
}

static void native_text(char *dst, size_t size, const char *p, int32_t len) {
  size_t n = (size_t)len < size - 1 ? (size_t)len : size - 1;
  memcpy(dst, p, n);
  dst[n] = '\0';
}

double host_value(int32_t tag, double num, const void *p, int32_t len) {
  if (tag == CODEC_RESET) { native.count = 0; depth = 0; return 0; }
  if (tag == CODEC_END) { if (--depth == 0) native.count++; return 0; }
  if (depth > 0) { if (tag >= CODEC_ARRAY && tag <= CODEC_MAP) depth++; return 0; }
  if (tag >= CODEC_ARRAY && tag <= CODEC_MAP) { depth = 1; if (native.count == 0) strcpy(native.first, "table"); return 0; }
  char text[256];
  switch (tag) {
    case CODEC_NIL: strcpy(text, "nil"); break;
    case CODEC_FALSE: strcpy(text, "false"); break;
    case CODEC_TRUE: strcpy(text, "true"); break;
    case CODEC_INT: snprintf(text, sizeof text, "%.0f", num); break;
    case CODEC_INT64: { long long i; memcpy(&i, p, 8); snprintf(text, sizeof text, "%lld", i); break; }
    case CODEC_FLOAT: snprintf(text, sizeof text, "%.14g", num); break;
    default: native_text(text, sizeof text, p, len); break;
  }
  if (native.count == 0) strcpy(native.first, text);
  if (native.count == 1 && (tag == CODEC_ASCII || tag == CODEC_UTF8 || tag == CODEC_BYTES))
    native_text(native.message, sizeof native.message, p, len);
  native.count++;
  return 0;
}

int32_t host_interrupted(void) { return 0; }

double host_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* External tables live in the JS host; natively there is none, so every access to
   _home, _io or ext.table() reports the table as gone. */
int32_t host_ext_get(double id, int32_t ktag, double knum, const void *kp, int32_t klen) {
  (void)id; (void)ktag; (void)knum; (void)kp; (void)klen;
  return CODEC_STALE;
}
int32_t host_ext_set(double id, int32_t ktag, double knum, const void *kp, int32_t klen,
                     int32_t vtag, double vnum, const void *vp, int32_t vlen) {
  (void)id; (void)ktag; (void)knum; (void)kp; (void)klen; (void)vtag; (void)vnum; (void)vp; (void)vlen;
  return CODEC_STALE;
}
int32_t host_ext_delete(double id, int32_t ktag, double knum, const void *kp, int32_t klen) {
  (void)id; (void)ktag; (void)knum; (void)kp; (void)klen;
  return CODEC_STALE;
}
double host_ext_size(double id) { (void)id; return -1; }
double host_ext_keys(double id) { (void)id; return -1; }
int32_t host_ext_next(double iter) { (void)iter; return 0; }
void host_ext_iter_release(double iter) { (void)iter; }
double host_ext_new(void) { return 3; }
int32_t host_ext_bytes(double id) { (void)id; return CODEC_STALE; }
void host_ext_read(double ticket, void *dst) { (void)ticket; (void)dst; }
void host_ext_retain(double id) { (void)id; }
void host_ext_release(double id) { (void)id; }
void host_ext_build(int32_t start) { (void)start; }
int32_t host_ext_fn_code(double id) { (void)id; return CODEC_STALE; }
int32_t host_ext_fn_upvalue(double id, int32_t i) { (void)id; (void)i; return CODEC_STALE; }
double host_ext_new_id(void) { static double next = 1; return next++; }
int32_t host_ext_wait(void) { return 1; }  /* never asked: nothing answers CODEC_MISS here */
