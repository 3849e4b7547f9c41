/*
 * Unit tests for ovsdb/nb-replica.c: OVSDB "update2" messages, as an
 * ovsdb-server sends them, go through the update decoder into the replica,
 * and the route set's changes after each message are checked as one
 * string: "+10.1.0.0/16 -10.1.0.1/32".
 *
 * No database: the messages are written here, which lets the tests put
 * rows in the orders that a server may send and that are hard to provoke
 * from ovn-nbctl (a port moving between two switches in one transaction,
 * listed in either order; a port deleted before its switch lets go of it).
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

#include "openvswitch/dynamic-string.h"
#include "ovsdb/nb-map.h"
#include "ovsdb/nb-replica.h"
#include "ovsdb/route-set.h"
#include "ovsdb/update-decoder.h"
#include "util.h"

#define LS1 "00000001-0000-0000-0000-0000000000a1"
#define LS2 "00000002-0000-0000-0000-0000000000a2"
#define P1 "00000011-0000-0000-0000-0000000000b1"
#define P2 "00000012-0000-0000-0000-0000000000b2"
#define P3 "00000013-0000-0000-0000-0000000000b3"
#define P4 "00000014-0000-0000-0000-0000000000b4"
#define LS3 "00000003-0000-0000-0000-0000000000a3"
#define P5 "00000015-0000-0000-0000-0000000000b5"
#define LB1 "00000021-0000-0000-0000-0000000000c1"

#define BGP "\"ovn.kubernetes.io/bgp\""
#define UUID(U) "[\"uuid\",\"" U "\"]"

struct fixture {
    struct route_set *rs;
    struct nb_replica *r;
    struct update_decoder *d;
};

static const struct ud_schema *
on_begin(void *f_, const char *monitor_id)
{
    struct fixture *f = f_;
    if (!monitor_id) {
        nb_replica_begin_snapshot(f->r);
    }
    return nb_replica_schema(true);
}

static void
on_row(void *f_, const struct ud_row *row)
{
    struct fixture *f = f_;
    nb_replica_row(f->r, row);
}

static int
on_message(void *f_, const struct ud_message *m)
{
    struct fixture *f = f_;
    nb_replica_commit(f->r);
    return 0;
}

static const struct ud_ops ops = {
    .updates_begin = on_begin,
    .row = on_row,
    .message = on_message,
};

static int
setup(void **state)
{
    struct fixture *f = xzalloc(sizeof *f);
    const struct nb_replica_options opts = {
        .node_name = "node-a",
        .announce_cluster_ip = true,
    };
    f->rs = route_set_create();
    f->r = nb_replica_create(&opts, f->rs);
    f->d = update_decoder_create(&ops, f);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    update_decoder_destroy(f->d);
    nb_replica_destroy(f->r);
    route_set_destroy(f->rs);
    free(f);
    return 0;
}

static void
feed(struct fixture *f, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *msg = xvasprintf(format, args);
    va_end(args);
    if (update_decoder_feed(f->d, msg, strlen(msg))) {
        fail_msg("%s: %s", msg, update_decoder_error(f->d));
    }
    free(msg);
}

/* A monitor reply (a whole snapshot) and an update2 notification. */
#define snapshot(F, TABLES) feed(F, "{\"id\":2,\"result\":{" TABLES "}}")
#define update(F, TABLES) \
    feed(F, "{\"id\":null,\"method\":\"update2\",\"params\":[\"nb\",{" \
         TABLES "}]}")

/* The changes since the last call, as "+P -P ...". */
static void
expect_changes(struct fixture *f, const char *expected)
{
    struct rs_changes changes;
    struct ds s = DS_EMPTY_INITIALIZER;

    route_set_take_changes(f->rs, &changes);
    for (size_t i = 0; i < changes.n; i++) {
        char buf[NB_PREFIX_STRLEN];
        ds_put_format(&s, "%s%c%s", i ? " " : "",
                      changes.changes[i].add ? '+' : '-',
                      nb_prefix_format(&changes.changes[i].prefix, buf));
    }
    rs_changes_destroy(&changes);
    assert_string_equal(ds_cstr(&s), expected);
    ds_destroy(&s);
}

static void
expect_counts(struct fixture *f, size_t switches, size_t ports, size_t lbs,
              size_t skipped)
{
    struct nb_replica_counts c;
    nb_replica_get_counts(f->r, &c);
    assert_int_equal(c.n_switches, switches);
    assert_int_equal(c.n_ports, ports);
    assert_int_equal(c.n_load_balancers, lbs);
    assert_int_equal(c.n_skipped, skipped);
}

/* LS1: an announced subnet with P1 (announced) and P2 (not).  LS2: a
 * "local" subnet with P3 (on node-a, this speaker's) and P4 (node-b). */
#define BASE_SWITCHES \
    "\"Logical_Switch\":{" \
    "\"" LS1 "\":{\"initial\":{\"name\":\"ls1\",\"ports\":[\"set\",[" \
    UUID(P1) "," UUID(P2) "]],\"external_ids\":[\"map\",[[" BGP ",\"true\"]," \
    "[\"ovn.kubernetes.io/cidr\",\"10.1.0.0/16\"]]]}}," \
    "\"" LS2 "\":{\"initial\":{\"name\":\"ls2\",\"ports\":[\"set\",[" \
    UUID(P3) "," UUID(P4) "]],\"external_ids\":[\"map\",[[" BGP \
    ",\"local\"]]],\"other_config\":[\"map\",[[\"subnet\",\"10.2.0.0/16\"]]]" \
    "}}}"
#define PORT(U, NAME, IP, EXTRA) \
    "\"" U "\":{\"initial\":{\"name\":\"" NAME "\",\"addresses\":" \
    "\"0a:00:00:00:00:01 " IP "\"" EXTRA "}}"
#define BASE_PORTS \
    "\"Logical_Switch_Port\":{" \
    PORT(P1, "p1", "10.1.0.1", ",\"external_ids\":[\"map\",[[" BGP \
         ",\"true\"],[\"pod\",\"ns/p1\"]]]") "," \
    PORT(P2, "p2", "10.1.0.2", "") "," \
    PORT(P3, "p3", "10.2.0.3", ",\"options\":[\"map\",[[" \
         "\"requested-chassis\",\"node-a\"]]]") "," \
    PORT(P4, "p4", "10.2.0.4", ",\"options\":[\"map\",[[" \
         "\"requested-chassis\",\"node-b\"]]]") "}"

static void
base(struct fixture *f)
{
    /* Ports first: their switches are not known yet. */
    snapshot(f, BASE_PORTS "," BASE_SWITCHES);
    expect_changes(f, "+10.1.0.0/16 +10.1.0.1/32 +10.2.0.3/32");
    expect_counts(f, 2, 4, 0, 0);
}

static void
test_snapshot(void **state)
{
    base(*state);
}

/* A map difference: the pair already held removes the key; another value
 * replaces it. */
static void
test_map_difference(void **state)
{
    struct fixture *f = *state;
    base(f);
    update(f, "\"Logical_Switch_Port\":{\"" P1 "\":{\"modify\":{"
           "\"external_ids\":[\"map\",[[" BGP ",\"true\"]]]}}}");
    expect_changes(f, "-10.1.0.1/32");
    update(f, "\"Logical_Switch_Port\":{\"" P2 "\":{\"modify\":{"
           "\"external_ids\":[\"map\",[[" BGP ",\"cluster\"]]]}}}");
    expect_changes(f, "+10.1.0.2/32");
    update(f, "\"Logical_Switch_Port\":{\"" P2 "\":{\"modify\":{"
           "\"external_ids\":[\"map\",[[" BGP ",\"bogus\"]]]}}}");
    expect_changes(f, "-10.1.0.2/32");
    expect_counts(f, 2, 4, 0, 1);
    /* Unkept keys change nothing. */
    update(f, "\"Logical_Switch_Port\":{\"" P3 "\":{\"modify\":{"
           "\"external_ids\":[\"map\",[[\"pod\",\"x\"]]]}}}");
    expect_changes(f, "");
}

/* A set difference toggles elements; an optional column comes whole. */
static void
test_set_difference(void **state)
{
    struct fixture *f = *state;
    base(f);
    update(f, "\"Logical_Switch_Port\":{\"" P1 "\":{\"modify\":{"
           "\"addresses\":[\"set\",[\"0a:00:00:00:00:01 10.1.0.1\","
           "\"0a:00:00:00:00:09 10.1.0.9\"]]}}}");
    expect_changes(f, "-10.1.0.1/32 +10.1.0.9/32");
    update(f, "\"Logical_Switch_Port\":{\"" P1 "\":{\"modify\":{"
           "\"addresses\":\"0a:00:00:00:00:01 dynamic\","
           "\"dynamic_addresses\":\"0a:00:00:00:00:01 10.1.0.7\"}}}");
    expect_changes(f, "+10.1.0.7/32");
    update(f, "\"Logical_Switch_Port\":{\"" P1 "\":{\"modify\":{"
           "\"enabled\":false}}}");
    expect_changes(f, "-10.1.0.7/32 -10.1.0.9/32");
    update(f, "\"Logical_Switch_Port\":{\"" P1 "\":{\"modify\":{"
           "\"enabled\":[\"set\",[]]}}}");
    expect_changes(f, "+10.1.0.7/32 +10.1.0.9/32");
}

/* P3 moves from LS2 ("local") to LS1 in one transaction, the two switches
 * listed in either order; then back. */
static void
test_port_moves(void **state)
{
    struct fixture *f = *state;
    base(f);
    update(f, "\"Logical_Switch\":{"
           "\"" LS1 "\":{\"modify\":{\"ports\":" UUID(P3) "}},"
           "\"" LS2 "\":{\"modify\":{\"ports\":" UUID(P3) "}}}");
    expect_changes(f, "-10.2.0.3/32");
    update(f, "\"Logical_Switch\":{"
           "\"" LS1 "\":{\"modify\":{\"ports\":" UUID(P3) "}},"
           "\"" LS2 "\":{\"modify\":{\"ports\":" UUID(P3) "}}}");
    expect_changes(f, "+10.2.0.3/32");
    update(f, "\"Logical_Switch\":{"
           "\"" LS2 "\":{\"modify\":{\"ports\":" UUID(P3) "}},"
           "\"" LS1 "\":{\"modify\":{\"ports\":" UUID(P3) "}}}");
    expect_changes(f, "-10.2.0.3/32");
    expect_counts(f, 2, 4, 0, 0);
}

/* A switch's policy is what its unannotated ports inherit. */
static void
test_switch_policy(void **state)
{
    struct fixture *f = *state;
    base(f);
    update(f, "\"Logical_Switch\":{\"" LS2 "\":{\"modify\":{"
           "\"external_ids\":[\"map\",[[" BGP ",\"true\"]]]}}}");
    expect_changes(f, "-10.2.0.3/32 +10.2.0.0/16");
    update(f, "\"Logical_Switch\":{\"" LS2 "\":{\"modify\":{"
           "\"external_ids\":[\"map\",[[" BGP ",\"local\"]]]}}}");
    expect_changes(f, "-10.2.0.0/16 +10.2.0.3/32");
    /* A switch gone: its ports' routes with it. */
    update(f, "\"Logical_Switch\":{\"" LS2 "\":{\"delete\":null}},"
           "\"Logical_Switch_Port\":{\"" P3 "\":{\"delete\":null},"
           "\"" P4 "\":{\"delete\":null}}");
    expect_changes(f, "-10.2.0.3/32");
    expect_counts(f, 1, 2, 0, 0);
    /* A new "local" switch and its port in one transaction, the switch
     * first: the port, mapped as it comes, before the commit gives the
     * switch its policy, gets it all the same. */
    update(f, "\"Logical_Switch\":{\"" LS3 "\":{\"insert\":{"
           "\"name\":\"ls3\",\"ports\":" UUID(P5) ",\"external_ids\":"
           "[\"map\",[[" BGP ",\"local\"]]]}}},"
           "\"Logical_Switch_Port\":{\"" P5 "\":{\"insert\":{"
           "\"name\":\"p5\",\"addresses\":\"0a:00:00:00:00:05 10.3.0.5\","
           "\"options\":[\"map\",[[\"requested-chassis\",\"node-a\"]]]}}}");
    expect_changes(f, "+10.3.0.5/32");
    /* And loses it with the switch's policy. */
    update(f, "\"Logical_Switch\":{\"" LS3 "\":{\"modify\":{"
           "\"external_ids\":[\"map\",[[" BGP ",\"local\"]]]}}}");
    expect_changes(f, "-10.3.0.5/32");
    expect_counts(f, 2, 3, 0, 0);
}

/* A port listed by two switches inherits "local" while the "local" one
 * lists it, whichever came first; when that one goes, it inherits from the
 * other; several switches deleted in one transaction. */
static void
test_switches_deleted(void **state)
{
    struct fixture *f = *state;
    base(f);
    update(f, "\"Logical_Switch\":{\"" LS1 "\":{\"modify\":{\"ports\":"
           UUID(P3) "}}}");
    expect_changes(f, "");
    update(f, "\"Logical_Switch\":{\"" LS2 "\":{\"delete\":null}},"
           "\"Logical_Switch_Port\":{\"" P4 "\":{\"delete\":null}}");
    expect_changes(f, "-10.2.0.3/32");
    expect_counts(f, 1, 3, 0, 0);
    update(f, "\"Logical_Switch\":{\"" LS1 "\":{\"delete\":null}},"
           "\"Logical_Switch_Port\":{\"" P1 "\":{\"delete\":null},"
           "\"" P2 "\":{\"delete\":null},\"" P3 "\":{\"delete\":null}}");
    expect_changes(f, "-10.1.0.0/16 -10.1.0.1/32");
    expect_counts(f, 0, 0, 0, 0);
}

/* A switch that is not "local" keeps its port list as uuids, differences
 * appended (and compacted as they pile up): when it turns "local", exactly
 * the ports it lists then inherit it, and lose it when it turns back. */
static void
test_switch_list_kept(void **state)
{
    struct fixture *f = *state;
    base(f);
    /* P3 (on node-a) joins LS1 too, and leaves and joins LS1 300 times:
     * 601 toggles, the last one in. */
    update(f, "\"Logical_Switch\":{\"" LS1 "\":{\"modify\":{\"ports\":"
           UUID(P3) "}}}");
    for (int i = 0; i < 300; i++) {
        update(f, "\"Logical_Switch\":{\"" LS1 "\":{\"modify\":{"
               "\"ports\":" UUID(P3) "}}}");
        update(f, "\"Logical_Switch\":{\"" LS1 "\":{\"modify\":{"
               "\"ports\":" UUID(P3) "}}}");
    }
    expect_changes(f, "");
    /* LS2 lets P3 go: only LS1 lists it, which is not local. */
    update(f, "\"Logical_Switch\":{\"" LS2 "\":{\"modify\":{\"ports\":"
           UUID(P3) "}}}");
    expect_changes(f, "-10.2.0.3/32");
    /* LS1 turns local: P3 (node-a) is announced, P1 keeps its own
     * annotation, P2 is on no node. */
    update(f, "\"Logical_Switch\":{\"" LS1 "\":{\"modify\":{"
           "\"external_ids\":[\"map\",[[" BGP ",\"local\"]]]}}}");
    expect_changes(f, "-10.1.0.0/16 +10.2.0.3/32");
    /* And back to announcing its subnet. */
    update(f, "\"Logical_Switch\":{\"" LS1 "\":{\"modify\":{"
           "\"external_ids\":[\"map\",[[" BGP ",\"true\"]]]}}}");
    expect_changes(f, "-10.2.0.3/32 +10.1.0.0/16");
    expect_counts(f, 2, 4, 0, 0);
}

/* A port deleted before or after its switch lets go of it. */
static void
test_port_delete_orders(void **state)
{
    struct fixture *f = *state;
    base(f);
    update(f, "\"Logical_Switch_Port\":{\"" P1 "\":{\"delete\":null}},"
           "\"Logical_Switch\":{\"" LS1 "\":{\"modify\":{\"ports\":"
           UUID(P1) "}}}");
    expect_changes(f, "-10.1.0.1/32");
    update(f, "\"Logical_Switch\":{\"" LS2 "\":{\"modify\":{\"ports\":"
           UUID(P3) "}}},"
           "\"Logical_Switch_Port\":{\"" P3 "\":{\"delete\":null}}");
    expect_changes(f, "-10.2.0.3/32");
    expect_counts(f, 2, 2, 0, 0);
    /* A new port on a local switch. */
    update(f, "\"Logical_Switch_Port\":{\"" P3 "\":{\"insert\":{"
           "\"name\":\"p3\",\"addresses\":\"0a:00:00:00:00:03 10.2.0.33\","
           "\"options\":[\"map\",[[\"requested-chassis\",\"node-a\"]]]}}},"
           "\"Logical_Switch\":{\"" LS2 "\":{\"modify\":{\"ports\":"
           UUID(P3) "}}}");
    expect_changes(f, "+10.2.0.33/32");
    expect_counts(f, 2, 3, 0, 0);
}

/* A new connection's snapshot: what it leaves out is gone, what it
 * repeats changes nothing. */
static void
test_resync(void **state)
{
    struct fixture *f = *state;
    base(f);
    snapshot(f, BASE_PORTS "," BASE_SWITCHES);
    expect_changes(f, "");
    snapshot(f, "\"Logical_Switch\":{"
             "\"" LS1 "\":{\"initial\":{\"name\":\"ls1\",\"ports\":" UUID(P1)
             ",\"external_ids\":[\"map\",[[" BGP ",\"true\"],"
             "[\"ovn.kubernetes.io/cidr\",\"10.1.0.0/16\"]]]}}},"
             "\"Logical_Switch_Port\":{"
             PORT(P1, "p1", "10.1.0.1", ",\"external_ids\":[\"map\",[["
                  BGP ",\"true\"]]]") "}");
    expect_changes(f, "-10.2.0.3/32");
    expect_counts(f, 1, 1, 0, 0);
    snapshot(f, "");
    expect_changes(f, "-10.1.0.0/16 -10.1.0.1/32");
    expect_counts(f, 0, 0, 0, 0);
}

/* Snapshots cut short, as when connections drop mid-reply, any number of
 * times: the next whole snapshot still removes what it leaves out. */
static void
test_aborted_snapshots(void **state)
{
    struct fixture *f = *state;
    base(f);
    for (int i = 0; i < 70000; i++) {
        feed(f, "{\"id\":2,\"result\":{\"Logical_Switch\":{");
        update_decoder_reset(f->d);
    }
    expect_changes(f, "");
    snapshot(f, BASE_PORTS "," "\"Logical_Switch\":{"
             "\"" LS2 "\":{\"initial\":{\"name\":\"ls2\",\"ports\":[\"set\",["
             UUID(P3) "," UUID(P4) "]],\"external_ids\":[\"map\",[[" BGP
             ",\"local\"]]]}}}");
    expect_changes(f, "-10.1.0.0/16");
    expect_counts(f, 1, 4, 0, 0);
}

/* In a first snapshot, port rows go into the replica's map only at the
 * commit (or when something looks a port up): a port sent twice (a broken
 * server) is its later row, and a first snapshot cut short among its
 * ports, then sent whole, leaves each port once. */
static void
test_port_twice_in_first_snapshot(void **state)
{
    struct fixture *f = *state;

    snapshot(f, "\"Logical_Switch_Port\":{"
             PORT(P1, "p1", "10.1.0.1", ",\"external_ids\":[\"map\",[["
                  BGP ",\"true\"]]]") ","
             PORT(P2, "p2", "10.1.0.2", "") ","
             PORT(P3, "p3", "10.2.0.3", ",\"options\":[\"map\",[["
                  "\"requested-chassis\",\"node-b\"]]]") ","
             PORT(P4, "p4", "10.2.0.4", ",\"options\":[\"map\",[["
                  "\"requested-chassis\",\"node-b\"]]]") ","
             PORT(P1, "p1", "10.1.0.9", ",\"external_ids\":[\"map\",[["
                  BGP ",\"true\"]]]") ","
             PORT(P3, "p3", "10.2.0.3", ",\"options\":[\"map\",[["
                  "\"requested-chassis\",\"node-a\"]]]") "},"
             BASE_SWITCHES);
    expect_changes(f, "+10.1.0.0/16 +10.1.0.9/32 +10.2.0.3/32");
    expect_counts(f, 2, 4, 0, 0);
}

/* A difference to a port in the same first snapshot (no server sends it,
 * but the decoder takes it) applies to the row it changes. */
static void
test_port_difference_in_first_snapshot(void **state)
{
    struct fixture *f = *state;

    snapshot(f, "\"Logical_Switch_Port\":{"
             PORT(P1, "p1", "10.1.0.1", ",\"external_ids\":[\"map\",[["
                  BGP ",\"true\"]]]") ","
             PORT(P2, "p2", "10.1.0.2", ",\"external_ids\":[\"map\",[["
                  BGP ",\"true\"]]]") ","
             "\"" P1 "\":{\"modify\":{\"external_ids\":[\"map\",[["
             BGP ",\"true\"]]]}}},"
             BASE_SWITCHES);
    expect_changes(f, "+10.1.0.0/16 +10.1.0.2/32");
    expect_counts(f, 2, 2, 0, 0);
}

static void
test_first_snapshot_cut_among_ports(void **state)
{
    struct fixture *f = *state;

    feed(f, "{\"id\":2,\"result\":{" BASE_PORTS ",\"Logical_Switch\":{");
    update_decoder_reset(f->d);
    base(f);
    update(f, "\"Logical_Switch_Port\":{\"" P1 "\":{\"delete\":null}}");
    expect_changes(f, "-10.1.0.1/32");
    expect_counts(f, 2, 3, 0, 0);
}

/* An update cut short (deleting LS1, moving P3's address) leaves the route
 * set part-way (P3 is mapped as it arrives), which nobody takes: the
 * watcher hands changes on only after a commit.  The whole snapshot that
 * follows then gives only the real difference: none. */
static void
test_aborted_update_then_snapshot(void **state)
{
    struct fixture *f = *state;
    base(f);
    feed(f, "{\"id\":null,\"method\":\"update2\",\"params\":[\"nb\",{"
         "\"Logical_Switch\":{\"" LS1 "\":{\"delete\":null}},"
         "\"Logical_Switch_Port\":{\"" P3 "\":{\"modify\":{\"addresses\":"
         "[\"set\",[\"0a:00:00:00:00:01 10.2.0.3\",\"0a:00:00:00:00:01 "
         "10.2.0.99\"]]}}");
    update_decoder_reset(f->d);
    snapshot(f, BASE_PORTS "," BASE_SWITCHES);
    expect_changes(f, "");
    expect_counts(f, 2, 4, 0, 0);
}

static void
test_load_balancer(void **state)
{
    struct fixture *f = *state;
    snapshot(f, "\"Load_Balancer\":{\"" LB1 "\":{\"initial\":{"
             "\"name\":\"lb\",\"vips\":[\"map\",[[\"10.96.0.1:443\","
             "\"10.0.0.2:6443\"],[\"10.96.0.10:53\",\"10.244.0.5:53\"]]],"
             "\"external_ids\":[\"map\",[[" BGP ",\"true\"]]]}}}");
    expect_changes(f, "+10.96.0.1/32 +10.96.0.10/32");
    update(f, "\"Load_Balancer\":{\"" LB1 "\":{\"modify\":{"
           "\"vips\":[\"map\",[[\"10.96.0.1:443\",\"10.0.0.2:6443\"],"
           "[\"10.96.0.10:53\",\"10.244.0.6:53\"],"
           "[\"[fd00::a]:80\",\"[fd00::1]:80\"]]]}}}");
    expect_changes(f, "-10.96.0.1/32 +fd00::a/128");
    expect_counts(f, 0, 0, 1, 0);
    update(f, "\"Load_Balancer\":{\"" LB1 "\":{\"delete\":null}}");
    expect_changes(f, "-10.96.0.10/32 -fd00::a/128");
    expect_counts(f, 0, 0, 0, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_difference, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_set_difference, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_port_moves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_switch_policy, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_switch_list_kept, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_switches_deleted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_port_delete_orders, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_twice_in_first_snapshot,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_difference_in_first_snapshot,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_snapshot_cut_among_ports,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_aborted_snapshots, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_aborted_update_then_snapshot,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_balancer, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
