#!/bin/bash
# The NB watcher's OVSDB session against a scripted server
# (tests/tools/fake-ovsdb.py), for what a real ovsdb-server is hard to make
# do: a relay that lost its source, a member that leaves its cluster with
# its snapshot already on the way, an echo request, a rebuilt cluster at a
# lower index.  Seen through --dry-run.  And a server that answers but will
# not serve, on every connection (the scripted refusals, and a real
# Southbound server given as the NB): the speaker must back off, not loop.
. "$(dirname "$0")/../lib.sh"

FAKE=$TOP/tests/tools/fake-ovsdb.py

# speaker NAME ARGS...: the speaker on $DB, else unix:$T/NAME.sock; its
# output in $T/NAME.{out,err}.
speaker() {
    local s=$1
    shift
    "$SPEAKER" --ovnnb-db="${DB:-unix:$T/$s.sock}" --node-name=n1 "$@" \
        > "$T/$s.out" 2> "$T/$s.err" < /dev/null &
    _pids+=("$!")
}
# As a daemon (a peer it cannot reach, no listener): what the BGP side is
# told.
speaker_bgp() {
    local s=$1
    shift
    speaker "$s" --neighbor-address=127.0.0.2 --neighbor-as=1 \
        --cluster-as=2 --local-address=127.0.0.1 --listen-port=0 \
        --unixctl="$T/$s.ctl" "$@"
}
# fake NAME [SCENARIO]: the fake server on $T/NAME.sock, playing SCENARIO
# (NAME by default); its log in $T/NAME.fake.
fake() {
    spawn "fake-$1" python3 "$FAKE" "$T/$1.sock" "${2:-$1}" "$T/$1.fake"
}
# run SCENARIO: the fake server and the speaker (--dry-run) on it; logs in
# $T/SCENARIO.{fake,out,err}.  run_bgp SCENARIO: with the speaker as a
# daemon.
run() {
    fake "$1"
    wait_until 10 test -S "$T/$1.sock" && speaker "$1" --dry-run
}
run_bgp() {
    fake "$1"
    wait_until 10 test -S "$T/$1.sock" && speaker_bgp "$1"
}
connections() {
    test "$(grep -c '^connection ' "$1")" -ge "$2"
}

# The refusals, each on every connection, run beside the other scenarios
# from the start: every speaker is started at once, and all are watched
# for the same 30 s window.  Beside them: nothing listening (reconnect's
# own backoff), a list of two servers that refuse ("pair"), and a real
# ovsdb-server with the Southbound database given as the NB (its jsonrpc
# log names each connection it accepts "unix#N").
REFUSALS="relay-lost refused no-nb member-lost behind canceled close"
WINDOW=30
for s in $REFUSALS; do
    fake "$s"
done
fake pair1 no-nb
fake pair2 no-nb
ovsdb-tool create "$T/sb.db" /usr/share/ovn/ovn-sb.ovsschema
spawn ovsdb-sb ovsdb-server "$T/sb.db" --remote="punix:$T/sb.sock" \
    --unixctl="$T/ovsdb-sb.ctl" --no-chdir --log-file="$T/ovsdb-sb.vlog" \
    -vconsole:off -vjsonrpc:file:dbg
for s in $REFUSALS pair1 pair2 sb; do
    wait_until 10 test -S "$T/$s.sock"
done
for s in $REFUSALS nothing; do
    speaker "$s" --dry-run
done
DB=unix:$T/pair1.sock,unix:$T/pair2.sock speaker pair --dry-run
metrics_port=$(free_port)
speaker_bgp sb --metrics-address=127.0.0.1:"$metrics_port"
window_end=$(( $(now_ns) + WINDOW * 1000000000 ))

check "a relay that lost its source is left for another server" \
    wait_until 10 grep -q 'is not connected to its source; trying ' \
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

check "a Southbound server given as the NB is left, saying why" \
    wait_until 10 grep -q 'does not serve OVN_Northbound' "$T/sb.err"
nb_status() {
    local sb=unix:$T/sb.sock
    ovs-appctl -t "$T/sb.ctl" nb/status > "$T/sb.status" 2>&1 &&
        grep -q "^last given up: $sb: .*does not serve OVN_Northbound" \
            "$T/sb.status" &&
        grep -q -E "^next attempt: $sb in [0-9.]+ s" "$T/sb.status"
}
check "... and nb/status says why, and when the next attempt is" \
    wait_until 10 nb_status || note "$(cat "$T/sb.status")"
given_up() {
    curl -sf "http://127.0.0.1:$metrics_port/metrics" |
        grep -q '^ovn_bgp_speaker_nb_given_up_total [1-9]'
}
check "... and /metrics counts the servers given up" wait_until 10 given_up
check "a list: the next server is tried at once" \
    wait_until 10 grep -q 'does not serve OVN_Northbound; trying .* at once' \
    "$T/pair.err"
check "... and the next round after a wait" \
    wait_until 10 grep -q 'does not serve OVN_Northbound; trying .* in 1 s' \
    "$T/pair.err"

# The observation window: an upper bound on what happens in it needs the
# whole period to pass (no event marks "it did not reconnect"), so this
# waits for the clock to reach the window's end.
reached() { [ "$(now_ns)" -ge "$1" ]; }
wait_until $((WINDOW + 10)) reached "$window_end"
# At most 10 connections (1 s, 2 s, 4 s, 8 s, 8 s... apart: 6) and 30 log
# lines each.
n=$(grep -o 'unix#[0-9]*: received request' "$T/ovsdb-sb.vlog" | sort -u |
    wc -l)
check "a Southbound server as the NB: $n connections in ${WINDOW} s" \
    test "$n" -le 10
for s in $REFUSALS pair1 pair2; do
    n=$(grep -c '^connection ' "$T/$s.fake")
    check "$s: $n connections in ${WINDOW} s" test "$n" -le 10
done
for s in $REFUSALS nothing pair sb; do
    n=$(wc -l < "$T/$s.err")
    check "$s: $n log lines in ${WINDOW} s" test "$n" -le 30 \
        || note "the last: $(tail -3 "$T/$s.err")"
done

for s in drop-in-chunk echo new-cluster snapshot-then-partial \
         $REFUSALS nothing pair sb; do
    if grep -q -E 'ERROR|runtime error|AddressSanitizer' "$T/$s.err"; then
        note "$s: $(cat "$T/$s.err")"
        check "$s: no sanitizer report" false
    fi
done
done_testing
