/* fmt.c — `pipec fmt`: prints the tree in the canonical layout, then puts every
 * comment back where its source line went; checks itself by parsing the result. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fmt.h"
#include "parse.h"
#include "parser.h" /* token numbers (INT, FLOAT) of Comments.toks */

/* The layout (LANGUAGE.md's own examples are its model):
 * - 4 spaces per level; one declaration per paragraph, one blank line between
 *   declarations; inside a block, one blank line where the user had one or more;
 *   none after '{' or before '}'.
 * - Blocks always open on their statement's line and close on a line of their
 *   own, `} else {` included; an empty block with no comment is `{}`.
 * - A flow goes on one line when that fits in WIDTH columns and no comment
 *   would stay among its stages; else one stage per line, each after a `| `
 *   that hangs two spaces in from the statement (so the stage is one level in,
 *   as in LANGUAGE.md's top_words).  A stage that is a call and still passes
 *   WIDTH gets one argument per line, one level in from the line that opens
 *   the call, and its `)` back on that level on a line of its own (as the
 *   editors indent brackets); an argument that is a lambda and still passes
 *   it goes on after its `=>` one more level in.  A declaration's head that
 *   passes WIDTH gets one parameter per line the same way (gofmt's and
 *   black's layout).  Newlines inside parentheses, after `,` and after `=>`
 *   are only layout, so these breaks parse to the same tree.  Nothing else
 *   is ever broken.
 * - One space around binary operators and `=>`, after ',' and ':'; parentheses
 *   only where the grammar needs them, and around a comparison under `not`
 *   (`not (k in seen)`); numbers as written; strings with the
 *   escapes \n \t \\ \" and \xHH for other control bytes and invalid UTF-8.
 * - Comments keep their text (less trailing blanks).  A comment alone on its
 *   line goes alone on the line before the output line of the next code line's
 *   first token, at that line's indentation (inside the block before a '}');
 *   a comment after code trails, after two spaces, the output line of the
 *   token before it (of the '{' when a whole block is on its line).  When two
 *   would trail one line (an expression that was on several lines), the
 *   earlier goes alone on the line above it. */

enum { WIDTH = 80, INDENT = 4, HANG = 2 };

/* Binding strengths, weakest first: one per nonterminal of parser.y's
 * expression grammar, so a child printed at its slot's level re-parses as it. */
enum { P_EXPR, P_OR, P_AND, P_NOT, P_CMP, P_COALESCE, P_ADD, P_MUL, P_UNARY, P_POSTFIX };

/* What a line is, for blank lines and for where comments before it go. */
typedef enum LineKind {
    L_DECL,  /* starts a declaration: one blank line before its comments */
    L_STMT,  /* starts a statement or body item: keeps one user blank line */
    L_CONT,  /* goes on with a statement (a flow's stage): no blank lines */
    L_CLOSE, /* '}' (or '} else {'): comments before it are inside the block */
    L_EOF,   /* no text: holds the comments at the end of the file */
} LineKind;

typedef struct Line {
    size_t text, len; /* in Fmt.out */
    int indent;
    LineKind kind;
    int src;          /* offset of its first source token */
    bool opens;       /* ends with '{' */
} Line;

/* Output line `line` holds the source token at offset off. */
typedef struct Anchor {
    int off, line;
} Anchor;

typedef struct Fmt {
    const char *src;
    int srclen;
    const Comments *cm;
    Buf out;          /* the finished lines' texts, back to back */
    Buf cur;          /* the line being built */
    int cur_indent, cur_src;
    LineKind cur_kind;
    Line *lines;
    int nlines, caplines;
    Anchor *anchors;
    int nanchors, capanchors;
    int *at;          /* per comment: the source token whose output line places it */
    int attempt;      /* printing a layout that may be undone (back_to): no line breaks */
} Fmt;

static void buf_spaces(Buf *b, int n)
{
    for (int i = 0; i < n; i++)
        buf_add(b, " ", 1);
}

/* Columns: UTF-8 continuation bytes take none. */
static int width(const char *p, size_t n)
{
    int w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)p[i] & 0xC0) != 0x80;
    return w;
}

/* ------------------------------------------------------------------ source positions */

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Whether a blank line separates offset off from the code or comment before it. */
static bool blank_line_before(const Fmt *F, int off)
{
    int nl = 0;
    for (int i = off - 1; i >= 0 && (blank(F->src[i]) || F->src[i] == '\n'); i--)
        nl += F->src[i] == '\n';
    return nl >= 2;
}

/* The first token of the next line after off that holds code (not only a
 * comment or blanks); the end of the file when there is none. */
static int next_code_line(const Fmt *F, int off)
{
    int i = off;
    for (;;) {
        while (i < F->srclen && F->src[i] != '\n')
            i++;
        if (i >= F->srclen)
            return F->srclen;
        i++;
        while (i < F->srclen && blank(F->src[i]))
            i++;
        if (i >= F->srclen)
            return F->srclen;
        if (F->src[i] != '\n' && F->src[i] != '#')
            return i;
    }
}

/* The index of the first token at or after offset off. */
static int tok_at(const Fmt *F, int off)
{
    int lo = 0, hi = F->cm->ntoks;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (F->cm->toks[mid].off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The offsets of the first '{' at or after off and of the '}' closing it. */
static void braces_from(const Fmt *F, int off, int *open, int *close)
{
    int depth = 0;
    *open = *close = F->srclen;
    for (int i = tok_at(F, off); i < F->cm->ntoks; i++) {
        int t = F->cm->toks[i].tok;
        if (t == '{' && depth++ == 0)
            *open = F->cm->toks[i].off;
        else if (t == '}' && depth > 0 && --depth == 0) {
            *close = F->cm->toks[i].off;
            return;
        }
    }
}

/* The offset of the ')' closing the first '(' at or after off. */
static int paren_close(const Fmt *F, int off)
{
    int depth = 0;
    for (int i = tok_at(F, off); i < F->cm->ntoks; i++) {
        int t = F->cm->toks[i].tok;
        if (t == '(')
            depth++;
        else if (t == ')' && --depth == 0)
            return F->cm->toks[i].off;
    }
    return F->srclen;
}

/* The offset of the nearest '|' before off (a stage's bar). */
static int bar_before(const Fmt *F, int off)
{
    for (int i = tok_at(F, off) - 1; i >= 0; i--)
        if (F->cm->toks[i].tok == '|')
            return F->cm->toks[i].off;
    return off;
}

/* The source token a comment after code trails: the last one before it, but
 * for `stdin |  # c` the stage before the bar (which goes to the next line),
 * and for `on x { ... }  # c`, where a whole block is on the comment's line,
 * the block's '{' (so the comment stays on the statement's first line). */
static int trailed_token(const Fmt *F, const Comment *c)
{
    int i = tok_at(F, c->off) - 1;
    if (i > 0 && F->cm->toks[i].tok == '|' &&
        !memchr(F->src + F->cm->toks[i - 1].off, '\n', (size_t)(c->off - F->cm->toks[i - 1].off)))
        i--;
    if (i < 0)
        return c->off;
    if (F->cm->toks[i].tok == '}') {
        int depth = 0;
        for (int k = i; k >= 0; k--) {
            const TokSpan *t = &F->cm->toks[k];
            if (t->tok == '}')
                depth++;
            else if (t->tok == '{' && --depth == 0) {
                if (!memchr(F->src + t->off, '\n', (size_t)(c->off - t->off)))
                    return t->off;
                break;
            }
        }
    }
    return F->cm->toks[i].off;
}

/* Whether a comment starts strictly inside (from, to). */
static bool comment_inside(const Fmt *F, int from, int to)
{
    int lo = 0, hi = F->cm->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (F->cm->v[mid].off <= from)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < F->cm->n && F->cm->v[lo].off < to;
}

static int max_end(int e, const Node *n)
{
    return n && n->loc.end > e ? n->loc.end : e;
}

/* The braces of a declaration's body: the first '{' after its head opens it. */
static void body_braces(const Fmt *F, const Node *n, int *open, int *close)
{
    int from = n->loc.end;
    for (int i = 0; i < n->params.n; i++) {
        const Node *p = n->params.v[i];
        from = max_end(max_end(max_end(from, p), p->a), p->b);
    }
    from = max_end(max_end(from, n->has_in ? n->in : NULL), n->has_out ? n->out : NULL);
    braces_from(F, from, open, close);
}

/* ------------------------------------------------------------------ lines */

static void anchor(Fmt *F, int off)
{
    if (F->nanchors == F->capanchors) {
        F->capanchors = F->capanchors ? 2 * F->capanchors : 256;
        F->anchors = xrealloc(F->anchors, (size_t)F->capanchors * sizeof *F->anchors);
    }
    F->anchors[F->nanchors++] = (Anchor){off, F->nlines};
}

static void begin_line(Fmt *F, int indent, LineKind kind, int src)
{
    F->cur.n = 0;
    F->cur_indent = indent;
    F->cur_kind = kind;
    F->cur_src = src;
    anchor(F, src);
}

static void end_line(Fmt *F)
{
    if (F->nlines == F->caplines) {
        F->caplines = F->caplines ? 2 * F->caplines : 128;
        F->lines = xrealloc(F->lines, (size_t)F->caplines * sizeof *F->lines);
    }
    Line *l = &F->lines[F->nlines++];
    l->text = F->out.n;
    l->len = F->cur.n;
    l->indent = F->cur_indent;
    l->kind = F->cur_kind;
    l->src = F->cur_src;
    l->opens = F->cur.n > 0 && F->cur.p[F->cur.n - 1] == '{';
    buf_add(&F->out, F->cur.p ? F->cur.p : "", F->cur.n);
    F->cur.n = 0;
}

static void put(Fmt *F, const char *s)
{
    buf_puts(&F->cur, s);
}

static void put_n(Fmt *F, const char *s, size_t n)
{
    buf_add(&F->cur, s, n);
}

/* Whether the current line, with `more` columns still to come, fits in WIDTH. */
static bool fits(const Fmt *F, int more)
{
    return F->cur_indent + width(F->cur.p, F->cur.n) + more <= WIDTH;
}

/* Where the current line stands, to go back to when a layout does not fit. */
typedef struct Mark {
    size_t text;
    int anchors;
} Mark;

static Mark mark_of(const Fmt *F)
{
    return (Mark){F->cur.n, F->nanchors};
}

static void back_to(Fmt *F, Mark m)
{
    F->cur.n = m.text;
    F->nanchors = m.anchors;
}

/* ------------------------------------------------------------------ literals */

/* The length of the valid UTF-8 sequence at p (of at most n bytes), 0 if none. */
static int utf8_len(const unsigned char *p, size_t n)
{
    int len;
    unsigned min;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        len = 2, min = 0x80;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        len = 3, min = 0x800;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        len = 4, min = 0x10000;
    else
        return 0;
    if ((size_t)len > n)
        return 0;
    unsigned cp = p[0] & (0x7F >> len);
    for (int i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static void put_string(Fmt *F, PipeStr s)
{
    const unsigned char *p = (const unsigned char *)s.p;
    put(F, "\"");
    for (size_t i = 0; i < s.n; i++) {
        char esc[8];
        int k;
        switch (p[i]) {
        case '"': put(F, "\\\""); break;
        case '\\': put(F, "\\\\"); break;
        case '\n': put(F, "\\n"); break;
        case '\t': put(F, "\\t"); break;
        default:
            if (p[i] >= 0x20 && p[i] < 0x7F) {
                put_n(F, (const char *)p + i, 1);
            } else if (p[i] >= 0x80 && (k = utf8_len(p + i, s.n - i)) > 0) {
                put_n(F, (const char *)p + i, (size_t)k);
                i += (size_t)k - 1;
            } else {
                snprintf(esc, sizeof esc, "\\x%02X", p[i]);
                put(F, esc);
            }
        }
    }
    put(F, "\"");
}

/* A number literal's token and whether an odd count of '-' folded into it
 * (parse_unary folds `-7`, `- (7)` and `- -7` into the literal's node). */
static const TokSpan *number_tok(const Fmt *F, const Node *n, bool *neg)
{
    const TokSpan *lit = NULL;
    *neg = false;
    for (int i = tok_at(F, n->loc.off); i < F->cm->ntoks && F->cm->toks[i].off < n->loc.end; i++) {
        if (F->cm->toks[i].tok == '-')
            *neg = !*neg;
        else if (F->cm->toks[i].tok == INT || F->cm->toks[i].tok == FLOAT)
            lit = &F->cm->toks[i];
    }
    return lit;
}

static void put_number(Fmt *F, const Node *n)
{
    bool neg;
    const TokSpan *t = number_tok(F, n, &neg);
    if (neg)
        put(F, "-");
    if (t) {
        put_n(F, F->src + t->off, (size_t)(t->end - t->off));
    } else { /* no token: a tree not from this text (not reached) */
        char buf[40];
        if (n->kind == N_INT)
            snprintf(buf, sizeof buf, "%" PRId64, n->ival);
        else
            snprintf(buf, sizeof buf, "%.17g", n->fval);
        put(F, buf);
    }
}

/* ------------------------------------------------------------------ types and expressions */

static void pr_type(Fmt *F, const Node *t)
{
    anchor(F, t->loc.off);
    switch (t->kind) {
    case N_TNAME:
        put(F, t->name);
        break;
    case N_TTUPLE:
        put(F, "(");
        for (int i = 0; i < t->list.n; i++) {
            if (i)
                put(F, ", ");
            pr_type(F, t->list.v[i]);
        }
        put(F, ")");
        break;
    case N_TLIST:
        put(F, "[");
        pr_type(F, t->a);
        put(F, "]");
        break;
    case N_TSET:
        put(F, "{");
        pr_type(F, t->a);
        put(F, "}");
        break;
    case N_TMAP:
        put(F, "{");
        pr_type(F, t->a);
        put(F, ": ");
        pr_type(F, t->b);
        put(F, "}");
        break;
    case N_TOPT:
        pr_type(F, t->a);
        put(F, "?");
        break;
    default:
        put(F, "?");
    }
}

static int prec(const Fmt *F, const Node *n)
{
    bool neg;
    switch (n->kind) {
    case N_LAMBDA: case N_COND:
        return P_EXPR;
    case N_UNARY:
        return n->op == OP_NOT ? P_NOT : P_UNARY;
    case N_INT: case N_FLOAT:
        number_tok(F, n, &neg);
        return neg ? P_UNARY : P_POSTFIX;
    case N_BINARY:
        switch (n->op) {
        case OP_OR: return P_OR;
        case OP_AND: return P_AND;
        case OP_ADD: case OP_SUB: return P_ADD;
        case OP_MUL: case OP_DIV: case OP_MOD: return P_MUL;
        case OP_COALESCE: return P_COALESCE;
        default: return P_CMP;
        }
    default:
        return P_POSTFIX;
    }
}

static void pr_expr(Fmt *F, const Node *n, int level);

/* seq[start:end], either bound left out as written */
static void pr_slice(Fmt *F, const Node *n)
{
    pr_expr(F, n->a, P_POSTFIX);
    put(F, "[");
    if (n->b)
        pr_expr(F, n->b, P_EXPR);
    put(F, ":");
    if (n->c)
        pr_expr(F, n->c, P_EXPR);
    put(F, "]");
}

static void pr_list(Fmt *F, const NodeList *l)
{
    for (int i = 0; i < l->n; i++) {
        if (i)
            put(F, ", ");
        pr_expr(F, l->v[i], P_EXPR);
    }
}

/* The `name: ` of a named argument (nothing for another). */
static void pr_arg_name(Fmt *F, const Node *arg)
{
    anchor(F, arg->loc.off);
    if (arg->name) {
        put(F, arg->name);
        put(F, ": ");
    }
}

/* A call's argument, `name: value` when named. */
static void pr_arg(Fmt *F, const Node *arg)
{
    pr_arg_name(F, arg);
    pr_expr(F, arg->a, P_EXPR);
}

/* A lambda's parameters and its `=>`: `x =>`, `(a, b) =>`. */
static void pr_lambda_head(Fmt *F, const Node *n)
{
    if (n->list.n == 1) {
        put(F, n->list.v[0]->name);
    } else {
        put(F, "(");
        for (int i = 0; i < n->list.n; i++) {
            if (i)
                put(F, ", ");
            put(F, n->list.v[i]->name);
        }
        put(F, ")");
    }
    put(F, " =>");
}

static void pr_binary(Fmt *F, const Node *n)
{
    int left, right;
    switch (prec(F, n)) {
    case P_OR: left = P_OR, right = P_AND; break;
    case P_AND: left = P_AND, right = P_NOT; break;
    case P_CMP: left = right = P_COALESCE; break; /* comparisons do not chain */
    case P_COALESCE: left = P_ADD, right = P_COALESCE; break; /* a ?? (b ?? c) */
    case P_ADD: left = P_ADD, right = P_MUL; break;
    default: left = P_MUL, right = P_UNARY; break;
    }
    pr_expr(F, n->a, left);
    put(F, " ");
    put(F, ast_op_name(n->op));
    put(F, " ");
    pr_expr(F, n->b, right);
}

/* `Name { a: x, b: y }` on the current line, or broken: one field a line,
 * one level in, each with a ',', and the '}' at the line's indentation (a
 * record value that does not fit, where no layout is being tried). */
static void pr_record_value(Fmt *F, const Node *n, bool broken)
{
    put(F, n->name);
    if (!broken) {
        put(F, n->list.n ? " { " : " {}");
        for (int i = 0; i < n->list.n; i++) {
            if (i)
                put(F, ", ");
            pr_arg(F, n->list.v[i]);
        }
        if (n->list.n)
            put(F, " }");
        return;
    }
    int indent = F->cur_indent, open, close;
    braces_from(F, n->loc.off, &open, &close);
    put(F, " {");
    end_line(F);
    for (int i = 0; i < n->list.n; i++) {
        begin_line(F, indent + INDENT, L_CONT, n->list.v[i]->loc.off);
        pr_arg(F, n->list.v[i]);
        put(F, ",");
        end_line(F);
    }
    begin_line(F, indent, L_CONT, close);
    put(F, "}");
}

/* `{x, y}` and `{k: v, ...}` on one line */
static void pr_brace_literal(Fmt *F, const Node *n)
{
    put(F, "{");
    for (int i = 0; i < n->list.n; i++) {
        const Node *x = n->list.v[i];
        put(F, i ? ", " : "");
        pr_expr(F, n->kind == N_MAPLIT ? x->a : x, P_EXPR);
        if (n->kind == N_MAPLIT) {
            put(F, ": ");
            pr_expr(F, x->b, P_EXPR);
        }
    }
    put(F, "}");
}

/* `not x`, `-x` */
static void pr_unary(Fmt *F, const Node *n)
{
    if (n->op == OP_NOT) {
        /* `not (k in seen)`, as LANGUAGE.md writes it: `not k in seen`
         * would read as `(not k) in seen` */
        put(F, "not ");
        pr_expr(F, n->a, prec(F, n->a) == P_CMP ? P_ADD : P_NOT);
    } else {
        put(F, "-");
        /* `-(-x)` rather than `--x` */
        bool inner_neg = n->a->kind == N_UNARY && n->a->op == OP_NEG;
        pr_expr(F, n->a, inner_neg ? P_POSTFIX : P_UNARY);
    }
}

/* `t.0`, `r.name` */
static void pr_field(Fmt *F, const Node *n)
{
    char buf[32];
    /* `(5).0`: without them `5.0` would be a float */
    if (n->a->kind == N_INT && prec(F, n->a) == P_POSTFIX) {
        put(F, "(");
        pr_expr(F, n->a, P_EXPR);
        put(F, ")");
    } else {
        pr_expr(F, n->a, P_POSTFIX);
    }
    if (n->name) {
        put(F, ".");
        put(F, n->name);
    } else {
        snprintf(buf, sizeof buf, ".%d", n->field);
        put(F, buf);
    }
}

static void pr_expr(Fmt *F, const Node *n, int level)
{
    bool paren = prec(F, n) < level;
    if (paren)
        put(F, "(");
    anchor(F, n->loc.off);
    switch (n->kind) {
    case N_INT: case N_FLOAT:
        put_number(F, n);
        break;
    case N_STR:
        put_string(F, n->str);
        break;
    case N_BOOL:
        put(F, n->bval ? "true" : "false");
        break;
    case N_NAME:
        put(F, n->name);
        break;
    case N_FIELD:
        pr_field(F, n);
        break;
    case N_NONE:
        put(F, "none");
        break;
    case N_RECLIT: {
        Mark m = mark_of(F);
        F->attempt++;
        pr_record_value(F, n, false);
        F->attempt--;
        if (F->attempt == 0 && n->list.n > 1 && !fits(F, 0)) {
            back_to(F, m);
            pr_record_value(F, n, true);
        }
        break;
    }
    case N_INDEX:
        pr_expr(F, n->a, P_POSTFIX);
        put(F, "[");
        pr_expr(F, n->b, P_EXPR);
        put(F, "]");
        break;
    case N_SLICE:
        pr_slice(F, n);
        break;
    case N_CATCH:
        pr_expr(F, n->a, P_POSTFIX);
        put(F, " on error ");
        put(F, n->b->name);
        break;
    case N_CALL:
        put(F, n->name);
        put(F, "(");
        for (int i = 0; i < n->list.n; i++) {
            if (i)
                put(F, ", ");
            pr_arg(F, n->list.v[i]);
        }
        put(F, ")");
        break;
    case N_LAMBDA:
        pr_lambda_head(F, n);
        put(F, " ");
        pr_expr(F, n->a, P_EXPR);
        break;
    case N_BINARY:
        pr_binary(F, n);
        break;
    case N_UNARY:
        pr_unary(F, n);
        break;
    case N_COND:
        put(F, "if ");
        pr_expr(F, n->a, P_EXPR);
        put(F, " then ");
        pr_expr(F, n->b, P_EXPR);
        put(F, " else ");
        pr_expr(F, n->c, P_EXPR);
        break;
    case N_TUPLE:
        put(F, "(");
        pr_list(F, &n->list);
        put(F, ")");
        break;
    case N_LIST:
        put(F, "[");
        pr_list(F, &n->list);
        put(F, "]");
        break;
    case N_SETLIT: case N_MAPLIT:
        pr_brace_literal(F, n);
        break;
    default:
        put(F, "?");
    }
    if (paren)
        put(F, ")");
}

/* ------------------------------------------------------------------ statements and declarations */

typedef void PrItem(Fmt *F, const Node *n, int indent);

/* ` {`, the items one level in, and the '}' at close, which stays the current
 * line (for ` else`); `{}` when there is nothing inside, not even a comment. */
static void pr_braced(Fmt *F, const NodeList *items, int open, int close, int indent, PrItem *item)
{
    put(F, " {");
    if (items->n == 0 && !comment_inside(F, open, close)) {
        put(F, "}");
        return;
    }
    end_line(F);
    for (int i = 0; i < items->n; i++)
        item(F, items->v[i], indent + INDENT);
    begin_line(F, indent, L_CLOSE, close);
    put(F, "}");
}

static void pr_stmt(Fmt *F, const Node *n, int indent);

static void pr_block(Fmt *F, const Node *b, int indent)
{
    pr_braced(F, &b->list, b->loc.off, b->loc.end - 1, indent, pr_stmt);
}

static void pr_if(Fmt *F, const Node *n, int indent)
{
    anchor(F, n->loc.off);
    put(F, "if ");
    pr_expr(F, n->a, P_EXPR);
    pr_block(F, n->b, indent);
    if (!n->c)
        return;
    put(F, " else");
    if (n->c->kind == N_IF) {
        put(F, " ");
        pr_if(F, n->c, indent);
    } else {
        pr_block(F, n->c, indent);
    }
}

static void pr_stmt(Fmt *F, const Node *n, int indent)
{
    begin_line(F, indent, L_STMT, ast_span(n).off);
    switch (n->kind) {
    case N_LET:
        put(F, "let ");
        put(F, n->name);
        if (n->b) {
            put(F, ": ");
            pr_type(F, n->b);
        }
        put(F, " = ");
        pr_expr(F, n->a, P_EXPR);
        break;
    case N_ASSIGN:
        pr_expr(F, n->a, P_POSTFIX);
        put(F, " ");
        if (n->op != OP_SET)
            put(F, ast_op_name(n->op));
        put(F, "= ");
        pr_expr(F, n->b, P_EXPR);
        break;
    case N_IF:
        pr_if(F, n, indent);
        break;
    case N_FOR:
        put(F, "for ");
        put(F, n->name);
        if (n->name2) {
            put(F, ", ");
            put(F, n->name2);
        }
        put(F, " in ");
        pr_expr(F, n->a, P_EXPR);
        pr_block(F, n->b, indent);
        break;
    case N_WHILE:
        put(F, "while ");
        pr_expr(F, n->a, P_EXPR);
        pr_block(F, n->b, indent);
        break;
    case N_EMIT:
        put(F, "emit ");
        pr_expr(F, n->a, P_EXPR);
        break;
    case N_RETURN:
        put(F, "return ");
        pr_expr(F, n->a, P_EXPR);
        break;
    case N_EXPR_STMT:
        pr_expr(F, n->a, P_POSTFIX);
        break;
    default:
        put(F, "?");
    }
    end_line(F);
}

/* Whether some comment would end up among the stages if the flow went one
 * stage per line: then it must (else the comment would leave the flow, and a
 * second fmt would join it again).  Comments placed by a token of the flow go
 * to its stages' lines (as `at` says; see render); those before the first
 * stage's line or trailing the last's end up outside the flow. */
static bool comment_among_stages(const Fmt *F, const Node *flow)
{
    int nst = flow->list.n;
    if (nst < 2)
        return false;
    int lo = 0, hi = F->cm->n;
    while (lo < hi) { /* `at` never decreases from one comment to the next */
        int mid = (lo + hi) / 2;
        if (F->at[mid] < flow->loc.off)
            lo = mid + 1;
        else
            hi = mid;
    }
    int stage = -1, last = -1;
    for (int k = lo; k <= F->cm->n; k++) {
        int st = -1;
        if (k < F->cm->n && F->at[k] < flow->loc.end) {
            st = 0;
            while (st + 1 < nst && bar_before(F, flow->list.v[st + 1]->loc.off) <= F->at[k])
                st++;
        }
        if (st != stage && stage >= 0) {
            /* comments lo..last went to stage's line; the last trails it if it trailed code */
            bool trails = !F->cm->v[last].own_line;
            if (stage > 0 && (stage < nst - 1 || !trails || last > lo))
                return true;
            if (stage == 0 && trails)
                return true;
            lo = k;
        }
        if (st < 0)
            break;
        stage = st;
        last = k;
    }
    return false;
}

/* A call's argument on a line of its own at indent, with its ',' unless it
 * is the last; a lambda that does not fit goes on after its `=>` one level
 * further in. */
static void pr_arg_line(Fmt *F, const Node *arg, int indent, bool last)
{
    begin_line(F, indent, L_CONT, arg->loc.off);
    Mark m = mark_of(F);
    F->attempt++;
    pr_arg(F, arg);
    F->attempt--;
    put(F, last ? "" : ",");
    const Node *v = arg->a;
    if (v->kind == N_LAMBDA && !fits(F, 0)) {
        back_to(F, m);
        pr_arg_name(F, arg);
        anchor(F, v->loc.off);
        pr_lambda_head(F, v);
        end_line(F);
        begin_line(F, indent + INDENT, L_CONT, v->a->loc.off);
        pr_expr(F, v->a, P_EXPR);
        put(F, last ? "" : ",");
    }
    end_line(F);
}

/* Stage n of a flow after what the current line holds.  A call that does not
 * fit takes one argument per line, one level in from indent, and its `)` on
 * a line of its own at indent. */
static void pr_stage(Fmt *F, const Node *n, int indent)
{
    Mark m = mark_of(F);
    F->attempt++;
    pr_expr(F, n, P_POSTFIX);
    F->attempt--;
    if (fits(F, 0) || n->kind != N_CALL || n->list.n == 0)
        return;
    back_to(F, m);
    anchor(F, n->loc.off);
    put(F, n->name);
    put(F, "(");
    end_line(F);
    for (int i = 0; i < n->list.n; i++)
        pr_arg_line(F, n->list.v[i], indent + INDENT, i == n->list.n - 1);
    begin_line(F, indent, L_CONT, paren_close(F, n->loc.off));
    put(F, ")");
}

/* After what the current line holds: the stages joined by ` | ` if they fit
 * and no comment would be among them, else one per line under a hanging `| `. */
static void pr_flow(Fmt *F, const Node *flow, int indent)
{
    size_t mark = F->cur.n;
    int amark = F->nanchors;
    anchor(F, flow->loc.off);
    if (!comment_among_stages(F, flow)) {
        F->attempt++;
        for (int i = 0; i < flow->list.n; i++) {
            if (i)
                put(F, " | ");
            pr_expr(F, flow->list.v[i], P_POSTFIX);
        }
        F->attempt--;
        if (F->cur_indent + width(F->cur.p, F->cur.n) <= WIDTH)
            return;
        F->cur.n = mark;
        F->nanchors = amark + 1;
    }
    for (int i = 0; i < flow->list.n; i++) {
        const Node *stage = flow->list.v[i];
        if (i) {
            end_line(F);
            begin_line(F, indent + HANG, L_CONT, bar_before(F, stage->loc.off));
            put(F, "| ");
        }
        pr_stage(F, stage, i ? indent + HANG : indent);
    }
}

static void pr_pstmt(Fmt *F, const Node *n, int indent)
{
    begin_line(F, indent, L_STMT, ast_span(n).off);
    if (n->kind == N_BIND) {
        put(F, n->name);
        put(F, " = ");
        pr_flow(F, n->a, indent);
    } else {
        pr_flow(F, n, indent);
    }
    end_line(F);
}

/* A record's field, one a line. */
static void pr_rfield(Fmt *F, const Node *n, int indent)
{
    begin_line(F, indent, L_STMT, n->loc.off);
    put(F, n->name);
    put(F, ": ");
    pr_type(F, n->a);
    end_line(F);
}

static void pr_item(Fmt *F, const Node *n, int indent)
{
    begin_line(F, indent, L_STMT, ast_span(n).off);
    if (n->kind == N_STATE) {
        put(F, "state ");
        put(F, n->name);
        if (n->a) {
            put(F, ": ");
            pr_type(F, n->a);
        }
        if (n->b) {
            put(F, " = ");
            pr_expr(F, n->b, P_EXPR);
        }
    } else {
        put(F, "on ");
        put(F, n->name ? n->name : n->on_start ? "start" : "end");
        pr_block(F, n->a, indent);
    }
    end_line(F);
}

/* `(params)` of declaration d, on the current line, or when broken one per
 * line one level in, after a '(' that ends the line, and the `)` starting a
 * line of its own (a declaration's, at column 0). */
static void pr_params(Fmt *F, const Node *d, bool broken)
{
    const NodeList *params = &d->params;
    if (params->n == 0)
        return;
    put(F, "(");
    for (int i = 0; i < params->n; i++) {
        const Node *p = params->v[i];
        if (broken) {
            end_line(F);
            begin_line(F, INDENT, L_CONT, p->loc.off);
        } else if (i) {
            put(F, ", ");
        }
        anchor(F, p->loc.off);
        put(F, p->name);
        put(F, ": ");
        pr_type(F, p->a);
        if (p->b) {
            put(F, " = ");
            pr_expr(F, p->b, P_EXPR);
        }
        put(F, broken && i + 1 < params->n ? "," : "");
    }
    if (broken) {
        end_line(F);
        begin_line(F, 0, L_CONT, paren_close(F, d->span.off));
    }
    put(F, ")");
}

/* `(params): IN -> OUT` of a proc or an extern proc */
static void pr_signature(Fmt *F, const Node *n, bool broken)
{
    pr_params(F, n, broken);
    put(F, ": ");
    if (n->has_in) {
        pr_type(F, n->in);
        put(F, " ");
    }
    put(F, "->");
    if (n->has_out) {
        put(F, " ");
        pr_type(F, n->out);
    }
}

/* `(params) -> R` of a fn */
static void pr_fn_signature(Fmt *F, const Node *n, bool broken)
{
    if (n->params.n == 0)
        put(F, "()");
    pr_params(F, n, broken);
    put(F, " -> ");
    pr_type(F, n->out);
}

/* The parameters of declaration n, and for a proc the rest of its head
 * (sign), on the current line when it fits with `more` columns after it,
 * else with one parameter per line. */
static void pr_head(Fmt *F, const Node *n, void (*sign)(Fmt *F, const Node *n, bool broken), int more)
{
    Mark m = mark_of(F);
    sign(F, n, false);
    if (fits(F, more) || n->params.n == 0)
        return;
    back_to(F, m);
    sign(F, n, true);
}

static void pr_decl(Fmt *F, const Node *n)
{
    begin_line(F, 0, L_DECL, ast_span(n).off);
    switch (n->kind) {
    case N_IMPORT:
        put(F, "import ");
        put_string(F, n->str);
        break;
    case N_PROC:
        put(F, "proc ");
        put(F, n->name);
        pr_head(F, n, pr_signature, 2);
        if (n->form == PROC_COMPOSITE) {
            put(F, " = ");
            pr_flow(F, n->a, 0);
        } else {
            int open, close;
            body_braces(F, n, &open, &close);
            pr_braced(F, &n->list, open, close, 0, pr_item);
        }
        break;
    case N_EXTERN:
        put(F, "extern proc ");
        put(F, n->name);
        pr_head(F, n, pr_signature, (int)strlen(" from \"\"") + width(n->str.p, n->str.n));
        put(F, " from ");
        put_string(F, n->str);
        break;
    case N_RECORD: {
        put(F, "record ");
        put(F, n->name);
        int open, close;
        braces_from(F, n->loc.end, &open, &close);
        pr_braced(F, &n->list, open, close, 0, pr_rfield);
        break;
    }
    case N_FN:
        put(F, "fn ");
        put(F, n->name);
        pr_head(F, n, pr_fn_signature, 2);
        if (n->a->kind == N_BLOCK)
            pr_block(F, n->a, 0);
        else {
            put(F, " = ");
            pr_expr(F, n->a, P_EXPR);
        }
        break;
    case N_PIPELINE: {
        put(F, "pipeline ");
        put(F, n->name);
        pr_head(F, n, pr_params, 2);
        int open, close;
        body_braces(F, n, &open, &close);
        pr_braced(F, &n->list, open, close, 0, pr_pstmt);
        break;
    }
    default:
        put(F, "?");
    }
    end_line(F);
}

/* ------------------------------------------------------------------ comments and output */

static int cmp_anchor(const void *x, const void *y)
{
    const Anchor *a = x, *b = y;
    if (a->off != b->off)
        return a->off < b->off ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

/* The output line holding the source token at offset off. */
static int line_of(const Fmt *F, int off)
{
    int lo = 0, hi = F->nanchors;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (F->anchors[mid].off <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 ? F->anchors[lo - 1].line : 0;
}

/* A comment's text without its trailing blanks. */
static size_t comment_len(const char *src, const Comment *c)
{
    int end = c->end;
    while (end > c->off && blank(src[end - 1]))
        end--;
    return (size_t)(end - c->off);
}

static void emit_line(Buf *o, int indent, const char *p, size_t n)
{
    buf_spaces(o, indent);
    buf_add(o, p, n);
}

/* Places the comments (see the top of the file) and joins the lines. */
static char *render(Fmt *F, size_t *len)
{
    qsort(F->anchors, (size_t)F->nanchors, sizeof *F->anchors, cmp_anchor);
    int nc = F->cm->n;
    int *where = xrealloc(NULL, (size_t)(nc ? nc : 1) * sizeof *where);
    for (int i = 0; i < nc; i++)
        where[i] = line_of(F, F->at[i]);
    Buf o = {0};
    bool first = true, after_open = false;
    int ci = 0;
    for (int li = 0; li < F->nlines; li++) {
        const Line *L = &F->lines[li];
        int j = ci;
        while (j < nc && where[j] <= li)
            j++;
        int trailing = j > ci && !F->cm->v[j - 1].own_line ? j - 1 : -1;
        int nbefore = (trailing >= 0 ? j - 1 : j) - ci;
        int cindent = L->kind == L_CLOSE ? L->indent + INDENT : L->indent;
        for (int k = ci; k < ci + nbefore; k++) {
            const Comment *c = &F->cm->v[k];
            bool sep = !first && !after_open &&
                       ((L->kind == L_DECL && k == ci) ||
                        (L->kind != L_CONT && c->own_line && blank_line_before(F, c->off)));
            if (sep)
                buf_puts(&o, "\n");
            emit_line(&o, cindent, F->src + c->off, comment_len(F->src, c));
            buf_puts(&o, "\n");
            first = after_open = false;
        }
        ci = j;
        if (L->kind == L_EOF)
            continue;
        bool sep = !first && !after_open &&
                   ((L->kind == L_DECL && nbefore == 0) ||
                    ((L->kind == L_DECL || L->kind == L_STMT) && blank_line_before(F, L->src)));
        if (sep)
            buf_puts(&o, "\n");
        emit_line(&o, L->indent, F->out.p + L->text, L->len);
        if (trailing >= 0) {
            const Comment *c = &F->cm->v[trailing];
            buf_puts(&o, "  ");
            buf_add(&o, F->src + c->off, comment_len(F->src, c));
        }
        buf_puts(&o, "\n");
        first = false;
        after_open = L->opens;
    }
    free(where);
    if (!o.p)
        buf_add(&o, "", 0);
    *len = o.n;
    return o.p;
}

static char *format_tree(const Node *file, const char *src, int srclen, const Comments *cm, size_t *len)
{
    Fmt F;
    memset(&F, 0, sizeof F);
    F.src = src;
    F.srclen = srclen;
    F.cm = cm;
    F.at = xrealloc(NULL, (size_t)(cm->n ? cm->n : 1) * sizeof *F.at);
    for (int i = 0; i < cm->n; i++) {
        const Comment *c = &cm->v[i];
        F.at[i] = c->own_line ? next_code_line(&F, c->end) : trailed_token(&F, c);
    }
    for (int i = 0; i < file->list.n; i++)
        pr_decl(&F, file->list.v[i]);
    begin_line(&F, 0, L_EOF, srclen);
    end_line(&F);
    char *text = render(&F, len);
    free(F.out.p);
    free(F.cur.p);
    free(F.lines);
    free(F.anchors);
    free(F.at);
    return text;
}

/* ------------------------------------------------------------------ the self-check */

static char *dump_tree(const Node *n, size_t *len)
{
    char *p = NULL;
    FILE *f = open_memstream(&p, len);
    if (!f)
        return NULL;
    ast_dump((Node *)n, f, false);
    fclose(f);
    return p;
}

/* Why the formatted text is not the same program with the same comments, or
 * NULL when it is. */
static const char *differs(const char *path, const Node *tree, const SrcFile *f, const Comments *cm,
                           const char *text, size_t len)
{
    char *junk = NULL;
    size_t junklen = 0;
    FILE *sink = open_memstream(&junk, &junklen);
    Diag d2;
    diag_init(&d2, sink ? sink : stderr);
    PipeArena a2 = {0};
    Comments cm2;
    int id = diag_add_file(&d2, path, text, len);
    Node *tree2 = parse_file_comments(&d2, &a2, id, &cm2);
    const char *why = NULL;
    if (d2.errors) {
        why = "its output does not parse";
    } else {
        size_t n1, n2;
        char *d1 = dump_tree(tree, &n1), *dd2 = dump_tree(tree2, &n2);
        if (!d1 || !dd2 || n1 != n2 || memcmp(d1, dd2, n1) != 0)
            why = "its output would change the program";
        free(d1);
        free(dd2);
    }
    if (!why && cm2.n != cm->n)
        why = "it would lose a comment";
    for (int i = 0; !why && i < cm->n; i++) {
        size_t l1 = comment_len(f->text, &cm->v[i]), l2 = comment_len(text, &cm2.v[i]);
        if (l1 != l2 || memcmp(f->text + cm->v[i].off, text + cm2.v[i].off, l1) != 0)
            why = "it would change or move a comment";
    }
    diag_free(&d2);
    pipe_arena_free(&a2);
    if (sink)
        fclose(sink);
    free(junk);
    return why;
}

char *fmt_format(Diag *d, int file_id, size_t *len)
{
    const SrcFile *f = diag_file(d, file_id);
    if (!f)
        return NULL;
    int errors = d->errors;
    PipeArena a = {0};
    Comments cm;
    Node *tree = parse_file_comments(d, &a, file_id, &cm);
    char *text = NULL;
    if (d->errors == errors) {
        text = format_tree(tree, f->text, (int)f->len, &cm, len);
        const char *why = differs(f->path, tree, f, &cm, text, *len);
        if (why) {
            diag_plain_error(d, "fmt cannot lay out '%s': %s (a bug in pipec fmt); the file is left as it was",
                             f->path, why);
            free(text);
            text = NULL;
        }
    }
    pipe_arena_free(&a);
    return text;
}

/* ------------------------------------------------------------------ the command */

static const char fmt_usage[] =
    "usage: pipec fmt [--check] FILE...\n"
    "       pipec fmt -            (standard input to standard output)\n"
    "\n"
    "Rewrites each FILE in the canonical layout (only when that changes it).\n"
    "--check changes nothing: it lists the files that would change and exits 1.\n"
    "Exit codes: 0 done, 1 --check found files to reformat, 2 syntax or usage errors.\n";

static bool read_all(FILE *in, char **text, size_t *len)
{
    Buf b = {0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, in)) > 0)
        buf_add(&b, chunk, got);
    if (ferror(in)) {
        free(b.p);
        return false;
    }
    if (!b.p)
        buf_add(&b, "", 0);
    *text = b.p;
    *len = b.n;
    return true;
}

/* Replaces path's contents by text: a temporary file beside it, renamed over it,
 * so that a reader never sees half a file; it keeps path's permissions. */
static bool write_atomically(const char *path, const char *text, size_t len)
{
    struct stat st;
    size_t n = strlen(path);
    char *tmp = xrealloc(NULL, n + 16);
    snprintf(tmp, n + 16, "%s.fmt-XXXXXX", path);
    int fd = mkstemp(tmp);
    bool ok = fd >= 0;
    if (ok) {
        FILE *f = fdopen(fd, "w");
        ok = f && fwrite(text, 1, len, f) == len;
        if (ok && stat(path, &st) == 0)
            ok = fchmod(fd, st.st_mode & 07777) == 0;
        ok = (f ? fclose(f) == 0 : (close(fd), false)) && ok;
        ok = ok && rename(tmp, path) == 0;
    }
    if (!ok) {
        fprintf(stderr, "pipec: error: cannot write '%s': %s\n", path, strerror(errno));
        if (fd >= 0)
            unlink(tmp);
    }
    free(tmp);
    return ok;
}

/* fmt of one file (or "-"): returns its exit code. */
static int fmt_one(const char *path, bool check, bool dump)
{
    Diag d;
    diag_init(&d, stderr);
    bool in = strcmp(path, "-") == 0;
    int id;
    if (in) {
        char *text;
        size_t len;
        if (!read_all(stdin, &text, &len)) {
            diag_plain_error(&d, "cannot read the standard input: %s", strerror(errno));
            diag_free(&d);
            return 2;
        }
        id = diag_add_file(&d, "<stdin>", text, len);
        free(text);
    } else {
        id = diag_load_file(&d, path);
        if (id < 0) {
            diag_plain_error(&d, "cannot read '%s': %s", path, strerror(errno));
            diag_free(&d);
            return 2;
        }
    }
    int rc = 0;
    if (dump) {
        PipeArena a = {0};
        Node *tree = parse_file(&d, &a, id);
        if (d.errors == 0)
            ast_dump(tree, stdout, false);
        pipe_arena_free(&a);
        rc = d.errors ? 2 : 0;
        if (d.errors)
            fprintf(stderr, "%d error%s\n", d.errors, d.errors == 1 ? "" : "s");
        diag_free(&d);
        return rc;
    }
    size_t len;
    char *text = fmt_format(&d, id, &len);
    const SrcFile *f = diag_file(&d, id);
    if (!text) {
        if (d.errors)
            fprintf(stderr, "%d error%s\n", d.errors, d.errors == 1 ? "" : "s");
        rc = 2;
    } else {
        bool same = len == f->len && memcmp(text, f->text, len) == 0;
        if (check) {
            if (!same) {
                printf("would reformat: %s\n", path);
                rc = 1;
            }
        } else if (in) {
            if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
                fprintf(stderr, "pipec: error: cannot write the standard output: %s\n", strerror(errno));
                rc = 2;
            }
        } else if (!same && !write_atomically(path, text, len)) {
            rc = 2;
        }
    }
    free(text);
    diag_free(&d);
    return rc;
}

int fmt_main(int argc, char **argv)
{
    bool check = false, dump = false, opts = true;
    int nfiles = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (opts && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
            fputs(fmt_usage, stdout);
            return 0;
        } else if (opts && !strcmp(a, "--check")) {
            check = true;
        } else if (opts && !strcmp(a, "--dump-ast")) {
            dump = true; /* undocumented: the tree of one file, no imports (tests/run_fmt.sh) */
        } else if (opts && !strcmp(a, "--")) {
            opts = false;
        } else if (opts && a[0] == '-' && a[1]) {
            fprintf(stderr, "pipec: error: unknown option '%s'\ntry 'pipec fmt --help'\n", a);
            return 2;
        } else {
            nfiles++;
        }
    }
    if (nfiles == 0) {
        fprintf(stderr, "pipec: error: missing the files to format (or - for the standard input)\n"
                        "try 'pipec fmt --help'\n");
        return 2;
    }
    int rc = 0;
    opts = true;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (opts && !strcmp(a, "--")) {
            opts = false;
            continue;
        }
        if (opts && a[0] == '-' && a[1])
            continue;
        int r = fmt_one(a, check, dump);
        if (r > rc)
            rc = r;
    }
    return rc;
}
