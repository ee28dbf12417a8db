/* builtins.c — the table of standard stages and functions: a row each, with
 * the type rules of functions whose result depends on their arguments. */
#include "builtins.h"

#include <string.h>

#include "ast.h"

/* ------------------------------------------------------------------ function types */

static bool is(const Type *t, TypeKind k)
{
    return t->kind == k;
}

#define FAIL(...) do { snprintf(c->why, c->whylen, __VA_ARGS__); return NULL; } while (0)

/* len(x): of a str, list, map or set */
static Type *type_len(const Builtin *b, FnCall *c)
{
    Type *t = c->at[0];
    if (is(t, T_STR) || is(t, T_LIST) || is(t, T_MAP) || is(t, T_SET) || is(t, T_EMPTY_LIST))
        return TY_INT;
    FAIL("len needs a str, list, map or set, found %s", type_name(c->arena, t));
}

/* join(list, sep): a list of any element type */
static Type *type_join(const Builtin *b, FnCall *c)
{
    if (!is(c->at[0], T_LIST) && !is(c->at[0], T_EMPTY_LIST))
        FAIL("join needs a list, found %s", type_name(c->arena, c->at[0]));
    if (!is(c->at[1], T_STR))
        FAIL("argument 2 of join must be str, found %s", type_name(c->arena, c->at[1]));
    return TY_STR;
}

static Type *type_to_int(const Builtin *b, FnCall *c)
{
    Type *t = c->at[0];
    if (is(t, T_STR) || is(t, T_FLOAT) || is(t, T_INT))
        return TY_INT;
    FAIL("to_int needs a str or a float, found %s", type_name(c->arena, t));
}

static Type *type_to_float(const Builtin *b, FnCall *c)
{
    Type *t = c->at[0];
    if (is(t, T_STR) || is(t, T_INT) || is(t, T_FLOAT))
        return TY_FLOAT;
    FAIL("to_float needs a str or an int, found %s", type_name(c->arena, t));
}

static Type *type_str(const Builtin *b, FnCall *c)
{
    if (is(c->at[0], T_VOID) || is(c->at[0], T_EMPTY_LIST))
        FAIL("str needs a value of a known type, found %s", type_name(c->arena, c->at[0]));
    return TY_STR;
}

static Type *type_abs(const Builtin *b, FnCall *c)
{
    if (type_is_num(c->at[0]))
        return c->at[0];
    FAIL("abs needs a number, found %s", type_name(c->arena, c->at[0]));
}

/* ---------------------------------------------- lists (LANGUAGE.md §9; docs/pipe.md "Lists") */

/* min(xs), max(xs) of an ordered element type; sum(xs) of numbers (an empty
 * list literal sums to the int 0) */
static Type *type_list_fold(const Builtin *b, FnCall *c)
{
    Type *t = c->at[0];
    bool sum = !strcmp(b->name, "sum");
    if (is(t, T_EMPTY_LIST)) {
        if (sum)
            return TY_INT;
        FAIL("%s of an empty list has no value", b->name);
    }
    if (!is(t, T_LIST))
        FAIL("%s needs a list%s, found %s", b->name, sum ? " of numbers" : "", type_name(c->arena, t));
    Type *el = t->elems[0];
    if (sum && !is(el, T_INT) && !is(el, T_FLOAT))
        FAIL("sum needs a list of numbers, found %s", type_name(c->arena, t));
    if (!sum && !type_is_ordered(el))
        FAIL("%s needs elements with an order, found %s", b->name, type_name(c->arena, t));
    return el;
}

/* reverse(xs): a list of the same type */
static Type *type_reverse(const Builtin *b, FnCall *c)
{
    if (is(c->at[0], T_LIST) || is(c->at[0], T_EMPTY_LIST))
        return c->at[0];
    FAIL("reverse needs a list, found %s", type_name(c->arena, c->at[0]));
}

/* contains(s, sub) of two strs; contains(xs, x) of a list and a value that
 * fits its elements */
static Type *type_contains(const Builtin *b, FnCall *c)
{
    Type *t = c->at[0], *x = c->at[1];
    if (is(t, T_STR) && is(x, T_STR))
        return TY_BOOL;
    if (is(t, T_EMPTY_LIST) || (is(t, T_LIST) && type_fits(x, t->elems[0])))
        return TY_BOOL;
    if (is(t, T_STR))
        FAIL("argument 2 of contains must be str, found %s", type_name(c->arena, x));
    char t0[128];
    snprintf(t0, sizeof t0, "%s", type_name(c->arena, t));
    if (is(t, T_LIST))
        FAIL("contains of %s needs an element of type %s, found %s", t0, type_name(c->arena, t->elems[0]),
             type_name(c->arena, x));
    FAIL("contains needs two strs, or a list and a value of its elements, found %s and %s", t0,
         type_name(c->arena, x));
}

/* min(a, b), max(a, b): two numbers (an int and a float give a float), or
 * two values of one ordered type; min(xs), max(xs): an element of a list */
static Type *type_minmax(const Builtin *b, FnCall *c)
{
    if (c->n == 1)
        return type_list_fold(b, c);
    Type *x = c->at[0], *y = c->at[1];
    if (type_is_num(x) && type_is_num(y))
        return (is(x, T_FLOAT) || is(y, T_FLOAT)) ? TY_FLOAT : TY_INT;
    char t0[128];
    snprintf(t0, sizeof t0, "%s", type_name(c->arena, x));
    if (!type_eq(x, y))
        FAIL("%s needs two values of one type, found %s and %s", b->name, t0, type_name(c->arena, y));
    if (!type_is_ordered(x))
        FAIL("%s needs values with an order, found %s", b->name, t0);
    return x;
}

/* add(set or list, element); `add(l, [])` gives the [] its element type */
static Type *type_add(const Builtin *b, FnCall *c)
{
    Type *t = c->at[0];
    char t0[128];
    snprintf(t0, sizeof t0, "%s", type_name(c->arena, t));
    if (!is(t, T_SET) && !is(t, T_LIST))
        FAIL("add needs a set or a list, found %s", t0);
    if (!type_fits(c->at[1], t->elems[0]))
        FAIL("add to %s needs a %s, found %s", t0, type_name(c->arena, t->elems[0]), type_name(c->arena, c->at[1]));
    if (is(c->at[1], T_EMPTY_LIST))
        c->args[1]->type = t->elems[0];
    return TY_VOID;
}

static Type *type_remove(const Builtin *b, FnCall *c)
{
    Type *t = c->at[0];
    char t0[128];
    snprintf(t0, sizeof t0, "%s", type_name(c->arena, t));
    if (!is(t, T_SET) && !is(t, T_MAP))
        FAIL("remove needs a set or a map, found %s", t0);
    if (!type_eq(t->elems[0], c->at[1]))
        FAIL("remove from %s needs a %s, found %s", t0, type_name(c->arena, t->elems[0]),
             type_name(c->arena, c->at[1]));
    return TY_VOID;
}

static Type *type_keys(const Builtin *b, FnCall *c)
{
    if (is(c->at[0], T_SET) || is(c->at[0], T_MAP))
        return type_list(c->arena, c->at[0]->elems[0]);
    FAIL("keys needs a map or a set, found %s", type_name(c->arena, c->at[0]));
}

/* get(m, k): m's value at k, or none (lang: docs/pipe.md "Functions and literals") */
static Type *type_get(const Builtin *b, FnCall *c)
{
    if (!is(c->at[0], T_MAP))
        FAIL("get needs a map, found %s", type_name(c->arena, c->at[0]));
    if (!type_fits(c->at[1], c->at[0]->elems[0]))
        FAIL("get(m, k) on %s needs a %s key, found %s", type_name(c->arena, c->at[0]),
             type_name(c->arena, c->at[0]->elems[0]), type_name(c->arena, c->at[1]));
    Type *v = c->at[0]->elems[1];
    return is(v, T_OPT) ? v : type_opt(c->arena, v);
}

/* ---------------------------------------------- regexes as values, time, environment (regexval) */

/* parse_time(s, format), format_time(t, format): the row's types, and a
 * literal format's conversions (a computed format is checked when it runs) */
static Type *type_time(const Builtin *b, FnCall *c)
{
    Type *r = builtin_type_of_row(b, c);
    char why[160];
    if (r && c->args[1]->kind == N_STR &&
        !pipe_time_format_ok(c->args[1]->str, !strcmp(b->name, "parse_time"), why, sizeof why))
        FAIL("%s: %s", b->name, why);
    return r;
}

/* ------------------------------------------------------------------ numbers and text (numfmt) */

static const char *ordinal(char *buf, size_t n, int k)
{
    static const char *const small[] = {"", "1st", "2nd", "3rd"};
    if (k >= 1 && k <= 3)
        return small[k];
    snprintf(buf, n, "%dth", k);
    return buf;
}

/* Whether argument t fits conversion conv of fmt: %s any value with a text,
 * %d %i %x %X %o an int, the float conversions an int or a float. */
static const char *fmt_needs(char conv, const Type *t)
{
    if (conv == 's')
        return is(t, T_VOID) || is(t, T_EMPTY_LIST) ? "a value of a known type" : NULL;
    if (strchr("dixXo", conv))
        return is(t, T_INT) ? NULL : "an int";
    return type_is_num(t) ? NULL : "a float or an int";
}

/* fmt(pattern, args...): the pattern a literal, each conversion one of C's
 * printf with an argument of its type (pipe_fmt_next is the grammar) */
static Type *type_fmt(const Builtin *b, FnCall *c)
{
    Node *pat = c->args[0];
    if (!is(c->at[0], T_STR))
        FAIL("argument 1 of fmt must be a str pattern, found %s", type_name(c->arena, c->at[0]));
    if (pat->kind != N_STR)
        FAIL("the pattern of fmt must be a string literal, so that its conversions are checked against "
             "the arguments");
    size_t at = 0;
    PipeFmtConv cv;
    int arg = 1, k = 0;
    char nth[16];
    while (pipe_fmt_next(pat->str, &at, &cv)) {
        int len = (int)cv.len;
        const char *text = pat->str.p + cv.start;
        k++;
        if (cv.error)
            FAIL("fmt: conversion '%.*s' (the %s): %s", len, text, ordinal(nth, sizeof nth, k), cv.error);
        if (cv.conv == '%')
            continue;
        if (arg >= c->n)
            FAIL("fmt: conversion '%.*s' (the %s) has no argument (%d given after the pattern)", len, text,
                 ordinal(nth, sizeof nth, k), c->n - 1);
        const char *need = fmt_needs(cv.conv, c->at[arg]);
        if (need)
            FAIL("fmt: conversion '%.*s' needs %s, argument %d is %s%s", len, text, need, arg + 1,
                 type_name(c->arena, c->at[arg]),
                 is(c->at[arg], T_FLOAT) ? " (to_int(x) truncates it, to_int(round(x)) rounds it; or use %f)" : "");
        arg++;
    }
    if (arg < c->n)
        FAIL("fmt: argument %d (%s) has no conversion in the pattern, which takes %d", arg + 1,
             type_name(c->arena, c->at[arg]), arg - 1);
    return TY_STR;
}

/* round(x), round(x, digits), floor(x), ceil(x): of x's type */
static Type *type_round(const Builtin *b, FnCall *c)
{
    if (!type_is_num(c->at[0]))
        FAIL("%s needs a number, found %s", b->name, type_name(c->arena, c->at[0]));
    if (c->n > 1 && !is(c->at[1], T_INT))
        FAIL("the digits of %s must be an int, found %s", b->name, type_name(c->arena, c->at[1]));
    return c->at[0];
}

/* sqrt(x): a float of a number */
static Type *type_sqrt(const Builtin *b, FnCall *c)
{
    if (!type_is_num(c->at[0]))
        FAIL("%s needs a number, found %s", b->name, type_name(c->arena, c->at[0]));
    return TY_FLOAT;
}

/* pow(x, y): an int of two ints, else a float */
static Type *type_pow(const Builtin *b, FnCall *c)
{
    for (int i = 0; i < 2; i++)
        if (!type_is_num(c->at[i]))
            FAIL("argument %d of pow must be a number, found %s", i + 1, type_name(c->arena, c->at[i]));
    return is(c->at[0], T_INT) && is(c->at[1], T_INT) ? TY_INT : TY_FLOAT;
}

/* ------------------------------------------------------------------ functions */

#define STR_STR F_STR, F_STR
static const Builtin builtins[] = {
    {.name = "len", .min_args = 1, .max_args = 1, .regex_arg = -1, .cfn = "pipe_map_len", .pure = true,
     .type = type_len, .emit = emit_fn_len},
    {.name = "upper", .min_args = 1, .max_args = 1, .regex_arg = -1, .params = {F_STR}, .result = F_STR,
     .cfn = "pipe_upper", .scratch = true, .pure = true},
    {.name = "lower", .min_args = 1, .max_args = 1, .regex_arg = -1, .params = {F_STR}, .result = F_STR,
     .cfn = "pipe_lower", .scratch = true, .pure = true},
    {.name = "trim", .min_args = 1, .max_args = 1, .regex_arg = -1, .params = {F_STR}, .result = F_STR,
     .cfn = "pipe_trim", .pure = true},
    {.name = "contains", .min_args = 2, .max_args = 2, .regex_arg = -1, .cfn = "pipe_contains", .pure = true,
     .type = type_contains, .emit = emit_fn_contains},
    {.name = "starts_with", .min_args = 2, .max_args = 2, .regex_arg = -1, .params = {STR_STR}, .result = F_BOOL,
     .cfn = "pipe_starts_with", .pure = true},
    {.name = "ends_with", .min_args = 2, .max_args = 2, .regex_arg = -1, .params = {STR_STR}, .result = F_BOOL,
     .cfn = "pipe_ends_with", .pure = true},
    {.name = "find", .min_args = 2, .max_args = 2, .regex_arg = -1, .params = {STR_STR}, .result = F_INT,
     .cfn = "pipe_find", .pure = true, .emit = emit_fn_find},
    {.name = "substr", .min_args = 2, .max_args = 3, .regex_arg = -1, .params = {F_STR, F_INT, F_INT},
     .result = F_STR, .cfn = "pipe_substr", .missing = "INT64_MAX_", .pure = true},
    {.name = "replace", .min_args = 3, .max_args = 3, .regex_arg = 1, .params = {STR_STR, F_STR}, .result = F_STR,
     .cfn = "pipe_replace", .scratch = true, .pure = true},
    {.name = "matches", .min_args = 2, .max_args = 2, .regex_arg = 1, .params = {STR_STR}, .result = F_BOOL,
     .cfn = "pipe_matches", .pure = true},
    {.name = "split", .min_args = 2, .max_args = 2, .regex_arg = -1, .params = {STR_STR}, .result = F_STR_LIST,
     .cfn = "pipe_split", .scratch = true, .pure = true},
    {.name = "join", .min_args = 2, .max_args = 2, .regex_arg = -1, .cfn = "pipe_join", .pure = true,
     .type = type_join, .emit = emit_fn_join},
    {.name = "words", .min_args = 1, .max_args = 1, .regex_arg = -1, .params = {F_STR}, .result = F_STR_LIST,
     .cfn = "pipe_words", .scratch = true, .pure = true},
    {.name = "to_int", .min_args = 1, .max_args = 1, .regex_arg = -1, .cfn = "pipe_to_int", .pure = true,
     .type = type_to_int, .emit = emit_fn_to_int},
    {.name = "to_float", .min_args = 1, .max_args = 1, .regex_arg = -1, .cfn = "pipe_to_float", .pure = true,
     .type = type_to_float, .emit = emit_fn_to_float},
    {.name = "str", .min_args = 1, .max_args = 1, .regex_arg = -1, .cfn = "pipe_str_of", .pure = true,
     .type = type_str, .emit = emit_fn_str},
    {.name = "abs", .min_args = 1, .max_args = 1, .regex_arg = -1, .cfn = "pipe_iabs", .pure = true,
     .type = type_abs, .emit = emit_fn_abs},
    {.name = "min", .min_args = 1, .max_args = 2, .regex_arg = -1, .cfn = "pipe_cmp", .pure = true,
     .type = type_minmax, .emit = emit_fn_min},
    {.name = "max", .min_args = 1, .max_args = 2, .regex_arg = -1, .cfn = "pipe_cmp", .pure = true,
     .type = type_minmax, .emit = emit_fn_max},
    {.name = "add", .min_args = 2, .max_args = 2, .regex_arg = -1, .cfn = "pipe_map_upsert", .type = type_add,
     .emit = emit_fn_add},
    {.name = "remove", .min_args = 2, .max_args = 2, .regex_arg = -1, .cfn = "pipe_map_remove",
     .type = type_remove, .emit = emit_fn_remove},
    {.name = "keys", .min_args = 1, .max_args = 1, .regex_arg = -1, .cfn = "pipe_map_keys", .scratch = true,
     .pure = true, .type = type_keys},
    {.name = "field", .min_args = 3, .max_args = 3, .regex_arg = -1, .params = {F_STR, F_INT, F_STR},
     .result = F_STR, .cfn = "pipe_field", .pure = true, .emit = emit_fn_field},
    {.name = "find_all", .min_args = 2, .max_args = 2, .regex_arg = 1, .params = {STR_STR}, .result = F_STR_LIST,
     .cfn = "pipe_find_all", .scratch = true, .pure = true},
    /* regexes as values, time and environment (LANGUAGE.md §9; docs/pipe.md "Regexes as values,
     * time and environment") */
    {.name = "captures", .min_args = 2, .max_args = 2, .regex_arg = 1, .params = {STR_STR}, .result = F_STR_LIST,
     .cfn = "pipe_captures", .scratch = true, .pure = true},
    {.name = "replace_first", .min_args = 3, .max_args = 3, .regex_arg = 1, .params = {STR_STR, F_STR},
     .result = F_STR, .cfn = "pipe_replace_first", .scratch = true, .pure = true},
    {.name = "split_re", .min_args = 2, .max_args = 2, .regex_arg = 1, .params = {STR_STR}, .result = F_STR_LIST,
     .cfn = "pipe_split_re", .scratch = true, .pure = true},
    {.name = "quote_re", .min_args = 1, .max_args = 1, .regex_arg = -1, .params = {F_STR}, .result = F_STR,
     .cfn = "pipe_quote_re", .scratch = true, .pure = true},
    {.name = "now", .min_args = 0, .max_args = 0, .regex_arg = -1, .result = F_FLOAT, .cfn = "pipe_now",
     .pure = true},
    {.name = "parse_time", .min_args = 2, .max_args = 2, .regex_arg = -1, .params = {STR_STR}, .result = F_FLOAT,
     .cfn = "pipe_parse_time", .node = true, .pure = true, .type = type_time},
    {.name = "format_time", .min_args = 2, .max_args = 2, .regex_arg = -1, .params = {F_FLOAT, F_STR},
     .result = F_STR, .cfn = "pipe_format_time", .scratch = true, .node = true, .pure = true, .type = type_time},
    {.name = "env", .min_args = 1, .max_args = 1, .regex_arg = -1, .params = {F_STR}, .result = F_STR_OPT,
     .cfn = "pipe_env", .pure = true,
     .unsafe = "the environment can hold secrets (tokens, passwords); pass the value as a parameter"},
    /* numbers and text, LANGUAGE.md §9 (numfmt) */
    {.name = "fmt", .min_args = 1, .max_args = 255, .regex_arg = -1, .cfn = "pipe_fmt", .scratch = true,
     .pure = true, .type = type_fmt, .emit = emit_fn_fmt},
    {.name = "round", .min_args = 1, .max_args = 2, .regex_arg = -1, .cfn = "pipe_round", .pure = true,
     .type = type_round, .emit = emit_fn_round},
    {.name = "floor", .min_args = 1, .max_args = 1, .regex_arg = -1, .cfn = "pipe_floor", .pure = true,
     .type = type_round, .emit = emit_fn_float_fn},
    {.name = "ceil", .min_args = 1, .max_args = 1, .regex_arg = -1, .cfn = "pipe_ceil", .pure = true,
     .type = type_round, .emit = emit_fn_float_fn},
    {.name = "sqrt", .min_args = 1, .max_args = 1, .regex_arg = -1, .cfn = "pipe_sqrt", .pure = true,
     .type = type_sqrt, .emit = emit_fn_float_fn},
    {.name = "pow", .min_args = 2, .max_args = 2, .regex_arg = -1, .cfn = "pipe_pow", .pure = true,
     .type = type_pow, .emit = emit_fn_pow},
    {.name = "len_chars", .min_args = 1, .max_args = 1, .regex_arg = -1, .params = {F_STR}, .result = F_INT,
     .cfn = "pipe_len_chars", .pure = true},
    {.name = "upper_utf8", .min_args = 1, .max_args = 1, .regex_arg = -1, .params = {F_STR}, .result = F_STR,
     .cfn = "pipe_upper_utf8", .scratch = true, .pure = true},
    {.name = "lower_utf8", .min_args = 1, .max_args = 1, .regex_arg = -1, .params = {F_STR}, .result = F_STR,
     .cfn = "pipe_lower_utf8", .scratch = true, .pure = true},
    /* lang: declarations, literals and fns, LANGUAGE.md §9 (docs/pipe.md "Functions and literals") */
    {.name = "get", .min_args = 2, .max_args = 2, .regex_arg = -1, .cfn = "pipe_map_get", .pure = true,
     .type = type_get, .emit = emit_fn_get},
    /* lists, LANGUAGE.md §9 (lists; min, max and contains above take lists too) */
    {.name = "sort", .min_args = 1, .max_args = 3, .regex_arg = -1, .cfn = "pipe_list_sort", .scratch = true,
     .pure = true, .emit = emit_fn_sort, .check = sema_fn_sort},
    {.name = "reverse", .min_args = 1, .max_args = 1, .regex_arg = -1, .cfn = "pipe_list_reverse",
     .scratch = true, .pure = true, .type = type_reverse, .emit = emit_fn_reverse},
    {.name = "sum", .min_args = 1, .max_args = 1, .regex_arg = -1, .cfn = "pipe_list_isum", .pure = true,
     .type = type_list_fold, .emit = emit_fn_sum},
};
#undef STR_STR

const Builtin *builtin_find(const char *name)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (!strcmp(builtins[i].name, name))
            return &builtins[i];
    return NULL;
}

const Builtin *builtins_all(int *n)
{
    *n = (int)(sizeof builtins / sizeof builtins[0]);
    return builtins;
}

static const char *const fn_type_names[] = {"", "str", "int", "bool", "list[str]", "float", "str?"};

/* The type F_* names, for a row without a type hook. */
static Type *fn_type(PipeArena *a, FnType t)
{
    switch (t) {
    case F_STR: return TY_STR;
    case F_INT: return TY_INT;
    case F_BOOL: return TY_BOOL;
    case F_STR_LIST: return type_list(a, TY_STR);
    case F_FLOAT: return TY_FLOAT;
    case F_STR_OPT: return type_opt(a, TY_STR);
    default: return TY_VOID;
    }
}

Type *builtin_type(const Builtin *b, FnCall *c)
{
    return b->type ? b->type(b, c) : builtin_type_of_row(b, c);
}

Type *builtin_type_of_row(const Builtin *b, FnCall *c)
{
    for (int i = 0; i < c->n; i++) {
        Type *want = fn_type(c->arena, b->params[i]);
        if (!is(c->at[i], want->kind) && !(want->kind == T_FLOAT && is(c->at[i], T_INT)))
            FAIL("argument %d of %s must be %s, found %s", i + 1, b->name, fn_type_names[b->params[i]],
                 type_name(c->arena, c->at[i]));
    }
    return fn_type(c->arena, b->result);
}
#undef FAIL

/* ------------------------------------------------------------------ stages */

#define ORD SF_ORDERED
#define KEEP (SF_STATEFUL | SF_ORDERED)
#define AGG (SF_STATEFUL | SF_MERGES)
static const StdStage stages[] = {
    /* sources */
    {.name = "stdin", .role = R_SOURCE, .out = O_STR, .ctor = "pipe_src_stdin", .flags = ORD | SF_LINES},
    {.name = "file", .role = R_SOURCE, .out = O_STR, .nargs = 1, .required = 1, .arg_names = {"path"},
     .arg_kinds = {A_PATH}, .ctor = "pipe_src_file", .flags = ORD | SF_READS | SF_LINES},
    {.name = "files", .role = R_SOURCE, .out = O_STR, .nargs = 2, .required = 1, .arg_names = {"glob", "names"},
     .arg_kinds = {A_GLOB, A_BOOL}, .arg_defaults = {NULL, "false"}, .ctor = "pipe_src_files", .pass = CA_OUT,
     .flags = ORD | SF_READS | SF_LINES, .check = sema_stage_files},
    {.name = "range", .role = R_SOURCE, .out = O_INT, .nargs = 2, .required = 2, .arg_names = {"from", "to"},
     .arg_kinds = {A_INT, A_INT}, .ctor = "pipe_src_range", .flags = ORD},
    {.name = "lines", .role = R_SOURCE, .out = O_STR, .nargs = 1, .required = 1, .arg_names = {"text"},
     .arg_kinds = {A_STR}, .ctor = "pipe_src_lines", .flags = ORD},
    /* sinks */
    {.name = "stdout", .role = R_SINK, .ctor = "pipe_sink_stdout", .pass = CA_TYPED, .flags = ORD | SF_LINES},
    {.name = "stderr", .role = R_SINK, .ctor = "pipe_sink_stderr", .pass = CA_TYPED, .flags = ORD | SF_LINES},
    {.name = "file", .role = R_SINK, .nargs = 1, .required = 1, .arg_names = {"path"}, .arg_kinds = {A_PATH},
     .ctor = "pipe_sink_file", .pass = CA_TYPED, .flags = ORD | SF_WRITES | SF_LINES},
    {.name = "append", .role = R_SINK, .nargs = 1, .required = 1, .arg_names = {"path"}, .arg_kinds = {A_PATH},
     .ctor = "pipe_sink_append", .pass = CA_TYPED, .flags = ORD | SF_WRITES | SF_LINES},
    {.name = "discard", .role = R_SINK, .ctor = "pipe_sink_discard", .pass = CA_TYPED},
    /* processors of text */
    {.name = "grep", .role = R_PROC, .in = I_STR, .out = O_STR, .nargs = 1, .required = 1, .arg_names = {"regex"},
     .arg_kinds = {A_REGEX}, .ctor = "pipe_std_grep", .flags = ORD | SF_PREFILTER},
    {.name = "grep_v", .role = R_PROC, .in = I_STR, .out = O_STR, .nargs = 1, .required = 1,
     .arg_names = {"regex"}, .arg_kinds = {A_REGEX}, .ctor = "pipe_std_grep_v", .flags = ORD},
    {.name = "grep_f", .role = R_PROC, .in = I_STR, .out = O_STR, .nargs = 1, .required = 1,
     .arg_names = {"literal"}, .arg_kinds = {A_STR}, .ctor = "pipe_std_grep_f", .flags = ORD | SF_PREFILTER},
    {.name = "replace", .role = R_PROC, .in = I_STR, .out = O_STR, .nargs = 2, .required = 2,
     .arg_names = {"regex", "with"}, .arg_kinds = {A_REGEX, A_STR}, .ctor = "pipe_std_replace", .flags = ORD},
    {.name = "find_all", .role = R_PROC, .in = I_STR, .out = O_STR, .nargs = 1, .required = 1,
     .arg_names = {"regex"}, .arg_kinds = {A_REGEX}, .ctor = "pipe_std_find_all", .flags = ORD},
    {.name = "upper", .role = R_PROC, .in = I_STR, .out = O_STR, .ctor = "pipe_std_upper", .flags = ORD},
    {.name = "lower", .role = R_PROC, .in = I_STR, .out = O_STR, .ctor = "pipe_std_lower", .flags = ORD},
    {.name = "trim", .role = R_PROC, .in = I_STR, .out = O_STR, .ctor = "pipe_std_trim", .flags = ORD},
    {.name = "words", .role = R_PROC, .in = I_STR, .out = O_STR, .ctor = "pipe_std_words", .flags = ORD},
    {.name = "split", .role = R_PROC, .in = I_STR, .out = O_STR, .nargs = 1, .required = 1, .arg_names = {"sep"},
     .arg_kinds = {A_STR}, .ctor = "pipe_std_split", .flags = ORD},
    {.name = "field", .role = R_PROC, .in = I_STR, .out = O_STR, .nargs = 2, .required = 2,
     .arg_names = {"i", "sep"}, .arg_kinds = {A_INT, A_STR}, .ctor = "pipe_std_field", .flags = ORD},
    {.name = "to_int", .role = R_PROC, .in = I_STR, .out = O_INT, .ctor = "pipe_std_to_int", .flags = ORD},
    {.name = "to_float", .role = R_PROC, .in = I_STR, .out = O_FLOAT, .ctor = "pipe_std_to_float", .flags = ORD},
    {.name = "format", .role = R_PROC, .out = O_STR, .nargs = 1, .required = 1, .arg_names = {"fmt"},
     .arg_kinds = {A_STR}, .ctor = "pipe_std_format", .pass = CA_TYPED, .flags = ORD,
     .check = sema_stage_format},
    /* processors of any items */
    {.name = "head", .role = R_PROC, .out = O_SAME, .nargs = 1, .required = 1, .arg_names = {"n"},
     .arg_kinds = {A_INT}, .ctor = "pipe_std_head", .pass = CA_TYPED, .flags = KEEP},
    {.name = "tail", .role = R_PROC, .out = O_SAME, .nargs = 1, .required = 1, .arg_names = {"n"},
     .arg_kinds = {A_INT}, .ctor = "pipe_std_tail", .pass = CA_TYPED, .flags = KEEP},
    {.name = "skip", .role = R_PROC, .out = O_SAME, .nargs = 1, .required = 1, .arg_names = {"n"},
     .arg_kinds = {A_INT}, .ctor = "pipe_std_skip", .pass = CA_TYPED, .flags = KEEP},
    {.name = "uniq", .role = R_PROC, .in = I_HASH, .out = O_SAME, .ctor = "pipe_std_uniq", .pass = CA_TYPED,
     .flags = KEEP},
    {.name = "distinct", .role = R_PROC, .in = I_HASH, .out = O_SAME, .ctor = "pipe_std_distinct",
     .pass = CA_TYPED, .flags = KEEP | SF_MERGES},
    {.name = "sort", .role = R_PROC, .out = O_SAME, .nargs = 2, .arg_names = {"by", "desc"},
     .arg_kinds = {A_FN, A_BOOL}, .arg_defaults = {NULL, "false"}, .ctor = "pipe_std_sort", .pass = CA_HOOK,
     .flags = AGG | SF_SPILLS, .check = sema_stage_key, .emit = emit_stage_sort},
    {.name = "top", .role = R_PROC, .out = O_SAME, .nargs = 2, .required = 1, .arg_names = {"n", "by"},
     .arg_kinds = {A_INT, A_FN}, .ctor = "pipe_std_top", .pass = CA_HOOK, .flags = AGG, .check = sema_stage_key,
     .emit = emit_stage_top},
    {.name = "count", .role = R_PROC, .in = I_HASH, .out = O_COUNT, .ctor = "pipe_std_count",
     .pass = CA_TYPED_OUT, .flags = AGG | SF_ORDERED},
    {.name = "count_items", .role = R_PROC, .out = O_INT, .ctor = "pipe_std_count_items", .pass = CA_TYPED,
     .flags = AGG},
    {.name = "sum", .role = R_PROC, .in = I_NUM, .out = O_SAME, .ctor = "pipe_std_sum", .pass = CA_TYPED,
     .flags = AGG},
    {.name = "min", .role = R_PROC, .in = I_ORD, .out = O_SAME, .ctor = "pipe_std_min", .pass = CA_TYPED,
     .flags = AGG},
    {.name = "max", .role = R_PROC, .in = I_ORD, .out = O_SAME, .ctor = "pipe_std_max", .pass = CA_TYPED,
     .flags = AGG},
    {.name = "avg", .role = R_PROC, .in = I_NUM, .out = O_FLOAT, .ctor = "pipe_std_avg", .pass = CA_TYPED,
     .flags = AGG},
    {.name = "enumerate", .role = R_PROC, .out = O_ENUM, .ctor = "pipe_std_enumerate", .pass = CA_TYPED_OUT,
     .flags = KEEP},
    {.name = "map", .role = R_PROC, .out = O_SAME, .nargs = 1, .required = 1, .arg_names = {"f"},
     .arg_kinds = {A_FN}, .ctor = "pipe_node_new", .pass = CA_HOOK, .flags = ORD, .check = sema_stage_map,
     .emit = emit_stage_lambda},
    {.name = "filter", .role = R_PROC, .out = O_SAME, .nargs = 1, .required = 1, .arg_names = {"f"},
     .arg_kinds = {A_FN}, .ctor = "pipe_node_new", .pass = CA_HOOK, .flags = ORD, .check = sema_stage_filter,
     .emit = emit_stage_lambda},
    {.name = "flat_map", .role = R_PROC, .out = O_SAME, .nargs = 1, .required = 1, .arg_names = {"f"},
     .arg_kinds = {A_FN}, .ctor = "pipe_node_new", .pass = CA_HOOK, .flags = ORD,
     .check = sema_stage_flat_map, .emit = emit_stage_lambda},
    {.name = "tee", .role = R_PROC, .out = O_SAME, .nargs = 1, .required = 1, .arg_names = {"sink"},
     .arg_kinds = {A_SINK}, .ctor = "pipe_std_pass", .pass = CA_TYPED, .flags = ORD, .check = sema_stage_tee},
    /* data formats (LANGUAGE.md §8) */
    {.name = "csv", .role = R_PROC, .in = I_STR, .out = O_SAME, .nargs = 4, .required = 1,
     .arg_names = {"type", "sep", "header", "comment"}, .arg_kinds = {A_TYPE, A_STR, A_BOOL, A_STR},
     .arg_defaults = {NULL, "\",\"", "true", "\"\""}, .ctor = "pipe_std_csv", .pass = CA_OUT, .flags = KEEP,
     .check = sema_stage_reader},
    {.name = "tsv", .role = R_PROC, .in = I_STR, .out = O_SAME, .nargs = 3, .required = 1,
     .arg_names = {"type", "header", "comment"}, .arg_kinds = {A_TYPE, A_BOOL, A_STR},
     .arg_defaults = {NULL, "true", "\"\""}, .ctor = "pipe_std_tsv", .pass = CA_OUT, .flags = KEEP,
     .check = sema_stage_reader},
    {.name = "json", .role = R_PROC, .in = I_STR, .out = O_SAME, .nargs = 1, .required = 1,
     .arg_names = {"type"}, .arg_kinds = {A_TYPE}, .ctor = "pipe_std_json", .pass = CA_OUT, .flags = ORD,
     .check = sema_stage_reader},
    {.name = "to_csv", .role = R_PROC, .out = O_STR, .ctor = "pipe_std_to_csv", .pass = CA_TYPED, .flags = KEEP},
    {.name = "to_tsv", .role = R_PROC, .out = O_STR, .ctor = "pipe_std_to_tsv", .pass = CA_TYPED, .flags = KEEP},
    {.name = "to_json", .role = R_PROC, .out = O_STR, .ctor = "pipe_std_to_json", .pass = CA_TYPED, .flags = ORD},
    {.name = "exec", .role = R_PROC, .in = I_STR, .out = O_STR, .nargs = 3, .required = 1,
     .arg_names = {"cmd", "retries", "backoff_ms"}, .arg_kinds = {A_CMD, A_COUNT, A_COUNT},
     .arg_defaults = {NULL, "0", "100"}, .ctor = "pipe_std_exec", .flags = KEEP | SF_UNSAFE},
    /* fan-in */
    {.name = "merge", .role = R_FANIN, .out = O_SAME, .ctor = "pipe_std_merge", .pass = CA_FANIN,
     .flags = SF_STATEFUL},
    {.name = "concat", .role = R_FANIN, .out = O_SAME, .ctor = "pipe_std_concat", .pass = CA_FANIN, .flags = KEEP},
    {.name = "zip", .role = R_FANIN, .out = O_PAIR, .ctor = "pipe_std_zip", .pass = CA_HOOK, .flags = KEEP,
     .emit = emit_stage_zip},
    /* joins (LANGUAGE.md §9; docs/pipe.md "Joins"): `other` is read whole first, on port 1 */
    {.name = "join", .role = R_PROC, .out = O_SAME, .nargs = 3, .required = 3, .arg_names = {"other", "on", "with"},
     .arg_kinds = {A_STREAM, A_FN, A_FN}, .ctor = "pipe_std_join", .pass = CA_HOOK, .flags = KEEP,
     .check = sema_stage_join, .emit = emit_stage_join},
    {.name = "left_join", .role = R_PROC, .out = O_SAME, .nargs = 3, .required = 3,
     .arg_names = {"other", "on", "with"}, .arg_kinds = {A_STREAM, A_FN, A_FN}, .ctor = "pipe_std_join",
     .pass = CA_HOOK, .flags = KEEP, .check = sema_stage_join, .emit = emit_stage_join},
    /* inputs: outputs named by the data (LANGUAGE.md §9; stdlib/outputs_by.c).  Not SF_WRITES: the path
     * is the data's, checked as each file opens (--safe: beneath --allow-write) */
    {.name = "file_by", .role = R_SINK, .nargs = 1, .required = 1, .arg_names = {"path_of"}, .arg_kinds = {A_FN},
     .ctor = "pipe_sink_file_by", .pass = CA_HOOK, .flags = ORD, .check = sema_stage_path_of,
     .emit = emit_stage_by},
    {.name = "append_by", .role = R_SINK, .nargs = 1, .required = 1, .arg_names = {"path_of"},
     .arg_kinds = {A_FN}, .ctor = "pipe_sink_append_by", .pass = CA_HOOK, .flags = ORD,
     .check = sema_stage_path_of, .emit = emit_stage_by},
};
#undef ORD
#undef KEEP
#undef AGG

const StdStage *std_stages_all(int *n)
{
    *n = (int)(sizeof stages / sizeof stages[0]);
    return stages;
}

const StdStage *std_stage_find(const char *name, bool has_in, bool last)
{
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++) {
        const StdStage *s = &stages[i];
        if (strcmp(s->name, name))
            continue;
        switch (s->role) {
        case R_SOURCE:
        case R_FANIN:
            if (!has_in)
                return s;
            break;
        case R_SINK:
            if (has_in && last)
                return s;
            break;
        case R_PROC:
            if (has_in)
                return s;
            break;
        }
    }
    return NULL;
}

bool std_stage_exists(const char *name)
{
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
        if (!strcmp(stages[i].name, name))
            return true;
    return false;
}

const StdStage *std_stages(int *n)
{
    *n = (int)(sizeof stages / sizeof stages[0]);
    return stages;
}

/* ------------------------------------------------------------------ listing */

static const char *const role_names[] = {"source", "sink", "processor", "fan-in"};
static const char *const kind_names[] = {"", "str", "path", "glob", "regex", "int", "count", "command", "bool",
                                         "function", "sink", "type", "stream"};
static const char *const in_names[] = {"any", "str", "number", "ordered", "hashable"};
static const char *const out_names[] = {"same", "str", "int", "float", "(T, int)", "(int, T)", "(A, B)"};
static const char *const pass_names[] = {"args",     "type, args",      "type, out type",
                                         "out type, inputs", "out type, args", "hook"};
static const struct { unsigned flag; const char *name; } flag_names[] = {
    {SF_STATEFUL, "stateful"},        {SF_ORDERED, "keeps_order"}, {SF_MERGES, "merges"},
    {SF_READS, "reads_files"},        {SF_WRITES, "writes_files"}, {SF_UNSAFE, "unsafe"},
    {SF_SPILLS, "may_spill"},         {SF_LINES, "lines_verbatim"}, {SF_PREFILTER, "prefilters"},
};

/* A JSON string or null; the table's texts are ASCII, quotes in defaults
 * ("\",\"") the only bytes to escape. */
static void json_str(FILE *o, const char *s)
{
    if (!s) {
        fputs("null", o);
        return;
    }
    fputc('"', o);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', o);
        fputc(*s, o);
    }
    fputc('"', o);
}

static void stage_json(FILE *o, const StdStage *s)
{
    fprintf(o, "{\"kind\":\"stage\",\"name\":\"%s\",\"role\":\"%s\",\"input\":", s->name, role_names[s->role]);
    json_str(o, s->role == R_SOURCE || s->role == R_FANIN ? NULL : in_names[s->in]);
    fputs(",\"output\":", o);
    json_str(o, s->role == R_SINK ? NULL : out_names[s->out]);
    fputs(",\"args\":[", o);
    for (int i = 0; i < s->nargs; i++) {
        fprintf(o, "%s{\"name\":\"%s\",\"kind\":\"%s\",\"required\":%s,\"default\":", i ? "," : "",
                s->arg_names[i], kind_names[s->arg_kinds[i]], i < s->required ? "true" : "false");
        json_str(o, s->arg_defaults[i]);
        fputs("}", o);
    }
    fprintf(o, "],\"constructor\":\"%s\",\"passes\":\"%s\"", s->ctor, pass_names[s->pass]);
    for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
        fprintf(o, ",\"%s\":%s", flag_names[i].name, s->flags & flag_names[i].flag ? "true" : "false");
    fprintf(o, ",\"check_hook\":%s,\"emit_hook\":%s}\n", s->check ? "true" : "false", s->emit ? "true" : "false");
}

static void builtin_json(FILE *o, const Builtin *b)
{
    fprintf(o, "{\"kind\":\"function\",\"name\":\"%s\",\"min_args\":%d,\"max_args\":%d,\"params\":", b->name,
            b->min_args, b->max_args);
    if ((b->type || b->check) && !b->result) {
        fputs("null,\"result\":null", o); /* typed by its arguments */
    } else {
        fputs("[", o);
        for (int i = 0; i < b->max_args; i++)
            fprintf(o, "%s\"%s\"", i ? "," : "", fn_type_names[b->params[i]]);
        fprintf(o, "],\"result\":\"%s\"", fn_type_names[b->result]);
    }
    fputs(",\"c_function\":", o);
    json_str(o, b->cfn);
    fputs(",\"regex_arg\":", o);
    if (b->regex_arg >= 0)
        fprintf(o, "%d", b->regex_arg);
    else
        fputs("null", o);
    fprintf(o, ",\"pure\":%s,\"type_hook\":%s,\"emit_hook\":%s}\n", b->pure ? "true" : "false",
            b->type || b->check ? "true" : "false", b->emit ? "true" : "false");
}

/* One line: `top(n: int, by: function?)  processor any -> same stateful merges` */
static void stage_text(FILE *o, const StdStage *s)
{
    char sig[160];
    int k = snprintf(sig, sizeof sig, "%s", s->name);
    for (int i = 0; i < s->nargs && k < (int)sizeof sig; i++)
        k += snprintf(sig + k, sizeof sig - (size_t)k, "%s%s: %s%s%s", i ? ", " : "(", s->arg_names[i],
                      kind_names[s->arg_kinds[i]], s->arg_defaults[i] ? " = " : i < s->required ? "" : "?",
                      s->arg_defaults[i] ? s->arg_defaults[i] : "");
    if (s->nargs && k < (int)sizeof sig)
        snprintf(sig + k, sizeof sig - (size_t)k, ")");
    fprintf(o, "  %-44s %-9s %s -> %s", sig, role_names[s->role],
            s->role == R_SOURCE || s->role == R_FANIN ? "-" : in_names[s->in],
            s->role == R_SINK ? "-" : out_names[s->out]);
    if (!(s->flags & SF_STATEFUL))
        fputs(" stateless", o);
    for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
        if (s->flags & flag_names[i].flag)
            fprintf(o, " %s", flag_names[i].name);
    fputc('\n', o);
}

/* One line: `substr(str, int, int?) -> str` */
static void builtin_text(FILE *o, const Builtin *b)
{
    fprintf(o, "  %s(", b->name);
    int shown = b->max_args > 3 ? b->min_args : b->max_args; /* fmt takes any number: `fmt(_, ...)` */
    for (int i = 0; i < shown; i++)
        fprintf(o, "%s%s%s", i ? ", " : "", (b->type || b->check) && !b->result ? "_" : fn_type_names[b->params[i]],
                i < b->min_args ? "" : "?");
    if (shown < b->max_args)
        fputs(", ...", o);
    fprintf(o, ") -> %s%s\n", (b->type || b->check) && !b->result ? "(by its arguments)" : fn_type_names[b->result],
            b->pure ? "" : "  changes its first argument");
}

int builtins_list_main(int argc, char **argv, FILE *out, FILE *err)
{
    const char *format = "text";
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "--format=", 9))
            format = argv[i] + 9;
        else if (!strcmp(argv[i], "--format") && i + 1 < argc)
            format = argv[++i];
        else {
            fprintf(err, "pipec: error: unknown option '%s' of --list-stages (expected --format json|text)\n"
                         "try 'pipec --help'\n", argv[i]);
            return 2;
        }
    }
    bool json = !strcmp(format, "json");
    if (!json && strcmp(format, "text")) {
        fprintf(err, "pipec: error: unknown format '%s' (expected json or text)\ntry 'pipec --help'\n", format);
        return 2;
    }
    if (!json)
        fputs("stages (name(args), role, input -> output, facts):\n", out);
    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
        (json ? stage_json : stage_text)(out, &stages[i]);
    if (!json)
        fputs("functions (name(parameter types) -> result; _: any the rules allow):\n", out);
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        (json ? builtin_json : builtin_text)(out, &builtins[i]);
    return 0;
}
