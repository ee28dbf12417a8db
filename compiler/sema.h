/* sema.h — name resolution and type checking (sema.c), and lowering of a
 * checked pipeline into a DAG of stage instances, composite procs expanded,
 * ready for the plan pass and C emission (lower.c). */
#ifndef PIPEC_SEMA_H
#define PIPEC_SEMA_H

#include "ast.h"
#include "diag.h"
#include "parse.h"
#include "types.h"

typedef enum SymKind {
    SYM_PARAM,      /* pipeline parameter: P.name */
    SYM_ENV,        /* composite proc parameter: ENV->name (per instance) */
    SYM_PROC_PARAM, /* stateful proc parameter: self->p_name */
    SYM_STATE,      /* stateful proc state: self->s_name */
    SYM_LOCAL,      /* let, for, on and lambda variables: v_name_ID */
    SYM_STREAM      /* a named stream of a pipeline */
} SymKind;

typedef struct DagNode DagNode;

typedef struct Sym {
    const char *name;
    SymKind kind;
    Type *type;       /* value type; for streams the element type */
    int id;           /* unique, for C names of locals */
    Node *decl;       /* where it is declared */
    DagNode *stream;  /* SYM_STREAM: the node that produces it (set by lowering) */
    Node *producer;   /* SYM_STREAM: the stage whose items it names, NULL after errors */
    bool used;
    struct Sym *next;
} Sym;

/* Names to pointers, for lookups that must not scan (a script may declare
 * 100k procs, or 100k lets in one block): open addressing in the arena, the
 * latest value kept when a name is put again.  All zero is an empty map. */
typedef struct NameMap {
    const char **keys;
    void **vals;
    int n, cap;
} NameMap;

typedef struct Scope {
    Sym *syms;        /* the latest first */
    int nsyms;
    NameMap index;    /* name -> latest Sym, once the scope has many */
    struct Scope *parent;
    Node *proc; /* the proc whose body or flow this is, NULL at pipeline level */
} Scope;

typedef enum StageKind {
    SK_SOURCE,  /* standard source: std names it */
    SK_SINK,    /* standard sink */
    SK_STD,     /* standard processor (grep, head, count, sort, top, ...) */
    SK_MAP,     /* map(f), filter(f), flat_map(f): the lambda is inlined */
    SK_FILTER,
    SK_FLAT_MAP,
    SK_PROC,    /* an instance of a stateful proc */
    SK_EXTERN,  /* an instance of an extern C proc */
    SK_FANIN,   /* merge, concat, zip */
    SK_PASS,    /* tee's pass-through */
    SK_DEAD     /* the dead letters of `on error NAME`: ins are the stages routed to it */
} StageKind;

/* A stage's error policy (`STAGE on error skip|stop|NAME`). */
typedef enum OnError { OE_STOP, OE_SKIP, OE_DEAD } OnError;

typedef struct DagEdge {
    DagNode *from;
    int port;
} DagEdge;

/* One stage instance.  Its argument expressions are evaluated once, when the
 * DAG is built, in scope `scope` with composite instance `inst` (or -1). */
struct DagNode {
    int id;
    StageKind kind;
    const char *std;   /* the standard stage's name ("grep", "file", ...) */
    const struct StdStage *row; /* ... and its row in the table (builtins.h) */
    Node *stage;       /* the stage expression (N_NAME or N_CALL): position, args */
    Type *in, *out;    /* element types; in is NULL for sources, out for sinks */
    Node *lambda;      /* map/filter/flat_map function; sort/top `by` */
    Node **args;       /* arguments by signature position (NULL: absent/default) */
    int nargs;
    Node *decl;        /* SK_PROC, SK_EXTERN: the declaration */
    Scope *scope;
    int inst;          /* composite instance whose ENV the expressions see, or -1 */
    DagEdge *ins;
    int nins, capins;
    OnError on_error;  /* OE_DEAD: the SK_DEAD node lists this one among its ins */
    unsigned plan;     /* the plan pass's decisions: PIPE_PLAN_* and PLAN_* (plan.h) */
    const char *serial; /* plan.h: why it may not run in parallel, NULL when it may */
    struct DagNode *partner; /* plan.h: the stage a source prefilters for, the top a sort fuses into */
};

/* What checking found about one stage of a flow (the stage node's sema):
 * all that lowering needs to make its nodes without checking again. */
typedef struct StageFact {
    StageKind kind;
    struct Sym *stream; /* a bound stream that the flow starts with: no node */
    Node *decl;         /* SK_PROC, SK_EXTERN; a composite proc to expand */
    const struct StdStage *row;
    Node **args;        /* by signature position */
    int nargs;
    Node *lambda;
    Type *in, *out;
    Scope *scope;       /* where its arguments are evaluated */
} StageFact;

/* An instance of a composite proc: its parameters' values live in a static
 * struct E<id> of type Env_<proc>. */
typedef struct DagInst {
    int id;
    Node *decl;
    Node *call;   /* the stage that instantiated it */
    Node **args;  /* call's arguments by parameter position */
    Scope *scope; /* where call's args are evaluated */
    int parent;   /* the instance that call is in, or -1 */
} DagInst;

typedef struct Dag {
    Node *pipeline;
    DagNode **nodes; /* in creation order: every node after its inputs */
    int n, cap;
    DagInst *insts;
    int ninsts, capinsts;
    const struct OptLog *opt; /* the optimizer's rewrites (opt.h); NULL after -O0 */
} Dag;

typedef struct Sema {
    Diag *diag;
    PipeArena *arena;
    Program *prog;
    Node **procs; /* N_PROC and N_EXTERN of every file */
    int nprocs;
    NameMap proc_names; /* name -> proc */
    Node **pipelines;
    int npipelines;
    Node **records;        /* N_RECORD of every file; decl->type is its record type */
    int nrecords;
    NameMap record_names;  /* name -> N_RECORD */
    NameMap pipeline_names; /* name -> the first pipeline of that name */
    Node **fns;            /* N_FN of every file */
    int nfns;
    NameMap fn_names;      /* name -> N_FN */
    Node *cur_fn;          /* the fn whose body is being checked, or NULL */
    int next_id;
    int expr_level; /* expressions being checked, one inside the other */
    const struct SafeOpts *safe; /* --safe, --sandbox (safe.h), or NULL */
    NodeList unsafe_calls; /* calls of functions whose row says why --safe refuses them (env) */
    bool joins;            /* some stage reads a stream whole first (join): gate.c checks the order */
} Sema;

/* The value of name in m, or NULL. */
void *sema_map_get(const NameMap *m, const char *name);
/* Sets name to val in m, growing it (to half full at most) from arena a. */
void sema_map_put(PipeArena *a, NameMap *m, const char *name, void *val);
/* Checks every declaration of prog; errors go to d.  Returns false on errors. */
bool sema_check(Sema *s, Diag *d, PipeArena *a, Program *prog);
/* The pipeline called name, or (name NULL) `main` or the only one; NULL after
 * reporting a usage error to d. */
Node *sema_pick(Sema *s, const char *name);
/* Lowers pipeline, checked without errors, into out (lower.c): reports nothing. */
void sema_lower(Sema *s, Node *pipeline, Dag *out);
/* Whether a, the left operand of e, continues e's chain of left-associative
 * operators (a + b - c, a and b or c): the links of a chain are checked and
 * emitted one after the other, not nested. */
bool sema_chain_link(const Node *e, const Node *a);
/* pipec's own options that go before run's script, without their "--"
 * (NULL-terminated): main.c reads them, and a pipeline parameter may not take
 * their names (it would be taken for one when misplaced). */
extern const char *const sema_pipec_options[];
/* The declaration of proc `name`, or NULL. */
Node *sema_find_proc(Sema *s, const char *name);
/* The declaration (N_FN) of user function `name`, or NULL. */
Node *sema_find_fn(Sema *s, const char *name);
/* fn d's signature for messages, "f(a: int, b: str) -> int", in s's arena. */
const char *sema_fn_sig(Sema *s, const Node *d);

#endif
