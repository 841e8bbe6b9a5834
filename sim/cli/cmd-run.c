/*
 * cmd-run.c - essim run: simulate one model and summarise what happened.
 *
 *     essim run [--seed N] [--duration T] [--max-events N] [-o run.db]
 *               [--json] [MODEL]
 *
 * Loads MODEL (every problem reported, exit 2), builds the world
 * (es/world.h), attaches the run counters (analysis/stats.h), runs to the
 * model's duration (or --duration) and prints the summary: readable text,
 * or with --json one JSON object whose keys are documented in
 * docs/simulation.md (wall-clock fields are the only ones that vary from
 * run to run).  -o writes the same summary to a new SQLite database.
 *
 * Without MODEL the shipped default model runs: models/default.json,
 * searched in this order, first found wins:
 *   1. $ESSIM_DATADIR/models/default.json
 *   2. ./models/default.json (running from the source tree)
 *   3. the source tree the binary was built from (a build directory)
 *   4. the installed copy, PKGDATADIR/models/default.json
 *
 * Exit: 0 ran, 2 bad model or usage, 3 internal error (the output
 * database could not be written).
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

#include "analysis/stats.h"
#include "cli/cli.h"
#include "cli/essim-paths.h"
#include "core/err.h"
#include "core/units.h"
#include "core/xalloc.h"
#include "es/world.h"
#include "model/model.h"

struct run_opts {
	struct world_opts	 w;
	const char		*out;
	int			 json;
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
	"  -o, --output FILE    also write the summary to a new SQLite\n"
	"                       database\n"
	"  -j, --json           print one JSON object instead of text\n"
	"\n"
	"ESSIM_DATADIR, if set, is searched first for models/default.json.\n",
	exec_run
};

static int
file_exists(const char *path)
{
	return access(path, R_OK) == 0;
}

/* The default model's path (newly allocated), or NULL. */
static char *
default_model(void)
{
	const char *env = getenv("ESSIM_DATADIR");
	const char *dirs[4];
	size_t n = 0;

	if (env != NULL && env[0] != '\0')
		dirs[n++] = env;
	dirs[n++] = ".";
	dirs[n++] = ESSIM_SRCDIR;
	dirs[n++] = ESSIM_DATADIR;
	for (size_t i = 0; i < n; i++) {
		char *p = xasprintf("%s/models/default.json", dirs[i]);

		if (file_exists(p))
			return p;
		free(p);
	}
	return NULL;
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

static int
parse_args(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "max-events", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
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
			if (parse_u64(optarg, &o->w.seed) != 0)
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
			if (parse_u64(optarg, &v) != 0 || v == 0 ||
			    v > SIZE_MAX)
				return cli_usage_error(&cmd_run,
				    "--max-events wants a positive integer, "
				    "not '%s'", optarg);
			o->w.max_events = (size_t)v;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'j':
			o->json = 1;
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

static int
report(const struct run_opts *o, const struct stats *st,
    const struct stats_run *r)
{
	struct err e = ERR_INIT;
	json_t *j;

	if (o->json) {
		j = stats_json(st, r);
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		fputc('\n', stdout);
		json_decref(j);
	} else {
		stats_print(st, r, stdout);
	}
	if (o->out != NULL && stats_write_db(st, r, o->out, &e) != 0) {
		err_print(&e, "essim run", stderr);
		return EXIT_INTERNAL;
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
}

static int
simulate(const struct run_opts *o, const char *file)
{
	struct diag d = DIAG_INIT;
	struct stats_run r;
	struct model *m;
	struct world *w;
	struct stats *st;
	double t0;
	int rc;

	if ((m = model_load(file, &d)) == NULL) {
		diag_print(&d, "essim run", stderr);
		diag_release(&d);
		return EXIT_USAGE;
	}
	diag_release(&d);
	w = world_new(m, &o->w);
	st = stats_new(m, world_bus(w));
	t0 = wall_now();
	world_run(w);
	memset(&r, 0, sizeof(r));
	r.wall_s = wall_now() - t0;
	r.model_file = file;
	r.seed = world_seed(w);
	r.duration_ns = world_end(w);
	r.sim_ns = world_now(w);
	r.events = world_events(w);
	rc = report(o, st, &r);
	world_free(w);
	stats_free(st);
	model_free(m);
	return rc;
}

static int
exec_run(int argc, char **argv)
{
	struct run_opts o;
	char *def = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	if ((rc = parse_args(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (o.model == NULL && (o.model = def = default_model()) == NULL) {
		fprintf(stderr, "essim run: no MODEL given and no "
		    "models/default.json found (set ESSIM_DATADIR)\n");
		return EXIT_USAGE;
	}
	rc = simulate(&o, o.model);
	free(def);
	return rc;
}
