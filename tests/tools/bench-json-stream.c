/*
 * Throughput of the JSON tokenizer (ovsdb/json-stream.c) on an OVSDB-like
 * monitor update: one "update2" notification with ROWS Logical_Switch_Port
 * inserts (default 170000, about 50 MB), fed in pieces of PIECE bytes
 * (default 65536, like socket reads), RUNS times (default 5).  Prints the
 * best and the median throughput in MB/s (10^6 bytes a second).
 *
 *   make build/release/tests/bench-json-stream
 *   build/release/tests/bench-json-stream [ROWS [PIECE [RUNS]]]
 *
 * Not run by `make check`.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ovsdb/json-stream.h"

struct counts {
    unsigned long long events;
    unsigned long long bytes;   /* In keys, strings and numbers. */
};

static int
count(void *aux, enum jstream_event event, const char *s, size_t len)
{
    struct counts *c = aux;

    c->events++;
    c->bytes += len;
    return 0;
}

/* Appends the formatted text to 'buf' at '*len'; 'buf' has room. */
static void __attribute__((format(printf, 3, 4)))
append(char *buf, size_t *len, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    *len += vsprintf(buf + *len, format, args);
    va_end(args);
}

/* One row: well under this many bytes. */
#define ROW_MAX 1024

static char *
make_update(size_t rows, size_t *lenp)
{
    char *buf = malloc(rows * ROW_MAX + 256);
    size_t len = 0;

    if (!buf) {
        perror("malloc");
        exit(1);
    }
    append(buf, &len, "{\"id\":null,\"method\":\"update2\",\"params\":[null,"
           "{\"Logical_Switch_Port\":{");
    for (size_t i = 0; i < rows; i++) {
        unsigned int ns = i % 50 + 1, node = i % 20 + 1;

        append(buf, &len,
               "%s\"%08zx-%04zx-4%03zx-8%03zx-%012zx\":{\"insert\":{"
               "\"name\":\"pod-%zu.ns-%u\","
               "\"addresses\":\"0a:58:0a:%02zx:%02zx:%02zx 10.%zu.%zu.%zu\","
               "\"external_ids\":[\"map\",[[\"ovn.kubernetes.io/bgp\","
               "\"true\"],[\"pod\",\"ns-%u/pod-%zu\"],[\"ls\",\"bench-%u\"],"
               "[\"vendor\",\"kube-ovn\"]]],"
               "\"options\":[\"map\",[[\"requested-chassis\","
               "\"node-%u\"]]]}}",
               i ? "," : "", i * 2654435761u & 0xffffffff, i & 0xffff,
               i & 0xfff, (i >> 12) & 0xfff, i * 40503,
               i, ns, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff,
               128 + (i >> 16), (i >> 8) & 0xff, i & 0xff, ns, i, ns, node);
    }
    append(buf, &len, "}}]}\n");
    *lenp = len;
    return buf;
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
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
    size_t rows = argc > 1 ? strtoul(argv[1], NULL, 10) : 170000;
    size_t piece = argc > 2 ? strtoul(argv[2], NULL, 10) : 65536;
    size_t runs = argc > 3 ? strtoul(argv[3], NULL, 10) : 5;
    struct counts counts;
    struct jstream *js;
    double *mbps;
    size_t len;
    char *doc;

    if (!rows || !piece || !runs) {
        fprintf(stderr, "usage: %s [ROWS [PIECE [RUNS]]]\n", argv[0]);
        return 1;
    }
    doc = make_update(rows, &len);
    mbps = calloc(runs, sizeof *mbps);
    js = jstream_create(count, &counts, NULL);
    if (!mbps || !js) {
        perror("calloc");
        return 1;
    }

    for (size_t run = 0; run < runs; run++) {
        double start;

        memset(&counts, 0, sizeof counts);
        jstream_reset(js);
        start = now();
        for (size_t done = 0; done < len; done += piece) {
            size_t n = len - done < piece ? len - done : piece;

            if (jstream_feed(js, doc + done, n)) {
                fprintf(stderr, "%s\n", jstream_error(js));
                return 1;
            }
        }
        if (jstream_finish(js)) {
            fprintf(stderr, "%s\n", jstream_error(js));
            return 1;
        }
        mbps[run] = len / (now() - start) / 1e6;
    }
    qsort(mbps, runs, sizeof *mbps, compare_doubles);
    printf("%zu rows, %zu bytes, %llu events, pieces of %zu bytes: "
           "best %.0f MB/s, median %.0f MB/s over %zu runs\n",
           rows, len, counts.events, piece, mbps[runs - 1],
           mbps[runs / 2], runs);

    jstream_destroy(js);
    free(mbps);
    free(doc);
    return 0;
}
