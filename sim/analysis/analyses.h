/*
 * analyses.h - every always-on analysis of a run, attached with one call.
 *
 *     struct an *an = an_attach(world_bus(w), model, NULL);
 *     world_run(w);
 *     an_print(an, stdout);              (or an_json(an), an_findings(an))
 *     an_free(an);
 *
 * Attached: the wait-for graph (deadlocks, analysis/waitfor.h), the
 * class dependency graph (potential cycles, analysis/lockdep.h), the pool
 * monitor (thread explosions, analysis/poolmon.h), deadlines and
 * latencies (analysis/deadline.h), and the first time each flag was set
 * (for `order` expectations).  Their findings go to one list
 * (analysis/findings.h), completed when the run ends: potential cycles,
 * explosions and overruns are decided then.
 *
 * an_run() is the whole thing for one seed, for `essim check`.
 */
#ifndef ESSIM_ANALYSIS_ANALYSES_H
#define ESSIM_ANALYSIS_ANALYSES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "analysis/deadline.h"
#include "analysis/findings.h"
#include "analysis/lockdep.h"
#include "analysis/poolmon.h"
#include "analysis/waitfor.h"
#include "es/probe.h"
#include "es/world.h"
#include "model/model.h"

struct an;

struct stats;

struct an_opts {
	struct pm_opts	 pool;		/* thread explosion threshold, series */
	size_t		 max_cycles;	/* potential cycles; 0: 1000 */
	/*
	 * The run counters (analysis/stats.h) already listening on the same
	 * bus, whose histograms the deadline analysis shares; it must outlive
	 * the analyses.  NULL: an_attach() makes its own.
	 */
	const struct stats *stats;
};

#define AN_OPTS_INIT	{ PM_OPTS_INIT, 0, NULL }

/* Attach every analysis to bus (a world of model m); o may be NULL. */
struct an	*an_attach(struct probe_bus *bus, const struct model *m,
		    const struct an_opts *o);
void		 an_free(struct an *a);

/*
 * The findings, sorted (analysis/findings.h).  The first call after the
 * run completes them (at the end time the run reached, or at the time of
 * the last probe seen if the run was stopped early); later calls return
 * the same list.
 */
const struct fd_list *an_findings(struct an *a);

/* Findings of kind k (completes them first). */
size_t		 an_count(struct an *a, enum fd_kind k);

/* "findings:" and the tables of deadline.h, for `essim run`. */
void		 an_print(struct an *a, FILE *f);
/* {"findings": [...], "deadlines": {...}, "pools": {PROC: {"peak",
 * "threshold", "time_above", "crossings"}}}.  New reference. */
json_t		*an_json(struct an *a);

/* The parts, for tests and expectations. */
const struct wf	*an_waitfor(const struct an *a);
const struct lk	*an_lockdep(const struct an *a);
const struct pm	*an_poolmon(const struct an *a);
const struct dl	*an_deadline(const struct an *a);
/* When flag id was first set, -1 never. */
int64_t		 an_flag_first(const struct an *a, int flag);

/*
 * Run model m once with seed (world_opts defaults otherwise) with every
 * analysis attached; the result is complete.  NULL with e set when one
 * of the model's limits stopped the run (world_error()): a partial run
 * must not pass for a whole one.
 */
struct an	*an_run(const struct model *m, uint64_t seed,
		    const struct an_opts *o, struct err *e);

#endif /* ESSIM_ANALYSIS_ANALYSES_H */
