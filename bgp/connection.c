/*
 * The engine's sockets: dialing a peer, listening and accepting (TCP MD5
 * keys and TTL on both), a connection's I/O on libevent and the framing of
 * what it reads, and connection collisions (RFC 4271 section 6.8).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bgp/buf.h"
#include "bgp/fsm.h"
#include "bgp/log.h"
#include "bgp/peer.h"
#include "bgp/xalloc.h"

/* The write callback asks the update pump for more once the output has
 * drained to OUT_LOW (it fills up to OUT_HIGH).  Input is read up to
 * READ_HIGH bytes ahead. */
#define OUT_LOW (16 * 1024)
#define READ_HIGH (256 * 1024)

/* Messages read per callback, so that one peer never holds up the others
 * for long (the adj-RIB-out goes in steps of BGP_RIB_BATCH prefixes). */
#define READ_BUDGET 256

/* RFC 9687: how long a peer may leave our output unread. */
#define SEND_HOLD_MIN 480

/* How long the listeners rest when accept() fails (out of descriptors). */
#define LISTEN_PAUSE_S 1

static void conn_read_cb(struct bufferevent *, void *);
static void conn_write_cb(struct bufferevent *, void *);
static void conn_event_cb(struct bufferevent *, short, void *);

static socklen_t
sockaddr_len(const struct sockaddr_storage *ss)
{
    return (ss->ss_family == AF_INET ? sizeof(struct sockaddr_in)
            : sizeof(struct sockaddr_in6));
}

void
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

bool
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

static struct conn *
conn_create(struct bgp_peer *peer, int fd, bool outgoing)
{
    struct conn *c = bgp_xcalloc(1, sizeof *c);
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
void
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

void
conn_connect_failed_cb(evutil_socket_t fd, short what, void *peer_)
{
    struct bgp_peer *peer = peer_;
    bgp_fsm_event(&peer->fsm, BGP_EV_TCP_FAILED, NULL);
}

void
conn_dial(struct bgp_fsm *f)
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

void
conn_close_all(struct bgp_fsm *f)
{
    struct bgp_peer *peer = f->aux;
    /* A dial that failed at once reports it later: not to a new session. */
    event_del(peer->failed);
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

void
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
            peer_set_timer(&peer->fsm, BGP_TIMER_SEND_HOLD,
                          send_hold_time(peer));
        }
    }
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
 * connection's OPEN is in.  An Established session stays, unless the
 * second connection is that of a peer with graceful restart that came
 * back while the session looked up: it has restarted, and the old
 * connection is dead (RFC 4724 section 4.2). */
void
conn_resolve_collision(struct bgp_peer *peer, const struct bgp_open *open)
{
    struct bgp_notification cease;
    bgp_notification_set(&cease, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION,
                         NULL, 0);

    if (peer->fsm.state == BGP_ST_ESTABLISHED && peer->coll->restarted) {
        bgp_log(BGP_LOG_INFO, "peer %s: the peer restarted (graceful "
                "restart): its new connection replaces the session",
                peer->name);
        peer_set_error(peer, "the peer restarted (new connection while "
                       "Established)");
        conn_free(peer->conn, false);
        peer->conn = peer->coll;
        peer->coll = NULL;
        bgp_fsm_event(&peer->fsm, BGP_EV_TCP_REPLACED, NULL);
        bgp_fsm_event(&peer->fsm, BGP_EV_OPEN, open);
        return;
    }
    bool keep_existing = (peer->fsm.state == BGP_ST_ESTABLISHED
                          || (ours_stays(peer, open) ? peer->conn->outgoing
                              : !peer->conn->outgoing));

    if (keep_existing) {
        bgp_log(BGP_LOG_INFO, "peer %s: connection collision: keeping the "
                "existing connection", peer->name);
        peer_send_notification_on(peer, peer->coll, &cease);
        conn_free(peer->coll, true);
        peer->coll = NULL;
        return;
    }
    bgp_log(BGP_LOG_INFO, "peer %s: connection collision: moving to the "
            "peer's connection", peer->name);
    peer_send_notification_on(peer, peer->conn, &cease);
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
bool
conn_promote_collision(struct bgp_peer *peer)
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

/* Handles up to READ_BUDGET messages from 'c'.  Returns true if complete
 * messages remain. */
bool
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
        peer_handle_message(c, &msg);
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
            peer_protocol_error(peer, &err);
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
        peer_set_timer(&peer->fsm, BGP_TIMER_SEND_HOLD, send_hold_time(peer));
    } else {
        peer_set_timer(&peer->fsm, BGP_TIMER_SEND_HOLD, 0);
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
        if (!conn_promote_collision(peer)) {
            bgp_fsm_event(&peer->fsm, BGP_EV_TCP_FAILED, NULL);
        }
    }
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
          int socklen, void *e_)
{
    struct bgp_engine *e = e_;
    struct bgp_peer *peer = engine_find_peer(e, sa);
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
        event_del(peer->failed);
        conn_free(peer->conn, false);
        peer->conn = c;
        bgp_fsm_event(&peer->fsm, BGP_EV_TCP_CONNECTED, NULL);
        break;
    case BGP_ST_OPENSENT:
    case BGP_ST_OPENCONFIRM:
        conn_free(peer->coll, false);
        peer->coll = c;
        peer_send_open_on(peer, c);
        break;
    case BGP_ST_ESTABLISHED: {
        if (peer->fsm.peer_open.caps.gr) {
            /* RFC 4724 section 4.2: a peer with graceful restart that
             * connects again has restarted, and its old connection is dead
             * (TCP may never tell).  Its OPEN on the new one, if valid,
             * replaces the session (conn_resolve_collision()). */
            bgp_log(BGP_LOG_INFO, "peer %s: new connection while "
                    "Established (graceful restart): waiting for its OPEN",
                    peer->name);
            conn_free(peer->coll, false);
            peer->coll = c;
            c->restarted = true;
            peer_send_open_on(peer, c);
            break;
        }
        struct bgp_notification cease;
        bgp_notification_set(&cease, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION,
                             NULL, 0);
        bgp_log(BGP_LOG_INFO | BGP_LOG_RL, "peer %s: second connection "
                "while Established: refused", peer->name);
        peer_send_notification_on(peer, c, &cease);
        conn_free(c, true);
        break;
    }
    }
}

/* Sets, or with a NULL 'password' clears, the TCP MD5 key for 'addr' on
 * every listener of its family: the other peers' keys stay. */
void
listener_set_md5(struct bgp_engine *e, const struct sockaddr_storage *addr,
                 const char *password)
{
    for (size_t i = 0; i < e->n_listeners; i++) {
        int fd = evconnlistener_get_fd(e->listeners[i]);
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;

        if (!getsockname(fd, (struct sockaddr *) &ss, &len)
            && ss.ss_family == addr->ss_family
            && set_md5(fd, addr, password ? password : "")) {
            bgp_log(BGP_LOG_WARN, "TCP MD5 key on the listener: %s",
                    strerror(errno));
        }
    }
}

/* accept() failed with something other than "try again": most likely
 * EMFILE or ENFILE, out of file descriptors.  The connection stays queued
 * and the socket readable, so listening on would spin: every listener
 * rests a while, and the sessions keep the loop. */
static void
accept_error_cb(struct evconnlistener *l, void *e_)
{
    struct bgp_engine *e = e_;
    int error = EVUTIL_SOCKET_ERROR();
    struct timeval pause = { .tv_sec = LISTEN_PAUSE_S };

    bgp_log(BGP_LOG_WARN | BGP_LOG_RL, "accept: %s; not accepting BGP "
            "connections for %d s", evutil_socket_error_to_string(error),
            LISTEN_PAUSE_S);
    for (size_t i = 0; i < e->n_listeners; i++) {
        evconnlistener_disable(e->listeners[i]);
    }
    event_add(e->listen_resume, &pause);
}

void
listener_resume_cb(evutil_socket_t fd, short what, void *e_)
{
    struct bgp_engine *e = e_;

    for (size_t i = 0; i < e->n_listeners; i++) {
        evconnlistener_enable(e->listeners[i]);
    }
}

int
listener_open(struct bgp_engine *e, const struct sockaddr_storage *ss,
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
    evconnlistener_set_error_cb(l, accept_error_cb);
    e->listeners[e->n_listeners++] = l;
    return 0;

fail:;
    int err = errno;
    close(fd);
    return err;
}
