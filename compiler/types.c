/* types.c — construction, comparison and printing of Pipe types.
 * Types are small trees compared structurally; a TypeTab gives each structure
 * one id, by which the emitter names its C types. */
#include "types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "buf.h" /* xrealloc */

int type_nparts(const Type *t)
{
    switch (t->kind) {
    case T_TUPLE:
    case T_RECORD: return t->n;
    case T_MAP: return 2;
    case T_LIST:
    case T_SET:
    case T_OPT: return 1;
    default: return 0;
    }
}

Type type_error_ = {.kind = T_ERROR};
Type type_str_ = {.kind = T_STR};
Type type_int_ = {.kind = T_INT};
Type type_float_ = {.kind = T_FLOAT};
Type type_bool_ = {.kind = T_BOOL};
Type type_empty_list_ = {.kind = T_EMPTY_LIST};
Type type_void_ = {.kind = T_VOID};
Type type_none_ = {.kind = T_NONE};

static Type *type_new(PipeArena *a, TypeKind k, int n)
{
    Type *t = pipe_alloc(a, sizeof *t);
    t->kind = k;
    t->n = n;
    t->elems = pipe_alloc(a, sizeof(Type *) * (size_t)(n ? n : 1));
    return t;
}

Type *type_tuple(PipeArena *a, Type **fields, int n)
{
    Type *t = type_new(a, T_TUPLE, n);
    if (n > 0)
        memcpy(t->elems, fields, sizeof(Type *) * (size_t)n);
    return t;
}

Type *type_pair(PipeArena *a, Type *x, Type *y)
{
    Type *f[2] = {x, y};
    return type_tuple(a, f, 2);
}

Type *type_list(PipeArena *a, Type *elem)
{
    Type *t = type_new(a, T_LIST, 1);
    t->elems[0] = elem;
    return t;
}

Type *type_map(PipeArena *a, Type *key, Type *val)
{
    Type *t = type_new(a, T_MAP, 2);
    t->elems[0] = key;
    t->elems[1] = val;
    return t;
}

Type *type_set(PipeArena *a, Type *elem)
{
    Type *t = type_new(a, T_SET, 1);
    t->elems[0] = elem;
    return t;
}

Type *type_opt(PipeArena *a, Type *elem)
{
    Type *t = type_new(a, T_OPT, 1);
    t->elems[0] = elem;
    return t;
}

Type *type_record(PipeArena *a, const char *name, const char **field_names, int n, int serial)
{
    Type *t = type_new(a, T_RECORD, n);
    for (int i = 0; i < n; i++)
        t->elems[i] = TY_ERROR;
    t->name = name;
    t->field_names = field_names;
    t->serial = serial;
    return t;
}

int type_field_index(const Type *t, const char *name)
{
    for (int i = 0; t->kind == T_RECORD && i < t->n; i++)
        if (!strcmp(t->field_names[i], name))
            return i;
    return -1;
}

bool type_eq(const Type *x, const Type *y)
{
    if (x == y || x->kind == T_ERROR || y->kind == T_ERROR)
        return true;
    if (x->kind != y->kind)
        return false;
    if (x->kind == T_RECORD)
        return x->serial == y->serial;
    int n = type_nparts(x);
    if (x->kind == T_TUPLE && x->n != y->n)
        return false;
    for (int i = 0; i < n; i++)
        if (!type_eq(x->elems[i], y->elems[i]))
            return false;
    return true;
}

bool type_fits(const Type *from, const Type *to)
{
    if (from->kind == T_EMPTY_LIST)
        return to->kind == T_LIST || to->kind == T_EMPTY_LIST || to->kind == T_ERROR ||
               (to->kind == T_OPT && to->elems[0]->kind == T_LIST);
    if (to->kind == T_OPT && from->kind != T_OPT && from->kind != T_ERROR)
        return from->kind == T_NONE || type_fits(from, to->elems[0]);
    return type_eq(from, to);
}

Type *type_unify(PipeArena *a, Type *x, Type *y)
{
    if (x->kind == T_NONE && y->kind == T_NONE)
        return x;
    if (x->kind == T_NONE)
        return y->kind == T_OPT || y->kind == T_ERROR ? y : type_opt(a, y);
    if (y->kind == T_NONE)
        return x->kind == T_OPT || x->kind == T_ERROR ? x : type_opt(a, x);
    if (type_fits(y, x))
        return x->kind == T_EMPTY_LIST ? y : x;
    if (type_fits(x, y))
        return y;
    return NULL;
}

bool type_has_error(const Type *t)
{
    if (t->kind == T_ERROR)
        return true;
    if (t->kind == T_RECORD)
        return false; /* its fields are checked where it is declared */
    int n = type_nparts(t);
    for (int i = 0; i < n; i++)
        if (type_has_error(t->elems[i]))
            return true;
    return false;
}

bool type_is_num(const Type *t)
{
    return t->kind == T_INT || t->kind == T_FLOAT || t->kind == T_ERROR;
}

bool type_is_ordered(const Type *t)
{
    switch (t->kind) {
    case T_MAP:
    case T_SET:
    case T_VOID:
        return false;
    case T_TUPLE:
    case T_RECORD:
        for (int i = 0; i < t->n; i++)
            if (!type_is_ordered(t->elems[i]))
                return false;
        return true;
    case T_LIST:
    case T_OPT:
        return type_is_ordered(t->elems[0]);
    default:
        return true;
    }
}

bool type_is_hashable(const Type *t)
{
    return type_is_ordered(t);
}

static void put(char **p, char *end, const char *s)
{
    size_t n = strlen(s);
    if (n > (size_t)(end - *p))
        n = (size_t)(end - *p);
    memcpy(*p, s, n);
    *p += n;
}

static void name_into(char **p, char *end, const Type *t)
{
    switch (t->kind) {
    case T_ERROR: put(p, end, "<error>"); break;
    case T_STR: put(p, end, "str"); break;
    case T_INT: put(p, end, "int"); break;
    case T_FLOAT: put(p, end, "float"); break;
    case T_BOOL: put(p, end, "bool"); break;
    case T_EMPTY_LIST: put(p, end, "[]"); break;
    case T_VOID: put(p, end, "nothing"); break;
    case T_NONE: put(p, end, "none"); break;
    case T_RECORD: put(p, end, t->name); break;
    case T_OPT:
        name_into(p, end, t->elems[0]);
        put(p, end, "?");
        break;
    case T_TUPLE:
        put(p, end, "(");
        for (int i = 0; i < t->n && *p < end; i++) {
            put(p, end, i ? ", " : "");
            name_into(p, end, t->elems[i]);
        }
        put(p, end, ")");
        break;
    case T_LIST:
        put(p, end, "[");
        name_into(p, end, t->elems[0]);
        put(p, end, "]");
        break;
    case T_SET:
        put(p, end, "{");
        name_into(p, end, t->elems[0]);
        put(p, end, "}");
        break;
    case T_MAP:
        put(p, end, "{");
        name_into(p, end, t->elems[0]);
        put(p, end, ": ");
        name_into(p, end, t->elems[1]);
        put(p, end, "}");
        break;
    }
}

const char *type_name(PipeArena *a, const Type *t)
{
    /* one byte more than is kept tells a name that was cut */
    char buf[TYPE_NAME_MAX + 2];
    char *p = buf;
    name_into(&p, buf + sizeof buf - 1, t);
    size_t n = (size_t)(p - buf);
    if (n > TYPE_NAME_MAX) {
        n = TYPE_NAME_MAX;
        memcpy(buf + n - 3, "...", 3);
    }
    return ast_strdup(a, buf, n);
}

/* ------------------------------------------------------------------ interning */

/* An id's structure: its kind and the ids of its parts (in TypeTab.kids). */
typedef struct TypeRow {
    TypeKind kind;
    int n;       /* parts */
    size_t kids; /* index of the first part's id in TypeTab.kids */
    uint64_t hash;
} TypeRow;

/* Two open-addressed hash tables of ids: by structure (kind and part ids),
 * the truth; and by Type pointer, a cache, since one Type is asked for again
 * and again while its function is emitted. */
struct TypeTab {
    TypeRow *rows;
    int nrows, caprows;
    int *kids;
    size_t nkids, capkids;
    int *by_shape; /* id + 1, 0 empty; nslots entries */
    const Type **ptr_key;
    int *ptr_id;   /* id + 1, 0 empty */
    size_t nslots, nptr;
};

TypeTab *type_tab_new(void)
{
    TypeTab *tab = xrealloc(NULL, sizeof *tab);
    memset(tab, 0, sizeof *tab);
    tab->capkids = 256; /* never NULL, so that parts are copied and compared plainly */
    tab->kids = xrealloc(NULL, sizeof(int) * tab->capkids);
    return tab;
}

void type_tab_free(TypeTab *tab)
{
    if (!tab)
        return;
    free(tab->rows);
    free(tab->kids);
    free(tab->by_shape);
    free(tab->ptr_key);
    free(tab->ptr_id);
    free(tab);
}

int type_tab_count(const TypeTab *tab)
{
    return tab->nrows;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15u + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdu;
}

static uint64_t shape_hash(TypeKind kind, int n, const int *kids)
{
    uint64_t h = mix((uint64_t)kind, (uint64_t)n);
    for (int i = 0; i < n; i++)
        h = mix(h, (uint64_t)kids[i]);
    return h;
}

static size_t ptr_slot(const Type *t, size_t nslots)
{
    return (size_t)(mix((uint64_t)(uintptr_t)t, 0) >> 7) & (nslots - 1);
}

/* Doubles both hash tables (rehashing every id and cached pointer) when
 * they would be more than half full. */
static void tab_grow(TypeTab *tab)
{
    size_t used = (size_t)tab->nrows > tab->nptr ? (size_t)tab->nrows : tab->nptr;
    if ((used + 1) * 2 <= tab->nslots)
        return;
    size_t old = tab->nslots, nslots = old ? old * 2 : 64;
    const Type **okey = tab->ptr_key;
    int *oid = tab->ptr_id;
    free(tab->by_shape);
    tab->by_shape = xrealloc(NULL, nslots * sizeof(int));
    tab->ptr_key = xrealloc(NULL, nslots * sizeof(Type *));
    tab->ptr_id = xrealloc(NULL, nslots * sizeof(int));
    memset(tab->by_shape, 0, nslots * sizeof(int));
    memset(tab->ptr_id, 0, nslots * sizeof(int));
    tab->nslots = nslots;
    for (int id = 0; id < tab->nrows; id++) {
        size_t i = (size_t)tab->rows[id].hash & (nslots - 1);
        while (tab->by_shape[i])
            i = (i + 1) & (nslots - 1);
        tab->by_shape[i] = id + 1;
    }
    for (size_t j = 0; j < old; j++) {
        if (!oid[j])
            continue;
        size_t i = ptr_slot(okey[j], nslots);
        while (tab->ptr_id[i])
            i = (i + 1) & (nslots - 1);
        tab->ptr_key[i] = okey[j];
        tab->ptr_id[i] = oid[j];
    }
    free(okey);
    free(oid);
}

/* The id of the structure (kind, kids[0..n)), a new one when first seen. */
static int shape_id(TypeTab *tab, TypeKind kind, int n, const int *kids)
{
    uint64_t h = shape_hash(kind, n, kids);
    size_t i = (size_t)h & (tab->nslots - 1);
    for (; tab->by_shape[i]; i = (i + 1) & (tab->nslots - 1)) {
        const TypeRow *r = &tab->rows[tab->by_shape[i] - 1];
        if (r->hash == h && r->kind == kind && r->n == n &&
            !memcmp(tab->kids + r->kids, kids, sizeof(int) * (size_t)n))
            return tab->by_shape[i] - 1;
    }
    if (tab->nrows == tab->caprows) {
        tab->caprows = tab->caprows ? tab->caprows * 2 : 64;
        tab->rows = xrealloc(tab->rows, sizeof *tab->rows * (size_t)tab->caprows);
    }
    if (tab->nkids + (size_t)n > tab->capkids) {
        while (tab->nkids + (size_t)n > tab->capkids)
            tab->capkids *= 2;
        tab->kids = xrealloc(tab->kids, sizeof(int) * tab->capkids);
    }
    memcpy(tab->kids + tab->nkids, kids, sizeof(int) * (size_t)n);
    tab->rows[tab->nrows] = (TypeRow){kind, n, tab->nkids, h};
    tab->nkids += (size_t)n;
    tab->by_shape[i] = ++tab->nrows;
    return tab->nrows - 1;
}

int type_id(TypeTab *tab, const Type *t)
{
    tab_grow(tab);
    size_t i = ptr_slot(t, tab->nslots);
    for (; tab->ptr_id[i]; i = (i + 1) & (tab->nslots - 1))
        if (tab->ptr_key[i] == t)
            return tab->ptr_id[i] - 1;
    /* a record's serial, as one more part that no id can equal, keeps two
     * records with the same fields apart */
    int n = type_nparts(t), small[8], nk = n + (t->kind == T_RECORD);
    int *kids = nk <= 8 ? small : xrealloc(NULL, sizeof(int) * (size_t)nk);
    for (int k = 0; k < n; k++)
        kids[k] = type_id(tab, t->elems[k]);
    if (t->kind == T_RECORD)
        kids[n] = -1 - t->serial;
    tab_grow(tab); /* the parts may have filled the tables */
    int id = shape_id(tab, t->kind, nk, kids);
    if (kids != small)
        free(kids);
    i = ptr_slot(t, tab->nslots);
    while (tab->ptr_id[i])
        i = (i + 1) & (tab->nslots - 1);
    tab->ptr_key[i] = t;
    tab->ptr_id[i] = id + 1;
    tab->nptr++;
    return id;
}
