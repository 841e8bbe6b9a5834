/*
 * cmd-report.c - essim report: plots and an HTML page from a run or a
 * sweep database.
 *
 *     essim report [--run ID] [--x POINTER] [--order A,B ...] -o DIR
 *         RESULTS.db
 *
 * gnuplot is the one configure found (ESSIM_GNUPLOT in config.h); the
 * environment variable GNUPLOT overrides it (a path, or a name looked up
 * in PATH).  Without gnuplot the data files and the page are written all
 * the same, and the command says so and exits 3: the plots are missing
 * because of the system, not the input.
 *
 * The templates (reports/NAME.gp, reports/report.html) are searched like
 * the default model of `essim run`, first found wins:
 *   1. $ESSIM_DATADIR/reports
 *   2. ./reports (running from the source tree)
 *   3. the source tree the binary was built from (a build directory)
 *   4. the installed copy, PKGDATADIR/reports
 *
 * Exit: 0 written, 2 bad input or usage, 3 gnuplot missing or failed, or
 * the folder could not be written.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "cli/cli.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "out/report.h"

static int exec_report(int argc, char **argv);

const struct cmd cmd_report = {
	"report",
	"report [--run ID] [--x POINTER] [--order A,B ...] -o DIR RESULTS.db",
	"draw plots and an HTML page from a run or sweep",
	"Writes DIR/index.html and the plots it shows (PNG and SVG, drawn by\n"
	"gnuplot from the templates in reports/), with their data in\n"
	"DIR/data.  A run: latency CDFs per client and per event type, pool\n"
	"threads and delivery-queue depth over time with kills and deadlocks\n"
	"marked, and when each flag was first set.  A sweep: latency p50/p99,\n"
	"peak threads, kills and deadlocks against a swept parameter, one line\n"
	"per value of the others, min..max over seeds as error bars, and the\n"
	"probability that flag A was first set before flag B (with a 95%\n"
	"Wilson interval) for each `order` expectation of the model.\n"
	"\n"
	"  -o, --output DIR     the report folder (created if needed)\n"
	"  -r, --run ID         report run ID alone (in a sweep, or a file\n"
	"                       holding several runs)\n"
	"  -x, --x POINTER      the swept parameter on the x axis (default:\n"
	"                       the one with the most values)\n"
	"  -b, --order A,B      show whether flag A was first set before flag\n"
	"                       B (or B never was) instead of the model's\n"
	"                       `order` expectations; repeat for more\n"
	"\n"
	"GNUPLOT, if set, is the gnuplot to run; ESSIM_DATADIR, if set, is\n"
	"searched first for reports/.  Exit 3 when gnuplot is missing or fails\n"
	"(the page and the data files are still written).\n",
	exec_report
};

/* The templates folder (absolute: gnuplot runs elsewhere), or NULL. */
static char *
templates_dir(void)
{
	char *p = cli_find_data("reports/report.html");
	char cwd[4096];
	char *d;

	if (p == NULL)
		return NULL;
	*strrchr(p, '/') = '\0';
	if (p[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return p;
	d = xasprintf("%s/%s", cwd, p);
	free(p);
	return d;
}

/* gnuplot to run, or NULL when there is none. */
static const char *
find_gnuplot(void)
{
	const char *g = getenv("GNUPLOT");

	if (g == NULL)
		g = ESSIM_GNUPLOT;
	if (g[0] == '\0')
		return NULL;
	if (strchr(g, '/') != NULL && access(g, X_OK) != 0)
		return NULL;
	return g;
}

/* --order A,B: the pair into o->orders; -1 if it is not one. */
static int
add_order(struct report_opts *o, const char *arg)
{
	const char *comma = strchr(arg, ',');
	char **v;

	if (comma == NULL || comma == arg || comma[1] == '\0' ||
	    strchr(comma + 1, ',') != NULL ||
	    ((size_t)(comma - arg) == strlen(comma + 1) &&
	    strncmp(arg, comma + 1, (size_t)(comma - arg)) == 0))
		return -1;
	v = xreallocarray((char **)o->orders, 2 * o->norders + 2,
	    sizeof(*v));
	v[2 * o->norders] = xstrndup(arg, (size_t)(comma - arg));
	v[2 * o->norders + 1] = xstrdup(comma + 1);
	o->orders = (const char *const *)v;
	o->norders++;
	return 0;
}

static void
free_orders(struct report_opts *o)
{
	for (size_t i = 0; i < 2 * o->norders; i++)
		free((char *)o->orders[i]);
	free((void *)o->orders);
}

static int
parse_args(int argc, char **argv, struct report_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "run", required_argument, NULL, 'r' },
		{ "x", required_argument, NULL, 'x' },
		{ "order", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:r:x:b:h", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'o':
			o->dir = optarg;
			break;
		case 'r':
			errno = 0;
			o->run_id = strtoll(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || o->run_id <= 0 ||
			    optarg[0] < '0' || optarg[0] > '9')
				return cli_usage_error(&cmd_report, "--run "
				    "wants a run id (1, 2, ...), not '%s'",
				    optarg);
			break;
		case 'x':
			o->xptr = optarg;
			break;
		case 'b':
			if (add_order(o, optarg) != 0)
				return cli_usage_error(&cmd_report, "--order "
				    "wants two different flags, A,B, not "
				    "'%s'", optarg);
			break;
		case 'h':
			cli_help(&cmd_report, stdout);
			return -1;
		case ':':
			return cli_usage_error(&cmd_report, "option '%s' "
			    "needs a value", argv[optind - 1]);
		default:
			return cli_usage_error(&cmd_report, "unknown option "
			    "'%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(&cmd_report, argc == optind ?
		    "no database given" : "one database at a time");
	if (o->dir == NULL)
		return cli_usage_error(&cmd_report, "no folder: -o DIR");
	o->db = argv[optind];
	return 0;
}

static int
exec_report(int argc, char **argv)
{
	struct report_opts o;
	struct report_result r;
	struct err e = ERR_INIT;
	char *tdir;
	int rc;

	memset(&o, 0, sizeof(o));
	if ((rc = parse_args(argc, argv, &o)) != 0) {
		free_orders(&o);
		return rc < 0 ? EXIT_OK : rc;
	}
	if ((tdir = templates_dir()) == NULL) {
		fprintf(stderr, "essim report: no reports/report.html found "
		    "(set ESSIM_DATADIR to the folder holding reports/)\n");
		free_orders(&o);
		return EXIT_INTERNAL;
	}
	o.templates = tdir;
	o.gnuplot = find_gnuplot();
	rc = report_write(&o, &r, &e);
	free(tdir);
	free_orders(&o);
	if (rc != 0) {
		err_print(&e, "essim report", stderr);
		return rc == -1 ? EXIT_USAGE : EXIT_INTERNAL;
	}
	printf("%s/index.html: %s report, %zu plots\n", o.dir,
	    r.sweep ? "sweep" : "run", r.nplots);
	if (o.gnuplot == NULL) {
		fprintf(stderr, "essim report: gnuplot not found (%s): wrote "
		    "%s/index.html and the data files, but no plots; install "
		    "gnuplot or set GNUPLOT=/path/to/gnuplot\n",
		    getenv("GNUPLOT") != NULL ? "GNUPLOT is empty or not "
		    "executable" : "configure found none", o.dir);
		return EXIT_INTERNAL;
	}
	if (r.nfailed > 0) {
		fprintf(stderr, "essim report: gnuplot failed on %zu of %zu "
		    "plots, first %s\n", r.nfailed, r.nplots, r.failed);
		return EXIT_INTERNAL;
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
}
