/* out.c — buffered outputs written with write(2), and the text of values as
 * sinks print them (LANGUAGE.md §7), shared by str(x) and join(). */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt_impl.h"

#define OUT_CAP ((size_t)256 << 10)

/* ------------------------------------------------------------------ text of values */

/* Writes the decimal text of v into the end of t[24]; returns where it starts. */
char *pipe_fmt_int(char t[24], int64_t v)
{
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char *p = t + 24;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return p;
}

/* The digits of |v| (no trailing zeros) and its decimal exponent, when v
 * is M / 10^k for an integer M below 10^15 and the smallest such k: then
 * the decimal M·10^-k reads back to v (the division is correctly rounded),
 * and no shorter one does (one with fewer digits after the point would have
 * been found at a smaller k; a double is within 1.2e-16, relative, of any
 * decimal that reads back to it, so rint finds M exactly below 10^15).
 * The common case of data read from text, without printf and strtod. */
static bool float_digits_fast(double v, char *dig, int *nd, int *exp10)
{
    const double *p10 = pipe_exact_p10;
    double a = fabs(v);
    for (int k = 0; k < 23; k++) {
        double m = rint(a * p10[k]);
        if (m >= 1e15)
            return false;
        if (m / p10[k] != a)
            continue;
        char buf[24];
        int n = 0;
        uint64_t u = (uint64_t)m;
        do {
            buf[n++] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        *exp10 = n - 1 - k;
        *nd = 0;
        while (n > 0)
            dig[(*nd)++] = buf[--n];
        while (*nd > 1 && dig[*nd - 1] == '0')
            (*nd)--;
        return true;
    }
    return false;
}

/* Whether a 16-digit neighbour of e (d.ddd...e±XX, 16 digits, the closest
 * to a) reads back to a, and then e becomes it.  At a power of two the
 * doubles below are twice as close as those above, so the closest decimal
 * can miss while the next one up (or down) still reads back. */
static bool neighbour_16(char *e, size_t size, double a)
{
    uint64_t m = 0;
    const char *p = e;
    for (; *p != 'e'; p++)
        if (*p != '.')
            m = m * 10 + (uint64_t)(*p - '0');
    int x = atoi(p + 1);
    for (int d = 1; d >= -1; d -= 2) {
        uint64_t m2 = m + (uint64_t)(int64_t)d;
        int x2 = x;
        if (m2 == 10000000000000000u) /* 9.999...e+x + 1: 1.000...e+(x+1) */
            m2 /= 10, x2++;
        else if (m2 == 999999999999999u) /* 1.000...e+x - 1: 9.999...e+(x-1) */
            m2 = 9999999999999999u, x2--;
        char t[40], q[24];
        snprintf(q, sizeof q, "%llu", (unsigned long long)m2);
        snprintf(t, sizeof t, "%c.%se%+03d", q[0], q + 1, x2);
        if (strtod(t, NULL) == a) {
            snprintf(e, size, "%s", t);
            return true;
        }
    }
    return false;
}

/* The shortest digits of |v| that read back to v, by printf: the correctly
 * rounded 15 digits (trailing zeros dropped) are the shortest whenever some
 * 15 or fewer are (see above), so at most three tries: 15, 16 (and its
 * neighbours), 17 digits.  A subnormal has fewer bits: every length from 1. */
static void float_digits(double v, char *dig, int *nd, int *exp10)
{
    char e[40];
    for (int prec = fabs(v) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, fabs(v));
        if (prec == 17 || strtod(e, NULL) == fabs(v))
            break;
        if (prec == 16 && neighbour_16(e, sizeof e, fabs(v)))
            break;
    }
    /* e is d[.ddd]e(+|-)XX: collect the digits and the exponent */
    const char *p = e;
    *nd = 0;
    for (; *p != 'e'; p++)
        if (*p != '.')
            dig[(*nd)++] = *p;
    *exp10 = atoi(p + 1);
    while (*nd > 1 && dig[*nd - 1] == '0')
        (*nd)--;
}

/* Floats print as the shortest digits that read back to the same double, laid
 * out like Python's repr(): fixed notation when the decimal exponent is in
 * [-4, 16) — an integral value keeps ".0" so it still reads as a float
 * ("3.0", "-0.0", "1e+16" beyond) — else d.ddde±XX; "nan", "inf", "-inf". */
size_t pipe_fmt_float(char *t, double v)
{
    if (isnan(v))
        return (size_t)(memcpy(t, "nan", 3), 3);
    if (isinf(v))
        return v < 0 ? (size_t)(memcpy(t, "-inf", 4), 4) : (size_t)(memcpy(t, "inf", 3), 3);
    char dig[24];
    int nd, exp10;
    bool neg = signbit(v);
    if (!float_digits_fast(v, dig, &nd, &exp10))
        float_digits(v, dig, &nd, &exp10);
    size_t n = 0;
    if (neg)
        t[n++] = '-';
    int decpt = exp10 + 1; /* digits before the decimal point */
    if (decpt > -4 && decpt <= 16) {
        if (decpt <= 0) {
            t[n++] = '0';
            t[n++] = '.';
            for (int i = 0; i < -decpt; i++)
                t[n++] = '0';
            memcpy(t + n, dig, (size_t)nd);
            n += (size_t)nd;
        } else if (decpt >= nd) {
            memcpy(t + n, dig, (size_t)nd);
            n += (size_t)nd;
            for (int i = nd; i < decpt; i++)
                t[n++] = '0';
            t[n++] = '.';
            t[n++] = '0';
        } else {
            memcpy(t + n, dig, (size_t)decpt);
            n += (size_t)decpt;
            t[n++] = '.';
            memcpy(t + n, dig + decpt, (size_t)(nd - decpt));
            n += (size_t)(nd - decpt);
        }
        return n;
    }
    t[n++] = dig[0];
    if (nd > 1) {
        t[n++] = '.';
        memcpy(t + n, dig + 1, (size_t)(nd - 1));
        n += (size_t)(nd - 1);
    }
    t[n++] = 'e';
    t[n++] = exp10 < 0 ? '-' : '+';
    int ae = exp10 < 0 ? -exp10 : exp10;
    if (ae >= 100)
        t[n++] = (char)('0' + ae / 100);
    t[n++] = (char)('0' + ae / 10 % 10);
    t[n++] = (char)('0' + ae % 10);
    return n;
}

/* The fields a value of t prints as: a tuple's or record's, nested ones
 * flattened (so that a none of a record type keeps the columns in line). */
static size_t opt_columns(const PipeType *t)
{
    if (t->kind == PIPE_K_OPT)
        return opt_columns(t->elem);
    if (t->kind != PIPE_K_TUPLE && t->kind != PIPE_K_RECORD)
        return 1;
    size_t n = 0;
    for (uint32_t i = 0; i < t->nfields; i++)
        n += opt_columns(t->fields[i]);
    return n;
}

/* Appends v as §7 says; a record as a tuple, none as nothing (§8).  Nested
 * values use the same rules (a list of tuples is "a\t1 b\t2").  Not specified by §7, chosen here: a map prints as its entries
 * "k=v" separated by one space, a set like a list, in insertion order. */
void pipe_buf_value(PipeBuf *b, const PipeType *t, const void *v)
{
    switch (t->kind) {
    case PIPE_K_STR: {
        const PipeStr *s = v;
        pipe_buf_put(b, s->p, s->n);
        return;
    }
    case PIPE_K_INT: {
        char tmp[24];
        char *p = pipe_fmt_int(tmp, *(const int64_t *)v);
        pipe_buf_put(b, p, (size_t)(tmp + 24 - p));
        return;
    }
    case PIPE_K_FLOAT: {
        char tmp[40];
        pipe_buf_put(b, tmp, pipe_fmt_float(tmp, *(const double *)v));
        return;
    }
    case PIPE_K_BOOL:
        if (*(const bool *)v)
            pipe_buf_put(b, "true", 4);
        else
            pipe_buf_put(b, "false", 5);
        return;
    case PIPE_K_OPT: /* none prints as empty fields, as many as a value has */
        if (pipe_opt_some(t, v))
            pipe_buf_value(b, t->elem, v);
        else
            for (size_t i = 1; i < opt_columns(t->elem); i++)
                pipe_buf_putc(b, '\t');
        return;
    case PIPE_K_TUPLE:
    case PIPE_K_RECORD:
        for (uint32_t i = 0; i < t->nfields; i++) {
            if (i)
                pipe_buf_putc(b, '\t');
            pipe_buf_value(b, t->fields[i], (const char *)v + t->offsets[i]);
        }
        return;
    case PIPE_K_LIST: {
        const PipeList *l = *(PipeList *const *)v;
        for (size_t i = 0; l && i < l->len; i++) {
            if (i)
                pipe_buf_putc(b, ' ');
            pipe_buf_value(b, t->elem, (char *)l->data + i * l->esize);
        }
        return;
    }
    case PIPE_K_MAP:
    case PIPE_K_SET: {
        PipeMap *m = *(PipeMap *const *)v;
        void *k, *x;
        bool first = true;
        for (size_t i = 0; m && pipe_map_next(m, &i, &k, &x);) {
            if (!first)
                pipe_buf_putc(b, ' ');
            first = false;
            pipe_buf_value(b, t->elem, k);
            if (t->kind == PIPE_K_MAP && t->val) {
                pipe_buf_putc(b, '=');
                pipe_buf_value(b, t->val, x);
            }
        }
        return;
    }
    }
}

/* ------------------------------------------------------------------ outputs */

static void write_all(PipeOut *o, const char *p, size_t n)
{
    while (n && !o->dead) {
        ssize_t w = write(o->fd, p, n);
        if (w >= 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (errno == EINTR)
            continue;
        int err = errno;
        o->dead = true;
        if (o->rt->failing)
            return;
        if (err == EPIPE)
            pipe_rt_abort(o->rt, NULL, RT_JMP_STOP);
        char msg[512];
        snprintf(msg, sizeof msg, "writing to %s: %s", o->name, strerror(err));
        if (o->sink)
            pipe_fail(o->sink, msg);
        pipe_rt_abort(o->rt, msg, RT_JMP_FAIL);
    }
}

/* Writes out what o holds; a write error ends the run (quietly for EPIPE). */
void pipe_out_flush(PipeOut *o)
{
    size_t n = o->buf.len;
    o->buf.len = 0;
    if (n)
        write_all(o, o->buf.p, n);
}

static bool out_grow(PipeBuf *b, const char *p, size_t n)
{
    PipeOut *o = (PipeOut *)b;
    pipe_out_flush(o);
    if (n <= b->cap)
        return true;
    write_all(o, p, n);
    return false;
}

static PipeOut *out_new(PipeRt *rt, int fd, const char *name, size_t namelen, bool own)
{
    PipeOut *o = pipe_xcalloc(1, sizeof *o);
    o->buf.p = aligned_alloc(4096, OUT_CAP);
    if (!o->buf.p)
        o->buf.p = pipe_xmalloc(OUT_CAP);
    o->buf.cap = OUT_CAP;
    o->buf.grow = out_grow;
    o->fd = fd;
    o->own_fd = own;
    o->name = pipe_xstrndup(name, namelen);
    o->rt = rt;
    o->dir_fd = -1;
    o->next = rt->outs;
    rt->outs = o;
    return o;
}

static void in_place(PipeRt *rt, PipeOut *o, PipeNode *n);

/* An output on an inherited descriptor (not closed at the end). */
PipeOut *pipe_out_fd(PipeRt *rt, int fd, const char *name)
{
    return out_new(rt, fd, name, strlen(name), false);
}

/* The run's standard output (one per run, shared by every stdout sink). */
PipeOut *pipe_out_stdout(PipeRt *rt)
{
    if (!rt->out_stdout) {
        rt->out_stdout = pipe_out_fd(rt, 1, "stdout");
        in_place(rt, rt->out_stdout, NULL); /* `< f >> f` */
    }
    return rt->out_stdout;
}

/* The run's standard error output (one per run). */
PipeOut *pipe_out_stderr(PipeRt *rt)
{
    if (!rt->out_stderr)
        rt->out_stderr = pipe_out_fd(rt, 2, "stderr");
    return rt->out_stderr;
}

/* ------------------------------------------------------------------ file outputs */

/* An input file of the run (sources.c reports each as it opens it), kept to
 * refuse an input that an output written in place also writes. */
typedef struct RtInput {
    dev_t dev;
    ino_t ino;
    PipeNode *node;
    char *name;
    struct RtInput *next;
} RtInput;

/* The error of a file that is both an input (of stage in, named name) and
 * the output o written in place: it would read what it writes, as `cat f >>
 * f` (GNU cat refuses it too). */
static _Noreturn void same_file(PipeNode *at, const char *name, const PipeOut *o)
{
    char msg[900];
    snprintf(msg, sizeof msg,
             "input '%.300s' is also the output '%.300s', which is written in place: the run would read what "
             "it writes; write to another file (or to a new file(), which replaces it at the end)",
             name, o->name);
    pipe_fail(at, msg);
}

/* Whether the input (dev, ino) is o's file, written in place, and not empty. */
static bool writes_input(const PipeOut *o, const struct stat *in)
{
    return o->in_place && o->ino == in->st_ino && o->dev == in->st_dev && in->st_size > 0;
}

/* A source of rt opened the regular file st (named name; the caller's
 * fstat): a runtime error of n when an output writes that file in place;
 * else it is remembered for outputs opened later. */
void pipe_rt_input_opened(PipeRt *rt, PipeNode *n, const struct stat *st, const char *name)
{
    for (PipeOut *o = rt->outs; o; o = o->next)
        if (writes_input(o, st))
            same_file(n, name, o);
    RtInput *i = pipe_xcalloc(1, sizeof *i);
    *i = (RtInput){st->st_dev, st->st_ino, n, pipe_xstrndup(name, strlen(name)), rt->inputs};
    rt->inputs = i;
}

/* o, written in place on fd: remembers its file and refuses it when an
 * input of the run is that file (the error is the sink n's). */
static void in_place(PipeRt *rt, PipeOut *o, PipeNode *n)
{
    struct stat st;
    if (fstat(o->fd, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    o->in_place = true;
    o->dev = st.st_dev;
    o->ino = st.st_ino;
    for (RtInput *i = rt->inputs; i; i = i->next) {
        struct stat in = {.st_dev = i->dev, .st_ino = i->ino, .st_size = st.st_size};
        if (writes_input(o, &in))
            same_file(n ? n : i->node, i->name, o);
    }
}

/* A temporary file beside base in folder dfd, for an output of rt that
 * replaces base at the end ("." + base + ".pipe-PID-K", created exclusively,
 * never through a link: runs at once in one process may pick the same K),
 * with the mode of the file it replaces (st, when it exists).  Its
 * descriptor, its name in *tmp (heap); -1 with errno. */
static int temp_beside(PipeRt *rt, int dfd, const char *base, const struct stat *st, char **tmp)
{
    char name[300];
    int fd = -1;
    for (int tries = 0; tries < 100 && fd < 0; tries++) {
        snprintf(name, sizeof name, ".%.200s.pipe-%ld-%u", base, (long)getpid(), rt->temp_counter++);
        fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            return -1;
    }
    if (fd < 0)
        return -1;
    if (st) /* keep the replaced file's permissions (as sed -i does) */
        (void)fchmod(fd, st->st_mode & 07777);
    *tmp = pipe_xstrndup(name, strlen(name));
    return fd;
}

/* Opens the output that replaces the regular (or new) file at path when the
 * run ends: a temporary file beside it, in its folder (opened under safe
 * mode like any written file).  The descriptor, with o's folder and names
 * set; -1 with errno; -2 when path must be written in place (it is not a
 * regular file: a FIFO, a device, a link; or it names a folder). */
static int open_replacing(PipeRt *rt, const char *path, int *dfd, char **tmp, char **base)
{
    const char *slash = strrchr(path, '/');
    const char *b = slash ? slash + 1 : path;
    if (!*b || !strcmp(b, ".") || !strcmp(b, ".."))
        return -2;
    char *dir = slash ? pipe_xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : pipe_xstrndup(".", 1);
    int d = pipe_rt_open(rt, dir, O_RDONLY | O_DIRECTORY, 0, PIPE_PATH_WRITE); /* not O_PATH: --sandbox refuses it */
    int err = errno;
    free(dir);
    if (d < 0) {
        errno = err;
        return err == ENOENT || err == ENOTDIR || err == EXDEV ? -1 : -2; /* -2: let open() say why */
    }
    struct stat st;
    bool exists = fstatat(d, b, &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        close(d);
        return -2;
    }
    int fd = temp_beside(rt, d, b, exists ? &st : NULL, tmp);
    if (fd < 0) {
        err = errno;
        close(d);
        errno = err;
        return err == EACCES || err == EROFS || err == EPERM ? -2 : -1; /* a folder we cannot add to */
    }
    *dfd = d;
    *base = pipe_xstrndup(b, strlen(b));
    return fd;
}

/* Opens path for writing as an output of rt; sinks naming the same file
 * share one output.  file() (append false) of a regular or new file writes
 * a temporary file renamed over it when the run ends, so nothing is
 * truncated before the run starts and a reader never sees half a file;
 * append(), a FIFO, a device, a link and a sandboxed run write in place,
 * truncated (file()) when the run starts.  Under safe mode the file and its
 * folder are opened inside the allowed folders only (path.c).  On failure
 * a runtime error of n. */
PipeOut *pipe_out_open(PipeRt *rt, PipeNode *n, PipeStr path, bool append)
{
    pipe_path_check_nul(n, path);
    for (PipeOut *o = rt->outs; o; o = o->next)
        if (o->own_fd && strlen(o->name) == path.n && memcmp(o->name, path.p, path.n) == 0)
            return o;
    pipe_rt_check_path(rt, n, path, PIPE_PATH_WRITE);
    char *name = pipe_xstrndup(path.p, path.n);
    int dfd = -1, fd = -2;
    char *tmp = NULL, *base = NULL;
    if (!append && !(rt->prog && rt->prog->sandbox)) /* sandboxed: the folder stays closed */
        fd = open_replacing(rt, name, &dfd, &tmp, &base);
    if (fd == -2)
        fd = pipe_rt_open(rt, name, O_WRONLY | O_CREAT | (append ? O_APPEND : 0), 0666, PIPE_PATH_WRITE);
    if (fd < 0) {
        char msg[700];
        pipe_rt_open_error(rt, msg, sizeof msg, NULL, name, errno, PIPE_PATH_WRITE);
        free(name);
        pipe_fail(n, msg);
    }
    PipeOut *o = out_new(rt, fd, name, path.n, true);
    free(name);
    o->dir_fd = dfd;
    o->tmp = tmp;
    o->base = base;
    o->truncate = !append && !tmp;
    if (!tmp)
        in_place(rt, o, n);
    return o;
}

/* The run starts: outputs written in place by file() are truncated now,
 * after every stage was made and every first input opened. */
void pipe_out_start_all(PipeRt *rt)
{
    rt->outs_started = true;
    for (PipeOut *o = rt->outs; o; o = o->next) {
        struct stat st;
        if (o->truncate && fstat(o->fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
            ftruncate(o->fd, 0) != 0) {
            char msg[600];
            snprintf(msg, sizeof msg, "cannot truncate '%.400s': %s", o->name, strerror(errno));
            pipe_rt_abort(rt, msg, RT_JMP_FAIL);
        }
    }
}

/* Puts each output written to a temporary file in place of its file (a
 * rename in its folder), once the run has started; one whose write failed
 * leaves its file as it was.  Returns RT_JMP_FAIL after reporting a rename
 * that failed, else 0.  Outputs not renamed here are removed by
 * pipe_out_free_all. */
int pipe_out_commit_all(PipeRt *rt)
{
    int code = 0;
    for (PipeOut *o = rt->outs; o && rt->outs_started; o = o->next) {
        if (!o->tmp || o->dead)
            continue;
        if (renameat(o->dir_fd, o->tmp, o->dir_fd, o->base) == 0) {
            free(o->tmp);
            o->tmp = NULL;
            continue;
        }
        char msg[700];
        snprintf(msg, sizeof msg, "cannot put the output in place of '%.300s': %s (it is in '%.300s')", o->name,
                 strerror(errno), o->tmp);
        free(o->tmp); /* kept on disk: what was written */
        o->tmp = NULL;
        fprintf(stderr, "pipec: error: %s\n", msg);
        code = RT_JMP_FAIL;
    }
    return code;
}

/* Appends [p, p+n) to o; a piece of half the buffer or more is written as it
 * is, after what o holds (one copy less for a block of whole lines). */
void pipe_out_block(PipeOut *o, const char *p, size_t n)
{
    if (n < o->buf.cap / 2) {
        pipe_buf_put(&o->buf, p, n);
        return;
    }
    pipe_out_flush(o);
    write_all(o, p, n);
}

/* Appends n bytes to o. */
void pipe_out_bytes(PipeOut *o, const char *p, size_t n)
{
    pipe_buf_put(&o->buf, p, n);
}

/* Writes v and a newline to o as LANGUAGE.md §7 says (see pipe_buf_value). */
void pipe_out_value(PipeOut *o, const PipeType *t, const void *v)
{
    if (t->kind == PIPE_K_STR) {
        pipe_out_str_line(o, *(const PipeStr *)v);
        return;
    }
    pipe_buf_value(&o->buf, t, v);
    pipe_buf_putc(&o->buf, '\n');
}

/* Flushes every output of rt; used at the end of a run and on errors.  A write
 * error unwinds from here, and the abort handler flushes the rest (failing set). */
void pipe_out_flush_all(PipeRt *rt)
{
    pipe_by_flush_all(rt);
    for (PipeOut *o = rt->outs; o; o = o->next)
        if (!o->dead)
            pipe_out_flush(o);
}

/* Closes and frees every output of rt (without flushing). */
void pipe_out_free_all(PipeRt *rt)
{
    PipeOut *o = rt->outs;
    while (o) {
        PipeOut *next = o->next;
        if (o->own_fd)
            close(o->fd);
        if (o->tmp) /* not put in place: the run did not start, or its write failed */
            unlinkat(o->dir_fd, o->tmp, 0);
        if (o->dir_fd >= 0)
            close(o->dir_fd);
        free(o->tmp);
        free(o->base);
        free(o->buf.p);
        free(o->name);
        free(o);
        o = next;
    }
    rt->outs = rt->out_stdout = rt->out_stderr = NULL;
    while (rt->inputs) {
        RtInput *i = rt->inputs;
        rt->inputs = i->next;
        free(i->name);
        free(i);
    }
}
