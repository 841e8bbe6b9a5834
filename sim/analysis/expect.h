/*
 * expect.h - a model's expectations (its `expect` block) and their check
 * against runs: what `essim check` does for one model.
 *
 * The language (docs/model-format.md, "expect"): each key names a
 * measure, each value a comparison.
 *
 *   "deadlocks": ">=1"                  deadlock instances in the run
 *   "potential_cycles": 0               class cycles (lockdep)
 *   "static_cycles": 0                  lint's static cycles
 *   "thread_explosions": "==1"          processes past the threshold;
 *                                       or {"PROC": CMP}: times PROC got there
 *   "kills": ">=1" | {"CLIENT": CMP}    ES kills (sum, or per client)
 *   "misses", "restarts"                the same, for deadline misses and
 *                                       restarts
 *   "peak_threads": {"PROC": "<=64"}    pool threads at peak (a bare CMP:
 *                                       the largest over processes)
 *   "latency.TYPE.STAT": "<50ms"        syscall latency of an event type
 *   "response.CLIENT.STAT": "<1s"       a client's response times
 *   "queue_wait.CLIENT.STAT": "<1ms"    its delivery-queue waits
 *   "headroom.CLIENT[.TYPE]": ">10s"    smallest headroom to the deadline
 *   "order": {"before": ["A", "B"], "probability": ">=0.99", "seeds": 200}
 *                                       flag A first set before flag B (or B
 *                                       never), in that fraction of seeds
 *   "probability": {"of": "deadlocks>=1", "seeds": 100,
 *                   "expect": "0.3..0.7"}
 *                                       the fraction of seeds in which a
 *                                       comparison holds
 *
 * STAT is p50, p90, p99, p99.9 (any pN), min or max.  A comparison CMP is
 * "OP VALUE" with OP one of == != < <= > >= (none: ==), or a bare JSON
 * number; durations need units ("50ms"); probabilities are numbers in
 * [0, 1] or a range "LO..HI".  "order" and "probability" may also be
 * lists of such objects.  Seeds run from the model's seed up.
 */
#ifndef ESSIM_ANALYSIS_EXPECT_H
#define ESSIM_ANALYSIS_EXPECT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/analyses.h"
#include "core/err.h"
#include "model/model.h"

struct ex_set;

/*
 * Parse and validate m's expect block.  Returns the set (empty when the
 * model has none), or NULL with every problem appended to d as "FILE:
 * /expect/...: message".
 */
struct ex_set	*ex_parse(const struct model *m, struct diag *d);
void		 ex_free(struct ex_set *s);
size_t		 ex_count(const struct ex_set *s);

/* One expectation's outcome. */
struct ex_result {
	int		 pass;
	char		*label;		/* "deadlocks >=1" */
	char		*measured;	/* "1", "12.5ms", "0.42 over 100 seeds" */
};

/*
 * Check every expectation of s against runs of m: one with the model's
 * seed for the plain ones, and the seeds that "order" and "probability"
 * ask for (the first of them is the same run).  o configures the
 * analyses (may be NULL).  Results are in the order of the block; *nres
 * gets their number.  The array and its strings are the caller's
 * (ex_results_free).  NULL with e set when a run hit one of the model's
 * limits (an_run()).
 */
struct ex_result *ex_check(const struct ex_set *s, const struct model *m,
		    const struct an_opts *o, size_t *nres, struct err *e);
void		 ex_results_free(struct ex_result *r, size_t n);

/*
 * Check only the expectations that need a single run, against a (the
 * run with the model's seed); the others are skipped.  For `essim run`.
 */
struct ex_result *ex_check_run(const struct ex_set *s, struct an *a,
		    size_t *nres);

#endif /* ESSIM_ANALYSIS_EXPECT_H */
