/* stats.c — what a run reports about itself when asked: --stats (per stage
 * items, bytes, share of time) and --progress (a live line on a terminal). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "rt_impl.h"

/* The counters of one node; its hooks are wrapped to fill them.  A run that
 * does not ask for stats has none of this: nodes keep their own hooks. */
typedef struct RtStat {
    PipeNode *node;
    void (*push)(PipeNode *, const void *, int);
    void (*finish)(PipeNode *);
    bool (*step)(PipeSource *);
    uint64_t ns_total; /* in the node's hooks, including the nodes they call */
    uint64_t ns_child; /* the part spent in other nodes' hooks */
    uint64_t bytes;    /* of the str items it received (a source: read) */
    bool is_source;
} RtStat;

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Times one hook call: its whole duration counts for st, and is taken off the
 * hook that called it (so each stage gets its own time, not its consumers'). */
#define TIMED(rt, st, call)                                                                          \
    do {                                                                                             \
        RtStat *caller_ = (rt)->stat_cur;                                                            \
        (rt)->stat_cur = (st);                                                                       \
        uint64_t t0_ = now_ns();                                                                     \
        call;                                                                                        \
        uint64_t dt_ = now_ns() - t0_;                                                               \
        (rt)->stat_cur = caller_;                                                                    \
        (st)->ns_total += dt_;                                                                       \
        if (caller_)                                                                                 \
            caller_->ns_child += dt_;                                                                \
    } while (0)

static void stat_push(PipeNode *n, const void *item, int port)
{
    RtStat *st = hdr(n)->stat;
    if (n->in && n->in->kind == PIPE_K_STR)
        st->bytes += ((const PipeStr *)item)->n + 1;
    TIMED(n->rt, st, st->push(n, item, port));
}

static void stat_finish(PipeNode *n)
{
    RtStat *st = hdr(n)->stat;
    TIMED(n->rt, st, st->finish(n));
}

static bool stat_step(PipeSource *s)
{
    RtStat *st = hdr(&s->node)->stat;
    bool more = false;
    TIMED(s->node.rt, st, more = st->step(s));
    return more;
}

void pipe_rt_stats_start(PipeRt *rt)
{
    size_t n;
    PipeNode **nodes = pipe_rt_node_list(rt, &n); /* the table lists stages in creation order */
    rt->stats = pipe_xcalloc(n ? n : 1, sizeof *rt->stats);
    rt->nstats = n;
    for (size_t i = 0; i < n; i++) {
        RtStat *st = &rt->stats[i];
        PipeNode *node = nodes[i];
        hdr(node)->stat = st;
        st->node = node;
        st->push = node->push;
        st->finish = node->finish;
        if (node->push)
            node->push = stat_push;
        if (node->finish)
            node->finish = stat_finish;
    }
    free(nodes);
    for (size_t k = 0; k < rt->nsrcs; k++) {
        PipeSource *s = rt->srcs[k];
        RtStat *st = hdr(&s->node)->stat;
        st->is_source = true;
        st->step = s->step;
        s->step = stat_step;
    }
}

/* Writes s as a JSON string. */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void pipe_rt_stats_report(PipeRt *rt, bool json)
{
    uint64_t all = 0;
    for (size_t i = 0; i < rt->nstats; i++) {
        RtStat *st = &rt->stats[i];
        if (st->is_source)
            st->bytes = ((PipeSource *)st->node)->bytes_read;
        all += st->ns_total - st->ns_child;
    }
    FILE *f = stderr;
    if (json) {
        fputs("{\"stages\": [", f);
        for (size_t i = 0; i < rt->nstats; i++) {
            RtStat *st = &rt->stats[i];
            PipeNode *n = st->node;
            uint64_t self = st->ns_total - st->ns_child;
            fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
            json_str(f, n->name);
            fputs(", \"file\": ", f);
            json_str(f, n->pos.file);
            fprintf(f,
                    ", \"id\": %zu, \"line\": %d, \"col\": %d, \"items_in\": %llu, \"items_out\": %llu, "
                    "\"errors\": %llu, \"bytes\": %llu, \"time_ns\": %llu, \"share\": %.4f, \"to\": [",
                    i, n->pos.line, n->pos.col, (unsigned long long)n->items_in, (unsigned long long)n->items_out,
                    (unsigned long long)hdr(n)->errors, (unsigned long long)st->bytes, (unsigned long long)self,
                    all ? (double)self / (double)all : 0.0);
            for (uint32_t k = 0; k < n->nouts; k++)
                fprintf(f, "%s%td", k ? ", " : "", hdr(n->outs[k].node)->stat - rt->stats);
            fputs("]}", f);
        }
        fprintf(f, "\n], \"time_ns\": %llu", (unsigned long long)all);
        if (rt->code) { /* pipec run: native or JIT code, and why */
            fputs(", \"code\": ", f);
            json_str(f, rt->code);
            fputs(", \"code_why\": ", f);
            json_str(f, rt->code_why ? rt->code_why : "");
        }
        fputs("}\n", f);
        fflush(f);
        return;
    }
    /* an errors column only when an error policy caught some */
    bool errs = false;
    for (size_t i = 0; i < rt->nstats; i++)
        errs |= hdr(rt->stats[i].node)->errors > 0;
    fprintf(f, "%-16s %9s %12s %12s %14s %7s%s\n", "stage", "at", "items in", "items out", "bytes", "time",
            errs ? "   errors" : "");
    for (size_t i = 0; i < rt->nstats; i++) {
        RtStat *st = &rt->stats[i];
        PipeNode *n = st->node;
        uint64_t self = st->ns_total - st->ns_child;
        char at[32], in[24];
        snprintf(at, sizeof at, "%d:%d", n->pos.line, n->pos.col);
        if (st->is_source)
            snprintf(in, sizeof in, "-");
        else
            snprintf(in, sizeof in, "%llu", (unsigned long long)n->items_in);
        fprintf(f, "%-16.16s %9s %12s %12llu %14llu %6.1f%%", n->name ? n->name : "?", at, in,
                (unsigned long long)n->items_out, (unsigned long long)st->bytes,
                all ? 100.0 * (double)self / (double)all : 0.0);
        if (errs)
            fprintf(f, " %8llu", (unsigned long long)hdr(n)->errors);
        fputc('\n', f);
    }
    if (rt->code)
        fprintf(f, "code: %s%s%s%s\n", rt->code, rt->code_why ? " (" : "", rt->code_why ? rt->code_why : "",
                rt->code_why ? ")" : "");
    fflush(f);
}

/* ------------------------------------------------------------------ progress */

static void human_bytes(char *buf, size_t n, uint64_t b)
{
    if (b >= (uint64_t)1 << 30)
        snprintf(buf, n, "%.1f GiB", (double)b / (double)((uint64_t)1 << 30));
    else if (b >= (uint64_t)1 << 20)
        snprintf(buf, n, "%.1f MiB", (double)b / (double)((uint64_t)1 << 20));
    else
        snprintf(buf, n, "%.1f KiB", (double)b / 1024.0);
}

static void clock_text(char *buf, size_t n, uint64_t secs)
{
    if (secs >= 3600)
        snprintf(buf, n, "%llu:%02llu:%02llu", (unsigned long long)(secs / 3600),
                 (unsigned long long)(secs / 60 % 60), (unsigned long long)(secs % 60));
    else
        snprintf(buf, n, "%llu:%02llu", (unsigned long long)(secs / 60), (unsigned long long)(secs % 60));
}

void pipe_rt_progress_tick(PipeRt *rt)
{
    /* the clock is read only every 64 steps; the line redrawn at most every 100 ms */
    if (++rt->ptick < 64)
        return;
    rt->ptick = 0;
    uint64_t now = now_ns();
    if (!rt->pstart_ns)
        rt->pstart_ns = rt->plast_ns = now;
    if (now - rt->plast_ns < 100000000u)
        return;
    rt->plast_ns = now;
    uint64_t read = 0, total = 0, items = 0;
    bool known = true;
    for (size_t i = 0; i < rt->nsrcs; i++) {
        PipeSource *s = rt->srcs[i];
        read += s->bytes_read;
        total += s->bytes_total;
        items += s->node.items_out;
        if (!s->bytes_total)
            known = false;
    }
    double secs = (double)(now - rt->pstart_ns) / 1e9;
    char r[32], t[32], el[32], left[32];
    human_bytes(r, sizeof r, read);
    clock_text(el, sizeof el, (uint64_t)secs);
    char line[256];
    int len;
    if (known && total > 0 && read > 0) {
        human_bytes(t, sizeof t, total);
        double frac = (double)read / (double)total;
        clock_text(left, sizeof left, (uint64_t)(secs / frac - secs));
        len = snprintf(line, sizeof line, "\r\033[K%s of %s (%.0f%%)  %.0f items/s  %s elapsed  %s left", r, t,
                       100.0 * frac, secs > 0 ? (double)items / secs : 0.0, el, left);
    } else {
        len = snprintf(line, sizeof line, "\r\033[K%s read  %.0f items/s  %s elapsed", r,
                       secs > 0 ? (double)items / secs : 0.0, el);
    }
    if (len > 0 && write(2, line, (size_t)len) < 0)
        rt->progress = false;
    rt->drawn = true;
}

void pipe_rt_progress_end(PipeRt *rt)
{
    if (rt->drawn && write(2, "\r\033[K", 4) < 0)
        rt->progress = false;
    rt->drawn = false;
}
