/*
 * stats.c - the basic run counters, as a probe listener; see stats.h.
 *
 * Everything here comes from probes, in the order the world emits them:
 *   MSG_ENQUEUE        a client got a message (AUTH or NOTIFY)
 *   MSG_RESPOND        the client answered: value = response time, from
 *                      the message's enqueue to es_respond
 *   DEADLINE_MISS      a missed AUTH deadline (any miss mode)
 *   CLIENT_KILL        ES killed the client (a finding)
 *   CLIENT_START       value > 0: a restart
 *   THREAD_SPAWN/EXIT  live threads per process, and their peak
 *   SYSCALL_DONE       a syscall completed: value = latency, verdict
 *   QUEUE_FULL         a full delivery queue dropped an event (the
 *                      first per client is a finding)
 *   SYNC_CRASH, SPIN   findings
 * Histograms (analysis/hist.h) are exact to 0.4%; one per (client, event
 * type) and one per event type that occurs, created on first use.  They
 * are the only ones: the deadline analysis reads them through
 * stats_response() and stats_syscall_latency() rather than record every
 * value a second time.  A client's response times over all its types are
 * the merge of its (client, type) histograms, made when asked for
 * (stats_client_response()) into a histogram the client keeps: merging
 * adds bucket counts, count, sum, min and max, which is exactly what
 * recording the values into it would have done.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/hist.h"
#include "analysis/stats.h"
#include "core/evtype.h"
#include "core/xalloc.h"

struct st_client {
	uint64_t	 messages, auth_messages, misses, kills, restarts;
	uint64_t	 drops, auth_drops;
	uint64_t	 responses;	/* values recorded in its types' */
	uint64_t	 merged;	/* those in resp */
	struct hist	*resp;		/* the merge, stats_client_response() */
	char		 last_miss[160];
};

struct st_proc {
	int		 live, peak, pool_live, pool_peak;
	uint64_t	 crashes;
};

struct st_type {
	uint64_t	 count, denied;
	struct hist	*lat;
};

struct st_finding {
	const char	*kind;
	int64_t		 t;
	int		 process, client;
	char		 detail[200];
};

struct stats {
	const struct model	*m;
	const struct probe_bus	*bus;
	struct st_client	*c;
	struct hist		**resp;	/* [client * EVSET_BITS + type] */
	struct st_proc		*p;
	struct st_type		 types[EVSET_BITS];
	struct st_finding	*f;
	size_t			 nf;
	uint64_t		 fdropped;
	uint64_t		 cache_hits, early_timeouts;
};

static struct st_finding *
finding(struct stats *s, const char *kind, const struct probe_ev *ev)
{
	struct st_finding *f;

	if (s->nf >= STATS_MAX_FINDINGS) {
		s->fdropped++;
		return NULL;
	}
	f = &s->f[s->nf++];
	f->kind = kind;
	f->t = ev->t;
	f->process = ev->process;
	f->client = ev->client;
	f->detail[0] = '\0';
	return f;
}

static void
on_threads(struct stats *s, const struct probe_ev *ev)
{
	struct st_proc *p = &s->p[ev->process];
	int d = ev->kind == PROBE_THREAD_SPAWN ? 1 : -1;

	p->live += d;
	if (p->live > p->peak)
		p->peak = p->live;
	if (ev->role == PROBE_ROLE_POOL) {
		p->pool_live += d;
		if (p->pool_live > p->pool_peak)
			p->pool_peak = p->pool_live;
	}
}

static void
on_syscall(struct stats *s, const struct probe_ev *ev)
{
	struct st_type *t = &s->types[ev->evtype->value];

	if (t->lat == NULL)
		t->lat = hist_new();
	t->count++;
	if (ev->verdict == 0)
		t->denied++;
	hist_record(t->lat, ev->value);
}

/*
 * The three kinds of every message and syscall (SYSCALL_DONE, MSG_ENQUEUE,
 * MSG_RESPOND) have a callback each (probe_listen_kind()), the rest go
 * through listen()'s switch.
 */
static void
on_syscall_done(void *arg, const struct probe_ev *ev)
{
	on_syscall(arg, ev);
}

static void
on_enqueue(void *arg, const struct probe_ev *ev)
{
	struct stats *s = arg;
	struct st_client *c = &s->c[ev->client];

	c->messages++;
	if (evtype_is_auth(ev->evtype))
		c->auth_messages++;
}

static void
on_respond(void *arg, const struct probe_ev *ev)
{
	struct stats *s = arg;
	struct hist **h = &s->resp[(size_t)ev->client * EVSET_BITS +
	    (size_t)ev->evtype->value];

	if (*h == NULL)
		*h = hist_new();
	hist_record(*h, ev->value);
	s->c[ev->client].responses++;
}

static void
on_finding(struct stats *s, const struct probe_ev *ev)
{
	struct st_finding *f;
	char a[128], b[128];

	switch (ev->kind) {
	case PROBE_CLIENT_KILL:
		if ((f = finding(s, "kill", ev)) != NULL)
			snprintf(f->detail, sizeof(f->detail),
			    "%s killed: missed the deadline of %s",
			    s->m->clients[ev->client]->name,
			    s->c[ev->client].last_miss);
		break;
	case PROBE_SYNC_CRASH:
		s->p[ev->process].crashes++;
		if ((f = finding(s, "sync_crash", ev)) != NULL)
			snprintf(f->detail, sizeof(f->detail),
			    "%s: dispatch_sync onto %s, which it owns",
			    probe_name(s->bus, &ev->thread, a, sizeof(a)),
			    probe_name(s->bus, &ev->obj, b, sizeof(b)));
		break;
	case PROBE_QUEUE_FULL:
		/* The first drop per client; the count is in the client's
		 * counters. */
		if (s->c[ev->client].drops == 1 &&
		    (f = finding(s, "drop", ev)) != NULL)
			snprintf(f->detail, sizeof(f->detail),
			    "%s's delivery queue is full (max_delivery_queue "
			    "%d): %s %s dropped%s",
			    s->m->clients[ev->client]->name,
			    s->m->max_delivery_queue, ev->evtype->name,
			    ev->path != NULL ? ev->path : "-",
			    !ev->value ? "" : s->m->clients[ev->client]->
			    miss_mode == M_MISS_FAIL_CLOSED ? ", denied" :
			    ", allowed");
		break;
	case PROBE_SPIN:
		if ((f = finding(s, "spin", ev)) != NULL)
			snprintf(f->detail, sizeof(f->detail),
			    "%s ran %" PRId64 " actions without time passing "
			    "and was stopped",
			    probe_name(s->bus, &ev->thread, a, sizeof(a)),
			    ev->value);
		break;
	default:
		break;
	}
}

static void
listen(void *arg, const struct probe_ev *ev)
{
	struct stats *s = arg;
	struct st_client *c = ev->client >= 0 ? &s->c[ev->client] : NULL;

	switch (ev->kind) {
	case PROBE_THREAD_SPAWN:
	case PROBE_THREAD_EXIT:
		on_threads(s, ev);
		break;
	case PROBE_DEADLINE_MISS:
		c->misses++;
		snprintf(c->last_miss, sizeof(c->last_miss), "%s %s",
		    ev->evtype->name, ev->path != NULL ? ev->path : "-");
		break;
	case PROBE_CLIENT_KILL:
		c->kills++;
		on_finding(s, ev);
		break;
	case PROBE_CLIENT_START:
		if (ev->value > 0)
			c->restarts++;
		break;
	case PROBE_QUEUE_FULL:
		c->drops++;
		c->auth_drops += ev->value != 0;
		on_finding(s, ev);
		break;
	case PROBE_CACHE_HIT:
		s->cache_hits++;
		break;
	case PROBE_EARLY_BOOT_RELEASE:
		if (ev->value)
			s->early_timeouts++;
		break;
	default:
		on_finding(s, ev);
		break;
	}
}

struct stats *
stats_new(const struct model *m, struct probe_bus *bus)
{
	struct stats *s = xcalloc(1, sizeof(*s));

	s->m = m;
	s->bus = bus;
	s->c = xcalloc(m->nclients + 1, sizeof(*s->c));
	s->resp = xcalloc((m->nclients + 1) * EVSET_BITS, sizeof(*s->resp));
	for (size_t i = 0; i < m->nclients; i++)
		s->c[i].resp = hist_new();
	s->p = xcalloc(m->nprocs + 1, sizeof(*s->p));
	s->f = xcalloc(STATS_MAX_FINDINGS, sizeof(*s->f));
	probe_listen_kind(bus, PROBE_SYSCALL_DONE, on_syscall_done, s);
	probe_listen_kind(bus, PROBE_MSG_ENQUEUE, on_enqueue, s);
	probe_listen_kind(bus, PROBE_MSG_RESPOND, on_respond, s);
	probe_listen(bus, PROBE_BIT(PROBE_THREAD_SPAWN) |
	    PROBE_BIT(PROBE_THREAD_EXIT) | PROBE_BIT(PROBE_DEADLINE_MISS) | PROBE_BIT(PROBE_CLIENT_KILL) |
	    PROBE_BIT(PROBE_CLIENT_START) | PROBE_BIT(PROBE_SYNC_CRASH) |
	    PROBE_BIT(PROBE_SPIN) | PROBE_BIT(PROBE_CACHE_HIT) |
	    PROBE_BIT(PROBE_EARLY_BOOT_RELEASE) | PROBE_BIT(PROBE_QUEUE_FULL),
	    listen, s);
	return s;
}

void
stats_free(struct stats *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->m->nclients; i++)
		hist_free(s->c[i].resp);
	for (size_t i = 0; i < s->m->nclients * EVSET_BITS; i++)
		hist_free(s->resp[i]);
	free(s->resp);
	for (int v = 0; v < EVSET_BITS; v++)
		hist_free(s->types[v].lat);
	free(s->c);
	free(s->p);
	free(s->f);
	free(s);
}

/* {"count", "mean", "p50", "p99", "max"}: null values when empty. */
static json_t *
hist_json(const struct hist *h)
{
	json_t *o = json_object();
	uint64_t n = h != NULL ? hist_count(h) : 0;

	json_object_set_new(o, "count", json_integer((json_int_t)n));
	json_object_set_new(o, "mean", n ? json_real(hist_mean(h)) :
	    json_null());
	json_object_set_new(o, "p50", n ?
	    json_integer(hist_quantile(h, 0.5)) : json_null());
	json_object_set_new(o, "p99", n ?
	    json_integer(hist_quantile(h, 0.99)) : json_null());
	json_object_set_new(o, "max", n ? json_integer(hist_max(h)) :
	    json_null());
	return o;
}

static json_t *
clients_json(const struct stats *s)
{
	json_t *o = json_object();

	for (size_t i = 0; i < s->m->nclients; i++) {
		const struct st_client *c = &s->c[i];
		json_t *j = json_object();

		json_object_set_new(j, "messages", json_integer(
		    (json_int_t)c->messages));
		json_object_set_new(j, "auth_messages", json_integer(
		    (json_int_t)c->auth_messages));
		json_object_set_new(j, "misses", json_integer(
		    (json_int_t)c->misses));
		json_object_set_new(j, "kills", json_integer(
		    (json_int_t)c->kills));
		json_object_set_new(j, "restarts", json_integer(
		    (json_int_t)c->restarts));
		json_object_set_new(j, "drops", json_integer(
		    (json_int_t)c->drops));
		json_object_set_new(j, "auth_drops", json_integer(
		    (json_int_t)c->auth_drops));
		json_object_set_new(j, "response_ns",
		    hist_json(stats_client_response(s, (int)i)));
		json_object_set_new(o, s->m->clients[i]->name, j);
	}
	return o;
}

static json_t *
procs_json(const struct stats *s)
{
	json_t *o = json_object();

	for (size_t i = 0; i < s->m->nprocs; i++) {
		json_t *j = json_object();

		json_object_set_new(j, "peak_threads",
		    json_integer(s->p[i].peak));
		json_object_set_new(j, "peak_pool_threads",
		    json_integer(s->p[i].pool_peak));
		json_object_set_new(j, "crashes",
		    json_integer((json_int_t)s->p[i].crashes));
		json_object_set_new(o, s->m->procs[i]->name, j);
	}
	return o;
}

static json_t *
syscalls_json(const struct stats *s)
{
	json_t *o = json_object();

	for (int v = 0; v < EVSET_BITS; v++) {
		const struct st_type *t = &s->types[v];
		json_t *j;

		if (t->count == 0)
			continue;
		j = json_object();
		json_object_set_new(j, "count", json_integer(
		    (json_int_t)t->count));
		json_object_set_new(j, "denied", json_integer(
		    (json_int_t)t->denied));
		json_object_set_new(j, "latency_ns", hist_json(t->lat));
		json_object_set_new(o, evtype_by_value(v)->name, j);
	}
	return o;
}

static json_t *
findings_json(const struct stats *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->nf; i++) {
		const struct st_finding *f = &s->f[i];
		json_t *j = json_object();

		json_object_set_new(j, "kind", json_string(f->kind));
		json_object_set_new(j, "t_ns", json_integer(f->t));
		json_object_set_new(j, "process", f->process >= 0 ?
		    json_string(s->m->procs[f->process]->name) : json_null());
		json_object_set_new(j, "client", f->client >= 0 ?
		    json_string(s->m->clients[f->client]->name) : json_null());
		json_object_set_new(j, "detail", json_string(f->detail));
		json_array_append_new(a, j);
	}
	return a;
}

json_t *
stats_json(const struct stats *s, const struct stats_run *r)
{
	json_t *o = json_object();
	double ev_s = r->wall_s > 0 ? (double)r->events / r->wall_s : 0;
	double sim_s = r->wall_s > 0 ? (double)r->sim_ns / 1e9 / r->wall_s : 0;

	json_object_set_new(o, "model", json_string(s->m->name));
	json_object_set_new(o, "seed", json_integer((json_int_t)r->seed));
	json_object_set_new(o, "duration_ns", json_integer(r->duration_ns));
	json_object_set_new(o, "sim_ns", json_integer(r->sim_ns));
	json_object_set_new(o, "events", json_integer((json_int_t)r->events));
	json_object_set_new(o, "wall_s", json_real(r->wall_s));
	json_object_set_new(o, "events_per_s", json_real(ev_s));
	json_object_set_new(o, "sim_s_per_wall_s", json_real(sim_s));
	json_object_set_new(o, "clients", clients_json(s));
	json_object_set_new(o, "processes", procs_json(s));
	json_object_set_new(o, "syscalls", syscalls_json(s));
	json_object_set_new(o, "cache_hits", json_integer(
	    (json_int_t)s->cache_hits));
	json_object_set_new(o, "early_boot_timeouts", json_integer(
	    (json_int_t)s->early_timeouts));
	json_object_set_new(o, "findings", findings_json(s));
	json_object_set_new(o, "findings_dropped", json_integer(
	    (json_int_t)s->fdropped));
	return o;
}

/* Three significant digits and a unit: "850ns", "1.25ms", "15.0s". */
static const char *
dur(int64_t ns, char *buf, size_t n)
{
	static const struct { int64_t div; const char *unit; } u[] = {
		{ 1000000000, "s" }, { 1000000, "ms" }, { 1000, "us" },
	};
	double v;

	if (ns < 0) {
		snprintf(buf, n, "-");
		return buf;
	}
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		if (ns < u[i].div)
			continue;
		v = (double)ns / (double)u[i].div;
		snprintf(buf, n, v < 10 ? "%.2f%s" : v < 100 ? "%.1f%s" :
		    "%.0f%s", v, u[i].unit);
		return buf;
	}
	snprintf(buf, n, "%" PRId64 "ns", ns);
	return buf;
}

static void
print_hist3(const struct hist *h, FILE *f)
{
	char a[32], b[32], c[32];
	int empty = h == NULL || hist_count(h) == 0;

	fprintf(f, " %9s %9s %9s", empty ? "-" : dur(hist_quantile(h, 0.5),
	    a, sizeof(a)), empty ? "-" : dur(hist_quantile(h, 0.99), b,
	    sizeof(b)), empty ? "-" : dur(hist_max(h), c, sizeof(c)));
}

static void
print_tables(const struct stats *s, FILE *f)
{
	fprintf(f, "\nsyscalls            %10s %8s %9s %9s %9s\n", "count",
	    "denied", "p50", "p99", "max");
	for (int v = 0; v < EVSET_BITS; v++) {
		const struct st_type *t = &s->types[v];

		if (t->count == 0)
			continue;
		fprintf(f, "  %-18s%10" PRIu64 " %8" PRIu64,
		    evtype_by_value(v)->name, t->count, t->denied);
		print_hist3(t->lat, f);
		fputc('\n', f);
	}
	fprintf(f, "\nclients             %10s %9s %9s %9s %6s %5s %8s\n",
	    "messages", "resp p50", "p99", "max", "misses", "kills",
	    "restarts");
	for (size_t i = 0; i < s->m->nclients; i++) {
		const struct st_client *c = &s->c[i];

		fprintf(f, "  %-18s%10" PRIu64, s->m->clients[i]->name,
		    c->messages);
		print_hist3(stats_client_response(s, (int)i), f);
		fprintf(f, " %6" PRIu64 " %5" PRIu64 " %8" PRIu64 "\n",
		    c->misses, c->kills, c->restarts);
	}
	for (size_t i = 0; i < s->m->nclients; i++)
		if (s->c[i].drops > 0)
			fprintf(f, "  %s: %" PRIu64 " events dropped (%" PRIu64
			    " AUTH), its delivery queue full\n",
			    s->m->clients[i]->name, s->c[i].drops,
			    s->c[i].auth_drops);
	fprintf(f, "\nprocesses           %12s %12s %8s\n", "peak threads",
	    "peak pool", "crashes");
	for (size_t i = 0; i < s->m->nprocs; i++)
		fprintf(f, "  %-18s%12d %12d %8" PRIu64 "\n",
		    s->m->procs[i]->name, s->p[i].peak, s->p[i].pool_peak,
		    s->p[i].crashes);
}

void
stats_print(const struct stats *s, const struct stats_run *r, FILE *f)
{
	char a[32];

	fprintf(f, "essim run: %s (seed %" PRIu64 ")\n", s->m->name, r->seed);
	if (s->m->about != NULL && s->m->about[0] != '\0')
		fprintf(f, "  %s\n", s->m->about);
	fprintf(f, "simulated %s in %.3fs of wall time: %.1f simulated s per "
	    "second, %.2fM engine events/s (%" PRIu64 " events)\n",
	    dur(r->sim_ns, a, sizeof(a)), r->wall_s,
	    r->wall_s > 0 ? (double)r->sim_ns / 1e9 / r->wall_s : 0,
	    r->wall_s > 0 ? (double)r->events / r->wall_s / 1e6 : 0,
	    r->events);
	print_tables(s, f);
	if (s->cache_hits > 0 || s->early_timeouts > 0)
		fprintf(f, "\ncache hits %" PRIu64 ", early-boot execs "
		    "released by the timeout %" PRIu64 "\n", s->cache_hits,
		    s->early_timeouts);
	fprintf(f, "\nfindings: %zu\n", s->nf + (size_t)s->fdropped);
	for (size_t i = 0; i < s->nf; i++)
		fprintf(f, "  %10s  %-10s %s\n", dur(s->f[i].t, a, sizeof(a)),
		    s->f[i].kind, s->f[i].detail);
	if (s->fdropped > 0)
		fprintf(f, "  ... and %" PRIu64 " more\n", s->fdropped);
}

uint64_t
stats_client_kills(const struct stats *s, int client)
{
	return s->c[client].kills;
}

uint64_t
stats_client_drops(const struct stats *s, int client, uint64_t *auth)
{
	if (auth != NULL)
		*auth = s->c[client].auth_drops;
	return s->c[client].drops;
}

uint64_t
stats_client_restarts(const struct stats *s, int client)
{
	return s->c[client].restarts;
}

uint64_t
stats_client_misses(const struct stats *s, int client)
{
	return s->c[client].misses;
}

uint64_t
stats_client_messages(const struct stats *s, int client)
{
	return s->c[client].messages;
}

uint64_t
stats_syscalls(const struct stats *s, int evtype_value)
{
	return s->types[evtype_value].count;
}

size_t
stats_nfindings(const struct stats *s)
{
	return s->nf + (size_t)s->fdropped;
}

uint64_t
stats_client_auth_messages(const struct stats *s, int client)
{
	return s->c[client].auth_messages;
}

/*
 * The merge is redone only when responses came since the last one, so
 * asking during a run is correct and asking again after it is cheap.  It
 * changes the client's cache, not what the counters say: s stays const
 * for the caller.
 */
const struct hist *
stats_client_response(const struct stats *s, int client)
{
	struct st_client *c = &s->c[client];
	const struct hist *h;

	if (c->merged != c->responses) {
		hist_reset(c->resp);
		for (int v = 0; v < EVSET_BITS; v++)
			if ((h = stats_response(s, client, v)) != NULL)
				hist_merge(c->resp, h);
		c->merged = c->responses;
	}
	return c->resp;
}

const struct hist *
stats_response(const struct stats *s, int client, int evtype_value)
{
	if (client < 0 || (size_t)client >= s->m->nclients ||
	    evtype_value < 0 || evtype_value >= EVSET_BITS)
		return NULL;
	return s->resp[(size_t)client * EVSET_BITS + (size_t)evtype_value];
}

int
stats_proc_peak(const struct stats *s, int proc)
{
	return s->p[proc].peak;
}

int
stats_proc_pool_peak(const struct stats *s, int proc)
{
	return s->p[proc].pool_peak;
}

uint64_t
stats_proc_crashes(const struct stats *s, int proc)
{
	return s->p[proc].crashes;
}

uint64_t
stats_syscall_denied(const struct stats *s, int evtype_value)
{
	return s->types[evtype_value].denied;
}

const struct hist *
stats_syscall_latency(const struct stats *s, int evtype_value)
{
	return s->types[evtype_value].lat;
}

uint64_t
stats_cache_hits(const struct stats *s)
{
	return s->cache_hits;
}

uint64_t
stats_early_boot_timeouts(const struct stats *s)
{
	return s->early_timeouts;
}

int
stats_finding(const struct stats *s, size_t i, struct stats_finding *out)
{
	if (i >= s->nf)
		return 0;
	out->kind = s->f[i].kind;
	out->t = s->f[i].t;
	out->process = s->f[i].process;
	out->client = s->f[i].client;
	out->detail = s->f[i].detail;
	return 1;
}

uint64_t
stats_findings_dropped(const struct stats *s)
{
	return s->fdropped;
}
