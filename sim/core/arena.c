/*
 * arena.c - bump allocation in chunks; see arena.h.
 *
 * The model loader makes many small allocations (names, paths, action
 * lists) whose lifetime is the run, and the run is over when they all go.
 * Carving them from 64 KiB chunks costs a pointer bump each and frees in
 * one pass, with no per-object header.  Sizes are rounded up to the
 * alignment of max_align_t so that every pointer is aligned for any type.
 *
 * Under AddressSanitizer the unused part of each chunk stays poisoned
 * until it is handed out, so a write past the end of the last allocation
 * is reported (core/sanitize.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/sanitize.h"
#include "core/xalloc.h"

#define ARENA_ALIGN		_Alignof(max_align_t)
#define ARENA_CHUNK_DEFAULT	(64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t		 bytes;		/* of data[] */
	max_align_t	 data[];
};

void
arena_init(struct arena *a, size_t chunk_size)
{
	memset(a, 0, sizeof(*a));
	a->chunk_size = chunk_size;
}

void
arena_release(struct arena *a)
{
	struct arena_chunk *ch, *next;
	size_t chunk_size = a->chunk_size;

	for (ch = a->chunks; ch != NULL; ch = next) {
		next = ch->next;
		SAN_UNPOISON(ch->data, ch->bytes);
		free(ch);
	}
	arena_init(a, chunk_size);
}

static struct arena_chunk *
chunk_new(size_t bytes)
{
	struct arena_chunk *ch;

	if (bytes > SIZE_MAX - sizeof(*ch))
		die("arena: allocation of %zu bytes overflows", bytes);
	ch = xmalloc(sizeof(*ch) + bytes);
	ch->bytes = bytes;
	SAN_POISON(ch->data, bytes);
	return ch;
}

/*
 * A chunk of its own for a large request, linked behind the newest chunk
 * so that the newest one keeps serving small requests.
 */
static void *
alloc_large(struct arena *a, size_t size)
{
	struct arena_chunk *ch = chunk_new(size);

	if (a->chunks == NULL) {
		ch->next = NULL;
		a->chunks = ch;
	} else {
		ch->next = a->chunks->next;
		a->chunks->next = ch;
	}
	return ch->data;
}

/* Start a new current chunk of the arena's chunk size. */
static void
chunk_push(struct arena *a, size_t chunk)
{
	struct arena_chunk *ch = chunk_new(chunk);

	ch->next = a->chunks;
	a->chunks = ch;
	a->ptr = (char *)ch->data;
	a->end = a->ptr + chunk;
}

void *
arena_alloc(struct arena *a, size_t size)
{
	size_t chunk = a->chunk_size != 0 ? a->chunk_size : ARENA_CHUNK_DEFAULT;
	size_t avail = a->ptr == NULL ? 0 : (size_t)(a->end - a->ptr);
	void *p;

	if (size > SIZE_MAX - ARENA_ALIGN)
		die("arena: allocation of %zu bytes overflows", size);
	size = size == 0 ? ARENA_ALIGN :
	    (size + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
	if (size > avail && size > chunk / 4) {
		p = alloc_large(a, size);
	} else {
		if (size > avail)
			chunk_push(a, chunk);
		p = a->ptr;
		a->ptr += size;
	}
	a->used += size;
	SAN_UNPOISON(p, size);
	return p;
}

void *
arena_zalloc(struct arena *a, size_t size)
{
	void *p = arena_alloc(a, size);

	memset(p, 0, size);
	return p;
}

void *
arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		die("allocation overflow: %zu x %zu bytes", nmemb, size);
	return arena_zalloc(a, nmemb * size);
}

void *
arena_memdup(struct arena *a, const void *src, size_t size)
{
	void *p = arena_alloc(a, size);

	if (size != 0)
		memcpy(p, src, size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = arena_alloc(a, len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, SIZE_MAX);
}

size_t
arena_used(const struct arena *a)
{
	return a->used;
}
