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
 * the run into a database of its own (a part, in WAL mode) in a temporary
 * directory beside the output.  The parent, the only writer of the
 * output, creates it before the first run, marked incomplete, and copies
 * the runs into it in run order as they complete (sweep-out.h), at most
 * every MERGE_EVERY seconds so that a batch is worth a transaction;
 * what is left when the workers are done is a few runs' rows.  On
 * SIGINT/SIGTERM the workers are stopped where they are, the parent
 * copies every run that completed and exits: the output says which runs
 * are missing, and --resume runs those (sweep-resume.h).
 *
 * What could make the result depend on the split is kept out of the
 * rows: run ids and seeds come from run indices, the model text is the
 * patched document dumped in one fixed format, and run.model_file is
 * NULL (shards on other machines see the model under other paths).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "analysis/analyses.h"
#include "analysis/stats.h"
#include "core/jsonfile.h"
#include "core/units.h"
#include "core/xalloc.h"
#include "es/world.h"
#include "model/model.h"
#include "out/results-rec.h"
#include "out/results.h"
#include "out/sweep-out.h"
#include "out/sweep-pool.h"
#include "out/sweep-resume.h"
#include "out/sweep.h"
#include "trace/sha256.h"

/* Failing points named before the rest are only counted. */
#define SHOW_BAD_POINTS	5
/* Seconds between two copies of finished runs into the output. */
#define MERGE_EVERY	0.5

/* What the workers inherit. */
struct sweep {
	const struct sweep_opts	*o;
	json_t			*base;		/* the model file's document */
	char			*dir;		/* where its relative paths start */
	char			*tmpdir;
	unsigned		 nparts;
	/* The parent's. */
	char			*dest;		/* out, or a new one */
	struct sout		*out;
	int			*part_src;	/* per part: its source */
	double			 tmerge;	/* time of the last copy */
};

/* A worker's state. */
struct worker {
	const struct sweep	*sw;
	struct res_db		*db;
};

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
	/*
	 * A part is scratch: if the machine crashes, what the output holds
	 * is what is kept, so a part need not survive a crash (fsync per
	 * run costs more than a short run).  It must survive its worker
	 * being killed, though, and be readable by the parent while the
	 * worker writes the next run: WAL does both.  The output is written
	 * with res_open()'s settings.
	 */
	if (sqlite3_exec(res_sqlite(w->db), "PRAGMA journal_mode = WAL; "
	    "PRAGMA synchronous = OFF", NULL, NULL, NULL) != SQLITE_OK) {
		err_set(e, "%s: %s", path, sqlite3_errmsg(res_sqlite(w->db)));
		res_close(w->db, NULL);
		free(path);
		free(w);
		return NULL;
	}
	free(path);
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
	struct err le = ERR_INIT;
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
	rc = SPOOL_EIO;
	if ((r = res_run_begin(wk->db, &ri, e)) != NULL &&
	    write_params(r, o->grid, p) == 0) {
		rec = res_rec_attach(r, w, o->sample_ns, 0);
		t0 = wall_now();
		world_run(w);
		/* A limit that stopped the run makes the point bad input:
		 * its run is not recorded as complete, the sweep stops. */
		if (world_error(w, &le) != 0) {
			char msg[512];

			err_set(e, "run %llu: %s", (unsigned long long)run + 1,
			    err_format(&le, msg, sizeof(msg)));
			res_rec_abandon(rec);
			rc = SPOOL_EINPUT;
		} else if (res_rec_finish(rec, st, an, wall_now() - t0,
		    e) == 0)
			rc = SPOOL_OK;
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
	return rc;
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
	int v;

	if (o->resume) {
		if (o->force) {
			diag_addptr(d, NULL, NULL, "--resume and --force "
			    "contradict each other");
			return SWEEP_EINPUT;
		}
		if (access(o->out, F_OK) != 0) {
			diag_addptr(d, NULL, NULL, "%s: nothing to resume: "
			    "%s", o->out, strerror(errno));
			return SWEEP_EINPUT;
		}
		if ((v = res_probe_version(o->out)) <= 0) {
			diag_addptr(d, NULL, NULL, "%s: not an essim results "
			    "database: nothing to resume", o->out);
			return SWEEP_EINPUT;
		}
		return SWEEP_OK;
	}
	if (access(o->out, F_OK) != 0)
		return SWEEP_OK;
	if (!o->force) {
		diag_addptr(d, NULL, NULL, "%s exists (--force replaces it, "
		    "--resume finishes an interrupted sweep)", o->out);
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
unlink_db(const char *path)
{
	static const char *const sfx[] = { "", "-journal", "-wal", "-shm" };

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		char *p = xasprintf("%s%s", path, sfx[i]);

		unlink(p);
		free(p);
	}
}

static void
remove_parts(struct sweep *sw)
{
	char *p;

	for (unsigned i = 0; i < sw->nparts; i++) {
		p = part_path(sw, i);
		unlink_db(p);
		free(p);
	}
	p = xasprintf("%s/sweep.db", sw->tmpdir);
	unlink_db(p);
	free(p);
	rmdir(sw->tmpdir);
}

static int
load_base(struct sweep *sw, struct diag *d)
{
	struct err e = ERR_INIT;

	if ((sw->base = jsonfile_load(sw->o->model_file, &e)) == NULL) {
		diag_add_err(d, &e);
		return SWEEP_EINPUT;
	}
	sw->dir = jsonfile_dir(sw->o->model_file);
	return SWEEP_OK;
}

/* The runs of this shard, in order. */
static uint64_t *
shard_runs(const struct sweep_opts *o, uint64_t total, size_t *n)
{
	uint64_t *runs, k = 0;
	uint64_t want = o->shard.k - 1 >= total ? 0 :
	    (total - o->shard.k) / o->shard.n + 1;

	runs = xcalloc(want > 0 ? (size_t)want : 1, sizeof(*runs));
	for (uint64_t r = o->shard.k - 1; r < total; r += o->shard.n)
		runs[k++] = r;
	*n = (size_t)k;
	return runs;
}

/* In the parent: run `run` is done in worker w's part. */
static int
on_done(void *arg, uint64_t run, unsigned w, struct err *e)
{
	struct sweep *sw = arg;
	size_t i = (size_t)((run - (sw->o->shard.k - 1)) / sw->o->shard.n);
	double t = wall_now();

	if (sw->part_src[w] < 0) {
		char *p = part_path(sw, w);

		sw->part_src[w] = sout_source(sw->out, p);
		free(p);
	}
	sout_ready(sw->out, i, sw->part_src[w]);
	if (t - sw->tmerge < MERGE_EVERY)
		return SPOOL_OK;
	sw->tmerge = t;
	return sout_merge(sw->out, 0, e) != 0 ? SPOOL_EIO : SPOOL_OK;
}

/*
 * Create the output (under resume: tmpdir/sweep.db, with out as the
 * source of the runs it has) and the list of runs to do.
 */
static int
start_out(struct sweep *sw, const uint64_t *runs, size_t nruns,
    uint64_t **jobs, size_t *njobs, struct err *e)
{
	const struct sweep_opts *o = sw->o;
	struct sout_plan pl;
	uint8_t *have = xcalloc(nruns > 0 ? nruns : 1, 1);
	char *grid = sweep_grid_text(o, sw->base);
	int rc = 0, src = -1;

	memset(&pl, 0, sizeof(pl));
	pl.path = sw->dest;
	pl.replace = o->force;
	pl.grid = grid;
	pl.shard = (int)(o->shard.k - 1);
	pl.shards = (int)o->shard.n;
	pl.runs = runs;
	pl.nruns = nruns;
	if (o->resume)
		rc = sresume_read(o->out, &pl, have, e);
	if (rc == 0)
		rc = sout_create(&pl, &sw->out, e);
	*jobs = xcalloc(nruns > 0 ? nruns : 1, sizeof(**jobs));
	*njobs = 0;
	if (rc == 0 && o->resume)
		src = sout_source(sw->out, o->out);
	for (size_t i = 0; rc == 0 && i < nruns; i++) {
		if (have[i])
			sout_ready(sw->out, i, src);
		else
			(*jobs)[(*njobs)++] = runs[i];
	}
	free(have);
	free(grid);
	return rc == RES_EINPUT ? SWEEP_EINPUT : rc != 0 ? SWEEP_EIO :
	    SWEEP_OK;
}

/* Merge what is left, close the output and (resume) move it into place. */
static int
finish_out(struct sweep *sw, struct sweep_summary *sum, struct err *e)
{
	int rc = sout_merge(sw->out, 1, e);

	sum->runs_kept = sout_nmerged(sw->out);
	if (sout_close(sw->out, e) != 0)
		rc = RES_EIO;
	sw->out = NULL;
	if (rc == 0 && sw->o->resume && rename(sw->dest, sw->o->out) != 0)
		rc = err_set(e, "%s: %s", sw->o->out, strerror(errno)) * 2;
	return rc;
}

static const char *
sig_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" :
	    "a signal";
}

/*
 * The line that says what an unfinished sweep left.  Resuming is worth
 * saying only when the runs stopped for a reason that may go away (a
 * signal, the system): a run that failed on its input fails again.
 */
static void
say_kept(const struct sweep *sw, const struct sweep_summary *sum,
    int bad_input, struct diag *d)
{
	const char *out = sw->o->out;

	if (bad_input)
		diag_addptr(d, NULL, NULL, "%s keeps %llu of %llu runs, "
		    "marked incomplete", out,
		    (unsigned long long)sum->runs_kept,
		    (unsigned long long)sum->runs_here);
	else if (sum->signal != 0)
		diag_addptr(d, NULL, NULL, "interrupted (%s): %s keeps %llu "
		    "of %llu runs, marked incomplete; the same command with "
		    "--resume runs the other %llu", sig_name(sum->signal),
		    out, (unsigned long long)sum->runs_kept,
		    (unsigned long long)sum->runs_here,
		    (unsigned long long)(sum->runs_here - sum->runs_kept));
	else
		diag_addptr(d, NULL, NULL, "%s keeps %llu of %llu runs, "
		    "marked incomplete; the same command with --resume runs "
		    "the other %llu", out,
		    (unsigned long long)sum->runs_kept,
		    (unsigned long long)sum->runs_here,
		    (unsigned long long)(sum->runs_here - sum->runs_kept));
}

static int
run_pool(struct sweep *sw, uint64_t total, struct sweep_summary *sum,
    struct diag *d)
{
	static const struct spool_ops ops = { w_init, w_job, w_fini };
	struct spool_opts po = SPOOL_OPTS_INIT;
	struct err e = ERR_INIT;
	size_t nruns, njobs = 0;
	uint64_t *runs = shard_runs(sw->o, total, &nruns), *jobs = NULL;
	char *tmpl = xasprintf("%s.parts-XXXXXX", sw->o->out);
	double t0 = wall_now();
	int rc, rc2 = 0;

	if ((sw->tmpdir = mkdtemp(tmpl)) == NULL) {
		diag_addptr(d, NULL, NULL, "%s: cannot make a directory "
		    "beside it: %s", sw->o->out, strerror(errno));
		free(tmpl);
		free(runs);
		return SWEEP_EIO;
	}
	sw->dest = sw->o->resume ? xasprintf("%s/sweep.db", sw->tmpdir) :
	    xstrdup(sw->o->out);
	sum->runs_here = nruns;
	rc = start_out(sw, runs, nruns, &jobs, &njobs, &e);
	if (rc == SWEEP_OK) {
		po.workers = sw->o->jobs;
		po.jobs = jobs;
		po.njobs = njobs;
		po.progress = sw->o->progress;
		po.what = "runs";
		po.done = on_done;
		po.darg = sw;
		sw->nparts = po.workers > njobs ? (njobs > 0 ?
		    (unsigned)njobs : 1) : po.workers;
		sw->part_src = xcalloc(sw->nparts, sizeof(*sw->part_src));
		for (unsigned i = 0; i < sw->nparts; i++)
			sw->part_src[i] = -1;
		sw->tmerge = wall_now();
		rc = njobs > 0 ? spool_run(&ops, sw, &po, &e) : SPOOL_OK;
		sum->signal = njobs > 0 ? spool_signal() : 0;
		rc2 = finish_out(sw, sum, &e);
		if (rc == SPOOL_OK && rc2 != 0)
			rc = SPOOL_EIO;
		sum->runs_run = sum->runs_kept >= nruns - njobs ?
		    sum->runs_kept - (nruns - njobs) : 0;
		rc = rc == SPOOL_EINTR ? SWEEP_EINTR : rc == SPOOL_EINPUT ?
		    SWEEP_EINPUT : rc != 0 ? SWEEP_EIO : SWEEP_OK;
	}
	if (rc != SWEEP_OK && rc != SWEEP_EINTR)
		diag_add_err(d, &e);
	if (rc != SWEEP_OK && sw->part_src != NULL && rc2 == 0)
		say_kept(sw, sum, rc == SWEEP_EINPUT, d);
	remove_parts(sw);
	sum->workers = sw->nparts;
	sum->wall_s = wall_now() - t0;
	free(sw->part_src);
	free(sw->dest);
	free(sw->tmpdir);
	free(runs);
	free(jobs);
	return rc;
}

static double
tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

int
sweep_run(const struct sweep_opts *o, struct diag *d,
    struct sweep_summary *sump)
{
	struct sweep sw;
	struct sweep_summary sum;
	struct rusage ru;
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
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		sum.cpu_self_s = tv_s(&ru.ru_utime) + tv_s(&ru.ru_stime);
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
		sum.cpu_workers_s = tv_s(&ru.ru_utime) + tv_s(&ru.ru_stime);
	if (sump != NULL)
		*sump = sum;
	return rc;
}
