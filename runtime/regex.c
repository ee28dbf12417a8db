/* regex.c — PCRE2 (8-bit, JIT when available) behind matches/replace/find_all,
 * with a memmem fast path for patterns without metacharacters. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "rt_impl.h"

/* What one match may cost before it is a runtime error rather than a hang
 * or a swollen process (docs/pipe.md, "Limits"), set here so that they hold
 * whatever PCRE2's build says.  The JIT honours the match limit and its stack
 * (grown on demand, touched only as used); the interpreter, used past that
 * stack, honours the match, depth and heap limits.  A catastrophic pattern
 * such as (a+)+$ on a line of 30000 'a's gives up in about 0.03 s with the
 * JIT, 0.2 s without; a group repeated over a 5.5 MB line needs ~50 MB of
 * JIT stack (without the JIT, 4.6 GB of heap: the heap limit stops that). */
#define RE_MATCH_LIMIT 10000000u          /* backtracking steps per match call (PCRE2's default) */
#define RE_DEPTH_LIMIT 10000000u          /* nested backtracking points (PCRE2's default) */
#define RE_HEAP_LIMIT (256u << 10)        /* KiB of the interpreter's backtracking frames */
#define RE_JIT_STACK_MAX ((size_t)128 << 20) /* bytes */

struct PipeRegex {
    pcre2_code *code;          /* NULL for a literal pattern */
    pcre2_match_data *md;      /* reused by every match: no allocation per line */
    pcre2_match_context *mctx; /* the limits, and a bigger JIT stack when needed */
    pcre2_jit_stack *jstack;   /* made on demand */
    bool jit;
    char *src;                 /* the pattern text (NUL-terminated copy) */
    size_t srcn;
    size_t rare;               /* literal: index of its rarest byte */
    bool run;                  /* the pattern is [set]+ (or [^set]+): a byte table does it */
    unsigned char cls[256];    /* run: 1 for the bytes in the set */
    char *rbuf;                /* replace() builds its result here first */
    size_t rcap;
    PipeRt *rt;                /* the run that frees it, or NULL */
    PipeNode *node;            /* the stage a failed match is reported against, or NULL */
    PipeRegexCache *cache;     /* the cache holding it: emptied when it is freed */
    PipeRegex *prev, *next;
};

bool pipe_regex_is_literal(PipeStr p)
{
    if (p.n == 0)
        return false;
    for (size_t i = 0; i < p.n; i++)
        if (strchr("\\^$.|?*+()[]{}", p.p[i]) && p.p[i])
            return false;
    return true;
}

/* True when pattern is one bracket class repeated by + ("[0-9]+", "[a-z]+",
 * "[^ ]+"), made only of plain ASCII characters and ranges between two
 * letters or two digits; then cls gets its bytes.  Such a pattern's leftmost
 * match is the first maximal run of those bytes, which a table finds faster
 * than PCRE2 does (the pattern is still compiled by PCRE2, to check it). */
static bool class_run(PipeStr pat, unsigned char cls[256])
{
    const char *p = pat.p;
    size_t n = pat.n;
    if (n < 4 || p[0] != '[' || p[n - 2] != ']' || p[n - 1] != '+')
        return false;
    size_t i = 1, end = n - 2;
    bool neg = p[i] == '^';
    if (neg)
        i++;
    if (i == end)
        return false;
    unsigned char set[256] = {0};
    while (i < end) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c >= 0x7f || c == '\\' || c == '[' || c == ']' || c == '-' || c == '^')
            return false;
        if (i + 2 < end && p[i + 1] == '-') {
            unsigned char h = (unsigned char)p[i + 2];
            bool ok = (c >= '0' && c <= '9' && h >= c && h <= '9') || (c >= 'a' && c <= 'z' && h >= c && h <= 'z') ||
                      (c >= 'A' && c <= 'Z' && h >= c && h <= 'Z');
            if (!ok)
                return false;
            for (unsigned x = c; x <= h; x++)
                set[x] = 1;
            i += 3;
            continue;
        }
        if (i + 1 < end && p[i + 1] == '-')
            return false; /* a '-' at the end of the set: leave it to PCRE2 */
        set[c] = 1;
        i++;
    }
    for (int x = 0; x < 256; x++)
        cls[x] = (unsigned char)(set[x] ^ neg);
    return true;
}

/* $PIPE_REGEX_JIT=0 matches with PCRE2's interpreter instead of its JIT: the
 * JIT's code may load bytes past a subject's end (and ignore them), which
 * valgrind reports as uninitialised; make valgrind sets it. */
static bool no_jit(void)
{
    const char *e = getenv("PIPE_REGEX_JIT");
    return e && strcmp(e, "0") == 0;
}

/* Compiles pattern; NULL with a message and the byte offset of the error when it is bad. */
PipeRegex *pipe_regex_compile(PipeStr pattern, char *err, size_t errlen, size_t *erroff)
{
    const char *pat = pattern.p ? pattern.p : "";
    pcre2_code *code = NULL;
    if (!pipe_regex_is_literal(pattern)) {
        int ec;
        PCRE2_SIZE off;
        code = pcre2_compile((PCRE2_SPTR)pat, pattern.n, 0, &ec, &off, NULL);
        if (!code && ec == PCRE2_ERROR_HEAP_FAILED)
            pipe_out_of_memory(0);
        if (!code) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(ec, msg, sizeof msg);
            if (err && errlen)
                snprintf(err, errlen, "%s", (const char *)msg);
            if (erroff)
                *erroff = off;
            return NULL;
        }
    }
    PipeRegex *re = pipe_xcalloc(1, sizeof *re);
    re->src = pipe_xstrndup(pat, pattern.n);
    re->srcn = pattern.n;
    re->rare = pipe_rare_index(re->src, re->srcn);
    if (code) {
        re->code = code;
        re->jit = !no_jit() && pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
        re->run = class_run(pattern, re->cls);
        re->md = pcre2_match_data_create_from_pattern(code, NULL);
        re->mctx = pcre2_match_context_create(NULL);
        if (re->mctx) {
            pcre2_set_match_limit(re->mctx, RE_MATCH_LIMIT);
            pcre2_set_depth_limit(re->mctx, RE_DEPTH_LIMIT);
            pcre2_set_heap_limit(re->mctx, RE_HEAP_LIMIT);
        }
        if (!re->md || !re->mctx)
            pipe_out_of_memory(0);
    }
    return re;
}

static void regex_link(PipeRt *rt, PipeRegex *re)
{
    re->rt = rt;
    re->next = rt->regexes;
    if (rt->regexes)
        rt->regexes->prev = re;
    rt->regexes = re;
}

/* Compiles a pattern the compiler checked (or a parameter); a bad one is a
 * runtime error of n.  The regex is freed with rt unless freed before. */
PipeRegex *pipe_regex_new(PipeRt *rt, PipeNode *n, PipeStr pattern)
{
    char err[256];
    size_t off = 0;
    pipe_oom_blame(n); /* running out of memory while compiling is n's error */
    PipeRegex *re = pipe_regex_compile(pattern, err, sizeof err, &off);
    pipe_oom_blame(NULL);
    if (!re) {
        char msg[400];
        snprintf(msg, sizeof msg, "bad regex (%s at offset %zu)", err, off);
        if (n)
            pipe_fail_str(n, msg, pattern);
        if (rt)
            pipe_rt_abort(rt, msg, RT_JMP_FAIL);
        fprintf(stderr, "pipec: error: %s\n", msg);
        exit(1);
    }
    re->node = n;
    if (rt)
        regex_link(rt, re);
    return re;
}

/* Frees re (and forgets it in its run); NULL is allowed. */
void pipe_regex_free(PipeRegex *re)
{
    if (!re)
        return;
    if (re->cache && re->cache->re == re)
        memset(re->cache, 0, sizeof *re->cache);
    if (re->rt) {
        if (re->prev)
            re->prev->next = re->next;
        else
            re->rt->regexes = re->next;
        if (re->next)
            re->next->prev = re->prev;
    }
    pcre2_match_data_free(re->md);
    pcre2_match_context_free(re->mctx);
    pcre2_jit_stack_free(re->jstack);
    pcre2_code_free(re->code);
    free(re->src);
    free(re->rbuf);
    free(re);
}

/* Frees every regex still registered with rt. */
void pipe_regex_free_all(PipeRt *rt)
{
    while (rt->regexes)
        pipe_regex_free(rt->regexes);
}

/* Returns the regex for pattern, recompiling only when the text changed.  The
 * cache's pattern text is owned by the regex, so nothing else needs freeing;
 * when the run frees the regex it also empties the cache, so a static cache
 * is safe to use again in a later run. */
PipeRegex *pipe_regex_cached(PipeRegexCache *c, PipeNode *n, PipeStr pattern)
{
    if (c->re && c->n == pattern.n && (pattern.n == 0 || memcmp(c->pat, pattern.p, pattern.n) == 0))
        return c->re;
    pipe_regex_free(c->re);
    c->re = NULL;
    c->re = pipe_regex_new(n ? n->rt : NULL, n, pattern);
    c->re->cache = c;
    c->pat = c->re->src;
    c->n = c->re->srcn;
    return c->re;
}

/* re for a match in stage n (generated code, for a pattern compiled with the
 * DAG): a match that gives up, or runs out of memory, is n's runtime error. */
PipeRegex *pipe_regex_at(PipeRegex *re, PipeNode *n)
{
    re->node = n;
    return re;
}

/* Reports a match that PCRE2 gave up on (match, depth or heap limit), or
 * for which it found no memory. */
__attribute__((noreturn)) static void match_failed(PipeRegex *re, int rc)
{
    if (rc == PCRE2_ERROR_NOMEMORY) {
        pipe_oom_blame(re->node);
        pipe_out_of_memory(0);
    }
    PCRE2_UCHAR why[200];
    pcre2_get_error_message(rc, why, sizeof why);
    char msg[300];
    snprintf(msg, sizeof msg, "the regular expression gave up on this line (%s)", (const char *)why);
    if (re->node)
        pipe_fail_str(re->node, msg, (PipeStr){re->src, re->srcn});
    if (re->rt)
        pipe_rt_fail(re->rt, msg);
    fprintf(stderr, "pipec: error: %s\n", msg);
    exit(1);
}

static bool exec(PipeRegex *re, const char *s, size_t n, size_t start, uint32_t opt, size_t *ms,
                 size_t *me)
{
    if (!re->code) {
        const char *p = pipe_memfind(s + start, n - start, re->src, re->srcn, re->rare);
        if (!p)
            return false;
        *ms = (size_t)(p - s);
        *me = *ms + re->srcn;
        return true;
    }
    if (re->run) { /* the first maximal run of bytes of the class */
        const unsigned char *u = (const unsigned char *)s, *q = u + start, *e = u + n;
        while (q < e && !re->cls[*q])
            q++;
        if (q == e)
            return false;
        const unsigned char *r = q + 1;
        while (r < e && re->cls[*r])
            r++;
        *ms = (size_t)(q - u);
        *me = (size_t)(r - u);
        return true;
    }
    bool jit = re->jit;
    for (;;) {
        int rc = jit ? pcre2_jit_match(re->code, (PCRE2_SPTR)s, n, start, opt, re->md, re->mctx)
                     : pcre2_match(re->code, (PCRE2_SPTR)s, n, start, opt | PCRE2_NO_JIT, re->md, re->mctx);
        if (rc == PCRE2_ERROR_JIT_STACKLIMIT && !re->jstack) {
            re->jstack = pcre2_jit_stack_create(32 << 10, RE_JIT_STACK_MAX, NULL);
            if (!re->jstack)
                match_failed(re, PCRE2_ERROR_NOMEMORY);
            pcre2_jit_stack_assign(re->mctx, NULL, re->jstack);
            continue;
        }
        if (rc == PCRE2_ERROR_JIT_STACKLIMIT && jit) {
            /* beyond the JIT's biggest stack the interpreter may still get
             * there (for this line only): it keeps its backtracking on the heap */
            jit = false;
            continue;
        }
        if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL)
            return false;
        if (rc < 0)
            match_failed(re, rc); /* a limit: a wrong "no match" would be silent */
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
        *ms = ov[0];
        *me = ov[1];
        if (*me < *ms) /* \K in a lookahead can do this */
            *me = *ms;
        return true;
    }
}

/* The byte table of a [set]+ pattern (1 for the bytes of the set), whose
 * matches are the maximal runs of those bytes; NULL for other patterns. */
const unsigned char *pipe_regex_run_table(const PipeRegex *re)
{
    return re->run ? re->cls : NULL;
}

/* True when re matches somewhere in s. */
bool pipe_matches(PipeRegex *re, PipeStr s)
{
    size_t ms, me;
    return exec(re, s.p ? s.p : "", s.n, 0, 0, &ms, &me);
}

static void rb_put(PipeRegex *re, size_t *len, const char *p, size_t n)
{
    if (re->rcap - *len < n) {
        size_t cap = re->rcap ? re->rcap * 2 : 256;
        while (cap - *len < n)
            cap *= 2;
        re->rbuf = pipe_xrealloc(re->rbuf, cap);
        re->rcap = cap;
    }
    if (n)
        memcpy(re->rbuf + *len, p, n);
    *len += n;
}

/* The len bytes built in re's buffer, copied to a. */
static PipeStr rb_take(PipeArena *a, PipeRegex *re, size_t len)
{
    PipeStr r = {"", len};
    if (len) {
        char *d = pipe_alloc(a, len);
        memcpy(d, re->rbuf, len);
        r.p = d;
    }
    return r;
}

/* Appends `with` for the current match: \0..\9 are groups (unset ones are
 * empty), \\ is a backslash, \c another character is c. */
static void expand(PipeRegex *re, size_t *len, const char *s, size_t ms, size_t me, PipeStr with)
{
    const char *w = with.p, *end = with.p + with.n;
    while (w < end) {
        const char *b = memchr(w, '\\', (size_t)(end - w));
        if (!b) {
            rb_put(re, len, w, (size_t)(end - w));
            return;
        }
        rb_put(re, len, w, (size_t)(b - w));
        if (b + 1 == end) {
            rb_put(re, len, b, 1);
            return;
        }
        char c = b[1];
        w = b + 2;
        if (c < '0' || c > '9') {
            rb_put(re, len, &c, 1);
            continue;
        }
        unsigned g = (unsigned)(c - '0');
        if (g == 0) {
            rb_put(re, len, s + ms, me - ms);
        } else if (re->code && g < pcre2_get_ovector_count(re->md)) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
            if (ov[2 * g] != PCRE2_UNSET && ov[2 * g + 1] >= ov[2 * g])
                rb_put(re, len, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
        }
    }
}

/* pipe_replace for a class run and a `with` without backslashes: every match
 * is at least one byte, so the result fits in n * max(1, |with|) bytes and is
 * written straight into the arena. */
static PipeStr replace_run(PipeArena *a, PipeRegex *re, PipeStr s, PipeStr with)
{
    const unsigned char *u = (const unsigned char *)s.p, *q = u, *e = u + s.n;
    const unsigned char *cls = re->cls;
    while (q < e && !cls[*q])
        q++;
    if (q == e)
        return s;
    char *d = pipe_alloc(a, s.n * (with.n > 1 ? with.n : 1)), *o = d;
    if (with.n <= 1) { /* without a branch per byte: a run's bytes all land on one spot */
        memcpy(o, u, (size_t)(q - u));
        o += q - u;
        char w = with.n ? with.p[0] : 0;
        unsigned prev = 0, keep = with.n ? 0 : 1; /* the first byte of a run stays, as w */
        for (; q < e; q++) {
            unsigned in = cls[*q];
            *o = in ? w : (char)*q;
            o += !(in & (prev | keep));
            prev = in;
        }
        PipeStr r = {d, (size_t)(o - d)};
        if (r.n == 0)
            r.p = "";
        return r;
    }
    const unsigned char *copied = u;
    while (q < e) { /* q: the start of a match */
        memcpy(o, copied, (size_t)(q - copied));
        o += q - copied;
        if (with.n == 1)
            *o++ = with.p[0];
        else if (with.n) {
            memcpy(o, with.p, with.n);
            o += with.n;
        }
        q++;
        while (q < e && cls[*q])
            q++;
        copied = q;
        while (q < e && !cls[*q])
            q++;
    }
    memcpy(o, copied, (size_t)(e - copied));
    o += e - copied;
    PipeStr r = {d, (size_t)(o - d)};
    if (r.n == 0)
        r.p = "";
    return r;
}

/* Replaces every match of re in s as sed's s/re/with/g does: an empty match
 * right after the previous match is skipped, and after an empty match the next
 * byte is copied, so replace("abc", "x*", "-") is "-a-b-c-".  Returns s itself
 * when nothing matches; else the result lives in a. */
PipeStr pipe_replace(PipeArena *a, PipeRegex *re, PipeStr s, PipeStr with)
{
    const char *p = s.p ? s.p : "";
    size_t n = s.n, start = 0, ms, me, len = 0, last_end = (size_t)-1, copied = 0;
    bool any = false;
    if (!with.p)
        with.p = "";
    bool plain = with.n == 0 || !memchr(with.p, '\\', with.n);
    if (re->run && plain && n <= ((size_t)1 << 20) / (with.n > 1 ? with.n : 1))
        return replace_run(a, re, s, with);
    while (start <= n && exec(re, p, n, start, 0, &ms, &me)) {
        /* no empty match where the previous one ended: look again, non-empty at ms */
        if (ms == me && ms == last_end && !exec(re, p, n, ms, PCRE2_NOTEMPTY_ATSTART, &ms, &me))
            break;
        any = true;
        rb_put(re, &len, p + copied, ms - copied);
        if (plain)
            rb_put(re, &len, with.p, with.n);
        else
            expand(re, &len, p, ms, me, with);
        copied = me;
        last_end = me;
        if (me > ms) {
            start = me;
        } else {
            if (ms >= n)
                break;
            start = ms + 1;
        }
    }
    if (!any)
        return s;
    rb_put(re, &len, p + copied, n - copied);
    return rb_take(a, re, len);
}

/* Only the first match, which may be empty (Python's re.sub with count=1). */
PipeStr pipe_replace_first(PipeArena *a, PipeRegex *re, PipeStr s, PipeStr with)
{
    const char *p = s.p ? s.p : "";
    size_t ms, me, len = 0;
    if (!exec(re, p, s.n, 0, 0, &ms, &me))
        return s;
    rb_put(re, &len, p, ms);
    expand(re, &len, p, ms, me, with.p ? with : (PipeStr){"", 0});
    rb_put(re, &len, p + me, s.n - me);
    return rb_take(a, re, len);
}

/* The whole first match and every group of re, as slices of s: a group that
 * took no part is "" (LANGUAGE.md leaves it open; docs/pipe.md says so). */
PipeList *pipe_captures(PipeArena *a, PipeRegex *re, PipeStr s)
{
    const char *p = s.p ? s.p : "";
    size_t ms, me;
    if (!exec(re, p, s.n, 0, 0, &ms, &me))
        return pipe_list_new(a, sizeof(PipeStr), 0);
    /* a literal or a class run has no groups, and PCRE2 did not run for it */
    uint32_t ng = re->code && !re->run ? pcre2_get_ovector_count(re->md) : 1;
    PipeList *l = pipe_list_new(a, sizeof(PipeStr), ng);
    *(PipeStr *)pipe_list_push(l) = (PipeStr){p + ms, me - ms};
    PCRE2_SIZE *ov = ng > 1 ? pcre2_get_ovector_pointer(re->md) : NULL;
    for (uint32_t g = 1; g < ng; g++) {
        PipeStr *m = pipe_list_push(l);
        if (ov[2 * g] != PCRE2_UNSET && ov[2 * g + 1] >= ov[2 * g])
            *m = (PipeStr){p + ov[2 * g], ov[2 * g + 1] - ov[2 * g]};
        else
            *m = (PipeStr){"", 0};
    }
    return l;
}

/* Every non-empty match of re in s, left to right, as slices of s in a list in
 * a (grep -o: empty matches are not matches). */
PipeList *pipe_find_all(PipeArena *a, PipeRegex *re, PipeStr s)
{
    PipeList *l = pipe_list_new(a, sizeof(PipeStr), 4);
    size_t start = 0;
    PipeStr m;
    while (pipe_find_next(re, s, &start, &m))
        *(PipeStr *)pipe_list_push(l) = m;
    return l;
}

/* One step of find_all: the next non-empty match of re in s at or after *pos,
 * into *m (a slice of s), and *pos moves past it; false when there is none. */
bool pipe_find_next(PipeRegex *re, PipeStr s, size_t *pos, PipeStr *m)
{
    const char *p = s.p ? s.p : "";
    size_t ms, me;
    if (*pos >= s.n || !exec(re, p, s.n, *pos, PCRE2_NOTEMPTY, &ms, &me))
        return false;
    m->p = p + ms;
    m->n = me - ms;
    *pos = me;
    return true;
}
