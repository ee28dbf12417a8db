/* buf.h — a growing NUL-terminated byte buffer, and realloc that ends pipec
 * when memory runs out: for the modules that build text (the REPL). */
#ifndef PIPEC_BUF_H
#define PIPEC_BUF_H

#include <stddef.h>

typedef struct Buf {
    char *p; /* NUL-terminated when not NULL; the owner frees it */
    size_t n, cap;
} Buf;

/* realloc (of n bytes, at least one) that ends pipec (exit 1) when it fails. */
void *xrealloc(void *p, size_t n);
/* Appends the n bytes at s. */
void buf_add(Buf *b, const char *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
