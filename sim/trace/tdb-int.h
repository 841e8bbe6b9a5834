/*
 * tdb-int.h - what the files of the trace store module share: the
 * handle and the SQL helpers.  Not for use outside sim/trace/tracedb.c
 * and sim/trace/tdb-import.c; the interface is tracedb.h.
 */
#ifndef ESSIM_TRACE_TDB_INT_H
#define ESSIM_TRACE_TDB_INT_H

#include <sqlite3.h>

#include "core/err.h"

struct tdb {
	sqlite3		*db;
	char		*path;
	int		 writable;
};

/* e = "path: what: sqlite's message"; returns TDB_ESYS. */
int	tdb__sqlerr(struct tdb *db, struct err *e, const char *what);

/* Run SQL without results; TDB_OK or TDB_ESYS. */
int	tdb__exec(struct tdb *db, const char *sql, struct err *e);

/* Prepare sql; NULL with e set on failure. */
sqlite3_stmt *tdb__prepare(struct tdb *db, const char *sql, struct err *e);

#endif /* ESSIM_TRACE_TDB_INT_H */
