/*
 * The daemon: the BGP engine on libevent in the main thread, the NB
 * watcher and control commands on OVS's poll loop in a thread of their
 * own, and the channel between them (channel.h).
 */
#include <config.h>

#include "src/speaker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bgp/engine.h"
#include "bgp/log.h"
#include "daemon.h"
#include "fatal-signal.h"
#include "packets.h"
#include "openvswitch/vlog.h"
#include "src/channel.h"
#include "src/metrics.h"
#include "src/nb-thread.h"
#include "src/options.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(bgp);

struct speaker {
    const struct speaker_options *opts;
    struct event_base *base;
    struct bgp_engine *engine;
    struct channel ch;
    struct event *wake;
    struct event *signals[2];
    struct metrics *metrics;
    bool complete;              /* The engine was told the set is. */
    bool stopping;
};

/* The engine's log lines, into OVS's vlog.  Lines a peer's input can
 * repeat are rate-limited. */
static void
log_to_vlog(int level, const char *msg)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(10, 30);
    static const enum vlog_level levels[] = {
        [BGP_LOG_ERR] = VLL_ERR,
        [BGP_LOG_WARN] = VLL_WARN,
        [BGP_LOG_INFO] = VLL_INFO,
        [BGP_LOG_DBG] = VLL_DBG,
    };
    enum vlog_level l = levels[(level & 0xff) & 3];

    if (level & BGP_LOG_RL) {
        vlog_rate_limit(&this_module, l, &rl, "%s", msg);
    } else {
        vlog(&this_module, l, "%s", msg);
    }
}

static void
stop(struct speaker *s, bool withdraw, const char *why)
{
    if (s->stopping) {
        return;
    }
    s->stopping = true;
    bool graceful = s->opts->graceful_restart && !withdraw;
    VLOG_INFO("%s: %s", why, graceful
              ? "closing sessions without a Cease, peers keep the routes "
                "(graceful restart)"
              : "sending Cease, peers drop the routes");
    bgp_engine_stop(s->engine, graceful, "ovn-bgp-speaker shutting down");

    ovs_mutex_lock(&s->ch.mutex);
    s->ch.bgp_stopped = true;
    ovs_mutex_unlock(&s->ch.mutex);
    channel_wake_nb(&s->ch);
    event_base_loopexit(s->base, NULL);
}

static void
publish_status(struct speaker *s)
{
    struct bgp_peer_status *peers;
    size_t n = bgp_engine_get_status(s->engine, NULL, 0);

    peers = xcalloc(n ? n : 1, sizeof *peers);
    bgp_engine_get_status(s->engine, peers, n);
    ovs_mutex_lock(&s->ch.mutex);
    free(s->ch.peers);
    s->ch.peers = peers;
    s->ch.n_peers = n;
    s->ch.status_seq++;
    ovs_mutex_unlock(&s->ch.mutex);
    channel_wake_nb(&s->ch);
}

/* The NB side has something for us. */
static void
wake_cb(evutil_socket_t fd OVS_UNUSED, short what OVS_UNUSED, void *s_)
{
    struct speaker *s = s_;
    struct route_delta *deltas;
    size_t n;
    bool complete, want_status, exit, withdraw;

    channel_drain_bgp_wake(&s->ch);
    ovs_mutex_lock(&s->ch.mutex);
    deltas = s->ch.deltas;
    n = s->ch.n_deltas;
    s->ch.deltas = NULL;
    s->ch.n_deltas = s->ch.allocated = 0;
    complete = s->ch.complete;
    want_status = s->ch.want_status;
    s->ch.want_status = false;
    exit = s->ch.exit;
    withdraw = s->ch.exit_withdraw;
    ovs_mutex_unlock(&s->ch.mutex);

    size_t n_add = 0;
    for (size_t i = 0; i < n; i++) {
        n_add += deltas[i].add;
    }
    /* A snapshot brings them all at once: room for all, not step by
     * step. */
    bgp_engine_reserve(s->engine, n_add);
    for (size_t i = 0; i < n; i++) {
        if (deltas[i].add) {
            bgp_engine_announce(s->engine, &deltas[i].prefix);
        } else {
            bgp_engine_withdraw(s->engine, &deltas[i].prefix);
        }
    }
    free(deltas);
    if (complete && !s->complete) {
        s->complete = true;
        VLOG_INFO("first NB snapshot in: %"PRIuSIZE" routes",
                  bgp_engine_n_routes(s->engine));
        bgp_engine_set_complete(s->engine);
    }
    if (want_status) {
        publish_status(s);
    }
    if (exit) {
        stop(s, withdraw, "exit requested");
    }
}

static void
signal_cb(evutil_socket_t sig, short what OVS_UNUSED, void *s_)
{
    struct speaker *s = s_;
    stop(s, false, sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void
engine_config(const struct speaker_options *opts,
              struct bgp_engine_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->local_as = opts->cluster_as;
    cfg->router_id = opts->router_id;
    cfg->hold_time = opts->holdtime;
    cfg->listen_port = opts->listen_port;
    cfg->local_addr = opts->local_addr;
    cfg->graceful_restart = opts->graceful_restart;
    cfg->restart_time = opts->gr_time;
    cfg->deferral_time = opts->gr_deferral;
    cfg->extended_nexthop = opts->extended_nexthop;
    cfg->has_nh4 = opts->has_nh4;
    memcpy(cfg->nh4, &opts->nh4, 4);
    cfg->has_nh6 = opts->has_nh6;
    memcpy(cfg->nh6, &opts->nh6, 16);
}

/* Raises the soft limit on open files to the hard one, as daemons do: the
 * soft one is often 1024 under a far higher hard one.  (The metrics
 * endpoint's own cap is what keeps it from taking BGP's descriptors.) */
static void
raise_fd_limit(void)
{
    struct rlimit rl;

    if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl)) {
            VLOG_WARN("cannot raise the limit on open files to %llu: %s",
                      (unsigned long long) rl.rlim_max,
                      ovs_strerror(errno));
        }
    }
}

int
speaker_main(const struct speaker_options *opts)
{
    struct speaker s;
    struct bgp_engine_config cfg;
    struct unixctl_server *unixctl;
    const char *error;

    memset(&s, 0, sizeof s);
    s.opts = opts;
    raise_fd_limit();

    /* OVS's rules: daemonize and set up fatal signals before any thread
     * starts. */
    daemonize_start(false);
    if (unixctl_server_create(opts->unixctl_path, &unixctl)) {
        ovs_fatal(0, "cannot create the control socket");
    }

    bgp_log_set_handler(log_to_vlog);
    s.base = event_base_new();
    engine_config(opts, &cfg);
    s.engine = bgp_engine_create(s.base, &cfg);
    for (size_t i = 0; i < opts->n_neighbors; i++) {
        struct bgp_peer_config peer = {
            .addr = opts->neighbors[i],
            .as = opts->neighbor_as,
            .password = opts->password,
            .passive = opts->passive,
            .ttl = opts->neighbor_as != opts->cluster_as
                   ? (int) opts->ebgp_multihop : 0,
        };
        if (bgp_engine_add_peer(s.engine, &peer, &error)) {
            ovs_fatal(0, "neighbor %"PRIuSIZE": %s", i + 1, error);
        }
    }
    int err = bgp_engine_start(s.engine, &error);
    if (err) {
        ovs_fatal(err, "BGP listener on port %u: %s", opts->listen_port,
                  error);
    }
    channel_init(&s.ch);
    if (opts->metrics_address) {
        s.metrics = metrics_start(s.base, opts->metrics_address, s.engine,
                                  &s.ch);
    }
    s.wake = event_new(s.base, s.ch.bgp_wake, EV_READ | EV_PERSIST, wake_cb,
                       &s);
    event_add(s.wake, NULL);
    /* SIGTERM and SIGINT stop the sessions the way the flags say, rather
     * than OVS's immediate exit. */
    s.signals[0] = evsignal_new(s.base, SIGTERM, signal_cb, &s);
    s.signals[1] = evsignal_new(s.base, SIGINT, signal_cb, &s);
    event_add(s.signals[0], NULL);
    event_add(s.signals[1], NULL);

    struct nb_thread *nb = nb_thread_start(&s.ch, opts, unixctl);
    daemonize_complete();
    VLOG_INFO("AS %"PRIu32", router id "IP_FMT", %"PRIuSIZE" neighbor%s, "
              "AS %"PRIu32"; watching %s", opts->cluster_as,
              IP_ARGS(htonl(opts->router_id)), opts->n_neighbors,
              opts->n_neighbors == 1 ? "" : "s", opts->neighbor_as,
              opts->ovnnb_db);
    if (bgp_engine_holds_dials(s.engine)) {
        /* Without graceful restart a session up now would only carry an
         * empty table: dial once there is one to send. */
        VLOG_INFO("waiting for the first NB snapshot before dialing (at "
                  "most %u s); a neighbor that connects gets its session "
                  "now", opts->gr_deferral);
    }

    event_base_dispatch(s.base);

    nb_thread_join(nb);
    unixctl_server_destroy(unixctl);
    metrics_stop(s.metrics);
    event_free(s.wake);
    event_free(s.signals[0]);
    event_free(s.signals[1]);
    bgp_engine_destroy(s.engine);
    event_base_free(s.base);
    channel_destroy(&s.ch);
    VLOG_INFO("exiting");
    return 0;
}
