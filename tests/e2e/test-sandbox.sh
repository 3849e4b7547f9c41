#!/bin/bash
# `make sandbox` (the README's first command): its rows go through the
# speaker to a real BIRD, which shows the routes.
. "$(dirname "$0")/../lib.sh"

SPEAKER=$SPEAKER "$TOP/scripts/sandbox.sh" --once > "$T/out" 2>&1
check "sandbox exits cleanly" test $? = 0
for prefix in 10.16.0.0/16 fd00:10:16::/64 10.16.0.5/32 fd00:10:16::5/128 \
              10.17.0.5/32 10.96.0.10/32; do
    check "BIRD shows $prefix from the speaker" \
        grep -q -E "^${prefix//./\\.} +.* from 127\.0\.0\.1\]" "$T/out"
done
check "BIRD shows exactly six routes" \
    test "$(grep -c ' from 127\.0\.0\.1\]' "$T/out")" = 6
check "... all six reachable (their next hops resolve), none unreachable" \
    test "$(grep -c ' unicast \[upstream .* from 127\.0\.0\.1\]' "$T/out")" = 6
# Its own folder, from the line that names the NB socket in it.
dir=$(sed -n 's|^NB database: OVN_NB_DB=unix:\(.*\)/nb\.sock$|\1|p' "$T/out")
check "sandbox named its folder" test -n "$dir"
check "sandbox left no temporary folder" test ! -e "$dir"
check "sandbox left no process" bash -c '! pgrep -f "$0/" > /dev/null' "$dir"
done_testing
