/*
 * The mapping from OVN Northbound rows to the prefixes they announce.
 *
 * Pure functions: each takes the columns of one row as plain values and
 * says which prefixes the row gives, or why it gives none.  Nothing here
 * touches a database, so every rule is tested without one.
 *
 *   Subnet  = Logical_Switch        external_ids:"ovn.kubernetes.io/bgp"
 *   Pod     = Logical_Switch_Port   external_ids:"ovn.kubernetes.io/bgp"
 *   Service = Load_Balancer         external_ids:"ovn.kubernetes.io/bgp"
 *
 * The README has the whole table.
 */
#ifndef OVSDB_NB_MAP_H
#define OVSDB_NB_MAP_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

struct smap;

#define NB_KEY_BGP "ovn.kubernetes.io/bgp"
#define NB_KEY_CIDR "ovn.kubernetes.io/cidr"
#define NB_KEY_NAT_OUTGOING "ovn.kubernetes.io/nat_outgoing"

/* A prefix.  IPv4 is kept as an IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 * with 'plen' counted in IPv4 bits (0 to 32), as OVS does. */
struct nb_prefix {
    struct in6_addr addr;
    unsigned int plen;
};

bool nb_prefix_is_ipv4(const struct nb_prefix *);
int nb_prefix_compare(const struct nb_prefix *, const struct nb_prefix *);
bool nb_prefix_equals(const struct nb_prefix *, const struct nb_prefix *);
uint32_t nb_prefix_hash(const struct nb_prefix *);

/* Enough for "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128". */
#define NB_PREFIX_STRLEN 64
const char *nb_prefix_format(const struct nb_prefix *,
                             char buf[NB_PREFIX_STRLEN]);

/* Parses "ADDR/LEN" (IPv4 or IPv6) as written, whatever the prefix: the
 * inverse of nb_prefix_format().  Returns NULL on success, otherwise a
 * static string that says what is wrong. */
const char *nb_prefix_parse(const char *, struct nb_prefix *);

/* nb_prefix_parse(), for a prefix that a row gives.  Host bits set are an
 * error, and so is a prefix that is never announced: a default route, or
 * one that overlaps special-purpose space (loopback, link-local,
 * multicast...: the README lists it). */
const char *nb_parse_cidr(const char *, struct nb_prefix *);

/* Parses a host address "ADDR" (or "ADDR/LEN", OVN's form in
 * Logical_Switch_Port addresses) into ADDR/32 or ADDR/128.  A
 * special-purpose address is an error, as in nb_parse_cidr(). */
const char *nb_parse_host(const char *, struct nb_prefix *);

/* The value of the "ovn.kubernetes.io/bgp" annotation. */
enum nb_policy {
    NB_POLICY_NONE,             /* Absent, empty, or "false". */
    NB_POLICY_CLUSTER,          /* "true" or "cluster": every speaker. */
    NB_POLICY_LOCAL,            /* "local": the node that hosts the pod. */
    NB_POLICY_INVALID,          /* Any other word. */
};

enum nb_policy nb_policy_parse(const char *value);
const char *nb_policy_name(enum nb_policy);

/* What one row gives. */
struct nb_routes {
    enum nb_policy policy;      /* The row's effective policy. */
    bool nat_outgoing;          /* An announced subnet with NAT on. */
    struct nb_prefix *prefixes; /* Sorted, no duplicates. */
    size_t n_prefixes;
    size_t allocated;
    char *error;                /* Why the row was skipped, or NULL. */
    char *warning;              /* What of an announced row was left out
                                 * (a load balancer's special-purpose
                                 * VIPs), or NULL. */
};

void nb_routes_init(struct nb_routes *);
void nb_routes_clear(struct nb_routes *);
void nb_routes_destroy(struct nb_routes *);

/* The columns the mapping reads, as plain values: only the keys of
 * external_ids, other_config and options that it looks at, NULL where the
 * key or column is absent. */
struct nb_switch_in {
    const char *name;
    const char *bgp;                /* external_ids:NB_KEY_BGP */
    const char *cidr;               /* external_ids:NB_KEY_CIDR */
    const char *nat_outgoing;       /* external_ids:NB_KEY_NAT_OUTGOING */
    const char *subnet;             /* other_config:subnet */
    const char *ipv6_prefix;        /* other_config:ipv6_prefix */
};

struct nb_port_in {
    const char *name;
    const char *const *addresses;
    size_t n_addresses;
    const char *dynamic_addresses;
    const bool *enabled;            /* NULL if unset (which means true). */
    const char *bgp;                /* external_ids:NB_KEY_BGP */
    const char *requested_chassis;  /* options:requested-chassis */
};

struct nb_lb_in {
    const char *name;
    const char *bgp;                /* external_ids:NB_KEY_BGP */
    const struct smap *vips;
};

struct nb_map_config {
    const char *node_name;          /* This speaker's --node-name. */
    bool announce_cluster_ip;       /* --announce-cluster-ip. */
};

/* A subnet.  'out->policy' is what the switch's ports inherit when they
 * carry no annotation of their own (only "local" is inherited). */
void nb_map_switch(const struct nb_switch_in *, struct nb_routes *out);

/* A pod, on a switch whose own policy is 'switch_policy'. */
void nb_map_port(const struct nb_port_in *, enum nb_policy switch_policy,
                 const struct nb_map_config *, struct nb_routes *out);

/* A service. */
void nb_map_lb(const struct nb_lb_in *, const struct nb_map_config *,
               struct nb_routes *out);

#endif /* ovsdb/nb-map.h */
