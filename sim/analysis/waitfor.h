/*
 * waitfor.h - actual deadlocks: the wait-for graph of the simulated world,
 * kept up to date from probes, and the cycles that close in it.
 *
 * Who waits for whom (DESIGN §5): a thread waits for the ES verdict of an
 * event, a daemon's reply, a lock's owner or a serial queue's drainer; a
 * verdict waits for every client whose message is unanswered (all of
 * them: any one stuck holds it); a message waits for its client's
 * delivery queue, which waits for the thread running the current handler,
 * or for the thread handling it, or, retained, for the client's pool
 * threads when the pool is at its cap; a request waits for the worker
 * serving it, or queued, for any of the daemon's busy workers (an "or":
 * stuck only when all of them are); a thread waiting for a flag waits
 * for any of the threads that may set it, when those are known from the
 * model (every "set" of the flag is in processes' main programs; a flag
 * also set by handlers, services or async blocks adds no edge).  A DEADLOCK finding is reported at
 * the instant a cycle of stuck waits closes, with the chain in words, and
 * how and when it ended ("broken at t=15.000s when the AUTH_OPEN deadline
 * killed acme", or "still closed at the end of the run").
 *
 * Each cycle instance is reported once; the same cycle forming again
 * later (after a restart) is a new instance, numbered within its class
 * (the cycle with instance numbers stripped from its names).
 *
 * Cost: a check runs only when a wait edge is added (a thread starts a
 * wait that has an owner, or a daemon worker or pool thread blocks while
 * requests or retained messages depend on them) and walks forward from
 * the new edge: the chain it starts, not the graph.  docs/findings.md
 * describes the finding.
 */
#ifndef ESSIM_ANALYSIS_WAITFOR_H
#define ESSIM_ANALYSIS_WAITFOR_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/findings.h"
#include "es/probe.h"
#include "model/model.h"

struct wf;
struct an_thread;

/*
 * A wait-for analysis of a world of model m; bus names things; findings
 * are appended to out.  m, bus and out must outlive it.  Probes reach it
 * through the parts below, one per kind or group of kinds, called by the
 * analyses' listener of that kind (analysis/analyses.c) with the acting
 * thread's shared record (analysis/an-int.h) or NULL, and for a CALL the
 * service called (NULL otherwise).
 */
struct wf	*wf_new(const struct model *m, const struct probe_bus *bus,
		    struct fd_list *out);
void		 wf_free(struct wf *w);
/* FLAG_SET, SYNC_CRASH, RUN_END. */
void		 wf_probe(struct wf *w, const struct probe_ev *ev);
/*
 * The other kinds' parts: THREAD_SPAWN/EXIT; WAIT and WAKE (t not NULL);
 * SYSCALL (t not NULL); MSG_ENQUEUE; MSG_HANDLER_START (the end of a
 * handler is asked of the world, waitfor.c); MSG_RETAIN/RESPOND/DROP and
 * DEADLINE_MISS; SYSCALL_DONE; CALL, REQUEST_START, REPLY; LOCK, UNLOCK,
 * QUEUE_ACQUIRE, QUEUE_RELEASE.
 */
void	wf_thread(struct wf *w, const struct probe_ev *ev, struct an_thread *t);
void	wf_wait(struct wf *w, const struct probe_ev *ev, struct an_thread *t);
void	wf_wake(struct wf *w, const struct probe_ev *ev, struct an_thread *t);
void	wf_syscall(struct wf *w, const struct probe_ev *ev,
	    struct an_thread *t);
void	wf_enqueue(struct wf *w, const struct probe_ev *ev);
void	wf_handler(struct wf *w, const struct probe_ev *ev,
	    struct an_thread *t);
void	wf_msg(struct wf *w, const struct probe_ev *ev);
void	wf_done(struct wf *w, const struct probe_ev *ev);
void	wf_req(struct wf *w, const struct probe_ev *ev, struct an_thread *t,
	    const struct m_service *svc);
void	wf_owner(struct wf *w, const struct probe_ev *ev, struct an_thread *t);
/* Whether wf_owner() wants queues (QUEUE_ACQUIRE/RELEASE): only when some
 * program has a "sync"; it always wants locks. */
int	wf_queue_owners(const struct wf *w);
/* The probe kinds it wants, all parts together. */
uint64_t	 wf_mask(void);
/*
 * Whether a thread of this role in process proc needs a record from its
 * birth (an-int.h): the main threads of processes that set a flag whose
 * setters are known, which flag waits may wait for.
 */
int		 wf_wants_record(const struct wf *w, int role, int proc);

/* Deadlock instances found, and distinct cycles (classes) among them. */
size_t		 wf_deadlocks(const struct wf *w);
size_t		 wf_classes(const struct wf *w);
/* Instances still closed now. */
size_t		 wf_open(const struct wf *w);

#endif /* ESSIM_ANALYSIS_WAITFOR_H */
