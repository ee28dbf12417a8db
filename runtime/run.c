/* run.c — the run: nodes and edges, end-of-stream propagation, the source
 * scheduler, and runtime errors (message, flush, unwind to pipe_main). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rt_impl.h"


/* Returns an empty run: no nodes, no sources, the build phase. */
PipeRt *pipe_rt_new(void)
{
    PipeRt *rt = pipe_xcalloc(1, sizeof *rt);
    rt->phase = RT_BUILD;
    return rt;
}

/* Frees rt with every node (their free() first), output, regex and arena. */
void pipe_rt_free(PipeRt *rt)
{
    if (!rt)
        return;
    for (RtNode *h = rt->nodes; h; h = h->next) {
        PipeNode *n = (PipeNode *)(h + 1);
        if (n->free)
            n->free(n);
    }
    RtNode *h = rt->nodes;
    while (h) {
        RtNode *next = h->next;
        free(h->catch);
        free(((PipeNode *)(h + 1))->outs);
        free(h);
        h = next;
    }
    pipe_rt_sandbox_free(rt);
    pipe_rt_spill_end(rt);
    free(rt->srcs);
    free(rt->stats);
    free(rt->closing);
    pipe_rt_trace_free(rt);
    while (rt->idle) {
        RtIdle *i = rt->idle;
        rt->idle = i->next;
        free(i);
    }
    while (rt->gates) {
        RtGate *g = rt->gates;
        rt->gates = g->next;
        free(g);
    }
    while (rt->prefilters) {
        RtPrefilter *pf = rt->prefilters;
        rt->prefilters = pf->next;
        free(pf->lit);
        free(pf);
    }
    pipe_regex_free_all(rt);
    free(rt->state); /* after the regexes: freeing one empties its cache there */
    pipe_out_free_all(rt);
    pipe_arena_free(&rt->scratch);
    free(rt);
}

/* Allocates a zeroed node of size bytes registered with rt (freed with it). */
PipeNode *pipe_node_new(PipeRt *rt, size_t size, const char *name, PipePos pos)
{
    if (size < sizeof(PipeNode))
        size = sizeof(PipeNode);
    RtNode *h = pipe_xcalloc(1, sizeof(RtNode) + size);
    h->next = rt->nodes;
    rt->nodes = h;
    PipeNode *n = (PipeNode *)(h + 1);
    n->name = name;
    n->pos = pos;
    n->rt = rt;
    return n;
}

/* Every node of rt, oldest first, in a heap array (the caller frees it). */
PipeNode **pipe_rt_node_list(PipeRt *rt, size_t *n)
{
    size_t k = 0;
    for (RtNode *h = rt->nodes; h; h = h->next)
        k++;
    PipeNode **v = pipe_xcalloc(k ? k : 1, sizeof *v);
    *n = k;
    for (RtNode *h = rt->nodes; h; h = h->next)
        v[--k] = (PipeNode *)(h + 1);
    return v;
}

/* Allocates a zeroed source of size bytes, registered with rt and its scheduler. */
PipeSource *pipe_source_new(PipeRt *rt, size_t size, const char *name, PipePos pos)
{
    if (size < sizeof(PipeSource))
        size = sizeof(PipeSource);
    PipeSource *s = (PipeSource *)pipe_node_new(rt, size, name, pos);
    s->input_name = name;
    if (rt->nsrcs == rt->capsrcs) {
        rt->capsrcs = rt->capsrcs ? rt->capsrcs * 2 : 8;
        rt->srcs = pipe_xrealloc(rt->srcs, rt->capsrcs * sizeof *rt->srcs);
    }
    rt->srcs[rt->nsrcs++] = s;
    return s;
}

/* Adds the edge from -> (to, port) and counts one more input of to. */
void pipe_connect(PipeNode *from, PipeNode *to, int port)
{
    if (from->nouts == from->capouts) {
        from->capouts = from->capouts ? from->capouts * 2 : 2;
        from->outs = pipe_xrealloc(from->outs, from->capouts * sizeof *from->outs);
    }
    from->outs[from->nouts].node = to;
    from->outs[from->nouts].port = port;
    from->nouts++;
    to->nins++;
}

/* Registers a literal that n needs in every str item it reacts to; several
 * are alternatives (an item with any one of them). */
void pipe_node_prefilter_literal(PipeNode *n, PipeStr literal)
{
    if (!n || literal.n == 0 || memchr(literal.p, '\n', literal.n))
        return;
    PipeRt *rt = n->rt;
    RtPrefilter *pf = pipe_xcalloc(1, sizeof *pf);
    pf->node = n;
    pf->lit = pipe_xstrndup(literal.p, literal.n);
    pf->n = literal.n;
    pf->rare = pipe_rare_index(pf->lit, pf->n);
    pf->next = rt->prefilters;
    rt->prefilters = pf;
}

/* Registers input port of n as one that waits for n's other inputs. */
void pipe_node_gate(PipeNode *n, int port)
{
    PipeRt *rt = n->rt;
    RtGate *g = pipe_xcalloc(1, sizeof *g);
    g->node = n;
    g->port = port;
    g->next = rt->gates;
    rt->gates = g;
}

/* Registers fn of node to run when a source is about to wait for input. */
void pipe_rt_on_idle(PipeRt *rt, PipeNode *node, void (*fn)(PipeNode *), int (*fd)(PipeNode *))
{
    RtIdle *i = pipe_xcalloc(1, sizeof *i);
    i->node = node;
    i->fn = fn;
    i->fd = fd;
    i->next = rt->idle;
    rt->idle = i;
}

/* Runs the idle hooks of the nodes still open and not ended. */
void pipe_rt_idle(PipeRt *rt)
{
    for (RtIdle *i = rt->idle; i; i = i->next)
        if (hdr(i->node)->opened && !hdr(i->node)->ended)
            i->fn(i->node);
}

/* The prefilter that line source s may apply now (see rt_impl.h), or NULL. */
const RtPrefilter *pipe_rt_prefilter(PipeRt *rt, PipeSource *s)
{
    if (!(s->node.flags & PIPE_PLAN_PREFILTER) || !rt->solo || rt->stats)
        return NULL;
    PipeNode *o = s->node.outs[0].node;
    if (hdr(o)->ended)
        return NULL;
    const RtPrefilter *first = NULL;
    int n = 0; /* the node's literals: alternatives, at most RT_PREFILTER_ALTS */
    for (RtPrefilter *pf = rt->prefilters; pf; pf = pf->next)
        if (pf->node == o && !n++)
            first = pf;
    return n <= RT_PREFILTER_ALTS ? first : NULL;
}

/* Ends n's outputs (once): each is told which port ended, and one whose every
 * input has ended runs its finish() and is ended in turn. */
void pipe_end(PipeNode *n)
{
    RtNode *h = hdr(n);
    if (h->ended)
        return;
    h->ended = 1;
    if (RT_UNLIKELY(n->rt->trace))
        pipe_rt_trace_close(n);
    if (h->catch && h->catch->dead) { /* the dead letters end with their last stage */
        PipeNode *d = h->catch->dead;
        if (++d->ended == d->nins)
            pipe_end(d);
    }
    for (uint32_t i = 0; i < n->nouts; i++) {
        PipeNode *o = n->outs[i].node;
        o->ended++;
        if (o->port_end)
            o->port_end(o, n->outs[i].port);
        if (o->ended == o->nins && !hdr(o)->ended) {
            if (o->finish)
                o->finish(o);
            pipe_end(o);
        }
    }
}

/* Ends n's outputs now (without n's finish) and lets the scheduler stop the
 * sources that feed no node wanting input any more. */
void pipe_close(PipeNode *n)
{
    /* Ending n now would run finish() of the nodes after it in the middle of
     * an item, whose values upstream still use (and scratch resets there would
     * free them): the scheduler ends closed nodes after the current step. */
    PipeRt *rt = n->rt;
    if (rt->nclosing == rt->capclosing) {
        rt->capclosing = rt->capclosing ? 2 * rt->capclosing : 4;
        rt->closing = pipe_xrealloc(rt->closing, rt->capclosing * sizeof *rt->closing);
    }
    rt->closing[rt->nclosing++] = n;
    rt->closed = true;
    rt->solo = false; /* makes a batching source return to the scheduler */
}

/* Ends the nodes closed during the last step (see pipe_close). */
static void end_closed(PipeRt *rt)
{
    for (size_t i = 0; i < rt->nclosing; i++)
        pipe_end(rt->closing[i]);
    rt->nclosing = 0;
    pipe_rt_item_done(rt);
}

/* True when some path from n leads to a node that still wants input: a node
 * not ended and without outputs (a sink), or through nodes not ended. */
static bool node_live(PipeNode *n, uint64_t gen)
{
    RtNode *h = hdr(n);
    if (h->ended)
        return false;
    if (n->nouts == 0)
        return true;
    if (h->gen == gen)
        return h->live;
    h->gen = gen;
    h->live = 0;
    for (uint32_t i = 0; i < n->nouts; i++)
        if (node_live(n->outs[i].node, gen)) {
            h->live = 1;
            break;
        }
    return h->live;
}

/* Resets the scratch arena (nothing of the caller may live there any more);
 * a finish() emitting many items calls it after each, so a stop asked for
 * (SIGINT, --timeout) is acted on there too. */
void pipe_item_done(PipeRt *rt)
{
    pipe_rt_item_done(rt);
    if (RT_UNLIKELY(pipe_rt_stop))
        pipe_stop_now(rt);
}

/* The scratch arena of the current item. */
PipeArena *pipe_scratch(PipeRt *rt)
{
    return &rt->scratch;
}

/* The generated program's state in rt (see pipe.h); made once, in build. */
void *pipe_rt_state(PipeRt *rt, size_t size)
{
    if (!rt->state)
        rt->state = pipe_xcalloc(1, size);
    return rt->state;
}

static void end_source(PipeRt *rt, PipeSource *s)
{
    rt->cur = NULL;
    rt->phase = RT_END;
    pipe_end(&s->node);
    pipe_rt_item_done(rt);
    rt->phase = RT_RUN;
}

/* After pipe_close: ends the live sources that feed no live node any more;
 * returns how many are left (kept in order at the front of live). */
static size_t stop_dead(PipeRt *rt, PipeSource **live, size_t nlive)
{
    end_closed(rt);
    rt->closed = false;
    uint64_t gen = ++rt->gen;
    size_t k = 0;
    for (size_t i = 0; i < nlive; i++) {
        PipeSource *s = live[i];
        if (node_live(&s->node, gen)) {
            live[k++] = s;
            continue;
        }
        /* only dead nodes end: the liveness of the other sources stays */
        rt->stopping = true;
        end_source(rt, s);
        rt->stopping = false;
    }
    rt->nsrcs = k;
    return k;
}

/* Steps the live sources round-robin, one item each, in creation order, so a
 * merge of regular files is deterministic.  The last live source is stepped in
 * a tight loop with rt->solo set, which lets it emit a whole buffer per step. */
static void run_sources(PipeRt *rt, size_t nlive)
{
    PipeSource **live = rt->srcs;
    while (nlive > 1) {
        rt->solo = false;
        for (size_t i = 0; i < nlive;) {
            PipeSource *s = live[i];
            rt->cur = s;
            if (s->step(s)) {
                pipe_rt_item_done(rt);
                if (RT_PROGRESS(rt))
                    pipe_rt_progress_tick(rt);
                if (RT_UNLIKELY(pipe_rt_stop))
                    pipe_stop_now(rt);
                i++;
                continue;
            }
            memmove(live + i, live + i + 1, (nlive - i - 1) * sizeof *live);
            rt->nsrcs = --nlive;
            end_source(rt, s);
        }
        if (RT_UNLIKELY(rt->closed))
            nlive = stop_dead(rt, live, nlive);
    }
    if (nlive == 1) {
        PipeSource *s = live[0];
        bool (*step)(PipeSource *) = s->step;
        rt->solo = true;
        rt->cur = s;
        bool more;
        while ((more = step(s))) {
            pipe_rt_item_done(rt);
            if (RT_PROGRESS(rt))
                pipe_rt_progress_tick(rt);
            if (RT_UNLIKELY(pipe_rt_stop))
                pipe_stop_now(rt);
            if (RT_UNLIKELY(rt->closed)) {
                if (stop_dead(rt, live, 1) == 0)
                    break; /* stop_dead ended s */
                rt->solo = true;
                rt->cur = s;
            }
        }
        if (!more) {
            rt->nsrcs = 0;
            end_source(rt, s);
        }
    }
}

/* Marks each gate closed while a node feeding its node on another port has
 * not ended. */
static void gates_update(PipeRt *rt)
{
    for (RtGate *g = rt->gates; g; g = g->next)
        g->closed = false;
    for (RtNode *h = rt->nodes; h; h = h->next) {
        PipeNode *n = (PipeNode *)(h + 1);
        for (uint32_t i = 0; !h->ended && i < n->nouts; i++)
            for (RtGate *g = rt->gates; g; g = g->next)
                g->closed |= n->outs[i].node == g->node && n->outs[i].port != g->port && !hdr(g->node)->ended;
    }
}

/* Whether some path from n leads into a closed gate (memo in gen).  The
 * items a gated node takes on its other ports lead nowhere: it keeps them. */
static bool reaches_gate(PipeRt *rt, PipeNode *n, uint64_t gen)
{
    RtNode *h = hdr(n);
    if (h->gen == gen)
        return h->live;
    h->gen = gen;
    h->live = 0;
    for (uint32_t i = 0; i < n->nouts && !h->live; i++) {
        bool kept = false;
        for (RtGate *g = rt->gates; g; g = g->next)
            if (n->outs[i].node == g->node) {
                h->live |= g->closed && n->outs[i].port == g->port;
                kept |= n->outs[i].port != g->port;
            }
        if (!h->live && !kept && reaches_gate(rt, n->outs[i].node, gen))
            h->live = 1;
    }
    return h->live;
}

/* The sources of a run with gates (pipe_node_gate), in rounds: those that
 * reach no closed gate run (as without gates) to their end, then the gates
 * are looked at again.  A round where every source waits (the compiler
 * refuses such DAGs) runs them all: their gated nodes keep what comes early. */
static void run_gated(PipeRt *rt, size_t n)
{
    if (rt->capsrcs < 2 * n) {
        rt->capsrcs = 2 * n;
        rt->srcs = pipe_xrealloc(rt->srcs, rt->capsrcs * sizeof *rt->srcs);
    }
    PipeSource **all = rt->srcs, **held = rt->srcs + n;
    while (n > 0) {
        gates_update(rt);
        uint64_t gen = ++rt->gen;
        for (size_t i = 0; i < n; i++)
            if (!hdr(&all[i]->node)->ended && !node_live(&all[i]->node, gen)) { /* what it fed closed */
                rt->stopping = true;
                end_source(rt, all[i]);
                rt->stopping = false;
            }
        gen = ++rt->gen;
        size_t k = 0, nh = 0;
        for (size_t i = 0; i < n; i++) {
            PipeSource *s = all[i];
            if (hdr(&s->node)->ended)
                continue;
            if (reaches_gate(rt, &s->node, gen))
                held[nh++] = s;
            else
                all[k++] = s;
        }
        if (k == 0) {
            memcpy(all, held, nh * sizeof *held);
            k = nh;
            nh = 0;
        }
        rt->nsrcs = k;
        run_sources(rt, k);
        memcpy(all, held, nh * sizeof *held);
        n = rt->nsrcs = nh;
    }
}

static void schedule(PipeRt *rt)
{
    size_t nlive = 0;
    PipeSource **live = rt->srcs;
    for (size_t i = 0; i < rt->nsrcs; i++)
        if (rt->srcs[i]->node.nouts > 0 && !hdr(&rt->srcs[i]->node)->ended)
            live[nlive++] = rt->srcs[i];
    rt->nsrcs = nlive;
    rt->phase = RT_RUN;
    if (RT_UNLIKELY(rt->gates != NULL))
        run_gated(rt, nlive);
    else
        run_sources(rt, nlive);
    rt->cur = NULL;
    rt->solo = false;
    if (rt->progress)
        pipe_rt_progress_end(rt);
}

/* Runs open() of every node, downstream first (rt->nodes is newest first and
 * every node is created after its inputs). */
static void open_all(PipeRt *rt)
{
    for (RtNode *h = rt->nodes; h; h = h->next) {
        PipeNode *n = (PipeNode *)(h + 1);
        h->opened = 1; /* close() is due even when open() fails */
        if (n->open)
            n->open(n);
    }
}

/* Runs n's close() under an unwind point of its own; false when it failed. */
static bool close_one(PipeRt *rt, PipeNode *n)
{
    jmp_buf jb;
    rt->jmp = &jb;
    hdr(n)->opened = 0;
    if (setjmp(jb) != 0)
        return false;
    n->close(n);
    return true;
}

/* Reverses the list of rt's nodes in place (rt->nodes is newest first). */
static void reverse_nodes(PipeRt *rt)
{
    RtNode *prev = NULL, *h = rt->nodes;
    while (h) {
        RtNode *next = h->next;
        h->next = prev;
        prev = h;
        h = next;
    }
    rt->nodes = prev;
}

/* Runs close() of every opened node in creation order; a failing close()
 * does not skip the others.  Returns RT_JMP_FAIL when one failed, else 0.
 * Allocates nothing: it also runs after running out of memory. */
static int close_all(PipeRt *rt)
{
    int code = 0;
    reverse_nodes(rt);
    for (RtNode *h = rt->nodes; h; h = h->next) {
        PipeNode *n = (PipeNode *)(h + 1);
        if (h->opened && n->close && !close_one(rt, n))
            code = RT_JMP_FAIL;
    }
    reverse_nodes(rt);
    return code;
}

/* Runs every source to its end and flushes the outputs; returns 0, 1 after a
 * runtime error (a closed pipe on an output stops the run with 0), or 128 +
 * the signal after SIGINT or SIGTERM (pipe_stop_install).  Every node is
 * opened first and closed at the end, whatever happened between. */
int pipe_run(PipeRt *rt)
{
    jmp_buf jb;
    jmp_buf *saved = rt->jmp;
    pipe_sigpipe_hold();
    rt->jmp = &jb;
    PipeRt *outer = pipe_rt_current;
    pipe_rt_current = rt;
    rt->oom_stage = NULL;
    int code = setjmp(jb);
    if (code == 0) {
        pipe_out_start_all(rt);
        open_all(rt);
        schedule(rt);
        rt->phase = RT_END;
        if (pipe_rt_stop) /* asked for while `on end` hooks ran */
            pipe_stop_now(rt);
        pipe_out_flush_all(rt);
    }
    rt->phase = RT_END;
    rt->cur = NULL;
    rt->oom = false; /* reported: running out again while closing is reported too */
    rt->oom_stage = NULL; /* an unwind may have left a stage's name */
    int closed = close_all(rt);
    if (closed && (code == 0 || code == RT_JMP_STOP)) {
        code = closed;
        rt->failing = true; /* what close() failed after is written; report nothing more */
        pipe_out_flush_all(rt);
        rt->failing = false;
    }
    int put = pipe_out_commit_all(rt);
    if (put && code != RT_JMP_FAIL && code < RT_JMP_SIGNAL)
        code = put;
    rt->jmp = saved;
    rt->cur = NULL;
    rt->phase = RT_END;
    pipe_rt_current = outer;
    pipe_sigpipe_release();
    return code >= RT_JMP_SIGNAL ? code : code == RT_JMP_FAIL ? 1 : 0;
}

/* ------------------------------------------------------------------ errors */

/* A PipeBuf on a fixed array: what does not fit is cut. */
typedef struct MsgBuf {
    PipeBuf b;
    char mem[1536];
} MsgBuf;

/* The grow callback of a PipeBuf on a fixed array (see rt_impl.h). */
bool pipe_buf_cut(PipeBuf *b, const char *p, size_t n)
{
    size_t room = b->cap - b->len;
    memcpy(b->p + b->len, p, room < n ? room : n);
    b->len += room < n ? room : n;
    return false;
}

static void msg_init(MsgBuf *m)
{
    m->b.p = m->mem;
    m->b.len = 0;
    m->b.cap = sizeof m->mem - 1; /* room for a final newline */
    m->b.grow = pipe_buf_cut;
}

static void msg_puts(PipeBuf *b, const char *s)
{
    pipe_buf_put(b, s, strlen(s));
}

/* Appends s escaped for a message between quotes: \xHH for other bytes than
 * printable ASCII, \t, \" and \\; after 60 bytes the rest is cut ("..."). */
void pipe_buf_escaped(PipeBuf *b, PipeStr s)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = s.n > 60 ? 60 : s.n;
    pipe_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c == '"' || c == '\\') {
            pipe_buf_putc(b, '\\');
            pipe_buf_putc(b, (char)c);
        } else if (c == '\t') {
            pipe_buf_put(b, "\\t", 2);
        } else if (c < 0x20 || c >= 0x7f) {
            char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            pipe_buf_put(b, e, 4);
        } else {
            pipe_buf_putc(b, (char)c);
        }
    }
    pipe_buf_putc(b, '"');
    if (s.n > n)
        pipe_buf_put(b, "...", 3);
}

static void write_stderr(const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(2, p, n);
        if (w < 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* Flushes what the outputs hold (write errors now only mark them dead), then
 * unwinds to the innermost pipe_run or pipe_main; without one, exits. */
static _Noreturn void unwind(PipeRt *rt, const char *text, size_t len, int code)
{
    if (rt) {
        rt->failing = true;
        pipe_out_flush_all(rt);
        rt->failing = false;
    }
    if (text)
        write_stderr(text, len);
    if (rt && rt->jmp)
        longjmp(*rt->jmp, code);
    exit(code >= RT_JMP_SIGNAL ? code : code == RT_JMP_STOP ? 0 : 1);
}

/* " [run ID]" after the kind of a runtime error, when the run was given
 * --trace or --run-id (without them messages are as they always were). */
static void run_id_tag(PipeRt *rt, PipeBuf *b)
{
    if (!rt || !rt->tag_run_id)
        return;
    msg_puts(b, " [run ");
    msg_puts(b, rt->run_id);
    pipe_buf_putc(b, ']');
}

/* Prints "pipec: error: MSG" (when msg is not NULL), flushes, unwinds with code. */
void pipe_rt_abort(PipeRt *rt, const char *msg, int code)
{
    MsgBuf m;
    msg_init(&m);
    if (msg) {
        msg_puts(&m.b, "pipec: error");
        run_id_tag(rt, &m.b);
        msg_puts(&m.b, ": ");
        msg_puts(&m.b, msg);
        m.b.p[m.b.len++] = '\n';
    }
    if (rt && rt->trace && msg)
        pipe_rt_trace_error(rt, NULL, msg, NULL, m.b.p, m.b.len);
    else if (rt && rt->trace && code == RT_JMP_STOP)
        pipe_rt_trace_stopped(rt);
    unwind(rt, msg ? m.b.p : NULL, m.b.len, code);
}

/* The message of a runtime error of stage n (or of the run rt, n NULL; see
 * pipe.h), with a newline. */
static void fail_message(MsgBuf *mb, PipeRt *rt, PipeNode *n, const char *msg, const PipeStr *value)
{
    MsgBuf m;
    msg_init(&m);
    if (n && n->pos.file) {
        char t[24];
        msg_puts(&m.b, n->pos.file);
        pipe_buf_putc(&m.b, ':');
        char *d = pipe_fmt_int(t, n->pos.line);
        pipe_buf_put(&m.b, d, (size_t)(t + 24 - d));
        pipe_buf_putc(&m.b, ':');
        d = pipe_fmt_int(t, n->pos.col);
        pipe_buf_put(&m.b, d, (size_t)(t + 24 - d));
        msg_puts(&m.b, ": ");
    } else {
        msg_puts(&m.b, "pipec: ");
    }
    msg_puts(&m.b, "runtime error");
    run_id_tag(rt, &m.b);
    if (n) {
        msg_puts(&m.b, " in stage ");
        msg_puts(&m.b, n->name ? n->name : "?");
    }
    msg_puts(&m.b, ": ");
    msg_puts(&m.b, msg);
    if (value) {
        msg_puts(&m.b, ": ");
        pipe_buf_escaped(&m.b, *value);
    }
    if (rt && rt->phase != RT_BUILD) {
        if (rt->cur) {
            char t[24];
            pipe_src_count_copied(rt);
            char *d = pipe_fmt_int(t, rt->cur->input_line);
            msg_puts(&m.b, " (input ");
            msg_puts(&m.b, rt->cur->input_name ? rt->cur->input_name : "?");
            if (rt->cur->input_line > 0) { /* 0: nothing was read yet */
                msg_puts(&m.b, ", line ");
                pipe_buf_put(&m.b, d, (size_t)(t + 24 - d));
            }
            msg_puts(&m.b, ")");
        } else {
            msg_puts(&m.b, " (at end of input)");
        }
    }
    m.b.p[m.b.len++] = '\n';
    *mb = m;
    mb->b.p = mb->mem;
}

/* Keeps the message of an error that n's policy caught in rt->caught. */
static void keep_caught(PipeRt *rt, const MsgBuf *m)
{
    size_t len = m->b.len - 1; /* without the newline */
    memcpy(rt->caught, m->b.p, len);
    rt->ncaught = len;
}

/* Reports a runtime error of n (NULL: of the run) and unwinds; inside n's
 * guarded hook a catchable one ends only the item, under n's policy. */
static _Noreturn void fail_as(PipeRt *rt, PipeNode *n, const char *msg, const PipeStr *value, bool catchable)
{
    MsgBuf m;
    fail_message(&m, rt, n, msg, value);
    RtCatch *c = n && catchable ? hdr(n)->catch : NULL;
    if (c && c->jmp && !rt->failing) { /* inside n's guarded hook: only the item fails */
        keep_caught(rt, &m);
        longjmp(*c->jmp, 1);
    }
    if (rt && rt->trace)
        pipe_rt_trace_error(rt, n, msg, value, m.b.p, m.b.len);
    unwind(rt, m.b.p, m.b.len, RT_JMP_FAIL);
}

static _Noreturn void fail(PipeRt *rt, PipeNode *n, const char *msg, const PipeStr *value)
{
    fail_as(rt, n, msg, value, true);
}

/* ------------------------------------------------------------------ error policies */

/* Counts the error n's policy caught (its message in rt->caught) and, for a
 * dead-letter policy, emits (item as text, message); item NULL is "" (an
 * error at the end of input). */
static void caught(PipeNode *n, const PipeType *t, const void *item)
{
    RtNode *h = hdr(n);
    RtCatch *c = h->catch;
    h->errors++;
    PipeNode *d = c->dead;
    if (c->policy != PIPE_ON_ERROR_DEAD || !d || hdr(d)->ended)
        return;
    PipeRt *rt = n->rt;
    PipeArena *a = &rt->scratch;
    PipeStr text = {"", 0}, msg = {"", 0};
    if (item && t)
        text = pipe_str_of(a, t, item);
    if (rt->ncaught) {
        char *p = pipe_alloc(a, rt->ncaught);
        memcpy(p, rt->caught, rt->ncaught);
        msg.p = p;
        msg.n = rt->ncaught;
    }
    char *rec = pipe_alloc(a, d->out->size);
    memcpy(rec + d->out->offsets[0], &text, sizeof text);
    memcpy(rec + d->out->offsets[1], &msg, sizeof msg);
    pipe_emit(d, rec);
}

/* n's push of item (or, at_end, its finish) under an unwind point of its
 * own: an error there is caught by n's policy. */
static void guarded(PipeNode *n, const void *item, int port, bool at_end)
{
    RtCatch *c = hdr(n)->catch;
    jmp_buf jb, *saved = c->jmp;
    c->jmp = &jb;
    if (setjmp(jb) == 0) {
        if (at_end)
            c->finish(n);
        else
            c->push(n, item, port);
        c->jmp = saved;
        return;
    }
    c->jmp = saved;
    caught(n, at_end ? NULL : n->in, item);
}

static void guarded_push(PipeNode *n, const void *item, int port)
{
    guarded(n, item, port, false);
}

static void guarded_finish(PipeNode *n)
{
    guarded(n, NULL, 0, true);
}

/* Sets n's error policy (see pipe.h): its push and finish are wrapped. */
void pipe_node_on_error(PipeNode *n, int policy, PipeNode *dead)
{
    RtNode *h = hdr(n);
    if (policy == PIPE_ON_ERROR_STOP || h->catch)
        return;
    RtCatch *c = pipe_xcalloc(1, sizeof *c);
    c->policy = policy;
    c->dead = policy == PIPE_ON_ERROR_DEAD ? dead : NULL;
    if (c->dead)
        c->dead->nins++; /* it ends when every stage routed to it has ended */
    c->push = n->push;
    c->finish = n->finish;
    if (n->push)
        n->push = guarded_push;
    if (n->finish)
        n->finish = guarded_finish;
    h->catch = c;
}

/* A dead-letter node: it receives nothing by edges, only from caught(). */
PipeNode *pipe_dead_letter(PipeRt *rt, PipePos pos, const PipeType *t)
{
    PipeNode *n = pipe_node_new(rt, sizeof(PipeNode), "dead letters", pos);
    n->out = t;
    return n;
}

/* See rt_impl.h: for sources, whose errors about an item are not guarded. */
void pipe_item_failed(PipeNode *n, const char *msg, PipeStr item)
{
    RtCatch *c = hdr(n)->catch;
    if (!c || n->rt->failing)
        fail(n->rt, n, msg, &item);
    MsgBuf m;
    fail_message(&m, n->rt, n, msg, &item);
    keep_caught(n->rt, &m);
    caught(n, &pipe_t_str, &item);
}

/* Reports a runtime error of stage n (see pipe.h for the format) and unwinds. */
void pipe_fail(PipeNode *n, const char *msg)
{
    fail(n ? n->rt : NULL, n, msg, NULL);
}

/* A runtime error of the run rather than of a stage (--timeout, out of
 * memory): "pipec: runtime error: MSG (input IN, line N)", then as pipe_fail. */
void pipe_rt_fail(PipeRt *rt, const char *msg)
{
    fail(rt, NULL, msg, NULL);
}

/* A runtime error that no error policy catches (see rt_impl.h). */
void pipe_rt_fail_fatal(PipeRt *rt, PipeNode *n, const char *msg)
{
    fail_as(rt, n, msg, NULL, false);
}

/* Like pipe_fail, naming the offending value (escaped, cut when long). */
void pipe_fail_str(PipeNode *n, const char *msg, PipeStr value)
{
    fail(n ? n->rt : NULL, n, msg, &value);
}
