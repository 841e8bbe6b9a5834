/*
 * lint-mute.h - what the static linter knows about paths, and whether an
 * event reaches a client through its mute rules and the default mute set.
 *
 * Without simulating, a path may be known exactly (a literal), known by
 * its prefix (a zipf source: prefix + rank + suffix), or not known at all
 * ("$path" of a message whose path is unknown, a long choice).  Every
 * question about it therefore has three answers: yes, no, and maybe.
 * The linter treats "maybe" like "yes" wherever that can only add
 * findings (an event that may not be muted is delivered), so that no
 * cycle is missed for want of knowing a path.
 */
#ifndef ESSIM_ANALYSIS_LINT_MUTE_H
#define ESSIM_ANALYSIS_LINT_MUTE_H

#include <stddef.h>

#include "core/evtype.h"
#include "model/model.h"

/* Three-valued answers. */
enum lint_tri { LINT_NO = 0, LINT_YES = 1, LINT_MAYBE = 2 };

enum lint_tri	lint_tri_not(enum lint_tri a);
enum lint_tri	lint_tri_and(enum lint_tri a, enum lint_tri b);
enum lint_tri	lint_tri_or(enum lint_tri a, enum lint_tri b);

/* A path as far as it is known statically. */
enum lint_path_kind {
	LINT_PATH_NONE,		/* the event has no such path */
	LINT_PATH_ANY,		/* some path, not known */
	LINT_PATH_KNOWN,	/* exactly s */
	LINT_PATH_PREFIX	/* some path starting with s */
};

struct lint_path {
	enum lint_path_kind	 kind;
	const char		*s;	/* KNOWN, PREFIX; borrowed */
};

/* Does the path start with p (path_prefix conditions, prefix mutes)? */
enum lint_tri	lint_path_has_prefix(const struct lint_path *path,
		    const char *p);
/* Is the path exactly s (path conditions, literal mutes)? */
enum lint_tri	lint_path_is(const struct lint_path *path, const char *s);

/*
 * A default mute set (es.default_mute): the rules macOS applies to every
 * client before its own, never inverted.  The sets are the dumps in
 * data/es_default_mute_set_*.jsonl, compiled into the program.
 */
struct lint_mute_set;

/*
 * The set `which` names, parsed (NULL for M_DEFMUTE_NONE).  Cost: parses
 * a few dozen JSON lines; callers keep the set for a whole lint run.
 */
struct lint_mute_set	*lint_mute_set_default(enum m_default_mute which);
void			 lint_mute_set_free(struct lint_mute_set *s);
/* Its name ("13.3.1", "26") and its rules. */
const char		*lint_mute_set_name(const struct lint_mute_set *s);
size_t			 lint_mute_set_size(const struct lint_mute_set *s);
const struct m_mute	*lint_mute_set_rule(const struct lint_mute_set *s,
			    size_t i);

/*
 * Whether client c receives event type t raised by process p (never
 * NULL) with the given target paths (path, and target for two-path
 * events; LINT_PATH_NONE when absent), under ds (the default mute set,
 * NULL for none) and c's own rules:
 *   - the default set mutes by executable path (literal or prefix) and
 *     by target path, and is not affected by inversion;
 *   - c's rules form three dimensions, process (mute.processes), path
 *     (mute.paths: p's executable) and target path (mute.target_paths);
 *     each matches when one of its rules lists t and matches; an
 *     inverted dimension mutes what does not match; the event is muted
 *     when any dimension mutes it (es_invert_muting: "inversion applied
 *     first, then OR-combined");
 *   - target paths: the event is muted when all its paths match, an
 *     inverted dimension selects it when any matches (es_mute_path);
 *     an event without paths is never muted by target rules.
 * Returns LINT_YES (delivered), LINT_NO (muted), LINT_MAYBE (depends on a
 * path lint does not know).  Does not look at subscriptions.  When why
 * is not NULL, writes a short reason there ("muted by the default mute
 * set 13.3.1 (/usr/libexec/syspolicyd)", "not muted").
 */
enum lint_tri	lint_mute_delivered(const struct m_client *c,
		    const struct lint_mute_set *ds, const struct m_process *p,
		    const struct evtype *t, const struct lint_path *path,
		    const struct lint_path *target, char *why, size_t whysz);

#endif /* ESSIM_ANALYSIS_LINT_MUTE_H */
