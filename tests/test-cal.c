/*
 * test-cal.c - the event calendar, both kinds: pop order is the sorted
 * (time, seq) order of the nodes not cancelled, checked against a plain
 * reference on random workloads full of equal times and cancellations,
 * plus the edge cases (empty, cancel the minimum, cancel everything, push
 * at the current time while popping, the ends of the int64 range) and the
 * programmer errors that must BUG().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cal.h"
#include "core/rng.h"

struct item {
	struct cal_node	node;
	int		id;
	uint64_t	seq;		/* the reference's own counter */
	int		live;
};

/* The reference: the live items, searched linearly for (time, seq). */
struct ref {
	struct item	*items;
	int		 n;
	uint64_t	 seq;
	size_t		 live;
};

static struct cal *
cal_fixture(void **state)
{
	return *state;
}

static int
setup_radix(void **state)
{
	struct cal *c = malloc(sizeof(*c));

	cal_init_kind(c, CAL_RADIX);
	*state = c;
	return 0;
}

static int
setup_binary(void **state)
{
	struct cal *c = malloc(sizeof(*c));

	cal_init_kind(c, CAL_BINARY);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	cal_release(*state);
	free(*state);
	return 0;
}

static void
push(struct cal *c, struct ref *r, int id, int64_t t)
{
	struct item *it = &r->items[id];

	assert_false(cal_is_pending(&it->node));
	cal_push(c, &it->node, t);
	assert_true(cal_is_pending(&it->node));
	assert_int_equal(it->node.time, t);
	it->seq = r->seq++;
	it->live = 1;
	r->live++;
}

static struct item *
ref_min(struct ref *r)
{
	struct item *min = NULL;

	for (int i = 0; i < r->n; i++) {
		struct item *it = &r->items[i];

		if (!it->live)
			continue;
		if (min == NULL || it->node.time < min->node.time ||
		    (it->node.time == min->node.time && it->seq < min->seq))
			min = it;
	}
	return min;
}

/* Pop one node and check it is the reference's minimum. */
static struct item *
pop_check(struct cal *c, struct ref *r)
{
	struct item *want = ref_min(r);
	struct cal_node *peek = cal_peek(c);
	struct cal_node *got = cal_pop(c);

	if (want == NULL) {
		assert_null(peek);
		assert_null(got);
		return NULL;
	}
	assert_non_null(got);
	assert_ptr_equal(peek, got);
	assert_ptr_equal(got, &want->node);
	assert_false(cal_is_pending(got));
	want->live = 0;
	r->live--;
	assert_int_equal(cal_size(c), r->live);
	return want;
}

static void
cancel(struct cal *c, struct ref *r, int id)
{
	struct item *it = &r->items[id];

	cal_cancel(c, &it->node);
	assert_false(cal_is_pending(&it->node));
	it->live = 0;
	r->live--;
	assert_int_equal(cal_size(c), r->live);
}

static void
ref_init(struct ref *r, int n)
{
	r->items = calloc((size_t)n, sizeof(*r->items));
	r->n = n;
	r->seq = 0;
	r->live = 0;
	for (int i = 0; i < n; i++)
		r->items[i].id = i;
}

/*
 * A random mix of pushes (at a few distinct offsets from now, so that many
 * times are equal, and some far ahead), cancellations and pops.
 */
static void
random_workload(struct cal *c, uint64_t seed, int n, int ops, int64_t base)
{
	static const int64_t offsets[] = { 0, 0, 1, 1, 2, 3, 255, 256, 257,
	    65536, 1000000, 30000000000 };
	struct ref r;
	struct rng g;
	int64_t now = base;

	ref_init(&r, n);
	rng_init(&g, seed, "cal");
	for (int k = 0; k < ops; k++) {
		int id = (int)rng_below(&g, (uint64_t)n);
		struct item *it = &r.items[id];
		uint64_t op = rng_below(&g, 10);

		if (op < 5 && !it->live) {
			int64_t off = offsets[rng_below(&g,
			    sizeof(offsets) / sizeof(offsets[0]))];

			if (rng_below(&g, 4) == 0)
				off += (int64_t)rng_below(&g, 5000);
			push(c, &r, id, now + off);
		} else if (op < 7 && it->live) {
			cancel(c, &r, id);
		} else {
			struct item *p = pop_check(c, &r);

			if (p != NULL) {
				assert_true(p->node.time >= now);
				now = p->node.time;
			}
		}
	}
	while (pop_check(c, &r) != NULL)
		;
	assert_int_equal(cal_size(c), 0);
	free(r.items);
}

static void
test_random_against_reference(void **state)
{
	struct cal *c = cal_fixture(state);

	for (uint64_t seed = 1; seed <= 20; seed++) {
		random_workload(c, seed, 300, 20000, 0);
		cal_release(c);
		cal_init_kind(c, c->kind);
	}
}

static void
test_random_large_population(void **state)
{
	random_workload(cal_fixture(state), 99, 5000, 100000, 123456789);
}

static void
test_random_negative_and_huge_times(void **state)
{
	struct cal *c = cal_fixture(state);

	random_workload(c, 7, 200, 10000, INT64_MIN);
	cal_release(c);
	cal_init_kind(c, c->kind);
	random_workload(c, 8, 200, 10000, -5000);
	cal_release(c);
	cal_init_kind(c, c->kind);
	/* 10^4 offsets of at most ~3e10 stay below 2^50: no overflow. */
	random_workload(c, 9, 200, 10000, INT64_MAX - (INT64_C(1) << 50));
}

static void
test_empty(void **state)
{
	struct cal *c = cal_fixture(state);

	assert_int_equal(cal_size(c), 0);
	assert_null(cal_pop(c));
	assert_null(cal_peek(c));
	assert_null(cal_pop_until(c, INT64_MAX));
	assert_true(cal_peek_time(c) == INT64_MAX);
}

static void
test_ties_in_push_order(void **state)
{
	struct cal *c = cal_fixture(state);
	struct ref r;

	ref_init(&r, 8);
	/* Equal times reach bucket 0 from a higher bucket, interleaved. */
	push(c, &r, 0, 1000);
	push(c, &r, 1, 2000);
	push(c, &r, 2, 1000);
	push(c, &r, 3, 70000);
	push(c, &r, 4, 1000);
	assert_int_equal(pop_check(c, &r)->id, 0);
	push(c, &r, 5, 1000);		/* at the current time */
	push(c, &r, 6, 2000);
	assert_int_equal(pop_check(c, &r)->id, 2);
	assert_int_equal(pop_check(c, &r)->id, 4);
	assert_int_equal(pop_check(c, &r)->id, 5);
	assert_int_equal(pop_check(c, &r)->id, 1);
	assert_int_equal(pop_check(c, &r)->id, 6);
	assert_int_equal(pop_check(c, &r)->id, 3);
	assert_null(pop_check(c, &r));
	free(r.items);
}

static void
test_push_at_current_time_while_popping(void **state)
{
	struct cal *c = cal_fixture(state);
	struct ref r;

	ref_init(&r, 64);
	for (int i = 0; i < 4; i++)
		push(c, &r, i, 50);
	push(c, &r, 4, 60);
	/* Each pop at 50 pushes another node at 50: they queue behind. */
	for (int i = 0; i < 20; i++) {
		struct item *p = pop_check(c, &r);

		assert_true(p->node.time == 50);
		if (i < 16)
			push(c, &r, 5 + i, 50);
	}
	assert_int_equal(pop_check(c, &r)->id, 4);
	free(r.items);
}

static void
test_cancel_minimum(void **state)
{
	struct cal *c = cal_fixture(state);
	struct ref r;

	ref_init(&r, 8);
	push(c, &r, 0, 500000);
	push(c, &r, 1, 400000);
	push(c, &r, 2, 400001);
	push(c, &r, 3, 900000);
	cancel(c, &r, 1);		/* the minimum of its bucket */
	assert_true(cal_peek_time(c) == 400001);
	assert_int_equal(pop_check(c, &r)->id, 2);
	cancel(c, &r, 0);		/* the minimum again, after a pop */
	assert_int_equal(pop_check(c, &r)->id, 3);
	assert_null(pop_check(c, &r));
	free(r.items);
}

static void
test_cancel_everything(void **state)
{
	struct cal *c = cal_fixture(state);
	struct rng g;
	struct ref r;
	int order[500];

	ref_init(&r, 500);
	rng_init(&g, 3, "order");
	for (int i = 0; i < 500; i++) {
		push(c, &r, i, (int64_t)rng_below(&g, 1000) * 1000);
		order[i] = i;
	}
	for (int i = 499; i > 0; i--) {
		int j = (int)rng_below(&g, (uint64_t)i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < 500; i++)
		cancel(c, &r, order[i]);
	assert_int_equal(cal_size(c), 0);
	assert_null(cal_pop(c));
	/* Still usable, including the nodes just cancelled. */
	push(c, &r, 7, 5);
	push(c, &r, 8, 5);
	assert_int_equal(pop_check(c, &r)->id, 7);
	assert_int_equal(pop_check(c, &r)->id, 8);
	free(r.items);
}

/* Many cancellations in one bucket force a compaction; order survives. */
static void
test_compaction_keeps_order(void **state)
{
	struct cal *c = cal_fixture(state);
	struct ref r;

	ref_init(&r, 1000);
	for (int i = 0; i < 1000; i++)
		push(c, &r, i, 1000000 + (i % 3));
	for (int i = 0; i < 1000; i++)
		if (i % 10 != 0)
			cancel(c, &r, i);
	for (int i = 0; i < 1000; i += 20)
		cancel(c, &r, i);	/* slots moved by the compaction */
	while (pop_check(c, &r) != NULL)
		;
	free(r.items);
}

static void
test_int64_extremes(void **state)
{
	struct cal *c = cal_fixture(state);
	struct ref r;

	ref_init(&r, 8);
	push(c, &r, 0, INT64_MAX);
	push(c, &r, 1, INT64_MAX - 1);
	push(c, &r, 2, INT64_MIN);
	push(c, &r, 3, INT64_MAX);
	push(c, &r, 4, -1);
	push(c, &r, 5, 0);
	assert_int_equal(pop_check(c, &r)->id, 2);
	assert_int_equal(pop_check(c, &r)->id, 4);
	assert_int_equal(pop_check(c, &r)->id, 5);
	assert_int_equal(pop_check(c, &r)->id, 1);
	assert_int_equal(pop_check(c, &r)->id, 0);
	push(c, &r, 6, INT64_MAX);	/* at the current time */
	assert_int_equal(pop_check(c, &r)->id, 3);
	assert_int_equal(pop_check(c, &r)->id, 6);
	free(r.items);
}

/*
 * pop_until() that finds nothing due changes nothing: a later push between
 * the last popped time and the first pending one must come out first.
 */
static void
test_pop_until_leaves_calendar_alone(void **state)
{
	struct cal *c = cal_fixture(state);
	struct ref r;

	ref_init(&r, 8);
	push(c, &r, 0, 10);
	push(c, &r, 1, 100000);
	assert_int_equal(pop_check(c, &r)->id, 0);
	assert_null(cal_pop_until(c, 99999));
	assert_int_equal(cal_size(c), 1);
	assert_true(cal_peek_time(c) == 100000);
	push(c, &r, 2, 50000);
	assert_null(cal_pop_until(c, 49999));
	assert_ptr_equal(cal_pop_until(c, 50000), &r.items[2].node);
	r.items[2].live = 0;
	r.live--;
	assert_null(cal_pop_until(c, 50000));
	assert_int_equal(pop_check(c, &r)->id, 1);
	free(r.items);
}

/* The two kinds agree on one long run (each also checked above). */
static void
test_kinds_agree(void **state)
{
	struct cal a, b;
	struct cal_node *na, *nb;
	struct rng g;
	int64_t now = 0;

	(void)state;
	cal_init_kind(&a, CAL_RADIX);
	cal_init_kind(&b, CAL_BINARY);
	rng_init(&g, 11, "agree");
	na = calloc(2000, sizeof(*na));
	nb = calloc(2000, sizeof(*nb));
	for (int i = 0; i < 2000; i++) {
		int64_t t = (int64_t)rng_below(&g, 100) * 7;

		cal_push(&a, &na[i], t);
		cal_push(&b, &nb[i], t);
	}
	for (int k = 0; k < 200000; k++) {
		struct cal_node *pa = cal_pop(&a), *pb = cal_pop(&b);
		int64_t t;

		assert_int_equal(pa - na, pb - nb);
		assert_true(pa->time >= now);
		now = pa->time;
		t = now + (int64_t)rng_below(&g, 3) * (int64_t)rng_below(&g,
		    1000000);
		cal_push(&a, pa, t);
		cal_push(&b, pb, t);
	}
	cal_release(&a);
	cal_release(&b);
	free(na);
	free(nb);
}

/* Run fn in a child; true if it died of SIGABRT (a BUG()). */
static int
bugs_out(void (*fn)(enum cal_kind), enum cal_kind kind)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(1);
		fn(kind);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

static void
push_in_past(enum cal_kind kind)
{
	struct cal c;
	struct cal_node a = { 0 }, b = { 0 };

	cal_init_kind(&c, kind);
	cal_push(&c, &a, 100);
	cal_pop(&c);
	cal_push(&c, &b, 99);
}

static void
push_twice(enum cal_kind kind)
{
	struct cal c;
	struct cal_node a = { 0 };

	cal_init_kind(&c, kind);
	cal_push(&c, &a, 100);
	cal_push(&c, &a, 200);
}

static void
cancel_not_pending(enum cal_kind kind)
{
	struct cal c;
	struct cal_node a = { 0 };

	cal_init_kind(&c, kind);
	cal_push(&c, &a, 100);
	cal_pop(&c);
	cal_cancel(&c, &a);
}

static void
test_misuse_is_a_bug(void **state)
{
	enum cal_kind kind = cal_fixture(state)->kind;

	assert_true(bugs_out(push_in_past, kind));
	assert_true(bugs_out(push_twice, kind));
	assert_true(bugs_out(cancel_not_pending, kind));
}

#define BOTH(t)								\
	cmocka_unit_test_setup_teardown(t, setup_radix, teardown),	\
	cmocka_unit_test_setup_teardown(t, setup_binary, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_empty),
		BOTH(test_ties_in_push_order),
		BOTH(test_push_at_current_time_while_popping),
		BOTH(test_cancel_minimum),
		BOTH(test_cancel_everything),
		BOTH(test_compaction_keeps_order),
		BOTH(test_int64_extremes),
		BOTH(test_pop_until_leaves_calendar_alone),
		BOTH(test_random_against_reference),
		BOTH(test_random_large_population),
		BOTH(test_random_negative_and_huge_times),
		BOTH(test_misuse_is_a_bug),
		cmocka_unit_test(test_kinds_agree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
