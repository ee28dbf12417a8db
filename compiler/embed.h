/* embed.h — the runtime's and stdlib's source text, compiled into pipec (by
 * mk/embed.sh) so that `emit-c`, `build` and the JIT need no file at run time. */
#ifndef PIPEC_EMBED_H
#define PIPEC_EMBED_H

typedef struct PipeEmbedded {
    const char *path; /* "runtime/pipe.h", "stdlib/text.c", ... */
    const char *text;
} PipeEmbedded;

/* Every embedded file, ending with {NULL, NULL}: headers first, in dependency order. */
extern const PipeEmbedded pipe_embedded[];

#endif
