/*
 * cmd-merge.c - essim merge: join the shard databases of a sweep.
 *
 *     essim merge [--force] OUT.db SHARD.db...
 *
 * The shards must come from the same sweep (same model, grid, seeds and
 * options), each complete, none twice (sweep-merge.h).  Merging a subset
 * is allowed, and says which shards are still missing; the result can be
 * merged again with the rest.  When every shard is in, OUT.db holds the
 * same rows as the sweep run in one piece.  Exit: 0 merged, 2 bad
 * input (not shards of one sweep, overlap, incomplete shard, OUT exists),
 * 3 SQLite or the system failed.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/err.h"
#include "out/sweep-merge.h"

static int exec_merge(int argc, char **argv);

const struct cmd cmd_merge = {
	"merge",
	"merge [--force] OUT.db SHARD.db...",
	"join the databases of a sharded sweep",
	"Joins the databases written by 'essim sweep --shard K/N' into\n"
	"OUT.db, checking that they are shards of the same sweep, that none\n"
	"overlaps another and that each is complete.\n"
	"\n"
	"  -f, --force          replace OUT.db if it is an essim database\n",
	exec_merge
};

static int
exec_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct err e = ERR_INIT;
	size_t seen = 0, total = 0;
	int c, force = 0, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = 1;
			break;
		case 'h':
			cli_help(&cmd_merge, stdout);
			return EXIT_OK;
		default:
			return cli_usage_error(&cmd_merge, "unknown option "
			    "'%s'", argv[optind - 1]);
		}
	}
	if (argc - optind < 2)
		return cli_usage_error(&cmd_merge, "wants OUT.db and at least "
		    "one shard");
	rc = smerge_shards(argv[optind], (const char *const *)argv + optind +
	    1, (size_t)(argc - optind - 1), force, &seen, &total, &e);
	if (rc != 0) {
		err_print(&e, "essim merge", stderr);
		return rc == -1 ? EXIT_USAGE : EXIT_INTERNAL;
	}
	printf("%s: %zu of %zu shards\n", argv[optind], seen, total);
	if (seen < total)
		fprintf(stderr, "essim merge: %s holds %zu of the %zu shards; "
		    "merge it with the others when they are done\n",
		    argv[optind], seen, total);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
}
