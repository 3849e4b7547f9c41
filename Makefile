# ovn-bgp-speaker: announce OVN pod, subnet and service IPs over BGP.
#
#   make              the daemon, at src/ovn-bgp-speaker
#   make check        every test, on the sanitizer (ASan + UBSan) build
#   make sandbox      a throw-away NB database with annotated rows, and the
#                     speaker on it
#   make bench-nb     the NB watcher benchmark (10k and 100k ports)
#   make bench        the speaker beside BIRD and GoBGP, one BIRD sink
#   make install      honours PREFIX and DESTDIR
#
# Build outputs live under build/ (objects of each flavour) and at
# src/ovn-bgp-speaker; none of them is committed.

VERSION := 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

# libopenvswitch is built once, from Debian's openvswitch-source, into a cache
# outside the work tree; build/ovs.mk records where.  Goals that build nothing
# do not need it.
NO_OVS_GOALS := clean distclean help
ifneq ($(filter-out $(NO_OVS_GOALS),$(or $(MAKECMDGOALS),all)),)
include build/ovs.mk
endif

build/ovs.mk: scripts/build-ovs.sh scripts/install-deps.sh
	@mkdir -p $(@D)
	@scripts/install-deps.sh build
	@dir=$$(scripts/build-ovs.sh) && { \
	    echo "OVS_DIR := $$dir"; \
	    echo "OVS_LIBS := $$dir/lib/.libs/libopenvswitch.a" \
	         "$$dir/lib/.libs/libopenvswitchavx512.a" \
	         "$$(sed -n 's/^Libs.private: *//p' $$dir/lib/libopenvswitch.pc)" \
	         "-lpthread"; \
	} > $@.tmp && mv $@.tmp $@

# ---------------------------------------------------------------------------
# Sources.  Each folder lists its own files; src/ joins them.

SPEAKER_SRCS := src/main.c src/options.c src/dry-run.c src/channel.c \
                src/nb-thread.c src/speaker.c src/metrics.c src/dns-resolve.c \
                src/http-request.c

# ---------------------------------------------------------------------------
# Flags.

WARNINGS := -Wall -Wextra -Werror -Wno-sign-compare -Wno-unused-parameter \
            -Wmissing-prototypes -Wstrict-prototypes -Wshadow \
            -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
OVS_CPPFLAGS = -I$(OVS_DIR) -I$(OVS_DIR)/include -I$(OVS_DIR)/lib
BASE_CPPFLAGS = -I. -DSPEAKER_VERSION='"$(VERSION)"' -D_GNU_SOURCE
BASE_CFLAGS := -std=gnu11 -g -fno-strict-aliasing $(WARNINGS)
LIBS = $(OVS_LIBS) -levent -lssl -lcrypto

# Two flavours: "release" for the installed daemon and the benchmarks,
# "asan" (AddressSanitizer + UndefinedBehaviorSanitizer, any report fatal)
# for every test.  -O3 rather than -O2: 6-7% less CPU for a 100k-port NB
# sync (bench-nb-replica 76 -> 71 ms); -flto gave nothing more.
FLAVOUR_CFLAGS_release := -O3
FLAVOUR_CFLAGS_asan := -O1 -fno-omit-frame-pointer \
    -fsanitize=address,undefined -fno-sanitize-recover=all
FLAVOUR_LDFLAGS_release :=
FLAVOUR_LDFLAGS_asan := -fsanitize=address,undefined

objs = $(patsubst %.c,build/$(1)/%.o,$(2))

# libFuzzer harnesses (they need clang).  $(call FUZZER,NAME,SRCS,HEADERS,
# SEEDS) gives
#   build/fuzz/NAME   the binary, the sources compiled with the fuzzer's
#                     instrumentation (plain libc: no OVS, no libevent)
#   make NAME         a long run (FUZZ_SECONDS, default 600) growing
#                     build/fuzz/NAME.corpus from the seeds in SEEDS;
#                     a crashing input lands in build/fuzz/artifacts/NAME-*
#   make fuzz         every long run (one after the other, unless make -j)
# and `make check` builds it (tests/bgp/test-fuzz-short.sh runs it briefly).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 600
FUZZ_CFLAGS = -std=gnu11 -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    $(WARNINGS)

define FUZZER
build/fuzz/$(1): $(2) $(3) tests/fuzz/fuzz.h
	@mkdir -p $$(@D)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -I. -o $$@ $(2)

.PHONY: fuzz $(1)
fuzz: $(1)
$(1): build/fuzz/$(1)
	@mkdir -p build/fuzz/$(1).corpus build/fuzz/artifacts
	build/fuzz/$(1) -max_total_time=$$(FUZZ_SECONDS) \
	    -artifact_prefix=build/fuzz/artifacts/$(1)- \
	    build/fuzz/$(1).corpus $(4)

CHECK_DEPS += build/fuzz/$(1)
endef

include bgp/bgp.mk
include ovsdb/ovsdb.mk
include src/src.mk

define FLAVOUR_RULES
build/$(1)/%.o: %.c build/ovs.mk
	@mkdir -p $$(@D)
	$$(CC) $$(BASE_CPPFLAGS) $$(OVS_CPPFLAGS) $$(BASE_CFLAGS) \
	    $$(FLAVOUR_CFLAGS_$(1)) $$(CFLAGS) -MMD -MP -c $$< -o $$@

build/$(1)/ovn-bgp-speaker: $(call objs,$(1),$(SPEAKER_SRCS) $(OVSDB_SRCS) \
                              $(BGP_SRCS))
	$$(CC) $$(FLAVOUR_LDFLAGS_$(1)) $$(LDFLAGS) -o $$@ $$^ $$(LIBS)
endef
$(eval $(call FLAVOUR_RULES,release))
$(eval $(call FLAVOUR_RULES,asan))

include tests/tests.mk

-include $(shell find build -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------------------
# Goals.

.PHONY: all sandbox bench-nb bench install clean distclean help

all: src/ovn-bgp-speaker

src/ovn-bgp-speaker: build/release/ovn-bgp-speaker
	cp $< $@

sandbox: all
	@scripts/install-deps.sh test
	scripts/sandbox.sh

bench-nb: all
	scripts/install-deps.sh test
	scripts/bench-nb.sh

bench: all
	scripts/install-deps.sh test
	scripts/bench.sh

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(MANDIR)/man8
	install -m 755 src/ovn-bgp-speaker $(DESTDIR)$(SBINDIR)/ovn-bgp-speaker
	install -m 755 scripts/ovn-bgp-annotate \
	    $(DESTDIR)$(BINDIR)/ovn-bgp-annotate
	install -m 644 doc/ovn-bgp-speaker.8 \
	    $(DESTDIR)$(MANDIR)/man8/ovn-bgp-speaker.8

clean:
	rm -rf build src/ovn-bgp-speaker

distclean: clean

help:
	@sed -n '3,10s/^# \{0,1\}//p' Makefile
