/*
 * results-sample.c - the gauge sampler; see results-sample.h.
 *
 * What moves each gauge, from the probes (sim/es/probe.h):
 *   threads, pool_threads  THREAD_SPAWN +1, THREAD_EXIT -1 (role POOL
 *                          for the pool), as the world counts them;
 *   queue_depth            MSG_ENQUEUE +1, MSG_HANDLER_START -1; the
 *                          client's PROCESS_EXIT empties it (the world
 *                          drops a dead client's queue without a probe
 *                          per message);
 *   auth_inflight          MSG_ENQUEUE of an AUTH message (its value, the
 *                          deadline, is > 0) +1; it is settled once, by
 *                          MSG_RESPOND, MSG_DROP, or a DEADLINE_MISS whose
 *                          miss mode fails it open or closed (a kill
 *                          drops it: MSG_DROP follows) -1;
 *   syscalls_blocked       WAIT for a verdict or an early-boot hold +1,
 *                          its WAKE -1, or the thread's exit (killed
 *                          while blocked: no WAKE) -1.
 * A sample at t is the state after every probe at times <= t: samples
 * are emitted when a probe with a later time arrives, so all the probes
 * of one instant are in.  peak is the gauge's largest value since the
 * previous sample.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/idmap.h"
#include "core/xalloc.h"
#include "out/results-sample.h"

enum { G_POOL, G_THREADS, G_DEPTH, G_INFLIGHT, G_BLOCKED };

struct gauge {
	int64_t		 series;
	int64_t		 value, peak;
};

struct res_sampler {
	struct res_run		*r;
	const struct model	*m;
	int64_t			 interval;
	int64_t			 next;		/* next sample time */
	struct gauge		*g;		/* see gauge() */
	size_t			 ng;
	int			*client_of;	/* process id -> client, -1 */
	struct idmap		 blocked;	/* thread id -> &blocked_mark */
};

static char blocked_mark;

/* Gauge k of entity id: processes, then clients, then the global one. */
static struct gauge *
gauge(struct res_sampler *s, int k, int id)
{
	size_t np = s->m->nprocs, nc = s->m->nclients;

	switch (k) {
	case G_POOL:
		return &s->g[2 * (size_t)id];
	case G_THREADS:
		return &s->g[2 * (size_t)id + 1];
	case G_DEPTH:
		return &s->g[2 * np + 2 * (size_t)id];
	case G_INFLIGHT:
		return &s->g[2 * np + 2 * (size_t)id + 1];
	default:
		return &s->g[2 * np + 2 * nc];
	}
}

static void
add(struct gauge *g, int64_t d)
{
	g->value += d;
	if (g->value > g->peak)
		g->peak = g->value;
}

/* Write every sample due before t (strictly). */
static void
flush_before(struct res_sampler *s, int64_t t)
{
	while (s->next < t) {
		for (size_t i = 0; i < s->ng; i++) {
			struct gauge *g = &s->g[i];

			res_sample(s->r, g->series, s->next, g->value,
			    g->peak);
			g->peak = g->value;
		}
		s->next += s->interval;
	}
}

static int
blocking(const struct probe_ev *ev)
{
	return ev->wait == PROBE_WAIT_VERDICT ||
	    ev->wait == PROBE_WAIT_EARLY_BOOT;
}

static void
on_thread(struct res_sampler *s, const struct probe_ev *ev)
{
	int64_t d = ev->kind == PROBE_THREAD_SPAWN ? 1 : -1;

	add(gauge(s, G_THREADS, ev->process), d);
	if (ev->role == PROBE_ROLE_POOL)
		add(gauge(s, G_POOL, ev->process), d);
	if (d < 0 && idmap_del(&s->blocked, ev->thread.id) != NULL)
		add(gauge(s, G_BLOCKED, 0), -1);
}

static void
on_wait(struct res_sampler *s, const struct probe_ev *ev)
{
	if (!blocking(ev))
		return;
	if (ev->kind == PROBE_WAIT) {
		idmap_put(&s->blocked, ev->thread.id, &blocked_mark);
		add(gauge(s, G_BLOCKED, 0), 1);
	} else if (idmap_del(&s->blocked, ev->thread.id) != NULL) {
		add(gauge(s, G_BLOCKED, 0), -1);
	}
}

static void
listen(void *arg, const struct probe_ev *ev)
{
	struct res_sampler *s = arg;

	if (ev->t > s->next)
		flush_before(s, ev->t);
	switch (ev->kind) {
	case PROBE_THREAD_SPAWN:
	case PROBE_THREAD_EXIT:
		on_thread(s, ev);
		break;
	case PROBE_WAIT:
	case PROBE_WAKE:
		on_wait(s, ev);
		break;
	case PROBE_MSG_ENQUEUE:
		add(gauge(s, G_DEPTH, ev->client), 1);
		if (ev->value > 0)
			add(gauge(s, G_INFLIGHT, ev->client), 1);
		break;
	case PROBE_MSG_HANDLER_START:
		add(gauge(s, G_DEPTH, ev->client), -1);
		break;
	case PROBE_MSG_RESPOND:
	case PROBE_MSG_DROP:
		add(gauge(s, G_INFLIGHT, ev->client), -1);
		break;
	case PROBE_DEADLINE_MISS:
		if (ev->value != M_MISS_KILL)
			add(gauge(s, G_INFLIGHT, ev->client), -1);
		break;
	case PROBE_PROCESS_EXIT:
		if (s->client_of[ev->process] >= 0)
			gauge(s, G_DEPTH, s->client_of[ev->process])->value = 0;
		break;
	default:
		break;
	}
}

struct res_sampler *
res_sampler_new(struct res_run *r, const struct model *m,
    struct probe_bus *bus, int64_t interval)
{
	struct res_sampler *s = xcalloc(1, sizeof(*s));
	size_t np = m->nprocs, nc = m->nclients;

	if (interval <= 0)
		BUG("res_sampler_new: interval %lld", (long long)interval);
	s->r = r;
	s->m = m;
	s->interval = interval;
	s->ng = 2 * np + 2 * nc + 1;
	s->g = xcalloc(s->ng, sizeof(*s->g));
	s->client_of = xcalloc(np + 1, sizeof(*s->client_of));
	for (size_t i = 0; i < np; i++) {
		s->client_of[i] = m->procs[i]->client != NULL ?
		    m->procs[i]->client->id : -1;
		gauge(s, G_POOL, (int)i)->series = res_series(r,
		    "pool_threads", m->procs[i]->name);
		gauge(s, G_THREADS, (int)i)->series = res_series(r, "threads",
		    m->procs[i]->name);
	}
	for (size_t i = 0; i < nc; i++) {
		gauge(s, G_DEPTH, (int)i)->series = res_series(r,
		    "queue_depth", m->clients[i]->name);
		gauge(s, G_INFLIGHT, (int)i)->series = res_series(r,
		    "auth_inflight", m->clients[i]->name);
	}
	gauge(s, G_BLOCKED, 0)->series = res_series(r, "syscalls_blocked",
	    NULL);
	probe_listen(bus, PROBE_BIT(PROBE_THREAD_SPAWN) |
	    PROBE_BIT(PROBE_THREAD_EXIT) | PROBE_BIT(PROBE_WAIT) |
	    PROBE_BIT(PROBE_WAKE) | PROBE_BIT(PROBE_MSG_ENQUEUE) |
	    PROBE_BIT(PROBE_MSG_HANDLER_START) | PROBE_BIT(PROBE_MSG_RESPOND) |
	    PROBE_BIT(PROBE_MSG_DROP) | PROBE_BIT(PROBE_DEADLINE_MISS) |
	    PROBE_BIT(PROBE_PROCESS_EXIT), listen, s);
	return s;
}

void
res_sampler_finish(struct res_sampler *s, int64_t t_end)
{
	if (t_end < INT64_MAX)
		flush_before(s, t_end + 1);
}

void
res_sampler_free(struct res_sampler *s)
{
	if (s == NULL)
		return;
	idmap_release(&s->blocked);
	free(s->client_of);
	free(s->g);
	free(s);
}

int64_t
res_sampler_gauge(const struct res_sampler *s, const char *metric, int id)
{
	static const char *const names[] = { "pool_threads", "threads",
	    "queue_depth", "auth_inflight", "syscalls_blocked" };

	for (int k = 0; k < 5; k++)
		if (strcmp(metric, names[k]) == 0)
			return gauge((struct res_sampler *)s, k, id)->value;
	return -1;
}
