#!/bin/bash
# Session edge cases of the engine against a hand-made peer
# (tests/tools/bgp-session-peer.py), each of which a review once found
# broken:
# - a connection collision in which the speaker moves to the peer's
#   connection: entering OpenSent again stops the keepalive timer of
#   OpenConfirm, which would otherwise fire in OpenSent and earn the peer an
#   FSM error (5/1);
# - a collision whose second OPEN comes after the session is Established
#   on the first connection: the session stays;
# - an eBGP peer whose BGP identifier is the speaker's own is accepted
#   (RFC 6286 section 2.2 refuses it from internal peers only), and in a
#   collision the connection of the speaker with the higher AS stays
#   (section 2.3);
# - 200 connections at once, while the speaker does not accept (SIGSTOP),
#   all complete their handshake: the listening backlog is the system's;
# - out of file descriptors, accept() fails: the listener rests a second
#   rather than spin on its readable socket.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/interop.sh"

SESSION_PEER=$TOP/tests/tools/bgp-session-peer.py
AS=65000
ID=10.0.0.1
sp=$(free_port) cp=$(free_port) lp=$(free_port) ip=$(free_port)

driver_start d --local-as $AS --router-id $ID --local-address 127.0.0.1 \
    --listen-port "$sp" --hold 3 --connect-retry 1 \
    --peer "127.0.0.2,65002,port=$cp" \
    --peer 127.0.0.3,65003,passive \
    --peer "127.0.0.4,$AS,passive" \
    --peer "127.0.0.7,65007,port=$lp" \
    --peer "127.0.0.8,64999,port=$ip"
driver_cmd d + 10.0.0.0/24
driver_cmd d complete

# --- The collision: the speaker dials 127.0.0.2, which dials back.
out=$(python3 "$SESSION_PEER" collision 127.0.0.2 "$cp" 127.0.0.1 "$sp" \
      65002 2>&1)
check "collision: the speaker goes on with the peer's connection, no FSM \
error" test "$out" = established || note "peer: $out"
grep -q 'connection closed during a collision' "$T/d.log"
check "... after the collision it saw" test $? = 0

# --- A collision whose second OPEN comes once the session is up on the
# first connection: an Established session stays, whatever the
# identifiers say.
out=$(python3 "$SESSION_PEER" collision-late 127.0.0.7 "$lp" 127.0.0.1 \
      "$sp" 65007 2>&1)
check "late collision: the Established session stays, Cease on the other" \
    test "$out" = "kept, notification 6 7 on the second" || note "peer: $out"

# --- A collision with an eBGP peer that has our identifier: the
# connection of the speaker with the higher AS (ours, 65000 > 64999) stays.
out=$(python3 "$SESSION_PEER" collision-same-id 127.0.0.8 "$ip" 127.0.0.1 \
      "$sp" 64999 $ID 2>&1)
check "collision with our identifier: the higher AS's connection stays \
(RFC 6286)" test "$out" = "the speaker's kept, notification 6 7 on the \
peer's" || note "peer: $out"

# --- Our own identifier, from an external and from an internal peer.
out=$(python3 "$SESSION_PEER" open 127.0.0.3 127.0.0.1 "$sp" 65003 $ID 2>&1)
check "eBGP peer with our BGP identifier: accepted (RFC 6286)" \
    test "$out" = established || note "peer: $out"
out=$(python3 "$SESSION_PEER" open 127.0.0.4 127.0.0.1 "$sp" $AS $ID 2>&1)
check "iBGP peer with our BGP identifier: Bad BGP Identifier (2/3)" \
    test "$out" = "notification 2 3" || note "peer: $out"

# --- 200 connections while the speaker is stopped.
kill -STOP "$DRIVER_PID"
out=$(python3 "$SESSION_PEER" flood 127.0.0.5 127.0.0.1 "$sp" 200 2>&1)
kill -CONT "$DRIVER_PID"
check "200 simultaneous connections all complete their handshake" \
    test "$out" = 200 || note "completed: $out"
check "... and the speaker refuses them, still running" \
    wait_until 10 grep -q 'connection from 127.0.0.5 refused' "$T/d.log"

# --- Out of file descriptors: accept() fails and the connection stays
# queued.  The listener must rest, not spin on a readable socket.  The
# driver's limit is set to its lowest free descriptor, so that its next
# accept() gets EMFILE.
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}
lowest_free_fd() {
    local fd=0
    while [ -e "/proc/$1/fd/$fd" ]; do
        fd=$((fd + 1))
    done
    echo "$fd"
}
lim=$(lowest_free_fd "$DRIVER_PID")
prlimit --pid "$DRIVER_PID" --nofile="$lim:"
spawn holder python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])),
                             source_address=("127.0.0.6", 0))
time.sleep(30)' "$sp"
check "out of descriptors: accept fails, the listener rests" \
    wait_until 10 grep -q 'accept: Too many open files; not accepting BGP' \
    "$T/d.log"
# An observation window, not a synchronisation: over 2 s a spinning loop
# burns about 2 s of CPU (200 ticks), a resting one next to nothing.
t0=$(cpu_ticks "$DRIVER_PID")
! wait_until 2 false
t1=$(cpu_ticks "$DRIVER_PID")
check "... and does not spin (CPU ticks over 2 s: $((t1 - t0)))" \
    test $((t1 - t0)) -lt 50
prlimit --pid "$DRIVER_PID" --nofile=1024:
check "descriptors back: the queued connection is accepted (and refused)" \
    wait_until 10 grep -q 'connection from 127.0.0.6 refused' "$T/d.log"

check "the driver stops cleanly (no sanitizer report)" driver_stop d
done_testing
