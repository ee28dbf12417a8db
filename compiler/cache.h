/* cache.h — the build cache: the runtime's object, compiled once per runtime
 * text and compiler command ($PIPEC_CACHE_DIR, $XDG_CACHE_HOME/pipec or
 * ~/.cache/pipec). */
#ifndef PIPEC_CACHE_H
#define PIPEC_CACHE_H

#include <stddef.h>

/* The runtime text (len bytes) compiled with the compiler command cc (ncc
 * words), from the cache or compiled into it now (heap path); NULL when there
 * is no usable cache folder. */
char *cache_runtime(char **cc, int ncc, const char *text, size_t len);

#endif
