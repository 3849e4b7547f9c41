/*
 * --dry-run: see dry-run.h.
 */
#include <config.h>

#include "src/dry-run.h"

#include <stdio.h>

#include "openvswitch/poll-loop.h"
#include "openvswitch/util.h"
#include "util.h"
#include "openvswitch/vlog.h"
#include "ovsdb/nb-watcher.h"
#include "ovsdb/route-set.h"
#include "src/options.h"

VLOG_DEFINE_THIS_MODULE(dry_run);

static void
print_changes(struct nb_watcher *w)
{
    struct rs_changes changes;

    nb_watcher_take_changes(w, &changes);
    for (size_t i = 0; i < changes.n; i++) {
        const struct rs_change *c = &changes.changes[i];
        char prefix[NB_PREFIX_STRLEN];
        printf("%c %s %s\n", c->add ? '+' : '-',
               nb_prefix_format(&c->prefix, prefix), c->rows);
    }
    rs_changes_destroy(&changes);
}

int
dry_run_main(const struct speaker_options *opts)
{
    const struct nb_watcher_options wopts = {
        .remote = opts->ovnnb_db,
        .node_name = opts->node_name,
        .announce_cluster_ip = opts->announce_cluster_ip,
        .describe_changes = true,
    };
    struct nb_watcher *w = nb_watcher_create(&wopts);
    bool synced = false;

    /* One line at a time, so that a reader sees each change at once. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    VLOG_INFO("dry run: watching %s as node %s; no BGP session will be "
              "opened", opts->ovnnb_db, opts->node_name);
    for (;;) {
        nb_watcher_run(w);
        print_changes(w);
        if (nb_watcher_is_synced(w) && nb_watcher_is_settled(w)) {
            struct route_set *routes = nb_watcher_routes(w);
            if (!synced) {
                synced = true;
                VLOG_INFO("initial route set: %"PRIuSIZE" prefixes",
                          route_set_n_prefixes(routes));
            }
        }
        nb_watcher_wait(w);
        poll_block();
    }
}
