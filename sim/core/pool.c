/*
 * pool.c - fixed-size object pools; see pool.h.
 *
 * The engine takes one event from a pool per scheduled action and gives it
 * back when the action runs or is cancelled, millions of times a second,
 * so get and put are a few instructions each, inline in pool.h.  This
 * file holds the slow path: carving objects from the newest chunk, one at
 * a time (a chunk is not threaded onto the free list up front, so memory
 * is touched only when it is used), and allocating chunks.
 *
 * The cap counts objects carved, which is the peak number live at once:
 * the free list is always used before carving, so carved == peak(live).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/pool.h"
#include "core/xalloc.h"

#define POOL_ALIGN	_Alignof(max_align_t)
#define POOL_CHUNK_BYTES (64 * 1024)

struct pool_chunk {
	struct pool_chunk *next;
	size_t		 bytes;		/* of the whole allocation */
	max_align_t	 data[];
};

void
pool_init(struct pool *p, size_t objsize, size_t per_chunk)
{
	memset(p, 0, sizeof(*p));
	if (objsize < sizeof(void *))
		objsize = sizeof(void *);
	if (objsize > SIZE_MAX - POOL_ALIGN)
		die("pool: object size %zu too large", objsize);
	p->objsize = (objsize + POOL_ALIGN - 1) / POOL_ALIGN * POOL_ALIGN;
	if (per_chunk == 0)
		per_chunk = POOL_CHUNK_BYTES / p->objsize;
	p->per_chunk = per_chunk == 0 ? 1 : per_chunk;
}

void
pool_set_cap(struct pool *p, size_t cap, const char *what,
    const char *setting)
{
	p->cap = cap;
	p->what = what;
	p->setting = setting;
}

void
pool_release(struct pool *p)
{
	struct pool_chunk *ch, *next;

	for (ch = p->chunks; ch != NULL; ch = next) {
		next = ch->next;
		SAN_UNPOISON(ch, ch->bytes);
		free(ch);
	}
	p->chunks = NULL;
	p->free = NULL;
	p->bump = p->end = NULL;
	p->live = p->carved = 0;
}

static void
pool_new_chunk(struct pool *p)
{
	size_t n = p->per_chunk;
	struct pool_chunk *ch;

	if (p->cap != 0 && n > p->cap - p->carved)
		n = p->cap - p->carved;
	if (n > (SIZE_MAX - sizeof(*ch)) / p->objsize)
		die("pool: chunk of %zu objects of %zu bytes overflows", n,
		    p->objsize);
	ch = xmalloc(sizeof(*ch) + n * p->objsize);
	ch->bytes = sizeof(*ch) + n * p->objsize;
	ch->next = p->chunks;
	p->chunks = ch;
	p->bump = (char *)ch->data;
	p->end = p->bump + n * p->objsize;
	SAN_POISON(p->bump, n * p->objsize);
}

void *
pool__carve(struct pool *p)
{
	void *obj;

	if (p->bump == p->end) {
		if (p->cap != 0 && p->carved >= p->cap)
			die("%s pool exhausted (%zu); raise %s",
			    p->what != NULL ? p->what : "object", p->cap,
			    p->setting != NULL ? p->setting : "its cap");
		pool_new_chunk(p);
	}
	obj = p->bump;
	p->bump += p->objsize;
	p->carved++;
	p->live++;
	SAN_UNPOISON(obj, p->objsize);
	return obj;
}

size_t
pool_footprint(const struct pool *p)
{
	size_t total = 0;

	for (const struct pool_chunk *ch = p->chunks; ch != NULL;
	    ch = ch->next)
		total += ch->bytes;
	return total;
}
