/*
 * fuzz-tracedb.c - bytes as a trace store file (trace/tracedb.h).
 *
 * The input is written to a temporary file and opened as `essim trace
 * info` and the replayer open it: tdb_open() read-only, a cursor over
 * every event, tdb_summarize().  Then it is opened for writing and a
 * small real trace is imported into it, as `essim import -o` would.
 * Corrupt SQLite files, foreign schemas, wrong column types and dangling
 * references must all come back as errors (TDB_EBAD / TDB_ESYS with a
 * message naming the file), never as a crash, a leak or an event that
 * breaks the esl_event contract (a type, an executable, a source).
 *
 * Seeds are small stores made with `essim import`, truncated and
 * bit-flipped; libFuzzer's mutations do the rest.  SQLite's own defences
 * against corrupt files are what most inputs exercise; the checks here
 * are about what essim does with what SQLite hands back.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "trace/tracedb.h"

#include "fuzz.h"

#define TRACE	"/tests/data/traces/eslogger/tstromberg-esl_opens.json"
#define MAX_EVENTS 100000

static char path[1024];

/*
 * Remove the store and whatever SQLite left beside it: a journal or WAL
 * from one input must not leak into the next.
 */
static void
remove_files(void)
{
	static const char *const suffix[] = { "", "-journal", "-wal", "-shm" };
	char p[sizeof(path) + 16];

	if (path[0] == '\0')
		return;
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
}

static void
check_err(int rc, const struct err *e)
{
	FUZZ_CHECK(rc == TDB_EBAD || rc == TDB_ESYS);
	FUZZ_CHECK(e->set && e->text[0] != '\0');
	FUZZ_CHECK(strcmp(e->file, path) == 0);
}

static void
read_all(struct tdb *db)
{
	struct tdb_summary s;
	struct tdb_cursor *c;
	struct esl_event ev;
	struct err e = ERR_INIT;
	int rc, n = 0;

	if ((c = tdb_cursor_open(db, NULL, &e)) != NULL) {
		while ((rc = tdb_cursor_next(c, &ev, &e)) == 1) {
			FUZZ_CHECK(ev.type != NULL);
			FUZZ_CHECK(ev.proc.exe != NULL);
			FUZZ_CHECK(!ev.has_target || ev.target.exe != NULL);
			FUZZ_CHECK(ev.source != NULL);
			FUZZ_CHECK(++n <= MAX_EVENTS);
		}
		if (rc != 0)
			check_err(rc, &e);
		tdb_cursor_close(c);
	} else {
		FUZZ_CHECK(e.set);
	}
	err_clear(&e);
	if ((rc = tdb_summarize(db, 10, &s, &e)) == TDB_OK) {
		for (size_t i = 0; i < s.nsources; i++)
			FUZZ_CHECK(s.sources[i].name != NULL);
		for (size_t i = 0; i < s.ntypes; i++)
			FUZZ_CHECK(s.types[i].name != NULL);
		for (size_t i = 0; i < s.nprocs; i++)
			FUZZ_CHECK(s.processes[i].name != NULL);
		for (size_t i = 0; i < s.npathcounts; i++)
			FUZZ_CHECK(s.paths[i].name != NULL);
	} else {
		check_err(rc, &e);
	}
	tdb_summary_release(&s);
}

static void
import_into(void)
{
	struct tdb_import_opts o = TDB_IMPORT_OPTS_INIT;
	struct tdb_import_stats st;
	struct err e = ERR_INIT;
	struct tdb *db;
	char *trace;
	int rc;

	if ((db = tdb_open(path, TDB_WRITE, &e)) == NULL) {
		FUZZ_CHECK(e.set && strcmp(e.file, path) == 0);
		return;
	}
	trace = fuzz_path(TRACE);
	o.on_error = TDB_SKIP;
	rc = tdb_import(db, trace, &o, &st, &e);
	FUZZ_CHECK(rc == TDB_OK || (e.set && e.text[0] != '\0'));
	if (rc == TDB_OK)
		read_all(db);
	tdb_close(db);
	free(trace);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	struct tdb *db;
	FILE *f;
	int fd;

	if (path[0] == '\0') {
		fuzz_tmpname(path, sizeof(path), "essim-fuzz-tdb");
		if ((fd = mkstemp(path)) < 0)
			abort();
		close(fd);
		atexit(remove_files);
	}
	remove_files();
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	if (fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	if ((db = tdb_open(path, TDB_READ, &e)) != NULL) {
		read_all(db);
		tdb_close(db);
	} else {
		FUZZ_CHECK(e.set && strcmp(e.file, path) == 0);
	}
	import_into();
	return 0;
}
