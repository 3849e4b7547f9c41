# Tests.  `make check` builds the sanitizer flavour of everything and runs
# tests/run.sh, which runs every unit test binary and every
# tests/*/test-*.sh script and closes with "N passed, N failed".
#
# A unit test is named in UNIT_TESTS (by any folder's .mk) with its sources
# in NAME_SRCS; it links against cmocka and the project's libraries.


UNIT_TEST_BINS := $(addprefix build/asan/tests/,$(UNIT_TESTS))

define UNIT_TEST_RULE
build/asan/tests/$(1): $(call objs,asan,$($(1)_SRCS))
	$$(CC) $$(FLAVOUR_LDFLAGS_asan) $$(LDFLAGS) -o $$@ $$^ -lcmocka $$(LIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call UNIT_TEST_RULE,$(t))))

# The BGP engine alone, driven from stdin, for the interop tests.
build/asan/tests/bgp-driver: $(call objs,asan,tests/tools/bgp-driver.c \
                               $(BGP_SRCS))
	$(CC) $(FLAVOUR_LDFLAGS_asan) $(LDFLAGS) -o $@ $^ -levent

# Extra things a folder's tests need built first (fuzzers, helpers).
# The release daemon too: tests run make sandbox and make install, which
# must find it built rather than build it at once.
CHECK_DEPS += build/asan/ovn-bgp-speaker $(UNIT_TEST_BINS) \
              build/asan/tests/bgp-driver src/ovn-bgp-speaker

# The test packages first (clang builds the fuzzer), then everything the
# tests run, then the tests: those TESTS names, else the unit tests the
# .mk files list (not whatever binaries an older tree left in build/) and
# every test script.
.PHONY: check
check:
	@scripts/install-deps.sh test
	$(MAKE) --no-print-directory $(CHECK_DEPS)
	tests/run.sh $(or $(TESTS),$(UNIT_TEST_BINS) $(wildcard tests/*/test-*.sh))
