/*
 * The BGP-4 wire codec.  See wire.h.
 */
#include "bgp/wire.h"

#include <string.h>

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define ARRAY_SIZE(a) (sizeof (a) / sizeof (a)[0])

/* Path attribute flags (RFC 4271 section 4.3). */
#define ATTR_OPTIONAL 0x80
#define ATTR_TRANSITIVE 0x40
#define ATTR_PARTIAL 0x20
#define ATTR_EXTLEN 0x10
#define ATTR_WELL_KNOWN ATTR_TRANSITIVE
#define ATTR_OPT_TRANS (ATTR_OPTIONAL | ATTR_TRANSITIVE)

/* Path attribute type codes. */
enum {
    ATTR_ORIGIN = 1,
    ATTR_AS_PATH = 2,
    ATTR_NEXT_HOP = 3,
    ATTR_MED = 4,
    ATTR_LOCAL_PREF = 5,
    ATTR_ATOMIC_AGGREGATE = 6,
    ATTR_AGGREGATOR = 7,
    ATTR_COMMUNITIES = 8,
    ATTR_ORIGINATOR_ID = 9,
    ATTR_CLUSTER_LIST = 10,
    ATTR_MP_REACH = 14,
    ATTR_MP_UNREACH = 15,
    ATTR_EXT_COMMUNITIES = 16,
    ATTR_AS4_PATH = 17,
    ATTR_AS4_AGGREGATOR = 18,
    ATTR_LARGE_COMMUNITIES = 32,
};

/* AS_PATH segment types (RFC 4271, RFC 5065). */
enum {
    AS_SET = 1,
    AS_SEQUENCE = 2,
    AS_CONFED_SEQUENCE = 3,
    AS_CONFED_SET = 4,
};
#define AS_SEGMENT_MAX 255

/* OPEN optional parameter and capability codes. */
#define OPT_PARAM_CAPABILITIES 2
#define OPT_PARAM_EXTENDED 255  /* RFC 9072. */
enum {
    CAP_MP = 1,
    CAP_ROUTE_REFRESH = 2,
    CAP_EXT_NEXT_HOP = 5,
    CAP_EXT_MESSAGE = 6,
    CAP_GRACEFUL_RESTART = 64,
    CAP_AS4 = 65,
};
#define GR_AF_FORWARDING 0x80

/* The fixed part of each message's body. */
#define OPEN_MIN_BODY 10
#define NOTIFICATION_MIN_BODY 2
#define UPDATE_MIN_BODY 4
#define ROUTE_REFRESH_BODY 4

/* ------------------------------------------------------------------------
 * Address families.
 */

static const struct {
    uint16_t afi;
    uint8_t safi;
    uint8_t max_len;            /* Longest prefix, in bits. */
} families[BGP_AF_N] = {
    [BGP_AF_IPV4] = { BGP_AFI_IPV4, BGP_SAFI_UNICAST, 32 },
    [BGP_AF_IPV6] = { BGP_AFI_IPV6, BGP_SAFI_UNICAST, 128 },
};

int
bgp_af_from_afi_safi(uint16_t afi, uint8_t safi, enum bgp_af *af)
{
    for (size_t i = 0; i < BGP_AF_N; i++) {
        if (families[i].afi == afi && families[i].safi == safi) {
            *af = i;
            return 0;
        }
    }
    return -1;
}

uint16_t
bgp_af_afi(enum bgp_af af)
{
    return af < BGP_AF_N ? families[af].afi : 0;
}

/* ------------------------------------------------------------------------
 * Names, for logging.
 */

const char *
bgp_msg_type_name(uint8_t type)
{
    switch (type) {
    case BGP_MSG_OPEN:
        return "OPEN";
    case BGP_MSG_UPDATE:
        return "UPDATE";
    case BGP_MSG_NOTIFICATION:
        return "NOTIFICATION";
    case BGP_MSG_KEEPALIVE:
        return "KEEPALIVE";
    case BGP_MSG_ROUTE_REFRESH:
        return "ROUTE-REFRESH";
    default:
        return "unknown";
    }
}

/* Every name is spelled out whole, code and subcode, so that one string
 * can be returned without formatting.  Index 0 of 'subcodes' is the
 * "unspecific" subcode; 'other' is for a subcode missing from the list. */
struct err_names {
    const char *other;
    const char *subcodes[12];
};

static const struct err_names err_names[] = {
    [BGP_ERR_HEADER] = {
        "Message Header Error: unknown subcode", {
            "Message Header Error",
            "Message Header Error: Connection Not Synchronized",
            "Message Header Error: Bad Message Length",
            "Message Header Error: Bad Message Type",
        },
    },
    [BGP_ERR_OPEN] = {
        "OPEN Message Error: unknown subcode", {
            "OPEN Message Error",
            "OPEN Message Error: Unsupported Version Number",
            "OPEN Message Error: Bad Peer AS",
            "OPEN Message Error: Bad BGP Identifier",
            "OPEN Message Error: Unsupported Optional Parameter",
            "OPEN Message Error: Authentication Failure (deprecated)",
            "OPEN Message Error: Unacceptable Hold Time",
            "OPEN Message Error: Unsupported Capability",
            NULL, NULL, NULL,
            "OPEN Message Error: Role Mismatch",
        },
    },
    [BGP_ERR_UPDATE] = {
        "UPDATE Message Error: unknown subcode", {
            "UPDATE Message Error",
            "UPDATE Message Error: Malformed Attribute List",
            "UPDATE Message Error: Unrecognized Well-known Attribute",
            "UPDATE Message Error: Missing Well-known Attribute",
            "UPDATE Message Error: Attribute Flags Error",
            "UPDATE Message Error: Attribute Length Error",
            "UPDATE Message Error: Invalid ORIGIN Attribute",
            "UPDATE Message Error: AS Routing Loop (deprecated)",
            "UPDATE Message Error: Invalid NEXT_HOP Attribute",
            "UPDATE Message Error: Optional Attribute Error",
            "UPDATE Message Error: Invalid Network Field",
            "UPDATE Message Error: Malformed AS_PATH",
        },
    },
    [BGP_ERR_HOLD_TIMER] = {
        "Hold Timer Expired: unknown subcode", {
            "Hold Timer Expired",
        },
    },
    [BGP_ERR_FSM] = {
        "Finite State Machine Error: unknown subcode", {
            "Finite State Machine Error",
            "Finite State Machine Error: "
            "Unexpected Message in OpenSent State",
            "Finite State Machine Error: "
            "Unexpected Message in OpenConfirm State",
            "Finite State Machine Error: "
            "Unexpected Message in Established State",
        },
    },
    [BGP_ERR_CEASE] = {
        "Cease: unknown subcode", {
            "Cease",
            "Cease: Maximum Number of Prefixes Reached",
            "Cease: Administrative Shutdown",
            "Cease: Peer De-configured",
            "Cease: Administrative Reset",
            "Cease: Connection Rejected",
            "Cease: Other Configuration Change",
            "Cease: Connection Collision Resolution",
            "Cease: Out of Resources",
            "Cease: Hard Reset",
            "Cease: BFD Down",
        },
    },
    [BGP_ERR_ROUTE_REFRESH] = {
        "ROUTE-REFRESH Message Error: unknown subcode", {
            "ROUTE-REFRESH Message Error",
            "ROUTE-REFRESH Message Error: Invalid Message Length",
        },
    },
};

const char *
bgp_notification_name(uint8_t code, uint8_t subcode)
{
    const struct err_names *names;

    if (code >= ARRAY_SIZE(err_names) || !err_names[code].other) {
        return "unknown error code";
    }
    names = &err_names[code];
    if (subcode < ARRAY_SIZE(names->subcodes) && names->subcodes[subcode]) {
        return names->subcodes[subcode];
    }
    return names->other;
}

/* ------------------------------------------------------------------------
 * Message framing.
 */

/* Starts a message of 'type' in 'w' and returns its offset there. */
static size_t
msg_begin(struct bgp_writer *w, uint8_t type)
{
    static const uint8_t marker[BGP_MARKER_LEN] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    };
    size_t start = bgp_writer_len(w);

    bgp_put_bytes(w, marker, sizeof marker);
    bgp_put_u16(w, 0);          /* Length, patched by msg_end(). */
    bgp_put_u8(w, type);
    return start;
}

/* Finishes the message that started at 'start' by storing its length,
 * which must not exceed 'max_len'. */
static int
msg_end(struct bgp_writer *w, size_t start, size_t max_len)
{
    size_t len;

    if (!bgp_writer_ok(w)) {
        return -1;
    }
    len = bgp_writer_len(w) - start;
    if (len > max_len) {
        bgp_writer_fail(w);
        return -1;
    }
    bgp_patch_u16(w, start + BGP_MARKER_LEN, len);
    return bgp_writer_ok(w) ? 0 : -1;
}

/* Returns how many more bytes the message that started at 'start' may
 * take. */
static size_t
msg_room(const struct bgp_writer *w, size_t start, size_t max_len)
{
    size_t used = bgp_writer_len(w) - start;
    size_t room = used < max_len ? max_len - used : 0;

    return MIN(room, bgp_writer_room(w));
}

static size_t
opts_max_len(const struct bgp_wire_opts *opts)
{
    if (!opts || !opts->max_len) {
        return BGP_MAX_LEN;
    }
    return MIN(opts->max_len, BGP_EXT_MAX_LEN);
}

static void
set_error_u16(struct bgp_notification *err, uint8_t code, uint8_t subcode,
              uint16_t value)
{
    uint8_t data[2] = { value >> 8, value & 0xff };

    bgp_notification_set(err, code, subcode, data, sizeof data);
}

enum bgp_frame_status
bgp_frame(const uint8_t *data, size_t len, size_t max_len,
          struct bgp_msg *msg, struct bgp_notification *err)
{
    /* Per type: the shortest and longest message.  A 0 maximum stands for
     * 'max_len'.  OPEN and KEEPALIVE never exceed 4096 (RFC 8654). */
    static const struct {
        uint16_t min, max;
    } bounds[] = {
        [BGP_MSG_OPEN] = { BGP_HEADER_LEN + OPEN_MIN_BODY, BGP_MAX_LEN },
        [BGP_MSG_UPDATE] = { BGP_HEADER_LEN + UPDATE_MIN_BODY, 0 },
        [BGP_MSG_NOTIFICATION] = {
            BGP_HEADER_LEN + NOTIFICATION_MIN_BODY, 0
        },
        [BGP_MSG_KEEPALIVE] = { BGP_HEADER_LEN, BGP_HEADER_LEN },
        [BGP_MSG_ROUTE_REFRESH] = {
            BGP_HEADER_LEN + ROUTE_REFRESH_BODY, 0
        },
    };
    struct bgp_reader r;
    uint16_t msg_len;
    uint8_t type;

    if (len < BGP_HEADER_LEN) {
        return BGP_FRAME_SHORT;
    }
    max_len = max_len ? MIN(max_len, BGP_EXT_MAX_LEN) : BGP_MAX_LEN;

    for (size_t i = 0; i < BGP_MARKER_LEN; i++) {
        if (data[i] != 0xff) {
            bgp_notification_set(err, BGP_ERR_HEADER,
                                 BGP_ERR_HEADER_NOT_SYNC, NULL, 0);
            return BGP_FRAME_ERROR;
        }
    }
    bgp_reader_init(&r, data + BGP_MARKER_LEN, 3);
    if (bgp_get_u16(&r, &msg_len) || bgp_get_u8(&r, &type)) {
        return BGP_FRAME_SHORT;     /* Cannot happen: 3 bytes are there. */
    }

    if (msg_len < BGP_HEADER_LEN || msg_len > max_len) {
        goto bad_length;
    }
    if (type >= ARRAY_SIZE(bounds) || !bounds[type].min) {
        bgp_notification_set(err, BGP_ERR_HEADER, BGP_ERR_HEADER_TYPE,
                             &type, 1);
        return BGP_FRAME_ERROR;
    }
    if (msg_len < bounds[type].min
        || (bounds[type].max && msg_len > bounds[type].max)) {
        goto bad_length;
    }

    if (len < msg_len) {
        return BGP_FRAME_SHORT;
    }
    msg->type = type;
    msg->len = msg_len;
    msg->body = data + BGP_HEADER_LEN;
    msg->body_len = msg_len - BGP_HEADER_LEN;
    return BGP_FRAME_OK;

bad_length:
    set_error_u16(err, BGP_ERR_HEADER, BGP_ERR_HEADER_LENGTH, msg_len);
    return BGP_FRAME_ERROR;
}

/* ------------------------------------------------------------------------
 * NOTIFICATION.
 */

void
bgp_notification_set(struct bgp_notification *n, uint8_t code,
                     uint8_t subcode, const void *data, size_t len)
{
    n->code = code;
    n->subcode = subcode;
    n->data_len = data ? MIN(len, sizeof n->data) : 0;
    if (n->data_len) {
        memcpy(n->data, data, n->data_len);
    }
}

int
bgp_encode_notification(struct bgp_writer *w,
                        const struct bgp_notification *n)
{
    size_t start = msg_begin(w, BGP_MSG_NOTIFICATION);

    bgp_put_u8(w, n->code);
    bgp_put_u8(w, n->subcode);
    bgp_put_bytes(w, n->data, MIN(n->data_len, sizeof n->data));
    return msg_end(w, start, BGP_MAX_LEN);
}

int
bgp_decode_notification(const uint8_t *body, size_t len,
                        struct bgp_notification *n)
{
    struct bgp_reader r;

    bgp_reader_init(&r, body, len);
    if (bgp_get_u8(&r, &n->code) || bgp_get_u8(&r, &n->subcode)) {
        return -1;
    }
    /* With extended messages the data may be longer than we keep. */
    bgp_notification_set(n, n->code, n->subcode, bgp_reader_data(&r),
                         bgp_reader_left(&r));
    return 0;
}

/* Returns true if the 'n' bytes at 's' are well-formed UTF-8: no
 * overlong forms, surrogates or code points past U+10FFFF. */
static bool
utf8_is_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint8_t c = s[i];
        uint32_t cp, min;
        size_t extra;

        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            extra = 1;
            cp = c & 0x1f;
            min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2;
            cp = c & 0x0f;
            min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return false;
        }
        if (n - i - 1 < extra) {
            return false;
        }
        for (size_t j = 1; j <= extra; j++) {
            if ((s[i + j] & 0xc0) != 0x80) {
                return false;
            }
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

static bool
is_shutdown_subcode(uint8_t subcode)
{
    return (subcode == BGP_ERR_CEASE_ADMIN_SHUTDOWN
            || subcode == BGP_ERR_CEASE_ADMIN_RESET);
}

void
bgp_notification_shutdown(struct bgp_notification *n, uint8_t subcode,
                          const char *msg)
{
    size_t len = msg ? strlen(msg) : 0;

    n->code = BGP_ERR_CEASE;
    n->subcode = subcode;
    n->data_len = 0;
    if (!len || !is_shutdown_subcode(subcode)) {
        return;
    }
    if (len > BGP_SHUTDOWN_MSG_MAX) {
        /* Cut before the character that byte 255 belongs to, if it is
         * not the first byte of one. */
        len = BGP_SHUTDOWN_MSG_MAX;
        while (len > 0 && ((uint8_t) msg[len] & 0xc0) == 0x80) {
            len--;
        }
    }
    n->data[0] = len;
    memcpy(&n->data[1], msg, len);
    n->data_len = 1 + len;
}

int
bgp_notification_get_shutdown(const struct bgp_notification *n,
                              char msg[BGP_SHUTDOWN_MSG_MAX + 1])
{
    struct bgp_reader r;
    uint8_t len;

    if (n->code != BGP_ERR_CEASE || !is_shutdown_subcode(n->subcode)) {
        return -1;
    }
    bgp_reader_init(&r, n->data, MIN(n->data_len, sizeof n->data));
    if (bgp_get_u8(&r, &len)
        || len > bgp_reader_left(&r)
        || !utf8_is_valid(bgp_reader_data(&r), len)
        || bgp_get_bytes(&r, msg, len)) {
        return -1;
    }
    msg[len] = '\0';
    return 0;
}

/* ------------------------------------------------------------------------
 * KEEPALIVE and ROUTE-REFRESH.
 */

int
bgp_encode_keepalive(struct bgp_writer *w)
{
    return msg_end(w, msg_begin(w, BGP_MSG_KEEPALIVE), BGP_MAX_LEN);
}

int
bgp_encode_route_refresh(struct bgp_writer *w,
                         const struct bgp_route_refresh *rr)
{
    size_t start = msg_begin(w, BGP_MSG_ROUTE_REFRESH);

    bgp_put_u16(w, rr->afi);
    bgp_put_u8(w, rr->subtype);
    bgp_put_u8(w, rr->safi);
    return msg_end(w, start, BGP_MAX_LEN);
}

int
bgp_decode_route_refresh(const uint8_t *body, size_t len,
                         struct bgp_route_refresh *rr,
                         struct bgp_notification *err)
{
    struct bgp_reader r;

    bgp_reader_init(&r, body, len);
    if (bgp_get_u16(&r, &rr->afi)
        || bgp_get_u8(&r, &rr->subtype)
        || bgp_get_u8(&r, &rr->safi)) {
        goto bad_length;
    }

    /* A plain request may carry ORF entries (RFC 5291), which we never
     * ask for and so ignore; the demarcations have no room for any
     * (RFC 7313).  Other subtypes are the caller's to ignore. */
    if ((rr->subtype == BGP_RR_BEGIN || rr->subtype == BGP_RR_END)
        && bgp_reader_left(&r)) {
        goto bad_length;
    }
    return 0;

bad_length:
    /* RFC 7313: the data is the whole message, header included. */
    if (len <= BGP_MAX_LEN - BGP_HEADER_LEN) {
        struct bgp_writer w;

        bgp_writer_init_fixed(&w, err->data, sizeof err->data);
        msg_begin(&w, BGP_MSG_ROUTE_REFRESH);
        bgp_put_bytes(&w, body, len);
        bgp_patch_u16(&w, BGP_MARKER_LEN, BGP_HEADER_LEN + len);
        err->code = BGP_ERR_ROUTE_REFRESH;
        err->subcode = BGP_ERR_ROUTE_REFRESH_LENGTH;
        err->data_len = bgp_writer_ok(&w) ? bgp_writer_len(&w) : 0;
    } else {
        bgp_notification_set(err, BGP_ERR_ROUTE_REFRESH,
                             BGP_ERR_ROUTE_REFRESH_LENGTH, NULL, 0);
    }
    return -1;
}

/* ------------------------------------------------------------------------
 * OPEN.
 */

/* Starts a capability of 'code'; bgp_put_len_end() closes it. */
static struct bgp_len_mark
cap_begin(struct bgp_writer *w, uint8_t code)
{
    bgp_put_u8(w, code);
    return bgp_put_len_begin(w, 1);
}

static void
put_capabilities(struct bgp_writer *w, const struct bgp_open *open)
{
    const struct bgp_caps *caps = &open->caps;
    struct bgp_len_mark cap;

    for (size_t af = 0; af < BGP_AF_N; af++) {
        if (caps->mp & (1u << af)) {
            cap = cap_begin(w, CAP_MP);
            bgp_put_u16(w, families[af].afi);
            bgp_put_u8(w, 0);
            bgp_put_u8(w, families[af].safi);
            bgp_put_len_end(w, cap);
        }
    }
    if (caps->route_refresh) {
        bgp_put_len_end(w, cap_begin(w, CAP_ROUTE_REFRESH));
    }
    if (caps->ext_nh_ipv4) {
        cap = cap_begin(w, CAP_EXT_NEXT_HOP);
        bgp_put_u16(w, BGP_AFI_IPV4);
        bgp_put_u16(w, BGP_SAFI_UNICAST);
        bgp_put_u16(w, BGP_AFI_IPV6);
        bgp_put_len_end(w, cap);
    }
    if (caps->ext_msg) {
        bgp_put_len_end(w, cap_begin(w, CAP_EXT_MESSAGE));
    }
    if (caps->gr) {
        if (caps->gr_time > BGP_GR_TIME_MAX || caps->gr_flags > 0xf) {
            bgp_writer_fail(w);
        }
        cap = cap_begin(w, CAP_GRACEFUL_RESTART);
        bgp_put_u16(w, (caps->gr_flags << 12) | caps->gr_time);
        for (size_t af = 0; af < BGP_AF_N; af++) {
            if (caps->gr_af & (1u << af)) {
                bgp_put_u16(w, families[af].afi);
                bgp_put_u8(w, families[af].safi);
                bgp_put_u8(w, (caps->gr_af_fwd & (1u << af)
                               ? GR_AF_FORWARDING : 0));
            }
        }
        bgp_put_len_end(w, cap);
    }
    if (caps->as4) {
        cap = cap_begin(w, CAP_AS4);
        bgp_put_u32(w, open->as);
        bgp_put_len_end(w, cap);
    }
}

static bool
caps_are_empty(const struct bgp_caps *caps)
{
    return (!caps->mp && !caps->route_refresh && !caps->ext_nh_ipv4
            && !caps->ext_msg && !caps->gr && !caps->as4);
}

int
bgp_encode_open(struct bgp_writer *w, const struct bgp_open *open)
{
    size_t start = msg_begin(w, BGP_MSG_OPEN);
    struct bgp_len_mark opt_params, param;

    /* Nothing a peer would have to reject (RFC 4271 section 6.2). */
    if (!open->as || (open->as > UINT16_MAX && !open->caps.as4)
        || open->hold_time == 1 || open->hold_time == 2
        || !open->bgp_id) {
        bgp_writer_fail(w);
    }
    bgp_put_u8(w, BGP_VERSION);
    bgp_put_u16(w, open->as > UINT16_MAX ? BGP_AS_TRANS : open->as);
    bgp_put_u16(w, open->hold_time);
    bgp_put_u32(w, open->bgp_id);

    /* All capabilities go in one optional parameter. */
    opt_params = bgp_put_len_begin(w, 1);
    if (!caps_are_empty(&open->caps)) {
        bgp_put_u8(w, OPT_PARAM_CAPABILITIES);
        param = bgp_put_len_begin(w, 1);
        put_capabilities(w, open);
        bgp_put_len_end(w, param);
    }
    bgp_put_len_end(w, opt_params);
    return msg_end(w, start, BGP_MAX_LEN);
}

/* Parses one capability of 'code' with value 'v' into 'open'.  Returns 0,
 * or -1 for a malformed one.  Unknown capabilities are skipped. */
static int
parse_capability(uint8_t code, struct bgp_reader *v, struct bgp_open *open,
                 uint32_t *as4)
{
    struct bgp_caps *caps = &open->caps;
    size_t len = bgp_reader_left(v);
    uint16_t afi, nh_afi, flags_time;
    uint8_t safi, flags, reserved;
    uint16_t safi16;
    enum bgp_af af;

    switch (code) {
    case CAP_MP:
        if (len != 4
            || bgp_get_u16(v, &afi)
            || bgp_get_u8(v, &reserved)
            || bgp_get_u8(v, &safi)) {
            return -1;
        }
        if (!bgp_af_from_afi_safi(afi, safi, &af)) {
            caps->mp |= 1u << af;
        }
        return 0;

    case CAP_ROUTE_REFRESH:
        caps->route_refresh = true;
        return len ? -1 : 0;

    case CAP_EXT_NEXT_HOP:
        if (len % 6) {
            return -1;
        }
        while (bgp_reader_left(v)) {
            if (bgp_get_u16(v, &afi)
                || bgp_get_u16(v, &safi16)
                || bgp_get_u16(v, &nh_afi)) {
                return -1;
            }
            if (afi == BGP_AFI_IPV4 && safi16 == BGP_SAFI_UNICAST
                && nh_afi == BGP_AFI_IPV6) {
                caps->ext_nh_ipv4 = true;
            }
        }
        return 0;

    case CAP_EXT_MESSAGE:
        caps->ext_msg = true;
        return len ? -1 : 0;

    case CAP_GRACEFUL_RESTART:
        if (len < 2 || (len - 2) % 4 || bgp_get_u16(v, &flags_time)) {
            return -1;
        }
        caps->gr = true;
        caps->gr_flags = flags_time >> 12;
        caps->gr_time = flags_time & BGP_GR_TIME_MAX;
        caps->gr_af = caps->gr_af_fwd = 0;
        while (bgp_reader_left(v)) {
            if (bgp_get_u16(v, &afi)
                || bgp_get_u8(v, &safi)
                || bgp_get_u8(v, &flags)) {
                return -1;
            }
            if (!bgp_af_from_afi_safi(afi, safi, &af)) {
                caps->gr_af |= 1u << af;
                if (flags & GR_AF_FORWARDING) {
                    caps->gr_af_fwd |= 1u << af;
                }
            }
        }
        return 0;

    case CAP_AS4:
        if (len != 4 || bgp_get_u32(v, as4)) {
            return -1;
        }
        caps->as4 = true;
        return 0;

    default:
        return 0;
    }
}

/* Parses the capabilities in the optional parameter 'v'. */
static int
parse_capabilities(struct bgp_reader *v, struct bgp_open *open,
                   uint32_t *as4)
{
    while (bgp_reader_left(v)) {
        struct bgp_reader value;
        uint8_t code, len;

        if (bgp_get_u8(v, &code)
            || bgp_get_u8(v, &len)
            || bgp_get_reader(v, len, &value)
            || parse_capability(code, &value, open, as4)) {
            return -1;
        }
    }
    return 0;
}

int
bgp_decode_open(const uint8_t *body, size_t len, struct bgp_open *open,
                struct bgp_notification *err)
{
    struct bgp_reader r, params;
    uint8_t version, params_len;
    uint16_t as2;
    uint32_t as4 = 0;
    bool extended = false;

    memset(open, 0, sizeof *open);
    bgp_reader_init(&r, body, len);
    if (bgp_get_u8(&r, &version)
        || bgp_get_u16(&r, &as2)
        || bgp_get_u16(&r, &open->hold_time)
        || bgp_get_u32(&r, &open->bgp_id)
        || bgp_get_u8(&r, &params_len)) {
        set_error_u16(err, BGP_ERR_HEADER, BGP_ERR_HEADER_LENGTH,
                      MIN(len + BGP_HEADER_LEN, UINT16_MAX));
        return -1;
    }

    if (version != BGP_VERSION) {
        /* The data is the version we would speak instead. */
        set_error_u16(err, BGP_ERR_OPEN, BGP_ERR_OPEN_VERSION, BGP_VERSION);
        return -1;
    }
    if (open->hold_time == 1 || open->hold_time == 2) {
        bgp_notification_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_HOLD_TIME,
                             NULL, 0);
        return -1;
    }
    if (!open->bgp_id) {
        bgp_notification_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BGP_ID,
                             NULL, 0);
        return -1;
    }

    /* RFC 9072: a 255 length and a 255 type announce 2-octet lengths. */
    if (params_len == UINT8_MAX && bgp_reader_left(&r)
        && bgp_reader_data(&r)[0] == OPT_PARAM_EXTENDED) {
        uint16_t ext_len;
        uint8_t type;

        if (bgp_get_u8(&r, &type) || bgp_get_u16(&r, &ext_len)) {
            goto malformed;
        }
        extended = true;
        if (bgp_get_reader(&r, ext_len, &params)) {
            goto malformed;
        }
    } else if (bgp_get_reader(&r, params_len, &params)) {
        goto malformed;
    }
    if (bgp_reader_left(&r)) {
        /* Bytes past the optional parameters. */
        goto malformed;
    }

    while (bgp_reader_left(&params)) {
        struct bgp_reader value;
        uint8_t type, len8;
        uint16_t plen;

        if (bgp_get_u8(&params, &type)) {
            goto malformed;
        }
        if (extended) {
            if (bgp_get_u16(&params, &plen)) {
                goto malformed;
            }
        } else {
            if (bgp_get_u8(&params, &len8)) {
                goto malformed;
            }
            plen = len8;
        }
        if (bgp_get_reader(&params, plen, &value)) {
            goto malformed;
        }
        if (type != OPT_PARAM_CAPABILITIES) {
            bgp_notification_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_OPT_PARAM,
                                 NULL, 0);
            return -1;
        }
        if (parse_capabilities(&value, open, &as4)) {
            goto malformed;
        }
    }

    open->as = open->caps.as4 ? as4 : as2;
    if (!open->as || !as2) {
        /* RFC 7607: AS 0 is never a peer's AS. */
        bgp_notification_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_PEER_AS,
                             NULL, 0);
        return -1;
    }
    return 0;

malformed:
    bgp_notification_set(err, BGP_ERR_OPEN, 0, NULL, 0);
    return -1;
}

/* ------------------------------------------------------------------------
 * UPDATE encoding.
 */

/* Writes an attribute header for a 'len'-byte value, with a 2-byte length
 * when a 1-byte one cannot hold it. */
static void
put_attr_header(struct bgp_writer *w, uint8_t flags, uint8_t type,
                size_t len)
{
    if (len > UINT8_MAX) {
        bgp_put_u8(w, flags | ATTR_EXTLEN);
        bgp_put_u8(w, type);
        if (len > UINT16_MAX) {
            bgp_writer_fail(w);
        }
        bgp_put_u16(w, len);
    } else {
        bgp_put_u8(w, flags);
        bgp_put_u8(w, type);
        bgp_put_u8(w, len);
    }
}

/* Writes 'path' as AS_SEQUENCE segments of 'asn_size'-byte (2 or 4) AS
 * numbers in an attribute of 'type'; in 2 bytes, an AS that needs 4 is
 * AS_TRANS. */
static void
put_as_path(struct bgp_writer *w, uint8_t flags, uint8_t type,
            const uint32_t *path, size_t n, size_t asn_size)
{
    size_t segments = (n + AS_SEGMENT_MAX - 1) / AS_SEGMENT_MAX;

    put_attr_header(w, flags, type, 2 * segments + n * asn_size);
    for (size_t i = 0; i < n; ) {
        size_t count = MIN(n - i, AS_SEGMENT_MAX);

        bgp_put_u8(w, AS_SEQUENCE);
        bgp_put_u8(w, count);
        for (size_t end = i + count; i < end; i++) {
            if (asn_size == 4) {
                bgp_put_u32(w, path[i]);
            } else {
                bgp_put_u16(w, (path[i] > UINT16_MAX
                                ? BGP_AS_TRANS : path[i]));
            }
        }
    }
}

/* Writes every path attribute but MP_REACH_NLRI, in type code order:
 * NEXT_HOP only if 'nh4', for IPv4 NLRI in the NLRI field. */
static void
put_path_attrs(struct bgp_writer *w, const struct bgp_wire_opts *opts,
               const struct bgp_attrs *attrs, bool nh4)
{
    bool as4 = opts && opts->as4;
    bool need_as4_path = false;

    if (attrs->origin > BGP_ORIGIN_INCOMPLETE
        || (attrs->as_path_len && !attrs->as_path)) {
        bgp_writer_fail(w);
        return;
    }

    put_attr_header(w, ATTR_WELL_KNOWN, ATTR_ORIGIN, 1);
    bgp_put_u8(w, attrs->origin);

    put_as_path(w, ATTR_WELL_KNOWN, ATTR_AS_PATH, attrs->as_path,
                attrs->as_path_len, as4 ? 4 : 2);

    if (nh4) {
        put_attr_header(w, ATTR_WELL_KNOWN, ATTR_NEXT_HOP, 4);
        bgp_put_bytes(w, attrs->nh4, 4);
    }
    if (attrs->has_med) {
        put_attr_header(w, ATTR_OPTIONAL, ATTR_MED, 4);
        bgp_put_u32(w, attrs->med);
    }
    if (attrs->has_local_pref) {
        put_attr_header(w, ATTR_WELL_KNOWN, ATTR_LOCAL_PREF, 4);
        bgp_put_u32(w, attrs->local_pref);
    }

    /* RFC 6793: a 2-octet peer gets the true path in AS4_PATH when it
     * holds an AS that 2 octets cannot. */
    for (size_t i = 0; !as4 && i < attrs->as_path_len; i++) {
        if (attrs->as_path[i] > UINT16_MAX) {
            need_as4_path = true;
            break;
        }
    }
    if (need_as4_path) {
        put_as_path(w, ATTR_OPT_TRANS, ATTR_AS4_PATH, attrs->as_path,
                    attrs->as_path_len, 4);
    }
}

static bool
prefix_is_valid(const struct bgp_prefix *p)
{
    return p->af < BGP_AF_N && p->len <= families[p->af].max_len;
}

/* Writes as many prefixes as fit in 'room' bytes, from the first, all of
 * family 'af', and returns how many it wrote. */
static size_t
put_prefixes(struct bgp_writer *w, enum bgp_af af,
             const struct bgp_prefix *prefixes, size_t n, size_t room)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const struct bgp_prefix *p = &prefixes[i];
        size_t bytes = (p->len + 7u) / 8;
        uint8_t addr[16];

        if (p->af != af || !prefix_is_valid(p) || 1 + bytes > room) {
            break;
        }
        /* Clear the bits past the prefix length. */
        memcpy(addr, p->addr, bytes);
        if (p->len % 8) {
            addr[bytes - 1] &= 0xff << (8 - p->len % 8);
        }
        bgp_put_u8(w, p->len);
        bgp_put_bytes(w, addr, bytes);
        room -= 1 + bytes;
    }
    return i;
}

size_t
bgp_encode_update(struct bgp_writer *w, const struct bgp_wire_opts *opts,
                  const struct bgp_attrs *attrs,
                  const struct bgp_prefix *prefixes, size_t n)
{
    size_t max_len = opts_max_len(opts);
    uint8_t attrs_buf[BGP_MAX_LEN];
    struct bgp_writer aw;
    struct bgp_len_mark attrs_len, mp_len;
    size_t start, room, count = 0;
    enum bgp_af af;
    bool mp;

    if (!n || !prefix_is_valid(&prefixes[0])) {
        goto error;
    }
    af = prefixes[0].af;
    if (af == BGP_AF_IPV4 && attrs->has_nh4) {
        mp = false;
    } else if (attrs->has_nh6
               && (af == BGP_AF_IPV6 || (opts && opts->ext_nh_ipv4))) {
        mp = true;
    } else {
        goto error;
    }

    /* The other attributes follow MP_REACH_NLRI (RFC 7606 section 5.1
     * puts it first), so build them aside to know the room they need. */
    bgp_writer_init_fixed(&aw, attrs_buf, sizeof attrs_buf);
    put_path_attrs(&aw, opts, attrs, !mp);
    if (!bgp_writer_ok(&aw)) {
        goto error;
    }

    start = msg_begin(w, BGP_MSG_UPDATE);
    bgp_put_u16(w, 0);                  /* No withdrawn routes. */
    attrs_len = bgp_put_len_begin(w, 2);
    if (mp) {
        /* MP_REACH_NLRI always has a 2-byte length: its size is not
         * known until its NLRI are in. */
        bgp_put_u8(w, ATTR_OPTIONAL | ATTR_EXTLEN);
        bgp_put_u8(w, ATTR_MP_REACH);
        mp_len = bgp_put_len_begin(w, 2);
        bgp_put_u16(w, families[af].afi);
        bgp_put_u8(w, families[af].safi);
        bgp_put_u8(w, attrs->has_nh6_ll ? 32 : 16);
        bgp_put_bytes(w, attrs->nh6, 16);
        if (attrs->has_nh6_ll) {
            bgp_put_bytes(w, attrs->nh6_ll, 16);
        }
        bgp_put_u8(w, 0);               /* Reserved. */

        room = msg_room(w, start, max_len);
        room = room > bgp_writer_len(&aw) ? room - bgp_writer_len(&aw) : 0;
        count = put_prefixes(w, af, prefixes, n, room);
        bgp_put_len_end(w, mp_len);
        bgp_put_bytes(w, bgp_writer_data(&aw), bgp_writer_len(&aw));
        bgp_put_len_end(w, attrs_len);
    } else {
        bgp_put_bytes(w, bgp_writer_data(&aw), bgp_writer_len(&aw));
        bgp_put_len_end(w, attrs_len);
        count = put_prefixes(w, af, prefixes, n,
                             msg_room(w, start, max_len));
    }
    if (!count || msg_end(w, start, max_len)) {
        goto error;
    }
    return count;

error:
    bgp_writer_fail(w);
    return 0;
}

/* Encodes an UPDATE withdrawing as many of the 'n' prefixes of 'af' as
 * fit, and returns how many; with none, it is the End-of-RIB marker. */
static size_t
encode_withdraw(struct bgp_writer *w, size_t max_len, enum bgp_af af,
                const struct bgp_prefix *prefixes, size_t n)
{
    size_t start = msg_begin(w, BGP_MSG_UPDATE);
    struct bgp_len_mark len, attrs_len;
    size_t count, room;

    if (af == BGP_AF_IPV4) {
        len = bgp_put_len_begin(w, 2);
        room = msg_room(w, start, max_len);
        /* Keep 2 bytes for the path attribute length. */
        count = put_prefixes(w, af, prefixes, n, room < 2 ? 0 : room - 2);
        bgp_put_len_end(w, len);
        bgp_put_u16(w, 0);
    } else {
        bgp_put_u16(w, 0);
        attrs_len = bgp_put_len_begin(w, 2);
        bgp_put_u8(w, ATTR_OPTIONAL | ATTR_EXTLEN);
        bgp_put_u8(w, ATTR_MP_UNREACH);
        len = bgp_put_len_begin(w, 2);
        bgp_put_u16(w, families[af].afi);
        bgp_put_u8(w, families[af].safi);
        count = put_prefixes(w, af, prefixes, n,
                             msg_room(w, start, max_len));
        bgp_put_len_end(w, len);
        bgp_put_len_end(w, attrs_len);
    }
    return msg_end(w, start, max_len) ? 0 : count;
}

size_t
bgp_encode_withdraw(struct bgp_writer *w, const struct bgp_wire_opts *opts,
                    const struct bgp_prefix *prefixes, size_t n)
{
    size_t count = 0;

    if (n && prefix_is_valid(&prefixes[0])) {
        count = encode_withdraw(w, opts_max_len(opts), prefixes[0].af,
                                prefixes, n);
    }
    if (!count) {
        bgp_writer_fail(w);
    }
    return count;
}

int
bgp_encode_eor(struct bgp_writer *w, enum bgp_af af)
{
    if (af >= BGP_AF_N) {
        bgp_writer_fail(w);
        return -1;
    }
    encode_withdraw(w, BGP_MAX_LEN, af, NULL, 0);
    return bgp_writer_ok(w) ? 0 : -1;
}

/* ------------------------------------------------------------------------
 * UPDATE decoding and validation (RFC 4271 section 6.3, RFC 7606).
 */

struct update_ctx {
    const struct bgp_wire_opts *opts;
    struct bgp_update_result *res;
    uint32_t seen[256 / 32];    /* Attribute types seen (bitmap). */
    size_t n_attrs;             /* Attributes, duplicates included. */

    const uint8_t *nh_attr;     /* NEXT_HOP, whole, if well-formed. */
    size_t nh_attr_len;
    uint8_t nh4[4];

    int unreach_af;             /* MP_UNREACH_NLRI's family, or -1. */
    uint32_t unreach_count;     /* Its prefixes. */
};

/* Records an error that earns 'action', unless a worse one is already
 * there; 'data' goes in the NOTIFICATION. */
static void
update_error(struct update_ctx *c, enum bgp_update_action action,
             uint8_t subcode, const void *data, size_t len)
{
    if (action > c->res->action) {
        c->res->action = action;
        bgp_notification_set(&c->res->error, BGP_ERR_UPDATE, subcode,
                             data, len);
    }
}

/* Counts the prefixes of family 'af' that make up all of 'r' into
 * '*count'.  Returns -1 if one is longer than the family allows or runs
 * past the end. */
static int
count_prefixes(struct bgp_reader *r, enum bgp_af af, uint32_t *count)
{
    uint8_t max_len = families[af].max_len;
    uint32_t n = 0;

    while (bgp_reader_left(r)) {
        uint8_t len;

        if (bgp_get_u8(r, &len)
            || len > max_len
            || bgp_skip(r, (len + 7u) / 8)) {
            return -1;
        }
        n++;
    }
    *count += n;
    return 0;
}

/* Checks the AS_PATH or AS4_PATH segments in 'v', of 'asn_size'-byte AS
 * numbers (RFC 7606 section 7.2, RFC 7607). */
static bool
as_path_is_valid(struct bgp_reader *v, size_t asn_size, bool confed_ok)
{
    while (bgp_reader_left(v)) {
        uint8_t type, count;

        if (bgp_get_u8(v, &type) || bgp_get_u8(v, &count)) {
            return false;       /* A lone byte after the last segment. */
        }
        if (type < AS_SET
            || type > (confed_ok ? AS_CONFED_SET : AS_SEQUENCE)
            || !count) {
            return false;
        }
        for (size_t i = 0; i < count; i++) {
            uint32_t as;
            uint16_t as2;

            if (asn_size == 4) {
                if (bgp_get_u32(v, &as)) {
                    return false;
                }
            } else {
                if (bgp_get_u16(v, &as2)) {
                    return false;
                }
                as = as2;
            }
            if (!as) {
                return false;
            }
        }
    }
    return true;
}

/* Each check validates one attribute's value 'v' and returns 0, or the
 * UPDATE Message Error subcode for a malformed one. */
typedef uint8_t attr_check_fn(struct update_ctx *, struct bgp_reader *v);

static uint8_t
check_origin(struct update_ctx *c, struct bgp_reader *v)
{
    uint8_t origin;

    if (bgp_reader_left(v) != 1 || bgp_get_u8(v, &origin)) {
        return BGP_ERR_UPDATE_ATTR_LENGTH;
    }
    return origin > BGP_ORIGIN_INCOMPLETE ? BGP_ERR_UPDATE_ORIGIN : 0;
}

static uint8_t
check_as_path(struct update_ctx *c, struct bgp_reader *v)
{
    size_t asn_size = c->opts && c->opts->as4 ? 4 : 2;

    return as_path_is_valid(v, asn_size, true) ? 0 : BGP_ERR_UPDATE_AS_PATH;
}

static uint8_t
check_next_hop(struct update_ctx *c, struct bgp_reader *v)
{
    if (bgp_reader_left(v) != 4 || bgp_get_bytes(v, c->nh4, 4)) {
        return BGP_ERR_UPDATE_ATTR_LENGTH;
    }
    return 0;
}

static uint8_t
check_u32(struct update_ctx *c, struct bgp_reader *v)
{
    return bgp_reader_left(v) == 4 ? 0 : BGP_ERR_UPDATE_ATTR_LENGTH;
}

static uint8_t
check_empty(struct update_ctx *c, struct bgp_reader *v)
{
    return bgp_reader_left(v) ? BGP_ERR_UPDATE_ATTR_LENGTH : 0;
}

static uint8_t
check_aggregator(struct update_ctx *c, struct bgp_reader *v)
{
    size_t asn_size = c->opts && c->opts->as4 ? 4 : 2;
    uint32_t as = 0;
    uint16_t as2;

    if (bgp_reader_left(v) != asn_size + 4) {
        return BGP_ERR_UPDATE_ATTR_LENGTH;
    }
    if (asn_size == 4 ? bgp_get_u32(v, &as) : bgp_get_u16(v, &as2)) {
        return BGP_ERR_UPDATE_ATTR_LENGTH;
    }
    if (asn_size == 2) {
        as = as2;
    }
    return as ? 0 : BGP_ERR_UPDATE_OPTIONAL_ATTR;
}

/* Attributes that are lists of 'n'-byte items, and must not be empty. */
static uint8_t
check_list(struct bgp_reader *v, size_t n)
{
    size_t len = bgp_reader_left(v);

    return len && !(len % n) ? 0 : BGP_ERR_UPDATE_ATTR_LENGTH;
}

static uint8_t
check_list4(struct update_ctx *c, struct bgp_reader *v)
{
    return check_list(v, 4);
}

static uint8_t
check_list8(struct update_ctx *c, struct bgp_reader *v)
{
    return check_list(v, 8);
}

static uint8_t
check_list12(struct update_ctx *c, struct bgp_reader *v)
{
    return check_list(v, 12);
}

static uint8_t
check_as4_path(struct update_ctx *c, struct bgp_reader *v)
{
    /* RFC 6793 section 6: no confederation segments in AS4_PATH. */
    return as_path_is_valid(v, 4, false) ? 0 : BGP_ERR_UPDATE_AS_PATH;
}

static uint8_t
check_as4_aggregator(struct update_ctx *c, struct bgp_reader *v)
{
    uint32_t as;

    if (bgp_reader_left(v) != 8 || bgp_get_u32(v, &as)) {
        return BGP_ERR_UPDATE_ATTR_LENGTH;
    }
    return as ? 0 : BGP_ERR_UPDATE_OPTIONAL_ATTR;
}

static uint8_t
check_mp_reach(struct update_ctx *c, struct bgp_reader *v)
{
    struct bgp_reader nh;
    uint8_t safi, nh_len, reserved;
    uint16_t afi;
    enum bgp_af af;
    bool nh_ok;

    if (bgp_get_u16(v, &afi)
        || bgp_get_u8(v, &safi)
        || bgp_get_u8(v, &nh_len)
        || bgp_get_reader(v, nh_len, &nh)
        || bgp_get_u8(v, &reserved)) {
        return BGP_ERR_UPDATE_OPTIONAL_ATTR;
    }
    if (bgp_af_from_afi_safi(afi, safi, &af)) {
        /* A family we did not negotiate: nothing of ours in there. */
        return 0;
    }

    /* IPv6, global and optionally link-local (RFC 2545); IPv4, or IPv6
     * when RFC 8950 was negotiated. */
    nh_ok = nh_len == 16 || nh_len == 32;
    if (af == BGP_AF_IPV4) {
        nh_ok = nh_len == 4 || (nh_ok && c->opts && c->opts->ext_nh_ipv4);
    }
    if (!nh_ok || count_prefixes(v, af, &c->res->announced[af])) {
        return BGP_ERR_UPDATE_OPTIONAL_ATTR;
    }
    return 0;
}

static uint8_t
check_mp_unreach(struct update_ctx *c, struct bgp_reader *v)
{
    uint16_t afi;
    uint8_t safi;
    enum bgp_af af;

    if (bgp_get_u16(v, &afi) || bgp_get_u8(v, &safi)) {
        return BGP_ERR_UPDATE_OPTIONAL_ATTR;
    }
    if (bgp_af_from_afi_safi(afi, safi, &af)) {
        return 0;
    }
    c->unreach_af = af;
    c->unreach_count = 0;
    if (count_prefixes(v, af, &c->unreach_count)) {
        return BGP_ERR_UPDATE_OPTIONAL_ATTR;
    }
    c->res->withdrawn[af] += c->unreach_count;
    return 0;
}

/* The attributes we know, by type code. */
struct attr_desc {
    uint8_t flags;              /* The Optional and Transitive bits. */
    uint8_t on_error;           /* enum bgp_update_action if malformed. */
    uint8_t on_bad_flags;       /* And if its flags are wrong. */
    bool ibgp_only;             /* Ignored from an external peer. */
    bool as2_only;              /* Ignored once 4-octet AS is agreed. */
    attr_check_fn *check;
};

#define WITHDRAW BGP_UPDATE_WITHDRAW
#define DISCARD BGP_UPDATE_ATTR_DISCARD
#define RESET BGP_UPDATE_RESET

/* Error actions from RFC 7606 section 7 (and RFC 6793, 8092).  A bad
 * MP_REACH_NLRI or MP_UNREACH_NLRI hides where its prefixes are, so it
 * resets the session; wrong flags on one do not. */
static const struct attr_desc attr_descs[256] = {
    [ATTR_ORIGIN] = {
        ATTR_WELL_KNOWN, WITHDRAW, WITHDRAW, false, false, check_origin,
    },
    [ATTR_AS_PATH] = {
        ATTR_WELL_KNOWN, WITHDRAW, WITHDRAW, false, false, check_as_path,
    },
    [ATTR_NEXT_HOP] = {
        ATTR_WELL_KNOWN, WITHDRAW, WITHDRAW, false, false, check_next_hop,
    },
    [ATTR_MED] = {
        ATTR_OPTIONAL, WITHDRAW, WITHDRAW, false, false, check_u32,
    },
    [ATTR_LOCAL_PREF] = {
        ATTR_WELL_KNOWN, WITHDRAW, WITHDRAW, true, false, check_u32,
    },
    [ATTR_ATOMIC_AGGREGATE] = {
        ATTR_WELL_KNOWN, DISCARD, DISCARD, false, false, check_empty,
    },
    [ATTR_AGGREGATOR] = {
        ATTR_OPT_TRANS, DISCARD, DISCARD, false, false, check_aggregator,
    },
    [ATTR_COMMUNITIES] = {
        ATTR_OPT_TRANS, WITHDRAW, WITHDRAW, false, false, check_list4,
    },
    [ATTR_ORIGINATOR_ID] = {
        ATTR_OPTIONAL, WITHDRAW, WITHDRAW, true, false, check_u32,
    },
    [ATTR_CLUSTER_LIST] = {
        ATTR_OPTIONAL, WITHDRAW, WITHDRAW, true, false, check_list4,
    },
    [ATTR_MP_REACH] = {
        ATTR_OPTIONAL, RESET, WITHDRAW, false, false, check_mp_reach,
    },
    [ATTR_MP_UNREACH] = {
        ATTR_OPTIONAL, RESET, WITHDRAW, false, false, check_mp_unreach,
    },
    [ATTR_EXT_COMMUNITIES] = {
        ATTR_OPT_TRANS, WITHDRAW, WITHDRAW, false, false, check_list8,
    },
    [ATTR_AS4_PATH] = {
        ATTR_OPT_TRANS, DISCARD, DISCARD, false, true, check_as4_path,
    },
    [ATTR_AS4_AGGREGATOR] = {
        ATTR_OPT_TRANS, DISCARD, DISCARD, false, true, check_as4_aggregator,
    },
    [ATTR_LARGE_COMMUNITIES] = {
        ATTR_OPT_TRANS, WITHDRAW, WITHDRAW, false, false, check_list12,
    },
};

static bool
attr_seen(const struct update_ctx *c, uint8_t type)
{
    return c->seen[type / 32] & (UINT32_C(1) << (type % 32));
}

/* Handles one attribute: 'raw' is all of it, header included, for the
 * NOTIFICATION data; 'v' its value. */
static void
parse_attr(struct update_ctx *c, uint8_t flags, uint8_t type,
           const uint8_t *raw, size_t raw_len, struct bgp_reader *v)
{
    const struct attr_desc *desc = &attr_descs[type];
    const struct bgp_wire_opts *opts = c->opts;
    uint8_t subcode;

    c->n_attrs++;
    if (attr_seen(c, type)) {
        /* RFC 7606 section 3 g: repeats are dropped, except of the
         * attributes that carry prefixes. */
        if (type == ATTR_MP_REACH || type == ATTR_MP_UNREACH) {
            update_error(c, RESET, BGP_ERR_UPDATE_ATTR_LIST, NULL, 0);
        } else {
            update_error(c, DISCARD, BGP_ERR_UPDATE_ATTR_LIST, NULL, 0);
        }
        return;
    }
    c->seen[type / 32] |= UINT32_C(1) << (type % 32);

    if (!desc->check) {
        /* Unknown: an optional one is passed over (we re-advertise
         * nothing we receive); a well-known one cannot be. */
        if (!(flags & ATTR_OPTIONAL)) {
            update_error(c, RESET, BGP_ERR_UPDATE_UNKNOWN_WELL_KNOWN,
                         raw, raw_len);
        }
        return;
    }
    if ((desc->ibgp_only && opts && opts->ebgp)
        || (desc->as2_only && opts && opts->as4)) {
        /* RFC 7606 sections 7.5, 7.9, 7.10; RFC 6793 section 6. */
        return;
    }

    if ((flags & ATTR_OPT_TRANS) != desc->flags) {
        update_error(c, desc->on_bad_flags, BGP_ERR_UPDATE_ATTR_FLAGS,
                     raw, raw_len);
    }
    /* Checked even with bad flags: MP_REACH_NLRI and MP_UNREACH_NLRI must
     * still be parsed for the prefixes to withdraw. */
    subcode = desc->check(c, v);
    if (subcode) {
        update_error(c, desc->on_error, subcode, raw, raw_len);
    } else if (type == ATTR_NEXT_HOP) {
        c->nh_attr = raw;
        c->nh_attr_len = raw_len;
    }
}

/* Parses the path attributes in 'r'. */
static void
parse_attrs(struct update_ctx *c, struct bgp_reader *r)
{
    while (bgp_reader_left(r) && c->res->action != RESET) {
        const uint8_t *raw = bgp_reader_data(r);
        struct bgp_reader value;
        uint8_t flags, type, len8;
        uint16_t len;

        /* RFC 7606 section 4: an attribute that does not fit is a
         * malformed list, yet the NLRI field can still be found. */
        if (bgp_get_u8(r, &flags) || bgp_get_u8(r, &type)) {
            goto overrun;
        }
        if (flags & ATTR_EXTLEN) {
            if (bgp_get_u16(r, &len)) {
                goto overrun;
            }
        } else {
            if (bgp_get_u8(r, &len8)) {
                goto overrun;
            }
            len = len8;
        }
        if (bgp_get_reader(r, len, &value)) {
            goto overrun;
        }
        parse_attr(c, flags, type, raw, bgp_reader_data(r) - raw, &value);
    }
    return;

overrun:
    update_error(c, WITHDRAW, BGP_ERR_UPDATE_ATTR_LIST, NULL, 0);
}

/* Returns true if 'nh' can be a next hop: not 0/8, loopback, multicast or
 * reserved (RFC 4271 section 6.3). */
static bool
nh4_is_valid(const uint8_t nh[4])
{
    return nh[0] != 0 && nh[0] != 127 && nh[0] < 224;
}

enum bgp_update_action
bgp_decode_update(const uint8_t *body, size_t len,
                  const struct bgp_wire_opts *opts,
                  struct bgp_update_result *res)
{
    struct update_ctx c = {
        .opts = opts,
        .res = res,
        .unreach_af = -1,
    };
    struct bgp_reader r, withdrawn, attrs;
    uint16_t withdrawn_len, attrs_len;
    uint32_t nlri = 0, announced = 0;
    static const uint8_t missing[] = {
        ATTR_ORIGIN, ATTR_AS_PATH, ATTR_NEXT_HOP,
    };

    res->action = BGP_UPDATE_OK;
    res->error.code = res->error.subcode = 0;
    res->error.data_len = 0;
    memset(res->announced, 0, sizeof res->announced);
    memset(res->withdrawn, 0, sizeof res->withdrawn);
    res->eor = 0;

    bgp_reader_init(&r, body, len);
    if (bgp_get_u16(&r, &withdrawn_len)
        || bgp_get_reader(&r, withdrawn_len, &withdrawn)
        || bgp_get_u16(&r, &attrs_len)
        || bgp_get_reader(&r, attrs_len, &attrs)) {
        update_error(&c, RESET, BGP_ERR_UPDATE_ATTR_LIST, NULL, 0);
        return res->action;
    }
    if (count_prefixes(&withdrawn, BGP_AF_IPV4,
                       &res->withdrawn[BGP_AF_IPV4])) {
        update_error(&c, RESET, BGP_ERR_UPDATE_NETWORK, NULL, 0);
        return res->action;
    }
    parse_attrs(&c, &attrs);
    if (res->action == RESET) {
        return res->action;
    }
    if (count_prefixes(&r, BGP_AF_IPV4, &nlri)) {
        update_error(&c, RESET, BGP_ERR_UPDATE_NETWORK, NULL, 0);
        return res->action;
    }
    res->announced[BGP_AF_IPV4] += nlri;

    /* Well-known mandatory attributes matter only for announcements, and
     * NEXT_HOP only for the NLRI field (RFC 4760).  Missing ones earn
     * treat-as-withdraw (RFC 7606 section 3 d). */
    for (size_t af = 0; af < BGP_AF_N; af++) {
        announced += res->announced[af];
    }
    for (size_t i = 0; announced && i < ARRAY_SIZE(missing); i++) {
        if (!attr_seen(&c, missing[i])
            && (missing[i] != ATTR_NEXT_HOP || nlri)) {
            update_error(&c, WITHDRAW, BGP_ERR_UPDATE_MISSING_WELL_KNOWN,
                         &missing[i], 1);
        }
    }
    if (nlri && c.nh_attr && !nh4_is_valid(c.nh4)) {
        update_error(&c, WITHDRAW, BGP_ERR_UPDATE_NEXT_HOP,
                     c.nh_attr, c.nh_attr_len);
    }

    /* End-of-RIB (RFC 4724 section 2): an empty UPDATE for IPv4, an
     * UPDATE with nothing but an empty MP_UNREACH_NLRI for the others. */
    if (!withdrawn_len && !attrs_len && !nlri) {
        res->eor |= 1u << BGP_AF_IPV4;
    } else if (!withdrawn_len && !nlri && c.n_attrs == 1
               && c.unreach_af >= 0 && !c.unreach_count
               && res->action == BGP_UPDATE_OK) {
        res->eor |= 1u << c.unreach_af;
    }
    return res->action;
}
