/*
 * main.c - essim's entry point: global options and dispatch.
 *
 *     essim [--version] [--help] COMMAND [ARGS...]
 *     essim help [COMMAND]
 *
 * Each command parses its own arguments (cli.h).  Nothing here knows what
 * a command does; adding one is a new cmd-NAME.c and a table entry.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cli/cli.h"

static void
print_overview(FILE *f)
{
	fprintf(f,
	    "usage: essim [--version] [--help] COMMAND [ARGS...]\n"
	    "\n"
	    "essim simulates Apple Endpoint Security clients, the daemons they\n"
	    "call and the GCD pools they run on, in virtual time, and finds\n"
	    "deadlocks, thread explosions and AUTH deadline overruns.\n"
	    "\n"
	    "commands:\n");
	for (size_t i = 0; cli_commands[i] != NULL; i++)
		fprintf(f, "   %-8s %s\n", cli_commands[i]->name,
		    cli_commands[i]->summary);
	fprintf(f, "\n'essim help COMMAND' tells more about one command.\n"
	    "exit status: 0 ok, 1 expectations failed or findings, "
	    "2 bad input or usage, 3 internal error\n");
}

static int
help_command(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		print_overview(stdout);
		return EXIT_OK;
	}
	if (argc > 2) {
		fprintf(stderr, "essim help: one command at a time\n");
		return EXIT_USAGE;
	}
	if ((c = cli_find(argv[1])) == NULL) {
		fprintf(stderr, "essim help: no such command '%s'; "
		    "'essim --help' lists them\n", argv[1]);
		return EXIT_USAGE;
	}
	cli_help(c, stdout);
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	const struct cmd *c;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			print_overview(stdout);
			return EXIT_OK;
		}
		if (strcmp(argv[i], "--version") == 0 ||
		    strcmp(argv[i], "-V") == 0) {
			printf("essim %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		}
		fprintf(stderr, "essim: unknown option '%s'\n", argv[i]);
		print_overview(stderr);
		return EXIT_USAGE;
	}
	if (i >= argc) {
		print_overview(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0)
		return help_command(argc - i, argv + i);
	if ((c = cli_find(argv[i])) == NULL) {
		fprintf(stderr, "essim: '%s' is not a command; "
		    "'essim --help' lists them\n", argv[i]);
		return EXIT_USAGE;
	}
	return c->exec(argc - i, argv + i);
}
