/*
 * The NB watcher: see nb-watcher.h.
 *
 * One OVSDB client session, written on libopenvswitch's stream (unix:,
 * tcp:, ssl:) and reconnect (backoff, inactivity probes) modules, and the
 * update decoder (update-decoder.h) for what comes back:
 *
 *   connect -> monitor_cond _Server.Database (is this member of a
 *   clustered database connected to the cluster, and not behind?)
 *   -> monitor_cond OVN_Northbound (the snapshot, then "update2" changes)
 *
 * Rows go into the compact replica (nb-replica.h), which maps them into the
 * route set once per message.  A new connection's snapshot replaces what
 * the replica held, and only the difference reaches the route set.
 *
 * A server given up (unreachable, gone, or answering without serving: see
 * nb_give_up()) is followed by the next remote of the list at once, once
 * per round through the list; the next round waits, 1 s, 2 s, 4 s, then
 * 8 s, reconnect's maximum, until a server serves for that long.
 */
#include <config.h>

#include "ovsdb/nb-watcher.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-session.h"
#include "ovsdb/nb-replica.h"
#include "ovsdb/route-set.h"
#include "ovsdb/update-decoder.h"
#include "reconnect.h"
#include "stream.h"
#include "svec.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(nb_watcher);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
/* Servers given up: every one of the first rounds, then (the database
 * still unreachable, or still refusing) about one a minute. */
static struct vlog_rate_limit give_up_rl = VLOG_RATE_LIMIT_INIT(1, 10);

#define NB_DATABASE "OVN_Northbound"
#define NB_DEFAULT_PORT 6641
#define RECV_CHUNK (64 * 1024)
#define RECV_BUDGET 256         /* Chunks per nb_watcher_run() at most. */
#define MIN_BACKOFF RECONNECT_DEFAULT_MIN_BACKOFF  /* 1 s. */
#define MAX_BACKOFF RECONNECT_DEFAULT_MAX_BACKOFF  /* 8 s. */

/* The monitors, by the ids we give them. */
enum monitor { MON_NONE, MON_SERVER, MON_NB };
#define SERVER_MONITOR_ID "\"srv\""
#define NB_MONITOR_ID "\"nb\""

enum state {
    S_IDLE,                     /* No connection. */
    S_CONNECTING,
    S_SERVER_REQUESTED,         /* Waiting for the _Server snapshot. */
    S_NB_REQUESTED,             /* Waiting for the NB snapshot. */
    S_MONITORING,
};

/* _Server.Database, the row of our database. */
enum { DB_NAME, DB_MODEL, DB_CONNECTED, DB_INDEX, DB_CID, DB_N };
static const struct ud_column db_columns[DB_N] = {
    [DB_NAME] = { "name", UD_STRING, UD_VOID, false },
    [DB_MODEL] = { "model", UD_STRING, UD_VOID, false },
    [DB_CONNECTED] = { "connected", UD_BOOLEAN, UD_VOID, false },
    [DB_INDEX] = { "index", UD_INTEGER, UD_VOID, false },
    [DB_CID] = { "cid", UD_UUID, UD_VOID, false },
};
static const struct ud_table server_tables[] = {
    { "Database", db_columns, DB_N },
};
static const struct ud_schema server_schema = { server_tables, 1 };

struct nb_watcher {
    char *remote;               /* As given. */
    struct svec remotes;        /* Split, shuffled. */
    size_t next_remote;
    bool announce_cluster_ip;

    struct reconnect *rc;
    struct stream *stream;
    enum state state;
    char *recv_buf;
    struct ds out;              /* Bytes not sent yet. */
    size_t out_ofs;

    struct update_decoder *dec;
    enum monitor updates_for;   /* Of the updates being decoded. */
    long long int next_id;
    long long int server_req_id, nb_req_id;

    /* The _Server row of our database, in this connection. */
    bool db_seen;
    char *db_model;             /* "standalone", "clustered", "relay". */
    bool db_connected;
    long long int db_index;
    char *db_cid;               /* The cluster's id, NULL if none. */
    /* Never go back to a member of this cluster that is behind this
     * index; a different cluster id starts over. */
    long long int min_index;
    char *min_index_cid;
    char *drop;                 /* Why to give this server up after the
                                 * message, or NULL. */

    /* When to try again: see nb_give_up(). */
    size_t round_failures;      /* Remotes given up in this round. */
    int backoff;                /* Before the next round, in ms. */
    long long int monitoring_since;  /* When this server's snapshot came. */
    char *last_given_up;        /* "REMOTE: REASON", or NULL. */
    long long int last_given_up_ms;  /* Wall clock. */
    unsigned long long n_given_up;

    struct nb_replica *replica;
    struct route_set *routes;
    bool synced;
    bool unsettled;             /* Rows applied since the last commit. */
    struct rs_changes committed;  /* Of whole messages, not taken yet. */
    bool was_monitoring;
    unsigned long long n_full_recomputes;
    long long int last_change_ms;
    /* The route set's sizes at the last commit (in between, the set is
     * part of the way through a message, and counting it would also put
     * a snapshot's waiting prefixes in one by one: route-set.c). */
    size_t n_routes, n_routes_of_kind[RS_N_KINDS];
};

static void nb_give_up(struct nb_watcher *, const char *format, ...)
    OVS_PRINTF_FORMAT(2, 3);

/* ---------------------------------------------------------------------
 * Sending. */

static void
send_text(struct nb_watcher *w, const char *text)
{
    ds_put_cstr(&w->out, text);
}

static void
flush_output(struct nb_watcher *w)
{
    while (w->stream && w->out_ofs < w->out.length) {
        int n = stream_send(w->stream, w->out.string + w->out_ofs,
                            w->out.length - w->out_ofs);
        if (n == -EAGAIN) {
            return;
        } else if (n < 0) {
            nb_give_up(w, "connection dropped (%s)", ovs_strerror(-n));
            return;
        }
        w->out_ofs += n;
    }
    ds_clear(&w->out);
    w->out_ofs = 0;
}

static void
send_server_monitor(struct nb_watcher *w)
{
    struct ds req = DS_EMPTY_INITIALIZER;

    w->server_req_id = w->next_id++;
    ds_put_format(&req, "{\"id\":%lld,\"method\":\"monitor_cond\","
                  "\"params\":[\"_Server\","SERVER_MONITOR_ID","
                  "{\"Database\":[{\"columns\":[", w->server_req_id);
    for (size_t i = 0; i < DB_N; i++) {
        ds_put_format(&req, "%s\"%s\"", i ? "," : "", db_columns[i].name);
    }
    ds_put_cstr(&req, "],\"where\":[[\"name\",\"==\",\"" NB_DATABASE
                "\"]]}]}]}");
    send_text(w, ds_cstr(&req));
    ds_destroy(&req);
    w->state = S_SERVER_REQUESTED;
}

static void
send_nb_monitor(struct nb_watcher *w)
{
    const struct ud_schema *schema
        = nb_replica_schema(w->announce_cluster_ip);
    struct ds req = DS_EMPTY_INITIALIZER;

    w->nb_req_id = w->next_id++;
    ds_put_format(&req, "{\"id\":%lld,\"method\":\"monitor_cond\","
                  "\"params\":[\"" NB_DATABASE "\"," NB_MONITOR_ID ",{",
                  w->nb_req_id);
    for (size_t t = 0; t < schema->n_tables; t++) {
        const struct ud_table *table = &schema->tables[t];
        ds_put_format(&req, "%s\"%s\":[{\"columns\":[", t ? "," : "",
                      table->name);
        for (size_t c = 0; c < table->n_columns; c++) {
            ds_put_format(&req, "%s\"%s\"", c ? "," : "",
                          table->columns[c].name);
        }
        ds_put_cstr(&req, "]}]");
    }
    ds_put_cstr(&req, "}]}");
    send_text(w, ds_cstr(&req));
    ds_destroy(&req);
    w->state = S_NB_REQUESTED;
}

/* ---------------------------------------------------------------------
 * Receiving: the decoder's callbacks. */

static const struct ud_schema *
on_updates_begin(void *w_, const char *monitor_id)
{
    struct nb_watcher *w = w_;

    w->updates_for = MON_NONE;
    if (!monitor_id) {
        /* The result of a reply: of the one monitor request out. */
        if (w->state == S_SERVER_REQUESTED) {
            w->updates_for = MON_SERVER;
        } else if (w->state == S_NB_REQUESTED) {
            w->updates_for = MON_NB;
            nb_replica_begin_snapshot(w->replica);
        }
    } else if (!strcmp(monitor_id, SERVER_MONITOR_ID)
               && w->state >= S_NB_REQUESTED) {
        w->updates_for = MON_SERVER;
    } else if (!strcmp(monitor_id, NB_MONITOR_ID)
               && w->state == S_MONITORING) {
        w->updates_for = MON_NB;
    }
    switch (w->updates_for) {
    case MON_SERVER:
        return &server_schema;
    case MON_NB:
        return nb_replica_schema(w->announce_cluster_ip);
    case MON_NONE:
    default:
        return NULL;
    }
}

/* An integer column's value, 0 if absent or not a number we can hold. */
static long long int
parse_index(const struct ud_datum *d)
{
    if (!d->n) {
        return 0;
    }
    char *end;
    errno = 0;
    long long int v = strtoll(d->keys[0], &end, 10);
    return errno || *end || v < 0 ? 0 : v;
}

static void
server_row(struct nb_watcher *w, const struct ud_row *row)
{
    const struct ud_datum *c = row->columns;

    if (c[DB_NAME].present && c[DB_NAME].n
        && strcmp(c[DB_NAME].keys[0], NB_DATABASE)) {
        return;                 /* Not ours (the condition says it is). */
    }
    if (row->op == UD_ROW_DELETE) {
        w->db_seen = false;
        return;
    }
    bool whole = row->op != UD_ROW_MODIFY;
    w->db_seen = true;
    if (whole || c[DB_MODEL].present) {
        free(w->db_model);
        w->db_model = xstrdup(c[DB_MODEL].n ? c[DB_MODEL].keys[0] : "");
    }
    if (whole || c[DB_CONNECTED].present) {
        w->db_connected = (c[DB_CONNECTED].n
                           && !strcmp(c[DB_CONNECTED].keys[0], "true"));
    }
    if (whole || c[DB_INDEX].present) {
        w->db_index = parse_index(&c[DB_INDEX]);
    }
    if (whole || c[DB_CID].present) {
        free(w->db_cid);
        w->db_cid = c[DB_CID].n ? xstrdup(c[DB_CID].keys[0]) : NULL;
    }
}

static void
on_row_begin(void *w_, size_t table_idx, const struct ud_uuid *uuid)
{
    struct nb_watcher *w = w_;

    if (w->updates_for == MON_NB) {
        nb_replica_row_begin(w->replica, table_idx, uuid);
    }
}

static void
on_row(void *w_, const struct ud_row *row)
{
    struct nb_watcher *w = w_;

    if (w->updates_for == MON_NB) {
        w->unsettled = true;
        nb_replica_row(w->replica, row);
    } else if (w->updates_for == MON_SERVER) {
        server_row(w, row);
    }
}

/* Gives this server up, for the reason 'format' says, once the message
 * being decoded ends (the decoder is told to stop). */
static void OVS_PRINTF_FORMAT(2, 3)
refuse(struct nb_watcher *w, const char *format, ...)
{
    if (!w->drop) {
        va_list args;

        va_start(args, format);
        w->drop = xvasprintf(format, args);
        va_end(args);
    }
}

/* Whether the server, as its _Server row describes it, is worth staying
 * with (what ovsdb-cs checks for a client that reads from any member); if
 * not, refuses it. */
static bool
server_usable(struct nb_watcher *w)
{
    const char *name = reconnect_get_name(w->rc);
    bool clustered = w->db_model && !strcmp(w->db_model, "clustered");

    if (!w->db_seen) {
        refuse(w, "the server does not serve "NB_DATABASE);
        return false;
    }
    if (!w->db_connected) {
        /* A member cut off from its cluster, or a relay that lost its
         * source, serves what may be old data. */
        refuse(w, "this %s is not connected to %s",
               clustered ? "member" : "server",
               clustered ? "its cluster" : "its source");
        return false;
    }
    if (!clustered) {
        return true;
    }
    if (w->db_cid && (!w->min_index_cid
                      || strcmp(w->db_cid, w->min_index_cid))) {
        if (w->min_index_cid) {
            VLOG_INFO("%s: cluster %s, not %s as before: forgetting the "
                      "index seen", name, w->db_cid, w->min_index_cid);
        }
        free(w->min_index_cid);
        w->min_index_cid = xstrdup(w->db_cid);
        w->min_index = 0;
    }
    if (w->db_index < w->min_index) {
        refuse(w, "this member is behind (index %lld, seen %lld)",
               w->db_index, w->min_index);
        return false;
    }
    w->min_index = w->db_index;
    return true;
}

/* Logs a server's start and end of service (one that refuses has its
 * reason logged by nb_give_up() alone). */
static void
note_connection(struct nb_watcher *w)
{
    bool monitoring = w->state == S_MONITORING;
    if (monitoring == w->was_monitoring) {
        return;
    }
    if (monitoring) {
        VLOG_INFO("%s: connected", reconnect_get_name(w->rc));
    } else {
        VLOG_WARN_RL(&rl, "%s: connection lost; keeping %"PRIuSIZE" routes "
                     "until it is back", w->remote,
                     route_set_n_prefixes(w->routes));
    }
    w->was_monitoring = monitoring;
}

static void
nb_committed(struct nb_watcher *w)
{
    nb_replica_commit(w->replica);
    w->unsettled = false;
    if (!route_set_has_changes(w->routes)) {
        return;
    }
    w->last_change_ms = time_wall_msec();
    w->n_routes = route_set_n_prefixes(w->routes);
    for (int k = 0; k < RS_N_KINDS; k++) {
        w->n_routes_of_kind[k] = route_set_n_prefixes_of_kind(w->routes, k);
    }

    /* Taken now, whole, so that a consumer never waits for a moment
     * between messages (under steady traffic a read may always end inside
     * one).  In order: a prefix may come and go in two messages. */
    struct rs_changes batch;
    route_set_take_changes(w->routes, &batch);
    struct rs_changes *c = &w->committed;
    if (!c->n) {
        rs_changes_destroy(c);
        *c = batch;
    } else {
        c->changes = xrealloc(c->changes,
                              (c->n + batch.n) * sizeof *c->changes);
        memcpy(&c->changes[c->n], batch.changes,
               batch.n * sizeof *batch.changes);
        c->n += batch.n;
        free(batch.changes);
    }
}

static int
on_reply(struct nb_watcher *w, const struct ud_message *m)
{
    const char *name = reconnect_get_name(w->rc);
    char *end;
    long long int id = strtoll(m->id, &end, 10);
    bool failed = m->error && strcmp(m->error, "null");

    if (*end) {
        return 0;               /* "echo": our probe's reply. */
    }
    if (m->had_updates && id != w->server_req_id && id != w->nb_req_id) {
        VLOG_WARN_RL(&rl, "%s: table updates in the reply to request %s, "
                     "which asked for none", name, m->id);
        return -1;
    }
    if (id == w->server_req_id && w->state == S_SERVER_REQUESTED) {
        if (failed) {
            /* A server without _Server (older than OVS 2.9): no cluster
             * to check. */
            VLOG_INFO("%s: no _Server database (%s); not checking cluster "
                      "membership", name, m->error);
            w->db_seen = true;
        } else if (!server_usable(w)) {
            return 0;
        }
        send_nb_monitor(w);
    } else if (id == w->nb_req_id && w->state == S_NB_REQUESTED) {
        if (failed || !m->had_updates) {
            refuse(w, "monitoring "NB_DATABASE" failed: %s",
                   failed ? m->error : "no table updates");
            return 0;
        }
        w->state = S_MONITORING;
        w->monitoring_since = time_msec();
        note_connection(w);
        w->n_full_recomputes++;
        nb_committed(w);
        if (!w->synced) {
            VLOG_INFO("%s: initial snapshot: %"PRIuSIZE" rows give "
                      "%"PRIuSIZE" prefixes", name,
                      route_set_n_rows(w->routes),
                      route_set_n_prefixes(w->routes));
        }
        w->synced = true;
    } else if (failed) {
        VLOG_WARN_RL(&rl, "%s: request %s failed: %s", name, m->id,
                     m->error);
    }
    return 0;
}

static int
on_message(void *w_, const struct ud_message *m)
{
    struct nb_watcher *w = w_;
    const char *name = reconnect_get_name(w->rc);

    if (!m->method) {
        if (!m->id) {
            VLOG_WARN_RL(&rl, "%s: a message with neither method nor id",
                         name);
            return -1;
        }
        int error = on_reply(w, m);
        w->updates_for = MON_NONE;
        return error || w->drop ? -1 : 0;
    }
    if (!strcmp(m->method, "echo")) {
        if (m->id && strcmp(m->id, "null")) {
            struct ds reply = DS_EMPTY_INITIALIZER;
            ds_put_format(&reply, "{\"id\":%s,\"result\":%s,\"error\":null}",
                          m->id, m->params ? m->params : "[]");
            send_text(w, ds_cstr(&reply));
            ds_destroy(&reply);
        }
    } else if (!strcmp(m->method, "update2")) {
        if (w->updates_for == MON_NB && m->had_updates) {
            nb_committed(w);
        } else if (w->updates_for == MON_SERVER && m->had_updates) {
            server_usable(w);
        }
    } else if (!strcmp(m->method, "monitor_canceled")) {
        /* The database was converted or removed: start over. */
        refuse(w, "the server canceled our monitor");
    } else {
        VLOG_DBG_RL(&rl, "%s: ignoring \"%s\"", name, m->method);
    }
    w->updates_for = MON_NONE;
    /* Giving this server up: decode nothing more of what it sent. */
    return w->drop ? -1 : 0;
}

static const struct ud_ops decoder_ops = {
    .updates_begin = on_updates_begin,
    .row_begin = on_row_begin,
    .row = on_row,
    .message = on_message,
};

/* ---------------------------------------------------------------------
 * The connection. */

static void
pick_next_remote(struct nb_watcher *w)
{
    reconnect_set_name(w->rc, w->remotes.names[w->next_remote++
                                                % w->remotes.n]);
}

/* Closes the connection, if any, and moves on to the next remote. */
static void
nb_close(struct nb_watcher *w)
{
    if (w->state == S_IDLE) {
        return;
    }
    if (w->stream) {
        stream_close(w->stream);
        w->stream = NULL;
    }
    ds_clear(&w->out);
    w->out_ofs = 0;
    w->state = S_IDLE;
    w->updates_for = MON_NONE;
    free(w->drop);
    w->drop = NULL;
    w->db_seen = false;
    update_decoder_reset(w->dec);
    pick_next_remote(w);
}

/* Tells reconnect that the connection or the attempt ended, and that the
 * next attempt waits 'wait' ms (0: none).  reconnect has a backoff of its
 * own, which starts over whenever a connection saw any activity, as a
 * refusal does: the watcher decides instead, leaving reconnect no choice
 * (a free try for no wait, else 'wait' as both its bounds).  'wait' is
 * also how long reconnect then gives that attempt to connect. */
static void
report_to_reconnect(struct nb_watcher *w, int wait)
{
    long long int now = time_msec();

    if (wait) {
        reconnect_set_backoff_free_tries(w->rc, 0);
        reconnect_set_backoff(w->rc, wait, wait);
    } else {
        reconnect_set_backoff_free_tries(w->rc, 2);
    }
    /* No error: it is quiet, and the watcher says why, once. */
    if (w->state == S_CONNECTING) {
        reconnect_connect_failed(w->rc, now, 0);
    } else {
        reconnect_disconnected(w->rc, now, 0);
    }
    reconnect_set_backoff(w->rc, MIN_BACKOFF, MAX_BACKOFF);
}

/* Gives up the server or the attempt under way, for the reason 'format'
 * says, and moves on to the next remote.  A round tries every remote once:
 * within it the next one is tried at once, and the next round waits
 * 'backoff', which doubles from round to round up to MAX_BACKOFF.  It goes
 * back to MIN_BACKOFF, in a new round, only once a server has served (its
 * snapshot in) for MAX_BACKOFF: one that refuses, or serves and drops the
 * connection at once, can never make the speaker loop. */
static void
nb_give_up(struct nb_watcher *w, const char *format, ...)
{
    if (w->state == S_IDLE) {
        return;
    }

    long long int now = time_msec();
    int wait = 0;
    if (w->state == S_MONITORING
        && now - w->monitoring_since >= MAX_BACKOFF) {
        w->round_failures = 0;
        w->backoff = MIN_BACKOFF;
    } else if (++w->round_failures >= w->remotes.n) {
        wait = w->backoff;
        w->backoff = MIN(2 * w->backoff, MAX_BACKOFF);
        w->round_failures = 0;
    }
    report_to_reconnect(w, wait);

    va_list args;
    va_start(args, format);
    char *reason = xvasprintf(format, args);
    va_end(args);
    free(w->last_given_up);
    w->last_given_up = xasprintf("%s: %s", reconnect_get_name(w->rc),
                                 reason);
    w->last_given_up_ms = time_wall_msec();
    w->n_given_up++;
    free(reason);

    nb_close(w);
    note_connection(w);
    if (wait) {
        VLOG_WARN_RL(&give_up_rl, "%s; trying %s in %d s", w->last_given_up,
                     reconnect_get_name(w->rc), wait / 1000);
    } else {
        VLOG_WARN_RL(&give_up_rl, "%s; trying %s at once", w->last_given_up,
                     reconnect_get_name(w->rc));
    }
}

static void
nb_connect(struct nb_watcher *w)
{
    nb_close(w);

    reconnect_connecting(w->rc, time_msec());
    w->state = S_CONNECTING;
    int error = stream_open_with_default_port(reconnect_get_name(w->rc),
                                              NB_DEFAULT_PORT, &w->stream,
                                              DSCP_DEFAULT);
    if (error) {
        nb_give_up(w, "connection attempt failed (%s)",
                   ovs_strerror(error));
    }
}

static void
receive(struct nb_watcher *w)
{
    for (int i = 0; i < RECV_BUDGET && w->stream; i++) {
        int n = stream_recv(w->stream, w->recv_buf, RECV_CHUNK);
        if (n == -EAGAIN) {
            return;
        } else if (n < 0) {
            nb_give_up(w, "connection dropped (%s)", ovs_strerror(-n));
            return;
        } else if (!n) {
            nb_give_up(w, "connection closed by the server");
            return;
        }
        reconnect_activity(w->rc, time_msec());
        int error = update_decoder_feed(w->dec, w->recv_buf, n);
        if (w->drop) {
            nb_give_up(w, "%s", w->drop);
            return;
        } else if (error) {
            nb_give_up(w, "bad message from the server: %s",
                       update_decoder_error(w->dec));
            return;
        }
        flush_output(w);
    }
    /* More may be waiting: come back without sleeping. */
    poll_immediate_wake();
}

void
nb_watcher_run(struct nb_watcher *w)
{
    if (w->stream) {
        stream_run(w->stream);
    }
    if (w->state == S_CONNECTING) {
        int error = stream_connect(w->stream);
        if (!error) {
            reconnect_connected(w->rc, time_msec());
            send_server_monitor(w);
        } else if (error != EAGAIN) {
            nb_give_up(w, "connection attempt failed (%s)",
                       ovs_strerror(error));
        }
    }
    if (w->state >= S_SERVER_REQUESTED) {
        flush_output(w);
        receive(w);
    }

    switch (reconnect_run(w->rc, time_msec())) {
    case RECONNECT_CONNECT:
        nb_connect(w);
        break;
    case RECONNECT_DISCONNECT:
        /* reconnect logs a probe without reply as an error. */
        nb_give_up(w, w->state == S_CONNECTING
                   ? "connection attempt timed out"
                   : "no reply to the inactivity probe");
        break;
    case RECONNECT_PROBE:
        if (w->state >= S_SERVER_REQUESTED) {
            send_text(w, "{\"id\":\"echo\",\"method\":\"echo\","
                      "\"params\":[]}");
            flush_output(w);
        }
        break;
    default:
        break;
    }
}

void
nb_watcher_wait(struct nb_watcher *w)
{
    if (w->stream) {
        stream_run_wait(w->stream);
        if (w->state == S_CONNECTING) {
            stream_connect_wait(w->stream);
        } else {
            stream_recv_wait(w->stream);
            if (w->out_ofs < w->out.length) {
                stream_send_wait(w->stream);
            }
        }
    }
    reconnect_wait(w->rc, time_msec());
}

struct nb_watcher *
nb_watcher_create(const struct nb_watcher_options *opts)
{
    struct nb_watcher *w = xzalloc(sizeof *w);
    struct uuid cid;

    w->remote = xstrdup(opts->remote);
    w->announce_cluster_ip = opts->announce_cluster_ip;
    svec_init(&w->remotes);
    ovsdb_session_parse_remote(opts->remote, &w->remotes, &cid);
    if (!w->remotes.n) {
        svec_add(&w->remotes, "invalid:");
    }
    /* Spread the speakers of a cluster over its members. */
    svec_shuffle(&w->remotes);

    w->rc = reconnect_create(time_msec());
    /* Its lines would repeat at every attempt: nb_give_up() says it all. */
    reconnect_set_quiet(w->rc, true);
    reconnect_set_backoff(w->rc, MIN_BACKOFF, MAX_BACKOFF);
    w->backoff = MIN_BACKOFF;
    pick_next_remote(w);
    reconnect_enable(w->rc, time_msec());
    if (!stream_or_pstream_needs_probes(w->remotes.names[0])) {
        reconnect_set_probe_interval(w->rc, 0);
    }

    w->recv_buf = xmalloc(RECV_CHUNK);
    ds_init(&w->out);
    w->dec = update_decoder_create(&decoder_ops, w);
    w->next_id = 1;
    w->routes = route_set_create();
    route_set_describe_changes(w->routes, opts->describe_changes);
    const struct nb_replica_options ropts = {
        .node_name = opts->node_name,
        .announce_cluster_ip = opts->announce_cluster_ip,
    };
    w->replica = nb_replica_create(&ropts, w->routes);
    return w;
}

void
nb_watcher_destroy(struct nb_watcher *w)
{
    if (!w) {
        return;
    }
    if (w->stream) {
        stream_close(w->stream);
    }
    reconnect_destroy(w->rc);
    update_decoder_destroy(w->dec);
    nb_replica_destroy(w->replica);
    rs_changes_destroy(&w->committed);
    route_set_destroy(w->routes);
    svec_destroy(&w->remotes);
    ds_destroy(&w->out);
    free(w->recv_buf);
    free(w->db_model);
    free(w->db_cid);
    free(w->min_index_cid);
    free(w->drop);
    free(w->last_given_up);
    free(w->remote);
    free(w);
}

bool
nb_watcher_is_synced(const struct nb_watcher *w)
{
    return w->synced;
}

void
nb_watcher_take_changes(struct nb_watcher *w, struct rs_changes *out)
{
    *out = w->committed;
    w->committed = (struct rs_changes) { NULL, 0 };
}

bool
nb_watcher_is_settled(const struct nb_watcher *w)
{
    return !w->unsettled;
}

struct route_set *
nb_watcher_routes(const struct nb_watcher *w)
{
    return w->routes;
}

void
nb_watcher_get_status(const struct nb_watcher *w,
                      struct nb_watcher_status *s)
{
    struct nb_replica_counts c;

    nb_replica_get_counts(w->replica, &c);
    s->remote = w->remote;
    s->connected = w->state >= S_SERVER_REQUESTED;
    s->last_given_up = w->last_given_up;
    s->last_given_up_ms = w->last_given_up_ms;
    s->n_given_up = w->n_given_up;
    s->next_remote = reconnect_get_name(w->rc);
    s->next_attempt_ms = (w->state == S_IDLE
                          ? reconnect_timeout(w->rc, time_msec()) : -1);
    s->synced = w->synced;
    s->n_switches = c.n_switches;
    s->n_ports = c.n_ports;
    s->n_load_balancers = c.n_load_balancers;
    s->n_skipped = c.n_skipped;
    s->n_full_recomputes = w->n_full_recomputes;
    s->last_change_ms = w->last_change_ms;
    s->n_routes = w->n_routes;
    memcpy(s->n_routes_of_kind, w->n_routes_of_kind,
           sizeof s->n_routes_of_kind);
}
