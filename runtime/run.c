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
        free(((PipeNode *)(h + 1))->outs);
        free(h);
        h = next;
    }
    free(rt->srcs);
    free(rt->stats);
    free(rt->closing);
    while (rt->prefilters) {
        RtPrefilter *pf = rt->prefilters;
        rt->prefilters = pf->next;
        free(pf->lit);
        free(pf);
    }
    pipe_regex_free_all(rt);
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

/* Registers the literal that n needs in every str item it reacts to. */
void pipe_node_prefilter_literal(PipeNode *n, PipeStr literal)
{
    if (!n || literal.n == 0 || memchr(literal.p, '\n', literal.n))
        return;
    PipeRt *rt = n->rt;
    RtPrefilter *pf = pipe_xcalloc(1, sizeof *pf);
    pf->node = n;
    pf->push = n->push;
    pf->lit = pipe_xstrndup(literal.p, literal.n);
    pf->n = literal.n;
    pf->rare = pipe_rare_index(pf->lit, pf->n);
    pf->next = rt->prefilters;
    rt->prefilters = pf;
}

/* The prefilter that line source s may apply now (see rt_impl.h), or NULL. */
const RtPrefilter *pipe_rt_prefilter(PipeRt *rt, PipeSource *s)
{
    if (!rt->prefilters || !rt->solo || s->node.nouts != 1)
        return NULL;
    PipeNode *o = s->node.outs[0].node;
    if (o->nins != 1 || hdr(o)->ended)
        return NULL;
    for (RtPrefilter *pf = rt->prefilters; pf; pf = pf->next)
        if (pf->node == o)
            return pf->push == o->push ? pf : NULL;
    return NULL;
}

/* Ends n's outputs (once): each is told which port ended, and one whose every
 * input has ended runs its finish() and is ended in turn. */
void pipe_end(PipeNode *n)
{
    RtNode *h = hdr(n);
    if (h->ended)
        return;
    h->ended = 1;
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
        rt->closing = realloc(rt->closing, rt->capclosing * sizeof *rt->closing);
        if (!rt->closing)
            pipe_rt_abort(rt, "out of memory", RT_JMP_FAIL);
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
        end_source(rt, s);
    }
    rt->nsrcs = k;
    return k;
}

/* Steps the live sources round-robin, one item each, in creation order, so a
 * merge of regular files is deterministic.  The last live source is stepped in
 * a tight loop with rt->solo set, which lets it emit a whole buffer per step. */
static void schedule(PipeRt *rt)
{
    size_t nlive = 0;
    PipeSource **live = rt->srcs;
    for (size_t i = 0; i < rt->nsrcs; i++)
        if (rt->srcs[i]->node.nouts > 0 && !hdr(&rt->srcs[i]->node)->ended)
            live[nlive++] = rt->srcs[i];
    rt->nsrcs = nlive;
    rt->phase = RT_RUN;
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
    rt->cur = NULL;
    rt->solo = false;
    if (rt->progress)
        pipe_rt_progress_end(rt);
}

/* Runs every source to its end and flushes the outputs; returns 0, 1 after a
 * runtime error (a closed pipe on an output stops the run with 0), or 128 +
 * the signal after SIGINT or SIGTERM (pipe_stop_install). */
int pipe_run(PipeRt *rt)
{
    jmp_buf jb;
    jmp_buf *saved = rt->jmp;
    struct sigaction ign, old;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old);
    rt->jmp = &jb;
    PipeRt *outer = pipe_rt_running;
    pipe_rt_running = rt;
    pipe_oom_stage = NULL;
    int code = setjmp(jb);
    if (code == 0) {
        schedule(rt);
        rt->phase = RT_END;
        if (pipe_rt_stop) /* asked for while `on end` hooks ran */
            pipe_stop_now(rt);
        pipe_out_flush_all(rt);
    }
    rt->jmp = saved;
    rt->cur = NULL;
    rt->phase = RT_END;
    pipe_rt_running = outer;
    pipe_oom_stage = NULL;
    sigaction(SIGPIPE, &old, NULL);
    return code >= RT_JMP_SIGNAL ? code : code == RT_JMP_FAIL ? 1 : 0;
}

/* ------------------------------------------------------------------ errors */

/* A PipeBuf on a fixed array: what does not fit is cut. */
typedef struct MsgBuf {
    PipeBuf b;
    char mem[1536];
} MsgBuf;

static bool msg_grow(PipeBuf *b, const char *p, size_t n)
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
    m->b.grow = msg_grow;
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

/* Prints "pipec: error: MSG" (when msg is not NULL), flushes, unwinds with code. */
void pipe_rt_abort(PipeRt *rt, const char *msg, int code)
{
    MsgBuf m;
    msg_init(&m);
    if (msg) {
        msg_puts(&m.b, "pipec: error: ");
        msg_puts(&m.b, msg);
        m.b.p[m.b.len++] = '\n';
    }
    unwind(rt, msg ? m.b.p : NULL, m.b.len, code);
}

static _Noreturn void fail(PipeRt *rt, PipeNode *n, const char *msg, const PipeStr *value)
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
    unwind(rt, m.b.p, m.b.len, RT_JMP_FAIL);
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

/* Like pipe_fail, naming the offending value (escaped, cut when long). */
void pipe_fail_str(PipeNode *n, const char *msg, PipeStr value)
{
    fail(n ? n->rt : NULL, n, msg, &value);
}
