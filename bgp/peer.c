/*
 * A peer of the engine: its life (peer_create(), peer_destroy()) and its
 * session: the state machine's callbacks (fsm.c changes the state; this
 * file does what each change asks), the OPEN we send and the one we
 * check, KEEPALIVE and NOTIFICATION out, and every message in.
 */
#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/buf.h"
#include "bgp/fsm.h"
#include "bgp/log.h"
#include "bgp/peer.h"
#include "bgp/rib.h"
#include "bgp/xalloc.h"

#define LOCAL_PREF_DEFAULT 100

void
peer_set_error(struct bgp_peer *peer, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(peer->last_error, sizeof peer->last_error, format, args);
    va_end(args);
}

static void
build_open(struct bgp_peer *peer, struct bgp_open *open)
{
    const struct bgp_engine_config *cfg = &peer->engine->cfg;
    int family = peer->cfg.addr.ss_family;

    memset(open, 0, sizeof *open);
    open->as = cfg->local_as;
    open->hold_time = cfg->hold_time;
    open->bgp_id = cfg->router_id;
    open->caps.as4 = true;
    open->caps.route_refresh = true;
    /* A family goes on a session when it has a next hop there: the
     * session's own address, or the configured one. */
    if (family == AF_INET || cfg->has_nh4 || cfg->extended_nexthop) {
        open->caps.mp |= 1 << BGP_AF_IPV4;
    }
    if (family == AF_INET6 || cfg->has_nh6) {
        open->caps.mp |= 1 << BGP_AF_IPV6;
    }
    open->caps.ext_nh_ipv4 = cfg->extended_nexthop && family == AF_INET6;
    if (cfg->graceful_restart) {
        open->caps.gr = true;
        open->caps.gr_time = cfg->restart_time;
        open->caps.gr_flags = peer->first_open ? BGP_GR_RESTARTING : 0;
        open->caps.gr_af = open->caps.mp;
        /* Forwarding is OVN's, untouched when the speaker restarts. */
        open->caps.gr_af_fwd = open->caps.mp;
    }
}

void
peer_send_open_on(struct bgp_peer *peer, struct conn *c)
{
    struct bgp_open open;

    build_open(peer, &open);
    bgp_writer_clear(&peer->writer);
    bgp_encode_open(&peer->writer, &open);
    conn_send(c, &peer->writer);
    c->open_sent = true;
}

static void
fsm_send_open(struct bgp_fsm *f)
{
    struct bgp_peer *peer = f->aux;
    /* A connection the session moved to may carry our OPEN already. */
    if (peer->conn && !peer->conn->open_sent) {
        peer_send_open_on(peer, peer->conn);
    }
}

static void
fsm_send_keepalive(struct bgp_fsm *f)
{
    struct bgp_peer *peer = f->aux;
    bgp_writer_clear(&peer->writer);
    bgp_encode_keepalive(&peer->writer);
    conn_send(peer->conn, &peer->writer);
}

void
peer_send_notification_on(struct bgp_peer *peer, struct conn *c,
                     const struct bgp_notification *n)
{
    bgp_writer_clear(&peer->writer);
    bgp_encode_notification(&peer->writer, n);
    conn_send(c, &peer->writer);
}

static void
fsm_send_notification(struct bgp_fsm *f, const struct bgp_notification *n)
{
    struct bgp_peer *peer = f->aux;
    if (!n->code) {
        return;                 /* A graceful stop: close, say nothing. */
    }
    bgp_log(BGP_LOG_WARN | BGP_LOG_RL, "peer %s: sending NOTIFICATION %s",
            peer->name, bgp_notification_name(n->code, n->subcode));
    peer_set_error(peer, "sent NOTIFICATION %s",
                   bgp_notification_name(n->code, n->subcode));
    peer_send_notification_on(peer, peer->conn, n);
}

void
peer_set_timer(struct bgp_fsm *f, enum bgp_timer which, unsigned seconds)
{
    struct bgp_peer *peer = f->aux;
    struct event *ev = peer->timers[which].ev;
    if (seconds) {
        struct timeval tv = { .tv_sec = seconds };
        event_add(ev, &tv);
    } else {
        event_del(ev);
    }
}

static void
timer_cb(evutil_socket_t fd, short what, void *t_)
{
    static const enum bgp_event events[] = {
        [BGP_TIMER_CONNECT_RETRY] = BGP_EV_CONNECT_RETRY_EXPIRED,
        [BGP_TIMER_HOLD] = BGP_EV_HOLD_EXPIRED,
        [BGP_TIMER_KEEPALIVE] = BGP_EV_KEEPALIVE_EXPIRED,
        [BGP_TIMER_IDLE_HOLD] = BGP_EV_IDLE_HOLD_EXPIRED,
        [BGP_TIMER_SEND_HOLD] = BGP_EV_SEND_HOLD_EXPIRED,
        [BGP_TIMER_STABLE] = BGP_EV_STABLE_EXPIRED,
    };
    struct timer *t = t_;
    bgp_fsm_event(&t->peer->fsm, events[t->which], NULL);
}

/* The families and attributes for this session, from both OPENs. */
static void
negotiate(struct bgp_peer *peer)
{
    const struct bgp_engine_config *cfg = &peer->engine->cfg;
    const struct bgp_caps *theirs = &peer->fsm.peer_open.caps;
    struct bgp_open ours;
    struct bgp_attrs *a = &peer->attrs;

    build_open(peer, &ours);
    /* RFC 4760: a peer that lists no family speaks IPv4 unicast. */
    uint8_t their_mp = theirs->mp ? theirs->mp : 1 << BGP_AF_IPV4;
    peer->families = ours.caps.mp & their_mp;

    memset(&peer->wopts, 0, sizeof peer->wopts);
    peer->wopts.as4 = theirs->as4;
    peer->wopts.ext_nh_ipv4 = ours.caps.ext_nh_ipv4 && theirs->ext_nh_ipv4;
    peer->wopts.ebgp = !peer->ibgp;
    peer->wopts.max_len = BGP_MAX_LEN;

    memset(a, 0, sizeof *a);
    a->origin = BGP_ORIGIN_IGP;
    if (!peer->ibgp) {
        peer->as_path[0] = cfg->local_as;
        a->as_path = peer->as_path;
        a->as_path_len = 1;
    } else {
        a->has_local_pref = true;
        a->local_pref = LOCAL_PREF_DEFAULT;
    }
    const struct sockaddr_storage *local = &peer->conn->local;
    if (cfg->has_nh4) {
        a->has_nh4 = true;
        memcpy(a->nh4, cfg->nh4, 4);
    } else if (local->ss_family == AF_INET) {
        a->has_nh4 = true;
        memcpy(a->nh4, &((const struct sockaddr_in *) local)->sin_addr, 4);
    }
    if (cfg->has_nh6) {
        a->has_nh6 = true;
        memcpy(a->nh6, cfg->nh6, 16);
    } else if (local->ss_family == AF_INET6) {
        a->has_nh6 = true;
        memcpy(a->nh6, &((const struct sockaddr_in6 *) local)->sin6_addr, 16);
    }
    if ((peer->families & (1 << BGP_AF_IPV4)) && !a->has_nh4
        && !peer->wopts.ext_nh_ipv4) {
        peer->families &= ~(1 << BGP_AF_IPV4);
    }
    if ((peer->families & (1 << BGP_AF_IPV6)) && !a->has_nh6) {
        peer->families &= ~(1 << BGP_AF_IPV6);
    }
}

static void
fsm_established(struct bgp_fsm *f)
{
    struct bgp_peer *peer = f->aux;

    negotiate(peer);
    peer->first_open = false;
    peer_forget(peer);
    peer->eor_sent = false;
    if (peer->engine->complete) {
        peer_start_table(peer);
    } else {
        bgp_log(BGP_LOG_INFO, "peer %s: holding the table until the route "
                "set is complete", peer->name);
    }
}

static void
fsm_state_changed(struct bgp_fsm *f, enum bgp_state old, const char *reason)
{
    struct bgp_peer *peer = f->aux;
    int level = (f->state == BGP_ST_ESTABLISHED || old == BGP_ST_ESTABLISHED
                 ? BGP_LOG_INFO : BGP_LOG_DBG);

    peer->since = time(NULL);
    if (old == BGP_ST_ESTABLISHED) {
        peer->flaps++;
        peer_forget(peer);
    }
    bgp_log(level, "peer %s: %s -> %s (%s)", peer->name, bgp_state_name(old),
            bgp_state_name(f->state), reason);
}

static const struct bgp_fsm_ops fsm_ops = {
    .connect = conn_dial,
    .close = conn_close_all,
    .send_open = fsm_send_open,
    .send_keepalive = fsm_send_keepalive,
    .send_notification = fsm_send_notification,
    .set_timer = peer_set_timer,
    .established = fsm_established,
    .state_changed = fsm_state_changed,
};

void
peer_protocol_error(struct bgp_peer *peer, const struct bgp_notification *n)
{
    bgp_fsm_event(&peer->fsm, BGP_EV_PROTOCOL_ERROR, n);
}

/* Checks what the codec leaves to us; returns false with '*err' set. */
static bool
check_open(const struct bgp_peer *peer, const struct bgp_open *open,
           struct bgp_notification *err)
{
    if (open->as != peer->cfg.as) {
        uint8_t data[2] = { open->as >> 8, open->as };
        bgp_notification_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_PEER_AS,
                             data, 2);
        return false;
    }
    /* RFC 6286 section 2.2: our own identifier is an error from an
     * internal peer only. */
    if (peer->ibgp && open->bgp_id == peer->engine->cfg.router_id) {
        bgp_notification_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BGP_ID,
                             NULL, 0);
        return false;
    }
    return true;
}

static void
handle_update(struct bgp_peer *peer, const struct bgp_msg *msg)
{
    struct bgp_update_result r;

    peer->updates_received++;
    if (peer->fsm.state != BGP_ST_ESTABLISHED) {
        bgp_fsm_event(&peer->fsm, BGP_EV_UPDATE, NULL);
        return;
    }
    switch (bgp_decode_update(msg->body, msg->body_len, &peer->wopts, &r)) {
    case BGP_UPDATE_RESET:
        bgp_log(BGP_LOG_WARN | BGP_LOG_RL, "peer %s: malformed UPDATE: %s",
                peer->name,
                bgp_notification_name(r.error.code, r.error.subcode));
        peer_protocol_error(peer, &r.error);
        return;
    case BGP_UPDATE_WITHDRAW:
        bgp_log(BGP_LOG_WARN | BGP_LOG_RL, "peer %s: UPDATE treated as "
                "withdraw: %s", peer->name,
                bgp_notification_name(r.error.code, r.error.subcode));
        break;
    case BGP_UPDATE_ATTR_DISCARD:
        bgp_log(BGP_LOG_WARN | BGP_LOG_RL, "peer %s: UPDATE attribute "
                "discarded: %s", peer->name,
                bgp_notification_name(r.error.code, r.error.subcode));
        /* Fall through. */
    case BGP_UPDATE_OK:
        for (int af = 0; af < BGP_AF_N; af++) {
            peer->prefixes_received += r.announced[af];
        }
        break;
    }
    bgp_fsm_event(&peer->fsm, BGP_EV_UPDATE, NULL);
}

static void
handle_route_refresh(struct bgp_peer *peer, const struct bgp_msg *msg)
{
    struct bgp_route_refresh rr;
    struct bgp_notification err;
    enum bgp_af af;

    if (bgp_decode_route_refresh(msg->body, msg->body_len, &rr, &err)) {
        peer_protocol_error(peer, &err);
        return;
    }
    bgp_fsm_event(&peer->fsm, BGP_EV_ROUTE_REFRESH, NULL);
    if (peer->fsm.state != BGP_ST_ESTABLISHED || rr.subtype != BGP_RR_REQUEST
        || bgp_af_from_afi_safi(rr.afi, rr.safi, &af)
        || !(peer->families & (1 << af))) {
        return;
    }
    if (!peer->table_started) {
        return;                 /* It all goes out soon anyway. */
    }
    /* Done once per family however many requests arrive meanwhile. */
    peer->refresh_afs |= 1 << af;
    peer_schedule_work(peer);
}

void
peer_handle_message(struct conn *c, const struct bgp_msg *msg)
{
    struct bgp_peer *peer = c->peer;
    struct bgp_notification err;

    peer->msgs_received++;
    if (c == peer->coll) {
        /* The second connection of a collision: its OPEN decides. */
        struct bgp_open open;
        if (msg->type != BGP_MSG_OPEN
            || bgp_decode_open(msg->body, msg->body_len, &open, &err)
            || !check_open(peer, &open, &err)) {
            conn_free(peer->coll, false);
            peer->coll = NULL;
            return;
        }
        conn_resolve_collision(peer, &open);
        return;
    }

    switch (msg->type) {
    case BGP_MSG_OPEN: {
        struct bgp_open open;
        if (bgp_decode_open(msg->body, msg->body_len, &open, &err)
            || (peer->fsm.state == BGP_ST_OPENSENT
                && !check_open(peer, &open, &err))) {
            bgp_log(BGP_LOG_WARN | BGP_LOG_RL, "peer %s: bad OPEN: %s",
                    peer->name, bgp_notification_name(err.code,
                                                      err.subcode));
            peer_protocol_error(peer, &err);
        } else {
            bgp_fsm_event(&peer->fsm, BGP_EV_OPEN, &open);
        }
        break;
    }
    case BGP_MSG_UPDATE:
        handle_update(peer, msg);
        break;
    case BGP_MSG_NOTIFICATION: {
        struct bgp_notification n;
        char shutdown[BGP_SHUTDOWN_MSG_MAX + 1];
        if (bgp_decode_notification(msg->body, msg->body_len, &n)) {
            bgp_notification_set(&n, 0, 0, NULL, 0);
        }
        if (!bgp_notification_get_shutdown(&n, shutdown)) {
            /* The peer's text goes to logs and status: no control
             * characters. */
            for (char *p = shutdown; *p; p++) {
                if ((unsigned char) *p < 0x20 || *p == 0x7f) {
                    *p = '?';
                }
            }
            peer_set_error(peer, "received NOTIFICATION %s: \"%s\"",
                           bgp_notification_name(n.code, n.subcode),
                           shutdown);
        } else {
            peer_set_error(peer, "received NOTIFICATION %s",
                           bgp_notification_name(n.code, n.subcode));
        }
        bgp_log(BGP_LOG_WARN | BGP_LOG_RL, "peer %s: %s", peer->name,
                peer->last_error);
        if (!conn_promote_collision(peer)) {
            bgp_fsm_event(&peer->fsm, BGP_EV_NOTIFICATION, &n);
        }
        break;
    }
    case BGP_MSG_KEEPALIVE:
        bgp_fsm_event(&peer->fsm, BGP_EV_KEEPALIVE, NULL);
        break;
    case BGP_MSG_ROUTE_REFRESH:
        handle_route_refresh(peer, msg);
        break;
    }
}

/* Takes 'cfg' (checked by the caller) into 'peer': what the session
 * reads of its settings when it next starts. */
static void
peer_configure(struct bgp_peer *peer, const struct bgp_peer_config *cfg)
{
    const struct bgp_engine_config *ecfg = &peer->engine->cfg;

    free(peer->password);
    peer->cfg = *cfg;
    peer->password = cfg->password && *cfg->password
                     ? bgp_xstrdup(cfg->password) : NULL;
    peer->cfg.password = NULL;
    peer->ibgp = cfg->as == ecfg->local_as;
    format_addr(&cfg->addr, peer->name, sizeof peer->name);
    peer->fsm.passive = cfg->passive;
    peer->fsm.hold_time = ecfg->hold_time;
    peer->fsm.connect_retry = ecfg->connect_retry;
}

/* A new peer of 'e', from its settings (checked by the caller), in slot
 * 'index' of the RIB's peers; its session not started. */
struct bgp_peer *
peer_create(struct bgp_engine *e, const struct bgp_peer_config *cfg,
            unsigned int index)
{
    struct bgp_peer *peer = bgp_xcalloc(1, sizeof *peer);

    peer->engine = e;
    peer->index = index;
    peer->first_open = true;
    peer->since = time(NULL);
    bgp_fsm_init(&peer->fsm, &fsm_ops, peer);
    peer_configure(peer, cfg);
    for (int i = 0; i < BGP_TIMER_N; i++) {
        peer->timers[i].peer = peer;
        peer->timers[i].which = i;
        peer->timers[i].ev = event_new(e->base, -1, 0, timer_cb,
                                       &peer->timers[i]);
    }
    peer->work = event_new(e->base, -1, 0, peer_work_cb, peer);
    peer->failed = event_new(e->base, -1, 0, conn_connect_failed_cb, peer);
    bgp_writer_init_dynamic(&peer->writer, BGP_MAX_LEN);
    return peer;
}

/* Whether 'cfg' would change anything of 'peer's settings. */
static bool
peer_config_changed(const struct bgp_peer *peer,
                    const struct bgp_peer_config *cfg)
{
    const struct bgp_peer_config *old = &peer->cfg;
    const char *pw = cfg->password && *cfg->password ? cfg->password : NULL;

    return (memcmp(&old->addr, &cfg->addr, sizeof old->addr)
            || old->as != cfg->as || old->passive != cfg->passive
            || old->ttl != cfg->ttl
            || (!pw != !peer->password)
            || (pw && strcmp(pw, peer->password)));
}

/* Starts the session of 'peer' (new, or stopped), as the engine's state
 * says: without graceful restart, it waits for the route set before it
 * dials (see bgp_engine_start()). */
void
peer_start(struct bgp_peer *peer)
{
    const struct bgp_engine *e = peer->engine;

    peer->fsm.hold_dial = (!e->complete && !e->cfg.graceful_restart
                           && !peer->cfg.passive);
    bgp_fsm_event(&peer->fsm, BGP_EV_START, NULL);
}

/* Gives 'peer' the settings 'cfg' (checked by the caller).  Returns false,
 * touching nothing, if they are its settings already; otherwise its
 * session ends with a Cease (Other Configuration Change, RFC 4486) and,
 * if the engine runs, starts again with them. */
bool
peer_reconfigure(struct bgp_peer *peer, const struct bgp_peer_config *cfg)
{
    struct bgp_notification cease;
    bool had_password = peer->password != NULL;

    if (!peer_config_changed(peer, cfg)) {
        return false;
    }
    bgp_notification_set(&cease, BGP_ERR_CEASE, BGP_ERR_CEASE_CONFIG_CHANGE,
                         NULL, 0);
    bgp_log(BGP_LOG_INFO, "peer %s: settings changed: resetting its "
            "session", peer->name);
    bgp_fsm_event(&peer->fsm, BGP_EV_STOP, &cease);
    peer_configure(peer, cfg);
    if (had_password || peer->password) {
        listener_set_md5(peer->engine, &peer->cfg.addr, peer->password);
    }
    if (peer->engine->running) {
        peer_start(peer);
    }
    return true;
}

/* Frees 'peer' and its connections, saying nothing to the peer: stop its
 * session first (BGP_EV_STOP) for a NOTIFICATION.  Its marks in the RIB
 * go, so that its slot can serve another peer. */
void
peer_destroy(struct bgp_peer *peer)
{
    if (!peer) {
        return;
    }
    peer_forget(peer);
    conn_free(peer->conn, false);
    conn_free(peer->coll, false);
    for (int t = 0; t < BGP_TIMER_N; t++) {
        event_free(peer->timers[t].ev);
    }
    event_free(peer->work);
    event_free(peer->failed);
    bgp_writer_destroy(&peer->writer);
    free(peer->password);
    free(peer);
}
