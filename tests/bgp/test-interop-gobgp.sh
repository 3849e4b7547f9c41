#!/bin/bash
# The BGP engine against GoBGP (issue 3): the other way round from the FRR
# and BIRD tests, an iBGP session on IPv4 and an eBGP one on ::1, the
# speaker in the 4-byte AS 4200000001.  GoBGP 3.10 drops IPv4 routes with
# a next hop in 127/8: the speaker sets --nh4.  Next hops, AS_PATH and
# LOCAL_PREF of what arrives; withdrawals; 20000 routes; a clean stop that
# takes the routes away at once, with its RFC 9003 shutdown message.
# (GoBGP has no command to send a ROUTE-REFRESH.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/peers.sh"
. "$(dirname "$0")/interop.sh"

AS4=4200000001
BULK=20000
pi=$(free_port) pe=$(free_port)

# ibgp: iBGP on 127.0.0.2.  ebgp: eBGP, AS 65001, on ::1.
check "GoBGP (iBGP, IPv4) starts" \
    peer_start gobgp ibgp local_as=$AS4 listen_addr=127.0.0.2 \
        listen_port=$pi neighbor_addr=127.0.0.1
check "GoBGP (eBGP, ::1) starts" \
    peer_start gobgp ebgp local_as=65001 listen_addr=::1 listen_port=$pe \
        neighbor_addr=::1 neighbor_as=$AS4

# No --nh6: IPv6 routes go on the ::1 session only, with next hop ::1.
driver_start d --local-as $AS4 --router-id 10.0.0.1 \
    --local-address 127.0.0.1 --connect-retry 1 --nh4 192.0.2.1 \
    --peer 127.0.0.2,$AS4,port=$pi --peer ::1,65001,port=$pe
for p in 10.0.1.0/24 10.0.2.0/24 2001:db8:1::/48 2001:db8:2::/48; do
    driver_cmd d + $p
done
driver_cmd d complete

check "both sessions established, at GoBGP and at the speaker" \
    wait_until 20 eval 'established ibgp && established ebgp &&
                        driver_state_is d 127.0.0.2 Established &&
                        driver_state_is d ::1 Established'
check "iBGP: IPv4 route, next hop --nh4, empty AS_PATH, LOCAL_PREF 100" \
    wait_until 10 route_line ibgp "10.0.1.0/24 192.0.2.1 - 100"
check "eBGP: IPv6 route, next hop ::1, AS_PATH [$AS4]" \
    wait_until 10 route_line ebgp "2001:db8:1::/48 ::1 $AS4 -"
check "eBGP: IPv4 route on the ::1 session, next hop --nh4" \
    wait_until 10 route_line ebgp "10.0.1.0/24 192.0.2.1 $AS4 -"
check "GoBGP has exactly two routes on the IPv4 session, four on ::1" \
    wait_until 10 eval 'routes_are ibgp 2 && routes_are ebgp 4'

# --- Withdrawals.
driver_cmd d - 10.0.2.0/24
driver_cmd d - 2001:db8:2::/48
check "withdrawn routes leave GoBGP, on both sessions" \
    wait_until 10 eval 'no_route ibgp 10.0.2.0/24 2001:db8:2::/48 &&
                        no_route ebgp 10.0.2.0/24 2001:db8:2::/48'
check "the other routes stay" \
    eval 'routes_are ibgp 1 && routes_are ebgp 2 &&
          route_line ibgp "10.0.1.0/24 192.0.2.1 - 100" &&
          route_line ebgp "2001:db8:1::/48 ::1 $AS4 -"'

# --- Many routes.
driver_cmd d bulk4 10.128.0.0 $BULK
check "$BULK more routes arrive complete on both sessions" \
    wait_until 60 eval 'routes_are ibgp $((BULK + 1)) &&
                        routes_are ebgp $((BULK + 2))'
check "the last of them, with the right attributes" \
    eval 'route_line ibgp "10.128.78.31/32 192.0.2.1 - 100" &&
          route_line ebgp "10.128.78.31/32 192.0.2.1 $AS4 -"'

# --- Clean stop.
check "the driver stops cleanly (exit 0, no sanitizer report)" \
    driver_stop d "shutting down"
check "GoBGP drops every route at once" \
    wait_until 5 eval 'routes_are ibgp 0 && routes_are ebgp 0'
check "GoBGP got a Cease with the shutdown message" \
    eval 'grep -q "Communicated-Reason=\"shutting down\"" $T/peer-ibgp.log &&
          grep -q "Communicated-Reason=\"shutting down\"" $T/peer-ebgp.log'

done_testing
