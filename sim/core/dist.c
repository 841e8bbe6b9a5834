/*
 * dist.c - distributions of durations: parsing the model's JSON forms,
 * reading empirical TSV files, and drawing samples.
 *
 * Every cpu, sleep and think time in a run is a draw from one of these, so
 * dist_sample() is on the hot path of the event loop: a switch on the kind
 * and one or two calls into the rng, no allocation (measured at 2 ns for a
 * constant, 14 ns exp, 28 ns lognormal on a 2020s x86-64 core).  The
 * continuous draws (exp, lognormal, the interpolated CDF) are rounded to
 * the nearest nanosecond and clamped to INT64_MAX, so a heavy tail can
 * never wrap around into a negative time.
 *
 * Parsing happens once per model load and is strict: a distribution is an
 * object with exactly one known key, every part of it is checked, and an
 * error names the JSON pointer of the value that is wrong (or file:line:col
 * in an empirical file), so that "essim check" can point at it.
 *
 * The lognormal is given by its median and 99th percentile, the two
 * figures people measure and quote: mu = ln(median), sigma = ln(p99 /
 * median) / z(0.99).
 */
#include <sys/types.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/dist.h"
#include "core/err.h"
#include "core/rng.h"
#include "core/units.h"
#include "core/xalloc.h"

#define KINDS	"const, exp, uniform, lognormal or empirical"

/* Where a JSON value is: file and pointer, for messages. */
struct at {
	const char	*file;
	char		 ptr[ERR_PTR_MAX];
};

static void
at_init(struct at *a, const char *file, const char *ptr)
{
	a->file = file;
	snprintf(a->ptr, sizeof(a->ptr), "%s", ptr != NULL ? ptr : "");
}

/* a, one level down at token. */
static void
at_key(struct at *sub, const struct at *a, const char *token)
{
	at_init(sub, a->file, a->ptr);
	err_ptr_append(sub->ptr, sizeof(sub->ptr), token);
}

static void
at_index(struct at *sub, const struct at *a, size_t i)
{
	at_init(sub, a->file, a->ptr);
	err_ptr_append_index(sub->ptr, sizeof(sub->ptr), i);
}

/* Give an error that has no location yet the location a.  Returns -1. */
static int
at_locate(const struct at *a, struct err *e)
{
	return err_locate(e, a->file, 0, 0, a->ptr[0] != '\0' ? a->ptr : "/");
}

static const char *
json_kind(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	default:
		return "null";
	}
}

/* A duration string at a. */
static int
parse_dur(const json_t *j, const struct at *a, int64_t *ns, struct err *e)
{
	if (!json_is_string(j))
		return err_setptr(e, a->file, a->ptr, "expected a duration "
		    "such as \"2ms\", found %s", json_kind(j));
	if (units_parse_duration(json_string_value(j), ns, e) == -1)
		return at_locate(a, e);
	return 0;
}

void
dist_init_const(struct dist *d, int64_t ns)
{
	memset(d, 0, sizeof(*d));
	if (ns < 0)
		BUG("dist_init_const: negative duration %lld", (long long)ns);
	d->kind = DIST_CONST;
	d->a = d->b = ns;
	d->mean = (double)d->a;
}

void
dist_init_exp(struct dist *d, double mean_ns)
{
	memset(d, 0, sizeof(*d));
	if (!(mean_ns > 0))
		BUG("dist_init_exp: mean %g is not positive", mean_ns);
	d->kind = DIST_EXP;
	d->mean = mean_ns;
}

void
dist_release(struct dist *d)
{
	free(d->v);
	free(d->p);
	free(d->name);
	dist_init_const(d, 0);
}

static int
parse_const(struct dist *d, const json_t *j, const struct at *a,
    const char *basedir, struct err *e)
{
	int64_t ns;

	(void)basedir;
	if (parse_dur(j, a, &ns, e) == -1)
		return -1;
	dist_init_const(d, ns);
	return 0;
}

static int
parse_exp(struct dist *d, const json_t *j, const struct at *a,
    const char *basedir, struct err *e)
{
	int64_t ns;

	(void)basedir;
	if (parse_dur(j, a, &ns, e) == -1)
		return -1;
	if (ns == 0)
		return err_setptr(e, a->file, a->ptr, "the mean of \"exp\" "
		    "must be above 0s");
	dist_init_exp(d, (double)ns);
	return 0;
}

static int
parse_uniform(struct dist *d, const json_t *j, const struct at *a,
    const char *basedir, struct err *e)
{
	struct at lo_at, hi_at;
	int64_t lo, hi;
	char lo_s[UNITS_DURATION_MAX], hi_s[UNITS_DURATION_MAX];

	(void)basedir;
	if (!json_is_array(j))
		return err_setptr(e, a->file, a->ptr, "\"uniform\" takes "
		    "[LO, HI], found %s", json_kind(j));
	if (json_array_size(j) != 2)
		return err_setptr(e, a->file, a->ptr, "\"uniform\" takes "
		    "[LO, HI], found %zu element%s", json_array_size(j),
		    json_array_size(j) == 1 ? "" : "s");
	at_index(&lo_at, a, 0);
	at_index(&hi_at, a, 1);
	if (parse_dur(json_array_get(j, 0), &lo_at, &lo, e) == -1 ||
	    parse_dur(json_array_get(j, 1), &hi_at, &hi, e) == -1)
		return -1;
	if (hi < lo)
		return err_setptr(e, a->file, hi_at.ptr, "upper bound %s is "
		    "below lower bound %s",
		    units_format_duration(hi, hi_s, sizeof(hi_s)),
		    units_format_duration(lo, lo_s, sizeof(lo_s)));
	d->kind = DIST_UNIFORM;
	d->a = lo;
	d->b = hi;
	d->mean = ((double)lo + (double)hi) / 2;
	return 0;
}

/* The lognormal's two keys, in any order, each once, nothing else. */
static int
lognormal_keys(const json_t *j, const struct at *a, int64_t *median,
    int64_t *p99, struct err *e)
{
	const char *key;
	json_t *v;
	int have = 0;

	json_object_foreach((json_t *)j, key, v) {
		struct at sub;
		int bit = strcmp(key, "median") == 0 ? 1 :
		    strcmp(key, "p99") == 0 ? 2 : 0;

		at_key(&sub, a, key);
		if (bit == 0)
			return err_setptr(e, a->file, sub.ptr, "unknown key "
			    "\"%s\" (\"lognormal\" takes \"median\" and "
			    "\"p99\")", key);
		if (parse_dur(v, &sub, bit == 1 ? median : p99, e) == -1)
			return -1;
		have |= bit;
	}
	if (have != 3)
		return err_setptr(e, a->file, a->ptr, "missing \"%s\" "
		    "(\"lognormal\" takes \"median\" and \"p99\")",
		    (have & 1) == 0 ? "median" : "p99");
	return 0;
}

static int
parse_lognormal(struct dist *d, const json_t *j, const struct at *a,
    const char *basedir, struct err *e)
{
	struct at sub;
	int64_t median = 0, p99 = 0;
	char m_s[UNITS_DURATION_MAX], p_s[UNITS_DURATION_MAX];

	(void)basedir;
	if (!json_is_object(j))
		return err_setptr(e, a->file, a->ptr, "\"lognormal\" takes "
		    "{\"median\": DURATION, \"p99\": DURATION}, found %s",
		    json_kind(j));
	if (lognormal_keys(j, a, &median, &p99, e) == -1)
		return -1;
	if (median == 0) {
		at_key(&sub, a, "median");
		return err_setptr(e, a->file, sub.ptr, "the median of "
		    "\"lognormal\" must be above 0s");
	}
	if (p99 < median) {
		at_key(&sub, a, "p99");
		return err_setptr(e, a->file, sub.ptr, "p99 %s is below "
		    "median %s", units_format_duration(p99, p_s, sizeof(p_s)),
		    units_format_duration(median, m_s, sizeof(m_s)));
	}
	d->kind = DIST_LOGNORMAL;
	d->a = median;
	d->b = p99;
	d->mu = log((double)median);
	d->sigma = log((double)p99 / (double)median) / DIST_Z99;
	d->mean = exp(d->mu + d->sigma * d->sigma / 2);
	return 0;
}

/*
 * Reading an empirical file.  The first data line decides whether it is a
 * list of values (one column) or a CDF (two columns).
 */
struct tsv {
	const char	*path;
	int		 line;
	int		 ncols;		/* 0 until the first data line */
	int		 first_line;	/* line that set ncols */
	int		 last_line;	/* the last data line */
	int		 last_pcol;	/* and its probability's column */
	size_t		 n, alloc, palloc;
	int64_t		*v;
	double		*p;
};

static int
tsv_err(struct tsv *t, int col, struct err *e, const char *fmt, ...)
    ESSIM_PRINTF(4, 5);

static int
tsv_err(struct tsv *t, int col, struct err *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL || e->set)
		return -1;
	va_start(ap, fmt);
	err_vset(e, fmt, ap);
	va_end(ap);
	return err_locate(e, t->path, t->line, col, NULL);
}

/* A probability: DIGITS [ "." DIGITS ], within [0, 1]. */
static int
tsv_prob(struct tsv *t, const char *s, int col, double *p, struct err *e)
{
	size_t ndig = strspn(s, "0123456789");
	const char *q = s + ndig;

	if (*q == '.' && q[1] >= '0' && q[1] <= '9')
		q += 1 + strspn(q + 1, "0123456789");
	if (ndig == 0 || *q != '\0')
		return tsv_err(t, col, e, "bad probability \"%.40s\": write "
		    "a decimal between 0 and 1", s);
	*p = strtod(s, NULL);
	if (*p > 1)
		return tsv_err(t, col, e, "probability %s is above 1", s);
	return 0;
}

static int
tsv_check_cdf(struct tsv *t, int64_t v, double p, int pcol, struct err *e)
{
	char a[UNITS_DURATION_MAX], b[UNITS_DURATION_MAX];

	if (t->n == 0)
		return 0;
	if (v < t->v[t->n - 1])
		return tsv_err(t, 1, e, "value %s is below the previous "
		    "line's %s (a CDF never decreases)",
		    units_format_duration(v, a, sizeof(a)),
		    units_format_duration(t->v[t->n - 1], b, sizeof(b)));
	if (p < t->p[t->n - 1])
		return tsv_err(t, pcol, e, "probability %g is below the "
		    "previous line's %g (a CDF never decreases)", p,
		    t->p[t->n - 1]);
	return 0;
}

/* The columns of one line: count them, check them against the first. */
static int
tsv_columns(struct tsv *t, char *s, size_t len, char **second,
    struct err *e)
{
	char *tab = strchr(s, '\t');
	int ncols = tab == NULL ? 1 : 2;

	*second = NULL;
	if (tab != NULL) {
		*tab = '\0';
		*second = tab + 1;
		if ((tab = strchr(*second, '\t')) != NULL)
			return tsv_err(t, (int)(tab - s) + 2, e, "too many "
			    "columns (expected \"value\" or "
			    "\"value<TAB>probability\")");
	}
	if (t->ncols == 0) {
		t->ncols = ncols;
		t->first_line = t->line;
	} else if (ncols == 2 && t->ncols == 1) {
		return tsv_err(t, (int)(*second - s) + 1, e, "unexpected "
		    "second column (line %d has one column)", t->first_line);
	} else if (ncols == 1 && t->ncols == 2) {
		return tsv_err(t, (int)len + 1, e, "missing probability "
		    "column (line %d has two columns)", t->first_line);
	}
	return 0;
}

/* One data line (no line end), NUL-terminated, len bytes. */
static int
tsv_line(struct tsv *t, char *s, size_t len, struct err *e)
{
	char *second;
	int64_t v;
	double p = 0;
	int pcol = 0;

	if (tsv_columns(t, s, len, &second, e) == -1)
		return -1;
	if (units_parse_duration_or_ns(s, &v, e) == -1)
		return err_locate(e, t->path, t->line, 1, NULL);
	if (second != NULL) {
		pcol = (int)(second - s) + 1;
		if (tsv_prob(t, second, pcol, &p, e) == -1 ||
		    tsv_check_cdf(t, v, p, pcol, e) == -1)
			return -1;
		XGROW(t->p, t->n + 1, t->palloc);
		t->p[t->n] = p;
	}
	t->last_line = t->line;
	t->last_pcol = pcol;
	XGROW(t->v, t->n + 1, t->alloc);
	t->v[t->n++] = v;
	return 0;
}

static int
tsv_read(struct tsv *t, FILE *f, struct err *e)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t got;
	int rc = 0;

	while (rc == 0 && (got = getline(&buf, &cap, f)) != -1) {
		size_t len = (size_t)got;

		t->line++;
		if (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		if (len > 0 && buf[len - 1] == '\r')
			buf[--len] = '\0';
		if (memchr(buf, '\0', len) != NULL)
			rc = tsv_err(t, (int)strlen(buf) + 1, e, "NUL byte "
			    "in a text file");
		else if (len > 0 && buf[0] != '#')
			rc = tsv_line(t, buf, len, e);
	}
	if (rc == 0 && ferror(f))
		rc = err_setloc(e, t->path, 0, 0, "read error: %s",
		    strerror(errno));
	free(buf);
	return rc;
}

/* After the last line: the file is not empty and a CDF ends at 1. */
static int
tsv_finish(struct tsv *t, struct err *e)
{
	if (t->n == 0)
		return err_setloc(e, t->path, 0, 0, "no values (only "
		    "comments and empty lines)");
	if (t->ncols == 2 && t->p[t->n - 1] != 1.0)
		return err_setloc(e, t->path, t->last_line, t->last_pcol,
		    "the last probability is %g, not 1 (a CDF ends at 1)",
		    t->p[t->n - 1]);
	return 0;
}

static char *
join_path(const char *basedir, const char *name)
{
	if (name[0] == '/' || basedir == NULL || basedir[0] == '\0')
		return xstrdup(name);
	return xasprintf("%s%s%s", basedir,
	    basedir[strlen(basedir) - 1] == '/' ? "" : "/", name);
}

/* Mean of the values, or of the piecewise-linear CDF through them. */
static double
tsv_mean(const struct tsv *t)
{
	double sum = 0;

	if (t->ncols == 1) {
		for (size_t i = 0; i < t->n; i++)
			sum += (double)t->v[i];
		return sum / (double)t->n;
	}
	sum = t->p[0] * (double)t->v[0];
	for (size_t i = 1; i < t->n; i++)
		sum += (t->p[i] - t->p[i - 1]) *
		    ((double)t->v[i - 1] + (double)t->v[i]) / 2;
	return sum;
}

/* Move what t read into d. */
static void
tsv_take(struct tsv *t, struct dist *d)
{
	d->kind = t->ncols == 1 ? DIST_EMPIRICAL : DIST_CDF;
	d->n = t->n;
	d->v = t->v;
	d->p = t->p;
	d->mean = tsv_mean(t);
	d->a = d->b = t->v[0];
	for (size_t i = 1; i < t->n; i++) {
		if (t->v[i] < d->a)
			d->a = t->v[i];
		if (t->v[i] > d->b)
			d->b = t->v[i];
	}
	t->v = NULL;
	t->p = NULL;
}

static int
parse_empirical(struct dist *d, const json_t *j, const struct at *a,
    const char *basedir, struct err *e)
{
	struct tsv t;
	FILE *f;
	int rc;

	if (!json_is_string(j))
		return err_setptr(e, a->file, a->ptr, "\"empirical\" takes "
		    "a file name, found %s", json_kind(j));
	if (json_string_value(j)[0] == '\0')
		return err_setptr(e, a->file, a->ptr, "\"empirical\" takes "
		    "a file name, found \"\"");
	memset(&t, 0, sizeof(t));
	t.path = join_path(basedir, json_string_value(j));
	if ((f = fopen(t.path, "r")) == NULL) {
		rc = err_setptr(e, a->file, a->ptr, "cannot open \"%s\": %s",
		    t.path, strerror(errno));
	} else {
		rc = tsv_read(&t, f, e);
		fclose(f);
		if (rc == 0)
			rc = tsv_finish(&t, e);
	}
	if (rc == 0) {
		tsv_take(&t, d);
		d->name = xstrdup(json_string_value(j));
	}
	free(t.v);
	free(t.p);
	free((char *)t.path);
	return rc;
}

typedef int dist_parse_fn(struct dist *, const json_t *, const struct at *,
    const char *, struct err *);

static const struct kind {
	const char	*name;
	dist_parse_fn	*parse;
} kinds[] = {
	{ "const", parse_const },
	{ "exp", parse_exp },
	{ "uniform", parse_uniform },
	{ "lognormal", parse_lognormal },
	{ "empirical", parse_empirical },
};

/* The one key of a distribution object, checked; its parser. */
static const struct kind *
one_key(const json_t *j, const struct at *a, const char **key,
    json_t **val, struct err *e)
{
	void *it = json_object_iter((json_t *)j);
	void *next;
	struct at sub;

	if (it == NULL) {
		err_setptr(e, a->file, a->ptr, "expected one key (" KINDS
		    "), found an empty object");
		return NULL;
	}
	*key = json_object_iter_key(it);
	*val = json_object_iter_value(it);
	if ((next = json_object_iter_next((json_t *)j, it)) != NULL) {
		at_key(&sub, a, json_object_iter_key(next));
		err_setptr(e, a->file, sub.ptr, "unexpected second key \"%s\" "
		    "(a distribution has one key, here \"%s\")",
		    json_object_iter_key(next), *key);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(*key, kinds[i].name) == 0)
			return &kinds[i];
	at_key(&sub, a, *key);
	err_setptr(e, a->file, sub.ptr, "unknown distribution \"%s\" (use "
	    KINDS ")", *key);
	return NULL;
}

int
dist_parse(struct dist *d, const json_t *j, const char *file,
    const char *ptr, const char *basedir, struct err *e)
{
	const struct kind *k;
	const char *key;
	json_t *val;
	struct at a, sub;

	dist_init_const(d, 0);
	at_init(&a, file, ptr);
	if (json_is_string(j))
		return parse_const(d, j, &a, basedir, e);
	if (!json_is_object(j))
		return err_setptr(e, a.file, a.ptr, "expected a duration such "
		    "as \"2ms\" or a distribution such as {\"exp\": \"2ms\"}, "
		    "found %s", json_kind(j));
	if ((k = one_key(j, &a, &key, &val, e)) == NULL)
		return -1;
	at_key(&sub, &a, key);
	if (k->parse(d, val, &sub, basedir, e) == -1) {
		dist_release(d);
		return -1;
	}
	return 0;
}

int
dist_parse_duration(const json_t *j, const char *file, const char *ptr,
    int64_t *ns, struct err *e)
{
	struct at a;

	at_init(&a, file, ptr);
	return parse_dur(j, &a, ns, e);
}

int
dist_parse_rate(struct dist *d, const json_t *j, const char *file,
    const char *ptr, struct err *e)
{
	struct units_rate r;
	struct at a;

	dist_init_const(d, 0);
	at_init(&a, file, ptr);
	if (!json_is_string(j))
		return err_setptr(e, a.file, a.ptr, "expected a rate such as "
		    "\"200/s\", found %s", json_kind(j));
	if (units_parse_rate(json_string_value(j), &r, e) == -1)
		return at_locate(&a, e);
	dist_init_exp(d, units_rate_interval_ns(&r));
	return 0;
}

/* A continuous draw x >= 0 as whole ns, clamped to INT64_MAX. */
static inline int64_t
to_ns(double x)
{
	if (!(x < 0x1p63))
		return INT64_MAX;
	return (int64_t)llround(x);
}

/* Inverse transform of u in [0, 1) through the CDF; O(log n). */
static int64_t
cdf_sample(const struct dist *d, double u)
{
	size_t lo = 0, hi = d->n - 1;
	double t;

	/* The first point whose probability is above u; p[n-1] = 1 > u. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->p[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == 0)
		return d->v[0];
	t = (u - d->p[lo - 1]) / (d->p[lo] - d->p[lo - 1]);
	return d->v[lo - 1] +
	    to_ns((double)(d->v[lo] - d->v[lo - 1]) * t);
}

int64_t
dist_sample(const struct dist *d, struct rng *r)
{
	switch (d->kind) {
	case DIST_CONST:
		return d->a;
	case DIST_EXP:
		return to_ns(rng_exp(r, d->mean));
	case DIST_UNIFORM:
		return d->a + (int64_t)rng_below(r,
		    (uint64_t)(d->b - d->a) + 1);
	case DIST_LOGNORMAL:
		if (d->sigma == 0)
			return d->a;
		return to_ns(exp(d->mu + d->sigma * rng_normal(r)));
	case DIST_EMPIRICAL:
		return d->v[rng_below(r, d->n)];
	case DIST_CDF:
		return cdf_sample(d, rng_uniform(r));
	}
	BUG("dist_sample: bad kind %d", (int)d->kind);
}

double
dist_mean_ns(const struct dist *d)
{
	return d->mean;
}

int
dist_is_const(const struct dist *d, int64_t *ns)
{
	int is;

	switch (d->kind) {
	case DIST_EXP:
		is = 0;
		break;
	case DIST_LOGNORMAL:
		is = d->sigma == 0;
		break;
	default:
		is = d->a == d->b;
		break;
	}
	if (is && ns != NULL)
		*ns = d->a;
	return is;
}

int64_t
dist_max_ns(const struct dist *d)
{
	if (d->kind == DIST_EXP ||
	    (d->kind == DIST_LOGNORMAL && d->sigma > 0))
		return INT64_MAX;
	return d->kind == DIST_LOGNORMAL ? d->a : d->b;
}

/* Append s to buf as JSON string contents. */
static void
json_escape(const char *s, char *buf, size_t n)
{
	size_t o = 0;

	for (; *s != '\0' && o + 7 < n; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(buf + o, n - o, "\\u%04x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	if (n > 0)
		buf[o < n ? o : n - 1] = '\0';
}

char *
dist_format(const struct dist *d, char *buf, size_t n)
{
	char x[UNITS_DURATION_MAX], y[UNITS_DURATION_MAX], name[512];

	switch (d->kind) {
	case DIST_CONST:
		snprintf(buf, n, "\"%s\"",
		    units_format_duration(d->a, x, sizeof(x)));
		break;
	case DIST_EXP:
		snprintf(buf, n, "{\"exp\": \"%s\"}",
		    units_format_duration(to_ns(d->mean), x, sizeof(x)));
		break;
	case DIST_UNIFORM:
		snprintf(buf, n, "{\"uniform\": [\"%s\", \"%s\"]}",
		    units_format_duration(d->a, x, sizeof(x)),
		    units_format_duration(d->b, y, sizeof(y)));
		break;
	case DIST_LOGNORMAL:
		snprintf(buf, n, "{\"lognormal\": {\"median\": \"%s\", "
		    "\"p99\": \"%s\"}}",
		    units_format_duration(d->a, x, sizeof(x)),
		    units_format_duration(d->b, y, sizeof(y)));
		break;
	case DIST_EMPIRICAL:
	case DIST_CDF:
		json_escape(d->name != NULL ? d->name : "", name,
		    sizeof(name));
		snprintf(buf, n, "{\"empirical\": \"%s\"}", name);
		break;
	}
	return buf;
}
