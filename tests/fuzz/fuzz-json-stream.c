/*
 * libFuzzer harness for the incremental JSON tokenizer (ovsdb/json-stream.c).
 *
 * The input is two control bytes, then the JSON text:
 *
 *   - byte 0, flags: FUZZ_F_SKIP_KEYS and FUZZ_F_SKIP_CONTAINERS make the
 *     callback call jstream_skip() on some keys and containers (chosen from
 *     the events alone); FUZZ_F_LIMITS sets small limits (max_depth from
 *     bits 3-5, max_token from byte 1); FUZZ_F_STOP makes the callback stop
 *     the stream at an event chosen by byte 1.
 *   - byte 1: picks the sizes of the pieces, and the limits above.
 *
 * The text is fed to one stream three times, with jstream_reset() in
 * between: whole, in pieces of pseudo-random sizes (empty ones too), and
 * byte by byte; each run ends with jstream_finish().  The three runs must
 * give the same events (compared by hash and count), the same result, the
 * same message and the same offset.  Within each run, the events must nest
 * as JSON does (a shadow stack follows them, skips included), keys and
 * strings must be valid UTF-8 without NULs, numbers must
 * follow RFC 8259's grammar, jstream_depth() must match the shadow stack,
 * and an error message must start with "byte N: " for N the offset.
 *
 * Any broken invariant aborts, which libFuzzer reports as a crash.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/json-stream.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_F_SKIP_KEYS 0x01
#define FUZZ_F_SKIP_CONTAINERS 0x02
#define FUZZ_F_LIMITS 0x04
#define FUZZ_F_STOP 0x40

#define STOP_VALUE 7
#define MAX_SHADOW 4096

/* Where the shadow stack stands in a container (or at the top level). */
enum place {
    WANT_VALUE,                 /* Top level, or array: a value or the end;
                                 * object: a value after a key. */
    WANT_KEY,                   /* Object: a key or the end. */
    WANT_END,                   /* Top level: the END event. */
};

struct frame {
    bool object;
    enum place place;
};

/* One run: what the callback does and what it saw. */
struct run {
    struct jstream *js;
    uint8_t flags;
    size_t stop_at;

    uint64_t hash;
    size_t n_events;
    struct frame shadow[MAX_SHADOW];
    size_t depth;               /* In 'shadow'; shadow[0] is the top. */
};

/* The outcome of a run, to compare between runs. */
struct outcome {
    uint64_t hash;
    size_t n_events;
    int value;
    char error[256];
    unsigned long long offset;
    size_t depth;
};

static void
hash_bytes(uint64_t *hash, const void *p_, size_t n)
{
    const uint8_t *p = p_;

    for (size_t i = 0; i < n; i++) {
        *hash = (*hash ^ p[i]) * 0x100000001b3ULL;
    }
}

/* An oracle for UTF-8, by decoding: no overlong forms, no surrogates,
 * nothing above U+10FFFF. */
static bool
valid_utf8(const uint8_t *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint32_t cp = s[i];
        size_t extra = (cp < 0x80 ? 0 : cp >= 0xf0 ? 3 : cp >= 0xe0 ? 2
                        : cp >= 0xc0 ? 1 : 9);
        static const uint32_t min[] = { 0, 0x80, 0x800, 0x10000 };

        if (extra == 9 || cp >= 0xf8 || n - i - 1 < extra) {
            return false;
        }
        if (extra) {
            cp &= 0x3f >> extra;
        }
        for (size_t k = 1; k <= extra; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return false;
            }
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min[extra] || cp > 0x10ffff
            || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

/* Skips a run of digits at 's[*i]'; true if there was at least one. */
static bool
digits(const char *s, size_t n, size_t *i)
{
    size_t start = *i;

    while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
        (*i)++;
    }
    return *i > start;
}

/* An oracle for RFC 8259's number grammar. */
static bool
valid_number(const char *s, size_t n)
{
    size_t i = 0;

    if (i < n && s[i] == '-') {
        i++;
    }
    if (i < n && s[i] == '0') {
        i++;
    } else if (!digits(s, n, &i)) {
        return false;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (!digits(s, n, &i)) {
            return false;
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        if (!digits(s, n, &i)) {
            return false;
        }
    }
    return i == n;
}

static struct frame *
top(struct run *r)
{
    return &r->shadow[r->depth];
}

/* A whole value has gone by at the current shadow depth. */
static void
shadow_value_done(struct run *r)
{
    struct frame *f = top(r);

    f->place = !r->depth ? WANT_END : f->object ? WANT_KEY : WANT_VALUE;
}

/* Follows 'event' on the shadow stack, checking that it may come now. */
static void
shadow_event(struct run *r, enum jstream_event event)
{
    struct frame *f = top(r);

    switch (event) {
    case JSTREAM_OBJECT_START:
    case JSTREAM_ARRAY_START:
        CHECK(f->place == WANT_VALUE);
        CHECK(r->depth + 1 < MAX_SHADOW);
        r->depth++;
        top(r)->object = event == JSTREAM_OBJECT_START;
        top(r)->place = top(r)->object ? WANT_KEY : WANT_VALUE;
        break;
    case JSTREAM_OBJECT_END:
    case JSTREAM_ARRAY_END:
        CHECK(r->depth > 0);
        CHECK(f->object == (event == JSTREAM_OBJECT_END));
        CHECK(f->object ? f->place == WANT_KEY : f->place == WANT_VALUE);
        r->depth--;
        shadow_value_done(r);
        break;
    case JSTREAM_KEY:
        CHECK(r->depth > 0 && f->object && f->place == WANT_KEY);
        f->place = WANT_VALUE;
        break;
    case JSTREAM_STRING:
    case JSTREAM_NUMBER:
    case JSTREAM_TRUE:
    case JSTREAM_FALSE:
    case JSTREAM_NULL:
        CHECK(f->place == WANT_VALUE);
        shadow_value_done(r);
        break;
    case JSTREAM_END:
        CHECK(r->depth == 0 && f->place == WANT_END);
        f->place = WANT_VALUE;
        break;
    default:
        CHECK(!"unknown event");
    }
}

static int
callback(void *aux, enum jstream_event event, const char *s, size_t len)
{
    struct run *r = aux;
    uint64_t header[2] = { event, len };
    bool skip = false;

    hash_bytes(&r->hash, header, sizeof header);
    if (event == JSTREAM_KEY || event == JSTREAM_STRING
        || event == JSTREAM_NUMBER) {
        CHECK(s && !memchr(s, '\0', len));
        hash_bytes(&r->hash, s, len);
        if (event == JSTREAM_NUMBER) {
            CHECK(valid_number(s, len));
        } else {
            CHECK(valid_utf8((const uint8_t *) s, len));
        }
    } else {
        CHECK(!s && !len);
    }

    shadow_event(r, event);
    CHECK(jstream_depth(r->js) == r->depth);
    r->n_events++;

    if (event == JSTREAM_KEY && r->flags & FUZZ_F_SKIP_KEYS) {
        skip = len && (s[0] & 3) == 0;
    } else if ((event == JSTREAM_OBJECT_START
                || event == JSTREAM_ARRAY_START)
               && r->flags & FUZZ_F_SKIP_CONTAINERS) {
        skip = r->n_events % 4 == 1;
    } else if (event != JSTREAM_KEY && event != JSTREAM_OBJECT_START
               && event != JSTREAM_ARRAY_START && r->n_events % 8 == 3) {
        /* Where it must do nothing. */
        jstream_skip(r->js);
    }
    if (skip) {
        /* What is skipped ends now, as far as the events go. */
        jstream_skip(r->js);
        if (event == JSTREAM_KEY) {
            shadow_value_done(r);
        } else {
            r->depth--;
            shadow_value_done(r);
        }
    }
    return r->n_events == r->stop_at ? STOP_VALUE : 0;
}

/* Feeds 'data' to 'r->js', fresh from jstream_reset(), in pieces whose
 * sizes 'next_piece' gives, and records the outcome in 'o'. */
static void
run_pieces(struct run *r, const uint8_t *data, size_t size,
           size_t (*next_piece)(uint32_t *), uint32_t seed,
           struct outcome *o)
{
    size_t done = 0;
    int value = 0;
    const char *error;

    jstream_reset(r->js);
    CHECK(!jstream_error(r->js) && !jstream_offset(r->js)
          && !jstream_depth(r->js));
    r->hash = 0xcbf29ce484222325ULL;
    r->n_events = 0;
    r->depth = 0;
    r->shadow[0].place = WANT_VALUE;

    while (done < size) {
        size_t n = next_piece ? next_piece(&seed) : size;
        int v;

        if (n > size - done) {
            n = size - done;
        }
        v = jstream_feed(r->js, data + done, n);
        if (value) {
            CHECK(v == value);
        } else {
            value = v;
            CHECK(value || jstream_offset(r->js) == done + n);
        }
        done += n;
    }
    if (value) {
        size_t events = r->n_events;

        CHECK(jstream_finish(r->js) == value);
        CHECK(r->n_events == events);
    } else {
        value = jstream_finish(r->js);
        if (!value) {
            /* Every value the input began, it completed. */
            CHECK(r->depth == 0 && r->shadow[0].place == WANT_VALUE);
            CHECK(jstream_offset(r->js) == size);
        }
    }

    error = jstream_error(r->js);
    CHECK(!value == !error);
    if (value) {
        char prefix[64];

        snprintf(prefix, sizeof prefix, "byte %llu: ",
                 jstream_offset(r->js));
        CHECK(!strncmp(error, prefix, strlen(prefix)));
        CHECK(jstream_offset(r->js) <= size);
    }
    CHECK(value == 0 || value == JSTREAM_ERROR || value == STOP_VALUE);

    o->hash = r->hash;
    o->n_events = r->n_events;
    o->value = value;
    snprintf(o->error, sizeof o->error, "%s", error ? error : "");
    o->offset = jstream_offset(r->js);
    o->depth = jstream_depth(r->js);
}

static size_t
random_piece(uint32_t *seed)
{
    /* xorshift32; never 0 from a non-zero seed. */
    *seed ^= *seed << 13;
    *seed ^= *seed >> 17;
    *seed ^= *seed << 5;
    return (*seed & 0x30) ? *seed % 9 : *seed % 300;
}

static size_t
one_byte(uint32_t *seed)
{
    return 1;
}

static void
check_same(const struct outcome *a, const struct outcome *b)
{
    CHECK(a->hash == b->hash);
    CHECK(a->n_events == b->n_events);
    CHECK(a->value == b->value);
    CHECK(!strcmp(a->error, b->error));
    CHECK(a->offset == b->offset);
    CHECK(a->depth == b->depth);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct run r;
    struct jstream_limits limits = { 0, 0 };
    struct outcome whole, pieces, bytes;
    uint8_t flags, pick;
    uint32_t seed;

    if (size < 2) {
        return 0;
    }
    flags = data[0];
    pick = data[1];
    data += 2;
    size -= 2;

    if (flags & FUZZ_F_LIMITS) {
        limits.max_depth = 1 + ((flags >> 3) & 7);
        limits.max_token = 1 + (pick & 31);
    }
    memset(&r, 0, sizeof r);
    r.flags = flags;
    r.stop_at = flags & FUZZ_F_STOP ? 1 + pick % 32 : 0;
    r.js = jstream_create(callback, &r, &limits);
    CHECK(r.js);

    run_pieces(&r, data, size, NULL, 0, &whole);

    seed = 0x9e3779b9u ^ (pick * 0x01000193u) ^ (uint32_t) size;
    run_pieces(&r, data, size, random_piece, seed ? seed : 1, &pieces);
    check_same(&whole, &pieces);

    run_pieces(&r, data, size, one_byte, 0, &bytes);
    check_same(&whole, &bytes);

    jstream_destroy(r.js);
    return 0;
}
