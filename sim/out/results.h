/*
 * results.h - the results database: one SQLite file holding one run or a
 * whole sweep, in a documented, versioned schema (docs/results-schema.md).
 *
 * A database holds runs; every table is keyed by run_id, so a sweep is the
 * same schema with many runs, and `essim merge` concatenates shards table
 * by table.  Writing one run:
 *
 *	struct res_db *db;
 *	if (res_open(path, RES_CREATE, &db, &e) != 0) ... (exit 2 or 3)
 *	struct res_run *r = res_run_begin(db, &info, &e);
 *				(the run row, 'incomplete', committed)
 *	... res_series()/res_sample(), res_event() during the run ...
 *	... res_finding(), res_hist(), res_client_stats() ... after it ...
 *	res_run_end(r, &end, &e);	(status 'complete', committed)
 *	res_close(db, &e);
 *
 * sim/out/results-rec.h does all of that for a world with the analyses
 * and the run counters attached; `essim run -o` and `essim sweep` use it.
 *
 * Crash safety: rows are written in transactions of at most RES_BATCH rows
 * (SQLite's rollback journal), and the run row says 'incomplete' from the
 * first commit to the last, so a run that is interrupted leaves a valid
 * database whose run says it is incomplete, never a corrupt one.
 *
 * Determinism: every row but the wall-clock columns (run.started_utc,
 * run.wall_s) is a function of the model, the seed and the options.
 *
 * Errors: functions that can fail return 0 or a negative res_status with
 * e set ("PATH: what is wrong").  A write error poisons the handle: every
 * later call fails the same way, so callers may check only at the end.
 * Out of memory dies in xmalloc, as everywhere.
 */
#ifndef ESSIM_OUT_RESULTS_H
#define ESSIM_OUT_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/err.h"

struct hist;
struct finding;

/* meta.schema_version and PRAGMA user_version; see the version policy. */
#define RES_SCHEMA_VERSION	3
/* PRAGMA application_id of every essim results database: "ESIM". */
#define RES_APPLICATION_ID	0x4553494d
/* Rows per transaction while a run is being written. */
#define RES_BATCH		8192

enum res_status {
	RES_OK = 0,
	RES_EINPUT = -1,	/* the file exists / is not ours / wrong
				   version: bad input, exit 2 */
	RES_EIO = -2		/* SQLite or the system failed: exit 3 */
};

enum res_mode {
	RES_CREATE,	/* a new database; an existing non-empty file is
			   refused (RES_EINPUT) */
	RES_REPLACE,	/* as CREATE, but an existing essim database (of any
			   schema version) is deleted first; any other file
			   is still refused */
	RES_APPEND,	/* add runs to an existing essim database of this
			   schema version (or create one) */
	RES_READ	/* read only: an essim database of this version */
};

struct res_db;
struct res_run;

/*
 * Open or create the database at path.  On success *out is the handle
 * and 0 is returned; else *out is NULL, e says why, and the result is
 * RES_EINPUT (the file exists under RES_CREATE, is not an essim results
 * database, or has another schema version) or RES_EIO.  A file that is
 * not ours is never written to, whatever the mode.
 */
int		 res_open(const char *path, enum res_mode mode,
		    struct res_db **out, struct err *e);

/*
 * Commit what is pending and close.  Runs still open are left
 * 'incomplete' and freed.  Returns 0 or RES_EIO.  db may be NULL.
 */
int		 res_close(struct res_db *db, struct err *e);

/* The SQLite handle, for queries (merge, report, tests). */
sqlite3		*res_sqlite(struct res_db *db);

/*
 * The schema version of an existing file: 0 when it is not an essim
 * results database (or not SQLite), -1 when it cannot be read.  Never
 * writes.  For `essim merge` and `essim report` messages.
 */
int		 res_probe_version(const char *path);

/* What is known of a run when it starts. */
struct res_run_info {
	int64_t		 run_id;	/* 0: the next free id */
	int64_t		 point;		/* sweep grid point; -1: none */
	const char	*model_name;
	const char	*model_file;	/* NULL: none (a patched model) */
	const char	*model_text;	/* the model as given (JSON text) */
	uint64_t	 seed;
	int64_t		 duration_ns;	/* the end time asked for */
	int64_t		 sample_ns;	/* series interval; 0: no series */
	int		 event_log;	/* 1: events holds the probe log */
};

#define RES_RUN_INFO_INIT	{ 0, -1, NULL, NULL, NULL, 0, 0, 0, 0 }

/* What is known when it ends. */
struct res_run_end {
	int64_t		 sim_ns;	/* virtual time reached */
	uint64_t	 events;	/* engine events run */
	double		 wall_s;	/* wall-clock seconds (varies) */
	uint64_t	 cache_hits;
	uint64_t	 early_boot_timeouts;
};

/*
 * Insert the run row with status 'incomplete' and commit.  NULL with e
 * set when the id is taken (RES_EINPUT) or the write fails.  The run
 * belongs to db; at most one run is open at a time.
 */
struct res_run	*res_run_begin(struct res_db *db,
		    const struct res_run_info *ri, struct err *e);
int64_t		 res_run_id(const struct res_run *r);

/*
 * Fill in the end values, set status 'complete', commit, and free r
 * (also on error, where the run stays 'incomplete').
 */
int		 res_run_end(struct res_run *r, const struct res_run_end *end,
		    struct err *e);

/*
 * The run was stopped early (SIGINT/SIGTERM): fill in the end values
 * reached (sim_ns is where it stopped), keep status 'incomplete', commit
 * and free r, as res_run_end() does.
 */
int		 res_run_stop(struct res_run *r, const struct res_run_end *end,
		    struct err *e);

/* Leave the run 'incomplete' (commit what was written) and free it. */
void		 res_run_abandon(struct res_run *r);

/*
 * Rows of a run.  Each returns 0, or a negative res_status once the
 * handle is poisoned (see above).  Strings are copied; NULL writes NULL.
 */

/* sweep_params: value is JSON text ("200", "\"1ms\"", "{...}"). */
int	res_param(struct res_run *r, const char *pointer, const char *value);

/*
 * A time series (metric, subject) of the run: returns its series_id (1,
 * 2, ...), or a negative res_status.  Metrics: docs/results-schema.md.
 */
int64_t	res_series(struct res_run *r, const char *metric,
	    const char *subject);
/* One sample: value at t, and the largest value since the last sample. */
int	res_sample(struct res_run *r, int64_t series_id, int64_t t,
	    int64_t value, int64_t peak);

/*
 * A histogram (summary row and one row per non-empty bucket).  metric is
 * "response", "queue_wait", "headroom" or "syscall"; client and
 * event_type may be NULL.  An empty or NULL h writes a summary with count
 * 0 and NULL statistics.  O(buckets).
 */
int	res_hist(struct res_run *r, const char *metric, const char *client,
	    const char *event_type, const struct hist *h);

/*
 * The deadline headroom of client's answers to event_type, from their
 * response times: metric "headroom", each value deadline - response (0
 * when later).  The order is mirrored: pXX_ns is the headroom that XX% of
 * the answers had at least (deadline - the XXth percentile of response),
 * so p99_ns says how close the slowest 1% came.  O(buckets).
 */
int	res_hist_headroom(struct res_run *r, const char *client,
	    const char *event_type, int64_t deadline,
	    const struct hist *response);

/*
 * A finding (analysis/findings.h) and its chain rows; finding_id is the
 * order of the calls, from 1.  process and client are the names of the
 * finding's model ids (NULL: none).
 */
int	res_finding(struct res_run *r, const struct finding *f,
	    const char *process, const char *client);

/* An incident: a kill, a sync crash, a spinning thread (run counters). */
int	res_incident(struct res_run *r, const char *kind, int64_t t,
	    const char *process, const char *client, const char *detail);

/*
 * A flag of the model (table flags): when it was first set (-1: never,
 * which writes NULL), by which process (written only when set), and how
 * many times a program ran "set" on it.  One call per flag per run.
 */
int	res_flag(struct res_run *r, const char *flag, int64_t first,
	    const char *process, uint64_t sets);

/* The per-entity counters. min_headroom: -1 writes NULL. */
int	res_client_stats(struct res_run *r, const char *client,
	    uint64_t messages, uint64_t auth_messages, uint64_t misses,
	    uint64_t kills, uint64_t restarts, int64_t min_headroom);
int	res_process_stats(struct res_run *r, const char *process,
	    int peak_threads, int peak_pool_threads, uint64_t crashes,
	    int64_t pool_time_above, uint64_t pool_crossings);
int	res_syscall_stats(struct res_run *r, const char *event_type,
	    uint64_t count, uint64_t denied);

/* One row of the event log (--events); see results-log.h. */
struct res_event {
	int64_t		 t;
	const char	*kind;		/* "WAIT", "MSG_ENQUEUE", ... */
	uint64_t	 thread;	/* 0: none */
	const char	*thread_name;
	const char	*obj_kind;	/* "thread", "msg", ...; NULL none */
	uint64_t	 obj;
	const char	*obj_name;
	uint64_t	 owner;		/* 0: none */
	const char	*wait;		/* WAIT/WAKE: "verdict", ...; NULL */
	const char	*process;
	const char	*client;
	const char	*event_type;
	const char	*path;
	int		 verdict;	/* -1: NULL */
	int64_t		 value;
};

int	res_event(struct res_run *r, const struct res_event *ev);

/*
 * A sweep's description (table sweep): the grid as JSON text, and which
 * shard (0 <= shard < shards) this database holds.  Sets meta.kind to
 * 'sweep'.  `essim merge` copies every shard's row.
 */
int	res_sweep(struct res_db *db, const char *grid, int shard, int shards,
	    struct err *e);

#endif /* ESSIM_OUT_RESULTS_H */
