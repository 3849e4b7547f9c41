#!/bin/bash
# The NB watcher's OVSDB session against a scripted server
# (tests/tools/fake-ovsdb.py), for what a real ovsdb-server is hard to make
# do: a relay that lost its source, a member that leaves its cluster with
# its snapshot already on the way, an echo request, a rebuilt cluster at a
# lower index.  Seen through --dry-run.
. "$(dirname "$0")/../lib.sh"

FAKE=$TOP/tests/tools/fake-ovsdb.py

# run SCENARIO: the fake server and the speaker on it; logs in
# $T/SCENARIO.{fake,out,err}.
run() {
    local s=$1
    spawn "fake-$s" python3 "$FAKE" "$T/$s.sock" "$s" "$T/$s.fake"
    wait_until 10 test -S "$T/$s.sock" || return 1
    "$SPEAKER" --dry-run --ovnnb-db="unix:$T/$s.sock" --node-name=n1 \
        > "$T/$s.out" 2> "$T/$s.err" < /dev/null &
    _pids+=("$!")
}
# run_bgp SCENARIO: the same, with the speaker as a daemon (a peer it
# cannot reach, no listener): what the BGP side is told.
run_bgp() {
    local s=$1
    spawn "fake-$s" python3 "$FAKE" "$T/$s.sock" "$s" "$T/$s.fake"
    wait_until 10 test -S "$T/$s.sock" || return 1
    "$SPEAKER" --ovnnb-db="unix:$T/$s.sock" --node-name=n1 \
        --neighbor-address=127.0.0.2 --neighbor-as=1 --cluster-as=2 \
        --local-address=127.0.0.1 --listen-port=0 --unixctl="$T/$s.ctl" \
        > "$T/$s.out" 2> "$T/$s.err" < /dev/null &
    _pids+=("$!")
}
connections() {
    test "$(grep -c '^connection ' "$1")" -ge "$2"
}

run relay-lost
check "a relay that lost its source is left for another server" \
    wait_until 10 grep -q 'is not connected to its source; trying another' \
    "$T/relay-lost.err"
check "... and tried again" wait_until 10 connections "$T/relay-lost.fake" 2
check "... without asking it for the NB database" \
    bash -c '! grep -q -F "[\"OVN_Northbound\", \"nb\"" "$0"' \
    "$T/relay-lost.fake"

run drop-in-chunk
check "a member that leaves its cluster is left at once" \
    wait_until 10 grep -q 'not connected to its cluster' "$T/drop-in-chunk.err"
check "the next connection's snapshot is used" \
    wait_until 10 has_line "$T/drop-in-chunk.out" '\+ 10\.92\.0\.0/16 subnet:ls2'
check "the snapshot that came behind the news never was" \
    bash -c '! grep -q 10.91 "$0"' "$T/drop-in-chunk.out"

run echo
check "an echo request gets its reply, same id, same params" \
    wait_until 10 grep -q -F \
    'got {"error": null, "id": "x1", "result": ["hi"]}' "$T/echo.fake"

run new-cluster
check "a new cluster at a lower index is accepted" \
    wait_until 15 has_line "$T/new-cluster.out" '\+ 10\.92\.0\.0/16 subnet:ls2'
check "... saying why" \
    grep -q 'forgetting the index seen' "$T/new-cluster.err"
check "... and the old cluster's routes go" \
    has_line "$T/new-cluster.out" '- 10\.91\.0\.0/16 subnet:ls1'

run_bgp snapshot-then-partial
check "the route set is complete only once its changes are handed over" \
    wait_until 10 grep -q 'first NB snapshot in: [12] routes' \
    "$T/snapshot-then-partial.err"
check "... never empty while the next update is part-way" \
    bash -c '! grep -q "first NB snapshot in: 0 routes" "$0"' \
    "$T/snapshot-then-partial.err"

for s in relay-lost drop-in-chunk echo new-cluster snapshot-then-partial; do
    if grep -q -E 'ERROR|runtime error|AddressSanitizer' "$T/$s.err"; then
        note "$s: $(cat "$T/$s.err")"
        check "$s: no sanitizer report" false
    fi
done
done_testing
