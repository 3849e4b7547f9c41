#!/bin/bash
# deploy/: the DaemonSet (lint, structure, flags, the probes against the
# real daemon), the Containerfile against `make install`, the systemd unit.
. "$(dirname "$0")/../lib.sh"

D=$TOP/deploy
M="python3 $TOP/tests/deploy/manifest.py"

# ---------------------------------------------------------------------------
# deploy/speaker.yaml

check "speaker.yaml passes yamllint (strict)" yamllint -s "$D/speaker.yaml"
# kubectl cannot check a file without an API server, even with
# --dry-run=client: the same checks, offline.
check "speaker.yaml: the DaemonSet's fields, volumes, Secret and probes" \
    $M daemonset "$D/speaker.yaml"

mapfile -t cmd < <($M args "$D/speaker.yaml")
node_name=node-$$
printf '' > "$T/password"       # As the Secret ships: empty, no MD5.
# The args as the kubelet expands them, with the files the pod mounts.
args=()
for a in "${cmd[@]:1}"; do
    a=${a//\$(NODE_NAME)/$node_name}
    case $a in
    --auth-password-file=*) a=--auth-password-file=$T/password ;;
    esac
    args+=("$a")
done

check "the container's command is the installed daemon" \
    test "${cmd[0]}" = "$($M entrypoint "$D/Containerfile")"
# The flags are parsed in order and a bad one exits 1 before --help: every
# flag and value in args is accepted.
accepts_args() {
    "$SPEAKER" "$@" --help > "$T/help.out" 2> "$T/help.err" \
        && grep -q '^usage: ' "$T/help.out" && [ ! -s "$T/help.err" ]
}
check "the daemon accepts every flag in args" accepts_args "${args[@]}"

# The probes, for real: the daemon with the DaemonSet's args, pointed at a
# NB of our own, a peer that is not there and free ports.
nb_start
mport=$(free_port)
run_args=()
for a in "${args[@]}"; do
    case $a in
    --ovnnb-db=*) a=--ovnnb-db=$NB_DB ;;
    --metrics-address=*) a=--metrics-address=127.0.0.1:$mport ;;
    --unixctl=*) a=--unixctl=$T/speaker.ctl ;;
    --neighbor-address=*) a=--neighbor-address=127.0.0.2 ;;
    esac
    run_args+=("$a")
done
spawn speaker "$SPEAKER" "${run_args[@]}" --listen-port=0 \
    --neighbor-port="$(free_port)"
http_code() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
        "http://127.0.0.1:$mport$1"
}
is_code() {
    [ "$(http_code "$1")" = "$2" ]
}
check "livenessProbe: /healthz answers 200" wait_until 10 is_code /healthz 200
check "readinessProbe: /readyz answers 503 with no session up" \
    is_code /readyz 503
nb_status() {
    ovs-appctl -t "$T/speaker.ctl" nb/status > "$T/nb-status" 2>&1
}
check "the --unixctl socket answers" wait_until 10 nb_status
ovs-appctl -t "$T/speaker.ctl" exit > /dev/null 2>&1
check "exit stops it" wait_until 10 sh -c "! kill -0 $SPAWNED"

# ---------------------------------------------------------------------------
# deploy/Containerfile: it cannot be built here (no container engine); what
# it copies out of `make install` is checked against the real thing.

# Build the release daemon if there is none; otherwise install the one
# there is (-o all: this checks the layout, not the build).
[ -x "$TOP/src/ovn-bgp-speaker" ] || make -C "$TOP" -s -j2 all > "$T/make.log" 2>&1
make -C "$TOP" -s -o all install DESTDIR="$T/root" PREFIX=/usr \
    > "$T/install.log" 2>&1
check "make install DESTDIR PREFIX=/usr" test $? = 0
(cd "$T/root" && find . \( -type f -o -type l \) | sed 's#^\.#/out#' | sort) \
    > "$T/installed"
$M copies "$D/Containerfile" > "$T/copies"
check "the Containerfile COPYs exactly what make install installs" \
    diff -u "$T/installed" <(cut -d' ' -f1 "$T/copies" | sort)
check "each COPY puts the file where make install meant it" \
    awk '"/out" $2 != $1 { exit 1 }' "$T/copies"
check "the build stage installs with DESTDIR=/out PREFIX=/usr" \
    grep -q -E 'make .*install DESTDIR=/out PREFIX=/usr' "$D/Containerfile"
check "both stages are Debian 12" \
    test "$(grep -c -E '^FROM ([a-z.]+/)*(library/)?debian:12(-slim)?( |$)' \
           "$D/Containerfile")" = 2

# The runtime stage's packages ($T/pkgs) against those of the libraries the
# daemon links ($T/lib-pkgs, "PACKAGE LIBRARY" lines).
$M runtime-pkgs "$D/Containerfile" > "$T/pkgs"
for lib in $(ldd "$T/root/usr/sbin/ovn-bgp-speaker" \
             | awk '$3 ~ /^\// { print $3 }'); do
    pkg=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "/usr$lib" 2>/dev/null \
          || dpkg -S "$(readlink -f "$lib")" 2>/dev/null)
    echo "${pkg%%:*} $lib"
done > "$T/lib-pkgs"
# each_listed FILE LIST WHAT: the first word of every line of FILE is a line
# of LIST; notes each line that is not, followed by WHAT.
each_listed() {
    local pkg rest missing=0
    while read -r pkg rest; do
        if ! grep -q -x -- "$pkg" "$2"; then
            note "$pkg${rest:+ ($rest)} $3"
            missing=1
        fi
    done < "$1"
    return $missing
}
cut -d' ' -f1 "$T/lib-pkgs" > "$T/linked-pkgs"
grep -v -x ovn-common "$T/pkgs" > "$T/lib-pkgs-installed"   # ovn-common: tools
check "the runtime stage installs every library the daemon links" \
    each_listed "$T/lib-pkgs" "$T/pkgs" "is not installed at run time"
check "the runtime stage installs no library package the daemon does not link" \
    each_listed "$T/lib-pkgs-installed" "$T/linked-pkgs" \
        "is installed at run time; the daemon links none of its libraries"
in_archive() {
    xargs apt-cache show < "$T/pkgs" > /dev/null 2>&1
}
check "every runtime package is in Debian's archive" in_archive

# ---------------------------------------------------------------------------
# deploy/ovn-bgp-speaker.service and its /etc/default file.

U=$D/ovn-bgp-speaker.service
unit_has() {
    grep -q -x -E -- "$1" "$U"
}
check "unit: EnvironmentFile=-/etc/default/ovn-bgp-speaker" \
    unit_has 'EnvironmentFile=-/etc/default/ovn-bgp-speaker'
check "unit: Restart=on-failure" unit_has 'Restart=on-failure'
check "unit: after and wanting the NB database" sh -c "
    grep -q -E '^After=.* ovn-ovsdb-server-nb.service( |\$)' '$U' &&
    grep -q -E '^Wants=.* ovn-ovsdb-server-nb.service( |\$)' '$U'"
nb_units_exist() {
    local u
    for u in $(sed -n -E 's/^(After|Wants)=//p' "$U"); do
        case $u in
        ovn-*) systemctl cat "$u" > /dev/null 2>&1 \
                   || [ -f "/lib/systemd/system/$u" ] || return 1 ;;
        esac
    done
}
check "unit: the ovn-* units it names are ovn-central's" nb_units_exist

# ExecStart with the default file's options (and its commented example):
# the daemon accepts them.
exec_start() {
    sed -n '/^ExecStart=/,/[^\\]$/p' "$U" | sed 's/^ExecStart=//; s/\\$//' \
        | tr '\n' ' '
}
accepts_default_opts() {
    local opts
    opts=$(set -a; . "$D/ovn-bgp-speaker.default";
           echo "$OVN_BGP_SPEAKER_OPTS")
    [ -n "$opts" ] || return 1
    # shellcheck disable=SC2046
    accepts_args $(exec_start | sed "s#\\\$OVN_BGP_SPEAKER_OPTS#$opts#" \
                   | cut -d' ' -f2-)
}
check "the daemon accepts ExecStart with the default file's options" \
    accepts_default_opts
accepts_example_opts() {
    local opts
    opts=$(sed -n 's/^#OVN_BGP_SPEAKER_OPTS="\(.*\)"$/\1/p' \
           "$D/ovn-bgp-speaker.default" \
           | sed "s#--auth-password-file=[^ ]*#--auth-password-file=$T/password#")
    [ -n "$opts" ] || return 1
    # shellcheck disable=SC2086
    accepts_args $opts
}
check "the daemon accepts the default file's commented example" \
    accepts_example_opts

if command -v systemd-analyze > /dev/null; then
    # verify needs the ExecStart program and the man page: the ones just
    # installed under $T/root.
    mkdir -p "$T/unit"
    sed "s#/usr/sbin/ovn-bgp-speaker#$T/root/usr/sbin/ovn-bgp-speaker#" "$U" \
        > "$T/unit/ovn-bgp-speaker.service"
    verify_unit() {
        MANPATH=$T/root/usr/share/man SYSTEMD_LOG_COLOR=0 \
            systemd-analyze verify "$T/unit/ovn-bgp-speaker.service" \
            > "$T/verify.log" 2>&1
        local rc=$?
        [ -s "$T/verify.log" ] && note "$(cat "$T/verify.log")"
        [ $rc = 0 ] && [ ! -s "$T/verify.log" ]
    }
    check "systemd-analyze verify: no error, no warning" verify_unit
else
    skip "systemd-analyze verify: systemd is not installed"
fi

done_testing
