/*
 * report-run.h - the report of one run: model summary, findings with
 * their chains, counters, and the plots (latency CDFs per client and per
 * event type, pool threads over time against the GCD limits, delivery
 * queue depth over time, with kills and deadlocks marked on the time
 * axis).
 */
#ifndef ESSIM_OUT_REPORT_RUN_H
#define ESSIM_OUT_REPORT_RUN_H

#include <stdint.h>

#include "out/report-html.h"

/*
 * Write the body of run run_id's report into c (data files, plots, HTML
 * body).  Returns 0, or -1 with c's error set (no such run: bad input).
 * *title is set to the page title (newly allocated).
 */
int	rrun_write(struct rctx *c, int64_t run_id, char **title);

/*
 * The model summary of a model text (JSON) as an HTML table into c: name,
 * about, duration, cores and GCD limits, clients, daemons, workload.
 * Also for sweeps (the model of their first run).
 */
void	rrun_model_summary(struct rctx *c, const char *model_text,
	    const char *model_file);

/*
 * The GCD limits of a model text: the constrained pool cap and the
 * absolute cap (from the loaded model; from machine.cores when the model
 * does not load here, e.g. a trace file is missing).
 */
void	rrun_caps(const char *model_text, const char *model_file, int *cap,
	    int *maxcap);

#endif /* ESSIM_OUT_REPORT_RUN_H */
