/*
 * evtype.c - the ES event type table and its lookups; see evtype.h.
 *
 * The rows come from evtype-table.inc, generated from
 * data/es_event_types.tsv by gen-evtype.awk.  A name index sorted once
 * on first use makes name lookups O(log n); the table is constant, so the
 * index is the only state and it is built the same way every time.
 */
#include <stdlib.h>
#include <string.h>

#include "core/evtype.h"

static const struct evtype table[] = {
#include "core/evtype-table.inc"
};

#define NTYPES	(sizeof(table) / sizeof(table[0]))

static const struct evtype *by_name[NTYPES];
static int by_name_ready;

static int
cmp_name(const void *a, const void *b)
{
	const struct evtype *x = *(const struct evtype *const *)a;
	const struct evtype *y = *(const struct evtype *const *)b;

	return strcmp(x->name, y->name);
}

static void
build_index(void)
{
	for (size_t i = 0; i < NTYPES; i++)
		by_name[i] = &table[i];
	qsort(by_name, NTYPES, sizeof(by_name[0]), cmp_name);
	by_name_ready = 1;
}

size_t
evtype_count(void)
{
	return NTYPES;
}

const struct evtype *
evtype_by_value(int v)
{
	if (v < 0 || (size_t)v >= NTYPES)
		return NULL;
	return &table[v];
}

const struct evtype *
evtype_by_name(const char *name)
{
	size_t lo = 0, hi = NTYPES;
	static const char prefix[] = "ES_EVENT_TYPE_";

	if (strncmp(name, prefix, sizeof(prefix) - 1) == 0)
		name += sizeof(prefix) - 1;
	if (!by_name_ready)
		build_index();
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, by_name[mid]->name);

		if (c == 0)
			return by_name[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct evtype *
evtype_by_eslogger(const char *key, enum evtype_kind kind)
{
	if (key[0] == '\0')
		return NULL;
	for (size_t i = 0; i < NTYPES; i++)
		if (table[i].kind == kind && strcmp(table[i].eslogger, key) == 0)
			return &table[i];
	return NULL;
}

const struct evtype *
evtype_auth_twin(const struct evtype *t)
{
	return t->kind == EVTYPE_AUTH ? t :
	    evtype_by_eslogger(t->eslogger, EVTYPE_AUTH);
}

const struct evtype *
evtype_notify_twin(const struct evtype *t)
{
	return t->kind == EVTYPE_NOTIFY ? t :
	    evtype_by_eslogger(t->eslogger, EVTYPE_NOTIFY);
}
