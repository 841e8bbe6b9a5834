/*
 * world.h - the simulated world: processes and their threads, the ES
 * kernel and its clients, daemons, GCD pools and the synthetic workload,
 * built from a loaded model and run in virtual time on one event loop.
 *
 * Usage:
 *
 *	struct world *w = world_new(model, &opts);
 *	probe_listen(world_bus(w), mask, my_listener, me);
 *	world_run(w);			(to the model's duration)
 *	... read counters, listeners' results ...
 *	world_free(w);
 *
 * What is modelled, and how, is documented in docs/simulation.md; each
 * file of sim/es and sim/gcd opens with the facts it relies on.  Everything
 * observable is emitted on the probe bus (es/probe.h): the world keeps only
 * the state it needs to run, not statistics.
 *
 * Determinism: the same model, seed and duration give the same sequence
 * of probes on every machine.  Memory is bounded by what is in flight
 * (threads, messages, requests), not by the duration.
 */
#ifndef ESSIM_ES_WORLD_H
#define ESSIM_ES_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "es/probe.h"
#include "model/model.h"

struct world;

struct world_opts {
	int		 has_seed;	/* else the model's seed */
	uint64_t	 seed;
	int64_t		 duration;	/* ns; <= 0: the model's */
	size_t		 max_events;	/* pending event cap; 0: none */
};

#define WORLD_OPTS_INIT	{ 0, 0, 0, 0 }

/*
 * Build the world of model m (borrowed: it must outlive the world).  o may
 * be NULL.  Nothing runs until world_run().  Never fails on a model that
 * loaded: model_load() validated it.
 */
struct world	*world_new(const struct model *m, const struct world_opts *o);
void		 world_free(struct world *w);

/* The probe bus: add listeners before world_run(). */
struct probe_bus *world_bus(struct world *w);

/*
 * Run to the end time (the duration), then emit PROBE_RUN_END.  May be
 * called once.  A limit of the model's "limits" block stops the run
 * early (world_error() says which): world_now() is then where it
 * stopped, and PROBE_RUN_END is emitted there.
 */
void		 world_run(struct world *w);

/*
 * Run up to virtual time t (<= the end time) and stop there; may be
 * called again with a later t, and world_run() finishes the run.  For
 * tests that look at the world half-way.
 */
void		 world_run_until(struct world *w, int64_t t);

/*
 * Whether a limit stopped the run: 0 if not, else -1 with e (may be NULL)
 * set to "MODEL: /limits/KEY: what passed it, where, at t=T", e.g.
 * "m.json: /limits/max_threads: process app has 10001 threads (limit
 * 10000) at t=3.2s".  Limits that the real system enforces its own way
 * (the delivery queue's drops) never stop the run.
 */
int		 world_error(const struct world *w, struct err *e);

/*
 * Messages the kernel did not deliver to client because its delivery
 * queue was full (limits.max_delivery_queue), of which AUTH, and when
 * the first was dropped (-1: none).
 */
uint64_t	 world_client_drops(const struct world *w, int client,
		    uint64_t *auth, int64_t *first);

/* Threads alive now in all processes, and their peak. */
int		 world_threads(const struct world *w);
int		 world_threads_peak(const struct world *w);

int64_t		 world_now(const struct world *w);
int64_t		 world_end(const struct world *w);
uint64_t	 world_seed(const struct world *w);
uint64_t	 world_events(const struct world *w);
const struct model *world_model(const struct world *w);

/* Threads alive now in process proc (model id), and their peak. */
int		 world_proc_threads(const struct world *w, int proc);
int		 world_proc_peak(const struct world *w, int proc);
/* The process's workqueue pool: threads now (incl. idle), peak, and
 * constrained threads scheduled now. */
int		 world_pool_threads(const struct world *w, int proc);
int		 world_pool_peak(const struct world *w, int proc);
int		 world_pool_constrained(const struct world *w, int proc);
int		 world_proc_alive(const struct world *w, int proc);
int		 world_client_subscribed(const struct world *w, int client);
/* When flag id was first set, -1 if never. */
int64_t		 world_flag_first(const struct world *w, int flag);
uint64_t	 world_cache_hits(const struct world *w);
/* Executions held at early boot and released by the timeout, unobserved. */
uint64_t	 world_early_boot_timeouts(const struct world *w);

/*
 * A syscall source: the hook a trace replayer implements.  next() fills
 * *sc with the next syscall (times never decrease) and returns 1, or
 * returns 0 at the end.  The strings of *sc are borrowed only until the
 * next call.  Each syscall is issued open-loop: at sc->t a new thread of
 * sc->process raises it (and, for an AUTH type, waits for the verdict).
 * Add sources before world_run(); the world pulls one syscall ahead.
 */
struct w_syscall {
	int64_t			 t;
	const struct m_process	*process;
	const struct evtype	*type;
	const char		*path;		/* NULL: none */
	const char		*target;	/* NULL: none */
};

struct world_source_ops {
	int	(*next)(void *arg, struct w_syscall *sc);
};

void	world_add_source(struct world *w, const struct world_source_ops *ops,
	    void *arg);

/*
 * For sources that time their own syscalls (closed-loop trace replay,
 * where a syscall may not start before another has ended): the world's
 * event loop, on which such a source schedules its own callbacks (it
 * never runs the loop), and world_issue(), which raises sc at the current
 * time (sc->t is ignored) on a new thread of sc->process.  Call it from
 * a loop callback only, during world_run().  The new thread is announced
 * by PROBE_THREAD_SPAWN (role PROBE_ROLE_WORKLOAD) before anything runs,
 * and its PROBE_THREAD_EXIT marks the end of the syscall (completed, or
 * the thread killed), which may come before world_issue() returns.
 * Returns the thread's id, or 0 when the process is not alive and
 * nothing was raised.
 */
struct loop	*world_loop(struct world *w);
uint64_t	 world_issue(struct world *w, const struct w_syscall *sc);

#endif /* ESSIM_ES_WORLD_H */
