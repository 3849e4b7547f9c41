/*
 * What passes between the daemon's two threads: see channel.h.
 */
#include <config.h>

#include "src/channel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util.h"

void
channel_init(struct channel *ch)
{
    memset(ch, 0, sizeof *ch);
    ovs_mutex_init(&ch->mutex);
    ch->bgp_wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (ch->bgp_wake < 0) {
        ovs_fatal(errno, "eventfd");
    }
    latch_init(&ch->nb_wake);
}

void
channel_destroy(struct channel *ch)
{
    close(ch->bgp_wake);
    latch_destroy(&ch->nb_wake);
    free(ch->deltas);
    free(ch->peers);
    ovs_mutex_destroy(&ch->mutex);
}

void
channel_wake_bgp(struct channel *ch)
{
    uint64_t one = 1;
    ssize_t n = write(ch->bgp_wake, &one, sizeof one);
    /* EAGAIN: the counter is full, so the other side wakes anyway. */
    ovs_assert(n == sizeof one || errno == EAGAIN);
}

void
channel_wake_nb(struct channel *ch)
{
    latch_set(&ch->nb_wake);
}

void
channel_drain_bgp_wake(struct channel *ch)
{
    uint64_t count;
    ssize_t n OVS_UNUSED = read(ch->bgp_wake, &count, sizeof count);
}

void
route_delta_from_nb(const struct nb_prefix *in, struct bgp_prefix *out)
{
    memset(out, 0, sizeof *out);
    out->len = in->plen;
    if (nb_prefix_is_ipv4(in)) {
        out->af = BGP_AF_IPV4;
        memcpy(out->addr, &in->addr.s6_addr[12], 4);
    } else {
        out->af = BGP_AF_IPV6;
        memcpy(out->addr, &in->addr, 16);
    }
}
