/* emit.c — writes the C program of a lowered pipeline: types and their runtime
 * descriptors, one push function per inlined stage, stateful procs, and build(). */
#include "emit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "builtins.h"
#include "embed.h"
#include "opt.h"
#include "plan.h"
#include "rt_impl.h"
#include "safe.h"
#include "sha256.h"
#include "version.h"

/* ------------------------------------------------------------------ context */

/* A type the program uses, by its id in Emit.types: its C name ("ty7": a
 * tuple's struct, with descriptor td_ty7), and whether its typedef and
 * descriptor are to be written. */
typedef struct TypeEntry {
    const char *cname;
    const Type *type;
    bool used;
} TypeEntry;

typedef struct Emit {
    Sema *s;
    Dag *dag;
    const char *script;
    const char *c_name; /* the C file's name for the first comment, or NULL */
    Buf decls; /* type declarations: params, envs, extern procs */
    Buf run;   /* fields of Run_, a run's state: regexes, envs, key nodes */
    Buf funcs; /* node functions */
    Buf build; /* the body of build() */
    TypeTab *types; /* one id per type structure */
    TypeEntry *tys; /* by id */
    int ntys;
    int tmp;           /* counter for unique temporaries */
    NameMap procs_done; /* stateful procs already emitted, by name (unique) */
    int nregex;
    const char *self;   /* C expression of the current PipeNode *, for errors */
    bool in_proc;       /* emitting a stateful proc: its maps count toward its budget */
    bool field_at;      /* the function being emitted has a PipeFieldAt fa_ */
    const Type *emit_type; /* the OUT of the proc being emitted */
    Buf fnprotos;       /* prototypes of the script's fns */
    bool in_fn;         /* emitting a fn's body: a call passes its depth on */
    const Type *ret_type; /* ... and its result type */
} Emit;

static const char *tmpname(Emit *E, char *buf, size_t n)
{
    snprintf(buf, n, "t%d_", ++E->tmp);
    return buf;
}

/* ------------------------------------------------------------------ types */

static const char *ctype(Emit *E, const Type *t);

/* The entry of t's id, made on first sight (its C name from the id alone: a
 * printed type name can be cut short, so two types could share it). */
static TypeEntry *entry(Emit *E, const Type *t)
{
    int id = type_id(E->types, t);
    if (id >= E->ntys) {
        int n = type_tab_count(E->types);
        E->tys = realloc(E->tys, sizeof *E->tys * (size_t)n);
        memset(E->tys + E->ntys, 0, sizeof *E->tys * (size_t)(n - E->ntys));
        E->ntys = n;
    }
    TypeEntry *te = &E->tys[id];
    if (!te->cname) {
        char buf[32];
        snprintf(buf, sizeof buf, "ty%d", id);
        te->cname = ast_strdup(E->s->arena, buf, strlen(buf));
        te->type = t;
    }
    return te;
}

/* The C name of t: its struct for a tuple, else the suffix of td_NAME. */
static const char *type_cname(Emit *E, const Type *t)
{
    return entry(E, t)->cname;
}

/* Registers t (and its parts first) so that its typedef and descriptor are
 * emitted.  Ids number parts before wholes, so writing the used entries in
 * id order defines every part before its use. */
static void use_type(Emit *E, const Type *t)
{
    if (t->kind <= T_BOOL || t->kind == T_EMPTY_LIST || t->kind == T_VOID || t->kind == T_NONE)
        return;
    if (entry(E, t)->used)
        return;
    for (int i = 0; i < type_nparts(t); i++)
        use_type(E, t->elems[i]);
    entry(E, t)->used = true; /* again: the parts may have moved E->tys */
}

static const char *tdesc(Emit *E, const Type *t);
static void c_quoted(Buf *b, const char *p, size_t n);

static const char *ctype(Emit *E, const Type *t)
{
    switch (t->kind) {
    case T_STR: return "PipeStr";
    case T_INT: return "int64_t";
    case T_FLOAT: return "double";
    case T_BOOL: return "bool";
    case T_TUPLE:
    case T_RECORD:
    case T_OPT: use_type(E, t); return type_cname(E, t);
    case T_LIST:
    case T_EMPTY_LIST: return "PipeList *";
    case T_MAP:
    case T_SET: return "PipeMap *";
    default: return "int64_t";
    }
}

/* The C expression of t's runtime descriptor (a PipeType *). */
static const char *tdesc(Emit *E, const Type *t)
{
    switch (t->kind) {
    case T_STR: return "&pipe_t_str";
    case T_INT: return "&pipe_t_int";
    case T_FLOAT: return "&pipe_t_float";
    case T_BOOL: return "&pipe_t_bool";
    default: break;
    }
    use_type(E, t);
    char buf[300];
    snprintf(buf, sizeof buf, "&td_%s", type_cname(E, t));
    return ast_strdup(E->s->arena, buf, strlen(buf));
}

/* The descriptor of tuple or record t (C name m): field types and offsets,
 * and a record's name and field names. */
static void write_fields(Emit *E, Buf *b, const Type *t, const char *m)
{
    buf_printf(b, "static const PipeType *const td_%s_f[] = {", m);
    for (int j = 0; j < t->n; j++)
        buf_printf(b, "%s%s", j ? ", " : "", tdesc(E, t->elems[j]));
    buf_printf(b, "};\nstatic const uint32_t td_%s_o[] = {", m);
    for (int j = 0; j < t->n; j++)
        buf_printf(b, "%sPIPE_OFFSETOF(%s, f%d)", j ? ", " : "", m, j);
    buf_printf(b, "};\n");
    if (t->kind == T_TUPLE) {
        buf_printf(b, "static const PipeType td_%s = {PIPE_K_TUPLE, sizeof(%s), __alignof__(%s), %d, td_%s_f, "
                      "td_%s_o, 0, 0, 0, 0};\n", m, m, m, t->n, m, m);
        return;
    }
    buf_printf(b, "static const char *const td_%s_n[] = {", m);
    for (int j = 0; j < t->n; j++) {
        buf_printf(b, "%s", j ? ", " : "");
        c_quoted(b, t->field_names[j], strlen(t->field_names[j]));
    }
    buf_printf(b, "};\nstatic const PipeType td_%s = {PIPE_K_RECORD, sizeof(%s), __alignof__(%s), %d, td_%s_f, "
                  "td_%s_o, 0, 0, ", m, m, m, t->n, m, m);
    c_quoted(b, t->name, strlen(t->name));
    buf_printf(b, ", td_%s_n};\n", m);
}

/* Writes every registered type: typedefs first, then descriptors. */
static void write_types(Emit *E, Buf *out)
{
    Buf b = {0};
    /* typedefs, in id order (parts before wholes), each with its type's name */
    for (int i = 0; i < E->ntys; i++) {
        const Type *t = E->tys[i].type;
        const char *m = E->tys[i].cname;
        if (!E->tys[i].used || (t->kind != T_TUPLE && t->kind != T_RECORD && t->kind != T_OPT))
            continue;
        buf_printf(&b, "/* %s */\ntypedef struct %s {", type_name(E->s->arena, t), m);
        if (t->kind == T_OPT) /* docs/pipe.md, "Records in the runtime" */
            buf_printf(&b, " %s v; bool some;", ctype(E, t->elems[0]));
        for (int j = 0; t->kind != T_OPT && j < t->n; j++)
            buf_printf(&b, " %s f%d;", ctype(E, t->elems[j]), j);
        buf_printf(&b, " } %s;\n", m);
    }
    for (int i = 0; i < E->ntys; i++)
        if (E->tys[i].used)
            buf_printf(&b, "static const PipeType td_%s;\n", E->tys[i].cname);
    for (int i = 0; i < E->ntys; i++) {
        const Type *t = E->tys[i].type;
        const char *m = E->tys[i].cname;
        if (!E->tys[i].used)
            continue;
        switch (t->kind) {
        case T_TUPLE:
        case T_RECORD:
            write_fields(E, &b, t, m);
            break;
        case T_OPT:
            buf_printf(&b,
                       "static const PipeType td_%s = {PIPE_K_OPT, sizeof(%s), __alignof__(%s), 0, 0, 0, %s, 0, 0, "
                       "0};\n",
                       m, m, m, tdesc(E, t->elems[0]));
            break;
        case T_LIST:
            buf_printf(
                &b,
                "static const PipeType td_%s = {PIPE_K_LIST, sizeof(PipeList *), __alignof__(PipeList *), 0, 0, 0, %s, "
                "0};\n",
                m, tdesc(E, t->elems[0]));
            break;
        case T_SET:
            buf_printf(
                &b,
                "static const PipeType td_%s = {PIPE_K_SET, sizeof(PipeMap *), __alignof__(PipeMap *), 0, 0, 0, %s, "
                "0};\n",
                m, tdesc(E, t->elems[0]));
            break;
        case T_MAP:
            buf_printf(
                &b,
                "static const PipeType td_%s = {PIPE_K_MAP, sizeof(PipeMap *), __alignof__(PipeMap *), 0, 0, 0, %s, "
                "%s};\n",
                m, tdesc(E, t->elems[0]), tdesc(E, t->elems[1]));
            break;
        default:
            break;
        }
    }
    buf_add(out, b.p ? b.p : "", b.n);
    free(b.p);
}

/* ------------------------------------------------------------------ names */

static void cname(Emit *E, Buf *b, Sym *y)
{
    (void)E;
    switch (y->kind) {
    case SYM_PARAM: buf_printf(b, "R_->P.p_%s", y->name); break;
    case SYM_ENV: buf_printf(b, "ENV->e_%s", y->name); break;
    case SYM_PROC_PARAM: buf_printf(b, "self->p_%s", y->name); break;
    case SYM_STATE: buf_printf(b, "self->s_%s", y->name); break;
    case SYM_LOCAL: buf_printf(b, "v_%s_%d", y->name, y->id); break;
    case SYM_STREAM: buf_printf(b, "0 /* stream %s */", y->name); break;
    }
}

/* Writes bytes p[0..n) as a C string literal, quotes included.  '?' is escaped
 * so that no trigraph can form; other bytes outside printable ASCII as octal. */
static void c_quoted(Buf *b, const char *p, size_t n)
{
    buf_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '"' || c == '\\')
            buf_printf(b, "\\%c", c);
        else if (c >= 32 && c < 127 && c != '?')
            buf_add(b, (const char *)&c, 1);
        else
            buf_printf(b, "\\%03o", c);
    }
    buf_add(b, "\"", 1);
}

static void str_lit(Buf *b, PipeStr s)
{
    buf_printf(b, "((PipeStr){");
    c_quoted(b, s.p, s.n);
    buf_printf(b, ", %zu})", s.n);
}

static const char *file_of(Emit *E, Loc loc)
{
    const SrcFile *f = diag_file(E->s->diag, loc.file);
    return f ? f->path : E->script;
}

static void line_dir(Emit *E, Buf *b, Loc loc)
{
    const char *path = file_of(E, loc);
    buf_printf(b, "\n#line %d ", loc.line);
    c_quoted(b, path, strlen(path));
    buf_printf(b, "\n");
}

static void pos_lit(Emit *E, Buf *b, Loc loc)
{
    const char *path = file_of(E, loc);
    buf_printf(b, "((PipePos){");
    c_quoted(b, path, strlen(path));
    buf_printf(b, ", %d, %d})", loc.line, loc.col);
}

/* ------------------------------------------------------------------ expressions */

static void ex(Emit *E, Buf *b, Node *e);

/* A new empty map or set of type t; in a proc, one that counts toward the
 * proc's memory budget (--mem-limit). */
static void map_new(Emit *E, Buf *b, const Type *t)
{
    if (E->in_proc)
        buf_printf(b, "pipe_map_new_in(self_, ");
    else
        buf_printf(b, "pipe_map_new(");
    if (t->kind == T_MAP)
        buf_printf(b, "%s, %s)", tdesc(E, t->elems[0]), tdesc(E, t->elems[1]));
    else
        buf_printf(b, "%s, 0)", tdesc(E, t->elems[0]));
}

/* The zero value of t: what a missing map key or list index reads as. */
static void zero(Emit *E, Buf *b, const Type *t)
{
    switch (t->kind) {
    case T_STR: buf_printf(b, "((PipeStr){\"\", 0})"); break;
    case T_INT: buf_printf(b, "((int64_t)0)"); break;
    case T_FLOAT: buf_printf(b, "((double)0)"); break;
    case T_BOOL: buf_printf(b, "((bool)0)"); break;
    case T_OPT:
        buf_printf(b, "((%s){0})", ctype(E, t));
        break;
    case T_TUPLE:
    case T_RECORD: {
        buf_printf(b, "((%s){", ctype(E, t));
        for (int i = 0; i < t->n; i++) {
            if (i)
                buf_printf(b, ", ");
            zero(E, b, t->elems[i]);
        }
        buf_printf(b, "})");
        break;
    }
    case T_LIST: buf_printf(b, "pipe_list_new(S, sizeof(%s), 0)", ctype(E, t->elems[0])); break;
    case T_MAP:
    case T_SET:
        map_new(E, b, t);
        break;
    default: buf_printf(b, "0"); break;
    }
}

static bool is_container(const Type *t)
{
    return t->kind == T_LIST || t->kind == T_MAP || t->kind == T_SET;
}

/* An empty container owned by the heap, for a map entry or state that holds
 * it; in a proc, a list whose memory counts toward the proc's --mem-limit. */
static void owned_empty(Emit *E, Buf *b, const Type *t)
{
    if (t->kind == T_LIST && E->in_proc)
        buf_printf(b, "pipe_list_adopt(self_, pipe_list_new(0, sizeof(%s), 0), %s)", ctype(E, t->elems[0]),
                   tdesc(E, t->elems[0]));
    else if (t->kind == T_LIST)
        buf_printf(b, "pipe_list_new(0, sizeof(%s), 0)", ctype(E, t->elems[0]));
    else
        zero(E, b, t); /* maps and sets are heap-owned already */
}

/* In a proc, the heap list that the owned place pre+name (of type t) now
 * holds counts toward the proc's --mem-limit. */
static void adopt_owned(Emit *E, Buf *b, const Type *t, const char *pre, const char *name)
{
    if (E->in_proc && t->kind == T_LIST)
        buf_printf(b, " pipe_list_adopt(self_, %s%s, %s);", pre, name, tdesc(E, t->elems[0]));
}

/* A value of type t kept beyond the current item needs its own copy. */
static bool needs_clone(const Type *t)
{
    if (t->kind == T_OPT)
        return needs_clone(t->elems[0]);
    return t->kind == T_STR || t->kind == T_TUPLE || t->kind == T_RECORD || is_container(t);
}

/* e converted to float when it is an int (numeric promotion), and to a T?
 * when want is one and e is a T or none. */
static void ex_as(Emit *E, Buf *b, Node *e, const Type *want)
{
    if (want && want->kind == T_OPT && e->type && e->type->kind != T_OPT && e->type->kind != T_ERROR) {
        if (e->type->kind == T_NONE) {
            zero(E, b, want);
            return;
        }
        buf_printf(b, "((%s){", ctype(E, want));
        ex_as(E, b, e, want->elems[0]);
        buf_printf(b, ", 1})");
        return;
    }
    if (want && want->kind == T_FLOAT && e->type && e->type->kind == T_INT) {
        buf_printf(b, "((double)");
        ex(E, b, e);
        buf_printf(b, ")");
        return;
    }
    ex(E, b, e);
}

static void compare(Emit *E, Buf *b, Node *e)
{
    const Type *x = e->a->type, *y = e->b->type;
    const char *op = ast_op_name(e->op);
    if (x->kind == T_NONE || y->kind == T_NONE) { /* x == none, x != none */
        Node *v = x->kind == T_NONE ? e->b : e->a;
        if (v->type->kind != T_OPT) {
            buf_printf(b, "((bool)%d)", e->op == OP_EQ);
            return;
        }
        buf_printf(b, "(%s(", e->op == OP_EQ ? "!" : "");
        ex(E, b, v);
        buf_printf(b, ").some)");
        return;
    }
    if (type_is_num(x) && type_is_num(y)) {
        const Type *w = (x->kind == T_FLOAT || y->kind == T_FLOAT) ? TY_FLOAT : NULL;
        buf_printf(b, "(");
        ex_as(E, b, e->a, w);
        buf_printf(b, " %s ", op);
        ex_as(E, b, e->b, w);
        buf_printf(b, ")");
        return;
    }
    if (x->kind == T_BOOL) {
        buf_printf(b, "((int)(");
        ex(E, b, e->a);
        buf_printf(b, ") %s (int)(", op);
        ex(E, b, e->b);
        buf_printf(b, "))");
        return;
    }
    if (x->kind == T_STR) {
        if (e->op == OP_EQ || e->op == OP_NE) {
            buf_printf(b, "(%spipe_str_eq(", e->op == OP_NE ? "!" : "");
            ex(E, b, e->a);
            buf_printf(b, ", ");
            ex(E, b, e->b);
            buf_printf(b, "))");
        } else {
            buf_printf(b, "(pipe_str_cmp(");
            ex(E, b, e->a);
            buf_printf(b, ", ");
            ex(E, b, e->b);
            buf_printf(b, ") %s 0)", op);
        }
        return;
    }
    const Type *t = x->kind == T_EMPTY_LIST || (y->kind == T_OPT && x->kind != T_OPT) ? y : x;
    char ta[16], tb[16];
    tmpname(E, ta, sizeof ta);
    tmpname(E, tb, sizeof tb);
    buf_printf(b, "({ %s %s = ", ctype(E, t), ta);
    ex_as(E, b, e->a, t);
    buf_printf(b, "; %s %s = ", ctype(E, t), tb);
    ex_as(E, b, e->b, t);
    buf_printf(b, "; pipe_cmp(%s, &%s, &%s) %s 0; })", tdesc(E, t), ta, tb, op);
}

/* The left operand of e: the temporary `acc` (a chain's value so far, of
 * e's type) when given, else e->a as type want. */
static void left(Emit *E, Buf *b, Node *e, const Type *want, const char *acc)
{
    if (acc)
        buf_printf(b, "%s", acc);
    else
        ex_as(E, b, e->a, want);
}

/* The C function of int operator op (see pipe.h): each reports overflow, and
 * / and % division by zero, as a runtime error of the current stage. */
static const char *int_fn(Op op)
{
    switch (op) {
    case OP_ADD: return "pipe_iadd";
    case OP_SUB: return "pipe_isub";
    case OP_MUL: return "pipe_imul";
    case OP_DIV: return "pipe_idiv";
    default: return "pipe_imod";
    }
}

/* An int + - * / %: a call of its checked function, never C's operator (whose
 * overflow is undefined, so cc -O2 and tcc could disagree). */
static void int_op(Emit *E, Buf *b, Node *e, const char *acc)
{
    buf_printf(b, "%s(%s, ", int_fn(e->op), E->self);
    left(E, b, e, NULL, acc);
    buf_printf(b, ", ");
    ex(E, b, e->b);
    buf_printf(b, ")");
}

static void binary_op(Emit *E, Buf *b, Node *e, const char *acc);
static const char *elem_ctype(Emit *E, const Type *t);

/* `a ?? b`: a's value when it has one, else b (evaluated only then). */
static void coalesce(Emit *E, Buf *b, Node *e)
{
    const Type *x = e->a->type;
    if (x->kind != T_OPT) { /* none ?? b */
        ex_as(E, b, e->b, e->type);
        return;
    }
    char t[16];
    tmpname(E, t, sizeof t);
    buf_printf(b, "({ %s %s = ", ctype(E, x), t);
    ex(E, b, e->a);
    if (e->type->kind == T_OPT)
        buf_printf(b, "; %s.some ? %s : ", t, t);
    else if (e->type->kind == T_FLOAT && x->elems[0]->kind == T_INT)
        buf_printf(b, "; %s.some ? (double)%s.v : ", t, t);
    else
        buf_printf(b, "; %s.some ? %s.v : ", t, t);
    ex_as(E, b, e->b, e->type);
    buf_printf(b, "; })");
}

/* A chain of left-associative operators nests in C as deep as it is long:
 * libtcc's value stack overflows after some hundred pending calls (str +,
 * int /) and its parser after some thousand parentheses.  So a chain is a
 * temporary updated left to right, `c = c + x` per link (a new one where the
 * type turns from int to float); `c = c && x` keeps `and` and `or` lazy. */
static void chain(Emit *E, Buf *b, Node *e)
{
    int n = 1;
    for (Node *x = e; sema_chain_link(x, x->a); x = x->a)
        n++;
    Node **links = malloc(sizeof *links * (size_t)n);
    links[0] = e;
    for (int k = 1; k < n; k++)
        links[k] = links[k - 1]->a;
    const Type *t = links[n - 1]->type;
    char acc[16];
    tmpname(E, acc, sizeof acc);
    buf_printf(b, "({ %s %s = ", ctype(E, t), acc);
    ex_as(E, b, links[n - 1]->a, t);
    for (int k = n - 1; k >= 0; k--) {
        if (!type_eq(links[k]->type, t)) {
            char prev[16];
            memcpy(prev, acc, sizeof acc);
            t = links[k]->type;
            tmpname(E, acc, sizeof acc);
            buf_printf(b, "; %s %s = (%s)%s", ctype(E, t), acc, ctype(E, t), prev);
        }
        buf_printf(b, "; %s = ", acc);
        binary_op(E, b, links[k], acc);
    }
    buf_printf(b, "; %s; })", acc);
    free(links);
}

/* A chain of str + that the optimizer marked (opt.c): every part into an
 * array, left to right, then one allocation for the whole. */
static void concat_chain(Emit *E, Buf *b, Node *e)
{
    int n = 1;
    for (Node *x = e; sema_chain_link(x, x->a) && x->op == OP_ADD; x = x->a)
        n++;
    Node **parts = malloc(sizeof *parts * (size_t)n);
    Node *x = e;
    for (int k = n - 1; k > 0; k--, x = x->a)
        parts[k] = x->b;
    parts[0] = x;
    char v[16];
    tmpname(E, v, sizeof v);
    buf_printf(b, "({ PipeStr %s[%d]; ", v, n);
    for (int k = 0; k < n; k++) {
        buf_printf(b, "%s[%d] = ", v, k);
        ex(E, b, parts[k]);
        buf_printf(b, "; ");
    }
    buf_printf(b, "pipe_concat_n(S, %s, %d); })", v, n);
    free(parts);
}

static void binary(Emit *E, Buf *b, Node *e)
{
    if (e->opt & OPT_CONCAT)
        concat_chain(E, b, e);
    else if (sema_chain_link(e, e->a))
        chain(E, b, e);
    else
        binary_op(E, b, e, NULL);
}

/* The offset of str needle in hay (or -1), as pipe_find: a literal needle's
 * rarest byte, which the search looks for first, is chosen now, not per call. */
static void str_find(Emit *E, Buf *b, Node *hay, Node *needle)
{
    if (needle->kind == N_STR && needle->str.n > 0) {
        buf_printf(b, "pipe_find_rare(");
        ex(E, b, hay);
        buf_printf(b, ", ");
        str_lit(b, needle->str);
        buf_printf(b, ", %zu)", pipe_rare_index(needle->str.p, needle->str.n));
        return;
    }
    buf_printf(b, "pipe_find(");
    ex(E, b, hay);
    buf_printf(b, ", ");
    ex(E, b, needle);
    buf_printf(b, ")");
}

/* e's operator applied to its operands, the left one being acc when given. */
static void binary_op(Emit *E, Buf *b, Node *e, const char *acc)
{
    const Type *t = e->type;
    switch (e->op) {
    case OP_ADD:
        if (t->kind == T_LIST || t->kind == T_EMPTY_LIST) {
            buf_printf(b, "pipe_list_concat(S, sizeof(%s), ", elem_ctype(E, t));
            left(E, b, e, NULL, acc);
            buf_printf(b, ", ");
            ex(E, b, e->b);
            buf_printf(b, ")");
            return;
        }
        if (t->kind == T_STR) {
            buf_printf(b, "pipe_concat(S, ");
            left(E, b, e, NULL, acc);
            buf_printf(b, ", ");
            ex(E, b, e->b);
            buf_printf(b, ")");
            return;
        }
        /* fall through */
    case OP_SUB:
    case OP_MUL:
        if (t->kind == T_INT) {
            int_op(E, b, e, acc);
            return;
        }
        buf_printf(b, "(");
        left(E, b, e, t, acc);
        buf_printf(b, " %s ", ast_op_name(e->op));
        ex_as(E, b, e->b, t);
        buf_printf(b, ")");
        return;
    case OP_DIV:
    case OP_MOD:
        if (t->kind == T_INT) {
            int_op(E, b, e, acc);
        } else {
            buf_printf(b, "(");
            left(E, b, e, t, acc);
            buf_printf(b, " / ");
            ex_as(E, b, e->b, t);
            buf_printf(b, ")");
        }
        return;
    case OP_COALESCE:
        coalesce(E, b, e);
        return;
    case OP_AND:
    case OP_OR:
        buf_printf(b, "(");
        left(E, b, e, NULL, acc);
        buf_printf(b, e->op == OP_AND ? " && " : " || ");
        ex(E, b, e->b);
        buf_printf(b, ")");
        return;
    case OP_IN: {
        const Type *ct = e->b->type;
        char tk[16], tc[16];
        tmpname(E, tk, sizeof tk);
        tmpname(E, tc, sizeof tc);
        if (ct->kind == T_STR && e->a->kind == N_STR && e->a->str.n > 0) {
            buf_printf(b, "(");
            str_find(E, b, e->b, e->a);
            buf_printf(b, " >= 0)");
        } else if (ct->kind == T_STR) {
            buf_printf(b, "({ PipeStr %s = ", tk);
            ex(E, b, e->a);
            buf_printf(b, "; pipe_contains(");
            ex(E, b, e->b);
            buf_printf(b, ", %s); })", tk);
        } else if (ct->kind == T_MAP || ct->kind == T_SET) {
            buf_printf(b, "({ %s %s = ", ctype(E, ct->elems[0]), tk);
            ex(E, b, e->a);
            buf_printf(b, "; pipe_map_has(");
            ex(E, b, e->b);
            buf_printf(b, ", &%s); })", tk);
        } else {
            const Type *el = ct->elems[0];
            buf_printf(b, "({ %s %s = ", ctype(E, el), tk);
            ex(E, b, e->a);
            buf_printf(b, "; PipeList *%s = ", tc);
            ex(E, b, e->b);
            buf_printf(b,
                       "; bool f_ = 0; for (size_t i_ = 0; i_ < %s->len && !f_; i_++) "
                       "f_ = pipe_eq(%s, &%s, (%s *)%s->data + i_); f_; })",
                       tc, tdesc(E, el), tk, ctype(E, el), tc);
        }
        return;
    }
    default:
        compare(E, b, e);
        return;
    }
}

/* A regex argument: a literal gets a field of the run compiled once at build
 * time; any other expression goes through a one-entry cache in the run. */
static void regex_arg(Emit *E, Buf *b, Node *e)
{
    int id = ++E->nregex;
    if (e->kind == N_STR) {
        buf_printf(&E->run, "    PipeRegex *re_%d;\n", id);
        buf_printf(&E->build, "    R_->re_%d = pipe_regex_new(rt_, 0, ", id);
        str_lit(&E->build, e->str);
        buf_printf(&E->build, ");\n");
        buf_printf(b, "pipe_regex_at(R_->re_%d, %s)", id, E->self);
    } else {
        buf_printf(&E->run, "    PipeRegexCache rc_%d;\n", id);
        buf_printf(b, "pipe_regex_cached(&R_->rc_%d, %s, ", id, E->self);
        ex(E, b, e);
        buf_printf(b, ")");
    }
}

static void fn_call(Emit *E, Buf *b, Node *e);

/* A call of a standard function: its row's hook, or its C function with the
 * scratch arena, the regex and the arguments in order (the row's C for an
 * absent optional one). */
static void call(Emit *E, Buf *b, Node *e)
{
    const Builtin *f = builtin_find(e->name);
    if (!f) {
        fn_call(E, b, e);
        return;
    }
    if (f->emit) {
        f->emit(E, b, e);
        return;
    }
    /* a str? result: the C function fills a PipeStr and says whether it is some */
    char v[16] = "";
    bool opt = f->result == F_STR_OPT;
    if (opt)
        buf_printf(b, "({ PipeStr %s; bool %s_some = ", tmpname(E, v, sizeof v), v);
    buf_printf(b, "%s(%s", f->cfn, f->scratch ? "S" : "");
    const char *sep = f->scratch ? ", " : "";
    if (f->node) {
        buf_printf(b, "%s%s", sep, E->self);
        sep = ", ";
    }
    if (f->regex_arg >= 0) {
        buf_printf(b, "%s", sep);
        regex_arg(E, b, ast_arg(e, f->regex_arg));
        sep = ", ";
    }
    for (int i = 0; i < f->max_args; i++) {
        if (i == f->regex_arg)
            continue;
        buf_printf(b, "%s", sep);
        sep = ", ";
        if (i < e->list.n)
            ex(E, b, ast_arg(e, i));
        else
            buf_printf(b, "%s", f->missing);
    }
    if (opt)
        buf_printf(b, "%s&%s); (%s){%s, %s_some}; })", sep, v, ctype(E, e->type), v, v);
    else
        buf_printf(b, ")");
}

/* `PRE a0 POST`: a call whose one argument needs no more. */
static void wrap1(Emit *E, Buf *b, Node *e, const char *pre, const char *post)
{
    buf_printf(b, "%s", pre);
    ex(E, b, ast_arg(e, 0));
    buf_printf(b, "%s", post);
}

/* len: a str's or a list's own count, a map's or a set's by the runtime */
void emit_fn_len(Emit *E, Buf *b, Node *e)
{
    const Type *t0 = ast_arg(e, 0)->type;
    if (t0->kind == T_STR)
        wrap1(E, b, e, "((int64_t)(", ").n)");
    else if (t0->kind == T_LIST || t0->kind == T_EMPTY_LIST)
        wrap1(E, b, e, "((int64_t)(", ")->len)");
    else
        wrap1(E, b, e, "((int64_t)pipe_map_len(", "))");
}

/* field: through the memo of split lines when the function has one */
void emit_fn_field(Emit *E, Buf *b, Node *e)
{
    buf_printf(b, E->field_at ? "pipe_field_at(&fa_, " : "pipe_field(");
    ex(E, b, ast_arg(e, 0));
    buf_printf(b, ", ");
    ex(E, b, ast_arg(e, 1));
    buf_printf(b, ", ");
    ex(E, b, ast_arg(e, 2));
    buf_printf(b, ")");
}

/* join: the runtime needs the element type */
void emit_fn_join(Emit *E, Buf *b, Node *e)
{
    const Type *t0 = ast_arg(e, 0)->type;
    const Type *el = t0->kind == T_LIST ? t0->elems[0] : TY_STR;
    buf_printf(b, "pipe_join(S, %s, ", tdesc(E, el));
    ex(E, b, ast_arg(e, 0));
    buf_printf(b, ", ");
    ex(E, b, ast_arg(e, 1));
    buf_printf(b, ")");
}

/* to_int: a str parses, a float truncates (either may fail), an int stays */
void emit_fn_to_int(Emit *E, Buf *b, Node *e)
{
    TypeKind k = ast_arg(e, 0)->type->kind;
    char pre[64];
    snprintf(pre, sizeof pre, "%s(%s, ", k == T_STR ? "pipe_to_int" : "pipe_float_int", E->self);
    if (k == T_STR || k == T_FLOAT)
        wrap1(E, b, e, pre, ")");
    else
        wrap1(E, b, e, "((int64_t)(", "))");
}

/* to_float: a str parses (it may fail), an int converts */
void emit_fn_to_float(Emit *E, Buf *b, Node *e)
{
    char pre[64];
    snprintf(pre, sizeof pre, "pipe_to_float(%s, ", E->self);
    if (ast_arg(e, 0)->type->kind == T_STR)
        wrap1(E, b, e, pre, ")");
    else
        wrap1(E, b, e, "((double)(", "))");
}

/* str: a str is itself, an int has its own printer, any other value goes
 * through its type's descriptor */
static void str_of(Emit *E, Buf *b, Node *v)
{
    const Type *t0 = v->type;
    char t[16];
    if (t0->kind == T_STR) {
        ex(E, b, v);
    } else if (t0->kind == T_INT) {
        buf_printf(b, "pipe_int_str(S, ");
        ex(E, b, v);
        buf_printf(b, ")");
    } else {
        tmpname(E, t, sizeof t);
        buf_printf(b, "({ %s %s = ", ctype(E, t0), t);
        ex(E, b, v);
        buf_printf(b, "; pipe_str_of(S, %s, &%s); })", tdesc(E, t0), t);
    }
}

void emit_fn_str(Emit *E, Buf *b, Node *e)
{
    str_of(E, b, ast_arg(e, 0));
}

/* abs: an int's may overflow (a runtime error), a float's cannot */
void emit_fn_abs(Emit *E, Buf *b, Node *e)
{
    const Type *t0 = ast_arg(e, 0)->type;
    char t[16];
    if (t0->kind == T_INT) {
        buf_printf(b, "pipe_iabs(%s, ", E->self);
        wrap1(E, b, e, "", ")");
        return;
    }
    tmpname(E, t, sizeof t);
    buf_printf(b, "({ %s %s = ", ctype(E, t0), t);
    ex(E, b, ast_arg(e, 0));
    buf_printf(b, "; %s < 0 ? -%s : %s; })", t, t, t);
}

/* min and max: op picks the first of two values in the call's result type,
 * numbers by C's comparison, others by their descriptor's */
static void minmax(Emit *E, Buf *b, Node *e, const char *op)
{
    const Type *rt = e->type;
    char t[16], u[16];
    tmpname(E, t, sizeof t);
    tmpname(E, u, sizeof u);
    buf_printf(b, "({ %s %s = ", ctype(E, rt), t);
    ex_as(E, b, ast_arg(e, 0), rt);
    buf_printf(b, "; %s %s = ", ctype(E, rt), u);
    ex_as(E, b, ast_arg(e, 1), rt);
    if (type_is_num(rt))
        buf_printf(b, "; %s %s %s ? %s : %s; })", t, op, u, t, u);
    else
        buf_printf(b, "; pipe_cmp(%s, &%s, &%s) %s 0 ? %s : %s; })", tdesc(E, rt), t, u, op, t, u);
}

static void list_extreme(Emit *E, Buf *b, Node *e, int sign);

void emit_fn_min(Emit *E, Buf *b, Node *e)
{
    if (e->list.n == 1)
        list_extreme(E, b, e, -1);
    else
        minmax(E, b, e, "<=");
}

void emit_fn_max(Emit *E, Buf *b, Node *e)
{
    if (e->list.n == 1)
        list_extreme(E, b, e, 1);
    else
        minmax(E, b, e, ">=");
}

/* add: into a set by upsert, onto a list by a clone into its arena */
void emit_fn_add(Emit *E, Buf *b, Node *e)
{
    Node *a0 = ast_arg(e, 0), *a1 = ast_arg(e, 1);
    const Type *t0 = a0->type, *el = t0->elems[0];
    char t[16], u[16];
    tmpname(E, t, sizeof t);
    tmpname(E, u, sizeof u);
    buf_printf(b, "({ %s %s = ", ctype(E, el), t);
    ex(E, b, a1);
    if (t0->kind == T_SET) {
        buf_printf(b, "; bool %s; (void)pipe_map_upsert(", u);
        ex(E, b, a0);
        buf_printf(b, ", &%s, &%s); })", t, u);
    } else {
        buf_printf(b, "; PipeList *%s = ", u);
        ex(E, b, a0);
        buf_printf(b, "; pipe_clone(%s, pipe_list_push(%s), &%s, %s->arena); })", tdesc(E, el), u, t, u);
    }
}

/* remove: from a set or a map, by key */
void emit_fn_remove(Emit *E, Buf *b, Node *e)
{
    Node *a0 = ast_arg(e, 0);
    char t[16];
    tmpname(E, t, sizeof t);
    buf_printf(b, "({ %s %s = ", ctype(E, a0->type->elems[0]), t);
    ex(E, b, ast_arg(e, 1));
    buf_printf(b, "; (void)pipe_map_remove(");
    ex(E, b, a0);
    buf_printf(b, ", &%s); })", t);
}

/* ------------------------------------------------------------------ numbers and text (numfmt) */

/* fmt: its arguments into an array of PipeFmtArg, each as its conversion
 * takes it (the pattern parsed again, as the checker did), then one call */
void emit_fn_fmt(Emit *E, Buf *b, Node *e)
{
    PipeStr pat = ast_arg(e, 0)->str;
    char t[16];
    tmpname(E, t, sizeof t);
    buf_printf(b, "({ PipeFmtArg %s[%d]; ", t, e->list.n > 1 ? e->list.n - 1 : 1);
    size_t at = 0;
    PipeFmtConv cv;
    int k = 0;
    while (pipe_fmt_next(pat, &at, &cv)) {
        if (cv.conv == '%')
            continue;
        Node *v = ast_arg(e, k + 1);
        if (cv.conv == 's') {
            buf_printf(b, "%s[%d].s = ", t, k);
            str_of(E, b, v);
        } else {
            buf_printf(b, "%s[%d].%s = ", t, k, strchr("dixXo", cv.conv) ? "i" : "f");
            ex_as(E, b, v, strchr("dixXo", cv.conv) ? TY_INT : TY_FLOAT);
        }
        buf_printf(b, "; ");
        k++;
    }
    buf_printf(b, "pipe_fmt(S, ");
    str_lit(b, pat);
    buf_printf(b, ", %s); })", t);
}

/* round: an int's only with digits (to tens, ... may overflow) */
void emit_fn_round(Emit *E, Buf *b, Node *e)
{
    bool is_int = e->type->kind == T_INT, digits = e->list.n > 1;
    if (is_int && !digits) {
        wrap1(E, b, e, "((int64_t)(", "))");
        return;
    }
    if (is_int)
        buf_printf(b, "pipe_iround_to(%s, ", E->self);
    else
        buf_printf(b, digits ? "pipe_round_to(" : "pipe_round(");
    ex_as(E, b, ast_arg(e, 0), is_int ? TY_INT : TY_FLOAT);
    if (digits) {
        buf_printf(b, ", ");
        ex(E, b, ast_arg(e, 1));
    }
    buf_printf(b, ")");
}

/* floor, ceil, sqrt: the row's C function of a double; floor and ceil of an
 * int are the int */
void emit_fn_float_fn(Emit *E, Buf *b, Node *e)
{
    if (e->type->kind == T_INT) {
        wrap1(E, b, e, "((int64_t)(", "))");
        return;
    }
    buf_printf(b, "%s(", builtin_find(e->name)->cfn);
    ex_as(E, b, ast_arg(e, 0), TY_FLOAT);
    buf_printf(b, ")");
}

/* pow: of two ints an int (overflow fails), else C's pow */
void emit_fn_pow(Emit *E, Buf *b, Node *e)
{
    bool is_int = e->type->kind == T_INT;
    if (is_int)
        buf_printf(b, "pipe_ipow(%s, ", E->self);
    else
        buf_printf(b, "pipe_pow(");
    ex_as(E, b, ast_arg(e, 0), e->type);
    buf_printf(b, ", ");
    ex_as(E, b, ast_arg(e, 1), e->type);
    buf_printf(b, ")");
}

/* ------------------------------------------------------------------ lists (LANGUAGE.md §9) */

/* The C type of list type t's elements (an empty list literal's: any) */
static const char *elem_ctype(Emit *E, const Type *t)
{
    return t->kind == T_LIST ? ctype(E, t->elems[0]) : "int64_t";
}

/* e->a[e->b:e->c]: a bound left out is 0 or the end */
static void slice_expr(Emit *E, Buf *b, Node *e)
{
    if (e->type->kind == T_STR)
        buf_printf(b, "pipe_str_slice(");
    else
        buf_printf(b, "pipe_list_slice(S, sizeof(%s), ", elem_ctype(E, e->type));
    ex(E, b, e->a);
    buf_printf(b, ", ");
    if (e->b)
        ex(E, b, e->b);
    else
        buf_printf(b, "((int64_t)0)");
    buf_printf(b, ", ");
    if (e->c)
        ex(E, b, e->c);
    else
        buf_printf(b, "INT64_MAX_");
    buf_printf(b, ")");
}

static void lambda_params(Emit *E, Buf *b, Node *lam, const Type *in, const char *item);

/* Call e's argument at position pos, or named name; NULL when absent. */
static Node *arg_at(Node *e, int pos, const char *name)
{
    for (int i = 0; i < e->list.n; i++) {
        Node *a = e->list.v[i];
        if (a->kind == N_ARG && a->name ? !strcmp(a->name, name) : i == pos)
            return ast_arg(e, i);
    }
    return NULL;
}

/* sort(xs[, by: f][, desc: d]): with f, the keys first, f applied to each
 * element in order into an array of the scratch arena; then one stable sort */
void emit_fn_sort(Emit *E, Buf *b, Node *e)
{
    Node *xs = arg_at(e, 0, "xs"), *by = arg_at(e, 1, "by"), *desc = arg_at(e, 2, "desc");
    const Type *lt = e->type;
    if (lt->kind != T_LIST) { /* sort([]) */
        ex(E, b, xs);
        return;
    }
    const Type *el = lt->elems[0];
    char l[16], k[16], i[16], item[48];
    tmpname(E, l, sizeof l);
    tmpname(E, k, sizeof k);
    tmpname(E, i, sizeof i);
    buf_printf(b, "({ PipeList *%s = ", l);
    ex(E, b, xs);
    buf_printf(b, "; ");
    if (by) {
        const char *kc = ctype(E, by->type);
        buf_printf(b, "size_t %s_n = %s ? %s->len : 0; %s *%s = pipe_alloc(S, sizeof(%s) * (%s_n + 1));\n", l, l, l,
                   kc, k, kc, l);
        buf_printf(b, "for (size_t %s = 0; %s < %s_n; %s++) {\n", i, i, l, i);
        snprintf(item, sizeof item, "((%s *)%s->data + %s)", ctype(E, el), l, i);
        lambda_params(E, b, by, el, item);
        buf_printf(b, "    %s[%s] = ", k, i);
        ex(E, b, by->a);
        buf_printf(b, ";\n} ");
    }
    buf_printf(b, "pipe_list_sort(S, %s, %s, %s, %s, ", tdesc(E, el), l, by ? tdesc(E, by->type) : "0", by ? k : "0");
    if (desc)
        ex(E, b, desc);
    else
        buf_printf(b, "0");
    buf_printf(b, "); })");
}

/* reverse(xs): a new list */
void emit_fn_reverse(Emit *E, Buf *b, Node *e)
{
    buf_printf(b, "pipe_list_reverse(S, sizeof(%s), ", elem_ctype(E, e->type));
    wrap1(E, b, e, "", ")");
}

/* sum(xs): of ints checked as `+` is, of floats left to right */
void emit_fn_sum(Emit *E, Buf *b, Node *e)
{
    if (e->type->kind == T_FLOAT) {
        wrap1(E, b, e, "pipe_list_fsum(", ")");
        return;
    }
    buf_printf(b, "pipe_list_isum(%s, ", E->self);
    wrap1(E, b, e, "", ")");
}

/* min(xs), max(xs): the first extreme element (an empty list fails) */
static void list_extreme(Emit *E, Buf *b, Node *e, int sign)
{
    buf_printf(b, "(*(const %s *)pipe_list_extreme(%s, %s, ", ctype(E, e->type), E->self, tdesc(E, e->type));
    ex(E, b, ast_arg(e, 0));
    buf_printf(b, ", %d))", sign);
}

/* contains(s, sub) of strs; contains(xs, x): x as an element, compared as `==` does */
void emit_fn_find(Emit *E, Buf *b, Node *e)
{
    str_find(E, b, ast_arg(e, 0), ast_arg(e, 1));
}

void emit_fn_contains(Emit *E, Buf *b, Node *e)
{
    Node *a0 = ast_arg(e, 0), *a1 = ast_arg(e, 1);
    if (a0->type->kind == T_STR) {
        buf_printf(b, "(");
        str_find(E, b, a0, a1);
        buf_printf(b, " >= 0)");
        return;
    }
    const Type *el = a0->type->kind == T_LIST ? a0->type->elems[0] : a1->type;
    char t[16];
    tmpname(E, t, sizeof t);
    buf_printf(b, "({ %s %s = ", ctype(E, el), t);
    ex_as(E, b, a1, el);
    buf_printf(b, "; pipe_list_contains(%s, ", tdesc(E, el));
    ex(E, b, a0);
    buf_printf(b, ", &%s); })", t);
}

/* Emits `K u = key; bool w_c; V *w = pipe_map_upsert(map, &u, &w_c);` for
 * the map index e (e->a the map, e->b the key), and with fill `if (w_c) *w =`
 * an empty container: one read or updated at a missing key is created and
 * kept in the map. */
static void map_slot(Emit *E, Buf *b, Node *e, const char *w, bool fill)
{
    char u[16];
    tmpname(E, u, sizeof u);
    buf_printf(b, "%s %s = ", ctype(E, e->a->type->elems[0]), u);
    ex(E, b, e->b);
    buf_printf(b, "; bool %s_c; %s *%s = pipe_map_upsert(", w, ctype(E, e->type), w);
    ex(E, b, e->a);
    buf_printf(b, ", &%s, &%s_c); ", u, w);
    if (fill) {
        buf_printf(b, "if (%s_c) *%s = ", w, w);
        owned_empty(E, b, e->type);
        buf_printf(b, "; ");
    }
}

/* e->a[e->b]: a list's element (zero when out of range) or a map's value
 * (zero when missing; a container is made and kept, so that add(m[k], x) fills m). */
static void index_expr(Emit *E, Buf *b, Node *e)
{
    char t[16], u[16];
    const Type *ct = e->a->type;
    const Type *vt = e->type;
    if (e->opt & OPT_WORD_INDEX) { /* words(s)[i]: the word, no list (opt.c) */
        buf_printf(b, E->field_at ? "pipe_word_at(&wa_, " : "pipe_word(");
        ex(E, b, ast_arg(e->a, 0));
        buf_printf(b, ", ");
        ex(E, b, e->b);
        buf_printf(b, ")");
        return;
    }
    tmpname(E, t, sizeof t);
    tmpname(E, u, sizeof u);
    if (ct->kind == T_LIST) {
        buf_printf(b, "({ void *%s = pipe_list_at(", t);
        ex(E, b, e->a);
        buf_printf(b, ", ");
        ex(E, b, e->b);
        buf_printf(b, "); %s ? *(%s *)%s : ", t, ctype(E, vt), t);
        zero(E, b, vt);
        buf_printf(b, "; })");
    } else if (is_container(vt)) {
        /* a container value read from a missing key is created and kept in
         * the map, so that `add(m[k], x)` and `m[a][b] += 1` fill the map */
        buf_printf(b, "({ ");
        map_slot(E, b, e, t, true);
        buf_printf(b, "*%s; })", t);
    } else {
        buf_printf(b, "({ %s %s = ", ctype(E, ct->elems[0]), u);
        ex(E, b, e->b);
        buf_printf(b, "; void *%s = pipe_map_get(", t);
        ex(E, b, e->a);
        buf_printf(b, ", &%s); %s ? *(%s *)%s : ", u, t, ctype(E, vt), t);
        zero(E, b, vt);
        buf_printf(b, "; })");
    }
}

static void brace_literal(Emit *E, Buf *b, Node *e);

static void ex(Emit *E, Buf *b, Node *e)
{
    char t[16];
    switch (e->kind) {
    case N_INT:
        if (e->ival == INT64_MIN)
            buf_printf(b, "((int64_t)(-9223372036854775807LL - 1))");
        else
            buf_printf(b, "((int64_t)%lldLL)", (long long)e->ival);
        break;
    case N_FLOAT: {
        char num[64];
        snprintf(num, sizeof num, "%.17g", e->fval);
        if (!strpbrk(num, ".eEn"))
            strcat(num, ".0");
        buf_printf(b, "((double)%s)", num);
        break;
    }
    case N_STR:
        str_lit(b, e->str);
        break;
    case N_BOOL:
        buf_printf(b, "((bool)%d)", e->bval ? 1 : 0);
        break;
    case N_NAME:
        if (e->sym)
            cname(E, b, e->sym);
        else
            buf_printf(b, "0");
        break;
    case N_FIELD:
        buf_printf(b, "(");
        ex(E, b, e->a);
        buf_printf(b, ").f%d", e->field);
        break;
    case N_INDEX:
        index_expr(E, b, e);
        break;
    case N_SLICE:
        slice_expr(E, b, e);
        break;
    case N_CALL:
        call(E, b, e);
        break;
    case N_BINARY:
        binary(E, b, e);
        break;
    case N_UNARY:
        if (e->op == OP_NEG && e->type->kind == T_INT)
            buf_printf(b, "pipe_ineg(%s, ", E->self);
        else
            buf_printf(b, e->op == OP_NOT ? "(!" : "(-");
        ex(E, b, e->a);
        buf_printf(b, ")");
        break;
    case N_COND:
        buf_printf(b, "(");
        ex(E, b, e->a);
        buf_printf(b, " ? ");
        ex_as(E, b, e->b, e->type);
        buf_printf(b, " : ");
        ex_as(E, b, e->c, e->type);
        buf_printf(b, ")");
        break;
    case N_TUPLE:
        buf_printf(b, "((%s){", ctype(E, e->type));
        for (int i = 0; i < e->list.n; i++) {
            if (i)
                buf_printf(b, ", ");
            ex(E, b, e->list.v[i]);
        }
        buf_printf(b, "})");
        break;
    case N_LIST: {
        const Type *el = e->type->kind == T_LIST ? e->type->elems[0] : TY_INT;
        tmpname(E, t, sizeof t);
        buf_printf(b, "({ PipeList *%s = pipe_list_new(S, sizeof(%s), %d);", t, ctype(E, el), e->list.n);
        for (int i = 0; i < e->list.n; i++) {
            buf_printf(b, " *(%s *)pipe_list_push(%s) = ", ctype(E, el), t);
            ex_as(E, b, e->list.v[i], el);
            buf_printf(b, ";");
        }
        buf_printf(b, " %s; })", t);
        break;
    }
    case N_MAPLIT:
    case N_SETLIT:
        brace_literal(E, b, e);
        break;
    case N_RECLIT:
        buf_printf(b, "((%s){", ctype(E, e->type));
        for (int i = 0; i < e->list.n; i++) {
            Node *a = e->list.v[i];
            buf_printf(b, "%s.f%d = ", i ? ", " : "", a->field);
            ex_as(E, b, a->a, e->type->elems[a->field]);
        }
        buf_printf(b, "})");
        break;
    default:
        buf_printf(b, "0 /* %s */", ast_kind_name(e->kind));
    }
}

/* ------------------------------------------------------------------ statements */

static void stmts(Emit *E, Buf *b, Node *blk, int ind);

static void indent(Buf *b, int ind)
{
    for (int i = 0; i < ind; i++)
        buf_add(b, "    ", 4);
}

/* Stores the value in C variable `val` (of type t) into the place `dst`: an owned
 * place (state, map value) gets a heap copy and gives back its old one. */
static void store_owned(Emit *E, Buf *b, const Type *t, const char *dst, const char *val, bool owned)
{
    /* copy before giving the old value back: val may be a slice of it (trim) */
    if (owned && needs_clone(t)) {
        char c[16];
        tmpname(E, c, sizeof c);
        buf_printf(b, "%s %s; pipe_clone(%s, &%s, &%s, 0); pipe_drop(%s, &%s); %s = %s;", ctype(E, t), c, tdesc(E, t),
                   c, val, tdesc(E, t), dst, dst, c);
        adopt_owned(E, b, t, "", dst);
    } else {
        buf_printf(b, "%s = %s;", dst, val);
    }
}

static void assign_op(Emit *E, Buf *b, Node *st, const char *place, const Type *t, const char *val, bool owned)
{
    char nv[16];
    tmpname(E, nv, sizeof nv);
    if (st->op == OP_SET) {
        store_owned(E, b, t, place, val, owned);
        return;
    }
    if (t->kind == T_STR) {
        buf_printf(b, "PipeStr %s = pipe_concat(S, %s, %s); ", nv, place, val);
        store_owned(E, b, t, place, nv, owned);
        return;
    }
    if (t->kind == T_INT)
        buf_printf(b, "%s = %s(%s, %s, %s);", place, int_fn(st->op), E->self, place, val);
    else
        buf_printf(b, "%s %s= %s;", place, ast_op_name(st->op), val);
}

static void stmt_body(Emit *E, Buf *b, Node *st, int ind);

/* A statement that may free a string (an assignment, a call, an emit) ends
 * what fa_ and wa_ remember: another string could come back at the same place. */
static void stmt(Emit *E, Buf *b, Node *st, int ind)
{
    stmt_body(E, b, st, ind);
    if (E->field_at && (st->kind == N_ASSIGN || st->kind == N_EXPR_STMT || st->kind == N_EMIT)) {
        indent(b, ind);
        buf_printf(b, "fa_.p = 0; wa_.p = 0;\n");
    }
}

/* An assignment statement: to a name, a map's value (made on first use) or a
 * list's element (out of range is the stage's runtime error). */
static void assign_stmt(Emit *E, Buf *b, Node *st)
{
    char t[16], u[16], w[16];
    Node *tg = st->a;
    const Type *tt = tg->type;
    tmpname(E, t, sizeof t);
    buf_printf(b, "{ %s %s = ", ctype(E, tt), t);
    ex_as(E, b, st->b, tt);
    buf_printf(b, "; ");
    if (tg->kind == N_NAME || tg->kind == N_FIELD) {
        /* a variable, or a field of one: (v_r_3).f1 is a C lvalue too */
        Node *root = tg;
        while (root->kind == N_FIELD)
            root = root->a;
        Buf place = {0};
        ex(E, &place, tg);
        Sym *y = root->sym;
        assign_op(E, b, st, place.p, tt, t, y && y->kind == SYM_STATE);
        free(place.p);
    } else if (tg->kind == N_INDEX && tg->a->type->kind == T_MAP) {
        tmpname(E, w, sizeof w);
        map_slot(E, b, tg, w, is_container(tt) && st->op != OP_SET);
        char place[32];
        snprintf(place, sizeof place, "(*%s)", w);
        assign_op(E, b, st, place, tt, t, true);
    } else if (tg->kind == N_INDEX) {
        tmpname(E, u, sizeof u);
        tmpname(E, w, sizeof w);
        buf_printf(b, "PipeList *%s = ", u);
        ex(E, b, tg->a);
        buf_printf(b, "; %s *%s = pipe_list_at(%s, ", ctype(E, tt), w, u);
        ex(E, b, tg->b);
        buf_printf(b, "); if (!%s) pipe_fail(%s, \"list index out of range\"); ", w, E->self);
        char place[32];
        snprintf(place, sizeof place, "(*%s)", w);
        if (st->op == OP_SET && needs_clone(tt)) {
            char c[16];
            tmpname(E, c, sizeof c);
            buf_printf(b, "%s %s; pipe_clone(%s, &%s, &%s, %s->arena); if (!%s->arena) pipe_drop(%s, %s); *%s = %s;",
                       ctype(E, tt), c, tdesc(E, tt), c, t, u, u, tdesc(E, tt), w, w, c);
        }
        else
            assign_op(E, b, st, place, tt, t, false);
    }
    buf_printf(b, " }\n");
}

/* A for loop over a list's elements, or a map's or set's keys (and values). */
static void for_stmt(Emit *E, Buf *b, Node *st, int ind)
{
    char t[16], u[16];
    const Type *ct = st->a->type;
    Sym *k = st->sym;
    Sym *v = st->value_sym;
    tmpname(E, t, sizeof t);
    tmpname(E, u, sizeof u);
    if (ct->kind == T_LIST || ct->kind == T_EMPTY_LIST) {
        const char *el = ctype(E, k->type);
        buf_printf(b, "{ PipeList *%s = ", t);
        ex(E, b, st->a);
        buf_printf(b, "; for (size_t %s = 0; %s < %s->len; %s++) { %s v_%s_%d = ((%s *)%s->data)[%s];\n", u, u, t, u,
                   el, k->name, k->id, el, t, u);
    } else {
        buf_printf(b, "{ PipeMap *%s = ", t);
        ex(E, b, st->a);
        buf_printf(b,
                   "; size_t %s = 0; void *%s_k, *%s_v; while (pipe_map_next(%s, &%s, &%s_k, &%s_v)) { "
                   "%s v_%s_%d = *(%s *)%s_k;",
                   u, t, t, t, u, t, t, ctype(E, k->type), k->name, k->id, ctype(E, k->type), t);
        if (v)
            buf_printf(b, " %s v_%s_%d = *(%s *)%s_v;", ctype(E, v->type), v->name, v->id, ctype(E, v->type), t);
        buf_printf(b, " (void)%s_v;\n", t);
    }
    stmts(E, b, st->b, ind + 1);
    indent(b, ind);
    buf_printf(b, "} }\n");
}

static void stmt_body(Emit *E, Buf *b, Node *st, int ind)
{
    char t[16];
    line_dir(E, b, st->loc);
    indent(b, ind);
    switch (st->kind) {
    case N_LET: {
        Sym *y = st->sym;
        buf_printf(b, "%s v_%s_%d = ", ctype(E, y->type), y->name, y->id);
        ex_as(E, b, st->a, y->type);
        buf_printf(b, ";\n");
        indent(b, ind);
        buf_printf(b, "(void)v_%s_%d;\n", y->name, y->id);
        break;
    }
    case N_ASSIGN:
        assign_stmt(E, b, st);
        break;
    case N_IF:
        buf_printf(b, "if (");
        ex(E, b, st->a);
        buf_printf(b, ") {\n");
        stmts(E, b, st->b, ind + 1);
        indent(b, ind);
        buf_printf(b, "}");
        if (st->c) {
            buf_printf(b, " else {\n");
            if (st->c->kind == N_IF)
                stmt(E, b, st->c, ind + 1);
            else
                stmts(E, b, st->c, ind + 1);
            indent(b, ind);
            buf_printf(b, "}");
        }
        buf_printf(b, "\n");
        break;
    case N_WHILE:
        buf_printf(b, "while (");
        ex(E, b, st->a);
        buf_printf(b, ") {\n");
        stmts(E, b, st->b, ind + 1);
        indent(b, ind);
        buf_printf(b, "}\n");
        break;
    case N_FOR:
        for_stmt(E, b, st, ind);
        break;
    case N_EMIT: {
        tmpname(E, t, sizeof t);
        /* the proc's OUT decides the C type (an int may be emitted as a float) */
        const Type *out = E->emit_type ? E->emit_type : st->a->type;
        buf_printf(b, "{ %s %s = ", ctype(E, out), t);
        ex_as(E, b, st->a, out);
        buf_printf(b, "; pipe_emit(%s, &%s); }\n", E->self, t);
        break;
    }
    case N_RETURN:
        buf_printf(b, "return ");
        ex_as(E, b, st->a, E->ret_type);
        buf_printf(b, ";\n");
        break;
    case N_EXPR_STMT:
        buf_printf(b, "(void)(");
        ex(E, b, st->a);
        buf_printf(b, ");\n");
        break;
    case N_BLOCK:
        buf_printf(b, "{\n");
        stmts(E, b, st, ind + 1);
        indent(b, ind);
        buf_printf(b, "}\n");
        break;
    default:
        buf_printf(b, "/* %s */\n", ast_kind_name(st->kind));
    }
}

static void stmts(Emit *E, Buf *b, Node *blk, int ind)
{
    for (int i = 0; i < blk->list.n; i++)
        stmt(E, b, blk->list.v[i], ind);
}

/* Declares fa_ and wa_ (see PipeFieldAt) at the top of a function whose body
 * calls field() or takes words(s)[i] (memo, as the plan found); returns the
 * flag to restore once the function is emitted. */
static bool field_begin(Emit *E, Buf *b, bool memo)
{
    bool saved = E->field_at;
    E->field_at = memo;
    if (E->field_at)
        buf_printf(b, "    PipeFieldAt fa_ = {0}, wa_ = {0}; (void)wa_;\n");
    return saved;
}

/* ------------------------------------------------------------------ stateful procs */

/* Opens a generated function on its run's state (no mutable statics: runs of
 * one program may go on at once on several threads): R_, the Run_ that `run`
 * (a C expression) reaches, loaded once per call, and S, the scratch arena
 * that expressions allocate from. */
static void run_open(Buf *b, const char *run)
{
    buf_printf(b, "    Run_ *R_ = %s; PipeArena *S = R_->S; (void)R_; (void)S;\n", run);
}

static void emit_stateful(Emit *E, Node *d)
{
    if (sema_map_get(&E->procs_done, d->name))
        return;
    sema_map_put(E->s->arena, &E->procs_done, d->name, d);
    Buf *b = &E->funcs;
    const char *nm = d->name;
    Buf st = {0};
    buf_printf(&st, "typedef struct Proc_%s {\n    PipeNode base;\n    Run_ *run_;\n", nm);
    for (int i = 0; i < d->params.n; i++)
        buf_printf(&st, "    %s p_%s;\n", ctype(E, d->params.v[i]->type), d->params.v[i]->name);
    for (int i = 0; i < d->list.n; i++) {
        Node *m = d->list.v[i];
        if (m->kind == N_STATE)
            buf_printf(&st, "    %s s_%s;\n", ctype(E, m->type), m->name);
    }
    buf_printf(&st, "} Proc_%s;\n", nm);
    buf_add(b, st.p, st.n);
    free(st.p);
    const char *saved = E->self;
    E->self = "self_";
    E->in_proc = true;
    E->emit_type = d->out ? d->out->type : NULL;
    /* init: state initial values (may use parameters) */
    buf_printf(b, "static void proc_%s_init(Proc_%s *self)\n{\n    PipeNode *self_ = &self->base; (void)self_;\n", nm,
               nm);
    run_open(b, "self->run_");
    for (int i = 0; i < d->list.n; i++) {
        Node *m = d->list.v[i];
        if (m->kind != N_STATE)
            continue;
        char t[16];
        tmpname(E, t, sizeof t);
        /* `= []` and `= {}` are what no initial value gives, kept within the proc's budget */
        bool empty = m->b && (m->b->kind == N_LIST || m->b->kind == N_MAPLIT) && m->b->list.n == 0;
        if (m->b && !empty) {
            line_dir(E, b, m->loc);
            buf_printf(b, "    { %s %s = ", ctype(E, m->type), t);
            ex_as(E, b, m->b, m->type);
            buf_printf(b, "; ");
            if (needs_clone(m->type)) {
                buf_printf(b, "pipe_clone(%s, &self->s_%s, &%s, 0);", tdesc(E, m->type), m->name, t);
                adopt_owned(E, b, m->type, "self->s_", m->name);
                buf_printf(b, " }\n");
            } else
                buf_printf(b, "self->s_%s = %s; }\n", m->name, t);
        } else if (is_container(m->type)) {
            const Type *mt = m->type;
            if (mt->kind == T_LIST) {
                buf_printf(b, "    self->s_%s = ", m->name);
                owned_empty(E, b, mt);
                buf_printf(b, ";\n");
            } else {
                buf_printf(b, "    self->s_%s = ", m->name);
                map_new(E, b, mt);
                buf_printf(b, ";\n");
            }
        } else if (m->type->kind == T_STR || m->type->kind == T_TUPLE) {
            buf_printf(b, "    { %s %s = ", ctype(E, m->type), t);
            zero(E, b, m->type);
            buf_printf(b, "; pipe_clone(%s, &self->s_%s, &%s, 0); }\n", tdesc(E, m->type), m->name, t);
        }
    }
    buf_printf(b, "}\n");
    if (!d->in)
        buf_printf(b,
                   "static void proc_%s_push(PipeNode *self_, const void *item_, int port_)\n{\n"
                   "    (void)self_; (void)item_; (void)port_;\n}\n",
                   nm);
    for (int i = 0; i < d->list.n; i++) {
        Node *m = d->list.v[i];
        if (m->kind != N_ON)
            continue;
        if (m->name) {
            Sym *y = m->sym;
            buf_printf(b, "static void proc_%s_push(PipeNode *self_, const void *item_, int port_)\n{\n", nm);
            buf_printf(b, "    Proc_%s *self = (Proc_%s *)self_; (void)self; (void)port_;\n", nm, nm);
            run_open(b, "self->run_");
            buf_printf(b, "    %s v_%s_%d = *(%s const *)item_;\n", ctype(E, y->type), y->name, y->id,
                       ctype(E, y->type));
            bool fa = field_begin(E, b, plan_calls_field(m->a));
            stmts(E, b, m->a, 1);
            buf_printf(b, "}\n");
            E->field_at = fa;
        } else {
            buf_printf(b, "static void proc_%s_%s(PipeNode *self_)\n{\n", nm, m->on_start ? "start" : "finish");
            buf_printf(b, "    Proc_%s *self = (Proc_%s *)self_; (void)self;\n", nm, nm);
            run_open(b, "self->run_");
            bool fa = field_begin(E, b, plan_calls_field(m->a));
            stmts(E, b, m->a, 1);
            buf_printf(b, "}\n");
            E->field_at = fa;
        }
    }
    buf_printf(b, "static void proc_%s_free(PipeNode *self_)\n{\n    Proc_%s *self = (Proc_%s *)self_; (void)self;\n",
               nm, nm, nm);
    for (int i = 0; i < d->list.n; i++) {
        Node *m = d->list.v[i];
        if (m->kind != N_STATE)
            continue;
        if (m->type->kind == T_MAP || m->type->kind == T_SET)
            buf_printf(b, "    pipe_map_free(self->s_%s);\n", m->name);
        else if (needs_clone(m->type))
            buf_printf(b, "    pipe_drop(%s, &self->s_%s);\n", tdesc(E, m->type), m->name);
    }
    buf_printf(b, "}\n");
    E->self = saved;
    E->in_proc = false;
}

/* ------------------------------------------------------------------ stage nodes */

static void env_open(Emit *E, Buf *b, int inst)
{
    if (inst >= 0)
        buf_printf(b, "    const Env_%s *ENV = &R_->E%d; (void)ENV;\n", E->dag->insts[inst].decl->name, inst);
}

/* Declares the lambda's parameters from the item in `item` (a C lvalue). */
static void lambda_params(Emit *E, Buf *b, Node *lam, const Type *in, const char *item)
{
    if (lam->list.n == 1) {
        Sym *y = lam->list.v[0]->sym;
        buf_printf(b, "    %s v_%s_%d = *(%s const *)%s; (void)v_%s_%d;\n", ctype(E, in), y->name, y->id, ctype(E, in),
                   item, y->name, y->id);
        return;
    }
    for (int i = 0; i < lam->list.n; i++) {
        Sym *y = lam->list.v[i]->sym;
        buf_printf(b, "    %s v_%s_%d = ((const %s *)%s)->f%d; (void)v_%s_%d;\n", ctype(E, y->type), y->name, y->id,
                   ctype(E, in), item, i, y->name, y->id);
    }
}

static void emit_lambda_node(Emit *E, DagNode *n)
{
    Buf *b = &E->funcs;
    Node *lam = n->lambda;
    const char *saved = E->self;
    E->self = "self_";
    if (n->kind == SK_MAP || n->kind == SK_FILTER || n->kind == SK_FLAT_MAP) {
        buf_printf(b, "static void n%d_push(PipeNode *self_, const void *item_, int port_)\n{\n    (void)port_;\n",
                   n->id);
        run_open(b, "((RunNode_ *)self_)->run");
        bool fa = field_begin(E, b, n->plan & PLAN_FIELD_MEMO);
        env_open(E, b, n->inst);
        lambda_params(E, b, lam, n->in, "item_");
        line_dir(E, b, lam->a->loc);
        if (n->kind == SK_MAP) {
            buf_printf(b, "    %s r_ = ", ctype(E, n->out));
            ex_as(E, b, lam->a, n->out);
            buf_printf(b, ";\n    pipe_emit(self_, &r_);\n");
        } else if (n->kind == SK_FILTER) {
            buf_printf(b, "    if (");
            ex(E, b, lam->a);
            buf_printf(b, ")\n        pipe_emit(self_, item_);\n");
        } else {
            buf_printf(b, "    PipeList *l_ = ");
            ex(E, b, lam->a);
            buf_printf(
                b, ";\n    for (size_t i_ = 0; i_ < l_->len; i_++)\n        pipe_emit(self_, (%s *)l_->data + i_);\n",
                ctype(E, n->out));
        }
        buf_printf(b, "}\n");
        E->field_at = fa;
    } else {
        /* sort / top key */
        buf_printf(&E->run, "    PipeNode *n%d_node;\n", n->id);
        buf_printf(b, "static void n%d_key(void *env_, const void *item_, void *key_, PipeArena *scratch_)\n{\n",
                   n->id);
        run_open(b, "env_");
        buf_printf(b, "    PipeNode *self_ = R_->n%d_node; (void)scratch_; (void)self_;\n", n->id);
        bool fa = field_begin(E, b, n->plan & PLAN_FIELD_MEMO);
        env_open(E, b, n->inst);
        lambda_params(E, b, lam, n->in, "item_");
        line_dir(E, b, lam->a->loc);
        buf_printf(b, "    *(%s *)key_ = ", ctype(E, lam->type));
        ex(E, b, lam->a);
        buf_printf(b, ";\n}\n");
        E->field_at = fa;
    }
    E->self = saved;
}

/* An argument of a stage, evaluated in build(); `def` when absent (a str
 * default is written in Pipe, "...", with no escapes). */
static void build_arg(Emit *E, Buf *b, DagNode *n, int i, const char *def)
{
    Node *a = i < n->nargs ? n->args[i] : NULL;
    if (a)
        ex(E, b, a);
    else if (def[0] == '"')
        str_lit(b, (PipeStr){def + 1, strlen(def) - 2});
    else
        buf_printf(b, "%s", def);
}

/* The constructor call of standard stage n: its row's hook, or its
 * constructor with what the row says it takes, then its value arguments (a
 * function or a sink argument is no value: hooks and sema handle them). */
static void emit_std(Emit *E, DagNode *n, const char *pos)
{
    const StdStage *st = n->row;
    Buf *b = &E->build;
    if (st->emit) {
        st->emit(E, n, pos);
        return;
    }
    buf_printf(b, st->role == R_SOURCE ? "    n%d = &%s(rt_, %s" : "    n%d = %s(rt_, %s", n->id, st->ctor, pos);
    if (st->pass == CA_TYPED || st->pass == CA_TYPED_OUT)
        buf_printf(b, ", %s", n->in ? tdesc(E, n->in) : "0");
    if (st->pass == CA_TYPED_OUT)
        buf_printf(b, ", %s", tdesc(E, n->out));
    if (st->pass == CA_FANIN)
        buf_printf(b, ", %s, %d", tdesc(E, n->out), n->nins);
    if (st->pass == CA_OUT)
        buf_printf(b, ", %s", tdesc(E, n->out));
    for (int i = 0; i < st->nargs; i++)
        if (st->arg_kinds[i] != A_FN && st->arg_kinds[i] != A_SINK && st->arg_kinds[i] != A_TYPE) {
            buf_printf(b, ", ");
            build_arg(E, b, n, i, st->arg_defaults[i]);
        }
    buf_printf(b, st->role == R_SOURCE ? ")->node;\n" : ");\n");
}

_Static_assert(PLAN_LITS == RT_PREFILTER_ALTS, "the plan finds as many literals as a source searches for");

/* Registers the literals that node n needs one of in every line it reacts
 * to, when the plan found them (plan_filter_literal): the source may skip
 * the others. */
static void prefilter_literal(Emit *E, DagNode *n)
{
    PlanLits L;
    if (!plan_filter_literal(E->dag, n, &L))
        return;
    for (int i = 0; i < L.n; i++) { /* several: alternatives */
        buf_printf(&E->build, "    pipe_node_prefilter_literal(n%d, ", n->id);
        str_lit(&E->build, L.v[i]);
        buf_printf(&E->build, ");\n");
    }
}

/* map, filter, flat_map: a plain node whose push is the inlined function */
void emit_stage_lambda(Emit *E, DagNode *n, const char *pos)
{
    Buf *b = &E->build;
    emit_lambda_node(E, n);
    buf_printf(b, "    n%d = pipe_node_new(rt_, sizeof(RunNode_), \"%s\", %s);\n", n->id, n->std, pos);
    buf_printf(b, "    ((RunNode_ *)n%d)->run = R_;\n", n->id);
    buf_printf(b, "    n%d->push = n%d_push; n%d->in = %s; n%d->out = %s;\n", n->id, n->id, n->id, tdesc(E, n->in),
               n->id, tdesc(E, n->out));
    prefilter_literal(E, n);
}

/* sort: by its key function and the key's type, or by the item itself */
void emit_stage_sort(Emit *E, DagNode *n, const char *pos)
{
    Buf *b = &E->build;
    const char *tin = tdesc(E, n->in);
    if (n->lambda)
        buf_printf(b, "    n%d = pipe_std_sort(rt_, %s, %s, n%d_key, R_, %s, ", n->id, pos, tin, n->id,
                   tdesc(E, n->lambda->type));
    else
        buf_printf(b, "    n%d = pipe_std_sort(rt_, %s, %s, 0, 0, %s, ", n->id, pos, tin, tin);
    build_arg(E, b, n, 1, n->row->arg_defaults[1]);
    buf_printf(b, ");\n");
    if (n->lambda) {
        buf_printf(b, "    R_->n%d_node = n%d;\n", n->id, n->id);
        emit_lambda_node(E, n);
    }
}

/* file_by, append_by: the path function is a key function of the item */
void emit_stage_by(Emit *E, DagNode *n, const char *pos)
{
    Buf *b = &E->build;
    buf_printf(b, "    n%d = %s(rt_, %s, %s, n%d_key, R_);\n", n->id, n->row->ctor, pos, tdesc(E, n->in), n->id);
    buf_printf(b, "    R_->n%d_node = n%d;\n", n->id, n->id);
    emit_lambda_node(E, n);
}

/* top: like sort (a sort before it may be fused with it: PIPE_PLAN_FUSE_TOP) */
void emit_stage_top(Emit *E, DagNode *n, const char *pos)
{
    Buf *b = &E->build;
    const char *tin = tdesc(E, n->in);
    buf_printf(b, "    n%d = pipe_std_top(rt_, %s, %s, ", n->id, pos, tin);
    ex(E, b, n->args[0]);
    if (n->lambda)
        buf_printf(b, ", n%d_key, R_, %s);\n    R_->n%d_node = n%d;\n", n->id, tdesc(E, n->lambda->type), n->id, n->id);
    else
        buf_printf(b, ", 0, 0, %s);\n", tin);
    if (n->lambda)
        emit_lambda_node(E, n);
}

/* zip: the types of both inputs and of the pairs */
void emit_stage_zip(Emit *E, DagNode *n, const char *pos)
{
    buf_printf(&E->build, "    n%d = pipe_std_zip(rt_, %s, %s, %s, %s);\n", n->id, pos, tdesc(E, n->ins[0].from->out),
               tdesc(E, n->ins[1].from->out), tdesc(E, n->out));
}

/* One function of join n called `which`: a key function of items of type in,
 * or (in NULL) with, of an item of the flow at x_ and one of other at y_. */
static void join_fn(Emit *E, DagNode *n, Node *lam, const char *which, const Type *in)
{
    Buf *b = &E->funcs;
    const char *saved = E->self;
    E->self = "self_";
    if (!in)
        buf_printf(b, "static void n%d_%s(void *env_, const void *x_, const void *y_, void *out_, PipeArena *scratch_)\n{\n",
                   n->id, which);
    else
        buf_printf(b, "static void n%d_%s(void *env_, const void *x_, void *out_, PipeArena *scratch_)\n{\n", n->id,
                   which);
    run_open(b, "env_");
    buf_printf(b, "    PipeNode *self_ = R_->n%d_node; (void)scratch_; (void)self_;\n", n->id);
    bool fa = field_begin(E, b, false);
    env_open(E, b, n->inst);
    if (!in) {
        for (int i = 0; i < 2; i++) {
            Sym *y = lam->list.v[i]->sym;
            const char *ct = ctype(E, y->type);
            buf_printf(b, "    %s v_%s_%d = *(%s const *)%s_; (void)v_%s_%d;\n", ct, y->name, y->id, ct, i ? "y" : "x",
                       y->name, y->id);
        }
    } else {
        lambda_params(E, b, lam, in, "x_");
    }
    line_dir(E, b, lam->a->loc);
    buf_printf(b, "    *(%s *)out_ = ", ctype(E, lam->type));
    ex_as(E, b, lam->a, lam->type);
    buf_printf(b, ";\n}\n");
    E->field_at = fa;
    E->self = saved;
}

/* join, left_join: the key of each side (one function, or a pair), the
 * function of the pairs, the constructor */
void emit_stage_join(Emit *E, DagNode *n, const char *pos)
{
    Node *on = n->args[1], *with = n->args[2];
    Node *kx = on->kind == N_TUPLE ? on->list.v[0] : on, *ky = on->kind == N_TUPLE ? on->list.v[1] : NULL;
    const Type *y = n->ins[1].from->out;
    buf_printf(&E->run, "    PipeNode *n%d_node;\n", n->id);
    join_fn(E, n, kx, "kx", n->in);
    if (ky)
        join_fn(E, n, ky, "ky", y);
    join_fn(E, n, with, "with", NULL);
    buf_printf(&E->build, "    n%d = pipe_std_join(rt_, %s, %s, %s, ", n->id, pos, tdesc(E, n->in), tdesc(E, y));
    buf_printf(&E->build, "%s, %s, n%d_kx, n%d_%s, n%d_with, R_, %s);\n    R_->n%d_node = n%d;\n",
               tdesc(E, kx->type), tdesc(E, n->out), n->id, n->id, ky ? "ky" : "kx", n->id,
               strcmp(n->std, "left_join") ? "false" : "true", n->id, n->id);
}

static void emit_node(Emit *E, DagNode *n)
{
    Buf *b = &E->build;
    Buf pos = {0};
    pos_lit(E, &pos, n->stage->loc);
    buf_printf(b, "    {\n");
    env_open(E, b, n->inst);
    const char *tin = n->in ? tdesc(E, n->in) : "0";
    switch (n->kind) {
    case SK_SOURCE:
    case SK_SINK:
    case SK_STD:
    case SK_MAP:
    case SK_FILTER:
    case SK_FLAT_MAP:
    case SK_PASS:
    case SK_FANIN:
        emit_std(E, n, pos.p);
        break;
    case SK_PROC: {
        Node *d = n->decl;
        emit_stateful(E, d);
        buf_printf(b, "    Proc_%s *p_ = (Proc_%s *)pipe_node_new(rt_, sizeof(Proc_%s), \"%s\", %s);\n", d->name,
                   d->name, d->name, d->name, pos.p);
        buf_printf(b, "    p_->run_ = R_; p_->base.push = proc_%s_push; p_->base.free = proc_%s_free;", d->name,
                   d->name);
        if (!d->in)
            /* a proc with no input runs only `on end`: an empty source ends it */
            buf_printf(b, " pipe_connect(&pipe_src_range(rt_, %s, 0, 0)->node, &p_->base, 0);", pos.p);
        for (int i = 0; i < d->list.n; i++)
            if (d->list.v[i]->kind == N_ON && !d->list.v[i]->name)
                buf_printf(b, " p_->base.%s = proc_%s_%s;", d->list.v[i]->on_start ? "open" : "finish", d->name,
                           d->list.v[i]->on_start ? "start" : "finish");
        buf_printf(b, "\n    p_->base.in = %s; p_->base.out = %s;\n", tin, n->out ? tdesc(E, n->out) : "0");
        for (int i = 0; i < d->params.n; i++) {
            buf_printf(b, "    p_->p_%s = ", d->params.v[i]->name);
            if (n->args[i])
                ex_as(E, b, n->args[i], d->params.v[i]->type);
            else
                ex_as(E, b, d->params.v[i]->b, d->params.v[i]->type);
            buf_printf(b, ";\n");
        }
        buf_printf(b, "    proc_%s_init(p_);\n    n%d = &p_->base;\n", d->name, n->id);
        prefilter_literal(E, n);
        break;
    }
    case SK_DEAD:
        /* fed by its stages' error policies, not by edges */
        buf_printf(b, "    n%d = pipe_dead_letter(rt_, %s, %s);\n", n->id, pos.p, tdesc(E, n->out));
        for (int i = 0; i < n->nins; i++)
            buf_printf(b, "    pipe_node_on_error(n%d, PIPE_ON_ERROR_DEAD, n%d);\n", n->ins[i].from->id, n->id);
        buf_printf(b, "    }\n");
        free(pos.p);
        return;
    case SK_EXTERN: {
        Node *d = n->decl;
        buf_printf(&E->decls, "PipeNode *pipe_extern_%s(PipeRt *rt, PipePos pos", d->name);
        for (int i = 0; i < d->params.n; i++)
            buf_printf(&E->decls, ", %s", ctype(E, d->params.v[i]->type));
        buf_printf(&E->decls, ");\n");
        buf_printf(b, "    n%d = pipe_extern_%s(rt_, %s", n->id, d->name, pos.p);
        for (int i = 0; i < d->params.n; i++) {
            buf_printf(b, ", ");
            if (n->args[i])
                ex_as(E, b, n->args[i], d->params.v[i]->type);
            else
                ex_as(E, b, d->params.v[i]->b, d->params.v[i]->type);
        }
        buf_printf(b, ");\n");
        break;
    }
    }
    for (int i = 0; i < n->nins; i++)
        buf_printf(b, "    pipe_connect(n%d, n%d, %d);\n", n->ins[i].from->id, n->id, n->ins[i].port);
    if (n->on_error == OE_SKIP)
        buf_printf(b, "    pipe_node_on_error(n%d, PIPE_ON_ERROR_SKIP, 0);\n", n->id);
    if (n->plan & PLAN_RUNTIME) {
        char flags[128];
        buf_printf(b, "    n%d->flags = %s;\n", n->id, plan_runtime_c(n->plan, flags, sizeof flags));
    }
    buf_printf(b, "    }\n");
    free(pos.p);
}

/* --sandbox: build() declares the file of every file source and sink (their
 * path arguments evaluated once more, before any node exists) and confines
 * the process before it makes the first node: no constructor, an extern
 * proc's included, runs unconfined.  --safe: build() confines the process
 * (Landlock on the allowed folders) before it makes the first node, after
 * the JIT compiled the program. */
static void emit_confine(Emit *E, bool sandbox)
{
    Buf *b = &E->build;
    bool spills = false;
    for (int i = 0; i < E->dag->n; i++) {
        DagNode *n = E->dag->nodes[i];
        unsigned flags = n->row ? n->row->flags : 0;
        spills |= flags & SF_SPILLS;
        static const char *const kinds[] = {"PIPE_PATH_READ", "PIPE_PATH_GLOB", "PIPE_PATH_WRITE"};
        PipePathKind kind;
        if (!sandbox || !safe_path_kind(n, &kind))
            continue;
        buf_printf(b, "    {\n");
        env_open(E, b, n->inst);
        buf_printf(b, "    pipe_rt_sandbox_path(rt_, %s, ", kinds[kind]);
        build_arg(E, b, n, 0, "(PipeStr){0, 0}");
        buf_printf(b, ");\n    }\n");
    }
    buf_printf(b, "    pipe_rt_confine(rt_, %s);\n", spills ? "true" : "false");
}

/* ------------------------------------------------------------------ program */

static void emit_envs(Emit *E)
{
    Dag *dag = E->dag;
    Node **seen = calloc((size_t)dag->ninsts + 1, sizeof(Node *));
    int nseen = 0;
    for (int i = 0; i < dag->ninsts; i++) {
        Node *d = dag->insts[i].decl;
        bool done = false;
        for (int j = 0; j < nseen; j++)
            done |= seen[j] == d;
        if (!done) {
            seen[nseen++] = d;
            buf_printf(&E->decls, "typedef struct Env_%s {", d->name);
            for (int j = 0; j < d->params.n; j++)
                buf_printf(&E->decls, " %s e_%s;", ctype(E, d->params.v[j]->type), d->params.v[j]->name);
            if (!d->params.n)
                buf_printf(&E->decls, " int unused_;");
            buf_printf(&E->decls, " } Env_%s;\n", d->name);
        }
        buf_printf(&E->run, "    Env_%s E%d;\n", d->name, i);
        /* the instance's arguments, evaluated in the caller's scope */
        DagInst *I = &dag->insts[i];
        Node **slots = I->args;
        Buf *b = &E->build;
        buf_printf(b, "    {\n");
        env_open(E, b, I->parent);
        for (int j = 0; j < d->params.n; j++) {
            Node *a = slots && slots[j] ? slots[j] : d->params.v[j]->b;
            buf_printf(b, "    R_->E%d.e_%s = ", i, d->params.v[j]->name);
            if (a)
                ex_as(E, b, a, d->params.v[j]->type);
            else
                buf_printf(b, "R_->E%d.e_%s", i, d->params.v[j]->name);
            buf_printf(b, ";\n");
        }
        buf_printf(b, "    }\n");
    }
    free(seen);
}

static void embed_text(Buf *b, const char *text)
{
    /* project includes are resolved by concatenation; system ones stay */
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
        if (!(n > 10 && !strncmp(p, "#include \"", 10)))
            buf_add(b, p, n);
        p += n;
    }
}

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), c = strlen(suf);
    return a >= c && !strcmp(s + a - c, suf);
}

/* The runtime and standard library as one C text: headers, then every file. */
static void runtime_text(Buf *o)
{
    buf_printf(o, "#define _GNU_SOURCE 1\n");
    for (const PipeEmbedded *f = pipe_embedded; f->path; f++)
        if (ends_with(f->path, ".h")) {
            buf_printf(o, "/* ---- %s */\n", f->path);
            embed_text(o, f->text);
        }
    for (const PipeEmbedded *f = pipe_embedded; f->path; f++)
        if (ends_with(f->path, ".c")) {
            buf_printf(o, "/* ---- %s */\n", f->path);
            buf_printf(o, "#line 1 \"%s\"\n", f->path);
            embed_text(o, f->text);
        }
}

/* Appends the bytes of the file at path to b; false when it cannot be read. */
static bool read_whole(const char *path, Buf *b)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(b, chunk, got);
    bool ok = !ferror(f);
    fclose(f);
    return ok;
}

/* Writes `imports_`, the other files the program is built from with their
 * SHA-256 (imported scripts in load order, then extern procs' C files), and
 * puts the main script's SHA-256 in sha.  A script is hashed as pipec read
 * it (so the hash is `sha256sum SCRIPT`); a file that cannot be read any
 * more gets an empty hash. */
static void write_provenance(Emit *E, Buf *tail, const EmitOut *out, char sha[65])
{
    const Program *prog = E->s->prog;
    sha[0] = '\0';
    buf_printf(tail, "static const char *const imports_[] = {");
    for (int i = 0; prog && i < prog->nfiles; i++) {
        const SrcFile *f = diag_file(E->s->diag, prog->files[i]->loc.file);
        char hex[65];
        sha256_hex(f->text, f->len, i ? hex : sha);
        if (!i)
            continue;
        c_quoted(tail, f->path, strlen(f->path));
        buf_printf(tail, ", \"%s\", ", hex);
    }
    for (int i = 0; i < out->nextern; i++) {
        Buf x = {0};
        char hex[65] = "";
        if (read_whole(out->extern_files[i], &x))
            sha256_hex(x.p ? x.p : "", x.n, hex);
        free(x.p);
        c_quoted(tail, out->extern_files[i], strlen(out->extern_files[i]));
        buf_printf(tail, ", \"%s\", ", hex);
    }
    buf_printf(tail, "0};\n");
}

char *emit_runtime(size_t *len)
{
    Buf o = {0};
    runtime_text(&o);
    *len = o.n;
    return o.p;
}

/* The parameters' struct and build_(), which makes the run's state (Run_,
 * the parameters' values copied in) and the DAG into rt_. */
static void emit_build(Emit *E)
{
    Node *pl = E->dag->pipeline;
    buf_printf(&E->decls, "typedef struct Params {");
    for (int i = 0; i < pl->params.n; i++)
        buf_printf(&E->decls, " %s p_%s;", ctype(E, pl->params.v[i]->type), pl->params.v[i]->name);
    if (!pl->params.n)
        buf_printf(&E->decls, " int unused_;");
    buf_printf(&E->decls, " } Params;\n");

    Buf *b = &E->build;
    buf_printf(b, "static void build_(PipeRt *rt_, const void *params_)\n{\n    PipeNode *self_ = 0; (void)self_;\n");
    buf_printf(b, "    Run_ *R_ = pipe_rt_state(rt_, sizeof(Run_));\n");
    buf_printf(b, "    R_->P = *(const Params *)params_;\n    PipeArena *S = R_->S = pipe_scratch(rt_); (void)S;\n");
    for (int i = 0; i < E->dag->n; i++)
        buf_printf(b, "    PipeNode *n%d = 0;\n", E->dag->nodes[i]->id);
    emit_envs(E);
    if (E->s->safe && (E->s->safe->sandbox || E->s->safe->safe))
        emit_confine(E, E->s->safe->sandbox);
    for (int i = 0; i < E->dag->n; i++)
        emit_node(E, E->dag->nodes[i]);
    for (int i = 0; i < E->dag->n; i++)
        buf_printf(b, "    (void)n%d;\n", E->dag->nodes[i]->id);
    buf_printf(b, "}\n");
}

/* The default of parameter p as the text pipe_main parses, or 0 (required). */
static void param_default(Buf *b, const Node *p)
{
    if (!p->b)
        buf_printf(b, "0");
    else if (p->b->kind == N_STR)
        c_quoted(b, p->b->str.p, p->b->str.n);
    else if (p->b->kind == N_INT)
        buf_printf(b, "\"%lld\"", (long long)p->b->ival);
    else if (p->b->kind == N_FLOAT)
        buf_printf(b, "\"%.17g\"", p->b->fval);
    else if (p->b->kind == N_BOOL)
        buf_printf(b, "\"%s\"", p->b->bval ? "true" : "false");
    else
        buf_printf(b, "0");
}

/* Lists the C files of the extern procs (resolved by sema) in out, once each. */
static void extern_files(const Dag *dag, EmitOut *out)
{
    for (int i = 0; i < dag->n; i++) {
        DagNode *n = dag->nodes[i];
        if (n->kind != SK_EXTERN)
            continue;
        bool dup = false;
        for (int k = 0; k < out->nextern; k++)
            dup |= !strcmp(out->extern_files[k], n->decl->name2);
        if (dup)
            continue;
        out->extern_files = realloc(out->extern_files, sizeof(char *) * (size_t)(out->nextern + 1));
        out->extern_files[out->nextern++] = strdup(n->decl->name2);
    }
}

/* The program descriptor pipe_program (constant tables: parameters,
 * provenance, safe mode's folders), and main() unless for the JIT. */
static void emit_descriptor(Emit *E, EmitMode mode, EmitOut *out, Buf *tail)
{
    Node *pl = E->dag->pipeline;
    buf_printf(tail, "static const PipeParam params_[] = {");
    for (int i = 0; i < pl->params.n; i++) {
        Node *p = pl->params.v[i];
        buf_printf(tail, "{\"%s\", %s, ", p->name, tdesc(E, p->type));
        param_default(tail, p);
        buf_printf(tail, "}, ");
    }
    buf_printf(tail, "{0, 0, 0}};\nstatic const uint32_t param_offsets_[] = {");
    for (int i = 0; i < pl->params.n; i++)
        buf_printf(tail, "PIPE_OFFSETOF(Params, p_%s), ", pl->params.v[i]->name);
    buf_printf(tail, "0};\n");
    extern_files(E->dag, out);
    char sha[65];
    write_provenance(E, tail, out, sha);
    const SafeOpts *so = E->s->safe;
    if (so) /* the folders the run checks computed paths against */
        for (int w = 0; w < 2; w++) {
            buf_printf(tail, "static const char *const allow_%s_[] = {", w ? "write" : "read");
            for (int i = 0; i < (w ? so->nwrite : so->nread); i++) {
                const char *d = w ? so->write[i] : so->read[i];
                c_quoted(tail, d, strlen(d));
                buf_printf(tail, ", ");
            }
            buf_printf(tail, "NULL};\n");
        }
    buf_printf(tail, "const PipeProgram pipe_program = {.name = \"%s\", .script = ", pl->name);
    c_quoted(tail, E->script, strlen(E->script));
    buf_printf(tail,
               ", .nparams = %d, .params = params_, .params_size = sizeof(Params), .offsets = param_offsets_, "
               ".build = build_, .pipec_version = \"%s\", .script_sha256 = \"%s\", .imports = imports_",
               pl->params.n, PIPEC_VERSION, sha);
    if (so)
        buf_printf(tail, ", .safe = %s, .sandbox = %s, .allow_read = allow_read_, .allow_write = allow_write_",
                   so->safe ? "true" : "false", so->sandbox ? "true" : "false");
    buf_printf(tail, "};\n");
    if (mode != EMIT_JIT)
        buf_printf(tail, "\nint main(int argc, char **argv)\n{\n    return pipe_main(&pipe_program, argc, argv);\n}\n");
}

/* What comes before the pipeline: for EMIT_STANDALONE a comment, the runtime
 * and the extern procs' C (pasted in, so that one file is the program; out
 * then lists none); else the public headers. */
static void emit_head(Emit *E, EmitMode mode, EmitOut *out, Buf *o)
{
    const char *script = E->script;
    if (mode != EMIT_STANDALONE) {
        buf_printf(o, mode == EMIT_JIT ? "#define PIPE_FREESTANDING 1\n" : "#define _GNU_SOURCE 1\n");
        for (const PipeEmbedded *f = pipe_embedded; f->path; f++)
            if (!strcmp(f->path, "runtime/pipe.h") || !strcmp(f->path, "stdlib/pipe_std.h"))
                embed_text(o, f->text);
        return;
    }
    /* the C file as the user named it (-o), else after the script */
    const char *named = E->c_name ? E->c_name : script;
    const char *base = strrchr(named, '/') ? strrchr(named, '/') + 1 : named;
    int blen = (int)strlen(base);
    if (E->c_name && !(ends_with(base, ".c") && blen > 2))
        buf_printf(o, "/* cc -O2 -o a.out -x c %s -lpcre2-8 -lz -lm\n", base);
    else {
        blen -= E->c_name ? 2 : ends_with(base, ".pipe") ? 5 : 0;
        buf_printf(o, "/* cc -O2 -o %.*s %.*s.c -lpcre2-8 -lz -lm\n", blen, base, blen, base);
    }
    buf_printf(o,
               " * Generated by pipec from %s (pipeline '%s'): the Pipe runtime and standard\n"
               " * library are included, so this one file is the whole program. */\n",
               script, E->dag->pipeline->name);
    if (E->s->safe && E->s->safe->sandbox && out->nextern)
        buf_printf(o, "/* --sandbox: the extern procs' C pasted below is not checked: code of theirs that\n"
                      " * runs before main() (a constructor, an IFUNC resolver, a function replacing one\n"
                      " * of the C library's) would run before this program confines itself.  `pipec\n"
                      " * build --sandbox` checks their objects and refuses such code. */\n");
    runtime_text(o);
    for (int i = 0; i < out->nextern; i++) {
        Buf x = {0};
        if (!read_whole(out->extern_files[i], &x))
            continue; /* sema checked it; the C compiler will say what is missing */
        buf_printf(o, "/* ---- %s */\n#line 1 ", out->extern_files[i]);
        c_quoted(o, out->extern_files[i], strlen(out->extern_files[i]));
        buf_printf(o, "\n");
        embed_text(o, x.p ? x.p : "");
        free(x.p);
        free((char *)out->extern_files[i]);
    }
    out->nextern = 0;
    buf_printf(o, "/* ---- the pipeline */\n#line 1 \"pipeline.c\"\n");
}

static void emit_fns(Emit *E);

void emit_program(Sema *s, Dag *dag, EmitMode mode, const char *script, const char *c_name, EmitOut *out)
{
    Emit E = {0};
    E.s = s;
    E.dag = dag;
    E.script = script;
    E.c_name = c_name;
    E.self = "self_";
    E.types = type_tab_new();
    memset(out, 0, sizeof *out);
    emit_fns(&E);
    emit_build(&E);
    Buf tail = {0};
    emit_descriptor(&E, mode, out, &tail);

    Buf o = {0};
    emit_head(&E, mode, out, &o);
    buf_printf(
        &o, "#define PIPE_OFFSETOF(T, f) ((size_t)&((T *)0)->f)\n#define INT64_MAX_ ((int64_t)0x7fffffffffffffffLL)\n");
    write_types(&E, &o);
    buf_add(&o, E.decls.p ? E.decls.p : "", E.decls.n);
    /* a run's state: what the functions below reach through R_ */
    buf_printf(&o, "typedef struct Run_ {\n    Params P;\n    PipeArena *S;\n");
    buf_add(&o, E.run.p ? E.run.p : "", E.run.n);
    buf_printf(&o, "} Run_;\n/* a map, filter or flat_map node: its push finds the run here */\n"
                   "typedef struct RunNode_ {\n    PipeNode base;\n    Run_ *run;\n} RunNode_;\n");
    buf_add(&o, E.fnprotos.p ? E.fnprotos.p : "", E.fnprotos.n);
    buf_add(&o, E.funcs.p ? E.funcs.p : "", E.funcs.n);
    buf_add(&o, E.build.p ? E.build.p : "", E.build.n);
    buf_add(&o, tail.p, tail.n);
    out->code = o.p;
    out->len = o.n;

    free(E.decls.p);
    free(E.fnprotos.p);
    free(E.run.p);
    free(E.funcs.p);
    free(E.build.p);
    free(tail.p);
    free(E.tys);
    type_tab_free(E.types);
}

void emit_free(EmitOut *out)
{
    free(out->code);
    for (int i = 0; i < out->nextern; i++)
        free((char *)out->extern_files[i]);
    free(out->extern_files);
    memset(out, 0, sizeof *out);
}

/* ------------------------------------------------------------------ fns and literals (LANGUAGE.md §9) */

/* How much C stack nested fn calls may take before the run stops with an
 * error naming the fn: deeper runaway recursion would overflow the stack and
 * crash.  Measured, not counted, as a frame's size depends on the fn's body
 * and the C compiler; 2 MiB hold some 10000 calls of a small fn.  (An inlined
 * call may put its here_ above its caller's: only a distance down counts.) */
#define FN_STACK_MAX (2u << 20)

/* The C function of fn d: static, with the caller's node (for errors), run,
 * scratch arena and the stack address of the outermost fn call (0 from
 * outside a fn), then the parameters. */
static void fn_head(Emit *E, Buf *b, Node *d)
{
    buf_printf(b, "static %s fn_%s(PipeNode *self_, Run_ *R_, PipeArena *S, size_t base_", ctype(E, d->type), d->name);
    for (int i = 0; i < d->params.n; i++) {
        Sym *y = d->params.v[i]->sym;
        buf_printf(b, ", %s v_%s_%d", ctype(E, y->type), y->name, y->id);
    }
    buf_printf(b, ")");
}

static void emit_fn(Emit *E, Node *d)
{
    Buf *b = &E->funcs;
    fn_head(E, &E->fnprotos, d);
    buf_printf(&E->fnprotos, ";\n");
    fn_head(E, b, d);
    buf_printf(b, "\n{\n    (void)R_; (void)S;\n");
    for (int i = 0; i < d->params.n; i++)
        buf_printf(b, "    (void)v_%s_%d;\n", d->params.v[i]->sym->name, d->params.v[i]->sym->id);
    buf_printf(b, "    char here_; size_t b_ = base_ ? base_ : (size_t)&here_;\n"
                  "    if (b_ > (size_t)&here_ && b_ - (size_t)&here_ > %uu)\n        pipe_fail(self_, \"fn '%s': calls nested too deep (%u MiB "
                  "of stack): runaway recursion?\");\n", FN_STACK_MAX, d->name, FN_STACK_MAX >> 20);
    E->ret_type = d->type;
    if (d->a->kind == N_BLOCK) {
        stmts(E, b, d->a, 1);
        /* sema saw a return on every path: this is never reached */
        buf_printf(b, "    return ");
        zero(E, b, d->type);
        buf_printf(b, ";\n}\n");
    } else {
        line_dir(E, b, d->a->loc);
        buf_printf(b, "    return ");
        ex_as(E, b, d->a, d->type);
        buf_printf(b, ";\n}\n");
    }
}

/* Every fn of the program (imports too), before the stage functions that
 * call them; a fn's body sees only its parameters. */
static void emit_fns(Emit *E)
{
    const char *self = E->self;
    E->self = "self_";
    E->in_fn = true;
    for (int i = 0; i < E->s->nfns; i++)
        emit_fn(E, E->s->fns[i]);
    E->in_fn = false;
    E->ret_type = NULL;
    E->self = self;
}

/* A call of fn e->name: from a fn one level deeper, else at depth 0. */
static void fn_call(Emit *E, Buf *b, Node *e)
{
    Node *d = sema_find_fn(E->s, e->name);
    buf_printf(b, "fn_%s(%s, R_, S, %s", d->name, E->self, E->in_fn ? "b_" : "0");
    for (int i = 0; i < e->list.n; i++) {
        buf_printf(b, ", ");
        ex_as(E, b, ast_arg(e, i), d->params.v[i]->type);
    }
    buf_printf(b, ")");
}

/* `{k: v, ...}`, `{x, ...}` and `{}`: a map or set of the scratch arena,
 * filled in order (a repeated key keeps its last value). */
static void brace_literal(Emit *E, Buf *b, Node *e)
{
    const Type *t = e->type;
    const Type *kt = t->elems[0], *vt = t->kind == T_MAP ? t->elems[1] : NULL;
    char m[16], k[16], w[16], v[16];
    tmpname(E, m, sizeof m);
    buf_printf(b, "({ PipeMap *%s = pipe_map_scratch(S, %s, %s);", m, tdesc(E, kt), vt ? tdesc(E, vt) : "0");
    for (int i = 0; i < e->list.n; i++) {
        Node *x = e->list.v[i];
        tmpname(E, k, sizeof k);
        tmpname(E, w, sizeof w);
        buf_printf(b, " { %s %s = ", ctype(E, kt), k);
        ex_as(E, b, vt ? x->a : x, kt);
        if (!vt) {
            buf_printf(b, "; bool %s; (void)pipe_map_upsert(%s, &%s, &%s); }", w, m, k, w);
            continue;
        }
        tmpname(E, v, sizeof v);
        buf_printf(b, "; %s %s = ", ctype(E, vt), v);
        ex_as(E, b, x->b, vt);
        buf_printf(b, "; bool %s_c; %s *%s = pipe_map_upsert(%s, &%s, &%s_c); if (!%s_c) pipe_drop(%s, %s); "
                      "pipe_clone(%s, %s, &%s, 0); }",
                   w, ctype(E, vt), w, m, k, w, w, tdesc(E, vt), w, tdesc(E, vt), w, v);
    }
    buf_printf(b, " %s; })", m);
}

/* get(m, k): the value at k as a V?, none when k is missing (m[k] would read
 * the zero value) */
void emit_fn_get(Emit *E, Buf *b, Node *e)
{
    Node *m = ast_arg(e, 0);
    const Type *kt = m->type->elems[0], *vt = m->type->elems[1];
    char k[16], p[16];
    tmpname(E, k, sizeof k);
    tmpname(E, p, sizeof p);
    buf_printf(b, "({ %s %s = ", ctype(E, kt), k);
    ex_as(E, b, ast_arg(e, 1), kt);
    buf_printf(b, "; void *%s = pipe_map_get(", p);
    ex(E, b, m);
    if (vt->kind == T_OPT)
        buf_printf(b, ", &%s); %s ? *(%s *)%s : (%s){0}; })", k, p, ctype(E, vt), p, ctype(E, vt));
    else
        buf_printf(b, ", &%s); %s ? (%s){*(%s *)%s, 1} : (%s){0}; })", k, p, ctype(E, e->type), ctype(E, vt), p,
                   ctype(E, e->type));
}
