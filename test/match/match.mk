# The pattern matcher's native test (included by the Makefile; run by `make test-native`):
# match.c against lstrlib.c on random patterns, subjects and replacements (oracle.lua).
# The runtime's lstrlib.c is built without its own matcher (src/lstrlib_cu.h), so the
# oracle links a plain copy of lstrlib.c, with luaopen_string renamed.
build/native/oracle-lstrlib.o: $(LUA_SRC)/lstrlib.c | $(LUA_SRC)/lua.h
	@mkdir -p $(@D)
	$(NATIVE_CC) $(NATIVE_CFLAGS) -Dluaopen_string=oracle_open_lstrlib -c $< -o $@
build/native/match-oracle: test/match/oracle.c build/native/oracle-lstrlib.o $(NATIVE_CU) test/native/host.c $(NATIVE_LUA)
	$(NATIVE_CC) $(NATIVE_CFLAGS) $^ -lm -o $@

NATIVE_TESTS += build/native/match-oracle
