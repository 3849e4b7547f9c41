/*
 * The compact NB replica: see nb-replica.h.
 */
#include <config.h>

#include "ovsdb/nb-replica.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "ovsdb/nb-map.h"
#include "ovsdb/route-set.h"
#include "ovsdb/sparse-hmap.h"
#include "ovsdb/update-decoder.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(nb_replica);

/* Bad values in rows can repeat with every change: warn at a bounded
 * rate. */
static struct vlog_rate_limit bad_row_rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* ---------------------------------------------------------------------
 * What the server is asked for. */

enum { T_SWITCH, T_PORT, T_LB };

enum { LS_NAME, LS_PORTS, LS_EXTERNAL_IDS, LS_OTHER_CONFIG, LS_N };
static const struct ud_column ls_columns[LS_N] = {
    [LS_NAME] = { "name", UD_STRING, UD_VOID, false },
    [LS_PORTS] = { "ports", UD_UUID, UD_VOID, true },
    [LS_EXTERNAL_IDS] = { "external_ids", UD_STRING, UD_STRING, true },
    [LS_OTHER_CONFIG] = { "other_config", UD_STRING, UD_STRING, true },
};

enum { LSP_NAME, LSP_ADDRESSES, LSP_DYNAMIC, LSP_ENABLED,
       LSP_EXTERNAL_IDS, LSP_OPTIONS, LSP_N };
static const struct ud_column lsp_columns[LSP_N] = {
    [LSP_NAME] = { "name", UD_STRING, UD_VOID, false },
    [LSP_ADDRESSES] = { "addresses", UD_STRING, UD_VOID, true },
    [LSP_DYNAMIC] = { "dynamic_addresses", UD_STRING, UD_VOID, false },
    [LSP_ENABLED] = { "enabled", UD_BOOLEAN, UD_VOID, false },
    [LSP_EXTERNAL_IDS] = { "external_ids", UD_STRING, UD_STRING, true },
    [LSP_OPTIONS] = { "options", UD_STRING, UD_STRING, true },
};

enum { LB_NAME, LB_VIPS, LB_EXTERNAL_IDS, LB_N };
static const struct ud_column lb_columns[LB_N] = {
    [LB_NAME] = { "name", UD_STRING, UD_VOID, false },
    [LB_VIPS] = { "vips", UD_STRING, UD_STRING, true },
    [LB_EXTERNAL_IDS] = { "external_ids", UD_STRING, UD_STRING, true },
};

static const struct ud_table nb_tables[] = {
    [T_SWITCH] = { "Logical_Switch", ls_columns, LS_N },
    [T_PORT] = { "Logical_Switch_Port", lsp_columns, LSP_N },
    [T_LB] = { "Load_Balancer", lb_columns, LB_N },
};

const struct ud_schema *
nb_replica_schema(bool with_lbs)
{
    static const struct ud_schema without = { nb_tables, 2 };
    static const struct ud_schema with = { nb_tables, 3 };
    return with_lbs ? &with : &without;
}

/* ---------------------------------------------------------------------
 * Rows. */

/* What every row starts with: where it is in its table's map. */
struct row_key {
    struct hmap_node node;      /* In its table's hmap, by uuid. */
    struct uuid uuid;
};

struct ls_row {
    struct row_key key;         /* In 'switches'. */
    struct rs_row routes;       /* What it gives. */
    char *name;
    /* Interned (see intern()): */
    const char *bgp, *cidr, *nat_outgoing;      /* external_ids */
    const char *subnet, *ipv6_prefix;           /* other_config */
    bool seen;                  /* Mentioned by the snapshot under way. */
    bool dirty, deleted, skipped;
    bool local;                 /* Committed: its ports inherit "local". */

    /* Its ports column: the uuids of its last whole row, then each uuid a
     * difference toggled since, appended (a port is listed while its uuid
     * appears an odd number of times; compact_ports() sorts that out).
     * Only a "local" switch's ports need to know it (their parents): the
     * others' lists cost no lookup, which in a 100k-port sync was 15% of
     * the CPU. */
    struct uuid *ports;
    size_t n_ports, allocated_ports;
    size_t n_compact;           /* 'n_ports' after the last compaction. */
};

/* The most common row, kept small: 112 bytes (a 128-byte malloc chunk),
 * its routes inline, and one string block. */
struct lsp_row {
    struct row_key key;         /* In 'ports'. */
    struct rs_row routes;       /* What it gives. */
    char *strings;              /* NULL, or the name, the n_addresses
                                 * addresses and, if has_dynamic,
                                 * dynamic_addresses, each NUL-ended, one
                                 * after the other. */
    const char *bgp;            /* external_ids, interned */
    const char *requested_chassis;      /* options, interned */
    union {
        struct ls_row *one;     /* n_parents <= 1. */
        struct ls_row **many;   /* n_parents > 1. */
    } parents;
    uint16_t n_addresses;
    uint16_t n_parents;         /* "local" switches that list it. */
    signed char enabled;        /* -1 unset, 0 false, 1 true. */
    bool has_dynamic : 1;
    bool has_row : 1;           /* Not just named in a switch's ports. */
    bool dirty : 1;
    bool skipped : 1;
    bool seen : 1;              /* Mentioned by the snapshot under way. */
};
BUILD_ASSERT_DECL(sizeof(struct lsp_row) <= 112);

struct lb_row {
    struct row_key key;         /* In 'lbs'. */
    struct rs_row routes;       /* What it gives. */
    char *name;
    const char *bgp;            /* Interned. */
    struct smap vips;
    bool seen;                  /* Mentioned by the snapshot under way. */
    bool dirty, deleted, skipped;
};

/* A port row not yet in 'ports' (settle_ports()). */
struct waiting_port {
    uint32_t hash;              /* uuid_hash() of its uuid. */
    struct lsp_row *p;
};

/* Rows touched since the last commit. */
struct dirty {
    void **rows;
    size_t n, cap;
};

struct nb_replica {
    char *node_name;
    bool announce_cluster_ip;
    struct route_set *routes;

    struct hmap switches;
    struct hmap ports;
    struct hmap lbs;
    struct hmap strings;        /* Interned values: struct istr. */
#define N_RECENT 16
    struct istr *recent[N_RECENT];  /* See recent_slot(). */
    size_t n_ports_with_row;
    size_t n_skipped;

    bool in_snapshot;           /* Rows not 'seen' go at the commit... */
    bool had_rows;              /* ...if there were any before it. */

    /* In a snapshot into an empty 'ports', a port row's uuid is looked up
     * only when something asks for a port (settle_ports()): until then the
     * new rows wait here. */
    bool ports_wait;
    struct waiting_port *waiting_ports;
    size_t n_waiting_ports, allocated_waiting_ports;

    struct dirty dirty_switches, dirty_ports, dirty_lbs;
    struct nb_routes scratch;
    const char **room;          /* For a port's addresses when mapped. */
    size_t n_room;
    const char **join_room;     /* For them while a row changes them. */
    size_t n_join_room;
};

static void
dirty_add(struct dirty *d, void *row)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 64;
        d->rows = xrealloc(d->rows, d->cap * sizeof *d->rows);
    }
    d->rows[d->n++] = row;
}

static void
dirty_clear(struct dirty *d)
{
    d->n = 0;
    if (d->cap > 1024) {
        free(d->rows);
        d->rows = NULL;
        d->cap = 0;
    }
}

static void
to_uuid(const struct ud_uuid *in, struct uuid *out)
{
    BUILD_ASSERT_DECL(sizeof in->parts == sizeof out->parts);
    memcpy(out->parts, in->parts, sizeof out->parts);
}

/* The values of kept keys repeat from row to row ("true", a node's name):
 * one copy of each, counted. */
struct istr {
    struct hmap_node node;      /* In nb_replica->strings. */
    size_t refs;
    size_t len;
    char s[];
};

/* Where a value is looked for first, among the few seen last (most rows
 * repeat the same few values: "true", this node's name). */
static size_t
recent_slot(const char *s, size_t len)
{
    return ((len * 7 + (unsigned char) s[0]
             + (unsigned char) s[len ? len - 1 : 0]) % N_RECENT);
}

/* 's', of 'len' bytes (and a NUL after them), interned. */
static const char *
intern(struct nb_replica *r, const char *s, size_t len)
{
    size_t slot = recent_slot(s, len);
    struct istr *is = r->recent[slot];

    if (is && is->len == len && !memcmp(is->s, s, len)) {
        is->refs++;
        return is->s;
    }

    uint32_t hash = hash_bytes(s, len, 0);
    HMAP_FOR_EACH_WITH_HASH (is, node, hash, &r->strings) {
        if (is->len == len && !memcmp(is->s, s, len)) {
            is->refs++;
            r->recent[slot] = is;
            return is->s;
        }
    }
    is = xmalloc(sizeof *is + len + 1);
    is->refs = 1;
    is->len = len;
    memcpy(is->s, s, len + 1);
    hmap_insert(&r->strings, &is->node, hash);
    r->recent[slot] = is;
    return is->s;
}

static void
unintern(struct nb_replica *r, const char *s)
{
    if (s) {
        struct istr *is = CONTAINER_OF(s, struct istr, s);
        if (!--is->refs) {
            size_t slot = recent_slot(is->s, is->len);
            if (r->recent[slot] == is) {
                r->recent[slot] = NULL;
            }
            hmap_remove(&r->strings, &is->node);
            free(is);
        }
    }
}

/* Sets interned '*slot' to 'value', of 'len' bytes (NULL for none). */
static void
set_istr(struct nb_replica *r, const char **slot, const char *value,
         size_t len)
{
    if (value && *slot && CONTAINER_OF(*slot, struct istr, s)->len == len
        && !memcmp(*slot, value, len)) {
        return;
    }
    unintern(r, *slot);
    *slot = value ? intern(r, value, len) : NULL;
}

static void
set_str(char **slot, const char *value)
{
    if (!value) {
        free(*slot);
        *slot = NULL;
    } else if (!*slot || strcmp(*slot, value)) {
        free(*slot);
        *slot = xstrdup(value);
    }
}

/* A string column (or optional string) from 'd': its one atom, or NULL. */
static void
set_scalar(char **slot, const struct ud_datum *d)
{
    set_str(slot, d->n ? d->keys[0] : NULL);
}

/* A key of a map column that the replica keeps. */
struct kept_key {
    const char *key;
    size_t len;                 /* strlen(key). */
    const char **slot;          /* Interned. */
};
#define KEPT(KEY, SLOT) { KEY, sizeof KEY - 1, SLOT }
#define MAX_KEPT 3

/* Applies map column 'd' to the kept keys: whole ('diff' false) or as an
 * OVSDB difference, where a pair with the value already held removes the
 * key and any other pair sets it. */
static void
apply_map(struct nb_replica *r, const struct ud_datum *d, bool diff,
          struct kept_key *keys, size_t n_keys)
{
    const char *whole[MAX_KEPT] = { NULL };
    size_t whole_lens[MAX_KEPT] = { 0 };

    ovs_assert(n_keys <= MAX_KEPT);
    for (size_t i = 0; i < d->n; i++) {
        for (size_t k = 0; k < n_keys; k++) {
            if (d->key_lens[i] != keys[k].len
                || memcmp(d->keys[i], keys[k].key, keys[k].len)) {
                continue;
            }
            const char **slot = keys[k].slot;
            if (!diff) {
                whole[k] = d->values[i];
                whole_lens[k] = d->value_lens[i];
            } else if (*slot && !strcmp(*slot, d->values[i])) {
                set_istr(r, slot, NULL, 0);
            } else {
                set_istr(r, slot, d->values[i], d->value_lens[i]);
            }
            break;
        }
    }
    if (!diff) {
        /* A key the map lacks is unset; one it has and we hold with the
         * same value stays as it is. */
        for (size_t k = 0; k < n_keys; k++) {
            set_istr(r, keys[k].slot, whole[k], whole_lens[k]);
        }
    }
}

static struct row_key *
find_key(const struct hmap *map, const struct uuid *uuid)
{
    struct row_key *k;
    HMAP_FOR_EACH_WITH_HASH (k, node, uuid_hash(uuid), map) {
        if (uuid_equals(&k->uuid, uuid)) {
            return k;
        }
    }
    return NULL;
}

static struct ls_row *
find_switch(const struct nb_replica *r, const struct uuid *uuid)
{
    struct row_key *k = find_key(&r->switches, uuid);
    return k ? CONTAINER_OF(k, struct ls_row, key) : NULL;
}

static void settle_ports(struct nb_replica *);

static struct lsp_row *
find_port(const struct nb_replica *r, const struct uuid *uuid)
{
    settle_ports(CONST_CAST(struct nb_replica *, r));
    struct row_key *k = find_key(&r->ports, uuid);
    return k ? CONTAINER_OF(k, struct lsp_row, key) : NULL;
}

static struct lb_row *
find_lb(const struct nb_replica *r, const struct uuid *uuid)
{
    struct row_key *k = find_key(&r->lbs, uuid);
    return k ? CONTAINER_OF(k, struct lb_row, key) : NULL;
}

/* Puts a new row's key into 'map'. */
static void
insert_key(struct hmap *map, struct row_key *k, const struct uuid *uuid)
{
    k->uuid = *uuid;
    hmap_insert_sparse(map, &k->node, uuid_hash(uuid));
}

static void
mark_port(struct nb_replica *r, struct lsp_row *p)
{
    if (!p->dirty) {
        p->dirty = true;
        dirty_add(&r->dirty_ports, p);
    }
}

static struct lsp_row *
new_port(const struct uuid *uuid)
{
    struct lsp_row *p = xzalloc(sizeof *p);
    p->enabled = -1;
    p->key.uuid = *uuid;
    return p;
}

static struct lsp_row *
get_port(struct nb_replica *r, const struct uuid *uuid)
{
    struct lsp_row *p = find_port(r, uuid);
    if (!p) {
        p = new_port(uuid);
        insert_key(&r->ports, &p->key, uuid);
    }
    return p;
}

/* Port memberships: a port's parents are the switches that list it and
 * that the last commit left "local" (the one policy a port inherits); a
 * switch that is not keeps only its list of uuids. */

static struct ls_row *const *
port_parents(const struct lsp_row *p)
{
    return p->n_parents > 1 ? p->parents.many : &p->parents.one;
}

static bool
port_has_parent(const struct lsp_row *p, const struct ls_row *ls)
{
    struct ls_row *const *parents = port_parents(p);
    for (size_t i = 0; i < p->n_parents; i++) {
        if (parents[i] == ls) {
            return true;
        }
    }
    return false;
}

static void
port_add_parent(struct lsp_row *p, struct ls_row *ls)
{
    if (p->n_parents == UINT16_MAX) {
        return;                 /* Listed by 65535 switches already. */
    }
    if (p->n_parents == 0) {
        p->parents.one = ls;
    } else {
        struct ls_row **many = xmalloc((p->n_parents + 1) * sizeof *many);
        memcpy(many, port_parents(p), p->n_parents * sizeof *many);
        many[p->n_parents] = ls;
        if (p->n_parents > 1) {
            free(p->parents.many);
        }
        p->parents.many = many;
    }
    p->n_parents++;
}

static void
port_remove_parent(struct lsp_row *p, const struct ls_row *ls)
{
    if (p->n_parents == 1) {
        if (p->parents.one == ls) {
            p->parents.one = NULL;
            p->n_parents = 0;
        }
        return;
    }
    struct ls_row **many = p->parents.many;
    for (size_t i = 0; i < p->n_parents; i++) {
        if (many[i] == ls) {
            memmove(&many[i], &many[i + 1],
                    (p->n_parents - i - 1) * sizeof *many);
            p->n_parents--;
            if (p->n_parents == 1) {
                struct ls_row *one = many[0];
                free(many);
                p->parents.one = one;
            }
            return;
        }
    }
}

static void
port_clear_parents(struct lsp_row *p)
{
    if (p->n_parents > 1) {
        free(p->parents.many);
    }
    p->parents.one = NULL;
    p->n_parents = 0;
}

/* Whether port 'p' inherits "local": whether a switch that the last
 * commit left "local" lists it.  (Its parents are those switches.) */
static bool
inherits_local(const struct lsp_row *p)
{
    return p->n_parents > 0;
}

/* Port 'p', which inherited 'had' before its parents changed, is mapped
 * again at the commit if that moved. */
static void
parent_moved(struct nb_replica *r, struct lsp_row *p, bool had)
{
    if (inherits_local(p) != had) {
        mark_port(r, p);
    }
}

/* Membership of port 'u' in switch 'ls' toggles (a difference) or is
 * set ('toggle' false). */
static void
link_port(struct nb_replica *r, struct ls_row *ls, const struct ud_uuid *u,
          bool toggle)
{
    struct uuid uuid;

    to_uuid(u, &uuid);
    struct lsp_row *p = get_port(r, &uuid);
    bool had = inherits_local(p);
    if (port_has_parent(p, ls)) {
        if (toggle) {
            port_remove_parent(p, ls);
        }
    } else {
        port_add_parent(p, ls);
    }
    parent_moved(r, p, had);
}

/* A switch's ports column. */

static int
compare_uuids(const void *a, const void *b)
{
    return uuid_compare_3way(a, b);
}

/* Leaves each uuid of 'ls->ports' once, and only those that appeared an
 * odd number of times. */
static void
compact_ports(struct ls_row *ls)
{
    if (ls->n_ports == ls->n_compact) {
        return;
    }
    qsort(ls->ports, ls->n_ports, sizeof *ls->ports, compare_uuids);
    size_t n = 0;
    for (size_t i = 0; i < ls->n_ports; ) {
        size_t j = i + 1;
        while (j < ls->n_ports && uuid_equals(&ls->ports[j], &ls->ports[i])) {
            j++;
        }
        if ((j - i) % 2) {
            ls->ports[n++] = ls->ports[i];
        }
        i = j;
    }
    ls->n_ports = ls->n_compact = n;
}

static void
append_port(struct ls_row *ls, const struct ud_uuid *u)
{
    if (ls->n_ports >= ls->allocated_ports) {
        ls->ports = x2nrealloc(ls->ports, &ls->allocated_ports,
                               sizeof *ls->ports);
    }
    to_uuid(u, &ls->ports[ls->n_ports++]);
}

/* The ports column of a row: whole, or a difference that toggles. */
static void
apply_ports(struct ls_row *ls, const struct ud_datum *d, bool diff)
{
    if (!diff) {
        ls->n_ports = 0;
        if (d->n != ls->allocated_ports) {
            /* Exactly the room a whole list needs. */
            ls->ports = xrealloc(ls->ports, MAX(d->n, 1) * sizeof *ls->ports);
            ls->allocated_ports = MAX(d->n, 1);
        }
    }
    for (size_t i = 0; i < d->n; i++) {
        append_port(ls, &d->key_uuids[i]);
    }
    if (!diff) {
        /* A set has no duplicates: compact as it is. */
        ls->n_compact = ls->n_ports;
    } else if (ls->n_ports > 2 * ls->n_compact + 64) {
        /* Toggles pile up: room and later walks stay in proportion. */
        compact_ports(ls);
    }
}

/* Switch 'ls' turns "local": its ports learn it. */
static void
link_local(struct nb_replica *r, struct ls_row *ls)
{
    compact_ports(ls);
    for (size_t i = 0; i < ls->n_ports; i++) {
        struct lsp_row *p = get_port(r, &ls->ports[i]);
        if (!port_has_parent(p, ls)) {
            bool had = inherits_local(p);
            port_add_parent(p, ls);
            parent_moved(r, p, had);
        }
    }
}

/* Switch 'ls' is "local" no more, or gone: its ports forget it. */
static void
unlink_local(struct nb_replica *r, struct ls_row *ls)
{
    compact_ports(ls);
    for (size_t i = 0; i < ls->n_ports; i++) {
        struct lsp_row *p = find_port(r, &ls->ports[i]);
        if (p && port_has_parent(p, ls)) {
            bool had = inherits_local(p);
            port_remove_parent(p, ls);
            parent_moved(r, p, had);
        }
    }
}

/* ---------------------------------------------------------------------
 * Applying a row update. */

static void
switch_update(struct nb_replica *r, const struct ud_row *u,
              const struct uuid *uuid)
{
    struct ls_row *ls = find_switch(r, uuid);

    if (u->op == UD_ROW_DELETE) {
        if (ls && !ls->deleted) {
            /* Its ports let go of it at the commit. */
            ls->deleted = true;
            if (!ls->dirty) {
                ls->dirty = true;
                dirty_add(&r->dirty_switches, ls);
            }
        }
        return;
    }
    bool created = !ls;
    if (created) {
        ls = xzalloc(sizeof *ls);
        insert_key(&r->switches, &ls->key, uuid);
    }
    ls->deleted = false;
    ls->seen = true;
    if (!ls->dirty) {
        ls->dirty = true;
        dirty_add(&r->dirty_switches, ls);
    }

    bool diff = u->op == UD_ROW_MODIFY;
    const struct ud_datum *c = u->columns;
    if (!diff || c[LS_NAME].present) {
        set_scalar(&ls->name, &c[LS_NAME]);
        route_set_rename_row(r->routes, &ls->routes,
                             ls->name ? ls->name : "");
    }
    if (!diff || c[LS_EXTERNAL_IDS].present) {
        struct kept_key keys[] = {
            KEPT(NB_KEY_BGP, &ls->bgp),
            KEPT(NB_KEY_CIDR, &ls->cidr),
            KEPT(NB_KEY_NAT_OUTGOING, &ls->nat_outgoing),
        };
        apply_map(r, &c[LS_EXTERNAL_IDS], diff, keys, ARRAY_SIZE(keys));
    }
    if (!diff || c[LS_OTHER_CONFIG].present) {
        struct kept_key keys[] = {
            KEPT("subnet", &ls->subnet),
            KEPT("ipv6_prefix", &ls->ipv6_prefix),
        };
        apply_map(r, &c[LS_OTHER_CONFIG], diff, keys, ARRAY_SIZE(keys));
    }
    if (!ls->local) {
        /* Only the list: what the ports inherit does not move (if the
         * switch turns "local", the commit links them). */
        apply_ports(ls, &c[LS_PORTS], diff);
        return;
    }
    /* A "local" switch (as of the last commit): its ports follow at once,
     * for they are mapped as they arrive. */
    if (!diff) {
        if (!created && !r->in_snapshot) {
            /* A whole row for a switch we know, outside a snapshot (a
             * uuid reused after a delete): its port list starts afresh.
             * (A snapshot let go of every port at its start.) */
            unlink_local(r, ls);
        }
        apply_ports(ls, &c[LS_PORTS], false);
        link_local(r, ls);
    } else {
        for (size_t i = 0; i < c[LS_PORTS].n; i++) {
            link_port(r, ls, &c[LS_PORTS].key_uuids[i], true);
        }
        apply_ports(ls, &c[LS_PORTS], true);
    }
}

/* A port's strings, split out of its block. */
struct port_strings {
    const char *name;               /* NULL if none. */
    const char **addresses;
    size_t n_addresses;
    const char *dynamic;            /* NULL if none. */
};

/* Splits 'p->strings' into 's'; the addresses go into 'room', which has
 * space for at least p->n_addresses. */
static void
port_split(const struct lsp_row *p, const char **room,
           struct port_strings *s)
{
    const char *a = p->strings;

    s->addresses = room;
    s->n_addresses = p->n_addresses;
    s->name = a;
    s->dynamic = NULL;
    if (!a) {
        return;
    }
    a += strlen(a) + 1;
    for (size_t i = 0; i < p->n_addresses; i++) {
        s->addresses[i] = a;
        a += strlen(a) + 1;
    }
    if (p->has_dynamic) {
        s->dynamic = a;
    }
}

/* Replaces 'p->strings' with 's' (which may point into the old block). */
static void
port_join(struct nb_replica *r, struct lsp_row *p, struct port_strings *s)
{
    const char *name = s->name ? s->name : "";
    size_t size = strlen(name) + 1;

    if (s->n_addresses > UINT16_MAX) {
        VLOG_WARN_RL(&bad_row_rl, "logical switch port %s has %"PRIuSIZE
                     " addresses; keeping the first %d", name,
                     s->n_addresses, UINT16_MAX);
        s->n_addresses = UINT16_MAX;
    }

    for (size_t i = 0; i < s->n_addresses; i++) {
        size += strlen(s->addresses[i]) + 1;
    }
    if (s->dynamic) {
        size += strlen(s->dynamic) + 1;
    }
    char *block = xmalloc(size);
    char *pos = stpcpy(block, name) + 1;
    for (size_t i = 0; i < s->n_addresses; i++) {
        pos = stpcpy(pos, s->addresses[i]) + 1;
    }
    if (s->dynamic) {
        stpcpy(pos, s->dynamic);
    }
    route_set_rename_row(r->routes, &p->routes, block);
    free(p->strings);
    p->strings = block;
    p->n_addresses = s->n_addresses;
    p->has_dynamic = s->dynamic != NULL;
}

/* The addresses column into 's': whole, or a difference that toggles each
 * element. */
static void
apply_addresses(struct port_strings *s, const struct ud_datum *d, bool diff)
{
    size_t n = diff ? s->n_addresses : 0;

    for (size_t i = 0; i < d->n; i++) {
        size_t j;
        for (j = 0; j < n; j++) {
            if (!strcmp(s->addresses[j], d->keys[i])) {
                break;
            }
        }
        if (j < n) {
            if (diff) {
                s->addresses[j] = s->addresses[--n];
            }
        } else {
            s->addresses[n++] = d->keys[i];
        }
    }
    s->n_addresses = n;
}

static void map_port(struct nb_replica *, struct lsp_row *);

static void
port_update(struct nb_replica *r, const struct ud_row *u,
            const struct uuid *uuid)
{
    struct lsp_row *p;

    if (u->op == UD_ROW_DELETE) {
        p = find_port(r, uuid);
        if (p && p->has_row) {
            p->has_row = false;
            r->n_ports_with_row--;
            mark_port(r, p);
        }
        return;
    }
    if (r->ports_wait && u->op != UD_ROW_MODIFY) {
        /* New (or a repeat, which settle_ports() sorts out).  A difference
         * applies to the row it changes: looked up. */
        if (r->n_waiting_ports >= r->allocated_waiting_ports) {
            r->waiting_ports = x2nrealloc(r->waiting_ports,
                                          &r->allocated_waiting_ports,
                                          sizeof *r->waiting_ports);
        }
        p = new_port(uuid);
        r->waiting_ports[r->n_waiting_ports++] = (struct waiting_port) {
            .hash = uuid_hash(uuid), .p = p,
        };
    } else {
        p = get_port(r, uuid);
    }
    if (!p->has_row) {
        p->has_row = true;
        r->n_ports_with_row++;
    }
    p->seen = true;

    bool diff = u->op == UD_ROW_MODIFY;
    const struct ud_datum *c = u->columns;
    if (!diff || c[LSP_NAME].present || c[LSP_ADDRESSES].present
        || c[LSP_DYNAMIC].present) {
        struct port_strings strs;
        size_t need = p->n_addresses + c[LSP_ADDRESSES].n + 1;
        if (need > r->n_join_room) {
            r->n_join_room = MAX(16, 2 * need);
            r->join_room = xrealloc(r->join_room,
                                    r->n_join_room * sizeof *r->join_room);
        }
        port_split(p, r->join_room, &strs);
        if (!diff || c[LSP_NAME].present) {
            strs.name = c[LSP_NAME].n ? c[LSP_NAME].keys[0] : NULL;
        }
        if (!diff || c[LSP_ADDRESSES].present) {
            apply_addresses(&strs, &c[LSP_ADDRESSES], diff);
        }
        if (!diff || c[LSP_DYNAMIC].present) {
            strs.dynamic = c[LSP_DYNAMIC].n ? c[LSP_DYNAMIC].keys[0] : NULL;
        }
        port_join(r, p, &strs);
    }
    if (!diff || c[LSP_ENABLED].present) {
        p->enabled = (!c[LSP_ENABLED].n ? -1
                      : !strcmp(c[LSP_ENABLED].keys[0], "true"));
    }
    if (!diff || c[LSP_EXTERNAL_IDS].present) {
        struct kept_key keys[] = { KEPT(NB_KEY_BGP, &p->bgp) };
        apply_map(r, &c[LSP_EXTERNAL_IDS], diff, keys, ARRAY_SIZE(keys));
    }
    if (!diff || c[LSP_OPTIONS].present) {
        struct kept_key keys[] = {
            KEPT("requested-chassis", &p->requested_chassis),
        };
        apply_map(r, &c[LSP_OPTIONS], diff, keys, ARRAY_SIZE(keys));
    }
    /* Mapped now, while the row is in the cache, rather than at the
     * commit; the route set is handed on only between messages. */
    map_port(r, p);
}

static void
lb_update(struct nb_replica *r, const struct ud_row *u,
          const struct uuid *uuid)
{
    struct lb_row *lb = find_lb(r, uuid);

    if (u->op == UD_ROW_DELETE) {
        if (lb && !lb->deleted) {
            lb->deleted = true;
            if (!lb->dirty) {
                lb->dirty = true;
                dirty_add(&r->dirty_lbs, lb);
            }
        }
        return;
    }
    if (!lb) {
        lb = xzalloc(sizeof *lb);
        smap_init(&lb->vips);
        insert_key(&r->lbs, &lb->key, uuid);
    }
    lb->deleted = false;
    lb->seen = true;
    if (!lb->dirty) {
        lb->dirty = true;
        dirty_add(&r->dirty_lbs, lb);
    }

    bool diff = u->op == UD_ROW_MODIFY;
    const struct ud_datum *c = u->columns;
    if (!diff || c[LB_NAME].present) {
        set_scalar(&lb->name, &c[LB_NAME]);
        route_set_rename_row(r->routes, &lb->routes,
                             lb->name ? lb->name : "");
    }
    if (!diff || c[LB_EXTERNAL_IDS].present) {
        struct kept_key keys[] = { KEPT(NB_KEY_BGP, &lb->bgp) };
        apply_map(r, &c[LB_EXTERNAL_IDS], diff, keys, ARRAY_SIZE(keys));
    }
    if (!diff) {
        smap_clear(&lb->vips);
    }
    const struct ud_datum *vips = &c[LB_VIPS];
    for (size_t i = 0; i < vips->n; i++) {
        const char *old = smap_get(&lb->vips, vips->keys[i]);
        if (diff && old && !strcmp(old, vips->values[i])) {
            smap_remove(&lb->vips, vips->keys[i]);
        } else {
            smap_replace(&lb->vips, vips->keys[i], vips->values[i]);
        }
    }
}

void
nb_replica_row_begin(const struct nb_replica *r, size_t table_idx,
                     const struct ud_uuid *u)
{
    /* The bucket is fetched while the row's values are decoded: with 100k
     * ports it is a cache miss, which the port's lookup at the end of the
     * row then does not wait for. */
    if (table_idx == T_PORT && r->ports_wait) {
        return;                 /* No lookup now (settle_ports()). */
    }
    const struct hmap *map = (table_idx == T_PORT ? &r->ports
                              : table_idx == T_SWITCH ? &r->switches
                              : &r->lbs);
    __builtin_prefetch(&map->buckets[u->parts[0] & map->mask]);
}

void
nb_replica_row(struct nb_replica *r, const struct ud_row *u)
{
    struct uuid uuid;

    to_uuid(&u->uuid, &uuid);
    switch (u->table_idx) {
    case T_SWITCH:
        switch_update(r, u, &uuid);
        break;
    case T_PORT:
        port_update(r, u, &uuid);
        break;
    case T_LB:
        lb_update(r, u, &uuid);
        break;
    default:
        OVS_NOT_REACHED();
    }
}

/* ---------------------------------------------------------------------
 * Commit: rows to routes. */

/* Puts what 'r->scratch' says of a row into the route set.  'skipped' is
 * whether the row was skipped for a bad value; returns whether it is now. */
static bool
apply_routes(struct nb_replica *r, struct rs_row *routes, bool skipped,
             enum rs_kind kind, const char *name)
{
    const struct nb_routes *out = &r->scratch;
    bool now = out->error || out->warning;

    if (out->error) {
        VLOG_WARN_RL(&bad_row_rl, "%s; not announced", out->error);
    } else if (out->warning) {
        VLOG_WARN_RL(&bad_row_rl, "%s; the rest is announced",
                     out->warning);
    } else if (out->nat_outgoing && out->n_prefixes) {
        VLOG_WARN_RL(&bad_row_rl, "%s %s is announced, but has "
                     "external_ids:" NB_KEY_NAT_OUTGOING "=true: return "
                     "traffic to its pods will be NATed", rs_kind_name(kind),
                     name);
    }
    r->n_skipped += (int) now - (int) skipped;
    route_set_set_row(r->routes, routes, kind, name, out->nat_outgoing,
                      out->prefixes, out->n_prefixes);
    return now;
}

/* Maps port 'p', with what it inherits as the last commit left its
 * switches (inherits_local()), into the route set. */
static void
map_port(struct nb_replica *r, struct lsp_row *p)
{
    const struct nb_map_config cfg = {
        .node_name = r->node_name,
        .announce_cluster_ip = r->announce_cluster_ip,
    };
    const bool enabled = p->enabled > 0;
    struct port_strings strs;

    if (p->n_addresses > r->n_room) {
        r->n_room = MAX(16, 2 * p->n_addresses);
        r->room = xrealloc(r->room, r->n_room * sizeof *r->room);
    }
    port_split(p, r->room, &strs);
    const struct nb_port_in in = {
        .name = strs.name ? strs.name : "",
        .addresses = strs.addresses,
        .n_addresses = strs.n_addresses,
        .dynamic_addresses = strs.dynamic,
        .enabled = p->enabled < 0 ? NULL : &enabled,
        .bgp = p->bgp,
        .requested_chassis = p->requested_chassis,
    };
    nb_map_port(&in, inherits_local(p) ? NB_POLICY_LOCAL : NB_POLICY_NONE,
                &cfg, &r->scratch);
    p->skipped = apply_routes(r, &p->routes, p->skipped, RS_POD, in.name);
}

/* A row gone: its routes go too.  Returns its new 'skipped'. */
static bool
forget_routes(struct nb_replica *r, struct rs_row *routes, bool skipped)
{
    route_set_remove_row(r->routes, routes);
    r->n_skipped -= skipped;
    return false;
}

static void
free_switch(struct nb_replica *r, struct ls_row *ls)
{
    route_set_remove_row(r->routes, &ls->routes);
    hmap_remove(&r->switches, &ls->key.node);
    free(ls->name);
    free(ls->ports);
    unintern(r, ls->bgp);
    unintern(r, ls->cidr);
    unintern(r, ls->nat_outgoing);
    unintern(r, ls->subnet);
    unintern(r, ls->ipv6_prefix);
    free(ls);
}

static void
free_port(struct nb_replica *r, struct lsp_row *p)
{
    route_set_remove_row(r->routes, &p->routes);
    hmap_remove(&r->ports, &p->key.node);
    free(p->strings);
    unintern(r, p->bgp);
    unintern(r, p->requested_chassis);
    port_clear_parents(p);
    free(p);
}

/* Port 'p', which waited, has the uuid of port 'old', already in 'ports':
 * a server that sent one row twice in a snapshot, or a member of a "local"
 * switch looked up before its row came.  The later row takes the other's
 * place, and its memberships. */
static void
replace_port(struct nb_replica *r, struct lsp_row *old, struct lsp_row *p)
{
    if (old->has_row) {
        /* Not just a "local" switch's member, made before its row came. */
        VLOG_WARN_RL(&bad_row_rl, "logical switch port "UUID_FMT" came "
                     "twice in one snapshot: the later row wins",
                     UUID_ARGS(&p->key.uuid));
    }
    hmap_replace(&r->ports, &old->key.node, &p->key.node);
    p->parents = old->parents;
    p->n_parents = old->n_parents;
    old->n_parents = 0;
    if (old->dirty) {
        for (size_t i = 0; i < r->dirty_ports.n; i++) {
            if (r->dirty_ports.rows[i] == old) {
                r->dirty_ports.rows[i] = p;
            }
        }
        p->dirty = true;
    }
    if (p->n_parents) {
        /* Mapped as it came, with no parents. */
        mark_port(r, p);
    }
    if (old->has_row) {
        r->n_ports_with_row--;
    }
    r->n_skipped -= old->skipped;
    route_set_remove_row(r->routes, &old->routes);
    free(old->strings);
    unintern(r, old->bgp);
    unintern(r, old->requested_chassis);
    free(old);
}

/* Puts the waiting ports into 'ports'.  As for the route set's waiting
 * prefixes (route-set.c, settle()): the snapshot's 100k ports, looked up
 * one by one as they come, cost a cache miss or two each; sorted by bucket
 * into a map reserved for them all, the buckets are walked in order. */
static void
settle_ports(struct nb_replica *r)
{
    size_t n = r->n_waiting_ports;
    if (!n) {
        return;
    }
    struct waiting_port *w = r->waiting_ports;
    r->n_waiting_ports = 0;

    hmap_reserve(&r->ports, 4 * (hmap_count(&r->ports) + n));
    struct waiting_port *tmp = xmalloc(n * sizeof *tmp);
    hmap_sort_by_bucket(w, tmp, n, sizeof *w,
                        offsetof(struct waiting_port, hash), r->ports.mask);
    free(tmp);

    for (size_t i = 0; i < n; i++) {
        if (i + 16 < n) {
            __builtin_prefetch(w[i + 16].p);
        }
        struct lsp_row *p = w[i].p;
        struct row_key *k = find_key(&r->ports, &p->key.uuid);
        if (k) {
            replace_port(r, CONTAINER_OF(k, struct lsp_row, key), p);
        } else {
            hmap_insert(&r->ports, &p->key.node, w[i].hash);
        }
    }
    /* A snapshot's worth: not kept for the next. */
    free(r->waiting_ports);
    r->waiting_ports = NULL;
    r->allocated_waiting_ports = 0;
}

static void
free_lb(struct nb_replica *r, struct lb_row *lb)
{
    route_set_remove_row(r->routes, &lb->routes);
    hmap_remove(&r->lbs, &lb->key.node);
    free(lb->name);
    unintern(r, lb->bgp);
    smap_destroy(&lb->vips);
    free(lb);
}

/* After a snapshot: whatever it did not mention is gone. */
static void
sweep(struct nb_replica *r)
{
    struct ls_row *ls;
    HMAP_FOR_EACH (ls, key.node, &r->switches) {
        if (!ls->seen && !ls->deleted) {
            ls->deleted = true;
            if (!ls->dirty) {
                ls->dirty = true;
                dirty_add(&r->dirty_switches, ls);
            }
        }
    }
    struct lsp_row *p;
    HMAP_FOR_EACH (p, key.node, &r->ports) {
        if (p->has_row && !p->seen) {
            p->has_row = false;
            r->n_ports_with_row--;
            mark_port(r, p);
        }
    }
    struct lb_row *lb;
    HMAP_FOR_EACH (lb, key.node, &r->lbs) {
        if (!lb->seen && !lb->deleted) {
            lb->deleted = true;
            if (!lb->dirty) {
                lb->dirty = true;
                dirty_add(&r->dirty_lbs, lb);
            }
        }
    }
}

static void
commit_switches(struct nb_replica *r)
{
    for (size_t i = 0; i < r->dirty_switches.n; i++) {
        struct ls_row *ls = r->dirty_switches.rows[i];
        bool local = false;

        ls->dirty = false;
        if (ls->deleted) {
            ls->skipped = forget_routes(r, &ls->routes, ls->skipped);
            if (ls->local) {
                unlink_local(r, ls);
            }
            free_switch(r, ls);
            continue;
        }
        const struct nb_switch_in in = {
            .name = ls->name ? ls->name : "",
            .bgp = ls->bgp,
            .cidr = ls->cidr,
            .nat_outgoing = ls->nat_outgoing,
            .subnet = ls->subnet,
            .ipv6_prefix = ls->ipv6_prefix,
        };
        nb_map_switch(&in, &r->scratch);
        ls->skipped = apply_routes(r, &ls->routes, ls->skipped, RS_SUBNET,
                                   in.name);
        local = r->scratch.policy == NB_POLICY_LOCAL;
        if (local != ls->local) {
            /* Its ports learn or forget it, and are mapped again below. */
            ls->local = local;
            if (local) {
                link_local(r, ls);
            } else {
                unlink_local(r, ls);
            }
        }
    }
    dirty_clear(&r->dirty_switches);
}

static void
commit_ports(struct nb_replica *r)
{
    for (size_t i = 0; i < r->dirty_ports.n; i++) {
        struct lsp_row *p = r->dirty_ports.rows[i];

        p->dirty = false;
        if (!p->has_row) {
            p->skipped = forget_routes(r, &p->routes, p->skipped);
            if (!p->n_parents) {
                free_port(r, p);
            }
            continue;
        }
        map_port(r, p);
    }
    dirty_clear(&r->dirty_ports);
}

static void
commit_lbs(struct nb_replica *r)
{
    const struct nb_map_config cfg = {
        .node_name = r->node_name,
        .announce_cluster_ip = r->announce_cluster_ip,
    };

    for (size_t i = 0; i < r->dirty_lbs.n; i++) {
        struct lb_row *lb = r->dirty_lbs.rows[i];

        lb->dirty = false;
        if (lb->deleted) {
            lb->skipped = forget_routes(r, &lb->routes, lb->skipped);
            free_lb(r, lb);
            continue;
        }
        const struct nb_lb_in in = {
            .name = lb->name ? lb->name : "",
            .bgp = lb->bgp,
            .vips = &lb->vips,
        };
        nb_map_lb(&in, &cfg, &r->scratch);
        lb->skipped = apply_routes(r, &lb->routes, lb->skipped, RS_SERVICE,
                                   in.name);
    }
    dirty_clear(&r->dirty_lbs);
}

void
nb_replica_commit(struct nb_replica *r)
{
    settle_ports(r);
    r->ports_wait = false;
    if (r->in_snapshot) {
        if (r->had_rows) {
            sweep(r);
        }
        r->in_snapshot = false;
    }
    /* Switches first: their policy is what ports inherit. */
    commit_switches(r);
    commit_ports(r);
    commit_lbs(r);
}

void
nb_replica_begin_snapshot(struct nb_replica *r)
{
    /* A snapshot cut short and begun again: its ports so far are in. */
    settle_ports(r);
    r->in_snapshot = true;
    r->ports_wait = hmap_is_empty(&r->ports);
    /* The first snapshot, into an empty replica, has nothing to sweep:
     * 100k ports not walked again. */
    r->had_rows = (!hmap_is_empty(&r->switches) || !hmap_is_empty(&r->ports)
                   || !hmap_is_empty(&r->lbs));

    /* Nothing is seen yet, and the snapshot's switches list their ports
     * afresh.  (A snapshot cut short and begun again starts here again.) */
    struct ls_row *ls;
    HMAP_FOR_EACH (ls, key.node, &r->switches) {
        ls->seen = false;
    }
    struct lb_row *lb;
    HMAP_FOR_EACH (lb, key.node, &r->lbs) {
        lb->seen = false;
    }
    struct lsp_row *p;
    HMAP_FOR_EACH (p, key.node, &r->ports) {
        p->seen = false;
        if (p->n_parents) {
            port_clear_parents(p);
            mark_port(r, p);
        }
    }
}

struct nb_replica *
nb_replica_create(const struct nb_replica_options *opts,
                  struct route_set *routes)
{
    struct nb_replica *r = xzalloc(sizeof *r);

    r->node_name = xstrdup(opts->node_name ? opts->node_name : "");
    r->announce_cluster_ip = opts->announce_cluster_ip;
    r->routes = routes;
    hmap_init(&r->switches);
    hmap_init(&r->ports);
    hmap_init(&r->lbs);
    hmap_init(&r->strings);
    nb_routes_init(&r->scratch);
    return r;
}

void
nb_replica_destroy(struct nb_replica *r)
{
    if (!r) {
        return;
    }
    settle_ports(r);
    /* Released first, the rows' routes are no longer in the set, and
     * freeing the rows looks nothing up. */
    struct ls_row *ls;
    HMAP_FOR_EACH_SAFE (ls, key.node, &r->switches) {
        route_set_release_row(r->routes, &ls->routes);
        free_switch(r, ls);
    }
    struct lsp_row *p;
    HMAP_FOR_EACH_SAFE (p, key.node, &r->ports) {
        route_set_release_row(r->routes, &p->routes);
        free_port(r, p);
    }
    struct lb_row *lb;
    HMAP_FOR_EACH_SAFE (lb, key.node, &r->lbs) {
        route_set_release_row(r->routes, &lb->routes);
        free_lb(r, lb);
    }
    hmap_destroy(&r->switches);
    hmap_destroy(&r->ports);
    hmap_destroy(&r->lbs);
    ovs_assert(hmap_is_empty(&r->strings));
    hmap_destroy(&r->strings);
    free(r->dirty_switches.rows);
    free(r->dirty_ports.rows);
    free(r->waiting_ports);
    free(r->dirty_lbs.rows);
    nb_routes_destroy(&r->scratch);
    free(r->room);
    free(r->join_room);
    free(r->node_name);
    free(r);
}

void
nb_replica_get_counts(const struct nb_replica *r,
                      struct nb_replica_counts *c)
{
    c->n_switches = hmap_count(&r->switches);
    c->n_ports = r->n_ports_with_row;
    c->n_load_balancers = hmap_count(&r->lbs);
    c->n_skipped = r->n_skipped;
}
