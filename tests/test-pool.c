/*
 * test-pool.c - fixed-size object pools: objects are distinct, aligned
 * and fully usable, returned ones are reused before new memory is taken,
 * chunks are added as needed, and a capped pool dies with the message
 * that names the setting to raise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/pool.h"

struct obj {
	uint64_t	a;
	double		b;
	char		tail[13];
};

static int
aligned(const void *p)
{
	return (uintptr_t)p % _Alignof(max_align_t) == 0;
}

static void
test_objects_distinct_aligned_usable(void **state)
{
	struct pool p;
	struct obj *o[1000];

	(void)state;
	pool_init(&p, sizeof(struct obj), 7);	/* many small chunks */
	for (int i = 0; i < 1000; i++) {
		o[i] = pool_get(&p);
		assert_non_null(o[i]);
		assert_true(aligned(o[i]));
		memset(o[i], i & 0xff, sizeof(*o[i]));
	}
	assert_int_equal(pool_live(&p), 1000);
	/* No object overlaps another: every byte still holds its pattern. */
	for (int i = 0; i < 1000; i++)
		for (size_t k = 0; k < sizeof(*o[i]); k++)
			assert_int_equal(((unsigned char *)o[i])[k], i & 0xff);
	for (int i = 0; i < 1000; i++)
		pool_put(&p, o[i]);
	assert_int_equal(pool_live(&p), 0);
	pool_release(&p);
}

static void
test_reuse_before_growth(void **state)
{
	struct pool p;
	void *a, *b, *c;
	size_t fp;

	(void)state;
	pool_init(&p, 48, 4);
	a = pool_get(&p);
	b = pool_get(&p);
	fp = pool_footprint(&p);
	assert_true(fp >= 4 * 48);
	pool_put(&p, a);
	c = pool_get(&p);
	assert_ptr_equal(c, a);		/* last returned, first reused */
	pool_put(&p, b);
	pool_put(&p, c);
	for (int i = 0; i < 1000; i++) {
		void *x = pool_get(&p), *y = pool_get(&p);

		pool_put(&p, x);
		pool_put(&p, y);
	}
	assert_int_equal(pool_footprint(&p), fp);
	assert_int_equal(pool_live(&p), 0);
	pool_release(&p);
	assert_int_equal(pool_footprint(&p), 0);
}

static void
test_tiny_objects_and_release_reinit(void **state)
{
	struct pool p;
	char *x[100];

	(void)state;
	pool_init(&p, 0, 0);	/* size 0: still a distinct pointer each */
	for (int i = 0; i < 100; i++) {
		x[i] = pool_get(&p);
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(x[i], x[j]);
	}
	pool_release(&p);
	pool_init(&p, 100000, 0);	/* bigger than the default chunk */
	x[0] = pool_get(&p);
	memset(x[0], 1, 100000);
	x[1] = pool_get(&p);
	assert_true(x[1] >= x[0] + 100000 || x[0] >= x[1] + 100000);
	pool_release(&p);
}

static void
test_cap_allows_reuse(void **state)
{
	struct pool p;
	void *o[10];

	(void)state;
	pool_init(&p, 64, 3);
	pool_set_cap(&p, 10, "event", "--max-events");
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 10; i++)
			o[i] = pool_get(&p);
		for (int i = 0; i < 10; i++)
			pool_put(&p, o[i]);
	}
	assert_true(pool_footprint(&p) < 10 * 64 + 4 * 64 + 256);
	pool_release(&p);
}

static void
exhaust(void)
{
	struct pool p;

	pool_init(&p, 64, 0);
	pool_set_cap(&p, 1000, "event", "--max-events");
	for (int i = 0; i < 1001; i++)
		(void)pool_get(&p);
}

/* Run fn in a child with stderr captured: its exit status and message. */
static int
run_child(void (*fn)(void), char *msg, size_t size)
{
	int fd[2], st;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(fd), 0);
	pid = fork();
	if (pid == 0) {
		dup2(fd[1], 2);
		close(fd[0]);
		fn();
		_exit(0);
	}
	close(fd[1]);
	/* Read to EOF: stderr is unbuffered, the message comes in pieces. */
	while (len < size - 1 &&
	    (n = read(fd[0], msg + len, size - 1 - len)) > 0)
		len += (size_t)n;
	msg[len] = '\0';
	close(fd[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_cap_exhausted_names_setting(void **state)
{
	char msg[512];

	(void)state;
	assert_int_equal(run_child(exhaust, msg, sizeof(msg)), 3);
	assert_non_null(strstr(msg,
	    "event pool exhausted (1000); raise --max-events"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_objects_distinct_aligned_usable),
		cmocka_unit_test(test_reuse_before_growth),
		cmocka_unit_test(test_tiny_objects_and_release_reinit),
		cmocka_unit_test(test_cap_allows_reuse),
		cmocka_unit_test(test_cap_exhausted_names_setting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
