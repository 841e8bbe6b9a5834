/*
 * timeline-int.h - what timeline.c (tracks, slices, the window, the file)
 * and timeline-probe.c (what each probe does to them) share; private to
 * sim/out/timeline*.c.  See timeline.c for the model.
 */
#ifndef ESSIM_OUT_TIMELINE_INT_H
#define ESSIM_OUT_TIMELINE_INT_H

#include <stdint.h>

#include "analysis/idmap.h"
#include "out/timeline-json.h"
#include "out/timeline.h"

enum sl_kind { SL_HANDLER, SL_SERVICE, SL_SYSCALL, SL_WAIT, SL_DRAIN };

struct tl_slice {
	enum sl_kind	 kind;
	int		 written;
	const char	*cat;
	char		*name;
};

struct tl_track {
	int64_t		 tid;
	int64_t		 holder;	/* a queue's drainer now, 0 none */
	int		 pid;
	int		 named;
	char		*name;
	struct tl_slice	*s;
	size_t		 n, a;
};

/* A message queued on a client's delivery queue, and who raised it. */
struct tl_pend {
	uint64_t	 msg;
	int64_t		 t;
	int64_t		 tid;		/* 0: unknown */
	int		 pid;
};

struct tl_client {
	struct tl_pend	*q;
	size_t		 head, n, a;
	uint64_t	 cur;		/* message its handler runs now */
	int64_t		 cur_tid;
	int		 cur_pid;
};

struct tl_resp {
	uint64_t	 msg;
	int64_t		 tid, t;
	int		 pid;
};

struct tl_sys {
	int64_t		 tid, t;
	int		 pid;
	struct tl_resp	*r;
	size_t		 n, a;
};

struct tl_req {
	int64_t		 caller, t_call, worker, t_reply;
	int		 cpid, wpid, replied, oneway;
};

enum { W_BEFORE, W_IN, W_AFTER };

struct tl {
	struct tl_out		 out;
	const struct model	*m;
	const struct probe_bus	*bus;
	int64_t			 start, end;	/* end < 0: none */
	int			 state;
	struct idmap		 threads;	/* tid -> tl_track */
	struct idmap		 qmap;		/* queue id -> tl_track */
	struct tl_track		**qv;		/* queues, first-seen order */
	size_t			 nq, aq;
	struct idmap		 sys;		/* event id -> tl_sys */
	struct idmap		 reqs;		/* request id -> tl_req */
	struct tl_client	*clients;
	struct tl_pend		 enq;		/* message just queued, */
	int			 enq_client;	/* for its QUEUE_PUSH; -1 */
	int			*pool;		/* pool threads per process */
	int			 fpid;		/* the findings "process" */
	const char		*cut;		/* tl_cut(): why; NULL */
};

/* Tracks and slices (timeline.c). */
void		 tl__named(struct tl *tl, struct tl_track *tr);
struct tl_track	*tl__track_new(int64_t tid, int pid, const char *name);
void		 tl__track_free(struct tl_track *tr);
/* Open a slice (written only inside the window and under the cap). */
void		 tl__push(struct tl *tl, struct tl_track *tr, int64_t ts,
		    enum sl_kind k, const char *cat, const char *name,
		    const char *args);
/* End the innermost slice of kind k and all inside it; 0 if none. */
int		 tl__pop_to(struct tl *tl, struct tl_track *tr, enum sl_kind k,
		    int64_t ts, const char *args);
void		 tl__pop_all(struct tl *tl, struct tl_track *tr, int64_t ts);
/* The track of the probe's thread (NULL: none), of its queue (made). */
struct tl_track	*tl__thread_of(struct tl *tl, const struct probe_ev *ev);
struct tl_track	*tl__queue_of(struct tl *tl, const struct probe_ev *ev);
/* Open or close the window as time reaches t. */
void		 tl__advance(struct tl *tl, int64_t t);
/* Inside the window with room for n more counted records. */
int		 tl__room_in(struct tl *tl, unsigned n);
/* A flow from (spid, stid) at t0 to dst at t: both records, or none. */
void		 tl__flow_pair(struct tl *tl, const char *name, uint64_t id,
		    int spid, int64_t stid, int64_t t0, struct tl_track *dst,
		    int64_t t);

/* The probe listener (timeline-probe.c) and the kinds it wants. */
void		 tl__listen(void *arg, const struct probe_ev *ev);
#define TL_MASK (PROBE_BIT(PROBE_THREAD_SPAWN) |			\
	PROBE_BIT(PROBE_THREAD_EXIT) | PROBE_BIT(PROBE_WAIT) |		\
	PROBE_BIT(PROBE_WAKE) |						\
	PROBE_BIT(PROBE_SYSCALL) | PROBE_BIT(PROBE_SYSCALL_DONE) |	\
	PROBE_BIT(PROBE_MSG_ENQUEUE) | PROBE_BIT(PROBE_MSG_HANDLER_START) | \
	PROBE_BIT(PROBE_MSG_HANDLER_END) | PROBE_BIT(PROBE_MSG_RESPOND) | \
	PROBE_BIT(PROBE_CALL) | PROBE_BIT(PROBE_SEND) |			\
	PROBE_BIT(PROBE_REQUEST_START) | PROBE_BIT(PROBE_REPLY) |	\
	PROBE_BIT(PROBE_QUEUE_PUSH) | PROBE_BIT(PROBE_QUEUE_POP) |	\
	PROBE_BIT(PROBE_QUEUE_ACQUIRE) | PROBE_BIT(PROBE_QUEUE_RELEASE) | \
	PROBE_BIT(PROBE_PROCESS_EXIT) | PROBE_BIT(PROBE_DEADLINE_MISS) | \
	PROBE_BIT(PROBE_CLIENT_KILL) | PROBE_BIT(PROBE_CLIENT_START) |	\
	PROBE_BIT(PROBE_SYNC_CRASH) | PROBE_BIT(PROBE_SPIN))

#endif /* ESSIM_OUT_TIMELINE_INT_H */
