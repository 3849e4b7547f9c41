/*
 * An incremental JSON tokenizer: see json-stream.h.
 *
 * The tokenizer is a state machine whose whole state lives in struct
 * jstream, so that it can stop at the end of any piece of input and go on
 * with the next.  The common cases run in tight loops rather than one
 * state-machine step per byte: runs of string bytes (ASCII 16 bytes at a
 * time, and whole valid UTF-8 sequences), digits and whitespace are scanned
 * at once.  A string that lies whole in the piece being fed, without
 * escapes, goes to the callback where it lies, without a copy; any other
 * token is copied into the token buffer as it is read.  Escapes, UTF-8
 * sequences cut by the end of a piece or invalid, literals and punctuation
 * take one step per byte; each of these steps is a pure function of the
 * state and the byte, which is what makes the events independent of where
 * the input was split.
 *
 * Error offsets are those of the first byte that cannot be part of valid
 * input; a limit is reported at the first byte that would exceed it.
 */
#include "ovsdb/json-stream.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/json-scan.h"

/* The token buffer's size after creation and reset. */
#define TOKEN_INITIAL 256

#define MIN(A, B) ((A) < (B) ? (A) : (B))

/* skip_level when nothing is skipped. */
#define NO_SKIP SIZE_MAX

enum jstate {
    /* Between tokens: whitespace is skipped in these states. */
    S_TOP,                      /* Between top-level values. */
    S_VALUE,                    /* After ':', or ',' in an array. */
    S_VALUE_OR_END,             /* After '['. */
    S_KEY_OR_END,               /* After '{'. */
    S_KEY,                      /* After ',' in an object. */
    S_COLON,                    /* After a key. */
    S_AFTER,                    /* After a value in a container. */

    /* In a string. */
    S_STRING,                   /* Plain bytes. */
    S_ESCAPE,                   /* After a backslash. */
    S_HEX,                      /* In the 4 digits of \uXXXX. */
    S_LOW_BACKSLASH,            /* After a high surrogate's escape. */
    S_LOW_U,                    /* After its backslash. */
    S_UTF8,                     /* In a multi-byte UTF-8 sequence. */

    /* In a number: the part just read. */
    S_MINUS,
    S_ZERO,                     /* A leading zero. */
    S_INT,
    S_POINT,
    S_FRAC,
    S_EXP_MARK,                 /* 'e' or 'E'. */
    S_EXP_SIGN,
    S_EXP,

    S_LITERAL,                  /* In true, false or null. */

    S_STOPPED,
};

/* The kinds of open container, on the stack. */
enum { IN_ARRAY, IN_OBJECT };

struct jstream {
    jstream_cb *cb;
    void *aux;
    size_t max_depth;
    size_t max_token;

    enum jstate state;
    bool key;                   /* The string being read is a key. */
    bool need_space;            /* After a top-level number or literal. */
    size_t skip_level;          /* Skipping until a value ends here. */
    size_t skip_at;             /* What jstream_skip() sets it to, or
                                 * NO_SKIP outside the callbacks that may
                                 * skip. */

    /* The open containers, IN_ARRAY or IN_OBJECT each. */
    unsigned char *stack;
    size_t depth;
    size_t stack_cap;

    /* The token being read; always room for a NUL after it. */
    char *tok;
    size_t tok_len;
    size_t tok_cap;

    /* Escapes and UTF-8 sequences in progress. */
    unsigned int hex;           /* The \uXXXX digits so far. */
    unsigned int hex_n;         /* How many. */
    unsigned int high;          /* A high surrogate awaiting its pair. */
    unsigned int utf8_need;     /* Continuation bytes still to come. */
    unsigned char utf8_lead;    /* The sequence's first byte. */
    unsigned char utf8_lo;      /* Bounds of the next continuation byte. */
    unsigned char utf8_hi;

    /* A literal in progress. */
    const char *lit;
    size_t lit_pos;
    enum jstream_event lit_event;

    /* Offsets: 'chunk' is what jstream_feed() was given, 'base' the offset
     * of its first byte. */
    const unsigned char *chunk;
    unsigned long long base;
    unsigned long long offset;

    bool pause;                 /* jstream_pause() was called. */
    int stop;                   /* What stopped the stream. */
    char msg[160];
};

const char *
jstream_event_name(enum jstream_event event)
{
    switch (event) {
    case JSTREAM_OBJECT_START:
        return "OBJECT_START";
    case JSTREAM_OBJECT_END:
        return "OBJECT_END";
    case JSTREAM_ARRAY_START:
        return "ARRAY_START";
    case JSTREAM_ARRAY_END:
        return "ARRAY_END";
    case JSTREAM_KEY:
        return "KEY";
    case JSTREAM_STRING:
        return "STRING";
    case JSTREAM_NUMBER:
        return "NUMBER";
    case JSTREAM_TRUE:
        return "TRUE";
    case JSTREAM_FALSE:
        return "FALSE";
    case JSTREAM_NULL:
        return "NULL";
    case JSTREAM_END:
        return "END";
    }
    return "?";
}

/* ------------------------------------------------------------------------
 * Life cycle.
 */

struct jstream *
jstream_create(jstream_cb *cb, void *aux, const struct jstream_limits *limits)
{
    struct jstream *js = calloc(1, sizeof *js);

    if (!js) {
        return NULL;
    }
    js->cb = cb;
    js->aux = aux;
    js->max_depth = (limits && limits->max_depth
                     ? limits->max_depth : JSTREAM_DEFAULT_MAX_DEPTH);
    js->max_token = (limits && limits->max_token
                     ? limits->max_token : JSTREAM_DEFAULT_MAX_TOKEN);
    if (js->max_token > SIZE_MAX / 2) {
        js->max_token = SIZE_MAX / 2;
    }
    jstream_reset(js);
    if (!js->tok) {
        free(js);
        return NULL;
    }
    return js;
}

void
jstream_destroy(struct jstream *js)
{
    if (js) {
        free(js->stack);
        free(js->tok);
        free(js);
    }
}

void
jstream_reset(struct jstream *js)
{
    /* Give back what a huge token took, keep the rest.  The buffer never
     * has room for more than the longest token, so that tok_grow() sees
     * every token that would be too long. */
    size_t initial = MIN(TOKEN_INITIAL, js->max_token + 1);

    if (!js->tok || js->tok_cap > initial) {
        char *tok = realloc(js->tok, initial);

        if (tok) {
            js->tok = tok;
            js->tok_cap = initial;
        }
    }
    if (js->tok) {
        js->state = S_TOP;
        js->stop = 0;
    } else {
        js->state = S_STOPPED;
        js->stop = JSTREAM_ERROR;
        snprintf(js->msg, sizeof js->msg, "byte 0: out of memory");
    }
    js->key = false;
    js->need_space = false;
    js->skip_level = NO_SKIP;
    js->skip_at = NO_SKIP;
    js->depth = 0;
    js->tok_len = 0;
    js->hex = js->hex_n = js->high = 0;
    js->utf8_need = 0;
    js->lit = NULL;
    js->lit_pos = 0;
    js->chunk = NULL;
    js->base = js->offset = 0;
    js->pause = false;
}

size_t
jstream_depth(const struct jstream *js)
{
    return js->depth;
}

const char *
jstream_error(const struct jstream *js)
{
    return js->state == S_STOPPED ? js->msg : NULL;
}

unsigned long long
jstream_offset(const struct jstream *js)
{
    return js->offset;
}

void
jstream_skip(struct jstream *js)
{
    if (js->skip_at != NO_SKIP) {
        js->skip_level = js->skip_at;
    }
}

/* ------------------------------------------------------------------------
 * Helpers of the state machine.  Those that return int return 0 to go on,
 * else the value that stops the stream.
 */

/* The offset of 'p', in the piece of input being fed. */
static inline unsigned long long
pos(const struct jstream *js, const unsigned char *p)
{
    return js->base + (unsigned long long) (p - js->chunk);
}

static int
stop_with(struct jstream *js, int value, unsigned long long offset,
          const char *format, va_list args)
{
    int n = snprintf(js->msg, sizeof js->msg, "byte %llu: ", offset);

    vsnprintf(js->msg + n, sizeof js->msg - n, format, args);
    js->state = S_STOPPED;
    js->stop = value;
    js->offset = offset;
    return value;
}

/* Stops the stream with 'value', for what happened at 'offset'. */
static int __attribute__((format(printf, 4, 5)))
stop(struct jstream *js, int value, unsigned long long offset,
     const char *format, ...)
{
    va_list args;

    va_start(args, format);
    value = stop_with(js, value, offset, format, args);
    va_end(args);
    return value;
}

/* Stops the stream with JSTREAM_ERROR for bad input at 'p'. */
static int __attribute__((format(printf, 3, 4)))
fail(struct jstream *js, const unsigned char *p, const char *format, ...)
{
    va_list args;
    int value;

    va_start(args, format);
    value = stop_with(js, JSTREAM_ERROR, pos(js, p), format, args);
    va_end(args);
    return value;
}

struct byte_name {
    char s[8];
};

/* Names 'c' for a message: 'x' if printable, else 0xXX. */
static struct byte_name
name_byte(unsigned char c)
{
    struct byte_name name;

    if (c > 0x20 && c < 0x7f) {
        snprintf(name.s, sizeof name.s, "'%c'", c);
    } else {
        snprintf(name.s, sizeof name.s, "0x%02X", c);
    }
    return name;
}

/* Reports 'event' to the callback, unless it is being skipped.  'offset' is
 * the offset just after the event's token. */
static inline int
emit(struct jstream *js, enum jstream_event event, const char *s,
     size_t len, unsigned long long offset)
{
    int value;

    if (js->skip_level != NO_SKIP) {
        return 0;
    }
    js->offset = offset;
    if (event == JSTREAM_KEY) {
        js->skip_at = js->depth;
    } else if (event == JSTREAM_OBJECT_START
               || event == JSTREAM_ARRAY_START) {
        js->skip_at = js->depth - 1;
    }
    value = js->cb(js->aux, event, s, len);
    js->skip_at = NO_SKIP;
    if (value) {
        return stop(js, value, offset, "stopped by the callback (%d)",
                    value);
    }
    return 0;
}

/* A value has just ended, at the current depth; 'offset' is just after
 * it. */
static inline int
value_done(struct jstream *js, unsigned long long offset)
{
    if (js->skip_level == js->depth) {
        js->skip_level = NO_SKIP;
    }
    if (js->depth) {
        js->state = S_AFTER;
        return 0;
    }
    js->state = S_TOP;
    return emit(js, JSTREAM_END, NULL, 0, offset);
}

/* Makes room for 'n' more token bytes and a NUL.  'first' is the offset
 * of the input byte that gives the first of them; if 'together', that one
 * byte gives all of them, else each byte gives one, which matters only for
 * the offset reported when the token gets too long. */
static int
tok_grow(struct jstream *js, size_t n, unsigned long long first,
         bool together)
{
    size_t room = js->max_token - js->tok_len;
    size_t need, cap;
    char *tok;

    if (n > room) {
        return stop(js, JSTREAM_ERROR, together ? first : first + room,
                    "%s longer than %zu bytes",
                    (js->state >= S_MINUS && js->state <= S_EXP
                     ? "number" : js->key ? "object key" : "string"),
                    js->max_token);
    }
    need = js->tok_len + n + 1;
    cap = js->tok_cap;
    while (cap < need) {
        cap *= 2;
    }
    cap = MIN(cap, js->max_token + 1);
    tok = realloc(js->tok, cap);
    if (!tok) {
        return stop(js, JSTREAM_ERROR, first,
                    "out of memory for a token of %zu bytes", need - 1);
    }
    js->tok = tok;
    js->tok_cap = cap;
    return 0;
}

/* Adds the 'n' bytes at 's' to the token.  Either 's' is 'p', in the
 * input, and each byte stands for itself, or the input byte at 'p' made all
 * of them (an escape); that tells which byte a limit reports. */
static inline int
tok_add(struct jstream *js, const void *s, size_t n, const unsigned char *p)
{
    if (n >= js->tok_cap - js->tok_len) {
        int error = tok_grow(js, n, pos(js, p), s != (const void *) p);

        if (error) {
            return error;
        }
    }
    memcpy(js->tok + js->tok_len, s, n);
    js->tok_len += n;
    return 0;
}

/* Makes room on the stack for the container opened by the byte at 'p'. */
static int
stack_grow(struct jstream *js, const unsigned char *p)
{
    size_t cap = js->stack_cap ? js->stack_cap * 2 : 16;
    unsigned char *stack;

    cap = MIN(cap, js->max_depth);
    stack = realloc(js->stack, cap);
    if (!stack) {
        return fail(js, p, "out of memory for nesting %zu deep",
                    js->depth + 1);
    }
    js->stack = stack;
    js->stack_cap = cap;
    return 0;
}

/* Opens an object or array ('kind') with the byte at 'p'.  Inline, as
 * the fast path in scan() opens most containers. */
static inline int
open_container(struct jstream *js, const unsigned char *p,
               unsigned char kind)
{
    if (js->depth >= js->max_depth) {
        return fail(js, p, "nesting deeper than %zu", js->max_depth);
    }
    if (js->depth >= js->stack_cap) {
        int error = stack_grow(js, p);

        if (error) {
            return error;
        }
    }
    js->stack[js->depth++] = kind;
    js->state = kind == IN_OBJECT ? S_KEY_OR_END : S_VALUE_OR_END;
    return emit(js, (kind == IN_OBJECT
                     ? JSTREAM_OBJECT_START : JSTREAM_ARRAY_START),
                NULL, 0, pos(js, p) + 1);
}

static inline bool
in_object(const struct jstream *js)
{
    return js->stack[js->depth - 1] == IN_OBJECT;
}

/* Closes the innermost container with the byte at 'p'. */
static inline int
close_container(struct jstream *js, const unsigned char *p)
{
    unsigned long long next = pos(js, p) + 1;
    enum jstream_event event = (in_object(js) ? JSTREAM_OBJECT_END
                                : JSTREAM_ARRAY_END);
    int value;

    js->depth--;
    value = emit(js, event, NULL, 0, next);
    return value ? value : value_done(js, next);
}

/* Starts a string, or an object key if 'key', after its quote. */
static void
start_string(struct jstream *js, bool key)
{
    js->key = key;
    js->tok_len = 0;
    js->state = S_STRING;
}

static void
start_literal(struct jstream *js, const char *lit, enum jstream_event event)
{
    js->state = S_LITERAL;
    js->lit = lit;
    js->lit_pos = 1;
    js->lit_event = event;
}

/* Starts the value whose first byte is at 'p', and consumes that byte.
 * 'expected' says what was expected, for the message if it is not a
 * value. */
static int
start_value(struct jstream *js, const unsigned char *p, const char *expected)
{
    switch (*p) {
    case '{':
        return open_container(js, p, IN_OBJECT);
    case '[':
        return open_container(js, p, IN_ARRAY);
    case '"':
        start_string(js, false);
        return 0;
    case '-':
        js->state = S_MINUS;
        break;
    case '0':
        js->state = S_ZERO;
        break;
    case '1': case '2': case '3': case '4': case '5':
    case '6': case '7': case '8': case '9':
        js->state = S_INT;
        break;
    case 't':
        start_literal(js, "true", JSTREAM_TRUE);
        return 0;
    case 'f':
        start_literal(js, "false", JSTREAM_FALSE);
        return 0;
    case 'n':
        start_literal(js, "null", JSTREAM_NULL);
        return 0;
    default:
        return fail(js, p, "unexpected %s, expected %s",
                    name_byte(*p).s, expected);
    }
    /* A number. */
    js->key = false;
    js->tok_len = 0;
    return tok_add(js, p, 1, p);
}

/* A number (in the token) or a literal, 'event', has just ended; 'offset'
 * is just after it. */
static int
scalar_done(struct jstream *js, enum jstream_event event,
            unsigned long long offset)
{
    int value = (event == JSTREAM_NUMBER
                 ? emit(js, event, js->tok, js->tok_len, offset)
                 : emit(js, event, NULL, 0, offset));

    if (value) {
        return value;
    }
    js->need_space = !js->depth;
    return value_done(js, offset);
}

/* Appends code point 'cp' to the token in UTF-8; the byte at 'p' ended its
 * escape. */
static int
add_code_point(struct jstream *js, unsigned int cp, const unsigned char *p)
{
    unsigned char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = 0xc0 | (cp >> 6);
        u[1] = 0x80 | (cp & 0x3f);
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = 0xe0 | (cp >> 12);
        u[1] = 0x80 | ((cp >> 6) & 0x3f);
        u[2] = 0x80 | (cp & 0x3f);
        n = 3;
    } else {
        u[0] = 0xf0 | (cp >> 18);
        u[1] = 0x80 | ((cp >> 12) & 0x3f);
        u[2] = 0x80 | ((cp >> 6) & 0x3f);
        u[3] = 0x80 | (cp & 0x3f);
        n = 4;
    }
    return tok_add(js, u, n, p);
}

/* The byte at 'p' follows a backslash. */
static int
escape(struct jstream *js, const unsigned char *p)
{
    unsigned char c = *p;

    js->state = S_STRING;
    switch (c) {
    case '"':
    case '\\':
    case '/':
        break;
    case 'b':
        c = '\b';
        break;
    case 'f':
        c = '\f';
        break;
    case 'n':
        c = '\n';
        break;
    case 'r':
        c = '\r';
        break;
    case 't':
        c = '\t';
        break;
    case 'u':
        js->state = S_HEX;
        js->hex = 0;
        js->hex_n = 0;
        return 0;
    default:
        if (c > 0x20 && c < 0x7f) {
            return fail(js, p, "invalid escape \\%c", c);
        }
        return fail(js, p, "invalid escape: backslash before 0x%02X", c);
    }
    return tok_add(js, &c, 1, p);
}

/* The byte at 'p' is the next digit of a \uXXXX escape. */
static int
hex_digit(struct jstream *js, const unsigned char *p)
{
    unsigned char c = *p;
    unsigned int cp;

    if (is_digit(c)) {
        cp = c - '0';
    } else if (c >= 'a' && c <= 'f') {
        cp = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        cp = c - 'A' + 10;
    } else {
        return fail(js, p, "invalid hex digit %s in \\u escape",
                    name_byte(c).s);
    }
    js->hex = js->hex << 4 | cp;
    if (++js->hex_n < 4) {
        return 0;
    }

    cp = js->hex;
    js->state = S_STRING;
    if (js->high) {
        if (cp < 0xdc00 || cp > 0xdfff) {
            return fail(js, p, "high surrogate \\u%04X followed by \\u%04X,"
                        " not by a low surrogate", js->high, cp);
        }
        cp = 0x10000 + ((js->high - 0xd800) << 10) + (cp - 0xdc00);
        js->high = 0;
    } else if (cp >= 0xd800 && cp <= 0xdbff) {
        js->high = cp;
        js->state = S_LOW_BACKSLASH;
        return 0;
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        return fail(js, p, "lone low surrogate \\u%04X", cp);
    } else if (!cp) {
        return fail(js, p, "\\u0000 is not allowed in a string");
    }
    return add_code_point(js, cp, p);
}

/* The byte at 'p', 0x80 or above, starts a UTF-8 sequence. */
static int
utf8_lead(struct jstream *js, const unsigned char *p)
{
    unsigned char c = *p;

    if (!utf8_bounds(c, &js->utf8_need, &js->utf8_lo, &js->utf8_hi)) {
        if (c < 0xc0) {
            return fail(js, p, "invalid UTF-8: unexpected continuation"
                        " byte 0x%02X", c);
        } else if (c < 0xc2) {
            return fail(js, p, "invalid UTF-8: overlong sequence (lead"
                        " byte 0x%02X)", c);
        } else if (c < 0xf8) {
            return fail(js, p, "invalid UTF-8: code point above U+10FFFF"
                        " (lead byte 0x%02X)", c);
        }
        return fail(js, p, "invalid UTF-8: byte 0x%02X", c);
    }
    js->utf8_lead = c;
    js->state = S_UTF8;
    return tok_add(js, p, 1, p);
}

/* The byte at 'p' should continue a UTF-8 sequence. */
static int
utf8_next(struct jstream *js, const unsigned char *p)
{
    unsigned char c = *p;

    if (c < js->utf8_lo || c > js->utf8_hi) {
        unsigned char lead = js->utf8_lead;

        if (c < 0x80 || c > 0xbf) {
            return fail(js, p, "invalid UTF-8: truncated sequence (%s is"
                        " not a continuation byte)", name_byte(c).s);
        } else if (lead == 0xed) {
            return fail(js, p, "invalid UTF-8: encoded surrogate"
                        " (0xED 0x%02X)", c);
        } else if (lead == 0xf4) {
            return fail(js, p, "invalid UTF-8: code point above U+10FFFF"
                        " (0xF4 0x%02X)", c);
        }
        return fail(js, p, "invalid UTF-8: overlong sequence (0x%02X"
                    " 0x%02X)", lead, c);
    }
    js->utf8_lo = 0x80;
    js->utf8_hi = 0xbf;
    if (!--js->utf8_need) {
        js->state = S_STRING;
    }
    return tok_add(js, p, 1, p);
}

/* The string or key 's' (of 'len' bytes) ends with the quote at 'p'. */
static inline int
string_done(struct jstream *js, const char *s, size_t len,
            const unsigned char *p)
{
    unsigned long long next = pos(js, p) + 1;
    int value;

    if (js->key) {
        js->state = S_COLON;
        return emit(js, JSTREAM_KEY, s, len, next);
    }
    value = emit(js, JSTREAM_STRING, s, len, next);
    return value ? value : value_done(js, next);
}

/* The byte at 'p' is in a string but not plain. */
static int
string_special(struct jstream *js, const unsigned char *p)
{
    unsigned char c = *p;

    if (c == '"') {
        return string_done(js, js->tok, js->tok_len, p);
    } else if (c == '\\') {
        js->state = S_ESCAPE;
        return 0;
    } else if (c < 0x20) {
        return fail(js, p, "unescaped control character 0x%02X in a %s",
                    c, js->key ? "key" : "string");
    }
    return utf8_lead(js, p);
}

/* The byte at 'p' follows a number's part that may end it, in state
 * S_ZERO, S_INT, S_FRAC or S_EXP: it continues the number or ends it.
 * Returns 0 with '*consumed' set if it continues, and 0 with '*consumed'
 * clear if the number ended just before it. */
static int
number_next(struct jstream *js, const unsigned char *p, bool *consumed)
{
    unsigned char c = *p;
    enum jstate next;

    *consumed = true;
    if (c == '.' && (js->state == S_ZERO || js->state == S_INT)) {
        next = S_POINT;
    } else if ((c == 'e' || c == 'E') && js->state != S_EXP) {
        next = S_EXP_MARK;
    } else if (is_digit(c) && js->state == S_ZERO) {
        return fail(js, p, "leading zero in a number");
    } else {
        *consumed = false;
        return scalar_done(js, JSTREAM_NUMBER, pos(js, p));
    }
    js->state = next;
    return tok_add(js, p, 1, p);
}

/* The byte at 'p' must be a digit, after a number's part that cannot end
 * it: S_MINUS, S_POINT, S_EXP_MARK or S_EXP_SIGN. */
static int
number_digit(struct jstream *js, const unsigned char *p)
{
    unsigned char c = *p;

    if (js->state == S_EXP_MARK && (c == '+' || c == '-')) {
        js->state = S_EXP_SIGN;
    } else if (!is_digit(c)) {
        return fail(js, p, "expected a digit %s, got %s",
                    (js->state == S_MINUS ? "after '-'"
                     : js->state == S_POINT ? "after the decimal point"
                     : "in the exponent"), name_byte(c).s);
    } else if (js->state == S_MINUS) {
        js->state = c == '0' ? S_ZERO : S_INT;
    } else {
        js->state = js->state == S_POINT ? S_FRAC : S_EXP;
    }
    return tok_add(js, p, 1, p);
}

/* The byte at 'p' should continue the literal. */
static int
literal_next(struct jstream *js, const unsigned char *p)
{
    if (*p != (unsigned char) js->lit[js->lit_pos]) {
        return fail(js, p, "invalid literal: %s where \"%s\" expects '%c'",
                    name_byte(*p).s, js->lit, js->lit[js->lit_pos]);
    }
    if (js->lit[++js->lit_pos]) {
        return 0;
    }
    return scalar_done(js, js->lit_event, pos(js, p) + 1);
}

/* The byte at 'p' is not whitespace and comes between tokens. */
static int
punctuation(struct jstream *js, const unsigned char *p)
{
    unsigned char c = *p;

    switch (js->state) {
    case S_TOP:
        if (c == ']' || c == '}') {
            return fail(js, p, "unexpected %s outside any %s",
                        name_byte(c).s, c == ']' ? "array" : "object");
        }
        if (js->need_space && (c == '{' || c == '[' || c == '"' || c == '-'
                               || is_digit(c) || c == 't' || c == 'f'
                               || c == 'n')) {
            return fail(js, p, "%s right after a top-level number or"
                        " literal: separate them with whitespace",
                        name_byte(c).s);
        }
        js->need_space = false;
        return start_value(js, p, "a value");

    case S_VALUE:
        if (c == ']' && !in_object(js)) {
            return fail(js, p, "trailing comma before ']'");
        }
        return start_value(js, p, "a value");

    case S_VALUE_OR_END:
        if (c == ']') {
            return close_container(js, p);
        }
        return start_value(js, p, "a value or ']'");

    case S_KEY_OR_END:
        if (c == '}') {
            return close_container(js, p);
        }
        /* Fall through. */
    case S_KEY:
        if (c == '"') {
            start_string(js, true);
            return 0;
        }
        if (c == '}') {
            return fail(js, p, "trailing comma before '}'");
        }
        return fail(js, p, "expected a string as object key, got %s",
                    name_byte(c).s);

    case S_COLON:
        if (c != ':') {
            return fail(js, p, "expected ':' after an object key, got %s",
                        name_byte(c).s);
        }
        js->state = S_VALUE;
        return 0;

    case S_AFTER:
        if (c == ',') {
            js->state = in_object(js) ? S_KEY : S_VALUE;
            return 0;
        }
        if (in_object(js)) {
            if (c == '}') {
                return close_container(js, p);
            }
            return fail(js, p, "expected ',' or '}' after an object member,"
                        " got %s", name_byte(c).s);
        }
        if (c == ']') {
            return close_container(js, p);
        }
        return fail(js, p, "expected ',' or ']' after an array element,"
                    " got %s", name_byte(c).s);

    default:
        abort();
    }
}

/* The byte at 'p' follows a high surrogate's escape, in state
 * S_LOW_BACKSLASH or S_LOW_U: it must go on with the low one's. */
static int
low_surrogate(struct jstream *js, const unsigned char *p)
{
    if (*p != (js->state == S_LOW_BACKSLASH ? '\\' : 'u')) {
        return fail(js, p, "lone high surrogate \\u%04X", js->high);
    }
    js->state = js->state == S_LOW_BACKSLASH ? S_LOW_U : S_HEX;
    js->hex = 0;
    js->hex_n = 0;
    return 0;
}

/* The byte at 'p', in a state that takes one byte at a time. */
static int
step(struct jstream *js, const unsigned char *p)
{
    switch (js->state) {
    case S_ESCAPE:
        return escape(js, p);
    case S_HEX:
        return hex_digit(js, p);
    case S_LOW_BACKSLASH:
    case S_LOW_U:
        return low_surrogate(js, p);
    case S_UTF8:
        return utf8_next(js, p);
    case S_MINUS:
    case S_POINT:
    case S_EXP_MARK:
    case S_EXP_SIGN:
        return number_digit(js, p);
    case S_LITERAL:
        return literal_next(js, p);
    default:
        abort();
    }
}

/* ------------------------------------------------------------------------
 * The main loop.
 */

/* One state-machine step per iteration, for any input.
 *
 * Compact JSON (no whitespace between tokens, as ovsdb-server sends it)
 * takes a shorter way through the labels below 'string': each of them knows
 * where it stands in the grammar, takes the byte that usually comes there
 * and jumps to where that leads, so that the common sequences follow direct
 * branches rather than an indirect dispatch on the state, or two, for each
 * token.  Each leaves 'js->state' as the steps would, and leaves anything
 * else (whitespace, numbers, literals, the top level, bad input) to the
 * loop, which goes on from that state.
 *
 * Each of those labels and the loop's top stand between tokens, with the
 * state up to date and 'p' at the next byte: where a pause that a callback
 * asked for (jstream_pause()) takes effect. */
#define PAUSE_POINT()                           \
    do {                                        \
        if (__builtin_expect(js->pause, 0)) {   \
            goto paused;                        \
        }                                       \
    } while (0)

static int
scan(struct jstream *js, const unsigned char *p, const unsigned char *end)
{
    const unsigned char *run;
    bool consumed, key;
    int value = 0;

    while (p < end) {
        PAUSE_POINT();
        switch (js->state) {
        case S_TOP:
        case S_VALUE:
        case S_VALUE_OR_END:
        case S_KEY_OR_END:
        case S_KEY:
        case S_COLON:
        case S_AFTER:
            if (is_space(*p)) {
                do {
                    p++;
                } while (p < end && is_space(*p));
                if (js->state == S_TOP) {
                    js->need_space = false;
                }
                if (p == end) {
                    return 0;
                }
            }
            value = punctuation(js, p);
            p++;
            if (!value && js->state == S_STRING) {
                goto string;
            }
            break;

        case S_STRING:
        string:
            run = p;
            p = string_run(p, end);
            if (p == end || *p != '"' || js->tok_len
                || p - run > js->max_token) {
                /* Cut by the end of the piece, an escape or a byte to look
                 * at closer: copied.  (So is a string too long, for the
                 * message.) */
                if (p > run) {
                    value = tok_add(js, run, p - run, run);
                }
                if (value || p == end) {
                    return value;
                }
                value = string_special(js, p);
                p++;
                break;
            }
            /* All of the string is here: no copy. */
            key = js->key;
            value = string_done(js, (const char *) run, p - run, p);
            p++;
            if (value || p == end) {
                return value;
            }
            if (!key) {
                goto value_done;
            }
            if (*p != ':') {
                break;
            }
            p++;
            js->state = S_VALUE;
            /* Fall through. */
        value:
            /* S_VALUE or S_VALUE_OR_END. */
            PAUSE_POINT();
            if (p == end) {
                return 0;
            }
            if (*p == '"') {
                p++;
                start_string(js, false);
                goto string;
            } else if (*p == '{' || *p == '[') {
                value = open_container(js, p,
                                       *p == '{' ? IN_OBJECT : IN_ARRAY);
                p++;
                if (value) {
                    return value;
                }
                if (js->state == S_VALUE_OR_END) {
                    goto value;
                }
                goto key;
            } else if (*p == ']' && js->state == S_VALUE_OR_END) {
                goto close;
            }
            break;
        key:
            /* S_KEY or S_KEY_OR_END. */
            PAUSE_POINT();
            if (p == end) {
                return 0;
            }
            if (*p == '"') {
                p++;
                start_string(js, true);
                goto string;
            } else if (*p == '}' && js->state == S_KEY_OR_END) {
                goto close;
            }
            break;
        close:
            value = close_container(js, p);
            p++;
            if (value) {
                return value;
            }
            /* Fall through. */
        value_done:
            if (js->state != S_AFTER) {
                break;
            }
            PAUSE_POINT();
            if (p == end) {
                return 0;
            }
            if (*p == ',') {
                p++;
                if (in_object(js)) {
                    js->state = S_KEY;
                    goto key;
                }
                js->state = S_VALUE;
                goto value;
            } else if (*p == (in_object(js) ? '}' : ']')) {
                goto close;
            }
            break;

        case S_INT:
        case S_FRAC:
        case S_EXP:
            run = p;
            while (p < end && is_digit(*p)) {
                p++;
            }
            if (p > run) {
                value = tok_add(js, run, p - run, run);
                if (value || p == end) {
                    return value;
                }
            }
            /* Fall through. */
        case S_ZERO:
            value = number_next(js, p, &consumed);
            p += consumed;
            break;

        case S_STOPPED:
            return js->stop;

        default:
            value = step(js, p);
            p++;
            break;
        }
        if (value) {
            return value;
        }
    }
    return 0;

paused:
    js->pause = false;
    js->offset = pos(js, p);
    return JSTREAM_PAUSED;
}
#undef PAUSE_POINT

void
jstream_pause(struct jstream *js)
{
    js->pause = true;
}

void
jstream_take_members(struct jstream *js, size_t n)
{
    if (js->state != S_KEY_OR_END && js->state != S_AFTER) {
        abort();
    }
    if (!js->depth || !in_object(js) || js->skip_level != NO_SKIP) {
        abort();
    }
    js->offset += n;
    if (n) {
        js->state = S_AFTER;
    }
}

int
jstream_feed(struct jstream *js, const void *data, size_t n)
{
    int value;

    if (js->state == S_STOPPED) {
        return js->stop;
    }
    if (!n) {
        return 0;
    }
    js->chunk = data;
    js->base = js->offset;
    value = scan(js, js->chunk, js->chunk + n);
    if (!value) {
        js->offset = js->base + n;
        if (js->pause) {
            /* Asked for by the last token of the piece. */
            js->pause = false;
            value = JSTREAM_PAUSED;
        }
    }
    js->chunk = NULL;
    return value;
}

int
jstream_finish(struct jstream *js)
{
    const char *where;

    switch (js->state) {
    case S_STOPPED:
        return js->stop;
    case S_TOP:
        js->need_space = false;
        return 0;
    case S_ZERO:
    case S_INT:
    case S_FRAC:
    case S_EXP:
        if (!js->depth) {
            int value = scalar_done(js, JSTREAM_NUMBER, js->offset);

            js->pause = false;
            if (!value) {
                js->need_space = false;
            }
            return value;
        }
        where = "in a number";
        break;
    case S_MINUS:
    case S_POINT:
    case S_EXP_MARK:
    case S_EXP_SIGN:
        where = "in a number";
        break;
    case S_STRING:
    case S_ESCAPE:
    case S_HEX:
    case S_LOW_BACKSLASH:
    case S_LOW_U:
    case S_UTF8:
        where = js->key ? "in an object key" : "in a string";
        break;
    case S_LITERAL:
        where = "in a literal";
        break;
    default:
        /* Between tokens, in a container. */
        where = in_object(js) ? "in an object" : "in an array";
        break;
    }
    return stop(js, JSTREAM_ERROR, js->offset, "unexpected end of input %s",
                where);
}
