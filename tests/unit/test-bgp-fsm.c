/*
 * The BGP state machine, driven with no sockets: every effect is recorded
 * by the test's callbacks and checked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "bgp/fsm.h"

/* What the machine asked for. */
struct record {
    int connects, closes, opens, keepalives, notifications, established;
    struct bgp_notification last_notification;
    unsigned int timers[BGP_TIMER_N];   /* 0: stopped. */
    int timer_sets[BGP_TIMER_N];
    char log[1024];                     /* "Idle>Connect Connect>..." */
};

static struct record rec;

static void
op_connect(struct bgp_fsm *f)
{
    rec.connects++;
}

static void
op_close(struct bgp_fsm *f)
{
    rec.closes++;
}

static void
op_send_open(struct bgp_fsm *f)
{
    rec.opens++;
}

static void
op_send_keepalive(struct bgp_fsm *f)
{
    rec.keepalives++;
}

static void
op_send_notification(struct bgp_fsm *f, const struct bgp_notification *n)
{
    if (n->code) {
        rec.notifications++;
        rec.last_notification = *n;
    }
}

static void
op_set_timer(struct bgp_fsm *f, enum bgp_timer t, unsigned seconds)
{
    rec.timers[t] = seconds;
    rec.timer_sets[t]++;
}

static void
op_established(struct bgp_fsm *f)
{
    rec.established++;
}

static void
op_state_changed(struct bgp_fsm *f, enum bgp_state old, const char *reason)
{
    size_t len = strlen(rec.log);
    snprintf(rec.log + len, sizeof rec.log - len, "%s%s>%s",
             len ? " " : "", bgp_state_name(old), bgp_state_name(f->state));
}

static const struct bgp_fsm_ops ops = {
    .connect = op_connect,
    .close = op_close,
    .send_open = op_send_open,
    .send_keepalive = op_send_keepalive,
    .send_notification = op_send_notification,
    .set_timer = op_set_timer,
    .established = op_established,
    .state_changed = op_state_changed,
};

static struct bgp_fsm fsm;

static int
setup(void **state)
{
    memset(&rec, 0, sizeof rec);
    bgp_fsm_init(&fsm, &ops, NULL);
    return 0;
}

static void
reset_record(void)
{
    memset(&rec, 0, sizeof rec);
}

static struct bgp_open
peer_open(uint16_t hold)
{
    struct bgp_open o;
    memset(&o, 0, sizeof o);
    o.as = 65030;
    o.hold_time = hold;
    o.bgp_id = 0x7f000002;
    return o;
}

/* Drives a fresh machine to Established with the peer's hold time
 * 'hold'. */
static void
establish(uint16_t hold)
{
    struct bgp_open o = peer_open(hold);
    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_OPEN, &o);
    bgp_fsm_event(&fsm, BGP_EV_KEEPALIVE, NULL);
    assert_int_equal(fsm.state, BGP_ST_ESTABLISHED);
}

static void
test_start_connects(void **state)
{
    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    assert_int_equal(fsm.state, BGP_ST_CONNECT);
    assert_int_equal(rec.connects, 1);
    assert_int_equal(rec.timers[BGP_TIMER_CONNECT_RETRY], 5);
    assert_string_equal(rec.log, "Idle>Connect");
}

static void
test_start_passive_waits(void **state)
{
    fsm.passive = true;
    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    assert_int_equal(fsm.state, BGP_ST_ACTIVE);
    assert_int_equal(rec.connects, 0);
    assert_int_equal(rec.timers[BGP_TIMER_CONNECT_RETRY], 0);
    /* A retry timer firing anyway does not make it connect. */
    bgp_fsm_event(&fsm, BGP_EV_CONNECT_RETRY_EXPIRED, NULL);
    assert_int_equal(fsm.state, BGP_ST_ACTIVE);
    assert_int_equal(rec.connects, 0);
}

/* Held: waits like a passive machine, and takes the peer's connection. */
static void
test_hold_dial_waits_and_accepts(void **state)
{
    fsm.hold_dial = true;
    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    assert_int_equal(fsm.state, BGP_ST_ACTIVE);
    assert_int_equal(rec.timers[BGP_TIMER_CONNECT_RETRY], 0);
    bgp_fsm_event(&fsm, BGP_EV_CONNECT_RETRY_EXPIRED, NULL);
    assert_int_equal(fsm.state, BGP_ST_ACTIVE);
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    assert_int_equal(fsm.state, BGP_ST_OPENSENT);
    /* That connection lost: back to waiting, still without a retry. */
    bgp_fsm_event(&fsm, BGP_EV_TCP_FAILED, NULL);
    assert_int_equal(fsm.state, BGP_ST_ACTIVE);
    assert_int_equal(rec.timers[BGP_TIMER_CONNECT_RETRY], 0);
    assert_int_equal(rec.connects, 0);
}

/* Released while waiting: connects at once. */
static void
test_dial_from_active_connects_now(void **state)
{
    fsm.hold_dial = true;
    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    assert_true(bgp_fsm_dial(&fsm, "complete"));
    assert_false(fsm.hold_dial);
    assert_int_equal(fsm.state, BGP_ST_CONNECT);
    assert_int_equal(rec.connects, 1);
    assert_int_equal(rec.timers[BGP_TIMER_CONNECT_RETRY], 5);
    assert_string_equal(rec.log, "Idle>Active Active>Connect");
    /* Once only. */
    assert_false(bgp_fsm_dial(&fsm, "again"));
    assert_int_equal(rec.connects, 1);
}

/* Released in Idle, between a lost session and its automatic restart:
 * no idle-hold wait. */
static void
test_dial_from_idle_skips_idle_hold(void **state)
{
    struct bgp_open o = peer_open(90);

    fsm.hold_dial = true;
    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_OPEN, &o);
    bgp_fsm_event(&fsm, BGP_EV_TCP_FAILED, NULL);
    assert_int_equal(fsm.state, BGP_ST_IDLE);
    assert_int_equal(rec.timers[BGP_TIMER_IDLE_HOLD], 1);
    assert_true(bgp_fsm_dial(&fsm, "complete"));
    assert_int_equal(fsm.state, BGP_ST_CONNECT);
    assert_int_equal(rec.timers[BGP_TIMER_IDLE_HOLD], 0);
    assert_int_equal(rec.connects, 1);
}

/* Released with a connection: it goes on; a later loss retries as
 * usual. */
static void
test_dial_with_a_connection_keeps_it(void **state)
{
    fsm.hold_dial = true;
    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    assert_false(bgp_fsm_dial(&fsm, "complete"));
    assert_false(fsm.hold_dial);
    assert_int_equal(fsm.state, BGP_ST_OPENSENT);
    assert_int_equal(rec.connects, 0);
    bgp_fsm_event(&fsm, BGP_EV_TCP_FAILED, NULL);
    assert_int_equal(fsm.state, BGP_ST_ACTIVE);
    assert_int_equal(rec.timers[BGP_TIMER_CONNECT_RETRY], 5);
}

/* Passive or stopped machines never dial. */
static void
test_dial_leaves_passive_and_stopped(void **state)
{
    fsm.passive = true;
    fsm.hold_dial = true;
    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    bgp_fsm_dial(&fsm, "complete");
    assert_int_equal(fsm.state, BGP_ST_ACTIVE);
    assert_int_equal(rec.connects, 0);

    setup(state);
    fsm.hold_dial = true;
    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    bgp_fsm_event(&fsm, BGP_EV_STOP, NULL);
    bgp_fsm_dial(&fsm, "complete");
    assert_int_equal(fsm.state, BGP_ST_IDLE);
    assert_int_equal(rec.connects, 0);
}

static void
test_full_handshake(void **state)
{
    struct bgp_open o = peer_open(30);

    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    assert_int_equal(fsm.state, BGP_ST_OPENSENT);
    assert_int_equal(rec.opens, 1);
    assert_int_equal(rec.timers[BGP_TIMER_CONNECT_RETRY], 0);
    assert_int_equal(rec.timers[BGP_TIMER_HOLD], 240);

    bgp_fsm_event(&fsm, BGP_EV_OPEN, &o);
    assert_int_equal(fsm.state, BGP_ST_OPENCONFIRM);
    assert_int_equal(rec.keepalives, 1);
    assert_int_equal(fsm.neg_hold_time, 30);
    assert_int_equal(rec.timers[BGP_TIMER_HOLD], 30);
    assert_int_equal(rec.timers[BGP_TIMER_KEEPALIVE], 10);

    bgp_fsm_event(&fsm, BGP_EV_KEEPALIVE, NULL);
    assert_int_equal(fsm.state, BGP_ST_ESTABLISHED);
    assert_int_equal(rec.established, 1);
    assert_string_equal(rec.log, "Idle>Connect Connect>OpenSent "
                        "OpenSent>OpenConfirm OpenConfirm>Established");
}

static void
test_hold_time_is_the_smaller(void **state)
{
    establish(180);
    assert_int_equal(fsm.neg_hold_time, 90);
    assert_int_equal(bgp_fsm_keepalive_interval(&fsm), 30);
}

static void
test_hold_time_zero_means_no_timers(void **state)
{
    establish(0);
    assert_int_equal(fsm.neg_hold_time, 0);
    assert_int_equal(rec.timers[BGP_TIMER_HOLD], 0);
    assert_int_equal(rec.timers[BGP_TIMER_KEEPALIVE], 0);
}

static void
test_messages_restart_hold_timer(void **state)
{
    establish(9);
    for (int ev = BGP_EV_KEEPALIVE; ev <= BGP_EV_ROUTE_REFRESH; ev++) {
        rec.timer_sets[BGP_TIMER_HOLD] = 0;
        rec.timers[BGP_TIMER_HOLD] = 0;
        bgp_fsm_event(&fsm, ev, NULL);
        assert_int_equal(fsm.state, BGP_ST_ESTABLISHED);
        assert_int_equal(rec.timer_sets[BGP_TIMER_HOLD], 1);
        assert_int_equal(rec.timers[BGP_TIMER_HOLD], 9);
    }
}

static void
test_keepalive_timer_sends_keepalive(void **state)
{
    establish(30);
    reset_record();
    bgp_fsm_event(&fsm, BGP_EV_KEEPALIVE_EXPIRED, NULL);
    assert_int_equal(rec.keepalives, 1);
    assert_int_equal(rec.timers[BGP_TIMER_KEEPALIVE], 10);
    assert_int_equal(fsm.state, BGP_ST_ESTABLISHED);
}

static void
test_hold_expiry_sends_notification(void **state)
{
    establish(9);
    reset_record();
    bgp_fsm_event(&fsm, BGP_EV_HOLD_EXPIRED, NULL);
    assert_int_equal(fsm.state, BGP_ST_IDLE);
    assert_int_equal(rec.notifications, 1);
    assert_int_equal(rec.last_notification.code, BGP_ERR_HOLD_TIMER);
    assert_int_equal(rec.last_notification.subcode, 0);
    assert_int_equal(rec.closes, 1);
    /* Every session timer stopped, a restart armed. */
    assert_int_equal(rec.timers[BGP_TIMER_HOLD], 0);
    assert_int_equal(rec.timers[BGP_TIMER_KEEPALIVE], 0);
    assert_int_equal(rec.timers[BGP_TIMER_SEND_HOLD], 0);
    assert_int_equal(rec.timers[BGP_TIMER_IDLE_HOLD], 1);
}

static void
test_send_hold_expiry(void **state)
{
    establish(90);
    reset_record();
    bgp_fsm_event(&fsm, BGP_EV_SEND_HOLD_EXPIRED, NULL);
    assert_int_equal(fsm.state, BGP_ST_IDLE);
    assert_int_equal(rec.last_notification.code, 8);
    assert_int_equal(rec.closes, 1);
}

static void
test_restart_backs_off(void **state)
{
    unsigned int expected[] = { 1, 2, 4, 8, 16, 32, 64, 120, 120 };

    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    for (size_t i = 0; i < sizeof expected / sizeof *expected; i++) {
        bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
        bgp_fsm_event(&fsm, BGP_EV_TCP_FAILED, NULL);   /* To Active. */
        bgp_fsm_event(&fsm, BGP_EV_OPEN, NULL);         /* Unexpected. */
        assert_int_equal(fsm.state, BGP_ST_IDLE);
        assert_int_equal(rec.timers[BGP_TIMER_IDLE_HOLD], expected[i]);
        bgp_fsm_event(&fsm, BGP_EV_IDLE_HOLD_EXPIRED, NULL);
        assert_int_equal(fsm.state, BGP_ST_CONNECT);
    }
    /* A session that stays up for the stable time resets the delay. */
    struct bgp_open o = peer_open(90);
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_OPEN, &o);
    bgp_fsm_event(&fsm, BGP_EV_KEEPALIVE, NULL);
    assert_int_equal(rec.timers[BGP_TIMER_STABLE], 60);
    bgp_fsm_event(&fsm, BGP_EV_STABLE_EXPIRED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_TCP_FAILED, NULL);
    assert_int_equal(rec.timers[BGP_TIMER_IDLE_HOLD], 1);
    assert_int_equal(rec.timers[BGP_TIMER_STABLE], 0);
}

/* A peer that drops every session right after it comes up is not retried
 * every second: the delay keeps doubling until a session stays up. */
static void
test_flapping_session_keeps_backing_off(void **state)
{
    unsigned int expected[] = { 1, 2, 4, 8 };
    struct bgp_open o = peer_open(90);

    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    for (size_t i = 0; i < sizeof expected / sizeof *expected; i++) {
        bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
        bgp_fsm_event(&fsm, BGP_EV_OPEN, &o);
        bgp_fsm_event(&fsm, BGP_EV_KEEPALIVE, NULL);
        assert_int_equal(fsm.state, BGP_ST_ESTABLISHED);
        bgp_fsm_event(&fsm, BGP_EV_TCP_FAILED, NULL);
        assert_int_equal(fsm.state, BGP_ST_IDLE);
        assert_int_equal(rec.timers[BGP_TIMER_IDLE_HOLD], expected[i]);
        bgp_fsm_event(&fsm, BGP_EV_IDLE_HOLD_EXPIRED, NULL);
    }
    /* The stable timer of a session gone does nothing. */
    bgp_fsm_event(&fsm, BGP_EV_STABLE_EXPIRED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_TCP_FAILED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_CONNECT_RETRY_EXPIRED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_KEEPALIVE, NULL);   /* Unexpected. */
    assert_int_equal(fsm.state, BGP_ST_IDLE);
    assert_int_equal(rec.timers[BGP_TIMER_IDLE_HOLD], 16);
}

/* The peer's side of a collision: from OpenConfirm back to OpenSent on the
 * peer's connection, which carries our OPEN.  OpenConfirm's keepalive
 * timer must not run on into OpenSent, where its expiry is an FSM
 * error. */
static void
test_replaced_connection_resets_timers(void **state)
{
    struct bgp_open o = peer_open(9);

    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_OPEN, &o);
    assert_int_equal(fsm.state, BGP_ST_OPENCONFIRM);
    assert_int_equal(rec.timers[BGP_TIMER_KEEPALIVE], 3);
    reset_record();
    bgp_fsm_event(&fsm, BGP_EV_TCP_REPLACED, NULL);
    assert_int_equal(fsm.state, BGP_ST_OPENSENT);
    assert_int_equal(rec.timers[BGP_TIMER_KEEPALIVE], 0);
    assert_int_equal(rec.timers[BGP_TIMER_HOLD], 240);
    assert_int_equal(rec.closes, 0);
    assert_int_equal(rec.notifications, 0);
    assert_string_equal(rec.log, "OpenConfirm>OpenSent");
    /* The peer's OPEN and KEEPALIVE on the new connection. */
    bgp_fsm_event(&fsm, BGP_EV_OPEN, &o);
    bgp_fsm_event(&fsm, BGP_EV_KEEPALIVE, NULL);
    assert_int_equal(fsm.state, BGP_ST_ESTABLISHED);
}

/* A peer with graceful restart that connects again while the session
 * looks Established has restarted (RFC 4724 section 4.2): the session
 * leaves Established for OpenSent on the new connection, at once. */
static void
test_replaced_while_established(void **state)
{
    establish(90);
    reset_record();
    bgp_fsm_event(&fsm, BGP_EV_TCP_REPLACED, NULL);
    assert_int_equal(fsm.state, BGP_ST_OPENSENT);
    assert_string_equal(rec.log, "Established>OpenSent");
    assert_int_equal(rec.opens, 1);
    assert_int_equal(rec.notifications, 0);
    assert_int_equal(rec.timers[BGP_TIMER_KEEPALIVE], 0);
    assert_int_equal(rec.timers[BGP_TIMER_STABLE], 0);
    assert_int_equal(rec.timers[BGP_TIMER_HOLD], 240);
}

/* Idle, waiting to restart: a connection the peer opened starts the
 * session at once; a stopped machine takes none. */
static void
test_idle_takes_the_peers_connection(void **state)
{
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    assert_int_equal(fsm.state, BGP_ST_IDLE);

    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_TCP_FAILED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_OPEN, NULL);
    assert_int_equal(fsm.state, BGP_ST_IDLE);
    assert_int_equal(rec.timers[BGP_TIMER_IDLE_HOLD], 1);
    reset_record();
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    assert_int_equal(fsm.state, BGP_ST_OPENSENT);
    assert_int_equal(rec.timers[BGP_TIMER_IDLE_HOLD], 0);
    assert_int_equal(rec.opens, 1);

    /* After failures in a row too: the restart delay paces our own dials,
     * not the peer's (refused, it would wait for its connect-retry). */
    bgp_fsm_event(&fsm, BGP_EV_KEEPALIVE, NULL);   /* Unexpected. */
    assert_int_equal(fsm.state, BGP_ST_IDLE);
    assert_int_equal(rec.timers[BGP_TIMER_IDLE_HOLD], 2);
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    assert_int_equal(fsm.state, BGP_ST_OPENSENT);
    assert_int_equal(rec.timers[BGP_TIMER_IDLE_HOLD], 0);

    /* Stopped while Idle: no restart, no connection taken. */
    bgp_fsm_event(&fsm, BGP_EV_STOP, NULL);
    assert_int_equal(fsm.state, BGP_ST_IDLE);
    bgp_fsm_event(&fsm, BGP_EV_TCP_FAILED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_STOP, NULL);
    bgp_fsm_event(&fsm, BGP_EV_STOP, NULL);
    assert_int_equal(rec.timers[BGP_TIMER_IDLE_HOLD], 0);
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_IDLE_HOLD_EXPIRED, NULL);
    assert_int_equal(fsm.state, BGP_ST_IDLE);
}

static void
test_fsm_errors_get_rfc6608_subcodes(void **state)
{
    struct bgp_open o = peer_open(90);

    /* OpenSent: a KEEPALIVE before the OPEN. */
    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_KEEPALIVE, NULL);
    assert_int_equal(fsm.state, BGP_ST_IDLE);
    assert_int_equal(rec.last_notification.code, BGP_ERR_FSM);
    assert_int_equal(rec.last_notification.subcode, BGP_ERR_FSM_OPENSENT);

    /* OpenConfirm: an UPDATE before the KEEPALIVE. */
    bgp_fsm_event(&fsm, BGP_EV_IDLE_HOLD_EXPIRED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_OPEN, &o);
    bgp_fsm_event(&fsm, BGP_EV_UPDATE, NULL);
    assert_int_equal(fsm.state, BGP_ST_IDLE);
    assert_int_equal(rec.last_notification.subcode,
                     BGP_ERR_FSM_OPENCONFIRM);

    /* Established: a second OPEN. */
    bgp_fsm_event(&fsm, BGP_EV_IDLE_HOLD_EXPIRED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_OPEN, &o);
    bgp_fsm_event(&fsm, BGP_EV_KEEPALIVE, NULL);
    bgp_fsm_event(&fsm, BGP_EV_OPEN, &o);
    assert_int_equal(fsm.state, BGP_ST_IDLE);
    assert_int_equal(rec.last_notification.subcode,
                     BGP_ERR_FSM_ESTABLISHED);
}

static void
test_stop_sends_cease_and_stays_down(void **state)
{
    establish(90);
    reset_record();
    bgp_fsm_event(&fsm, BGP_EV_STOP, NULL);
    assert_int_equal(fsm.state, BGP_ST_IDLE);
    assert_int_equal(rec.last_notification.code, BGP_ERR_CEASE);
    assert_int_equal(rec.last_notification.subcode,
                     BGP_ERR_CEASE_ADMIN_SHUTDOWN);
    assert_int_equal(rec.timers[BGP_TIMER_IDLE_HOLD], 0);
    bgp_fsm_event(&fsm, BGP_EV_IDLE_HOLD_EXPIRED, NULL);
    assert_int_equal(fsm.state, BGP_ST_IDLE);
    assert_int_equal(rec.connects, 0);
}

static void
test_stop_with_shutdown_message(void **state)
{
    struct bgp_notification n;
    char msg[BGP_SHUTDOWN_MSG_MAX + 1];

    establish(90);
    bgp_notification_shutdown(&n, BGP_ERR_CEASE_ADMIN_SHUTDOWN, "upgrade");
    bgp_fsm_event(&fsm, BGP_EV_STOP, &n);
    assert_int_equal(bgp_notification_get_shutdown(&rec.last_notification,
                                                   msg), 0);
    assert_string_equal(msg, "upgrade");
}

static void
test_graceful_stop_says_nothing(void **state)
{
    struct bgp_notification silent;

    establish(90);
    reset_record();
    bgp_notification_set(&silent, 0, 0, NULL, 0);
    bgp_fsm_event(&fsm, BGP_EV_STOP, &silent);
    assert_int_equal(fsm.state, BGP_ST_IDLE);
    assert_int_equal(rec.notifications, 0);
    assert_int_equal(rec.closes, 1);
}

static void
test_notification_received(void **state)
{
    struct bgp_notification n;

    establish(90);
    reset_record();
    bgp_notification_set(&n, BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_RESET,
                         NULL, 0);
    bgp_fsm_event(&fsm, BGP_EV_NOTIFICATION, &n);
    assert_int_equal(fsm.state, BGP_ST_IDLE);
    assert_int_equal(rec.notifications, 0);
    assert_int_equal(fsm.last_received.subcode, BGP_ERR_CEASE_ADMIN_RESET);
    assert_int_equal(rec.timers[BGP_TIMER_IDLE_HOLD], 1);
}

static void
test_protocol_error_sends_given_notification(void **state)
{
    struct bgp_notification n;

    establish(90);
    bgp_notification_set(&n, BGP_ERR_UPDATE, BGP_ERR_UPDATE_ATTR_LIST,
                         NULL, 0);
    bgp_fsm_event(&fsm, BGP_EV_PROTOCOL_ERROR, &n);
    assert_int_equal(fsm.state, BGP_ST_IDLE);
    assert_int_equal(rec.last_notification.code, BGP_ERR_UPDATE);
    assert_int_equal(rec.last_notification.subcode,
                     BGP_ERR_UPDATE_ATTR_LIST);
}

static void
test_connect_failure_then_retry(void **state)
{
    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    bgp_fsm_event(&fsm, BGP_EV_TCP_FAILED, NULL);
    assert_int_equal(fsm.state, BGP_ST_ACTIVE);
    assert_int_equal(rec.timers[BGP_TIMER_CONNECT_RETRY], 5);
    bgp_fsm_event(&fsm, BGP_EV_CONNECT_RETRY_EXPIRED, NULL);
    assert_int_equal(fsm.state, BGP_ST_CONNECT);
    assert_int_equal(rec.connects, 2);
}

static void
test_connection_lost_in_opensent(void **state)
{
    bgp_fsm_event(&fsm, BGP_EV_START, NULL);
    bgp_fsm_event(&fsm, BGP_EV_TCP_CONNECTED, NULL);
    bgp_fsm_event(&fsm, BGP_EV_TCP_FAILED, NULL);
    assert_int_equal(fsm.state, BGP_ST_ACTIVE);
    assert_int_equal(rec.timers[BGP_TIMER_HOLD], 0);
    assert_int_equal(rec.timers[BGP_TIMER_CONNECT_RETRY], 5);
    assert_int_equal(rec.notifications, 0);
}

static void
test_idle_ignores_everything_but_start(void **state)
{
    struct bgp_open o = peer_open(90);
    for (int ev = BGP_EV_STOP; ev <= BGP_EV_PROTOCOL_ERROR; ev++) {
        struct bgp_notification n;
        bgp_notification_set(&n, BGP_ERR_CEASE, 0, NULL, 0);
        bgp_fsm_event(&fsm, ev, ev == BGP_EV_OPEN ? (void *) &o
                                                  : (void *) &n);
        assert_int_equal(fsm.state, BGP_ST_IDLE);
    }
    assert_int_equal(rec.connects, 0);
    assert_int_equal(rec.notifications, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_start_connects, setup),
        cmocka_unit_test_setup(test_flapping_session_keeps_backing_off,
                               setup),
        cmocka_unit_test_setup(test_replaced_connection_resets_timers, setup),
        cmocka_unit_test_setup(test_replaced_while_established, setup),
        cmocka_unit_test_setup(test_idle_takes_the_peers_connection, setup),
        cmocka_unit_test_setup(test_start_passive_waits, setup),
        cmocka_unit_test_setup(test_hold_dial_waits_and_accepts, setup),
        cmocka_unit_test_setup(test_dial_from_active_connects_now, setup),
        cmocka_unit_test_setup(test_dial_from_idle_skips_idle_hold, setup),
        cmocka_unit_test_setup(test_dial_with_a_connection_keeps_it, setup),
        cmocka_unit_test_setup(test_dial_leaves_passive_and_stopped, setup),
        cmocka_unit_test_setup(test_full_handshake, setup),
        cmocka_unit_test_setup(test_hold_time_is_the_smaller, setup),
        cmocka_unit_test_setup(test_hold_time_zero_means_no_timers, setup),
        cmocka_unit_test_setup(test_messages_restart_hold_timer, setup),
        cmocka_unit_test_setup(test_keepalive_timer_sends_keepalive, setup),
        cmocka_unit_test_setup(test_hold_expiry_sends_notification, setup),
        cmocka_unit_test_setup(test_send_hold_expiry, setup),
        cmocka_unit_test_setup(test_restart_backs_off, setup),
        cmocka_unit_test_setup(test_fsm_errors_get_rfc6608_subcodes, setup),
        cmocka_unit_test_setup(test_stop_sends_cease_and_stays_down, setup),
        cmocka_unit_test_setup(test_stop_with_shutdown_message, setup),
        cmocka_unit_test_setup(test_graceful_stop_says_nothing, setup),
        cmocka_unit_test_setup(test_notification_received, setup),
        cmocka_unit_test_setup(test_protocol_error_sends_given_notification,
                               setup),
        cmocka_unit_test_setup(test_connect_failure_then_retry, setup),
        cmocka_unit_test_setup(test_connection_lost_in_opensent, setup),
        cmocka_unit_test_setup(test_idle_ignores_everything_but_start,
                               setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
