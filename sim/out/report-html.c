/*
 * report-html.c - the page, the data files and gnuplot, for `essim
 * report`.
 *
 * The page is plain static HTML with its CSS in the template
 * (reports/report.html): no script, no external resource, so a report
 * folder can be copied, mailed or served as it is.  The body is built in
 * memory (open_memstream) and poured into the template at the end.
 *
 * gnuplot is run as a child process (fork and execv: no shell, so no
 * quoting of paths) in the report folder, reading two scripts: the
 * variables essim computed, then the template.  Everything it needs is
 * relative to that folder, so a report can be redrawn by hand with the
 * same two files (docs/sweeps.md says how).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "core/units.h"
#include "core/xalloc.h"
#include "out/report-html.h"

static void
fail_sys(struct rctx *c, const char *what)
{
	if (c->rc == 0)
		c->rc = -2;
	err_set(&c->e, "%s: %s", what, strerror(errno));
}

void
rhtml_text(struct rctx *c, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", c->body);
			break;
		case '<':
			fputs("&lt;", c->body);
			break;
		case '>':
			fputs("&gt;", c->body);
			break;
		case '"':
			fputs("&quot;", c->body);
			break;
		default:
			fputc(*s, c->body);
		}
	}
}

void
rhtml_raw(struct rctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(c->body, fmt, ap);
	va_end(ap);
}

FILE *
rhtml_data(struct rctx *c, const char *name)
{
	char *p = xasprintf("%s/data/%s", c->dir, name);
	FILE *f = fopen(p, "w");

	if (f == NULL)
		fail_sys(c, p);
	free(p);
	return f;
}

int
rhtml_data_close(struct rctx *c, FILE *f, const char *name)
{
	if (ferror(f) | (fclose(f) != 0)) {
		fail_sys(c, name);
		return -1;
	}
	return 0;
}

char *
rhtml_gpstr(const char *s)
{
	size_t n = 3;
	char *out, *o;

	for (const char *p = s; *p != '\0'; p++)
		n += *p == '\'' ? 2 : 1;
	o = out = xmalloc(n);
	*o++ = '\'';
	for (; *s != '\0'; s++) {
		if (*s == '\n')
			continue;
		if (*s == '\'')
			*o++ = '\'';
		*o++ = *s;
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

const char *
rhtml_dur(int64_t ns, char *buf, size_t n)
{
	char tmp[UNITS_DURATION_MAX];

	if (ns >= INT64_C(1000000000) && ns < INT64_C(3600000000000)) {
		snprintf(buf, n, "%.3fs", (double)ns / 1e9);
		return buf;
	}
	if (ns >= 1000000000 || ns < 1000)
		return units_format_duration(ns, buf, n);
	/* Below a second, three significant digits are plenty to read. */
	snprintf(tmp, sizeof(tmp), "%.3g%s", ns >= 1000000 ? ns / 1e6 :
	    ns / 1e3, ns >= 1000000 ? "ms" : "us");
	snprintf(buf, n, "%s", tmp);
	return buf;
}

/* Run gnuplot in c->dir on data/NAME.vars.gp and TEMPLATE; 0 if exit 0. */
static int
run_gnuplot(struct rctx *c, const char *tmpl, const char *name)
{
	char *vars = xasprintf("data/%s.vars.gp", name);
	char *gp = xasprintf("%s/%s.gp", c->templates, tmpl);
	char *log = xasprintf("data/%s.log", name);
	char *argv[5];
	pid_t pid;
	int st = 0;

	argv[0] = (char *)c->gnuplot;
	argv[1] = vars;
	argv[2] = gp;
	argv[3] = NULL;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		int fd;

		if (chdir(c->dir) != 0)
			_exit(126);
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		fail_sys(c, "fork");
	else
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	free(vars);
	free(gp);
	free(log);
	return pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int
rhtml_plot(struct rctx *c, const char *tmpl, const char *name,
    const char *vars, const char *caption)
{
	char *vname = xasprintf("%s.vars.gp", name);
	FILE *f = rhtml_data(c, vname);
	int rc = 0;

	if (f == NULL) {
		free(vname);
		return -1;
	}
	fprintf(f, "# %s: variables for reports/%s.gp, written by essim "
	    "report\n# redraw: cd REPORT && gnuplot data/%s "
	    "TEMPLATES/%s.gp\n%s", name, tmpl, vname, tmpl, vars);
	rhtml_data_close(c, f, vname);
	free(vname);
	c->nplots++;
	if (c->gnuplot != NULL && c->gnuplot[0] != '\0' &&
	    (rc = run_gnuplot(c, tmpl, name)) != 0) {
		c->nfailed++;
		if (c->first_failure == NULL)
			c->first_failure = xasprintf("%s (see %s/data/%s.log)",
			    name, c->dir, name);
	}
	rhtml_raw(c, "<figure><a href=\"%s.svg\"><img src=\"%s.png\" "
	    "alt=\"", name, name);
	rhtml_text(c, caption);
	rhtml_raw(c, "\"></a><figcaption>");
	rhtml_text(c, caption);
	rhtml_raw(c, " <a href=\"%s.svg\">SVG</a> · <a href=\"%s.png\">PNG"
	    "</a> · <a href=\"data/\">data</a></figcaption></figure>\n", name,
	    name);
	return rc;
}

/* Read a whole file; NULL with errno set. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, alloc = 0, k;

	if (f == NULL)
		return NULL;
	do {
		XGROW(buf, n + 4096, alloc);
		k = fread(buf + n, 1, alloc - n - 1, f);
		n += k;
	} while (k > 0);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Write tmpl to f with @TITLE@ and @BODY@ replaced. */
static void
fill(struct rctx *c, FILE *f, const char *tmpl, const char *title)
{
	const char *p = tmpl, *at;

	while ((at = strchr(p, '@')) != NULL) {
		fwrite(p, 1, (size_t)(at - p), f);
		if (strncmp(at, "@TITLE@", 7) == 0) {
			FILE *save = c->body;

			c->body = f;
			rhtml_text(c, title);
			c->body = save;
			p = at + 7;
		} else if (strncmp(at, "@BODY@", 6) == 0) {
			fwrite(c->bodybuf, 1, c->bodylen, f);
			p = at + 6;
		} else {
			fputc('@', f);
			p = at + 1;
		}
	}
	fputs(p, f);
}

int
rhtml_finish(struct rctx *c, const char *title)
{
	char *tp = xasprintf("%s/report.html", c->templates);
	char *out = xasprintf("%s/index.html", c->dir);
	char *tmpl = slurp(tp);
	FILE *f;

	fflush(c->body);
	if (tmpl == NULL) {
		fail_sys(c, tp);
	} else if ((f = fopen(out, "w")) == NULL) {
		fail_sys(c, out);
	} else {
		fill(c, f, tmpl, title);
		if (ferror(f) | (fclose(f) != 0))
			fail_sys(c, out);
	}
	free(tmpl);
	free(tp);
	free(out);
	return c->rc == 0 ? 0 : -1;
}

static void
add_order(struct rorder **o, size_t *n, const char *a, const char *b)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*o)[i].a, a) == 0 && strcmp((*o)[i].b, b) == 0)
			return;
	*o = xreallocarray(*o, *n + 1, sizeof(**o));
	(*o)[*n].a = xstrdup(a);
	(*o)[*n].b = xstrdup(b);
	(*n)++;
}

/* One {"before": [A, B], ...} of an expect block, if well formed. */
static void
add_expect_order(struct rorder **o, size_t *n, const json_t *item)
{
	const json_t *before = json_object_get(item, "before");
	const char *a = json_string_value(json_array_get(before, 0));
	const char *b = json_string_value(json_array_get(before, 1));

	if (json_array_size(before) == 2 && a != NULL && b != NULL)
		add_order(o, n, a, b);
}

struct rorder *
rhtml_orders(const struct rctx *c, const char *model_text, size_t *n)
{
	struct rorder *o = NULL;
	json_t *doc, *order, *item;
	size_t i;

	*n = 0;
	if (c->norders > 0) {
		for (i = 0; i < c->norders; i++)
			add_order(&o, n, c->orders[2 * i],
			    c->orders[2 * i + 1]);
		return o;
	}
	if (model_text == NULL ||
	    (doc = json_loads(model_text, 0, NULL)) == NULL)
		return NULL;
	order = json_object_get(json_object_get(doc, "expect"), "order");
	if (json_is_object(order))
		add_expect_order(&o, n, order);
	json_array_foreach(order, i, item)
		add_expect_order(&o, n, item);
	json_decref(doc);
	return o;
}

void
rhtml_orders_free(struct rorder *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(o[i].a);
		free(o[i].b);
	}
	free(o);
}
