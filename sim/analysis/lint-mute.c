/*
 * lint-mute.c - static answers to "does this event reach that client?".
 *
 * ES drops an event for a client that muted it before it is ever
 * queued (reference/es.md §2.7): by process (audit token), by the acting
 * process's executable path (prefix or literal), by the event's target
 * paths; per event type; each dimension invertible; and, before all of
 * these, by the default mute set macOS installs for every client, which
 * "exists to protect ES clients from deadlocks" and which inversion does
 * not clear.  The static linter asks this question for every syscall a
 * program makes, to know which clients' answers the syscall waits for.
 *
 * The default sets are Brandon7CC/mac-monitor's dumps of macOS 13.3.1
 * and 26 (data/es_default_mute_set_*.jsonl), compiled in and shared with
 * the simulated kernel (es/defmute.h), turned here into ordinary mute
 * rules so that one matcher serves both.  The sets mute most AUTH types for
 * syspolicyd, trustd, tccd and friends, but not AUTH_EXEC, MOUNT or
 * KEXTLOAD: the surface where ES clients still deadlock each other.
 *
 * Paths are three-valued (lint-mute.h): a mute rule matches a known
 * path or not, and may match a path known only by a prefix or not at
 * all.  An event is reported muted only when it certainly is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "analysis/lint-mute.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "es/defmute.h"


struct lint_mute_set {
	const char	*name;
	struct m_mute	*rules;
	size_t		 n;
};

/* ---- three-valued logic ------------------------------------------------ */

enum lint_tri
lint_tri_not(enum lint_tri a)
{
	if (a == LINT_MAYBE)
		return LINT_MAYBE;
	return a == LINT_YES ? LINT_NO : LINT_YES;
}

enum lint_tri
lint_tri_and(enum lint_tri a, enum lint_tri b)
{
	if (a == LINT_NO || b == LINT_NO)
		return LINT_NO;
	return a == LINT_YES && b == LINT_YES ? LINT_YES : LINT_MAYBE;
}

enum lint_tri
lint_tri_or(enum lint_tri a, enum lint_tri b)
{
	if (a == LINT_YES || b == LINT_YES)
		return LINT_YES;
	return a == LINT_NO && b == LINT_NO ? LINT_NO : LINT_MAYBE;
}

/* ---- paths ------------------------------------------------------------- */

static int
starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

enum lint_tri
lint_path_has_prefix(const struct lint_path *path, const char *p)
{
	switch (path->kind) {
	case LINT_PATH_KNOWN:
		return starts(path->s, p) ? LINT_YES : LINT_NO;
	case LINT_PATH_PREFIX:
		if (starts(path->s, p))
			return LINT_YES;
		return starts(p, path->s) ? LINT_MAYBE : LINT_NO;
	case LINT_PATH_NONE:
		return LINT_NO;
	default:
		return LINT_MAYBE;
	}
}

enum lint_tri
lint_path_is(const struct lint_path *path, const char *s)
{
	switch (path->kind) {
	case LINT_PATH_KNOWN:
		return strcmp(path->s, s) == 0 ? LINT_YES : LINT_NO;
	case LINT_PATH_PREFIX:
		return starts(s, path->s) ? LINT_MAYBE : LINT_NO;
	case LINT_PATH_NONE:
		return LINT_NO;
	default:
		return LINT_MAYBE;
	}
}

/* ---- default mute sets ------------------------------------------------- */

struct lint_mute_set *
lint_mute_set_default(enum m_default_mute which)
{
	struct defmute_rule *d;
	struct lint_mute_set *s;
	size_t n;

	if ((d = defmute_rules(which, &n)) == NULL)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->name = defmute_name(which);
	s->rules = xcalloc(n, sizeof(*s->rules));
	for (s->n = 0; s->n < n; s->n++) {
		struct m_mute *r = &s->rules[s->n];

		r->kind = d[s->n].target ?
		    (d[s->n].prefix ? M_MUTE_TARGET_PREFIX :
		    M_MUTE_TARGET_LITERAL) :
		    (d[s->n].prefix ? M_MUTE_PATH_PREFIX : M_MUTE_PATH_LITERAL);
		r->str = d[s->n].path;
		r->events = d[s->n].events;
	}
	free(d);
	return s;
}

void
lint_mute_set_free(struct lint_mute_set *s)
{
	if (s == NULL)
		return;
	free(s->rules);
	free(s);
}

const char *
lint_mute_set_name(const struct lint_mute_set *s)
{
	return s->name;
}

size_t
lint_mute_set_size(const struct lint_mute_set *s)
{
	return s->n;
}

const struct m_mute *
lint_mute_set_rule(const struct lint_mute_set *s, size_t i)
{
	return i < s->n ? &s->rules[i] : NULL;
}

/* ---- matching ---------------------------------------------------------- */

static int
rule_has(const struct m_mute *r, const struct evtype *t)
{
	return r->all_events || evset_has(&r->events, t->value);
}

static int
is_target(enum m_mute_kind k)
{
	return k == M_MUTE_TARGET_PREFIX || k == M_MUTE_TARGET_LITERAL;
}

static enum lint_tri
path_rule(const struct m_mute *r, const struct lint_path *p)
{
	if (r->kind == M_MUTE_PATH_PREFIX || r->kind == M_MUTE_TARGET_PREFIX)
		return lint_path_has_prefix(p, r->str);
	return lint_path_is(p, r->str);
}

/* Does one of the rules of a dimension match?  *hit names a sure one. */
static enum lint_tri
match_acting(const struct m_mute *rules, size_t n, const struct m_process *p,
    const struct evtype *t, int proc_dim, const struct m_mute **hit)
{
	enum lint_tri m = LINT_NO;
	struct lint_path exe = { LINT_PATH_KNOWN, p->path };

	for (size_t i = 0; i < n && m != LINT_YES; i++) {
		const struct m_mute *r = &rules[i];
		enum lint_tri x;
		if (!rule_has(r, t) || is_target(r->kind) ||
		    (r->kind == M_MUTE_PROCESS) != proc_dim)
			continue;
		x = proc_dim ? (r->process == p ? LINT_YES : LINT_NO) :
		    path_rule(r, &exe);
		if (x == LINT_YES)
			*hit = r;
		m = lint_tri_or(m, x);
	}
	return m;
}

/*
 * Target dimension: per path, does a rule match; then all paths (normal
 * muting) or any path (inverted).  paths[] holds the event's paths.
 */
static enum lint_tri
match_target(const struct m_mute *rules, size_t n, const struct evtype *t,
    const struct lint_path *const *paths, size_t np, int any,
    const struct m_mute **hit)
{
	enum lint_tri all = np > 0 ? LINT_YES : LINT_NO, some = LINT_NO;

	for (size_t k = 0; k < np; k++) {
		enum lint_tri m = LINT_NO;
		for (size_t i = 0; i < n && m != LINT_YES; i++) {
			enum lint_tri x;
			if (!rule_has(&rules[i], t) ||
			    !is_target(rules[i].kind))
				continue;
			x = path_rule(&rules[i], paths[k]);
			if (x == LINT_YES)
				*hit = &rules[i];
			m = lint_tri_or(m, x);
		}
		all = lint_tri_and(all, m);
		some = lint_tri_or(some, m);
	}
	return any ? some : all;
}

static const char *
kind_word(enum m_mute_kind k)
{
	switch (k) {
	case M_MUTE_PROCESS:
		return "process";
	case M_MUTE_PATH_PREFIX:
		return "path prefix";
	case M_MUTE_PATH_LITERAL:
		return "path";
	case M_MUTE_TARGET_PREFIX:
		return "target prefix";
	default:
		return "target path";
	}
}

static enum lint_tri
muted_by_default(const struct lint_mute_set *ds, const struct m_process *p,
    const struct evtype *t, const struct lint_path *const *paths, size_t np,
    const struct m_mute **hit)
{
	enum lint_tri m;

	if (ds == NULL)
		return LINT_NO;
	m = match_acting(ds->rules, ds->n, p, t, 0, hit);
	if (m == LINT_YES)
		return m;
	return lint_tri_or(m, match_target(ds->rules, ds->n, t, paths, np, 0,
	    hit));
}

/* Why dimension `dim` mutes: its matching rule, or inversion. */
static void
say_why(char *why, size_t whysz, const struct m_client *c, int inverted,
    const char *dim, const struct m_mute *hit)
{
	if (inverted)
		snprintf(why, whysz, "not selected by %s's inverted %s muting",
		    c->name, dim);
	else if (hit != NULL)
		snprintf(why, whysz, "muted by %s's %s rule %s", c->name,
		    kind_word(hit->kind), hit->kind == M_MUTE_PROCESS ?
		    hit->process->name : hit->str);
	else
		snprintf(why, whysz, "muted by %s's %s rules", c->name, dim);
}

enum lint_tri
lint_mute_delivered(const struct m_client *c, const struct lint_mute_set *ds,
    const struct m_process *p, const struct evtype *t,
    const struct lint_path *path, const struct lint_path *target, char *why,
    size_t whysz)
{
	const struct lint_path *paths[2];
	const struct m_mute *hd = NULL, *hp = NULL, *hx = NULL, *ht = NULL;
	enum lint_tri mp, mx, mt, muted;
	size_t np = 0;
	char buf[8];

	if (why == NULL) {
		why = buf;
		whysz = sizeof(buf);
	}
	if (path->kind != LINT_PATH_NONE)
		paths[np++] = path;
	if (target->kind != LINT_PATH_NONE)
		paths[np++] = target;
	muted = muted_by_default(ds, p, t, paths, np, &hd);
	if (muted == LINT_YES) {
		snprintf(why, whysz, "muted by the default mute set %s (%s %s)",
		    ds->name, kind_word(hd->kind), hd->str);
		return LINT_NO;
	}
	mp = match_acting(c->mutes, c->nmutes, p, t, 1, &hp);
	if (c->invert_process)
		mp = lint_tri_not(mp);
	mx = match_acting(c->mutes, c->nmutes, p, t, 0, &hx);
	if (c->invert_path)
		mx = lint_tri_not(mx);
	if (np == 0)
		mt = LINT_NO;
	else if (c->invert_target_path)
		mt = lint_tri_not(match_target(c->mutes, c->nmutes, t, paths,
		    np, 1, &ht));
	else
		mt = match_target(c->mutes, c->nmutes, t, paths, np, 0, &ht);
	muted = lint_tri_or(muted, lint_tri_or(mp, lint_tri_or(mx, mt)));
	if (mp == LINT_YES)
		say_why(why, whysz, c, c->invert_process, "process", hp);
	else if (mx == LINT_YES)
		say_why(why, whysz, c, c->invert_path, "path", hx);
	else if (mt == LINT_YES)
		say_why(why, whysz, c, c->invert_target_path, "target path",
		    ht);
	else if (muted == LINT_MAYBE)
		snprintf(why, whysz, "perhaps muted (it depends on the path)");
	else
		snprintf(why, whysz, "not muted");
	return lint_tri_not(muted);
}
