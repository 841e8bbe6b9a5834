/*
 * cmd-trace.c - essim trace: look into a trace store.
 *
 *     essim trace info [--top N] trace.db
 *
 * info prints the sources, the time span, events per type with their
 * rate over the span, the busiest processes and paths, and the drops
 * eslogger's global_seq_num gaps reveal.  Every list is sorted by count
 * and then by name, so the output depends on the store alone.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "trace/tracedb.h"

static const char usage[] = "trace info [--top N] trace.db";

static const char help[] =
    "info: what a trace store holds - its source files, the time span,\n"
    "events per type and per second, the N busiest processes and paths\n"
    "(default 10), and the messages eslogger's client dropped (gaps in\n"
    "global_seq_num).\n";

static void
print_sources(const struct tdb_summary *s)
{
	printf("sources: %zu\n", s->nsources);
	for (size_t i = 0; i < s->nsources; i++) {
		const struct tdb_source_info *si = &s->sources[i];

		printf("  %s: %" PRIu64 " bytes, sha256 %.16s, ", si->name,
		    si->size, si->sha256);
		if (!si->complete) {
			printf("incomplete (interrupted import: import the "
			    "file again to finish it)\n");
			continue;
		}
		printf("%" PRIu64 " objects, %" PRIu64 " events, %" PRIu64
		    " skipped, %" PRIu64 " unknown, %" PRIu64 " drops\n",
		    si->objects, si->events, si->skipped, si->unknown,
		    si->drops);
	}
}

static void
print_span(const struct tdb_summary *s, double *secs)
{
	char a[ESL_TIME_LEN], b[ESL_TIME_LEN];

	*secs = 0;
	printf("events: %" PRIu64 "\n", s->events);
	if (s->events == 0)
		return;
	*secs = (double)(s->last - s->first) / 1e9;
	printf("span: %s .. %s (%.9f s)\n", esl_format_time(s->first, a),
	    esl_format_time(s->last, b), *secs);
}

static void
print_rate(uint64_t n, double secs)
{
	if (secs > 0)
		printf(" %14.3f/s", (double)n / secs);
	printf("\n");
}

static void
print_lists(const struct tdb_summary *s, double secs)
{
	int w = 30;

	/* Wider when a name is (an unknown type: "type N (unknown ...)"). */
	for (size_t i = 0; i < s->ntypes; i++)
		if (strlen(s->types[i].name) > (size_t)w)
			w = (int)strlen(s->types[i].name);
	printf("by type:%*s%s\n", w + 4, "events", secs > 0 ?
	    "            rate" : "");
	for (size_t i = 0; i < s->ntypes; i++) {
		printf("  %-*s %10" PRIu64, w, s->types[i].name, s->types[i].n);
		print_rate(s->types[i].n, secs);
	}
	printf("processes: %" PRIu64 " distinct (pid, pidversion, "
	    "executable); top %zu by events:\n", s->nprocesses, s->nprocs);
	for (size_t i = 0; i < s->nprocs; i++)
		printf("  %10" PRIu64 "  pid %-7d %s\n", s->processes[i].n,
		    s->processes[i].pid, s->processes[i].name);
	printf("paths: %" PRIu64 " distinct; top %zu by events:\n", s->npaths,
	    s->npathcounts);
	for (size_t i = 0; i < s->npathcounts; i++)
		printf("  %10" PRIu64 "  %s\n", s->paths[i].n, s->paths[i].name);
	printf("drops: %" PRIu64 " (gaps in global_seq_num)\n", s->drops);
}

static int
info(const char *path, size_t top)
{
	struct tdb_summary s;
	struct err e = ERR_INIT;
	struct tdb *db;
	double secs;
	int rc;

	if ((db = tdb_open(path, TDB_READ, &e)) == NULL) {
		err_print(&e, "essim trace", stderr);
		return EXIT_USAGE;
	}
	rc = tdb_summarize(db, top, &s, &e);
	tdb_close(db);
	if (rc != TDB_OK) {
		err_print(&e, "essim trace", stderr);
		tdb_summary_release(&s);
		return rc == TDB_EBAD ? EXIT_USAGE : EXIT_INTERNAL;
	}
	printf("trace store: %s\n", path);
	print_sources(&s);
	print_span(&s, &secs);
	print_lists(&s, secs);
	tdb_summary_release(&s);
	return EXIT_OK;
}

static int
trace_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "top", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	long top = 10;
	char *end;
	int ch;

	if (argc < 2)
		return cli_usage_error(&cmd_trace, "which subcommand? "
		    "(info)");
	if (strcmp(argv[1], "info") != 0)
		return cli_usage_error(&cmd_trace, "unknown subcommand '%s'",
		    argv[1]);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc - 1, argv + 1, ":", longopts,
	    NULL)) != -1) {
		if (ch == ':')
			return cli_usage_error(&cmd_trace, "'%s' needs a value",
			    argv[optind]);
		if (ch != 'n')
			return cli_usage_error(&cmd_trace, "unknown option "
			    "'%s'", argv[optind]);
		top = strtol(optarg, &end, 10);
		if (*end != '\0' || top < 1 || top > 1000000)
			return cli_usage_error(&cmd_trace, "bad --top '%s'",
			    optarg);
	}
	if (argc - 1 - optind != 1)
		return cli_usage_error(&cmd_trace, "one trace.db, please");
	return info(argv[1 + optind], (size_t)top);
}

const struct cmd cmd_trace = {
	"trace", usage, "describe a trace store", help, trace_exec
};
