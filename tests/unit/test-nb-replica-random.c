/*
 * A randomized differential test of ovsdb/nb-replica.c (and the route set
 * and update decoder under it).
 *
 * A small model of the NB database (a few switches, ports and load
 * balancers) changes at random, one transaction at a time; each
 * transaction goes out as the "update2" message an ovsdb-server would send
 * (rows and tables in random order, whole rows with or without their
 * default columns, differences as RFC 7047bis says), fed to the decoder in
 * random chunks.  Now and then a message is cut short (the connection
 * drops: rows applied, no commit), transactions are lost while
 * "disconnected", and a new snapshot (itself perhaps cut short, any number
 * of times) follows.  After every commit the route set must equal the
 * mapping of the model from scratch (nb-map.h), prefix by prefix and row
 * by row, the counts must agree, and the changes taken (now and then) must
 * carry a consumer's copy to the same set.
 *
 * Usage: test-nb-replica-random [SEED [STEPS [MODE]]]
 *   MODE 0: realistic (a port exists iff some switch lists it, as OVSDB's
 *           garbage collection and strong references make it);
 *   MODE 1: loose (switches may list missing ports, ports may be unlisted).
 * With no arguments: a fixed set of seeds in both modes.
 */
#include <config.h>

/* White box: the replica itself, for the invariants of its own structures
 * (see check_internals()). */
#include "ovsdb/nb-replica.c"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "ovsdb/nb-map.h"
#include "ovsdb/nb-replica.h"
#include "ovsdb/route-set.h"
#include "ovsdb/update-decoder.h"
#include "smap.h"
#include "sset.h"
#include "util.h"

#define NS 4
#define NP 8
#define NL 2

/* ---------------------------------------------------------------------
 * Randomness. */

static uint64_t rng_state;

static uint32_t
rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state >> 16;
}

static int
pick(int n)
{
    return rnd() % n;
}

static bool
chance(int percent)
{
    return pick(100) < percent;
}

/* ---------------------------------------------------------------------
 * Value pools (index 0: absent, where absence is possible). */

static const char *const sw_bgp[] = { NULL, "true", "local", "local",
                                      "false", "bogus", "", "cluster" };
static const char *const sw_cidr[] = { NULL, NULL, "10.1.0.0/16",
                                       "10.1.0.0/16,fd00:1::/64",
                                       "10.2.0.0/16", "10.9.0.1/16" };
static const char *const sw_subnet[] = { NULL, "10.1.0.0/16",
                                         "10.3.0.0/16" };
static const char *const sw_v6[] = { NULL, "fd00:1::", "fd00:3::/64" };
static const char *const sw_nat[] = { NULL, "true", "false" };
static const char *const noise[] = { NULL, "a", "b" };

static const char *const p_addrs[] = {
    "0a:00:00:00:00:01 10.0.0.1",
    "0a:00:00:00:00:02 10.0.0.2 fd00::2",
    "0a:00:00:00:00:03 dynamic",
    "router",
    "0a:00:00:00:00:04 10.0.0.1",
    "0a:00:00:00:00:06 10.1.0.6",
    "unknown",
    "0a:00:00:00:00:05 10.0.0.300",
};
#define N_ADDRS ARRAY_SIZE(p_addrs)
static const char *const p_dyn[] = { NULL, "0a:00:00:00:00:03 10.0.0.3",
                                     "0a:00:00:00:00:03 10.0.0.1 fd00::3" };
static const char *const p_bgp[] = { NULL, NULL, "true", "local", "false",
                                     "", "bogus", "cluster" };
static const char *const p_chassis[] = { NULL, "node-a", "node-b",
                                         "node-b,node-a" };

static const char *const lb_bgp[] = { NULL, "true", "false", "local" };
static const char *const vip_keys[] = { "10.96.0.1:443", "10.96.0.2",
                                        "[fd00::a]:80", "10.96.0.1:80",
                                        "10.0.0.1", "bad" };
#define N_VIPS ARRAY_SIZE(vip_keys)
/* The most keys a model map has (a switch's external_ids: 4). */
#define MAX_KV (N_VIPS > 4 ? N_VIPS : 4)
static const char *const vip_values[] = { NULL, "10.0.0.1:1",
                                          "10.0.0.2:2" };

/* ---------------------------------------------------------------------
 * The model. */

struct msw {
    bool exists;
    int name, bgp, cidr, subnet, v6, nat, noise;
    uint32_t ports;             /* Bit i: lists port i. */
};

struct mport {
    bool exists;
    int name;
    uint32_t addrs;             /* Bit i: p_addrs[i]. */
    int dyn, enabled;           /* enabled: 0 unset, 1 false, 2 true. */
    int bgp, chassis, noise;
};

struct mlb {
    bool exists;
    int name, bgp;
    int vips[N_VIPS];           /* Index into vip_values. */
};

struct model {
    struct msw sw[NS];
    struct mport port[NP];
    struct mlb lb[NL];
};

static int mode;                /* 0 realistic, 1 loose. */

static void
random_switch(struct msw *s)
{
    s->exists = true;
    s->name = pick(3);
    s->bgp = pick(ARRAY_SIZE(sw_bgp));
    s->cidr = pick(ARRAY_SIZE(sw_cidr));
    s->subnet = pick(ARRAY_SIZE(sw_subnet));
    s->v6 = pick(ARRAY_SIZE(sw_v6));
    s->nat = pick(ARRAY_SIZE(sw_nat));
    s->noise = pick(ARRAY_SIZE(noise));
    s->ports = 0;
}

static uint32_t
random_addrs(void)
{
    uint32_t a = 0;
    int n = pick(3);
    for (int i = 0; i < n; i++) {
        /* The bad one rarely. */
        a |= 1u << pick(chance(90) ? N_ADDRS - 1 : N_ADDRS);
    }
    return a;
}

static void
random_port(struct mport *p)
{
    p->exists = true;
    p->name = pick(3);
    p->addrs = random_addrs();
    p->dyn = pick(ARRAY_SIZE(p_dyn));
    p->enabled = pick(3);
    p->bgp = pick(ARRAY_SIZE(p_bgp));
    p->chassis = pick(ARRAY_SIZE(p_chassis));
    p->noise = pick(ARRAY_SIZE(noise));
}

static void
random_lb(struct mlb *lb)
{
    lb->exists = true;
    lb->name = pick(2);
    lb->bgp = pick(ARRAY_SIZE(lb_bgp));
    for (size_t i = 0; i < N_VIPS; i++) {
        lb->vips[i] = chance(30) ? pick(ARRAY_SIZE(vip_values)) : 0;
    }
}

/* OVSDB's garbage collection and strong references, in realistic mode. */
static void
normalize(struct model *m)
{
    uint32_t listed = 0;
    for (int i = 0; i < NS; i++) {
        if (!m->sw[i].exists) {
            m->sw[i].ports = 0;
        }
        listed |= m->sw[i].ports;
    }
    if (mode == 1) {
        return;
    }
    for (int i = 0; i < NP; i++) {
        bool want = listed & (1u << i);
        if (want && !m->port[i].exists) {
            random_port(&m->port[i]);
        } else if (!want) {
            m->port[i].exists = false;
        }
    }
}

static void
mutate(struct model *m)
{
    int n = 1 + pick(4);
    for (int k = 0; k < n; k++) {
        int s = pick(NS), p = pick(NP), l = pick(NL);
        struct msw *sw = &m->sw[s];
        struct mport *pt = &m->port[p];
        switch (pick(16)) {
        case 0:                 /* A switch comes or goes. */
            if (sw->exists) {
                sw->exists = false;
            } else {
                random_switch(sw);
                for (int i = 0; i < NP; i++) {
                    if (chance(25)) {
                        sw->ports |= 1u << i;
                    }
                }
            }
            break;
        case 1:
        case 2:                 /* Its policy. */
            if (sw->exists) {
                sw->bgp = pick(ARRAY_SIZE(sw_bgp));
            }
            break;
        case 3:                 /* Its other values. */
            if (sw->exists) {
                switch (pick(6)) {
                case 0: sw->name = pick(3); break;
                case 1: sw->cidr = pick(ARRAY_SIZE(sw_cidr)); break;
                case 2: sw->subnet = pick(ARRAY_SIZE(sw_subnet)); break;
                case 3: sw->v6 = pick(ARRAY_SIZE(sw_v6)); break;
                case 4: sw->nat = pick(ARRAY_SIZE(sw_nat)); break;
                case 5: sw->noise = pick(ARRAY_SIZE(noise)); break;
                }
            }
            break;
        case 4:
        case 5:                 /* A port joins or leaves a switch. */
            if (sw->exists) {
                sw->ports ^= 1u << p;
            }
            break;
        case 6: {               /* A port moves. */
            int t = pick(NS);
            if (sw->exists && m->sw[t].exists && (sw->ports & (1u << p))) {
                sw->ports &= ~(1u << p);
                m->sw[t].ports |= 1u << p;
            }
            break;
        }
        case 7:                 /* A port comes or goes. */
            if (pt->exists) {
                pt->exists = false;
                for (int i = 0; i < NS; i++) {
                    if (mode == 0 || chance(50)) {
                        m->sw[i].ports &= ~(1u << p);
                    }
                }
            } else {
                random_port(pt);
                if (sw->exists && (mode == 0 || chance(70))) {
                    sw->ports |= 1u << p;
                }
            }
            break;
        case 8:
        case 9:
        case 10:                /* A port's values. */
            if (pt->exists) {
                switch (pick(8)) {
                case 0: pt->name = pick(3); break;
                case 1: pt->addrs ^= 1u << pick(N_ADDRS - 1); break;
                case 2: pt->addrs = random_addrs(); break;
                case 3: pt->dyn = pick(ARRAY_SIZE(p_dyn)); break;
                case 4: pt->enabled = pick(3); break;
                case 5: pt->bgp = pick(ARRAY_SIZE(p_bgp)); break;
                case 6: pt->chassis = pick(ARRAY_SIZE(p_chassis)); break;
                case 7: pt->noise = pick(ARRAY_SIZE(noise)); break;
                }
            }
            break;
        case 11:                /* A port's policy. */
            if (pt->exists) {
                pt->bgp = pick(ARRAY_SIZE(p_bgp));
            }
            break;
        case 12:                /* A load balancer comes or goes. */
            if (m->lb[l].exists) {
                m->lb[l].exists = false;
            } else {
                random_lb(&m->lb[l]);
            }
            break;
        case 13:
            if (m->lb[l].exists) {
                if (chance(30)) {
                    m->lb[l].bgp = pick(ARRAY_SIZE(lb_bgp));
                } else if (chance(20)) {
                    m->lb[l].name = pick(2);
                } else {
                    m->lb[l].vips[pick(N_VIPS)]
                        = pick(ARRAY_SIZE(vip_values));
                }
            }
            break;
        case 14:                /* Several switches turn local at once. */
            for (int i = 0; i < NS; i++) {
                if (m->sw[i].exists && chance(50)) {
                    m->sw[i].bgp = chance(50) ? 2 : pick(ARRAY_SIZE(sw_bgp));
                }
            }
            break;
        case 15:                /* A port listed by a second switch. */
            if (sw->exists) {
                sw->ports |= 1u << p;
            }
            break;
        }
    }
    normalize(m);
}

/* ---------------------------------------------------------------------
 * Names. */

static void
sw_uuid(int i, char out[37])
{
    snprintf(out, 37, "0000000%d-1111-2222-3333-%012x", 1, 0xa0 + i);
}

static void
port_uuid(int i, char out[37])
{
    /* Some share their first word (the hash) with others. */
    snprintf(out, 37, "%08x-1111-2222-3333-%012x", 0x11 + i % 3, 0xb0 + i);
}

static void
lb_uuid(int i, char out[37])
{
    snprintf(out, 37, "0000002%d-1111-2222-3333-%012x", 1, 0xc0 + i);
}

static void
sw_name(int i, const struct msw *s, char out[16])
{
    snprintf(out, 16, "s%d.%d", i, s->name);
}

static void
port_name(int i, const struct mport *p, char out[16])
{
    snprintf(out, 16, "p%d.%d", i, p->name);
}

static void
lb_name(int i, const struct mlb *lb, char out[16])
{
    snprintf(out, 16, "l%d.%d", i, lb->name);
}

/* ---------------------------------------------------------------------
 * JSON. */

static void
put_str(struct ds *s, const char *v)
{
    ds_put_char(s, '"');
    for (const char *c = v; *c; c++) {
        if (*c == '"' || *c == '\\') {
            ds_put_char(s, '\\');
        }
        ds_put_char(s, *c);
    }
    ds_put_char(s, '"');
}

static void
put_uuid_atom(struct ds *s, const char *u)
{
    ds_put_format(s, "[\"uuid\",\"%s\"]", u);
}

/* A set of string atoms (or uuids), bare if single and the coin says so. */
static void
put_set(struct ds *s, const char *const *atoms, size_t n, bool uuids)
{
    if (n == 1 && chance(50)) {
        if (uuids) {
            put_uuid_atom(s, atoms[0]);
        } else {
            put_str(s, atoms[0]);
        }
        return;
    }
    ds_put_cstr(s, "[\"set\",[");
    for (size_t i = 0; i < n; i++) {
        if (i) {
            ds_put_char(s, ',');
        }
        if (uuids) {
            put_uuid_atom(s, atoms[i]);
        } else {
            put_str(s, atoms[i]);
        }
    }
    ds_put_cstr(s, "]]");
}

struct kv {
    const char *k, *v;
};

/* Puts the 'n' elements of 'size' bytes at 'a' in a random order. */
static void
shuffle(void *a_, size_t n, size_t size)
{
    char *a = a_;
    char t[64];

    ovs_assert(size <= sizeof t);
    for (size_t i = n; i > 1; i--) {
        size_t j = pick(i);
        memcpy(t, a + (i - 1) * size, size);
        memcpy(a + (i - 1) * size, a + j * size, size);
        memcpy(a + j * size, t, size);
    }
}

static void
put_map(struct ds *s, struct kv *kv, size_t n)
{
    shuffle(kv, n, sizeof *kv);
    ds_put_cstr(s, "[\"map\",[");
    for (size_t i = 0; i < n; i++) {
        if (i) {
            ds_put_char(s, ',');
        }
        ds_put_char(s, '[');
        put_str(s, kv[i].k);
        ds_put_char(s, ',');
        put_str(s, kv[i].v);
        ds_put_char(s, ']');
    }
    ds_put_cstr(s, "]]");
}

/* A map's difference from 'a' to 'b' (keys absent have NULL values). */
static size_t
map_diff(const struct kv *a, const struct kv *b, size_t n, struct kv *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const char *x = a[i].v, *y = b[i].v;
        if (x && !y) {
            out[m++] = (struct kv) { a[i].k, x };
        } else if (y && (!x || strcmp(x, y))) {
            out[m++] = (struct kv) { b[i].k, y };
        }
    }
    return m;
}

static size_t
compact_kv(const struct kv *in, size_t n, struct kv *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i].v) {
            out[m++] = in[i];
        }
    }
    return m;
}

/* Members: one column in a row object. */
struct cols {
    struct ds *s;
    bool any;
};

static void
col_begin(struct cols *c, const char *name)
{
    ds_put_format(c->s, "%s\"%s\":", c->any ? "," : "", name);
    c->any = true;
}

/* Column 'name' of a whole row: the map of the keys of 'kv' that have a
 * value (left out when empty, if 'omit'). */
static void
put_map_col(struct cols *c, const char *name, const struct kv *kv, size_t n,
            bool omit)
{
    struct kv tmp[MAX_KV];
    ovs_assert(n <= MAX_KV);
    size_t m = compact_kv(kv, n, tmp);
    if (m || !omit) {
        col_begin(c, name);
        put_map(c->s, tmp, m);
    }
}

/* Column 'name' of a "modify": the difference from map 'a' to map 'b', if
 * there is one. */
static void
put_map_diff_col(struct cols *c, const char *name, const struct kv *a,
                 const struct kv *b, size_t n)
{
    struct kv tmp[MAX_KV];
    ovs_assert(n <= MAX_KV);
    size_t m = map_diff(a, b, n, tmp);
    if (m) {
        col_begin(c, name);
        put_map(c->s, tmp, m);
    }
}

static void
sw_maps(const struct msw *s, struct kv ext[4], struct kv oc[2])
{
    ext[0] = (struct kv) { NB_KEY_BGP, s->bgp ? sw_bgp[s->bgp] : NULL };
    ext[1] = (struct kv) { NB_KEY_CIDR, sw_cidr[s->cidr] };
    ext[2] = (struct kv) { NB_KEY_NAT_OUTGOING, sw_nat[s->nat] };
    ext[3] = (struct kv) { "noise", noise[s->noise] };
    oc[0] = (struct kv) { "subnet", sw_subnet[s->subnet] };
    oc[1] = (struct kv) { "ipv6_prefix", sw_v6[s->v6] };
}

static size_t
sw_port_list(uint32_t ports, char uuids[NP][37], const char *atoms[NP])
{
    size_t n = 0;
    for (int i = 0; i < NP; i++) {
        if (ports & (1u << i)) {
            port_uuid(i, uuids[n]);
            atoms[n] = uuids[n];
            n++;
        }
    }
    shuffle(atoms, n, sizeof *atoms);   /* Any order. */
    return n;
}

/* The columns of a switch row: whole (a == NULL) or the difference a->b. */
static void
put_switch(struct ds *s, int idx, const struct msw *a, const struct msw *b)
{
    struct cols c = { s, false };
    struct kv ea[4], eb[4], oa[2], ob[2];
    char name_a[16], name_b[16];
    char uuids[NP][37];
    const char *atoms[NP];
    bool omit = chance(50);
    size_t n;

    sw_maps(b, eb, ob);
    sw_name(idx, b, name_b);
    if (!a) {
        col_begin(&c, "name");
        put_str(s, name_b);
        n = sw_port_list(b->ports, uuids, atoms);
        if (n || !omit) {
            col_begin(&c, "ports");
            put_set(s, atoms, n, true);
        }
        put_map_col(&c, "external_ids", eb, 4, omit);
        put_map_col(&c, "other_config", ob, 2, omit);
        return;
    }
    sw_maps(a, ea, oa);
    sw_name(idx, a, name_a);
    if (strcmp(name_a, name_b)) {
        col_begin(&c, "name");
        put_str(s, name_b);
    }
    n = sw_port_list(a->ports ^ b->ports, uuids, atoms);
    if (n) {
        col_begin(&c, "ports");
        put_set(s, atoms, n, true);
    }
    put_map_diff_col(&c, "external_ids", ea, eb, 4);
    put_map_diff_col(&c, "other_config", oa, ob, 2);
}

static size_t
port_addr_list(uint32_t addrs, const char *atoms[N_ADDRS])
{
    size_t n = 0;
    for (size_t i = 0; i < N_ADDRS; i++) {
        if (addrs & (1u << i)) {
            atoms[n++] = p_addrs[i];
        }
    }
    shuffle(atoms, n, sizeof *atoms);
    return n;
}

static void
port_maps(const struct mport *p, struct kv ext[2], struct kv opt[1])
{
    ext[0] = (struct kv) { NB_KEY_BGP, p_bgp[p->bgp] };
    ext[1] = (struct kv) { "pod", noise[p->noise] };
    opt[0] = (struct kv) { "requested-chassis", p_chassis[p->chassis] };
}

static void
put_enabled(struct ds *s, int enabled)
{
    if (!enabled) {
        ds_put_cstr(s, "[\"set\",[]]");
    } else {
        ds_put_cstr(s, enabled == 2 ? "true" : "false");
    }
}

static void
put_optional_str(struct ds *s, const char *v)
{
    if (!v) {
        ds_put_cstr(s, "[\"set\",[]]");
    } else if (chance(70)) {
        put_str(s, v);
    } else {
        ds_put_cstr(s, "[\"set\",[");
        put_str(s, v);
        ds_put_cstr(s, "]]");
    }
}

static void
put_port(struct ds *s, int idx, const struct mport *a, const struct mport *b)
{
    struct cols c = { s, false };
    struct kv ea[2], eb[2], oa[1], ob[1];
    char name_a[16], name_b[16];
    const char *atoms[N_ADDRS];
    bool omit = chance(50);
    size_t n;

    port_maps(b, eb, ob);
    port_name(idx, b, name_b);
    if (!a) {
        col_begin(&c, "name");
        put_str(s, name_b);
        n = port_addr_list(b->addrs, atoms);
        if (n || !omit) {
            col_begin(&c, "addresses");
            put_set(s, atoms, n, false);
        }
        if (p_dyn[b->dyn] || !omit) {
            col_begin(&c, "dynamic_addresses");
            put_optional_str(s, p_dyn[b->dyn]);
        }
        if (b->enabled || !omit) {
            col_begin(&c, "enabled");
            put_enabled(s, b->enabled);
        }
        put_map_col(&c, "external_ids", eb, 2, omit);
        put_map_col(&c, "options", ob, 1, omit);
        return;
    }
    port_maps(a, ea, oa);
    port_name(idx, a, name_a);
    if (strcmp(name_a, name_b)) {
        col_begin(&c, "name");
        put_str(s, name_b);
    }
    n = port_addr_list(a->addrs ^ b->addrs, atoms);
    if (n) {
        col_begin(&c, "addresses");
        put_set(s, atoms, n, false);
    }
    if (a->dyn != b->dyn) {
        col_begin(&c, "dynamic_addresses");
        put_optional_str(s, p_dyn[b->dyn]);
    }
    if (a->enabled != b->enabled) {
        col_begin(&c, "enabled");
        put_enabled(s, b->enabled);
    }
    put_map_diff_col(&c, "external_ids", ea, eb, 2);
    put_map_diff_col(&c, "options", oa, ob, 1);
}

static void
lb_maps(const struct mlb *lb, struct kv ext[1], struct kv vips[N_VIPS])
{
    ext[0] = (struct kv) { NB_KEY_BGP, lb_bgp[lb->bgp] };
    for (size_t i = 0; i < N_VIPS; i++) {
        vips[i] = (struct kv) { vip_keys[i], vip_values[lb->vips[i]] };
    }
}

static void
put_lb(struct ds *s, int idx, const struct mlb *a, const struct mlb *b)
{
    struct cols c = { s, false };
    struct kv ea[1], eb[1], va[N_VIPS], vb[N_VIPS];
    char name_a[16], name_b[16];
    bool omit = chance(50);

    lb_maps(b, eb, vb);
    lb_name(idx, b, name_b);
    if (!a) {
        col_begin(&c, "name");
        put_str(s, name_b);
        put_map_col(&c, "vips", vb, N_VIPS, omit);
        put_map_col(&c, "external_ids", eb, 1, omit);
        return;
    }
    lb_maps(a, ea, va);
    lb_name(idx, a, name_a);
    if (strcmp(name_a, name_b)) {
        col_begin(&c, "name");
        put_str(s, name_b);
    }
    put_map_diff_col(&c, "vips", va, vb, N_VIPS);
    put_map_diff_col(&c, "external_ids", ea, eb, 1);
}

/* Row 'i' of table 'table' (0 switches, 1 ports, 2 load balancers): whole
 * as in 'new' if 'old' is NULL, else its difference from 'old' (empty if
 * none). */
static void
put_row(struct ds *s, int table, int i, const struct model *old,
        const struct model *new)
{
    if (table == 0) {
        put_switch(s, i, old ? &old->sw[i] : NULL, &new->sw[i]);
    } else if (table == 1) {
        put_port(s, i, old ? &old->port[i] : NULL, &new->port[i]);
    } else {
        put_lb(s, i, old ? &old->lb[i] : NULL, &new->lb[i]);
    }
}

/* The <table-updates2> object that takes 'old' to 'new' ('old' NULL: a
 * snapshot of 'new'). */
static void
put_updates(struct ds *s, const struct model *old, const struct model *new)
{
    int order[3] = { 0, 1, 2 };
    bool first_table = true;

    shuffle(order, 3, sizeof *order);
    ds_put_char(s, '{');
    for (int t = 0; t < 3; t++) {
        int table = order[t];
        int n = table == 0 ? NS : table == 1 ? NP : NL;
        int rows[NP];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        shuffle(rows, n, sizeof *rows);

        struct ds tbl = DS_EMPTY_INITIALIZER;
        bool any = false;
        for (int k = 0; k < n; k++) {
            int i = rows[k];
            char uuid[37];
            bool was, is;
            if (table == 0) {
                sw_uuid(i, uuid);
                was = old && old->sw[i].exists;
                is = new->sw[i].exists;
            } else if (table == 1) {
                port_uuid(i, uuid);
                was = old && old->port[i].exists;
                is = new->port[i].exists;
            } else {
                lb_uuid(i, uuid);
                was = old && old->lb[i].exists;
                is = new->lb[i].exists;
            }
            const char *op;
            if (!was && !is) {
                continue;
            } else if (was && !is) {
                op = "delete";
            } else if (!was) {
                op = old ? "insert" : "initial";
            } else {
                struct ds diff = DS_EMPTY_INITIALIZER;
                put_row(&diff, table, i, old, new);
                bool differs = diff.length > 0;
                ds_destroy(&diff);
                if (!differs) {
                    continue;
                }
                op = "modify";
                if (mode == 1 && chance(5)) {
                    /* Not what a server sends, but what a decoder reads:
                     * the row deleted, then inserted again with the same
                     * uuid, in one message. */
                    ds_put_format(&tbl, "%s\"%s\":{\"delete\":null}",
                                  any ? "," : "", uuid);
                    any = true;
                    op = "insert";
                }
            }
            ds_put_format(&tbl, "%s\"%s\":{\"%s\":", any ? "," : "", uuid,
                          op);
            any = true;
            if (!strcmp(op, "delete")) {
                ds_put_cstr(&tbl, "null}");
                continue;
            }
            ds_put_char(&tbl, '{');
            bool whole = strcmp(op, "modify");
            put_row(&tbl, table, i, whole ? NULL : old, new);
            ds_put_cstr(&tbl, "}}");
        }
        if (any || (!old && chance(20))) {
            static const char *const names[] = {
                "Logical_Switch", "Logical_Switch_Port", "Load_Balancer"
            };
            ds_put_format(s, "%s\"%s\":{%s}", first_table ? "" : ",",
                          names[table], ds_cstr(&tbl));
            first_table = false;
        }
        ds_destroy(&tbl);
    }
    ds_put_char(s, '}');
}

/* ---------------------------------------------------------------------
 * Expected routes, from scratch. */

struct pair {
    struct nb_prefix prefix;
    char label[64];
};

struct expected {
    struct pair *pairs;
    size_t n, cap;
    size_t n_skipped;
};

static void
expect_rows(struct expected *e, const struct nb_routes *out,
            const char *kind, const char *name)
{
    if (out->error) {
        e->n_skipped++;
    }
    for (size_t i = 0; i < out->n_prefixes; i++) {
        if (e->n == e->cap) {
            e->pairs = x2nrealloc(e->pairs, &e->cap, sizeof *e->pairs);
        }
        struct pair *p = &e->pairs[e->n++];
        p->prefix = out->prefixes[i];
        snprintf(p->label, sizeof p->label, "%s:%s%s", kind, name,
                 out->nat_outgoing ? "(nat-outgoing)" : "");
    }
}

static int
compare_pairs(const void *a_, const void *b_)
{
    const struct pair *a = a_, *b = b_;
    int c = nb_prefix_compare(&a->prefix, &b->prefix);
    return c ? c : strcmp(a->label, b->label);
}

static int
compare_strs(const void *a_, const void *b_)
{
    const char *const *a = a_, *const *b = b_;
    return strcmp(*a, *b);
}

static void
expected_text(const struct model *m, const struct nb_map_config *cfg,
              struct ds *out, size_t *n_skipped)
{
    struct expected e = { NULL, 0, 0, 0 };
    struct nb_routes r;
    bool local[NS] = { false };

    nb_routes_init(&r);
    for (int i = 0; i < NS; i++) {
        const struct msw *s = &m->sw[i];
        if (!s->exists) {
            continue;
        }
        char name[16];
        sw_name(i, s, name);
        const struct nb_switch_in in = {
            .name = name,
            .bgp = sw_bgp[s->bgp],
            .cidr = sw_cidr[s->cidr],
            .nat_outgoing = sw_nat[s->nat],
            .subnet = sw_subnet[s->subnet],
            .ipv6_prefix = sw_v6[s->v6],
        };
        nb_map_switch(&in, &r);
        local[i] = r.policy == NB_POLICY_LOCAL;
        expect_rows(&e, &r, "subnet", name);
    }
    for (int i = 0; i < NP; i++) {
        const struct mport *p = &m->port[i];
        if (!p->exists) {
            continue;
        }
        bool inherits = false;
        for (int j = 0; j < NS; j++) {
            if (local[j] && (m->sw[j].ports & (1u << i))) {
                inherits = true;
            }
        }
        char name[16];
        port_name(i, p, name);
        const char *atoms[N_ADDRS];
        size_t n = port_addr_list(p->addrs, atoms);
        const bool enabled = p->enabled == 2;
        const struct nb_port_in in = {
            .name = name,
            .addresses = atoms,
            .n_addresses = n,
            .dynamic_addresses = p_dyn[p->dyn],
            .enabled = p->enabled ? &enabled : NULL,
            .bgp = p_bgp[p->bgp],
            .requested_chassis = p_chassis[p->chassis],
        };
        nb_map_port(&in, inherits ? NB_POLICY_LOCAL : NB_POLICY_NONE, cfg,
                    &r);
        expect_rows(&e, &r, "pod", name);
    }
    for (int i = 0; i < NL; i++) {
        const struct mlb *lb = &m->lb[i];
        if (!lb->exists) {
            continue;
        }
        char name[16];
        lb_name(i, lb, name);
        struct smap vips = SMAP_INITIALIZER(&vips);
        for (size_t k = 0; k < N_VIPS; k++) {
            if (lb->vips[k]) {
                smap_add(&vips, vip_keys[k], vip_values[lb->vips[k]]);
            }
        }
        const struct nb_lb_in in = {
            .name = name,
            .bgp = lb_bgp[lb->bgp],
            .vips = &vips,
        };
        nb_map_lb(&in, cfg, &r);
        expect_rows(&e, &r, "service", name);
        smap_destroy(&vips);
    }
    nb_routes_destroy(&r);

    if (e.n) {
        qsort(e.pairs, e.n, sizeof *e.pairs, compare_pairs);
    }
    for (size_t i = 0; i < e.n; ) {
        char buf[NB_PREFIX_STRLEN];
        ds_put_format(out, "%s", nb_prefix_format(&e.pairs[i].prefix, buf));
        size_t j = i;
        while (j < e.n && nb_prefix_equals(&e.pairs[j].prefix,
                                           &e.pairs[i].prefix)) {
            ds_put_format(out, " %s", e.pairs[j].label);
            j++;
        }
        ds_put_char(out, '\n');
        i = j;
    }
    *n_skipped = e.n_skipped;
    free(e.pairs);
}

struct actual_aux {
    const struct route_set *rs;
    struct ds *out;
};

static void
actual_cb(const struct nb_prefix *prefix, void *aux_)
{
    struct actual_aux *aux = aux_;
    struct ds rows = DS_EMPTY_INITIALIZER;
    char buf[NB_PREFIX_STRLEN];
    char *labels[64];
    size_t n = 0;

    route_set_format_rows(aux->rs, prefix, &rows);
    char *save = NULL;
    for (char *t = strtok_r(ds_cstr(&rows), " ", &save); t && n < 64;
         t = strtok_r(NULL, " ", &save)) {
        labels[n++] = t;
    }
    if (n) {
        qsort(labels, n, sizeof *labels, compare_strs);
    }
    ds_put_format(aux->out, "%s", nb_prefix_format(prefix, buf));
    for (size_t i = 0; i < n; i++) {
        ds_put_format(aux->out, " %s", labels[i]);
    }
    ds_put_char(aux->out, '\n');
    ds_destroy(&rows);
}

/* ---------------------------------------------------------------------
 * The replica under test. */

struct harness {
    struct route_set *rs;
    struct nb_replica *r;
    struct update_decoder *d;
    struct nb_map_config cfg;
    bool describe;
    int n_commits;
    struct sset consumer;       /* What a consumer of the changes holds. */
    struct ds log;              /* What was fed, for a reproducer. */
    const struct model *model;  /* What the next commit must show. */
    long long step;
    unsigned long long seed;
};

static struct harness *H;

static void
fail(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "FAIL (seed %llu mode %d step %lld): ", H->seed, mode,
            H->step);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, "\n--- messages fed (last 40000 bytes) ---\n%s\n",
            H->log.length > 40000 ? H->log.string + H->log.length - 40000
            : ds_cstr(&H->log));
    printf("not ok - random run (seed %llu mode %d)\n", H->seed, mode);
    exit(1);
}

static void
take_and_check(struct harness *h)
{
    struct rs_changes changes;
    char buf[NB_PREFIX_STRLEN];

    route_set_take_changes(h->rs, &changes);
    for (size_t i = 0; i < changes.n; i++) {
        const struct rs_change *c = &changes.changes[i];
        const char *p = nb_prefix_format(&c->prefix, buf);
        if (c->add) {
            if (!sset_add(&h->consumer, p)) {
                fail("change +%s: already announced", p);
            }
            if (h->describe) {
                struct ds rows = DS_EMPTY_INITIALIZER;
                route_set_format_rows(h->rs, &c->prefix, &rows);
                if (!c->rows || strcmp(c->rows, ds_cstr(&rows))) {
                    fail("change +%s: rows \"%s\", set says \"%s\"", p,
                         c->rows ? c->rows : "(null)", ds_cstr(&rows));
                }
                ds_destroy(&rows);
            }
        } else {
            if (!sset_find_and_delete(&h->consumer, p)) {
                fail("change -%s: not announced", p);
            }
            if (h->describe && !c->rows) {
                fail("change -%s: no rows", p);
            }
        }
    }
    rs_changes_destroy(&changes);
    if (route_set_has_changes(h->rs)) {
        fail("changes left after a take");
    }
}

static void
consumer_matches(struct harness *h)
{
    struct sset now = SSET_INITIALIZER(&now);
    struct ds text = DS_EMPTY_INITIALIZER;
    struct actual_aux aux = { h->rs, &text };

    route_set_for_each(h->rs, actual_cb, &aux);
    char *save = NULL;
    for (char *line = strtok_r(ds_cstr(&text), "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');
        if (sp) {
            *sp = '\0';
        }
        sset_add(&now, line);
    }
    if (!sset_equals(&now, &h->consumer)) {
        fail("the consumer's copy differs from the route set");
    }
    sset_destroy(&now);
    ds_destroy(&text);
}

/* Whether 'u' appears an odd number of times in the switch's list. */
static bool
lists(const struct ls_row *ls, const struct uuid *u)
{
    size_t n = 0;
    for (size_t i = 0; i < ls->n_ports; i++) {
        n += uuid_equals(&ls->ports[i], u);
    }
    return n % 2;
}

static void
check_internals(struct harness *h)
{
    const struct nb_replica *r = h->r;
    const struct model *m = h->model;

    if (r->in_snapshot || r->dirty_switches.n || r->dirty_ports.n
        || r->dirty_lbs.n) {
        fail("internals: a commit left work undone");
    }
    /* Interned strings: counted right, the recent ones alive. */
    size_t refs = 0;
    struct istr *is;
    HMAP_FOR_EACH (is, node, &r->strings) {
        refs += is->refs;
        if (!is->refs || is->len != strlen(is->s)) {
            fail("internals: interned \"%s\" has %zu refs", is->s, is->refs);
        }
    }
    for (size_t i = 0; i < N_RECENT; i++) {
        bool found = !r->recent[i];
        HMAP_FOR_EACH (is, node, &r->strings) {
            found |= is == r->recent[i];
        }
        if (!found) {
            fail("internals: recent[%zu] is not interned", i);
        }
    }
    size_t held = 0;
    struct ls_row *ls;
    HMAP_FOR_EACH (ls, key.node, &r->switches) {
        held += !!ls->bgp + !!ls->cidr + !!ls->nat_outgoing + !!ls->subnet
                + !!ls->ipv6_prefix;
        if (ls->dirty || ls->deleted) {
            fail("internals: switch dirty or deleted after a commit");
        }
        /* Its list is the model's. */
        int idx = -1;
        for (int i = 0; i < NS; i++) {
            char u[37];
            struct uuid uuid;
            sw_uuid(i, u);
            uuid_from_string(&uuid, u);
            if (uuid_equals(&uuid, &ls->key.uuid)) {
                idx = i;
            }
        }
        if (idx < 0 || !m->sw[idx].exists) {
            fail("internals: a switch the model lacks");
        }
        for (int i = 0; i < NP; i++) {
            char u[37];
            struct uuid uuid;
            port_uuid(i, u);
            uuid_from_string(&uuid, u);
            if (lists(ls, &uuid) != !!(m->sw[idx].ports & (1u << i))) {
                fail("internals: switch %d's list, port %d", idx, i);
            }
        }
    }
    size_t with_row = 0;
    struct lsp_row *p;
    HMAP_FOR_EACH (p, key.node, &r->ports) {
        held += !!p->bgp + !!p->requested_chassis;
        with_row += p->has_row;
        if (p->dirty) {
            fail("internals: port dirty after a commit");
        }
        if (!p->has_row && !p->n_parents) {
            fail("internals: a placeholder port nothing needs");
        }
        /* Its parents: exactly the "local" switches that list it. */
        size_t n = 0;
        HMAP_FOR_EACH (ls, key.node, &r->switches) {
            bool want = ls->local && lists(ls, &p->key.uuid);
            if (want != port_has_parent(p, ls)) {
                fail("internals: port parents differ from the lists");
            }
            n += want;
        }
        if (n != p->n_parents) {
            fail("internals: port has %u parents, %zu expected",
                 p->n_parents, n);
        }
    }
    struct lb_row *lb;
    HMAP_FOR_EACH (lb, key.node, &r->lbs) {
        held += !!lb->bgp;
    }
    if (held != refs) {
        fail("internals: %zu interned references held, %zu counted",
             held, refs);
    }
    if (with_row != r->n_ports_with_row) {
        fail("internals: n_ports_with_row");
    }
}

static void
check(struct harness *h)
{
    check_internals(h);

    struct ds want = DS_EMPTY_INITIALIZER, got = DS_EMPTY_INITIALIZER;
    struct actual_aux aux = { h->rs, &got };
    size_t n_skipped;

    expected_text(h->model, &h->cfg, &want, &n_skipped);
    route_set_for_each(h->rs, actual_cb, &aux);
    if (strcmp(ds_cstr(&want), ds_cstr(&got))) {
        fail("route set differs\n--- expected ---\n%s--- got ---\n%s",
             ds_cstr(&want), ds_cstr(&got));
    }

    struct nb_replica_counts c;
    nb_replica_get_counts(h->r, &c);
    size_t ns = 0, np = 0, nl = 0;
    for (int i = 0; i < NS; i++) {
        ns += h->model->sw[i].exists;
    }
    for (int i = 0; i < NP; i++) {
        np += h->model->port[i].exists;
    }
    for (int i = 0; i < NL; i++) {
        nl += h->model->lb[i].exists;
    }
    if (c.n_switches != ns || c.n_ports != np || c.n_load_balancers != nl
        || c.n_skipped != n_skipped) {
        fail("counts: %zu %zu %zu %zu, expected %zu %zu %zu %zu",
             c.n_switches, c.n_ports, c.n_load_balancers, c.n_skipped,
             ns, np, nl, n_skipped);
    }
    size_t n_kinds = 0;
    for (int k = 0; k < RS_N_KINDS; k++) {
        n_kinds += route_set_n_prefixes_of_kind(h->rs, k);
    }
    (void) n_kinds;

    if (chance(60)) {
        take_and_check(h);
        consumer_matches(h);
        if (chance(3)) {
            /* (Rows of withdrawals are recorded as prefixes are touched:
             * switch only between takes.) */
            h->describe = !h->describe;
            route_set_describe_changes(h->rs, h->describe);
        }
    }
    ds_destroy(&want);
    ds_destroy(&got);
}

static const struct ud_schema *
on_begin(void *h_, const char *monitor_id)
{
    struct harness *h = h_;
    if (!monitor_id) {
        nb_replica_begin_snapshot(h->r);
    }
    return nb_replica_schema(true);
}

static void
on_row_begin(void *h_, size_t table_idx, const struct ud_uuid *uuid)
{
    struct harness *h = h_;
    nb_replica_row_begin(h->r, table_idx, uuid);
}

static void
on_row(void *h_, const struct ud_row *row)
{
    struct harness *h = h_;
    nb_replica_row(h->r, row);
}

static int
on_message(void *h_, const struct ud_message *m)
{
    struct harness *h = h_;
    nb_replica_commit(h->r);
    h->n_commits++;
    check(h);
    return 0;
}

static const struct ud_ops ops = {
    .updates_begin = on_begin,
    .row_begin = on_row_begin,
    .row = on_row,
    .message = on_message,
};

/* Feeds 'msg' in random chunks; only its first 'len' bytes if cut. */
static void
feed(struct harness *h, const char *msg, size_t len)
{
    size_t ofs = 0;
    while (ofs < len) {
        size_t n = chance(50) ? len - ofs : 1 + pick(64);
        n = MIN(n, len - ofs);
        if (update_decoder_feed(h->d, msg + ofs, n)) {
            fail("decoder: %s", update_decoder_error(h->d));
        }
        ofs += n;
    }
}

/* Sends 'msg' whole (one commit) or cut short (none, then a reset).
 * Returns whether it went whole. */
static bool
send_msg(struct harness *h, const char *msg, int cut_percent)
{
    size_t len = strlen(msg);
    bool cut = chance(cut_percent);
    size_t n = cut ? (size_t) pick(len) : len;
    int commits = h->n_commits;

    ds_put_format(&h->log, "%s%s\n", cut ? "CUT: " : "", msg);
    if (cut) {
        ds_put_format(&h->log, "  (first %zu bytes: \"%.*s\", then reset)\n",
                      n, (int) n, msg);
    }
    feed(h, msg, n);
    if (cut) {
        update_decoder_reset(h->d);
        if (h->n_commits != commits) {
            fail("a cut message committed");
        }
        return false;
    }
    if (h->n_commits != commits + 1) {
        fail("a whole message did not commit once");
    }
    return true;
}

static void
run(unsigned long long seed, long long steps)
{
    struct harness h;
    struct model cur, next;

    memset(&h, 0, sizeof h);
    H = &h;
    h.seed = seed;
    rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
    for (int i = 0; i < 10; i++) {
        rnd();
    }
    h.cfg.node_name = "node-a";
    h.cfg.announce_cluster_ip = true;
    const struct nb_replica_options opts = {
        .node_name = "node-a",
        .announce_cluster_ip = true,
    };
    h.rs = route_set_create();
    h.describe = chance(50);
    route_set_describe_changes(h.rs, h.describe);
    h.r = nb_replica_create(&opts, h.rs);
    h.d = update_decoder_create(&ops, &h);
    sset_init(&h.consumer);
    ds_init(&h.log);

    memset(&cur, 0, sizeof cur);
    /* A first database. */
    for (int i = 0; i < 3; i++) {
        mutate(&cur);
    }
    bool connected = false;
    for (h.step = 0; h.step < steps; h.step++) {
        if (h.log.length > 1000000) {
            ds_clear(&h.log);
        }
        if (!connected) {
            /* A new connection: its snapshot (perhaps cut short). */
            struct ds msg = DS_EMPTY_INITIALIZER;
            ds_put_cstr(&msg, "{\"id\":2,\"result\":");
            put_updates(&msg, NULL, &cur);
            ds_put_cstr(&msg, ",\"error\":null}");
            h.model = &cur;
            connected = send_msg(&h, ds_cstr(&msg), 25);
            ds_destroy(&msg);
            if (!connected && chance(50)) {
                mutate(&cur);   /* Changed while we were away. */
            }
            continue;
        }
        if (chance(3)) {
            /* Reconnect, for no reason. */
            connected = false;
            continue;
        }
        next = cur;
        mutate(&next);
        struct ds msg = DS_EMPTY_INITIALIZER;
        ds_put_cstr(&msg, "{\"id\":null,\"method\":\"update2\","
                    "\"params\":[\"nb\",");
        put_updates(&msg, &cur, &next);
        ds_put_cstr(&msg, "]}");
        h.model = &next;
        bool whole = send_msg(&h, ds_cstr(&msg), 8);
        ds_destroy(&msg);
        cur = next;
        if (!whole) {
            connected = false;
            while (chance(50)) {
                mutate(&cur);
            }
        }
    }
    /* Settle, then leave. */
    if (!connected) {
        struct ds msg = DS_EMPTY_INITIALIZER;
        ds_put_cstr(&msg, "{\"id\":2,\"result\":");
        put_updates(&msg, NULL, &cur);
        ds_put_cstr(&msg, ",\"error\":null}");
        h.model = &cur;
        send_msg(&h, ds_cstr(&msg), 0);
        ds_destroy(&msg);
    }
    take_and_check(&h);
    consumer_matches(&h);

    update_decoder_destroy(h.d);
    nb_replica_destroy(h.r);
    route_set_destroy(h.rs);
    sset_destroy(&h.consumer);
    ds_destroy(&h.log);
}

int
main(int argc, char *argv[])
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    if (argc > 1) {
        unsigned long long seed = strtoull(argv[1], NULL, 0);
        long long steps = argc > 2 ? strtoll(argv[2], NULL, 0) : 2000;
        mode = argc > 3 ? atoi(argv[3]) : 0;
        run(seed, steps);
        printf("seed %llu mode %d: %lld steps ok\n", seed, mode, steps);
        return 0;
    }
    /* TAP, for tests/run.sh. */
    printf("1..2\n");
    for (mode = 0; mode < 2; mode++) {
        for (unsigned long long seed = 1; seed <= 20; seed++) {
            run(seed, 1000);
        }
        printf("ok %d - 20 random runs of 1000 steps, %s\n", mode + 1,
               mode ? "loose" : "realistic");
    }
    return 0;
}
