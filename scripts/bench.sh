#!/bin/bash
# The BGP origination benchmark (`make bench`, issue 6): three contestants,
# one after the other, each originate the same N /32 routes (10.128.0.0 +
# i) over eBGP to one sink, a BIRD 2 instance that only imports:
#   speaker  the release build src/ovn-bgp-speaker, routes from N
#            annotated ports in a real NB ovsdb-server, filled with
#            scripts/nb-populate.py before the speaker starts;
#   bird     BIRD 2 with the N routes as static routes;
#   gobgp    gobgpd, the N routes injected from a generated MRT file with
#            `gobgp mrt inject global` once its API is up.
# For each, a fresh sink; the contestant dials it.  Measured:
#   start->all  from the contestant's start to the sink holding all N
#               (for the speaker: includes its NB sync; for gobgp: the
#               MRT injection, and GoBGP's own dial delay);
#   est->all    from the sink's first "Established" to all N;
#   CPU         the contestant's CPU until then (all its threads'
#               /proc/PID/task/*/schedstat; not ovsdb-server's, not the
#               gobgp CLI's);
#   RSS         the contestant's VmHWM;
#   UPDATEs     UPDATE messages sent (the speaker's bgp/neighbors; BIRD's
#               sink has no message counters: "-" for the others);
#   bytes       TCP payload the sink received on the session (ss), OPEN
#               and KEEPALIVEs included.
# The sink polls through a single control-socket connection, 1 ms apart.
#
# Environment: BENCH_SIZES (default "10000"), BENCH_RUNS (1; with more,
# each cell is "median (min-max)"), BENCH_CONTESTANTS ("speaker bird
# gobgp"), SWITCHES (1000), BENCH_TIMEOUT (60 s per run).  Loopback only:
# sink 127.0.0.10, contestants 127.0.0.11, next hop 192.0.2.1 (GoBGP 3.10
# drops IPv4 routes with a 127/8 next hop).
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
SPEAKER=${SPEAKER:-$TOP/src/ovn-bgp-speaker}
SIZES=${BENCH_SIZES:-10000}
RUNS=${BENCH_RUNS:-1}
CONTESTANTS=${BENCH_CONTESTANTS:-speaker bird gobgp}
SWITCHES=${SWITCHES:-1000}
TIMEOUT=${BENCH_TIMEOUT:-60}
BIRD=${BIRD:-bird}
BIRDC=${BIRDC:-birdc}
GOBGPD=${GOBGPD:-gobgpd}
GOBGP=${GOBGP:-gobgp}

SINK_ADDR=127.0.0.10
SINK_AS=65000
C_ADDR=127.0.0.11
C_AS=65011
NEXTHOP=192.0.2.1

# shellcheck source=scripts/lib.sh
. "$TOP/scripts/lib.sh"
scratch_init obs-bench
T=$SCRATCH
trap 'exit 130' INT TERM
# shellcheck source=scripts/bench-lib.sh
. "$TOP/scripts/bench-lib.sh"

fail() {
    echo "bench: $*" >&2
    exit 1
}

# start_sink DIR: a BIRD that accepts one passive eBGP session from
# $C_ADDR and imports everything; sets SINK_PID, SINK_PORT, SINK_SOCK.
start_sink() {
    local dir=$1
    mkdir -p "$dir"
    SINK_PORT=$(free_port)
    SINK_SOCK=$dir/sink.ctl
    cat > "$dir/sink.conf" <<EOF
log "$dir/sink.log" all;
router id $SINK_ADDR;
protocol device { scan time 60; }
# Next hops resolve through this (any address, on lo).
ipv4 table igp4;
protocol static igp4s { ipv4 { table igp4; import all; }; route 0.0.0.0/0 via "lo"; }
protocol bgp c {
    local $SINK_ADDR port $SINK_PORT as $SINK_AS;
    strict bind yes;
    neighbor $C_ADDR as $C_AS;
    passive on;
    multihop;
    graceful restart off;
    ipv4 { import all; export none; gateway recursive; igp table igp4; };
}
EOF
    "$BIRD" -f -c "$dir/sink.conf" -s "$SINK_SOCK" -P "$dir/sink.pid" \
        > "$dir/sink.out" 2>&1 &
    SINK_PID=$!
    pids+=("$SINK_PID")
    wait_until 10 sink_ready || fail "the sink BIRD did not start: $(cat "$dir/sink.out")"
}
sink_ready() {
    "$BIRDC" -s "$SINK_SOCK" show status 2>/dev/null |
        grep -q 'Daemon is up and running'
}

# start_nb N DIR: ovsdb-server with N annotated ports; sets NB_PID, NB_DB.
start_nb() {
    local n=$1 dir=$2
    nb_server_start "$dir" || fail "ovsdb-server did not start"
    python3 "$TOP/scripts/nb-populate.py" "$dir/nb.sock" "$n" "$SWITCHES"
}

# Contestants: prepare_C N DIR (untimed), then launch_C N DIR in the
# background with its pid in CPID; after_C DIR prints the UPDATE count.
prepare_speaker() { :; }
launch_speaker() {
    local dir=$2
    "$SPEAKER" --ovnnb-db="$NB_DB" --node-name=bench \
        --neighbor-address=$SINK_ADDR --neighbor-port="$SINK_PORT" \
        --neighbor-as=$SINK_AS --cluster-as=$C_AS --router-id=$C_ADDR \
        --local-address=$C_ADDR --listen-port=0 --node-ips=$NEXTHOP \
        --unixctl="$dir/speaker.ctl" --no-chdir \
        > "$dir/speaker.out" 2> "$dir/speaker.log" &
    CPID=$!
}
after_speaker() {
    ovs-appctl --timeout=10 -t "$1/speaker.ctl" bgp/neighbors \
        > "$1/neighbors" 2>&1 || { echo -; return; }
    sed -n 's/.*messages: [0-9]* sent (\([0-9]*\) UPDATE.*/\1/p' \
        "$1/neighbors" | grep . || echo -
}

prepare_bird() {
    gen_bird_static "$1" "$2/static.conf"
}
launch_bird() {
    local dir=$2 port
    port=$(free_port)
    {
        echo "log \"$dir/bird.log\" all;"
        echo "router id $C_ADDR;"
        echo "protocol device { scan time 60; }"
        cat "$dir/static.conf"
        echo "protocol bgp c {"
        echo "    local $C_ADDR port $port as $C_AS;"
        echo "    strict bind yes;"
        echo "    neighbor $SINK_ADDR port $SINK_PORT as $SINK_AS;"
        echo "    multihop;"
        echo "    connect delay time 1; connect retry time 1;"
        echo "    graceful restart off;"
        echo "    ipv4 { import none; export where proto = \"orig\";"
        echo "        next hop address $NEXTHOP; };"
        echo "}"
    } > "$dir/bird.conf"
    "$BIRD" -f -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid" \
        > "$dir/bird.out" 2>&1 &
    CPID=$!
}
after_bird() { echo -; }

prepare_gobgp() {
    gen_mrt "$1" "$NEXTHOP" "$2/routes.mrt"
}
launch_gobgp() {
    local dir=$2
    cat > "$dir/gobgpd.toml" <<EOF
[global.config]
  as = $C_AS
  router-id = "$C_ADDR"
  port = -1
  local-address-list = ["$C_ADDR"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$SINK_ADDR"
    peer-as = $SINK_AS
  [neighbors.timers.config]
    connect-retry = 1
    idle-hold-time-after-reset = 1
  [neighbors.transport.config]
    local-address = "$C_ADDR"
    remote-port = $SINK_PORT
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
EOF
    "$GOBGPD" -f "$dir/gobgpd.toml" -t toml -p \
        --api-hosts "unix://$dir/gobgp.sock" --pprof-disable \
        > "$dir/gobgpd.log" 2>&1 &
    CPID=$!
    # Injection runs beside the measurement, as part of GoBGP's start.
    (
        wait_until 20 "$GOBGP" --target "unix://$dir/gobgp.sock" global \
            > /dev/null 2>&1 &&
        "$GOBGP" --target "unix://$dir/gobgp.sock" mrt inject global \
            "$dir/routes.mrt"
    ) > "$dir/inject.log" 2>&1 &
    INJ_PID=$!
    pids+=("$INJ_PID")
}
after_gobgp() { echo -; }

# run_one CONTESTANT N RUN: one measurement; appends
# "CONTESTANT N RUN start_s est_s cpu_s rss_mb updates bytes" to results.
run_one() {
    local c=$1 n=$2 r=$3 dir=$T/run-$1-$2-$3 start est all cpu hwm upd bytes
    mkdir -p "$dir"
    start_sink "$dir"
    "prepare_$c" "$n" "$dir"
    INJ_PID=
    start=$(now_ns)
    "launch_$c" "$n" "$dir"
    pids+=("$CPID")
    if ! read -r est all cpu hwm < <(poll_sink "$SINK_SOCK" c "$n" \
            "$start" "$CPID" "$TIMEOUT"); then
        echo "bench: $c, N=$n, run $r failed; logs in $dir:" >&2
        tail -n 5 "$dir"/*.log "$dir"/*.out >&2 2>/dev/null || true
        exit 1
    fi
    upd=$("after_$c" "$dir")
    bytes=$(sink_bytes $SINK_ADDR "$SINK_PORT")
    stop "$CPID" "$SINK_PID" "$INJ_PID"
    awk -v c="$c" -v n="$n" -v r="$r" -v s="$start" -v e="$est" -v a="$all" \
        -v cpu="$cpu" -v h="$hwm" -v u="$upd" -v b="$bytes" 'BEGIN {
        printf "%s %s %s %.3f %.3f %.3f %.1f %s %s\n",
            c, n, r, a / 1e9, (a - e) / 1e9, cpu / 1e9, h / 1024, u, b }' \
        >> "$T/results"
    rm -rf "$dir"
}

for c in $CONTESTANTS; do
    case $c in
        speaker) [ -x "$SPEAKER" ] || fail "$SPEAKER: not built (make)" ;;
        bird) command -v "$BIRD" > /dev/null || fail "no $BIRD" ;;
        gobgp) command -v "$GOBGPD" > /dev/null || fail "no $GOBGPD" ;;
        *) fail "unknown contestant $c" ;;
    esac
done

: > "$T/results"
for n in $SIZES; do
    NB_PID=
    case " $CONTESTANTS " in
        *" speaker "*) start_nb "$n" "$T/nb-$n" ;;
    esac
    for r in $(seq 1 "$RUNS"); do
        for c in $CONTESTANTS; do
            run_one "$c" "$n" "$r"
        done
    done
    if [ -n "$NB_PID" ]; then
        stop "$NB_PID"
        rm -rf "$T/nb-$n"
    fi
done

summarize "$T/results" > "$T/summary"

# The table: each cell the value (one run) or "median (min-max)".
echo "BGP origination to one BIRD sink, loopback; $RUNS run(s) each"
printf '%-8s %-7s %-14s %-14s %-14s %-14s %-10s %-10s\n' contestant N \
    "start->all (s)" "est->all (s)" "CPU (s)" "peak RSS (MB)" UPDATEs bytes
awk -v runs="$RUNS" '
    function cell(i) {
        if (runs == 1 || $(i) == "-") return $(i)
        return sprintf("%s (%s-%s)", $(i), $(i + 1), $(i + 2))
    }
    { printf "%-8s %-7s %-14s %-14s %-14s %-14s %-10s %-10s\n",
        $1, $2, cell(4), cell(7), cell(10), cell(13), cell(16), cell(19) }
' "$T/summary"

# Ratios of the medians: speaker / other (below 1: the speaker is better).
echo
echo "ratios speaker/other (medians; < 1 is better for the speaker)"
printf '%-14s %-7s %-14s %-14s %-14s %-14s %-10s\n' "" N \
    "start->all" "est->all" CPU "peak RSS" bytes
awk '
    { for (i = 4; i <= NF; i++) v[$1, $2, i] = $i; ns[$2] = 1; cs[$1] = 1 }
    function ratio(a, b) {
        if (a == "-" || b == "-" || b + 0 == 0) return "-"
        return sprintf("%.2f", a / b)
    }
    END {
        for (n in ns) for (o in cs) {
            if (o == "speaker" || !(("speaker", n, 4) in v) ||
                !((o, n, 4) in v)) continue
            printf "%-14s %-7s %-14s %-14s %-14s %-14s %-10s\n",
                "speaker/" o, n, ratio(v["speaker", n, 4], v[o, n, 4]),
                ratio(v["speaker", n, 7], v[o, n, 7]),
                ratio(v["speaker", n, 10], v[o, n, 10]),
                ratio(v["speaker", n, 13], v[o, n, 13]),
                ratio(v["speaker", n, 19], v[o, n, 19])
        }
    }' "$T/summary" | sort -k2,2n -k1,1
