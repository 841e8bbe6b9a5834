/*
 * dist.h - distributions of durations, as models write them (DESIGN §4).
 *
 * Wherever a model takes a duration it also takes a distribution:
 *
 *     "2ms"                                      constant
 *     {"const": "2ms"}                           constant
 *     {"exp": "2ms"}                             exponential, that mean (> 0)
 *     {"uniform": ["1ms", "3ms"]}                integers LO..HI, inclusive
 *     {"lognormal": {"median": "2ms", "p99": "40ms"}}
 *                                                mu = ln median, sigma =
 *                                                ln(p99 / median) / z(0.99)
 *     {"empirical": "file.tsv"}                  values from a file
 *
 * The empirical file, relative to the model's directory, holds one value
 * per line (drawn uniformly), or "value<TAB>cumulative probability" lines:
 * a CDF, drawn by inverse transform with linear interpolation between its
 * points.  Values and probabilities never decrease, the last probability
 * is 1, and the first point's probability is a mass at its value ("5ms
 * 0.25" then "10ms 1": a quarter of the draws are 5ms, the rest spread
 * evenly over 5..10ms).  Values are durations with a unit or bare integers
 * in ns; probabilities are plain decimals ("0.25", "1"); lines starting
 * with '#' and empty lines are skipped; CRLF line ends are read.
 *
 * Samples are int64 ns, rounded to the nearest ns, never negative, clamped
 * to INT64_MAX.  A distribution draws only from the struct rng it is given,
 * so a fixed stream gives a fixed sequence.  struct dist is open so that
 * programs can embed it and dist_sample() stays cheap; treat its fields as
 * private.  An empirical distribution owns heap memory: do not copy a
 * struct dist by value, and call dist_release() once when done.
 */
#ifndef ESSIM_CORE_DIST_H
#define ESSIM_CORE_DIST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "core/rng.h"

/* z of the standard normal at 0.99, for the lognormal's sigma. */
#define DIST_Z99	2.3263478740408408

enum dist_kind {
	DIST_CONST,		/* a */
	DIST_EXP,		/* mean */
	DIST_UNIFORM,		/* a .. b inclusive */
	DIST_LOGNORMAL,		/* median a, p99 b; mu, sigma */
	DIST_EMPIRICAL,		/* v[0..n) drawn uniformly */
	DIST_CDF		/* (v[i], p[i]), i < n, p[n-1] = 1 */
};

struct dist {
	enum dist_kind	 kind;
	int64_t		 a, b;
	double		 mean;		/* DIST_EXP */
	double		 mu, sigma;	/* DIST_LOGNORMAL */
	size_t		 n;
	int64_t		*v;
	double		*p;
	char		*name;		/* empirical file name as written */
};

/*
 * Parse the JSON value j, found at JSON pointer ptr in the model file
 * "file", into d.  basedir is the directory empirical file names are
 * relative to (NULL or "" for the current directory; absolute names are
 * kept).  Returns 0, or -1 with e set and d left as the constant 0.
 * Errors in the JSON point at the bad value, nested where it is:
 *     m.json: /clients/acme/handler/AUTH_OPEN/0/cpu/uniform/1: upper
 *         bound 1ms is below lower bound 3ms
 * and errors inside an empirical file at "dir/file.tsv:LINE:COL".
 * Cost: O(1), or reading the file for empirical (O(n) memory, owned by d).
 */
int	dist_parse(struct dist *d, const json_t *j, const char *file,
	    const char *ptr, const char *basedir, struct err *e);

/*
 * A plain duration, not a distribution: j must be a duration string.
 * For keys such as "duration" or "deadline".  Errors as dist_parse().
 */
int	dist_parse_duration(const json_t *j, const char *file,
	    const char *ptr, int64_t *ns, struct err *e);

/*
 * A rate string ("200/s") as the distribution of the intervals between
 * events of a Poisson process: exponential with mean 1 / rate.  For
 * workload sources.  Errors as dist_parse().
 */
int	dist_parse_rate(struct dist *d, const json_t *j, const char *file,
	    const char *ptr, struct err *e);

/* Set d to the constant ns (>= 0), or to exponential of mean_ns (> 0). */
void	dist_init_const(struct dist *d, int64_t ns);
void	dist_init_exp(struct dist *d, double mean_ns);

/* Free what d owns; d becomes the constant 0. */
void	dist_release(struct dist *d);

/*
 * One draw, in ns.  O(1); O(log n) for an empirical CDF of n points.
 * Allocation-free.
 */
int64_t	dist_sample(const struct dist *d, struct rng *r);

/*
 * The distribution's mean in ns (of the distribution as written, before
 * clamping to INT64_MAX and rounding to whole ns).
 */
double	dist_mean_ns(const struct dist *d);

/*
 * 1 if every draw gives the same value (a constant, uniform [X, X],
 * lognormal with p99 = median, or an empirical file of one value), which
 * is stored in *ns if ns is not NULL; else 0.
 */
int	dist_is_const(const struct dist *d, int64_t *ns);

/* The largest value a draw can give: INT64_MAX for exp and lognormal. */
int64_t	dist_max_ns(const struct dist *d);

/*
 * Write d in its JSON model form ("2ms", {"exp": "2ms"}, ...), durations
 * formatted by units_format_duration(); an exponential mean that is not a
 * whole number of ns (from a rate) is rounded.  buf is NUL-terminated,
 * truncated if too small (128 bytes always suffice but for long
 * empirical file names).  Returns buf.
 */
char	*dist_format(const struct dist *d, char *buf, size_t n);

#endif /* ESSIM_CORE_DIST_H */
