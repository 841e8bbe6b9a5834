/*
 * sweep-out.h - the database a sweep writes, filled in run order while
 * the workers are still running.
 *
 *	struct sout *s;
 *	sout_create(&plan, &s, &e);		(the file, every run missing)
 *	... fork the workers ...
 *	src = sout_source(s, "parts/part-0.db");
 *	sout_ready(s, i, src);			(run i is complete in src)
 *	sout_merge(s, 0, &e);			(copy the runs ready in order)
 *	...
 *	sout_merge(s, 1, &e);			(at the end: every ready run)
 *	sout_close(s, &e);
 *
 * A source is a results database of this schema version holding some of
 * the plan's runs, complete: a worker's part (which the worker may still
 * be writing: parts are in WAL mode, so reading one never blocks its
 * writer) or the output of an interrupted sweep being resumed.  Runs are
 * copied in the order of the plan, one transaction per batch, each table
 * in primary-key order (INSERT ... SELECT from the source, attached), so
 * the result holds the same rows in the same storage order as the k-way
 * merge of sweep-merge.h over the same runs.  sout_merge(s, 0) copies
 * only the ready runs that follow the last one copied without a gap, so
 * as long as no run is skipped the order is the plan's; sout_merge(s, 1)
 * copies every ready run, skipping the missing ones (an interrupted
 * sweep keeps all it has).
 *
 * While a run of the plan is missing, meta holds two rows more: key
 * 'sweep_status' = 'incomplete' and key 'sweep_missing' = the missing
 * run ids (docs/sweeps.md).  They are written with the first batch's
 * rows, in the same transaction as each batch, and deleted when the last
 * run is in: a complete sweep's database has exactly the rows it had
 * before these marks existed.  The database is therefore consistent, and
 * says what it lacks, after any crash.
 *
 * The connection is opened at the first sout_merge(), so that the caller
 * can fork between sout_create() and it holding no SQLite connection.
 */
#ifndef ESSIM_OUT_SWEEP_OUT_H
#define ESSIM_OUT_SWEEP_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* meta keys of an incomplete sweep. */
#define SOUT_STATUS_KEY		"sweep_status"
#define SOUT_MISSING_KEY	"sweep_missing"

struct sout_plan {
	const char	*path;		/* the database to create */
	int		 replace;	/* replace an essim database */
	const char	*grid;		/* the sweep row's grid text */
	int		 shard;		/* 0-based */
	int		 shards;
	const uint64_t	*runs;		/* run indices (run_id - 1), sorted */
	size_t		 nruns;
};

struct sout;

/*
 * Create the database of plan pl (res_open() under RES_CREATE or
 * RES_REPLACE, the sweep row, the marks) and close it again.  pl->runs
 * must stay valid until sout_close().  0, or RES_EINPUT (the file exists
 * or is not ours) / RES_EIO with e set.
 */
int	 sout_create(const struct sout_plan *pl, struct sout **out,
	    struct err *e);

/* Add the database at path as a source; returns its number.  No I/O. */
int	 sout_source(struct sout *s, const char *path);

/* Run pl->runs[i] is complete in source src. */
void	 sout_ready(struct sout *s, size_t i, int src);

/*
 * Copy the ready runs: those that follow the copied ones without a gap
 * (all = 0), or every one (all = 1).  0, or RES_EIO with e set (what
 * was committed before stays).  Cost: the runs' rows, read through the
 * primary keys, plus one pass over the plan per batch (the missing ids).
 */
int	 sout_merge(struct sout *s, int all, struct err *e);

/* Runs copied so far. */
size_t	 sout_nmerged(const struct sout *s);

/*
 * The missing run ids as text: ranges of the plan's runs, "3-7,12"; with
 * shards, "a-b" means every run id of the shard from a to b.  Newly
 * allocated; "" when none is missing.
 */
char	*sout_missing(const struct sout *s);

/*
 * Remove the marks if every run is in, close and free s (even on error).
 * 0, or RES_EIO with e set.
 */
int	 sout_close(struct sout *s, struct err *e);

#endif /* ESSIM_OUT_SWEEP_OUT_H */
