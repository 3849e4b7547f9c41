/*
 * The route set: every announced prefix, with the NB rows it comes from.
 *
 * Rows say what they give (route_set_set_row); a prefix is in the set while
 * at least one row gives it.  The set remembers what changed since the last
 * route_set_take_changes() and hands that over as a net difference: a
 * prefix removed and given again in between is no change at all, so a
 * consumer never sees a flap that did not happen.
 */
#ifndef OVSDB_ROUTE_SET_H
#define OVSDB_ROUTE_SET_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ovsdb/nb-map.h"

struct ds;

/* What kind of row gives a prefix. */
enum rs_kind {
    RS_SUBNET,                  /* Logical_Switch. */
    RS_POD,                     /* Logical_Switch_Port. */
    RS_SERVICE,                 /* Load_Balancer. */
    RS_N_KINDS
};

const char *rs_kind_name(enum rs_kind);

struct route_set *route_set_create(void);
void route_set_destroy(struct route_set *);

/* Whether rs_change.rows says which rows give (or gave) each prefix (by
 * default it does).  A reader that does not print the changes saves the
 * formatting, one string per changed prefix. */
void route_set_describe_changes(struct route_set *, bool);

/* One NB row's part in the set, kept inside the caller's own row (so that
 * the set needs no table of rows, nor a lookup per change): zero it
 * (RS_ROW_INITIALIZER) before its first use, and take it out with
 * route_set_remove_row() before freeing it.  The members are the set's. */
struct rs_row {
    const char *name;           /* Label: the caller's string (see
                                 * route_set_set_row()); NULL while out of
                                 * the set. */
    union {
        struct nb_prefix one;   /* n_prefixes == 1 (most rows: a pod). */
        struct nb_prefix *many; /* n_prefixes > 1. */
    } u;
    uint32_t n_prefixes;        /* 0: out of the set. */
    uint8_t kind;               /* enum rs_kind. */
    bool nat_outgoing;
};
#define RS_ROW_INITIALIZER { .name = NULL }

/* Makes 'row' give exactly the 'n' prefixes in 'prefixes' (sorted, no
 * duplicates), replacing whatever it gave before; with n == 0 it leaves the
 * set.  'name' labels the row in output; 'nat_outgoing' marks an announced
 * subnet that has NAT on.
 *
 * The set keeps 'name' itself, not a copy (100k rows, 100k strings the
 * caller has anyway): it must stay valid while the row is in the set,
 * until the row's next route_set_set_row() or route_set_rename_row(), or
 * its removal.  A row's label is its current name: a row renamed and
 * withdrawn in one go is described, withdrawn, by its new name. */
void route_set_set_row(struct route_set *, struct rs_row *,
                       enum rs_kind, const char *name, bool nat_outgoing,
                       const struct nb_prefix *prefixes, size_t n);
void route_set_remove_row(struct route_set *, struct rs_row *);
/* The caller's label of 'row' is now 'name' (moved, or changed): nothing
 * else changes. */
void route_set_rename_row(struct route_set *, struct rs_row *,
                          const char *name);
/* Frees what 'row' holds without taking its prefixes out of the set's
 * tables: for the rows of a set about to be destroyed, which is then good
 * for nothing else (a lookup per prefix saved: 100k at a daemon's exit). */
void route_set_release_row(struct route_set *, struct rs_row *);

/* Sizes. */
size_t route_set_n_prefixes(const struct route_set *);
size_t route_set_n_rows(const struct route_set *);
size_t route_set_n_prefixes_of_kind(const struct route_set *, enum rs_kind);

/* One change. */
struct rs_change {
    bool add;                   /* Announce (true) or withdraw (false). */
    struct nb_prefix prefix;
    char *rows;                 /* The rows that give it, or gave it; NULL
                                 * if not route_set_describe_changes(). */
};

struct rs_changes {
    struct rs_change *changes;  /* Withdraws first, then announcements,
                                 * each in prefix order, if described (see
                                 * route_set_describe_changes()); in no
                                 * order otherwise.  A prefix is in it at
                                 * most once. */
    size_t n;
};

/* Moves the net changes since the last call into 'out' (which the caller
 * frees with rs_changes_destroy()). */
void route_set_take_changes(struct route_set *, struct rs_changes *out);
bool route_set_has_changes(const struct route_set *);
void rs_changes_destroy(struct rs_changes *);

/* Appends the labels of the rows that give 'prefix' to 'out', separated by
 * spaces ("subnet:ovn-default pod:web.default").  Returns false if no row
 * gives it. */
bool route_set_format_rows(const struct route_set *,
                           const struct nb_prefix *, struct ds *out);

/* Calls 'cb' for each prefix in the set, in prefix order. */
void route_set_for_each(const struct route_set *,
                        void (*cb)(const struct nb_prefix *, void *aux),
                        void *aux);

#endif /* ovsdb/route-set.h */
