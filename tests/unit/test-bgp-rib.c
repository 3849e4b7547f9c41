/*
 * The Loc-RIB and the peers' adj-RIB-out (bgp/rib.c), driven alone: each
 * peer's batches are applied to a model of what the peer has, which must
 * never be told to add what it has or drop what it lacks, and must end up
 * with exactly the set.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bgp/rib.h"

/* Prefixes of the tests are numbered: i < V6_BASE is the IPv4 /32
 * 10.128.0.0 + i, the others are IPv6 /128s. */
#define UNIVERSE 300000
#define V6_BASE 200000

static struct bgp_prefix
prefix(uint32_t i)
{
    struct bgp_prefix p;
    memset(&p, 0, sizeof p);
    if (i < V6_BASE) {
        uint32_t a = 0x0a800000 + i;
        p.af = BGP_AF_IPV4;
        p.len = 32;
        p.addr[0] = a >> 24;
        p.addr[1] = a >> 16;
        p.addr[2] = a >> 8;
        p.addr[3] = a;
    } else {
        p.af = BGP_AF_IPV6;
        p.len = 128;
        p.addr[0] = 0xfd;
        p.addr[12] = i >> 24;
        p.addr[13] = i >> 16;
        p.addr[14] = i >> 8;
        p.addr[15] = i;
    }
    return p;
}

static uint32_t
number(const struct bgp_prefix *p)
{
    if (p->af == BGP_AF_IPV4) {
        return ((uint32_t) p->addr[0] << 24 | p->addr[1] << 16
                | p->addr[2] << 8 | p->addr[3]) - 0x0a800000;
    }
    return (uint32_t) p->addr[12] << 24 | p->addr[13] << 16
           | p->addr[14] << 8 | p->addr[15];
}

/* What a peer has, as the batches say; and how often each prefix was
 * announced to it. */
struct model {
    uint8_t has[UNIVERSE];
    uint32_t announced[UNIVERSE];
    size_t n, n_announced, n_withdrawn;
};

static struct bgp_rib_batch batch;

/* Applies one batch to 'm'; returns false if the RIB said there was
 * nothing left. */
static bool
step(struct bgp_rib *rib, unsigned int peer, struct model *m)
{
    bool more = bgp_rib_peer_next(rib, peer, &batch);
    size_t total = 0;

    for (int af = 0; af < BGP_AF_N; af++) {
        for (size_t i = 0; i < batch.n_withdrawn[af]; i++) {
            const struct bgp_prefix *p = &batch.withdrawn[af][i];
            uint32_t k = number(p);
            assert_int_equal(p->af, af);
            assert_true(m->has[k]);         /* Never a needless one. */
            m->has[k] = 0;
            m->n--;
            m->n_withdrawn++;
        }
        for (size_t i = 0; i < batch.n_announced[af]; i++) {
            const struct bgp_prefix *p = &batch.announced[af][i];
            uint32_t k = number(p);
            assert_int_equal(p->af, af);
            assert_false(m->has[k]);        /* Never twice. */
            m->has[k] = 1;
            m->n++;
            m->announced[k]++;
            m->n_announced++;
        }
        total += batch.n_withdrawn[af] + batch.n_announced[af];
    }
    assert_true(total <= BGP_RIB_BATCH);
    assert_true(more || !total);
    return more;
}

static void
drain(struct bgp_rib *rib, unsigned int peer, struct model *m)
{
    while (step(rib, peer, m)) {
        continue;
    }
    assert_int_equal(bgp_rib_peer_sent(rib, peer), m->n);
}

/* The peer has exactly the set's prefixes of 'families'. */
static void
assert_in_sync(const struct bgp_rib *rib, const struct model *m,
               uint8_t families)
{
    size_t want = 0;
    for (uint32_t k = 0; k < UNIVERSE; k++) {
        struct bgp_prefix p = prefix(k);
        bool in = bgp_rib_has(rib, &p) && (families & (1u << p.af));
        assert_int_equal(m->has[k], in);
        want += in;
    }
    assert_int_equal(m->n, want);
}

static struct model *
model_new(void)
{
    struct model *m = calloc(1, sizeof *m);
    assert_non_null(m);
    return m;
}

static void
announce_range(struct bgp_rib *rib, uint32_t first, uint32_t n)
{
    for (uint32_t k = first; k < first + n; k++) {
        struct bgp_prefix p = prefix(k);
        assert_true(bgp_rib_announce(rib, &p));
    }
}

static void
withdraw_range(struct bgp_rib *rib, uint32_t first, uint32_t n)
{
    for (uint32_t k = first; k < first + n; k++) {
        struct bgp_prefix p = prefix(k);
        assert_true(bgp_rib_withdraw(rib, &p));
    }
}

#define BOTH ((1u << BGP_AF_IPV4) | (1u << BGP_AF_IPV6))

static void
test_table_in_batches_then_eor(void **state)
{
    struct bgp_rib *rib = bgp_rib_create();
    struct model *m = model_new();

    bgp_rib_reserve(rib, 5000);
    announce_range(rib, 0, 3000);
    announce_range(rib, V6_BASE, 2000);
    assert_int_equal(bgp_rib_count(rib), 5000);
    /* Twice the same: no change. */
    struct bgp_prefix p = prefix(7);
    assert_false(bgp_rib_announce(rib, &p));
    p = prefix(5000);
    assert_false(bgp_rib_withdraw(rib, &p));

    /* Not started: nothing to send. */
    assert_false(step(rib, 0, m));
    bgp_rib_peer_start(rib, 0, BOTH);
    size_t steps = 0;
    while (step(rib, 0, m)) {
        steps++;
    }
    /* Full batches, then one step that finds the rest. */
    assert_true(steps >= 5 && steps <= 6);
    assert_in_sync(rib, m, BOTH);
    assert_int_equal(m->n_announced, 5000);
    /* Up to date: nothing more, however often asked. */
    assert_false(step(rib, 0, m));
    bgp_rib_destroy(rib);
    free(m);
}

static void
test_families_filter(void **state)
{
    struct bgp_rib *rib = bgp_rib_create();
    struct model *m = model_new();

    announce_range(rib, 0, 10);
    announce_range(rib, V6_BASE, 10);
    bgp_rib_peer_start(rib, 3, 1u << BGP_AF_IPV6);
    drain(rib, 3, m);
    assert_in_sync(rib, m, 1u << BGP_AF_IPV6);
    /* Later changes of the other family do not reach it either. */
    announce_range(rib, 10, 10);
    withdraw_range(rib, 0, 5);
    assert_false(step(rib, 3, m));
    announce_range(rib, V6_BASE + 10, 1);
    drain(rib, 3, m);
    assert_in_sync(rib, m, 1u << BGP_AF_IPV6);
    bgp_rib_destroy(rib);
    free(m);
}

/* Changes while the table walk is under way: a withdrawn prefix the peer
 * got is withdrawn once, one it did not get is never sent, and nothing is
 * left behind. */
static void
test_withdraw_during_walk(void **state)
{
    struct bgp_rib *rib = bgp_rib_create();
    struct model *m = model_new();

    announce_range(rib, 0, 5000);
    bgp_rib_peer_start(rib, 0, BOTH);
    assert_true(step(rib, 0, m));
    assert_int_equal(m->n, BGP_RIB_BATCH);
    size_t had = 0;
    for (uint32_t k = 0; k < 5000; k += 2) {
        had += m->has[k];
    }
    for (uint32_t k = 0; k < 5000; k += 2) {
        struct bgp_prefix p = prefix(k);
        assert_true(bgp_rib_withdraw(rib, &p));
    }
    /* The ones the peer has stay as tombstones until it is told. */
    assert_int_equal(bgp_rib_count(rib), 2500);
    assert_int_equal(bgp_rib_n_entries(rib), 2500 + had);
    /* The withdrawals come first, in one step. */
    assert_true(step(rib, 0, m));
    assert_int_equal(m->n_withdrawn, had);
    assert_int_equal(bgp_rib_n_entries(rib), 2500);
    drain(rib, 0, m);
    assert_in_sync(rib, m, BOTH);
    for (uint32_t k = 0; k < 5000; k++) {
        assert_true(m->announced[k] <= 1);
    }
    bgp_rib_destroy(rib);
    free(m);
}

/* Latest state wins: a prefix withdrawn and announced again before the
 * peer gets to it costs nothing; announced and withdrawn, nothing
 * either. */
static void
test_latest_state_wins(void **state)
{
    struct bgp_rib *rib = bgp_rib_create();
    struct model *m = model_new();

    announce_range(rib, 0, 100);
    bgp_rib_peer_start(rib, 0, BOTH);
    drain(rib, 0, m);
    withdraw_range(rib, 0, 10);
    announce_range(rib, 0, 10);
    announce_range(rib, 100, 10);
    withdraw_range(rib, 100, 10);
    /* Queued for the peer: kept until it gets to them. */
    assert_int_equal(bgp_rib_n_entries(rib), 110);
    size_t before = m->n_announced;
    drain(rib, 0, m);
    assert_int_equal(m->n_announced, before);
    assert_int_equal(m->n_withdrawn, 0);
    assert_int_equal(bgp_rib_n_entries(rib), 100);
    assert_in_sync(rib, m, BOTH);
    bgp_rib_destroy(rib);
    free(m);
}

/* A tombstone stays until the last peer that had it was told. */
static void
test_tombstone_until_every_peer_told(void **state)
{
    struct bgp_rib *rib = bgp_rib_create();
    struct model *a = model_new(), *b = model_new();

    announce_range(rib, 0, 50);
    bgp_rib_peer_start(rib, 0, BOTH);
    bgp_rib_peer_start(rib, 31, BOTH);
    drain(rib, 0, a);
    drain(rib, 31, b);
    withdraw_range(rib, 0, 20);
    assert_int_equal(bgp_rib_n_entries(rib), 50);
    drain(rib, 0, a);
    assert_int_equal(bgp_rib_n_entries(rib), 50);
    drain(rib, 31, b);
    assert_int_equal(bgp_rib_n_entries(rib), 30);
    assert_in_sync(rib, a, BOTH);
    assert_in_sync(rib, b, BOTH);
    /* Withdrawn with no peer having it: gone at once. */
    bgp_rib_peer_stop(rib, 0);
    bgp_rib_peer_stop(rib, 31);
    withdraw_range(rib, 20, 30);
    assert_int_equal(bgp_rib_n_entries(rib), 0);
    bgp_rib_destroy(rib);
    free(a);
    free(b);
}

/* The peer goes down with withdrawals due and comes back: the due ones
 * are dropped with it, and the new session gets the set once. */
static void
test_peer_down_and_up_again(void **state)
{
    struct bgp_rib *rib = bgp_rib_create();
    struct model *m = model_new();

    announce_range(rib, 0, 3000);
    bgp_rib_peer_start(rib, 1, BOTH);
    drain(rib, 1, m);
    withdraw_range(rib, 0, 1000);
    announce_range(rib, 3000, 10);
    assert_int_equal(bgp_rib_n_entries(rib), 3010);
    bgp_rib_peer_stop(rib, 1);
    assert_int_equal(bgp_rib_peer_sent(rib, 1), 0);
    assert_int_equal(bgp_rib_n_entries(rib), 2010);
    /* Down: changes do not queue for it. */
    withdraw_range(rib, 1000, 10);
    assert_int_equal(bgp_rib_n_entries(rib), 2000);
    assert_false(bgp_rib_peer_next(rib, 1, &batch));

    memset(m, 0, sizeof *m);
    bgp_rib_peer_start(rib, 1, BOTH);
    drain(rib, 1, m);
    assert_in_sync(rib, m, BOTH);
    assert_int_equal(m->n_announced, 2000);
    assert_int_equal(m->n_withdrawn, 0);
    /* Stopped in the middle of its table: the same. */
    bgp_rib_peer_stop(rib, 1);
    memset(m, 0, sizeof *m);
    bgp_rib_peer_start(rib, 1, BOTH);
    assert_true(step(rib, 1, m));
    withdraw_range(rib, 1010, 100);
    bgp_rib_peer_stop(rib, 1);
    assert_int_equal(bgp_rib_n_entries(rib), 1900);
    memset(m, 0, sizeof *m);
    bgp_rib_peer_start(rib, 1, BOTH);
    drain(rib, 1, m);
    assert_in_sync(rib, m, BOTH);
    bgp_rib_destroy(rib);
    free(m);
}

/* A route refresh sends the family's prefixes again, once each; a
 * withdrawal due stays due; the other family is left alone. */
static void
test_route_refresh(void **state)
{
    struct bgp_rib *rib = bgp_rib_create();
    struct model *m = model_new();

    announce_range(rib, 0, 2000);
    announce_range(rib, V6_BASE, 100);
    bgp_rib_peer_start(rib, 0, BOTH);
    drain(rib, 0, m);
    withdraw_range(rib, 0, 5);
    bgp_rib_peer_refresh(rib, 0, 1u << BGP_AF_IPV4);
    /* The peer's view: it still has everything, and is told again. */
    memset(m->announced, 0, sizeof m->announced);
    for (uint32_t k = 0; k < 2000; k++) {
        m->has[k] = 0;
    }
    m->n = 100 + 5;
    for (uint32_t k = 0; k < 5; k++) {
        m->has[k] = 1;
    }
    m->n_announced = m->n_withdrawn = 0;
    drain(rib, 0, m);
    assert_in_sync(rib, m, BOTH);
    assert_int_equal(m->n_withdrawn, 5);
    assert_int_equal(m->n_announced, 1995);
    assert_int_equal(bgp_rib_n_entries(rib), 2095);
    /* During the initial walk too: still once each. */
    bgp_rib_peer_stop(rib, 0);
    memset(m, 0, sizeof *m);
    bgp_rib_peer_start(rib, 0, BOTH);
    assert_true(step(rib, 0, m));
    bgp_rib_peer_refresh(rib, 0, BOTH);
    for (uint32_t k = 0; k < UNIVERSE; k++) {
        m->has[k] = 0;
    }
    m->n = 0;
    drain(rib, 0, m);
    assert_in_sync(rib, m, BOTH);
    for (uint32_t k = 0; k < UNIVERSE; k++) {
        assert_true(m->announced[k] <= 2);
    }
    bgp_rib_destroy(rib);
    free(m);
}

/* The map grows and shrinks under a walk (which then starts over):
 * every prefix still goes out exactly once. */
static void
test_walk_survives_resizes(void **state)
{
    struct bgp_rib *rib = bgp_rib_create();
    struct model *m = model_new();

    announce_range(rib, 0, 3000);
    bgp_rib_peer_start(rib, 0, BOTH);
    assert_true(step(rib, 0, m));
    announce_range(rib, 3000, 150000);
    assert_true(step(rib, 0, m));
    /* Most of what is not sent yet goes: the map shrinks. */
    for (uint32_t k = 0; k < 153000; k++) {
        struct bgp_prefix p = prefix(k);
        if (!m->has[k] && k % 64) {
            assert_true(bgp_rib_withdraw(rib, &p));
        }
    }
    drain(rib, 0, m);
    assert_in_sync(rib, m, BOTH);
    for (uint32_t k = 0; k < 153000; k++) {
        assert_true(m->announced[k] <= 1);
    }
    assert_int_equal(bgp_rib_n_entries(rib), bgp_rib_count(rib));

    /* Shrinking moves entries the walk has not reached below where it
     * was, and only the walk would send them (nothing queued them). */
    bgp_rib_peer_stop(rib, 0);
    for (uint32_t k = 0; k < 153000; k++) {
        struct bgp_prefix p = prefix(k);
        bgp_rib_withdraw(rib, &p);
    }
    assert_int_equal(bgp_rib_n_entries(rib), 0);
    announce_range(rib, 0, 100000);
    memset(m, 0, sizeof *m);
    bgp_rib_peer_start(rib, 0, BOTH);
    for (int i = 0; i < 3; i++) {
        assert_true(step(rib, 0, m));
    }
    for (uint32_t k = 0; k < 100000; k++) {
        struct bgp_prefix p = prefix(k);
        if (!m->has[k] && k % 64) {
            assert_true(bgp_rib_withdraw(rib, &p));
        }
    }
    drain(rib, 0, m);
    assert_in_sync(rib, m, BOTH);
    bgp_rib_destroy(rib);
    free(m);
}

/* Everything withdrawn, everything announced again: the entries' memory
 * is reused. */
static void
test_empty_and_refill(void **state)
{
    struct bgp_rib *rib = bgp_rib_create();
    struct model *m = model_new();

    bgp_rib_peer_start(rib, 0, BOTH);
    for (int round = 0; round < 3; round++) {
        announce_range(rib, 0, 5000);
        drain(rib, 0, m);
        withdraw_range(rib, 0, 5000);
        drain(rib, 0, m);
        assert_int_equal(m->n, 0);
        assert_int_equal(bgp_rib_n_entries(rib), 0);
    }
    bgp_rib_destroy(rib);
    free(m);
}

/* Random operations on a few peers against the model. */
static void
test_random_against_model(void **state)
{
    enum { N_PEERS = 3, KEYS = 400, OPS = 60000 };
    static const uint32_t base[2] = { 0, V6_BASE };
    struct bgp_rib *rib = bgp_rib_create();
    struct model *m[N_PEERS];
    uint8_t fams[N_PEERS] = { BOTH, 1u << BGP_AF_IPV4, BOTH };
    bool started[N_PEERS] = { false };
    unsigned int seed = 4724;

    for (int i = 0; i < N_PEERS; i++) {
        m[i] = model_new();
    }
    for (int op = 0; op < OPS; op++) {
        int r = rand_r(&seed) % 100;
        unsigned int peer = rand_r(&seed) % N_PEERS;
        uint32_t k = base[rand_r(&seed) % 2] + rand_r(&seed) % KEYS;
        struct bgp_prefix p = prefix(k);

        if (r < 35) {
            bgp_rib_announce(rib, &p);
        } else if (r < 60) {
            bgp_rib_withdraw(rib, &p);
        } else if (r < 90) {
            if (started[peer]) {
                step(rib, peer, m[peer]);
            }
        } else if (r < 94) {
            bgp_rib_peer_stop(rib, peer);
            for (int f = 0; f < 2; f++) {
                memset(&m[peer]->has[base[f]], 0, KEYS);
            }
            m[peer]->n = 0;
            started[peer] = false;
        } else if (r < 97) {
            if (!started[peer]) {
                bgp_rib_peer_start(rib, peer, fams[peer]);
                started[peer] = true;
            }
        } else if (started[peer]) {
            /* After a refresh the peer may be told again what it has. */
            uint8_t afs = 1u << (rand_r(&seed) % 2);
            bgp_rib_peer_refresh(rib, peer, afs);
            for (int f = 0; f < 2; f++) {
                for (uint32_t j = base[f]; j < base[f] + KEYS; j++) {
                    struct bgp_prefix q = prefix(j);
                    if (m[peer]->has[j] && (afs & (1u << q.af))
                        && bgp_rib_has(rib, &q)) {
                        m[peer]->has[j] = 0;
                        m[peer]->n--;
                    }
                }
            }
        }
    }
    for (int i = 0; i < N_PEERS; i++) {
        if (started[i]) {
            drain(rib, i, m[i]);
            assert_in_sync(rib, m[i], fams[i]);
        }
    }
    /* Every peer up to date: no tombstone is left. */
    assert_int_equal(bgp_rib_n_entries(rib), bgp_rib_count(rib));
    bgp_rib_destroy(rib);
    for (int i = 0; i < N_PEERS; i++) {
        free(m[i]);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_in_batches_then_eor),
        cmocka_unit_test(test_families_filter),
        cmocka_unit_test(test_withdraw_during_walk),
        cmocka_unit_test(test_latest_state_wins),
        cmocka_unit_test(test_tombstone_until_every_peer_told),
        cmocka_unit_test(test_peer_down_and_up_again),
        cmocka_unit_test(test_route_refresh),
        cmocka_unit_test(test_walk_survives_resizes),
        cmocka_unit_test(test_empty_and_refill),
        cmocka_unit_test(test_random_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
