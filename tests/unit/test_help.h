/* test_help.h — the lines that every pipeline's --help ends with (its run
 * options), as runtime/main.c prints them for short parameter names; shared
 * by the tests that pin a whole --help text. */
#ifndef TEST_HELP_H
#define TEST_HELP_H

#define HELP_RUN_OPTIONS                                                                        \
    "  --stats[=json]        at exit, per stage: items in and out, bytes, share of time\n"     \
    "  --progress            a progress line on stderr (a terminal)\n"                         \
    "  --mem-limit N         memory for sort before it spills to temporary files (default: 256M);\n" \
    "                        when given, also the most that one stage may keep (items, maps, lists)\n" \
    "  --max-line-bytes N    a longer input line is an error (default: 1G)\n"                  \
    "  --max-input-bytes N   more input than this is an error (default: no limit)\n"           \
    "  --timeout T           stop with an error after T: 500ms, 10s, 2m, 1h (default: none)\n" \
    "  --trace FILE          append a JSON-lines trace of the run to FILE (- for stderr)\n"   \
    "  --run-id ID           the run's ID (a UUID) for traces and messages (default: a new UUIDv7)\n" \
    "  --version             pipec version and SHA-256 of the script this was built from\n" \
    "  -h, --help            show this help\n"

#endif
