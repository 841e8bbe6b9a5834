/*
 * fuzz-esl-line.c - bytes into the eslogger reader (trace/eslogger.h).
 *
 * The input is a whole trace file: JSON Lines, pretty-printed or
 * concatenated objects, garbage.  It is read from memory twice, with the
 * default object cap and with a 64-byte one (the path that scans an
 * oversized object to its end without storing it), and every event is
 * drained; an input that starts with the gzip magic is also written to a
 * temporary file and read through esl_open() and esl_digest(), which is
 * the only way into the zlib path.
 *
 * Beyond "no crash, no leak", each step checks the reader's contract:
 * every event has a type, an executable and a place (source, line >= 1);
 * tokens are non-negative; ESL_BAD and ESL_FATAL come with an error that
 * names the input; objects == events + bad + unknown after every call;
 * after ESL_FATAL or ESL_END only ESL_END follows; and the reader stops
 * within one result per input byte (no loop without progress).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "trace/eslogger.h"

#include "fuzz.h"

#define NAME	"fuzz.jsonl"

static void
check_event(const struct esl_event *ev, const char *name)
{
	FUZZ_CHECK(ev->type != NULL);
	FUZZ_CHECK(ev->proc.exe != NULL);
	FUZZ_CHECK(ev->proc.token.pid >= 0 && ev->proc.token.pidversion >= 0);
	FUZZ_CHECK(!ev->has_target || ev->target.exe != NULL);
	FUZZ_CHECK(ev->time >= 0);
	FUZZ_CHECK(ev->line >= 1 && ev->id >= 1);
	FUZZ_CHECK(ev->source != NULL && strcmp(ev->source, name) == 0);
	/* The strings are readable (ASan checks the bytes). */
	(void)strlen(ev->proc.exe);
	if (ev->path != NULL)
		(void)strlen(ev->path);
	if (ev->path2 != NULL)
		(void)strlen(ev->path2);
}

static void
check_counts(const struct esl_reader *r)
{
	const struct esl_counts *c = esl_counts(r);

	FUZZ_CHECK(c->objects == c->events + c->bad + c->unknown);
}

/* Every result of r until ESL_END; at most one per input byte, plus one. */
static void
drain(struct esl_reader *r, size_t size)
{
	struct esl_event ev;
	struct err e = ERR_INIT;
	const char *name = esl_name(r);
	size_t steps = 0;
	int rc, ended = 0;

	for (;;) {
		err_clear(&e);
		rc = esl_next(r, &ev, &e);
		check_counts(r);
		FUZZ_CHECK(++steps <= size + 2);
		if (ended) {
			FUZZ_CHECK(rc == ESL_END);
			break;
		}
		switch (rc) {
		case ESL_EVENT:
			FUZZ_CHECK(!e.set);
			check_event(&ev, name);
			break;
		case ESL_BAD:
		case ESL_FATAL:
			FUZZ_CHECK(e.set && e.text[0] != '\0');
			FUZZ_CHECK(strcmp(e.file, name) == 0);
			if (rc == ESL_FATAL)
				ended = 1;
			break;
		case ESL_END:
			ended = 1;
			break;
		default:
			FUZZ_CHECK(!"esl_next result out of range");
		}
	}
}

static void
from_memory(const uint8_t *data, size_t size, size_t max_object)
{
	struct esl_opts o = ESL_OPTS_INIT;
	struct esl_reader *r;

	o.max_object = max_object;
	r = esl_open_mem(NAME, data, size, &o);
	FUZZ_CHECK(r != NULL);
	drain(r, size);
	FUZZ_CHECK(esl_counts(r)->bytes <= size);
	esl_close(r);
}

/* Gzip input: through a file, the only way esl_open decompresses. */
static void
from_file(const uint8_t *data, size_t size)
{
	char path[1024];
	struct err e = ERR_INIT;
	struct esl_reader *r;
	uint8_t sha[32];
	uint64_t len;
	FILE *f;
	int fd;

	fuzz_tmpname(path, sizeof(path), "essim-fuzz-esl");
	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "wb")) == NULL)
		abort();
	if (fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	if ((r = esl_open(path, NULL, &e)) != NULL) {
		drain(r, (size_t)-3);	/* gzip expands: no step bound */
		esl_close(r);
	} else {
		FUZZ_CHECK(e.set);
	}
	err_clear(&e);
	if (esl_digest(path, sha, &len, &e) != 0)
		FUZZ_CHECK(e.set);
	unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	from_memory(data, size, 0);
	from_memory(data, size, 64);
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
		from_file(data, size);
	return 0;
}
