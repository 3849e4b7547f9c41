#!/bin/bash
# A short run of the BGP wire codec fuzzer (tests/fuzz/fuzz-bgp-wire.c),
# FUZZ_SHORT_SECONDS long (default 30), from the seed corpus in
# tests/fuzz/corpus; what it discovers goes to a temporary folder, not to
# the seeds.  A crashing input is kept in build/fuzz/artifacts/: replay it
# with `build/fuzz/fuzz-bgp-wire FILE`.  `make fuzz` is the long run.
. "$(dirname "$0")/../lib.sh"

FUZZER=${FUZZER:-$TOP/build/fuzz/fuzz-bgp-wire}
SECONDS_TO_RUN=${FUZZ_SHORT_SECONDS:-30}
ARTIFACTS=$TOP/build/fuzz/artifacts

fuzz() {
    if [ ! -x "$FUZZER" ]; then
        note "no $FUZZER: make build/fuzz/fuzz-bgp-wire"
        return 1
    fi
    mkdir -p "$T/corpus" "$ARTIFACTS"
    "$FUZZER" -max_total_time="$SECONDS_TO_RUN" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$ARTIFACTS/" \
        "$T/corpus" "$TOP/tests/fuzz/corpus" > "$T/fuzz.log" 2>&1
}

if fuzz; then
    check "fuzz-bgp-wire ran ${SECONDS_TO_RUN}s without a crash" true
    note "$(grep -E '^stat::(number_of_executed_units|new_units_added)' \
                 "$T/fuzz.log")"
else
    check "fuzz-bgp-wire ran ${SECONDS_TO_RUN}s without a crash" false
    [ -f "$T/fuzz.log" ] && note "$(tail -n 60 "$T/fuzz.log")"
fi
done_testing
