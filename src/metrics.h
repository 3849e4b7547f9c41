/*
 * The HTTP endpoint on --metrics-address, on the BGP thread's libevent
 * loop: /metrics (Prometheus text format), /healthz, /readyz.  Read-only:
 * nothing on it changes state.
 */
#ifndef SRC_METRICS_H
#define SRC_METRICS_H 1

struct bgp_engine;
struct channel;
struct event_base;

/* Listens on 'address' ("IP:PORT", "[IPv6]:PORT" or ":PORT"); exits with
 * status 1 if it cannot. */
struct metrics *metrics_start(struct event_base *, const char *address,
                              const struct bgp_engine *, struct channel *);
void metrics_stop(struct metrics *);

#endif /* src/metrics.h */
