#!/bin/bash
# TCP MD5 (RFC 2385) between the BGP engine and the routers (issue 3): the
# right password establishes, whoever connects (the speaker to FRR and
# BIRD; BIRD to the speaker's listener); a wrong one never does (the
# speaker to GoBGP and FRR; FRR to the speaker's listener), all the while
# the right ones stay up.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/peers.sh"
. "$(dirname "$0")/interop.sh"

AS=65000
pf=$(free_port) pb=$(free_port) pg=$(free_port)
pw=$(free_port) px=$(free_port) pa=$(free_port)
pd=$(free_port)

# Right password: f (FRR), b (BIRD), a (BIRD, connects to the speaker).
# Wrong: g (GoBGP), w (FRR), x (FRR, connects to the speaker).
check "FRR f starts" \
    peer_start frr f local_as=65001 listen_addr=127.0.0.2 listen_port=$pf \
        neighbor_addr=127.0.0.1 neighbor_as=$AS md5=s3cret
check "BIRD b starts" \
    peer_start bird b local_as=65002 listen_addr=127.0.0.3 listen_port=$pb \
        neighbor_addr=127.0.0.1 neighbor_as=$AS md5=s3cret
check "BIRD a starts" \
    peer_start bird a local_as=65003 listen_addr=127.0.0.4 listen_port=$pa \
        neighbor_addr=127.0.0.1 neighbor_as=$AS neighbor_port=$pd md5=s3cret
check "GoBGP g starts" \
    peer_start gobgp g local_as=65005 listen_addr=127.0.0.5 listen_port=$pg \
        neighbor_addr=127.0.0.1 neighbor_as=$AS md5=s3cret
check "FRR w starts" \
    peer_start frr w local_as=65006 listen_addr=127.0.0.6 listen_port=$pw \
        neighbor_addr=127.0.0.1 neighbor_as=$AS md5=s3cret
check "FRR x starts" \
    peer_start frr x local_as=65007 listen_addr=127.0.0.7 listen_port=$px \
        neighbor_addr=127.0.0.1 neighbor_as=$AS neighbor_port=$pd md5=wrong

driver_start d --local-as $AS --router-id 10.0.0.1 \
    --local-address 127.0.0.1 --listen-port $pd --connect-retry 1 \
    --nh4 192.0.2.1 \
    --peer 127.0.0.2,65001,port=$pf,md5=s3cret \
    --peer 127.0.0.3,65002,port=$pb,md5=s3cret \
    --peer 127.0.0.4,65003,passive,md5=s3cret \
    --peer 127.0.0.5,65005,port=$pg,md5=wrong \
    --peer 127.0.0.6,65006,port=$pw,md5=wrong \
    --peer 127.0.0.7,65007,passive,md5=s3cret
driver_cmd d + 10.0.1.0/24
driver_cmd d complete

right_up() {
    established f && established b && established a &&
        driver_state_is d 127.0.0.2 Established &&
        driver_state_is d 127.0.0.3 Established &&
        driver_state_is d 127.0.0.4 Established
}
check "right password: FRR, BIRD and BIRD dialling in are established" \
    wait_until 20 right_up
check "the route arrives over the signed sessions" \
    wait_until 10 eval 'route_line f "10.0.1.0/24 192.0.2.1 $AS -" &&
                        route_line b "10.0.1.0/24 192.0.2.1 $AS -" &&
                        route_line a "10.0.1.0/24 192.0.2.1 $AS -"'

any_wrong_up() {
    established g || established w || established x ||
        driver_state_is d 127.0.0.5 Established ||
        driver_state_is d 127.0.0.6 Established ||
        driver_state_is d 127.0.0.7 Established
}
check "wrong password: GoBGP, FRR, FRR dialling in not established in 5 s" \
    eval '! wait_until 5 any_wrong_up'
trying() {
    case $(driver_field d "$1" state) in
        Connect|Active|Idle) return 0 ;;
        *) return 1 ;;
    esac
}
check "nor at the speaker, which keeps trying" \
    eval 'trying 127.0.0.5 && trying 127.0.0.6 && trying 127.0.0.7'
check "the right ones stayed up all along, no flap" \
    eval 'right_up && [ "$(driver_field d 127.0.0.2 flaps)" = 0 ] &&
          [ "$(driver_field d 127.0.0.3 flaps)" = 0 ] &&
          [ "$(driver_field d 127.0.0.4 flaps)" = 0 ]'
check "the routers with the wrong password have no route" \
    eval 'routes_are g 0 && routes_are w 0 && routes_are x 0'

# The control: with the passwords made to match, FRR's sessions come up,
# so it was the password alone that kept them down.
frr_password() {
    local name=$1 as=$2 pw=$3
    "$VTYSH" --vty_socket "$T/peer-$name" -H "$T/peer-$name/vtysh.history" \
        -d bgpd -c "configure terminal" -c "router bgp $as" \
        -c "neighbor 127.0.0.1 password $pw"
}
check "FRR takes the speaker's passwords" \
    eval 'frr_password w 65006 wrong && frr_password x 65007 s3cret'
check "and then both FRR sessions establish" \
    wait_until 20 eval 'established w && established x &&
                        driver_state_is d 127.0.0.6 Established &&
                        driver_state_is d 127.0.0.7 Established'

check "the driver stops cleanly (exit 0, no sanitizer report)" \
    driver_stop d "done"

done_testing
