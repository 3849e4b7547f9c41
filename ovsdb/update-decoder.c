/*
 * The OVSDB update decoder: see update-decoder.h.
 *
 * A state machine over the tokenizer's events.  The levels, outside in:
 *
 *   message    {"id": ..., "method": ..., "params": ..., "result": ...,
 *               "error": ...} in any order
 *   params     [monitor-id, <table-updates2>] (or more elements)
 *   tables     {"Table": {...}, ...}            a <table-updates2>
 *   rows       {"uuid": {...}, ...}
 *   row        {"initial" | "insert" | "modify": {...}} or {"delete": null}
 *   columns    {"column": datum, ...}
 *   datum      atom | ["uuid", "..."] | ["set", [atoms]] |
 *              ["map", [[atom, atom], ...]]
 *
 * Everything outside table updates is kept as compact JSON text, bounded by
 * UD_MAX_CAPTURE; inside them, only the current row's atoms are kept.
 *
 * The rows of a table also have a shortcut, which reads them from the
 * input without the tokenizer: see "The row shortcut" below.
 */
#include "ovsdb/update-decoder.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/json-scan.h"
#include "ovsdb/json-stream.h"

#define MAX_UD(A, B) ((A) > (B) ? (A) : (B))

/* How much of a token a message quotes, at most: all that fits. */
#define QUOTE_MAX 256
#define QUOTE_LEN(LEN) ((int) ((LEN) < QUOTE_MAX ? (LEN) : QUOTE_MAX))

/* A growable byte buffer, always NUL-terminated once used. */
struct text {
    char *s;
    size_t len, cap;
};

enum level {
    L_TOP,                      /* Between messages. */
    L_MSG,                      /* In the message object. */
    L_MSG_VALUE,                /* A member's value comes next. */
    L_CAPTURE,                  /* Copying a value into a text. */
    L_PARAMS,                   /* In the params array. */
    L_TABLES,                   /* In a <table-updates2>. */
    L_TABLE_OPEN,               /* A table's object comes next. */
    L_ROWS,                     /* In a table's rows. */
    L_ROW_OPEN,                 /* A row's object comes next. */
    L_ROW,                      /* In a row: its operation. */
    L_COLUMNS_OPEN,             /* The operation's columns come next. */
    L_DELETE_VALUE,             /* The null after "delete". */
    L_COLUMNS,                  /* In a row's columns. */
    L_DATUM,                    /* In a column's value (see enum dstate). */
};

enum member {
    M_ID, M_METHOD, M_PARAMS, M_RESULT, M_ERROR, M_N
};

static const char *const member_names[M_N] = {
    [M_ID] = "id", [M_METHOD] = "method", [M_PARAMS] = "params",
    [M_RESULT] = "result", [M_ERROR] = "error",
};

/* Where in a datum. */
enum dstate {
    D_START,            /* The datum's first token. */
    D_TAG,              /* After '[': "uuid", "set" or "map". */
    D_SET_OPEN,         /* After "set": '['. */
    D_SET_ELEM,         /* An element or ']'. */
    D_CLOSE,            /* The datum's closing ']'. */
    D_MAP_OPEN,         /* After "map": '['. */
    D_MAP_PAIR,         /* '[' of a pair, or ']'. */
    D_MAP_KEY,          /* A pair's key. */
    D_MAP_VALUE,        /* A pair's value. */
    D_MAP_PAIR_END,     /* A pair's ']'. */
    D_UUID_TAG,         /* In ["uuid", ...]: "uuid". */
    D_UUID_TEXT,        /* The uuid's string. */
    D_UUID_CLOSE,       /* Its ']'. */
    D_DONE,
};

/* One atom of the row: its text in 'arena' (NUL-terminated). */
struct atom {
    size_t ofs, len;
};

/* One column's atoms in the row: indexes into 'atoms'. */
struct col_atoms {
    bool present;
    size_t first, n;            /* For a map, n pairs: 2n atoms. */
};

struct update_decoder {
    const struct ud_ops *ops;
    void *aux;
    struct jstream *js;
    char *error;

    /* The message. */
    enum level level;
    enum member member;         /* For L_MSG_VALUE, L_CAPTURE. */
    bool seen[M_N];
    struct text texts[M_N];     /* Captured members (method unescaped). */
    size_t captured;            /* Bytes captured in this message. */
    bool had_updates;

    /* L_CAPTURE. */
    enum level capture_return;
    size_t capture_depth;
    bool need_comma;

    /* L_PARAMS. */
    size_t param_idx;
    size_t first_param_end;     /* In texts[M_PARAMS], 0 if none. */

    /* Table updates. */
    enum level updates_return;  /* L_MSG (result) or L_PARAMS. */
    const struct ud_schema *schema;
    const struct ud_table *table;
    size_t table_idx;
    struct ud_uuid uuid;
    bool have_op;
    enum ud_row_op op;

    /* The row being decoded. */
    struct text arena;          /* Atoms, each NUL-terminated. */
    struct atom *atoms;
    struct ud_uuid *atom_uuids; /* By the same index, for uuid atoms: their
                                 * value, parsed once when checked. */
    size_t n_atoms, atoms_cap;
    struct col_atoms *cols;
    size_t cols_cap;

    /* The table's column names' lengths, and the order of the columns in
     * the last row: the server sends every row's columns in the same
     * order, so follows[i] (follows[n_columns] for the first) is where the
     * next name is looked for first. */
    size_t *name_lens;
    size_t *follows;
    size_t prev_column;

    /* L_DATUM. */
    const struct ud_column *column;
    size_t column_idx;
    enum dstate ds;
    enum dstate uuid_return;    /* Where D_UUID_CLOSE goes. */

    /* The row shortcut: 'fast_ready' when the tokenizer paused between two
     * rows of a table (or before the first), 'fast_comma' if after one. */
    bool fast_enabled;
    bool fast_ready;
    bool fast_comma;

    /* Handed to the caller. */
    struct ud_datum *datums;
    const char **ptrs;          /* These three by the same index. */
    size_t *lens;
    struct ud_uuid *uuids;
    size_t ptrs_cap;
};

static void *
xrealloc_or_die(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fprintf(stderr, "update-decoder: out of memory\n");
        abort();
    }
    return p;
}

static void
text_reserve(struct text *t, size_t more)
{
    if (t->len + more + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 64;
        while (cap < t->len + more + 1) {
            cap *= 2;
        }
        t->s = xrealloc_or_die(t->s, cap);
        t->cap = cap;
    }
}

static inline void
text_put(struct text *t, const char *s, size_t n)
{
    text_reserve(t, n);
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void
text_putc(struct text *t, char c)
{
    text_put(t, &c, 1);
}

static void
text_clear(struct text *t)
{
    t->len = 0;
    if (t->s) {
        t->s[0] = '\0';
    }
}

/* Appends 's' as a JSON string. */
static void
text_put_json_string(struct text *t, const char *s, size_t n)
{
    text_putc(t, '"');
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\' || c < 0x20) {
            char esc[8];
            text_put(t, s + start, i - start);
            if (c == '"' || c == '\\') {
                esc[0] = '\\';
                esc[1] = c;
                text_put(t, esc, 2);
            } else {
                snprintf(esc, sizeof esc, "\\u%04x", c);
                text_put(t, esc, 6);
            }
            start = i + 1;
        }
    }
    text_put(t, s + start, n - start);
    text_putc(t, '"');
}

static int fail(struct update_decoder *d, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct update_decoder *d, const char *format, ...)
{
    va_list args;
    char msg[256];

    va_start(args, format);
    vsnprintf(msg, sizeof msg, format, args);
    va_end(args);
    if (!d->error) {
        size_t n = strlen(msg) + 64;
        d->error = xrealloc_or_die(NULL, n);
        snprintf(d->error, n, "byte %llu: %s", jstream_offset(d->js), msg);
    }
    return -1;
}

/* The 'n' bytes (4 or 8) at 's' as a number, the first byte lowest. */
static inline uint64_t
load_le(const char *s, size_t n)
{
    uint64_t w = 0;
    uint32_t h;

    if (n == 8) {
        memcpy(&w, s, 8);
    } else {
        memcpy(&h, s, 4);
        w = h;
    }
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w) >> (64 - 8 * n);
#endif
    return w;
}

/* Decodes the 8 hex digits (either case) in 'w', the first in its lowest
 * byte, into '*v', the first digit highest.  Returns false if any is not a
 * hex digit.
 *
 * All 8 at once: for a byte x below 0x80, x + (0x80 - lo) has its high bit
 * set if x >= lo, and x + (0x7f - hi) if x > hi, without a carry into the
 * next byte; bytes from 0x80 up are refused first. */
static inline bool
hex8(uint64_t w, uint32_t *v)
{
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t highs = ones * 0x80;
    uint64_t lower, digit, letter, x;

    /* Letters to lower case: 0x20 more only where 0x40 is set, so that
     * no byte below 0x40 becomes a digit. */
    lower = w | ((w & (ones * 0x40)) >> 1);
    digit = (w + ones * (0x80 - '0')) & ~(w + ones * (0x7f - '9'));
    letter = (lower + ones * (0x80 - 'a')) & ~(lower + ones * (0x7f - 'f'));
    if ((w & highs) || ((digit | letter) & highs) != highs) {
        return false;
    }
    /* Each digit's value (letters have 0x40 set: 9 more than their low
     * nibble), then the 8 nibbles packed, pairs of pairs of pairs. */
    x = (w & (ones * 0x0f)) + ((w >> 6) & ones) * 9;
    x = ((x << 4) | (x >> 8)) & 0x00ff00ff00ff00ffULL;
    x = ((x << 8) | (x >> 16)) & 0x0000ffff0000ffffULL;
    *v = (uint32_t) ((x << 16) | (x >> 32));
    return true;
}

/* Parses the 'len' bytes at 's' as a uuid. */
static bool
uuid_parse(const char *s, size_t len, struct ud_uuid *u)
{
    /* xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx: parts are 8 digits each, the
     * middle two spanning a dash. */
    uint32_t p0, p1, p2, p3;

    if (len != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-'
        || s[23] != '-'
        || !hex8(load_le(s, 8), &p0)
        || !hex8(load_le(s + 9, 4) | load_le(s + 14, 4) << 32, &p1)
        || !hex8(load_le(s + 19, 4) | load_le(s + 24, 4) << 32, &p2)
        || !hex8(load_le(s + 28, 8), &p3)) {
        return false;
    }
    /* Part by part: a copy of a local array as a whole can wait on the
     * four stores that made it. */
    u->parts[0] = p0;
    u->parts[1] = p1;
    u->parts[2] = p2;
    u->parts[3] = p3;
    return true;
}

bool
ud_uuid_from_string(const char *s, struct ud_uuid *u)
{
    size_t len = 0;

    /* One byte more than a uuid is enough to know it is too long. */
    while (len <= 36 && s[len]) {
        len++;
    }
    return uuid_parse(s, len, u);
}

/* Whether the 'n' bytes at 'a' and 'b' are the same.  The names OVSDB
 * sends are short: up to 16 bytes, a few loads from each, cheaper than a
 * call to memcmp(). */
static inline bool
same_bytes(const char *a, const char *b, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t a0, a1, b0, b1;

        memcpy(&a0, a, 8);
        memcpy(&b0, b, 8);
        memcpy(&a1, a + n - 8, 8);
        memcpy(&b1, b + n - 8, 8);
        return !((a0 ^ b0) | (a1 ^ b1));
    } else if (n >= 4 && n < 8) {
        uint32_t a0, a1, b0, b1;

        memcpy(&a0, a, 4);
        memcpy(&b0, b, 4);
        memcpy(&a1, a + n - 4, 4);
        memcpy(&b1, b + n - 4, 4);
        return !((a0 ^ b0) | (a1 ^ b1));
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }
    return !memcmp(a, b, n);
}

/* Whether the token 's' (of 'len' bytes, not NUL-terminated) is 'word'.
 * Inline, so that strlen() of a constant 'word' costs nothing. */
static inline bool
token_is(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);

    return len == n && same_bytes(s, word, n);
}

/* Per-message state back to empty. */
static void
message_reset(struct update_decoder *d)
{
    for (int m = 0; m < M_N; m++) {
        text_clear(&d->texts[m]);
        d->seen[m] = false;
    }
    d->captured = 0;
    d->had_updates = false;
    d->param_idx = 0;
    d->first_param_end = 0;
}

static void
row_reset(struct update_decoder *d)
{
    text_clear(&d->arena);
    d->n_atoms = 0;
    d->have_op = false;
    if (d->table) {
        d->prev_column = d->table->n_columns;
        memset(d->cols, 0, d->table->n_columns * sizeof *d->cols);
    }
}

/* ---------------------------------------------------------------------
 * Capturing a value as JSON text. */

static int
capture_start(struct update_decoder *d, enum member m, enum level ret)
{
    d->level = L_CAPTURE;
    d->member = m;
    d->capture_return = ret;
    d->capture_depth = 0;
    d->need_comma = false;
    d->seen[m] = true;
    return 0;
}

/* Called once a captured value is whole. */
static int capture_done(struct update_decoder *);

static int
capture_event(struct update_decoder *d, enum jstream_event ev,
              const char *s, size_t len)
{
    struct text *t = &d->texts[d->member];
    size_t before = t->len;

    if (d->need_comma && ev != JSTREAM_OBJECT_END
        && ev != JSTREAM_ARRAY_END) {
        text_putc(t, ',');
    }
    d->need_comma = true;
    switch (ev) {
    case JSTREAM_OBJECT_START:
    case JSTREAM_ARRAY_START:
        text_putc(t, ev == JSTREAM_OBJECT_START ? '{' : '[');
        d->need_comma = false;
        d->capture_depth++;
        break;
    case JSTREAM_OBJECT_END:
    case JSTREAM_ARRAY_END:
        text_putc(t, ev == JSTREAM_OBJECT_END ? '}' : ']');
        d->capture_depth--;
        break;
    case JSTREAM_KEY:
        text_put_json_string(t, s, len);
        text_putc(t, ':');
        d->need_comma = false;
        break;
    case JSTREAM_STRING:
        text_put_json_string(t, s, len);
        break;
    case JSTREAM_NUMBER:
        text_put(t, s, len);
        break;
    case JSTREAM_TRUE:
        text_put(t, "true", 4);
        break;
    case JSTREAM_FALSE:
        text_put(t, "false", 5);
        break;
    case JSTREAM_NULL:
        text_put(t, "null", 4);
        break;
    case JSTREAM_END:
    default:
        return fail(d, "internal error: unexpected token while copying");
    }
    d->captured += t->len - before;
    if (d->captured > UD_MAX_CAPTURE) {
        return fail(d, "a message carries more than %d bytes outside "
                    "table updates", UD_MAX_CAPTURE);
    }
    return d->capture_depth ? 0 : capture_done(d);
}

/* ---------------------------------------------------------------------
 * Table updates. */

/* An object where table updates may be ('member' M_RESULT or M_PARAMS):
 * decoded as such if the caller wants them, else copied like any value. */
static int
updates_begin(struct update_decoder *d, const char *monitor_id,
              enum member member, enum level ret)
{
    const struct ud_schema *schema = d->ops->updates_begin(d->aux,
                                                           monitor_id);
    if (!schema) {
        capture_start(d, member, ret);
        return capture_event(d, JSTREAM_OBJECT_START, NULL, 0);
    }
    d->schema = schema;
    d->updates_return = ret;
    d->had_updates = true;
    d->level = L_TABLES;
    return 0;
}

static const struct ud_table *
find_table(const struct ud_schema *schema, const char *name, size_t len,
           size_t *idx)
{
    for (size_t i = 0; i < schema->n_tables; i++) {
        if (token_is(name, len, schema->tables[i].name)) {
            *idx = i;
            return &schema->tables[i];
        }
    }
    return NULL;
}

/* The column named by the 's' (of 'len' bytes) in the current table, with
 * its index in '*idx', or NULL if it is not one. */
static const struct ud_column *
find_column(struct update_decoder *d, const char *s, size_t len,
            size_t *idx)
{
    const struct ud_table *t = d->table;
    size_t guess = d->follows[d->prev_column];

    if (guess < t->n_columns && len == d->name_lens[guess]
        && same_bytes(s, t->columns[guess].name, len)) {
        *idx = guess;
        return &t->columns[guess];
    }
    for (size_t i = 0; i < t->n_columns; i++) {
        if (len == d->name_lens[i]
            && same_bytes(s, t->columns[i].name, len)) {
            d->follows[d->prev_column] = i;
            *idx = i;
            return &t->columns[i];
        }
    }
    return NULL;
}

static void
enter_table(struct update_decoder *d, const struct ud_table *t, size_t idx)
{
    d->table = t;
    d->table_idx = idx;
    if (t->n_columns > d->cols_cap || !d->follows) {
        d->cols_cap = t->n_columns;
        d->cols = xrealloc_or_die(d->cols, d->cols_cap * sizeof *d->cols);
        d->datums = xrealloc_or_die(d->datums,
                                    d->cols_cap * sizeof *d->datums);
        d->name_lens = xrealloc_or_die(d->name_lens,
                                       d->cols_cap * sizeof *d->name_lens);
        d->follows = xrealloc_or_die(d->follows,
                                     (d->cols_cap + 1) * sizeof *d->follows);
    }
    for (size_t i = 0; i < t->n_columns; i++) {
        d->name_lens[i] = strlen(t->columns[i].name);
        d->follows[i] = i + 1;
    }
    d->follows[t->n_columns] = 0;
}

/* Adds the atom 's' (of 'len' bytes) to the row and returns its index. */
static size_t
add_atom(struct update_decoder *d, const char *s, size_t len)
{
    struct atom *a;

    if (d->n_atoms == d->atoms_cap) {
        d->atoms_cap = d->atoms_cap ? 2 * d->atoms_cap : 64;
        d->atoms = xrealloc_or_die(d->atoms,
                                   d->atoms_cap * sizeof *d->atoms);
        d->atom_uuids = xrealloc_or_die(d->atom_uuids, (d->atoms_cap
                                        * sizeof *d->atom_uuids));
    }
    a = &d->atoms[d->n_atoms];
    a->ofs = d->arena.len;
    a->len = len;
    text_put(&d->arena, s, len);
    d->arena.len++;             /* Keep the NUL. */
    return d->n_atoms++;
}

static const char *
atom_type_name(enum ud_atom_type t)
{
    switch (t) {
    case UD_STRING: return "string";
    case UD_UUID: return "uuid";
    case UD_BOOLEAN: return "boolean";
    case UD_INTEGER: return "integer";
    case UD_VOID: default: return "nothing";
    }
}

/* A scalar token as an atom of type 'want'. */
static int
scalar_atom(struct update_decoder *d, enum jstream_event ev, const char *s,
            size_t len, enum ud_atom_type want)
{
    enum ud_atom_type got;
    switch (ev) {
    case JSTREAM_STRING: got = UD_STRING; break;
    case JSTREAM_TRUE: got = UD_BOOLEAN; s = "true"; len = 4; break;
    case JSTREAM_FALSE: got = UD_BOOLEAN; s = "false"; len = 5; break;
    case JSTREAM_NUMBER:
        got = UD_INTEGER;
        for (size_t i = 0; i < len; i++) {
            if (!(s[i] >= '0' && s[i] <= '9') && !(i == 0 && s[i] == '-')) {
                return fail(d, "%s.%s: %.*s is not an integer",
                            d->table->name, d->column->name, (int) len, s);
            }
        }
        break;
    default:
        return fail(d, "%s.%s: not a valid atom", d->table->name,
                    d->column->name);
    }
    if (got != want) {
        return fail(d, "%s.%s: a %s where a %s belongs", d->table->name,
                    d->column->name, atom_type_name(got),
                    atom_type_name(want));
    }
    add_atom(d, s, len);
    return 0;
}

static bool
is_scalar(enum jstream_event ev)
{
    return (ev == JSTREAM_STRING || ev == JSTREAM_NUMBER
            || ev == JSTREAM_TRUE || ev == JSTREAM_FALSE);
}

/* An atom where one belongs inside a set or map: a scalar, or the start of
 * ["uuid", ...].  'next' is the state after it. */
static int
inner_atom(struct update_decoder *d, enum jstream_event ev, const char *s,
           size_t len, enum ud_atom_type want, enum dstate next)
{
    if (ev == JSTREAM_ARRAY_START && want == UD_UUID) {
        d->ds = D_UUID_TAG;
        d->uuid_return = next;
        return 0;
    }
    if (!is_scalar(ev)) {
        return fail(d, "%s.%s: not a valid atom", d->table->name,
                    d->column->name);
    }
    d->ds = next;
    return scalar_atom(d, ev, s, len, want);
}

static int
datum_done(struct update_decoder *d)
{
    struct col_atoms *c = &d->cols[d->column_idx];
    size_t n = d->n_atoms - c->first;

    if (d->column->value != UD_VOID) {
        n /= 2;
    }
    if (!d->column->composite && n > 1) {
        return fail(d, "%s.%s: %zu values in a column that holds one",
                    d->table->name, d->column->name, n);
    }
    c->n = n;
    d->level = L_COLUMNS;
    return 0;
}

static int
datum_event(struct update_decoder *d, enum jstream_event ev, const char *s,
            size_t len)
{
    const struct ud_column *col = d->column;
    bool is_map = col->value != UD_VOID;
    int error = 0;

    switch (d->ds) {
    case D_START:
        if (ev == JSTREAM_ARRAY_START) {
            d->ds = D_TAG;
        } else if (is_scalar(ev) && !is_map) {
            error = scalar_atom(d, ev, s, len, col->key);
            d->ds = D_DONE;
        } else {
            error = fail(d, "%s.%s: not a valid %s", d->table->name,
                         col->name, is_map ? "map" : "value");
        }
        break;
    case D_TAG:
        if (ev == JSTREAM_STRING && token_is(s, len, "uuid") && !is_map
            && col->key == UD_UUID) {
            d->ds = D_UUID_TEXT;
            d->uuid_return = D_DONE;
        } else if (ev == JSTREAM_STRING && token_is(s, len, "set")
                   && !is_map) {
            d->ds = D_SET_OPEN;
        } else if (ev == JSTREAM_STRING && token_is(s, len, "map")
                   && is_map) {
            d->ds = D_MAP_OPEN;
        } else {
            error = fail(d, "%s.%s: not a valid %s", d->table->name,
                         col->name, is_map ? "map" : "value");
        }
        break;
    case D_SET_OPEN:
    case D_MAP_OPEN:
        if (ev != JSTREAM_ARRAY_START) {
            error = fail(d, "%s.%s: a %s without its array", d->table->name,
                         col->name, d->ds == D_SET_OPEN ? "set" : "map");
        }
        d->ds = d->ds == D_SET_OPEN ? D_SET_ELEM : D_MAP_PAIR;
        break;
    case D_SET_ELEM:
        if (ev == JSTREAM_ARRAY_END) {
            d->ds = D_CLOSE;
        } else {
            error = inner_atom(d, ev, s, len, col->key, D_SET_ELEM);
        }
        break;
    case D_MAP_PAIR:
        if (ev == JSTREAM_ARRAY_END) {
            d->ds = D_CLOSE;
        } else if (ev == JSTREAM_ARRAY_START) {
            d->ds = D_MAP_KEY;
        } else {
            error = fail(d, "%s.%s: a map entry is not a pair",
                         d->table->name, col->name);
        }
        break;
    case D_MAP_KEY:
    case D_MAP_VALUE:
        if (ev == JSTREAM_ARRAY_END) {
            error = fail(d, "%s.%s: a map entry is not a pair",
                         d->table->name, col->name);
        } else if (d->ds == D_MAP_KEY) {
            error = inner_atom(d, ev, s, len, col->key, D_MAP_VALUE);
        } else {
            error = inner_atom(d, ev, s, len, col->value, D_MAP_PAIR_END);
        }
        break;
    case D_MAP_PAIR_END:
        if (ev != JSTREAM_ARRAY_END) {
            error = fail(d, "%s.%s: a map entry is not a pair",
                         d->table->name, col->name);
        }
        d->ds = D_MAP_PAIR;
        break;
    case D_UUID_TAG:
        if (ev != JSTREAM_STRING || !token_is(s, len, "uuid")) {
            error = fail(d, "%s.%s: not a valid uuid", d->table->name,
                         col->name);
        }
        d->ds = D_UUID_TEXT;
        break;
    case D_UUID_TEXT: {
        struct ud_uuid u;
        if (ev != JSTREAM_STRING || !uuid_parse(s, len, &u)) {
            error = fail(d, "%s.%s: not a valid uuid", d->table->name,
                         col->name);
            break;
        }
        /* The index first: add_atom() may move 'atom_uuids'. */
        size_t i = add_atom(d, s, len);
        d->atom_uuids[i] = u;
        d->ds = D_UUID_CLOSE;
        break;
    }
    case D_UUID_CLOSE:
        if (ev != JSTREAM_ARRAY_END) {
            error = fail(d, "%s.%s: not a valid uuid", d->table->name,
                         col->name);
        }
        d->ds = d->uuid_return;
        break;
    case D_CLOSE:
        if (ev != JSTREAM_ARRAY_END) {
            error = fail(d, "%s.%s: trailing values", d->table->name,
                         col->name);
        }
        d->ds = D_DONE;
        break;
    case D_DONE:
    default:
        error = fail(d, "internal error: datum state");
        break;
    }
    if (!error && d->ds == D_DONE) {
        error = datum_done(d);
    }
    return error;
}

/* Hands out, from 'pos' on in the arrays 'ptrs', 'lens' and (if 'uuids')
 * 'uuids', the 'n' atoms of the row from 'first' on, every 'step'th. */
static void
put_atoms(struct update_decoder *d, size_t pos, size_t first, size_t step,
          size_t n, bool uuids)
{
    for (size_t k = 0; k < n; k++) {
        const struct atom *a = &d->atoms[first + k * step];

        d->ptrs[pos + k] = d->arena.s + a->ofs;
        d->lens[pos + k] = a->len;
        if (uuids) {
            d->uuids[pos + k] = d->atom_uuids[first + k * step];
        }
    }
}

/* Hands the row to the caller. */
static int __attribute__((noinline))
emit_row(struct update_decoder *d)
{
    const struct ud_table *t = d->table;

    if (!d->have_op) {
        return fail(d, "%s row without an operation", t->name);
    }
    if (!d->ptrs || d->n_atoms > d->ptrs_cap) {
        d->ptrs_cap = MAX_UD(16, 2 * d->n_atoms);
        d->ptrs = xrealloc_or_die(d->ptrs, d->ptrs_cap * sizeof *d->ptrs);
        d->lens = xrealloc_or_die(d->lens, d->ptrs_cap * sizeof *d->lens);
        d->uuids = xrealloc_or_die(d->uuids,
                                   d->ptrs_cap * sizeof *d->uuids);
    }
    /* Each atom goes out once, as a key or a value. */
    size_t pos = 0;
    for (size_t i = 0; i < t->n_columns; i++) {
        const struct ud_column *col = &t->columns[i];
        const struct col_atoms *c = &d->cols[i];
        struct ud_datum *dt = &d->datums[i];
        bool is_map = col->value != UD_VOID;
        size_t step = is_map ? 2 : 1;

        dt->present = c->present;
        dt->n = c->present ? c->n : 0;
        dt->keys = d->ptrs + pos;
        dt->key_lens = d->lens + pos;
        dt->key_uuids = col->key == UD_UUID ? d->uuids + pos : NULL;
        put_atoms(d, pos, c->first, step, dt->n, col->key == UD_UUID);
        pos += dt->n;
        dt->values = NULL;
        dt->value_lens = NULL;
        dt->value_uuids = NULL;
        if (is_map) {
            dt->values = d->ptrs + pos;
            dt->value_lens = d->lens + pos;
            if (col->value == UD_UUID) {
                dt->value_uuids = d->uuids + pos;
            }
            put_atoms(d, pos, c->first + 1, 2, dt->n,
                      col->value == UD_UUID);
            pos += dt->n;
        }
    }

    const struct ud_row row = {
        .table = t,
        .table_idx = d->table_idx,
        .uuid = d->uuid,
        .op = d->op,
        .columns = d->datums,
    };
    d->ops->row(d->aux, &row);
    row_reset(d);
    return 0;
}

static int
parse_op(struct update_decoder *d, const char *s, size_t len)
{
    static const char *const names[] = {
        [UD_ROW_INITIAL] = "initial", [UD_ROW_INSERT] = "insert",
        [UD_ROW_MODIFY] = "modify", [UD_ROW_DELETE] = "delete",
    };
    if (d->have_op) {
        return fail(d, "%s row with two operations", d->table->name);
    }
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        if (token_is(s, len, names[i])) {
            d->op = i;
            d->have_op = true;
            d->level = (i == UD_ROW_DELETE ? L_DELETE_VALUE
                        : L_COLUMNS_OPEN);
            return 0;
        }
    }
    return fail(d, "%s row: unknown operation \"%.*s\"", d->table->name,
                QUOTE_LEN(len), s);
}

/* ---------------------------------------------------------------------
 * The row shortcut.
 *
 * A snapshot is mostly rows, about 45 tokenizer events each, and taking
 * each event through the tokenizer's callback and the state machines above
 * costs more than reading the bytes.  So where the tokenizer stands
 * between two rows of a table (or before the first), it pauses, and
 * fast_rows() reads the rows that follow straight from the input, as long
 * as each lies whole in the piece being fed and has the compact form
 * ovsdb-server writes: no whitespace, strings without escapes (plain bytes
 * and UTF-8, as json-scan.h takes them), no numbers, only the table's
 * columns and each at most once, every datum of its column's type.  The
 * first row that is anything else, cut by the end of the piece included,
 * goes to the tokenizer, from its first byte, so that what comes out,
 * errors too, is what the tokenizer alone gives (fuzz-update-decoder
 * compares the two).  The rows' atoms go to the same arrays, and out
 * through emit_row(), as the tokenizer's. */

/* The most containers a row opens: its object, the columns, a datum's
 * array, a set's or map's, a pair's, a uuid's. */
#define ROW_DEPTH 6

/* The input the shortcut reads, 'p' the next byte. */
struct cursor {
    const unsigned char *p, *end;
};

/* Takes 'byte' if it comes next. */
static inline bool
take_byte(struct cursor *c, unsigned char byte)
{
    if (c->p < c->end && *c->p == byte) {
        c->p++;
        return true;
    }
    return false;
}

/* Takes the 'n' bytes of 'word' if they come next. */
static inline bool
take_word(struct cursor *c, const char *word, size_t n)
{
    if ((size_t) (c->end - c->p) >= n
        && same_bytes((const char *) c->p, word, n)) {
        c->p += n;
        return true;
    }
    return false;
}

/* Takes a string, its opening quote included, and puts its bytes in '*s'
 * and '*len'. */
static inline bool
take_string(struct cursor *c, const char **s, size_t *len)
{
    const unsigned char *q;

    if (!take_byte(c, '"')) {
        return false;
    }
    q = string_run(c->p, c->end);
    if (q == c->end || *q != '"'
        || (size_t) (q - c->p) > JSTREAM_DEFAULT_MAX_TOKEN) {
        return false;
    }
    *s = (const char *) c->p;
    *len = q - c->p;
    c->p = q + 1;
    return true;
}

/* Takes ["uuid","xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"] as an atom. */
static bool
take_uuid(struct update_decoder *d, struct cursor *c)
{
    struct ud_uuid u;

    if (!take_word(c, "[\"uuid\",\"", 9) || c->end - c->p < 38
        || c->p[36] != '"' || c->p[37] != ']'
        || !uuid_parse((const char *) c->p, 36, &u)) {
        return false;
    }
    /* The index first: add_atom() may move 'atom_uuids'. */
    size_t i = add_atom(d, (const char *) c->p, 36);
    d->atom_uuids[i] = u;
    c->p += 38;
    return true;
}

/* Takes an atom of type 'type', as a set's element or a pair's member. */
static bool
take_atom(struct update_decoder *d, struct cursor *c, enum ud_atom_type type)
{
    const char *s;
    size_t len;

    switch (type) {
    case UD_STRING:
        if (!take_string(c, &s, &len)) {
            return false;
        }
        add_atom(d, s, len);
        return true;
    case UD_BOOLEAN:
        if (take_word(c, "true", 4)) {
            add_atom(d, "true", 4);
            return true;
        } else if (take_word(c, "false", 5)) {
            add_atom(d, "false", 5);
            return true;
        }
        return false;
    case UD_UUID:
        return take_uuid(d, c);
    case UD_INTEGER:
    case UD_VOID:
    default:
        return false;
    }
}

/* Takes the datum of column 'col'. */
static bool
take_datum(struct update_decoder *d, struct cursor *c,
           const struct ud_column *col)
{
    if (col->value != UD_VOID) {
        if (!take_word(c, "[\"map\",[", 8)) {
            return false;
        }
        if (!take_byte(c, ']')) {
            do {
                if (!take_byte(c, '[') || !take_atom(d, c, col->key)
                    || !take_byte(c, ',') || !take_atom(d, c, col->value)
                    || !take_byte(c, ']')) {
                    return false;
                }
            } while (take_byte(c, ','));
            if (!take_byte(c, ']')) {
                return false;
            }
        }
        return take_byte(c, ']');
    }
    if (take_word(c, "[\"set\",[", 8)) {
        if (!take_byte(c, ']')) {
            do {
                if (!take_atom(d, c, col->key)) {
                    return false;
                }
            } while (take_byte(c, ','));
            if (!take_byte(c, ']')) {
                return false;
            }
        }
        return take_byte(c, ']');
    }
    /* A single atom: a uuid has its array, anything else is bare. */
    if (col->key == UD_UUID) {
        return take_uuid(d, c);
    }
    return (c->p < c->end && *c->p != '[' && take_atom(d, c, col->key));
}

/* Takes a row's columns, {"column":datum,...}. */
static bool
take_columns(struct update_decoder *d, struct cursor *c)
{
    if (!take_byte(c, '{')) {
        return false;
    }
    if (take_byte(c, '}')) {
        return true;
    }
    do {
        const struct ud_column *col;
        struct col_atoms *ca;
        const char *name;
        size_t len, idx, n;

        if (!take_string(c, &name, &len) || !take_byte(c, ':')) {
            return false;
        }
        col = find_column(d, name, len, &idx);
        if (!col || d->cols[idx].present) {
            return false;
        }
        d->prev_column = idx;
        ca = &d->cols[idx];
        ca->present = true;
        ca->first = d->n_atoms;
        if (!take_datum(d, c, col)) {
            return false;
        }
        n = d->n_atoms - ca->first;
        if (col->value != UD_VOID) {
            n /= 2;
        }
        if (!col->composite && n > 1) {
            return false;
        }
        ca->n = n;
    } while (take_byte(c, ','));
    return take_byte(c, '}');
}

/* Takes one row, "uuid":{"op":{...}} or "uuid":{"delete":null}, into the
 * row's arrays, ready for emit_row(). */
static bool
take_row(struct update_decoder *d, struct cursor *c)
{
    const unsigned char *p = c->p;

    /* The uuid, then the operation's opening quote. */
    if (c->end - p < 41 || p[0] != '"' || p[37] != '"' || p[38] != ':'
        || p[39] != '{' || p[40] != '"'
        || !uuid_parse((const char *) p + 1, 36, &d->uuid)) {
        return false;
    }
    if (d->ops->row_begin) {
        d->ops->row_begin(d->aux, d->table_idx, &d->uuid);
    }
    c->p = p + 41;
    if (take_word(c, "initial\":", 9)) {
        d->op = UD_ROW_INITIAL;
    } else if (take_word(c, "insert\":", 8)) {
        d->op = UD_ROW_INSERT;
    } else if (take_word(c, "modify\":", 8)) {
        d->op = UD_ROW_MODIFY;
    } else if (take_word(c, "delete\":null", 12)) {
        d->op = UD_ROW_DELETE;
    } else {
        return false;
    }
    if (d->op != UD_ROW_DELETE && !take_columns(d, c)) {
        return false;
    }
    d->have_op = true;
    return take_byte(c, '}');
}

/* Reads as many whole rows as it can from 'p' on, hands each out, and
 * returns the bytes taken, up to the end of the last row. */
static size_t
fast_rows(struct update_decoder *d, const unsigned char *p,
          const unsigned char *end)
{
    struct cursor c = { p, end };
    const unsigned char *taken = p;

    /* The decoder's tokenizer has the default limits (see
     * update_decoder_create()); take_string() keeps to the token's. */
    if (jstream_depth(d->js) + ROW_DEPTH > JSTREAM_DEFAULT_MAX_DEPTH) {
        return 0;
    }
    while ((!d->fast_comma || take_byte(&c, ',')) && take_row(d, &c)) {
        emit_row(d);
        taken = c.p;
        d->fast_comma = true;
    }
    /* The row that was not taken starts over with the tokenizer. */
    row_reset(d);
    return taken - p;
}

/* The tokenizer has just read the '{' before a table's rows ('after_row'
 * false) or a row's '}': pauses it there for fast_rows(). */
static void
between_rows(struct update_decoder *d, bool after_row)
{
    if (d->fast_enabled) {
        d->fast_ready = true;
        d->fast_comma = after_row;
        jstream_pause(d->js);
    }
}

/* ---------------------------------------------------------------------
 * The message. */

static int
member_value(struct update_decoder *d, enum jstream_event ev, const char *s,
             size_t len)
{
    switch (d->member) {
    case M_METHOD:
        if (ev != JSTREAM_STRING) {
            return fail(d, "the method is not a string");
        }
        d->seen[M_METHOD] = true;
        text_put(&d->texts[M_METHOD], s, len);
        d->level = L_MSG;
        return 0;
    case M_RESULT:
        d->seen[M_RESULT] = true;
        if (ev == JSTREAM_OBJECT_START) {
            return updates_begin(d, NULL, M_RESULT, L_MSG);
        }
        break;
    case M_PARAMS:
        if (ev == JSTREAM_ARRAY_START) {
            d->seen[M_PARAMS] = true;
            text_putc(&d->texts[M_PARAMS], '[');
            d->level = L_PARAMS;
            return 0;
        }
        break;
    case M_ID:
    case M_ERROR:
    case M_N:
    default:
        break;
    }
    capture_start(d, d->member, L_MSG);
    return capture_event(d, ev, s, len);
}

static int
params_event(struct update_decoder *d, enum jstream_event ev, const char *s,
             size_t len)
{
    struct text *t = &d->texts[M_PARAMS];

    if (ev == JSTREAM_ARRAY_END) {
        text_putc(t, ']');
        d->level = L_MSG;
        return 0;
    }
    if (ev == JSTREAM_OBJECT_START && d->param_idx > 0
        && d->first_param_end) {
        /* The monitor id is params[0], copied whole: "[" id. */
        char *id = xrealloc_or_die(NULL, d->first_param_end);
        memcpy(id, t->s + 1, d->first_param_end - 1);
        id[d->first_param_end - 1] = '\0';
        if (d->param_idx > 0) {
            /* In case it is copied rather than decoded. */
            text_putc(t, ',');
        }
        int error = updates_begin(d, id, M_PARAMS, L_PARAMS);
        free(id);
        if (!error && d->level == L_TABLES) {
            /* Decoded: not part of the copied params. */
            t->len--;
            t->s[t->len] = '\0';
        }
        return error;
    }
    if (d->param_idx > 0) {
        text_putc(t, ',');
    }
    d->seen[M_PARAMS] = true;
    capture_start(d, M_PARAMS, L_PARAMS);
    return capture_event(d, ev, s, len);
}

static int
capture_done(struct update_decoder *d)
{
    d->level = d->capture_return;
    if (d->level == L_PARAMS) {
        if (d->param_idx == 0) {
            d->first_param_end = d->texts[M_PARAMS].len;
        }
        d->param_idx++;
    }
    return 0;
}

static int
message_done(struct update_decoder *d)
{
    const struct ud_message msg = {
        .method = d->seen[M_METHOD] ? d->texts[M_METHOD].s : NULL,
        .id = d->seen[M_ID] ? d->texts[M_ID].s : NULL,
        .params = d->seen[M_PARAMS] ? d->texts[M_PARAMS].s : NULL,
        .result = (d->seen[M_RESULT] && d->texts[M_RESULT].len
                   ? d->texts[M_RESULT].s : NULL),
        .error = d->seen[M_ERROR] ? d->texts[M_ERROR].s : NULL,
        .had_updates = d->had_updates,
    };
    int error = d->ops->message(d->aux, &msg);
    message_reset(d);
    return error ? fail(d, "message refused") : 0;
}

/* Every level but L_DATUM (see on_event()). */
static int __attribute__((noinline))
structure_event(struct update_decoder *d, enum jstream_event ev,
                const char *s, size_t len)
{
    switch (d->level) {
    case L_TOP:
        if (ev == JSTREAM_END) {
            return message_done(d);
        }
        if (ev != JSTREAM_OBJECT_START) {
            return fail(d, "a message is not a JSON object");
        }
        d->level = L_MSG;
        return 0;

    case L_MSG:
        if (ev == JSTREAM_OBJECT_END) {
            d->level = L_TOP;
            return 0;
        }
        /* ev == JSTREAM_KEY: the tokenizer allows nothing else here. */
        for (int m = 0; m < M_N; m++) {
            if (token_is(s, len, member_names[m])) {
                if (d->seen[m]) {
                    return fail(d, "\"%s\" twice in one message",
                                member_names[m]);
                }
                d->member = m;
                d->level = L_MSG_VALUE;
                return 0;
            }
        }
        jstream_skip(d->js);
        return 0;

    case L_MSG_VALUE:
        return member_value(d, ev, s, len);

    case L_CAPTURE:
        return capture_event(d, ev, s, len);

    case L_PARAMS:
        return params_event(d, ev, s, len);

    case L_TABLES:
        if (ev == JSTREAM_OBJECT_END) {
            d->level = d->updates_return;
            if (d->level == L_PARAMS) {
                d->param_idx++;
            }
            return 0;
        } else {
            size_t idx;
            const struct ud_table *t = find_table(d->schema, s, len, &idx);
            if (!t) {
                jstream_skip(d->js);
                return 0;
            }
            enter_table(d, t, idx);
            row_reset(d);
            d->level = L_TABLE_OPEN;
            return 0;
        }

    case L_TABLE_OPEN:
        if (ev != JSTREAM_OBJECT_START) {
            return fail(d, "the updates of table %s are not an object",
                        d->table->name);
        }
        d->level = L_ROWS;
        between_rows(d, false);
        return 0;

    case L_ROWS:
        if (ev == JSTREAM_OBJECT_END) {
            d->level = L_TABLES;
            return 0;
        }
        if (!uuid_parse(s, len, &d->uuid)) {
            return fail(d, "table %s: \"%.*s\" is not a row uuid",
                        d->table->name, QUOTE_LEN(len), s);
        }
        if (d->ops->row_begin) {
            d->ops->row_begin(d->aux, d->table_idx, &d->uuid);
        }
        d->level = L_ROW_OPEN;
        return 0;

    case L_ROW_OPEN:
        if (ev != JSTREAM_OBJECT_START) {
            return fail(d, "table %s: a row update is not an object",
                        d->table->name);
        }
        d->level = L_ROW;
        return 0;

    case L_ROW:
        if (ev == JSTREAM_OBJECT_END) {
            int error = emit_row(d);

            d->level = L_ROWS;
            if (!error) {
                between_rows(d, true);
            }
            return error;
        }
        return parse_op(d, s, len);

    case L_DELETE_VALUE:
        if (ev != JSTREAM_NULL) {
            return fail(d, "table %s: \"delete\" is not null",
                        d->table->name);
        }
        d->level = L_ROW;
        return 0;

    case L_COLUMNS_OPEN:
        if (ev != JSTREAM_OBJECT_START) {
            return fail(d, "table %s: a row's columns are not an object",
                        d->table->name);
        }
        d->level = L_COLUMNS;
        return 0;

    case L_COLUMNS:
        if (ev == JSTREAM_OBJECT_END) {
            d->level = L_ROW;
            return 0;
        } else {
            size_t idx;
            const struct ud_column *c = find_column(d, s, len, &idx);
            if (!c) {
                jstream_skip(d->js);
                return 0;
            }
            if (d->cols[idx].present) {
                return fail(d, "%s.%s twice in one row", d->table->name,
                            c->name);
            }
            d->prev_column = idx;
            d->column = c;
            d->column_idx = idx;
            d->cols[idx].present = true;
            d->cols[idx].first = d->n_atoms;
            d->ds = D_START;
            d->level = L_DATUM;
            return 0;
        }

    case L_DATUM:
        return datum_event(d, ev, s, len);

    default:
        return fail(d, "internal error: level %d", (int) d->level);
    }
}

/* One call per JSON event, about 45 for a port row, most of them inside a
 * column's value: those go straight to datum_event(), the rest through
 * the larger switch, kept out of line so that each call does not pay for
 * its registers and stack (perf: on_event() was 12% of a 100k sync, most
 * of it its entry, exit and dispatch). */
static int
on_event(void *d_, enum jstream_event ev, const char *s, size_t len)
{
    struct update_decoder *d = d_;

    if (__builtin_expect(d->level == L_DATUM, 1)) {
        return datum_event(d, ev, s, len);
    }
    return structure_event(d, ev, s, len);
}

struct update_decoder *
update_decoder_create(const struct ud_ops *ops, void *aux)
{
    struct update_decoder *d = xrealloc_or_die(NULL, sizeof *d);
    memset(d, 0, sizeof *d);
    d->ops = ops;
    d->aux = aux;
    d->js = jstream_create(on_event, d, NULL);
    if (!d->js) {
        fprintf(stderr, "update-decoder: out of memory\n");
        abort();
    }
    d->level = L_TOP;
    d->fast_enabled = true;
    return d;
}

void
update_decoder_set_shortcut(struct update_decoder *d, bool enabled)
{
    d->fast_enabled = enabled;
    d->fast_ready = d->fast_ready && enabled;
}

void
update_decoder_destroy(struct update_decoder *d)
{
    if (!d) {
        return;
    }
    jstream_destroy(d->js);
    for (int m = 0; m < M_N; m++) {
        free(d->texts[m].s);
    }
    free(d->arena.s);
    free(d->atoms);
    free(d->atom_uuids);
    free(d->cols);
    free(d->datums);
    free(d->name_lens);
    free(d->follows);
    free(d->ptrs);
    free(d->lens);
    free(d->uuids);
    free(d->error);
    free(d);
}

int
update_decoder_feed(struct update_decoder *d, const void *data, size_t n)
{
    const unsigned char *p = data;
    const unsigned char *end = p + n;
    int error = 0;

    if (d->error) {
        return -1;
    }
    while (p < end) {
        if (d->fast_ready) {
            size_t taken = fast_rows(d, p, end);

            if (taken) {
                jstream_take_members(d->js, taken);
                p += taken;
            }
            if (p == end) {
                /* Still between rows, for the next piece. */
                break;
            }
            d->fast_ready = false;
        }

        unsigned long long before = jstream_offset(d->js);
        error = jstream_feed(d->js, p, end - p);
        if (error != JSTREAM_PAUSED) {
            break;
        }
        error = 0;
        p += jstream_offset(d->js) - before;
    }
    if (error && !d->error) {
        /* The tokenizer's own message names the byte already. */
        const char *why = jstream_error(d->js);
        d->error = strdup(why ? why : "stopped");
        if (!d->error) {
            abort();
        }
    }
    return error ? -1 : 0;
}

const char *
update_decoder_error(const struct update_decoder *d)
{
    return d->error;
}

void
update_decoder_reset(struct update_decoder *d)
{
    jstream_reset(d->js);
    free(d->error);
    d->error = NULL;
    d->level = L_TOP;
    d->table = NULL;
    d->fast_ready = false;
    message_reset(d);
    row_reset(d);
}
