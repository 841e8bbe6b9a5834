/*
 * findings.c - the findings list; see findings.h.
 *
 * A finding is small and rare (a run has a handful, a pathological one a
 * few thousand), so each is its own allocation and the list is an array
 * of pointers that a sort can permute without moving strings.  The sort
 * is a merge sort on (t, kind, seq): stable by construction, and
 * independent of the C library's qsort, whose order for equal keys is not
 * specified.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/findings.h"
#include "core/units.h"
#include "core/xalloc.h"

static const char *const kind_names[FD_NKINDS] = {
	"deadlock", "potential_cycle", "thread_explosion",
	"deadline_overrun", "ordering_violation"
};

const char *
fd_kind_name(enum fd_kind k)
{
	return (unsigned)k < FD_NKINDS ? kind_names[k] : "?";
}

static void
finding_free(struct finding *f)
{
	for (size_t i = 0; i < f->nrows; i++) {
		free(f->rows[i].who);
		free(f->rows[i].what);
	}
	free(f->rows);
	free(f->summary);
	free(f->chain);
	free(f->ended);
	free(f->scenario);
	free(f);
}

void
fd_list_release(struct fd_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		finding_free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->alloc = 0;
}

struct finding *
fd_add(struct fd_list *l, enum fd_kind k, int64_t t)
{
	struct finding *f = xcalloc(1, sizeof(*f));

	f->kind = k;
	f->t = t;
	f->t_end = -1;
	f->process = -1;
	f->client = -1;
	f->seq = l->n;
	XGROW(l->v, l->n + 1, l->alloc);
	l->v[l->n++] = f;
	return f;
}

static void
replace(char **dst, const char *s)
{
	free(*dst);
	*dst = s != NULL ? xstrdup(s) : NULL;
}

void
fd_summary(struct finding *f, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	free(f->summary);
	f->summary = s;
}

void
fd_set_chain(struct finding *f, const char *chain)
{
	replace(&f->chain, chain);
}

void
fd_set_ended(struct finding *f, const char *ended)
{
	replace(&f->ended, ended);
}

void
fd_set_scenario(struct finding *f, const char *scenario)
{
	replace(&f->scenario, scenario);
}

void
fd_row(struct finding *f, const char *who, const char *what, int64_t t,
    uint64_t count)
{
	struct fd_row *r;

	XGROW(f->rows, f->nrows + 1, f->arows);
	r = &f->rows[f->nrows++];
	r->who = xstrdup(who != NULL ? who : "");
	r->what = xstrdup(what != NULL ? what : "");
	r->t = t;
	r->count = count;
}

static int
before(const struct finding *a, const struct finding *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	if (a->kind != b->kind)
		return a->kind < b->kind;
	return a->seq < b->seq;
}

void
fd_sort(struct fd_list *l)
{
	struct finding **tmp;

	if (l->n < 2)
		return;
	tmp = xcalloc(l->n, sizeof(*tmp));
	for (size_t w = 1; w < l->n; w *= 2) {
		for (size_t lo = 0; lo < l->n; lo += 2 * w) {
			size_t mid = lo + w < l->n ? lo + w : l->n;
			size_t hi = lo + 2 * w < l->n ? lo + 2 * w : l->n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi)
				tmp[k++] = before(l->v[j], l->v[i]) ?
				    l->v[j++] : l->v[i++];
			while (i < mid)
				tmp[k++] = l->v[i++];
			while (j < hi)
				tmp[k++] = l->v[j++];
		}
		memcpy(l->v, tmp, l->n * sizeof(*tmp));
	}
	free(tmp);
}

size_t
fd_count(const struct fd_list *l, enum fd_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		if (k == FD_NKINDS || l->v[i]->kind == k)
			n++;
	return n;
}

static void
print_indented(const char *s, const char *pfx, FILE *f)
{
	while (*s != '\0') {
		const char *nl = strchr(s, '\n');
		size_t len = nl != NULL ? (size_t)(nl - s) : strlen(s);

		fprintf(f, "%s%.*s\n", pfx, (int)len, s);
		s += len + (nl != NULL);
	}
}

void
fd_print(const struct fd_list *l, FILE *f)
{
	char t[32];

	for (size_t i = 0; i < l->n; i++) {
		const struct finding *x = l->v[i];

		fprintf(f, "  %10s  %-17s %s\n",
		    units_format_seconds(x->t, 3, t, sizeof(t)),
		    fd_kind_name(x->kind), x->summary != NULL ? x->summary : "");
		if (x->chain != NULL)
			fprintf(f, "              chain: %s\n", x->chain);
		if (x->ended != NULL)
			fprintf(f, "              %s\n", x->ended);
		if (x->scenario != NULL)
			print_indented(x->scenario, "              ", f);
	}
}

static json_t *
jstr(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
rows_json(const struct finding *x)
{
	json_t *a = json_array();

	for (size_t i = 0; i < x->nrows; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I}",
		    "who", x->rows[i].who, "what", x->rows[i].what,
		    "t", (json_int_t)x->rows[i].t,
		    "count", (json_int_t)x->rows[i].count));
	return a;
}

json_t *
fd_json(const struct fd_list *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++) {
		const struct finding *x = l->v[i];
		json_t *o = json_object();

		json_object_set_new(o, "kind", json_string(fd_kind_name(x->kind)));
		json_object_set_new(o, "t", json_integer(x->t));
		json_object_set_new(o, "t_end", x->t_end >= 0 ?
		    json_integer(x->t_end) : json_null());
		json_object_set_new(o, "process", json_integer(x->process));
		json_object_set_new(o, "client", json_integer(x->client));
		json_object_set_new(o, "count", json_integer((json_int_t)x->count));
		json_object_set_new(o, "value", json_integer(x->value));
		json_object_set_new(o, "summary", jstr(x->summary));
		json_object_set_new(o, "chain", jstr(x->chain));
		json_object_set_new(o, "ended", jstr(x->ended));
		json_object_set_new(o, "scenario", jstr(x->scenario));
		json_object_set_new(o, "rows", rows_json(x));
		json_array_append_new(a, o);
	}
	return a;
}
