/*
 * Command-line flags of ovn-bgp-speaker: kube-ovn-speaker's names for the
 * BGP side, OVS's usual ones for the daemon side.
 */
#ifndef SRC_OPTIONS_H
#define SRC_OPTIONS_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define MAX_NEIGHBORS 32

struct speaker_options {
    /* NB side. */
    char *ovnnb_db;             /* --ovnnb-db, $OVN_NB_DB, or the default. */
    char *node_name;            /* --node-name, or the host name. */
    bool announce_cluster_ip;   /* --announce-cluster-ip. */

    /* BGP side. */
    struct sockaddr_storage neighbors[MAX_NEIGHBORS];  /* With the port. */
    size_t n_neighbors;
    uint32_t neighbor_as;       /* --neighbor-as. */
    uint32_t cluster_as;        /* --cluster-as. */
    uint32_t router_id;         /* --router-id, host byte order. */
    bool has_nh4, has_nh6;      /* --node-ips. */
    struct in_addr nh4;
    struct in6_addr nh6;
    char *password;             /* --auth-password(-file); never logged. */
    unsigned int holdtime;      /* --holdtime, seconds. */
    bool graceful_restart;      /* --graceful-restart. */
    unsigned int gr_time;       /* --graceful-restart-time. */
    unsigned int gr_deferral;   /* --graceful-restart-deferral-time. */
    bool passive;               /* --passivemode. */
    unsigned int ebgp_multihop; /* --ebgp-multihop: TTL. */
    bool extended_nexthop;      /* --extended-nexthop. */
    uint16_t neighbor_port;     /* --neighbor-port. */
    uint16_t listen_port;       /* --listen-port; 0: do not listen. */
    struct sockaddr_storage local_addr;  /* --local-address, or unset. */
    char *metrics_address;      /* --metrics-address IP:PORT, or NULL. */
    char *unixctl_path;         /* --unixctl, or NULL for the default. */

    /* Modes. */
    bool dry_run;               /* --dry-run: print the route set. */
};

/* Parses the command line into 'opts'.  A bad flag or value prints one line
 * on stderr that names it and says what is allowed, and exits with status
 * 1; --help and --version print and exit 0. */
void speaker_options_parse(int argc, char *argv[], struct speaker_options *);
void speaker_options_destroy(struct speaker_options *);

/* Parses a duration as kube-ovn writes them ("90s", "5m", "1m30s", "2h")
 * or plain seconds ("90").  Returns 0, or -1 if it is not one. */
int parse_duration(const char *, unsigned long long *seconds);

#endif /* src/options.h */
