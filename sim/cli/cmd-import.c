/*
 * cmd-import.c - essim import: eslogger JSON into a SQLite trace store.
 *
 *     essim import [--on-error=fail|skip] [--max-object=BYTES] [--batch=N]
 *         [--verbose] -o trace.db TRACE...
 *
 * Each TRACE (JSON Lines, pretty-printed or concatenated objects, or any
 * of these gzip-compressed) is imported once: a file whose content the
 * store already holds is reported and skipped.  One line per file and a
 * total say where every object went (imported + skipped + unknown =
 * objects); a last line gives the throughput, which is the only output
 * that depends on the machine.
 *
 * SIGINT or SIGTERM (core/intr.h) stops the import within one object:
 * the files imported before stay, the one being imported is rolled back
 * to its last commit and stays invisible (marked incomplete), and
 * running the same command again finishes the job.  Exit 130 / 143 after
 * one line saying so; a second signal kills at once.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cli/cli.h"
#include "core/intr.h"
#include "trace/tracedb.h"

#define MAX_SHOWN	20	/* bad objects printed per file under skip */

static const char usage[] =
    "import [--on-error=fail|skip] [--max-object=BYTES] [--batch=N] "
    "[--verbose] -o trace.db TRACE...";

static const char help[] =
    "Reads eslogger(1) output - JSON Lines, pretty-printed or concatenated\n"
    "objects, gzip-compressed or not - and stores its events in the SQLite\n"
    "trace store trace.db (created if needed; see docs/trace-store.md).\n"
    "A file whose content is already in the store adds nothing.\n"
    "\n"
    "  -o, --output trace.db  the trace store to add to\n"
    "  --on-error=fail        stop at the first bad object, import nothing\n"
    "                         from that file, exit 2 (the default)\n"
    "  --on-error=skip        report bad objects, import the rest\n"
    "  --max-object=BYTES     largest JSON object accepted (default 16M;\n"
    "                         suffixes K, M, G)\n"
    "  --batch=N              events per transaction (default 10000)\n"
    "  -v, --verbose          also print peak memory\n"
    "\n"
    "SIGINT (^C) or SIGTERM stops the import at once and exits 130 or\n"
    "143: files already imported stay, the partial one is invisible, and\n"
    "the same command run again finishes the job.\n";

struct import_run {
	const char	*file;
	uint64_t	 shown, hidden;		/* bad objects of this file */
};

struct totals {
	uint64_t	 files, objects, events, skipped, unknown, drops, bytes;
};

static void
report_bad(void *arg, const struct err *e)
{
	struct import_run *ir = arg;

	if (ir->shown++ < MAX_SHOWN)
		err_print(e, "essim import", stderr);
	else
		ir->hidden++;
}

static int
parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned shift = 0;

	if (end == s || s[0] == '-')
		return -1;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift > 0)
		end++;
	if (*end != '\0' || v == 0 || v > (SIZE_MAX >> shift))
		return -1;
	*out = (size_t)v << shift;
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Peak resident set size in MB; ru_maxrss is KB on Linux, bytes on macOS. */
static double
peak_rss_mb(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
#ifdef __APPLE__
	return (double)ru.ru_maxrss / (1024.0 * 1024.0);
#else
	return (double)ru.ru_maxrss / 1024.0;
#endif
}

static void
print_counts(const char *what, const struct esl_counts *c)
{
	printf("%s: %" PRIu64 " objects, %" PRIu64 " imported, %" PRIu64
	    " skipped, %" PRIu64 " unknown, %" PRIu64 " drops\n", what,
	    c->objects, c->events, c->bad, c->unknown, c->drops);
}

static void
add_totals(struct totals *t, const struct tdb_import_stats *st)
{
	t->files++;
	t->objects += st->counts.objects;
	t->events += st->counts.events;
	t->skipped += st->counts.bad;
	t->unknown += st->counts.unknown;
	t->drops += st->counts.drops;
	t->bytes += st->counts.bytes;
}

/* Import one file; an exit status, or -1 when interrupted. */
static int
import_one(struct tdb *db, const char *file, struct tdb_import_opts *o,
    struct totals *t, int *partial)
{
	struct import_run ir = { file, 0, 0 };
	struct tdb_import_stats st;
	struct err e = ERR_INIT;
	int rc;

	o->arg = &ir;
	rc = tdb_import(db, file, o, &st, &e);
	if (ir.hidden > 0)
		fprintf(stderr, "essim import: %s: %" PRIu64 " more bad "
		    "objects not shown\n", file, ir.hidden);
	if (rc == TDB_EINTR) {
		*partial = st.partial;
		return -1;
	}
	if (rc != TDB_OK) {
		err_print(&e, "essim import", stderr);
		if (rc == TDB_EBAD && st.counts.objects > 0 &&
		    o->on_error == TDB_FAIL)
			fprintf(stderr, "essim import: %s: nothing imported "
			    "from this file (--on-error=skip imports the "
			    "rest)\n", file);
		return rc == TDB_EBAD ? EXIT_USAGE : EXIT_INTERNAL;
	}
	if (st.already)
		printf("%s: already imported as %s (sha256 %.16s), nothing "
		    "added\n", file, st.first_name, st.sha256);
	else
		print_counts(file, &st.counts);
	add_totals(t, &st);
	return EXIT_OK;
}

static void
print_totals(const struct totals *t, double secs, int verbose)
{
	struct esl_counts c;
	double mb = (double)t->bytes / 1e6;

	memset(&c, 0, sizeof(c));
	c.objects = t->objects;
	c.events = t->events;
	c.bad = t->skipped;
	c.unknown = t->unknown;
	c.drops = t->drops;
	print_counts("total", &c);
	if (secs <= 0)
		secs = 1e-9;
	printf("read %.1f MB in %.2f s: %.1f MB/s, %.0f events/s", mb, secs,
	    mb / secs, (double)t->events / secs);
	if (verbose)
		printf(", peak RSS %.1f MB", peak_rss_mb());
	printf("\n");
}

static int
parse_opts(int argc, char **argv, const char **out,
    struct tdb_import_opts *o, int *verbose)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "on-error", required_argument, NULL, 'E' },
		{ "max-object", required_argument, NULL, 'M' },
		{ "batch", required_argument, NULL, 'B' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":o:v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			*out = optarg;
			break;
		case 'E':
			if (strcmp(optarg, "fail") == 0)
				o->on_error = TDB_FAIL;
			else if (strcmp(optarg, "skip") == 0)
				o->on_error = TDB_SKIP;
			else
				return cli_usage_error(&cmd_import, "--on-error"
				    " must be fail or skip, not '%s'", optarg);
			break;
		case 'M':
			if (parse_size(optarg, &o->max_object) < 0)
				return cli_usage_error(&cmd_import, "bad "
				    "--max-object '%s'", optarg);
			break;
		case 'B':
			if (parse_size(optarg, &o->batch) < 0)
				return cli_usage_error(&cmd_import, "bad "
				    "--batch '%s'", optarg);
			break;
		case 'v':
			*verbose = 1;
			break;
		case ':':
			return cli_usage_error(&cmd_import, "%s needs a value",
			    argv[optind - 1]);
		default:
			return cli_usage_error(&cmd_import, "unknown option "
			    "'%s'", argv[optind - 1]);
		}
	}
	if (*out == NULL)
		return cli_usage_error(&cmd_import, "-o trace.db is required");
	if (optind >= argc)
		return cli_usage_error(&cmd_import, "no trace files given");
	return EXIT_OK;
}

/* After an interrupt, the store closed: what it keeps. */
static void
say_interrupted(const char *out, const char *file, uint64_t done,
    int partial)
{
	fprintf(stderr, "essim import: interrupted (%s) ",
	    intr_name(intr_signal()));
	if (file == NULL) {
		fprintf(stderr, "after the last file: %s holds every file\n",
		    out);
		return;
	}
	fprintf(stderr, "while importing %s: %s keeps the %" PRIu64 " "
	    "file%s before it; %s (run the same import again to finish)\n",
	    file, out, done, done == 1 ? "" : "s", partial ? "what was "
	    "read of this one is marked incomplete and invisible" :
	    "nothing of this one was kept");
}

static int
import_exec(int argc, char **argv)
{
	struct tdb_import_opts o = TDB_IMPORT_OPTS_INIT;
	struct totals t;
	struct err e = ERR_INIT;
	struct tdb *db;
	const char *out = NULL, *cut = NULL;
	double t0;
	int verbose = 0, partial = 0, rc;

	if ((rc = parse_opts(argc, argv, &out, &o, &verbose)) != EXIT_OK)
		return rc;
	o.on_bad = report_bad;
	intr_install();
	if ((db = tdb_open(out, TDB_WRITE, &e)) == NULL) {
		intr_restore();
		err_print(&e, "essim import", stderr);
		return EXIT_USAGE;
	}
	memset(&t, 0, sizeof(t));
	t0 = now();
	for (int i = optind; i < argc && rc == EXIT_OK; i++)
		if ((rc = import_one(db, argv[i], &o, &t, &partial)) < 0)
			cut = argv[i];
	tdb_close(db);
	intr_restore();
	if (intr_signal() != 0 && rc <= 0) {
		say_interrupted(out, cut, t.files, partial);
		return intr_exit_status();
	}
	if (rc == EXIT_OK)
		print_totals(&t, now() - t0, verbose);
	return rc;
}

const struct cmd cmd_import = {
	"import", usage, "import eslogger JSON into a SQLite trace store",
	help, import_exec
};
