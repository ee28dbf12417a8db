/* gen_idioms.c — deterministic generator of the idiom corpus's inputs (bench/idioms/):
 * `gen_idioms dpkg|text|nums|csv MIB [SEED]` writes whole lines to stdout until at least MIB MiB.
 *
 *   dpkg  a dpkg.log: "2024-03-01 12:34:56 ACTION ..." with the actions startup, install,
 *         upgrade, configure, remove, trigproc and "status STATE PKG:ARCH VERSION"
 *   text  prose-like lines of words: lower, Capitalized and UPPER words of a skewed vocabulary,
 *         some with a trailing , or . ; ~5% empty lines, ~10% with leading or trailing blanks
 *   nums  one integer a line, -999999..999999
 *   csv   "id,name,city,amount,qty": amount with 2 decimals (never a trailing 0), qty 1..9
 *
 * What the corpus relies on (keep it true when changing the mix):
 * - ASCII only, every line ends in '\n', no CR; blanks are spaces and (text only) tabs, so awk's
 *   default fields and pipec's words() agree; dpkg and csv have single separators;
 * - dpkg: " status installed " occurs only in status lines; "<none>" only as a last field;
 *   every package has the form NAME:ARCH;
 * - the same (MIB, SEED) gives the same bytes on every platform (integer arithmetic only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* every byte goes through these, so that the size counts on a pipe too */
static unsigned long long written;
#define printf(...) (written += (unsigned)printf(__VA_ARGS__))
#define putchar(c) (written++, putchar(c))
#define fputs(s, f) (written += strlen(s), fputs(s, f))

static unsigned long long rng_state;

/* splitmix64, as gen_access.c and gen_lines.c: copied, not shared, since each generator is one
 * self-contained file whose checksum names the inputs it made (bench/idioms/lib.sh) */
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

/* skewed pick in 0..n-1: the minimum of two uniform draws, squared again for more skew */
static unsigned rng_skewed(unsigned n)
{
    unsigned a = rng_below(n), b = rng_below(n), c = rng_below(n);
    unsigned m = a < b ? a : b;
    return m < c ? m : c;
}

static const char *pkgs[] = {
    "libc6", "libssl3", "openssl", "bash", "coreutils", "dpkg", "apt", "libapt-pkg6.0", "tzdata",
    "python3", "python3-minimal", "libpython3.11", "perl", "perl-base", "systemd", "udev",
    "libsystemd0", "curl", "libcurl4", "git", "vim", "vim-common", "nano", "less", "grep",
    "sed", "gawk", "mawk", "tar", "gzip", "xz-utils", "zlib1g", "libzstd1", "liblzma5",
    "ca-certificates", "openssh-client", "openssh-server", "sudo", "man-db", "locales",
    "linux-image-amd64", "firmware-linux", "libgcc-s1", "libstdc++6", "gcc-12", "make",
    "build-essential", "pkg-config", "libpcre2-8-0", "libtcc-dev",
};
static const char *archs[] = { "amd64", "amd64", "amd64", "all", "i386" };
static const char *states[] = { "installed", "unpacked", "half-configured", "half-installed",
                                "config-files", "not-installed", "triggers-pending" };

static void version(char *out, size_t n)
{
    snprintf(out, n, "%u.%u.%u-%u", 1 + rng_below(4), rng_below(20), rng_below(10), 1 + rng_below(5));
}

static unsigned long long dpkg_line(unsigned long long t)
{
    char v1[32], v2[32];
    unsigned s = (unsigned)(t % 60), m = (unsigned)(t / 60 % 60), h = (unsigned)(t / 3600 % 24);
    unsigned d = 1 + (unsigned)(t / 86400 % 28), mo = 1 + (unsigned)(t / (86400ULL * 28) % 12);
    const char *p = pkgs[rng_skewed(sizeof pkgs / sizeof *pkgs)];
    const char *a = archs[rng_below(sizeof archs / sizeof *archs)];
    unsigned r = rng_below(100);
    printf("2024-%02u-%02u %02u:%02u:%02u ", mo, d, h, m, s);
    version(v1, sizeof v1);
    version(v2, sizeof v2);
    if (r < 3)
        printf("startup %s\n", rng_below(2) ? "archives unpack" : "packages configure");
    else if (r < 10)
        printf("install %s:%s <none> %s\n", p, a, v1);
    else if (r < 25)
        printf("upgrade %s:%s %s %s\n", p, a, v1, v2);
    else if (r < 35)
        printf("configure %s:%s %s <none>\n", p, a, v1);
    else if (r < 38)
        printf("remove %s:%s %s <none>\n", p, a, v1);
    else if (r < 45)
        printf("trigproc %s:%s %s <none>\n", p, a, v1);
    else if (r < 75)
        printf("status installed %s:%s %s\n", p, a, v1);
    else
        printf("status %s %s:%s %s\n", states[1 + rng_below(sizeof states / sizeof *states - 1)], p, a, v1);
    return t + rng_below(3);
}

static const char *syl[] = { "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "an", "el", "or", "us",
                             "ber", "dan", "fel", "gor", "hin", "jul", "kes", "lam", "th", "qu" };

/* word number i of the vocabulary: its syllables are the digits of i in base 22 */
static void vocab_word(unsigned i, char *out)
{
    size_t n = 0;
    do {
        const char *s = syl[i % 22];
        memcpy(out + n, s, strlen(s));
        n += strlen(s);
        i /= 22;
    } while (i);
    out[n] = 0;
}

static void text_line(void)
{
    unsigned r = rng_below(100), nw, k;
    if (r < 5) {
        putchar('\n');
        return;
    }
    if (r < 10)
        fputs(rng_below(2) ? "  " : "\t", stdout);
    nw = 1 + rng_below(14);
    for (k = 0; k < nw; k++) {
        char w[64];
        unsigned c = rng_below(100), j;
        vocab_word(rng_skewed(5000), w);
        if (c < 10)
            w[0] = (char)(w[0] - 'a' + 'A');
        else if (c < 13)
            for (j = 0; w[j]; j++)
                w[j] = (char)(w[j] - 'a' + 'A');
        if (k > 0)
            fputs(rng_below(30) == 0 ? (rng_below(2) ? "  " : "\t") : " ", stdout);
        fputs(w, stdout);
        if (k + 1 < nw && rng_below(100) < 8)
            putchar(',');
        else if (k + 1 == nw && rng_below(2))
            putchar('.');
    }
    if (r >= 95)
        fputs("  ", stdout);
    putchar('\n');
}

static const char *names[] = { "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
                               "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert",
                               "sybil", "trent", "victor", "walter", "yves" };
static const char *cities[] = { "Berlin", "Paris", "Lisbon", "Oslo", "Rome", "Vienna", "Prague",
                                "Dublin", "Madrid", "Athens", "Warsaw", "Zurich" };

static void csv_line(unsigned long long id)
{
    unsigned cents = 1 + rng_below(99999), q = 1 + rng_below(9);
    printf("%llu,%s,%s,%u", id, names[rng_skewed(20)], cities[rng_below(12)], cents / 100);
    if (cents % 100) {
        if (cents % 10)
            printf(".%02u", cents % 100);
        else
            printf(".%u", cents % 100 / 10);
    }
    printf(",%u\n", q);
}

int main(int argc, char **argv)
{
    const char *kind;
    unsigned long long want, t = 1700000000ULL % (86400ULL * 28 * 12), id = 1;
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: gen_idioms dpkg|text|nums|csv MIB [SEED]\n");
        return 2;
    }
    kind = argv[1];
    want = strtoull(argv[2], NULL, 10) * 1048576ULL;
    rng_state = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
    if (strcmp(kind, "dpkg") && strcmp(kind, "text") && strcmp(kind, "nums") && strcmp(kind, "csv")) {
        fprintf(stderr, "gen_idioms: unknown kind '%s' (dpkg, text, nums, csv)\n", kind);
        return 2;
    }
    while (written < want) {
        if (!strcmp(kind, "dpkg"))
            t = dpkg_line(t);
        else if (!strcmp(kind, "text"))
            text_line();
        else if (!strcmp(kind, "nums"))
            printf("%d\n", (int)rng_below(1999999) - 999999);
        else
            csv_line(id++);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
