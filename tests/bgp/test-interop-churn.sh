#!/bin/bash
# The adj-RIB-out under churn, against BIRD and FRR at once: changes while
# BIRD reads nothing (stopped with SIGSTOP, its table in flight) and FRR
# reads all, so that each router is told at its own pace; a router going
# down and coming back while the set changes; a route refresh among
# changes.  After each, both routers must hold exactly the speaker's set,
# and the speaker must count exactly that as sent.  (A withdrawal while the
# table walk itself is half done, with every interleaving, is in
# tests/unit/test-bgp-rib.c: the kernel's socket buffers here take a
# table of this size whole.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/peers.sh"
. "$(dirname "$0")/interop.sh"

AS=65000
N=100000
pb=$(free_port) pf=$(free_port) ld=$(free_port)

# b (BIRD) dials the speaker, so that its session is up before the table
# goes out; f (FRR) is dialed once the set is complete.
start_bird() {
    peer_start bird b local_as=65001 listen_addr=127.0.0.2 listen_port=$pb \
        neighbor_addr=127.0.0.1 neighbor_port=$ld neighbor_as=$AS \
        families=ipv4
}
check "BIRD starts" start_bird
check "FRR starts" \
    peer_start frr f local_as=65002 listen_addr=127.0.0.3 listen_port=$pf \
        neighbor_addr=127.0.0.1 neighbor_as=$AS families=ipv4

driver_start d --local-as $AS --router-id 10.0.0.1 --local-address 127.0.0.1 \
    --listen-port $ld --connect-retry 1 \
    --peer 127.0.0.2,65001,port=$pb --peer 127.0.0.3,65002,port=$pf
driver_cmd d bulk4 10.128.0.0 $N

# Listing a quarter of a million routes takes the routers long: ask for
# counters and single prefixes instead.
# count ROUTER: how many prefixes it has from the speaker.
count() {
    local n
    case $1 in
        b) n=$(peer_cli b show protocols all n0 |
               sed -n 's/.*Routes: *\([0-9]*\) imported.*/\1/p') ;;
        f) n=$(frr_neighbor f 127.0.0.1 addressFamilyInfo ipv4Unicast \
               acceptedPrefixCounter 2>/dev/null) ;;
    esac
    # No session, no counter.
    echo "${n:-0}"
}
# exact ROUTER COUNT: the router and the speaker agree on COUNT prefixes,
# and the speaker's End-of-RIB is out.
exact() {
    local peer
    case $1 in b) peer=127.0.0.2 ;; f) peer=127.0.0.3 ;; esac
    [ "$(count "$1")" = "$2" ] && [ "$(driver_field d $peer sent)" = "$2" ] &&
        [ "$(driver_field d $peer eor)" = 1 ]
}
# has ROUTER A.B.C.D: the router has that /32 from the speaker.
has() {
    case $1 in
        b) peer_cli b show route "$2/32" | grep -q -F "$2/32 " ;;
        f) peer_cli f show bgp ipv4 unicast "$2/32" json |
               grep -q -F "\"prefix\":\"$2/32\"" ;;
    esac
}

check "BIRD's session is up before \"complete\", its table held" \
    wait_until 20 eval 'established b &&
        driver_state_is d 127.0.0.2 Established &&
        [ "$(driver_field d 127.0.0.2 sent)" = 0 ]'
kill -STOP "${_peer_pid[b]}"
driver_cmd d complete
# (birdc would wait for a stopped BIRD: ask only FRR until it goes on.)
check "FRR gets the whole table" wait_until 60 exact f $N

# While BIRD's table is in flight: withdraw the first 40000, withdraw and
# announce again 1000 further on, announce 5000 new ones.
driver_cmd d bulk4-withdraw 10.128.0.0 40000
driver_cmd d bulk4-withdraw 10.128.156.64 1000
driver_cmd d bulk4 10.128.156.64 1000
driver_cmd d bulk4 10.200.0.0 5000
M=$((N - 40000 + 5000))
check "FRR follows the changes" wait_until 30 exact f $M
kill -CONT "${_peer_pid[b]}"
check "BIRD back: exactly the set, End-of-RIB after it" \
    wait_until 60 exact b $M
check "withdrawn during its table: gone at BIRD and FRR" \
    eval '! has b 10.128.0.0 && ! has b 10.128.156.63 &&
          ! has f 10.128.0.0 && ! has f 10.128.156.63'
check "kept, churned and new ones: at BIRD and FRR" \
    eval 'has b 10.128.156.64 && has b 10.128.160.39 && has b 10.200.19.135 &&
          has f 10.128.156.64 && has f 10.128.160.39 && has f 10.200.19.135'

# BIRD goes away; the set changes meanwhile; BIRD comes back.
peer_kill b
check "BIRD gone: the speaker sees it" \
    wait_until 20 eval '! driver_state_is d 127.0.0.2 Established'
driver_cmd d bulk4-withdraw 10.200.0.0 5000
driver_cmd d bulk4 10.201.0.0 300
M=$((M - 5000 + 300))
check "BIRD started again" start_bird
check "BIRD back: a fresh session with exactly the set" \
    wait_until 60 eval 'established b && exact b $M'
check "FRR, up all along, has exactly the set too" wait_until 30 exact f $M
check "BIRD has none of what went while it was away" \
    eval '! has b 10.200.0.0 && has b 10.201.1.43'

# A route refresh from each among changes.
driver_cmd d bulk4-withdraw 10.201.0.0 300
driver_cmd d bulk4 10.202.0.0 700
peer_route_refresh b
peer_route_refresh f
M=$((M - 300 + 700))
check "route refresh: the speaker answers both" \
    wait_until 20 eval '[ "$(grep -c "route refresh for IPv4" $T/d.log)" -ge 2 ]'
check "after the refresh: BIRD and FRR have exactly the set" \
    wait_until 60 eval 'exact b $M && exact f $M'
check "what went before the refresh stays gone" \
    eval '! has b 10.201.0.0 && ! has f 10.201.0.0 && has b 10.202.2.187 &&
          has f 10.202.2.187'

check "the driver stops cleanly (exit 0, no sanitizer report)" \
    driver_stop d "done"
check "both drop the routes" \
    wait_until 30 eval '[ "$(count b)" = 0 ] && [ "$(count f)" = 0 ]'
done_testing
