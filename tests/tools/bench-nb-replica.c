/*
 * CPU of the NB side of a first sync, without ovsdb-server or BGP: one
 * monitor reply (a file) fed in socket-sized pieces through the update
 * decoder into a fresh compact replica (ovsdb/nb-replica.c), committed,
 * and its route set taken as the NB thread hands it to BGP.  Deterministic
 * enough to compare changes of a few percent, which `make bench` on a
 * shared 2-core VM cannot.
 *
 *   make build/release/tests/bench-json-stream build/release/tests/bench-nb-replica
 *   build/release/tests/bench-json-stream -o /tmp/snap.json 100000
 *   build/release/tests/bench-nb-replica /tmp/snap.json [RUNS]
 *
 * Prints the median and best CPU time of a run (process CPU clock), per
 * row, and the prefixes it gave.  Not run by `make check`.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ovsdb/nb-replica.h"
#include "ovsdb/route-set.h"
#include "ovsdb/update-decoder.h"
#include "util.h"

#define PIECE 65536

struct run {
    struct nb_replica *replica;
    size_t rows;
};

static const struct ud_schema *
updates_begin(void *r_, const char *monitor_id OVS_UNUSED)
{
    struct run *r = r_;
    nb_replica_begin_snapshot(r->replica);
    return nb_replica_schema(false);
}

static void
row_begin(void *r_, size_t table_idx, const struct ud_uuid *uuid)
{
    struct run *r = r_;
    nb_replica_row_begin(r->replica, table_idx, uuid);
}

static void
row(void *r_, const struct ud_row *u)
{
    struct run *r = r_;
    r->rows++;
    nb_replica_row(r->replica, u);
}

static int
message(void *r_, const struct ud_message *m OVS_UNUSED)
{
    struct run *r = r_;
    nb_replica_commit(r->replica);
    return 0;
}

static const struct ud_ops ops = {
    .updates_begin = updates_begin,
    .row_begin = row_begin,
    .row = row,
    .message = message,
};

static double
cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
compare_doubles(const void *a_, const void *b_)
{
    const double *a = a_, *b = b_;
    return *a < *b ? -1 : *a > *b;
}

int
main(int argc, char *argv[])
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench-nb-replica FILE [RUNS]\n");
        return 1;
    }
    size_t runs = argc > 2 ? strtoul(argv[2], NULL, 10) : 9;
    FILE *f = fopen(argv[1], "rb");
    if (!f || fseek(f, 0, SEEK_END) || ftell(f) <= 0) {
        perror(argv[1]);
        return 1;
    }
    size_t len = ftell(f);
    char *doc = xmalloc(len);
    rewind(f);
    if (fread(doc, 1, len, f) != len) {
        perror(argv[1]);
        return 1;
    }
    fclose(f);

    double *secs = xcalloc(MAX(runs, 1), sizeof *secs);
    size_t rows = 0, prefixes = 0;
    for (size_t i = 0; i < runs; i++) {
        const struct nb_replica_options opts = { .node_name = "bench" };
        struct route_set *routes = route_set_create();
        route_set_describe_changes(routes, false);
        struct run r = { nb_replica_create(&opts, routes), 0 };
        struct update_decoder *d = update_decoder_create(&ops, &r);
        struct rs_changes changes;

        double start = cpu_now();
        for (size_t done = 0; done < len; done += PIECE) {
            if (update_decoder_feed(d, doc + done, MIN(PIECE, len - done))) {
                fprintf(stderr, "%s\n", update_decoder_error(d));
                return 1;
            }
        }
        route_set_take_changes(routes, &changes);
        secs[i] = cpu_now() - start;

        rows = r.rows;
        prefixes = changes.n;
        rs_changes_destroy(&changes);
        update_decoder_destroy(d);
        nb_replica_destroy(r.replica);
        route_set_destroy(routes);
    }
    qsort(secs, runs, sizeof *secs, compare_doubles);
    printf("nb-replica: %zu bytes, %zu rows, %zu prefixes: median %.1f ms "
           "(%.0f ns/row), best %.1f ms over %zu runs\n", len, rows,
           prefixes, secs[runs / 2] * 1e3, secs[runs / 2] * 1e9 / rows,
           secs[0] * 1e3, runs);
    free(secs);
    free(doc);
    return 0;
}
