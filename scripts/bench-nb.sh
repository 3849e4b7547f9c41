#!/bin/bash
# The NB watcher benchmark (`make bench-nb`): for 10k and 100k annotated
# ports in 1000 switches, a real ovsdb-server and the release build of the
# speaker in --dry-run, it prints
#   - the initial sync time: from the speaker's start until it has printed
#     the whole initial route set;
#   - the speaker's peak RSS (VmHWM) after the sync;
#   - the speaker's CPU time for one port change with all ports in place
#     (median and maximum over 2 x CHANGES changes, from /proc/PID/schedstat,
#     which counts nanoseconds), and the wall time from the transaction's
#     commit to the printed line.
# Targets (issue 2): sync < 2 s at 100k; one change < 5 ms CPU at 100k and
# not more than at 10k; RSS < 100 MB at 100k.
#
# Environment: BENCH_SIZES (default "10000 100000"), SWITCHES (1000),
# CHANGES (100).  Only local Unix sockets are used.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
SPEAKER=${SPEAKER:-$TOP/src/ovn-bgp-speaker}
SIZES=${BENCH_SIZES:-10000 100000}
SWITCHES=${SWITCHES:-1000}
CHANGES=${CHANGES:-100}

# shellcheck source=scripts/lib.sh
. "$TOP/scripts/lib.sh"
scratch_init obs-bench
T=$SCRATCH

cpu_ns() { cut -d' ' -f1 "/proc/$1/schedstat"; }

# wait_for FILE FROM-BYTE FIXED-STRING: until the file has the string after
# FROM-BYTE; 60 s at most.
wait_for() {
    local deadline=$(( $(now_ns) + 60000000000 ))
    until tail -c "+$(( $2 + 1 ))" "$1" | grep -q -F -- "$3"; do
        if [ "$(now_ns)" -gt "$deadline" ]; then
            echo "bench-nb: timed out waiting for \"$3\" in $1" >&2
            exit 1
        fi
        sleep 0.001
    done
}

# set_bgp PORT VALUE: a transaction that sets the port's annotation.
set_bgp() {
    local where="[[\"name\", \"==\", \"$1\"]]"
    local key='"ovn.kubernetes.io/bgp"'
    printf '["OVN_Northbound",
      {"op": "mutate", "table": "Logical_Switch_Port", "where": %s,
       "mutations": [["external_ids", "delete", ["set", [%s]]]]},
      {"op": "mutate", "table": "Logical_Switch_Port", "where": %s,
       "mutations": [["external_ids", "insert", ["map", [[%s, "%s"]]]]]}]' \
        "$where" "$key" "$where" "$key" "$2"
}

# stats: reads numbers, prints "median max".
stats() {
    sort -n | awk '{ v[NR] = $1 } END { printf "%s %s\n", v[int((NR + 1) / 2)], v[NR] }'
}

printf '%-8s %-9s %-17s %-14s %-23s %-20s\n' ports switches \
    "initial sync (s)" "peak RSS (MB)" "change CPU med/max (ms)" \
    "change wall med (ms)"

for n in $SIZES; do
    dir=$T/$n
    nb_server_start "$dir"
    server=$NB_PID
    db=$NB_DB
    python3 "$TOP/scripts/nb-populate.py" "$dir/nb.sock" "$n" "$SWITCHES"

    start=$(now_ns)
    "$SPEAKER" --dry-run --ovnnb-db="$db" --node-name=bench \
        > "$dir/out" 2> "$dir/log" &
    speaker=$!
    pids+=("$speaker")
    wait_for "$dir/log" 0 "initial route set: "
    sync_ns=$(( $(now_ns) - start ))
    lines=$(wc -l < "$dir/out")
    if [ "$lines" != "$n" ]; then
        echo "bench-nb: expected $n routes, got $lines" >&2
        exit 1
    fi

    : > "$dir/cpu"
    : > "$dir/wall"
    # Each change flips the annotation of one port: a withdraw, then an
    # announcement; both are measured.
    for i in $(seq 1 "$CHANGES"); do
        k=$(( (i * 7919) % n ))
        port="pod-$k.ns-$(( k % SWITCHES ))"
        for change in "false -" "true +"; do
            set -- $change
            offset=$(stat -c %s "$dir/out")
            c0=$(cpu_ns "$speaker")
            # ovsdb-client sends just this transaction; ovn-nbctl would
            # first fetch the whole database, every time.  (A map "insert"
            # keeps an existing key: delete it first.)
            ovsdb-client transact "$db" "$(set_bgp "$port" "$1")" > /dev/null
            w1=$(now_ns)
            wait_for "$dir/out" "$offset" "$2 "
            w2=$(now_ns)
            c1=$(cpu_ns "$speaker")
            echo $(( c1 - c0 )) >> "$dir/cpu"
            echo $(( w2 - w1 )) >> "$dir/wall"
        done
    done
    rss_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$speaker/status")
    read -r cpu_med cpu_max < <(stats < "$dir/cpu")
    read -r wall_med _ < <(stats < "$dir/wall")

    printf '%-8s %-9s %-17s %-14s %-23s %-20s\n' "$n" "$SWITCHES" \
        "$(awk -v v="$sync_ns" 'BEGIN { printf "%.3f", v / 1e9 }')" \
        "$(awk -v v="$rss_kb" 'BEGIN { printf "%.1f", v / 1024 }')" \
        "$(awk -v a="$cpu_med" -v b="$cpu_max" 'BEGIN { printf "%.3f / %.3f", a / 1e6, b / 1e6 }')" \
        "$(awk -v v="$wall_med" 'BEGIN { printf "%.2f", v / 1e6 }')"

    kill -TERM "$speaker" "$server"
    wait "$speaker" "$server" 2>/dev/null || true
    rm -rf "$dir"
done
