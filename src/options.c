/*
 * Command-line flags of ovn-bgp-speaker: see options.h.
 */
#include <config.h>

#include "src/options.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command-line.h"
#include "daemon.h"
#include "openvswitch/vlog.h"
#include "ovsdb-session.h"
#include "stream.h"
#include "stream-ssl.h"
#include "svec.h"
#include "util.h"
#include "uuid.h"


#define DEFAULT_NB_DB "unix:/var/run/ovn/ovnnb_db.sock"
#define MD5_KEY_MAX 80          /* TCP_MD5SIG_MAXKEYLEN. */

static void OVS_NO_RETURN
usage(void)
{
    printf("%s: announce OVN pod, subnet and service IPs over BGP\n"
           "usage: %s [OPTIONS]\n"
           "\n"
           "BGP (kube-ovn-speaker's flags):\n"
           "  --neighbor-address=IP[,IP]      IPv4 BGP peers\n"
           "  --neighbor-ipv6-address=IP[,IP] IPv6 BGP peers (at least one "
           "peer is needed)\n"
           "  --neighbor-as=AS                the peers' AS, 1-4294967295 "
           "(required)\n"
           "  --cluster-as=AS                 our AS, 1-4294967295 "
           "(required)\n"
           "  --router-id=IPv4                BGP identifier (default: the "
           "host's IPv4\n"
           "                                  address towards the first "
           "neighbor)\n"
           "  --node-name=NAME                this node, for \"local\" pods "
           "(default: host name)\n"
           "  --node-ips=IP[,IP]              next hop to announce: one IPv4 "
           "and/or one IPv6\n"
           "                                  (default: the session's local "
           "address)\n"
           "  --announce-cluster-ip           announce load balancer VIPs "
           "(default: false)\n"
           "  --auth-password=PASSWORD        TCP MD5 password (default: "
           "none)\n"
           "  --auth-password-file=FILE       read it from FILE instead, "
           "out of the process list\n"
           "  --holdtime=DURATION             hold time, 0 or 3s-65535s "
           "(default: 90s)\n"
           "  --graceful-restart              graceful restart, RFC 4724 "
           "(default: false)\n"
           "  --graceful-restart-time=DURATION   restart time, 1s-4095s "
           "(default: 90s)\n"
           "  --graceful-restart-deferral-time=DURATION  longest wait for "
           "the first NB\n"
           "                                  snapshot before sending the "
           "table and,\n"
           "                                  without graceful restart, "
           "dialing\n"
           "                                  (default: 360s)\n"
           "  --passivemode                   only accept connections "
           "(default: false)\n"
           "  --ebgp-multihop=TTL             TTL towards eBGP peers, 1-255 "
           "(default: 1)\n"
           "  --extended-nexthop              IPv4 routes over IPv6 sessions, "
           "RFC 8950\n"
           "                                  (default: false)\n"
           "  --neighbor-port=PORT            the peers' BGP port "
           "(default: 179)\n"
           "  --listen-port=PORT              our BGP port, 0 for none "
           "(default: 179)\n"
           "  --local-address=IP              source of sessions, and "
           "listening address\n"
           "                                  (default: any)\n"
           "\n"
           "Northbound database:\n"
           "  --ovnnb-db=DATABASE             NB database (default: "
           "$OVN_NB_DB, else\n"
           "                                  " DEFAULT_NB_DB ");\n"
           "                                  unix:, tcp:, ssl:, or a comma "
           "list of members\n"
           "\n"
           "Operations:\n"
           "  --metrics-address=IP:PORT       serve /metrics, /healthz, "
           "/readyz (default: off)\n"
           "  --unixctl=SOCKET                control socket for ovs-appctl "
           "(default:\n"
           "                                  <rundir>/ovn-bgp-speaker."
           "<pid>.ctl)\n"
           "  --dry-run                       open no BGP session: print "
           "the route set and\n"
           "                                  every change to it (\"+ PREFIX "
           "ROWS\", \"- PREFIX ROWS\")\n"
           "\n"
           "Durations are written like kube-ovn's (90s, 5m, 1m30s) or as "
           "plain seconds.\n",
           program_name, program_name);
    stream_usage("NB database", true, false, false);
    daemon_usage();
    vlog_usage();
    printf("\nOther options:\n"
           "  -h, --help                      display this help message\n"
           "  -V, --version                   display version "
           "information\n");
    exit(EXIT_SUCCESS);
}

static void OVS_NO_RETURN OVS_PRINTF_FORMAT(1, 2)
bad_flag(const char *format, ...)
{
    va_list args;

    fprintf(stderr, "%s: ", program_name);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    exit(EXIT_FAILURE);
}

int
parse_duration(const char *s, unsigned long long *seconds)
{
    unsigned long long total = 0;

    if (!*s) {
        return -1;
    }
    while (*s) {
        if (!isdigit((unsigned char) *s)) {
            return -1;
        }
        unsigned long long v = 0;
        while (isdigit((unsigned char) *s)) {
            v = v * 10 + (*s++ - '0');
            if (v > 1000000000ULL) {
                return -1;
            }
        }
        unsigned long long unit;
        if (*s == 'h') {
            unit = 3600;
        } else if (*s == 'm' && s[1] != 's') {
            unit = 60;
        } else if (*s == 's') {
            unit = 1;
        } else if (!*s && !total) {
            unit = 1;           /* Plain seconds. */
        } else {
            return -1;
        }
        if (*s) {
            s++;
        }
        total += v * unit;
    }
    *seconds = total;
    return 0;
}

/* --FLAG=DURATION within [min, max], or 0 if 'zero_ok'. */
static unsigned int
duration_flag(const char *flag, const char *arg, unsigned int min,
              unsigned int max, bool zero_ok)
{
    unsigned long long v;
    if (parse_duration(arg, &v)) {
        bad_flag("--%s=%s: not a duration (write 90s, 5m, 1m30s or plain "
                 "seconds)", flag, arg);
    }
    if ((v < min || v > max) && !(zero_ok && v == 0)) {
        bad_flag("--%s=%s: out of range (%s%us to %us)", flag, arg,
                 zero_ok ? "0, or " : "", min, max);
    }
    return v;
}

/* --FLAG=N within [min, max]. */
static unsigned long long
number_flag(const char *flag, const char *arg, unsigned long long min,
            unsigned long long max)
{
    unsigned long long v = 0;
    const char *p = arg;

    if (!*p) {
        bad_flag("--%s: empty; give a number from %llu to %llu", flag, min,
                 max);
    }
    for (; *p; p++) {
        if (!isdigit((unsigned char) *p) || v > max) {
            bad_flag("--%s=%s: not a number from %llu to %llu", flag, arg,
                     min, max);
        }
        v = v * 10 + (*p - '0');
    }
    if (v < min || v > max) {
        bad_flag("--%s=%s: out of range (%llu to %llu)", flag, arg, min,
                 max);
    }
    return v;
}

/* A boolean flag, given bare or as --FLAG=true|false (Go's style). */
static bool
bool_flag(const char *flag, const char *arg)
{
    if (!arg || !strcmp(arg, "true") || !strcmp(arg, "1")) {
        return true;
    } else if (!strcmp(arg, "false") || !strcmp(arg, "0")) {
        return false;
    }
    bad_flag("--%s=%s: expected true or false", flag, arg);
}

static int
parse_ip(const char *s, struct sockaddr_storage *ss)
{
    struct sockaddr_in *sin = (struct sockaddr_in *) ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;

    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        return 0;
    }
    return -1;
}

static void
add_neighbors(struct speaker_options *opts, const char *flag,
              const char *list, int family)
{
    char *copy = xstrdup(list);
    char *save = NULL;
    int n = 0;

    for (char *ip = strtok_r(copy, ",", &save); ip;
         ip = strtok_r(NULL, ",", &save)) {
        struct sockaddr_storage ss;
        if (parse_ip(ip, &ss) || ss.ss_family != family) {
            bad_flag("--%s: \"%s\" is not an %s address", flag, ip,
                     family == AF_INET ? "IPv4" : "IPv6");
        }
        if (opts->n_neighbors >= MAX_NEIGHBORS) {
            bad_flag("--%s: more than %d neighbors", flag, MAX_NEIGHBORS);
        }
        opts->neighbors[opts->n_neighbors++] = ss;
        n++;
    }
    free(copy);
    if (!n) {
        bad_flag("--%s: empty; give one or more addresses, comma-separated",
                 flag);
    }
}

static void
set_node_ips(struct speaker_options *opts, const char *list)
{
    char *copy = xstrdup(list);
    char *save = NULL;

    for (char *ip = strtok_r(copy, ",", &save); ip;
         ip = strtok_r(NULL, ",", &save)) {
        struct sockaddr_storage ss;
        if (parse_ip(ip, &ss)) {
            bad_flag("--node-ips: \"%s\" is not an IP address", ip);
        }
        if (ss.ss_family == AF_INET) {
            if (opts->has_nh4) {
                bad_flag("--node-ips: two IPv4 addresses; give at most one "
                         "IPv4 and one IPv6");
            }
            opts->has_nh4 = true;
            opts->nh4 = ((struct sockaddr_in *) &ss)->sin_addr;
        } else {
            if (opts->has_nh6) {
                bad_flag("--node-ips: two IPv6 addresses; give at most one "
                         "IPv4 and one IPv6");
            }
            opts->has_nh6 = true;
            opts->nh6 = ((struct sockaddr_in6 *) &ss)->sin6_addr;
        }
    }
    free(copy);
    if (!opts->has_nh4 && !opts->has_nh6) {
        bad_flag("--node-ips: empty; give one IPv4 and/or one IPv6 address");
    }
}

static void
set_password(struct speaker_options *opts, const char *flag, char *password)
{
    if (strlen(password) > MD5_KEY_MAX) {
        bad_flag("--%s: the password is longer than %d bytes (TCP MD5's "
                 "limit)", flag, MD5_KEY_MAX);
    }
    free(opts->password);
    opts->password = password;
}

static void
read_password_file(struct speaker_options *opts, const char *file)
{
    FILE *f = fopen(file, "r");
    char buf[MD5_KEY_MAX + 3];

    if (!f) {
        bad_flag("--auth-password-file=%s: %s", file, ovs_strerror(errno));
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    bool more = fgetc(f) != EOF;
    fclose(f);
    buf[n] = '\0';
    /* One line; a final newline is not part of the password. */
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        buf[--n] = '\0';
    }
    if (more || n > MD5_KEY_MAX) {
        bad_flag("--auth-password-file=%s: the password is longer than %d "
                 "bytes (TCP MD5's limit)", file, MD5_KEY_MAX);
    }
    if (strchr(buf, '\n')) {
        bad_flag("--auth-password-file=%s: more than one line", file);
    }
    set_password(opts, "auth-password-file", xstrdup(buf));
}

static void
check_metrics_address(const char *s)
{
    const char *colon = strrchr(s, ':');
    if (!colon || !colon[1]) {
        bad_flag("--metrics-address=%s: expected IP:PORT, [IPv6]:PORT or "
                 ":PORT", s);
    }
    number_flag("metrics-address port", colon + 1, 1, 65535);
    if (colon != s) {
        char *host = xmemdup0(s, colon - s);
        struct sockaddr_storage ss;
        size_t len = strlen(host);
        if (host[0] == '[' && len > 2 && host[len - 1] == ']') {
            host[len - 1] = '\0';
            memmove(host, host + 1, len - 1);
        }
        if (parse_ip(host, &ss)) {
            bad_flag("--metrics-address=%s: \"%s\" is not an IP address", s,
                     host);
        }
        free(host);
    }
}

static char *
default_node_name(void)
{
    char host[256];

    if (gethostname(host, sizeof host - 1)) {
        bad_flag("--node-name not given and the host name is unknown "
                 "(%s)", ovs_strerror(errno));
    }
    host[sizeof host - 1] = '\0';
    return xstrdup(host);
}

/* The host's IPv4 address towards the first IPv4 neighbor (found by
 * connecting a UDP socket, which sends nothing), else its first IPv4
 * address that is not loopback, else any.  Returns 0 if none. */
static uint32_t
default_router_id(const struct speaker_options *opts)
{
    for (size_t i = 0; i < opts->n_neighbors; i++) {
        if (opts->neighbors[i].ss_family != AF_INET) {
            continue;
        }
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in sin = *(struct sockaddr_in *) &opts->neighbors[i];
        socklen_t len = sizeof sin;
        sin.sin_port = htons(179);
        if (fd >= 0 && !connect(fd, (struct sockaddr *) &sin, sizeof sin)
            && !getsockname(fd, (struct sockaddr *) &sin, &len)) {
            close(fd);
            return ntohl(sin.sin_addr.s_addr);
        }
        if (fd >= 0) {
            close(fd);
        }
        break;
    }

    struct ifaddrs *ifa, *i;
    uint32_t any = 0, id = 0;
    if (!getifaddrs(&ifa)) {
        for (i = ifa; i && !id; i = i->ifa_next) {
            if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET) {
                uint32_t a = ntohl(((struct sockaddr_in *) i->ifa_addr)
                                   ->sin_addr.s_addr);
                if ((a >> 24) != 127) {
                    id = a;
                } else if (!any) {
                    any = a;
                }
            }
        }
        freeifaddrs(ifa);
    }
    return id ? id : any;
}

/* Every remote in 'db' (a comma-separated list, as ovsdb-idl takes it)
 * must be one the speaker can connect to. */
static void
check_nb_remotes(const char *db)
{
    struct svec remotes = SVEC_EMPTY_INITIALIZER;
    struct uuid cid;
    const char *name;
    size_t i;

    ovsdb_session_parse_remote(db, &remotes, &cid);
    if (!remotes.n) {
        bad_flag("--ovnnb-db=%s: no database in it; give one such as "
                 DEFAULT_NB_DB, db);
    }
    SVEC_FOR_EACH (i, name, &remotes) {
        if (stream_verify_name(name)) {
            bad_flag("--ovnnb-db: \"%s\" is not a database the speaker can "
                     "connect to (unix:PATH, tcp:IP:PORT or ssl:IP:PORT)",
                     name);
        }
    }
    svec_destroy(&remotes);
}

void
speaker_options_parse(int argc, char *argv[], struct speaker_options *opts)
{
    enum {
        OPT_OVNNB_DB = UCHAR_MAX + 1,
        OPT_NODE_NAME,
        OPT_ANNOUNCE_CLUSTER_IP,
        OPT_DRY_RUN,
        OPT_NEIGHBOR_ADDRESS,
        OPT_NEIGHBOR_IPV6_ADDRESS,
        OPT_NEIGHBOR_AS,
        OPT_CLUSTER_AS,
        OPT_ROUTER_ID,
        OPT_NODE_IPS,
        OPT_AUTH_PASSWORD,
        OPT_AUTH_PASSWORD_FILE,
        OPT_HOLDTIME,
        OPT_GRACEFUL_RESTART,
        OPT_GR_TIME,
        OPT_GR_DEFERRAL,
        OPT_PASSIVEMODE,
        OPT_EBGP_MULTIHOP,
        OPT_EXTENDED_NEXTHOP,
        OPT_NEIGHBOR_PORT,
        OPT_LISTEN_PORT,
        OPT_LOCAL_ADDRESS,
        OPT_METRICS_ADDRESS,
        OPT_UNIXCTL,
        DAEMON_OPTION_ENUMS,
        VLOG_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"ovnnb-db", required_argument, NULL, OPT_OVNNB_DB},
        {"node-name", required_argument, NULL, OPT_NODE_NAME},
        {"announce-cluster-ip", optional_argument, NULL,
         OPT_ANNOUNCE_CLUSTER_IP},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"neighbor-address", required_argument, NULL, OPT_NEIGHBOR_ADDRESS},
        {"neighbor-ipv6-address", required_argument, NULL,
         OPT_NEIGHBOR_IPV6_ADDRESS},
        {"neighbor-as", required_argument, NULL, OPT_NEIGHBOR_AS},
        {"cluster-as", required_argument, NULL, OPT_CLUSTER_AS},
        {"router-id", required_argument, NULL, OPT_ROUTER_ID},
        {"node-ips", required_argument, NULL, OPT_NODE_IPS},
        {"auth-password", required_argument, NULL, OPT_AUTH_PASSWORD},
        {"auth-password-file", required_argument, NULL,
         OPT_AUTH_PASSWORD_FILE},
        {"holdtime", required_argument, NULL, OPT_HOLDTIME},
        {"graceful-restart", optional_argument, NULL, OPT_GRACEFUL_RESTART},
        {"graceful-restart-time", required_argument, NULL, OPT_GR_TIME},
        {"graceful-restart-deferral-time", required_argument, NULL,
         OPT_GR_DEFERRAL},
        {"passivemode", optional_argument, NULL, OPT_PASSIVEMODE},
        {"ebgp-multihop", required_argument, NULL, OPT_EBGP_MULTIHOP},
        {"extended-nexthop", optional_argument, NULL, OPT_EXTENDED_NEXTHOP},
        {"neighbor-port", required_argument, NULL, OPT_NEIGHBOR_PORT},
        {"listen-port", required_argument, NULL, OPT_LISTEN_PORT},
        {"local-address", required_argument, NULL, OPT_LOCAL_ADDRESS},
        {"metrics-address", required_argument, NULL, OPT_METRICS_ADDRESS},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    /* A leading ':' makes getopt tell a missing value (':') from an unknown
     * option ('?'). */
    char *tmp = ovs_cmdl_long_options_to_short_options(long_options);
    char *short_options = xasprintf(":%s", tmp);
    bool router_id_given = false;
    struct in_addr a4;

    free(tmp);
    memset(opts, 0, sizeof *opts);
    opts->holdtime = 90;
    opts->gr_time = 90;
    opts->gr_deferral = 360;
    opts->ebgp_multihop = 1;
    opts->neighbor_port = 179;
    opts->listen_port = 179;

    opterr = 0;
    for (;;) {
        int prev = optind;
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_OVNNB_DB:
            if (!*optarg) {
                bad_flag("--ovnnb-db: empty; give a database such as "
                         DEFAULT_NB_DB);
            }
            free(opts->ovnnb_db);
            opts->ovnnb_db = xstrdup(optarg);
            break;

        case OPT_NODE_NAME:
            if (!*optarg) {
                bad_flag("--node-name: empty; give this node's name");
            }
            free(opts->node_name);
            opts->node_name = xstrdup(optarg);
            break;

        case OPT_ANNOUNCE_CLUSTER_IP:
            opts->announce_cluster_ip = bool_flag("announce-cluster-ip",
                                                  optarg);
            break;

        case OPT_DRY_RUN:
            opts->dry_run = true;
            break;

        case OPT_NEIGHBOR_ADDRESS:
            add_neighbors(opts, "neighbor-address", optarg, AF_INET);
            break;

        case OPT_NEIGHBOR_IPV6_ADDRESS:
            add_neighbors(opts, "neighbor-ipv6-address", optarg, AF_INET6);
            break;

        case OPT_NEIGHBOR_AS:
            opts->neighbor_as = number_flag("neighbor-as", optarg, 1,
                                            UINT32_MAX);
            break;

        case OPT_CLUSTER_AS:
            opts->cluster_as = number_flag("cluster-as", optarg, 1,
                                           UINT32_MAX);
            break;

        case OPT_ROUTER_ID:
            if (inet_pton(AF_INET, optarg, &a4) != 1 || !a4.s_addr) {
                bad_flag("--router-id=%s: expected a non-zero IPv4 address",
                         optarg);
            }
            opts->router_id = ntohl(a4.s_addr);
            router_id_given = true;
            break;

        case OPT_NODE_IPS:
            set_node_ips(opts, optarg);
            break;

        case OPT_AUTH_PASSWORD:
            set_password(opts, "auth-password", xstrdup(optarg));
            break;

        case OPT_AUTH_PASSWORD_FILE:
            read_password_file(opts, optarg);
            break;

        case OPT_HOLDTIME:
            opts->holdtime = duration_flag("holdtime", optarg, 3, 65535,
                                           true);
            break;

        case OPT_GRACEFUL_RESTART:
            opts->graceful_restart = bool_flag("graceful-restart", optarg);
            break;

        case OPT_GR_TIME:
            opts->gr_time = duration_flag("graceful-restart-time", optarg,
                                          1, 4095, false);
            break;

        case OPT_GR_DEFERRAL:
            opts->gr_deferral = duration_flag(
                "graceful-restart-deferral-time", optarg, 1, 65535, false);
            break;

        case OPT_PASSIVEMODE:
            opts->passive = bool_flag("passivemode", optarg);
            break;

        case OPT_EBGP_MULTIHOP:
            opts->ebgp_multihop = number_flag("ebgp-multihop", optarg, 1,
                                              255);
            break;

        case OPT_EXTENDED_NEXTHOP:
            opts->extended_nexthop = bool_flag("extended-nexthop", optarg);
            break;

        case OPT_NEIGHBOR_PORT:
            opts->neighbor_port = number_flag("neighbor-port", optarg, 1,
                                              65535);
            break;

        case OPT_LISTEN_PORT:
            opts->listen_port = number_flag("listen-port", optarg, 0, 65535);
            break;

        case OPT_LOCAL_ADDRESS:
            if (parse_ip(optarg, &opts->local_addr)) {
                bad_flag("--local-address=%s: not an IP address", optarg);
            }
            break;

        case OPT_METRICS_ADDRESS:
            check_metrics_address(optarg);
            free(opts->metrics_address);
            opts->metrics_address = xstrdup(optarg);
            break;

        case OPT_UNIXCTL:
            free(opts->unixctl_path);
            opts->unixctl_path = xstrdup(optarg);
            break;

        case 'h':
            usage();

        case 'V':
            printf("%s %s (Open vSwitch library %s)\n", program_name,
                   SPEAKER_VERSION, ovs_get_program_version());
            exit(EXIT_SUCCESS);

        DAEMON_OPTION_HANDLERS
        VLOG_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS

        case ':':
            bad_flag("%s: needs a value (see --help)", argv[prev]);

        case '?':
        default:
            bad_flag("unknown option \"%s\" (see --help)", argv[prev]);
        }
    }
    free(short_options);

    if (optind < argc) {
        bad_flag("unexpected argument \"%s\": every setting is a flag "
                 "(see --help)", argv[optind]);
    }
    if (!opts->ovnnb_db) {
        const char *env = getenv("OVN_NB_DB");
        opts->ovnnb_db = xstrdup(env && *env ? env : DEFAULT_NB_DB);
    }
    check_nb_remotes(opts->ovnnb_db);
    if (!opts->node_name) {
        opts->node_name = default_node_name();
    }
    if (opts->dry_run) {
        return;
    }

    if (!opts->n_neighbors) {
        bad_flag("no BGP peer: give --neighbor-address and/or "
                 "--neighbor-ipv6-address");
    }
    if (!opts->neighbor_as) {
        bad_flag("--neighbor-as is required (the peers' AS, 1 to "
                 "4294967295)");
    }
    if (!opts->cluster_as) {
        bad_flag("--cluster-as is required (our AS, 1 to 4294967295)");
    }
    for (size_t i = 0; i < opts->n_neighbors; i++) {
        struct sockaddr_storage *ss = &opts->neighbors[i];
        if (ss->ss_family == AF_INET) {
            ((struct sockaddr_in *) ss)->sin_port = htons(opts->neighbor_port);
        } else {
            ((struct sockaddr_in6 *) ss)->sin6_port
                = htons(opts->neighbor_port);
        }
    }
    if (!router_id_given) {
        opts->router_id = default_router_id(opts);
        if (!opts->router_id) {
            bad_flag("--router-id not given and the host has no IPv4 "
                     "address to take it from");
        }
    }
}

void
speaker_options_destroy(struct speaker_options *opts)
{
    free(opts->ovnnb_db);
    free(opts->node_name);
    if (opts->password) {
        memset(opts->password, 0, strlen(opts->password));
        free(opts->password);
    }
    free(opts->metrics_address);
    free(opts->unixctl_path);
}
