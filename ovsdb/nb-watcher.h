/*
 * The NB watcher: an OVSDB client session that follows the OVN Northbound
 * database (unix:, tcp:, ssl:, or the members of a cluster) and keeps the
 * route set (route-set.h) in step with its annotated rows, through the
 * update decoder and the compact replica (nb-replica.h).
 *
 * It knows OVN and nothing of BGP.  One changed row costs O(1) (a switch
 * whose "local" policy changes costs a pass over the ports); a whole
 * snapshot comes only first and after a reconnection, and even then only
 * the difference reaches the route set's changes.  While the database is
 * unreachable the route set stays as it was.  A server that will not serve
 * (or goes away) is left for the next remote at once, once per round
 * through the list; each next round waits longer, up to 8 s.
 *
 * OVS style: call nb_watcher_run() and nb_watcher_wait() from a poll loop.
 */
#ifndef OVSDB_NB_WATCHER_H
#define OVSDB_NB_WATCHER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "ovsdb/route-set.h"

struct ds;

struct nb_watcher_options {
    const char *remote;         /* unix:, tcp:, ssl:, or a comma list. */
    const char *node_name;      /* For "local" pods. */
    bool announce_cluster_ip;   /* Watch load balancers too. */
    bool describe_changes;      /* See route_set_describe_changes(). */
};

struct nb_watcher *nb_watcher_create(const struct nb_watcher_options *);
void nb_watcher_destroy(struct nb_watcher *);

void nb_watcher_run(struct nb_watcher *);
void nb_watcher_wait(struct nb_watcher *);

/* True once the first complete snapshot of the database is in the route
 * set. */
bool nb_watcher_is_synced(const struct nb_watcher *);

/* True when the route set holds whole NB transactions only.  Rows are
 * mapped as they arrive, so it does not while a message is being applied
 * (a large one spans many reads), nor after a connection was lost in the
 * middle of one, until the next message's end. */
bool nb_watcher_is_settled(const struct nb_watcher *);

/* Moves into 'out' (for rs_changes_destroy()) the route set's changes of
 * the whole messages applied since the last call, in order: the changes of
 * one message are a net difference (route-set.h), and a prefix may come
 * and go again in a later one.  The first snapshot's are in it by the time
 * nb_watcher_is_synced(); a message under way's are not. */
void nb_watcher_take_changes(struct nb_watcher *, struct rs_changes *out);

/* The route set, to read; its changes are nb_watcher_take_changes()'s. */
struct route_set *nb_watcher_routes(const struct nb_watcher *);

/* Status, for operators. */
struct nb_watcher_status {
    const char *remote;
    bool connected;
    /* The last server or attempt given up, "REMOTE: REASON", or NULL, and
     * when (wall clock); how many were. */
    const char *last_given_up;
    long long int last_given_up_ms;
    unsigned long long n_given_up;
    /* The remote of the attempt under way or next, and in how many ms the
     * next one starts (-1 if one is under way, or connected). */
    const char *next_remote;
    int next_attempt_ms;
    bool synced;
    size_t n_switches, n_ports, n_load_balancers;  /* Rows watched. */
    size_t n_skipped;           /* Annotated rows skipped for a bad value. */
    unsigned long long n_full_recomputes;
    long long int last_change_ms;  /* Wall clock of the last route change,
                                    * or 0 if none yet. */
    /* The route set's prefixes as of the last whole message. */
    size_t n_routes, n_routes_of_kind[RS_N_KINDS];
};
void nb_watcher_get_status(const struct nb_watcher *,
                           struct nb_watcher_status *);

#endif /* ovsdb/nb-watcher.h */
