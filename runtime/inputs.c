/* inputs.c — the input files named on the command line (stdin reads them in
 * turn) and .gz inputs, inflated a fixed buffer at a time through zlib. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "rt_impl.h"

/* ------------------------------------------------------------------ command-line inputs */

/* The user named these files (trusted, like a shell's `< file`): under --safe
 * and --sandbox the confined run may read each of them (not "-"), wherever
 * it lies; the script's own paths stay checked as before. */
void pipe_rt_inputs_declare(PipeRt *rt)
{
    for (size_t i = 0; i < rt->nin_files; i++)
        if (strcmp(rt->in_files[i], "-") != 0)
            pipe_rt_sandbox_input(rt, rt->in_files[i]);
}

/* ------------------------------------------------------------------ gzip */

#define GZ_IN ((size_t)64 << 10) /* compressed bytes per read(2) */

struct PipeGz {
    z_stream z;
    bool in_member; /* inside a gzip member: the end of the file now is a truncation */
    bool eof;       /* read(2) returned 0 */
    uint64_t members;
    unsigned char in[GZ_IN];
};

bool pipe_gz_name(const char *path)
{
    size_t n = strlen(path);
    return n > 3 && memcmp(path + n - 3, ".gz", 3) == 0;
}

PipeGz *pipe_gz_new(void)
{
    PipeGz *g = pipe_xcalloc(1, sizeof *g);
    if (inflateInit2(&g->z, 16 + MAX_WBITS) == Z_OK) /* gzip framing only */
        return g;
    free(g);
    return NULL;
}

void pipe_gz_free(PipeGz *g)
{
    if (!g)
        return;
    (void)inflateEnd(&g->z);
    free(g);
}

/* Reads more compressed bytes into g; false with errno after a failed read. */
static bool gz_fill(PipeGz *g, int fd, uint64_t *raw)
{
    ssize_t n;
    do
        n = read(fd, g->in, GZ_IN);
    while (n < 0 && errno == EINTR && !pipe_rt_stop);
    if (n < 0)
        return false;
    g->eof = n == 0;
    g->z.next_in = g->in;
    g->z.avail_in = (uInt)n;
    *raw += (uint64_t)n;
    return true;
}

ssize_t pipe_gz_read(PipeGz *g, int fd, char *dst, size_t room, uint64_t *raw, const char **why)
{
    if (room > (size_t)1 << 30)
        room = (size_t)1 << 30;
    g->z.next_out = (unsigned char *)dst;
    g->z.avail_out = (uInt)room;
    while (g->z.avail_out == room) {
        if (g->z.avail_in == 0) {
            if (g->eof) {
                *why = g->in_member ? "truncated gzip data (the file ends inside a member)"
                       : g->members == 0 ? "not gzip data (an empty file)" : NULL;
                return *why ? -2 : 0;
            }
            if (!gz_fill(g, fd, raw))
                return -1;
            continue;
        }
        if (!g->in_member) { /* a member starts: concatenated .gz files read as zcat reads them */
            inflateReset(&g->z);
            g->in_member = true;
            g->members++;
        }
        int rc = inflate(&g->z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END)
            g->in_member = false;
        else if (rc != Z_OK && !(rc == Z_BUF_ERROR && g->z.avail_in == 0)) {
            *why = rc == Z_MEM_ERROR ? "out of memory inflating" : "corrupt gzip data";
            return -2;
        }
    }
    return (ssize_t)(room - g->z.avail_out);
}
