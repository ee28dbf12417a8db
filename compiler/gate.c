/* gate.c — the runtime runs the sources that feed a join's flow only once its
 * other stream has ended (pipe_node_gate); this pass plays that schedule on
 * the DAG and reports the joins that it would leave waiting for ever. */
#include "gate.h"

#include <string.h>

#include "builtins.h"
#include "graph.h"

/* Sets of sources, a bit each. */
typedef struct Srcs {
    int words;
    uint64_t *bits; /* by node index: the sources whose items reach it */
} Srcs;

static uint64_t *set_of(const Srcs *S, const DagNode *n)
{
    return S->bits + (size_t)(n->id - 1) * (size_t)S->words;
}

static bool is_gated(const DagNode *n)
{
    return n->row && n->row->arg_kinds[0] == A_STREAM && n->nins == 2;
}

/* The input of gated node n on port. */
static const DagNode *port_from(const DagNode *n, int port)
{
    for (int i = 0; i < n->nins; i++)
        if (n->ins[i].port == port)
            return n->ins[i].from;
    return NULL;
}

/* Whether set a has a bit that b lacks. */
static bool has_outside(const Srcs *S, const uint64_t *a, const uint64_t *b)
{
    for (int w = 0; w < S->words; w++)
        if (a[w] & ~b[w])
            return true;
    return false;
}

/* Which sources reach each node: nodes come after their inputs. */
static int srcs_init(Sema *s, const Dag *dag, Srcs *S, DagNode ***src)
{
    int n = 0;
    for (int i = 0; i < dag->n; i++)
        n += dag->nodes[i]->nins == 0;
    S->words = (n + 63) / 64 + 1;
    size_t bytes = sizeof(uint64_t) * (size_t)S->words * (size_t)(dag->n + 1);
    S->bits = pipe_alloc(s->arena, bytes);
    memset(S->bits, 0, bytes);
    *src = pipe_alloc(s->arena, sizeof **src * (size_t)(n + 1));
    int k = 0;
    for (int i = 0; i < dag->n; i++) {
        DagNode *d = dag->nodes[i];
        uint64_t *to = set_of(S, d);
        if (d->nins == 0) {
            (*src)[k] = d;
            to[k / 64] |= (uint64_t)1 << (k % 64);
            k++;
        }
        for (int j = 0; j < d->nins; j++) {
            if (is_gated(d) && d->ins[j].port != 0)
                continue; /* the items of its other stream are kept: none goes on */
            const uint64_t *from = set_of(S, d->ins[j].from);
            for (int w = 0; w < S->words; w++)
                to[w] |= from[w];
        }
    }
    return n;
}

/* Reports gated node g, whose other stream needs source t, which waits. */
static void report(Sema *s, const DagNode *g, DagNode *t)
{
    char text[64];
    graph_stage_text(s, t, text, sizeof text);
    const Node *other = g->args[0];
    diag_error(s->diag, g->stage->loc,
               "%s: '%s' is read whole before the flow starts, but it needs the items of '%s' at %d:%d, which wait "
               "for the flow: the join would wait for itself (read the input twice, e.g. with two file(...) "
               "sources)", g->std, other->kind == N_NAME ? other->name : "other", text, t->stage->loc.line,
               t->stage->loc.col);
}

int gate_check(Sema *s, const Dag *dag)
{
    bool any = false;
    for (int i = 0; i < dag->n && !any; i++)
        any = is_gated(dag->nodes[i]);
    if (!any)
        return 0;
    Srcs S;
    DagNode **src;
    int n = srcs_init(s, dag, &S, &src);
    uint64_t *ended = pipe_alloc(s->arena, sizeof *ended * (size_t)S.words);
    uint64_t *held = pipe_alloc(s->arena, sizeof *held * (size_t)S.words);
    memset(ended, 0, sizeof *ended * (size_t)S.words);
    for (bool moved = true; moved;) { /* rounds as the runtime's scheduler runs them */
        memset(held, 0, sizeof *held * (size_t)S.words);
        for (int i = 0; i < dag->n; i++) {
            const DagNode *g = dag->nodes[i];
            if (is_gated(g) && has_outside(&S, set_of(&S, port_from(g, 1)), ended))
                for (int w = 0; w < S.words; w++)
                    held[w] |= set_of(&S, port_from(g, 0))[w];
        }
        moved = false;
        for (int k = 0; k < n; k++) {
            uint64_t bit = (uint64_t)1 << (k % 64);
            if (!(ended[k / 64] & bit) && !(held[k / 64] & bit)) {
                ended[k / 64] |= bit;
                moved = true;
            }
        }
    }
    int errors = 0;
    for (int i = 0; i < dag->n; i++) {
        const DagNode *g = dag->nodes[i];
        const uint64_t *need = is_gated(g) ? set_of(&S, port_from(g, 1)) : NULL;
        for (int k = 0; need && k < n; k++)
            if ((need[k / 64] >> (k % 64) & 1) && !(ended[k / 64] >> (k % 64) & 1)) {
                report(s, g, src[k]);
                errors++;
                break;
            }
    }
    return errors;
}
