#!/bin/bash
# The hold timer (issue 3): the BGP engine with --hold 3 against FRR and
# BIRD.  A router frozen (SIGSTOP) sends no more KEEPALIVEs: the speaker's
# session with it leaves Established within a few seconds, with a hold
# timer error, while the other session stays up; thawed, it comes back.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/peers.sh"
. "$(dirname "$0")/interop.sh"

# A frozen router must be thawed, however the test ends, or it would not
# stop.
frozen=
thaw() {
    [ -z "$frozen" ] || kill -CONT "$frozen" 2> /dev/null
}
trap 'thaw; _peer_cleanup; _cleanup' EXIT

AS=65000
pf=$(free_port) pb=$(free_port)
declare -A pid
check "FRR starts" \
    peer_start frr f local_as=65001 listen_addr=127.0.0.2 listen_port=$pf \
        neighbor_addr=127.0.0.1 neighbor_as=$AS
pid[f]=$PEER_PID
check "BIRD starts" \
    peer_start bird b local_as=65002 listen_addr=127.0.0.3 listen_port=$pb \
        neighbor_addr=127.0.0.1 neighbor_as=$AS
pid[b]=$PEER_PID

driver_start d --local-as $AS --router-id 10.0.0.1 \
    --local-address 127.0.0.1 --connect-retry 1 --hold 3 \
    --peer 127.0.0.2,65001,port=$pf --peer 127.0.0.3,65002,port=$pb
driver_cmd d + 10.0.1.0/24
driver_cmd d complete

up() {
    established "$1" && driver_state_is d "$2" Established
}
check "both sessions established, hold time 3 s negotiated" \
    wait_until 20 eval 'up f 127.0.0.2 && up b 127.0.0.3 &&
                        [ "$(driver_field d 127.0.0.2 hold)" = 3 ] &&
                        [ "$(driver_field d 127.0.0.3 hold)" = 3 ]'

# down_for_hold PEER: the speaker's session with PEER is down, for its
# hold timer.
down_for_hold() {
    ! driver_state_is d "$1" Established &&
        [[ $(driver_field d "$1" error) == *"Hold Timer Expired"* ]]
}

# flaps_are PEER N
flaps_are() {
    [ "$(driver_field d "$1" flaps)" = "$2" ]
}

# freeze NAME PEER OTHER-NAME OTHER-PEER: freezes router NAME (the
# speaker's PEER) while OTHER-NAME runs on, then thaws it.
freeze() {
    local name=$1 peer=$2 other=$3 other_peer=$4 flaps other_flaps
    flaps=$(driver_field d "$peer" flaps)
    other_flaps=$(driver_field d "$other_peer" flaps)
    frozen=${pid[$name]}
    kill -STOP "$frozen"
    check "$name frozen: the speaker's session goes down within 8 s" \
        wait_until 8 down_for_hold "$peer"
    note "error=\"$(driver_field d "$peer" error)\""
    check "$name frozen: one flap" flaps_are "$peer" $((flaps + 1))
    check "$name frozen: the other session stays up" \
        eval "up $other $other_peer && flaps_are $other_peer $other_flaps"
    kill -CONT "$frozen"
    frozen=
    check "$name thawed: the session comes back, with the route" \
        wait_until 20 eval "up $name $peer &&
                            route_line $name '10.0.1.0/24 127.0.0.1 $AS -'"
}
freeze f 127.0.0.2 b 127.0.0.3
freeze b 127.0.0.3 f 127.0.0.2

check "the driver stops cleanly (exit 0, no sanitizer report)" \
    driver_stop d "done"

done_testing
