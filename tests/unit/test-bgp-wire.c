/*
 * Unit tests of the BGP wire codec (bgp/wire.c, bgp/buf.c).
 *
 * Expected bytes are written out by hand from the RFCs, field by field,
 * never produced by the code under test.
 *
 * With BGP_WIRE_CORPUS_DIR set, every message a test encodes or feeds to a
 * decoder is also saved there as a seed for tests/fuzz/fuzz-bgp-wire.c:
 * one byte of session flags (the harness's FUZZ_F_* bits) and the message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bgp/buf.h"
#include "bgp/wire.h"

#define ARRAY_SIZE(a) (sizeof (a) / sizeof (a)[0])

#define MARKER \
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

/* The fuzz harness's session flags (tests/fuzz/fuzz-bgp-wire.c). */
#define FUZZ_F_AS4 0x01
#define FUZZ_F_EXT_NH 0x02
#define FUZZ_F_EBGP 0x04
#define FUZZ_F_EXT_MSG 0x08
#define FUZZ_F_RAW 0x40

static const struct bgp_wire_opts as4_ebgp = { .as4 = true, .ebgp = true };
static const struct bgp_wire_opts as2_ebgp = { .ebgp = true };
static const struct bgp_wire_opts as4_ibgp = { .as4 = true };
static const struct bgp_wire_opts as4_ext_nh = {
    .as4 = true, .ext_nh_ipv4 = true, .ebgp = true
};

/* ------------------------------------------------------------------------
 * Helpers.
 */

static uint8_t
opts_flags(const struct bgp_wire_opts *opts)
{
    if (!opts) {
        return 0;
    }
    return ((opts->as4 ? FUZZ_F_AS4 : 0)
            | (opts->ext_nh_ipv4 ? FUZZ_F_EXT_NH : 0)
            | (opts->ebgp ? FUZZ_F_EBGP : 0)
            | (opts->max_len > BGP_MAX_LEN ? FUZZ_F_EXT_MSG : 0));
}

/* Saves a seed for the fuzzer, named after a hash of its contents. */
static void
corpus_save(uint8_t flags, const uint8_t *msg, size_t len)
{
    const char *dir = getenv("BGP_WIRE_CORPUS_DIR");
    uint64_t hash = 0xcbf29ce484222325ULL;
    char path[4096];
    FILE *f;

    if (!dir || !*dir) {
        return;
    }
    hash = (hash ^ flags) * 0x100000001b3ULL;
    for (size_t i = 0; i < len; i++) {
        hash = (hash ^ msg[i]) * 0x100000001b3ULL;
    }
    snprintf(path, sizeof path, "%s/seed-%016llx", dir,
             (unsigned long long) hash);
    f = fopen(path, "wb");
    if (f) {
        fputc(flags, f);
        fwrite(msg, 1, len, f);
        fclose(f);
    }
}

/* Saves a message body twice: framed as a whole message, and raw for the
 * harness to hand to the decoder as it is. */
static void
corpus_save_body(uint8_t flags, uint8_t type, const uint8_t *body,
                 size_t len)
{
    uint8_t msg[BGP_MAX_LEN];
    size_t total = BGP_HEADER_LEN + len;

    if (total > sizeof msg) {
        return;
    }
    msg[0] = type;
    memcpy(msg + 1, body, len);
    corpus_save(flags | FUZZ_F_RAW, msg, len + 1);

    memset(msg, 0xff, BGP_MARKER_LEN);
    msg[16] = total >> 8;
    msg[17] = total;
    msg[18] = type;
    memcpy(msg + BGP_HEADER_LEN, body, len);
    corpus_save(flags, msg, total);
}

static void
print_hex(const char *what, const uint8_t *p, size_t n)
{
    print_message("%s (%zu bytes):", what, n);
    for (size_t i = 0; i < n; i++) {
        print_message("%s%02x", i % 16 ? " " : "\n  ", p[i]);
    }
    print_message("\n");
}

/* Fails unless the writer holds exactly the 'n' bytes at 'want'. */
static void
assert_writer_bytes(const struct bgp_writer *w, const uint8_t *want,
                    size_t n)
{
    assert_true(bgp_writer_ok(w));
    if (bgp_writer_len(w) != n
        || memcmp(bgp_writer_data(w), want, n)) {
        print_hex("expected", want, n);
        print_hex("got", bgp_writer_data(w), bgp_writer_len(w));
        fail_msg("encoded bytes differ");
    }
    corpus_save(0, want, n);
}

#define ASSERT_WRITER_BYTES(W, ...)                             \
    do {                                                        \
        static const uint8_t want_[] = { __VA_ARGS__ };         \
        assert_writer_bytes(W, want_, sizeof want_);            \
    } while (0)

static struct bgp_prefix
pfx4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t len)
{
    struct bgp_prefix p = {
        .af = BGP_AF_IPV4, .len = len, .addr = { a, b, c, d },
    };
    return p;
}

static struct bgp_prefix
pfx6(const uint8_t addr[16], uint8_t len)
{
    struct bgp_prefix p = { .af = BGP_AF_IPV6, .len = len };

    memcpy(p.addr, addr, 16);
    return p;
}

static const uint8_t db8_1[16] = {
    0x20, 0x01, 0x0d, 0xb8, [15] = 0x01,
};
static const uint8_t fe80_1[16] = {
    0xfe, 0x80, [15] = 0x01,
};

/* Frames the one message in 'w' and returns it. */
static struct bgp_msg
frame_one(const struct bgp_writer *w)
{
    struct bgp_notification err;
    struct bgp_msg msg;

    assert_true(bgp_writer_ok(w));
    assert_int_equal(bgp_frame(bgp_writer_data(w), bgp_writer_len(w),
                               BGP_EXT_MAX_LEN, &msg, &err),
                     BGP_FRAME_OK);
    assert_int_equal(msg.len, bgp_writer_len(w));
    return msg;
}

static enum bgp_update_action
decode_update(const uint8_t *body, size_t len,
              const struct bgp_wire_opts *opts,
              struct bgp_update_result *res)
{
    corpus_save_body(opts_flags(opts), BGP_MSG_UPDATE, body, len);
    return bgp_decode_update(body, len, opts, res);
}

/* ------------------------------------------------------------------------
 * bgp/buf.
 */

static void
test_reader_bounds(void **state)
{
    static const uint8_t data[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06 };
    struct bgp_reader r, child;
    uint32_t u32 = 0xdeadbeef;
    uint16_t u16;
    uint8_t u8, bytes[4];

    bgp_reader_init(&r, data, sizeof data);
    assert_int_equal(bgp_get_u8(&r, &u8), 0);
    assert_int_equal(u8, 0x01);
    assert_int_equal(bgp_get_u16(&r, &u16), 0);
    assert_int_equal(u16, 0x0203);

    /* 3 bytes left: a u32 fails and consumes nothing. */
    assert_int_equal(bgp_get_u32(&r, &u32), -1);
    assert_int_equal(u32, 0xdeadbeef);
    assert_int_equal(bgp_reader_left(&r), 3);
    assert_int_equal(bgp_get_bytes(&r, bytes, 4), -1);
    assert_int_equal(bgp_skip(&r, 4), -1);
    assert_int_equal(bgp_get_reader(&r, 4, &child), -1);
    assert_int_equal(bgp_reader_left(&r), 3);

    /* A child of 2 bytes cannot read the third. */
    assert_int_equal(bgp_get_reader(&r, 2, &child), 0);
    assert_int_equal(bgp_reader_left(&r), 1);
    assert_int_equal(bgp_get_u16(&child, &u16), 0);
    assert_int_equal(u16, 0x0405);
    assert_int_equal(bgp_get_u8(&child, &u8), -1);
    assert_int_equal(bgp_get_u8(&r, &u8), 0);
    assert_int_equal(u8, 0x06);
    assert_int_equal(bgp_get_u8(&r, &u8), -1);

    bgp_reader_init(&r, data, sizeof data);
    assert_int_equal(bgp_get_u32(&r, &u32), 0);
    assert_int_equal(u32, 0x01020304);
    assert_int_equal(bgp_get_bytes(&r, bytes, 2), 0);
    assert_int_equal(bytes[1], 0x06);
    assert_int_equal(bgp_get_bytes(&r, bytes, 0), 0);
}

static void
test_writer_fixed_sticky(void **state)
{
    uint8_t buf[6];
    struct bgp_writer w;

    bgp_writer_init_fixed(&w, buf, sizeof buf);
    bgp_put_u32(&w, 0x01020304);
    assert_int_equal(bgp_writer_room(&w), 2);
    bgp_put_u32(&w, 0x05060708);        /* No room: fails... */
    assert_false(bgp_writer_ok(&w));
    bgp_put_u8(&w, 0x09);               /* ...and stays failed. */
    assert_false(bgp_writer_ok(&w));
    assert_int_equal(bgp_writer_len(&w), 4);
    assert_int_equal(bgp_writer_room(&w), 0);

    bgp_writer_clear(&w);
    assert_true(bgp_writer_ok(&w));
    bgp_put_u16(&w, 0xabcd);
    bgp_put_zeros(&w, 1);
    bgp_put_bytes(&w, "\x11\x22", 2);
    ASSERT_WRITER_BYTES(&w, 0xab, 0xcd, 0x00, 0x11, 0x22);
}

static void
test_writer_dynamic_grows_to_limit(void **state)
{
    struct bgp_writer w;

    bgp_writer_init_dynamic(&w, 5000);
    for (int i = 0; i < 1250; i++) {
        bgp_put_u32(&w, i);
    }
    assert_true(bgp_writer_ok(&w));
    assert_int_equal(bgp_writer_len(&w), 5000);
    assert_int_equal(bgp_writer_data(&w)[4999], 1249 & 0xff);
    bgp_put_u8(&w, 0);
    assert_false(bgp_writer_ok(&w));
    bgp_writer_destroy(&w);
}

static void
test_writer_length_fields(void **state)
{
    struct bgp_writer w;
    struct bgp_len_mark outer, inner;

    bgp_writer_init_dynamic(&w, 1024);
    outer = bgp_put_len_begin(&w, 2);
    bgp_put_u8(&w, 0xaa);
    inner = bgp_put_len_begin(&w, 1);
    bgp_put_bytes(&w, "\x01\x02\x03", 3);
    bgp_put_len_end(&w, inner);
    bgp_put_len_end(&w, outer);
    ASSERT_WRITER_BYTES(&w, 0x00, 0x05, 0xaa, 0x03, 0x01, 0x02, 0x03);

    /* 256 bytes do not fit a 1-byte length. */
    bgp_writer_clear(&w);
    inner = bgp_put_len_begin(&w, 1);
    bgp_put_zeros(&w, 256);
    bgp_put_len_end(&w, inner);
    assert_false(bgp_writer_ok(&w));

    /* Only widths 1 and 2 exist. */
    bgp_writer_clear(&w);
    bgp_put_len_begin(&w, 3);
    assert_false(bgp_writer_ok(&w));

    /* A patch must land on written bytes. */
    bgp_writer_clear(&w);
    bgp_put_u8(&w, 0);
    bgp_patch_u16(&w, 0, 0x1234);
    assert_false(bgp_writer_ok(&w));
    bgp_writer_destroy(&w);
}

/* ------------------------------------------------------------------------
 * Framing.
 */

static enum bgp_frame_status
frame(const uint8_t *data, size_t len, size_t max_len,
      struct bgp_notification *err)
{
    struct bgp_msg msg;

    corpus_save(max_len > BGP_MAX_LEN ? FUZZ_F_EXT_MSG : 0, data, len);
    err->code = 0;
    return bgp_frame(data, len, max_len, &msg, err);
}

static void
assert_notification(const struct bgp_notification *n, uint8_t code,
                    uint8_t subcode, const uint8_t *data, size_t len)
{
    assert_int_equal(n->code, code);
    assert_int_equal(n->subcode, subcode);
    assert_int_equal(n->data_len, len);
    if (len) {
        assert_memory_equal(n->data, data, len);
    }
}

static void
test_frame_ok_and_short(void **state)
{
    static const uint8_t two[] = {
        MARKER, 0x00, 0x13, 0x04,                       /* KEEPALIVE */
        MARKER, 0x00, 0x17, 0x05, 0x00, 0x02, 0x00, 0x01, /* REFRESH */
    };
    struct bgp_notification err;
    struct bgp_msg msg;

    corpus_save(0, two, sizeof two);
    /* Nothing is judged before 19 bytes. */
    for (size_t n = 0; n < BGP_HEADER_LEN; n++) {
        assert_int_equal(bgp_frame(two, n, BGP_MAX_LEN, &msg, &err),
                         BGP_FRAME_SHORT);
    }
    assert_int_equal(bgp_frame(two, sizeof two, BGP_MAX_LEN, &msg, &err),
                     BGP_FRAME_OK);
    assert_int_equal(msg.type, BGP_MSG_KEEPALIVE);
    assert_int_equal(msg.len, 19);
    assert_int_equal(msg.body_len, 0);

    /* The second message: whole, then one byte short. */
    assert_int_equal(bgp_frame(two + 19, 23, 0, &msg, &err), BGP_FRAME_OK);
    assert_int_equal(msg.type, BGP_MSG_ROUTE_REFRESH);
    assert_int_equal(msg.body_len, 4);
    assert_ptr_equal(msg.body, two + 19 + 19);
    assert_int_equal(bgp_frame(two + 19, 22, 0, &msg, &err),
                     BGP_FRAME_SHORT);
}

static void
test_frame_bad_marker(void **state)
{
    uint8_t msg[] = { MARKER, 0x00, 0x13, 0x04 };
    struct bgp_notification err;

    for (size_t i = 0; i < BGP_MARKER_LEN; i++) {
        msg[i] = 0xfe;
        assert_int_equal(frame(msg, sizeof msg, BGP_MAX_LEN, &err),
                         BGP_FRAME_ERROR);
        assert_notification(&err, BGP_ERR_HEADER, BGP_ERR_HEADER_NOT_SYNC,
                            NULL, 0);
        msg[i] = 0xff;
    }
}

/* Each header length that RFC 4271 section 6.1 (and RFC 8654 for OPEN and
 * KEEPALIVE) rejects: Bad Message Length with the length as data. */
static void
test_frame_bad_lengths(void **state)
{
    static const struct {
        uint8_t type;
        uint16_t len;
        size_t max_len;
    } cases[] = {
        { BGP_MSG_KEEPALIVE, 0, BGP_MAX_LEN },
        { BGP_MSG_KEEPALIVE, 18, BGP_MAX_LEN },
        { BGP_MSG_KEEPALIVE, 20, BGP_MAX_LEN },
        { BGP_MSG_UPDATE, 4097, BGP_MAX_LEN },
        { BGP_MSG_UPDATE, 22, BGP_MAX_LEN },
        { BGP_MSG_OPEN, 28, BGP_MAX_LEN },
        { BGP_MSG_OPEN, 4097, BGP_EXT_MAX_LEN },
        { BGP_MSG_NOTIFICATION, 20, BGP_MAX_LEN },
        { BGP_MSG_NOTIFICATION, 0xffff, BGP_MAX_LEN },
        { BGP_MSG_ROUTE_REFRESH, 22, BGP_MAX_LEN },
        { BGP_MSG_KEEPALIVE, 4097, BGP_EXT_MAX_LEN },
        /* An unknown type with a bad length earns the length error. */
        { 9, 18, BGP_MAX_LEN },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint8_t msg[19] = { MARKER, cases[i].len >> 8, cases[i].len & 0xff,
                            cases[i].type };
        uint8_t data[2] = { msg[16], msg[17] };
        struct bgp_notification err;

        assert_int_equal(frame(msg, sizeof msg, cases[i].max_len, &err),
                         BGP_FRAME_ERROR);
        assert_notification(&err, BGP_ERR_HEADER, BGP_ERR_HEADER_LENGTH,
                            data, 2);
    }
}

static void
test_frame_bad_type(void **state)
{
    static const uint8_t types[] = { 0, 6, 128, 255 };

    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        uint8_t msg[] = { MARKER, 0x00, 0x17, types[i], 0, 0, 0, 0 };
        struct bgp_notification err;

        assert_int_equal(frame(msg, sizeof msg, BGP_MAX_LEN, &err),
                         BGP_FRAME_ERROR);
        assert_notification(&err, BGP_ERR_HEADER, BGP_ERR_HEADER_TYPE,
                            &types[i], 1);
    }
}

static void
test_frame_extended_messages(void **state)
{
    /* An UPDATE of 4097 bytes: too long, unless negotiated. */
    static const uint8_t hdr[] = { MARKER, 0x10, 0x01, 0x02 };
    struct bgp_notification err;
    struct bgp_msg msg;

    assert_int_equal(bgp_frame(hdr, sizeof hdr, BGP_MAX_LEN, &msg, &err),
                     BGP_FRAME_ERROR);
    assert_int_equal(bgp_frame(hdr, sizeof hdr, 0, &msg, &err),
                     BGP_FRAME_ERROR);
    assert_int_equal(bgp_frame(hdr, sizeof hdr, BGP_EXT_MAX_LEN, &msg,
                               &err),
                     BGP_FRAME_SHORT);
}

/* ------------------------------------------------------------------------
 * KEEPALIVE, NOTIFICATION, ROUTE-REFRESH.
 */

static void
test_keepalive(void **state)
{
    struct bgp_writer w;

    bgp_writer_init_dynamic(&w, BGP_MAX_LEN);
    assert_int_equal(bgp_encode_keepalive(&w), 0);
    ASSERT_WRITER_BYTES(&w, MARKER, 0x00, 0x13, 0x04);
    bgp_writer_destroy(&w);
}

static void
test_notification_encode_decode(void **state)
{
    static const uint8_t length[] = { 0x00, 0x12 };
    struct bgp_notification n, d;
    struct bgp_writer w;
    struct bgp_msg msg;

    bgp_writer_init_dynamic(&w, BGP_MAX_LEN);
    bgp_notification_set(&n, BGP_ERR_HEADER, BGP_ERR_HEADER_LENGTH,
                         length, sizeof length);
    assert_int_equal(bgp_encode_notification(&w, &n), 0);
    ASSERT_WRITER_BYTES(&w, MARKER, 0x00, 0x17, 0x03,
                        0x01, 0x02, 0x00, 0x12);

    msg = frame_one(&w);
    assert_int_equal(msg.type, BGP_MSG_NOTIFICATION);
    assert_int_equal(bgp_decode_notification(msg.body, msg.body_len, &d),
                     0);
    assert_notification(&d, BGP_ERR_HEADER, BGP_ERR_HEADER_LENGTH,
                        length, 2);

    /* No data: Hold Timer Expired. */
    bgp_writer_clear(&w);
    bgp_notification_set(&n, BGP_ERR_HOLD_TIMER, 0, NULL, 0);
    assert_int_equal(bgp_encode_notification(&w, &n), 0);
    ASSERT_WRITER_BYTES(&w, MARKER, 0x00, 0x15, 0x03, 0x04, 0x00);

    /* Data longer than a message holds is cut. */
    {
        static uint8_t big[5000];

        bgp_notification_set(&n, BGP_ERR_UPDATE, 1, big, sizeof big);
        assert_int_equal(n.data_len, BGP_NOTIFY_DATA_MAX);
        bgp_writer_clear(&w);
        assert_int_equal(bgp_encode_notification(&w, &n), 0);
        assert_int_equal(bgp_writer_len(&w), BGP_MAX_LEN);
    }

    /* A body shorter than code and subcode. */
    assert_int_equal(bgp_decode_notification((const uint8_t *) "\x06", 1,
                                             &d), -1);
    assert_int_equal(bgp_decode_notification(NULL, 0, &d), -1);
    bgp_writer_destroy(&w);
}

static void
test_notification_shutdown(void **state)
{
    char msg[BGP_SHUTDOWN_MSG_MAX + 1];
    char text[400];
    struct bgp_notification n;
    struct bgp_writer w;

    bgp_writer_init_dynamic(&w, BGP_MAX_LEN);
    bgp_notification_shutdown(&n, BGP_ERR_CEASE_ADMIN_SHUTDOWN, "bye");
    assert_int_equal(bgp_encode_notification(&w, &n), 0);
    ASSERT_WRITER_BYTES(&w, MARKER, 0x00, 0x19, 0x03,
                        0x06, 0x02, 0x03, 'b', 'y', 'e');
    assert_int_equal(bgp_notification_get_shutdown(&n, msg), 0);
    assert_string_equal(msg, "bye");

    /* No message: no data. */
    bgp_notification_shutdown(&n, BGP_ERR_CEASE_ADMIN_RESET, NULL);
    assert_notification(&n, BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_RESET,
                        NULL, 0);
    assert_int_equal(bgp_notification_get_shutdown(&n, msg), -1);

    /* 300 ASCII bytes: cut to 255. */
    memset(text, 'a', 300);
    text[300] = '\0';
    bgp_notification_shutdown(&n, BGP_ERR_CEASE_ADMIN_RESET, text);
    assert_int_equal(n.data_len, 256);
    assert_int_equal(n.data[0], 255);
    assert_int_equal(bgp_notification_get_shutdown(&n, msg), 0);
    assert_int_equal(strlen(msg), 255);

    /* 254 bytes and a 2-byte character: the character does not fit and
     * must not be split. */
    memset(text, 'a', 254);
    strcpy(text + 254, "\xc3\xa9");
    bgp_notification_shutdown(&n, BGP_ERR_CEASE_ADMIN_SHUTDOWN, text);
    assert_int_equal(n.data[0], 254);
    assert_int_equal(bgp_notification_get_shutdown(&n, msg), 0);

    /* 253 bytes and the character: it fits. */
    text[253] = '\0';
    strcat(text, "\xc3\xa9");
    bgp_notification_shutdown(&n, BGP_ERR_CEASE_ADMIN_SHUTDOWN, text);
    assert_int_equal(n.data[0], 255);
    assert_int_equal(bgp_notification_get_shutdown(&n, msg), 0);
    assert_string_equal(msg, text);
    bgp_writer_destroy(&w);
}

static void
test_notification_shutdown_invalid(void **state)
{
    static const struct {
        uint8_t subcode;
        uint8_t len;
        uint8_t data[8];
    } cases[] = {
        { BGP_ERR_CEASE_ADMIN_SHUTDOWN, 1, { 0x05 } },  /* Overrun. */
        { BGP_ERR_CEASE_ADMIN_SHUTDOWN, 3, { 0x02, 0xc3, 0x28 } },
        { BGP_ERR_CEASE_ADMIN_SHUTDOWN, 3, { 0x02, 0xc0, 0x80 } },
        { BGP_ERR_CEASE_ADMIN_SHUTDOWN, 4, { 0x03, 0xed, 0xa0, 0x80 } },
        { BGP_ERR_CEASE_ADMIN_SHUTDOWN, 5, { 0x04, 0xf4, 0x90, 0x80,
                                             0x80 } },
        { BGP_ERR_CEASE_ADMIN_SHUTDOWN, 2, { 0x01, 0xff } },
        { BGP_ERR_CEASE_ADMIN_SHUTDOWN, 0, { 0 } },      /* No length. */
        { BGP_ERR_CEASE_DECONFIGURED, 2, { 0x01, 'x' } },
    };
    char msg[BGP_SHUTDOWN_MSG_MAX + 1];

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct bgp_notification n;

        bgp_notification_set(&n, BGP_ERR_CEASE, cases[i].subcode,
                             cases[i].data, cases[i].len);
        assert_int_equal(bgp_notification_get_shutdown(&n, msg), -1);
    }

    /* Trailing bytes after the message are allowed; a 4-byte character
     * is fine. */
    {
        static const uint8_t ok[] = { 0x04, 0xf0, 0x9f, 0x98, 0x80, 0x00 };
        struct bgp_notification n;

        bgp_notification_set(&n, BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_RESET,
                             ok, sizeof ok);
        assert_int_equal(bgp_notification_get_shutdown(&n, msg), 0);
        assert_string_equal(msg, "\xf0\x9f\x98\x80");
    }
}

static void
test_notification_names(void **state)
{
    /* Every code and subcode of RFC 4271 and the RFCs since. */
    static const uint8_t known[][2] = {
        { 1, 1 }, { 1, 2 }, { 1, 3 },
        { 2, 1 }, { 2, 2 }, { 2, 3 }, { 2, 4 }, { 2, 5 }, { 2, 6 },
        { 2, 7 }, { 2, 11 },
        { 3, 1 }, { 3, 2 }, { 3, 3 }, { 3, 4 }, { 3, 5 }, { 3, 6 },
        { 3, 7 }, { 3, 8 }, { 3, 9 }, { 3, 10 }, { 3, 11 },
        { 4, 0 }, { 5, 0 }, { 5, 1 }, { 5, 2 }, { 5, 3 },
        { 6, 1 }, { 6, 2 }, { 6, 3 }, { 6, 4 }, { 6, 5 }, { 6, 6 },
        { 6, 7 }, { 6, 8 }, { 6, 9 }, { 6, 10 }, { 7, 1 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
        const char *name = bgp_notification_name(known[i][0], known[i][1]);

        assert_non_null(name);
        assert_null(strstr(name, "unknown"));
    }
    assert_string_equal(bgp_notification_name(6, 2),
                        "Cease: Administrative Shutdown");
    assert_string_equal(bgp_notification_name(3, 11),
                        "UPDATE Message Error: Malformed AS_PATH");
    assert_string_equal(bgp_notification_name(1, 2),
                        "Message Header Error: Bad Message Length");
    assert_string_equal(bgp_notification_name(4, 0), "Hold Timer Expired");
    assert_string_equal(bgp_notification_name(2, 0), "OPEN Message Error");
    assert_string_equal(bgp_notification_name(6, 99),
                        "Cease: unknown subcode");
    assert_string_equal(bgp_notification_name(2, 9),
                        "OPEN Message Error: unknown subcode");
    assert_string_equal(bgp_notification_name(0, 0), "unknown error code");
    assert_string_equal(bgp_notification_name(8, 1), "unknown error code");
    assert_string_equal(bgp_notification_name(255, 255),
                        "unknown error code");
    assert_string_equal(bgp_msg_type_name(BGP_MSG_ROUTE_REFRESH),
                        "ROUTE-REFRESH");
    assert_string_equal(bgp_msg_type_name(0), "unknown");
}

static void
test_route_refresh(void **state)
{
    struct bgp_route_refresh rr = {
        .afi = BGP_AFI_IPV6, .subtype = BGP_RR_REQUEST,
        .safi = BGP_SAFI_UNICAST,
    };
    struct bgp_route_refresh d;
    struct bgp_notification err;
    struct bgp_writer w;
    struct bgp_msg msg;

    bgp_writer_init_dynamic(&w, BGP_MAX_LEN);
    assert_int_equal(bgp_encode_route_refresh(&w, &rr), 0);
    ASSERT_WRITER_BYTES(&w, MARKER, 0x00, 0x17, 0x05,
                        0x00, 0x02, 0x00, 0x01);
    msg = frame_one(&w);
    assert_int_equal(bgp_decode_route_refresh(msg.body, msg.body_len, &d,
                                              &err), 0);
    assert_int_equal(d.afi, BGP_AFI_IPV6);
    assert_int_equal(d.safi, BGP_SAFI_UNICAST);
    assert_int_equal(d.subtype, BGP_RR_REQUEST);

    /* A request may carry ORF entries (RFC 5291): ignored. */
    {
        static const uint8_t orf[] = { 0x00, 0x01, 0x00, 0x01, 0x01, 0x40 };

        corpus_save_body(0, BGP_MSG_ROUTE_REFRESH, orf, sizeof orf);
        assert_int_equal(bgp_decode_route_refresh(orf, sizeof orf, &d,
                                                  &err), 0);
        assert_int_equal(d.afi, BGP_AFI_IPV4);
    }

    /* An End-of-RR with a byte too many (RFC 7313): the data is the whole
     * message. */
    {
        static const uint8_t eorr[] = { 0x00, 0x01, 0x02, 0x01, 0x00 };
        static const uint8_t data[] = {
            MARKER, 0x00, 0x18, 0x05, 0x00, 0x01, 0x02, 0x01, 0x00,
        };

        corpus_save_body(0, BGP_MSG_ROUTE_REFRESH, eorr, sizeof eorr);
        assert_int_equal(bgp_decode_route_refresh(eorr, sizeof eorr, &d,
                                                  &err), -1);
        assert_notification(&err, BGP_ERR_ROUTE_REFRESH,
                            BGP_ERR_ROUTE_REFRESH_LENGTH, data, sizeof data);
    }

    /* Truncated. */
    assert_int_equal(bgp_decode_route_refresh((const uint8_t *) "\0\1\0", 3,
                                              &d, &err), -1);
    assert_int_equal(err.code, BGP_ERR_ROUTE_REFRESH);
    bgp_writer_destroy(&w);
}

/* ------------------------------------------------------------------------
 * OPEN.
 */

static void
test_open_encode_full(void **state)
{
    struct bgp_open open = {
        .as = 65001,
        .hold_time = 90,
        .bgp_id = 0x0a000001,
        .caps = {
            .mp = 1u << BGP_AF_IPV4 | 1u << BGP_AF_IPV6,
            .route_refresh = true,
            .ext_nh_ipv4 = true,
            .as4 = true,
            .gr = true,
            .gr_flags = BGP_GR_RESTARTING,
            .gr_time = 120,
            .gr_af = 1u << BGP_AF_IPV4 | 1u << BGP_AF_IPV6,
            .gr_af_fwd = 1u << BGP_AF_IPV4,
        },
    };
    struct bgp_writer w;

    bgp_writer_init_dynamic(&w, BGP_MAX_LEN);
    assert_int_equal(bgp_encode_open(&w, &open), 0);
    ASSERT_WRITER_BYTES(&w,
        MARKER, 0x00, 0x47, 0x01,
        0x04,                           /* Version. */
        0xfd, 0xe9,                     /* My AS 65001. */
        0x00, 0x5a,                     /* Hold time 90. */
        0x0a, 0x00, 0x00, 0x01,         /* BGP identifier. */
        0x2a,                           /* Optional parameters length. */
        0x02, 0x28,                     /* Capabilities, 40 bytes. */
        0x01, 0x04, 0x00, 0x01, 0x00, 0x01,     /* MP IPv4 unicast. */
        0x01, 0x04, 0x00, 0x02, 0x00, 0x01,     /* MP IPv6 unicast. */
        0x02, 0x00,                             /* Route refresh. */
        0x05, 0x06, 0x00, 0x01, 0x00, 0x01, 0x00, 0x02, /* Ext. NH. */
        0x40, 0x0a, 0x80, 0x78,                 /* GR: R, 120 s. */
        0x00, 0x01, 0x01, 0x80,                 /* IPv4, forwarding. */
        0x00, 0x02, 0x01, 0x00,                 /* IPv6. */
        0x41, 0x04, 0x00, 0x00, 0xfd, 0xe9);    /* 4-octet AS 65001. */
    bgp_writer_destroy(&w);
}

static void
test_open_encode_as_trans(void **state)
{
    struct bgp_open open = {
        .as = 4200000000u,
        .hold_time = 180,
        .bgp_id = 0xc0000201,
        .caps = { .as4 = true },
    };
    struct bgp_writer w;

    bgp_writer_init_dynamic(&w, BGP_MAX_LEN);
    assert_int_equal(bgp_encode_open(&w, &open), 0);
    ASSERT_WRITER_BYTES(&w,
        MARKER, 0x00, 0x25, 0x01,
        0x04, 0x5b, 0xa0, 0x00, 0xb4, 0xc0, 0x00, 0x02, 0x01,
        0x08, 0x02, 0x06, 0x41, 0x04, 0xfa, 0x56, 0xea, 0x00);

    /* A 4-octet AS cannot go without the capability. */
    bgp_writer_clear(&w);
    open.caps.as4 = false;
    assert_int_equal(bgp_encode_open(&w, &open), -1);
    assert_false(bgp_writer_ok(&w));

    /* No capabilities at all: no optional parameter. */
    bgp_writer_clear(&w);
    open.as = 65000;
    open.hold_time = 3;
    open.bgp_id = 0x01020304;
    assert_int_equal(bgp_encode_open(&w, &open), 0);
    ASSERT_WRITER_BYTES(&w,
        MARKER, 0x00, 0x1d, 0x01,
        0x04, 0xfd, 0xe8, 0x00, 0x03, 0x01, 0x02, 0x03, 0x04, 0x00);

    /* Graceful restart time has 12 bits. */
    bgp_writer_clear(&w);
    open.caps.gr = true;
    open.caps.gr_time = 4096;
    assert_int_equal(bgp_encode_open(&w, &open), -1);
    open.caps.gr = false;

    /* What the peer would reject is not sent. */
    bgp_writer_clear(&w);
    open.hold_time = 2;
    assert_int_equal(bgp_encode_open(&w, &open), -1);
    open.hold_time = 3;
    bgp_writer_clear(&w);
    open.bgp_id = 0;
    assert_int_equal(bgp_encode_open(&w, &open), -1);
    open.bgp_id = 0x01020304;
    bgp_writer_clear(&w);
    open.as = 0;
    assert_int_equal(bgp_encode_open(&w, &open), -1);
    bgp_writer_destroy(&w);
}

static void
test_open_decode_full(void **state)
{
    static const uint8_t body[] = {
        0x04, 0x5b, 0xa0, 0x00, 0x5a, 0x0a, 0x00, 0x00, 0x01,
        0x34,
        /* Capabilities in two parameters, with unknown ones between. */
        0x02, 0x18,
        0x01, 0x04, 0x00, 0x02, 0x00, 0x01,     /* MP IPv6 unicast. */
        0x01, 0x04, 0x00, 0x01, 0x00, 0x80,     /* MP VPNv4: unknown. */
        0x80, 0x00,                             /* Old route refresh. */
        0x02, 0x00,                             /* Route refresh. */
        0x49, 0x04, 'h', 'o', 's', 't',         /* Hostname: unknown. */
        0x06, 0x00,                             /* Extended messages. */
        0x02, 0x00,                             /* Empty: skipped. */
        0x02, 0x16,
        0x41, 0x04, 0xfa, 0x56, 0xea, 0x00,     /* AS 4200000000. */
        0x40, 0x06, 0x40, 0x5a, 0x00, 0x02, 0x01, 0x80, /* GR: N, 90 s. */
        0x05, 0x06, 0x00, 0x01, 0x00, 0x01, 0x00, 0x02, /* Ext. NH. */
    };
    struct bgp_notification err;
    struct bgp_open open;

    corpus_save_body(0, BGP_MSG_OPEN, body, sizeof body);
    assert_int_equal(bgp_decode_open(body, sizeof body, &open, &err), 0);
    assert_int_equal(open.as, 4200000000u);
    assert_int_equal(open.hold_time, 90);
    assert_int_equal(open.bgp_id, 0x0a000001);
    assert_int_equal(open.caps.mp, 1u << BGP_AF_IPV6);
    assert_true(open.caps.route_refresh);
    assert_true(open.caps.ext_msg);
    assert_true(open.caps.as4);
    assert_true(open.caps.ext_nh_ipv4);
    assert_true(open.caps.gr);
    assert_int_equal(open.caps.gr_flags, BGP_GR_NOTIFICATION);
    assert_int_equal(open.caps.gr_time, 90);
    assert_int_equal(open.caps.gr_af, 1u << BGP_AF_IPV6);
    assert_int_equal(open.caps.gr_af_fwd, 1u << BGP_AF_IPV6);
}

static void
test_open_round_trip(void **state)
{
    struct bgp_open open = {
        .as = 64512, .hold_time = 0, .bgp_id = 0xffffffff,
        .caps = {
            .mp = 1u << BGP_AF_IPV6, .ext_msg = true, .as4 = true,
            .gr = true, .gr_time = BGP_GR_TIME_MAX,
            .gr_flags = BGP_GR_RESTARTING | BGP_GR_NOTIFICATION,
        },
    };
    struct bgp_notification err;
    struct bgp_open d;
    struct bgp_writer w;
    struct bgp_msg msg;

    bgp_writer_init_dynamic(&w, BGP_MAX_LEN);
    assert_int_equal(bgp_encode_open(&w, &open), 0);
    msg = frame_one(&w);
    assert_int_equal(msg.type, BGP_MSG_OPEN);
    assert_int_equal(bgp_decode_open(msg.body, msg.body_len, &d, &err), 0);
    assert_int_equal(d.as, open.as);
    assert_int_equal(d.hold_time, 0);
    assert_int_equal(d.bgp_id, open.bgp_id);
    assert_memory_equal(&d.caps, &open.caps, sizeof d.caps);
    bgp_writer_destroy(&w);
}

/* RFC 9072 extended optional parameters. */
static void
test_open_decode_extended_params(void **state)
{
    static const uint8_t body[] = {
        0x04, 0xfd, 0xe9, 0x00, 0xb4, 0x0a, 0x00, 0x00, 0x02,
        0xff, 0xff, 0x00, 0x09,
        0x02, 0x00, 0x06, 0x41, 0x04, 0x00, 0x01, 0x00, 0x00,
    };
    struct bgp_notification err;
    struct bgp_open open;

    corpus_save_body(0, BGP_MSG_OPEN, body, sizeof body);
    assert_int_equal(bgp_decode_open(body, sizeof body, &open, &err), 0);
    assert_true(open.caps.as4);
    assert_int_equal(open.as, 65536);
}

struct open_case {
    const char *name;
    uint8_t body[48];
    size_t len;
    uint8_t code, subcode;
    uint8_t data[2];
    size_t data_len;
};

/* A case's body bytes and their count. */
#define B(...) \
    .body = { __VA_ARGS__ }, .len = sizeof ((uint8_t[]) { __VA_ARGS__ })

/* Each OPEN that RFC 4271 section 6.2 (and RFC 5492, 6286, 7607) rejects,
 * and the NOTIFICATION it earns. */
static const struct open_case open_cases[] = {
    { "open: version 3", B(0x03, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 0x00),
      BGP_ERR_OPEN, BGP_ERR_OPEN_VERSION, { 0x00, 0x04 }, 2 },
    { "open: version 5", B(0x05, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 0x00),
      BGP_ERR_OPEN, BGP_ERR_OPEN_VERSION, { 0x00, 0x04 }, 2 },
    { "open: hold time 1", B(4, 0xfd, 0xe9, 0x00, 0x01, 1, 2, 3, 4, 0),
      BGP_ERR_OPEN, BGP_ERR_OPEN_HOLD_TIME, { 0 }, 0 },
    { "open: hold time 2", B(4, 0xfd, 0xe9, 0x00, 0x02, 1, 2, 3, 4, 0),
      BGP_ERR_OPEN, BGP_ERR_OPEN_HOLD_TIME, { 0 }, 0 },
    { "open: BGP identifier 0", B(4, 0xfd, 0xe9, 0x00, 0x5a, 0, 0, 0, 0, 0),
      BGP_ERR_OPEN, BGP_ERR_OPEN_BGP_ID, { 0 }, 0 },
    { "open: AS 0", B(4, 0x00, 0x00, 0x00, 0x5a, 1, 2, 3, 4, 0),
      BGP_ERR_OPEN, BGP_ERR_OPEN_PEER_AS, { 0 }, 0 },
    { "open: 4-octet AS 0",
      B(4, 0x5b, 0xa0, 0x00, 0x5a, 1, 2, 3, 4, 8,
        0x02, 0x06, 0x41, 0x04, 0x00, 0x00, 0x00, 0x00),
      BGP_ERR_OPEN, BGP_ERR_OPEN_PEER_AS, { 0 }, 0 },
    { "open: authentication parameter",
      B(4, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 3, 0x01, 0x01, 0x00),
      BGP_ERR_OPEN, BGP_ERR_OPEN_OPT_PARAM, { 0 }, 0 },
    { "open: parameter overruns the parameters",
      B(4, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 4, 0x02, 0x05, 0x02, 0x00),
      BGP_ERR_OPEN, 0, { 0 }, 0 },
    { "open: parameters overrun the message",
      B(4, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 5, 0x02, 0x02, 0x02, 0x00),
      BGP_ERR_OPEN, 0, { 0 }, 0 },
    { "open: bytes after the parameters",
      B(4, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 2, 0x02, 0x00, 0x00),
      BGP_ERR_OPEN, 0, { 0 }, 0 },
    { "open: parameter header cut",
      B(4, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 1, 0x02),
      BGP_ERR_OPEN, 0, { 0 }, 0 },
    { "open: capability overruns its parameter",
      B(4, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 6,
        0x02, 0x04, 0x41, 0x04, 0x00, 0x00),
      BGP_ERR_OPEN, 0, { 0 }, 0 },
    { "open: capability header cut",
      B(4, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 3, 0x02, 0x01, 0x41),
      BGP_ERR_OPEN, 0, { 0 }, 0 },
    { "open: multiprotocol capability of 3 bytes",
      B(4, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 7,
        0x02, 0x05, 0x01, 0x03, 0x00, 0x01, 0x00),
      BGP_ERR_OPEN, 0, { 0 }, 0 },
    { "open: 4-octet AS capability of 2 bytes",
      B(4, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 6,
        0x02, 0x04, 0x41, 0x02, 0xfd, 0xe9),
      BGP_ERR_OPEN, 0, { 0 }, 0 },
    { "open: graceful restart of 5 bytes",
      B(4, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 9,
        0x02, 0x07, 0x40, 0x05, 0x00, 0x78, 0x00, 0x01, 0x01),
      BGP_ERR_OPEN, 0, { 0 }, 0 },
    { "open: extended next hop of 4 bytes",
      B(4, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 8,
        0x02, 0x06, 0x05, 0x04, 0x00, 0x01, 0x00, 0x01),
      BGP_ERR_OPEN, 0, { 0 }, 0 },
    { "open: route refresh with a value",
      B(4, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 5,
        0x02, 0x03, 0x02, 0x01, 0x00),
      BGP_ERR_OPEN, 0, { 0 }, 0 },
    { "open: extended parameters overrun",
      B(4, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 0xff, 0xff, 0x00, 0x09,
        0x02, 0x00, 0x02, 0x02, 0x00),
      BGP_ERR_OPEN, 0, { 0 }, 0 },
    { "open: truncated",
      B(4, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4),
      BGP_ERR_HEADER, BGP_ERR_HEADER_LENGTH, { 0x00, 0x1c }, 2 },
};

static void
test_open_case(void **state)
{
    const struct open_case *c = *state;
    struct bgp_notification err;
    struct bgp_open open;

    corpus_save_body(0, BGP_MSG_OPEN, c->body, c->len);
    assert_int_equal(bgp_decode_open(c->body, c->len, &open, &err), -1);
    assert_notification(&err, c->code, c->subcode, c->data, c->data_len);
}

/* The cases that must pass. */
static const struct open_case open_ok_cases[] = {
    { "open: hold time 0", B(4, 0xfd, 0xe9, 0x00, 0x00, 1, 2, 3, 4, 0) },
    { "open: hold time 3", B(4, 0xfd, 0xe9, 0x00, 0x03, 1, 2, 3, 4, 0) },
    { "open: zero-length capability parameter",
      B(4, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 2, 0x02, 0x00) },
    { "open: unknown capabilities only",
      B(4, 0xfd, 0xe9, 0x00, 0x5a, 1, 2, 3, 4, 8,
        0x02, 0x06, 0x46, 0x00, 0xee, 0x02, 0x01, 0x02) },
};

static void
test_open_ok_case(void **state)
{
    const struct open_case *c = *state;
    struct bgp_notification err;
    struct bgp_open open;

    corpus_save_body(0, BGP_MSG_OPEN, c->body, c->len);
    assert_int_equal(bgp_decode_open(c->body, c->len, &open, &err), 0);
    assert_int_equal(open.as, 65001);
    assert_int_equal(open.bgp_id, 0x01020304);
    assert_int_equal(open.caps.mp, 0);
    assert_false(open.caps.as4);
}

/* ------------------------------------------------------------------------
 * UPDATE encoding.
 */

static void
test_update_ipv4(void **state)
{
    static const uint32_t path[] = { 65001 };
    struct bgp_attrs attrs = {
        .origin = BGP_ORIGIN_IGP,
        .as_path = path, .as_path_len = 1,
        .has_nh4 = true, .nh4 = { 192, 0, 2, 1 },
    };
    struct bgp_prefix p[] = {
        pfx4(10, 0, 0, 0, 24),
        pfx4(10, 1, 1, 1, 32),
    };
    struct bgp_update_result res;
    struct bgp_writer w;
    struct bgp_msg msg;

    bgp_writer_init_dynamic(&w, 1 << 20);
    assert_int_equal(bgp_encode_update(&w, &as4_ebgp, &attrs, p, 2), 2);
    ASSERT_WRITER_BYTES(&w,
        MARKER, 0x00, 0x34, 0x02,
        0x00, 0x00,                             /* Withdrawn length. */
        0x00, 0x14,                             /* Attributes length. */
        0x40, 0x01, 0x01, 0x00,                 /* ORIGIN IGP. */
        0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9, /* AS_PATH */
        0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01, /* NEXT_HOP. */
        0x18, 0x0a, 0x00, 0x00,                 /* 10.0.0.0/24 */
        0x20, 0x0a, 0x01, 0x01, 0x01);          /* 10.1.1.1/32 */

    msg = frame_one(&w);
    assert_int_equal(bgp_decode_update(msg.body, msg.body_len, &as4_ebgp,
                                       &res), BGP_UPDATE_OK);
    assert_int_equal(res.announced[BGP_AF_IPV4], 2);
    assert_int_equal(res.announced[BGP_AF_IPV6], 0);
    assert_int_equal(res.withdrawn[BGP_AF_IPV4], 0);
    assert_int_equal(res.eor, 0);
    assert_int_equal(res.error.code, 0);
    bgp_writer_destroy(&w);
}

/* A 2-octet peer: AS_TRANS in AS_PATH, the real path in AS4_PATH; host
 * bits are cleared. */
static void
test_update_ipv4_as2(void **state)
{
    static const uint32_t path[] = { 4200000000u, 65001 };
    struct bgp_attrs attrs = {
        .origin = BGP_ORIGIN_EGP,
        .as_path = path, .as_path_len = 2,
        .has_nh4 = true, .nh4 = { 192, 0, 2, 1 },
    };
    struct bgp_prefix p = pfx4(10, 1, 2, 3, 8);
    struct bgp_update_result res;
    struct bgp_writer w;
    struct bgp_msg msg;

    bgp_writer_init_dynamic(&w, 1 << 20);
    assert_int_equal(bgp_encode_update(&w, &as2_ebgp, &attrs, &p, 1), 1);
    ASSERT_WRITER_BYTES(&w,
        MARKER, 0x00, 0x3a, 0x02,
        0x00, 0x00, 0x00, 0x21,
        0x40, 0x01, 0x01, 0x01,
        0x40, 0x02, 0x06, 0x02, 0x02, 0x5b, 0xa0, 0xfd, 0xe9,
        0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01,
        0xc0, 0x11, 0x0a, 0x02, 0x02,           /* AS4_PATH. */
        0xfa, 0x56, 0xea, 0x00, 0x00, 0x00, 0xfd, 0xe9,
        0x08, 0x0a);

    msg = frame_one(&w);
    assert_int_equal(bgp_decode_update(msg.body, msg.body_len, &as2_ebgp,
                                       &res), BGP_UPDATE_OK);
    assert_int_equal(res.announced[BGP_AF_IPV4], 1);
    bgp_writer_destroy(&w);
}

static void
test_update_ipv6_ibgp(void **state)
{
    static const uint8_t db8_5[16] = {
        0x20, 0x01, 0x0d, 0xb8, [15] = 0x05,
    };
    struct bgp_attrs attrs = {
        .origin = BGP_ORIGIN_INCOMPLETE,
        .has_med = true, .med = 5,
        .has_local_pref = true, .local_pref = 100,
        .has_nh4 = true, .nh4 = { 192, 0, 2, 1 },       /* Not used. */
        .has_nh6 = true, .has_nh6_ll = true,
    };
    struct bgp_prefix p[2];
    struct bgp_update_result res;
    struct bgp_writer w;
    struct bgp_msg msg;

    memcpy(attrs.nh6, db8_1, 16);
    memcpy(attrs.nh6_ll, fe80_1, 16);
    p[0] = pfx6((const uint8_t[16]) { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01 },
                48);
    p[1] = pfx6(db8_5, 128);

    bgp_writer_init_dynamic(&w, 1 << 20);
    assert_int_equal(bgp_encode_update(&w, &as4_ibgp, &attrs, p, 2), 2);
    ASSERT_WRITER_BYTES(&w,
        MARKER, 0x00, 0x6d, 0x02,
        0x00, 0x00, 0x00, 0x56,
        0x90, 0x0e, 0x00, 0x3d,                 /* MP_REACH_NLRI. */
        0x00, 0x02, 0x01, 0x20,                 /* IPv6 unicast, NH 32. */
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
        0x00,                                   /* Reserved. */
        0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, /* 2001:db8:1::/48 */
        0x80, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x05,                                   /* 2001:db8::5/128 */
        0x40, 0x01, 0x01, 0x02,                 /* ORIGIN INCOMPLETE. */
        0x40, 0x02, 0x00,                       /* Empty AS_PATH. */
        0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x05, /* MED 5. */
        0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0x64); /* LOCAL_PREF 100. */

    msg = frame_one(&w);
    assert_int_equal(bgp_decode_update(msg.body, msg.body_len, &as4_ibgp,
                                       &res), BGP_UPDATE_OK);
    assert_int_equal(res.announced[BGP_AF_IPV6], 2);
    assert_int_equal(res.announced[BGP_AF_IPV4], 0);
    bgp_writer_destroy(&w);
}

/* RFC 8950: IPv4 unicast in MP_REACH_NLRI with an IPv6 next hop. */
static void
test_update_ipv4_ext_nh(void **state)
{
    static const uint32_t path[] = { 65001 };
    struct bgp_attrs attrs = {
        .origin = BGP_ORIGIN_IGP,
        .as_path = path, .as_path_len = 1,
        .has_nh6 = true,
    };
    struct bgp_prefix p = pfx4(10, 0, 0, 1, 32);
    struct bgp_update_result res;
    struct bgp_writer w;
    struct bgp_msg msg;

    memcpy(attrs.nh6, db8_1, 16);
    bgp_writer_init_dynamic(&w, 1 << 20);
    assert_int_equal(bgp_encode_update(&w, &as4_ext_nh, &attrs, &p, 1), 1);
    ASSERT_WRITER_BYTES(&w,
        MARKER, 0x00, 0x42, 0x02,
        0x00, 0x00, 0x00, 0x2b,
        0x90, 0x0e, 0x00, 0x1a,
        0x00, 0x01, 0x01, 0x10,                 /* IPv4 unicast, NH 16. */
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
        0x00,
        0x20, 0x0a, 0x00, 0x00, 0x01,
        0x40, 0x01, 0x01, 0x00,
        0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9);

    msg = frame_one(&w);
    corpus_save(opts_flags(&as4_ext_nh), bgp_writer_data(&w),
                bgp_writer_len(&w));
    assert_int_equal(bgp_decode_update(msg.body, msg.body_len, &as4_ext_nh,
                                       &res), BGP_UPDATE_OK);
    assert_int_equal(res.announced[BGP_AF_IPV4], 1);

    /* Without RFC 8950 negotiated, the receiver must reject the next
     * hop length, and the sender must not send it at all. */
    assert_int_equal(bgp_decode_update(msg.body, msg.body_len, &as4_ebgp,
                                       &res), BGP_UPDATE_RESET);
    assert_int_equal(res.error.subcode, BGP_ERR_UPDATE_OPTIONAL_ATTR);
    bgp_writer_clear(&w);
    assert_int_equal(bgp_encode_update(&w, &as4_ebgp, &attrs, &p, 1), 0);
    assert_false(bgp_writer_ok(&w));
    bgp_writer_destroy(&w);
}

static void
test_withdraw_and_eor(void **state)
{
    struct bgp_prefix p4[] = {
        pfx4(10, 0, 0, 0, 24),
        pfx4(192, 168, 1, 1, 32),
    };
    struct bgp_prefix p6 = pfx6((const uint8_t[16]) {
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01 }, 48);
    struct bgp_update_result res;
    struct bgp_writer w;
    struct bgp_msg msg;

    bgp_writer_init_dynamic(&w, 1 << 20);
    assert_int_equal(bgp_encode_withdraw(&w, NULL, p4, 2), 2);
    ASSERT_WRITER_BYTES(&w,
        MARKER, 0x00, 0x20, 0x02,
        0x00, 0x09,
        0x18, 0x0a, 0x00, 0x00,
        0x20, 0xc0, 0xa8, 0x01, 0x01,
        0x00, 0x00);
    msg = frame_one(&w);
    assert_int_equal(bgp_decode_update(msg.body, msg.body_len, NULL, &res),
                     BGP_UPDATE_OK);
    assert_int_equal(res.withdrawn[BGP_AF_IPV4], 2);
    assert_int_equal(res.eor, 0);

    bgp_writer_clear(&w);
    assert_int_equal(bgp_encode_withdraw(&w, NULL, &p6, 1), 1);
    ASSERT_WRITER_BYTES(&w,
        MARKER, 0x00, 0x25, 0x02,
        0x00, 0x00, 0x00, 0x0e,
        0x90, 0x0f, 0x00, 0x0a,                 /* MP_UNREACH_NLRI. */
        0x00, 0x02, 0x01,
        0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01);
    msg = frame_one(&w);
    assert_int_equal(bgp_decode_update(msg.body, msg.body_len, NULL, &res),
                     BGP_UPDATE_OK);
    assert_int_equal(res.withdrawn[BGP_AF_IPV6], 1);
    assert_int_equal(res.eor, 0);

    bgp_writer_clear(&w);
    assert_int_equal(bgp_encode_eor(&w, BGP_AF_IPV4), 0);
    ASSERT_WRITER_BYTES(&w, MARKER, 0x00, 0x17, 0x02, 0, 0, 0, 0);
    msg = frame_one(&w);
    assert_int_equal(bgp_decode_update(msg.body, msg.body_len, NULL, &res),
                     BGP_UPDATE_OK);
    assert_int_equal(res.eor, 1u << BGP_AF_IPV4);

    bgp_writer_clear(&w);
    assert_int_equal(bgp_encode_eor(&w, BGP_AF_IPV6), 0);
    ASSERT_WRITER_BYTES(&w,
        MARKER, 0x00, 0x1e, 0x02,
        0x00, 0x00, 0x00, 0x07,
        0x90, 0x0f, 0x00, 0x03, 0x00, 0x02, 0x01);
    msg = frame_one(&w);
    assert_int_equal(bgp_decode_update(msg.body, msg.body_len, NULL, &res),
                     BGP_UPDATE_OK);
    assert_int_equal(res.eor, 1u << BGP_AF_IPV6);
    assert_int_equal(res.withdrawn[BGP_AF_IPV6], 0);

    bgp_writer_clear(&w);
    assert_int_equal(bgp_encode_eor(&w, BGP_AF_N), -1);
    bgp_writer_destroy(&w);
}

/* A path longer than one segment, in a 4-octet session: two AS_SEQUENCE
 * segments (255 + 45) and an extended attribute length. */
static void
test_update_long_as_path(void **state)
{
    static const uint8_t head[] = {
        0x00, 0x00, 0x04, 0xc3,                 /* Lengths. */
        0x40, 0x01, 0x01, 0x00,
        0x50, 0x02, 0x04, 0xb4,                 /* 1204 bytes. */
        0x02, 0xff, 0x00, 0x00, 0x00, 0x01,
    };
    static const uint8_t seg2[] = {
        0x02, 0x2d, 0x00, 0x00, 0x01, 0x00,     /* AS 256 is the 256th. */
    };
    uint32_t path[300];
    struct bgp_attrs attrs = {
        .as_path = path, .as_path_len = 300,
        .has_nh4 = true, .nh4 = { 10, 0, 0, 1 },
    };
    struct bgp_prefix p = pfx4(10, 0, 0, 0, 8);
    struct bgp_update_result res;
    struct bgp_writer w;
    struct bgp_msg msg;

    for (size_t i = 0; i < 300; i++) {
        path[i] = i + 1;
    }
    bgp_writer_init_dynamic(&w, 1 << 20);
    assert_int_equal(bgp_encode_update(&w, &as4_ebgp, &attrs, &p, 1), 1);
    msg = frame_one(&w);
    assert_int_equal(msg.body_len, 4 + 4 + 4 + 1204 + 7 + 2);
    assert_memory_equal(msg.body, head, sizeof head);
    assert_memory_equal(msg.body + 8 + 4 + 2 + 255 * 4, seg2, sizeof seg2);
    assert_int_equal(bgp_decode_update(msg.body, msg.body_len, &as4_ebgp,
                                       &res), BGP_UPDATE_OK);
    assert_int_equal(res.announced[BGP_AF_IPV4], 1);
    bgp_writer_destroy(&w);
}

static void
test_update_encode_errors(void **state)
{
    static const uint32_t path[] = { 65001 };
    struct bgp_attrs attrs = {
        .as_path = path, .as_path_len = 1,
        .has_nh4 = true, .nh4 = { 10, 0, 0, 1 },
    };
    struct bgp_prefix p6 = pfx6(db8_1, 64);
    struct bgp_prefix bad[] = { pfx4(10, 0, 0, 0, 33) };
    struct bgp_prefix mixed[] = {
        pfx4(10, 0, 0, 0, 8), pfx4(10, 0, 0, 0, 33),
    };
    uint8_t small[40];
    struct bgp_writer w;

    bgp_writer_init_dynamic(&w, 1 << 20);

    /* IPv6 without an IPv6 next hop. */
    assert_int_equal(bgp_encode_update(&w, &as4_ebgp, &attrs, &p6, 1), 0);
    assert_false(bgp_writer_ok(&w));

    /* No prefixes; an invalid one; a bad ORIGIN. */
    bgp_writer_clear(&w);
    assert_int_equal(bgp_encode_update(&w, &as4_ebgp, &attrs, bad, 0), 0);
    assert_false(bgp_writer_ok(&w));
    bgp_writer_clear(&w);
    assert_int_equal(bgp_encode_update(&w, &as4_ebgp, &attrs, bad, 1), 0);
    assert_false(bgp_writer_ok(&w));
    bgp_writer_clear(&w);
    assert_int_equal(bgp_encode_withdraw(&w, &as4_ebgp, bad, 1), 0);
    assert_false(bgp_writer_ok(&w));
    bgp_writer_clear(&w);
    attrs.origin = 3;
    assert_int_equal(bgp_encode_update(&w, &as4_ebgp, &attrs, mixed, 1), 0);
    assert_false(bgp_writer_ok(&w));
    attrs.origin = BGP_ORIGIN_IGP;

    /* Packing stops before an invalid prefix. */
    bgp_writer_clear(&w);
    assert_int_equal(bgp_encode_update(&w, &as4_ebgp, &attrs, mixed, 2), 1);
    assert_true(bgp_writer_ok(&w));
    bgp_writer_destroy(&w);

    /* A fixed buffer too small for even one prefix. */
    bgp_writer_init_fixed(&w, small, sizeof small);
    assert_int_equal(bgp_encode_update(&w, &as4_ebgp, &attrs, mixed, 1), 0);
    assert_false(bgp_writer_ok(&w));
}

/* Mixed families: each call takes the run of the first prefix's family. */
static void
test_packer_mixed_families(void **state)
{
    struct bgp_attrs attrs = {
        .has_nh4 = true, .nh4 = { 10, 0, 0, 1 }, .has_nh6 = true,
    };
    struct bgp_prefix p[] = {
        pfx4(10, 0, 0, 1, 32), pfx4(10, 0, 0, 2, 32),
        pfx6(db8_1, 128),
        pfx4(10, 0, 0, 3, 32),
    };
    static const size_t expect[] = { 2, 1, 1 };
    struct bgp_writer w;
    size_t done = 0, calls = 0;

    memcpy(attrs.nh6, db8_1, 16);
    bgp_writer_init_dynamic(&w, 1 << 20);
    while (done < ARRAY_SIZE(p)) {
        size_t n = bgp_encode_update(&w, &as4_ibgp, &attrs, p + done,
                                     ARRAY_SIZE(p) - done);
        assert_int_equal(n, expect[calls]);
        done += n;
        calls++;
    }
    assert_int_equal(calls, 3);
    assert_true(bgp_writer_ok(&w));
    bgp_writer_destroy(&w);
}

/* Packs 'n' host prefixes of 'af' with the packer ('withdraw' or not),
 * then checks every message: at most 'max_len' bytes, the expected number
 * of them, and prefix counts that add up. */
static void
pack_and_check(enum bgp_af af, size_t n, bool withdraw, size_t max_len,
               size_t expect_msgs, size_t expect_first)
{
    static const uint32_t path[] = { 65001 };
    struct bgp_wire_opts opts = {
        .as4 = true, .ebgp = true, .max_len = max_len,
    };
    struct bgp_attrs attrs = {
        .as_path = path, .as_path_len = 1,
        .has_nh4 = true, .nh4 = { 10, 0, 0, 1 }, .has_nh6 = true,
    };
    struct bgp_prefix *p = calloc(n, sizeof *p);
    struct bgp_writer w;
    size_t done = 0, msgs = 0, total = 0, off = 0;

    assert_non_null(p);
    memcpy(attrs.nh6, db8_1, 16);
    for (size_t i = 0; i < n; i++) {
        p[i].af = af;
        p[i].len = af == BGP_AF_IPV4 ? 32 : 128;
        p[i].addr[0] = af == BGP_AF_IPV4 ? 10 : 0x20;
        p[i].addr[1] = i >> 16;
        p[i].addr[2] = i >> 8;
        p[i].addr[3] = i;
    }

    bgp_writer_init_dynamic(&w, SIZE_MAX);
    while (done < n) {
        size_t k = (withdraw
                    ? bgp_encode_withdraw(&w, &opts, p + done, n - done)
                    : bgp_encode_update(&w, &opts, &attrs, p + done,
                                        n - done));
        assert_true(k > 0);
        if (!msgs) {
            assert_int_equal(k, expect_first);
        }
        done += k;
        msgs++;
    }
    assert_int_equal(msgs, expect_msgs);

    /* Walk the stream back. */
    while (off < bgp_writer_len(&w)) {
        struct bgp_update_result res;
        struct bgp_notification err;
        struct bgp_msg msg;

        assert_int_equal(bgp_frame(bgp_writer_data(&w) + off,
                                   bgp_writer_len(&w) - off, max_len,
                                   &msg, &err), BGP_FRAME_OK);
        assert_true(msg.len <= (max_len ? max_len : BGP_MAX_LEN));
        assert_int_equal(bgp_decode_update(msg.body, msg.body_len, &opts,
                                           &res), BGP_UPDATE_OK);
        total += withdraw ? res.withdrawn[af] : res.announced[af];
        assert_int_equal(res.announced[!af] + res.withdrawn[!af], 0);
        off += msg.len;
    }
    assert_int_equal(total, n);
    bgp_writer_destroy(&w);
    free(p);
}

/* 4096 - 19 (header) - 4 (lengths) - 20 (ORIGIN, AS_PATH, NEXT_HOP) leaves
 * 4053 bytes: 810 /32s of 5 bytes. */
static void
test_packer_ipv4(void **state)
{
    pack_and_check(BGP_AF_IPV4, 1, false, 0, 1, 1);
    pack_and_check(BGP_AF_IPV4, 810, false, 0, 1, 810);
    pack_and_check(BGP_AF_IPV4, 811, false, 0, 2, 810);
    pack_and_check(BGP_AF_IPV4, 10000, false, 0, 13, 810);
}

/* 4096 - 19 - 4 - 25 (MP_REACH_NLRI header) - 13 (ORIGIN, AS_PATH) leaves
 * 4035 bytes: 237 /128s of 17 bytes. */
static void
test_packer_ipv6(void **state)
{
    pack_and_check(BGP_AF_IPV6, 237, false, 0, 1, 237);
    pack_and_check(BGP_AF_IPV6, 1000, false, 0, 5, 237);
}

/* Withdrawals: 4096 - 23 leaves 4073 bytes, 814 /32s; IPv6 has 7 bytes of
 * MP_UNREACH_NLRI header more: 4066 bytes, 239 /128s. */
static void
test_packer_withdraw(void **state)
{
    pack_and_check(BGP_AF_IPV4, 2000, true, 0, 3, 814);
    pack_and_check(BGP_AF_IPV6, 1000, true, 0, 5, 239);
}

/* With extended messages, 65535 - 43 = 65492 bytes: 13098 /32s. */
static void
test_packer_extended(void **state)
{
    pack_and_check(BGP_AF_IPV4, 20000, false, BGP_EXT_MAX_LEN, 2, 13098);
}

/* ------------------------------------------------------------------------
 * UPDATE decoding: what each malformation earns (RFC 4271 section 6.3,
 * RFC 7606).
 */

struct update_case {
    const char *name;
    const struct bgp_wire_opts *opts;
    uint8_t body[96];
    size_t len;
    enum bgp_update_action action;
    uint8_t subcode;            /* Of UPDATE Message Error. */
    int data_len;               /* Expected NOTIFICATION data length. */
    uint32_t v4, v6;            /* Announced prefixes. */
    uint32_t w4, w6;            /* Withdrawn prefixes. */
};

/* Well-formed ORIGIN, 4-octet AS_PATH and NEXT_HOP, 20 bytes. */
#define ORIGIN_OK 0x40, 0x01, 0x01, 0x00
#define AS_PATH_OK 0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9
#define NEXT_HOP_OK 0x40, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x01
#define BASE_ATTRS ORIGIN_OK, AS_PATH_OK, NEXT_HOP_OK
#define NLRI_10_8 0x08, 0x0a

static const struct update_case update_cases[] = {
    { "update: well-formed", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x14, BASE_ATTRS, NLRI_10_8),
      BGP_UPDATE_OK, 0, 0, 1, 0, 0, 0 },

    /* Framing of the body: session reset. */
    { "update: body of 3 bytes", &as4_ebgp, B(0x00, 0x00, 0x00),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_ATTR_LIST, 0, 0, 0, 0, 0 },
    { "update: withdrawn length overruns", &as4_ebgp,
      B(0x00, 0x05, 0x08, 0x0a, 0x00, 0x00),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_ATTR_LIST, 0, 0, 0, 0, 0 },
    { "update: attribute length overruns", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x15, BASE_ATTRS),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_ATTR_LIST, 0, 0, 0, 0, 0 },
    { "update: withdrawn prefix of 33 bits", &as4_ebgp,
      B(0x00, 0x05, 0x21, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x00),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_NETWORK, 0, 0, 0, 0, 0 },
    { "update: withdrawn prefix overruns", &as4_ebgp,
      B(0x00, 0x03, 0x18, 0x0a, 0x00, 0x00, 0x00),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_NETWORK, 0, 0, 0, 0, 0 },
    { "update: NLRI prefix overruns", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x14, BASE_ATTRS, 0x18, 0x0a, 0x00),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_NETWORK, 0, 0, 0, 0, 0 },
    { "update: NLRI prefix of 33 bits", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x14, BASE_ATTRS, 0x21, 10, 0, 0, 1, 0),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_NETWORK, 0, 0, 0, 0, 0 },

    /* Attribute list framing (RFC 7606 section 4): treat-as-withdraw. */
    { "update: attribute overruns the list", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x17, BASE_ATTRS, 0xc0, 0x63, 0x05, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_ATTR_LIST, 0, 1, 0, 0, 0 },
    { "update: two bytes left in the list", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x16, BASE_ATTRS, 0xc0, 0x63, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_ATTR_LIST, 0, 1, 0, 0, 0 },
    { "update: extended length cut", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x17, BASE_ATTRS, 0xd0, 0x63, 0x00, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_ATTR_LIST, 0, 1, 0, 0, 0 },

    /* Attribute flags (RFC 7606 section 3 c). */
    { "update: ORIGIN flagged optional", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x14, 0xc0, 0x01, 0x01, 0x00, AS_PATH_OK,
        NEXT_HOP_OK, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_ATTR_FLAGS, 4, 1, 0, 0, 0 },
    { "update: AS_PATH flagged non-transitive", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x14, ORIGIN_OK,
        0x00, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,
        NEXT_HOP_OK, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_ATTR_FLAGS, 9, 1, 0, 0, 0 },
    { "update: MED flagged well-known", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x1b, BASE_ATTRS, 0x40, 0x04, 0x04, 0, 0, 0, 1,
        NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_ATTR_FLAGS, 7, 1, 0, 0, 0 },
    { "update: AGGREGATOR flagged non-transitive: discarded", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x1f, BASE_ATTRS,
        0x80, 0x07, 0x08, 0x00, 0x00, 0xfd, 0xe9, 10, 0, 0, 1, NLRI_10_8),
      BGP_UPDATE_ATTR_DISCARD, BGP_ERR_UPDATE_ATTR_FLAGS, 11, 1, 0, 0, 0 },
    { "update: partial and extended-length bits are fine", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x15, 0x50, 0x01, 0x00, 0x01, 0x00,
        AS_PATH_OK, NEXT_HOP_OK, NLRI_10_8),
      BGP_UPDATE_OK, 0, 0, 1, 0, 0, 0 },

    /* ORIGIN. */
    { "update: ORIGIN 3", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x14, 0x40, 0x01, 0x01, 0x03, AS_PATH_OK,
        NEXT_HOP_OK, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_ORIGIN, 4, 1, 0, 0, 0 },
    { "update: ORIGIN of 2 bytes", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x15, 0x40, 0x01, 0x02, 0x00, 0x00, AS_PATH_OK,
        NEXT_HOP_OK, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_ATTR_LENGTH, 5, 1, 0, 0, 0 },

    /* AS_PATH (RFC 7606 section 7.2, RFC 7607). */
    { "update: AS_PATH segment overruns", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x14, ORIGIN_OK,
        0x40, 0x02, 0x06, 0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9,
        NEXT_HOP_OK, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_AS_PATH, 9, 1, 0, 0, 0 },
    { "update: AS_PATH segment of length 0", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x10, ORIGIN_OK,
        0x40, 0x02, 0x02, 0x02, 0x00,
        NEXT_HOP_OK, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_AS_PATH, 5, 1, 0, 0, 0 },
    { "update: AS_PATH segment type 5", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x14, ORIGIN_OK,
        0x40, 0x02, 0x06, 0x05, 0x01, 0x00, 0x00, 0xfd, 0xe9,
        NEXT_HOP_OK, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_AS_PATH, 9, 1, 0, 0, 0 },
    { "update: AS_PATH with a lone byte after it", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x15, ORIGIN_OK,
        0x40, 0x02, 0x07, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9, 0x02,
        NEXT_HOP_OK, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_AS_PATH, 10, 1, 0, 0, 0 },
    { "update: AS_PATH with AS 0", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x14, ORIGIN_OK,
        0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00,
        NEXT_HOP_OK, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_AS_PATH, 9, 1, 0, 0, 0 },
    { "update: 2-octet AS_PATH in a 4-octet session", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x12, ORIGIN_OK,
        0x40, 0x02, 0x04, 0x02, 0x01, 0xfd, 0xe9,
        NEXT_HOP_OK, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_AS_PATH, 7, 1, 0, 0, 0 },
    { "update: 2-octet AS_PATH in a 2-octet session", &as2_ebgp,
      B(0x00, 0x00, 0x00, 0x12, ORIGIN_OK,
        0x40, 0x02, 0x04, 0x02, 0x01, 0xfd, 0xe9,
        NEXT_HOP_OK, NLRI_10_8),
      BGP_UPDATE_OK, 0, 0, 1, 0, 0, 0 },
    { "update: AS_SET and confederation segments", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x20, ORIGIN_OK,
        0x40, 0x02, 0x12, 0x01, 0x01, 0x00, 0x00, 0xfd, 0xe9,
        0x03, 0x01, 0x00, 0x00, 0xfd, 0xea, 0x04, 0x01, 0, 0, 0, 1,
        NEXT_HOP_OK, NLRI_10_8),
      BGP_UPDATE_OK, 0, 0, 1, 0, 0, 0 },

    /* NEXT_HOP. */
    { "update: NEXT_HOP of 5 bytes", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x15, ORIGIN_OK, AS_PATH_OK,
        0x40, 0x03, 0x05, 10, 0, 0, 1, 0, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_ATTR_LENGTH, 8, 1, 0, 0, 0 },
    { "update: NEXT_HOP 0.0.0.0", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x14, ORIGIN_OK, AS_PATH_OK,
        0x40, 0x03, 0x04, 0, 0, 0, 0, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_NEXT_HOP, 7, 1, 0, 0, 0 },
    { "update: NEXT_HOP multicast", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x14, ORIGIN_OK, AS_PATH_OK,
        0x40, 0x03, 0x04, 224, 0, 0, 1, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_NEXT_HOP, 7, 1, 0, 0, 0 },

    /* Missing well-known attributes (RFC 7606 section 3 d). */
    { "update: no ORIGIN", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x10, AS_PATH_OK, NEXT_HOP_OK, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_MISSING_WELL_KNOWN, 1,
      1, 0, 0, 0 },
    { "update: no NEXT_HOP", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x0d, ORIGIN_OK, AS_PATH_OK, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_MISSING_WELL_KNOWN, 1,
      1, 0, 0, 0 },
    { "update: withdrawals need no attributes", &as4_ebgp,
      B(0x00, 0x02, 0x08, 0x0a, 0x00, 0x00),
      BGP_UPDATE_OK, 0, 0, 0, 0, 1, 0 },

    /* Repeats (RFC 7606 section 3 g). */
    { "update: ORIGIN twice: the second is dropped", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x18, BASE_ATTRS, 0x40, 0x01, 0x01, 0x07,
        NLRI_10_8),
      BGP_UPDATE_ATTR_DISCARD, BGP_ERR_UPDATE_ATTR_LIST, 0, 1, 0, 0, 0 },
    { "update: MP_UNREACH_NLRI twice", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x0e,
        0x80, 0x0f, 0x03, 0x00, 0x02, 0x01,
        0x90, 0x0f, 0x00, 0x03, 0x00, 0x02, 0x01),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_ATTR_LIST, 0, 0, 0, 0, 0 },

    /* MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760, RFC 7606 7.11). */
    { "update: MP_REACH_NLRI IPv6, next hop of 16", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x2b,
        0x90, 0x0e, 0x00, 0x1a, 0x00, 0x02, 0x01, 0x10,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
        0x00, 0x20, 0x20, 0x01, 0x0d, 0xb8,
        ORIGIN_OK, AS_PATH_OK),
      BGP_UPDATE_OK, 0, 0, 0, 1, 0, 0 },
    { "update: MP_REACH_NLRI IPv6, next hop of 15", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x2a,
        0x90, 0x0e, 0x00, 0x19, 0x00, 0x02, 0x01, 0x0f,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x00, 0x20, 0x20, 0x01, 0x0d, 0xb8,
        ORIGIN_OK, AS_PATH_OK),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_OPTIONAL_ATTR, 29, 0, 0, 0, 0 },
    { "update: MP_REACH_NLRI IPv6, next hop of 4", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x1f,
        0x90, 0x0e, 0x00, 0x0e, 0x00, 0x02, 0x01, 0x04, 10, 0, 0, 1,
        0x00, 0x20, 0x20, 0x01, 0x0d, 0xb8,
        ORIGIN_OK, AS_PATH_OK),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_OPTIONAL_ATTR, 18, 0, 0, 0, 0 },
    { "update: MP_REACH_NLRI IPv4, next hop of 4", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x1c,
        0x90, 0x0e, 0x00, 0x0b, 0x00, 0x01, 0x01, 0x04, 10, 0, 0, 1,
        0x00, 0x08, 0x0a,
        ORIGIN_OK, AS_PATH_OK),
      BGP_UPDATE_OK, 0, 0, 1, 0, 0, 0 },
    { "update: MP_REACH_NLRI next hop overruns", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x0b,
        0x80, 0x0e, 0x08, 0x00, 0x02, 0x01, 0x10, 0, 0, 0, 0),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_OPTIONAL_ATTR, 11, 0, 0, 0, 0 },
    { "update: MP_REACH_NLRI of 3 bytes", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x06, 0x80, 0x0e, 0x03, 0x00, 0x02, 0x01),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_OPTIONAL_ATTR, 6, 0, 0, 0, 0 },
    { "update: MP_REACH_NLRI prefix of 129 bits", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x27,
        0x90, 0x0e, 0x00, 0x16, 0x00, 0x02, 0x01, 0x10,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
        0x00, 0x81,
        ORIGIN_OK, AS_PATH_OK),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_OPTIONAL_ATTR, 26, 0, 0, 0, 0 },
    { "update: MP_REACH_NLRI flagged transitive", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x2b,
        0xd0, 0x0e, 0x00, 0x1a, 0x00, 0x02, 0x01, 0x10,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
        0x00, 0x20, 0x20, 0x01, 0x0d, 0xb8,
        ORIGIN_OK, AS_PATH_OK),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_ATTR_FLAGS, 30, 0, 1, 0, 0 },
    { "update: MP_REACH_NLRI without ORIGIN", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x27,
        0x90, 0x0e, 0x00, 0x1a, 0x00, 0x02, 0x01, 0x10,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
        0x00, 0x20, 0x20, 0x01, 0x0d, 0xb8, AS_PATH_OK),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_MISSING_WELL_KNOWN, 1,
      0, 1, 0, 0 },
    { "update: MP_REACH_NLRI of an unknown family", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x0f,
        0x80, 0x0e, 0x0c, 0x00, 0x19, 0x46, 0x04, 10, 0, 0, 1, 0x00,
        0x01, 0x02, 0x03),
      BGP_UPDATE_OK, 0, 0, 0, 0, 0, 0 },
    { "update: MP_UNREACH_NLRI IPv6", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x0e,
        0x90, 0x0f, 0x00, 0x0a, 0x00, 0x02, 0x01,
        0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01),
      BGP_UPDATE_OK, 0, 0, 0, 0, 0, 1 },
    { "update: MP_UNREACH_NLRI of 2 bytes", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x05, 0x80, 0x0f, 0x02, 0x00, 0x02),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_OPTIONAL_ATTR, 5, 0, 0, 0, 0 },
    { "update: MP_UNREACH_NLRI prefix overruns", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x09,
        0x80, 0x0f, 0x06, 0x00, 0x02, 0x01, 0x40, 0x20, 0x01),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_OPTIONAL_ATTR, 9, 0, 0, 0, 0 },

    /* Unknown attributes. */
    { "update: unknown optional transitive attribute", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x19, BASE_ATTRS, 0xc0, 0x63, 0x02, 0xab, 0xcd,
        NLRI_10_8),
      BGP_UPDATE_OK, 0, 0, 1, 0, 0, 0 },
    { "update: unknown optional non-transitive attribute", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x17, BASE_ATTRS, 0x80, 0x64, 0x00, NLRI_10_8),
      BGP_UPDATE_OK, 0, 0, 1, 0, 0, 0 },
    { "update: unknown well-known attribute", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x19, BASE_ATTRS, 0x40, 0x63, 0x02, 0xab, 0xcd,
        NLRI_10_8),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_UNKNOWN_WELL_KNOWN, 5,
      0, 0, 0, 0 },

    /* Other known attributes. */
    { "update: LOCAL_PREF of 3 bytes from iBGP", &as4_ibgp,
      B(0x00, 0x00, 0x00, 0x1a, BASE_ATTRS, 0x40, 0x05, 0x03, 0, 0, 100,
        NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_ATTR_LENGTH, 6, 1, 0, 0, 0 },
    { "update: LOCAL_PREF of 3 bytes from eBGP: ignored", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x1a, BASE_ATTRS, 0x40, 0x05, 0x03, 0, 0, 100,
        NLRI_10_8),
      BGP_UPDATE_OK, 0, 0, 1, 0, 0, 0 },
    { "update: ATOMIC_AGGREGATE of 1 byte", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x18, BASE_ATTRS, 0x40, 0x06, 0x01, 0x00,
        NLRI_10_8),
      BGP_UPDATE_ATTR_DISCARD, BGP_ERR_UPDATE_ATTR_LENGTH, 4, 1, 0, 0, 0 },
    { "update: AGGREGATOR of 6 bytes in a 4-octet session", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x1d, BASE_ATTRS,
        0xc0, 0x07, 0x06, 0xfd, 0xe9, 10, 0, 0, 1, NLRI_10_8),
      BGP_UPDATE_ATTR_DISCARD, BGP_ERR_UPDATE_ATTR_LENGTH, 9, 1, 0, 0, 0 },
    { "update: COMMUNITIES of 5 bytes", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x1c, BASE_ATTRS, 0xc0, 0x08, 0x05,
        0xfd, 0xe9, 0x00, 0x01, 0x00, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_ATTR_LENGTH, 8, 1, 0, 0, 0 },
    { "update: empty COMMUNITIES", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x17, BASE_ATTRS, 0xc0, 0x08, 0x00, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_ATTR_LENGTH, 3, 1, 0, 0, 0 },
    { "update: AS4_PATH with a confederation segment", &as2_ebgp,
      B(0x00, 0x00, 0x00, 0x1b, ORIGIN_OK,
        0x40, 0x02, 0x04, 0x02, 0x01, 0x5b, 0xa0,
        NEXT_HOP_OK, 0xc0, 0x11, 0x06, 0x03, 0x01, 0xfa, 0x56, 0xea, 0x00,
        NLRI_10_8),
      BGP_UPDATE_ATTR_DISCARD, BGP_ERR_UPDATE_AS_PATH, 9, 1, 0, 0, 0 },
    { "update: AS4_PATH in a 4-octet session: ignored", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x1d, BASE_ATTRS,
        0xc0, 0x11, 0x06, 0x03, 0x01, 0xfa, 0x56, 0xea, 0x00, NLRI_10_8),
      BGP_UPDATE_OK, 0, 0, 1, 0, 0, 0 },

    /* The worst outcome wins. */
    { "update: discard, then withdraw", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x18, 0x40, 0x06, 0x01, 0x00,
        0x40, 0x01, 0x01, 0x09, AS_PATH_OK, NEXT_HOP_OK, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_ORIGIN, 4, 1, 0, 0, 0 },
    { "update: withdraw, then reset", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x19, 0x40, 0x01, 0x01, 0x09, AS_PATH_OK,
        NEXT_HOP_OK, 0x40, 0x63, 0x02, 0xab, 0xcd, NLRI_10_8),
      BGP_UPDATE_RESET, BGP_ERR_UPDATE_UNKNOWN_WELL_KNOWN, 5,
      0, 0, 0, 0 },
    { "update: withdraw, then discard", &as4_ebgp,
      B(0x00, 0x00, 0x00, 0x18, 0x40, 0x01, 0x01, 0x09, AS_PATH_OK,
        NEXT_HOP_OK, 0x40, 0x06, 0x01, 0x00, NLRI_10_8),
      BGP_UPDATE_WITHDRAW, BGP_ERR_UPDATE_ORIGIN, 4, 1, 0, 0, 0 },
};

static void
test_update_case(void **state)
{
    const struct update_case *c = *state;
    struct bgp_update_result res;

    assert_int_equal(decode_update(c->body, c->len, c->opts, &res),
                     c->action);
    assert_int_equal(res.action, c->action);
    if (c->action == BGP_UPDATE_OK) {
        assert_int_equal(res.error.code, 0);
    } else {
        assert_int_equal(res.error.code, BGP_ERR_UPDATE);
        assert_int_equal(res.error.subcode, c->subcode);
        assert_int_equal(res.error.data_len, c->data_len);
    }
    if (c->action != BGP_UPDATE_RESET) {
        assert_int_equal(res.announced[BGP_AF_IPV4], c->v4);
        assert_int_equal(res.announced[BGP_AF_IPV6], c->v6);
        assert_int_equal(res.withdrawn[BGP_AF_IPV4], c->w4);
        assert_int_equal(res.withdrawn[BGP_AF_IPV6], c->w6);
        assert_int_equal(res.eor, 0);
    }
}

/* The NOTIFICATION data of attribute errors is the whole attribute. */
static void
test_update_error_data(void **state)
{
    static const uint8_t body[] = {
        0x00, 0x00, 0x00, 0x19, BASE_ATTRS,
        0x40, 0x63, 0x02, 0xab, 0xcd, NLRI_10_8,
    };
    static const uint8_t attr[] = { 0x40, 0x63, 0x02, 0xab, 0xcd };
    static const uint8_t missing[] = {
        0x00, 0x00, 0x00, 0x0d, ORIGIN_OK, AS_PATH_OK, NLRI_10_8,
    };
    struct bgp_update_result res;

    assert_int_equal(decode_update(body, sizeof body, &as4_ebgp, &res),
                     BGP_UPDATE_RESET);
    assert_notification(&res.error, BGP_ERR_UPDATE,
                        BGP_ERR_UPDATE_UNKNOWN_WELL_KNOWN, attr,
                        sizeof attr);

    /* A missing attribute: its type code. */
    assert_int_equal(decode_update(missing, sizeof missing, &as4_ebgp,
                                   &res), BGP_UPDATE_WITHDRAW);
    assert_notification(&res.error, BGP_ERR_UPDATE,
                        BGP_ERR_UPDATE_MISSING_WELL_KNOWN,
                        (const uint8_t[]) { 0x03 }, 1);
}

/* An UPDATE that withdraws and announces IPv4 and IPv6 at once. */
static void
test_update_decode_everything(void **state)
{
    static const uint8_t body[] = {
        0x00, 0x04, 0x18, 0xc0, 0x00, 0x02,             /* 1 withdrawn. */
        0x00, 0x3e,
        0x90, 0x0e, 0x00, 0x1e, 0x00, 0x02, 0x01, 0x10,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
        0x00,
        0x20, 0x20, 0x01, 0x0d, 0xb8,                   /* 2001:db8::/32 */
        0x00,                                           /* ::/0 */
        0x10, 0x20, 0x01,                               /* 2001::/16 */
        0x80, 0x0f, 0x05, 0x00, 0x02, 0x01, 0x08, 0x20, /* 1 withdrawn. */
        BASE_ATTRS,
        0x20, 10, 0, 0, 1, 0x20, 10, 0, 0, 2, 0x00,     /* 3 announced. */
    };
    struct bgp_update_result res;

    assert_int_equal(decode_update(body, sizeof body, &as4_ebgp, &res),
                     BGP_UPDATE_OK);
    assert_int_equal(res.announced[BGP_AF_IPV4], 3);
    assert_int_equal(res.announced[BGP_AF_IPV6], 3);
    assert_int_equal(res.withdrawn[BGP_AF_IPV4], 1);
    assert_int_equal(res.withdrawn[BGP_AF_IPV6], 1);
    assert_int_equal(res.eor, 0);
}

/* A full table's worth of /24s (a million, 1011 to a message) encodes
 * and decodes, three times over, in well under a second even with the
 * sanitizers. */
static void
test_update_decode_full_table(void **state)
{
    static const uint32_t path[] = { 65001, 65002, 65003 };
    struct bgp_attrs attrs = {
        .as_path = path, .as_path_len = 3,
        .has_nh4 = true, .nh4 = { 10, 0, 0, 1 },
    };
    enum { N = 1000000 };
    struct bgp_prefix *p = calloc(N, sizeof *p);
    struct bgp_writer w;
    size_t done = 0, off = 0, total = 0;

    assert_non_null(p);
    for (size_t i = 0; i < N; i++) {
        p[i] = pfx4(1 + (i >> 16), i >> 8, i, 0, 24);
    }
    bgp_writer_init_dynamic(&w, SIZE_MAX);
    while (done < N) {
        size_t k = bgp_encode_update(&w, &as4_ebgp, &attrs, p + done,
                                     N - done);
        assert_true(k > 0);
        done += k;
    }
    for (int round = 0; round < 3; round++) {
        for (off = 0; off < bgp_writer_len(&w); ) {
            struct bgp_update_result res;
            struct bgp_notification err;
            struct bgp_msg msg;

            if (bgp_frame(bgp_writer_data(&w) + off,
                          bgp_writer_len(&w) - off, 0, &msg, &err)
                != BGP_FRAME_OK
                || bgp_decode_update(msg.body, msg.body_len, &as4_ebgp,
                                     &res) != BGP_UPDATE_OK) {
                fail_msg("message at %zu", off);
            }
            total += res.announced[BGP_AF_IPV4];
            off += msg.len;
        }
    }
    assert_int_equal(total, 3 * (size_t) N);
    bgp_writer_destroy(&w);
    free(p);
}

/* ------------------------------------------------------------------------
 * Main.
 */

int
main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_reader_bounds),
        cmocka_unit_test(test_writer_fixed_sticky),
        cmocka_unit_test(test_writer_dynamic_grows_to_limit),
        cmocka_unit_test(test_writer_length_fields),
        cmocka_unit_test(test_frame_ok_and_short),
        cmocka_unit_test(test_frame_bad_marker),
        cmocka_unit_test(test_frame_bad_lengths),
        cmocka_unit_test(test_frame_bad_type),
        cmocka_unit_test(test_frame_extended_messages),
        cmocka_unit_test(test_keepalive),
        cmocka_unit_test(test_notification_encode_decode),
        cmocka_unit_test(test_notification_shutdown),
        cmocka_unit_test(test_notification_shutdown_invalid),
        cmocka_unit_test(test_notification_names),
        cmocka_unit_test(test_route_refresh),
        cmocka_unit_test(test_open_encode_full),
        cmocka_unit_test(test_open_encode_as_trans),
        cmocka_unit_test(test_open_decode_full),
        cmocka_unit_test(test_open_round_trip),
        cmocka_unit_test(test_open_decode_extended_params),
        cmocka_unit_test(test_update_ipv4),
        cmocka_unit_test(test_update_ipv4_as2),
        cmocka_unit_test(test_update_ipv6_ibgp),
        cmocka_unit_test(test_update_ipv4_ext_nh),
        cmocka_unit_test(test_withdraw_and_eor),
        cmocka_unit_test(test_update_long_as_path),
        cmocka_unit_test(test_update_encode_errors),
        cmocka_unit_test(test_packer_mixed_families),
        cmocka_unit_test(test_packer_ipv4),
        cmocka_unit_test(test_packer_ipv6),
        cmocka_unit_test(test_packer_withdraw),
        cmocka_unit_test(test_packer_extended),
        cmocka_unit_test(test_update_error_data),
        cmocka_unit_test(test_update_decode_everything),
        cmocka_unit_test(test_update_decode_full_table),
    };
    size_t n = (ARRAY_SIZE(fixed) + ARRAY_SIZE(open_cases)
                + ARRAY_SIZE(open_ok_cases) + ARRAY_SIZE(update_cases));
    struct CMUnitTest *tests = calloc(n, sizeof *tests);
    size_t i = 0;
    int failed;

    if (!tests) {
        return 1;
    }
    for (size_t j = 0; j < ARRAY_SIZE(fixed); j++) {
        tests[i++] = fixed[j];
    }
    for (size_t j = 0; j < ARRAY_SIZE(open_cases); j++) {
        tests[i++] = (struct CMUnitTest) {
            .name = open_cases[j].name,
            .test_func = test_open_case,
            .initial_state = (void *) &open_cases[j],
        };
    }
    for (size_t j = 0; j < ARRAY_SIZE(open_ok_cases); j++) {
        tests[i++] = (struct CMUnitTest) {
            .name = open_ok_cases[j].name,
            .test_func = test_open_ok_case,
            .initial_state = (void *) &open_ok_cases[j],
        };
    }
    for (size_t j = 0; j < ARRAY_SIZE(update_cases); j++) {
        tests[i++] = (struct CMUnitTest) {
            .name = update_cases[j].name,
            .test_func = test_update_case,
            .initial_state = (void *) &update_cases[j],
        };
    }
    failed = _cmocka_run_group_tests("bgp-wire", tests, n, NULL, NULL);
    free(tests);
    return failed;
}
