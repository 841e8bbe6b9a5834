/*
 * model-path.h - path specs (literal, "$path"/"$target", choice, zipf),
 * read for syscall actions, conditions and workload sources.  Private
 * to sim/model.
 */
#ifndef ESSIM_MODEL_MODEL_PATH_H
#define ESSIM_MODEL_MODEL_PATH_H

#include <jansson.h>

#include "model/mload.h"

/*
 * Read the path spec v (at the current pointer) into *ps.  has_msg says
 * whether the program reading it handles an ES message, i.e. whether
 * "$path" and "$target" mean anything.  Returns 0, or -1 with the
 * problems recorded.
 */
int	mload__pathspec(struct mload *ld, const json_t *v, int has_msg,
	    struct m_pathspec *ps);

/* A literal, absolute path string; 0 or -1 (recorded). */
int	mload__abspath(struct mload *ld, const json_t *v, const char **out);

#endif /* ESSIM_MODEL_MODEL_PATH_H */
