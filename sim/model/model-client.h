/*
 * model-client.h - the "clients" section.  Private to sim/model.
 */
#ifndef ESSIM_MODEL_MODEL_CLIENT_H
#define ESSIM_MODEL_MODEL_CLIENT_H

#include <jansson.h>

#include "model/mload.h"

/* Second pass over "clients" (v, at the current pointer). */
void	mload__clients(struct mload *ld, const json_t *v);

#endif /* ESSIM_MODEL_MODEL_CLIENT_H */
