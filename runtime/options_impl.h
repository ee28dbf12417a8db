/* options_impl.h — the run options of every compiled pipeline, in one list:
 * pipe_main parses them and prints their --help from it, and the compiler
 * keeps a pipeline parameter from taking one of their names (sema.c). */
#ifndef PIPE_OPTIONS_IMPL_H
#define PIPE_OPTIONS_IMPL_H

/* What follows a run option's name on the command line. */
typedef enum PipeOptArg {
    PIPE_ARG_NONE,     /* nothing: --NAME alone */
    PIPE_ARG_FORMAT,   /* nothing, or =table or =json (--stats) */
    PIPE_ARG_SIZE,     /* bytes, 64M, 1G: --NAME N or --NAME=N */
    PIPE_ARG_DURATION, /* 500ms, 10s, 2m, 1h */
    PIPE_ARG_FILE,     /* a file name, - for stderr */
    PIPE_ARG_UUID,     /* a run ID */
} PipeOptArg;

/* X(ID, name, argument, label in --help, help text with '\n' between its
 * lines), in the order of --help.  A name with a '-' cannot be a parameter's. */
#define PIPE_RUN_OPTIONS(X)                                                                                      \
    X(STATS, "stats", PIPE_ARG_FORMAT, "--stats[=json]",                                                         \
      "at exit, per stage: items in and out, bytes, share of time")                                              \
    X(PROGRESS, "progress", PIPE_ARG_NONE, "--progress",                                                         \
      "a progress line on stderr (a terminal)")                                                                  \
    X(MEM_LIMIT, "mem-limit", PIPE_ARG_SIZE, "--mem-limit N",                                                    \
      "memory for sort before it spills to temporary files (default: 256M);\n"                                   \
      "when given, also the most that one stage may keep (items, maps, lists)")                                  \
    X(MAX_LINE_BYTES, "max-line-bytes", PIPE_ARG_SIZE, "--max-line-bytes N",                                     \
      "a longer input line is an error (default: 1G)")                                                           \
    X(MAX_INPUT_BYTES, "max-input-bytes", PIPE_ARG_SIZE, "--max-input-bytes N",                                  \
      "more input than this is an error (default: no limit)")                                                    \
    X(TIMEOUT, "timeout", PIPE_ARG_DURATION, "--timeout T",                                                      \
      "stop with an error after T: 500ms, 10s, 2m, 1h (default: none)")                                          \
    X(TRACE, "trace", PIPE_ARG_FILE, "--trace FILE",                                                             \
      "append a JSON-lines trace of the run to FILE (- for stderr)")                                             \
    X(RUN_ID, "run-id", PIPE_ARG_UUID, "--run-id ID",                                                            \
      "the run's ID (a UUID) for traces and messages (default: a new UUIDv7)")                                   \
    X(VERSION, "version", PIPE_ARG_NONE, "--version",                                                            \
      "pipec version and SHA-256 of the script this was built from")                                             \
    X(HELP, "help", PIPE_ARG_NONE, "-h, --help",                                                                 \
      "show this help")

#define PIPE_OPT_ID(id, name, arg, label, help) PIPE_OPT_##id,
typedef enum PipeOptId { PIPE_RUN_OPTIONS(PIPE_OPT_ID) PIPE_NRUN_OPTIONS } PipeOptId;
#undef PIPE_OPT_ID

typedef struct PipeRunOption {
    PipeOptId id;
    const char *name; /* without the leading "--" */
    PipeOptArg arg;
    const char *label, *help;
} PipeRunOption;

/* Every run option, indexed by its PipeOptId (runtime/options.c). */
extern const PipeRunOption pipe_run_options[PIPE_NRUN_OPTIONS];

#endif
