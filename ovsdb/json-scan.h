/*
 * The string scan the JSON tokenizer (json-stream.c) and the update
 * decoder's row shortcut (update-decoder.c) share, so that both take the
 * same strings as valid: inline, internal to ovsdb/.
 */
#ifndef OVSDB_JSON_SCAN_H
#define OVSDB_JSON_SCAN_H 1

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* SSE2 is part of x86-64; elsewhere, or with JSTREAM_NO_SIMD (which the
 * tests use to try the other path), strings are scanned 8 bytes at a time
 * in a 64-bit word. */
#if defined(__SSE2__) && !defined(JSTREAM_NO_SIMD)
#include <emmintrin.h>
#define JSTREAM_SSE2 1
#endif

/* Bytes that stand for themselves in a string. */
static const unsigned char plain[256] = {
    [0x20 ... 0x21] = 1,
    [0x23 ... 0x5b] = 1,
    [0x5d ... 0x7f] = 1,
};

static inline bool
is_space(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static inline bool
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Returns the first byte from 'p' on that is not plain (see 'plain'), or
 * 'end'.  Bytes from 0x80 up count as not plain: string_run() takes whole
 * UTF-8 sequences. */
static inline const unsigned char *
plain_run(const unsigned char *p, const unsigned char *end)
{
#ifdef JSTREAM_SSE2
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(' ');

    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *) p);
        /* The comparison is signed, so bytes from 0x80 up are below ' '
         * too: one test for control characters and non-ASCII. */
        __m128i special = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                         _mm_cmpeq_epi8(v, backslash)),
            _mm_cmplt_epi8(v, space));
        unsigned int mask = _mm_movemask_epi8(special);

        if (mask) {
            return p + __builtin_ctz(mask);
        }
        p += 16;
    }
#else
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t highs = ones * 0x80;

    while (end - p >= 8) {
        uint64_t w, q, b, special;

        memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        /* The first byte lowest, as the borrows below want. */
        w = __builtin_bswap64(w);
#endif
        q = w ^ (ones * '"');
        b = w ^ (ones * '\\');
        /* (x - ones) & ~x has the high bit of a byte set where x has a 0
         * byte, (w - 0x20 * ones) & ~w where w has one below 0x20, and w
         * itself where w has one from 0x80 up.  A borrow can set bits above
         * a byte that is special, never below: the lowest bit set marks the
         * first special byte. */
        special = ((q - ones) & ~q) | ((b - ones) & ~b)
                  | ((w - ones * 0x20) & ~w) | w;
        special &= highs;
        if (special) {
            return p + __builtin_ctzll(special) / 8;
        }
        p += 8;
    }
#endif
    while (p < end && plain[*p]) {
        p++;
    }
    return p;
}

/* For 'c', the first byte of a UTF-8 sequence, sets '*need' to the number
 * of continuation bytes and '*lo' and '*hi' to the bounds of the first of
 * them (which rule out overlong forms, surrogates and code points above
 * U+10FFFF).  Returns false if 'c' cannot start a sequence. */
static inline bool
utf8_bounds(unsigned char c, unsigned int *need, unsigned char *lo,
            unsigned char *hi)
{
    *lo = 0x80;
    *hi = 0xbf;
    if (c < 0xc2) {
        return false;
    } else if (c < 0xe0) {
        *need = 1;
    } else if (c < 0xf0) {
        *need = 2;
        *lo = c == 0xe0 ? 0xa0 : 0x80;
        *hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c < 0xf5) {
        *need = 3;
        *lo = c == 0xf0 ? 0x90 : 0x80;
        *hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return false;
    }
    return true;
}

/* Returns the first byte from 'p' on that is neither plain nor part of a
 * valid UTF-8 sequence that ends before 'end', or 'end'.  Sequences that
 * are cut or invalid are left to the byte-by-byte steps, which know what
 * to say about them. */
static inline const unsigned char *
string_run(const unsigned char *p, const unsigned char *end)
{
    for (;;) {
        unsigned int need;
        unsigned char lo, hi;

        p = plain_run(p, end);
        if (p == end || *p < 0x80 || !utf8_bounds(*p, &need, &lo, &hi)
            || end - p <= need || p[1] < lo || p[1] > hi) {
            return p;
        }
        for (unsigned int i = 2; i <= need; i++) {
            if ((p[i] & 0xc0) != 0x80) {
                return p;
            }
        }
        p += need + 1;
    }
}

#endif /* ovsdb/json-scan.h */
