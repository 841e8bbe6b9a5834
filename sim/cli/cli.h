/*
 * cli.h - the essim command table and what every subcommand shares.
 *
 * A subcommand is one file (cmd-NAME.c) defining one `const struct cmd`,
 * plus one entry in the table in cli.c (git's builtin/, tmux's cmd-*.c).
 * main() finds the entry and calls its exec with argv[0] = the command
 * name, so each command parses its own options with getopt_long.
 */
#ifndef ESSIM_CLI_CLI_H
#define ESSIM_CLI_CLI_H

#include <stdint.h>
#include <stdio.h>

/* Exit codes, DESIGN §7. */
enum {
	EXIT_OK = 0,		/* ran; every expectation held */
	EXIT_FINDINGS = 1,	/* expectations failed / lint found problems */
	EXIT_USAGE = 2,		/* bad input: model, trace, database, usage */
	EXIT_INTERNAL = 3	/* essim's own fault, or the system's */
};

struct cmd {
	const char	*name;
	const char	*usage;		/* after "essim ", man-page style */
	const char	*summary;	/* one line for "essim --help" */
	const char	*help;		/* the rest of "essim help NAME" */
	int		(*exec)(int argc, char **argv);
};

/* NULL-terminated table of every subcommand, in help order. */
extern const struct cmd *const cli_commands[];

const struct cmd *cli_find(const char *name);

/* "usage: essim USAGE" on f. */
void	cli_usage(const struct cmd *c, FILE *f);

/*
 * Report a usage error for command c ("essim run: MESSAGE" and the usage
 * line) on stderr; returns EXIT_USAGE.
 */
int	cli_usage_error(const struct cmd *c, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/*
 * The first readable DIR/rel (newly allocated), DIR taken in this order:
 * $ESSIM_DATADIR, the current directory (a source tree), the source tree
 * the binary was built from, the installed PKGDATADIR.  NULL if none.
 */
char	*cli_find_data(const char *rel);

/*
 * A decimal unsigned integer, strictly: digits only (no sign, space or
 * suffix), within uint64_t.  0, or -1 with *v unspecified.
 */
int	cli_parse_u64(const char *s, uint64_t *v);

/* Print full help for c on f. */
void	cli_help(const struct cmd *c, FILE *f);

extern const struct cmd cmd_run, cmd_lint, cmd_check, cmd_import, cmd_trace,
    cmd_synth, cmd_sweep, cmd_merge, cmd_report;

#endif /* ESSIM_CLI_CLI_H */
