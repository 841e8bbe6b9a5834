/*
 * lint-walk.h - the static linter's abstract interpreter: it follows
 * every program of a model, with the ES messages that can reach it, and
 * records who waits for what in a class dependency graph.  Used by
 * lint.c only; lint.c's essay states the rules.
 */
#ifndef ESSIM_ANALYSIS_LINT_WALK_H
#define ESSIM_ANALYSIS_LINT_WALK_H

#include "analysis/depgraph.h"
#include "analysis/lint-mute.h"
#include "analysis/lint.h"
#include "model/model.h"

/*
 * Build m's class dependency graph into g (new and empty): every
 * process program, client init, handler (for every subscribed type and
 * for the nested messages syscalls raise) and daemon service (for every
 * message context it is called with).  ds is the default mute set (NULL
 * for none).  Findings seen on the way go to r: sync_on_own_queue,
 * recursive_lock, lock_not_released, unlock_not_held, respond_on_notify,
 * respond_flags_not_open.
 */
void	lint_walk(const struct model *m, const struct lint_mute_set *ds,
	    struct dg *g, struct lint_result *r);

#endif /* ESSIM_ANALYSIS_LINT_WALK_H */
