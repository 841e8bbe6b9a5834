/*
 * report.h - `essim report`: a folder of gnuplot plots (PNG and SVG),
 * their data files and an index.html, from a run or a sweep database.
 *
 *	DIR/index.html          the page: model, findings, plots, tables
 *	DIR/NAME.png, NAME.svg  the plots
 *	DIR/data/NAME.dat       what each plot draws (gnuplot data blocks)
 *	DIR/data/NAME.vars.gp   the variables essim set for its template
 *	DIR/data/NAME.log       what gnuplot said
 *
 * A database with a sweep table gets the sweep report (report-sweep.h)
 * unless one run is asked for; one with a single run, that run's report
 * (report-run.h).  The plots come from the templates folder
 * (reports/NAME.gp), the page from reports/report.html.
 *
 * Flag orders ("was A first set before B?", the `order` expectations of
 * docs/model-format.md) are read from the flags table: a run's page says
 * which flag won, a sweep's draws P(A before B) against the swept
 * parameter.  The orders are those of the model's expect block unless
 * opts.orders names others.
 */
#ifndef ESSIM_OUT_REPORT_H
#define ESSIM_OUT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct report_opts {
	const char	*db;		/* results database */
	const char	*dir;		/* report folder (created if needed) */
	const char	*templates;	/* folder of *.gp and report.html */
	const char	*gnuplot;	/* NULL or "": write no images */
	int64_t		 run_id;	/* > 0: that run's report */
	const char	*xptr;		/* sweep: the axis on x; NULL: auto */
	const char *const *orders;	/* flag orders to show, as pairs
					   A0, B0, A1, B1, ...; none: the
					   model's expect.order */
	size_t		 norders;	/* pairs */
};

struct report_result {
	int		 sweep;		/* a sweep report was written */
	size_t		 nplots;	/* plots on the page */
	size_t		 nfailed;	/* plots gnuplot failed to draw */
	char		 failed[ERR_TEXT_MAX];	/* the first, and its log */
};

/*
 * Write the report.  Returns 0 (check r->nfailed: gnuplot may have
 * failed), -1 with e set for bad input (not an essim results database,
 * another schema version, no runs, no such run or axis, an order naming
 * a flag no run has), -2 when the folder or a file cannot be written.
 */
int	report_write(const struct report_opts *o, struct report_result *r,
	    struct err *e);

#endif /* ESSIM_OUT_REPORT_H */
