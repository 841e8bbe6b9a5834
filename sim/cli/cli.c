/*
 * cli.c - the command table, lookup and the help and usage printers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/essim-paths.h"
#include "core/xalloc.h"

const struct cmd *const cli_commands[] = {
	&cmd_run,
	&cmd_lint,
	&cmd_check,
	&cmd_import,
	&cmd_trace,
	&cmd_synth,
	&cmd_sweep,
	&cmd_merge,
	&cmd_report,
	NULL
};

const struct cmd *
cli_find(const char *name)
{
	for (size_t i = 0; cli_commands[i] != NULL; i++)
		if (strcmp(cli_commands[i]->name, name) == 0)
			return cli_commands[i];
	return NULL;
}

void
cli_usage(const struct cmd *c, FILE *f)
{
	fprintf(f, "usage: essim %s\n", c->usage);
}

int
cli_usage_error(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "essim %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_usage(c, stderr);
	return EXIT_USAGE;
}

void
cli_help(const struct cmd *c, FILE *f)
{
	cli_usage(c, f);
	fprintf(f, "\n%s\n", c->summary);
	if (c->help != NULL && c->help[0] != '\0')
		fprintf(f, "\n%s", c->help);
}

char *
cli_find_data(const char *rel)
{
	const char *env = getenv("ESSIM_DATADIR");
	const char *dirs[4];
	size_t n = 0;

	if (env != NULL && env[0] != '\0')
		dirs[n++] = env;
	dirs[n++] = ".";
	dirs[n++] = ESSIM_SRCDIR;
	dirs[n++] = ESSIM_DATADIR;
	for (size_t i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s", dirs[i], rel);

		if (access(p, R_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

int
cli_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}
