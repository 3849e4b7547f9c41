#!/bin/bash
# The NB database over ssl:, against a real ovsdb-server with certificates
# made here, through OpenSSL loaded when first used (src/openssl-lazy.c):
# the routes come over ssl:, a client the server's CA did not sign gets
# nothing, and a unix: remote never loads libssl at all.  As root, also:
# without a loadable libssl, an ssl: remote is refused at start-up.
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

# maps_have PID WORD: the process runs, with a file named WORD mapped.
maps_have() {
    kill -0 "$1" && grep -q -- "$2" "/proc/$1/maps"
}
# maps_lack PID WORD: the process runs, without a file named WORD mapped.
maps_lack() {
    kill -0 "$1" && ! grep -q -- "$2" "/proc/$1/maps"
}

NB_DB=ssl:127.0.0.1:$PORT dry_run_start ssl --private-key="$T/client.key" \
    --certificate="$T/client.pem" --ca-cert="$T/ca.pem"
SSL_PID=$SPAWNED
check "ssl: the subnet's route comes over ssl:" \
    wait_until 20 has_line "$T/ssl.out" '\+ 10\.16\.0\.0/16 subnet:ovn-default' \
    || note "$(tail -5 "$T/ssl.log")"
nbctl lsp-add ovn-default web -- lsp-set-addresses web \
    "0a:00:00:00:00:01 10.16.0.5" -- set logical_switch_port web \
    external_ids:ovn.kubernetes.io/bgp=true
check "ssl: and so does a change" \
    wait_until 10 has_line "$T/ssl.out" '\+ 10\.16\.0\.5/32 pod:web'
check "ssl: the speaker has loaded libssl" maps_have "$SSL_PID" libssl.so.3

# A client certificate from another CA: the server refuses it.
NB_DB=ssl:127.0.0.1:$PORT dry_run_start rogue --private-key="$T/rogue.key" \
    --certificate="$T/rogue.pem" --ca-cert="$T/ca.pem"
ROGUE_PID=$SPAWNED
check "ssl: a client certificate the server's CA did not sign is refused" \
    wait_until 20 grep -q "ssl:127.0.0.1:$PORT: connection \(dropped\|attempt failed\)" \
    "$T/rogue.log" || note "$(tail -5 "$T/rogue.log")"
check "ssl: and that client gets no route" test ! -s "$T/rogue.out"
check "ssl: and keeps running, to retry" kill -0 "$ROGUE_PID"

# unix: loads no OpenSSL.
dry_run_start plain
PLAIN_PID=$SPAWNED
check "unix: the routes come" \
    wait_until 20 has_line "$T/plain.out" '\+ 10\.16\.0\.5/32 pod:web'
check "unix: libssl is not loaded" maps_lack "$PLAIN_PID" libssl
check "unix: nor libcrypto" maps_lack "$PLAIN_PID" libcrypto
# The daemon's own OpenSSL functions are hidden: libssl's calls of its own
# functions never come to them.
check "no OpenSSL function is exported by the daemon" \
    bash -c "! nm -D --defined-only '$SPEAKER' | grep -E ' (SSL|X509|EVP|ERR|CRYPTO|OPENSSL|RAND|PEM|TLS|ASN1)_'"

# Without a libssl to load (an empty file bound over it, in a mount
# namespace of the speaker's own), ssl: is refused at start-up: by the
# key and certificate flags, which set OpenSSL up, or without them by the
# check of --ovnnb-db.
LIBSSL=$(ldconfig -p | sed -n 's/.*libssl\.so\.3 (libc6,x86-64) => //p' \
         | head -n 1)
# no_libssl NAME ARGS...: runs the speaker so, to its end.
no_libssl() {
    local name=$1 status
    shift
    timeout 20 unshare -m sh -c \
        'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh \
        "$T/empty" "$LIBSSL" "$SPEAKER" --dry-run \
        --ovnnb-db="ssl:127.0.0.1:$PORT" "$@" \
        > "$T/$name.out" 2> "$T/$name.log" &
    _pids+=("$!")
    wait "$!"
    status=$?
    check "ssl: without libssl, $name: exits with a failure, at once" \
        test "$status" != 0 -a "$status" != 124 || note "exit status $status"
    check "ssl: without libssl, $name: says OpenSSL cannot be loaded" \
        grep -q "OpenSSL.*libssl\.so\.3" "$T/$name.log" \
        || note "$(cat "$T/$name.log")"
}
if [ "$(id -u)" != 0 ]; then
    skip "ssl: without libssl is refused at start-up: needs root"
elif [ -z "$LIBSSL" ]; then
    skip "ssl: without libssl is refused at start-up: no libssl.so.3 found"
else
    : > "$T/empty"
    no_libssl "with a key" --private-key="$T/client.key" \
        --certificate="$T/client.pem" --ca-cert="$T/ca.pem"
    no_libssl "remote alone"
    check "ssl: without libssl, remote alone: --ovnnb-db names it" \
        grep -q -- "--ovnnb-db: \"ssl:127.0.0.1:$PORT\" needs OpenSSL" \
        "$T/remote alone.log"
fi

done_testing
