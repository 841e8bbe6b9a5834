/*
 * sweep.h - `essim sweep`: run a model over a parameter grid and seeds,
 * in parallel worker processes, into one results database.
 *
 * Runs: grid point p (sweep-grid.h) with seed index s (0 <= s < seeds)
 * is run index r = p x seeds + s, stored as run_id r + 1 with run.point
 * = p and seed base + s, where base is --seed or the point's model's
 * "seed".  A shard K/N runs the r with r % N == K - 1.  The database
 * holds the same rows whatever -j and whatever split produced it: the
 * workers' runs are copied in run order (sweep-out.h), and the
 * only rows that say how the sweep was split are those of the sweep
 * table (shard, shards).  Wall-clock columns (run.wall_s,
 * run.started_utc) vary as always.
 *
 * Before anything runs every grid point is patched and loaded: a point
 * whose model does not load is reported with its values and the model's
 * own messages, and nothing runs.
 *
 * The output is created before the first run, marked incomplete, and
 * filled in run order while the workers run (sweep-out.h).  A sweep that
 * stops early (a signal, a failed run) leaves it consistent: the runs
 * that completed, and meta rows saying which are missing.  --resume runs
 * only those, for the same plan (the sweep table's grid text, which holds
 * the model's SHA-256), and ends with the same rows as a sweep that was
 * never interrupted: the resumed database is rebuilt beside the old one,
 * in run order, and renamed over it.
 */
#ifndef ESSIM_OUT_SWEEP_H
#define ESSIM_OUT_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "out/sweep-grid.h"

struct sweep_opts {
	const char		*model_file;
	const struct sg_grid	*grid;
	uint64_t		 seeds;		/* seeds per point, >= 1 */
	int			 has_seed;	/* else each point's model's */
	uint64_t		 seed;
	int64_t			 duration;	/* ns; <= 0: the model's */
	int64_t			 sample_ns;	/* series interval; 0: none */
	size_t			 max_events;	/* 0: no cap */
	unsigned		 jobs;		/* worker processes, >= 1 */
	struct sg_shard		 shard;		/* {1, 1}: the whole grid */
	const char		*out;
	int			 force;		/* replace an essim database */
	int			 resume;	/* run what out lacks */
	int			 progress;	/* progress line on stderr */
};

struct sweep_summary {
	uint64_t	 points;
	uint64_t	 runs;		/* in the whole grid */
	uint64_t	 runs_here;	/* in this shard */
	unsigned	 workers;
	double		 wall_s;
	uint64_t	 runs_run;	/* run by this command */
	uint64_t	 runs_kept;	/* in the output at the end */
	int		 signal;	/* that interrupted it, or 0 */
	double		 cpu_self_s;	/* CPU time of this process */
	double		 cpu_workers_s;	/* and of its workers */
};

enum {
	SWEEP_OK = 0,
	SWEEP_EINPUT = -1,	/* bad model, grid, output file: exit 2 */
	SWEEP_EIO = -2,		/* a run or the system failed: exit 3 */
	SWEEP_EINTR = -3	/* interrupted: exit 128 + sum.signal */
};

/*
 * Validate, run and write the sweep o describes.  Problems are appended
 * to d (each a full line: every failing grid point is named with its
 * values; a sweep that stopped early ends with a line saying what out
 * keeps and how to finish it).  Under o->resume, out must be the
 * database of the same plan and shard ("cannot resume: --seeds was 10,
 * now 20" otherwise, SWEEP_EINPUT) and only its missing runs run.
 * sum may be NULL.
 */
int	sweep_run(const struct sweep_opts *o, struct diag *d,
	    struct sweep_summary *sum);

/*
 * The grid text stored in the sweep table: what identifies a sweep, so
 * that shards of the same sweep have equal texts (the model by the
 * SHA-256 of its canonical JSON, the axes, seeds and options).  Newly
 * allocated.
 */
char	*sweep_grid_text(const struct sweep_opts *o, const json_t *base);

#endif /* ESSIM_OUT_SWEEP_H */
