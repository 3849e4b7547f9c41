/*
 * A compact replica of the OVN Northbound rows that can give routes.
 *
 * Rows come in one at a time from the update decoder (update-decoder.h),
 * as OVSDB "update2" sends them: whole for "initial" and "insert", as a
 * difference for "modify".  The replica keeps, per row, only what the
 * mapping (nb-map.h) reads: a port keeps its name, addresses,
 * dynamic_addresses, enabled, and two keys of external_ids and options; a
 * switch its name, five keys and which ports it lists.  That is what lets
 * the speaker hold 100k ports in a few tens of megabytes where a full
 * ovsdb-idl replica takes ten times as much.
 *
 * A port, the most common row by far, is mapped as it arrives, while its
 * values are still in the cache, with the policy its switch had at the last
 * commit.  nb_replica_commit(), once per message, maps the other rows that
 * changed and remaps the ports whose inherited policy moved, so the route
 * set is consistent again at each commit: between two commits it holds part
 * of a transaction, and its changes are the consumer's to take only after
 * a commit.  No I/O: the unit tests feed rows directly.
 */
#ifndef OVSDB_NB_REPLICA_H
#define OVSDB_NB_REPLICA_H 1

#include <stdbool.h>
#include <stddef.h>

struct route_set;
struct ud_row;
struct ud_uuid;
struct ud_schema;

/* The tables and columns to ask the server for, in the order the decoder
 * reports them (Logical_Switch, Logical_Switch_Port, then Load_Balancer if
 * 'with_lbs'). */
const struct ud_schema *nb_replica_schema(bool with_lbs);

struct nb_replica_options {
    const char *node_name;          /* For "local" pods. */
    bool announce_cluster_ip;       /* Load balancers too. */
};

struct nb_replica *nb_replica_create(const struct nb_replica_options *,
                                     struct route_set *);
/* Destroys the replica, which leaves its route set good only for
 * route_set_destroy(): its rows let go of their routes without a lookup
 * each (see route_set_release_row()). */
void nb_replica_destroy(struct nb_replica *);

/* A whole snapshot of the database follows (a monitor reply): rows it does
 * not mention are gone at the next commit. */
void nb_replica_begin_snapshot(struct nb_replica *);

/* A row of table 'table_idx' (as in nb_replica_schema()) with this uuid is
 * on its way: a hint, to warm the cache (see ud_ops.row_begin). */
void nb_replica_row_begin(const struct nb_replica *, size_t table_idx,
                          const struct ud_uuid *);
void nb_replica_row(struct nb_replica *, const struct ud_row *);

/* Maps what changed since the last commit into the route set. */
void nb_replica_commit(struct nb_replica *);

struct nb_replica_counts {
    size_t n_switches, n_ports, n_load_balancers;
    size_t n_skipped;           /* Annotated rows skipped for bad values. */
};
void nb_replica_get_counts(const struct nb_replica *,
                           struct nb_replica_counts *);

#endif /* ovsdb/nb-replica.h */
