/* out.c — buffered outputs written with write(2), and the text of values as
 * sinks print them (LANGUAGE.md §7), shared by str(x) and join(). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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
    char e[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, v);
        if (prec == 17 || strtod(e, NULL) == v)
            break;
    }
    /* e is [-]d[.ddd]e(+|-)XX: collect the digits and the exponent */
    char dig[24];
    int nd = 0, exp10;
    const char *p = e;
    bool neg = *p == '-';
    if (neg)
        p++;
    for (; *p != 'e'; p++)
        if (*p != '.')
            dig[nd++] = *p;
    exp10 = atoi(p + 1);
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;
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

/* Appends v as §7 says.  Nested values use the same rules (a list of tuples is
 * "a\t1 b\t2").  Not specified by §7, chosen here: a map prints as its entries
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
    case PIPE_K_TUPLE:
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
    o->next = rt->outs;
    rt->outs = o;
    return o;
}

/* An output on an inherited descriptor (not closed at the end). */
PipeOut *pipe_out_fd(PipeRt *rt, int fd, const char *name)
{
    return out_new(rt, fd, name, strlen(name), false);
}

/* The run's standard output (one per run, shared by every stdout sink). */
PipeOut *pipe_out_stdout(PipeRt *rt)
{
    if (!rt->out_stdout)
        rt->out_stdout = pipe_out_fd(rt, 1, "stdout");
    return rt->out_stdout;
}

/* The run's standard error output (one per run). */
PipeOut *pipe_out_stderr(PipeRt *rt)
{
    if (!rt->out_stderr)
        rt->out_stderr = pipe_out_fd(rt, 2, "stderr");
    return rt->out_stderr;
}

/* Opens path for writing (truncating, or appending) as an output of rt; sinks
 * naming the same file share one output.  On failure a runtime error of n. */
PipeOut *pipe_out_open(PipeRt *rt, PipeNode *n, PipeStr path, bool append)
{
    pipe_path_check_nul(n, path);
    for (PipeOut *o = rt->outs; o; o = o->next)
        if (o->own_fd && strlen(o->name) == path.n && memcmp(o->name, path.p, path.n) == 0)
            return o;
    pipe_rt_check_path(rt, n, path, true);
    char *name = pipe_xstrndup(path.p, path.n);
    int fd = open(name, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0666);
    if (fd < 0) {
        char msg[600];
        snprintf(msg, sizeof msg, "cannot open '%.400s' for writing: %s", name, strerror(errno));
        free(name);
        pipe_fail(n, msg);
    }
    PipeOut *o = out_new(rt, fd, name, path.n, true);
    free(name);
    return o;
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
        free(o->buf.p);
        free(o->name);
        free(o);
        o = next;
    }
    rt->outs = rt->out_stdout = rt->out_stderr = NULL;
}
