/*
 * idmap.h - a map from the world's object ids (threads, messages, events,
 * requests, queues, locks: non-zero uint64) to pointers, for the probe
 * listeners of sim/analysis.
 *
 * The world numbers its short-lived objects from 1 and never reuses an
 * id, so a listener cannot index an array by id without its memory
 * growing with the length of the run.  This map holds only what is alive
 * (entries are removed when the object goes), in an open-addressing table
 * with linear probing and backward-shift deletion: no tombstones, so a
 * table that sees millions of insertions and removals stays as small as
 * its peak population.  Load factor at most 1/2; O(1) expected per call.
 * Iteration order is the table's, which depends only on the keys and the
 * order of operations: deterministic, but callers that report must sort.
 */
#ifndef ESSIM_ANALYSIS_IDMAP_H
#define ESSIM_ANALYSIS_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap {
	uint64_t	*keys;		/* 0: empty slot */
	void		**vals;
	size_t		 cap;		/* a power of two, or 0 */
	size_t		 n;
};

#define IDMAP_INIT	{ NULL, NULL, 0, 0 }

void	idmap_release(struct idmap *m);
/* The value of key (!= 0), or NULL. */
void	*idmap_get(const struct idmap *m, uint64_t key);
/* Set key (!= 0) to val (!= NULL), replacing any value. */
void	idmap_put(struct idmap *m, uint64_t key, void *val);
/* Remove key; returns its value or NULL. */
void	*idmap_del(struct idmap *m, uint64_t key);
/*
 * Visit every entry: *pos starts at 0; returns 1 with *key, *val set, or
 * 0 at the end.  The map must not change during the walk.
 */
int	idmap_next(const struct idmap *m, size_t *pos, uint64_t *key,
	    void **val);

#endif /* ESSIM_ANALYSIS_IDMAP_H */
