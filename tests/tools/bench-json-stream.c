/*
 * Throughput of the NB decoding path on a monitor snapshot: the JSON
 * tokenizer (ovsdb/json-stream.c) alone, or with -d the update decoder
 * over it (ovsdb/update-decoder.c, with the columns the replica asks for),
 * or with -e that decoder without its row shortcut: every row through the
 * tokenizer's events.
 *
 * The input is what ovsdb-server sends the speaker for a database that
 * scripts/nb-populate.py filled with PORTS ports (default 100000, about
 * 35 MB) on 50 switches: one "monitor_cond" reply whose result holds the
 * switches, each with its ports as a set of uuids, then the ports, each
 * with its columns in the server's (sorted) order.  With -f FILE the input
 * is FILE instead, e.g. a reply captured from a real server.
 *
 * It is fed in pieces of PIECE bytes (default 65536, like socket reads),
 * RUNS times (default 5).  Prints the best and the median throughput in
 * MB/s (10^6 bytes a second), and with -d the median nanoseconds a row.
 * With -o FILE it only writes the snapshot it would generate to FILE (for
 * tests/tools/bench-nb-replica.c).
 *
 *   make build/release/tests/bench-json-stream
 *   build/release/tests/bench-json-stream [-d | -e] [-f FILE | -o FILE]
 *       [PORTS [PIECE [RUNS]]]
 *
 * Not run by `make check`.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ovsdb/json-stream.h"
#include "ovsdb/update-decoder.h"

#define SWITCHES 50

struct counts {
    unsigned long long events;
    unsigned long long bytes;   /* In keys, strings and numbers. */
    unsigned long long rows;
    unsigned long long atoms;
    unsigned long long messages;
};

static int
count(void *aux, enum jstream_event event, const char *s, size_t len)
{
    struct counts *c = aux;

    c->events++;
    c->bytes += len;
    return 0;
}

/* The replica's columns (ovsdb/nb-replica.c), which link OVS. */
static const struct ud_column ls_columns[] = {
    { "name", UD_STRING, UD_VOID, false },
    { "ports", UD_UUID, UD_VOID, true },
    { "external_ids", UD_STRING, UD_STRING, true },
    { "other_config", UD_STRING, UD_STRING, true },
};
static const struct ud_column lsp_columns[] = {
    { "name", UD_STRING, UD_VOID, false },
    { "addresses", UD_STRING, UD_VOID, true },
    { "dynamic_addresses", UD_STRING, UD_VOID, false },
    { "enabled", UD_BOOLEAN, UD_VOID, false },
    { "external_ids", UD_STRING, UD_STRING, true },
    { "options", UD_STRING, UD_STRING, true },
};
static const struct ud_table tables[] = {
    { "Logical_Switch", ls_columns, 4 },
    { "Logical_Switch_Port", lsp_columns, 6 },
};
static const struct ud_schema schema = { tables, 2 };

static const struct ud_schema *
updates_begin(void *aux, const char *monitor_id)
{
    return &schema;
}

static void
row(void *aux, const struct ud_row *r)
{
    struct counts *c = aux;

    c->rows++;
    for (size_t i = 0; i < r->table->n_columns; i++) {
        c->atoms += r->columns[i].n;
    }
}

static int
message(void *aux, const struct ud_message *m)
{
    struct counts *c = aux;

    c->messages++;
    return 0;
}

static const struct ud_ops ops = {
    .updates_begin = updates_begin,
    .row = row,
    .message = message,
};

/* A growing output buffer. */
struct out {
    char *s;
    size_t len, cap;
};

static void __attribute__((format(printf, 2, 3)))
append(struct out *o, const char *format, ...)
{
    va_list args;
    int n;

    if (o->cap - o->len < 1024) {
        o->cap = o->cap ? 2 * o->cap : 1 << 20;
        o->s = realloc(o->s, o->cap);
        if (!o->s) {
            perror("realloc");
            exit(1);
        }
    }
    va_start(args, format);
    n = vsnprintf(o->s + o->len, o->cap - o->len, format, args);
    va_end(args);
    if (n < 0 || (size_t) n >= o->cap - o->len) {
        fprintf(stderr, "append: too long\n");
        exit(1);
    }
    o->len += n;
}

/* splitmix64: uuids that look random, the same every run. */
static uint64_t
next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A version 4 uuid's text, from 'u'. */
static void
uuid_text(const uint64_t u[2], char text[37])
{
    snprintf(text, 37, "%08x-%04x-4%03x-%04x-%012llx",
             (unsigned int) (u[0] >> 32), (unsigned int) (u[0] >> 16) & 0xffff,
             (unsigned int) u[0] & 0xfff,
             (unsigned int) (0x8000 | ((u[1] >> 48) & 0x3fff)),
             (unsigned long long) u[1] & 0xffffffffffffULL);
}

static char *
make_snapshot(size_t ports, size_t *lenp)
{
    uint64_t (*uuids)[2] = malloc(ports * sizeof *uuids);
    uint64_t state = 42;
    struct out o = { NULL, 0, 0 };
    char text[37];

    if (!uuids) {
        perror("malloc");
        exit(1);
    }
    for (size_t i = 0; i < ports; i++) {
        uuids[i][0] = next_random(&state);
        uuids[i][1] = next_random(&state);
    }

    append(&o, "{\"id\":2,\"result\":{\"Logical_Switch\":{");
    for (size_t sw = 0; sw < SWITCHES; sw++) {
        uint64_t u[2] = { next_random(&state), next_random(&state) };

        uuid_text(u, text);
        append(&o, "%s\"%s\":{\"initial\":{\"name\":\"bench-%zu\","
               "\"other_config\":[\"map\",[[\"subnet\",\"10.%zu.%zu.0/24\"]]],"
               "\"ports\":[\"set\",[", sw ? "," : "", text, sw,
               64 + sw / 256, sw % 256);
        for (size_t i = sw; i < ports; i += SWITCHES) {
            uuid_text(uuids[i], text);
            append(&o, "%s[\"uuid\",\"%s\"]", i > sw ? "," : "", text);
        }
        append(&o, "]]}}");
    }
    append(&o, "},\"Logical_Switch_Port\":{");
    for (size_t i = 0; i < ports; i++) {
        unsigned int ip = 0x0A800000 + i;
        unsigned int a = ip >> 24, b = (ip >> 16) & 255;
        unsigned int c = (ip >> 8) & 255, d = ip & 255;
        size_t sw = i % SWITCHES;

        uuid_text(uuids[i], text);
        append(&o, "%s\"%s\":{\"initial\":{"
               "\"addresses\":\"0a:58:%02x:%02x:%02x:%02x %u.%u.%u.%u\","
               "\"external_ids\":[\"map\",[[\"ls\",\"bench-%zu\"],"
               "[\"ovn.kubernetes.io/bgp\",\"true\"],"
               "[\"pod\",\"ns-%zu/pod-%zu\"],[\"vendor\",\"kube-ovn\"]]],"
               "\"name\":\"pod-%zu.ns-%zu\","
               "\"options\":[\"map\",[[\"requested-chassis\","
               "\"node-%zu\"]]]}}",
               i ? "," : "", text, a, b, c, d, a, b, c, d, sw, sw, i, i, sw,
               i % 50);
    }
    append(&o, "}},\"error\":null}");
    free(uuids);
    *lenp = o.len;
    return o.s;
}

static char *
read_file(const char *name, size_t *lenp)
{
    FILE *f = fopen(name, "rb");
    struct out o = { NULL, 0, 0 };

    if (!f) {
        perror(name);
        exit(1);
    }
    for (;;) {
        size_t n;

        append(&o, "%s", "");
        n = fread(o.s + o.len, 1, o.cap - o.len - 1, f);
        if (!n) {
            break;
        }
        o.len += n;
    }
    if (ferror(f)) {
        perror(name);
        exit(1);
    }
    fclose(f);
    *lenp = o.len;
    return o.s;
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

/* Feeds 'doc' to the tokenizer 'js', or to the decoder 'd' if not NULL,
 * from the start; false on error. */
static bool
run_once(struct jstream *js, struct update_decoder *d, const char *doc,
         size_t len, size_t piece)
{
    const char *error = NULL;

    if (d) {
        update_decoder_reset(d);
    } else {
        jstream_reset(js);
    }
    for (size_t done = 0; done < len && !error; done += piece) {
        size_t n = len - done < piece ? len - done : piece;

        if (d && update_decoder_feed(d, doc + done, n)) {
            error = update_decoder_error(d);
        } else if (!d && jstream_feed(js, doc + done, n)) {
            error = jstream_error(js);
        }
    }
    if (!d && !error && jstream_finish(js)) {
        error = jstream_error(js);
    }
    if (error) {
        fprintf(stderr, "%s\n", error);
    }
    return !error;
}

int
main(int argc, char *argv[])
{
    const char *file = NULL;
    const char *out_file = NULL;
    bool decoder = false;
    bool events = false;
    struct counts counts;
    struct jstream *js;
    struct update_decoder *d;
    double *mbps, *ns_row;
    size_t ports, piece, runs;
    size_t len;
    char *doc;
    int opt;

    while ((opt = getopt(argc, argv, "def:o:")) != -1) {
        if (opt == 'd') {
            decoder = true;
        } else if (opt == 'e') {
            decoder = true;
            events = true;
        } else if (opt == 'f') {
            file = optarg;
        } else if (opt == 'o') {
            out_file = optarg;
        } else {
            goto usage;
        }
    }
    argv += optind;
    argc -= optind;
    ports = argc > 0 ? strtoul(argv[0], NULL, 10) : 100000;
    piece = argc > 1 ? strtoul(argv[1], NULL, 10) : 65536;
    runs = argc > 2 ? strtoul(argv[2], NULL, 10) : 5;
    if (!ports || !piece || !runs) {
        goto usage;
    }

    doc = file ? read_file(file, &len) : make_snapshot(ports, &len);
    if (out_file) {
        FILE *f = fopen(out_file, "wb");
        if (!f || fwrite(doc, 1, len, f) != len || fclose(f)) {
            perror(out_file);
            return 1;
        }
        free(doc);
        return 0;
    }
    mbps = calloc(runs, sizeof *mbps);
    ns_row = calloc(runs, sizeof *ns_row);
    js = jstream_create(count, &counts, NULL);
    d = update_decoder_create(&ops, &counts);
    if (!mbps || !ns_row || !js) {
        perror("calloc");
        return 1;
    }
    update_decoder_set_shortcut(d, !events);

    for (size_t run = 0; run < runs; run++) {
        double start, secs;

        memset(&counts, 0, sizeof counts);
        start = now();
        if (!run_once(js, decoder ? d : NULL, doc, len, piece)) {
            return 1;
        }
        secs = now() - start;
        mbps[run] = len / secs / 1e6;
        ns_row[run] = counts.rows ? secs * 1e9 / counts.rows : 0;
    }
    qsort(mbps, runs, sizeof *mbps, compare_doubles);
    qsort(ns_row, runs, sizeof *ns_row, compare_doubles);
    if (decoder) {
        printf("decoder%s: %zu bytes, %llu messages, %llu rows, %llu atoms, "
               "pieces of %zu bytes: best %.0f MB/s, median %.0f MB/s, "
               "median %.0f ns/row over %zu runs\n",
               events ? " without the shortcut" : "", len, counts.messages,
               counts.rows, counts.atoms, piece,
               mbps[runs - 1], mbps[runs / 2], ns_row[runs / 2], runs);
    } else {
        printf("tokenizer: %zu bytes, %llu events, pieces of %zu bytes: "
               "best %.0f MB/s, median %.0f MB/s over %zu runs\n",
               len, counts.events, piece, mbps[runs - 1], mbps[runs / 2],
               runs);
    }

    update_decoder_destroy(d);
    jstream_destroy(js);
    free(ns_row);
    free(mbps);
    free(doc);
    return 0;

usage:
    fprintf(stderr, "usage: bench-json-stream [-d | -e] [-f FILE | -o FILE] "
            "[PORTS [PIECE [RUNS]]]\n");
    return 1;
}
