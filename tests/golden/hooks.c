/* hooks.c — an extern proc that logs each lifecycle hook of its node to
 * stderr ("TAG open", "TAG item LINE", "TAG end", "TAG close") and passes its
 * items on: hooks*.pipe check the order of the hooks.  The tag "fail" makes
 * open() fail. */
#include <string.h>
#include <unistd.h>

#include "pipe.h"

typedef struct Traced {
    PipeNode base;
    char tag[16];
} Traced;

static void say(PipeNode *self, const char *what, const PipeStr *item)
{
    char line[256];
    size_t n = 0, t = strlen(((Traced *)self)->tag), w = strlen(what);
    memcpy(line, ((Traced *)self)->tag, t);
    n = t;
    line[n++] = ' ';
    memcpy(line + n, what, w);
    n += w;
    if (item && item->n < 200) {
        line[n++] = ' ';
        memcpy(line + n, item->p, item->n);
        n += item->n;
    }
    line[n++] = '\n';
    if (write(2, line, n) < 0)
        return;
}

static void traced_open(PipeNode *self)
{
    say(self, "open", NULL);
    if (!strcmp(((Traced *)self)->tag, "fail")) /* hooks_open_fail.pipe */
        pipe_fail(self, "cannot open");
}

static void traced_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    say(self, "item", item);
    pipe_emit(self, item);
}

static void traced_finish(PipeNode *self)
{
    say(self, "end", NULL);
}

static void traced_close(PipeNode *self)
{
    say(self, "close", NULL);
}

PipeNode *pipe_extern_traced(PipeRt *rt, PipePos pos, PipeStr tag)
{
    Traced *t = (Traced *)pipe_node_new(rt, sizeof(Traced), "traced", pos);
    size_t n = tag.n < sizeof t->tag - 1 ? tag.n : sizeof t->tag - 1;
    memcpy(t->tag, tag.p, n);
    t->tag[n] = '\0';
    t->base.open = traced_open;
    t->base.push = traced_push;
    t->base.finish = traced_finish;
    t->base.close = traced_close;
    t->base.in = &pipe_t_str;
    t->base.out = &pipe_t_str;
    return &t->base;
}
