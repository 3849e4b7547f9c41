/*
 * The HTTP endpoint: see metrics.h.
 */
#include <config.h>

#include "src/metrics.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgp/engine.h"
#include "openvswitch/vlog.h"
#include "src/channel.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(metrics);

struct metrics {
    struct evhttp *http;
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

static void
handle(struct evhttp_request *req, void *m_)
{
    const struct metrics *m = m_;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    const char *uri = evhttp_request_get_uri(req);
    size_t len = strcspn(uri, "?");
    struct evbuffer *body = evbuffer_new();
    struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
    int code = 200;
    const char *reason = "OK";

    if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
        code = 405;
        reason = "Method Not Allowed";
        evhttp_add_header(headers, "Allow", "GET, HEAD");
        evbuffer_add_printf(body, "only GET and HEAD\n");
    } else if (len == 8 && !strncmp(uri, "/metrics", len)) {
        evhttp_add_header(headers, "Content-Type",
                          "text/plain; version=0.0.4; charset=utf-8");
        write_metrics(m, body);
    } else if (len == 8 && !strncmp(uri, "/healthz", len)) {
        evbuffer_add_printf(body, "ok\n");
    } else if (len == 7 && !strncmp(uri, "/readyz", len)) {
        const char *why;
        if (is_ready(m, &why)) {
            evbuffer_add_printf(body, "ready\n");
        } else {
            code = 503;
            reason = "Service Unavailable";
            evbuffer_add_printf(body, "not ready: %s\n", why);
        }
    } else {
        code = 404;
        reason = "Not Found";
        evbuffer_add_printf(body, "not found; try /metrics, /healthz or "
                            "/readyz\n");
    }
    if (!evhttp_find_header(headers, "Content-Type")) {
        evhttp_add_header(headers, "Content-Type",
                          "text/plain; charset=utf-8");
    }
    evhttp_send_reply(req, code, reason, body);
    evbuffer_free(body);
}

struct metrics *
metrics_start(struct event_base *base, const char *address,
              const struct bgp_engine *engine, struct channel *ch)
{
    struct metrics *m = xzalloc(sizeof *m);
    const char *colon = strrchr(address, ':');
    char *host = xmemdup0(address, colon - address);
    int port = atoi(colon + 1);
    size_t hlen = strlen(host);

    if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
        host[hlen - 1] = '\0';
        memmove(host, host + 1, hlen - 1);
    }
    m->engine = engine;
    m->ch = ch;
    m->http = evhttp_new(base);
    /* Read-only and small: other methods get a 405 from handle(), no
     * request body is read, idle connections do not linger. */
    evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD
                               | EVHTTP_REQ_POST | EVHTTP_REQ_PUT
                               | EVHTTP_REQ_DELETE);
    evhttp_set_max_headers_size(m->http, 8192);
    evhttp_set_max_body_size(m->http, 0);
    evhttp_set_timeout(m->http, 10);
    evhttp_set_gencb(m->http, handle, m);
    if (!evhttp_bind_socket_with_handle(m->http, *host ? host : "0.0.0.0",
                                        port)) {
        ovs_fatal(0, "--metrics-address=%s: cannot listen there", address);
    }
    VLOG_INFO("metrics on http://%s/metrics", address);
    free(host);
    return m;
}

void
metrics_stop(struct metrics *m)
{
    if (m) {
        evhttp_free(m->http);
        free(m);
    }
}
