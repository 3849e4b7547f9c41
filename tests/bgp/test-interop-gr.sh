#!/bin/bash
# Graceful restart (RFC 4724) and the deferral of the initial table
# (issue 3), with FRR and BIRD as helpers.
#
# - Deferral: with --gr and no "complete", the speaker holds its table
#   (the routers have nothing while Established) until "complete", or until
#   a short --deferral runs out.
# - Restart: the speaker killed (no NOTIFICATION), the routers keep its
#   routes (FRR marks them stale) for the whole downtime; started again
#   with its routes and "complete", it refreshes them (no longer stale) and
#   End-of-RIB flushes the one it no longer has.  The routers' tables are
#   polled throughout, and the route must be in every poll.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/peers.sh"
. "$(dirname "$0")/interop.sh"

AS=65000
pf=$(free_port) pb=$(free_port)
check "FRR with graceful restart starts" \
    peer_start frr f local_as=65001 listen_addr=127.0.0.2 listen_port=$pf \
        neighbor_addr=127.0.0.1 neighbor_as=$AS gr=1
check "BIRD with graceful restart starts" \
    peer_start bird b local_as=65002 listen_addr=127.0.0.3 listen_port=$pb \
        neighbor_addr=127.0.0.1 neighbor_as=$AS gr=1

# driver NAME ARGS...: the speaker, restart time 120 s, towards both;
# IPv6 routes too (FRR refuses ::1 as a next hop).
driver() {
    local name=$1
    shift
    driver_start "$name" --local-as $AS --router-id 10.0.0.1 \
        --local-address 127.0.0.1 --nh6 2001:db8::1 --connect-retry 1 \
        --gr 120 "$@" \
        --peer 127.0.0.2,65001,port=$pf --peer 127.0.0.3,65002,port=$pb
}

# up DRIVER: both sessions established, at the routers and the speaker.
up() {
    established f && established b &&
        driver_state_is "$1" 127.0.0.2 Established &&
        driver_state_is "$1" 127.0.0.3 Established
}

# withheld DRIVER: nothing sent yet, to either router.
withheld() {
    routes_are f 0 && routes_are b 0 &&
        [ "$(driver_field "$1" 127.0.0.2 eor)" = 0 ] &&
        [ "$(driver_field "$1" 127.0.0.3 eor)" = 0 ]
}

# --- A short deferral releases the table without "complete".
driver d0 --deferral 5
driver_cmd d0 + 10.0.9.0/24
check "deferral 5 s: sessions up, graceful restart negotiated" \
    wait_until 10 eval 'up d0 &&
        [[ $(driver_field d0 127.0.0.2 caps) == *graceful-restart* ]] &&
        [[ $(driver_field d0 127.0.0.3 caps) == *graceful-restart* ]]'
check "deferral 5 s: established, but the table withheld" withheld d0
check "deferral 5 s: the table goes out when it runs out, with End-of-RIB" \
    wait_until 10 eval 'route_line f "10.0.9.0/24 127.0.0.1 $AS -" &&
                        route_line b "10.0.9.0/24 127.0.0.1 $AS -" &&
                        [ "$(driver_field d0 127.0.0.2 eor)" = 1 ] &&
                        [ "$(driver_field d0 127.0.0.3 eor)" = 1 ]'
check "deferral 5 s: the speaker says why" \
    grep -q "sending the table (deferral time over)" $T/d0.log
check "deferral 5 s: a clean stop takes the route away" \
    eval 'driver_stop d0 &&
          wait_until 5 eval "routes_are f 0 && routes_are b 0"'

# --- No "complete", a long deferral: nothing until "complete".
driver d1
driver_cmd d1 + 10.0.1.0/24
driver_cmd d1 + 10.0.2.0/24
driver_cmd d1 + 2001:db8:1::/48
check "no complete: sessions up" wait_until 20 up d1
check "no complete: the table withheld for 3 s" \
    eval '! wait_until 3 eval "! withheld d1"'
driver_cmd d1 complete
check "complete: the table goes out at once, with End-of-RIB" \
    wait_until 5 eval 'route_line f "10.0.1.0/24 127.0.0.1 $AS -" &&
                       route_line f "10.0.2.0/24 127.0.0.1 $AS -" &&
                       route_line b "10.0.1.0/24 127.0.0.1 $AS -" &&
                       route_line b "10.0.2.0/24 127.0.0.1 $AS -" &&
                       [ "$(driver_field d1 127.0.0.2 eor)" = 1 ] &&
                       [ "$(driver_field d1 127.0.0.3 eor)" = 1 ]'

# --- Restart.  Every poll of the routers' tables goes to $T/polls.
: > "$T/polls"
# poll_missing: records a poll; true if either router lacks 10.0.1.0/24.
poll_missing() {
    local fr br
    fr=$(peer_routes f | grep '^10\.0\.1\.0/24 ')
    br=$(peer_routes b | grep '^10\.0\.1\.0/24 ')
    echo "f: ${fr:-MISSING} | b: ${br:-MISSING}" >> "$T/polls"
    [ -z "$fr" ] || [ -z "$br" ]
}
# poll_line NAME LINE: records a poll; true once NAME lists LINE.
poll_line() {
    poll_missing
    route_line "$1" "$2"
}

driver_kill d1
check "killed: FRR keeps the routes, marked stale" \
    wait_until 10 eval '! established f &&
        poll_line f "10.0.1.0/24 127.0.0.1 $AS - stale" &&
        route_line f "2001:db8:1::/48 2001:db8::1 $AS - stale"'
check "killed: BIRD keeps the routes" \
    eval '! established b && route_line b "10.0.1.0/24 127.0.0.1 $AS -"'
check "killed: the routes stay through 3 s of downtime" \
    eval '! wait_until 3 poll_missing'
check "killed: still stale at FRR" \
    route_line f "10.0.1.0/24 127.0.0.1 $AS - stale"

# Started again, with one route fewer.
driver d2
driver_cmd d2 + 10.0.1.0/24
driver_cmd d2 + 2001:db8:1::/48
driver_cmd d2 complete
check "restarted: the sessions come back" \
    wait_until 20 eval 'poll_missing; up d2'
check "restarted: FRR has the route again, no longer stale" \
    wait_until 10 poll_line f "10.0.1.0/24 127.0.0.1 $AS -"
check "restarted: End-of-RIB flushed the route the speaker no longer has" \
    wait_until 10 eval 'poll_missing; no_route f 10.0.2.0/24 &&
                        no_route b 10.0.2.0/24'
check "restarted: FRR and BIRD have exactly the speaker's routes" \
    eval 'poll_missing; [ "$(peer_routes f)" = "10.0.1.0/24 127.0.0.1 $AS -
2001:db8:1::/48 2001:db8::1 $AS -" ] &&
          [ "$(peer_routes b)" = "10.0.1.0/24 127.0.0.1 $AS -
2001:db8:1::/48 2001:db8::1 $AS -" ]'
note "$(wc -l < "$T/polls") polls during the restart"
check "10.0.1.0/24 was at both routers in every poll of the restart" \
    eval '[ "$(wc -l < $T/polls)" -gt 5 ] && ! grep -q MISSING $T/polls'
grep MISSING "$T/polls" | head -5 | while read -r line; do note "$line"; done

check "the driver stops cleanly (exit 0, no sanitizer report)" \
    driver_stop d2 "done"

done_testing
