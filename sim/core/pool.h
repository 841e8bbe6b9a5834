/*
 * pool.h - fixed-size object pools: a free list over chunks of objects.
 *
 * Every object of a pool has the same size.  pool_get() takes the most
 * recently returned object (so the one the cache holds), or carves a new
 * one from the current chunk, or allocates a new chunk of per_chunk
 * objects.  Memory goes back to malloc only at pool_release().  Both fast
 * paths are inline and O(1); a chunk allocation is amortised over
 * per_chunk gets.
 *
 * pool_get() never returns NULL: out of memory dies in xmalloc, and a pool
 * with a cap dies when more than cap objects would be live at once,
 * naming the setting a user can raise (STYLE §8.6):
 *     essim: event pool exhausted (1048576); raise --max-events
 *
 * Under AddressSanitizer a returned object is poisoned until it is handed
 * out again, so a use after pool_put() is reported (core/sanitize.h).
 */
#ifndef ESSIM_CORE_POOL_H
#define ESSIM_CORE_POOL_H

#include <stddef.h>
#include <string.h>

#include "core/sanitize.h"

struct pool_chunk;

/* Open so that the fast paths can be inline; every field is private. */
struct pool {
	void		*free;		/* free list, through word 0 */
	char		*bump;		/* unused tail of newest chunk */
	char		*end;
	size_t		 objsize;	/* rounded up to max_align_t */
	size_t		 per_chunk;
	size_t		 live;		/* handed out, not put back */
	size_t		 carved;	/* live + on the free list */
	size_t		 cap;		/* 0: unlimited */
	const char	*what;
	const char	*setting;
	struct pool_chunk *chunks;
};

/*
 * Initialise an empty pool of objects of objsize bytes (0 is taken as 1),
 * aligned for any type.  per_chunk objects are allocated at a time; 0
 * picks about 64 KiB worth.  No memory is allocated yet.
 */
void	pool_init(struct pool *p, size_t objsize, size_t per_chunk);

/*
 * Allow at most cap objects live at once (0: no limit, the default).  Past
 * it, pool_get() dies with "WHAT pool exhausted (CAP); raise SETTING".
 * what and setting are borrowed and must outlive the pool.
 */
void	pool_set_cap(struct pool *p, size_t cap, const char *what,
	    const char *setting);

/*
 * Free every chunk.  Objects still live are freed with them: the pool's
 * owner must hold no pointer into it any more.  The pool may be
 * initialised again afterwards.
 */
void	pool_release(struct pool *p);

/* Slow path of pool_get(); not for direct use. */
void	*pool__carve(struct pool *p);

/* An object of the pool, uninitialised.  Never NULL. */
static inline void *
pool_get(struct pool *p)
{
	void *obj = p->free;

	if (obj == NULL)
		return pool__carve(p);
	SAN_UNPOISON(obj, p->objsize);
	memcpy(&p->free, obj, sizeof(void *));
	p->live++;
	return obj;
}

/*
 * Give obj (from pool_get() of the same pool) back.  obj is invalid
 * afterwards; its memory will be handed out again.
 */
static inline void
pool_put(struct pool *p, void *obj)
{
	memcpy(obj, &p->free, sizeof(void *));
	p->free = obj;
	p->live--;
	SAN_POISON(obj, p->objsize);
}

/* Objects handed out and not yet put back. */
static inline size_t
pool_live(const struct pool *p)
{
	return p->live;
}

/* Bytes obtained from malloc so far (chunks, headers included). */
size_t	pool_footprint(const struct pool *p);

#endif /* ESSIM_CORE_POOL_H */
