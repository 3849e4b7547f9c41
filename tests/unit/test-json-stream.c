/*
 * Unit tests of the incremental JSON tokenizer (ovsdb/json-stream.c).
 *
 * Each event is written into a text trace: "{" "}" "[" "]" for the
 * containers, "k:NAME", "s:TEXT" and "n:TEXT" for keys, strings and
 * numbers, "true" "false" "null", and "$" for the end of a top-level value,
 * separated by spaces.  In NAME and TEXT, bytes below 0x20, from 0x7f up,
 * and the backslash are written \xNN.  Expected traces and messages are
 * written by hand from RFC 8259 and the Unicode tables, never taken from
 * the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ovsdb/json-stream.h"

#define ARRAY_SIZE(a) (sizeof (a) / sizeof (a)[0])

/* What the recording callback does besides recording. */
struct recorder {
    struct jstream *js;
    char trace[16384];
    size_t len;
    size_t n_events;

    size_t stop_at;             /* Return 'stop_value' at this event (from
                                 * 1), if not 0. */
    int stop_value;
    const char *skip_key;       /* Skip the value of keys with this name. */
    size_t skip_start_depth;    /* Skip objects and arrays that start at
                                 * this depth (from 1), if not 0. */
    bool skip_everything;       /* Call jstream_skip() on every event. */
    bool with_positions;        /* Add "@DEPTH/OFFSET" to each event. */
    size_t pause_at;            /* Call jstream_pause() at this event
                                 * (from 1), if not 0. */
};

static void
put(struct recorder *r, const char *s, size_t n)
{
    assert_true(r->len + n < sizeof r->trace);
    memcpy(r->trace + r->len, s, n);
    r->len += n;
    r->trace[r->len] = '\0';
}

static int
record(void *aux, enum jstream_event event, const char *s, size_t len)
{
    static const char *const names[] = {
        [JSTREAM_OBJECT_START] = "{", [JSTREAM_OBJECT_END] = "}",
        [JSTREAM_ARRAY_START] = "[", [JSTREAM_ARRAY_END] = "]",
        [JSTREAM_KEY] = "k:", [JSTREAM_STRING] = "s:",
        [JSTREAM_NUMBER] = "n:", [JSTREAM_TRUE] = "true",
        [JSTREAM_FALSE] = "false", [JSTREAM_NULL] = "null",
        [JSTREAM_END] = "$",
    };
    struct recorder *r = aux;
    bool token = (event == JSTREAM_KEY || event == JSTREAM_STRING
                  || event == JSTREAM_NUMBER);

    assert_true(event <= JSTREAM_END);
    if (r->len) {
        put(r, " ", 1);
    }
    put(r, names[event], strlen(names[event]));
    if (token) {
        /* 'len' bytes, no NUL among them (and none promised after). */
        assert_non_null(s);
        assert_null(memchr(s, '\0', len));
        for (size_t i = 0; i < len; i++) {
            unsigned char c = s[i];
            char hex[8];

            if (c < 0x20 || c >= 0x7f || c == '\\') {
                snprintf(hex, sizeof hex, "\\x%02X", c);
                put(r, hex, 4);
            } else {
                put(r, s + i, 1);
            }
        }
    } else {
        assert_null(s);
        assert_int_equal(len, 0);
    }
    if (r->with_positions) {
        char at[64];

        snprintf(at, sizeof at, "@%zu/%llu", jstream_depth(r->js),
                 jstream_offset(r->js));
        put(r, at, strlen(at));
    }

    if (r->skip_everything
        || (event == JSTREAM_KEY && r->skip_key
            && len == strlen(r->skip_key) && !memcmp(s, r->skip_key, len))
        || ((event == JSTREAM_OBJECT_START || event == JSTREAM_ARRAY_START)
            && jstream_depth(r->js) == r->skip_start_depth)) {
        jstream_skip(r->js);
    }
    if (r->n_events + 1 == r->pause_at) {
        jstream_pause(r->js);
    }
    return ++r->n_events == r->stop_at ? r->stop_value : 0;
}

/* How one run ended. */
struct outcome {
    int value;                  /* The first non-zero feed, or finish. */
    char error[256];            /* jstream_error(), or "". */
    unsigned long long offset;
    size_t depth;
};

static void
outcome_get(struct jstream *js, int value, struct outcome *o)
{
    const char *error = jstream_error(js);

    o->value = value;
    snprintf(o->error, sizeof o->error, "%s", error ? error : "");
    o->offset = jstream_offset(js);
    o->depth = jstream_depth(js);
}

/* Feeds 'in' (n bytes) to a fresh stream in pieces that end at each of the
 * 'n_cuts' offsets in 'cuts' (increasing) and at 'n', then finishes it.
 * 'r' says what the callback does and gets the trace. */
static void
run_cuts(struct recorder *r, const struct jstream_limits *limits,
         const char *in, size_t n, const size_t *cuts, size_t n_cuts,
         struct outcome *o)
{
    struct jstream *js = jstream_create(record, r, limits);
    size_t start = 0;
    int value = 0;

    assert_non_null(js);
    r->js = js;
    r->len = 0;
    r->trace[0] = '\0';
    r->n_events = 0;
    for (size_t i = 0; i <= n_cuts; i++) {
        size_t stop = i < n_cuts ? cuts[i] : n;
        int v = jstream_feed(js, in + start, stop - start);

        if (!value) {
            value = v;
        } else {
            /* Stopped: stays stopped, and takes nothing more. */
            assert_int_equal(v, value);
        }
        start = stop;
    }
    if (!value) {
        value = jstream_finish(js);
    } else {
        size_t events = r->n_events;
        unsigned long long offset = jstream_offset(js);

        assert_int_equal(jstream_finish(js), value);
        assert_int_equal(jstream_feed(js, "[]", 2), value);
        assert_int_equal(r->n_events, events);
        assert_int_equal(jstream_offset(js), offset);
    }
    outcome_get(js, value, o);
    if (value == JSTREAM_ERROR) {
        /* The message names the offset jstream_offset() gives. */
        char prefix[64];

        snprintf(prefix, sizeof prefix, "byte %llu: ", o->offset);
        assert_true(!strncmp(o->error, prefix, strlen(prefix)));
    } else if (!value) {
        assert_string_equal(o->error, "");
        assert_int_equal(o->offset, n);
    }
    jstream_destroy(js);
    r->js = NULL;
}

static void
run_whole(struct recorder *r, const struct jstream_limits *limits,
          const char *in, size_t n, struct outcome *o)
{
    run_cuts(r, limits, in, n, NULL, 0, o);
}

/* Expects 'in' (n bytes), with the callback that 'r' sets up, to tokenize
 * to 'trace' (unless it is NULL), ending with 'value' and 'error' ("" for
 * none). */
static void
expect_with(struct recorder *r, const struct jstream_limits *limits,
            const char *in, size_t n, const char *trace, int value,
            const char *error)
{
    struct outcome o;

    run_whole(r, limits, in, n, &o);
    if ((trace && strcmp(r->trace, trace)) || o.value != value
        || strcmp(o.error, error)) {
        print_error("input: %.*s\n", (int) n, in);
    }
    if (trace) {
        assert_string_equal(r->trace, trace);
    }
    assert_string_equal(o.error, error);
    assert_int_equal(o.value, value);
}

static void
expect_n(const char *in, size_t n, const struct jstream_limits *limits,
         const char *trace, int value, const char *error)
{
    struct recorder r = { .stop_at = 0 };

    expect_with(&r, limits, in, n, trace, value, error);
}

static void
expect(const char *in, const char *trace)
{
    expect_n(in, strlen(in), NULL, trace, 0, "");
}

static void
expect_error(const char *in, const char *error)
{
    expect_n(in, strlen(in), NULL, NULL, JSTREAM_ERROR, error);
}

/* ------------------------------------------------------------------------
 * Valid input.
 */

static const char ovsdb_update[] =
    "{\"id\":null,\"method\":\"update2\",\"params\":[\"monid\","
    "{\"Logical_Switch_Port\":{\"0b9f5d8e-4c55-4b1c-9c1e-3f0a6e1d2c3b\":"
    "{\"insert\":{\"name\":\"pod-1.ns-1\","
    "\"addresses\":\"0a:58:0a:80:00:01 10.128.0.1\","
    "\"tag\":[\"set\",[]],\"up\":true,\"enabled\":false,"
    "\"external_ids\":[\"map\",[[\"ovn.kubernetes.io/bgp\",\"true\"],"
    "[\"pod\",\"ns-1/pod-1\"]]]}}}}]}";

static void
test_ovsdb_update(void **state)
{
    expect(ovsdb_update,
           "{ k:id null k:method s:update2 k:params [ s:monid "
           "{ k:Logical_Switch_Port "
           "{ k:0b9f5d8e-4c55-4b1c-9c1e-3f0a6e1d2c3b "
           "{ k:insert { k:name s:pod-1.ns-1 "
           "k:addresses s:0a:58:0a:80:00:01 10.128.0.1 "
           "k:tag [ s:set [ ] ] k:up true k:enabled false "
           "k:external_ids [ s:map [ [ s:ovn.kubernetes.io/bgp s:true ] "
           "[ s:pod s:ns-1/pod-1 ] ] ] } } } } ] } $");
}

static void
test_values(void **state)
{
    expect("[]", "[ ] $");
    expect("{}", "{ } $");
    expect("\"\"", "s: $");
    expect("[[[]],{},[{}]]", "[ [ [ ] ] { } [ { } ] ] $");
    expect(" \t\r\n{ \"a\" : [ true , false , null ] , \"b\" :{ } } \n",
           "{ k:a [ true false null ] k:b { } } $");
    expect("{\"\":\"\"}", "{ k: s: } $");
    expect("{\"a\":1,\"a\":2}", "{ k:a n:1 k:a n:2 } $");
    expect("[\"with space\", \"x\x7fy\"]", "[ s:with space s:x\\x7Fy ] $");
}

static void
test_numbers(void **state)
{
    expect("[0,-0,1,-1,123,9876543210123456789012345678901234567890]",
           "[ n:0 n:-0 n:1 n:-1 n:123 "
           "n:9876543210123456789012345678901234567890 ] $");
    expect("[0.5,-0.0,10.25,1e5,1E5,1e+5,1e-5,-1.5E-07,0e0,0E+00]",
           "[ n:0.5 n:-0.0 n:10.25 n:1e5 n:1E5 n:1e+5 n:1e-5 "
           "n:-1.5E-07 n:0e0 n:0E+00 ] $");
    expect("{\"a\":-12.34e+56}", "{ k:a n:-12.34e+56 } $");
    expect("[1 ,2\n]", "[ n:1 n:2 ] $");
}

static void
test_escapes(void **state)
{
    /* Every two-character escape. */
    expect("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]",
           "[ s:\"\\x5C/\\x08\\x0C\\x0A\\x0D\\x09 ] $");
    /* \u escapes of every UTF-8 length, both cases of hex digits. */
    expect("\"\\u0041\\u007F\\u0080\\u00e9\\u07FF\\u0800\\u20AC\\uD7FF"
           "\\uE000\\uffff\"",
           "s:A\\x7F\\xC2\\x80\\xC3\\xA9\\xDF\\xBF\\xE0\\xA0\\x80"
           "\\xE2\\x82\\xAC\\xED\\x9F\\xBF\\xEE\\x80\\x80\\xEF\\xBF\\xBF $");
    /* Surrogate pairs: the lowest, an emoji, the highest. */
    expect("\"\\uD800\\uDC00\\ud83d\\ude00\\uDBFF\\uDFFF\"",
           "s:\\xF0\\x90\\x80\\x80\\xF0\\x9F\\x98\\x80"
           "\\xF4\\x8F\\xBF\\xBF $");
    /* In keys too, and \u0001, the lowest escape allowed. */
    expect("{\"a\\u0001\\n\":\"\\u0001\"}",
           "{ k:a\\x01\\x0A s:\\x01 } $");
}

static void
test_utf8(void **state)
{
    /* The first and last code point of each length, and the edges of the
     * surrogate gap. */
    expect("[\"A\",\"\xC2\x80\",\"\xDF\xBF\",\"\xE0\xA0\x80\","
           "\"\xED\x9F\xBF\",\"\xEE\x80\x80\",\"\xEF\xBF\xBF\","
           "\"\xF0\x90\x80\x80\",\"\xF4\x8F\xBF\xBF\"]",
           "[ s:A s:\\xC2\\x80 s:\\xDF\\xBF s:\\xE0\\xA0\\x80 "
           "s:\\xED\\x9F\\xBF s:\\xEE\\x80\\x80 s:\\xEF\\xBF\\xBF "
           "s:\\xF0\\x90\\x80\\x80 s:\\xF4\\x8F\\xBF\\xBF ] $");
    expect("{\"cl\xC3\xA9\":\"\xE2\x82\xAC 5\"}",
           "{ k:cl\\xC3\\xA9 s:\\xE2\\x82\\xAC 5 } $");
}

static void
test_concatenated(void **state)
{
    expect("{}{\"a\":1}[2]\"s\"[]\n3 true\tnull \"t\"{}",
           "{ } $ { k:a n:1 } $ [ n:2 ] $ s:s $ [ ] $ n:3 $ true $ "
           "null $ s:t $ { } $");
    expect("1", "n:1 $");
    expect("-0.5e3 ", "n:-0.5e3 $");
    expect("", "");
    expect(" \n\t\r ", "");
}

/* A top-level number is complete only at the byte after it, or at
 * jstream_finish(). */
static void
test_top_level_number(void **state)
{
    struct recorder r = { .stop_at = 0 };
    struct jstream *js = jstream_create(record, &r, NULL);

    r.js = js;
    assert_int_equal(jstream_feed(js, "12", 2), 0);
    assert_string_equal(r.trace, "");
    assert_int_equal(jstream_feed(js, "3", 1), 0);
    assert_string_equal(r.trace, "");
    assert_int_equal(jstream_feed(js, "\n", 1), 0);
    assert_string_equal(r.trace, "n:123 $");
    assert_int_equal(jstream_feed(js, "4.5", 3), 0);
    assert_string_equal(r.trace, "n:123 $");
    assert_int_equal(jstream_finish(js), 0);
    assert_string_equal(r.trace, "n:123 $ n:4.5 $");
    assert_int_equal(jstream_offset(js), 7);
    /* After finish, more input may come. */
    assert_int_equal(jstream_feed(js, "6", 1), 0);
    assert_int_equal(jstream_finish(js), 0);
    assert_string_equal(r.trace, "n:123 $ n:4.5 $ n:6 $");
    assert_null(jstream_error(js));
    jstream_destroy(js);
}

/* Depth and offset as the callback sees them. */
static void
test_positions(void **state)
{
    struct recorder r = { .with_positions = true };
    struct outcome o;
    const char *in = "{\"a\":[1,\"x\"]} 7 ";

    run_whole(&r, NULL, in, strlen(in), &o);
    assert_string_equal(r.trace,
                        "{@1/1 k:a@1/4 [@2/6 n:1@2/7 s:x@2/11 ]@1/12 "
                        "}@0/13 $@0/13 n:7@0/15 $@0/15");
    assert_int_equal(o.value, 0);
    assert_int_equal(o.offset, 16);
}

static void
test_event_names(void **state)
{
    assert_string_equal(jstream_event_name(JSTREAM_OBJECT_START),
                        "OBJECT_START");
    assert_string_equal(jstream_event_name(JSTREAM_NUMBER), "NUMBER");
    assert_string_equal(jstream_event_name(JSTREAM_END), "END");
}

/* ------------------------------------------------------------------------
 * Invalid input: each class, with the offset of the byte at fault.
 */

static void
test_invalid_utf8(void **state)
{
    expect_error("\"\xC0\x80\"",
                 "byte 1: invalid UTF-8: overlong sequence (lead byte 0xC0)");
    expect_error("\"\xC1\xBF\"",
                 "byte 1: invalid UTF-8: overlong sequence (lead byte 0xC1)");
    expect_error("\"\xE0\x80\x80\"",
                 "byte 2: invalid UTF-8: overlong sequence (0xE0 0x80)");
    expect_error("\"\xE0\x9F\xBF\"",
                 "byte 2: invalid UTF-8: overlong sequence (0xE0 0x9F)");
    expect_error("\"\xF0\x8F\xBF\xBF\"",
                 "byte 2: invalid UTF-8: overlong sequence (0xF0 0x8F)");
    expect_error("\"\xED\xA0\x80\"",
                 "byte 2: invalid UTF-8: encoded surrogate (0xED 0xA0)");
    expect_error("\"\xED\xBF\xBF\"",
                 "byte 2: invalid UTF-8: encoded surrogate (0xED 0xBF)");
    expect_error("\"\xF4\x90\x80\x80\"",
                 "byte 2: invalid UTF-8: code point above U+10FFFF"
                 " (0xF4 0x90)");
    expect_error("\"\xF5\x80\x80\x80\"",
                 "byte 1: invalid UTF-8: code point above U+10FFFF"
                 " (lead byte 0xF5)");
    expect_error("\"\xF8\x88\x80\x80\x80\"",
                 "byte 1: invalid UTF-8: byte 0xF8");
    expect_error("\"\xFF\"", "byte 1: invalid UTF-8: byte 0xFF");
    expect_error("\"a\x80\"",
                 "byte 2: invalid UTF-8: unexpected continuation byte 0x80");
    expect_error("\"\xC3\"",
                 "byte 2: invalid UTF-8: truncated sequence ('\"' is not"
                 " a continuation byte)");
    expect_error("\"\xE2\x82\"",
                 "byte 3: invalid UTF-8: truncated sequence ('\"' is not"
                 " a continuation byte)");
    expect_error("\"\xF0\x9F\x98" "A\"",
                 "byte 4: invalid UTF-8: truncated sequence ('A' is not"
                 " a continuation byte)");
    expect_error("\"\xC3\xC3\xA9\"",
                 "byte 2: invalid UTF-8: truncated sequence (0xC3 is not"
                 " a continuation byte)");
    expect_error("{\"\xC3(\":1}",
                 "byte 3: invalid UTF-8: truncated sequence ('(' is not"
                 " a continuation byte)");
    /* Outside strings, no byte above 0x7f is valid. */
    expect_error("\xC3\xA9", "byte 0: unexpected 0xC3, expected a value");
}

static void
test_invalid_escapes(void **state)
{
    expect_error("\"\\q\"", "byte 2: invalid escape \\q");
    expect_error("\"\\U0041\"", "byte 2: invalid escape \\U");
    expect_error("\"\\'\"", "byte 2: invalid escape \\'");
    expect_error("\"\\\x01\"",
                 "byte 2: invalid escape: backslash before 0x01");
    expect_error("\"\\u12G4\"",
                 "byte 5: invalid hex digit 'G' in \\u escape");
    expect_error("\"\\u00\"",
                 "byte 5: invalid hex digit '\"' in \\u escape");
    expect_error("\"\\u0000\"",
                 "byte 6: \\u0000 is not allowed in a string");
    expect_error("{\"\\u0000\":1}",
                 "byte 7: \\u0000 is not allowed in a string");
    expect_error("\"\\uD800\"", "byte 7: lone high surrogate \\uD800");
    expect_error("\"\\uDBFF x\"", "byte 7: lone high surrogate \\uDBFF");
    expect_error("\"\\uD800\\n\"", "byte 8: lone high surrogate \\uD800");
    expect_error("\"\\uD800\\u0041\"",
                 "byte 12: high surrogate \\uD800 followed by \\u0041, not"
                 " by a low surrogate");
    expect_error("\"\\uD83D\\uD83D\"",
                 "byte 12: high surrogate \\uD83D followed by \\uD83D, not"
                 " by a low surrogate");
    expect_error("\"\\uDC00\"", "byte 6: lone low surrogate \\uDC00");
    expect_error("\"\\uDFFF\\uD800\"",
                 "byte 6: lone low surrogate \\uDFFF");
}

static void
test_invalid_control(void **state)
{
    expect_error("\"a\nb\"",
                 "byte 2: unescaped control character 0x0A in a string");
    expect_error("\"\t\"",
                 "byte 1: unescaped control character 0x09 in a string");
    expect_error("\"\x1F\"",
                 "byte 1: unescaped control character 0x1F in a string");
    expect_n("[\"\0\"]", 5, NULL, "[", JSTREAM_ERROR,
             "byte 2: unescaped control character 0x00 in a string");
    expect_error("{\"a\tb\":1}",
                 "byte 3: unescaped control character 0x09 in a key");
    expect_n("[1,\0]", 5, NULL, "[ n:1", JSTREAM_ERROR,
             "byte 3: unexpected 0x00, expected a value");
}

static void
test_invalid_numbers(void **state)
{
    expect_error("[01]", "byte 2: leading zero in a number");
    expect_error("[00]", "byte 2: leading zero in a number");
    expect_error("[-01]", "byte 3: leading zero in a number");
    expect_error("[0.5,012]", "byte 6: leading zero in a number");
    expect_error("[+1]", "byte 1: unexpected '+', expected a value or ']'");
    expect_error("[.5]", "byte 1: unexpected '.', expected a value or ']'");
    expect_error("[1.]",
                 "byte 3: expected a digit after the decimal point, got ']'");
    expect_error("[1.e5]",
                 "byte 3: expected a digit after the decimal point, got 'e'");
    expect_error("[1e]", "byte 3: expected a digit in the exponent, got ']'");
    expect_error("[1E+]",
                 "byte 4: expected a digit in the exponent, got ']'");
    expect_error("[1e-x]",
                 "byte 4: expected a digit in the exponent, got 'x'");
    expect_error("[-]", "byte 2: expected a digit after '-', got ']'");
    expect_error("[--1]", "byte 2: expected a digit after '-', got '-'");
    expect_error("[-Infinity]",
                 "byte 2: expected a digit after '-', got 'I'");
    expect_error("[1,Infinity]", "byte 3: unexpected 'I', expected a value");
    expect_error("[NaN]", "byte 1: unexpected 'N', expected a value or ']'");
    expect_error("[1.5.3]", "byte 4: expected ',' or ']' after an array"
                 " element, got '.'");
    expect_error("[1e5e3]", "byte 4: expected ',' or ']' after an array"
                 " element, got 'e'");
    expect_error("[1e5.3]", "byte 4: expected ',' or ']' after an array"
                 " element, got '.'");
    expect_error("[0x10]", "byte 2: expected ',' or ']' after an array"
                 " element, got 'x'");
    expect_error("[1-2]", "byte 2: expected ',' or ']' after an array"
                 " element, got '-'");
}

static void
test_invalid_literals(void **state)
{
    expect_error("[tru]",
                 "byte 4: invalid literal: ']' where \"true\" expects 'e'");
    expect_error("[nul]",
                 "byte 4: invalid literal: ']' where \"null\" expects 'l'");
    expect_error("[falsy]",
                 "byte 5: invalid literal: 'y' where \"false\" expects 'e'");
    expect_error("[nUll]",
                 "byte 2: invalid literal: 'U' where \"null\" expects 'u'");
    expect_error("[True]", "byte 1: unexpected 'T', expected a value or ']'");
    expect_error("[nulll]", "byte 5: expected ',' or ']' after an array"
                 " element, got 'l'");
    expect_error("truex", "byte 4: unexpected 'x', expected a value");
    expect_error("truefalse", "byte 4: 'f' right after a top-level number"
                 " or literal: separate them with whitespace");
    expect_error("1\"a\"", "byte 1: '\"' right after a top-level number"
                 " or literal: separate them with whitespace");
    expect_error("null[]", "byte 4: '[' right after a top-level number"
                 " or literal: separate them with whitespace");
}

static void
test_invalid_structure(void **state)
{
    expect_error("[1 2]", "byte 3: expected ',' or ']' after an array"
                 " element, got '2'");
    expect_error("[1}", "byte 2: expected ',' or ']' after an array"
                 " element, got '}'");
    expect_error("[1,]", "byte 3: trailing comma before ']'");
    expect_error("[1, ]", "byte 4: trailing comma before ']'");
    expect_error("[,1]", "byte 1: unexpected ',', expected a value or ']'");
    expect_error("[1,,2]", "byte 3: unexpected ',', expected a value");
    expect_error("[}", "byte 1: unexpected '}', expected a value or ']'");
    expect_error("{\"a\" 1}",
                 "byte 5: expected ':' after an object key, got '1'");
    expect_error("{\"a\"}",
                 "byte 4: expected ':' after an object key, got '}'");
    expect_error("{\"a\",1}",
                 "byte 4: expected ':' after an object key, got ','");
    expect_error("{\"a\"::1}", "byte 5: unexpected ':', expected a value");
    expect_error("{\"a\":}", "byte 5: unexpected '}', expected a value");
    expect_error("{\"a\":1,}", "byte 7: trailing comma before '}'");
    expect_error("{\"a\":1,2:3}",
                 "byte 7: expected a string as object key, got '2'");
    expect_error("{1:2}", "byte 1: expected a string as object key, got '1'");
    expect_error("{a:1}", "byte 1: expected a string as object key, got 'a'");
    expect_error("{,}", "byte 1: expected a string as object key, got ','");
    expect_error("{]", "byte 1: expected a string as object key, got ']'");
    expect_error("{\"a\":1]", "byte 6: expected ',' or '}' after an object"
                 " member, got ']'");
    expect_error("{\"a\":1 \"b\":2}", "byte 7: expected ',' or '}' after an"
                 " object member, got '\"'");
    expect_error("]", "byte 0: unexpected ']' outside any array");
    expect_error("{}}", "byte 2: unexpected '}' outside any object");
    expect_error(":", "byte 0: unexpected ':', expected a value");
    expect_error(" ,", "byte 1: unexpected ',', expected a value");
    expect_error("[1]x", "byte 3: unexpected 'x', expected a value");
    expect_error("/* c */", "byte 0: unexpected '/', expected a value");
    expect_error("'a'", "byte 0: unexpected ''', expected a value");
    expect_error("[1]\f", "byte 3: unexpected 0x0C, expected a value");
    expect_error("\xEF\xBB\xBF{}", "byte 0: unexpected 0xEF, expected a"
                 " value");
}

static void
test_unexpected_end(void **state)
{
    expect_error("{\"a\":1", "byte 6: unexpected end of input in a number");
    expect_error("{\"a\":", "byte 5: unexpected end of input in an object");
    expect_error("{\"a\"", "byte 4: unexpected end of input in an object");
    expect_error("{", "byte 1: unexpected end of input in an object");
    expect_error("[", "byte 1: unexpected end of input in an array");
    expect_error("[1,", "byte 3: unexpected end of input in an array");
    expect_error("[1", "byte 2: unexpected end of input in a number");
    expect_error("\"abc", "byte 4: unexpected end of input in a string");
    expect_error("\"\\", "byte 2: unexpected end of input in a string");
    expect_error("\"\\u12", "byte 5: unexpected end of input in a string");
    expect_error("\"\\uD800", "byte 7: unexpected end of input in a string");
    expect_error("\"\xE2\x82", "byte 3: unexpected end of input in a"
                 " string");
    expect_error("{\"ab", "byte 4: unexpected end of input in an object"
                 " key");
    expect_error("tru", "byte 3: unexpected end of input in a literal");
    expect_error("-", "byte 1: unexpected end of input in a number");
    expect_error("1.", "byte 2: unexpected end of input in a number");
    expect_error("1e+", "byte 3: unexpected end of input in a number");
}

/* ------------------------------------------------------------------------
 * Limits.
 */

static void
test_depth_limit(void **state)
{
    struct jstream_limits three = { .max_depth = 3 };
    char deep[2 * 129 + 1];

    expect_n("[[[1]]]", 7, &three, "[ [ [ n:1 ] ] ] $", 0, "");
    expect_n("[[[[1]]]]", 9, &three, "[ [ [", JSTREAM_ERROR,
             "byte 3: nesting deeper than 3");
    expect_n("{\"a\":{\"b\":{\"c\":{}}}}", 20, &three,
             "{ k:a { k:b { k:c", JSTREAM_ERROR,
             "byte 15: nesting deeper than 3");
    /* Back under the limit, deep again. */
    expect_n("[[[]],[[]]]", 11, &three, "[ [ [ ] ] [ [ ] ] ] $", 0, "");

    /* The default: 128. */
    memset(deep, '[', 128);
    memset(deep + 128, ']', 128);
    deep[256] = '\0';
    {
        struct recorder r = { .stop_at = 0 };
        struct outcome o;

        run_whole(&r, NULL, deep, 256, &o);
        assert_int_equal(o.value, 0);
        assert_int_equal(r.n_events, 257);
    }
    memset(deep, '[', 129);
    memset(deep + 129, ']', 129);
    deep[258] = '\0';
    expect_error(deep, "byte 128: nesting deeper than 128");
}

static void
test_token_limit(void **state)
{
    struct jstream_limits five = { .max_token = 5 };

    expect_n("[\"abcde\"]", 9, &five, "[ s:abcde ] $", 0, "");
    expect_n("[\"abcdef\"]", 10, &five, "[", JSTREAM_ERROR,
             "byte 7: string longer than 5 bytes");
    expect_n("{\"abcdef\":1}", 12, &five, "{", JSTREAM_ERROR,
             "byte 7: object key longer than 5 bytes");
    expect_n("[12345,123456]", 14, &five, "[ n:12345", JSTREAM_ERROR,
             "byte 12: number longer than 5 bytes");
    expect_n("[-1.5e+3]", 9, &five, "[", JSTREAM_ERROR,
             "byte 6: number longer than 5 bytes");
    /* Unescaped bytes count: 3 + 3 > 5 at the second escape's last digit. */
    expect_n("[\"\\u20ac\\u20ac\"]", 16, &five, "[", JSTREAM_ERROR,
             "byte 13: string longer than 5 bytes");
    expect_n("[\"\\u20acab\"]", 12, &five, "[ s:\\xE2\\x82\\xACab ] $", 0,
             "");
    /* Raw UTF-8 counts byte by byte. */
    expect_n("\"\xC3\xA9\xE2\x82\xAC\"", 7, &five,
             "s:\\xC3\\xA9\\xE2\\x82\\xAC $", 0, "");
    expect_n("\"a\xC3\xA9\xE2\x82\xAC\"", 8, &five, "", JSTREAM_ERROR,
             "byte 6: string longer than 5 bytes");
}

/* The token buffer grows far past its first size, up to the default
 * limit. */
static int
count_long(void *aux, enum jstream_event event, const char *s, size_t len)
{
    size_t *total = aux;

    if (event == JSTREAM_STRING) {
        for (size_t i = 0; i < len; i++) {
            assert_int_equal(s[i], 'a' + i % 26);
        }
        *total += len;
    }
    return 0;
}

/* jstream_pause() and jstream_take_members(), as the update decoder's row
 * shortcut uses them: a pause right after a '{' (event 3 here) stops the
 * feed there; members the caller takes produce no events; the stream then
 * goes on after them, offsets counting them, errors too. */
static void
test_pause_and_take(void **state)
{
    static const char in[] = "{\"rows\":{\"r1\":1,\"r2\":[2],\"r3\":{}},"
                             "\"z\":null}";
    const size_t len = sizeof in - 1;
    const size_t brace = 9;             /* {"rows":{ */
    const size_t taken = 15;            /* "r1":1,"r2":[2] */
    struct recorder r = { .pause_at = 3 };
    unsigned long long before;

    (void) state;
    r.js = jstream_create(record, &r, NULL);

    /* Paused in the middle of the piece, then two members taken. */
    assert_int_equal(jstream_feed(r.js, in, len), JSTREAM_PAUSED);
    assert_int_equal(jstream_offset(r.js), brace);
    assert_string_equal(r.trace, "{ k:rows {");
    jstream_take_members(r.js, taken);
    assert_int_equal(jstream_offset(r.js), brace + taken);
    assert_int_equal(jstream_feed(r.js, in + brace + taken,
                                  len - brace - taken), 0);
    assert_string_equal(r.trace, "{ k:rows { k:r3 { } } k:z null } $");
    assert_int_equal(jstream_offset(r.js), len);

    /* Paused at the end of a piece; nothing taken. */
    jstream_reset(r.js);
    memset(r.trace, 0, sizeof r.trace);
    r.len = r.n_events = 0;
    assert_int_equal(jstream_feed(r.js, in, brace), JSTREAM_PAUSED);
    assert_int_equal(jstream_offset(r.js), brace);
    jstream_take_members(r.js, 0);
    assert_int_equal(jstream_feed(r.js, in + brace, len - brace), 0);
    assert_string_equal(r.trace, "{ k:rows { k:r1 n:1 k:r2 [ n:2 ] k:r3 { "
                        "} } k:z null } $");

    /* Bad input right after the members taken: its offset counts them. */
    jstream_reset(r.js);
    memset(r.trace, 0, sizeof r.trace);
    r.len = r.n_events = 0;
    before = jstream_offset(r.js);
    assert_int_equal(jstream_feed(r.js, in, len), JSTREAM_PAUSED);
    assert_int_equal(jstream_offset(r.js) - before, brace);
    jstream_take_members(r.js, 6);      /* "r1":1 */
    assert_int_equal(jstream_feed(r.js, "x", 1), JSTREAM_ERROR);
    assert_string_equal(jstream_error(r.js), "byte 15: expected ',' or '}' "
                        "after an object member, got 'x'");

    jstream_destroy(r.js);
}

static void
test_long_token(void **state)
{
    enum { LEN = 3 << 20 };
    char *in = malloc(LEN + 2);
    size_t total = 0;
    struct jstream *js = jstream_create(count_long, &total, NULL);

    assert_non_null(in);
    in[0] = '"';
    for (size_t i = 0; i < LEN; i++) {
        in[i + 1] = 'a' + i % 26;
    }
    in[LEN + 1] = '"';
    /* In pieces of 1000 bytes. */
    for (size_t i = 0; i < LEN + 2; i += 1000) {
        size_t n = LEN + 2 - i < 1000 ? LEN + 2 - i : 1000;

        assert_int_equal(jstream_feed(js, in + i, n), 0);
    }
    assert_int_equal(total, LEN);
    /* Reset gives the memory back; the stream works as before. */
    jstream_reset(js);
    total = 0;
    assert_int_equal(jstream_feed(js, in, LEN + 2), 0);
    assert_int_equal(total, LEN);
    jstream_destroy(js);
    free(in);
}

/* ------------------------------------------------------------------------
 * Splits: the same events, result and message wherever the input is cut.
 */

struct split_case {
    const char *in;
    size_t n;                   /* 0 for strlen(in). */
    struct jstream_limits limits;
    const char *skip_key;
    size_t skip_start_depth;
    size_t stop_at;
};

static const struct split_case split_cases[] = {
    { .in = ovsdb_update },
    { .in = "[0,-0,1.25,-12.5e+10,3E-2,0e0,99] 17 -4.5e1 0 " },
    { .in = "{\"e\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC"
            "\\ud83d\\ude00\"}" },
    { .in = "[\"A\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEF\xBF\xBF"
            "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF\",\"\xC3\xA9\"]" },
    { .in = "{}[] \"x\" true false\nnull 12 {\"a\":[{}]}" },
    { .in = " { \"a\" : [ 1 , 2 ] , \"b\" : { } }\n" },
    { .in = "12.5" },
    { .in = "tru" },
    /* Invalid input. */
    { .in = "{\"a\":[1,2,01]}" },
    { .in = "[\"\\uD83D\\u0041\"]" },
    { .in = "[\"\\uD83Dx\"]" },
    { .in = "[\"ab\xE2\x82\"]" },
    { .in = "[\"\xF4\x90\x80\x80\"]" },
    { .in = "{\"a\":1,}" },
    { .in = "[1e+]" },
    { .in = "[truex]" },
    { .in = "1 2 3x" },
    /* Limits. */
    { .in = "[\"abcd\",\"\\u20ac\\u20ac\"]",
      .limits = { .max_token = 5 } },
    { .in = "[1234,123456]", .limits = { .max_token = 5 } },
    { .in = "[[[1]],[[[2]]]]", .limits = { .max_depth = 3 } },
    /* Skipping and stopping. */
    { .in = ovsdb_update, .skip_key = "insert" },
    { .in = ovsdb_update, .skip_start_depth = 3 },
    { .in = "{\"skip\":[1,{\"x\":[01]}],\"b\":2}", .skip_key = "skip" },
    { .in = ovsdb_update, .stop_at = 12 },
    { .in = "[10,20] 30 ", .stop_at = 3 },
    { .in = "[10,20] 30 ", .stop_at = 6 },
};

static void
run_split_case(const struct split_case *c, struct recorder *r,
               const size_t *cuts, size_t n_cuts, struct outcome *o)
{
    size_t n = c->n ? c->n : strlen(c->in);

    memset(r, 0, sizeof *r);
    r->skip_key = c->skip_key;
    r->skip_start_depth = c->skip_start_depth;
    r->stop_at = c->stop_at;
    r->stop_value = 77;
    r->with_positions = true;
    run_cuts(r, &c->limits, c->in, n, cuts, n_cuts, o);
}

static void
assert_same_run(const struct recorder *a, const struct outcome *ao,
                const struct recorder *b, const struct outcome *bo)
{
    assert_string_equal(a->trace, b->trace);
    assert_int_equal(ao->value, bo->value);
    assert_string_equal(ao->error, bo->error);
    assert_int_equal(ao->offset, bo->offset);
    assert_int_equal(ao->depth, bo->depth);
}

/* Runs 'c' whole, then cut in two at every offset, then byte by byte: the
 * events (with their depths and offsets), the result and the message must
 * be the same every time. */
static void
check_splits(const struct split_case *c)
{
    static struct recorder whole, split;
    size_t n = c->n ? c->n : strlen(c->in);
    struct outcome wo, so;
    size_t *cuts = malloc(n * sizeof *cuts + 1);

    assert_non_null(cuts);
    run_split_case(c, &whole, NULL, 0, &wo);

    /* Every two-way split, including empty pieces at either end. */
    for (size_t cut = 0; cut <= n; cut++) {
        run_split_case(c, &split, &cut, 1, &so);
        if (strcmp(whole.trace, split.trace)) {
            print_error("input: %.*s, cut at %zu\n", (int) n, c->in, cut);
        }
        assert_same_run(&whole, &wo, &split, &so);
    }

    /* Byte by byte. */
    for (size_t k = 0; k < n; k++) {
        cuts[k] = k + 1;
    }
    run_split_case(c, &split, cuts, n ? n - 1 : 0, &so);
    assert_same_run(&whole, &wo, &split, &so);
    free(cuts);
}

static void
test_splits(void **state)
{
    for (size_t i = 0; i < ARRAY_SIZE(split_cases); i++) {
        check_splits(&split_cases[i]);
    }
}

/* ------------------------------------------------------------------------
 * Strings: the fast path scans 16 bytes at a time (8 without SSE2) and
 * hands over, without a copy, a string that lies whole in one piece.
 */

/* Writes into 's' 'before', 'n1' bytes of the letters 'a' to 'z' over and
 * over, 'middle', 'n2' more of the letters, and 'after', and a NUL.
 * Returns the length. */
static size_t
letters_around(char *s, const char *before, size_t n1, const char *middle,
               size_t n2, const char *after)
{
    size_t n = sprintf(s, "%s", before);

    for (size_t i = 0; i < n1 + n2; i++) {
        if (i == n1) {
            n += sprintf(s + n, "%s", middle);
        }
        s[n++] = 'a' + i % 26;
    }
    if (!n2) {
        n += sprintf(s + n, "%s", middle);
    }
    return n + sprintf(s + n, "%s", after);
}

/* Strings and keys of every length up to 50: the closing quote at every
 * place in a block and on both sides of a block's edge. */
static void
test_string_lengths(void **state)
{
    for (size_t len = 0; len <= 50; len++) {
        char in[128], trace[160];

        letters_around(in, "{\"", len, "\":\"", len, "\"}");
        letters_around(trace, "{ k:", len, " s:", len, " } $");
        expect(in, trace);
        check_splits(&(struct split_case) { .in = in });
    }
}

/* Every kind of byte that stops the fast scan, at each of the first 40
 * places of a 40-byte string, whole and split everywhere. */
static void
test_string_specials(void **state)
{
    static const struct {
        const char *bytes;      /* What goes into the string. */
        const char *trace;      /* How the trace shows it, or NULL if it is
                                 * invalid: */
        const char *error;      /* the message, */
        size_t fault;           /* for the byte at bytes[fault]. */
    } specials[] = {
        { "\\n", "\\x0A", NULL, 0 },
        { "\\\"", "\"", NULL, 0 },
        { "\\\\", "\\x5C", NULL, 0 },
        { "\\u00e9", "\\xC3\\xA9", NULL, 0 },
        { "\\ud83d\\ude00", "\\xF0\\x9F\\x98\\x80", NULL, 0 },
        { "\x7f", "\\x7F", NULL, 0 },
        { " ", " ", NULL, 0 },
        { "\xC2\x80", "\\xC2\\x80", NULL, 0 },
        { "\xE2\x82\xAC", "\\xE2\\x82\\xAC", NULL, 0 },
        { "\xED\x9F\xBF", "\\xED\\x9F\\xBF", NULL, 0 },
        { "\xF0\x9F\x98\x80", "\\xF0\\x9F\\x98\\x80", NULL, 0 },
        { "\xF4\x8F\xBF\xBF", "\\xF4\\x8F\\xBF\\xBF", NULL, 0 },
        { "\x01", NULL, "unescaped control character 0x01 in a string", 0 },
        { "\x1F", NULL, "unescaped control character 0x1F in a string", 0 },
        { "\x80", NULL, "invalid UTF-8: unexpected continuation byte 0x80",
          0 },
        { "\xC1\xBF", NULL,
          "invalid UTF-8: overlong sequence (lead byte 0xC1)", 0 },
        { "\xE0\x9F\xBF", NULL,
          "invalid UTF-8: overlong sequence (0xE0 0x9F)", 1 },
        { "\xED\xA0\x80", NULL,
          "invalid UTF-8: encoded surrogate (0xED 0xA0)", 1 },
        { "\xF4\x90\x80\x80", NULL,
          "invalid UTF-8: code point above U+10FFFF (0xF4 0x90)", 1 },
        { "\xE2\x82" "a", NULL,
          "invalid UTF-8: truncated sequence ('a' is not a continuation"
          " byte)", 2 },
        { "\xF0\x9F\x98\xC3", NULL,
          "invalid UTF-8: truncated sequence (0xC3 is not a continuation"
          " byte)", 3 },
        { "\xFF", NULL, "invalid UTF-8: byte 0xFF", 0 },
        { "\\x", NULL, "invalid escape \\x", 1 },
    };
    enum { LEN = 40 };

    for (size_t i = 0; i < ARRAY_SIZE(specials); i++) {
        for (size_t at = 0; at <= LEN; at++) {
            char in[128], trace[256], error[160];
            size_t n = letters_around(in, "[\"", at, specials[i].bytes,
                                      LEN - at, "\"]");

            if (specials[i].trace) {
                letters_around(trace, "[ s:", at, specials[i].trace,
                               LEN - at, " ] $");
                expect_n(in, n, NULL, trace, 0, "");
            } else {
                snprintf(error, sizeof error, "byte %zu: %s",
                         2 + at + specials[i].fault, specials[i].error);
                expect_n(in, n, NULL, "[", JSTREAM_ERROR, error);
            }
            check_splits(&(struct split_case) { .in = in, .n = n });
        }
    }
}

/* The token limit on the fast path: a string of exactly the limit is
 * whole, one byte more is not, wherever it is cut. */
static void
test_string_limit_edges(void **state)
{
    for (size_t max = 1; max <= 40; max++) {
        struct jstream_limits limits = { .max_token = max };
        char in[64], trace[64], error[64];
        size_t n = letters_around(in, "[\"", max, "", 0, "\"]");

        letters_around(trace, "[ s:", max, "", 0, " ] $");
        expect_n(in, n, &limits, trace, 0, "");
        check_splits(&(struct split_case) { .in = in, .limits = limits });

        n = letters_around(in, "{\"", max + 1, "", 0, "\":1}");
        snprintf(error, sizeof error,
                 "byte %zu: object key longer than %zu bytes", 2 + max, max);
        expect_n(in, n, &limits, "{", JSTREAM_ERROR, error);
        check_splits(&(struct split_case) { .in = in, .limits = limits });
    }
}

/* Where the strings of the piece being fed are handed over. */
struct piece_record {
    const char *lo, *hi;        /* The piece. */
    size_t in_piece, copied;
};

static int
record_where(void *aux, enum jstream_event event, const char *s, size_t len)
{
    struct piece_record *w = aux;

    if (event == JSTREAM_STRING || event == JSTREAM_KEY) {
        uintptr_t at = (uintptr_t) s;

        if (at >= (uintptr_t) w->lo && at + len <= (uintptr_t) w->hi) {
            w->in_piece++;
        } else {
            w->copied++;
        }
    }
    return 0;
}

/* Feeds 'in' cut at 'cut' and counts where its strings were. */
static void
expect_where(const char *in, size_t cut, size_t in_piece, size_t copied)
{
    struct piece_record w = { NULL, NULL, 0, 0 };
    struct jstream *js = jstream_create(record_where, &w, NULL);
    size_t n = strlen(in);

    assert_non_null(js);
    w.lo = in;
    w.hi = in + cut;
    assert_int_equal(jstream_feed(js, in, cut), 0);
    w.lo = in + cut;
    w.hi = in + n;
    assert_int_equal(jstream_feed(js, in + cut, n - cut), 0);
    assert_int_equal(jstream_finish(js), 0);
    assert_int_equal(w.in_piece, in_piece);
    assert_int_equal(w.copied, copied);
    jstream_destroy(js);
}

static void
test_string_in_place(void **state)
{
    static const char in[] = "{\"k\":[\"abc\",\"d\\ne\",\"\",\"\xC3\xA9\"]}";

    /* Whole: all but the one with an escape. */
    expect_where(in, strlen(in), 4, 1);
    /* Cut inside "abc": that one is copied. */
    expect_where(in, 8, 3, 2);
    /* Cut right after its opening quote: all of it is in the second
     * piece. */
    expect_where(in, 7, 4, 1);
    /* Cut inside the UTF-8 sequence. */
    expect_where(in, strlen(in) - 4, 3, 2);
}

/* ------------------------------------------------------------------------
 * Skipping.
 */

static void
expect_skip(const char *in, const char *skip_key, size_t skip_start_depth,
            const char *trace, int value, const char *error)
{
    struct recorder r = {
        .skip_key = skip_key,
        .skip_start_depth = skip_start_depth,
    };

    expect_with(&r, NULL, in, strlen(in), trace, value, error);
}

static void
test_skip_object(void **state)
{
    /* The OBJECT_START is reported; nothing else of it, not its end. */
    expect_skip("{\"a\":{\"x\":[1,{\"y\":2}]},\"b\":3}", NULL, 2,
                "{ k:a { k:b n:3 } $", 0, "");
    /* A top-level one: its END still comes. */
    expect_skip("{\"a\":1} {\"b\":{}} [2]", NULL, 1,
                "{ $ { $ [ $", 0, "");
    expect_skip("{}", NULL, 1, "{ $", 0, "");
}

static void
test_skip_array(void **state)
{
    expect_skip("[[1,[2,3],{\"k\":\"v\"}],[],4]", NULL, 2,
                "[ [ [ n:4 ] $", 0, "");
    expect_skip("{\"a\":[[[\"deep\"]]],\"b\":[]}", NULL, 2,
                "{ k:a [ k:b [ } $", 0, "");
}

static void
test_skip_key(void **state)
{
    expect_skip("{\"skip\":{\"deep\":[1,2,{\"x\":null}]},\"keep\":\"v\","
                "\"skip\":7,\"skip\":\"s\",\"skip\":[],\"last\":true}",
                "skip", 0,
                "{ k:skip k:keep s:v k:skip k:skip k:skip k:last true } $",
                0, "");
    /* Nested: the outer skip hides the inner keys. */
    expect_skip("{\"skip\":{\"skip\":1,\"a\":2},\"b\":{\"skip\":3,\"c\":4}}",
                "skip", 0, "{ k:skip k:b { k:skip k:c n:4 } } $", 0, "");
}

/* A skipped value is still checked, and its limits still hold. */
static void
test_skip_still_checks(void **state)
{
    struct jstream_limits limits = { .max_depth = 2, .max_token = 4 };
    struct recorder r = { .skip_key = "skip" };

    expect_skip("{\"skip\":[1,2,01],\"b\":1}", "skip", 0,
                "{ k:skip", JSTREAM_ERROR,
                "byte 14: leading zero in a number");
    expect_skip("{\"skip\":{\"x\":\"\xC0\x80\"}}", "skip", 0,
                "{ k:skip", JSTREAM_ERROR,
                "byte 14: invalid UTF-8: overlong sequence (lead byte"
                " 0xC0)");
    expect_skip("[[1,2}]", NULL, 2, "[ [", JSTREAM_ERROR,
                "byte 5: expected ',' or ']' after an array element,"
                " got '}'");
    expect_skip("{\"skip\":{\"a\":1,}}", "skip", 0, "{ k:skip",
                JSTREAM_ERROR, "byte 15: trailing comma before '}'");
    expect_with(&r, &limits, "{\"skip\":[[1]]}", 14, "{ k:skip",
                JSTREAM_ERROR, "byte 9: nesting deeper than 2");
    expect_with(&r, &limits, "{\"skip\":\"abcde\"}", 16, "{ k:skip",
                JSTREAM_ERROR, "byte 13: string longer than 4 bytes");
}

/* jstream_skip() on other events, or outside a callback, does nothing. */
static void
test_skip_elsewhere(void **state)
{
    struct recorder r = { .skip_everything = true };
    struct jstream *js;

    /* The ARRAY_START skips the rest, which makes no more calls. */
    expect_with(&r, NULL, "[\"a\",1,true,null]", 17, "[ $", 0, "");
    /* Scalars and END cannot skip. */
    expect_with(&r, NULL, "\"a\" 1 true null", 15,
                "s:a $ n:1 $ true $ null $", 0, "");

    memset(&r, 0, sizeof r);
    js = jstream_create(record, &r, NULL);
    r.js = js;
    jstream_skip(js);
    assert_int_equal(jstream_feed(js, "[1]", 3), 0);
    jstream_skip(js);
    assert_int_equal(jstream_feed(js, "{\"a\":2}", 7), 0);
    assert_string_equal(r.trace, "[ n:1 ] $ { k:a n:2 } $");
    jstream_destroy(js);
}

/* ------------------------------------------------------------------------
 * Stopping and starting again.
 */

static void
test_callback_stops(void **state)
{
    struct recorder r = { .stop_at = 3, .stop_value = 42 };
    struct jstream *js = jstream_create(record, &r, NULL);

    r.js = js;
    assert_int_equal(jstream_feed(js, "{\"a\":[1,2]}", 11), 42);
    assert_string_equal(r.trace, "{ k:a [");
    assert_int_equal(jstream_offset(js), 6);
    assert_int_equal(jstream_depth(js), 2);
    assert_string_equal(jstream_error(js),
                        "byte 6: stopped by the callback (42)");
    /* Stays stopped. */
    assert_int_equal(jstream_feed(js, "[]", 2), 42);
    assert_int_equal(jstream_finish(js), 42);
    assert_string_equal(r.trace, "{ k:a [");
    assert_int_equal(jstream_offset(js), 6);

    /* A NUMBER ends at the byte after it, which is not consumed. */
    jstream_reset(js);
    r.len = 0;
    r.trace[0] = '\0';
    r.n_events = 0;
    r.stop_at = 2;
    r.stop_value = -5;
    assert_int_equal(jstream_feed(js, "[12,3]", 6), -5);
    assert_string_equal(r.trace, "[ n:12");
    assert_int_equal(jstream_offset(js), 3);
    assert_string_equal(jstream_error(js),
                        "byte 3: stopped by the callback (-5)");

    /* After reset: a new stream. */
    jstream_reset(js);
    assert_null(jstream_error(js));
    assert_int_equal(jstream_offset(js), 0);
    assert_int_equal(jstream_depth(js), 0);
    r.len = 0;
    r.trace[0] = '\0';
    r.stop_at = 0;
    assert_int_equal(jstream_feed(js, "[true]", 6), 0);
    assert_int_equal(jstream_finish(js), 0);
    assert_string_equal(r.trace, "[ true ] $");
    assert_int_equal(jstream_offset(js), 6);
    jstream_destroy(js);
}

static void
test_reset_after_error(void **state)
{
    struct recorder r = { .stop_at = 0 };
    struct jstream *js = jstream_create(record, &r, NULL);

    r.js = js;
    assert_null(jstream_error(js));
    assert_int_equal(jstream_feed(js, "{\"a\":[\"x", 8), 0);
    assert_int_equal(jstream_depth(js), 2);
    assert_int_equal(jstream_feed(js, "\\q\"]}", 5), JSTREAM_ERROR);
    assert_string_equal(jstream_error(js), "byte 9: invalid escape \\q");
    assert_int_equal(jstream_offset(js), 9);
    assert_int_equal(jstream_feed(js, "{}", 2), JSTREAM_ERROR);
    assert_int_equal(jstream_finish(js), JSTREAM_ERROR);
    assert_string_equal(r.trace, "{ k:a [");

    jstream_reset(js);
    assert_null(jstream_error(js));
    assert_int_equal(jstream_offset(js), 0);
    assert_int_equal(jstream_depth(js), 0);
    r.len = 0;
    r.trace[0] = '\0';
    /* Nothing of the old string or containers is left. */
    assert_int_equal(jstream_feed(js, "\"y\"", 3), 0);
    assert_int_equal(jstream_feed(js, "{\"b\":false}", 11), 0);
    assert_int_equal(jstream_finish(js), 0);
    assert_string_equal(r.trace, "s:y $ { k:b false } $");
    assert_int_equal(jstream_offset(js), 14);

    /* An error in the middle of a later piece counts all bytes before. */
    jstream_reset(js);
    assert_int_equal(jstream_feed(js, "[1,", 3), 0);
    assert_int_equal(jstream_feed(js, "2,", 2), 0);
    assert_int_equal(jstream_feed(js, "3,]", 3), JSTREAM_ERROR);
    assert_string_equal(jstream_error(js),
                        "byte 7: trailing comma before ']'");
    jstream_destroy(js);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ovsdb_update),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_concatenated),
        cmocka_unit_test(test_top_level_number),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_event_names),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_invalid_escapes),
        cmocka_unit_test(test_invalid_control),
        cmocka_unit_test(test_invalid_numbers),
        cmocka_unit_test(test_invalid_literals),
        cmocka_unit_test(test_invalid_structure),
        cmocka_unit_test(test_unexpected_end),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_token_limit),
        cmocka_unit_test(test_long_token),
        cmocka_unit_test(test_pause_and_take),
        cmocka_unit_test(test_splits),
        cmocka_unit_test(test_string_lengths),
        cmocka_unit_test(test_string_specials),
        cmocka_unit_test(test_string_limit_edges),
        cmocka_unit_test(test_string_in_place),
        cmocka_unit_test(test_skip_object),
        cmocka_unit_test(test_skip_array),
        cmocka_unit_test(test_skip_key),
        cmocka_unit_test(test_skip_still_checks),
        cmocka_unit_test(test_skip_elsewhere),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_reset_after_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
