/* fuzz_stdin.h — what the fuzz targets that run a pipeline on stdin share:
 * making fd 0 read the input's bytes, and the reader's bytes per read. */
#ifndef FUZZ_STDIN_H
#define FUZZ_STDIN_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Writes all of [p, p+n) to fd; false on an error. */
static bool fuzz_write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Makes fd 0 read [p, p+n): a pipe (not a regular file: the reader flushes
 * before each read and merge is by arrival) when asked and n fits in one, else
 * a memfd (a regular file).  Aborts when neither can be set up. */
static void fuzz_feed_stdin(const uint8_t *p, size_t n, bool want_pipe)
{
    int fds[2];
    if (want_pipe && pipe2(fds, O_CLOEXEC) == 0) {
        int cap = fcntl(fds[1], F_GETPIPE_SZ);
        if (cap > 0 && n <= (size_t)cap && fuzz_write_all(fds[1], p, n)) {
            close(fds[1]);
            if (dup2(fds[0], 0) < 0)
                abort();
            close(fds[0]);
            return;
        }
        close(fds[0]);
        close(fds[1]);
    }
    int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
    if (fd < 0 || !fuzz_write_all(fd, p, n) || lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, 0) < 0)
        abort();
    close(fd);
}

/* The reader's bytes per read that bits 0-5 of a header byte choose: 0 the
 * default 256 KiB, 1-47 that many (at least 4), 48-63 1 KiB to 16 KiB. */
static size_t fuzz_read_size(uint8_t b)
{
    unsigned k = b & 63;
    return k == 0 ? 0 : k < 48 ? k : (size_t)(k - 47) << 10;
}

#endif
