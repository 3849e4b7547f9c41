/*
 * Unit tests for ovsdb/route-set.c: the set of announced prefixes, the rows
 * that give them, and the net changes between takes.
 *
 * Rows are given their prefixes as one string ("10.0.0.0/8 fd00::/64") and
 * the changes of a take are checked as one string, one change per item:
 * "-10.0.0.0/8 [subnet:a], +fd00::/64 [subnet:a pod:b]".
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/util.h"
#include "ovsdb/nb-map.h"
#include "ovsdb/route-set.h"
#include "random.h"
#include "util.h"

/* ---------------------------------------------------------------------- */
/* Helpers. */

/* The test rows, by id: the route set keeps its part of a row in the row
 * itself. */
static struct rs_row rows[32];

static struct route_set *
create(void)
{
    memset(rows, 0, sizeof rows);
    return route_set_create();
}

/* Takes every row out (the set leaves that to the rows' owner), then
 * destroys 'rs'. */
static void
destroy(struct route_set *rs)
{
    for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
        route_set_remove_row(rs, &rows[i]);
    }
    route_set_destroy(rs);
}

static struct rs_row *
row(unsigned int id)
{
    assert_true(id < ARRAY_SIZE(rows));
    return &rows[id];
}

static int
compare_prefixes(const void *a, const void *b)
{
    return nb_prefix_compare(a, b);
}

/* Withdrawals first, then announcements, each in prefix order (the order
 * a describing set gives). */
static int
compare_changes_plain(const void *a_, const void *b_)
{
    const struct rs_change *a = a_, *b = b_;
    if (a->add != b->add) {
        return a->add ? 1 : -1;
    }
    return nb_prefix_compare(&a->prefix, &b->prefix);
}

static int
compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Makes row 'id' give the space-separated CIDRs in 'cidrs' (any order). */
static void
set_row(struct route_set *rs, unsigned int id, enum rs_kind kind,
        const char *name, bool nat, const char *cidrs)
{
    struct nb_prefix prefixes[16];
    size_t n = 0;
    char *copy = xstrdup(cidrs);
    char *save = NULL;

    for (char *s = strtok_r(copy, " ", &save); s;
         s = strtok_r(NULL, " ", &save)) {
        assert_true(n < ARRAY_SIZE(prefixes));
        const char *error = nb_prefix_parse(s, &prefixes[n++]);
        if (error) {
            fail_msg("bad test prefix \"%s\": %s", s, error);
        }
    }
    free(copy);
    qsort(prefixes, n, sizeof *prefixes, compare_prefixes);

    route_set_set_row(rs, row(id), kind, name, nat, prefixes, n);
}

static void
remove_row(struct route_set *rs, unsigned int id)
{
    route_set_remove_row(rs, row(id));
}

/* Takes the changes of 'rs' and formats them into a static buffer (so that
 * a failed assertion leaks nothing). */
static const char *
take(struct route_set *rs)
{
    static char buf[4096];
    struct rs_changes changes;
    size_t len = 0;

    route_set_take_changes(rs, &changes);
    buf[0] = '\0';
    for (size_t i = 0; i < changes.n; i++) {
        const struct rs_change *c = &changes.changes[i];
        char p[NB_PREFIX_STRLEN];
        len += snprintf(buf + len, sizeof buf - len, "%s%c%s [%s]",
                        i ? ", " : "", c->add ? '+' : '-',
                        nb_prefix_format(&c->prefix, p), c->rows);
    }
    rs_changes_destroy(&changes);
    assert_null(changes.changes);
    assert_int_equal(changes.n, 0);
    assert_true(len < sizeof buf);
    return buf;
}

/* The labels of the rows that give 'cidr', or "(none)". */
static const char *
rows_of(const struct route_set *rs, const char *cidr)
{
    static char buf[1024];
    struct nb_prefix p;
    struct ds s = DS_EMPTY_INITIALIZER;

    assert_null(nb_prefix_parse(cidr, &p));
    if (route_set_format_rows(rs, &p, &s)) {
        snprintf(buf, sizeof buf, "%s", ds_cstr(&s));
    } else {
        snprintf(buf, sizeof buf, "(none)");
    }
    ds_destroy(&s);
    return buf;
}

static void
append_prefix(const struct nb_prefix *p, void *s_)
{
    struct ds *s = s_;
    char buf[NB_PREFIX_STRLEN];

    ds_put_format(s, "%s%s", s->length ? " " : "", nb_prefix_format(p, buf));
}

/* Every prefix of 'rs', through route_set_for_each(). */
static const char *
all_prefixes(const struct route_set *rs)
{
    static char buf[4096];
    struct ds s = DS_EMPTY_INITIALIZER;

    route_set_for_each(rs, append_prefix, &s);
    snprintf(buf, sizeof buf, "%s", ds_cstr(&s));
    ds_destroy(&s);
    return buf;
}

static void
check_counts(const struct route_set *rs, size_t n_prefixes, size_t n_rows,
             size_t n_subnet, size_t n_pod, size_t n_service)
{
    assert_int_equal(route_set_n_prefixes(rs), n_prefixes);
    assert_int_equal(route_set_n_rows(rs), n_rows);
    assert_int_equal(route_set_n_prefixes_of_kind(rs, RS_SUBNET), n_subnet);
    assert_int_equal(route_set_n_prefixes_of_kind(rs, RS_POD), n_pod);
    assert_int_equal(route_set_n_prefixes_of_kind(rs, RS_SERVICE),
                     n_service);
}

/* ---------------------------------------------------------------------- */
/* Tests. */

static void
test_kind_name(void **state OVS_UNUSED)
{
    assert_string_equal(rs_kind_name(RS_SUBNET), "subnet");
    assert_string_equal(rs_kind_name(RS_POD), "pod");
    assert_string_equal(rs_kind_name(RS_SERVICE), "service");
}

static void
test_empty_set_has_nothing(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    check_counts(rs, 0, 0, 0, 0, 0);
    assert_false(route_set_has_changes(rs));
    assert_string_equal(take(rs), "");
    assert_string_equal(all_prefixes(rs), "");
    destroy(rs);
}

static void
test_new_row_announces_its_prefixes(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_SUBNET, "ovn-default", false,
            "fd00:10:16::/64 10.16.0.0/16");
    assert_true(route_set_has_changes(rs));
    assert_string_equal(take(rs),
                        "+10.16.0.0/16 [subnet:ovn-default], "
                        "+fd00:10:16::/64 [subnet:ovn-default]");
    check_counts(rs, 2, 1, 2, 0, 0);
    destroy(rs);
}

static void
test_take_changes_clears_changes(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_POD, "web.default", false, "10.16.0.5/32");
    assert_true(route_set_has_changes(rs));
    assert_string_equal(take(rs), "+10.16.0.5/32 [pod:web.default]");
    assert_false(route_set_has_changes(rs));
    assert_string_equal(take(rs), "");
    /* The set itself is unchanged by taking. */
    assert_string_equal(all_prefixes(rs), "10.16.0.5/32");
    destroy(rs);
}

static void
test_remove_row_withdraws_its_prefixes(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_POD, "web.default", false, "10.16.0.5/32 fd00::5/128");
    take(rs);
    remove_row(rs, 1);
    assert_string_equal(take(rs),
                        "-10.16.0.5/32 [pod:web.default], "
                        "-fd00::5/128 [pod:web.default]");
    check_counts(rs, 0, 0, 0, 0, 0);
    destroy(rs);
}

static void
test_set_row_with_no_prefixes_removes_row(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_POD, "web.default", false, "10.16.0.5/32");
    take(rs);
    set_row(rs, 1, RS_POD, "web.default", false, "");
    assert_string_equal(take(rs), "-10.16.0.5/32 [pod:web.default]");
    check_counts(rs, 0, 0, 0, 0, 0);

    /* A new row that gives nothing is not a row at all. */
    set_row(rs, 2, RS_POD, "idle.default", false, "");
    check_counts(rs, 0, 0, 0, 0, 0);
    assert_false(route_set_has_changes(rs));
    destroy(rs);
}

static void
test_remove_unknown_row_is_noop(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_POD, "web.default", false, "10.16.0.5/32");
    take(rs);
    remove_row(rs, 2);
    assert_false(route_set_has_changes(rs));
    check_counts(rs, 1, 1, 0, 1, 0);
    destroy(rs);
}

static void
test_shared_prefix_stays_until_last_row_goes(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_POD, "a.default", false, "10.16.0.5/32");
    set_row(rs, 2, RS_POD, "b.default", false, "10.16.0.5/32");
    assert_string_equal(take(rs),
                        "+10.16.0.5/32 [pod:a.default pod:b.default]");
    check_counts(rs, 1, 2, 0, 1, 0);

    remove_row(rs, 1);
    assert_string_equal(take(rs), "");
    assert_string_equal(rows_of(rs, "10.16.0.5/32"), "pod:b.default");

    remove_row(rs, 2);
    assert_string_equal(take(rs), "-10.16.0.5/32 [pod:b.default]");
    assert_string_equal(rows_of(rs, "10.16.0.5/32"), "(none)");
    destroy(rs);
}

static void
test_rows_label_lists_rows_in_order(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_SUBNET, "ovn-default", false, "10.16.0.0/16");
    set_row(rs, 2, RS_POD, "web.default", false, "10.16.0.0/16");
    set_row(rs, 3, RS_SERVICE, "svc", false, "10.16.0.0/16");
    assert_string_equal(take(rs), "+10.16.0.0/16 "
                        "[subnet:ovn-default pod:web.default service:svc]");
    assert_string_equal(rows_of(rs, "10.16.0.0/16"),
                        "subnet:ovn-default pod:web.default service:svc");

    /* A row that leaves and comes back goes to the end. */
    remove_row(rs, 1);
    set_row(rs, 1, RS_SUBNET, "ovn-default", false, "10.16.0.0/16");
    assert_string_equal(rows_of(rs, "10.16.0.0/16"),
                        "pod:web.default service:svc subnet:ovn-default");
    destroy(rs);
}

static void
test_nat_outgoing_suffix_in_label(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_SUBNET, "ovn-default", true, "10.16.0.0/16");
    assert_string_equal(take(rs), "+10.16.0.0/16 "
                        "[subnet:ovn-default(nat-outgoing)]");
    remove_row(rs, 1);
    assert_string_equal(take(rs), "-10.16.0.0/16 "
                        "[subnet:ovn-default(nat-outgoing)]");

    /* Only the row with NAT on carries the suffix. */
    set_row(rs, 1, RS_SUBNET, "ovn-default", true, "10.16.0.0/16");
    set_row(rs, 2, RS_SUBNET, "other", false, "10.16.0.0/16");
    assert_string_equal(take(rs), "+10.16.0.0/16 "
                        "[subnet:ovn-default(nat-outgoing) subnet:other]");
    destroy(rs);
}

static void
test_row_change_keeps_common_prefixes(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_POD, "web.default", false,
            "10.16.0.5/32 10.16.0.6/32 fd00::5/128");
    take(rs);
    set_row(rs, 1, RS_POD, "web.default", false,
            "10.16.0.6/32 10.16.0.7/32 fd00::5/128 fd00::7/128");
    assert_string_equal(take(rs),
                        "-10.16.0.5/32 [pod:web.default], "
                        "+10.16.0.7/32 [pod:web.default], "
                        "+fd00::7/128 [pod:web.default]");
    assert_string_equal(all_prefixes(rs),
                        "10.16.0.6/32 10.16.0.7/32 fd00::5/128 fd00::7/128");
    check_counts(rs, 4, 1, 0, 4, 0);
    destroy(rs);
}

static void
test_row_relabel_is_no_change(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_SUBNET, "ls1", false, "10.16.0.0/16");
    take(rs);
    set_row(rs, 1, RS_SUBNET, "ls1-renamed", true, "10.16.0.0/16");
    assert_false(route_set_has_changes(rs));
    assert_string_equal(take(rs), "");
    assert_string_equal(rows_of(rs, "10.16.0.0/16"),
                        "subnet:ls1-renamed(nat-outgoing)");
    destroy(rs);
}

static void
test_remove_then_readd_is_no_change(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_POD, "web.default", false, "10.16.0.5/32");
    set_row(rs, 2, RS_POD, "db.default", false, "10.16.0.6/32");
    take(rs);
    remove_row(rs, 1);
    set_row(rs, 2, RS_POD, "db.default", false, "");
    set_row(rs, 1, RS_POD, "web.default", false, "10.16.0.5/32");
    set_row(rs, 3, RS_POD, "db2.default", false, "10.16.0.6/32");
    assert_string_equal(take(rs), "");
    assert_string_equal(all_prefixes(rs), "10.16.0.5/32 10.16.0.6/32");
    destroy(rs);
}

static void
test_add_then_remove_is_no_change(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_POD, "web.default", false, "10.16.0.5/32");
    set_row(rs, 1, RS_POD, "web.default", false, "10.16.0.6/32");
    remove_row(rs, 1);
    assert_string_equal(take(rs), "");
    check_counts(rs, 0, 0, 0, 0, 0);
    destroy(rs);
}

/* A set emptied and taken starts afresh (no change tracking until the next
 * take), and still reports only net changes. */
static void
test_emptied_set_starts_afresh(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_POD, "a", false, "10.16.0.5/32");
    set_row(rs, 2, RS_POD, "b", false, "10.16.0.6/32");
    assert_true(route_set_has_changes(rs));
    assert_string_equal(take(rs), "+10.16.0.5/32 [pod:a], "
                        "+10.16.0.6/32 [pod:b]");
    remove_row(rs, 1);
    remove_row(rs, 2);
    assert_string_equal(take(rs), "-10.16.0.5/32 [pod:a], "
                        "-10.16.0.6/32 [pod:b]");
    set_row(rs, 3, RS_POD, "c", false, "10.16.0.7/32");
    remove_row(rs, 3);
    assert_false(route_set_has_changes(rs));
    assert_string_equal(take(rs), "");
    set_row(rs, 1, RS_POD, "a", false, "10.16.0.5/32");
    set_row(rs, 4, RS_POD, "d", false, "10.16.0.5/32");
    assert_string_equal(take(rs), "+10.16.0.5/32 [pod:a pod:d]");
    check_counts(rs, 1, 2, 0, 1, 0);
    destroy(rs);
}

static void
test_prefix_moving_between_rows_is_no_change(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    /* The old row goes first. */
    set_row(rs, 1, RS_POD, "old.default", false, "10.16.0.5/32");
    take(rs);
    remove_row(rs, 1);
    set_row(rs, 2, RS_POD, "new.default", false, "10.16.0.5/32");
    assert_string_equal(take(rs), "");
    assert_string_equal(rows_of(rs, "10.16.0.5/32"), "pod:new.default");

    /* The new row comes first. */
    set_row(rs, 3, RS_SERVICE, "svc", false, "10.16.0.5/32");
    remove_row(rs, 2);
    assert_string_equal(take(rs), "");
    assert_string_equal(rows_of(rs, "10.16.0.5/32"), "service:svc");
    check_counts(rs, 1, 1, 0, 0, 1);
    destroy(rs);
}

static void
test_withdraws_first_then_adds_each_sorted(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_SUBNET, "ls", false, "fd00::/64 10.2.0.0/16");
    set_row(rs, 2, RS_POD, "p", false, "fd00::9/128 10.2.0.9/32 10.1.0.9/32");
    take(rs);
    remove_row(rs, 2);
    remove_row(rs, 1);
    set_row(rs, 3, RS_SERVICE, "s", false,
            "fd01::1/128 10.96.0.10/32 10.96.0.2/32 ::1/128");
    assert_string_equal(take(rs),
                        "-10.1.0.9/32 [pod:p], "
                        "-10.2.0.0/16 [subnet:ls], "
                        "-10.2.0.9/32 [pod:p], "
                        "-fd00::/64 [subnet:ls], "
                        "-fd00::9/128 [pod:p], "
                        "+10.96.0.2/32 [service:s], "
                        "+10.96.0.10/32 [service:s], "
                        "+::1/128 [service:s], "
                        "+fd01::1/128 [service:s]");
    destroy(rs);
}

static void
test_row_kind_change_keeps_prefix(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_POD, "x", false, "10.16.0.5/32 10.16.0.6/32");
    take(rs);
    set_row(rs, 1, RS_SERVICE, "x", false, "10.16.0.5/32");
    assert_string_equal(take(rs), "-10.16.0.6/32 [pod:x]");
    assert_string_equal(rows_of(rs, "10.16.0.5/32"), "service:x");
    check_counts(rs, 1, 1, 0, 0, 1);
    destroy(rs);
}

static void
test_counts_per_kind(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    /* 10.16.0.0/16 is given by a subnet and a service, 10.16.0.5/32 by two
     * pods: each counts once per kind that gives it. */
    set_row(rs, 1, RS_SUBNET, "ls", false, "10.16.0.0/16 fd00::/64");
    set_row(rs, 2, RS_POD, "a", false, "10.16.0.5/32 fd00::5/128");
    set_row(rs, 3, RS_POD, "b", false, "10.16.0.5/32");
    set_row(rs, 4, RS_SERVICE, "s", false, "10.16.0.0/16 10.96.0.1/32");
    check_counts(rs, 5, 4, 2, 2, 2);

    remove_row(rs, 3);
    check_counts(rs, 5, 3, 2, 2, 2);
    set_row(rs, 2, RS_POD, "a", false, "fd00::5/128");
    check_counts(rs, 4, 3, 2, 1, 2);
    remove_row(rs, 1);
    check_counts(rs, 3, 2, 0, 1, 2);
    remove_row(rs, 4);
    check_counts(rs, 1, 1, 0, 1, 0);
    assert_int_equal(route_set_n_prefixes_of_kind(rs, RS_N_KINDS), 0);
    destroy(rs);
}

static void
test_for_each_in_prefix_order(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_SERVICE, "s", false,
            "fd00::10/128 ::/0 10.96.0.10/32 fd00::2/128");
    set_row(rs, 2, RS_SUBNET, "ls", false, "10.0.0.0/8 10.0.0.0/16 0.0.0.0/0");
    set_row(rs, 3, RS_POD, "p", false, "10.96.0.2/32 fd00::2/128");
    assert_string_equal(all_prefixes(rs),
                        "0.0.0.0/0 10.0.0.0/8 10.0.0.0/16 10.96.0.2/32 "
                        "10.96.0.10/32 ::/0 fd00::2/128 fd00::10/128");
    destroy(rs);
}

static void
test_format_rows_of_absent_prefix_is_false(void **state OVS_UNUSED)
{
    struct route_set *rs = create();
    struct nb_prefix p;
    struct ds s = DS_EMPTY_INITIALIZER;

    set_row(rs, 1, RS_SUBNET, "ls", false, "10.16.0.0/16");
    assert_null(nb_prefix_parse("10.16.0.0/24", &p));
    assert_false(route_set_format_rows(rs, &p, &s));
    assert_int_equal(s.length, 0);
    ds_destroy(&s);
    destroy(rs);
}

static void
test_changes_without_descriptions(void **state OVS_UNUSED)
{
    struct route_set *rs = create();
    struct rs_changes changes;

    route_set_describe_changes(rs, false);
    set_row(rs, 1, RS_POD, "a", false, "10.0.0.1/32");
    route_set_take_changes(rs, &changes);
    assert_int_equal(changes.n, 1);
    assert_true(changes.changes[0].add);
    assert_null(changes.changes[0].rows);
    rs_changes_destroy(&changes);
    remove_row(rs, 1);
    route_set_take_changes(rs, &changes);
    assert_int_equal(changes.n, 1);
    assert_false(changes.changes[0].add);
    assert_null(changes.changes[0].rows);
    rs_changes_destroy(&changes);
    destroy(rs);
}

/* The announcements of a fresh set without descriptions, as "+P +P ..."
 * sorted (the set gives them in no order then). */
static const char *
take_plain(struct route_set *rs)
{
    static char buf[1024];
    struct rs_changes changes;
    char *items[64];
    size_t len = 0;

    route_set_take_changes(rs, &changes);
    assert_true(changes.n <= ARRAY_SIZE(items));
    for (size_t i = 0; i < changes.n; i++) {
        char p[NB_PREFIX_STRLEN];
        assert_null(changes.changes[i].rows);
        items[i] = xasprintf("%c%s", changes.changes[i].add ? '+' : '-',
                             nb_prefix_format(&changes.changes[i].prefix, p));
    }
    qsort(items, changes.n, sizeof *items, compare_strings);
    buf[0] = '\0';
    for (size_t i = 0; i < changes.n; i++) {
        len += snprintf(buf + len, sizeof buf - len, "%s%s", i ? " " : "",
                        items[i]);
        free(items[i]);
    }
    rs_changes_destroy(&changes);
    return buf;
}

/* A fresh set records its announcements as they come; a prefix that goes
 * again before the take sends it back to walking the table. */
static void
test_fresh_without_descriptions(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    route_set_describe_changes(rs, false);
    set_row(rs, 1, RS_POD, "a", false, "10.0.0.1/32");
    set_row(rs, 2, RS_POD, "b", false, "10.0.0.2/32 10.0.0.1/32");
    set_row(rs, 3, RS_SUBNET, "c", false, "10.1.0.0/16");
    assert_string_equal(take_plain(rs),
                        "+10.0.0.1/32 +10.0.0.2/32 +10.1.0.0/16");
    assert_string_equal(take_plain(rs), "");
    destroy(rs);

    rs = create();
    route_set_describe_changes(rs, false);
    set_row(rs, 1, RS_POD, "a", false, "10.0.0.1/32");
    set_row(rs, 2, RS_POD, "b", false, "10.0.0.2/32");
    set_row(rs, 1, RS_POD, "a", false, "10.0.0.3/32");
    assert_string_equal(take_plain(rs), "+10.0.0.2/32 +10.0.0.3/32");
    /* Emptied, it is fresh again, and records again. */
    remove_row(rs, 1);
    remove_row(rs, 2);
    assert_string_equal(take_plain(rs), "-10.0.0.2/32 -10.0.0.3/32");
    set_row(rs, 1, RS_POD, "a", false, "10.0.0.4/32");
    assert_string_equal(take_plain(rs), "+10.0.0.4/32");
    destroy(rs);

    /* Descriptions turned off with prefixes in: not recorded, walked. */
    rs = create();
    set_row(rs, 1, RS_POD, "a", false, "10.0.0.1/32");
    route_set_describe_changes(rs, false);
    set_row(rs, 2, RS_POD, "b", false, "10.0.0.2/32");
    assert_string_equal(take_plain(rs), "+10.0.0.1/32 +10.0.0.2/32");
    destroy(rs);
}

/* The set keeps the caller's label, not a copy: a row's label is its
 * current name, the one given last, and the one it had may be freed once
 * a new one is given (ASan checks), even by the call that withdraws it. */
static void
test_label_is_the_current_name(void **state OVS_UNUSED)
{
    struct route_set *rs = create();
    char *old = xstrdup("web-old");

    set_row(rs, 1, RS_POD, old, false, "10.0.0.1/32");
    assert_string_equal(take(rs), "+10.0.0.1/32 [pod:web-old]");
    free(old);
    set_row(rs, 1, RS_POD, "web-new", false, "");
    assert_string_equal(take(rs), "-10.0.0.1/32 [pod:web-new]");

    old = xstrdup("lb-old");
    set_row(rs, 2, RS_SERVICE, old, false, "10.96.0.1/32");
    take(rs);
    route_set_rename_row(rs, row(2), "lb-new");
    free(old);
    assert_string_equal(rows_of(rs, "10.96.0.1/32"), "service:lb-new");
    destroy(rs);
}

/* Rows released for a set about to go free what they hold (ASan checks)
 * and leave the set's tables to route_set_destroy(). */
static void
test_release_rows_then_destroy(void **state OVS_UNUSED)
{
    struct route_set *rs = create();

    set_row(rs, 1, RS_POD, "a", false, "10.0.0.1/32");
    set_row(rs, 2, RS_SUBNET, "b", false, "10.1.0.0/16 fd00::/64");
    set_row(rs, 3, RS_POD, "c", false, "10.0.0.1/32");
    for (unsigned int id = 1; id <= 3; id++) {
        route_set_release_row(rs, row(id));
        assert_int_equal(route_set_n_rows(rs), 3 - id);
        assert_int_equal(row(id)->n_prefixes, 0);
        assert_null(row(id)->name);
    }
    /* Released again: nothing. */
    route_set_release_row(rs, row(1));
    route_set_destroy(rs);
}

/* A set that does not describe its changes lets a fresh set's prefixes
 * wait and puts them in its table all at once (sorted by bucket) when
 * something reads or takes them out: random steps on two sets, one that
 * describes (each prefix looked up as it comes) and one that does not,
 * must give the same contents, counts and net changes.  Many rows in few
 * prefixes make rows share them; 'n_rows' large makes the sort take more
 * than one pass. */
static void
compare_sets(struct route_set *a, struct route_set *b)
{
    assert_int_equal(route_set_n_prefixes(a), route_set_n_prefixes(b));
    assert_int_equal(route_set_n_rows(a), route_set_n_rows(b));
    for (int k = 0; k < RS_N_KINDS; k++) {
        assert_int_equal(route_set_n_prefixes_of_kind(a, k),
                         route_set_n_prefixes_of_kind(b, k));
    }
}

static void
compare_takes(struct route_set *a, struct route_set *b)
{
    struct rs_changes ca, cb;

    route_set_take_changes(a, &ca);
    route_set_take_changes(b, &cb);
    assert_int_equal(ca.n, cb.n);
    /* 'a' gives them sorted, 'b' in no order. */
    qsort(cb.changes, cb.n, sizeof *cb.changes, compare_changes_plain);
    for (size_t i = 0; i < ca.n; i++) {
        assert_int_equal(ca.changes[i].add, cb.changes[i].add);
        assert_true(nb_prefix_equals(&ca.changes[i].prefix,
                                     &cb.changes[i].prefix));
        assert_null(cb.changes[i].rows);
    }
    rs_changes_destroy(&ca);
    rs_changes_destroy(&cb);
}

static void
random_prefix(struct nb_prefix *p, uint32_t n_prefixes)
{
    memset(p, 0, sizeof *p);
    p->addr.s6_addr[10] = p->addr.s6_addr[11] = 0xff;
    uint32_t v = 0x0a000000 + random_range(n_prefixes);
    memcpy(&p->addr.s6_addr[12], &(uint32_t) { htonl(v) }, 4);
    p->plen = 128;
}

static void
run_waiting_vs_described(size_t n_rows, uint32_t n_prefixes, size_t warm,
                         size_t steps)
{
    struct rs_row *ra = xcalloc(n_rows, sizeof *ra);
    struct rs_row *rb = xcalloc(n_rows, sizeof *rb);
    struct route_set *a = route_set_create();
    struct route_set *b = route_set_create();

    route_set_describe_changes(b, false);
    for (size_t step = 0; step < steps; step++) {
        /* The first 'warm' steps only set new rows, as a first snapshot
         * does. */
        uint32_t op = step < warm ? 0 : random_range(100);
        size_t id = step < warm ? step % n_rows : random_range(n_rows);
        if (step == warm && warm) {
            /* The snapshot's announcements, as recorded: settled by a
             * reader first, or by the take. */
            if (random_range(2)) {
                compare_sets(a, b);
            }
            compare_takes(a, b);
        }
        if (op < 70) {
            struct nb_prefix ps[3];
            size_t n = random_range(4);
            for (size_t i = 0; i < n; i++) {
                random_prefix(&ps[i], n_prefixes);
            }
            qsort(ps, n, sizeof *ps, compare_prefixes);
            size_t m = 0;       /* Sorted, no duplicates. */
            for (size_t i = 0; i < n; i++) {
                if (!m || !nb_prefix_equals(&ps[m - 1], &ps[i])) {
                    ps[m++] = ps[i];
                }
            }
            enum rs_kind kind = ra[id].n_prefixes ? ra[id].kind
                                : random_range(RS_N_KINDS);
            route_set_set_row(a, &ra[id], kind, "r", false, ps, m);
            route_set_set_row(b, &rb[id], kind, "r", false, ps, m);
        } else if (op < 80) {
            route_set_remove_row(a, &ra[id]);
            route_set_remove_row(b, &rb[id]);
        } else if (op < 85) {
            compare_sets(a, b);
        } else if (op < 88) {
            struct nb_prefix p;
            struct ds da = DS_EMPTY_INITIALIZER, db = DS_EMPTY_INITIALIZER;
            random_prefix(&p, n_prefixes);
            assert_int_equal(route_set_format_rows(a, &p, &da),
                             route_set_format_rows(b, &p, &db));
            ds_destroy(&da);
            ds_destroy(&db);
        } else if (op < 90) {
            assert_int_equal(route_set_has_changes(a),
                             route_set_has_changes(b));
        } else if (op < 93 || step + 1 == steps) {
            compare_takes(a, b);
            compare_sets(a, b);
        }
    }
    for (size_t i = 0; i < n_rows; i++) {
        route_set_remove_row(a, &ra[i]);
        route_set_remove_row(b, &rb[i]);
    }
    compare_takes(a, b);
    route_set_destroy(a);
    route_set_destroy(b);
    free(ra);
    free(rb);
}

static void
test_waiting_prefixes_match_described_set(void **state OVS_UNUSED)
{
    random_set_seed(12345);
    for (int run = 0; run < 50; run++) {
        run_waiting_vs_described(16, 24, random_range(20), 300);
    }
    /* A large first snapshot: one settle of tens of thousands, sorted in
     * two passes, then changes. */
    run_waiting_vs_described(20000, 30000, 20000, 40000);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_name),
        cmocka_unit_test(test_fresh_without_descriptions),
        cmocka_unit_test(test_release_rows_then_destroy),
        cmocka_unit_test(test_label_is_the_current_name),
        cmocka_unit_test(test_empty_set_has_nothing),
        cmocka_unit_test(test_new_row_announces_its_prefixes),
        cmocka_unit_test(test_take_changes_clears_changes),
        cmocka_unit_test(test_remove_row_withdraws_its_prefixes),
        cmocka_unit_test(test_set_row_with_no_prefixes_removes_row),
        cmocka_unit_test(test_remove_unknown_row_is_noop),
        cmocka_unit_test(test_shared_prefix_stays_until_last_row_goes),
        cmocka_unit_test(test_rows_label_lists_rows_in_order),
        cmocka_unit_test(test_nat_outgoing_suffix_in_label),
        cmocka_unit_test(test_row_change_keeps_common_prefixes),
        cmocka_unit_test(test_row_relabel_is_no_change),
        cmocka_unit_test(test_remove_then_readd_is_no_change),
        cmocka_unit_test(test_add_then_remove_is_no_change),
        cmocka_unit_test(test_emptied_set_starts_afresh),
        cmocka_unit_test(test_prefix_moving_between_rows_is_no_change),
        cmocka_unit_test(test_withdraws_first_then_adds_each_sorted),
        cmocka_unit_test(test_row_kind_change_keeps_prefix),
        cmocka_unit_test(test_counts_per_kind),
        cmocka_unit_test(test_for_each_in_prefix_order),
        cmocka_unit_test(test_format_rows_of_absent_prefix_is_false),
        cmocka_unit_test(test_changes_without_descriptions),
        cmocka_unit_test(test_waiting_prefixes_match_described_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
