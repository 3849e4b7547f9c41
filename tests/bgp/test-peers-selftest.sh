#!/bin/bash
# Proves tests/bgp/peers.sh against the real routers themselves, before the
# speaker can stand in: BIRD, FRR and GoBGP peer with each other on
# loopback (eBGP and iBGP, a 4-byte AS, IPv6 and RFC 8950 sessions on ::1,
# TCP MD5 right and wrong, a withdrawal, a clean stop, graceful restart
# with stale paths, route refresh).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/peers.sh"

established() {
    [ "$(peer_state "$@")" = Established ]
}

not_established() {
    ! established "$@"
}

# route_line NAME LINE: peer_routes NAME lists exactly LINE.
route_line() {
    peer_routes "$1" | grep -qxF -- "$2"
}

no_route() {
    ! peer_has_route "$@"
}

# frr_refresh_recv NAME NEIGHBOR: ROUTE-REFRESH messages FRR has received.
frr_refresh_recv() {
    peer_cli "$1" show bgp neighbors "$2" json |
        "$PEER_PY" -c 'import json, sys
print(json.load(sys.stdin)[sys.argv[1]]["messageStats"]["routeRefreshRecv"])' \
        "$2"
}

# gobgp_refresh_recv NAME NEIGHBOR
gobgp_refresh_recv() {
    peer_cli "$1" neighbor "$2" -j |
        "$PEER_PY" -c 'import json, sys
print(json.load(sys.stdin)["state"]["messages"]["received"].get("refresh", 0))'
}

greater() {
    [ "$("${@:2}")" -gt "$1" ]
}

AS4=4200000001
pb=$(free_port) pf=$(free_port) pg=$(free_port)
pm1=$(free_port) pm2=$(free_port) pm3=$(free_port)
pf6=$(free_port) pb6=$(free_port)
pg7=$(free_port) pf7=$(free_port)

# --- A triangle on IPv4: b (BIRD, AS 65001), f (FRR) and g (GoBGP) in the
# 4-byte AS 4200000001 (so f-g is iBGP), all with graceful restart.
# GoBGP drops IPv4 routes with a 127/8 next hop: next hops in 192.0.2/24.
check "GoBGP starts" \
    peer_start gobgp g local_as=$AS4 listen_addr=127.0.0.4 listen_port=$pg \
        neighbor_addr=127.0.0.2,127.0.0.3 neighbor_port=$pb,$pf \
        neighbor_as=65001,$AS4 gr=1 hold=9 \
        originate=10.1.0.1/32,10.1.0.2/32,10.9.0.0/24,2001:db8::1/128 \
        nexthop4=192.0.2.4 nexthop6=2001:db8:ff::4
check "BIRD starts" \
    peer_start bird b local_as=65001 listen_addr=127.0.0.2 listen_port=$pb \
        neighbor_addr=127.0.0.4,127.0.0.3 neighbor_port=$pg,$pf \
        neighbor_as=$AS4 gr=1 hold=9 \
        originate=10.2.0.0/24,10.9.0.0/24 nexthop4=192.0.2.2
check "FRR starts" \
    peer_start frr f local_as=$AS4 listen_addr=127.0.0.3 listen_port=$pf \
        neighbor_addr=127.0.0.4,127.0.0.2 neighbor_port=$pg,0 \
        neighbor_as=$AS4,65001 gr=1 hold=9 \
        originate=10.3.0.0/24 nexthop4=192.0.2.3

# --- TCP MD5: m1 (FRR), m2 (BIRD), m3 (GoBGP); m3 has the wrong password
# towards m1 only.
peer_start frr m1 local_as=65101 listen_addr=127.0.0.5 listen_port=$pm1 \
    neighbor_addr=127.0.0.6,127.0.0.7 neighbor_port=$pm2,$pm3 \
    neighbor_as=65102,65103 md5=s3cret
peer_start bird m2 local_as=65102 listen_addr=127.0.0.6 listen_port=$pm2 \
    neighbor_addr=127.0.0.5,127.0.0.7 neighbor_port=$pm1,$pm3 \
    neighbor_as=65101,65103 md5=s3cret
peer_start gobgp m3 local_as=65103 listen_addr=127.0.0.7 listen_port=$pm3 \
    neighbor_addr=127.0.0.5,127.0.0.6 neighbor_port=$pm1,$pm2 \
    neighbor_as=65101,65102 md5=wrong,s3cret

# --- On ::1, one neighbor each (all share the address), IPv4 routes with
# IPv6 next hops (RFC 8950): f6 (FRR) with b6 (BIRD), g7 (GoBGP) with f7
# (FRR).  FRR refuses a ::1 next hop, and BIRD will not send one to ::1.
peer_start frr f6 local_as=65201 listen_addr=::1 listen_port=$pf6 \
    neighbor_addr=::1 neighbor_port=$pb6 neighbor_as=65202 ext_nh=1 gr=1 \
    originate=10.6.0.1/32,2001:db8:6::/48
peer_start bird b6 local_as=65202 listen_addr=::1 listen_port=$pb6 \
    neighbor_addr=::1 neighbor_port=$pf6 neighbor_as=65201 ext_nh=1 gr=1 \
    originate=10.6.0.2/32 nexthop4=2001:db8:ff::6
peer_start gobgp g7 local_as=65301 listen_addr=::1 listen_port=$pg7 \
    neighbor_addr=::1 neighbor_port=$pf7 neighbor_as=65302 ext_nh=1 gr=1 \
    originate=2001:db8:7::/48 nexthop6=2001:db8:ff::7
peer_start frr f7 local_as=65302 listen_addr=::1 listen_port=$pf7 \
    neighbor_addr=::1 neighbor_port=$pg7 neighbor_as=65301 ext_nh=1 gr=1 \
    originate=10.7.0.1/32

# (Their crash-log folders, /var/tmp/frr/bgpd.PID, must go with them.)
frr_pids=()
for name in f m1 f6 f7; do
    frr_pids+=("${_peer_pid[$name]}")
done

check "sessions b-g, b-f, f-g established" \
    wait_until 30 eval 'established b && established f && established g'
check "MD5 with the right password: FRR-BIRD, BIRD-GoBGP established" \
    wait_until 20 eval \
        'established m1 127.0.0.6 && established m2 && established m3 127.0.0.6'
check "sessions on ::1 established" \
    wait_until 20 eval 'established f6 && established b6 &&
                        established g7 && established f7'

# --- What each learned.
check "BIRD: GoBGP's IPv4 route over eBGP, 4-byte AS path, no LOCAL_PREF" \
    wait_until 10 route_line b "10.1.0.1/32 192.0.2.4 $AS4 -"
check "BIRD: GoBGP's IPv6 route over an IPv4 session" \
    wait_until 10 route_line b "2001:db8::1/128 2001:db8:ff::4 $AS4 -"
check "FRR: GoBGP's route over iBGP, empty AS path, LOCAL_PREF 100" \
    wait_until 10 route_line f "10.1.0.1/32 192.0.2.4 - 100"
check "FRR: GoBGP's IPv6 route over iBGP" \
    wait_until 10 route_line f "2001:db8::1/128 2001:db8:ff::4 - 100"
check "FRR: BIRD's route over eBGP" \
    wait_until 10 route_line f "10.2.0.0/24 192.0.2.2 65001 -"
check "GoBGP: BIRD's route over eBGP" \
    wait_until 10 route_line g "10.2.0.0/24 192.0.2.2 65001 -"
check "GoBGP: FRR's route over iBGP" \
    wait_until 10 route_line g "10.3.0.0/24 192.0.2.3 - 100"
check "BIRD: FRR's route, AS path of the 4-byte AS" \
    wait_until 10 route_line b "10.3.0.0/24 192.0.2.3 $AS4 -"
check "FRR: two paths for 10.9.0.0/24 (from BIRD and GoBGP), one line each" \
    wait_until 10 eval '[ "$(peer_routes f | grep -c "^10\.9\.0\.0/24 ")" = 2 ]'
check "peer_routes with a neighbor: only that neighbor's paths" \
    eval '[ "$(peer_routes f 127.0.0.2)" = "10.2.0.0/24 192.0.2.2 65001 -
10.9.0.0/24 192.0.2.2 65001 -" ]'
check "routers pass nothing on: BIRD has 5 paths, GoBGP 3, FRR 6" \
    eval '[ "$(peer_received_count b)" = 5 ] &&
          [ "$(peer_received_count g)" = 3 ] &&
          [ "$(peer_received_count f)" = 6 ]'
check "peer_has_route with and without a next hop" \
    eval 'peer_has_route f 10.2.0.0/24 && peer_has_route f 10.2.0.0/24 192.0.2.2 &&
          ! peer_has_route f 10.2.0.0/24 192.0.2.99 && ! peer_has_route f 10.99.0.0/24'
check "BIRD on ::1: FRR's IPv4 route with an IPv6 next hop, and IPv6" \
    wait_until 10 eval 'route_line b6 "10.6.0.1/32 ::1 65201 -" &&
                        route_line b6 "2001:db8:6::/48 ::1 65201 -"'
check "FRR on ::1: BIRD's IPv4 route with an IPv6 next hop" \
    wait_until 10 route_line f6 "10.6.0.2/32 2001:db8:ff::6 65202 -"
check "GoBGP on ::1: FRR's IPv4 route with an IPv6 next hop" \
    wait_until 10 route_line g7 "10.7.0.1/32 ::1 65302 -"
check "FRR on ::1: GoBGP's IPv6 route" \
    wait_until 10 route_line f7 "2001:db8:7::/48 2001:db8:ff::7 65301 -"

# --- MD5 with the wrong password: still not up, well after the right ones.
check "MD5 with the wrong password: FRR-GoBGP not established in 4 s" \
    eval '! wait_until 4 established m1 127.0.0.7 &&
          not_established m3 127.0.0.5'

# --- Route refresh.
n=$(frr_refresh_recv f 127.0.0.2)
peer_route_refresh b 127.0.0.3
check "BIRD sends a ROUTE-REFRESH (FRR counts it)" \
    wait_until 10 greater "$n" frr_refresh_recv f 127.0.0.2
n=$(gobgp_refresh_recv g 127.0.0.3)
peer_route_refresh f 127.0.0.4
check "FRR sends a ROUTE-REFRESH (GoBGP counts it)" \
    wait_until 10 greater "$n" gobgp_refresh_recv g 127.0.0.3
peer_route_refresh g
rc=$?
check "GoBGP: route refresh unsupported (2)" eval '[ $rc = 2 ]'
check "routes unchanged after the refreshes" \
    eval '[ "$(peer_received_count f)" = 6 ] && route_line f "10.1.0.1/32 192.0.2.4 - 100"'

# --- A withdrawal.
peer_cli g global rib del -a ipv4 10.1.0.2/32
check "a route GoBGP withdraws leaves BIRD and FRR" \
    wait_until 10 eval 'no_route b 10.1.0.2/32 && no_route f 10.1.0.2/32'
check "the other routes stay" \
    eval 'peer_has_route b 10.1.0.1/32 && peer_has_route f 10.1.0.1/32'

# --- A clean stop (Cease): its routes go at once, graceful restart or not.
peer_stop b
check "BIRD stopped: FRR and GoBGP drop its routes" \
    wait_until 10 eval 'no_route f 10.2.0.0/24 && no_route g 10.2.0.0/24 &&
                        [ "$(peer_routes f | grep -c "^10\.9\.0\.0/24 ")" = 1 ]'
check "BIRD stopped: peer_state says so" \
    wait_until 10 eval '[ "$(peer_state f 127.0.0.2)" != Established ] &&
                        [ "$(peer_state b)" = Idle ]'

# --- Graceful restart: the TCP connection just closes.
peer_kill g
check "GoBGP killed: FRR keeps its paths, marked stale" \
    wait_until 10 eval 'not_established f 127.0.0.4 &&
        route_line f "10.1.0.1/32 192.0.2.4 - 100 stale" &&
        route_line f "2001:db8::1/128 2001:db8:ff::4 - 100 stale"'
peer_kill f7
check "FRR killed: GoBGP keeps its path, marked stale" \
    wait_until 10 eval 'not_established g7 &&
        route_line g7 "10.7.0.1/32 ::1 65302 - stale"'
peer_kill f6
check "FRR killed: BIRD keeps its paths (no stale mark shown)" \
    eval 'wait_until 10 not_established b6 &&
          route_line b6 "10.6.0.1/32 ::1 65201 -"'

# --- A router that cannot start.
check "peer_start fails, with the log, when the router does not start" \
    eval '! peer_start bird bad local_as=65001 listen_addr=127.0.0.8 \
              listen_port=$pb neighbor_addr=127.0.0.9 hold=1 2> "$T/bad.err" &&
          grep -q "bad did not start" "$T/bad.err" &&
          grep -q -i "hold" "$T/bad.err"'

# --- Nothing left behind.
for name in f m1 m2 m3 b6 g7; do
    peer_stop "$name"
done
check "every router stopped, no process left" \
    eval '! pgrep -f "$T" > /dev/null'
no_crash_dirs() {
    local pid
    for pid in "${frr_pids[@]}"; do
        [ ! -e "/var/tmp/frr/bgpd.$pid" ] || return 1
    done
}
check "FRR left nothing in /var/tmp/frr" no_crash_dirs

done_testing
