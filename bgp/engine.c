/*
 * The BGP engine's public API (engine.h): the route set onto the Loc-RIB
 * (rib.h), start and stop, status.  Peers live in peer.c, their
 * connections in connection.c, their UPDATEs in update-pump.c (see
 * peer.h).
 */
#include "bgp/engine.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/fsm.h"
#include "bgp/log.h"
#include "bgp/peer.h"
#include "bgp/rib.h"
#include "bgp/xalloc.h"

/* The set changed: peers whose table is out have something to look at. */
static void
schedule_started(struct bgp_engine *e)
{
    for (size_t i = 0; i < e->n_peers; i++) {
        if (e->peers[i]->table_started) {
            peer_schedule_work(e->peers[i]);
        }
    }
}

void
bgp_engine_announce(struct bgp_engine *e, const struct bgp_prefix *p)
{
    if (bgp_rib_announce(e->rib, p)) {
        schedule_started(e);
    }
}

void
bgp_engine_withdraw(struct bgp_engine *e, const struct bgp_prefix *p)
{
    if (bgp_rib_withdraw(e->rib, p)) {
        schedule_started(e);
    }
}

void
bgp_engine_reserve(struct bgp_engine *e, size_t n)
{
    bgp_rib_reserve(e->rib, n);
}

size_t
bgp_engine_n_routes(const struct bgp_engine *e)
{
    return bgp_rib_count(e->rib);
}

static void
release_tables(struct bgp_engine *e, const char *why)
{
    for (size_t i = 0; i < e->n_peers; i++) {
        struct bgp_peer *peer = e->peers[i];
        if (peer->fsm.state == BGP_ST_ESTABLISHED && !peer->table_started) {
            bgp_log(BGP_LOG_INFO, "peer %s: sending the table (%s)",
                    peer->name, why);
            peer_start_table(peer);
        }
    }
}

/* Peers that waited for the route set before dialing dial now. */
static void
release_dials(struct bgp_engine *e, const char *why)
{
    for (size_t i = 0; i < e->n_peers; i++) {
        struct bgp_peer *peer = e->peers[i];
        if (bgp_fsm_dial(&peer->fsm, why)) {
            bgp_log(BGP_LOG_INFO, "peer %s: dialing now (%s)", peer->name,
                    why);
        }
    }
}

static void
set_complete(struct bgp_engine *e, const char *why)
{
    e->complete = true;
    event_del(e->deferral);
    release_tables(e, why);
    release_dials(e, why);
}

void
bgp_engine_set_complete(struct bgp_engine *e)
{
    if (!e->complete) {
        set_complete(e, "route set complete");
    }
}

static void
deferral_cb(evutil_socket_t fd, short what, void *e_)
{
    struct bgp_engine *e = e_;
    if (!e->complete) {
        bgp_log(BGP_LOG_WARN, "route set still incomplete after the "
                "deferral time (%u s): sending what there is",
                e->cfg.deferral_time);
        set_complete(e, "deferral time over");
    }
}

bool
bgp_engine_holds_dials(const struct bgp_engine *e)
{
    for (size_t i = 0; i < e->n_peers; i++) {
        if (e->peers[i]->fsm.hold_dial) {
            return true;
        }
    }
    return false;
}

struct bgp_engine *
bgp_engine_create(struct event_base *base,
                  const struct bgp_engine_config *cfg)
{
    struct bgp_engine *e = bgp_xcalloc(1, sizeof *e);
    e->base = base;
    e->cfg = *cfg;
    if (!e->cfg.connect_retry) {
        e->cfg.connect_retry = 5;
    }
    e->rib = bgp_rib_create();
    e->deferral = event_new(base, -1, 0, deferral_cb, e);
    e->listen_resume = event_new(base, -1, 0, listener_resume_cb, e);
    return e;
}

/* Checks the settings of a peer; 'self' is the peer they are for, if it
 * exists already.  Returns 0, or -1 with 'error' (static) set. */
static int
check_peer_config(const struct bgp_engine *e,
                  const struct bgp_peer_config *cfg,
                  const struct bgp_peer *self, const char **error)
{
    if (cfg->addr.ss_family != AF_INET && cfg->addr.ss_family != AF_INET6) {
        *error = "peer address must be IPv4 or IPv6";
        return -1;
    }
    if (!cfg->as) {
        *error = "peer AS must be 1 to 4294967295";
        return -1;
    }
    if (cfg->password && strlen(cfg->password) > TCP_MD5SIG_MAXKEYLEN) {
        *error = "password longer than 80 bytes";
        return -1;
    }
    for (size_t i = 0; i < e->n_peers; i++) {
        if (e->peers[i] != self
            && same_host(&e->peers[i]->cfg.addr,
                         (const struct sockaddr *) &cfg->addr)) {
            *error = "the same peer address twice";
            return -1;
        }
    }
    return 0;
}

/* The lowest RIB slot no peer holds. */
static unsigned int
free_index(const struct bgp_engine *e)
{
    uint32_t used = 0;

    for (size_t i = 0; i < e->n_peers; i++) {
        used |= 1u << e->peers[i]->index;
    }
    return __builtin_ctz(~used);
}

int
bgp_engine_add_peer(struct bgp_engine *e, const struct bgp_peer_config *cfg,
                    const char **error)
{
    if (check_peer_config(e, cfg, NULL, error)) {
        return -1;
    }
    if (e->n_peers >= BGP_RIB_MAX_PEERS) {
        *error = "more than 32 peers";
        return -1;
    }

    struct bgp_peer *peer = peer_create(e, cfg, free_index(e));
    e->peers = bgp_xrealloc(e->peers, (e->n_peers + 1) * sizeof *e->peers);
    e->peers[e->n_peers++] = peer;
    if (e->running) {
        if (peer->password) {
            listener_set_md5(e, &peer->cfg.addr, peer->password);
        }
        peer_start(peer);
    }
    return 0;
}

int
bgp_engine_set_peer(struct bgp_engine *e, const struct bgp_peer_config *cfg,
                    const char **error)
{
    struct bgp_peer *peer = engine_find_peer(
        e, (const struct sockaddr *) &cfg->addr);

    if (!peer) {
        *error = "no such peer";
        return -1;
    }
    if (check_peer_config(e, cfg, peer, error)) {
        return -1;
    }
    return peer_reconfigure(peer, cfg);
}

int
bgp_engine_remove_peer(struct bgp_engine *e,
                       const struct sockaddr_storage *addr)
{
    for (size_t i = 0; i < e->n_peers; i++) {
        struct bgp_peer *peer = e->peers[i];
        if (same_host(&peer->cfg.addr, (const struct sockaddr *) addr)) {
            struct bgp_notification cease;

            bgp_notification_set(&cease, BGP_ERR_CEASE,
                                 BGP_ERR_CEASE_DECONFIGURED, NULL, 0);
            bgp_log(BGP_LOG_INFO, "peer %s: removed", peer->name);
            bgp_fsm_event(&peer->fsm, BGP_EV_STOP, &cease);
            if (peer->password) {
                listener_set_md5(e, &peer->cfg.addr, NULL);
            }
            peer_destroy(peer);
            memmove(&e->peers[i], &e->peers[i + 1],
                    (e->n_peers - i - 1) * sizeof *e->peers);
            e->n_peers--;
            return 0;
        }
    }
    return -1;
}

struct bgp_peer *
engine_find_peer(const struct bgp_engine *e, const struct sockaddr *addr)
{
    for (size_t i = 0; i < e->n_peers; i++) {
        if (same_host(&e->peers[i]->cfg.addr, addr)) {
            return e->peers[i];
        }
    }
    return NULL;
}

int
bgp_engine_start(struct bgp_engine *e, const char **error)
{
    if (e->cfg.listen_port) {
        struct sockaddr_storage ss;
        int families[2] = { AF_INET, AF_INET6 };
        size_t n = 2;

        if (e->cfg.local_addr.ss_family != AF_UNSPEC) {
            families[0] = e->cfg.local_addr.ss_family;
            n = 1;
        }
        for (size_t i = 0; i < n; i++) {
            memset(&ss, 0, sizeof ss);
            if (e->cfg.local_addr.ss_family == families[i]) {
                ss = e->cfg.local_addr;
            }
            ss.ss_family = families[i];
            if (families[i] == AF_INET) {
                ((struct sockaddr_in *) &ss)->sin_port
                    = htons(e->cfg.listen_port);
            } else {
                ((struct sockaddr_in6 *) &ss)->sin6_port
                    = htons(e->cfg.listen_port);
            }
            int err = listener_open(e, &ss, error);
            if (err && !(families[i] == AF_INET6 && n == 2
                         && err == EAFNOSUPPORT)) {
                return err;
            }
        }
    }
    if (!e->complete && e->cfg.deferral_time) {
        struct timeval tv = { .tv_sec = e->cfg.deferral_time };
        event_add(e->deferral, &tv);
    }
    /* Without graceful restart a session up before the route set is
     * complete has nothing to carry, and its peer gains nothing from it:
     * until then, only accept.  With it, RFC 4724 wants the session back
     * at once, so that the peer's restart timer stops; the table waits. */
    e->running = true;
    for (size_t i = 0; i < e->n_peers; i++) {
        peer_start(e->peers[i]);
    }
    return 0;
}

void
bgp_engine_stop(struct bgp_engine *e, bool graceful, const char *message)
{
    struct bgp_notification n;

    if (graceful) {
        bgp_notification_set(&n, 0, 0, NULL, 0);
    } else {
        bgp_notification_shutdown(&n, BGP_ERR_CEASE_ADMIN_SHUTDOWN, message);
    }
    for (size_t i = 0; i < e->n_listeners; i++) {
        evconnlistener_free(e->listeners[i]);
    }
    e->n_listeners = 0;
    event_del(e->listen_resume);
    for (size_t i = 0; i < e->n_peers; i++) {
        struct bgp_peer *peer = e->peers[i];
        peer->fsm.hold_dial = false;
        bgp_fsm_event(&peer->fsm, BGP_EV_STOP, &n);
    }
    event_del(e->deferral);
    e->running = false;
    e->stopped = true;
}

bool
bgp_engine_is_stopped(const struct bgp_engine *e)
{
    return e->stopped;
}

void
bgp_engine_destroy(struct bgp_engine *e)
{
    if (!e) {
        return;
    }
    for (size_t i = 0; i < e->n_listeners; i++) {
        evconnlistener_free(e->listeners[i]);
    }
    for (size_t i = 0; i < e->n_peers; i++) {
        peer_destroy(e->peers[i]);
    }
    free(e->peers);
    bgp_rib_destroy(e->rib);
    event_free(e->deferral);
    event_free(e->listen_resume);
    free(e);
}

static void
format_caps(const struct bgp_peer *peer, char *buf, size_t size)
{
    const struct bgp_caps *c = &peer->fsm.peer_open.caps;
    snprintf(buf, size, "%s%s%s%s%s%s",
             peer->families & (1 << BGP_AF_IPV4) ? "ipv4-unicast " : "",
             peer->families & (1 << BGP_AF_IPV6) ? "ipv6-unicast " : "",
             c->as4 ? "as4 " : "",
             c->route_refresh ? "route-refresh " : "",
             c->gr && peer->engine->cfg.graceful_restart
             ? "graceful-restart " : "",
             peer->wopts.ext_nh_ipv4 ? "extended-nexthop " : "");
    size_t len = strlen(buf);
    if (len && buf[len - 1] == ' ') {
        buf[len - 1] = '\0';
    }
}

size_t
bgp_engine_get_status(const struct bgp_engine *e, struct bgp_peer_status *s,
                      size_t n)
{
    for (size_t i = 0; i < e->n_peers && i < n; i++) {
        const struct bgp_peer *peer = e->peers[i];
        struct bgp_peer_status *st = &s[i];
        bool up = peer->fsm.state == BGP_ST_ESTABLISHED;

        memset(st, 0, sizeof *st);
        snprintf(st->name, sizeof st->name, "%s", peer->name);
        st->as = peer->cfg.as;
        st->state = bgp_state_name(peer->fsm.state);
        st->since = peer->since;
        st->flaps = peer->flaps;
        snprintf(st->last_error, sizeof st->last_error, "%s",
                 peer->last_error);
        if (up) {
            st->hold_time = peer->fsm.neg_hold_time;
            st->keepalive = bgp_fsm_keepalive_interval(&peer->fsm);
            format_caps(peer, st->caps, sizeof st->caps);
        }
        st->msgs_sent = peer->msgs_sent;
        st->msgs_received = peer->msgs_received;
        st->updates_sent = peer->updates_sent;
        st->updates_received = peer->updates_received;
        st->prefixes_sent = bgp_rib_peer_sent(e->rib, peer->index);
        st->prefixes_received = peer->prefixes_received;
        st->bytes_sent = peer->bytes_sent;
        st->eor_sent = peer->eor_sent;
        st->dial_held = peer->fsm.hold_dial
                        && (peer->fsm.state == BGP_ST_IDLE
                            || peer->fsm.state == BGP_ST_ACTIVE);
        st->table_held = up && !peer->table_started;
    }
    return e->n_peers;
}
