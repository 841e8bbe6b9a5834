/*
 * results-log.h - the full probe log of a run, one row of the events
 * table per probe (`essim run -o FILE --events`).
 *
 * Every probe the world emits is written as it happens, with the names
 * of its thread and object resolved then (probe_name(): the objects are
 * alive only during the callback).  Rows go through the database's
 * batched transactions; nothing is held in memory.  The cost is one
 * SQLite insert and two names per probe: several times the cost of the
 * simulation itself, which is why it is optional.
 */
#ifndef ESSIM_OUT_RESULTS_LOG_H
#define ESSIM_OUT_RESULTS_LOG_H

#include "es/probe.h"
#include "model/model.h"
#include "out/results.h"

struct res_log;

/* Listen on bus (every kind) for run r of a world of model m; all three
 * must outlive the log. */
struct res_log	*res_log_new(struct res_run *r, const struct model *m,
		    struct probe_bus *bus);
void		 res_log_free(struct res_log *l);

/* "thread", "msg", ... for a probe object kind; NULL for none. */
const char	*res_obj_kind_name(enum probe_obj k);

#endif /* ESSIM_OUT_RESULTS_LOG_H */
