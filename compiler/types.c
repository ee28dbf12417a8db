/* types.c — construction, comparison and printing of Pipe types.
 * Types are small trees compared structurally; the emitter interns them by mangled name. */
#include "types.h"

#include <stdio.h>
#include <string.h>

#include "ast.h"

Type type_error_ = {T_ERROR, 0, NULL};
Type type_str_ = {T_STR, 0, NULL};
Type type_int_ = {T_INT, 0, NULL};
Type type_float_ = {T_FLOAT, 0, NULL};
Type type_bool_ = {T_BOOL, 0, NULL};
Type type_empty_list_ = {T_EMPTY_LIST, 0, NULL};
Type type_void_ = {T_VOID, 0, NULL};

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

bool type_eq(const Type *x, const Type *y)
{
    if (x == y || x->kind == T_ERROR || y->kind == T_ERROR)
        return true;
    if (x->kind != y->kind)
        return false;
    int n = x->kind == T_TUPLE ? x->n : x->kind == T_MAP ? 2 : (x->kind == T_LIST || x->kind == T_SET) ? 1 : 0;
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
        return to->kind == T_LIST || to->kind == T_EMPTY_LIST || to->kind == T_ERROR;
    return type_eq(from, to);
}

bool type_has_error(const Type *t)
{
    if (t->kind == T_ERROR)
        return true;
    int n = t->kind == T_TUPLE ? t->n : t->kind == T_MAP ? 2 : (t->kind == T_LIST || t->kind == T_SET) ? 1 : 0;
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
        for (int i = 0; i < t->n; i++)
            if (!type_is_ordered(t->elems[i]))
                return false;
        return true;
    case T_LIST:
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

static void name_into(char **p, char *end, const Type *t, bool mangle)
{
    switch (t->kind) {
    case T_ERROR: put(p, end, mangle ? "E" : "<error>"); break;
    case T_STR: put(p, end, mangle ? "s" : "str"); break;
    case T_INT: put(p, end, mangle ? "i" : "int"); break;
    case T_FLOAT: put(p, end, mangle ? "f" : "float"); break;
    case T_BOOL: put(p, end, mangle ? "b" : "bool"); break;
    case T_EMPTY_LIST: put(p, end, mangle ? "Lx" : "[]"); break;
    case T_VOID: put(p, end, mangle ? "V" : "nothing"); break;
    case T_TUPLE: {
        char num[16];
        snprintf(num, sizeof num, "T%d", t->n);
        put(p, end, mangle ? num : "(");
        for (int i = 0; i < t->n; i++) {
            put(p, end, mangle ? "_" : i ? ", " : "");
            name_into(p, end, t->elems[i], mangle);
        }
        put(p, end, mangle ? "_Z" : ")");
        break;
    }
    case T_LIST:
        put(p, end, mangle ? "L_" : "[");
        name_into(p, end, t->elems[0], mangle);
        put(p, end, mangle ? "" : "]");
        break;
    case T_SET:
        put(p, end, mangle ? "S_" : "{");
        name_into(p, end, t->elems[0], mangle);
        put(p, end, mangle ? "" : "}");
        break;
    case T_MAP:
        put(p, end, mangle ? "M_" : "{");
        name_into(p, end, t->elems[0], mangle);
        put(p, end, mangle ? "_" : ": ");
        name_into(p, end, t->elems[1], mangle);
        put(p, end, mangle ? "_Z" : "}");
        break;
    }
}

static const char *render(PipeArena *a, const Type *t, bool mangle)
{
    char buf[1024];
    char *p = buf;
    name_into(&p, buf + sizeof buf - 1, t, mangle);
    return ast_strdup(a, buf, (size_t)(p - buf));
}

const char *type_name(PipeArena *a, const Type *t)
{
    return render(a, t, false);
}

const char *type_mangle(PipeArena *a, const Type *t)
{
    return render(a, t, true);
}
