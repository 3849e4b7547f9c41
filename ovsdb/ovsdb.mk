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
# The same tests on the string scan of machines without SSE2.
UNIT_TESTS += test-json-stream-swar
test-json-stream-swar_SRCS := tests/unit/test-json-stream.c \
                              tests/unit/json-stream-swar.c
test-update-decoder_SRCS := tests/unit/test-update-decoder.c $(DECODER_SRCS)
test-nb-map_SRCS := tests/unit/test-nb-map.c ovsdb/nb-map.c
test-route-set_SRCS := tests/unit/test-route-set.c ovsdb/route-set.c \
                       ovsdb/nb-map.c
test-nb-replica_SRCS := tests/unit/test-nb-replica.c $(DECODER_SRCS) \
                        ovsdb/nb-replica.c ovsdb/route-set.c ovsdb/nb-map.c

# Fuzzers (see FUZZER in the Makefile): the tokenizer alone, and the
# update decoder over it (its seeds start with a control byte: see the
# harness).
$(eval $(call FUZZER,fuzz-json-stream,tests/fuzz/fuzz-json-stream.c \
    $(JSON_STREAM_SRCS),ovsdb/json-scan.h ovsdb/json-stream.h, \
    tests/fuzz/corpus-json))
$(eval $(call FUZZER,fuzz-update-decoder,tests/fuzz/fuzz-update-decoder.c \
    $(DECODER_SRCS),ovsdb/json-scan.h ovsdb/json-stream.h \
    ovsdb/update-decoder.h, \
    tests/fuzz/corpus-decoder))

# The throughput of the tokenizer and the decoder on an NB snapshot; not
# run by make check.
build/release/tests/bench-json-stream: \
        $(call objs,release,tests/tools/bench-json-stream.c \
                            $(DECODER_SRCS))
	$(CC) $(FLAVOUR_LDFLAGS_release) $(LDFLAGS) -o $@ $^

# The NB side of a first sync alone, from a file bench-json-stream -o wrote;
# not run by make check, but built by it, so that neither tool rots.
CHECK_DEPS += build/release/tests/bench-json-stream \
              build/release/tests/bench-nb-replica
build/release/tests/bench-nb-replica: \
        $(call objs,release,tests/tools/bench-nb-replica.c \
                            $(DECODER_SRCS) ovsdb/nb-map.c \
                            ovsdb/nb-replica.c ovsdb/route-set.c)
	$(CC) $(FLAVOUR_LDFLAGS_release) $(LDFLAGS) -o $@ $^ $(LIBS)

# A randomized differential test of the replica (see the file).
UNIT_TESTS += test-nb-replica-random
# (It includes ovsdb/nb-replica.c, to check its structures too.)
test-nb-replica-random_SRCS := tests/unit/test-nb-replica-random.c \
                               $(DECODER_SRCS) ovsdb/route-set.c \
                               ovsdb/nb-map.c
