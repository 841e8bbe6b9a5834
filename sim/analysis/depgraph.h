/*
 * depgraph.h - a class-level dependency graph, lockdep-style, and the
 * search for its cycles.
 *
 * A node is a class of things something can wait for: a serial queue, a
 * lock, a flag, a daemon service's reply, a client's answer to a kind of
 * ES message.  An edge u -> v says "whoever holds (or owes) u waits, at
 * some point, for v".  Edges are kept once per (u, v) pair with the first
 * place they were seen and a count, so a graph built from millions of
 * simulated waits stays as small as the model.  A cycle of edges is a
 * deadlock that can happen, whether or not one did (lockdep's "bugs are
 * reported even if the current locking scenario does not cause any
 * deadlock at this point").
 *
 * Users: the static linter (sim/analysis/lint.c) builds the graph from a
 * model's programs; the potential-cycle analysis builds it from the
 * simulator's probe events, with virtual times as first-seen places.
 *
 * Costs: adding a node or an edge is O(1) amortised (hash tables keyed by
 * node key and by (from, to)), plus interning its strings.  Cycles are
 * searched on demand (dg_cycles), in O((n + e)(c + 1)) time for c
 * cycles (Johnson's algorithm) with a cap on c, plus a breadth-first
 * pass per node of a cyclic component.
 */
#ifndef ESSIM_ANALYSIS_DEPGRAPH_H
#define ESSIM_ANALYSIS_DEPGRAPH_H

#include <stddef.h>
#include <stdint.h>

struct dg;

/* What a node stands for; decides how reports phrase a wait on it. */
enum dg_node_kind {
	DG_NODE_QUEUE,		/* a serial queue: held by the block on it */
	DG_NODE_LOCK,		/* a mutex: held from lock to unlock */
	DG_NODE_FLAG,		/* a one-shot flag: owed by who will set it */
	DG_NODE_SERVICE,	/* a daemon service's reply */
	DG_NODE_MESSAGE,	/* a client's answer to a class of messages */
	DG_NODE_HANDLER,	/* a client's handler (runtime graphs) */
	DG_NODE_EVENT,		/* an ES event class raised by a process */
	DG_NODE_OTHER
};

enum dg_edge_kind {
	DG_EDGE_CALLS,		/* XPC call: waits for the reply */
	DG_EDGE_RAISES,		/* syscall: waits for the clients' answers */
	DG_EDGE_DELIVERED,	/* a message waits for its client's queue */
	DG_EDGE_WAITS,		/* any other wait (sync, flag, queue) */
	DG_EDGE_LOCK_ORDER	/* takes a lock while holding another */
};

/* Static edges carry DG_STATIC as their time. */
#define DG_STATIC	((int64_t)-1)

/*
 * Where and how an edge was first seen.  Every string may be NULL; the
 * graph keeps copies.
 *   time   virtual time in ns (runtime), or DG_STATIC
 *   where  a JSON pointer (static) or a description of the place (runtime)
 *   who    the actor that waits: "acme handler AUTH_OPEN on acme
 *          delivery queue"
 *   what   what it does: "calls syspolicyd.assess (waits for reply)"
 */
struct dg_site {
	int64_t		 time;
	const char	*where;
	const char	*who;
	const char	*what;
};

/* Read-only views of the graph's contents (valid until dg_free). */
struct dg_node {
	int			 id;	/* 0, 1, ... in creation order */
	enum dg_node_kind	 kind;
	const char		*key;	/* unique */
	const char		*label;	/* for people: "acme delivery queue" */
};

struct dg_edge {
	int			 id;	/* 0, 1, ... in creation order */
	int			 from, to;
	enum dg_edge_kind	 kind;
	int64_t			 time;	/* first seen; DG_STATIC */
	const char		*where, *who, *what;	/* "" when not given */
	uint64_t		 count;	/* times dg_edge() was called for it */
};

struct dg	*dg_new(void);
void		 dg_free(struct dg *g);

/*
 * Intern the node with this key: its id, created (with kind and label;
 * label NULL means the key) if the key is new.  The kind and label of an
 * existing node are kept.
 */
int		 dg_node(struct dg *g, enum dg_node_kind kind, const char *key,
		    const char *label);
/* Id of the node with this key, or -1. */
int		 dg_find(const struct dg *g, const char *key);

/*
 * Add the edge from -> to (ids from dg_node), or count one more sighting
 * of it: the first call records kind and site (site may be NULL), later
 * ones only increment count.  A self-loop (from == to) is allowed.
 * Returns the edge id.
 */
int		 dg_edge(struct dg *g, int from, int to, enum dg_edge_kind kind,
		    const struct dg_site *site);
/* Id of the edge from -> to, or -1. */
int		 dg_edge_find(const struct dg *g, int from, int to);

size_t		 dg_nnodes(const struct dg *g);
size_t		 dg_nedges(const struct dg *g);
const struct dg_node *dg_node_at(const struct dg *g, int id);
const struct dg_edge *dg_edge_at(const struct dg *g, int id);

/* "queue", "lock", ...; "calls", "raises", "delivered to", ... */
const char	*dg_node_kind_name(enum dg_node_kind k);
const char	*dg_edge_kind_name(enum dg_edge_kind k);

/*
 * One elementary cycle: len nodes and the len edges between them,
 * edges[i] going nodes[i] -> nodes[(i + 1) % len].  Rotated so that
 * nodes[0] is the cycle's smallest node id: every cycle has exactly one
 * such form, so each is reported once.  A self-loop has len 1.
 */
struct dg_cycle {
	size_t	 len;
	int	*nodes;
	int	*edges;
};

struct dg_cycles {
	struct dg_cycle	*v;
	size_t		 n;
	int		 truncated;	/* the cap stopped the search */
	size_t		 cap;		/* the cap used */
};

#define DG_CYCLES_INIT	{ NULL, 0, 0, 0 }
/* Default cap on the number of cycles one search reports. */
#define DG_CYCLES_CAP	1000

/*
 * Find every elementary cycle of g, up to cap cycles (0: DG_CYCLES_CAP):
 * first the shortest cycle through each node (breadth first, in the
 * subgraph of the nodes >= it), then all the others (Johnson's
 * algorithm), both one strongly connected component at a time.  Past the
 * cap the search stops and out->truncated is set: callers must say so
 * ("cycle search stopped after N cycles"); what was kept then holds the
 * shortest story of as many nodes as the cap allows.  The cycles are
 * sorted by length, then by their node id sequences.  out is overwritten
 * (release it first if reused).  Returns the number of cycles.
 */
size_t		 dg_cycles(const struct dg *g, size_t cap,
		    struct dg_cycles *out);
void		 dg_cycles_release(struct dg_cycles *c);

/*
 * The cycle as a scenario a person can replay (STYLE §7, lockdep's
 * print_deadlock_scenario): one numbered step per edge, starting with
 * edge `start` (0 <= start < len) so the story can begin where the
 * reader expects, each "N. WHO  WHERE" then "WHAT", a wait on a queue or
 * a lock naming the step that holds it, and the last step ending in
 * " -> " and ending (NULL: "*** DEADLOCK ***").  Runtime edges show their
 * first-seen time.  Lines are indented by indent spaces and end in "\n".
 * Returns a new string (free it).
 */
char		*dg_cycle_scenario(const struct dg *g, const struct dg_cycle *c,
		    size_t start, int indent, const char *ending);

#endif /* ESSIM_ANALYSIS_DEPGRAPH_H */
