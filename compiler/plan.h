/* plan.h — the plan pass: every execution decision about a lowered pipeline,
 * taken once over its DAG and recorded on the nodes, which emit.c writes into
 * the generated code, the runtime obeys and `pipec plan` prints. */
#ifndef PIPEC_PLAN_H
#define PIPEC_PLAN_H

#include <stdio.h>

#include "sema.h"

/* Decisions only the compiler reads, in DagNode.plan beside the runtime's
 * PIPE_PLAN_* (runtime/pipe.h), above their bits. */
enum {
    PLAN_FIELD_MEMO = 1 << 16, /* its function calls field(): a memo of the last split line */
    PLAN_PARALLEL = 1 << 17,   /* stateless and keeps order: may run on several threads */
};
/* The bits of DagNode.plan that generated code sets in PipeNode.flags. */
#define PLAN_RUNTIME 0xffffu

/* Decides dag's plan: sets plan, serial and partner on every node (the texts
 * from arena a). */
void plan_dag(PipeArena *a, Dag *dag);
/* The runtime's flags in plan as C (`PIPE_PLAN_COPY | ...`), into buf. */
const char *plan_runtime_c(unsigned plan, char *buf, size_t max);
/* Whether e calls field() or takes words(s)[i] somewhere (the memo of a proc's hook). */
bool plan_calls_field(const Node *e);
/* Literals of which every line a stage reacts to holds one (the same bound
 * as the runtime's RT_PREFILTER_ALTS). */
#define PLAN_LITS 8
typedef struct PlanLits {
    PipeStr v[PLAN_LITS];
    int n;
    bool searched; /* one comes from a search (contains, ...), not only starts_with or ends_with */
} PlanLits;

/* Whether n is a filter whose function is true only of lines holding a
 * literal (contains(l, "x"), ...; one of several with `or`), or a proc whose
 * `on` handler is one `if` of such a test, which it puts in *L: the source
 * before it may skip the other lines, and it registers those literals.
 * Never after -O0. */
bool plan_filter_literal(const Dag *dag, const DagNode *n, PlanLits *L);
/* `pipec plan`: dag's plan to out, one line per stage: id, position, the
 * stage as written, its in -> out types, its decisions. */
void plan_write(Sema *s, const Dag *dag, FILE *out);

#endif
