/*
 * afl-main.c - a plain main() for the fuzz harnesses, for builds without
 * libFuzzer: gcc, AFL++ (afl-cc, file or stdin mode) and the corpus
 * regression run of `make check`.
 *
 *     fuzz-HARNESS [FILE|DIR]...     each file, each file of each DIR
 *     fuzz-HARNESS                   standard input
 *
 * Every input goes to LLVMFuzzerTestOneInput() once, in the order given
 * (a directory's files by name, so runs are reproducible).  An input that
 * crashes the harness crashes this program, which is what AFL++ and the
 * test want; a file that cannot be read is exit status 2.  With -v each
 * input's name is printed before it runs, to find the one that crashed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int verbose;

/* The whole stream f into a new buffer, its length in *n; NULL on error. */
static unsigned char *
slurp(FILE *f, size_t *n)
{
	unsigned char *buf = NULL, *nb;
	size_t alloc = 0, len = 0, got;

	do {
		if (len == alloc) {
			alloc = alloc == 0 ? 65536 : alloc * 2;
			if ((nb = realloc(buf, alloc)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, alloc - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		free(buf);
		return NULL;
	}
	*n = len;
	return buf;
}

static int
run_stream(FILE *f, const char *name)
{
	unsigned char *buf;
	size_t n = 0;

	if ((buf = slurp(f, &n)) == NULL) {
		fprintf(stderr, "%s: cannot read: %s\n", name, strerror(errno));
		return 2;
	}
	if (verbose)
		fprintf(stderr, "%s (%zu bytes)\n", name, n);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

static int
run_file(const char *path)
{
	FILE *f;
	int rc;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		return 2;
	}
	rc = run_stream(f, path);
	fclose(f);
	return rc;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir (not its subdirectories), sorted by name. */
static int
run_dir(const char *dir)
{
	char **names = NULL, **nn;
	size_t n = 0, alloc = 0, len;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "%s: cannot open: %s\n", dir, strerror(errno));
		return 2;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == alloc) {
			alloc = alloc == 0 ? 64 : alloc * 2;
			if ((nn = realloc(names, alloc * sizeof(*names))) == NULL)
				abort();
			names = nn;
		}
		len = strlen(dir) + strlen(de->d_name) + 2;
		if ((names[n] = malloc(len)) == NULL)
			abort();
		snprintf(names[n++], len, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			rc = run_file(names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	struct stat st;
	int i = 1, rc = 0;

	if (i < argc && strcmp(argv[i], "-v") == 0) {
		verbose = 1;
		i++;
	}
	if (i >= argc)
		return run_stream(stdin, "<stdin>");
	for (; i < argc && rc == 0; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			rc = run_dir(argv[i]);
		else
			rc = run_file(argv[i]);
	}
	return rc;
}
