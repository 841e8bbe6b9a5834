/*
 * report-run.c - one run's page: what the model was, what was found, and
 * four plots.
 *
 * Everything comes from the results database (docs/results-schema.md):
 * the model text stored with the run, the findings and their steps, the
 * counters, the histograms (CDFs are running sums of hist_bucket) and the
 * sampled time series.  A run recorded without time series (a sweep's
 * runs, unless --sample) gets the CDFs only, and the page says why.
 *
 * The limits drawn on the thread plot are the model's own: the loaded
 * model knows its constrained cap (max(64, 5 x cores) unless "gcd" sets
 * it) and the absolute 512.  Kills (incidents) are drawn as impulses on
 * the time axis and deadlocks as bars from the time the cycle closed to
 * the time it was broken, so a thread spike can be read against them.
 *
 * Flags get a section of their own: when each was first set, by whom,
 * and a milestone strip (one row per flag, first set on top), with the
 * verdict of each flag order the report shows (the model's `order`
 * expectations, or --order), so a race reads as which flag won.  The
 * strip's time axis ends a little after the last flag, not at the end of
 * the run: a milestone a minute into a two-hour run must still show.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/xalloc.h"
#include "model/model.h"
#include "out/report-run.h"

/* Series shown at most per plot (the largest first). */
#define MAX_LINES	8
/* Findings shown in full; the rest are counted. */
#define MAX_FINDINGS	40

static int
prep(struct rctx *c, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(c->db, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	if (c->rc == 0)
		c->rc = -1;
	err_set(&c->e, "%s: %s (is it an essim results database of this "
	    "version?)", c->dbname, sqlite3_errmsg(c->db));
	return -1;
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

void
rrun_caps(const char *text, const char *file, int *cap, int *maxcap)
{
	json_t *doc = json_loads(text, 0, NULL);
	struct diag d = DIAG_INIT;
	struct model *m = NULL;
	json_t *cores;

	*cap = 64;
	*maxcap = 512;
	if (doc == NULL)
		return;
	cores = json_object_get(json_object_get(doc, "machine"), "cores");
	if (json_is_integer(cores) && 5 * json_integer_value(cores) > 64)
		*cap = (int)(5 * json_integer_value(cores));
	m = model_load_json(doc, file[0] != '\0' ? file : "model", ".", &d);
	if (m != NULL) {
		*cap = m->wq_constrained_max;
		*maxcap = m->wq_max_threads;
		model_free(m);
	}
	diag_release(&d);
	json_decref(doc);
}

static void
row(struct rctx *c, const char *k, const char *v)
{
	rhtml_raw(c, "<tr><th>");
	rhtml_text(c, k);
	rhtml_raw(c, "</th><td>");
	rhtml_text(c, v);
	rhtml_raw(c, "</td></tr>\n");
}

/* "acme (AUTH_OPEN, NOTIFY_EXEC)" for each key of obj, with sub-list. */
static char *
names_of(json_t *obj, const char *list_key, const char *num_key)
{
	char *s = xstrdup("");
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		json_t *l = list_key ? json_object_get(v, list_key) : NULL;
		json_t *n = num_key ? json_object_get(v, num_key) : NULL;
		char *inner = xstrdup(""), *t;
		size_t i;
		json_t *x;

		json_array_foreach(l, i, x) {
			t = xasprintf("%s%s%s", inner, i > 0 ? ", " : "",
			    json_is_string(x) ? json_string_value(x) : "?");
			free(inner);
			inner = t;
		}
		if (json_is_integer(n)) {
			free(inner);
			inner = xasprintf("%lld %s", (long long)
			    json_integer_value(n), num_key);
		}
		t = xasprintf("%s%s%s%s%s%s", s, s[0] ? "; " : "", k,
		    inner[0] ? " (" : "", inner, inner[0] ? ")" : "");
		free(inner);
		free(s);
		s = t;
	}
	return s;
}

/* "Finder AUTH_OPEN at 200/s" per workload source. */
static char *
sources_of(json_t *wl)
{
	char *s = xstrdup("");
	size_t i;
	json_t *src;

	json_array_foreach(json_object_get(wl, "sources"), i, src) {
		json_t *r = json_object_get(src, "rate");
		json_t *iv = json_object_get(src, "interval");
		char *t = xasprintf("%s%s%s %s %s %s", s, s[0] ? "; " : "",
		    json_string_value(json_object_get(src, "process")) ?
		    json_string_value(json_object_get(src, "process")) : "?",
		    json_string_value(json_object_get(src, "event")) ?
		    json_string_value(json_object_get(src, "event")) : "?",
		    json_is_string(r) ? "at" : "every",
		    json_is_string(r) ? json_string_value(r) :
		    json_is_string(iv) ? json_string_value(iv) : "?");

		free(s);
		s = t;
	}
	if (json_is_object(json_object_get(wl, "trace"))) {
		char *t = xasprintf("%s%strace replay", s, s[0] ? "; " : "");

		free(s);
		s = t;
	}
	return s;
}

void
rrun_model_summary(struct rctx *c, const char *text, const char *file)
{
	json_t *doc = json_loads(text, 0, NULL);
	json_t *v;
	char *s, buf[64];
	int cap, maxcap;

	rhtml_raw(c, "<table class=\"kv\">\n");
	if (doc == NULL) {
		row(c, "model", "(the stored model text is not JSON)");
		rhtml_raw(c, "</table>\n");
		return;
	}
	if (json_is_string(v = json_object_get(doc, "name")))
		row(c, "model", json_string_value(v));
	if (file != NULL && file[0] != '\0')
		row(c, "file", file);
	if (json_is_string(v = json_object_get(doc, "about")))
		row(c, "about", json_string_value(v));
	if (json_is_string(v = json_object_get(doc, "duration")))
		row(c, "duration", json_string_value(v));
	rrun_caps(text, file != NULL ? file : "", &cap, &maxcap);
	v = json_object_get(json_object_get(doc, "machine"), "cores");
	snprintf(buf, sizeof(buf), "%lld cores; GCD pool cap %d, absolute %d",
	    json_is_integer(v) ? (long long)json_integer_value(v) : 8LL, cap,
	    maxcap);
	row(c, "machine", buf);
	if ((v = json_object_get(json_object_get(doc, "es"), "deadline"))) {
		char *d = json_is_string(v) ? xstrdup(json_string_value(v)) :
		    json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		if (d != NULL && d[0] != '\0' && strcmp(d, "{}") != 0)
			row(c, "deadlines", d);
		free(d);
	}
	s = names_of(json_object_get(doc, "clients"), "subscribe", NULL);
	if (s[0] != '\0')
		row(c, "clients", s);
	free(s);
	s = names_of(json_object_get(doc, "daemons"), NULL, "workers");
	if (s[0] != '\0')
		row(c, "daemons", s);
	free(s);
	s = sources_of(json_object_get(doc, "workload"));
	if (s[0] != '\0')
		row(c, "workload", s);
	free(s);
	rhtml_raw(c, "</table>\n");
	json_decref(doc);
}

static void
finding_steps(struct rctx *c, int64_t run, int64_t fid)
{
	sqlite3_stmt *st;
	char buf[32];

	if (prep(c, &st, "SELECT label, detail, t_ns FROM finding_steps "
	    "WHERE run_id = ?1 AND finding_id = ?2 ORDER BY step") != 0)
		return;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, fid);
	rhtml_raw(c, "<ol class=\"chain\">");
	while (sqlite3_step(st) == SQLITE_ROW) {
		rhtml_raw(c, "<li><b>");
		rhtml_text(c, col(st, 0));
		rhtml_raw(c, "</b> ");
		rhtml_text(c, col(st, 1));
		if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			rhtml_raw(c, " <span class=\"t\">(");
			rhtml_text(c, rhtml_dur(sqlite3_column_int64(st, 2),
			    buf, sizeof(buf)));
			rhtml_raw(c, ")</span>");
		}
		rhtml_raw(c, "</li>");
	}
	rhtml_raw(c, "</ol>\n");
	sqlite3_finalize(st);
}

/* Findings of run, each with its chain. */
static void
findings(struct rctx *c, int64_t run)
{
	sqlite3_stmt *st;
	size_t n = 0;
	char buf[32];

	rhtml_raw(c, "<section><h2>Findings</h2>\n");
	if (prep(c, &st, "SELECT finding_id, kind, t_ns, summary, chain, "
	    "ended, scenario FROM findings WHERE run_id = ?1 ORDER BY "
	    "finding_id") != 0)
		return;
	sqlite3_bind_int64(st, 1, run);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n++ >= MAX_FINDINGS)
			continue;
		rhtml_raw(c, "<details class=\"finding %s\"%s><summary>"
		    "<span class=\"kind\">", col(st, 1), n <= 5 ? " open" : "");
		rhtml_text(c, col(st, 1));
		rhtml_raw(c, "</span> at ");
		rhtml_text(c, rhtml_dur(sqlite3_column_int64(st, 2), buf,
		    sizeof(buf)));
		rhtml_raw(c, ": ");
		rhtml_text(c, col(st, 3));
		rhtml_raw(c, "</summary>\n");
		if (col(st, 4)[0] != '\0') {
			rhtml_raw(c, "<p class=\"chainline\">");
			rhtml_text(c, col(st, 4));
			rhtml_raw(c, "</p>");
		}
		finding_steps(c, run, sqlite3_column_int64(st, 0));
		if (col(st, 5)[0] != '\0') {
			rhtml_raw(c, "<p>Ended: ");
			rhtml_text(c, col(st, 5));
			rhtml_raw(c, "</p>");
		}
		if (col(st, 6)[0] != '\0') {
			rhtml_raw(c, "<pre>");
			rhtml_text(c, col(st, 6));
			rhtml_raw(c, "</pre>");
		}
		rhtml_raw(c, "</details>\n");
	}
	sqlite3_finalize(st);
	if (n == 0)
		rhtml_raw(c, "<p class=\"ok\">No findings: no deadlock, no "
		    "potential cycle, no thread explosion, no deadline "
		    "overrun.</p>\n");
	else if (n > MAX_FINDINGS)
		rhtml_raw(c, "<p>... and %zu more (all in the database: "
		    "<code>SELECT * FROM findings</code>).</p>\n",
		    n - MAX_FINDINGS);
	rhtml_raw(c, "</section>\n");
}

/* One flag of the run, as the flags table has it. */
struct rflag {
	char	*name;
	char	*process;
	int64_t	 first;		/* -1: never set */
	int64_t	 sets;
};

/* The run's flags, first set first, those never set last (by name). */
static struct rflag *
read_flags(struct rctx *c, int64_t run, size_t *n)
{
	struct rflag *v = NULL;
	size_t alloc = 0;
	sqlite3_stmt *st;

	*n = 0;
	if (prep(c, &st, "SELECT flag, coalesce(first_ns, -1), process, sets "
	    "FROM flags WHERE run_id = ?1 ORDER BY first_ns IS NULL, "
	    "first_ns, flag") != 0)
		return NULL;
	sqlite3_bind_int64(st, 1, run);
	while (sqlite3_step(st) == SQLITE_ROW) {
		XGROW(v, *n + 1, alloc);
		v[*n].name = xstrdup(col(st, 0));
		v[*n].first = sqlite3_column_int64(st, 1);
		v[*n].process = xstrdup(col(st, 2));
		v[*n].sets = sqlite3_column_int64(st, 3);
		(*n)++;
	}
	sqlite3_finalize(st);
	return v;
}

static void
free_flags(struct rflag *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].process);
	}
	free(v);
}

static int64_t
flag_first(const struct rflag *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return v[i].first;
	return -1;
}

/*
 * The time unit of a milestone axis ending at xmax ns: its name and its
 * length in ns.
 */
static const char *
time_unit(int64_t xmax, double *ns)
{
	if (xmax < 2000000000) {
		*ns = 1e6;
		return "ms";
	}
	if (xmax < INT64_C(600000000000)) {
		*ns = 1e9;
		return "s";
	}
	if (xmax < INT64_C(36000000000000)) {
		*ns = 60e9;
		return "min";
	}
	*ns = 3600e9;
	return "h";
}

/*
 * The milestone strip: one row per flag, first set on top, a bar from 0
 * to the time it was first set; flags never set are listed as such.
 */
static void
flags_plot(struct rctx *c, const struct rflag *v, size_t n, int64_t end)
{
	int64_t last = 0, xmax;
	size_t nset = 0;
	double unit;
	const char *uname;
	char buf[32], *vars, *cap;
	FILE *f;

	for (size_t i = 0; i < n; i++)
		if (v[i].first >= 0) {
			nset++;
			if (v[i].first > last)
				last = v[i].first;
		}
	if (nset == 0) {
		rhtml_raw(c, "<p class=\"none\">No flag was set in this run."
		    "</p>\n");
		return;
	}
	xmax = last + last / 5;
	if (xmax < 1000000)
		xmax = 1000000;
	uname = time_unit(xmax, &unit);
	if ((f = rhtml_data(c, "flags.dat")) == NULL)
		return;
	fprintf(f, "# first set: t_%s row flag label\n", uname);
	for (size_t i = 0; i < nset; i++)
		fprintf(f, "%.9g %zu \"%s\" \"%s, %s\"\n", v[i].first / unit,
		    i + 1, v[i].name, rhtml_dur(v[i].first, buf, sizeof(buf)),
		    v[i].process);
	if (nset < n) {
		fprintf(f, "\n\n# never set: 0 row flag\n");
		for (size_t i = nset; i < n; i++)
			fprintf(f, "0 %zu \"%s\"\n", i + 1, v[i].name);
	}
	if (rhtml_data_close(c, f, "flags.dat") != 0)
		return;
	vars = xasprintf("data = 'data/flags.dat'\nout = 'flags'\n"
	    "n = %zu\nnset = %zu\nxmax = %.9g\nxlabel = 'virtual time (%s)'\n"
	    "title = 'Flags: when each was first set'\nheight = %zu\n", n,
	    nset, xmax / unit, uname, 150 + 40 * n);
	cap = xasprintf("When each flag was first set, the first on top "
	    "(the run went on to %s)", rhtml_dur(end, buf, sizeof(buf)));
	rhtml_plot(c, "run-flags", "flags", vars, cap);
	free(cap);
	free(vars);
}

/*
 * The flags of the run (a table and the milestone strip) and, for each
 * order the report shows, which flag won.  Nothing when the model has
 * no flags.
 */
static void
flags_section(struct rctx *c, int64_t run, const char *text, int64_t end)
{
	size_t n, no;
	struct rflag *v = read_flags(c, run, &n);
	struct rorder *o;
	char buf[32], buf2[32];

	if (n == 0) {
		free_flags(v, n);
		return;
	}
	rhtml_raw(c, "<section><h2>Flags</h2>\n");
	o = rhtml_orders(c, text, &no);
	if (no > 0)
		rhtml_raw(c, "<ul class=\"orders\">\n");
	for (size_t i = 0; i < no; i++) {
		int64_t ta = flag_first(v, n, o[i].a);
		int64_t tb = flag_first(v, n, o[i].b);
		int held = ta >= 0 && (tb < 0 || ta < tb);

		rhtml_raw(c, "<li><b>");
		rhtml_text(c, o[i].a);
		rhtml_raw(c, "</b> before <b>");
		rhtml_text(c, o[i].b);
		rhtml_raw(c, "</b>%s: <span class=\"%s\">%s</span> &mdash; ",
		    c->norders > 0 ? "" : " (the model's expectation)",
		    held ? "ok" : "warn", held ? "yes" : "no");
		if (ta < 0 && tb < 0) {
			rhtml_raw(c, "neither was set");
		} else if (ta >= 0 && tb >= 0) {
			rhtml_text(c, ta <= tb ? o[i].a : o[i].b);
			rhtml_raw(c, " %s at %s, ", ta == tb ? "tied" : "won",
			    rhtml_dur(ta <= tb ? ta : tb, buf, sizeof(buf)));
			rhtml_text(c, ta <= tb ? o[i].b : o[i].a);
			rhtml_raw(c, " at %s", rhtml_dur(ta <= tb ? tb : ta,
			    buf2, sizeof(buf2)));
		} else {
			rhtml_text(c, ta >= 0 ? o[i].a : o[i].b);
			rhtml_raw(c, " at %s, ", rhtml_dur(ta >= 0 ? ta : tb,
			    buf, sizeof(buf)));
			rhtml_text(c, ta >= 0 ? o[i].b : o[i].a);
			rhtml_raw(c, " never");
		}
		rhtml_raw(c, "</li>\n");
	}
	if (no > 0)
		rhtml_raw(c, "</ul>\n");
	rhtml_orders_free(o, no);
	rhtml_raw(c, "<table class=\"data\"><tr><th>flag</th><th>first set"
	    "</th><th>by</th><th>times set</th></tr>\n");
	for (size_t i = 0; i < n; i++) {
		rhtml_raw(c, "<tr><td>");
		rhtml_text(c, v[i].name);
		rhtml_raw(c, "</td><td>%s</td><td>", v[i].first >= 0 ?
		    rhtml_dur(v[i].first, buf, sizeof(buf)) : "never");
		rhtml_text(c, v[i].process);
		rhtml_raw(c, "</td><td>%lld</td></tr>\n",
		    (long long)v[i].sets);
	}
	rhtml_raw(c, "</table>\n<div class=\"plots\">\n");
	flags_plot(c, v, n, end);
	rhtml_raw(c, "</div>\n</section>\n");
	free_flags(v, n);
}

/*
 * CDFs of the histograms that where selects (client or event_type as
 * the label, in column 0; hist_id in column 1), into data/NAME.dat.
 * Returns the number of curves and their gnuplot titles array.
 */
static int
cdf_data(struct rctx *c, int64_t run, const char *name, const char *sql,
    char **titles, int64_t *xmax)
{
	sqlite3_stmt *st, *bk;
	char *fname = xasprintf("%s.dat", name);
	FILE *f = rhtml_data(c, fname);
	char *tl = xstrdup("");
	int n = 0;

	*xmax = 0;
	if (f == NULL || prep(c, &st, sql) != 0 || prep(c, &bk, "SELECT "
	    "lo_ns, hi_ns, count FROM hist_bucket WHERE run_id = ?1 AND "
	    "hist_id = ?2 ORDER BY lo_ns") != 0) {
		if (f != NULL)
			fclose(f);
		free(fname);
		*titles = tl;
		return 0;
	}
	sqlite3_bind_int64(st, 1, run);
	while (sqlite3_step(st) == SQLITE_ROW && n < MAX_LINES) {
		double total = sqlite3_column_double(st, 2), sum = 0;
		char *q = rhtml_gpstr(col(st, 0)), *t;
		int first = 1;

		fprintf(f, "%s# %s\n", n > 0 ? "\n\n" : "", col(st, 0));
		sqlite3_bind_int64(bk, 1, run);
		sqlite3_bind_int64(bk, 2, sqlite3_column_int64(st, 1));
		while (sqlite3_step(bk) == SQLITE_ROW) {
			if (first)
				fprintf(f, "%.9g 0\n",
				    sqlite3_column_int64(bk, 0) / 1e6);
			first = 0;
			sum += sqlite3_column_double(bk, 2);
			if (sqlite3_column_int64(bk, 1) > *xmax)
				*xmax = sqlite3_column_int64(bk, 1);
			fprintf(f, "%.9g %.9g\n",
			    sqlite3_column_int64(bk, 1) / 1e6, sum / total);
		}
		sqlite3_reset(bk);
		t = xasprintf("%s%s%s", tl, n > 0 ? ", " : "", q);
		free(tl);
		free(q);
		tl = t;
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(bk);
	rhtml_data_close(c, f, fname);
	free(fname);
	*titles = tl;
	return n;
}

static void
cdf_plot(struct rctx *c, int64_t run, const char *name, const char *sql,
    const char *title, const char *caption)
{
	char *titles, *vars, *qt;
	int64_t xmax;
	int n = cdf_data(c, run, name, sql, &titles, &xmax);

	if (n > 0 && xmax <= 0) {
		/* A log axis cannot show it: say it. */
		rhtml_raw(c, "<p class=\"none\">");
		rhtml_text(c, caption);
		rhtml_raw(c, ": every value was 0 (nothing delayed them)."
		    "</p>\n");
		free(titles);
		return;
	}
	if (n == 0) {
		rhtml_raw(c, "<p class=\"none\">");
		rhtml_text(c, caption);
		rhtml_raw(c, ": nothing was recorded.</p>\n");
		free(titles);
		return;
	}
	qt = rhtml_gpstr(title);
	vars = xasprintf("data = 'data/%s.dat'\nout = '%s'\nn = %d\n"
	    "array titles[%d] = [%s]\ntitle = %s\n", name, name, n, n, titles,
	    qt);
	rhtml_plot(c, "run-cdf", name, vars, caption);
	free(vars);
	free(qt);
	free(titles);
}

/* Kill and deadlock markers; returns how many of each. */
static void
markers(struct rctx *c, int64_t run, int64_t end, int *nk, int *nd)
{
	sqlite3_stmt *st;
	FILE *f;

	*nk = *nd = 0;
	if ((f = rhtml_data(c, "kills.dat")) == NULL)
		return;
	if (prep(c, &st, "SELECT t_ns, client FROM incidents WHERE run_id = "
	    "?1 AND kind = 'kill' ORDER BY seq") == 0) {
		sqlite3_bind_int64(st, 1, run);
		for (; sqlite3_step(st) == SQLITE_ROW; (*nk)++)
			fprintf(f, "%.9g %s\n",
			    sqlite3_column_int64(st, 0) / 1e9, col(st, 1));
		sqlite3_finalize(st);
	}
	rhtml_data_close(c, f, "kills.dat");
	if ((f = rhtml_data(c, "deadlocks.dat")) == NULL)
		return;
	if (prep(c, &st, "SELECT t_ns, coalesce(t_end_ns, ?2) FROM findings "
	    "WHERE run_id = ?1 AND kind = 'deadlock' ORDER BY finding_id") ==
	    0) {
		sqlite3_bind_int64(st, 1, run);
		sqlite3_bind_int64(st, 2, end);
		for (; sqlite3_step(st) == SQLITE_ROW; (*nd)++)
			fprintf(f, "%.9g %.9g\n",
			    sqlite3_column_int64(st, 0) / 1e9,
			    sqlite3_column_int64(st, 1) / 1e9);
		sqlite3_finalize(st);
	}
	rhtml_data_close(c, f, "deadlocks.dat");
}

/*
 * The series of metric (the subjects with the largest peaks) into
 * data/NAME.dat: "t_s value peak" per subject.  Returns how many, with
 * the titles array and the largest peak.
 */
static int
series_data(struct rctx *c, int64_t run, const char *metric,
    const char *name, char **titles, int64_t *ymax)
{
	sqlite3_stmt *st, *sm;
	char *fname = xasprintf("%s.dat", name);
	FILE *f = rhtml_data(c, fname);
	char *tl = xstrdup("");
	int n = 0;

	*ymax = 0;
	*titles = tl;
	if (f == NULL || prep(c, &st, "SELECT s.series_id, s.subject, "
	    "max(x.peak) AS pk FROM series s JOIN samples x USING (run_id, "
	    "series_id) WHERE s.run_id = ?1 AND s.metric = ?2 GROUP BY "
	    "s.series_id HAVING pk > 0 ORDER BY pk DESC, s.subject") != 0 ||
	    prep(c, &sm, "SELECT t_ns, value, peak FROM samples WHERE "
	    "run_id = ?1 AND series_id = ?2 ORDER BY t_ns") != 0) {
		if (f != NULL)
			fclose(f);
		free(fname);
		return 0;
	}
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, metric, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && n < MAX_LINES) {
		char *q = rhtml_gpstr(col(st, 1)), *t;

		if (sqlite3_column_int64(st, 2) > *ymax)
			*ymax = sqlite3_column_int64(st, 2);
		fprintf(f, "%s# %s\n", n > 0 ? "\n\n" : "", col(st, 1));
		sqlite3_bind_int64(sm, 1, run);
		sqlite3_bind_int64(sm, 2, sqlite3_column_int64(st, 0));
		while (sqlite3_step(sm) == SQLITE_ROW)
			fprintf(f, "%.9g %lld %lld\n",
			    sqlite3_column_int64(sm, 0) / 1e9,
			    (long long)sqlite3_column_int64(sm, 1),
			    (long long)sqlite3_column_int64(sm, 2));
		sqlite3_reset(sm);
		t = xasprintf("%s%s%s", *titles, n > 0 ? ", " : "", q);
		free(*titles);
		free(q);
		*titles = t;
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(sm);
	rhtml_data_close(c, f, fname);
	free(fname);
	return n;
}

static void
series_plots(struct rctx *c, int64_t run, const char *text, const char *file,
    int64_t end, int64_t sample_ns)
{
	int cap, maxcap, nk, nd, n;
	int64_t peak;
	char *titles, *vars;

	if (sample_ns <= 0) {
		rhtml_raw(c, "<p class=\"none\">No time series in this run "
		    "(record them with <code>--sample T</code>): no thread or "
		    "queue plots.</p>\n");
		return;
	}
	rrun_caps(text, file, &cap, &maxcap);
	markers(c, run, end, &nk, &nd);
	n = series_data(c, run, "pool_threads", "threads", &titles, &peak);
	vars = xasprintf("data = 'data/threads.dat'\nout = 'threads'\n"
	    "n = %d\narray titles[%d] = [%s]\ncap = %d\nmaxcap = %d\n"
	    "ymax = %g\nnkills = %d\nndeadlocks = %d\nxmax = %.9g\n"
	    "ylabel = 'workqueue threads (peak per sample)'\n"
	    "title = 'GCD pool threads per process'\n", n, n > 0 ? n : 1,
	    n > 0 ? titles : "''", cap, maxcap,
	    1.08 * (double)(peak > cap ? peak : cap), nk, nd, end / 1e9);
	if (n > 0)
		rhtml_plot(c, "run-series", "threads", vars, "GCD pool threads "
		    "per process over time, with the constrained cap and the "
		    "absolute cap; kills (red) and deadlocks (grey bars) on "
		    "the time axis");
	free(vars);
	free(titles);
	n = series_data(c, run, "queue_depth", "queue", &titles, &peak);
	vars = xasprintf("data = 'data/queue.dat'\nout = 'queue'\n"
	    "n = %d\narray titles[%d] = [%s]\ncap = 0\nmaxcap = 0\n"
	    "ymax = %g\nnkills = %d\nndeadlocks = %d\nxmax = %.9g\n"
	    "ylabel = 'messages waiting (peak per sample)'\n"
	    "title = 'ES delivery queue depth per client'\n", n,
	    n > 0 ? n : 1, n > 0 ? titles : "''",
	    1.1 * (double)(peak > 1 ? peak : 1), nk, nd, end / 1e9);
	if (n > 0)
		rhtml_plot(c, "run-series", "queue", vars, "Delivery queue "
		    "depth per client over time, kills and deadlocks marked");
	else
		rhtml_raw(c, "<p class=\"none\">No client's delivery queue "
		    "ever held a message.</p>\n");
	free(vars);
	free(titles);
}

/* One table from a query: headers, then every column as text. */
static void
table(struct rctx *c, const char *caption, const char *sql, int64_t run)
{
	sqlite3_stmt *st;
	int nc, rows = 0;

	if (prep(c, &st, sql) != 0)
		return;
	sqlite3_bind_int64(st, 1, run);
	nc = sqlite3_column_count(st);
	rhtml_raw(c, "<table class=\"data\"><caption>");
	rhtml_text(c, caption);
	rhtml_raw(c, "</caption><tr>");
	for (int i = 0; i < nc; i++) {
		rhtml_raw(c, "<th>");
		rhtml_text(c, sqlite3_column_name(st, i));
		rhtml_raw(c, "</th>");
	}
	rhtml_raw(c, "</tr>\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		rows++;
		rhtml_raw(c, "<tr>");
		for (int i = 0; i < nc; i++) {
			rhtml_raw(c, "<td>");
			rhtml_text(c, col(st, i));
			rhtml_raw(c, "</td>");
		}
		rhtml_raw(c, "</tr>\n");
	}
	if (rows == 0)
		rhtml_raw(c, "<tr><td colspan=\"%d\">none</td></tr>\n", nc);
	rhtml_raw(c, "</table>\n");
	sqlite3_finalize(st);
}

static void
counters(struct rctx *c, int64_t run)
{
	rhtml_raw(c, "<section><h2>Counters</h2>\n");
	table(c, "Syscalls (latency: the syscall to its completion)",
	    "SELECT s.event_type AS type, s.count, s.denied, "
	    "printf('%.3f', h.p50_ns / 1e6) AS p50_ms, "
	    "printf('%.3f', h.p99_ns / 1e6) AS p99_ms, "
	    "printf('%.3f', h.max_ns / 1e6) AS max_ms FROM syscall_stats s "
	    "LEFT JOIN hist h ON h.run_id = s.run_id AND h.metric = "
	    "'syscall' AND h.event_type = s.event_type WHERE s.run_id = ?1 "
	    "ORDER BY s.count DESC, s.event_type", run);
	table(c, "Clients", "SELECT client, messages, auth_messages AS auth, "
	    "misses, kills, restarts, printf('%.3f', min_headroom_ns / 1e9) "
	    "AS min_headroom_s FROM client_stats WHERE run_id = ?1 ORDER BY "
	    "client", run);
	table(c, "Processes (the 15 with the most threads)", "SELECT process, "
	    "peak_threads, peak_pool_threads, crashes, printf('%.3f', "
	    "pool_time_above_ns / 1e9) AS s_above_threshold FROM "
	    "process_stats WHERE run_id = ?1 ORDER BY peak_threads DESC, "
	    "process LIMIT 15", run);
	rhtml_raw(c, "</section>\n");
}

int
rrun_write(struct rctx *c, int64_t run, char **title)
{
	sqlite3_stmt *st;
	char *text, *file, buf[32], buf2[32];
	int64_t end, sample;

	*title = NULL;
	if (prep(c, &st, "SELECT model_name, model_text, coalesce(model_file, "
	    "''), seed, duration_ns, coalesce(sim_ns, 0), coalesce(events, "
	    "0), status, sample_ns FROM run WHERE run_id = ?1") != 0)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		c->rc = -1;
		return err_set(&c->e, "%s: no run %lld", c->dbname,
		    (long long)run);
	}
	*title = xasprintf("%s, seed %lld", col(st, 0),
	    (long long)sqlite3_column_int64(st, 3));
	text = xstrdup(col(st, 1));
	file = xstrdup(col(st, 2));
	end = sqlite3_column_int64(st, 5);
	sample = sqlite3_column_int64(st, 8);
	rhtml_raw(c, "<p class=\"sub\">Run %lld of <code>", (long long)run);
	rhtml_text(c, c->dbname);
	rhtml_raw(c, "</code>: seed %lld, simulated %s of %s, %lld engine "
	    "events", (long long)sqlite3_column_int64(st, 3),
	    rhtml_dur(end, buf, sizeof(buf)),
	    rhtml_dur(sqlite3_column_int64(st, 4), buf2, sizeof(buf2)),
	    (long long)sqlite3_column_int64(st, 6));
	if (strcmp(col(st, 7), "complete") != 0)
		rhtml_raw(c, " <b class=\"warn\">(this run is %s: it was "
		    "interrupted)</b>", col(st, 7));
	rhtml_raw(c, ".</p>\n");
	sqlite3_finalize(st);
	rhtml_raw(c, "<section><h2>Model</h2>\n");
	rrun_model_summary(c, text, file);
	rhtml_raw(c, "</section>\n");
	findings(c, run);
	flags_section(c, run, text, end);
	rhtml_raw(c, "<section><h2>Plots</h2>\n<div class=\"plots\">\n");
	cdf_plot(c, run, "cdf-clients", "SELECT client, hist_id, count FROM "
	    "hist WHERE run_id = ?1 AND metric = 'response' AND event_type "
	    "IS NULL AND count > 0 ORDER BY count DESC, client",
	    "Client response time (CDF)", "Response time per client: "
	    "message enqueued to the client's answer");
	cdf_plot(c, run, "cdf-types", "SELECT event_type, hist_id, count FROM "
	    "hist WHERE run_id = ?1 AND metric = 'syscall' AND count > 0 "
	    "ORDER BY count DESC, event_type", "Syscall latency (CDF)",
	    "Syscall latency per event type: the syscall to its completion "
	    "(the verdict, for AUTH)");
	series_plots(c, run, text, file, end, sample);
	rhtml_raw(c, "</div>\n</section>\n");
	counters(c, run);
	free(text);
	free(file);
	return c->rc == 0 ? 0 : -1;
}
