#!/bin/bash
# Without graceful restart the engine dials no peer before its route set
# is complete, against FRR and GoBGP: routers that only listen get no
# connection until "complete", then one at once (the connect-retry time is
# 30 s here, so no retry can be what brings the session); a router that
# dials the engine gets its session meanwhile, with the table held until
# "complete".  The order is read from the driver's log, which has every
# state change of every peer, in order.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/peers.sh"
. "$(dirname "$0")/interop.sh"

AS=65000
pf=$(free_port) pg=$(free_port) ph=$(free_port)
ld=$(free_port)

# f (FRR) and g (GoBGP) only listen; h (FRR) dials the engine.
check "FRR that only listens starts" \
    peer_start frr f local_as=65001 listen_addr=127.0.0.2 listen_port=$pf \
        neighbor_addr=127.0.0.1 neighbor_as=$AS families=ipv4
check "GoBGP that only listens starts" \
    peer_start gobgp g local_as=65002 listen_addr=127.0.0.3 listen_port=$pg \
        neighbor_addr=127.0.0.1 neighbor_as=$AS families=ipv4
check "FRR that dials starts" \
    peer_start frr h local_as=65003 listen_addr=127.0.0.4 listen_port=$ph \
        neighbor_addr=127.0.0.1 neighbor_port=$ld neighbor_as=$AS \
        families=ipv4

driver_start d --local-as $AS --router-id 10.0.0.1 --local-address 127.0.0.1 \
    --listen-port $ld --connect-retry 30 --nh4 192.0.2.1 \
    --peer 127.0.0.2,65001,port=$pf --peer 127.0.0.3,65002,port=$pg \
    --peer 127.0.0.4,65003,port=$ph
driver_cmd d + 10.0.1.0/24
driver_cmd d + 10.0.2.0/24

# first_change PEER: the peer's first state change after its start.
first_change() {
    grep -E "peer $1: [A-Za-z]+ -> " "$T/d.log" | sed -n 2p
}
# before PEER REGEX: the line "peer PEER: dialing now" comes before the
# first line matching REGEX, and both are there.
dialed_before() {
    local dial n
    dial=$(grep -n -m1 "peer $1: dialing now (route set complete)" \
           "$T/d.log" | cut -d: -f1)
    n=$(grep -n -E -m1 -- "$2" "$T/d.log" | cut -d: -f1)
    [ -n "$dial" ] && [ -n "$n" ] && [ "$dial" -lt "$n" ]
}

check "the router that dials gets its session before \"complete\"" \
    wait_until 20 eval 'established h && driver_state_is d 127.0.0.4 Established'
check "its table held: nothing sent, no End-of-RIB" \
    eval 'routes_are h 0 && [ "$(driver_field d 127.0.0.4 eor)" = 0 ] &&
          [ "$(driver_field d 127.0.0.4 held)" = 0 ]'
check "the routers that only listen: Active, waiting to be dialed" \
    eval '[ "$(driver_field d 127.0.0.2 held)" = 1 ] &&
          [ "$(driver_field d 127.0.0.3 held)" = 1 ] &&
          driver_state_is d 127.0.0.2 Active &&
          driver_state_is d 127.0.0.3 Active'
check "no connection to them before \"complete\"" \
    eval '! grep -q -E "peer 127\.0\.0\.[23]: .* -> (Connect|OpenSent)" \
              $T/d.log &&
          ! established f && ! established g'

driver_cmd d complete
check "complete: FRR and GoBGP are dialed at once" \
    wait_until 15 eval 'established f && established g &&
                        driver_state_is d 127.0.0.2 Established &&
                        driver_state_is d 127.0.0.3 Established'
check "complete: every router has the table, with End-of-RIB" \
    wait_until 10 eval 'route_line f "10.0.1.0/24 192.0.2.1 $AS -" &&
        route_line g "10.0.1.0/24 192.0.2.1 $AS -" &&
        route_line h "10.0.1.0/24 192.0.2.1 $AS -" &&
        routes_are f 2 && routes_are g 2 && routes_are h 2 &&
        [ "$(driver_field d 127.0.0.2 eor)" = 1 ] &&
        [ "$(driver_field d 127.0.0.3 eor)" = 1 ] &&
        [ "$(driver_field d 127.0.0.4 eor)" = 1 ]'
for p in 127.0.0.2 127.0.0.3; do
    check "$p: its first state change after start was the dial" \
        eval '[[ "$(first_change '$p')" == *"Active -> Connect (route set complete)"* ]]'
    check "$p: dialed before any connection" \
        dialed_before $p "peer $p: .* -> OpenSent"
done
check "127.0.0.4 (it dialed): nothing to dial" \
    eval '! grep -q "peer 127.0.0.4: dialing now" $T/d.log'

check "the driver stops cleanly (exit 0, no sanitizer report)" \
    driver_stop d "done"
done_testing
