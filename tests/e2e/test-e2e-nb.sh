#!/bin/bash
# The NB database going away, against a real BIRD: the standalone server
# stopped and started again, then a 3-member cluster whose member the
# speaker uses is killed.  Nothing is withdrawn at the router meanwhile,
# and later changes still arrive.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../bgp/peers.sh"
. "$(dirname "$0")/speaker.sh"

nb_connected() {
    appctl "$1" nb/status | grep -q '^connected: yes'
}
nb_disconnected() {
    appctl "$1" nb/status | grep -q '^connected: no'
}

# --- A standalone NB server, stopped and started. ---------------------
nb_start
nbctl ls-add ovn-default -- set logical_switch ovn-default \
    other_config:subnet=10.16.0.0/16 external_ids:ovn.kubernetes.io/bgp=true

router_port=$(free_port)
speaker_port=$(free_port)
peer_start bird up local_as=65030 listen_addr=127.0.0.2 \
    listen_port="$router_port" neighbor_addr=127.0.0.1 \
    neighbor_port="$speaker_port" neighbor_as=65000 families=ipv4
speaker_start s1 --neighbor-address=127.0.0.2 --neighbor-port="$router_port" \
    --listen-port="$speaker_port" --local-address=127.0.0.1 \
    --neighbor-as=65030 --cluster-as=65000 --ebgp-multihop=255
check "the subnet reaches the router" \
    wait_until 20 peer_has_route up 10.16.0.0/16

watch up 10.16.0.0/16
nb_stop
check "NB server stopped: the speaker notices" wait_until 10 nb_disconnected s1
nb_start
check "NB server back: the speaker reconnects" wait_until 20 nb_connected s1
nbctl lsp-add ovn-default web.default \
    -- lsp-set-addresses web.default "0a:58:0a:10:00:05 10.16.0.5" \
    -- set logical_switch_port web.default \
       external_ids:ovn.kubernetes.io/bgp=true
check "a change made after the restart arrives" \
    wait_until 10 peer_has_route up 10.16.0.5/32
unwatch
check "the subnet route never left the router" never_missing
appctl s1 exit
wait_until 10 bash -c '! kill -0 "$0" 2>/dev/null' "$SPEAKER_PID"

# --- A 3-member clustered NB; the member the speaker uses is killed. ----
raft=() client=() remotes=
for i in 1 2 3; do
    raft[$i]=$(free_port)
    client[$i]=$(free_port)
    remotes="$remotes${remotes:+,}tcp:127.0.0.1:${client[$i]}"
done
ovsdb-tool create-cluster "$T/c1.db" "$NB_SCHEMA" "tcp:127.0.0.1:${raft[1]}" \
    2> "$T/create-cluster.log"
for i in 2 3; do
    ovsdb-tool join-cluster "$T/c$i.db" OVN_Northbound \
        "tcp:127.0.0.1:${raft[$i]}" "tcp:127.0.0.1:${raft[1]}"
done
declare -A member_pid
for i in 1 2 3; do
    spawn "ovsdb-c$i" ovsdb-server "$T/c$i.db" \
        --remote="ptcp:${client[$i]}:127.0.0.1" \
        --unixctl="$T/c$i.ctl" --no-chdir --log-file="$T/c$i.vlog" \
        -vconsole:off
    member_pid[$i]=$SPAWNED
done
cluster_up() {
    for i in 1 2 3; do
        ovs-appctl -t "$T/c$i.ctl" cluster/status OVN_Northbound 2>/dev/null \
            | grep -q '^Status: cluster member' || return 1
    done
    ovn-nbctl --db="$remotes" --no-leader-only --timeout=5 show > /dev/null
}
check "the NB cluster forms" wait_until 60 cluster_up
cnbctl() {
    ovn-nbctl --db="$remotes" --no-leader-only --timeout=20 "$@"
}
cnbctl ls-add sub -- set logical_switch sub \
    other_config:subnet=10.30.0.0/16 external_ids:ovn.kubernetes.io/bgp=true
NB_DB=$remotes
speaker_start s2 --neighbor-address=127.0.0.2 --neighbor-port="$router_port" \
    --listen-port="$speaker_port" --local-address=127.0.0.1 \
    --neighbor-as=65030 --cluster-as=65000 --ebgp-multihop=255
check "routes from the clustered NB reach the router" \
    wait_until 20 peer_has_route up 10.30.0.0/16

# Which member does the speaker use?  Its one TCP connection to a client
# port says.
used_member() {
    local i
    for i in 1 2 3; do
        if ss -tnp state established "( dport = :${client[$i]} )" 2>/dev/null \
                | grep -q "pid=$SPEAKER_PID,"; then
            echo "$i"
            return 0
        fi
    done
    return 1
}
used=$(used_member)
check "the speaker is connected to one member" test -n "$used"
watch up 10.30.0.0/16
kill -KILL "${member_pid[$used]}"
moved() {
    local now
    now=$(used_member) && [ "$now" != "$used" ]
}
check "member $used killed: the speaker moves to another member" \
    wait_until 30 moved
# ovn-nbctl gives up on a remote it cannot reach: from now on, name only
# the living members.  (Without leader-only, a follower forwards the write
# to the leader.)
remotes=
for i in 1 2 3; do
    [ "$i" = "$used" ] || remotes="$remotes${remotes:+,}tcp:127.0.0.1:${client[$i]}"
done
cnbctl lsp-add sub pod.sub -- lsp-set-addresses pod.sub \
    "0a:58:0a:1e:00:05 10.30.0.5" -- set logical_switch_port pod.sub \
    external_ids:ovn.kubernetes.io/bgp=true
check "a later change arrives through the new member" \
    wait_until 20 peer_has_route up 10.30.0.5/32
unwatch
check "nothing was withdrawn while the speaker moved" never_missing
done_testing
