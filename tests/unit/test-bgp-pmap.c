/*
 * The prefix set of the BGP engine, and prefix parsing and formatting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bgp/pmap.h"

struct elem {
    struct bgp_pnode node;
};

static struct bgp_prefix
v4(uint32_t host_order, uint8_t len)
{
    struct bgp_prefix p;
    memset(&p, 0, sizeof p);
    p.af = BGP_AF_IPV4;
    p.len = len;
    p.addr[0] = host_order >> 24;
    p.addr[1] = host_order >> 16;
    p.addr[2] = host_order >> 8;
    p.addr[3] = host_order;
    return p;
}

static void
test_parse_and_format(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "10.16.0.0/16", "10.16.0.0/16" },
        { "10.16.1.2/16", "10.16.0.0/16" },   /* Host bits cleared. */
        { "10.16.0.5", "10.16.0.5/32" },
        { "0.0.0.0/0", "0.0.0.0/0" },
        { "fd00:10:16::/64", "fd00:10:16::/64" },
        { "fd00::1", "fd00::1/128" },
        { "fd00::ff/120", "fd00::/120" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct bgp_prefix p;
        char buf[BGP_PREFIX_STRLEN];
        assert_int_equal(bgp_prefix_parse(cases[i].in, &p), 0);
        assert_string_equal(bgp_prefix_format(&p, buf), cases[i].out);
    }
}

static void
test_parse_rejects(void **state)
{
    static const char *const bad[] = {
        "", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/1x",
        "10.0.0", "fd00::/129", "not-an-address", "10.0.0.0/8/8",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct bgp_prefix p;
        assert_int_equal(bgp_prefix_parse(bad[i], &p), -1);
    }
}

static void
test_equal_ignores_bits_past_length(void **state)
{
    struct bgp_prefix a = v4(0x0a100000, 16);
    struct bgp_prefix b = v4(0x0a10ffff, 16);
    struct bgp_prefix c = v4(0x0a100000, 17);
    struct bgp_prefix d = a;

    assert_true(bgp_prefix_equal(&a, &b));
    assert_int_equal(bgp_prefix_hash(&a), bgp_prefix_hash(&b));
    assert_false(bgp_prefix_equal(&a, &c));
    d.af = BGP_AF_IPV6;
    assert_false(bgp_prefix_equal(&a, &d));
}

static void
test_insert_find_remove_many(void **state)
{
    enum { N = 20000 };
    struct bgp_pmap m;
    struct elem *elems = calloc(N, sizeof *elems);

    bgp_pmap_init(&m);
    for (uint32_t i = 0; i < N; i++) {
        elems[i].node.prefix = v4(0x0a800000 + i, 32);
        bgp_pmap_insert(&m, &elems[i].node);
    }
    assert_int_equal(bgp_pmap_count(&m), N);
    for (uint32_t i = 0; i < N; i++) {
        struct bgp_prefix p = v4(0x0a800000 + i, 32);
        assert_ptr_equal(bgp_pmap_find(&m, &p), &elems[i].node);
    }
    struct bgp_prefix absent = v4(0x0b000000, 32);
    assert_null(bgp_pmap_find(&m, &absent));

    /* Remove the even ones; the odd ones stay findable. */
    for (uint32_t i = 0; i < N; i += 2) {
        bgp_pmap_remove(&m, &elems[i].node);
    }
    assert_int_equal(bgp_pmap_count(&m), N / 2);
    for (uint32_t i = 0; i < N; i++) {
        struct bgp_prefix p = v4(0x0a800000 + i, 32);
        struct bgp_pnode *found = bgp_pmap_find(&m, &p);
        if (i % 2) {
            assert_ptr_equal(found, &elems[i].node);
        } else {
            assert_null(found);
        }
    }

    /* Remove the rest; the table shrinks as it empties. */
    for (uint32_t i = 1; i < N; i += 2) {
        bgp_pmap_remove(&m, &elems[i].node);
    }
    assert_int_equal(bgp_pmap_count(&m), 0);
    assert_true(m.mask < 64);
    bgp_pmap_destroy(&m);
    free(elems);
}

static void
test_reserve_then_insert_resizes_nothing(void **state)
{
    enum { N = 10000 };
    struct bgp_pmap m;
    struct elem *elems = calloc(4 * N, sizeof *elems);

    bgp_pmap_init(&m);
    bgp_pmap_reserve(&m, N);
    size_t mask = m.mask;
    for (uint32_t i = 0; i < N; i++) {
        elems[i].node.prefix = v4(0x0a800000 + i, 32);
        elems[i].node.hash = bgp_prefix_hash(&elems[i].node.prefix);
        bgp_pmap_insert_hashed(&m, &elems[i].node);
    }
    assert_int_equal(m.mask, mask);
    for (uint32_t i = 0; i < N; i++) {
        struct bgp_prefix p = v4(0x0a800000 + i, 32);
        assert_ptr_equal(bgp_pmap_find_hashed(&m, &p, bgp_prefix_hash(&p)),
                         &elems[i].node);
    }
    /* Already room: nothing moves. */
    bgp_pmap_reserve(&m, N / 2);
    assert_int_equal(m.mask, mask);
    /* Filled up to the room the reservation made (two elements a
     * bucket), then one more: only that one grows the table. */
    size_t room = 2 * (m.mask + 1);
    assert_true(room >= N && room <= 4 * N);
    for (uint32_t i = N; i < room; i++) {
        elems[i].node.prefix = v4(0x0a800000 + i, 32);
        bgp_pmap_insert(&m, &elems[i].node);
    }
    assert_int_equal(m.mask, mask);
    elems[room].node.prefix = v4(0x0a800000 + room, 32);
    bgp_pmap_insert(&m, &elems[room].node);
    assert_int_equal(m.mask, 2 * mask + 1);
    bgp_pmap_destroy(&m);
    free(elems);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_format),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_equal_ignores_bits_past_length),
        cmocka_unit_test(test_insert_find_remove_many),
        cmocka_unit_test(test_reserve_then_insert_resizes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
