/*
 * defmute.c - the default mute sets, from the compiled-in tables.
 *
 * gen-mute.awk turns each dump line into { path, target, prefix, "TYPE
 * TYPE ..." }; the event names are resolved here, once per caller, into
 * an event set.  The data ships with the program, so a name this essim
 * does not know is a bug in the build, not a user error: the event-type
 * table and the dumps come from the same SDK release (data/).
 */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "es/defmute.h"

struct defmute_entry {
	const char	*path;
	int		 target;
	int		 prefix;
	const char	*events;	/* space-separated type names */
};

#include "es/mute-table.inc"

static void
parse_events(struct evset *s, const char *names)
{
	char name[96];

	memset(s, 0, sizeof(*s));
	while (*names != '\0') {
		size_t n = strcspn(names, " ");
		const struct evtype *t;

		if (n >= sizeof(name))
			BUG("default mute set: event name too long: %.40s",
			    names);
		if (n > 0) {
			memcpy(name, names, n);
			name[n] = '\0';
			if ((t = evtype_by_name(name)) == NULL)
				BUG("default mute set: unknown event type %s",
				    name);
			evset_add(s, t->value);
		}
		names += n;
		names += strspn(names, " ");
	}
}

struct defmute_rule *
defmute_rules(enum m_default_mute which, size_t *n)
{
	const struct defmute_entry *src;
	struct defmute_rule *r;

	switch (which) {
	case M_DEFMUTE_13_3_1:
		src = defmute_13_3_1;
		*n = sizeof(defmute_13_3_1) / sizeof(defmute_13_3_1[0]);
		break;
	case M_DEFMUTE_26:
		src = defmute_26;
		*n = sizeof(defmute_26) / sizeof(defmute_26[0]);
		break;
	default:
		*n = 0;
		return NULL;
	}
	r = xcalloc(*n, sizeof(*r));
	for (size_t i = 0; i < *n; i++) {
		r[i].path = src[i].path;
		r[i].len = strlen(src[i].path);
		r[i].target = src[i].target;
		r[i].prefix = src[i].prefix;
		parse_events(&r[i].events, src[i].events);
	}
	return r;
}

const char *
defmute_name(enum m_default_mute which)
{
	switch (which) {
	case M_DEFMUTE_13_3_1:
		return "13.3.1";
	case M_DEFMUTE_26:
		return "26";
	default:
		return NULL;
	}
}
