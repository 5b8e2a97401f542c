# bigint's native tests (included by the Makefile; run by `make test-native`).
#  - bigint-oracle: the differential test against GMP (libgmp-dev, only used here).
#  - bigint-oracle-small: the same with tiny algorithm thresholds, so Karatsuba, Toom-3, the
#    recursive division, the divide-and-conquer conversions and their recursion are
#    exercised at small sizes.
#  - bigint-errors: error cases, documented semantics, GC and memory-cap behaviour.
# They link the native build of Lua and the runtime (whose limit counters lstrlib.c
# calls); the oracles include src/bigint.c itself to reach its static thresholds.
BIGINT_RUNTIME := $(filter-out build/native/bigint.o,$(NATIVE_CU)) test/native/host.c $(NATIVE_LUA)
BIGINT_TINY := -DBIG_KARA_THRESHOLD=4 -DBIG_KSQR_THRESHOLD=4 -DBIG_TOOM3_THRESHOLD=12 \
               -DBIG_TSQR_THRESHOLD=10 -DBIG_TOSTR_THRESHOLD=2 \
               -DBIG_PARSE_THRESHOLD=1 -DBIG_DC_DIV_THRESHOLD=4 -DORACLE_CASES=40000 -DORACLE_SEED=7

build/native/bigint-oracle: test/bigint/oracle.c src/bigint.c src/bigint.h $(BIGINT_RUNTIME)
	$(NATIVE_CC) $(NATIVE_CFLAGS) $< $(BIGINT_RUNTIME) -lgmp -lm -o $@

build/native/bigint-oracle-small: test/bigint/oracle.c src/bigint.c src/bigint.h $(BIGINT_RUNTIME)
	$(NATIVE_CC) $(NATIVE_CFLAGS) $(BIGINT_TINY) $< $(BIGINT_RUNTIME) -lgmp -lm -o $@

build/native/bigint-errors: test/bigint/errors.c $(NATIVE_CU) test/native/host.c $(NATIVE_LUA)
	$(NATIVE_CC) $(NATIVE_CFLAGS) $^ -lm -o $@

NATIVE_TESTS += build/native/bigint-oracle build/native/bigint-oracle-small build/native/bigint-errors

# Not a test: GMP's times for bench/bigint.js (the native limit).
build/native/bigint-gmpbench: bench/bigint-gmp.c
	@mkdir -p $(@D)
	$(NATIVE_CC) -O2 -std=gnu99 -Wall -Wextra $< -lgmp -o $@
