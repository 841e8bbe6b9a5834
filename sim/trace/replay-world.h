/*
 * replay-world.h - a model's workload.trace, replayed into the simulated
 * world as syscalls.
 *
 * Usage (what `essim run` does when the model has a trace):
 *
 *	rw = replay_world_new(m, &opts, &e);	(reads and checks the trace)
 *	w = world_new(replay_world_model(rw), ...);
 *	... other listeners ...
 *	replay_world_attach(rw, w);
 *	world_run(w);
 *	world_free(w);
 *	replay_world_free(rw);			(after the world)
 *
 * Processes: a trace process whose executable path is the path of a model
 * process (a client, a daemon, a declared process) acts as that process.
 * Every other executable becomes a plain process named by its basename
 * ("mdworker_shared"), or "basename[pid]" (pid of its first event) when
 * that name is taken; all instances of one executable share it.  Those
 * processes must exist before the world is built, so the model given to
 * world_new() is m with them added to its "processes" (m itself when
 * none is needed), carrying the trace's signing id, team id, platform and
 * ES-client flags.
 *
 * Timing and filters are the trace's (trace/replay.h): open or closed
 * mode, speed, as_auth, types, processes, window.  Each syscall runs on a
 * new thread of its process (world_issue); in closed mode the end of that
 * thread (its PROBE_THREAD_EXIT) ends the recorded thread's syscall.
 * Syscalls due at or after the world's end are not issued.
 */
#ifndef ESSIM_TRACE_REPLAY_WORLD_H
#define ESSIM_TRACE_REPLAY_WORLD_H

#include <stddef.h>

#include "core/err.h"
#include "es/world.h"
#include "model/model.h"
#include "trace/replay.h"

/* Command-line overrides of the model's trace settings. */
struct replay_world_opts {
	double		 speed;		/* > 0: instead of the model's */
	int		 mode;		/* -1: the model's; else replay_mode */
	size_t		 max_buffered;	/* 0: the default */
};

#define REPLAY_WORLD_OPTS_INIT	{ 0, -1, 0 }

struct replay_world;

/*
 * Open m's trace (m->trace must be set) and build the model to simulate.
 * o may be NULL.  NULL with e set when the trace cannot be read or is bad
 * (exit status 2).  m is borrowed and must outlive the result.
 */
struct replay_world *replay_world_new(const struct model *m,
		    const struct replay_world_opts *o, struct err *e);

/* The model to build the world from: m, or m plus the trace's processes. */
const struct model *replay_world_model(const struct replay_world *rw);

/* The model process trace executable i (replay_proc order) acts as. */
const struct m_process *replay_world_process(const struct replay_world *rw,
		    size_t i);
const struct replay *replay_world_replay(const struct replay_world *rw);

/*
 * Start replaying into w, which must have been built from
 * replay_world_model(rw) and not yet run.  Registers one probe listener.
 */
void		 replay_world_attach(struct replay_world *rw, struct world *w);

/*
 * Whether reading the trace failed during the run (the file changed or
 * broke under us): 0, or -1 with e filled.  The replay stops there.
 */
int		 replay_world_error(const struct replay_world *rw,
		    struct err *e);

/* Syscalls not raised because their process was dead (killed). */
uint64_t	 replay_world_dropped(const struct replay_world *rw);

void		 replay_world_free(struct replay_world *rw);

/*
 * A --speed value: a finite decimal number above 0 ("2", "0.5"), stored
 * in *speed.  Returns 0, or -1 (leaving *speed alone) if s is not one.
 */
int		 replay_world_parse_speed(const char *s, double *speed);

#endif /* ESSIM_TRACE_REPLAY_WORLD_H */
