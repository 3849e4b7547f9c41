#!/bin/bash
# Two speakers on two "nodes" (127.0.0.1 and 127.0.0.11) towards one FRR:
# cluster routes arrive from both, each with its own next hop (the router
# can balance over them, ECMP); a "local" pod's route comes only from the
# node that hosts it.  Then a wrong MD5 password never establishes.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../bgp/peers.sh"
. "$(dirname "$0")/speaker.sh"

nb_start
nb_annotated_pod
nbctl lsp-add ovn-default cache.default \
    -- lsp-set-addresses cache.default "0a:58:0a:10:00:06 10.16.0.6" \
    -- set logical_switch_port cache.default \
       external_ids:ovn.kubernetes.io/bgp=local \
       options:requested-chassis=node-b

echo secret-pw > "$T/password"
router_port=$(free_port)
port_a=$(free_port)
port_b=$(free_port)
peer_start frr fr local_as=65030 listen_addr=127.0.0.2 \
    listen_port="$router_port" neighbor_addr=127.0.0.1,127.0.0.11 \
    neighbor_port="$port_a,$port_b" neighbor_as=65000 families=ipv4 \
    md5=secret-pw

common=(--neighbor-address=127.0.0.2 --neighbor-port="$router_port"
        --neighbor-as=65030 --cluster-as=65000
        --auth-password-file="$T/password")
speaker_start a "${common[@]}" --local-address=127.0.0.1 \
    --listen-port="$port_a" --node-name=node-a
speaker_start b "${common[@]}" --local-address=127.0.0.11 \
    --listen-port="$port_b" --node-name=node-b

check "both sessions come up (with the MD5 password from a file)" \
    wait_until 30 router_state_is fr Established
check "the subnet arrives from node a" \
    wait_until 10 peer_has_route fr 10.16.0.0/16 127.0.0.1
check "and from node b: two next hops for ECMP" \
    wait_until 10 peer_has_route fr 10.16.0.0/16 127.0.0.11
# paths ROUTER PREFIX N: the router has N paths for PREFIX.
paths() {
    test "$(peer_routes "$1" | grep -c "^$2 ")" = "$3"
}
check "a cluster pod comes from both nodes" \
    wait_until 10 paths fr '10\.16\.0\.5/32' 2
check "a local pod comes from its node" \
    wait_until 10 peer_has_route fr 10.16.0.6/32 127.0.0.11
check "and only from its node" paths fr '10\.16\.0\.6/32' 1
check "the password never shows in a log or the process list" \
    bash -c '! grep -q secret-pw "$0"/a.log "$0"/b.log && ! ps -eo args | grep -v grep | grep -q secret-pw' "$T"

# The pod moves to node a.
nbctl set logical_switch_port cache.default options:requested-chassis=node-a
moved() {
    peer_has_route fr 10.16.0.6/32 127.0.0.1 \
        && ! peer_has_route fr 10.16.0.6/32 127.0.0.11
}
check "a local pod that moves is announced by its new node only" \
    wait_until 10 moved

# A speaker with the wrong password, towards a router that wants one.
echo wrong-pw > "$T/wrong"
port_c=$(free_port)
router2_port=$(free_port)
peer_start frr fr2 local_as=65030 listen_addr=127.0.0.3 \
    listen_port="$router2_port" neighbor_addr=127.0.0.12 \
    neighbor_port="$port_c" neighbor_as=65000 families=ipv4 md5=secret-pw
speaker_start c --neighbor-address=127.0.0.3 --neighbor-port="$router2_port" \
    --neighbor-as=65030 --cluster-as=65000 --auth-password-file="$T/wrong" \
    --local-address=127.0.0.12 --listen-port="$port_c" --node-name=node-c
# Bounded: both sides keep trying for 8 s, and a session a and b show is up
# all along, so the MD5 failure is not a slow start.
deadline=$(( $(date +%s) + 8 ))
ever_up=no
while [ "$(date +%s)" -lt "$deadline" ]; do
    if [ "$(peer_state fr2)" = Established ] || speaker_up c; then
        ever_up=yes
        break
    fi
    sleep 0.2
done
check "a wrong MD5 password never establishes" test "$ever_up" = no
check "the right ones stay up meanwhile" router_state_is fr Established
done_testing
