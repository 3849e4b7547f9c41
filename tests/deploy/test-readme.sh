#!/bin/bash
# Every command in the README is run here, or is marked as needing what a
# test machine does not have.
#
# - Each ```sh block: if its heading says "(needs a cluster)", "(needs a
#   container engine)", "(needs systemd)" or "(needs a router)" it is not
#   run (a block with kubectl, podman, systemctl or journalctl, or an address
#   other than loopback, must say so).  Otherwise every command in it must be
#   one this test knows how to run, and it is run: a new command fails here
#   until it is tested.
# - The ovn-bgp-annotate and ovn-nbctl commands of the "Publish and remove"
#   table are run against a real NB, and the annotation checked after each.
. "$(dirname "$0")/../lib.sh"

README=$TOP/README.md
MARKERS='\((needs a cluster|needs a container engine|needs systemd|needs a router)\)'
K=ovn.kubernetes.io/bgp

# `make sandbox` runs in a session of its own; on any exit, end that whole
# process group and remove its folder.
sandbox_pgid=
sandbox_dir=
_readme_cleanup() {
    if [ -n "$sandbox_pgid" ] && pgrep -g "$sandbox_pgid" > /dev/null; then
        kill -TERM -- "-$sandbox_pgid" 2>/dev/null
        wait_until 10 group_empty "$sandbox_pgid"
        kill -KILL -- "-$sandbox_pgid" 2>/dev/null
    fi
    case $sandbox_dir in
        "${TMPDIR:-/tmp}"/ovn-bgp-sandbox.?*) rm -rf "$sandbox_dir" ;;
    esac
}
trap '_readme_cleanup; _cleanup' EXIT

# exited PID: the process (our child) has exited, reaped or not.
exited() {
    [ ! -e "/proc/$1/stat" ] || [ "$(awk '{print $3}' "/proc/$1/stat")" = Z ]
}
group_empty() {
    ! pgrep -g "$1" > /dev/null
}

# The README's ovn-bgp-speaker is the one under test.
mkdir -p "$T/bin"
ln -s "$SPEAKER" "$T/bin/ovn-bgp-speaker"

# ---------------------------------------------------------------------------
# The NB the commands run against: the table's rows, and an annotated subnet
# of its own for the --dry-run block.

nb_start
nbctl ls-add ovn-default \
    -- lsp-add ovn-default sample \
    -- set Logical_Switch_Port sample 'external_ids:pod="default/sample"' \
    -- lsp-add ovn-default perf-ovn-xzvd4 \
    -- set Logical_Switch_Port perf-ovn-xzvd4 \
         'external_ids:pod="default/perf-ovn-xzvd4"' \
    -- lb-add cluster-tcp-lb 10.96.0.10:53 10.16.0.2:53 \
    -- ls-add join \
    -- set Logical_Switch join other_config:subnet=100.64.0.0/16 \
         external_ids:$K=true > /dev/null
PERF_UUID=$(nbctl --bare --columns=_uuid find Logical_Switch_Port \
    'external_ids:pod="default/perf-ovn-xzvd4"')
check "the test NB has the table's rows" test -n "$PERF_UUID"

# ---------------------------------------------------------------------------
# How each runnable command is run and checked.

sandbox_up() {
    grep -q '^Routes at BIRD' "$T/sandbox.log" || exited "$1"
}
run_sandbox() {
    # Ctrl-C, as a user would: SIGINT to the foreground process group.  A
    # background job here starts with SIGINT ignored; undo that, and give it
    # a session (and so a process group) of its own.
    local -a argv
    read -r -a argv <<< "$1"
    (cd "$TOP" && exec python3 -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp(sys.argv[1], sys.argv[1:])' "${argv[@]}") > "$T/sandbox.log" 2>&1 &
    local pid=$!
    _pids+=("$pid")
    sandbox_pgid=$pid
    # The first time, `make` builds the release daemon.  The wait ends
    # early if the sandbox gives up (it prints why).
    wait_until 300 sandbox_up "$pid"
    check "\`$1\` prints the routes at BIRD" \
        grep -q '^Routes at BIRD' "$T/sandbox.log" \
        || note "$(tail -n 40 "$T/sandbox.log")"
    check "  all six of them, from the speaker" wait_until 10 eval \
        'test "$(grep -c " from 127\.0\.0\.1\]" "$T/sandbox.log")" = 6'
    sandbox_dir=$(sed -n 's|^NB database: OVN_NB_DB=unix:\(.*\)/nb\.sock$|\1|p' \
        "$T/sandbox.log")
    check "  in a folder of its own" test -d "$sandbox_dir"
    check "  and waits for Ctrl-C" eval '! exited "$pid"'
    kill -INT -- "-$sandbox_pgid"
    check "Ctrl-C ends \`$1\`" wait_until 20 exited "$pid"
    wait "$pid" 2>/dev/null
    check "  with every process it started" \
        wait_until 20 group_empty "$sandbox_pgid"
    check "  and removes its folder" test ! -e "$sandbox_dir"
    sandbox_pgid=
}

run_make() {
    (cd "$TOP" && eval "$1") > "$T/make.log" 2>&1
    check "\`$1\`" test $? = 0 || note "$(tail -n 20 "$T/make.log")"
    check "  gives src/ovn-bgp-speaker" test -x "$TOP/src/ovn-bgp-speaker"
}

run_install() {
    local cmd=${1/DESTDIR=\/tmp\/stage/DESTDIR=$T/stage}
    (cd "$TOP" && eval "$cmd") > "$T/install.log" 2>&1
    check "\`$1\`, with DESTDIR=\$T/stage" test $? = 0 \
        || note "$(tail -n 20 "$T/install.log")"
    local f
    for f in sbin/ovn-bgp-speaker bin/ovn-bgp-annotate \
             share/man/man8/ovn-bgp-speaker.8; do
        check "  installs /usr/$f" test -s "$T/stage/usr/$f"
    done
}

run_dry_run() {
    local cmd=${1//unix:\/var\/run\/ovn\/ovnnb_db.sock/$NB_DB}
    spawn dry-run env PATH="$T/bin:$PATH" bash -c "exec $cmd"
    local pid=$SPAWNED
    check "\`$1\`, on the test NB, prints the routes" \
        wait_until 20 has_line "$T/dry-run.log" '\+ 100\.64\.0\.0/16 subnet:join' \
        || note "$(tail -n 20 "$T/dry-run.log")"
    check "  and goes on watching" eval '! exited "$pid"'
    kill -TERM "$pid"
    check "  until SIGTERM" wait_until 20 exited "$pid"
    # OVS's fatal_signal ends it by the signal itself: 143, or 0.
    wait "$pid"
    local rc=$?
    check "  which ends it cleanly" eval '{ [ $rc = 0 ] || [ $rc = 143 ]; } &&
        ! grep -q -E "Sanitizer|runtime error" "$T/dry-run.log"' \
        || note "status $rc: $(tail -n 20 "$T/dry-run.log")"
}

# run_command HEADING COMMAND: one command of an unmarked block.
run_command() {
    case $2 in
        "make sandbox") run_sandbox "$2" ;;
        "make check")
            echo "# make check: not run here: it runs this test" ;;
        "make") run_make "$2" ;;
        "make install PREFIX=/usr DESTDIR=/tmp/stage") run_install "$2" ;;
        "ovn-bgp-speaker --dry-run --ovnnb-db=unix:/var/run/ovn/ovnnb_db.sock"*)
            run_dry_run "$2" ;;
        *)
            check "$1: \`$2\` is run by this test, or the heading is marked" \
                false
            note "run it in $0, or mark the heading with (needs a" \
                 "cluster), (needs a container engine), (needs systemd) or" \
                 "(needs a router)" ;;
    esac
}

# ---------------------------------------------------------------------------
# The ```sh blocks, each as $T/block.N with its heading in $T/block.N.h.

awk -v dir="$T" '
    in_sh && /^```/ { in_sh = 0; next }
    in_sh { print > (dir "/block." n); next }
    /^```sh[[:space:]]*$/ {
        in_sh = 1; n++
        printf "" > (dir "/block." n)
        print heading > (dir "/block." n ".h")
        next
    }
    /^```/ { in_other = !in_other; next }
    !in_other && /^##?#? / { heading = $0 }
' "$README"
nblocks=$(find "$T" -maxdepth 1 -name 'block.*.h' | wc -l)
check "the README has sh blocks ($nblocks)" test "$nblocks" -gt 0

for ((i = 1; i <= nblocks; i++)); do
    heading=$(cat "$T/block.$i.h")
    # One command per line: continuations joined, comments dropped.
    mapfile -t cmds < <(sed -e ':a' -e '/\\$/{N;s/[[:space:]]*\\\n[[:space:]]*/ /;ba}' \
            "$T/block.$i" \
        | sed -e 's/^[[:space:]]*#.*//' -e 's/[[:space:]]\+#.*$//' \
              -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' \
        | grep -v '^$')
    text=$(printf '%s\n' "${cmds[@]}")
    # What a block needs is said in its heading.
    need=
    grep -q -w kubectl <<< "$text" && need="needs a cluster"
    grep -q -E -w 'podman|docker|buildah' <<< "$text" \
        && need="needs a container engine"
    grep -q -E -w 'systemctl|journalctl' <<< "$text" && need="needs systemd"
    remote=$(grep -o -E '\b[0-9]{1,3}(\.[0-9]{1,3}){3}\b' <<< "$text" \
        | grep -v '^127\.' | head -n 1)

    if grep -q -E -- "$MARKERS" <<< "$heading"; then
        marker=$(grep -o -E -- "$MARKERS" <<< "$heading")
        if [ -n "$need" ]; then
            check "$heading: not run here, says ($need)" \
                test "$marker" = "($need)"
        else
            check "$heading: not run here $marker" true
        fi
        continue
    fi
    if [ -n "$need" ] || [ -n "$remote" ]; then
        check "$heading: a block that ${need:-talks to $remote} is marked" false
        continue
    fi
    for cmd in "${cmds[@]}"; do
        run_command "$heading" "$cmd"
    done
done

# ---------------------------------------------------------------------------
# The commands of the "Publish and remove" table.

mapfile -t table < <(awk '
        /^##?#? / { in_table = /^## Publish and remove/ }
        in_table && /^\|/' "$README" \
    | grep -o -E '`[^`]+`' | tr -d '`' \
    | grep -E '^(ovn-bgp-annotate|ovn-nbctl) ')
check "the Publish and remove table has commands (${#table[@]})" \
    test "${#table[@]}" -gt 0

# annotation TABLE RECORD: the value of the key, or nothing.
annotation() {
    nbctl --if-exists get "$1" "$2" "external_ids:$K" | tr -d '"'
}
in_nb() {
    env OVN_NB_DB="$NB_DB" PATH="$TOP/scripts:$PATH" bash -c "$1"
}

for cmd in "${table[@]}"; do
    run=${cmd//UUID/$PERF_UUID}
    tbl='' rec='' want=''
    if [[ $run =~ ^ovn-bgp-annotate\ (pod|subnet|service)\ ([^ ]+)\ ([^ ]+)$ ]]; then
        rec=${BASH_REMATCH[2]}
        want=${BASH_REMATCH[3]}
        case ${BASH_REMATCH[1]} in
            pod)
                tbl=Logical_Switch_Port
                rec=$(nbctl --bare --columns=_uuid find Logical_Switch_Port \
                    "external_ids:pod=\"$rec\"") ;;
            subnet) tbl=Logical_Switch ;;
            service) tbl=Load_Balancer ;;
        esac
        [ "$want" = - ] && want=
    elif [[ $run =~ ^ovn-nbctl\ set\ ([A-Za-z_]+)\ (.+)\ external_ids:ovn\.kubernetes\.io/bgp=([a-z]+)$ ]]; then
        tbl=${BASH_REMATCH[1]}
        rec=$(in_nb "echo ${BASH_REMATCH[2]}")
        want=${BASH_REMATCH[3]}
    elif [[ $run =~ ^ovn-nbctl\ remove\ ([A-Za-z_]+)\ (.+)\ external_ids\ ovn\.kubernetes\.io/bgp$ ]]; then
        tbl=${BASH_REMATCH[1]}
        rec=$(in_nb "echo ${BASH_REMATCH[2]}")
    else
        check "\`$cmd\` is one this test knows how to check" false
        continue
    fi
    if [ -z "$rec" ] || ! nbctl get "$tbl" "$rec" _uuid > /dev/null 2>&1; then
        check "\`$cmd\`: its row is in the test NB" false
        continue
    fi
    # Start from the other state, so that the command itself does the work.
    if [ -n "$want" ]; then
        nbctl remove "$tbl" "$rec" external_ids "$K"
    else
        nbctl set "$tbl" "$rec" "external_ids:$K=true"
    fi
    in_nb "$run" > "$T/table.out" 2>&1
    check "\`$cmd\`" test $? = 0 || note "$(cat "$T/table.out")"
    check "  leaves $tbl ${rec:0:8} with ${want:-no} $K" \
        test "$(annotation "$tbl" "$rec")" = "$want"
done

done_testing
