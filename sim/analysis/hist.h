/*
 * hist.h - latency histograms: log-linear buckets with bounded relative
 * error, exact count, min, max and sum.
 *
 * Values are non-negative int64 nanoseconds.  0..255 ns get one bucket
 * each (exact); above, every power of two [2^m, 2^(m+1)) is cut into 128
 * equal buckets, so a bucket is never wider than 1/128 of its lower bound.
 * Quantiles are reported at the bucket's midpoint, within 1/256 (0.39%)
 * of the exact order statistic: the 1% the reports promise, with room.
 * Buckets reach HIST_TRACK_MAX = 2^40 - 1 ns (about 18.3 minutes of
 * virtual time); larger values go to one overflow bucket, counted apart
 * (hist_overflow()), and a quantile that falls among them is reported as
 * the exact maximum.  Count, min, max and sum are exact for every value
 * (the sum is kept in 128 bits).
 *
 * Memory: 4353 uint64 counters, 34,824 bytes, plus 48 bytes of totals,
 * allocated once by hist_new(); recording never allocates.
 *
 * A negative value is a bug in the caller (time went backwards), not a
 * measurement: hist_record() stops the program with BUG() rather than
 * hide it in bucket 0.
 */
#ifndef ESSIM_ANALYSIS_HIST_H
#define ESSIM_ANALYSIS_HIST_H

#include <stddef.h>
#include <stdint.h>

#define HIST_TRACK_MAX	((INT64_C(1) << 40) - 1)

struct hist;

/* A new, empty histogram; never NULL (xmalloc). */
struct hist *hist_new(void);
void	hist_free(struct hist *h);

/* Record one value v >= 0.  O(1), allocation-free.  v < 0: BUG(). */
void	hist_record(struct hist *h, int64_t v);

/* Forget every value. */
void	hist_reset(struct hist *h);

/* Add everything recorded in src to dst (src is unchanged).  O(buckets). */
void	hist_merge(struct hist *dst, const struct hist *src);

/* Values recorded, and how many of them exceeded HIST_TRACK_MAX. */
uint64_t hist_count(const struct hist *h);
uint64_t hist_overflow(const struct hist *h);

/* Exact smallest and largest value; -1 when empty. */
int64_t	hist_min(const struct hist *h);
int64_t	hist_max(const struct hist *h);

/* Exact mean, rounded to double; 0 when empty. */
double	hist_mean(const struct hist *h);

/*
 * The exact sum in *sum when it fits in int64: returns 0, else -1 (*sum
 * untouched).
 */
int	hist_sum(const struct hist *h, int64_t *sum);

/*
 * The q-quantile, 0 <= q <= 1, of the values recorded: the nearest-rank
 * order statistic x_k, k = max(1, ceil(q * count)), reported within
 * x_k / 256 (see above; exact for q = 0, q = 1 and values below 256).
 * -1 when empty.  O(buckets): about 4,400 steps, for reports.  q outside
 * [0, 1] or NaN: BUG().
 */
int64_t	hist_quantile(const struct hist *h, double q);

/*
 * Iterating over the non-empty buckets, smallest first, for CDF plots and
 * the results database:
 *
 *     struct hist_iter it = HIST_ITER_INIT;
 *     struct hist_bucket b;
 *
 *     while (hist_next(h, &it, &b))
 *             use b.lo, b.hi, b.count;
 *
 * A bucket holds the values lo..hi inclusive; the overflow bucket is
 * reported as HIST_TRACK_MAX + 1 .. the exact maximum.  Recording while
 * iterating is allowed; new values may or may not be seen.
 */
struct hist_bucket {
	int64_t		 lo;
	int64_t		 hi;
	uint64_t	 count;
};

struct hist_iter {
	size_t		 next;
};

#define HIST_ITER_INIT	{ 0 }

/* Fill b with the next non-empty bucket and return 1; 0 at the end. */
int	hist_next(const struct hist *h, struct hist_iter *it,
	    struct hist_bucket *b);

#endif /* ESSIM_ANALYSIS_HIST_H */
