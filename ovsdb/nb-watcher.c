/*
 * The NB watcher: see nb-watcher.h.
 */
#include <config.h>

#include "ovsdb/nb-watcher.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "hmapx.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "ovn-nb-idl.h"
#include "ovsdb-idl.h"
#include "ovsdb/nb-map.h"
#include "ovsdb/route-set.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(nb_watcher);

/* Bad values in rows can repeat with every change: warn at a bounded
 * rate. */
static struct vlog_rate_limit bad_row_rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* A row the watcher has seen.  For a port, 'parent' is its switch. */
struct seen_row {
    struct hmap_node node;
    struct uuid uuid;
    struct uuid parent;
    bool skipped;               /* Skipped for a bad value. */
};

struct nb_watcher {
    char *remote;
    char *node_name;
    bool announce_cluster_ip;

    struct ovsdb_idl *idl;
    unsigned int idl_seqno;     /* Seqno of the contents last processed. */
    bool synced;                /* First snapshot processed. */
    bool was_connected;
    bool need_full;             /* Reconnected: recompute everything. */

    struct hmap switches;       /* seen_row, by uuid. */
    struct hmap ports;          /* seen_row, by uuid, parent = switch. */
    struct hmap lbs;            /* seen_row, by uuid. */
    size_t n_skipped;

    struct route_set *routes;
    struct nb_routes scratch;   /* Reused by every row's mapping. */
    unsigned long long n_full_recomputes;
    long long int last_change_ms;
};

static struct seen_row *
seen_find(const struct hmap *map, const struct uuid *uuid)
{
    struct seen_row *r;
    HMAP_FOR_EACH_WITH_HASH (r, node, uuid_hash(uuid), map) {
        if (uuid_equals(&r->uuid, uuid)) {
            return r;
        }
    }
    return NULL;
}

static struct seen_row *
seen_add(struct hmap *map, const struct uuid *uuid)
{
    struct seen_row *r = seen_find(map, uuid);
    if (!r) {
        r = xzalloc(sizeof *r);
        r->uuid = *uuid;
        hmap_insert(map, &r->node, uuid_hash(uuid));
    }
    return r;
}

static void
seen_remove(struct nb_watcher *w, struct hmap *map, const struct uuid *uuid)
{
    struct seen_row *r = seen_find(map, uuid);
    if (r) {
        w->n_skipped -= r->skipped;
        hmap_remove(map, &r->node);
        free(r);
    }
}

static void
seen_clear(struct hmap *map)
{
    struct seen_row *r;
    HMAP_FOR_EACH_POP (r, node, map) {
        free(r);
    }
}

struct nb_watcher *
nb_watcher_create(const struct nb_watcher_options *opts)
{
    struct nb_watcher *w = xzalloc(sizeof *w);

    w->remote = xstrdup(opts->remote);
    w->node_name = xstrdup(opts->node_name ? opts->node_name : "");
    w->announce_cluster_ip = opts->announce_cluster_ip;
    hmap_init(&w->switches);
    hmap_init(&w->ports);
    hmap_init(&w->lbs);
    w->routes = route_set_create();
    nb_routes_init(&w->scratch);

    /* Replicate only what the mapping reads. */
    w->idl = ovsdb_idl_create(w->remote, &nbrec_idl_class, false, true);
    ovsdb_idl_set_leader_only(w->idl, false);
    static const struct ovsdb_idl_column *columns[] = {
        &nbrec_logical_switch_col_name,
        &nbrec_logical_switch_col_ports,
        &nbrec_logical_switch_col_external_ids,
        &nbrec_logical_switch_col_other_config,
        &nbrec_logical_switch_port_col_name,
        &nbrec_logical_switch_port_col_addresses,
        &nbrec_logical_switch_port_col_dynamic_addresses,
        &nbrec_logical_switch_port_col_enabled,
        &nbrec_logical_switch_port_col_external_ids,
        &nbrec_logical_switch_port_col_options,
    };
    for (size_t i = 0; i < ARRAY_SIZE(columns); i++) {
        ovsdb_idl_add_column(w->idl, columns[i]);
    }
    if (w->announce_cluster_ip) {
        ovsdb_idl_add_column(w->idl, &nbrec_load_balancer_col_name);
        ovsdb_idl_add_column(w->idl, &nbrec_load_balancer_col_vips);
        ovsdb_idl_add_column(w->idl, &nbrec_load_balancer_col_external_ids);
    }
    ovsdb_idl_track_add_all(w->idl);
    return w;
}

void
nb_watcher_destroy(struct nb_watcher *w)
{
    if (!w) {
        return;
    }
    ovsdb_idl_destroy(w->idl);
    seen_clear(&w->switches);
    seen_clear(&w->ports);
    seen_clear(&w->lbs);
    hmap_destroy(&w->switches);
    hmap_destroy(&w->ports);
    hmap_destroy(&w->lbs);
    route_set_destroy(w->routes);
    nb_routes_destroy(&w->scratch);
    free(w->remote);
    free(w->node_name);
    free(w);
}

/* Puts what 'w->scratch' says of row 'uuid' into 'rs', and warns if the row
 * was skipped. */
static void
apply_row(struct nb_watcher *w, struct route_set *rs, struct seen_row *seen,
          enum rs_kind kind, const char *name)
{
    const struct nb_routes *r = &w->scratch;
    bool skipped = r->error != NULL;

    if (skipped) {
        VLOG_WARN_RL(&bad_row_rl, "%s; not announced", r->error);
    } else if (r->nat_outgoing && r->n_prefixes) {
        VLOG_WARN_RL(&bad_row_rl, "%s %s is announced, but has "
                     "external_ids:" NB_KEY_NAT_OUTGOING "=true: return "
                     "traffic to its pods will be NATed", rs_kind_name(kind),
                     name);
    }
    w->n_skipped += (int) skipped - (int) seen->skipped;
    seen->skipped = skipped;
    route_set_set_row(rs, &seen->uuid, kind, name, r->nat_outgoing,
                      r->prefixes, r->n_prefixes);
}

static void
map_switch(struct nb_watcher *w, struct route_set *rs,
           const struct nbrec_logical_switch *ls)
{
    const struct nb_switch_in in = {
        .name = ls->name,
        .external_ids = &ls->external_ids,
        .other_config = &ls->other_config,
    };
    nb_map_switch(&in, &w->scratch);
    apply_row(w, rs, seen_add(&w->switches, &ls->header_.uuid), RS_SUBNET,
              ls->name);
}

/* The policy that a port of switch 'ls_uuid' inherits. */
static enum nb_policy
switch_policy(const struct nb_watcher *w, const struct uuid *ls_uuid)
{
    const struct nbrec_logical_switch *ls
        = nbrec_logical_switch_get_for_uuid(w->idl, ls_uuid);
    return ls ? nb_policy_parse(smap_get(&ls->external_ids, NB_KEY_BGP))
              : NB_POLICY_NONE;
}

static void
map_port(struct nb_watcher *w, struct route_set *rs,
         const struct nbrec_logical_switch_port *lsp)
{
    struct seen_row *seen = seen_add(&w->ports, &lsp->header_.uuid);
    const struct nb_port_in in = {
        .name = lsp->name,
        .addresses = lsp->addresses,
        .n_addresses = lsp->n_addresses,
        .dynamic_addresses = lsp->dynamic_addresses,
        .enabled = lsp->n_enabled ? lsp->enabled : NULL,
        .external_ids = &lsp->external_ids,
        .options = &lsp->options,
    };
    const struct nb_map_config cfg = {
        .node_name = w->node_name,
        .announce_cluster_ip = w->announce_cluster_ip,
    };
    nb_map_port(&in, switch_policy(w, &seen->parent), &cfg, &w->scratch);
    apply_row(w, rs, seen, RS_POD, lsp->name);
}

static void
map_lb(struct nb_watcher *w, struct route_set *rs,
       const struct nbrec_load_balancer *lb)
{
    const struct nb_lb_in in = {
        .name = lb->name,
        .external_ids = &lb->external_ids,
        .vips = &lb->vips,
    };
    const struct nb_map_config cfg = {
        .node_name = w->node_name,
        .announce_cluster_ip = w->announce_cluster_ip,
    };
    nb_map_lb(&in, &cfg, &w->scratch);
    apply_row(w, rs, seen_add(&w->lbs, &lb->header_.uuid), RS_SERVICE,
              lb->name);
}

/* Sets the switch of port 'port_uuid'.  Returns true if it changed. */
static bool
link_port(struct nb_watcher *w, const struct uuid *port_uuid,
          const struct uuid *ls_uuid)
{
    struct seen_row *port = seen_add(&w->ports, port_uuid);
    if (uuid_equals(&port->parent, ls_uuid)) {
        return false;
    }
    port->parent = *ls_uuid;
    return true;
}

/* Recomputes everything from the replica, and hands the route set only the
 * difference. */
static void
full_recompute(struct nb_watcher *w)
{
    /* The first time there is nothing to compare with: fill the set in
     * place. */
    bool in_place = !route_set_n_rows(w->routes);
    struct route_set *fresh = in_place ? w->routes : route_set_create();
    const struct nbrec_logical_switch *ls;
    const struct nbrec_logical_switch_port *lsp;
    const struct nbrec_load_balancer *lb;

    seen_clear(&w->switches);
    seen_clear(&w->ports);
    seen_clear(&w->lbs);
    w->n_skipped = 0;

    NBREC_LOGICAL_SWITCH_FOR_EACH (ls, w->idl) {
        map_switch(w, fresh, ls);
        for (size_t i = 0; i < ls->n_ports; i++) {
            link_port(w, &ls->ports[i]->header_.uuid, &ls->header_.uuid);
        }
    }
    NBREC_LOGICAL_SWITCH_PORT_FOR_EACH (lsp, w->idl) {
        map_port(w, fresh, lsp);
    }
    if (w->announce_cluster_ip) {
        NBREC_LOAD_BALANCER_FOR_EACH (lb, w->idl) {
            map_lb(w, fresh, lb);
        }
    }
    if (!in_place) {
        route_set_replace(w->routes, fresh);
    }
    w->n_full_recomputes++;

    /* A snapshot arrives as one large JSON message, freed by now: give the
     * memory back rather than keep the peak for good. */
    malloc_trim(0);
}

/* Applies the tracked changes.  Returns false, having changed nothing that
 * a full recomputation does not redo, if the changes show that the replica
 * was reloaded (a new row with a uuid already known). */
static bool
incremental(struct nb_watcher *w)
{
    const struct nbrec_logical_switch *ls;
    const struct nbrec_logical_switch_port *lsp;
    const struct nbrec_load_balancer *lb;
    struct hmapx dirty_ports = HMAPX_INITIALIZER(&dirty_ports);
    bool ok = true;

    NBREC_LOGICAL_SWITCH_FOR_EACH_TRACKED (ls, w->idl) {
        const struct uuid *uuid = &ls->header_.uuid;
        if (nbrec_logical_switch_is_deleted(ls)) {
            route_set_remove_row(w->routes, uuid);
            seen_remove(w, &w->switches, uuid);
            continue;
        }
        bool is_new = nbrec_logical_switch_is_new(ls);
        if (is_new && seen_find(&w->switches, uuid)) {
            ok = false;
            goto out;
        }
        map_switch(w, w->routes, ls);

        /* A changed annotation can change what the ports inherit; a
         * changed port list links ports to this switch. */
        bool all = !is_new && nbrec_logical_switch_is_updated(
            ls, NBREC_LOGICAL_SWITCH_COL_EXTERNAL_IDS);
        if (all || is_new || nbrec_logical_switch_is_updated(
                ls, NBREC_LOGICAL_SWITCH_COL_PORTS)) {
            for (size_t i = 0; i < ls->n_ports; i++) {
                const struct nbrec_logical_switch_port *port = ls->ports[i];
                if (link_port(w, &port->header_.uuid, uuid) || all) {
                    hmapx_add(&dirty_ports, CONST_CAST(void *, port));
                }
            }
        }
    }

    NBREC_LOGICAL_SWITCH_PORT_FOR_EACH_TRACKED (lsp, w->idl) {
        const struct uuid *uuid = &lsp->header_.uuid;
        if (nbrec_logical_switch_port_is_deleted(lsp)) {
            route_set_remove_row(w->routes, uuid);
            seen_remove(w, &w->ports, uuid);
            hmapx_find_and_delete(&dirty_ports, lsp);
        } else {
            hmapx_add(&dirty_ports, CONST_CAST(void *, lsp));
        }
    }
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &dirty_ports) {
        map_port(w, w->routes, node->data);
    }

    if (w->announce_cluster_ip) {
        NBREC_LOAD_BALANCER_FOR_EACH_TRACKED (lb, w->idl) {
            const struct uuid *uuid = &lb->header_.uuid;
            if (nbrec_load_balancer_is_deleted(lb)) {
                route_set_remove_row(w->routes, uuid);
                seen_remove(w, &w->lbs, uuid);
            } else if (nbrec_load_balancer_is_new(lb)
                       && seen_find(&w->lbs, uuid)) {
                ok = false;
                goto out;
            } else {
                map_lb(w, w->routes, lb);
            }
        }
    }

out:
    hmapx_destroy(&dirty_ports);
    return ok;
}

void
nb_watcher_run(struct nb_watcher *w)
{
    /* ovsdb_idl_run() handles a bounded number of messages: go on while
     * the contents move, so that one batch of changes is handled whole. */
    for (int i = 0; i < 100; i++) {
        unsigned int seqno = ovsdb_idl_get_seqno(w->idl);
        ovsdb_idl_run(w->idl);
        if (seqno == ovsdb_idl_get_seqno(w->idl)) {
            break;
        }
    }

    bool connected = ovsdb_idl_is_connected(w->idl);
    if (connected != w->was_connected) {
        if (connected) {
            VLOG_INFO("%s: connected", w->remote);
        } else {
            VLOG_WARN("%s: connection lost; keeping %"PRIuSIZE" routes "
                      "until it is back", w->remote,
                      route_set_n_prefixes(w->routes));
            w->need_full = true;
        }
        w->was_connected = connected;
    }

    unsigned int seqno = ovsdb_idl_get_seqno(w->idl);
    if (seqno == w->idl_seqno || !ovsdb_idl_has_ever_connected(w->idl)) {
        return;
    }
    w->idl_seqno = seqno;

    if (!w->synced || w->need_full || !incremental(w)) {
        full_recompute(w);
        if (!w->synced) {
            VLOG_INFO("%s: initial snapshot: %"PRIuSIZE" rows give "
                      "%"PRIuSIZE" prefixes", w->remote,
                      route_set_n_rows(w->routes),
                      route_set_n_prefixes(w->routes));
        }
        w->synced = true;
        w->need_full = false;
    }
    ovsdb_idl_track_clear(w->idl);
    if (route_set_has_changes(w->routes)) {
        w->last_change_ms = time_wall_msec();
    }
}

void
nb_watcher_wait(struct nb_watcher *w)
{
    ovsdb_idl_wait(w->idl);
}

bool
nb_watcher_is_synced(const struct nb_watcher *w)
{
    return w->synced;
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
    s->remote = w->remote;
    s->connected = ovsdb_idl_is_connected(w->idl);
    s->synced = w->synced;
    s->n_switches = hmap_count(&w->switches);
    s->n_ports = hmap_count(&w->ports);
    s->n_load_balancers = hmap_count(&w->lbs);
    s->n_skipped = w->n_skipped;
    s->n_full_recomputes = w->n_full_recomputes;
    s->last_change_ms = w->last_change_ms;
}
