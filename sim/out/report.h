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
 * another schema version, no runs, no such run or axis), -2 when the
 * folder or a file cannot be written.
 */
int	report_write(const struct report_opts *o, struct report_result *r,
	    struct err *e);

#endif /* ESSIM_OUT_REPORT_H */
