# The OVSDB side: what reads the Northbound database, nothing of BGP.
# The daemon's files are OVSDB_SRCS, in the Makefile.  The streaming JSON
# tokenizer is plain libc and not part of the daemon yet.
JSON_STREAM_SRCS := ovsdb/json-stream.c

# Unit tests (built and run by tests/tests.mk and tests/run.sh).
UNIT_TESTS += test-json-stream
test-json-stream_SRCS := tests/unit/test-json-stream.c $(JSON_STREAM_SRCS)

# ---------------------------------------------------------------------------
# The tokenizer fuzzer (libFuzzer, with FUZZ_CC and FUZZ_CFLAGS from
# bgp/bgp.mk).  It links the tokenizer alone.
#
#   make build/fuzz/fuzz-json-stream   the binary
#   make fuzz-json-stream              a long run (FUZZ_SECONDS) growing
#                                      build/fuzz/corpus-json from the seeds
#                                      in tests/fuzz/corpus-json
# `make fuzz` runs it after the wire codec's; `make check` runs both for a
# short while (tests/bgp/test-fuzz-short.sh).

FUZZ_JSON_STREAM_SRCS := tests/fuzz/fuzz-json-stream.c $(JSON_STREAM_SRCS)

build/fuzz/fuzz-json-stream: $(FUZZ_JSON_STREAM_SRCS) ovsdb/json-stream.h \
                             tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -I. -o $@ $(FUZZ_JSON_STREAM_SRCS)

.PHONY: fuzz-json-stream
fuzz: fuzz-json-stream
fuzz-json-stream: build/fuzz/fuzz-json-stream
	@mkdir -p build/fuzz/corpus-json build/fuzz/artifacts
	build/fuzz/fuzz-json-stream -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=build/fuzz/artifacts/json- \
	    build/fuzz/corpus-json tests/fuzz/corpus-json

CHECK_DEPS += build/fuzz/fuzz-json-stream

# The tokenizer's throughput on an OVSDB-like update; not run by make check.
build/release/tests/bench-json-stream: \
        $(call objs,release,tests/tools/bench-json-stream.c \
                            $(JSON_STREAM_SRCS))
	$(CC) $(FLAVOUR_LDFLAGS_release) $(LDFLAGS) -o $@ $^
