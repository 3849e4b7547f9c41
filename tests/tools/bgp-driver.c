/*
 * bgp-driver: the BGP engine alone, with no database, for the interop
 * tests.  Flags configure the engine and its peers; commands on stdin
 * change the route set:
 *
 *   + PREFIX          announce
 *   - PREFIX          withdraw
 *   bulk4 A.B.C.D N   announce N consecutive IPv4 /32s from A.B.C.D
 *   bulk4-withdraw A.B.C.D N   withdraw them
 *   complete          the route set is complete
 *   peer-add SPEC     a peer more (SPEC as --peer's), started at once
 *   peer-set SPEC     new settings for the peer at SPEC's address
 *   peer-remove ADDR  the peer goes (Cease, Peer De-configured)
 *   status            print one line per peer on stdout
 *   stop [MESSAGE]    Cease to every peer, then exit
 *   stop-graceful     close without a NOTIFICATION, then exit
 *
 * End of stdin exits like "stop".  SIGTERM exits like "stop-graceful"
 * when --gr is given, like "stop" otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bgp/engine.h"
#include "bgp/log.h"
#include "bgp/pmap.h"

#define MAX_PEERS 16

static struct event_base *base;
static struct bgp_engine *engine;
static char line[4096];
static size_t line_len;

static void
usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "bgp-driver: %s: %s\n", msg, arg);
    exit(1);
}

static int
parse_addr(const char *s, uint16_t port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *sin = (struct sockaddr_in *) ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;
    if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        return 0;
    }
    if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        return 0;
    }
    return -1;
}

/* "ADDR,AS[,port=N][,passive][,md5=PW][,ttl=N]" */
static void
parse_peer(char *spec, struct bgp_peer_config *p, char **passwords, int i)
{
    char *save = NULL;
    char *addr = strtok_r(spec, ",", &save);
    char *as = strtok_r(NULL, ",", &save);
    uint16_t port = 179;

    memset(p, 0, sizeof *p);
    if (!addr || !as) {
        usage_error("--peer wants ADDR,AS[,...]", spec);
    }
    p->as = strtoul(as, NULL, 10);
    for (char *opt = strtok_r(NULL, ",", &save); opt;
         opt = strtok_r(NULL, ",", &save)) {
        if (!strncmp(opt, "port=", 5)) {
            port = atoi(opt + 5);
        } else if (!strcmp(opt, "passive")) {
            p->passive = true;
        } else if (!strncmp(opt, "md5=", 4)) {
            passwords[i] = strdup(opt + 4);
            p->password = passwords[i];
        } else if (!strncmp(opt, "ttl=", 4)) {
            p->ttl = atoi(opt + 4);
        } else {
            usage_error("unknown peer option", opt);
        }
    }
    if (parse_addr(addr, port, &p->addr)) {
        usage_error("bad peer address", addr);
    }
}

static void
print_status(void)
{
    struct bgp_peer_status st[MAX_PEERS];
    size_t n = bgp_engine_get_status(engine, st, MAX_PEERS);
    for (size_t i = 0; i < n && i < MAX_PEERS; i++) {
        printf("peer %s state=%s sent=%llu received=%llu eor=%d flaps=%u "
               "hold=%u held=%d caps=\"%s\" error=\"%s\"\n", st[i].name,
               st[i].state, (unsigned long long) st[i].prefixes_sent,
               (unsigned long long) st[i].prefixes_received, st[i].eor_sent,
               st[i].flaps, st[i].hold_time, st[i].dial_held, st[i].caps,
               st[i].last_error);
    }
    printf("routes %zu\n", bgp_engine_n_routes(engine));
    fflush(stdout);
}

static void
finish(bool graceful, const char *message)
{
    bgp_engine_stop(engine, graceful, message);
    event_base_loopexit(base, NULL);
}

static void
command(char *cmd)
{
    struct bgp_prefix p;
    char *arg = strchr(cmd, ' ');
    if (arg) {
        *arg++ = '\0';
    }
    if ((!strcmp(cmd, "+") || !strcmp(cmd, "-")) && arg) {
        if (bgp_prefix_parse(arg, &p)) {
            fprintf(stderr, "bgp-driver: bad prefix %s\n", arg);
        } else if (*cmd == '+') {
            bgp_engine_announce(engine, &p);
        } else {
            bgp_engine_withdraw(engine, &p);
        }
    } else if ((!strcmp(cmd, "bulk4") || !strcmp(cmd, "bulk4-withdraw"))
               && arg) {
        bool announce = !strcmp(cmd, "bulk4");
        char *count = strchr(arg, ' ');
        struct in_addr a;
        if (!count || (*count++ = '\0', inet_pton(AF_INET, arg, &a) != 1)) {
            fprintf(stderr, "bgp-driver: %s A.B.C.D N\n", cmd);
            return;
        }
        uint32_t first = ntohl(a.s_addr);
        unsigned long n = strtoul(count, NULL, 10);
        memset(&p, 0, sizeof p);
        p.af = BGP_AF_IPV4;
        p.len = 32;
        if (announce) {
            bgp_engine_reserve(engine, n);
        }
        for (unsigned long i = 0; i < n; i++) {
            uint32_t addr = htonl(first + i);
            memcpy(p.addr, &addr, 4);
            if (announce) {
                bgp_engine_announce(engine, &p);
            } else {
                bgp_engine_withdraw(engine, &p);
            }
        }
    } else if ((!strcmp(cmd, "peer-add") || !strcmp(cmd, "peer-set"))
               && arg) {
        struct bgp_peer_config pc;
        char *password[1] = { NULL };
        const char *error;
        int r;

        parse_peer(arg, &pc, password, 0);
        r = (cmd[5] == 'a' ? bgp_engine_add_peer(engine, &pc, &error)
             : bgp_engine_set_peer(engine, &pc, &error));
        if (r < 0) {
            fprintf(stderr, "bgp-driver: %s: %s\n", cmd, error);
        }
        free(password[0]);
    } else if (!strcmp(cmd, "peer-remove") && arg) {
        struct sockaddr_storage ss;
        if (parse_addr(arg, 0, &ss)
            || bgp_engine_remove_peer(engine, &ss)) {
            fprintf(stderr, "bgp-driver: peer-remove: no peer %s\n", arg);
        }
    } else if (!strcmp(cmd, "complete")) {
        bgp_engine_set_complete(engine);
    } else if (!strcmp(cmd, "status")) {
        print_status();
    } else if (!strcmp(cmd, "stop")) {
        finish(false, arg ? arg : "bgp-driver stopping");
    } else if (!strcmp(cmd, "stop-graceful")) {
        finish(true, NULL);
    } else if (*cmd) {
        fprintf(stderr, "bgp-driver: unknown command %s\n", cmd);
    }
}

static void
stdin_cb(evutil_socket_t fd, short what, void *ev_)
{
    struct event *ev = ev_;
    ssize_t n = read(fd, line + line_len, sizeof line - 1 - line_len);

    if (n <= 0) {
        event_del(ev);
        finish(false, "bgp-driver: end of input");
        return;
    }
    line_len += n;
    char *start = line, *nl;
    while ((nl = memchr(start, '\n', line + line_len - start)) != NULL) {
        *nl = '\0';
        command(start);
        start = nl + 1;
    }
    line_len -= start - line;
    memmove(line, start, line_len);
    if (line_len == sizeof line - 1) {
        line_len = 0;
    }
}

static bool graceful_on_term;

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
    finish(graceful_on_term, "bgp-driver terminated");
}

static void
log_handler(int level, const char *msg)
{
    static const char *const names[] = { "ERR", "WARN", "INFO", "DBG" };
    fprintf(stderr, "bgp|%s|%s\n", names[(level & 0xff) & 3], msg);
}

int
main(int argc, char *argv[])
{
    static const struct option options[] = {
        {"local-as", required_argument, NULL, 'a'},
        {"router-id", required_argument, NULL, 'r'},
        {"peer", required_argument, NULL, 'p'},
        {"listen-port", required_argument, NULL, 'l'},
        {"local-address", required_argument, NULL, 'L'},
        {"hold", required_argument, NULL, 'H'},
        {"gr", required_argument, NULL, 'g'},
        {"deferral", required_argument, NULL, 'd'},
        {"nh4", required_argument, NULL, '4'},
        {"nh6", required_argument, NULL, '6'},
        {"ext-nh", no_argument, NULL, 'x'},
        {"connect-retry", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    struct bgp_engine_config cfg;
    struct bgp_peer_config peers[MAX_PEERS];
    char *passwords[MAX_PEERS] = { NULL };
    int n_peers = 0;
    struct in_addr id;
    int c;

    memset(&cfg, 0, sizeof cfg);
    cfg.hold_time = 90;
    cfg.deferral_time = 360;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 'a':
            cfg.local_as = strtoul(optarg, NULL, 10);
            break;
        case 'r':
            if (inet_pton(AF_INET, optarg, &id) != 1) {
                usage_error("bad --router-id", optarg);
            }
            cfg.router_id = ntohl(id.s_addr);
            break;
        case 'p':
            if (n_peers == MAX_PEERS) {
                usage_error("too many peers", optarg);
            }
            parse_peer(optarg, &peers[n_peers], passwords, n_peers);
            n_peers++;
            break;
        case 'l':
            cfg.listen_port = atoi(optarg);
            break;
        case 'L':
            if (parse_addr(optarg, 0, &cfg.local_addr)) {
                usage_error("bad --local-address", optarg);
            }
            break;
        case 'H':
            cfg.hold_time = atoi(optarg);
            break;
        case 'g':
            cfg.graceful_restart = true;
            cfg.restart_time = atoi(optarg);
            graceful_on_term = true;
            break;
        case 'd':
            cfg.deferral_time = atoi(optarg);
            break;
        case '4':
            cfg.has_nh4 = inet_pton(AF_INET, optarg, cfg.nh4) == 1;
            break;
        case '6':
            cfg.has_nh6 = inet_pton(AF_INET6, optarg, cfg.nh6) == 1;
            break;
        case 'x':
            cfg.extended_nexthop = true;
            break;
        case 'c':
            cfg.connect_retry = atoi(optarg);
            break;
        default:
            exit(1);
        }
    }

    bgp_log_set_handler(log_handler);
    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();
    engine = bgp_engine_create(base, &cfg);
    for (int i = 0; i < n_peers; i++) {
        const char *error;
        if (bgp_engine_add_peer(engine, &peers[i], &error)) {
            usage_error("bad peer", error);
        }
    }
    const char *error;
    int err = bgp_engine_start(engine, &error);
    if (err) {
        fprintf(stderr, "bgp-driver: %s: %s\n", error, strerror(err));
        return 1;
    }

    struct event *in = event_new(base, 0, EV_READ | EV_PERSIST, stdin_cb,
                                 event_self_cbarg());
    event_add(in, NULL);
    struct event *term = evsignal_new(base, SIGTERM, signal_cb, NULL);
    event_add(term, NULL);
    event_base_dispatch(base);

    event_free(in);
    event_free(term);
    bgp_engine_destroy(engine);
    event_base_free(base);
    for (int i = 0; i < n_peers; i++) {
        free(passwords[i]);
    }
    return 0;
}
