/*
 * results-sample.h - time series of a run's gauges, sampled at a fixed
 * interval of virtual time into the results database (series, samples).
 *
 * Gauges (docs/results-schema.md, "Metrics"): per process, workqueue
 * threads (pool_threads) and all threads (threads); per client, its
 * delivery-queue depth (queue_depth) and its unsettled AUTH messages
 * (auth_inflight); and threads blocked in a syscall (syscalls_blocked).
 *
 * The sampler is a probe listener: it keeps the gauges current, O(1) per
 * probe, and writes the samples lazily, when the first probe after a
 * sample time arrives (or at the end), O(gauges) per sample time.  It
 * schedules nothing on the world's loop, so sampling changes neither the
 * order of events nor any random draw: a run writes the same rows with
 * any interval.  Memory: the gauges, plus one entry per thread blocked in
 * a syscall.
 */
#ifndef ESSIM_OUT_RESULTS_SAMPLE_H
#define ESSIM_OUT_RESULTS_SAMPLE_H

#include <stdint.h>

#include "es/probe.h"
#include "model/model.h"
#include "out/results.h"

struct res_sampler;

/*
 * Create the series of run r (a world of model m) and listen on bus;
 * interval > 0 ns.  r, m and bus must outlive the sampler.
 */
struct res_sampler *res_sampler_new(struct res_run *r, const struct model *m,
		    struct probe_bus *bus, int64_t interval);

/* Write the samples due at times <= t_end (the time the run reached). */
void		 res_sampler_finish(struct res_sampler *s, int64_t t_end);

void		 res_sampler_free(struct res_sampler *s);

/* The current value of gauge metric ("threads", ...) of entity id (a
 * process or client model id; ignored for syscalls_blocked), for tests.
 * -1 for an unknown metric. */
int64_t		 res_sampler_gauge(const struct res_sampler *s,
		    const char *metric, int id);

#endif /* ESSIM_OUT_RESULTS_SAMPLE_H */
