/*
 * an-int.h - what the run-time analyses share (analyses.c, waitfor.c,
 * lockdep.c, poolmon.c, deadline.c); private to them, as wint.h is to the
 * world.
 *
 * The analyses see the probes through one callback per kind (analyses.c),
 * which looks the acting thread up once and hands every analysis the same
 * record: one lookup per probe instead of one per analysis, and no
 * lookups at all inside the analyses, which keep pointers to records
 * (struct an_ref) instead of ids.  A record is created when a thread
 * first matters (a pool thread or daemon worker at birth; any other
 * thread when it first takes a queue or a lock, or runs a handler or a
 * service: something another thread may then wait for), and goes when
 * the thread exits (the main threads of processes that set a flag whose
 * setters are known get one at birth, waitfor.c).  A thread without a
 * record is in no wait cycle.  Records come from a free list and are
 * never given back to malloc before an_free(), and a freed record has
 * id 0, so an an_ref
 * (pointer and id) to a thread that is gone is recognised as such: ids
 * are never reused.
 *
 * The locks a thread holds are kept here, innermost last, updated after
 * the analyses have seen the probe (so that on a LOCK they see what was
 * held before).  The serial queues it holds are the world's to keep:
 * an_queues() asks for them (es/probe.h: probe_held()), so the analyses
 * need not follow QUEUE_ACQUIRE and QUEUE_RELEASE, two probes for every
 * item a serial queue runs.
 */
#ifndef ESSIM_ANALYSIS_AN_INT_H
#define ESSIM_ANALYSIS_AN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "es/probe.h"

#define AN_ROLE_UNKNOWN	255
#define AN_HELD		16		/* queues, and locks, held at once */

/* A node of the wait-for graph (waitfor.c). */
struct wf_hdr {
	uint8_t		 kind;
	uint32_t	 epoch;		/* of the check that saw it last */
	uint32_t	 vidx;		/* its index in that check */
	uint32_t	 inst;		/* active deadlock instance + 1, 0 none */
};

struct an_thread;

struct an_ref {
	struct an_thread *t;
	uint64_t	 id;
};

struct an_thread {
	uint64_t	 id;		/* 0: free */
	int		 proc;
	uint8_t		 role;		/* enum probe_role, AN_ROLE_UNKNOWN */
	struct probe_ref ref;		/* for names, while it lives */
	struct an_thread *fnext;	/* free list */
	/* Held locks: ids, innermost last. */
	uint64_t	 locks[AN_HELD];
	int		 nlocks;
	/*
	 * The message of the last handler it started (0 none), its client
	 * and type: the handler it runs while an_in_handler() says so (the
	 * end of a handler is asked of the world, not followed).
	 */
	uint64_t	 hmsg;
	int		 hclient;
	const struct evtype *htype;
	/* waitfor.c */
	struct {
		struct wf_hdr	 h;
		uint8_t		 wait;
		uint64_t	 wobj;
		int64_t		 wait_t;
		void		*hmsg;		/* struct msg being handled */
		struct an_thread *pnext, *pprev;	/* workers, pool */
		int		 listed;
	} wf;
	/* lockdep.c */
	struct {
		int		 serving;	/* service node, -1 */
		uint64_t	 req;
		int		 owes;		/* answer node, -1 */
		uint64_t	 waited;	/* lock/queue id + 1 waited for */
	} lk;
	/* poolmon.c */
	struct {
		int		 blocked;
		int		 listed;
		struct an_thread *next, *prev;
	} pm;
};

/* The thread of ref, or NULL if it is gone. */
static inline struct an_thread *
an_ref_get(const struct an_ref *r)
{
	return r->t != NULL && r->t->id == r->id && r->id != 0 ? r->t : NULL;
}

static inline void
an_ref_set(struct an_ref *r, struct an_thread *t)
{
	r->t = t;
	r->id = t != NULL ? t->id : 0;
}

/*
 * The serial queues t holds, outermost first: at most AN_HELD refs into
 * out, and how many (t must be alive: records go at THREAD_EXIT).
 */
static inline size_t
an_queues(const struct probe_bus *b, const struct an_thread *t,
    struct probe_ref *out)
{
	size_t n = probe_held(b, &t->ref, out, AN_HELD);

	return n < AN_HELD ? n : AN_HELD;
}

/* Whether t holds a serial queue. */
static inline int
an_holds_queue(const struct probe_bus *b, const struct an_thread *t)
{
	return probe_held(b, &t->ref, NULL, 0) > 0;
}

/* Whether t still runs the handler of its last MSG_HANDLER_START. */
static inline int
an_in_handler(const struct probe_bus *b, const struct an_thread *t)
{
	return t->hmsg != 0 && probe_handling(b, &t->ref, NULL) == t->hmsg;
}

/* Lock ids are process << 16 | index (es/probe.h). */
#define AN_LOCK_PROC(id)	((int)((id) >> 16))
#define AN_LOCK_INDEX(id)	((size_t)((id) & 0xffff))

#endif /* ESSIM_ANALYSIS_AN_INT_H */
