/* reference.h — the reference of every standard stage and function: the
 * signature from the table of builtins.c, a one-line meaning and an example
 * with its output (reference.c).  `pipec help NAME`, `:help NAME` in the
 * REPL, docs/reference.md (`pipec help --markdown`) and a test that runs
 * every example (`pipec help --examples DIR`) all read it. */
#ifndef PIPEC_REFERENCE_H
#define PIPEC_REFERENCE_H

#include <stdbool.h>
#include <stdio.h>

/* Prints the reference of every stage and function called name to out (a
 * name may be both: `split`); false when there is none. */
bool reference_print(FILE *out, const char *name);

/* The nearest name of the reference to name (a misspelling of it), or NULL. */
const char *reference_nearest(const char *name);

/* For a call of the standard function fn with found arguments where it takes
 * min to max: "; missing 'start': substr(s: str, start: int, length: int?) ->
 * str" (found < min; max when found is more), into buf; false when fn has no
 * entry. */
bool reference_arity_note(const char *fn, int found, int min, char *buf, size_t cap);

/* `pipec help [NAME | --markdown | --examples DIR | --check]`; returns the
 * exit code (2 after a usage error or an unknown name, reported on err). */
int reference_main(int argc, char **argv, FILE *out, FILE *err);

#endif
