# shellcheck shell=bash
# What the scripts share (the sandbox and the benchmarks): source it, then
# call scratch_init.  The tests have tests/lib.sh, which takes now_ns,
# wait_until and free_port from here.
#
# scratch_init PREFIX     a private folder $SCRATCH, removed at exit with
#                         every process in $pids stopped first
# stop PID...             TERM, up to 5 s, then KILL; quiet
# wait_until SECONDS CMD  true as soon as CMD succeeds (its stderr
#                         dropped), false if it has not by the deadline;
#                         polls every 10 ms
# free_port               a TCP port free on loopback right now
# nb_server_start DIR     a throw-away NB ovsdb-server in DIR: sets NB_PID
#                         and NB_DB (unix:DIR/nb.sock), once it answers
# bird_up SOCK            the BIRD with control socket SOCK is up (birdc,
#                         or $BIRDC)

now_ns() { date +%s%N; }

pids=()

stop() {
    local p i
    for p in "$@"; do
        [ -n "$p" ] || continue
        {
            kill -TERM "$p"
            i=0
            while kill -0 "$p" && [ $i -lt 100 ]; do
                sleep 0.05
                i=$((i + 1))
            done
            kill -KILL "$p"
            wait "$p"
        } 2>/dev/null || true
    done
}

_scratch_cleanup() {
    stop "${pids[@]}"
    rm -rf "$SCRATCH"
}

scratch_init() {
    SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    trap _scratch_cleanup EXIT
}

wait_until() {
    local deadline=$(( $(now_ns) + $1 * 1000000000 ))
    shift
    until "$@" 2>/dev/null; do
        [ "$(now_ns)" -lt "$deadline" ] || return 1
        sleep 0.01
    done
}

free_port() {
    python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

_nb_answers() {
    ovn-nbctl --db="$NB_DB" --timeout=1 show > /dev/null 2>&1
}

nb_server_start() {
    local dir=$1
    mkdir -p "$dir"
    ovsdb-tool create "$dir/nb.db" /usr/share/ovn/ovn-nb.ovsschema
    ovsdb-server "$dir/nb.db" --remote="punix:$dir/nb.sock" \
        --unixctl="$dir/ovsdb.ctl" --no-chdir -vconsole:off \
        --log-file="$dir/ovsdb.log" &
    NB_PID=$!
    pids+=("$NB_PID")
    NB_DB=unix:$dir/nb.sock
    if ! wait_until 10 _nb_answers; then
        echo "$0: ovsdb-server in $dir did not start" >&2
        return 1
    fi
}

bird_up() {
    "${BIRDC:-birdc}" -s "$1" show status 2>/dev/null |
        grep -q 'Daemon is up and running'
}
