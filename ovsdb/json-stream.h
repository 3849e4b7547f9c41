/*
 * An incremental (push, SAX-style) JSON tokenizer.  Plain libc.
 *
 * The caller feeds bytes as they arrive, in pieces split anywhere, and the
 * tokenizer reports each token to a callback as soon as it is complete.  It
 * keeps only the token being read (one growing buffer) and a stack of the
 * open containers, never the document, so a monitor reply of tens of MB can
 * be decoded row by row.
 *
 * The input is a sequence of JSON texts (RFC 8259), with optional
 * whitespace before, between and after them; any value may stand at the top
 * level.  Containers and strings may follow each other directly ("{}{}"),
 * but a top-level number or literal must be followed by whitespace before
 * the next value.  The grammar is RFC 8259's, strictly: valid UTF-8 only,
 * the standard escapes only, no "\u0000", no unescaped control characters,
 * no lone surrogates, no leading zeros, no trailing commas.
 *
 * The events, the result and the error message depend only on the bytes,
 * never on how they were split between calls.
 */
#ifndef OVSDB_JSON_STREAM_H
#define OVSDB_JSON_STREAM_H 1

#include <limits.h>
#include <stddef.h>

enum jstream_event {
    JSTREAM_OBJECT_START,
    JSTREAM_OBJECT_END,
    JSTREAM_ARRAY_START,
    JSTREAM_ARRAY_END,
    JSTREAM_KEY,                /* An object member's name: s, len. */
    JSTREAM_STRING,             /* s, len: unescaped UTF-8. */
    JSTREAM_NUMBER,             /* s, len: the number's text as it was. */
    JSTREAM_TRUE,
    JSTREAM_FALSE,
    JSTREAM_NULL,
    JSTREAM_END,                /* One top-level value is complete. */
};

/* Returns a name for 'event' ("OBJECT_START", ...), for messages. */
const char *jstream_event_name(enum jstream_event event);

/* Called once for each event.  For KEY, STRING and NUMBER, 's' holds 'len'
 * bytes, none of them NUL.  They are not followed by a NUL: a string that
 * lies whole in the input being fed is handed over where it lies, without
 * a copy.  's' is valid only until the callback returns.  For the other
 * events 's' is NULL and 'len' is 0.
 *
 * Returns 0 to go on.  Any other value stops the stream: jstream_feed()
 * returns it, and the stream stays stopped until jstream_reset().  (Do not
 * return JSTREAM_ERROR, which means bad input, nor JSTREAM_PAUSED.)
 *
 * During the callback jstream_depth() is the number of open containers,
 * counting an object or array that has just started and not counting one
 * that has just ended, and jstream_offset() counts the bytes up to the end
 * of the event's token.  The callback must not feed, reset or destroy the
 * stream. */
typedef int jstream_cb(void *aux, enum jstream_event, const char *s,
                       size_t len);

/* Bad input, or a limit reached. */
#define JSTREAM_ERROR INT_MIN

/* Bounds on what the input can make the tokenizer hold; 0 means the
 * default. */
struct jstream_limits {
    size_t max_depth;           /* Open containers; default 128. */
    size_t max_token;           /* Bytes in one key, string (unescaped) or
                                 * number; default 64 MiB. */
};
#define JSTREAM_DEFAULT_MAX_DEPTH 128
#define JSTREAM_DEFAULT_MAX_TOKEN ((size_t) 64 << 20)

/* Returns a new stream that reports to 'cb', or NULL if out of memory.
 * 'limits' may be NULL, for the defaults. */
struct jstream *jstream_create(jstream_cb *cb, void *aux,
                               const struct jstream_limits *limits);
void jstream_destroy(struct jstream *);

/* Tokenizes the next 'n' bytes of input.  Returns 0 if all of them were
 * taken, JSTREAM_ERROR on bad input or a limit (see jstream_error()), or
 * the non-zero value a callback returned.  Once stopped, a stream takes no
 * more input: every later call returns the same value at once. */
int jstream_feed(struct jstream *, const void *data, size_t n);

/* Tells the stream that the input has ended: completes a top-level number
 * still waiting for the byte after it, then returns 0 if the input ended
 * between two top-level values, JSTREAM_ERROR if it ended inside one, or
 * the value a callback returned.  A stream that was already stopped returns
 * the same value again.  After 0, more input may still be fed, as though
 * it came after whitespace. */
int jstream_finish(struct jstream *);

/* Called from the callback of OBJECT_START, ARRAY_START or KEY: the rest of
 * that container (for KEY, the member's value) still goes through the
 * tokenizer, with the same checks and limits, but produces no events, not
 * even its OBJECT_END or ARRAY_END.  The END that closes a top-level value
 * is still reported.  Anywhere else it does nothing. */
void jstream_skip(struct jstream *);

/* Called from a callback: once the event's token is read (and, for KEY,
 * the ':' after it, if it is there), jstream_feed() returns JSTREAM_PAUSED
 * rather than going on.  The stream is not stopped: jstream_offset() then
 * counts the bytes consumed, and the caller feeds the rest of the piece
 * again, from there, when it wants to.  In jstream_finish() it does
 * nothing. */
void jstream_pause(struct jstream *);

/* What jstream_feed() returns after jstream_pause(); not an error. */
#define JSTREAM_PAUSED (INT_MIN + 1)

/* After a pause in an object, right after its '{' or after one of its
 * members: the caller has read the next 'n' bytes of input itself, and
 * they are whole members of that object, each with the comma before it
 * (none before the first if the object had none yet), e.g. ,"a":1,"b":[].
 * The stream goes on after them, as though it had read them, but reports
 * none of their events.  The caller vouches for them: they are what the
 * tokenizer would have taken, within its limits.  Aborts if the stream is
 * not between the members of an object. */
void jstream_take_members(struct jstream *, size_t n);

/* The number of containers open now. */
size_t jstream_depth(const struct jstream *);

/* Why the stream stopped, starting with the byte offset (counted from 0
 * since the stream was created or reset) of the byte at which the input
 * became invalid, e.g. "byte 1234: invalid escape \q", or "byte N: stopped
 * by the callback (V)" after a callback's V.  NULL if the stream has not
 * stopped. */
const char *jstream_error(const struct jstream *);

/* The number of bytes consumed since the stream was created or reset.
 * After an error, it is the offset in the message: the bytes before the
 * one at fault. */
unsigned long long jstream_offset(const struct jstream *);

/* Takes the stream back to the start, error cleared, ready for a new
 * connection; the limits and callback stay. */
void jstream_reset(struct jstream *);

#endif /* ovsdb/json-stream.h */
