/* tail_seek.c — where the last n lines of a regular file start, found as GNU
 * tail finds them: reading blocks backwards from the end (PIPE_PLAN_TAIL). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "rt_impl.h"

off_t pipe_tail_start(int fd, off_t from, off_t size, uint64_t n, char *buf, size_t cap)
{
    if (n == 0)
        return size;
    bool last = true; /* the block at the end: a final '\n' ends a line, starts none */
    for (off_t end = size; end > from && !pipe_rt_stop;) {
        size_t want = (uint64_t)(end - from) < cap ? (size_t)(end - from) : cap;
        off_t at = end - (off_t)want;
        ssize_t got = pread(fd, buf, want, at);
        if (got < 0 && errno == EINTR)
            continue;
        if (got != (ssize_t)want)
            return from; /* an error or a shorter file: the ordinary read finds out */
        size_t k = want;
        if (last && buf[k - 1] == '\n')
            k--;
        last = false;
        for (const char *nl; k > 0 && (nl = memrchr(buf, '\n', k)); k = (size_t)(nl - buf))
            if (--n == 0)
                return at + (nl - buf) + 1;
        end = at;
    }
    return from;
}
