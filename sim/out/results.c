/*
 * results.c - the results database: schema, identity checks, runs,
 * transactions; see results.h and docs/results-schema.md.  The rows
 * themselves are written by results-rows.c.
 *
 * Identity.  A file is ours when its PRAGMA application_id is "ESIM"
 * (RES_APPLICATION_ID); its PRAGMA user_version is the schema version.
 * The summary-only layout of early development (version 1) had no
 * application id: it is recognised by its meta table, so that --force
 * may replace it, but it is never read or appended to.  Anything else is
 * foreign and never opened for writing: the header is checked by reading
 * the first bytes ourselves, then SQLite opens the file read-only to look
 * at the pragmas, and only an essim database is reopened read-write.
 *
 * Writing.  One transaction is open while rows arrive; it is committed
 * every RES_BATCH rows and at the end of the run, so the rollback journal
 * stays small and an interrupted run loses at most one batch and leaves
 * the run row 'incomplete'.  Statements are prepared once per handle.
 * The first failure poisons the handle (db->status): later calls return
 * the same error without touching SQLite, so callers check once, at the
 * end.
 *
 * Load: a 1,000-sample run writes a few thousand rows; the event log
 * (--events) writes one row per probe, millions for a long run, which is
 * why rows are batched and statements reused.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"

#include "analysis/findings.h"
#include "analysis/hist.h"
#include "core/xalloc.h"
#include "out/results-int.h"

static const char schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE run(run_id INTEGER PRIMARY KEY,"
	" status TEXT NOT NULL CHECK (status IN ('incomplete', 'complete')),"
	" model_name TEXT NOT NULL, model_file TEXT, model_text TEXT NOT NULL,"
	" seed INTEGER NOT NULL, duration_ns INTEGER NOT NULL,"
	" sim_ns INTEGER, events INTEGER, sample_ns INTEGER NOT NULL,"
	" event_log INTEGER NOT NULL, point INTEGER,"
	" essim_version TEXT NOT NULL, started_utc TEXT NOT NULL,"
	" wall_s REAL, cache_hits INTEGER, early_boot_timeouts INTEGER);"
	"CREATE TABLE sweep(shard INTEGER NOT NULL, shards INTEGER NOT NULL,"
	" grid TEXT NOT NULL, essim_version TEXT NOT NULL,"
	" PRIMARY KEY (shard, shards));"
	"CREATE TABLE sweep_params(run_id INTEGER NOT NULL,"
	" pointer TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY (run_id, pointer));"
	"CREATE TABLE findings(run_id INTEGER NOT NULL,"
	" finding_id INTEGER NOT NULL, kind TEXT NOT NULL,"
	" t_ns INTEGER NOT NULL, t_end_ns INTEGER, process TEXT, client TEXT,"
	" count INTEGER, value INTEGER, summary TEXT, chain TEXT, ended TEXT,"
	" scenario TEXT, PRIMARY KEY (run_id, finding_id));"
	"CREATE TABLE finding_steps(run_id INTEGER NOT NULL,"
	" finding_id INTEGER NOT NULL, step INTEGER NOT NULL, label TEXT,"
	" detail TEXT, t_ns INTEGER, count INTEGER,"
	" PRIMARY KEY (run_id, finding_id, step));"
	"CREATE TABLE incidents(run_id INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" kind TEXT NOT NULL, t_ns INTEGER NOT NULL, process TEXT,"
	" client TEXT, detail TEXT, PRIMARY KEY (run_id, seq));"
	"CREATE TABLE flags(run_id INTEGER NOT NULL, flag TEXT NOT NULL,"
	" first_ns INTEGER, process TEXT, sets INTEGER NOT NULL,"
	" PRIMARY KEY (run_id, flag)) WITHOUT ROWID;"
	"CREATE TABLE client_stats(run_id INTEGER NOT NULL,"
	" client TEXT NOT NULL, messages INTEGER, auth_messages INTEGER,"
	" misses INTEGER, kills INTEGER, restarts INTEGER,"
	" min_headroom_ns INTEGER, PRIMARY KEY (run_id, client));"
	"CREATE TABLE process_stats(run_id INTEGER NOT NULL,"
	" process TEXT NOT NULL, peak_threads INTEGER,"
	" peak_pool_threads INTEGER, crashes INTEGER,"
	" pool_time_above_ns INTEGER, pool_crossings INTEGER,"
	" PRIMARY KEY (run_id, process));"
	"CREATE TABLE syscall_stats(run_id INTEGER NOT NULL,"
	" event_type TEXT NOT NULL, count INTEGER, denied INTEGER,"
	" PRIMARY KEY (run_id, event_type));"
	"CREATE TABLE hist(run_id INTEGER NOT NULL, hist_id INTEGER NOT NULL,"
	" metric TEXT NOT NULL, client TEXT, event_type TEXT,"
	" count INTEGER NOT NULL, min_ns INTEGER, max_ns INTEGER,"
	" mean_ns REAL, p50_ns INTEGER, p90_ns INTEGER, p99_ns INTEGER,"
	" p999_ns INTEGER, overflow INTEGER NOT NULL,"
	" PRIMARY KEY (run_id, hist_id));"
	"CREATE TABLE hist_bucket(run_id INTEGER NOT NULL,"
	" hist_id INTEGER NOT NULL, lo_ns INTEGER NOT NULL,"
	" hi_ns INTEGER NOT NULL, count INTEGER NOT NULL,"
	" PRIMARY KEY (run_id, hist_id, lo_ns)) WITHOUT ROWID;"
	"CREATE TABLE series(run_id INTEGER NOT NULL,"
	" series_id INTEGER NOT NULL, metric TEXT NOT NULL, subject TEXT,"
	" PRIMARY KEY (run_id, series_id));"
	"CREATE TABLE samples(run_id INTEGER NOT NULL,"
	" series_id INTEGER NOT NULL, t_ns INTEGER NOT NULL,"
	" value INTEGER NOT NULL, peak INTEGER NOT NULL,"
	" PRIMARY KEY (run_id, series_id, t_ns)) WITHOUT ROWID;"
	"CREATE TABLE events(run_id INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" t_ns INTEGER NOT NULL, kind TEXT NOT NULL, thread INTEGER,"
	" thread_name TEXT, obj_kind TEXT, obj INTEGER, obj_name TEXT,"
	" owner INTEGER, wait TEXT, process TEXT, client TEXT,"
	" event_type TEXT, path TEXT, verdict INTEGER, value INTEGER,"
	" PRIMARY KEY (run_id, seq)) WITHOUT ROWID;"
	"CREATE VIEW samples_v AS SELECT s.run_id AS run_id,"
	" se.metric AS metric, se.subject AS subject, s.t_ns AS t_ns,"
	" s.value AS value, s.peak AS peak FROM samples s JOIN series se"
	" ON se.run_id = s.run_id AND se.series_id = s.series_id;";

/* Record the first failure; returns it. */
int
res__poison(struct res_db *d, int status, const char *fmt, ...)
{
	va_list ap;

	if (d->status != RES_OK)
		return d->status;
	d->status = status;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return status;
}

int
res__poison_sql(struct res_db *d)
{
	return res__poison(d, RES_EIO, "%s", sqlite3_errmsg(d->db));
}

/* Copy the poison into e. */
int
res__report(struct res_db *d, struct err *e)
{
	if (d->status != RES_OK)
		err_set(e, "%s: %s", d->path, d->msg);
	return d->status;
}

int
res__exec(struct res_db *d, const char *sql)
{
	if (d->status != RES_OK)
		return d->status;
	if (sqlite3_exec(d->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return res__poison_sql(d);
	return RES_OK;
}

int
res__tx_commit(struct res_db *d)
{
	if (!d->in_tx)
		return d->status;
	d->in_tx = 0;
	d->pending = 0;
	if (d->status != RES_OK) {
		sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
		return d->status;
	}
	return res__exec(d, "COMMIT");
}

int
res__tx_begin(struct res_db *d)
{
	if (d->in_tx || d->status != RES_OK)
		return d->status;
	if (res__exec(d, "BEGIN") == RES_OK)
		d->in_tx = 1;
	return d->status;
}

/*
 * Identification of an existing file.
 */

enum ident { ID_MISSING, ID_EMPTY, ID_FOREIGN, ID_OURS, ID_UNREADABLE };

/* Whether path starts with the SQLite header: 1, 0 no, -1 unreadable. */
static int
sqlite_header(const char *path)
{
	static const char magic[16] = "SQLite format 3";
	char buf[16];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return n == sizeof(buf) && memcmp(buf, magic, sizeof(buf)) == 0;
}

static int64_t
pragma_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Version 1: meta(schema_version = 1, generator = 'essim run'). */
static int
is_v1(sqlite3 *db)
{
	return pragma_int(db, "SELECT count(*) FROM meta WHERE "
	    "(key = 'schema_version' AND value = '1') OR "
	    "(key = 'generator' AND value = 'essim run')") == 2;
}

/* What is at path; *version set for ID_OURS. */
static enum ident
identify(const char *path, int *version)
{
	struct stat sb;
	sqlite3 *db = NULL;
	int64_t app;
	enum ident id = ID_FOREIGN;
	int h;

	if (stat(path, &sb) != 0)
		return errno == ENOENT ? ID_MISSING : ID_UNREADABLE;
	if (S_ISREG(sb.st_mode) && sb.st_size == 0)
		return ID_EMPTY;
	if (!S_ISREG(sb.st_mode))
		return ID_FOREIGN;
	if ((h = sqlite_header(path)) <= 0)
		return h < 0 ? ID_UNREADABLE : ID_FOREIGN;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return ID_UNREADABLE;
	}
	app = pragma_int(db, "PRAGMA application_id");
	if (app == RES_APPLICATION_ID) {
		*version = (int)pragma_int(db, "PRAGMA user_version");
		id = ID_OURS;
	} else if (app == 0 && is_v1(db)) {
		*version = 1;
		id = ID_OURS;
	}
	sqlite3_close(db);
	return id;
}

int
res_probe_version(const char *path)
{
	int v = 0;

	switch (identify(path, &v)) {
	case ID_OURS:
		return v;
	case ID_UNREADABLE:
		return -1;
	default:
		return 0;
	}
}

static int
create_schema(struct res_db *d)
{
	char sql[256];

	res__exec(d, "PRAGMA synchronous = NORMAL");
	res__tx_begin(d);
	res__exec(d, schema_sql);
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d;"
	    "PRAGMA user_version = %d;"
	    "INSERT INTO meta VALUES('schema_version', '%d');"
	    "INSERT INTO meta VALUES('application', 'essim');"
	    "INSERT INTO meta VALUES('kind', 'run');"
	    "INSERT INTO meta VALUES('created_by', 'essim %s');",
	    RES_APPLICATION_ID, RES_SCHEMA_VERSION, RES_SCHEMA_VERSION,
	    PACKAGE_VERSION);
	res__exec(d, sql);
	return res__tx_commit(d);
}

static struct res_db *
db_new(const char *path)
{
	struct res_db *d = xcalloc(1, sizeof(*d));

	d->path = xstrdup(path);
	return d;
}

static void
db_free(struct res_db *d)
{
	for (int k = 0; k < ST_COUNT; k++)
		sqlite3_finalize(d->st[k]);
	sqlite3_close(d->db);
	free(d->path);
	free(d);
}

/* Open (creating with create) and set up the connection. */
static int
db_connect(struct res_db *d, int flags)
{
	if (sqlite3_open_v2(d->path, &d->db, flags, NULL) != SQLITE_OK)
		return res__poison(d, RES_EIO, "%s", d->db != NULL ?
		    sqlite3_errmsg(d->db) : "cannot open");
	sqlite3_busy_timeout(d->db, 10000);
	sqlite3_extended_result_codes(d->db, 1);
	return RES_OK;
}

/* Remove an essim database and its journals, for RES_REPLACE. */
static int
remove_db(const char *path, struct err *e)
{
	static const char *const sfx[] = { "-journal", "-wal", "-shm" };

	if (unlink(path) != 0 && errno != ENOENT) {
		err_set(e, "%s: cannot replace: %s", path, strerror(errno));
		return RES_EIO;
	}
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		char *p = xasprintf("%s%s", path, sfx[i]);

		unlink(p);
		free(p);
	}
	return RES_OK;
}

/* Whether an existing file may be opened in mode; RES_OK or why not. */
static int
check_existing(const char *path, enum res_mode mode, enum ident id,
    int version, struct err *e)
{
	if (id == ID_UNREADABLE) {
		err_set(e, "%s: cannot read: %s", path, strerror(errno));
		return RES_EIO;
	}
	if (id == ID_FOREIGN) {
		err_set(e, "%s: not an essim results database; not touching "
		    "it", path);
		return RES_EINPUT;
	}
	if (id == ID_MISSING || id == ID_EMPTY) {
		if (mode != RES_READ)
			return RES_OK;
		err_set(e, "%s: %s", path, id == ID_MISSING ?
		    "no such file" : "empty file");
		return RES_EINPUT;
	}
	if (mode == RES_CREATE) {
		err_set(e, "%s: exists (an essim results database); use "
		    "--force to replace it or --append to add a run", path);
		return RES_EINPUT;
	}
	if (mode != RES_REPLACE && version != RES_SCHEMA_VERSION) {
		err_set(e, "%s: results schema version %d; this essim %s "
		    "version %d", path, version, version > RES_SCHEMA_VERSION ?
		    "is older and reads" : "reads only", RES_SCHEMA_VERSION);
		return RES_EINPUT;
	}
	return RES_OK;
}

int
res_open(const char *path, enum res_mode mode, struct res_db **out,
    struct err *e)
{
	struct res_db *d;
	int version = 0, rc, fresh;
	enum ident id = identify(path, &version);

	*out = NULL;
	if ((rc = check_existing(path, mode, id, version, e)) != RES_OK)
		return rc;
	if (mode == RES_REPLACE && id == ID_OURS &&
	    (rc = remove_db(path, e)) != RES_OK)
		return rc;
	fresh = id != ID_OURS || mode == RES_REPLACE;
	d = db_new(path);
	d->readonly = mode == RES_READ;
	if (db_connect(d, d->readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) == RES_OK && fresh &&
	    !d->readonly)
		create_schema(d);
	if ((rc = res__report(d, e)) != RES_OK) {
		db_free(d);
		return rc;
	}
	*out = d;
	return RES_OK;
}

int
res_close(struct res_db *d, struct err *e)
{
	int rc;

	if (d == NULL)
		return RES_OK;
	if (d->run != NULL)
		res_run_abandon(d->run);
	res__tx_commit(d);
	rc = res__report(d, e);
	for (int k = 0; k < ST_COUNT; k++) {
		sqlite3_finalize(d->st[k]);
		d->st[k] = NULL;
	}
	if (sqlite3_close(d->db) != SQLITE_OK && rc == RES_OK) {
		err_set(e, "%s: %s", d->path, sqlite3_errmsg(d->db));
		rc = RES_EIO;
	}
	d->db = NULL;
	db_free(d);
	return rc;
}

sqlite3 *
res_sqlite(struct res_db *d)
{
	return d->db;
}

/*
 * Runs.
 */

static int64_t
next_run_id(struct res_db *d)
{
	return pragma_int(d->db, "SELECT coalesce(max(run_id), 0) + 1 "
	    "FROM run");
}

static int
run_id_taken(struct res_db *d, int64_t id)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM run WHERE "
	    "run_id = %lld", (long long)id);
	return pragma_int(d->db, sql) != 0;
}

static void
utc_now(char *buf, size_t n)
{
	time_t now = time(NULL);
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, n, "unknown");
}

static int
insert_run(struct res_db *d, int64_t id, const struct res_run_info *ri)
{
	static const char sql[] = "INSERT INTO run(run_id, status, "
	    "model_name, model_file, model_text, seed, duration_ns, "
	    "sample_ns, event_log, point, essim_version, started_utc) "
	    "VALUES(?, 'incomplete', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st;
	char utc[32];
	int rc;

	utc_now(utc, sizeof(utc));
	if (res__tx_begin(d) != RES_OK)
		return d->status;
	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
		return res__poison_sql(d);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, ri->model_name, -1, SQLITE_STATIC);
	if (ri->model_file != NULL)
		sqlite3_bind_text(st, 3, ri->model_file, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ri->model_text != NULL ? ri->model_text :
	    "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (int64_t)ri->seed);
	sqlite3_bind_int64(st, 6, ri->duration_ns);
	sqlite3_bind_int64(st, 7, ri->sample_ns);
	sqlite3_bind_int(st, 8, ri->event_log != 0);
	if (ri->point >= 0)
		sqlite3_bind_int64(st, 9, ri->point);
	sqlite3_bind_text(st, 10, PACKAGE_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, utc, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return res__poison_sql(d);
	return res__tx_commit(d);
}

struct res_run *
res_run_begin(struct res_db *d, const struct res_run_info *ri,
    struct err *e)
{
	struct res_run *r;
	int64_t id = ri->run_id;

	if (d->run != NULL)
		BUG("res_run_begin: a run is already open");
	if (d->readonly) {
		err_set(e, "%s: opened read-only", d->path);
		return NULL;
	}
	if (res__report(d, e) != RES_OK)
		return NULL;
	if (id <= 0)
		id = next_run_id(d);
	else if (run_id_taken(d, id)) {
		err_set(e, "%s: run %lld exists already", d->path,
		    (long long)id);
		return NULL;
	}
	if (id <= 0)
		res__poison_sql(d);
	if (d->status != RES_OK || insert_run(d, id, ri) != RES_OK) {
		res__report(d, e);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->db = d;
	r->id = id;
	d->run = r;
	return r;
}

int64_t
res_run_id(const struct res_run *r)
{
	return r->id;
}

static void
run_free(struct res_run *r)
{
	r->db->run = NULL;
	free(r);
}

/* The end values, and 'complete' when complete; commit; free r. */
static int
run_end(struct res_run *r, const struct res_run_end *end, int complete,
    struct err *e)
{
	static const char sql[] = "UPDATE run SET status = ?, "
	    "sim_ns = ?, events = ?, wall_s = ?, cache_hits = ?, "
	    "early_boot_timeouts = ? WHERE run_id = ?";
	struct res_db *d = r->db;
	sqlite3_stmt *st;
	int rc;

	if (res__tx_begin(d) == RES_OK) {
		if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) !=
		    SQLITE_OK) {
			res__poison_sql(d);
		} else {
			sqlite3_bind_text(st, 1, complete ? "complete" :
			    "incomplete", -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, end->sim_ns);
			sqlite3_bind_int64(st, 3, (int64_t)end->events);
			sqlite3_bind_double(st, 4, end->wall_s);
			sqlite3_bind_int64(st, 5, (int64_t)end->cache_hits);
			sqlite3_bind_int64(st, 6,
			    (int64_t)end->early_boot_timeouts);
			sqlite3_bind_int64(st, 7, r->id);
			rc = sqlite3_step(st);
			sqlite3_finalize(st);
			if (rc != SQLITE_DONE)
				res__poison_sql(d);
		}
	}
	res__tx_commit(d);
	run_free(r);
	return res__report(d, e);
}

int
res_run_end(struct res_run *r, const struct res_run_end *end, struct err *e)
{
	return run_end(r, end, 1, e);
}

int
res_run_stop(struct res_run *r, const struct res_run_end *end,
    struct err *e)
{
	return run_end(r, end, 0, e);
}

void
res_run_abandon(struct res_run *r)
{
	res__tx_commit(r->db);
	run_free(r);
}

