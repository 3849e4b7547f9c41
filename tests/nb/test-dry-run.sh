#!/bin/bash
# The NB watcher against a real ovsdb-server, driven by ovn-nbctl, seen
# through --dry-run: every annotation rule of the README's mapping table,
# bad values, and the NB server going away and coming back.
. "$(dirname "$0")/../lib.sh"

nb_start
OUT=$T/speaker.out

# expect LINE-REGEX: the speaker printed a whole line matching, within 10 s.
expect() {
    wait_until 10 has_line "$OUT" "$1"
}
# expect_count N LINE-REGEX: it printed N such lines, within 10 s.
expect_count() {
    wait_until 10 count_is "$1" "$2"
}
count_is() {
    test "$(count_lines "$OUT" "$2")" = "$1"
}
# count_is_at_least N FILE LINE-REGEX
count_is_at_least() {
    test "$(count_lines "$2" "$3")" -ge "$1"
}
# absent LINE-REGEX: it printed no such line (call after a marker).
absent() {
    ! has_line "$OUT" "$1"
}
# marker N: a change that prints "+ 10.254.0.N/32"; once it is out, every
# earlier transaction has been handled.
marker() {
    nbctl lsp-add markers "marker-$1" \
        -- lsp-set-addresses "marker-$1" "02:00:00:00:01:$(printf %02x "$1") 10.254.0.$1" \
        -- set logical_switch_port "marker-$1" \
           external_ids:ovn.kubernetes.io/bgp=true
    expect "\+ 10\.254\.0\.$1/32 pod:marker-$1"
}
# port SWITCH NAME ADDRESSES [ANNOTATION]
port() {
    nbctl lsp-add "$1" "$2" -- lsp-set-addresses "$2" "$3"
    if [ -n "${4:-}" ]; then
        nbctl set logical_switch_port "$2" \
            external_ids:ovn.kubernetes.io/bgp="$4"
    fi
}

# The database the speaker finds when it starts: one annotated subnet with
# a pod, and a switch for the markers.
nbctl ls-add markers
nbctl ls-add ovn-default -- set logical_switch ovn-default \
    other_config:subnet=10.16.0.0/16 external_ids:ovn.kubernetes.io/bgp=true
port ovn-default web.default "0a:00:00:00:00:01 10.16.0.5" true

dry_run_start speaker --node-name=node-a --announce-cluster-ip
SPEAKER_PID=$SPAWNED

check "initial route set: subnet from other_config:subnet" \
    expect '\+ 10\.16\.0\.0/16 subnet:ovn-default'
check "initial route set: annotated pod as /32" \
    expect '\+ 10\.16\.0\.5/32 pod:web\.default'
check "initial route set has exactly two prefixes" \
    test "$(grep -c . "$OUT")" = 2

# Pods.
port ovn-default db.default "0a:00:00:00:00:02 10.16.0.6 fd00:10:16::6" \
    cluster
check "pod annotated cluster: dual stack /32 and /128" \
    expect '\+ fd00:10:16::6/128 pod:db\.default'
check "pod annotated cluster: its IPv4 too" \
    expect '\+ 10\.16\.0\.6/32 pod:db\.default'
nbctl remove logical_switch_port db.default external_ids \
    ovn.kubernetes.io/bgp
check "annotation removed: pod withdrawn" \
    expect '- 10\.16\.0\.6/32 pod:db\.default'
check "annotation removed: its IPv6 withdrawn too" \
    expect '- fd00:10:16::6/128 pod:db\.default'

port ovn-default dyn.default "0a:00:00:00:00:03 dynamic" true
nbctl set logical_switch_port dyn.default \
    dynamic_addresses='"0a:00:00:00:00:03 10.16.0.7"'
check "dynamic addresses are read from dynamic_addresses" \
    expect '\+ 10\.16\.0\.7/32 pod:dyn\.default'

port ovn-default rtr.default router true
port ovn-default unk.default unknown true
nbctl set logical_switch_port web.default enabled=false
check "enabled=false withdraws the pod" \
    expect '- 10\.16\.0\.5/32 pod:web\.default'
nbctl set logical_switch_port web.default enabled=true
check "enabled=true announces it again" \
    expect_count 2 '\+ 10\.16\.0\.5/32 pod:web\.default'
marker 1
check "router and unknown ports announce nothing" \
    absent '.* pod:(rtr|unk)\.default'

# Subnets.
nbctl ls-add dual -- set logical_switch dual \
    external_ids:ovn.kubernetes.io/bgp=true \
    external_ids:ovn.kubernetes.io/cidr='"10.17.0.0/16,fd00:10:17::/64"' \
    other_config:subnet=10.99.0.0/16
check "subnet cidr annotation wins over other_config (IPv4)" \
    expect '\+ 10\.17\.0\.0/16 subnet:dual'
check "subnet cidr annotation: dual stack (IPv6)" \
    expect '\+ fd00:10:17::/64 subnet:dual'
nbctl ls-add v6only -- set logical_switch v6only \
    external_ids:ovn.kubernetes.io/bgp=cluster \
    other_config:ipv6_prefix='"fd00:10:18::"'
check "subnet from other_config:ipv6_prefix is a /64" \
    expect '\+ fd00:10:18::/64 subnet:v6only'
nbctl ls-add natted -- set logical_switch natted \
    external_ids:ovn.kubernetes.io/bgp=true \
    external_ids:ovn.kubernetes.io/nat_outgoing=true \
    other_config:subnet=10.19.0.0/16
check "natOutgoing subnet is announced, and marked" \
    expect '\+ 10\.19\.0\.0/16 subnet:natted\(nat-outgoing\)'
check "natOutgoing subnet gets a warning" \
    wait_until 10 grep -q 'subnet natted is announced, but has external_ids:ovn.kubernetes.io/nat_outgoing=true' "$T/speaker.log"

# "local": the subnet's CIDR is not announced; its unannotated ports are,
# by the node that hosts them only.
nbctl ls-add loc -- set logical_switch loc \
    external_ids:ovn.kubernetes.io/bgp=local other_config:subnet=10.20.0.0/16
port loc here.default "0a:00:00:00:01:01 10.20.0.5"
nbctl set logical_switch_port here.default \
    options:requested-chassis=node-a
port loc there.default "0a:00:00:00:01:02 10.20.0.6"
nbctl set logical_switch_port there.default \
    options:requested-chassis=node-b
port loc optout.default "0a:00:00:00:01:03 10.20.0.7" false
nbctl set logical_switch_port optout.default \
    options:requested-chassis=node-a
check "local: a pod on this node is announced" \
    expect '\+ 10\.20\.0\.5/32 pod:here\.default'
marker 2
check "local: the subnet's CIDR is not announced" \
    absent '.* 10\.20\.0\.0/16 .*'
check "local: a pod on another node is not announced" \
    absent '.* pod:there\.default'
check "local: a pod annotated false opts out" \
    absent '.* pod:optout\.default'
nbctl set logical_switch_port there.default \
    options:requested-chassis=node-b,node-a
check "local: requested-chassis list with this node" \
    expect '\+ 10\.20\.0\.6/32 pod:there\.default'
nbctl remove logical_switch loc external_ids ovn.kubernetes.io/bgp
check "subnet loses local: inheriting pods are withdrawn" \
    expect '- 10\.20\.0\.5/32 pod:here\.default'
nbctl set logical_switch loc external_ids:ovn.kubernetes.io/bgp=local
check "subnet gets local again: inheriting pods come back" \
    expect_count 2 '\+ 10\.20\.0\.5/32 pod:here\.default'

# Services.
nbctl lb-add svc1 10.96.0.10:443 10.16.0.5:8443 tcp
nbctl lb-add svc1 '[fd00:96::10]:443' '[fd00:10:16::6]:8443' tcp
nbctl set load_balancer svc1 external_ids:ovn.kubernetes.io/bgp=true
check "service VIP IP:PORT as /32" \
    expect '\+ 10\.96\.0\.10/32 service:svc1'
check "service VIP [IPv6]:PORT as /128" \
    expect '\+ fd00:96::10/128 service:svc1'
nbctl lb-add svc2 10.96.0.10:80 10.16.0.5:8080 tcp
nbctl set load_balancer svc2 external_ids:ovn.kubernetes.io/bgp=true
nbctl lb-del svc1
check "a VIP two services give stays while one still does" \
    expect '- fd00:96::10/128 service:svc1'
marker 3
check "the shared VIP was not withdrawn" \
    absent '- 10\.96\.0\.10/32 .*'
nbctl lb-del svc2
check "the shared VIP goes with the last service" \
    expect '- 10\.96\.0\.10/32 service:svc2'

# Bad values: the row is skipped with a warning; the rest goes on.
port ovn-default badip.default "0a:00:00:00:02:01 10.16.0.999" true
check "unparsable IP: warning names the row and the value" \
    wait_until 10 grep -q 'logical switch port badip.default: bad value "10.16.0.999"' "$T/speaker.log"
nbctl ls-add hostbits -- set logical_switch hostbits \
    external_ids:ovn.kubernetes.io/bgp=true \
    external_ids:ovn.kubernetes.io/cidr='"10.21.0.1/16"'
check "CIDR with host bits: warning" \
    wait_until 10 grep -q 'logical switch hostbits: bad value "10.21.0.1/16" in external_ids:ovn.kubernetes.io/cidr: host bits set' "$T/speaker.log"
port ovn-default word.default "0a:00:00:00:02:02 10.16.0.8" yes
check "unknown policy word: warning" \
    wait_until 10 grep -q 'logical switch port word.default: unknown value "yes"' "$T/speaker.log"
port ovn-default noip.default "0a:00:00:00:02:03" true
check "port with no IP: warning" \
    wait_until 10 grep -q 'logical switch port noip.default: announced, but has no IP address' "$T/speaker.log"

# Special-purpose space is never announced, from any row: a default route,
# a link-local subnet, loopback, link-local and multicast pod IPs; a
# multicast VIP is left out of its load balancer, whose other VIPs stay.
nbctl ls-add dflt -- set logical_switch dflt \
    external_ids:ovn.kubernetes.io/bgp=true \
    external_ids:ovn.kubernetes.io/cidr='"0.0.0.0/0"'
check "default route: refused, the warning says why" \
    wait_until 10 grep -q 'logical switch dflt: bad value "0.0.0.0/0" in external_ids:ovn.kubernetes.io/cidr: default route (never announced)' "$T/speaker.log"
nbctl ls-add ll6 -- set logical_switch ll6 \
    external_ids:ovn.kubernetes.io/bgp=true \
    other_config:ipv6_prefix='"fe80::"'
check "link-local ipv6_prefix: refused" \
    wait_until 10 grep -q 'logical switch ll6: bad value "fe80::" in other_config:ipv6_prefix: link-local address (fe80::/10, RFC 6890: never announced)' "$T/speaker.log"
nbctl lb-add mcast 224.0.0.5:80 10.16.0.5:80 tcp \
    -- lb-add mcast 10.96.7.7:80 10.16.0.5:80 tcp \
    -- set load_balancer mcast external_ids:ovn.kubernetes.io/bgp=true
check "multicast VIP: left out, the warning says why" \
    wait_until 10 grep -q 'load balancer mcast: VIP "224.0.0.5:80" not announced: multicast address (224.0.0.0/4' "$T/speaker.log"
check "... and the load balancer's other VIP is announced" \
    expect '\+ 10\.96\.7\.7/32 service:mcast'

# (Each warning spends one of the rate limit's burst of 20: few rows here,
# every address in the unit tests.)
nbctl ls-add special
i=0
for ip in 127.0.0.5 169.254.1.1 fe80::1 ff02::1; do
    i=$((i + 1))
    port special "sp$i.default" "0a:00:00:00:04:0$i 10.16.4.$i $ip" true
done
check "loopback pod IP beside a good one: refused, the warning says why" \
    wait_until 10 grep -q 'logical switch port sp1.default: bad value "127.0.0.5" in addresses: loopback address (127.0.0.0/8, RFC 6890: never announced)' "$T/speaker.log"
check "IPv6 multicast pod IP: refused" \
    wait_until 10 grep -q 'logical switch port sp4.default: bad value "ff02::1" in addresses: multicast address (ff00::/8' "$T/speaker.log"
marker 4
check "skipped rows announce nothing" \
    absent '.* (pod:(badip|word|noip|sp[0-9])\.default|subnet:(hostbits|dflt|ll6))'
check "the multicast VIP is not" absent '. 224\.0\.0\.5/32 .*'
nbctl set logical_switch_port word.default \
    external_ids:ovn.kubernetes.io/bgp=true
check "a fixed row is announced" \
    expect '\+ 10\.16\.0\.8/32 pod:word\.default'
check "the speaker is still running after bad input" \
    kill -0 "$SPEAKER_PID"

# Two rows giving one prefix: a pod IP that is also a service VIP.
port ovn-default twin.default "0a:00:00:00:03:01 10.16.0.50" true
nbctl lb-add twin 10.16.0.50 10.16.0.5 -- set load_balancer twin \
    external_ids:ovn.kubernetes.io/bgp=true
expect '\+ 10\.16\.0\.50/32 pod:twin\.default'
nbctl lsp-del twin.default
marker 5
check "prefix from a pod and a service survives the pod" \
    absent '- 10\.16\.0\.50/32 .*'
nbctl lb-del twin
check "and goes with the service" \
    expect '- 10\.16\.0\.50/32 service:twin'

# The NB server goes away: nothing is withdrawn.  While it is away the
# database changes; when it is back, exactly the difference is applied.
lines_before=$(grep -c . "$OUT")
nb_stop
check "NB server stopped: the speaker notices" \
    wait_until 10 grep -q 'connection lost; keeping' "$T/speaker.log"
ovsdb-tool transact "$T/nb.db" '["OVN_Northbound",
  {"op": "mutate", "table": "Logical_Switch_Port",
   "where": [["name", "==", "dyn.default"]],
   "mutations": [["external_ids", "delete",
                  ["set", ["ovn.kubernetes.io/bgp"]]]]}]' > /dev/null
check "nothing is printed while the server is away" \
    test "$(grep -c . "$OUT")" = "$lines_before"
nb_start
check "NB server back: the change made meanwhile arrives" \
    expect '- 10\.16\.0\.7/32 pod:dyn\.default'
marker 6
check "NB server back: nothing else changed" \
    test "$(grep -c . "$OUT")" = "$((lines_before + 2))"

# A host name in a tcp: remote goes through the system's resolver:
# "localhost" is in /etc/hosts, and reaches the server on 127.0.0.1.
tcp_port=$(free_port)
ovs-appctl -t "$T/ovsdb-nb.ctl" ovsdb-server/add-remote \
    "ptcp:$tcp_port:127.0.0.1"
NB_DB=tcp:localhost:$tcp_port dry_run_start byname --node-name=node-a
check "tcp:localhost:PORT: the host name is resolved and the routes come" \
    wait_until 10 has_line "$T/byname.out" '\+ 10\.16\.0\.0/16 subnet:ovn-default'

# What the resolver alone would take for an address ("127.1" is 127.0.0.1
# to inet_aton()) is refused as a likely typo, and tried again.  (Were it
# not refused, it would reach the server on 127.0.0.1: loopback still.)
NB_DB=tcp:127.1:$tcp_port dry_run_start shorthand --node-name=node-a
shorthand_pid=$SPAWNED
check "tcp:127.1:PORT is refused with a warning, and tried again" \
    wait_until 20 count_is_at_least 2 "$T/shorthand.log" \
        '.*"127\.1" is neither a host name nor an IPv4 address.*'
check "... and connects nowhere" test ! -s "$T/shorthand.out"
check "... and the daemon keeps running" kill -0 "$shorthand_pid"

# A name that does not resolve is a warning and a retry, not an exit.  It
# is looked up in a mount namespace of the test's own, whose
# /etc/nsswitch.conf says "hosts: files" and whose /etc/hosts lacks it, so
# that no query is sent anywhere (needs CAP_SYS_ADMIN, and no nscd, which
# would answer from the machine's own configuration; skipped otherwise).
printf '127.0.0.1 localhost\n' > "$T/hosts"
printf 'hosts: files\n' > "$T/nsswitch.conf"
if unshare -m true 2>/dev/null && [ ! -e /var/run/nscd/socket ]; then
    unshare -m sh -c 'mount --bind "$0" /etc/hosts &&
                      mount --bind "$1" /etc/nsswitch.conf &&
                      shift && exec "$@"' \
        "$T/hosts" "$T/nsswitch.conf" \
        "$SPEAKER" --dry-run --ovnnb-db=tcp:nb.invalid:6641 \
        > "$T/noname.out" 2> "$T/noname.log" &
    noname_pid=$!
    _pids+=("$noname_pid")
    check "an unresolvable host name is logged, and tried again" \
        wait_until 20 count_is_at_least 2 "$T/noname.log" \
            '.*cannot resolve host "nb\.invalid" \(Name or service not known\)'
    check "... and the daemon keeps running" kill -0 "$noname_pid"
else
    skip "an unresolvable host name: needs a mount namespace (root), no nscd"
fi

kill -TERM "$SPEAKER_PID"
wait "$SPEAKER_PID" 2>/dev/null
if [ "$_failed" != 0 ]; then
    note "$(cat "$OUT")"
    note "$(tail -20 "$T/speaker.log")"
fi
done_testing
