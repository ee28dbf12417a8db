/* sinks.c — the standard sinks: stdout, stderr, file, append, discard; each
 * item becomes one line formatted as pipe_out_value (LANGUAGE.md §7). */
#include "pipe_std.h"
#include "rt_impl.h"

typedef struct Sink {
    PipeNode node;
    PipeOut *out;
} Sink;

static void sink_push_str(PipeNode *n, const void *item, int port)
{
    pipe_out_str_line(((Sink *)n)->out, *(const PipeStr *)item);
}

static void sink_push_value(PipeNode *n, const void *item, int port)
{
    pipe_out_value(((Sink *)n)->out, n->in, item);
}

static void sink_finish(PipeNode *n)
{
    pipe_out_flush(((Sink *)n)->out);
}

static PipeNode *sink_new(PipeRt *rt, PipePos pos, const char *name, const PipeType *t, PipeOut *o)
{
    Sink *s = (Sink *)pipe_node_new(rt, sizeof(Sink), name, pos);
    s->node.in = t;
    s->node.push = t->kind == PIPE_K_STR ? sink_push_str : sink_push_value;
    s->node.finish = sink_finish;
    s->out = o;
    if (o && !o->sink)
        o->sink = &s->node;
    return &s->node;
}

/* The output that n, a str sink of the plan's PIPE_PLAN_COPY, writes lines to
 * verbatim (so a block of complete lines can go to it as it is). */
PipeOut *pipe_sink_line_out(PipeNode *n)
{
    return ((Sink *)n)->out;
}

/* Writes each item to standard output (shared by every stdout sink of the run). */
PipeNode *pipe_sink_stdout(PipeRt *rt, PipePos pos, const PipeType *t)
{
    return sink_new(rt, pos, "stdout", t, pipe_out_stdout(rt));
}

/* Writes each item to standard error. */
PipeNode *pipe_sink_stderr(PipeRt *rt, PipePos pos, const PipeType *t)
{
    return sink_new(rt, pos, "stderr", t, pipe_out_stderr(rt));
}

/* Writes each item to the file at path, truncated now (an error names the file). */
PipeNode *pipe_sink_file(PipeRt *rt, PipePos pos, const PipeType *t, PipeStr path)
{
    PipeNode *n = sink_new(rt, pos, "file", t, NULL);
    ((Sink *)n)->out = pipe_out_open(rt, n, path, false);
    if (!((Sink *)n)->out->sink)
        ((Sink *)n)->out->sink = n;
    return n;
}

/* Appends each item to the file at path, created when missing. */
PipeNode *pipe_sink_append(PipeRt *rt, PipePos pos, const PipeType *t, PipeStr path)
{
    PipeNode *n = sink_new(rt, pos, "append", t, NULL);
    ((Sink *)n)->out = pipe_out_open(rt, n, path, true);
    if (!((Sink *)n)->out->sink)
        ((Sink *)n)->out->sink = n;
    return n;
}

static void push_nothing(PipeNode *n, const void *item, int port)
{
}

/* Drops every item. */
PipeNode *pipe_sink_discard(PipeRt *rt, PipePos pos, const PipeType *t)
{
    PipeNode *n = pipe_node_new(rt, sizeof(PipeNode), "discard", pos);
    n->in = t;
    n->push = push_nothing;
    return n;
}
