/*
 * hist.c - log-linear latency histograms (the HdrHistogram layout, fixed
 * at 7 bits of sub-bucket precision).
 *
 * Every AUTH round trip, handler run and queue wait of a simulation is
 * recorded here, millions per run, so hist_record() is a handful of
 * integer operations: find the highest set bit, shift, add.  The layout:
 *
 *     index  0 .. 255            value itself (exact)
 *     index  256 + 128 (m - 8) + s, for 2^m <= v < 2^(m+1), 8 <= m < 40:
 *            s = (v >> (m - 7)) - 128, bucket [(128 + s) 2^(m-7),
 *            (129 + s) 2^(m-7) - 1], width 2^(m-7) <= v / 128
 *     index  4352                v > HIST_TRACK_MAX (overflow)
 *
 * The quantile walk and merging are linear in the 4,353 buckets, which is
 * fine for what calls them: reports and sweeps, once per histogram.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/hist.h"
#include "core/err.h"
#include "core/xalloc.h"

#define SUB_BITS	7
#define SUB		(1 << SUB_BITS)			/* 128 per octave */
#define EXACT		(2 * SUB)			/* 0..255 exact */
#define TOP_BIT		40				/* 2^40 overflows */
#define NOCTAVES	(TOP_BIT - (SUB_BITS + 1))	/* m = 8 .. 39 */
#define OVERFLOW	(EXACT + NOCTAVES * SUB)	/* 4352 */
#define NBUCKETS	(OVERFLOW + 1)

struct hist {
	uint64_t	 count;
	uint64_t	 overflow;
	int64_t		 min;		/* INT64_MAX when empty */
	int64_t		 max;		/* -1 when empty */
	uint64_t	 sum_lo;	/* the sum, in 128 bits */
	uint64_t	 sum_hi;
	uint64_t	 counts[NBUCKETS];
};

/* Index of the highest set bit of v > 0. */
static inline int
high_bit(uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
	return 63 - __builtin_clzll(v);
#else
	int m = 0;

	while (v >>= 1)
		m++;
	return m;
#endif
}

static inline size_t
bucket_of(uint64_t v)
{
	int m;

	if (v < EXACT)
		return (size_t)v;
	m = high_bit(v);
	if (m >= TOP_BIT)
		return OVERFLOW;
	return EXACT + (size_t)(m - SUB_BITS - 1) * SUB +
	    (size_t)((v >> (m - SUB_BITS)) - SUB);
}

/* The values bucket i holds, lo..hi; i < OVERFLOW. */
static void
bucket_range(size_t i, int64_t *lo, int64_t *hi)
{
	size_t j;
	int shift;

	if (i < EXACT) {
		*lo = *hi = (int64_t)i;
		return;
	}
	j = i - EXACT;
	shift = (int)(j / SUB) + 1;		/* m - SUB_BITS */
	*lo = (int64_t)((SUB + j % SUB) << shift);
	*hi = *lo + ((int64_t)1 << shift) - 1;
}

struct hist *
hist_new(void)
{
	struct hist *h = xmalloc(sizeof(*h));

	hist_reset(h);
	return h;
}

void
hist_free(struct hist *h)
{
	free(h);
}

void
hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = INT64_MAX;
	h->max = -1;
}

static inline void
sum_add(struct hist *h, uint64_t lo, uint64_t hi)
{
	h->sum_lo += lo;
	h->sum_hi += hi + (h->sum_lo < lo);
}

void
hist_record(struct hist *h, int64_t v)
{
	size_t i;

	if (v < 0)
		BUG("hist_record: negative value %lld", (long long)v);
	i = bucket_of((uint64_t)v);
	h->counts[i]++;
	h->overflow += i == OVERFLOW;
	h->count++;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	sum_add(h, (uint64_t)v, 0);
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	for (size_t i = 0; i < NBUCKETS; i++)
		dst->counts[i] += src->counts[i];
	dst->count += src->count;
	dst->overflow += src->overflow;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	sum_add(dst, src->sum_lo, src->sum_hi);
}

uint64_t
hist_count(const struct hist *h)
{
	return h->count;
}

uint64_t
hist_overflow(const struct hist *h)
{
	return h->overflow;
}

int64_t
hist_min(const struct hist *h)
{
	return h->count == 0 ? -1 : h->min;
}

int64_t
hist_max(const struct hist *h)
{
	return h->max;
}

double
hist_mean(const struct hist *h)
{
	if (h->count == 0)
		return 0;
	return (ldexp((double)h->sum_hi, 64) + (double)h->sum_lo) /
	    (double)h->count;
}

int
hist_sum(const struct hist *h, int64_t *sum)
{
	if (h->sum_hi != 0 || h->sum_lo > (uint64_t)INT64_MAX)
		return -1;
	*sum = (int64_t)h->sum_lo;
	return 0;
}

int64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0;
	int64_t lo, hi, mid;
	size_t i;

	if (!(q >= 0 && q <= 1))
		BUG("hist_quantile: q = %g is not in [0, 1]", q);
	if (h->count == 0)
		return -1;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank <= 1)
		return h->min;
	if (rank >= h->count)
		return h->max;
	for (i = 0; i < OVERFLOW; i++) {
		seen += h->counts[i];
		if (seen >= rank)
			break;
	}
	if (i == OVERFLOW)
		return h->max;
	bucket_range(i, &lo, &hi);
	mid = lo + (hi - lo) / 2;
	if (mid < h->min)
		return h->min;
	return mid > h->max ? h->max : mid;
}

int
hist_next(const struct hist *h, struct hist_iter *it,
    struct hist_bucket *b)
{
	while (it->next < NBUCKETS && h->counts[it->next] == 0)
		it->next++;
	if (it->next >= NBUCKETS)
		return 0;
	if (it->next == OVERFLOW) {
		b->lo = HIST_TRACK_MAX + 1;
		b->hi = h->max;
	} else {
		bucket_range(it->next, &b->lo, &b->hi);
	}
	b->count = h->counts[it->next++];
	return 1;
}
