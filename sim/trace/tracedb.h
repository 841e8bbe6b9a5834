/*
 * tracedb.h - the SQLite trace store: eslogger recordings imported once,
 * replayed many times.
 *
 * A trace store is one SQLite file (schema in docs/trace-store.md, version
 * TDB_SCHEMA_VERSION): events, the processes and paths they refer to
 * (each stored once), and the source files they came from.  Importing is
 * idempotent: a file is known by the SHA-256 of its content, and
 * importing the same content again adds nothing.  An import commits in
 * batches and marks its source complete only at the end; readers see
 * complete sources only, so an interrupted import leaves the store as it
 * was, and importing the file again finishes the job.
 *
 * Readers stream events in replay order, (time, import order), through a
 * cursor that yields the same struct esl_event the eslogger reader does,
 * so the replayer does not care where its events come from.
 *
 * Errors: functions return TDB_OK (0), TDB_EBAD (-1: bad input - the trace,
 * the database file - exit status 2) or TDB_ESYS (-2: SQLite or the
 * system failed - exit status 3), with e filled as "file: text" or
 * "file:line: text".  tdb_import() may also return TDB_EINTR (-3):
 * SIGINT or SIGTERM (core/intr.h) stopped it.
 */
#ifndef ESSIM_TRACE_TRACEDB_H
#define ESSIM_TRACE_TRACEDB_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/evtype.h"
#include "trace/eslogger.h"
#include "trace/sha256.h"

#define TDB_SCHEMA_VERSION	1
#define TDB_FORMAT		"essim-trace"	/* meta.format */
#define TDB_BATCH		10000		/* events per transaction */

enum {
	TDB_OK = 0,
	TDB_EBAD = -1,
	TDB_ESYS = -2,
	TDB_EINTR = -3		/* interrupted (intr_pending()) */
};

enum tdb_mode {
	TDB_READ,		/* must exist and be a trace store */
	TDB_WRITE		/* created when missing or empty */
};

struct tdb;

/*
 * Open (or, for TDB_WRITE, create) the store at path.  Returns NULL with
 * e set when the file is not SQLite, is SQLite without the trace store
 * schema, has a newer schema version, or cannot be opened; all of these
 * are TDB_EBAD conditions.
 */
struct tdb *tdb_open(const char *path, enum tdb_mode mode, struct err *e);
void	tdb_close(struct tdb *db);

enum tdb_on_error {
	TDB_FAIL,		/* stop at the first bad object */
	TDB_SKIP		/* count bad objects, report them, go on */
};

struct tdb_import_opts {
	enum tdb_on_error on_error;
	size_t		 max_object;	/* 0: ESL_MAX_OBJECT */
	size_t		 batch;		/* 0: TDB_BATCH */
	/* Called for each bad object under TDB_SKIP; may be NULL. */
	void		(*on_bad)(void *arg, const struct err *e);
	void		*arg;
};

#define TDB_IMPORT_OPTS_INIT	{ TDB_FAIL, 0, 0, NULL, NULL }

struct tdb_import_stats {
	struct esl_counts counts;	/* of this file's reader */
	int		 already;	/* content was imported before */
	char		 first_name[256]; /* ...under this name */
	int64_t		 source_id;
	uint64_t	 size;		/* content bytes */
	char		 sha256[SHA256_HEXLEN];
	int		 partial;	/* TDB_EINTR: batches were committed
					   under a source marked incomplete */
};

/*
 * Import one eslogger file into db (opened TDB_WRITE).  On TDB_OK, st
 * holds the counts, and counts.events + counts.bad + counts.unknown ==
 * counts.objects; when the content was imported before, st->already is
 * set and nothing is added.  Under TDB_FAIL the first bad object returns
 * TDB_EBAD and removes what this call had added; under TDB_SKIP so does a
 * file of which no object at all could be read.  When intr_pending()
 * (polled per object and while hashing) it returns TDB_EINTR at once:
 * the open batch is rolled back, st->partial says whether earlier
 * batches stay behind a source row marked incomplete (invisible to
 * readers; importing the same content again replaces them).  Cost: two
 * passes over the file (hash, then parse); memory bounded by the largest
 * object.
 */
int	tdb_import(struct tdb *db, const char *path,
	    const struct tdb_import_opts *o, struct tdb_import_stats *st,
	    struct err *e);

/*
 * Which events a cursor yields: time in [from, to) (ns since the epoch),
 * types (event types as stored - NOTIFY for eslogger traces; NULL/0 for
 * all), the acting process's pid (-1 for any) and exact executable path
 * (NULL for any).
 */
struct tdb_filter {
	int64_t		 from, to;
	const struct evtype *const *types;
	size_t		 ntypes;
	int32_t		 pid;
	const char	*exe;
};

#define TDB_FILTER_INIT	{ INT64_MIN, INT64_MAX, NULL, 0, -1, NULL }

struct tdb_cursor;

/*
 * A cursor over db's complete sources in (time, import order) order, the
 * order of the events_time index, so opening costs O(log n) and each step
 * O(log n) with no sort.  f may be NULL (everything).  NULL with e set on
 * error.
 */
struct tdb_cursor *tdb_cursor_open(struct tdb *db, const struct tdb_filter *f,
	    struct err *e);

/*
 * The next event: 1 with *ev filled (strings borrowed until the next call
 * or tdb_cursor_close; ev->id is the event's row id, ev->source and
 * ev->line where it was imported from), 0 at the end, TDB_EBAD/TDB_ESYS
 * with e set.
 */
int	tdb_cursor_next(struct tdb_cursor *c, struct esl_event *ev,
	    struct err *e);
void	tdb_cursor_close(struct tdb_cursor *c);

/* What `essim trace info` shows; see tdb_summarize. */
struct tdb_source_info {
	int64_t		 id;
	char		*name;
	uint64_t	 size;
	char		 sha256[SHA256_HEXLEN];
	int		 complete;
	uint64_t	 objects, events, skipped, unknown, drops;
};

struct tdb_count {
	char		*name;		/* type name, executable, or path */
	int32_t		 pid;		/* processes only; -1 otherwise */
	uint64_t	 n;
};

struct tdb_summary {
	uint64_t	 events;	/* in complete sources */
	int64_t		 first, last;	/* times of the first and last event */
	uint64_t	 drops;
	uint64_t	 nprocesses;	/* distinct (pid, pidversion, exe) */
	uint64_t	 npaths;	/* distinct primary paths */
	struct tdb_source_info *sources;	/* in import order */
	size_t		 nsources;
	struct tdb_count *types;	/* by count, then name; a type
					   unknown here: "type N (unknown
					   to this essim)" */
	size_t		 ntypes;
	struct tdb_count *processes;	/* top (pid, exe), by count, exe, pid */
	size_t		 nprocs;
	struct tdb_count *paths;	/* top ones, by count, then path */
	size_t		 npathcounts;
};

/*
 * Fill s (released with tdb_summary_release) with the store's contents:
 * every source, events per type, the top processes and primary paths by
 * event count.  Ties are broken by name, so the result is deterministic.
 * Cost: a few scans of the events table.
 */
int	tdb_summarize(struct tdb *db, size_t top, struct tdb_summary *s,
	    struct err *e);
void	tdb_summary_release(struct tdb_summary *s);

#endif /* ESSIM_TRACE_TRACEDB_H */
