/*
 * tdb-import.c - importing an eslogger file into a trace store.
 *
 * One import is: hash the content (SHA-256, one streaming pass), stop if
 * a complete source with that hash exists, otherwise drop any incomplete
 * one left by an interrupted import of the same content, add the source
 * row (complete = 0), stream the events in with prepared statements,
 * committing every `batch` events, and finally mark the source complete
 * with its counts.  Readers only see complete sources, so a crash or a
 * kill at any point leaves a consistent store; a bad object under
 * --on-error=fail rolls back and removes the partial source.
 *
 * SIGINT and SIGTERM (core/intr.h) are polled once per object, and while
 * hashing: the open batch is rolled back, which is instant, and the
 * batches already committed stay under their source row marked
 * incomplete - invisible to readers, exactly what a kill -9 would leave,
 * and removed by the next import of the same content.  Deleting them
 * instead could take seconds on a large import (events has no index on
 * source), and the user asked to stop now.
 *
 * Under --on-error=skip, a file from which not a single object could be
 * read (garbage, a corrupt gzip stream, a binary file) is still an error:
 * skipping is for the odd bad object of a trace, not for a file that is
 * not one.
 *
 * Processes and paths are interned: each distinct one is stored once and
 * events refer to it by id.  A direct-mapped cache of CACHE_SLOTS recent
 * keys saves the SELECT for the common case (the same few processes and
 * paths, over and over) while keeping memory fixed; a miss costs one
 * indexed SELECT and, for a new key, one INSERT.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/intr.h"
#include "core/xalloc.h"
#include "trace/tdb-int.h"
#include "trace/tracedb.h"

#define CACHE_SLOTS	4096		/* a power of two */

struct cslot {
	uint64_t	 h;
	char		*key;
	size_t		 len;
	int64_t		 id;
};

struct imp {
	struct tdb	*db;
	sqlite3_stmt	*ins_event, *sel_path, *ins_path, *sel_proc, *ins_proc;
	struct cslot	*paths, *procs;	/* CACHE_SLOTS each */
	char		*key;		/* process key being built */
	size_t		 keyalloc;
	int64_t		 source;
	int		 in_txn;
	int		 committed;	/* a batch of source is committed */
	int		 broken;	/* the file broke off (ESL_FATAL) */
	int		 corrupt;	/* the store holds a row essim never
					   writes: bad input, not a failure */
};

static uint64_t
fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

static struct cslot *
cache_slot(struct cslot *c, uint64_t h)
{
	return &c[h & (CACHE_SLOTS - 1)];
}

static int64_t
cache_get(struct cslot *c, const char *key, size_t len, uint64_t h)
{
	struct cslot *s = cache_slot(c, h);

	if (s->key != NULL && s->h == h && s->len == len &&
	    memcmp(s->key, key, len) == 0)
		return s->id;
	return 0;
}

static void
cache_put(struct cslot *c, const char *key, size_t len, uint64_t h,
    int64_t id)
{
	struct cslot *s = cache_slot(c, h);

	free(s->key);
	s->key = xmalloc(len + 1);
	memcpy(s->key, key, len);
	s->key[len] = '\0';
	s->len = len;
	s->h = h;
	s->id = id;
}

static void
cache_free(struct cslot *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		free(c[i].key);
	free(c);
}

/*
 * The id of the row sel finds, after inserting it with ins when there is
 * none; both statements have their parameters bound.  0 on error.
 */
static int64_t
find_or_insert(struct imp *im, sqlite3_stmt *sel, sqlite3_stmt *ins,
    struct err *e)
{
	int64_t id = 0;
	int rc;

	rc = sqlite3_step(sel);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(sel, 0);
	sqlite3_reset(sel);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return tdb__sqlerr(im->db, e, "looking up"), 0;
	if (rc == SQLITE_DONE) {
		rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		if (rc != SQLITE_DONE)
			return tdb__sqlerr(im->db, e, "inserting"), 0;
		id = sqlite3_last_insert_rowid(im->db->db);
	}
	/* essim writes positive ids only: another one is a store written
	 * by something else, or damaged. */
	if (id <= 0) {
		im->corrupt = 1;
		err_setloc(e, im->db->path, 0, 0, "corrupt trace store: a "
		    "process or path row has id %lld", (long long)id);
	}
	return id > 0 ? id : 0;
}

/* The id of path (0 for NULL, -1 on error). */
static int64_t
path_id(struct imp *im, const char *path, struct err *e)
{
	size_t len;
	uint64_t h;
	int64_t id;

	if (path == NULL)
		return 0;
	len = strlen(path);
	h = fnv1a(path, len);
	if ((id = cache_get(im->paths, path, len, h)) > 0)
		return id;
	sqlite3_bind_text(im->sel_path, 1, path, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(im->ins_path, 1, path, (int)len, SQLITE_STATIC);
	if ((id = find_or_insert(im, im->sel_path, im->ins_path, e)) == 0)
		return -1;
	cache_put(im->paths, path, len, h, id);
	return id;
}

/* A length-prefixed rendering of every identity field of p. */
static size_t
proc_key(struct imp *im, const struct esl_process *p, int64_t exe)
{
	const char *sid = p->signing_id, *team = p->team_id;
	int n;

	for (;;) {
		n = snprintf(im->key, im->keyalloc, "%d %d %" PRId64 " %u %u %u "
		    "%u %u %u %d %d %d %d %c%zu:%s %c%zu:%s", p->token.pid,
		    p->token.pidversion, exe, p->token.auid, p->token.euid,
		    p->token.egid, p->token.ruid, p->token.rgid, p->token.asid,
		    p->ppid, p->original_ppid, p->is_es_client,
		    p->is_platform_binary, sid != NULL ? 'S' : 'N',
		    sid != NULL ? strlen(sid) : 0, sid != NULL ? sid : "",
		    team != NULL ? 'S' : 'N', team != NULL ? strlen(team) : 0,
		    team != NULL ? team : "");
		if ((size_t)n < im->keyalloc)
			return (size_t)n;
		im->keyalloc = (size_t)n + 64;
		im->key = xreallocarray(im->key, im->keyalloc, 1);
	}
}

static void
bind_opt_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* The 15 identity parameters, shared by sel_proc and ins_proc. */
static void
bind_proc(sqlite3_stmt *st, const struct esl_process *p, int64_t exe)
{
	sqlite3_bind_int(st, 1, p->token.pid);
	sqlite3_bind_int(st, 2, p->token.pidversion);
	sqlite3_bind_int64(st, 3, exe);
	sqlite3_bind_int64(st, 4, p->token.auid);
	sqlite3_bind_int64(st, 5, p->token.euid);
	sqlite3_bind_int64(st, 6, p->token.egid);
	sqlite3_bind_int64(st, 7, p->token.ruid);
	sqlite3_bind_int64(st, 8, p->token.rgid);
	sqlite3_bind_int64(st, 9, p->token.asid);
	sqlite3_bind_int(st, 10, p->ppid);
	sqlite3_bind_int(st, 11, p->original_ppid);
	bind_opt_text(st, 12, p->signing_id);
	bind_opt_text(st, 13, p->team_id);
	sqlite3_bind_int(st, 14, p->is_es_client);
	sqlite3_bind_int(st, 15, p->is_platform_binary);
}

/* The id of process p (-1 on error). */
static int64_t
proc_id(struct imp *im, const struct esl_process *p, struct err *e)
{
	int64_t exe, id;
	size_t len;
	uint64_t h;

	if ((exe = path_id(im, p->exe, e)) < 0)
		return -1;
	len = proc_key(im, p, exe);
	h = fnv1a(im->key, len);
	if ((id = cache_get(im->procs, im->key, len, h)) > 0)
		return id;
	bind_proc(im->sel_proc, p, exe);
	bind_proc(im->ins_proc, p, exe);
	if ((id = find_or_insert(im, im->sel_proc, im->ins_proc, e)) == 0)
		return -1;
	cache_put(im->procs, im->key, len, h, id);
	return id;
}

static void
bind_opt_int(sqlite3_stmt *st, int i, int64_t v, int present)
{
	if (present)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* Ids of everything ev refers to: process, target, path, path2. */
static int
event_refs(struct imp *im, const struct esl_event *ev, int64_t ids[4],
    struct err *e)
{
	ids[1] = 0;
	if ((ids[0] = proc_id(im, &ev->proc, e)) < 0 ||
	    (ev->has_target && (ids[1] = proc_id(im, &ev->target, e)) < 0) ||
	    (ids[2] = path_id(im, ev->path, e)) < 0 ||
	    (ids[3] = path_id(im, ev->path2, e)) < 0)
		return TDB_ESYS;
	return TDB_OK;
}

static int
insert_event(struct imp *im, const struct esl_event *ev, struct err *e)
{
	sqlite3_stmt *st = im->ins_event;
	int64_t ids[4];
	int rc;

	if (event_refs(im, ev, ids, e) != TDB_OK)
		return im->corrupt ? TDB_EBAD : TDB_ESYS;
	sqlite3_bind_int64(st, 1, ev->time);
	bind_opt_int(st, 2, ev->mach_time, ev->mach_time >= 0);
	sqlite3_bind_int(st, 3, ev->type->value);
	sqlite3_bind_int64(st, 4, ids[0]);
	bind_opt_int(st, 5, ev->thread_id, ev->thread_id >= 0);
	bind_opt_int(st, 6, ids[2], ids[2] > 0);
	bind_opt_int(st, 7, ids[3], ids[3] > 0);
	bind_opt_int(st, 8, ids[1], ids[1] > 0);
	bind_opt_int(st, 9, ev->status, ev->has_status);
	bind_opt_int(st, 10, ev->seq_num, ev->seq_num >= 0);
	bind_opt_int(st, 11, ev->global_seq_num, ev->global_seq_num >= 0);
	bind_opt_int(st, 12, ev->version, ev->version >= 0);
	bind_opt_int(st, 13, ev->action_type, ev->action_type >= 0);
	sqlite3_bind_int64(st, 14, im->source);
	sqlite3_bind_int(st, 15, ev->line);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? TDB_OK : tdb__sqlerr(im->db, e,
	    "inserting an event");
}

static int
imp_prepare(struct imp *im, struct err *e)
{
	im->paths = xcalloc(CACHE_SLOTS, sizeof(struct cslot));
	im->procs = xcalloc(CACHE_SLOTS, sizeof(struct cslot));
	if ((im->ins_event = tdb__prepare(im->db, "INSERT INTO events (time, "
	    "mach_time, type, process, thread, path, path2, target, status, "
	    "seq_num, global_seq_num, version, action_type, source, line) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
	    "?14, ?15)", e)) == NULL ||
	    (im->sel_path = tdb__prepare(im->db, "SELECT id FROM paths WHERE "
	    "path = ?1", e)) == NULL ||
	    (im->ins_path = tdb__prepare(im->db, "INSERT INTO paths (path) "
	    "VALUES (?1)", e)) == NULL ||
	    (im->sel_proc = tdb__prepare(im->db, "SELECT id FROM processes "
	    "WHERE pid = ?1 AND pidversion = ?2 AND exe = ?3 AND auid = ?4 AND "
	    "euid = ?5 AND egid = ?6 AND ruid = ?7 AND rgid = ?8 AND asid = ?9 "
	    "AND ppid = ?10 AND original_ppid = ?11 AND ifnull(signing_id, "
	    "X'') = ifnull(?12, X'') AND ifnull(team_id, X'') = ifnull(?13, "
	    "X'') AND is_es_client = ?14 AND is_platform_binary = ?15",
	    e)) == NULL ||
	    (im->ins_proc = tdb__prepare(im->db, "INSERT INTO processes (pid, "
	    "pidversion, exe, auid, euid, egid, ruid, rgid, asid, ppid, "
	    "original_ppid, signing_id, team_id, is_es_client, "
	    "is_platform_binary) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10, ?11, ?12, ?13, ?14, ?15)", e)) == NULL)
		return TDB_ESYS;
	return TDB_OK;
}

static void
imp_release(struct imp *im)
{
	sqlite3_finalize(im->ins_event);
	sqlite3_finalize(im->sel_path);
	sqlite3_finalize(im->ins_path);
	sqlite3_finalize(im->sel_proc);
	sqlite3_finalize(im->ins_proc);
	cache_free(im->paths);
	cache_free(im->procs);
	free(im->key);
}

static int
txn(struct imp *im, const char *sql, struct err *e)
{
	int rc = tdb__exec(im->db, sql, e);

	if (rc == TDB_OK) {
		im->in_txn = strncmp(sql, "BEGIN", 5) == 0;
		if (strcmp(sql, "COMMIT") == 0 && im->source > 0)
			im->committed = 1;
	}
	return rc;
}

/* Run one statement with up to two integer parameters. */
static int
exec_ids(struct tdb *db, const char *sql, int64_t a, int64_t b, struct err *e)
{
	sqlite3_stmt *st = tdb__prepare(db, sql, e);
	int rc;

	if (st == NULL)
		return TDB_ESYS;
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? TDB_OK : tdb__sqlerr(db, e, "updating");
}

static int
drop_source(struct tdb *db, int64_t id, struct err *e)
{
	if (exec_ids(db, "DELETE FROM events WHERE source = ?1", id, 0, e) !=
	    TDB_OK || exec_ids(db, "DELETE FROM sources WHERE id = ?1", id, 0,
	    e) != TDB_OK)
		return TDB_ESYS;
	return TDB_OK;
}

/*
 * Inside the first transaction: is sha already complete (st->already)?
 * Otherwise clear any incomplete twin and add the source row.
 */
static int
begin_source(struct imp *im, const char *name, struct tdb_import_stats *st,
    struct err *e)
{
	sqlite3_stmt *q;
	int64_t old = 0;
	int rc, complete = 0;

	if ((q = tdb__prepare(im->db, "SELECT id, name, complete FROM sources "
	    "WHERE sha256 = ?1", e)) == NULL)
		return TDB_ESYS;
	sqlite3_bind_text(q, 1, st->sha256, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		old = sqlite3_column_int64(q, 0);
		snprintf(st->first_name, sizeof(st->first_name), "%s",
		    (const char *)sqlite3_column_text(q, 1));
		complete = sqlite3_column_int(q, 2);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return tdb__sqlerr(im->db, e, "reading sources");
	if (complete) {
		st->already = 1;
		st->source_id = old;
		return TDB_OK;
	}
	st->first_name[0] = '\0';
	if (old > 0 && drop_source(im->db, old, e) != TDB_OK)
		return TDB_ESYS;
	if ((q = tdb__prepare(im->db, "INSERT INTO sources (name, size, "
	    "sha256) VALUES (?1, ?2, ?3)", e)) == NULL)
		return TDB_ESYS;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)st->size);
	sqlite3_bind_text(q, 3, st->sha256, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return tdb__sqlerr(im->db, e, "adding the source");
	im->source = st->source_id = sqlite3_last_insert_rowid(im->db->db);
	return TDB_OK;
}

static int
finish_source(struct imp *im, const struct esl_counts *c, struct err *e)
{
	sqlite3_stmt *q = tdb__prepare(im->db, "UPDATE sources SET complete = "
	    "1, objects = ?1, events = ?2, skipped = ?3, unknown = ?4, drops = "
	    "?5 WHERE id = ?6", e);
	int rc;

	if (q == NULL)
		return TDB_ESYS;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)c->objects);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)c->events);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)c->bad);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)c->unknown);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)c->drops);
	sqlite3_bind_int64(q, 6, im->source);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? TDB_OK : tdb__sqlerr(im->db, e,
	    "completing the source");
}

/* Stream r's events into the store; TDB_OK at the end of the file. */
static int
pump(struct imp *im, struct esl_reader *r, const struct tdb_import_opts *o,
    struct err *e)
{
	struct esl_event ev;
	size_t batch = o->batch > 0 ? o->batch : TDB_BATCH, n = 0;
	struct err le;
	int rc;

	for (;;) {
		if (intr_pending())
			return err_set(e, "interrupted"), TDB_EINTR;
		err_clear(&le);
		rc = esl_next(r, &ev, &le);
		if (rc == ESL_END)
			return TDB_OK;
		if (rc < 0 && o->on_error == TDB_SKIP) {
			if (o->on_bad != NULL)
				o->on_bad(o->arg, &le);
			if (rc == ESL_FATAL) {
				im->broken = 1;
				return TDB_OK;	/* keep what was readable */
			}
			continue;
		}
		if (rc != ESL_EVENT) {
			if (!e->set)
				*e = le;
			return TDB_EBAD;
		}
		if ((rc = insert_event(im, &ev, e)) != TDB_OK)
			return rc;
		if (++n % batch == 0 && (txn(im, "COMMIT", e) != TDB_OK ||
		    txn(im, "BEGIN IMMEDIATE", e) != TDB_OK))
			return TDB_ESYS;
	}
}

/*
 * Interrupted: roll back the open batch only; committed ones stay under
 * the source row, which says incomplete.
 */
static void
stop_now(struct imp *im)
{
	struct err ignored = ERR_INIT;

	if (im->in_txn)
		txn(im, "ROLLBACK", &ignored);
}

/*
 * Under skip, nothing but errors (every object bad, or the file broke off
 * before its first object): not a trace at all.  Objects of an unknown
 * type are a valid trace of a newer macOS, and an empty file is an empty
 * trace.
 */
static int
nothing_readable(struct imp *im, struct esl_reader *r, const char *path,
    struct err *e)
{
	const struct esl_counts *c = esl_counts(r);

	if (c->events > 0 || c->unknown > 0 || (c->bad == 0 && !im->broken))
		return TDB_OK;
	if (c->bad > 0)
		err_setloc(e, path, 0, 0, "not an eslogger trace (no readable "
		    "object, %" PRIu64 " bad); nothing imported", c->bad);
	else
		err_setloc(e, path, 0, 0, "not an eslogger trace (no readable "
		    "object before the error above); nothing imported");
	return TDB_EBAD;
}

/* Undo a failed import: what is committed of it goes too. */
static void
abandon(struct imp *im)
{
	struct err ignored = ERR_INIT;

	if (im->in_txn)
		txn(im, "ROLLBACK", &ignored);
	if (im->source > 0 && txn(im, "BEGIN IMMEDIATE", &ignored) == TDB_OK) {
		if (drop_source(im->db, im->source, &ignored) == TDB_OK)
			txn(im, "COMMIT", &ignored);
		else
			txn(im, "ROLLBACK", &ignored);
	}
}

static int
import_stream(struct imp *im, struct esl_reader *r, const char *path,
    const struct tdb_import_opts *o, struct tdb_import_stats *st,
    struct err *e)
{
	int rc;

	if ((rc = imp_prepare(im, e)) != TDB_OK ||
	    (rc = txn(im, "BEGIN IMMEDIATE", e)) != TDB_OK ||
	    (rc = begin_source(im, path, st, e)) != TDB_OK)
		return rc;
	if (st->already)
		return txn(im, "COMMIT", e);
	if ((rc = pump(im, r, o, e)) != TDB_OK ||
	    (rc = nothing_readable(im, r, path, e)) != TDB_OK ||
	    (rc = finish_source(im, esl_counts(r), e)) != TDB_OK ||
	    (rc = txn(im, "COMMIT", e)) != TDB_OK)
		return rc;
	return TDB_OK;
}

int
tdb_import(struct tdb *db, const char *path, const struct tdb_import_opts *o,
    struct tdb_import_stats *st, struct err *e)
{
	static const struct tdb_import_opts dflt = TDB_IMPORT_OPTS_INIT;
	struct esl_opts eo = ESL_OPTS_INIT;
	struct err de = ERR_INIT;
	struct esl_reader *r;
	struct imp im;
	uint8_t sha[SHA256_LEN];
	int rc;

	if (!db->writable)
		BUG("tdb_import on a store opened for reading");
	o = o != NULL ? o : &dflt;
	memset(st, 0, sizeof(*st));
	memset(&im, 0, sizeof(im));
	/* Under skip, a file that breaks off keeps its readable part. */
	if ((rc = esl_digest(path, sha, &st->size, &de)) == -3) {
		err_set(e, "interrupted");
		return TDB_EINTR;
	}
	if (rc == -1 || (rc == -2 && o->on_error == TDB_FAIL)) {
		if (!e->set)
			*e = de;
		return TDB_EBAD;
	}
	sha256_hex(sha, st->sha256);
	eo.max_object = o->max_object;
	if ((r = esl_open(path, &eo, e)) == NULL)
		return TDB_EBAD;
	im.db = db;
	if ((rc = import_stream(&im, r, path, o, st, e)) == TDB_EINTR) {
		stop_now(&im);
		st->partial = im.committed;
	} else if (rc != TDB_OK) {
		abandon(&im);
	}
	if (!st->already)
		st->counts = *esl_counts(r);
	imp_release(&im);
	esl_close(r);
	return rc;
}
