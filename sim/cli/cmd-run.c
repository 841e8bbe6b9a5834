/*
 * cmd-run.c - essim run: simulate one model and summarise what happened.
 *
 *     essim run [--seed N] [--duration T] [--max-events N] [--json]
 *               [--no-analyses]
 *               [-o run.db [--force | --append] [--sample T] [--events]]
 *               [--timeline FILE [--timeline-window A..B]
 *               [--timeline-max-events N]] [--progress | --no-progress]
 *               [MODEL]
 *
 * Loads MODEL (every problem reported, exit 2), builds the world
 * (es/world.h), attaches the run counters (analysis/stats.h), runs to the
 * model's duration (or --duration) and prints the summary: readable text,
 * or with --json one JSON object whose keys are documented in
 * docs/simulation.md (wall-clock fields are the only ones that vary from
 * run to run).  -o writes the run into a results database
 * (docs/results-schema.md, sim/out/results-rec.h): created with status
 * 'incomplete' before the run starts, 'complete' once everything is in.
 * --timeline writes the Perfetto / Chrome trace-event JSON of the run
 * (sim/out/timeline.h).  On a terminal, a long run shows its progress on
 * stderr (simulated time, share done, simulated seconds per second),
 * checked between slices of virtual time, which changes nothing in the
 * run: the world runs the same events in the same order.
 *
 * SIGINT or SIGTERM (core/intr.h) stops the simulation between two
 * events, within milliseconds; what was recorded up to there is then
 * written as for a finished run (series to that time, counters, findings,
 * histograms), but the database keeps the run 'incomplete' with sim_ns
 * where it stopped, the timeline is closed as valid JSON marked as cut,
 * and the summary (text, or JSON with "status": "incomplete") covers the
 * part that ran.  The exit status is then 130 or 143, after one line on
 * stderr saying what was kept.  A second signal kills at once.
 *
 * Without MODEL the shipped default model runs: models/default.json,
 * searched in this order, first found wins:
 *   1. $ESSIM_DATADIR/models/default.json
 *   2. ./models/default.json (running from the source tree)
 *   3. the source tree the binary was built from (a build directory)
 *   4. the installed copy, PKGDATADIR/models/default.json
 *
 * Exit: 0 ran, 2 bad model or usage (or an output database that exists,
 * is not ours or has another schema version), 3 internal error (an output
 * could not be written), 130 / 143 interrupted by SIGINT / SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "analysis/analyses.h"
#include "analysis/stats.h"
#include "cli/cli.h"
#include "core/err.h"
#include "core/intr.h"
#include "core/units.h"
#include "core/xalloc.h"
#include "es/world.h"
#include "model/model.h"
#include "out/results-rec.h"
#include "out/timeline.h"
#include "trace/replay-world.h"

struct run_opts {
	struct world_opts	 w;
	const char		*out;
	enum res_mode		 out_mode;
	int64_t			 sample;	/* 0: default; -1: none */
	int			 events;
	const char		*timeline;
	struct tl_opts		 tl;
	struct replay_world_opts r;		/* workload.trace overrides */
	int			 progress;	/* -1 never, 0 on a tty, 1 */
	int			 json;
	int			 no_analyses;
	const char		*model;
};

static int exec_run(int argc, char **argv);

const struct cmd cmd_run = {
	"run",
	"run [--seed N] [--duration T] [--max-events N] [-o run.db] [--json] "
	    "[MODEL]",
	"simulate a model and summarise what happened",
	"Runs MODEL (default: the shipped models/default.json) in virtual\n"
	"time and prints syscall latencies, client response times, deadline\n"
	"misses, kills, restarts, thread peaks and findings.\n"
	"\n"
	"  -s, --seed N         random seed (default: the model's \"seed\")\n"
	"  -d, --duration T     virtual time to simulate, e.g. 30s (default:\n"
	"                       the model's \"duration\")\n"
	"      --max-events N   cap on pending engine events (default: none)\n"
	"  -j, --json           print one JSON object instead of text\n"
	"  -o, --output FILE    also write the run to a results database\n"
	"                       (docs/results-schema.md); FILE must not exist\n"
	"      --force          replace FILE, an essim results database\n"
	"      --append         add the run to FILE, an essim results\n"
	"                       database of this schema version\n"
	"      --sample T       interval of the time series (default: the\n"
	"                       duration / 1000; 0: none)\n"
	"      --events         also write every probe event (large)\n"
	"      --timeline FILE  write a Chrome trace-event JSON timeline that\n"
	"                       Perfetto (ui.perfetto.dev) opens\n"
	"      --timeline-window A..B  only virtual times A to B\n"
	"                       (\"10s..12s\", \"..5s\", \"30s..\")\n"
	"      --timeline-max-events N  stop adding to the timeline after N\n"
	"      --speed X        replay the model's workload.trace X times\n"
	"                       faster (overrides its \"speed\")\n"
	"      --progress, --no-progress  show (or not) progress on stderr\n"
	"                       (default: when stderr is a terminal)\n"
	"      --no-analyses    run without the analyses (deadlocks, cycles,\n"
	"                       pools, deadlines): the run counters only, to\n"
	"                       measure what the analyses cost; not with -o\n"
	"                       or --timeline\n"
	"\n"
	"SIGINT (^C) or SIGTERM stops the run where it is: the outputs keep\n"
	"what was recorded, the database marks the run incomplete, and essim\n"
	"exits 130 or 143 (a second signal kills at once).\n"
	"\n"
	"ESSIM_DATADIR, if set, is searched first for models/default.json.\n",
	exec_run
};

static int
parse_args(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "max-events", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "append", no_argument, NULL, 'A' },
		{ "sample", required_argument, NULL, 'S' },
		{ "events", no_argument, NULL, 'E' },
		{ "timeline", required_argument, NULL, 'T' },
		{ "timeline-window", required_argument, NULL, 'W' },
		{ "timeline-max-events", required_argument, NULL, 'M' },
		{ "speed", required_argument, NULL, 'X' },
		{ "progress", no_argument, NULL, 'P' },
		{ "no-progress", no_argument, NULL, 'Q' },
		{ "no-analyses", no_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct err e = ERR_INIT;
	uint64_t v;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":s:d:o:jh", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 's':
			if (cli_parse_u64(optarg, &o->w.seed) != 0)
				return cli_usage_error(&cmd_run,
				    "--seed wants a non-negative integer, "
				    "not '%s'", optarg);
			o->w.has_seed = 1;
			break;
		case 'd':
			if (units_parse_duration(optarg, &o->w.duration,
			    &e) != 0 || o->w.duration <= 0)
				return cli_usage_error(&cmd_run,
				    "--duration: %s",
				    e.set ? e.text : "must be above 0");
			break;
		case 'm':
			if (cli_parse_u64(optarg, &v) != 0 || v == 0 ||
			    v > SIZE_MAX)
				return cli_usage_error(&cmd_run,
				    "--max-events wants a positive integer, "
				    "not '%s'", optarg);
			o->w.max_events = (size_t)v;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'F':
		case 'A':
			if (o->out_mode != RES_CREATE)
				return cli_usage_error(&cmd_run,
				    "--force and --append exclude each other");
			o->out_mode = c == 'F' ? RES_REPLACE : RES_APPEND;
			break;
		case 'S':
			if (strcmp(optarg, "0") == 0) {
				o->sample = -1;
			} else if (units_parse_duration(optarg, &o->sample,
			    &e) != 0 || o->sample <= 0) {
				return cli_usage_error(&cmd_run, "--sample: %s",
				    e.set ? e.text : "must be above 0");
			}
			break;
		case 'E':
			o->events = 1;
			break;
		case 'T':
			o->timeline = optarg;
			break;
		case 'W':
			if (tl_parse_window(optarg, &o->tl.start, &o->tl.end,
			    &e) != 0)
				return cli_usage_error(&cmd_run,
				    "--timeline-window: %s", e.text);
			break;
		case 'M':
			if (cli_parse_u64(optarg, &o->tl.max_events) != 0 ||
			    o->tl.max_events == 0)
				return cli_usage_error(&cmd_run,
				    "--timeline-max-events wants a positive "
				    "integer, not '%s'", optarg);
			break;
		case 'X':
			if (replay_world_parse_speed(optarg, &o->r.speed) != 0)
				return cli_usage_error(&cmd_run, "--speed wants a "
				    "number above 0, not '%s'", optarg);
			break;
		case 'P':
		case 'Q':
			o->progress = c == 'P' ? 1 : -1;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'N':
			o->no_analyses = 1;
			break;
		case 'h':
			cli_help(&cmd_run, stdout);
			return -1;
		case ':':
			return cli_usage_error(&cmd_run, "option '%s' needs a "
			    "value", argv[optind - 1]);
		default:
			return cli_usage_error(&cmd_run, "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return cli_usage_error(&cmd_run, "one model at a time");
	if (o->out == NULL && (o->out_mode != RES_CREATE || o->sample != 0 ||
	    o->events))
		return cli_usage_error(&cmd_run, "--force, --append, --sample "
		    "and --events go with -o FILE");
	if (o->timeline == NULL && (o->tl.start != 0 || o->tl.end >= 0 ||
	    o->tl.max_events != 0))
		return cli_usage_error(&cmd_run, "--timeline-window and "
		    "--timeline-max-events go with --timeline FILE");
	if (o->no_analyses && (o->out != NULL || o->timeline != NULL))
		return cli_usage_error(&cmd_run, "--no-analyses does not go "
		    "with -o or --timeline");
	o->model = optind < argc ? argv[optind] : NULL;
	return 0;
}

static double
wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The summary on stdout. */
/*
 * The analyses' findings join the run counters' ones in "findings" (each
 * with "kind" and "t_ns", in time order); their details are "analyses".
 */
static void
merge_findings(json_t *j, struct an *an)
{
	json_t *all = json_object_get(j, "findings");
	json_t *mine = fd_json(an_findings(an));
	json_t *f, *t;
	size_t i, k;

	json_array_foreach(mine, i, f) {
		if (json_object_get(f, "t_ns") == NULL &&
		    (t = json_object_get(f, "t")) != NULL)
			json_object_set(f, "t_ns", t);
		/* Insert after every finding of the same or an earlier time. */
		for (k = json_array_size(all); k > 0; k--) {
			t = json_object_get(json_array_get(all, k - 1), "t_ns");
			if (json_integer_value(t) <= json_integer_value(
			    json_object_get(f, "t_ns")))
				break;
		}
		json_array_insert(all, k, f);
	}
	json_decref(mine);
	json_object_set_new(j, "analyses", an_json(an));
}

/*
 * stop: the signal that stopped the run early, or 0.  A stopped run's
 * JSON ends with "status": "incomplete" and "interrupted": "SIGINT" (a
 * finished run's has neither key, as before), its text with a line
 * saying so.
 */
static int
report(const struct run_opts *o, const struct stats *st,
    const struct stats_run *r, struct an *an, int stop)
{
	json_t *j;

	if (o->json) {
		j = stats_json(st, r);
		if (an != NULL)
			merge_findings(j, an);
		if (stop != 0) {
			json_object_set_new(j, "status",
			    json_string("incomplete"));
			json_object_set_new(j, "interrupted",
			    json_string(intr_name(stop)));
		}
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		fputc('\n', stdout);
		json_decref(j);
	} else {
		stats_print(st, r, stdout);
		if (an != NULL)
			an_print(an, stdout);
		if (stop != 0)
			printf("\ninterrupted (%s) at %.3fs of %.3fs simulated: "
			    "the figures above cover that part only\n",
			    intr_name(stop), (double)r->sim_ns / 1e9,
			    (double)r->duration_ns / 1e9);
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
}

/* The model file as given (newly allocated), or its document re-dumped. */
static char *
model_text(const struct model *m, const char *file)
{
	FILE *f = fopen(file, "rb");
	char *buf = NULL;
	size_t n = 0, a = 0, got;

	if (f != NULL) {
		do {
			XGROW(buf, n + 65536 + 1, a);
			got = fread(buf + n, 1, 65536, f);
			n += got;
		} while (got > 0);
		if (ferror(f) == 0 && memchr(buf, '\0', n) == NULL) {
			fclose(f);
			buf[n] = '\0';
			return buf;
		}
		fclose(f);
		free(buf);
	}
	return json_dumps(m->json, JSON_INDENT(2));
}

/* Open the results database and start the run: exit status, 0 ok. */
static int
out_begin(const struct run_opts *o, const struct model *m, const char *file,
    struct world *w, struct res_db **db, struct res_rec **rec)
{
	struct res_run_info ri = RES_RUN_INFO_INIT;
	struct err e = ERR_INIT;
	struct res_run *r;
	char *text;
	int rc;

	ri.sample_ns = o->sample < 0 ? 0 : o->sample > 0 ? o->sample :
	    res_default_sample(world_end(w));
	if (ri.sample_ns > 0 && world_end(w) / ri.sample_ns >= RES_MAX_SAMPLES)
		return cli_usage_error(&cmd_run, "--sample: more than %d "
		    "samples per series; choose a longer interval",
		    RES_MAX_SAMPLES);
	if ((rc = res_open(o->out, o->out_mode, db, &e)) != RES_OK) {
		err_print(&e, "essim run", stderr);
		return rc == RES_EINPUT ? EXIT_USAGE : EXIT_INTERNAL;
	}
	text = model_text(m, file);
	ri.model_name = m->name;
	ri.model_file = file;
	ri.model_text = text;
	ri.seed = world_seed(w);
	ri.duration_ns = world_end(w);
	ri.event_log = o->events;
	r = res_run_begin(*db, &ri, &e);
	free(text);
	if (r == NULL) {
		err_print(&e, "essim run", stderr);
		res_close(*db, NULL);
		*db = NULL;
		return EXIT_INTERNAL;
	}
	*rec = res_rec_attach(r, w, ri.sample_ns, o->events);
	return EXIT_OK;
}

/*
 * Progress on stderr: "essim run: 12.0s / 120s (10%), 85.1 sim-s/s",
 * at most four times a second, after the first half second.  The run
 * goes in 1,000 slices of virtual time and the wall clock is read
 * between slices; world_run_until() runs the same events in the same
 * order as one world_run().
 */
static void
run_with_progress(struct world *w, double t0)
{
	int64_t end = world_end(w), step = end / 1000 > 0 ? end / 1000 : 1;
	double last = t0, now;
	int shown = 0;

	for (int64_t t = step; t < end && !intr_pending(); t += step) {
		world_run_until(w, t);
		now = wall_now();
		if (now - t0 < 0.5 || now - last < 0.25)
			continue;
		last = now;
		shown = 1;
		fprintf(stderr, "\ressim run: %.1fs / %.1fs (%d%%), %.1f "
		    "sim-s/s ", (double)t / 1e9, (double)end / 1e9,
		    (int)(100 * (double)t / (double)end),
		    (double)t / 1e9 / (now - t0));
		fflush(stderr);
	}
	world_run(w);
	if (shown)
		fprintf(stderr, "\r\033[K");
}

/*
 * After the run: the database and the timeline, complete or, when `cut`
 * says why the run ended early (the signal's name, or "error" when a
 * limit or the replay stopped it), cut where the world stopped: a run
 * that did not reach its end is never recorded as complete.  Exit status.
 */
static int
outputs_end(struct res_db *db, struct res_rec *rec, struct tl *tl,
    const struct stats *st, struct an *an, struct world *w, double wall_s,
    const char *cut)
{
	struct err e = ERR_INIT;
	int rc = EXIT_OK;

	if (tl != NULL) {
		tl_findings(tl, an_findings(an));
		if (cut != NULL)
			tl_cut(tl, cut);
		if (tl_close(tl, world_now(w), &e) != 0)
			rc = EXIT_INTERNAL;
	}
	if (rec != NULL && (cut != NULL ? res_rec_stop(rec, st, an, wall_s, &e) :
	    res_rec_finish(rec, st, an, wall_s, &e)) != RES_OK)
		rc = EXIT_INTERNAL;
	if (db != NULL && res_close(db, &e) != RES_OK)
		rc = EXIT_INTERNAL;
	if (rc != EXIT_OK)
		err_print(&e, "essim run", stderr);
	return rc;
}

/*
 * The line on stderr after an interrupted command closed its outputs:
 * when the run stopped (or that it had finished) and what each output
 * holds.
 */
static void
say_interrupted(const struct run_opts *o, const struct world *w, int stop)
{
	int sig = intr_signal();

	fprintf(stderr, "essim run: interrupted (%s) ", intr_name(sig));
	if (stop != 0)
		fprintf(stderr, "at t=%.3fs simulated of %.3fs",
		    (double)world_now(w) / 1e9, (double)world_end(w) / 1e9);
	else
		fprintf(stderr, "after the run had finished");
	if (o->out != NULL)
		fprintf(stderr, ": %s holds %s run", o->out, stop != 0 ?
		    "an incomplete" : "the complete");
	if (o->timeline != NULL)
		fprintf(stderr, "%s %s %s", o->out != NULL ? ";" : ":",
		    o->timeline, stop != 0 ? "is cut there (valid JSON)" :
		    "is complete");
	if (o->out == NULL && o->timeline == NULL)
		fprintf(stderr, "; the summary covers %s",
		    stop != 0 ? "that part" : "the whole run");
	fputc('\n', stderr);
}

static int
simulate(const struct run_opts *o, const char *file)
{
	struct diag d = DIAG_INIT;
	struct err e = ERR_INIT;
	struct stats_run r;
	struct world *w;
	struct stats *st;
	struct an_opts ao = AN_OPTS_INIT;
	struct an *an;
	struct res_db *db = NULL;
	struct res_rec *rec = NULL;
	struct tl *tl = NULL;
	struct replay_world *rw = NULL;
	struct model *loaded;
	const struct model *m;
	double t0;
	int rc = EXIT_OK, rc2, stop, failed;

	if ((loaded = model_load(file, &d)) == NULL) {
		diag_print(&d, "essim run", stderr);
		diag_release(&d);
		return EXIT_USAGE;
	}
	diag_release(&d);
	m = loaded;
	/*
	 * A trace adds the processes it names to the model, so the world is
	 * built from the replay's model (the same one when there is none).
	 */
	if (loaded->trace != NULL) {
		if ((rw = replay_world_new(loaded, &o->r, &e)) == NULL) {
			err_print(&e, "essim run", stderr);
			model_free(loaded);
			return EXIT_USAGE;
		}
		m = replay_world_model(rw);
	} else if (o->r.speed > 0) {
		fprintf(stderr, "essim run: --speed: %s has no workload.trace "
		    "to replay\n", file);
		model_free(loaded);
		return EXIT_USAGE;
	}
	w = world_new(m, &o->w);
	if (rw != NULL)
		replay_world_attach(rw, w);
	st = stats_new(m, world_bus(w));
	/* The analyses: their findings go to the database and timeline. */
	ao.stats = st;		/* the deadline analysis shares its histograms */
	an = o->no_analyses ? NULL : an_attach(world_bus(w), m, &ao);
	/* From here on, outputs exist: a signal stops, it does not kill. */
	intr_install();
	if (o->out != NULL)
		rc = out_begin(o, m, file, w, &db, &rec);
	if (rc == EXIT_OK && o->timeline != NULL &&
	    (tl = tl_open(o->timeline, m, world_bus(w), &o->tl, &e)) == NULL) {
		err_print(&e, "essim run", stderr);
		rc = EXIT_INTERNAL;
	}
	if (rc != EXIT_OK) {
		if (rec != NULL)
			res_rec_abandon(rec);
		res_close(db, NULL);
		intr_restore();
		goto out;
	}
	t0 = wall_now();
	if (o->progress > 0 || (o->progress == 0 && isatty(2)))
		run_with_progress(w, t0);
	else
		world_run(w);
	/* Stopped early: a signal came, and the world had time left. */
	stop = intr_signal() != 0 && world_now(w) < world_end(w) ?
	    intr_signal() : 0;
	memset(&r, 0, sizeof(r));
	r.wall_s = wall_now() - t0;
	r.model_file = file;
	r.seed = world_seed(w);
	r.duration_ns = world_end(w);
	r.sim_ns = world_now(w);
	r.events = world_events(w);
	failed = (rw != NULL && replay_world_error(rw, &e) != 0) ||
	    world_error(w, &e) != 0;
	if (failed) {
		err_print(&e, "essim run", stderr);
		rc = EXIT_USAGE;
	} else {
		rc = report(o, st, &r, an, stop);
	}
	rc2 = outputs_end(db, rec, tl, st, an, w, r.wall_s, stop != 0 ?
	    intr_name(stop) : failed ? "error" : NULL);
	if (rc == EXIT_OK)
		rc = rc2;
	intr_restore();
	if (intr_signal() != 0) {
		say_interrupted(o, w, stop);
		if (rc == EXIT_OK)
			rc = intr_exit_status();
	}
out:
	world_free(w);
	an_free(an);
	stats_free(st);
	replay_world_free(rw);
	model_free(loaded);
	return rc;
}

static int
exec_run(int argc, char **argv)
{
	struct run_opts o;
	char *def = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.r = (struct replay_world_opts)REPLAY_WORLD_OPTS_INIT;
	o.out_mode = RES_CREATE;
	o.tl = (struct tl_opts)TL_OPTS_INIT;
	if ((rc = parse_args(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (o.model == NULL && (o.model = def = cli_find_data("models/default.json")) == NULL) {
		fprintf(stderr, "essim run: no MODEL given and no "
		    "models/default.json found (set ESSIM_DATADIR)\n");
		return EXIT_USAGE;
	}
	rc = simulate(&o, o.model);
	free(def);
	return rc;
}
