/*
 * xalloc.h - allocation that never returns NULL.
 *
 * Out of memory is not an input error essim can recover from in a useful
 * way; every allocation goes through these wrappers, which print the byte
 * count and exit with status 3 (internal error) on failure.  Callers
 * therefore never check for NULL.
 *
 * Going through one place also gives the tests a hook: xalloc_fail_after()
 * makes the N-th next allocation fail, so a test can prove that a failure
 * is reported and not a crash (jansson's test_chaos, SQLite's faultsim).
 */
#ifndef ESSIM_CORE_XALLOC_H
#define ESSIM_CORE_XALLOC_H

#include <stddef.h>

void	*xmalloc(size_t size);
void	*xcalloc(size_t nmemb, size_t size);
/* Like reallocarray(3): fails cleanly on nmemb * size overflow. */
void	*xreallocarray(void *ptr, size_t nmemb, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
/* asprintf(3) that dies on failure. */
char	*xasprintf(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/*
 * Grow an array to hold at least need elements: (*arr, *alloc) is updated,
 * growth is geometric (x1.5, at least 8).  Amortised O(1) per element.
 */
#define XGROW(arr, need, alloc) do {					\
	if ((size_t)(need) > (alloc)) {					\
		size_t xg_n_ = (alloc) < 8 ? 8 : (alloc) + (alloc) / 2;	\
		if (xg_n_ < (size_t)(need))				\
			xg_n_ = (size_t)(need);				\
		(arr) = xreallocarray((arr), xg_n_, sizeof(*(arr)));	\
		(alloc) = xg_n_;					\
	}								\
} while (0)

/*
 * Test hook: after n more successful allocations, the next one fails (and
 * exits as a real failure would).  n < 0 switches the hook off.
 */
void	xalloc_fail_after(long n);

#endif /* ESSIM_CORE_XALLOC_H */
