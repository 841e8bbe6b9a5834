/*
 * model-client.c - the "clients" section: ES clients, their
 * subscriptions, handlers, mute rules and per-client ES settings.
 *
 * Handlers are keyed by event type (short or ES_EVENT_TYPE_ form) or
 * "default".  A handler for a type the client does not subscribe to would
 * never run, so it is an error; so is a subscribed AUTH type with neither
 * its own handler nor a default one, since nothing would ever answer it
 * (a client meant never to answer says so with a handler that does not
 * respond).  NOTIFY types need no handler.
 *
 * Mute rules mirror the ES calls: mute.processes (es_mute_process, by
 * name), mute.paths (es_mute_path with PREFIX/LITERAL: the acting
 * process's executable), mute.target_paths (TARGET_PREFIX/LITERAL: the
 * event's files).  Each rule mutes every event type, or mute.events, or
 * its own "events"; mute.invert inverts muting per dimension
 * (es_invert_muting).
 */
#include <string.h>

#include "model/model-client.h"
#include "model/model-names.h"
#include "model/model-path.h"
#include "model/model-proc.h"
#include "model/model-program.h"

static const char *const client_keys[] = {
	"path", "signing_id", "team_id", "is_platform", "subscribe",
	"handler", "queues", "mute", "cache", "early_boot", "init",
	"restart_delay", "miss_mode", "deadline_max", NULL
};
static const char *const mute_keys[] = {
	"processes", "paths", "target_paths", "invert", "events", NULL
};
static const char *const invert_keys[] = {
	"process", "path", "target_path", NULL
};
static const char *const miss_modes[] = {
	"kill", "fail_closed", "fail_open", NULL
};

/* ---- handlers ---------------------------------------------------------- */

static void
read_handler(struct mload *ld, struct m_client *c, const char *key,
    const json_t *v, int check_sub)
{
	struct mload_prog ctx = { MLOAD_HANDLER, c->proc, NULL };
	struct m_program *prog = mload__alloc(ld, sizeof(*prog));

	if (strcmp(key, "default") != 0 &&
	    (ctx.type = mload__evtype(ld, key)) == NULL)
		return;
	if (ctx.type == NULL)
		c->handler_default = prog;
	else if (c->handler[ctx.type->value] != NULL)
		mload__error(ld, "second handler for %s", ctx.type->name);
	else if (check_sub && !evset_has(&c->subscribe, ctx.type->value))
		mload__error(ld, "handler for %s, which %s does not subscribe "
		    "to", ctx.type->name, c->name);
	else
		c->handler[ctx.type->value] = prog;
	mload__program(ld, &ctx, v, prog);
}

static void
read_handlers(struct mload *ld, struct m_client *c, const json_t *hs,
    int check_sub)
{
	const char *key;
	json_t *v;

	if (mload__v_type(ld, hs, JSON_OBJECT) < 0)
		return;
	json_object_foreach((json_t *)hs, key, v) {
		size_t mark = mload__push(ld, key);
		read_handler(ld, c, key, v, check_sub);
		mload__pop(ld, mark);
	}
}

/* Every subscribed AUTH type needs a handler. */
static void
check_handled(struct mload *ld, const struct m_client *c, const json_t *sub)
{
	json_t *it;
	size_t i;

	if (c->handler_default != NULL || !json_is_array(sub))
		return;
	json_array_foreach(sub, i, it) {
		const struct evtype *t = json_is_string(it) ?
		    evtype_by_name(json_string_value(it)) : NULL;
		size_t mark;
		if (t == NULL || !evtype_is_auth(t) || c->handler[t->value])
			continue;
		mark = mload__push_index(ld, i);
		mload__error(ld, "%s has no handler (add one, or a \"default\" "
		    "handler)", t->name);
		mload__pop(ld, mark);
	}
}

/* ---- mute rules -------------------------------------------------------- */

struct mute_ctx {
	struct m_client	*c;
	int		 has_events;	/* mute.events given */
	struct evset	 events;
};

static void
rule_events(struct mload *ld, const struct mute_ctx *mc, const json_t *obj,
    struct m_mute *r)
{
	const json_t *ev = json_is_object(obj) ?
	    json_object_get(obj, "events") : NULL;
	size_t mark;

	if (ev != NULL) {
		mark = mload__push(ld, "events");
		mload__v_evlist(ld, ev, &r->events);
		mload__pop(ld, mark);
	} else if (mc->has_events)
		r->events = mc->events;
	else
		r->all_events = 1;
}

static const char *
rule_process(struct mload *ld, const json_t *v)
{
	static const char *const keys[] = { "process", "events", NULL };
	const char *name = NULL;

	if (json_is_object(v)) {
		if (mload__keys(ld, v, keys) != 0 ||
		    mload__require(ld, v, "process") < 0 ||
		    mload__k_str(ld, v, "process", &name) < 0)
			return NULL;
	} else if (mload__v_str(ld, v, &name) < 0)
		return NULL;
	if (name[0] == '\0') {
		mload__error(ld, "name must not be empty");
		return NULL;
	}
	return name;
}

/* A path rule: "P" (literal), {"prefix": P} or {"literal": P}. */
static int
rule_path(struct mload *ld, const json_t *v, int target, struct m_mute *r)
{
	static const char *const keys[] = {
		"prefix", "literal", "events", NULL
	};
	int prefix = json_is_object(v) && json_object_get(v, "prefix");
	const json_t *pv = v;
	size_t mark;
	int rc;

	if (json_is_object(v)) {
		if (mload__keys(ld, v, keys) != 0)
			return -1;
		if (prefix == (json_object_get(v, "literal") != NULL)) {
			mload__error(ld, "a path rule has one of \"prefix\" "
			    "or \"literal\"");
			return -1;
		}
		pv = json_object_get(v, prefix ? "prefix" : "literal");
	}
	mark = pv != v ? mload__push(ld, prefix ? "prefix" : "literal") :
	    ld->ptrlen;
	rc = mload__abspath(ld, pv, &r->str);
	mload__pop(ld, mark);
	r->kind = target ? (prefix ? M_MUTE_TARGET_PREFIX :
	    M_MUTE_TARGET_LITERAL) : (prefix ? M_MUTE_PATH_PREFIX :
	    M_MUTE_PATH_LITERAL);
	return rc;
}

static void
read_rule(struct mload *ld, struct mute_ctx *mc, const char *list,
    const json_t *v)
{
	struct m_client *c = mc->c;
	struct m_mute *r = &c->mutes[c->nmutes];
	const char *name;

	if (strcmp(list, "processes") == 0) {
		if ((name = rule_process(ld, v)) == NULL)
			return;
		r->kind = M_MUTE_PROCESS;
		r->process = mload__process_ref(ld, name);
	} else if (rule_path(ld, v, strcmp(list, "target_paths") == 0,
	    r) < 0)
		return;
	rule_events(ld, mc, v, r);
	c->nmutes++;
}

static void
read_rules(struct mload *ld, struct mute_ctx *mc, const json_t *mute,
    const char *list)
{
	const json_t *v = json_object_get(mute, list);
	json_t *it;
	size_t i, mark;

	if (v == NULL)
		return;
	mark = mload__push(ld, list);
	if (mload__v_type(ld, v, JSON_ARRAY) == 0)
		json_array_foreach(v, i, it) {
			size_t m2 = mload__push_index(ld, i);
			read_rule(ld, mc, list, it);
			mload__pop(ld, m2);
		}
	mload__pop(ld, mark);
}

static void
read_invert(struct mload *ld, struct m_client *c, const json_t *mute)
{
	const json_t *v = json_object_get(mute, "invert");
	int all;
	size_t mark;

	if (v == NULL)
		return;
	if (!json_is_object(v)) {
		if (mload__k_bool(ld, mute, "invert", &all) > 0)
			c->invert_process = c->invert_path =
			    c->invert_target_path = all;
		return;
	}
	mark = mload__push(ld, "invert");
	if (mload__keys(ld, v, invert_keys) == 0) {
		mload__k_bool(ld, v, "process", &c->invert_process);
		mload__k_bool(ld, v, "path", &c->invert_path);
		mload__k_bool(ld, v, "target_path", &c->invert_target_path);
	}
	mload__pop(ld, mark);
}

static size_t
count_rules(const json_t *mute)
{
	static const char *const lists[] = {
		"processes", "paths", "target_paths"
	};
	size_t n = 0;

	for (size_t i = 0; i < 3; i++)
		n += json_array_size(json_object_get(mute, lists[i]));
	return n;
}

static void
read_mute(struct mload *ld, struct m_client *c, const json_t *mute)
{
	struct mute_ctx mc;
	const json_t *ev = json_object_get(mute, "events");
	const char *key;
	json_t *v;

	memset(&mc, 0, sizeof(mc));
	mc.c = c;
	if (mload__keys(ld, mute, mute_keys) < 0)
		return;
	if (ev != NULL) {
		size_t mark = mload__push(ld, "events");
		mc.has_events = mload__v_evlist(ld, ev, &mc.events) == 0;
		mload__pop(ld, mark);
	}
	c->mutes = mload__calloc(ld, count_rules(mute), sizeof(*c->mutes));
	json_object_foreach((json_t *)mute, key, v) {
		(void)v;
		if (strcmp(key, "processes") == 0 ||
		    strcmp(key, "paths") == 0 ||
		    strcmp(key, "target_paths") == 0)
			read_rules(ld, &mc, mute, key);
	}
	read_invert(ld, c, mute);
}

/* ---- the rest ---------------------------------------------------------- */

static void
read_deadline_max(struct mload *ld, struct m_client *c, const json_t *v)
{
	const char *key;
	json_t *d;

	if (mload__v_type(ld, v, JSON_OBJECT) < 0)
		return;
	json_object_foreach((json_t *)v, key, d) {
		size_t mark = mload__push(ld, key);
		const struct evtype *t = mload__evtype(ld, key);
		int64_t ns;
		if (t != NULL && !evtype_is_auth(t))
			mload__error(ld, "%s has no deadline (only AUTH events "
			    "do)", t->name);
		else if (mload__v_dur(ld, d, &ns) == 0 && t != NULL)
			c->deadline_max[t->value] = ns;
		mload__pop(ld, mark);
	}
}

static void
read_at(struct mload *ld, struct m_client *c, const json_t *obj,
    const char *key, void (*fn)(struct mload *, struct m_client *,
    const json_t *))
{
	const json_t *v = json_object_get(obj, key);
	size_t mark;

	if (v == NULL)
		return;
	mark = mload__push(ld, key);
	fn(ld, c, v);
	mload__pop(ld, mark);
}

static void
read_settings(struct mload *ld, struct m_client *c, const json_t *obj)
{
	struct mload_prog ctx = { MLOAD_INIT, c->proc, NULL };
	int mm;

	mload__k_bool(ld, obj, "cache", &c->cache);
	mload__k_bool(ld, obj, "early_boot", &c->early_boot);
	mload__k_program(ld, &ctx, obj, "init", 0, &c->init);
	mload__k_dur(ld, obj, "restart_delay", &c->restart_delay);
	if (mload__k_enum(ld, obj, "miss_mode", miss_modes, &mm) > 0)
		c->miss_mode = (enum m_miss_mode)mm;
	read_at(ld, c, obj, "deadline_max", read_deadline_max);
}

static void
read_client(struct mload *ld, struct m_client *c, const json_t *obj)
{
	const json_t *sub = json_object_get(obj, "subscribe");
	const json_t *hs = json_object_get(obj, "handler");
	int sub_ok = 1;
	size_t mark;

	if (mload__keys(ld, obj, client_keys) < 0)
		return;
	mload__identity(ld, c->proc, obj);
	if (sub != NULL) {
		mark = mload__push(ld, "subscribe");
		sub_ok = mload__v_evlist(ld, sub, &c->subscribe) == 0;
		mload__pop(ld, mark);
	}
	mload__queues(ld, c->proc, obj);
	if (hs != NULL) {
		mark = mload__push(ld, "handler");
		read_handlers(ld, c, hs, sub_ok);
		mload__pop(ld, mark);
	}
	if (sub != NULL) {
		mark = mload__push(ld, "subscribe");
		check_handled(ld, c, sub);
		mload__pop(ld, mark);
	}
	read_at(ld, c, obj, "mute", read_mute);
	read_settings(ld, c, obj);
}

void
mload__clients(struct mload *ld, const json_t *v)
{
	const struct model *m = ld->m;
	const char *key;
	json_t *obj;

	if (mload__v_type(ld, v, JSON_OBJECT) < 0)
		return;
	json_object_foreach((json_t *)v, key, obj) {
		size_t mark = mload__push(ld, key);
		for (size_t i = 0; i < m->nclients; i++)
			if (strcmp(m->clients[i]->name, key) == 0) {
				read_client(ld, m->clients[i], obj);
				break;
			}
		mload__pop(ld, mark);
	}
}
