/*
 * cmd-check.c - essim check: run models and verify their expect blocks.
 *
 *     essim check [MODEL|DIR]...
 *
 * Each MODEL is loaded, its `expect` block parsed (analysis/expect.h),
 * and the model run with every analysis on: once with its own seed, and
 * as many more seeds as its "order" and "probability" expectations ask.
 * A DIR stands for every *.json file directly in it, in byte order of
 * their names.  One line per expectation:
 *
 *     models/x.json: deadlocks >=1: pass (1)
 *     models/x.json: kills.acme ==0: FAIL (6)
 *
 * then "N passed, N failed".  A model without expectations says so.
 * Without arguments, ./models is checked.
 *
 * Exit: 0 every expectation held, 1 some failed, 2 a model did not load
 * or its expect block is wrong (reported as FILE: /expect/...: message;
 * the other models are still checked), or bad usage.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/expect.h"
#include "cli/cli.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "model/model.h"

static int exec_check(int argc, char **argv);

const struct cmd cmd_check = {
	"check",
	"check [MODEL|DIR]...",
	"run models and verify their expect blocks",
	"Runs each MODEL (every *.json of each DIR; ./models by default) and\n"
	"checks the expectations of its \"expect\" block: findings such as\n"
	"deadlocks, potential cycles, kills, thread explosions, latency\n"
	"percentiles, and orderings over many seeds (docs/model-format.md).\n"
	"Prints one line per expectation and a total.\n"
	"\n"
	"Exit status: 0 all held, 1 some failed, 2 bad model or usage.\n",
	exec_check
};

struct tally {
	size_t	 passed, failed, bad;
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
check_one(const char *file, struct tally *t)
{
	struct diag d = DIAG_INIT;
	struct err e = ERR_INIT;
	struct model *m = model_load(file, &d);
	struct ex_set *s = m != NULL ? ex_parse(m, &d) : NULL;
	struct ex_result *r;
	size_t n;

	if (s == NULL) {
		diag_print(&d, "essim check", stderr);
		t->bad++;
		goto out;
	}
	if (ex_count(s) == 0) {
		printf("%s: no expectations\n", file);
		goto out;
	}
	if ((r = ex_check(s, m, NULL, &n, &e)) == NULL) {
		err_print(&e, "essim check", stderr);
		t->bad++;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		printf("%s: %s: %s (%s)\n", file, r[i].label,
		    r[i].pass ? "pass" : "FAIL", r[i].measured);
		if (r[i].pass)
			t->passed++;
		else
			t->failed++;
	}
	ex_results_free(r, n);
out:
	ex_free(s);
	model_free(m);
	diag_release(&d);
}

/* Every *.json directly in dir, sorted; -1 if dir cannot be read. */
static int
check_dir(const char *dir, struct tally *t)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, a = 0;

	if (dp == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0) {
			XGROW(v, n + 1, a);
			v[n++] = xasprintf("%s/%s", dir, de->d_name);
		}
	}
	closedir(dp);
	if (n > 0)
		qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < n; i++) {
		check_one(v[i], t);
		free(v[i]);
	}
	free(v);
	return 0;
}

static int
exec_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static char models[] = "models";
	char *defaults[] = { models };
	struct tally t = { 0, 0, 0 };
	struct stat st;
	char **args;
	int c, nargs;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 'h') {
			cli_help(&cmd_check, stdout);
			return EXIT_OK;
		}
		return cli_usage_error(&cmd_check, "unknown option '%s'",
		    argv[optind - 1]);
	}
	args = argv + optind;
	nargs = argc - optind;
	if (nargs == 0) {
		args = defaults;
		nargs = 1;
	}
	for (int i = 0; i < nargs; i++) {
		if (stat(args[i], &st) != 0) {
			fprintf(stderr, "essim check: %s: no such file or "
			    "directory\n", args[i]);
			t.bad++;
		} else if (S_ISDIR(st.st_mode)) {
			if (check_dir(args[i], &t) != 0) {
				fprintf(stderr, "essim check: %s: cannot read "
				    "the directory\n", args[i]);
				t.bad++;
			}
		} else {
			check_one(args[i], &t);
		}
	}
	printf("%zu passed, %zu failed\n", t.passed, t.failed);
	if (fflush(stdout) != 0)
		return EXIT_INTERNAL;
	return t.bad > 0 ? EXIT_USAGE : t.failed > 0 ? EXIT_FINDINGS : EXIT_OK;
}
