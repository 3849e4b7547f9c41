/*
 * The HTTP endpoint: see metrics.h.
 *
 * A small HTTP/1.0 and 1.1 server of its own rather than libevent's evhttp,
 * which in libevent 2.1 cannot cap its connections (see "The metrics
 * endpoint" in doc/design.md): one request per connection, answered with
 * "Connection: close".
 */
#include <config.h>

#include "src/metrics.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bgp/engine.h"
#include "openvswitch/list.h"
#include "openvswitch/vlog.h"
#include "src/channel.h"
#include "src/http-request.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(metrics);

/* Caps, so that no client, nor a flood of them, can take the file
 * descriptors or the turns of the event loop that BGP needs. */
enum {
    MAX_CONNS = 32,             /* Connections at once. */
    DEADLINE_SEC = 10,          /* From accept to close, whatever happens. */
    MAX_HEAD = 8192,            /* Bytes of request line and headers. */
    ACCEPT_BURST = 4,           /* Accepts before the listener rests for a
                                 * turn of the loop. */
    ACCEPT_PAUSE_MS = 1000,     /* Rest after an accept error (EMFILE). */
};

enum conn_state {
    CONN_READING,               /* The request's head. */
    CONN_WRITING,               /* The answer, until the kernel has it. */
    CONN_CLOSING,               /* Answered, write side shut: reading and
                                 * dropping until the client closes. */
};

struct conn {
    struct ovs_list node;       /* In metrics->conns, oldest first. */
    struct metrics *m;
    struct bufferevent *bev;
    struct event *deadline;
    enum conn_state state;
    bool peer_closed;           /* EOF while CONN_WRITING. */
    struct http_head head;
    size_t len;                 /* Bytes of the head in 'buf'. */
    char buf[MAX_HEAD];
};

struct metrics {
    struct event_base *base;
    struct evconnlistener *listener;
    struct event *resume;       /* Turns the listener back on. */
    unsigned int burst;         /* Accepts since it was last turned on. */
    struct ovs_list conns;      /* struct conn, oldest first. */
    size_t n_conns;
    const struct bgp_engine *engine;
    struct channel *ch;
};

static int
state_number(const char *state)
{
    static const char *const states[] = {
        "Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established",
    };
    for (int i = 0; i < 6; i++) {
        if (!strcmp(state, states[i])) {
            return i;
        }
    }
    return -1;
}

/* One metric family: HELP and TYPE lines. */
static void
family(struct evbuffer *b, const char *name, const char *type,
       const char *help)
{
    evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
                        type);
}

static void
write_metrics(const struct metrics *m, struct evbuffer *b)
{
    size_t n = bgp_engine_get_status(m->engine, NULL, 0);
    struct bgp_peer_status *peers = xcalloc(n ? n : 1, sizeof *peers);
    struct nb_snapshot nb;

    bgp_engine_get_status(m->engine, peers, n);
    ovs_mutex_lock(&m->ch->mutex);
    nb = m->ch->nb;
    ovs_mutex_unlock(&m->ch->mutex);

    /* Per peer, under our names; peer_up also under kube-ovn-speaker's, so
     * that existing dashboards keep working. */
    static const char *const up_names[] = {
        "ovn_bgp_speaker_peer_up", "kube_ovn_speaker_bgp_peer_up",
    };
    for (int k = 0; k < 2; k++) {
        family(b, up_names[k], "gauge",
               "1 if the BGP session with the peer is Established.");
        for (size_t i = 0; i < n; i++) {
            evbuffer_add_printf(b, "%s{peer=\"%s\",peer_as=\"%"PRIu32"\"} "
                                "%d\n", up_names[k], peers[i].name,
                                peers[i].as,
                                !strcmp(peers[i].state, "Established"));
        }
    }
    family(b, "ovn_bgp_speaker_peer_state", "gauge",
           "Session state: 0 Idle, 1 Connect, 2 Active, 3 OpenSent, "
           "4 OpenConfirm, 5 Established.");
    for (size_t i = 0; i < n; i++) {
        evbuffer_add_printf(b, "ovn_bgp_speaker_peer_state{peer=\"%s\"} %d\n",
                            peers[i].name, state_number(peers[i].state));
    }

    static const struct {
        const char *name, *type, *help;
        size_t offset;
    } counters[] = {
#define C(NAME, TYPE, HELP, FIELD) \
        { NAME, TYPE, HELP, offsetof(struct bgp_peer_status, FIELD) }
        C("ovn_bgp_speaker_peer_messages_sent_total", "counter",
          "BGP messages sent to the peer.", msgs_sent),
        C("ovn_bgp_speaker_peer_messages_received_total", "counter",
          "BGP messages received from the peer.", msgs_received),
        C("ovn_bgp_speaker_peer_updates_sent_total", "counter",
          "UPDATE messages sent to the peer.", updates_sent),
        C("ovn_bgp_speaker_peer_updates_received_total", "counter",
          "UPDATE messages received from the peer.", updates_received),
        C("ovn_bgp_speaker_peer_prefixes_sent", "gauge",
          "Prefixes the peer has from us (adj-RIB-out).", prefixes_sent),
        C("ovn_bgp_speaker_peer_prefixes_received_total", "counter",
          "Prefixes the peer announced to us (counted, not kept).",
          prefixes_received),
        C("ovn_bgp_speaker_peer_bytes_sent_total", "counter",
          "Bytes of BGP messages sent to the peer.", bytes_sent),
#undef C
    };
    for (size_t c = 0; c < ARRAY_SIZE(counters); c++) {
        family(b, counters[c].name, counters[c].type, counters[c].help);
        for (size_t i = 0; i < n; i++) {
            const uint64_t *v = (const uint64_t *)
                ((const char *) &peers[i] + counters[c].offset);
            evbuffer_add_printf(b, "%s{peer=\"%s\"} %"PRIu64"\n",
                                counters[c].name, peers[i].name, *v);
        }
    }
    family(b, "ovn_bgp_speaker_peer_flaps_total", "counter",
           "Times the session left Established.");
    for (size_t i = 0; i < n; i++) {
        evbuffer_add_printf(b, "ovn_bgp_speaker_peer_flaps_total{peer=\"%s\"}"
                            " %u\n", peers[i].name, peers[i].flaps);
    }

    family(b, "ovn_bgp_speaker_nb_connected", "gauge",
           "1 if connected to the OVN Northbound database.");
    evbuffer_add_printf(b, "ovn_bgp_speaker_nb_connected %d\n",
                        nb.valid && nb.connected);
    family(b, "ovn_bgp_speaker_nb_given_up_total", "counter",
           "NB servers and connection attempts given up.");
    evbuffer_add_printf(b, "ovn_bgp_speaker_nb_given_up_total %llu\n",
                        nb.valid ? nb.n_given_up : 0);
    family(b, "ovn_bgp_speaker_nb_synced", "gauge",
           "1 once the first NB snapshot is in.");
    evbuffer_add_printf(b, "ovn_bgp_speaker_nb_synced %d\n",
                        nb.valid && nb.synced);
    if (nb.valid && nb.last_change_ms) {
        family(b, "ovn_bgp_speaker_nb_last_change_age_seconds", "gauge",
               "Seconds since the route set last changed.");
        evbuffer_add_printf(b, "ovn_bgp_speaker_nb_last_change_age_seconds "
                            "%.3f\n",
                            (time_wall_msec() - nb.last_change_ms) / 1000.0);
    }
    static const char *const kinds[] = { "subnet", "pod", "service" };
    family(b, "ovn_bgp_speaker_routes", "gauge",
           "Announced prefixes, by the kind of NB row they come from.");
    for (int k = 0; k < RS_N_KINDS; k++) {
        evbuffer_add_printf(b, "ovn_bgp_speaker_routes{kind=\"%s\"} "
                            "%"PRIuSIZE"\n", kinds[k],
                            nb.valid ? nb.n_by_kind[k] : 0);
    }
    family(b, "ovn_bgp_speaker_routes_total", "gauge",
           "Announced prefixes.");
    evbuffer_add_printf(b, "ovn_bgp_speaker_routes_total %"PRIuSIZE"\n",
                        nb.valid ? nb.n_routes : 0);
    family(b, "ovn_bgp_speaker_nb_rows_skipped", "gauge",
           "Annotated NB rows skipped for a bad value (the log says why).");
    evbuffer_add_printf(b, "ovn_bgp_speaker_nb_rows_skipped %"PRIuSIZE"\n",
                        nb.valid ? nb.n_skipped : 0);
    free(peers);
}

/* Ready: the first NB snapshot is in and at least one session is up. */
static bool
is_ready(const struct metrics *m, const char **why)
{
    bool synced;

    ovs_mutex_lock(&m->ch->mutex);
    synced = m->ch->nb.valid && m->ch->nb.synced;
    ovs_mutex_unlock(&m->ch->mutex);
    if (!synced) {
        *why = "no NB snapshot yet";
        return false;
    }
    size_t n = bgp_engine_get_status(m->engine, NULL, 0);
    struct bgp_peer_status *peers = xcalloc(n ? n : 1, sizeof *peers);
    bool up = false;
    bgp_engine_get_status(m->engine, peers, n);
    for (size_t i = 0; i < n; i++) {
        up |= !strcmp(peers[i].state, "Established");
    }
    free(peers);
    *why = "no BGP session established";
    return up;
}

/* The answer to a request.  Static strings. */
struct answer {
    int code;
    const char *reason;
    const char *content_type;
    const char *extra;          /* Header lines, each with its CRLF. */
};

static const char TEXT_PLAIN[] = "text/plain; charset=utf-8";

/* Answers the request in 'c->head', the body into BODY. */
static struct answer
handle(const struct metrics *m, const struct conn *c, struct evbuffer *body)
{
    const struct http_head *h = &c->head;
    const char *path = &c->buf[h->target_ofs];
    size_t len = h->path_len;

    if (h->method == HTTP_OTHER) {
        evbuffer_add_printf(body, "only GET and HEAD\n");
        return (struct answer) { 405, "Method Not Allowed", TEXT_PLAIN,
                                 "Allow: GET, HEAD\r\n" };
    } else if (len == 8 && !memcmp(path, "/metrics", len)) {
        write_metrics(m, body);
        return (struct answer) { 200, "OK",
                                 "text/plain; version=0.0.4; charset=utf-8",
                                 "" };
    } else if (len == 8 && !memcmp(path, "/healthz", len)) {
        evbuffer_add_printf(body, "ok\n");
        return (struct answer) { 200, "OK", TEXT_PLAIN, "" };
    } else if (len == 7 && !memcmp(path, "/readyz", len)) {
        const char *why;
        if (is_ready(m, &why)) {
            evbuffer_add_printf(body, "ready\n");
            return (struct answer) { 200, "OK", TEXT_PLAIN, "" };
        }
        evbuffer_add_printf(body, "not ready: %s\n", why);
        return (struct answer) { 503, "Service Unavailable", TEXT_PLAIN, "" };
    } else {
        evbuffer_add_printf(body, "not found; try /metrics, /healthz or "
                            "/readyz\n");
        return (struct answer) { 404, "Not Found", TEXT_PLAIN, "" };
    }
}

static void
conn_close(struct conn *c)
{
    evutil_socket_t fd = bufferevent_getfd(c->bev);

    /* The descriptor is closed here rather than when libevent finalizes the
     * bufferevent, later: the cap counts descriptors. */
    bufferevent_free(c->bev);
    close(fd);
    event_free(c->deadline);
    ovs_list_remove(&c->node);
    c->m->n_conns--;
    free(c);
}

/* Queues the answer A with BODY (unless HEAD_ONLY) and "Connection: close";
 * conn_write_cb() goes on once the kernel has it all. */
static void
send_answer(struct conn *c, const struct answer *a, struct evbuffer *body,
            bool head_only)
{
    struct evbuffer *out = bufferevent_get_output(c->bev);
    char date[64];
    struct tm tm;
    time_t now = time(NULL);

    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT",
             gmtime_r(&now, &tm));
    evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n"
                        "Date: %s\r\n"
                        "Content-Type: %s\r\n"
                        "Content-Length: %"PRIuSIZE"\r\n"
                        "%s"
                        "Connection: close\r\n\r\n",
                        a->code, a->reason, date, a->content_type,
                        evbuffer_get_length(body), a->extra);
    if (!head_only) {
        evbuffer_add_buffer(out, body);
    }
    c->state = CONN_WRITING;
}

/* An answer made of a status and a one-line body, for a request that never
 * reaches handle(). */
static void
send_error(struct conn *c, int code, const char *reason, const char *text)
{
    struct answer a = { code, reason, TEXT_PLAIN, "" };
    struct evbuffer *body = evbuffer_new();

    evbuffer_add_printf(body, "%s\n", text);
    send_answer(c, &a, body, false);
    evbuffer_free(body);
}

static void
conn_read_cb(struct bufferevent *bev, void *c_)
{
    struct conn *c = c_;
    struct evbuffer *in = bufferevent_get_input(bev);

    if (c->state != CONN_READING) {
        /* A body, or more requests: not read. */
        evbuffer_drain(in, evbuffer_get_length(in));
        return;
    }
    int n = evbuffer_remove(in, &c->buf[c->len], sizeof c->buf - c->len);
    if (n > 0) {
        c->len += n;
    }
    switch (http_head_parse(&c->head, c->buf, c->len)) {
    case HTTP_HEAD_MORE:
        if (c->len == sizeof c->buf) {
            send_error(c, 431, "Request Header Fields Too Large",
                       "request head over 8192 bytes");
        }
        break;
    case HTTP_HEAD_BAD:
        send_error(c, 400, "Bad Request", "bad request");
        break;
    case HTTP_HEAD_VERSION:
        send_error(c, 505, "HTTP Version Not Supported",
                   "only HTTP/1.0 and HTTP/1.1");
        break;
    case HTTP_HEAD_DONE: {
        struct evbuffer *body = evbuffer_new();
        struct answer a = handle(c->m, c, body);
        send_answer(c, &a, body, c->head.method == HTTP_HEAD);
        evbuffer_free(body);
        break;
    }
    }
}

/* The output buffer is empty: after an answer, the kernel has it all. */
static void
conn_write_cb(struct bufferevent *bev, void *c_)
{
    struct conn *c = c_;

    if (c->state != CONN_WRITING) {
        return;
    } else if (c->peer_closed) {
        conn_close(c);
    } else {
        /* Closing at once, with the client's bytes unread, would make the
         * kernel send a reset, which may destroy the answer before the
         * client reads it: shut the write side, and close on the client's
         * EOF (or at the deadline). */
        shutdown(bufferevent_getfd(bev), SHUT_WR);
        c->state = CONN_CLOSING;
    }
}

static void
conn_event_cb(struct bufferevent *bev OVS_UNUSED, short what, void *c_)
{
    struct conn *c = c_;

    if (what & BEV_EVENT_EOF && c->state == CONN_WRITING) {
        /* The client shut its write side after its request: answer it
         * still. */
        c->peer_closed = true;
    } else {
        conn_close(c);
    }
}

static void
conn_deadline_cb(evutil_socket_t fd OVS_UNUSED, short what OVS_UNUSED,
                 void *c_)
{
    conn_close(c_);
}

/* At the cap: closes the oldest connection not in the middle of writing an
 * answer, which is the one most likely to be idle, so that a new client (a
 * scraper during a flood of idle connections) gets in.  Returns false if
 * every connection is writing an answer. */
static bool
close_oldest(struct metrics *m)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
    struct conn *c;

    LIST_FOR_EACH (c, node, &m->conns) {
        if (c->state != CONN_WRITING) {
            VLOG_WARN_RL(&rl, "%d HTTP connections at once: closing the "
                         "oldest idle one", MAX_CONNS);
            conn_close(c);
            return true;
        }
    }
    VLOG_WARN_RL(&rl, "%d HTTP connections at once, all being answered: "
                 "refusing a new one", MAX_CONNS);
    return false;
}

static void
accept_cb(struct evconnlistener *listener, evutil_socket_t fd,
          struct sockaddr *sa OVS_UNUSED, int socklen OVS_UNUSED, void *m_)
{
    struct metrics *m = m_;

    /* A few accepts per turn of the loop, however fast they come. */
    if (++m->burst >= ACCEPT_BURST) {
        evconnlistener_disable(listener);
        event_active(m->resume, EV_TIMEOUT, 1);
    }
    if (m->n_conns >= MAX_CONNS && !close_oldest(m)) {
        close(fd);
        return;
    }

    struct bufferevent *bev = bufferevent_socket_new(m->base, fd, 0);
    if (!bev) {
        close(fd);
        return;
    }
    struct conn *c = xzalloc(sizeof *c);
    c->m = m;
    c->bev = bev;
    c->state = CONN_READING;
    http_head_init(&c->head);
    c->deadline = evtimer_new(m->base, conn_deadline_cb, c);
    evtimer_add(c->deadline, &(struct timeval) { .tv_sec = DEADLINE_SEC });
    ovs_list_push_back(&m->conns, &c->node);
    m->n_conns++;
    bufferevent_setcb(bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
}

/* accept() failed with something other than "try again": most likely
 * EMFILE or ENFILE, out of file descriptors.  The connection stays queued
 * and the listening socket readable; listening on would spin.  Rest a
 * while instead, and let BGP have the descriptors that come free. */
static void
accept_error_cb(struct evconnlistener *listener, void *m_)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
    struct metrics *m = m_;
    int error = EVUTIL_SOCKET_ERROR();

    VLOG_WARN_RL(&rl, "accept: %s; not accepting HTTP connections for "
                 "%d ms", ovs_strerror(error), ACCEPT_PAUSE_MS);
    evconnlistener_disable(listener);
    event_add(m->resume, &(struct timeval) {
                  .tv_usec = ACCEPT_PAUSE_MS * 1000 % 1000000,
                  .tv_sec = ACCEPT_PAUSE_MS / 1000 });
}

static void
resume_cb(evutil_socket_t fd OVS_UNUSED, short what OVS_UNUSED, void *m_)
{
    struct metrics *m = m_;

    m->burst = 0;
    evconnlistener_enable(m->listener);
}

struct metrics *
metrics_start(struct event_base *base, const char *address,
              const struct bgp_engine *engine, struct channel *ch)
{
    struct metrics *m = xzalloc(sizeof *m);
    const char *colon = strrchr(address, ':');
    char *host = xmemdup0(address, colon - address);
    size_t hlen = strlen(host);
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
    };
    struct addrinfo *ai;

    if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
        host[hlen - 1] = '\0';
        memmove(host, host + 1, hlen - 1);
    }
    if (getaddrinfo(*host ? host : "0.0.0.0", colon + 1, &hints, &ai)) {
        ovs_fatal(0, "--metrics-address=%s: not an address", address);
    }
    m->base = base;
    m->engine = engine;
    m->ch = ch;
    ovs_list_init(&m->conns);
    m->resume = evtimer_new(base, resume_cb, m);
    m->listener = evconnlistener_new_bind(
        base, accept_cb, m,
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE,
        MAX_CONNS, ai->ai_addr, ai->ai_addrlen);
    if (!m->listener) {
        ovs_fatal(errno, "--metrics-address=%s: cannot listen there",
                  address);
    }
    evconnlistener_set_error_cb(m->listener, accept_error_cb);
    freeaddrinfo(ai);
    free(host);
    VLOG_INFO("metrics on http://%s/metrics", address);
    return m;
}

void
metrics_stop(struct metrics *m)
{
    if (m) {
        struct conn *c;
        LIST_FOR_EACH_SAFE (c, node, &m->conns) {
            conn_close(c);
        }
        evconnlistener_free(m->listener);
        event_free(m->resume);
        free(m);
    }
}
