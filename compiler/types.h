/* types.h — Pipe types as the checker and the C emitter see them: scalars,
 * tuples, lists, maps and sets, built once per compilation in its arena. */
#ifndef PIPEC_TYPES_H
#define PIPEC_TYPES_H

#include "pipe.h"

typedef enum TypeKind {
    T_ERROR, /* an earlier error: accepted everywhere, so errors don't cascade */
    T_STR,
    T_INT,
    T_FLOAT,
    T_BOOL,
    T_TUPLE,
    T_LIST,
    T_MAP,
    T_SET,
    T_EMPTY_LIST, /* the type of `[]` before context fixes its element */
    T_VOID,       /* what a call used as a statement returns (add, remove) */
    T_RECORD,     /* a declared record: fields like a tuple's, with names; one Type per declaration */
    T_OPT,        /* T? (elems[0] = T): a T or none */
    T_NONE        /* the type of `none` before context makes it some T? */
} TypeKind;

typedef struct Type Type;
struct Type {
    TypeKind kind;
    int n;        /* tuple, record: number of fields */
    Type **elems; /* tuple, record: fields; list, set, T?: elems[0]; map: key, value */
    /* records: the declared name, the field names in declaration order, and
     * the serial that sets two declarations apart (records are nominal) */
    const char *name;
    const char **field_names;
    int serial;
};

extern Type type_error_, type_str_, type_int_, type_float_, type_bool_, type_empty_list_, type_void_, type_none_;
#define TY_ERROR (&type_error_)
#define TY_STR (&type_str_)
#define TY_INT (&type_int_)
#define TY_FLOAT (&type_float_)
#define TY_BOOL (&type_bool_)
#define TY_EMPTY_LIST (&type_empty_list_)
#define TY_VOID (&type_void_)
#define TY_NONE (&type_none_)

/* Constructors; the result lives in arena a. */
Type *type_tuple(PipeArena *a, Type **fields, int n);
Type *type_pair(PipeArena *a, Type *x, Type *y);
Type *type_list(PipeArena *a, Type *elem);
Type *type_map(PipeArena *a, Type *key, Type *val);
Type *type_set(PipeArena *a, Type *elem);
/* T?: an optional of elem (which is not itself optional). */
Type *type_opt(PipeArena *a, Type *elem);
/* A record named name with n fields (types filled in later by the checker,
 * which resolves declarations in any order); serial tells it from every other
 * record of the compilation. */
Type *type_record(PipeArena *a, const char *name, const char **field_names, int n, int serial);
/* The index of field `name` of record t, or -1. */
int type_field_index(const Type *t, const char *name);

/* The number of part types of t: fields of a tuple or record, a list's, set's
 * or T?'s element, a map's key and value (0 for scalars). */
int type_nparts(const Type *t);
/* Structural equality (records: the same declaration); T_ERROR equals
 * everything. */
bool type_eq(const Type *x, const Type *y);
/* Whether a value of type `from` may be used where `to` is expected (equal, an
 * empty list literal where any list is expected, a T or none where a T? is). */
bool type_fits(const Type *from, const Type *to);
/* The type both x and y fit (T and none: T?; T and T?: T?; [] and [T]: [T]),
 * or NULL: the type of `if c then x else y` and of a list's elements. */
Type *type_unify(PipeArena *a, Type *x, Type *y);
bool type_is_num(const Type *t);
/* Whether t is, or contains, T_ERROR (an earlier error). */
bool type_has_error(const Type *t);
/* Whether values of t can be compared with < (scalars, tuples and lists of such). */
bool type_is_ordered(const Type *t);
/* Whether values of t can be map keys or set elements (not maps or sets). */
bool type_is_hashable(const Type *t);
/* The text of t as a user writes it: "str", "(str, int)", "{str: [int]}", for
 * messages only: a name past TYPE_NAME_MAX bytes is cut and ends in "...", so
 * two types may print alike; type_id tells them apart. */
#define TYPE_NAME_MAX 1023
const char *type_name(PipeArena *a, const Type *t);

/* A table giving each type structure one id (hash-consing): structurally equal
 * types get the same id, different ones different ids, whatever their names.
 * Ids count from 0 in the order first seen, a type's parts before it. */
typedef struct TypeTab TypeTab;
TypeTab *type_tab_new(void);
void type_tab_free(TypeTab *tab);
/* The id of t's structure (T_ERROR equals only itself here). */
int type_id(TypeTab *tab, const Type *t);
/* The number of ids given so far. */
int type_tab_count(const TypeTab *tab);

#endif
