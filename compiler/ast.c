/* ast.c — construction of syntax-tree nodes in the compilation's arena, the
 * names of node kinds and operators, and the S-expression dump used by tests. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"

static const char *const kind_names[] = {
#define AST_NAME(k, s) s,
    AST_KINDS(AST_NAME)
#undef AST_NAME
};

static const char *const op_names[] = {
#define AST_OP_NAME(o, s) s,
    AST_OPS(AST_OP_NAME)
#undef AST_OP_NAME
};

Node *ast_new(PipeArena *a, NodeKind kind, Loc loc)
{
    Node *n = pipe_alloc(a, sizeof *n);
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->loc = loc;
    return n;
}

Node *ast_arg(const Node *call, int i)
{
    Node *x = call->list.v[i];
    return x->kind == N_ARG ? x->a : x;
}

void ast_push(PipeArena *a, NodeList *l, Node *n)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 4;
        Node **v = pipe_alloc(a, (size_t)cap * sizeof *v);
        if (l->n)
            memcpy(v, l->v, (size_t)l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = n;
}

const char *ast_kind_name(NodeKind k)
{
    return (unsigned)k < N__COUNT ? kind_names[k] : "?";
}

const char *ast_op_name(Op op)
{
    return (unsigned)op < sizeof op_names / sizeof op_names[0] ? op_names[op] : "?";
}

Loc ast_span(const Node *n)
{
    switch (n->kind) {
    case N_IMPORT: case N_PROC: case N_EXTERN: case N_PIPELINE: case N_RECORD: case N_STATE: case N_LET:
        return n->span;
    default:
        return n->loc;
    }
}

Loc loc_join(Loc from, Loc to)
{
    Loc l = from;
    if (to.end > l.end)
        l.end = to.end;
    return l;
}

char *ast_strdup(PipeArena *a, const char *s, size_t n)
{
    char *p = pipe_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* ------------------------------------------------------------------ dump */
/* `(kind name name2 literal/op a b c list...)`: kinds are the X-macro names
 * with '-' for ' ' (`expression-statement`); an absent slot prints `_` when a
 * later one is present; procs print `composite`/`stateful`, params, IN, OUT;
 * a lambda prints its parameters before its body; `(on end ...)` for on end.
 * Statements and declarations start indented lines, expressions stay inline:
 *   (proc running_total stateful (type-name int) (type-name int)
 *     (state total _ (integer 0))
 *     (on x
 *       (block
 *         (assignment += (name total) (name x)))))            */

/* Statement-like kinds start a new, indented line in the dump; expressions and
 * types stay inline, so a dump reads like the program's outline. */
static bool dump_on_own_line(NodeKind k)
{
    switch (k) {
    case N_IMPORT: case N_PROC: case N_EXTERN: case N_PIPELINE: case N_RECORD: case N_BIND:
    case N_FLOW: case N_STATE: case N_ON: case N_BLOCK: case N_LET:
    case N_ASSIGN: case N_IF: case N_FOR: case N_WHILE: case N_EMIT:
    case N_EXPR_STMT:
        return true;
    default:
        return false;
    }
}

static void dump_kind(FILE *f, NodeKind k)
{
    for (const char *s = ast_kind_name(k); *s; s++)
        fputc(*s == ' ' ? '-' : *s, f);
}

static void dump_bytes(FILE *f, const char *p, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        switch (c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        case '\r': fputs("\\r", f); break;
        default:
            if (c < 0x20 || c == 0x7f)
                fprintf(f, "\\x%02X", c);
            else
                fputc(c, f);
        }
    }
    fputc('"', f);
}

/* The shortest %g form that reads back as the same double. */
static void dump_float(FILE *f, double v)
{
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    /* keep a float recognisable as one in the dump */
    fputs(buf, f);
    if (!strpbrk(buf, ".eEn"))
        fputs(".0", f);
}

static void dump_node(Node *n, FILE *f, bool with_loc, int depth);

static void dump_child(Node *parent, Node *c, FILE *f, bool with_loc, int depth)
{
    if (c && dump_on_own_line(c->kind) && parent->kind != N_BIND) {
        fprintf(f, "\n%*s", 2 * (depth + 1), "");
    } else {
        fputc(' ', f);
    }
    if (c)
        dump_node(c, f, with_loc, depth + 1);
    else
        fputc('_', f);
}

/* Prints slots in order; an absent slot is `_` unless every later one is
 * absent too. */
static void dump_slots(Node *n, Node **slots, int count, FILE *f, bool with_loc, int depth)
{
    int last = count - 1;
    while (last >= 0 && !slots[last])
        last--;
    for (int i = 0; i <= last; i++)
        dump_child(n, slots[i], f, with_loc, depth);
}

static void dump_list(Node *n, NodeList *l, FILE *f, bool with_loc, int depth)
{
    for (int i = 0; i < l->n; i++)
        dump_child(n, l->v[i], f, with_loc, depth);
}

static void dump_node(Node *n, FILE *f, bool with_loc, int depth)
{
    fputc('(', f);
    dump_kind(f, n->kind);
    if (with_loc)
        fprintf(f, "@%d:%d", n->loc.line, n->loc.col);
    if (n->name)
        fprintf(f, " %s", n->name);
    else if (n->kind == N_ON)
        fputs(n->on_start ? " start" : " end", f);
    if (n->name2)
        fprintf(f, " %s", n->name2);
    switch (n->kind) {
    case N_FILE:
    case N_IMPORT:
    case N_EXTERN:
    case N_STR:
        fputc(' ', f);
        dump_bytes(f, n->str.p, n->str.n);
        break;
    case N_INT:
        fprintf(f, " %" PRId64, n->ival);
        break;
    case N_FLOAT:
        fputc(' ', f);
        dump_float(f, n->fval);
        break;
    case N_BOOL:
        fputs(n->bval ? " true" : " false", f);
        break;
    case N_BINARY:
    case N_UNARY:
        fprintf(f, " %s", ast_op_name(n->op));
        break;
    case N_ASSIGN:
        fprintf(f, " %s%s", n->op == OP_SET ? "" : ast_op_name(n->op), "=");
        break;
    case N_PROC:
        fputs(n->form == PROC_STATEFUL ? " stateful" : " composite", f);
        break;
    default:
        break;
    }
    if (n->kind == N_PROC || n->kind == N_EXTERN || n->kind == N_PIPELINE || n->kind == N_FN)
        dump_list(n, &n->params, f, with_loc, depth);
    if (n->kind == N_FN)
        dump_child(n, n->out, f, with_loc, depth);
    if (n->kind == N_PROC || n->kind == N_EXTERN) {
        dump_child(n, n->has_in ? n->in : NULL, f, with_loc, depth);
        dump_child(n, n->has_out ? n->out : NULL, f, with_loc, depth);
    }
    if (n->kind == N_LAMBDA) {
        dump_list(n, &n->list, f, with_loc, depth);
        dump_child(n, n->a, f, with_loc, depth);
    } else {
        Node *slots[3] = {n->a, n->b, n->c};
        dump_slots(n, slots, 3, f, with_loc, depth);
        if (n->kind == N_FIELD && !n->name)
            fprintf(f, " %d", n->field);
        dump_list(n, &n->list, f, with_loc, depth);
    }
    fputc(')', f);
}

void ast_dump(Node *n, FILE *f, bool with_loc)
{
    if (n)
        dump_node(n, f, with_loc, 0);
    else
        fputs("_", f);
    fputc('\n', f);
}
