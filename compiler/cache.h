/* cache.h — the build cache: the runtime's object, compiled once per runtime
 * text and compiler command ($PIPEC_CACHE_DIR, $XDG_CACHE_HOME/pipec or
 * ~/.cache/pipec). */
#ifndef PIPEC_CACHE_H
#define PIPEC_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The runtime text (len bytes) compiled with the compiler command cc (ncc
 * words), from the cache or compiled into it now (heap path); NULL when there
 * is no usable cache folder. */
char *cache_runtime(char **cc, int ncc, const char *text, size_t len);
/* The cache folder's path in dir[size] ($PIPEC_CACHE_DIR, $XDG_CACHE_HOME/pipec
 * or ~/.cache/pipec; not made); false when none is set. */
bool cache_dir(char *dir, size_t size);
/* mkdir -p path, each folder made with mode (less the umask): true when the
 * folder is there.  path is changed while it runs. */
bool cache_make_dirs(char *path, mode_t mode);
/* Keeps the keep files PREFIX*EXT of dir used last (by modification time: a
 * hit sets it) and removes the others, and other files PREFIX* (temporaries
 * of killed builds, markers) a day old or more. */
void cache_prune(const char *dir, const char *prefix, const char *ext, int keep);

#endif
