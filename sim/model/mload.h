/*
 * mload.h - the model loader's working state and its small helpers,
 * shared by the files that read each part of a model (model.c,
 * model-proc.c, model-client.c, model-program.c, model-cond.c,
 * model-path.c, model-workload.c, model-names.c).  Private to
 * sim/model: nothing outside it includes this header.
 *
 * The loader walks the JSON document (twice: declarations, then
 * everything), keeping the JSON pointer of the value it is looking at in
 * ld->ptr (mload__push / mload__pop), so that every helper reports at the
 * right place without being told.
 * Errors are collected, not returned: a helper that finds a problem
 * records it (mload__error) and tells its caller with -1, and the caller
 * carries on with the next value so that one run reports everything.
 * At the end the errors are sorted into document order (a pointer's
 * position in the document, parents before children) and copied to the
 * caller's struct diag.
 *
 * Value helpers (mload__v_*) read the value at the current pointer; key
 * helpers (mload__k_*) look a key up in an object, push it, read, pop,
 * and return 0 when the key is absent, 1 when read, -1 on error (the
 * output is untouched unless 1).
 */
#ifndef ESSIM_MODEL_MLOAD_H
#define ESSIM_MODEL_MLOAD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/evtype.h"
#include "model/model.h"

#define MLOAD_PTR_MAX	1024

/* One collected error and where it sorts. */
struct mload_err {
	struct err	 e;
	char		*sortptr;	/* JSON pointer to sort by */
	size_t		 seq;		/* emission order: ties */
};

/* A lock use waiting for its process's lock array (see mload__finish). */
struct mload_lockref {
	struct m_action		*act;
	struct m_process	*proc;
	int			 idx;
};

/* Per-process list of lock names while loading. */
struct mload_locks {
	const char	**names;
	size_t		  n, alloc;
};

struct mload {
	struct model		*m;
	struct arena		*a;
	const char		*file;
	char			 ptr[MLOAD_PTR_MAX];
	size_t			 ptrlen;

	struct mload_err	*errs;
	size_t			 nerrs, errs_alloc;

	/*
	 * Capacities of the model's growable arrays (m->procs, ...), and the
	 * lock lists that mload__finish() turns into per-process arrays.
	 */
	size_t			 procs_alloc, clients_alloc;
	size_t			 daemons_alloc;
	size_t			 flags_alloc, dists_alloc;
	struct mload_locks	*locks;		/* by process id */
	size_t			 locks_alloc;
	struct mload_lockref	*lockrefs;
	size_t			 nlockrefs, lockrefs_alloc;
};

void	mload__init(struct mload *ld, struct model *m, const char *file);
/*
 * Sort the errors into document order (root is the parsed document) and
 * append them to d; the error list is emptied.
 */
void	mload__flush(struct mload *ld, json_t *root, struct diag *d);

/* The pointer: push a key or an index, pop back to a mark. */
size_t	mload__push(struct mload *ld, const char *key);
size_t	mload__push_index(struct mload *ld, size_t i);
void	mload__pop(struct mload *ld, size_t mark);
/* An arena copy of the current pointer. */
const char *mload__ptr_dup(struct mload *ld);

/* Record an error at the current pointer. */
void	mload__error(struct mload *ld, const char *fmt, ...)
	    ESSIM_PRINTF(2, 3);
/* Record an error at the current pointer plus key. */
void	mload__error_key(struct mload *ld, const char *key,
	    const char *fmt, ...) ESSIM_PRINTF(3, 4);
/* Record e, filling in the file and current pointer if it has none. */
void	mload__error_err(struct mload *ld, const struct err *e);
size_t	mload__nerrors(const struct mload *ld);

/* Arena allocation (zeroed) and copies. */
void	*mload__alloc(struct mload *ld, size_t size);
void	*mload__calloc(struct mload *ld, size_t n, size_t size);
const char *mload__strdup(struct mload *ld, const char *s);

/*
 * The closest of the NULL-terminated candidates to s by edit distance,
 * or NULL when none is close enough to be a likely typo.
 */
const char *mload__suggest(const char *s, const char *const *cand);
/* Same over an array of n names; NULL entries are skipped. */
const char *mload__suggest_in(const char *s, const char *const *names,
	    size_t n);

/*
 * Check that obj (at the current pointer) is an object whose keys are all
 * in known (NULL-terminated); each unknown key is an error at its own
 * pointer, with a suggestion when one is close.  Returns -1 if obj is not
 * an object (reported), else the number of unknown keys.
 */
int	mload__keys(struct mload *ld, const json_t *obj,
	    const char *const *known);
/* Report "missing required key" if key is absent; -1 then, else 0. */
int	mload__require(struct mload *ld, const json_t *obj, const char *key);

/* Type check at the current pointer: 0 or -1 (reported). */
int	mload__v_type(struct mload *ld, const json_t *v, json_type t);
int	mload__v_str(struct mload *ld, const json_t *v, const char **out);
int	mload__v_bool(struct mload *ld, const json_t *v, int *out);
int	mload__v_int(struct mload *ld, const json_t *v, long long lo,
	    long long hi, long long *out);
/* Any JSON number. */
int	mload__v_num(struct mload *ld, const json_t *v, double *out);
/* A plain duration (no distribution), >= 0. */
int	mload__v_dur(struct mload *ld, const json_t *v, int64_t *out);
/* A duration or distribution, allocated and owned by the model. */
struct dist *mload__v_dist(struct mload *ld, const json_t *v);
/*
 * An event type name ("AUTH_OPEN" or "ES_EVENT_TYPE_AUTH_OPEN"), with a
 * suggestion when it is unknown; reserved values are refused.
 */
const struct evtype *mload__evtype(struct mload *ld, const char *s);
const struct evtype *mload__v_evtype(struct mload *ld, const json_t *v);
/* A list of event type names into *set; 0 or -1 (some were bad). */
int	mload__v_evlist(struct mload *ld, const json_t *v,
	    struct evset *set);

int	mload__k_str(struct mload *ld, const json_t *obj, const char *key,
	    const char **out);
int	mload__k_bool(struct mload *ld, const json_t *obj, const char *key,
	    int *out);
int	mload__k_int(struct mload *ld, const json_t *obj, const char *key,
	    long long lo, long long hi, long long *out);
int	mload__k_dur(struct mload *ld, const json_t *obj, const char *key,
	    int64_t *out);
/* A string that must be one of names (NULL-terminated); *out its index. */
int	mload__k_enum(struct mload *ld, const json_t *obj, const char *key,
	    const char *const *names, int *out);

#endif /* ESSIM_MODEL_MLOAD_H */
