/*
 * Unit tests for ovsdb/nb-map.c: the mapping from NB rows to prefixes.
 *
 * Every rule of the mapping (subnets, pods, services, natOutgoing, bad
 * values) has a test here, and most tests walk a table of cases.  A row is
 * described by the few columns a test cares about; the helpers build the
 * smaps, run the mapping and free everything again.
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "openvswitch/util.h"
#include "ovsdb/nb-map.h"
#include "random.h"
#include "smap.h"
#include "util.h"

#define NODE "node-1"

/* ---------------------------------------------------------------------- */
/* Helpers. */

/* The row the last map_*() call mapped, for failure messages. */
static char last_row[1024];

static void OVS_PRINTF_FORMAT(1, 2)
describe_row(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vsnprintf(last_row, sizeof last_row, format, args);
    va_end(args);
}

static const char *
str(const char *s)
{
    return s ? s : "(absent)";
}

/* Joins the first 'n' strings of 'items' (or fewer, up to a null one) with
 * '|' into 'buf'. */
static const char *
join(const char *const *items, size_t n, char *buf, size_t size)
{
    size_t len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n && items[i] && len < size; i++) {
        len += snprintf(buf + len, size - len, "%s%s", i ? "|" : "",
                        items[i]);
    }
    return buf;
}

/* Formats the prefixes of 'r' as "P1 P2 ..." into a static buffer (so that a
 * failed assertion leaks nothing). */
static const char *
prefixes_string(const struct nb_routes *r)
{
    static char buf[4096];
    size_t len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < r->n_prefixes; i++) {
        char p[NB_PREFIX_STRLEN];
        len += snprintf(buf + len, sizeof buf - len, "%s%s", i ? " " : "",
                        nb_prefix_format(&r->prefixes[i], p));
        assert_true(len < sizeof buf);
    }
    return buf;
}

/* Asserts that 'r' gives exactly 'want' ("P1 P2 ...", "" for nothing) and
 * has no error. */
static void
check_routes(const struct nb_routes *r, const char *want)
{
    const char *got = prefixes_string(r);

    if (r->error) {
        fail_msg("%s: unexpected error: %s", last_row, r->error);
    }
    if (strcmp(got, want)) {
        fail_msg("%s: gives \"%s\", want \"%s\"", last_row, got, want);
    }
}

/* Asserts that 'r' gives nothing, with no error. */
static void
check_nothing(const struct nb_routes *r)
{
    check_routes(r, "");
}

/* Asserts that 'r' gives no prefixes and that its error names 'row' (e.g.
 * "logical switch ls1") and contains 'value'. */
static void
check_error(const struct nb_routes *r, const char *row, const char *value)
{
    if (!r->error) {
        fail_msg("%s: expected an error naming \"%s\" and \"%s\", got none "
                 "(gives \"%s\")", last_row, row, value, prefixes_string(r));
    }
    if (r->n_prefixes) {
        fail_msg("%s: error \"%s\", but gives \"%s\"",
                 last_row, r->error, prefixes_string(r));
    }
    if (!strstr(r->error, row)) {
        fail_msg("%s: error \"%s\" does not name the row \"%s\"",
                 last_row, r->error, row);
    }
    if (!strstr(r->error, value)) {
        fail_msg("%s: error \"%s\" does not name the value \"%s\"",
                 last_row, r->error, value);
    }
}

/* check_error(), for a value refused as special-purpose space. */
static void
check_refused(const struct nb_routes *r, const char *row, const char *value)
{
    check_error(r, row, value);
    if (!strstr(r->error, "never announced")) {
        fail_msg("%s: error \"%s\" is not a refusal of special-purpose "
                 "space", last_row, r->error);
    }
}

/* The Logical_Switch columns the mapping reads; NULL means absent. */
struct ls_cols {
    const char *bgp;
    const char *cidr;
    const char *nat;
    const char *subnet;             /* other_config:subnet */
    const char *ipv6_prefix;        /* other_config:ipv6_prefix */
};

static void
map_switch(const char *name, const struct ls_cols *c, struct nb_routes *out)
{
    struct nb_switch_in ls = {
        .name = name,
        .bgp = c->bgp,
        .cidr = c->cidr,
        .nat_outgoing = c->nat,
        .subnet = c->subnet,
        .ipv6_prefix = c->ipv6_prefix,
    };
    describe_row("switch %s: bgp=%s cidr=%s nat=%s subnet=%s ipv6_prefix=%s",
                 name, str(c->bgp), str(c->cidr), str(c->nat),
                 str(c->subnet), str(c->ipv6_prefix));
    nb_map_switch(&ls, out);
}

/* The Logical_Switch_Port columns the mapping reads; NULL means absent. */
struct lsp_cols {
    const char *bgp;
    const char *addresses[4];       /* NULL-terminated. */
    const char *dynamic;            /* dynamic_addresses */
    const bool *enabled;
    const char *chassis;            /* options:requested-chassis */
};

static const bool enabled_false = false;
static const bool enabled_true = true;

static void
map_port_on(const char *name, const struct lsp_cols *c,
            enum nb_policy switch_policy, const char *node_name,
            struct nb_routes *out)
{
    size_t n = 0;

    while (n < ARRAY_SIZE(c->addresses) && c->addresses[n]) {
        n++;
    }

    struct nb_port_in lsp = {
        .name = name,
        .addresses = c->addresses,
        .n_addresses = n,
        .dynamic_addresses = c->dynamic,
        .enabled = c->enabled,
        .bgp = c->bgp,
        .requested_chassis = c->chassis,
    };
    struct nb_map_config cfg = { .node_name = node_name };
    char addresses[512];
    describe_row("port %s: bgp=%s addresses=[%s] dynamic=%s enabled=%s "
                 "requested-chassis=%s switch=%s node=%s",
                 name, str(c->bgp),
                 join(c->addresses, n, addresses, sizeof addresses),
                 str(c->dynamic),
                 !c->enabled ? "(absent)" : *c->enabled ? "true" : "false",
                 str(c->chassis), nb_policy_name(switch_policy), node_name);
    nb_map_port(&lsp, switch_policy, &cfg, out);
}

/* A port on an unannotated switch, on the speaker of node NODE. */
static void
map_port(const char *name, const struct lsp_cols *c, struct nb_routes *out)
{
    map_port_on(name, c, NB_POLICY_NONE, NODE, out);
}

/* The Load_Balancer columns the mapping reads. */
struct lb_cols {
    const char *bgp;
    const char *vips[6];            /* Keys of vips, NULL-terminated. */
};

static void
map_lb(const char *name, const struct lb_cols *c, bool announce_cluster_ip,
       struct nb_routes *out)
{
    struct smap vips = SMAP_INITIALIZER(&vips);

    for (size_t i = 0; i < ARRAY_SIZE(c->vips) && c->vips[i]; i++) {
        smap_add(&vips, c->vips[i], "10.244.0.5:8080");
    }

    struct nb_lb_in lb = {
        .name = name,
        .bgp = c->bgp,
        .vips = &vips,
    };
    struct nb_map_config cfg = {
        .node_name = NODE,
        .announce_cluster_ip = announce_cluster_ip,
    };
    char keys[512];
    describe_row("load balancer %s: bgp=%s vips=[%s] announce_cluster_ip=%s",
                 name, str(c->bgp),
                 join(c->vips, ARRAY_SIZE(c->vips), keys, sizeof keys),
                 announce_cluster_ip ? "true" : "false");
    nb_map_lb(&lb, &cfg, out);
    smap_destroy(&vips);
}

/* Parses 's' with 'parse', which must succeed, and returns the formatted
 * prefix in a static buffer. */
static const char *
parse_ok(const char *(*parse)(const char *, struct nb_prefix *),
         const char *s)
{
    static char buf[NB_PREFIX_STRLEN];
    struct nb_prefix p;
    const char *error = parse(s, &p);

    if (error) {
        fail_msg("\"%s\": unexpected error \"%s\"", s, error);
    }
    return nb_prefix_format(&p, buf);
}

/* Parses 's' with 'parse', which must fail with an error containing
 * 'want'. */
static void
parse_fails(const char *(*parse)(const char *, struct nb_prefix *),
            const char *s, const char *want)
{
    struct nb_prefix p;
    const char *error = parse(s, &p);

    if (!error) {
        fail_msg("\"%s\": parsed, but should fail with \"%s\"", s, want);
    }
    if (!strstr(error, want)) {
        fail_msg("\"%s\": error \"%s\", expected \"%s\"", s, error, want);
    }
}

/* "ADDR/LEN" as a prefix, for the tests of the prefix helpers, which must
 * work on any prefix: also on those that no row may give (0.0.0.0/0,
 * ::1/128). */
static struct nb_prefix
prefix(const char *s)
{
    struct nb_prefix p;
    const char *error = nb_prefix_parse(s, &p);
    if (error) {
        fail_msg("bad test prefix \"%s\": %s", s, error);
    }
    return p;
}

/* Whether the IPv4 address 'a' lies in one of the ranges that are never
 * announced (the README's list, written out again). */
static bool
ipv4_is_special(struct in_addr a)
{
    uint32_t h = ntohl(a.s_addr);
    uint8_t first = h >> 24;

    return !first || first == 127 || h >> 16 == 0xa9fe || first >= 224;
}

/* ---------------------------------------------------------------------- */
/* Prefix parsing and helpers. */

struct parse_case {
    const char *in;
    const char *want;               /* Formatted prefix, or error text. */
};

static void
test_parse_cidr_accepts_valid(void **state OVS_UNUSED)
{
    static const struct parse_case cases[] = {
        { "10.16.0.0/16", "10.16.0.0/16" },
        { "10.16.0.1/32", "10.16.0.1/32" },
        { "fd00:10:16::/64", "fd00:10:16::/64" },
        { "FD00:0:0:0::/64", "fd00::/64" },
        { "2001:db8::1/128", "2001:db8::1/128" },
        /* The private, shared and documentation ranges clusters use. */
        { "10.0.0.0/8", "10.0.0.0/8" },
        { "172.16.0.0/12", "172.16.0.0/12" },
        { "192.168.0.0/16", "192.168.0.0/16" },
        { "100.64.0.0/10", "100.64.0.0/10" },
        { "192.0.2.0/24", "192.0.2.0/24" },
        { "fc00::/7", "fc00::/7" },
        { "2001:db8::/32", "2001:db8::/32" },
        /* Short prefixes that overlap no special range. */
        { "32.0.0.0/3", "32.0.0.0/3" },
        { "2000::/3", "2000::/3" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        assert_string_equal(parse_ok(nb_parse_cidr, cases[i].in),
                            cases[i].want);
    }
}

static void
test_parse_cidr_rejects_host_bits(void **state OVS_UNUSED)
{
    static const char *const cases[] = {
        "10.16.0.1/16", "10.16.0.0/8", "0.0.0.1/0",
        "fd00::1/64", "fd00:0:0:1::/48", "::1/0",
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        parse_fails(nb_parse_cidr, cases[i], "host bits set");
    }
}

static void
test_parse_cidr_rejects_bad_prefix_length(void **state OVS_UNUSED)
{
    static const struct parse_case cases[] = {
        { "10.16.0.0", "missing prefix length" },
        { "fd00::", "missing prefix length" },
        { "10.16.0.0/", "empty prefix length" },
        { "10.16.0.0/33", "out of range" },
        { "10.16.0.0/4294967312", "out of range" },
        { "fd00::/129", "out of range" },
        { "10.16.0.0/x", "not a number" },
        { "10.16.0.0/-1", "not a number" },
        { "10.16.0.0/ 16", "not a number" },
        { "10.16.0.0/16/8", "not a number" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        parse_fails(nb_parse_cidr, cases[i].in, cases[i].want);
    }
}

static void
test_parse_cidr_rejects_bad_address(void **state OVS_UNUSED)
{
    static const struct parse_case cases[] = {
        { "/16", "empty address" },
        { "bogus/16", "not an IPv4 or IPv6 address" },
        { "10.16.0.256/24", "not an IPv4 or IPv6 address" },
        { "10.16.0/24", "not an IPv4 or IPv6 address" },
        { "fd00::g/64", "not an IPv4 or IPv6 address" },
        { "fe80::%eth0/64", "not an IPv4 or IPv6 address" },
        { "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa/64",
          "address too long" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        parse_fails(nb_parse_cidr, cases[i].in, cases[i].want);
    }
}

static void
test_parse_cidr_rejects_ipv4_mapped(void **state OVS_UNUSED)
{
    parse_fails(nb_parse_cidr, "::ffff:10.16.0.0/120", "IPv4-mapped");
    parse_fails(nb_parse_cidr, "::ffff:0a10:0/112", "IPv4-mapped");
}

/* Default routes, and prefixes inside or covering a special range. */
static void
test_parse_cidr_refuses_special(void **state OVS_UNUSED)
{
    static const struct parse_case cases[] = {
        { "0.0.0.0/0", "default route (never announced)" },
        { "::/0", "default route (never announced)" },
        /* Inside. */
        { "0.0.0.0/8", "\"this network\" address (0.0.0.0/8, RFC 6890" },
        { "0.1.0.0/16", "\"this network\" address" },
        { "127.0.0.0/8", "loopback address (127.0.0.0/8, RFC 6890" },
        { "127.1.0.0/16", "loopback address" },
        { "169.254.0.0/16", "link-local address (169.254.0.0/16" },
        { "169.254.1.0/24", "link-local address" },
        { "224.0.0.0/4", "multicast address (224.0.0.0/4" },
        { "239.255.0.0/16", "multicast address" },
        { "240.0.0.0/4", "reserved address (240.0.0.0/4" },
        { "255.255.255.255/32", "limited broadcast address" },
        { "::/128", "unspecified address (::/128" },
        { "::1/128", "loopback address (::1/128" },
        { "::10.16.0.0/112", "IPv4-compatible address (::/96, RFC 4291" },
        { "fe80::/10", "link-local address (fe80::/10" },
        { "fe80::/64", "link-local address" },
        { "febf:ffff::/32", "link-local address" },
        { "ff00::/8", "multicast address (ff00::/8" },
        { "ff02::/16", "multicast address" },
        /* Covering: the route would draw the special range's traffic. */
        { "0.0.0.0/1", "covers 0.0.0.0/8 (\"this network\"" },
        { "64.0.0.0/2", "covers 127.0.0.0/8 (loopback" },
        { "128.0.0.0/1", "covers 169.254.0.0/16 (link-local" },
        { "169.0.0.0/8", "covers 169.254.0.0/16" },
        { "169.254.0.0/15", "covers 169.254.0.0/16" },
        { "224.0.0.0/3", "covers 224.0.0.0/4 (multicast" },
        { "192.0.0.0/2", "covers 224.0.0.0/4" },
        { "::/1", "covers ::/128 (unspecified" },
        { "::/96", "IPv4-compatible address (::/96" },
        { "::/95", "covers ::/128" },
        { "::fffe:0:0/95", "covers ::ffff:0:0/96 (IPv4-mapped" },
        { "fe00::/7", "covers fe80::/10 (link-local" },
        { "8000::/1", "covers fe80::/10" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        parse_fails(nb_parse_cidr, cases[i].in, cases[i].want);
    }
}

static void
test_parse_host_gives_host_route(void **state OVS_UNUSED)
{
    static const struct parse_case cases[] = {
        { "10.16.0.5", "10.16.0.5/32" },
        { "10.16.0.5/16", "10.16.0.5/32" },
        { "10.16.0.5/32", "10.16.0.5/32" },
        { "fd00::5", "fd00::5/128" },
        { "fd00::5/64", "fd00::5/128" },
        { "FD00:0::5/128", "fd00::5/128" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        assert_string_equal(parse_ok(nb_parse_host, cases[i].in),
                            cases[i].want);
    }
}

/* The IPv4 fast path of nb_parse_host() against inet_pton() itself, on
 * random near-addresses (leading zeros, parts over 255, three or five
 * parts, stray characters). */
static void
test_parse_host_agrees_with_inet_pton(void **state OVS_UNUSED)
{
    static const char alphabet[] = "0123456789.....:af x";

    random_set_seed(4242);
    for (int i = 0; i < 200000; i++) {
        char s[24];
        size_t len = random_range(sizeof s - 1);
        if (i % 2) {
            /* Mostly digits and dots. */
            for (size_t j = 0; j < len; j++) {
                s[j] = alphabet[random_range(i % 4 == 1 ? 15 : 20)];
            }
            s[len] = '\0';
        } else {
            snprintf(s, sizeof s, "%s%u.%u.%u.%u%s",
                     random_range(8) ? "" : "0", random_range(300),
                     random_range(300), random_range(300),
                     random_range(300), random_range(8) ? "" : ".1");
        }

        struct nb_prefix p;
        const char *error = nb_parse_host(s, &p);
        struct in_addr a4;
        struct in6_addr a6;
        if (strchr(s, '/')) {
            continue;           /* Lengths: the other tests. */
        } else if (inet_pton(AF_INET, s, &a4) == 1) {
            /* A special address is refused, and only that. */
            if (ipv4_is_special(a4)
                ? !error || !strstr(error, "never announced")
                : (error || p.plen != 32
                   || memcmp(&p.addr.s6_addr[12], &a4, 4))) {
                fail_msg("\"%s\": inet_pton() takes it, we said %s", s,
                         error ? error : "another address");
            }
        } else if (inet_pton(AF_INET6, s, &a6) == 1) {
            assert_true(error || (p.plen == 128 && !memcmp(&p.addr, &a6, 16)));
        } else if (!error) {
            fail_msg("\"%s\": inet_pton() refuses it, we took it", s);
        }
    }
}

/* The list of pod IPs seen announced, and each special range's
 * edges: the addresses just outside are taken. */
static void
test_parse_host_refuses_special(void **state OVS_UNUSED)
{
    static const struct parse_case refused[] = {
        { "127.0.0.5", "loopback address (127.0.0.0/8, RFC 6890: never "
          "announced)" },
        { "224.0.0.5", "multicast address (224.0.0.0/4, RFC 5771: never "
          "announced)" },
        { "169.254.1.1", "link-local address (169.254.0.0/16" },
        { "0.0.0.0", "\"this network\" address (0.0.0.0/8" },
        { "255.255.255.255", "limited broadcast address "
          "(255.255.255.255/32" },
        { "::1", "loopback address (::1/128" },
        { "fe80::1", "link-local address (fe80::/10" },
        { "ff02::1", "multicast address (ff00::/8" },
        { "::", "unspecified address (::/128" },
        { "::10.16.0.5", "IPv4-compatible address (::/96" },
        { "0.255.255.255", "\"this network\"" },
        { "127.255.255.255", "loopback" },
        { "169.254.255.255", "link-local" },
        { "239.255.255.255", "multicast" },
        { "240.0.0.0", "reserved address (240.0.0.0/4" },
        { "255.255.255.254", "reserved" },
        { "febf:ffff::1", "link-local" },
        { "127.0.0.5/8", "loopback" },
        { "fe80::5/64", "link-local" },
        /* The IPv4-mapped form is refused as before. */
        { "::ffff:127.0.0.5", "IPv4-mapped" },
    };
    static const char *const taken[] = {
        "1.0.0.0", "126.255.255.255", "128.0.0.0", "169.253.255.255",
        "169.255.0.0", "223.255.255.255", "100.64.0.1", "10.0.0.1",
        "172.16.0.1", "192.168.0.1", "192.0.2.1", "198.51.100.1",
        "::1:0:0", "::fffe:ffff:ffff", "::1:0:0:1", "fe7f:ffff::1",
        "fec0::1", "fc00::1", "fd00::1", "2001:db8::1", "feff::1",
    };
    for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
        parse_fails(nb_parse_host, refused[i].in, refused[i].want);
    }
    for (size_t i = 0; i < ARRAY_SIZE(taken); i++) {
        parse_ok(nb_parse_host, taken[i]);
    }
}

static void
test_parse_host_rejects_bad_values(void **state OVS_UNUSED)
{
    static const struct parse_case cases[] = {
        { "", "empty address" },
        { "bogus", "not an IPv4 or IPv6 address" },
        { "10.16.0.300", "not an IPv4 or IPv6 address" },
        { "10.16.0.5/33", "out of range" },
        { "fd00::5/129", "out of range" },
        { "10.16.0.5/", "empty prefix length" },
        { "10.16.0.5/x", "not a number" },
        { "::ffff:10.16.0.5", "IPv4-mapped" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        parse_fails(nb_parse_host, cases[i].in, cases[i].want);
    }
}

static void
test_prefix_format(void **state OVS_UNUSED)
{
    static const struct parse_case cases[] = {
        /* IPv4 dotted, with its IPv4 length (not the mapped one). */
        { "192.168.1.0/24", "192.168.1.0/24" },
        { "255.255.255.255/32", "255.255.255.255/32" },
        { "0.0.0.0/0", "0.0.0.0/0" },
        /* IPv6 compressed and lower case. */
        { "fd00:0000:0000:0000:0000:0000:0000:0000/64", "fd00::/64" },
        { "2001:DB8:0:0:1:0:0:1/128", "2001:db8::1:0:0:1/128" },
        { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
          "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128" },
        { "::/0", "::/0" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct nb_prefix p = prefix(cases[i].in);
        char buf[NB_PREFIX_STRLEN];
        assert_string_equal(nb_prefix_format(&p, buf), cases[i].want);
    }
}

static void
test_prefix_is_ipv4(void **state OVS_UNUSED)
{
    struct nb_prefix v4 = prefix("10.0.0.0/8");
    struct nb_prefix v6 = prefix("fd00::/64");
    struct nb_prefix v6_zero = prefix("::/0");

    assert_true(nb_prefix_is_ipv4(&v4));
    assert_false(nb_prefix_is_ipv4(&v6));
    assert_false(nb_prefix_is_ipv4(&v6_zero));
}

static void
test_prefix_compare_ipv4_before_ipv6(void **state OVS_UNUSED)
{
    /* "::/0" and "::1/128" are below ::ffff:0:0/96 as bytes: IPv4 must
     * still come first. */
    static const char *const v4[] = { "0.0.0.0/0", "255.255.255.255/32" };
    static const char *const v6[] = { "::/0", "::1/128", "fd00::/8",
                                      "ffff::/16" };
    for (size_t i = 0; i < ARRAY_SIZE(v4); i++) {
        for (size_t j = 0; j < ARRAY_SIZE(v6); j++) {
            struct nb_prefix a = prefix(v4[i]);
            struct nb_prefix b = prefix(v6[j]);
            assert_true(nb_prefix_compare(&a, &b) < 0);
            assert_true(nb_prefix_compare(&b, &a) > 0);
        }
    }
}

static void
test_prefix_compare_orders_address_then_length(void **state OVS_UNUSED)
{
    /* In ascending order. */
    static const char *const sorted[] = {
        "10.0.0.0/8", "10.0.0.0/16", "10.0.0.2/32", "10.0.0.10/32",
        "192.168.0.0/16",
        "::/0", "fd00::/8", "fd00::/64", "fd00::2/128", "fd00::10/128",
    };
    for (size_t i = 0; i < ARRAY_SIZE(sorted); i++) {
        for (size_t j = 0; j < ARRAY_SIZE(sorted); j++) {
            struct nb_prefix a = prefix(sorted[i]);
            struct nb_prefix b = prefix(sorted[j]);
            int c = nb_prefix_compare(&a, &b);
            int want = i < j ? -1 : i > j;
            if ((c > 0) - (c < 0) != want) {
                fail_msg("compare(%s, %s) = %d, want sign %d",
                         sorted[i], sorted[j], c, want);
            }
        }
    }
}

static void
test_prefix_equals_and_hash(void **state OVS_UNUSED)
{
    struct nb_prefix a = prefix("10.16.0.0/16");
    struct nb_prefix b = prefix("10.16.0.0/16");
    struct nb_prefix shorter = prefix("10.16.0.0/15");
    struct nb_prefix other = prefix("10.17.0.0/16");

    assert_true(nb_prefix_equals(&a, &b));
    assert_int_equal(nb_prefix_compare(&a, &b), 0);
    assert_int_equal(nb_prefix_hash(&a), nb_prefix_hash(&b));
    assert_false(nb_prefix_equals(&a, &shorter));
    assert_false(nb_prefix_equals(&a, &other));
}

struct policy_case {
    const char *in;
    enum nb_policy want;
};

static void
test_policy_parse_known_words(void **state OVS_UNUSED)
{
    static const struct policy_case cases[] = {
        { NULL, NB_POLICY_NONE },
        { "", NB_POLICY_NONE },
        { "false", NB_POLICY_NONE },
        { "true", NB_POLICY_CLUSTER },
        { "cluster", NB_POLICY_CLUSTER },
        { "local", NB_POLICY_LOCAL },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        assert_int_equal(nb_policy_parse(cases[i].in), cases[i].want);
    }
}

static void
test_policy_parse_rejects_unknown_words(void **state OVS_UNUSED)
{
    static const char *const cases[] = {
        "yes", "no", "True", "TRUE", "False", "Local", "Cluster", "1", "0",
        " true", "true ", "on", "local,cluster",
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        if (nb_policy_parse(cases[i]) != NB_POLICY_INVALID) {
            fail_msg("\"%s\" should be invalid", cases[i]);
        }
    }
}

static void
test_policy_name(void **state OVS_UNUSED)
{
    assert_string_equal(nb_policy_name(NB_POLICY_NONE), "none");
    assert_string_equal(nb_policy_name(NB_POLICY_CLUSTER), "cluster");
    assert_string_equal(nb_policy_name(NB_POLICY_LOCAL), "local");
    assert_string_equal(nb_policy_name(NB_POLICY_INVALID), "invalid");
}

/* ---------------------------------------------------------------------- */
/* Subnets: Logical_Switch. */

static void
test_switch_true_or_cluster_announces_cidrs(void **state OVS_UNUSED)
{
    static const char *const words[] = { "true", "cluster" };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        struct ls_cols c = {
            .bgp = words[i],
            .cidr = "10.16.0.0/16,fd00:10:16::/64",
        };
        map_switch("ovn-default", &c, &r);
        check_routes(&r, "10.16.0.0/16 fd00:10:16::/64");
        assert_int_equal(r.policy, NB_POLICY_CLUSTER);
        assert_false(r.nat_outgoing);
    }
    nb_routes_destroy(&r);
}

static void
test_switch_cidrs_sorted_and_deduplicated(void **state OVS_UNUSED)
{
    struct ls_cols c = {
        .bgp = "true",
        .cidr = "fd00::/64,10.16.0.0/16, 10.0.0.0/8,10.16.0.0/16",
    };
    struct nb_routes r;

    nb_routes_init(&r);
    map_switch("ovn-default", &c, &r);
    check_routes(&r, "10.0.0.0/8 10.16.0.0/16 fd00::/64");
    nb_routes_destroy(&r);
}

static void
test_switch_local_announces_no_cidr(void **state OVS_UNUSED)
{
    struct ls_cols c = { .bgp = "local", .cidr = "10.16.0.0/16" };
    struct nb_routes r;

    nb_routes_init(&r);
    map_switch("ovn-default", &c, &r);
    check_nothing(&r);
    /* What the switch's ports inherit. */
    assert_int_equal(r.policy, NB_POLICY_LOCAL);
    nb_routes_destroy(&r);
}

static void
test_switch_false_empty_absent_announce_nothing(void **state OVS_UNUSED)
{
    static const char *const words[] = { "false", "", NULL };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        struct ls_cols c = {
            .bgp = words[i],
            .cidr = "10.16.0.0/16",
            .subnet = "10.17.0.0/16",
        };
        map_switch("ovn-default", &c, &r);
        check_nothing(&r);
        assert_int_equal(r.policy, NB_POLICY_NONE);
    }
    nb_routes_destroy(&r);
}

static void
test_switch_other_config_subnet(void **state OVS_UNUSED)
{
    struct ls_cols c = { .bgp = "true", .subnet = "10.16.0.0/16" };
    struct nb_routes r;

    nb_routes_init(&r);
    map_switch("ls1", &c, &r);
    check_routes(&r, "10.16.0.0/16");
    nb_routes_destroy(&r);
}

static void
test_switch_other_config_ipv6_prefix_both_forms(void **state OVS_UNUSED)
{
    static const char *const forms[] = { "fd00:10:16::", "fd00:10:16::/64" };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
        struct ls_cols c = { .bgp = "true", .ipv6_prefix = forms[i] };
        map_switch("ls1", &c, &r);
        check_routes(&r, "fd00:10:16::/64");
    }
    nb_routes_destroy(&r);
}

static void
test_switch_other_config_dual_stack(void **state OVS_UNUSED)
{
    struct ls_cols c = {
        .bgp = "true",
        .subnet = "10.16.0.0/16",
        .ipv6_prefix = "fd00:10:16::",
    };
    struct nb_routes r;

    nb_routes_init(&r);
    map_switch("ls1", &c, &r);
    check_routes(&r, "10.16.0.0/16 fd00:10:16::/64");
    nb_routes_destroy(&r);
}

static void
test_switch_cidr_annotation_wins_over_other_config(void **state OVS_UNUSED)
{
    struct ls_cols c = {
        .bgp = "true",
        .cidr = "10.16.0.0/16",
        .subnet = "10.99.0.0/16",
        .ipv6_prefix = "fd99::",
    };
    struct nb_routes r;

    nb_routes_init(&r);
    map_switch("ls1", &c, &r);
    check_routes(&r, "10.16.0.0/16");
    nb_routes_destroy(&r);
}

static void
test_switch_nat_outgoing_still_announced(void **state OVS_UNUSED)
{
    struct ls_cols c = {
        .bgp = "true",
        .cidr = "10.16.0.0/16",
        .nat = "true",
    };
    struct nb_routes r;

    nb_routes_init(&r);
    map_switch("ovn-default", &c, &r);
    check_routes(&r, "10.16.0.0/16");
    assert_true(r.nat_outgoing);
    nb_routes_destroy(&r);
}

static void
test_switch_nat_outgoing_only_when_true(void **state OVS_UNUSED)
{
    static const char *const words[] = { "false", "", NULL };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        struct ls_cols c = {
            .bgp = "true",
            .cidr = "10.16.0.0/16",
            .nat = words[i],
        };
        map_switch("ovn-default", &c, &r);
        check_routes(&r, "10.16.0.0/16");
        assert_false(r.nat_outgoing);
    }
    nb_routes_destroy(&r);
}

static void
test_switch_nat_outgoing_unset_when_not_announced(void **state OVS_UNUSED)
{
    static const char *const words[] = { "local", "false", NULL };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        struct ls_cols c = {
            .bgp = words[i],
            .cidr = "10.16.0.0/16",
            .nat = "true",
        };
        map_switch("ovn-default", &c, &r);
        check_nothing(&r);
        assert_false(r.nat_outgoing);
    }
    nb_routes_destroy(&r);
}

static void
test_switch_bad_policy_word_is_error(void **state OVS_UNUSED)
{
    static const char *const words[] = { "yes", "True", "TRUE", "1" };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        struct ls_cols c = { .bgp = words[i], .cidr = "10.16.0.0/16" };
        map_switch("ovn-default", &c, &r);
        check_error(&r, "logical switch ovn-default", words[i]);
        assert_int_equal(r.policy, NB_POLICY_INVALID);
    }
    nb_routes_destroy(&r);
}

/* A bad switch: the columns, and the offending value the error names. */
struct bad_switch {
    struct ls_cols cols;
    const char *value;
};

static void
check_bad_switches(const struct bad_switch *cases, size_t n, bool special)
{
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < n; i++) {
        map_switch("ls-bad", &cases[i].cols, &r);
        (special ? check_refused : check_error)(&r, "logical switch ls-bad",
                                                cases[i].value);
        assert_false(r.nat_outgoing);
    }
    nb_routes_destroy(&r);
}

static void
test_switch_bad_cidr_annotation_is_error(void **state OVS_UNUSED)
{
    static const struct bad_switch cases[] = {
        /* Unparsable. */
        { { .bgp = "true", .cidr = "bogus" }, "bogus" },
        { { .bgp = "true", .cidr = "10.16.0.300/16" }, "10.16.0.300/16" },
        /* Host bits set. */
        { { .bgp = "true", .cidr = "10.16.0.1/16" }, "10.16.0.1/16" },
        { { .bgp = "true", .cidr = "fd00::1/64" }, "fd00::1/64" },
        /* Bad prefix length. */
        { { .bgp = "true", .cidr = "10.16.0.0/33" }, "10.16.0.0/33" },
        { { .bgp = "true", .cidr = "fd00::/129" }, "fd00::/129" },
        { { .bgp = "true", .cidr = "10.16.0.0" }, "10.16.0.0" },
        /* IPv4-mapped IPv6. */
        { { .bgp = "true", .cidr = "::ffff:10.16.0.0/112" },
          "::ffff:10.16.0.0/112" },
        /* One bad item spoils the row, even after good ones. */
        { { .bgp = "true", .cidr = "10.16.0.0/16,fd00::/64,x/64" }, "x/64" },
        { { .bgp = "cluster", .cidr = "10.16.0.0/16,10.17.0.1/16",
            .nat = "true" }, "10.17.0.1/16" },
    };
    check_bad_switches(cases, ARRAY_SIZE(cases), false);
}

static void
test_switch_bad_other_config_is_error(void **state OVS_UNUSED)
{
    static const struct bad_switch cases[] = {
        { { .bgp = "true", .subnet = "10.16.0.1/16" }, "10.16.0.1/16" },
        { { .bgp = "true", .subnet = "10.16.0.0/40" }, "10.16.0.0/40" },
        { { .bgp = "true", .subnet = "bogus" }, "bogus" },
        /* subnet is IPv4 only. */
        { { .bgp = "true", .subnet = "fd00::/64" }, "fd00::/64" },
        /* ipv6_prefix is an IPv6 /64. */
        { { .bgp = "true", .ipv6_prefix = "fd00::/48" }, "fd00::/48" },
        { { .bgp = "true", .ipv6_prefix = "fd00::1" }, "fd00::1" },
        { { .bgp = "true", .ipv6_prefix = "10.16.0.0" }, "10.16.0.0" },
        { { .bgp = "true", .ipv6_prefix = "::ffff:10.16.0.0" },
          "::ffff:10.16.0.0" },
        { { .bgp = "true", .ipv6_prefix = "fd00::g" }, "fd00::g" },
        /* A bad ipv6_prefix spoils a good subnet. */
        { { .bgp = "true", .subnet = "10.16.0.0/16",
            .ipv6_prefix = "fd00::/65" }, "fd00::/65" },
    };
    check_bad_switches(cases, ARRAY_SIZE(cases), false);
}

/* A default route, or a special range, from any of the columns. */
static void
test_switch_special_cidr_is_refused(void **state OVS_UNUSED)
{
    static const struct bad_switch cases[] = {
        { { .bgp = "true", .cidr = "0.0.0.0/0" }, "0.0.0.0/0" },
        { { .bgp = "true", .cidr = "::/0" }, "::/0" },
        { { .bgp = "cluster", .cidr = "10.16.0.0/16,0.0.0.0/0" },
          "0.0.0.0/0" },
        { { .bgp = "true", .cidr = "127.0.0.0/8" }, "127.0.0.0/8" },
        { { .bgp = "true", .cidr = "224.0.0.0/3" }, "224.0.0.0/3" },
        { { .bgp = "true", .cidr = "fd00::/64,fe80::/64" }, "fe80::/64" },
        { { .bgp = "true", .subnet = "0.0.0.0/0" }, "0.0.0.0/0" },
        { { .bgp = "true", .subnet = "169.254.0.0/16" }, "169.254.0.0/16" },
        { { .bgp = "true", .ipv6_prefix = "fe80::" }, "fe80::" },
        { { .bgp = "true", .subnet = "10.16.0.0/16",
            .ipv6_prefix = "::/64" }, "::/64" },
    };
    check_bad_switches(cases, ARRAY_SIZE(cases), true);

    struct ls_cols c = { .bgp = "true", .cidr = "0.0.0.0/0" };
    struct nb_routes r;
    nb_routes_init(&r);
    map_switch("ls1", &c, &r);
    assert_string_equal(r.error, "logical switch ls1: bad value "
                        "\"0.0.0.0/0\" in external_ids:"
                        "ovn.kubernetes.io/cidr: default route (never "
                        "announced)");
    nb_routes_destroy(&r);
}

static void
test_switch_announced_without_cidr_is_error(void **state OVS_UNUSED)
{
    static const struct bad_switch cases[] = {
        { { .bgp = "true" }, "no CIDR" },
        { { .bgp = "true", .cidr = "" }, "no CIDR" },
        { { .bgp = "cluster", .cidr = " , " }, "no CIDR" },
    };
    check_bad_switches(cases, ARRAY_SIZE(cases), false);
}

static void
test_switch_routes_reused_start_clean(void **state OVS_UNUSED)
{
    struct ls_cols bad = { .bgp = "true", .cidr = "10.0.0.0/8,bogus" };
    struct ls_cols nat = {
        .bgp = "true", .cidr = "10.0.0.0/8,fd00::/64", .nat = "true",
    };
    struct ls_cols local = { .bgp = "local", .cidr = "10.16.0.0/16" };
    struct ls_cols good = { .bgp = "true", .cidr = "10.16.0.0/16" };
    struct nb_routes r;

    nb_routes_init(&r);
    map_switch("ls1", &bad, &r);
    check_error(&r, "logical switch ls1", "bogus");
    map_switch("ls2", &nat, &r);
    check_routes(&r, "10.0.0.0/8 fd00::/64");
    assert_true(r.nat_outgoing);
    map_switch("ls3", &local, &r);
    check_nothing(&r);
    assert_false(r.nat_outgoing);
    assert_int_equal(r.policy, NB_POLICY_LOCAL);
    map_switch("ls4", &good, &r);
    check_routes(&r, "10.16.0.0/16");
    assert_int_equal(r.policy, NB_POLICY_CLUSTER);
    nb_routes_destroy(&r);
}

/* ---------------------------------------------------------------------- */
/* Pods: Logical_Switch_Port. */

#define MAC "0a:58:0a:10:00:05"

static void
test_port_true_or_cluster_announces_host_routes(void **state OVS_UNUSED)
{
    static const char *const words[] = { "true", "cluster" };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        struct lsp_cols c = {
            .bgp = words[i],
            .addresses = { MAC " 10.16.0.5 fd00:10:16::5" },
        };
        map_port("web.default", &c, &r);
        check_routes(&r, "10.16.0.5/32 fd00:10:16::5/128");
        assert_int_equal(r.policy, NB_POLICY_CLUSTER);
    }
    nb_routes_destroy(&r);
}

static void
test_port_ip_with_length_is_host_route(void **state OVS_UNUSED)
{
    struct lsp_cols c = {
        .bgp = "true",
        .addresses = { MAC " 10.16.0.5/16 fd00:10:16::5/64" },
    };
    struct nb_routes r;

    nb_routes_init(&r);
    map_port("web.default", &c, &r);
    check_routes(&r, "10.16.0.5/32 fd00:10:16::5/128");
    nb_routes_destroy(&r);
}

static void
test_port_entries_sorted_and_deduplicated(void **state OVS_UNUSED)
{
    struct lsp_cols c = {
        .bgp = "true",
        .addresses = {
            "0a:58:0a:10:00:06 fd00::6 10.16.0.6",
            MAC " 10.16.0.5  10.16.0.6",
            "0A:58:0A:10:00:07\t10.16.0.5/16",
        },
    };
    struct nb_routes r;

    nb_routes_init(&r);
    map_port("web.default", &c, &r);
    check_routes(&r, "10.16.0.5/32 10.16.0.6/32 fd00::6/128");
    nb_routes_destroy(&r);
}

static void
test_port_skips_router_and_unknown(void **state OVS_UNUSED)
{
    struct lsp_cols c = {
        .bgp = "true",
        .addresses = { "router", "unknown", MAC " 10.16.0.5" },
    };
    struct nb_routes r;

    nb_routes_init(&r);
    map_port("web.default", &c, &r);
    check_routes(&r, "10.16.0.5/32");

    /* Any white space separates words, keywords too. */
    struct lsp_cols c2 = {
        .bgp = "true",
        .addresses = { "unknown\n", MAC " 10.16.0.6\r\nrouter",
                       MAC "\t10.16.0.7\n" },
    };
    map_port("web.default", &c2, &r);
    check_routes(&r, "10.16.0.7/32");
    nb_routes_destroy(&r);
}

static void
test_port_dynamic_uses_dynamic_addresses(void **state OVS_UNUSED)
{
    static const char *const entries[] = { "dynamic", MAC " dynamic" };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(entries); i++) {
        struct lsp_cols c = {
            .bgp = "true",
            .addresses = { entries[i] },
            .dynamic = MAC " 10.16.0.9 fd00::9",
        };
        map_port("web.default", &c, &r);
        check_routes(&r, "10.16.0.9/32 fd00::9/128");
    }
    nb_routes_destroy(&r);
}

static void
test_port_disabled_not_announced(void **state OVS_UNUSED)
{
    struct lsp_cols c = {
        .bgp = "true",
        .addresses = { MAC " 10.16.0.5" },
        .enabled = &enabled_false,
    };
    struct nb_routes r;

    nb_routes_init(&r);
    map_port("web.default", &c, &r);
    check_nothing(&r);

    /* Also when the port inherits "local" and is on this node. */
    c.bgp = NULL;
    c.chassis = NODE;
    map_port_on("web.default", &c, NB_POLICY_LOCAL, NODE, &r);
    check_nothing(&r);
    nb_routes_destroy(&r);
}

static void
test_port_enabled_true_announced(void **state OVS_UNUSED)
{
    struct lsp_cols c = {
        .bgp = "true",
        .addresses = { MAC " 10.16.0.5" },
        .enabled = &enabled_true,
    };
    struct nb_routes r;

    nb_routes_init(&r);
    map_port("web.default", &c, &r);
    check_routes(&r, "10.16.0.5/32");
    nb_routes_destroy(&r);
}

static void
test_port_false_empty_absent_announce_nothing(void **state OVS_UNUSED)
{
    static const char *const words[] = { "false", "", NULL };
    static const enum nb_policy switches[] = {
        NB_POLICY_NONE, NB_POLICY_CLUSTER, NB_POLICY_INVALID,
    };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        for (size_t j = 0; j < ARRAY_SIZE(switches); j++) {
            struct lsp_cols c = {
                .bgp = words[i],
                .addresses = { MAC " 10.16.0.5" },
                .chassis = NODE,
            };
            map_port_on("web.default", &c, switches[j], NODE, &r);
            check_nothing(&r);
            assert_int_equal(r.policy, NB_POLICY_NONE);
        }
    }
    nb_routes_destroy(&r);
}

static void
test_port_inherits_local_from_switch(void **state OVS_UNUSED)
{
    struct lsp_cols c = {
        .addresses = { MAC " 10.16.0.5" },
        .chassis = NODE,
    };
    struct nb_routes r;

    nb_routes_init(&r);
    map_port_on("web.default", &c, NB_POLICY_LOCAL, NODE, &r);
    check_routes(&r, "10.16.0.5/32");
    assert_int_equal(r.policy, NB_POLICY_LOCAL);
    nb_routes_destroy(&r);
}

static void
test_port_inherited_local_other_node_not_announced(void **state OVS_UNUSED)
{
    struct lsp_cols c = {
        .addresses = { MAC " 10.16.0.5" },
        .chassis = "node-2",
    };
    struct nb_routes r;

    nb_routes_init(&r);
    map_port_on("web.default", &c, NB_POLICY_LOCAL, NODE, &r);
    check_nothing(&r);
    nb_routes_destroy(&r);
}

static void
test_port_does_not_inherit_cluster(void **state OVS_UNUSED)
{
    struct lsp_cols c = {
        .addresses = { MAC " 10.16.0.5" },
        .chassis = NODE,
    };
    struct nb_routes r;

    nb_routes_init(&r);
    map_port_on("web.default", &c, NB_POLICY_CLUSTER, NODE, &r);
    check_nothing(&r);
    assert_int_equal(r.policy, NB_POLICY_NONE);
    nb_routes_destroy(&r);
}

static void
test_port_false_opts_out_on_local_switch(void **state OVS_UNUSED)
{
    struct lsp_cols c = {
        .bgp = "false",
        .addresses = { MAC " 10.16.0.5" },
        .chassis = NODE,
    };
    struct nb_routes r;

    nb_routes_init(&r);
    map_port_on("web.default", &c, NB_POLICY_LOCAL, NODE, &r);
    check_nothing(&r);
    assert_int_equal(r.policy, NB_POLICY_NONE);
    nb_routes_destroy(&r);
}

static void
test_port_own_true_on_local_switch_any_node(void **state OVS_UNUSED)
{
    struct lsp_cols c = {
        .bgp = "true",
        .addresses = { MAC " 10.16.0.5" },
        .chassis = "node-2",
    };
    struct nb_routes r;

    nb_routes_init(&r);
    map_port_on("web.default", &c, NB_POLICY_LOCAL, NODE, &r);
    check_routes(&r, "10.16.0.5/32");
    assert_int_equal(r.policy, NB_POLICY_CLUSTER);
    nb_routes_destroy(&r);
}

static void
test_port_local_needs_node_in_requested_chassis(void **state OVS_UNUSED)
{
    static const struct {
        const char *chassis;        /* NULL: no requested-chassis. */
        bool announced;
    } cases[] = {
        { NODE, true },
        { "node-0," NODE, true },
        { NODE ",node-2", true },
        { "node-0," NODE ",node-2", true },
        { "node-2", false },
        { "node-10", false },
        { "node", false },
        { "node-1x", false },
        { "node-0,node-2", false },
        { "", false },
        { NULL, false },
    };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct lsp_cols c = {
            .bgp = "local",
            .addresses = { MAC " 10.16.0.5" },
            .chassis = cases[i].chassis,
        };
        map_port("web.default", &c, &r);
        check_routes(&r, cases[i].announced ? "10.16.0.5/32" : "");
        assert_int_equal(r.policy, NB_POLICY_LOCAL);
    }
    nb_routes_destroy(&r);
}

static void
test_port_local_empty_node_name_not_announced(void **state OVS_UNUSED)
{
    static const char *const chassis[] = { "", ",", "node-1,", NULL };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(chassis); i++) {
        struct lsp_cols c = {
            .bgp = "local",
            .addresses = { MAC " 10.16.0.5" },
            .chassis = chassis[i],
        };
        map_port_on("web.default", &c, NB_POLICY_NONE, "", &r);
        check_nothing(&r);
    }
    nb_routes_destroy(&r);
}

/* A bad port: the columns, and the offending value the error names. */
struct bad_port {
    struct lsp_cols cols;
    const char *value;
};

static void
check_bad_ports(const struct bad_port *cases, size_t n)
{
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < n; i++) {
        map_port("bad.default", &cases[i].cols, &r);
        check_error(&r, "logical switch port bad.default", cases[i].value);
    }
    nb_routes_destroy(&r);
}

static void
test_port_bad_policy_word_is_error(void **state OVS_UNUSED)
{
    static const struct bad_port cases[] = {
        { { .bgp = "yes", .addresses = { MAC " 10.16.0.5" } }, "yes" },
        { { .bgp = "True", .addresses = { MAC " 10.16.0.5" } }, "True" },
        { { .bgp = "Local", .addresses = { MAC " 10.16.0.5" },
            .chassis = NODE }, "Local" },
    };
    check_bad_ports(cases, ARRAY_SIZE(cases));
}

static void
test_port_bad_ip_is_error(void **state OVS_UNUSED)
{
    static const struct bad_port cases[] = {
        { { .bgp = "true", .addresses = { MAC " bogus" } }, "bogus" },
        { { .bgp = "true", .addresses = { MAC " 10.16.0.300" } },
          "10.16.0.300" },
        { { .bgp = "true", .addresses = { MAC " 10.16.0.5/33" } },
          "10.16.0.5/33" },
        { { .bgp = "true", .addresses = { MAC " fd00::5/129" } },
          "fd00::5/129" },
        { { .bgp = "true", .addresses = { MAC " 10.16.0.5/x" } },
          "10.16.0.5/x" },
        { { .bgp = "true", .addresses = { MAC " ::ffff:10.16.0.5" } },
          "::ffff:10.16.0.5" },
        /* A bad IP after good ones, or in a later entry, spoils the row. */
        { { .bgp = "true", .addresses = { MAC " 10.16.0.5 fd00::g" } },
          "fd00::g" },
        { { .bgp = "true",
            .addresses = { MAC " 10.16.0.5", MAC " 10.16.0.256" } },
          "10.16.0.256" },
        /* Also in dynamic_addresses. */
        { { .bgp = "true", .addresses = { "dynamic" },
            .dynamic = MAC " 10.16.0.9 nope" }, "nope" },
        /* Also for a "local" port on this node. */
        { { .bgp = "local", .addresses = { MAC " 10.16.0.1/0x" },
            .chassis = NODE }, "10.16.0.1/0x" },
    };
    check_bad_ports(cases, ARRAY_SIZE(cases));
}

/* The pod IPs the issue saw announced, beside a good one, in addresses
 * (the one-pass way and the careful way) and in dynamic_addresses. */
static void
test_port_special_ip_is_refused(void **state OVS_UNUSED)
{
    static const char *const ips[] = {
        "127.0.0.5", "224.0.0.5", "169.254.1.1", "0.0.0.0",
        "255.255.255.255", "::1", "fe80::1", "ff02::1", "240.0.0.1", "::",
    };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(ips); i++) {
        char plain[128], careful[128], dynamic[128];
        snprintf(plain, sizeof plain, MAC " 10.16.0.5 %s", ips[i]);
        snprintf(careful, sizeof careful, "%s 10.16.0.5", ips[i]);
        snprintf(dynamic, sizeof dynamic, MAC " %s fd00::5", ips[i]);

        struct lsp_cols c = { .bgp = "true", .addresses = { plain } };
        map_port("bad.default", &c, &r);
        check_refused(&r, "logical switch port bad.default", ips[i]);

        /* Not a MAC first: the careful way, which names the entry. */
        struct lsp_cols c2 = {
            .bgp = "true", .addresses = { MAC " 10.16.0.6", careful },
        };
        map_port("bad.default", &c2, &r);
        check_error(&r, "logical switch port bad.default", careful);

        struct lsp_cols c3 = {
            .bgp = "local", .addresses = { "dynamic" }, .dynamic = dynamic,
            .chassis = NODE,
        };
        map_port("bad.default", &c3, &r);
        check_refused(&r, "logical switch port bad.default", ips[i]);
    }

    struct lsp_cols c = { .bgp = "true", .addresses = { MAC " 127.0.0.5" } };
    map_port("p", &c, &r);
    assert_string_equal(r.error, "logical switch port p: bad value "
                        "\"127.0.0.5\" in addresses: loopback address "
                        "(127.0.0.0/8, RFC 6890: never announced)");
    nb_routes_destroy(&r);
}

static void
test_port_entry_without_mac_is_error(void **state OVS_UNUSED)
{
    static const struct bad_port cases[] = {
        { { .bgp = "true", .addresses = { "10.16.0.5" } }, "10.16.0.5" },
        { { .bgp = "true", .addresses = { "0a:58:0a:10:00 10.16.0.5" } },
          "0a:58:0a:10:00 10.16.0.5" },
        { { .bgp = "true", .addresses = { "0a:58:0a:10:00:0g 10.16.0.5" } },
          "0a:58:0a:10:00:0g 10.16.0.5" },
    };
    check_bad_ports(cases, ARRAY_SIZE(cases));
}

static void
test_port_without_ip_is_error(void **state OVS_UNUSED)
{
    static const struct bad_port cases[] = {
        /* Only a MAC. */
        { { .bgp = "true", .addresses = { MAC } }, "no IP address" },
        /* No addresses at all. */
        { { .bgp = "true" }, "no IP address" },
        /* Only entries that are skipped. */
        { { .bgp = "true", .addresses = { "router", "unknown" } },
          "no IP address" },
        /* "dynamic", with nothing allocated yet, or only a MAC. */
        { { .bgp = "true", .addresses = { "dynamic" } }, "no IP address" },
        { { .bgp = "true", .addresses = { "dynamic" }, .dynamic = MAC },
          "no IP address" },
    };
    check_bad_ports(cases, ARRAY_SIZE(cases));
}

/* ---------------------------------------------------------------------- */
/* Services: Load_Balancer. */

static void
test_lb_needs_announce_cluster_ip(void **state OVS_UNUSED)
{
    /* Without --announce-cluster-ip nothing is read, so not even a bad
     * word is an error. */
    static const char *const words[] = { "true", "cluster", "local", "yes" };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        struct lb_cols c = { .bgp = words[i], .vips = { "10.96.0.1:80" } };
        map_lb("svc", &c, false, &r);
        check_nothing(&r);
    }
    nb_routes_destroy(&r);
}

static void
test_lb_vip_forms(void **state OVS_UNUSED)
{
    static const struct parse_case cases[] = {
        { "10.96.0.1", "10.96.0.1/32" },
        { "10.96.0.1:80", "10.96.0.1/32" },
        { "10.96.0.1:65535", "10.96.0.1/32" },
        { "fd00:96::1", "fd00:96::1/128" },
        { "[fd00:96::1]", "fd00:96::1/128" },
        { "[fd00:96::1]:80", "fd00:96::1/128" },
        { "[FD00:96::1]:1", "fd00:96::1/128" },
    };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct lb_cols c = { .bgp = "true", .vips = { cases[i].in } };
        map_lb("svc", &c, true, &r);
        check_routes(&r, cases[i].want);
        assert_int_equal(r.policy, NB_POLICY_CLUSTER);
    }
    nb_routes_destroy(&r);
}

static void
test_lb_vips_sorted_and_deduplicated(void **state OVS_UNUSED)
{
    struct lb_cols c = {
        .bgp = "true",
        .vips = {
            "[fd00:96::a]:80", "10.96.0.10:443", "10.96.0.10:80",
            "fd00:96::a", "10.96.0.2:53", "10.96.0.10",
        },
    };
    struct nb_routes r;

    nb_routes_init(&r);
    map_lb("svc", &c, true, &r);
    check_routes(&r, "10.96.0.2/32 10.96.0.10/32 fd00:96::a/128");
    nb_routes_destroy(&r);
}

static void
test_lb_false_empty_absent_announce_nothing(void **state OVS_UNUSED)
{
    static const char *const words[] = { "false", "", NULL };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        struct lb_cols c = { .bgp = words[i], .vips = { "10.96.0.1:80" } };
        map_lb("svc", &c, true, &r);
        check_nothing(&r);
    }
    nb_routes_destroy(&r);
}

static void
test_lb_local_is_error(void **state OVS_UNUSED)
{
    struct lb_cols c = { .bgp = "local", .vips = { "10.96.0.1:80" } };
    struct nb_routes r;

    nb_routes_init(&r);
    map_lb("svc", &c, true, &r);
    check_error(&r, "load balancer svc", "local");
    nb_routes_destroy(&r);
}

static void
test_lb_bad_policy_word_is_error(void **state OVS_UNUSED)
{
    static const char *const words[] = { "yes", "True" };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        struct lb_cols c = { .bgp = words[i], .vips = { "10.96.0.1:80" } };
        map_lb("svc", &c, true, &r);
        check_error(&r, "load balancer svc", words[i]);
    }
    nb_routes_destroy(&r);
}

/* Maps each of 'vips' next to a good VIP, which is not announced either,
 * and checks the error. */
static void
check_bad_vips(const char *const *vips, size_t n)
{
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < n; i++) {
        struct lb_cols c = {
            .bgp = "true",
            .vips = { "10.96.0.2:80", vips[i] },
        };
        map_lb("svc", &c, true, &r);
        check_error(&r, "load balancer svc", vips[i]);
    }
    nb_routes_destroy(&r);
}

static void
test_lb_bad_vip_is_error(void **state OVS_UNUSED)
{
    static const char *const vips[] = {
        /* Bad ports. */
        "10.96.0.1:0", "10.96.0.1:65536", "10.96.0.1:http", "10.96.0.1:",
        "10.96.0.1:-1", "[fd00::1]:0", "[fd00::1]:x", "[fd00::1]:",
        /* Bad addresses. */
        "10.96.0.300:80", "bogus", "bogus:80", "[fd00::g]:80", "[]:80",
        "::ffff:10.96.0.1", "[::ffff:10.96.0.1]:80",
        /* Bad brackets. */
        "[fd00::1", "[fd00::1]x", "[fd00::1]80", "[10.96.0.1]:80",
    };
    check_bad_vips(vips, ARRAY_SIZE(vips));
}

/* A VIP in special-purpose space is left out alone: the load balancer may
 * hold every service of the cluster, which stay announced. */
static void
test_lb_special_vip_is_left_out(void **state OVS_UNUSED)
{
    static const char *const vips[] = {
        "127.0.0.1:80", "224.0.0.5", "0.0.0.0:80", "255.255.255.255",
        "169.254.169.254:80", "::1", "[ff02::1]:80", "[fe80::1]:443",
    };
    struct nb_routes r;

    nb_routes_init(&r);
    for (size_t i = 0; i < ARRAY_SIZE(vips); i++) {
        struct lb_cols c = {
            .bgp = "true",
            .vips = { "10.96.0.2:80", vips[i], "[fd00:96::2]:53" },
        };
        map_lb("svc", &c, true, &r);
        check_routes(&r, "10.96.0.2/32 fd00:96::2/128");
        assert_non_null(r.warning);
        if (!strstr(r.warning, "load balancer svc: VIP")
            || !strstr(r.warning, vips[i])
            || !strstr(r.warning, "never announced")) {
            fail_msg("%s: warning \"%s\" does not name the VIP and why",
                     vips[i], r.warning);
        }
    }

    /* Several: one warning, counting the others; none left, nothing. */
    struct lb_cols c = {
        .bgp = "true", .vips = { "127.0.0.1:80", "224.0.0.5", "::1" },
    };
    map_lb("svc", &c, true, &r);
    check_routes(&r, "");
    assert_non_null(r.warning);
    assert_non_null(strstr(r.warning, "(and 2 more VIPs like it)"));

    /* A good row has no warning left from the one before. */
    struct lb_cols good = { .bgp = "true", .vips = { "10.96.0.3" } };
    map_lb("svc", &good, true, &r);
    check_routes(&r, "10.96.0.3/32");
    assert_null(r.warning);
    nb_routes_destroy(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_cidr_accepts_valid),
        cmocka_unit_test(test_parse_cidr_rejects_host_bits),
        cmocka_unit_test(test_parse_cidr_rejects_bad_prefix_length),
        cmocka_unit_test(test_parse_cidr_rejects_bad_address),
        cmocka_unit_test(test_parse_cidr_rejects_ipv4_mapped),
        cmocka_unit_test(test_parse_cidr_refuses_special),
        cmocka_unit_test(test_parse_host_gives_host_route),
        cmocka_unit_test(test_parse_host_refuses_special),
        cmocka_unit_test(test_parse_host_rejects_bad_values),
        cmocka_unit_test(test_parse_host_agrees_with_inet_pton),
        cmocka_unit_test(test_prefix_format),
        cmocka_unit_test(test_prefix_is_ipv4),
        cmocka_unit_test(test_prefix_compare_ipv4_before_ipv6),
        cmocka_unit_test(test_prefix_compare_orders_address_then_length),
        cmocka_unit_test(test_prefix_equals_and_hash),
        cmocka_unit_test(test_policy_parse_known_words),
        cmocka_unit_test(test_policy_parse_rejects_unknown_words),
        cmocka_unit_test(test_policy_name),

        cmocka_unit_test(test_switch_true_or_cluster_announces_cidrs),
        cmocka_unit_test(test_switch_cidrs_sorted_and_deduplicated),
        cmocka_unit_test(test_switch_local_announces_no_cidr),
        cmocka_unit_test(test_switch_false_empty_absent_announce_nothing),
        cmocka_unit_test(test_switch_other_config_subnet),
        cmocka_unit_test(test_switch_other_config_ipv6_prefix_both_forms),
        cmocka_unit_test(test_switch_other_config_dual_stack),
        cmocka_unit_test(test_switch_cidr_annotation_wins_over_other_config),
        cmocka_unit_test(test_switch_nat_outgoing_still_announced),
        cmocka_unit_test(test_switch_nat_outgoing_only_when_true),
        cmocka_unit_test(test_switch_nat_outgoing_unset_when_not_announced),
        cmocka_unit_test(test_switch_bad_policy_word_is_error),
        cmocka_unit_test(test_switch_bad_cidr_annotation_is_error),
        cmocka_unit_test(test_switch_bad_other_config_is_error),
        cmocka_unit_test(test_switch_special_cidr_is_refused),
        cmocka_unit_test(test_switch_announced_without_cidr_is_error),
        cmocka_unit_test(test_switch_routes_reused_start_clean),

        cmocka_unit_test(test_port_true_or_cluster_announces_host_routes),
        cmocka_unit_test(test_port_ip_with_length_is_host_route),
        cmocka_unit_test(test_port_entries_sorted_and_deduplicated),
        cmocka_unit_test(test_port_skips_router_and_unknown),
        cmocka_unit_test(test_port_dynamic_uses_dynamic_addresses),
        cmocka_unit_test(test_port_disabled_not_announced),
        cmocka_unit_test(test_port_enabled_true_announced),
        cmocka_unit_test(test_port_false_empty_absent_announce_nothing),
        cmocka_unit_test(test_port_inherits_local_from_switch),
        cmocka_unit_test(test_port_inherited_local_other_node_not_announced),
        cmocka_unit_test(test_port_does_not_inherit_cluster),
        cmocka_unit_test(test_port_false_opts_out_on_local_switch),
        cmocka_unit_test(test_port_own_true_on_local_switch_any_node),
        cmocka_unit_test(test_port_local_needs_node_in_requested_chassis),
        cmocka_unit_test(test_port_local_empty_node_name_not_announced),
        cmocka_unit_test(test_port_bad_policy_word_is_error),
        cmocka_unit_test(test_port_bad_ip_is_error),
        cmocka_unit_test(test_port_special_ip_is_refused),
        cmocka_unit_test(test_port_entry_without_mac_is_error),
        cmocka_unit_test(test_port_without_ip_is_error),

        cmocka_unit_test(test_lb_needs_announce_cluster_ip),
        cmocka_unit_test(test_lb_vip_forms),
        cmocka_unit_test(test_lb_vips_sorted_and_deduplicated),
        cmocka_unit_test(test_lb_false_empty_absent_announce_nothing),
        cmocka_unit_test(test_lb_local_is_error),
        cmocka_unit_test(test_lb_bad_policy_word_is_error),
        cmocka_unit_test(test_lb_bad_vip_is_error),
        cmocka_unit_test(test_lb_special_vip_is_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
