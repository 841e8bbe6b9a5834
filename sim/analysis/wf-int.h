/*
 * wf-int.h - the wait-for analysis's state, shared by waitfor.c (keeping
 * the graph up to date from probes) and wf-check.c (finding and reporting
 * cycles); private to them.  See waitfor.c for what the objects are.
 */
#ifndef ESSIM_ANALYSIS_WF_INT_H
#define ESSIM_ANALYSIS_WF_INT_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/an-int.h"
#include "analysis/findings.h"
#include "analysis/idmap.h"
#include "analysis/waitfor.h"

#define WF_MAX_EXPLORE	100000	/* nodes one check may visit */
#define WF_NAME		160	/* a name */
#define WF_LINE		(2 * WF_NAME + 64)	/* a sentence of names */

enum { N_THREAD, N_MSG, N_EVENT, N_REQ, N_DQ, N_DAEMON, N_POOL, N_RES,
    N_FLAG, N_NOFLAG };	/* N_NOFLAG: a flag whose setters are unknown */
enum { OP_ALL, OP_ANY };
enum { M_QUEUED, M_HANDLING, M_RETAINED, M_ENDED };

#define TH_OF(hp)	((struct an_thread *)(void *)((char *)(hp) -	\
			    offsetof(struct an_thread, wf.h)))

struct ev;

struct msg {
	struct wf_hdr	 h;
	uint64_t	 id;
	int		 client;
	uint8_t		 state, retained;
	uint8_t		 rlisted;		/* on its pool's rhead list */
	struct an_ref	 thread;		/* HANDLING */
	struct probe_ref ref;
	struct ev	*ev;
	struct msg	*enext, *eprev;		/* the event's messages */
	struct msg	*qnext, *qprev;		/* client's queued messages */
	struct msg	*rnext, *rprev;		/* pool's retained, handling */
};

struct ev {
	struct wf_hdr	 h;
	uint64_t	 id;
	struct probe_ref ref;
	struct msg	*msgs;
	struct ev	*fnext;
};

struct req {
	struct wf_hdr	 h;
	uint64_t	 id;
	int		 daemon;
	struct an_ref	 worker;
	struct probe_ref ref;
};

/* Virtual nodes: a delivery queue, a daemon's queue, a pool, a lock or
 * serial queue (N_RES), a flag. */
struct vnode {
	struct wf_hdr	 h;
	int		 index;		/* client, daemon, process, flag */
	struct an_ref	 owner;		/* DQ: last handler's thread;
					   RES: owner */
	uint64_t	 omsg;		/* DQ: the message it started */
	int		 nqueued;	/* DAEMON: requests waiting */
	int		 nthreads;	/* POOL: pool threads alive */
	int		 nretained;	/* POOL: retained messages waiting */
	struct msg	*rhead;		/* POOL: retained, in a handler */
	int		 nwaiting;	/* FLAG: threads with records waiting */
	struct msg	*qhead, *qtail;	/* DQ: queued messages, FIFO */
	struct probe_ref ref;		/* RES */
};

struct vinfo {
	size_t		 s0, sn;	/* successors: se[s0 .. s0 + sn) */
	uint8_t		 op, stuck;
};

struct inst {
	struct finding	*f;
	struct wf_hdr	**nodes;
	size_t		  n;
	int		  active;
};

struct cls {
	char		*sig;
	uint64_t	 count;
};

struct wf {
	const struct model	*m;
	const struct probe_bus	*bus;
	struct fd_list		*out;
	struct idmap		 evs, reqs;
	struct msg		*free_msgs;
	struct ev		*free_evs, *last_ev;
	struct vnode		*dq, *dd, *pool;
	struct vnode		*queues;	/* by queue id */
	size_t			 nqueues;
	struct vnode		*locks;		/* lock_base[proc] + index */
	size_t			*lock_base;
	/*
	 * Flags whose setters are known (waitfor.c): flag node, and
	 * sets[flag * nprocs + proc] when the program of process proc sets
	 * the flag; setter[proc] when it sets any such flag.
	 */
	struct vnode		*flags;
	unsigned char		*sets;
	unsigned char		*setter;
	struct an_thread	**plist;	/* workers and pool threads */
	uint32_t		 epoch;
	/* Scratch of a check: nodes reached, their successors. */
	struct wf_hdr		**vn;
	size_t			  nvn, avn;
	struct vinfo		 *vi;
	size_t			  avi;
	struct wf_hdr		**se;
	size_t			  nse, ase;
	/* Results. */
	struct inst		*inst;
	size_t			  ninst, ainst, nopen;
	struct cls		*cls;
	size_t			  ncls, acls;
	/* The last kill or crash, to say how an instance ended. */
	int64_t			  why_t;
	char			  why[WF_NAME];
};

/* wf-check.c */
void	wf__check(struct wf *w, struct wf_hdr *start, int64_t now);
void	wf__touch_slow(struct wf *w, struct wf_hdr *n, int64_t t,
	    const char *verb);
const char *wf__client_name(const struct wf *w, int c);

/* waitfor.c */
struct vnode *wf__queue_res(struct wf *w, uint64_t id);
struct vnode *wf__lock_res(struct wf *w, uint64_t id);
int	wf__msg_state(const struct wf *w, const struct msg *mg);
void	wf__msg_settle(struct wf *w, struct msg *mg);
struct an_thread *wf__dq_thread(const struct wf *w, const struct vnode *dq);

/* n changes: if it is in a closed cycle, that cycle is over. */
static inline void
wf__touch(struct wf *w, struct wf_hdr *n, int64_t t, const char *verb)
{
	if (n != NULL && n->inst != 0)
		wf__touch_slow(w, n, t, verb);
}

/* Whether a wait for flag id adds an edge: its setters are known. */
static inline int
wf__flag_known(const struct wf *w, uint64_t id)
{
	return id < w->m->nflags && w->flags[id].h.kind == N_FLAG;
}

/* Whether the program of process proc sets the known flag id. */
static inline int
wf__sets(const struct wf *w, uint64_t id, int proc)
{
	return w->sets[(size_t)id * w->m->nprocs + (size_t)proc];
}

/* Whether the pool of process proc has reached its constrained cap. */
static inline int
wf__at_cap(const struct wf *w, int proc)
{
	return w->pool[proc].nthreads >= w->m->wq_constrained_max;
}

#endif /* ESSIM_ANALYSIS_WF_INT_H */
