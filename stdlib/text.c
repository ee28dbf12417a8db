/* text.c — the str processors of LANGUAGE.md §6: grep, grep_v, grep_f, replace,
 * find_all, upper, lower, trim, words, split, field, to_int, to_float, format. */
#include "pipe_std.h"
#include "rt_impl.h"

#include <stdio.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------------ helpers */

/* Heap memory for node-owned buffers; running out of memory is a runtime
 * error, as in the runtime's arenas (pipe_out_of_memory). */
static void *text_realloc(void *p, size_t n)
{
    return pipe_xrealloc(p, n);
}

/* An owned copy of s (the constructor's arguments may live in a caller's arena). */
static PipeStr text_dup(PipeStr s)
{
    char *p = text_realloc(NULL, s.n);
    if (s.n)
        memcpy(p, s.p, s.n);
    return (PipeStr){p, s.n};
}

/* A byte buffer owned by a node, reused for every item: no per-item malloc. */
typedef struct TextBuf {
    char *p;
    size_t n, cap;
} TextBuf;

/* Room for extra more bytes; never NULL (also for 0 bytes: NULL + 0 is UB). */
static char *text_reserve(TextBuf *b, size_t extra)
{
    if (b->n + extra > b->cap || !b->p) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + extra)
            cap *= 2;
        b->p = text_realloc(b->p, cap);
        b->cap = cap;
    }
    return b->p + b->n;
}

static void text_put(TextBuf *b, const char *p, size_t n)
{
    if (n) {
        memcpy(text_reserve(b, n), p, n);
        b->n += n;
    }
}

/* How common a byte is in typical text (higher: more common).  The literal
 * search looks for the needle's rarest byte with memchr, as GNU grep and
 * ripgrep do: in log lines "ERROR" is found through its 'R', not through the
 * 'E' of every "GET". */
static int text_byte_rank(unsigned char c)
{
    static const char lower[] = "etaoinsrhldcumfpgwybvkxjqz"; /* most common first */
    if (c == ' ')
        return 255;
    if (c >= 'a' && c <= 'z')
        return 250 - (int)(strchr(lower, c) - lower);
    if (c >= 'A' && c <= 'Z')
        return 150 - (int)(strchr(lower, c - 'A' + 'a') - lower);
    if (c >= '0' && c <= '9')
        return 200;
    if (c == '.' || c == ',' || c == '/' || c == '-' || c == '"' || c == ':' || c == '=')
        return 190;
    if (c < 0x20 || c >= 0x80)
        return c == '\t' ? 180 : 10;
    return 120; /* other punctuation */
}

/* A precompiled fixed-string search (grep -F, split's separator). */
typedef struct TextNeedle {
    PipeStr s;
    size_t rare; /* index of the rarest byte of s */
} TextNeedle;

static TextNeedle text_needle(PipeStr s)
{
    TextNeedle nd = {text_dup(s), 0};
    for (size_t i = 1; i < s.n; i++)
        if (text_byte_rank((unsigned char)s.p[i]) < text_byte_rank((unsigned char)s.p[nd.rare]))
            nd.rare = i;
    return nd;
}

/* First occurrence of the needle in [p, p+n), or NULL; needle must be non-empty. */
static const char *text_search(const TextNeedle *nd, const char *p, size_t n)
{
    size_t m = nd->s.n;
    if (m > n)
        return NULL;
    if (m == 1)
        return memchr(p, nd->s.p[0], n);
    const char *s = p + nd->rare, *end = p + n - (m - nd->rare) + 1;
    unsigned char c = (unsigned char)nd->s.p[nd->rare];
    while (s < end) {
        const char *h = memchr(s, c, (size_t)(end - s));
        if (!h)
            return NULL;
        const char *cand = h - nd->rare;
        if (memcmp(cand, nd->s.p, m) == 0)
            return cand;
        s = h + 1;
    }
    return NULL;
}

/* ------------------------------------------------------------------ grep, grep_v */

/* How find_all scans for the maximal runs of a byte class ([set]+): a table
 * of the class and, when the class is at most four ranges of bytes, the same
 * ranges for 16-byte SIMD compares.  A table entry is 0 outside the class, 1
 * inside; with bit 2 also set, a fused upper/lower changes the byte (chg). */
#define RUN_RANGES 4
typedef struct ByteRanges {
    int n; /* 0: not ranges (use the table) */
    unsigned char bias[RUN_RANGES][16], lim[RUN_RANGES][16]; /* each byte repeated */
} ByteRanges;

typedef struct RunScan {
    unsigned char tab[256];
    ByteRanges cls, chg;
} RunScan;

/* The ranges of the bytes b with tab[b] & bit, as (b + bias) < lim in
 * signed bytes; n = 0 when there are more than RUN_RANGES or one of 256. */
static ByteRanges byte_ranges(const unsigned char *tab, unsigned bit)
{
    ByteRanges r = {0};
    for (int b = 0; b < 256;) {
        if (!(tab[b] & bit)) {
            b++;
            continue;
        }
        int lo = b;
        while (b < 256 && (tab[b] & bit))
            b++;
        if (r.n == RUN_RANGES || b - lo == 256)
            return (ByteRanges){0};
        memset(r.bias[r.n], 128 - lo, 16);
        memset(r.lim[r.n], b - lo - 128, 16);
        r.n++;
    }
    return r;
}

static void run_scan_init(RunScan *rs, const unsigned char *cls, const unsigned char *map)
{
    for (int b = 0; b < 256; b++) {
        int m = map ? map[b] : b;
        rs->tab[b] = (unsigned char)(cls[m] ? (m != b ? 3 : 1) : 0);
    }
    rs->cls = byte_ranges(rs->tab, 1);
    rs->chg = byte_ranges(rs->tab, 2);
    bool changes = false;
    for (int b = 0; b < 256; b++)
        changes |= (rs->tab[b] & 2) != 0;
    if (changes && !rs->chg.n)
        rs->cls.n = 0; /* changed bytes not in ranges: the table does it all */
}

typedef struct GrepNode {
    PipeNode node;
    PipeRegex *re;
    bool keep; /* emit lines whose match result equals keep */
    RunScan *run; /* find_all of a class run, else NULL */
} GrepNode;

static void grep_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    GrepNode *g = (GrepNode *)self;
    const PipeStr *s = item;
    if (pipe_matches(g->re, *s) == g->keep)
        pipe_emit(self, s);
}

static void grep_free(PipeNode *self)
{
    GrepNode *g = (GrepNode *)self;
    if (g->re)
        pipe_regex_free(g->re);
    g->re = NULL;
}

static void text_nop_free(PipeNode *self)
{
    (void)self;
}

static PipeNode *grep_make(PipeRt *rt, PipePos pos, PipeStr regex, bool keep, const char *name)
{
    GrepNode *g = (GrepNode *)pipe_node_new(rt, sizeof(GrepNode), name, pos);
    g->node.push = grep_push;
    g->node.free = grep_free;
    g->node.in = g->node.out = &pipe_t_str;
    g->keep = keep;
    g->re = pipe_regex_new(rt, &g->node, regex);
    if (keep && pipe_regex_is_literal(regex)) /* a regex without metacharacters */
        pipe_node_prefilter_literal(&g->node, regex);
    return &g->node;
}

PipeNode *pipe_std_grep(PipeRt *rt, PipePos pos, PipeStr regex)
{
    return grep_make(rt, pos, regex, true, "grep");
}

PipeNode *pipe_std_grep_v(PipeRt *rt, PipePos pos, PipeStr regex)
{
    return grep_make(rt, pos, regex, false, "grep_v");
}

/* ------------------------------------------------------------------ grep_f */

typedef struct GrepFNode {
    PipeNode node;
    TextNeedle needle;
} GrepFNode;

static void grep_f_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    GrepFNode *g = (GrepFNode *)self;
    const PipeStr *s = item;
    if (g->needle.s.n == 0 || text_search(&g->needle, s->p, s->n))
        pipe_emit(self, s);
}

static void needle_node_free(PipeNode *self)
{
    GrepFNode *g = (GrepFNode *)self;
    free((void *)g->needle.s.p);
    g->needle.s.p = NULL;
}

PipeNode *pipe_std_grep_f(PipeRt *rt, PipePos pos, PipeStr literal)
{
    GrepFNode *g = (GrepFNode *)pipe_node_new(rt, sizeof(GrepFNode), "grep_f", pos);
    g->node.push = grep_f_push;
    g->node.free = needle_node_free;
    g->node.in = g->node.out = &pipe_t_str;
    g->needle = text_needle(literal);
    pipe_node_prefilter_literal(&g->node, literal); /* the source may skip the other lines */
    return &g->node;
}

/* ------------------------------------------------------------------ replace, find_all */

typedef struct ReplaceNode {
    PipeNode node;
    PipeRegex *re;
    PipeStr with;
} ReplaceNode;

static void replace_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    ReplaceNode *r = (ReplaceNode *)self;
    PipeStr out = pipe_replace(pipe_scratch(self->rt), r->re, *(const PipeStr *)item, r->with);
    pipe_emit(self, &out);
}

static void replace_free(PipeNode *self)
{
    ReplaceNode *r = (ReplaceNode *)self;
    if (r->re)
        pipe_regex_free(r->re);
    r->re = NULL;
    free((void *)r->with.p);
    r->with.p = NULL;
}

PipeNode *pipe_std_replace(PipeRt *rt, PipePos pos, PipeStr regex, PipeStr with)
{
    ReplaceNode *r = (ReplaceNode *)pipe_node_new(rt, sizeof(ReplaceNode), "replace", pos);
    r->node.push = replace_push;
    r->node.free = replace_free;
    r->node.in = r->node.out = &pipe_t_str;
    r->with = text_dup(with);
    r->re = pipe_regex_new(rt, &r->node, regex);
    return &r->node;
}

/* Emits the run [q, q + n) from node `to`; mapped by map into buf first when
 * chg says a byte of it changes (a fused upper or lower). */
static inline __attribute__((always_inline)) void run_emit(PipeNode *to, const char *q, size_t n, bool chg,
                                                           const unsigned char *map, TextBuf *buf)
{
    PipeStr m = {q, n};
    if (chg) {
        buf->n = 0;
        unsigned char *d = (unsigned char *)text_reserve(buf, n);
        const unsigned char *u = (const unsigned char *)q;
        for (size_t i = 0; i < n; i++)
            d[i] = map[u[i]];
        m.p = (const char *)d;
    }
    pipe_emit(to, &m);
}

#if defined(__SSE2__)
/* Bit i set when byte i of x is in the ranges r. */
static inline __attribute__((always_inline)) unsigned ranges_mask(const ByteRanges *r, __m128i x)
{
    __m128i m = _mm_setzero_si128();
    for (int k = 0; k < r->n; k++) {
        __m128i b = _mm_loadu_si128((const __m128i *)r->bias[k]), l = _mm_loadu_si128((const __m128i *)r->lim[k]);
        m = _mm_or_si128(m, _mm_cmplt_epi8(_mm_add_epi8(x, b), l));
    }
    return (unsigned)_mm_movemask_epi8(m);
}
#endif

/* Emits from `to` every maximal run of rs's class in s, mapped by map when
 * not NULL (see RunScan).  With SSE2 and a class of a few ranges, 16 bytes
 * are classified at once and the runs found by bit scans of the mask. */
static inline __attribute__((always_inline)) void emit_runs(const RunScan *rs, PipeStr s, PipeNode *to,
                                                            const unsigned char *map, TextBuf *buf)
{
    const char *p = s.p;
    size_t n = s.n;
#if defined(__SSE2__)
    if (rs->cls.n) {
        size_t start = 0;
        bool open = false;
        unsigned chg = 0;
        for (size_t i = 0; i < n; i += 16) {
            __m128i x;
            unsigned valid = 0xffff, shift = 0;
            if (i + 16 <= n) {
                x = _mm_loadu_si128((const __m128i *)(p + i));
            } else if (n >= 16) { /* the tail: the line's last 16 bytes, shifted */
                x = _mm_loadu_si128((const __m128i *)(p + n - 16));
                shift = (unsigned)(i + 16 - n);
                valid = (1u << (n - i)) - 1;
            } else { /* a short line, in a zeroed block of its own */
                unsigned char tail[16] = {0};
                memcpy(tail, p, n);
                x = _mm_loadu_si128((const __m128i *)tail);
                valid = (1u << n) - 1;
            }
            unsigned m = (ranges_mask(&rs->cls, x) >> shift) & valid;
            unsigned cm = map ? ranges_mask(&rs->chg, x) >> shift : 0;
            unsigned from = 0;
            for (;;) {
                if (!open) {
                    if (!m)
                        break;
                    from = (unsigned)__builtin_ctz(m);
                    start = i + from;
                    open = true;
                }
                unsigned notm = ~m & 0xffffu & (0xffffu << from);
                if (!notm) { /* the run goes on in the next block */
                    chg |= cm & (0xffffu << from);
                    break;
                }
                unsigned e = (unsigned)__builtin_ctz(notm);
                chg |= cm & (0xffffu << from) & ((1u << e) - 1);
                run_emit(to, p + start, i + e - start, map && chg, map, buf);
                open = false;
                chg = 0;
                m &= 0xffffu << e;
            }
        }
        if (open)
            run_emit(to, p + start, n - start, map && chg, map, buf);
        return;
    }
#endif
    const unsigned char *tab = rs->tab, *q = (const unsigned char *)p, *e = q + n;
    for (;;) {
        while (q < e && !tab[*q])
            q++;
        if (q == e)
            return;
        const unsigned char *r = q;
        unsigned any = 0;
        while (r < e && tab[*r])
            any |= tab[*r++];
        run_emit(to, (const char *)q, (size_t)(r - q), map && (any & 2), map, buf);
        q = r;
    }
}

static void find_all_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    GrepNode *g = (GrepNode *)self;
    PipeStr s = *(const PipeStr *)item, m;
    if (g->run) { /* each maximal run of the class, scanned here */
        emit_runs(g->run, s, self, NULL, NULL);
        return;
    }
    size_t pos = 0;
    while (pipe_find_next(g->re, s, &pos, &m)) /* non-empty only, as grep -o */
        pipe_emit(self, &m);
}

static void find_all_free(PipeNode *self)
{
    GrepNode *g = (GrepNode *)self;
    free(g->run);
    g->run = NULL;
    grep_free(self);
}

PipeNode *pipe_std_find_all(PipeRt *rt, PipePos pos, PipeStr regex)
{
    GrepNode *g = (GrepNode *)grep_make(rt, pos, regex, true, "find_all");
    g->node.push = find_all_push;
    const unsigned char *cls = pipe_regex_run_table(g->re);
    if (cls) {
        g->node.free = find_all_free;
        g->run = text_realloc(NULL, sizeof *g->run);
        run_scan_init(g->run, cls, NULL);
    }
    return &g->node;
}

/* ------------------------------------------------------------------ upper, lower, trim */

typedef struct CaseNode {
    PipeNode node;
    bool up;
    TextBuf buf;
    unsigned char map[256];
    /* Fused with its only consumer, a find_all of a class run (lower |
     * find_all("[a-z]+")): per byte 0 outside the class after mapping, 1 in
     * it and unchanged by the mapping, 3 in it and changed. */
    PipeNode *runs_to;
    RunScan *runs;
} CaseNode;

static void case_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    CaseNode *c = (CaseNode *)self;
    const PipeStr *s = item;
    c->buf.n = 0;
    unsigned char *d = (unsigned char *)text_reserve(&c->buf, s->n);
    const unsigned char *p = (const unsigned char *)s->p;
    size_t i = 0;
#if defined(__SSE2__)
    /* 16 bytes at a time: x + bias maps the 26 letters to -128..-103 (signed) */
    const __m128i bias = _mm_set1_epi8((char)(c->up ? 128 - 'a' : 128 - 'A'));
    const __m128i lim = _mm_set1_epi8(-128 + 26), bit = _mm_set1_epi8(0x20);
    for (; i + 16 <= s->n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i m = _mm_and_si128(_mm_cmplt_epi8(_mm_add_epi8(x, bias), lim), bit);
        _mm_storeu_si128((__m128i *)(d + i), _mm_xor_si128(x, m));
    }
#endif
    for (; i < s->n; i++)
        d[i] = c->map[p[i]];
    PipeStr out = {(const char *)d, s->n};
    pipe_emit(self, &out);
}

/* upper or lower | find_all(class run), fused (see case_open): the runs are
 * found in the line as it is, and only their bytes are mapped — not at all
 * when none changes.  Counts and items are those of the two stages. */
static void case_runs_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    CaseNode *c = (CaseNode *)self;
    PipeNode *g = c->runs_to;
    self->items_out++;
    g->items_in++;
    emit_runs(c->runs, *(const PipeStr *)item, g, c->map, &c->buf);
}

/* Fuses an upper or lower whose only consumer is a find_all of a class run
 * (and neither has an error policy, which wraps push): one scan of the line. */
static void case_open(PipeNode *self)
{
    CaseNode *c = (CaseNode *)self;
    if (self->push != case_push || self->nouts != 1 || self->outs[0].node->push != find_all_push)
        return;
    GrepNode *g = (GrepNode *)self->outs[0].node;
    if (!g->run)
        return;
    c->runs = text_realloc(NULL, sizeof *c->runs);
    run_scan_init(c->runs, g->run->tab, c->map);
    c->runs_to = &g->node;
    self->push = case_runs_push;
}

static void case_free(PipeNode *self)
{
    CaseNode *c = (CaseNode *)self;
    free(c->buf.p);
    c->buf = (TextBuf){0};
    free(c->runs);
    c->runs = NULL;
}

static PipeNode *case_make(PipeRt *rt, PipePos pos, bool up)
{
    CaseNode *c = (CaseNode *)pipe_node_new(rt, sizeof(CaseNode), up ? "upper" : "lower", pos);
    c->node.push = case_push;
    c->node.open = case_open;
    c->node.free = case_free;
    c->node.in = c->node.out = &pipe_t_str;
    c->up = up;
    for (int i = 0; i < 256; i++)
        c->map[i] = (unsigned char)i;
    for (int i = 0; i < 26; i++) {
        if (up)
            c->map['a' + i] = (unsigned char)('A' + i);
        else
            c->map['A' + i] = (unsigned char)('a' + i);
    }
    return &c->node;
}

PipeNode *pipe_std_upper(PipeRt *rt, PipePos pos)
{
    return case_make(rt, pos, true);
}

PipeNode *pipe_std_lower(PipeRt *rt, PipePos pos)
{
    return case_make(rt, pos, false);
}

static void trim_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    PipeStr t = pipe_trim(*(const PipeStr *)item);
    pipe_emit(self, &t);
}

static PipeNode *text_simple(PipeRt *rt, PipePos pos, const char *name,
                             void (*push)(PipeNode *, const void *, int))
{
    PipeNode *n = pipe_node_new(rt, sizeof(PipeNode), name, pos);
    n->push = push;
    n->free = text_nop_free;
    n->in = n->out = &pipe_t_str;
    return n;
}

PipeNode *pipe_std_trim(PipeRt *rt, PipePos pos)
{
    return text_simple(rt, pos, "trim", trim_push);
}

/* ------------------------------------------------------------------ words, split, field */

static void words_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    const PipeStr *s = item;
    const char *p = s->p, *end = s->p + s->n;
    for (;;) {
        while (p < end && pipe_field_blank((unsigned char)*p))
            p++;
        if (p == end)
            return;
        const char *w = p;
        while (p < end && !pipe_field_blank((unsigned char)*p))
            p++;
        PipeStr word = {w, (size_t)(p - w)};
        pipe_emit(self, &word); /* a slice of the input: no copy */
    }
}

PipeNode *pipe_std_words(PipeRt *rt, PipePos pos)
{
    return text_simple(rt, pos, "words", words_push);
}

typedef struct SplitNode {
    PipeNode node;
    TextNeedle needle;
    int64_t index; /* field */
} SplitNode;

static void split_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    SplitNode *sp = (SplitNode *)self;
    const PipeStr *s = item;
    size_t m = sp->needle.s.n;
    if (m == 0) { /* "" separates bytes, as split(s, "") does */
        for (size_t i = 0; i < s->n; i++) {
            PipeStr b = {s->p + i, 1};
            pipe_emit(self, &b);
        }
        return;
    }
    const char *p = s->p, *end = s->p + s->n;
    for (;;) {
        const char *h = text_search(&sp->needle, p, (size_t)(end - p));
        PipeStr piece = {p, (size_t)((h ? h : end) - p)};
        pipe_emit(self, &piece);
        if (!h)
            return;
        p = h + m;
    }
}

PipeNode *pipe_std_split(PipeRt *rt, PipePos pos, PipeStr sep)
{
    SplitNode *sp = (SplitNode *)pipe_node_new(rt, sizeof(SplitNode), "split", pos);
    sp->node.push = split_push;
    sp->node.free = needle_node_free;
    sp->node.in = sp->node.out = &pipe_t_str;
    sp->needle = text_needle(sep);
    return &sp->node;
}

/* The index-th piece of s split on the needle; a negative index counts from the
 * end (as xs[-1] does); "" when there is no such piece.  Unlike `cut -f`, which
 * prints a line without the delimiter whole, a line without it is one piece:
 * field 0 is the whole line and every other field is "" (as split(s, sep)[i]). */
static PipeStr text_field(const TextNeedle *nd, PipeStr s, int64_t index)
{
    size_t m = nd->s.n;
    const char *p = s.p, *end = s.p + s.n;
    if (m == 0) { /* bytes */
        if (index < 0)
            index += (int64_t)s.n;
        if (index < 0 || (uint64_t)index >= s.n)
            return (PipeStr){s.p, 0};
        return (PipeStr){s.p + index, 1};
    }
    if (index < 0) {
        int64_t pieces = 1;
        for (const char *h; (h = text_search(nd, p, (size_t)(end - p))); p = h + m)
            pieces++;
        index += pieces;
        if (index < 0)
            return (PipeStr){s.p, 0};
        p = s.p;
    }
    for (;;) {
        const char *h = text_search(nd, p, (size_t)(end - p));
        if (index == 0)
            return (PipeStr){p, (size_t)((h ? h : end) - p)};
        if (!h)
            return (PipeStr){s.p, 0};
        p = h + m;
        index--;
    }
}

static void field_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    SplitNode *sp = (SplitNode *)self;
    PipeStr f = sp->needle.s.n == 1 && sp->index >= 0 /* pipe_field has a fast path */
                    ? pipe_field(*(const PipeStr *)item, sp->index, sp->needle.s)
                    : text_field(&sp->needle, *(const PipeStr *)item, sp->index);
    pipe_emit(self, &f);
}

PipeNode *pipe_std_field(PipeRt *rt, PipePos pos, int64_t i, PipeStr sep)
{
    SplitNode *sp = (SplitNode *)pipe_node_new(rt, sizeof(SplitNode), "field", pos);
    sp->node.push = field_push;
    sp->node.free = needle_node_free;
    sp->node.in = sp->node.out = &pipe_t_str;
    sp->needle = text_needle(sep);
    sp->index = i;
    return &sp->node;
}

/* ------------------------------------------------------------------ to_int, to_float */

static void to_int_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    int64_t v = pipe_to_int(self, *(const PipeStr *)item);
    pipe_emit(self, &v);
}

static void to_float_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    double v = pipe_to_float(self, *(const PipeStr *)item);
    pipe_emit(self, &v);
}

PipeNode *pipe_std_to_int(PipeRt *rt, PipePos pos)
{
    PipeNode *n = text_simple(rt, pos, "to_int", to_int_push);
    n->out = &pipe_t_int;
    return n;
}

PipeNode *pipe_std_to_float(PipeRt *rt, PipePos pos)
{
    PipeNode *n = text_simple(rt, pos, "to_float", to_float_push);
    n->out = &pipe_t_float;
    return n;
}

/* ------------------------------------------------------------------ format */

/* The format string is parsed once into segments: literal text, or a value.
 * "{N}" is field N of a tuple, "{}" the next field (numbered automatically from
 * 0); for a non-tuple T both "{0}" and "{}" are the value.  "{{" and "}}" are
 * braces.  Anything else ("{x}", a lone brace) is kept as literal text, and a
 * field that does not exist formats as "" (the compiler rejects both). */
typedef struct FmtSeg {
    int64_t field; /* -1: literal text [lit, lit+n) of the node's copy */
    size_t lit, n;
} FmtSeg;

typedef struct FormatNode {
    PipeNode node;
    const PipeType *t;
    TextBuf text; /* unescaped literal text */
    FmtSeg *segs;
    size_t nsegs;
    TextBuf buf; /* output, reused */
} FormatNode;

static void fmt_add(FormatNode *f, int64_t field, size_t lit, size_t n)
{
    if (field < 0 && f->nsegs && f->segs[f->nsegs - 1].field < 0) {
        f->segs[f->nsegs - 1].n += n; /* join adjacent literal text */
        return;
    }
    f->segs = text_realloc(f->segs, (f->nsegs + 1) * sizeof *f->segs);
    f->segs[f->nsegs++] = (FmtSeg){field, lit, n};
}

static void fmt_literal(FormatNode *f, const char *p, size_t n)
{
    size_t at = f->text.n;
    text_put(&f->text, p, n);
    fmt_add(f, -1, at, n);
}

static void fmt_parse(FormatNode *f, PipeStr fmt)
{
    int64_t next = 0;
    size_t i = 0;
    while (i < fmt.n) {
        char c = fmt.p[i];
        if ((c == '{' || c == '}') && i + 1 < fmt.n && fmt.p[i + 1] == c) {
            fmt_literal(f, &c, 1);
            i += 2;
            continue;
        }
        if (c == '{') {
            size_t j = i + 1;
            int64_t v = 0;
            bool big = false;
            while (j < fmt.n && fmt.p[j] >= '0' && fmt.p[j] <= '9') {
                if (v > 100000000)
                    big = true;
                else
                    v = v * 10 + (fmt.p[j] - '0');
                j++;
            }
            if (j < fmt.n && fmt.p[j] == '}') {
                int64_t field = j == i + 1 ? next++ : v;
                fmt_add(f, big ? INT64_MAX : field, 0, 0);
                i = j + 1;
                continue;
            }
        }
        fmt_literal(f, &c, 1);
        i++;
    }
}

static void format_value(FormatNode *f, const PipeType *t, const void *v)
{
    if (t->kind == PIPE_K_STR) {
        const PipeStr *s = v;
        text_put(&f->buf, s->p, s->n);
        return;
    }
    PipeStr s = pipe_str_of(pipe_scratch(f->node.rt), t, v);
    text_put(&f->buf, s.p, s.n);
}

static void format_push(PipeNode *self, const void *item, int port)
{
    (void)port;
    FormatNode *f = (FormatNode *)self;
    const PipeType *t = f->t;
    f->buf.n = 0;
    for (size_t i = 0; i < f->nsegs; i++) {
        const FmtSeg *sg = &f->segs[i];
        if (sg->field < 0)
            text_put(&f->buf, f->text.p + sg->lit, sg->n);
        else if (t->kind == PIPE_K_TUPLE || t->kind == PIPE_K_RECORD) {
            if ((uint64_t)sg->field < t->nfields)
                format_value(f, t->fields[sg->field],
                             (const char *)item + t->offsets[sg->field]);
        } else if (sg->field == 0)
            format_value(f, t, item);
    }
    PipeStr out = {f->buf.n ? f->buf.p : "", f->buf.n};
    pipe_emit(self, &out);
}

static void format_free(PipeNode *self)
{
    FormatNode *f = (FormatNode *)self;
    free(f->text.p);
    free(f->buf.p);
    free(f->segs);
    f->text = f->buf = (TextBuf){0};
    f->segs = NULL;
}

PipeNode *pipe_std_format(PipeRt *rt, PipePos pos, const PipeType *t, PipeStr fmt)
{
    FormatNode *f = (FormatNode *)pipe_node_new(rt, sizeof(FormatNode), "format", pos);
    f->node.push = format_push;
    f->node.free = format_free;
    f->node.in = t;
    f->node.out = &pipe_t_str;
    f->t = t;
    fmt_parse(f, fmt);
    return &f->node;
}
