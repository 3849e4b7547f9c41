#!/bin/bash
# The user guide, step by step, against a real BIRD 2: annotate a pod and a
# subnet and see the routes at the router with the speaker as next hop;
# remove the annotations and see them withdrawn; a service with
# --announce-cluster-ip; the control commands and metrics along the way;
# `exit --withdraw` drops the routes at once.  (That the Cease carries its
# RFC 9003 message is checked against FRR, in test-e2e-restart.sh.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../bgp/peers.sh"
. "$(dirname "$0")/speaker.sh"

nb_start
nbctl ls-add ovn-default -- set logical_switch ovn-default \
    other_config:subnet=10.16.0.0/16
nbctl lsp-add ovn-default web.default \
    -- lsp-set-addresses web.default "0a:58:0a:10:00:05 10.16.0.5"
nbctl lb-add svc 10.96.0.10:443 10.16.0.5:8443 tcp

router_port=$(free_port)
speaker_port=$(free_port)
metrics_port=$(free_port)
peer_start bird up local_as=65030 listen_addr=127.0.0.2 \
    listen_port="$router_port" neighbor_addr=127.0.0.1 \
    neighbor_port="$speaker_port" neighbor_as=4200000001 families=ipv4

speaker_start s1 --neighbor-address=127.0.0.2 --neighbor-port="$router_port" \
    --listen-port="$speaker_port" --local-address=127.0.0.1 \
    --neighbor-as=65030 --cluster-as=4200000001 --node-name=node-a \
    --announce-cluster-ip --ebgp-multihop=255 \
    --metrics-address=127.0.0.1:"$metrics_port"

check "session comes up (router side)" \
    wait_until 20 router_state_is up Established
check "session comes up (speaker side)" wait_until 10 speaker_up s1
check "nothing is announced before any annotation" \
    test "$(peer_received_count up)" = 0

# kubectl annotate subnet ovn-default ovn.kubernetes.io/bgp=true
nbctl set logical_switch ovn-default external_ids:ovn.kubernetes.io/bgp=true
check "annotated subnet reaches the router, next hop the speaker" \
    wait_until 10 peer_has_route up 10.16.0.0/16 127.0.0.1
check "with AS_PATH [cluster AS]" \
    has_line <(peer_routes up) '10\.16\.0\.0/16 127\.0\.0\.1 4200000001 -'

# kubectl annotate pod web ovn.kubernetes.io/bgp=true
nbctl set logical_switch_port web.default \
    external_ids:ovn.kubernetes.io/bgp=true
check "annotated pod reaches the router as a /32" \
    wait_until 10 peer_has_route up 10.16.0.5/32 127.0.0.1

nbctl set load_balancer svc external_ids:ovn.kubernetes.io/bgp=true
check "service VIP reaches the router (--announce-cluster-ip)" \
    wait_until 10 peer_has_route up 10.96.0.10/32 127.0.0.1

check "bgp/routes lists every prefix with its rows" \
    bash -c 'out=$(ovs-appctl -t "$0" bgp/routes) &&
             grep -qx "10.16.0.0/16 subnet:ovn-default" <<< "$out" &&
             grep -qx "10.16.0.5/32 pod:web.default" <<< "$out" &&
             grep -qx "10.96.0.10/32 service:svc" <<< "$out"' "$T/s1.ctl"
check "bgp/neighbors shows the session and 3 prefixes sent" \
    bash -c 'out=$(ovs-appctl -t "$0" bgp/neighbors) &&
             grep -q "neighbor 127.0.0.2, AS 65030" <<< "$out" &&
             grep -q "state: Established" <<< "$out" &&
             grep -q "prefixes: 3 sent" <<< "$out"' "$T/s1.ctl"
check "nb/status shows the NB connection" \
    bash -c 'out=$(ovs-appctl -t "$0" nb/status) &&
             grep -q "^connected: yes" <<< "$out" &&
             grep -q "^routes: 3 (1 subnet, 1 pod, 1 service)" <<< "$out"' \
    "$T/s1.ctl"

metrics=$(curl -sf "http://127.0.0.1:$metrics_port/metrics")
check "/metrics: peer up, under both names" \
    bash -c 'grep -q "^ovn_bgp_speaker_peer_up{peer=\"127.0.0.2\",peer_as=\"65030\"} 1$" <<< "$0" &&
             grep -q "^kube_ovn_speaker_bgp_peer_up{peer=\"127.0.0.2\",peer_as=\"65030\"} 1$" <<< "$0"' "$metrics"
check "/metrics: routes by kind" \
    bash -c 'grep -q "^ovn_bgp_speaker_routes{kind=\"pod\"} 1$" <<< "$0" &&
             grep -q "^ovn_bgp_speaker_nb_connected 1$" <<< "$0"' "$metrics"
check "/readyz is ready" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$metrics_port/readyz")" = 200
check "/healthz is ok" \
    test "$(curl -s "http://127.0.0.1:$metrics_port/healthz")" = ok
check "the metrics endpoint changes nothing: POST is refused" \
    test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$metrics_port/metrics")" = 405

# kubectl annotate pod web ovn.kubernetes.io/bgp-
nbctl remove logical_switch_port web.default external_ids \
    ovn.kubernetes.io/bgp
check "pod annotation removed: its route is withdrawn" \
    wait_until 10 lacks_route up 10.16.0.5/32
check "the subnet route stays" peer_has_route up 10.16.0.0/16
nbctl remove logical_switch ovn-default external_ids ovn.kubernetes.io/bgp
check "subnet annotation removed: withdrawn" \
    wait_until 10 lacks_route up 10.16.0.0/16

appctl s1 exit --withdraw
check "exit --withdraw: the speaker exits" \
    wait_until 10 bash -c '! kill -0 "$0" 2>/dev/null' "$SPEAKER_PID"
check "exit --withdraw: the router drops the routes at once" \
    wait_until 5 route_count_is up 0
# has_cease ROUTER: BIRD's protocol status shows the Cease and its
# RFC 9003 message.
has_cease() {
    peer_cli "$1" show protocols all | grep -q \
        "Received: Administrative shutdown.*ovn-bgp-speaker shutting down"
}
done_testing
