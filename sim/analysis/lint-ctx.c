/*
 * lint-ctx.c - what the static linter knows of the message a program
 * handles, and what a program does with it.
 *
 * Everything here answers one of three questions about a program for a
 * message context: which way its "if"s go (yes, no, maybe: a literal
 * path decides a path condition, a zipf prefix may, an unknown path
 * never does); what it reads of the message, so that lint keeps one
 * class per difference that matters and no more (a handler that never
 * looks at the path has one message class per type); and whether it
 * still has a respond, reply or set ahead, which is what makes a flow
 * owe an answer, a reply or a flag while it waits (lint-walk.c).
 *
 * Scans descend into nested bodies and, where asked, into called
 * services; each service is entered once per scan, so services that call
 * each other cost linear time, not exponential.  Models have tens of
 * programs: nothing here is cached.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "analysis/lint-ctx.h"
#include "core/err.h"

/* Services a scan through nested calls enters at most. */
#define SCAN_SERVICES	256
#define TXT		640

static char *
fmt(char *buf, size_t size, const char *f, ...) ESSIM_PRINTF(3, 4);

static char *
fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, size, f, ap);
	va_end(ap);
	return buf;
}

/* ---- names and keys ---------------------------------------------------- */

const char *
lint_ctx_path_str(const struct lint_path *p, char *buf, size_t size)
{
	switch (p->kind) {
	case LINT_PATH_KNOWN:
		return p->s;
	case LINT_PATH_PREFIX:
		return fmt(buf, size, "%s*", p->s);
	case LINT_PATH_NONE:
		return "-";
	default:
		return "*";
	}
}


/* "(/x from syspolicyd)", "" when nothing is known. */
char *
lint_ctx_desc(const struct lint_ctx *x, char *buf, size_t size)
{
	char a[TXT], b[TXT];
	const char *sep = "";

	buf[0] = '\0';
	if (x->path.kind == LINT_PATH_KNOWN || x->path.kind ==
	    LINT_PATH_PREFIX) {
		fmt(buf, size, "%s", lint_ctx_path_str(&x->path, a, sizeof(a)));
		sep = " ";
	}
	if (x->target.kind == LINT_PATH_KNOWN || x->target.kind ==
	    LINT_PATH_PREFIX) {
		fmt(b, sizeof(b), "%s%sto %s", buf, sep,
		    lint_ctx_path_str(&x->target, a, sizeof(a)));
		fmt(buf, size, "%s", b);
		sep = " ";
	}
	if (x->proc != NULL) {
		fmt(b, sizeof(b), "%s%sfrom %s", buf, sep, x->proc->name);
		fmt(buf, size, "%s", b);
	}
	if (buf[0] != '\0') {
		fmt(b, sizeof(b), " (%s)", buf);
		fmt(buf, size, "%s", b);
	}
	return buf;
}


char *
lint_ctx_key(const struct lint_ctx *x, char *buf, size_t size)
{
	char a[TXT], b[TXT];

	return fmt(buf, size, "%s|%s|%c%s|%c%s",
	    x->type != NULL ? x->type->name : "-",
	    x->proc != NULL ? x->proc->name : "*",
	    "-*=^"[x->path.kind], lint_ctx_path_str(&x->path, a, sizeof(a)),
	    "-*=^"[x->target.kind], lint_ctx_path_str(&x->target, b, sizeof(b)));
}


/* ---- conditions and what programs read --------------------------------- */

static enum lint_tri
cond3(const struct m_cond *c, const struct evtype *t,
    const struct m_process *p, const struct lint_path *path)
{
	enum lint_tri x;

	switch (c->kind) {
	case M_COND_PATH_PREFIX:
		return lint_path_has_prefix(path, c->str);
	case M_COND_PATH:
		return lint_path_is(path, c->str);
	case M_COND_EVENT:
		return t == NULL ? LINT_MAYBE : t == c->event ? LINT_YES :
		    LINT_NO;
	case M_COND_PROCESS:
		return p == NULL ? LINT_MAYBE : p == c->process ? LINT_YES :
		    LINT_NO;
	case M_COND_P:
		return c->p <= 0 ? LINT_NO : c->p >= 1 ? LINT_YES : LINT_MAYBE;
	case M_COND_NOT:
		return lint_tri_not(cond3(c->sub, t, p, path));
	case M_COND_ALL:
		x = LINT_YES;
		for (size_t i = 0; i < c->nsub; i++)
			x = lint_tri_and(x, cond3(&c->sub[i], t, p,
			    path));
		return x;
	default:
		x = LINT_NO;
		for (size_t i = 0; i < c->nsub; i++)
			x = lint_tri_or(x, cond3(&c->sub[i], t, p,
			    path));
		return x;
	}
}

enum lint_tri
lint_ctx_cond(const struct m_cond *c, const struct lint_ctx *x)
{
	return cond3(c, x->type, x->proc, &x->path);
}

static unsigned
cond_reads(const struct m_cond *c)
{
	unsigned r = 0;

	switch (c->kind) {
	case M_COND_PATH_PREFIX:
	case M_COND_PATH:
		return LINT_RD_PATH;
	case M_COND_EVENT:
		return LINT_RD_EVENT;
	case M_COND_PROCESS:
		return LINT_RD_PROC;
	case M_COND_P:
		return 0;
	case M_COND_NOT:
		return cond_reads(c->sub);
	default:
		for (size_t i = 0; i < c->nsub; i++)
			r |= cond_reads(&c->sub[i]);
		return r;
	}
}

static unsigned
spec_reads(const struct m_pathspec *ps)
{
	return ps->kind == M_PATH_MSG ? LINT_RD_PATH : ps->kind ==
	    M_PATH_MSG_TARGET ? LINT_RD_TARGET : 0;
}

/*
 * The services a scan has entered: each is scanned once per question,
 * so a scan is linear in the model even when services call each other.
 */
struct visited {
	const struct m_service	*v[SCAN_SERVICES];
	size_t			 n;
};

/* Enter s: 0 if it was entered already (or the set is full). */
static int
enter(struct visited *vs, const struct m_service *s)
{
	for (size_t i = 0; i < vs->n; i++)
		if (vs->v[i] == s)
			return 0;
	if (vs->n == SCAN_SERVICES)
		return 0;
	vs->v[vs->n++] = s;
	return 1;
}

/* What p reads of its message, through bodies and called services. */
static unsigned
reads_in(const struct m_program *p, struct visited *vs)
{
	unsigned r = 0;

	if (p == NULL)
		return 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct m_action *a = &p->acts[i];
		switch (a->kind) {
		case M_ACT_SYSCALL:
			r |= spec_reads(&a->u.sys.path) |
			    spec_reads(&a->u.sys.target);
			break;
		case M_ACT_CALL:
		case M_ACT_SEND:
			if (enter(vs, a->u.xpc.service))
				r |= reads_in(&a->u.xpc.service->program, vs);
			break;
		case M_ACT_ASYNC:
		case M_ACT_SYNC:
			r |= reads_in(&a->u.gcd.body, vs);
			break;
		case M_ACT_IF:
			r |= cond_reads(&a->u.cond.cond) |
			    reads_in(&a->u.cond.then, vs) |
			    reads_in(&a->u.cond.els, vs);
			break;
		case M_ACT_REPEAT:
			r |= reads_in(&a->u.repeat.body, vs);
			break;
		default:
			break;
		}
	}
	return r;
}

unsigned
lint_ctx_reads(const struct m_program *p)
{
	struct visited vs;

	vs.n = 0;
	return reads_in(p, &vs);
}

/* Forget what a program does not read: one class per difference. */
struct lint_ctx
lint_ctx_normalize(const struct lint_ctx *x, unsigned reads, int keep_type)
{
	struct lint_ctx n = *x;
	static const struct lint_path any = { LINT_PATH_ANY, NULL };

	if (!keep_type && !(reads & LINT_RD_EVENT))
		n.type = NULL;
	if (!(reads & LINT_RD_PROC))
		n.proc = NULL;
	if (!(reads & LINT_RD_PATH))
		n.path = any;
	if (!(reads & LINT_RD_TARGET))
		n.target = any;
	return n;
}


/* Can acts[from..] of p (in message context x) do `what`? */
static int
may_in(const struct m_program *p, size_t from, const struct lint_ctx *x,
    enum lint_may what, const struct m_flag *fl, struct visited *vs)
{
	if (p == NULL)
		return 0;
	for (size_t i = from; i < p->n; i++) {
		const struct m_action *a = &p->acts[i];
		enum lint_tri c;
		switch (a->kind) {
		case M_ACT_RESPOND:
			if (what == LINT_MAY_RESPOND)
				return 1;
			break;
		case M_ACT_REPLY:
			if (what == LINT_MAY_REPLY)
				return 1;
			break;
		case M_ACT_SET:
			if (what == LINT_MAY_SET && a->u.flag == fl)
				return 1;
			break;
		case M_ACT_CALL:
		case M_ACT_SEND:
			if (what == LINT_MAY_SET && enter(vs, a->u.xpc.service) &&
			    may_in(&a->u.xpc.service->program, 0, x, what, fl,
			    vs))
				return 1;
			break;
		case M_ACT_ASYNC:
		case M_ACT_SYNC:
			if (may_in(&a->u.gcd.body, 0, x, what, fl, vs))
				return 1;
			break;
		case M_ACT_IF:
			c = lint_ctx_cond(&a->u.cond.cond, x);
			if ((c != LINT_NO && may_in(&a->u.cond.then, 0, x,
			    what, fl, vs)) || (c != LINT_YES &&
			    may_in(&a->u.cond.els, 0, x, what, fl, vs)))
				return 1;
			break;
		case M_ACT_REPEAT:
			if (a->u.repeat.count != 0 &&
			    may_in(&a->u.repeat.body, 0, x, what, fl, vs))
				return 1;
			break;
		default:
			break;
		}
	}
	return 0;
}

int
lint_ctx_may(const struct m_program *p, size_t from, const struct lint_ctx *x,
    enum lint_may what, const struct m_flag *fl)
{
	struct visited vs;

	vs.n = 0;
	return may_in(p, from, x, what, fl, &vs);
}


/* The alternatives of a path spec, as far as lint can know them. */
size_t
lint_ctx_paths(const struct m_pathspec *ps, const struct lint_ctx *x,
    struct lint_path *out, size_t max)
{
	switch (ps->kind) {
	case M_PATH_LITERAL:
		out[0].kind = LINT_PATH_KNOWN;
		out[0].s = ps->literal;
		return 1;
	case M_PATH_MSG:
		out[0] = x->type != NULL ? x->path :
		    (struct lint_path){ LINT_PATH_ANY, NULL };
		return 1;
	case M_PATH_MSG_TARGET:
		out[0] = x->type != NULL ? x->target :
		    (struct lint_path){ LINT_PATH_ANY, NULL };
		return 1;
	case M_PATH_CHOICE:
		if (ps->n > max)
			break;
		for (size_t i = 0; i < ps->n; i++) {
			out[i].kind = LINT_PATH_KNOWN;
			out[i].s = ps->paths[i];
		}
		return ps->n;
	case M_PATH_ZIPF:
		out[0].kind = LINT_PATH_PREFIX;
		out[0].s = ps->prefix;
		return 1;
	case M_PATH_NONE:
		out[0].kind = LINT_PATH_NONE;
		out[0].s = NULL;
		return 1;
	}
	out[0].kind = LINT_PATH_ANY;
	out[0].s = NULL;
	return 1;
}

