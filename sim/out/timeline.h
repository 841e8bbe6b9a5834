/*
 * timeline.h - the run as a Chrome trace-event JSON file, which Perfetto
 * (ui.perfetto.dev) and chrome://tracing open: every simulated thread on
 * its own track, so a deadlock can be seen.
 *
 *	struct tl *tl = tl_open("run.json", model, world_bus(w), &o, &e);
 *	world_run(w);
 *	tl_findings(tl, an_findings(an));	(optional)
 *	tl_close(tl, world_now(w), &e);
 *
 * Layout (docs/results-schema.md, "Timeline"): one trace process per
 * simulated process (pid = model id + 1, named by process_name metadata),
 * one track per simulated thread (tid = its probe id, thread_name
 * metadata) and one per dispatch queue (tid = TL_QUEUE_TID + queue id).
 * Thread tracks hold nested B/E slices: ES handlers, daemon services,
 * syscalls (an AUTH syscall's slice is its wait for the verdict), XPC
 * calls, lock, dispatch_sync, flag and sleep waits, and time runnable
 * but waiting for a core.  Queue tracks hold a serial queue's drains
 * (who held it) and a counter of its depth.  Flow arrows ("s"/"f", bound
 * to the enclosing slices) go from a call to the service that serves it
 * and from the reply back to the call, from a syscall to each client's
 * handler of its message (or, when a handler holds the client's delivery
 * queue as the message arrives, to that queue's drain: the arrow that
 * closes a deadlock), and from the answer in a handler back to the
 * syscall.  Instants mark deadline misses, kills, sync crashes, spinning
 * threads, and, on an "essim findings" track, the findings (a deadlock
 * when it closed and when it ended).
 *
 * Streaming: events are written as they happen, one per line, and only
 * what is open (slices, pending flows) is held in memory.  Times are
 * microseconds with three decimals (the exact nanosecond).  The same run
 * gives the same bytes.  A window (tl_opts) keeps only that span of
 * virtual time: slices open at its start are begun there, slices open at
 * its end are ended there.  max_events caps what is written; past it
 * nothing new opens (open slices still end), and the file says so.
 */
#ifndef ESSIM_OUT_TIMELINE_H
#define ESSIM_OUT_TIMELINE_H

#include <stdint.h>

#include "analysis/findings.h"
#include "core/err.h"
#include "es/probe.h"
#include "model/model.h"

/* Queue tracks: tid = TL_QUEUE_TID + the queue's probe id. */
#define TL_QUEUE_TID	1000000000

struct tl;

struct tl_opts {
	int64_t		 start;		/* window, ns; start >= 0 */
	int64_t		 end;		/* < 0: to the end of the run */
	uint64_t	 max_events;	/* 0: no cap */
};

#define TL_OPTS_INIT	{ 0, -1, 0 }

/*
 * Create path (replacing it) and listen on bus, for a world of model m
 * (both must outlive the timeline).  NULL with e set when the file
 * cannot be created.  Call before the world runs.
 */
struct tl	*tl_open(const char *path, const struct model *m,
		    struct probe_bus *bus, const struct tl_opts *o,
		    struct err *e);

/*
 * Instants for findings (found, and for deadlocks also ended) on the
 * findings track, those inside the window.  After the run, before
 * tl_close().
 */
void		 tl_findings(struct tl *t, const struct fd_list *l);

/*
 * The run was interrupted (why: "SIGINT", or "error" when a limit or
 * the replay stopped it; static storage): tl_close() then marks where
 * the file is cut - an "essim" instant "run interrupted (SIGINT)" at t_end on the findings track and "interrupted": "SIGINT"
 * in otherData - and the document stays valid JSON, with every slice
 * still open ended at t_end.  t may be NULL.
 */
void		 tl_cut(struct tl *t, const char *why);

/*
 * End every slice still open at t_end (the time the run reached, clipped
 * to the window), finish the JSON document, close the file and free t.
 * Returns 0, or -1 with e set when writing failed.  t may be NULL.
 */
int		 tl_close(struct tl *t, int64_t t_end, struct err *e);

/* Events written so far (metadata included), for tests and messages. */
uint64_t	 tl_written(const struct tl *t);

/*
 * Parse a window "START..END" of durations ("10s..20s"; either side may
 * be empty: "..5s", "30s..").  Returns 0, or -1 with e set.
 */
int		 tl_parse_window(const char *s, int64_t *start, int64_t *end,
		    struct err *e);

#endif /* ESSIM_OUT_TIMELINE_H */
