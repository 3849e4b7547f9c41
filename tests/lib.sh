# Shared helpers for the script tests (source it; bash only).
#
# Every test gets its own temporary folder $T, and every process it starts
# through `spawn` is killed, and $T removed, when the script exits, however
# it exits.  Results are TAP lines: `ok N - what` or `not ok N - what`.
#
# Waiting is always for a condition with a deadline (`wait_until`), never a
# bare sleep.

set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# now_ns, wait_until SECONDS CMD..., free_port.
# shellcheck source=scripts/lib.sh
. "$TOP/scripts/lib.sh"
SPEAKER=${SPEAKER:-$TOP/build/asan/ovn-bgp-speaker}
NB_SCHEMA=${NB_SCHEMA:-/usr/share/ovn/ovn-nb.ovsschema}

T=$(mktemp -d "${TMPDIR:-/tmp}/obs-test.XXXXXX")
_pids=()
_netns=()
_n=0
_failed=0

_cleanup() {
    local pid
    for pid in "${_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${_pids[@]}"; do
        # Bounded: a process that ignores TERM for 5 s gets KILL.
        local i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
            sleep 0.05
            i=$((i + 1))
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    local ns
    for ns in "${_netns[@]}"; do
        ip netns delete "$ns" 2>/dev/null
    done
    if [ "$_failed" != 0 ] && [ -n "${KEEP_TEST_DIR:-}" ]; then
        echo "# kept $T"
    else
        rm -rf "$T"
    fi
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

# spawn NAME CMD...: runs CMD in the background with its output in
# $T/NAME.log and remembers it for cleanup; its pid is left in $SPAWNED.
spawn() {
    local name=$1
    shift
    "$@" > "$T/$name.log" 2>&1 &
    SPAWNED=$!
    _pids+=("$SPAWNED")
}

# netns_add NAME: a network namespace of the test's own, with lo up; it is
# deleted when the test exits (after its processes are), however it exits.
# Name it after the test and $$, so that two runs never share one.
netns_add() {
    ip netns add "$1" || return 1
    _netns+=("$1")
    ip -n "$1" link set lo up
}

# can_netns: true if this run may make network namespaces (root, iproute2).
can_netns() {
    [ "$(id -u)" = 0 ] && ip netns list > /dev/null 2>&1
}

# check WHAT CMD...: one TAP result; false if it failed (for
# `check ... || note ...`).
check() {
    local what=$1
    shift
    _n=$((_n + 1))
    if "$@"; then
        echo "ok $_n - $what"
    else
        echo "not ok $_n - $what"
        _failed=$((_failed + 1))
        return 1
    fi
}

# skip WHY: one TAP result for a check that cannot run here.
skip() {
    _n=$((_n + 1))
    echo "ok $_n - # SKIP $*"
}

# fail_note TEXT: diagnostics after a failure.
note() {
    sed 's/^/# /' <<< "$*"
}

# done_testing: the exit status tells run.sh whether anything failed.
done_testing() {
    echo "1..$_n"
    [ "$_failed" = 0 ]
}

# ---------------------------------------------------------------------------
# A Northbound database of our own.

# nb_start [NAME]: creates $T/NAME.db from the OVN schema (unless it exists)
# and serves it on unix:$T/NAME.sock; NB_PID is the server's pid.
nb_start() {
    local name=${1:-nb}
    [ -f "$T/$name.db" ] || ovsdb-tool create "$T/$name.db" "$NB_SCHEMA"
    spawn "ovsdb-$name" ovsdb-server "$T/$name.db" \
        --remote="punix:$T/$name.sock" \
        --unixctl="$T/ovsdb-$name.ctl" --no-chdir \
        --log-file="$T/ovsdb-$name.vlog" -vconsole:off
    NB_PID=$SPAWNED
    NB_DB=unix:$T/$name.sock
    wait_until 10 ovn-nbctl --db="$NB_DB" --timeout=1 show > /dev/null
}

nb_stop() {
    kill -TERM "$NB_PID" 2>/dev/null
    wait "$NB_PID" 2>/dev/null
}

nbctl() {
    ovn-nbctl --db="$NB_DB" --timeout=10 "$@"
}

# ---------------------------------------------------------------------------
# The speaker in --dry-run: its route lines go to $T/NAME.out.

# dry_run_start NAME ARGS...
dry_run_start() {
    local name=$1
    shift
    "$SPEAKER" --dry-run --ovnnb-db="$NB_DB" "$@" \
        > "$T/$name.out" 2> "$T/$name.log" &
    SPAWNED=$!
    _pids+=("$SPAWNED")
}

# has_line FILE LINE-REGEX: the file has a whole line matching.
has_line() {
    grep -q -E -x -- "$2" "$1"
}

# count_lines FILE LINE-REGEX
count_lines() {
    grep -c -E -x -- "$2" "$1"
}
