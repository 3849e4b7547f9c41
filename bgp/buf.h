/*
 * Bounds-checked byte buffers for the BGP wire codec.
 *
 * A reader walks a byte range it does not own.  Every get either succeeds
 * in full or fails, leaving the reader and the output untouched; no get
 * ever reads past the range.  A TLV body is carved out as a child reader of
 * exactly its length, so a bad inner length cannot reach the bytes after
 * it.
 *
 * A writer appends to either a caller's fixed buffer or a heap buffer that
 * grows on demand, never past a hard limit.  Errors (no room, no memory, a
 * length that does not fit its field) are sticky: once a put fails, every
 * later put does nothing and bgp_writer_ok() stays false, so a builder
 * writes a whole message and checks once at the end.
 *
 * Integers are big-endian (network order) on the wire.  Plain libc only.
 */
#ifndef BGP_BUF_H
#define BGP_BUF_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BGP_WARN_UNUSED __attribute__((__warn_unused_result__))

/* A read cursor over 'left' bytes at 'p'. */
struct bgp_reader {
    const uint8_t *p;
    size_t left;
};

void bgp_reader_init(struct bgp_reader *, const void *data, size_t len);

/* Returns the number of unread bytes. */
static inline size_t
bgp_reader_left(const struct bgp_reader *r)
{
    return r->left;
}

/* Returns a pointer to the first unread byte. */
static inline const uint8_t *
bgp_reader_data(const struct bgp_reader *r)
{
    return r->p;
}

/* Each get returns 0 on success and -1, consuming nothing, if fewer bytes
 * remain than it needs. */
int bgp_get_u8(struct bgp_reader *, uint8_t *) BGP_WARN_UNUSED;
int bgp_get_u16(struct bgp_reader *, uint16_t *) BGP_WARN_UNUSED;
int bgp_get_u32(struct bgp_reader *, uint32_t *) BGP_WARN_UNUSED;
int bgp_get_bytes(struct bgp_reader *, void *dst, size_t n) BGP_WARN_UNUSED;
int bgp_skip(struct bgp_reader *, size_t n) BGP_WARN_UNUSED;

/* Consumes the next 'n' bytes of 'r' and makes 'child' a reader over
 * exactly those bytes. */
int bgp_get_reader(struct bgp_reader *r, size_t n, struct bgp_reader *child)
    BGP_WARN_UNUSED;

/* An append buffer.  Treat the members as private. */
struct bgp_writer {
    uint8_t *buf;
    size_t len;                 /* Bytes written so far. */
    size_t size;                /* Bytes allocated at 'buf'. */
    size_t limit;               /* 'len' may never exceed this. */
    bool growable;              /* 'buf' is ours, from malloc(). */
    bool failed;                /* Sticky error. */
};

/* A writer into the caller's 'size' bytes at 'buf'. */
void bgp_writer_init_fixed(struct bgp_writer *, void *buf, size_t size);

/* A writer into a heap buffer that grows up to 'limit' bytes.  Call
 * bgp_writer_destroy() to free it. */
void bgp_writer_init_dynamic(struct bgp_writer *, size_t limit);
void bgp_writer_destroy(struct bgp_writer *);

/* Empties the writer and clears its error; keeps its buffer. */
void bgp_writer_clear(struct bgp_writer *);

static inline bool
bgp_writer_ok(const struct bgp_writer *w)
{
    return !w->failed;
}

static inline const uint8_t *
bgp_writer_data(const struct bgp_writer *w)
{
    return w->buf;
}

static inline size_t
bgp_writer_len(const struct bgp_writer *w)
{
    return w->len;
}

/* Returns how many more bytes may be written (0 after an error). */
static inline size_t
bgp_writer_room(const struct bgp_writer *w)
{
    return w->failed ? 0 : w->limit - w->len;
}

/* Marks the writer failed, e.g. for a value a builder cannot encode. */
void bgp_writer_fail(struct bgp_writer *);

void bgp_put_u8(struct bgp_writer *, uint8_t);
void bgp_put_u16(struct bgp_writer *, uint16_t);
void bgp_put_u32(struct bgp_writer *, uint32_t);
void bgp_put_bytes(struct bgp_writer *, const void *, size_t);
void bgp_put_zeros(struct bgp_writer *, size_t);

/* Overwrites the 2 bytes at offset 'pos', which must have been written. */
void bgp_patch_u16(struct bgp_writer *, size_t pos, uint16_t);

/* A length field reserved by bgp_put_len_begin(). */
struct bgp_len_mark {
    size_t pos;                 /* Offset of the field. */
    size_t width;               /* 1 or 2 bytes. */
};

/* Reserves a 'width'-byte (1 or 2) length field.  Write the body it
 * measures, then call bgp_put_len_end() to store the body's length; a body
 * too long for the field fails the writer. */
struct bgp_len_mark bgp_put_len_begin(struct bgp_writer *, size_t width);
void bgp_put_len_end(struct bgp_writer *, struct bgp_len_mark);

#endif /* bgp/buf.h */
