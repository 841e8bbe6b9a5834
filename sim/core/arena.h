/*
 * arena.h - a bump allocator for data that lives as long as a run: the
 * loaded model, its names and paths, interned strings.
 *
 * Allocations are carved from chunks in order and are never freed one by
 * one; arena_release() frees them all at once (git's mem_pool, SQLite's
 * lookaside).  Every pointer returned is aligned for any type
 * (max_align_t).  A request larger than a quarter of the chunk size gets a
 * chunk of its own, so big tables do not waste the current chunk.
 *
 * Never returns NULL: out of memory dies in xmalloc.  All operations are
 * O(1) except the copies, O(length).
 */
#ifndef ESSIM_CORE_ARENA_H
#define ESSIM_CORE_ARENA_H

#include <stddef.h>

struct arena_chunk;

/* Open so that it can be embedded; every field is private. */
struct arena {
	struct arena_chunk *chunks;
	char		*ptr;		/* free space in newest chunk */
	char		*end;
	size_t		 chunk_size;
	size_t		 used;		/* handed out, with padding */
};

/* An arena with the default chunk size, usable without arena_init(). */
#define ARENA_INIT	{ NULL, NULL, NULL, 0, 0 }

/* Initialise an empty arena; chunk_size 0 picks the default (64 KiB). */
void	arena_init(struct arena *a, size_t chunk_size);

/* Free everything allocated; the arena is empty and usable again. */
void	arena_release(struct arena *a);

/* size bytes (0 is allowed and gives a distinct pointer), uninitialised. */
void	*arena_alloc(struct arena *a, size_t size);
/* Same, zeroed. */
void	*arena_zalloc(struct arena *a, size_t size);
/* nmemb * size bytes, zeroed; dies on overflow like xcalloc. */
void	*arena_calloc(struct arena *a, size_t nmemb, size_t size);

/* Copy of s, or of its first n bytes (stopping at NUL), NUL-terminated. */
char	*arena_strdup(struct arena *a, const char *s);
char	*arena_strndup(struct arena *a, const char *s, size_t n);
/* Copy of size bytes at p. */
void	*arena_memdup(struct arena *a, const void *p, size_t size);

/* Bytes handed out so far, alignment padding included. */
size_t	arena_used(const struct arena *a);

#endif /* ESSIM_CORE_ARENA_H */
