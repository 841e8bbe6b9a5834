/*
 * model-program.c - programs: the actions a simulated thread runs.
 *
 * An action is a one-key object, the key its verb ({"cpu": "1ms"}), plus
 * the options that verb takes ({"async": "q", "do": [...]}).  A table
 * maps each verb to its kind, its options and its reader, so the rules
 * "exactly one verb" and "no unknown options" are checked in one place.
 * Readers are called with the pointer at the action object and v, the
 * verb's value; they push the verb or the option they complain about.
 *
 * Where a program runs decides what it may do (DESIGN §4):
 *   - "respond" and "retain" answer the ES message a client handler is
 *     handling, so they belong to handlers and what handlers run ("do",
 *     "then", "else" nested in them); not to a client's init, which has
 *     no message;
 *   - "reply" answers an XPC request: daemon services only;
 *   - "$path"/"$target" and the message conditions (path, path_prefix,
 *     event, process) need a message: handlers, and services, which see
 *     the message of the handler that called them;
 *   - queue and lock names resolve in the process that runs the program
 *     (a handler in its client, a service in its daemon).
 * Names that cannot resolve are errors here, at load time, so the
 * simulator never meets one.  Conditions are read by model-cond.c.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "model/model-cond.h"
#include "model/model-names.h"
#include "model/model-path.h"
#include "model/model-program.h"

typedef int verb_fn(struct mload *, const struct mload_prog *,
    const json_t *, const json_t *, struct m_action *);

struct verb {
	const char		*name;
	enum m_act_kind		 kind;
	const char		*opts[3];	/* NULL-terminated */
	verb_fn			*read;
};

static const struct verb *verb_of_kind(enum m_act_kind k);

/* Push the action's verb onto the pointer. */
static size_t
push_verb(struct mload *ld, const struct m_action *a)
{
	return mload__push(ld, verb_of_kind(a->kind)->name);
}

/* ---- simple verbs ------------------------------------------------------ */

static int
read_dur(struct mload *ld, const struct mload_prog *ctx, const json_t *obj,
    const json_t *v, struct m_action *a)
{
	size_t mark = push_verb(ld, a);

	(void)ctx;
	(void)obj;
	a->u.dur = mload__v_dist(ld, v);
	mload__pop(ld, mark);
	return a->u.dur != NULL ? 0 : -1;
}

/* The verb's value as a name: a non-empty string. */
static int
read_name(struct mload *ld, const struct m_action *a, const json_t *v,
    const char **out)
{
	size_t mark = push_verb(ld, a);
	int rc = mload__v_str(ld, v, out);

	if (rc == 0 && (*out)[0] == '\0') {
		mload__error(ld, "name must not be empty");
		rc = -1;
	}
	mload__pop(ld, mark);
	return rc;
}

/* The verb's value must be true ({"reply": true}). */
static int
read_true(struct mload *ld, const struct m_action *a, const json_t *v)
{
	size_t mark = push_verb(ld, a);
	int rc = mload__v_type(ld, v, JSON_TRUE);

	if (rc == 0 && !json_is_true(v)) {
		mload__error(ld, "must be true");
		rc = -1;
	}
	mload__pop(ld, mark);
	return rc;
}

static int
read_lock(struct mload *ld, const struct mload_prog *ctx, const json_t *obj,
    const json_t *v, struct m_action *a)
{
	const char *name;

	(void)obj;
	if (read_name(ld, a, v, &name) < 0)
		return -1;
	mload__lock_ref(ld, ctx->proc, a, name);
	return 0;
}

static int
read_flag(struct mload *ld, const struct mload_prog *ctx, const json_t *obj,
    const json_t *v, struct m_action *a)
{
	const char *name;

	(void)ctx;
	(void)obj;
	if (read_name(ld, a, v, &name) < 0)
		return -1;
	a->u.flag = mload__flag(ld, name);
	return 0;
}

static int
read_reply(struct mload *ld, const struct mload_prog *ctx, const json_t *obj,
    const json_t *v, struct m_action *a)
{
	(void)obj;
	if (read_true(ld, a, v) < 0)
		return -1;
	if (ctx->where != MLOAD_SERVICE) {
		mload__error(ld, "\"reply\" is only allowed in a daemon "
		    "service");
		return -1;
	}
	return 0;
}

/* ---- ES answers -------------------------------------------------------- */

/* respond and retain: in a handler, and not one for a NOTIFY type. */
static int
check_answer(struct mload *ld, const struct mload_prog *ctx,
    const char *verb)
{
	if (ctx->where != MLOAD_HANDLER) {
		mload__error(ld, "\"%s\" is only allowed in a client's "
		    "handlers (there is no ES message to answer here)", verb);
		return -1;
	}
	if (ctx->type != NULL && !evtype_is_auth(ctx->type)) {
		mload__error(ld, "\"%s\" in the handler for %s: NOTIFY events "
		    "take no answer", verb, ctx->type->name);
		return -1;
	}
	return 0;
}

static int
read_retain(struct mload *ld, const struct mload_prog *ctx,
    const json_t *obj, const json_t *v, struct m_action *a)
{
	(void)obj;
	if (read_true(ld, a, v) < 0)
		return -1;
	return check_answer(ld, ctx, "retain");
}

static int
read_flags(struct mload *ld, const struct mload_prog *ctx, const json_t *obj,
    struct m_action *a)
{
	long long x;
	int rc = mload__k_int(ld, obj, "flags", 0, UINT32_MAX, &x);

	if (rc <= 0)
		return rc;
	if (!a->u.respond.allow) {
		mload__error_key(ld, "flags", "\"flags\" go with \"allow\" "
		    "(a deny answers no flags)");
		return -1;
	}
	if (ctx->type != NULL && strcmp(ctx->type->name, "AUTH_OPEN") != 0) {
		mload__error_key(ld, "flags", "\"flags\" answer AUTH_OPEN "
		    "only, not %s", ctx->type->name);
		return -1;
	}
	a->u.respond.has_flags = 1;
	a->u.respond.flags = (uint32_t)x;
	return 0;
}

static int
read_respond(struct mload *ld, const struct mload_prog *ctx,
    const json_t *obj, const json_t *v, struct m_action *a)
{
	static const char *const answers[] = { "deny", "allow", NULL };
	int allow = 0, rc = 0;

	(void)v;
	a->u.respond.cache = -1;
	if (mload__k_enum(ld, obj, "respond", answers, &allow) < 0)
		rc = -1;
	a->u.respond.allow = allow;
	if (mload__k_bool(ld, obj, "cache", &a->u.respond.cache) < 0)
		rc = -1;
	if (rc == 0 && read_flags(ld, ctx, obj, a) < 0)
		rc = -1;
	if (rc == 0 && check_answer(ld, ctx, "respond") < 0)
		rc = -1;
	return rc;
}

/* ---- syscalls ---------------------------------------------------------- */

/* {"open": P}, {"exec": P}: AUTH_OPEN / AUTH_EXEC on path P. */
static int
read_open_exec(struct mload *ld, const struct mload_prog *ctx,
    const json_t *obj, const json_t *v, struct m_action *a)
{
	int is_open = json_object_get(obj, "open") != NULL;
	size_t mark = mload__push(ld, is_open ? "open" : "exec");
	int rc;

	a->u.sys.type = evtype_by_name(is_open ? "AUTH_OPEN" : "AUTH_EXEC");
	rc = mload__pathspec(ld, v, mload__prog_has_msg(ctx), &a->u.sys.path);
	mload__pop(ld, mark);
	return rc;
}

static int
read_opt_path(struct mload *ld, const struct mload_prog *ctx,
    const json_t *obj, const char *key, struct m_pathspec *ps)
{
	const json_t *v = json_object_get(obj, key);
	size_t mark;
	int rc;

	if (v == NULL)
		return 0;
	mark = mload__push(ld, key);
	rc = mload__pathspec(ld, v, mload__prog_has_msg(ctx), ps);
	mload__pop(ld, mark);
	return rc;
}

/* {"event": T, "path": P, "target": P2} */
static int
read_event(struct mload *ld, const struct mload_prog *ctx,
    const json_t *obj, const json_t *v, struct m_action *a)
{
	size_t mark = mload__push(ld, "event");
	int rc = 0;

	a->u.sys.type = mload__v_evtype(ld, v);
	if (a->u.sys.type == NULL)
		rc = -1;
	mload__pop(ld, mark);
	if (read_opt_path(ld, ctx, obj, "path", &a->u.sys.path) < 0 ||
	    read_opt_path(ld, ctx, obj, "target", &a->u.sys.target) < 0)
		rc = -1;
	return rc;
}

/* ---- XPC --------------------------------------------------------------- */

static const struct m_service *
find_service(const struct m_daemon *d, const char *name)
{
	for (size_t i = 0; i < d->nservices; i++)
		if (strcmp(d->services[i].name, name) == 0)
			return &d->services[i];
	return NULL;
}

static const char *
suggest_service(const struct m_daemon *d, const char *name)
{
	const char *names[64];
	size_t n = d->nservices < 64 ? d->nservices : 64;

	for (size_t i = 0; i < n; i++)
		names[i] = d->services[i].name;
	return mload__suggest_in(name, names, n);
}

/* "daemon.service" names no daemon: say so, with a suggestion. */
static void
no_daemon(struct mload *ld, const char *s)
{
	const struct model *m = ld->m;
	const char *dot = strrchr(s, '.'), *names[256], *hint;
	char *dname = xstrndup(s, (size_t)(dot - s));
	size_t n = m->ndaemons < 256 ? m->ndaemons : 256;

	for (size_t i = 0; i < n; i++)
		names[i] = m->daemons[i]->name;
	hint = mload__suggest_in(dname, names, n);
	if (hint != NULL)
		mload__error(ld, "unknown daemon \"%s\" (did you mean "
		    "\"%s\"?)", dname, hint);
	else
		mload__error(ld, "unknown daemon \"%s\"", dname);
	free(dname);
}

/*
 * Resolve "daemon.service".  Daemon names may hold dots
 * ("com.apple.trustd.evaluate"), so every daemon whose name followed by
 * a dot starts s is tried; one with the service wins.
 */
static int
resolve_xpc(struct mload *ld, const char *s, struct m_action *a)
{
	const struct model *m = ld->m;
	const struct m_daemon *cand = NULL;

	for (size_t i = 0; i < m->ndaemons; i++) {
		const struct m_daemon *d = m->daemons[i];
		size_t len = strlen(d->name);
		if (strncmp(s, d->name, len) != 0 || s[len] != '.')
			continue;
		cand = d;
		if ((a->u.xpc.service = find_service(d, s + len + 1)) != NULL) {
			a->u.xpc.daemon = d;
			return 0;
		}
	}
	if (cand == NULL) {
		no_daemon(ld, s);
		return -1;
	}
	s += strlen(cand->name) + 1;
	if (suggest_service(cand, s) != NULL)
		mload__error(ld, "daemon \"%s\" has no service \"%s\" (did you "
		    "mean \"%s\"?)", cand->name, s, suggest_service(cand, s));
	else
		mload__error(ld, "daemon \"%s\" has no service \"%s\"",
		    cand->name, s);
	return -1;
}

static int
read_xpc(struct mload *ld, const struct mload_prog *ctx, const json_t *obj,
    const json_t *v, struct m_action *a)
{
	size_t mark = push_verb(ld, a);
	const char *s;
	int rc = -1;

	(void)ctx;
	(void)obj;
	if (mload__v_type(ld, v, JSON_STRING) == 0) {
		s = json_string_value(v);
		if (strchr(s, '.') == NULL || s[0] == '.' ||
		    s[strlen(s) - 1] == '.')
			mload__error(ld, "expected \"daemon.service\", got "
			    "\"%s\"", s);
		else
			rc = resolve_xpc(ld, s, a);
	}
	mload__pop(ld, mark);
	return rc;
}

/* ---- GCD --------------------------------------------------------------- */

static const struct m_queue *
find_queue(struct mload *ld, const struct m_process *p, const char *name)
{
	const char *names[256], *hint;
	size_t n = p->nqueues < 256 ? p->nqueues : 256;

	for (size_t i = 0; i < p->nqueues; i++)
		if (strcmp(p->queues[i].name, name) == 0)
			return &p->queues[i];
	for (size_t i = 0; i < n; i++)
		names[i] = p->queues[i].name;
	hint = mload__suggest_in(name, names, n);
	if (hint != NULL)
		mload__error(ld, "%s has no queue \"%s\" (did you mean "
		    "\"%s\"?)", p->name, name, hint);
	else
		mload__error(ld, "%s has no queue \"%s\"", p->name, name);
	return NULL;
}

static int
read_gcd(struct mload *ld, const struct mload_prog *ctx, const json_t *obj,
    const json_t *v, struct m_action *a)
{
	size_t mark = push_verb(ld, a);
	int rc = -1;

	if (a->kind == M_ACT_SYNC)
		ld->m->has_sync = 1;
	if (mload__v_type(ld, v, JSON_STRING) == 0) {
		a->u.gcd.queue = find_queue(ld, ctx->proc,
		    json_string_value(v));
		rc = a->u.gcd.queue != NULL ? 0 : -1;
	}
	mload__pop(ld, mark);
	if (mload__k_program(ld, ctx, obj, "do", 1, &a->u.gcd.body) < 0)
		rc = -1;
	return rc;
}

/* ---- control ----------------------------------------------------------- */

static int
read_if(struct mload *ld, const struct mload_prog *ctx, const json_t *obj,
    const json_t *v, struct m_action *a)
{
	size_t mark = mload__push(ld, "if");
	int rc = mload__cond(ld, ctx, v, &a->u.cond.cond);

	mload__pop(ld, mark);
	if (mload__k_program(ld, ctx, obj, "then", 1, &a->u.cond.then) < 0)
		rc = -1;
	if (mload__k_program(ld, ctx, obj, "else", 0, &a->u.cond.els) < 0)
		rc = -1;
	return rc;
}

static int
read_repeat(struct mload *ld, const struct mload_prog *ctx,
    const json_t *obj, const json_t *v, struct m_action *a)
{
	size_t mark = mload__push(ld, "repeat");
	int rc = 0;

	if (json_is_string(v) && strcmp(json_string_value(v), "forever") == 0)
		a->u.repeat.count = -1;
	else if (json_is_integer(v) && json_integer_value(v) >= 0)
		a->u.repeat.count = (int64_t)json_integer_value(v);
	else {
		mload__error(ld, "must be a count (0 or more) or \"forever\"");
		rc = -1;
	}
	mload__pop(ld, mark);
	if (mload__k_program(ld, ctx, obj, "do", 1, &a->u.repeat.body) < 0)
		rc = -1;
	return rc;
}

/* ---- the verb table ---------------------------------------------------- */

static const struct verb verbs[] = {
	{ "cpu", M_ACT_CPU, { NULL }, read_dur },
	{ "sleep", M_ACT_SLEEP, { NULL }, read_dur },
	{ "open", M_ACT_SYSCALL, { NULL }, read_open_exec },
	{ "exec", M_ACT_SYSCALL, { NULL }, read_open_exec },
	{ "event", M_ACT_SYSCALL, { "path", "target" }, read_event },
	{ "call", M_ACT_CALL, { NULL }, read_xpc },
	{ "send", M_ACT_SEND, { NULL }, read_xpc },
	{ "reply", M_ACT_REPLY, { NULL }, read_reply },
	{ "async", M_ACT_ASYNC, { "do" }, read_gcd },
	{ "sync", M_ACT_SYNC, { "do" }, read_gcd },
	{ "lock", M_ACT_LOCK, { NULL }, read_lock },
	{ "unlock", M_ACT_UNLOCK, { NULL }, read_lock },
	{ "respond", M_ACT_RESPOND, { "cache", "flags" }, read_respond },
	{ "retain", M_ACT_RETAIN, { NULL }, read_retain },
	{ "set", M_ACT_SET, { NULL }, read_flag },
	{ "wait_flag", M_ACT_WAIT_FLAG, { NULL }, read_flag },
	{ "if", M_ACT_IF, { "then", "else" }, read_if },
	{ "repeat", M_ACT_REPEAT, { "do" }, read_repeat },
};
#define NVERBS	(sizeof(verbs) / sizeof(verbs[0]))

static const char *const verb_names[] = {
	"cpu", "sleep", "open", "exec", "event", "call", "send", "reply",
	"async", "sync", "lock", "unlock", "respond", "retain", "set",
	"wait_flag", "if", "repeat", NULL
};

static const struct verb *
verb_by_name(const char *name)
{
	for (size_t i = 0; i < NVERBS; i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

/* The first verb of a kind: the name used in messages. */
static const struct verb *
verb_of_kind(enum m_act_kind k)
{
	for (size_t i = 0; i < NVERBS; i++)
		if (verbs[i].kind == k)
			return &verbs[i];
	return &verbs[0];
}

/* The action's verb, or NULL with the problem recorded. */
static const struct verb *
find_verb(struct mload *ld, const json_t *obj)
{
	const struct verb *vb = NULL, *x;
	const char *key, *unknown = NULL;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		(void)v;
		if ((x = verb_by_name(key)) == NULL) {
			if (unknown == NULL)
				unknown = key;
			continue;
		}
		if (vb != NULL) {
			mload__error(ld, "an action has one verb, got \"%s\" "
			    "and \"%s\"", vb->name, x->name);
			return NULL;
		}
		vb = x;
	}
	if (vb == NULL && unknown != NULL &&
	    mload__suggest(unknown, verb_names) != NULL)
		mload__error(ld, "unknown action \"%s\" (did you mean "
		    "\"%s\"?)", unknown, mload__suggest(unknown, verb_names));
	else if (vb == NULL && unknown != NULL)
		mload__error(ld, "unknown action \"%s\"", unknown);
	else if (vb == NULL)
		mload__error(ld, "an action needs a verb (cpu, sleep, open, "
		    "exec, event, call, send, reply, async, sync, lock, "
		    "unlock, respond, retain, set, wait_flag, if, repeat)");
	return vb;
}

static int
read_action(struct mload *ld, const struct mload_prog *ctx,
    const json_t *obj, struct m_action *a)
{
	const struct verb *vb;
	const char *known[4];
	size_t i = 0;
	int bad;

	a->ptr = mload__ptr_dup(ld);
	if (mload__v_type(ld, obj, JSON_OBJECT) < 0 ||
	    (vb = find_verb(ld, obj)) == NULL)
		return -1;
	known[0] = vb->name;
	while (vb->opts[i] != NULL && i < 2) {
		known[i + 1] = vb->opts[i];
		i++;
	}
	known[i + 1] = NULL;
	a->kind = vb->kind;
	bad = mload__keys(ld, obj, known) != 0;
	if (vb->read(ld, ctx, obj, json_object_get(obj, vb->name), a) < 0)
		bad = 1;
	return bad ? -1 : 0;
}

int
mload__prog_has_msg(const struct mload_prog *ctx)
{
	return ctx->where == MLOAD_HANDLER || ctx->where == MLOAD_SERVICE;
}

int
mload__program(struct mload *ld, const struct mload_prog *ctx,
    const json_t *v, struct m_program *out)
{
	json_t *it;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (mload__v_type(ld, v, JSON_ARRAY) < 0)
		return -1;
	out->n = json_array_size(v);
	out->acts = mload__calloc(ld, out->n, sizeof(*out->acts));
	json_array_foreach(v, i, it) {
		size_t mark = mload__push_index(ld, i);
		if (read_action(ld, ctx, it, &out->acts[i]) < 0)
			rc = -1;
		mload__pop(ld, mark);
	}
	return rc;
}

int
mload__k_program(struct mload *ld, const struct mload_prog *ctx,
    const json_t *obj, const char *key, int required,
    struct m_program *out)
{
	const json_t *v = json_object_get(obj, key);
	size_t mark;
	int rc;

	memset(out, 0, sizeof(*out));
	if (v == NULL)
		return required ? mload__require(ld, obj, key) : 0;
	mark = mload__push(ld, key);
	rc = mload__program(ld, ctx, v, out);
	mload__pop(ld, mark);
	return rc < 0 ? -1 : 1;
}
