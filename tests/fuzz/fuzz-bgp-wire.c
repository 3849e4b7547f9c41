/*
 * libFuzzer harness for the BGP wire codec (bgp/wire.c, bgp/buf.c).
 *
 * The first input byte holds session flags (FUZZ_F_*); the mode bits
 * decide what the rest is:
 *
 *   - neither: a byte stream as a peer would send it.  Every message in it
 *     is framed and decoded, and whatever decodes is encoded again and must
 *     come out the same.
 *   - FUZZ_F_RAW: a message type, then a body of any length, handed to that
 *     type's decoder without framing, so bodies shorter than the header
 *     allows are tried too.
 *   - FUZZ_F_PACKER: path attributes and prefixes.  They go through the
 *     UPDATE packer, and every message it builds must decode cleanly to the
 *     same prefix counts.
 *
 * Any broken invariant aborts, which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/buf.h"
#include "bgp/wire.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_F_AS4 0x01
#define FUZZ_F_EXT_NH 0x02
#define FUZZ_F_EBGP 0x04
#define FUZZ_F_EXT_MSG 0x08
#define FUZZ_F_RAW 0x40
#define FUZZ_F_PACKER 0x80

#define MAX_PREFIXES 4096
#define MAX_PATH 300

/* Space for one message of any size. */
static uint8_t msg_buf[BGP_EXT_MAX_LEN];

/* Encodes 'n', which must work, and returns the message length. */
static size_t
encode_notification(const struct bgp_notification *n)
{
    struct bgp_writer w;

    bgp_writer_init_fixed(&w, msg_buf, sizeof msg_buf);
    CHECK(!bgp_encode_notification(&w, n));
    CHECK(bgp_writer_len(&w) <= BGP_MAX_LEN);
    CHECK(bgp_notification_name(n->code, n->subcode) != NULL);
    return bgp_writer_len(&w);
}

/* Frames the one message in 'w', which must be whole and valid. */
static struct bgp_msg
frame_own(const struct bgp_writer *w, size_t max_len)
{
    struct bgp_notification err;
    struct bgp_msg msg;

    CHECK(bgp_writer_ok(w));
    CHECK(bgp_frame(bgp_writer_data(w), bgp_writer_len(w), max_len, &msg,
                    &err) == BGP_FRAME_OK);
    CHECK(msg.len == bgp_writer_len(w));
    return msg;
}

static void
check_open(const uint8_t *body, size_t len)
{
    struct bgp_notification err;
    struct bgp_open open, again;
    struct bgp_writer w;
    struct bgp_msg msg;

    if (bgp_decode_open(body, len, &open, &err)) {
        CHECK(err.code == BGP_ERR_OPEN || err.code == BGP_ERR_HEADER);
        encode_notification(&err);
        return;
    }
    CHECK(open.as && open.bgp_id);
    CHECK(open.hold_time == 0 || open.hold_time >= 3);

    bgp_writer_init_fixed(&w, msg_buf, sizeof msg_buf);
    CHECK(!bgp_encode_open(&w, &open));
    msg = frame_own(&w, BGP_MAX_LEN);
    CHECK(!bgp_decode_open(msg.body, msg.body_len, &again, &err));
    CHECK(again.as == open.as);
    CHECK(again.hold_time == open.hold_time);
    CHECK(again.bgp_id == open.bgp_id);
    CHECK(again.caps.mp == open.caps.mp);
    CHECK(again.caps.route_refresh == open.caps.route_refresh);
    CHECK(again.caps.ext_nh_ipv4 == open.caps.ext_nh_ipv4);
    CHECK(again.caps.ext_msg == open.caps.ext_msg);
    CHECK(again.caps.as4 == open.caps.as4);
    CHECK(again.caps.gr == open.caps.gr);
    CHECK(again.caps.gr_flags == open.caps.gr_flags);
    CHECK(again.caps.gr_time == open.caps.gr_time);
    CHECK(again.caps.gr_af == open.caps.gr_af);
    CHECK(again.caps.gr_af_fwd == open.caps.gr_af_fwd);
}

static void
check_update(const struct bgp_wire_opts *opts, const uint8_t *body,
             size_t len)
{
    struct bgp_update_result res;
    enum bgp_update_action action;
    uint64_t prefixes = 0;

    action = bgp_decode_update(body, len, opts, &res);
    CHECK(action == res.action);
    CHECK(action <= BGP_UPDATE_RESET);
    if (action == BGP_UPDATE_OK) {
        CHECK(res.error.code == 0);
    } else {
        CHECK(res.error.code == BGP_ERR_UPDATE);
        encode_notification(&res.error);
    }
    if (action != BGP_UPDATE_RESET) {
        /* Every prefix takes at least one byte. */
        for (size_t af = 0; af < BGP_AF_N; af++) {
            prefixes += res.announced[af] + res.withdrawn[af];
        }
        CHECK(prefixes <= len);
        if (res.eor) {
            CHECK(action == BGP_UPDATE_OK && prefixes == 0);
        }
    }
}

static void
check_notification(const struct bgp_msg *msg)
{
    char text[BGP_SHUTDOWN_MSG_MAX + 1];
    struct bgp_notification n;
    size_t len;

    CHECK(!bgp_decode_notification(msg->body, msg->body_len, &n));
    len = encode_notification(&n);
    if (msg->body_len <= BGP_MAX_LEN - BGP_HEADER_LEN) {
        CHECK(len == BGP_HEADER_LEN + msg->body_len);
        CHECK(!memcmp(msg_buf + BGP_HEADER_LEN, msg->body, msg->body_len));
    }
    if (!bgp_notification_get_shutdown(&n, text)) {
        CHECK(strlen(text) <= BGP_SHUTDOWN_MSG_MAX);
    }
}

static void
check_route_refresh(const struct bgp_msg *msg)
{
    struct bgp_notification err;
    struct bgp_route_refresh rr;
    struct bgp_writer w;

    if (bgp_decode_route_refresh(msg->body, msg->body_len, &rr, &err)) {
        CHECK(err.code == BGP_ERR_ROUTE_REFRESH);
        encode_notification(&err);
        return;
    }
    bgp_writer_init_fixed(&w, msg_buf, sizeof msg_buf);
    CHECK(!bgp_encode_route_refresh(&w, &rr));
    if (msg->body_len == 4) {
        CHECK(!memcmp(bgp_writer_data(&w) + BGP_HEADER_LEN, msg->body, 4));
    }
}

/* Decodes 'body' as a message of 'type', whatever its length. */
static void
check_body(const struct bgp_wire_opts *opts, uint8_t type,
           const uint8_t *body, size_t len)
{
    struct bgp_msg msg = {
        .type = type,
        .body = body,
        .body_len = len,
    };

    switch (type) {
    case BGP_MSG_OPEN:
        check_open(body, len);
        break;
    case BGP_MSG_UPDATE:
        check_update(opts, body, len);
        break;
    case BGP_MSG_NOTIFICATION:
        if (len >= 2) {
            check_notification(&msg);
        } else {
            struct bgp_notification n;

            CHECK(bgp_decode_notification(body, len, &n) == -1);
        }
        break;
    case BGP_MSG_ROUTE_REFRESH:
        check_route_refresh(&msg);
        break;
    default:
        break;
    }
}

static void
fuzz_stream(const struct bgp_wire_opts *opts, const uint8_t *data,
            size_t size)
{
    while (size) {
        struct bgp_notification err;
        struct bgp_msg msg;

        switch (bgp_frame(data, size, opts->max_len, &msg, &err)) {
        case BGP_FRAME_SHORT:
            return;
        case BGP_FRAME_ERROR:
            CHECK(err.code == BGP_ERR_HEADER);
            encode_notification(&err);
            return;
        case BGP_FRAME_OK:
            break;
        }
        CHECK(msg.len >= BGP_HEADER_LEN && msg.len <= size);
        CHECK(msg.body == data + BGP_HEADER_LEN);
        CHECK(msg.body_len == msg.len - BGP_HEADER_LEN);

        CHECK(msg.type >= BGP_MSG_OPEN
              && msg.type <= BGP_MSG_ROUTE_REFRESH);
        CHECK(msg.type != BGP_MSG_KEEPALIVE || msg.body_len == 0);
        check_body(opts, msg.type, msg.body, msg.body_len);
        data += msg.len;
        size -= msg.len;
    }
}

/* Takes the next input byte, or 0 once there are none. */
static uint8_t
take(const uint8_t **data, size_t *size)
{
    uint8_t b = 0;

    if (*size) {
        b = **data;
        (*data)++;
        (*size)--;
    }
    return b;
}

static uint32_t
take_u32(const uint8_t **data, size_t *size)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++) {
        v = v << 8 | take(data, size);
    }
    return v;
}

/* Checks that every message the packer builds from 'p' decodes to the same
 * counts, for announcements or withdrawals. */
static void
pack_all(const struct bgp_wire_opts *opts, const struct bgp_attrs *attrs,
         const struct bgp_prefix *p, size_t n, bool withdraw)
{
    size_t max_len = opts->max_len ? opts->max_len : BGP_MAX_LEN;
    size_t done = 0;

    while (done < n) {
        struct bgp_update_result res;
        struct bgp_writer w;
        struct bgp_msg msg;
        enum bgp_af af = p[done].af;
        size_t k;

        bgp_writer_init_fixed(&w, msg_buf, sizeof msg_buf);
        k = (withdraw
             ? bgp_encode_withdraw(&w, opts, p + done, n - done)
             : bgp_encode_update(&w, opts, attrs, p + done, n - done));
        if (!k) {
            /* Only for a family without a next hop. */
            CHECK(!withdraw);
            CHECK(!bgp_writer_ok(&w));
            CHECK(af == BGP_AF_IPV6
                  ? !attrs->has_nh6
                  : !attrs->has_nh4
                    && !(attrs->has_nh6 && opts->ext_nh_ipv4));
            done++;
            continue;
        }
        CHECK(k <= n - done);
        for (size_t i = done; i < done + k; i++) {
            CHECK(p[i].af == af);
        }
        msg = frame_own(&w, max_len);
        CHECK(msg.len <= max_len);
        CHECK(msg.type == BGP_MSG_UPDATE);
        CHECK(bgp_decode_update(msg.body, msg.body_len, opts, &res)
              == BGP_UPDATE_OK);
        CHECK((withdraw ? res.withdrawn[af] : res.announced[af]) == k);
        CHECK((withdraw ? res.announced[af] : res.withdrawn[af]) == 0);
        CHECK(res.announced[!af] == 0 && res.withdrawn[!af] == 0);
        CHECK(res.eor == 0);

        /* A full message leaves no room for the next prefix. */
        if (done + k < n && p[done + k].af == af) {
            size_t next = 1 + (p[done + k].len + 7) / 8;

            CHECK(msg.len + next > max_len);
        }
        done += k;
    }
}

static void
fuzz_packer(const struct bgp_wire_opts *opts, const uint8_t *data,
            size_t size)
{
    static struct bgp_prefix p[MAX_PREFIXES];
    static uint32_t path[MAX_PATH];
    struct bgp_attrs attrs;
    uint8_t flags;
    size_t n = 0;

    memset(&attrs, 0, sizeof attrs);
    flags = take(&data, &size);
    attrs.origin = take(&data, &size) % 3;
    attrs.as_path_len = take(&data, &size);
    attrs.as_path_len = (attrs.as_path_len << 1) % (MAX_PATH + 1);
    for (size_t i = 0; i < attrs.as_path_len; i++) {
        /* AS 0 is malformed: the packer trusts its caller on that. */
        path[i] = take_u32(&data, &size) | 1;
    }
    attrs.as_path = path;
    attrs.has_med = flags & 0x01;
    attrs.med = take_u32(&data, &size);
    attrs.has_local_pref = flags & 0x02;
    attrs.local_pref = take_u32(&data, &size);
    attrs.has_nh4 = flags & 0x04;
    attrs.nh4[0] = 10;          /* A next hop the receiver accepts. */
    attrs.nh4[3] = take(&data, &size);
    attrs.has_nh6 = flags & 0x08;
    attrs.has_nh6_ll = flags & 0x10;
    for (int i = 0; i < 16; i++) {
        attrs.nh6[i] = take(&data, &size);
        attrs.nh6_ll[i] = attrs.nh6[i] ^ 0xff;
    }

    while (size && n < MAX_PREFIXES) {
        uint8_t b = take(&data, &size);
        struct bgp_prefix *q = &p[n++];

        memset(q, 0, sizeof *q);
        q->af = b & 1;
        q->len = take(&data, &size) % (q->af == BGP_AF_IPV4 ? 33 : 129);
        for (size_t i = 0; i < (q->len + 7u) / 8; i++) {
            q->addr[i] = take(&data, &size);
        }
        /* A run of copies makes big packs from small inputs. */
        for (size_t copies = b >> 4; copies && n < MAX_PREFIXES;
             copies--) {
            p[n] = *q;
            p[n].addr[15] = copies;
            n++;
        }
    }

    pack_all(opts, &attrs, p, n, false);
    pack_all(opts, &attrs, p, n, true);

    for (size_t af = 0; af < BGP_AF_N; af++) {
        struct bgp_update_result res;
        struct bgp_writer w;
        struct bgp_msg msg;

        bgp_writer_init_fixed(&w, msg_buf, sizeof msg_buf);
        CHECK(!bgp_encode_eor(&w, af));
        msg = frame_own(&w, BGP_MAX_LEN);
        CHECK(bgp_decode_update(msg.body, msg.body_len, opts, &res)
              == BGP_UPDATE_OK);
        CHECK(res.eor == 1u << af);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bgp_wire_opts opts;
    uint8_t flags;

    if (!size) {
        return 0;
    }
    flags = data[0];
    opts.as4 = flags & FUZZ_F_AS4;
    opts.ext_nh_ipv4 = flags & FUZZ_F_EXT_NH;
    opts.ebgp = flags & FUZZ_F_EBGP;
    opts.max_len = flags & FUZZ_F_EXT_MSG ? BGP_EXT_MAX_LEN : BGP_MAX_LEN;

    if (flags & FUZZ_F_PACKER) {
        fuzz_packer(&opts, data + 1, size - 1);
    } else if (flags & FUZZ_F_RAW) {
        if (size >= 2) {
            check_body(&opts, data[1], data + 2, size - 2);
        }
    } else {
        fuzz_stream(&opts, data + 1, size - 1);
    }
    return 0;
}
