#!/bin/bash
# `make sandbox`: a throw-away OVN Northbound database in a temporary
# folder with a few annotated subnets, pods and a service, a BIRD router on
# loopback (127.0.0.2) as the upstream, and the speaker (127.0.0.1) between
# them.  It prints the routes that arrive at BIRD.  Change the rows with the
# ovn-nbctl lines it prints and watch the routes move.  Ctrl-C ends it and
# removes everything.
#
#   scripts/sandbox.sh          run until Ctrl-C
#   scripts/sandbox.sh --once   print BIRD's routes once they are in, stop
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
SPEAKER=${SPEAKER:-$TOP/src/ovn-bgp-speaker}
once=
[ "${1:-}" = --once ] && once=1

# shellcheck source=scripts/lib.sh
. "$TOP/scripts/lib.sh"
scratch_init ovn-bgp-sandbox
trap 'exit 0' INT TERM
dir=$SCRATCH

nb_server_start "$dir"
export OVN_NB_DB=$NB_DB

nbctl() { ovn-nbctl --timeout=10 "$@"; }
bgp=ovn.kubernetes.io/bgp

# A dual-stack subnet announced whole, with two pods; only one of them has
# its own annotation (its /32 is announced too).
nbctl ls-add ovn-default -- set logical_switch ovn-default \
    external_ids:$bgp=true \
    external_ids:ovn.kubernetes.io/cidr='"10.16.0.0/16,fd00:10:16::/64"'
nbctl lsp-add ovn-default web.default \
    -- lsp-set-addresses web.default "0a:58:0a:10:00:05 10.16.0.5 fd00:10:16::5" \
    -- set logical_switch_port web.default external_ids:$bgp=true \
       external_ids:pod=default/web
nbctl lsp-add ovn-default db.default \
    -- lsp-set-addresses db.default "0a:58:0a:10:00:06 10.16.0.6"

# A subnet whose pods are announced only by the node that hosts them.
nbctl ls-add edge -- set logical_switch edge external_ids:$bgp=local \
    other_config:subnet=10.17.0.0/24
nbctl lsp-add edge cache.edge \
    -- lsp-set-addresses cache.edge "0a:58:0a:11:00:05 10.17.0.5" \
    -- set logical_switch_port cache.edge options:requested-chassis=sandbox

# A service (announced with --announce-cluster-ip).
nbctl lb-add cluster-tcp-lb 10.96.0.10:53 10.16.0.6:53 tcp \
    -- set load_balancer cluster-tcp-lb external_ids:$bgp=true

# The upstream router: BIRD 2 on 127.0.0.2, importing everything.
bird_port=$(free_port)
speaker_port=$(free_port)
# Its next hops (the speaker's --node-ips) resolve through a
# default route on lo in tables of its own, as they would through the
# fabric's IGP: the routes show "via 127.0.0.1 on lo", not "unreachable".
# Nothing goes to the kernel's tables.
cat > "$dir/bird.conf" <<EOF
router id 127.0.0.2;
log "$dir/bird.log" all;
protocol device {}
ipv4 table igp4;
ipv6 table igp6;
protocol static igp4s { ipv4 { table igp4; }; route 0.0.0.0/0 via "lo"; }
protocol static igp6s { ipv6 { table igp6; }; route ::/0 via "lo"; }
protocol bgp upstream {
    local 127.0.0.2 port $bird_port as 65030;
    neighbor 127.0.0.1 port $speaker_port as 65000;
    multihop;
    ipv4 { import all; export none; gateway recursive; igp table igp4; };
    ipv6 { import all; export none; extended next hop on;
           gateway recursive; igp table igp6; };
}
EOF
bird -f -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid" &
pids+=($!)
# BIRD listens before the speaker's first dial: a refused one would wait
# for the speaker's connect-retry timer (5 s) or BIRD's own dial.
if ! wait_until 10 bird_up "$dir/bird.ctl"; then
    echo "sandbox: BIRD did not start; its log:" >&2
    cat "$dir/bird.log" >&2
    exit 1
fi

# --node-ips takes one comma-separated value: the next hops announced, as a
# node's own addresses would be.  Not 127.0.0.1: a router takes no
# loopback address for a next hop (BIRD shows such routes "unreachable").
# 192.0.2.1 is a documentation address that stands for the node's IP;
# nothing is ever sent to it (BIRD here installs no route in the kernel).
# shellcheck disable=SC2054
speaker=("$SPEAKER" --neighbor-address=127.0.0.2 --neighbor-port="$bird_port"
         --neighbor-as=65030 --cluster-as=65000 --local-address=127.0.0.1
         --listen-port="$speaker_port" --node-name=sandbox
         --announce-cluster-ip --node-ips=192.0.2.1,fd00::1
         --unixctl="$dir/speaker.ctl")
echo "NB database: OVN_NB_DB=$OVN_NB_DB"
echo "speaker:     ${speaker[*]}"
echo "router:      birdc -s $dir/bird.ctl"
echo
"${speaker[@]}" 2> "$dir/speaker.log" &
pids+=($!)

# Six routes: the dual-stack subnet and its annotated pod, the local pod,
# the service.
bird_routes() {
    birdc -s "$dir/bird.ctl" show route 2>/dev/null
}
n_routes() {
    bird_routes | grep -c 'from 127\.0\.0\.1'
}
six_routes() {
    [ "$(n_routes)" -ge 6 ]
}
if ! wait_until 30 six_routes; then
    echo "sandbox: the routes did not reach BIRD; the speaker's log:" >&2
    cat "$dir/speaker.log" >&2
    exit 1
fi
echo "Routes at BIRD (birdc show route):"
bird_routes | sed 1d
[ -n "$once" ] && exit 0

cat >&2 <<EOF

Try, in another terminal:
  export OVN_NB_DB=$OVN_NB_DB
  ovn-nbctl set logical_switch_port db.default external_ids:$bgp=true
  ovn-nbctl remove logical_switch ovn-default external_ids $bgp
  birdc -s $dir/bird.ctl show route
  ovs-appctl -t $dir/speaker.ctl bgp/neighbors
Ctrl-C ends the sandbox.
EOF
wait
