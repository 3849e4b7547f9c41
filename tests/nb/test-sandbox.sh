#!/bin/bash
# `make sandbox` (the README's first command) loads its rows and the
# speaker prints the routes they give.
. "$(dirname "$0")/../lib.sh"

SPEAKER=$SPEAKER "$TOP/scripts/sandbox.sh" --once > "$T/out" 2>&1
check "sandbox exits cleanly" test $? = 0
for line in '\+ 10\.16\.0\.0/16 subnet:ovn-default' \
            '\+ fd00:10:16::/64 subnet:ovn-default' \
            '\+ 10\.16\.0\.5/32 pod:web\.default' \
            '\+ fd00:10:16::5/128 pod:web\.default' \
            '\+ 10\.17\.0\.5/32 pod:cache\.edge' \
            '\+ 10\.96\.0\.10/32 service:cluster-tcp-lb'; do
    check "sandbox shows $line" has_line "$T/out" "$line"
done
check "sandbox shows exactly six routes" \
    test "$(grep -c '^[+-] ' "$T/out")" = 6
check "sandbox left no temporary folder" \
    test -z "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'ovn-bgp-sandbox.*' -newer "$T" 2>/dev/null)"
done_testing
