/*
 * model.c - loading a model: the public entry points, the top-level
 * keys (essim, name, duration, seed, machine, es, gcd, limits) and the
 * two passes.
 *
 * Pass 1 (declare) creates every process the model declares in
 * "processes", "daemons" and "clients", with its queue and service
 * names, so that pass 2 can resolve a name wherever it appears in the
 * file: a handler may call a daemon declared below it.  Pass 2 reads and
 * checks everything, creating undeclared processes as sources, mute
 * rules and conditions name them.  The loader stops at nothing: each
 * problem is recorded with its JSON pointer and the walk goes on, so one
 * run lists every error, sorted into document order at the end (see
 * mload.c).  A model with any error is freed and never returned.
 *
 * Cost: one pass over the document for each of the two passes, plus
 * linear name lookups (tens of processes, queues and services); loading
 * the models in models/ takes tens of microseconds, which matters for
 * sweeps that reload a patched document for every point.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/dist.h"
#include "core/jsonfile.h"
#include "core/xalloc.h"
#include "model/mload.h"
#include "model/model-client.h"
#include "model/model-names.h"
#include "model/model-proc.h"
#include "model/model-workload.h"
#include "model/model.h"

#define SEC		INT64_C(1000000000)
#define CORES_MAX	1024
#define WQ_MAX		32768
#define LIMIT_MAX	INT_MAX
#define LIMIT_THREADS	0
#define LIMIT_WORLD_THREADS 1000000
#define LIMIT_QUEUED	1000000

static const char *const top_keys[] = {
	"essim", "name", "about", "duration", "seed", "machine", "es", "gcd",
	"processes", "daemons", "clients", "workload", "expect", "limits",
	NULL
};
static const char *const machine_keys[] = { "cores", "contention", NULL };
static const char *const es_keys[] = {
	"deadline", "restart_delay", "early_boot_timeout", "default_mute",
	NULL
};
static const char *const gcd_keys[] = {
	"constrained_max", "max_threads", "create_latency", "idle_timeout",
	NULL
};
static const char *const limit_keys[] = {
	"max_threads", "max_world_threads", "max_queued", "max_delivery_queue",
	NULL
};
static const char *const default_mutes[] = { "none", "13.3.1", "26", NULL };

/* ---- defaults ---------------------------------------------------------- */

static void
set_defaults(struct model *m)
{
	m->duration = 60 * SEC;
	m->seed = 1;
	m->about = "";
	m->cores = 8;
	for (size_t v = 0; v < EVSET_BITS; v++) {
		const struct evtype *t = evtype_by_value((int)v);
		m->deadline[v] = t != NULL && evtype_is_auth(t) ? 30 * SEC : 0;
	}
	m->restart_delay = 5 * SEC;
	m->early_boot_timeout = 60 * SEC;
	m->default_mute = M_DEFMUTE_NONE;
	m->wq_constrained_max = -1;	/* from cores, once they are known */
	m->wq_max_threads = 512;
	m->wq_create_latency = 50000;	/* 50us: reference/gcd.md §4 */
	m->wq_idle_timeout = 5 * SEC;
	m->max_threads = LIMIT_THREADS;
	m->max_world_threads = LIMIT_WORLD_THREADS;
	m->max_queued = LIMIT_QUEUED;
	m->max_delivery_queue = 0;
}

/* "dir/name.json" -> "name". */
static const char *
default_name(struct mload *ld, const char *file)
{
	const char *base = strrchr(file, '/');
	size_t n;

	base = base != NULL ? base + 1 : file;
	n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	return arena_strndup(ld->a, base, n);
}

/* ---- top-level scalars ------------------------------------------------- */

/* Returns -1 when the format version is one this loader cannot read. */
static int
read_version(struct mload *ld, const json_t *root)
{
	long long v;

	if (mload__require(ld, root, "essim") < 0)
		return 0;
	if (mload__k_int(ld, root, "essim", LLONG_MIN, LLONG_MAX, &v) <= 0)
		return 0;
	if (v == MODEL_FORMAT_VERSION)
		return 0;
	mload__error_key(ld, "essim", "unsupported format version %lld "
	    "(this essim reads version %d)", v, MODEL_FORMAT_VERSION);
	return -1;
}

static void
read_scalars(struct mload *ld, const json_t *root)
{
	struct model *m = ld->m;
	long long seed;

	mload__k_str(ld, root, "name", &m->name);
	mload__k_str(ld, root, "about", &m->about);
	if (mload__k_dur(ld, root, "duration", &m->duration) > 0 &&
	    m->duration <= 0) {
		mload__error_key(ld, "duration", "must be above 0s");
		m->duration = 60 * SEC;
	}
	if (mload__k_int(ld, root, "seed", 0, LLONG_MAX, &seed) > 0)
		m->seed = (uint64_t)seed;
}

static void
read_machine(struct mload *ld, const json_t *v)
{
	struct model *m = ld->m;
	long long cores;

	if (mload__keys(ld, v, machine_keys) < 0)
		return;
	if (mload__k_int(ld, v, "cores", 1, CORES_MAX, &cores) > 0)
		m->cores = (int)cores;
	mload__k_bool(ld, v, "contention", &m->contention);
}

/* ---- es ---------------------------------------------------------------- */

static void
set_all_deadlines(struct model *m, int64_t ns)
{
	for (size_t v = 0; v < EVSET_BITS; v++)
		if (m->deadline[v] != 0)
			m->deadline[v] = ns;
}

/* "deadline": a duration for every AUTH type, or {default, TYPE...}. */
static void
read_deadlines(struct mload *ld, const json_t *v)
{
	struct model *m = ld->m;
	const struct evtype *t;
	const char *key;
	json_t *d;
	int64_t ns;

	if (!json_is_object(v)) {
		if (mload__v_dur(ld, v, &ns) == 0)
			set_all_deadlines(m, ns);
		return;
	}
	if (mload__k_dur(ld, v, "default", &ns) > 0)
		set_all_deadlines(m, ns);
	json_object_foreach((json_t *)v, key, d) {
		size_t mark;
		if (strcmp(key, "default") == 0)
			continue;
		mark = mload__push(ld, key);
		if ((t = mload__evtype(ld, key)) != NULL && !evtype_is_auth(t))
			mload__error(ld, "%s has no deadline (only AUTH events "
			    "do)", t->name);
		else if (mload__v_dur(ld, d, &ns) == 0 && t != NULL)
			m->deadline[t->value] = ns;
		mload__pop(ld, mark);
	}
}

static void
read_es(struct mload *ld, const json_t *v)
{
	struct model *m = ld->m;
	const json_t *d = json_object_get(v, "deadline");
	int dm;

	if (mload__keys(ld, v, es_keys) < 0)
		return;
	if (d != NULL) {
		size_t mark = mload__push(ld, "deadline");
		read_deadlines(ld, d);
		mload__pop(ld, mark);
	}
	mload__k_dur(ld, v, "restart_delay", &m->restart_delay);
	mload__k_dur(ld, v, "early_boot_timeout", &m->early_boot_timeout);
	if (mload__k_enum(ld, v, "default_mute", default_mutes, &dm) > 0)
		m->default_mute = (enum m_default_mute)dm;
}

/* ---- gcd (extension) --------------------------------------------------- */

static void
read_gcd(struct mload *ld, const json_t *v)
{
	struct model *m = ld->m;
	long long x;

	if (mload__keys(ld, v, gcd_keys) < 0)
		return;
	if (mload__k_int(ld, v, "constrained_max", 1, WQ_MAX, &x) > 0)
		m->wq_constrained_max = (int)x;
	if (mload__k_int(ld, v, "max_threads", 1, WQ_MAX, &x) > 0)
		m->wq_max_threads = (int)x;
	mload__k_dur(ld, v, "create_latency", &m->wq_create_latency);
	mload__k_dur(ld, v, "idle_timeout", &m->wq_idle_timeout);
}

/* The constrained pool: max(64, 5 x cores) unless set, within the total. */
static void
finish_gcd(struct mload *ld)
{
	struct model *m = ld->m;
	int set = m->wq_constrained_max > 0;

	if (!set)
		m->wq_constrained_max = 5 * m->cores > 64 ? 5 * m->cores : 64;
	if (m->wq_constrained_max <= m->wq_max_threads)
		return;
	if (set) {
		size_t mark = mload__push(ld, "gcd");
		mload__error_key(ld, "constrained_max", "must not exceed "
		    "max_threads (%d)", m->wq_max_threads);
		mload__pop(ld, mark);
	} else
		m->wq_constrained_max = m->wq_max_threads;
}

/* ---- limits ------------------------------------------------------------ */

/*
 * Guards on what a run may hold at once (docs/model-format.md, limits).
 * Each is a count; 0 switches a guard off.  What happens past each is
 * the world's business (sim/es/world.c).  By default only the memory
 * guards are on (a million threads, a million queued blocks: about a
 * gigabyte); a per-process thread count is the model's to state, as a
 * deadlocked client with open-loop arrivals legitimately piles up tens
 * of thousands of blocked syscall threads in one process.
 */
static void
read_limits(struct mload *ld, const json_t *v)
{
	struct model *m = ld->m;
	long long x;

	if (mload__keys(ld, v, limit_keys) < 0)
		return;
	if (mload__k_int(ld, v, "max_threads", 0, LIMIT_MAX, &x) > 0)
		m->max_threads = (int)x;
	if (mload__k_int(ld, v, "max_world_threads", 0, LIMIT_MAX, &x) > 0)
		m->max_world_threads = (int)x;
	else if (m->max_threads > m->max_world_threads)
		m->max_world_threads = m->max_threads;	/* the default guard
							   must not undercut */
	if (mload__k_int(ld, v, "max_queued", 0, LIMIT_MAX, &x) > 0)
		m->max_queued = (int)x;
	if (mload__k_int(ld, v, "max_delivery_queue", 0, LIMIT_MAX, &x) > 0)
		m->max_delivery_queue = (int)x;
	if (m->max_world_threads > 0 && m->max_threads > 0 &&
	    m->max_world_threads < m->max_threads)
		mload__error_key(ld, "max_world_threads", "must be 0 (no "
		    "limit) or at least max_threads (%d)", m->max_threads);
}

/* ---- the passes -------------------------------------------------------- */

static const char *const sections[] = { "processes", "clients", "daemons" };
static const enum m_proc_kind section_kinds[] = {
	M_PROC_PLAIN, M_PROC_CLIENT, M_PROC_DAEMON
};

static void
declare_section(struct mload *ld, enum m_proc_kind k, const json_t *v)
{
	const char *name;
	json_t *obj;

	json_object_foreach((json_t *)v, name, obj) {
		size_t mark = mload__push(ld, name);
		mload__declare(ld, k, name, obj);
		mload__pop(ld, mark);
	}
}

/* Pass 1, in document order so that the second of two names is flagged. */
static void
declare_all(struct mload *ld, const json_t *root)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)root, key, v) {
		for (size_t i = 0; i < 3; i++) {
			size_t mark;
			if (strcmp(key, sections[i]) != 0 || !json_is_object(v))
				continue;
			mark = mload__push(ld, key);
			declare_section(ld, section_kinds[i], v);
			mload__pop(ld, mark);
		}
	}
}

/* Read root[key] with fn, if present. */
static void
section(struct mload *ld, const json_t *root, const char *key,
    void (*fn)(struct mload *, const json_t *))
{
	const json_t *v = json_object_get(root, key);
	size_t mark;

	if (v == NULL)
		return;
	mark = mload__push(ld, key);
	fn(ld, v);
	mload__pop(ld, mark);
}

static void
read_expect(struct mload *ld, const json_t *v)
{
	if (mload__v_type(ld, v, JSON_OBJECT) == 0)
		ld->m->expect = (json_t *)v;
}

/* Pass 2. */
static void
read_all(struct mload *ld, const json_t *root)
{
	mload__keys(ld, root, top_keys);
	if (read_version(ld, root) < 0)
		return;
	read_scalars(ld, root);
	section(ld, root, "machine", read_machine);
	section(ld, root, "es", read_es);
	section(ld, root, "gcd", read_gcd);
	finish_gcd(ld);
	section(ld, root, "limits", read_limits);
	declare_all(ld, root);
	section(ld, root, "processes", mload__processes);
	section(ld, root, "daemons", mload__daemons);
	section(ld, root, "clients", mload__clients);
	section(ld, root, "workload", mload__workload);
	section(ld, root, "expect", read_expect);
}

/* ---- public API -------------------------------------------------------- */

static struct model *
model_new(json_t *doc, const char *file, const char *dir)
{
	struct model *m = xcalloc(1, sizeof(*m));

	m->arena = xmalloc(sizeof(*m->arena));
	arena_init(m->arena, 0);
	m->file = arena_strdup(m->arena, file);
	m->dir = arena_strdup(m->arena, dir != NULL ? dir : ".");
	m->json = json_incref(doc);
	set_defaults(m);
	return m;
}

struct model *
model_load_json(json_t *doc, const char *file, const char *dir,
    struct diag *d)
{
	struct model *m = model_new(doc, file, dir);
	struct mload ld;

	mload__init(&ld, m, m->file);
	m->name = default_name(&ld, m->file);
	if (mload__v_type(&ld, doc, JSON_OBJECT) == 0)
		read_all(&ld, doc);
	mload__finish(&ld);
	if (mload__nerrors(&ld) == 0)
		return m;
	mload__flush(&ld, doc, d);
	model_free(m);
	return NULL;
}

struct model *
model_load(const char *file, struct diag *d)
{
	struct err e = ERR_INIT;
	struct model *m;
	json_t *doc;
	char *dir;

	if ((doc = jsonfile_load(file, &e)) == NULL) {
		diag_add_err(d, &e);
		return NULL;
	}
	dir = jsonfile_dir(file);
	m = model_load_json(doc, file, dir, d);
	free(dir);
	json_decref(doc);
	return m;
}

void
model_free(struct model *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->ndists; i++)
		dist_release(m->dists[i]);
	free(m->dists);
	free(m->procs);
	free(m->clients);
	free(m->daemons);
	free(m->flags);
	json_decref(m->json);
	arena_release(m->arena);
	free(m->arena);
	free(m);
}

const struct m_process *
model_process(const struct model *m, const char *name)
{
	for (size_t i = 0; i < m->nprocs; i++)
		if (strcmp(m->procs[i]->name, name) == 0)
			return m->procs[i];
	return NULL;
}

const struct m_client *
model_client(const struct model *m, const char *name)
{
	for (size_t i = 0; i < m->nclients; i++)
		if (strcmp(m->clients[i]->name, name) == 0)
			return m->clients[i];
	return NULL;
}

const struct m_daemon *
model_daemon(const struct model *m, const char *name)
{
	for (size_t i = 0; i < m->ndaemons; i++)
		if (strcmp(m->daemons[i]->name, name) == 0)
			return m->daemons[i];
	return NULL;
}

const char *
model_qos_name(enum m_qos q)
{
	static const char *const names[] = {
		"background", "utility", "default", "user_initiated",
		"user_interactive"
	};

	return (unsigned)q < 5 ? names[q] : "?";
}

const char *
model_miss_mode_name(enum m_miss_mode mm)
{
	static const char *const names[] = {
		"kill", "fail_closed", "fail_open"
	};

	return (unsigned)mm < 3 ? names[mm] : "?";
}
