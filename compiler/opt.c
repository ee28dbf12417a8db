/* opt.c — the optimizer (opt.h): rewrites of the checked trees, each keeping
 * the exact meaning of the code it replaces.
 *
 *   split-index   split(s, sep)[i]           -> field(s, i, sep): the same piece,
 *                                               "" out of range, negative from the end;
 *                                               no list built (field() of the runtime
 *                                               is split's loop stopped at piece i)
 *   split-let     let f = split(s, sep) ... f[i] ... f[j]
 *                                            -> field(s, i, sep) ... field(s, j, sep),
 *                                               the let removed, when f is only ever
 *                                               indexed and s and sep cannot change
 *                                               in between (names never assigned in
 *                                               the proc or fn, or literals)
 *   words-index   words(s)[i], and let w = words(s) ... w[i]
 *                                            -> the i-th word of s, no list built
 *   last-index    xs[len(xs) - 1]            -> xs[-1] (also of an empty list: its zero)
 *   find-start    find(s, x) == 0            -> starts_with(s, x)
 *   concat        a + b + c + ... on str     -> one allocation for the whole chain
 *   dead-let      let x = e, x never read    -> nothing, when e can neither fail nor
 *                                               change anything
 *   fold          constant operands          -> their value (int + - * without
 *                                               overflow, comparisons, not, and, or,
 *                                               str + str, float + - * /), never
 *                                               the regex argument of a call (a
 *                                               literal regex is compiled earlier)
 *
 * Every rewrite is recorded with the stage, proc or fn it changed.  Chains
 * (a + b + ...) are walked without recursion: a script may hold long ones. */
#include "opt.h"

#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "sema.h"

/* ------------------------------------------------------------------ sets of pointers */

/* Open addressing over pointers, with a count per key (0 when absent). */
typedef struct PtrSet {
    const void **keys;
    int *vals;
    size_t n, cap;
} PtrSet;

static size_t ptr_slot(const PtrSet *s, const void *k)
{
    size_t h = ((uintptr_t)k >> 4) * 0x9e3779b97f4a7c15ull;
    size_t i = h & (s->cap - 1);
    while (s->keys[i] && s->keys[i] != k)
        i = (i + 1) & (s->cap - 1);
    return i;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p) {
        fputs("pipec: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

/* The count of k, made 0 first when absent. */
static int *ptr_at(PtrSet *s, const void *k)
{
    if (2 * (s->n + 1) > s->cap) {
        PtrSet t = {xcalloc(s->cap ? 2 * s->cap : 64, sizeof *t.keys), NULL, 0, s->cap ? 2 * s->cap : 64};
        t.vals = xcalloc(t.cap, sizeof *t.vals);
        for (size_t i = 0; i < s->cap; i++)
            if (s->keys[i]) {
                size_t j = ptr_slot(&t, s->keys[i]);
                t.keys[j] = s->keys[i];
                t.vals[j] = s->vals[i];
                t.n++;
            }
        free(s->keys);
        free(s->vals);
        *s = t;
    }
    size_t i = ptr_slot(s, k);
    if (!s->keys[i]) {
        s->keys[i] = k;
        s->n++;
    }
    return &s->vals[i];
}

static bool ptr_has(const PtrSet *s, const void *k)
{
    return s->cap && s->keys[ptr_slot(s, k)] == k;
}

static void ptr_free(PtrSet *s)
{
    free(s->keys);
    free(s->vals);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------------ the walk */

typedef struct Opt {
    PipeArena *a;
    OptLog *log;
    const Node *owner;  /* the stage, proc or fn being rewritten */
    PtrSet assigned;    /* syms assigned somewhere in the owner's code */
    PtrSet lets;        /* split-let: candidate lets' syms -> references not indexed */
} Opt;

static void note(Opt *O, const char *what, Loc loc)
{
    OptLog *l = O->log;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        OptRewrite *v = realloc(l->v, sizeof *v * (size_t)l->cap);
        if (!v) {
            fputs("pipec: out of memory\n", stderr);
            exit(2);
        }
        l->v = v;
    }
    l->v[l->n++] = (OptRewrite){O->owner, what, loc};
}

static bool is_call(const Node *e, const char *name, int nargs)
{
    return e && e->kind == N_CALL && e->name && !strcmp(e->name, name) && e->list.n == nargs &&
           builtin_find(name) && (nargs == 0 || e->list.v[0]->kind != N_ARG || !e->list.v[0]->name);
}

/* Whether e has the same value wherever it is evaluated in the owner's code,
 * and evaluating it can neither fail nor do anything: a literal, or a name
 * (or a tuple field of one) of a str, int, bool or tuple that is never
 * assigned. */
static bool stable(const Opt *O, const Node *e)
{
    switch (e->kind) {
    case N_STR:
    case N_INT:
    case N_BOOL: return true;
    case N_FIELD: return stable(O, e->a);
    case N_NAME:
        return e->sym && e->type &&
               (e->type->kind == T_STR || e->type->kind == T_INT || e->type->kind == T_BOOL ||
                e->type->kind == T_TUPLE || e->type->kind == T_RECORD) &&
               !ptr_has(&O->assigned, e->sym);
    default: return false;
    }
}

/* split(s, sep) with a str sep (not a regex value), or words(s), whose
 * arguments are stable: what a split-let may stand for. */
static bool splits(const Opt *O, const Node *e)
{
    if (is_call(e, "split", 2))
        return ast_arg(e, 1)->type && ast_arg(e, 1)->type->kind == T_STR && stable(O, ast_arg(e, 0)) &&
               stable(O, ast_arg(e, 1));
    return is_call(e, "words", 1) && stable(O, ast_arg(e, 0));
}

static Node *arg_node(PipeArena *a, Node *v)
{
    Node *x = ast_new(a, N_ARG, v->loc);
    x->a = v;
    x->type = v->type;
    return x;
}

/* The i-th piece of what call (a split or words, as splits() says) lists, in
 * place of index node at. */
static Node *piece(Opt *O, Node *call, Node *i, Node *at, const char *what)
{
    if (is_call(call, "words", 1)) {
        Node *x = ast_new(O->a, N_INDEX, at->loc);
        x->a = call;
        x->b = i;
        x->type = at->type;
        x->opt |= OPT_WORD_INDEX;
        note(O, what[0] == 's' ? "words-let" : "words-index", at->loc);
        return x;
    }
    Node *f = ast_new(O->a, N_CALL, at->loc);
    f->name = "field";
    f->type = at->type;
    ast_push(O->a, &f->list, arg_node(O->a, ast_arg(call, 0)));
    ast_push(O->a, &f->list, arg_node(O->a, i));
    ast_push(O->a, &f->list, arg_node(O->a, ast_arg(call, 1)));
    note(O, what, at->loc);
    return f;
}

/* split(s, sep)[i] and words(s)[i], when evaluating sep (split) before i, as
 * field() does not, cannot matter: sep is stable. */
/* xs[len(xs) - 1], for a list xs that is a name: xs[-1], the same element
 * (and the zero value of an empty list either way); then a let of a split
 * list indexed so is only indexed. */
static void last_index(Opt *O, Node *e)
{
    Node *i = e->b, *xs = e->a;
    if (xs->kind != N_NAME || !xs->sym || !xs->type || xs->type->kind != T_LIST || i->kind != N_BINARY ||
        i->op != OP_SUB || i->b->kind != N_INT || i->b->ival != 1 || !is_call(i->a, "len", 1))
        return;
    Node *l = ast_arg(i->a, 0);
    if (l->kind != N_NAME || l->sym != xs->sym)
        return;
    Node *m = ast_new(O->a, N_INT, i->loc);
    m->ival = -1;
    m->type = i->type;
    e->b = m;
    note(O, "last-index", i->loc);
}

static Node *index_rw(Opt *O, Node *e)
{
    last_index(O, e);
    Node *c = e->a;
    if (e->opt || !e->type || e->type->kind != T_STR || !c->type || c->type->kind != T_LIST)
        return e;
    if (is_call(c, "split", 2) && ast_arg(c, 1)->type->kind == T_STR && stable(O, ast_arg(c, 1)))
        return piece(O, c, e->b, e, "split-index");
    if (is_call(c, "words", 1))
        return piece(O, c, e->b, e, "words-index");
    return e;
}

/* ------------------------------------------------------------------ constant folding */

static Node *lit_like(Opt *O, Node *e, NodeKind k)
{
    Node *x = ast_new(O->a, k, e->loc);
    x->type = e->type;
    note(O, "fold", e->loc);
    return x;
}

static Node *fold_int(Opt *O, Node *e, int64_t x, int64_t y)
{
    int64_t r;
    bool over;
    switch (e->op) {
    case OP_ADD: over = __builtin_add_overflow(x, y, &r); break;
    case OP_SUB: over = __builtin_sub_overflow(x, y, &r); break;
    case OP_MUL: over = __builtin_mul_overflow(x, y, &r); break;
    default: return e; /* / and % keep their runtime checks */
    }
    if (over)
        return e; /* the runtime error stays where it was */
    Node *n = lit_like(O, e, N_INT);
    n->ival = r;
    return n;
}

static Node *fold_float(Opt *O, Node *e, double x, double y)
{
    double r;
    switch (e->op) {
    case OP_ADD: r = x + y; break;
    case OP_SUB: r = x - y; break;
    case OP_MUL: r = x * y; break;
    case OP_DIV: r = x / y; break;
    default: return e;
    }
    if (!__builtin_isfinite(r))
        return e; /* inf and nan have no literal */
    Node *n = lit_like(O, e, N_FLOAT);
    n->fval = r;
    return n;
}

static int cmp_lit(const Node *a, const Node *b)
{
    switch (a->kind) {
    case N_INT: return (a->ival > b->ival) - (a->ival < b->ival);
    case N_BOOL: return (int)a->bval - (int)b->bval;
    default: {
        size_t n = a->str.n < b->str.n ? a->str.n : b->str.n;
        int c = n ? memcmp(a->str.p, b->str.p, n) : 0;
        return c ? (c > 0) - (c < 0) : (a->str.n > b->str.n) - (a->str.n < b->str.n);
    }
    }
}

static Node *fold_cmp(Opt *O, Node *e)
{
    int c = cmp_lit(e->a, e->b);
    bool r;
    switch (e->op) {
    case OP_EQ: r = c == 0; break;
    case OP_NE: r = c != 0; break;
    case OP_LT: r = c < 0; break;
    case OP_LE: r = c <= 0; break;
    case OP_GT: r = c > 0; break;
    case OP_GE: r = c >= 0; break;
    default: return e;
    }
    Node *n = lit_like(O, e, N_BOOL);
    n->bval = r;
    return n;
}

/* find(s, x) == 0: starts_with(s, x), which looks at the start of s only
 * (find returns 0 exactly when s starts with x, also for x = ""). */
static Node *find_start(Opt *O, Node *e)
{
    Node *f = e->a;
    if (e->op != OP_EQ || !e->b || e->b->kind != N_INT || e->b->ival != 0 || !is_call(f, "find", 2))
        return e;
    Node *c = ast_new(O->a, N_CALL, e->loc);
    c->name = "starts_with";
    c->type = e->type;
    c->list = f->list;
    note(O, "find-start", e->loc);
    return c;
}

/* e with both operands literals of e's own kind of value, folded. */
static Node *fold_binary(Opt *O, Node *e)
{
    if (e->kind == N_BINARY && e->op == OP_EQ)
        e = find_start(O, e);
    if (e->kind != N_BINARY)
        return e;
    Node *x = e->a, *y = e->b;
    if (!x || !y || x->kind != y->kind || !e->type || !x->type || !y->type || !type_eq(x->type, y->type))
        return e;
    if (e->op >= OP_EQ && e->op <= OP_GE && (x->kind == N_INT || x->kind == N_STR || x->kind == N_BOOL))
        return fold_cmp(O, e);
    if (x->kind == N_INT && e->type->kind == T_INT)
        return fold_int(O, e, x->ival, y->ival);
    if (x->kind == N_FLOAT && e->type->kind == T_FLOAT)
        return fold_float(O, e, x->fval, y->fval);
    if (x->kind == N_BOOL && (e->op == OP_AND || e->op == OP_OR)) {
        Node *n = lit_like(O, e, N_BOOL);
        n->bval = e->op == OP_AND ? x->bval && y->bval : x->bval || y->bval;
        return n;
    }
    if (x->kind == N_STR && e->op == OP_ADD && e->type->kind == T_STR) {
        Node *n = lit_like(O, e, N_STR);
        char *p = pipe_alloc(O->a, x->str.n + y->str.n + 1);
        memcpy(p, x->str.p, x->str.n);
        memcpy(p + x->str.n, y->str.p, y->str.n);
        p[x->str.n + y->str.n] = 0;
        n->str = (PipeStr){p, x->str.n + y->str.n};
        return n;
    }
    return e;
}

static Node *fold_unary(Opt *O, Node *e)
{
    Node *x = e->a;
    if (e->op == OP_NOT && x->kind == N_BOOL) {
        Node *n = lit_like(O, e, N_BOOL);
        n->bval = !x->bval;
        return n;
    }
    if (e->op == OP_NEG && x->kind == N_INT && x->ival != INT64_MIN && e->type && e->type->kind == T_INT) {
        Node *n = lit_like(O, e, N_INT);
        n->ival = -x->ival;
        return n;
    }
    if (e->op == OP_NEG && x->kind == N_FLOAT && e->type && e->type->kind == T_FLOAT) {
        Node *n = lit_like(O, e, N_FLOAT);
        n->fval = -x->fval;
        return n;
    }
    return e;
}

/* ------------------------------------------------------------------ expressions and statements */

static Node *rw(Opt *O, Node *e);

/* The links of the chain e (e itself first, then e->a while it is a link). */
static Node **chain_links(Node *e, int *n)
{
    *n = 1;
    for (Node *x = e; sema_chain_link(x, x->a); x = x->a)
        ++*n;
    Node **links = xcalloc((size_t)*n, sizeof *links);
    links[0] = e;
    for (int k = 1; k < *n; k++)
        links[k] = links[k - 1]->a;
    return links;
}

/* A chain of binary operators, innermost link first, without recursion. */
static Node *rw_chain(Opt *O, Node *e)
{
    int n;
    Node **links = chain_links(e, &n);
    links[n - 1]->a = rw(O, links[n - 1]->a);
    Node *acc = NULL;
    for (int k = n - 1; k >= 0; k--) {
        if (acc)
            links[k]->a = acc;
        links[k]->b = rw(O, links[k]->b);
        acc = fold_binary(O, links[k]);
    }
    free(links);
    /* what is left of a str + chain of three or more parts: one allocation */
    if (acc->kind == N_BINARY && acc->op == OP_ADD && acc->type && acc->type->kind == T_STR &&
        sema_chain_link(acc, acc->a) && acc->a->op == OP_ADD) {
        acc->opt |= OPT_CONCAT;
        note(O, "concat", acc->loc);
    }
    return acc;
}

/* The arguments of call e; its regex argument's value is never folded into
 * a literal (a literal regex is compiled when the run starts, another one at
 * its first use: folding would move its error). */
static void rw_call(Opt *O, Node *e)
{
    const Builtin *b = e->name ? builtin_find(e->name) : NULL;
    for (int i = 0; i < e->list.n; i++) {
        Node *x = e->list.v[i];
        Node **slot = x->kind == N_ARG ? &x->a : &e->list.v[i];
        Node *before = *slot;
        Node *after = rw(O, before);
        if (b && i == b->regex_arg && after->kind == N_STR && before->kind != N_STR)
            continue; /* keeps before (its operands may be folded) */
        *slot = after;
    }
}

static Node *rw(Opt *O, Node *e)
{
    if (!e)
        return e;
    if (sema_chain_link(e, e->a))
        return rw_chain(O, e);
    switch (e->kind) {
    case N_CALL: rw_call(O, e); return e;
    case N_FLOW:
    case N_TNAME:
    case N_TTUPLE:
    case N_TLIST:
    case N_TMAP:
    case N_TSET:
    case N_TOPT: return e;
    default: break;
    }
    e->a = rw(O, e->a);
    e->b = rw(O, e->b);
    e->c = rw(O, e->c);
    for (int i = 0; i < e->list.n; i++)
        e->list.v[i] = rw(O, e->list.v[i]);
    switch (e->kind) {
    case N_INDEX: return index_rw(O, e);
    case N_BINARY: return fold_binary(O, e);
    case N_UNARY: return fold_unary(O, e);
    default: return e;
    }
}

/* ------------------------------------------------------------------ split-let */

/* The sym an assignment's target changes: its root name's. */
static const Sym *target_sym(const Node *t)
{
    while (t && (t->kind == N_INDEX || t->kind == N_FIELD))
        t = t->a;
    return t && t->kind == N_NAME ? t->sym : NULL;
}

/* Calls fn on every node of e's tree (chains without recursion). */
static void visit(Node *e, void (*fn)(Opt *, Node *), Opt *O)
{
    while (e) {
        fn(O, e);
        if (e->kind == N_FLOW)
            return;
        visit(e->b, fn, O);
        visit(e->c, fn, O);
        for (int i = 0; i < e->list.n; i++)
            visit(e->list.v[i], fn, O);
        e = e->a; /* a chain's next link: a loop, not a call */
    }
}

static void find_assigned(Opt *O, Node *e)
{
    const Sym *s = e->kind == N_ASSIGN ? target_sym(e->a) : NULL;
    if (s)
        ++*ptr_at(&O->assigned, s);
    else if (e->kind == N_FOR && e->sym) /* a loop's variable takes each element in turn */
        ++*ptr_at(&O->assigned, e->sym);
}

static void find_lets(Opt *O, Node *e)
{
    if (e->kind == N_LET && e->sym && e->a && e->a->type && e->a->type->kind == T_LIST && splits(O, e->a))
        ptr_at(&O->lets, e->sym);
}

/* A reference to a candidate let inside a lambda: the lambda's C may not
 * see the names the let's value is made of, so that let stays. */
static void in_lambda(Opt *O, Node *e)
{
    if (e->kind == N_NAME && e->sym && ptr_has(&O->lets, e->sym))
        ++*ptr_at(&O->lets, e->sym);
}

/* Counts the references to candidate lets that are not the list of an
 * index read. */
static void count_refs(Opt *O, Node *e)
{
    if (e->kind == N_LAMBDA)
        visit(e->a, in_lambda, O);
    if (e->kind == N_NAME && e->sym && ptr_has(&O->lets, e->sym)) {
        ++*ptr_at(&O->lets, e->sym);
    }
    if (e->kind == N_INDEX && e->a->kind == N_NAME && e->a->sym && ptr_has(&O->lets, e->a->sym) && e->type &&
        e->type->kind == T_STR)
        --*ptr_at(&O->lets, e->a->sym); /* its N_NAME counted one not indexed: not so */
}

/* Whether let's sym is referenced only as the list of index reads. */
static bool let_only_indexed(Opt *O, const Node *let)
{
    return let->kind == N_LET && let->sym && ptr_has(&O->lets, let->sym) && *ptr_at(&O->lets, let->sym) == 0;
}

/* Replaces f[i] by the piece when f is a let only indexed; drops those lets
 * from blocks. */
static Node *subst(Opt *O, Node *e)
{
    if (!e || e->kind == N_FLOW)
        return e;
    if (sema_chain_link(e, e->a)) {
        int n;
        Node **links = chain_links(e, &n);
        links[n - 1]->a = subst(O, links[n - 1]->a);
        for (int k = n - 1; k >= 0; k--)
            links[k]->b = subst(O, links[k]->b);
        free(links);
        return e;
    }
    e->a = subst(O, e->a);
    e->b = subst(O, e->b);
    e->c = subst(O, e->c);
    int k = 0;
    for (int i = 0; i < e->list.n; i++) {
        Node *x = e->list.v[i];
        if (e->kind == N_BLOCK && let_only_indexed(O, x))
            continue; /* its value was only indexed: nothing reads it now */
        e->list.v[k++] = subst(O, x);
    }
    e->list.n = k;
    if (e->kind == N_INDEX && e->a->kind == N_NAME && e->a->sym && ptr_has(&O->lets, e->a->sym) &&
        *ptr_at(&O->lets, e->a->sym) == 0)
        return piece(O, e->a->sym->decl->a, e->b, e, "split-let");
    return e;
}

/* ------------------------------------------------------------------ dead lets */

/* Whether evaluating e can neither fail nor change anything: what a let no
 * one reads may be dropped for. */
static bool pure_nofail(const Node *e)
{
    static const char *const safe_fns[] = {"len",      "lower",       "upper",     "trim", "field", "split", "words",
                                           "contains", "starts_with", "ends_with", "find", "substr", NULL};
    switch (e->kind) {
    case N_STR:
    case N_INT:
    case N_FLOAT:
    case N_BOOL:
    case N_NAME: return true;
    case N_FIELD: return pure_nofail(e->a);
    case N_UNARY: return (e->op == OP_NOT || (e->type && e->type->kind == T_FLOAT)) && pure_nofail(e->a);
    case N_COND: return pure_nofail(e->a) && pure_nofail(e->b) && pure_nofail(e->c);
    case N_INDEX: /* a list's element or a word; a map's may make its key */
        return (e->opt & OPT_WORD_INDEX || (e->a->type && e->a->type->kind == T_LIST)) && pure_nofail(e->a) &&
               pure_nofail(e->b);
    case N_BINARY:
        if (e->op == OP_ADD || e->op == OP_SUB || e->op == OP_MUL || e->op == OP_DIV || e->op == OP_MOD) {
            bool text_or_float = e->type && (e->type->kind == T_FLOAT || (e->type->kind == T_STR && e->op == OP_ADD));
            if (!text_or_float) /* int overflow, division by zero, list + list */
                return false;
        } else if (e->op == OP_COALESCE) {
            return false;
        }
        return pure_nofail(e->a) && pure_nofail(e->b);
    case N_CALL:
        for (int k = 0; safe_fns[k]; k++)
            if (e->name && !strcmp(e->name, safe_fns[k]) && builtin_find(e->name)) {
                for (int i = 0; i < e->list.n; i++)
                    if (!pure_nofail(ast_arg(e, i)))
                        return false;
                return true;
            }
        return false;
    default: return false;
    }
}

static void find_refs(Opt *O, Node *e)
{
    if (e->kind == N_NAME && e->sym)
        ++*ptr_at(&O->lets, e->sym);
}

/* Drops from the blocks of e the lets that nothing reads whose values are
 * pure_nofail (O->lets: the references to each sym). */
static void drop_dead(Opt *O, Node *e)
{
    if (e->kind != N_BLOCK)
        return;
    int k = 0;
    for (int i = 0; i < e->list.n; i++) {
        Node *x = e->list.v[i];
        if (x->kind == N_LET && x->sym && !ptr_has(&O->lets, x->sym) && x->a && pure_nofail(x->a)) {
            note(O, "dead-let", x->loc);
            continue;
        }
        e->list.v[k++] = x;
    }
    e->list.n = k;
}

/* ------------------------------------------------------------------ declarations */

/* Rewrites the code of owner (a proc's handlers, a fn's body), whose tree is
 * root: first each expression, then the lets of split lists. */
static void rw_code(Opt *O, const Node *owner, Node *root)
{
    O->owner = owner;
    visit(root, find_assigned, O);
    rw(O, root);
    visit(root, find_lets, O);
    if (O->lets.n) {
        visit(root, count_refs, O);
        for (size_t i = 0; i < O->lets.cap; i++)
            if (O->lets.keys[i] && O->lets.vals[i] == 0 && ((const Sym *)O->lets.keys[i])->decl->kind != N_LET)
                O->lets.vals[i] = 1; /* not a let's sym after all */
        subst(O, root);
    }
    ptr_free(&O->lets);
    visit(root, find_refs, O);
    visit(root, drop_dead, O);
    ptr_free(&O->assigned);
    ptr_free(&O->lets);
}

static void rw_flow(Opt *O, Node *flow);

/* A stage of a flow: the bodies of its lambdas, and the flows and stages it
 * takes as arguments (tee's sink, join's other, a fan-in's inputs).  Its
 * other argument values are left as they are (a literal there means more to
 * the checks of the plan and of safe mode than an expression). */
static void rw_stage(Opt *O, Node *st)
{
    if (st->kind == N_CATCH)
        st = st->a;
    if (st->kind != N_CALL)
        return;
    for (int i = 0; i < st->list.n; i++) {
        Node *v = ast_arg(st, i);
        if (v->kind == N_LAMBDA) {
            Node body = {.kind = N_BLOCK};
            ast_push(O->a, &body.list, v->a);
            rw_code(O, st, &body);
            v->a = body.list.v[0];
        } else if (v->kind == N_FLOW) {
            rw_flow(O, v);
        } else if (v->fact) {
            const Node *saved = O->owner;
            rw_stage(O, v);
            O->owner = saved;
        }
    }
}

static void rw_flow(Opt *O, Node *flow)
{
    for (int i = 0; i < flow->list.n; i++)
        rw_stage(O, flow->list.v[i]);
}

static void rw_decl(Opt *O, Node *d)
{
    switch (d->kind) {
    case N_PIPELINE:
        for (int i = 0; i < d->list.n; i++) {
            Node *st = d->list.v[i];
            rw_flow(O, st->kind == N_BIND ? st->a : st);
        }
        return;
    case N_PROC:
        if (d->form == PROC_COMPOSITE) {
            rw_flow(O, d->a);
        } else {
            Node body = {.kind = N_BLOCK, .list = d->list};
            rw_code(O, d, &body);
        }
        return;
    case N_FN: {
        Node body = {.kind = N_BLOCK};
        ast_push(O->a, &body.list, d->a);
        rw_code(O, d, &body);
        d->a = body.list.v[0];
        return;
    }
    default: return;
    }
}

void opt_program(PipeArena *a, Program *prog, OptLog *log)
{
    Opt O = {.a = a, .log = log};
    for (int f = 0; f < prog->nfiles; f++) {
        Node *file = prog->files[f];
        for (int i = 0; file && i < file->list.n; i++)
            rw_decl(&O, file->list.v[i]);
    }
}

void opt_write_fns(const OptLog *log, FILE *out)
{
    const Node *last = NULL;
    for (int i = 0; log && i < log->n; i++) {
        const Node *fn = log->v[i].owner;
        if (fn->kind != N_FN || fn == last)
            continue;
        bool seen = false; /* a fn's rewrites print once, on one line */
        for (int j = 0; j < i && !seen; j++)
            seen = log->v[j].owner == fn;
        if (seen)
            continue;
        fprintf(out, "fn %s %d:%d", fn->name, fn->loc.line, fn->loc.col);
        opt_write(log, fn, out);
        fputc('\n', out);
        last = fn;
    }
}

void opt_write(const OptLog *log, const Node *owner, FILE *out)
{
    const char *sep = ", rewrites: ";
    for (int i = 0; log && i < log->n; i++) {
        const OptRewrite *r = &log->v[i];
        if (r->owner != owner)
            continue;
        fprintf(out, "%s%s %d:%d", sep, r->what, r->loc.line, r->loc.col);
        sep = ", ";
    }
}
