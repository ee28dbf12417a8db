/* lower.c — lowers a checked pipeline to a DAG of stage instances, composite
 * procs expanded once per use; reads what checking recorded and reports nothing. */
#include <string.h>

#include "builtins.h"
#include "sema.h"

typedef struct Lower {
    PipeArena *arena;
    Dag *dag;
} Lower;

static DagNode *lower_flow(Lower *L, int inst, Node *flow, DagNode *prev);

/* v with room for one more of its n elements of size bytes (*cap of them
 * allocated, first when none yet): a larger copy from arena a when full. */
static void *grow(PipeArena *a, void *v, int n, int *cap, size_t size, int first)
{
    if (n < *cap)
        return v;
    int c = *cap ? *cap * 2 : first;
    void *w = pipe_alloc(a, size * (size_t)c);
    if (n)
        memcpy(w, v, size * (size_t)n);
    *cap = c;
    return w;
}

static DagNode *dag_node(Lower *L, StageKind k, Node *stage, Type *in, Type *out)
{
    DagNode *n = pipe_alloc(L->arena, sizeof *n);
    memset(n, 0, sizeof *n);
    n->id = L->dag->n + 1;
    n->kind = k;
    n->stage = stage;
    n->in = in;
    n->out = out;
    n->inst = -1;
    L->dag->nodes = grow(L->arena, L->dag->nodes, L->dag->n, &L->dag->cap, sizeof *L->dag->nodes, 16);
    L->dag->nodes[L->dag->n++] = n;
    return n;
}

static void dag_connect(Lower *L, DagNode *from, DagNode *to, int port)
{
    if (!from || !to)
        return;
    to->ins = grow(L->arena, to->ins, to->nins, &to->capins, sizeof *to->ins, 4);
    to->ins[to->nins].from = from;
    to->ins[to->nins].port = port;
    to->nins++;
}

/* A new instance of composite proc f->decl used by stage, inside instance inst. */
static int inst_new(Lower *L, int inst, Node *stage, const StageFact *f)
{
    Dag *dag = L->dag;
    dag->insts = grow(L->arena, dag->insts, dag->ninsts, &dag->capinsts, sizeof *dag->insts, 8);
    DagInst *I = &dag->insts[dag->ninsts];
    I->id = dag->ninsts++;
    I->decl = f->decl;
    I->call = stage;
    I->args = f->args;
    I->scope = f->scope;
    I->parent = inst;
    return I->id;
}

/* A fan-in: its input streams first (bound ones are there already), then it. */
static DagNode *lower_fanin(Lower *L, int inst, Node *stage, const StageFact *f)
{
    int n = stage->list.n;
    DagNode **ins = pipe_alloc(L->arena, sizeof *ins * (size_t)n);
    for (int i = 0; i < n; i++) {
        Node *a = stage->list.v[i];
        Node *v = a->kind == N_ARG ? a->a : a;
        const StageFact *af = v->fact;
        ins[i] = af->stream ? af->stream->stream : lower_flow(L, inst, v, NULL);
    }
    DagNode *fn = dag_node(L, SK_FANIN, stage, f->in, f->out);
    fn->std = f->row->name;
    fn->row = f->row;
    fn->scope = f->scope;
    fn->inst = inst;
    for (int i = 0; i < n; i++)
        dag_connect(L, ins[i], fn, i);
    return fn;
}

/* One stage after prev (NULL when first): the node producing its items, or
 * NULL for a sink. */
static DagNode *lower_stage(Lower *L, int inst, Node *stage, DagNode *prev)
{
    const StageFact *f = stage->fact;
    if (f->stream)
        return f->stream->stream;
    if (f->decl && f->decl->kind == N_PROC && f->decl->form == PROC_COMPOSITE)
        return lower_flow(L, inst_new(L, inst, stage, f), f->decl->a, prev);
    if (f->kind == SK_FANIN)
        return lower_fanin(L, inst, stage, f);
    DagNode *other = NULL; /* join's stream, made before it: port 1 */
    for (int i = 0; f->row && i < f->nargs; i++)
        if (f->row->arg_kinds[i] == A_STREAM)
            other = f->args[i]->fact->stream ? f->args[i]->fact->stream->stream : lower_flow(L, inst, f->args[i], NULL);
    DagNode *n = dag_node(L, f->kind, stage, f->in, f->out);
    n->std = f->row ? f->row->name : NULL;
    n->row = f->row;
    n->decl = f->decl;
    n->args = f->args;
    n->nargs = f->nargs;
    n->lambda = f->lambda;
    n->scope = f->scope;
    n->inst = inst;
    dag_connect(L, prev, n, 0);
    dag_connect(L, other, n, 1);
    for (int i = 0; f->row && i < f->nargs; i++)
        if (f->row->arg_kinds[i] == A_SINK) /* tee's sink: a flow after it */
            lower_flow(L, inst, f->args[i], n);
    return f->out ? n : NULL;
}

/* `on error POLICY` after the stage whose nodes are dag->nodes[first..]: sets
 * their policy; a stream name gets the dead-letter node they are routed to. */
static void lower_catch(Lower *L, Node *policy, int first)
{
    const char *word = policy->name;
    OnError oe = !strcmp(word, "stop") ? OE_STOP : !strcmp(word, "skip") ? OE_SKIP : OE_DEAD;
    DagNode *dead = NULL;
    if (oe == OE_DEAD) {
        Sym *y = policy->sym;
        dead = dag_node(L, SK_DEAD, policy, NULL, y->type);
        y->stream = dead;
    }
    for (int i = first; i < (dead ? L->dag->n - 1 : L->dag->n); i++) {
        DagNode *n = L->dag->nodes[i];
        if (n->kind == SK_SINK || n->kind == SK_DEAD)
            continue;
        n->on_error = oe;
        if (dead)
            dag_connect(L, n, dead, 0);
    }
}

/* The stages of flow (or flow itself, one stage) after prev: the last node
 * producing items, NULL when the flow ends in a sink. */
static DagNode *lower_flow(Lower *L, int inst, Node *flow, DagNode *prev)
{
    if (flow->kind != N_FLOW)
        return lower_stage(L, inst, flow, prev);
    for (int i = 0; i < flow->list.n; i++) {
        Node *st = flow->list.v[i];
        int first = L->dag->n;
        prev = lower_stage(L, inst, st->kind == N_CATCH ? st->a : st, prev);
        if (st->kind == N_CATCH)
            lower_catch(L, st->b, first);
    }
    return prev;
}

void sema_lower(Sema *s, Node *pipeline, Dag *out)
{
    memset(out, 0, sizeof *out);
    out->pipeline = pipeline;
    Lower L = {s->arena, out};
    for (int i = 0; i < pipeline->list.n; i++) {
        Node *st = pipeline->list.v[i];
        if (st->kind == N_BIND)
            st->sym->stream = lower_flow(&L, -1, st->a, NULL);
        else
            lower_flow(&L, -1, st, NULL);
    }
}
