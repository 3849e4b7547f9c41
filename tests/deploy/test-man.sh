#!/bin/bash
# doc/ovn-bgp-speaker.8: every flag of --help is in it and it documents no
# other; the control commands and metrics are all there; it renders with no
# warning.
. "$(dirname "$0")/../lib.sh"

MAN=$TOP/doc/ovn-bgp-speaker.8

# The flags an option list defines, one a line ("--name" or "-x"), from
# lines that start with options: "-vSPEC, --verbose=SPEC" gives -v and
# --verbose.
flags_of() {
    python3 -c '
import re, sys
for line in sys.stdin:
    line = line.strip()
    while line.startswith("-"):
        m = re.match(r"(--[a-z][a-z0-9-]*|-[a-zA-Z])[^\s,]*(,\s*)?", line)
        if not m:
            break
        print(m.group(1))
        line = line[m.end():]
' | sort -u
}
"$SPEAKER" --help | grep -E '^ +-' | flags_of > "$T/help-flags"
# The man page's option tags: the line after each .TP, its escapes gone.
awk 'tp { print; tp = 0 } /^\.TP/ { tp = 1 }' "$MAN" \
    | sed -E 's/^\.[A-Z]+ //; s/\\f[BIRP]//g; s/\\-/-/g; s/"//g; s/ +,/,/g' \
    | flags_of > "$T/man-flags"

check "--help lists flags" test "$(wc -l < "$T/help-flags")" -gt 30
check "every flag of --help is in the man page" \
    sh -c "! comm -23 '$T/help-flags' '$T/man-flags' | grep ."
check "the man page documents no flag --help lacks" \
    sh -c "! comm -13 '$T/help-flags' '$T/man-flags' | grep ."

# Text as the reader sees it.
MANWIDTH=80 man -E UTF-8 -l "$MAN" 2> /dev/null | col -b > "$T/man.txt"
in_man() {
    grep -q -F -- "$1" "$T/man.txt" || { note "not in the man page: $1"; return 1; }
}
all_in_man() {
    local w rc=0
    while read -r w; do
        in_man "$w" || rc=1
    done
    return $rc
}
check "every control command registered is in the man page" \
    all_in_man < <(grep -h -o 'unixctl_command_register("[^"]*"' \
                   "$TOP"/src/*.c | cut -d'"' -f2)
check "every metric is in the man page" \
    all_in_man < <(grep -h -o -E '"(ovn_bgp_speaker|kube_ovn_speaker)_[a-z_]+' \
                   "$TOP/src/metrics.c" | tr -d '"' | sort -u)
check "the annotation mapping: rows, key and values" all_in_man <<'W'
ovn.kubernetes.io/bgp
Subnet: Logical_Switch, true or cluster
Subnet: Logical_Switch, local
Pod: Logical_Switch_Port, true or cluster
Pod: Logical_Switch_Port, local
Service: Load_Balancer, true
options:requested-chassis
ovn.kubernetes.io/cidr
W
check "the HTTP endpoints" all_in_man <<'W'
/healthz
/readyz
/metrics
W

if command -v man > /dev/null; then
    renders() {
        local w
        for w in 80 200; do
            MANWIDTH=$w man --warnings -E UTF-8 -l "$MAN" 2>&1 > /dev/null \
                | tee -a "$T/warnings"
        done
        [ ! -s "$T/warnings" ]
    }
    check "man -l renders it with no warning" renders
elif command -v groff > /dev/null; then
    check "groff renders it with no warning" sh -c \
        "[ -z \"\$(groff -man -Tutf8 -ww -z '$MAN' 2>&1)\" ]"
else
    _n=$((_n + 1))
    echo "ok $_n - # SKIP neither man nor groff is installed"
fi

done_testing
