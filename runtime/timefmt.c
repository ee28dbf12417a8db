/* timefmt.c — now(), parse_time() and format_time() with strftime formats, and
 * env(): the clock, the calendar and the environment (LANGUAGE.md §9). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rt_impl.h"

/* The conversions each function takes.  format_time: C99's and POSIX's
 * strftime ones and glibc's %k %l %P %s.  parse_time: strptime's that fix a
 * point in time; not the week numbers and ISO weeks (%U %W %V %G %g %u, which
 * glibc parses and then ignores: a silent wrong date), nor %s (glibc reads it
 * in the local zone). */
static const char tf_format_convs[] = "aAbBcCdDeFgGhHIjklmMnpPrRsStTuUVwWxXyYzZ%";
static const char tf_parse_convs[] = "aAbBcCdDeFhHIjmMnprRStTyYzZ%";

/* Checks format's conversions; *zone (when not NULL) tells whether one is %z
 * or %Z. */
static bool tf_check(PipeStr f, bool parse, char *why, size_t whylen, bool *zone)
{
    if (zone)
        *zone = false;
    if (memchr(f.p, '\0', f.n)) {
        snprintf(why, whylen, "a time format cannot hold a NUL byte (\\0)");
        return false;
    }
    for (size_t i = 0; i < f.n; i++) {
        if (f.p[i] != '%')
            continue;
        size_t at = i++;
        /* format_time: glibc's flags and a width; both: the E and O modifiers */
        while (!parse && i < f.n && strchr("_-0^#", f.p[i]))
            i++;
        size_t width = 0;
        for (; !parse && i < f.n && f.p[i] >= '0' && f.p[i] <= '9'; i++)
            width = width > PIPE_FMT_MAX ? width : width * 10 + (size_t)(f.p[i] - '0');
        if (width > PIPE_FMT_MAX) { /* as fmt's: a width from the data must not make an item a gigabyte */
            snprintf(why, whylen, "width past " PIPE_FMT_MAX_TEXT " in the conversion '%.*s'",
                     (int)(i + (i < f.n) - at), f.p + at);
            return false;
        }
        if (i < f.n && (f.p[i] == 'E' || f.p[i] == 'O'))
            i++;
        if (i == f.n) {
            snprintf(why, whylen, "the format ends inside the conversion '%.*s'", (int)(i - at), f.p + at);
            return false;
        }
        if (!strchr(parse ? tf_parse_convs : tf_format_convs, f.p[i])) {
            snprintf(why, whylen, "unknown conversion '%.*s' in a time format%s", (int)(i + 1 - at), f.p + at,
                     parse && strchr("sUWVGgu", f.p[i]) ? " (parse_time takes no week numbers and no %s: "
                                                           "to_float reads Unix seconds)"
                                                         : "");
            return false;
        }
        if (zone && (f.p[i] == 'z' || f.p[i] == 'Z'))
            *zone = true;
    }
    return true;
}

bool pipe_time_format_ok(PipeStr format, bool parse, char *why, size_t whylen)
{
    return tf_check(format, parse, why, whylen, NULL);
}

double pipe_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* s as a C string in a, with one byte to spare after its NUL. */
static char *tf_cstr(PipeArena *a, PipeStr s)
{
    char *c = pipe_alloc(a, s.n + 2);
    if (s.n)
        memcpy(c, s.p, s.n);
    c[s.n] = '\0';
    return c;
}

/* s as a C string: in small[cap] when it fits, else on the heap
 * (tf_cbuf_free frees that). */
static char *tf_cbuf(char *small, size_t cap, PipeStr s)
{
    if (s.n >= cap)
        return pipe_xstrndup(s.p, s.n);
    if (s.n)
        memcpy(small, s.p, s.n);
    small[s.n] = '\0';
    return small;
}

static void tf_cbuf_free(char *c, const char *small)
{
    if (c != small)
        free(c);
}

/* Beyond this (about 3 million years) gmtime's year may not fit an int. */
#define TF_MAX 1e14

PipeStr pipe_format_time(PipeArena *a, PipeNode *n, double t, PipeStr format)
{
    char why[200];
    bool zone;
    if (!tf_check(format, false, why, sizeof why, &zone))
        pipe_fail_str(n, why, format);
    struct tm tm;
    time_t secs = (time_t)pipe_floor(t); /* not libm's: built binaries do not load libm */
    if (!(t >= -TF_MAX && t <= TF_MAX) || !(zone ? localtime_r(&secs, &tm) : gmtime_r(&secs, &tm))) {
        char v[40];
        int k = snprintf(v, sizeof v, "%.17g", t);
        pipe_fail_str(n, "format_time: the time is out of range", (PipeStr){v, (size_t)k});
    }
    /* strftime's 0 means "empty" and "too small" alike: a space after the
     * format, dropped after, tells them apart.  Format and result live in the
     * scratch arena (a call per item: no malloc), the result where strftime
     * wrote it. */
    char *f = tf_cstr(a, format);
    f[format.n] = ' ';
    f[format.n + 1] = '\0';
    size_t cap = 64 + 4 * format.n, len;
    char *buf;
    for (;;) {
        buf = pipe_alloc(a, cap);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* the user's format, checked by tf_check */
        len = strftime(buf, cap, f, &tm);
#pragma GCC diagnostic pop
        if (len > 0)
            break;
        cap *= 2;
    }
    return (PipeStr){len > 1 ? buf : "", len - 1};
}

/* The zone name a %Z of parse_time reads at *rp: only names of UTC, since
 * others are ambiguous (CST) or change with the date (CET, CEST). */
static bool tf_zone_name(const char **rp)
{
    static const char *const names[] = {"UTC", "GMT", "Z"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t k = strlen(names[i]);
        if (!strncmp(*rp, names[i], k)) {
            *rp += k;
            return true;
        }
    }
    return false;
}

/* text read by fmt (both NUL-terminated, fmt checked) into *tm with strptime,
 * a piece between %Z conversions at a time; NULL, or why it does not fit. */
static const char *tf_strptime(const char *text, char *fmt, struct tm *tm)
{
    const char *rp = text;
    char *f = fmt;
    for (;;) {
        char *z = f;
        while (*z && !(z[0] == '%' && z[1] == 'Z'))
            z += z[0] == '%' && z[1] ? 2 : 1;
        char keep = *z;
        *z = '\0';
        rp = *f ? strptime(rp, f, tm) : rp;
        *z = keep;
        if (!rp)
            return "the text does not fit the format";
        if (!keep)
            return *rp ? "text is left after the format" : NULL;
        if (!tf_zone_name(&rp))
            return "%Z reads only UTC, GMT or Z (use %z for an offset such as +0100)";
        f = z + 2;
    }
}

double pipe_parse_time(PipeNode *n, PipeStr s, PipeStr format)
{
    char why[300];
    if (!tf_check(format, true, why, sizeof why, NULL))
        pipe_fail_str(n, why, format);
    const char *bad = NULL;
    struct tm tm = {.tm_mday = 1, .tm_year = 70}; /* what the format does not say: 1970-01-01 00:00:00 */
    if (memchr(s.p, '\0', s.n)) {
        bad = "the text holds a NUL byte";
    } else {
        char tb[512], fb[256]; /* a call per item: no malloc unless they are long */
        char *text = tf_cbuf(tb, sizeof tb, s), *fmt = tf_cbuf(fb, sizeof fb, format);
        bad = tf_strptime(text, fmt, &tm);
        tf_cbuf_free(text, tb);
        tf_cbuf_free(fmt, fb);
    }
    time_t t = 0;
    long off = tm.tm_gmtoff; /* %z's offset; timegm zeroes it */
    if (!bad) {
        struct tm want = tm;
        t = timegm(&tm);
        /* strptime takes 31 for the day of any month: timegm would move on */
        if (tm.tm_year != want.tm_year || tm.tm_mon != want.tm_mon || tm.tm_mday != want.tm_mday ||
            tm.tm_hour != want.tm_hour || tm.tm_min != want.tm_min || tm.tm_sec != want.tm_sec)
            bad = "no such date or time";
    }
    if (bad) {
        snprintf(why, sizeof why, "parse_time with format '%.*s': %s", (int)(format.n > 100 ? 100 : format.n), format.p, bad);
        pipe_fail_str(n, why, s);
    }
    return (double)t - (double)off;
}

/* ------------------------------------------------------------------ environment */

bool pipe_env(PipeStr name, PipeStr *out)
{
    if (!name.n || memchr(name.p, '=', name.n) || memchr(name.p, '\0', name.n))
        return false; /* no variable has such a name */
    char small[256], *z = tf_cbuf(small, sizeof small, name);
    const char *v = getenv(z);
    tf_cbuf_free(z, small);
    if (!v)
        return false;
    *out = (PipeStr){v, strlen(v)};
    return true;
}
