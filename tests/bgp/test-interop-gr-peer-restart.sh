#!/bin/bash
# A router with graceful restart that reboots while the session is up
# (RFC 4724 section 4.2): its new connection replaces the old session at
# once, rather than being refused as a collision until the old session's
# hold timer runs out.
#
# A reboot, unlike a router stopped on loopback, sends nothing: the
# speaker's side of the old connection stays Established.  So the router
# runs in a network namespace of its own, linked to the speaker's by a veth
# pair; the reboot takes the link away first (so that the killed router's
# FIN is lost), kills BIRD, deletes the router's namespace with its
# sockets, and builds it again with the same address.  Hold time 65535 s on
# both sides: nothing but the new connection can end the old session
# within the test.  Needs root (network namespaces).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/peers.sh"
. "$(dirname "$0")/interop.sh"

if ! can_netns; then
    skip "needs root and ip netns"
    done_testing
    exit
fi

AS=65000
SPK=obs-grr$$-s RTR=obs-grr$$-r
SPK_ADDR=192.0.2.1 RTR_ADDR=192.0.2.2
sp=$(free_port) rp=$(free_port)

# link: the veth pair between the two namespaces, addressed.
link() {
    ip link add "v$$s" netns "$SPK" type veth peer name "v$$r" netns "$RTR" &&
        ip -n "$SPK" addr add "$SPK_ADDR/24" dev "v$$s" &&
        ip -n "$RTR" addr add "$RTR_ADDR/24" dev "v$$r" &&
        ip -n "$SPK" link set "v$$s" up &&
        ip -n "$RTR" link set "v$$r" up
}
check "namespaces and their link" \
    eval 'netns_add $SPK && netns_add $RTR && link'

# The driver and BIRD, each in its namespace (the same pid: ip netns exec
# execs the program).
printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$SPK" "$DRIVER" \
    > "$T/driver-in-ns"
printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$RTR" "$BIRD" \
    > "$T/bird-in-ns"
chmod +x "$T/driver-in-ns" "$T/bird-in-ns"
DRIVER=$T/driver-in-ns BIRD=$T/bird-in-ns

# bird: BIRD with graceful restart, dialing the speaker.
bird() {
    peer_start bird b local_as=65001 router_id=$RTR_ADDR \
        listen_addr=$RTR_ADDR listen_port="$rp" neighbor_addr=$SPK_ADDR \
        neighbor_port="$sp" neighbor_as=$AS gr=1 hold=65535 families=ipv4
}
check "BIRD with graceful restart starts in its namespace" bird

driver_start d --local-as $AS --router-id 10.0.0.1 --listen-port "$sp" \
    --hold 65535 --connect-retry 1 --gr 120 \
    --peer "$RTR_ADDR,65001,port=$rp"
driver_cmd d + 10.0.1.0/24
driver_cmd d complete
check "the session comes up, graceful restart negotiated" \
    wait_until 20 eval 'established b &&
        route_line b "10.0.1.0/24 $SPK_ADDR $AS -" &&
        [[ $(driver_field d $RTR_ADDR caps) == *graceful-restart* ]]'

# The reboot.
check "the router reboots: link gone, BIRD killed, its namespace rebuilt" \
    eval 'ip -n $RTR link delete v$$r && peer_kill b &&
          ip netns delete $RTR && netns_add $RTR && link'
check "... and the speaker still believes in the old session" \
    eval '[ "$(driver_field d $RTR_ADDR state)" = Established ] &&
          [ "$(driver_field d $RTR_ADDR flaps)" = 0 ]'
check "BIRD starts again" bird
check "the new connection replaces the old session within seconds" \
    wait_until 15 eval 'established b &&
        route_line b "10.0.1.0/24 $SPK_ADDR $AS -"' ||
    note "$(grep -i -E 'collision|restarted|second connection' "$T/d.log")"
check "... counted as a flap, with the reason" \
    eval '[ "$(driver_field d $RTR_ADDR flaps)" = 1 ] &&
          grep -q "the peer restarted" "$T/d.log"'

check "the driver stops cleanly (no sanitizer report)" driver_stop d
done_testing
