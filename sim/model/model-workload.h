/*
 * model-workload.h - the "workload" section.  Private to sim/model.
 */
#ifndef ESSIM_MODEL_MODEL_WORKLOAD_H
#define ESSIM_MODEL_MODEL_WORKLOAD_H

#include <jansson.h>

#include "model/mload.h"

/*
 * Read "workload" (w, at the current pointer): sources (stop defaults to
 * the model's duration, so read "duration" first) and trace.
 */
void	mload__workload(struct mload *ld, const json_t *w);

#endif /* ESSIM_MODEL_MODEL_WORKLOAD_H */
