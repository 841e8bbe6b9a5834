/*
 * xalloc.c - allocation that never returns NULL; see xalloc.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"

/* Allocations left before the test hook fails one; -1 = hook off. */
static long fail_countdown = -1;

void
xalloc_fail_after(long n)
{
	fail_countdown = n;
}

static int
hook_says_fail(void)
{
	if (fail_countdown < 0)
		return 0;
	return fail_countdown-- == 0;
}

static void *
checked(void *p, size_t size)
{
	if (p == NULL)
		die("out of memory allocating %zu bytes", size);
	return p;
}

void *
xmalloc(size_t size)
{
	if (size == 0)
		size = 1;
	return checked(hook_says_fail() ? NULL : malloc(size), size);
}

void *
xcalloc(size_t nmemb, size_t size)
{
	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if (nmemb > SIZE_MAX / size)
		die("allocation overflow: %zu x %zu bytes", nmemb, size);
	return checked(hook_says_fail() ? NULL : calloc(nmemb, size),
	    nmemb * size);
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	size_t total;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if (nmemb > SIZE_MAX / size)
		die("allocation overflow: %zu x %zu bytes", nmemb, size);
	total = nmemb * size;
	return checked(hook_says_fail() ? NULL : realloc(ptr, total), total);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;
	char *p;

	/* Most strings fit on the stack; format twice only when they do not. */
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		die("xasprintf: bad format");
	if ((size_t)n < sizeof(small))
		return xstrndup(small, (size_t)n);
	p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
