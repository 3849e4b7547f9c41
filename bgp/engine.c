/*
 * The BGP engine: see engine.h.
 *
 * Layout of this file:
 *   - the public route API, onto the Loc-RIB (rib.h);
 *   - per peer: connections and their I/O on libevent, the state machine's
 *     callbacks, message handling;
 *   - per peer: the adj-RIB-out (kept in rib.h), sent lazily
 *     (send_updates());
 *   - listeners, start and stop, status.
 */
#include "bgp/engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bgp/buf.h"
#include "bgp/fsm.h"
#include "bgp/log.h"
#include "bgp/pmap.h"
#include "bgp/rib.h"

/* Output is filled up to HIGH bytes; the write callback asks for more once
 * it has drained to LOW.  Input is read up to READ_HIGH bytes ahead. */
#define OUT_HIGH (64 * 1024)
#define OUT_LOW (16 * 1024)
#define READ_HIGH (256 * 1024)

/* Messages read per callback, so that one peer never holds up the others
 * for long (the adj-RIB-out goes in steps of BGP_RIB_BATCH prefixes). */
#define READ_BUDGET 256

/* RFC 9687: how long a peer may leave our output unread. */
#define SEND_HOLD_MIN 480

#define LOCAL_PREF_DEFAULT 100

static void *
xzalloc_or_die(size_t size)
{
    void *p = calloc(1, size);
    if (!p) {
        abort();
    }
    return p;
}

/* ------------------------------------------------------------------------
 * Structures.
 */

struct conn {
    struct bgp_peer *peer;
    struct bufferevent *bev;
    bool outgoing;              /* We initiated it. */
    bool connected;
    bool open_sent;             /* Our OPEN is out on it. */
    struct sockaddr_storage local;
};

struct timer {
    struct event *ev;
    struct bgp_peer *peer;
    enum bgp_timer which;
};

struct bgp_peer {
    struct bgp_engine *engine;
    unsigned int index;         /* In the engine's peers, and the RIB's. */
    struct bgp_peer_config cfg;
    char *password;
    char name[64];
    bool ibgp;

    struct bgp_fsm fsm;
    struct conn *conn;          /* The session's connection. */
    struct conn *coll;          /* A second, incoming one (collision). */
    struct timer timers[BGP_TIMER_N];
    struct event *work;         /* Deferred: fill output, read more. */
    struct event *failed;       /* Deferred: a connect failed at once. */
    bool first_open;            /* No session yet since start (R bit). */
    uint8_t refresh_afs;        /* Families the peer asked to refresh. */

    /* Negotiated. */
    struct bgp_wire_opts wopts;
    uint8_t families;           /* Bitmap of enum bgp_af. */
    struct bgp_attrs attrs;
    uint32_t as_path[1];

    /* The adj-RIB-out is the RIB's: see rib.h. */
    bool table_started;         /* The initial table may go out. */
    bool eor_sent;
    struct bgp_writer writer;

    /* Status. */
    time_t since;
    unsigned int flaps;
    char last_error[160];
    uint64_t msgs_sent, msgs_received;
    uint64_t updates_sent, updates_received;
    uint64_t prefixes_received;
    uint64_t bytes_sent;
};

struct bgp_engine {
    struct event_base *base;
    struct bgp_engine_config cfg;
    struct bgp_rib *rib;        /* The Loc-RIB, and each peer's
                                 * adj-RIB-out. */
    bool complete;              /* The owner's route set is complete. */
    struct event *deferral;
    struct bgp_peer **peers;
    size_t n_peers;
    struct evconnlistener *listeners[2];
    size_t n_listeners;
    bool stopped;
};

static void peer_schedule_work(struct bgp_peer *);
static void peer_start_table(struct bgp_peer *);
static void conn_free(struct conn *, bool flush);
static void fsm_set_timer(struct bgp_fsm *, enum bgp_timer, unsigned seconds);

/* ------------------------------------------------------------------------
 * The Loc-RIB.
 */

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

/* ------------------------------------------------------------------------
 * Sockets.
 */

static socklen_t
sockaddr_len(const struct sockaddr_storage *ss)
{
    return (ss->ss_family == AF_INET ? sizeof(struct sockaddr_in)
            : sizeof(struct sockaddr_in6));
}

static void
format_addr(const struct sockaddr_storage *ss, char *buf, size_t size)
{
    char addr[INET6_ADDRSTRLEN] = "?";
    if (ss->ss_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *) ss)->sin_addr,
                  addr, sizeof addr);
    } else if (ss->ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *) ss)->sin6_addr,
                  addr, sizeof addr);
    }
    snprintf(buf, size, "%s", addr);
}

static bool
same_host(const struct sockaddr_storage *a, const struct sockaddr *b)
{
    if (a->ss_family != b->sa_family) {
        return false;
    }
    if (a->ss_family == AF_INET) {
        return ((const struct sockaddr_in *) a)->sin_addr.s_addr
               == ((const struct sockaddr_in *) b)->sin_addr.s_addr;
    }
    return !memcmp(&((const struct sockaddr_in6 *) a)->sin6_addr,
                   &((const struct sockaddr_in6 *) b)->sin6_addr,
                   sizeof(struct in6_addr));
}

/* Sets (or, with an empty 'password', clears) the TCP MD5 key for 'peer'
 * on socket 'fd'. */
static int
set_md5(int fd, const struct sockaddr_storage *peer, const char *password)
{
    struct tcp_md5sig md5;

    memset(&md5, 0, sizeof md5);
    memcpy(&md5.tcpm_addr, peer, sockaddr_len(peer));
    size_t len = password ? strlen(password) : 0;
    if (len > TCP_MD5SIG_MAXKEYLEN) {
        errno = EINVAL;
        return -1;
    }
    md5.tcpm_keylen = len;
    memcpy(md5.tcpm_key, password, len);
    return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof md5);
}

static int
set_ttl(int fd, int family, int ttl)
{
    if (family == AF_INET) {
        return setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
    }
    return setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
}

static int
peer_ttl(const struct bgp_peer *peer)
{
    return peer->cfg.ttl > 0 ? peer->cfg.ttl : peer->ibgp ? 255 : 1;
}

/* ------------------------------------------------------------------------
 * Connections.
 */

static void conn_read_cb(struct bufferevent *, void *);
static void conn_write_cb(struct bufferevent *, void *);
static void conn_event_cb(struct bufferevent *, short, void *);

static struct conn *
conn_create(struct bgp_peer *peer, int fd, bool outgoing)
{
    struct conn *c = xzalloc_or_die(sizeof *c);
    int one = 1;

    /* Messages are written whole: an UPDATE for one change must not wait
     * for the peer's delayed ACK of the one before (Nagle). */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->peer = peer;
    c->outgoing = outgoing;
    c->bev = bufferevent_socket_new(peer->engine->base, fd,
                                    BEV_OPT_CLOSE_ON_FREE);
    if (!c->bev) {
        close(fd);
        free(c);
        return NULL;
    }
    bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
    bufferevent_setwatermark(c->bev, EV_READ, 0, READ_HIGH);
    bufferevent_setwatermark(c->bev, EV_WRITE, OUT_LOW, 0);
    return c;
}

static void
conn_record_local(struct conn *c)
{
    socklen_t len = sizeof c->local;
    if (getsockname(bufferevent_getfd(c->bev), (struct sockaddr *) &c->local,
                    &len)) {
        memset(&c->local, 0, sizeof c->local);
    }
}

/* Frees 'c'; with 'flush', first writes what output the socket takes
 * now (a NOTIFICATION, typically). */
static void
conn_free(struct conn *c, bool flush)
{
    if (!c) {
        return;
    }
    if (flush && c->connected) {
        evutil_socket_t fd = bufferevent_getfd(c->bev);
        struct evbuffer *out = bufferevent_get_output(c->bev);
        char discard[4096];

        /* A socket bufferevent keeps the start of its output frozen so
         * that only it drains the buffer: thaw it to write here. */
        evbuffer_unfreeze(out, 1);
        while (evbuffer_get_length(out) && evbuffer_write(out, fd) > 0) {
            continue;
        }
        /* Closing a socket with unread input sends a reset, which can make
         * the peer drop what we just wrote (our NOTIFICATION): read what
         * is there, then close our side in order. */
        while (read(fd, discard, sizeof discard) > 0) {
            continue;
        }
        shutdown(fd, SHUT_WR);
    }
    bufferevent_free(c->bev);
    free(c);
}

static void
peer_set_error(struct bgp_peer *peer, const char *format, ...)
    __attribute__((__format__(__printf__, 2, 3)));

static void
peer_set_error(struct bgp_peer *peer, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(peer->last_error, sizeof peer->last_error, format, args);
    va_end(args);
}

static void
connect_failed_cb(evutil_socket_t fd, short what, void *peer_)
{
    struct bgp_peer *peer = peer_;
    bgp_fsm_event(&peer->fsm, BGP_EV_TCP_FAILED, NULL);
}

static void
fsm_connect(struct bgp_fsm *f)
{
    struct bgp_peer *peer = f->aux;
    const struct bgp_engine_config *cfg = &peer->engine->cfg;
    int family = peer->cfg.addr.ss_family;
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const char *step = "socket";

    if (fd < 0) {
        goto fail;
    }
    step = "TCP MD5 signature";
    if (peer->password && set_md5(fd, &peer->cfg.addr, peer->password)) {
        goto fail_close;
    }
    step = "TTL";
    if (set_ttl(fd, family, peer_ttl(peer))) {
        goto fail_close;
    }
    if (cfg->local_addr.ss_family == family) {
        struct sockaddr_storage local = cfg->local_addr;
        if (family == AF_INET) {
            ((struct sockaddr_in *) &local)->sin_port = 0;
        } else {
            ((struct sockaddr_in6 *) &local)->sin6_port = 0;
        }
        step = "bind to the local address";
        if (bind(fd, (struct sockaddr *) &local, sockaddr_len(&local))) {
            goto fail_close;
        }
    }
    conn_free(peer->conn, false);
    peer->conn = conn_create(peer, fd, true);
    if (!peer->conn) {
        step = "bufferevent";
        goto fail;
    }
    if (bufferevent_socket_connect(peer->conn->bev,
                                   (struct sockaddr *) &peer->cfg.addr,
                                   sockaddr_len(&peer->cfg.addr))) {
        step = "connect";
        goto fail;
    }
    bufferevent_enable(peer->conn->bev, EV_READ | EV_WRITE);
    return;

fail_close:
    close(fd);
fail:
    bgp_log(BGP_LOG_WARN | BGP_LOG_RL, "peer %s: %s: %s", peer->name, step,
            strerror(errno));
    peer_set_error(peer, "%s: %s", step, strerror(errno));
    /* Answer after this call returns: the machine is mid-transition. */
    event_active(peer->failed, EV_TIMEOUT, 0);
}

static void
fsm_close(struct bgp_fsm *f)
{
    struct bgp_peer *peer = f->aux;
    conn_free(peer->conn, true);
    peer->conn = NULL;
    conn_free(peer->coll, true);
    peer->coll = NULL;
}

static unsigned int
send_hold_time(const struct bgp_peer *peer)
{
    return (peer->fsm.neg_hold_time > SEND_HOLD_MIN
            ? peer->fsm.neg_hold_time : SEND_HOLD_MIN);
}

static void
conn_send(struct conn *c, const struct bgp_writer *w)
{
    if (c && bgp_writer_ok(w)) {
        struct bgp_peer *peer = c->peer;
        evbuffer_add(bufferevent_get_output(c->bev), bgp_writer_data(w),
                     bgp_writer_len(w));
        peer->msgs_sent++;
        peer->bytes_sent += bgp_writer_len(w);
        /* RFC 9687: output is waiting; the peer has so long to read it.
         * The write callback restarts the timer on progress. */
        if (c == peer->conn && !event_pending(
                peer->timers[BGP_TIMER_SEND_HOLD].ev, EV_TIMEOUT, NULL)) {
            fsm_set_timer(&peer->fsm, BGP_TIMER_SEND_HOLD,
                          send_hold_time(peer));
        }
    }
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

static void
send_open_on(struct bgp_peer *peer, struct conn *c)
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
        send_open_on(peer, peer->conn);
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

static void
send_notification_on(struct bgp_peer *peer, struct conn *c,
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
    send_notification_on(peer, peer->conn, n);
}

static void
fsm_set_timer(struct bgp_fsm *f, enum bgp_timer which, unsigned seconds)
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

/* The peer has nothing from us, and gets nothing until its table starts
 * again. */
static void
peer_forget(struct bgp_peer *peer)
{
    bgp_rib_peer_stop(peer->engine->rib, peer->index);
    peer->table_started = false;
    peer->refresh_afs = 0;
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
    .connect = fsm_connect,
    .close = fsm_close,
    .send_open = fsm_send_open,
    .send_keepalive = fsm_send_keepalive,
    .send_notification = fsm_send_notification,
    .set_timer = fsm_set_timer,
    .established = fsm_established,
    .state_changed = fsm_state_changed,
};

/* ------------------------------------------------------------------------
 * Receiving.
 */

static void
protocol_error(struct bgp_peer *peer, const struct bgp_notification *n)
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

/* Whether, of two connections with the peer whose OPEN is 'open', the one
 * we opened stays: that of the speaker with the higher BGP identifier
 * (RFC 4271 section 6.8), or with equal identifiers (eBGP only), that of
 * the speaker with the higher AS (RFC 6286 section 2.3). */
static bool
ours_stays(const struct bgp_peer *peer, const struct bgp_open *open)
{
    const struct bgp_engine_config *cfg = &peer->engine->cfg;

    if (cfg->router_id != open->bgp_id) {
        return cfg->router_id > open->bgp_id;
    }
    return cfg->local_as > peer->cfg.as;
}

/* Resolves a connection collision (RFC 4271 section 6.8) once the second
 * connection's OPEN is in. */
static void
resolve_collision(struct bgp_peer *peer, const struct bgp_open *open)
{
    struct bgp_notification cease;
    bgp_notification_set(&cease, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION,
                         NULL, 0);
    bool keep_existing = (ours_stays(peer, open) ? peer->conn->outgoing
                          : !peer->conn->outgoing);

    if (keep_existing) {
        bgp_log(BGP_LOG_INFO, "peer %s: connection collision: keeping the "
                "existing connection", peer->name);
        send_notification_on(peer, peer->coll, &cease);
        conn_free(peer->coll, true);
        peer->coll = NULL;
        return;
    }
    bgp_log(BGP_LOG_INFO, "peer %s: connection collision: moving to the "
            "peer's connection", peer->name);
    send_notification_on(peer, peer->conn, &cease);
    conn_free(peer->conn, true);
    peer->conn = peer->coll;
    peer->coll = NULL;
    /* Our OPEN is out on the new connection and the peer's is in: carry on
     * from OpenSent with it. */
    bgp_fsm_event(&peer->fsm, BGP_EV_TCP_REPLACED, NULL);
    bgp_fsm_event(&peer->fsm, BGP_EV_OPEN, open);
}

/* The session's connection failed, or the peer closed it (with a Cease
 * for the collision, typically), while the peer's second connection waits
 * for its OPEN: go on with that one instead of going Idle, since RFC 4271
 * section 6.8 keeps the two apart.  Returns true if it did. */
static bool
promote_collision(struct bgp_peer *peer)
{
    if (!peer->coll || (peer->fsm.state != BGP_ST_OPENSENT
                        && peer->fsm.state != BGP_ST_OPENCONFIRM)) {
        return false;
    }
    bgp_log(BGP_LOG_INFO, "peer %s: connection closed during a collision: "
            "going on with the peer's connection", peer->name);
    conn_free(peer->conn, false);
    peer->conn = peer->coll;
    peer->coll = NULL;
    /* Our OPEN is out on it; its OPEN is still to come. */
    bgp_fsm_event(&peer->fsm, BGP_EV_TCP_REPLACED, NULL);
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
        protocol_error(peer, &r.error);
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
        protocol_error(peer, &err);
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

static void
handle_message(struct conn *c, const struct bgp_msg *msg)
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
        resolve_collision(peer, &open);
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
            protocol_error(peer, &err);
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
        if (!promote_collision(peer)) {
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

/* Handles up to READ_BUDGET messages from 'c'.  Returns true if complete
 * messages remain. */
static bool
conn_process_input(struct conn *c)
{
    struct bgp_peer *peer = c->peer;
    struct evbuffer *in = bufferevent_get_input(c->bev);

    for (int i = 0; i < READ_BUDGET; i++) {
        size_t avail = evbuffer_get_length(in);
        struct bgp_notification err;
        struct bgp_msg msg;

        if (avail < BGP_HEADER_LEN) {
            return false;
        }
        const uint8_t *hdr = evbuffer_pullup(in, BGP_HEADER_LEN);
        if (bgp_frame(hdr, BGP_HEADER_LEN, BGP_MAX_LEN, &msg, &err)
            == BGP_FRAME_ERROR) {
            goto bad;
        }
        size_t len = (hdr[16] << 8) | hdr[17];
        if (avail < len) {
            return false;
        }
        const uint8_t *data = evbuffer_pullup(in, len);
        if (bgp_frame(data, len, BGP_MAX_LEN, &msg, &err) != BGP_FRAME_OK) {
            goto bad;
        }
        handle_message(c, &msg);
        /* The message may have closed this connection. */
        if (c != peer->conn && c != peer->coll) {
            return false;
        }
        evbuffer_drain(in, len);
        continue;

    bad:
        bgp_log(BGP_LOG_WARN | BGP_LOG_RL, "peer %s: bad message header: %s",
                peer->name, bgp_notification_name(err.code, err.subcode));
        if (c == peer->coll) {
            conn_free(peer->coll, false);
            peer->coll = NULL;
        } else {
            protocol_error(peer, &err);
        }
        return false;
    }
    return evbuffer_get_length(in) >= BGP_HEADER_LEN;
}

/* The connection is up: the first of its connect event and its first
 * bytes (libevent may deliver either first) says so. */
static void
conn_connected(struct conn *c)
{
    struct bgp_peer *peer = c->peer;

    if (!c->connected) {
        c->connected = true;
        conn_record_local(c);
        if (c == peer->conn) {
            bgp_fsm_event(&peer->fsm, BGP_EV_TCP_CONNECTED, NULL);
        }
    }
}

static void
conn_read_cb(struct bufferevent *bev, void *c_)
{
    struct conn *c = c_;
    struct bgp_peer *peer = c->peer;

    conn_connected(c);
    if (c != peer->conn && c != peer->coll) {
        return;
    }
    if (conn_process_input(c)) {
        peer_schedule_work(peer);
    }
}

static void
conn_write_cb(struct bufferevent *bev, void *c_)
{
    struct conn *c = c_;
    struct bgp_peer *peer = c->peer;

    if (c != peer->conn) {
        return;
    }
    /* Progress: the peer reads.  RFC 9687's timer runs only while output
     * waits. */
    if (evbuffer_get_length(bufferevent_get_output(bev))) {
        fsm_set_timer(&peer->fsm, BGP_TIMER_SEND_HOLD, send_hold_time(peer));
    } else {
        fsm_set_timer(&peer->fsm, BGP_TIMER_SEND_HOLD, 0);
    }
    peer_schedule_work(peer);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *c_)
{
    struct conn *c = c_;
    struct bgp_peer *peer = c->peer;

    if (what & BEV_EVENT_CONNECTED) {
        conn_connected(c);
        return;
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        int error = EVUTIL_SOCKET_ERROR();
        if (c == peer->coll) {
            conn_free(peer->coll, false);
            peer->coll = NULL;
            return;
        }
        if (what & BEV_EVENT_EOF) {
            if (!peer->last_error[0] || peer->fsm.state
                                        == BGP_ST_ESTABLISHED) {
                peer_set_error(peer, "connection closed by the peer");
            }
        } else {
            peer_set_error(peer, "connection: %s",
                           evutil_socket_error_to_string(error));
        }
        bgp_log(BGP_LOG_DBG, "peer %s: %s", peer->name, peer->last_error);
        if (!promote_collision(peer)) {
            bgp_fsm_event(&peer->fsm, BGP_EV_TCP_FAILED, NULL);
        }
    }
}

/* ------------------------------------------------------------------------
 * The adj-RIB-out.
 */

static void
peer_schedule_work(struct bgp_peer *peer)
{
    event_active(peer->work, EV_TIMEOUT, 0);
}

static void
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

static void
work_cb(evutil_socket_t fd, short what, void *peer_)
{
    struct bgp_peer *peer = peer_;

    if (peer->conn && conn_process_input(peer->conn)) {
        peer_schedule_work(peer);
    }
    send_updates(peer);
}

/* ------------------------------------------------------------------------
 * Peers and listeners.
 */

struct bgp_engine *
bgp_engine_create(struct event_base *base,
                  const struct bgp_engine_config *cfg)
{
    struct bgp_engine *e = xzalloc_or_die(sizeof *e);
    e->base = base;
    e->cfg = *cfg;
    if (!e->cfg.connect_retry) {
        e->cfg.connect_retry = 5;
    }
    e->rib = bgp_rib_create();
    e->deferral = event_new(base, -1, 0, deferral_cb, e);
    return e;
}

int
bgp_engine_add_peer(struct bgp_engine *e, const struct bgp_peer_config *cfg,
                    const char **error)
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
    if (e->n_peers >= BGP_RIB_MAX_PEERS) {
        *error = "more than 32 peers";
        return -1;
    }
    for (size_t i = 0; i < e->n_peers; i++) {
        if (same_host(&e->peers[i]->cfg.addr,
                      (const struct sockaddr *) &cfg->addr)) {
            *error = "the same peer address twice";
            return -1;
        }
    }

    struct bgp_peer *peer = xzalloc_or_die(sizeof *peer);
    peer->engine = e;
    peer->index = e->n_peers;
    peer->cfg = *cfg;
    peer->password = cfg->password && *cfg->password
                     ? strdup(cfg->password) : NULL;
    peer->cfg.password = NULL;
    peer->ibgp = cfg->as == e->cfg.local_as;
    peer->first_open = true;
    format_addr(&cfg->addr, peer->name, sizeof peer->name);
    peer->since = time(NULL);

    bgp_fsm_init(&peer->fsm, &fsm_ops, peer);
    peer->fsm.passive = cfg->passive;
    peer->fsm.hold_time = e->cfg.hold_time;
    peer->fsm.connect_retry = e->cfg.connect_retry;
    for (int i = 0; i < BGP_TIMER_N; i++) {
        peer->timers[i].peer = peer;
        peer->timers[i].which = i;
        peer->timers[i].ev = event_new(e->base, -1, 0, timer_cb,
                                       &peer->timers[i]);
    }
    peer->work = event_new(e->base, -1, 0, work_cb, peer);
    peer->failed = event_new(e->base, -1, 0, connect_failed_cb, peer);
    bgp_writer_init_dynamic(&peer->writer, BGP_MAX_LEN);

    e->peers = realloc(e->peers, (e->n_peers + 1) * sizeof *e->peers);
    if (!e->peers) {
        abort();
    }
    e->peers[e->n_peers++] = peer;
    return 0;
}

static struct bgp_peer *
find_peer(const struct bgp_engine *e, const struct sockaddr *addr)
{
    for (size_t i = 0; i < e->n_peers; i++) {
        if (same_host(&e->peers[i]->cfg.addr, addr)) {
            return e->peers[i];
        }
    }
    return NULL;
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
          int socklen, void *e_)
{
    struct bgp_engine *e = e_;
    struct bgp_peer *peer = find_peer(e, sa);
    char name[INET6_ADDRSTRLEN];

    if (!peer || e->stopped || peer->fsm.stopped) {
        struct sockaddr_storage ss;
        memcpy(&ss, sa, socklen < (int) sizeof ss ? socklen : sizeof ss);
        format_addr(&ss, name, sizeof name);
        bgp_log(BGP_LOG_INFO | BGP_LOG_RL, "connection from %s refused: %s",
                name, peer ? "peer stopped" : "not a configured peer");
        close(fd);
        return;
    }
    evutil_make_socket_nonblocking(fd);
    set_ttl(fd, sa->sa_family, peer_ttl(peer));
    struct conn *c = conn_create(peer, fd, false);
    if (!c) {
        return;
    }
    c->connected = true;
    conn_record_local(c);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);

    switch (peer->fsm.state) {
    case BGP_ST_IDLE:
        /* Waiting to restart: the machine starts now, with this
         * connection. */
    case BGP_ST_CONNECT:
    case BGP_ST_ACTIVE:
        conn_free(peer->conn, false);
        peer->conn = c;
        bgp_fsm_event(&peer->fsm, BGP_EV_TCP_CONNECTED, NULL);
        break;
    case BGP_ST_OPENSENT:
    case BGP_ST_OPENCONFIRM:
        conn_free(peer->coll, false);
        peer->coll = c;
        send_open_on(peer, c);
        break;
    case BGP_ST_ESTABLISHED: {
        if (peer->fsm.peer_open.caps.gr) {
            /* RFC 4724 section 4.2: a peer with graceful restart that
             * connects again has restarted; the old connection is dead
             * (its TCP may never tell), and the new one replaces it. */
            bgp_log(BGP_LOG_INFO, "peer %s: new connection while "
                    "Established: the peer restarted (graceful restart); "
                    "replacing the session", peer->name);
            peer_set_error(peer, "the peer restarted (new connection while "
                           "Established)");
            conn_free(peer->conn, false);
            peer->conn = c;
            bgp_fsm_event(&peer->fsm, BGP_EV_TCP_REPLACED, NULL);
            break;
        }
        struct bgp_notification cease;
        bgp_notification_set(&cease, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION,
                             NULL, 0);
        bgp_log(BGP_LOG_INFO | BGP_LOG_RL, "peer %s: second connection "
                "while Established: refused", peer->name);
        send_notification_on(peer, c, &cease);
        conn_free(c, true);
        break;
    }
    }
}

static int
open_listener(struct bgp_engine *e, const struct sockaddr_storage *ss,
              const char **error)
{
    int family = ss->ss_family;
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;

    if (fd < 0) {
        *error = "socket";
        return errno;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (family == AF_INET6
        && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one)) {
        *error = "IPV6_V6ONLY";
        goto fail;
    }
    if (bind(fd, (const struct sockaddr *) ss, sockaddr_len(ss))) {
        *error = "bind";
        goto fail;
    }
    /* TCP MD5 keys go on the listening socket, one per peer. */
    for (size_t i = 0; i < e->n_peers; i++) {
        struct bgp_peer *peer = e->peers[i];
        if (peer->password && peer->cfg.addr.ss_family == family
            && set_md5(fd, &peer->cfg.addr, peer->password)) {
            *error = "TCP MD5 signature on the listener";
            goto fail;
        }
    }
    /* The kernel caps the backlog at net.core.somaxconn: ask for the
     * most, so that many peers (or a burst of strangers) connecting at
     * once are queued, not dropped. */
    struct evconnlistener *l = evconnlistener_new(
        e->base, accept_cb, e, LEV_OPT_CLOSE_ON_FREE, INT_MAX, fd);
    if (!l) {
        *error = "listen";
        goto fail;
    }
    e->listeners[e->n_listeners++] = l;
    return 0;

fail:;
    int err = errno;
    close(fd);
    return err;
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
            int err = open_listener(e, &ss, error);
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
    bool hold = !e->complete && !e->cfg.graceful_restart;
    for (size_t i = 0; i < e->n_peers; i++) {
        struct bgp_peer *peer = e->peers[i];
        peer->fsm.hold_dial = hold && !peer->cfg.passive;
        bgp_fsm_event(&peer->fsm, BGP_EV_START, NULL);
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
    for (size_t i = 0; i < e->n_peers; i++) {
        struct bgp_peer *peer = e->peers[i];
        peer->fsm.hold_dial = false;
        bgp_fsm_event(&peer->fsm, BGP_EV_STOP, &n);
    }
    event_del(e->deferral);
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
        struct bgp_peer *peer = e->peers[i];
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
    free(e->peers);
    bgp_rib_destroy(e->rib);
    event_free(e->deferral);
    free(e);
}

/* ------------------------------------------------------------------------
 * Status.
 */

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
