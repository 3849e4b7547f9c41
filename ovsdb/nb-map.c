/*
 * The mapping from OVN Northbound rows to prefixes: see nb-map.h.
 */
#include <config.h>

#include "ovsdb/nb-map.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "openvswitch/util.h"
#include "smap.h"
#include "util.h"

static const struct in6_addr v4_mapped_prefix = {
    .s6_addr = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff },
};

bool
nb_prefix_is_ipv4(const struct nb_prefix *p)
{
    return !memcmp(&p->addr, &v4_mapped_prefix, 12);
}

int
nb_prefix_compare(const struct nb_prefix *a, const struct nb_prefix *b)
{
    bool a4 = nb_prefix_is_ipv4(a);
    bool b4 = nb_prefix_is_ipv4(b);
    if (a4 != b4) {
        return a4 ? -1 : 1;
    }
    int c = memcmp(&a->addr, &b->addr, sizeof a->addr);
    if (c) {
        return c;
    }
    return a->plen < b->plen ? -1 : a->plen > b->plen;
}

bool
nb_prefix_equals(const struct nb_prefix *a, const struct nb_prefix *b)
{
    return a->plen == b->plen && !memcmp(&a->addr, &b->addr, sizeof a->addr);
}

uint32_t
nb_prefix_hash(const struct nb_prefix *p)
{
    /* Four aligned words: hash_words() inlines, hash_bytes() does not. */
    BUILD_ASSERT_DECL(sizeof p->addr == 4 * sizeof(uint32_t));
    return hash_words(ALIGNED_CAST(const uint32_t *, &p->addr), 4, p->plen);
}

const char *
nb_prefix_format(const struct nb_prefix *p, char buf[NB_PREFIX_STRLEN])
{
    char addr[INET6_ADDRSTRLEN];
    if (nb_prefix_is_ipv4(p)) {
        inet_ntop(AF_INET, &p->addr.s6_addr[12], addr, sizeof addr);
    } else {
        inet_ntop(AF_INET6, &p->addr, addr, sizeof addr);
    }
    snprintf(buf, NB_PREFIX_STRLEN, "%s/%u", addr, p->plen);
    return buf;
}

/* Parses the 'len' bytes at 's' as a dotted-quad IPv4 address into '*a'
 * (host order), accepting only what inet_pton(AF_INET) accepts: four
 * decimal parts of at most 255, without leading zeros.  A port's address
 * is parsed each time the port is mapped (100k at a first sync), and this
 * saves the copy and the call; anything else goes to inet_pton(). */
static bool
parse_ipv4(const char *s, size_t len, uint32_t *a)
{
    const char *end = s + len;
    uint32_t v = 0;

    for (int part = 0; part < 4; part++) {
        if (part && (s >= end || *s++ != '.')) {
            return false;
        }
        if (s >= end || !isdigit((unsigned char) *s)) {
            return false;
        }
        unsigned int x = *s++ - '0';
        if (x) {
            for (int i = 0; i < 2 && s < end && isdigit((unsigned char) *s);
                 i++) {
                x = x * 10 + (*s++ - '0');
            }
        }
        if (x > 255) {
            return false;
        }
        v = (v << 8) | x;
    }
    *a = v;
    return s == end;
}

/* Parses the address 's' (no length) into 'p->addr', and sets 'p->plen' to
 * the family's full length. */
static const char *
parse_addr(const char *s, size_t len, struct nb_prefix *p)
{
    char buf[INET6_ADDRSTRLEN + 1];
    uint32_t v4;

    if (parse_ipv4(s, len, &v4)) {
        p->addr = v4_mapped_prefix;
        uint32_t be = htonl(v4);
        memcpy(&p->addr.s6_addr[12], &be, sizeof be);
        p->plen = 32;
        return NULL;
    }
    if (!len) {
        return "empty address";
    }
    if (len >= sizeof buf) {
        return "address too long";
    }
    memcpy(buf, s, len);
    buf[len] = '\0';

    struct in_addr a4;
    if (inet_pton(AF_INET, buf, &a4) == 1) {
        p->addr = v4_mapped_prefix;
        memcpy(&p->addr.s6_addr[12], &a4, 4);
        p->plen = 32;
        return NULL;
    }
    if (inet_pton(AF_INET6, buf, &p->addr) == 1) {
        if (nb_prefix_is_ipv4(p)) {
            return "IPv4-mapped IPv6 address (write the IPv4 address)";
        }
        p->plen = 128;
        return NULL;
    }
    return "not an IPv4 or IPv6 address";
}

/* Parses the 'len' bytes at 's' as a decimal prefix length of at most
 * 'max'. */
static const char *
parse_plen(const char *s, size_t len, unsigned int max, unsigned int *plen)
{
    unsigned int v = 0;

    if (!len) {
        return "empty prefix length";
    }
    for (const char *end = s + len; s < end; s++) {
        if (!isdigit((unsigned char) *s)) {
            return "prefix length is not a number";
        }
        v = v * 10 + (*s - '0');
        if (v > max) {
            return "prefix length out of range";
        }
    }
    *plen = v;
    return NULL;
}

/* Bit length of the address family of 'p'. */
static unsigned int
family_bits(const struct nb_prefix *p)
{
    return nb_prefix_is_ipv4(p) ? 32 : 128;
}

static bool
host_bits_set(const struct nb_prefix *p)
{
    unsigned int offset = nb_prefix_is_ipv4(p) ? 96 : 0;
    for (unsigned int bit = offset + p->plen; bit < 128; bit++) {
        if (p->addr.s6_addr[bit / 8] & (0x80 >> (bit % 8))) {
            return true;
        }
    }
    return false;
}

/* A range of special-purpose addresses that no row may announce.  'bytes'
 * is its first address: 4 bytes for IPv4, 16 for IPv6. */
struct special_range {
    uint8_t bytes[16];
    unsigned int plen;
    const char *inside;         /* Why a prefix inside the range is refused. */
    const char *covers;         /* Why a prefix that covers it is refused. */
};

#define SPECIAL(KIND, RANGE, RFC)                                       \
    KIND " address (" RANGE ", " RFC ": never announced)",              \
    "covers " RANGE " (" KIND ", " RFC ": never announced)"

/* The special-purpose ranges that no cluster uses: those that RFC 6890's
 * registries mark as not forwardable or not global (the private, shared
 * and documentation ranges are not here: clusters use them), multicast,
 * and IPv6's deprecated IPv4-compatible addresses.  Where one range holds
 * another, the smaller comes first, for its more precise reason.
 * special_prefix()'s quick test knows the first bytes of these: keep them
 * in step. */
static const struct special_range special_v4[] = {
    { { 0 }, 8, SPECIAL("\"this network\"", "0.0.0.0/8", "RFC 6890") },
    { { 127 }, 8, SPECIAL("loopback", "127.0.0.0/8", "RFC 6890") },
    { { 169, 254 }, 16,
      SPECIAL("link-local", "169.254.0.0/16", "RFC 6890") },
    { { 224 }, 4, SPECIAL("multicast", "224.0.0.0/4", "RFC 5771") },
    { { 255, 255, 255, 255 }, 32,
      SPECIAL("limited broadcast", "255.255.255.255/32", "RFC 6890") },
    { { 240 }, 4, SPECIAL("reserved", "240.0.0.0/4", "RFC 6890") },
};

static const struct special_range special_v6[] = {
    { { 0 }, 128, SPECIAL("unspecified", "::/128", "RFC 6890") },
    { { [15] = 1 }, 128, SPECIAL("loopback", "::1/128", "RFC 6890") },
    { { 0 }, 96, SPECIAL("IPv4-compatible", "::/96", "RFC 4291") },
    { { [10] = 0xff, [11] = 0xff }, 96,
      SPECIAL("IPv4-mapped", "::ffff:0:0/96", "RFC 6890") },
    { { 0xfe, 0x80 }, 10, SPECIAL("link-local", "fe80::/10", "RFC 6890") },
    { { 0xff }, 8, SPECIAL("multicast", "ff00::/8", "RFC 4291") },
};

/* Whether the first 'n' bits of 'a' and 'b' are the same. */
static bool
same_first_bits(const uint8_t *a, const uint8_t *b, unsigned int n)
{
    unsigned int bytes = n / 8;
    unsigned int bits = n % 8;

    return (!memcmp(a, b, bytes)
            && (!bits || !((a[bytes] ^ b[bytes]) & (0xff00 >> bits))));
}

/* special_prefix() past its quick test.  Out of line, so that the quick
 * test costs a pod address no more than a few compares. */
static const char * __attribute__((noinline))
find_special(const struct nb_prefix *p, bool ipv4)
{
    if (!p->plen) {
        return "default route (never announced)";
    }

    /* Inside a range says more than covering one: 240.0.0.0/4 is reserved
     * space before it covers 255.255.255.255. */
    const uint8_t *a = &p->addr.s6_addr[ipv4 ? 12 : 0];
    const struct special_range *ranges = ipv4 ? special_v4 : special_v6;
    size_t n = ipv4 ? ARRAY_SIZE(special_v4) : ARRAY_SIZE(special_v6);
    const char *covers = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct special_range *r = &ranges[i];
        if (same_first_bits(a, r->bytes, MIN(p->plen, r->plen))) {
            if (p->plen >= r->plen) {
                return r->inside;
            } else if (!covers) {
                covers = r->covers;
            }
        }
    }
    return covers;
}

/* Says why 'p' must never be announced, or returns NULL if it may be.
 * That is a default route, or a prefix whose addresses overlap one of the
 * special ranges above (it lies inside one, or covers one): such a route
 * would draw traffic for special-purpose space to the cluster.  Every
 * prefix that a row gives passes here. */
static inline const char *
special_prefix(const struct nb_prefix *p)
{
    bool ipv4 = nb_prefix_is_ipv4(p);
    uint8_t first = p->addr.s6_addr[ipv4 ? 12 : 0];

    /* The quick test, for the common pod address: a prefix of 8 bits or
     * more overlaps a range only if its first byte is one that the range's
     * addresses start with: 0, 127, 169, 224 and up (IPv4); 0, 0xfe and
     * 0xff (IPv6). */
    if (p->plen >= 8
        && (ipv4
            ? first && first != 127 && first != 169 && first < 224
            : first && first < 0xfe)) {
        return NULL;
    }
    return find_special(p, ipv4);
}

/* The checks of a prefix parsed whole: host bits, then special ranges. */
static const char *
check_cidr(const struct nb_prefix *p)
{
    return host_bits_set(p) ? "host bits set" : special_prefix(p);
}

const char *
nb_prefix_parse(const char *s, struct nb_prefix *p)
{
    const char *slash = strchr(s, '/');
    if (!slash) {
        return "missing prefix length";
    }
    const char *error = parse_addr(s, slash - s, p);
    if (!error) {
        error = parse_plen(slash + 1, strlen(slash + 1), family_bits(p),
                           &p->plen);
    }
    return error;
}

const char *
nb_parse_cidr(const char *s, struct nb_prefix *p)
{
    const char *error = nb_prefix_parse(s, p);
    return error ? error : check_cidr(p);
}

/* parse_addr(), for a host address that a row gives: a special one is an
 * error too. */
static const char *
parse_host_addr(const char *s, size_t len, struct nb_prefix *p)
{
    const char *error = parse_addr(s, len, p);
    return error ? error : special_prefix(p);
}

/* nb_parse_host() of the 'len' bytes at 's'. */
static const char *
parse_host(const char *s, size_t len, struct nb_prefix *p)
{
    const char *slash = memchr(s, '/', len);
    const char *error = parse_host_addr(s, slash ? slash - s : len, p);
    if (!error && slash) {
        unsigned int plen;
        error = parse_plen(slash + 1, s + len - (slash + 1), family_bits(p),
                           &plen);
    }
    return error;
}

const char *
nb_parse_host(const char *s, struct nb_prefix *p)
{
    return parse_host(s, strlen(s), p);
}

enum nb_policy
nb_policy_parse(const char *value)
{
    if (!value || !*value || !strcmp(value, "false")) {
        return NB_POLICY_NONE;
    } else if (!strcmp(value, "true") || !strcmp(value, "cluster")) {
        return NB_POLICY_CLUSTER;
    } else if (!strcmp(value, "local")) {
        return NB_POLICY_LOCAL;
    }
    return NB_POLICY_INVALID;
}

const char *
nb_policy_name(enum nb_policy policy)
{
    switch (policy) {
    case NB_POLICY_NONE:
        return "none";
    case NB_POLICY_CLUSTER:
        return "cluster";
    case NB_POLICY_LOCAL:
        return "local";
    case NB_POLICY_INVALID:
        return "invalid";
    }
    return "?";
}

void
nb_routes_init(struct nb_routes *r)
{
    memset(r, 0, sizeof *r);
}

void
nb_routes_clear(struct nb_routes *r)
{
    r->policy = NB_POLICY_NONE;
    r->nat_outgoing = false;
    r->n_prefixes = 0;
    free(r->error);
    r->error = NULL;
    free(r->warning);
    r->warning = NULL;
}

void
nb_routes_destroy(struct nb_routes *r)
{
    nb_routes_clear(r);
    free(r->prefixes);
    r->prefixes = NULL;
    r->allocated = 0;
}

static void
add_prefix(struct nb_routes *r, const struct nb_prefix *p)
{
    if (r->n_prefixes >= r->allocated) {
        r->prefixes = x2nrealloc(r->prefixes, &r->allocated,
                                 sizeof *r->prefixes);
    }
    r->prefixes[r->n_prefixes++] = *p;
}

static int
compare_prefixes(const void *a, const void *b)
{
    return nb_prefix_compare(a, b);
}

/* Sorts the prefixes and drops duplicates. */
static void
finish_routes(struct nb_routes *r)
{
    if (r->n_prefixes < 2) {
        return;
    }
    qsort(r->prefixes, r->n_prefixes, sizeof *r->prefixes, compare_prefixes);
    size_t n = 1;
    for (size_t i = 1; i < r->n_prefixes; i++) {
        if (!nb_prefix_equals(&r->prefixes[i], &r->prefixes[n - 1])) {
            r->prefixes[n++] = r->prefixes[i];
        }
    }
    r->n_prefixes = n;
}

/* How errors name a row: "logical switch port NAME".  Formatted only when
 * a row fails, not for every row mapped. */
struct row_label {
    const char *kind;
    const char *name;
};

/* Skips the row: no prefixes, and an error that names the row and the
 * offending value. */
static void OVS_PRINTF_FORMAT(3, 4)
fail_row(struct nb_routes *r, const struct row_label *what,
         const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *detail = xvasprintf(format, args);
    va_end(args);

    r->n_prefixes = 0;
    free(r->error);
    r->error = xasprintf("%s %s: %s", what->kind, what->name, detail);
    free(detail);
}

/* Calls 'parse' on each item of the comma (or space) separated 's', adding
 * what it gives to 'r'.  On a bad item, fails the row and returns false. */
static bool
add_list(struct nb_routes *r, const struct row_label *what,
         const char *column, const char *s,
         const char *(*parse)(const char *, struct nb_prefix *))
{
    char *copy = xstrdup(s);
    char *save = NULL;
    bool ok = true;

    for (char *item = strtok_r(copy, " \t,", &save); item;
         item = strtok_r(NULL, " \t,", &save)) {
        struct nb_prefix p;
        const char *error = parse(item, &p);
        if (error) {
            fail_row(r, what, "bad value \"%s\" in %s: %s",
                     item, column, error);
            ok = false;
            break;
        }
        add_prefix(r, &p);
    }
    free(copy);
    return ok;
}

/* Reads the row's policy annotation; on a bad word, fails the row. */
static enum nb_policy
read_policy(struct nb_routes *r, const struct row_label *what,
            const char *value)
{
    enum nb_policy policy = nb_policy_parse(value);
    if (policy == NB_POLICY_INVALID) {
        fail_row(r, what, "unknown value \"%s\" of external_ids:"
                 NB_KEY_BGP " (expected true, cluster, local or false)",
                 value);
    }
    return policy;
}

/* OVN's other_config:ipv6_prefix: "PREFIX" or "PREFIX/64". */
static const char *
parse_ipv6_prefix(const char *s, struct nb_prefix *p)
{
    const char *error;

    if (strchr(s, '/')) {
        error = nb_parse_cidr(s, p);
    } else {
        error = parse_addr(s, strlen(s), p);
        if (!error) {
            p->plen = 64;
            error = check_cidr(p);
        }
    }
    if (!error && (nb_prefix_is_ipv4(p) || p->plen != 64)) {
        error = "must be an IPv6 /64";
    }
    return error;
}

static const char *
parse_ipv4_cidr(const char *s, struct nb_prefix *p)
{
    const char *error = nb_parse_cidr(s, p);
    if (!error && !nb_prefix_is_ipv4(p)) {
        error = "must be an IPv4 CIDR";
    }
    return error;
}

void
nb_map_switch(const struct nb_switch_in *ls, struct nb_routes *r)
{
    const struct row_label label = { "logical switch", ls->name };
    const struct row_label *what = &label;

    nb_routes_clear(r);
    r->policy = read_policy(r, what, ls->bgp);
    if (r->policy != NB_POLICY_CLUSTER) {
        /* "local" announces the pods, not the CIDR. */
        return;
    }

    const char *cidrs = ls->cidr;
    if (cidrs) {
        if (!add_list(r, what, "external_ids:" NB_KEY_CIDR, cidrs,
                      nb_parse_cidr)) {
            return;
        }
    } else {
        const char *subnet = ls->subnet;
        const char *ipv6 = ls->ipv6_prefix;
        if (subnet && !add_list(r, what, "other_config:subnet", subnet,
                                parse_ipv4_cidr)) {
            return;
        }
        if (ipv6 && !add_list(r, what, "other_config:ipv6_prefix", ipv6,
                              parse_ipv6_prefix)) {
            return;
        }
    }
    if (!r->n_prefixes) {
        fail_row(r, what, "announced, but has no CIDR (set external_ids:"
                 NB_KEY_CIDR " or other_config:subnet)");
        return;
    }
    const char *nat = ls->nat_outgoing;
    r->nat_outgoing = nat && !strcmp(nat, "true");
    finish_routes(r);
}

/* Whether 'node' is one of the comma-separated names in 'list'. */
static bool
in_name_list(const char *list, const char *node)
{
    size_t len = strlen(node);

    if (!list || !len) {
        return false;
    }
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == len && !memcmp(p, node, len)) {
            return true;
        }
        p += n;
        if (*p == ',') {
            p++;
        }
    }
    return false;
}

/* Whether the 'len' bytes at 's' are an Ethernet address, "xx:xx:...". */
static bool
is_mac(const char *s, size_t len)
{
    if (len != 17) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        if (!isxdigit((unsigned char) s[0])
            || !isxdigit((unsigned char) s[1])) {
            return false;
        }
        s += 2;
        if (i < 5 && *s++ != ':') {
            return false;
        }
    }
    return true;
}

/* The whitespace-separated words of an addresses entry, one at a time:
 * the next from '*pos' (which it advances), its length in '*len', 0 at
 * the end.  Any white space separates, as in OVN's own parser. */
static const char *
next_word(const char **pos, size_t *len)
{
    const char *s = *pos;
    while (isspace((unsigned char) *s)) {
        s++;
    }
    const char *e = s;
    while (*e && !isspace((unsigned char) *e)) {
        e++;
    }
    *pos = e;
    *len = e - s;
    return s;
}

static bool
word_is(const char *s, size_t len, const char *word)
{
    return len == strlen(word) && !memcmp(s, word, len);
}

/* Adds the IPs of one "MAC IP [IP...]" entry.  Returns false if the row
 * failed. */
static bool
add_port_entry(struct nb_routes *r, const struct row_label *what,
               const char *column, const char *entry)
{
    const char *pos = entry;
    size_t len;
    const char *mac = next_word(&pos, &len);

    if (!len) {
        return true;
    }
    if (!is_mac(mac, len)) {
        fail_row(r, what, "bad value \"%s\" in %s: expected an Ethernet "
                 "address first", entry, column);
        return false;
    }
    for (const char *ip = next_word(&pos, &len); len;
         ip = next_word(&pos, &len)) {
        struct nb_prefix p;
        const char *error = parse_host(ip, len, &p);
        if (error) {
            fail_row(r, what, "bad value \"%.*s\" in %s: %s",
                     (int) len, ip, column, error);
            return false;
        }
        add_prefix(r, &p);
    }
    return true;
}

/* The common entry, "MAC IP [IP...]" with every IP good, in one pass: adds
 * its IPs and returns true.  Anything else (a keyword, a bad word) leaves
 * 'r' as it was and returns false, for the careful way. */
static bool
add_plain_entry(struct nb_routes *r, const char *entry)
{
    const char *pos = entry;
    size_t len;
    const char *mac = next_word(&pos, &len);

    if (!is_mac(mac, len)) {
        return false;
    }
    size_t n = r->n_prefixes;
    for (const char *ip = next_word(&pos, &len); len;
         ip = next_word(&pos, &len)) {
        struct nb_prefix p;
        if (parse_host(ip, len, &p)) {
            r->n_prefixes = n;
            return false;
        }
        add_prefix(r, &p);
    }
    return true;
}

/* What an addresses entry is, by its words. */
enum entry_kind {
    ENTRY_SKIP,                 /* Has "router" or "unknown". */
    ENTRY_DYNAMIC,              /* Has "dynamic". */
    ENTRY_STATIC,               /* "MAC IP [IP...]". */
};

static enum entry_kind
classify_entry(const char *entry)
{
    enum entry_kind kind = ENTRY_STATIC;
    const char *pos = entry;
    size_t len;

    for (const char *w = next_word(&pos, &len); len;
         w = next_word(&pos, &len)) {
        if (word_is(w, len, "router") || word_is(w, len, "unknown")) {
            return ENTRY_SKIP;
        } else if (word_is(w, len, "dynamic")) {
            kind = ENTRY_DYNAMIC;
        }
    }
    return kind;
}

void
nb_map_port(const struct nb_port_in *lsp, enum nb_policy switch_policy,
            const struct nb_map_config *cfg, struct nb_routes *r)
{
    const struct row_label label = { "logical switch port", lsp->name };
    const struct row_label *what = &label;

    nb_routes_clear(r);
    const char *own = lsp->bgp;
    if (own && *own) {
        r->policy = read_policy(r, what, own);
    } else {
        /* A port with no annotation of its own inherits "local". */
        r->policy = (switch_policy == NB_POLICY_LOCAL
                     ? NB_POLICY_LOCAL : NB_POLICY_NONE);
    }
    if (r->policy != NB_POLICY_CLUSTER && r->policy != NB_POLICY_LOCAL) {
        return;
    }
    if (lsp->enabled && !*lsp->enabled) {
        return;
    }
    if (r->policy == NB_POLICY_LOCAL
        && !in_name_list(lsp->requested_chassis, cfg->node_name)) {
        return;
    }

    bool dynamic = false;
    for (size_t i = 0; i < lsp->n_addresses; i++) {
        const char *entry = lsp->addresses[i];
        if (add_plain_entry(r, entry)) {
            continue;
        }
        enum entry_kind kind = classify_entry(entry);
        if (kind == ENTRY_SKIP) {
            continue;
        }
        bool ok;
        if (kind == ENTRY_DYNAMIC) {
            if (dynamic || !lsp->dynamic_addresses) {
                dynamic = true;
                continue;
            }
            dynamic = true;
            ok = add_port_entry(r, what, "dynamic_addresses",
                                lsp->dynamic_addresses);
        } else {
            ok = add_port_entry(r, what, "addresses", entry);
        }
        if (!ok) {
            return;
        }
    }
    if (!r->n_prefixes) {
        fail_row(r, what, "announced, but has no IP address (%s)",
                 dynamic ? "dynamic_addresses has none yet"
                 : "none in addresses");
        return;
    }
    finish_routes(r);
}

/* Parses a load balancer VIP key: "IP", "IP:PORT", "IPv6", "[IPv6]" or
 * "[IPv6]:PORT". */
static const char *
parse_vip(const char *s, struct nb_prefix *p)
{
    const char *addr = s;
    const char *port = NULL;
    size_t len;
    const char *error;

    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close) {
            return "missing ']'";
        }
        addr = s + 1;
        len = close - addr;
        if (close[1] == ':') {
            port = close + 2;
        } else if (close[1]) {
            return "junk after ']'";
        }
    } else {
        const char *colon = strchr(s, ':');
        if (colon && !strchr(colon + 1, ':')) {
            len = colon - s;
            port = colon + 1;
        } else {
            len = strlen(s);
        }
    }

    error = parse_addr(addr, len, p);
    if (error) {
        return error;
    }
    if (*s == '[' && nb_prefix_is_ipv4(p)) {
        return "brackets around an IPv4 address";
    }
    if (port) {
        unsigned int value;
        if (parse_plen(port, strlen(port), 65535, &value) || !value) {
            return "bad port";
        }
    }
    return NULL;
}

void
nb_map_lb(const struct nb_lb_in *lb, const struct nb_map_config *cfg,
          struct nb_routes *r)
{
    const struct row_label label = { "load balancer", lb->name };
    const struct row_label *what = &label;

    nb_routes_clear(r);
    if (!cfg->announce_cluster_ip) {
        return;
    }
    r->policy = read_policy(r, what, lb->bgp);
    if (r->policy == NB_POLICY_LOCAL) {
        fail_row(r, what, "\"local\" in external_ids:" NB_KEY_BGP
                 " is for pods and subnets; a service takes true");
        return;
    }
    if (r->policy != NB_POLICY_CLUSTER) {
        return;
    }

    /* A load balancer may hold every service of a cluster (Kube-OVN's
     * cluster-tcp-lb): a VIP in special-purpose space is left out alone,
     * not with all the others.  A VIP that does not parse still fails the
     * row, as any bad value does. */
    size_t n_special = 0;
    struct smap_node *node;
    SMAP_FOR_EACH (node, lb->vips) {
        struct nb_prefix p;
        const char *error = parse_vip(node->key, &p);
        if (error) {
            fail_row(r, what, "bad value \"%s\" in vips: %s",
                     node->key, error);
            return;
        }
        const char *special = special_prefix(&p);
        if (special) {
            if (!n_special++) {
                r->warning = xasprintf("%s %s: VIP \"%s\" not announced: "
                                       "%s", what->kind, what->name,
                                       node->key, special);
            }
            continue;
        }
        add_prefix(r, &p);
    }
    if (n_special > 1) {
        char *w = xasprintf("%s (and %"PRIuSIZE" more VIPs like it)",
                            r->warning, n_special - 1);
        free(r->warning);
        r->warning = w;
    }
    finish_routes(r);
}
