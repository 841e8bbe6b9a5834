/*
 * stats.h - the basic run counters: a probe listener that counts what
 * `essim run` summarises, and writes it as text, JSON or SQLite.
 *
 * It knows the world only through the probe bus (es/probe.h) and the model
 * (for names): per client, messages delivered, response times, deadline
 * misses, kills and restarts; per process, threads alive at peak (all
 * threads, and workqueue threads alone) and crashes; per syscall type,
 * count, denials and latency (from the syscall to its completion: the
 * verdict for AUTH); and findings so far (kills, sync crashes, spinning
 * threads), the first STATS_MAX_FINDINGS of them kept, the rest counted.
 * Memory is fixed once the listener exists: histograms and arrays sized by
 * the model.
 *
 * The JSON keys, the text summary and the SQLite tables are documented in
 * docs/simulation.md.
 */
#ifndef ESSIM_ANALYSIS_STATS_H
#define ESSIM_ANALYSIS_STATS_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "core/err.h"
#include "es/probe.h"
#include "model/model.h"

#define STATS_MAX_FINDINGS	1000
#define STATS_SCHEMA_VERSION	1

struct stats;

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

/*
 * Write the summary to a new SQLite database at path (replacing any file
 * there only once the new one is complete).  Returns 0, or -1 with e set.
 */
int		 stats_write_db(const struct stats *s, const struct stats_run *r,
		    const char *path, struct err *e);

/* Counters, for tests. */
uint64_t	 stats_client_kills(const struct stats *s, int client);
uint64_t	 stats_client_restarts(const struct stats *s, int client);
uint64_t	 stats_client_misses(const struct stats *s, int client);
uint64_t	 stats_client_messages(const struct stats *s, int client);
uint64_t	 stats_syscalls(const struct stats *s, int evtype_value);
size_t		 stats_nfindings(const struct stats *s);

#endif /* ESSIM_ANALYSIS_STATS_H */
