/*
 * cal.c - the event calendar: a radix heap, and a binary heap to check it
 * against; see cal.h.
 *
 * Every simulated action of essim passes through here, so this is the
 * hottest code of the project: a typical run pushes and pops one node per
 * simulated step and cancels most deadline timers before they fire.  The
 * pending population is what is in flight (thousands, not millions).
 *
 * The radix heap (Ahuja, Mehlhorn, Orlin & Tarjan 1990) relies on pops
 * being monotone.  A time t is mapped to an unsigned key (sign bit
 * flipped, so that unsigned order is signed order) and keys are read as 8
 * digits of 8 bits.  A node of key k sits in bucket 0 when k equals
 * "last", the key of the last node popped; otherwise in the bucket named
 * by (the highest digit position where k and last differ, k's digit
 * there).  Bucket order is key order.  Bucket 0 is popped from directly.
 * When it is empty, last moves to the minimum of the lowest non-empty
 * bucket (each bucket tracks its minimum as nodes arrive), and that
 * bucket's nodes are redistributed into lower buckets.  A node only ever
 * moves down a level, so it moves at most 8 times, and on PHOLD with 1000
 * pending events about twice.  Wider digits mean fewer moves but more
 * buckets to keep in cache: 1, 2, 3, 4, 5, 6 and 8 bits were measured,
 * and 8 was the fastest for up to ~10^4 pending nodes (4 wins from ~10^5;
 * see bench/README.md).
 *
 * A bucket is an array of (key, node) slots rather than a linked list:
 * redistribution then reads memory in order instead of chasing pointers
 * (lists were measured 1.4x slower).  Each node records its slot (pos),
 * so cancelling is O(1): the slot is emptied (a tombstone), and a bucket
 * that becomes mostly tombstones is compacted.
 * Cancelling the minimum of a bucket marks its minimum stale; it is
 * recomputed, by one scan, only if that bucket is redistributed.  A
 * bucket that empties keeps an array of up to 64 slots (16 bytes each) for
 * reuse and frees a larger one, so memory follows the nodes pending, plus
 * at most 2 MiB of small arrays (measured: no loss of speed on PHOLD, and
 * 0.5 MiB instead of 3.5 MiB when every bucket kept its peak).
 *
 * Ties.  Every bucket is kept in seq order: a push appends a node whose
 * seq is larger than any other pending node, and a redistribution walks
 * its bucket in order and appends to buckets that are all empty at that
 * moment (they are below the lowest non-empty one).  Each target receives
 * an ordered subsequence, and equal keys leave bucket 0 in the order they
 * were pushed, with no sorting at all.  Tombstones and compaction keep
 * the order of the rest.
 *
 * The binary heap is the plain array of node pointers, each node holding
 * its index for O(log n) cancellation; the tests check the two against a
 * sorted reference and each other.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cal.h"
#include "core/err.h"
#include "core/xalloc.h"

#define KEY_BIAS	((uint64_t)1 << 63)

static inline uint64_t
key_of(int64_t t)
{
	return (uint64_t)t ^ KEY_BIAS;
}

static inline int64_t
time_of(uint64_t k)
{
	return (int64_t)(k ^ KEY_BIAS);
}

/* Index of the highest set bit of x != 0. */
static inline unsigned
highest_bit(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
	return 63 - (unsigned)__builtin_clzll(x);
#else
	unsigned n = 0;

	while (x >>= 1)
		n++;
	return n;
#endif
}

/* Index of the lowest set bit of x != 0. */
static inline unsigned
lowest_bit(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
	return (unsigned)__builtin_ctzll(x);
#else
	unsigned n = 0;

	while ((x & 1) == 0) {
		x >>= 1;
		n++;
	}
	return n;
#endif
}

void
cal_node_init(struct cal_node *n)
{
	memset(n, 0, sizeof(*n));
}

void
cal_init_kind(struct cal *c, enum cal_kind kind)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->last = key_of(INT64_MIN);
	for (int b = 0; b < CAL_NBUCKETS; b++)
		c->bucket[b].min = UINT64_MAX;
}

void
cal_init(struct cal *c)
{
	cal_init_kind(c, CAL_RADIX);
}

void
cal_release(struct cal *c)
{
	for (int b = 0; b < CAL_NBUCKETS; b++)
		free(c->bucket[b].ent);
	free(c->heap);
	cal_init_kind(c, c->kind);
}

/* ---- radix heap ------------------------------------------------------- */

/* A node's pos: bucket + 1 in the low POS_BITS bits, slot index above. */
#define POS_BITS	12
#define POS_MASK	(((size_t)1 << POS_BITS) - 1)
_Static_assert(CAL_NBUCKETS < (1 << POS_BITS), "POS_BITS too small");

static inline size_t
pos_make(unsigned b, size_t i)
{
	return (i << POS_BITS) | (b + 1);
}

#define RADIX	(1u << CAL_DIGIT_BITS)

/*
 * The bucket of key k when the last key popped is last (k >= last): 0 if
 * they are equal, else 1 + level * RADIX + digit, where level is the
 * digit position of the highest bit in which they differ and digit is k's
 * digit there.  Bucket order is key order.
 */
static inline unsigned
radix_index(uint64_t k, uint64_t last)
{
	unsigned level;

	if (k == last)
		return 0;
	level = highest_bit(k ^ last) / CAL_DIGIT_BITS;
	return 1 + level * RADIX +
	    (unsigned)((k >> (level * CAL_DIGIT_BITS)) & (RADIX - 1));
}

static inline void
mask_set(struct cal *c, unsigned b)
{
	c->mask[(b - 1) / 64] |= (uint64_t)1 << ((b - 1) % 64);
}

static inline void
mask_clear(struct cal *c, unsigned b)
{
	c->mask[(b - 1) / 64] &= ~((uint64_t)1 << ((b - 1) % 64));
}

/* The lowest non-empty bucket above 0, or 0 if there is none. */
static inline unsigned
radix_lowest(const struct cal *c)
{
	for (unsigned w = 0; w < CAL_MASK_WORDS; w++)
		if (c->mask[w] != 0)
			return 1 + w * 64 + lowest_bit(c->mask[w]);
	return 0;
}

/*
 * An emptied bucket keeps its array if it has at most KEEP_SLOTS slots, so
 * that refilling it costs no allocation; larger arrays go back to malloc,
 * so that memory follows the nodes pending, not every bucket's peak.
 */
#define KEEP_SLOTS	64

static void
bucket_grow(struct cal_bucket *bk)
{
	size_t cap = bk->cap < 16 ? 16 : (size_t)bk->cap * 2;

	if (cap > UINT32_MAX)
		die("calendar: more than %lu nodes at one level",
		    (unsigned long)UINT32_MAX);
	bk->ent = xreallocarray(bk->ent, cap, sizeof(*bk->ent));
	bk->cap = (uint32_t)cap;
}

/* First slot of bucket b still in use: only bucket 0 is popped from. */
static inline uint32_t
bucket_head(const struct cal *c, unsigned b)
{
	return b == 0 ? c->head0 : 0;
}

static inline void
bucket_reset(struct cal *c, unsigned b)
{
	struct cal_bucket *bk = &c->bucket[b];

	bk->len = bk->dead = bk->stale = 0;
	bk->min = UINT64_MAX;
	if (bk->cap > KEEP_SLOTS) {
		free(bk->ent);
		bk->ent = NULL;
		bk->cap = 0;
	}
	if (b == 0)
		c->head0 = 0;
	else
		mask_clear(c, b);
}

/* Append (k, n) to bucket b; b == 0 iff k == c->last. */
static inline void
radix_append(struct cal *c, unsigned b, uint64_t k, struct cal_node *n)
{
	struct cal_bucket *bk = &c->bucket[b];
	uint32_t i = bk->len;

	if (i == bk->cap)
		bucket_grow(bk);
	if (b != 0) {
		/* A conditional move, not a jump: this is unpredictable. */
		bk->min = k < bk->min ? k : bk->min;
		mask_set(c, b);
	}
	bk->ent[i].key = k;
	bk->ent[i].node = n;
	bk->len = i + 1;
	n->pos = pos_make(b, i);
}

static inline void
radix_insert(struct cal *c, struct cal_node *n, uint64_t k)
{
	radix_append(c, radix_index(k, c->last), k, n);
}

/* Squeeze the cancelled slots out of bucket b, keeping the order. */
static void
bucket_compact(struct cal *c, unsigned b)
{
	struct cal_bucket *bk = &c->bucket[b];
	uint32_t j = 0;

	for (uint32_t i = bucket_head(c, b); i < bk->len; i++) {
		if (bk->ent[i].node == NULL)
			continue;
		bk->ent[j] = bk->ent[i];
		bk->ent[j].node->pos = pos_make(b, j);
		j++;
	}
	if (b == 0)
		c->head0 = 0;
	bk->len = j;
	bk->dead = 0;
}

static void
radix_remove(struct cal *c, struct cal_node *n)
{
	unsigned b = (unsigned)(n->pos & POS_MASK) - 1;
	struct cal_bucket *bk = &c->bucket[b];
	struct cal_ent *e = &bk->ent[n->pos >> POS_BITS];
	uint32_t live;

	e->node = NULL;
	bk->dead++;
	c->size--;
	live = bk->len - bucket_head(c, b) - bk->dead;
	if (live == 0) {
		bucket_reset(c, b);
		return;
	}
	if (b != 0 && e->key == bk->min)
		bk->stale = 1;
	if (bk->dead > 32 && bk->dead > live)
		bucket_compact(c, b);
}

/* Smallest live key of bucket b > 0 (not empty), recomputed if stale. */
static uint64_t
radix_min(struct cal *c, unsigned b)
{
	struct cal_bucket *bk = &c->bucket[b];
	uint64_t min = UINT64_MAX;

	if (!bk->stale)
		return bk->min;
	for (uint32_t i = 0; i < bk->len; i++)
		if (bk->ent[i].node != NULL && bk->ent[i].key < min)
			min = bk->ent[i].key;
	bk->min = min;
	bk->stale = 0;
	return min;
}

/*
 * Move last to key, the smallest key of bucket b > 0, and move every node
 * of bucket b to a lower bucket, in order.  The lower buckets are all
 * empty.
 */
static void
radix_redistribute(struct cal *c, unsigned b, uint64_t key)
{
	struct cal_bucket *bk = &c->bucket[b];
	struct cal_ent *ent = bk->ent;
	uint32_t len = bk->len;

	c->last = key;
	for (uint32_t i = 0; i < len; i++) {
		struct cal_ent e = ent[i];

		if (e.node != NULL)
			radix_append(c, radix_index(e.key, key), e.key,
			    e.node);
	}
	bucket_reset(c, b);
}

/* First live slot of bucket 0 (not empty); cancelled ones are dropped. */
static inline struct cal_ent *
radix_first(struct cal *c)
{
	struct cal_bucket *bk = &c->bucket[0];

	while (bk->ent[c->head0].node == NULL) {
		c->head0++;
		bk->dead--;
	}
	return &bk->ent[c->head0];
}

static struct cal_node *
radix_pop_until(struct cal *c, int64_t until)
{
	struct cal_bucket *bk = &c->bucket[0];
	struct cal_node *n;

	if (bk->len == 0) {
		unsigned b = radix_lowest(c);
		uint64_t min;

		if (b == 0)
			return NULL;
		min = radix_min(c, b);
		if (time_of(min) > until)
			return NULL;
		radix_redistribute(c, b, min);
	} else if (time_of(c->last) > until) {
		return NULL;
	}
	n = radix_first(c)->node;
	c->head0++;
	c->size--;
	if (c->head0 == bk->len - bk->dead)
		bucket_reset(c, 0);
	return n;
}

static struct cal_node *
radix_peek(struct cal *c)
{
	struct cal_bucket *bk;
	uint64_t min;
	unsigned b;

	if (c->bucket[0].len != 0)
		return radix_first(c)->node;
	b = radix_lowest(c);
	if (b == 0)
		return NULL;
	bk = &c->bucket[b];
	min = radix_min(c, b);
	for (size_t i = 0;; i++)
		if (bk->ent[i].node != NULL && bk->ent[i].key == min)
			return bk->ent[i].node;
}

/* ---- binary heap ------------------------------------------------------ */

static inline int
before(const struct cal_node *a, const struct cal_node *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline void
heap_place(struct cal *c, struct cal_node *n, size_t i)
{
	c->heap[i] = n;
	n->pos = i + 1;
}

static void
heap_sift_up(struct cal *c, struct cal_node *n, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!before(n, c->heap[parent]))
			break;
		heap_place(c, c->heap[parent], i);
		i = parent;
	}
	heap_place(c, n, i);
}

static void
heap_sift_down(struct cal *c, struct cal_node *n, size_t i)
{
	size_t size = c->size;

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= size)
			break;
		if (child + 1 < size &&
		    before(c->heap[child + 1], c->heap[child]))
			child++;
		if (!before(c->heap[child], n))
			break;
		heap_place(c, c->heap[child], i);
		i = child;
	}
	heap_place(c, n, i);
}

static void
heap_push(struct cal *c, struct cal_node *n)
{
	XGROW(c->heap, c->size + 1, c->alloc);
	heap_sift_up(c, n, c->size);
}

/* Remove the node at index i. */
static void
heap_remove_at(struct cal *c, size_t i)
{
	struct cal_node *last = c->heap[--c->size];

	if (i == c->size)
		return;
	if (i > 0 && before(last, c->heap[(i - 1) / 2]))
		heap_sift_up(c, last, i);
	else
		heap_sift_down(c, last, i);
}

static struct cal_node *
heap_pop_until(struct cal *c, int64_t until)
{
	struct cal_node *n;

	if (c->size == 0 || c->heap[0]->time > until)
		return NULL;
	n = c->heap[0];
	heap_remove_at(c, 0);
	return n;
}

/* ---- the interface ---------------------------------------------------- */

void
cal_push(struct cal *c, struct cal_node *n, int64_t t)
{
	uint64_t k = key_of(t);

	if (n->pos != 0)
		BUG("cal_push: node is already pending");
	if (k < c->last)
		BUG("cal_push: time %lld is before the last popped time %lld",
		    (long long)t, (long long)time_of(c->last));
	n->time = t;
	n->seq = c->seq++;
	if (c->kind == CAL_RADIX)
		radix_insert(c, n, k);
	else
		heap_push(c, n);
	c->size++;
}

struct cal_node *
cal_pop_until(struct cal *c, int64_t until)
{
	struct cal_node *n;

	if (c->kind == CAL_RADIX)
		n = radix_pop_until(c, until);
	else
		n = heap_pop_until(c, until);
	if (n == NULL)
		return NULL;
	c->last = key_of(n->time);
	n->pos = 0;
	return n;
}

struct cal_node *
cal_pop(struct cal *c)
{
	return cal_pop_until(c, INT64_MAX);
}

struct cal_node *
cal_peek(struct cal *c)
{
	if (c->kind == CAL_RADIX)
		return radix_peek(c);
	return c->size == 0 ? NULL : c->heap[0];
}

int64_t
cal_peek_time(struct cal *c)
{
	struct cal_node *n = cal_peek(c);

	return n == NULL ? INT64_MAX : n->time;
}

void
cal_cancel(struct cal *c, struct cal_node *n)
{
	if (n->pos == 0)
		BUG("cal_cancel: node is not pending");
	if (c->kind == CAL_RADIX)
		radix_remove(c, n);
	else
		heap_remove_at(c, n->pos - 1);
	n->pos = 0;
}
