/*
 * synth.h - synthetic traces: a small JSON spec of a process tree and its
 * activity, written out as eslogger(1) JSON Lines.
 *
 * A spec (docs/traces.md) names process templates (executable, signing,
 * threads, lifetime), the events each instance raises (open, close,
 * rename... at a rate, over path distributions: literal, choice, zipf,
 * seq), the children each instance spawns (fork + exec at a rate, from a
 * given time, up to a count), and the roots alive at time 0.  Bursts -
 * build storms, Spotlight reindexing, boot - are spawn rules and event
 * rates with on/off phases.
 *
 * The output is what eslogger prints for NOTIFY events: the same
 * envelope, keys and nesting as the real recordings in
 * tests/data/traces/eslogger/, one object per line, so the one reader
 * (trace/eslogger.h) and the trace store serve real and synthetic traces
 * alike.  Same spec and seed give a byte-identical file; generation
 * streams in time order with memory bounded by the processes alive, not
 * by the duration.
 */
#ifndef ESSIM_TRACE_SYNTH_H
#define ESSIM_TRACE_SYNTH_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "core/err.h"

#define SYNTH_FORMAT_VERSION	1	/* the spec's "synth" key */

struct synth;

/*
 * Load and validate the spec in file.  Returns NULL when anything is
 * wrong, with every problem appended to d as "file: /json/pointer:
 * message" (a JSON syntax error as "file:line:col: message").
 */
struct synth	*synth_load(const char *file, struct diag *d);

/*
 * The same from a parsed document (tests); file names it in messages and
 * dir is where empirical distribution files resolve.  doc is borrowed.
 */
struct synth	*synth_load_json(const json_t *doc, const char *file,
		    const char *dir, struct diag *d);

void		 synth_free(struct synth *s);

/* The spec's seed and duration (ns). */
uint64_t	 synth_seed(const struct synth *s);
int64_t		 synth_duration(const struct synth *s);

struct synth_stats {
	uint64_t	 events;	/* lines written */
	uint64_t	 bytes;
	uint64_t	 processes;	/* instances, roots included */
	uint64_t	 refused;	/* spawns past max_processes */
	uint64_t	 peak_alive;	/* processes alive at once */
};

/* Overrides of the spec's own values. */
struct synth_opts {
	int		 has_seed;
	uint64_t	 seed;
	int64_t		 duration;	/* ns; <= 0: the spec's */
};

#define SYNTH_OPTS_INIT	{ 0, 0, 0 }

/*
 * Generate the trace and write it to out; o may be NULL.  Returns 0, or
 * -1 with e set when writing failed.  st may be NULL.  Cost: O(events
 * log pending); memory O(alive processes x their rules).
 */
int		 synth_write(const struct synth *s, const struct synth_opts *o,
		    FILE *out, struct synth_stats *st, struct err *e);

#endif /* ESSIM_TRACE_SYNTH_H */
