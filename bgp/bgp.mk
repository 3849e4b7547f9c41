# The BGP engine: knows BGP, nothing of OVN.
# The wire codec alone (what the fuzzer links), then the rest.
BGP_CODEC_SRCS := bgp/buf.c bgp/wire.c
BGP_SRCS := $(BGP_CODEC_SRCS) bgp/pmap.c bgp/rib.c bgp/log.c bgp/fsm.c \
            bgp/engine.c bgp/peer.c bgp/connection.c bgp/update-pump.c

# Unit tests (built and run by tests/tests.mk and tests/run.sh).
UNIT_TESTS += test-bgp-wire
test-bgp-wire_SRCS := tests/unit/test-bgp-wire.c bgp/buf.c bgp/wire.c
UNIT_TESTS += test-bgp-fsm test-bgp-pmap test-bgp-rib
test-bgp-pmap_SRCS := tests/unit/test-bgp-pmap.c bgp/pmap.c
test-bgp-rib_SRCS := tests/unit/test-bgp-rib.c bgp/rib.c bgp/pmap.c
test-bgp-fsm_SRCS := tests/unit/test-bgp-fsm.c bgp/fsm.c $(BGP_CODEC_SRCS)

# ---------------------------------------------------------------------------
# The wire codec fuzzer (see FUZZER in the Makefile): the codec alone.
$(eval $(call FUZZER,fuzz-bgp-wire,tests/fuzz/fuzz-bgp-wire.c \
    $(BGP_CODEC_SRCS),bgp/buf.h bgp/wire.h,tests/fuzz/corpus))
