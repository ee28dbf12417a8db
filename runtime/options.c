/* options.c — the table of run options (options_impl.h), the one place the
 * runtime's parser, its --help and the compiler's name check read them. */
#include "options_impl.h"

#define PIPE_OPT_ROW(id, name, arg, label, help) {PIPE_OPT_##id, name, arg, label, help},
const PipeRunOption pipe_run_options[PIPE_NRUN_OPTIONS] = {PIPE_RUN_OPTIONS(PIPE_OPT_ROW)};
#undef PIPE_OPT_ROW
