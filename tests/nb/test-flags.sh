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
check "empty --node-name" \
    bad_flag '--node-name: empty' --node-name= --dry-run
check "stray argument" \
    bad_flag 'unexpected argument "extra"' --dry-run extra

"$SPEAKER" --help > "$T/help"
check "--help exits 0" test $? = 0
for flag in --ovnnb-db --node-name --announce-cluster-ip --dry-run \
            --private-key --certificate --ca-cert --verbose --log-file \
            --help --version; do
    check "--help lists $flag" grep -q -- "$flag" "$T/help"
done
check "--version prints the version" \
    bash -c '"$0" --version | grep -q -E "^ovn-bgp-speaker [0-9]+\.[0-9]+\.[0-9]+"' "$SPEAKER"
done_testing
