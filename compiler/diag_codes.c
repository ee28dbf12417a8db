/* diag_codes.c — the table that gives every diagnostic its stable code (and,
 * where the message already names the fix, a fix-it), keyed by the template. */
#include <string.h>

#include "diag_impl.h"

/* What a table row's fix-it does with the diagnostic's span. */
typedef enum FixKind {
    FIX_NONE,
    FIX_REPLACE, /* its bytes become the text */
    FIX_APPEND   /* the text goes after its last byte */
} FixKind;

/* A row: the first row whose pattern matches the start of a diagnostic's
 * template gives its code.  A conversion in the pattern (%s, %d, %.*s, ...)
 * matches any run of characters, so a row also matches a message already
 * formatted by the caller (who then passes "%s" as the template). */
typedef struct CodeRow {
    const char *pattern;
    const char *code;
    FixKind fix;
    const char *text;
} CodeRow;

/* Ordered: a specific row before a general one that would also match. */
static const CodeRow rows[] = {
    /* lexing and parsing */
    {"unexpected '%s' (awk's", "awk-field", FIX_NONE, NULL},
    {"unexpected '&&'", "c-operator", FIX_REPLACE, "and"},
    {"unexpected '||'", "c-operator", FIX_REPLACE, "or"},
    {"unexpected '!'", "c-operator", FIX_REPLACE, "not "},
    {"unexpected character", "bad-character", FIX_NONE, NULL},
    {"expected two hex digits after", "bad-escape", FIX_NONE, NULL},
    {"unknown escape sequence", "bad-escape", FIX_NONE, NULL},
    {"integer literal", "int-out-of-range", FIX_NONE, NULL},
    {"integer out of range", "int-out-of-range", FIX_NONE, NULL},
    {"float literal", "float-out-of-range", FIX_NONE, NULL},
    {"field number", "field-out-of-range", FIX_NONE, NULL},
    {"invalid number", "bad-number", FIX_NONE, NULL},
    {"unterminated string", "unterminated-string", FIX_NONE, NULL},
    {"strings are written in double quotes", "single-quoted-string", FIX_NONE, NULL},
    {"unexpected '}' with no open '{'", "unmatched-brace", FIX_NONE, NULL},
    {"expected %s to close", "unclosed-delimiter", FIX_NONE, NULL},
    {"expected a name, 'x[k]' or 't.N' before", "bad-assignment-target", FIX_NONE, NULL},
    {"expected parameter names before '=>'", "bad-lambda-parameters", FIX_NONE, NULL},
    {"expected a named argument after", "positional-after-named", FIX_NONE, NULL},
    {"expected 'error' after a stage's 'on'", "syntax-error", FIX_NONE, NULL},
    {"expected %s, found %s", "syntax-error", FIX_NONE, NULL},
    {"unexpected %s", "syntax-error", FIX_NONE, NULL},
    /* files and imports */
    {"import cycle", "import-cycle", FIX_NONE, NULL},
    {"expected a file path, found a string with a NUL byte", "bad-path", FIX_NONE, NULL},
    {"%s: a file path cannot hold a NUL byte", "bad-path", FIX_NONE, NULL},
    {"cannot read", "cannot-read", FIX_NONE, NULL},
    {"cannot import", "cannot-read", FIX_NONE, NULL},
    {"extern proc '%s': cannot read", "cannot-read", FIX_NONE, NULL},
    {"--safe", "safe-refused", FIX_NONE, NULL},
    {"%s refuses stage", "safe-refused", FIX_NONE, NULL},
    /* names and declarations */
    {"unknown name", "unknown-name", FIX_NONE, NULL},
    {"unknown function", "unknown-function", FIX_NONE, NULL},
    {"unknown stage", "unknown-stage", FIX_NONE, NULL},
    {"unknown type", "unknown-type", FIX_NONE, NULL},
    {"'%s' is bound twice", "redefined", FIX_NONE, NULL},
    {"'%s' is already defined in this", "redefined", FIX_NONE, NULL},
    {"'%s' is a parameter of pipeline", "redefined", FIX_NONE, NULL},
    {"parameter '%s' is declared twice", "redefined", FIX_NONE, NULL},
    {"proc '%s' is declared twice", "redefined", FIX_NONE, NULL},
    {"pipeline '%s' is declared twice", "redefined", FIX_NONE, NULL},
    {"proc '%s' has the name of a standard stage", "redefined", FIX_NONE, NULL},
    {"fn '%s' has the name of a", "redefined", FIX_NONE, NULL},
    {"fn '%s' is declared twice", "redefined", FIX_NONE, NULL},
    {"a fn's parameter takes no default", "bad-fn", FIX_NONE, NULL},
    {"fn '%s' does not return a value on every path", "missing-return", FIX_NONE, NULL},
    {"a fn cannot emit", "bad-fn", FIX_NONE, NULL},
    {"'return' outside a fn", "return-outside-fn", FIX_NONE, NULL},
    {"fn %s takes %s", "bad-arguments", FIX_NONE, NULL},
    {"%s of an empty list has no value", "empty-list", FIX_NONE, NULL},
    {"only lists and strs can be sliced", "bad-operand", FIX_NONE, NULL},
    {"parameter '%s' has the name of the", "parameter-is-option", FIX_NONE, NULL},
    {"no pipeline named", "no-pipeline", FIX_NONE, NULL},
    {"the script declares", "no-pipeline", FIX_NONE, NULL},
    {"cycle:", "cycle", FIX_NONE, NULL},
    {"proc '%s' uses itself", "cycle", FIX_NONE, NULL},
    {"stream '%s' is used before it is bound", "used-before-bound", FIX_NONE, NULL},
    {"stream '%s' is bound but never used", "unused-stream", FIX_NONE, NULL},
    {"this expression's value is not used", "unused-value", FIX_NONE, NULL},
    {"top without by: ranks count's", "top-by-whole-pair", FIX_NONE, NULL},
    {"the parameter '%s' is taken as a regex", "param-as-regex", FIX_NONE, NULL},
    /* records and T? (LANGUAGE.md §8) */
    {"unknown record", "unknown-record", FIX_NONE, NULL},
    {"record '%s' is declared twice", "redefined", FIX_NONE, NULL},
    {"a record cannot be called", "redefined", FIX_NONE, NULL},
    {"record '%s' has two fields", "duplicate-field", FIX_NONE, NULL},
    {"record '%s' holds itself", "recursive-record", FIX_NONE, NULL},
    {"record %s has no field", "unknown-field", FIX_NONE, NULL},
    {"%s { ... } needs field", "missing-field", FIX_NONE, NULL},
    {"field '%s' of %s is given twice", "duplicate-field", FIX_NONE, NULL},
    {"the fields of a record are read by name", "bad-field", FIX_NONE, NULL},
    {"the fields of a record value are named", "bad-field", FIX_NONE, NULL},
    {"field '.%s' needs a record", "bad-field", FIX_NONE, NULL},
    {"'.%s' needs a", "optional-value", FIX_NONE, NULL},
    {"%s: expected %s, found %s, which may be none", "optional-value", FIX_NONE, NULL},
    {"only a T? can be none", "not-optional", FIX_NONE, NULL},
    {"'?\?' needs a value that may be none", "not-optional", FIX_NONE, NULL},
    {"'?\?' gives a", "type-mismatch", FIX_NONE, NULL},
    {"none has no order", "bad-operand", FIX_NONE, NULL},
    {"%s is optional already", "bad-type", FIX_NONE, NULL},
    {"'%s' reads records", "bad-reader-type", FIX_NONE, NULL},
    {"'%s' cannot fill", "bad-reader-type", FIX_NONE, NULL},
    {"'%s' needs the type to read", "bad-reader-type", FIX_NONE, NULL},
    {"'%s' needs a separator of one byte", "bad-arguments", FIX_NONE, NULL},
    /* values and types */
    {"'%s' is a function or stage, not a value", "not-a-value", FIX_NONE, NULL},
    {"'%s' is a stream; it can be used in a flow", "not-a-value", FIX_NONE, NULL},
    {"'%s' is a stage: use it in a flow", "not-a-function", FIX_NONE, NULL},
    {"'%s' expects a function such as", "expected-function", FIX_NONE, NULL},
    {"a function is only allowed as an argument", "misplaced-function", FIX_NONE, NULL},
    {"this function takes %d parameters", "lambda-arity", FIX_NONE, NULL},
    {"type mismatch", "type-mismatch", FIX_NONE, NULL},
    {"proc '%s' is declared", "proc-type-mismatch", FIX_NONE, NULL},
    {"cannot store a float into an int", "type-mismatch", FIX_NONE, NULL},
    {"the branches of 'if' differ", "type-mismatch", FIX_NONE, NULL},
    {"list elements must have one type", "type-mismatch", FIX_NONE, NULL},
    {"all inputs of %s must carry one type", "type-mismatch", FIX_NONE, NULL},
    {"%s's function must return", "type-mismatch", FIX_NONE, NULL},
    {"cannot tell the type of", "untyped-empty-list", FIX_NONE, NULL},
    {"state '%s' needs a type", "untyped-empty-list", FIX_NONE, NULL},
    {"a set element cannot be of type", "bad-element-type", FIX_NONE, NULL},
    {"a map key cannot be of type", "bad-element-type", FIX_NONE, NULL},
    {"a pipeline parameter must be", "bad-parameter-type", FIX_NONE, NULL},
    {"a parameter's default must be a literal", "bad-default", FIX_NONE, NULL},
    {"operator", "bad-operand", FIX_NONE, NULL},
    {"unary '-'", "bad-operand", FIX_NONE, NULL},
    {"'not' needs", "bad-operand", FIX_NONE, NULL},
    {"'in' ", "bad-operand", FIX_NONE, NULL},
    {"'+=' on a str", "bad-operand", FIX_NONE, NULL},
    {"'%s=' needs numbers", "bad-operand", FIX_NONE, NULL},
    {"cannot compare", "bad-operand", FIX_NONE, NULL},
    {"values of type", "bad-operand", FIX_NONE, NULL},
    {"only lists and maps can be indexed", "bad-operand", FIX_NONE, NULL},
    {"'for", "bad-operand", FIX_NONE, NULL},
    {"%s needs keys with an order", "bad-operand", FIX_NONE, NULL},
    {"field .%lld needs a tuple", "bad-field", FIX_NONE, NULL},
    {"a tuple %s has no field", "bad-field", FIX_NONE, NULL},
    {"format refers to field", "bad-field", FIX_NONE, NULL},
    {"invalid regular expression", "bad-regex", FIX_NONE, NULL},
    {"cannot assign to parameter", "bad-assignment-target", FIX_NONE, NULL},
    {"can only assign to", "bad-assignment-target", FIX_NONE, NULL},
    {"this call returns no value", "no-value", FIX_NONE, NULL},
    {"expression nested too deep", "too-complex", FIX_NONE, NULL},
    {"expression too long", "too-complex", FIX_NONE, NULL},
    /* arguments of calls and stages */
    /* joins (LANGUAGE.md §9): a DAG that would wait for ever, then the arguments */
    {"%s: '%s' is read whole before the flow starts", "join-waits-for-itself", FIX_NONE, NULL},
    {"%s: 'other' must be", "expected-stream", FIX_NONE, NULL},
    {"%s: the keys do not match", "type-mismatch", FIX_NONE, NULL},
    {"%s: one key function needs", "type-mismatch", FIX_NONE, NULL},
    {"%s: keys must be values", "bad-arguments", FIX_NONE, NULL},
    {"%s: 'on:' takes", "bad-arguments", FIX_NONE, NULL},
    {"%s: 'with:' takes", "bad-arguments", FIX_NONE, NULL},
    {"%s: 'with:' must return", "bad-arguments", FIX_NONE, NULL},
    /* fmt's pattern against its arguments (numfmt) */
    {"fmt: conversion '%.*s' needs", "fmt-argument-type", FIX_NONE, NULL},
    {"fmt: conversion '%.*s' (the %s) has no argument", "fmt-missing-argument", FIX_NONE, NULL},
    {"fmt: argument %d (%s) has no conversion", "fmt-extra-argument", FIX_NONE, NULL},
    {"fmt: conversion", "fmt-bad-conversion", FIX_NONE, NULL},
    {"the pattern of fmt must be a string literal", "fmt-pattern-not-literal", FIX_NONE, NULL},
    {"format_time: ", "bad-time-format", FIX_NONE, NULL},
    {"parse_time: ", "bad-time-format", FIX_NONE, NULL},
    {"the digits of %s must be", "bad-arguments", FIX_NONE, NULL},
    {"function '%s' takes", "bad-arguments", FIX_NONE, NULL},
    {"'%s' needs a function giving the file's path", "bad-arguments", FIX_NONE, NULL},
    {"'%s' needs names: written true or false", "bad-arguments", FIX_NONE, NULL},
    {"argument %d of %s must be", "bad-arguments", FIX_NONE, NULL},
    {"%s takes at most", "bad-arguments", FIX_NONE, NULL},
    {"%s has no parameter named", "bad-arguments", FIX_NONE, NULL},
    {"%s: argument '%s' is given twice", "bad-arguments", FIX_NONE, NULL},
    {"%s needs its argument", "bad-arguments", FIX_NONE, NULL},
    {"%s: expected a value, found a function", "bad-arguments", FIX_NONE, NULL},
    {"%s takes no named arguments", "bad-arguments", FIX_NONE, NULL},
    {"zip takes two streams", "bad-arguments", FIX_NONE, NULL},
    {"%s takes one or more streams", "bad-arguments", FIX_NONE, NULL},
    {"%s's %s must be 0 or more", "bad-arguments", FIX_NONE, NULL},
    {"exec", "bad-arguments", FIX_NONE, NULL},
    {"%s: expected %s, found %s", "type-mismatch", FIX_NONE, NULL},
    {"%s needs %s, found %s", "bad-arguments", FIX_NONE, NULL},
    {"add to %s needs", "bad-arguments", FIX_NONE, NULL},
    {"remove from %s needs", "bad-arguments", FIX_NONE, NULL},
    {"%s needs two values of one type", "bad-arguments", FIX_NONE, NULL},
    {"%s needs values with an order", "bad-arguments", FIX_NONE, NULL},
    /* flows, stages and procs */
    {"this flow ends without a sink", "missing-sink", FIX_APPEND, " | stdout"},
    {"'%s' is bound to a flow that ends in a sink", "sink-has-no-items", FIX_NONE, NULL},
    {"'%s' is not 'skip' or 'stop', and a proc's flow", "bad-error-policy", FIX_REPLACE, "skip"},
    {"'on error' needs a stage", "bad-error-policy", FIX_NONE, NULL},
    {"a sink's errors always stop the run", "bad-error-policy", FIX_NONE, NULL},
    {"'%s' is a parameter: a dead-letter stream", "redefined", FIX_NONE, NULL},
    {"expected a stream", "expected-stream", FIX_NONE, NULL},
    {"expected a stage", "expected-stage", FIX_NONE, NULL},
    {"tee's argument must be a sink", "expected-sink", FIX_NONE, NULL},
    {"'%s' is a value, not a stage", "not-a-stage", FIX_NONE, NULL},
    {"'%s' is a function, not a stage", "not-a-stage", FIX_NONE, NULL},
    {"a sink cannot be an input of a fan-in", "misplaced-stage", FIX_NONE, NULL},
    {"stream '%s' can only start a flow", "misplaced-stage", FIX_NONE, NULL},
    {"proc '%s' takes %s items: it cannot start", "misplaced-stage", FIX_NONE, NULL},
    {"proc '%s' is a source", "misplaced-stage", FIX_NONE, NULL},
    {"proc '%s' is a sink: it must end", "misplaced-stage", FIX_NONE, NULL},
    {"'%s' is a source", "misplaced-stage", FIX_NONE, NULL},
    {"'%s' is a sink", "misplaced-stage", FIX_NONE, NULL},
    {"'%s' takes its input streams as arguments", "misplaced-stage", FIX_NONE, NULL},
    {"'%s' needs an input", "misplaced-stage", FIX_NONE, NULL},
    {"this proc is a sink: it has no output", "emit-in-sink", FIX_NONE, NULL},
    {"proc '%s' has", "bad-proc-body", FIX_NONE, NULL},
    {"an extern proc needs both", "bad-extern", FIX_NONE, NULL},
    {"expected a statement", "expected-statement", FIX_NONE, NULL},
    {"expected a flow or a binding", "expected-statement", FIX_NONE, NULL},
    {"expected an expression", "expected-expression", FIX_NONE, NULL},
    {"expected a type", "expected-type", FIX_NONE, NULL},
    /* pipec itself */
    {"cannot start the lexer", "internal", FIX_NONE, NULL},
    {"fmt cannot lay out", "internal", FIX_NONE, NULL},
    {"memory exhausted", "internal", FIX_NONE, NULL},
};

/* The length of the printf conversion at p ('%' first), 0 for "%%". */
static size_t conversion_len(const char *p)
{
    if (p[1] == '%')
        return 0;
    size_t n = 1;
    while (p[n] && strchr("-+ #0123456789.*hlzjt", p[n]))
        n++;
    return p[n] ? n + 1 : n;
}

/* Whether pattern matches the start of text; a conversion in pattern matches
 * any run of text (patterns hold at most a few, and text is bounded). */
static bool matches(const char *pattern, const char *text)
{
    for (;;) {
        if (!*pattern)
            return true;
        if (*pattern == '%' && conversion_len(pattern)) {
            const char *rest = pattern + conversion_len(pattern);
            for (const char *t = text;; t++) {
                if (matches(rest, t))
                    return true;
                if (!*t)
                    return false;
            }
        }
        size_t step = *pattern == '%' ? 2 : 1; /* "%%" is one '%' */
        if (*text != pattern[step - 1])
            return false;
        pattern += step;
        text++;
    }
}

/* The row for template fmt (the message when fmt is a lone "%s"), or NULL. */
static const CodeRow *row_for(const DiagRecord *r, const char *fmt)
{
    const char *key = !strcmp(fmt, "%s") ? r->message : fmt;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (matches(rows[i].pattern, key))
            return &rows[i];
    return NULL;
}

void diag_classify(Diag *d, DiagRecord *r, const char *fmt)
{
    const CodeRow *row = row_for(r, fmt);
    if (!r->code)
        r->code = row ? row->code : r->severity == DIAG_WARNING ? "unclassified-warning" : "unclassified";
    if (!row || row->fix == FIX_NONE || r->span.file < 0)
        return;
    Loc at = r->span;
    if (row->fix == FIX_APPEND)
        at.off = at.end;
    at.line = 0; /* resolved again from the offset */
    diag_fix(d, at, row->text);
}
