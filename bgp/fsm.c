/*
 * The BGP session state machine: see fsm.h.
 */
#include "bgp/fsm.h"

#include <string.h>

/* RFC 4271 section 8: the hold timer while waiting for the peer's OPEN. */
#define OPENSENT_HOLD_TIME 240

/* RFC 9687: Send Hold Timer Expired. */
#define BGP_ERR_SEND_HOLD 8

const char *
bgp_state_name(enum bgp_state state)
{
    static const char *const names[] = {
        [BGP_ST_IDLE] = "Idle",
        [BGP_ST_CONNECT] = "Connect",
        [BGP_ST_ACTIVE] = "Active",
        [BGP_ST_OPENSENT] = "OpenSent",
        [BGP_ST_OPENCONFIRM] = "OpenConfirm",
        [BGP_ST_ESTABLISHED] = "Established",
    };
    return state <= BGP_ST_ESTABLISHED ? names[state] : "?";
}

const char *
bgp_timer_name(enum bgp_timer timer)
{
    static const char *const names[] = {
        [BGP_TIMER_CONNECT_RETRY] = "ConnectRetry",
        [BGP_TIMER_HOLD] = "Hold",
        [BGP_TIMER_KEEPALIVE] = "Keepalive",
        [BGP_TIMER_IDLE_HOLD] = "IdleHold",
        [BGP_TIMER_SEND_HOLD] = "SendHold",
        [BGP_TIMER_STABLE] = "Stable",
    };
    return timer < BGP_TIMER_N ? names[timer] : "?";
}

const char *
bgp_event_name(enum bgp_event event)
{
    static const char *const names[] = {
        [BGP_EV_START] = "Start",
        [BGP_EV_STOP] = "Stop",
        [BGP_EV_CONNECT_RETRY_EXPIRED] = "ConnectRetryTimer_Expires",
        [BGP_EV_HOLD_EXPIRED] = "HoldTimer_Expires",
        [BGP_EV_KEEPALIVE_EXPIRED] = "KeepaliveTimer_Expires",
        [BGP_EV_IDLE_HOLD_EXPIRED] = "IdleHoldTimer_Expires",
        [BGP_EV_SEND_HOLD_EXPIRED] = "SendHoldTimer_Expires",
        [BGP_EV_STABLE_EXPIRED] = "StableTimer_Expires",
        [BGP_EV_TCP_CONNECTED] = "TcpConnectionConfirmed",
        [BGP_EV_TCP_REPLACED] = "TcpConnectionReplaced",
        [BGP_EV_TCP_FAILED] = "TcpConnectionFails",
        [BGP_EV_OPEN] = "BGPOpen",
        [BGP_EV_KEEPALIVE] = "KeepAliveMsg",
        [BGP_EV_UPDATE] = "UpdateMsg",
        [BGP_EV_ROUTE_REFRESH] = "RouteRefreshMsg",
        [BGP_EV_NOTIFICATION] = "NotifMsg",
        [BGP_EV_PROTOCOL_ERROR] = "ProtocolError",
    };
    return event <= BGP_EV_PROTOCOL_ERROR ? names[event] : "?";
}

void
bgp_fsm_init(struct bgp_fsm *f, const struct bgp_fsm_ops *ops, void *aux)
{
    memset(f, 0, sizeof *f);
    f->state = BGP_ST_IDLE;
    f->ops = ops;
    f->aux = aux;
    f->hold_time = 90;
    f->connect_retry = 5;
    f->idle_hold_min = 1;
    f->idle_hold_max = 120;
    f->stable_time = 60;
    f->idle_hold = f->idle_hold_min;
    f->stopped = true;
}

unsigned int
bgp_fsm_keepalive_interval(const struct bgp_fsm *f)
{
    return f->neg_hold_time / 3;
}

/* Whether the machine opens connections itself now. */
static bool
dials(const struct bgp_fsm *f)
{
    return !f->passive && !f->hold_dial;
}

/* The timers that run on from the state before, for each state entered;
 * every other timer is stopped on entry, and those the state needs are
 * armed afresh.  OpenConfirm and Established keep their connection's
 * RFC 9687 timer, and Established the keepalives OpenConfirm began. */
static const unsigned int kept_timers[] = {
    [BGP_ST_OPENCONFIRM] = 1u << BGP_TIMER_SEND_HOLD,
    [BGP_ST_ESTABLISHED] = (1u << BGP_TIMER_SEND_HOLD
                            | 1u << BGP_TIMER_KEEPALIVE),
};

/* Every side effect of entering a state. */
static void
change_state(struct bgp_fsm *f, enum bgp_state new, const char *reason)
{
    enum bgp_state old = f->state;

    f->state = new;
    for (int t = 0; t < BGP_TIMER_N; t++) {
        if (!(kept_timers[new] & (1u << t))) {
            f->ops->set_timer(f, t, 0);
        }
    }
    switch (new) {
    case BGP_ST_IDLE:
        f->ops->close(f);
        f->neg_hold_time = 0;
        if (!f->stopped) {
            /* Restart later, backing off while the peer keeps failing. */
            f->ops->set_timer(f, BGP_TIMER_IDLE_HOLD, f->idle_hold);
            f->idle_hold = (f->idle_hold * 2 > f->idle_hold_max
                            ? f->idle_hold_max : f->idle_hold * 2);
        }
        break;

    case BGP_ST_CONNECT:
        f->ops->set_timer(f, BGP_TIMER_CONNECT_RETRY, f->connect_retry);
        f->ops->connect(f);
        break;

    case BGP_ST_ACTIVE:
        f->ops->close(f);
        if (dials(f)) {
            f->ops->set_timer(f, BGP_TIMER_CONNECT_RETRY, f->connect_retry);
        }
        break;

    case BGP_ST_OPENSENT:
        /* On a connection that already carries our OPEN (the peer's side
         * of a collision), the owner sends nothing. */
        f->ops->send_open(f);
        f->ops->set_timer(f, BGP_TIMER_HOLD, OPENSENT_HOLD_TIME);
        break;

    case BGP_ST_OPENCONFIRM:
        f->ops->send_keepalive(f);
        f->ops->set_timer(f, BGP_TIMER_HOLD, f->neg_hold_time);
        f->ops->set_timer(f, BGP_TIMER_KEEPALIVE,
                          bgp_fsm_keepalive_interval(f));
        break;

    case BGP_ST_ESTABLISHED:
        f->ops->set_timer(f, BGP_TIMER_HOLD, f->neg_hold_time);
        /* The restart delay goes back to its minimum only once the
         * session has stayed up a while: a peer that drops every session
         * right after it opens keeps backing off (as OpenBGPD does). */
        f->ops->set_timer(f, BGP_TIMER_STABLE, f->stable_time);
        break;
    }
    if (f->ops->state_changed) {
        f->ops->state_changed(f, old, reason);
    }
    if (new == BGP_ST_ESTABLISHED && f->ops->established) {
        f->ops->established(f);
    }
}

/* Sends 'code'/'subcode' and goes to Idle. */
static void
fail(struct bgp_fsm *f, uint8_t code, uint8_t subcode, const char *reason)
{
    struct bgp_notification n;
    bgp_notification_set(&n, code, subcode, NULL, 0);
    f->last_sent = n;
    f->ops->send_notification(f, &n);
    change_state(f, BGP_ST_IDLE, reason);
}

/* An event the state does not expect: RFC 6608's FSM error. */
static void
fsm_error(struct bgp_fsm *f, enum bgp_event event)
{
    static const uint8_t subcodes[] = {
        [BGP_ST_OPENSENT] = BGP_ERR_FSM_OPENSENT,
        [BGP_ST_OPENCONFIRM] = BGP_ERR_FSM_OPENCONFIRM,
        [BGP_ST_ESTABLISHED] = BGP_ERR_FSM_ESTABLISHED,
    };
    fail(f, BGP_ERR_FSM, subcodes[f->state], bgp_event_name(event));
}

/* Events every state with a connection handles alike.  Returns true if it
 * handled 'event'. */
static bool
common_event(struct bgp_fsm *f, enum bgp_event event, const void *arg)
{
    switch (event) {
    case BGP_EV_STOP: {
        const struct bgp_notification *cease = arg;
        struct bgp_notification n;
        if (!cease) {
            bgp_notification_set(&n, BGP_ERR_CEASE,
                                 BGP_ERR_CEASE_ADMIN_SHUTDOWN, NULL, 0);
            cease = &n;
        }
        f->stopped = true;
        f->last_sent = *cease;
        f->ops->send_notification(f, cease);
        change_state(f, BGP_ST_IDLE, "stopped");
        return true;
    }
    case BGP_EV_HOLD_EXPIRED:
        fail(f, BGP_ERR_HOLD_TIMER, 0, "hold timer expired");
        return true;
    case BGP_EV_SEND_HOLD_EXPIRED:
        fail(f, BGP_ERR_SEND_HOLD, 0, "send hold timer expired");
        return true;
    case BGP_EV_TCP_FAILED:
        change_state(f, BGP_ST_IDLE, "connection lost");
        return true;
    case BGP_EV_NOTIFICATION:
        f->last_received = *(const struct bgp_notification *) arg;
        change_state(f, BGP_ST_IDLE, "notification received");
        return true;
    case BGP_EV_PROTOCOL_ERROR: {
        const struct bgp_notification *n = arg;
        f->last_sent = *n;
        f->ops->send_notification(f, n);
        change_state(f, BGP_ST_IDLE, "protocol error");
        return true;
    }
    case BGP_EV_KEEPALIVE_EXPIRED:
        if (f->state == BGP_ST_OPENCONFIRM
            || f->state == BGP_ST_ESTABLISHED) {
            f->ops->send_keepalive(f);
            f->ops->set_timer(f, BGP_TIMER_KEEPALIVE,
                              bgp_fsm_keepalive_interval(f));
            return true;
        }
        return false;
    default:
        return false;
    }
}

static void
start(struct bgp_fsm *f)
{
    f->stopped = false;
    change_state(f, dials(f) ? BGP_ST_CONNECT : BGP_ST_ACTIVE, "start");
}

bool
bgp_fsm_dial(struct bgp_fsm *f, const char *reason)
{
    if (!f->hold_dial) {
        return false;
    }
    f->hold_dial = false;
    if (f->passive || f->stopped
        || (f->state != BGP_ST_IDLE && f->state != BGP_ST_ACTIVE)) {
        return false;
    }
    change_state(f, BGP_ST_CONNECT, reason);
    return true;
}

/* Events no state with a connection acts on: timers of other states that
 * fired as they were being stopped, and starts of a running machine. */
static bool
ignored_event(enum bgp_event event)
{
    return (event == BGP_EV_START || event == BGP_EV_IDLE_HOLD_EXPIRED
            || event == BGP_EV_CONNECT_RETRY_EXPIRED
            || event == BGP_EV_STABLE_EXPIRED);
}

void
bgp_fsm_event(struct bgp_fsm *f, enum bgp_event event, const void *arg)
{
    switch (f->state) {
    case BGP_ST_IDLE:
        if (event == BGP_EV_START
            || (event == BGP_EV_IDLE_HOLD_EXPIRED && !f->stopped)) {
            start(f);
        } else if (event == BGP_EV_TCP_CONNECTED && !f->stopped) {
            /* Waiting to restart, and the peer connected: start now, with
             * its connection.  Refusing it would make the peer wait for
             * its own connect-retry timer (120 s in BIRD and FRR); the
             * restart delay paces only our own dials. */
            change_state(f, BGP_ST_OPENSENT, "connection accepted");
        } else if (event == BGP_EV_TCP_CONNECTED) {
            f->ops->close(f);
        } else if (event == BGP_EV_STOP) {
            f->stopped = true;
            f->ops->set_timer(f, BGP_TIMER_IDLE_HOLD, 0);
        }
        /* Everything else is ignored in Idle. */
        break;

    case BGP_ST_CONNECT:
    case BGP_ST_ACTIVE:
        switch (event) {
        case BGP_EV_START:
        case BGP_EV_IDLE_HOLD_EXPIRED:
        case BGP_EV_STABLE_EXPIRED:
            break;
        case BGP_EV_CONNECT_RETRY_EXPIRED:
            if (!dials(f)) {
                break;
            }
            f->ops->close(f);
            change_state(f, BGP_ST_CONNECT, "connect retry");
            break;
        case BGP_EV_TCP_CONNECTED:
            change_state(f, BGP_ST_OPENSENT, "connected");
            break;
        case BGP_EV_TCP_FAILED:
            f->ops->close(f);
            if (f->state == BGP_ST_CONNECT) {
                change_state(f, BGP_ST_ACTIVE, "connect failed");
            }
            break;
        case BGP_EV_STOP:
            f->stopped = true;
            change_state(f, BGP_ST_IDLE, "stopped");
            break;
        default:
            change_state(f, BGP_ST_IDLE, bgp_event_name(event));
            break;
        }
        break;

    case BGP_ST_OPENSENT:
        if (event == BGP_EV_OPEN) {
            const struct bgp_open *open = arg;
            f->peer_open = *open;
            f->neg_hold_time = (open->hold_time < f->hold_time
                                ? open->hold_time : f->hold_time);
            change_state(f, BGP_ST_OPENCONFIRM, "OPEN received");
        } else if (event == BGP_EV_TCP_FAILED) {
            /* RFC 4271: back to Active, and try again later. */
            change_state(f, BGP_ST_ACTIVE, "connection lost");
        } else if (event == BGP_EV_TCP_REPLACED) {
            change_state(f, BGP_ST_OPENSENT, "collision: going on with the "
                         "peer's connection");
        } else if (ignored_event(event)) {
            /* Nothing to do. */
        } else if (!common_event(f, event, arg)) {
            fsm_error(f, event);
        }
        break;

    case BGP_ST_OPENCONFIRM:
        if (event == BGP_EV_KEEPALIVE) {
            change_state(f, BGP_ST_ESTABLISHED, "KEEPALIVE received");
        } else if (event == BGP_EV_TCP_REPLACED) {
            change_state(f, BGP_ST_OPENSENT, "collision: going on with the "
                         "peer's connection");
        } else if (ignored_event(event)) {
            /* Nothing to do. */
        } else if (!common_event(f, event, arg)) {
            fsm_error(f, event);
        }
        break;

    case BGP_ST_ESTABLISHED:
        switch (event) {
        case BGP_EV_KEEPALIVE:
        case BGP_EV_UPDATE:
        case BGP_EV_ROUTE_REFRESH:
            f->ops->set_timer(f, BGP_TIMER_HOLD, f->neg_hold_time);
            break;
        case BGP_EV_STABLE_EXPIRED:
            f->idle_hold = f->idle_hold_min;
            break;
        case BGP_EV_TCP_REPLACED:
            change_state(f, BGP_ST_OPENSENT, "the peer restarted: its new "
                         "connection replaces the session (graceful "
                         "restart)");
            break;
        case BGP_EV_START:
        case BGP_EV_IDLE_HOLD_EXPIRED:
        case BGP_EV_CONNECT_RETRY_EXPIRED:
            break;
        default:
            if (!common_event(f, event, arg)) {
                fsm_error(f, event);
            }
            break;
        }
        break;
    }
}
