/*
 * replay-world.c - driving the simulated world from a trace replay.
 *
 * The replay (trace/replay.h) says when each recorded event is due; this
 * file turns that into syscalls of the world.  It keeps one callback on
 * the world's event loop, due at the replay's next time: the callback
 * issues every syscall due now (world_issue: a new thread of the mapped
 * process raises the event and, for AUTH, waits for the verdict) and
 * schedules itself again.  In closed mode the end of each issued thread
 * comes back through the probe bus - PROBE_THREAD_SPAWN names the thread
 * world_issue creates, PROBE_THREAD_EXIT says it is over - and is passed
 * to replay_done(), which may make an earlier time due, so the callback
 * is moved earlier.  The listener itself never raises a syscall: it only
 * moves the callback, and the world stays untouched inside its step.
 *
 * In-flight syscalls are found by thread id in a small open-addressing
 * table (linear probing, backward-shift deletion), sized by what is in
 * flight.
 *
 * Processes the trace names and the model lacks are added to a copy of
 * the model's document, which is loaded again (model_load_json), so the
 * world sees ordinary model processes; see replay-world.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/loop.h"
#include "core/xalloc.h"
#include "es/probe.h"
#include "trace/replay-world.h"

struct slot {
	uint64_t	 key;		/* world thread id; 0: empty */
	uint64_t	 tag;
};

struct replay_world {
	const struct model *m;		/* as given */
	struct model	*own;		/* m plus trace processes, or NULL */
	struct replay	*r;
	const struct m_process **map;	/* per replay_proc */
	char		**filter;	/* processes filter, names -> paths */
	size_t		 nfilter;
	enum replay_mode mode;

	struct world	*w;
	struct loop	*loop;
	struct loop_ev	*wake;
	int64_t		 wake_t;
	int64_t		 end;

	int		 issuing;	/* inside world_issue() */
	uint64_t	 issuing_tag;
	int		 issuing_proc;

	struct slot	*tab;		/* in-flight syscalls */
	size_t		 ntab, nused;

	struct err	 err;
	int		 failed;
	uint64_t	 dropped;
};

/* ---- in-flight table ------------------------------------------------- */

static size_t
slot_of(const struct replay_world *rw, uint64_t key)
{
	uint64_t h = key * UINT64_C(0x9e3779b97f4a7c15);

	return (size_t)(h ^ (h >> 31)) & (rw->ntab - 1);
}

static void
tab_put(struct replay_world *rw, uint64_t key, uint64_t tag)
{
	size_t i;

	if ((rw->nused + 1) * 2 > rw->ntab) {
		struct slot *old = rw->tab;
		size_t nold = rw->ntab;

		rw->ntab = nold == 0 ? 64 : nold * 2;
		rw->tab = xcalloc(rw->ntab, sizeof(*rw->tab));
		rw->nused = 0;
		for (i = 0; i < nold; i++)
			if (old[i].key != 0)
				tab_put(rw, old[i].key, old[i].tag);
		free(old);
	}
	for (i = slot_of(rw, key); rw->tab[i].key != 0;
	    i = (i + 1) & (rw->ntab - 1))
		;
	rw->tab[i].key = key;
	rw->tab[i].tag = tag;
	rw->nused++;
}

/* Remove key; 1 with *tag set if it was there. */
static int
tab_take(struct replay_world *rw, uint64_t key, uint64_t *tag)
{
	size_t i, j, k, mask = rw->ntab - 1;

	if (rw->ntab == 0)
		return 0;
	for (i = slot_of(rw, key); rw->tab[i].key != key;
	    i = (i + 1) & mask)
		if (rw->tab[i].key == 0)
			return 0;
	*tag = rw->tab[i].tag;
	/* Backward shift: keep every later entry reachable. */
	for (j = (i + 1) & mask; rw->tab[j].key != 0; j = (j + 1) & mask) {
		k = slot_of(rw, rw->tab[j].key);
		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			rw->tab[i] = rw->tab[j];
			i = j;
		}
	}
	rw->tab[i].key = 0;
	rw->nused--;
	return 1;
}

/* ---- driving ------------------------------------------------------- */

static void wake_cb(struct loop *l, void *obj, uint64_t arg);

/* Have the callback run at the replay's next due time (>= now). */
static void
kick(struct replay_world *rw, int64_t now)
{
	int64_t t;
	int rc;

	if (rw->failed)
		return;
	rc = replay_peek(rw->r, &t, &rw->err);
	if (rc < 0) {
		rw->failed = 1;
		return;
	}
	if (rc == 0 || t >= rw->end)
		return;
	if (t < now)
		t = now;
	if (rw->wake != NULL) {
		if (rw->wake_t <= t)
			return;
		loop_cancel(rw->loop, rw->wake);
	}
	rw->wake = loop_at(rw->loop, t, wake_cb, rw, 0);
	rw->wake_t = t;
}

static void
issue(struct replay_world *rw, const struct replay_sc *sc, int64_t now)
{
	const struct m_process *p = rw->map[sc->proc];
	struct w_syscall ws;
	uint64_t id;

	memset(&ws, 0, sizeof(ws));
	ws.t = now;
	ws.process = p;
	ws.type = sc->type;
	ws.path = sc->path;
	ws.target = sc->path2;
	rw->issuing = rw->mode == REPLAY_CLOSED;
	rw->issuing_tag = sc->tag;
	rw->issuing_proc = p->id;
	id = world_issue(rw->w, &ws);
	rw->issuing = 0;
	if (id == 0) {
		rw->dropped++;
		replay_done(rw->r, sc->tag, now);
	}
}

static void
wake_cb(struct loop *l, void *obj, uint64_t arg)
{
	struct replay_world *rw = obj;
	int64_t now = loop_now(l), t;
	struct replay_sc sc;
	int rc;

	(void)arg;
	rw->wake = NULL;
	while ((rc = replay_peek(rw->r, &t, &rw->err)) == 1 && t <= now) {
		replay_pop(rw->r, &sc);
		issue(rw, &sc, now);
	}
	if (rc < 0)
		rw->failed = 1;
	kick(rw, now);
}

static void
listen_cb(void *arg, const struct probe_ev *ev)
{
	struct replay_world *rw = arg;
	uint64_t tag;

	if (ev->kind == PROBE_THREAD_SPAWN) {
		if (rw->issuing && ev->role == PROBE_ROLE_WORKLOAD &&
		    ev->process == rw->issuing_proc) {
			tab_put(rw, ev->thread.id, rw->issuing_tag);
			rw->issuing = 0;
		}
		return;
	}
	if (ev->kind == PROBE_THREAD_EXIT && tab_take(rw, ev->thread.id, &tag)) {
		replay_done(rw->r, tag, ev->t);
		kick(rw, ev->t);
	}
}

void
replay_world_attach(struct replay_world *rw, struct world *w)
{
	rw->w = w;
	rw->loop = world_loop(w);
	rw->end = world_end(w);
	if (rw->mode == REPLAY_CLOSED)
		probe_listen(world_bus(w), PROBE_BIT(PROBE_THREAD_SPAWN) |
		    PROBE_BIT(PROBE_THREAD_EXIT), listen_cb, rw);
	kick(rw, loop_now(rw->loop));
}

/* ---- processes -------------------------------------------------------- */

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL && s[1] != '\0' ? s + 1 : path;
}

static const struct m_process *
by_path(const struct model *m, const char *exe)
{
	for (size_t i = 0; i < m->nprocs; i++)
		if (m->procs[i]->path != NULL &&
		    strcmp(m->procs[i]->path, exe) == 0)
			return m->procs[i];
	return NULL;
}

static int
name_taken(const struct model *m, char **names, size_t n, const char *name)
{
	if (model_process(m, name) != NULL)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/* The name a new process for trace executable p gets. */
static char *
new_name(const struct model *m, char **names, size_t n,
    const struct replay_proc *p)
{
	const char *b = base_name(p->exe);
	char *s = xstrdup(b);

	for (int k = 1; name_taken(m, names, n, s); k++) {
		free(s);
		s = k == 1 ? xasprintf("%s[%d]", b, (int)p->pid) :
		    xasprintf("%s[%d].%d", b, (int)p->pid, k);
	}
	return s;
}

static json_t *
proc_json(const struct replay_proc *p)
{
	json_t *o = json_object();

	json_object_set_new(o, "path", json_string(p->exe));
	if (p->signing_id != NULL)
		json_object_set_new(o, "signing_id",
		    json_string(p->signing_id));
	if (p->team_id != NULL)
		json_object_set_new(o, "team_id", json_string(p->team_id));
	json_object_set_new(o, "is_es_client",
	    json_boolean(p->is_es_client));
	json_object_set_new(o, "is_platform", json_boolean(p->is_platform));
	return o;
}

/* Add the trace's unknown executables to a copy of m; map them all. */
static int
build_model(struct replay_world *rw, struct err *e)
{
	const struct model *m = rw->m;
	size_t n = replay_nprocs(rw->r), added = 0;
	char **names = xcalloc(n + 1, sizeof(*names));
	struct diag d = DIAG_INIT;
	json_t *doc = NULL, *procs;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const struct replay_proc *p = replay_proc(rw->r, i);
		const struct m_process *mp = by_path(m, p->exe);

		names[i] = mp != NULL ? xstrdup(mp->name) :
		    new_name(m, names, i, p);
		if (mp != NULL)
			continue;
		if (doc == NULL) {
			doc = json_deep_copy(m->json);
			if ((procs = json_object_get(doc, "processes")) == NULL)
				json_object_set_new(doc, "processes",
				    json_object());
		}
		procs = json_object_get(doc, "processes");
		json_object_set_new(procs, names[i], proc_json(p));
		added++;
	}
	if (added > 0) {
		rw->own = model_load_json(doc, m->file, m->dir, &d);
		if (rw->own == NULL)
			rc = err_set(e, "%s: the model with the trace's "
			    "processes added does not load: %s", m->file,
			    diag_count(&d) > 0 ? diag_msg(&d, 0) : "?");
	}
	json_decref(doc);
	diag_release(&d);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rw->map[i] = model_process(replay_world_model(rw), names[i]);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* The trace filter's names: a model process's name also means its path. */
static void
build_filter(struct replay_world *rw)
{
	const struct m_trace *t = rw->m->trace;

	rw->filter = xcalloc(2 * t->nfilter_processes + 1,
	    sizeof(*rw->filter));
	for (size_t i = 0; i < t->nfilter_processes; i++) {
		const struct m_process *p = model_process(rw->m,
		    t->filter_processes[i]);

		rw->filter[rw->nfilter++] = xstrdup(t->filter_processes[i]);
		if (p != NULL && p->path != NULL)
			rw->filter[rw->nfilter++] = xstrdup(p->path);
	}
}

struct replay_world *
replay_world_new(const struct model *m, const struct replay_world_opts *o,
    struct err *e)
{
	struct replay_world *rw = xcalloc(1, sizeof(*rw));
	const struct m_trace *t = m->trace;
	struct replay_opts ro = REPLAY_OPTS_INIT;

	rw->m = m;
	build_filter(rw);
	ro.mode = t->mode == M_TRACE_OPEN ? REPLAY_OPEN : REPLAY_CLOSED;
	ro.speed = t->speed;
	ro.as_auth = t->as_auth;
	ro.has_types = t->has_filter_types;
	ro.types = t->filter_types;
	ro.processes = (const char *const *)rw->filter;
	ro.nprocesses = rw->nfilter;
	ro.from = t->window_start;
	ro.to = t->window_end;
	if (o != NULL) {
		if (o->speed > 0)
			ro.speed = o->speed;
		if (o->mode >= 0)
			ro.mode = (enum replay_mode)o->mode;
		ro.max_buffered = o->max_buffered;
	}
	rw->mode = ro.mode;
	if ((rw->r = replay_open(t->file, &ro, e)) == NULL) {
		replay_world_free(rw);
		return NULL;
	}
	rw->map = xcalloc(replay_nprocs(rw->r) + 1, sizeof(*rw->map));
	if (build_model(rw, e) < 0) {
		replay_world_free(rw);
		return NULL;
	}
	return rw;
}

const struct model *
replay_world_model(const struct replay_world *rw)
{
	return rw->own != NULL ? rw->own : rw->m;
}

const struct m_process *
replay_world_process(const struct replay_world *rw, size_t i)
{
	return rw->map[i];
}

const struct replay *
replay_world_replay(const struct replay_world *rw)
{
	return rw->r;
}

int
replay_world_error(const struct replay_world *rw, struct err *e)
{
	if (!rw->failed)
		return 0;
	*e = rw->err;
	return -1;
}

uint64_t
replay_world_dropped(const struct replay_world *rw)
{
	return rw->dropped;
}

void
replay_world_free(struct replay_world *rw)
{
	if (rw == NULL)
		return;
	replay_free(rw->r);
	if (rw->own != NULL)
		model_free(rw->own);
	for (size_t i = 0; i < rw->nfilter; i++)
		free(rw->filter[i]);
	free(rw->filter);
	free(rw->map);
	free(rw->tab);
	free(rw);
}

int
replay_world_parse_speed(const char *s, double *speed)
{
	char *end;
	double v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !(v > 0) || !isfinite(v))
		return -1;
	*speed = v;
	return 0;
}
