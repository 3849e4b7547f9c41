#!/bin/bash
# Malformed input over a real socket: a hand-made peer
# (tests/tools/bgp-rawpeer.py) sends one bad message per session and the
# engine answers as RFC 4271 and RFC 7606 say (the NOTIFICATION, or
# treat-as-withdraw with the session kept), while a real BIRD session on the
# same engine stays up and keeps its routes the whole time.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/peers.sh"

DRIVER=$TOP/build/asan/tests/bgp-driver
RAWPEER=$TOP/tests/tools/bgp-rawpeer.py

speaker_port=$(free_port)
router_port=$(free_port)
peer_start bird up local_as=65030 listen_addr=127.0.0.2 \
    listen_port="$router_port" neighbor_addr=127.0.0.1 neighbor_as=65000 \
    families=ipv4

# The driver reads commands from a fifo that we hold open (read-write, so
# that neither side blocks on opening it).
mkfifo "$T/in"
exec 3<> "$T/in"
# (Not through spawn: a background job's stdin would be /dev/null.)
"$DRIVER" --local-as 65000 --router-id 127.0.0.1 \
    --local-address 127.0.0.1 --listen-port "$speaker_port" --hold 9 \
    --peer "127.0.0.2,65030,port=$router_port,ttl=255" \
    --peer 127.0.0.9,65030,passive <&3 > "$T/driver.log" 2>&1 &
DRIVER_PID=$!
_pids+=("$DRIVER_PID")
echo "+ 10.0.0.0/24" >&3
echo "bulk4 10.128.0.0 2000" >&3
echo complete >&3

routes_in() {
    test "$(peer_received_count up)" = 2001
}
check "BIRD gets the routes" wait_until 20 routes_in

# case EXPECTED CASE
expect_case() {
    local got
    got=$(python3 "$RAWPEER" 127.0.0.9 127.0.0.1 "$speaker_port" "$2" 2>&1)
    [ "$got" = "$1" ] || { note "$2: got \"$got\", expected \"$1\""; return 1; }
}
check "bad marker: Connection Not Synchronized" \
    expect_case "notification 1 1" bad-marker
check "length 18: Bad Message Length" \
    expect_case "notification 1 2" short-length
check "KEEPALIVE of 20 bytes: Bad Message Length" \
    expect_case "notification 1 2" long-keepalive
check "type 9: Bad Message Type" expect_case "notification 1 3" bad-type
check "withdrawn routes overrun: Malformed Attribute List" \
    expect_case "notification 3 1" withdrawn-overrun
check "attribute overrunning the path attributes: treat-as-withdraw" \
    expect_case up attr-length-overrun
check "bad ORIGIN value: treat-as-withdraw, session kept" \
    expect_case up bad-origin
check "AS_PATH segment overrun: treat-as-withdraw, session kept" \
    expect_case up as-path-overrun
check "unknown optional transitive attribute: accepted" \
    expect_case up unknown-optional-transitive
check "a good UPDATE: accepted" expect_case up good-update
check "OPEN in Established: FSM error" \
    expect_case "notification 5 3" open-in-established

echo status >&3
bird_status_ok() {
    grep -q "^peer 127.0.0.2 state=Established .* flaps=0 " "$T/driver.log"
}
check "the BIRD session never went down" wait_until 10 bird_status_ok
check "and BIRD still has every route" routes_in
check "the engine is still running" kill -0 "$DRIVER_PID"
done_testing
