#!/bin/bash
# The BGP engine against FRR bgpd (issue 3): an eBGP session on IPv4 and an
# iBGP one on ::1 (RFC 8950 next hops), the speaker in the 4-byte AS
# 4200000001.  Next hops, AS_PATH and LOCAL_PREF of what arrives;
# withdrawals; 20000 routes; a ROUTE-REFRESH answered; a clean stop that
# takes the routes away at once, with its RFC 9003 shutdown message.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/peers.sh"
. "$(dirname "$0")/interop.sh"

AS4=4200000001
BULK=20000
pe=$(free_port) pi=$(free_port)

# ebgp: eBGP, AS 65001, on 127.0.0.2.  ibgp: iBGP on ::1, with extended next
# hops (FRR refuses ::1 itself as a next hop: the speaker sets its own).
check "FRR (eBGP, IPv4) starts" \
    peer_start frr ebgp local_as=65001 listen_addr=127.0.0.2 listen_port=$pe \
        neighbor_addr=127.0.0.1 neighbor_as=$AS4
check "FRR (iBGP, ::1) starts" \
    peer_start frr ibgp local_as=$AS4 listen_addr=::1 listen_port=$pi \
        neighbor_addr=::1 ext_nh=1

driver_start d --local-as $AS4 --router-id 10.0.0.1 \
    --local-address 127.0.0.1 --connect-retry 1 \
    --nh6 2001:db8::1 --ext-nh \
    --peer 127.0.0.2,65001,port=$pe --peer ::1,$AS4,port=$pi
for p in 10.0.1.0/24 10.0.2.0/24 2001:db8:1::/48 2001:db8:2::/48; do
    driver_cmd d + $p
done
driver_cmd d complete

check "both sessions established, at FRR and at the speaker" \
    wait_until 20 eval 'established ebgp && established ibgp &&
                        driver_state_is d 127.0.0.2 Established &&
                        driver_state_is d ::1 Established'
check "the speaker negotiated 4-byte ASNs and route refresh" \
    eval '[[ $(driver_field d 127.0.0.2 caps) == *"as4 route-refresh"* ]]'
check "eBGP: IPv4 route, next hop the session address, AS_PATH [$AS4]" \
    wait_until 10 route_line ebgp "10.0.1.0/24 127.0.0.1 $AS4 -"
check "eBGP: IPv6 route over the IPv4 session, next hop --nh6" \
    wait_until 10 route_line ebgp "2001:db8:1::/48 2001:db8::1 $AS4 -"
check "iBGP: IPv6 route, next hop --nh6, empty AS_PATH, LOCAL_PREF 100" \
    wait_until 10 route_line ibgp "2001:db8:1::/48 2001:db8::1 - 100"
check "iBGP: IPv4 route with an IPv6 next hop (RFC 8950)" \
    wait_until 10 route_line ibgp "10.0.1.0/24 2001:db8::1 - 100"
check "FRR has exactly the four routes on each session" \
    wait_until 10 eval 'routes_are ebgp 4 && routes_are ibgp 4'

# --- Withdrawals.
driver_cmd d - 10.0.2.0/24
driver_cmd d - 2001:db8:2::/48
check "withdrawn routes leave FRR, on both sessions" \
    wait_until 10 eval 'no_route ebgp 10.0.2.0/24 2001:db8:2::/48 &&
                        no_route ibgp 10.0.2.0/24 2001:db8:2::/48'
check "the other routes stay" \
    eval 'routes_are ebgp 2 && routes_are ibgp 2 &&
          route_line ebgp "10.0.1.0/24 127.0.0.1 $AS4 -"'

# --- Many routes.
driver_cmd d bulk4 10.128.0.0 $BULK
check "$BULK more routes arrive complete on both sessions" \
    wait_until 60 eval 'routes_are ebgp $((BULK + 2)) &&
                        routes_are ibgp $((BULK + 2))'
check "the last of them, with the right attributes" \
    eval 'route_line ebgp "10.128.78.31/32 127.0.0.1 $AS4 -" &&
          route_line ibgp "10.128.78.31/32 2001:db8::1 - 100"'
check "the speaker counts them sent" \
    eval '[ "$(driver_field d 127.0.0.2 sent)" = $((BULK + 2)) ]'

# --- Route refresh: FRR asks for everything again (clear ... soft in).
updates=$(frr_neighbor ebgp 127.0.0.1 messageStats updatesRecv)
check "FRR sends a ROUTE-REFRESH" peer_route_refresh ebgp
# IPv4 alone takes 20000 /32s, dozens of UPDATEs.
more_updates() {
    [ "$(frr_neighbor ebgp 127.0.0.1 messageStats updatesRecv)" -gt \
      $((updates + 10)) ]
}
check "the speaker answers it: it sends its table again" \
    wait_until 20 eval 'more_updates &&
                        grep -q "route refresh for IPv4: resending" $T/d.log'
check "FRR still has every route, session up" \
    wait_until 20 eval 'routes_are ebgp $((BULK + 2)) && established ebgp'

# --- Clean stop.
check "the driver stops cleanly (exit 0, no sanitizer report)" \
    driver_stop d "shutting down"
check "FRR drops every route at once" \
    wait_until 5 eval 'routes_are ebgp 0 && routes_are ibgp 0'
check "FRR got a Cease with the shutdown message" \
    eval '[ "$(frr_neighbor ebgp 127.0.0.1 lastShutdownDescription)" = \
            "shutting down" ] &&
          [ "$(frr_neighbor ibgp ::1 lastShutdownDescription)" = \
            "shutting down" ]'

done_testing
