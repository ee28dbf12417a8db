/* sha256.h — SHA-256 (FIPS 180-4), for the provenance of built programs: the
 * hash of the script (and of its imports) that a binary and its traces carry. */
#ifndef PIPEC_SHA256_H
#define PIPEC_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct Sha256 {
    uint32_t h[8];      /* the chaining state */
    uint64_t len;       /* bytes hashed so far */
    unsigned char blk[64];
    size_t nblk;        /* bytes waiting in blk */
} Sha256;

/* Starts a hash. */
void sha256_init(Sha256 *c);
/* Hashes n more bytes of data (any split of a message gives the same digest). */
void sha256_update(Sha256 *c, const void *data, size_t n);
/* Pads, finishes and writes the 32-byte digest; c must be initialised again before reuse. */
void sha256_final(Sha256 *c, unsigned char digest[32]);
/* The digest of data[0, n) as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *data, size_t n, char hex[65]);

#endif
