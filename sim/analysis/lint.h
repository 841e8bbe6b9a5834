/*
 * lint.h - the static linter: what can go wrong in a model, found from
 * its structure alone, without simulating (`essim lint`).
 *
 * Errors: static cycles (ES callback deadlocks between clients, daemons,
 * queues and locks), dispatch_sync onto a queue the thread already runs
 * on, lock-order inversions and re-taking a held lock.  Warnings: AUTH
 * handlers that can end without answering, retained messages never
 * answered, subscriptions nothing handles, handlers for types not
 * subscribed, answers a message type does not take, locks left held or
 * released unheld, flags nobody sets, and answers that wait on nested
 * messages of their own kind without end.  lint.c states the exact
 * rules; docs/findings.md explains each finding for users.
 */
#ifndef ESSIM_ANALYSIS_LINT_H
#define ESSIM_ANALYSIS_LINT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "model/model.h"

/* In the order findings are listed (errors first). */
enum lint_kind {
	LINT_STATIC_CYCLE,
	LINT_SYNC_ON_OWN_QUEUE,
	LINT_LOCK_ORDER_INVERSION,
	LINT_RECURSIVE_LOCK,
	LINT_NO_RESPONSE,
	LINT_RETAINED_NEVER_ANSWERED,
	LINT_UNHANDLED_SUBSCRIPTION,
	LINT_HANDLER_NOT_SUBSCRIBED,
	LINT_RESPOND_ON_NOTIFY,
	LINT_RESPOND_FLAGS_NOT_OPEN,
	LINT_LOCK_NOT_RELEASED,
	LINT_UNLOCK_NOT_HELD,
	LINT_FLAG_NEVER_SET,
	LINT_RECURSIVE_WAIT,
	LINT_NKINDS
};

enum lint_severity { LINT_ERROR, LINT_WARNING };

/* One step of a cycle, in the order the scenario tells it. */
struct lint_step {
	char	*who;	/* the actor that waits */
	char	*where;	/* JSON pointer of the action ("" if none) */
	char	*what;	/* what it does and waits for */
};

struct lint_finding {
	enum lint_kind		 kind;
	enum lint_severity	 severity;
	char			*message;	/* one line */
	char			**ptrs;		/* JSON pointers; [0] primary */
	size_t			 nptrs;
	/* Cycles only (nsteps == 0 otherwise). */
	struct lint_step	*steps;
	size_t			 nsteps;
	char			*scenario;	/* numbered steps, as text */
};

struct lint_result {
	struct lint_finding	*v;		/* sorted: see lint_model */
	size_t			 n, alloc;
	size_t			 nerrors, nwarnings;
	size_t			 nclasses;	/* nodes of the class graph */
	size_t			 ndeps;		/* its edges */
	int			 truncated;	/* cycle search hit its cap */
	size_t			 max_cycles;
	/* First program nested deeper than LINT_NEST_MAX (not followed). */
	char			*too_deep;
};

#define LINT_RESULT_INIT	{ NULL, 0, 0, 0, 0, 0, 0, 0, 0, NULL }

/* Programs nested deeper than this (sync in if in repeat ...) are not
 * followed: no real model comes near, and the walk is recursive. */
#define LINT_NEST_MAX	100

/* Default cap on the cycles one model reports. */
#define LINT_MAX_CYCLES	100

struct lint_opts {
	size_t	max_cycles;	/* cap of the cycle search (0: default) */
};

/*
 * Lint the loaded model m into r (initialised with LINT_RESULT_INIT or
 * released).  Findings are sorted by severity, kind, number of steps
 * (shortest cycle first), primary pointer and message, so the result
 * depends on the model alone.  opts may be NULL.
 * Cost: linear in the model's programs times the message contexts the
 * linter follows, plus the cycle search (capped).
 */
void	lint_model(const struct model *m, const struct lint_opts *opts,
	    struct lint_result *r);
void	lint_result_release(struct lint_result *r);

/*
 * Print r for people: per finding "FILE: POINTER: SEVERITY: MESSAGE
 * [KIND]" and, for cycles, the scenario indented below; then one line
 * "FILE: N errors, M warnings" (after a note when the cycle search was
 * capped or a program was nested too deep to follow).
 */
void	lint_print(const struct lint_result *r, const char *file, FILE *f);

/*
 * r as JSON: {"file", "errors", "warnings", "classes", "dependencies",
 * "truncated", "too_deep" (a pointer or null), "findings": [{"kind",
 * "severity", "message", "pointers", "steps": [{"who", "where",
 * "what"}], "scenario"}]}.  Returns a new reference.
 */
json_t	*lint_json(const struct lint_result *r, const char *file);

const char	*lint_kind_name(enum lint_kind k);	/* "static_cycle" */
const char	*lint_severity_name(enum lint_severity s); /* "error" */
enum lint_severity lint_kind_severity(enum lint_kind k);

/*
 * For the linter's own files (lint-walk.c): add a finding unless one of
 * the same kind at the same primary pointer exists; the message is
 * printf-formatted, ptr2 may be NULL.  Returns the finding or NULL when
 * it was a duplicate.
 */
struct lint_finding *lint__add(struct lint_result *r, enum lint_kind k,
	    const char *ptr, const char *ptr2, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

#endif /* ESSIM_ANALYSIS_LINT_H */
