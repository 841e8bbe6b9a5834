/*
 * sha256.h - SHA-256 (FIPS 180-4), streaming.
 *
 * The trace store names every imported file by the SHA-256 of its content
 * so that importing the same recording twice adds nothing.  SQLite has no
 * hash function and the project links no crypto library, so this is a
 * small portable implementation; it is checked against the FIPS 180-4
 * test vectors in tests/test-tracedb.c.
 *
 * Cost: O(n) in the bytes hashed, a few hundred MB/s; O(1) memory.
 */
#ifndef ESSIM_TRACE_SHA256_H
#define ESSIM_TRACE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32		/* digest bytes */
#define SHA256_HEXLEN	65		/* 64 hex digits and a NUL */

struct sha256 {
	uint32_t	 h[8];
	uint64_t	 nbytes;	/* bytes hashed so far */
	uint8_t		 buf[64];	/* the partial block */
	size_t		 nbuf;
};

/* Start a new digest in s (caller-allocated). */
void	sha256_init(struct sha256 *s);
/* Hash n more bytes. */
void	sha256_update(struct sha256 *s, const void *data, size_t n);
/* Finish: write the 32-byte digest; s must be re-initialised to reuse. */
void	sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);
/* Lower-case hex of a digest into hex (SHA256_HEXLEN bytes). Returns hex. */
char	*sha256_hex(const uint8_t d[SHA256_LEN], char hex[SHA256_HEXLEN]);

#endif /* ESSIM_TRACE_SHA256_H */
