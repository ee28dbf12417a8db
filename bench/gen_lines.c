/* gen_lines.c — deterministic generator of log-like lines for bench/run.sh:
 * `gen_lines MIB [SEED]` writes whole lines to stdout until at least MIB MiB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the benchmark relies on (keep it true when changing the mix):
 * - ASCII only, single spaces, every line ends in '\n', so `LC_ALL=C grep -E`
 *   and `sed -E` agree byte for byte with a PCRE-based pipeline;
 * - the level word is ERROR in ~2% and WARN in ~3% of lines, and decoys
 *   ("error", "Err", "warning") never contain the upper-case words;
 * - most lines have several runs of digits, so replace("[0-9]+", "N") works;
 * - the same (MIB, SEED) gives the same bytes on every platform. */

static unsigned long long rng_state;

/* splitmix64: fast, portable, good enough for picking words. */
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

static const char *const hosts[] = {"web-01", "web-02", "web-03", "api-1", "api-2", "db-main", "cache-7", "worker-12"};
static const char *const apps[] = {"nginx", "auth", "billing", "search", "queue", "scheduler"};
static const char *const info_msgs[] = {
    "request served", "cache hit for key", "user logged in", "job finished",
    "retrying after error in upstream", "connection opened", "health check ok",
    "Err count reset", "config reloaded", "session renewed",
};
static const char *const warn_msgs[] = {
    "slow response from upstream", "disk usage above threshold", "retry budget low",
    "deprecated api called", "queue depth growing",
};
static const char *const error_msgs[] = {
    "upstream timed out", "failed to write block", "payment declined by gateway",
    "null user in session", "connection reset by peer",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Appends one line to buf (which has room for 512 bytes); returns its length. */
static int make_line(char *buf, unsigned long long n)
{
    unsigned pick = rng_below(1000);
    const char *level, *msg;
    if (pick < 20) {
        level = "ERROR";
        msg = error_msgs[rng_below(NELEM(error_msgs))];
    } else if (pick < 50) {
        level = "WARN";
        msg = warn_msgs[rng_below(NELEM(warn_msgs))];
    } else if (pick < 120) {
        level = "DEBUG";
        msg = "warning suppressed";
    } else {
        level = "INFO";
        msg = info_msgs[rng_below(NELEM(info_msgs))];
    }
    unsigned long long t = 1700000000ULL + n / 50;
    return snprintf(buf, 512,
                    "2026-11-%02u %02u:%02u:%02u.%03u %s %s[%u]: %s %s id=%llu user=u%u took=%ums bytes=%u path=/api/v%u/items/%u\n",
                    (unsigned)(1 + (t / 86400) % 28), (unsigned)(t / 3600 % 24), (unsigned)(t / 60 % 60),
                    (unsigned)(t % 60), rng_below(1000), hosts[rng_below(NELEM(hosts))],
                    apps[rng_below(NELEM(apps))], 1000 + rng_below(30000), level, msg, n, rng_below(100000),
                    rng_below(2000), rng_below(1u << 20), 1 + rng_below(3), rng_below(1000000));
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: gen_lines MIB [SEED]\n");
        return 2;
    }
    char *end;
    double mib = strtod(argv[1], &end);
    if (*end || mib <= 0) {
        fprintf(stderr, "gen_lines: bad size '%s' (MiB, > 0)\n", argv[1]);
        return 2;
    }
    rng_state = argc == 3 ? strtoull(argv[2], NULL, 10) : 42;
    unsigned long long want = (unsigned long long)(mib * 1048576.0), done = 0, n = 0;

    static char out[1 << 20];
    size_t used = 0;
    while (done < want) {
        int len = make_line(out + used, n++);
        used += (size_t)len;
        done += (unsigned long long)len;
        if (used > sizeof out - 512) {
            if (fwrite(out, 1, used, stdout) != used)
                return perror("gen_lines: write"), 1;
            used = 0;
        }
    }
    if (fwrite(out, 1, used, stdout) != used || fflush(stdout) != 0)
        return perror("gen_lines: write"), 1;
    return 0;
}
