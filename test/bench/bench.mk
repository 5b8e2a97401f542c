# bench.mk: build rules for the benchmark suite (bench/run.js, docs/benchmarks.md).
# Included by the Makefile through `-include test/*/*.mk`. Nothing here is built by
# `make build`; bench/run.js asks for what it needs, and `make test` builds the start-up
# floor, whose jobs test/bench.test.js runs.
#  - the reference engine, stock Lua built natively, is the Makefile's $(STOCK_LUA).
#  - build/bench/wasm-VARIANT/cu.wasm: cu.wasm built with other optimisation flags, to
#    measure which build flags to adopt. Each variant compiles its own objects from the
#    same sources with the Makefile's WASM_CFLAGS/WASM_LDFLAGS, changing only -O / LTO,
#    and never passes -O on the link line (toolchain.md pitfall 2: clang would run
#    wasm-opt by itself once binaryen is installed).

BENCH_DIR := build/bench
comma := ,

# --- cu.wasm build-flag variants ----------------------------------------------------
BENCH_NAMES := $(LUA_NAMES) $(CU_NAMES) sjlj stubs

# $(call bench_variant,NAME,CFLAGS to add after WASM_CFLAGS,extra link flags,lto?)
# With LTO the setjmp runtime is compiled without -flto and the tag file is left out
# (toolchain.md pitfalls 5 and 6), and the sjlj lowering is requested at link time.
# Lua's files get the main build's per-file flags (the Makefile's LUA_EXTRA_<name>).
define bench_variant
$(BENCH_DIR)/wasm-$(1)/%.o: $(LUA_SRC)/%.c $(LUA_INJECTED) | $(LUA_SRC)/lua.h
	@mkdir -p $$(@D)
	$(WASM_CC) $(WASM_CFLAGS) $(2) $$(LUA_EXTRA_$$*) -Wno-unused-parameter -c $$< -o $$@
$(BENCH_DIR)/wasm-$(1)/%.o: src/%.c $(CU_HDRS) | $(LUA_SRC)/lua.h
	@mkdir -p $$(@D)
	$(WASM_CC) $(WASM_CFLAGS) $(2) $$(BENCH_EXTRA) -c $$< -o $$@
$(BENCH_DIR)/wasm-$(1)/sjlj.o: src/wasm/sjlj.c src/wasm/setjmp.h
	@mkdir -p $$(@D)
	$(WASM_CC) $(WASM_CFLAGS) $(if $(4),$(filter-out -flto,$(2)),$(2)) -c $$< -o $$@
$(BENCH_DIR)/wasm-$(1)/stubs.o: src/wasm/stubs.c
	@mkdir -p $$(@D)
	$(WASM_CC) $(WASM_CFLAGS) $(2) -c $$< -o $$@
$(BENCH_DIR)/wasm-$(1)/sjlj_tag.o: src/wasm/sjlj_tag.S
	@mkdir -p $$(@D)
	$(WASM_CC) --target=wasm32-wasi -c $$< -o $$@
$(BENCH_DIR)/wasm-$(1)/cu.wasm: $(BENCH_NAMES:%=$(BENCH_DIR)/wasm-$(1)/%.o) $(if $(4),,$(BENCH_DIR)/wasm-$(1)/sjlj_tag.o)
	$(WASM_CC) $(WASM_LDFLAGS) $(3) $$^ -o $$@
endef

$(eval $(call bench_variant,O2,,,))
$(eval $(call bench_variant,O3,-O3,,))
$(eval $(call bench_variant,O2-nohook,,,))
$(eval $(call bench_variant,O2-lto,-flto,-flto -Wl$(comma)-mllvm$(comma)-wasm-enable-sjlj,lto))
# Measurement only, not a candidate: the limits' count hook is never installed, so the
# Lua VM runs without its per-instruction hook check (and without any limit). It shows
# what the instruction/time limits cost.
$(BENCH_DIR)/wasm-O2-nohook/limits.o: BENCH_EXTRA := '-Dlua_sethook(L,f,m,c)=((void)0)'

# wasm-opt (Debian binaryen) run explicitly on a finished variant.
$(BENCH_DIR)/wasm-%-wasmopt/cu.wasm: $(BENCH_DIR)/wasm-%/cu.wasm
	@mkdir -p $(@D)
	wasm-opt -O3 --enable-exception-handling --enable-mutable-globals --enable-sign-ext --enable-simd $< -o $@

.PHONY: bench-tools
bench-tools: $(BENCH_DIR)/lua $(BENCH_DIR)/wasm-O2/cu.wasm $(BENCH_DIR)/wasm-O3/cu.wasm \
             $(BENCH_DIR)/wasm-O2-lto/cu.wasm $(BENCH_DIR)/wasm-O2-wasmopt/cu.wasm \
             $(BENCH_DIR)/wasm-O2-nohook/cu.wasm \
             $(BENCH_DIR)/wasm-O3-wasmopt/cu.wasm

# bench/throw.js's module: a wasm exception's cost by the frames it unwinds.
$(BENCH_DIR)/throw.wasm: bench/throw.wat
	@mkdir -p $(@D)
	wat2wasm --enable-exceptions $< -o $@

# --- the start-up floor (bench/floor.c) ----------------------------------------------
# Stock Lua 5.4.7 and nothing of Cu's runtime, with Cu's compiler, flags, setjmp runtime
# and wasm-opt: what a first `return 1` costs any Lua in wasm. floor-core opens no
# library; floor-libs opens Lua's standard ones. WASI has no signals, tmpnam or clock
# without help, which the -D's and the process-clocks library give.
FLOOR_CFLAGS := --target=wasm32-wasi -mnontrapping-fptoint -O2 -flto -std=gnu99 \
                -mllvm -wasm-enable-sjlj -DLUA_COMPAT_5_3 -Isrc/wasm -I$(LUA_SRC) \
                -Dl_signalT=int -D_WASI_EMULATED_PROCESS_CLOCKS -DLUA_TMPNAMBUFSIZE=32 \
                '-Dlua_tmpnam(b,e)={ (b)[0] = 0; e = 1; }' -Wno-deprecated-declarations
$(BENCH_DIR)/floor/%.o: $(LUA_SRC)/%.c | $(LUA_SRC)/lua.h
	@mkdir -p $(@D)
	$(WASM_CC) $(FLOOR_CFLAGS) -c $< -o $@
$(BENCH_DIR)/floor/floor-%.o: bench/floor.c | $(LUA_SRC)/lua.h
	@mkdir -p $(@D)
	$(WASM_CC) $(FLOOR_CFLAGS) $(if $(filter libs,$*),-DFLOOR_LIBS) -c $< -o $@
$(BENCH_DIR)/floor/sjlj.o: src/wasm/sjlj.c src/wasm/setjmp.h
	@mkdir -p $(@D)
	$(WASM_CC) $(filter-out -flto,$(FLOOR_CFLAGS)) -c $< -o $@
$(BENCH_DIR)/floor/stubs.o: src/wasm/stubs.c
	@mkdir -p $(@D)
	$(WASM_CC) $(FLOOR_CFLAGS) -c $< -o $@
# Kept, so that a change to floor.c does not recompile Lua.
.SECONDARY: $(LUA_NAMES:%=$(BENCH_DIR)/floor/%.o) $(BENCH_DIR)/floor/floor-core.o $(BENCH_DIR)/floor/floor-libs.o \
            $(BENCH_DIR)/floor-core-linked.wasm $(BENCH_DIR)/floor-libs-linked.wasm
# LTO drops the libraries' code from floor-core, which never reaches it.
$(BENCH_DIR)/floor-%-linked.wasm: $(LUA_NAMES:%=$(BENCH_DIR)/floor/%.o) $(BENCH_DIR)/floor/sjlj.o $(BENCH_DIR)/floor/stubs.o $(BENCH_DIR)/floor/floor-%.o
	$(WASM_CC) --target=wasm32-wasi -mexec-model=reactor -flto -Wl,-mllvm,-wasm-enable-sjlj -Wl,--strip-all $^ -lwasi-emulated-process-clocks -o $@
$(BENCH_DIR)/floor-%.wasm: $(BENCH_DIR)/floor-%-linked.wasm
	wasm-opt $(WASM_OPT_FLAGS) $< -o $@
# test/bench.test.js starts the floor as bench/run.js does.
test-js: $(BENCH_DIR)/floor-core.wasm $(BENCH_DIR)/floor-libs.wasm
