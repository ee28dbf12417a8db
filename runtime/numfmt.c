/* numfmt.c — the numbers and text functions of LANGUAGE.md §9: fmt's printf
 * patterns, round/floor/ceil/sqrt/pow, and len_chars/upper_utf8/lower_utf8. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_impl.h"
#include "utf8case_impl.h"

/* ------------------------------------------------------------------ fmt */

/* Whether c is one of the bytes of set (not its NUL): inlined, where a call
 * of strchr per conversion and item cost more than the test. */
static inline bool fmt_in(char c, const char *set)
{
    for (; *set; set++)
        if (*set == c)
            return true;
    return false;
}

/* See pipe.h.  One grammar for the checker (which reports c->error with the
 * conversion's text) and the runtime (which only meets checked patterns). */
int pipe_fmt_next(PipeStr pat, size_t *at, PipeFmtConv *c)
{
    size_t i = *at;
    while (i < pat.n && pat.p[i] != '%')
        i++;
    if (i == pat.n) {
        *at = i;
        return 0;
    }
    memset(c, 0, sizeof *c);
    c->start = i++;
    c->prec = -1;
    for (bool flag = true; flag && i < pat.n; i += flag) {
        switch (pat.p[i]) {
        case '-': c->minus = true; break;
        case '0': c->zero = true; break;
        case '+': c->plus = true; break;
        case ' ': c->space = true; break;
        case '#': c->alt = true; break;
        default: flag = false; break;
        }
    }
    for (; i < pat.n && pat.p[i] >= '0' && pat.p[i] <= '9'; i++)
        if ((c->width = c->width * 10 + (pat.p[i] - '0')) > PIPE_FMT_MAX)
            c->error = "width past " PIPE_FMT_MAX_TEXT;
    if (i < pat.n && pat.p[i] == '.') {
        c->prec = 0;
        for (i++; i < pat.n && pat.p[i] >= '0' && pat.p[i] <= '9'; i++)
            if ((c->prec = c->prec * 10 + (pat.p[i] - '0')) > PIPE_FMT_MAX)
                c->error = "precision past " PIPE_FMT_MAX_TEXT;
    }
    c->conv = i < pat.n ? pat.p[i++] : '\0';
    c->len = i - c->start;
    *at = i;
    if (c->error)
        return 1;
    if (!c->conv)
        c->error = "the pattern ends inside a conversion (write '%%' for a '%')";
    else if (c->conv == '*')
        c->error = "a '*' width or precision is not supported: write the number in the pattern";
    else if (fmt_in(c->conv, "hlLjzt"))
        c->error = "a length modifier is not needed: write '%d' for an int, '%f' for a float";
    else if (!fmt_in(c->conv, "%sdixXoeEfFgG"))
        c->error = "unknown conversion (expected one of %s %d %i %x %X %o %e %E %f %F %g %G %%)";
    else if (c->conv == '%' && c->len != 2)
        c->error = "'%%' takes no flags, width or precision";
    else if (c->conv == 's' && (c->zero || c->plus || c->space || c->alt))
        c->error = "%s takes only the flag '-'";
    else if (fmt_in(c->conv, "di") && c->alt)
        c->error = "the flag '#' does not apply to %d";
    else if (fmt_in(c->conv, "xXo") && (c->plus || c->space))
        c->error = "the flags '+' and ' ' apply to signed conversions only";
    return 1;
}

/* The output of one fmt call: in a buffer on the stack while it fits, then
 * in the scratch arena, twice as large each time it fills. */
typedef struct FmtOut {
    PipeArena *a;
    char *p;
    size_t n, cap;
} FmtOut;

static void fmt_put(FmtOut *o, const char *s, size_t n)
{
    if (o->n + n > o->cap) {
        size_t cap = o->cap * 2 > o->n + n ? o->cap * 2 : o->n + n;
        char *p = pipe_alloc(o->a, cap);
        memcpy(p, o->p, o->n);
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
}

static void fmt_pad(FmtOut *o, size_t n)
{
    static const char spaces[] = "                                ";
    for (; n > 32; n -= 32)
        fmt_put(o, spaces, 32);
    fmt_put(o, spaces, n);
}

/* One numeric conversion by C's snprintf, with the length modifier an int64
 * needs.  The checker keeps width and precision within PIPE_FMT_MAX, so the
 * text fits num: 309 digits of a float, a sign, a point, PIPE_FMT_MAX more. */
/* Writes decimal v at p; returns the end. */
static char *fmt_decimal(char *p, int v)
{
    char t[12];
    int n = 0;
    do
        t[n++] = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    while (n > 0)
        *p++ = t[--n];
    return p;
}

static void fmt_number(FmtOut *o, const PipeFmtConv *c, const PipeFmtArg *arg)
{
    /* the conversion's spec, written byte by byte (it runs for every item:
     * snprintf to build it cost more than the conversion itself) */
    char spec[40], num[2 * PIPE_FMT_MAX + 400], *w = spec;
    *w++ = '%';
    if (c->minus)
        *w++ = '-';
    if (c->zero)
        *w++ = '0';
    if (c->plus)
        *w++ = '+';
    if (c->space)
        *w++ = ' ';
    if (c->alt)
        *w++ = '#';
    if (c->width)
        w = fmt_decimal(w, c->width);
    if (c->prec >= 0) {
        *w++ = '.';
        w = fmt_decimal(w, c->prec);
    }
    bool integral = c->conv == 'd' || c->conv == 'i' || c->conv == 'x' || c->conv == 'X' || c->conv == 'o';
    if (integral) {
        *w++ = 'l';
        *w++ = 'l';
    }
    *w++ = c->conv;
    *w = '\0';
    int n;
/* spec is one checked conversion with the length modifier its argument needs */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    if (integral)
        n = snprintf(num, sizeof num, spec, (long long)arg->i);
    else
        n = snprintf(num, sizeof num, spec, arg->f);
#pragma GCC diagnostic pop
    if (n > 0)
        fmt_put(o, num, (size_t)n < sizeof num ? (size_t)n : sizeof num - 1);
}

/* %s: the value's text, cut to the precision and padded to the width, in
 * bytes as C's printf counts them */
static void fmt_text(FmtOut *o, const PipeFmtConv *c, PipeStr s)
{
    size_t n = c->prec >= 0 && (size_t)c->prec < s.n ? (size_t)c->prec : s.n;
    size_t pad = (size_t)c->width > n ? (size_t)c->width - n : 0;
    if (!c->minus)
        fmt_pad(o, pad);
    fmt_put(o, s.p, n);
    if (c->minus)
        fmt_pad(o, pad);
}

PipeStr pipe_fmt(PipeArena *a, PipeStr pat, const PipeFmtArg *args)
{
    char stack[512];
    FmtOut o = {a, stack, 0, sizeof stack};
    size_t at = 0, lit = 0;
    PipeFmtConv c;
    int k = 0;
    while (pipe_fmt_next(pat, &at, &c)) {
        fmt_put(&o, pat.p + lit, c.start - lit);
        lit = at;
        if (c.error)
            continue; /* not in a checked pattern */
        if (c.conv == '%')
            fmt_put(&o, "%", 1);
        else if (c.conv == 's')
            fmt_text(&o, &c, args[k++].s);
        else
            fmt_number(&o, &c, &args[k++]);
    }
    fmt_put(&o, pat.p + lit, pat.n - lit);
    PipeStr r = {o.p, o.n};
    if (o.p == stack) {
        char *p = pipe_alloc(a, o.n ? o.n : 1);
        memcpy(p, stack, o.n);
        r.p = p;
    }
    return r;
}

/* ------------------------------------------------------------------ numbers */

/* These, and round_to, use no function of libm (see pipe.h): below 2^52 a
 * double converts to an int64 exactly after its fraction is cut. */
#define TWO52 4503599627370496.0

double pipe_floor(double x)
{
    if (!(fabs(x) < TWO52))
        return x; /* whole already, or nan */
    double t = (double)(int64_t)x;
    t = t > x ? t - 1 : t;
    return t == 0 ? copysign(0.0, x) : t;
}

double pipe_ceil(double x)
{
    if (!(fabs(x) < TWO52))
        return x;
    double t = (double)(int64_t)x;
    t = t < x ? t + 1 : t;
    return t == 0 ? copysign(0.0, x) : t;
}

double pipe_round(double x)
{
    if (!(fabs(x) < TWO52))
        return x;
    double t = (double)(int64_t)x, d = x - t; /* d exact */
    t = d >= 0.5 ? t + 1 : d <= -0.5 ? t - 1 : t;
    return t == 0 ? copysign(0.0, x) : t;
}

/* The rounding error of x * y: x * y == p + err exactly (Dekker's product,
 * without fma, which is libm's on machines without the instruction). */
static double product_error(double x, double y, double p)
{
    const double split = 134217729.0; /* 2^27 + 1 */
    double cx = split * x, hx = cx - (cx - x), lx = x - hx;
    double cy = split * y, hy = cy - (cy - y), ly = y - hy;
    return ((hx * hy - p) + hx * ly + lx * hy) + lx * ly;
}

/* round(x, digits) by x's exact decimal digits (glibc prints them all): the
 * digit after the last kept one decides, a tie (a 5 and nothing after it)
 * goes away from zero.  The slow way, for digits outside 0..22. */
static double round_digits_exact(double x, int64_t digits)
{
    char t[1500];
    int n = snprintf(t, sizeof t, "%.1100f", fabs(x));
    char *dot = strchr(t, '.');
    int64_t cut = (dot - t) + (digits > 0 ? digits + 1 : digits); /* first dropped digit */
    if (cut < 0)
        return copysign(0.0, x);
    if (cut >= n)
        return x;
    bool up = t[cut] >= '5' || (t[cut] == '.' && t[cut + 1] >= '5');
    char r[1500];
    /* the kept digits, a leading 0 for a carry out of the first */
    r[0] = '0';
    memcpy(r + 1, t, (size_t)cut);
    size_t end = (size_t)cut + 1;
    for (int64_t z = digits; z < 0; z++)
        r[end++] = '0'; /* the dropped integer digits */
    r[end] = '\0';
    for (int64_t i = cut; up && i >= 0; i--) { /* r[i] is t[i - 1] */
        if (r[i] == '.')
            continue;
        if (r[i] == '9') {
            r[i] = '0';
        } else {
            r[i]++;
            up = false;
        }
    }
    double v = strtod(r, NULL);
    return copysign(v, x);
}

double pipe_round_to(double x, int64_t digits)
{
    if (!isfinite(x))
        return x;
    if (fabs(x) >= TWO52 && digits >= 0) /* an integer already */
        return x;
    if (digits < 0 || digits > 22)
        return round_digits_exact(x, digits);
    double p = 1.0;
    for (int64_t i = 0; i < digits; i++)
        p *= 10.0; /* exact up to 1e22 */
    double y = x * p;
    if (fabs(y) >= TWO52) /* y would have lost x's digits that decide */
        return round_digits_exact(x, digits);
    double err = product_error(x, p, y); /* x * p == y + err exactly */
    double fl = pipe_floor(y), frac = y - fl, r;
    if (frac > 0.5 || (frac == 0.5 && (err > 0 || (err == 0 && y > 0))))
        r = fl + 1;
    else
        r = fl;
    r = r / p;
    return r == 0 ? copysign(0.0, x) : r;
}

/* "integer overflow: pow(10, 19)" */
static void num_fail(PipeNode *n, const char *what, int64_t x, int64_t y)
{
    char msg[128];
    snprintf(msg, sizeof msg, "integer overflow: %s(%lld, %lld)", what, (long long)x, (long long)y);
    pipe_fail(n, msg);
}

int64_t pipe_iround_to(PipeNode *n, int64_t x, int64_t digits)
{
    if (digits >= 0)
        return x;
    if (digits <= -19) { /* |x| < 10^19: 0, or 10^19 (too large) from 5*10^18 up */
        if (digits == -19 && (x >= 5000000000000000000 || x <= -5000000000000000000))
            num_fail(n, "round", x, digits);
        return 0;
    }
    int64_t p = 1;
    for (int64_t i = 0; i < -digits; i++)
        p *= 10;
    int64_t q = x / p, rem = x % p;
    if (rem >= 0 ? rem >= p - rem : -rem >= p + rem)
        q += x < 0 ? -1 : 1;
    int64_t r;
    if (pipe_mul_overflows(q, p, &r))
        num_fail(n, "round", x, digits);
    return r;
}

int64_t pipe_ipow(PipeNode *n, int64_t x, int64_t y)
{
    if (y < 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "pow of an int to a negative power: pow(%lld, %lld) (use a float: pow(%lld.0, %lld))",
                 (long long)x, (long long)y, (long long)x, (long long)y);
        pipe_fail(n, msg);
    }
    int64_t r = 1, b = x;
    for (int64_t e = y;;) {
        if ((e & 1) && pipe_mul_overflows(r, b, &r))
            num_fail(n, "pow", x, y);
        e >>= 1;
        if (!e)
            break;
        if (pipe_mul_overflows(b, b, &b))
            num_fail(n, "pow", x, y);
    }
    return r;
}

/* ------------------------------------------------------------------ UTF-8 */

/* The length of the valid UTF-8 sequence at s[i] (pipe_utf8_len) and its
 * code point; 0 when s[i] starts none. */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
    size_t len = s[i] < 0x80 ? 1 : pipe_utf8_len(s + i, n - i);
    if (len == 0)
        return 0;
    uint32_t v = len == 1 ? s[i] : s[i] & (0x7Fu >> len);
    for (size_t k = 1; k < len; k++)
        v = v << 6 | (s[i + k] & 0x3F);
    *cp = v;
    return len;
}

int64_t pipe_len_chars(PipeStr s)
{
    const unsigned char *p = (const unsigned char *)s.p;
    int64_t count = 0;
    uint32_t cp;
    for (size_t i = 0; i < s.n; count++) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = utf8_seq(p, s.n, i, &cp);
        i += k ? k : 1;
    }
    return count;
}

static uint32_t case_map(const PipeCasePair *t, size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t[mid].from == cp)
            return t[mid].to;
        if (t[mid].from < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return cp;
}


/* s with each code point mapped by t (ASCII by lo..hi), invalid bytes kept;
 * a mapping may change a character's length (U+0131 upper-cases to I), by at
 * most 2 bytes more per character (2 bytes to 3). */
static PipeStr utf8_case(PipeArena *a, PipeStr s, const PipeCasePair *t, size_t tn, char lo, char hi)
{
    const unsigned char *p = (const unsigned char *)s.p;
    char *o = pipe_alloc(a, s.n * 3 / 2 + 4), *w = o;
    uint32_t cp;
    for (size_t i = 0; i < s.n;) {
        if (p[i] < 0x80) {
            char c = (char)p[i++];
            *w++ = c >= lo && c <= hi ? (char)(c ^ 0x20) : c;
            continue;
        }
        size_t k = utf8_seq(p, s.n, i, &cp);
        uint32_t m = k ? case_map(t, tn, cp) : cp;
        if (!k || m == cp) {
            k = k ? k : 1;
            memcpy(w, p + i, k);
            w += k;
        } else {
            w = pipe_utf8_put(w, m);
        }
        i += k;
    }
    PipeStr r = {o, (size_t)(w - o)};
    return r;
}

PipeStr pipe_upper_utf8(PipeArena *a, PipeStr s)
{
    return utf8_case(a, s, case_upper, sizeof case_upper / sizeof case_upper[0], 'a', 'z');
}

PipeStr pipe_lower_utf8(PipeArena *a, PipeStr s)
{
    return utf8_case(a, s, case_lower, sizeof case_lower / sizeof case_lower[0], 'A', 'Z');
}
