#!/bin/bash
# Flags: a bad one gets one clear line and exit status 1; --help and
# --version print and exit 0.
. "$(dirname "$0")/../lib.sh"

# bad_flag PATTERN ARGS...: exit 1, one line on stderr matching PATTERN,
# nothing on stdout.
bad_flag() {
    local pattern=$1
    shift
    "$SPEAKER" "$@" > "$T/out" 2> "$T/err"
    local rc=$?
    [ "$rc" = 1 ] && [ ! -s "$T/out" ] && [ "$(wc -l < "$T/err")" = 1 ] \
        && grep -q -E -- "$pattern" "$T/err"
}

check "unknown option is named" \
    bad_flag 'unknown option "--no-such-flag"' --dry-run --no-such-flag
check "missing value is named" \
    bad_flag '--ovnnb-db: needs a value' --ovnnb-db
check "empty --ovnnb-db" \
    bad_flag '--ovnnb-db: empty' --ovnnb-db= --dry-run
check "--ovnnb-db with only spaces" \
    bad_flag 'no database in it' --ovnnb-db='  ' --dry-run
check "--ovnnb-db with a passive remote" \
    bad_flag '"punix:/tmp/x" is not a database the speaker can connect to' \
    --ovnnb-db=punix:/tmp/x --dry-run
check "--ovnnb-db with one bad remote in a list" \
    bad_flag '"ptcp:6641" is not a database' \
    --ovnnb-db=tcp:127.0.0.1:6641,ptcp:6641 --dry-run
check "--ovnnb-db that names no method" \
    bad_flag '"bogus" is not a database' --ovnnb-db=bogus --dry-run
bad_env_db() {
    OVN_NB_DB=punix:/tmp/x bad_flag '"punix:/tmp/x" is not a database' \
        --dry-run
}
check "OVN_NB_DB is checked the same way" bad_env_db
check "empty --node-name" \
    bad_flag '--node-name: empty' --node-name= --dry-run
check "stray argument" \
    bad_flag 'unexpected argument "extra"' --dry-run extra

base=(--neighbor-address=127.0.0.2 --neighbor-as=65030 --cluster-as=65000)
check "no neighbor" \
    bad_flag 'no BGP peer' --neighbor-as=1 --cluster-as=2
check "missing --neighbor-as" \
    bad_flag '--neighbor-as is required' --neighbor-address=127.0.0.2 \
    --cluster-as=2
check "missing --cluster-as" \
    bad_flag '--cluster-as is required' --neighbor-address=127.0.0.2 \
    --neighbor-as=2
check "AS out of range" \
    bad_flag '--cluster-as=4294967296: out of range \(1 to 4294967295\)' \
    "${base[@]}" --cluster-as=4294967296
check "AS zero" \
    bad_flag '--neighbor-as=0: out of range' "${base[@]}" --neighbor-as=0
check "IPv6 address in --neighbor-address" \
    bad_flag '--neighbor-address: "fd00::1" is not an IPv4 address' \
    --neighbor-address=fd00::1 --neighbor-as=1 --cluster-as=2
check "IPv4 address in --neighbor-ipv6-address" \
    bad_flag '--neighbor-ipv6-address: "10.0.0.1" is not an IPv6 address' \
    --neighbor-ipv6-address=10.0.0.1 --neighbor-as=1 --cluster-as=2
check "hold time 2s" \
    bad_flag '--holdtime=2s: out of range \(0, or 3s to 65535s\)' \
    "${base[@]}" --holdtime=2s
check "hold time not a duration" \
    bad_flag '--holdtime=ninety: not a duration' "${base[@]}" \
    --holdtime=ninety
check "graceful restart time over 4095s" \
    bad_flag '--graceful-restart-time=2h: out of range' "${base[@]}" \
    --graceful-restart-time=2h
check "boolean flag with a bad value" \
    bad_flag '--graceful-restart=maybe: expected true or false' \
    "${base[@]}" --graceful-restart=maybe
check "two IPv4 node IPs" \
    bad_flag '--node-ips: two IPv4 addresses' "${base[@]}" \
    --node-ips=10.0.0.1,10.0.0.2
check "router id that is not IPv4" \
    bad_flag '--router-id=fd00::1: expected a non-zero IPv4 address' \
    "${base[@]}" --router-id=fd00::1
check "TTL 0" \
    bad_flag '--ebgp-multihop=0: out of range' "${base[@]}" \
    --ebgp-multihop=0
check "password file missing" \
    bad_flag '--auth-password-file=/nonexistent: No such file' \
    "${base[@]}" --auth-password-file=/nonexistent
printf '%081d\n' 0 > "$T/long"
check "password over 80 bytes" \
    bad_flag 'longer than 80 bytes' "${base[@]}" \
    --auth-password-file="$T/long"
check "metrics address without a port" \
    bad_flag '--metrics-address=127.0.0.1: expected IP:PORT' \
    "${base[@]}" --metrics-address=127.0.0.1
check "a port already in use: exit 1, nothing started" \
    bash -c 'python3 -c "import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\"127.0.0.1\", 0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(30)" > "$1/port" & p=$!; until [ -s "$1/port" ]; do sleep 0.01; done;
             "$0" --neighbor-address=127.0.0.2 --neighbor-as=1 --cluster-as=2 --local-address=127.0.0.1 --listen-port=$(cat "$1/port") --unixctl="$1/x.ctl" --ovnnb-db=unix:"$1"/none > /dev/null 2> "$1/err"; rc=$?; kill $p; [ $rc = 1 ] && grep -q "BGP listener on port" "$1/err"' "$SPEAKER" "$T"

"$SPEAKER" --help > "$T/help"
check "--help exits 0" test $? = 0
for flag in --ovnnb-db --node-name --announce-cluster-ip --dry-run \
            --neighbor-address --neighbor-ipv6-address --neighbor-as \
            --cluster-as --router-id --node-ips --auth-password \
            --auth-password-file --holdtime --graceful-restart \
            --graceful-restart-time --graceful-restart-deferral-time \
            --passivemode --ebgp-multihop --extended-nexthop \
            --neighbor-port --listen-port --local-address --metrics-address \
            --unixctl --detach --pidfile \
            --private-key --certificate --ca-cert --verbose --log-file \
            --help --version; do
    check "--help lists $flag" grep -q -- "$flag" "$T/help"
done
check "--version prints the version" \
    bash -c '"$0" --version | grep -q -E "^ovn-bgp-speaker [0-9]+\.[0-9]+\.[0-9]+"' "$SPEAKER"
done_testing
