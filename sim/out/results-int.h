/*
 * results-int.h - what results.c (the file, its schema, runs) and
 * results-rows.c (the rows) share; private to sim/out/results*.c.
 */
#ifndef ESSIM_OUT_RESULTS_INT_H
#define ESSIM_OUT_RESULTS_INT_H

#include "out/results.h"

/* Prepared statements, one per kind of row. */
enum {
	ST_PARAM, ST_SERIES, ST_SAMPLE, ST_HIST, ST_BUCKET, ST_FINDING,
	ST_STEP, ST_INCIDENT, ST_FLAG, ST_CLIENT, ST_PROCESS, ST_SYSCALL, ST_EVENT,
	ST_COUNT
};

struct res_db {
	sqlite3		*db;
	char		*path;
	int		 readonly;
	int		 status;		/* RES_OK, or the poison */
	char		 msg[ERR_TEXT_MAX];
	int		 in_tx;
	size_t		 pending;	/* rows in the open transaction */
	sqlite3_stmt	*st[ST_COUNT];
	struct res_run	*run;
};

struct res_run {
	struct res_db	*db;
	int64_t		 id;
	int64_t		 nseries, nhist, nfinding, nincident, nevent;
};

/* Record the first failure (printf format); returns it. */
int	res__poison(struct res_db *d, int status, const char *fmt, ...)
	    ESSIM_PRINTF(3, 4);
/* The same with SQLite's message. */
int	res__poison_sql(struct res_db *d);
/* Copy the poison into e; returns it. */
int	res__report(struct res_db *d, struct err *e);
int	res__exec(struct res_db *d, const char *sql);
/* The open transaction: begun lazily, committed every RES_BATCH rows. */
int	res__tx_begin(struct res_db *d);
int	res__tx_commit(struct res_db *d);
/* Insert one row with statement k; see results-rows.c for types. */
int	res__row(struct res_db *d, int k, const char *types, ...);

#endif /* ESSIM_OUT_RESULTS_INT_H */
