/*
 * deadline.c - deadlines, headroom and latencies; see deadline.h.
 *
 * Everything comes from a few probes, each carrying the number it needs,
 * so no per-message state is kept:
 *   MSG_ENQUEUE        a message for (client, type): counted
 *   MSG_HANDLER_START  value = time it waited on the delivery queue
 *   MSG_RESPOND        not followed here: headroom is the (client, type)
 *                      deadline minus the response time, and with one
 *                      deadline per (client, type) its distribution is
 *                      the response times' mirrored, so its minimum (from
 *                      the exact maximum) and quantiles are read from the
 *                      response histogram (the run counters')
 *   DEADLINE_MISS      a miss of (client, type); a CLIENT_KILL right after
 *                      is charged to that type
 *   CLIENT_START       value > 0: a restart
 * The queue waits are the only histograms of this module (one per
 * client, made on first use: 35 KB each).  Response times per (client,
 * type) and per client, and syscall latencies per type, are the run
 * counters' (analysis/stats.h), which see the same probes and record the
 * same values: this module reads them, so every value is recorded once.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/deadline.h"
#include "analysis/stats.h"
#include "core/units.h"
#include "core/xalloc.h"

struct ct {				/* one (client, type) */
	uint64_t	 messages, misses, kills;
	int64_t		 first_miss;
	int64_t		 deadline;	/* dl_deadline() */
};

struct cl {
	uint64_t	 misses, kills, restarts;
	int		 last_miss;	/* type value of the last miss, -1 */
	struct hist	*qwait;
};

struct dl {
	const struct model	*m;
	const struct stats	*st;	/* its histograms */
	struct ct		**ct;	/* [client * EVSET_BITS + type] */
	struct cl		*cl;
};

static struct ct *
ct_get(struct dl *d, int c, int type)
{
	struct ct **slot = &d->ct[(size_t)c * EVSET_BITS + (size_t)type];

	if (*slot == NULL) {
		*slot = xcalloc(1, sizeof(**slot));
		(*slot)->first_miss = -1;
		(*slot)->deadline = dl_deadline(d, c, type);
	}
	return *slot;
}

static const struct ct *
ct_at(const struct dl *d, int c, int type)
{
	if (c < 0 || (size_t)c >= d->m->nclients || type < 0 ||
	    type >= EVSET_BITS)
		return NULL;
	return d->ct[(size_t)c * EVSET_BITS + (size_t)type];
}

static struct hist *
lazy(struct hist **h)
{
	if (*h == NULL)
		*h = hist_new();
	return *h;
}

int64_t
dl_deadline(const struct dl *d, int client, int type)
{
	int64_t dl = d->m->deadline[type];
	int64_t cap = d->m->clients[client]->deadline_max[type];

	return cap >= 0 && cap < dl ? cap : dl;
}

void
dl_enqueue(struct dl *d, const struct probe_ev *ev)
{
	ct_get(d, ev->client, ev->evtype->value)->messages++;
}

void
dl_handler_start(struct dl *d, const struct probe_ev *ev)
{
	hist_record(lazy(&d->cl[ev->client].qwait), ev->value);
}

/* DEADLINE_MISS, CLIENT_KILL, CLIENT_START. */
void
dl_probe(struct dl *d, const struct probe_ev *ev)
{
	struct ct *c;

	switch (ev->kind) {
	case PROBE_DEADLINE_MISS:
		c = ct_get(d, ev->client, ev->evtype->value);
		c->misses++;
		if (c->first_miss < 0)
			c->first_miss = ev->t;
		d->cl[ev->client].misses++;
		d->cl[ev->client].last_miss = ev->evtype->value;
		break;
	case PROBE_CLIENT_KILL:
		d->cl[ev->client].kills++;
		if (ev->value == PROBE_KILL_DEADLINE &&
		    d->cl[ev->client].last_miss >= 0)
			ct_get(d, ev->client,
			    d->cl[ev->client].last_miss)->kills++;
		break;
	case PROBE_CLIENT_START:
		if (ev->value > 0)
			d->cl[ev->client].restarts++;
		break;
	default:
		break;
	}
}

uint64_t
dl_mask(void)
{
	return PROBE_BIT(PROBE_MSG_ENQUEUE) |
	    PROBE_BIT(PROBE_MSG_HANDLER_START) |
	    PROBE_BIT(PROBE_DEADLINE_MISS) | PROBE_BIT(PROBE_CLIENT_KILL) |
	    PROBE_BIT(PROBE_CLIENT_START);
}

struct dl *
dl_new(const struct model *m, const struct stats *st)
{
	struct dl *d = xcalloc(1, sizeof(*d));

	d->m = m;
	d->st = st;
	d->ct = xcalloc((m->nclients + 1) * EVSET_BITS, sizeof(*d->ct));
	d->cl = xcalloc(m->nclients + 1, sizeof(*d->cl));
	for (size_t i = 0; i < m->nclients; i++)
		d->cl[i].last_miss = -1;
	return d;
}

void
dl_free(struct dl *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->m->nclients * EVSET_BITS; i++)
		free(d->ct[i]);
	for (size_t i = 0; i < d->m->nclients; i++)
		hist_free(d->cl[i].qwait);
	free(d->ct);
	free(d->cl);
	free(d);
}

void
dl_finish(struct dl *d, struct fd_list *out)
{
	char a[UNITS_DURATION_MAX], b[UNITS_DURATION_MAX];

	for (size_t c = 0; c < d->m->nclients; c++)
		for (int v = 0; v < EVSET_BITS; v++) {
			const struct ct *x = ct_at(d, (int)c, v);
			struct finding *f;

			if (x == NULL || x->misses == 0)
				continue;
			f = fd_add(out, FD_DEADLINE, x->first_miss);
			f->client = (int)c;
			f->process = d->m->clients[c]->proc->id;
			f->count = x->misses;
			f->value = (int64_t)x->kills;
			units_format_duration(dl_deadline(d, (int)c, v), a,
			    sizeof(a));
			if (dl_min_headroom(d, (int)c, v) >= 0)
				units_format_duration(dl_min_headroom(d, (int)c,
				    v), b, sizeof(b));
			fd_summary(f, "%s missed the %s deadline (%s) %" PRIu64
			    " time%s of %" PRIu64 " messages, %" PRIu64
			    " kill%s; min headroom of the answers: %s",
			    d->m->clients[c]->name, evtype_by_value(v)->name, a,
			    x->misses, x->misses == 1 ? "" : "s", x->messages,
			    x->kills, x->kills == 1 ? "" : "s",
			    dl_min_headroom(d, (int)c, v) >= 0 ? b :
			    "none answered");
		}
}

uint64_t
dl_messages(const struct dl *d, int client, int type)
{
	const struct ct *x = ct_at(d, client, type);

	return x != NULL ? x->messages : 0;
}

uint64_t
dl_type_misses(const struct dl *d, int client, int type)
{
	const struct ct *x = ct_at(d, client, type);

	return x != NULL ? x->misses : 0;
}

uint64_t
dl_type_kills(const struct dl *d, int client, int type)
{
	const struct ct *x = ct_at(d, client, type);

	return x != NULL ? x->kills : 0;
}

/* The deadline less the longest answer (hist_max() is exact), at least 0:
 * an answer at the very instant of the deadline has none left. */
int64_t
dl_min_headroom(const struct dl *d, int client, int type)
{
	const struct ct *x = ct_at(d, client, type);
	const struct hist *r = dl_response(d, client, type);
	int64_t h;

	if (x == NULL || r == NULL || hist_count(r) == 0)
		return -1;
	h = x->deadline - hist_max(r);
	return h > 0 ? h : 0;
}

int64_t
dl_headroom_quantile(const struct dl *d, int client, int type, double q)
{
	const struct hist *r = dl_response(d, client, type);
	int64_t h;

	if (r == NULL || hist_count(r) == 0)
		return -1;
	h = dl_deadline(d, client, type) - hist_quantile(r, 1.0 - q);
	return h < 0 ? 0 : h;
}

/* The run counters' histogram, as long as this module knows the pair. */
const struct hist *
dl_response(const struct dl *d, int client, int type)
{
	return ct_at(d, client, type) != NULL ?
	    stats_response(d->st, client, type) : NULL;
}

uint64_t
dl_misses(const struct dl *d, int client)
{
	return d->cl[client].misses;
}

uint64_t
dl_kills(const struct dl *d, int client)
{
	return d->cl[client].kills;
}

uint64_t
dl_restarts(const struct dl *d, int client)
{
	return d->cl[client].restarts;
}

int64_t
dl_client_min_headroom(const struct dl *d, int client)
{
	int64_t best = -1;

	for (int v = 0; v < EVSET_BITS; v++) {
		int64_t h = dl_min_headroom(d, client, v);

		if (h >= 0 && (best < 0 || h < best))
			best = h;
	}
	return best;
}

/* NULL, not an empty histogram, when the client answered nothing. */
const struct hist *
dl_client_response(const struct dl *d, int client)
{
	const struct hist *h = stats_client_response(d->st, client);

	return hist_count(h) > 0 ? h : NULL;
}

const struct hist *
dl_queue_wait(const struct dl *d, int client)
{
	return d->cl[client].qwait;
}

const struct hist *
dl_syscall(const struct dl *d, int type)
{
	return type >= 0 && type < EVSET_BITS ?
	    stats_syscall_latency(d->st, type) : NULL;
}

/* ---- output ----------------------------------------------------------- */

static const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
static const char *const qnames[] = { "p50", "p90", "p99", "p99.9" };

static json_t *
lat_json(const struct hist *h)
{
	json_t *o = json_object();

	json_object_set_new(o, "count", json_integer(h != NULL ?
	    (json_int_t)hist_count(h) : 0));
	for (size_t i = 0; i < 4; i++)
		json_object_set_new(o, qnames[i], json_integer(h != NULL ?
		    hist_quantile(h, qs[i]) : -1));
	json_object_set_new(o, "max", json_integer(h != NULL ? hist_max(h) :
	    -1));
	return o;
}

static json_t *
types_json(const struct dl *d, int c)
{
	json_t *o = json_object();

	for (int v = 0; v < EVSET_BITS; v++) {
		const struct ct *x = ct_at(d, c, v);

		if (x == NULL || !evtype_is_auth(evtype_by_value(v)))
			continue;
		json_object_set_new(o, evtype_by_value(v)->name, json_pack(
		    "{s:I, s:I, s:I, s:I, s:I, s:o, s:I}",
		    "deadline", (json_int_t)dl_deadline(d, c, v),
		    "messages", (json_int_t)x->messages,
		    "misses", (json_int_t)x->misses,
		    "kills", (json_int_t)x->kills,
		    "min_headroom", (json_int_t)dl_min_headroom(d, c, v),
		    "response", lat_json(dl_response(d, c, v)),
		    "headroom_p1", (json_int_t)dl_headroom_quantile(d, c, v,
		    0.01)));
	}
	return o;
}

json_t *
dl_json(const struct dl *d)
{
	json_t *cl = json_object(), *sys = json_object();

	for (size_t c = 0; c < d->m->nclients; c++)
		json_object_set_new(cl, d->m->clients[c]->name, json_pack(
		    "{s:I, s:I, s:I, s:o, s:o, s:o}",
		    "misses", (json_int_t)d->cl[c].misses,
		    "kills", (json_int_t)d->cl[c].kills,
		    "restarts", (json_int_t)d->cl[c].restarts,
		    "response", lat_json(dl_client_response(d, (int)c)),
		    "queue_wait", lat_json(d->cl[c].qwait),
		    "types", types_json(d, (int)c)));
	for (int v = 0; v < EVSET_BITS; v++)
		if (dl_syscall(d, v) != NULL)
			json_object_set_new(sys, evtype_by_value(v)->name,
			    lat_json(dl_syscall(d, v)));
	return json_pack("{s:o, s:o}", "clients", cl, "syscalls", sys);
}

static const char *
dur(int64_t ns, char *buf)
{
	if (ns < 0)
		return "-";
	return units_format_duration(ns, buf, UNITS_DURATION_MAX);
}

void
dl_print(const struct dl *d, FILE *f)
{
	char a[UNITS_DURATION_MAX], b[UNITS_DURATION_MAX], c[UNITS_DURATION_MAX];
	char e[UNITS_DURATION_MAX];
	int header = 0;

	for (size_t k = 0; k < d->m->nclients; k++)
		for (int v = 0; v < EVSET_BITS; v++) {
			const struct ct *x = ct_at(d, (int)k, v);

			if (x == NULL || !evtype_is_auth(evtype_by_value(v)))
				continue;
			if (!header++)
				fprintf(f, "\ndeadlines (AUTH)     type       "
				    "deadline  messages misses kills  min "
				    "headroom  resp p99   headroom p1\n");
			fprintf(f, "  %-18s %-10s %8s %9" PRIu64 " %6" PRIu64
			    " %5" PRIu64 " %13s %9s %13s\n",
			    d->m->clients[k]->name, evtype_by_value(v)->name + 5,
			    dur(dl_deadline(d, (int)k, v), a), x->messages,
			    x->misses, x->kills,
			    dur(dl_min_headroom(d, (int)k, v), b),
			    dur(dl_response(d, (int)k, v) != NULL ?
			    hist_quantile(dl_response(d, (int)k, v), 0.99) : -1,
			    c),
			    dur(dl_headroom_quantile(d, (int)k, v, 0.01), e));
		}
	header = 0;
	for (size_t k = 0; k < d->m->nclients; k++) {
		const struct hist *h = d->cl[k].qwait;

		if (h == NULL)
			continue;
		if (!header++)
			fprintf(f, "\ndelivery queue wait      p50       p99     "
			    "p99.9       max\n");
		fprintf(f, "  %-18s %9s %9s %9s %9s\n", d->m->clients[k]->name,
		    dur(hist_quantile(h, 0.5), a), dur(hist_quantile(h, 0.99), b),
		    dur(hist_quantile(h, 0.999), c), dur(hist_max(h), e));
	}
}
