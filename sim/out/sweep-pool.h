/*
 * sweep-pool.h - run numbered jobs in forked worker processes.
 *
 *	struct spool_ops ops = { my_init, my_job, my_fini };
 *	struct spool_opts o = SPOOL_OPTS_INIT;
 *	o.workers = 8; o.jobs = list; o.njobs = n; o.progress = isatty(2);
 *	rc = spool_run(&ops, arg, &o, &e);
 *
 * The parent forks o.workers processes (fewer if there are fewer jobs),
 * hands each one job at a time over a pipe, in the order of o.jobs, and
 * hands the next to whichever worker reports back first, so slow and fast
 * jobs balance.  Each worker therefore receives an increasing subsequence
 * of the list.  A worker runs init() once, job() per job and fini() when
 * there are no more; whatever they write (a database of the worker's own)
 * is theirs: the pool moves only job numbers and status back and forth.
 *
 * In the parent, o.done (if set) is called after each job that
 * succeeded, with the worker that ran it: the parent is otherwise idle
 * while the workers run, so this is where it can use their output as it
 * comes.  The worker has been handed its next job before, so done()
 * delays no worker; it does delay the parent's reading of the other
 * workers' replies, so it should take milliseconds, not seconds.
 *
 * The first job that fails stops the pool: no new job is handed out, the
 * workers finish what they hold, and its error is returned.  A worker
 * that dies (a crash, a signal) is an error naming the job it held.
 * SIGINT and SIGTERM in the parent stop the pool at once: no new job is
 * handed out and every worker is sent SIGTERM, which ends it where it is
 * (workers run with the default actions, so a Ctrl-C on the terminal,
 * which reaches the whole process group, does the same); replies already
 * sent are still received, and done() still called for them; the status
 * is SPOOL_EINTR and spool_signal() says which signal.  A second SIGINT
 * or SIGTERM while the first is being handled kills the parent at once
 * (the default action): the user insists.
 *
 * The parent must hold no SQLite connection (or other state that does
 * not survive fork) when it calls spool_run().
 */
#ifndef ESSIM_OUT_SWEEP_POOL_H
#define ESSIM_OUT_SWEEP_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum {
	SPOOL_OK = 0,
	SPOOL_EINPUT = -1,	/* a job failed on bad input */
	SPOOL_EIO = -2,		/* a job, a worker or the system failed */
	SPOOL_EINTR = -3	/* interrupted by SIGINT/SIGTERM */
};

struct spool_ops {
	/* In worker number w (0-based): set up; NULL with e set fails it. */
	void	*(*init)(void *arg, unsigned w, struct err *e);
	/* Run job j: 0, or SPOOL_EINPUT / SPOOL_EIO with e set. */
	int	 (*job)(void *ctx, uint64_t j, struct err *e);
	/* No more jobs: finish and free ctx.  0 or SPOOL_EIO with e set. */
	int	 (*fini)(void *ctx, struct err *e);
};

/*
 * In the parent: job j succeeded in worker w.  0, or SPOOL_EIO with e set
 * (the pool then stops as for a failed job).
 */
typedef int spool_done_fn(void *darg, uint64_t j, unsigned w, struct err *e);

struct spool_opts {
	unsigned	 workers;	/* >= 1 */
	const uint64_t	*jobs;		/* job numbers, handed out in order */
	size_t		 njobs;
	int		 progress;	/* draw a progress line on stderr */
	const char	*what;		/* "runs": the unit in the progress line */
	spool_done_fn	*done;		/* NULL: nothing to do */
	void		*darg;
};

#define SPOOL_OPTS_INIT	{ 1, NULL, 0, 0, "jobs", NULL, NULL }

/* Run every job; returns SPOOL_OK or the first failure, with e set. */
int	spool_run(const struct spool_ops *ops, void *arg,
	    const struct spool_opts *o, struct err *e);

/*
 * The signal (SIGINT or SIGTERM) that interrupted the last spool_run(),
 * 0 if none: the exit status is 128 + it.
 */
int	spool_signal(void);

/* Online CPUs, at least 1: the default number of workers. */
unsigned spool_ncpus(void);

#endif /* ESSIM_OUT_SWEEP_POOL_H */
