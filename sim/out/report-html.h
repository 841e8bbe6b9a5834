/*
 * report-html.h - what the parts of `essim report` share: the report
 * being written (database, output folder, gnuplot, the HTML body), the
 * gnuplot runner and the HTML helpers.
 *
 * A plot is a template in the templates folder (reports/NAME.gp) run by
 * gnuplot with the report folder as its working directory, after a small
 * script of variable assignments that essim writes (data/PLOT.vars.gp):
 * data files are read as data/NAME.dat, images written as PLOT.png and
 * PLOT.svg.  gnuplot's messages go to data/PLOT.log.  Without gnuplot the
 * data files, the variable scripts and the HTML are still written, and
 * the page says how to draw the plots.
 */
#ifndef ESSIM_OUT_REPORT_HTML_H
#define ESSIM_OUT_REPORT_HTML_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "core/err.h"

struct rctx {
	sqlite3		*db;
	const char	*dbname;	/* as given, for messages and the page */
	const char	*dir;		/* the report folder */
	const char	*templates;	/* folder of *.gp and report.html */
	const char	*gnuplot;	/* NULL or "": no plots */
	FILE		*body;		/* the page's body, being written */
	char		*bodybuf;
	size_t		 bodylen;
	size_t		 nplots;	/* plots asked for */
	size_t		 nfailed;	/* plots gnuplot failed on */
	char		*first_failure;	/* "threads: see data/threads.log" */
	int		 rc;		/* first error: -1 input, -2 system */
	struct err	 e;
	const char *const *orders;	/* --order: pairs A0, B0, A1, B1, ... */
	size_t		 norders;	/* pairs */
};

/* A flag order a report shows: was flag a first set before flag b? */
struct rorder {
	char	*a;
	char	*b;
};

/*
 * The flag orders of a report: those asked for (c->orders), or else the
 * `order` expectations of the expect block of model_text (a model's
 * JSON), in their order, each pair once.  Returns the array (free with
 * rhtml_orders_free()) and sets *n; none: NULL and 0.
 */
struct rorder	*rhtml_orders(const struct rctx *c, const char *model_text,
		    size_t *n);
void		 rhtml_orders_free(struct rorder *o, size_t n);

/* Append text with &, <, >, " escaped. */
void	rhtml_text(struct rctx *c, const char *s);
/* Append raw HTML, printf-style. */
void	rhtml_raw(struct rctx *c, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/*
 * Open DIR/data/NAME for writing (the folder exists).  NULL, with c's
 * error set, when it cannot be created.
 */
FILE	*rhtml_data(struct rctx *c, const char *name);
/* Close a data file; a write error sets c's error.  Returns 0 or -1. */
int	 rhtml_data_close(struct rctx *c, FILE *f, const char *name);

/*
 * Draw plot name with template tmpl (reports/TMPL.gp): vars are gnuplot
 * statements ("n = 3\ntitle = 'x'\n") run first.  Adds the figure (PNG
 * linked to SVG) and caption to the page.  Returns 0 when drawn (or when
 * there is no gnuplot), -1 when gnuplot failed.
 */
int	 rhtml_plot(struct rctx *c, const char *tmpl, const char *name,
	    const char *vars, const char *caption);

/* s as a gnuplot single-quoted string literal (newly allocated). */
char	*rhtml_gpstr(const char *s);

/* A duration in ns as a short text ("2.5ms", "15s"), into buf. */
const char *rhtml_dur(int64_t ns, char *buf, size_t n);

/*
 * Write DIR/index.html: the template reports/report.html with @TITLE@
 * and @BODY@ replaced.  Returns 0 or -1 (c's error set).
 */
int	 rhtml_finish(struct rctx *c, const char *title);

#endif /* ESSIM_OUT_REPORT_HTML_H */
