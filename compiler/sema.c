/* sema.c — checks a program: names, types of every expression, proc body and
 * stream connection, the DAG rules of pipelines; records on each stage what
 * lowering (lower.c) needs. */
#include "sema.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtins.h"
#include "reference.h"
#include "options_impl.h"
#include "rt_impl.h"

/* What sema keeps about a proc declaration (decl->proc), and about a fn's
 * (its parameters in scope, its result in out). */
typedef struct ProcInfo {
    Scope *scope;   /* parameters (and, for stateful procs, state) */
    Type *in, *out; /* NULL where the side is missing */
    Type **ptypes;  /* parameter types */
    bool checking;  /* a composite proc being checked: recursion guard */
    bool checked;   /* a composite proc whose flow was checked */
    bool recursion_reported;
    Node *tail;     /* a composite proc: the last stage of its flow */
} ProcInfo;

/* What sema keeps about a pipeline (decl->pipe). */
typedef struct PipeInfo {
    Scope *scope;
    Type **ptypes;
} PipeInfo;

/* ------------------------------------------------------------------ helpers */

static void report(Sema *s, bool error, Loc loc, const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
static void report(Sema *s, bool error, Loc loc, const char *fmt, va_list ap)
{
    diag_vreport(s->diag, error ? DIAG_ERROR : DIAG_WARNING, NULL, loc, fmt, ap);
}

static void err(Sema *s, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void err(Sema *s, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(s, true, loc, fmt, ap);
    va_end(ap);
}

static void warn(Sema *s, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void warn(Sema *s, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(s, false, loc, fmt, ap);
    va_end(ap);
}

static const char *tn(Sema *s, const Type *t)
{
    return type_name(s->arena, t);
}

static Scope *scope_new(Sema *s, Scope *parent, Node *proc)
{
    Scope *sc = pipe_alloc(s->arena, sizeof *sc);
    memset(sc, 0, sizeof *sc);
    sc->parent = parent;
    sc->proc = proc ? proc : parent ? parent->proc : NULL;
    return sc;
}

/* FNV-1a: names are short, and a table of them is rebuilt rarely. */
static uint32_t name_hash(const char *name)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

/* The slot of name in m (m->cap is a power of two, never full). */
static int namemap_slot(const NameMap *m, const char *name)
{
    int mask = m->cap - 1;
    int i = (int)(name_hash(name) & (uint32_t)mask);
    while (m->keys[i] && strcmp(m->keys[i], name))
        i = (i + 1) & mask;
    return i;
}

void *sema_map_get(const NameMap *m, const char *name)
{
    if (!m->cap)
        return NULL;
    return m->vals[namemap_slot(m, name)];
}

void sema_map_put(PipeArena *a, NameMap *m, const char *name, void *val)
{
    if (2 * (m->n + 1) > m->cap) {
        NameMap g = {.cap = m->cap ? 2 * m->cap : 16};
        g.keys = pipe_alloc(a, sizeof *g.keys * (size_t)g.cap);
        g.vals = pipe_alloc(a, sizeof *g.vals * (size_t)g.cap);
        memset(g.keys, 0, sizeof *g.keys * (size_t)g.cap);
        memset(g.vals, 0, sizeof *g.vals * (size_t)g.cap);
        for (int i = 0; i < m->cap; i++)
            if (m->keys[i]) {
                int k = namemap_slot(&g, m->keys[i]);
                g.keys[k] = m->keys[i];
                g.vals[k] = m->vals[i];
            }
        g.n = m->n;
        *m = g;
    }
    int i = namemap_slot(m, name);
    if (!m->keys[i]) {
        m->keys[i] = name;
        m->n++;
    }
    m->vals[i] = val;
}

/* Scopes with at most this many names are scanned; larger ones get an index. */
#define SCOPE_SCAN 8

static Sym *scope_add(Sema *s, Scope *sc, const char *name, SymKind kind, Type *t, Node *decl)
{
    Sym *y = pipe_alloc(s->arena, sizeof *y);
    memset(y, 0, sizeof *y);
    y->name = name;
    y->kind = kind;
    y->type = t;
    y->decl = decl;
    y->id = ++s->next_id;
    y->next = sc->syms;
    sc->syms = y;
    if (++sc->nsyms == SCOPE_SCAN + 1) {
        /* index every name, the oldest first so that the latest one wins */
        Sym *all[SCOPE_SCAN + 1];
        int k = 0;
        for (Sym *o = sc->syms; o; o = o->next)
            all[k++] = o;
        while (k--)
            sema_map_put(s->arena, &sc->index, all[k]->name, all[k]);
    } else if (sc->nsyms > SCOPE_SCAN)
        sema_map_put(s->arena, &sc->index, name, y);
    return y;
}

static Sym *scope_find_local(Scope *sc, const char *name)
{
    if (sc->nsyms > SCOPE_SCAN)
        return sema_map_get(&sc->index, name);
    for (Sym *y = sc->syms; y; y = y->next)
        if (!strcmp(y->name, name))
            return y;
    return NULL;
}

static Sym *scope_find(Scope *sc, const char *name)
{
    for (; sc; sc = sc->parent) {
        Sym *y = scope_find_local(sc, name);
        if (y)
            return y;
    }
    return NULL;
}

static Node *arg_value(Node *arg)
{
    return arg->kind == N_ARG ? arg->a : arg;
}

/* One step of the "did you mean" searches (the runtime's, shared with the
 * option parsing of built binaries). */
static const char *nearer(const char *name, const char *best, const char *cand)
{
    return pipe_nearer(name, strlen(name), best, cand);
}

/* The standard stage or proc nearest to name, when near enough to be a
 * misspelling of it; else NULL (so are the searches below). */
static const char *nearest_stage(Sema *s, const char *name)
{
    int n;
    const StdStage *st = std_stages_all(&n);
    const char *best = NULL;
    for (int i = 0; i < n; i++)
        best = nearer(name, best, st[i].name);
    for (int i = 0; i < s->nprocs; i++)
        best = nearer(name, best, s->procs[i]->name);
    return best;
}

static const char *nearest_function(Sema *s, const char *name)
{
    int n;
    const Builtin *b = builtins_all(&n);
    const char *best = NULL;
    for (int i = 0; i < n; i++)
        best = nearer(name, best, b[i].name);
    for (int i = 0; i < s->nfns; i++)
        best = nearer(name, best, s->fns[i]->name);
    return best;
}

/* The name in scope sc (or an enclosing one) nearest to name. */
static const char *nearest_name(Scope *sc, const char *name)
{
    const char *best = NULL;
    for (; sc; sc = sc->parent)
        for (Sym *y = sc->syms; y; y = y->next)
            best = nearer(name, best, y->name);
    return best;
}

/* "; did you mean 'x'?" for near, into buf (empty when near is NULL). */
static const char *did_you_mean(char *buf, size_t n, const char *near)
{
    if (!near)
        return "";
    snprintf(buf, n, "; did you mean '%s'?", near);
    return buf;
}

static const char *nearest_record(Sema *s, const char *name)
{
    const char *best = NULL;
    for (int i = 0; i < s->nrecords; i++)
        best = nearer(name, best, s->records[i]->name);
    return best;
}

/* ------------------------------------------------------------------ type expressions */

/* The scalar type called name, or NULL. */
static Type *scalar_type(const char *name)
{
    if (!strcmp(name, "str"))
        return TY_STR;
    if (!strcmp(name, "int"))
        return TY_INT;
    if (!strcmp(name, "float"))
        return TY_FLOAT;
    if (!strcmp(name, "bool"))
        return TY_BOOL;
    return NULL;
}

static Type *resolve_type(Sema *s, Node *t)
{
    if (!t)
        return NULL;
    switch (t->kind) {
    case N_TNAME: {
        Type *sc = scalar_type(t->name);
        if (sc)
            return sc;
        Node *r = sema_map_get(&s->record_names, t->name);
        if (r)
            return r->type;
        const char *near = nearest_record(s, t->name);
        if (near) {
            err(s, t->loc, "unknown type '%s'; did you mean the record '%s'?", t->name, near);
            return TY_ERROR;
        }
        err(s, t->loc, "unknown type '%s' (expected str, int, float, bool, a record, a tuple, [T], {K: V}, {T} or T?)",
            t->name);
        return TY_ERROR;
    }
    case N_TOPT: {
        Type *e = resolve_type(s, t->a);
        if (e->kind == T_OPT) {
            err(s, t->loc, "%s is optional already: one '?' is enough", tn(s, e));
            return e;
        }
        return e->kind == T_ERROR ? e : type_opt(s->arena, e);
    }
    case N_TTUPLE: {
        Type **f = pipe_alloc(s->arena, sizeof(Type *) * (size_t)(t->list.n + 1));
        for (int i = 0; i < t->list.n; i++)
            f[i] = resolve_type(s, t->list.v[i]);
        return type_tuple(s->arena, f, t->list.n);
    }
    case N_TLIST:
        return type_list(s->arena, resolve_type(s, t->a));
    case N_TSET: {
        Type *e = resolve_type(s, t->a);
        if (!type_is_hashable(e))
            err(s, t->a->loc, "a set element cannot be of type %s", tn(s, e));
        return type_set(s->arena, e);
    }
    case N_TMAP: {
        Type *k = resolve_type(s, t->a);
        if (!type_is_hashable(k))
            err(s, t->a->loc, "a map key cannot be of type %s", tn(s, k));
        return type_map(s->arena, k, resolve_type(s, t->b));
    }
    default:
        err(s, t->loc, "expected a type, found %s", ast_kind_name(t->kind));
        return TY_ERROR;
    }
}

/* ------------------------------------------------------------------ expressions */

static Type *expr(Sema *s, Scope *sc, Node *e);

static Type *literal_as(Sema *s, Scope *sc, Node *e, Type *want);

/* Checks that e has a type that fits `want` ("for what" names the context). */
static Type *expect(Sema *s, Scope *sc, Node *e, Type *want, const char *what)
{
    Type *t = literal_as(s, sc, e, want);
    if (t)
        return t;
    t = expr(s, sc, e);
    if (t->kind == T_EMPTY_LIST && (want->kind == T_LIST || want->kind == T_ERROR)) {
        e->type = want;
        return want;
    }
    if (type_is_num(want) && want->kind == T_FLOAT && t->kind == T_INT) {
        return t; /* int where float is expected: the emitter converts */
    }
    if (want->kind == T_OPT && t->kind == T_INT && want->elems[0]->kind == T_FLOAT)
        return t; /* and where a float? is */
    if (type_fits(t, want))
        return t;
    if (t->kind == T_OPT && type_fits(t->elems[0], want))
        err(s, e->loc, "%s: expected %s, found %s, which may be none (give a value for none with '?\? value', or "
                       "test it with '== none')", what, tn(s, want), tn(s, t));
    else
        err(s, e->loc, "%s: expected %s, found %s", what, tn(s, want), tn(s, t));
    return t;
}

static bool is_regex_literal_ok(Sema *s, Node *e)
{
    if (e->kind != N_STR)
        return true;
    char msg[256];
    size_t off = 0;
    PipeRegex *re = pipe_regex_compile(e->str, msg, sizeof msg, &off);
    if (!re) {
        /* point at the offending byte inside the string literal when we can */
        Loc l = e->loc;
        err(s, l, "invalid regular expression at offset %zu: %s", off, msg);
        return false;
    }
    pipe_regex_free(re);
    return true;
}

/* Whether a parameter's name says it holds a pattern ("pattern", "regex",
 * "pkg_re", "rx"): such a value is meant as a regex. */
static bool named_as_pattern(const char *name)
{
    static const char *const words[] = {"re", "rx", "regex", "regexp", "pattern", "pat", "expr", NULL};
    for (const char *p = name; *p;) {
        size_t n = strcspn(p, "_");
        for (int i = 0; words[i]; i++)
            if (n == strlen(words[i]) && !strncmp(p, words[i], n))
                return true;
        p += n + (p[n] == '_');
    }
    return strstr(name, "pattern") || strstr(name, "regex");
}

/* A regex argument e that is, or is joined (+) from, a pipeline parameter:
 * the user's value on the command line becomes regex syntax ('libc++-dev'
 * matches nothing), a wrong answer without a sign, so a warning says how to
 * match the text, unless the parameter is named as a pattern. */
static void regex_from_param(Sema *s, Scope *sc, Node *e)
{
    if (e->kind == N_BINARY && e->op == OP_ADD) {
        regex_from_param(s, sc, e->a);
        regex_from_param(s, sc, e->b);
        return;
    }
    Sym *y = e->kind == N_NAME ? scope_find(sc, e->name) : NULL;
    if (!y || y->kind != SYM_PARAM || y->type->kind != T_STR || named_as_pattern(e->name))
        return;
    warn(s, e->loc,
         "the parameter '%s' is taken as a regex ('+', '.', '(' in its value are operators): to match its text "
         "write quote_re(%s); a regex parameter is best named so ('%s_re')",
         e->name, e->name, e->name);
}

/* A lambda applied to items of type `in`: one parameter takes the item, n > 1
 * parameters take the fields of an n-tuple.  Returns the body's type. */
static Type *lambda(Sema *s, Scope *sc, Node *lam, Type *in, const char *stage)
{
    if (lam->kind != N_LAMBDA) {
        err(s, lam->loc, "'%s' expects a function such as 'x => ...', found %s", stage, ast_kind_name(lam->kind));
        expr(s, sc, lam);
        return TY_ERROR;
    }
    Scope *ls = scope_new(s, sc, NULL);
    int np = lam->list.n;
    if (np > 1 && !(in->kind == T_TUPLE && in->n == np) && in->kind != T_ERROR) {
        err(s, lam->loc, "this function takes %d parameters, but the items are %s (a tuple of %d would fit)", np,
            tn(s, in), np);
        in = TY_ERROR;
    }
    for (int i = 0; i < np; i++) {
        Node *p = lam->list.v[i];
        Type *pt = np == 1 ? in : in->kind == T_TUPLE ? in->elems[i] : TY_ERROR;
        Sym *y = scope_add(s, ls, p->name, SYM_LOCAL, pt, p);
        y->used = true;
        p->sym = y;
        p->type = pt;
    }
    Type *t = expr(s, ls, lam->a);
    lam->type = t;
    return t;
}

/* Where x or y is a T? that an operator cannot take: what to write instead. */
static const char *opt_hint(const Type *x, const Type *y)
{
    return x->kind == T_OPT || y->kind == T_OPT || x->kind == T_NONE || y->kind == T_NONE
               ? " (a T? may be none: give a value for none with '?\?', as in (x ?? 0))"
               : "";
}

static Type *num_result(Sema *s, Node *e, Type *x, Type *y)
{
    if (x->kind == T_ERROR || y->kind == T_ERROR)
        return TY_ERROR;
    if (!type_is_num(x) || !type_is_num(y)) {
        err(s, e->loc, "operator '%s' needs numbers, found %s and %s%s", ast_op_name(e->op), tn(s, x), tn(s, y),
            opt_hint(x, y));
        return TY_ERROR;
    }
    return (x->kind == T_FLOAT || y->kind == T_FLOAT) ? TY_FLOAT : TY_INT;
}

/* `x ?? y`: x's value, or y when x is none. */
static Type *coalesce_type(Sema *s, Node *e, Type *x, Type *y)
{
    if (x->kind == T_ERROR || y->kind == T_ERROR)
        return TY_ERROR;
    if (x->kind == T_NONE)
        return y;
    if (x->kind != T_OPT) {
        err(s, e->a->loc, "'?\?' needs a value that may be none (a T?) on its left, found %s", tn(s, x));
        return TY_ERROR;
    }
    Type *v = x->elems[0];
    if (type_fits(y, v) || (v->kind == T_FLOAT && y->kind == T_INT))
        return v;
    if (type_fits(y, x))
        return x; /* a ?? b with b a T? too: may still be none */
    err(s, e->b->loc, "'?\?' gives a %s for none here, found %s", tn(s, v), tn(s, y));
    return TY_ERROR;
}

/* == and != with none: the other side must be a T?. */
static bool none_compare(Sema *s, Node *e, Type *x, Type *y)
{
    Type *other = x->kind == T_NONE ? y : x;
    if (other->kind != T_OPT && other->kind != T_NONE && other->kind != T_ERROR)
        err(s, e->loc, "only a T? can be none; a %s never is", tn(s, other));
    else if (e->op != OP_EQ && e->op != OP_NE)
        err(s, e->loc, "none has no order: compare it with == or !=");
    return true;
}

static bool is_list(const Type *t)
{
    return t->kind == T_LIST || t->kind == T_EMPTY_LIST;
}

/* `xs + ys`: two lists of one element type make a new one; an empty list
 * literal takes the other side's type. */
static Type *list_concat_type(Sema *s, Node *e, Type *x, Type *y)
{
    if (x->kind == T_ERROR || y->kind == T_ERROR)
        return TY_ERROR;
    if (x->kind == T_EMPTY_LIST && is_list(y)) {
        e->a->type = y;
        return y;
    }
    if (y->kind == T_EMPTY_LIST && is_list(x)) {
        e->b->type = x;
        return x;
    }
    if (x->kind == T_LIST && y->kind == T_LIST && type_eq(x, y))
        return x;
    err(s, e->loc, "operator '+' joins two lists of one element type, found %s and %s", tn(s, x), tn(s, y));
    return TY_ERROR;
}

/* The type of e's operator applied to operands of types x and y. */
static Type *binary_type(Sema *s, Node *e, Type *x, Type *y)
{
    switch (e->op) {
    case OP_COALESCE:
        return coalesce_type(s, e, x, y);
    case OP_ADD:
        if (is_list(x) || is_list(y))
            return list_concat_type(s, e, x, y);
        if (x->kind == T_STR && y->kind == T_STR)
            return TY_STR;
        if ((x->kind == T_STR) != (y->kind == T_STR) && x->kind != T_ERROR && y->kind != T_ERROR) {
            const char *hint = opt_hint(x, y);
            err(s, e->loc, "operator '+' joins two strs or adds two numbers, found %s and %s%s", tn(s, x), tn(s, y),
                *hint ? hint : " (convert with str(...))");
            return TY_ERROR;
        }
        return num_result(s, e, x, y);
    case OP_SUB:
    case OP_MUL:
    case OP_DIV:
        return num_result(s, e, x, y);
    case OP_MOD: {
        Type *t = num_result(s, e, x, y);
        if (t->kind == T_FLOAT) {
            err(s, e->loc, "operator '%%' needs ints, found %s and %s", tn(s, x), tn(s, y));
            return TY_ERROR;
        }
        return t;
    }
    case OP_EQ:
    case OP_NE:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE: {
        if (x->kind == T_NONE || y->kind == T_NONE)
            return none_compare(s, e, x, y) ? TY_BOOL : TY_BOOL;
        /* a T? with a T: none differs from every value and sorts first */
        bool ok = type_eq(x, y) || (type_is_num(x) && type_is_num(y)) ||
                  (x->kind == T_OPT && type_eq(x->elems[0], y)) || (y->kind == T_OPT && type_eq(y->elems[0], x));
        if (x->kind == T_EMPTY_LIST || y->kind == T_EMPTY_LIST)
            ok = (x->kind == T_LIST || x->kind == T_EMPTY_LIST) && (y->kind == T_LIST || y->kind == T_EMPTY_LIST);
        if (!ok)
            err(s, e->loc, "cannot compare %s with %s", tn(s, x), tn(s, y));
        else if (e->op != OP_EQ && e->op != OP_NE && !type_is_ordered(x))
            err(s, e->loc, "values of type %s have no order", tn(s, x));
        else if (!type_is_hashable(x))
            err(s, e->loc, "values of type %s cannot be compared", tn(s, x));
        return TY_BOOL;
    }
    case OP_AND:
    case OP_OR:
        if (x->kind != T_BOOL && x->kind != T_ERROR)
            err(s, e->a->loc, "operator '%s' needs bool, found %s", ast_op_name(e->op), tn(s, x));
        if (y->kind != T_BOOL && y->kind != T_ERROR)
            err(s, e->b->loc, "operator '%s' needs bool, found %s", ast_op_name(e->op), tn(s, y));
        return TY_BOOL;
    case OP_IN:
        switch (y->kind) {
        case T_MAP:
        case T_SET:
        case T_LIST:
            if (!type_eq(x, y->elems[0]))
                err(s, e->a->loc, "'in' looks for %s in %s, found %s", tn(s, y->elems[0]), tn(s, y), tn(s, x));
            break;
        case T_STR:
            if (x->kind != T_STR && x->kind != T_ERROR)
                err(s, e->a->loc, "'in' looks for a str in a str, found %s", tn(s, x));
            break;
        case T_ERROR:
            break;
        default:
            err(s, e->b->loc, "'in' needs a map, set, list or str on its right, found %s", tn(s, y));
        }
        return TY_BOOL;
    default:
        err(s, e->loc, "unexpected operator '%s'", ast_op_name(e->op));
        return TY_ERROR;
    }
}

static bool chain_op(Op op)
{
    return op == OP_ADD || op == OP_SUB || op == OP_MUL || op == OP_DIV || op == OP_MOD;
}

bool sema_chain_link(const Node *e, const Node *a)
{
    if (e->kind != N_BINARY || !a || a->kind != N_BINARY)
        return false;
    if (e->op == OP_AND || e->op == OP_OR)
        return a->op == OP_AND || a->op == OP_OR;
    return chain_op(e->op) && chain_op(a->op);
}

/* A binary operator; the links of a chain (a + b + c ...) one after the
 * other, left to right, so that a long one takes no stack. */
static Type *binary(Sema *s, Scope *sc, Node *e)
{
    int n = 1;
    for (Node *x = e; sema_chain_link(x, x->a); x = x->a)
        n++;
    Node **links = pipe_alloc(s->arena, sizeof *links * (size_t)n);
    links[0] = e;
    for (int k = 1; k < n; k++)
        links[k] = links[k - 1]->a;
    Type *x = expr(s, sc, links[n - 1]->a);
    for (int k = n - 1; k >= 0; k--) {
        Type *y = expr(s, sc, links[k]->b);
        x = binary_type(s, links[k], x, y);
        links[k]->type = x;
    }
    return x;
}

/* e.a[e.b]: a list's element by int, a map's value by key. */
static Type *index_type(Sema *s, Scope *sc, Node *e)
{
    Type *t = expr(s, sc, e->a);
    switch (t->kind) {
    case T_LIST:
        expect(s, sc, e->b, TY_INT, "list index");
        return t->elems[0];
    case T_MAP:
        expect(s, sc, e->b, t->elems[0], "map key");
        return t->elems[1];
    case T_ERROR:
        expr(s, sc, e->b);
        return TY_ERROR;
    default:
        err(s, e->a->loc, "only lists and maps can be indexed, found %s", tn(s, t));
        expr(s, sc, e->b);
        return TY_ERROR;
    }
}

static Type *fn_call_type(Sema *s, Scope *sc, Node *e, Node *fn);

/* e.a[e.b:e.c]: a slice of a list (a new list) or of a str, each bound an
 * int or left out. */
static Type *slice_type(Sema *s, Scope *sc, Node *e)
{
    Type *t = expr(s, sc, e->a);
    if (e->b)
        expect(s, sc, e->b, TY_INT, "slice start");
    if (e->c)
        expect(s, sc, e->c, TY_INT, "slice end");
    if (is_list(t) || t->kind == T_STR || t->kind == T_ERROR)
        return t;
    err(s, e->a->loc, "only lists and strs can be sliced, found %s", tn(s, t));
    return TY_ERROR;
}

static bool bind_args(Sema *s, Node *call, const char *what, const char *const *names, int nslots, int required,
                      Node **slots);

/* sort(xs), sort(xs, by: f, desc: b): a new list of xs's elements in the
 * order of their keys (f of each, or the element itself), which must have
 * one. */
Type *sema_fn_sort(Sema *s, Scope *sc, Node *e)
{
    static const char *const names[] = {"xs", "by", "desc"};
    Node *slot[3];
    if (!bind_args(s, e, "function 'sort'", names, 3, 1, slot))
        return TY_ERROR;
    Type *t = slot[0]->kind == N_LAMBDA ? TY_ERROR : expr(s, sc, slot[0]);
    if (slot[0]->kind == N_LAMBDA)
        err(s, slot[0]->loc, "sort needs a list first, found a function");
    else if (!is_list(t) && t->kind != T_ERROR)
        err(s, slot[0]->loc, "sort needs a list, found %s", tn(s, t));
    if (slot[2])
        expect(s, sc, slot[2], TY_BOOL, "argument 'desc' of sort");
    if (!is_list(t)) {
        if (slot[1])
            lambda(s, sc, slot[1], TY_ERROR, "sort");
        return TY_ERROR;
    }
    if (t->kind == T_EMPTY_LIST) {
        if (slot[1])
            err(s, slot[0]->loc, "sort(xs, by: f) needs a list of a known element type, found []");
        return slot[1] ? TY_ERROR : t;
    }
    Type *kt = slot[1] ? lambda(s, sc, slot[1], t->elems[0], "sort") : t->elems[0];
    if (kt->kind != T_ERROR && !type_is_ordered(kt)) {
        err(s, slot[1] ? slot[1]->loc : slot[0]->loc, "sort needs %s with an order, found %s",
            slot[1] ? "keys" : "elements", tn(s, kt));
        return TY_ERROR;
    }
    return kt->kind == T_ERROR ? TY_ERROR : t;
}

/* A call of a standard function: its arguments checked, then typed by the
 * function's row. */
static Type *call_type(Sema *s, Scope *sc, Node *e)
{
    const Builtin *b = builtin_find(e->name);
    Node *fn = b ? NULL : sema_find_fn(s, e->name);
    if (fn)
        return fn_call_type(s, sc, e, fn);
    if (!b) {
        if (sema_find_proc(s, e->name) || std_stage_exists(e->name))
            err(s, e->loc, "'%s' is a stage: use it in a flow after '|'", e->name);
        else {
            char dym[96];
            err(s, e->loc, "unknown function '%s'%s", e->name, did_you_mean(dym, sizeof dym, nearest_function(s, e->name)));
        }
        for (int i = 0; i < e->list.n; i++)
            expr(s, sc, arg_value(e->list.v[i]));
        return TY_ERROR;
    }
    if (b->check)
        return b->check(s, sc, e);
    int n = e->list.n;
    /* fmt takes any number of arguments; a hook may read a slot past n (NULL) */
    size_t slots = (size_t)(n > 4 ? n : 4);
    Type **at = memset(pipe_alloc(s->arena, sizeof *at * slots), 0, sizeof *at * slots);
    for (int i = 0; i < n; i++) {
        if (e->list.v[i]->kind == N_ARG && e->list.v[i]->name) {
            err(s, e->list.v[i]->loc, "function '%s' takes no named arguments", e->name);
        }
        Node *v = arg_value(e->list.v[i]);
        if (v->kind == N_LAMBDA) {
            err(s, v->loc, "function '%s' takes no function arguments", e->name);
            at[i] = TY_ERROR;
            continue;
        }
        at[i] = expr(s, sc, v);
    }
    if (n < b->min_args || n > b->max_args) {
        char note[400] = ""; /* which argument is missing or how many too many, and the signature */
        reference_arity_note(e->name, n, n < b->min_args ? b->min_args : b->max_args, note, sizeof note);
        if (b->min_args == b->max_args)
            err(s, e->loc, "function '%s' takes %d argument%s, found %d%s", e->name, b->min_args,
                b->min_args == 1 ? "" : "s", n, note);
        else
            err(s, e->loc, "function '%s' takes %d to %d arguments, found %d%s", e->name, b->min_args,
                b->max_args, n, note);
        return TY_ERROR;
    }
    for (int i = 0; i < n; i++)
        if (at[i]->kind == T_ERROR)
            return TY_ERROR;
    char why[256] = "";
    Node **args = memset(pipe_alloc(s->arena, sizeof *args * slots), 0, sizeof *args * slots);
    for (int i = 0; i < n; i++)
        args[i] = arg_value(e->list.v[i]);
    FnCall c = {s->arena, args, at, n, why, sizeof why};
    Type *r = builtin_type(b, &c);
    if (!r) {
        err(s, e->loc, "%s", why);
        return TY_ERROR;
    }
    if (b->regex_arg >= 0 && b->regex_arg < n && is_regex_literal_ok(s, args[b->regex_arg]))
        regex_from_param(s, sc, args[b->regex_arg]);
    if (b->unsafe) /* safe.c refuses it under --safe */
        ast_push(s->arena, &s->unsafe_calls, e);
    return r;
}

/* Names the fields of record t, for messages: "version, codename, eol". */
static const char *field_list(Sema *s, const Type *t)
{
    char buf[400];
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < t->n && k < sizeof buf - 40; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? ", " : "", t->field_names[i]);
    if (k >= sizeof buf - 40)
        snprintf(buf + k, sizeof buf - k, ", ...");
    return ast_strdup(s->arena, buf, strlen(buf));
}

/* The field of record t nearest to name, when it is near enough to be a
 * misspelling of it; else NULL. */
static const char *nearest_field(const Type *t, const char *name)
{
    const char *best = NULL;
    for (int i = 0; i < t->n; i++)
        best = nearer(name, best, t->field_names[i]);
    return best;
}

/* Reports that record t has no field `name` at loc. */
static void no_field(Sema *s, Loc loc, const Type *t, const char *name)
{
    const char *near = nearest_field(t, name);
    if (near)
        err(s, loc, "record %s has no field '%s'; did you mean '%s'?", t->name, name, near);
    else
        err(s, loc, "record %s has no field '%s' (its fields: %s)", t->name, name, field_list(s, t));
}

/* e.a.name, e.a of type t: a record's field (its index goes to e->field). */
static Type *record_field(Sema *s, Node *e, Type *t)
{
    if (t->kind == T_OPT && t->elems[0]->kind == T_RECORD) {
        err(s, e->loc, "'.%s' needs a %s, found %s, which may be none (test it with '== none' first, or give a "
                       "value for none with '?\?')", e->name, tn(s, t->elems[0]), tn(s, t));
        return TY_ERROR;
    }
    if (t->kind != T_RECORD) {
        err(s, e->loc, "field '.%s' needs a record, found %s", e->name, tn(s, t));
        return TY_ERROR;
    }
    int i = type_field_index(t, e->name);
    if (i < 0) {
        no_field(s, e->loc, t, e->name);
        return TY_ERROR;
    }
    e->field = i;
    return t->elems[i];
}

/* `Name { field: e, ... }`: every field that is not T? given, once. */
static Type *record_value(Sema *s, Scope *sc, Node *e)
{
    Node *d = sema_map_get(&s->record_names, e->name);
    if (!d) {
        const char *near = nearest_record(s, e->name);
        if (near)
            err(s, e->loc, "unknown record '%s'; did you mean '%s'?", e->name, near);
        else
            err(s, e->loc, "unknown record '%s'", e->name);
        for (int i = 0; i < e->list.n; i++)
            expr(s, sc, arg_value(e->list.v[i]));
        return TY_ERROR;
    }
    Type *t = d->type;
    Node **given = pipe_alloc(s->arena, sizeof(Node *) * (size_t)(t->n + 1));
    memset(given, 0, sizeof(Node *) * (size_t)(t->n + 1));
    for (int i = 0; i < e->list.n; i++) {
        Node *a = e->list.v[i];
        int k = a->name ? type_field_index(t, a->name) : -1;
        a->field = k;
        if (a->name && k < 0)
            no_field(s, a->loc, t, a->name);
        else if (k >= 0 && given[k])
            err(s, a->loc, "field '%s' of %s is given twice", a->name, t->name);
        if (k < 0 || given[k]) {
            expr(s, sc, a->a);
            continue;
        }
        given[k] = a;
        char what[160];
        snprintf(what, sizeof what, "field '%s' of %s", a->name, t->name);
        expect(s, sc, a->a, t->elems[k], what);
    }
    for (int k = 0; k < t->n; k++)
        if (!given[k] && t->elems[k]->kind != T_OPT && t->elems[k]->kind != T_ERROR)
            err(s, e->loc, "%s { ... } needs field '%s' (only fields of a T? type may be left out)", t->name,
                t->field_names[k]);
    return t;
}

/* `not e`, `-e` */
static Type *unary_type(Sema *s, Scope *sc, Node *e)
{
    Type *t = expr(s, sc, e->a);
    if (e->op == OP_NOT) {
        if (t->kind != T_BOOL && t->kind != T_ERROR)
            err(s, e->a->loc, "'not' needs bool, found %s", tn(s, t));
        return TY_BOOL;
    }
    if (!type_is_num(t)) {
        err(s, e->a->loc, "unary '-' needs a number, found %s", tn(s, t));
        return TY_ERROR;
    }
    return t;
}

static Type *brace_literal(Sema *s, Scope *sc, Node *e);

static Type *expr_inner(Sema *s, Scope *sc, Node *e)
{
    switch (e->kind) {
    case N_INT:
        return TY_INT;
    case N_FLOAT:
        return TY_FLOAT;
    case N_STR:
        return TY_STR;
    case N_BOOL:
        return TY_BOOL;
    case N_NAME: {
        Sym *y = scope_find(sc, e->name);
        if (!y) {
            if (builtin_find(e->name) || sema_find_proc(s, e->name) || sema_find_fn(s, e->name))
                err(s, e->loc, "'%s' is a function or stage, not a value", e->name);
            else {
                char dym[96];
                err(s, e->loc, "unknown name '%s'%s", e->name, did_you_mean(dym, sizeof dym, nearest_name(sc, e->name)));
            }
            return TY_ERROR;
        }
        if (y->kind == SYM_STREAM) {
            err(s, e->loc, "'%s' is a stream; it can be used in a flow but not as a value", e->name);
            return TY_ERROR;
        }
        y->used = true;
        e->sym = y;
        return y->type;
    }
    case N_FIELD: {
        Type *t = expr(s, sc, e->a);
        if (t->kind == T_ERROR)
            return TY_ERROR;
        if (e->name)
            return record_field(s, e, t);
        if (t->kind == T_RECORD) {
            err(s, e->loc, "the fields of a record are read by name (%s.%s), not by number", t->name,
                t->n > 0 ? t->field_names[e->field >= 0 && e->field < t->n ? e->field : 0] : "field");
            return TY_ERROR;
        }
        if (t->kind != T_TUPLE) {
            err(s, e->loc, "field .%lld needs a tuple, found %s", (long long)e->field, tn(s, t));
            return TY_ERROR;
        }
        if (e->field < 0 || e->field >= t->n) {
            err(s, e->loc, "a tuple %s has no field %lld (it has %d)", tn(s, t), (long long)e->field, t->n);
            return TY_ERROR;
        }
        return t->elems[e->field];
    }
    case N_INDEX:
        return index_type(s, sc, e);
    case N_SLICE:
        return slice_type(s, sc, e);
    case N_CALL:
        return call_type(s, sc, e);
    case N_RECLIT:
        return record_value(s, sc, e);
    case N_NONE:
        return TY_NONE;
    case N_LAMBDA:
        err(s, e->loc, "a function is only allowed as an argument of a stage such as map or filter");
        return TY_ERROR;
    case N_BINARY:
        return binary(s, sc, e);
    case N_UNARY:
        return unary_type(s, sc, e);
    case N_COND: {
        expect(s, sc, e->a, TY_BOOL, "condition");
        Type *x = expr(s, sc, e->b);
        Type *y = expr(s, sc, e->c);
        if (type_is_num(x) && type_is_num(y) && x->kind != y->kind)
            return TY_FLOAT;
        Type *u = type_unify(s->arena, x, y);
        if (!u) {
            err(s, e->loc, "the branches of 'if' differ: %s and %s", tn(s, x), tn(s, y));
            return TY_ERROR;
        }
        return u;
    }
    case N_TUPLE: {
        Type **f = pipe_alloc(s->arena, sizeof(Type *) * (size_t)(e->list.n + 1));
        for (int i = 0; i < e->list.n; i++) {
            f[i] = expr(s, sc, e->list.v[i]);
            if (f[i]->kind == T_EMPTY_LIST) {
                err(s, e->list.v[i]->loc, "cannot tell the type of an empty list here");
                f[i] = TY_ERROR;
            }
        }
        return type_tuple(s->arena, f, e->list.n);
    }
    case N_MAPLIT:
    case N_SETLIT:
        return brace_literal(s, sc, e);
    case N_LIST: {
        if (e->list.n == 0)
            return TY_EMPTY_LIST;
        Type *t = expr(s, sc, e->list.v[0]);
        for (int i = 1; i < e->list.n; i++) {
            Type *u = expr(s, sc, e->list.v[i]);
            Type *w = type_unify(s->arena, t, u);
            if (!w)
                err(s, e->list.v[i]->loc, "list elements must have one type: expected %s, found %s", tn(s, t),
                    tn(s, u));
            else
                t = w;
        }
        if (t->kind == T_EMPTY_LIST || t->kind == T_NONE) {
            err(s, e->loc, "cannot tell the type of a list of %s", t->kind == T_NONE ? "nones" : "empty lists");
            t = TY_ERROR;
        }
        return type_list(s->arena, t);
    }
    default:
        err(s, e->loc, "expected an expression, found %s", ast_kind_name(e->kind));
        return TY_ERROR;
    }
}

/* The emitted C nests as an expression does, and libtcc's value stack holds
 * a few entries (up to 5: replace(s, X, "b")) per call waiting for its
 * argument, 256 in all: deeper nesting would not compile.  A chain's links
 * (sema_chain_link) are emitted one after the other and share one level;
 * their number is bounded so that the passes over the tree stay within the
 * C stack. */
#define DEPTH_MAX 32
#define CHAIN_MAX 10000

typedef struct Depth {
    int chain;      /* the most links of one chain */
    Node *chain_at; /* ... that chain */
} Depth;

/* How deeply e nests (a name or literal: 1); fills in *d.  Recursive along
 * nesting, which the parser bounds, iterative along chains. */
static int depth_of(Node *e, Depth *d)
{
    int deepest = 0, links = 1;
    for (Node *x = e;; x = x->a, links++) {
        bool on = sema_chain_link(x, x->a);
        Node *kids[3] = {on ? NULL : x->a, x->b, x->c};
        for (int i = 0; i < 3; i++)
            if (kids[i]) {
                int k = depth_of(kids[i], d);
                deepest = k > deepest ? k : deepest;
            }
        for (int i = 0; i < x->list.n; i++) {
            int k = depth_of(x->list.v[i], d);
            deepest = k > deepest ? k : deepest;
        }
        if (!on)
            break;
    }
    if (links > d->chain) {
        d->chain = links;
        d->chain_at = e;
    }
    return deepest + (e->kind != N_ARG); /* an argument is its value's level */
}

/* The first node (in source order) at the given level of e's nesting, or
 * NULL when it is not that deep: where an expression goes too deep. */
static Node *node_at_level(Node *e, int level)
{
    if (e->kind == N_ARG)
        return node_at_level(e->a, level);
    if (level == 1)
        return e;
    for (Node *x = e;; x = x->a) {
        bool on = sema_chain_link(x, x->a);
        Node *kids[3] = {on ? NULL : x->a, x->b, x->c};
        for (int i = 0; i < 3; i++) {
            Node *at = kids[i] ? node_at_level(kids[i], level - 1) : NULL;
            if (at)
                return at;
        }
        for (int i = 0; i < x->list.n; i++) {
            Node *at = node_at_level(x->list.v[i], level - 1);
            if (at)
                return at;
        }
        if (!on)
            return NULL;
    }
}

/* False after reporting when the root expression e cannot be emitted. */
static bool depth_ok(Sema *s, Node *e)
{
    Depth d = {0};
    int depth = depth_of(e, &d);
    if (depth > DEPTH_MAX) {
        err(s, node_at_level(e, DEPTH_MAX + 1)->loc, "expression nested too deep: %d levels, the limit is %d", depth, DEPTH_MAX);
        return false;
    }
    if (d.chain > CHAIN_MAX) {
        err(s, d.chain_at->loc, "expression too long: %d operators in one chain, the limit is %d", d.chain,
            CHAIN_MAX);
        return false;
    }
    return true;
}

static Type *expr(Sema *s, Scope *sc, Node *e)
{
    if (s->expr_level == 0 && !depth_ok(s, e)) {
        e->type = TY_ERROR;
        return TY_ERROR;
    }
    s->expr_level++;
    Type *t = expr_inner(s, sc, e);
    s->expr_level--;
    e->type = t;
    return t;
}

/* ------------------------------------------------------------------ statements */

static void block(Sema *s, Scope *sc, Node *b, Type *out);

static bool assignable(Sema *s, Scope *sc, Node *target)
{
    if (target->kind == N_NAME) {
        Sym *y = scope_find(sc, target->name);
        if (y && y->kind != SYM_LOCAL && y->kind != SYM_STATE) {
            err(s, target->loc, "cannot assign to parameter '%s'", target->name);
            return false;
        }
        return true;
    }
    if (target->kind == N_INDEX)
        return true;
    /* a field of a record or tuple held by a variable: `r.n += 1`, `s.total.sum = 0` */
    Node *root = target;
    while (root->kind == N_FIELD)
        root = root->a;
    if (target->kind == N_FIELD && root->kind == N_NAME)
        return assignable(s, sc, root);
    err(s, target->loc, "can only assign to a variable, a field of one, a map entry or a list element");
    return false;
}

static Type *let_type(Sema *s, Scope *sc, Node *st);
static void return_stmt(Sema *s, Scope *sc, Node *st);

static void stmt(Sema *s, Scope *sc, Node *st, Type *out)
{
    switch (st->kind) {
    case N_LET: {
        Type *t = let_type(s, sc, st);
        if (t->kind == T_VOID) {
            err(s, st->a->loc, "this call returns no value");
            t = TY_ERROR;
        }
        Sym *prev = scope_find_local(sc, st->name);
        if (prev && prev->kind == SYM_LOCAL)
            err(s, st->loc, "'%s' is already defined in this block", st->name);
        Sym *y = scope_add(s, sc, st->name, SYM_LOCAL, t, st);
        y->used = true;
        st->sym = y;
        st->type = t;
        break;
    }
    case N_ASSIGN: {
        if (!assignable(s, sc, st->a)) {
            expr(s, sc, st->b);
            break;
        }
        Type *t = expr(s, sc, st->a);
        if (st->op == OP_SET) {
            expect(s, sc, st->b, t, "assignment");
        } else {
            Type *v = expr(s, sc, st->b);
            if (st->op == OP_ADD && t->kind == T_STR) {
                if (v->kind != T_STR && v->kind != T_ERROR)
                    err(s, st->b->loc, "'+=' on a str needs a str, found %s", tn(s, v));
            } else if (!type_is_num(t) || !type_is_num(v)) {
                err(s, st->loc, "'%s=' needs numbers, found %s and %s", ast_op_name(st->op), tn(s, t), tn(s, v));
            } else if (t->kind == T_INT && v->kind == T_FLOAT) {
                err(s, st->b->loc, "cannot store a float into an int (convert with to_int)");
            }
        }
        break;
    }
    case N_IF:
        expect(s, sc, st->a, TY_BOOL, "condition");
        block(s, sc, st->b, out);
        if (st->c) {
            if (st->c->kind == N_IF)
                stmt(s, sc, st->c, out);
            else
                block(s, sc, st->c, out);
        }
        break;
    case N_WHILE:
        expect(s, sc, st->a, TY_BOOL, "condition");
        block(s, sc, st->b, out);
        break;
    case N_FOR: {
        Type *t = expr(s, sc, st->a);
        Type *kt = TY_ERROR, *vt = NULL;
        switch (t->kind) {
        case T_LIST:
        case T_SET:
            kt = t->elems[0];
            if (st->name2)
                err(s, st->loc, "'for %s, %s in ...' needs a map, found %s", st->name, st->name2, tn(s, t));
            break;
        case T_MAP:
            kt = t->elems[0];
            vt = t->elems[1];
            break;
        case T_ERROR:
        case T_EMPTY_LIST:
            break;
        default:
            err(s, st->a->loc, "'for' needs a list, set or map, found %s", tn(s, t));
        }
        Scope *fs = scope_new(s, sc, NULL);
        Sym *k = scope_add(s, fs, st->name, SYM_LOCAL, kt, st);
        k->used = true;
        st->sym = k;
        if (st->name2) {
            Sym *v = scope_add(s, fs, st->name2, SYM_LOCAL, vt ? vt : TY_ERROR, st);
            v->used = true;
            st->value_sym = v;
        }
        block(s, fs, st->b, out);
        break;
    }
    case N_RETURN:
        return_stmt(s, sc, st);
        break;
    case N_EMIT:
        if (s->cur_fn) {
            err(s, st->loc, "a fn cannot emit: it gives its value with 'return'");
            expr(s, sc, st->a);
        } else if (!out) {
            err(s, st->loc, "this proc is a sink: it has no output to emit to");
            expr(s, sc, st->a);
        } else {
            expect(s, sc, st->a, out, "emit");
        }
        break;
    case N_EXPR_STMT: {
        Type *t = expr(s, sc, st->a);
        if (st->a->kind != N_CALL && t->kind != T_ERROR)
            warn(s, st->loc, "this expression's value is not used");
        break;
    }
    case N_BLOCK:
        block(s, sc, st, out);
        break;
    default:
        err(s, st->loc, "expected a statement, found %s", ast_kind_name(st->kind));
    }
}

static void block(Sema *s, Scope *sc, Node *b, Type *out)
{
    Scope *bs = scope_new(s, sc, NULL);
    for (int i = 0; i < b->list.n; i++)
        stmt(s, bs, b->list.v[i], out);
}

/* ------------------------------------------------------------------ declarations */

Node *sema_find_proc(Sema *s, const char *name)
{
    return sema_map_get(&s->proc_names, name);
}

const char *const sema_pipec_options[] = {"safe", "sandbox", "allow-read", "allow-write", "max-errors", NULL};

/* What --name is an option of ("run option"), or NULL when it is free: a
 * pipeline parameter (--NAME on the command line) would be taken for the
 * run's own options, which pipe_main reads before parameters
 * (runtime/options_impl.h), or a misplaced one of pipec run's. */
static const char *reserved_option(const char *name)
{
    for (int k = 0; k < PIPE_NRUN_OPTIONS; k++)
        if (!strcmp(name, pipe_run_options[k].name))
            return "run option";
    for (int i = 0; sema_pipec_options[i]; i++)
        if (!strcmp(name, sema_pipec_options[i]))
            return "pipec option";
    return NULL;
}

/* Parameters of a proc or pipeline: types, defaults (constants of that type). */
static Type **params(Sema *s, Scope *sc, NodeList *ps, SymKind kind)
{
    Type **pt = pipe_alloc(s->arena, sizeof(Type *) * (size_t)(ps->n + 1));
    for (int i = 0; i < ps->n; i++) {
        Node *p = ps->v[i];
        pt[i] = resolve_type(s, p->a);
        const char *option = kind == SYM_PARAM ? reserved_option(p->name) : NULL;
        if (option)
            err(s, p->loc, "parameter '%s' has the name of the %s --%s; rename it", p->name, option, p->name);
        if (kind == SYM_PARAM && pt[i]->kind > T_BOOL && pt[i]->kind != T_ERROR)
            err(s, p->a->loc, "a pipeline parameter must be str, int, float or bool, found %s", tn(s, pt[i]));
        if (p->b) {
            Scope empty = {0};
            if (kind == SYM_PARAM && p->b->kind != N_INT && p->b->kind != N_FLOAT && p->b->kind != N_STR &&
                p->b->kind != N_BOOL)
                err(s, p->b->loc, "a parameter's default must be a literal");
            else
                expect(s, &empty, p->b, pt[i], "default value");
        }
        for (int j = 0; j < i; j++)
            if (!strcmp(ps->v[j]->name, p->name))
                err(s, p->loc, "parameter '%s' is declared twice", p->name);
        Sym *y = scope_add(s, sc, p->name, kind, pt[i], p);
        p->sym = y;
        p->type = pt[i];
    }
    return pt;
}

static void check_stateful(Sema *s, Node *d, ProcInfo *pi)
{
    Scope *st = scope_new(s, pi->scope, d);
    pi->scope = st;
    bool seen_item = false, seen_end = false, seen_start = false;
    for (int i = 0; i < d->list.n; i++) {
        Node *m = d->list.v[i];
        if (m->kind == N_STATE) {
            Type *t = m->a ? resolve_type(s, m->a) : NULL;
            if (m->b) {
                Type *it = t ? expect(s, st, m->b, t, "state initial value") : expr(s, st, m->b);
                if (!t)
                    t = it;
            }
            if (!t) {
                err(s, m->loc, "state '%s' needs a type or an initial value", m->name);
                t = TY_ERROR;
            } else if (t->kind == T_EMPTY_LIST) {
                err(s, m->loc, "state '%s' needs a type: its initial value is an empty list", m->name);
                t = TY_ERROR;
            }
            if (scope_find_local(st, m->name))
                err(s, m->loc, "'%s' is already defined in this proc", m->name);
            Sym *y = scope_add(s, st, m->name, SYM_STATE, t, m);
            y->used = true;
            m->sym = y;
            m->type = t;
        } else if (m->kind == N_ON) {
            if (!m->name) {
                bool *seen = m->on_start ? &seen_start : &seen_end;
                if (*seen)
                    err(s, m->loc, "proc '%s' has two 'on %s' blocks", d->name, m->on_start ? "start" : "end");
                *seen = true;
                block(s, st, m->a, pi->out);
            } else {
                if (seen_item)
                    err(s, m->loc, "proc '%s' has two 'on' blocks for its items", d->name);
                seen_item = true;
                if (!pi->in)
                    err(s, m->loc, "proc '%s' has no input: it cannot have an 'on %s' block", d->name, m->name);
                Scope *os = scope_new(s, st, NULL);
                Sym *y = scope_add(s, os, m->name, SYM_LOCAL, pi->in ? pi->in : TY_ERROR, m);
                y->used = true;
                m->sym = y;
                block(s, os, m->a, pi->out);
            }
        }
    }
    if (!seen_item && pi->in)
        err(s, d->loc, "proc '%s' has no 'on NAME { ... }' block for its items", d->name);
}

static void check_proc(Sema *s, Node *d)
{
    ProcInfo *pi = pipe_alloc(s->arena, sizeof *pi);
    memset(pi, 0, sizeof *pi);
    d->proc = pi;
    pi->scope = scope_new(s, NULL, d);
    SymKind pk = d->kind == N_PROC && d->form == PROC_COMPOSITE ? SYM_ENV : SYM_PROC_PARAM;
    pi->ptypes = params(s, pi->scope, &d->params, pk);
    pi->in = d->in ? resolve_type(s, d->in) : NULL;
    pi->out = d->out ? resolve_type(s, d->out) : NULL;
    if (d->in)
        d->in->type = pi->in;
    if (d->out)
        d->out->type = pi->out;
    if (d->kind == N_EXTERN) {
        if (!pi->in || !pi->out)
            err(s, d->loc, "an extern proc needs both an input and an output type");
        /* the C file, relative to the declaring script: name2 keeps the path */
        const char *script = diag_file(s->diag, d->loc.file)->path;
        const char *slash = strrchr(script, '/');
        char path[4096];
        if (d->str.p[0] == '/' || !slash)
            snprintf(path, sizeof path, "%.*s", (int)d->str.n, d->str.p);
        else
            snprintf(path, sizeof path, "%.*s/%.*s", (int)(slash - script), script, (int)d->str.n, d->str.p);
        d->name2 = ast_strdup(s->arena, path, strlen(path));
        if (access(path, R_OK) != 0)
            err(s, d->loc, "extern proc '%s': cannot read '%s': %s", d->name, path, strerror(errno));
        return;
    }
    if (d->form == PROC_STATEFUL)
        check_stateful(s, d, pi);
}

/* ------------------------------------------------------------------ flows */

/* The items a stage receives while its flow is checked: their type (NULL:
 * the stage starts the flow) and the stage producing them, for messages
 * (input: they are the input of proc `stage`). */
typedef struct Prev {
    Type *t;
    Node *stage;
    bool input;
} Prev;

/* What checking a flow found: its last items (tail.t NULL when it ends in a
 * sink or failed). */
typedef struct FlowEnd {
    Prev tail;
    bool sunk; /* the flow ended in a sink */
    bool failed;
} FlowEnd;

static FlowEnd check_flow(Sema *s, Scope *sc, Node *flow, Prev prev);

/* The facts of stage (its fact), which lowering reads. */
static StageFact *fact_new(Sema *s, Node *stage, StageKind k, Scope *sc)
{
    StageFact *f = pipe_alloc(s->arena, sizeof *f);
    memset(f, 0, sizeof *f);
    f->kind = k;
    f->scope = sc;
    stage->fact = f;
    return f;
}

/* Binds the call's arguments to a signature's slots: positional ones first,
 * then named ones.  Returns false after reporting. */
static bool bind_args(Sema *s, Node *call, const char *what, const char *const *names, int nslots, int required,
                      Node **slots)
{
    memset(slots, 0, sizeof(Node *) * (size_t)nslots);
    int n = call->kind == N_CALL ? call->list.n : 0;
    int pos = 0;
    bool ok = true;
    for (int i = 0; i < n; i++) {
        Node *a = call->list.v[i];
        if (a->kind != N_ARG || !a->name) {
            if (pos >= nslots) {
                err(s, a->loc, "%s takes at most %d argument%s, found %d", what, nslots, nslots == 1 ? "" : "s", n);
                return false;
            }
            slots[pos++] = arg_value(a);
            continue;
        }
        int k = -1;
        for (int j = 0; j < nslots; j++)
            if (!strcmp(names[j], a->name))
                k = j;
        if (k < 0) {
            const char *near = NULL;
            char dym[96];
            for (int j = 0; j < nslots; j++)
                near = nearer(a->name, near, names[j]);
            err(s, a->loc, "%s has no parameter named '%s'%s", what, a->name, did_you_mean(dym, sizeof dym, near));
            ok = false;
        } else if (slots[k]) {
            err(s, a->loc, "%s: argument '%s' is given twice", what, a->name);
            ok = false;
        } else {
            slots[k] = a->a;
        }
    }
    for (int j = 0; j < required; j++)
        if (!slots[j]) {
            err(s, call->loc, "%s needs its argument '%s'", what, names[j]);
            ok = false;
        }
    return ok;
}

/* Checks a build-time argument (evaluated once when the DAG is built). */
static void build_arg(Sema *s, Scope *sc, Node *a, ArgKind k, const char *what)
{
    if (!a)
        return;
    if (a->kind == N_LAMBDA) {
        err(s, a->loc, "%s: expected a value, found a function", what);
        return;
    }
    switch (k) {
    case A_STR:
    case A_CMD:
        expect(s, sc, a, TY_STR, what);
        break;
    case A_PATH: /* a computed path is checked when the stage opens it */
    case A_GLOB:
        if (expect(s, sc, a, TY_STR, what)->kind == T_STR && a->kind == N_STR && memchr(a->str.p, '\0', a->str.n))
            err(s, a->loc, "%s: a file path cannot hold a NUL byte (\\0)", what);
        break;
    case A_REGEX:
        if (expect(s, sc, a, TY_STR, what)->kind == T_STR && is_regex_literal_ok(s, a))
            regex_from_param(s, sc, a);
        break;
    case A_INT:
    case A_COUNT:
        expect(s, sc, a, TY_INT, what);
        break;
    case A_BOOL:
        expect(s, sc, a, TY_BOOL, what);
        break;
    default:
        break;
    }
}

/* What can be checked of a constant argument of kind k (a parameter is
 * checked when the stage opens): a command that is not blank, a count that is
 * not negative. */
static void const_arg(Sema *s, Node *a, ArgKind k, const StdStage *st, int i)
{
    if (!a)
        return;
    if (k == A_CMD && a->kind == N_STR) {
        bool blank = true;
        for (size_t j = 0; j < a->str.n; j++)
            blank &= a->str.p[j] == ' ' || a->str.p[j] == '\t';
        if (blank)
            err(s, a->loc, "%s needs a command, found an empty string", st->name);
        else if (memchr(a->str.p, '\0', a->str.n))
            err(s, a->loc, "%s's command cannot hold a NUL byte (\\0)", st->name);
    }
    if (k == A_COUNT && a->kind == N_INT && a->ival < 0)
        err(s, a->loc, "%s's %s must be 0 or more, found %lld", st->name, st->arg_names[i], (long long)a->ival);
}

static Type *out_type(Sema *s, const StdStage *st, Type *in)
{
    switch (st->out) {
    case O_SAME: return in;
    case O_STR: return TY_STR;
    case O_INT: return TY_INT;
    case O_FLOAT: return TY_FLOAT;
    case O_COUNT: return type_pair(s->arena, in, TY_INT);
    case O_ENUM: return type_pair(s->arena, TY_INT, in);
    default: return in;
    }
}

/* Names the stage that produces a stream, for messages: "'stdin' at 8:5". */
static const char *producer(Sema *s, Prev p)
{
    char buf[200];
    const char *nm = p.stage && p.stage->name ? p.stage->name : "the stream before it";
    if (p.input)
        snprintf(buf, sizeof buf, "the input of proc '%s'", nm);
    else if (p.stage && p.stage->name)
        snprintf(buf, sizeof buf, "'%s' at %d:%d", nm, p.stage->loc.line, p.stage->loc.col);
    else
        snprintf(buf, sizeof buf, "%s", nm);
    return ast_strdup(s->arena, buf, strlen(buf));
}

static bool in_ok(Sema *s, Node *stage, const char *name, InRule r, Prev prev)
{
    Type *in = prev.t;
    const char *want = NULL;
    switch (r) {
    case I_ANY: return true;
    case I_STR: if (in->kind == T_STR || in->kind == T_ERROR) return true; want = "str"; break;
    case I_NUM: if (type_is_num(in)) return true; want = "int or float"; break;
    case I_ORD: if (type_is_ordered(in)) return true; want = "values with an order"; break;
    case I_HASH: if (type_is_hashable(in)) return true; want = "values that can be compared"; break;
    }
    err(s, stage->loc, "type mismatch: '%s' takes %s, but %s produces %s", name, want, producer(s, prev), tn(s, in));
    return false;
}

/* Checks stage as a flow of its own after prev (t NULL: first). */
static FlowEnd check_one(Sema *s, Scope *sc, Node *stage, Prev prev)
{
    Node fl = {0};
    fl.kind = N_FLOW;
    fl.loc = stage->loc;
    Node *one[1] = {stage};
    fl.list.v = one;
    fl.list.n = 1;
    return check_flow(s, sc, &fl, prev);
}

/* A stream argument of a fan-in: a bound stream or a source stage; t NULL
 * when it had errors (reported). */
static Prev stream_arg(Sema *s, Scope *sc, Node *a)
{
    Prev none = {0};
    if (a->kind == N_NAME) {
        Sym *y = scope_find(sc, a->name);
        if (y && y->kind == SYM_STREAM) {
            y->used = true;
            if (!y->producer)
                return none; /* a binding that had errors: reported there */
            fact_new(s, a, SK_SOURCE, sc)->stream = y;
            return (Prev){y->type, y->producer, false};
        }
    }
    if (a->kind == N_NAME || a->kind == N_CALL) {
        FlowEnd fe = check_one(s, sc, a, none);
        if (fe.sunk)
            err(s, a->loc, "a sink cannot be an input of a fan-in");
        return fe.tail;
    }
    err(s, a->loc, "expected a stream (a bound name or a source such as file(\"x\")), found %s",
        ast_kind_name(a->kind));
    return none;
}

static Prev check_fanin(Sema *s, Scope *sc, Node *stage, const StdStage *st)
{
    Prev none = {0};
    const char *name = st->name;
    int n = stage->kind == N_CALL ? stage->list.n : 0;
    bool zip = st->out == O_PAIR;
    if ((zip && n != 2) || n < 1) {
        if (zip)
            err(s, stage->loc, "zip takes two streams, found %d", n);
        else
            err(s, stage->loc, "%s takes one or more streams, found %d", name, n);
        return none;
    }
    Prev *in = pipe_alloc(s->arena, sizeof *in * (size_t)n);
    Type *t = NULL;
    bool bad = false;
    for (int i = 0; i < n; i++) {
        Node *a = stage->list.v[i];
        if (a->kind == N_ARG && a->name) {
            err(s, a->loc, "%s takes no named arguments", name);
            return none;
        }
        in[i] = stream_arg(s, sc, arg_value(a));
        if (!in[i].t) {
            bad = true;
            continue;
        }
        if (!zip) {
            if (!t)
                t = in[i].t;
            else if (!type_eq(t, in[i].t)) {
                err(s, arg_value(a)->loc, "all inputs of %s must carry one type: the first carries %s, this one %s",
                    name, tn(s, t), tn(s, in[i].t));
                bad = true;
            }
        }
    }
    if (bad)
        return none;
    Type *out = zip ? type_pair(s->arena, in[0].t, in[1].t) : t;
    StageFact *f = fact_new(s, stage, SK_FANIN, sc);
    f->row = st;
    f->in = zip ? NULL : out;
    f->out = out;
    return (Prev){out, stage, false};
}

/* A stream bound by name, which can only start a flow; t NULL with *failed
 * set after its binding's errors or when it does not start one. */
static Prev check_stream(Sema *s, Scope *sc, Sym *y, Node *stage, Prev prev, bool *failed)
{
    Prev none = {0};
    y->used = true;
    if (!y->producer) {
        *failed = true;
        return none;
    }
    if (prev.t) {
        err(s, stage->loc, "stream '%s' can only start a flow", stage->name);
        *failed = true;
        return none;
    }
    fact_new(s, stage, SK_SOURCE, sc)->stream = y;
    return (Prev){y->type, y->producer, false};
}

/* Binds and checks the arguments of a use of proc d; NULL after reporting. */
static Node **proc_args(Sema *s, Scope *sc, Node *stage, Node *d, ProcInfo *pi)
{
    const char **pn = pipe_alloc(s->arena, sizeof(char *) * (size_t)(d->params.n + 1));
    int required = 0;
    for (int i = 0; i < d->params.n; i++) {
        pn[i] = d->params.v[i]->name;
        if (!d->params.v[i]->b)
            required = i + 1;
    }
    char what[128];
    snprintf(what, sizeof what, "proc '%s'", d->name);
    Node **slots = pipe_alloc(s->arena, sizeof(Node *) * (size_t)(d->params.n + 1));
    if (!bind_args(s, stage, what, pn, d->params.n, required, slots))
        return NULL;
    for (int i = 0; i < d->params.n; i++)
        if (slots[i]) {
            char w[160];
            snprintf(w, sizeof w, "argument '%s' of %s", pn[i], what);
            if (slots[i]->kind == N_LAMBDA)
                err(s, slots[i]->loc, "%s: expected a value, found a function", w);
            else
                expect(s, sc, slots[i], pi->ptypes[i], w);
        }
    return slots;
}

/* Whether proc d fits where it is used: after prev (or first), last or not. */
static bool proc_fits(Sema *s, Node *stage, Node *d, ProcInfo *pi, Prev prev, bool last)
{
    const char *name = d->name;
    if (pi->in && !prev.t)
        err(s, stage->loc, "proc '%s' takes %s items: it cannot start a flow", name, tn(s, pi->in));
    else if (!pi->in && prev.t)
        err(s, stage->loc, "proc '%s' is a source: it can only start a flow", name);
    else if (pi->in && !type_eq(pi->in, prev.t))
        err(s, stage->loc, "type mismatch: '%s' takes %s, but %s produces %s", name, tn(s, pi->in),
            producer(s, prev), tn(s, prev.t));
    else if (!pi->out && !last)
        err(s, stage->loc, "proc '%s' is a sink: it must end the flow", name);
    else
        return true;
    return false;
}

static void check_proc_flow(Sema *s, Node *d, ProcInfo *pi);

/* A use of composite proc d: its flow is checked once, on its own (now, when
 * it was not yet); a proc that uses itself is reported once per loop. */
static bool composite_ok(Sema *s, Node *stage, Node *d, ProcInfo *pi)
{
    if (pi->checking) {
        if (!pi->recursion_reported)
            err(s, stage->loc, "proc '%s' uses itself", d->name);
        /* one report per loop: every proc on it is being checked now */
        for (int k = 0; k < s->nprocs; k++) {
            ProcInfo *o = s->procs[k]->proc;
            if (o && o->checking)
                o->recursion_reported = true;
        }
        return false;
    }
    if (!pi->checked)
        check_proc_flow(s, d, pi);
    return true;
}

/* A use of proc d after prev (or first), last or not; a composite one is
 * expanded by lowering. */
static Prev check_proc_use(Sema *s, Scope *sc, Node *stage, Node *d, Prev prev, bool last, bool *sunk,
                           bool *failed)
{
    Prev none = {0};
    ProcInfo *pi = d->proc;
    Node **slots = pi ? proc_args(s, sc, stage, d, pi) : NULL;
    bool composite = d->kind == N_PROC && d->form == PROC_COMPOSITE;
    if (!slots || !proc_fits(s, stage, d, pi, prev, last) || (composite && !composite_ok(s, stage, d, pi))) {
        *failed = true;
        return none;
    }
    StageFact *f = fact_new(s, stage, d->kind == N_EXTERN ? SK_EXTERN : SK_PROC, sc);
    f->decl = d;
    f->args = slots;
    f->nargs = d->params.n;
    f->in = pi->in;
    f->out = pi->out;
    *sunk = !pi->out;
    /* a composite proc's items come from the last stage of its flow */
    return pi->out ? (Prev){pi->out, composite && pi->tail ? pi->tail : stage, false} : none;
}

/* Reports a name that is no standard stage where it stands: another stage's
 * role, a function, or nothing known. */
static void std_misplaced(Sema *s, Node *stage)
{
    const char *name = stage->name;
    const StdStage *any = std_stage_find(name, true, true);
    if (!any)
        any = std_stage_find(name, false, true);
    if (!any)
        any = std_stage_find(name, false, false);
    if (!any) {
        if (builtin_find(name) || sema_find_fn(s, name))
            err(s, stage->loc, "'%s' is a function, not a stage here", name);
        else {
            char dym[96];
            err(s, stage->loc, "unknown stage '%s'%s", name, did_you_mean(dym, sizeof dym, nearest_stage(s, name)));
        }
    } else if (any->role == R_SOURCE)
        err(s, stage->loc, "'%s' is a source: it can only start a flow", name);
    else if (any->role == R_SINK)
        err(s, stage->loc, "'%s' is a sink: it must end the flow", name);
    else if (any->role == R_FANIN)
        err(s, stage->loc, "'%s' takes its input streams as arguments: it must start a flow", name);
    else
        err(s, stage->loc, "'%s' needs an input: it cannot start a flow", name);
}

/* Binds and checks the arguments of standard stage st by its row (functions
 * and sinks are left to its hook); NULL after reporting. */
static Node **std_args(Sema *s, Scope *sc, Node *stage, const StdStage *st)
{
    char what[128];
    snprintf(what, sizeof what, "'%s'", st->name);
    Node **slots = pipe_alloc(s->arena, sizeof(Node *) * 4);
    if (!bind_args(s, stage, what, st->arg_names, st->nargs, st->required, slots))
        return NULL;
    for (int i = 0; i < st->nargs; i++) {
        char w[160];
        snprintf(w, sizeof w, "argument '%s' of %s", st->arg_names[i], what);
        if (st->arg_kinds[i] != A_FN && st->arg_kinds[i] != A_SINK && st->arg_kinds[i] != A_STREAM)
            build_arg(s, sc, slots[i], st->arg_kinds[i], w);
    }
    for (int i = 0; i < st->nargs; i++)
        const_arg(s, slots[i], st->arg_kinds[i], st, i);
    return slots;
}

/* One use of a standard stage, for its row's check hook: the facts are made
 * with the row's kind and output; the hook sets what the row cannot say. */
struct StageUse {
    Sema *s;
    Scope *sc;
    Node *stage;
    StageFact *f;
};

/* `count | top(n)` without by: ranks the (T, int) pairs by the whole tuple,
 * the item first (the alphabetically last items, not the most frequent): a
 * warning that says how to rank by the count. */
static void top_after_count(Sema *s, Node *stage, const StdStage *st, Node **slots, Prev prev)
{
    const Type *t = prev.t;
    Node *from = prev.stage;
    if (strcmp(st->name, "top") || slots[1] || !t || t->kind != T_TUPLE || t->n != 2 || t->elems[1] != TY_INT ||
        !from || (from->kind != N_NAME && from->kind != N_CALL) || !from->name || strcmp(from->name, "count"))
        return;
    char n[32] = "n";
    if (slots[0] && slots[0]->kind == N_INT)
        snprintf(n, sizeof n, "%lld", (long long)slots[0]->ival);
    warn(s, stage->loc,
         "top without by: ranks count's (item, count) pairs by the item first, not by the count; "
         "to rank by the count write top(%s, by: p => p.1)", n);
}

/* A use of standard stage `stage->name` after prev (or first), last or not. */
static Prev check_std(Sema *s, Scope *sc, Node *stage, Prev prev, bool last, bool *sunk, bool *failed)
{
    Prev none = {0};
    const StdStage *st = std_stage_find(stage->name, prev.t != NULL, last);
    if (!st) {
        std_misplaced(s, stage);
    } else if (st->role == R_FANIN) {
        Prev f = check_fanin(s, sc, stage, st);
        *failed = !f.t;
        return f;
    }
    Node **slots = st ? std_args(s, sc, stage, st) : NULL;
    if (!slots || (prev.t && !in_ok(s, stage, st->name, st->in, prev))) {
        *failed = true;
        return none;
    }
    top_after_count(s, stage, st, slots, prev);
    StageKind k = st->role == R_SOURCE ? SK_SOURCE : st->role == R_SINK ? SK_SINK : SK_STD;
    StageFact *f = fact_new(s, stage, k, sc);
    f->row = st;
    f->args = slots;
    f->nargs = st->nargs;
    f->in = prev.t;
    f->out = st->role == R_SINK ? NULL : out_type(s, st, prev.t);
    if (st->check) {
        struct StageUse u = {s, sc, stage, f};
        st->check(&u);
    }
    *sunk = k == SK_SINK;
    return *sunk ? none : (Prev){f->out, stage, false};
}

/* Checks one stage after prev (t NULL when first): its facts go on the stage
 * node for lowering.  Returns the items it produces (t NULL for a sink or on
 * error: *sunk tells which). */
static Prev check_stage(Sema *s, Scope *sc, Node *stage, Prev prev, bool last, bool *sunk, bool *failed)
{
    Prev none = {0};
    *sunk = false;
    if (stage->kind != N_NAME && stage->kind != N_CALL) {
        err(s, stage->loc, "expected a stage (a name or a call such as grep(\"x\")), found %s",
            ast_kind_name(stage->kind));
        *failed = true;
        return none;
    }
    Sym *y = scope_find(sc, stage->name);
    if (y && y->kind == SYM_STREAM && stage->kind == N_NAME)
        return check_stream(s, sc, y, stage, prev, failed);
    if (y && stage->kind == N_NAME) {
        err(s, stage->loc, "'%s' is a value, not a stage", stage->name);
        *failed = true;
        return none;
    }
    Node *d = sema_find_proc(s, stage->name);
    if (d)
        return check_proc_use(s, sc, stage, d, prev, last, sunk, failed);
    return check_std(s, sc, stage, prev, last, sunk, failed);
}

/* ------------------------------------------------------------------ stage hooks */

/* The lambda of map, filter or flat_map (its row's only argument), checked
 * on the item: its body's type. */
static Type *use_lambda(struct StageUse *u)
{
    StageFact *f = u->f;
    f->lambda = f->args[0];
    return lambda(u->s, u->sc, f->lambda, f->in, f->row->name);
}

void sema_stage_map(struct StageUse *u)
{
    Type *bt = use_lambda(u);
    if (bt->kind == T_EMPTY_LIST || bt->kind == T_VOID) {
        err(u->s, u->f->lambda->loc, "map's function must return a value of a known type, found %s", tn(u->s, bt));
        bt = TY_ERROR;
    }
    u->f->kind = SK_MAP;
    u->f->out = bt;
}

void sema_stage_filter(struct StageUse *u)
{
    Type *bt = use_lambda(u);
    if (bt->kind != T_BOOL && bt->kind != T_ERROR)
        err(u->s, u->f->lambda->loc, "filter's function must return bool, found %s", tn(u->s, bt));
    u->f->kind = SK_FILTER;
}

void sema_stage_flat_map(struct StageUse *u)
{
    Type *bt = use_lambda(u);
    if (bt->kind != T_LIST && bt->kind != T_ERROR)
        err(u->s, u->f->lambda->loc, "flat_map's function must return a list, found %s", tn(u->s, bt));
    u->f->kind = SK_FLAT_MAP;
    u->f->out = bt->kind == T_LIST ? bt->elems[0] : TY_ERROR;
}

/* sort and top: the key (the row's function argument, else the item) must
 * have an order. */
void sema_stage_key(struct StageUse *u)
{
    StageFact *f = u->f;
    Sema *s = u->s;
    for (int i = 0; i < f->nargs; i++)
        if (f->row->arg_kinds[i] == A_FN)
            f->lambda = f->args[i];
    Node *fn = f->lambda;
    Type *kt = fn ? lambda(s, u->sc, fn, f->in, f->row->name) : f->in;
    if (!type_is_ordered(kt))
        err(s, fn ? fn->loc : u->stage->loc, "%s needs keys with an order, found %s", f->row->name, tn(s, kt));
}

void sema_stage_files(struct StageUse *u)
{
    StageFact *f = u->f;
    Node *names = f->args[1];
    if (!names)
        return;
    if (names->kind != N_BOOL) {
        err(u->s, names->loc, "'files' needs names: written true or false (it decides the item type)");
        return;
    }
    if (names->bval) {
        Type *pair[2] = {TY_STR, TY_STR};
        f->out = type_tuple(u->s->arena, pair, 2);
    }
}

void sema_stage_path_of(struct StageUse *u)
{
    StageFact *f = u->f;
    Sema *s = u->s;
    f->lambda = f->args[0];
    Type *t = lambda(s, u->sc, f->lambda, f->in, f->row->name);
    if (t && t->kind != T_ERROR && t->kind != T_STR)
        err(s, f->lambda->loc, "'%s' needs a function giving the file's path, a str; found %s", f->row->name,
            tn(s, t));
}

/* format("..."): a constant format names only fields the items have. */
/* A literal format of records names fields, `{name}`: each becomes its
 * position `{N}`, which the stage reads (a misspelled name is an error). */
static void format_names(Sema *s, Node *a, const Type *t)
{
    PipeStr f = a->str;
    char *out = pipe_alloc(s->arena, f.n * 2 + 16);
    size_t n = 0;
    for (size_t i = 0; i < f.n; i++) {
        size_t j = i + 1;
        if (f.p[i] == '{' && j < f.n && f.p[j] == '{') {
            out[n++] = '{';
            out[n++] = f.p[i++];
            continue;
        }
        bool start = f.p[i] == '{' && j < f.n && (f.p[j] == '_' || ((f.p[j] | 32) >= 'a' && (f.p[j] | 32) <= 'z'));
        while (start && j < f.n && (f.p[j] == '_' || ((f.p[j] | 32) >= 'a' && (f.p[j] | 32) <= 'z') ||
                                    (f.p[j] >= '0' && f.p[j] <= '9')))
            j++;
        if (!start || j >= f.n || f.p[j] != '}' || j - i - 1 > 200) {
            out[n++] = f.p[i];
            continue;
        }
        char name[208];
        memcpy(name, f.p + i + 1, j - i - 1);
        name[j - i - 1] = '\0';
        int k = type_field_index(t, name);
        if (k < 0)
            no_field(s, a->loc, t, name);
        n += (size_t)snprintf(out + n, 16, "{%d}", k < 0 ? 0 : k);
        i = j;
    }
    a->str = (PipeStr){out, n};
}

void sema_stage_format(struct StageUse *u)
{
    Sema *s = u->s;
    Node *a = u->f->args[0];
    Type *in = u->f->in;
    if (!a || a->kind != N_STR)
        return;
    if (in->kind == T_RECORD)
        format_names(s, a, in);
    int nf = in->kind == T_TUPLE || in->kind == T_RECORD ? in->n : 1;
    PipeStr f = a->str;
    for (size_t i = 0; i + 1 < f.n; i++) {
        if (f.p[i] == '{' && f.p[i + 1] == '{') {
            i++;
            continue;
        }
        if (f.p[i] == '{' && f.p[i + 1] >= '0' && f.p[i + 1] <= '9') {
            int idx = 0; /* past 9 digits: beyond any tuple (no int overflow) */
            size_t j = i + 1;
            for (; j < f.n && f.p[j] >= '0' && f.p[j] <= '9'; j++)
                idx = idx >= 100000000 ? 1000000000 : idx * 10 + (f.p[j] - '0');
            if (idx >= nf && in->kind != T_ERROR)
                err(s, a->loc, "format refers to field {%.*s}, but the items (%s) have %d field%s",
                    (int)(j - i - 1 > 40 ? 40 : j - i - 1), f.p + i + 1, tn(s, in), nf, nf == 1 ? "" : "s");
        }
    }
}

/* tee(SINK): the stage passes its items on; the sink is a flow after it. */
void sema_stage_tee(struct StageUse *u)
{
    StageFact *f = u->f;
    f->kind = SK_PASS;
    Node *sink = f->args[0];
    if (!sink)
        return;
    FlowEnd fe = check_one(u->s, u->sc, sink, (Prev){f->out, u->stage, false});
    if (!fe.sunk && !fe.failed)
        err(u->s, sink->loc, "tee's argument must be a sink such as file(\"x\") or stderr");
}

/* join's other stream: a bound name or a source (its fact says which, for
 * lowering); its element type, NULL after reporting. */
static Type *join_other(Sema *s, Scope *sc, Node *a, const char *name)
{
    static const char what[] = "a stream (a name bound in the pipeline, or a source such as file(\"x\"))";
    if (a->kind == N_NAME) {
        Sym *y = scope_find(sc, a->name);
        if (y && y->kind != SYM_STREAM) {
            err(s, a->loc, "%s: 'other' must be %s, found '%s', a value of type %s", name, what, a->name,
                tn(s, y->type));
            return NULL;
        }
    } else if (a->kind != N_CALL) {
        err(s, a->loc, "%s: 'other' must be %s, found %s", name, what, ast_kind_name(a->kind));
        return NULL;
    }
    Prev p = stream_arg(s, sc, a);
    return p.t && p.t->kind != T_ERROR ? p.t : NULL;
}

/* join's keys: one function for both sides (of one type), or a pair (kx,
 * ky); their common type, NULL after reporting. */
static Type *join_keys(Sema *s, Scope *sc, Node *on, Type *x, Type *y, const char *name)
{
    Type *kx, *ky;
    if (on->kind == N_TUPLE) {
        if (on->list.n != 2) {
            err(s, on->loc, "%s: 'on:' takes one key function, or a pair of them (x => ..., y => ...), found a "
                            "tuple of %d", name, on->list.n);
            return NULL;
        }
        kx = lambda(s, sc, on->list.v[0], x, name);
        ky = lambda(s, sc, on->list.v[1], y, name);
    } else {
        kx = ky = lambda(s, sc, on, x, name);
        if (!type_eq(x, y) && kx->kind != T_ERROR) {
            char tx[128];
            snprintf(tx, sizeof tx, "%s", tn(s, x));
            err(s, on->loc, "%s: one key function needs both streams of one type, but the flow carries %s and "
                            "'other' %s: give one for each, on: (x => ..., y => ...)", name, tx, tn(s, y));
            return NULL;
        }
    }
    if (kx->kind == T_ERROR || ky->kind == T_ERROR)
        return NULL;
    if (!type_eq(kx, ky)) {
        char tx[128];
        snprintf(tx, sizeof tx, "%s", tn(s, kx));
        err(s, on->loc, "%s: the keys do not match: the flow's key is %s, the key of 'other' %s", name, tx,
            tn(s, ky));
        return NULL;
    }
    if (!type_is_hashable(kx) || kx->kind == T_VOID || kx->kind == T_EMPTY_LIST) {
        err(s, on->loc, "%s: keys must be values that can be compared, found %s", name, tn(s, kx));
        return NULL;
    }
    return kx;
}

/* join(other, on: k, with: f): f takes an item of the flow and one of other
 * (a T? of it for left_join); the stage gives f's results. */
void sema_stage_join(struct StageUse *u)
{
    Sema *s = u->s;
    StageFact *f = u->f;
    const char *name = f->row->name;
    Node *with = f->args[2];
    s->joins = true;
    Type *y = join_other(s, u->sc, f->args[0], name);
    f->out = TY_ERROR;
    if (!y || !join_keys(s, u->sc, f->args[1], f->in, y, name))
        return;
    bool left = !strcmp(name, "left_join");
    if (with->kind != N_LAMBDA || with->list.n != 2) {
        char found[64] = "a value";
        if (with->kind == N_LAMBDA)
            snprintf(found, sizeof found, "a function of %d parameter%s", with->list.n, with->list.n == 1 ? "" : "s");
        err(s, with->loc, "%s: 'with:' takes a function of two parameters, (x, y) => ..., an item of the flow and "
                          "%s, found %s", name, left ? "a match or none (a T?)" : "a match", found);
        return;
    }
    Type *t = lambda(s, u->sc, with, type_pair(s->arena, f->in, left ? type_opt(s->arena, y) : y), name);
    if (t->kind == T_EMPTY_LIST || t->kind == T_VOID) {
        err(s, with->a->loc, "%s: 'with:' must return a value of a known type, found %s", name, tn(s, t));
        return;
    }
    f->out = t;
}

/* A type written as an expression, as a reader's argument is (csv(Release),
 * json([int])): names of records and scalars, [T], (T, U); NULL when e is
 * none of these. */
static Type *type_of_expr(Sema *s, Node *e)
{
    switch (e->kind) {
    case N_NAME: {
        Node *t = ast_new(s->arena, N_TNAME, e->loc);
        t->name = e->name;
        return resolve_type(s, t);
    }
    case N_LIST:
        if (e->list.n != 1)
            return NULL;
        Type *el = type_of_expr(s, e->list.v[0]);
        return el ? type_list(s->arena, el) : NULL;
    case N_TUPLE: {
        Type **f = pipe_alloc(s->arena, sizeof(Type *) * (size_t)(e->list.n + 1));
        for (int i = 0; i < e->list.n; i++)
            if (!(f[i] = type_of_expr(s, e->list.v[i])))
                return NULL;
        return type_tuple(s->arena, f, e->list.n);
    }
    default:
        return NULL;
    }
}

/* Whether a CSV or TSV cell can fill a field of type t. */
static bool cell_type(const Type *t)
{
    if (t->kind == T_OPT)
        t = t->elems[0];
    return t->kind <= T_BOOL;
}

/* The first map in t whose keys are not str (JSON keys are), or NULL. */
static const Type *json_bad_map(const Type *t)
{
    if (t->kind == T_MAP && t->elems[0]->kind != T_STR && t->elems[0]->kind != T_ERROR)
        return t;
    for (int i = 0; i < type_nparts(t); i++) {
        const Type *m = json_bad_map(t->elems[i]);
        if (m)
            return m;
    }
    return NULL;
}

void sema_stage_reader(struct StageUse *u)
{
    Sema *s = u->s;
    StageFact *f = u->f;
    const char *name = f->row->name;
    Node *a = f->args[0];
    Type *t = type_of_expr(s, a);
    f->out = TY_ERROR;
    if (!t) {
        err(s, a->loc, "'%s' needs the type to read, such as %s(Release) for a record Release", name, name);
        return;
    }
    if (t->kind == T_ERROR)
        return;
    bool table = strcmp(name, "json") != 0;
    if (table && t->kind != T_RECORD) {
        err(s, a->loc, "'%s' reads records: its argument must be a record type, found %s", name, tn(s, t));
        return;
    }
    for (int i = 0; table && i < t->n; i++)
        if (!cell_type(t->elems[i])) {
            err(s, a->loc, "'%s' cannot fill field '%s' of %s: a cell holds a str, int, float or bool (or a T? of "
                           "one), found %s (read nested data with json)", name, t->field_names[i], t->name,
                tn(s, t->elems[i]));
            return;
        }
    const Type *m = table ? NULL : json_bad_map(t);
    if (m) {
        err(s, a->loc, "'json' cannot fill %s: the keys of a JSON object are str", tn(s, m));
        return;
    }
    Node *sep = f->nargs > 1 && f->row->arg_kinds[1] == A_STR ? f->args[1] : NULL;
    if (sep && sep->kind == N_STR && (sep->str.n != 1 || sep->str.p[0] == '"' || sep->str.p[0] == '\n' ||
                                      sep->str.p[0] == '\r'))
        err(s, sep->loc, "'%s' needs a separator of one byte, not a quote or a line break", name);
    f->out = t;
}

/* `on error POLICY` after the stage with facts f: a stream name binds the
 * dead letters (str, str) in sc.  Returns false after reporting. */
static bool check_catch(Sema *s, Scope *sc, Node *policy, const StageFact *f, bool sunk)
{
    const char *word = policy->name;
    OnError oe = !strcmp(word, "stop") ? OE_STOP : !strcmp(word, "skip") ? OE_SKIP : OE_DEAD;
    if (f->stream) {
        err(s, policy->loc, "'on error' needs a stage before it, not a stream");
        return false;
    }
    if (sunk && oe != OE_STOP) {
        err(s, policy->loc, "a sink's errors always stop the run: 'on error %s' belongs to a stage before it",
            word);
        return false;
    }
    if (oe != OE_DEAD)
        return true;
    if (sc->proc) {
        err(s, policy->loc, "'%s' is not 'skip' or 'stop', and a proc's flow cannot bind a dead-letter "
                            "stream: use 'on error skip'", word);
        return false;
    }
    Sym *old = scope_find(sc, word);
    if (old && old->kind == SYM_PARAM) {
        err(s, policy->loc, "'%s' is a parameter: a dead-letter stream needs another name", word);
        return false;
    }
    if (old) {
        err(s, policy->loc, "'%s' is bound twice (first at %d:%d)", word, old->decl->loc.line, old->decl->loc.col);
        return false;
    }
    Type *t = type_pair(s->arena, TY_STR, TY_STR);
    Sym *y = scope_add(s, sc, word, SYM_STREAM, t, policy);
    y->producer = policy;
    policy->sym = y;
    policy->type = t;
    return true;
}

static FlowEnd check_flow(Sema *s, Scope *sc, Node *flow, Prev prev)
{
    FlowEnd fe = {prev, false, false};
    for (int i = 0; i < flow->list.n; i++) {
        Node *st = flow->list.v[i], *policy = NULL;
        if (fe.sunk) {
            err(s, st->loc, "nothing can follow a sink");
            fe.failed = true;
            break;
        }
        if (st->kind == N_CATCH) {
            policy = st->b;
            st = st->a;
        }
        bool sunk = false, failed = false;
        Prev out = check_stage(s, sc, st, fe.tail, i == flow->list.n - 1, &sunk, &failed);
        if (!failed && policy && !check_catch(s, sc, policy, st->fact, sunk))
            failed = true;
        if (failed) {
            fe.failed = true;
            fe.tail = (Prev){0};
            break;
        }
        fe.tail = out;
        fe.sunk = sunk;
        if (out.t) {
            st->type = out.t;
            flow->list.v[i]->type = out.t;
        }
    }
    return fe;
}

/* Checks a composite proc once, on its own, with an input of its declared type. */
static void check_proc_flow(Sema *s, Node *d, ProcInfo *pi)
{
    pi->checking = true;
    FlowEnd fe = check_flow(s, pi->scope, d->a, (Prev){pi->in, d, true});
    pi->checking = false;
    pi->checked = true;
    pi->tail = fe.tail.stage;
    if (fe.failed)
        return;
    if (pi->out && fe.sunk)
        err(s, d->a->loc, "proc '%s' is declared to produce %s, but its flow ends in a sink", d->name,
            tn(s, pi->out));
    else if (!pi->out && !fe.sunk)
        err(s, d->a->loc, "proc '%s' is declared as a sink, but its flow does not end in one", d->name);
    else if (pi->out && fe.tail.t && !type_has_error(pi->out) && !type_eq(pi->out, fe.tail.t))
        err(s, d->a->loc, "proc '%s' is declared to produce %s, but its flow produces %s", d->name,
            tn(s, pi->out), tn(s, fe.tail.t));
}

/* The bindings of one stream name in a pipeline, by statement index. */
typedef struct Binds {
    const char *name;
    int *at;        /* ascending */
    int n, cap;
    int seen;       /* reaches: the search that visited it last */
} Binds;

/* What the order checks of a pipeline know, gathered once so that no check
 * scans the pipeline: a script may bind thousands of streams. */
typedef struct Order {
    const char ***refs; /* per statement: the stream names its flow refers to */
    int *nrefs;
    NameMap binds;      /* name -> Binds */
    NameMap referred;   /* every name a flow refers to */
    Binds **todo;       /* reaches: the names still to visit */
    int nbinds, search;
} Order;

/* The names of streams a flow's stages refer to: stages that are names, and
 * arguments of calls that are names (fan-ins).  Arena array, *n set. */
static const char **flow_names(Sema *s, Node *flow, int *n)
{
    int cap = 0;
    for (int i = 0; i < flow->list.n; i++) {
        Node *st = flow->list.v[i];
        cap += 1 + (st->kind == N_CALL ? st->list.n : 0);
    }
    const char **v = pipe_alloc(s->arena, sizeof *v * (size_t)(cap + 1));
    *n = 0;
    for (int i = 0; i < flow->list.n; i++) {
        Node *st = flow->list.v[i];
        if (st->kind == N_CATCH)
            st = st->a;
        if (st->kind == N_NAME)
            v[(*n)++] = st->name;
        if (st->kind == N_CALL)
            for (int j = 0; j < st->list.n; j++) {
                Node *a = arg_value(st->list.v[j]);
                if (a->kind == N_NAME)
                    v[(*n)++] = a->name;
            }
    }
    return v;
}

static void order_init(Sema *s, Order *O, Node *pl)
{
    memset(O, 0, sizeof *O);
    int n = pl->list.n;
    O->refs = pipe_alloc(s->arena, sizeof *O->refs * (size_t)(n + 1));
    O->nrefs = pipe_alloc(s->arena, sizeof *O->nrefs * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        Node *st = pl->list.v[i];
        O->nrefs[i] = 0;
        O->refs[i] = NULL;
        if (st->kind == N_BIND || st->kind == N_FLOW)
            O->refs[i] = flow_names(s, st->kind == N_BIND ? st->a : st, &O->nrefs[i]);
        for (int r = 0; r < O->nrefs[i]; r++)
            sema_map_put(s->arena, &O->referred, O->refs[i][r], O->refs[i]);
        if (st->kind != N_BIND)
            continue;
        Binds *b = sema_map_get(&O->binds, st->name);
        if (!b) {
            b = pipe_alloc(s->arena, sizeof *b);
            memset(b, 0, sizeof *b);
            b->name = st->name;
            sema_map_put(s->arena, &O->binds, st->name, b);
            O->nbinds++;
        }
        if (b->n == b->cap) {
            b->cap = b->cap ? 2 * b->cap : 4;
            int *at = pipe_alloc(s->arena, sizeof *at * (size_t)b->cap);
            if (b->n)
                memcpy(at, b->at, sizeof *at * (size_t)b->n);
            b->at = at;
        }
        b->at[b->n++] = i;
    }
    O->todo = pipe_alloc(s->arena, sizeof *O->todo * (size_t)(O->nbinds + 1));
}

/* The first statement at or after i that binds name, or -1. */
static int bound_from(Order *O, const char *name, int i)
{
    Binds *b = sema_map_get(&O->binds, name);
    if (!b || b->at[b->n - 1] < i)
        return -1;
    int lo = 0, hi = b->n - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (b->at[mid] >= i)
            hi = mid;
        else
            lo = mid + 1;
    }
    return b->at[lo];
}

/* Whether statement i's flow refers to name. */
static bool refers(const Order *O, int i, const char *name)
{
    for (int r = 0; r < O->nrefs[i]; r++)
        if (!strcmp(O->refs[i][r], name))
            return true;
    return false;
}

/* Whether a flow bound to `target` leads back to `name` through bindings at
 * or after `from`: each name visited once (with bindings repeated under one
 * name, trying every path took exponential time), without recursion. */
static bool reaches(Order *O, int from, const char *target, const char *name)
{
    O->search++;
    int top = 0;
    Binds *b = sema_map_get(&O->binds, target);
    if (b) {
        b->seen = O->search;
        O->todo[top++] = b;
    }
    while (top > 0) {
        b = O->todo[--top];
        for (int k = 0; k < b->n; k++) {
            int i = b->at[k];
            for (int r = 0; r < O->nrefs[i]; r++) {
                const char *ref = O->refs[i][r];
                if (!strcmp(ref, name))
                    return true;
                Binds *next = sema_map_get(&O->binds, ref);
                if (next && next->seen != O->search && next->at[next->n - 1] >= from) {
                    next->seen = O->search;
                    O->todo[top++] = next;
                }
            }
        }
    }
    return false;
}

static int by_value(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Reports uses of names bound later in the pipeline: a cycle or a use before
 * binding, once per name (a name bound again is reported as bound twice), in
 * the order of those later bindings. */
static bool check_order(Sema *s, Order *O, Node *pl, int i, Scope *sc)
{
    Node *st = pl->list.v[i];
    bool ok = true;
    if (st->kind == N_BIND && refers(O, i, st->name)) {
        err(s, st->loc, "cycle: '%s' is defined in terms of itself", st->name);
        ok = false;
    }
    int *later = pipe_alloc(s->arena, sizeof *later * (size_t)(O->nrefs[i] + 1));
    int n = 0;
    for (int r = 0; r < O->nrefs[i]; r++) {
        const char *ref = O->refs[i][r];
        int j = scope_find_local(sc, ref) ? -1 : bound_from(O, ref, i);
        if (j > i) /* not when this statement binds it itself: reported above */
            later[n++] = j;
    }
    qsort(later, (size_t)n, sizeof *later, by_value);
    for (int k = 0; k < n; k++) {
        if (k > 0 && later[k] == later[k - 1])
            continue;
        Node *bind = pl->list.v[later[k]];
        ok = false;
        if (st->kind == N_BIND && reaches(O, i, bind->name, st->name))
            err(s, st->loc, "cycle: '%s' and '%s' are defined in terms of each other", st->name, bind->name);
        else
            err(s, st->loc, "stream '%s' is used before it is bound (at %d:%d)", bind->name, bind->loc.line,
                bind->loc.col);
    }
    return ok;
}

/* Binds a name whose flow had errors, so that its uses report nothing more. */
static void poison(Sema *s, Scope *streams, Node *bind)
{
    Sym *y = scope_add(s, streams, bind->name, SYM_STREAM, TY_ERROR, bind);
    y->used = true;
    bind->sym = y;
}

static void check_pipeline(Sema *s, Node *pl)
{
    PipeInfo *pi = pipe_alloc(s->arena, sizeof *pi);
    memset(pi, 0, sizeof *pi);
    pl->pipe = pi;
    pi->scope = scope_new(s, NULL, NULL);
    pi->ptypes = params(s, pi->scope, &pl->params, SYM_PARAM);
    for (int i = 0; i < pl->params.n; i++)
        pl->params.v[i]->sym->used = true;
    Scope *streams = scope_new(s, pi->scope, NULL);
    Order O;
    order_init(s, &O, pl);
    for (int i = 0; i < pl->list.n; i++) {
        Node *st = pl->list.v[i];
        if (!check_order(s, &O, pl, i, streams)) {
            if (st->kind == N_BIND && !scope_find(streams, st->name))
                poison(s, streams, st);
            continue;
        }
        if (st->kind == N_BIND) {
            Sym *prev = scope_find(streams, st->name);
            if (prev && prev->kind == SYM_PARAM) {
                err(s, st->loc, "'%s' is a parameter of pipeline '%s': a stream needs another name", st->name,
                    pl->name);
                poison(s, streams, st);
                continue;
            }
            if (prev) {
                Sym *old = prev;
                err(s, st->loc, "'%s' is bound twice (first at %d:%d)", st->name, old->decl->loc.line,
                    old->decl->loc.col);
                continue;
            }
            FlowEnd fe = check_flow(s, streams, st->a, (Prev){0});
            if (fe.failed) {
                poison(s, streams, st);
                continue;
            }
            if (fe.sunk) {
                err(s, st->loc, "'%s' is bound to a flow that ends in a sink, so it has no items", st->name);
                poison(s, streams, st);
                continue;
            }
            Sym *y = scope_add(s, streams, st->name, SYM_STREAM, fe.tail.t, st);
            y->producer = fe.tail.stage;
            st->sym = y;
            st->type = fe.tail.t;
        } else if (st->kind == N_FLOW) {
            FlowEnd fe = check_flow(s, streams, st, (Prev){0});
            if (!fe.failed && !fe.sunk)
                err(s, st->loc, "this flow ends without a sink: end it with '| stdout' (or another sink) or bind it "
                                "to a name");
        } else {
            err(s, st->loc, "expected a flow or a binding, found %s", ast_kind_name(st->kind));
        }
    }
    for (Sym *y = streams->syms; y; y = y->next)
        if (!y->used && !sema_map_get(&O.referred, y->name))
            warn(s, y->decl->loc, "stream '%s' is bound but never used", y->name);
}

/* A record declaration: its type, with field names now and field types once
 * every record of the program is known (check_records). */
static void collect_record(Sema *s, Node *d)
{
    Node *old = sema_map_get(&s->record_names, d->name);
    if (old) {
        err(s, d->loc, "record '%s' is declared twice (first at %s:%d:%d)", d->name,
            diag_file(s->diag, old->loc.file)->path, old->loc.line, old->loc.col);
        return;
    }
    if (scalar_type(d->name)) {
        err(s, d->loc, "a record cannot be called '%s': that is the name of a type", d->name);
        return;
    }
    const char **names = pipe_alloc(s->arena, sizeof(char *) * (size_t)(d->list.n + 1));
    for (int i = 0; i < d->list.n; i++) {
        Node *f = d->list.v[i];
        names[i] = f->name;
        for (int j = 0; j < i; j++)
            if (!strcmp(names[j], f->name))
                err(s, f->loc, "record '%s' has two fields called '%s'", d->name, f->name);
    }
    d->type = type_record(s->arena, d->name, names, d->list.n, s->nrecords);
    s->records[s->nrecords++] = d;
    sema_map_put(s->arena, &s->record_names, d->name, d);
}

/* Whether a value of type t holds one of record r (directly or in its parts);
 * a record being looked into is marked in `on` (recursion guard). */
static bool holds_record(const Type *t, const Type *r, bool *on)
{
    if (t->kind == T_RECORD) {
        if (t->serial == r->serial)
            return true;
        if (on[t->serial])
            return false;
        on[t->serial] = true;
    }
    for (int i = 0; i < type_nparts(t); i++)
        if (holds_record(t->elems[i], r, on))
            return true;
    return false;
}

/* The field types of every record, then: no record may hold itself (a value
 * would have no end). */
static void check_records(Sema *s)
{
    for (int i = 0; i < s->nrecords; i++) {
        Node *d = s->records[i];
        for (int j = 0; j < d->list.n; j++) {
            Node *f = d->list.v[j];
            d->type->elems[j] = resolve_type(s, f->a);
            f->type = d->type->elems[j];
        }
    }
    bool *on = pipe_alloc(s->arena, (size_t)s->nrecords + 1);
    for (int i = 0; i < s->nrecords; i++) {
        Node *d = s->records[i];
        for (int j = 0; j < d->list.n; j++) {
            memset(on, 0, (size_t)s->nrecords);
            if (holds_record(d->type->elems[j], d->type, on)) {
                err(s, d->list.v[j]->loc, "record '%s' holds itself through field '%s'", d->name, d->list.v[j]->name);
                d->type->elems[j] = TY_ERROR;
            }
        }
    }
}

static void collect_fn(Sema *s, Node *d);

static void collect(Sema *s, Node *file)
{
    for (int i = 0; i < file->list.n; i++) {
        Node *d = file->list.v[i];
        if (d->kind == N_PROC || d->kind == N_EXTERN) {
            Node *old = sema_find_proc(s, d->name);
            if (old)
                err(s, d->loc, "proc '%s' is declared twice (first at %s:%d:%d)", d->name,
                    diag_file(s->diag, old->loc.file)->path, old->loc.line, old->loc.col);
            else if (std_stage_exists(d->name))
                err(s, d->loc, "proc '%s' has the name of a standard stage", d->name);
            else if (sema_find_fn(s, d->name))
                err(s, d->loc, "proc '%s' has the name of a fn", d->name);
            else {
                s->procs[s->nprocs++] = d;
                sema_map_put(s->arena, &s->proc_names, d->name, d);
            }
        } else if (d->kind == N_FN) {
            collect_fn(s, d);
        } else if (d->kind == N_RECORD) {
            collect_record(s, d);
        } else if (d->kind == N_PIPELINE) {
            if (sema_map_get(&s->pipeline_names, d->name))
                err(s, d->loc, "pipeline '%s' is declared twice", d->name);
            else
                sema_map_put(s->arena, &s->pipeline_names, d->name, d);
            s->pipelines[s->npipelines++] = d;
        }
    }
}

static void check_fn_sig(Sema *s, Node *d);
static void check_fn_body(Sema *s, Node *d);

bool sema_check(Sema *s, Diag *d, PipeArena *a, Program *prog)
{
    memset(s, 0, sizeof *s);
    s->diag = d;
    s->arena = a;
    s->prog = prog;
    int total = 0;
    for (int f = 0; f < prog->nfiles; f++)
        total += prog->files[f]->list.n;
    s->procs = pipe_alloc(a, sizeof(Node *) * (size_t)(total + 1));
    s->pipelines = pipe_alloc(a, sizeof(Node *) * (size_t)(total + 1));
    s->records = pipe_alloc(a, sizeof(Node *) * (size_t)(total + 1));
    s->fns = pipe_alloc(a, sizeof(Node *) * (size_t)(total + 1));
    int errors0 = d->errors;
    /* imported files first, so their procs are known before the main file's */
    for (int f = prog->nfiles - 1; f >= 0; f--)
        collect(s, prog->files[f]);
    check_records(s);
    for (int i = 0; i < s->nfns; i++)
        check_fn_sig(s, s->fns[i]);
    for (int i = 0; i < s->nfns; i++)
        check_fn_body(s, s->fns[i]);
    for (int i = 0; i < s->nprocs; i++)
        check_proc(s, s->procs[i]);
    for (int i = 0; i < s->nprocs; i++) {
        Node *p = s->procs[i];
        if (p->kind == N_PROC && p->form == PROC_COMPOSITE && !p->proc->checked)
            check_proc_flow(s, p, p->proc);
    }
    for (int i = 0; i < s->npipelines; i++)
        check_pipeline(s, s->pipelines[i]);
    return d->errors == errors0;
}

Node *sema_pick(Sema *s, const char *name)
{
    Node *file0 = s->prog->nfiles ? s->prog->files[0] : NULL;
    if (name) {
        Node *p = sema_map_get(&s->pipeline_names, name);
        if (p)
            return p;
        char have[512] = "";
        size_t k = 0;
        for (int i = 0; i < s->npipelines && k < sizeof have - 64; i++)
            k += (size_t)snprintf(have + k, sizeof have - k, "%s%s", i ? ", " : "", s->pipelines[i]->name);
        diag_plain_error(s->diag, "no pipeline named '%s' (the script has: %s)", name, k ? have : "none");
        return NULL;
    }
    Node *only = NULL;
    int n = 0;
    for (int i = 0; i < s->npipelines; i++) {
        Node *p = s->pipelines[i];
        if (file0 && p->loc.file != file0->loc.file)
            continue;
        if (!strcmp(p->name, "main"))
            return p;
        only = p;
        n++;
    }
    if (n == 1)
        return only;
    if (n == 0)
        diag_plain_error(s->diag, "the script declares no pipeline to run");
    else
        diag_plain_error(s->diag, "the script declares %d pipelines and none is called 'main': choose one with "
                                  "--pipeline NAME", n);
    return NULL;
}

/* ------------------------------------------------------------------ fns and literals (LANGUAGE.md §9) */

Node *sema_find_fn(Sema *s, const char *name)
{
    return sema_map_get(&s->fn_names, name);
}

const char *sema_fn_sig(Sema *s, const Node *d)
{
    char buf[512];
    size_t k = (size_t)snprintf(buf, sizeof buf, "%s(", d->name);
    for (int i = 0; i < d->params.n && k < sizeof buf; i++) {
        const Node *p = d->params.v[i];
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s: %s", i ? ", " : "", p->name,
                              p->type ? tn(s, p->type) : "?");
    }
    if (k < sizeof buf)
        snprintf(buf + k, sizeof buf - k, ") -> %s", d->type ? tn(s, d->type) : "?");
    return ast_strdup(s->arena, buf, strlen(buf));
}

/* A fn's name is unique among fns, built-in functions, standard stages and
 * procs: a call names one thing wherever it stands. */
static void collect_fn(Sema *s, Node *d)
{
    Node *old = sema_find_fn(s, d->name);
    if (old)
        err(s, d->loc, "fn '%s' is declared twice (first at %s:%d:%d)", d->name,
            diag_file(s->diag, old->loc.file)->path, old->loc.line, old->loc.col);
    else if (builtin_find(d->name))
        err(s, d->loc, "fn '%s' has the name of a built-in function", d->name);
    else if (std_stage_exists(d->name))
        err(s, d->loc, "fn '%s' has the name of a standard stage", d->name);
    else if (sema_find_proc(s, d->name))
        err(s, d->loc, "fn '%s' has the name of a proc", d->name);
    else {
        s->fns[s->nfns++] = d;
        sema_map_put(s->arena, &s->fn_names, d->name, d);
    }
}

/* Parameters and result of fn d, before any body is checked, so that calls
 * may come before the declaration and fns may call each other. */
static void check_fn_sig(Sema *s, Node *d)
{
    ProcInfo *pi = pipe_alloc(s->arena, sizeof *pi);
    memset(pi, 0, sizeof *pi);
    d->proc = pi;
    pi->scope = scope_new(s, NULL, NULL);
    for (int i = 0; i < d->params.n; i++)
        if (d->params.v[i]->b)
            err(s, d->params.v[i]->b->loc, "a fn's parameter takes no default: every call gives all arguments");
    pi->ptypes = params(s, pi->scope, &d->params, SYM_LOCAL);
    for (int i = 0; i < d->params.n; i++) {
        d->params.v[i]->type = pi->ptypes[i];
        d->params.v[i]->sym->used = true;
    }
    pi->out = resolve_type(s, d->out);
    d->out->type = pi->out;
    d->type = pi->out;
}

/* Whether statement st returns on every path through it. */
static bool always_returns(const Node *st)
{
    switch (st->kind) {
    case N_RETURN:
        return true;
    case N_BLOCK:
        for (int i = 0; i < st->list.n; i++)
            if (always_returns(st->list.v[i]))
                return true;
        return false;
    case N_IF:
        return st->c && always_returns(st->b) && always_returns(st->c);
    default:
        return false;
    }
}

static void check_fn_body(Sema *s, Node *d)
{
    ProcInfo *pi = d->proc;
    char what[600];
    snprintf(what, sizeof what, "the result of %s", sema_fn_sig(s, d));
    s->cur_fn = d;
    if (d->a->kind == N_BLOCK) {
        block(s, pi->scope, d->a, NULL);
        if (!always_returns(d->a))
            err(s, d->loc, "fn '%s' does not return a value on every path: end each path with 'return VALUE'",
                d->name);
    } else {
        expect(s, pi->scope, d->a, pi->out, what);
    }
    s->cur_fn = NULL;
}

static void return_stmt(Sema *s, Scope *sc, Node *st)
{
    if (!s->cur_fn) {
        err(s, st->loc, "'return' outside a fn: a proc sends values on with 'emit', and a lambda's value is its "
                        "body ('x => e')");
        expr(s, sc, st->a);
        return;
    }
    char what[600];
    snprintf(what, sizeof what, "return in %s", sema_fn_sig(s, s->cur_fn));
    expect(s, sc, st->a, s->cur_fn->type, what);
}

/* A call of fn `fn`: as many arguments as parameters, each fitting its type. */
static Type *fn_call_type(Sema *s, Scope *sc, Node *e, Node *fn)
{
    const char *sig = sema_fn_sig(s, fn);
    int n = e->list.n, np = fn->params.n;
    for (int i = 0; i < n; i++) {
        Node *a = e->list.v[i];
        if (a->kind == N_ARG && a->name)
            err(s, a->loc, "fn %s takes no named arguments", sig);
        Node *v = arg_value(a);
        if (v->kind == N_LAMBDA) {
            err(s, v->loc, "fn %s takes no function arguments", sig);
            continue;
        }
        if (i < np) {
            char what[700];
            snprintf(what, sizeof what, "argument '%s' of %s", fn->params.v[i]->name, sig);
            expect(s, sc, v, fn->proc->ptypes[i], what);
        } else
            expr(s, sc, v);
    }
    if (n != np) {
        err(s, e->loc, "fn %s takes %d argument%s, found %d", sig, np, np == 1 ? "" : "s", n);
        return TY_ERROR;
    }
    return fn->type;
}

/* The type of let st: its declared type, which the value must fit, or the
 * value's, which must be known ([] and {} alone are not). */
static Type *let_type(Sema *s, Scope *sc, Node *st)
{
    if (st->b) {
        Type *t = resolve_type(s, st->b);
        char what[300];
        snprintf(what, sizeof what, "let %s: %s", st->name, tn(s, t));
        expect(s, sc, st->a, t, what);
        return t;
    }
    Node *v = st->a;
    if (v->kind == N_MAPLIT && v->list.n == 0) {
        err(s, v->loc, "cannot tell the type of an empty map or set: write 'let %s: {str: int} = {}' (a map) or "
                       "'let %s: {str} = {}' (a set), with its types", st->name, st->name);
        return TY_ERROR;
    }
    Type *t = expr(s, sc, v);
    if (t->kind == T_EMPTY_LIST) {
        err(s, v->loc, "cannot tell the type of an empty list: write 'let %s: [str] = []', with its element type",
            st->name);
        return TY_ERROR;
    }
    return t;
}

/* A list, map or set literal where type `want` is expected: its elements are
 * checked against want's parts, so that `[]`, `{}` and ints for floats fit
 * inside it too.  NULL when e is no such literal or want no such type. */
static Type *literal_as(Sema *s, Scope *sc, Node *e, Type *want)
{
    bool list = e->kind == N_LIST && want->kind == T_LIST;
    bool empty = e->kind == N_MAPLIT && e->list.n == 0 && (want->kind == T_MAP || want->kind == T_SET);
    bool map = e->kind == N_MAPLIT && want->kind == T_MAP;
    bool set = e->kind == N_SETLIT && want->kind == T_SET;
    if (!list && !empty && !map && !set)
        return NULL;
    if (s->expr_level == 0 && !depth_ok(s, e)) {
        e->type = TY_ERROR;
        return TY_ERROR;
    }
    s->expr_level++;
    for (int i = 0; i < e->list.n; i++) {
        Node *x = e->list.v[i];
        if (map) {
            expect(s, sc, x->a, want->elems[0], "map key");
            expect(s, sc, x->b, want->elems[1], "map value");
        } else
            expect(s, sc, x, want->elems[0], list ? "list element" : "set element");
    }
    s->expr_level--;
    e->type = want;
    return want;
}

/* The common type of the nodes' types ts[0..n), reported at each that differs. */
static Type *unify_all(Sema *s, Node **v, Type **ts, int n, const char *what)
{
    Type *t = ts[0];
    for (int i = 1; i < n; i++) {
        Type *w = ts[i]->kind == T_ERROR ? t : type_unify(s->arena, t, ts[i]);
        if (!w)
            err(s, v[i]->loc, "%s must have one type: expected %s, found %s", what, tn(s, t), tn(s, ts[i]));
        else
            t = w;
    }
    if (t->kind == T_EMPTY_LIST || t->kind == T_NONE) {
        err(s, v[0]->loc, "cannot tell the type of %s of %s: give the literal a type ('let x: T = ...')", what,
            t->kind == T_NONE ? "nones" : "empty lists");
        t = TY_ERROR;
    }
    return t;
}

/* `{k: v, ...}` and `{x, ...}` with no type expected: keys (elements) of one
 * hashable type, values of one type; `{}` alone has none to tell. */
static Type *brace_literal(Sema *s, Scope *sc, Node *e)
{
    int n = e->list.n;
    if (n == 0) {
        err(s, e->loc, "cannot tell the type of an empty map or set here: give it a type, as in "
                       "'let m: {str: int} = {}' or 'let s: {str} = {}'");
        return TY_ERROR;
    }
    Node **kn = pipe_alloc(s->arena, sizeof *kn * (size_t)n), **vn = pipe_alloc(s->arena, sizeof *vn * (size_t)n);
    Type **kt = pipe_alloc(s->arena, sizeof *kt * (size_t)n), **vt = pipe_alloc(s->arena, sizeof *vt * (size_t)n);
    bool map = e->kind == N_MAPLIT;
    for (int i = 0; i < n; i++) {
        Node *x = e->list.v[i];
        kn[i] = map ? x->a : x;
        kt[i] = expr(s, sc, kn[i]);
        if (map) {
            vn[i] = x->b;
            vt[i] = expr(s, sc, vn[i]);
        }
    }
    Type *k = unify_all(s, kn, kt, n, map ? "map keys" : "set elements");
    if (k->kind != T_ERROR && !type_is_hashable(k)) {
        err(s, kn[0]->loc, "%s cannot be %s, found %s", map ? "map keys" : "set elements",
            "maps or sets", tn(s, k));
        k = TY_ERROR;
    }
    if (!map)
        return type_set(s->arena, k);
    return type_map(s->arena, k, unify_all(s, vn, vt, n, "map values"));
}
