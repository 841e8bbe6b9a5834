/*
 * model-proc.c - processes: their identity, their GCD queues, and the
 * "processes" and "daemons" sections of a model.
 *
 * Clients, daemons and plain processes are all processes, named in one
 * name space: ES mutes and matches processes by these names, so two
 * entities with one name would be ambiguous.  The declaration pass
 * (mload__declare) creates every declared process with its queue and
 * service names before any program is read, so that programs may name
 * queues, daemons and services declared anywhere in the file.  The
 * second pass reads the attributes.
 *
 * Queues: every client has the implicit serial queue "delivery" (its ES
 * delivery queue, queues[0]); declared queues follow in document order.
 * A queue may target another queue of its process (dispatch_set_target_
 * queue); target chains must end, so a cycle is an error.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "model/model-names.h"
#include "model/model-path.h"
#include "model/model-proc.h"
#include "model/model-program.h"

#define QUEUE_WIDTH_MAX	4094	/* DISPATCH_QUEUE_WIDTH_MAX (gcd.md §2.1) */
#define THREADS_MAX	4096

static const char *const kind_words[] = { "process", "client", "daemon" };

static const char *const queue_keys[] = {
	"kind", "qos", "target", "width", NULL
};
static const char *const process_keys[] = {
	"path", "signing_id", "team_id", "is_es_client", "is_platform",
	"program", "threads", "queues", NULL
};
static const char *const daemon_keys[] = {
	"path", "signing_id", "team_id", "is_platform", "workers",
	"services", "queues", NULL
};

/* ---- declaration ------------------------------------------------------- */

static void
declare_queues(struct mload *ld, struct m_process *p, const json_t *qs)
{
	const char *key;
	json_t *v;
	size_t n = p->kind == M_PROC_CLIENT;

	json_object_foreach((json_t *)qs, key, v)
		n += !(p->kind == M_PROC_CLIENT &&
		    strcmp(key, "delivery") == 0);
	p->queues = mload__calloc(ld, n, sizeof(*p->queues));
	if (p->kind == M_PROC_CLIENT) {
		p->queues[0].name = "delivery";
		p->queues[0].is_delivery = 1;
		p->nqueues = 1;
	}
	json_object_foreach((json_t *)qs, key, v) {
		struct m_queue *q = &p->queues[p->nqueues];
		if (p->kind == M_PROC_CLIENT && strcmp(key, "delivery") == 0)
			continue;
		q->id = (int)p->nqueues++;
		q->name = mload__strdup(ld, key);
	}
	for (size_t i = 0; i < p->nqueues; i++) {
		p->queues[i].kind = M_QUEUE_SERIAL;
		p->queues[i].qos = M_QOS_DEFAULT;
		p->queues[i].width = 1;
	}
}

static void
declare_services(struct mload *ld, struct m_daemon *d, const json_t *ss)
{
	const char *key;
	json_t *v;

	d->services = mload__calloc(ld, json_object_size(ss),
	    sizeof(*d->services));
	json_object_foreach((json_t *)ss, key, v) {
		struct m_service *s = &d->services[d->nservices];
		s->id = (int)d->nservices++;
		s->name = mload__strdup(ld, key);
		s->daemon = d;
	}
}

static void
declare_client(struct mload *ld, struct m_process *p)
{
	struct model *m = ld->m;
	struct m_client *c = mload__alloc(ld, sizeof(*c));

	c->id = (int)m->nclients;
	c->name = p->name;
	c->proc = p;
	c->restart_delay = -1;
	c->miss_mode = M_MISS_KILL;
	for (size_t i = 0; i < EVSET_BITS; i++)
		c->deadline_max[i] = -1;
	p->client = c;
	p->is_es_client = 1;
	XGROW(m->clients, m->nclients + 1, ld->clients_alloc);
	m->clients[m->nclients++] = c;
}

static void
declare_daemon(struct mload *ld, struct m_process *p, const json_t *obj)
{
	struct model *m = ld->m;
	struct m_daemon *d = mload__alloc(ld, sizeof(*d));
	const json_t *ss = json_object_get(obj, "services");
	char *sid = xasprintf("com.apple.%s", p->name);

	d->id = (int)m->ndaemons;
	d->name = p->name;
	d->proc = p;
	d->workers = 1;
	if (json_is_object(ss))
		declare_services(ld, d, ss);
	p->daemon = d;
	p->is_platform = 1;
	p->signing_id = mload__strdup(ld, sid);
	free(sid);
	XGROW(m->daemons, m->ndaemons + 1, ld->daemons_alloc);
	m->daemons[m->ndaemons++] = d;
}

void
mload__declare(struct mload *ld, enum m_proc_kind k, const char *name,
    const json_t *obj)
{
	struct m_process *p = mload__find_process(ld, name);
	const json_t *qs = json_object_get(obj, "queues");

	if (name[0] == '\0')
		mload__error(ld, "name must not be empty");
	else if (p != NULL)
		mload__error(ld, "duplicate name \"%s\": already declared as a "
		    "%s (clients, daemons and processes share one name space)",
		    name, kind_words[p->kind]);
	p = mload__new_process(ld, name);
	p->kind = k;
	p->declared = 1;
	p->path = mload__default_path(ld, k, name);
	if (k == M_PROC_CLIENT)
		declare_client(ld, p);
	else if (k == M_PROC_DAEMON)
		declare_daemon(ld, p, obj);
	if (json_is_object(qs) || k == M_PROC_CLIENT)
		declare_queues(ld, p, json_is_object(qs) ? qs : NULL);
}

/* ---- identity ---------------------------------------------------------- */

void
mload__identity(struct mload *ld, struct m_process *p, const json_t *obj)
{
	const json_t *v = json_object_get(obj, "path");

	if (v != NULL) {
		size_t mark = mload__push(ld, "path");
		mload__abspath(ld, v, &p->path);
		mload__pop(ld, mark);
	}
	mload__k_str(ld, obj, "signing_id", &p->signing_id);
	mload__k_str(ld, obj, "team_id", &p->team_id);
	mload__k_bool(ld, obj, "is_platform", &p->is_platform);
}

/* ---- queues ------------------------------------------------------------ */

static const char *const qos_names[] = {
	"background", "maintenance", "utility", "default", "user_initiated",
	"user_interactive", NULL
};
static const enum m_qos qos_values[] = {
	M_QOS_BACKGROUND, M_QOS_BACKGROUND, M_QOS_UTILITY, M_QOS_DEFAULT,
	M_QOS_USER_INITIATED, M_QOS_USER_INTERACTIVE
};

static struct m_queue *
queue_named(struct m_process *p, const char *name)
{
	for (size_t i = 0; i < p->nqueues; i++)
		if (strcmp(p->queues[i].name, name) == 0)
			return &p->queues[i];
	return NULL;
}

static void
queue_target(struct mload *ld, struct m_process *p, struct m_queue *q,
    const json_t *obj)
{
	const char *name, *names[256], *hint;
	size_t n = p->nqueues < 256 ? p->nqueues : 256;

	if (mload__k_str(ld, obj, "target", &name) <= 0)
		return;
	q->target = queue_named(p, name);
	if (q->target == q) {
		mload__error_key(ld, "target", "a queue cannot target itself");
		q->target = NULL;
	}
	if (q->target != NULL || strcmp(name, q->name) == 0)
		return;
	for (size_t i = 0; i < n; i++)
		names[i] = p->queues[i].name;
	if ((hint = mload__suggest_in(name, names, n)) != NULL)
		mload__error_key(ld, "target", "%s has no queue \"%s\" (did "
		    "you mean \"%s\"?)", p->name, name, hint);
	else
		mload__error_key(ld, "target", "%s has no queue \"%s\"",
		    p->name, name);
}

static void
queue_attrs(struct mload *ld, struct m_process *p, struct m_queue *q,
    const json_t *obj)
{
	static const char *const kinds[] = { "serial", "concurrent", NULL };
	int kind = 0, qos = 3;
	long long width;

	if (mload__keys(ld, obj, queue_keys) < 0)
		return;
	if (mload__k_enum(ld, obj, "kind", kinds, &kind) > 0)
		q->kind = kind == 0 ? M_QUEUE_SERIAL : M_QUEUE_CONCURRENT;
	if (mload__k_enum(ld, obj, "qos", qos_names, &qos) > 0)
		q->qos = qos_values[qos];
	if (q->kind == M_QUEUE_CONCURRENT)
		q->width = QUEUE_WIDTH_MAX;
	if (q->kind == M_QUEUE_SERIAL && json_object_get(obj, "width"))
		mload__error_key(ld, "width", "\"width\" applies to concurrent "
		    "queues only");
	else if (mload__k_int(ld, obj, "width", 1, QUEUE_WIDTH_MAX,
	    &width) > 0)
		q->width = (int)width;
	queue_target(ld, p, q, obj);
}

/* Report each target cycle once, at its first queue in document order. */
static void
queue_cycles(struct mload *ld, struct m_process *p)
{
	for (size_t i = 0; i < p->nqueues; i++) {
		const struct m_queue *q = &p->queues[i], *t = q->target;
		size_t steps = 0, mark;
		int lowest = 1;
		while (t != NULL && t != q && steps++ < p->nqueues) {
			lowest &= t->id > q->id;
			t = t->target;
		}
		if (t != q || !lowest)
			continue;
		mark = mload__push(ld, q->name);
		mload__error_key(ld, "target", "queue \"%s\" targets itself "
		    "through a chain of targets", q->name);
		mload__pop(ld, mark);
	}
}

void
mload__queues(struct mload *ld, struct m_process *p, const json_t *obj)
{
	const json_t *qs = json_object_get(obj, "queues");
	const char *key;
	json_t *v;
	size_t mark;

	if (qs == NULL)
		return;
	mark = mload__push(ld, "queues");
	if (mload__v_type(ld, qs, JSON_OBJECT) == 0) {
		json_object_foreach((json_t *)qs, key, v) {
			size_t m2 = mload__push(ld, key);
			struct m_queue *q = queue_named(p, key);
			if (q != NULL && q->is_delivery)
				mload__error(ld, "\"delivery\" is the client's "
				    "ES delivery queue; it cannot be "
				    "redeclared");
			else if (q != NULL)
				queue_attrs(ld, p, q, v);
			mload__pop(ld, m2);
		}
		queue_cycles(ld, p);
	}
	mload__pop(ld, mark);
}

/* ---- processes and daemons --------------------------------------------- */

static void
read_process(struct mload *ld, struct m_process *p, const json_t *obj)
{
	struct mload_prog ctx = { MLOAD_PROCESS, p, NULL };
	long long threads;

	if (mload__keys(ld, obj, process_keys) < 0)
		return;
	mload__identity(ld, p, obj);
	mload__k_bool(ld, obj, "is_es_client", &p->is_es_client);
	if (mload__k_int(ld, obj, "threads", 1, THREADS_MAX, &threads) > 0)
		p->threads = (int)threads;
	mload__queues(ld, p, obj);
	mload__k_program(ld, &ctx, obj, "program", 0, &p->program);
}

static void
read_services(struct mload *ld, struct m_daemon *d, const json_t *ss)
{
	struct mload_prog ctx = { MLOAD_SERVICE, d->proc, NULL };
	size_t mark = mload__push(ld, "services");

	if (mload__v_type(ld, ss, JSON_OBJECT) == 0)
		for (size_t i = 0; i < d->nservices; i++) {
			struct m_service *s = &d->services[i];
			size_t m2 = mload__push(ld, s->name);
			mload__program(ld, &ctx, json_object_get(ss, s->name),
			    &s->program);
			mload__pop(ld, m2);
		}
	mload__pop(ld, mark);
}

static void
read_daemon(struct mload *ld, struct m_daemon *d, const json_t *obj)
{
	const json_t *ss = json_object_get(obj, "services");
	long long workers;

	if (mload__keys(ld, obj, daemon_keys) < 0)
		return;
	mload__identity(ld, d->proc, obj);
	if (mload__k_int(ld, obj, "workers", 1, THREADS_MAX, &workers) > 0)
		d->workers = (int)workers;
	mload__queues(ld, d->proc, obj);
	if (ss != NULL)
		read_services(ld, d, ss);
}

/*
 * The declared plain process called name.  Names are unique within a
 * section (JSON object keys), so (kind, name) finds the declaration even
 * when another section reuses the name (an error reported at declaration).
 */
static struct m_process *
declared(struct mload *ld, enum m_proc_kind k, const char *name)
{
	struct model *m = ld->m;

	for (size_t i = 0; i < m->nprocs; i++) {
		struct m_process *p = m->procs[i];
		if (p->declared && p->kind == k && strcmp(p->name, name) == 0)
			return p;
	}
	return NULL;
}

void
mload__processes(struct mload *ld, const json_t *v)
{
	const char *key;
	json_t *obj;

	if (mload__v_type(ld, v, JSON_OBJECT) < 0)
		return;
	json_object_foreach((json_t *)v, key, obj) {
		size_t mark = mload__push(ld, key);
		struct m_process *p = declared(ld, M_PROC_PLAIN, key);
		if (p != NULL)
			read_process(ld, p, obj);
		mload__pop(ld, mark);
	}
}

void
mload__daemons(struct mload *ld, const json_t *v)
{
	const char *key;
	json_t *obj;

	if (mload__v_type(ld, v, JSON_OBJECT) < 0)
		return;
	json_object_foreach((json_t *)v, key, obj) {
		size_t mark = mload__push(ld, key);
		struct model *m = ld->m;
		for (size_t i = 0; i < m->ndaemons; i++)
			if (strcmp(m->daemons[i]->name, key) == 0) {
				read_daemon(ld, m->daemons[i], obj);
				break;
			}
		mload__pop(ld, mark);
	}
}
