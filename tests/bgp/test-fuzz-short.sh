#!/bin/bash
# A short run of each libFuzzer harness, FUZZ_SHORT_SECONDS long each
# (default 15), from its seed corpus: the BGP wire codec
# (tests/fuzz/fuzz-bgp-wire.c, seeds in tests/fuzz/corpus), the JSON
# tokenizer (tests/fuzz/fuzz-json-stream.c, seeds in tests/fuzz/corpus-json),
# the OVSDB update decoder on it (tests/fuzz/fuzz-update-decoder.c, seeds in
# tests/fuzz/corpus-decoder) and the metrics endpoint's HTTP request head
# (tests/fuzz/fuzz-http-request.c, seeds in tests/fuzz/corpus-http).
# What they discover goes to a temporary folder, not to the seeds.  A
# crashing input is kept in build/fuzz/artifacts/, named after its fuzzer:
# replay it with `build/fuzz/FUZZER FILE`.  `make fuzz` is the long run.
. "$(dirname "$0")/../lib.sh"

SECONDS_TO_RUN=${FUZZ_SHORT_SECONDS:-15}
ARTIFACTS=$TOP/build/fuzz/artifacts

# fuzz NAME SEEDS: runs build/fuzz/NAME; its log is $T/NAME.log.
fuzz() {
    local name=$1 seeds=$2
    local fuzzer=$TOP/build/fuzz/$name

    if [ ! -x "$fuzzer" ]; then
        note "no $fuzzer: make build/fuzz/$name"
        return 1
    fi
    mkdir -p "$T/corpus-$name" "$ARTIFACTS"
    "$fuzzer" -max_total_time="$SECONDS_TO_RUN" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$ARTIFACTS/$name-" \
        "$T/corpus-$name" "$TOP/$seeds" > "$T/$name.log" 2>&1
}

for pair in fuzz-bgp-wire:tests/fuzz/corpus \
            fuzz-json-stream:tests/fuzz/corpus-json \
            fuzz-update-decoder:tests/fuzz/corpus-decoder \
            fuzz-http-request:tests/fuzz/corpus-http; do
    name=${pair%%:*}
    if fuzz "$name" "${pair#*:}"; then
        check "$name ran ${SECONDS_TO_RUN}s without a crash" true
        note "$(grep -E '^stat::(number_of_executed_units|new_units_added)' \
                     "$T/$name.log")"
    else
        check "$name ran ${SECONDS_TO_RUN}s without a crash" false
        [ -f "$T/$name.log" ] && note "$(tail -n 60 "$T/$name.log")"
    fi
done
done_testing
