/* repl.h — `pipec repl`: an interactive session that keeps definitions and
 * stream bindings, and JIT-compiles and runs each flow typed against a sample. */
#ifndef PIPEC_REPL_H
#define PIPEC_REPL_H

/* Runs the session on standard input (with line editing and history when it is
 * a terminal; silently, for scripts, when it is not).  argv: an optional
 * .pipe file to load first.  Returns the exit code: 0 at :quit or end of input,
 * 2 on a usage error. */
int repl_main(int argc, char **argv);

#endif
