/* gen_records.c — deterministic generator of the records benchmark's data (bench/records.sh):
 * `gen_records csv|tsv|json|plain MIB [SEED]` writes whole rows to stdout until at least MIB MiB.
 *
 * One row, 17 columns in CSV/TSV (header first), one object a line in JSON Lines:
 *   id,name,email,city,country,category,amount,quantity,price,score,active,created,rank,comment,
 *   tags,lat,lon
 * JSON has the same keys except that tags is an array of strings and lat/lon are the nested
 * object "geo": {"lat": .., "lon": ..}.
 *
 * What the benchmark relies on (keep it true when changing the mix):
 * - the same SEED gives the same rows in every format (each row is drawn first, then written),
 *   and the same bytes on every platform (integer arithmetic only);
 * - CSV: ~10% of names are "Last, First" and some hold "" quotes, some cities hold a comma,
 *   ~75% of comments are non-empty, ~15% of those hold a comma, ~5% quotes, ~5% a line break
 *   (LF) — all quoted as RFC 4180 says, and only where needed; LF line ends;
 * - TSV: the same cells, TAB, LF and backslash written as \t \n \\ (no quoting);
 * - plain: a CSV that needs no quoting at all (commas, quotes and line breaks inside cells are
 *   replaced by spaces): the unquoted-parse throughput line;
 * - empty cells: email (~3%), score (~8%: in JSON half null, half a missing key), comment, tags;
 * - every float is written with the fewest digits that read back to it (2 decimals for amount
 *   and price, 3 for score, 4 for lat/lon, never a trailing 0), so a tool that parses and prints
 *   the shortest round-trip text writes back the same bytes;
 * - rank is unique (a bijection of id), so sorting by it has no ties: every correct sort, stable
 *   or not, gives the same output;
 * - category has 24 values (one with a space, one with '&'), amount is uniform in 0.01..999.99;
 * - UTF-8 in names and cities; in JSON every 50th row writes non-ASCII as \uXXXX escapes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum Format { F_CSV, F_TSV, F_JSON, F_PLAIN };

static uint64_t rng_state;

/* splitmix64: fast, portable, good enough for picking cells. */
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static unsigned rng_below(unsigned n)
{
    return (unsigned)(rng_next() % n);
}

static const char *const firsts[] = {"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael",
                                     "Linda", "David", "Elizabeth", "José", "Zoë", "Chloé", "Søren", "Ana",
                                     "Mohammed", "Wei", "Yuki", "Olga", "François", "Priya", "Kwame"};
static const char *const lasts[] = {"Smith", "Johnson", "Williams", "Brown", "Jones", "García", "Miller",
                                    "Davis", "Müller", "Rodríguez", "Martínez", "Nguyen", "O'Brien", "Kowalski",
                                    "李", "Tanaka", "Ivanova", "Dubois", "Patel", "Mensah", "van der Berg"};
static const char *const cities[] = {"Portland, OR", "Portland, ME", "Springfield", "São Paulo", "Zürich",
                                     "Washington, D.C.", "Berlin", "Lagos", "Tokyo", "Montréal", "Austin",
                                     "New York", "Kraków", "Mumbai", "Oslo", "Cape Town", "Lyon", "Seoul"};
static const char *const countries[] = {"US", "US", "US", "BR", "CH", "DE", "NG", "JP", "CA", "PL", "IN",
                                        "NO", "ZA", "FR", "KR", "GB"};
static const char *const categories[] = {"books", "music", "movies", "games", "toys", "garden",
                                         "home & kitchen", "tools", "grocery", "health", "beauty", "sports",
                                         "outdoors", "automotive", "baby", "pets", "office", "electronics",
                                         "computers", "jewelry", "shoes", "clothing", "crafts", "office supplies"};
static const char *const domains[] = {"example.com", "mail.example.org", "corp.example.net", "example.co.uk"};
static const char *const phrases[] = {"arrived on time", "box was damaged", "would buy again",
                                      "not as described", "great value", "slow shipping",
                                      "works as expected", "gift for my sister", "second order this month",
                                      "color differs from the photo", "customer service was helpful",
                                      "missing one part"};
static const char *const tagwords[] = {"sale", "new", "gift", "bulk", "returned", "priority", "b2b", "promo"};

/* One row, drawn before it is written in any format. Strings point into tables or into buf. */
typedef struct {
    unsigned long long id, rank;
    char name[96], email[64], comment[256];
    const char *city, *country, *category;
    unsigned amount, price, score, lat, lon; /* fixed-point: cents, cents, thousandths, 1e-4 degrees */
    int lat_neg, lon_neg, has_score, score_null, quantity, active, month, day, ntags;
    const char *tags[3];
} Row;

/* A fixed-point value whose last digit is not 0 (see the contract above). */
static unsigned nonzero_last(unsigned below)
{
    unsigned v = 1 + rng_below(below - 1);
    return v % 10 ? v : v + 1;
}

static void draw_comment(Row *r)
{
    r->comment[0] = 0;
    if (rng_below(4) == 0)
        return;
    unsigned n = 1 + rng_below(3), kind = rng_below(100);
    for (unsigned k = 0; k < n; k++) {
        const char *sep = k == 0 ? "" : kind < 15 ? ", " : kind < 20 ? "\n" : "; ";
        strcat(r->comment, sep);
        if (kind >= 20 && kind < 25 && k == n - 1) {
            strcat(r->comment, "\"");
            strcat(r->comment, phrases[rng_below(COUNT(phrases))]);
            strcat(r->comment, "\"");
        } else {
            strcat(r->comment, phrases[rng_below(COUNT(phrases))]);
        }
    }
}

static void draw_row(Row *r, unsigned long long id)
{
    r->id = id;
    r->rank = (id * 2654435761ULL) & 0xFFFFFFFFULL; /* odd multiplier: a bijection mod 2^32 */
    const char *f = firsts[rng_below(COUNT(firsts))], *l = lasts[rng_below(COUNT(lasts))];
    unsigned style = rng_below(100);
    if (style < 10)
        snprintf(r->name, sizeof r->name, "%s, %s", l, f);
    else if (style < 12)
        snprintf(r->name, sizeof r->name, "%s \"%c\" %s", f, f[0], l);
    else
        snprintf(r->name, sizeof r->name, "%s %s", f, l);
    if (rng_below(100) < 3)
        r->email[0] = 0;
    else
        snprintf(r->email, sizeof r->email, "user%llu@%s", id, domains[rng_below(COUNT(domains))]);
    r->city = cities[rng_below(COUNT(cities))];
    r->country = countries[rng_below(COUNT(countries))];
    r->category = categories[rng_below(COUNT(categories))];
    r->amount = nonzero_last(100000);
    r->quantity = 1 + (int)rng_below(50);
    r->price = nonzero_last(50000);
    unsigned s = rng_below(100);
    r->has_score = s >= 8;
    r->score_null = s < 4;
    r->score = nonzero_last(1000);
    r->active = rng_below(3) != 0;
    r->month = 1 + (int)rng_below(12);
    r->day = 1 + (int)rng_below(28);
    draw_comment(r);
    r->ntags = (int)rng_below(4);
    for (int k = 0; k < r->ntags; k++)
        r->tags[k] = tagwords[rng_below(COUNT(tagwords))];
    r->lat = nonzero_last(900000);
    r->lon = nonzero_last(1800000);
    r->lat_neg = (int)rng_below(2);
    r->lon_neg = (int)rng_below(2);
}

/* ---- writing: one output buffer, flushed when nearly full ---------------------------------- */

static char obuf[1 << 20];
static size_t olen;
static unsigned long long written;

static void flush_out(void)
{
    if (olen && fwrite(obuf, 1, olen, stdout) != olen) {
        perror("gen_records: write");
        exit(1);
    }
    written += olen;
    olen = 0;
}

static void put(const char *s, size_t n)
{
    if (olen + n > sizeof obuf)
        flush_out();
    memcpy(obuf + olen, s, n);
    olen += n;
}

static void puts_(const char *s)
{
    put(s, strlen(s));
}

/* a fixed-point number: v / 10^digits, written with exactly `digits` decimals */
static void put_fixed(unsigned v, int digits, int neg)
{
    unsigned scale = 1;
    for (int k = 0; k < digits; k++)
        scale *= 10;
    char t[32];
    int n = snprintf(t, sizeof t, "%s%u.%0*u", neg ? "-" : "", v / scale, digits, v % scale);
    put(t, (size_t)n);
}

static void put_int(unsigned long long v)
{
    char t[32];
    int n = snprintf(t, sizeof t, "%llu", v);
    put(t, (size_t)n);
}

/* A CSV cell, quoted only when it holds a comma, a quote or a line break; plain: never quoted,
 * those characters become spaces. */
static void put_csv(const char *s, enum Format f)
{
    if (f == F_PLAIN) {
        for (; *s; s++)
            put(strchr(",\"\n\r", *s) ? " " : s, 1);
        return;
    }
    if (!s[strcspn(s, ",\"\n\r")]) {
        puts_(s);
        return;
    }
    put("\"", 1);
    for (; *s; s++) {
        put(s, 1);
        if (*s == '"')
            put("\"", 1); /* "" inside a quoted cell */
    }
    put("\"", 1);
}

static void put_tsv(const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\t': puts_("\\t"); break;
        case '\n': puts_("\\n"); break;
        case '\\': puts_("\\\\"); break;
        default: put(s, 1);
        }
    }
}

/* A JSON string; with `escape_all`, non-ASCII characters as \uXXXX (UTF-16 units). */
static void put_json_str(const char *s, int escape_all)
{
    put("\"", 1);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            put("\\", 1);
            put((const char *)p++, 1);
        } else if (c == '\n') {
            puts_("\\n");
            p++;
        } else if (c >= 0x80 && escape_all) {
            unsigned cp, n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
            cp = c & (0x3F >> n);
            for (unsigned k = 1; k <= n; k++)
                cp = cp << 6 | (p[k] & 0x3F);
            p += n + 1;
            char t[16];
            int len = cp >= 0x10000
                          ? snprintf(t, sizeof t, "\\u%04x\\u%04x", 0xD800 + ((cp - 0x10000) >> 10),
                                     0xDC00 + ((cp - 0x10000) & 0x3FF))
                          : snprintf(t, sizeof t, "\\u%04x", cp);
            put(t, (size_t)len);
        } else {
            put((const char *)p++, 1);
        }
    }
    put("\"", 1);
}

static const char *const columns[] = {"id", "name", "email", "city", "country", "category",
                                      "amount", "quantity", "price", "score", "active", "created",
                                      "rank", "comment", "tags", "lat", "lon"};

static void tags_text(const Row *r, char *t, size_t size)
{
    t[0] = 0;
    for (int k = 0; k < r->ntags; k++) {
        if (k)
            strncat(t, ";", size - strlen(t) - 1);
        strncat(t, r->tags[k], size - strlen(t) - 1);
    }
}

/* CSV, TSV and plain rows: the cells in column order */
static void write_delimited(const Row *r, enum Format f)
{
    const char *sep = f == F_TSV ? "\t" : ",";
    char date[16], tags[64];
    snprintf(date, sizeof date, "2024-%02d-%02d", r->month, r->day);
    tags_text(r, tags, sizeof tags);
    const char *cells[] = {r->name, r->email, r->city, r->country, r->category};
    put_int(r->id);
    for (size_t k = 0; k < COUNT(cells); k++) {
        puts_(sep);
        f == F_TSV ? put_tsv(cells[k]) : put_csv(cells[k], f);
    }
    puts_(sep), put_fixed(r->amount, 2, 0);
    puts_(sep), put_int((unsigned long long)r->quantity);
    puts_(sep), put_fixed(r->price, 2, 0);
    puts_(sep);
    if (r->has_score)
        put_fixed(r->score, 3, 0);
    puts_(sep), puts_(r->active ? "true" : "false");
    puts_(sep), puts_(date);
    puts_(sep), put_int(r->rank);
    puts_(sep), f == F_TSV ? put_tsv(r->comment) : put_csv(r->comment, f);
    puts_(sep), puts_(tags);
    puts_(sep), put_fixed(r->lat, 4, r->lat_neg);
    puts_(sep), put_fixed(r->lon, 4, r->lon_neg);
    puts_("\n");
}

static void write_json(const Row *r)
{
    int esc = r->id % 50 == 0;
    char date[16];
    snprintf(date, sizeof date, "2024-%02d-%02d", r->month, r->day);
    puts_("{\"id\":"), put_int(r->id);
    puts_(",\"name\":"), put_json_str(r->name, esc);
    puts_(",\"email\":"), put_json_str(r->email, esc);
    puts_(",\"city\":"), put_json_str(r->city, esc);
    puts_(",\"country\":"), put_json_str(r->country, esc);
    puts_(",\"category\":"), put_json_str(r->category, esc);
    puts_(",\"amount\":"), put_fixed(r->amount, 2, 0);
    puts_(",\"quantity\":"), put_int((unsigned long long)r->quantity);
    puts_(",\"price\":"), put_fixed(r->price, 2, 0);
    if (r->has_score)
        puts_(",\"score\":"), put_fixed(r->score, 3, 0);
    else if (r->score_null)
        puts_(",\"score\":null");
    puts_(",\"active\":"), puts_(r->active ? "true" : "false");
    puts_(",\"created\":"), put_json_str(date, 0);
    puts_(",\"rank\":"), put_int(r->rank);
    puts_(",\"comment\":"), put_json_str(r->comment, esc);
    puts_(",\"tags\":[");
    for (int k = 0; k < r->ntags; k++) {
        if (k)
            puts_(",");
        put_json_str(r->tags[k], 0);
    }
    puts_("],\"geo\":{\"lat\":"), put_fixed(r->lat, 4, r->lat_neg);
    puts_(",\"lon\":"), put_fixed(r->lon, 4, r->lon_neg);
    puts_("}}\n");
}

int main(int argc, char **argv)
{
    static const char *const names[] = {"csv", "tsv", "json", "plain"};
    int f = -1;
    for (int k = 0; argc >= 3 && k < 4; k++)
        if (!strcmp(argv[1], names[k]))
            f = k;
    char *end = NULL;
    unsigned long long mib = argc >= 3 ? strtoull(argv[2], &end, 10) : 0;
    if (f < 0 || argc > 4 || !end || *end) {
        fprintf(stderr, "usage: gen_records csv|tsv|json|plain MIB [SEED]\n");
        return 2;
    }
    rng_state = argc == 4 ? strtoull(argv[3], NULL, 10) : 42;
    unsigned long long want = mib << 20;
    if (f != F_JSON) {
        for (size_t k = 0; k < COUNT(columns); k++)
            puts_(k ? (f == F_TSV ? "\t" : ",") : ""), puts_(columns[k]);
        puts_("\n");
    }
    Row r;
    for (unsigned long long id = 1; written + olen < want; id++) {
        draw_row(&r, id);
        f == F_JSON ? write_json(&r) : write_delimited(&r, (enum Format)f);
    }
    flush_out();
    return fflush(stdout) ? 1 : 0;
}
