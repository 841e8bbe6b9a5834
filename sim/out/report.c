/*
 * report.c - choosing and writing a report: open the database read-only,
 * make the folder, decide between a run and a sweep report, and pour the
 * body into the page template.
 *
 * The database is opened through results.h (RES_READ), so a file that is
 * not an essim results database, or one of another schema version, is
 * refused with the same words `essim merge` uses, and nothing in it is
 * ever written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/xalloc.h"
#include "out/report-html.h"
#include "out/report-run.h"
#include "out/report-sweep.h"
#include "out/report.h"
#include "out/results.h"

static int
make_dirs(const char *dir, struct err *e)
{
	char *data = xasprintf("%s/data", dir);
	int rc = 0;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		rc = err_set(e, "%s: %s", dir, strerror(errno)) * 2;
	else if (mkdir(data, 0777) != 0 && errno != EEXIST)
		rc = err_set(e, "%s: %s", data, strerror(errno)) * 2;
	free(data);
	return rc;
}

/* Count rows of a query with no parameters; -1 on error. */
static int64_t
count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/*
 * Every flag an asked-for order names is a flag of some run (a typo
 * would otherwise draw a flat line at 0).
 */
static int
check_orders(struct rctx *c)
{
	sqlite3_stmt *st, *all;
	char *names;
	int rc = 0;

	if (c->norders == 0)
		return 0;
	if (sqlite3_prepare_v2(c->db, "SELECT 1 FROM flags WHERE flag = ?1 "
	    "LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
		c->rc = -1;
		return err_set(&c->e, "%s: %s", c->dbname,
		    sqlite3_errmsg(c->db));
	}
	names = xstrdup("");
	for (size_t i = 0; rc == 0 && i < 2 * c->norders; i++) {
		sqlite3_bind_text(st, 1, c->orders[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW)
			rc = -1;
		sqlite3_reset(st);
		if (rc == 0)
			continue;
		if (sqlite3_prepare_v2(c->db, "SELECT DISTINCT flag FROM "
		    "flags ORDER BY flag", -1, &all, NULL) == SQLITE_OK) {
			while (sqlite3_step(all) == SQLITE_ROW) {
				char *t = xasprintf("%s%s%s", names,
				    names[0] != '\0' ? ", " : "",
				    (const char *)sqlite3_column_text(all, 0));

				free(names);
				names = t;
			}
			sqlite3_finalize(all);
		}
		c->rc = -1;
		err_set(&c->e, "--order %s,%s: no run in %s has a flag '%s' "
		    "(%s%s)", c->orders[i & ~(size_t)1],
		    c->orders[i | 1], c->dbname, c->orders[i],
		    names[0] != '\0' ? "its flags: " : "its runs have no "
		    "flags", names);
	}
	sqlite3_finalize(st);
	free(names);
	return rc;
}

static int
write_body(struct rctx *c, const struct report_opts *o,
    struct report_result *r, char **title)
{
	int64_t runs = count(c->db, "SELECT count(*) FROM run");
	int64_t sweeps = count(c->db, "SELECT count(*) FROM sweep");
	int64_t run = o->run_id;

	if (runs <= 0) {
		c->rc = -1;
		return err_set(&c->e, "%s: %s", c->dbname, runs == 0 ?
		    "holds no runs" : sqlite3_errmsg(c->db));
	}
	if (check_orders(c) != 0)
		return -1;
	if (run <= 0 && sweeps > 0) {
		r->sweep = 1;
		return rsweep_write(c, o->xptr, title);
	}
	if (run <= 0 && runs > 1) {
		c->rc = -1;
		return err_set(&c->e, "%s holds %lld runs and no sweep: pick "
		    "one with --run ID", c->dbname, (long long)runs);
	}
	if (run <= 0)
		run = count(c->db, "SELECT run_id FROM run");
	return rrun_write(c, run, title);
}

int
report_write(const struct report_opts *o, struct report_result *r,
    struct err *e)
{
	struct res_db *db = NULL;
	struct rctx c;
	char *title = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = res_open(o->db, RES_READ, &db, e)) != 0)
		return rc == RES_EIO ? -2 : -1;
	if ((rc = make_dirs(o->dir, e)) != 0) {
		res_close(db, NULL);
		return rc;
	}
	memset(&c, 0, sizeof(c));
	c.db = res_sqlite(db);
	c.dbname = o->db;
	c.dir = o->dir;
	c.templates = o->templates;
	c.gnuplot = o->gnuplot;
	c.orders = o->orders;
	c.norders = o->norders;
	c.body = open_memstream(&c.bodybuf, &c.bodylen);
	if (c.body == NULL)
		die("open_memstream: %s", strerror(errno));
	if (write_body(&c, o, r, &title) == 0)
		rhtml_finish(&c, title);
	fclose(c.body);
	r->nplots = c.nplots;
	r->nfailed = c.nfailed;
	if (c.first_failure != NULL)
		snprintf(r->failed, sizeof(r->failed), "%s", c.first_failure);
	if (c.rc != 0)
		*e = c.e;
	free(c.first_failure);
	free(c.bodybuf);
	free(title);
	res_close(db, NULL);
	return c.rc;
}
