# The BGP engine: knows BGP, nothing of OVN.
# The wire codec alone (what the fuzzer links), then the rest.
BGP_CODEC_SRCS := bgp/buf.c bgp/wire.c
BGP_SRCS := $(BGP_CODEC_SRCS) bgp/pmap.c bgp/log.c bgp/fsm.c bgp/engine.c

# Unit tests (built and run by tests/tests.mk and tests/run.sh).
UNIT_TESTS += test-bgp-wire
test-bgp-wire_SRCS := tests/unit/test-bgp-wire.c bgp/buf.c bgp/wire.c
UNIT_TESTS += test-bgp-fsm test-bgp-pmap
test-bgp-pmap_SRCS := tests/unit/test-bgp-pmap.c bgp/pmap.c
test-bgp-fsm_SRCS := tests/unit/test-bgp-fsm.c bgp/fsm.c $(BGP_CODEC_SRCS)

# ---------------------------------------------------------------------------
# The wire codec fuzzer (libFuzzer).  It needs clang; it links the codec
# only, compiled here with the fuzzer's instrumentation.
#
#   make build/fuzz/fuzz-bgp-wire   the binary
#   make fuzz-bgp-wire              a long run (FUZZ_SECONDS, default 600)
#                                   growing build/fuzz/corpus from the seeds
#                                   in tests/fuzz/corpus
#   make fuzz                       the long run of every fuzzer (one after
#                                   the other, unless make -j)
# `make check` runs it for a short while (tests/bgp/test-fuzz-short.sh).

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 600
FUZZ_CFLAGS = -std=gnu11 -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    $(WARNINGS)
FUZZ_BGP_WIRE_SRCS := tests/fuzz/fuzz-bgp-wire.c $(BGP_CODEC_SRCS)

build/fuzz/fuzz-bgp-wire: $(FUZZ_BGP_WIRE_SRCS) bgp/buf.h bgp/wire.h \
                          tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -I. -o $@ $(FUZZ_BGP_WIRE_SRCS)

.PHONY: fuzz fuzz-bgp-wire
fuzz: fuzz-bgp-wire
fuzz-bgp-wire: build/fuzz/fuzz-bgp-wire
	@mkdir -p build/fuzz/corpus build/fuzz/artifacts
	build/fuzz/fuzz-bgp-wire -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=build/fuzz/artifacts/ \
	    build/fuzz/corpus tests/fuzz/corpus

CHECK_DEPS += build/fuzz/fuzz-bgp-wire
