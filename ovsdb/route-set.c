/*
 * The route set: see route-set.h.
 */
#include <config.h>

#include "ovsdb/route-set.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "ovsdb/sparse-hmap.h"
#include "util.h"

/* One prefix and the rows that give it (at least one). */
struct rs_route {
    struct hmap_node node;      /* In route_set->routes, by prefix. */
    struct nb_prefix prefix;
    struct rs_row **rows;       /* In the order they came; &one until a
                                 * second row gives the prefix. */
    struct rs_row *one;
    uint32_t n_rows, allocated;
    uint32_t n_by_kind[RS_N_KINDS];
};

/* Most prefixes come from one row, most rows give one prefix: those keep
 * it inline rather than in an array of their own. */
static void
free_route(struct rs_route *route)
{
    if (route->rows != &route->one) {
        free(route->rows);
    }
    free(route);
}

/* What 'row' gives: sorted, no duplicates. */
static const struct nb_prefix *
row_prefixes(const struct rs_row *row)
{
    return row->n_prefixes > 1 ? row->u.many : &row->u.one;
}

static void
set_row_prefixes(struct rs_row *row, const struct nb_prefix *prefixes,
                 size_t n)
{
    if (n != row->n_prefixes) {
        if (row->n_prefixes > 1) {
            free(row->u.many);
        }
        if (n > 1) {
            row->u.many = xmalloc(n * sizeof *prefixes);
        }
        row->n_prefixes = n;
    }
    if (n) {
        memcpy(n > 1 ? row->u.many : &row->u.one, prefixes,
               n * sizeof *prefixes);
    }
}

/* A fresh set's announcements, and the rows whose prefixes wait to go into
 * its table (see settle()): the two share one array, the settled
 * announcements first, so that the waiting ones become announcements in
 * place, with no second array as large. */
union rs_slot {
    struct rs_change change;
    struct {
        struct nb_prefix prefix;
        uint32_t hash;          /* nb_prefix_hash(&prefix). */
        uintptr_t row;          /* The row, its kind in the low bits (so
                                 * that settle() need not read the row:
                                 * a cache miss each). */
    } waiting;
};
BUILD_ASSERT_DECL(sizeof(union rs_slot) == sizeof(struct rs_change));
#define KIND_MASK ((uintptr_t) 3)
BUILD_ASSERT_DECL(RS_N_KINDS <= KIND_MASK + 1);
BUILD_ASSERT_DECL(KIND_MASK < __alignof__(struct rs_row));

/* A prefix touched since the last route_set_take_changes(), and whether it
 * was in the set before it was first touched. */
struct rs_touch {
    struct hmap_node node;      /* In route_set->touched, by prefix. */
    struct nb_prefix prefix;
    bool was_present;
    char *was_rows;             /* Labels of the rows that gave it. */
};

struct route_set {
    bool describe;              /* Fill in rs_change.rows. */
    bool fresh;                 /* Empty at the last take: its changes are
                                 * its contents, and 'touched' stays empty
                                 * (a first snapshot costs no tracking). */
    /* While fresh and not describing: the announcements, as they come, so
     * that the take need not walk the whole table (unless some prefix
     * went again in the meantime: 'fresh_gone'); after them, the 'n_waiting'
     * prefixes given since that wait for settle(). */
    union rs_slot *fresh_adds;
    size_t n_fresh_adds, n_waiting, allocated_fresh_adds;
    bool fresh_gone;
    size_t n_rows;
    struct hmap routes;
    struct hmap touched;
    size_t n_of_kind[RS_N_KINDS];
};

const char *
rs_kind_name(enum rs_kind kind)
{
    switch (kind) {
    case RS_SUBNET:
        return "subnet";
    case RS_POD:
        return "pod";
    case RS_SERVICE:
        return "service";
    case RS_N_KINDS:
        break;
    }
    return "?";
}

static void settle(struct route_set *);

struct route_set *
route_set_create(void)
{
    struct route_set *rs = xzalloc(sizeof *rs);
    rs->describe = true;
    rs->fresh = true;
    hmap_init(&rs->routes);
    hmap_init(&rs->touched);
    return rs;
}

void
route_set_describe_changes(struct route_set *rs, bool describe)
{
    settle(rs);
    rs->describe = describe;
    /* What is in already was not recorded as it came. */
    rs->fresh_gone |= rs->fresh && !hmap_is_empty(&rs->routes);
}

static void
free_touched(struct hmap *touched)
{
    struct rs_touch *t;
    HMAP_FOR_EACH_POP (t, node, touched) {
        free(t->was_rows);
        free(t);
    }
}

void
route_set_destroy(struct route_set *rs)
{
    if (!rs) {
        return;
    }
    struct rs_route *route;
    HMAP_FOR_EACH_POP (route, node, &rs->routes) {
        free_route(route);
    }
    /* The rows are the caller's, taken out before (route-set.h). */
    free(rs->fresh_adds);
    free_touched(&rs->touched);
    hmap_destroy(&rs->routes);
    hmap_destroy(&rs->touched);
    free(rs);
}

static struct rs_route *
find_route_hashed(const struct route_set *rs, const struct nb_prefix *prefix,
                  uint32_t hash)
{
    struct rs_route *route;
    HMAP_FOR_EACH_WITH_HASH (route, node, hash, &rs->routes) {
        if (nb_prefix_equals(&route->prefix, prefix)) {
            return route;
        }
    }
    return NULL;
}

static struct rs_route *
find_route(const struct route_set *rs, const struct nb_prefix *prefix)
{
    return find_route_hashed(rs, prefix, nb_prefix_hash(prefix));
}

static void
format_row(const struct rs_row *row, struct ds *out)
{
    ds_put_format(out, "%s:%s", rs_kind_name(row->kind), row->name);
    if (row->nat_outgoing) {
        ds_put_cstr(out, "(nat-outgoing)");
    }
}

static void
format_route_rows(const struct rs_route *route, struct ds *out)
{
    for (size_t i = 0; i < route->n_rows; i++) {
        if (i) {
            ds_put_char(out, ' ');
        }
        format_row(route->rows[i], out);
    }
}

/* Records that 'prefix' (whose route is 'route', or NULL) is about to
 * change, unless it already was since the last take. */
static void
touch(struct route_set *rs, const struct nb_prefix *prefix,
      const struct rs_route *route)
{
    uint32_t hash = nb_prefix_hash(prefix);
    struct rs_touch *t;

    if (rs->fresh) {
        return;
    }
    HMAP_FOR_EACH_WITH_HASH (t, node, hash, &rs->touched) {
        if (nb_prefix_equals(&t->prefix, prefix)) {
            return;
        }
    }
    t = xmalloc(sizeof *t);
    t->prefix = *prefix;
    t->was_present = route != NULL;
    t->was_rows = NULL;
    if (route && rs->describe) {
        struct ds rows = DS_EMPTY_INITIALIZER;
        format_route_rows(route, &rows);
        t->was_rows = ds_steal_cstr(&rows);
    }
    hmap_insert(&rs->touched, &t->node, hash);
}

/* Whether the set records its announcements as they come (and lets new
 * prefixes wait for settle()). */
static bool
recording(const struct route_set *rs)
{
    return rs->fresh && !rs->describe && !rs->fresh_gone;
}

/* Adds 'row' to the rows of 'prefix' (hash 'hash'), making its route if it
 * is new: returns true if it is. */
static bool
add_to_route(struct route_set *rs, const struct nb_prefix *prefix,
             uint32_t hash, struct rs_row *row, enum rs_kind kind)
{
    struct rs_route *route = find_route_hashed(rs, prefix, hash);
    bool created = false;

    if (!route) {
        touch(rs, prefix, NULL);
        route = xzalloc(sizeof *route);
        route->prefix = *prefix;
        route->rows = &route->one;
        route->allocated = 1;
        hmap_insert_sparse(&rs->routes, &route->node, hash);
        created = true;
    }
    if (route->n_rows >= route->allocated) {
        if (route->rows == &route->one) {
            route->rows = xmalloc(4 * sizeof *route->rows);
            route->rows[0] = route->one;
            route->allocated = 4;
        } else {
            route->allocated *= 2;
            route->rows = xrealloc(route->rows, route->allocated
                                   * sizeof *route->rows);
        }
    }
    route->rows[route->n_rows++] = row;
    if (!route->n_by_kind[kind]++) {
        rs->n_of_kind[kind]++;
    }
    return created;
}

static void
route_add_row(struct route_set *rs, const struct nb_prefix *prefix,
              struct rs_row *row)
{
    if (recording(rs)) {
        /* No lookup now: settle() does them all at once. */
        size_t n = rs->n_fresh_adds + rs->n_waiting;
        if (n >= rs->allocated_fresh_adds) {
            rs->fresh_adds = x2nrealloc(rs->fresh_adds,
                                        &rs->allocated_fresh_adds,
                                        sizeof *rs->fresh_adds);
        }
        rs->fresh_adds[n].waiting.prefix = *prefix;
        rs->fresh_adds[n].waiting.hash = nb_prefix_hash(prefix);
        rs->fresh_adds[n].waiting.row = (uintptr_t) row | row->kind;
        rs->n_waiting++;
    } else {
        add_to_route(rs, prefix, nb_prefix_hash(prefix), row, row->kind);
    }
}

/* Puts the waiting prefixes into the table, and makes them the
 * announcements they are.
 *
 * A first snapshot gives each of 100k+ prefixes once: looked up one by one
 * as they come, each lookup is a cache miss or two in a table far larger
 * than the cache, since the server sends rows in no useful order (perf: a
 * sixth of a 100k sync's CPU).  Here, sorted by bucket into a table sized
 * for them all beforehand, the buckets are read in order, a chain holds
 * only the routes made moments before, and the table is never resized. */
static void
settle(struct route_set *rs)
{
    size_t n = rs->n_waiting;
    if (!n) {
        return;
    }
    union rs_slot *w = &rs->fresh_adds[rs->n_fresh_adds];
    rs->n_waiting = 0;

    /* Room for all at the sparse load (sparse-hmap.h). */
    hmap_reserve(&rs->routes, 4 * (hmap_count(&rs->routes) + n));
    union rs_slot *tmp = xmalloc(n * sizeof *tmp);
    hmap_sort_by_bucket(w, tmp, n, sizeof *w,
                        offsetof(union rs_slot, waiting.hash),
                        rs->routes.mask);
    free(tmp);

    /* The announcements go in place: the k-th is written once the k-th
     * waiting slot (at least) has been read. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct nb_prefix prefix = w[i].waiting.prefix;
        uintptr_t row = w[i].waiting.row;
        if (add_to_route(rs, &prefix, w[i].waiting.hash,
                         (struct rs_row *) (row & ~KIND_MASK),
                         row & KIND_MASK)) {
            w[k++].change = (struct rs_change) {
                .add = true, .prefix = prefix, .rows = NULL,
            };
        }
    }
    rs->n_fresh_adds += k;
}

static void
route_remove_row(struct route_set *rs, const struct nb_prefix *prefix,
                 struct rs_row *row)
{
    settle(rs);
    struct rs_route *route = find_route(rs, prefix);
    if (!route) {
        return;
    }
    for (size_t i = 0; i < route->n_rows; i++) {
        if (route->rows[i] == row) {
            if (route->n_rows == 1) {
                touch(rs, prefix, route);
            }
            memmove(&route->rows[i], &route->rows[i + 1],
                    (route->n_rows - i - 1) * sizeof *route->rows);
            route->n_rows--;
            if (!--route->n_by_kind[row->kind]) {
                rs->n_of_kind[row->kind]--;
            }
            break;
        }
    }
    if (!route->n_rows) {
        hmap_remove(&rs->routes, &route->node);
        free_route(route);
        rs->fresh_gone |= rs->fresh;
    }
}

void
route_set_set_row(struct route_set *rs, struct rs_row *row,
                  enum rs_kind kind, const char *name, bool nat_outgoing,
                  const struct nb_prefix *prefixes, size_t n)
{
    if (row->n_prefixes) {
        /* The label the caller has now: the one it had may be gone, and a
         * withdrawal below is described with this one. */
        row->name = name;
    }
    if (!n || (row->n_prefixes && row->kind != kind)) {
        /* Out; or a row that changed kind, which the caller's rows do not
         * do: out and in again all the same. */
        route_set_remove_row(rs, row);
        if (!n) {
            return;
        }
    }
    if (!row->n_prefixes) {
        row->kind = kind;
        rs->n_rows++;
    }
    row->name = name;
    row->nat_outgoing = nat_outgoing;

    /* Both lists are sorted: add what is new first, then drop what is
     * gone, so that a prefix the row keeps is never out of the set. */
    const struct nb_prefix *had = row_prefixes(row);
    size_t i = 0, j = 0;
    while (j < n) {
        int c = i < row->n_prefixes
                ? nb_prefix_compare(&had[i], &prefixes[j]) : 1;
        if (c < 0) {
            i++;
        } else if (c == 0) {
            i++, j++;
        } else {
            route_add_row(rs, &prefixes[j++], row);
        }
    }
    for (i = 0, j = 0; i < row->n_prefixes; i++) {
        while (j < n && nb_prefix_compare(&prefixes[j], &had[i]) < 0) {
            j++;
        }
        if (j >= n || !nb_prefix_equals(&prefixes[j], &had[i])) {
            route_remove_row(rs, &had[i], row);
        }
    }

    set_row_prefixes(row, prefixes, n);
}

void
route_set_remove_row(struct route_set *rs, struct rs_row *row)
{
    if (!row->n_prefixes) {
        return;
    }
    const struct nb_prefix *had = row_prefixes(row);
    for (size_t i = 0; i < row->n_prefixes; i++) {
        route_remove_row(rs, &had[i], row);
    }
    set_row_prefixes(row, NULL, 0);
    row->name = NULL;
    rs->n_rows--;
}

void
route_set_rename_row(struct route_set *rs OVS_UNUSED, struct rs_row *row,
                     const char *name)
{
    if (row->n_prefixes) {
        row->name = name;
    }
}

void
route_set_release_row(struct route_set *rs, struct rs_row *row)
{
    if (row->n_prefixes) {
        set_row_prefixes(row, NULL, 0);
        row->name = NULL;
        rs->n_rows--;
    }
}

/* A reader sees the set as it is: the waiting prefixes in their places
 * (which changes nothing a reader can tell). */
static const struct route_set *
settled(const struct route_set *rs)
{
    settle(CONST_CAST(struct route_set *, rs));
    return rs;
}

size_t
route_set_n_prefixes(const struct route_set *rs)
{
    rs = settled(rs);
    return hmap_count(&rs->routes);
}

size_t
route_set_n_rows(const struct route_set *rs)
{
    return rs->n_rows;
}

size_t
route_set_n_prefixes_of_kind(const struct route_set *rs, enum rs_kind kind)
{
    rs = settled(rs);
    return kind < RS_N_KINDS ? rs->n_of_kind[kind] : 0;
}

static int
compare_changes(const void *a_, const void *b_)
{
    const struct rs_change *a = a_;
    const struct rs_change *b = b_;
    if (a->add != b->add) {
        return a->add ? 1 : -1;
    }
    return nb_prefix_compare(&a->prefix, &b->prefix);
}

bool
route_set_has_changes(const struct route_set *rs)
{
    return rs->fresh ? !hmap_is_empty(&rs->routes) || rs->n_waiting
                     : !hmap_is_empty(&rs->touched);
}

/* The changes of a fresh set: all it holds, as announcements. */
static void
take_contents(struct route_set *rs, struct rs_changes *out)
{
    const struct rs_route *route;

    if (!rs->describe && !rs->fresh_gone) {
        /* Exactly what settle() recorded. */
        out->changes = (rs->fresh_adds ? &rs->fresh_adds->change
                        : xmalloc(1));
        out->n = rs->n_fresh_adds;
        rs->fresh_adds = NULL;
        rs->n_fresh_adds = rs->allocated_fresh_adds = 0;
        return;
    }
    free(rs->fresh_adds);
    rs->fresh_adds = NULL;
    rs->n_fresh_adds = rs->allocated_fresh_adds = 0;
    rs->fresh_gone = false;

    out->changes = xmalloc(MAX(1, hmap_count(&rs->routes))
                           * sizeof *out->changes);
    out->n = 0;
    HMAP_FOR_EACH (route, node, &rs->routes) {
        struct rs_change *c = &out->changes[out->n++];
        c->add = true;
        c->prefix = route->prefix;
        c->rows = NULL;
        if (rs->describe) {
            struct ds rows = DS_EMPTY_INITIALIZER;
            format_route_rows(route, &rows);
            c->rows = ds_steal_cstr(&rows);
        }
    }
}

void
route_set_take_changes(struct route_set *rs, struct rs_changes *out)
{
    struct rs_touch *t;

    settle(rs);
    if (rs->fresh) {
        take_contents(rs, out);
        goto done;
    }
    out->changes = xmalloc(MAX(1, hmap_count(&rs->touched))
                           * sizeof *out->changes);
    out->n = 0;
    HMAP_FOR_EACH_POP (t, node, &rs->touched) {
        const struct rs_route *route = find_route(rs, &t->prefix);
        if ((route != NULL) != t->was_present) {
            struct rs_change *c = &out->changes[out->n++];
            c->add = route != NULL;
            c->prefix = t->prefix;
            if (route && rs->describe) {
                struct ds rows = DS_EMPTY_INITIALIZER;
                format_route_rows(route, &rows);
                c->rows = ds_steal_cstr(&rows);
                free(t->was_rows);
            } else if (route) {
                c->rows = NULL;
            } else {
                c->rows = t->was_rows;
            }
        } else {
            free(t->was_rows);
        }
        free(t);
    }
    /* An hmap keeps its buckets when emptied, and iterating it walks them
     * all: after a large batch, start again small so that the next small
     * batch costs what it holds. */
    hmap_destroy(&rs->touched);
    hmap_init(&rs->touched);

done:
    rs->fresh = hmap_is_empty(&rs->routes);
    if (rs->describe) {
        /* For a reader: in order.  (glibc's qsort takes a copy of the
         * array, which a large first snapshot does not need to pay.) */
        qsort(out->changes, out->n, sizeof *out->changes, compare_changes);
    }
}

void
rs_changes_destroy(struct rs_changes *changes)
{
    for (size_t i = 0; i < changes->n; i++) {
        free(changes->changes[i].rows);
    }
    free(changes->changes);
    changes->changes = NULL;
    changes->n = 0;
}

bool
route_set_format_rows(const struct route_set *rs,
                      const struct nb_prefix *prefix, struct ds *out)
{
    const struct rs_route *route = find_route(settled(rs), prefix);
    if (route) {
        format_route_rows(route, out);
    }
    return route != NULL;
}

static int
compare_route_ptrs(const void *a_, const void *b_)
{
    const struct rs_route *const *a = a_;
    const struct rs_route *const *b = b_;
    return nb_prefix_compare(&(*a)->prefix, &(*b)->prefix);
}

void
route_set_for_each(const struct route_set *rs,
                   void (*cb)(const struct nb_prefix *, void *aux),
                   void *aux)
{
    size_t n = hmap_count(&settled(rs)->routes);
    const struct rs_route **sorted = xmalloc(MAX(1, n) * sizeof *sorted);
    const struct rs_route *route;
    size_t i = 0;

    HMAP_FOR_EACH (route, node, &rs->routes) {
        sorted[i++] = route;
    }
    qsort(sorted, n, sizeof *sorted, compare_route_ptrs);
    for (i = 0; i < n; i++) {
        cb(&sorted[i]->prefix, aux);
    }
    free(sorted);
}
