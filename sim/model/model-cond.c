/*
 * model-cond.c - the conditions of "if" actions.
 *
 * A condition is a one-key object.  Four test the ES message being
 * handled (path_prefix, path, event, process), so they are legal only
 * where there is one (handlers, services); "p" draws a coin; "not",
 * "all" and "any" combine conditions (extension).  A process named by a
 * condition need not be declared: it is created with default attributes,
 * as a workload source would create it.
 */
#include <string.h>

#include "model/model-cond.h"
#include "model/model-names.h"
#include "model/model-path.h"

struct cond_kind {
	const char		*name;
	enum m_cond_kind	 kind;
	int			 needs_msg;
};

static const struct cond_kind kinds[] = {
	{ "path_prefix",	M_COND_PATH_PREFIX,	1 },
	{ "path",		M_COND_PATH,		1 },
	{ "event",		M_COND_EVENT,		1 },
	{ "process",		M_COND_PROCESS,		1 },
	{ "p",			M_COND_P,		0 },
	{ "not",		M_COND_NOT,		0 },
	{ "all",		M_COND_ALL,		0 },
	{ "any",		M_COND_ANY,		0 },
};
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

static const char *const kind_names[] = {
	"path_prefix", "path", "event", "process", "p", "not", "all", "any",
	NULL
};

static const struct cond_kind *
find_kind(struct mload *ld, const json_t *v)
{
	const char *key, *hint;

	if (mload__v_type(ld, v, JSON_OBJECT) < 0)
		return NULL;
	if (json_object_size(v) != 1) {
		mload__error(ld, "a condition has exactly one key "
		    "(path_prefix, path, event, process, p, not, all or any)");
		return NULL;
	}
	key = json_object_iter_key(json_object_iter((json_t *)v));
	for (size_t i = 0; i < NKINDS; i++)
		if (strcmp(kinds[i].name, key) == 0)
			return &kinds[i];
	if ((hint = mload__suggest(key, kind_names)) != NULL)
		mload__error_key(ld, key, "unknown condition \"%s\" (did you "
		    "mean \"%s\"?)", key, hint);
	else
		mload__error_key(ld, key, "unknown condition \"%s\"", key);
	return NULL;
}

static int
read_list(struct mload *ld, const struct mload_prog *ctx, const json_t *v,
    struct m_cond *c)
{
	json_t *it;
	size_t i;
	int rc = 0;

	if (mload__v_type(ld, v, JSON_ARRAY) < 0)
		return -1;
	if (json_array_size(v) == 0) {
		mload__error(ld, "needs at least one condition");
		return -1;
	}
	c->nsub = json_array_size(v);
	c->sub = mload__calloc(ld, c->nsub, sizeof(*c->sub));
	json_array_foreach(v, i, it) {
		size_t mark = mload__push_index(ld, i);
		if (mload__cond(ld, ctx, it, &c->sub[i]) < 0)
			rc = -1;
		mload__pop(ld, mark);
	}
	return rc;
}

static int
read_p(struct mload *ld, const json_t *v, struct m_cond *c)
{
	if (mload__v_num(ld, v, &c->p) < 0)
		return -1;
	if (!(c->p >= 0 && c->p <= 1)) {
		mload__error(ld, "probability must be between 0 and 1, got %g",
		    c->p);
		return -1;
	}
	return 0;
}

static int
read_process(struct mload *ld, const json_t *v, struct m_cond *c)
{
	const char *name;

	if (mload__v_str(ld, v, &name) < 0)
		return -1;
	if (name[0] == '\0') {
		mload__error(ld, "name must not be empty");
		return -1;
	}
	c->process = mload__process_ref(ld, name);
	return 0;
}

static int
read_value(struct mload *ld, const struct mload_prog *ctx,
    const struct cond_kind *k, const json_t *v, struct m_cond *c)
{
	switch (k->kind) {
	case M_COND_PATH_PREFIX:
	case M_COND_PATH:
		return mload__abspath(ld, v, &c->str);
	case M_COND_EVENT:
		return (c->event = mload__v_evtype(ld, v)) != NULL ? 0 : -1;
	case M_COND_PROCESS:
		return read_process(ld, v, c);
	case M_COND_P:
		return read_p(ld, v, c);
	case M_COND_NOT:
		c->nsub = 1;
		c->sub = mload__alloc(ld, sizeof(*c->sub));
		return mload__cond(ld, ctx, v, c->sub);
	case M_COND_ALL:
	case M_COND_ANY:
		return read_list(ld, ctx, v, c);
	}
	return -1;
}

int
mload__cond(struct mload *ld, const struct mload_prog *ctx, const json_t *v,
    struct m_cond *c)
{
	const struct cond_kind *k;
	size_t mark;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	if ((k = find_kind(ld, v)) == NULL)
		return -1;
	c->kind = k->kind;
	mark = mload__push(ld, k->name);
	if (k->needs_msg && !mload__prog_has_msg(ctx)) {
		mload__error(ld, "condition \"%s\" tests the ES message being "
		    "handled, and there is none here", k->name);
		rc = -1;
	}
	if (read_value(ld, ctx, k, json_object_get(v, k->name), c) < 0)
		rc = -1;
	mload__pop(ld, mark);
	return rc;
}
