/*
 * cmd-synth.c - essim synth: write a synthetic trace in eslogger's format.
 *
 *     essim synth [--seed N] [--duration T] [--quiet] -o FILE SPEC
 *
 * SPEC is a synthetic trace spec (docs/traces.md); every problem in it is
 * reported as "file: /json/pointer: message" and exits 2.  FILE ("-" for
 * standard output) receives eslogger JSON Lines that `essim import` and
 * workload.trace read like a real recording.  One summary line on
 * standard error gives the counts and the speed; it is the only output
 * that depends on the machine, and --quiet drops it.  The trace itself
 * depends on SPEC and the seed only.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/units.h"
#include "trace/synth.h"

static int exec_synth(int argc, char **argv);

const struct cmd cmd_synth = {
	"synth",
	"synth [--seed N] [--duration T] [--quiet] -o FILE SPEC",
	"write a synthetic trace in eslogger's format",
	"Generates the trace that SPEC describes (a process tree, event rates,\n"
	"path distributions, bursts; see docs/traces.md) as eslogger JSON\n"
	"Lines.  The same SPEC and seed always give the same bytes.\n"
	"\n"
	"  -o, --output FILE    where to write the trace (\"-\": standard output)\n"
	"  -s, --seed N         random seed (default: the spec's \"seed\")\n"
	"  -d, --duration T     trace length, e.g. 2s (default: the spec's)\n"
	"  -q, --quiet          no summary line on standard error\n",
	exec_synth
};

static double
wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
generate(const char *spec, const char *out, const struct synth_opts *o,
    int quiet)
{
	struct diag d = DIAG_INIT;
	struct err e = ERR_INIT;
	struct synth_stats st;
	struct synth *s;
	FILE *f;
	double t0;
	int rc;

	if ((s = synth_load(spec, &d)) == NULL) {
		diag_print(&d, "essim synth", stderr);
		diag_release(&d);
		return EXIT_USAGE;
	}
	diag_release(&d);
	f = strcmp(out, "-") == 0 ? stdout : fopen(out, "w");
	if (f == NULL) {
		fprintf(stderr, "essim synth: %s: cannot create: %s\n", out,
		    strerror(errno));
		synth_free(s);
		return EXIT_USAGE;
	}
	t0 = wall_now();
	rc = synth_write(s, o, f, &st, &e);
	if (f != stdout && fclose(f) != 0 && rc == 0)
		rc = err_set(&e, "cannot write the trace: %s",
		    strerror(errno));
	t0 = wall_now() - t0;
	synth_free(s);
	if (rc != 0) {
		err_locate(&e, out, 0, 0, NULL);
		err_print(&e, "essim synth", stderr);
		return EXIT_INTERNAL;
	}
	if (!quiet)
		fprintf(stderr, "%s: %llu events, %llu processes (peak %llu "
		    "alive, %llu refused), %.1f MB in %.2f s: %.1f MB/s\n",
		    out, (unsigned long long)st.events,
		    (unsigned long long)st.processes,
		    (unsigned long long)st.peak_alive,
		    (unsigned long long)st.refused, (double)st.bytes / 1e6,
		    t0, t0 > 0 ? (double)st.bytes / 1e6 / t0 : 0.0);
	return EXIT_OK;
}

static int
exec_synth(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct synth_opts o = SYNTH_OPTS_INIT;
	struct err e = ERR_INIT;
	const char *out = NULL;
	int c, quiet = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:s:d:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 's':
			if (cli_parse_u64(optarg, &o.seed) != 0)
				return cli_usage_error(&cmd_synth, "--seed wants "
				    "a non-negative integer, not '%s'", optarg);
			o.has_seed = 1;
			break;
		case 'd':
			if (units_parse_duration(optarg, &o.duration, &e) != 0 ||
			    o.duration <= 0)
				return cli_usage_error(&cmd_synth, "--duration: %s",
				    e.set ? e.text : "must be above 0");
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			cli_help(&cmd_synth, stdout);
			return EXIT_OK;
		case ':':
			return cli_usage_error(&cmd_synth, "option '%s' needs a "
			    "value", argv[optind - 1]);
		default:
			return cli_usage_error(&cmd_synth, "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	if (out == NULL)
		return cli_usage_error(&cmd_synth, "-o FILE is required");
	if (argc - optind != 1)
		return cli_usage_error(&cmd_synth, argc - optind == 0 ?
		    "no spec given" : "one spec at a time");
	return generate(argv[optind], out, &o, quiet);
}
