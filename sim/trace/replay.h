/*
 * replay.h - recorded events as a schedule of syscalls: the timing core
 * of trace replay (model workload.trace), independent of the simulator.
 *
 * A replay reads one trace - an eslogger file or a trace store, told
 * apart by the SQLite header - in recorded time order, keeps the events
 * its filters pass, and says when each should be issued in virtual time:
 *
 *   open mode    at its recorded offset from the start of the replay,
 *                divided by speed, whatever the simulation does;
 *   closed mode  per recorded thread (pid, pidversion, thread id; per
 *                process image when the trace has no thread id), an event
 *                starts only once the thread's previous syscall has ended
 *                in the simulation (replay_done), after the recorded gap
 *                between the two (divided by speed) as think time.  With
 *                instant syscalls both modes give the recorded times;
 *                slow ones push a thread's later events back.
 *
 * The driver (replay-world.c for the simulator, or a test) asks
 * replay_peek() for the next due time, calls replay_pop() when its clock
 * gets there, issues the syscall, and in closed mode reports its end with
 * replay_done(); a done may make an earlier time due, so the driver peeks
 * again after each.
 *
 * Memory: open mode holds one event; closed mode holds the threads it
 * has seen that are late or busy, and the events of busy threads read
 * ahead of them (at most max_buffered; past that, reading stalls and
 * later events of other threads may be issued late, which stats count).
 * Never the whole trace.
 *
 * Opening reads the trace once (replay_open's scan): every object is
 * checked, so a bad trace is an error before anything runs, and the
 * acting executables are listed for the caller to map to processes.
 */
#ifndef ESSIM_TRACE_REPLAY_H
#define ESSIM_TRACE_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/evtype.h"

#define REPLAY_MAX_BUFFERED	262144	/* default cap, events */

enum replay_mode { REPLAY_CLOSED, REPLAY_OPEN };

struct replay_opts {
	enum replay_mode mode;
	double		 speed;		/* > 0; 0 means 1 */
	struct evset	 as_auth;	/* NOTIFY types replayed as AUTH twins */
	int		 has_types;
	struct evset	 types;		/* keep these (NOTIFY or AUTH form) */
	const char *const *processes;	/* keep these exe paths/basenames */
	size_t		 nprocesses;	/* 0: every process */
	int64_t		 from, to;	/* window from the first event; -1 */
	size_t		 max_buffered;	/* 0: REPLAY_MAX_BUFFERED */
};

#define REPLAY_OPTS_INIT \
	{ REPLAY_CLOSED, 1, { { 0 } }, 0, { { 0 } }, NULL, 0, -1, -1, 0 }

/* An acting executable of the trace, as the scan found it. */
struct replay_proc {
	const char	*exe;
	const char	*signing_id;	/* NULL: none */
	const char	*team_id;	/* NULL: none */
	int		 is_es_client;
	int		 is_platform;
	int32_t		 pid;		/* of its first event */
	uint64_t	 events;	/* that the filters keep */
};

/* One syscall to issue.  Strings are borrowed until the next pop. */
struct replay_sc {
	int64_t		 t;		/* virtual ns, >= every earlier t */
	uint64_t	 tag;		/* closed mode: for replay_done */
	const struct evtype *type;	/* as_auth applied */
	const struct evtype *recorded;	/* as in the trace */
	size_t		 proc;		/* index for replay_proc() */
	const char	*path;		/* NULL: none */
	const char	*path2;
	int64_t		 rec;		/* recorded time, ns since epoch */
	int32_t		 pid, pidversion;
	int64_t		 thread_id;	/* -1: none recorded */
};

struct replay_stats {
	uint64_t	 objects;	/* events in the trace */
	uint64_t	 kept;		/* passed the filters */
	uint64_t	 issued;
	uint64_t	 done;
	uint64_t	 late;		/* issued after their due time */
	uint64_t	 stalls;	/* reads held back by max_buffered */
	size_t		 threads, peak_threads;
	size_t		 buffered, peak_buffered;
	int64_t		 first, last;	/* recorded times, ns since epoch */
};

struct replay;

/*
 * Open file (a trace store if it starts with the SQLite header, else
 * eslogger JSON, gzip or not), scan it and position at the start.
 * NULL with e set ("file:line: ..." for a bad object, "file: ..." when
 * it cannot be read, holds no event, or no event passes the filters).
 * o is copied (its processes array is borrowed and must outlive r).
 */
struct replay	*replay_open(const char *file, const struct replay_opts *o,
		    struct err *e);
void		 replay_free(struct replay *r);

/* The acting executables, in order of first appearance. */
size_t		 replay_nprocs(const struct replay *r);
const struct replay_proc *replay_proc(const struct replay *r, size_t i);

/*
 * The time the next syscall is due: 1 with *t set; 0 when nothing is
 * due until a replay_done() (closed mode) or ever (replay_finished());
 * -1 with e set when the trace cannot be read further.  May read ahead.
 */
int		 replay_peek(struct replay *r, int64_t *t, struct err *e);

/* Take the syscall replay_peek() announced (call only after a 1). */
void		 replay_pop(struct replay *r, struct replay_sc *sc);

/*
 * Closed mode: the syscall of tag ended at virtual time t (>= its
 * issue time).  Ignored in open mode.
 */
void		 replay_done(struct replay *r, uint64_t tag, int64_t t);

/* Everything read, issued and (closed mode) done. */
int		 replay_finished(const struct replay *r);

const struct replay_stats *replay_stats(const struct replay *r);

#endif /* ESSIM_TRACE_REPLAY_H */
