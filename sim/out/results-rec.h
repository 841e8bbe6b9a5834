/*
 * results-rec.h - record one simulated run into a results database: the
 * glue between a world (its probe bus), the run counters, the analyses
 * and sim/out/results.h.
 *
 *	struct res_run *r = res_run_begin(db, &info, &e);
 *	struct res_rec *rec = res_rec_attach(r, w, info.sample_ns,
 *	    info.event_log);
 *	world_run(w);
 *	rc = res_rec_finish(rec, stats, an, wall_s, &e);  (r is ended)
 *
 * While the world runs the recorder samples the gauges of
 * results-sample.h every sample_ns of virtual time and, with event_log,
 * writes every probe to the events table (results-log.h); it always
 * notes when each flag was first set, by whom, and how often.  All only
 * listen: attaching them changes no event order and no random draw, so
 * a run writes the same rows whatever it records.
 *
 * res_rec_finish() then writes the run counters (stats_*: client, process
 * and syscall tables, incidents), the flags, the analyses' findings with their
 * chains and their histograms (response times, delivery-queue waits,
 * deadline headroom, syscall latency), and ends the run as 'complete'.
 */
#ifndef ESSIM_OUT_RESULTS_REC_H
#define ESSIM_OUT_RESULTS_REC_H

#include <stdint.h>

#include "analysis/analyses.h"
#include "analysis/stats.h"
#include "core/err.h"
#include "es/world.h"
#include "out/results.h"

struct res_rec;

/* The default sample interval of a run of duration ns: duration / 1000,
 * at least 1 us. */
int64_t		 res_default_sample(int64_t duration);

/* Most samples per series a run may ask for (--sample too small). */
#define RES_MAX_SAMPLES	1000000

/*
 * Listen on w's bus for run r (both must outlive the recorder).
 * sample_ns 0: no time series.  Call before world_run().
 */
struct res_rec	*res_rec_attach(struct res_run *r, struct world *w,
		    int64_t sample_ns, int event_log);

/*
 * After the run: flush the series to the time the world reached, write
 * st (may be NULL) and an (may be NULL; its findings are completed), end
 * the run and free rec.  Returns 0 or a negative res_status with e set
 * (the run is then left 'incomplete').  Either way rec and its run are
 * gone.
 */
int		 res_rec_finish(struct res_rec *rec, const struct stats *st,
		    struct an *an, double wall_s, struct err *e);

/*
 * The run was interrupted (core/intr.h): write everything recorded up to
 * the time the world reached, exactly as res_rec_finish() would (series
 * flushed to that time, counters, findings, histograms so far), but
 * leave the run 'incomplete', with sim_ns saying where it stopped.  Same
 * returns; rec and its run are gone.
 */
int		 res_rec_stop(struct res_rec *rec, const struct stats *st,
		    struct an *an, double wall_s, struct err *e);

/* Give up: the run stays 'incomplete'; rec and its run are freed. */
void		 res_rec_abandon(struct res_rec *rec);

#endif /* ESSIM_OUT_RESULTS_REC_H */
