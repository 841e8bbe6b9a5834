/*
 * fuzz.h - what the fuzz harnesses in tests/fuzz/ share.
 *
 * Each harness is one file defining LLVMFuzzerTestOneInput(), the entry
 * point libFuzzer calls with one input.  The same file links either with
 * libFuzzer (`make fuzz`, clang -fsanitize=fuzzer) or with afl-main.c, a
 * plain main() that feeds it files, so the harnesses also run under AFL++
 * or gcc, and `make check` replays every corpus file through them
 * (tests/fuzz-corpus.test).
 *
 * A harness returns 0 for every input, good or bad: bad input must come
 * back as an error, and anything else - a crash, a sanitizer report, a
 * leak, a broken invariant (FUZZ_CHECK) - is the finding.
 */
#ifndef ESSIM_TESTS_FUZZ_H
#define ESSIM_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * An invariant of the code under test that no input may break: print
 * where and abort, so both libFuzzer and afl-main report a crash.
 */
#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/*
 * The source tree, for fixtures: $top_srcdir when set (make check,
 * make fuzz-smoke), else the tree the harness was built from.
 */
static inline const char *
fuzz_srcdir(void)
{
	const char *s = getenv("top_srcdir");

	if (s != NULL && s[0] != '\0')
		return s;
#ifdef FUZZ_SRCDIR
	return FUZZ_SRCDIR;
#else
	return ".";
#endif
}

/* fuzz_srcdir() followed by rel, newly allocated. */
static inline char *
fuzz_path(const char *rel)
{
	size_t n = strlen(fuzz_srcdir()) + strlen(rel) + 1;
	char *p = malloc(n);

	if (p == NULL)
		abort();
	snprintf(p, n, "%s%s", fuzz_srcdir(), rel);
	return p;
}

/* A template for mkstemp(3) in $TMPDIR (or /tmp), into buf. */
static inline char *
fuzz_tmpname(char *buf, size_t size, const char *stem)
{
	const char *t = getenv("TMPDIR");

	snprintf(buf, size, "%s/%s.XXXXXX", t != NULL && t[0] != '\0' ? t :
	    "/tmp", stem);
	return buf;
}

#endif /* ESSIM_TESTS_FUZZ_H */
