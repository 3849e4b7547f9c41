#!/bin/bash
# Rows skipped for a bad value are counted where an operator looks: in
# nb/status and in /metrics.  The daemon follows a real ovsdb-server; its
# BGP peer is not there (nothing listens on the port it dials).
. "$(dirname "$0")/../lib.sh"

nb_start
# Announced: one subnet.  Skipped: a default route, a loopback pod IP and a
# bad policy word.
nbctl ls-add ovn-default -- set logical_switch ovn-default \
    other_config:subnet=10.16.0.0/16 external_ids:ovn.kubernetes.io/bgp=true
nbctl ls-add dflt -- set logical_switch dflt \
    external_ids:ovn.kubernetes.io/bgp=true \
    external_ids:ovn.kubernetes.io/cidr='"0.0.0.0/0"'
nbctl lsp-add ovn-default lo.default \
    -- lsp-set-addresses lo.default "0a:00:00:00:00:01 127.0.0.5" \
    -- set logical_switch_port lo.default \
       external_ids:ovn.kubernetes.io/bgp=true
nbctl lsp-add ovn-default word.default \
    -- lsp-set-addresses word.default "0a:00:00:00:00:02 10.16.0.6" \
    -- set logical_switch_port word.default \
       external_ids:ovn.kubernetes.io/bgp=yes

mport=$(free_port)
spawn speaker "$SPEAKER" --ovnnb-db="$NB_DB" --unixctl="$T/speaker.ctl" \
    --neighbor-address=127.0.0.2 --neighbor-port="$(free_port)" \
    --neighbor-as=65030 --cluster-as=65000 --node-name=node-a \
    --listen-port=0 --metrics-address=127.0.0.1:"$mport"

# status_is LINE: nb/status has that whole line.
status_is() {
    ovs-appctl --timeout=10 -t "$T/speaker.ctl" nb/status \
        > "$T/nb-status" 2>&1 && has_line "$T/nb-status" "$1"
}
# metric_is NAME VALUE: /metrics says so.
metric_is() {
    curl -s --max-time 2 "http://127.0.0.1:$mport/metrics" > "$T/metrics" \
        && has_line "$T/metrics" "$1 $2"
}

check "nb/status counts the three skipped rows" \
    wait_until 10 status_is 'rows skipped for bad values: 3'
check "... and announces the one good row" \
    status_is 'routes: 1 \(1 subnet, 0 pod, 0 service\)'
check "/metrics counts them" \
    wait_until 10 metric_is ovn_bgp_speaker_nb_rows_skipped 3
check "... beside the one route" metric_is ovn_bgp_speaker_routes_total 1

nbctl lsp-set-addresses lo.default "0a:00:00:00:00:01 10.16.0.5"
check "a fixed address: one row fewer skipped" \
    wait_until 10 status_is 'rows skipped for bad values: 2'
check "... and its route is in" \
    wait_until 10 metric_is ovn_bgp_speaker_routes_total 2
check "/metrics follows" metric_is ovn_bgp_speaker_nb_rows_skipped 2

nbctl ls-del dflt
check "a skipped row deleted: no longer counted" \
    wait_until 10 metric_is ovn_bgp_speaker_nb_rows_skipped 1

if [ "$_failed" != 0 ]; then
    note "$(cat "$T/nb-status" "$T/metrics")"
    note "$(tail -20 "$T/speaker.log")"
fi
done_testing
