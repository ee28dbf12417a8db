/* plan.c — the plan pass: decides once, over a lowered DAG, how each stage
 * runs (kernel copy, prefilter, tail from the end, sort into top, field memo, parallel). */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "graph.h"
#include "opt.h"

/* What the decisions of one node need to know of the DAG around it. */
typedef struct Around {
    int *nouts;        /* by node index: how many nodes take its items */
    DagNode **out;     /* by node index: the last of those */
} Around;

static bool has(const DagNode *n, unsigned flag)
{
    return n->row && (n->row->flags & flag);
}

/* The consumers of every node: edges only (a dead-letter node's ins are the
 * stages routed to it by their error policies, not edges). */
static void around_init(Around *A, const Dag *dag)
{
    A->nouts = calloc((size_t)dag->n + 1, sizeof *A->nouts);
    A->out = calloc((size_t)dag->n + 1, sizeof *A->out);
    if (!A->nouts || !A->out) {
        fputs("pipec: out of memory\n", stderr);
        exit(2);
    }
    for (int i = 0; i < dag->n; i++) {
        DagNode *c = dag->nodes[i];
        for (int j = 0; c->kind != SK_DEAD && j < c->nins; j++) {
            A->nouts[c->ins[j].from->id - 1]++;
            A->out[c->ins[j].from->id - 1] = c;
        }
    }
}

/* n's only consumer, or NULL when it has none or several. */
static DagNode *only_out(const Around *A, const DagNode *n)
{
    return A->nouts[n->id - 1] == 1 ? A->out[n->id - 1] : NULL;
}

/* True when evaluating e cannot raise a runtime error: names, literals, fields
 * and tuples of those (a sort before top is fused with it only then). */
static bool cannot_fail(const Node *e)
{
    switch (e->kind) {
    case N_NAME:
    case N_INT:
    case N_FLOAT:
    case N_STR:
    case N_BOOL: return true;
    case N_FIELD: return cannot_fail(e->a);
    case N_TUPLE:
        for (int i = 0; i < e->list.n; i++)
            if (!cannot_fail(e->list.v[i]))
                return false;
        return true;
    default: return false;
    }
}

/* Whether e is the name of lambda parameter p. */
static bool is_param(const Node *e, const Sym *p)
{
    return e->kind == N_NAME && e->sym == p;
}

/* A literal str: its bytes in *lit when some line holding none of them
 * could still pass. */
static bool literal_arg(const Node *e, PipeStr *lit)
{
    if (e->kind != N_STR || e->str.n == 0 || memchr(e->str.p, '\n', e->str.n))
        return false;
    *lit = e->str;
    return true;
}

/* Whether e, true, says that the str p holds a literal, and which (*lit):
 * contains(p, L), starts_with(p, L), ends_with(p, L), L in p, find(p, L) >= 0
 * (also != -1, > -1), matches(p, R) for a regex R that is a literal; and
 * whether it looks only at an end of p (*anchored: starts_with, ends_with). */
static bool literal_test(const Node *e, const Sym *p, PipeStr *lit, bool *anchored)
{
    *anchored = false;
    if (e->kind == N_BINARY && e->op == OP_IN && e->b->type && e->b->type->kind == T_STR)
        return is_param(e->b, p) && literal_arg(e->a, lit);
    if (e->kind == N_BINARY && (e->op == OP_GE || e->op == OP_NE || e->op == OP_GT) && e->b->kind == N_INT &&
        e->b->ival == (e->op == OP_GE ? 0 : -1)) {
        const Node *f = e->a;
        return f->kind == N_CALL && !strcmp(f->name, "find") && f->list.n == 2 && is_param(ast_arg(f, 0), p) &&
               literal_arg(ast_arg(f, 1), lit);
    }
    if (e->kind != N_CALL || e->list.n != 2 || !is_param(ast_arg(e, 0), p) || !e->name)
        return false;
    if (!strcmp(e->name, "matches"))
        return literal_arg(ast_arg(e, 1), lit) && pipe_regex_is_literal(*lit);
    *anchored = strcmp(e->name, "contains") != 0;
    return (!strcmp(e->name, "contains") || !strcmp(e->name, "starts_with") || !strcmp(e->name, "ends_with")) &&
           ast_arg(e, 0)->type->kind == T_STR && literal_arg(ast_arg(e, 1), lit);
}

/* The literals of which body e, true, says the str p holds one (added to
 * *L): a literal test; one in an `and` whose tests before it cannot fail (a
 * line the prefilter skips must be one that the function finds false
 * without an error); or the literals of both sides of an `or`. */
static bool literal_in(const Node *e, const Sym *p, PlanLits *L)
{
    PipeStr lit;
    bool anchored;
    if (literal_test(e, p, &lit, &anchored)) {
        if (L->n == PLAN_LITS)
            return false;
        L->v[L->n++] = lit;
        L->searched |= !anchored;
        return true;
    }
    if (e->kind != N_BINARY || (e->op != OP_AND && e->op != OP_OR))
        return false;
    int n = L->n;
    bool searched = L->searched;
    if (e->op == OP_OR) {
        if (literal_in(e->a, p, L) && literal_in(e->b, p, L))
            return true;
        L->n = n;
        L->searched = searched;
        return false;
    }
    if (literal_in(e->a, p, L))
        return true;
    L->n = n;
    L->searched = searched;
    return cannot_fail(e->a) && literal_in(e->b, p, L);
}

/* A stateful proc whose `on x` does nothing but `if C { ... }` (no else),
 * for C a literal test of x: what the lines without it would do is nothing
 * (its `on start` and `on end` see no lines). */
static bool proc_literal(const Node *d, PlanLits *L)
{
    const Node *on = NULL;
    for (int i = 0; i < d->list.n; i++) {
        const Node *m = d->list.v[i];
        if (m->kind == N_ON && m->name) {
            if (on)
                return false;
            on = m;
        }
    }
    if (!on || !on->sym || !on->a || on->a->kind != N_BLOCK || on->a->list.n != 1)
        return false;
    const Node *st = on->a->list.v[0];
    return st->kind == N_IF && !st->c && literal_in(st->a, on->sym, L);
}

bool plan_filter_literal(const Dag *dag, const DagNode *n, PlanLits *L)
{
    L->n = 0;
    if (!dag->opt || !n->in || n->in->kind != T_STR)
        return false;
    L->searched = false;
    bool found;
    if (n->kind == SK_PROC)
        found = n->decl->form == PROC_STATEFUL && proc_literal(n->decl, L);
    else
        found = n->kind == SK_FILTER && n->lambda && n->lambda->list.n == 1 &&
                literal_in(n->lambda->a, n->lambda->list.v[0]->sym, L);
    /* starts_with and ends_with alone look at the ends of each line: cheaper
     * than a search of every byte for a literal that may sit mid-line */
    return found && L->searched;
}

/* Whether consumer c of a line source may register a prefilter: a stage of
 * the table that does, unless its constant pattern holds no literal, a filter
 * whose function needs a literal in the line, or an extern proc, whose C may. */
static bool may_prefilter(const Dag *dag, const DagNode *c)
{
    PlanLits L;
    if (c->kind == SK_EXTERN || plan_filter_literal(dag, c, &L))
        return true;
    if (!has(c, SF_PREFILTER))
        return false;
    const Node *a = c->args[0];
    if (a->kind != N_STR)
        return true; /* a parameter: the runtime sees whether it is a literal */
    if (c->row->arg_kinds[0] == A_REGEX)
        return pipe_regex_is_literal(a->str);
    return a->str.n > 0 && !memchr(a->str.p, '\n', a->str.n);
}

/* The decisions about the items leaving source n for its only consumer c:
 * lines passed verbatim to a plain str sink, a prefilter of c's, or a tail's
 * lines read from the end of the file. */
static void plan_source(const Dag *dag, DagNode *n, DagNode *c)
{
    if (!c || !has(n, SF_LINES))
        return;
    if (c->kind == SK_SINK && has(c, SF_LINES) && c->in->kind == T_STR)
        n->plan |= PIPE_PLAN_COPY;
    else if (c->nins == 1 && c->on_error == OE_STOP && may_prefilter(dag, c))
        n->plan |= PIPE_PLAN_PREFILTER;
    else if (c->on_error == OE_STOP && n->on_error == OE_STOP && c->kind == SK_STD && !strcmp(c->std, "tail"))
        n->plan |= PIPE_PLAN_TAIL;
    else
        return;
    n->partner = c;
}

/* sort | top, neither with an error policy and top's key total: top breaks
 * its ties by the sort's key, so that nothing needs sorting. */
static void plan_sort(DagNode *n, DagNode *c)
{
    if (!c || n->kind != SK_STD || strcmp(n->std, "sort") || c->kind != SK_STD || strcmp(c->std, "top") ||
        n->on_error != OE_STOP || c->on_error != OE_STOP || (c->lambda && !cannot_fail(c->lambda->a)))
        return;
    n->plan |= PIPE_PLAN_FUSE_TOP;
    n->partner = c;
}

bool plan_calls_field(const Node *e)
{
    if (!e)
        return false;
    if ((e->kind == N_CALL && e->name && !strcmp(e->name, "field")) || (e->opt & OPT_WORD_INDEX))
        return true;
    if (plan_calls_field(e->a) || plan_calls_field(e->b) || plan_calls_field(e->c))
        return true;
    for (int i = 0; i < e->list.n; i++)
        if (plan_calls_field(e->list.v[i]))
            return true;
    return false;
}

/* Why proc d may not run in parallel, or NULL: state, or code at its start or
 * end, ties it to one thread. */
static const char *proc_serial(PipeArena *a, const Node *d)
{
    const char *why = NULL;
    for (int i = 0; i < d->list.n && !why; i++) {
        const Node *m = d->list.v[i];
        if (m->kind == N_STATE)
            why = "keeps state";
        else if (m->kind == N_ON && !m->name)
            why = "runs code at its start or end";
    }
    if (!why)
        return NULL;
    char buf[256];
    snprintf(buf, sizeof buf, "%sproc '%s' %s", why[0] == 'k' ? "stateful: " : "", d->name, why);
    return ast_strdup(a, buf, strlen(buf));
}

/* Why n may not run on several threads at once, or NULL when it may: it is
 * stateless and keeps the order of its items (the table's flags). */
static const char *serial(PipeArena *a, const DagNode *n)
{
    char buf[256];
    switch (n->kind) {
    case SK_SOURCE: return !strcmp(n->std, "stdin") ? "reads stdin" : "a source: reads its input in order";
    case SK_SINK: return "a sink: writes in order";
    case SK_DEAD: return "dead letters: fed by error policies";
    case SK_EXTERN:
        snprintf(buf, sizeof buf, "extern proc '%s': its C may keep state", n->decl->name);
        return ast_strdup(a, buf, strlen(buf));
    case SK_PROC: return proc_serial(a, n->decl);
    default: break;
    }
    if (has(n, SF_STATEFUL))
        snprintf(buf, sizeof buf, "stateful: %s keeps state", n->std);
    else if (!has(n, SF_ORDERED))
        snprintf(buf, sizeof buf, "%s does not keep order", n->std);
    else
        return NULL;
    return ast_strdup(a, buf, strlen(buf));
}

void plan_dag(PipeArena *a, Dag *dag)
{
    Around A;
    around_init(&A, dag);
    for (int i = 0; i < dag->n; i++) {
        DagNode *n = dag->nodes[i];
        n->plan = 0;
        n->partner = NULL;
        if (n->kind == SK_SOURCE)
            plan_source(dag, n, only_out(&A, n));
        plan_sort(n, only_out(&A, n));
        if (n->lambda && plan_calls_field(n->lambda->a))
            n->plan |= PLAN_FIELD_MEMO;
        n->serial = serial(a, n);
        if (!n->serial)
            n->plan |= PLAN_PARALLEL;
    }
    free(A.nouts);
    free(A.out);
}

/* ------------------------------------------------------------------ printing */

static const struct { unsigned flag; const char *c; } runtime_flags[] = {
    {PIPE_PLAN_COPY, "PIPE_PLAN_COPY"},
    {PIPE_PLAN_PREFILTER, "PIPE_PLAN_PREFILTER"},
    {PIPE_PLAN_FUSE_TOP, "PIPE_PLAN_FUSE_TOP"},
    {PIPE_PLAN_TAIL, "PIPE_PLAN_TAIL"},
};

const char *plan_runtime_c(unsigned plan, char *buf, size_t max)
{
    size_t k = 0;
    buf[0] = 0;
    for (size_t i = 0; i < sizeof runtime_flags / sizeof runtime_flags[0] && k < max; i++)
        if (plan & runtime_flags[i].flag)
            k += (size_t)snprintf(buf + k, max - k, "%s%s", k ? " | " : "", runtime_flags[i].c);
    return buf;
}

/* The prefilter of source n, as the plan prints it. */
static void write_prefilter(const Dag *dag, const DagNode *n, FILE *out)
{
    const DagNode *c = n->partner;
    const Node *lit = c->kind == SK_STD ? c->args[0] : NULL;
    PlanLits L;
    fputs(", prefilter", out);
    if (plan_filter_literal(dag, c, &L))
        for (int i = 0; i < L.n; i++)
            fprintf(out, "%s\"%.*s\"", i ? " or " : " ", (int)L.v[i].n, L.v[i].p);
    else if (lit && lit->kind == N_STR)
        fprintf(out, " \"%.*s\"", (int)lit->str.n, lit->str.p);
    else
        fputs(c->kind == SK_STD ? " (when the pattern is a literal)" : " (when the proc names a literal)", out);
    fprintf(out, " for %d", c->id);
}

/* n's decisions, after its types. */
static void write_decisions(const Dag *dag, const DagNode *n, FILE *out)
{
    if (n->plan & PIPE_PLAN_COPY)
        fprintf(out, ", kernel-copy to %d", n->partner->id);
    if (n->plan & PIPE_PLAN_PREFILTER)
        write_prefilter(dag, n, out);
    if (n->plan & PIPE_PLAN_FUSE_TOP)
        fprintf(out, ", fused into top %d", n->partner->id);
    if (n->plan & PIPE_PLAN_TAIL)
        fprintf(out, ", reads from the end for %d", n->partner->id);
    if (n->plan & PLAN_FIELD_MEMO)
        fputs(", field-memo", out);
    opt_write(dag->opt, n->kind == SK_PROC ? n->decl : n->stage, out);
    if (n->serial)
        fprintf(out, ", parallel: no (%s)\n", n->serial);
    else
        fputs(", parallel: yes\n", out);
}

void plan_write(Sema *s, const Dag *dag, FILE *out)
{
    for (int i = 0; i < dag->n; i++) {
        DagNode *n = dag->nodes[i];
        char text[64];
        graph_stage_text(s, n, text, sizeof text);
        fprintf(out, "%d %d:%d %s: %s -> %s", n->id, n->stage->loc.line, n->stage->loc.col, text,
                n->in ? type_name(s->arena, n->in) : "-", n->out ? type_name(s->arena, n->out) : "-");
        if (n->inst >= 0)
            fprintf(out, ", in proc '%s'", dag->insts[n->inst].decl->name);
        write_decisions(dag, n, out);
    }
    opt_write_fns(dag->opt, out);
}
