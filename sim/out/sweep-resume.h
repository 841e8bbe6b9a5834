/*
 * sweep-resume.h - whether a sweep's database can be resumed by a
 * command, and which of its runs it already holds.
 *
 * A database can be resumed by the command that made it: the same model
 * (by the SHA-256 of its canonical JSON), grid, seeds and options, which
 * is the sweep table's grid text (sweep_grid_text()), and the same
 * shard.  When they differ the error says what differs, in the command
 * line's terms ("--seeds was 10, now 20"; "the model is not the one it
 * was made with").
 */
#ifndef ESSIM_OUT_SWEEP_RESUME_H
#define ESSIM_OUT_SWEEP_RESUME_H

#include <stdint.h>

#include "core/err.h"
#include "out/sweep-out.h"

/*
 * Check that the database at path holds a sweep of plan pl (its grid
 * text, shard and shards; pl->path is not used) and set have[i] to 1 for
 * each run pl->runs[i] that it holds complete (others to 0).  Returns 0,
 * or RES_EINPUT (not a sweep of this plan, a run that is not the plan's)
 * or RES_EIO with e set.  Cost: one pass over its run table.
 */
int	sresume_read(const char *path, const struct sout_plan *pl,
	    uint8_t *have, struct err *e);

#endif /* ESSIM_OUT_SWEEP_RESUME_H */
