/*
 * results-rows.c - the rows of a run: series and samples, histograms,
 * findings, incidents, flags, counters, parameters, the event log; see
 * results.h.  Each row is one execution of a statement prepared once per
 * database, bound from a letter per column (res__row()), inside the
 * batched transaction of results.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

#include "analysis/findings.h"
#include "analysis/hist.h"
#include "out/results-int.h"

static const char *const stmt_sql[ST_COUNT] = {
	[ST_PARAM] = "INSERT INTO sweep_params VALUES(?,?,?)",
	[ST_SERIES] = "INSERT INTO series VALUES(?,?,?,?)",
	[ST_SAMPLE] = "INSERT INTO samples VALUES(?,?,?,?,?)",
	[ST_HIST] = "INSERT INTO hist VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_BUCKET] = "INSERT INTO hist_bucket VALUES(?,?,?,?,?)",
	[ST_FINDING] = "INSERT INTO findings VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_STEP] = "INSERT INTO finding_steps VALUES(?,?,?,?,?,?,?)",
	[ST_INCIDENT] = "INSERT INTO incidents VALUES(?,?,?,?,?,?,?)",
	[ST_FLAG] = "INSERT INTO flags VALUES(?,?,?,?,?)",
	[ST_CLIENT] = "INSERT INTO client_stats VALUES(?,?,?,?,?,?,?,?)",
	[ST_PROCESS] = "INSERT INTO process_stats VALUES(?,?,?,?,?,?,?)",
	[ST_SYSCALL] = "INSERT INTO syscall_stats VALUES(?,?,?,?)",
	[ST_EVENT] = ("INSERT INTO events VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
	    "?,?,?)"),
};

/*
 * Insert one row with statement k.  types: one letter per column: 'i'
 * int64, 'n' int64 or NULL when negative, 'd' double, 't' text (NULL
 * writes NULL), 'z' NULL.
 */
int
res__row(struct res_db *d, int k, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int64_t v;
	const char *s;

	if (res__tx_begin(d) != RES_OK)
		return d->status;
	if (d->st[k] == NULL && sqlite3_prepare_v2(d->db, stmt_sql[k], -1,
	    &d->st[k], NULL) != SQLITE_OK)
		return res__poison_sql(d);
	st = d->st[k];
	va_start(ap, types);
	for (int i = 0; types[i] != '\0'; i++) {
		switch (types[i]) {
		case 'i':
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
			break;
		case 'n':
			if ((v = va_arg(ap, int64_t)) < 0)
				sqlite3_bind_null(st, i + 1);
			else
				sqlite3_bind_int64(st, i + 1, v);
			break;
		case 'd':
			sqlite3_bind_double(st, i + 1, va_arg(ap, double));
			break;
		case 't':
			if ((s = va_arg(ap, const char *)) == NULL)
				sqlite3_bind_null(st, i + 1);
			else
				sqlite3_bind_text(st, i + 1, s, -1,
				    SQLITE_TRANSIENT);
			break;
		default:
			sqlite3_bind_null(st, i + 1);
			break;
		}
	}
	va_end(ap);
	if (sqlite3_step(st) != SQLITE_DONE) {
		res__poison_sql(d);
		sqlite3_reset(st);
		return d->status;
	}
	sqlite3_reset(st);
	if (++d->pending >= RES_BATCH)
		res__tx_commit(d);
	return d->status;
}

/*
 * Rows.
 */

int
res_param(struct res_run *r, const char *pointer, const char *value)
{
	return res__row(r->db, ST_PARAM, "itt", r->id, pointer, value);
}

int64_t
res_series(struct res_run *r, const char *metric, const char *subject)
{
	int64_t id = ++r->nseries;
	int rc = res__row(r->db, ST_SERIES, "iitt", r->id, id, metric, subject);

	return rc != RES_OK ? rc : id;
}

int
res_sample(struct res_run *r, int64_t series_id, int64_t t, int64_t value,
    int64_t peak)
{
	return res__row(r->db, ST_SAMPLE, "iiiii", r->id, series_id, t, value,
	    peak);
}

int
res_hist(struct res_run *r, const char *metric, const char *client,
    const char *event_type, const struct hist *h)
{
	struct hist_iter it = HIST_ITER_INIT;
	struct hist_bucket b;
	int64_t id = ++r->nhist;
	uint64_t n = h != NULL ? hist_count(h) : 0;

	if (n == 0)
		return res__row(r->db, ST_HIST, "iitttizzzzzzzi", r->id, id,
		    metric, client, event_type, (int64_t)0, (int64_t)0);
	res__row(r->db, ST_HIST, "iitttiiidiiiii", r->id, id, metric, client,
	    event_type, (int64_t)n, hist_min(h), hist_max(h), hist_mean(h),
	    hist_quantile(h, 0.5), hist_quantile(h, 0.9),
	    hist_quantile(h, 0.99), hist_quantile(h, 0.999),
	    (int64_t)hist_overflow(h));
	while (hist_next(h, &it, &b))
		res__row(r->db, ST_BUCKET, "iiiii", r->id, id, b.lo, b.hi,
		    (int64_t)b.count);
	return r->db->status;
}

static int64_t
headroom(int64_t deadline, int64_t response)
{
	return response < deadline ? deadline - response : 0;
}

int
res_hist_headroom(struct res_run *r, const char *client,
    const char *event_type, int64_t deadline, const struct hist *h)
{
	struct hist_iter it = HIST_ITER_INIT;
	struct hist_bucket b;
	uint64_t n = h != NULL ? hist_count(h) : 0, zero = 0;
	int64_t id, zero_hi = 0;

	if (n == 0)
		return res_hist(r, "headroom", client, event_type, NULL);
	id = ++r->nhist;
	res__row(r->db, ST_HIST, "iitttiiidiiiii", r->id, id, "headroom",
	    client, event_type, (int64_t)n, headroom(deadline, hist_max(h)),
	    headroom(deadline, hist_min(h)),
	    hist_mean(h) < (double)deadline ? (double)deadline -
	    hist_mean(h) : 0.0,
	    headroom(deadline, hist_quantile(h, 0.5)),
	    headroom(deadline, hist_quantile(h, 0.9)),
	    headroom(deadline, hist_quantile(h, 0.99)),
	    headroom(deadline, hist_quantile(h, 0.999)),
	    (int64_t)hist_overflow(h));
	/* Buckets reaching the deadline all start at headroom 0: one row. */
	while (hist_next(h, &it, &b)) {
		if (b.hi >= deadline) {
			zero += b.count;
			if (headroom(deadline, b.lo) > zero_hi)
				zero_hi = headroom(deadline, b.lo);
			continue;
		}
		res__row(r->db, ST_BUCKET, "iiiii", r->id, id,
		    headroom(deadline, b.hi), headroom(deadline, b.lo),
		    (int64_t)b.count);
	}
	if (zero > 0)
		res__row(r->db, ST_BUCKET, "iiiii", r->id, id, (int64_t)0,
		    zero_hi, (int64_t)zero);
	return r->db->status;
}

int
res_finding(struct res_run *r, const struct finding *f, const char *process,
    const char *client)
{
	int64_t id = ++r->nfinding;

	res__row(r->db, ST_FINDING, "iitinttiitttt", r->id, id,
	    fd_kind_name(f->kind), f->t, f->t_end, process, client,
	    (int64_t)f->count, f->value, f->summary, f->chain, f->ended,
	    f->scenario);
	for (size_t i = 0; i < f->nrows; i++) {
		const struct fd_row *s = &f->rows[i];

		res__row(r->db, ST_STEP, "iiittnn", r->id, id, (int64_t)i,
		    s->who, s->what, s->t, s->count > 0 ? (int64_t)s->count :
		    (int64_t)-1);
	}
	return r->db->status;
}

int
res_incident(struct res_run *r, const char *kind, int64_t t,
    const char *process, const char *client, const char *detail)
{
	return res__row(r->db, ST_INCIDENT, "iitittt", r->id, r->nincident++,
	    kind, t, process, client, detail);
}

int
res_flag(struct res_run *r, const char *flag, int64_t first,
    const char *process, uint64_t sets)
{
	return res__row(r->db, ST_FLAG, "itnti", r->id, flag, first,
	    first >= 0 ? process : NULL, (int64_t)sets);
}

int
res_client_stats(struct res_run *r, const char *client, uint64_t messages,
    uint64_t auth_messages, uint64_t misses, uint64_t kills,
    uint64_t restarts, int64_t min_headroom)
{
	return res__row(r->db, ST_CLIENT, "itiiiiin", r->id, client,
	    (int64_t)messages, (int64_t)auth_messages, (int64_t)misses,
	    (int64_t)kills, (int64_t)restarts, min_headroom);
}

int
res_process_stats(struct res_run *r, const char *process, int peak_threads,
    int peak_pool_threads, uint64_t crashes, int64_t pool_time_above,
    uint64_t pool_crossings)
{
	return res__row(r->db, ST_PROCESS, "itiiiii", r->id, process,
	    (int64_t)peak_threads, (int64_t)peak_pool_threads,
	    (int64_t)crashes, pool_time_above, (int64_t)pool_crossings);
}

int
res_syscall_stats(struct res_run *r, const char *event_type, uint64_t count,
    uint64_t denied)
{
	return res__row(r->db, ST_SYSCALL, "itii", r->id, event_type,
	    (int64_t)count, (int64_t)denied);
}

int
res_event(struct res_run *r, const struct res_event *ev)
{
	return res__row(r->db, ST_EVENT, "iiitnttntntttttni", r->id,
	    r->nevent++, ev->t, ev->kind,
	    ev->thread > 0 ? (int64_t)ev->thread : (int64_t)-1,
	    ev->thread_name, ev->obj_kind,
	    ev->obj_kind != NULL ? (int64_t)ev->obj : (int64_t)-1,
	    ev->obj_name, ev->owner > 0 ? (int64_t)ev->owner : (int64_t)-1,
	    ev->wait, ev->process, ev->client, ev->event_type, ev->path,
	    (int64_t)ev->verdict, ev->value);
}

int
res_sweep(struct res_db *d, const char *grid, int shard, int shards,
    struct err *e)
{
	static const char sql[] = "INSERT INTO sweep VALUES(?, ?, ?, ?)";
	sqlite3_stmt *st;
	int rc;

	if (shards < 1 || shard < 0 || shard >= shards)
		BUG("res_sweep: shard %d of %d", shard, shards);
	if (res__tx_begin(d) == RES_OK) {
		if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) !=
		    SQLITE_OK) {
			res__poison_sql(d);
		} else {
			sqlite3_bind_int(st, 1, shard);
			sqlite3_bind_int(st, 2, shards);
			sqlite3_bind_text(st, 3, grid, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 4, PACKAGE_VERSION, -1,
			    SQLITE_STATIC);
			rc = sqlite3_step(st);
			sqlite3_finalize(st);
			if (rc != SQLITE_DONE)
				res__poison_sql(d);
		}
		res__exec(d, "UPDATE meta SET value = 'sweep' "
		    "WHERE key = 'kind'");
	}
	res__tx_commit(d);
	return res__report(d, e);
}
