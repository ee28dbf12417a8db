/* parse.c — runs the lexer and parser over a file (the token filter that makes
 * newlines statement separators lives here), builds the AST and loads imports. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"
#include "grammar.h"
#include "parser.h"
#include "lexer.h"
#include "rt_impl.h"

#define BIG_INT ((uint64_t)1 << 63) /* only valid as -9223372036854775808 */

static Loc no_loc(int file)
{
    Loc l = {.file = file, .line = 1, .col = 1};
    return l;
}

/* ------------------------------------------------------------------ lexer support */

void parse_lex_loc(ParseCtx *ctx, Loc *loc, int off, int n)
{
    loc->file = ctx->file;
    loc->line = ctx->line;
    loc->col = off - ctx->line_start + 1;
    loc->off = off;
    loc->end = off + n;
}

void parse_lex_newline(ParseCtx *ctx, int off)
{
    ctx->line++;
    ctx->line_start = off;
}

void parse_lex_eof(ParseCtx *ctx, Loc *loc)
{
    const SrcFile *f = diag_file(ctx->diag, ctx->file);
    int off = (int)f->len;
    if (off > 0 && f->text[off - 1] == '\n')
        off--; /* point after the last line rather than at an empty one */
    loc->file = ctx->file;
    diag_linecol(ctx->diag, ctx->file, off, &loc->line, &loc->col);
    loc->off = loc->end = off;
}

void parse_lex_error(ParseCtx *ctx, Loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(ctx->diag, DIAG_ERROR, NULL, loc, fmt, ap);
    va_end(ap);
    ctx->last_lex_error_line = loc.line;
}

/* The bytes of a bad run quoted in its message at most (diag shows those a
 * terminal would obey escaped). */
#define BAD_QUOTED 16

void parse_lex_awk_field(ParseCtx *ctx, const char *text, int n, Loc loc)
{
    long k = strtol(text + 1, NULL, 10);
    if (k == 0)
        parse_lex_error(ctx, loc, "unexpected '%.*s' (awk's whole line: in Pipe it is the parameter, as in "
                                  "'map(line => ...)')", n, text);
    else
        parse_lex_error(ctx, loc, "unexpected '%.*s' (awk's field %ld: in Pipe 'words(line)[%ld]', counting from 0)",
                        n, text, k, k - 1);
}

void parse_lex_bad(ParseCtx *ctx, const char *text, int n, Loc loc)
{
    int chars = 0;
    for (int i = 0; i < n; i++)
        chars += ((unsigned char)text[i] & 0xC0) != 0x80;
    if (chars <= 1) {
        parse_lex_error(ctx, loc, "unexpected character '%.*s'", n, text);
        return;
    }
    int shown = n;
    if (shown > BAD_QUOTED) {
        shown = BAD_QUOTED;
        while (shown > 0 && ((unsigned char)text[shown] & 0xC0) == 0x80)
            shown--; /* not in the middle of a UTF-8 character */
    }
    parse_lex_error(ctx, loc, "unexpected characters '%.*s%s' (%d bytes)", shown, text,
                    shown < n ? "\xE2\x80\xA6" : "", n);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

PipeStr parse_lex_string(ParseCtx *ctx, const char *text, int n, Loc loc)
{
    char *out = pipe_alloc(ctx->arena, (size_t)n + 1);
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        if (text[i] != '\\') {
            out[len++] = text[i];
            continue;
        }
        if (i + 1 >= n)
            break; /* a lone '\' ending an unterminated string: already reported */
        Loc at = loc;
        at.off += 1 + i;
        at.col += 1 + i;
        at.end = at.off + 2;
        char c = text[++i];
        switch (c) {
        case 'n': out[len++] = '\n'; break;
        case 't': out[len++] = '\t'; break;
        case 'r': out[len++] = '\r'; break;
        case '0': out[len++] = '\0'; break;
        case '\\': out[len++] = '\\'; break;
        case '"': out[len++] = '"'; break;
        case 'x': {
            int hi = i + 1 < n ? hexval((unsigned char)text[i + 1]) : -1;
            int lo = i + 2 < n ? hexval((unsigned char)text[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                parse_lex_error(ctx, at, "expected two hex digits after '\\x'");
                break;
            }
            out[len++] = (char)(hi * 16 + lo);
            i += 2;
            break;
        }
        default:
            if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
                parse_lex_error(ctx, at, "unknown escape sequence '\\%c' in string", c);
            else
                parse_lex_error(ctx, at, "unknown escape sequence in string: '\\' before byte 0x%02X",
                                (unsigned char)c);
        }
    }
    out[len] = '\0';
    return (PipeStr){out, len};
}

uint64_t parse_lex_int(ParseCtx *ctx, const char *text, Loc loc)
{
    bool hex = text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    uint64_t v = 0;
    for (const char *p = text + (hex ? 2 : 0); *p; p++) {
        uint64_t d = (uint64_t)hexval((unsigned char)*p);
        uint64_t base = hex ? 16 : 10;
        if (v > (BIG_INT - d) / base) {
            parse_lex_error(ctx, loc, "integer literal '%s' out of range (the largest int is 9223372036854775807)",
                            text);
            return 0;
        }
        v = v * base + d;
    }
    return v;
}

/* Arrays in the arena grow by doubling; the old block stays until the arena goes. */
static void *grow(PipeArena *a, void *v, int n, int *cap, size_t size)
{
    if (n < *cap)
        return v;
    int ncap = *cap ? 2 * *cap : 64;
    void *nv = pipe_alloc(a, (size_t)ncap * size);
    if (n)
        memcpy(nv, v, (size_t)n * size);
    *cap = ncap;
    return nv;
}

void parse_lex_comment(ParseCtx *ctx, Loc loc)
{
    Comments *c = ctx->comments;
    if (!c)
        return;
    const char *text = diag_file(ctx->diag, ctx->file)->text;
    bool own = true;
    for (int i = ctx->line_start; i < loc.off && own; i++)
        own = text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n';
    c->v = grow(ctx->arena, c->v, c->n, &c->cap, sizeof *c->v);
    c->v[c->n++] = (Comment){loc.off, loc.end, own};
}

const char *parse_lex_name(ParseCtx *ctx, const char *text, int n)
{
    return ast_strdup(ctx->arena, text, (size_t)n);
}

/* ------------------------------------------------------------------ token filter */
/* Newlines end statements, except where a statement obviously goes on: after a
 * token that cannot end one, inside ( ) and [ ], before a line starting with
 * '|', 'else', 'then' or '}', and after '{'.  Runs of newlines collapse. */

static RawTok next_raw(ParseCtx *ctx)
{
    if (ctx->have_ahead) {
        ctx->have_ahead = false;
        return ctx->ahead;
    }
    RawTok t;
    memset(&t, 0, sizeof t);
    if (ctx->diag->stopped) { /* past --max-errors: read no further */
        t.tok = YYEOF;
        parse_lex_eof(ctx, &t.loc);
        return t;
    }
    t.tok = plexlex(&t.v, &t.loc, ctx->scanner);
    Comments *c = ctx->comments;
    if (c && t.tok != NEWLINE && t.tok != YYEOF) {
        c->toks = grow(ctx->arena, c->toks, c->ntoks, &c->captoks, sizeof *c->toks);
        c->toks[c->ntoks++] = (TokSpan){t.tok, t.loc.off, t.loc.end};
    }
    return t;
}

static RawTok *peek_raw(ParseCtx *ctx)
{
    if (!ctx->have_ahead) {
        ctx->ahead = next_raw(ctx);
        ctx->have_ahead = true;
    }
    return &ctx->ahead;
}

/* Tokens after which a statement cannot end, so a newline is only layout. */
static bool continues_line(int tok)
{
    switch (tok) {
    case 0: /* the start of the file */
    case STATEMENTS:
    case NEWLINE: case '|': case ',': case '(': case '[': case '{': case '=': case ':':
    case FATARROW: case ARROW: case '.': case '+': case '-': case '*': case '/': case '%':
    case EQ: case NE: case '<': case LE: case '>': case GE: case AND: case OR: case NOT:
    case IN: case THEN: case ELSE: case ADD_ASSIGN: case SUB_ASSIGN: case MUL_ASSIGN:
    case DIV_ASSIGN: case COALESCE: case REC_OPEN:
        return true;
    default:
        return false;
    }
}

/* Tokens that continue the statement of the line before. */
static bool continues_previous(int tok)
{
    return tok == '|' || tok == '}' || tok == ELSE || tok == THEN || tok == YYEOF;
}

static void push_open(ParseCtx *ctx, int tok, Loc loc)
{
    if (ctx->nopen == ctx->capopen) {
        int cap = ctx->capopen ? 2 * ctx->capopen : 16;
        Opener *v = pipe_alloc(ctx->arena, (size_t)cap * sizeof *v);
        if (ctx->nopen)
            memcpy(v, ctx->open, (size_t)ctx->nopen * sizeof *v);
        ctx->open = v;
        ctx->capopen = cap;
    }
    ctx->open[ctx->nopen++] = (Opener){tok, loc};
}

static int top_open(const ParseCtx *ctx)
{
    return ctx->nopen ? ctx->open[ctx->nopen - 1].tok : 0;
}

/* Tokens after which only an operand can follow: a '{' there is a map or set
 * literal, never a block (`if x in {"a"} {` opens its block at the second). */
static bool wants_operand(int tok)
{
    switch (tok) {
    case '=': case FATARROW: case '+': case '-': case '*': case '/': case '%': case EQ: case NE: case '<':
    case LE: case '>': case GE: case AND: case OR: case NOT: case IN: case THEN: case COALESCE: case RETURN:
    case EMIT: case ADD_ASSIGN: case SUB_ASSIGN: case MUL_ASSIGN: case DIV_ASSIGN:
        return true;
    default:
        return false;
    }
}

/* A '{' opens a type ({T} or {K: V}) or a map or set literal ('T': a
 * newline inside is layout, as in ( )) where a value or a type is the only
 * thing that can follow; after '->' it may also open a sink's body, which
 * starts with a new line, 'state', 'on' or '}'; else it opens a block. */
static int classify_brace(ParseCtx *ctx)
{
    if (wants_operand(ctx->prev_tok))
        return 'T';
    if (ctx->ncond > 0 && ctx->cond[ctx->ncond - 1] == ctx->nopen) {
        ctx->ncond--; /* the block of an if, while or for */
        return '{';
    }
    /* after a name: a record declaration's fields, a body after a declared
     * name or type, else a record value `Name { ... }` */
    if (ctx->prev_tok == IDENT) {
        int p2 = ctx->prev2_tok;
        if (p2 == RECORD)
            return 'D';
        return p2 == PIPELINE || p2 == ON || p2 == ARROW ? '{' : 'R';
    }
    switch (ctx->prev_tok) {
    case ':': case ',': case '(': case '[':
        return 'T';
    case '{':
        return top_open(ctx) == 'T' ? 'T' : '{';
    case ARROW: {
        int next = peek_raw(ctx)->tok;
        return next == NEWLINE || next == STATE || next == ON || next == '}' ? '{' : 'T';
    }
    default:
        return '{';
    }
}

static bool is_keyword(int tok)
{
    switch (tok) {
    case PIPELINE: case PROC: case EXTERN: case IMPORT: case FROM: case STATE: case ON: case END: case LET:
    case IF: case THEN: case ELSE: case FOR: case IN: case WHILE: case EMIT: case TRUE: case FALSE: case AND:
    case OR: case NOT: case RECORD: case NONE: case FN: case RETURN:
        return true;
    default:
        return false;
    }
}

/* Where a record's field is named before ':' (in its declaration or in a
 * record value), a keyword is that name: a CSV column may be called `end`. */
static void keyword_field(ParseCtx *ctx, RawTok *t)
{
    int top = top_open(ctx), p = ctx->prev_tok;
    if (!is_keyword(t->tok) || (top != 'D' && top != 'R'))
        return;
    if (p != '{' && p != REC_OPEN && p != ',' && p != NEWLINE)
        return;
    if (peek_raw(ctx)->tok != ':')
        return;
    const SrcFile *f = diag_file(ctx->diag, ctx->file);
    t->tok = IDENT;
    t->v.name = parse_lex_name(ctx, f->text + t->loc.off, t->loc.end - t->loc.off);
}

/* Keeps the conditions of if, while and for in step with token t: inside
 * one, a '{' after a name opens the block (classify_brace). */
static void track_conditions(ParseCtx *ctx, const RawTok *t)
{
    while (ctx->ncond > 0 && ctx->cond[ctx->ncond - 1] > ctx->nopen)
        ctx->ncond--;
    bool opens = t->tok == IF || t->tok == WHILE || (t->tok == IN && ctx->for_head);
    if (t->tok == FOR || t->tok == IN)
        ctx->for_head = t->tok == FOR;
    if (opens && ctx->ncond < (int)(sizeof ctx->cond / sizeof ctx->cond[0]))
        ctx->cond[ctx->ncond++] = ctx->nopen;
    if (t->tok == THEN && ctx->ncond > 0 && ctx->cond[ctx->ncond - 1] == ctx->nopen)
        ctx->ncond--;
}

/* Keeps the stack of open brackets in step with a token given to the parser
 * (the '{' of a record value becomes REC_OPEN). */
static void track_brackets(ParseCtx *ctx, RawTok *t)
{
    ctx->last_pushed = false;
    ctx->brace_unpopped = false;
    ctx->stray_close = false;
    switch (t->tok) {
    case '(': case '[':
        push_open(ctx, t->tok, t->loc);
        ctx->last_pushed = true;
        break;
    case '{': {
        int k = classify_brace(ctx);
        push_open(ctx, k, t->loc);
        if (k == 'R')
            t->tok = REC_OPEN;
        ctx->last_pushed = true;
        break;
    }
    case ')': case ']':
        if (top_open(ctx) == (t->tok == ')' ? '(' : '['))
            ctx->nopen--;
        break;
    case '}':
        ctx->stray_close = ctx->nopen == 0;
        /* inside ( or [ a '}' is an error, which needs the opener to report */
        ctx->brace_unpopped = top_open(ctx) == '(' || top_open(ctx) == '[';
        if (!ctx->brace_unpopped && ctx->nopen > 0)
            ctx->nopen--;
        break;
    default:
        break;
    }
}

/* While recovering from a syntax error, swallows tokens up to the end of the
 * statement (a newline or the '}' of the enclosing block) without descending
 * into nested braces; returns whether t ends the recovery and goes to the
 * parser, which discards the rest anyway. */
static bool recovery_ends_at(ParseCtx *ctx, const RawTok *t)
{
    switch (t->tok) {
    case YYEOF:
        return true;
    case '{':
        ctx->skip++;
        return false;
    case '}':
        if (ctx->skip > 0) {
            ctx->skip--;
            return false;
        }
        return true;
    case NEWLINE:
        return ctx->skip == 0 && !continues_previous(peek_raw(ctx)->tok);
    default:
        return false;
    }
}

int parse_filter_lex(TokVal *lval, Loc *lloc, ParseCtx *ctx)
{
    bool after_nl = false;
    Loc nl_loc = {0};
    if (ctx->statements && ctx->prev_tok == 0) {
        ctx->prev_tok = STATEMENTS;
        parse_lex_loc(ctx, lloc, 0, 0);
        return STATEMENTS;
    }
    for (;;) {
        RawTok t = next_raw(ctx);
        if (ctx->recovering) {
            if (!recovery_ends_at(ctx, &t))
                continue;
            ctx->recovering = false;
        } else if (t.tok == NEWLINE) {
            int top = top_open(ctx);
            if (top == '(' || top == '[' || top == 'R' || top == 'T') {
                if (!after_nl)
                    nl_loc = t.loc;
                after_nl = true;
                continue;
            }
            if (continues_line(ctx->prev_tok))
                continue;
            while (peek_raw(ctx)->tok == NEWLINE)
                ctx->have_ahead = false; /* collapse the run */
            if (continues_previous(peek_raw(ctx)->tok))
                continue;
        }
        if (t.tok == INT && t.v.u == BIG_INT && ctx->prev_tok != '-' && ctx->prev_tok != '.')
            parse_lex_error(ctx, t.loc, "integer literal '%.*s' out of range (the largest int is 9223372036854775807)",
                            t.loc.end - t.loc.off, diag_file(ctx->diag, ctx->file)->text + t.loc.off);
        t.after_nl = after_nl;
        t.nl_loc = nl_loc;
        keyword_field(ctx, &t);
        track_brackets(ctx, &t);
        track_conditions(ctx, &t);
        ctx->prev2_tok = ctx->prev_tok;
        ctx->prev_tok = t.tok;
        ctx->before = ctx->last;
        ctx->last = t;
        *lval = t.v;
        *lloc = t.loc;
        return t.tok;
    }
}

/* ------------------------------------------------------------------ syntax errors */

static bool has(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

/* How a message shows the token found: its text quoted ('stdout', "a str"),
 * or end of line / end of file. */
static void describe_found(ParseCtx *ctx, const char *kind, Loc loc, char *buf, size_t size)
{
    const SrcFile *f = diag_file(ctx->diag, ctx->file);
    int n = loc.end - loc.off;
    const char *text = f->text + loc.off;
    if (strcmp(kind, "end of file") == 0 || n <= 0) {
        snprintf(buf, size, "%s", ctx->end_name);
    } else if (strcmp(kind, "end of line") == 0) {
        snprintf(buf, size, text[0] == ';' ? "';'" : "end of line");
    } else if (text[0] == '"') {
        if (n > 24)
            snprintf(buf, size, "%.20s...\"", text);
        else
            snprintf(buf, size, "%.*s", n, text);
    } else {
        if (n > 24)
            snprintf(buf, size, "'%.20s...'", text);
        else
            snprintf(buf, size, "'%.*s'", n, text);
    }
}

/* Tokens that can start an expression / a type; operators that could extend
 * what came before, which a message need not list. */
static const char *const expr_starts[] = {"an integer", "a number", "a string", "'true'", "'false'",
                                          "a name", "'('", "'['", "'-'", "'not'", "'if'", "'none'", "'{'", NULL};
static const char *const type_starts[] = {"a name", "'('", "'['", "'{'", NULL};
static const char *const operators[] = {"'|'", "'.'", "'['", "'('", "'+'", "'-'", "'*'", "'/'", "'%'",
                                        "'=='", "'!='", "'<'", "'<='", "'>'", "'>='", "'and'", "'or'",
                                        "'in'", "'=>'", "'+='", "'-='", "'*='", "'/='", "'?\?'",
                                        "'?'", "'{' of a record value", NULL};

static bool in_set(const char *const *set, const char *name)
{
    for (int i = 0; set[i]; i++)
        if (strcmp(set[i], name) == 0)
            return true;
    return false;
}

/* The innermost open bracket the error is inside of (not the lookahead). */
static const Opener *innermost(const ParseCtx *ctx, int tok)
{
    int top = ctx->nopen - (ctx->last_pushed ? 2 : 1);
    for (int i = top; i >= 0; i--) {
        if (ctx->open[i].tok == tok)
            return &ctx->open[i];
        if (tok != '{' || ctx->open[i].tok != 'T')
            return NULL;
    }
    return NULL;
}

/* Drops the brackets opened inside the current statement (so that newlines
 * separate statements again) and starts skipping to the statement's end. */
static void start_recovery(ParseCtx *ctx)
{
    bool lookahead_pushed = ctx->last_pushed;
    ctx->skip = 0;
    while (ctx->nopen > 0) {
        int o = ctx->open[ctx->nopen - 1].tok;
        if (o == 'D')
            o = '{'; /* a record's fields are statements of a kind */
        if (o == '{' && !lookahead_pushed)
            break;
        /* its '}' is still to come and belongs to the bad statement; not so
         * for a literal the error found unclosed at the end of its line */
        if (o == '{' || (o == 'T' && !ctx->last.after_nl))
            ctx->skip++;
        ctx->nopen--;
        lookahead_pushed = false;
    }
    if (ctx->brace_unpopped && ctx->last.tok == '}' && ctx->nopen > 0)
        ctx->nopen--; /* the '}' that was found closes its block after all */
    ctx->brace_unpopped = false;
    ctx->last_pushed = false;
    /* a newline, '}' or the end as lookahead is where the parser resumes */
    int la = ctx->last.tok;
    ctx->recovering = !(la == NEWLINE || la == '}' || la == YYEOF);
}

/* Whether token tok can end an operand (so that an operator may follow). */
static bool ends_operand(int tok)
{
    return tok == IDENT || tok == INT || tok == FLOAT || tok == STRING || tok == TRUE || tok == FALSE ||
           tok == NONE || tok == ')' || tok == ']';
}

/* A hint for a syntax error that a habit from another language explains: the
 * lookahead '=' or '?' after an operand where an operator could go (C's and
 * Python's comparison, C's conditional), or a name after Python's `lambda`;
 * "" when none fits.  ops: whether operators were among the expected. */
static const char *habit_hint(const ParseCtx *ctx, bool ops)
{
    int la = ctx->last.tok, prev = ctx->before.tok;
    if (la == '=' && ops && ends_operand(prev))
        return " (to compare, write '==')";
    if (la == '?' && ops && ends_operand(prev))
        return " (a conditional is written 'if c then a else b')";
    if (la == RETURN)
        return " ('return' belongs in a fn's body: a lambda's value is its body, 'x => e', and a proc sends "
               "values on with 'emit')";
    if (prev == IDENT && ctx->before.v.name && strcmp(ctx->before.v.name, "lambda") == 0)
        return " (a lambda is written 'x => e', or '(a, b) => e')";
    return "";
}

void parse_syntax_error(ParseCtx *ctx, const char *found, Loc loc, const char *const *expected, int n)
{
    char what[64];

    /* a missing closer: point back at the opener */
    const char *closer = NULL;
    const Opener *op = NULL;
    bool expr = has(expected, n, "an integer") && has(expected, n, "a string");
    if (!expr) {
        if (has(expected, n, "')'") && (op = innermost(ctx, '(')))
            closer = "')'";
        else if (has(expected, n, "']'") && (op = innermost(ctx, '[')))
            closer = "']'";
        else if (has(expected, n, "'}'") && strcmp(found, "end of file") == 0 && (op = innermost(ctx, '{')))
            closer = "'}'";
        else if (has(expected, n, "'}'") && ctx->last.after_nl && (op = innermost(ctx, 'T')))
            closer = "'}'"; /* of a map or set literal left open at the end of its line */
    }
    if (closer && ctx->last.after_nl) {
        /* the line ended inside the brackets: say so rather than blame the next line */
        loc = ctx->last.nl_loc;
        found = "end of line";
    }
    describe_found(ctx, found, loc, what, sizeof what);
    bool report = loc.line != ctx->last_lex_error_line; /* the lexer's error said it */

    if (report && ctx->last.tok == '}' && ctx->stray_close) {
        diag_error(ctx->diag, loc, "unexpected '}' with no open '{'");
    } else if (report && closer) {
        char opener = closer[1] == ')' ? '(' : closer[1] == ']' ? '[' : '{';
        diag_error(ctx->diag, loc, "expected %s to close '%c' at %d:%d, found %s%s", closer, opener, op->loc.line,
                   op->loc.col, what, habit_hint(ctx, has(expected, n, "'+'")));
        diag_related(ctx->diag, op->loc, "'%c' opened here", opener);
    } else if (report) {
        /* group the expected tokens into a short list */
        const char *list[8];
        int m = 0;
        bool type = !expr && has(expected, n, "'{'") && has(expected, n, "a name");
        bool ops = has(expected, n, "'+'") || has(expected, n, "'|'");
        bool eol = has(expected, n, "end of line");
        if (expr)
            list[m++] = "an expression";
        if (type)
            list[m++] = "a type";
        for (int i = 0; i < n && m < 8; i++) {
            const char *e = expected[i];
            if ((expr && in_set(expr_starts, e)) || (type && in_set(type_starts, e)))
                continue;
            if (ops && in_set(operators, e) && !(strcmp(e, "'|'") == 0 && !expr))
                continue;
            if (strcmp(e, "'?'") == 0 || strcmp(e, "'{' of a record value") == 0)
                continue; /* T? and Name { ... } extend what came before, as operators do */
            if (expr && strcmp(e, "'on'") == 0)
                continue; /* join's `on:` label: a named argument, as `by:` is a name */
            if (strcmp(e, "end of file") == 0 || (eol && strcmp(e, "'}'") == 0))
                continue; /* "end of line" says the statement may end; the end of the file goes without saying */
            if (strcmp(e, "error") == 0 || strcmp(e, "end of line") == 0 || strcmp(e, "the start of statements") == 0)
                continue; /* the last: a token only parse_input's filter gives */
            list[m++] = e;
        }
        if (eol && m < 8)
            list[m++] = "end of line"; /* last reads best: "expected '|' or end of line" */
        if (m == 0 && has(expected, n, "end of file"))
            list[m++] = "end of file";
        const char *hint = habit_hint(ctx, has(expected, n, "'+'"));
        int la = ctx->last.tok;
        if (ops && !has(expected, n, "'<'") &&
            (la == EQ || la == NE || la == '<' || la == LE || la == '>' || la == GE || la == IN))
            hint = " (comparisons do not chain: use 'and')";
        char msg[256];
        size_t len = 0;
        msg[0] = '\0';
        for (int i = 0; i < m && i < 4; i++)
            len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s", i == 0 ? "" : i + 1 == m || i == 3 ? " or " : ", ",
                                    list[i]);
        if (has(expected, n, "'pipeline'") && has(expected, n, "'record'"))
            diag_error(ctx->diag, loc, "expected a declaration ('pipeline', 'proc', 'fn', 'record', 'extern' or 'import'), "
                                       "found %s", what);
        else if (m == 0 || m > 4)
            diag_error(ctx->diag, loc, "unexpected %s", what);
        else
            diag_error(ctx->diag, loc, "expected %s, found %s%s", msg, what, hint);
    }
    start_recovery(ctx);
}

/* ------------------------------------------------------------------ AST builders */

NodeList parse_list1(ParseCtx *ctx, Node *n)
{
    NodeList l = {0};
    if (n)
        ast_push(ctx->arena, &l, n);
    return l;
}

NodeList parse_list_add(ParseCtx *ctx, NodeList l, Node *n)
{
    if (n)
        ast_push(ctx->arena, &l, n);
    return l;
}

void parse_decl(ParseCtx *ctx, Node *decl, Loc span)
{
    if (!decl)
        return;
    decl->span = span;
    ast_push(ctx->arena, &ctx->root->list, decl);
}

void parse_statements(ParseCtx *ctx, NodeList stmts)
{
    ctx->root->list = stmts;
}

/* decl: IMPORT STRING — file_index becomes the imported file's index in Program.files */
Node *parse_import(ParseCtx *ctx, PipeStr path, Loc loc)
{
    Node *n = ast_new(ctx->arena, N_IMPORT, loc);
    n->str = path;
    n->file_index = -1;
    return n;
}

/* param: IDENT ':' type ['=' expr] */
Node *parse_param(ParseCtx *ctx, const char *name, Node *type, Node *dflt, Loc loc)
{
    Node *n = ast_new(ctx->arena, N_PARAM, loc);
    n->name = name;
    n->a = type;
    n->b = dflt;
    return n;
}

/* proc_head: PROC IDENT [params] ':' [type] '->' */
Node *parse_proc_head(ParseCtx *ctx, const char *name, Loc name_loc, NodeList params, Node *in)
{
    Node *n = ast_new(ctx->arena, N_PROC, name_loc);
    n->name = name;
    n->params = params;
    n->in = in;
    n->has_in = in != NULL;
    return n;
}

/* decl: proc_head [type] '=' flow */
Node *parse_proc_flow(ParseCtx *ctx, Node *head, Node *out, Node *flow)
{
    head->form = PROC_COMPOSITE;
    head->out = out;
    head->has_out = out != NULL;
    head->a = flow;
    return head;
}

/* decl: proc_head [type] '{' body_items '}' */
Node *parse_proc_body(ParseCtx *ctx, Node *head, Node *out, NodeList items)
{
    head->form = PROC_STATEFUL;
    head->out = out;
    head->has_out = out != NULL;
    head->list = items;
    return head;
}

/* decl: EXTERN proc_head [type] FROM STRING */
Node *parse_extern(ParseCtx *ctx, Node *head, Node *out, PipeStr path)
{
    head->kind = N_EXTERN;
    head->out = out;
    head->has_out = out != NULL;
    head->str = path;
    return head;
}

Node *parse_fn(ParseCtx *ctx, const char *name, Loc name_loc, NodeList params, Node *out, Node *body)
{
    Node *n = parse_node(ctx, N_FN, name_loc, name, body, NULL);
    n->params = params;
    n->out = out;
    return n;
}

/* decl: PIPELINE IDENT [params] '{' pstmts '}' */
Node *parse_pipeline(ParseCtx *ctx, const char *name, Loc name_loc, NodeList params, NodeList stmts)
{
    Node *n = ast_new(ctx->arena, N_PIPELINE, name_loc);
    n->name = name;
    n->params = params;
    n->list = stmts;
    return n;
}

Node *parse_node(ParseCtx *ctx, NodeKind kind, Loc loc, const char *name, Node *a, Node *b)
{
    Node *n = ast_new(ctx->arena, kind, loc);
    n->name = name;
    n->a = a;
    n->b = b;
    return n;
}

Node *parse_list_node(ParseCtx *ctx, NodeKind kind, Loc loc, NodeList l)
{
    Node *n = ast_new(ctx->arena, kind, loc);
    n->list = l;
    return n;
}

/* flow: stage | flow '|' stage */
Node *parse_flow_add(ParseCtx *ctx, Node *flow, Node *stage, Loc loc)
{
    if (!flow)
        flow = ast_new(ctx->arena, N_FLOW, loc);
    flow->loc = loc;
    ast_push(ctx->arena, &flow->list, stage);
    return flow;
}

/* body_item: STATE IDENT [':' type] ['=' expr] */
Node *parse_state(ParseCtx *ctx, const char *name, Loc name_loc, Node *type, Node *init, Loc span)
{
    Node *n = parse_node(ctx, N_STATE, name_loc, name, type, init);
    n->span = span;
    return n;
}

Node *parse_let(ParseCtx *ctx, const char *name, Loc name_loc, Node *type, Node *value, Loc span)
{
    Node *n = parse_node(ctx, N_LET, name_loc, name, value, type);
    n->span = span;
    return n;
}

/* body_item: ON IDENT block | ON END block */
/* on NAME block | on end block; `on start` is the start hook (on_start), not a
 * per-item handler whose item is called start. */
Node *parse_on(ParseCtx *ctx, const char *name, Node *block, Loc loc)
{
    bool start = name && !strcmp(name, "start");
    Node *n = parse_node(ctx, N_ON, loc, start ? NULL : name, block, NULL);
    n->on_start = start;
    return n;
}

/* stage: postfix ON IDENT IDENT — `STAGE on error skip|stop|NAME`: a is the
 * stage, b the policy word (a name node at loc). */
Node *parse_catch(ParseCtx *ctx, Node *stage, const char *word, Loc word_loc, const char *policy, Loc loc)
{
    if (strcmp(word, "error"))
        diag_error(ctx->diag, word_loc, "expected 'error' after a stage's 'on' (STAGE on error skip|stop|NAME), "
                                        "found '%s'", word);
    Node *word_node = parse_node(ctx, N_NAME, loc, policy, NULL, NULL);
    return parse_node(ctx, N_CATCH, loc_join(stage->loc, loc), NULL, stage, word_node);
}

Node *parse_block(ParseCtx *ctx, NodeList stmts, Loc loc)
{
    return parse_list_node(ctx, N_BLOCK, loc, stmts);
}

/* stmt: postfix ('=' | '+=' | '-=' | '*=' | '/=') expr — the target must be a
 * name, an index or a field */
Node *parse_assign(ParseCtx *ctx, Op op, Node *target, Node *value, Loc loc)
{
    if (target->kind != N_NAME && target->kind != N_INDEX && target->kind != N_FIELD)
        diag_error(ctx->diag, target->loc, "expected a name, 'x[k]' or 't.N' before '%s%s', found %s %s",
                   op == OP_SET ? "" : ast_op_name(op), "=", target->kind == N_INT ? "an" : "a",
                   ast_kind_name(target->kind));
    Node *n = ast_new(ctx->arena, N_ASSIGN, loc);
    n->op = op;
    n->a = target;
    n->b = value;
    return n;
}

/* if_stmt: IF expr block [ELSE (block | if_stmt)] */
Node *parse_if(ParseCtx *ctx, Node *cond, Node *then, Node *els, Loc loc)
{
    Node *n = ast_new(ctx->arena, N_IF, loc);
    n->a = cond;
    n->b = then;
    n->c = els;
    return n;
}

/* stmt: FOR IDENT [',' IDENT] IN expr block */
Node *parse_for(ParseCtx *ctx, const char *k, const char *v, Node *iter, Node *body, Loc loc)
{
    Node *n = parse_node(ctx, N_FOR, loc, k, iter, body);
    n->name2 = v;
    return n;
}

Node *parse_binary(ParseCtx *ctx, Op op, Node *a, Node *b, Loc loc)
{
    if (op == OP_SUB && b && b == ctx->big_int) { /* the filter let it pass for the '-' */
        diag_error(ctx->diag, b->loc, "integer literal '9223372036854775808' out of range "
                                      "(the largest int is 9223372036854775807)");
        ctx->big_int = NULL;
    }
    Node *n = ast_new(ctx->arena, N_BINARY, loc);
    n->op = op;
    n->a = a;
    n->b = b;
    return n;
}

/* unary: '-' unary | NOT not_expr — a negated number literal folds into one */
Node *parse_unary(ParseCtx *ctx, Op op, Node *a, Loc loc)
{
    if (op == OP_NEG && a->kind == N_INT) {
        if (a == ctx->big_int) {
            ctx->big_int = NULL; /* already INT64_MIN */
        } else if (a->ival == INT64_MIN) {
            diag_error(ctx->diag, loc, "integer out of range (the largest int is 9223372036854775807)");
        } else {
            a->ival = -a->ival;
        }
        a->loc = loc;
        return a;
    }
    if (op == OP_NEG && a->kind == N_FLOAT) {
        a->fval = -a->fval;
        a->loc = loc;
        return a;
    }
    Node *n = ast_new(ctx->arena, N_UNARY, loc);
    n->op = op;
    n->a = a;
    return n;
}

/* expr: IF expr THEN expr ELSE expr */
Node *parse_cond(ParseCtx *ctx, Node *c, Node *a, Node *b, Loc loc)
{
    Node *n = ast_new(ctx->arena, N_COND, loc);
    n->a = c;
    n->b = a;
    n->c = b;
    return n;
}

/* What an expression is, for messages: "a call", "an integer", ... */
static const char *node_desc(const Node *n)
{
    switch (n->kind) {
    case N_INT: return "an integer";
    case N_FLOAT: return "a number";
    case N_STR: return "a string";
    case N_BOOL: return "a boolean";
    case N_CALL: return "a call";
    case N_FIELD: return "a field";
    case N_INDEX: return "an index";
    case N_LIST: return "a list";
    case N_LAMBDA: return "a lambda";
    default: return "an expression";
    }
}

/* expr: or_expr '=>' expr — the left side must be a name or a tuple of names */
Node *parse_lambda(ParseCtx *ctx, Node *params, Node *body, Loc loc)
{
    Node *n = ast_new(ctx->arena, N_LAMBDA, loc);
    n->a = body;
    if (params->kind == N_NAME) {
        ast_push(ctx->arena, &n->list, params);
        return n;
    }
    const Node *bad = params;
    if (params->kind == N_TUPLE) {
        bad = NULL;
        for (int i = 0; i < params->list.n && !bad; i++)
            if (params->list.v[i]->kind != N_NAME)
                bad = params->list.v[i];
    }
    if (bad)
        diag_error(ctx->diag, bad->loc, "expected parameter names before '=>', found %s", node_desc(bad));
    else
        n->list = params->list;
    return n;
}

/* postfix: IDENT '(' [args] ')' */
Node *parse_call(ParseCtx *ctx, const char *name, NodeList args, Loc loc)
{
    Node *n = ast_new(ctx->arena, N_CALL, loc);
    n->name = name;
    n->list = args;
    return n;
}

NodeList parse_arg_add(ParseCtx *ctx, NodeList args, Node *arg)
{
    if (!arg->name && args.n > 0 && args.v[args.n - 1]->name) {
        const Node *named = args.v[args.n - 1];
        diag_error(ctx->diag, arg->loc, "expected a named argument after '%s:', found a positional one "
                                        "(positional arguments come first)", named->name);
    }
    ast_push(ctx->arena, &args, arg);
    return args;
}

/* postfix: postfix '.' INT */
Node *parse_field(ParseCtx *ctx, Node *tuple, uint64_t index, Loc loc)
{
    Node *n = ast_new(ctx->arena, N_FIELD, loc);
    n->a = tuple;
    if (index > INT_MAX) {
        diag_error(ctx->diag, loc, "field number %" PRIu64 " out of range", index);
        index = 0;
    }
    n->field = (int)index;
    return n;
}

Node *parse_slice(ParseCtx *ctx, Node *seq, Node *start, Node *end, Loc loc)
{
    Node *n = ast_new(ctx->arena, N_SLICE, loc);
    n->a = seq;
    n->b = start;
    n->c = end;
    return n;
}

Node *parse_field_name(ParseCtx *ctx, Node *rec, const char *name, Loc loc)
{
    Node *n = ast_new(ctx->arena, N_FIELD, loc);
    n->a = rec;
    n->name = name;
    n->field = -1;
    return n;
}

Node *parse_record(ParseCtx *ctx, const char *name, Loc name_loc, NodeList fields)
{
    Node *n = parse_list_node(ctx, N_RECORD, name_loc, fields);
    n->name = name;
    return n;
}

Node *parse_record_value(ParseCtx *ctx, const char *name, NodeList args, Loc loc)
{
    for (int i = 0; i < args.n; i++)
        if (!args.v[i]->name) {
            diag_error(ctx->diag, args.v[i]->loc, "the fields of a record value are named: %s { field: value, ... }",
                       name);
            break;
        }
    Node *n = ast_new(ctx->arena, N_RECLIT, loc);
    n->name = name;
    n->list = args;
    return n;
}

Node *parse_int(ParseCtx *ctx, uint64_t v, Loc loc)
{
    Node *n = ast_new(ctx->arena, N_INT, loc);
    if (v >= BIG_INT) {
        n->ival = INT64_MIN;
        ctx->big_int = n;
    } else {
        n->ival = (int64_t)v;
    }
    return n;
}

Node *parse_float(ParseCtx *ctx, double v, Loc loc)
{
    Node *n = ast_new(ctx->arena, N_FLOAT, loc);
    n->fval = v;
    return n;
}

Node *parse_str(ParseCtx *ctx, PipeStr s, Loc loc)
{
    Node *n = ast_new(ctx->arena, N_STR, loc);
    n->str = s;
    return n;
}

Node *parse_bool(ParseCtx *ctx, bool v, Loc loc)
{
    Node *n = ast_new(ctx->arena, N_BOOL, loc);
    n->bval = v;
    return n;
}

/* '(' x ',' xs ')' as a tuple or a tuple type */
Node *parse_tuple(ParseCtx *ctx, NodeKind kind, Node *first, NodeList rest, Loc loc)
{
    Node *n = ast_new(ctx->arena, kind, loc);
    ast_push(ctx->arena, &n->list, first);
    for (int i = 0; i < rest.n; i++)
        ast_push(ctx->arena, &n->list, rest.v[i]);
    return n;
}

/* ------------------------------------------------------------------ files */

/* How parse_with reads a file: a script's declarations, declarations or a
 * pipeline's statements typed into the REPL, or only its tokens. */
typedef enum ParseMode { PM_FILE, PM_DECLS_INPUT, PM_STMTS_INPUT, PM_TOKENS } ParseMode;

/* Parses (or, PM_TOKENS, only lexes) file file_id as mode says. */
static Node *parse_with(Diag *d, PipeArena *a, int file_id, Comments *comments, ParseMode mode)
{
    const SrcFile *f = diag_file(d, file_id);
    ParseCtx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.comments = comments;
    ctx.diag = d;
    ctx.arena = a;
    ctx.file = file_id;
    ctx.statements = mode == PM_STMTS_INPUT;
    ctx.end_name = mode == PM_FILE ? "end of file" : "the end of the input";
    ctx.line = f ? f->first_line : 1;
    ctx.root = ast_new(a, N_FILE, no_loc(file_id));
    if (!f)
        return ctx.root;
    ctx.root->str = (PipeStr){ast_strdup(a, f->path, strlen(f->path)), strlen(f->path)};
    ctx.root->loc.end = (int)f->len;

    yyscan_t scanner;
    if (plexlex_init_extra(&ctx, &scanner) != 0) {
        diag_plain_error(d, "cannot start the lexer: %s", strerror(errno));
        return ctx.root;
    }
    ctx.scanner = scanner;
    YY_BUFFER_STATE buf = plex_scan_bytes(f->text, (int)f->len, scanner);
    if (mode == PM_TOKENS)
        while (next_raw(&ctx).tok != YYEOF)
            ;
    else
        yyparse(&ctx);
    plex_delete_buffer(buf, scanner);
    plexlex_destroy(scanner);
    return ctx.root;
}

Node *parse_file(Diag *d, PipeArena *a, int file_id)
{
    return parse_with(d, a, file_id, NULL, PM_FILE);
}

Node *parse_file_comments(Diag *d, PipeArena *a, int file_id, Comments *out)
{
    memset(out, 0, sizeof *out);
    return parse_with(d, a, file_id, out, PM_FILE);
}

Node *parse_input(Diag *d, PipeArena *a, int file_id, bool statements)
{
    return parse_with(d, a, file_id, NULL, statements ? PM_STMTS_INPUT : PM_DECLS_INPUT);
}

void parse_tokens(Diag *d, PipeArena *a, int file_id, Comments *out)
{
    memset(out, 0, sizeof *out);
    parse_with(d, a, file_id, out, PM_TOKENS);
}

bool parse_continues_line(int tok)
{
    return tok != 0 && tok != STATEMENTS && continues_line(tok);
}

/* A loaded file's identity: device and inode of what was read (for "each
 * once" and cycles), so that a name swapped for a link meanwhile cannot make
 * one file look new again and load without end. */
typedef struct FileId {
    bool on_disk; /* false: text given in memory */
    dev_t dev;
    ino_t ino;
} FileId;

/* The files of a program as they are loaded: their identities and the chain
 * of files being loaded (for cycles). */
typedef struct Loader {
    Diag *d;
    PipeArena *a;
    Program *out;
    int cap;
    FileId *ids;    /* per file */
    int *stack;     /* indices of the files whose imports are being loaded */
    int depth;
    const char *const *dirs; /* --safe: the folders imports may come from; NULL: any */
} Loader;

static void add_file(Loader *L, Node *file, FileId id)
{
    Program *p = L->out;
    if (p->nfiles == L->cap) {
        L->cap = L->cap ? 2 * L->cap : 8;
        Node **v = pipe_alloc(L->a, (size_t)L->cap * sizeof *v);
        if (p->nfiles)
            memcpy(v, p->files, (size_t)p->nfiles * sizeof *v);
        p->files = v;
        L->ids = realloc(L->ids, (size_t)L->cap * sizeof *L->ids);
        L->stack = realloc(L->stack, (size_t)L->cap * sizeof *L->stack);
        if (!L->ids || !L->stack) {
            fputs("pipec: error: out of memory\n", stderr);
            exit(1);
        }
    }
    L->ids[p->nfiles] = id;
    p->files[p->nfiles++] = file;
}

static const char *file_path(Loader *L, int idx)
{
    return diag_file(L->d, L->out->files[idx]->loc.file)->path;
}

/* Reports the cycle that importing file `idx` from the top of the stack closes. */
static void report_cycle(Loader *L, Node *imp, int idx)
{
    char msg[1024];
    size_t len = (size_t)snprintf(msg, sizeof msg, "import cycle: %s", file_path(L, idx));
    int from = 0;
    while (from < L->depth && L->stack[from] != idx)
        from++;
    for (int i = from + 1; i <= L->depth + 1 && len < sizeof msg; i++) {
        const char *p = i <= L->depth ? file_path(L, L->stack[i]) : file_path(L, idx);
        len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s", i == from + 1 ? " imports " : ", which imports ", p);
    }
    diag_error(L->d, imp->loc, "%s", msg);
}

static void load_imports(Loader *L, int idx);

/* Resolves, loads and parses the file an import names (once), then its imports. */
static void load_import(Loader *L, int importer, Node *imp)
{
    const char *from = file_path(L, importer);
    if (memchr(imp->str.p, '\0', imp->str.n)) {
        diag_error(L->d, imp->loc, "expected a file path, found a string with a NUL byte");
        return;
    }
    /* relative to the importing file's directory; text in memory: the current one */
    const char *slash = L->ids[importer].on_disk ? strrchr(from, '/') : NULL;
    size_t dirlen = imp->str.n > 0 && imp->str.p[0] == '/' ? 0 : slash ? (size_t)(slash - from + 1) : 0;
    char *path = malloc(dirlen + imp->str.n + 1);
    if (!path) {
        fputs("pipec: error: out of memory\n", stderr);
        exit(1);
    }
    memcpy(path, from, dirlen);
    memcpy(path + dirlen, imp->str.p, imp->str.n);
    path[dirlen + imp->str.n] = '\0';

    /* opened first (under --safe beneath an allowed folder: path.c), without
     * waiting on a FIFO; only then named and read */
    int fd = L->dirs ? pipe_path_open_in(L->dirs, path, O_RDONLY | O_NONBLOCK, 0)
                     : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        fd = -1;
        errno = e;
    }
    if (fd < 0) {
        if (errno != EXDEV || !L->dirs)
            diag_error(L->d, imp->loc, "cannot read '%s': %s", path, strerror(errno));
        else
            diag_error(L->d, imp->loc, "--safe: import '%s' is outside the script's folder and the folders "
                                       "given with --allow-read or --allow-write", path);
        free(path);
        return;
    }
    FileId fid = {true, st.st_dev, st.st_ino};
    for (int i = 0; i < L->out->nfiles; i++) {
        if (L->ids[i].on_disk && L->ids[i].dev == fid.dev && L->ids[i].ino == fid.ino) {
            imp->file_index = i;
            for (int k = 0; k <= L->depth; k++)
                if (L->stack[k] == i) {
                    report_cycle(L, imp, i);
                    break;
                }
            free(path);
            close(fd);
            return;
        }
    }
    int id = diag_load_fd(L->d, path, fd, true);
    if (id < 0) {
        diag_error(L->d, imp->loc, "cannot import '%s': %s", path, diag_load_error(errno));
        free(path);
        return;
    }
    free(path);
    imp->file_index = L->out->nfiles;
    add_file(L, parse_file(L->d, L->a, id), fid);
    load_imports(L, L->out->nfiles - 1);
}

static void load_imports(Loader *L, int idx)
{
    L->stack[++L->depth] = idx;
    Node *file = L->out->files[idx];
    for (int i = 0; i < file->list.n; i++)
        if (file->list.v[i]->kind == N_IMPORT)
            load_import(L, idx, file->list.v[i]);
    L->depth--;
}

static bool load_program(Diag *d, PipeArena *a, Node *file, FileId fid, const char *const *dirs, Program *out)
{
    Loader L = {.d = d, .a = a, .out = out, .depth = -1, .dirs = dirs};
    out->files = NULL;
    out->nfiles = 0;
    add_file(&L, file, fid);
    load_imports(&L, 0);
    free(L.ids);
    free(L.stack);
    return true;
}

bool parse_program(Diag *d, PipeArena *a, const char *path, Program *out)
{
    return parse_program_in(d, a, path, NULL, NULL, out);
}

bool parse_program_in(Diag *d, PipeArena *a, const char *path, const char *const *allow, const char *const *allow2,
                      Program *out)
{
    int id = diag_load_file(d, path);
    if (id < 0) {
        diag_plain_error(d, "cannot read '%s': %s", path, diag_load_error(errno));
        out->files = NULL;
        out->nfiles = 0;
        return false;
    }
    char *real = realpath(path, NULL);
    const char **dirs = NULL;
    if (allow) { /* --safe: the script's folder and the allowed folders */
        size_t n = 0, k = 0;
        while (allow[n])
            n++;
        for (size_t i = 0; allow2 && allow2[i]; i++)
            n++;
        dirs = calloc(n + 2, sizeof *dirs);
        char *slash = real ? strrchr(real, '/') : NULL;
        char *folder = slash ? strndup(real, slash == real ? 1 : (size_t)(slash - real)) : NULL;
        if (!dirs || (slash && !folder)) {
            fputs("pipec: error: out of memory\n", stderr);
            exit(1);
        }
        if (folder)
            dirs[k++] = folder;
        for (size_t i = 0; allow[i]; i++)
            dirs[k++] = allow[i];
        for (size_t i = 0; allow2 && allow2[i]; i++)
            dirs[k++] = allow2[i];
    }
    struct stat st;
    FileId fid = {real && stat(real, &st) == 0, 0, 0};
    if (fid.on_disk) {
        fid.dev = st.st_dev;
        fid.ino = st.st_ino;
    }
    bool ok = load_program(d, a, parse_file(d, a, id), fid, dirs, out);
    if (dirs && real)
        free((char *)dirs[0]);
    free(dirs);
    free(real);
    return ok;
}

bool parse_program_text(Diag *d, PipeArena *a, const char *name, const char *text, Program *out)
{
    int errors = d->errors;
    parse_program_file(d, a, diag_add_file(d, name, text, strlen(text)), out);
    return d->errors == errors;
}

bool parse_program_file(Diag *d, PipeArena *a, int file_id, Program *out)
{
    return load_program(d, a, parse_file(d, a, file_id), (FileId){false, 0, 0}, NULL, out);
}

bool parse_program_tree(Diag *d, PipeArena *a, Node *file, Program *out)
{
    return load_program(d, a, file, (FileId){false, 0, 0}, NULL, out);
}
