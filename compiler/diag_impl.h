/* diag_impl.h — what the diagnostics module's files (diag.c, diag_codes.c,
 * diag_json.c) share and nothing else uses. */
#ifndef PIPEC_DIAG_IMPL_H
#define PIPEC_DIAG_IMPL_H

#include "buf.h" /* xrealloc */
#include "diag.h"

/* The length of the UTF-8 character at p (n bytes there), or 0 when it is
 * not valid UTF-8 or a C1 control (U+0080..U+009F, which terminals obey). */
size_t diag_utf8_len(const unsigned char *p, size_t n);
/* Gives r, the last record of d made from the template fmt, the code of
 * diag_codes.c's table when it has none, and the table's fix-it if any. */
void diag_classify(Diag *d, DiagRecord *r, const char *fmt);

#endif
