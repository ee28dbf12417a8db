/* str.c — the builtin functions that generated expressions call on strings
 * and numbers (LANGUAGE.md §4); results needing memory come from an arena. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "rt_impl.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static const char *nz(const char *p)
{
    return p ? p : "";
}

/* A path goes to the system as a C string, which ends at the first NUL byte:
 * opened as it is, "a\0b" would name the file "a".  Every place that opens a
 * path a stage was given calls this first. */
void pipe_path_check_nul(PipeNode *n, PipeStr path)
{
    if (path.n && memchr(path.p, '\0', path.n))
        pipe_fail_str(n, "a file path cannot hold a NUL byte (\\0)", path);
}

/* True when a and b hold the same bytes. */
bool pipe_str_eq(PipeStr a, PipeStr b)
{
    return a.n == b.n && pipe_bytes_eq(a.p, b.p, a.n);
}

/* Bytewise order (as unsigned bytes); a proper prefix comes first. */
int pipe_str_cmp(PipeStr a, PipeStr b)
{
    size_t m = a.n < b.n ? a.n : b.n;
    int c = m ? memcmp(a.p, b.p, m) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return (a.n > b.n) - (a.n < b.n);
}

/* The str viewing [p, p+n) (no copy). */
PipeStr pipe_str_lit(const char *p, size_t n)
{
    PipeStr s = {nz(p), n};
    return s;
}

/* x followed by y, in a (either one itself when the other is empty). */
PipeStr pipe_concat(PipeArena *a, PipeStr x, PipeStr y)
{
    if (y.n == 0)
        return x;
    if (x.n == 0)
        return y;
    char *p = pipe_alloc(a, x.n + y.n);
    memcpy(p, x.p, x.n);
    memcpy(p + x.n, y.p, y.n);
    PipeStr r = {p, x.n + y.n};
    return r;
}

PipeStr pipe_concat_n(PipeArena *a, const PipeStr *v, size_t n)
{
    size_t len = 0, some = 0, last = 0;
    for (size_t i = 0; i < n; i++) {
        len += v[i].n;
        if (v[i].n) {
            some++;
            last = i;
        }
    }
    if (some <= 1) /* nothing to join: the one non-empty part (or ""), as pipe_concat */
        return some ? v[last] : (PipeStr){"", 0};
    char *p = pipe_alloc(a, len), *q = p;
    for (size_t i = 0; i < n; i++) {
        memcpy(q, v[i].p, v[i].n);
        q += v[i].n;
    }
    PipeStr r = {p, len};
    return r;
}

/* Maps the ASCII letters of one case to the other; s itself when nothing changes. */
static PipeStr change_case(PipeArena *a, PipeStr s, char lo, char hi)
{
    size_t i = 0;
    while (i < s.n && !(s.p[i] >= lo && s.p[i] <= hi))
        i++;
    if (i == s.n)
        return s;
    char *p = pipe_alloc(a, s.n);
    memcpy(p, s.p, i);
    for (; i < s.n; i++) {
        char c = s.p[i];
        p[i] = (c >= lo && c <= hi) ? (char)(c ^ 0x20) : c;
    }
    PipeStr r = {p, s.n};
    return r;
}

/* s with ASCII a-z made A-Z. */
PipeStr pipe_upper(PipeArena *a, PipeStr s)
{
    return change_case(a, s, 'a', 'z');
}

/* s with ASCII A-Z made a-z. */
PipeStr pipe_lower(PipeArena *a, PipeStr s)
{
    return change_case(a, s, 'A', 'Z');
}

static inline bool is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* s without ASCII whitespace ( \t\n\v\f\r) at either end; a slice of s. */
PipeStr pipe_trim(PipeStr s)
{
    while (s.n && is_space(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n && is_space(s.p[s.n - 1]))
        s.n--;
    return s;
}

/* How common a byte is in text and logs (higher: more common), to pick the
 * byte of a needle that memchr should look for. */
static unsigned char byte_rank(unsigned char c)
{
    /* each letter's place in English text's order of frequency, rarest
     * first: "zqjxkvbpygfwmucldrhsnioate" (a table: this runs per byte of
     * every needle searched) */
    static const unsigned char letter[26] = {23, 6,  14, 16, 25, 10, 9, 18, 21, 2,  4,  15, 12,
                                             20, 22, 7,  1,  17, 19, 24, 13, 5, 11, 3,  8,  0};
    if (c == ' ')
        return 255;
    if (c >= 'a' && c <= 'z')
        return (unsigned char)(150 + 4 * letter[c - 'a']);
    if (c >= 'A' && c <= 'Z')
        return (unsigned char)(20 + letter[c - 'A']);
    if (c >= '0' && c <= '9')
        return 120;
    switch (c) {
    case '/': case '.': case '-': case ':': case ',': case '=': case '"':
    case '\'': case '_': case '(': case ')': case '[': case ']': return 80;
    default: return 0;
    }
}

/* Index of the byte of needle that is rarest in usual text. */
size_t pipe_rare_index(const char *needle, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (byte_rank((unsigned char)needle[i]) < byte_rank((unsigned char)needle[best]))
            best = i;
    return best;
}

/* The first occurrence of needle (n >= 1 bytes) in [h, h+hn), found by memchr
 * on needle[ri] then memcmp: much faster than memmem on short lines. */
const char *pipe_memfind(const char *h, size_t hn, const char *needle, size_t n, size_t ri)
{
    if (n > hn)
        return NULL;
    if (n == 1)
        return memchr(h, needle[0], hn);
    const char *p = h + ri, *end = h + hn - n + ri + 1; /* where needle[ri] may sit */
    char c = needle[ri];
    while (p < end) {
        const char *q = memchr(p, c, (size_t)(end - p));
        if (!q)
            return NULL;
        if (memcmp(q - ri, needle, n) == 0)
            return q - ri;
        p = q + 1;
    }
    return NULL;
}

int pipe_count_avx2 = -1;

#if defined(__SSE2__) && defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define COUNT_AVX2 1
/* The sum of the byte counters of acc. */
__attribute__((target("avx2"))) static inline size_t sum_bytes_avx2(__m256i acc)
{
    __m256i sums = _mm256_sad_epu8(acc, _mm256_setzero_si256());
    return (size_t)_mm256_extract_epi64(sums, 0) + (size_t)_mm256_extract_epi64(sums, 1) +
           (size_t)_mm256_extract_epi64(sums, 2) + (size_t)_mm256_extract_epi64(sums, 3);
}

#define LOAD_EQ(q, v) _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(q)), v)

/* pipe_count_byte with AVX2: 128 bytes per step into two counters (no chain of
 * dependent adds), then 32 at a time. */
__attribute__((target("avx2"))) static size_t count_byte_avx2(const char *p, size_t n, char c, size_t *done)
{
    size_t count = 0, i = 0;
    const __m256i needle = _mm256_set1_epi8(c), zero = _mm256_setzero_si256();
    while (n - i >= 128) {
        /* each byte counter gains at most 2 a step: 127 steps cannot overflow it */
        size_t steps = (n - i) / 128;
        if (steps > 127)
            steps = 127;
        __m256i a0 = zero, a1 = zero;
        for (size_t k = 0; k < steps; k++, i += 128) {
            a0 = _mm256_sub_epi8(a0, LOAD_EQ(p + i, needle));
            a1 = _mm256_sub_epi8(a1, LOAD_EQ(p + i + 32, needle));
            a0 = _mm256_sub_epi8(a0, LOAD_EQ(p + i + 64, needle));
            a1 = _mm256_sub_epi8(a1, LOAD_EQ(p + i + 96, needle));
        }
        count += sum_bytes_avx2(a0) + sum_bytes_avx2(a1);
    }
    __m256i acc = zero; /* under 128 bytes left: at most 3 steps */
    for (; n - i >= 32; i += 32)
        acc = _mm256_sub_epi8(acc, LOAD_EQ(p + i, needle));
    *done = i;
    return count + sum_bytes_avx2(acc);
}
#undef LOAD_EQ
#endif

/* How many bytes of [p, p+n) equal c (16 or 32 bytes per step on x86-64). */
size_t pipe_count_byte(const char *p, size_t n, char c)
{
    size_t count = 0, i = 0;
#if defined(COUNT_AVX2)
    int avx2 = __atomic_load_n(&pipe_count_avx2, __ATOMIC_RELAXED); /* runs on other threads ask too */
    if (RT_UNLIKELY(avx2 < 0)) {
        avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
        __atomic_store_n(&pipe_count_avx2, avx2, __ATOMIC_RELAXED);
    }
    if (avx2 && n >= 32)
        count = count_byte_avx2(p, n, c, &i);
#endif
#if defined(__SSE2__)
    const __m128i needle = _mm_set1_epi8(c), zero = _mm_setzero_si128();
    while (n - i >= 16) {
        size_t blocks = (n - i) / 16;
        if (blocks > 255)
            blocks = 255;
        __m128i acc = zero;
        for (size_t b = 0; b < blocks; b++, i += 16)
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), needle));
        __m128i sums = _mm_sad_epu8(acc, zero);
        count += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
    }
#endif
    for (; i < n; i++)
        count += p[i] == c;
    return count;
}

/* Byte index of the first sub in s, or -1 ("" is found at 0). */
int64_t pipe_find(PipeStr s, PipeStr sub)
{
    if (sub.n == 0)
        return 0;
    if (sub.n > s.n)
        return -1;
    const char *p = pipe_memfind(s.p, s.n, sub.p, sub.n, pipe_rare_index(sub.p, sub.n));
    return p ? p - s.p : -1;
}

int64_t pipe_find_rare(PipeStr s, PipeStr sub, size_t rare)
{
    const char *p = pipe_memfind(s.p, s.n, sub.p, sub.n, rare);
    return p ? p - s.p : -1;
}

/* True when sub occurs in s. */
bool pipe_contains(PipeStr s, PipeStr sub)
{
    return pipe_find(s, sub) >= 0;
}

/* True when s begins with prefix. */
bool pipe_starts_with(PipeStr s, PipeStr prefix)
{
    return prefix.n <= s.n && pipe_bytes_eq(s.p, prefix.p, prefix.n);
}

/* True when s ends with suffix. */
bool pipe_ends_with(PipeStr s, PipeStr suffix)
{
    return suffix.n <= s.n && pipe_bytes_eq(s.p + s.n - suffix.n, suffix.p, suffix.n);
}

/* Bytes [start, start+len) of s clamped to s; a negative start counts from the
 * end (clamped to 0), a negative len gives "". */
PipeStr pipe_substr(PipeStr s, int64_t start, int64_t len)
{
    int64_t n = (int64_t)s.n;
    if (start < 0)
        start = start + n < 0 ? 0 : start + n;
    if (start > n)
        start = n;
    if (len < 0)
        len = 0;
    if (len > n - start)
        len = n - start;
    PipeStr r = {nz(s.p) + start, (size_t)len};
    return r;
}

static void push_str(PipeList *l, const char *p, size_t n)
{
    PipeStr *e = pipe_list_push(l);
    e->p = p;
    e->n = n;
}

/* The pieces of s between occurrences of sep, as slices of s in a list in a:
 * split("", ",") is [""]; an empty sep gives one piece per byte (so [] for ""). */
PipeList *pipe_split(PipeArena *a, PipeStr s, PipeStr sep)
{
    PipeList *l = pipe_list_new(a, sizeof(PipeStr), 8);
    const char *p = nz(s.p), *end = p + s.n;
    if (sep.n == 0) {
        for (; p < end; p++)
            push_str(l, p, 1);
        return l;
    }
    for (;;) {
        const char *q = sep.n == 1 ? memchr(p, sep.p[0], (size_t)(end - p))
                                   : memmem(p, (size_t)(end - p), sep.p, sep.n);
        if (!q) {
            push_str(l, p, (size_t)(end - p));
            return l;
        }
        push_str(l, p, (size_t)(q - p));
        p = q + sep.n;
    }
}

/* The runs of bytes other than space, tab and newline in s (awk's fields:
 * pipe_field_blank), as slices. */
PipeList *pipe_words(PipeArena *a, PipeStr s)
{
    PipeList *l = pipe_list_new(a, sizeof(PipeStr), 8);
    const char *p = nz(s.p), *end = p + s.n;
    for (;;) {
        while (p < end && pipe_field_blank((unsigned char)*p))
            p++;
        if (p == end)
            return l;
        const char *w = p;
        while (p < end && !pipe_field_blank((unsigned char)*p))
            p++;
        push_str(l, w, (size_t)(p - w));
    }
}

/* Word k (from 0) of [p, end), "" when there is none; *at its start (left
 * as it was when there is none). */
static PipeStr word_from(const char *p, const char *end, int64_t k, const char **at)
{
    for (;;) {
        while (p < end && pipe_field_blank((unsigned char)*p))
            p++;
        if (p == end)
            return (PipeStr){"", 0};
        const char *w = p;
        while (p < end && !pipe_field_blank((unsigned char)*p))
            p++;
        if (k-- == 0) {
            *at = w;
            return (PipeStr){w, (size_t)(p - w)};
        }
    }
}

PipeStr pipe_word(PipeStr s, int64_t i)
{
    const char *p = nz(s.p), *end = p + s.n, *at;
    if (i >= 0)
        return word_from(p, end, i, &at);
    for (;;) { /* from the end: word -1 is the last */
        while (end > p && pipe_field_blank((unsigned char)end[-1]))
            end--;
        if (end == p)
            return (PipeStr){"", 0};
        const char *w = end;
        while (w > p && !pipe_field_blank((unsigned char)w[-1]))
            w--;
        if (++i == 0)
            return (PipeStr){w, (size_t)(end - w)};
        end = w;
    }
}

PipeStr pipe_word_at(PipeFieldAt *wa, PipeStr s, int64_t i)
{
    if (i < 0)
        return pipe_word(s, i);
    const char *line = nz(s.p), *p = line, *at = NULL;
    int64_t k = i;
    if (wa->p == line && wa->n == s.n && wa->i <= i) {
        p = wa->at; /* the start of word wa->i */
        k = i - wa->i;
    }
    PipeStr r = word_from(p, line + s.n, k, &at);
    if (at)
        *wa = (PipeFieldAt){line, s.n, at, i, 0};
    return r;
}

static const char *find_sep(const char *p, const char *end, PipeStr sep)
{
    if (sep.n == 1)
        return memchr(p, sep.p[0], (size_t)(end - p));
    return memmem(p, (size_t)(end - p), sep.p, sep.n);
}

/* Just after the byte of block p whose bit in m is the k-th set one (m has k). */
static inline const char *after_kth(const char *p, uint32_t m, int64_t k)
{
    while (--k)
        m &= m - 1;
    return p + __builtin_ctz(m) + 1;
}

/* Just after the k-th (k >= 1) byte c of [p, end), or NULL when there are
 * fewer: 16 bytes per step, as fields are short and memchr per field costs a
 * call each. */
static const char *skip_bytes_sse2(const char *p, const char *end, char c, int64_t k)
{
#if defined(__SSE2__)
    const __m128i v = _mm_set1_epi8(c);
    while (end - p >= 16) {
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), v));
        /* a block with fewer than k hits is skipped on its count: one branch
         * per block, not one per hit */
        unsigned x = m - ((m >> 1) & 0x5555);
        x = (x & 0x3333) + ((x >> 2) & 0x3333);
        x = (x + (x >> 4)) & 0x0f0f;
        x = (x + (x >> 8)) & 0x1f;
        if ((int64_t)x >= k)
            return after_kth(p, m, k);
        k -= x;
        p += 16;
    }
#endif
    for (; p < end; p++)
        if (*p == c && --k == 0)
            return p + 1;
    return NULL;
}

int pipe_skip_popcnt = -1;

#if defined(__SSE2__) && defined(__x86_64__) && defined(__GNUC__) && !defined(__TINYC__)
#define SKIP_POPCNT 1
/* skip_bytes_sse2 on a CPU with POPCNT (nearly all x86-64 since 2008, but not
 * the baseline the runtime is built for): 32 bytes per step, each counted by
 * one instruction rather than a dozen; the rest as there. */
__attribute__((target("popcnt"))) static const char *skip_bytes_popcnt(const char *p, const char *end, char c,
                                                                       int64_t k)
{
    const __m128i v = _mm_set1_epi8(c);
    while (end - p >= 32) {
        uint32_t m = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), v)) |
                     (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), v))
                         << 16;
        int64_t x = __builtin_popcount(m);
        if (x >= k)
            return after_kth(p, m, k);
        k -= x;
        p += 32;
    }
    return skip_bytes_sse2(p, end, c, k);
}
#endif

/* Just after the k-th (k >= 1) byte c of [p, end), or NULL when there are fewer. */
static const char *skip_bytes(const char *p, const char *end, char c, int64_t k)
{
#ifdef SKIP_POPCNT
    int popcnt = __atomic_load_n(&pipe_skip_popcnt, __ATOMIC_RELAXED); /* runs on other threads ask too */
    if (RT_UNLIKELY(popcnt < 0)) {
        popcnt = __builtin_cpu_supports("popcnt") ? 1 : 0;
        __atomic_store_n(&pipe_skip_popcnt, popcnt, __ATOMIC_RELAXED);
    }
    if (popcnt)
        return skip_bytes_popcnt(p, end, c, k);
#endif
    return skip_bytes_sse2(p, end, c, k);
}

/* The first byte c of [p, end), or NULL. */
static inline const char *find_byte(const char *p, const char *end, char c)
{
#if defined(__SSE2__)
    if (end - p >= 16) {
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), _mm_set1_epi8(c)));
        if (m)
            return p + __builtin_ctz(m);
        p += 16;
    }
#endif
    return memchr(p, c, (size_t)(end - p));
}

/* The i-th piece of s split on sep (from 0; negative from the end), "" when
 * there is none; an empty sep counts bytes.  Builds no list. */
PipeStr pipe_field(PipeStr s, int64_t i, PipeStr sep)
{
    PipeStr none = {"", 0};
    const char *p = nz(s.p), *end = p + s.n;
    if (sep.n == 1 && i >= 0) { /* the usual case: no memchr call per field */
        if (i > 0 && !(p = skip_bytes(p, end, sep.p[0], i)))
            return none;
        const char *q = find_byte(p, end, sep.p[0]);
        PipeStr r = {p, (size_t)((q ? q : end) - p)};
        return r;
    }
    if (sep.n == 1) { /* i < 0: from the end, back over i separators */
        const char *q = end;
        for (; i < -1; i++)
            if (!(q = memrchr(p, sep.p[0], (size_t)(q - p))))
                return none;
        const char *b = memrchr(p, sep.p[0], (size_t)(q - p));
        PipeStr r = {b ? b + 1 : p, (size_t)(q - (b ? b + 1 : p))};
        return r;
    }
    if (sep.n == 0) {
        if (i < 0)
            i += (int64_t)s.n;
        if (i < 0 || (uint64_t)i >= s.n)
            return none;
        PipeStr r = {p + i, 1};
        return r;
    }
    if (i < 0) {
        int64_t count = 1;
        for (const char *q = p; (q = find_sep(q, end, sep)); q += sep.n)
            count++;
        i += count;
        if (i < 0)
            return none;
    }
    for (; i > 0; i--) {
        const char *q = find_sep(p, end, sep);
        if (!q)
            return none;
        p = q + sep.n;
    }
    const char *q = find_sep(p, end, sep);
    PipeStr r = {p, (size_t)((q ? q : end) - p)};
    return r;
}

PipeStr pipe_field_at(PipeFieldAt *fa, PipeStr s, int64_t i, PipeStr sep)
{
    if (sep.n != 1 || i < 0)
        return pipe_field(s, i, sep);
    PipeStr none = {"", 0};
    const char *line = nz(s.p), *p = line, *end = p + s.n;
    char c = sep.p[0];
    int64_t k = i;
    if (fa->p == line && fa->n == s.n && fa->sep == c) {
        if (fa->i <= i) {
            p = fa->at;
            k = i - fa->i;
        } else if (fa->i - i <= 2 || (fa->i - i) * 2 <= i) {
            /* a field or two back: from the separator before field fa->i,
             * back over as many separators (byte by byte: fields are short) */
            ptrdiff_t r = fa->at - line - 1;
            for (int64_t b = fa->i - i; b > 0; b--)
                do
                    r--;
                while (r >= 0 && line[r] != c);
            p = line + r + 1;
            k = 0;
        }
    }
    if (k > 0 && !(p = skip_bytes(p, end, c, k)))
        return none;
    *fa = (PipeFieldAt){line, s.n, p, i, c};
    const char *q = find_byte(p, end, c);
    PipeStr r = {p, (size_t)((q ? q : end) - p)};
    return r;
}

/* ------------------------------------------------------------------ text in an arena */

typedef struct ArenaBuf {
    PipeBuf b;
    PipeArena *a;
} ArenaBuf;

static bool arena_grow(PipeBuf *b, const char *p, size_t n)
{
    ArenaBuf *ab = (ArenaBuf *)b;
    size_t cap = b->cap * 2;
    while (cap - b->len < n)
        cap *= 2;
    char *np = pipe_alloc(ab->a, cap);
    if (b->len)
        memcpy(np, b->p, b->len);
    b->p = np;
    b->cap = cap;
    return true;
}

static void abuf_init(ArenaBuf *ab, PipeArena *a, size_t cap)
{
    ab->a = a;
    ab->b.p = pipe_alloc(a, cap);
    ab->b.len = 0;
    ab->b.cap = cap;
    ab->b.grow = arena_grow;
}

/* The items of xs formatted as str(x) would, separated by sep, in a. */
PipeStr pipe_join(PipeArena *a, const PipeType *elem, PipeList *xs, PipeStr sep)
{
    PipeStr empty = {"", 0};
    size_t n = xs ? xs->len : 0;
    if (n == 0)
        return empty;
    if (elem->kind == PIPE_K_STR) {
        const PipeStr *v = xs->data;
        if (n == 1)
            return v[0];
        size_t total = sep.n * (n - 1);
        for (size_t i = 0; i < n; i++)
            total += v[i].n;
        if (total == 0)
            return empty;
        char *p = pipe_alloc(a, total), *q = p;
        for (size_t i = 0; i < n; i++) {
            if (i && sep.n) {
                memcpy(q, sep.p, sep.n);
                q += sep.n;
            }
            if (v[i].n) {
                memcpy(q, v[i].p, v[i].n);
                q += v[i].n;
            }
        }
        PipeStr r = {p, total};
        return r;
    }
    ArenaBuf ab;
    abuf_init(&ab, a, 64);
    for (size_t i = 0; i < n; i++) {
        if (i)
            pipe_buf_put(&ab.b, sep.p, sep.n);
        pipe_buf_value(&ab.b, elem, (char *)xs->data + i * xs->esize);
    }
    PipeStr r = {ab.b.p, ab.b.len};
    return r;
}

/* str(x): the text a sink writes for v, without the newline (a str is itself). */
PipeStr pipe_str_of(PipeArena *a, const PipeType *t, const void *v)
{
    switch (t->kind) {
    case PIPE_K_STR:
        return *(const PipeStr *)v;
    case PIPE_K_INT:
        return pipe_int_str(a, *(const int64_t *)v);
    case PIPE_K_FLOAT:
        return pipe_float_str(a, *(const double *)v);
    case PIPE_K_BOOL:
        return *(const bool *)v ? pipe_str_lit("true", 4) : pipe_str_lit("false", 5);
    default: {
        ArenaBuf ab;
        abuf_init(&ab, a, 64);
        pipe_buf_value(&ab.b, t, v);
        PipeStr r = {ab.b.p, ab.b.len};
        return r;
    }
    }
}

/* The decimal text of v, in a. */
PipeStr pipe_int_str(PipeArena *a, int64_t v)
{
    char t[24];
    char *d = pipe_fmt_int(t, v);
    size_t n = (size_t)(t + 24 - d);
    char *p = pipe_alloc(a, n);
    memcpy(p, d, n);
    PipeStr r = {p, n};
    return r;
}

/* The shortest round-trip text of v (see pipe_fmt_float), in a. */
PipeStr pipe_float_str(PipeArena *a, double v)
{
    char t[40];
    size_t n = pipe_fmt_float(t, v);
    char *p = pipe_alloc(a, n);
    memcpy(p, t, n);
    PipeStr r = {p, n};
    return r;
}

/* ------------------------------------------------------------------ UTF-8 */

/* The length of the well-formed UTF-8 sequence at p[0, n) (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or 0. */
size_t pipe_utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return len;
}

/* Writes code point u as UTF-8 at d; returns the end. */
char *pipe_utf8_put(char *d, uint32_t u)
{
    if (u < 0x80) {
        *d++ = (char)u;
    } else if (u < 0x800) {
        *d++ = (char)(0xC0 | u >> 6);
        *d++ = (char)(0x80 | (u & 0x3F));
    } else if (u < 0x10000) {
        *d++ = (char)(0xE0 | u >> 12);
        *d++ = (char)(0x80 | (u >> 6 & 0x3F));
        *d++ = (char)(0x80 | (u & 0x3F));
    } else {
        *d++ = (char)(0xF0 | u >> 18);
        *d++ = (char)(0x80 | (u >> 12 & 0x3F));
        *d++ = (char)(0x80 | (u >> 6 & 0x3F));
        *d++ = (char)(0x80 | (u & 0x3F));
    }
    return d;
}

/* ------------------------------------------------------------------ did you mean */

/* The edit distance of a[n] and b[m] (Levenshtein), 99 past 63 bytes. */
static int edit_distance(const char *a, size_t n, const char *b, size_t m)
{
    if (n > 63 || m > 63)
        return 99;
    int row[64];
    for (size_t j = 0; j <= m; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[m];
}

const char *pipe_nearer(const char *name, size_t n, const char *best, const char *cand)
{
    size_t m = strlen(cand), most = n / 3 + 1;
    if (m > n + most || n > m + most)
        return best; /* the distance is at least the difference in length */
    int d = edit_distance(name, n, cand, m);
    return d <= (int)n / 3 + 1 && d < (int)n && (!best || d < edit_distance(name, n, best, strlen(best))) ? cand
                                                                                                         : best;
}

/* ------------------------------------------------------------------ numbers */

enum { NUM_OK, NUM_BAD, NUM_RANGE };

/* [ws][+-](digits | 0x hexdigits)[ws], into a signed 64-bit value. */
static int parse_int(PipeStr s, int64_t *out)
{
    s = pipe_trim(s);
    const char *p = s.p, *end = s.p + s.n;
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    unsigned base = 10;
    if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (p == end)
        return NUM_BAD;
    if (base == 10 && end - p <= 18) { /* 18 digits fit: no check (or division) per digit */
        uint64_t v = 0;
        for (; p < end; p++) {
            unsigned d = (unsigned)(unsigned char)*p - '0';
            if (d > 9)
                return NUM_BAD;
            v = v * 10 + d;
        }
        *out = neg ? (int64_t)(0 - v) : (int64_t)v;
        return NUM_OK;
    }
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
    bool over = false;
    for (; p < end; p++) {
        unsigned d;
        char c = *p;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return NUM_BAD;
        if (v > (limit - d) / base)
            over = true;
        else
            v = v * base + d;
    }
    if (over)
        return NUM_RANGE;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return NUM_OK;
}

/* Parses an int (optional sign, decimal or 0x hex, ASCII whitespace around);
 * false when s is not one or does not fit in 64 bits. */
bool pipe_parse_int(PipeStr s, int64_t *out)
{
    return parse_int(s, out) == NUM_OK;
}

/* s as an int, or a runtime error of n naming the value. */
int64_t pipe_to_int(PipeNode *n, PipeStr s)
{
    int64_t v = 0;
    int r = parse_int(s, &v);
    if (RT_UNLIKELY(r != NUM_OK))
        pipe_fail_str(n, r == NUM_RANGE ? "integer out of range" : "not an integer", s);
    return v;
}

/* [+-]digits[.digits] with at most 15 digits and at most 22 after the
 * point, as the integer of its digits divided by a power of ten: both are
 * doubles exactly and one IEEE division rounds correctly, so the result is
 * strtod's (Clinger's fast path), without its cost.  False for anything
 * else, which strtod then reads. */
const double pipe_exact_p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static bool parse_float_fast(PipeStr s, double *out)
{
    size_t i = 0;
    bool neg = s.p[0] == '-';
    if (s.p[0] == '-' || s.p[0] == '+')
        i++;
    uint64_t m = 0;
    int digits = 0, frac = 0, point = 0;
    bool any = false;
    for (; i < s.n; i++) {
        char c = s.p[i];
        if (c == '.' && !point) {
            point = 1;
            continue;
        }
        if (c < '0' || c > '9')
            return false;
        any = true;
        if (m == 0 && c == '0' && !point)
            continue; /* a leading zero adds no digit */
        m = m * 10 + (uint64_t)(c - '0');
        digits += m != 0;
        frac += point;
        if (digits > 15 || frac > 22)
            return false;
    }
    if (!any)
        return false; /* no digit at all: "-", "." */
    double v = (double)m / pipe_exact_p10[frac];
    *out = neg ? -v : v;
    return true;
}

/* Whether trimmed s is a C99 hex float ("0x10", "-0X1p3"), which strtod
 * reads but Pipe does not: its float text is decimal (the literals of
 * LANGUAGE.md §2, what sinks print), and to_float, csv(T), json(T) and
 * parameters all read floats here. */
static bool is_hex_float(PipeStr s)
{
    size_t i = s.p[0] == '-' || s.p[0] == '+';
    return i + 1 < s.n && s.p[i] == '0' && (s.p[i + 1] == 'x' || s.p[i + 1] == 'X');
}

/* Parses what strtod accepts but hex floats (so also inf, nan, 1e999 as
 * inf) with ASCII whitespace around; false when anything else is left. */
bool pipe_parse_float(PipeStr s, double *out)
{
    s = pipe_trim(s);
    if (s.n == 0)
        return false;
    if (parse_float_fast(s, out))
        return true;
    if (is_hex_float(s))
        return false;
    char small[64], *buf = s.n < sizeof small ? small : pipe_xmalloc(s.n + 1);
    memcpy(buf, s.p, s.n);
    buf[s.n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    bool ok = end == buf + s.n && !is_space(buf[0]);
    if (buf != small)
        free(buf);
    if (ok)
        *out = v;
    return ok;
}

/* s as a float, or a runtime error of n naming the value. */
double pipe_to_float(PipeNode *n, PipeStr s)
{
    double v = 0;
    if (RT_UNLIKELY(!pipe_parse_float(s, &v)))
        pipe_fail_str(n, "not a number", s);
    return v;
}

/* x / y truncated toward zero as in C; y == 0 is a runtime error of n, and so
 * is INT64_MIN / -1, whose quotient is no int. */
int64_t pipe_idiv(PipeNode *n, int64_t x, int64_t y)
{
    if (RT_UNLIKELY(y == 0))
        pipe_fail(n, "division by zero");
    if (RT_UNLIKELY(y == -1)) { /* never the C division: INT64_MIN / -1 traps */
        if (x == INT64_MIN)
            pipe_int_overflow(n, "/", x, y);
        return -x;
    }
    return x / y;
}

/* x % y with the sign of x as in C (x == y * (x / y) + x % y); y == 0 is a
 * runtime error of n.  INT64_MIN % -1 is 0, as the remainder by -1 always is
 * (in C it traps). */
int64_t pipe_imod(PipeNode *n, int64_t x, int64_t y)
{
    if (RT_UNLIKELY(y == 0))
        pipe_fail(n, "division by zero");
    if (RT_UNLIKELY(y == -1))
        return 0;
    return x % y;
}

/* Appends the decimal of v to the message being built at *p. */
static void msg_int(char **p, int64_t v)
{
    char t[24];
    char *d = pipe_fmt_int(t, v);
    size_t len = (size_t)(t + sizeof t - d);
    memcpy(*p, d, len);
    *p += len;
}

static void msg_str(char **p, const char *s)
{
    size_t len = strlen(s);
    memcpy(*p, s, len);
    *p += len;
}

/* See pipe.h: "integer overflow: X + Y", "-(X)", "abs(X)". */
void pipe_int_overflow(PipeNode *n, const char *op, int64_t x, int64_t y)
{
    char msg[128], *p = msg; /* the words, two ints of at most 20 characters, op */
    msg_str(&p, "integer overflow: ");
    bool neg = !strcmp(op, "neg"), abs_ = !strcmp(op, "abs");
    msg_str(&p, neg ? "-(" : abs_ ? "abs(" : "");
    msg_int(&p, x);
    if (neg || abs_) {
        msg_str(&p, ")");
    } else {
        msg_str(&p, " ");
        msg_str(&p, op);
        msg_str(&p, " ");
        msg_int(&p, y);
    }
    *p = '\0';
    pipe_fail(n, msg);
}

/* See pipe.h: NaN is "not an integer", an infinity or a float past the int
 * range "integer out of range", with the float as a sink prints it. */
void pipe_float_int_fail(PipeNode *n, double v)
{
    char msg[96], *p = msg;
    msg_str(&p, v != v ? "not an integer: " : "integer out of range: ");
    p += pipe_fmt_float(p, v);
    *p = '\0';
    pipe_fail(n, msg);
}
