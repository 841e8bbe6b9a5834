/*
 * model-proc.h - what every process has (identity, GCD queues) and the
 * "processes" and "daemons" sections.  Private to sim/model.
 */
#ifndef ESSIM_MODEL_MODEL_PROC_H
#define ESSIM_MODEL_MODEL_PROC_H

#include <jansson.h>

#include "model/mload.h"

/*
 * Declaration pass: create the process called name of kind k (with its
 * m_client or m_daemon, its queue names and its service names) from obj,
 * its declaration.  Reports an empty or duplicate name.
 */
void	mload__declare(struct mload *ld, enum m_proc_kind k,
	    const char *name, const json_t *obj);

/* path, signing_id, team_id, is_platform of any declared process. */
void	mload__identity(struct mload *ld, struct m_process *p,
	    const json_t *obj);
/* The attributes of p's queues, from obj["queues"] (may be absent). */
void	mload__queues(struct mload *ld, struct m_process *p,
	    const json_t *obj);

/* Second pass over the "processes" and "daemons" sections. */
void	mload__processes(struct mload *ld, const json_t *v);
void	mload__daemons(struct mload *ld, const json_t *v);

#endif /* ESSIM_MODEL_MODEL_PROC_H */
