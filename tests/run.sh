#!/bin/bash
# Runs every test and closes with one line "N passed, N failed".
#
# Unit tests are the cmocka binaries under build/asan/tests/; script tests
# are tests/*/test-*.sh.  Every test speaks TAP ("ok ..." / "not ok ...");
# a test that exits non-zero without reporting a failure counts as one.
# Arguments, if any, name the tests to run (a binary or a script path).
#
# TEST_JOBS (default 2) scripts run at once; each gets TEST_TIMEOUT seconds
# (default 600).
set -u
cd "$(dirname "$0")/.."

if [ $# -gt 0 ]; then
    tests=("$@")
else
    tests=(build/asan/tests/test-* tests/*/test-*.sh)
fi
jobs=${TEST_JOBS:-2}
timeout=${TEST_TIMEOUT:-600}
logdir=$(mktemp -d "${TMPDIR:-/tmp}/obs-check.XXXXXX")
trap 'rm -rf "$logdir"' EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export CMOCKA_MESSAGE_OUTPUT=TAP

run_one() {
    local t=$1 log=$2 rc
    if [ -x "$t" ]; then
        timeout -k 10 "$timeout" "$t" > "$log" 2>&1
        rc=$?
    else
        echo "not ok - $t: not found or not executable" > "$log"
        rc=1
    fi
    echo "$rc" > "$log.rc"
}
export -f run_one
export timeout

i=0
for t in "${tests[@]}"; do
    i=$((i + 1))
    printf '%s\t%s\n' "$t" "$logdir/$i.log"
done | xargs -P "$jobs" -L 1 bash -c 'run_one "$0" "$1"'

passed=0 failed=0 i=0
for t in "${tests[@]}"; do
    i=$((i + 1))
    log=$logdir/$i.log
    rc=$(cat "$log.rc" 2>/dev/null || echo 1)
    ok=$(grep -c -E '^[[:space:]]*ok ' "$log")
    nok=$(grep -c -E '^[[:space:]]*not ok ' "$log")
    if [ "$rc" != 0 ] && [ "$nok" = 0 ]; then
        nok=1
        echo "not ok - $t exited with status $rc" >> "$log"
    fi
    echo "# $t"
    if [ "$nok" != 0 ]; then
        cat "$log"
    else
        grep -E '^[[:space:]]*(ok|#) ' "$log"
    fi
    passed=$((passed + ok))
    failed=$((failed + nok))
done
echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
