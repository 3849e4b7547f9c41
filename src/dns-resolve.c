/*
 * Host names in tcp: and ssl: remotes, for Open vSwitch's stream library.
 *
 * libopenvswitch resolves a host name that is not an address by calling
 * dns_resolve() (lib/dns-resolve.h).  Its own implementation needs
 * libunbound, which with its crypto libraries costs about 0.3 ms of CPU at
 * every start of the daemon, and which ignores nsswitch.conf and the
 * resolv.conf search list that cluster DNS names rely on.
 * scripts/build-ovs.sh therefore builds the library without it, and this
 * file is the implementation the daemon links instead: the system's
 * resolver.
 *
 * The library's member with the stand-in (lib/dns-resolve-stub.c) is not
 * linked, since these objects come first on the link line and define every
 * symbol it has; were it pulled in anyway, the link would fail on the
 * duplicates rather than pick one silently.
 *
 * The lookup blocks the calling thread, the NB thread opening its
 * connection, as the library's own synchronous lookup did: while the
 * resolver waits for a name server that does not answer (resolv.conf's
 * timeout and attempts, 10 s by default), that thread's control commands
 * (nb/status, exit) wait too.  ssl: remotes keep the name for SNI, since
 * the library resolves it itself.
 */
#include <config.h>

#include "dns-resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(dns_resolve);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

void
dns_resolve_init(bool is_daemon OVS_UNUSED)
{
}

void
dns_resolve_destroy(void)
{
}

/* Looks 'name' up (getaddrinfo(), so /etc/hosts, nsswitch.conf and
 * resolv.conf apply): an IPv4 address if it has one, else IPv6, as the
 * library's own resolver did.  Returns true and the address as text in
 * '*addr', for the caller to free, or false with '*addr' NULL and a
 * warning. */
bool
dns_resolve(const char *name, char **addr)
{
    static const int families[] = { AF_INET, AF_INET6 };
    int error = 0;

    *addr = NULL;

    /* The library has already taken every address in the usual form.
     * What else the resolver would take for one (inet_aton(): "127.1",
     * "010.0.0.1" in octal, hex) is more likely a typo than a wish to
     * reach the host it really names. */
    struct in_addr in;
    if (inet_aton(name, &in)) {
        VLOG_WARN_RL(&rl, "\"%s\" is neither a host name nor an IPv4 "
                     "address of four decimal numbers", name);
        return false;
    }

    for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
        struct addrinfo hints = {
            .ai_family = families[i],
            .ai_socktype = SOCK_STREAM,
        };
        struct addrinfo *res;

        error = getaddrinfo(name, NULL, &hints, &res);
        if (!error) {
            char buf[INET6_ADDRSTRLEN];
            error = getnameinfo(res->ai_addr, res->ai_addrlen, buf,
                                sizeof buf, NULL, 0, NI_NUMERICHOST);
            freeaddrinfo(res);
            if (!error) {
                VLOG_DBG("host \"%s\" is %s", name, buf);
                *addr = xstrdup(buf);
                return true;
            }
            break;
        } else if (error != EAI_NONAME && error != EAI_NODATA
                   && error != EAI_ADDRFAMILY) {
            break;              /* No answer at all: no use asking again. */
        }
    }
    VLOG_WARN_RL(&rl, "cannot resolve host \"%s\" (%s)", name,
                 error == EAI_SYSTEM ? ovs_strerror(errno)
                                     : gai_strerror(error));
    return false;
}
