/*
 * synth.c - generating a synthetic trace from a spec, in time order.
 *
 * Every pending thing that will write a line is an entry in one event
 * calendar (core/cal.h, ordered by time then insertion): the next
 * arrival of each event rule of each live process, the next spawn of
 * each spawn rule, a child's exec after its fork, a process's exit at the
 * end of its lifetime, the close that follows an open.  The loop pops the
 * earliest entry, writes its line and pushes the entry's successor, so
 * lines come out in time order and memory holds only live processes and
 * their rules, whatever the duration.
 *
 * The process tree follows macOS: a spawn is a fork by the parent's
 * main thread (the child runs the parent's image under a new pid and a
 * new pidversion), then after exec_delay an exec by the child (same pid,
 * the next pidversion, the template's executable), after which the
 * child's own rules start; an exit ends it.  pids, pidversions and
 * thread ids come from global counters, as the kernel's do.
 *
 * Determinism: each process instance draws from the stream
 * "proc/NAME/PID", each of its rules from "proc/NAME/PID/event/I" or
 * ".../spawn/I" (core/rng.h), and the calendar breaks ties by insertion
 * order, so the output depends on the spec and the seed only.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cal.h"
#include "core/xalloc.h"
#include "trace/synth-int.h"

/* ---- draws ---------------------------------------------------------- */

static size_t
pick(const double *cum, size_t n, struct rng *r)
{
	double u = rng_uniform(r);
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cum[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

const char *
sy__path_draw(const struct sy_path *p, struct rng *r, uint64_t *seqpos,
    char *buf)
{
	uint64_t k;

	switch (p->kind) {
	case SY_PATH_NONE:
		return NULL;
	case SY_PATH_LITERAL:
		return p->literal;
	case SY_PATH_CHOICE:
		return p->paths[pick(p->cum, p->n, r)];
	case SY_PATH_ZIPF:
		k = rng_zipf(r, p->count, p->s);
		break;
	case SY_PATH_SEQ:
	default:
		k = p->first + *seqpos;
		*seqpos = (*seqpos + 1) % p->count;
		break;
	}
	snprintf(buf, SY_PATH_MAX, "%s%llu%s", p->prefix,
	    (unsigned long long)k, p->suffix);
	return buf;
}

/* Mean gap at t (instance start t0) and when the burst phase changes. */
static double
gap_mean(const struct sy_arrival *a, int64_t t0, int64_t t, int64_t *change)
{
	int64_t cycle, ph, from = t0 + a->start;

	*change = INT64_MAX;
	if (!a->has_burst)
		return a->mean;
	cycle = a->on + a->off;
	ph = (t - from) % cycle;
	if (ph < a->on) {
		*change = t - ph + a->on;
		return a->mean / a->factor;
	}
	*change = t - ph + cycle;
	return a->mean;
}

int64_t
sy__next_arrival(const struct sy_arrival *a, struct rng *r, int64_t t0,
    int64_t t)
{
	int64_t change, dt, stop;
	double mean, d;

	if (t < t0 + a->start)
		t = t0 + a->start;
	stop = a->stop >= 0 ? t0 + a->stop : INT64_MAX;
	for (;;) {
		mean = gap_mean(a, t0, t, &change);
		d = a->poisson ? rng_exp(r, mean) : mean;
		dt = d >= 9.2e18 ? INT64_MAX : (int64_t)llround(d);
		if (dt < 1)
			dt = 1;
		if (dt > INT64_MAX - t)
			return INT64_MAX;
		if (t + dt < change)
			return t + dt < stop ? t + dt : INT64_MAX;
		if (change >= stop)
			return INT64_MAX;
		t = change;
	}
}

/* ---- generation ----------------------------------------------------- */

struct g_proc {
	struct sy_image	 im;		/* current image */
	struct sy_image	 pre;		/* the forked image, before exec */
	int64_t		 t0;		/* its image began (trace ns) */
	int		 alive;
	int		 refs;
	uint64_t	 tids[SY_MAX_THREADS];
	int		 ntids;
	struct rng	 rng;
};

enum g_kind { G_RULE, G_SPAWN, G_EXEC, G_EXIT, G_CLOSE };

struct g_ent {
	struct cal_node	 node;
	enum g_kind	 kind;
	struct g_proc	*p;
	size_t		 idx;		/* rule or spawn index */
	int64_t		 n;		/* spawns so far */
	uint64_t	 tid;		/* CLOSE */
	char		*path;		/* CLOSE */
	struct rng	 rng;
};

struct gen {
	const struct synth *s;
	uint64_t	 seed;
	struct cal	 cal;
	struct sy_out	 out;
	int32_t		 next_pid;
	int32_t		 next_pv;
	uint64_t	 next_tid;
	uint64_t	*seqpos;
	size_t		 alive;
	struct synth_stats st;
	FILE		*f;
	int		 failed;
	const struct evtype *t_fork, *t_exec, *t_exit, *t_close;
	char		 buf[2][SY_PATH_MAX];
};

static struct g_ent *
ent_new(struct gen *g, enum g_kind kind, struct g_proc *p, size_t idx)
{
	struct g_ent *e = xcalloc(1, sizeof(*e));

	(void)g;
	e->kind = kind;
	e->p = p;
	e->idx = idx;
	p->refs++;
	return e;
}

static void
ent_free(struct g_ent *e)
{
	if (--e->p->refs == 0)
		free(e->p);
	free(e->path);
	free(e);
}

static void
ent_stream(struct gen *g, struct g_ent *e, const char *what)
{
	char name[512];

	snprintf(name, sizeof(name), "proc/%s/%d/%s/%zu", e->p->im.tm->name,
	    (int)e->p->im.pid, what, e->idx);
	rng_init(&e->rng, g->seed, name);
}

static void
emit(struct gen *g, const struct evtype *type, int64_t t,
    const struct sy_image *act, uint64_t tid, const char *path,
    const char *path2, const struct sy_image *other)
{
	if (g->failed)
		return;
	sy__out_event(&g->out, type, t, act, tid, path, path2, other, 0);
	if (fwrite(g->out.b.s, 1, g->out.b.n, g->f) != g->out.b.n)
		g->failed = errno != 0 ? errno : EIO;
	g->st.events++;
	g->st.bytes += g->out.b.n;
}

/* Rules of p start: its image has just begun at t. */
static void
activate(struct gen *g, struct g_proc *p, int64_t t)
{
	const struct sy_tmpl *tm = p->im.tm;
	char name[512];
	int64_t next;

	snprintf(name, sizeof(name), "proc/%s/%d", tm->name, (int)p->im.pid);
	rng_init(&p->rng, g->seed, name);
	p->t0 = t;
	for (int i = p->ntids; i < tm->threads; i++)
		p->tids[i] = g->next_tid++;
	if (p->ntids < tm->threads)
		p->ntids = tm->threads;
	for (size_t i = 0; i < tm->nrules; i++) {
		struct g_ent *e = ent_new(g, G_RULE, p, i);

		ent_stream(g, e, "event");
		next = sy__next_arrival(&tm->rules[i].arr, &e->rng, t, t);
		if (next == INT64_MAX)
			ent_free(e);
		else
			cal_push(&g->cal, &e->node, next);
	}
	for (size_t i = 0; i < tm->nspawns; i++) {
		struct g_ent *e = ent_new(g, G_SPAWN, p, i);

		ent_stream(g, e, "spawn");
		next = sy__next_arrival(&tm->spawns[i].arr, &e->rng, t, t);
		if (next == INT64_MAX)
			ent_free(e);
		else
			cal_push(&g->cal, &e->node, next);
	}
	if (tm->has_lifetime) {
		struct g_ent *e = ent_new(g, G_EXIT, p, 0);
		int64_t life = dist_sample(&tm->lifetime, &p->rng);

		if (life > INT64_MAX - t)
			ent_free(e);
		else
			cal_push(&g->cal, &e->node, t + life);
	}
}

static void
do_rule(struct gen *g, struct g_ent *e, int64_t now)
{
	struct g_proc *p = e->p;
	const struct sy_rule *r = &p->im.tm->rules[e->idx];
	uint64_t tid = p->tids[rng_below(&e->rng, (uint64_t)p->ntids)];
	const char *path, *path2;

	path = sy__path_draw(&r->path, &e->rng, &g->seqpos[r->seq_slot],
	    g->buf[0]);
	path2 = sy__path_draw(&r->target, &e->rng, &g->seqpos[r->seq_slot2],
	    g->buf[1]);
	emit(g, r->type, now, &p->im, tid, path, path2, NULL);
	if (r->has_close) {
		struct g_ent *c = ent_new(g, G_CLOSE, p, 0);

		c->tid = tid;
		c->path = xstrdup(path);
		cal_push(&g->cal, &c->node, now +
		    dist_sample(&r->close_after, &e->rng));
	}
}

static void
do_spawn(struct gen *g, struct g_ent *e, int64_t now)
{
	struct g_proc *p = e->p, *c;
	const struct sy_spawn *sp = &p->im.tm->spawns[e->idx];
	const struct sy_tmpl *tm;
	struct g_ent *x;

	tm = sp->kind == SY_SPAWN_ONE ? sp->list[0] :
	    sp->kind == SY_SPAWN_EACH ? sp->list[e->n] :
	    sp->list[pick(sp->cum, sp->n, &e->rng)];
	e->n++;
	if (g->alive >= g->s->max_processes) {
		g->st.refused++;
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->pre.tm = p->im.tm;
	c->pre.pid = g->next_pid++;
	c->pre.pidversion = ++g->next_pv;
	c->pre.ppid = p->im.pid;
	c->pre.ppidversion = p->im.pidversion;
	c->pre.start = g->out.wall0 + now;
	c->im = c->pre;
	c->im.tm = tm;
	c->tids[0] = g->next_tid++;
	c->ntids = 1;
	c->alive = 1;
	g->alive++;
	g->st.processes++;
	if (g->alive > g->st.peak_alive)
		g->st.peak_alive = g->alive;
	emit(g, g->t_fork, now, &p->im, p->tids[0], NULL, NULL, &c->pre);
	x = ent_new(g, G_EXEC, c, 0);
	cal_push(&g->cal, &x->node, now + dist_sample(&sp->exec_delay,
	    &e->rng));
}

static void
do_exec(struct gen *g, struct g_proc *p, int64_t now)
{
	struct sy_image pre = p->pre;

	p->im.pidversion = ++g->next_pv;
	emit(g, g->t_exec, now, &pre, p->tids[0], NULL, NULL, &p->im);
	activate(g, p, now);
}

static void
do_exit(struct gen *g, struct g_proc *p, int64_t now)
{
	struct sy_image im = p->im;

	emit(g, g->t_exit, now, &im, p->tids[0], NULL, NULL, NULL);
	p->alive = 0;
	g->alive--;
}

/* Handle e at now; returns 1 when e was pushed again. */
static int
step(struct gen *g, struct g_ent *e, int64_t now)
{
	struct g_proc *p = e->p;
	int64_t next = INT64_MAX;

	if (!p->alive)
		return 0;
	switch (e->kind) {
	case G_RULE:
		do_rule(g, e, now);
		next = sy__next_arrival(&p->im.tm->rules[e->idx].arr, &e->rng,
		    p->t0, now);
		break;
	case G_SPAWN:
		do_spawn(g, e, now);
		if (p->im.tm->spawns[e->idx].max < 0 ||
		    e->n < p->im.tm->spawns[e->idx].max)
			next = sy__next_arrival(&p->im.tm->spawns[e->idx].arr,
			    &e->rng, p->t0, now);
		break;
	case G_EXEC:
		do_exec(g, p, now);
		break;
	case G_EXIT:
		do_exit(g, p, now);
		break;
	case G_CLOSE:
		emit(g, g->t_close, now, &p->im, e->tid, e->path, NULL, NULL);
		break;
	}
	if (next == INT64_MAX)
		return 0;
	cal_push(&g->cal, &e->node, next);
	return 1;
}

static void
roots(struct gen *g)
{
	const struct synth *s = g->s;

	for (size_t i = 0; i < s->nroots; i++) {
		struct g_proc *p = xcalloc(1, sizeof(*p));

		p->im.tm = s->roots[i];
		p->im.pid = g->next_pid++;
		p->im.pidversion = ++g->next_pv;
		p->im.ppid = i == 0 ? 0 : 1;
		p->im.ppidversion = i == 0 ? 0 : 1;
		/* Roots started at boot, an hour before the trace. */
		p->im.start = s->wall0 - INT64_C(3600) * 1000000000;
		p->alive = 1;
		g->alive++;
		g->st.processes++;
		p->refs = 1;		/* held until the end */
		activate(g, p, 0);
		if (--p->refs == 0)
			free(p);
	}
	g->st.peak_alive = g->alive;
}

int
synth_write(const struct synth *s, const struct synth_opts *o, FILE *out,
    struct synth_stats *st, struct err *e)
{
	struct gen *g = xcalloc(1, sizeof(*g));
	struct cal_node *n;
	int64_t end = o != NULL && o->duration > 0 ? o->duration :
	    s->duration;
	int rc = 0;

	g->s = s;
	g->seed = o != NULL && o->has_seed ? o->seed : s->seed;
	g->f = out;
	g->next_pid = 1;
	g->next_tid = 1000;
	g->seqpos = xcalloc(s->nseq + 1, sizeof(*g->seqpos));
	g->t_fork = evtype_by_name("NOTIFY_FORK");
	g->t_exec = evtype_by_name("NOTIFY_EXEC");
	g->t_exit = evtype_by_name("NOTIFY_EXIT");
	g->t_close = evtype_by_name("NOTIFY_CLOSE");
	cal_init_kind(&g->cal, CAL_BINARY);
	sy__out_init(&g->out, s->version, s->wall0);
	roots(g);
	while (!g->failed && (n = cal_pop_until(&g->cal, end - 1)) !=
	    NULL) {
		struct g_ent *x = container_of(n, struct g_ent, node);

		if (!step(g, x, n->time))
			ent_free(x);
	}
	while ((n = cal_pop(&g->cal)) != NULL)
		ent_free(container_of(n, struct g_ent, node));
	if (!g->failed && fflush(out) != 0)
		g->failed = errno != 0 ? errno : EIO;
	if (g->failed)
		rc = err_set(e, "cannot write the trace: %s",
		    strerror(g->failed));
	if (st != NULL)
		*st = g->st;
	cal_release(&g->cal);
	sy__out_release(&g->out);
	free(g->seqpos);
	free(g);
	return rc;
}
