#!/bin/bash
# scripts/ovn-bgp-annotate against a real NB: each form sets or removes
# exactly the key ovn.kubernetes.io/bgp of exactly the right row; errors are
# one clear line and exit status 1.
. "$(dirname "$0")/../lib.sh"

A=$TOP/scripts/ovn-bgp-annotate
K=ovn.kubernetes.io/bgp

nb_start
# Two pods in two namespaces with the same name, a subnet, a service; and a
# port whose name looks like a pod's but has no external_ids:pod.
nbctl ls-add ovn-default -- ls-add other \
    -- lsp-add ovn-default web.default \
    -- set Logical_Switch_Port web.default 'external_ids:pod="default/web"' \
         external_ids:vendor=kube-ovn \
    -- lsp-add other web.prod \
    -- set Logical_Switch_Port web.prod 'external_ids:pod="prod/web"' \
    -- lsp-add other db.default \
    -- lb-add cluster-tcp-lb 10.96.0.10:53 10.16.0.2:53 > /dev/null

# ext TABLE RECORD: the row's external_ids, unquoted: "k=v k=v".
ext() {
    nbctl --bare --columns=external_ids list "$1" "$2"
}
# is TABLE RECORD EXPECTED: the row's external_ids are exactly EXPECTED.
is() {
    local got
    got=$(ext "$1" "$2")
    [ "$got" = "$3" ] || { note "$1 $2: $got, expected $3"; return 1; }
}
# run ARGS...: the script with the test NB in $OVN_NB_DB.
run() {
    OVN_NB_DB=$NB_DB "$A" "$@" > "$T/out" 2> "$T/err"
}
ok_run() {
    run "$@" && [ ! -s "$T/err" ] && [ -s "$T/out" ]
}
# fails PATTERN ARGS...: exit 1, nothing on stdout, one line on stderr.
fails() {
    local pattern=$1
    shift
    run "$@"
    local rc=$?
    [ $rc = 1 ] && [ ! -s "$T/out" ] && [ "$(wc -l < "$T/err")" = 1 ] \
        && grep -q -E -- "$pattern" "$T/err" \
        || { note "rc $rc: $(cat "$T/out" "$T/err")"; return 1; }
}
untouched() {
    is Logical_Switch_Port web.default 'pod=default/web vendor=kube-ovn' \
        && is Logical_Switch_Port web.prod pod=prod/web \
        && is Logical_Switch_Port db.default '' \
        && is Logical_Switch ovn-default '' && is Logical_Switch other '' \
        && is Load_Balancer cluster-tcp-lb ''
}

for v in true cluster local false; do
    check "pod default/web $v" ok_run pod default/web $v
    check "  sets the key of that port only" eval 'is Logical_Switch_Port \
        web.default "$K=$v pod=default/web vendor=kube-ovn" \
        && is Logical_Switch_Port web.prod pod=prod/web'
done
check "pod default/web - removes the key only" ok_run pod default/web -
check "  the other keys stay" untouched
check "pod default/web - again: nothing to remove, still fine" \
    ok_run pod default/web -

for v in true cluster local; do
    check "subnet ovn-default $v" ok_run subnet ovn-default $v
    check "  sets the key of that switch only" eval 'is Logical_Switch \
        ovn-default "$K=$v" && is Logical_Switch other ""'
done
check "subnet ovn-default -" ok_run subnet ovn-default -

check "service cluster-tcp-lb true (with --db=)" \
    ok_run --db="$NB_DB" service cluster-tcp-lb true
check "  sets the key of that load balancer" \
    is Load_Balancer cluster-tcp-lb "$K=true"
check "service cluster-tcp-lb - (with --db DB)" \
    ok_run --db "$NB_DB" service cluster-tcp-lb -
check "everything is as it was" untouched

# Errors.
check "unknown pod" fails \
    '^ovn-bgp-annotate: no pod default/nope: no Logical_Switch_Port has external_ids:pod=default/nope$' \
    pod default/nope true
check "a port's name is not a pod" fails 'no pod default/db' \
    pod default/db true
check "pod without a namespace" fails 'pod "web": give it as NAMESPACE/NAME' \
    pod web true
check "pod with two slashes" fails 'give it as NAMESPACE/NAME' pod a/b/c true
check "unknown subnet" fails 'no subnet nope: no Logical_Switch is named "nope"' \
    subnet nope true
check "unknown service" \
    fails 'no service nope: no Load_Balancer is named "nope"' service nope true
check "bad pod value" \
    fails 'pod default/web: bad value "yes": expected true, cluster, local, false, or - to remove' \
    pod default/web yes
check "values are case-sensitive" fails 'bad value "True"' \
    subnet ovn-default True
check "a service is only true" \
    fails 'service cluster-tcp-lb: bad value "local": expected true, or - to remove' \
    service cluster-tcp-lb local
check "unknown kind" fails 'unknown kind "node": expected pod, subnet or service' \
    node n1 true
check "no arguments" fails 'expected 3 arguments' 
check "too many arguments" fails 'expected 3 arguments' subnet a true extra
check "unknown option" fails 'unknown option "--frobnicate"' \
    --frobnicate subnet ovn-default true
check "empty --db" fails '--db: empty' --db= subnet ovn-default true
check "unreachable database" \
    fails '^ovn-bgp-annotate: ovn-nbctl: unix:/nonexistent.sock: database connection failed' \
    --db=unix:/nonexistent.sock subnet ovn-default true
check "nothing changed by the errors" untouched
# The speaker sees what the script sets.
nbctl lsp-set-addresses web.default "0a:00:00:00:00:05 10.16.0.5"
dry_run_start dry --node-name=node1
check "the speaker announces a pod the script publishes" sh -c \
    "'$A' --db='$NB_DB' pod default/web true > /dev/null" \
    && check "  as the dry run shows" wait_until 10 \
        has_line "$T/dry.out" '\+ 10\.16\.0\.5/32 pod:web\.default'
check "and withdraws it when the script removes it" sh -c \
    "'$A' --db='$NB_DB' pod default/web - > /dev/null" \
    && check "  as the dry run shows" wait_until 10 \
        has_line "$T/dry.out" '- 10\.16\.0\.5/32 pod:web\.default'

check "--help" sh -c "'$A' --help | grep -q '^usage: ovn-bgp-annotate'"

done_testing
