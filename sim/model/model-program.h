/*
 * model-program.h - programs (lists of actions) and the conditions of
 * "if", read with the context that decides which actions are legal and
 * where names resolve.  Private to sim/model.
 */
#ifndef ESSIM_MODEL_MODEL_PROGRAM_H
#define ESSIM_MODEL_MODEL_PROGRAM_H

#include <jansson.h>

#include "model/mload.h"

/* Which kind of program is read: it decides what actions may appear. */
enum mload_where {
	MLOAD_PROCESS,		/* processes.NAME.program */
	MLOAD_INIT,		/* clients.NAME.init */
	MLOAD_HANDLER,		/* clients.NAME.handler.TYPE, .default */
	MLOAD_SERVICE		/* daemons.NAME.services.NAME */
};

struct mload_prog {
	enum mload_where	 where;
	struct m_process	*proc;	/* owner: queues, locks resolve here */
	const struct evtype	*type;	/* HANDLER: its type; NULL: default */
};

/* Whether programs of this context handle an ES message ("$path"...). */
int	mload__prog_has_msg(const struct mload_prog *ctx);

/*
 * Read the program v (an array of actions, at the current pointer) into
 * *out; nested programs ("do", "then", "else") keep the same context.
 * Returns 0, or -1 with every problem recorded.
 */
int	mload__program(struct mload *ld, const struct mload_prog *ctx,
	    const json_t *v, struct m_program *out);

/*
 * The program under key in obj, if any (0: absent, 1: read, -1: bad);
 * required says whether a missing key is an error.
 */
int	mload__k_program(struct mload *ld, const struct mload_prog *ctx,
	    const json_t *obj, const char *key, int required,
	    struct m_program *out);

#endif /* ESSIM_MODEL_MODEL_PROGRAM_H */
