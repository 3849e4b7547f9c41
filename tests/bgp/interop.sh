# shellcheck shell=bash
# The speaker's BGP engine alone (build/asan/tests/bgp-driver) against the
# real routers of tests/bgp/peers.sh, for the tests/bgp/test-interop-*.sh
# scripts.  Source it after tests/lib.sh and tests/bgp/peers.sh:
#
#     . "$(dirname "$0")/../lib.sh"
#     . "$(dirname "$0")/peers.sh"
#     . "$(dirname "$0")/interop.sh"
#
# driver_start NAME ARGS...    starts a driver with ARGS (its flags: see
#                              tests/tools/bgp-driver.c); its stdin is the
#                              fifo $T/NAME.in, held open by this shell, its
#                              status lines go to $T/NAME.out and its log to
#                              $T/NAME.log.  DRIVER_PID is its pid.
# driver_cmd NAME CMD...       one command line on its stdin
# driver_status NAME PEER      the status line of peer PEER (named by its
#                              address: 127.0.0.2, ::1)
# driver_field NAME PEER FIELD one field of it: state, sent, received, eor,
#                              flaps, hold, held (1: not dialing until
#                              "complete"), caps, error (unquoted)
# driver_state_is NAME PEER STATE
# driver_stop NAME [MESSAGE]   "stop MESSAGE", then waits for the driver to
#                              exit; returns its exit status (non-zero also
#                              when the sanitizers found something)
# driver_kill NAME             KILL, and wait: no NOTIFICATION, the
#                              connections just close
#
# Each driver is also in lib.sh's _pids: it goes when the test exits,
# however it exits.
#
# Predicates on the routers, for check and wait_until:
#   established NAME [NEIGHBOR]
#   route_line NAME LINE         peer_routes NAME lists exactly LINE
#   no_route NAME PREFIX...      it has none of them
#   routes_are NAME N            peer_received_count NAME is N
#   frr_neighbor NAME NEIGHBOR KEY...   a value from FRR's `show bgp
#                                neighbors NEIGHBOR json`, KEY a path in it

DRIVER=${DRIVER:-$TOP/build/asan/tests/bgp-driver}

declare -A _driver_pid=() _driver_fd=()

driver_start() {
    local name=$1 fd
    shift
    rm -f "$T/$name.in" "$T/$name.out"
    mkfifo "$T/$name.in"
    : > "$T/$name.out"
    "$DRIVER" "$@" < "$T/$name.in" > "$T/$name.out" 2> "$T/$name.log" &
    DRIVER_PID=$!
    _pids+=("$DRIVER_PID")
    # Opening the fifo waits for the driver to open its end.
    exec {fd}> "$T/$name.in"
    _driver_pid[$name]=$DRIVER_PID
    _driver_fd[$name]=$fd
}

driver_cmd() {
    local name=$1
    shift
    # In a subshell: a driver gone would kill this shell with SIGPIPE.
    (echo "$*" >&"${_driver_fd[$name]}") 2> /dev/null
}

# _driver_answered NAME N: the driver has printed its Nth "routes" line,
# the end of a status block.
_driver_answered() {
    [ "$(grep -c '^routes ' "$T/$1.out")" -ge "$2" ]
}

driver_status() {
    local name=$1 peer=$2 n
    # (Often called in a subshell: count the answers in the file.)
    n=$(( $(grep -c '^routes ' "$T/$name.out") + 1 ))
    driver_cmd "$name" status || return 1
    wait_until 10 _driver_answered "$name" "$n" || return 1
    # The last block: after the (N-1)th "routes" line.
    awk -v n="$n" -v p="$peer" '
        /^routes / { blocks++; next }
        blocks == n - 1 && $1 == "peer" && $2 == p { print }' \
        "$T/$name.out"
}

driver_field() {
    driver_status "$1" "$2" | "$PEER_PY" -c '
import shlex, sys
for word in shlex.split(sys.stdin.read()):
    k, _, v = word.partition("=")
    if k == sys.argv[1]:
        print(v)' "$3"
}

driver_state_is() {
    [ "$(driver_field "$1" "$2" state)" = "$3" ]
}

driver_stop() {
    local name=$1 pid=${_driver_pid[$1]} rc
    driver_cmd "$name" "stop${2:+ $2}"
    _driver_wait "$pid"
    rc=$?
    _driver_close "$name"
    return $rc
}

driver_kill() {
    local name=$1 pid=${_driver_pid[$1]}
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    _driver_close "$name"
}

# _driver_wait PID: its exit status, once it is gone (KILL after 10 s).
_driver_wait() {
    local pid=$1
    if ! wait_until 10 eval "! kill -0 $pid"; then
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
}

_driver_close() {
    local fd=${_driver_fd[$1]:-}
    [ -z "$fd" ] || exec {fd}>&-
    _driver_fd[$1]=
}

# ---------------------------------------------------------------------------
# The routers.

established() {
    [ "$(peer_state "$@")" = Established ]
}

route_line() {
    peer_routes "$1" | grep -qxF -- "$2"
}

# no_route NAME PREFIX...: NAME has none of them.
no_route() {
    local name=$1
    shift
    peer_routes "$name" | awk '
        BEGIN {
            for (i = 1; i < ARGC; i++) {
                want[ARGV[i]] = 1
                ARGV[i] = ""
            }
        }
        $1 in want { found = 1 }
        END { exit found }' "$@"
}

routes_are() {
    [ "$(peer_received_count "$1")" = "$2" ]
}

frr_neighbor() {
    local name=$1 nbr=$2
    shift 2
    peer_cli "$name" show bgp neighbors "$nbr" json | "$PEER_PY" -c '
import json, sys
v = json.load(sys.stdin)[sys.argv[1]]
for k in sys.argv[2:]:
    v = v[k]
print(v)' "$nbr" "$@"
}
