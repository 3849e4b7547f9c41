/*
 * The daemon's NB thread: the NB watcher and the unixctl server on OVS's
 * poll loop.  It hands route changes to the BGP thread through the channel
 * and answers the control commands.
 */
#include <config.h>

#include "src/nb-thread.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb/nb-watcher.h"
#include "ovsdb/route-set.h"
#include "src/channel.h"
#include "src/options.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(nb_thread);

struct nb_thread {
    struct channel *ch;
    const struct speaker_options *opts;
    struct unixctl_server *unixctl;
    struct nb_watcher *watcher;
    pthread_t thread;

    /* bgp/neighbors requests waiting for a fresh snapshot. */
    struct unixctl_conn **waiting;
    size_t n_waiting, allocated_waiting;
    unsigned long long asked_seq;
};

/* Formats the peers' snapshot for bgp/neighbors. */
static void
format_neighbors(const struct bgp_peer_status *peers, size_t n,
                 struct ds *out)
{
    time_t now = time(NULL);

    for (size_t i = 0; i < n; i++) {
        const struct bgp_peer_status *p = &peers[i];
        long long age = now - p->since;
        ds_put_format(out, "neighbor %s, AS %"PRIu32"\n", p->name, p->as);
        ds_put_format(out, "  state: %s for %lldh%02lldm%02llds, "
                      "%u flap%s%s\n", p->state, age / 3600, age / 60 % 60,
                      age % 60, p->flaps, p->flaps == 1 ? "" : "s",
                      p->dial_held ? " (waiting for the first NB snapshot "
                      "before dialing; its connection is accepted)" : "");
        if (p->hold_time || !strcmp(p->state, "Established")) {
            ds_put_format(out, "  hold time: %us, keepalive: %us\n",
                          p->hold_time, p->keepalive);
            ds_put_format(out, "  capabilities: %s\n", p->caps);
        }
        ds_put_format(out, "  prefixes: %"PRIu64" sent, %"PRIu64" received"
                      "%s\n", p->prefixes_sent, p->prefixes_received,
                      p->eor_sent ? " (End-of-RIB sent)"
                      : p->table_held ? " (table held until the first NB "
                      "snapshot)" : "");
        ds_put_format(out, "  messages: %"PRIu64" sent (%"PRIu64" UPDATE, "
                      "%"PRIu64" bytes), %"PRIu64" received (%"PRIu64
                      " UPDATE)\n", p->msgs_sent, p->updates_sent,
                      p->bytes_sent, p->msgs_received, p->updates_received);
        if (p->last_error[0]) {
            ds_put_format(out, "  last error: %s\n", p->last_error);
        }
    }
}

static void
reply_waiting(struct nb_thread *t)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    bool ready;

    ovs_mutex_lock(&t->ch->mutex);
    ready = t->ch->status_seq >= t->asked_seq;
    if (ready) {
        format_neighbors(t->ch->peers, t->ch->n_peers, &out);
    }
    ovs_mutex_unlock(&t->ch->mutex);
    if (!ready) {
        return;
    }
    for (size_t i = 0; i < t->n_waiting; i++) {
        unixctl_command_reply(t->waiting[i], ds_cstr(&out));
    }
    t->n_waiting = 0;
    ds_destroy(&out);
}

static void
cmd_neighbors(struct unixctl_conn *conn, int argc OVS_UNUSED,
              const char *argv[] OVS_UNUSED, void *t_)
{
    struct nb_thread *t = t_;

    /* The reply waits for a snapshot taken after this request. */
    if (t->n_waiting >= t->allocated_waiting) {
        t->waiting = x2nrealloc(t->waiting, &t->allocated_waiting,
                                sizeof *t->waiting);
    }
    t->waiting[t->n_waiting++] = conn;
    ovs_mutex_lock(&t->ch->mutex);
    t->ch->want_status = true;
    t->asked_seq = t->ch->status_seq + 1;
    ovs_mutex_unlock(&t->ch->mutex);
    channel_wake_bgp(t->ch);
}

struct routes_aux {
    const struct route_set *routes;
    struct ds *out;
};

static void
format_route(const struct nb_prefix *prefix, void *aux_)
{
    struct routes_aux *aux = aux_;
    char buf[NB_PREFIX_STRLEN];

    ds_put_format(aux->out, "%s ", nb_prefix_format(prefix, buf));
    route_set_format_rows(aux->routes, prefix, aux->out);
    ds_put_char(aux->out, '\n');
}

static void
cmd_routes(struct unixctl_conn *conn, int argc OVS_UNUSED,
           const char *argv[] OVS_UNUSED, void *t_)
{
    struct nb_thread *t = t_;
    struct ds out = DS_EMPTY_INITIALIZER;
    struct routes_aux aux = {
        .routes = nb_watcher_routes(t->watcher),
        .out = &out,
    };

    if (!nb_watcher_is_synced(t->watcher)) {
        ds_put_cstr(&out, "(no NB snapshot yet)\n");
    } else if (!nb_watcher_is_settled(t->watcher)) {
        ds_put_cstr(&out, "(an NB update is being applied: some of it may "
                    "show)\n");
    }
    route_set_for_each(aux.routes, format_route, &aux);
    unixctl_command_reply(conn, ds_cstr(&out));
    ds_destroy(&out);
}

static void
cmd_nb_status(struct unixctl_conn *conn, int argc OVS_UNUSED,
              const char *argv[] OVS_UNUSED, void *t_)
{
    struct nb_thread *t = t_;
    struct nb_watcher_status s;
    struct ds out = DS_EMPTY_INITIALIZER;
    const struct route_set *routes = nb_watcher_routes(t->watcher);

    nb_watcher_get_status(t->watcher, &s);
    ds_put_format(&out, "remote: %s\n", s.remote);
    ds_put_format(&out, "connected: %s\n", s.connected ? "yes" : "no");
    if (s.last_given_up) {
        ds_put_format(&out, "last given up: %s (%.1f s ago)\n",
                      s.last_given_up,
                      (time_wall_msec() - s.last_given_up_ms) / 1000.0);
    }
    if (s.next_attempt_ms >= 0) {
        ds_put_format(&out, "next attempt: %s in %.1f s\n", s.next_remote,
                      s.next_attempt_ms / 1000.0);
    }
    ds_put_format(&out, "synced: %s\n", s.synced ? "yes" : "no");
    ds_put_format(&out, "rows watched: %"PRIuSIZE" switches, %"PRIuSIZE
                  " ports, %"PRIuSIZE" load balancers\n", s.n_switches,
                  s.n_ports, s.n_load_balancers);
    ds_put_format(&out, "rows skipped for bad values: %"PRIuSIZE"\n",
                  s.n_skipped);
    ds_put_format(&out, "routes: %"PRIuSIZE" (%"PRIuSIZE" subnet, %"PRIuSIZE
                  " pod, %"PRIuSIZE" service)\n",
                  route_set_n_prefixes(routes),
                  route_set_n_prefixes_of_kind(routes, RS_SUBNET),
                  route_set_n_prefixes_of_kind(routes, RS_POD),
                  route_set_n_prefixes_of_kind(routes, RS_SERVICE));
    if (s.last_change_ms) {
        ds_put_format(&out, "last change: %.1f s ago\n",
                      (time_wall_msec() - s.last_change_ms) / 1000.0);
    } else {
        ds_put_cstr(&out, "last change: none\n");
    }
    unixctl_command_reply(conn, ds_cstr(&out));
    ds_destroy(&out);
}

static void
cmd_exit(struct unixctl_conn *conn, int argc, const char *argv[], void *t_)
{
    struct nb_thread *t = t_;
    bool withdraw = argc > 1;

    if (withdraw && strcmp(argv[1], "--withdraw")) {
        unixctl_command_reply_error(conn, "usage: exit [--withdraw]");
        return;
    }
    ovs_mutex_lock(&t->ch->mutex);
    t->ch->exit = true;
    t->ch->exit_withdraw = withdraw;
    ovs_mutex_unlock(&t->ch->mutex);
    channel_wake_bgp(t->ch);
    unixctl_command_reply(conn, NULL);
}

/* Moves the route set's changes into the channel. */
static void
hand_over(struct nb_thread *t)
{
    struct nb_watcher_status s;
    struct rs_changes changes;

    /* Whole messages only; once synced, the first snapshot's are in. */
    nb_watcher_take_changes(t->watcher, &changes);
    nb_watcher_get_status(t->watcher, &s);

    ovs_mutex_lock(&t->ch->mutex);
    struct channel *ch = t->ch;
    bool wake = false;
    if (changes.n) {
        if (ch->n_deltas + changes.n > ch->allocated) {
            ch->allocated = ch->n_deltas + changes.n + 64;
            ch->deltas = xrealloc(ch->deltas,
                                  ch->allocated * sizeof *ch->deltas);
        }
        for (size_t i = 0; i < changes.n; i++) {
            struct route_delta *d = &ch->deltas[ch->n_deltas++];
            d->add = changes.changes[i].add;
            route_delta_from_nb(&changes.changes[i].prefix, &d->prefix);
        }
        wake = true;
    }
    if (s.synced && !ch->complete) {
        ch->complete = true;
        wake = true;
    }
    struct nb_snapshot *nb = &ch->nb;
    nb->valid = true;
    nb->connected = s.connected;
    nb->synced = s.synced;
    nb->n_given_up = s.n_given_up;
    nb->last_change_ms = s.last_change_ms;
    nb->n_routes = s.n_routes;
    nb->n_skipped = s.n_skipped;
    for (int k = 0; k < RS_N_KINDS; k++) {
        nb->n_by_kind[k] = s.n_routes_of_kind[k];
    }
    ovs_mutex_unlock(&t->ch->mutex);

    if (wake) {
        channel_wake_bgp(t->ch);
    }
    rs_changes_destroy(&changes);
}

static void *
nb_thread_main(void *t_)
{
    struct nb_thread *t = t_;

    for (;;) {
        nb_watcher_run(t->watcher);
        hand_over(t);
        unixctl_server_run(t->unixctl);

        if (latch_poll(&t->ch->nb_wake)) {
            bool stopped;
            ovs_mutex_lock(&t->ch->mutex);
            stopped = t->ch->bgp_stopped;
            ovs_mutex_unlock(&t->ch->mutex);
            reply_waiting(t);
            if (stopped) {
                break;
            }
        }

        nb_watcher_wait(t->watcher);
        unixctl_server_wait(t->unixctl);
        latch_wait(&t->ch->nb_wake);
        poll_block();
    }
    return NULL;
}

struct nb_thread *
nb_thread_start(struct channel *ch, const struct speaker_options *opts,
                struct unixctl_server *unixctl)
{
    struct nb_thread *t = xzalloc(sizeof *t);
    const struct nb_watcher_options wopts = {
        .remote = opts->ovnnb_db,
        .node_name = opts->node_name,
        .announce_cluster_ip = opts->announce_cluster_ip,
    };

    t->ch = ch;
    t->opts = opts;
    t->unixctl = unixctl;
    t->watcher = nb_watcher_create(&wopts);
    unixctl_command_register("bgp/neighbors", "", 0, 0, cmd_neighbors, t);
    unixctl_command_register("bgp/routes", "", 0, 0, cmd_routes, t);
    unixctl_command_register("nb/status", "", 0, 0, cmd_nb_status, t);
    unixctl_command_register("exit", "[--withdraw]", 0, 1, cmd_exit, t);
    t->thread = ovs_thread_create("nb", nb_thread_main, t);
    return t;
}

void
nb_thread_join(struct nb_thread *t)
{
    xpthread_join(t->thread, NULL);
    /* Requests still waiting get an answer before the socket goes. */
    for (size_t i = 0; i < t->n_waiting; i++) {
        unixctl_command_reply_error(t->waiting[i], "shutting down");
    }
    free(t->waiting);
    nb_watcher_destroy(t->watcher);
    free(t);
}
