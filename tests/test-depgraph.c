/*
 * test-depgraph.c - the class dependency graph: interning, edge
 * deduplication, and the cycle search on graphs whose cycle sets are
 * known exactly (rings, figure-eights, self-loops, complete digraphs,
 * DAGs), against a brute-force oracle on random graphs, with the cap,
 * canonical rotation, deterministic order and the scenario text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/depgraph.h"
#include "core/rng.h"

/* Nodes "n0".."n{k-1}", created in id order. */
static struct dg *
graph_of(int k)
{
	struct dg *g = dg_new();
	char key[32];

	for (int i = 0; i < k; i++) {
		snprintf(key, sizeof(key), "n%d", i);
		assert_int_equal(dg_node(g, DG_NODE_OTHER, key, NULL), i);
	}
	return g;
}

static void
add(struct dg *g, int a, int b)
{
	dg_edge(g, a, b, DG_EDGE_WAITS, NULL);
}

/* The cycle as "0>1>2" for comparisons. */
static void
cycle_str(const struct dg_cycle *c, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < c->len && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%d",
		    i ? ">" : "", c->nodes[i]);
}

/* Every cycle's edges join its nodes in order. */
static void
check_edges(const struct dg *g, const struct dg_cycles *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		const struct dg_cycle *c = &cs->v[i];
		for (size_t k = 0; k < c->len; k++) {
			const struct dg_edge *e = dg_edge_at(g, c->edges[k]);
			assert_int_equal(e->from, c->nodes[k]);
			assert_int_equal(e->to, c->nodes[(k + 1) % c->len]);
			assert_true(c->nodes[k] >= c->nodes[0]);
		}
	}
}

static void
expect_cycles(struct dg *g, const char *const *want, size_t nwant)
{
	struct dg_cycles cs;
	char buf[256];

	assert_int_equal(dg_cycles(g, 0, &cs), nwant);
	assert_false(cs.truncated);
	check_edges(g, &cs);
	for (size_t i = 0; i < nwant; i++) {
		cycle_str(&cs.v[i], buf, sizeof(buf));
		assert_string_equal(buf, want[i]);
	}
	dg_cycles_release(&cs);
}

static void
test_intern_nodes(void **state)
{
	struct dg *g = dg_new();
	char key[32];

	(void)state;
	assert_int_equal(dg_node(g, DG_NODE_QUEUE, "q:acme/delivery",
	    "acme delivery queue"), 0);
	assert_int_equal(dg_node(g, DG_NODE_LOCK, "l:acme/db", NULL), 1);
	assert_int_equal(dg_node(g, DG_NODE_LOCK, "q:acme/delivery",
	    "other label"), 0);
	assert_string_equal(dg_node_at(g, 0)->label, "acme delivery queue");
	assert_int_equal(dg_node_at(g, 0)->kind, DG_NODE_QUEUE);
	assert_string_equal(dg_node_at(g, 1)->label, "l:acme/db");
	assert_int_equal(dg_find(g, "l:acme/db"), 1);
	assert_int_equal(dg_find(g, "nope"), -1);
	assert_null(dg_node_at(g, 2));
	assert_null(dg_node_at(g, -1));
	/* Enough nodes to grow the table several times. */
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(dg_node(g, DG_NODE_OTHER, key, NULL), i + 2);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(dg_find(g, key), i + 2);
	}
	assert_int_equal(dg_nnodes(g), 5002);
	dg_free(g);
}

static void
test_duplicate_edges_counted(void **state)
{
	struct dg *g = graph_of(3);
	struct dg_site s1 = { DG_STATIC, "/a/0", "first", "calls x" };
	struct dg_site s2 = { 5, "/b/1", "second", "calls y" };
	const struct dg_edge *e;
	int id;

	(void)state;
	id = dg_edge(g, 0, 1, DG_EDGE_CALLS, &s1);
	assert_int_equal(id, 0);
	assert_int_equal(dg_edge(g, 0, 1, DG_EDGE_RAISES, &s2), id);
	assert_int_equal(dg_edge(g, 0, 1, DG_EDGE_RAISES, NULL), id);
	assert_int_equal(dg_edge(g, 1, 0, DG_EDGE_WAITS, NULL), 1);
	assert_int_equal(dg_nedges(g), 2);
	e = dg_edge_at(g, id);
	assert_int_equal(e->count, 3);
	assert_int_equal(e->kind, DG_EDGE_CALLS);
	assert_int_equal(e->time, DG_STATIC);
	assert_string_equal(e->where, "/a/0");
	assert_string_equal(e->who, "first");
	assert_string_equal(e->what, "calls x");
	e = dg_edge_at(g, 1);
	assert_string_equal(e->where, "");
	assert_int_equal(e->count, 1);
	assert_int_equal(dg_edge_find(g, 1, 0), 1);
	assert_int_equal(dg_edge_find(g, 2, 0), -1);
	assert_null(dg_edge_at(g, 2));
	/* The duplicates add no cycle: 0 <-> 1 is one. */
	{
		static const char *const want[] = { "0>1" };
		expect_cycles(g, want, 1);
	}
	dg_free(g);
}

static void
test_no_cycles(void **state)
{
	struct dg *g = graph_of(6);
	struct dg_cycles cs;

	(void)state;
	/* A DAG with a diamond and a long chord. */
	add(g, 0, 1);
	add(g, 0, 2);
	add(g, 1, 3);
	add(g, 2, 3);
	add(g, 3, 4);
	add(g, 0, 5);
	add(g, 5, 4);
	add(g, 1, 4);
	assert_int_equal(dg_cycles(g, 0, &cs), 0);
	assert_false(cs.truncated);
	dg_cycles_release(&cs);
	dg_free(g);
	g = dg_new();
	assert_int_equal(dg_cycles(g, 0, &cs), 0);
	dg_cycles_release(&cs);
	dg_free(g);
}

static void
test_self_loops(void **state)
{
	static const char *const want[] = { "1", "3", "1>2" };
	struct dg *g = graph_of(4);

	(void)state;
	add(g, 3, 3);
	add(g, 1, 1);
	add(g, 1, 2);
	add(g, 2, 1);
	add(g, 0, 1);
	expect_cycles(g, want, 3);
	dg_free(g);
}

static void
test_ring_rotation(void **state)
{
	static const char *const want[] = { "0>2>3>1>4" };
	struct dg *g = graph_of(5);

	(void)state;
	/* The ring 3 -> 1 -> 4 -> 0 -> 2 -> 3, inserted from the middle. */
	add(g, 4, 0);
	add(g, 3, 1);
	add(g, 0, 2);
	add(g, 1, 4);
	add(g, 2, 3);
	expect_cycles(g, want, 1);
	dg_free(g);
}

static void
test_figure_eight(void **state)
{
	/* Two rings through node 2: 0>1>2>0 and 2>3>4>2; plus a tail. */
	static const char *const want[] = { "0>1>2", "2>3>4" };
	struct dg *g = graph_of(6);

	(void)state;
	add(g, 0, 1);
	add(g, 1, 2);
	add(g, 2, 0);
	add(g, 2, 3);
	add(g, 3, 4);
	add(g, 4, 2);
	add(g, 4, 5);
	expect_cycles(g, want, 2);
	dg_free(g);
}

static void
test_two_components_sorted(void **state)
{
	/* Sorted by length, then node ids: 5>6 comes before 0>1>2. */
	static const char *const want[] = {
		"0>2", "1>2", "5>6", "0>1>2", "0>2>3>4", "0>1>2>3>4"
	};
	struct dg *g = graph_of(7);

	(void)state;
	add(g, 5, 6);
	add(g, 0, 1);
	add(g, 1, 2);
	add(g, 2, 0);
	add(g, 2, 3);
	add(g, 3, 4);
	add(g, 4, 0);
	add(g, 0, 2);
	add(g, 2, 1);
	add(g, 6, 5);
	expect_cycles(g, want, 6);
	dg_free(g);
}

/* Complete digraph on k nodes: sum over m of C(k,m)(m-1)! cycles. */
static void
test_complete_digraph_and_cap(void **state)
{
	struct dg *g = graph_of(5);
	struct dg_cycles cs;

	(void)state;
	for (int a = 0; a < 5; a++)
		for (int b = 0; b < 5; b++)
			if (a != b)
				add(g, a, b);
	/* 10 + 20 + 30 + 24 */
	assert_int_equal(dg_cycles(g, 0, &cs), 84);
	assert_false(cs.truncated);
	check_edges(g, &cs);
	dg_cycles_release(&cs);
	assert_int_equal(dg_cycles(g, 84, &cs), 84);
	assert_false(cs.truncated);
	assert_int_equal(cs.cap, 84);
	dg_cycles_release(&cs);
	assert_int_equal(dg_cycles(g, 10, &cs), 10);
	assert_true(cs.truncated);
	dg_cycles_release(&cs);
	dg_free(g);
}

/* A capped search keeps the shortest cycle of each start node first. */
static void
test_cap_keeps_shortest(void **state)
{
	struct dg *g = graph_of(7);
	struct dg_cycles cs;
	char buf[64];

	(void)state;
	/* Depth first from 0 meets the long ring before the short one. */
	add(g, 0, 1);
	add(g, 1, 2);
	add(g, 2, 3);
	add(g, 3, 4);
	add(g, 4, 0);
	add(g, 0, 5);
	add(g, 5, 0);
	add(g, 2, 6);
	add(g, 6, 2);
	assert_int_equal(dg_cycles(g, 1, &cs), 1);
	assert_true(cs.truncated);
	cycle_str(&cs.v[0], buf, sizeof(buf));
	assert_string_equal(buf, "0>5");
	dg_cycles_release(&cs);
	/* Two: the shortest of start 0, then that of start 2. */
	assert_int_equal(dg_cycles(g, 2, &cs), 2);
	assert_true(cs.truncated);
	cycle_str(&cs.v[0], buf, sizeof(buf));
	assert_string_equal(buf, "0>5");
	cycle_str(&cs.v[1], buf, sizeof(buf));
	assert_string_equal(buf, "2>6");
	dg_cycles_release(&cs);
	assert_int_equal(dg_cycles(g, 0, &cs), 3);
	assert_false(cs.truncated);
	cycle_str(&cs.v[2], buf, sizeof(buf));
	assert_string_equal(buf, "0>1>2>3>4");
	dg_cycles_release(&cs);
	dg_free(g);
}

/*
 * Oracle: count elementary cycles by brute force (DFS over simple paths
 * from each start s through nodes > s back to s).
 */
static size_t
brute(const int *adj, int k, int s, int v, unsigned char *on)
{
	size_t n = 0;

	for (int w = 0; w < k; w++) {
		if (!adj[v * k + w])
			continue;
		if (w == s)
			n++;
		else if (w > s && !on[w]) {
			on[w] = 1;
			n += brute(adj, k, s, w, on);
			on[w] = 0;
		}
	}
	return n;
}

static void
test_random_against_oracle(void **state)
{
	struct rng r;

	(void)state;
	rng_init(&r, 7, "test-depgraph");
	for (int round = 0; round < 200; round++) {
		int k = 2 + (int)rng_below(&r, 8);
		int *adj = calloc((size_t)(k * k), sizeof(int));
		unsigned char on[16] = { 0 };
		struct dg *g = graph_of(k), *h = graph_of(k);
		struct dg_cycles cs, ch;
		size_t want = 0;
		int p = 10 + (int)rng_below(&r, 40);	/* edge percent */

		for (int a = 0; a < k; a++)
			for (int b = 0; b < k; b++)
				if ((int)rng_below(&r, 100) < p) {
					adj[a * k + b] = 1;
					add(g, a, b);
				}
		/* The same graph, edges inserted in reverse order. */
		for (int a = k - 1; a >= 0; a--)
			for (int b = k - 1; b >= 0; b--)
				if (adj[a * k + b])
					add(h, a, b);
		for (int s = 0; s < k; s++)
			want += brute(adj, k, s, s, on);
		assert_int_equal(dg_cycles(g, 100000, &cs), want);
		assert_int_equal(dg_cycles(h, 100000, &ch), want);
		check_edges(g, &cs);
		for (size_t i = 0; i < cs.n; i++) {
			assert_int_equal(cs.v[i].len, ch.v[i].len);
			assert_memory_equal(cs.v[i].nodes, ch.v[i].nodes,
			    cs.v[i].len * sizeof(int));
			if (i > 0)
				assert_true(cs.v[i - 1].len <= cs.v[i].len);
		}
		dg_cycles_release(&cs);
		dg_cycles_release(&ch);
		dg_free(g);
		dg_free(h);
		free(adj);
	}
}

static void
test_scenario_text(void **state)
{
	struct dg *g = dg_new();
	int dq = dg_node(g, DG_NODE_QUEUE, "q:acme/delivery",
	    "acme delivery queue");
	int sv = dg_node(g, DG_NODE_SERVICE, "s:syspolicyd.assess",
	    "syspolicyd.assess");
	int msg = dg_node(g, DG_NODE_MESSAGE, "m:acme:AUTH_OPEN",
	    "acme's answer to AUTH_OPEN");
	struct dg_site a = { DG_STATIC, "/clients/acme/handler/AUTH_OPEN/0",
	    "acme handler AUTH_OPEN on acme delivery queue",
	    "calls syspolicyd.assess (waits for reply)" };
	struct dg_site b = { DG_STATIC, "/daemons/syspolicyd/services/assess/1",
	    "syspolicyd.assess", "opens /x -> AUTH_OPEN, delivered to acme" };
	struct dg_site c = { 1500000, "", "AUTH_OPEN of /x for acme",
	    "waits for acme delivery queue" };
	struct dg_cycles cs;
	char *s;

	(void)state;
	dg_edge(g, dq, sv, DG_EDGE_CALLS, &a);
	dg_edge(g, sv, msg, DG_EDGE_RAISES, &b);
	dg_edge(g, msg, dq, DG_EDGE_DELIVERED, &c);
	assert_int_equal(dg_cycles(g, 0, &cs), 1);
	s = dg_cycle_scenario(g, &cs.v[0], 0, 2, NULL);
	assert_string_equal(s,
	    "  1. acme handler AUTH_OPEN on acme delivery queue  "
	    "/clients/acme/handler/AUTH_OPEN/0\n"
	    "       calls syspolicyd.assess (waits for reply)\n"
	    "  2. syspolicyd.assess  /daemons/syspolicyd/services/assess/1\n"
	    "       opens /x -> AUTH_OPEN, delivered to acme\n"
	    "  3. AUTH_OPEN of /x for acme  at 1.5ms\n"
	    "       waits for acme delivery queue, held by step 1 "
	    "-> *** DEADLOCK ***\n");
	free(s);
	/* Starting elsewhere renumbers; the queue's holder follows. */
	s = dg_cycle_scenario(g, &cs.v[0], 2, 0, "the end");
	assert_string_equal(s,
	    "1. AUTH_OPEN of /x for acme  at 1.5ms\n"
	    "     waits for acme delivery queue, held by step 2\n"
	    "2. acme handler AUTH_OPEN on acme delivery queue  "
	    "/clients/acme/handler/AUTH_OPEN/0\n"
	    "     calls syspolicyd.assess (waits for reply)\n"
	    "3. syspolicyd.assess  /daemons/syspolicyd/services/assess/1\n"
	    "     opens /x -> AUTH_OPEN, delivered to acme "
	    "-> the end\n");
	free(s);
	dg_cycles_release(&cs);
	dg_free(g);
}

static void
test_scenario_defaults(void **state)
{
	struct dg *g = dg_new();
	int a = dg_node(g, DG_NODE_LOCK, "l:a", "lock p/a");
	int f = dg_node(g, DG_NODE_FLAG, "f:ready", "flag ready");
	struct dg_cycles cs;
	char *s;

	(void)state;
	dg_edge(g, a, f, DG_EDGE_WAITS, NULL);
	dg_edge(g, f, a, DG_EDGE_LOCK_ORDER, NULL);
	assert_int_equal(dg_cycles(g, 0, &cs), 1);
	s = dg_cycle_scenario(g, &cs.v[0], 0, 0, NULL);
	assert_string_equal(s,
	    "1. lock p/a\n"
	    "     waits for flag ready, which step 2 sets only after its wait\n"
	    "2. flag ready\n"
	    "     lock order lock p/a, held by step 1 -> *** DEADLOCK ***\n");
	free(s);
	dg_cycles_release(&cs);
	assert_string_equal(dg_node_kind_name(DG_NODE_MESSAGE), "message");
	assert_string_equal(dg_edge_kind_name(DG_EDGE_DELIVERED),
	    "delivered to");
	dg_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intern_nodes),
		cmocka_unit_test(test_duplicate_edges_counted),
		cmocka_unit_test(test_no_cycles),
		cmocka_unit_test(test_self_loops),
		cmocka_unit_test(test_ring_rotation),
		cmocka_unit_test(test_figure_eight),
		cmocka_unit_test(test_two_components_sorted),
		cmocka_unit_test(test_complete_digraph_and_cap),
		cmocka_unit_test(test_cap_keeps_shortest),
		cmocka_unit_test(test_random_against_oracle),
		cmocka_unit_test(test_scenario_text),
		cmocka_unit_test(test_scenario_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
