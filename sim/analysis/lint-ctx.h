/*
 * lint-ctx.h - the message a program handles, as far as the static
 * linter knows it, and the questions lint asks about a program in that
 * light: which branch an "if" takes, what the program reads of its
 * message, whether a respond, reply or set is still ahead.
 *
 * A handler runs for one ES message; the services it calls and the
 * blocks it dispatches see the same message ("$path" is its path).  lint
 * knows the type, and sometimes the acting process and the path
 * (lint-mute.h: a path is known, known by its prefix, or not known), and
 * answers every question with yes, no or maybe.
 */
#ifndef ESSIM_ANALYSIS_LINT_CTX_H
#define ESSIM_ANALYSIS_LINT_CTX_H

#include <stddef.h>

#include "analysis/lint-mute.h"
#include "model/model.h"

/* The message of a program, as far as lint knows it. */
struct lint_ctx {
	const struct evtype	*type;		/* NULL: no message */
	const struct m_process	*proc;		/* NULL: any */
	struct lint_path	 path, target;
};

/* What a program reads of its message (lint_ctx_reads). */
enum {
	LINT_RD_PATH = 1,
	LINT_RD_TARGET = 2,
	LINT_RD_PROC = 4,
	LINT_RD_EVENT = 8
};

/* A choice path with more alternatives than this is "some path". */
#define LINT_CHOICE_MAX	32

/* Does the condition of an "if" hold for a message of context x? */
enum lint_tri	lint_ctx_cond(const struct m_cond *c, const struct lint_ctx *x);

/*
 * What p reads of its message (LINT_RD_* bits): "$path"/"$target" and
 * the conditions, in p, its nested bodies and the services it calls or
 * sends to (each service once: linear in the model).
 */
unsigned	lint_ctx_reads(const struct m_program *p);

/*
 * x without what a program reading `reads` cannot tell apart (unknown
 * process, any path): one message class per difference that matters.
 * The type is kept if keep_type or if the program reads it.
 */
struct lint_ctx	lint_ctx_normalize(const struct lint_ctx *x, unsigned reads,
		    int keep_type);

enum lint_may { LINT_MAY_RESPOND, LINT_MAY_REPLY, LINT_MAY_SET };

/*
 * Can acts[from..] of p, for a message of context x, respond, reply, or
 * set flag fl (LINT_MAY_SET)?  Looks into nested bodies and the branches
 * x may take; for LINT_MAY_SET also into the services p calls or sends
 * to.  p may be NULL (no).
 */
int		lint_ctx_may(const struct m_program *p, size_t from,
		    const struct lint_ctx *x, enum lint_may what,
		    const struct m_flag *fl);

/*
 * The paths a path spec can stand for in context x, into out (at most
 * max; a longer choice is one "some path"): a literal is known, "$path"
 * is x's path, a zipf spec is known by its prefix.  Returns how many.
 */
size_t		lint_ctx_paths(const struct m_pathspec *ps,
		    const struct lint_ctx *x, struct lint_path *out, size_t max);

/* "/x", "/x*" (prefix), "*" (unknown), "-" (none). */
const char	*lint_ctx_path_str(const struct lint_path *p, char *buf,
		    size_t size);
/* " (/x to /y from proc)", or "" when nothing is known; returns buf. */
char		*lint_ctx_desc(const struct lint_ctx *x, char *buf, size_t size);
/* A key that tells contexts apart ("AUTH_OPEN|*|=/x|*"); returns buf. */
char		*lint_ctx_key(const struct lint_ctx *x, char *buf, size_t size);

#endif /* ESSIM_ANALYSIS_LINT_CTX_H */
