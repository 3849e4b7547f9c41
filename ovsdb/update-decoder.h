/*
 * The OVSDB client's receive side, decoded as the bytes arrive.
 *
 * An OVSDB server speaks JSON-RPC 1.0 over a byte stream (RFC 7047).  The
 * one message that matters for size is the reply to "monitor_cond": the
 * whole database in one JSON text, tens of megabytes for 100k ports.
 * Building a JSON tree of it (what OVS's jsonrpc and ovsdb-idl do) costs
 * more than a kilobyte per row at the peak; this decoder instead walks the
 * token stream (ovsdb/json-stream.h) and hands out one row at a time, with
 * only the columns a table description asks for, as plain strings.
 *
 * What comes out, for each message:
 *   - the rows of any <table-updates2> object (RFC 7047bis "update2"
 *     format) found where OVSDB puts one: the "result" of a reply, or an
 *     element of a notification's "params" after the monitor id;
 *   - then the message itself: method, id, the rest of params, result,
 *     error, each as compact JSON text (small values only: anything
 *     outside table updates is limited to UD_MAX_CAPTURE bytes).
 *
 * No I/O and no OVS: the fuzzer links it alone.
 */
#ifndef OVSDB_UPDATE_DECODER_H
#define OVSDB_UPDATE_DECODER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What an atom is, as OVSDB types go.  Every atom reaches the caller as a
 * string: strings unescaped, uuids as their 36 characters, booleans as
 * "true" or "false", numbers as written. */
enum ud_atom_type {
    UD_VOID,                    /* Only as a set's value type. */
    UD_STRING,
    UD_UUID,
    UD_BOOLEAN,
    UD_INTEGER,
};

/* A column the caller wants.  'composite' is OVSDB's "n_max > 1": a set or
 * map that can hold several elements, which "modify" sends as a difference
 * (elements to toggle, pairs to add, change or remove); any other column
 * comes whole. */
struct ud_column {
    const char *name;
    enum ud_atom_type key;
    enum ud_atom_type value;    /* UD_VOID unless a map. */
    bool composite;
};

struct ud_table {
    const char *name;
    const struct ud_column *columns;
    size_t n_columns;
};

/* The tables of one monitor.  Tables and columns not listed are skipped
 * (still checked to be well-formed JSON). */
struct ud_schema {
    const struct ud_table *tables;
    size_t n_tables;
};

struct ud_uuid {
    uint32_t parts[4];          /* As OVS's struct uuid. */
};

enum ud_row_op {
    UD_ROW_INITIAL,             /* In a monitor reply. */
    UD_ROW_INSERT,
    UD_ROW_MODIFY,              /* Composite columns are differences. */
    UD_ROW_DELETE,
};

/* A column's value: 'n' atoms ('keys'), and for a map the 'values' that go
 * with them (NULL otherwise).  'present' is false for a column that the
 * update does not carry (for "initial" and "insert": its default, empty
 * value; for "modify": unchanged).
 *
 * With each of those arrays of atoms come, by the same index, the atoms'
 * lengths (as strlen() would give them), and if their type is UD_UUID
 * their values (NULL for the other types), so that callers need neither
 * measure nor parse them again. */
struct ud_datum {
    bool present;
    size_t n;
    const char **keys;
    const char **values;
    const size_t *key_lens;
    const size_t *value_lens;
    const struct ud_uuid *key_uuids;
    const struct ud_uuid *value_uuids;
};

struct ud_row {
    const struct ud_table *table;
    size_t table_idx;
    struct ud_uuid uuid;
    enum ud_row_op op;
    const struct ud_datum *columns;     /* One per table->columns. */
};

/* The message around the updates.  Each field is compact JSON text, NULL
 * if the member was absent; 'method' is the unescaped string. */
struct ud_message {
    const char *method;
    const char *id;
    const char *params;         /* Params without any table updates. */
    const char *result;         /* NULL too if the result was updates. */
    const char *error;
    bool had_updates;           /* A <table-updates2> was decoded. */
};

struct ud_ops {
    /* A <table-updates2> object begins: in the result of a reply
     * ('monitor_id' NULL: which request it answers is not known yet, the
     * reply's id may come later), or in the params of a notification whose
     * first param is the JSON text 'monitor_id'.  Returns the tables to
     * decode, or NULL to refuse (the decoder stops with an error). */
    const struct ud_schema *(*updates_begin)(void *aux,
                                             const char *monitor_id);
    /* Optional (may be NULL): a row's update begins, in table 'table_idx'
     * of the schema; only its uuid is known.  A hint, for a caller to ask
     * the cache for where that row lives while the values are decoded;
     * it may come twice for one row. */
    void (*row_begin)(void *aux, size_t table_idx,
                      const struct ud_uuid *uuid);
    /* One row.  Pointers are valid only during the call. */
    void (*row)(void *aux, const struct ud_row *);
    /* One whole message.  Pointers are valid only during the call.
     * Returns 0, or non-zero to stop the decoder. */
    int (*message)(void *aux, const struct ud_message *);
};

/* The most bytes of JSON text kept of one message outside its updates. */
#define UD_MAX_CAPTURE (64 * 1024)

struct update_decoder;

struct update_decoder *update_decoder_create(const struct ud_ops *,
                                             void *aux);
void update_decoder_destroy(struct update_decoder *);

/* Decodes 'n' more bytes.  Returns 0, or -1 if the stream is bad (see
 * update_decoder_error()); then it stays stopped until reset. */
int update_decoder_feed(struct update_decoder *, const void *, size_t n);

const char *update_decoder_error(const struct update_decoder *);

/* Whether rows in the compact form ovsdb-server writes are read straight
 * from the input (the default), or each through the JSON tokenizer's
 * events, as other input is.  The result is the same either way; the
 * tests compare the two. */
void update_decoder_set_shortcut(struct update_decoder *, bool enabled);

/* For a new connection. */
void update_decoder_reset(struct update_decoder *);

/* Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex digits of either
 * case). */
bool ud_uuid_from_string(const char *, struct ud_uuid *);

#endif /* ovsdb/update-decoder.h */
