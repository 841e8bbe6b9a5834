/*
 * model-names.h - processes, locks and flags by name, while a model
 * loads.  Private to sim/model.
 */
#ifndef ESSIM_MODEL_MODEL_NAMES_H
#define ESSIM_MODEL_MODEL_NAMES_H

#include "model/mload.h"

/* Entities by name (NULL if none); O(n). */
struct m_process *mload__find_process(struct mload *ld, const char *name);
/*
 * The process called name, created undeclared (with default attributes)
 * if nothing declares it.
 */
struct m_process *mload__process_ref(struct mload *ld, const char *name);
/* Create a process (kind and declared set by the caller). */
struct m_process *mload__new_process(struct mload *ld, const char *name);
/* Default executable path of a process of that kind and name. */
const char *mload__default_path(struct mload *ld, enum m_proc_kind k,
	    const char *name);

/* The lock name of proc used by act (act->u.lock is set by finish). */
void	mload__lock_ref(struct mload *ld, struct m_process *proc,
	    struct m_action *act, const char *name);
/* The model flag called name, created on first use. */
const struct m_flag *mload__flag(struct mload *ld, const char *name);

/*
 * Build each process's lock array and point every lock action at its
 * entry; frees the loader's lists.  Called once, success or not.
 */
void	mload__finish(struct mload *ld);

#endif /* ESSIM_MODEL_MODEL_NAMES_H */
