/*
 * Unit tests for ovsdb/update-decoder.c: JSON-RPC messages in, rows and
 * message summaries out.
 *
 * Every row the decoder hands out is written down as one line of text,
 *   "Table/1234 op name=x ports=[u1 u2] external_ids={k=v}"
 * (the uuid shortened to its first 4 hex digits; columns the update does
 * not carry left out), and every message as
 *   "msg method=M id=I params=P result=R error=E updates=yes|no".
 * Each test compares that transcript, and checks that feeding the same
 * bytes one at a time, and whole without the row shortcut, gives the same
 * one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/update-decoder.h"

static const struct ud_column t_columns[] = {
    { "name", UD_STRING, UD_VOID, false },
    { "ports", UD_UUID, UD_VOID, true },
    { "external_ids", UD_STRING, UD_STRING, true },
    { "enabled", UD_BOOLEAN, UD_VOID, false },
    { "n", UD_INTEGER, UD_VOID, false },
    { "refs", UD_STRING, UD_UUID, true },
};
static const struct ud_table t_tables[] = {
    { "T", t_columns, sizeof t_columns / sizeof *t_columns },
};
static const struct ud_schema t_schema = { t_tables, 1 };

struct transcript {
    char text[65536];
    size_t len;
    bool refuse_updates;        /* updates_begin() says no. */
    bool stop_on_message;       /* message() says stop. */
    bool begun;                 /* row_begin() came, its row not yet. */
    size_t begun_table;
    struct ud_uuid begun_uuid;
};

static void
put(struct transcript *t, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    int n = vsnprintf(t->text + t->len, sizeof t->text - t->len, format,
                      args);
    va_end(args);
    assert_true(n >= 0 && (size_t) n < sizeof t->text - t->len);
    t->len += n;
}

static const struct ud_schema *
on_updates_begin(void *t_, const char *monitor_id)
{
    struct transcript *t = t_;
    put(t, "begin %s\n", monitor_id ? monitor_id : "(reply)");
    /* Our monitor ids are strings. */
    bool ours = !monitor_id || monitor_id[0] == '"';
    return t->refuse_updates || !ours ? NULL : &t_schema;
}

/* An atom of 'type' comes with its length and, for a uuid, its value. */
static void
check_atom(const char *atom, size_t len, enum ud_atom_type type,
           const struct ud_uuid *uuid)
{
    struct ud_uuid u;

    assert_int_equal(len, strlen(atom));
    if (type == UD_UUID) {
        assert_non_null(uuid);
        assert_true(ud_uuid_from_string(atom, &u));
        assert_memory_equal(&u, uuid, sizeof u);
    } else {
        assert_null(uuid);
    }
}

/* Each row is announced by row_begin(), with its table and uuid, before
 * its values: on_row() checks. */
static void
on_row_begin(void *t_, size_t table_idx, const struct ud_uuid *uuid)
{
    struct transcript *t = t_;
    t->begun = true;
    t->begun_table = table_idx;
    t->begun_uuid = *uuid;
}

static void
on_row(void *t_, const struct ud_row *row)
{
    static const char *const ops[] = {
        "initial", "insert", "modify", "delete"
    };
    struct transcript *t = t_;

    assert_true(t->begun);
    assert_int_equal(t->begun_table, row->table_idx);
    assert_memory_equal(&t->begun_uuid, &row->uuid, sizeof row->uuid);
    t->begun = false;

    put(t, "%s/%04x %s", row->table->name,
        (unsigned int) (row->uuid.parts[0] >> 16), ops[row->op]);
    for (size_t i = 0; i < row->table->n_columns; i++) {
        const struct ud_column *c = &row->table->columns[i];
        const struct ud_datum *d = &row->columns[i];
        if (!d->present) {
            continue;
        }
        bool is_map = c->value != UD_VOID;
        put(t, " %s=%s", c->name, is_map ? "{" : c->composite ? "[" : "");
        for (size_t k = 0; k < d->n; k++) {
            check_atom(d->keys[k], d->key_lens[k], c->key,
                       d->key_uuids ? &d->key_uuids[k] : NULL);
            put(t, "%s%s", k ? " " : "", d->keys[k]);
            if (is_map) {
                check_atom(d->values[k], d->value_lens[k], c->value,
                           d->value_uuids ? &d->value_uuids[k] : NULL);
                put(t, "=%s", d->values[k]);
            }
        }
        put(t, "%s", is_map ? "}" : c->composite ? "]" : "");
    }
    put(t, "\n");
}

static int
on_message(void *t_, const struct ud_message *m)
{
    struct transcript *t = t_;
    put(t, "msg method=%s id=%s params=%s result=%s error=%s updates=%s\n",
        m->method ? m->method : "-", m->id ? m->id : "-",
        m->params ? m->params : "-", m->result ? m->result : "-",
        m->error ? m->error : "-", m->had_updates ? "yes" : "no");
    return t->stop_on_message;
}

static const struct ud_ops ops = {
    .updates_begin = on_updates_begin,
    .row_begin = on_row_begin,
    .row = on_row,
    .message = on_message,
};

/* Decodes 'input' whole, then one byte at a time, then whole again without
 * the row shortcut; all three transcripts must be 'expected' (and all
 * three runs fail, or not, alike).  Returns the error, or NULL, in a
 * static buffer. */
static const char *
decode(const char *input, const char *expected, bool refuse)
{
    static char error[512];
    struct transcript whole = { .refuse_updates = refuse };
    struct transcript bytes = { .refuse_updates = refuse };
    struct update_decoder *d = update_decoder_create(&ops, &whole);
    int r1 = update_decoder_feed(d, input, strlen(input));
    snprintf(error, sizeof error, "%s",
             r1 ? update_decoder_error(d) : "");
    update_decoder_destroy(d);

    d = update_decoder_create(&ops, &bytes);
    int r2 = 0;
    for (size_t i = 0; input[i] && !r2; i++) {
        r2 = update_decoder_feed(d, &input[i], 1);
    }
    if (r2) {
        assert_string_equal(update_decoder_error(d), error);
    }
    update_decoder_destroy(d);

    struct transcript events = { .refuse_updates = refuse };
    d = update_decoder_create(&ops, &events);
    update_decoder_set_shortcut(d, false);
    int r3 = update_decoder_feed(d, input, strlen(input));
    if (r3) {
        assert_string_equal(update_decoder_error(d), error);
    }
    update_decoder_destroy(d);

    assert_int_equal(r1, r2);
    assert_int_equal(r1, r3);
    assert_string_equal(whole.text, bytes.text);
    assert_string_equal(whole.text, events.text);
    if (expected) {
        assert_string_equal(whole.text, expected);
    }
    return r1 ? error : NULL;
}

#define U1 "1111aaaa-0000-0000-0000-000000000001"
#define U2 "2222bbbb-0000-0000-0000-000000000002"
#define U3 "3333cccc-0000-0000-0000-000000000003"

static void
test_monitor_reply(void **state)
{
    const char *in =
        "{\"id\":7,\"result\":{\"T\":{"
        "\"" U1 "\":{\"initial\":{\"name\":\"sw\",\"ports\":[\"set\",["
        "[\"uuid\",\"" U2 "\"],[\"uuid\",\"" U3 "\"]]],"
        "\"external_ids\":[\"map\",[[\"a\",\"1\"],[\"b\",\"x\\\"y\"]]],"
        "\"other\":[\"map\",[[\"k\",{\"deep\":[1,2]}]]],"
        "\"enabled\":false,\"n\":42}},"
        "\"" U2 "\":{\"initial\":{\"name\":\"p\",\"ports\":[\"uuid\",\""
        U1 "\"],\"enabled\":[\"set\",[]]}}},"
        "\"Unknown\":{\"" U3 "\":{\"initial\":{\"x\":1}}}},"
        "\"error\":null}";
    const char *out =
        "begin (reply)\n"
        "T/1111 initial name=sw ports=[" U2 " " U3 "] "
        "external_ids={a=1 b=x\"y} enabled=false n=42\n"
        "T/2222 initial name=p ports=[" U1 "] enabled=\n"
        "msg method=- id=7 params=- result=- error=null updates=yes\n";
    (void) state;
    assert_null(decode(in, out, false));
}

/* "method" after "params", as OVS may order an object's members. */
static void
test_update2_notification(void **state)
{
    const char *in =
        "{\"params\":[\"nb\",{\"T\":{\"" U1 "\":{\"modify\":{"
        "\"external_ids\":[\"map\",[[\"a\",\"1\"]]],\"ports\":[\"set\",[]]"
        "}},\"" U3 "\":{\"delete\":null}}}],\"id\":null,"
        "\"method\":\"update2\"}"
        "{\"id\":null,\"method\":\"update3\",\"params\":[\"nb\",\"txn-1\","
        "{\"T\":{\"" U2 "\":{\"insert\":{\"name\":\"q\"}}}}]}";
    const char *out =
        "begin \"nb\"\n"
        "T/1111 modify ports=[] external_ids={a=1}\n"
        "T/3333 delete\n"
        "msg method=update2 id=null params=[\"nb\"] result=- error=- "
        "updates=yes\n"
        "begin \"nb\"\n"
        "T/2222 insert name=q\n"
        "msg method=update3 id=null params=[\"nb\",\"txn-1\"] result=- "
        "error=- updates=yes\n";
    (void) state;
    assert_null(decode(in, out, false));
}

/* A row whose first update carries no column we want (found by the
 * fuzzer: it handed out a column array before any was allocated). */
static void
test_row_without_known_columns(void **state)
{
    (void) state;
    assert_null(decode("{\"params\":[\"nb\",{\"T\":{\"" U1 "\":{"
                       "\"modify\":{\"other\":{\"delete\":null}}}}}],"
                       "\"method\":\"update2\",\"id\":null}",
                       "begin \"nb\"\n"
                       "T/1111 modify\n"
                       "msg method=update2 id=null params=[\"nb\"] "
                       "result=- error=- updates=yes\n", false));
}

/* The decoder looks for each column name first where the last row had
 * it; rows whose columns come in other orders, with some left out or
 * unknown ones between, still find theirs. */
static void
test_column_orders(void **state)
{
    const char *in =
        "{\"id\":2,\"result\":{\"T\":{"
        "\"" U1 "\":{\"initial\":{\"enabled\":true,\"n\":1,"
        "\"name\":\"a\"}},"
        "\"" U2 "\":{\"initial\":{\"enabled\":false,\"n\":2,"
        "\"name\":\"b\"}},"
        "\"" U3 "\":{\"initial\":{\"name\":\"c\",\"n\":3,"
        "\"enabled\":true}},"
        "\"" U1 "\":{\"insert\":{\"x\":0,\"n\":4,\"y\":[1],"
        "\"name\":\"d\"}},"
        "\"" U2 "\":{\"insert\":{\"external_ids\":[\"map\",[]],"
        "\"name\":\"e\",\"enabled\":false,\"n\":5,\"ports\":[\"set\","
        "[]]}},"
        "\"" U3 "\":{\"insert\":{\"enabled\":true,\"n\":6,"
        "\"name\":\"f\"}}}}}";
    const char *out =
        "begin (reply)\n"
        "T/1111 initial name=a enabled=true n=1\n"
        "T/2222 initial name=b enabled=false n=2\n"
        "T/3333 initial name=c enabled=true n=3\n"
        "T/1111 insert name=d n=4\n"
        "T/2222 insert name=e ports=[] external_ids={} enabled=false n=5\n"
        "T/3333 insert name=f enabled=true n=6\n"
        "msg method=- id=2 params=- result=- error=- updates=yes\n";
    (void) state;
    assert_null(decode(in, out, false));
}

/* Anything outside table updates comes back as compact JSON text. */
static void
test_echo_and_replies(void **state)
{
    const char *in =
        "  {\"id\":\"echo\",\"method\":\"echo\",\"params\":[ 1, \"a\\nb\","
        " {\"x\": [true, null]} ]}\n"
        "{\"id\":3,\"result\":[],\"error\":null,\"extra\":{\"a\":[1]}}"
        "{\"id\":4,\"result\":null,\"error\":{\"error\":\"unknown "
        "database\",\"details\":\"\\u00e9\"}}";
    const char *out =
        "begin 1\n"
        "msg method=echo id=\"echo\" params=[1,\"a\\u000ab\",{\"x\":"
        "[true,null]}] result=- error=- updates=no\n"
        "msg method=- id=3 params=- result=[] error=null updates=no\n"
        "msg method=- id=4 params=- result=null error={\"error\":"
        "\"unknown database\",\"details\":\"\xc3\xa9\"} updates=no\n";
    (void) state;
    assert_null(decode(in, out, false));
}

static void
expect_error(const char *in, const char *needle)
{
    const char *error = decode(in, NULL, false);
    if (!error) {
        fail_msg("no error for %s", in);
    }
    if (!strstr(error, needle)) {
        fail_msg("error \"%s\" does not say \"%s\"", error, needle);
    }
    if (strncmp(error, "byte ", 5)) {
        fail_msg("error \"%s\" does not name the byte", error);
    }
}

#define ROW(COLS) \
    "{\"id\":1,\"result\":{\"T\":{\"" U1 "\":{\"initial\":{" COLS "}}}}}"

static void
test_bad_input(void **state)
{
    (void) state;
    expect_error("[1]", "not a JSON object");
    expect_error("{\"id\":1,\"method\":5}", "method is not a string");
    expect_error("{\"id\":1,\"id\":2}", "twice");
    expect_error("{\"result\":{\"T\":[]}}", "not an object");
    expect_error("{\"result\":{\"T\":{\"nope\":{}}}}", "not a row uuid");
    expect_error("{\"result\":{\"T\":{\"" U1 "\":{}}}}",
                 "without an operation");
    expect_error("{\"result\":{\"T\":{\"" U1 "\":{\"upsert\":{}}}}}",
                 "unknown operation");
    expect_error("{\"result\":{\"T\":{\"" U1 "\":{\"delete\":{}}}}}",
                 "\"delete\" is not null");
    expect_error(ROW("\"name\":1"), "T.name: a integer where a string");
    expect_error(ROW("\"name\":[\"set\",[\"a\",\"b\"]]"),
                 "T.name: 2 values in a column that holds one");
    expect_error(ROW("\"ports\":[\"set\",[\"" U2 "\"]]"),
                 "T.ports: a string where a uuid");
    expect_error(ROW("\"ports\":[\"uuid\",\"xyz\"]"),
                 "T.ports: not a valid uuid");
    expect_error(ROW("\"ports\":[\"named-uuid\",\"x\"]"),
                 "T.ports: not a valid value");
    expect_error(ROW("\"external_ids\":[\"set\",[]]"),
                 "T.external_ids: not a valid map");
    expect_error(ROW("\"external_ids\":[\"map\",[[\"a\"]]]"),
                 "T.external_ids: a map entry is not a pair");
    expect_error(ROW("\"external_ids\":[\"map\",[[\"a\",\"b\",\"c\"]]]"),
                 "a map entry is not a pair");
    expect_error(ROW("\"n\":1.5"), "T.n: 1.5 is not an integer");
    expect_error(ROW("\"name\":\"a\",\"name\":\"b\""), "T.name twice");
    expect_error(ROW("\"name\":[\"set\",[\"a\"],1]"), "trailing values");
    /* The tokenizer's own complaints come through, with the byte. */
    expect_error("{\"id\":1,}", "byte 8");
}

/* Uuids as a column's value, in a set, as a map's values: each comes with
 * its value parsed (which on_row() checks). */
static void
test_uuid_atoms(void **state)
{
    (void) state;
    assert_null(decode(ROW("\"ports\":[\"uuid\",\"" U2 "\"],"
                           "\"refs\":[\"map\",[[\"a\",[\"uuid\",\"" U3 "\"]],"
                           "[\"b\",[\"uuid\",\"" U1 "\"]]]]"),
                       "begin (reply)\n"
                       "T/1111 initial ports=[" U2 "] refs={a=" U3 " b="
                       U1 "}\n"
                       "msg method=- id=1 params=- result=- error=- "
                       "updates=yes\n", false));
    assert_null(decode(ROW("\"ports\":[\"set\",[[\"uuid\",\"" U3 "\"],"
                           "[\"uuid\",\"" U1 "\"]]],\"refs\":[\"map\",[]]"),
                       "begin (reply)\n"
                       "T/1111 initial ports=[" U3 " " U1 "] refs={}\n"
                       "msg method=- id=1 params=- result=- error=- "
                       "updates=yes\n", false));
}

/* A row with more atoms than the decoder first makes room for: a set of
 * 300 uuids, and a map of 300 pairs to uuids after it. */
static void
test_many_atoms(void **state)
{
    enum { N = 300 };
    char *in = malloc(N * 200 + 256);
    char *out = malloc(N * 200 + 256);
    size_t n = 0, m = 0;

    (void) state;
    n += sprintf(in + n, "{\"id\":1,\"result\":{\"T\":{\"" U1 "\":{"
                 "\"initial\":{\"ports\":[\"set\",[");
    m += sprintf(out + m, "begin (reply)\nT/1111 initial ports=[");
    for (int i = 0; i < N; i++) {
        n += sprintf(in + n, "%s[\"uuid\",\"%08x-0000-0000-0000-%012x\"]",
                     i ? "," : "", i, i);
        m += sprintf(out + m, "%s%08x-0000-0000-0000-%012x", i ? " " : "",
                     i, i);
    }
    n += sprintf(in + n, "]],\"refs\":[\"map\",[");
    m += sprintf(out + m, "] refs={");
    for (int i = 0; i < N; i++) {
        n += sprintf(in + n, "%s[\"k%d\",[\"uuid\",\"%08x-0000-0000-0000-"
                     "000000000000\"]]", i ? "," : "", i, i);
        m += sprintf(out + m, "%sk%d=%08x-0000-0000-0000-000000000000",
                     i ? " " : "", i, i);
    }
    sprintf(in + n, "]]}}}}}");
    sprintf(out + m, "}\nmsg method=- id=1 params=- result=- error=- "
            "updates=yes\n");
    assert_null(decode(in, out, false));
    free(in);
    free(out);
}

/* A truncated message is no error: it waits for more. */
static void
test_truncated_waits(void **state)
{
    struct transcript t = { .refuse_updates = false };
    struct update_decoder *d = update_decoder_create(&ops, &t);
    const char *in = ROW("\"name\":\"x\"");

    (void) state;
    assert_int_equal(update_decoder_feed(d, in, strlen(in) - 3), 0);
    assert_null(strstr(t.text, "msg "));
    assert_int_equal(update_decoder_feed(d, in + strlen(in) - 3, 3), 0);
    assert_non_null(strstr(t.text, "T/1111 initial name=x"));
    assert_non_null(strstr(t.text, "msg method=- id=1"));

    /* After a reset, a new connection starts clean, even mid-message: a
     * message that is not an object is an error again. */
    assert_int_equal(update_decoder_feed(d, in, 10), 0);
    update_decoder_reset(d);
    assert_int_equal(update_decoder_feed(d, "[", 1), -1);
    update_decoder_reset(d);
    assert_null(update_decoder_error(d));
    assert_int_equal(update_decoder_feed(d, in, strlen(in)), 0);
    update_decoder_destroy(d);
}

/* Table updates the caller does not want are copied like any value. */
static void
test_refusals(void **state)
{
    (void) state;
    assert_null(decode(ROW("\"name\":\"x\""),
                       "begin (reply)\n"
                       "msg method=- id=1 params=- result={\"T\":{\"" U1
                       "\":{\"initial\":{\"name\":\"x\"}}}} error=- "
                       "updates=no\n", true));
    assert_null(decode("{\"method\":\"update2\",\"params\":[\"nb\",{},"
                       "{\"T\":{}}],\"id\":null}",
                       "begin \"nb\"\n"
                       "begin \"nb\"\n"
                       "msg method=update2 id=null params=[\"nb\",{},{\"T\""
                       ":{}}] result=- error=- updates=no\n", true));

    struct transcript t = { .stop_on_message = true };
    struct update_decoder *d = update_decoder_create(&ops, &t);
    const char *in = "{\"id\":1,\"result\":[]}{\"id\":2,\"result\":[]}";
    assert_int_equal(update_decoder_feed(d, in, strlen(in)), -1);
    assert_non_null(strstr(update_decoder_error(d), "message refused"));
    assert_null(strstr(t.text, "id=2"));
    update_decoder_destroy(d);
}

static void
test_capture_limit(void **state)
{
    size_t n = UD_MAX_CAPTURE + 100;
    char *in = malloc(n + 64);

    (void) state;
    int len = sprintf(in, "{\"id\":1,\"result\":\"");
    memset(in + len, 'a', n);
    strcpy(in + len + n, "\"}");
    struct transcript t = { .refuse_updates = false };
    struct update_decoder *d = update_decoder_create(&ops, &t);
    assert_int_equal(update_decoder_feed(d, in, strlen(in)), -1);
    assert_non_null(strstr(update_decoder_error(d),
                           "outside table updates"));
    update_decoder_destroy(d);
    free(in);
}

static void
test_uuid_parse(void **state)
{
    struct ud_uuid u;

    (void) state;
    assert_true(ud_uuid_from_string("0123abcd-4567-89ef-ABCD-0123456789aB",
                                    &u));
    assert_int_equal(u.parts[0], 0x0123abcd);
    assert_int_equal(u.parts[1], 0x456789ef);
    assert_int_equal(u.parts[2], 0xabcd0123);
    assert_int_equal(u.parts[3], 0x456789ab);
    assert_false(ud_uuid_from_string("0123abcd-4567-89ef-abcd-0123456789a",
                                     &u));
    assert_false(ud_uuid_from_string("0123abcd-4567-89ef-abcd-0123456789abc",
                                     &u));
    assert_false(ud_uuid_from_string("0123abcd+4567-89ef-abcd-0123456789ab",
                                     &u));
    assert_false(ud_uuid_from_string("0123abcg-4567-89ef-abcd-0123456789ab",
                                     &u));
    assert_false(ud_uuid_from_string("", &u));
}

/* The value of hex digit 'c', or -1 if it is not one, as RFC 4122's
 * grammar has it. */
static int
hex_value(int c)
{
    return (c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1);
}

/* Every byte at every place of a uuid: valid where RFC 4122 says, and
 * then with the value it says. */
static void
test_uuid_every_byte(void **state)
{
    static const char base[] = "0123abcd-4567-89ef-ABCD-0123456789aB";

    (void) state;
    for (size_t at = 0; at < 36; at++) {
        for (int c = 1; c < 256; c++) {
            bool dash = at == 8 || at == 13 || at == 18 || at == 23;
            bool valid = dash ? c == '-' : hex_value(c) >= 0;
            uint32_t want[4] = { 0, 0, 0, 0 };
            char s[37];
            struct ud_uuid u;

            memcpy(s, base, sizeof s);
            s[at] = c;
            assert_int_equal(ud_uuid_from_string(s, &u), valid);
            if (!valid) {
                continue;
            }
            for (size_t i = 0, k = 0; i < 36; i++) {
                if (i != 8 && i != 13 && i != 18 && i != 23) {
                    want[k / 8] = want[k / 8] << 4 | hex_value(s[i]);
                    k++;
                }
            }
            assert_memory_equal(u.parts, want, sizeof want);
        }
    }
}

/* Decodes 'in' split in two at every byte, with the row shortcut: each
 * split must give 'out' and end with 'error' (NULL for none). */
static void
decode_splits(const char *in, const char *out, const char *error)
{
    size_t len = strlen(in);

    for (size_t k = 1; k < len; k++) {
        struct transcript t = { .refuse_updates = false };
        struct update_decoder *d = update_decoder_create(&ops, &t);
        int r = update_decoder_feed(d, in, k);

        if (!r) {
            r = update_decoder_feed(d, in + k, len - k);
        }
        assert_int_equal(r != 0, error != NULL);
        if (error) {
            assert_string_equal(update_decoder_error(d), error);
        }
        update_decoder_destroy(d);
        assert_string_equal(t.text, out);
    }
}

/* Rows in the compact form ovsdb-server writes, which the shortcut reads,
 * between rows it leaves to the tokenizer (an escape, whitespace, a
 * number, an unknown column, UTF-8 it takes), split in two at every byte:
 * each split gives what the whole does; so does bad input right after
 * rows the shortcut took, and a bad row after them. */
static void
test_shortcut_splits(void **state)
{
    const char *in =
        "{\"id\":2,\"result\":{\"T\":{"
        "\"" U1 "\":{\"initial\":{\"name\":\"a\",\"ports\":[\"set\",["
        "[\"uuid\",\"" U2 "\"],[\"uuid\",\"" U3 "\"]]],"
        "\"external_ids\":[\"map\",[[\"k\",\"v\"],[\"x\",\"caf\xc3\xa9\"]]],"
        "\"enabled\":true,\"refs\":[\"map\",[[\"r\",[\"uuid\",\"" U1 "\"]]]]}},"
        "\"" U2 "\":{\"initial\":{\"name\":\"e\\\"sc\"}},"
        "\"" U3 "\":{\"initial\":{}},"
        "\"" U1 "\":{\"insert\":{\"n\":-7,\"ports\":[\"uuid\",\"" U3 "\"]}},"
        "\"" U2 "\": {\"modify\": {\"enabled\":[\"set\",[]]}},"
        "\"" U3 "\":{\"modify\":{\"other\":1,\"name\":\"o\"}},"
        "\"" U1 "\":{\"delete\":null},"
        "\"" U2 "\":{\"modify\":{\"external_ids\":[\"map\",[]]}}}},"
        "\"error\":null}";
    const char *out =
        "begin (reply)\n"
        "T/1111 initial name=a ports=[" U2 " " U3 "] "
        "external_ids={k=v x=caf\xc3\xa9} enabled=true refs={r=" U1 "}\n"
        "T/2222 initial name=e\"sc\n"
        "T/3333 initial\n"
        "T/1111 insert ports=[" U3 "] n=-7\n"
        "T/2222 modify enabled=\n"
        "T/3333 modify name=o\n"
        "T/1111 delete\n"
        "T/2222 modify external_ids={}\n"
        "msg method=- id=2 params=- result=- error=null updates=yes\n";
    const char *rows =
        "{\"id\":2,\"result\":{\"T\":{"
        "\"" U1 "\":{\"initial\":{\"name\":\"a\"}},"
        "\"" U2 "\":{\"initial\":{\"name\":\"b\"}}";
    const char *two = "begin (reply)\nT/1111 initial name=a\n"
                      "T/2222 initial name=b\n";
    char bad[1024];
    const char *error;

    (void) state;
    assert_null(decode(in, out, false));
    decode_splits(in, out, NULL);

    /* A stray byte where the next row or the '}' belongs. */
    snprintf(bad, sizeof bad, "%sx}}", rows);
    error = decode(bad, two, false);
    assert_non_null(error);
    assert_string_equal(error, "byte 150: expected ',' or '}' after an "
                        "object member, got 'x'");
    decode_splits(bad, two, error);

    /* A row whose column has the wrong type. */
    snprintf(bad, sizeof bad, "%s,\"" U3 "\":{\"initial\":{"
             "\"enabled\":\"yes\"}}}}}", rows);
    error = decode(bad, two, false);
    assert_non_null(error);
    assert_string_equal(error, "byte 217: T.enabled: a string where a "
                        "boolean belongs");
    decode_splits(bad, two, error);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monitor_reply),
        cmocka_unit_test(test_update2_notification),
        cmocka_unit_test(test_row_without_known_columns),
        cmocka_unit_test(test_echo_and_replies),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_truncated_waits),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_capture_limit),
        cmocka_unit_test(test_uuid_parse),
        cmocka_unit_test(test_uuid_every_byte),
        cmocka_unit_test(test_column_orders),
        cmocka_unit_test(test_uuid_atoms),
        cmocka_unit_test(test_many_atoms),
        cmocka_unit_test(test_shortcut_splits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
