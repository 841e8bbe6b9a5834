/*
 * timeline.c - the run as Chrome trace-event JSON; see timeline.h.
 *
 * A probe listener that turns the world's probes into tracks:
 *
 *   thread track (tid = thread id): a stack of open slices, innermost on
 *     top: a handler (MSG_HANDLER_START..END), a service (REQUEST_START
 *     until the worker takes the next request, idles or exits), a syscall
 *     (SYSCALL..SYSCALL_DONE: for AUTH, the wait for the verdict, so the
 *     verdict and early-boot waits get no slice of their own), and the
 *     other waits (WAIT..WAKE: call, lock, sync, flag, sleep, cpu).  A
 *     slice ends by popping the stack down to it, so B/E always nest,
 *     whatever order the probes come in; a thread that exits (finished or
 *     killed) ends all of its slices.
 *   queue track (tid = TL_QUEUE_TID + queue id): who drains a serial
 *     queue (QUEUE_ACQUIRE..RELEASE), and a counter of its depth.
 *
 * Flows bind to slices the way Chrome and Perfetto do: a start ("s")
 * binds to the slice enclosing it, a finish with "bp":"e" to the slice
 * enclosing it.  Each flow is written when its far end is known, both
 * records at once, so every start has its finish; the start carries its
 * own, earlier, time.  The ends of a flow are each the start of a slice
 * (a call, the service it starts; a syscall, the handler of each of its
 * messages) or a point inside one (a reply, the end of the call it
 * wakes; an answer, the end of the syscall it completes, written before
 * that slice's E).  What this needs between the two ends is kept in
 * small records: per request (caller, worker, reply), per syscall (its
 * thread, the answers given so far), per client (its queued messages
 * and who raised them, and the handler running now; a delivery queue is
 * serial, so at most one).  All of them are removed when their object
 * goes: memory follows what is in flight.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/units.h"
#include "core/xalloc.h"
#include "out/timeline-int.h"

/*
 * Tracks and slices.
 */

void
tl__named(struct tl *tl, struct tl_track *tr)
{
	if (tr->named)
		return;
	tr->named = 1;
	tl__meta(&tl->out, "thread_name", tr->pid, tr->tid, tr->name);
}

struct tl_track *
tl__track_new(int64_t tid, int pid, const char *name)
{
	struct tl_track *tr = xcalloc(1, sizeof(*tr));

	tr->tid = tid;
	tr->pid = pid;
	tr->name = xstrdup(name);
	return tr;
}

void
tl__track_free(struct tl_track *tr)
{
	for (size_t i = 0; i < tr->n; i++)
		free(tr->s[i].name);
	free(tr->s);
	free(tr->name);
	free(tr);
}

static void
slice_begin(struct tl *tl, struct tl_track *tr, int64_t ts,
    struct tl_slice *s, const char *args)
{
	s->written = tl->state == W_IN && tl__room(&tl->out, 1);
	if (!s->written)
		return;
	tl__named(tl, tr);
	tl__begin(&tl->out, tr->pid, tr->tid, ts, s->cat, s->name, args);
}

void
tl__push(struct tl *tl, struct tl_track *tr, int64_t ts, enum sl_kind k,
    const char *cat, const char *name, const char *args)
{
	struct tl_slice *s;

	XGROW(tr->s, tr->n + 1, tr->a);
	s = &tr->s[tr->n++];
	s->kind = k;
	s->cat = cat;
	s->name = xstrdup(name);
	slice_begin(tl, tr, ts, s, args);
}

static void
pop1(struct tl *tl, struct tl_track *tr, int64_t ts, const char *args)
{
	struct tl_slice *s = &tr->s[--tr->n];

	if (s->written)
		tl__end(&tl->out, tr->pid, tr->tid, ts, args);
	free(s->name);
}

/* End the innermost slice of kind k and all inside it; 0 if none open. */
int
tl__pop_to(struct tl *tl, struct tl_track *tr, enum sl_kind k, int64_t ts,
    const char *args)
{
	size_t i = tr->n;

	while (i > 0 && tr->s[i - 1].kind != k)
		i--;
	if (i == 0)
		return 0;
	while (tr->n > i)
		pop1(tl, tr, ts, NULL);
	pop1(tl, tr, ts, args);
	return 1;
}

void
tl__pop_all(struct tl *tl, struct tl_track *tr, int64_t ts)
{
	while (tr->n > 0)
		pop1(tl, tr, ts, NULL);
}

struct tl_track *
tl__thread_of(struct tl *tl, const struct probe_ev *ev)
{
	if (ev->thread.kind != PROBE_OBJ_THREAD)
		return NULL;
	return idmap_get(&tl->threads, ev->thread.id);
}

struct tl_track *
tl__queue_of(struct tl *tl, const struct probe_ev *ev)
{
	struct tl_track *tr = idmap_get(&tl->qmap, ev->obj.id);
	char name[160];

	if (tr != NULL)
		return tr;
	tr = tl__track_new(TL_QUEUE_TID + (int64_t)ev->obj.id, ev->process + 1,
	    probe_name(tl->bus, &ev->obj, name, sizeof(name)));
	idmap_put(&tl->qmap, ev->obj.id, tr);
	XGROW(tl->qv, tl->nq + 1, tl->aq);
	tl->qv[tl->nq++] = tr;
	return tr;
}

/*
 * The window.
 */

static int
by_tid(const void *a, const void *b)
{
	const struct tl_track *x = *(struct tl_track *const *)a;
	const struct tl_track *y = *(struct tl_track *const *)b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

/* Every track with open slices, in tid order (threads, then queues). */
static struct tl_track **
open_tracks(struct tl *tl, size_t *n)
{
	struct tl_track **v = xcalloc(tl->threads.n + tl->nq + 1, sizeof(*v));
	size_t pos = 0, k = 0;
	uint64_t key;
	void *val;

	while (idmap_next(&tl->threads, &pos, &key, &val))
		if (((struct tl_track *)val)->n > 0)
			v[k++] = val;
	qsort(v, k, sizeof(*v), by_tid);
	for (size_t i = 0; i < tl->nq; i++)
		if (tl->qv[i]->n > 0)
			v[k++] = tl->qv[i];
	*n = k;
	return v;
}

static void
window_open(struct tl *tl)
{
	size_t n;
	struct tl_track **v = open_tracks(tl, &n);

	tl->state = W_IN;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < v[i]->n; j++)
			slice_begin(tl, v[i], tl->start, &v[i]->s[j], NULL);
	free(v);
}

static void
window_close(struct tl *tl, int64_t ts)
{
	size_t n;
	struct tl_track **v = open_tracks(tl, &n);

	for (size_t i = 0; i < n; i++)
		for (size_t j = v[i]->n; j-- > 0;) {
			if (v[i]->s[j].written)
				tl__end(&tl->out, v[i]->pid, v[i]->tid, ts,
				    NULL);
			v[i]->s[j].written = 0;
		}
	free(v);
	tl->state = W_AFTER;
}

void
tl__advance(struct tl *tl, int64_t t)
{
	if (tl->state == W_BEFORE && t >= tl->start)
		window_open(tl);
	if (tl->state == W_IN && tl->end >= 0 && t > tl->end)
		window_close(tl, tl->end);
}

/* Room for one more record now (instants, counters). */
int
tl__room_in(struct tl *tl, unsigned n)
{
	return tl->state == W_IN && tl__room(&tl->out, n);
}

/* A flow from (src, t0) to dst now; both ends known, both in the window. */
void
tl__flow_pair(struct tl *tl, const char *name, uint64_t id, int spid,
    int64_t stid, int64_t t0, struct tl_track *dst, int64_t t)
{
	struct tl_track *src = idmap_get(&tl->threads, (uint64_t)stid);

	if (t0 < tl->start || !tl__room_in(tl, 2))
		return;
	if (src != NULL)
		tl__named(tl, src);
	tl__named(tl, dst);
	tl__flow(&tl->out, 's', id, spid, stid, t0, name);
	tl__flow(&tl->out, 'f', id, dst->pid, dst->tid, t, name);
}

struct tl *
tl_open(const char *path, const struct model *m, struct probe_bus *bus,
    const struct tl_opts *o, struct err *e)
{
	struct tl *tl = xcalloc(1, sizeof(*tl));
	struct tl_opts def = TL_OPTS_INIT;

	if (o == NULL)
		o = &def;
	if (tl__open(&tl->out, path, o->max_events, e) != 0) {
		free(tl);
		return NULL;
	}
	tl->m = m;
	tl->bus = bus;
	tl->start = o->start;
	tl->end = o->end;
	tl->clients = xcalloc(m->nclients + 1, sizeof(*tl->clients));
	tl->pool = xcalloc(m->nprocs + 1, sizeof(*tl->pool));
	tl->fpid = (int)m->nprocs + 1;
	tl->enq_client = -1;
	for (size_t i = 0; i < m->nprocs; i++) {
		tl__meta(&tl->out, "process_name", (int)i + 1, 0,
		    m->procs[i]->name);
		tl__sort(&tl->out, "process_sort_index", (int)i + 1, 0,
		    (int64_t)i + 1);
	}
	tl__meta(&tl->out, "process_name", tl->fpid, 0, "essim findings");
	tl__sort(&tl->out, "process_sort_index", tl->fpid, 0, 0);
	tl__meta(&tl->out, "thread_name", tl->fpid, 1, "findings");
	probe_listen(bus, TL_MASK, tl__listen, tl);
	return tl;
}

static int
in_window(const struct tl *tl, int64_t t)
{
	return t >= tl->start && (tl->end < 0 || t <= tl->end);
}

static void
finding_instant(struct tl *tl, int64_t t, const char *name,
    const char *key, const char *text, const char *key2, const char *text2)
{
	char a[2048], b[2048], args[4200];

	if (!in_window(tl, t) || !tl__room(&tl->out, 1))
		return;
	if (key2 != NULL && text2 != NULL)
		snprintf(args, sizeof(args), "{\"%s\":%s,\"%s\":%s}", key,
		    tl__esc(text, a, sizeof(a)), key2,
		    tl__esc(text2, b, sizeof(b)));
	else
		snprintf(args, sizeof(args), "{\"%s\":%s}", key,
		    tl__esc(text, a, sizeof(a)));
	tl__instant(&tl->out, tl->fpid, 1, t, 't', "finding", name, args);
}

void
tl_findings(struct tl *tl, const struct fd_list *l)
{
	char name[96];

	for (size_t i = 0; i < l->n; i++) {
		const struct finding *f = l->v[i];

		if (f->kind == FD_DEADLOCK) {
			finding_instant(tl, f->t, "deadlock closed", "summary",
			    f->summary, "chain", f->chain);
			if (f->t_end >= 0)
				finding_instant(tl, f->t_end, "deadlock ended",
				    "summary", f->summary, "ended", f->ended);
			continue;
		}
		snprintf(name, sizeof(name), "%s", fd_kind_name(f->kind));
		finding_instant(tl, f->t, name, "summary", f->summary,
		    "chain", f->chain);
	}
}

void
tl_cut(struct tl *tl, const char *why)
{
	if (tl != NULL)
		tl->cut = why;
}

uint64_t
tl_written(const struct tl *tl)
{
	return tl->out.written;
}

static void
tl_free(struct tl *tl)
{
	size_t pos = 0;
	uint64_t key;
	void *val;

	while (idmap_next(&tl->threads, &pos, &key, &val))
		tl__track_free(val);
	idmap_release(&tl->threads);
	for (size_t i = 0; i < tl->nq; i++)
		tl__track_free(tl->qv[i]);
	idmap_release(&tl->qmap);
	pos = 0;
	while (idmap_next(&tl->sys, &pos, &key, &val)) {
		free(((struct tl_sys *)val)->r);
		free(val);
	}
	idmap_release(&tl->sys);
	pos = 0;
	while (idmap_next(&tl->reqs, &pos, &key, &val))
		free(val);
	idmap_release(&tl->reqs);
	for (size_t i = 0; i < tl->m->nclients; i++)
		free(tl->clients[i].q);
	free(tl->clients);
	free(tl->pool);
	free(tl->qv);
	free(tl);
}

int
tl_close(struct tl *tl, int64_t t_end, struct err *e)
{
	char other[640], name[256], why[96];
	int rc;

	if (tl == NULL)
		return 0;
	if (tl->state == W_BEFORE && t_end >= tl->start)
		window_open(tl);
	if (tl->state == W_IN)
		window_close(tl, tl->end >= 0 && tl->end < t_end ? tl->end :
		    t_end);
	if (tl->out.truncated)
		tl__instant(&tl->out, tl->fpid, 1, tl->start, 't', "essim",
		    "timeline truncated (--timeline-max-events)", NULL);
	if (tl->cut != NULL) {
		snprintf(why, sizeof(why), "run interrupted (%s)", tl->cut);
		tl__instant(&tl->out, tl->fpid, 1, t_end < tl->start ?
		    tl->start : tl->end >= 0 && tl->end < t_end ? tl->end :
		    t_end, 'g', "essim", why, NULL);
	}
	snprintf(other, sizeof(other), "{\"generator\":\"essim %s\","
	    "\"model\":%s,\"window_start_ns\":%lld,\"window_end_ns\":%lld,"
	    "\"truncated\":%s%s%s%s}", PACKAGE_VERSION,
	    tl__esc(tl->m->name, name, sizeof(name)), (long long)tl->start,
	    (long long)(tl->end >= 0 && tl->end < t_end ? tl->end : t_end),
	    tl->out.truncated ? "true" : "false",
	    tl->cut != NULL ? ",\"interrupted\":\"" : "",
	    tl->cut != NULL ? tl->cut : "", tl->cut != NULL ? "\"" : "");
	rc = tl__close(&tl->out, other, e);
	tl_free(tl);
	return rc;
}

int
tl_parse_window(const char *s, int64_t *start, int64_t *end, struct err *e)
{
	const char *dots = strstr(s, "..");
	char a[64];
	size_t n;

	if (dots == NULL || (n = (size_t)(dots - s)) >= sizeof(a))
		return err_set(e, "'%s' is not START..END (e.g. 10s..12s)", s);
	memcpy(a, s, n);
	a[n] = '\0';
	*start = 0;
	*end = -1;
	if (n > 0 && units_parse_duration(a, start, e) != 0)
		return -1;
	if (dots[2] != '\0' && units_parse_duration(dots + 2, end, e) != 0)
		return -1;
	if (*end >= 0 && *end < *start)
		return err_set(e, "'%s': the end is before the start", s);
	return 0;
}
