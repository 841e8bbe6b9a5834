/*
 * evtype.h - the Endpoint Security event types, by number and by name.
 *
 * The table is generated at build time from data/es_event_types.tsv (the
 * es_event_type_t enum of the macOS 27.0 SDK, see that file's source
 * note), so a newer SDK is a data change, not a code change.  Values are
 * the numbers eslogger writes as "event_type"; short names are Apple's
 * without the ES_EVENT_TYPE_ prefix ("AUTH_OPEN"); the eslogger name is
 * the key eslogger uses inside "event" ("open"), shared by an AUTH type
 * and its NOTIFY twin.
 *
 * Lookups by value are O(1); by name O(log n) over a sorted index.
 */
#ifndef ESSIM_CORE_EVTYPE_H
#define ESSIM_CORE_EVTYPE_H

#include <stddef.h>

enum evtype_kind {
	EVTYPE_AUTH,
	EVTYPE_NOTIFY,
	EVTYPE_RESERVED
};

struct evtype {
	int		 value;		/* es_event_type_t number */
	enum evtype_kind kind;
	const char	*name;		/* "AUTH_OPEN" */
	const char	*full;		/* "ES_EVENT_TYPE_AUTH_OPEN" */
	const char	*eslogger;	/* "open"; "" for reserved values */
	const char	*macos_min;	/* "10.15" */
};

/* Number of types (ES_EVENT_TYPE_LAST), and the type with that value. */
size_t	evtype_count(void);
/* NULL when v is out of range. */
const struct evtype *evtype_by_value(int v);

/* "AUTH_OPEN" or "ES_EVENT_TYPE_AUTH_OPEN" (exact case); NULL if unknown. */
const struct evtype *evtype_by_name(const char *name);

/*
 * The type eslogger names key ("open") of the given kind (EVTYPE_NOTIFY
 * for what eslogger records).  NULL if none.
 */
const struct evtype *evtype_by_eslogger(const char *key,
    enum evtype_kind kind);

/* The AUTH type with the same eslogger name as t (NULL if none), and back. */
const struct evtype *evtype_auth_twin(const struct evtype *t);
const struct evtype *evtype_notify_twin(const struct evtype *t);

static inline int
evtype_is_auth(const struct evtype *t)
{
	return t->kind == EVTYPE_AUTH;
}

/*
 * struct evset - a set of event types (subscriptions, mute lists,
 * as_auth mappings): one bit per value, O(1) tests.  EVSET_BITS bounds
 * the values a set can hold and is checked against evtype_count() by the
 * tests.
 */
#define EVSET_BITS	256

struct evset {
	unsigned long long w[EVSET_BITS / 64];
};

static inline void
evset_add(struct evset *s, int v)
{
	s->w[v >> 6] |= 1ULL << (v & 63);
}

static inline int
evset_has(const struct evset *s, int v)
{
	return (s->w[v >> 6] >> (v & 63)) & 1;
}

static inline int
evset_empty(const struct evset *s)
{
	for (unsigned i = 0; i < EVSET_BITS / 64; i++)
		if (s->w[i] != 0)
			return 0;
	return 1;
}

#endif /* ESSIM_CORE_EVTYPE_H */
