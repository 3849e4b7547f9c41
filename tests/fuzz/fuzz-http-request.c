/*
 * libFuzzer harness for the HTTP request head parser of the metrics
 * endpoint (src/http-request.c).
 *
 * The input is one control byte, then the bytes a client sends.  They are
 * parsed twice: in one call, and as they could arrive, the buffer growing
 * by pieces of pseudo-random sizes (from the control byte), moved to a new
 * allocation before each call.  Both must end the same, with the same
 * fields: once decided, the result must stay.  A whole head must end
 * with its first empty line, hold no NUL and no CR but before an LF, and
 * the fields must point where the request line says, as
 * http_parse_request_line() reads that line on its own.
 *
 * Any broken invariant aborts, which libFuzzer reports as a crash.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/http-request.h"
#include "tests/fuzz/fuzz.h"

static bool
same_fields(const struct http_head *a, const struct http_head *b)
{
    return a->status == b->status && a->length == b->length
           && a->have_request_line == b->have_request_line
           && (!a->have_request_line
               || (a->method == b->method && a->target_ofs == b->target_ofs
                   && a->target_len == b->target_len
                   && a->path_len == b->path_len && a->major == b->major
                   && a->minor == b->minor));
}

/* The checks on a result from the bytes alone. */
static void
check_result(const struct http_head *h, const char *buf, size_t len)
{
    const char *lf = memchr(buf, '\n', len);

    if (h->status == HTTP_HEAD_MORE) {
        CHECK(!h->length);
        return;
    }
    /* Decided: the request line is whole. */
    CHECK(lf);
    size_t line_len = lf - buf;
    if (line_len && buf[line_len - 1] == '\r') {
        line_len--;
    }
    struct http_request_line rl;
    bool ok = http_parse_request_line(buf, line_len, &rl);
    if (!ok) {
        CHECK(h->status == HTTP_HEAD_BAD);
        return;
    }
    CHECK(h->have_request_line);
    CHECK(rl.method == h->method && rl.major == h->major
          && rl.minor == h->minor);
    CHECK(rl.target == buf + h->target_ofs
          && rl.target_len == h->target_len && rl.path_len == h->path_len);
    CHECK(rl.method_name == buf && rl.method_len + 1 == h->target_ofs);
    CHECK(rl.method == HTTP_OTHER
          || !memcmp(buf, rl.method == HTTP_GET ? "GET " : "HEAD ",
                     rl.method_len + 1));
    CHECK(h->path_len <= h->target_len);
    CHECK(!memchr(rl.target, '?', h->path_len));
    CHECK(h->path_len == h->target_len || rl.target[h->path_len] == '?');
    CHECK(!memcmp(rl.target + rl.target_len, " HTTP/", 6));
    if (h->major != 1) {
        CHECK(h->status == HTTP_HEAD_VERSION);
        return;
    }
    if (h->status != HTTP_HEAD_DONE) {
        CHECK(h->status == HTTP_HEAD_BAD);
        return;
    }

    /* A whole head. */
    size_t n = h->length;
    CHECK(n >= 2 && n <= len && buf[n - 1] == '\n');
    CHECK(buf[n - 2] == '\n' || (n >= 3 && buf[n - 2] == '\r'
                                 && buf[n - 3] == '\n'));
    CHECK(!memchr(buf, '\0', n));
    for (size_t i = 0; i < n; i++) {
        CHECK(buf[i] != '\r' || buf[i + 1] == '\n');
    }
    /* Its first empty line is its end. */
    for (const char *p = lf; p < buf + n - 1; p = memchr(p + 1, '\n',
                                                         buf + n - p - 1)) {
        bool empty = p[1] == '\n' || (p[1] == '\r' && p[2] == '\n');
        CHECK(!empty || p + (p[1] == '\n' ? 2 : 3) == buf + n);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint32_t seed = data[0] * 2654435761u + 1;
    const char *in = (const char *) data + 1;
    size_t len = size - 1;

    /* In one call, from an allocation of exactly the input's size. */
    char *copy = malloc(len ? len : 1);
    memcpy(copy, in, len);
    struct http_head whole;
    http_head_init(&whole);
    http_head_parse(&whole, copy, len);
    check_result(&whole, copy, len);
    free(copy);

    /* In pieces. */
    struct http_head h;
    http_head_init(&h);
    size_t n = 0;
    bool decided = false;
    for (;;) {
        char *buf = malloc(n ? n : 1);
        memcpy(buf, in, n);
        enum http_head_status s = http_head_parse(&h, buf, n);
        check_result(&h, buf, n);
        if (decided) {
            CHECK(same_fields(&h, &whole));
        } else if (s != HTTP_HEAD_MORE) {
            CHECK(same_fields(&h, &whole));
            decided = true;
        }
        free(buf);
        if (n == len) {
            break;
        }
        seed = seed * 1103515245u + 12345;
        size_t piece = (seed >> 16) % 9;
        n = piece > len - n ? len : n + piece;
    }
    CHECK(same_fields(&h, &whole));
    return 0;
}
