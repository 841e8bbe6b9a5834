/*
 * sweep.c - a model over a grid of parameter values and seeds.
 *
 * The plan is fixed before anything runs: the grid (sweep-grid.h) gives
 * the points, each point times the seeds gives the runs, each run its
 * index and run_id, and the shard picks its runs by index alone.  Every
 * point's patched model is loaded once up front, so that a value that
 * makes the model invalid stops the sweep with the pointer, the value and
 * the loader's message before any time is spent.
 *
 * Execution: the parent hands run indices to forked workers
 * (sweep-pool.h); each worker patches the base document for the run's
 * point, loads it, simulates it with the run counters, the analyses and
 * the results recorder attached (the same as `essim run -o`), and writes
 * the run into a database of its own in a temporary directory beside the
 * output.  When all are done the parent, the only writer of the output,
 * merges the parts in run order (sweep-merge.h), adds the sweep table and
 * renames the file into place.
 *
 * What could make the result depend on the split is kept out of the
 * rows: run ids and seeds come from run indices, the model text is the
 * patched document dumped in one fixed format, and run.model_file is
 * NULL (shards on other machines see the model under other paths).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "analysis/analyses.h"
#include "analysis/stats.h"
#include "core/units.h"
#include "core/xalloc.h"
#include "es/world.h"
#include "model/model.h"
#include "out/results-rec.h"
#include "out/results.h"
#include "out/sweep-merge.h"
#include "out/sweep-pool.h"
#include "out/sweep.h"
#include "trace/sha256.h"

/* Failing points named before the rest are only counted. */
#define SHOW_BAD_POINTS	5

/* What the workers inherit. */
struct sweep {
	const struct sweep_opts	*o;
	json_t			*base;		/* the model file's document */
	char			*dir;		/* where its relative paths start */
	char			*tmpdir;
	unsigned		 nparts;
};

/* A worker's state. */
struct worker {
	const struct sweep	*sw;
	struct res_db		*db;
};

static char *
dir_of(const char *file)
{
	const char *slash = strrchr(file, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == file)
		return xstrdup("/");
	return xstrndup(file, (size_t)(slash - file));
}

static char *
part_path(const struct sweep *sw, unsigned i)
{
	return xasprintf("%s/part-%u.db", sw->tmpdir, i);
}

/* "/machine/cores=8, /workload/sources/0/rate=400/s" for point p. */
static char *
point_label(const struct sg_grid *g, uint64_t p)
{
	char *s = xstrdup("");

	for (size_t a = 0; a < sg_naxes(g); a++) {
		char *v = sg_value_text(sg_axis_value(g, a,
		    sg_point_index(g, p, a)));
		char *t = xasprintf("%s%s%s=%s", s, a > 0 ? ", " : "",
		    sg_axis_pointer(g, a), v);

		free(v);
		free(s);
		s = t;
	}
	return s;
}

/* The patched document of point p (new reference), or NULL with e set. */
static json_t *
point_doc(const struct sweep *sw, uint64_t p, struct err *e)
{
	json_t *doc = json_deep_copy(sw->base);

	if (sg_apply(sw->o->grid, p, doc, e) != 0) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* Load point p; NULL with its problems in d. */
static struct model *
point_model(const struct sweep *sw, uint64_t p, json_t **docp,
    struct diag *d)
{
	struct err e = ERR_INIT;
	json_t *doc = point_doc(sw, p, &e);
	struct model *m;

	if (doc == NULL) {
		diag_add_err(d, &e);
		return NULL;
	}
	m = model_load_json(doc, sw->o->model_file, sw->dir, d);
	if (docp != NULL && m != NULL)
		*docp = doc;
	else
		json_decref(doc);
	return m;
}

/* Load every point; name the first SHOW_BAD_POINTS that fail. */
static int
validate(const struct sweep *sw, uint64_t npoints, struct diag *d)
{
	uint64_t bad = 0;

	for (uint64_t p = 0; p < npoints; p++) {
		struct diag pd = DIAG_INIT;
		struct model *m = point_model(sw, p, NULL, &pd);

		if (m != NULL) {
			model_free(m);
			diag_release(&pd);
			continue;
		}
		if (bad++ < SHOW_BAD_POINTS) {
			char *l = point_label(sw->o->grid, p);

			diag_addptr(d, NULL, NULL, "grid point %llu of %llu "
			    "(%s) does not load:", (unsigned long long)p + 1,
			    (unsigned long long)npoints, l);
			for (size_t i = 0; i < diag_count(&pd); i++)
				diag_addptr(d, NULL, NULL, "  %s",
				    diag_msg(&pd, i));
			free(l);
		}
		diag_release(&pd);
	}
	if (bad > SHOW_BAD_POINTS)
		diag_addptr(d, NULL, NULL, "... and %llu more grid points "
		    "that do not load", (unsigned long long)(bad -
		    SHOW_BAD_POINTS));
	if (bad > 0)
		diag_addptr(d, NULL, NULL, "nothing was run");
	return bad > 0 ? SWEEP_EINPUT : SWEEP_OK;
}

char *
sweep_grid_text(const struct sweep_opts *o, const json_t *base)
{
	char *canon = json_dumps(base, JSON_COMPACT | JSON_SORT_KEYS |
	    JSON_ENCODE_ANY);
	char hex[SHA256_HEXLEN], dur[UNITS_DURATION_MAX];
	char smp[UNITS_DURATION_MAX];
	uint8_t dg[SHA256_LEN];
	struct sha256 h;
	uint64_t np = sg_npoints(o->grid);
	json_t *g;
	char *s, *t;

	sha256_init(&h);
	sha256_update(&h, canon, strlen(canon));
	sha256_final(&h, dg);
	free(canon);
	g = json_pack("{s:i, s:s, s:o, s:I, s:o, s:o, s:I, s:I, s:I, s:o}",
	    "format", 1,
	    "model_sha256", sha256_hex(dg, hex),
	    "seed", o->has_seed ? json_integer((json_int_t)o->seed) :
	    json_null(),
	    "seeds", (json_int_t)o->seeds,
	    "duration", o->duration > 0 ? json_string(
	    units_format_duration(o->duration, dur, sizeof(dur))) :
	    json_null(),
	    "sample", o->sample_ns > 0 ? json_string(
	    units_format_duration(o->sample_ns, smp, sizeof(smp))) :
	    json_null(),
	    "max_events", (json_int_t)o->max_events,
	    "points", (json_int_t)np,
	    "runs", (json_int_t)(np * o->seeds),
	    "axes", sg_json(o->grid));
	s = json_dumps(g, JSON_COMPACT);
	json_decref(g);
	t = xstrdup(s);
	free(s);
	return t;
}

/* ---- workers --------------------------------------------------------- */

static void *
w_init(void *arg, unsigned i, struct err *e)
{
	const struct sweep *sw = arg;
	struct worker *w = xcalloc(1, sizeof(*w));
	char *path = part_path(sw, i);

	w->sw = sw;
	if (res_open(path, RES_CREATE, &w->db, e) != 0) {
		free(path);
		free(w);
		return NULL;
	}
	free(path);
	/*
	 * A part is scratch: if the machine crashes the sweep is lost
	 * anyway, so it need not survive one (fsync per run costs more
	 * than a short run).  The output is written with the defaults.
	 */
	sqlite3_exec(res_sqlite(w->db), "PRAGMA synchronous = OFF; "
	    "PRAGMA journal_mode = MEMORY", NULL, NULL, NULL);
	return w;
}

static double
wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Record the sweep parameters of point p into run r. */
static int
write_params(struct res_run *r, const struct sg_grid *g, uint64_t p)
{
	int rc = 0;

	for (size_t a = 0; rc == 0 && a < sg_naxes(g); a++) {
		char *v = json_dumps(sg_axis_value(g, a, sg_point_index(g, p,
		    a)), JSON_COMPACT | JSON_ENCODE_ANY);

		rc = res_param(r, sg_axis_pointer(g, a), v);
		free(v);
	}
	return rc;
}

/* Simulate run index r into the worker's database. */
static int
w_job(void *ctx, uint64_t run, struct err *e)
{
	struct worker *wk = ctx;
	const struct sweep_opts *o = wk->sw->o;
	struct res_run_info ri = RES_RUN_INFO_INIT;
	struct world_opts wo = WORLD_OPTS_INIT;
	uint64_t p = run / o->seeds;
	struct diag d = DIAG_INIT;
	json_t *doc = NULL;
	struct model *m = point_model(wk->sw, p, &doc, &d);
	struct world *w;
	struct stats *st;
	struct an_opts ao = AN_OPTS_INIT;
	struct an *an;
	struct res_run *r;
	struct res_rec *rec;
	char *text;
	double t0;
	int rc;

	if (m == NULL) {
		err_set(e, "run %llu: %s", (unsigned long long)run + 1,
		    diag_count(&d) > 0 ? diag_msg(&d, 0) : "model");
		diag_release(&d);
		return SPOOL_EINPUT;
	}
	diag_release(&d);
	wo.has_seed = 1;
	wo.seed = (o->has_seed ? o->seed : m->seed) + run % o->seeds;
	wo.duration = o->duration;
	wo.max_events = o->max_events;
	w = world_new(m, &wo);
	st = stats_new(m, world_bus(w));
	ao.stats = st;
	an = an_attach(world_bus(w), m, &ao);
	text = json_dumps(doc, JSON_INDENT(2));
	ri.run_id = (int64_t)run + 1;
	ri.point = (int64_t)p;
	ri.model_name = m->name;
	ri.model_text = text;
	ri.seed = world_seed(w);
	ri.duration_ns = world_end(w);
	ri.sample_ns = o->sample_ns;
	rc = -1;
	if ((r = res_run_begin(wk->db, &ri, e)) != NULL &&
	    write_params(r, o->grid, p) == 0) {
		rec = res_rec_attach(r, w, o->sample_ns, 0);
		t0 = wall_now();
		world_run(w);
		rc = res_rec_finish(rec, st, an, wall_now() - t0, e);
	} else if (r != NULL) {
		err_set(e, "run %llu: writing its parameters failed",
		    (unsigned long long)run + 1);
		res_run_abandon(r);
	}
	free(text);
	an_free(an);
	stats_free(st);
	world_free(w);
	model_free(m);
	json_decref(doc);
	return rc == 0 ? SPOOL_OK : SPOOL_EIO;
}

static int
w_fini(void *ctx, struct err *e)
{
	struct worker *w = ctx;
	int rc = res_close(w->db, e);

	free(w);
	return rc == 0 ? SPOOL_OK : SPOOL_EIO;
}

/* ---- the parent ------------------------------------------------------ */

static int
check_out(const struct sweep_opts *o, struct diag *d)
{
	if (access(o->out, F_OK) != 0)
		return SWEEP_OK;
	if (!o->force) {
		diag_addptr(d, NULL, NULL, "%s exists (--force replaces it)",
		    o->out);
		return SWEEP_EINPUT;
	}
	if (res_probe_version(o->out) <= 0) {
		diag_addptr(d, NULL, NULL, "%s exists and is not an essim "
		    "results database: not replacing it", o->out);
		return SWEEP_EINPUT;
	}
	return SWEEP_OK;
}

static void
remove_parts(struct sweep *sw)
{
	char *p;

	for (unsigned i = 0; i < sw->nparts; i++) {
		p = part_path(sw, i);
		unlink(p);
		free(p);
		p = xasprintf("%s/part-%u.db-journal", sw->tmpdir, i);
		unlink(p);
		free(p);
	}
	p = xasprintf("%s/sweep.db", sw->tmpdir);
	unlink(p);
	free(p);
	p = xasprintf("%s/sweep.db-journal", sw->tmpdir);
	unlink(p);
	free(p);
	rmdir(sw->tmpdir);
}

/* Merge the workers' parts into tmpdir/sweep.db and move it into place. */
static int
assemble(struct sweep *sw, struct err *e)
{
	char *path = xasprintf("%s/sweep.db", sw->tmpdir);
	struct res_db **parts = xcalloc(sw->nparts, sizeof(*parts));
	sqlite3 **sq = xcalloc(sw->nparts, sizeof(*sq));
	char **names = xcalloc(sw->nparts, sizeof(*names));
	char *grid = sweep_grid_text(sw->o, sw->base);
	struct res_db *db = NULL;
	int rc = 0;

	for (unsigned i = 0; rc == 0 && i < sw->nparts; i++) {
		names[i] = part_path(sw, i);
		if (res_open(names[i], RES_READ, &parts[i], e) != 0)
			rc = SWEEP_EIO;
		else
			sq[i] = res_sqlite(parts[i]);
	}
	if (rc == 0 && res_open(path, RES_CREATE, &db, e) != 0)
		rc = SWEEP_EIO;
	if (rc == 0 && res_sweep(db, grid, (int)(sw->o->shard.k - 1),
	    (int)sw->o->shard.n, e) != 0)
		rc = SWEEP_EIO;
	if (rc == 0 && smerge_tables(res_sqlite(db), sq,
	    (const char *const *)names, sw->nparts, e) != 0)
		rc = SWEEP_EIO;
	if (db != NULL && res_close(db, e) != 0)
		rc = SWEEP_EIO;
	for (unsigned i = 0; i < sw->nparts; i++) {
		res_close(parts[i], NULL);
		free(names[i]);
	}
	if (rc == 0 && rename(path, sw->o->out) != 0)
		rc = err_set(e, "%s: %s", sw->o->out, strerror(errno)) * 2;
	free(parts);
	free(sq);
	free(names);
	free(grid);
	free(path);
	return rc;
}

static int
load_base(struct sweep *sw, struct diag *d)
{
	json_error_t je;

	sw->base = json_load_file(sw->o->model_file, JSON_REJECT_DUPLICATES,
	    &je);
	if (sw->base == NULL) {
		struct err e = ERR_INIT;

		if (je.line <= 0)
			err_set(&e, "%s: %s", sw->o->model_file, je.text);
		else
			err_setloc(&e, sw->o->model_file, je.line, je.column,
			    "%s", je.text);
		diag_add_err(d, &e);
		return SWEEP_EINPUT;
	}
	sw->dir = dir_of(sw->o->model_file);
	return SWEEP_OK;
}

/* The runs of this shard, in order. */
static uint64_t *
shard_jobs(const struct sweep_opts *o, uint64_t total, size_t *n)
{
	uint64_t *jobs, k = 0;
	uint64_t want = o->shard.k - 1 >= total ? 0 :
	    (total - o->shard.k) / o->shard.n + 1;

	jobs = xcalloc(want > 0 ? (size_t)want : 1, sizeof(*jobs));
	for (uint64_t r = o->shard.k - 1; r < total; r += o->shard.n)
		jobs[k++] = r;
	*n = (size_t)k;
	return jobs;
}

static int
run_pool(struct sweep *sw, uint64_t total, struct sweep_summary *sum,
    struct diag *d)
{
	static const struct spool_ops ops = { w_init, w_job, w_fini };
	struct spool_opts po = SPOOL_OPTS_INIT;
	struct err e = ERR_INIT;
	size_t njobs;
	uint64_t *jobs = shard_jobs(sw->o, total, &njobs);
	char *tmpl = xasprintf("%s.parts-XXXXXX", sw->o->out);
	double t0 = wall_now();
	int rc;

	if ((sw->tmpdir = mkdtemp(tmpl)) == NULL) {
		diag_addptr(d, NULL, NULL, "%s: cannot make a directory "
		    "beside it: %s", sw->o->out, strerror(errno));
		free(tmpl);
		free(jobs);
		return SWEEP_EIO;
	}
	po.workers = sw->o->jobs;
	po.jobs = jobs;
	po.njobs = njobs;
	po.progress = sw->o->progress;
	po.what = "runs";
	sw->nparts = po.workers > njobs ? (njobs > 0 ? (unsigned)njobs : 1) :
	    po.workers;
	rc = spool_run(&ops, sw, &po, &e);
	if (rc == SPOOL_OK)
		rc = assemble(sw, &e);
	if (rc != 0)
		diag_add_err(d, &e);
	remove_parts(sw);
	sum->runs_here = njobs;
	sum->workers = sw->nparts;
	sum->wall_s = wall_now() - t0;
	free(sw->tmpdir);
	free(jobs);
	return rc == SPOOL_EINTR ? SWEEP_EINTR : rc == SPOOL_EINPUT ?
	    SWEEP_EINPUT : rc != 0 ? SWEEP_EIO : SWEEP_OK;
}

int
sweep_run(const struct sweep_opts *o, struct diag *d,
    struct sweep_summary *sump)
{
	struct sweep sw;
	struct sweep_summary sum;
	uint64_t np = sg_npoints(o->grid);
	int rc;

	memset(&sw, 0, sizeof(sw));
	memset(&sum, 0, sizeof(sum));
	sw.o = o;
	if (o->seeds == 0 || np > SG_RUNS_MAX || o->seeds > SG_RUNS_MAX / np) {
		diag_addptr(d, NULL, NULL, "%llu points x %llu seeds: too many "
		    "runs (at most %llu)", (unsigned long long)np,
		    (unsigned long long)o->seeds,
		    (unsigned long long)SG_RUNS_MAX);
		return SWEEP_EINPUT;
	}
	sum.points = np;
	sum.runs = np * o->seeds;
	if ((rc = check_out(o, d)) == SWEEP_OK &&
	    (rc = load_base(&sw, d)) == SWEEP_OK &&
	    (rc = validate(&sw, np, d)) == SWEEP_OK)
		rc = run_pool(&sw, sum.runs, &sum, d);
	json_decref(sw.base);
	free(sw.dir);
	if (sump != NULL)
		*sump = sum;
	return rc;
}
