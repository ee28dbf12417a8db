/* schema.h — `pipec schema FILE`: infers the record declaration that
 * csv(T), tsv(T) or json(T) reads a file with (LANGUAGE.md §8). */
#ifndef PIPEC_SCHEMA_H
#define PIPEC_SCHEMA_H

/* `pipec schema FILE|- [--format csv|tsv|json] [--rows N]` with argv after
 * the word "schema": prints the declaration on stdout; returns the exit
 * code: 0 done, 1 the input cannot be read or is not of its format, 2 a
 * usage error. */
int schema_main(int argc, char **argv);

#endif
