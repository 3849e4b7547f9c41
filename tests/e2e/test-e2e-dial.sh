#!/bin/bash
# When the speaker dials, against real BIRDs, with the NB unreachable at
# start.  Without graceful restart it dials no router until the first NB
# snapshot is in or the deferral time is over, so that a session carries
# the whole table from the start; a router that dials it still gets its
# session at once (the table held).  With graceful restart it dials at
# once (RFC 4724) and holds only the table.
#
# "Not before" is read from the speaker's log, whose lines are in the
# order things happened: the engine's state changes are logged (bgp at
# debug level), so no connection to a router can go unnoticed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../bgp/peers.sh"
. "$(dirname "$0")/speaker.sh"

# The NB: filled on a socket of its own, and reachable at $LATE only once
# ovsdb-server is told to listen there too.
nb_start fill
nb_annotated_pod
LATE=$T/late.sock

# line NAME REGEX: the number of the first line of $T/NAME.log matching,
# or 0.
line() {
    local n
    n=$(grep -n -E -m1 -- "$2" "$T/$1.log" | cut -d: -f1)
    echo "${n:-0}"
}
# in_order NAME REGEX...: each REGEX first matches a line of the log,
# after the one before it.
in_order() {
    local name=$1 prev=0 n
    shift
    for re in "$@"; do
        n=$(line "$name" "$re")
        if [ "$n" = 0 ] || [ "$n" -le "$prev" ]; then
            note "$name.log: \"$re\" at line $n, after line $prev"
            return 1
        fi
        prev=$n
    done
}
# second_change_is NAME PEER TEXT: the peer's second state change in the
# log (the first is its start) has TEXT.
second_change_is() {
    grep -E "peer ${2//./\\.}: [A-Za-z]+ -> " "$T/$1.log" | sed -n 2p |
        grep -q -F -- "$3"
}
# logged NAME REGEX
logged() {
    grep -q -E -- "$2" "$T/$1.log"
}
# neighbors_say NAME REGEX: bgp/neighbors output has a line matching.
neighbors_say() {
    appctl "$1" bgp/neighbors | grep -q -E -- "$2"
}

# speaker NAME ROUTER_ADDR ROUTER_PORT FLAGS...: a speaker on 127.0.0.1
# towards one router, its bgp log at debug level.
speaker() {
    local name=$1 addr=$2 port=$3
    shift 3
    speaker_start "$name" --neighbor-address="$addr" \
        --neighbor-port="$port" --listen-port="$(free_port)" \
        --local-address=127.0.0.1 --neighbor-as=65030 --cluster-as=65000 \
        --ebgp-multihop=255 -vbgp:console:dbg "$@"
}

NB_DB=unix:$LATE

# --- No graceful restart, a 2 s deferral, a router that only listens. ---
pa=$(free_port)
peer_start bird a local_as=65030 listen_addr=127.0.0.2 listen_port="$pa" \
    neighbor_addr=127.0.0.1 neighbor_as=65000 families=ipv4
speaker s1 127.0.0.2 "$pa" --graceful-restart-deferral-time=2s
check "deferral 2 s: the session comes up once it is over" \
    wait_until 20 router_state_is a Established
check "deferral 2 s: with an empty table and End-of-RIB" \
    wait_until 10 eval 'logged s1 "peer 127.0.0.2: initial table sent \(0 prefixes\), End-of-RIB" &&
                        route_count_is a 0'
check "deferral 2 s: no connection before the deferral time was over" \
    in_order s1 "peer 127.0.0.2: Idle -> Active \(start\)" \
        "waiting for the first NB snapshot before dialing" \
        "route set still incomplete after the deferral time" \
        "peer 127.0.0.2: Active -> Connect \(deferral time over\)" \
        "peer 127.0.0.2: dialing now \(deferral time over\)" \
        "peer 127.0.0.2: .* -> OpenSent" \
        "peer 127.0.0.2: .* -> Established" \
        "peer 127.0.0.2: initial table sent \(0 prefixes\)"
check "deferral 2 s: the first state change after start was the dial" \
    second_change_is s1 127.0.0.2 "Active -> Connect (deferral time over)"

# --- No graceful restart, the default deferral (360 s). ----------------
pb=$(free_port)
peer_start bird b local_as=65030 listen_addr=127.0.0.3 listen_port="$pb" \
    neighbor_addr=127.0.0.1 neighbor_as=65000 families=ipv4
speaker s2 127.0.0.3 "$pb"
check "NB unreachable: bgp/neighbors says the speaker waits to dial" \
    wait_until 10 neighbors_say s2 \
        "state: Active for .* \(waiting for the first NB snapshot before dialing"
check "NB unreachable: the speaker says so in its log" \
    logged s2 "waiting for the first NB snapshot before dialing"

# A router that dials the speaker gets its session now; the table waits.
pd=$(free_port)
sd=$(free_port)
peer_start bird d local_as=65030 listen_addr=127.0.0.4 listen_port="$pd" \
    neighbor_addr=127.0.0.1 neighbor_port="$sd" neighbor_as=65000 \
    families=ipv4
speaker_start s4 --neighbor-address=127.0.0.4 --neighbor-port="$pd" \
    --listen-port="$sd" --local-address=127.0.0.1 --neighbor-as=65030 \
    --cluster-as=65000 --ebgp-multihop=255
check "a router that dials gets its session at once, NB unreachable" \
    wait_until 20 router_state_is d Established
check "its table held: nothing sent, no End-of-RIB" \
    eval 'neighbors_say s4 "table held until the first NB snapshot" &&
          route_count_is d 0'

# --- Graceful restart: dials at once, holds the table. ------------------
pc=$(free_port)
peer_start bird c local_as=65030 listen_addr=127.0.0.5 listen_port="$pc" \
    neighbor_addr=127.0.0.1 neighbor_as=65000 families=ipv4 gr=1
speaker s3 127.0.0.5 "$pc" --graceful-restart
check "graceful restart: the speaker dials at once, NB unreachable" \
    wait_until 20 router_state_is c Established
check "graceful restart: the table held" \
    eval 'neighbors_say s3 "table held until the first NB snapshot" &&
          route_count_is c 0 && logged s3 "holding the table until"'
check "graceful restart: it never waited to dial" \
    eval '! logged s3 "before dialing" &&
          in_order s3 "peer 127.0.0.5: Idle -> Connect \(start\)"'

# The router that only listens was never dialed meanwhile: s2 (360 s
# deferral) is still waiting, with no connection in its log.
check "NB unreachable: still no connection to a router that only listens" \
    eval 'neighbors_say s2 "waiting for the first NB snapshot before dialing" &&
          ! logged s2 "peer 127.0.0.3: .* -> (Connect|OpenSent)" &&
          ! router_state_is b Established'

# --- The NB becomes reachable. -----------------------------------------
ovs-appctl -t "$T/ovsdb-fill.ctl" ovsdb-server/add-remote "punix:$LATE"
check "NB reachable: the speaker dials, and the session comes up" \
    wait_until 30 router_state_is b Established
check "with the full table at once" \
    wait_until 10 eval 'route_count_is b 2 &&
        logged s2 "peer 127.0.0.3: initial table sent \(2 prefixes\), End-of-RIB"'
check "no connection before the snapshot; dialed at once after it" \
    in_order s2 "peer 127.0.0.3: Idle -> Active \(start\)" \
        "first NB snapshot in: 2 routes" \
        "peer 127.0.0.3: Active -> Connect \(route set complete\)" \
        "peer 127.0.0.3: dialing now \(route set complete\)" \
        "peer 127.0.0.3: .* -> OpenSent" \
        "peer 127.0.0.3: .* -> Established"
check "the first state change after start was the dial" \
    second_change_is s2 127.0.0.3 "Active -> Connect (route set complete)"
check "the held tables go out: to the router that dialed" \
    wait_until 10 route_count_is d 2
check "and with graceful restart" wait_until 10 route_count_is c 2
check "after the deferral's empty table, the routes follow as changes" \
    wait_until 10 route_count_is a 2
check "the session that carried the empty table never went down" \
    neighbors_say s1 "state: Established for .*, 0 flaps"
done_testing
