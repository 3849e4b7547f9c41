/*
 * libFuzzer harness for the OVSDB update decoder (ovsdb/update-decoder.c)
 * over the JSON tokenizer.
 *
 * The input is one control byte, then the bytes a server would send.  The
 * control byte picks the sizes of the pieces for the second run: up to 17
 * bytes when it is odd, else up to hundreds, so that whole rows fit in a
 * piece and the row shortcut starts and stops at piece ends.  The
 * bytes are decoded three times, by three decoders: whole, in pieces, and
 * whole again with the row shortcut off, so through the tokenizer's events
 * alone (the reference for the shortcut, which the first two take where
 * they can).  All three runs must hand out the same rows and messages
 * (compared by hash and count: every column's presence, size and atoms)
 * and end alike (same result, same message).  Within a run, every
 * row must be well formed: a datum that is present has its atoms, a map's
 * keys have values, a non-composite column holds at most one atom, every
 * atom's length is its strlen(), and every uuid atom parses, to the value
 * the row gives with it.
 *
 * Any broken invariant aborts, which libFuzzer reports as a crash.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/update-decoder.h"
#include "tests/fuzz/fuzz.h"

static const struct ud_column columns[] = {
    { "name", UD_STRING, UD_VOID, false },
    { "ports", UD_UUID, UD_VOID, true },
    { "addresses", UD_STRING, UD_VOID, true },
    { "external_ids", UD_STRING, UD_STRING, true },
    { "enabled", UD_BOOLEAN, UD_VOID, false },
    { "index", UD_INTEGER, UD_VOID, false },
    { "refs", UD_STRING, UD_UUID, true },
};
static const struct ud_table tables[] = {
    { "Logical_Switch", columns, sizeof columns / sizeof *columns },
    { "T", columns, 3 },
};
static const struct ud_schema schema = { tables, 2 };

struct run {
    uint64_t hash;
    size_t n;
};

static void
hash_str(struct run *r, const char *s)
{
    if (!s) {
        s = "\x01(null)";
    }
    for (; *s; s++) {
        r->hash = (r->hash ^ (uint8_t) *s) * 0x100000001b3ULL;
    }
    r->hash = (r->hash ^ 0xff) * 0x100000001b3ULL;
    r->n++;
}

static const struct ud_schema *
on_begin(void *r_, const char *monitor_id)
{
    struct run *r = r_;
    hash_str(r, monitor_id);
    /* Like the watcher: a reply's updates, or those of a string id. */
    return !monitor_id || monitor_id[0] == '"' ? &schema : NULL;
}

/* Checks atom 'k' of 'atoms', of type 'type', against its length 'lens[k]'
 * and, for a uuid, its value 'uuids[k]'. */
static void
check_atom(const char *const *atoms, const size_t *lens,
           const struct ud_uuid *uuids, enum ud_atom_type type, size_t k)
{
    struct ud_uuid u;

    CHECK(atoms[k] != NULL && lens[k] == strlen(atoms[k]));
    CHECK((type == UD_UUID) == (uuids != NULL));
    if (type == UD_UUID) {
        CHECK(ud_uuid_from_string(atoms[k], &u));
        CHECK(!memcmp(&u, &uuids[k], sizeof u));
    }
}

static void
on_row(void *r_, const struct ud_row *row)
{
    struct run *r = r_;
    char buf[64];

    CHECK(row->table == &tables[row->table_idx]);
    CHECK(row->op <= UD_ROW_DELETE);
    snprintf(buf, sizeof buf, "%zu %d %08x%08x%08x%08x", row->table_idx,
             (int) row->op, row->uuid.parts[0], row->uuid.parts[1],
             row->uuid.parts[2], row->uuid.parts[3]);
    hash_str(r, buf);
    for (size_t i = 0; i < row->table->n_columns; i++) {
        const struct ud_column *c = &row->table->columns[i];
        const struct ud_datum *d = &row->columns[i];
        snprintf(buf, sizeof buf, "col %zu %d %zu", i, (int) d->present,
                 d->n);
        hash_str(r, buf);
        if (!d->present) {
            CHECK(d->n == 0);
            continue;
        }
        CHECK(c->composite || d->n <= 1);
        CHECK((c->value != UD_VOID) == (d->values != NULL));
        for (size_t k = 0; k < d->n; k++) {
            check_atom(d->keys, d->key_lens, d->key_uuids, c->key, k);
            hash_str(r, d->keys[k]);
            if (d->values) {
                check_atom(d->values, d->value_lens, d->value_uuids,
                           c->value, k);
                hash_str(r, d->values[k]);
            }
        }
    }
}

static int
on_message(void *r_, const struct ud_message *m)
{
    struct run *r = r_;
    hash_str(r, m->method);
    hash_str(r, m->id);
    hash_str(r, m->params);
    hash_str(r, m->result);
    hash_str(r, m->error);
    hash_str(r, m->had_updates ? "u" : "-");
    return 0;
}

static const struct ud_ops ops = {
    .updates_begin = on_begin,
    .row = on_row,
    .message = on_message,
};

/* Decodes the 'size' bytes at 'data' into 'r', in pieces whose sizes the
 * 'control' byte picks, or whole if 'control' is negative, with the row
 * shortcut if 'shortcut'.  Returns the result, and the error in 'error'. */
static int
decode(struct run *r, const uint8_t *data, size_t size, int control,
       bool shortcut, char *error, size_t error_size)
{
    struct update_decoder *d = update_decoder_create(&ops, r);
    uint32_t seed = control * 2654435761u + 1;
    int result = 0;

    update_decoder_set_shortcut(d, shortcut);
    for (size_t pos = 0; pos < size && !result; ) {
        size_t n = size - pos;

        if (control >= 0) {
            seed = seed * 1103515245u + 12345u;
            n = 1 + (seed >> 16) % (control & 1 ? control % 17 + 1
                                    : 64 + 16 * (size_t) control);
            if (n > size - pos) {
                n = size - pos;
            }
        }
        result = update_decoder_feed(d, data + pos, n);
        pos += n;
    }
    error[0] = '\0';
    if (result) {
        CHECK(update_decoder_error(d) != NULL);
        snprintf(error, error_size, "%s", update_decoder_error(d));
        CHECK(!strncmp(error, "byte ", 5));
    }
    update_decoder_destroy(d);
    return result;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct run start = { 0xcbf29ce484222325ULL, 0 };
    struct run whole = start, pieces = start, events = start;
    char e1[512], e2[512], e3[512];

    if (size < 1) {
        return 0;
    }
    uint8_t control = data[0];
    data++, size--;

    int r1 = decode(&whole, data, size, -1, true, e1, sizeof e1);
    int r2 = decode(&pieces, data, size, control, true, e2, sizeof e2);
    int r3 = decode(&events, data, size, -1, false, e3, sizeof e3);
    CHECK(r1 == r2 && r1 == r3);
    CHECK(!strcmp(e1, e2) && !strcmp(e1, e3));
    CHECK(whole.hash == pieces.hash && whole.hash == events.hash);
    CHECK(whole.n == pieces.n && whole.n == events.n);
    return 0;
}
