/*
 * Command-line flags of ovn-bgp-speaker.
 */
#ifndef SRC_OPTIONS_H
#define SRC_OPTIONS_H 1

#include <stdbool.h>

struct speaker_options {
    /* NB side. */
    char *ovnnb_db;             /* --ovnnb-db, $OVN_NB_DB, or the default. */
    char *node_name;            /* --node-name, or the host name. */
    bool announce_cluster_ip;   /* --announce-cluster-ip. */

    /* Modes. */
    bool dry_run;               /* --dry-run: print the route set. */
};

/* Parses the command line into 'opts'.  A bad flag or value prints one line
 * on stderr that names it and says what is allowed, and exits with status
 * 1; --help and --version print and exit 0. */
void speaker_options_parse(int argc, char *argv[], struct speaker_options *);
void speaker_options_destroy(struct speaker_options *);

#endif /* src/options.h */
