/*
 * replay.c - when each recorded event is issued: open and closed replay.
 *
 * Both producers of recorded events, the eslogger reader and the trace
 * store's cursor, yield struct esl_event in time order; a replay wraps
 * whichever the file is (SQLite by its 16-byte header), filters, and
 * schedules.
 *
 * Closed mode demultiplexes the one time-ordered stream into recorded
 * threads (pid, pidversion, thread id).  Let off(e) be an event's
 * recorded offset divided by speed.  A thread's first event is due at
 * off(e); each later one at done(previous) + off(e) - off(previous).  By
 * induction no event is due before off(e), so once an event with offset
 * L has been read, every unread event is due at L or later: the earliest
 * ready thread is safe to issue when it is due no later than L.
 * replay_peek() reads ahead until that holds (or the input ends), and
 * the ready threads wait in a calendar (core/cal.h) by (due time,
 * insertion), so ties keep recorded order and the schedule is
 * deterministic.  Events of a thread that is busy or already has one
 * waiting are queued on the thread: that read-ahead is the only memory
 * that grows, and max_buffered caps it (reading then stalls; an event
 * read late is issued at once and counted late).
 *
 * Threads are forgotten when they have nothing queued and are not late
 * (their next event would be due at its recorded offset anyway), or when
 * their process image exited, so the table holds the threads that carry
 * a delay, not every thread ever seen.
 *
 * Open mode reads one event ahead and issues each at its offset.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cal.h"
#include "core/rng.h"
#include "core/xalloc.h"
#include "trace/eslogger.h"
#include "trace/replay.h"
#include "trace/tracedb.h"

/* A recorded event kept for later: read ahead of its busy thread. */
struct rev {
	struct rev	*next;
	int64_t		 rec;		/* ns since the epoch */
	int64_t		 off;		/* virtual ns */
	const struct evtype *type;
	size_t		 proc;
	int32_t		 pid, pidversion;
	int64_t		 tid;
	char		*path, *path2;
};

struct rthread {
	struct rthread	*hnext;
	struct cal_node	 node;		/* pending: head is due */
	int32_t		 pid, pidversion;
	int64_t		 tid;
	int		 busy;
	int		 has_prev;
	int64_t		 prev_off;	/* of the last event issued */
	int64_t		 prev_done;
	int		 exited;	/* last issued was an exit */
	struct rev	*head, *tail;
};

struct pentry {
	struct pentry	*hnext;
	size_t		 index;
	struct replay_proc p;
};

struct replay {
	char		*file;
	struct replay_opts o;
	int		 is_db;
	struct esl_reader *esl;
	struct tdb	*db;
	struct tdb_cursor *cur;
	int		 eof;
	int64_t		 t0;		/* first event, ns since the epoch */
	int64_t		 base;		/* replay time 0 */
	struct replay_stats st;

	struct pentry	**procs;	/* in order */
	size_t		 nprocs, aprocs;
	struct pentry	**phash;
	size_t		 nphash;

	struct rthread	**thash;
	size_t		 nthash;
	struct cal	 cal;
	int64_t		 bound;		/* off of the last event read */
	int64_t		 last_pop;
	struct rev	*ahead;		/* open mode: the next event */
	struct rev	*cur_ev;	/* the last popped, for its strings */
	size_t		 busy;
	const struct evtype *t_exit;
};

/* ---- reading --------------------------------------------------------- */

static int
is_sqlite(const char *file)
{
	static const char magic[16] = "SQLite format 3";
	char buf[16];
	FILE *f = fopen(file, "rb");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return n == sizeof(buf) && memcmp(buf, magic, sizeof(buf)) == 0;
}

static int
src_open(struct replay *r, struct err *e)
{
	if (r->is_db) {
		if (r->db == NULL &&
		    (r->db = tdb_open(r->file, TDB_READ, e)) == NULL)
			return -1;
		r->cur = tdb_cursor_open(r->db, NULL, e);
		return r->cur != NULL ? 0 : -1;
	}
	r->esl = esl_open(r->file, NULL, e);
	return r->esl != NULL ? 0 : -1;
}

static void
src_close(struct replay *r)
{
	if (r->cur != NULL)
		tdb_cursor_close(r->cur);
	if (r->esl != NULL)
		esl_close(r->esl);
	r->cur = NULL;
	r->esl = NULL;
}

/* 1 event, 0 end, -1 error. */
static int
src_next(struct replay *r, struct esl_event *ev, struct err *e)
{
	int rc;

	if (r->is_db)
		return tdb_cursor_next(r->cur, ev, e) == 1 ? 1 :
		    e->set ? -1 : 0;
	rc = esl_next(r->esl, ev, e);
	return rc == ESL_EVENT ? 1 : rc == ESL_END ? 0 : -1;
}

/* ---- filters and processes ------------------------------------------ */

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL && s[1] != '\0' ? s + 1 : path;
}

/* Whether ev passes the filters (time window aside). */
static int
keep(const struct replay *r, const struct esl_event *ev)
{
	const struct evtype *twin;
	size_t i;

	if (r->o.has_types && !evset_has(&r->o.types, ev->type->value) &&
	    ((twin = evtype_auth_twin(ev->type)) == NULL ||
	    !evset_has(&r->o.types, twin->value)))
		return 0;
	if (r->o.nprocesses == 0)
		return 1;
	for (i = 0; i < r->o.nprocesses; i++)
		if (strcmp(r->o.processes[i], ev->proc.exe) == 0 ||
		    strcmp(r->o.processes[i], base_name(ev->proc.exe)) == 0)
			return 1;
	return 0;
}

/* -1: before the window, 0 in, 1 past it (and everything after). */
static int
window(const struct replay *r, int64_t time)
{
	int64_t rel = time - r->t0;

	if (r->o.from >= 0 && rel < r->o.from)
		return -1;
	if (r->o.to >= 0 && rel >= r->o.to)
		return 1;
	return 0;
}

static struct pentry **
proc_slot(struct replay *r, const char *exe)
{
	struct pentry **pp = &r->phash[rng_hash(exe) & (r->nphash - 1)];

	while (*pp != NULL && strcmp((*pp)->p.exe, exe) != 0)
		pp = &(*pp)->hnext;
	return pp;
}

static void
proc_grow(struct replay *r)
{
	size_t n = r->nphash == 0 ? 64 : r->nphash * 2;

	free(r->phash);
	r->phash = xcalloc(n, sizeof(*r->phash));
	r->nphash = n;
	for (size_t i = 0; i < r->nprocs; i++) {
		struct pentry **pp = proc_slot(r, r->procs[i]->p.exe);

		r->procs[i]->hnext = NULL;
		*pp = r->procs[i];
	}
}

static void
proc_note(struct replay *r, const struct esl_process *p)
{
	struct pentry **pp, *n;

	if (r->nprocs >= r->nphash)
		proc_grow(r);
	pp = proc_slot(r, p->exe);
	if (*pp != NULL) {
		(*pp)->p.events++;
		return;
	}
	n = xcalloc(1, sizeof(*n));
	n->p.exe = xstrdup(p->exe);
	n->p.signing_id = p->signing_id != NULL ? xstrdup(p->signing_id) :
	    NULL;
	n->p.team_id = p->team_id != NULL ? xstrdup(p->team_id) : NULL;
	n->p.is_es_client = p->is_es_client;
	n->p.is_platform = p->is_platform_binary;
	n->p.pid = p->token.pid;
	n->p.events = 1;
	n->index = r->nprocs;
	*pp = n;
	XGROW(r->procs, r->nprocs + 1, r->aprocs);
	r->procs[r->nprocs++] = n;
}

static size_t
proc_index(struct replay *r, const char *exe)
{
	struct pentry *p = *proc_slot(r, exe);

	return p != NULL ? p->index : (size_t)-1;
}

/* The whole trace once: check it, find t0 and the acting processes. */
static int
scan(struct replay *r, struct err *e)
{
	struct esl_event ev;
	int rc, w;

	while ((rc = src_next(r, &ev, e)) == 1) {
		if (r->st.objects++ == 0)
			r->t0 = ev.time;
		if ((w = window(r, ev.time)) != 0 || !keep(r, &ev))
			continue;
		if (r->st.kept++ == 0)
			r->st.first = ev.time;
		r->st.last = ev.time;
		proc_note(r, &ev.proc);
	}
	if (rc < 0)
		return -1;
	if (r->st.objects == 0)
		return err_setloc(e, r->file, 0, 0, "the trace holds no event");
	if (r->st.kept == 0)
		return err_setloc(e, r->file, 0, 0, "no event of the trace "
		    "passes the filters (types, processes, time window)");
	return 0;
}

/* ---- the schedule ---------------------------------------------------- */

static int64_t
offset(const struct replay *r, int64_t rec)
{
	double d = (double)(rec - r->base) / r->o.speed;

	return d <= 0 ? 0 : d >= 9e18 ? INT64_MAX / 2 : (int64_t)llround(d);
}

static void
rev_free(struct rev *v)
{
	if (v == NULL)
		return;
	free(v->path);
	free(v->path2);
	free(v);
}

/* The next kept event as a struct rev; 0 at the end, -1 on error. */
static int
read_rev(struct replay *r, struct rev **out, struct err *e)
{
	struct esl_event ev;
	struct rev *v;
	int rc, w;

	*out = NULL;
	for (;;) {
		if (r->eof)
			return 0;
		if ((rc = src_next(r, &ev, e)) <= 0) {
			r->eof = 1;
			return rc;
		}
		if ((w = window(r, ev.time)) > 0) {
			r->eof = 1;
			return 0;
		}
		/* An executable the scan did not see: the file changed. */
		if (w == 0 && keep(r, &ev) &&
		    proc_index(r, ev.proc.exe) != (size_t)-1)
			break;
	}
	v = xcalloc(1, sizeof(*v));
	v->rec = ev.time;
	v->off = offset(r, ev.time);
	v->type = ev.type;
	v->proc = proc_index(r, ev.proc.exe);
	v->pid = ev.proc.token.pid;
	v->pidversion = ev.proc.token.pidversion;
	v->tid = ev.thread_id;
	v->path = ev.path != NULL ? xstrdup(ev.path) : NULL;
	v->path2 = ev.path2 != NULL ? xstrdup(ev.path2) : NULL;
	*out = v;
	return 1;
}

static struct rthread **
th_slot(struct replay *r, int32_t pid, int32_t pv, int64_t tid)
{
	uint64_t h = ((uint64_t)(uint32_t)pid * UINT64_C(0x9e3779b97f4a7c15)) ^
	    ((uint64_t)(uint32_t)pv * UINT64_C(0xc2b2ae3d27d4eb4f)) ^
	    ((uint64_t)tid * UINT64_C(0x165667b19e3779f9));
	struct rthread **pp = &r->thash[(h ^ (h >> 29)) & (r->nthash - 1)];

	while (*pp != NULL && ((*pp)->pid != pid || (*pp)->pidversion != pv ||
	    (*pp)->tid != tid))
		pp = &(*pp)->hnext;
	return pp;
}

static void
th_grow(struct replay *r)
{
	struct rthread **old = r->thash;
	size_t nold = r->nthash;

	r->nthash = nold == 0 ? 256 : nold * 2;
	r->thash = xcalloc(r->nthash, sizeof(*r->thash));
	for (size_t i = 0; i < nold; i++) {
		struct rthread *t = old[i], *next;

		for (; t != NULL; t = next) {
			next = t->hnext;
			t->hnext = NULL;
			*th_slot(r, t->pid, t->pidversion, t->tid) = t;
		}
	}
	free(old);
}

static struct rthread *
th_get(struct replay *r, const struct rev *v)
{
	struct rthread **pp, *t;

	if (r->st.threads >= r->nthash)
		th_grow(r);
	pp = th_slot(r, v->pid, v->pidversion, v->tid);
	if (*pp != NULL)
		return *pp;
	t = xcalloc(1, sizeof(*t));
	t->pid = v->pid;
	t->pidversion = v->pidversion;
	t->tid = v->tid;
	*pp = t;
	if (++r->st.threads > r->st.peak_threads)
		r->st.peak_threads = r->st.threads;
	return t;
}

static void
th_forget(struct replay *r, struct rthread *t)
{
	struct rthread **pp = th_slot(r, t->pid, t->pidversion, t->tid);

	*pp = t->hnext;
	r->st.threads--;
	free(t);
}

/* t's head becomes due. */
static void
th_schedule(struct replay *r, struct rthread *t)
{
	int64_t due = t->has_prev ?
	    t->prev_done + (t->head->off - t->prev_off) : t->head->off;

	if (due < r->last_pop) {
		due = r->last_pop;
		r->st.late++;
	}
	cal_push(&r->cal, &t->node, due);
}

/* Closed mode: read one event into its thread.  0 at the end. */
static int
read_one(struct replay *r, struct err *e)
{
	struct rthread *t;
	struct rev *v;
	int rc;

	if ((rc = read_rev(r, &v, e)) <= 0)
		return rc;
	r->bound = v->off;
	t = th_get(r, v);
	if (t->head == NULL) {
		t->head = t->tail = v;
		if (!t->busy)
			th_schedule(r, t);
		else if (++r->st.buffered > r->st.peak_buffered)
			r->st.peak_buffered = r->st.buffered;
		return 1;
	}
	t->tail->next = v;
	t->tail = v;
	if (++r->st.buffered > r->st.peak_buffered)
		r->st.peak_buffered = r->st.buffered;
	return 1;
}

int
replay_peek(struct replay *r, int64_t *t, struct err *e)
{
	size_t cap = r->o.max_buffered != 0 ? r->o.max_buffered :
	    REPLAY_MAX_BUFFERED;

	if (r->o.mode == REPLAY_OPEN) {
		if (r->ahead == NULL && read_rev(r, &r->ahead, e) < 0)
			return -1;
		if (r->ahead == NULL)
			return 0;
		*t = r->ahead->off < r->last_pop ? r->last_pop : r->ahead->off;
		return 1;
	}
	while (!r->eof && (cal_size(&r->cal) == 0 ||
	    cal_peek_time(&r->cal) > r->bound)) {
		if (r->st.buffered >= cap) {
			r->st.stalls++;
			break;
		}
		if (read_one(r, e) < 0)
			return -1;
	}
	if (cal_size(&r->cal) == 0)
		return 0;
	*t = cal_peek_time(&r->cal);
	return 1;
}

static void
fill(struct replay *r, struct rev *v, int64_t t, uint64_t tag,
    struct replay_sc *sc)
{
	const struct evtype *twin = evtype_auth_twin(v->type);

	sc->t = t;
	sc->tag = tag;
	sc->recorded = v->type;
	sc->type = twin != NULL && evset_has(&r->o.as_auth, v->type->value) ?
	    twin : v->type;
	sc->proc = v->proc;
	sc->path = v->path;
	sc->path2 = v->path2;
	sc->rec = v->rec;
	sc->pid = v->pid;
	sc->pidversion = v->pidversion;
	sc->thread_id = v->tid;
	rev_free(r->cur_ev);
	r->cur_ev = v;
	r->last_pop = t;
	r->st.issued++;
}

void
replay_pop(struct replay *r, struct replay_sc *sc)
{
	struct cal_node *n;
	struct rthread *t;
	struct rev *v;

	if (r->o.mode == REPLAY_OPEN) {
		v = r->ahead;
		r->ahead = NULL;
		fill(r, v, v->off < r->last_pop ? r->last_pop : v->off, 0, sc);
		return;
	}
	n = cal_pop(&r->cal);
	t = container_of(n, struct rthread, node);
	v = t->head;
	if ((t->head = v->next) == NULL)
		t->tail = NULL;
	v->next = NULL;
	t->busy = 1;
	t->prev_off = v->off;
	t->exited = v->type == r->t_exit;
	r->busy++;
	fill(r, v, n->time, (uint64_t)(uintptr_t)t, sc);
}

void
replay_done(struct replay *r, uint64_t tag, int64_t t)
{
	struct rthread *th = (struct rthread *)(uintptr_t)tag;

	if (r->o.mode == REPLAY_OPEN || th == NULL || !th->busy)
		return;
	th->busy = 0;
	th->has_prev = 1;
	th->prev_done = t;
	r->busy--;
	r->st.done++;
	if (th->head != NULL) {
		r->st.buffered--;
		th_schedule(r, th);
	} else if (th->exited || th->prev_done <= th->prev_off) {
		th_forget(r, th);
	}
}

int
replay_finished(const struct replay *r)
{
	return r->eof && r->ahead == NULL && cal_size(&r->cal) == 0 &&
	    r->busy == 0;
}

const struct replay_stats *
replay_stats(const struct replay *r)
{
	return &r->st;
}

size_t
replay_nprocs(const struct replay *r)
{
	return r->nprocs;
}

const struct replay_proc *
replay_proc(const struct replay *r, size_t i)
{
	return &r->procs[i]->p;
}

struct replay *
replay_open(const char *file, const struct replay_opts *o, struct err *e)
{
	struct replay *r = xcalloc(1, sizeof(*r));

	r->file = xstrdup(file);
	r->o = *o;
	if (!(r->o.speed > 0))
		r->o.speed = 1;
	r->is_db = is_sqlite(file);
	r->t_exit = evtype_by_name("NOTIFY_EXIT");
	cal_init_kind(&r->cal, CAL_BINARY);
	th_grow(r);
	if (src_open(r, e) < 0 || scan(r, e) < 0) {
		replay_free(r);
		return NULL;
	}
	src_close(r);
	r->base = r->t0 + (r->o.from > 0 ? r->o.from : 0);
	if (src_open(r, e) < 0) {
		replay_free(r);
		return NULL;
	}
	return r;
}

void
replay_free(struct replay *r)
{
	struct cal_node *n;

	if (r == NULL)
		return;
	src_close(r);
	if (r->db != NULL)
		tdb_close(r->db);
	while ((n = cal_pop(&r->cal)) != NULL)
		;
	cal_release(&r->cal);
	for (size_t i = 0; i < r->nthash; i++) {
		struct rthread *t = r->thash[i], *next;

		for (; t != NULL; t = next) {
			struct rev *v = t->head, *vn;

			next = t->hnext;
			for (; v != NULL; v = vn) {
				vn = v->next;
				rev_free(v);
			}
			free(t);
		}
	}
	free(r->thash);
	for (size_t i = 0; i < r->nprocs; i++) {
		free((char *)r->procs[i]->p.exe);
		free((char *)r->procs[i]->p.signing_id);
		free((char *)r->procs[i]->p.team_id);
		free(r->procs[i]);
	}
	free(r->procs);
	free(r->phash);
	rev_free(r->ahead);
	rev_free(r->cur_ev);
	free(r->file);
	free(r);
}
