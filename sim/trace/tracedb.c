/*
 * tracedb.c - opening a trace store, its schema, the replay cursor and
 * the summary behind `essim trace info`.  Importing is in tdb-import.c.
 *
 * The schema (docs/trace-store.md) is built for one access path above
 * all: the replayer reading every event in time order, possibly a slice
 * of time or a few types or one process.  events.id is the insertion
 * order, and SQLite keeps the rowid in every index entry, so the single
 * index events_time(time) already yields (time, id) order: the cursor's
 * ORDER BY needs no sort, opens in O(log n), and streams with constant
 * memory.  Filters are fixed SQL with NULL-able parameters, so one
 * prepared statement serves every filter.
 *
 * Only sources marked complete are visible: that is what makes a store
 * consistent whatever point an import was interrupted at.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/xalloc.h"
#include "trace/tdb-int.h"
#include "trace/tracedb.h"

#define COMPLETE_SOURCES "(SELECT id FROM sources WHERE complete = 1)"

static const char schema_sql[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
	"CREATE TABLE sources (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL,\n"
	"  size INTEGER NOT NULL,\n"
	"  sha256 TEXT NOT NULL UNIQUE,\n"
	"  complete INTEGER NOT NULL DEFAULT 0,\n"
	"  objects INTEGER NOT NULL DEFAULT 0,\n"
	"  events INTEGER NOT NULL DEFAULT 0,\n"
	"  skipped INTEGER NOT NULL DEFAULT 0,\n"
	"  unknown INTEGER NOT NULL DEFAULT 0,\n"
	"  drops INTEGER NOT NULL DEFAULT 0);\n"
	"CREATE TABLE paths (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);\n"
	"CREATE TABLE processes (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  pid INTEGER NOT NULL, pidversion INTEGER NOT NULL,\n"
	"  auid INTEGER NOT NULL, euid INTEGER NOT NULL, egid INTEGER NOT NULL,\n"
	"  ruid INTEGER NOT NULL, rgid INTEGER NOT NULL, asid INTEGER NOT NULL,\n"
	"  ppid INTEGER NOT NULL, original_ppid INTEGER NOT NULL,\n"
	"  exe INTEGER NOT NULL REFERENCES paths(id),\n"
	"  signing_id TEXT, team_id TEXT,\n"
	"  is_es_client INTEGER NOT NULL, is_platform_binary INTEGER NOT NULL);\n"
	"CREATE UNIQUE INDEX processes_identity ON processes (pid, pidversion,\n"
	"  exe, auid, euid, egid, ruid, rgid, asid, ppid, original_ppid,\n"
	"  ifnull(signing_id, X''), ifnull(team_id, X''), is_es_client,\n"
	"  is_platform_binary);\n"
	"CREATE TABLE events (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  time INTEGER NOT NULL,\n"
	"  mach_time INTEGER,\n"
	"  type INTEGER NOT NULL,\n"
	"  process INTEGER NOT NULL REFERENCES processes(id),\n"
	"  thread INTEGER,\n"
	"  path INTEGER REFERENCES paths(id),\n"
	"  path2 INTEGER REFERENCES paths(id),\n"
	"  target INTEGER REFERENCES processes(id),\n"
	"  status INTEGER,\n"
	"  seq_num INTEGER,\n"
	"  global_seq_num INTEGER,\n"
	"  version INTEGER,\n"
	"  action_type INTEGER,\n"
	"  source INTEGER NOT NULL REFERENCES sources(id),\n"
	"  line INTEGER NOT NULL);\n"
	"CREATE INDEX events_time ON events (time);\n";

int
tdb__sqlerr(struct tdb *db, struct err *e, const char *what)
{
	err_setloc(e, db->path, 0, 0, "%s: %s", what, sqlite3_errmsg(db->db));
	return TDB_ESYS;
}

int
tdb__exec(struct tdb *db, const char *sql, struct err *e)
{
	if (sqlite3_exec(db->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return tdb__sqlerr(db, e, "database error");
	return TDB_OK;
}

sqlite3_stmt *
tdb__prepare(struct tdb *db, const char *sql, struct err *e)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK) {
		tdb__sqlerr(db, e, "database error");
		return NULL;
	}
	return st;
}

static int
create_schema(struct tdb *db, struct err *e)
{
	char *sql = xasprintf("BEGIN;\n%sINSERT INTO meta VALUES "
	    "('format', '%s'), ('version', '%d');\nCOMMIT;", schema_sql,
	    TDB_FORMAT, TDB_SCHEMA_VERSION);
	int rc = tdb__exec(db, sql, e);

	free(sql);
	return rc;
}

/* The value of meta key, or NULL (none, or NULL); *rc says whether the
 * query failed. */
static char *
meta_get(struct tdb *db, const char *key, int *rc)
{
	sqlite3_stmt *st;
	char *v = NULL;

	*rc = sqlite3_prepare_v2(db->db, "SELECT value FROM meta WHERE key = ?",
	    -1, &st, NULL);
	if (*rc != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	/* A NULL value (a damaged or foreign store) reads as no entry. */
	if ((*rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	*rc = *rc == SQLITE_ROW || *rc == SQLITE_DONE ? SQLITE_OK : *rc;
	sqlite3_finalize(st);
	return v;
}

/* Number of schema objects; -1 when the file is not a database. */
static int
count_objects(struct tdb *db, struct err *e)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(db->db, "SELECT count(*) FROM sqlite_master",
	    -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (n < 0)
		err_setloc(e, db->path, 0, 0, "not a SQLite database (%s)",
		    sqlite3_errmsg(db->db));
	return n;
}

static int
check_version(struct tdb *db, struct err *e)
{
	char *v, *end;
	long n;
	int rc;

	if ((v = meta_get(db, "version", &rc)) == NULL)
		return err_setloc(e, db->path, 0, 0, "trace store without a "
		    "schema version in its meta table");
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < 1)
		rc = err_setloc(e, db->path, 0, 0, "unsupported trace store "
		    "schema version '%s'", v);
	else if (n > TDB_SCHEMA_VERSION)
		rc = err_setloc(e, db->path, 0, 0, "trace store schema version "
		    "%ld is newer than this essim understands (%d); use a "
		    "newer essim", n, TDB_SCHEMA_VERSION);
	else
		rc = 0;
	free(v);
	return rc;
}

static int
check_schema(struct tdb *db, enum tdb_mode mode, struct err *e)
{
	char *fmt;
	int n, rc;

	if ((n = count_objects(db, e)) < 0)
		return -1;
	if (n == 0 && mode == TDB_WRITE)
		return create_schema(db, e) == TDB_OK ? 0 : -1;
	if (n == 0)
		return err_setloc(e, db->path, 0, 0, "an empty SQLite "
		    "database, not an essim trace store");
	fmt = meta_get(db, "format", &rc);
	if (fmt == NULL || strcmp(fmt, TDB_FORMAT) != 0) {
		err_setloc(e, db->path, 0, 0, "a SQLite database, but not an "
		    "essim trace store (%s%s%s)", fmt != NULL ? "format '" :
		    "no meta table entry 'format'", fmt != NULL ? fmt : "",
		    fmt != NULL ? "'" : "");
		free(fmt);
		return -1;
	}
	free(fmt);
	return check_version(db, e);
}

struct tdb *
tdb_open(const char *path, enum tdb_mode mode, struct err *e)
{
	struct tdb *db;
	struct stat sb;
	int fd, flags = mode == TDB_WRITE ?
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;

	if (mode == TDB_READ && stat(path, &sb) < 0) {
		err_setloc(e, path, 0, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		err_setloc(e, path, 0, 0, "is a directory");
		return NULL;
	}
	/*
	 * Open (or create) the file once here: SQLite's "unable to open
	 * database file" does not say why.
	 */
	if (mode == TDB_WRITE && stat(path, &sb) < 0 && errno == ENOENT) {
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666)) < 0) {
			err_setloc(e, path, 0, 0, "cannot create: %s",
			    strerror(errno));
			return NULL;
		}
	} else if ((fd = open(path, O_RDONLY)) < 0) {
		err_setloc(e, path, 0, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	close(fd);
	db = xcalloc(1, sizeof(*db));
	db->path = xstrdup(path);
	db->writable = mode == TDB_WRITE;
	if (sqlite3_open_v2(path, &db->db, flags, NULL) != SQLITE_OK) {
		err_setloc(e, path, 0, 0, "cannot open: %s",
		    db->db != NULL ? sqlite3_errmsg(db->db) : "out of memory");
		tdb_close(db);
		return NULL;
	}
	if (db->writable && sqlite3_db_readonly(db->db, "main") == 1) {
		err_setloc(e, path, 0, 0, "cannot write: the file is "
		    "read-only");
		tdb_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db->db, 5000);
	if (check_schema(db, mode, e) < 0 || (db->writable &&
	    tdb__exec(db, "PRAGMA synchronous = NORMAL;"
	    "PRAGMA cache_size = -16384;", e) != TDB_OK)) {
		tdb_close(db);
		return NULL;
	}
	return db;
}

void
tdb_close(struct tdb *db)
{
	if (db == NULL)
		return;
	sqlite3_close(db->db);
	free(db->path);
	free(db);
}

/* ---- the cursor ---------------------------------------------------- */

/*
 * Process columns come in blocks of PROC_COLS, in the order proc_read
 * expects; the acting process starts at column 13, the target at 27.
 */
#define PROC_COLS	14
#define CURSOR_SQL \
	"SELECT e.id, e.time, e.mach_time, e.type, e.thread, e.seq_num,\n" \
	"  e.global_seq_num, e.version, e.action_type, e.status, e.source,\n" \
	"  e.line, e.target IS NOT NULL,\n" \
	"  p.pid, p.pidversion, p.auid, p.euid, p.egid, p.ruid, p.rgid,\n" \
	"  p.asid, p.ppid, p.original_ppid, px.path, p.signing_id,\n" \
	"  p.team_id, p.is_es_client | (p.is_platform_binary << 1),\n" \
	"  t.pid, t.pidversion, t.auid, t.euid, t.egid, t.ruid, t.rgid,\n" \
	"  t.asid, t.ppid, t.original_ppid, tx.path, t.signing_id,\n" \
	"  t.team_id, t.is_es_client | (t.is_platform_binary << 1),\n" \
	"  a.path, b.path\n" \
	"FROM events AS e\n" \
	"  JOIN processes AS p ON p.id = e.process\n" \
	"  JOIN paths AS px ON px.id = p.exe\n" \
	"  LEFT JOIN processes AS t ON t.id = e.target\n" \
	"  LEFT JOIN paths AS tx ON tx.id = t.exe\n" \
	"  LEFT JOIN paths AS a ON a.id = e.path\n" \
	"  LEFT JOIN paths AS b ON b.id = e.path2\n" \
	"WHERE e.time >= ?1 AND e.time < ?2\n" \
	"  AND (?3 IS NULL OR instr(?3, ',' || e.type || ',') > 0)\n" \
	"  AND (?4 IS NULL OR p.pid = ?4)\n" \
	"  AND (?5 IS NULL OR px.path = ?5)\n" \
	"  AND e.source IN " COMPLETE_SOURCES "\n" \
	"ORDER BY e.time, e.id"

struct tdb_cursor {
	struct tdb	*db;
	sqlite3_stmt	*st;
	char		*types;		/* ",9,10," for the type filter */
	int64_t		*src_ids;	/* sources, by id, for ev->source */
	char		**src_names;
	size_t		 nsrc;
};

static int
load_sources(struct tdb_cursor *c, struct err *e)
{
	sqlite3_stmt *st;
	size_t alloc = 0, nalloc = 0;
	int rc;

	st = tdb__prepare(c->db, "SELECT id, name FROM sources ORDER BY id", e);
	if (st == NULL)
		return TDB_ESYS;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
			err_setloc(e, c->db->path, 0, 0, "source %" PRId64
			    ": corrupt trace store: no name",
			    (int64_t)sqlite3_column_int64(st, 0));
			sqlite3_finalize(st);
			return TDB_EBAD;
		}
		XGROW(c->src_ids, c->nsrc + 1, alloc);
		XGROW(c->src_names, c->nsrc + 1, nalloc);
		c->src_ids[c->nsrc] = sqlite3_column_int64(st, 0);
		c->src_names[c->nsrc++] =
		    xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? TDB_OK : tdb__sqlerr(c->db, e,
	    "reading sources");
}

static char *
type_list(const struct tdb_filter *f)
{
	size_t n = 2, len = 0;
	char *s;

	for (size_t i = 0; i < f->ntypes; i++)
		n += 12;
	s = xmalloc(n);
	s[len++] = ',';
	for (size_t i = 0; i < f->ntypes; i++)
		len += (size_t)snprintf(s + len, n - len, "%d,",
		    f->types[i]->value);
	s[len] = '\0';
	return s;
}

static void
bind_filter(struct tdb_cursor *c, const struct tdb_filter *f)
{
	sqlite3_bind_int64(c->st, 1, f->from);
	sqlite3_bind_int64(c->st, 2, f->to);
	if (f->types != NULL && f->ntypes > 0) {
		c->types = type_list(f);
		sqlite3_bind_text(c->st, 3, c->types, -1, SQLITE_STATIC);
	}
	if (f->pid >= 0)
		sqlite3_bind_int(c->st, 4, f->pid);
	if (f->exe != NULL)
		sqlite3_bind_text(c->st, 5, f->exe, -1, SQLITE_TRANSIENT);
}

struct tdb_cursor *
tdb_cursor_open(struct tdb *db, const struct tdb_filter *f, struct err *e)
{
	static const struct tdb_filter all = TDB_FILTER_INIT;
	struct tdb_cursor *c = xcalloc(1, sizeof(*c));

	c->db = db;
	if (load_sources(c, e) != TDB_OK ||
	    (c->st = tdb__prepare(db, CURSOR_SQL, e)) == NULL) {
		tdb_cursor_close(c);
		return NULL;
	}
	bind_filter(c, f != NULL ? f : &all);
	return c;
}

void
tdb_cursor_close(struct tdb_cursor *c)
{
	if (c == NULL)
		return;
	sqlite3_finalize(c->st);
	for (size_t i = 0; i < c->nsrc; i++)
		free(c->src_names[i]);
	free(c->src_names);
	free(c->src_ids);
	free(c->types);
	free(c);
}

static int64_t
col_or(sqlite3_stmt *st, int i, int64_t dflt)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return dflt;
	return sqlite3_column_int64(st, i);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* A process from PROC_COLS columns starting at i. */
static void
proc_read(sqlite3_stmt *st, int i, struct esl_process *p)
{
	int flags = sqlite3_column_int(st, i + 13);

	p->token.pid = sqlite3_column_int(st, i);
	p->token.pidversion = sqlite3_column_int(st, i + 1);
	p->token.auid = (uint32_t)sqlite3_column_int64(st, i + 2);
	p->token.euid = (uint32_t)sqlite3_column_int64(st, i + 3);
	p->token.egid = (uint32_t)sqlite3_column_int64(st, i + 4);
	p->token.ruid = (uint32_t)sqlite3_column_int64(st, i + 5);
	p->token.rgid = (uint32_t)sqlite3_column_int64(st, i + 6);
	p->token.asid = (uint32_t)sqlite3_column_int64(st, i + 7);
	p->ppid = sqlite3_column_int(st, i + 8);
	p->original_ppid = sqlite3_column_int(st, i + 9);
	p->exe = col_text(st, i + 10);
	p->signing_id = col_text(st, i + 11);
	p->team_id = col_text(st, i + 12);
	p->is_es_client = flags & 1;
	p->is_platform_binary = (flags >> 1) & 1;
}

static const char *
source_name(const struct tdb_cursor *c, int64_t id)
{
	size_t lo = 0, hi = c->nsrc;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->src_ids[mid] == id)
			return c->src_names[mid];
		if (c->src_ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return "?";
}

static int
event_read(struct tdb_cursor *c, struct esl_event *ev, struct err *e)
{
	sqlite3_stmt *st = c->st;

	memset(ev, 0, sizeof(*ev));
	ev->id = sqlite3_column_int64(st, 0);
	ev->time = sqlite3_column_int64(st, 1);
	ev->mach_time = col_or(st, 2, -1);
	if ((ev->type = evtype_by_value(sqlite3_column_int(st, 3))) == NULL)
		return err_setloc(e, c->db->path, 0, 0, "event %" PRId64
		    ": unknown event type %d", ev->id,
		    sqlite3_column_int(st, 3));
	ev->thread_id = col_or(st, 4, -1);
	ev->seq_num = col_or(st, 5, -1);
	ev->global_seq_num = col_or(st, 6, -1);
	ev->version = (int)col_or(st, 7, -1);
	ev->action_type = (int)col_or(st, 8, -1);
	ev->has_status = sqlite3_column_type(st, 9) != SQLITE_NULL;
	ev->status = ev->has_status ? sqlite3_column_int(st, 9) : 0;
	ev->source = source_name(c, sqlite3_column_int64(st, 10));
	ev->line = sqlite3_column_int(st, 11);
	ev->has_target = sqlite3_column_int(st, 12);
	proc_read(st, 13, &ev->proc);
	if (ev->has_target)
		proc_read(st, 13 + PROC_COLS, &ev->target);
	if (ev->proc.exe == NULL || (ev->has_target && ev->target.exe == NULL))
		return err_setloc(e, c->db->path, 0, 0, "event %" PRId64
		    ": corrupt trace store: a process without an executable "
		    "path", ev->id);
	ev->path = col_text(st, 13 + 2 * PROC_COLS);
	ev->path2 = col_text(st, 14 + 2 * PROC_COLS);
	return 1;
}

int
tdb_cursor_next(struct tdb_cursor *c, struct esl_event *ev, struct err *e)
{
	switch (sqlite3_step(c->st)) {
	case SQLITE_ROW:
		return event_read(c, ev, e) < 0 ? TDB_EBAD : 1;
	case SQLITE_DONE:
		return 0;
	default:
		return tdb__sqlerr(c->db, e, "reading events");
	}
}

/* ---- the summary ---------------------------------------------------- */

static int
sum_sources(struct tdb *db, struct tdb_summary *s, struct err *e)
{
	sqlite3_stmt *st;
	size_t alloc = 0;
	int rc;

	st = tdb__prepare(db, "SELECT id, name, size, sha256, complete, "
	    "objects, events, skipped, unknown, drops FROM sources ORDER BY id",
	    e);
	if (st == NULL)
		return TDB_ESYS;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tdb_source_info *si;

		if (col_text(st, 1) == NULL || col_text(st, 3) == NULL) {
			err_setloc(e, db->path, 0, 0, "source %" PRId64 ": "
			    "corrupt trace store: no name or sha256",
			    (int64_t)sqlite3_column_int64(st, 0));
			sqlite3_finalize(st);
			return TDB_EBAD;
		}
		XGROW(s->sources, s->nsources + 1, alloc);
		si = &s->sources[s->nsources++];
		si->id = sqlite3_column_int64(st, 0);
		si->name = xstrdup(col_text(st, 1));
		si->size = (uint64_t)sqlite3_column_int64(st, 2);
		snprintf(si->sha256, sizeof(si->sha256), "%s", col_text(st, 3));
		si->complete = sqlite3_column_int(st, 4);
		si->objects = (uint64_t)sqlite3_column_int64(st, 5);
		si->events = (uint64_t)sqlite3_column_int64(st, 6);
		si->skipped = (uint64_t)sqlite3_column_int64(st, 7);
		si->unknown = (uint64_t)sqlite3_column_int64(st, 8);
		si->drops = (uint64_t)sqlite3_column_int64(st, 9);
		if (si->complete)
			s->drops += si->drops;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? TDB_OK : tdb__sqlerr(db, e, "reading sources");
}

/* Run sql (one row of integers) into out[0..n-1]. */
static int
sum_row(struct tdb *db, const char *sql, int64_t *out, int n, struct err *e)
{
	sqlite3_stmt *st = tdb__prepare(db, sql, e);
	int rc;

	if (st == NULL)
		return TDB_ESYS;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (int i = 0; i < n; i++)
			out[i] = col_or(st, i, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? TDB_OK : tdb__sqlerr(db, e, "summary");
}

/*
 * Rows of (name, n) or (name, n, pid) from sql into *out; top bounds the
 * count when the SQL has a "?1" limit.
 */
static int
sum_counts(struct tdb *db, const char *sql, size_t top, struct tdb_count **out,
    size_t *nout, struct err *e)
{
	sqlite3_stmt *st = tdb__prepare(db, sql, e);
	size_t alloc = 0;
	int rc;

	if (st == NULL)
		return TDB_ESYS;
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, (sqlite3_int64)top);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (col_text(st, 0) == NULL) {
			err_setloc(e, db->path, 0, 0, "corrupt trace store: "
			    "an event type, executable or path is NULL");
			sqlite3_finalize(st);
			return TDB_EBAD;
		}
		XGROW(*out, *nout + 1, alloc);
		(*out)[*nout].name = xstrdup(col_text(st, 0));
		(*out)[*nout].n = (uint64_t)sqlite3_column_int64(st, 1);
		(*out)[*nout].pid = sqlite3_column_count(st) > 2 ?
		    sqlite3_column_int(st, 2) : -1;
		(*nout)++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? TDB_OK : tdb__sqlerr(db, e, "summary");
}

static int
cmp_count(const void *a, const void *b)
{
	const struct tdb_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
sum_types(struct tdb *db, struct tdb_summary *s, struct err *e)
{
	int rc = sum_counts(db, "SELECT type, count(*) FROM events WHERE "
	    "source IN " COMPLETE_SOURCES " GROUP BY type", 0, &s->types,
	    &s->ntypes, e);

	/* A type this essim has no name for (a newer store): its number. */
	for (size_t i = 0; rc == TDB_OK && i < s->ntypes; i++) {
		const struct evtype *t = evtype_by_value(atoi(s->types[i].name));
		char buf[64];

		if (t == NULL)
			snprintf(buf, sizeof(buf), "type %.20s (unknown to this "
			    "essim)", s->types[i].name);
		free(s->types[i].name);
		s->types[i].name = xstrdup(t != NULL ? t->name : buf);
	}
	if (rc == TDB_OK && s->ntypes > 0)
		qsort(s->types, s->ntypes, sizeof(s->types[0]), cmp_count);
	return rc;
}

int
tdb_summarize(struct tdb *db, size_t top, struct tdb_summary *s, struct err *e)
{
	int64_t row[3] = { 0, 0, 0 };
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = sum_sources(db, s, e)) != TDB_OK ||
	    (rc = sum_row(db, "SELECT count(*), min(time), max(time) FROM "
	    "events WHERE source IN " COMPLETE_SOURCES, row, 3, e)) != TDB_OK)
		return rc;
	s->events = (uint64_t)row[0];
	s->first = row[1];
	s->last = row[2];
	if ((rc = sum_row(db, "SELECT (SELECT count(*) FROM (SELECT DISTINCT "
	    "p.pid, p.pidversion, p.exe FROM events AS e JOIN processes AS p "
	    "ON p.id = e.process WHERE e.source IN " COMPLETE_SOURCES ")), "
	    "(SELECT count(DISTINCT path) FROM events WHERE source IN "
	    COMPLETE_SOURCES ")", row, 2, e)) != TDB_OK)
		return rc;
	s->nprocesses = (uint64_t)row[0];
	s->npaths = (uint64_t)row[1];
	if ((rc = sum_types(db, s, e)) != TDB_OK ||
	    (rc = sum_counts(db, "SELECT x.path, count(*) AS n, p.pid FROM "
	    "events AS e JOIN processes AS p ON p.id = e.process JOIN paths "
	    "AS x ON x.id = p.exe WHERE e.source IN " COMPLETE_SOURCES
	    " GROUP BY p.pid, x.path ORDER BY n DESC, x.path, p.pid LIMIT ?1",
	    top, &s->processes, &s->nprocs, e)) != TDB_OK)
		return rc;
	return sum_counts(db, "SELECT x.path, count(*) AS n FROM events AS e "
	    "JOIN paths AS x ON x.id = e.path WHERE e.source IN "
	    COMPLETE_SOURCES " GROUP BY e.path ORDER BY n DESC, x.path "
	    "LIMIT ?1", top, &s->paths, &s->npathcounts, e);
}

void
tdb_summary_release(struct tdb_summary *s)
{
	for (size_t i = 0; i < s->nsources; i++)
		free(s->sources[i].name);
	for (size_t i = 0; i < s->ntypes; i++)
		free(s->types[i].name);
	for (size_t i = 0; i < s->nprocs; i++)
		free(s->processes[i].name);
	for (size_t i = 0; i < s->npathcounts; i++)
		free(s->paths[i].name);
	free(s->sources);
	free(s->types);
	free(s->processes);
	free(s->paths);
	memset(s, 0, sizeof(*s));
}
