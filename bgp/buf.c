/*
 * Bounds-checked byte buffers for the BGP wire codec.  See buf.h.
 */
#include "bgp/buf.h"

#include <stdlib.h>
#include <string.h>

/* Readers. */

void
bgp_reader_init(struct bgp_reader *r, const void *data, size_t len)
{
    r->p = data;
    r->left = data ? len : 0;
}

int
bgp_get_bytes(struct bgp_reader *r, void *dst, size_t n)
{
    if (r->left < n) {
        return -1;
    }
    if (n) {
        memcpy(dst, r->p, n);
    }
    r->p += n;
    r->left -= n;
    return 0;
}

int
bgp_skip(struct bgp_reader *r, size_t n)
{
    if (r->left < n) {
        return -1;
    }
    r->p += n;
    r->left -= n;
    return 0;
}

int
bgp_get_u8(struct bgp_reader *r, uint8_t *v)
{
    if (r->left < 1) {
        return -1;
    }
    *v = r->p[0];
    r->p++;
    r->left--;
    return 0;
}

int
bgp_get_u16(struct bgp_reader *r, uint16_t *v)
{
    if (r->left < 2) {
        return -1;
    }
    *v = (uint16_t) (r->p[0] << 8 | r->p[1]);
    r->p += 2;
    r->left -= 2;
    return 0;
}

int
bgp_get_u32(struct bgp_reader *r, uint32_t *v)
{
    if (r->left < 4) {
        return -1;
    }
    *v = ((uint32_t) r->p[0] << 24 | (uint32_t) r->p[1] << 16
          | (uint32_t) r->p[2] << 8 | r->p[3]);
    r->p += 4;
    r->left -= 4;
    return 0;
}

int
bgp_get_reader(struct bgp_reader *r, size_t n, struct bgp_reader *child)
{
    if (r->left < n) {
        return -1;
    }
    child->p = r->p;
    child->left = n;
    r->p += n;
    r->left -= n;
    return 0;
}

/* Writers. */

void
bgp_writer_init_fixed(struct bgp_writer *w, void *buf, size_t size)
{
    w->buf = buf;
    w->len = 0;
    w->size = buf ? size : 0;
    w->limit = w->size;
    w->growable = false;
    w->failed = false;
}

void
bgp_writer_init_dynamic(struct bgp_writer *w, size_t limit)
{
    w->buf = NULL;
    w->len = 0;
    w->size = 0;
    w->limit = limit;
    w->growable = true;
    w->failed = false;
}

void
bgp_writer_destroy(struct bgp_writer *w)
{
    if (w->growable) {
        free(w->buf);
    }
    w->buf = NULL;
    w->len = w->size = w->limit = 0;
    w->failed = true;
}

void
bgp_writer_clear(struct bgp_writer *w)
{
    w->len = 0;
    w->failed = false;
}

void
bgp_writer_fail(struct bgp_writer *w)
{
    w->failed = true;
}

/* Makes room for 'n' more bytes and returns where they go, or returns NULL
 * and fails the writer. */
static uint8_t *
writer_extend(struct bgp_writer *w, size_t n)
{
    if (w->failed) {
        return NULL;
    }
    if (n > w->limit - w->len) {
        w->failed = true;
        return NULL;
    }
    if (n > w->size - w->len) {
        /* Only a growable writer can get here: a fixed one has
         * limit == size. */
        size_t need = w->len + n;
        size_t size = w->size ? w->size : 256;
        uint8_t *buf;

        while (size < need) {
            size = size > SIZE_MAX / 2 ? need : size * 2;
        }
        if (size > w->limit) {
            size = w->limit;
        }
        buf = realloc(w->buf, size);
        if (!buf) {
            w->failed = true;
            return NULL;
        }
        w->buf = buf;
        w->size = size;
    }

    uint8_t *p = w->buf + w->len;
    w->len += n;
    return p;
}

void
bgp_put_bytes(struct bgp_writer *w, const void *data, size_t n)
{
    uint8_t *p = writer_extend(w, n);
    if (p && n) {
        memcpy(p, data, n);
    }
}

void
bgp_put_zeros(struct bgp_writer *w, size_t n)
{
    uint8_t *p = writer_extend(w, n);
    if (p && n) {
        memset(p, 0, n);
    }
}

void
bgp_put_u8(struct bgp_writer *w, uint8_t v)
{
    uint8_t *p = writer_extend(w, 1);
    if (p) {
        p[0] = v;
    }
}

void
bgp_put_u16(struct bgp_writer *w, uint16_t v)
{
    uint8_t *p = writer_extend(w, 2);
    if (p) {
        p[0] = v >> 8;
        p[1] = v;
    }
}

void
bgp_put_u32(struct bgp_writer *w, uint32_t v)
{
    uint8_t *p = writer_extend(w, 4);
    if (p) {
        p[0] = v >> 24;
        p[1] = v >> 16;
        p[2] = v >> 8;
        p[3] = v;
    }
}

void
bgp_patch_u16(struct bgp_writer *w, size_t pos, uint16_t v)
{
    if (w->failed) {
        return;
    }
    if (pos > w->len || w->len - pos < 2) {
        w->failed = true;
        return;
    }
    w->buf[pos] = v >> 8;
    w->buf[pos + 1] = v;
}

struct bgp_len_mark
bgp_put_len_begin(struct bgp_writer *w, size_t width)
{
    struct bgp_len_mark mark = { .pos = w->len, .width = width };

    if (width != 1 && width != 2) {
        w->failed = true;
    }
    bgp_put_zeros(w, width);
    return mark;
}

void
bgp_put_len_end(struct bgp_writer *w, struct bgp_len_mark mark)
{
    size_t body;

    if (w->failed) {
        return;
    }
    if (mark.pos > w->len || w->len - mark.pos < mark.width) {
        w->failed = true;
        return;
    }
    body = w->len - (mark.pos + mark.width);
    if (mark.width == 1 && body <= UINT8_MAX) {
        w->buf[mark.pos] = body;
    } else if (mark.width == 2 && body <= UINT16_MAX) {
        bgp_patch_u16(w, mark.pos, body);
    } else {
        w->failed = true;
    }
}
