/*
 * test-model.c - the model loader: DESIGN §4's example and a model using
 * every key load into exactly the structure they describe; every bad
 * model in tests/data/models/bad/ fails with exactly the messages in its
 * .expect file (table-driven, like jansson's test suites); many errors
 * come out in document order; a loaded document can be patched and
 * loaded again.  Leaks are checked by running this under valgrind and
 * ASan (every error path of the corpus frees what it built).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dist.h"
#include "core/err.h"
#include "core/evtype.h"
#include "core/xalloc.h"
#include "model/model.h"

#define MS	INT64_C(1000000)
#define SEC	INT64_C(1000000000)

static char *
fixture(const char *rel)
{
	const char *top = getenv("top_srcdir");

	return xasprintf("%s/tests/data/models/%s", top != NULL ? top : ".",
	    rel);
}

static struct model *
load_ok(const char *rel)
{
	struct diag d = DIAG_INIT;
	char *path = fixture(rel);
	struct model *m = model_load(path, &d);

	diag_print(&d, "unexpected", stderr);
	assert_int_equal(diag_count(&d), 0);
	assert_non_null(m);
	diag_release(&d);
	free(path);
	return m;
}

static int
type_value(const char *name)
{
	const struct evtype *t = evtype_by_name(name);

	assert_non_null(t);
	return t->value;
}

static int64_t
const_ns(const struct dist *d)
{
	int64_t ns = -1;

	assert_non_null(d);
	assert_true(dist_is_const(d, &ns));
	return ns;
}

/* ---- DESIGN §4's example ----------------------------------------------- */

static void
check_example_top(const struct model *m)
{
	assert_string_equal(m->name, "codesign-on-delivery-queue");
	assert_string_equal(m->about, "AUTH_OPEN handler verifies code "
	    "signatures synchronously on the delivery queue.");
	assert_int_equal(m->duration, 120 * SEC);
	assert_int_equal(m->seed, 1);
	assert_int_equal(m->cores, 8);
	assert_int_equal(m->contention, 0);
	assert_int_equal(m->deadline[type_value("AUTH_OPEN")], 15 * SEC);
	assert_int_equal(m->deadline[type_value("AUTH_EXEC")], 60 * SEC);
	assert_int_equal(m->deadline[type_value("NOTIFY_OPEN")], 0);
	assert_int_equal(m->restart_delay, 5 * SEC);
	assert_int_equal(m->early_boot_timeout, 60 * SEC);
	assert_int_equal(m->default_mute, M_DEFMUTE_NONE);
	assert_int_equal(m->wq_constrained_max, 64);
	assert_int_equal(m->wq_max_threads, 512);
	assert_null(m->trace);
	assert_non_null(m->expect);
	assert_string_equal(json_string_value(json_object_get(m->expect,
	    "deadlocks")), ">=1");
}

static void
check_example_daemon(const struct model *m)
{
	const struct m_daemon *sp = model_daemon(m, "syspolicyd");
	const struct m_program *p;
	struct dist *cpu;

	assert_int_equal(m->ndaemons, 1);
	assert_ptr_equal(sp, m->daemons[0]);
	assert_int_equal(sp->workers, 4);
	assert_int_equal(sp->nservices, 1);
	assert_string_equal(sp->services[0].name, "assess");
	assert_ptr_equal(sp->services[0].daemon, sp);
	assert_int_equal(sp->proc->kind, M_PROC_DAEMON);
	assert_ptr_equal(sp->proc->daemon, sp);
	assert_string_equal(sp->proc->path, "/usr/libexec/syspolicyd");
	assert_true(sp->proc->is_platform);
	p = &sp->services[0].program;
	assert_int_equal(p->n, 3);
	assert_int_equal(p->acts[0].kind, M_ACT_CPU);
	cpu = p->acts[0].u.dur;
	assert_false(dist_is_const(cpu, NULL));
	assert_true(dist_mean_ns(cpu) == 2e6);
	assert_int_equal(p->acts[1].kind, M_ACT_SYSCALL);
	assert_string_equal(p->acts[1].u.sys.type->name, "AUTH_OPEN");
	assert_int_equal(p->acts[1].u.sys.path.kind, M_PATH_LITERAL);
	assert_string_equal(p->acts[1].u.sys.path.literal,
	    "/private/var/db/SystemPolicy");
	assert_int_equal(p->acts[1].u.sys.target.kind, M_PATH_NONE);
	assert_int_equal(p->acts[2].kind, M_ACT_REPLY);
	assert_string_equal(p->acts[2].ptr,
	    "/daemons/syspolicyd/services/assess/2");
}

static void
check_example_client(const struct model *m)
{
	const struct m_client *c = model_client(m, "acme");
	const struct m_daemon *sp = model_daemon(m, "syspolicyd");
	const struct m_program *h;
	const struct m_action *a;

	assert_int_equal(m->nclients, 1);
	assert_ptr_equal(c, m->clients[0]);
	assert_true(evset_has(&c->subscribe, type_value("AUTH_OPEN")));
	assert_false(evset_has(&c->subscribe, type_value("AUTH_EXEC")));
	assert_null(c->handler_default);
	h = c->handler[type_value("AUTH_OPEN")];
	assert_non_null(h);
	assert_int_equal(h->n, 1);
	a = &h->acts[0];
	assert_int_equal(a->kind, M_ACT_IF);
	assert_int_equal(a->u.cond.cond.kind, M_COND_PATH_PREFIX);
	assert_string_equal(a->u.cond.cond.str, "/Library/Acme/");
	assert_int_equal(a->u.cond.then.n, 2);
	assert_int_equal(a->u.cond.then.acts[0].kind, M_ACT_CALL);
	assert_ptr_equal(a->u.cond.then.acts[0].u.xpc.daemon, sp);
	assert_ptr_equal(a->u.cond.then.acts[0].u.xpc.service,
	    &sp->services[0]);
	assert_int_equal(a->u.cond.then.acts[1].kind, M_ACT_RESPOND);
	assert_int_equal(a->u.cond.then.acts[1].u.respond.allow, 1);
	assert_int_equal(a->u.cond.then.acts[1].u.respond.cache, -1);
	assert_int_equal(a->u.cond.then.acts[1].u.respond.has_flags, 0);
	assert_int_equal(a->u.cond.els.n, 1);
	assert_int_equal(c->proc->nqueues, 1);
	assert_string_equal(c->proc->queues[0].name, "delivery");
	assert_true(c->proc->queues[0].is_delivery);
	assert_int_equal(c->proc->queues[0].kind, M_QUEUE_SERIAL);
	assert_int_equal(c->restart_delay, -1);
	assert_int_equal(c->miss_mode, M_MISS_KILL);
	assert_int_equal(c->deadline_max[type_value("AUTH_OPEN")], -1);
	assert_true(c->proc->is_es_client);
}

static void
check_example_workload(const struct model *m)
{
	const struct m_source *s;
	const struct m_process *finder = model_process(m, "Finder");

	assert_int_equal(m->nsources, 1);
	s = &m->sources[0];
	assert_ptr_equal(s->process, finder);
	assert_string_equal(s->event->name, "AUTH_OPEN");
	assert_int_equal(s->arrival, M_ARRIVAL_POISSON);
	assert_int_equal(s->mean_interval, 5 * MS);
	assert_int_equal(s->path.kind, M_PATH_CHOICE);
	assert_int_equal(s->path.n, 2);
	assert_string_equal(s->path.paths[0], "/Library/Acme/agent.plist");
	assert_true(s->path.cum[0] > 0.0099 && s->path.cum[0] < 0.0101);
	assert_true(s->path.cum[1] == 1.0);
	assert_int_equal(s->start, 0);
	assert_int_equal(s->stop, 120 * SEC);
	assert_int_equal(s->threads, 0);
	assert_false(s->has_burst);
	assert_string_equal(s->ptr, "/workload/sources/0");
	/* Finder is not declared: defaults. */
	assert_false(finder->declared);
	assert_int_equal(finder->kind, M_PROC_PLAIN);
	assert_string_equal(finder->path, "/usr/local/bin/Finder");
	assert_string_equal(finder->signing_id, "Finder");
	assert_null(finder->team_id);
	assert_false(finder->is_es_client);
	assert_int_equal(finder->threads, 1);
	assert_int_equal(finder->program.n, 0);
}

static void
test_design_example(void **state)
{
	struct model *m = load_ok("design-example.json");

	(void)state;
	check_example_top(m);
	check_example_daemon(m);
	check_example_client(m);
	check_example_workload(m);
	assert_int_equal(m->nprocs, 3);
	for (size_t i = 0; i < m->nprocs; i++)
		assert_int_equal(m->procs[i]->id, (int)i);
	assert_string_equal(m->procs[0]->name, "syspolicyd");
	assert_string_equal(m->procs[1]->name, "acme");
	assert_string_equal(m->procs[2]->name, "Finder");
	model_free(m);
}

/* ---- every key --------------------------------------------------------- */

static void
check_full_top(const struct model *m)
{
	assert_string_equal(m->name, "full");
	assert_int_equal(m->duration, 10 * SEC);
	assert_int_equal(m->seed, 42);
	assert_int_equal(m->cores, 16);
	assert_true(m->contention);
	assert_int_equal(m->deadline[type_value("AUTH_OPEN")], 15 * SEC);
	assert_int_equal(m->deadline[type_value("AUTH_EXEC")], 10 * SEC);
	assert_int_equal(m->deadline[type_value("AUTH_RENAME")], 20 * SEC);
	assert_int_equal(m->restart_delay, 2 * SEC);
	assert_int_equal(m->early_boot_timeout, 90 * SEC);
	assert_int_equal(m->default_mute, M_DEFMUTE_26);
	assert_int_equal(m->wq_constrained_max, 80);
	assert_int_equal(m->wq_max_threads, 256);
	assert_int_equal(m->wq_create_latency, 80000);
	assert_int_equal(m->wq_idle_timeout, 1 * SEC);
	assert_int_equal(m->nflags, 2);
	assert_string_equal(m->flags[0]->name, "built");
	assert_string_equal(m->flags[1]->name, "ready");
	assert_int_equal(m->flags[1]->id, 1);
	assert_int_equal(m->ndists, 5);
}

static void
check_full_process(const struct model *m)
{
	const struct m_process *b = model_process(m, "builder");
	const struct m_program *loop;
	const struct m_action *a;

	assert_true(b->declared);
	assert_string_equal(b->path, "/usr/bin/make");
	assert_string_equal(b->signing_id, "com.example.make");
	assert_string_equal(b->team_id, "ABCDE12345");
	assert_int_equal(b->threads, 3);
	assert_int_equal(b->nqueues, 1);
	assert_int_equal(b->queues[0].kind, M_QUEUE_CONCURRENT);
	assert_int_equal(b->queues[0].qos, M_QOS_UTILITY);
	assert_int_equal(b->queues[0].width, 8);
	assert_int_equal(b->nlocks, 1);
	assert_string_equal(b->locks[0].name, "db");
	assert_int_equal(b->program.n, 1);
	assert_int_equal(b->program.acts[0].u.repeat.count, -1);
	loop = &b->program.acts[0].u.repeat.body;
	assert_int_equal(loop->n, 6);
	assert_ptr_equal(loop->acts[0].u.lock, &b->locks[0]);
	assert_ptr_equal(loop->acts[2].u.lock, &b->locks[0]);
	a = &loop->acts[1];
	assert_int_equal(a->u.sys.path.kind, M_PATH_ZIPF);
	assert_string_equal(a->u.sys.path.prefix, "/Users/u/src/f");
	assert_string_equal(a->u.sys.path.suffix, ".c");
	assert_int_equal(a->u.sys.path.zipf_n, 1000);
	assert_true(a->u.sys.path.zipf_s == 1.2);
	assert_int_equal(loop->acts[4].kind, M_ACT_ASYNC);
	assert_ptr_equal(loop->acts[4].u.gcd.queue, &b->queues[0]);
	assert_string_equal(loop->acts[4].u.gcd.body.acts[0].u.sys.type->name,
	    "AUTH_EXEC");
	assert_int_equal(loop->acts[5].u.cond.cond.kind, M_COND_P);
	assert_true(loop->acts[5].u.cond.cond.p == 0.25);
	assert_ptr_equal(loop->acts[5].u.cond.then.acts[0].u.flag,
	    m->flags[0]);
}

static void
check_full_daemons(const struct model *m)
{
	const struct m_daemon *t = model_daemon(m, "com.apple.trustd");
	const struct m_daemon *sp = model_daemon(m, "syspolicyd");
	const struct m_action *a;

	assert_string_equal(t->proc->signing_id, "com.apple.com.apple.trustd");
	assert_int_equal(t->workers, 4);
	a = &t->services[0].program.acts[0];
	assert_int_equal(dist_max_ns(a->u.dur), 3 * MS);
	assert_int_equal(t->services[0].program.acts[1].u.sys.path.kind,
	    M_PATH_MSG);
	assert_int_equal(sp->workers, 1);
	assert_int_equal(sp->nservices, 2);
	a = &sp->services[0].program.acts[0];
	assert_ptr_equal(a->u.xpc.daemon, t);
	assert_ptr_equal(a->u.xpc.service, &t->services[0]);
	a = &sp->services[0].program.acts[1];
	assert_int_equal(sp->proc->nqueues, 1);
	assert_ptr_equal(a->u.gcd.queue, &sp->proc->queues[0]);
	assert_false(a->u.gcd.queue->is_delivery);
	assert_int_equal(a->u.gcd.body.acts[0].kind, M_ACT_REPLY);
	a = &sp->services[1].program.acts[0];
	assert_string_equal(a->u.sys.type->name, "NOTIFY_WRITE");
	assert_string_equal(a->u.sys.path.literal, "/var/db/SystemPolicy");
}

static void
check_full_queues(const struct m_client *c)
{
	const struct m_process *p = c->proc;

	assert_string_equal(p->path,
	    "/Applications/Acme.app/Contents/MacOS/acme");
	assert_int_equal(p->nqueues, 3);
	assert_string_equal(p->queues[1].name, "work");
	assert_int_equal(p->queues[1].id, 1);
	assert_int_equal(p->queues[1].kind, M_QUEUE_CONCURRENT);
	assert_int_equal(p->queues[1].width, 4094);
	assert_int_equal(p->queues[1].qos, M_QOS_USER_INITIATED);
	assert_ptr_equal(p->queues[1].target, &p->queues[2]);
	assert_int_equal(p->queues[2].qos, M_QOS_BACKGROUND);
	assert_int_equal(p->queues[2].width, 1);
	assert_null(p->queues[2].target);
	assert_int_equal(p->nlocks, 1);
	assert_string_equal(p->locks[0].name, "state");
}

static void
check_full_handlers(const struct model *m, const struct m_client *c)
{
	const struct m_program *h = c->handler[type_value("AUTH_OPEN")];
	const struct m_action *a = &h->acts[0], *r;
	const struct m_cond *cond = &a->u.cond.cond;

	assert_int_equal(cond->kind, M_COND_ALL);
	assert_int_equal(cond->nsub, 2);
	assert_int_equal(cond->sub[1].kind, M_COND_NOT);
	assert_ptr_equal(cond->sub[1].sub[0].process, model_process(m, "mds"));
	assert_int_equal(a->u.cond.then.acts[0].kind, M_ACT_RETAIN);
	r = &a->u.cond.then.acts[1].u.gcd.body.acts[1];
	assert_int_equal(r->u.respond.allow, 1);
	assert_int_equal(r->u.respond.has_flags, 1);
	assert_int_equal(r->u.respond.flags, 3);
	assert_int_equal(r->u.respond.cache, 1);
	h = c->handler[type_value("AUTH_EXEC")];
	assert_int_equal(h->acts[0].kind, M_ACT_SYNC);
	assert_ptr_equal(h->acts[0].u.gcd.queue, &c->proc->queues[0]);
	assert_int_equal(h->acts[1].u.cond.cond.kind, M_COND_ANY);
	assert_int_equal(h->acts[1].u.cond.cond.sub[0].event->value,
	    type_value("AUTH_EXEC"));
	assert_int_equal(h->acts[1].u.cond.then.acts[0].u.respond.cache, 0);
	assert_null(c->handler[type_value("AUTH_RENAME")]);
	assert_null(c->handler[type_value("NOTIFY_EXIT")]);
	h = c->handler_default;
	assert_non_null(h);
	assert_int_equal(h->acts[0].u.sys.path.kind, M_PATH_MSG);
	assert_int_equal(h->acts[0].u.sys.target.kind, M_PATH_MSG_TARGET);
	assert_int_equal(h->acts[1].kind, M_ACT_SEND);
}

static void
check_full_mutes(const struct model *m, const struct m_client *c)
{
	const struct m_mute *mu = c->mutes;
	int open = type_value("AUTH_OPEN"), exec = type_value("AUTH_EXEC");

	assert_int_equal(c->nmutes, 6);
	assert_int_equal(mu[0].kind, M_MUTE_PROCESS);
	assert_ptr_equal(mu[0].process, model_process(m, "mds"));
	assert_false(mu[0].all_events);
	assert_true(evset_has(&mu[0].events, open));
	assert_true(evset_has(&mu[0].events, exec));
	assert_ptr_equal(mu[1].process, model_process(m, "builder"));
	assert_false(evset_has(&mu[1].events, open));
	assert_int_equal(mu[2].kind, M_MUTE_PATH_LITERAL);
	assert_string_equal(mu[2].str, "/usr/sbin/cfprefsd");
	assert_int_equal(mu[3].kind, M_MUTE_PATH_PREFIX);
	assert_int_equal(mu[4].kind, M_MUTE_TARGET_LITERAL);
	assert_int_equal(mu[5].kind, M_MUTE_TARGET_PREFIX);
	assert_true(evset_has(&mu[5].events, type_value("AUTH_RENAME")));
	assert_false(c->invert_process);
	assert_true(c->invert_path);
	assert_false(c->invert_target_path);
}

static void
check_full_clients(const struct model *m)
{
	const struct m_client *c = model_client(m, "acme");
	const struct m_client *w = model_client(m, "watcher");

	check_full_queues(c);
	check_full_handlers(m, c);
	check_full_mutes(m, c);
	assert_true(c->cache);
	assert_true(c->early_boot);
	assert_int_equal(c->init.n, 2);
	assert_int_equal(const_ns(c->init.acts[1].u.dur), 10 * MS);
	assert_int_equal(c->restart_delay, 1 * SEC);
	assert_int_equal(c->miss_mode, M_MISS_FAIL_OPEN);
	assert_int_equal(c->deadline_max[type_value("AUTH_OPEN")], 5 * SEC);
	assert_int_equal(c->deadline_max[type_value("AUTH_EXEC")], -1);
	assert_true(w->invert_process && w->invert_path &&
	    w->invert_target_path);
	assert_int_equal(w->nmutes, 0);
	assert_int_equal(const_ns(w->handler[type_value("NOTIFY_EXEC")]->
	    acts[0].u.dur), 100000);
	assert_string_equal(w->proc->path, "/Library/SystemExtensions/"
	    "watcher.systemextension/Contents/MacOS/watcher");
}

static void
check_full_workload(const struct model *m)
{
	const struct m_source *s = &m->sources[1];
	const struct m_trace *t = m->trace;

	assert_int_equal(m->sources[0].path.n, 2);
	assert_true(m->sources[0].path.cum[0] == 0.25);
	assert_int_equal(m->sources[0].stop, 10 * SEC);
	assert_ptr_equal(s->process, model_process(m, "builder"));
	assert_int_equal(s->arrival, M_ARRIVAL_POISSON);
	assert_int_equal(s->mean_interval, 5 * MS);
	assert_int_equal(s->target.kind, M_PATH_LITERAL);
	assert_int_equal(s->threads, 2);
	assert_int_equal(s->start, 1 * SEC);
	assert_int_equal(s->stop, 4 * SEC);
	assert_true(s->has_burst);
	assert_int_equal(s->burst_on, 100 * MS);
	assert_int_equal(s->burst_off, 900 * MS);
	assert_true(s->burst_factor == 10);
	assert_non_null(t);
	assert_true(strstr(t->file, "tests/data/models/traces/t.jsonl"));
	assert_int_equal(t->mode, M_TRACE_OPEN);
	assert_true(t->speed == 2.5);
	assert_true(evset_has(&t->as_auth, type_value("NOTIFY_OPEN")));
	assert_true(evset_has(&t->as_auth, type_value("NOTIFY_EXEC")));
	assert_true(evset_has(&t->as_auth, type_value("NOTIFY_RENAME")));
	assert_false(evset_has(&t->as_auth, type_value("AUTH_EXEC")));
	assert_true(t->has_filter_types);
	assert_int_equal(t->nfilter_processes, 2);
	assert_string_equal(t->filter_processes[1], "/usr/bin/make");
	assert_int_equal(t->window_start, 1 * SEC);
	assert_int_equal(t->window_end, 2 * SEC);
}

static void
test_full(void **state)
{
	struct model *m = load_ok("full.json");

	(void)state;
	check_full_top(m);
	check_full_process(m);
	check_full_daemons(m);
	check_full_clients(m);
	check_full_workload(m);
	assert_int_equal(m->nprocs, 7);
	assert_string_equal(m->procs[5]->name, "mds");
	assert_false(m->procs[5]->declared);
	assert_string_equal(m->procs[6]->name, "Finder");
	model_free(m);
}

static void
test_defaults(void **state)
{
	struct diag d = DIAG_INIT;
	json_t *doc = json_pack("{s:i}", "essim", 1);
	struct model *m = model_load_json(doc, "min.json", NULL, &d);

	(void)state;
	assert_non_null(m);
	assert_string_equal(m->name, "min");
	assert_string_equal(m->about, "");
	assert_string_equal(m->dir, ".");
	assert_int_equal(m->duration, 60 * SEC);
	assert_int_equal(m->seed, 1);
	assert_int_equal(m->cores, 8);
	assert_int_equal(m->deadline[type_value("AUTH_OPEN")], 30 * SEC);
	assert_int_equal(m->wq_constrained_max, 64);
	assert_int_equal(m->wq_create_latency, 50000);
	assert_int_equal(m->wq_idle_timeout, 5 * SEC);
	assert_int_equal(m->nprocs + m->nsources + m->nflags, 0);
	assert_null(m->expect);
	assert_null(m->trace);
	model_free(m);
	json_decref(doc);
	diag_release(&d);
}

/* ---- bad models -------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .json files of dir, sorted. */
static char **
list_cases(const char *dir, size_t *n)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t alloc = 0;

	assert_non_null(dp);
	*n = 0;
	while ((de = readdir(dp)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		XGROW(names, *n + 1, alloc);
		names[(*n)++] = xstrndup(de->d_name, len - 5);
	}
	closedir(dp);
	qsort(names, *n, sizeof(*names), cmp_str);
	return names;
}

/* Whole file, NUL-terminated. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, alloc = 0, got;

	if (f == NULL)
		return NULL;
	do {
		XGROW(buf, n + 4096, alloc);
		got = fread(buf + n, 1, 4096, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* The diagnostics, one per line, with every "dir/" dropped. */
static char *
render(const struct diag *d, const char *dir)
{
	size_t dlen = strlen(dir), len = 0, alloc = 0;
	char *out = NULL;

	XGROW(out, 1, alloc);
	out[0] = '\0';
	for (size_t i = 0; i < diag_count(d); i++) {
		const char *msg = diag_msg(d, i), *hit;
		XGROW(out, len + strlen(msg) + 2, alloc);
		while ((hit = strstr(msg, dir)) != NULL && hit[dlen] == '/') {
			memcpy(out + len, msg, (size_t)(hit - msg));
			len += (size_t)(hit - msg);
			msg = hit + dlen + 1;
		}
		len += (size_t)sprintf(out + len, "%s\n", msg);
	}
	return out;
}

static int
run_bad_case(const char *dir, const char *name)
{
	struct diag d = DIAG_INIT;
	char *json = xasprintf("%s/%s.json", dir, name);
	char *exp = xasprintf("%s/%s.expect", dir, name);
	char *want = slurp(exp), *got;
	struct model *m = model_load(json, &d);
	int ok;

	got = render(&d, dir);
	ok = m == NULL && want != NULL && got[0] != '\0' &&
	    strcmp(want, got) == 0;
	if (!ok)
		fprintf(stderr, "bad/%s: %s\n--- expected\n%s--- got\n%s",
		    name, m != NULL ? "loaded" : "wrong messages",
		    want != NULL ? want : "(no .expect file)\n", got);
	model_free(m);
	diag_release(&d);
	free(got);
	free(want);
	free(exp);
	free(json);
	return ok;
}

static void
test_bad_corpus(void **state)
{
	char *dir = fixture("bad");
	size_t n, failed = 0;
	char **names = list_cases(dir, &n);

	(void)state;
	assert_true(n >= 40);
	for (size_t i = 0; i < n; i++) {
		failed += !run_bad_case(dir, names[i]);
		free(names[i]);
	}
	free(names);
	free(dir);
	assert_int_equal(failed, 0);
}

static void
test_many_errors_in_document_order(void **state)
{
	static const char *const want[] = {
		"/bogus: unknown key \"bogus\"",
		"/duration: bad duration \"fast\"",
		"/machine/cores: must be between 1 and 1024, got 0",
		"/clients/acme/handler/AUTH_OPEN/0/call: daemon \"mds\" has "
		    "no service \"idx\"",
		"/processes/acme: duplicate name \"acme\"",
		"/processes/Finder/program/0: unknown action \"slep\" (did "
		    "you mean \"sleep\"?)",
		"/daemons/mds/workers: must be between 1 and 4096, got -2",
		"/workload/sources/0: a source has one of \"rate\" or "
		    "\"interval\"",
		"/expect: expected an object, got an integer",
	};
	struct diag d = DIAG_INIT;
	char *path = fixture("many-errors.json");
	size_t n = sizeof(want) / sizeof(want[0]);

	(void)state;
	assert_null(model_load(path, &d));
	assert_int_equal(diag_count(&d), n);
	for (size_t i = 0; i < n; i++) {
		const char *msg = diag_msg(&d, i);
		assert_true(strncmp(msg, path, strlen(path)) == 0);
		assert_true(strncmp(msg + strlen(path), ": ", 2) == 0);
		assert_true(strncmp(msg + strlen(path) + 2, want[i],
		    strlen(want[i])) == 0);
	}
	diag_release(&d);
	free(path);
}

static void
test_missing_file(void **state)
{
	struct diag d = DIAG_INIT;

	(void)state;
	assert_null(model_load("no/such/model.json", &d));
	assert_int_equal(diag_count(&d), 1);
	assert_true(strncmp(diag_msg(&d, 0), "no/such/model.json: ", 20) == 0);
	diag_release(&d);
}

/* ---- round trip -------------------------------------------------------- */

static void
test_load_json_round_trip(void **state)
{
	struct diag d = DIAG_INIT;
	struct model *m = load_ok("full.json"), *m2;
	char *text = json_dumps(m->json, JSON_PRESERVE_ORDER);
	json_t *doc = json_loads(text, 0, NULL);

	(void)state;
	assert_non_null(doc);
	/* A sweep patches a value and loads again. */
	json_object_set_new(json_object_get(doc, "machine"), "cores",
	    json_integer(32));
	m2 = model_load_json(doc, m->file, m->dir, &d);
	assert_non_null(m2);
	assert_int_equal(diag_count(&d), 0);
	assert_int_equal(m2->cores, 32);
	assert_int_equal(m2->wq_constrained_max, 160);
	assert_int_equal(m2->nprocs, m->nprocs);
	for (size_t i = 0; i < m->nprocs; i++)
		assert_string_equal(m2->procs[i]->name, m->procs[i]->name);
	assert_int_equal(m2->nsources, m->nsources);
	assert_string_equal(m2->trace->file, m->trace->file);
	assert_true(json_equal(m2->expect, m->expect));
	/* The model holds its own reference. */
	json_decref(doc);
	assert_int_equal(json_integer_value(json_object_get(
	    json_object_get(m2->json, "machine"), "cores")), 32);
	/* A patch that breaks the model is reported like a file error. */
	json_object_set_new(json_object_get(m2->json, "machine"), "cores",
	    json_integer(0));
	assert_null(model_load_json(m2->json, "patched", m->dir, &d));
	assert_int_equal(diag_count(&d), 1);
	assert_string_equal(diag_msg(&d, 0), "patched: /machine/cores: must "
	    "be between 1 and 1024, got 0");
	model_free(m2);
	model_free(m);
	free(text);
	diag_release(&d);
}

static void
test_names(void **state)
{
	struct model *m = load_ok("design-example.json");

	(void)state;
	assert_null(model_process(m, "nobody"));
	assert_null(model_client(m, "syspolicyd"));
	assert_null(model_daemon(m, "acme"));
	assert_ptr_equal(model_process(m, "acme"), model_client(m,
	    "acme")->proc);
	assert_string_equal(model_qos_name(M_QOS_USER_INITIATED),
	    "user_initiated");
	assert_string_equal(model_qos_name(M_QOS_BACKGROUND), "background");
	assert_string_equal(model_miss_mode_name(M_MISS_FAIL_CLOSED),
	    "fail_closed");
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_design_example),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_corpus),
		cmocka_unit_test(test_many_errors_in_document_order),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_load_json_round_trip),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
