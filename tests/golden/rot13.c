/* rot13.c — an extern proc: ROT13 of each line, written in C against pipe.h.
 * pipec calls pipe_extern_NAME(rt, pos, params...) to create the node. */
#include "pipe.h"

typedef struct Rot13 {
    PipeNode base;
} Rot13;

static void rot13_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    const PipeStr *s = item;
    PipeArena *scratch = pipe_scratch(self->rt);
    char *out = pipe_alloc(scratch, s->n ? s->n : 1);
    for (size_t i = 0; i < s->n; i++) {
        char c = s->p[i];
        if (c >= 'a' && c <= 'z')
            c = (char)('a' + (c - 'a' + 13) % 26);
        else if (c >= 'A' && c <= 'Z')
            c = (char)('A' + (c - 'A' + 13) % 26);
        out[i] = c;
    }
    PipeStr r = {out, s->n};
    pipe_emit(self, &r);
}

PipeNode *pipe_extern_rot13(PipeRt *rt, PipePos pos)
{
    PipeNode *n = pipe_node_new(rt, sizeof(Rot13), "rot13", pos);
    n->push = rot13_push;
    n->in = &pipe_t_str;
    n->out = &pipe_t_str;
    return n;
}
