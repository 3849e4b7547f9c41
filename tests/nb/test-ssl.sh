#!/bin/bash
# The NB database over ssl:, against a real ovsdb-server with certificates
# made here: the routes come over ssl:, and a client the server's CA did not
# sign gets nothing.
. "$(dirname "$0")/../lib.sh"

# cert NAME CA: a key and a certificate for NAME, signed by CA (or, with
# CA "self", a CA of its own), in $T/NAME.key and $T/NAME.pem.
cert() {
    local name=$1 ca=$2
    if [ "$ca" = self ]; then
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
            -nodes -days 2 -subj "/CN=$name" \
            -keyout "$T/$name.key" -out "$T/$name.pem"
    else
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
            -nodes -subj "/CN=$name" \
            -keyout "$T/$name.key" -out "$T/$name.csr" &&
        openssl x509 -req -days 2 -in "$T/$name.csr" -CA "$T/$ca.pem" \
            -CAkey "$T/$ca.key" -CAcreateserial -out "$T/$name.pem"
    fi
}
for c in "ca self" "server ca" "client ca" "rogue-ca self" "rogue rogue-ca"
do
    cert $c > "$T/openssl.log" 2>&1 || { cat "$T/openssl.log"; exit 1; }
done

# The server: unix: for ovn-nbctl, ssl: for the speaker.
PORT=$(free_port)
ovsdb-tool create "$T/nb.db" "$NB_SCHEMA"
spawn ovsdb ovsdb-server "$T/nb.db" --remote="punix:$T/nb.sock" \
    --remote="pssl:$PORT:127.0.0.1" --private-key="$T/server.key" \
    --certificate="$T/server.pem" --ca-cert="$T/ca.pem" \
    --unixctl="$T/ovsdb.ctl" --no-chdir --log-file="$T/ovsdb.vlog" \
    -vconsole:off
NB_DB=unix:$T/nb.sock
wait_until 10 ovn-nbctl --db="$NB_DB" --timeout=1 show > /dev/null
nbctl ls-add ovn-default -- set logical_switch ovn-default \
    other_config:subnet=10.16.0.0/16 external_ids:ovn.kubernetes.io/bgp=true

NB_DB=ssl:127.0.0.1:$PORT dry_run_start ssl --private-key="$T/client.key" \
    --certificate="$T/client.pem" --ca-cert="$T/ca.pem"
check "ssl: the subnet's route comes over ssl:" \
    wait_until 20 has_line "$T/ssl.out" '\+ 10\.16\.0\.0/16 subnet:ovn-default' \
    || note "$(tail -5 "$T/ssl.log")"
nbctl lsp-add ovn-default web -- lsp-set-addresses web \
    "0a:00:00:00:00:01 10.16.0.5" -- set logical_switch_port web \
    external_ids:ovn.kubernetes.io/bgp=true
check "ssl: and so does a change" \
    wait_until 10 has_line "$T/ssl.out" '\+ 10\.16\.0\.5/32 pod:web'

# A client certificate from another CA: the server refuses it.
NB_DB=ssl:127.0.0.1:$PORT dry_run_start rogue --private-key="$T/rogue.key" \
    --certificate="$T/rogue.pem" --ca-cert="$T/ca.pem"
ROGUE_PID=$SPAWNED
check "ssl: a client certificate the server's CA did not sign is refused" \
    wait_until 20 grep -q "ssl:127.0.0.1:$PORT: connection \(dropped\|attempt failed\)" \
    "$T/rogue.log" || note "$(tail -5 "$T/rogue.log")"
check "ssl: and that client gets no route" test ! -s "$T/rogue.out"
check "ssl: and keeps running, to retry" kill -0 "$ROGUE_PID"

done_testing
