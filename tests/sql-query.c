/*
 * sql-query.c - run SQL on a SQLite file and print the rows, for script
 * tests on machines without the sqlite3 command-line shell.
 *
 *	tests/sql-query DB 'PRAGMA integrity_check' 'SELECT status FROM run'
 *
 * Each statement's rows go to stdout, one per line, columns separated by
 * '|' (NULL prints as empty), like `sqlite3 DB SQL`.  The file is opened
 * read-write but never created, so a hot journal left by a killed writer
 * is rolled back exactly as the next essim to open it would.  Exit 0, or
 * 1 with SQLite's message on stderr.
 */
#include <stdio.h>

#include <sqlite3.h>

static int
query(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *v = sqlite3_column_text(st, i);

			printf("%s%s", i > 0 ? "|" : "",
			    v != NULL ? (const char *)v : "");
		}
		printf("\n");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
main(int argc, char **argv)
{
	sqlite3 *db;
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: sql-query DB SQL...\n");
		return 2;
	}
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "sql-query: %s: %s\n", argv[1],
		    sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	for (int i = 2; i < argc && rc == 0; i++)
		if ((rc = query(db, argv[i])) != 0)
			fprintf(stderr, "sql-query: %s: %s\n", argv[1],
			    sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc == 0 && fflush(stdout) == 0 ? 0 : 1;
}
