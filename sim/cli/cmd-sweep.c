/*
 * cmd-sweep.c - essim sweep: a model over a parameter grid and seeds.
 *
 *     essim sweep MODEL --vary PTR=VALUES... [--seeds N] [--seed N]
 *                 [-j JOBS] [--shard K/N] [--duration T] [--sample T]
 *                 [--max-events N] [--force | --resume] -o sweep.db
 *
 * The grid syntax is in sweep-grid.h and docs/sweeps.md; the run order,
 * sharding, resuming and what the database holds in sweep.h.  Exit: 0
 * ran, 2 bad usage, model, grid point or output file (nothing ran), or a
 * --resume of another plan, 3 a run or the system failed, 130/143
 * interrupted by SIGINT/SIGTERM (the output keeps the completed runs).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/err.h"
#include "core/units.h"
#include "out/sweep-pool.h"
#include "out/sweep.h"

static int exec_sweep(int argc, char **argv);

const struct cmd cmd_sweep = {
	"sweep",
	"sweep MODEL --vary PTR=VALUES... [--seeds N] [--seed N] [-j JOBS] "
	    "[--shard K/N] [--duration T] [--sample T] [--max-events N] "
	    "[--force | --resume] [--no-progress] -o sweep.db",
	"run a model over a parameter grid and seeds",
	"Runs MODEL once per grid point and seed, in parallel worker\n"
	"processes, into one results database (docs/sweeps.md).\n"
	"\n"
	"  -v, --vary PTR=VALUES  vary the model value at JSON pointer PTR;\n"
	"                       several --vary make a Cartesian product\n"
	"                       (the first varies slowest).  VALUES:\n"
	"                         A..B:N     N points from A to B\n"
	"                         A..B:Nlog  N points, log-spaced\n"
	"                         V1,V2,...  a list (JSON values or strings)\n"
	"                       A and B: numbers, rates (100/s), durations\n"
	"                       (2ms); e.g. /workload/sources/0/rate=\n"
	"                       100/s..5000/s:20, /machine/cores=4,8,16\n"
	"  -n, --seeds N        seeds per point (default 1): seed, seed+1, ...\n"
	"  -s, --seed N         first seed (default: the model's \"seed\")\n"
	"  -j, --jobs N         worker processes (default: online CPUs)\n"
	"      --shard K/N      run only the runs whose index is K-1 mod N;\n"
	"                       join the N shards with 'essim merge'\n"
	"  -d, --duration T     virtual time of each run (default: model's)\n"
	"      --sample T       record time series every T (default: none)\n"
	"      --max-events N   cap on pending engine events per run\n"
	"  -o, --output FILE    the sweep database (required)\n"
	"  -f, --force          replace FILE if it is an essim database\n"
	"      --resume         FILE is an interrupted sweep of the same\n"
	"                       model, grid and options: run its missing\n"
	"                       runs only\n"
	"      --progress, --no-progress  draw (or not) a progress line on\n"
	"                       stderr (default: when it is a terminal)\n"
	"\n"
	"Every grid point is loaded before anything runs; a point whose\n"
	"model is invalid is reported with its values (exit 2).  A progress\n"
	"line is drawn on stderr when it is a terminal.  SIGINT or SIGTERM\n"
	"stops the sweep within a second: FILE keeps the completed runs,\n"
	"marked incomplete (exit 130 or 143), and --resume finishes it.\n",
	exec_sweep
};

static int
parse_time(const char *opt, const char *s, int64_t *ns)
{
	struct err e = ERR_INIT;

	if (units_parse_duration(s, ns, &e) != 0 || *ns <= 0)
		return cli_usage_error(&cmd_sweep, "%s: %s", opt,
		    e.set ? e.text : "must be above 0");
	return 0;
}

static int
parse_args(int argc, char **argv, struct sweep_opts *o, struct sg_grid *g)
{
	static const struct option longopts[] = {
		{ "vary", required_argument, NULL, 'v' },
		{ "seeds", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "shard", required_argument, NULL, 'S' },
		{ "duration", required_argument, NULL, 'd' },
		{ "sample", required_argument, NULL, 'T' },
		{ "max-events", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "resume", no_argument, NULL, 'R' },
		{ "progress", no_argument, NULL, 'P' },
		{ "no-progress", no_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct err e = ERR_INIT;
	uint64_t v;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":v:n:s:j:d:o:fh", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'v':
			if (sg_add_vary(g, optarg, &e) != 0)
				return cli_usage_error(&cmd_sweep, "%s",
				    e.text);
			break;
		case 'n':
			if (cli_parse_u64(optarg, &o->seeds) != 0 ||
			    o->seeds == 0)
				return cli_usage_error(&cmd_sweep, "--seeds "
				    "wants a positive integer, not '%s'",
				    optarg);
			break;
		case 's':
			if (cli_parse_u64(optarg, &o->seed) != 0)
				return cli_usage_error(&cmd_sweep, "--seed "
				    "wants a non-negative integer, not '%s'",
				    optarg);
			o->has_seed = 1;
			break;
		case 'j':
			if (cli_parse_u64(optarg, &v) != 0 || v == 0 ||
			    v > 4096)
				return cli_usage_error(&cmd_sweep, "--jobs "
				    "wants 1 to 4096, not '%s'", optarg);
			o->jobs = (unsigned)v;
			break;
		case 'S':
			if (sg_parse_shard(optarg, &o->shard, &e) != 0)
				return cli_usage_error(&cmd_sweep, "%s",
				    e.text);
			break;
		case 'd':
			if (parse_time("--duration", optarg, &o->duration))
				return EXIT_USAGE;
			break;
		case 'T':
			if (parse_time("--sample", optarg, &o->sample_ns))
				return EXIT_USAGE;
			break;
		case 'm':
			if (cli_parse_u64(optarg, &v) != 0 || v == 0 ||
			    v > SIZE_MAX)
				return cli_usage_error(&cmd_sweep,
				    "--max-events wants a positive integer, "
				    "not '%s'", optarg);
			o->max_events = (size_t)v;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'f':
			o->force = 1;
			break;
		case 'R':
			o->resume = 1;
			break;
		case 'P':
		case 'Q':
			o->progress = c == 'P';
			break;
		case 'h':
			cli_help(&cmd_sweep, stdout);
			return -1;
		case ':':
			return cli_usage_error(&cmd_sweep, "option '%s' needs "
			    "a value", argv[optind - 1]);
		default:
			return cli_usage_error(&cmd_sweep, "unknown option "
			    "'%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(&cmd_sweep, argc - optind == 0 ?
		    "no MODEL given" : "one model at a time");
	if (o->out == NULL)
		return cli_usage_error(&cmd_sweep, "no output: -o sweep.db");
	if (o->force && o->resume)
		return cli_usage_error(&cmd_sweep, "--force and --resume "
		    "contradict each other");
	o->model_file = argv[optind];
	return 0;
}

static int
exec_sweep(int argc, char **argv)
{
	struct sg_grid *g = sg_new();
	struct sweep_opts o;
	struct sweep_summary sum;
	struct diag d = DIAG_INIT;
	int rc;

	memset(&o, 0, sizeof(o));
	o.seeds = 1;
	o.jobs = spool_ncpus();
	o.shard.k = o.shard.n = 1;
	o.grid = g;
	o.progress = isatty(STDERR_FILENO);
	if ((rc = parse_args(argc, argv, &o, g)) != 0) {
		sg_free(g);
		return rc < 0 ? EXIT_OK : rc;
	}
	rc = sweep_run(&o, &d, &sum);
	diag_print(&d, "essim sweep", stderr);
	diag_release(&d);
	if (rc == SWEEP_OK) {
		printf("%s: %llu of %llu runs (%llu points x %llu seeds), "
		    "shard %llu/%llu, %u workers, %.1f s (CPU: %.2f s here, "
		    "%.2f s in workers)\n", o.out,
		    (unsigned long long)sum.runs_here,
		    (unsigned long long)sum.runs,
		    (unsigned long long)sum.points,
		    (unsigned long long)o.seeds,
		    (unsigned long long)o.shard.k,
		    (unsigned long long)o.shard.n, sum.workers, sum.wall_s,
		    sum.cpu_self_s, sum.cpu_workers_s);
		if (o.resume)
			printf("%s: resumed: %llu runs run, %llu were "
			    "there\n", o.out,
			    (unsigned long long)sum.runs_run,
			    (unsigned long long)(sum.runs_kept -
			    sum.runs_run));
	}
	sg_free(g);
	if (rc == SWEEP_OK)
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
	if (rc == SWEEP_EINTR && sum.signal > 0)
		return 128 + sum.signal;
	return rc == SWEEP_EINPUT ? EXIT_USAGE : EXIT_INTERNAL;
}
