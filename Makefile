# Builds cu.wasm (clang-19, wasm32-wasi reactor) and a native gcc build of the same C
# sources, and runs every test. `make run` and `make test` install what is missing first.

LUA_SRC   := build/lua/src
LUA_NAMES := lapi lcode lctype ldebug ldo ldump lfunc lgc llex lmem lobject lopcodes \
             lparser lstate lstring ltable ltm lundump lvm lzio lauxlib lbaselib \
             lcorolib ldblib liolib lmathlib loadlib loslib lstrlib ltablib lutf8lib linit
CU_SRCS   := $(wildcard src/*.c)
CU_NAMES  := $(basename $(notdir $(CU_SRCS)))
CU_HDRS   := $(wildcard src/*.h)

# --- wasm ---------------------------------------------------------------------------
WASM_CC     := clang-19
# -mnontrapping-fptoint: a float-to-integer conversion saturates in one instruction
# instead of a range check and a trapping conversion (Lua checks ranges itself, and a
# conversion clang emitted unguarded could never trap a unit): 1.5 KB smaller, and
# fannkuch 7% and n-body 7% faster in Node (docs/benchmarks.md §3). Every engine Cu
# supports has it (V8 7.5, Firefox 64, Safari 15).
WASM_CFLAGS := --target=wasm32-wasi -mnontrapping-fptoint -O2 -std=gnu99 -Wall -Wextra -Wno-deprecated \
               -mllvm -wasm-enable-sjlj -DLUA_COMPAT_5_3 \
               -DLUA_USER_H='"cu_luauser.h"' -Isrc/wasm -Isrc -I$(LUA_SRC)
# The memory is imported, so each unit picks its own fixed size; the module only
# declares the minimum. The shadow stack comes first so an overflow traps instead of
# writing over data (toolchain.md pitfall 7). No -O on the link line (pitfall 2).
WASM_LDFLAGS := --target=wasm32-wasi -mexec-model=reactor -Wl,--import-memory \
                -Wl,--initial-memory=393216 -Wl,-z,stack-size=262144 -Wl,--stack-first \
                -Wl,--export=__stack_pointer -Wl,--export=__heap_base \
                -Wl,--strip-all
# With LTO the sjlj lowering runs in the linker, which defines the exception tag itself:
# src/wasm/sjlj_tag.S stays out (toolchain.md pitfalls 5 and 6; test/bench/bench.mk
# still uses it for its non-LTO variants, which link with WASM_LDFLAGS alone).
WASM_LTO_LDFLAGS := -flto -Wl,-mllvm,-wasm-enable-sjlj
WASM_OBJS := $(LUA_NAMES:%=build/wasm/%.o) $(CU_NAMES:%=build/wasm/%.o) \
             build/wasm/sjlj.o build/wasm/stubs.o

# How each file is optimised, chosen by measurement (docs/benchmarks.md, "Build flags").
# The interpreter's core goes through link-time optimisation, so calls between lvm.c,
# ldo.c, ltable.c, lgc.c... are inlined: binary-trees and closures 15% faster in Node;
# the pattern matcher (match.c) joins it for its calls into the core, and image.c so
# that luaS_hash stays inlined instead of needing an out-of-line copy (40 bytes gzipped).
# Code that runs once per chunk, only on the way to an error, or whose time is spent in
# its callees (the compiler, dump/undump, debug info, the libraries' glue, bigint's
# C, whose hot loops are explicit SIMD) is compiled for size, at no measured cost: with
# both, the module was 315 KB (128 KB gzipped) instead of 325 KB (131 KB). lstrlib.c is
# among them since match.c replaced its matcher (strings 165 ms either way, and 1.3 KB
# smaller gzipped). lstrlib.c and lauxlib.c go further, to -Oz: 220 bytes gzipped less,
# strings the same (docs/benchmarks.md, "Build flags"); -Oz on all the cold files would
# save 2.7 KB but made fib, which runs none of them, 7% slower in Node. So did lparser.c
# and lcode.c alone; ldblib, loslib, liolib, linit (the last two only in `full`) and
# libs.c, at -Oz since data work counts against the limits, save 114 bytes gzipped.
# codec.c (results to the host) at -Os saves 305 bytes gzipped, since the collector and
# next count their work; returning a 30,000-row table took 58.5-73 ms at -O2 and
# 59.9-63 ms at -Os, `return 1` 0.93-1.14 us and 0.92-1.20 us (docs/benchmarks.md §3).
WASM_LTO  := lvm ldo ltable lfunc lstring lgc ltm lobject lapi lstate lmem match raise image
WASM_COLD := lcode ldump llex lparser lundump ldblib liolib loadlib loslib lutf8lib linit \
             lcorolib lmathlib ltablib bigint codec
WASM_SMALLEST := lauxlib lstrlib ldblib loslib liolib linit libs
# error() (lbaselib.c) and luaG_errormsg (ldebug.c) are cold too, but inline into their
# callers across files (src/cu_luauser.h), so they go through link-time optimisation.
WASM_COLD_LTO := ldebug lbaselib
$(WASM_LTO:%=build/wasm/%.o): WASM_TUNE := -flto
$(WASM_COLD:%=build/wasm/%.o): WASM_TUNE := -Os
$(WASM_SMALLEST:%=build/wasm/%.o): WASM_TUNE := -Oz
$(WASM_COLD_LTO:%=build/wasm/%.o): WASM_TUNE := -flto -Os

# Flags for single Lua files, LUA_EXTRA_<name>; every build of them uses these (wasm,
# native, and test/bench/bench.mk's variants). Lua's sources stay unmodified.
# Finalizers run with hooks off in stock Lua, which would let a __gc loop escape the
# limits; lgc.c's only luaD_pcall call (the one that runs finalizers) goes through
# limits_gc_pcall instead (src/limits.c). The collector's marking counts against the
# limits (src/lgc_cu.h), and so do next's walk past empty slots and the hashing of long
# string keys (src/ltable_cu.h).
LUA_EXTRA_lgc := -DluaD_pcall=limits_gc_pcall -include src/lgc_cu.h
# The count hook's per-instruction call, inlined (src/limits_vm.h); and a call of a Lua
# function, set up inline instead of through ldo.c's luaD_precall (src/call_vm.h).
# Comparing two long strings, and ordering two strings, count their bytes as work
# (limits_eqlngstr and limits_strcoll, src/limits.c).
LUA_EXTRA_lvm := -include src/limits_vm.h -DluaG_traceexec=limits_traceexec -include src/call_vm.h \
                 -DluaS_eqlngstr=limits_eqlngstr -Dstrcoll=limits_strcoll
LUA_EXTRA_ltable := -DluaS_eqlngstr=limits_eqlngstr -include src/ltable_cu.h
# error() and assert() inside pcall return to pcall's catch instead of throwing, when
# src/raise.c finds that they can: lbaselib.c's `return lua_error(L)` asks it first,
# and ldo.c's protected call (LUAI_TRY, src/raise.h) reports such a return as an error.
LUA_EXTRA_lbaselib := -include src/raise.h '-Dlua_error(L)=(raise_unwind(L) ? 1 : lua_error(L))'
LUA_EXTRA_ldo := -include src/raise.h
# string.find, match, gmatch and gsub are match.c's, and string.rep is libs.c's
# (src/lstrlib_cu.h); lstrlib.c's five go unused.
LUA_EXTRA_lstrlib := -include src/lstrlib_cu.h -Wno-unused-function
# math.random's seed: lmathlib.c's one time(NULL) call (randseed) draws from the host's
# random source instead (src/entropy.c); <time.h> itself declares the renamed function.
LUA_EXTRA_lmathlib := -Dtime=entropy_time
# clock() (os.clock, and table.sort's pivot) counts from the unit's start (src/cu.c's
# cu_clock), not from wasi-libc's start-up code, which a unit copied from an image
# (src/image.c) never runs; the define makes wasi-libc's <time.h> declare it, renamed.
LUA_EXTRA_loslib := -D_WASI_EMULATED_PROCESS_CLOCKS -Dclock=cu_clock
# ltablib.c's loops count a step per element read (limits_geti, src/limits.c).
LUA_EXTRA_ltablib := $(LUA_EXTRA_loslib) -Dlua_geti=limits_geti
# utf8.len and utf8.offset count the characters they walk (src/lutf8lib_cu.h).
LUA_EXTRA_lutf8lib := -include src/lutf8lib_cu.h
# What those flags bring into Lua's files; each build of them depends on these.
LUA_INJECTED := src/cu_luauser.h src/limits_vm.h src/call_vm.h src/raise.h src/lstrlib_cu.h \
                src/lutf8lib_cu.h src/ltable_cu.h src/lgc_cu.h src/cu_limits.h

# --- native (gcc): C unit tests, the differential test, later fuzzing ------------------
NATIVE_CC     := gcc
NATIVE_CFLAGS := -O2 -std=gnu99 -Wall -Wextra -DLUA_COMPAT_5_3 -DLUA_USER_H='"cu_luauser.h"' \
                 -Isrc -I$(LUA_SRC)
NATIVE_LUA    := build/native/liblua.a
NATIVE_CU     := $(CU_NAMES:%=build/native/%.o)

# js/ bundled for browsers (rule below)
JS_BUNDLES := dist/cu.js dist/worker-host.js

.PHONY: all setup build run test test-native test-js bench clean serve web
all: build
build: dist/cu.wasm $(JS_BUNDLES) build/native/cu-lua build/native/unit

setup:
	@scripts/setup

$(LUA_SRC)/lua.h:
	@scripts/fetch-lua

build/wasm/%.o: $(LUA_SRC)/%.c $(LUA_INJECTED) Makefile | $(LUA_SRC)/lua.h
	@mkdir -p $(@D)
	$(WASM_CC) $(WASM_CFLAGS) $(WASM_TUNE) $(LUA_EXTRA_$*) -Wno-unused-parameter -c $< -o $@
build/wasm/%.o: src/%.c $(CU_HDRS) Makefile | $(LUA_SRC)/lua.h
	@mkdir -p $(@D)
	$(WASM_CC) $(WASM_CFLAGS) $(WASM_TUNE) -c $< -o $@
build/wasm/%.o: src/wasm/%.c src/wasm/setjmp.h | $(LUA_SRC)/lua.h
	@mkdir -p $(@D)
	$(WASM_CC) $(WASM_CFLAGS) -c $< -o $@

build/wasm/cu-linked.wasm: $(WASM_OBJS)
	@mkdir -p $(@D)
	$(WASM_CC) $(WASM_LDFLAGS) $(WASM_LTO_LDFLAGS) $(WASM_OBJS) -o $@
# binaryen, run explicitly (toolchain.md pitfall 2): measured 3-4% faster and 12% smaller
# (docs/benchmarks.md). --converge runs the passes again until the module stops shrinking:
# 431 bytes smaller (158 gzipped), for about 2 s more build. The stripped module no longer
# lists its features, so name them.
WASM_OPT_FLAGS := -O3 --converge --enable-nontrapping-float-to-int --enable-exception-handling --enable-mutable-globals --enable-sign-ext --enable-simd
dist/cu.wasm: build/wasm/cu-linked.wasm
	@mkdir -p $(@D)
	wasm-opt $(WASM_OPT_FLAGS) $< -o $@

# The browser's entry: js/ bundled by esbuild into one minified ES module with a source
# map (a page loads it in one request instead of a dozen: docs/benchmarks.md §4), and the
# worker's side into another. Beside dist/cu.wasm, where module.js and worker.js look.
# Node built-ins and lmdb stay dynamic imports, so the same files also work in Node.
$(JS_BUNDLES) &: $(wildcard js/*.js js/stores/*.js) package-lock.json | node_modules/.bin/esbuild
	@mkdir -p $(@D)
	node_modules/.bin/esbuild cu=js/index.js worker-host=js/worker-host.js --bundle --format=esm \
	  --target=es2022 --platform=neutral '--external:node:*' --external:lmdb --minify --keep-names \
	  --sourcemap --outdir=dist --log-level=warning

build/native/lua/%.o: $(LUA_SRC)/%.c $(LUA_INJECTED) Makefile | $(LUA_SRC)/lua.h
	@mkdir -p $(@D)
	$(NATIVE_CC) $(NATIVE_CFLAGS) $(LUA_EXTRA_$*) -c $< -o $@
$(NATIVE_LUA): $(LUA_NAMES:%=build/native/lua/%.o)
	ar rcs $@ $^
build/native/%.o: src/%.c $(CU_HDRS) Makefile | $(LUA_SRC)/lua.h
	@mkdir -p $(@D)
	$(NATIVE_CC) $(NATIVE_CFLAGS) -c $< -o $@
build/native/cu-lua: test/native/runlua.c test/native/host.c $(NATIVE_CU) $(NATIVE_LUA)
	$(NATIVE_CC) $(NATIVE_CFLAGS) $^ -lm -o $@
# unit.c counts the errors that are thrown: Lua's calls of luaD_throw go through it.
build/native/unit: test/native/unit.c test/native/host.c $(NATIVE_CU) $(NATIVE_LUA)
	$(NATIVE_CC) $(NATIVE_CFLAGS) $^ -Wl,--wrap=luaD_throw -lm -o $@

# Stock Lua 5.4.7: the unmodified sources with none of the flags above, built the way
# Lua's own `make linux` does. The reference that Cu's error paths are compared with
# (test/raise.test.js), and the benchmarks' native engine (bench/run.js).
STOCK_LUA    := build/native/stock/lua
STOCK_CFLAGS := -O2 -std=gnu99 -Wall -Wextra -DLUA_COMPAT_5_3 -DLUA_USE_LINUX
build/native/stock/%.o: $(LUA_SRC)/%.c | $(LUA_SRC)/lua.h
	@mkdir -p $(@D)
	$(NATIVE_CC) $(STOCK_CFLAGS) -c $< -o $@
$(STOCK_LUA): $(LUA_NAMES:%=build/native/stock/%.o) build/native/stock/lua.o
	$(NATIVE_CC) $^ -Wl,-E -ldl -lm -o $@

# Extra native test programs (e.g. the bigint GMP oracle) add themselves here.
NATIVE_TESTS := build/native/unit
-include test/*/*.mk

# The counter twice, in two processes: the second run finds what the first one stored.
run: setup
	@$(MAKE) --no-print-directory -s build
	@echo '$$ node bin/cu.js run examples/counter.lua'
	@node bin/cu.js run examples/counter.lua
	@echo '$$ node bin/cu.js run examples/counter.lua    # a new process; _home is kept in ./.cu'
	@node bin/cu.js run examples/counter.lua
	@echo 'next: node bin/cu.js repl   (an interactive session on the same unit; .help inside)'

test-native: build $(NATIVE_TESTS)
	@for t in $(NATIVE_TESTS); do echo "== $$t"; $$t || exit 1; done

test-js: build web $(STOCK_LUA)
	node --test test/*.test.js test/*/*.test.js

test: setup
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory test-native
	@$(MAKE) --no-print-directory test-js

# esbuild is an npm dev dependency: a bare `make build` installs what setup installs.
node_modules/.bin/esbuild:
	@scripts/setup

# --- the playground (web/): CodeMirror and web/*.js bundled by esbuild; the Cu runtime is
# its own bundle, /dist/cu.js (its worker and wasm are found beside it) -----------------
WEB_BUNDLE := build/web/app.js
web: $(WEB_BUNDLE)
$(WEB_BUNDLE): $(filter-out web/serve.js,$(wildcard web/*.js)) package-lock.json | $(JS_BUNDLES)
	@mkdir -p $(@D)
	node_modules/.bin/esbuild web/app.js --bundle --format=esm --target=es2022 --minify --sourcemap \
	  '--external:/dist/*' --outfile=$@ --log-level=warning

# The playground on http://127.0.0.1:8765/ (PORT=... to choose), cross-origin isolated.
serve: setup
	@$(MAKE) --no-print-directory -s build web
	node web/serve.js

bench: setup
	@$(MAKE) --no-print-directory -s build
	node bench/run.js

clean:
	rm -rf build/wasm build/native build/web dist
