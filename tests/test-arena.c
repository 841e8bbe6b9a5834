/*
 * test-arena.c - the bump arena: every pointer is aligned for any type,
 * allocations never overlap (within a chunk, across chunks and for large
 * ones with a chunk of their own), strings are copied exactly, and the
 * arena is reusable after arena_release().
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

#include "core/arena.h"

static int
aligned(const void *p)
{
	return (uintptr_t)p % _Alignof(max_align_t) == 0;
}

struct blk {
	unsigned char	*p;
	size_t		 n;
};

/* Allocate sizes 0..n-1 (and some large ones), fill, check nothing moved. */
static void
fill_and_check(struct arena *a, int n)
{
	struct blk *b = calloc((size_t)n, sizeof(*b));

	for (int i = 0; i < n; i++) {
		b[i].n = (size_t)(i % 37 == 36 ? 50000 + i : i % 97);
		b[i].p = arena_alloc(a, b[i].n);
		assert_non_null(b[i].p);
		assert_true(aligned(b[i].p));
		memset(b[i].p, i & 0xff, b[i].n);
	}
	for (int i = 0; i < n; i++)
		for (size_t k = 0; k < b[i].n; k++)
			assert_int_equal(b[i].p[k], i & 0xff);
	for (int i = 1; i < n; i++)
		assert_ptr_not_equal(b[i].p, b[i - 1].p);
	free(b);
}

static void
test_alignment_and_no_overlap(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a, 4096);
	fill_and_check(&a, 2000);
	arena_release(&a);
	arena_init(&a, 0);
	fill_and_check(&a, 2000);
	arena_release(&a);
}

static void
test_large_allocations_keep_current_chunk(void **state)
{
	struct arena a = ARENA_INIT;
	char *s1, *big, *s2;

	(void)state;
	s1 = arena_alloc(&a, 16);
	big = arena_alloc(&a, 1 << 20);		/* a chunk of its own */
	memset(big, 0x5a, 1 << 20);
	s2 = arena_alloc(&a, 16);
	/* The small ones still come from one chunk, one after the other. */
	assert_ptr_equal(s2, s1 + 16 + (16 % _Alignof(max_align_t) == 0 ? 0 :
	    _Alignof(max_align_t) - 16 % _Alignof(max_align_t)));
	assert_true(big + (1 << 20) <= s1 || big >= s2 + 16);
	assert_true(arena_used(&a) >= (1 << 20) + 32);
	arena_release(&a);
	assert_int_equal(arena_used(&a), 0);
}

static void
test_zero_size_distinct(void **state)
{
	struct arena a = ARENA_INIT;
	void *p = arena_alloc(&a, 0), *q = arena_alloc(&a, 0);

	(void)state;
	assert_non_null(p);
	assert_ptr_not_equal(p, q);
	arena_release(&a);
}

static void
test_strings(void **state)
{
	struct arena a = ARENA_INIT;
	const char *src = "/Library/Acme/agent.plist";
	char *s, *t, *e, *u;
	int v[4] = { 1, 2, 3, 4 };
	int *w;

	(void)state;
	s = arena_strdup(&a, src);
	assert_string_equal(s, src);
	assert_ptr_not_equal(s, src);
	t = arena_strndup(&a, src, 8);
	assert_string_equal(t, "/Library");
	/* n past the end: the copy stops at the NUL. */
	u = arena_strndup(&a, "ab", 100);
	assert_string_equal(u, "ab");
	e = arena_strdup(&a, "");
	assert_string_equal(e, "");
	w = arena_memdup(&a, v, sizeof(v));
	assert_memory_equal(w, v, sizeof(v));
	assert_true(aligned(s) && aligned(t) && aligned(e) && aligned(w));
	assert_string_equal(s, src);	/* not clobbered by later ones */
	arena_release(&a);
}

static void
test_zalloc_and_calloc_zeroed(void **state)
{
	struct arena a;
	unsigned char *p;

	(void)state;
	arena_init(&a, 256);
	/* Dirty the chunk, release, and allocate again over the same sizes. */
	for (int round = 0; round < 2; round++) {
		p = arena_zalloc(&a, 200);
		for (int i = 0; i < 200; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xff, 200);
		p = arena_calloc(&a, 10, 30);
		for (int i = 0; i < 300; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xff, 300);
		arena_release(&a);
	}
}

static void
calloc_overflow(void)
{
	struct arena a = ARENA_INIT;

	(void)arena_calloc(&a, SIZE_MAX / 2, 3);
}

static void
alloc_overflow(void)
{
	struct arena a = ARENA_INIT;

	(void)arena_alloc(&a, SIZE_MAX - 3);
}

static int
child_status(void (*fn)(void))
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(1);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_overflow_dies_cleanly(void **state)
{
	(void)state;
	assert_int_equal(child_status(calloc_overflow), 3);
	assert_int_equal(child_status(alloc_overflow), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alignment_and_no_overlap),
		cmocka_unit_test(test_large_allocations_keep_current_chunk),
		cmocka_unit_test(test_zero_size_distinct),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_zalloc_and_calloc_zeroed),
		cmocka_unit_test(test_overflow_dies_cleanly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
