#!/bin/bash
# The BGP engine against BIRD 2 (issue 3): an eBGP session on IPv4 and an
# iBGP one on ::1 (with RFC 8950 next hops), the speaker in the 4-byte AS
# 4200000001 and using its session addresses as next hops.  Next hops,
# AS_PATH and LOCAL_PREF of what arrives; withdrawals; 20000 routes; a
# ROUTE-REFRESH answered; a clean stop that takes the routes away at once,
# with its RFC 9003 shutdown message.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/peers.sh"
. "$(dirname "$0")/interop.sh"

AS4=4200000001
BULK=20000
pe=$(free_port) pi=$(free_port)

# ebgp: eBGP, AS 65001, on 127.0.0.2.  ibgp: iBGP on ::1.
check "BIRD (eBGP, IPv4) starts" \
    peer_start bird ebgp local_as=65001 listen_addr=127.0.0.2 listen_port=$pe \
        neighbor_addr=127.0.0.1 neighbor_as=$AS4
check "BIRD (iBGP, ::1) starts" \
    peer_start bird ibgp local_as=$AS4 listen_addr=::1 listen_port=$pi \
        neighbor_addr=::1 ext_nh=1

# No --nh4/--nh6: the next hops are the session addresses, and IPv6 goes
# only where there is one (the ::1 session).
driver_start d --local-as $AS4 --router-id 10.0.0.1 \
    --local-address 127.0.0.1 --connect-retry 1 --ext-nh \
    --peer 127.0.0.2,65001,port=$pe --peer ::1,$AS4,port=$pi
for p in 10.0.1.0/24 10.0.2.0/24 2001:db8:1::/48 2001:db8:2::/48; do
    driver_cmd d + $p
done
driver_cmd d complete

check "both sessions established, at BIRD and at the speaker" \
    wait_until 20 eval 'established ebgp && established ibgp &&
                        driver_state_is d 127.0.0.2 Established &&
                        driver_state_is d ::1 Established'
check "the IPv4 session carries IPv4 only, the ::1 one both" \
    eval '[[ $(driver_field d 127.0.0.2 caps) == "ipv4-unicast as4 "* ]] &&
          [[ $(driver_field d ::1 caps) == "ipv4-unicast ipv6-unicast "* ]]'
check "eBGP: IPv4 route, next hop the session address, AS_PATH [$AS4]" \
    wait_until 10 route_line ebgp "10.0.1.0/24 127.0.0.1 $AS4 -"
check "iBGP: IPv6 route, next hop ::1, empty AS_PATH, LOCAL_PREF 100" \
    wait_until 10 route_line ibgp "2001:db8:1::/48 ::1 - 100"
check "iBGP: IPv4 route with the IPv6 next hop ::1 (RFC 8950)" \
    wait_until 10 route_line ibgp "10.0.1.0/24 ::1 - 100"
check "BIRD has exactly two routes on the IPv4 session, four on ::1" \
    wait_until 10 eval 'routes_are ebgp 2 && routes_are ibgp 4'

# --- Withdrawals.
driver_cmd d - 10.0.2.0/24
driver_cmd d - 2001:db8:2::/48
check "withdrawn routes leave BIRD, on both sessions" \
    wait_until 10 eval 'no_route ebgp 10.0.2.0/24 2001:db8:2::/48 &&
                        no_route ibgp 10.0.2.0/24 2001:db8:2::/48'
check "the other routes stay" \
    eval 'routes_are ebgp 1 && routes_are ibgp 2 &&
          route_line ebgp "10.0.1.0/24 127.0.0.1 $AS4 -" &&
          route_line ibgp "2001:db8:1::/48 ::1 - 100"'

# --- Many routes.
driver_cmd d bulk4 10.128.0.0 $BULK
check "$BULK more routes arrive complete on both sessions" \
    wait_until 60 eval 'routes_are ebgp $((BULK + 1)) &&
                        routes_are ibgp $((BULK + 2))'
check "the last of them, with the right attributes" \
    eval 'route_line ebgp "10.128.78.31/32 127.0.0.1 $AS4 -" &&
          route_line ibgp "10.128.78.31/32 ::1 - 100"'

# --- Route refresh: BIRD asks for everything again (reload in).
check "BIRD sends a ROUTE-REFRESH" peer_route_refresh ebgp
check "the speaker answers it" \
    wait_until 10 grep -q "peer 127.0.0.2: route refresh for IPv4" $T/d.log
check "BIRD still has every route, session up" \
    eval 'routes_are ebgp $((BULK + 1)) && established ebgp'

# --- Clean stop.
check "the driver stops cleanly (exit 0, no sanitizer report)" \
    driver_stop d "shutting down"
check "BIRD drops every route at once" \
    wait_until 5 eval 'routes_are ebgp 0 && routes_are ibgp 0'
check "BIRD got a Cease with the shutdown message" \
    eval 'grep -q "n0: Received: Administrative shutdown: \"shutting down\"" \
              $T/peer-ebgp.log &&
          grep -q "n0: Received: Administrative shutdown: \"shutting down\"" \
              $T/peer-ibgp.log'

done_testing
