/*
 * depgraph.c - the class-level dependency graph and its cycle search.
 *
 * This is lockdep's idea applied to ES: instead of the waits of one run
 * (instances: this thread waits for that reply), record the dependencies
 * between classes (the AUTH_OPEN handler of acme waits for
 * syspolicyd.assess; assess raises AUTH_OPEN, which acme's delivery
 * queue must take).  A cycle among classes is a deadlock that some
 * interleaving can produce, even if none did.  The graph is built once
 * and read many times; it holds as many nodes as the model has classes
 * (queues, locks, services, message kinds), typically tens to a few
 * thousands, with a few edges each.
 *
 * Storage: nodes and edges are allocated from an arena (stable pointers,
 * one free), found by key through two open-addressing hash tables
 * (linear probing, load at most 1/2, FNV-1a), and every node keeps its
 * out-edges in insertion order.  Ids are creation order, so everything
 * derived from the graph is deterministic.
 *
 * Cycles: Johnson's algorithm ("Finding all the elementary circuits of a
 * directed graph", SIAM J. Comput. 4(1), 1975).  Tarjan's algorithm
 * splits the graph into strongly connected components once; then for
 * each start node s in id order, take the component of s in the
 * subgraph of nodes >= s (forward reachable from s and reaching s), and
 * enumerate the circuits through s with the blocked/B bookkeeping that
 * makes the search output-sensitive: O((n + e)(c + 1)) for c cycles.
 * Each cycle is found once, from its smallest node, which is the
 * canonical rotation.  Before Johnson, a breadth-first pass records the
 * shortest circuit through each start, so that when the cap stops the
 * search (a dense component can hold more cycles than anyone could
 * read) the cycles kept are the short ones.  Everything is iterative
 * (no recursion on graph depth).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/depgraph.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/units.h"
#include "core/xalloc.h"

struct dg_nodeint {
	struct dg_node	 pub;
	uint64_t	 hash;
	int		*out;		/* edge ids, insertion order */
	size_t		 nout, aout;
};

struct dg {
	struct arena		  arena;
	struct dg_nodeint	**nodes;
	size_t			  nnodes, anodes;
	struct dg_edge		**edges;
	size_t			  nedges, aedges;
	int			 *ntab;		/* node ids by key; -1 free */
	size_t			  ntabsz;	/* a power of two */
	int			 *etab;		/* edge ids by (from, to) */
	size_t			  etabsz;
	const char		**stab;		/* interned site strings */
	size_t			  stabsz, nstr;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t
hash_pair(int a, int b)
{
	uint64_t h = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;

	/* splitmix64's finaliser: every input bit reaches every output bit. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

static int *
table_new(size_t size)
{
	int *t = xcalloc(size, sizeof(*t));

	for (size_t i = 0; i < size; i++)
		t[i] = -1;
	return t;
}

struct dg *
dg_new(void)
{
	struct dg *g = xcalloc(1, sizeof(*g));

	arena_init(&g->arena, 0);
	g->ntabsz = 64;
	g->ntab = table_new(g->ntabsz);
	g->etabsz = 64;
	g->etab = table_new(g->etabsz);
	return g;
}

void
dg_free(struct dg *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->nnodes; i++)
		free(g->nodes[i]->out);
	free(g->nodes);
	free(g->edges);
	free(g->ntab);
	free(g->etab);
	free(g->stab);
	arena_release(&g->arena);
	free(g);
}

/* ---- nodes ------------------------------------------------------------- */

static size_t
node_slot(const struct dg *g, const char *key, uint64_t h)
{
	size_t mask = g->ntabsz - 1, i = (size_t)h & mask;

	while (g->ntab[i] != -1) {
		const struct dg_nodeint *n = g->nodes[g->ntab[i]];
		if (n->hash == h && strcmp(n->pub.key, key) == 0)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

static void
node_rehash(struct dg *g)
{
	free(g->ntab);
	g->ntabsz *= 2;
	g->ntab = table_new(g->ntabsz);
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct dg_nodeint *n = g->nodes[i];
		g->ntab[node_slot(g, n->pub.key, n->hash)] = (int)i;
	}
}

int
dg_find(const struct dg *g, const char *key)
{
	return g->ntab[node_slot(g, key, hash_str(key))];
}

int
dg_node(struct dg *g, enum dg_node_kind kind, const char *key,
    const char *label)
{
	uint64_t h = hash_str(key);
	size_t slot = node_slot(g, key, h);
	struct dg_nodeint *n;

	if (g->ntab[slot] != -1)
		return g->ntab[slot];
	n = arena_zalloc(&g->arena, sizeof(*n));
	n->pub.id = (int)g->nnodes;
	n->pub.kind = kind;
	n->pub.key = arena_strdup(&g->arena, key);
	n->pub.label = arena_strdup(&g->arena, label != NULL ? label : key);
	n->hash = h;
	XGROW(g->nodes, g->nnodes + 1, g->anodes);
	g->nodes[g->nnodes++] = n;
	g->ntab[slot] = n->pub.id;
	if (2 * g->nnodes > g->ntabsz)
		node_rehash(g);
	return n->pub.id;
}

/* ---- edges ------------------------------------------------------------- */

static size_t
edge_slot(const struct dg *g, int from, int to)
{
	size_t mask = g->etabsz - 1, i = (size_t)hash_pair(from, to) & mask;

	while (g->etab[i] != -1) {
		const struct dg_edge *e = g->edges[g->etab[i]];
		if (e->from == from && e->to == to)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

static void
edge_rehash(struct dg *g)
{
	free(g->etab);
	g->etabsz *= 2;
	g->etab = table_new(g->etabsz);
	for (size_t i = 0; i < g->nedges; i++)
		g->etab[edge_slot(g, g->edges[i]->from, g->edges[i]->to)] =
		    (int)i;
}

int
dg_edge_find(const struct dg *g, int from, int to)
{
	return g->etab[edge_slot(g, from, to)];
}

/*
 * The graph's copy of s ("" for NULL).  Site strings repeat (one wait
 * adds an edge from every resource held, all with the same site), so
 * they are interned: each distinct string is stored once.
 */
static const char *
copy_or_empty(struct dg *g, const char *s)
{
	size_t mask, i;

	if (s == NULL || s[0] == '\0')
		return "";
	if (2 * (g->nstr + 1) > g->stabsz) {
		const char **old = g->stab;
		size_t oldsz = g->stabsz;
		g->stabsz = oldsz == 0 ? 64 : 2 * oldsz;
		g->stab = xcalloc(g->stabsz, sizeof(*g->stab));
		for (size_t k = 0; k < oldsz; k++) {
			if (old[k] == NULL)
				continue;
			i = (size_t)hash_str(old[k]) & (g->stabsz - 1);
			while (g->stab[i] != NULL)
				i = (i + 1) & (g->stabsz - 1);
			g->stab[i] = old[k];
		}
		free(old);
	}
	mask = g->stabsz - 1;
	for (i = (size_t)hash_str(s) & mask; g->stab[i] != NULL;
	    i = (i + 1) & mask)
		if (strcmp(g->stab[i], s) == 0)
			return g->stab[i];
	g->nstr++;
	return g->stab[i] = arena_strdup(&g->arena, s);
}

int
dg_edge(struct dg *g, int from, int to, enum dg_edge_kind kind,
    const struct dg_site *site)
{
	size_t slot;
	struct dg_edge *e;
	struct dg_nodeint *src;

	if (from < 0 || (size_t)from >= g->nnodes || to < 0 ||
	    (size_t)to >= g->nnodes)
		BUG("dg_edge: bad node id (%d -> %d)", from, to);
	slot = edge_slot(g, from, to);
	if (g->etab[slot] != -1) {
		e = g->edges[g->etab[slot]];
		e->count++;
		return e->id;
	}
	e = arena_zalloc(&g->arena, sizeof(*e));
	e->id = (int)g->nedges;
	e->from = from;
	e->to = to;
	e->kind = kind;
	e->time = site != NULL ? site->time : DG_STATIC;
	e->where = copy_or_empty(g, site != NULL ? site->where : NULL);
	e->who = copy_or_empty(g, site != NULL ? site->who : NULL);
	e->what = copy_or_empty(g, site != NULL ? site->what : NULL);
	e->count = 1;
	XGROW(g->edges, g->nedges + 1, g->aedges);
	g->edges[g->nedges++] = e;
	g->etab[slot] = e->id;
	src = g->nodes[from];
	XGROW(src->out, src->nout + 1, src->aout);
	src->out[src->nout++] = e->id;
	if (2 * g->nedges > g->etabsz)
		edge_rehash(g);
	return e->id;
}

size_t
dg_nnodes(const struct dg *g)
{
	return g->nnodes;
}

size_t
dg_nedges(const struct dg *g)
{
	return g->nedges;
}

const struct dg_node *
dg_node_at(const struct dg *g, int id)
{
	if (id < 0 || (size_t)id >= g->nnodes)
		return NULL;
	return &g->nodes[id]->pub;
}

const struct dg_edge *
dg_edge_at(const struct dg *g, int id)
{
	if (id < 0 || (size_t)id >= g->nedges)
		return NULL;
	return g->edges[id];
}

const char *
dg_node_kind_name(enum dg_node_kind k)
{
	static const char *const names[] = {
		"queue", "lock", "flag", "service", "message", "handler",
		"event", "other"
	};

	return (size_t)k < sizeof(names) / sizeof(names[0]) ? names[k] :
	    "other";
}

const char *
dg_edge_kind_name(enum dg_edge_kind k)
{
	static const char *const names[] = {
		"calls", "raises", "delivered to", "waits for", "lock order"
	};

	return (size_t)k < sizeof(names) / sizeof(names[0]) ? names[k] :
	    "waits for";
}

/* ---- cycles (Johnson) -------------------------------------------------- */

/* An int stack / list. */
struct ivec {
	int	*v;
	size_t	 n, alloc;
};

static void
ivec_push(struct ivec *s, int x)
{
	XGROW(s->v, s->n + 1, s->alloc);
	s->v[s->n++] = x;
}

/* One frame of the iterative circuit() of Johnson's paper. */
struct jframe {
	int	 v;
	size_t	 next;		/* next out-edge of v to try */
	int	 found;		/* a circuit through s was found below v */
};

/* Search state; every array is indexed by node id. */
struct johnson {
	const struct dg		*g;
	size_t			 n;
	int			 s;		/* the current start node */
	unsigned char		*comp;		/* in s's component (>= s) */
	unsigned char		*blocked;
	struct ivec		*b;		/* Johnson's B lists */
	struct ivec		*in;		/* in-edge ids of each node */
	struct ivec		 path;		/* node ids from s */
	struct ivec		 pathe;		/* edge ids along path */
	struct jframe		*frames;
	size_t			 nframes, aframes;
	struct ivec		 work;
	struct ivec		 touched;	/* marked for this start */
	unsigned char		*mark;
	int			*scc;		/* global SCC id of each node */
	int			*via;		/* BFS: edge reaching a node */
	int			*first;		/* out->v index of shortest */
	struct dg_cycles	*out;
	size_t			 alloc;
	size_t			 cap;
};

/*
 * scc[v] := the strongly connected component of v in the whole graph
 * (Tarjan's algorithm, iteratively).  A cycle never leaves a component,
 * so the per-start searches below stay inside one: a graph that is
 * mostly acyclic costs O(n + e), not O(n (n + e)).
 */
static void
tarjan(struct johnson *j)
{
	const struct dg *g = j->g;
	size_t n = j->n, counter = 0;
	int *index = xreallocarray(NULL, n, sizeof(int));
	int *low = xreallocarray(NULL, n, sizeof(int));
	size_t *next = xcalloc(n, sizeof(size_t));
	struct ivec stack = { NULL, 0, 0 }, call = { NULL, 0, 0 };
	int nscc = 0;

	for (size_t v = 0; v < n; v++)
		index[v] = -1;
	for (size_t root = 0; root < n; root++) {
		if (index[root] != -1)
			continue;
		ivec_push(&call, (int)root);
		while (call.n > 0) {
			int v = call.v[call.n - 1];
			const struct dg_nodeint *x = g->nodes[v];
			if (next[v] == 0 && index[v] == -1) {
				index[v] = low[v] = (int)counter++;
				ivec_push(&stack, v);
				j->mark[v] = 1;		/* on the stack */
			}
			if (next[v] < x->nout) {
				int w = g->edges[x->out[next[v]++]]->to;
				if (index[w] == -1)
					ivec_push(&call, w);
				else if (j->mark[w] && index[w] < low[v])
					low[v] = index[w];
				continue;
			}
			call.n--;
			if (call.n > 0) {
				int u = call.v[call.n - 1];
				if (low[v] < low[u])
					low[u] = low[v];
			}
			if (low[v] == index[v]) {
				int w;
				do {
					w = stack.v[--stack.n];
					j->mark[w] = 0;
					j->scc[w] = nscc;
				} while (w != v);
				nscc++;
			}
		}
	}
	free(index);
	free(low);
	free(next);
	free(stack.v);
	free(call.v);
}

/*
 * comp[] := the strongly connected component of s in the subgraph of the
 * nodes >= s: forward reachable from s and reaching it.  Returns whether
 * the component can hold a circuit (two nodes, or s with a self-loop).
 */
static int
scc_of(struct johnson *j)
{
	const struct dg *g = j->g;
	int s = j->s, selfloop = 0;
	size_t size = 0;

	/* Clear what the previous start left (same component only). */
	for (size_t i = 0; i < j->touched.n; i++)
		j->mark[j->touched.v[i]] = j->comp[j->touched.v[i]] = 0;
	j->touched.n = 0;
	j->work.n = 0;
	ivec_push(&j->work, s);
	ivec_push(&j->touched, s);
	j->mark[s] = 1;
	while (j->work.n > 0) {
		const struct dg_nodeint *x = g->nodes[j->work.v[--j->work.n]];
		for (size_t i = 0; i < x->nout; i++) {
			int w = g->edges[x->out[i]]->to;
			if (w == s && x->pub.id == s)
				selfloop = 1;
			if (w >= s && !j->mark[w] && j->scc[w] == j->scc[s]) {
				j->mark[w] = 1;
				ivec_push(&j->work, w);
				ivec_push(&j->touched, w);
			}
		}
	}
	ivec_push(&j->work, s);
	j->comp[s] = 1;
	while (j->work.n > 0) {
		int x = j->work.v[--j->work.n];
		size++;
		for (size_t i = 0; i < j->in[x].n; i++) {
			int w = g->edges[j->in[x].v[i]]->from;
			if (w >= s && j->mark[w] && !j->comp[w]) {
				j->comp[w] = 1;
				ivec_push(&j->work, w);
			}
		}
	}
	return size > 1 || selfloop;
}

static void
unblock(struct johnson *j, int u)
{
	j->work.n = 0;
	ivec_push(&j->work, u);
	while (j->work.n > 0) {
		int x = j->work.v[--j->work.n];
		j->blocked[x] = 0;
		for (size_t i = 0; i < j->b[x].n; i++)
			if (j->blocked[j->b[x].v[i]])
				ivec_push(&j->work, j->b[x].v[i]);
		j->b[x].n = 0;
	}
}

/* Add a cycle (len nodes, len - 1 edges, closing edge e); 0 at the cap. */
static int
add(struct johnson *j, const int *nodes, const int *edges, size_t len, int e)
{
	struct dg_cycles *o = j->out;
	struct dg_cycle *c;

	if (o->n == j->cap) {
		o->truncated = 1;
		return 0;
	}
	XGROW(o->v, o->n + 1, j->alloc);
	c = &o->v[o->n++];
	c->len = len;
	c->nodes = xreallocarray(NULL, len, sizeof(int));
	c->edges = xreallocarray(NULL, len, sizeof(int));
	memcpy(c->nodes, nodes, len * sizeof(int));
	if (len > 1)
		memcpy(c->edges, edges, (len - 1) * sizeof(int));
	c->edges[len - 1] = e;
	return 1;
}

/*
 * Johnson found path + e: record it unless it is the shortest cycle of
 * this start, which the first pass recorded already.
 */
static int
emit(struct johnson *j, int e)
{
	int k = j->first[j->s];

	if (k >= 0 && j->out->v[k].len == j->path.n &&
	    memcmp(j->out->v[k].nodes, j->path.v, j->path.n * sizeof(int)) ==
	    0)
		return 1;
	return add(j, j->path.v, j->pathe.v, j->path.n, e);
}

/*
 * First pass: the shortest cycle through s in its component (breadth
 * first, like lockdep's search), so that a capped search still reports
 * the shortest story for every start before any long one.  Returns 0 at
 * the cap.
 */
static int
shortest(struct johnson *j)
{
	const struct dg *g = j->g;
	int s = j->s, close = -1, last = -1;
	struct ivec q = { NULL, 0, 0 };
	size_t head = 0, len = 0;
	int rc = 1;

	for (size_t i = 0; i < j->touched.n; i++)
		j->via[j->touched.v[i]] = -1;
	ivec_push(&q, s);
	while (head < q.n && close < 0) {
		const struct dg_nodeint *x = g->nodes[q.v[head++]];
		for (size_t i = 0; i < x->nout && close < 0; i++) {
			int e = x->out[i], w = g->edges[e]->to;
			if (w == s) {
				close = e;
				last = x->pub.id;
			} else if (j->comp[w] && j->via[w] < 0) {
				j->via[w] = e;
				ivec_push(&q, w);
			}
		}
	}
	if (close >= 0) {
		/* Walk back from last to s, filling path from the end. */
		for (int v = last; v != s; v = g->edges[j->via[v]]->from)
			len++;
		len++;
		j->path.n = j->pathe.n = 0;
		for (size_t i = 0; i < len; i++) {
			ivec_push(&j->path, 0);
			ivec_push(&j->pathe, 0);
		}
		for (size_t i = len - 1, v = (size_t)last; i > 0; i--) {
			j->path.v[i] = (int)v;
			j->pathe.v[i - 1] = j->via[v];
			v = (size_t)g->edges[j->via[v]]->from;
		}
		j->path.v[0] = s;
		j->first[s] = (int)j->out->n;
		rc = add(j, j->path.v, j->pathe.v, len, close);
		if (!rc)
			j->first[s] = -1;
	}
	free(q.v);
	return rc;
}

static void
push_frame(struct johnson *j, int v, int via)
{
	XGROW(j->frames, j->nframes + 1, j->aframes);
	j->frames[j->nframes].v = v;
	j->frames[j->nframes].next = 0;
	j->frames[j->nframes].found = 0;
	j->nframes++;
	j->blocked[v] = 1;
	ivec_push(&j->path, v);
	if (via >= 0)
		ivec_push(&j->pathe, via);
}

/* Johnson's CIRCUIT(s), iteratively.  Returns 0 when the cap stopped it. */
static int
circuits(struct johnson *j)
{
	const struct dg *g = j->g;

	j->path.n = j->pathe.n = 0;
	push_frame(j, j->s, -1);
	while (j->nframes > 0) {
		struct jframe *f = &j->frames[j->nframes - 1];
		const struct dg_nodeint *v = g->nodes[f->v];

		if (f->next < v->nout) {
			int e = v->out[f->next++];
			int w = g->edges[e]->to;
			if (!j->comp[w])
				continue;
			if (w == j->s) {
				if (!emit(j, e))
					return 0;
				f->found = 1;
			} else if (!j->blocked[w])
				push_frame(j, w, e);
			continue;
		}
		if (f->found)
			unblock(j, f->v);
		else {
			for (size_t i = 0; i < v->nout; i++) {
				int w = g->edges[v->out[i]]->to;
				struct ivec *bw = &j->b[w];
				size_t k;
				if (!j->comp[w])
					continue;
				for (k = 0; k < bw->n && bw->v[k] != f->v; k++)
					;
				if (k == bw->n)
					ivec_push(bw, f->v);
			}
		}
		j->path.n--;
		if (j->pathe.n > 0 && j->nframes > 1)
			j->pathe.n--;
		if (--j->nframes > 0 && f->found)
			j->frames[j->nframes - 1].found = 1;
	}
	return 1;
}

static int
cycle_cmp(const void *a, const void *b)
{
	const struct dg_cycle *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	for (size_t i = 0; i < x->len; i++)
		if (x->nodes[i] != y->nodes[i])
			return x->nodes[i] < y->nodes[i] ? -1 : 1;
	return 0;
}

size_t
dg_cycles(const struct dg *g, size_t cap, struct dg_cycles *out)
{
	struct johnson j;
	size_t n = g->nnodes;

	memset(out, 0, sizeof(*out));
	out->cap = cap != 0 ? cap : DG_CYCLES_CAP;
	if (n == 0)
		return 0;
	memset(&j, 0, sizeof(j));
	j.g = g;
	j.n = n;
	j.out = out;
	j.cap = out->cap;
	j.comp = xcalloc(n, 1);
	j.blocked = xcalloc(n, 1);
	j.mark = xcalloc(n, 1);
	j.b = xcalloc(n, sizeof(*j.b));
	j.in = xcalloc(n, sizeof(*j.in));
	j.scc = xreallocarray(NULL, n, sizeof(int));
	for (size_t i = 0; i < g->nedges; i++)
		ivec_push(&j.in[g->edges[i]->to], (int)i);
	j.via = xreallocarray(NULL, n, sizeof(int));
	j.first = xreallocarray(NULL, n, sizeof(int));
	for (size_t i = 0; i < n; i++)
		j.first[i] = -1;
	tarjan(&j);
	/* The shortest cycle of every start first, then all the others. */
	for (size_t s = 0; s < n; s++) {
		j.s = (int)s;
		if (scc_of(&j) && !shortest(&j))
			break;
	}
	for (size_t s = 0; s < n && !out->truncated; s++) {
		j.s = (int)s;
		if (!scc_of(&j))
			continue;
		for (size_t i = 0; i < j.touched.n; i++) {
			j.blocked[j.touched.v[i]] = 0;
			j.b[j.touched.v[i]].n = 0;
		}
		if (!circuits(&j))
			break;
	}
	for (size_t i = 0; i < n; i++) {
		free(j.b[i].v);
		free(j.in[i].v);
	}
	free(j.b);
	free(j.in);
	free(j.comp);
	free(j.blocked);
	free(j.mark);
	free(j.path.v);
	free(j.pathe.v);
	free(j.work.v);
	free(j.touched.v);
	free(j.scc);
	free(j.via);
	free(j.first);
	free(j.frames);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cycle_cmp);
	return out->n;
}

void
dg_cycles_release(struct dg_cycles *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].nodes);
		free(c->v[i].edges);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* ---- scenarios --------------------------------------------------------- */

/* A growing string. */
struct sbuf {
	char	*s;
	size_t	 n, alloc;
};

static void
sb_printf(struct sbuf *b, const char *fmt, ...) ESSIM_PRINTF(2, 3);

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		BUG("vsnprintf failed");
	XGROW(b->s, b->n + (size_t)len + 1, b->alloc);
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, (size_t)len + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)len;
}

char *
dg_cycle_scenario(const struct dg *g, const struct dg_cycle *c, size_t start,
    int indent, const char *ending)
{
	struct sbuf b = { NULL, 0, 0 };
	char t[UNITS_DURATION_MAX];

	sb_printf(&b, "%s", "");
	for (size_t k = 0; k < c->len; k++) {
		const struct dg_edge *e = g->edges[c->edges[(start + k) %
		    c->len]];
		const struct dg_node *to = &g->nodes[e->to]->pub;
		size_t holder = (k + 1) % c->len + 1;

		sb_printf(&b, "%*s%zu. %s", indent, "", k + 1,
		    e->who[0] != '\0' ? e->who :
		    g->nodes[e->from]->pub.label);
		if (e->time != DG_STATIC)
			sb_printf(&b, "  at %s",
			    units_format_duration(e->time, t, sizeof(t)));
		if (e->where[0] != '\0')
			sb_printf(&b, "  %s", e->where);
		sb_printf(&b, "\n%*s%s", indent + 5, "", e->what);
		if (e->what[0] == '\0')
			sb_printf(&b, "%s %s", dg_edge_kind_name(e->kind),
			    to->label);
		if (to->kind == DG_NODE_QUEUE || to->kind == DG_NODE_LOCK)
			sb_printf(&b, ", held by step %zu", holder);
		else if (to->kind == DG_NODE_FLAG)
			sb_printf(&b, ", which step %zu sets only after its "
			    "wait", holder);
		if (k + 1 == c->len)
			sb_printf(&b, " -> %s", ending != NULL ? ending :
			    "*** DEADLOCK ***");
		sb_printf(&b, "\n");
	}
	return b.s;
}
