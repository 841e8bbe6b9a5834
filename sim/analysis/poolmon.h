/*
 * poolmon.h - thread explosions: each process's workqueue pool over time.
 *
 * Per process: the pool's threads (workqueue threads alive, bound or
 * idle) as a time series of changes, its peak, the time spent at or above
 * a threshold (default: the model's constrained limit,
 * wq_constrained_max), how often it got there, and which queues' blocked
 * work caused it: each time the count reaches the threshold, every pool
 * thread that is blocked then is charged to the queue whose item it runs
 * (its innermost serial queue; else, in a handler, its client's delivery
 * queue; else "PROCESS concurrent queues", the probes not saying which
 * concurrent queue an item came from).  One THREAD_EXPLOSION finding per
 * process that reached the threshold.
 *
 * The series is bounded: past `max_points` changes it is halved, merging
 * neighbours into their maximum, and the minimum spacing doubles, so a
 * plot keeps every peak.  opts.interval > 0 samples at most one point per
 * interval from the start.
 */
#ifndef ESSIM_ANALYSIS_POOLMON_H
#define ESSIM_ANALYSIS_POOLMON_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/findings.h"
#include "es/probe.h"
#include "model/model.h"

struct pm;
struct an_thread;

struct pm_opts {
	int		 threshold;	/* <= 0: m->wq_constrained_max */
	int64_t		 interval;	/* series spacing; 0: every change */
	size_t		 max_points;	/* per process; 0: 4096 */
};

#define PM_OPTS_INIT	{ 0, 0, 0 }

struct pm_point {
	int64_t		 t;
	int		 threads;	/* the most at any time in the step */
};

/*
 * For a world of model m, naming through bus; o may be NULL.  Probes
 * reach it through pm_probe() from the analyses' listener, with the
 * acting thread's shared record (analysis/an-int.h) or NULL.
 */
struct pm	*pm_new(const struct model *m, const struct probe_bus *bus,
		    const struct pm_opts *o);
void		 pm_free(struct pm *p);
void		 pm_probe(struct pm *p, const struct probe_ev *ev,
		    struct an_thread *t);
/* The probe kinds pm_probe() wants. */
uint64_t	 pm_mask(void);

/*
 * Close the time above threshold at t_end and append one finding per
 * process that reached the threshold to out.  Call once, after the run.
 */
void		 pm_finish(struct pm *p, int64_t t_end, struct fd_list *out);

int		 pm_threshold(const struct pm *p);
int		 pm_peak(const struct pm *p, int proc);
int		 pm_now(const struct pm *p, int proc);
/* Virtual ns spent at or above the threshold; times it got there. */
int64_t		 pm_time_above(const struct pm *p, int proc);
uint64_t	 pm_crossings(const struct pm *p, int proc);
/* The series (valid until the next probe or pm_free). */
const struct pm_point *pm_series(const struct pm *p, int proc, size_t *n);
/* Processes that reached the threshold. */
size_t		 pm_explosions(const struct pm *p);

#endif /* ESSIM_ANALYSIS_POOLMON_H */
