/* grammar.h — the interface between grammar/ (lexer.l, parser.y) and parse.c:
 * the parse context both are given, and the AST builders the grammar calls. */
#ifndef PIPEC_GRAMMAR_H
#define PIPEC_GRAMMAR_H

#include "ast.h"
#include "diag.h"
#include "parse.h"

/* An opening bracket the token filter is inside of. */
typedef struct Opener {
    int tok;     /* '(' '[' '{' (a block or body), 'T' (the brace of a {K: V} / {T} type),
                  * 'D' (a record declaration's fields) or 'R' (a record value's) */
    Loc loc;
} Opener;

/* The semantic value of a token or grammar symbol (the parser's YYSTYPE). */
typedef union TokVal {
    const char *name; /* IDENT */
    uint64_t u;       /* INT, before the sign is known; NEWLINE: 1 when it was ';' */
    double f;         /* FLOAT */
    PipeStr s;        /* STRING */
    Node *node;
    NodeList list;
    Op op;
} TokVal;

/* A token as the lexer produced it (the filter keeps one of lookahead). */
typedef struct RawTok {
    int tok;
    Loc loc;
    TokVal v;
    bool after_nl;    /* a newline inside ( ), [ ] or a literal's { } was dropped just before it */
    Loc nl_loc;       /* ... at this position */
} RawTok;

/* Everything one parse of one file needs: passed to the lexer (as its extra
 * data) and to every parser action, so that no state is global. */
typedef struct ParseCtx {
    Diag *diag;
    PipeArena *arena;
    int file;          /* diag file id */
    Node *root;        /* N_FILE being filled */
    void *scanner;     /* yyscan_t */

    /* lexer position: the line being scanned starts at byte line_start */
    int line, line_start;
    int last_lex_error_line;

    /* token filter */
    RawTok ahead;      /* valid when have_ahead */
    bool have_ahead;
    int prev_tok;      /* the last token given to the parser (0 at the start) */
    int prev2_tok;     /* ... and the one before it */
    bool for_head;     /* between 'for' and its 'in' */
    int cond[64];      /* the bracket depths (nopen) at which an if/while condition
                        * or a for's iterable is open: there a '{' after a name
                        * opens the block, not a record value */
    int ncond;
    RawTok last;       /* ... and all of it */
    RawTok before;     /* the token given before it */
    bool last_pushed;  /* it opened a bracket (it is the top of `open`) */
    bool brace_unpopped; /* it was a '}' inside ( or [, left on the stack */
    bool stray_close;  /* it was a '}' with no '{' open */
    Opener *open;      /* stack of open brackets */
    int nopen, capopen;
    bool recovering;   /* after a syntax error: skipping to the next statement */
    int skip;          /* while recovering: braces entered that must be closed first */

    Node *big_int;     /* the literal 9223372036854775808, valid only under '-' */

    Comments *comments; /* NULL unless parse_file_comments asked for them */
    bool statements;    /* the text is a pipeline's statements (parse_input) */
    const char *end_name; /* what messages call the end of the text */
} ParseCtx;

/* ------------------------------------------------------------------ lexer support (parse.c) */

/* Sets *loc to the n bytes at offset off (the current token). */
void parse_lex_loc(ParseCtx *ctx, Loc *loc, int off, int n);
/* Records that a new line starts at offset off. */
void parse_lex_newline(ParseCtx *ctx, int off);
/* Sets *loc to the end of the input (after the last line's last byte). */
void parse_lex_eof(ParseCtx *ctx, Loc *loc);
/* A lexical error at loc. */
void parse_lex_error(ParseCtx *ctx, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* awk's `$N` at loc (text, n bytes): an error naming Pipe's form. */
void parse_lex_awk_field(ParseCtx *ctx, const char *text, int n, Loc loc);
/* A run of n bytes that start no token, at loc: one error for all of them. */
void parse_lex_bad(ParseCtx *ctx, const char *text, int n, Loc loc);
/* Decodes the body of a string literal (between the quotes) at loc. */
PipeStr parse_lex_string(ParseCtx *ctx, const char *text, int n, Loc loc);
/* Converts a decimal or 0x integer literal; errors when above 2^63. */
uint64_t parse_lex_int(ParseCtx *ctx, const char *text, Loc loc);
/* A '#' comment at loc: recorded only when ctx->comments is set. */
void parse_lex_comment(ParseCtx *ctx, Loc loc);
/* An identifier's name, interned in the arena. */
const char *parse_lex_name(ParseCtx *ctx, const char *text, int n);

/* The parser's yylex: the lexer's tokens with most newlines dropped (parse.c). */
int parse_filter_lex(TokVal *lval, Loc *lloc, ParseCtx *ctx);
/* Reports a syntax error: the lookahead (bison's name for its kind, and its
 * span) and the names of the tokens that were expected; starts recovery. */
void parse_syntax_error(ParseCtx *ctx, const char *found, Loc loc, const char *const *expected, int n);

/* ------------------------------------------------------------------ AST builders (parse.c) */
/* Each takes the span of the rule it builds; list builders skip NULL (an item
 * lost to a syntax error). */

NodeList parse_list1(ParseCtx *ctx, Node *n);
NodeList parse_list_add(ParseCtx *ctx, NodeList l, Node *n);
/* file: decls; adds one declaration (its whole span) to the file */
void parse_decl(ParseCtx *ctx, Node *decl, Loc span);
/* file: STATEMENTS pstmts; the statements become the file's list */
void parse_statements(ParseCtx *ctx, NodeList stmts);
Node *parse_import(ParseCtx *ctx, PipeStr path, Loc loc);
Node *parse_param(ParseCtx *ctx, const char *name, Node *type, Node *dflt, Loc loc);
/* proc_head: PROC IDENT params ':' sig */
Node *parse_proc_head(ParseCtx *ctx, const char *name, Loc name_loc, NodeList params, Node *in);
/* decl: proc_head [type] '=' flow */
Node *parse_proc_flow(ParseCtx *ctx, Node *head, Node *out, Node *flow);
/* decl: proc_head [type] '{' items '}' */
Node *parse_proc_body(ParseCtx *ctx, Node *head, Node *out, NodeList items);
/* decl: EXTERN proc_head [type] FROM STRING */
Node *parse_extern(ParseCtx *ctx, Node *head, Node *out, PipeStr path);
Node *parse_pipeline(ParseCtx *ctx, const char *name, Loc name_loc, NodeList params, NodeList stmts);
/* A node of `kind` with name and children a, b (either may be NULL). */
Node *parse_node(ParseCtx *ctx, NodeKind kind, Loc loc, const char *name, Node *a, Node *b);
Node *parse_list_node(ParseCtx *ctx, NodeKind kind, Loc loc, NodeList l);
Node *parse_flow_add(ParseCtx *ctx, Node *flow, Node *stage, Loc loc);
/* body_item: STATE IDENT [':' type] ['=' expr], spanning all of it */
Node *parse_state(ParseCtx *ctx, const char *name, Loc name_loc, Node *type, Node *init, Loc span);
/* stmt: LET IDENT '=' expr, spanning all of it */
Node *parse_let(ParseCtx *ctx, const char *name, Loc name_loc, Node *type, Node *value, Loc span);
/* decl: FN IDENT '(' [params] ')' '->' type ('=' expr | block) */
Node *parse_fn(ParseCtx *ctx, const char *name, Loc name_loc, NodeList params, Node *out, Node *body);
Node *parse_on(ParseCtx *ctx, const char *name, Node *block, Loc loc);
Node *parse_catch(ParseCtx *ctx, Node *stage, const char *word, Loc word_loc, const char *policy, Loc loc);
Node *parse_block(ParseCtx *ctx, NodeList stmts, Loc loc);
Node *parse_assign(ParseCtx *ctx, Op op, Node *target, Node *value, Loc loc);
Node *parse_if(ParseCtx *ctx, Node *cond, Node *then, Node *els, Loc loc);
Node *parse_for(ParseCtx *ctx, const char *k, const char *v, Node *iter, Node *body, Loc loc);
Node *parse_binary(ParseCtx *ctx, Op op, Node *a, Node *b, Loc loc);
Node *parse_unary(ParseCtx *ctx, Op op, Node *a, Loc loc);
Node *parse_cond(ParseCtx *ctx, Node *c, Node *a, Node *b, Loc loc);
Node *parse_lambda(ParseCtx *ctx, Node *params, Node *body, Loc loc);
Node *parse_call(ParseCtx *ctx, const char *name, NodeList args, Loc loc);
/* args: arg | args ',' arg — a positional argument after a named one is an error */
NodeList parse_arg_add(ParseCtx *ctx, NodeList args, Node *arg);
Node *parse_field(ParseCtx *ctx, Node *tuple, uint64_t index, Loc loc);
/* postfix '[' [expr] ':' [expr] ']': a slice of a list or a str */
Node *parse_slice(ParseCtx *ctx, Node *seq, Node *start, Node *end, Loc loc);
/* postfix '.' IDENT: a record's field by name */
Node *parse_field_name(ParseCtx *ctx, Node *rec, const char *name, Loc loc);
/* RECORD IDENT '{' fields '}' */
Node *parse_record(ParseCtx *ctx, const char *name, Loc name_loc, NodeList fields);
/* IDENT '{' [args] '}': a record value; every argument must be named */
Node *parse_record_value(ParseCtx *ctx, const char *name, NodeList args, Loc loc);
Node *parse_int(ParseCtx *ctx, uint64_t v, Loc loc);
Node *parse_float(ParseCtx *ctx, double v, Loc loc);
Node *parse_str(ParseCtx *ctx, PipeStr s, Loc loc);
Node *parse_bool(ParseCtx *ctx, bool v, Loc loc);
Node *parse_tuple(ParseCtx *ctx, NodeKind kind, Node *first, NodeList rest, Loc loc);

#endif
