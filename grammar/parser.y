/* parser.y — the grammar of Pipe (LANGUAGE.md §4, §5): a pure bison parser whose
 * actions each make one call to a builder in compiler/parse.c. */

%code requires {
#include "grammar.h"
}

%code {
#define yylex parse_filter_lex
static void yyerror(const Loc *loc, ParseCtx *ctx, const char *msg);
/* A rule's span runs from its first symbol to its last; an empty rule sits
 * just after the previous symbol. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                     \
    do {                                                                \
        if (N) {                                                        \
            (Cur) = loc_join(YYRHSLOC(Rhs, 1), YYRHSLOC(Rhs, N));       \
        } else {                                                        \
            (Cur) = YYRHSLOC(Rhs, 0);                                   \
            (Cur).col += (Cur).end - (Cur).off;                         \
            (Cur).off = (Cur).end;                                      \
        }                                                               \
    } while (0)
}

%define api.pure full
%define api.value.type {TokVal}
%define api.location.type {Loc}
%define parse.error custom
%define parse.lac full
%locations
%param {ParseCtx *ctx}
%expect 0

/* Aliases are what messages say for "expected ..." (parse.c groups them). */
%token <name> IDENT "a name"
%token <u> INT "an integer"
%token <f> FLOAT "a number"
%token <s> STRING "a string"
%token <u> NEWLINE "end of line"
%token PIPELINE "'pipeline'" PROC "'proc'" EXTERN "'extern'" IMPORT "'import'"
%token FROM "'from'" STATE "'state'" ON "'on'" END "'end'"
%token LET "'let'" IF "'if'" THEN "'then'" ELSE "'else'" FOR "'for'" IN "'in'"
%token WHILE "'while'" EMIT "'emit'" TRUE "'true'" FALSE "'false'"
%token AND "'and'" OR "'or'" NOT "'not'" RECORD "'record'" NONE "'none'"
%token FN "'fn'" RETURN "'return'"
%token '|' '=' ',' ')' ']' '}' '(' '[' '{' ':'
%token ARROW "'->'" FATARROW "'=>'"
%token EQ "'=='" NE "'!='" '<' LE "'<='" '>' GE "'>='" '+' '-' '*' '/' '%' '.'
%token ADD_ASSIGN "'+='" SUB_ASSIGN "'-='" MUL_ASSIGN "'*='" DIV_ASSIGN "'/='"
%token COALESCE "'??'" '?'
/* the '{' of a record value `Name { field: e }`: the token filter tells it
 * from a block's (parse.c, classify_brace) */
%token REC_OPEN "'{' of a record value"
/* never lexed: the token filter gives it first when the text is statements
 * (parse_input), which selects the second start below */
%token STATEMENTS "the start of statements"

%type <node> decl proc_head sig opt_type type param opt_default body_item opt_tann opt_init
%type <node> pstmt flow stage block stmt if_stmt else_part
%type <node> expr or_expr and_expr not_expr cmp_expr coalesce_expr add_expr mul_expr unary postfix primary arg
%type <node> rfield entry opt_expr
%type <list> opt_params params types body body_items opt_pstmts pstmts stmts args exprs rfields entries fn_params
%type <op> cmp_op assign_op

%%

file:
  %empty
| decls
| STATEMENTS opt_pstmts { parse_statements(ctx, $2); }
;

decls:
  decl                  { parse_decl(ctx, $1, @1); }
| decls sep decl        { parse_decl(ctx, $3, @3); }
;

/* a statement ended well: report the next error even if it comes soon */
sep:
  NEWLINE               { yyerrok; }
;

/* ------------------------------------------------------------------ declarations */

decl:
  IMPORT STRING                         { $$ = parse_import(ctx, $2, @2); }
| proc_head type '=' flow               { $$ = parse_proc_flow(ctx, $1, $2, $4); }
| proc_head '=' flow                    { $$ = parse_proc_flow(ctx, $1, NULL, $3); }
| proc_head type body                   { $$ = parse_proc_body(ctx, $1, $2, $3); }
| proc_head body                        { $$ = parse_proc_body(ctx, $1, NULL, $2); }
| EXTERN proc_head opt_type FROM STRING { $$ = parse_extern(ctx, $2, $3, $5); }
| PIPELINE IDENT opt_params '{' opt_pstmts '}'
                                        { $$ = parse_pipeline(ctx, $2, @2, $3, $5); }
| RECORD IDENT '{' rfields opt_comma '}' { $$ = parse_record(ctx, $2, @2, $4); }
| FN IDENT fn_params ARROW type '=' expr { $$ = parse_fn(ctx, $2, @2, $3, $5, $7); }
| FN IDENT fn_params ARROW type block   { $$ = parse_fn(ctx, $2, @2, $3, $5, $6); }
| error                                 { $$ = NULL; }
;

fn_params:
  '(' ')'               { $$ = (NodeList){0}; }
| '(' params ')'        { $$ = $2; }
;

proc_head:
  PROC IDENT opt_params ':' sig         { $$ = parse_proc_head(ctx, $2, @2, $3, $5); }
;

/* a record's fields, one a line or separated by ',' */
rfields:
  rfield                { $$ = parse_list1(ctx, $1); }
| rfields sep rfield    { $$ = parse_list_add(ctx, $1, $3); }
| rfields ',' rfield    { $$ = parse_list_add(ctx, $1, $3); }
;

rfield:
  IDENT ':' type        { $$ = parse_node(ctx, N_RFIELD, @1, $1, $3, NULL); }
;

opt_comma:
  %empty
| ','
;

/* IN -> (the OUT type, if any, follows in decl) */
sig:
  type ARROW            { $$ = $1; }
| ARROW                 { $$ = NULL; }
;

opt_type:
  %empty                { $$ = NULL; }
| type
;

opt_params:
  %empty                { $$ = (NodeList){0}; }
| '(' ')'               { $$ = (NodeList){0}; }
| '(' params ')'        { $$ = $2; }
;

params:
  param                 { $$ = parse_list1(ctx, $1); }
| params ',' param      { $$ = parse_list_add(ctx, $1, $3); }
;

param:
  IDENT ':' type opt_default            { $$ = parse_param(ctx, $1, $3, $4, @1); }
;

opt_default:
  %empty                { $$ = NULL; }
| '=' expr              { $$ = $2; }
;

type:
  IDENT                         { $$ = parse_node(ctx, N_TNAME, @$, $1, NULL, NULL); }
| '(' type ')'                  { $$ = $2; }
| '(' type ',' types ')'        { $$ = parse_tuple(ctx, N_TTUPLE, $2, $4, @$); }
| '[' type ']'                  { $$ = parse_node(ctx, N_TLIST, @$, NULL, $2, NULL); }
| '{' type '}'                  { $$ = parse_node(ctx, N_TSET, @$, NULL, $2, NULL); }
| '{' type ':' type '}'         { $$ = parse_node(ctx, N_TMAP, @$, NULL, $2, $4); }
| type '?'                      { $$ = parse_node(ctx, N_TOPT, @$, NULL, $1, NULL); }
;

types:
  type                  { $$ = parse_list1(ctx, $1); }
| types ',' type        { $$ = parse_list_add(ctx, $1, $3); }
;

/* ------------------------------------------------------------------ proc bodies */

body:
  '{' '}'               { $$ = (NodeList){0}; }
| '{' body_items '}'    { $$ = $2; }
;

body_items:
  body_item                     { $$ = parse_list1(ctx, $1); }
| body_items sep body_item      { $$ = parse_list_add(ctx, $1, $3); }
;

body_item:
  STATE IDENT opt_tann opt_init { $$ = parse_state(ctx, $2, @2, $3, $4, @$); }
| ON IDENT block                { $$ = parse_on(ctx, $2, $3, loc_join(@1, @2)); }
| ON END block                  { $$ = parse_on(ctx, NULL, $3, loc_join(@1, @2)); }
| error                         { $$ = NULL; }
;

opt_tann:
  %empty                { $$ = NULL; }
| ':' type              { $$ = $2; }
;

opt_init:
  %empty                { $$ = NULL; }
| '=' expr              { $$ = $2; }
;

/* ------------------------------------------------------------------ pipelines */

opt_pstmts:
  %empty                { $$ = (NodeList){0}; }
| pstmts
;

pstmts:
  pstmt                 { $$ = parse_list1(ctx, $1); }
| pstmts sep pstmt      { $$ = parse_list_add(ctx, $1, $3); }
;

pstmt:
  IDENT '=' flow        { $$ = parse_node(ctx, N_BIND, @1, $1, $3, NULL); }
| flow
| error                 { $$ = NULL; }
;

flow:
  stage                 { $$ = parse_flow_add(ctx, NULL, $1, @$); }
| flow '|' stage        { $$ = parse_flow_add(ctx, $1, $3, @$); }
;

stage:
  postfix
| postfix ON IDENT IDENT { $$ = parse_catch(ctx, $1, $3, @3, $4, @4); }
;

/* ------------------------------------------------------------------ statements */

block:
  '{' '}'               { $$ = parse_block(ctx, (NodeList){0}, @$); }
| '{' stmts '}'         { $$ = parse_block(ctx, $2, @$); }
;

stmts:
  stmt                  { $$ = parse_list1(ctx, $1); }
| stmts sep stmt        { $$ = parse_list_add(ctx, $1, $3); }
;

stmt:
  LET IDENT '=' expr                    { $$ = parse_let(ctx, $2, @2, NULL, $4, @$); }
| LET IDENT ':' type '=' expr           { $$ = parse_let(ctx, $2, @2, $4, $6, @$); }
| RETURN expr                           { $$ = parse_node(ctx, N_RETURN, @$, NULL, $2, NULL); }
| postfix '=' expr                      { $$ = parse_assign(ctx, OP_SET, $1, $3, @$); }
| postfix assign_op expr                { $$ = parse_assign(ctx, $2, $1, $3, @$); }
| if_stmt
| FOR IDENT IN expr block               { $$ = parse_for(ctx, $2, NULL, $4, $5, @$); }
| FOR IDENT ',' IDENT IN expr block     { $$ = parse_for(ctx, $2, $4, $6, $7, @$); }
| WHILE expr block                      { $$ = parse_node(ctx, N_WHILE, @$, NULL, $2, $3); }
| EMIT expr                             { $$ = parse_node(ctx, N_EMIT, @$, NULL, $2, NULL); }
| postfix                               { $$ = parse_node(ctx, N_EXPR_STMT, @$, NULL, $1, NULL); }
| error                                 { $$ = NULL; }
;

if_stmt:
  IF expr block else_part               { $$ = parse_if(ctx, $2, $3, $4, @$); }
;

else_part:
  %empty                { $$ = NULL; }
| ELSE block            { $$ = $2; }
| ELSE if_stmt          { $$ = $2; }
;

assign_op:
  ADD_ASSIGN            { $$ = OP_ADD; }
| SUB_ASSIGN            { $$ = OP_SUB; }
| MUL_ASSIGN            { $$ = OP_MUL; }
| DIV_ASSIGN            { $$ = OP_DIV; }
;

/* ------------------------------------------------------------------ expressions */

/* the left of '=>' is parsed as an expression; parse_lambda checks it is a
 * name or a tuple of names */
expr:
  or_expr
| or_expr FATARROW expr                 { $$ = parse_lambda(ctx, $1, $3, @$); }
| IF expr THEN expr ELSE expr           { $$ = parse_cond(ctx, $2, $4, $6, @$); }
;

or_expr:
  and_expr
| or_expr OR and_expr                   { $$ = parse_binary(ctx, OP_OR, $1, $3, @$); }
;

and_expr:
  not_expr
| and_expr AND not_expr                 { $$ = parse_binary(ctx, OP_AND, $1, $3, @$); }
;

not_expr:
  cmp_expr
| NOT not_expr                          { $$ = parse_unary(ctx, OP_NOT, $2, @$); }
;

/* comparisons do not chain: `a < b < c` is a syntax error */
cmp_expr:
  coalesce_expr
| coalesce_expr cmp_op coalesce_expr    { $$ = parse_binary(ctx, $2, $1, $3, @$); }
;

/* `a ?? b ?? c` is `a ?? (b ?? c)`; it binds looser than `+` and tighter
 * than comparisons (as Swift's): `r.n ?? 0 > 5` compares the value */
coalesce_expr:
  add_expr
| add_expr COALESCE coalesce_expr       { $$ = parse_binary(ctx, OP_COALESCE, $1, $3, @$); }
;

cmp_op:
  EQ { $$ = OP_EQ; } | NE { $$ = OP_NE; } | '<' { $$ = OP_LT; } | LE { $$ = OP_LE; }
| '>' { $$ = OP_GT; } | GE { $$ = OP_GE; } | IN { $$ = OP_IN; }
;

add_expr:
  mul_expr
| add_expr '+' mul_expr                 { $$ = parse_binary(ctx, OP_ADD, $1, $3, @$); }
| add_expr '-' mul_expr                 { $$ = parse_binary(ctx, OP_SUB, $1, $3, @$); }
;

mul_expr:
  unary
| mul_expr '*' unary                    { $$ = parse_binary(ctx, OP_MUL, $1, $3, @$); }
| mul_expr '/' unary                    { $$ = parse_binary(ctx, OP_DIV, $1, $3, @$); }
| mul_expr '%' unary                    { $$ = parse_binary(ctx, OP_MOD, $1, $3, @$); }
;

/* `-7` folds into the literal -7 (so that -9223372036854775808 is an int) */
unary:
  postfix
| '-' unary                             { $$ = parse_unary(ctx, OP_NEG, $2, @$); }
;

postfix:
  primary
| postfix '.' INT                       { $$ = parse_field(ctx, $1, $3, @$); }
| postfix '.' IDENT                     { $$ = parse_field_name(ctx, $1, $3, @$); }
| postfix '[' expr ']'                  { $$ = parse_node(ctx, N_INDEX, @$, NULL, $1, $3); }
| postfix '[' opt_expr ':' opt_expr ']' { $$ = parse_slice(ctx, $1, $3, $5, @$); }
| IDENT '(' ')'                         { $$ = parse_call(ctx, $1, (NodeList){0}, @$); }
| IDENT '(' args ')'                    { $$ = parse_call(ctx, $1, $3, @$); }
;

/* a bound of a slice, which may be left out */
opt_expr:
  %empty                { $$ = NULL; }
| expr
;

args:
  arg                   { $$ = parse_arg_add(ctx, (NodeList){0}, $1); }
| args ',' arg          { $$ = parse_arg_add(ctx, $1, $3); }
;

arg:
  expr                  { $$ = parse_node(ctx, N_ARG, @$, NULL, $1, NULL); }
| IDENT ':' expr        { $$ = parse_node(ctx, N_ARG, @$, $1, $3, NULL); }
| ON ':' expr           { $$ = parse_node(ctx, N_ARG, @$, "on", $3, NULL); } /* join(other, on: k, ...) */
;

primary:
  INT                           { $$ = parse_int(ctx, $1, @$); }
| FLOAT                         { $$ = parse_float(ctx, $1, @$); }
| STRING                        { $$ = parse_str(ctx, $1, @$); }
| TRUE                          { $$ = parse_bool(ctx, true, @$); }
| FALSE                         { $$ = parse_bool(ctx, false, @$); }
| IDENT                         { $$ = parse_node(ctx, N_NAME, @$, $1, NULL, NULL); }
| '(' expr ')'                  { $$ = $2; }
| '(' expr ',' exprs ')'        { $$ = parse_tuple(ctx, N_TUPLE, $2, $4, @$); }
| '[' ']'                       { $$ = parse_list_node(ctx, N_LIST, @$, (NodeList){0}); }
| '[' exprs ']'                 { $$ = parse_list_node(ctx, N_LIST, @$, $2); }
| NONE                          { $$ = parse_node(ctx, N_NONE, @$, NULL, NULL, NULL); }
| '{' '}'                       { $$ = parse_list_node(ctx, N_MAPLIT, @$, (NodeList){0}); }
| '{' entries opt_comma '}'     { $$ = parse_list_node(ctx, N_MAPLIT, @$, $2); }
| '{' exprs opt_comma '}'       { $$ = parse_list_node(ctx, N_SETLIT, @$, $2); }
| IDENT REC_OPEN '}'            { $$ = parse_record_value(ctx, $1, (NodeList){0}, @$); }
| IDENT REC_OPEN args opt_comma '}'
                                { $$ = parse_record_value(ctx, $1, $3, @$); }
;

/* a map literal's `key: value` */
entries:
  entry                 { $$ = parse_list1(ctx, $1); }
| entries ',' entry     { $$ = parse_list_add(ctx, $1, $3); }
;

entry:
  expr ':' expr         { $$ = parse_node(ctx, N_ENTRY, @$, NULL, $1, $3); }
;

exprs:
  expr                  { $$ = parse_list1(ctx, $1); }
| exprs ',' expr        { $$ = parse_list_add(ctx, $1, $3); }
;

%%

/* Hands bison's view of the error (the lookahead and the tokens that could
 * have been shifted instead) to parse.c, which words the message. */
static int yyreport_syntax_error(const yypcontext_t *yyctx, ParseCtx *ctx)
{
    enum { MAX_EXPECTED = 64 };
    yysymbol_kind_t kinds[MAX_EXPECTED];
    const char *names[MAX_EXPECTED];
    int n = yypcontext_expected_tokens(yyctx, kinds, MAX_EXPECTED);
    if (n < 0)
        n = 0;
    /* after a stage, `on error` is possible but rarely what was meant: the
     * message lists the usual continuations of a flow */
    bool flow = false;
    for (int i = 0; i < n; i++)
        flow |= !strcmp(yysymbol_name(kinds[i]), "'|'");
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!(flow && kinds[i] == YYSYMBOL_ON))
            names[k++] = yysymbol_name(kinds[i]);
    n = k;
    parse_syntax_error(ctx, yysymbol_name(yypcontext_token(yyctx)), *yypcontext_location(yyctx), names, n);
    return 0;
}

/* Only for bison's own failures (memory exhausted): syntax errors go above. */
static void yyerror(const Loc *loc, ParseCtx *ctx, const char *msg)
{
    diag_error(ctx->diag, *loc, "%s", msg);
}
