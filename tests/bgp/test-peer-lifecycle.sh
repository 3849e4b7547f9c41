#!/bin/bash
# A peer's life while the engine runs (bgp_engine_add_peer(),
# bgp_engine_set_peer(), bgp_engine_remove_peer()), against real BIRD 2
# routers: a peer added starts at once; settings given again unchanged
# touch nothing; changed settings reset that session alone; a removed peer
# gets a Cease (Peer De-configured) and its RIB slot serves the next one; a
# peer added with a TCP MD5 password that dials in finds its key on the
# listener.  The first router's session never flaps and never loses the
# route through all of it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/peers.sh"
. "$(dirname "$0")/interop.sh"

AS=65000
sp=$(free_port) pa=$(free_port) pb=$(free_port) pc=$(free_port)
check "BIRD a starts" \
    peer_start bird a local_as=65001 listen_addr=127.0.0.2 listen_port="$pa" \
        neighbor_addr=127.0.0.1 neighbor_as=$AS families=ipv4
check "BIRD b starts" \
    peer_start bird b local_as=65002 listen_addr=127.0.0.3 listen_port="$pb" \
        neighbor_addr=127.0.0.1 neighbor_as=$AS families=ipv4
# c dials the speaker, with a password.
check "BIRD c starts" \
    peer_start bird c local_as=65003 listen_addr=127.0.0.4 listen_port="$pc" \
        neighbor_addr=127.0.0.1 neighbor_port="$sp" neighbor_as=$AS \
        md5=s3cret families=ipv4

driver_start d --local-as $AS --router-id 10.0.0.1 \
    --local-address 127.0.0.1 --listen-port "$sp" --connect-retry 1 \
    --peer "127.0.0.2,65001,port=$pa"
driver_cmd d + 10.0.1.0/24
driver_cmd d complete
check "a: up, with the route" \
    wait_until 20 eval 'established a &&
        route_line a "10.0.1.0/24 127.0.0.1 $AS -"'

# Every poll of a's table goes to $T/polls from now on.
: > "$T/polls"
a_has_route() {
    if route_line a "10.0.1.0/24 127.0.0.1 $AS -"; then
        echo ok >> "$T/polls"
    else
        echo MISSING >> "$T/polls"
        return 1
    fi
}
a_steady() {
    a_has_route && [ "$(driver_field d 127.0.0.2 flaps)" = 0 ]
}

driver_cmd d peer-add "127.0.0.3,65002,port=$pb"
check "peer-add b: up at once, with the route" \
    wait_until 20 eval 'a_has_route; established b &&
        route_line b "10.0.1.0/24 127.0.0.1 $AS -"'
check "... a untouched" a_steady

driver_cmd d peer-set "127.0.0.2,65001,port=$pa"
driver_cmd d peer-set "127.0.0.3,65002,port=$pb"
check "peer-set with the same settings: nothing happens" \
    eval '! wait_until 2 grep -q "settings changed" "$T/d.log" &&
          [ "$(driver_field d 127.0.0.3 flaps)" = 0 ] && a_steady'

driver_cmd d peer-set "127.0.0.3,65002,port=$pb,ttl=255"
check "peer-set b with another TTL: b alone is reset" \
    wait_until 20 eval 'a_has_route;
        [ "$(driver_field d 127.0.0.3 flaps)" = 1 ] &&
        driver_state_is d 127.0.0.3 Established &&
        route_line b "10.0.1.0/24 127.0.0.1 $AS -"'
check "... with Cease, Other Configuration Change" \
    grep -q "peer 127.0.0.3: sending NOTIFICATION .*Other Configuration Change" \
    "$T/d.log"
check "... a untouched" a_steady

driver_cmd d peer-remove 127.0.0.3
check "peer-remove b: its router drops the session and the route" \
    wait_until 10 eval 'a_has_route; ! established b && no_route b 10.0.1.0/24'
check "... told Peer De-configured" \
    wait_until 10 eval 'peer_cli b show protocols all n0 |
        grep -q -i "de-configured"'
check "... gone from the speaker's status" \
    eval '[ -z "$(driver_status d 127.0.0.3)" ]'
check "... a untouched" a_steady

# c takes b's RIB slot; it dials in, and the listener must know its key.
driver_cmd d peer-add "127.0.0.4,65003,passive,md5=s3cret"
check "peer-add c with a password: its connection is accepted, up" \
    wait_until 30 eval 'a_has_route; established c &&
        route_line c "10.0.1.0/24 127.0.0.1 $AS -"'
driver_cmd d + 10.0.2.0/24
check "... and in the table's changes, like a (the slot is clean)" \
    wait_until 10 eval 'route_line c "10.0.2.0/24 127.0.0.1 $AS -" &&
        route_line a "10.0.2.0/24 127.0.0.1 $AS -"'
check "... a untouched" a_steady
check "a had the route in every poll ($(wc -l < "$T/polls") polls)" \
    eval '! grep -q MISSING "$T/polls"'

check "the driver stops cleanly (no sanitizer report)" driver_stop d
done_testing
