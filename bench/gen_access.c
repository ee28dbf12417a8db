/* gen_access.c — deterministic generator of Apache "combined" access-log lines for the
 * workload benchmark (bench/workloads.sh): `gen_access MIB [SEED]` writes whole lines to
 * stdout until at least MIB MiB.
 *
 *   IP - - [DD/Nov/2026:HH:MM:SS +0000] "METHOD PATH[?QUERY] HTTP/1.1" STATUS BYTES "REFERRER" "AGENT"
 *   1  2 3 4                     5      6       7               8         9      10    11...
 *
 * What the workloads rely on (keep it true when changing the mix):
 * - ASCII only, fields separated by single spaces, no tab, no space inside field 7 (path and
 *   query), an integer bytes field 10 and a '\n' after every line, so awk's default field
 *   splitting, `cut -d' '`, a regex over `^([^ ]* ){k}` and pipec's field(k, " ") agree;
 * - field 7 holds `/api/v<n>/users/<n>` paths (W3 matches), `/internal/api/v1/users/<n>/debug`
 *   (matches too: a search inside the field), and decoys that must not match:
 *   `/api/v2/users/me`, `/api/v2beta/users/<n>`, `/api/v2/user/<n>`, `/v2/users/<n>`;
 *   ~2% of referrers contain `/api/v1/users/<n>`, so a whole-line grep is no valid W3;
 * - the upper-case word ERROR appears only in the query string of ~1 line in 50; the decoys
 *   `error` and `ERR` (never followed by `OR`) appear elsewhere;
 * - statuses 200/301/404/500 in ~86/4/8/2%; bytes < 10^6, so sums stay exact in a double;
 * - client IPs are skewed: 20 heavy clients take ~25% of the lines (so the top 10 is
 *   meaningful), the rest spread over ~65,000 addresses;
 * - the ids in paths grow with the line number, so the number of distinct paths (W7) grows
 *   with the size: ~1M at a few GiB;
 * - the same (MIB, SEED) gives the same bytes on every platform (integer arithmetic only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long rng_state;

/* splitmix64: fast, portable, good enough for picking fields. */
static unsigned long long rng_next(void)
{
    unsigned long long z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static unsigned rng_below(unsigned n)
{
    return (unsigned)(rng_next() % n);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const agents[] = {
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 13_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "curl/8.4.0",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
    "okhttp/4.12.0",
};
static const char *const static_dirs[] = {"css", "js", "img", "fonts"};
static const char *const static_ext[] = {"css", "js", "png", "woff2"};
static const char *const pages[] = {"/", "/index.html", "/about", "/pricing", "/login", "/logout",
                                    "/docs/error-codes", "/docs/getting-started", "/blog", "/contact"};
static const char *const decoys[] = {"/api/v2/users/me", "/api/v2beta/users/%u", "/api/v2/user/%u",
                                     "/v2/users/%u"};
static const char *const queries[] = {"?page=%u", "?sort=name&page=%u", "?q=term%u", "?type=error&id=%u",
                                      "?code=ERR&retry=%u", "?lang=en&v=%u"};
static const char *const sites[] = {"https://www.google.com/search?q=pipe", "https://example.com/",
                                    "https://news.example.org/item?id=42", "https://duckduckgo.com/"};

/* The client of a line: one of 20 heavy hitters (skewed among themselves: the smaller of two
 * draws), or one of ~65,000 others, spread over a few /16 networks. */
static int client_ip(char *buf, size_t size)
{
    unsigned a, b;
    if (rng_below(100) < 25) {
        a = rng_below(20);
        b = rng_below(20);
        unsigned k = a < b ? a : b;
        return snprintf(buf, size, "203.0.113.%u", 7 + k * 11);
    }
    unsigned k = rng_below(65000);
    static const unsigned nets[] = {10, 172, 192, 198, 100};
    return snprintf(buf, size, "%u.%u.%u.%u", nets[k % 5], (k / 5) % 97 + 16, (k / 485) % 250 + 1,
                    (k * 7) % 254 + 1);
}

/* The path (and maybe query) of field 7. `span` bounds the ids: it grows with the line number. */
static int request_path(char *buf, size_t size, unsigned span, int error_line)
{
    int n;
    unsigned id = rng_below(span) + 1;
    unsigned r = rng_below(100);
    if (r < 18) /* the W3 matches */
        n = snprintf(buf, size, "/api/v%u/users/%u%s", 1 + rng_below(3), id, rng_below(4) ? "" : "/orders");
    else if (r < 20)
        n = snprintf(buf, size, "/internal/api/v1/users/%u/debug", id);
    else if (r < 26)
        n = snprintf(buf, size, decoys[rng_below(COUNT(decoys))], id);
    else if (r < 56) {
        unsigned s = rng_below(COUNT(static_dirs));
        n = snprintf(buf, size, "/static/%s/%u.%s", static_dirs[s], id % 50000, static_ext[s]);
    } else if (r < 76)
        n = snprintf(buf, size, "/products/%u", id);
    else
        n = snprintf(buf, size, "%s", pages[rng_below(COUNT(pages))]);
    if (error_line)
        return n + snprintf(buf + n, size - (size_t)n, "?level=ERROR&req=%u", rng_below(1000));
    if (rng_below(100) < 15)
        n += snprintf(buf + n, size - (size_t)n, queries[rng_below(COUNT(queries))], rng_below(100));
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: gen_access MIB [SEED]\n");
        return 2;
    }
    unsigned long long want = strtoull(argv[1], NULL, 10) * 1024ULL * 1024ULL;
    rng_state = argc == 3 ? strtoull(argv[2], NULL, 10) : 42;
    static char out[1 << 16];
    setvbuf(stdout, out, _IOFBF, sizeof out);

    unsigned long long written = 0, lineno = 0;
    char ip[32], path[160], line[640];
    while (written < want) {
        unsigned long long sec = lineno / 23;           /* ~23 requests a second */
        unsigned span = (unsigned)(lineno / 4 + 1000);  /* the ids seen so far */
        int error_line = rng_below(50) == 0;
        unsigned r = rng_below(100);
        unsigned status = r < 86 ? 200 : r < 90 ? 301 : r < 98 ? 404 : 500;
        unsigned bytes = status == 404 ? 150 + rng_below(400)
                       : status == 301 ? 0
                       : status == 500 ? 300 + rng_below(2000)
                                       : 200 + rng_below(120000);
        client_ip(ip, sizeof ip);
        request_path(path, sizeof path, span, error_line);
        char referrer[96];
        unsigned rr = rng_below(100);
        if (rr < 2)
            snprintf(referrer, sizeof referrer, "https://app.example.com/api/v1/users/%u", rng_below(span) + 1);
        else if (rr < 60)
            snprintf(referrer, sizeof referrer, "-");
        else
            snprintf(referrer, sizeof referrer, "%s", sites[rng_below(COUNT(sites))]);
        int n = snprintf(line, sizeof line,
                         "%s - - [%02u/Nov/2026:%02u:%02u:%02u +0000] \"%s %s HTTP/1.1\" %u %u \"%s\" \"%s\"\n", ip,
                         (unsigned)(sec / 86400 % 28 + 1), (unsigned)(sec / 3600 % 24), (unsigned)(sec / 60 % 60),
                         (unsigned)(sec % 60), rng_below(10) ? "GET" : "POST", path, status, bytes, referrer,
                         agents[rng_below(COUNT(agents))]);
        fwrite(line, 1, (size_t)n, stdout);
        written += (unsigned long long)n;
        lineno++;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
