/*
 * The BGP-4 wire codec: framing, and encoding and decoding of every message
 * the speaker sends or receives.
 *
 *   RFC 4271  BGP-4                      RFC 4760  multiprotocol extensions
 *   RFC 6793  4-octet AS numbers         RFC 2918  route refresh
 *   RFC 4724  graceful restart           RFC 8950  IPv4 NLRI, IPv6 next hop
 *   RFC 7606  UPDATE error handling      RFC 9003  shutdown communication
 *   RFC 4486, 6608, 7313, 8538           NOTIFICATION subcodes
 *
 * Only IPv4 and IPv6 unicast are known; other address families are carried
 * past, never misparsed.  Decoders take a message body (the bytes after the
 * 19-octet header, as bgp_frame() finds it) and never read outside it.
 * Encoders append one whole message to a writer (bgp/buf.h) and return 0,
 * or -1 with the writer failed, in which case the writer's contents are
 * to be discarded.
 *
 * This file knows BGP only: plain libc, no OVS or OVN.
 */
#ifndef BGP_WIRE_H
#define BGP_WIRE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/buf.h"

#define BGP_MARKER_LEN 16
#define BGP_HEADER_LEN 19
#define BGP_MAX_LEN 4096        /* Without RFC 8654 extended messages. */
#define BGP_EXT_MAX_LEN 65535   /* With them. */
#define BGP_VERSION 4
#define BGP_AS_TRANS 23456      /* RFC 6793. */

enum bgp_msg_type {
    BGP_MSG_OPEN = 1,
    BGP_MSG_UPDATE = 2,
    BGP_MSG_NOTIFICATION = 3,
    BGP_MSG_KEEPALIVE = 4,
    BGP_MSG_ROUTE_REFRESH = 5,
};

/* Returns "OPEN", "UPDATE", ... or "unknown". */
const char *bgp_msg_type_name(uint8_t type);

/* Address families, each one AFI/SAFI pair.  Sets of them are bitmaps with
 * bit (1 << af). */
enum bgp_af {
    BGP_AF_IPV4,                /* AFI 1, SAFI 1. */
    BGP_AF_IPV6,                /* AFI 2, SAFI 1. */
    BGP_AF_N
};
#define BGP_AFI_IPV4 1
#define BGP_AFI_IPV6 2
#define BGP_SAFI_UNICAST 1

/* Maps an AFI/SAFI pair to its family; returns -1 for one we do not know. */
int bgp_af_from_afi_safi(uint16_t afi, uint8_t safi, enum bgp_af *);
uint16_t bgp_af_afi(enum bgp_af);

/* An IPv4 or IPv6 prefix.  'addr' is in network byte order; only its first
 * 4 bytes matter for IPv4, and bits past 'len' are ignored. */
struct bgp_prefix {
    uint8_t af;                 /* enum bgp_af. */
    uint8_t len;                /* 0..32 or 0..128. */
    uint8_t addr[16];
};

/* ------------------------------------------------------------------------
 * NOTIFICATION codes (RFC 4271 section 4.5 and the RFCs that add subcodes).
 */
enum bgp_err_code {
    BGP_ERR_HEADER = 1,
    BGP_ERR_OPEN = 2,
    BGP_ERR_UPDATE = 3,
    BGP_ERR_HOLD_TIMER = 4,
    BGP_ERR_FSM = 5,
    BGP_ERR_CEASE = 6,
    BGP_ERR_ROUTE_REFRESH = 7,  /* RFC 7313. */
};

/* Subcode 0 means "unspecific" under every code. */
enum bgp_err_header {
    BGP_ERR_HEADER_NOT_SYNC = 1,
    BGP_ERR_HEADER_LENGTH = 2,
    BGP_ERR_HEADER_TYPE = 3,
};

enum bgp_err_open {
    BGP_ERR_OPEN_VERSION = 1,
    BGP_ERR_OPEN_PEER_AS = 2,
    BGP_ERR_OPEN_BGP_ID = 3,
    BGP_ERR_OPEN_OPT_PARAM = 4,
    BGP_ERR_OPEN_HOLD_TIME = 6,
    BGP_ERR_OPEN_CAPABILITY = 7, /* RFC 5492. */
    BGP_ERR_OPEN_ROLE = 11,      /* RFC 9234. */
};

enum bgp_err_update {
    BGP_ERR_UPDATE_ATTR_LIST = 1,
    BGP_ERR_UPDATE_UNKNOWN_WELL_KNOWN = 2,
    BGP_ERR_UPDATE_MISSING_WELL_KNOWN = 3,
    BGP_ERR_UPDATE_ATTR_FLAGS = 4,
    BGP_ERR_UPDATE_ATTR_LENGTH = 5,
    BGP_ERR_UPDATE_ORIGIN = 6,
    BGP_ERR_UPDATE_NEXT_HOP = 8,
    BGP_ERR_UPDATE_OPTIONAL_ATTR = 9,
    BGP_ERR_UPDATE_NETWORK = 10,
    BGP_ERR_UPDATE_AS_PATH = 11,
};

enum bgp_err_fsm {              /* RFC 6608. */
    BGP_ERR_FSM_OPENSENT = 1,
    BGP_ERR_FSM_OPENCONFIRM = 2,
    BGP_ERR_FSM_ESTABLISHED = 3,
};

enum bgp_err_cease {            /* RFC 4486, 8538, 9384. */
    BGP_ERR_CEASE_MAX_PREFIX = 1,
    BGP_ERR_CEASE_ADMIN_SHUTDOWN = 2,
    BGP_ERR_CEASE_DECONFIGURED = 3,
    BGP_ERR_CEASE_ADMIN_RESET = 4,
    BGP_ERR_CEASE_REJECTED = 5,
    BGP_ERR_CEASE_CONFIG_CHANGE = 6,
    BGP_ERR_CEASE_COLLISION = 7,
    BGP_ERR_CEASE_RESOURCES = 8,
    BGP_ERR_CEASE_HARD_RESET = 9,
    BGP_ERR_CEASE_BFD_DOWN = 10,
};

enum bgp_err_route_refresh {
    BGP_ERR_ROUTE_REFRESH_LENGTH = 1,
};

/* The most data a NOTIFICATION can carry in a 4096-octet message. */
#define BGP_NOTIFY_DATA_MAX (BGP_MAX_LEN - BGP_HEADER_LEN - 2)

/* A NOTIFICATION, sent or received.  'code' 0 means "none". */
struct bgp_notification {
    uint8_t code;
    uint8_t subcode;
    uint16_t data_len;
    uint8_t data[BGP_NOTIFY_DATA_MAX];
};

/* Sets 'n' to 'code'/'subcode' with a copy of 'data', cut to
 * BGP_NOTIFY_DATA_MAX bytes. */
void bgp_notification_set(struct bgp_notification *n, uint8_t code,
                          uint8_t subcode, const void *data, size_t len);

/* Returns a name for logging, e.g. "Cease: Administrative Shutdown". */
const char *bgp_notification_name(uint8_t code, uint8_t subcode);

int bgp_encode_notification(struct bgp_writer *,
                            const struct bgp_notification *);
int bgp_decode_notification(const uint8_t *body, size_t len,
                            struct bgp_notification *);

/* Shutdown communication (RFC 9003), for Cease subcodes Administrative
 * Shutdown and Administrative Reset.  The longest message, in octets. */
#define BGP_SHUTDOWN_MSG_MAX 255

/* Sets 'n' to Cease/'subcode' carrying 'msg' (UTF-8, may be NULL or empty),
 * cut at a character boundary to BGP_SHUTDOWN_MSG_MAX octets. */
void bgp_notification_shutdown(struct bgp_notification *n, uint8_t subcode,
                               const char *msg);

/* If 'n' carries a well-formed shutdown communication, copies it with a
 * terminating NUL into 'msg' and returns 0; otherwise returns -1. */
int bgp_notification_get_shutdown(const struct bgp_notification *n,
                                  char msg[BGP_SHUTDOWN_MSG_MAX + 1]);

/* ------------------------------------------------------------------------
 * Framing.
 */

/* One message found in a byte stream. */
struct bgp_msg {
    uint8_t type;               /* enum bgp_msg_type. */
    uint16_t len;               /* Whole message, header included. */
    const uint8_t *body;        /* The 'len' - 19 bytes after the header. */
    size_t body_len;
};

enum bgp_frame_status {
    BGP_FRAME_OK,               /* '*msg' is the first message. */
    BGP_FRAME_SHORT,            /* No complete message yet; read more. */
    BGP_FRAME_ERROR,            /* Bad header: send '*err' and close. */
};

/* Looks for a message at the start of the 'len' stream bytes at 'data' and
 * validates its header: marker, length between 19 and 'max_len' (4096, or
 * 65535 once extended messages are negotiated), a known type and that
 * type's own length bounds.  A header is judged as soon as its 19 bytes are
 * in, before the rest of the message arrives. */
enum bgp_frame_status bgp_frame(const uint8_t *data, size_t len,
                                size_t max_len, struct bgp_msg *msg,
                                struct bgp_notification *err);

/* ------------------------------------------------------------------------
 * OPEN and capabilities.
 */

/* Graceful restart flags (RFC 4724, RFC 8538). */
#define BGP_GR_RESTARTING 0x8   /* R: the sender has restarted. */
#define BGP_GR_NOTIFICATION 0x4 /* N: graceful NOTIFICATION support. */
#define BGP_GR_TIME_MAX 4095

/* Capabilities in an OPEN.  Unknown ones are skipped on decode. */
struct bgp_caps {
    uint8_t mp;                 /* Multiprotocol: families (bitmap). */
    bool route_refresh;
    bool ext_nh_ipv4;           /* RFC 8950: IPv4 unicast, IPv6 next hop. */
    bool ext_msg;               /* RFC 8654 extended messages. */
    bool as4;                   /* 4-octet AS; the AS is in bgp_open. */
    bool gr;                    /* Graceful restart. */
    uint8_t gr_flags;           /* BGP_GR_*. */
    uint16_t gr_time;           /* Restart time, 0..BGP_GR_TIME_MAX s. */
    uint8_t gr_af;              /* Families listed (bitmap). */
    uint8_t gr_af_fwd;          /* Those with forwarding state kept. */
};

struct bgp_open {
    uint32_t as;                /* A 4-octet AS needs caps.as4. */
    uint16_t hold_time;         /* 0 or at least 3 seconds. */
    uint32_t bgp_id;            /* Host byte order, non-zero. */
    struct bgp_caps caps;
};

/* Encodes an OPEN with all capabilities in one optional parameter; an AS
 * above 65535 goes out as AS_TRANS in the 2-octet field.  Fails for what
 * the peer would reject: AS 0, a 4-octet AS without caps.as4, a hold time
 * of 1 or 2, BGP identifier 0, a restart time over 12 bits. */
int bgp_encode_open(struct bgp_writer *, const struct bgp_open *);

/* Decodes and validates an OPEN (RFC 4271 section 6.2, RFC 5492, RFC 6286,
 * RFC 7607; RFC 9072 extended optional parameters are understood).  On
 * error returns -1 with the NOTIFICATION to send in '*err': a malformed
 * optional parameter or known capability earns OPEN Message Error with
 * subcode 0.  Empty capability parameters and unknown capabilities are
 * skipped.  The peer's AS against the configured one, its BGP identifier
 * against ours and the capabilities it lacks are for the caller to
 * check. */
int bgp_decode_open(const uint8_t *body, size_t len, struct bgp_open *,
                    struct bgp_notification *err);

/* ------------------------------------------------------------------------
 * UPDATE.
 */

/* What a session negotiated, as far as UPDATE encoding is concerned. */
struct bgp_wire_opts {
    bool as4;                   /* Both sides have 4-octet AS numbers. */
    bool ext_nh_ipv4;           /* Both sides have RFC 8950 for IPv4. */
    bool ebgp;                  /* The peer is in another AS. */
    size_t max_len;             /* Message size limit; 0 is BGP_MAX_LEN. */
};

enum bgp_origin {
    BGP_ORIGIN_IGP = 0,
    BGP_ORIGIN_EGP = 1,
    BGP_ORIGIN_INCOMPLETE = 2,
};

/* The path attributes shared by the prefixes of one UPDATE. */
struct bgp_attrs {
    uint8_t origin;             /* enum bgp_origin. */
    const uint32_t *as_path;    /* One AS_SEQUENCE, nearest AS first. */
    size_t as_path_len;         /* 0 for an iBGP peer. */
    bool has_med;
    uint32_t med;
    bool has_local_pref;        /* iBGP only. */
    uint32_t local_pref;
    bool has_nh4;               /* IPv4 next hop, for IPv4 prefixes. */
    uint8_t nh4[4];
    bool has_nh6;               /* IPv6 next hop, for IPv6 prefixes, and */
    uint8_t nh6[16];            /* for IPv4 ones without 'nh4' when
                                 * 'ext_nh_ipv4' is negotiated. */
    bool has_nh6_ll;            /* Link-local IPv6 next hop too. */
    uint8_t nh6_ll[16];
};

/* Encodes one UPDATE announcing as many of the 'n' prefixes as fit, from
 * the first, stopping at the first one of another family than the first's.
 * IPv4 goes in the NLRI field with NEXT_HOP, or in MP_REACH_NLRI with the
 * IPv6 next hop; IPv6 in MP_REACH_NLRI.  Returns how many prefixes it
 * consumed, so a caller loops until all are sent; returns 0, with the
 * writer failed, if it could not encode any (bad prefix or attributes, no
 * next hop for the family, no room). */
size_t bgp_encode_update(struct bgp_writer *, const struct bgp_wire_opts *,
                         const struct bgp_attrs *,
                         const struct bgp_prefix *, size_t n);

/* The same for withdrawals: IPv4 in the withdrawn routes field, IPv6 in
 * MP_UNREACH_NLRI. */
size_t bgp_encode_withdraw(struct bgp_writer *, const struct bgp_wire_opts *,
                           const struct bgp_prefix *, size_t n);

/* Encodes the End-of-RIB marker of 'af' (RFC 4724). */
int bgp_encode_eor(struct bgp_writer *, enum bgp_af);

/* What a received UPDATE earns (RFC 7606), mildest first. */
enum bgp_update_action {
    BGP_UPDATE_OK,
    BGP_UPDATE_ATTR_DISCARD,    /* Some attributes were ignored. */
    BGP_UPDATE_WITHDRAW,        /* Treat the announced prefixes as
                                 * withdrawn. */
    BGP_UPDATE_RESET,           /* Send 'error' and reset the session. */
};

struct bgp_update_result {
    enum bgp_update_action action;
    /* The error behind 'action' (code 0 if none); for logging, and the
     * NOTIFICATION to send for BGP_UPDATE_RESET. */
    struct bgp_notification error;
    uint32_t announced[BGP_AF_N];   /* Prefixes in NLRI and MP_REACH. */
    uint32_t withdrawn[BGP_AF_N];   /* In withdrawn routes, MP_UNREACH. */
    uint8_t eor;                /* End-of-RIB of these families (bitmap). */
};

/* Decodes and validates a received UPDATE, counting its prefixes per
 * family, and returns 'result->action'.  Counts are only complete when the
 * action is not BGP_UPDATE_RESET. */
enum bgp_update_action bgp_decode_update(const uint8_t *body, size_t len,
                                         const struct bgp_wire_opts *,
                                         struct bgp_update_result *result);

/* ------------------------------------------------------------------------
 * KEEPALIVE and ROUTE-REFRESH.
 */

int bgp_encode_keepalive(struct bgp_writer *);

/* Route refresh subtypes (RFC 7313; 0 is the RFC 2918 request). */
enum bgp_rr_subtype {
    BGP_RR_REQUEST = 0,
    BGP_RR_BEGIN = 1,
    BGP_RR_END = 2,
};

struct bgp_route_refresh {
    uint16_t afi;               /* As received: may be a family we lack. */
    uint8_t subtype;
    uint8_t safi;
};

int bgp_encode_route_refresh(struct bgp_writer *,
                             const struct bgp_route_refresh *);
int bgp_decode_route_refresh(const uint8_t *body, size_t len,
                             struct bgp_route_refresh *,
                             struct bgp_notification *err);

#endif /* bgp/wire.h */
