/*
 * stats.h - the basic run counters: a probe listener that counts what
 * `essim run` summarises, and prints it as text or JSON.
 *
 * It knows the world only through the probe bus (es/probe.h) and the model
 * (for names): per client, messages delivered, response times (kept per
 * event type too), deadline misses, kills and restarts; per process,
 * threads alive at peak (all
 * threads, and workqueue threads alone) and crashes; per syscall type,
 * count, denials and latency (from the syscall to its completion: the
 * verdict for AUTH); and findings so far (kills, sync crashes, spinning
 * threads), the first STATS_MAX_FINDINGS of them kept, the rest counted.
 * Memory is bounded by the model: arrays sized by it, and one histogram
 * per client, per (client, type) answered and per syscall type seen, the
 * last two made on first use.
 *
 * The JSON keys and the text summary are documented in docs/simulation.md;
 * the results database (sim/out/results-rec.h) reads the counters through
 * the accessors below and writes them (docs/results-schema.md).
 */
#ifndef ESSIM_ANALYSIS_STATS_H
#define ESSIM_ANALYSIS_STATS_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "es/probe.h"
#include "model/model.h"

#define STATS_MAX_FINDINGS	1000

struct stats;
struct hist;

/* What the caller knows of the run (not from probes). */
struct stats_run {
	const char	*model_file;
	uint64_t	 seed;
	int64_t		 duration_ns;	/* the end time asked for */
	int64_t		 sim_ns;	/* virtual time reached */
	uint64_t	 events;	/* engine events run */
	double		 wall_s;	/* wall-clock seconds of the run */
};

/* A listener for model m on bus; m must outlive it. */
struct stats	*stats_new(const struct model *m, struct probe_bus *bus);
void		 stats_free(struct stats *s);

/* The whole summary as one JSON object (new reference). */
json_t		*stats_json(const struct stats *s, const struct stats_run *r);

/* The readable summary. */
void		 stats_print(const struct stats *s, const struct stats_run *r,
		    FILE *f);

/* Counters, for tests. */
uint64_t	 stats_client_kills(const struct stats *s, int client);
uint64_t	 stats_client_restarts(const struct stats *s, int client);
uint64_t	 stats_client_misses(const struct stats *s, int client);
uint64_t	 stats_client_messages(const struct stats *s, int client);
/* Events a full delivery queue dropped (limits.max_delivery_queue);
 * *auth (may be NULL) gets how many of them were AUTH. */
uint64_t	 stats_client_drops(const struct stats *s, int client,
		    uint64_t *auth);
uint64_t	 stats_syscalls(const struct stats *s, int evtype_value);
size_t		 stats_nfindings(const struct stats *s);

/* The values behind the summary, for the results database.  Histograms
 * are NULL when nothing was recorded (a syscall type never seen). */
uint64_t	 stats_client_auth_messages(const struct stats *s, int client);
const struct hist *stats_client_response(const struct stats *s, int client);
/* Response times of one (client, event type value); NULL when none (or
 * out of range).  The deadline analysis shares these. */
const struct hist *stats_response(const struct stats *s, int client,
		    int evtype_value);
int		 stats_proc_peak(const struct stats *s, int proc);
int		 stats_proc_pool_peak(const struct stats *s, int proc);
uint64_t	 stats_proc_crashes(const struct stats *s, int proc);
uint64_t	 stats_syscall_denied(const struct stats *s, int evtype_value);
const struct hist *stats_syscall_latency(const struct stats *s,
		    int evtype_value);
uint64_t	 stats_cache_hits(const struct stats *s);
uint64_t	 stats_early_boot_timeouts(const struct stats *s);

/* One kept finding (kill, sync_crash, spin), valid while s lives. */
struct stats_finding {
	const char	*kind;
	int64_t		 t;
	int		 process;	/* model id, -1 none */
	int		 client;	/* model id, -1 none */
	const char	*detail;
};

/* Fill *out with kept finding i (time order); 0 when i is past them. */
int		 stats_finding(const struct stats *s, size_t i,
		    struct stats_finding *out);
/* Findings past the first STATS_MAX_FINDINGS, counted only. */
uint64_t	 stats_findings_dropped(const struct stats *s);

#endif /* ESSIM_ANALYSIS_STATS_H */
