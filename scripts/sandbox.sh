#!/bin/bash
# `make sandbox`: a throw-away OVN Northbound database in a temporary
# folder, a few annotated subnets, pods and a service in it, and the speaker
# watching it.  Change the rows with the ovn-nbctl line it prints and watch
# the routes move.  Ctrl-C ends it and removes everything.
#
#   scripts/sandbox.sh          run until Ctrl-C
#   scripts/sandbox.sh --once   print the initial route set and stop
#
# Until the BGP engine is in, the speaker runs with --dry-run: it prints
# the routes it would announce instead of announcing them.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
SPEAKER=${SPEAKER:-$TOP/src/ovn-bgp-speaker}
once=
[ "${1:-}" = --once ] && once=1

dir=$(mktemp -d "${TMPDIR:-/tmp}/ovn-bgp-sandbox.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

ovsdb-tool create "$dir/nb.db" /usr/share/ovn/ovn-nb.ovsschema
ovsdb-server "$dir/nb.db" --remote="punix:$dir/nb.sock" \
    --unixctl="$dir/ovsdb.ctl" --no-chdir -vconsole:off \
    --log-file="$dir/ovsdb.log" &
pids+=($!)
export OVN_NB_DB=unix:$dir/nb.sock
for _ in $(seq 100); do
    ovn-nbctl --timeout=1 show > /dev/null 2>&1 && break
    sleep 0.05
done

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

echo "NB database: OVN_NB_DB=$OVN_NB_DB"
echo "speaker:     $SPEAKER --dry-run --node-name=sandbox --announce-cluster-ip"
echo
"$SPEAKER" --dry-run --node-name=sandbox --announce-cluster-ip \
    2> "$dir/speaker.log" &
pids+=($!)

for _ in $(seq 200); do
    grep -q 'initial route set' "$dir/speaker.log" && break
    sleep 0.05
done
if ! grep -q 'initial route set' "$dir/speaker.log"; then
    echo "sandbox: the speaker did not sync; its log:" >&2
    cat "$dir/speaker.log" >&2
    exit 1
fi
[ -n "$once" ] && exit 0

cat >&2 <<EOF

Try, in another terminal:
  export OVN_NB_DB=$OVN_NB_DB
  ovn-nbctl set logical_switch_port db.default external_ids:$bgp=true
  ovn-nbctl remove logical_switch ovn-default external_ids $bgp
Ctrl-C ends the sandbox.
EOF
wait
