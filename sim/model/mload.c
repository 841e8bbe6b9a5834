/*
 * mload.c - the model loader's state: the JSON pointer being read, the
 * errors found so far, arena allocation, typed reads of JSON values, and
 * the name tables (processes, locks, flags) that programs resolve against.
 *
 * Every reader in sim/model goes through these helpers, so a model error
 * always reads the same way: "file: /json/pointer: message", with the
 * type names of JSON ("expected a string, got an integer") and, for a
 * misspelt key or name, the closest known spelling ("did you mean ...").
 * Suggestions use the edit distance (Levenshtein, case-insensitive) and
 * are offered only when the distance is small for the word's length; the
 * candidate lists are short (tens of keys, a few hundred event types), so
 * an O(n * len^2) scan costs nothing next to parsing the file.
 *
 * Errors are sorted into document order when the load ends (mload__flush),
 * which frees the readers from having to visit the document strictly in
 * order: the declaration pass (model.c) may report a duplicate name before
 * the second pass reports a bad key above it, and the user still reads
 * them top to bottom.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dist.h"
#include "core/xalloc.h"
#include "model/mload.h"

void
mload__init(struct mload *ld, struct model *m, const char *file)
{
	memset(ld, 0, sizeof(*ld));
	ld->m = m;
	ld->a = m->arena;
	ld->file = file;
}

/* ---- the current pointer ---------------------------------------------- */

size_t
mload__push(struct mload *ld, const char *key)
{
	size_t mark = ld->ptrlen;

	err_ptr_append(ld->ptr, sizeof(ld->ptr), key);
	ld->ptrlen = strlen(ld->ptr);
	return mark;
}

size_t
mload__push_index(struct mload *ld, size_t i)
{
	size_t mark = ld->ptrlen;

	err_ptr_append_index(ld->ptr, sizeof(ld->ptr), i);
	ld->ptrlen = strlen(ld->ptr);
	return mark;
}

void
mload__pop(struct mload *ld, size_t mark)
{
	ld->ptrlen = mark;
	ld->ptr[mark] = '\0';
}

const char *
mload__ptr_dup(struct mload *ld)
{
	return arena_strdup(ld->a, ld->ptrlen > 0 ? ld->ptr : "/");
}

/* ---- errors ------------------------------------------------------------ */

static void
add_err(struct mload *ld, const struct err *e, const char *sortptr)
{
	struct mload_err *r;

	XGROW(ld->errs, ld->nerrs + 1, ld->errs_alloc);
	r = &ld->errs[ld->nerrs];
	r->e = *e;
	r->sortptr = xstrdup(sortptr);
	r->seq = ld->nerrs++;
}

static void
verror_at(struct mload *ld, const char *ptr, const char *fmt, va_list ap)
{
	struct err e;

	err_clear(&e);
	err_vset(&e, fmt, ap);
	err_locate(&e, ld->file, 0, 0, ptr[0] != '\0' ? ptr : "/");
	add_err(ld, &e, ptr);
}

void
mload__error(struct mload *ld, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror_at(ld, ld->ptr, fmt, ap);
	va_end(ap);
}

void
mload__error_key(struct mload *ld, const char *key, const char *fmt, ...)
{
	size_t mark = mload__push(ld, key);
	va_list ap;

	va_start(ap, fmt);
	verror_at(ld, ld->ptr, fmt, ap);
	va_end(ap);
	mload__pop(ld, mark);
}

void
mload__error_err(struct mload *ld, const struct err *e)
{
	struct err c = *e;
	const char *sortptr = ld->ptr;

	/* A pointer set by the parser is more precise than ours. */
	if (c.file[0] == '\0' || strcmp(c.file, ld->file) == 0) {
		if (c.ptr[0] != '\0' && strcmp(c.ptr, "/") != 0)
			sortptr = c.ptr;
		err_locate(&c, ld->file, 0, 0, ld->ptrlen > 0 ? ld->ptr : "/");
	}
	add_err(ld, &c, sortptr);
}

size_t
mload__nerrors(const struct mload *ld)
{
	return ld->nerrs;
}

/*
 * Document order.  Each error's pointer is turned into the positions of
 * its tokens (the index of a key among its object's keys, in document
 * order, or an array index); vectors compare lexicographically, so a
 * parent sorts before its children and siblings in document order.
 */
struct sortkey {
	size_t	*pos;
	size_t	 n;
	size_t	 seq;
};

static size_t
key_index(const json_t *obj, const char *key)
{
	const char *k;
	json_t *v;
	size_t i = 0;

	json_object_foreach((json_t *)obj, k, v) {
		(void)v;
		if (strcmp(k, key) == 0)
			return i;
		i++;
	}
	return SIZE_MAX;
}

/* Unescape one RFC 6901 token of length n into buf. */
static void
unescape_token(const char *s, size_t n, char *buf)
{
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '~' && i + 1 < n && (s[i + 1] == '0' ||
		    s[i + 1] == '1')) {
			buf[j++] = s[i + 1] == '0' ? '~' : '/';
			i++;
		} else
			buf[j++] = s[i];
	}
	buf[j] = '\0';
}

static size_t
token_pos(const json_t **node, const char *tok)
{
	const json_t *j = *node;
	size_t pos = SIZE_MAX;
	char *end;

	if (json_is_object(j)) {
		pos = key_index(j, tok);
		*node = json_object_get(j, tok);
	} else if (json_is_array(j)) {
		unsigned long long u = strtoull(tok, &end, 10);
		if (*tok != '\0' && *end == '\0' && u < json_array_size(j)) {
			pos = (size_t)u;
			*node = json_array_get(j, pos);
		}
	}
	if (pos == SIZE_MAX)
		*node = NULL;
	return pos;
}

static void
sortkey_make(struct sortkey *k, const json_t *root, const char *ptr,
    size_t seq)
{
	size_t len = strlen(ptr);
	char *tok = xmalloc(len + 1);
	const char *s = ptr;

	k->pos = xcalloc(len + 1, sizeof(size_t));
	k->n = 0;
	k->seq = seq;
	while (*s == '/') {
		size_t n = strcspn(s + 1, "/");
		unescape_token(s + 1, n, tok);
		k->pos[k->n++] = root != NULL ? token_pos(&root, tok) :
		    SIZE_MAX;
		s += n + 1;
	}
	free(tok);
}

static int
sortkey_cmp(const void *pa, const void *pb)
{
	const struct sortkey *a = pa, *b = pb;

	for (size_t i = 0; i < a->n && i < b->n; i++)
		if (a->pos[i] != b->pos[i])
			return a->pos[i] < b->pos[i] ? -1 : 1;
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void
mload__flush(struct mload *ld, json_t *root, struct diag *d)
{
	struct sortkey *keys = xcalloc(ld->nerrs + 1, sizeof(*keys));

	for (size_t i = 0; i < ld->nerrs; i++)
		sortkey_make(&keys[i], root, ld->errs[i].sortptr, i);
	qsort(keys, ld->nerrs, sizeof(*keys), sortkey_cmp);
	for (size_t i = 0; i < ld->nerrs; i++) {
		diag_add_err(d, &ld->errs[keys[i].seq].e);
		free(keys[i].pos);
	}
	free(keys);
	for (size_t i = 0; i < ld->nerrs; i++)
		free(ld->errs[i].sortptr);
	free(ld->errs);
	ld->errs = NULL;
	ld->nerrs = ld->errs_alloc = 0;
}

/* ---- allocation -------------------------------------------------------- */

void *
mload__alloc(struct mload *ld, size_t size)
{
	return arena_zalloc(ld->a, size);
}

void *
mload__calloc(struct mload *ld, size_t n, size_t size)
{
	return arena_calloc(ld->a, n, size);
}

const char *
mload__strdup(struct mload *ld, const char *s)
{
	return arena_strdup(ld->a, s);
}

/* ---- suggestions ------------------------------------------------------- */

#define SUGGEST_MAXLEN	64

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Case-insensitive Levenshtein distance; INT_MAX for long strings. */
static int
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[SUGGEST_MAXLEN + 1];

	if (la > SUGGEST_MAXLEN || lb > SUGGEST_MAXLEN)
		return INT_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int sub = diag + (lower(a[i - 1]) != lower(b[j - 1]));
			int best = up + 1 < row[j - 1] + 1 ? up + 1 :
			    row[j - 1] + 1;
			row[j] = sub < best ? sub : best;
			diag = up;
		}
	}
	return row[lb];
}

/* Close enough to be a typo: at most a third of the word, 1 to 3 edits. */
static int
close_enough(int d, const char *cand)
{
	int len = (int)strlen(cand);
	int limit = len / 3;

	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	return d <= limit;
}

const char *
mload__suggest_in(const char *s, const char *const *names, size_t n)
{
	const char *best = NULL;
	int bestd = INT_MAX;

	for (size_t i = 0; i < n; i++) {
		int d;
		if (names[i] == NULL)
			continue;
		d = edit_distance(s, names[i]);
		if (d < bestd && close_enough(d, names[i])) {
			best = names[i];
			bestd = d;
		}
	}
	return best;
}

const char *
mload__suggest(const char *s, const char *const *cand)
{
	size_t n = 0;

	while (cand[n] != NULL)
		n++;
	return mload__suggest_in(s, cand, n);
}

/* ---- keys and types ---------------------------------------------------- */

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:	return "an object";
	case JSON_ARRAY:	return "an array";
	case JSON_STRING:	return "a string";
	case JSON_INTEGER:	return "an integer";
	case JSON_REAL:		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:	return "a boolean";
	case JSON_NULL:		return "null";
	}
	return "a value";
}

static const char *
want_name(json_type t)
{
	switch (t) {
	case JSON_OBJECT:	return "an object";
	case JSON_ARRAY:	return "an array";
	case JSON_STRING:	return "a string";
	case JSON_INTEGER:	return "an integer";
	case JSON_REAL:		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:	return "a boolean";
	case JSON_NULL:		return "null";
	}
	return "a value";
}

int
mload__v_type(struct mload *ld, const json_t *v, json_type t)
{
	int ok = json_typeof(v) == t ||
	    (t == JSON_TRUE && json_is_boolean(v)) ||
	    (t == JSON_REAL && json_is_number(v));

	if (ok)
		return 0;
	mload__error(ld, "expected %s, got %s", want_name(t), type_name(v));
	return -1;
}

static int
is_known(const char *key, const char *const *known)
{
	for (size_t i = 0; known[i] != NULL; i++)
		if (strcmp(key, known[i]) == 0)
			return 1;
	return 0;
}

int
mload__keys(struct mload *ld, const json_t *obj, const char *const *known)
{
	const char *key, *hint;
	json_t *v;
	int bad = 0;

	if (mload__v_type(ld, obj, JSON_OBJECT) < 0)
		return -1;
	json_object_foreach((json_t *)obj, key, v) {
		(void)v;
		if (is_known(key, known))
			continue;
		bad++;
		hint = mload__suggest(key, known);
		if (hint != NULL)
			mload__error_key(ld, key,
			    "unknown key \"%s\" (did you mean \"%s\"?)", key,
			    hint);
		else
			mload__error_key(ld, key, "unknown key \"%s\"", key);
	}
	return bad;
}

int
mload__require(struct mload *ld, const json_t *obj, const char *key)
{
	if (json_object_get(obj, key) != NULL)
		return 0;
	mload__error(ld, "missing required key \"%s\"", key);
	return -1;
}

/* ---- values ------------------------------------------------------------ */

int
mload__v_str(struct mload *ld, const json_t *v, const char **out)
{
	if (mload__v_type(ld, v, JSON_STRING) < 0)
		return -1;
	*out = arena_strndup(ld->a, json_string_value(v),
	    json_string_length(v));
	return 0;
}

int
mload__v_bool(struct mload *ld, const json_t *v, int *out)
{
	if (mload__v_type(ld, v, JSON_TRUE) < 0)
		return -1;
	*out = json_is_true(v);
	return 0;
}

int
mload__v_int(struct mload *ld, const json_t *v, long long lo, long long hi,
    long long *out)
{
	long long x;

	if (mload__v_type(ld, v, JSON_INTEGER) < 0)
		return -1;
	x = (long long)json_integer_value(v);
	if (x < lo || x > hi) {
		if (hi == LLONG_MAX)
			mload__error(ld, "must be at least %lld, got %lld",
			    lo, x);
		else
			mload__error(ld, "must be between %lld and %lld, "
			    "got %lld", lo, hi, x);
		return -1;
	}
	*out = x;
	return 0;
}

int
mload__v_num(struct mload *ld, const json_t *v, double *out)
{
	if (mload__v_type(ld, v, JSON_REAL) < 0)
		return -1;
	*out = json_number_value(v);
	return 0;
}

int
mload__v_dur(struct mload *ld, const json_t *v, int64_t *out)
{
	struct err e = ERR_INIT;
	int64_t ns;

	if (json_is_object(v)) {
		mload__error(ld, "expected a duration such as \"5s\" "
		    "(a distribution is not allowed here)");
		return -1;
	}
	if (dist_parse_duration(v, ld->file, ld->ptr, &ns, &e) < 0) {
		mload__error_err(ld, &e);
		return -1;
	}
	*out = ns;
	return 0;
}

struct dist *
mload__v_dist(struct mload *ld, const json_t *v)
{
	struct model *m = ld->m;
	struct err e = ERR_INIT;
	struct dist *d = mload__alloc(ld, sizeof(*d));

	if (dist_parse(d, v, ld->file, ld->ptr, m->dir, &e) < 0) {
		mload__error_err(ld, &e);
		dist_release(d);
		return NULL;
	}
	XGROW(m->dists, m->ndists + 1, ld->dists_alloc);
	m->dists[m->ndists++] = d;
	return d;
}

/* Every event type name (NULL for reserved values), for suggestions. */
static size_t
evtype_names(const char **names)
{
	size_t n = evtype_count() < EVSET_BITS ? evtype_count() : EVSET_BITS;

	for (size_t v = 0; v < n; v++) {
		const struct evtype *t = evtype_by_value((int)v);
		names[v] = t != NULL && t->kind != EVTYPE_RESERVED ?
		    t->name : NULL;
	}
	return n;
}

const struct evtype *
mload__evtype(struct mload *ld, const char *s)
{
	const struct evtype *t = evtype_by_name(s);
	const char *hint, *names[EVSET_BITS], *shortname = s;
	size_t n;

	if (t != NULL && t->kind != EVTYPE_RESERVED &&
	    t->value < EVSET_BITS)
		return t;
	if (t != NULL) {
		mload__error(ld, "event type \"%s\" is reserved", s);
		return NULL;
	}
	if (strncmp(s, "ES_EVENT_TYPE_", 14) == 0)
		shortname = s + 14;
	n = evtype_names(names);
	hint = mload__suggest_in(shortname, names, n);
	if (hint != NULL)
		mload__error(ld, "unknown event type \"%s\" (did you mean "
		    "\"%s\"?)", s, hint);
	else
		mload__error(ld, "unknown event type \"%s\"", s);
	return NULL;
}

const struct evtype *
mload__v_evtype(struct mload *ld, const json_t *v)
{
	if (mload__v_type(ld, v, JSON_STRING) < 0)
		return NULL;
	return mload__evtype(ld, json_string_value(v));
}

int
mload__v_evlist(struct mload *ld, const json_t *v, struct evset *set)
{
	const struct evtype *t;
	json_t *it;
	size_t i;
	int rc = 0;

	if (mload__v_type(ld, v, JSON_ARRAY) < 0)
		return -1;
	json_array_foreach(v, i, it) {
		size_t mark = mload__push_index(ld, i);
		if ((t = mload__v_evtype(ld, it)) == NULL)
			rc = -1;
		else if (evset_has(set, t->value)) {
			mload__error(ld, "%s is listed twice", t->name);
			rc = -1;
		} else
			evset_add(set, t->value);
		mload__pop(ld, mark);
	}
	return rc;
}

/* ---- keys -------------------------------------------------------------- */

int
mload__k_str(struct mload *ld, const json_t *obj, const char *key,
    const char **out)
{
	const json_t *v = json_object_get(obj, key);
	size_t mark;
	int rc;

	if (v == NULL)
		return 0;
	mark = mload__push(ld, key);
	rc = mload__v_str(ld, v, out);
	mload__pop(ld, mark);
	return rc < 0 ? -1 : 1;
}

int
mload__k_bool(struct mload *ld, const json_t *obj, const char *key,
    int *out)
{
	const json_t *v = json_object_get(obj, key);
	size_t mark;
	int rc;

	if (v == NULL)
		return 0;
	mark = mload__push(ld, key);
	rc = mload__v_bool(ld, v, out);
	mload__pop(ld, mark);
	return rc < 0 ? -1 : 1;
}

int
mload__k_int(struct mload *ld, const json_t *obj, const char *key,
    long long lo, long long hi, long long *out)
{
	const json_t *v = json_object_get(obj, key);
	size_t mark;
	int rc;

	if (v == NULL)
		return 0;
	mark = mload__push(ld, key);
	rc = mload__v_int(ld, v, lo, hi, out);
	mload__pop(ld, mark);
	return rc < 0 ? -1 : 1;
}

int
mload__k_dur(struct mload *ld, const json_t *obj, const char *key,
    int64_t *out)
{
	const json_t *v = json_object_get(obj, key);
	size_t mark;
	int rc;

	if (v == NULL)
		return 0;
	mark = mload__push(ld, key);
	rc = mload__v_dur(ld, v, out);
	mload__pop(ld, mark);
	return rc < 0 ? -1 : 1;
}

/* "a, b or c" from a NULL-terminated list, into buf. */
static const char *
or_list(const char *const *names, char *buf, size_t size)
{
	size_t n = 0, len = 0;

	while (names[n] != NULL)
		n++;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s\"%s\"",
		    i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
	return buf;
}

int
mload__k_enum(struct mload *ld, const json_t *obj, const char *key,
    const char *const *names, int *out)
{
	const json_t *v = json_object_get(obj, key);
	char buf[256];
	size_t mark;
	int rc = -1;

	if (v == NULL)
		return 0;
	mark = mload__push(ld, key);
	if (mload__v_type(ld, v, JSON_STRING) == 0) {
		for (int i = 0; names[i] != NULL && rc < 0; i++)
			if (strcmp(json_string_value(v), names[i]) == 0) {
				*out = i;
				rc = 1;
			}
		if (rc < 0)
			mload__error(ld, "must be %s, got \"%s\"",
			    or_list(names, buf, sizeof(buf)),
			    json_string_value(v));
	}
	mload__pop(ld, mark);
	return rc;
}
