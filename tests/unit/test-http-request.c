/*
 * The head of an HTTP request, as the metrics endpoint reads it
 * (src/http-request.c): request lines, whole heads, heads cut at every
 * byte, and what is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/http-request.h"

#define ARRAY_N(A) (sizeof (A) / sizeof *(A))

static void
test_request_lines(void **state)
{
    static const struct {
        const char *line;
        enum http_method method;
        const char *method_name, *target;
        size_t path_len;
        int major, minor;
    } cases[] = {
        { "GET /metrics HTTP/1.1", HTTP_GET, "GET", "/metrics", 8, 1, 1 },
        { "HEAD /readyz HTTP/1.0", HTTP_HEAD, "HEAD", "/readyz", 7, 1, 0 },
        { "GET /metrics?name[]=up HTTP/1.1", HTTP_GET, "GET",
          "/metrics?name[]=up", 8, 1, 1 },
        { "GET ? HTTP/1.1", HTTP_GET, "GET", "?", 0, 1, 1 },
        { "POST /metrics HTTP/1.1", HTTP_OTHER, "POST", "/metrics", 8, 1, 1 },
        { "get / HTTP/1.1", HTTP_OTHER, "get", "/", 1, 1, 1 },
        { "GETS / HTTP/1.1", HTTP_OTHER, "GETS", "/", 1, 1, 1 },
        { "M-SEARCH * HTTP/1.1", HTTP_OTHER, "M-SEARCH", "*", 1, 1, 1 },
        { "GET http://h:1/metrics HTTP/1.1", HTTP_GET, "GET",
          "http://h:1/metrics", 18, 1, 1 },
        { "GET / HTTP/2.0", HTTP_GET, "GET", "/", 1, 2, 0 },
        { "GET / HTTP/1.9", HTTP_GET, "GET", "/", 1, 1, 9 },
    };
    for (size_t i = 0; i < ARRAY_N(cases); i++) {
        const char *line = cases[i].line;
        struct http_request_line rl;
        assert_true(http_parse_request_line(line, strlen(line), &rl));
        assert_int_equal(rl.method, cases[i].method);
        assert_int_equal(rl.method_len, strlen(cases[i].method_name));
        assert_memory_equal(rl.method_name, cases[i].method_name,
                            rl.method_len);
        assert_int_equal(rl.target_len, strlen(cases[i].target));
        assert_memory_equal(rl.target, cases[i].target, rl.target_len);
        assert_int_equal(rl.path_len, cases[i].path_len);
        assert_int_equal(rl.major, cases[i].major);
        assert_int_equal(rl.minor, cases[i].minor);
    }
}

static void
test_request_lines_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "GET",
        "GET /metrics",                 /* HTTP/0.9. */
        "GET /metrics ",
        "GET  /metrics HTTP/1.1",       /* Two spaces. */
        "GET /metrics  HTTP/1.1",
        " GET /metrics HTTP/1.1",
        "GET /metrics HTTP/1.1 ",
        "GET\t/metrics HTTP/1.1",
        "GET /metrics\tHTTP/1.1",
        "GET /met rics HTTP/1.1",
        "GET /metrics http/1.1",
        "GET /metrics HTTP/1",
        "GET /metrics HTTP/1.",
        "GET /metrics HTTP/11",
        "GET /metrics HTTP/1.10",
        "GET /metrics HTTP/10.1",
        "GET /metrics HTTP/x.1",
        "GET /metrics HTTP/1.1\r",
        "G(T /metrics HTTP/1.1",        /* Not a token. */
        "GET /m\x7f HTTP/1.1",
        "GET /m\xc3\xa9 HTTP/1.1",      /* Not ASCII. */
        "GET /m\x01 HTTP/1.1",
    };
    for (size_t i = 0; i < ARRAY_N(bad); i++) {
        struct http_request_line rl;
        assert_false(http_parse_request_line(bad[i], strlen(bad[i]), &rl));
    }

    /* A NUL. */
    static const char nul[] = "GET /m\0x HTTP/1.1";
    struct http_request_line rl;
    assert_false(http_parse_request_line(nul, sizeof nul - 1, &rl));
}

/* Parses HEAD whole, in one call. */
static enum http_head_status
parse_whole(const char *head, size_t len, struct http_head *h)
{
    http_head_init(h);
    return http_head_parse(h, head, len);
}

static void
test_heads(void **state)
{
    static const struct {
        const char *head;
        enum http_head_status status;
    } cases[] = {
        { "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n",
          HTTP_HEAD_DONE },
        { "GET /metrics HTTP/1.0\r\n\r\n", HTTP_HEAD_DONE },
        { "GET /metrics HTTP/1.1\nHost: x\n\n", HTTP_HEAD_DONE },
        { "GET /metrics HTTP/1.1\r\nHost: x\n\r\n", HTTP_HEAD_DONE },
        { "GET / HTTP/1.1\r\nX-A:\r\nX-B: \t v\xc3\xa9 \r\n\r\n",
          HTTP_HEAD_DONE },
        { "GET / HTTP/1.1\r\nHost: x\r\n", HTTP_HEAD_MORE },
        { "GET / HTTP/1.1\r\nHost: x\r", HTTP_HEAD_MORE },
        { "GET / HTTP/1.1", HTTP_HEAD_MORE },
        { "GET / HTTP/1.1\r\nHost\x01", HTTP_HEAD_MORE },  /* Not ended. */
        { "", HTTP_HEAD_MORE },
        { "\r\nGET / HTTP/1.1\r\n\r\n", HTTP_HEAD_BAD },   /* Empty line. */
        { "GET /\r\n\r\n", HTTP_HEAD_BAD },
        { "GET / HTTP/1.1\r\nHost x\r\n\r\n", HTTP_HEAD_BAD },
        { "GET / HTTP/1.1\r\nHost : x\r\n\r\n", HTTP_HEAD_BAD },
        { "GET / HTTP/1.1\r\n: x\r\n\r\n", HTTP_HEAD_BAD },
        { "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", HTTP_HEAD_BAD },  /* Fold. */
        { "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", HTTP_HEAD_BAD },
        { "GET / HTTP/1.1\r\nA: b\r\r\n\r\n", HTTP_HEAD_BAD },
        { "GET / HTTP/1.1\r\nA: \x7f\r\n\r\n", HTTP_HEAD_BAD },
        { "GET / HTTP/1.1\r\n\r\r\n", HTTP_HEAD_BAD },
        /* Decided at the first bad line, whatever follows. */
        { "GET / HTTP/1.1\r\nHost x\r\n", HTTP_HEAD_BAD },
        { "GET / HTTP/2.0\r\n", HTTP_HEAD_VERSION },
        { "GET / HTTP/0.9\r\nHost x\r\n\r\n", HTTP_HEAD_VERSION },
    };
    for (size_t i = 0; i < ARRAY_N(cases); i++) {
        struct http_head h;
        const char *head = cases[i].head;
        size_t len = strlen(head);
        assert_int_equal(parse_whole(head, len, &h), cases[i].status);
        if (cases[i].status == HTTP_HEAD_DONE) {
            assert_int_equal(h.length, len);
        }
    }
}

static void
test_head_fields(void **state)
{
    static const char head[] = "HEAD /readyz?verbose HTTP/1.0\r\n"
                               "Host: 127.0.0.1:9179\r\n\r\n"
                               "a body, not read";
    struct http_head h;

    assert_int_equal(parse_whole(head, sizeof head - 1, &h), HTTP_HEAD_DONE);
    assert_int_equal(h.method, HTTP_HEAD);
    assert_int_equal(h.target_ofs, 5);
    assert_int_equal(h.target_len, strlen("/readyz?verbose"));
    assert_int_equal(h.path_len, strlen("/readyz"));
    assert_int_equal(h.major, 1);
    assert_int_equal(h.minor, 0);
    assert_int_equal(h.length, strstr(head, "\r\n\r\n") + 4 - head);
}

/* Every head again, fed as it would arrive: the buffer grows a byte at a
 * time, with a call at each.  Every call before the last byte that decides
 * must say HTTP_HEAD_MORE, and the end must be the same as in one call. */
static void
test_heads_byte_by_byte(void **state)
{
    static const char *const heads[] = {
        "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\ntail",
        "GET /metrics HTTP/1.1\nHost: x\n\n",
        "GET / HTTP/1.1\r\nHost x\r\nA: b\r\n\r\n",
        "GET / HTTP/3.0\r\n\r\n",
        "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n",
    };
    for (size_t i = 0; i < ARRAY_N(heads); i++) {
        size_t len = strlen(heads[i]);
        char *buf = malloc(len);
        struct http_head whole, h;
        enum http_head_status end = parse_whole(heads[i], len, &whole);

        http_head_init(&h);
        for (size_t n = 0; n <= len; n++) {
            /* A fresh copy each time: the buffer may move between calls. */
            memcpy(buf, heads[i], n);
            enum http_head_status s = http_head_parse(&h, buf, n);
            if (s != HTTP_HEAD_MORE) {
                assert_int_equal(s, end);
                /* It decided at a line's end. */
                assert_true(n > 0 && buf[n - 1] == '\n');
                /* Then stays decided. */
                for (; n <= len; n++) {
                    memcpy(buf, heads[i], n);
                    assert_int_equal(http_head_parse(&h, buf, n), end);
                }
                break;
            }
        }
        assert_int_equal(h.status, end);
        assert_int_equal(h.length, whole.length);
        assert_int_equal(h.target_ofs, whole.target_ofs);
        assert_int_equal(h.path_len, whole.path_len);
        free(buf);
    }
}

/* An 8 KB head of many headers is fine; the cap is the caller's. */
static void
test_long_head(void **state)
{
    size_t cap = 8192, len = 0;
    char *buf = malloc(cap + 1);
    struct http_head h;

    len += sprintf(buf, "GET /metrics HTTP/1.1\r\n");
    while (len + 16 + 2 <= cap) {
        len += sprintf(buf + len, "X-Pad: 0123456\r\n");
    }
    len += sprintf(buf + len, "\r\n");
    assert_true(len > cap - 16 && len <= cap);
    assert_int_equal(parse_whole(buf, len, &h), HTTP_HEAD_DONE);
    assert_int_equal(h.length, len);
    free(buf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_lines),
        cmocka_unit_test(test_request_lines_refused),
        cmocka_unit_test(test_heads),
        cmocka_unit_test(test_head_fields),
        cmocka_unit_test(test_heads_byte_by_byte),
        cmocka_unit_test(test_long_head),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
