/*
 * model-workload.c - the "workload" section: synthetic sources and trace
 * replay.
 *
 * A source issues one event type from one process at a rate ("200/s":
 * Poisson arrivals) or an interval ("5ms": constant arrivals), between
 * start and stop, optionally in on/off bursts, either open loop (a new
 * thread per arrival, so load never throttles itself) or closed loop
 * (N threads that each wait for their previous syscall).  A trace names
 * an eslogger file replayed open loop (at recorded times, scaled by
 * speed) or closed loop, with NOTIFY types optionally turned into their
 * AUTH twins (eslogger records NOTIFY events only) and filters by type,
 * process and time window.  Only the description is kept here; the
 * trace file itself is read by sim/trace at run time.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/units.h"
#include "core/xalloc.h"
#include "model/model-names.h"
#include "model/model-path.h"
#include "model/model-workload.h"

#define SOURCE_THREADS_MAX	4096

static const char *const workload_keys[] = { "sources", "trace", NULL };
static const char *const source_keys[] = {
	"process", "event", "rate", "interval", "arrival", "path", "target",
	"burst", "threads", "start", "stop", NULL
};
static const char *const burst_keys[] = { "on", "off", "factor", NULL };
static const char *const trace_keys[] = {
	"file", "mode", "speed", "as_auth", "filter", NULL
};
static const char *const filter_keys[] = {
	"types", "processes", "start", "end", NULL
};

/* A positive, finite number under key (absent: 0). */
static int
positive(struct mload *ld, const json_t *obj, const char *key, double *out)
{
	const json_t *v = json_object_get(obj, key);
	size_t mark;
	int rc = 1;

	if (v == NULL)
		return 0;
	mark = mload__push(ld, key);
	if (mload__v_num(ld, v, out) < 0)
		rc = -1;
	else if (!(*out > 0) || !isfinite(*out)) {
		mload__error(ld, "must be above 0, got %g", *out);
		rc = -1;
	}
	mload__pop(ld, mark);
	return rc;
}

/* A duration under key that must be above zero. */
static int
positive_dur(struct mload *ld, const json_t *obj, const char *key,
    int64_t *out)
{
	int rc = mload__k_dur(ld, obj, key, out);

	if (rc > 0 && *out <= 0) {
		mload__error_key(ld, key, "must be above 0s");
		return -1;
	}
	return rc;
}

/* "before" must come before "after" (both set), reported at akey. */
static void
check_order(struct mload *ld, const char *akey, int64_t before,
    int64_t after, const char *what)
{
	char b1[UNITS_DURATION_MAX], b2[UNITS_DURATION_MAX];

	if (after > before)
		return;
	mload__error_key(ld, akey, "%s (%s) must be after start (%s)", what,
	    units_format_duration(after, b1, sizeof(b1)),
	    units_format_duration(before, b2, sizeof(b2)));
}

/* ---- sources ----------------------------------------------------------- */

static void
source_rate(struct mload *ld, struct m_source *s, const json_t *v)
{
	struct units_rate r;
	struct err e = ERR_INIT;
	double ns;
	size_t mark = mload__push(ld, "rate");

	if (mload__v_type(ld, v, JSON_STRING) == 0) {
		if (units_parse_rate(json_string_value(v), &r, &e) < 0)
			mload__error_err(ld, &e);
		else {
			ns = units_rate_interval_ns(&r);
			s->mean_interval = ns < 1 ? 1 : ns > (double)INT64_MAX ?
			    INT64_MAX : (int64_t)llround(ns);
		}
	}
	mload__pop(ld, mark);
	s->arrival = M_ARRIVAL_POISSON;
}

static void
source_arrival(struct mload *ld, struct m_source *s, const json_t *obj)
{
	const json_t *rate = json_object_get(obj, "rate");
	static const char *const arrivals[] = { "poisson", "constant", NULL };
	int arr;

	if ((rate != NULL) == (json_object_get(obj, "interval") != NULL)) {
		mload__error(ld, "a source has one of \"rate\" or "
		    "\"interval\"");
		return;
	}
	if (rate != NULL)
		source_rate(ld, s, rate);
	else {
		positive_dur(ld, obj, "interval", &s->mean_interval);
		s->arrival = M_ARRIVAL_CONSTANT;
	}
	if (mload__k_enum(ld, obj, "arrival", arrivals, &arr) > 0)
		s->arrival = arr == 0 ? M_ARRIVAL_POISSON : M_ARRIVAL_CONSTANT;
}

static void
source_burst(struct mload *ld, struct m_source *s, const json_t *obj)
{
	const json_t *b = json_object_get(obj, "burst");
	size_t mark;

	if (b == NULL)
		return;
	mark = mload__push(ld, "burst");
	if (mload__keys(ld, b, burst_keys) == 0 &&
	    mload__require(ld, b, "on") == 0 &&
	    mload__require(ld, b, "off") == 0 &&
	    mload__require(ld, b, "factor") == 0) {
		s->has_burst = 1;
		positive_dur(ld, b, "on", &s->burst_on);
		positive_dur(ld, b, "off", &s->burst_off);
		positive(ld, b, "factor", &s->burst_factor);
	}
	mload__pop(ld, mark);
}

static void
source_paths(struct mload *ld, struct m_source *s, const json_t *obj)
{
	static const char *const keys[] = { "path", "target" };
	struct m_pathspec *ps[] = { &s->path, &s->target };

	for (size_t i = 0; i < 2; i++) {
		const json_t *v = json_object_get(obj, keys[i]);
		size_t mark;
		if (v == NULL)
			continue;
		mark = mload__push(ld, keys[i]);
		mload__pathspec(ld, v, 0, ps[i]);
		mload__pop(ld, mark);
	}
}

static void
source_who(struct mload *ld, struct m_source *s, const json_t *obj)
{
	const char *name;
	const json_t *ev = json_object_get(obj, "event");
	size_t mark;

	if (mload__k_str(ld, obj, "process", &name) > 0) {
		if (name[0] == '\0')
			mload__error_key(ld, "process", "name must not be "
			    "empty");
		else
			s->process = mload__process_ref(ld, name);
	}
	if (ev != NULL) {
		mark = mload__push(ld, "event");
		s->event = mload__v_evtype(ld, ev);
		mload__pop(ld, mark);
	}
}

static void
read_source(struct mload *ld, struct m_source *s, const json_t *obj)
{
	long long threads;

	s->ptr = mload__ptr_dup(ld);
	s->stop = ld->m->duration;
	if (mload__keys(ld, obj, source_keys) < 0)
		return;
	mload__require(ld, obj, "process");
	mload__require(ld, obj, "event");
	source_who(ld, s, obj);
	source_arrival(ld, s, obj);
	source_paths(ld, s, obj);
	source_burst(ld, s, obj);
	if (mload__k_int(ld, obj, "threads", 0, SOURCE_THREADS_MAX,
	    &threads) > 0)
		s->threads = (int)threads;
	mload__k_dur(ld, obj, "start", &s->start);
	if (mload__k_dur(ld, obj, "stop", &s->stop) > 0)
		check_order(ld, "stop", s->start, s->stop, "stop");
}

static void
read_sources(struct mload *ld, const json_t *v)
{
	struct model *m = ld->m;
	json_t *it;
	size_t i;

	if (mload__v_type(ld, v, JSON_ARRAY) < 0)
		return;
	m->sources = mload__calloc(ld, json_array_size(v),
	    sizeof(*m->sources));
	m->nsources = json_array_size(v);
	json_array_foreach(v, i, it) {
		size_t mark = mload__push_index(ld, i);
		m->sources[i].id = (int)i;
		read_source(ld, &m->sources[i], it);
		mload__pop(ld, mark);
	}
}

/* ---- trace ------------------------------------------------------------- */

/*
 * One as_auth entry: an eslogger name ("open") or a type name (NOTIFY
 * or AUTH form); the NOTIFY type that has an AUTH twin goes in the set.
 */
static void
as_auth_one(struct mload *ld, struct evset *set, const json_t *v)
{
	const struct evtype *t;

	if (mload__v_type(ld, v, JSON_STRING) < 0)
		return;
	t = evtype_by_eslogger(json_string_value(v), EVTYPE_NOTIFY);
	if (t == NULL && (t = mload__evtype(ld, json_string_value(v))) == NULL)
		return;
	if (evtype_is_auth(t))
		t = evtype_notify_twin(t);
	if (t == NULL || evtype_auth_twin(t) == NULL) {
		mload__error(ld, "\"%s\" has no AUTH form to replay as",
		    json_string_value(v));
		return;
	}
	evset_add(set, t->value);
}

/* "all": every NOTIFY type with an AUTH twin. */
static void
as_auth_all(struct evset *set)
{
	for (size_t v = 0; v < evtype_count() && v < EVSET_BITS; v++) {
		const struct evtype *t = evtype_by_value((int)v);
		if (t != NULL && t->kind == EVTYPE_NOTIFY &&
		    evtype_auth_twin(t) != NULL)
			evset_add(set, t->value);
	}
}

static void
read_as_auth(struct mload *ld, struct m_trace *t, const json_t *v)
{
	json_t *it;
	size_t i;

	if (json_is_string(v) && strcmp(json_string_value(v), "all") == 0) {
		as_auth_all(&t->as_auth);
		return;
	}
	if (!json_is_array(v)) {
		mload__error(ld, "expected a list of event types or \"all\"");
		return;
	}
	json_array_foreach(v, i, it) {
		size_t mark = mload__push_index(ld, i);
		as_auth_one(ld, &t->as_auth, it);
		mload__pop(ld, mark);
	}
}

static void
filter_processes(struct mload *ld, struct m_trace *t, const json_t *v)
{
	json_t *it;
	size_t i;

	if (mload__v_type(ld, v, JSON_ARRAY) < 0)
		return;
	t->filter_processes = mload__calloc(ld, json_array_size(v),
	    sizeof(*t->filter_processes));
	json_array_foreach(v, i, it) {
		size_t mark = mload__push_index(ld, i);
		const char *s = NULL;
		if (mload__v_str(ld, it, &s) < 0)
			;
		else if (s[0] == '\0')
			mload__error(ld, "name must not be empty");
		else
			t->filter_processes[t->nfilter_processes++] = s;
		mload__pop(ld, mark);
	}
}

static void
read_filter(struct mload *ld, struct m_trace *t, const json_t *f)
{
	const json_t *v;
	size_t mark;

	if (mload__keys(ld, f, filter_keys) < 0)
		return;
	if ((v = json_object_get(f, "types")) != NULL) {
		mark = mload__push(ld, "types");
		t->has_filter_types = 1;
		mload__v_evlist(ld, v, &t->filter_types);
		mload__pop(ld, mark);
	}
	if ((v = json_object_get(f, "processes")) != NULL) {
		mark = mload__push(ld, "processes");
		filter_processes(ld, t, v);
		mload__pop(ld, mark);
	}
	mload__k_dur(ld, f, "start", &t->window_start);
	if (mload__k_dur(ld, f, "end", &t->window_end) > 0)
		check_order(ld, "end", t->window_start < 0 ? 0 :
		    t->window_start, t->window_end, "end");
}

/* The trace file, relative to the model's directory unless absolute. */
static void
trace_file(struct mload *ld, struct m_trace *t, const json_t *obj)
{
	const char *f, *dir = ld->m->dir;
	char *s;

	if (mload__k_str(ld, obj, "file", &f) <= 0)
		return;
	if (f[0] == '\0') {
		mload__error_key(ld, "file", "file name must not be empty");
		return;
	}
	if (f[0] == '/' || dir == NULL || dir[0] == '\0' ||
	    strcmp(dir, ".") == 0) {
		t->file = f;
		return;
	}
	s = xasprintf("%s/%s", dir, f);
	t->file = mload__strdup(ld, s);
	free(s);
}

static void
read_trace(struct mload *ld, const json_t *obj)
{
	static const char *const modes[] = { "closed", "open", NULL };
	struct m_trace *t = mload__alloc(ld, sizeof(*t));
	const json_t *v;
	size_t mark;
	int mode;

	t->speed = 1;
	t->window_start = t->window_end = -1;
	if (mload__keys(ld, obj, trace_keys) < 0)
		return;
	ld->m->trace = t;
	mload__require(ld, obj, "file");
	trace_file(ld, t, obj);
	if (mload__k_enum(ld, obj, "mode", modes, &mode) > 0)
		t->mode = mode == 0 ? M_TRACE_CLOSED : M_TRACE_OPEN;
	positive(ld, obj, "speed", &t->speed);
	if ((v = json_object_get(obj, "as_auth")) != NULL) {
		mark = mload__push(ld, "as_auth");
		read_as_auth(ld, t, v);
		mload__pop(ld, mark);
	}
	if ((v = json_object_get(obj, "filter")) != NULL) {
		mark = mload__push(ld, "filter");
		read_filter(ld, t, v);
		mload__pop(ld, mark);
	}
}

void
mload__workload(struct mload *ld, const json_t *w)
{
	const json_t *v;
	size_t mark;

	if (mload__keys(ld, w, workload_keys) < 0)
		return;
	if ((v = json_object_get(w, "sources")) != NULL) {
		mark = mload__push(ld, "sources");
		read_sources(ld, v);
		mload__pop(ld, mark);
	}
	if ((v = json_object_get(w, "trace")) != NULL) {
		mark = mload__push(ld, "trace");
		read_trace(ld, v);
		mload__pop(ld, mark);
	}
}
