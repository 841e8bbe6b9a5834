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

STUB(cmd_check, "check", "check [MODEL|DIR]...",
    "run models and verify their expect blocks");
STUB(cmd_sweep, "sweep", "sweep MODEL --vary PTR=VALUES... [--seeds N] [-j N] -o sweep.db",
    "run a model over a parameter grid and seeds");
STUB(cmd_merge, "merge", "merge OUT.db SHARD.db...",
    "join the databases of a sharded sweep");
STUB(cmd_report, "report", "report RUN_OR_SWEEP.db -o DIR",
    "draw plots and an HTML page from a run or sweep");
