# The OVSDB side: what reads the Northbound database, nothing of BGP.
# The tokenizer and the update decoder are plain libc (what the fuzzers
# link); the replica, the mapping, the route set and the watcher use
# libopenvswitch.
JSON_STREAM_SRCS := ovsdb/json-stream.c
DECODER_SRCS := $(JSON_STREAM_SRCS) ovsdb/update-decoder.c
OVSDB_SRCS := $(DECODER_SRCS) ovsdb/nb-map.c ovsdb/nb-replica.c \
              ovsdb/route-set.c ovsdb/nb-watcher.c

# Unit tests (built and run by tests/tests.mk and tests/run.sh).
UNIT_TESTS += test-json-stream test-update-decoder test-nb-map \
              test-route-set test-nb-replica
test-json-stream_SRCS := tests/unit/test-json-stream.c $(JSON_STREAM_SRCS)
test-update-decoder_SRCS := tests/unit/test-update-decoder.c $(DECODER_SRCS)
test-nb-map_SRCS := tests/unit/test-nb-map.c ovsdb/nb-map.c
test-route-set_SRCS := tests/unit/test-route-set.c ovsdb/route-set.c \
                       ovsdb/nb-map.c
test-nb-replica_SRCS := tests/unit/test-nb-replica.c $(DECODER_SRCS) \
                        ovsdb/nb-replica.c ovsdb/route-set.c ovsdb/nb-map.c

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

# The update decoder's fuzzer, over the tokenizer; its seeds start with a
# control byte (see the harness).
FUZZ_UPDATE_DECODER_SRCS := tests/fuzz/fuzz-update-decoder.c $(DECODER_SRCS)

build/fuzz/fuzz-update-decoder: $(FUZZ_UPDATE_DECODER_SRCS) \
        ovsdb/json-stream.h ovsdb/update-decoder.h tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -I. -o $@ $(FUZZ_UPDATE_DECODER_SRCS)

.PHONY: fuzz-update-decoder
fuzz: fuzz-update-decoder
fuzz-update-decoder: build/fuzz/fuzz-update-decoder
	@mkdir -p build/fuzz/corpus-decoder build/fuzz/artifacts
	build/fuzz/fuzz-update-decoder -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=build/fuzz/artifacts/decoder- \
	    build/fuzz/corpus-decoder tests/fuzz/corpus-decoder

CHECK_DEPS += build/fuzz/fuzz-update-decoder

# The tokenizer's throughput on an OVSDB-like update; not run by make check.
build/release/tests/bench-json-stream: \
        $(call objs,release,tests/tools/bench-json-stream.c \
                            $(JSON_STREAM_SRCS))
	$(CC) $(FLAVOUR_LDFLAGS_release) $(LDFLAGS) -o $@ $^
