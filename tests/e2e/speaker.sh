# The speaker daemon in end-to-end tests (source after tests/lib.sh and
# tests/bgp/peers.sh).
#
# speaker_start NAME FLAGS...   runs the daemon in the background with its
#                               log in $T/NAME.log, its control socket at
#                               $T/NAME.ctl and the NB database $NB_DB;
#                               SPEAKER_PID is its pid.
# appctl NAME COMMAND...        ovs-appctl on its control socket
# nb_annotated_pod              the NB gets the annotated subnet ovn-default
#                               (10.16.0.0/16) and its annotated pod
#                               web.default (10.16.0.5)
# speaker_state NAME            the first neighbor's state
# speaker_up NAME               true once every neighbor is Established

speaker_start() {
    local name=$1
    shift
    spawn "$name" "$SPEAKER" --ovnnb-db="$NB_DB" --unixctl="$T/$name.ctl" \
        -vconsole:info "$@"
    SPEAKER_PID=$SPAWNED
    wait_until 10 test -S "$T/$name.ctl"
}

nb_annotated_pod() {
    nbctl ls-add ovn-default -- set logical_switch ovn-default \
        other_config:subnet=10.16.0.0/16 \
        external_ids:ovn.kubernetes.io/bgp=true
    nbctl lsp-add ovn-default web.default \
        -- lsp-set-addresses web.default "0a:58:0a:10:00:05 10.16.0.5" \
        -- set logical_switch_port web.default \
           external_ids:ovn.kubernetes.io/bgp=true
}

appctl() {
    local name=$1
    shift
    ovs-appctl --timeout=10 -t "$T/$name.ctl" "$@"
}

speaker_up() {
    local out
    out=$(appctl "$1" bgp/neighbors) || return 1
    [ -n "$out" ] && ! grep -q '  state: ' <<< "$(grep '  state: ' <<< "$out" | grep -v 'state: Established')"
}

# lacks_route ROUTER PREFIX: the router has no path for PREFIX.
lacks_route() {
    ! peer_has_route "$@"
}

# route_count_is ROUTER N: the router has exactly N paths from speakers.
route_count_is() {
    test "$(peer_received_count "$1")" = "$2"
}

# router_state_is ROUTER STATE
router_state_is() {
    test "$(peer_state "$1")" = "$2"
}

# watch ROUTER PREFIX...: samples the router's table into $T/watch until
# unwatch, one line per sample: "ok", or the prefixes it lacked.
watch() {
    local router=$1
    shift
    (
        while :; do
            routes=$(peer_routes "$router")
            missing=
            for p in "$@"; do
                grep -q "^$p " <<< "$routes" || missing="$missing $p"
            done
            echo "${missing:-ok}"
        done
    ) > "$T/watch" 2>/dev/null &
    WATCH_PID=$!
    _pids+=("$WATCH_PID")
    wait_until 10 test -s "$T/watch"
}
unwatch() {
    kill "$WATCH_PID" 2>/dev/null
    wait "$WATCH_PID" 2>/dev/null
}
# never_missing [MIN]: at least MIN (default 2) samples, every one "ok".
never_missing() {
    test "$(grep -c . "$T/watch")" -ge "${1:-2}" && ! grep -v -x ok "$T/watch"
}
