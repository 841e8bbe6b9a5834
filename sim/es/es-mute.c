/*
 * es-mute.c - which client gets which event: muting.
 *
 * Facts relied on (reference/es.md §2.7):
 *   - three dimensions: the acting process (es_mute_process: here a
 *     process name), the acting process's executable path (es_mute_path
 *     PREFIX / LITERAL) and the event's target paths (TARGET_PREFIX /
 *     TARGET_LITERAL); each rule may name the event types it mutes;
 *   - es_invert_muting works per dimension: inversion is applied first,
 *     then the dimensions are OR-combined: an event is muted when any
 *     dimension says so.  An inverted dimension with no rule therefore
 *     mutes everything: nothing is selected;
 *   - events with several target paths (rename, link, clone,
 *     exchangedata, copyfile: here, events that carry a target as well as
 *     a path) are target-muted only when ALL their paths are muted, and
 *     selected under inversion when ANY is;
 *   - the default mute set (data/es_default_mute_set_*.jsonl, compiled in
 *     by gen-mute.awk, read through defmute.h) applies to every client of
 *     the chosen macOS version and is not affected by inversion.
 * Events without any path are not affected by the target dimension.
 * The process and executable-path dimensions depend only on the acting
 * process, so they are computed once per (client, process) into an event
 * type set; only the target dimension is evaluated per event.
 */
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "es/defmute.h"
#include "es/wint.h"

static int
path_match(const char *rule, size_t rlen, int prefix, const char *s,
    size_t len)
{
	if (s == NULL)
		return 0;
	if (prefix)
		return len >= rlen && memcmp(s, rule, rlen) == 0;
	return len == rlen && memcmp(s, rule, rlen) == 0;
}

static int
rule_types(const struct m_mute *r, int v)
{
	return r->all_events || evset_has(&r->events, v);
}

/* Muted for type v by the acting-process dimensions of client c? */
static int
acting_muted(const struct m_client *c, const struct m_process *p, int v,
    const struct defmute_rule *dm, size_t ndm)
{
	size_t plen = p->path != NULL ? strlen(p->path) : 0;
	int by_proc = 0, by_path = 0;

	for (size_t i = 0; i < c->nmutes; i++) {
		const struct m_mute *r = &c->mutes[i];

		if (!rule_types(r, v))
			continue;
		if (r->kind == M_MUTE_PROCESS && r->process == p)
			by_proc = 1;
		else if ((r->kind == M_MUTE_PATH_PREFIX ||
		    r->kind == M_MUTE_PATH_LITERAL) &&
		    path_match(r->str, strlen(r->str),
		    r->kind == M_MUTE_PATH_PREFIX, p->path, plen))
			by_path = 1;
	}
	if (c->invert_process ? !by_proc : by_proc)
		return 1;
	if (c->invert_path ? !by_path : by_path)
		return 1;
	for (size_t i = 0; i < ndm; i++)
		if (!dm[i].target && evset_has(&dm[i].events, v) &&
		    path_match(dm[i].path, dm[i].len, dm[i].prefix, p->path,
		    plen))
			return 1;
	return 0;
}

void
esk_mute_init(struct world *w, struct w_client *c)
{
	const struct model *m = w->m;

	if (w->defmute == NULL && m->default_mute != M_DEFMUTE_NONE)
		w->defmute = defmute_rules(m->default_mute, &w->ndefmute);
	c->mute_acting = xcalloc(m->nprocs, sizeof(struct evset));
	for (size_t p = 0; p < m->nprocs; p++)
		for (int v = 0; v < EVSET_BITS; v++)
			if (evset_has(&c->m->subscribe, v) &&
			    acting_muted(c->m, m->procs[p], v, w->defmute,
			    w->ndefmute))
				evset_add(&c->mute_acting[p], v);
	c->has_target_mutes = c->m->invert_target_path;
	for (size_t i = 0; i < c->m->nmutes; i++)
		if (c->m->mutes[i].kind == M_MUTE_TARGET_PREFIX ||
		    c->m->mutes[i].kind == M_MUTE_TARGET_LITERAL)
			c->has_target_mutes = 1;
	for (size_t i = 0; i < w->ndefmute; i++)
		if (w->defmute[i].target)
			c->has_target_mutes = 1;
}

/* One path against the client's target rules for type v. */
static int
target_rule_match(const struct m_client *c, int v, const struct w_path *p)
{
	for (size_t i = 0; i < c->nmutes; i++) {
		const struct m_mute *r = &c->mutes[i];

		if ((r->kind == M_MUTE_TARGET_PREFIX ||
		    r->kind == M_MUTE_TARGET_LITERAL) && rule_types(r, v) &&
		    path_match(r->str, strlen(r->str),
		    r->kind == M_MUTE_TARGET_PREFIX, p->s, p->len))
			return 1;
	}
	return 0;
}

static int
target_default_match(const struct world *w, int v, const struct w_path *p)
{
	for (size_t i = 0; i < w->ndefmute; i++)
		if (w->defmute[i].target &&
		    evset_has(&w->defmute[i].events, v) &&
		    path_match(w->defmute[i].path, w->defmute[i].len,
		    w->defmute[i].prefix, p->s, p->len))
			return 1;
	return 0;
}

int
esk_muted(const struct w_client *c, const struct esk_event *ev)
{
	const struct w_path *paths[2];
	int v = ev->type->value, n = 0, all = 1, any = 0, dall = 1;

	if (evset_has(&c->mute_acting[ev->proc->m->id], v))
		return 1;
	if (!c->has_target_mutes)
		return 0;
	if (ev->path.s != NULL)
		paths[n++] = &ev->path;
	if (ev->target.s != NULL)
		paths[n++] = &ev->target;
	if (n == 0)
		return 0;
	for (int i = 0; i < n; i++) {
		int hit = target_rule_match(c->m, v, paths[i]);

		all = all && hit;
		any = any || hit;
		dall = dall && target_default_match(c->w, v, paths[i]);
	}
	if (c->m->invert_target_path ? !any : all)
		return 1;
	return dall;
}
