/*
 * results-rec.c - one run into the results database; see results-rec.h.
 *
 * During the run the sampler and the event log write as probes arrive.
 * At the end the values are written in a fixed order, every loop over
 * model ids or event type values, so the rows are the same on every
 * machine: counters (clients, processes, syscall types), incidents,
 * flags, findings with their steps, then histograms.  The histograms
 * come from the analyses (analysis/deadline.h) when they are attached,
 * else from the run counters (response per client, syscall latency per
 * type only).
 *
 * Flags are always recorded: a listener on FLAG_SET alone costs nothing
 * while no program sets a flag, and a flag is set a handful of times per
 * run.  A flag is never cleared, so its first set is the one that
 * matters (what `order` expectations compare); later sets are counted.
 */
#include <stdlib.h>

#include "analysis/hist.h"
#include "core/evtype.h"
#include "core/xalloc.h"
#include "out/results-log.h"
#include "out/results-rec.h"
#include "out/results-sample.h"

/* What became of one flag of the model. */
struct rec_flag {
	int64_t		 first;		/* -1: never set */
	int		 process;	/* who set it first; -1 none */
	uint64_t	 sets;
};

struct res_rec {
	struct res_run		*r;
	struct world		*w;
	const struct model	*m;
	struct res_sampler	*sampler;
	struct res_log		*log;
	struct rec_flag		*flags;		/* m->nflags */
};

int64_t
res_default_sample(int64_t duration)
{
	int64_t i = duration / 1000;

	return i < 1000 ? 1000 : i;
}

static void
on_flag(void *arg, const struct probe_ev *ev)
{
	struct res_rec *rec = arg;
	struct rec_flag *f;

	if (ev->obj.kind != PROBE_OBJ_FLAG || ev->obj.id >= rec->m->nflags)
		return;
	f = &rec->flags[ev->obj.id];
	if (f->first < 0) {
		f->first = ev->t;
		f->process = ev->process;
	}
	f->sets++;
}

struct res_rec *
res_rec_attach(struct res_run *r, struct world *w, int64_t sample_ns,
    int event_log)
{
	struct res_rec *rec = xcalloc(1, sizeof(*rec));

	rec->r = r;
	rec->w = w;
	rec->m = world_model(w);
	rec->flags = xcalloc(rec->m->nflags + 1, sizeof(*rec->flags));
	for (size_t i = 0; i < rec->m->nflags; i++) {
		rec->flags[i].first = -1;
		rec->flags[i].process = -1;
	}
	probe_listen(world_bus(w), PROBE_BIT(PROBE_FLAG_SET), on_flag, rec);
	if (sample_ns > 0)
		rec->sampler = res_sampler_new(r, rec->m, world_bus(w),
		    sample_ns);
	if (event_log)
		rec->log = res_log_new(r, rec->m, world_bus(w));
	return rec;
}

static void
rec_free(struct res_rec *rec)
{
	res_sampler_free(rec->sampler);
	res_log_free(rec->log);
	free(rec->flags);
	free(rec);
}

static const char *
proc_name(const struct model *m, int id)
{
	return id >= 0 && (size_t)id < m->nprocs ? m->procs[id]->name : NULL;
}

static const char *
client_name(const struct model *m, int id)
{
	return id >= 0 && (size_t)id < m->nclients ? m->clients[id]->name :
	    NULL;
}

static void
write_counters(struct res_rec *rec, const struct stats *st, struct an *an)
{
	const struct model *m = rec->m;
	const struct dl *dl = an != NULL ? an_deadline(an) : NULL;
	const struct pm *pm = an != NULL ? an_poolmon(an) : NULL;

	for (size_t i = 0; i < m->nclients; i++)
		res_client_stats(rec->r, m->clients[i]->name,
		    stats_client_messages(st, (int)i),
		    stats_client_auth_messages(st, (int)i),
		    stats_client_misses(st, (int)i),
		    stats_client_kills(st, (int)i),
		    stats_client_restarts(st, (int)i),
		    dl != NULL ? dl_client_min_headroom(dl, (int)i) : -1);
	for (size_t i = 0; i < m->nprocs; i++)
		res_process_stats(rec->r, m->procs[i]->name,
		    stats_proc_peak(st, (int)i),
		    stats_proc_pool_peak(st, (int)i),
		    stats_proc_crashes(st, (int)i),
		    pm != NULL ? pm_time_above(pm, (int)i) : 0,
		    pm != NULL ? pm_crossings(pm, (int)i) : 0);
	for (int v = 0; v < EVSET_BITS; v++)
		if (stats_syscalls(st, v) > 0)
			res_syscall_stats(rec->r, evtype_by_value(v)->name,
			    stats_syscalls(st, v), stats_syscall_denied(st, v));
}

static void
write_incidents(struct res_rec *rec, const struct stats *st)
{
	struct stats_finding f;

	for (size_t i = 0; stats_finding(st, i, &f); i++)
		res_incident(rec->r, f.kind, f.t, proc_name(rec->m, f.process),
		    client_name(rec->m, f.client), f.detail);
}

/* Every flag of the model, in model order (set or not). */
static void
write_flags(struct res_rec *rec)
{
	const struct model *m = rec->m;

	for (size_t i = 0; i < m->nflags; i++)
		res_flag(rec->r, m->flags[i]->name, rec->flags[i].first,
		    proc_name(m, rec->flags[i].process), rec->flags[i].sets);
}

static void
write_findings(struct res_rec *rec, struct an *an)
{
	const struct fd_list *l = an_findings(an);

	for (size_t i = 0; i < l->n; i++)
		res_finding(rec->r, l->v[i],
		    proc_name(rec->m, l->v[i]->process),
		    client_name(rec->m, l->v[i]->client));
}

/* Histograms from the analyses: per client, per (client, type), per type. */
static void
write_dl_hists(struct res_rec *rec, const struct dl *dl)
{
	const struct model *m = rec->m;

	for (size_t i = 0; i < m->nclients; i++) {
		const char *c = m->clients[i]->name;

		res_hist(rec->r, "response", c, NULL,
		    dl_client_response(dl, (int)i));
		res_hist(rec->r, "queue_wait", c, NULL,
		    dl_queue_wait(dl, (int)i));
		for (int v = 0; v < EVSET_BITS; v++) {
			const struct evtype *t = evtype_by_value(v);

			if (t == NULL || !evtype_is_auth(t) ||
			    !evset_has(&m->clients[i]->subscribe, v))
				continue;
			res_hist(rec->r, "response", c, t->name,
			    dl_response(dl, (int)i, v));
			res_hist_headroom(rec->r, c, t->name,
			    dl_deadline(dl, (int)i, v),
			    dl_response(dl, (int)i, v));
		}
	}
	for (int v = 0; v < EVSET_BITS; v++)
		if (dl_syscall(dl, v) != NULL)
			res_hist(rec->r, "syscall", NULL,
			    evtype_by_value(v)->name, dl_syscall(dl, v));
}

static void
write_stats_hists(struct res_rec *rec, const struct stats *st)
{
	const struct model *m = rec->m;

	for (size_t i = 0; i < m->nclients; i++)
		res_hist(rec->r, "response", m->clients[i]->name, NULL,
		    stats_client_response(st, (int)i));
	for (int v = 0; v < EVSET_BITS; v++)
		if (stats_syscall_latency(st, v) != NULL)
			res_hist(rec->r, "syscall", NULL,
			    evtype_by_value(v)->name,
			    stats_syscall_latency(st, v));
}

/* Everything recorded up to now; then end (complete) or stop the run. */
static int
rec_end(struct res_rec *rec, const struct stats *st, struct an *an,
    double wall_s, int complete, struct err *e)
{
	struct res_run *r = rec->r;
	struct res_run_end end;

	if (rec->sampler != NULL)
		res_sampler_finish(rec->sampler, world_now(rec->w));
	if (st != NULL) {
		write_counters(rec, st, an);
		write_incidents(rec, st);
	}
	write_flags(rec);
	if (an != NULL) {
		write_findings(rec, an);
		write_dl_hists(rec, an_deadline(an));
	} else if (st != NULL) {
		write_stats_hists(rec, st);
	}
	end.sim_ns = world_now(rec->w);
	end.events = world_events(rec->w);
	end.wall_s = wall_s;
	end.cache_hits = world_cache_hits(rec->w);
	end.early_boot_timeouts = world_early_boot_timeouts(rec->w);
	rec_free(rec);
	return complete ? res_run_end(r, &end, e) : res_run_stop(r, &end, e);
}

int
res_rec_finish(struct res_rec *rec, const struct stats *st, struct an *an,
    double wall_s, struct err *e)
{
	return rec_end(rec, st, an, wall_s, 1, e);
}

int
res_rec_stop(struct res_rec *rec, const struct stats *st, struct an *an,
    double wall_s, struct err *e)
{
	return rec_end(rec, st, an, wall_s, 0, e);
}

void
res_rec_abandon(struct res_rec *rec)
{
	struct res_run *r = rec->r;

	rec_free(rec);
	res_run_abandon(r);
}
