/*
** codec.h: the steps in which a Lua value is handed to the host through host_value.
** A value is one step, except a table: a BEGIN step (ARRAY, OBJECT or MAP), its
** contents, then END. Strings and bytes point into Lua memory; the host copies them
** during the call. docs/abi.md describes the protocol for other hosts.
*/
#ifndef cu_codec_h
#define cu_codec_h

#define CODEC_NIL      0
#define CODEC_FALSE    1
#define CODEC_TRUE     2
#define CODEC_INT      3   /* num: an integer a double holds exactly (|i| <= 2^53) */
#define CODEC_INT64    4   /* p: 8 bytes, little-endian two's complement */
#define CODEC_FLOAT    5   /* num */
#define CODEC_ASCII    6   /* p, len: a string of ASCII bytes */
#define CODEC_UTF8     7   /* p, len: a string of valid UTF-8 */
#define CODEC_BYTES    8   /* p, len: any other string */
#define CODEC_ARRAY    9   /* len: n; then the values at 1..n, then END */
#define CODEC_OBJECT  10   /* len: count; then count (key, value) pairs with UTF-8 keys, then END */
#define CODEC_MAP     11   /* len: count; then count (key, value) pairs of any keys, then END */
#define CODEC_END     12
#define CODEC_REF     13   /* num: index (in BEGIN order) of a table already begun */
#define CODEC_FUNCTION 14  /* p, len: a description, such as "function: 0x1c2d0" */
#define CODEC_USERDATA 15  /* p, len: likewise, with the metatable's __name if it has one */
#define CODEC_THREAD  16   /* p, len: likewise */
#define CODEC_RESET   17   /* forget every step so far: an error report follows */
#define CODEC_BIGINT  18   /* p, len: hexadecimal digits, with a leading '-' if negative */
#define CODEC_EXTREF  19   /* num: the id of an external table (or input view) */
#define CODEC_BUILT   20   /* (external tables only) the value is the one just sent */
#define CODEC_LONG    21   /* (slots only) a string too long for the slot; num: its ticket */
#define CODEC_STALE   22   /* (slots only) the table or view no longer exists */
#define CODEC_READONLY 23  /* (slots only) the view is read-only */
/* Functions, in store mode only (closure.c): */
#define CODEC_CFUNC   24   /* p, len: a standard library function's name, e.g. "string.format" */
#define CODEC_LFUNC   25   /* p, len: bytecode (a slot: num = the stored function's id); then, per
                              upvalue, an UPVAL step and the upvalue's value; then END */
#define CODEC_UPVAL   26   /* num: the upvalue's cell id (functions sharing an upvalue share it) */
#define CODEC_ENV     27   /* the value is the unit's global environment */
#define CODEC_FNREF   28   /* num: the id of a function already stored or restored */
#define CODEC_MISS    29   /* (answers only) the host must read its store first: host_ext_wait, then ask again */

/* What the js_ext_* imports answer when they could not do it: STALE, READONLY, or a
   negative number when the host's side failed. */
#define CODEC_FAILED(t) ((t) < 0 || (t) == CODEC_STALE || (t) == CODEC_READONLY)

#endif
