/*
 * Command-line flags of ovn-bgp-speaker: see options.h.
 */
#include <config.h>

#include "src/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command-line.h"
#include "openvswitch/vlog.h"
#include "stream.h"
#include "stream-ssl.h"
#include "util.h"

#define DEFAULT_NB_DB "unix:/var/run/ovn/ovnnb_db.sock"

static void OVS_NO_RETURN
usage(void)
{
    printf("%s: announce OVN pod, subnet and service IPs over BGP\n"
           "usage: %s [OPTIONS]\n"
           "\n"
           "Northbound database:\n"
           "  --ovnnb-db=DATABASE     NB database to watch (default: "
           "$OVN_NB_DB,\n"
           "                          else " DEFAULT_NB_DB ");\n"
           "                          unix:, tcp:, ssl:, or a comma list "
           "of cluster members\n"
           "  --node-name=NAME        this node, for \"local\" pods "
           "(default: host name)\n"
           "  --announce-cluster-ip   announce load balancer VIPs "
           "(default: off)\n"
           "\n"
           "Modes:\n"
           "  --dry-run               open no BGP session: print the route "
           "set, then\n"
           "                          every change, one line each "
           "(\"+ PREFIX ROWS\",\n"
           "                          \"- PREFIX ROWS\")\n",
           program_name, program_name);
    stream_usage("NB database", true, false, false);
    vlog_usage();
    printf("\nOther options:\n"
           "  -h, --help              display this help message\n"
           "  -V, --version           display version information\n");
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

void
speaker_options_parse(int argc, char *argv[], struct speaker_options *opts)
{
    enum {
        OPT_OVNNB_DB = UCHAR_MAX + 1,
        OPT_NODE_NAME,
        OPT_ANNOUNCE_CLUSTER_IP,
        OPT_DRY_RUN,
        VLOG_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"ovnnb-db", required_argument, NULL, OPT_OVNNB_DB},
        {"node-name", required_argument, NULL, OPT_NODE_NAME},
        {"announce-cluster-ip", no_argument, NULL, OPT_ANNOUNCE_CLUSTER_IP},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    /* A leading ':' makes getopt tell a missing value (':') from an unknown
     * option ('?'). */
    char *tmp = ovs_cmdl_long_options_to_short_options(long_options);
    char *short_options = xasprintf(":%s", tmp);
    free(tmp);

    memset(opts, 0, sizeof *opts);
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
            opts->announce_cluster_ip = true;
            break;

        case OPT_DRY_RUN:
            opts->dry_run = true;
            break;

        case 'h':
            usage();

        case 'V':
            printf("%s %s (Open vSwitch library %s)\n", program_name,
                   SPEAKER_VERSION, ovs_get_program_version());
            exit(EXIT_SUCCESS);

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
    if (!opts->node_name) {
        opts->node_name = default_node_name();
    }
}

void
speaker_options_destroy(struct speaker_options *opts)
{
    free(opts->ovnnb_db);
    free(opts->node_name);
}
