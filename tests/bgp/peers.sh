# Real BGP routers (BIRD 2, FRR bgpd, GoBGP) as upstream peers of the
# speaker, for the script tests.  Source it after tests/lib.sh:
#
#     . "$(dirname "$0")/../lib.sh"
#     . "$(dirname "$0")/peers.sh"
#
# Each router is a private instance: its configuration, control socket, pid
# file and log live in $T/peer-NAME/ (the log is $T/peer-NAME.log), it talks
# only on loopback, it never touches the kernel's routing table, and it is
# stopped when the test exits, however it exits.  The system's own
# /etc/frr, /etc/bird and their daemons are left alone.
#
# peer_start KIND NAME key=value...      KIND: bird | frr | gobgp
#   local_as=AS          the router's AS (4-byte ASNs are fine)
#   router_id=A.B.C.D    default: listen_addr if IPv4, else 10.255.255.N
#   listen_addr=ADDR     the router's own address (127.0.0.x or ::1);
#                        default 127.0.0.2.  Also the source address of
#                        the connections it opens.
#   listen_port=PORT     where it accepts BGP connections (free_port)
#   neighbor_addr=ADDR[,ADDR...]   the speaker(s): distinct addresses, so
#                        at most one neighbor at ::1
#   neighbor_port=P[,P...]         where the router connects to each
#                        speaker; 0 = passive, it only accepts (default)
#   neighbor_as=AS[,AS...]         the speaker's AS; = local_as is iBGP
#                        (default: local_as)
#   md5=PASSWORD[,PASSWORD...]     TCP MD5 (RFC 2385) password
#   gr=1                 graceful restart: helper for the speaker, restart
#                        and stale-path time PEER_GR_TIME (600 s)
#   hold=SECONDS         hold time, >= 3 (default 90); keepalive a third
#   multihop=TTL         eBGP multihop (1 = 255)
#   families=ipv4|ipv6|both        (default both)
#   ext_nh=1             IPv4 routes with an IPv6 next hop (RFC 8950)
#   originate=PREFIX[,PREFIX...]   the only routes the router sends
#   nexthop4=ADDR, nexthop6=ADDR   their next hop (default: the router's
#                        own address)
#   A list value is per neighbor, in neighbor_addr's order; a single value
#   applies to all.
#
#   The router imports everything it receives (no kernel, no policy) and
#   sends nothing but its `originate` routes.  Returns non-zero, with the
#   router's log on stderr, if the router does not start (for FRR: also if
#   it refused a line of its configuration).  PEER_PID is its pid.
#
# peer_state NAME [NEIGHBOR]   one word: Established, Idle, Connect, Active,
#                              OpenSent, OpenConfirm, Unknown (no such
#                              neighbor, CLI failed).  With several
#                              neighbors and none named: the first that is
#                              not Established, else Established.  A
#                              stopped router: Idle.
# peer_routes NAME [NEIGHBOR]  the paths the router has from the speaker(s),
#                              sorted, one line per path (two speakers, one
#                              prefix: two lines):
#                                PREFIX NEXTHOP ASPATH LOCALPREF [stale]
#                              NEXTHOP: the global one, in Python's
#                              compressed form (an IPv4-mapped next hop of
#                              an IPv6 route: ::ffff:7f00:2).  ASPATH: ASNs
#                              joined by `_`, AS_SETs as {a,b}, `-` if
#                              empty.  LOCALPREF: the number on iBGP, `-`
#                              on eBGP (receivers ignore it there; BIRD
#                              would show its own default).  `stale`: kept
#                              by the graceful-restart helper (FRR and
#                              GoBGP; BIRD keeps them but does not say).
# peer_has_route NAME PREFIX [NEXTHOP]   a peer_routes line with them
# peer_received_count NAME [NEIGHBOR]    how many lines peer_routes prints
# peer_route_refresh NAME [NEIGHBOR]     the router sends a ROUTE-REFRESH
#                              (FRR: clear bgp X soft in; BIRD: reload in);
#                              2 = unsupported (GoBGP)
# peer_stop NAME               TERM, and wait: a clean stop, the speaker
#                              gets a Cease NOTIFICATION
# peer_kill NAME               KILL, and wait: the TCP connection just
#                              closes (the speaker's GR helper case)
# peer_log NAME                the router's log
# peer_cli NAME ARGS...        its CLI: birdc, vtysh -c "ARGS", gobgp
# free_port                    (tests/lib.sh) a TCP port free on loopback now
#
# Peer a router again under the same NAME after peer_stop/peer_kill to
# restart it.  peers.sh replaces lib.sh's EXIT trap with one that stops the
# routers first and then calls _cleanup.
#
# What the routers accept (bird 2.0.12, frr 8.4.4, gobgp 3.10):
# - GoBGP 3.10 treats as withdrawn an IPv4 route whose NEXT_HOP is in
#   127/8 (newer GoBGP allows it on loopback sessions): the speaker must
#   advertise another next hop to it, e.g. 192.0.2.x (never used for
#   traffic).
# - FRR takes 127/8 next hops (allow-reserved-ranges, bgp
#   allow-martian-nexthop) but denies an IPv6 next hop ::1 ("martian or
#   self next-hop"): towards FRR use e.g. 2001:db8::x, or an IPv4-mapped
#   ::ffff:127.0.0.x.
# - BIRD reads an IPv4-mapped next hop as IPv4; IPv6 channels on IPv4
#   sessions have `extended next hop` on so that it takes them.  BIRD will
#   not send a next hop equal to the neighbor's address (both on ::1): set
#   nexthop4/nexthop6 when BIRD originates on ::1.  It runs every session
#   as multihop (it finds no directly connected neighbor on lo), so it
#   sends TTL 64, and resolves any next hop through a default route on lo
#   in its own tables.
# - ext_nh: BIRD on any session; FRR (capability extended-nexthop) only on
#   IPv6 sessions; GoBGP always offers it on IPv6 sessions, never on IPv4.
# - GoBGP dials at most every ~5 s whatever connect-retry: with GoBGP
#   active, allow ~10 s for the session, or let the speaker dial.
# - GoBGP has no route-refresh command: `gobgp neighbor X softresetin`
#   only re-reads its Adj-RIB-In.
# - FRR runs with --no_zebra --skip_runas (as root); vtysh keeps its
#   history in $T, not ~/.history_frr; bgpd's crash-log folder
#   /var/tmp/frr/bgpd.PID, left when it is killed, is removed.

PEER_GR_TIME=${GR_TIME:-600}
BIRD=${BIRD:-bird}
BIRDC=${BIRDC:-birdc}
FRR_BGPD=${FRR_BGPD:-/usr/lib/frr/bgpd}
VTYSH=${VTYSH:-vtysh}
GOBGPD=${GOBGPD:-gobgpd}
GOBGP=${GOBGP:-gobgp}
if [ -x /usr/bin/python3 ]; then
    PEER_PY=/usr/bin/python3
else
    PEER_PY=python3
fi

declare -A _peer_kind=() _peer_pid=() _peer_las=() _peer_nbrs=() \
    _peer_nas=()
_peer_names=()

# Stop the routers cleanly before lib.sh's cleanup removes $T; FRR leaves
# /var/tmp/frr/bgpd.PID behind when it dies by KILL.
_peer_cleanup() {
    local name
    for name in "${_peer_names[@]}"; do
        _peer_halt "$name" TERM
    done
}
trap '_peer_cleanup; _cleanup' EXIT

# _peer_list VALUE INDEX: element INDEX of the comma list VALUE, or its
# only element.
_peer_list() {
    local -a v
    IFS=, read -r -a v <<< "$1"
    if [ "${#v[@]}" -le 1 ]; then
        echo "${v[0]:-}"
    else
        echo "${v[$2]:-}"
    fi
}


_peer_is_v6() {
    [[ $1 == *:* ]]
}

peer_start() {
    local kind=$1 name=$2
    shift 2
    local -A o=([local_as]=65001 [listen_addr]=127.0.0.2 [listen_port]=179
                [neighbor_addr]=127.0.0.1 [neighbor_port]=0 [neighbor_as]=""
                [md5]="" [gr]=0 [hold]=90 [multihop]="" [families]=both
                [ext_nh]=0 [originate]="" [router_id]=""
                [nexthop4]="" [nexthop6]="")
    local kv
    for kv in "$@"; do
        case $kv in
            *=*) ;;
            *) echo "peer_start: $kv: not key=value" >&2; return 1 ;;
        esac
        if [ -z "${o[${kv%%=*}]+x}" ]; then
            echo "peer_start: unknown key ${kv%%=*}" >&2
            return 1
        fi
        o[${kv%%=*}]=${kv#*=}
    done
    [ -n "${o[neighbor_as]}" ] || o[neighbor_as]=${o[local_as]}
    if [ -z "${o[router_id]}" ]; then
        if _peer_is_v6 "${o[listen_addr]}"; then
            o[router_id]=10.255.255.$(( ${#_peer_names[@]} % 250 + 1 ))
        else
            o[router_id]=${o[listen_addr]}
        fi
    fi
    case ${o[families]} in
        ipv4) o[v4]=1 o[v6]=0 ;;
        ipv6) o[v4]=0 o[v6]=1 ;;
        both) o[v4]=1 o[v6]=1 ;;
        *) echo "peer_start: families=${o[families]}?" >&2; return 1 ;;
    esac
    [ "${o[multihop]}" != 1 ] || o[multihop]=255

    local dir=$T/peer-$name
    rm -rf "$dir"
    mkdir -p "$dir"
    local -a nbrs
    IFS=, read -r -a nbrs <<< "${o[neighbor_addr]}"
    local i nas=
    for i in "${!nbrs[@]}"; do
        nas+="${nas:+,}$(_peer_list "${o[neighbor_as]}" "$i")"
    done
    _peer_kind[$name]=$kind
    _peer_las[$name]=${o[local_as]}
    _peer_nbrs[$name]=${o[neighbor_addr]}
    _peer_nas[$name]=$nas
    case " ${_peer_names[*]} " in
        *" $name "*) ;;
        *) _peer_names+=("$name") ;;
    esac

    case $kind in
        bird|frr|gobgp) "_peer_start_$kind" "$name" "$dir" o nbrs || {
            echo "peer_start: $kind $name did not start; its log:" >&2
            sed 's/^/    /' "$T/peer-$name.log" >&2
            _peer_halt "$name" KILL
            return 1
        } ;;
        *) echo "peer_start: kind $kind?" >&2; return 1 ;;
    esac
    # shellcheck disable=SC2034  # for the caller
    PEER_PID=${_peer_pid[$name]}
}

# _peer_run NAME CMD...: like spawn, the pid goes to _peer_pid and _pids.
_peer_run() {
    local name=$1
    shift
    spawn "peer-$name" "$@"
    _peer_pid[$name]=$SPAWNED
}

_peer_alive() {
    kill -0 "${_peer_pid[$1]}" 2>/dev/null
}

# _peer_halt NAME SIGNAL
_peer_halt() {
    local name=$1 sig=$2 pid=${_peer_pid[$1]:-} i=0
    [ -n "$pid" ] || return 0
    # (Quiet: bash reports a job killed by a signal on stderr.)
    {
        kill "-$sig" "$pid"
        while kill -0 "$pid" && [ $i -lt 200 ]; do
            sleep 0.05
            i=$((i + 1))
        done
        kill -KILL "$pid"
        wait "$pid"
    } 2>/dev/null
    # bgpd makes /var/tmp/frr/bgpd.PID (in /var/tmp/frr, which it
    # leaves), and removes it unless killed.  (A bgpd starting while the
    # folder goes only loses its crash log.)
    if [ "${_peer_kind[$name]}" = frr ]; then
        rm -rf "/var/tmp/frr/bgpd.$pid"
        rmdir /var/tmp/frr 2>/dev/null
    fi
    _peer_pid[$name]=
    return 0
}

peer_stop() {
    _peer_halt "$1" TERM
}

peer_kill() {
    _peer_halt "$1" KILL
}

peer_log() {
    cat "$T/peer-$1.log"
}

peer_cli() {
    local name=$1 dir=$T/peer-$1
    shift
    case ${_peer_kind[$name]} in
        bird) "$BIRDC" -s "$dir/bird.ctl" "$@" ;;
        frr) "$VTYSH" --vty_socket "$dir" -H "$dir/vtysh.history" \
                 -d bgpd -c "$*" ;;
        gobgp) "$GOBGP" --target "unix://$dir/gobgp.sock" "$@" ;;
    esac
}

# ---------------------------------------------------------------------------
# BIRD 2

_peer_start_bird() {
    local name=$1 dir=$2
    local -n _o=$3 _n=$4
    local conf=$dir/bird.conf i p
    {
        echo "log stderr all;"
        echo "router id ${_o[router_id]};"
        # Interfaces are only read, to resolve next hops on lo.
        echo "protocol device { scan time 60; }"
        # Next hops resolve through these (any address, on lo), so that
        # every route received is kept whatever its next hop.
        echo "ipv4 table igp4; ipv6 table igp6;"
        echo "protocol static igp4s { ipv4 { table igp4; import all; };"
        echo "    route 0.0.0.0/0 via \"lo\"; }"
        echo "protocol static igp6s { ipv6 { table igp6; import all; };"
        echo "    route ::/0 via \"lo\"; }"
        echo "protocol static orig4 { ipv4 { import all; };"
        for p in ${_o[originate]//,/ }; do
            _peer_is_v6 "$p" || echo "    route $p unreachable;"
        done
        echo "}"
        echo "protocol static orig6 { ipv6 { import all; };"
        for p in ${_o[originate]//,/ }; do
            ! _peer_is_v6 "$p" || echo "    route $p unreachable;"
        done
        echo "}"
        for i in "${!_n[@]}"; do
            _peer_bird_proto "$i" "${_n[$i]}"
        done
    } > "$conf"
    _peer_run "$name" "$BIRD" -f -c "$conf" -s "$dir/bird.ctl" \
        -P "$dir/bird.pid"
    wait_until 10 _peer_bird_ready "$name"
}

_peer_bird_ready() {
    _peer_alive "$1" && peer_cli "$1" show status 2>/dev/null \
        | grep -q 'Daemon is up and running'
}

# _peer_bird_proto INDEX NEIGHBOR (uses _o from the caller)
_peer_bird_proto() {
    local i=$1 nbr=$2 port md5 nas mh ch nh
    port=$(_peer_list "${_o[neighbor_port]}" "$i")
    md5=$(_peer_list "${_o[md5]}" "$i")
    nas=$(_peer_list "${_o[neighbor_as]}" "$i")
    mh=$(_peer_list "${_o[multihop]}" "$i")
    echo "protocol bgp n$i {"
    echo "    local ${_o[listen_addr]} port ${_o[listen_port]} as ${_o[local_as]};"
    echo "    strict bind yes;"
    if [ "${port:-0}" = 0 ]; then
        echo "    neighbor $nbr as $nas;"
        echo "    passive on;"
    else
        echo "    neighbor $nbr port $port as $nas;"
    fi
    echo "    hold time ${_o[hold]};"
    echo "    connect delay time 1; connect retry time 1;"
    echo "    error wait time 1, 4; error forget time 10;"
    [ -z "$md5" ] || echo "    password \"$md5\";"
    # BIRD finds no directly connected neighbor on lo: multihop always.
    echo "    multihop ${mh:-1};"
    if [ "${_o[gr]}" = 1 ]; then
        echo "    graceful restart on;"
        echo "    graceful restart time $PEER_GR_TIME;"
    else
        echo "    graceful restart off;"
    fi
    for ch in 4 6; do
        [ "${_o[v$ch]}" = 1 ] || continue
        echo "    ipv$ch {"
        echo "        import all;"
        echo "        export where proto = \"orig$ch\";"
        echo "        gateway recursive; igp table igp$ch;"
        if [ $ch = 4 ] && [ "${_o[ext_nh]}" = 1 ]; then
            echo "        extended next hop on;"
        fi
        # IPv6 routes over IPv4: BIRD takes an IPv4-mapped next hop for
        # an IPv4 one, and refuses it unless told so.
        nh=${_o[nexthop$ch]}
        if [ $ch = 6 ] && ! _peer_is_v6 "${_o[listen_addr]}"; then
            echo "        extended next hop on;"
            nh=${nh:-::ffff:${_o[listen_addr]}}
        fi
        if [ -n "$nh" ]; then
            echo "        next hop address $nh;"
        else
            echo "        next hop self;"
        fi
        echo "    };"
    done
    echo "}"
}

# ---------------------------------------------------------------------------
# FRR bgpd, without zebra

_peer_start_frr() {
    local name=$1 dir=$2
    local -n _o=$3 _n=$4
    local conf=$dir/bgpd.conf i nbr port md5 nas mh p f
    local keep=$(( _o[hold] / 3 ))
    [ "$keep" -ge 1 ] || keep=1
    {
        echo "frr defaults traditional"
        echo "hostname $name"
        echo "log stdout informational"
        # Next hops in 127/8 and ::1 are fine here.
        echo "allow-reserved-ranges"
        echo "!"
        # Only its own routes go out; everything comes in.
        i=0
        for p in ${_o[originate]//,/ }; do
            i=$((i + 10))
            if _peer_is_v6 "$p"; then
                echo "ipv6 prefix-list ORIGINATED6 seq $i permit $p"
            else
                echo "ip prefix-list ORIGINATED4 seq $i permit $p"
            fi
        done
        echo "ip prefix-list ORIGINATED4 seq 999999 deny any"
        echo "ipv6 prefix-list ORIGINATED6 seq 999999 deny any"
        echo "route-map ORIGINATED4 permit 10"
        echo " match ip address prefix-list ORIGINATED4"
        [ -z "${_o[nexthop4]}" ] ||
            echo " set ip next-hop ${_o[nexthop4]}"
        echo "route-map ORIGINATED6 permit 10"
        echo " match ipv6 address prefix-list ORIGINATED6"
        [ -z "${_o[nexthop6]}" ] ||
            echo " set ipv6 next-hop global ${_o[nexthop6]}"
        echo "!"
        echo "router bgp ${_o[local_as]}"
        echo " bgp router-id ${_o[router_id]}"
        echo " no bgp ebgp-requires-policy"
        echo " no bgp default ipv4-unicast"
        echo " no bgp network import-check"
        echo " bgp allow-martian-nexthop"
        if [ "${_o[gr]}" = 1 ]; then
            echo " bgp graceful-restart"
            echo " bgp graceful-restart restart-time $PEER_GR_TIME"
            echo " bgp graceful-restart stalepath-time $PEER_GR_TIME"
        else
            echo " bgp graceful-restart-disable"
        fi
        for i in "${!_n[@]}"; do
            nbr=${_n[$i]}
            port=$(_peer_list "${_o[neighbor_port]}" "$i")
            md5=$(_peer_list "${_o[md5]}" "$i")
            nas=$(_peer_list "${_o[neighbor_as]}" "$i")
            mh=$(_peer_list "${_o[multihop]}" "$i")
            echo " neighbor $nbr remote-as $nas"
            echo " neighbor $nbr update-source ${_o[listen_addr]}"
            if [ "${port:-0}" = 0 ]; then
                echo " neighbor $nbr passive"
            else
                echo " neighbor $nbr port $port"
            fi
            echo " neighbor $nbr timers $keep ${_o[hold]}"
            echo " neighbor $nbr timers connect 1"
            echo " neighbor $nbr advertisement-interval 0"
            [ -z "$md5" ] || echo " neighbor $nbr password $md5"
            [ -z "$mh" ] || echo " neighbor $nbr ebgp-multihop $mh"
            [ "${_o[ext_nh]}" != 1 ] ||
                echo " neighbor $nbr capability extended-nexthop"
        done
        for f in 4 6; do
            [ "${_o[v$f]}" = 1 ] || continue
            echo " address-family ipv$f unicast"
            for p in ${_o[originate]//,/ }; do
                if { [ $f = 6 ] && _peer_is_v6 "$p"; } ||
                   { [ $f = 4 ] && ! _peer_is_v6 "$p"; }; then
                    echo "  network $p"
                fi
            done
            for nbr in "${_n[@]}"; do
                echo "  neighbor $nbr activate"
                echo "  neighbor $nbr route-map ORIGINATED$f out"
            done
            echo " exit-address-family"
        done
    } > "$conf"
    _peer_run "$name" "$FRR_BGPD" --no_zebra --skip_runas \
        -f "$conf" -i "$dir/bgpd.pid" --vty_socket "$dir" \
        -p "${_o[listen_port]}" -l "${_o[listen_addr]}"
    wait_until 10 _peer_frr_ready "$name" || return 1
    # bgpd starts whatever line of its configuration it did not take.
    ! grep -q -E 'on config line|[Cc]ommand incomplete' "$T/peer-$name.log"
}

_peer_frr_ready() {
    _peer_alive "$1" && peer_cli "$1" show bgp summary json 2>/dev/null \
        | grep -q '"'
}

# ---------------------------------------------------------------------------
# GoBGP

_peer_start_gobgp() {
    local name=$1 dir=$2
    local -n _o=$3 _n=$4
    local conf=$dir/gobgpd.toml i nbr port md5 nas mh f p keep
    keep=$(( _o[hold] / 3 ))
    [ "$keep" -ge 1 ] || keep=1
    {
        echo "[global.config]"
        echo "  as = ${_o[local_as]}"
        echo "  router-id = \"${_o[router_id]}\""
        echo "  port = ${_o[listen_port]}"
        echo "  local-address-list = [\"${_o[listen_addr]}\"]"
        echo "[global.apply-policy.config]"
        echo "  export-policy-list = [\"originated\"]"
        echo "  default-export-policy = \"reject-route\""
        echo "  default-import-policy = \"accept-route\""
        for i in "${!_n[@]}"; do
            nbr=${_n[$i]}
            port=$(_peer_list "${_o[neighbor_port]}" "$i")
            md5=$(_peer_list "${_o[md5]}" "$i")
            nas=$(_peer_list "${_o[neighbor_as]}" "$i")
            mh=$(_peer_list "${_o[multihop]}" "$i")
            echo "[[neighbors]]"
            echo "  [neighbors.config]"
            echo "    neighbor-address = \"$nbr\""
            echo "    peer-as = $nas"
            [ -z "$md5" ] || echo "    auth-password = \"$md5\""
            echo "  [neighbors.timers.config]"
            echo "    connect-retry = 1"
            echo "    hold-time = ${_o[hold]}"
            echo "    keepalive-interval = $keep"
            echo "    idle-hold-time-after-reset = 1"
            echo "  [neighbors.transport.config]"
            echo "    local-address = \"${_o[listen_addr]}\""
            if [ "${port:-0}" = 0 ]; then
                echo "    passive-mode = true"
            else
                echo "    remote-port = $port"
            fi
            if [ -n "$mh" ]; then
                echo "  [neighbors.ebgp-multihop.config]"
                echo "    enabled = true"
                echo "    multihop-ttl = $mh"
            fi
            if [ "${_o[gr]}" = 1 ]; then
                echo "  [neighbors.graceful-restart.config]"
                echo "    enabled = true"
                echo "    restart-time = $PEER_GR_TIME"
            fi
            for f in 4 6; do
                [ "${_o[v$f]}" = 1 ] || continue
                echo "  [[neighbors.afi-safis]]"
                echo "    [neighbors.afi-safis.config]"
                echo "      afi-safi-name = \"ipv$f-unicast\""
                if [ "${_o[gr]}" = 1 ]; then
                    echo "    [neighbors.afi-safis.mp-graceful-restart.config]"
                    echo "      enabled = true"
                fi
            done
        done
        echo "[[policy-definitions]]"
        echo "  name = \"originated\""
        echo "  [[policy-definitions.statements]]"
        echo "    [policy-definitions.statements.conditions.bgp-conditions]"
        echo "      route-type = \"local\""
        echo "    [policy-definitions.statements.actions]"
        echo "      route-disposition = \"accept-route\""
    } > "$conf"
    _peer_run "$name" "$GOBGPD" -f "$conf" -t toml -p \
        --api-hosts "unix://$dir/gobgp.sock" --pprof-disable
    wait_until 10 _peer_gobgp_ready "$name" || return 1
    for p in ${_o[originate]//,/ }; do
        if _peer_is_v6 "$p"; then f=6; else f=4; fi
        peer_cli "$name" global rib add -a "ipv$f" "$p" \
            ${_o[nexthop$f]:+nexthop "${_o[nexthop$f]}"} || return 1
    done
}

_peer_gobgp_ready() {
    _peer_alive "$1" && peer_cli "$1" global > /dev/null 2>&1
}

# ---------------------------------------------------------------------------
# Queries

# _peer_neighbors NAME [NEIGHBOR]: the neighbors, one per line, with their
# index (for BIRD's protocol names n0, n1...) and AS.
_peer_neighbors() {
    local -a nbrs nas
    IFS=, read -r -a nbrs <<< "${_peer_nbrs[$1]}"
    IFS=, read -r -a nas <<< "${_peer_nas[$1]}"
    local i
    for i in "${!nbrs[@]}"; do
        if [ -z "${2:-}" ] || [ "$2" = "${nbrs[$i]}" ]; then
            echo "$i ${nbrs[$i]} ${nas[$i]}"
        fi
    done
}

peer_state() {
    local name=$1 i nbr nas s first="" n=0
    [ -n "${_peer_pid[$name]:-}" ] || { echo Idle; return 0; }
    while read -r i nbr nas; do
        n=$((n + 1))
        s=$(_peer_state_one "$name" "$i" "$nbr")
        case $s in
            Established|Idle|Connect|Active|OpenSent|OpenConfirm) ;;
            # BIRD: Down, Close; FRR: Clearing, Deleted.
            Down|Close|Clearing|Deleted) s=Idle ;;
            *) s=Unknown ;;
        esac
        if [ "$s" != Established ] && [ -z "$first" ]; then
            first=$s
        fi
    done < <(_peer_neighbors "$name" "${2:-}")
    [ "$n" != 0 ] || first=Unknown
    echo "${first:-Established}"
}

_peer_state_one() {
    local name=$1 i=$2 nbr=$3
    case ${_peer_kind[$name]} in
        bird)
            peer_cli "$name" show protocols all "n$i" 2>/dev/null |
                sed -n 's/^ *BGP state: *\([A-Za-z]*\).*/\1/p' ;;
        frr)
            peer_cli "$name" show bgp neighbors "$nbr" json 2>/dev/null |
                _peer_py frr_state "$nbr" ;;
        gobgp)
            peer_cli "$name" neighbor "$nbr" -j 2>/dev/null |
                _peer_py gobgp_state ;;
    esac
}

peer_routes() {
    local name=$1 i nbr nas ebgp
    while read -r i nbr nas; do
        ebgp=1
        [ "$nas" != "${_peer_las[$name]}" ] || ebgp=0
        case ${_peer_kind[$name]} in
            bird)
                peer_cli "$name" show route all protocol "n$i" 2>/dev/null |
                    _peer_py bird_routes "$ebgp" ;;
            frr)
                local f
                for f in ipv4 ipv6; do
                    peer_cli "$name" show bgp $f unicast json 2>/dev/null |
                        _peer_py frr_routes "$ebgp" "$nbr"
                done ;;
            gobgp)
                local f
                for f in ipv4 ipv6; do
                    peer_cli "$name" neighbor "$nbr" adj-in -a "$f" -j \
                        2>/dev/null | _peer_py gobgp_routes "$ebgp"
                done ;;
        esac
    done < <(_peer_neighbors "$name" "${2:-}") | sort
}

peer_has_route() {
    local name=$1 prefix=$2 nh=${3:-}
    peer_routes "$name" | awk -v p="$prefix" -v nh="$nh" '
        $1 == p && (nh == "" || $2 == nh) { found = 1 }
        END { exit !found }'
}

peer_received_count() {
    peer_routes "$@" | wc -l
}

peer_route_refresh() {
    local name=$1 i nbr nas rc=0
    while read -r i nbr nas; do
        case ${_peer_kind[$name]} in
            bird) peer_cli "$name" reload in "n$i" > /dev/null || rc=1 ;;
            frr) peer_cli "$name" clear bgp "$nbr" soft in || rc=1 ;;
            # `gobgp neighbor X softresetin` only re-reads its Adj-RIB-In.
            gobgp) return 2 ;;
        esac
    done < <(_peer_neighbors "$name" "${2:-}")
    return $rc
}

# _peer_py WHAT ARGS...: the parsers, reading the router's output on stdin.
_peer_py() {
    "$PEER_PY" -c '
import ipaddress, json, re, sys

what, args = sys.argv[1], sys.argv[2:]
text = sys.stdin.read()

def aspath(asns):
    return "_".join(str(a) for a in asns) if asns else "-"

def lp(ebgp, value):
    return "-" if ebgp == "1" or value is None else str(value)

def addr(a):
    try:
        return ipaddress.ip_address(a).compressed
    except ValueError:
        return a

def out(prefix, nh, path, pref, stale):
    # An IPv4-mapped next hop of an IPv6 route: some show it as IPv4.
    if ":" in prefix and "." in nh and ":" not in nh:
        nh = "::ffff:" + nh
    print(prefix, addr(nh), path, pref, *(["stale"] if stale else []))

def load():
    try:
        return json.loads(text)
    except ValueError:
        return {}

if what == "frr_state":
    n = load().get(args[0], {})
    print(n.get("bgpState", "Unknown"))

elif what == "gobgp_state":
    d = load()
    s = d.get("state", {}).get("session_state", 0) if isinstance(d, dict) \
        else 0
    names = {1: "Idle", 2: "Connect", 3: "Active", 4: "OpenSent",
             5: "OpenConfirm", 6: "Established"}
    if isinstance(s, str):
        print(s.replace("SESSION_STATE_", "").capitalize()
              .replace("Opensent", "OpenSent")
              .replace("Openconfirm", "OpenConfirm"))
    else:
        print(names.get(s, "Unknown"))

elif what == "frr_routes":
    ebgp, nbr = args
    for prefix, paths in load().get("routes", {}).items():
        for p in paths:
            if p.get("peerId") != nbr:
                continue
            nhs = p.get("nexthops", [])
            glob = [n["ip"] for n in nhs if n.get("scope") != "link-local"]
            nh = (glob or [n.get("ip", "-") for n in nhs] or ["-"])[0]
            asns = p.get("path", "").split()
            out(prefix, nh, aspath(asns), lp(ebgp, p.get("locPrf")),
                p.get("stale", False))

elif what == "gobgp_routes":
    ebgp = args[0]
    d = load()
    dests = d.values() if isinstance(d, dict) else []
    for paths in dests:
        for p in paths if isinstance(paths, list) else []:
            nh, asns, pref = "-", [], None
            for a in p.get("attrs", []):
                t = a.get("type")
                if t == 3:
                    nh = a.get("nexthop", nh)
                elif t == 14:
                    nh = (a.get("nexthop") or [nh])[0] \
                        if isinstance(a.get("nexthop"), list) \
                        else a.get("nexthop", nh)
                elif t == 2:
                    for seg in a.get("as_paths", []):
                        if seg.get("segment_type") == 1:
                            asns.append("{" + ",".join(
                                str(x) for x in seg.get("asns", [])) + "}")
                        else:
                            asns += seg.get("asns", [])
                elif t == 5:
                    pref = a.get("value")
            out(p["nlri"]["prefix"], nh, aspath(asns), lp(ebgp, pref),
                p.get("stale", False))

elif what == "bird_routes":
    ebgp = args[0]
    routes, cur, prefix = [], None, None
    for line in text.splitlines():
        if not line.strip() or line.startswith(("Table ", "BIRD ")):
            continue
        if "[" in line and not line.startswith((" ", "\t")):
            prefix = line.split()[0]
        if "[" in line and (not line.startswith((" ", "\t"))
                            or line.lstrip().split()[0] in
                            ("unicast", "unreachable", "blackhole",
                             "prohibit")):
            cur = {"prefix": prefix, "nh": "-", "path": [], "lp": None}
            routes.append(cur)
            continue
        s = line.strip()
        if cur is None:
            continue
        if s.startswith("BGP.next_hop:"):
            cur["nh"] = s.split()[1]
        elif s.startswith("BGP.as_path:"):
            cur["path"] = s.split()[1:]
        elif s.startswith("BGP.local_pref:"):
            cur["lp"] = s.split()[1]
    for r in routes:
        # An AS_SET: "{1 2}" -> "{1,2}"
        path = re.sub(r"\{([^}]*)\}",
                      lambda m: "{" + ",".join(m.group(1).split()) + "}",
                      " ".join(r["path"])).split()
        out(r["prefix"], r["nh"], aspath(path), lp(ebgp, r["lp"]), False)
' "$@"
}
