/*
 * cmd-stub.c - commands that are not built yet.
 *
 * Each says so plainly and exits 3.  A command leaves this file for its
 * own cmd-NAME.c when it is written.
 */
#include <stdio.h>

#include "cli/cli.h"

static int
not_yet(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "essim %s: not yet implemented in this version\n",
	    argv[0]);
	return EXIT_INTERNAL;
}

#define STUB(var, nm, use, sum)	\
	const struct cmd var = { nm, use, sum, "", not_yet }

STUB(cmd_run, "run", "run [--seed N] [--duration T] [-o run.db] [--json] [MODEL]",
    "simulate a model and summarise what happened");
STUB(cmd_lint, "lint", "lint MODEL...",
    "validate models and find static cycles without simulating");
STUB(cmd_check, "check", "check [MODEL|DIR]...",
    "run models and verify their expect blocks");
STUB(cmd_import, "import", "import [--on-error=fail|skip] -o trace.db TRACE...",
    "import eslogger JSON into a SQLite trace store");
STUB(cmd_trace, "trace", "trace info trace.db",
    "describe a trace store");
STUB(cmd_synth, "synth", "synth SPEC -o FILE",
    "write a synthetic trace in eslogger's format");
STUB(cmd_sweep, "sweep", "sweep MODEL --vary PTR=VALUES... [--seeds N] [-j N] -o sweep.db",
    "run a model over a parameter grid and seeds");
STUB(cmd_merge, "merge", "merge OUT.db SHARD.db...",
    "join the databases of a sharded sweep");
STUB(cmd_report, "report", "report RUN_OR_SWEEP.db -o DIR",
    "draw plots and an HTML page from a run or sweep");
