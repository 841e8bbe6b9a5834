/*
 * sweep-grid.h - the parameter grid of a sweep: what `--vary PTR=VALUES`
 * means, the order the grid points come in, and how a point patches a
 * model document.
 *
 * An axis is one --vary: an RFC 6901 JSON pointer into the model document
 * and the list of JSON values it takes.  VALUES is one of (docs/sweeps.md):
 *
 *     A..B:N        N values from A to B, evenly spaced (both ends kept)
 *     A..B:Nlog     N values from A to B, evenly spaced in log(value)
 *     V1,V2,...     a list; each item is JSON if it parses as JSON
 *                   (4, 0.5, true, null, "quoted", {"exp":"2ms"}) and a
 *                   string otherwise (15s, 200/s, /Library/Acme/)
 *
 * Range ends are plain numbers ("4..64:5": integers stay integers), rates
 * ("100/s..5000/s:20") or durations ("1ms..1s:4log").  Rates and durations
 * come out as strings in the unit of A ("357.894737/s", "10ms"), so the
 * patched model reads like one written by hand; durations are rounded to
 * whole nanoseconds and rates to six decimals.  A range that gives the
 * same value twice (integers rounded: "1..3:5") is refused.
 *
 * Points: the Cartesian product of the axes, the first axis varying
 * slowest, so point p has value index (p / stride[a]) % n[a] on axis a.
 * The order is fixed by the command line alone; sweeps, shards and
 * reports all count points the same way.
 *
 * Cost: every value is parsed once, when the axis is added; sg_apply()
 * is O(axes x pointer depth) plus a copy of each value.
 */
#ifndef ESSIM_OUT_SWEEP_GRID_H
#define ESSIM_OUT_SWEEP_GRID_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"

/* Bounds: points in one range, and runs in one sweep (points x seeds). */
#define SG_RANGE_MAX	100000
#define SG_RUNS_MAX	UINT64_C(1000000000)

struct sg_grid;

struct sg_grid	*sg_new(void);
void		 sg_free(struct sg_grid *g);

/*
 * Add the axis that "PTR=VALUES" describes (the argument of one --vary).
 * Returns 0, or -1 with e set ("--vary /a=1..x:3: range end "x" is not
 * a number, a rate or a duration").  Nothing is added on error.  The
 * pointer is not checked against any document here: sg_apply() does that.
 */
int		 sg_add_vary(struct sg_grid *g, const char *arg, struct err *e);

size_t		 sg_naxes(const struct sg_grid *g);
/* Axis a's pointer, and its --vary argument as given. */
const char	*sg_axis_pointer(const struct sg_grid *g, size_t a);
const char	*sg_axis_arg(const struct sg_grid *g, size_t a);
size_t		 sg_axis_nvalues(const struct sg_grid *g, size_t a);
/* Value i of axis a (borrowed; valid until sg_free). */
const json_t	*sg_axis_value(const struct sg_grid *g, size_t a, size_t i);

/* Points in the grid: the product of the axis sizes (1 with no axis). */
uint64_t	 sg_npoints(const struct sg_grid *g);
/* The value index of point p on axis a. */
size_t		 sg_point_index(const struct sg_grid *g, uint64_t p, size_t a);

/*
 * Patch doc with point p: each axis's value (a copy) is set at its
 * pointer, first axis first.  Returns 0, or -1 with e set when a pointer
 * does not lead into doc ("/machine/cpus/x: /machine/cpus is not in the
 * model").
 */
int		 sg_apply(const struct sg_grid *g, uint64_t p, json_t *doc,
		    struct err *e);

/*
 * The grid as JSON, for the results database: [{"pointer": P, "vary":
 * ARG, "values": [...]}, ...] in axis order.  New reference.  Two grids
 * with equal descriptions enumerate the same points in the same order.
 */
json_t		*sg_json(const struct sg_grid *g);

/*
 * Set the value at pointer ptr in doc to value (the reference is
 * stolen, even on error).  Every token but the last must exist; the
 * last may add a key to an object but must name an existing element of
 * an array.  Returns 0, or -1 with e set.
 */
int		 sg_json_set(json_t *doc, const char *ptr, json_t *value,
		    struct err *e);

/*
 * A value as one short text, for labels and the database: strings bare
 * (15s, 200/s), everything else as compact JSON.  Newly allocated.
 */
char		*sg_value_text(const json_t *v);

/*
 * The value as a number for a plot axis: JSON numbers as they are,
 * durations in seconds, rates in events per second, true/false as 1/0.
 * Returns 0 and sets *x, or -1 for anything else (plotted by index).
 */
int		 sg_value_number(const json_t *v, double *x);

/*
 * A shard: "K/N", 1 <= K <= N, selects runs r (0-based) with
 * r % N == K - 1.  Returns 0, or -1 with e set.
 */
struct sg_shard {
	uint64_t	 k;
	uint64_t	 n;
};

int		 sg_parse_shard(const char *s, struct sg_shard *sh,
		    struct err *e);
int		 sg_shard_has(const struct sg_shard *sh, uint64_t run);

#endif /* ESSIM_OUT_SWEEP_GRID_H */
