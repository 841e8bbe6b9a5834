/*
 * model-cond.h - the conditions of "if".  Private to sim/model.
 */
#ifndef ESSIM_MODEL_MODEL_COND_H
#define ESSIM_MODEL_MODEL_COND_H

#include <jansson.h>

#include "model/mload.h"
#include "model/model-program.h"

/*
 * Read the condition v (at the current pointer) into *c, for a program
 * of context ctx (message conditions need a message).  Returns 0, or -1
 * with the problems recorded.
 */
int	mload__cond(struct mload *ld, const struct mload_prog *ctx,
	    const json_t *v, struct m_cond *c);

#endif /* ESSIM_MODEL_MODEL_COND_H */
