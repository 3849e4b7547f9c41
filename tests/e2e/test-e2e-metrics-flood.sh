#!/bin/bash
# A flood of idle HTTP connections on --metrics-address cannot starve BGP:
# the speaker runs with 128 file descriptors (prlimit, as a container may
# give it), a real BIRD 2 peer, and a client that keeps 300 idle
# connections open to the metrics port, opening another whenever the
# speaker closes one (tests/tools/http-flood.py).  Then /metrics still
# answers, the speaker holds no more than its cap of connections, the
# session stays Established without a flap, and a session reset by the
# router comes back, which takes new file descriptors.  Then the caps on a
# request: a head over 8 KB gets 431, a malformed one 400, another method
# 405.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../bgp/peers.sh"
. "$(dirname "$0")/speaker.sh"

FLOOD=300
# The speaker's cap on metrics connections (MAX_CONNS in src/metrics.c).
CAP=32

nb_start
nb_annotated_pod

# BIRD only listens, and the speaker only dials: every session it makes
# takes a new socket.
router_port=$(free_port)
metrics_port=$(free_port)
peer_start bird up local_as=65030 listen_addr=127.0.0.2 \
    listen_port="$router_port" neighbor_addr=127.0.0.1 neighbor_as=65000 \
    families=ipv4
speaker_start s1 --neighbor-address=127.0.0.2 --neighbor-port="$router_port" \
    --listen-port=0 --neighbor-as=65030 --cluster-as=65000 \
    --metrics-address=127.0.0.1:"$metrics_port"
prlimit --pid "$SPEAKER_PID" --nofile=128:128

# metrics_answer: /metrics answers at once, with the session up.
metrics_answer() {
    curl -sf -m 2 "http://127.0.0.1:$metrics_port/metrics" |
        grep -q '^ovn_bgp_speaker_peer_up{peer="127.0.0.2",peer_as="65030"} 1$'
}
# flaps: the speaker's count of flaps of its session.
flaps() {
    appctl s1 bgp/neighbors |
        sed -n 's/^  state: .* \([0-9][0-9]*\) flaps\{0,1\}.*/\1/p'
}
fds() {
    find "/proc/$SPEAKER_PID/fd" -mindepth 1 | wc -l
}
session_up() {
    router_state_is up Established && speaker_up s1
}
# flapped_since N: more than N flaps now.
flapped_since() {
    test "$(flaps)" -gt "$1"
}

check "session comes up" wait_until 20 session_up
check "the route reaches the router" \
    wait_until 10 peer_has_route up 10.16.0.5/32 127.0.0.1
check "/metrics answers" wait_until 10 metrics_answer
flaps0=$(flaps)
fds0=$(fds)
note "before the flood: $fds0 file descriptors, $flaps0 flaps"

spawn flood "$PEER_PY" "$TOP/tests/tools/http-flood.py" "$metrics_port" \
    "$FLOOD" --ready "$T/flood.ready" --ready-after $((FLOOD / 2)) \
    --seconds 150
FLOOD_PID=$SPAWNED
check "the flood is on ($FLOOD idle connections, reopened when closed)" \
    wait_until 20 test -s "$T/flood.ready"

check "/metrics answers during the flood" wait_until 8 metrics_answer
check "/healthz answers during the flood" \
    wait_until 8 bash -c 'test "$(curl -s -m 2 "$0")" = ok' \
    "http://127.0.0.1:$metrics_port/healthz"
fds1=$(fds)
note "during the flood: $fds1 file descriptors"
check "the speaker holds at most $CAP metrics connections" \
    test "$fds1" -le $((fds0 + CAP))
check "the session stayed Established, without a flap" \
    eval 'session_up && ! flapped_since "$flaps0"'

# The router resets the session: the speaker dials again, with a new
# socket.
peer_cli up restart n0 > /dev/null
check "the router resets the session: the speaker sees a flap" \
    wait_until 10 flapped_since "$flaps0" ||
    note "$(appctl s1 bgp/neighbors)"
check "the session comes back during the flood" wait_until 30 session_up ||
    note "$(appctl s1 bgp/neighbors)"
check "... with the route" \
    wait_until 10 peer_has_route up 10.16.0.5/32 127.0.0.1
check "/metrics still answers" wait_until 8 metrics_answer
check "the flood went on all along" kill -0 "$FLOOD_PID"

kill -TERM "$FLOOD_PID" 2>/dev/null
wait "$FLOOD_PID" 2>/dev/null
note "$(cat "$T/flood.log")"

# status REQUEST: the status line the endpoint answers REQUEST with
# (\r and \n in it stand for CR and LF).
status() {
    "$PEER_PY" -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
print(s.makefile("rb").readline().decode().strip())' "$metrics_port" "$1"
}
big=$(head -c 9000 /dev/zero | tr '\0' a)
check "a request head over 8 KB: 431" \
    test "$(status "GET /metrics HTTP/1.1\\r\\nX-Big: $big\\r\\n\\r\\n")" \
    = "HTTP/1.1 431 Request Header Fields Too Large"
check "a malformed request line: 400" \
    test "$(status "GET\\r\\n\\r\\n")" = "HTTP/1.1 400 Bad Request"
check "another method: 405" \
    test "$(status "OPTIONS /metrics HTTP/1.1\\r\\n\\r\\n")" \
    = "HTTP/1.1 405 Method Not Allowed"
check "and /metrics answers after them" wait_until 8 metrics_answer
done_testing
