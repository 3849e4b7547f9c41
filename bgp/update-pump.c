/*
 * The update pump: a peer's adj-RIB-out (kept in rib.h) turned into
 * UPDATEs lazily, from the current state, whenever the peer's socket can
 * take more (BIRD's way): withdrawals first, as many prefixes per message
 * as fit, End-of-RIB after the initial table, route refresh answered.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>

#include "bgp/buf.h"
#include "bgp/fsm.h"
#include "bgp/log.h"
#include "bgp/peer.h"
#include "bgp/pmap.h"
#include "bgp/rib.h"

/* The peer has nothing from us, and gets nothing until its table starts
 * again. */
void
peer_forget(struct bgp_peer *peer)
{
    bgp_rib_peer_stop(peer->engine->rib, peer->index);
    peer->table_started = false;
    peer->refresh_afs = 0;
}

/* Answers the peer's route refreshes: what the RIB still has goes out
 * again; what it no longer has keeps its pending withdrawal. */
static void
peer_refresh(struct bgp_peer *peer)
{
    uint8_t afs = peer->refresh_afs;

    peer->refresh_afs = 0;
    for (int af = 0; af < BGP_AF_N; af++) {
        if (afs & (1 << af)) {
            bgp_log(BGP_LOG_INFO, "peer %s: route refresh for %s: resending",
                    peer->name, af == BGP_AF_IPV4 ? "IPv4" : "IPv6");
        }
    }
    bgp_rib_peer_refresh(peer->engine->rib, peer->index, afs);
}

void
peer_schedule_work(struct bgp_peer *peer)
{
    event_active(peer->work, EV_TIMEOUT, 0);
}

void
peer_start_table(struct bgp_peer *peer)
{
    peer->table_started = true;
    bgp_rib_peer_start(peer->engine->rib, peer->index, peer->families);
    peer_schedule_work(peer);
}

/* Encodes the 'n' prefixes in 'list' (one family) as withdrawals or
 * announcements, as many per message as fit. */
static void
encode_list(struct bgp_peer *peer, bool announce,
            const struct bgp_prefix *list, size_t n)
{
    while (n) {
        size_t done;
        bgp_writer_clear(&peer->writer);
        if (announce) {
            done = bgp_encode_update(&peer->writer, &peer->wopts,
                                     &peer->attrs, list, n);
        } else {
            done = bgp_encode_withdraw(&peer->writer, &peer->wopts, list, n);
        }
        if (!done) {
            char buf[BGP_PREFIX_STRLEN];
            bgp_log(BGP_LOG_ERR | BGP_LOG_RL, "peer %s: cannot encode %s",
                    peer->name, bgp_prefix_format(list, buf));
            done = 1;           /* Skip it rather than loop. */
        } else {
            conn_send(peer->conn, &peer->writer);
            peer->updates_sent++;
        }
        list += done;
        n -= done;
    }
}

/* Sends the peer's next step of the adj-RIB-out: queued changes, else
 * the next part of its table.  Returns false if it is up to date. */
static bool
send_batch(struct bgp_peer *peer)
{
    /* One thread, one step at a time: a single batch serves all peers. */
    static struct bgp_rib_batch batch;

    if (!bgp_rib_peer_next(peer->engine->rib, peer->index, &batch)) {
        return false;
    }
    /* Withdrawals first. */
    for (int af = 0; af < BGP_AF_N; af++) {
        encode_list(peer, false, batch.withdrawn[af], batch.n_withdrawn[af]);
    }
    for (int af = 0; af < BGP_AF_N; af++) {
        encode_list(peer, true, batch.announced[af], batch.n_announced[af]);
    }
    return true;
}

/* Fills the peer's output from the current state, up to OUT_HIGH. */
static void
send_updates(struct bgp_peer *peer)
{
    if (peer->fsm.state != BGP_ST_ESTABLISHED || !peer->table_started
        || !peer->conn) {
        return;
    }
    if (peer->refresh_afs) {
        peer_refresh(peer);
    }
    struct evbuffer *out = bufferevent_get_output(peer->conn->bev);
    while (evbuffer_get_length(out) < OUT_HIGH) {
        if (send_batch(peer)) {
            continue;
        }
        if (!peer->eor_sent) {
            for (int af = 0; af < BGP_AF_N; af++) {
                if (peer->families & (1 << af)) {
                    bgp_writer_clear(&peer->writer);
                    bgp_encode_eor(&peer->writer, af);
                    conn_send(peer->conn, &peer->writer);
                }
            }
            peer->eor_sent = true;
            bgp_log(BGP_LOG_INFO, "peer %s: initial table sent (%zu "
                    "prefixes), End-of-RIB", peer->name,
                    bgp_rib_peer_sent(peer->engine->rib, peer->index));
        }
        break;
    }
}

void
peer_work_cb(evutil_socket_t fd, short what, void *peer_)
{
    struct bgp_peer *peer = peer_;

    if (peer->conn && conn_process_input(peer->conn)) {
        peer_schedule_work(peer);
    }
    send_updates(peer);
}
