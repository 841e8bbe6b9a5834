/*
 * sweep-merge.h - join results databases whose runs are disjoint: the
 * parts that a sweep's workers wrote, or the shards of a sweep that ran
 * on several machines (`essim merge`).
 *
 * Every table of the results schema but meta and sweep is keyed by
 * run_id (docs/results-schema.md), so joining is a merge of sorted row
 * streams: for each table, the rows of every source are read in primary
 * key order and written to the destination in that same order.  The
 * destination therefore holds the same rows, in the same order (rowids
 * included), however the runs were split between sources and whatever
 * order the sources are given in.
 *
 * Cost: O(rows x log sources) reads and one insert per row, in one
 * transaction; memory is one row per source.
 */
#ifndef ESSIM_OUT_SWEEP_MERGE_H
#define ESSIM_OUT_SWEEP_MERGE_H

#include <stddef.h>

#include <sqlite3.h>

#include "core/err.h"

/*
 * One run-keyed table of the schema: its name, its column count, the
 * index of its run_id column and its ORDER BY clause (its primary key,
 * run_id first; "run_id, rowid" for a table without one).
 */
struct smerge_table {
	char	*name;
	int	 ncols;
	int	 runcol;
	char	*order;
};

/*
 * The tables of db keyed by run (all but meta and sweep), "run" first,
 * then in the order they were created.  0, or -1 (a table without
 * run_id) / -2 (SQLite) with e set; *ts is then still to be freed.
 */
int	smerge_list_tables(sqlite3 *db, struct smerge_table **ts, size_t *n,
	    struct err *e);
void	smerge_free_tables(struct smerge_table *ts, size_t n);

/*
 * Copy the run-keyed tables of srcs[0..n) (names[i] names srcs[i] in
 * messages) into dst, which has the same schema and no runs.  A run_id
 * found in two sources is an error ("run 17 is in both a.db and b.db").
 * Runs a transaction of its own on dst: on error nothing is kept.
 * Returns 0, or -1 (bad input: overlapping runs, a table missing) or -2
 * (SQLite failed) with e set.
 */
int	smerge_tables(sqlite3 *dst, sqlite3 *const *srcs,
	    const char *const *names, size_t n, struct err *e);

/*
 * `essim merge`: join the shard databases srcs[0..n) into a new database
 * out (which must not exist, unless force and it is an essim results
 * database).  Checks first that every source is a sweep database of this
 * schema version, that all describe the same grid and model (the sweep
 * table's grid text), that no shard comes twice, and that each shard
 * holds every run it should, all complete.  out is written under a
 * temporary name and renamed when complete.  Merging merged databases
 * works the same way (their shards are carried along).  Returns 0, -1
 * (bad input: exit 2) or -2 (system or SQLite: exit 3) with e set.
 * Sets *nshards_seen and *nshards_total (either may be NULL) so the
 * caller can say when shards are still missing.
 */
int	smerge_shards(const char *out, const char *const *srcs, size_t n,
	    int force, size_t *nshards_seen, size_t *nshards_total,
	    struct err *e);

#endif /* ESSIM_OUT_SWEEP_MERGE_H */
