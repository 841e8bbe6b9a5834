/*
 * expect.c - parsing a model's `expect` block and checking it; see
 * expect.h for the language.
 *
 * Parsing resolves everything once: each key becomes a measure (what to
 * read from a run's analyses: a count of findings, a counter of a client
 * or process, a quantile of a histogram) with the model id of the client,
 * process or event type it names, and each value a comparison with the
 * operator and the number, durations already in nanoseconds.  Every
 * problem is reported, each at its JSON pointer, and nothing is run when
 * one was found.
 *
 * Checking is in ex-check.c.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/ex-int.h"
#include "core/units.h"
#include "core/xalloc.h"

static const struct keydef keys[] = {
	{ "deadlocks", XM_DEADLOCKS, E_NONE, 0, 0 },
	{ "potential_cycles", XM_POTENTIAL, E_NONE, 0, 0 },
	{ "static_cycles", XM_STATIC, E_NONE, 0, 0 },
	{ "thread_explosions", XM_EXPLOSIONS, E_PROC, 0, 0 },
	{ "kills", XM_KILLS, E_CLIENT, 0, 0 },
	{ "misses", XM_MISSES, E_CLIENT, 0, 0 },
	{ "restarts", XM_RESTARTS, E_CLIENT, 0, 0 },
	{ "peak_threads", XM_PEAK, E_PROC, 0, 0 },
	{ "latency", XM_LATENCY, E_TYPE, 1, 1 },
	{ "response", XM_RESPONSE, E_CLIENT, 1, 1 },
	{ "queue_wait", XM_QWAIT, E_CLIENT, 1, 1 },
	{ "headroom", XM_HEADROOM, E_CLIENT, 1, 0 },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

/* Parsing state: where we are and where errors go. */
struct px {
	struct ex_set	*s;
	struct diag	*d;
	int		 bad;
	char		 ptr[512];
};

static void
bad(struct px *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_addptr(p->d, p->s->m->file, p->ptr, "%s", msg);
	p->bad = 1;
}

/* ---- names ------------------------------------------------------------ */

static int
find_ent(const struct model *m, enum ent e, const char *name)
{
	const struct evtype *t;

	switch (e) {
	case E_CLIENT:
		for (size_t i = 0; i < m->nclients; i++)
			if (strcmp(m->clients[i]->name, name) == 0)
				return (int)i;
		return -1;
	case E_PROC:
		for (size_t i = 0; i < m->nprocs; i++)
			if (strcmp(m->procs[i]->name, name) == 0)
				return (int)i;
		return -1;
	case E_TYPE:
		t = evtype_by_name(name);
		return t != NULL ? t->value : -1;
	default:
		return -1;
	}
}

static const char *
ent_name(enum ent e)
{
	return e == E_CLIENT ? "client" : e == E_PROC ? "process" :
	    "event type";
}

/* "p99.9" -> 0.999, "max" -> 1, "min" -> 0; -1 when not a statistic. */
static double
parse_stat(const char *s)
{
	char *end;
	double v;

	if (strcmp(s, "max") == 0)
		return 1;
	if (strcmp(s, "min") == 0)
		return 0;
	if (s[0] != 'p' || !isdigit((unsigned char)s[1]))
		return -1;
	v = strtod(s + 1, &end);
	if (*end != '\0' || !(v > 0 && v <= 100))
		return -1;
	return v / 100;
}

static const struct keydef *
find_key(const char *name, size_t len)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == len &&
		    strncmp(keys[i].name, name, len) == 0)
			return &keys[i];
	return NULL;
}

/*
 * The measure of a dotted key: "deadlocks", "kills.acme",
 * "latency.AUTH_OPEN.p99", "headroom.acme.AUTH_OPEN".  Names may contain
 * dots: every split is tried, from the right.  Returns 0 or -1 (error
 * reported unless quiet).
 */
static int
resolve(struct px *p, const char *key, struct metric *mt)
{
	const char *dot = strchr(key, '.'), *rest;
	char *name;
	int ok = -1;

	mt->k = find_key(key, dot != NULL ? (size_t)(dot - key) : strlen(key));
	mt->who = mt->type = -1;
	mt->q = 1;
	if (mt->k == NULL) {
		bad(p, "unknown expectation \"%s\" (see docs/model-format.md)",
		    key);
		return -1;
	}
	if (dot == NULL) {
		if (!mt->k->stat && mt->k->kind != XM_HEADROOM)
			return 0;
		bad(p, "\"%s\" needs a %s: \"%s.NAME%s\"", key,
		    ent_name(mt->k->ent), key, mt->k->stat ? ".STAT" : "");
		return -1;
	}
	if (mt->k->ent == E_NONE) {
		bad(p, "\"%s\" takes no name", mt->k->name);
		return -1;
	}
	rest = dot + 1;
	name = xstrdup(rest);
	if (!mt->k->stat)
		ok = (mt->who = find_ent(p->s->m, mt->k->ent, name)) >= 0 ?
		    0 : -1;
	for (size_t i = strlen(name); ok != 0 && i-- > 0;) {
		if (name[i] != '.')
			continue;
		name[i] = '\0';
		if (mt->k->stat && (mt->q = parse_stat(name + i + 1)) >= 0)
			ok = (mt->who = find_ent(p->s->m, mt->k->ent, name)) >=
			    0 ? 0 : -1;
		else if (mt->k->kind == XM_HEADROOM &&
		    (mt->type = find_ent(p->s->m, E_TYPE, name + i + 1)) >= 0)
			ok = (mt->who = find_ent(p->s->m, E_CLIENT, name)) >=
			    0 ? 0 : -1;
		name[i] = '.';
	}
	if (ok != 0)
		bad(p, "\"%s\": %s", key, mt->k->stat ? "want KEY.NAME.STAT "
		    "with a known name and STAT one of p50, p90, p99, p99.9, "
		    "pN, min, max" : "no such name in the model");
	free(name);
	return ok;
}

/* ---- comparisons ------------------------------------------------------ */

static const char *
parse_op(const char *s, enum op *op)
{
	static const struct { const char *t; enum op op; } ops[] = {
		{ "==", OP_EQ }, { "!=", OP_NE }, { "<=", OP_LE },
		{ ">=", OP_GE }, { "<", OP_LT }, { ">", OP_GT }
	};

	while (*s == ' ')
		s++;
	*op = OP_EQ;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strncmp(s, ops[i].t, strlen(ops[i].t)) == 0) {
			*op = ops[i].op;
			s += strlen(ops[i].t);
			break;
		}
	while (*s == ' ')
		s++;
	return s;
}

static int
parse_number(const char *s, double *v)
{
	char *end;

	if (*s == '\0')
		return -1;
	*v = strtod(s, &end);
	while (*end == ' ')
		end++;
	return *end != '\0' || !isfinite(*v) ? -1 : 0;
}

/* kind: 0 count, 1 duration, 2 probability (ranges allowed). */
static int
parse_cmp_str(struct px *p, const char *s, int kind, struct cmp *c)
{
	struct err e = ERR_INIT;
	const char *v = parse_op(s, &c->op), *dd;
	int64_t ns;
	char lo[64];

	if (kind == 2 && (dd = strstr(v, "..")) != NULL &&
	    (size_t)(dd - v) < sizeof(lo)) {
		memcpy(lo, v, (size_t)(dd - v));
		lo[dd - v] = '\0';
		if (c->op != OP_EQ || parse_number(lo, &c->v) != 0 ||
		    parse_number(dd + 2, &c->hi) != 0 || c->v > c->hi)
			goto bad_range;
		c->op = OP_RANGE;
	} else if (kind == 1) {
		if (strcmp(v, "0") == 0)
			ns = 0;
		else if (units_parse_duration(v, &ns, &e) != 0) {
			bad(p, "\"%s\": %s", s, e.text);
			return -1;
		}
		c->v = (double)ns;
	} else if (parse_number(v, &c->v) != 0) {
		bad(p, "bad comparison \"%s\": want OP NUMBER, OP one of == != "
		    "< <= > >=", s);
		return -1;
	}
	if (kind == 2 && (c->v < 0 || c->v > 1 || (c->op == OP_RANGE &&
	    c->hi > 1)))
		goto bad_range;
	return 0;
bad_range:
	bad(p, "bad probability \"%s\": want OP P or LO..HI, within 0..1", s);
	return -1;
}

/*
 * How a comparison reads in a label: a string as written, a bare number
 * P as "==P" (what parse_cmp makes of it), NULL as dflt.
 */
static const char *
cmp_label(const json_t *j, const char *dflt, char *buf, size_t n)
{
	if (json_is_string(j))
		return json_string_value(j);
	if (json_is_number(j)) {
		snprintf(buf, n, "==%g", json_number_value(j));
		return buf;
	}
	return dflt;
}

static int
parse_cmp(struct px *p, const json_t *j, int kind, struct cmp *c)
{
	if (json_is_string(j))
		return parse_cmp_str(p, json_string_value(j), kind, c);
	if (json_is_number(j) && kind != 1) {
		c->op = OP_EQ;
		c->v = json_number_value(j);
		if (kind == 2 && (c->v < 0 || c->v > 1)) {
			bad(p, "a probability is within 0..1");
			return -1;
		}
		return 0;
	}
	if (json_is_integer(j) && json_integer_value(j) == 0) {
		c->op = OP_EQ;
		c->v = 0;
		return 0;
	}
	bad(p, kind == 1 ? "want a comparison string with a duration, such "
	    "as \"<50ms\"" : "want a number or a comparison string such as "
	    "\">=1\"");
	return -1;
}

/* ---- items ------------------------------------------------------------ */

static struct item *
add(struct px *p, enum it kind)
{
	struct item *it;

	XGROW(p->s->v, p->s->n + 1, p->s->a);
	it = &p->s->v[p->s->n++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->flag_a = it->flag_b = -1;
	return it;
}

static char *
cmp_text(const json_t *j)
{
	if (json_is_string(j))
		return xstrdup(json_string_value(j));
	if (json_is_integer(j))
		return xasprintf("==%" JSON_INTEGER_FORMAT, json_integer_value(j));
	return xasprintf("==%g", json_number_value(j));
}

static void
plain(struct px *p, const char *key, const json_t *val)
{
	struct metric mt;
	struct cmp c;
	struct item *it;
	char *t;

	if (resolve(p, key, &mt) != 0 || parse_cmp(p, val, mt.k->dur, &c) != 0)
		return;
	it = add(p, IT_PLAIN);
	it->m = mt;
	it->c = c;
	t = cmp_text(val);
	it->label = xasprintf("%s %s", key, t);
	free(t);
}

static void
push_ptr(struct px *p, const char *tok, size_t *save)
{
	*save = strlen(p->ptr);
	err_ptr_append(p->ptr, sizeof(p->ptr), tok);
}

/* {"acme": CMP, ...} for keys that name clients or processes. */
static void
per_name(struct px *p, const char *key, const json_t *obj)
{
	const char *name;
	json_t *v;
	size_t save;
	char *dotted;

	json_object_foreach((json_t *)obj, name, v) {
		push_ptr(p, name, &save);
		dotted = xasprintf("%s.%s", key, name);
		plain(p, dotted, v);
		free(dotted);
		p->ptr[save] = '\0';
	}
}

static uint64_t
parse_seeds(struct px *p, const json_t *o)
{
	const json_t *j = json_object_get(o, "seeds");
	size_t save;

	if (j == NULL)
		return EX_DEF_SEEDS;
	push_ptr(p, "seeds", &save);
	if (!json_is_integer(j) || json_integer_value(j) < 1 ||
	    json_integer_value(j) > EX_MAX_SEEDS)
		bad(p, "want a whole number of seeds, 1 to %d", EX_MAX_SEEDS);
	p->ptr[save] = '\0';
	return json_is_integer(j) && json_integer_value(j) >= 1 ?
	    (uint64_t)json_integer_value(j) : 1;
}

static int
check_keys(struct px *p, const json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;
	int ok = 0;

	json_object_foreach((json_t *)o, k, v) {
		size_t i, save;

		for (i = 0; allowed[i] != NULL && strcmp(allowed[i], k); i++)
			continue;
		if (allowed[i] == NULL) {
			push_ptr(p, k, &save);
			bad(p, "unknown key \"%s\"", k);
			p->ptr[save] = '\0';
			ok = -1;
		}
	}
	return ok;
}

static int
flag_id(const struct model *m, const char *name)
{
	for (size_t i = 0; i < m->nflags; i++)
		if (strcmp(m->flags[i]->name, name) == 0)
			return (int)i;
	return -1;
}

static void
order(struct px *p, const json_t *o)
{
	static const char *const allowed[] = { "before", "probability",
	    "seeds", NULL };
	const json_t *b = json_object_get(o, "before");
	const json_t *pr = json_object_get(o, "probability");
	struct item *it;
	char num[32];
	size_t save;
	int f[2] = { -1, -1 };

	if (!json_is_object(o)) {
		bad(p, "want {\"before\": [A, B], \"probability\": P, "
		    "\"seeds\": N}");
		return;
	}
	check_keys(p, o, allowed);
	push_ptr(p, "before", &save);
	if (!json_is_array(b) || json_array_size(b) != 2)
		bad(p, "want two flag names: [\"A\", \"B\"] (A set before B)");
	for (size_t i = 0; json_is_array(b) && i < 2 &&
	    i < json_array_size(b); i++) {
		const json_t *s = json_array_get(b, i);
		size_t save2;

		push_ptr(p, i == 0 ? "0" : "1", &save2);
		if (!json_is_string(s))
			bad(p, "want a flag name");
		else if ((f[i] = flag_id(p->s->m, json_string_value(s))) < 0)
			bad(p, "no flag \"%s\" is set or waited for in the "
			    "model", json_string_value(s));
		p->ptr[save2] = '\0';
	}
	p->ptr[save] = '\0';
	it = add(p, IT_ORDER);
	it->flag_a = f[0];
	it->flag_b = f[1];
	it->seeds = parse_seeds(p, o);
	it->c.op = OP_GE;
	it->c.v = 1;
	if (pr != NULL) {
		push_ptr(p, "probability", &save);
		parse_cmp(p, pr, 2, &it->c);
		p->ptr[save] = '\0';
	}
	if (f[0] >= 0 && f[1] >= 0)
		it->label = xasprintf("order %s before %s (probability %s "
		    "over %" PRIu64 " seeds)", p->s->m->flags[f[0]]->name,
		    p->s->m->flags[f[1]]->name,
		    cmp_label(pr, ">=1", num, sizeof(num)), it->seeds);
}

/* "deadlocks>=1", "latency.AUTH_OPEN.p99 < 50ms" */
static int
parse_of(struct px *p, const char *s, struct metric *mt, struct cmp *c)
{
	size_t n = strcspn(s, "=!<>");
	char *key;
	int r;

	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (s[n] == '\0' || n == 0) {
		bad(p, "want \"MEASURE OP VALUE\", such as \"deadlocks>=1\"");
		return -1;
	}
	key = xstrndup(s, n);
	r = resolve(p, key, mt);
	free(key);
	if (r != 0)
		return -1;
	return parse_cmp_str(p, s + n, mt->k->dur, c);
}

static void
probability(struct px *p, const json_t *o)
{
	static const char *const allowed[] = { "of", "seeds", "expect", NULL };
	const json_t *of = json_object_get(o, "of");
	const json_t *ex = json_object_get(o, "expect");
	struct item *it;
	char num[32];
	size_t save;

	if (!json_is_object(o)) {
		bad(p, "want {\"of\": \"MEASURE OP VALUE\", \"seeds\": N, "
		    "\"expect\": P}");
		return;
	}
	check_keys(p, o, allowed);
	it = add(p, IT_PROB);
	it->seeds = parse_seeds(p, o);
	push_ptr(p, "of", &save);
	if (!json_is_string(of))
		bad(p, "want \"MEASURE OP VALUE\", such as \"deadlocks>=1\"");
	else if (parse_of(p, json_string_value(of), &it->m, &it->of) == 0)
		it->label = xasprintf("probability of %s over %" PRIu64
		    " seeds: %s", json_string_value(of), it->seeds,
		    cmp_label(ex, "?", num, sizeof(num)));
	p->ptr[save] = '\0';
	push_ptr(p, "expect", &save);
	if (ex == NULL)
		bad(p, "missing: the probability expected, such as \"0.3..0.7\"");
	else
		parse_cmp(p, ex, 2, &it->c);
	p->ptr[save] = '\0';
}

/* "order" or "probability": one object or a list of them. */
static void
multi(struct px *p, const json_t *v, void (*one)(struct px *, const json_t *))
{
	size_t i, save;
	json_t *x;

	if (!json_is_array(v)) {
		one(p, v);
		return;
	}
	json_array_foreach(v, i, x) {
		save = strlen(p->ptr);
		err_ptr_append_index(p->ptr, sizeof(p->ptr), i);
		one(p, x);
		p->ptr[save] = '\0';
	}
}

static void
entry(struct px *p, const char *key, const json_t *val)
{
	const struct keydef *k = find_key(key, strlen(key));

	if (strcmp(key, "order") == 0)
		multi(p, val, order);
	else if (strcmp(key, "probability") == 0)
		multi(p, val, probability);
	else if (k != NULL && k->ent != E_NONE && !k->stat &&
	    json_is_object(val))
		per_name(p, key, val);
	else
		plain(p, key, val);
}

struct ex_set *
ex_parse(const struct model *m, struct diag *d)
{
	struct ex_set *s = xcalloc(1, sizeof(*s));
	struct px p;
	const char *key;
	json_t *val;
	size_t save;

	s->m = m;
	s->static_cycles = -1;
	memset(&p, 0, sizeof(p));
	p.s = s;
	p.d = d;
	snprintf(p.ptr, sizeof(p.ptr), "/expect");
	if (m->expect == NULL)
		return s;
	if (!json_is_object(m->expect)) {
		bad(&p, "want an object");
	} else {
		json_object_foreach(m->expect, key, val) {
			push_ptr(&p, key, &save);
			entry(&p, key, val);
			p.ptr[save] = '\0';
		}
	}
	if (p.bad) {
		ex_free(s);
		return NULL;
	}
	return s;
}

void
ex_free(struct ex_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].label);
	free(s->v);
	free(s);
}

size_t
ex_count(const struct ex_set *s)
{
	return s->n;
}
