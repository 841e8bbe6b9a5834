/*
 * idmap.c - id -> pointer map; see idmap.h.
 *
 * Keys are hashed with splitmix64's finaliser (the world's ids are
 * consecutive integers, which linear probing would otherwise cluster).
 * Deletion shifts the following entries of the run back into the hole
 * (Knuth 6.4, algorithm R), so lookups never meet tombstones.
 */
#include <stdlib.h>

#include "analysis/idmap.h"
#include "core/err.h"
#include "core/xalloc.h"

static size_t
slot(uint64_t k, size_t cap)
{
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ULL;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebULL;
	k ^= k >> 31;
	return (size_t)k & (cap - 1);
}

void
idmap_release(struct idmap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}

void *
idmap_get(const struct idmap *m, uint64_t key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = slot(key, m->cap); m->keys[i] != 0; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return m->vals[i];
	return NULL;
}

static void
insert(uint64_t *keys, void **vals, size_t cap, uint64_t key, void *val)
{
	size_t i = slot(key, cap);

	while (keys[i] != 0 && keys[i] != key)
		i = (i + 1) & (cap - 1);
	keys[i] = key;
	vals[i] = val;
}

static void
grow(struct idmap *m)
{
	size_t cap = m->cap == 0 ? 64 : m->cap * 2;
	uint64_t *keys = xcalloc(cap, sizeof(*keys));
	void **vals = xcalloc(cap, sizeof(*vals));

	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i] != 0)
			insert(keys, vals, cap, m->keys[i], m->vals[i]);
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
}

void
idmap_put(struct idmap *m, uint64_t key, void *val)
{
	size_t i;

	if (key == 0 || val == NULL)
		BUG("idmap_put: zero key or NULL value");
	if (2 * (m->n + 1) > m->cap)
		grow(m);
	for (i = slot(key, m->cap); m->keys[i] != 0; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return;
		}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
}

void *
idmap_del(struct idmap *m, uint64_t key)
{
	size_t mask = m->cap - 1, i, j, h;
	void *val;

	if (m->cap == 0)
		return NULL;
	for (i = slot(key, m->cap); m->keys[i] != key; i = (i + 1) & mask)
		if (m->keys[i] == 0)
			return NULL;
	val = m->vals[i];
	/* Shift back every entry of the run that may live in the hole. */
	for (j = (i + 1) & mask; m->keys[j] != 0; j = (j + 1) & mask) {
		h = slot(m->keys[j], m->cap);
		if (((j - h) & mask) >= ((j - i) & mask)) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			i = j;
		}
	}
	m->keys[i] = 0;
	m->vals[i] = NULL;
	m->n--;
	return val;
}

int
idmap_next(const struct idmap *m, size_t *pos, uint64_t *key, void **val)
{
	for (; *pos < m->cap; (*pos)++)
		if (m->keys[*pos] != 0) {
			*key = m->keys[*pos];
			*val = m->vals[*pos];
			(*pos)++;
			return 1;
		}
	return 0;
}
