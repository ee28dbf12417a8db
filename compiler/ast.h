/* ast.h — the syntax tree of a Pipe program: one node shape for declarations,
 * flows, statements, expressions and type expressions, every node with its span. */
#ifndef PIPEC_AST_H
#define PIPEC_AST_H

#include <stdio.h>

#include "pipe.h"

typedef struct Type Type; /* types.h; filled in by sema */
typedef struct Node Node;

/* A source span: file id (diag.h), first line and column (from 1), and the byte
 * offsets [off, end) in the file's text. */
typedef struct Loc {
    int file;
    int line, col;
    int off, end;
} Loc;

typedef struct NodeList {
    Node **v;
    int n, cap;
} NodeList;

/* Node kinds.  X(KIND, "name for dumps and messages") */
#define AST_KINDS(X)                                                                  \
    /* top level */                                                                   \
    X(N_FILE, "file")              /* list: declarations */                           \
    X(N_IMPORT, "import")          /* str: the path as written, file_index */         \
    X(N_PROC, "proc")              /* composite (flow) or stateful (body) proc, proc */ \
    X(N_EXTERN, "extern proc")     /* str: C file path, proc */                        \
    X(N_PIPELINE, "pipeline")      /* params, list: statements, pipe */               \
    X(N_RECORD, "record")          /* name, list: fields (N_RFIELD), type: the record */ \
    X(N_RFIELD, "record field")    /* name, a: type expr */                           \
    X(N_FN, "fn")                  /* name, params (N_PARAM), out: result type expr, a: body (expr, or N_BLOCK), type: the result */ \
    X(N_PARAM, "parameter")        /* name, a: type expr, b: default expr or NULL, sym */ \
    /* pipelines */                                                                   \
    X(N_BIND, "binding")           /* name = a (N_FLOW), sym: the stream */           \
    X(N_FLOW, "flow")              /* list: stages, each an expression (and its fact) */ \
    X(N_CATCH, "error policy")     /* a: the stage, b: N_NAME skip, stop or a stream (its sym) */ \
    /* proc bodies */                                                                 \
    X(N_STATE, "state")            /* name, a: type expr or NULL, b: init or NULL, sym */ \
    X(N_ON, "on")                  /* name: item variable, its sym (NULL: on_start, or `on end`), a: block */ \
    X(N_BLOCK, "block")            /* list: statements */                             \
    X(N_LET, "let")                /* name, a: value, b: declared type expr or NULL, sym */ \
    X(N_RETURN, "return")          /* a: value */                                     \
    X(N_ASSIGN, "assignment")      /* op: '=' or OP_ADD.. , a: target, b: value */   \
    X(N_IF, "if")                  /* a: cond, b: then block, c: else (block/if) */   \
    X(N_FOR, "for")                /* name (sym), name2 (k, v form: value_sym) or NULL, a: iterable, b: block */ \
    X(N_WHILE, "while")            /* a: cond, b: block */                            \
    X(N_EMIT, "emit")              /* a: value */                                     \
    X(N_EXPR_STMT, "expression statement") /* a: expression (a call) */              \
    /* expressions */                                                                 \
    X(N_INT, "integer")            /* ival */                                         \
    X(N_FLOAT, "float")            /* fval */                                         \
    X(N_STR, "string")             /* str: decoded bytes */                           \
    X(N_BOOL, "boolean")           /* bval */                                         \
    X(N_NAME, "name")              /* name, sym (a value) */                          \
    X(N_FIELD, "field")            /* a: tuple or record, field: its index; name: a record field's name (index set by sema) */ \
    X(N_INDEX, "index")            /* a: list or map, b: index or key */              \
    X(N_SLICE, "slice")            /* a: list or str, b: start or NULL, c: end or NULL */ \
    X(N_CALL, "call")              /* name: callee, list: args (N_ARG) */              \
    X(N_ARG, "argument")           /* name: NULL (positional) or the name, a: value */ \
    X(N_LAMBDA, "lambda")          /* list: params (N_NAME, each with its sym), a: body expression */ \
    X(N_BINARY, "binary")          /* op, a, b */                                     \
    X(N_UNARY, "unary")            /* op (OP_NEG, OP_NOT), a */                       \
    X(N_COND, "conditional")       /* a: cond, b: then, c: else */                    \
    X(N_TUPLE, "tuple")            /* list: elements */                               \
    X(N_LIST, "list")              /* list: elements */                               \
    X(N_RECLIT, "record value")    /* name: the record, list: N_ARG, each named */    \
    X(N_NONE, "none")              /* the absent value of a T? */                     \
    X(N_MAPLIT, "map literal")     /* list: N_ENTRY; none: `{}`, an empty map or set */ \
    X(N_ENTRY, "map entry")        /* a: key, b: value */                             \
    X(N_SETLIT, "set literal")     /* list: elements */                               \
    /* type expressions */                                                            \
    X(N_TNAME, "type name")        /* name: str int float bool */                     \
    X(N_TTUPLE, "tuple type")      /* list */                                         \
    X(N_TLIST, "list type")        /* a: element */                                   \
    X(N_TMAP, "map type")          /* a: key, b: value */                             \
    X(N_TSET, "set type")          /* a: element */                                   \
    X(N_TOPT, "optional type")     /* a: T of T? */

typedef enum NodeKind {
#define AST_ENUM(k, s) k,
    AST_KINDS(AST_ENUM)
#undef AST_ENUM
        N__COUNT
} NodeKind;

/* Operators.  X(OP, "spelling") */
#define AST_OPS(X)                                                                    \
    X(OP_NONE, "")                                                                    \
    X(OP_ADD, "+") X(OP_SUB, "-") X(OP_MUL, "*") X(OP_DIV, "/") X(OP_MOD, "%")        \
    X(OP_EQ, "==") X(OP_NE, "!=") X(OP_LT, "<") X(OP_LE, "<=") X(OP_GT, ">")          \
    X(OP_GE, ">=") X(OP_AND, "and") X(OP_OR, "or") X(OP_IN, "in")                     \
    X(OP_NOT, "not") X(OP_NEG, "-") X(OP_SET, "=") X(OP_COALESCE, "??")

typedef enum Op {
#define AST_OP_ENUM(o, s) o,
    AST_OPS(AST_OP_ENUM)
#undef AST_OP_ENUM
} Op;

/* N_PROC forms */
typedef enum ProcForm { PROC_COMPOSITE, PROC_STATEFUL } ProcForm;

typedef struct Sym Sym;             /* sema.h */
typedef struct StageFact StageFact; /* sema.h */
typedef struct ProcInfo ProcInfo;   /* sema.c's view of a proc declaration */
typedef struct PipeInfo PipeInfo;   /* sema.c's view of a pipeline */

/* One node shape: the shared fields, then per-kind fields (see AST_KINDS for
 * which each kind uses; a field means one thing wherever it is set).
 * `in`/`out` are the declared stream types of procs (type expressions, NULL
 * for a source's IN or a sink's OUT). */
struct Node {
    NodeKind kind;
    Loc loc;
    Type *type;      /* set by sema for expressions, flows and stages */
    const char *name;
    const char *name2;
    PipeStr str;
    int64_t ival;    /* N_INT: the value */
    bool bval;       /* N_BOOL: the value */
    int field;       /* N_FIELD: the index as written, at most INT_MAX (sema checks it) */
    bool on_start;   /* N_ON with no name: `on start` (else `on end`) */
    int file_index;  /* N_IMPORT: the imported file in Program.files (-1 before) */
    double fval;
    Op op;
    unsigned opt;    /* how the optimizer rewrote it: OPT_* (opt.h), 0 when not */
    Node *a, *b, *c;
    NodeList list;
    /* declarations (N_IMPORT, N_PROC, N_EXTERN, N_PIPELINE, N_RECORD, N_FN, N_STATE, N_LET),
     * whose loc is their name: the whole declaration, from its keyword to its
     * last token (a closing brace, the end of a flow or of a value) */
    Loc span;
    NodeList params; /* N_PARAM */
    Node *in, *out;  /* type expressions */
    ProcForm form;   /* N_PROC: a = flow (composite) or list = N_STATE/N_ON (stateful) */
    bool has_in;     /* `proc x: -> T` has no IN */
    bool has_out;    /* `proc x: T ->` has no OUT */
    /* set by sema */
    Sym *sym;        /* the symbol a name uses or a declaration declares */
    Sym *value_sym;  /* N_FOR k, v: the value variable */
    StageFact *fact; /* a stage of a flow: its checked facts, read by lowering */
    ProcInfo *proc;  /* N_PROC, N_EXTERN */
    PipeInfo *pipe;  /* N_PIPELINE */
};

/* Allocates a node of `kind` at `loc` from arena a, all other fields zero. */
Node *ast_new(PipeArena *a, NodeKind kind, Loc loc);
/* The value of call's argument i (an N_ARG's value, or the node itself). */
Node *ast_arg(const Node *call, int i);
/* Appends n to l, growing it in arena a. */
void ast_push(PipeArena *a, NodeList *l, Node *n);
/* The name of a node kind ("call", "flow", ...). */
const char *ast_kind_name(NodeKind k);
/* The spelling of an operator ("+", "and", ...). */
const char *ast_op_name(Op op);
/* The text of construct n: a declaration's span, another node's loc. */
Loc ast_span(const Node *n);
/* A span from the start of `from` to the end of `to` (same file). */
Loc loc_join(Loc from, Loc to);
/* Copies n bytes to a NUL-terminated string in a. */
char *ast_strdup(PipeArena *a, const char *s, size_t n);
/* Writes an S-expression dump of the tree (kinds, names, literals; no locations
 * unless with_loc) to f: used by tests and by `pipec check --dump-ast`. */
void ast_dump(Node *n, FILE *f, bool with_loc);

#endif
