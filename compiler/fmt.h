/* fmt.h — `pipec fmt`: prints a script's tree in the one canonical layout,
 * with every comment kept, and the command that rewrites or checks files. */
#ifndef PIPEC_FMT_H
#define PIPEC_FMT_H

#include <stddef.h>

#include "diag.h"

/* The canonical text of file file_id of d (malloc'd; its length in *len), or
 * NULL after reporting to d: syntax errors, or (a bug) a layout that would
 * change the tree or lose a comment — checked on every call by parsing it back. */
char *fmt_format(Diag *d, int file_id, size_t *len);

/* `pipec fmt [--check] FILE... | -` with argv after the word "fmt"; returns
 * the exit code: 0 done (or all canonical), 1 --check found files to change,
 * 2 syntax or usage errors (such files are left alone). */
int fmt_main(int argc, char **argv);

#endif
