/* rot13.c — spec4.pipe declares `extern proc rot13 ... from "rot13.c"` as
 * LANGUAGE.md §4 does, but never uses it: the file need only exist (the
 * working extern proc is examples/rot13.c). */
