/*
 * results-log.c - the probe log (events table); see results-log.h.
 *
 * A row is the probe as the world emitted it: its kind, time, acting
 * thread, object, owner, wait reason, process, client, event type, path,
 * verdict and value, with names for the thread and the object.  Ids are
 * the probe bus's, so rows of one object can be joined across kinds.
 */
#include <stdlib.h>

#include "core/evtype.h"
#include "core/xalloc.h"
#include "out/results-log.h"

struct res_log {
	struct res_run		*r;
	const struct model	*m;
	const struct probe_bus	*bus;
};

const char *
res_obj_kind_name(enum probe_obj k)
{
	static const char *const names[] = {
		NULL, "thread", "process", "queue", "client", "daemon", "msg",
		"event", "request", "lock", "flag"
	};

	if ((unsigned)k >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[k];
}

static void
listen(void *arg, const struct probe_ev *ev)
{
	struct res_log *l = arg;
	struct res_event row;
	char tname[128], oname[256];
	int wait = ev->kind == PROBE_WAIT || ev->kind == PROBE_WAKE;

	row.t = ev->t;
	row.kind = probe_kind_name(ev->kind);
	row.thread = ev->thread.kind == PROBE_OBJ_THREAD ? ev->thread.id : 0;
	row.thread_name = row.thread != 0 ? probe_name(l->bus, &ev->thread,
	    tname, sizeof(tname)) : NULL;
	row.obj_kind = res_obj_kind_name(ev->obj.kind);
	row.obj = ev->obj.id;
	row.obj_name = row.obj_kind != NULL ? probe_name(l->bus, &ev->obj,
	    oname, sizeof(oname)) : NULL;
	row.owner = ev->owner.kind == PROBE_OBJ_THREAD ? ev->owner.id : 0;
	row.wait = wait ? probe_wait_name(ev->wait) : NULL;
	row.process = ev->process >= 0 && (size_t)ev->process <
	    l->m->nprocs ? l->m->procs[ev->process]->name : NULL;
	row.client = ev->client >= 0 && (size_t)ev->client < l->m->nclients ?
	    l->m->clients[ev->client]->name : NULL;
	row.event_type = ev->evtype != NULL ? ev->evtype->name : NULL;
	row.path = ev->path;
	row.verdict = ev->verdict;
	row.value = ev->value;
	res_event(l->r, &row);
}

struct res_log *
res_log_new(struct res_run *r, const struct model *m, struct probe_bus *bus)
{
	struct res_log *l = xcalloc(1, sizeof(*l));

	l->r = r;
	l->m = m;
	l->bus = bus;
	probe_listen(bus, PROBE_ALL, listen, l);
	return l;
}

void
res_log_free(struct res_log *l)
{
	free(l);
}
