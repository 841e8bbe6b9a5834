/*
 * lockdep.h - potential cycles: lockdep for ES, from the simulator's
 * probes.
 *
 * Dependencies are recorded between classes, not instances (Linux's
 * lockdep, STYLE §7): a serial queue, a lock, a daemon service's reply, a
 * client's answer to a type of AUTH message.  Whenever a thread that
 * holds (or owes) some of them starts to wait, an edge goes from each to
 * what it waits for:
 *
 *   acme delivery queue  -> syspolicyd.assess      (its handler calls it)
 *   syspolicyd.assess    -> acme's answer to AUTH_OPEN (the service opens a
 *                                                   file acme subscribes to)
 *   acme's answer to AUTH_OPEN -> acme delivery queue (the message waits
 *                                                   for the queue: serial)
 *   queue A -> queue B   (a block on A syncs onto B)
 *   lock A -> lock B     (B taken while A is held)
 *
 * with the first time and place each edge was seen and how often.  Every
 * cycle of that graph (sim/analysis/depgraph) is a POTENTIAL CYCLE
 * finding, written as a scenario a person can replay, even when the
 * timing of this run never closed it.
 *
 * Cost: O(held classes) per wait, one hash lookup per AUTH message; the
 * graph is as large as the model's classes.  Cycles are searched once,
 * by lk_finish().
 */
#ifndef ESSIM_ANALYSIS_LOCKDEP_H
#define ESSIM_ANALYSIS_LOCKDEP_H

#include <stddef.h>

#include "analysis/depgraph.h"
#include "analysis/findings.h"
#include "es/probe.h"
#include "model/model.h"

struct lk;
struct an_thread;

/*
 * For a world of model m, naming things through bus (both must outlive
 * it).  Probes reach it through the parts below, one per kind or group
 * of kinds, called by the analyses' listener of that kind
 * (analysis/analyses.c) with the acting thread's shared record or NULL,
 * and for a CALL the service called: WAIT; CALL; LOCK and QUEUE_ACQUIRE
 * (t not NULL); MSG_ENQUEUE; MSG_HANDLER_START; MSG_HANDLER_END and
 * MSG_RESPOND; REQUEST_START; REPLY.
 */
struct lk	*lk_new(const struct model *m, const struct probe_bus *bus);
void		 lk_free(struct lk *l);
void	lk_wait(struct lk *l, const struct probe_ev *ev, struct an_thread *t);
void	lk_call(struct lk *l, const struct probe_ev *ev, struct an_thread *t,
	    const struct m_service *svc);
void	lk_take(struct lk *l, const struct probe_ev *ev, struct an_thread *t);
void	lk_enqueue(struct lk *l, const struct probe_ev *ev);
void	lk_handler_start(struct lk *l, const struct probe_ev *ev,
	    struct an_thread *t);
void	lk_answered(struct lk *l, const struct probe_ev *ev,
	    struct an_thread *t);
void	lk_request_start(struct lk *l, const struct probe_ev *ev,
	    struct an_thread *t, const struct m_service *svc);
void	lk_reply(struct lk *l, const struct probe_ev *ev);
/*
 * Whether some client's delivery queue is concurrent: only then do
 * handlers owe answers here (MSG_HANDLER_START/END and MSG_RESPOND matter).
 */
int	lk_concurrent(const struct lk *l);
/*
 * Whether a serial queue can be taken by a thread that already holds
 * something, other than by a "sync" (m->has_sync): only then, or with a
 * sync, does lk_take() want QUEUE_ACQUIRE.
 */
int	lk_nested_takes(const struct lk *l);
/* The probe kinds its parts want. */
uint64_t	 lk_mask(void);

/*
 * Search the class graph for cycles (at most max_cycles; 0: the
 * depgraph default) and append one POTENTIAL CYCLE finding per cycle to
 * out.  Call once, after the run.  Returns the number of cycles.
 */
size_t		 lk_finish(struct lk *l, size_t max_cycles, struct fd_list *out);

/* The class graph (for tests and reports). */
const struct dg	*lk_graph(const struct lk *l);
/* Whether the cycle search of lk_finish() stopped at its cap. */
int		 lk_truncated(const struct lk *l);

#endif /* ESSIM_ANALYSIS_LOCKDEP_H */
