#!/bin/bash
# Restarts with graceful restart on, against a real FRR: the speaker killed
# with SIGKILL, or stopped with SIGTERM, and started again: no route ever
# leaves FRR's table, and after the restart they are fresh, not stale.
# `exit --withdraw` sends a Cease with its RFC 9003 message and FRR drops
# the routes at once.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../bgp/peers.sh"
. "$(dirname "$0")/speaker.sh"

nb_start
nb_annotated_pod

router_port=$(free_port)
speaker_port=$(free_port)
peer_start frr fr local_as=65030 listen_addr=127.0.0.2 \
    listen_port="$router_port" neighbor_addr=127.0.0.1 \
    neighbor_port="$speaker_port" neighbor_as=65000 families=ipv4 gr=1

flags=(--neighbor-address=127.0.0.2 --neighbor-port="$router_port"
       --listen-port="$speaker_port" --local-address=127.0.0.1
       --neighbor-as=65030 --cluster-as=65000 --node-name=node-a
       --graceful-restart --graceful-restart-time=120s)

# fresh ROUTER PREFIX: the router has the prefix, not stale.
fresh() {
    peer_routes "$1" | grep -q -E "^$2 [^ ]+ [^ ]+ [^ ]+\$"
}
# all_fresh: both routes, fresh.
all_fresh() {
    fresh fr 10.16.0.0/16 && fresh fr 10.16.0.5/32
}
# stale ROUTER PREFIX
stale() {
    peer_routes "$1" | grep -q -E "^$2 .* stale\$"
}

speaker_start s1 "${flags[@]}"
check "routes reach FRR" wait_until 20 all_fresh

# SIGKILL: the sessions just drop.
watch fr 10.16.0.0/16 10.16.0.5/32
kill -KILL "$SPEAKER_PID"
wait "$SPEAKER_PID" 2>/dev/null
check "killed: FRR keeps the routes, marked stale" \
    wait_until 10 stale fr 10.16.0.5/32
mv "$T/s1.ctl" "$T/s1.ctl.old" 2>/dev/null
speaker_start s1 "${flags[@]}"
check "restarted: the routes are refreshed" wait_until 30 all_fresh
unwatch
check "across the kill and restart, no route ever left FRR's table" \
    never_missing 3

# SIGTERM with graceful restart: close without a Cease.
watch fr 10.16.0.0/16 10.16.0.5/32
kill -TERM "$SPEAKER_PID"
check "SIGTERM: the speaker exits" \
    wait_until 10 bash -c '! kill -0 "$0" 2>/dev/null' "$SPEAKER_PID"
check "SIGTERM: FRR keeps the routes, marked stale" \
    wait_until 10 stale fr 10.16.0.0/16
speaker_start s1 "${flags[@]}"
check "started again: the routes are refreshed" wait_until 30 all_fresh
unwatch
check "across SIGTERM and start, no route ever left FRR's table" \
    never_missing

# exit --withdraw: a Cease with a message; FRR drops the routes at once.
appctl s1 exit --withdraw
check "exit --withdraw: FRR drops the routes" \
    wait_until 10 route_count_is fr 0
# frr_reset PATTERN: FRR's record of why the session last went down.
frr_reset() {
    peer_cli fr show bgp neighbors 127.0.0.1 | grep -q -E "Last reset.*$1"
}
check "exit --withdraw: FRR got Cease/Administrative Shutdown" \
    wait_until 10 frr_reset "Cease/Administrative(ly)? Shutdown"
# frr_shutdown_message: the RFC 9003 message FRR last received.
frr_shutdown_message() {
    peer_cli fr show bgp neighbors 127.0.0.1 json \
        | grep -q '"lastShutdownDescription": *"ovn-bgp-speaker shutting down"'
}
check "exit --withdraw: with the shutdown message" \
    wait_until 5 frr_shutdown_message
done_testing
