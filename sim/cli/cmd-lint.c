/*
 * cmd-lint.c - essim lint: load models and find, without simulating,
 * the deadlocks and broken handlers their structure allows.
 *
 *     essim lint [--json] [--strict] [--max-cycles N] MODEL...
 *
 * Every model is loaded and linted in the order given; one that does
 * not load gets all its load errors printed on stderr and is not
 * linted.  Findings go to stdout (sim/analysis/lint.h has the format).
 * Exit: 2 if any model did not load (or bad usage), else 1 if any model
 * has an error-severity finding (or, with --strict, any finding), else
 * 0.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/lint.h"
#include "cli/cli.h"
#include "core/err.h"
#include "model/model.h"

static const char usage[] =
    "lint [--json] [--strict] [--max-cycles N] MODEL...";

static const char help[] =
    "Loads each MODEL and reports, without simulating it:\n"
    "  errors    static_cycle (a deadlock some interleaving closes: a\n"
    "            handler waiting on a daemon whose syscalls wait on a\n"
    "            client whose queue that handler holds, ...),\n"
    "            sync_on_own_queue, lock_order_inversion, recursive_lock;\n"
    "  warnings  no_response, retained_never_answered,\n"
    "            unhandled_subscription, handler_not_subscribed,\n"
    "            respond_on_notify, respond_flags_not_open,\n"
    "            lock_not_released, unlock_not_held, flag_never_set,\n"
    "            recursive_wait.\n"
    "Cycles are printed as scenarios, one step per wait.  docs/findings.md\n"
    "explains every kind.\n"
    "\n"
    "  --json          one JSON document {\"models\": [...]} on stdout\n"
    "  --strict        warnings make the exit status 1 too\n"
    "  --max-cycles N  stop the cycle search after N cycles (default 100;\n"
    "                  the shortest cycles are kept)\n"
    "\n"
    "exit status: 0 no findings (no errors without --strict), 1 findings,\n"
    "2 a model did not load or bad usage\n";

static int
parse_count(const char *s, size_t *out)
{
	uint64_t v;

	if (cli_parse_u64(s, &v) != 0 || v == 0 || v > 100000000ULL)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* Lint one file; returns its worst outcome (EXIT_*). */
static int
lint_one(const char *file, const struct lint_opts *o, int json, int strict,
    json_t *all)
{
	struct diag d = DIAG_INIT;
	struct lint_result r = LINT_RESULT_INIT;
	struct model *m;
	int rc;

	if ((m = model_load(file, &d)) == NULL) {
		diag_print(&d, "essim lint", stderr);
		if (diag_count(&d) == 0)
			fprintf(stderr, "essim lint: %s: does not load\n",
			    file);
		diag_release(&d);
		if (json)
			json_array_append_new(all, json_pack("{s:s, s:b}",
			    "file", file, "loaded", 0));
		return EXIT_USAGE;
	}
	diag_release(&d);
	lint_model(m, o, &r);
	if (json)
		json_array_append_new(all, lint_json(&r, file));
	else
		lint_print(&r, file, stdout);
	rc = r.nerrors > 0 || (strict && r.nwarnings > 0) ? EXIT_FINDINGS :
	    EXIT_OK;
	lint_result_release(&r);
	model_free(m);
	return rc;
}

static int
lint_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "strict", no_argument, NULL, 's' },
		{ "max-cycles", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct lint_opts o = { 0 };
	int json = 0, strict = 0, ch, rc = EXIT_OK;
	json_t *doc, *all;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 's':
			strict = 1;
			break;
		case 'c':
			if (parse_count(optarg, &o.max_cycles) < 0)
				return cli_usage_error(&cmd_lint,
				    "--max-cycles wants a count from 1 to "
				    "100000000, not '%s'", optarg);
			break;
		case 'h':
			cli_help(&cmd_lint, stdout);
			return EXIT_OK;
		case ':':
			return cli_usage_error(&cmd_lint, "'%s' needs a value",
			    argv[optind - 1]);
		default:
			return cli_usage_error(&cmd_lint, "unknown option "
			    "'%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(&cmd_lint, "no model given");
	all = json_array();
	for (int i = optind; i < argc; i++) {
		int one = lint_one(argv[i], &o, json, strict, all);
		if (one > rc)
			rc = one;
	}
	if (json) {
		doc = json_pack("{s:o}", "models", all);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(doc);
	} else
		json_decref(all);
	if (fflush(stdout) != 0 || ferror(stdout))
		die("essim lint: cannot write the output");
	return rc;
}

const struct cmd cmd_lint = {
	"lint", usage,
	"validate models and find static cycles without simulating",
	help, lint_exec
};
