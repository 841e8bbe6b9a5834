/*
 * report-sweep.h - the report of a sweep: capacity curves (syscall
 * latency p50 and p99, peak pool threads, kills, deadlocks) against one
 * swept parameter, one line per combination of the others, with the
 * spread over seeds as error bars; the share of runs in which each flag
 * order held (report-html.h) against the same parameter, with binomial
 * (Wilson) intervals; the grid, a table per point, and the findings
 * across the sweep.
 */
#ifndef ESSIM_OUT_REPORT_SWEEP_H
#define ESSIM_OUT_REPORT_SWEEP_H

#include "out/report-html.h"

/*
 * Write the body of the sweep report into c.  xptr names the axis to put
 * on the x axis (NULL: the one with the most values, the first on a tie).
 * *title is set to the page title (newly allocated).  Returns 0, or -1
 * with c's error set (not a sweep, no such axis: bad input).
 */
int	rsweep_write(struct rctx *c, const char *xptr, char **title);

#endif /* ESSIM_OUT_REPORT_SWEEP_H */
