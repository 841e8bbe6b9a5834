/*
 * report-sweep.c - capacity curves from a sweep database.
 *
 * The grid is read back from the sweep table (sweep.h wrote it), so the
 * point numbering is the sweep's own: point p has value index
 * (p / stride[a]) % n[a] on axis a, the first axis slowest.  One axis is
 * put on x; every combination of the others is a "variant", one line per
 * plot.  For each point the runs' metrics are summarised over seeds as
 * mean, min and max: the line goes through the means and the error bars
 * span min..max, so a single bad seed shows.
 *
 * Values on x are numbers when every value of the axis reads as one
 * (sweep-grid.h: numbers, durations in seconds, rates per second), drawn
 * on a log scale when the axis was a log range; otherwise they are
 * categories in grid order.  A latency plot whose values span more than
 * LOG_SPAN goes on a log y axis, so that variants microseconds apart and
 * variants milliseconds apart both show.  Incomplete runs are left out
 * and counted.
 *
 * Flag orders (report-html.h: the model's `order` expectations, or
 * --order) are a yes or no per run: "was A first set before B, or B
 * never?", as `essim check` decides it (a tie is no).  Per point the
 * share of runs where it held is drawn with its 95% Wilson score
 * interval, which unlike the normal approximation stays within 0..1 and
 * is not empty at 0 or 1: 0 of 200 runs says "below 1.9%", not "0".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/units.h"
#include "core/xalloc.h"
#include "out/report-run.h"
#include "out/report-sweep.h"
#include "out/sweep-grid.h"

/* Lines per plot at most (variants beyond are left out, and said so). */
#define MAX_VARIANTS	12
/* Latency plots spanning more than this factor get a log y axis. */
#define LOG_SPAN	30.0

enum { M_P50, M_P99, M_THREADS, M_KILLS, M_DEADLOCKS, NMETRICS };

static const struct metric {
	const char	*name;
	const char	*ylabel;
	const char	*caption;
} metrics[NMETRICS] = {
	{ "sweep-p50", "p50 latency (ms)", "median syscall latency" },
	{ "sweep-p99", "p99 latency (ms)", "99th percentile syscall latency" },
	{ "sweep-threads", "peak pool threads", "peak GCD pool threads of "
	    "any process" },
	{ "sweep-kills", "clients killed", "clients killed at a missed "
	    "deadline" },
	{ "sweep-deadlocks", "deadlocks", "deadlocks (wait-for cycles)" },
};

struct agg {
	double	 n, sum, min, max;
};

struct axis {
	const char	*ptr;
	const char	*vary;
	json_t		*vals;		/* borrowed from the grid */
	size_t		 n;
	uint64_t	 stride;
};

/* One flag order over the sweep: runs where it held, per point. */
struct sorder {
	struct rorder	 o;		/* borrowed from sw.orders */
	int64_t		*held;		/* per point */
	int64_t		*runs;		/* per point (complete) */
};

struct sw {
	struct rctx	*c;
	struct rorder	*orders;
	struct sorder	*so;
	size_t		 norders;
	json_t		*grid;
	struct axis	*ax;
	size_t		 nax;
	size_t		 x;		/* the axis on x */
	uint64_t	 npoints;
	struct agg	(*agg)[NMETRICS];
	int64_t		*nruns;		/* complete runs per point */
	int		 numeric;	/* x values are numbers */
	char		*etype;		/* the syscall type of the curves */
	int64_t		 complete, incomplete;
};

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

static int
prep(struct rctx *c, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(c->db, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	if (c->rc == 0)
		c->rc = -1;
	return err_set(&c->e, "%s: %s", c->dbname, sqlite3_errmsg(c->db));
}

/* Read the grid of the first sweep row. */
static int
read_grid(struct sw *s)
{
	sqlite3_stmt *st;
	json_t *axes, *a;
	size_t i;

	if (prep(s->c, &st, "SELECT grid FROM sweep ORDER BY shards, shard "
	    "LIMIT 1") != 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		s->grid = json_loads(col(st, 0), 0, NULL);
	sqlite3_finalize(st);
	axes = json_object_get(s->grid, "axes");
	if (!json_is_array(axes)) {
		s->c->rc = -1;
		return err_set(&s->c->e, "%s: not a sweep database (no grid "
		    "in its sweep table)", s->c->dbname);
	}
	s->nax = json_array_size(axes);
	s->ax = xcalloc(s->nax + 1, sizeof(*s->ax));
	json_array_foreach(axes, i, a) {
		s->ax[i].ptr = json_string_value(json_object_get(a,
		    "pointer"));
		s->ax[i].vary = json_string_value(json_object_get(a, "vary"));
		s->ax[i].vals = json_object_get(a, "values");
		s->ax[i].n = json_array_size(s->ax[i].vals);
		if (s->ax[i].ptr == NULL || s->ax[i].n == 0) {
			s->c->rc = -1;
			return err_set(&s->c->e, "%s: the sweep's grid is "
			    "damaged", s->c->dbname);
		}
	}
	s->npoints = 1;
	for (size_t k = s->nax; k-- > 0;) {
		s->ax[k].stride = s->npoints;
		s->npoints *= s->ax[k].n;
	}
	return 0;
}

static int
pick_x(struct sw *s, const char *xptr)
{
	double v;

	s->x = 0;
	for (size_t a = 0; a < s->nax; a++) {
		if (xptr != NULL ? strcmp(s->ax[a].ptr, xptr) == 0 :
		    s->ax[a].n > s->ax[s->x].n)
			s->x = a;
	}
	if (xptr != NULL && (s->nax == 0 || strcmp(s->ax[s->x].ptr, xptr))) {
		s->c->rc = -1;
		return err_set(&s->c->e, "--x %s: the sweep does not vary it",
		    xptr);
	}
	s->numeric = s->nax > 0;
	for (size_t i = 0; s->nax > 0 && i < s->ax[s->x].n; i++)
		if (sg_value_number(json_array_get(s->ax[s->x].vals, i),
		    &v) != 0)
			s->numeric = 0;
	return 0;
}

static void
agg_add(struct agg *g, double v)
{
	if (g->n == 0 || v < g->min)
		g->min = v;
	if (g->n == 0 || v > g->max)
		g->max = v;
	g->n++;
	g->sum += v;
}

/* Per-run metrics, summarised per point. */
static int
aggregate(struct sw *s)
{
	sqlite3_stmt *st;

	if (prep(s->c, &st, "SELECT event_type FROM hist WHERE metric = "
	    "'syscall' AND event_type IS NOT NULL GROUP BY event_type ORDER "
	    "BY sum(count) DESC, event_type LIMIT 1") != 0)
		return -1;
	s->etype = xstrdup(sqlite3_step(st) == SQLITE_ROW ? col(st, 0) : "");
	sqlite3_finalize(st);
	s->agg = xcalloc(s->npoints, sizeof(*s->agg));
	s->nruns = xcalloc(s->npoints, sizeof(*s->nruns));
	if (prep(s->c, &st, "SELECT r.point, r.status, h.p50_ns, h.p99_ns, "
	    "(SELECT max(peak_pool_threads) FROM process_stats p WHERE "
	    "p.run_id = r.run_id), (SELECT coalesce(sum(kills), 0) FROM "
	    "client_stats c WHERE c.run_id = r.run_id), (SELECT count(*) FROM "
	    "findings f WHERE f.run_id = r.run_id AND f.kind = 'deadlock') "
	    "FROM run r LEFT JOIN hist h ON h.run_id = r.run_id AND h.metric "
	    "= 'syscall' AND h.event_type = ?1 ORDER BY r.run_id") != 0)
		return -1;
	sqlite3_bind_text(st, 1, s->etype, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t p = sqlite3_column_int64(st, 0);

		if (strcmp(col(st, 1), "complete") != 0 || p < 0 ||
		    (uint64_t)p >= s->npoints) {
			s->incomplete++;
			continue;
		}
		s->complete++;
		s->nruns[p]++;
		for (int m = 0; m < NMETRICS; m++) {
			double v = sqlite3_column_double(st, m + 2);

			if (sqlite3_column_type(st, m + 2) == SQLITE_NULL)
				continue;
			agg_add(&s->agg[p][m], m <= M_P99 ? v / 1e6 : v);
		}
	}
	sqlite3_finalize(st);
	return 0;
}

/* The short name of an axis: the last token of its pointer. */
static const char *
short_name(const char *ptr)
{
	const char *s = strrchr(ptr, '/');

	return s != NULL && s[1] != '\0' ? s + 1 : ptr;
}

static char *
value_text(const struct axis *a, size_t i)
{
	return sg_value_text(json_array_get(a->vals, i));
}

/* Point p's row head in a table: its number and its value on each axis. */
static void
point_cells(struct rctx *c, const struct sw *s, uint64_t p)
{
	rhtml_raw(c, "<tr><td>%llu</td>", (unsigned long long)p);
	for (size_t a = 0; a < s->nax; a++) {
		char *v = value_text(&s->ax[a], (size_t)(p /
		    s->ax[a].stride % s->ax[a].n));

		rhtml_raw(c, "<td>");
		rhtml_text(c, v);
		rhtml_raw(c, "</td>");
		free(v);
	}
}

/* Variants: the other axes' combinations. */
static uint64_t
nvariants(const struct sw *s)
{
	return s->nax > 0 ? s->npoints / s->ax[s->x].n : 1;
}

/* The point of variant v at x index i. */
static uint64_t
point_of(const struct sw *s, uint64_t v, size_t i)
{
	uint64_t p = 0;

	for (size_t a = s->nax; a-- > 0;) {
		if (a == s->x)
			continue;
		p += (v % s->ax[a].n) * s->ax[a].stride;
		v /= s->ax[a].n;
	}
	return s->nax > 0 ? p + i * s->ax[s->x].stride : 0;
}

/* "cores=8, cache=true" of variant v ("all runs" with one axis). */
static char *
variant_label(const struct sw *s, uint64_t v)
{
	char *l = xstrdup("");
	uint64_t p = point_of(s, v, 0);

	for (size_t a = 0; a < s->nax; a++) {
		char *val, *t;

		if (a == s->x)
			continue;
		val = value_text(&s->ax[a], (size_t)(p / s->ax[a].stride %
		    s->ax[a].n));
		t = xasprintf("%s%s%s=%s", l, l[0] ? ", " : "",
		    short_name(s->ax[a].ptr), val);
		free(val);
		free(l);
		l = t;
	}
	if (l[0] == '\0') {
		free(l);
		l = xstrdup("mean, min..max over seeds");
	}
	return l;
}

/* Does metric m have a non-zero value at any point? */
static int
nonzero(const struct sw *s, int m)
{
	for (uint64_t p = 0; p < s->npoints; p++)
		if (s->agg[p][m].n > 0 && s->agg[p][m].max != 0)
			return 1;
	return 0;
}

/*
 * Draw metric m on a log y axis?  Latencies that span more than
 * LOG_SPAN (max over min of the drawn values) are: one variant's
 * microseconds and another's milliseconds are both readable only there.
 * Never with a value at or below 0, which a log axis cannot show.
 */
static int
want_ylog(const struct sw *s, int m)
{
	double lo = 0, hi = 0;
	uint64_t nv = nvariants(s);

	if (m > M_P99)
		return 0;
	for (uint64_t v = 0; v < nv && v < MAX_VARIANTS; v++) {
		for (size_t i = 0; i < s->ax[s->x].n; i++) {
			const struct agg *g = &s->agg[point_of(s, v, i)][m];

			if (g->n == 0)
				continue;
			if (g->min <= 0)
				return 0;
			if (lo == 0 || g->min < lo)
				lo = g->min;
			if (g->max > hi)
				hi = g->max;
		}
	}
	return lo > 0 && hi / lo > LOG_SPAN;
}

/* " (s)" or " (events/s)" when the x values are durations or rates. */
static const char *
x_unit(const struct sw *s)
{
	const json_t *v = json_array_get(s->ax[s->x].vals, 0);
	int64_t ns;

	if (!s->numeric || !json_is_string(v))
		return "";
	if (units_parse_duration(json_string_value(v), &ns, NULL) == 0)
		return " (s)";
	return " (events/s)";
}

/* Whether the x axis was varied on a log scale ("log" in a range). */
static int
x_log(const struct sw *s)
{
	const struct axis *xa = &s->ax[s->x];

	return s->numeric && strstr(xa->vary, "log") != NULL &&
	    strstr(xa->vary, "..") != NULL;
}

/* One row of a curve's data at point p (x, and val its label); returns
 * whether it wrote one (not when the point has nothing to show). */
typedef int row_fn(FILE *f, uint64_t p, double x, const char *val,
    void *arg);

/*
 * The data of a curve into f: a block per variant (at most MAX_VARIANTS),
 * headed by its label, and in it the row row() writes at each x value.
 * The variants' gnuplot titles are appended to *titles; *any is set when
 * some row was written.  Returns the number of variants.
 */
static int
series(struct sw *s, FILE *f, row_fn *row, void *arg, char **titles,
    int *any)
{
	const struct axis *xa = &s->ax[s->x];
	uint64_t nv = nvariants(s);
	int n = 0;
	char *t;

	for (uint64_t v = 0; v < nv && v < MAX_VARIANTS; v++, n++) {
		char *lab = variant_label(s, v), *q = rhtml_gpstr(lab);

		fprintf(f, "%s# %s\n", n > 0 ? "\n\n" : "", lab);
		for (size_t i = 0; i < xa->n; i++) {
			char *val = value_text(xa, i);
			double x = (double)i;

			if (s->numeric)
				sg_value_number(json_array_get(xa->vals, i),
				    &x);
			if (row(f, point_of(s, v, i), x, val, arg))
				*any = 1;
			free(val);
		}
		t = xasprintf("%s%s%s", *titles, n > 0 ? ", " : "", q);
		free(*titles);
		*titles = t;
		free(q);
		free(lab);
	}
	return n;
}

/* A curve's row of metric m: mean, min and max over the point's runs. */
struct metric_rows {
	const struct sw	*s;
	int		 m;
};

static int
metric_row(FILE *f, uint64_t p, double x, const char *val, void *arg)
{
	const struct metric_rows *r = arg;
	const struct agg *g = &r->s->agg[p][r->m];

	if (g->n == 0)
		return 0;
	fprintf(f, "%.9g %.9g %.9g %.9g \"%s\"\n", x, g->sum / g->n, g->min,
	    g->max, val);
	return 1;
}

static void
curve(struct sw *s, int m)
{
	const struct axis *xa = &s->ax[s->x];
	struct metric_rows rows = { s, m };
	char *fname = xasprintf("%s.dat", metrics[m].name);
	FILE *f = rhtml_data(s->c, fname);
	char *titles = xstrdup(""), *vars, *xl, *yl, *tt, *cap, *t;
	int n, any = 0, ylog;

	if (f == NULL) {
		free(fname);
		free(titles);
		return;
	}
	n = series(s, f, metric_row, &rows, &titles, &any);
	rhtml_data_close(s->c, f, fname);
	if (!any || !nonzero(s, m)) {
		rhtml_raw(s->c, "<p class=\"none\">%s: %s.</p>\n",
		    metrics[m].caption, !any ? "no values" : m >= M_KILLS ?
		    "none in any run" : "0 in every run");
		free(fname);
		free(titles);
		return;
	}
	t = xasprintf("%s%s", xa->ptr, x_unit(s));
	xl = rhtml_gpstr(t);
	free(t);
	ylog = want_ylog(s, m);
	t = xasprintf("%s%s%s%s", metrics[m].ylabel, m <= M_P99 ? " of " : "",
	    m <= M_P99 ? s->etype : "", ylog ? ", log scale" : "");
	yl = rhtml_gpstr(t);
	free(t);
	t = xasprintf("%s%s%s against %s", metrics[m].caption,
	    m <= M_P99 ? " of " : "", m <= M_P99 ? s->etype : "",
	    short_name(xa->ptr));
	tt = rhtml_gpstr(t);
	free(t);
	vars = xasprintf("data = 'data/%s'\nout = '%s'\nn = %d\n"
	    "array titles[%d] = [%s]\nxlabel = %s\nylabel = %s\n"
	    "title = %s\nxcat = %d\nxlog = %d\nylog = %d\n", fname,
	    metrics[m].name, n, n, titles, xl, yl, tt, !s->numeric, x_log(s),
	    ylog);
	free(tt);
	cap = xasprintf("%s%s%s against %s, mean over seeds with min..max "
	    "bars", metrics[m].caption, m <= M_P99 ? " of " : "",
	    m <= M_P99 ? s->etype : "", xa->ptr);
	rhtml_plot(s->c, "sweep-curve", metrics[m].name, vars, cap);
	free(cap);
	free(vars);
	free(xl);
	free(yl);
	free(fname);
	free(titles);
}

/* z of a two-sided 95% interval. */
#define Z95	1.959963984540054

/*
 * The Wilson score interval of k successes in n trials at 95%: *lo and
 * *hi within 0..1.  n must be > 0.
 */
static void
wilson(int64_t k, int64_t n, double *lo, double *hi)
{
	double p = (double)k / (double)n, nn = (double)n, z2 = Z95 * Z95;
	double d = 1 + z2 / nn;
	double mid = (p + z2 / (2 * nn)) / d;
	double half = Z95 * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / d;

	*lo = mid - half < 0 || k == 0 ? 0 : mid - half;
	*hi = mid + half > 1 || k == n ? 1 : mid + half;
}

/* The orders to show, and for each how many runs of a point held it. */
static int
count_orders(struct sw *s)
{
	sqlite3_stmt *st;
	char *text = NULL;

	if (prep(s->c, &st, "SELECT model_text FROM run ORDER BY run_id "
	    "LIMIT 1") != 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		text = xstrdup(col(st, 0));
	sqlite3_finalize(st);
	s->orders = rhtml_orders(s->c, text, &s->norders);
	free(text);
	s->so = xcalloc(s->norders + 1, sizeof(*s->so));
	if (s->norders > 0 && prep(s->c, &st, "SELECT r.point, count(*), "
	    "coalesce(sum(a.first_ns IS NOT NULL AND (b.first_ns IS NULL OR "
	    "a.first_ns < b.first_ns)), 0) FROM run r LEFT JOIN flags a ON "
	    "a.run_id = r.run_id AND a.flag = ?1 LEFT JOIN flags b ON "
	    "b.run_id = r.run_id AND b.flag = ?2 WHERE r.status = "
	    "'complete' GROUP BY r.point ORDER BY r.point") != 0)
		return -1;
	for (size_t i = 0; i < s->norders; i++) {
		struct sorder *o = &s->so[i];

		o->o = s->orders[i];
		o->held = xcalloc(s->npoints, sizeof(*o->held));
		o->runs = xcalloc(s->npoints, sizeof(*o->runs));
		sqlite3_bind_text(st, 1, o->o.a, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, o->o.b, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			int64_t p = sqlite3_column_int64(st, 0);

			if (p < 0 || (uint64_t)p >= s->npoints)
				continue;
			o->runs[p] = sqlite3_column_int64(st, 1);
			o->held[p] = sqlite3_column_int64(st, 2);
		}
		sqlite3_reset(st);
	}
	if (s->norders > 0)
		sqlite3_finalize(st);
	return 0;
}

/* An order curve's row: P(A before B) in % with its Wilson interval, and
 * the counts. */
static int
order_row(FILE *f, uint64_t p, double x, const char *val, void *arg)
{
	const struct sorder *o = arg;
	double lo, hi;

	if (o->runs[p] == 0)
		return 0;
	wilson(o->held[p], o->runs[p], &lo, &hi);
	fprintf(f, "%.9g %.9g %.9g %.9g \"%s\" %lld %lld\n", x,
	    100.0 * (double)o->held[p] / (double)o->runs[p], 100 * lo,
	    100 * hi, val, (long long)o->held[p], (long long)o->runs[p]);
	return 1;
}

/* P(A before B) of order k against x, one line per variant. */
static void
order_curve(struct sw *s, size_t k)
{
	const struct axis *xa = &s->ax[s->x];
	struct sorder *o = &s->so[k];
	char *name = xasprintf("sweep-order-%zu", k + 1);
	char *fname = xasprintf("%s.dat", name);
	FILE *f = rhtml_data(s->c, fname);
	char *titles = xstrdup(""), *vars, *xl, *yl, *tt, *cap, *t;
	int n, any = 0;

	if (f == NULL) {
		free(name);
		free(fname);
		free(titles);
		return;
	}
	fprintf(f, "# P(%s first set before %s), %%: x p lo hi label; "
	    "lo..hi the 95%% Wilson interval; then held/runs\n", o->o.a,
	    o->o.b);
	n = series(s, f, order_row, o, &titles, &any);
	rhtml_data_close(s->c, f, fname);
	t = xasprintf("%s%s", xa->ptr, x_unit(s));
	xl = rhtml_gpstr(t);
	free(t);
	t = xasprintf("P(%s before %s), %% of runs", o->o.a, o->o.b);
	yl = rhtml_gpstr(t);
	free(t);
	t = xasprintf("%s first set before %s, against %s", o->o.a, o->o.b,
	    short_name(xa->ptr));
	tt = rhtml_gpstr(t);
	free(t);
	vars = xasprintf("data = 'data/%s'\nout = '%s'\nn = %d\n"
	    "array titles[%d] = [%s]\nxlabel = %s\nylabel = %s\n"
	    "title = %s\nxcat = %d\nxlog = %d\nylog = 0\nymax = 100\n"
	    "keytop = 1\n",
	    fname, name, n, n, titles, xl, yl, tt, !s->numeric, x_log(s));
	cap = xasprintf("The share of runs in which flag %s was first set "
	    "before flag %s (or %s never was) against %s, with 95%% Wilson "
	    "intervals over the seeds", o->o.a, o->o.b, o->o.b, xa->ptr);
	rhtml_plot(s->c, "sweep-curve", name, vars, cap);
	free(cap);
	free(vars);
	free(tt);
	free(xl);
	free(yl);
	free(fname);
	free(name);
	free(titles);
}

/* The orders' plots and their table, one row per point. */
static void
orders_section(struct sw *s)
{
	struct rctx *c = s->c;

	if (s->norders == 0)
		return;
	rhtml_raw(c, "<section><h2>Flag orders</h2>\n<p>%s: in how many "
	    "runs (seeds) of each point flag A was first set before flag B, "
	    "or B never was, as <code>essim check</code> counts an "
	    "<code>order</code> expectation.</p>\n", c->norders > 0 ?
	    "Asked for with <code>--order</code>" : "The model's "
	    "<code>order</code> expectations");
	if (s->nax > 0) {
		rhtml_raw(c, "<div class=\"plots\">\n");
		for (size_t k = 0; k < s->norders; k++)
			order_curve(s, k);
		rhtml_raw(c, "</div>\n");
	}
	rhtml_raw(c, "<table class=\"data\"><caption>Per grid point: runs "
	    "where A came first, of the complete runs (95%% Wilson interval)"
	    "</caption><tr><th>point</th>");
	for (size_t a = 0; a < s->nax; a++) {
		rhtml_raw(c, "<th>");
		rhtml_text(c, short_name(s->ax[a].ptr));
		rhtml_raw(c, "</th>");
	}
	for (size_t k = 0; k < s->norders; k++) {
		rhtml_raw(c, "<th>");
		rhtml_text(c, s->so[k].o.a);
		rhtml_raw(c, " before ");
		rhtml_text(c, s->so[k].o.b);
		rhtml_raw(c, "</th>");
	}
	rhtml_raw(c, "</tr>\n");
	for (uint64_t p = 0; p < s->npoints && p < 2000; p++) {
		point_cells(c, s, p);
		for (size_t k = 0; k < s->norders; k++) {
			const struct sorder *o = &s->so[k];
			double lo, hi;

			if (o->runs[p] == 0) {
				rhtml_raw(c, "<td>-</td>");
				continue;
			}
			wilson(o->held[p], o->runs[p], &lo, &hi);
			rhtml_raw(c, "<td>%lld / %lld <small>(%.1f%%, "
			    "%.1f..%.1f%%)</small></td>",
			    (long long)o->held[p], (long long)o->runs[p],
			    100.0 * (double)o->held[p] / (double)o->runs[p],
			    100 * lo, 100 * hi);
		}
		rhtml_raw(c, "</tr>\n");
	}
	rhtml_raw(c, "</table>\n</section>\n");
}

static void
grid_table(struct sw *s)
{
	struct rctx *c = s->c;
	json_t *seeds = json_object_get(s->grid, "seeds");

	rhtml_raw(c, "<table class=\"kv\">\n");
	for (size_t a = 0; a < s->nax; a++) {
		rhtml_raw(c, "<tr><th>");
		rhtml_text(c, s->ax[a].ptr);
		rhtml_raw(c, "%s</th><td><code>", a == s->x ? " (x)" : "");
		rhtml_text(c, s->ax[a].vary);
		rhtml_raw(c, "</code>: %zu values</td></tr>\n", s->ax[a].n);
	}
	rhtml_raw(c, "<tr><th>runs</th><td>%llu points &times; %lld seeds; "
	    "%lld complete", (unsigned long long)s->npoints,
	    (long long)json_integer_value(seeds), (long long)s->complete);
	if (s->incomplete > 0)
		rhtml_raw(c, ", <b class=\"warn\">%lld incomplete (left "
		    "out)</b>", (long long)s->incomplete);
	rhtml_raw(c, "</td></tr>\n</table>\n");
}

/* One row per point: its values and the metrics' means. */
static void
points_table(struct sw *s)
{
	struct rctx *c = s->c;

	rhtml_raw(c, "<table class=\"data\"><caption>Per grid point: mean "
	    "over seeds (min..max)</caption><tr><th>point</th>");
	for (size_t a = 0; a < s->nax; a++) {
		rhtml_raw(c, "<th>");
		rhtml_text(c, short_name(s->ax[a].ptr));
		rhtml_raw(c, "</th>");
	}
	rhtml_raw(c, "<th>runs</th><th>p50 ms</th><th>p99 ms</th><th>peak "
	    "threads</th><th>kills</th><th>deadlocks</th></tr>\n");
	for (uint64_t p = 0; p < s->npoints && p < 2000; p++) {
		point_cells(c, s, p);
		rhtml_raw(c, "<td>%lld</td>", (long long)s->nruns[p]);
		for (int m = 0; m < NMETRICS; m++) {
			const struct agg *g = &s->agg[p][m];

			if (g->n == 0)
				rhtml_raw(c, "<td>-</td>");
			else if (g->min == g->max)
				rhtml_raw(c, "<td>%.4g</td>", g->sum / g->n);
			else
				rhtml_raw(c, "<td>%.4g <small>(%.4g..%.4g)"
				    "</small></td>", g->sum / g->n, g->min,
				    g->max);
		}
		rhtml_raw(c, "</tr>\n");
	}
	rhtml_raw(c, "</table>\n");
}

/* Per kind: runs with it, and the first one's summary and chain. */
static void
findings_summary(struct sw *s)
{
	struct rctx *c = s->c;
	sqlite3_stmt *st;
	int rows = 0;

	rhtml_raw(c, "<section><h2>Findings across the sweep</h2>\n");
	if (prep(c, &st, "SELECT kind, count(DISTINCT run_id), count(*), "
	    "min(run_id), (SELECT summary || coalesce(' — ' || chain, '') "
	    "FROM findings g WHERE g.kind = f.kind ORDER BY run_id, "
	    "finding_id LIMIT 1) FROM findings f GROUP BY kind ORDER BY "
	    "kind") != 0)
		return;
	rhtml_raw(c, "<table class=\"data\"><tr><th>kind</th><th>runs</th>"
	    "<th>findings</th><th>first in run</th><th>example</th></tr>\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		rows++;
		rhtml_raw(c, "<tr><td class=\"kind\">");
		rhtml_text(c, col(st, 0));
		rhtml_raw(c, "</td><td>%lld of %lld</td><td>%lld</td><td>%lld"
		    "</td><td>", (long long)sqlite3_column_int64(st, 1),
		    (long long)s->complete,
		    (long long)sqlite3_column_int64(st, 2),
		    (long long)sqlite3_column_int64(st, 3));
		rhtml_text(c, col(st, 4));
		rhtml_raw(c, "</td></tr>\n");
	}
	sqlite3_finalize(st);
	if (rows == 0)
		rhtml_raw(c, "<tr><td colspan=\"5\">none in any run</td>"
		    "</tr>\n");
	rhtml_raw(c, "</table>\n<p>One run in full: <code>essim report "
	    "--run ID ");
	rhtml_text(c, c->dbname);
	rhtml_raw(c, " -o DIR</code> (its time series need <code>essim sweep "
	    "--sample T</code>).</p>\n</section>\n");
}

static void
model_section(struct sw *s)
{
	sqlite3_stmt *st;

	rhtml_raw(s->c, "<section><h2>Model and grid</h2>\n");
	if (prep(s->c, &st, "SELECT model_text FROM run ORDER BY run_id "
	    "LIMIT 1") != 0)
		return;
	if (sqlite3_step(st) == SQLITE_ROW) {
		rhtml_raw(s->c, "<p>The model as patched for the first run "
		    "(grid point 0):</p>\n");
		rrun_model_summary(s->c, col(st, 0), NULL);
	}
	sqlite3_finalize(st);
	grid_table(s);
	rhtml_raw(s->c, "</section>\n");
}

int
rsweep_write(struct rctx *c, const char *xptr, char **title)
{
	struct sw s;
	sqlite3_stmt *st;

	memset(&s, 0, sizeof(s));
	s.c = c;
	*title = NULL;
	if (read_grid(&s) == 0 && pick_x(&s, xptr) == 0 &&
	    aggregate(&s) == 0 && count_orders(&s) == 0) {
		if (prep(c, &st, "SELECT model_name FROM run ORDER BY run_id "
		    "LIMIT 1") == 0) {
			*title = xasprintf("Sweep of %s",
			    sqlite3_step(st) == SQLITE_ROW ? col(st, 0) : "?");
			sqlite3_finalize(st);
		}
		rhtml_raw(c, "<p class=\"sub\">Sweep database <code>");
		rhtml_text(c, c->dbname);
		rhtml_raw(c, "</code></p>\n");
		model_section(&s);
		orders_section(&s);
		rhtml_raw(c, "<section><h2>Capacity curves</h2>\n");
		if (s.nax == 0) {
			rhtml_raw(c, "<p class=\"none\">No parameter was "
			    "varied: see the table.</p>\n");
		} else {
			rhtml_raw(c, "<div class=\"plots\">\n");
			for (int m = 0; m < NMETRICS; m++)
				curve(&s, m);
			rhtml_raw(c, "</div>\n");
			if (nvariants(&s) > MAX_VARIANTS)
				rhtml_raw(c, "<p>%llu variants: the first %d "
				    "are drawn (choose the x axis with "
				    "<code>--x POINTER</code>).</p>\n",
				    (unsigned long long)nvariants(&s),
				    MAX_VARIANTS);
		}
		points_table(&s);
		rhtml_raw(c, "</section>\n");
		findings_summary(&s);
	}
	if (*title == NULL)
		*title = xstrdup("Sweep");
	for (size_t k = 0; k < s.norders; k++) {
		free(s.so[k].held);
		free(s.so[k].runs);
	}
	free(s.so);
	rhtml_orders_free(s.orders, s.norders);
	json_decref(s.grid);
	free(s.ax);
	free(s.agg);
	free(s.nruns);
	free(s.etype);
	return c->rc == 0 ? 0 : -1;
}
