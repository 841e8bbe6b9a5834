/*
 * test-lint.c - the static linter on hand-built models whose findings
 * are known exactly (tests/data/lint/): the DESIGN §4 deadlock and its
 * fix, a three-client ring and the same ring cut by a mute, syncs onto
 * the running queue (directly, nested, through target chains), queues
 * syncing onto each other, lock-order inversions, a lock held across a
 * call, a flag wait, the default mute sets, every warning, a clean
 * model, the cycle cap, determinism and the JSON form; and the mute
 * rules (lint-mute.c) one by one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/lint-mute.h"
#include "analysis/lint.h"
#include "model/model.h"

static struct model *
load(const char *name)
{
	const char *top = getenv("top_srcdir");
	struct diag d = DIAG_INIT;
	struct model *m;
	char path[1024];

	snprintf(path, sizeof(path), "%s/tests/data/lint/%s.json",
	    top != NULL ? top : ".", name);
	m = model_load(path, &d);
	if (m == NULL)
		diag_print(&d, "test-lint", stderr);
	diag_release(&d);
	assert_non_null(m);
	return m;
}

static void
lint_named(const char *name, struct lint_result *r, size_t max_cycles)
{
	struct model *m = load(name);
	struct lint_opts o = { max_cycles };

	lint_model(m, &o, r);
	model_free(m);
}

/* "kind ptr" per finding, one per line. */
static char *
summary(const struct lint_result *r)
{
	static char buf[8192];
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->n; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s %s\n",
		    lint_kind_name(r->v[i].kind), r->v[i].nptrs > 0 ?
		    r->v[i].ptrs[0] : "-");
	return buf;
}

static void
expect_summary(const char *name, const char *want)
{
	struct lint_result r;

	lint_named(name, &r, 0);
	assert_string_equal(summary(&r), want);
	lint_result_release(&r);
}

/* ---- static cycles ----------------------------------------------------- */

static void
test_design_cycle(void **state)
{
	struct lint_result r;
	const struct lint_finding *f;

	(void)state;
	lint_named("codesign-on-delivery-queue", &r, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.nerrors, 1);
	assert_int_equal(r.nwarnings, 0);
	f = &r.v[0];
	assert_int_equal(f->kind, LINT_STATIC_CYCLE);
	assert_int_equal(f->severity, LINT_ERROR);
	assert_string_equal(f->message, "static cycle (3 steps): acme "
	    "delivery queue -> syspolicyd.assess -> acme's AUTH_OPEN message "
	    "(/private/var/db/SystemPolicy) -> acme delivery queue");
	assert_int_equal(f->nptrs, 3);
	assert_string_equal(f->ptrs[0],
	    "/clients/acme/handler/AUTH_OPEN/0/then/0");
	assert_string_equal(f->ptrs[1],
	    "/daemons/syspolicyd/services/assess/1");
	assert_string_equal(f->ptrs[2], "/clients/acme/handler/AUTH_OPEN");
	assert_int_equal(f->nsteps, 3);
	assert_string_equal(f->steps[0].who,
	    "acme handler AUTH_OPEN on acme delivery queue");
	assert_string_equal(f->steps[0].what,
	    "calls syspolicyd.assess (waits for reply)");
	assert_string_equal(f->steps[1].who, "syspolicyd.assess");
	assert_string_equal(f->steps[2].who,
	    "acme's AUTH_OPEN message (/private/var/db/SystemPolicy)");
	assert_string_equal(f->scenario,
	    "  1. acme handler AUTH_OPEN on acme delivery queue  "
	    "/clients/acme/handler/AUTH_OPEN/0/then/0\n"
	    "       calls syspolicyd.assess (waits for reply)\n"
	    "  2. syspolicyd.assess  /daemons/syspolicyd/services/assess/1\n"
	    "       opens /private/var/db/SystemPolicy -> AUTH_OPEN, "
	    "subscribed by acme, not muted: waits for acme's answer before "
	    "replying\n"
	    "  3. acme's AUTH_OPEN message (/private/var/db/SystemPolicy)  "
	    "/clients/acme/handler/AUTH_OPEN\n"
	    "       waits for acme delivery queue, held by step 1 "
	    "-> *** DEADLOCK ***\n");
	lint_result_release(&r);
}

static void
test_design_fixed_is_clean(void **state)
{
	(void)state;
	expect_summary("codesign-fixed", "");
	expect_summary("clean", "");
}

static void
test_serial_work_queue_still_deadlocks(void **state)
{
	struct lint_result r;

	(void)state;
	lint_named("codesign-serial-unconditional", &r, 0);
	assert_string_equal(summary(&r),
	    "static_cycle /clients/acme/handler/AUTH_OPEN/1/do/0\n");
	assert_string_equal(r.v[0].message, "static cycle (3 steps): queue "
	    "acme/verify -> syspolicyd.assess -> acme's AUTH_OPEN message -> "
	    "queue acme/verify");
	assert_string_equal(r.v[0].steps[2].where,
	    "/clients/acme/handler/AUTH_OPEN/1");
	lint_result_release(&r);
}

static void
test_concurrent_nesting_is_a_warning(void **state)
{
	struct lint_result r;

	(void)state;
	lint_named("codesign-concurrent-unconditional", &r, 0);
	assert_string_equal(summary(&r),
	    "recursive_wait /clients/acme/handler/AUTH_OPEN/1/do/0\n");
	assert_int_equal(r.nerrors, 0);
	assert_int_equal(r.nwarnings, 1);
	assert_non_null(strstr(r.v[0].scenario, "*** NO END ***"));
	lint_result_release(&r);
}

static void
test_ring_of_three(void **state)
{
	static const char *const ptrs[] = {
		"/clients/b/handler/AUTH_OPEN/0/then/0",
		"/daemons/db/services/check/0",
		"/clients/c/handler/AUTH_OPEN",
		"/clients/c/handler/AUTH_OPEN/0/then/0",
		"/daemons/dc/services/check/0",
		"/clients/a/handler/AUTH_OPEN",
		"/clients/a/handler/AUTH_OPEN/0/then/0",
		"/daemons/da/services/check/0",
		"/clients/b/handler/AUTH_OPEN",
	};
	struct lint_result r;
	const struct lint_finding *f;

	(void)state;
	lint_named("ring3", &r, 0);
	assert_int_equal(r.n, 1);
	f = &r.v[0];
	assert_int_equal(f->kind, LINT_STATIC_CYCLE);
	assert_int_equal(f->nsteps, 9);
	assert_int_equal(f->nptrs, 9);
	for (size_t i = 0; i < 9; i++)
		assert_string_equal(f->ptrs[i], ptrs[i]);
	assert_string_equal(f->message, "static cycle (9 steps): b delivery "
	    "queue -> db.check -> c's AUTH_OPEN message (/c/file) -> "
	    "c delivery queue -> dc.check -> a's AUTH_OPEN message (/a/file) "
	    "-> a delivery queue -> da.check -> b's AUTH_OPEN message "
	    "(/b/file) -> b delivery queue");
	assert_non_null(strstr(f->scenario, "9. b's AUTH_OPEN message "
	    "(/b/file)  /clients/b/handler/AUTH_OPEN\n       waits for b "
	    "delivery queue, held by step 1 -> *** DEADLOCK ***\n"));
	lint_result_release(&r);
	/* b mutes da as well: the ring is cut, nothing else remains. */
	expect_summary("ring3-muted", "");
}

static void
test_default_mute_sets(void **state)
{
	struct lint_result r;

	(void)state;
	/* 13.3.1 mutes syspolicyd's AUTH_OPEN: the §4 cycle cannot close. */
	expect_summary("default-mute-open", "");
	/* 26 does not mute AUTH_EXEC of trustd. */
	lint_named("default-mute-exec", &r, 0);
	assert_string_equal(summary(&r),
	    "static_cycle /clients/santa/handler/AUTH_EXEC/0\n");
	assert_non_null(strstr(r.v[0].scenario, "execs "
	    "/usr/libexec/trustd-helper -> AUTH_EXEC, subscribed by santa, "
	    "not muted"));
	lint_result_release(&r);
}

static void
test_lock_held_across_call(void **state)
{
	struct lint_result r;

	(void)state;
	lint_named("lock-across-call", &r, 0);
	assert_string_equal(summary(&r),
	    "static_cycle /clients/vault/handler/AUTH_OPEN/1/do/1\n");
	assert_string_equal(r.v[0].steps[0].what, "calls keyd.fetch (waits "
	    "for reply) while holding lock vault/db (taken at "
	    "/clients/vault/handler/AUTH_OPEN/1/do/0)");
	assert_string_equal(r.v[0].steps[2].what, "takes lock vault/db "
	    "before answering its AUTH_OPEN message");
	lint_result_release(&r);
}

static void
test_flag_wait_cycle(void **state)
{
	struct lint_result r;

	(void)state;
	lint_named("flag-wait", &r, 0);
	assert_string_equal(summary(&r),
	    "static_cycle /clients/acme/handler/AUTH_OPEN/0\n");
	assert_string_equal(r.v[0].message, "static cycle (3 steps): acme "
	    "delivery queue -> flag ready -> acme's AUTH_OPEN message -> acme "
	    "delivery queue");
	assert_string_equal(r.v[0].steps[1].where, "/processes/boot/program/0");
	lint_result_release(&r);
}

/* ---- queues and locks -------------------------------------------------- */

static void
test_sync_on_own_queue(void **state)
{
	struct lint_result r;

	(void)state;
	lint_named("sync-own-queue", &r, 0);
	assert_string_equal(summary(&r),
	    "sync_on_own_queue /clients/q/handler/AUTH_OPEN/1/do/0\n"
	    "sync_on_own_queue /clients/q/handler/AUTH_OPEN/2\n"
	    "sync_on_own_queue /processes/app/program/0/do/0/do/0\n");
	/* The nested case names where the outer sync took the queue. */
	assert_int_equal(r.v[2].nptrs, 2);
	assert_string_equal(r.v[2].ptrs[1], "/processes/app/program/0");
	assert_string_equal(r.v[1].message, "q handler AUTH_OPEN on q delivery "
	    "queue: dispatch_sync onto q delivery queue, which this thread "
	    "already runs (since /clients/q/handler/AUTH_OPEN): libdispatch "
	    "crashes the process");
	lint_result_release(&r);
}

static void
test_sync_through_target_chain(void **state)
{
	struct lint_result r;

	(void)state;
	lint_named("sync-target-chain", &r, 0);
	assert_string_equal(summary(&r),
	    "sync_on_own_queue /processes/app/program/0/do/0\n"
	    "sync_on_own_queue /processes/app/program/1/do/0\n"
	    "sync_on_own_queue /processes/app/program/2/do/0\n");
	assert_non_null(strstr(r.v[0].message, "onto queue app/inner, whose "
	    "target chain runs on queue app/outer"));
	assert_non_null(strstr(r.v[1].message, "onto queue app/fan, whose "
	    "target chain runs on queue app/outer"));
	lint_result_release(&r);
}

static void
test_queues_sync_each_other(void **state)
{
	struct lint_result r;

	(void)state;
	lint_named("queues-sync-each-other", &r, 0);
	assert_string_equal(summary(&r),
	    "static_cycle /processes/app/program/0/do/0\n");
	assert_string_equal(r.v[0].message, "static cycle (2 steps): queue "
	    "app/ui -> queue app/io -> queue app/ui");
	lint_result_release(&r);
}

static void
test_lock_order_inversion(void **state)
{
	struct lint_result r;

	(void)state;
	lint_named("lock-order", &r, 0);
	assert_string_equal(summary(&r), "lock_order_inversion "
	    "/clients/lk/handler/AUTH_OPEN/1/do/1\n");
	assert_string_equal(r.v[0].ptrs[1],
	    "/clients/lk/handler/AUTH_OPEN/2/do/1");
	assert_string_equal(r.v[0].steps[0].who,
	    "lk handler AUTH_OPEN on queue lk/q1");
	assert_string_equal(r.v[0].steps[1].what, "takes lock lk/cache while "
	    "holding lock lk/db (taken at "
	    "/clients/lk/handler/AUTH_OPEN/2/do/0)");
	lint_result_release(&r);
	/* A lock a loop may still hold when it comes round again. */
	expect_summary("recursive-lock",
	    "recursive_lock /processes/app/program/0/do/0\n");
}

/* ---- warnings ---------------------------------------------------------- */

static void
test_each_warning(void **state)
{
	struct lint_result r;

	(void)state;
	lint_named("warnings", &r, 0);
	assert_string_equal(summary(&r),
	    "no_response /clients/w1/handler/AUTH_EXEC/0/else\n"
	    "retained_never_answered /clients/w1/handler/AUTH_RENAME/0\n"
	    "unhandled_subscription /clients/w1/subscribe/2\n"
	    "respond_on_notify /clients/w2/handler/default/0\n"
	    "respond_flags_not_open /clients/w2/handler/default/0\n"
	    "lock_not_released /clients/w3/handler/AUTH_OPEN/0\n"
	    "unlock_not_held /clients/w3/handler/AUTH_OPEN/2\n"
	    "flag_never_set /clients/w3/handler/AUTH_OPEN/3\n");
	assert_int_equal(r.nerrors, 0);
	assert_int_equal(r.nwarnings, 8);
	for (size_t i = 0; i < r.n; i++) {
		assert_int_equal(r.v[i].severity, LINT_WARNING);
		assert_int_equal(r.v[i].nsteps, 0);
		assert_null(r.v[i].scenario);
	}
	lint_result_release(&r);
}

static void
clear_bit(struct evset *s, int v)
{
	s->w[v >> 6] &= ~(1ULL << (v & 63));
}

/* Cases the loader refuses, made by editing a loaded model. */
static void
test_warnings_the_loader_prevents(void **state)
{
	struct model *m = load("clean");
	struct m_client *c = m->clients[0];
	const struct evtype *ex = evtype_by_name("AUTH_EXEC");
	const struct evtype *exit = evtype_by_name("NOTIFY_EXIT");
	struct lint_result r;

	(void)state;
	clear_bit(&c->subscribe, exit->value);
	c->handler[ex->value] = NULL;
	lint_model(m, NULL, &r);
	assert_string_equal(summary(&r),
	    "unhandled_subscription /clients/good/subscribe/0\n"
	    "handler_not_subscribed /clients/good/handler/NOTIFY_EXIT\n");
	assert_non_null(strstr(r.v[0].message, "ES kills the client"));
	lint_result_release(&r);
	model_free(m);
}

/* ---- cap, output, determinism ------------------------------------------ */

static char *
printed(const struct lint_result *r)
{
	FILE *f = tmpfile();
	long n;
	char *s;

	assert_non_null(f);
	lint_print(r, "m.json", f);
	n = ftell(f);
	rewind(f);
	s = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return s;
}

static void
test_cycle_cap(void **state)
{
	struct lint_result r;
	char *s;
	size_t two = 0, three = 0;

	(void)state;
	lint_named("queues-sync-mesh", &r, 0);
	assert_int_equal(r.n, 5);
	assert_false(r.truncated);
	for (size_t i = 0; i < r.n; i++) {
		two += r.v[i].nsteps == 2;
		three += r.v[i].nsteps == 3;
	}
	assert_int_equal(two, 3);
	assert_int_equal(three, 2);
	lint_result_release(&r);
	lint_named("queues-sync-mesh", &r, 2);
	assert_int_equal(r.n, 2);
	assert_true(r.truncated);
	s = printed(&r);
	assert_non_null(strstr(s, "m.json: note: the cycle search stopped "
	    "after 2 cycles (--max-cycles); there may be more\n"
	    "m.json: 2 errors, 0 warnings\n"));
	free(s);
	lint_result_release(&r);
}

static void
test_print_format(void **state)
{
	struct lint_result r;
	char *s;

	(void)state;
	lint_named("recursive-lock", &r, 0);
	s = printed(&r);
	assert_string_equal(s, "m.json: /processes/app/program/0/do/0: error: "
	    "process app takes lock app/state again while it may hold it "
	    "(taken at /processes/app/program/0/do/0): a mutex is not "
	    "recursive, the thread waits for itself [recursive_lock]\n"
	    "m.json: 1 error, 0 warnings\n");
	free(s);
	lint_result_release(&r);
	lint_named("clean", &r, 0);
	s = printed(&r);
	assert_string_equal(s, "m.json: 0 errors, 0 warnings\n");
	free(s);
	lint_result_release(&r);
}

static void
test_deterministic(void **state)
{
	static const char *const names[] = {
		"ring3", "warnings", "queues-sync-mesh", "sync-own-queue"
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct lint_result a, b;
		char *sa, *sb;
		json_t *ja, *jb;
		lint_named(names[i], &a, 0);
		lint_named(names[i], &b, 0);
		sa = printed(&a);
		sb = printed(&b);
		assert_string_equal(sa, sb);
		ja = lint_json(&a, "m.json");
		jb = lint_json(&b, "m.json");
		assert_true(json_equal(ja, jb));
		json_decref(ja);
		json_decref(jb);
		free(sa);
		free(sb);
		lint_result_release(&a);
		lint_result_release(&b);
	}
}

static void
test_json_form(void **state)
{
	struct lint_result r;
	json_t *j, *f, *st;

	(void)state;
	lint_named("codesign-on-delivery-queue", &r, 0);
	j = lint_json(&r, "m.json");
	assert_string_equal(json_string_value(json_object_get(j, "file")),
	    "m.json");
	assert_int_equal(json_integer_value(json_object_get(j, "errors")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "warnings")), 0);
	assert_true(json_is_false(json_object_get(j, "truncated")));
	assert_int_equal(json_integer_value(json_object_get(j, "classes")),
	    (json_int_t)r.nclasses);
	f = json_array_get(json_object_get(j, "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(f, "kind")),
	    "static_cycle");
	assert_string_equal(json_string_value(json_object_get(f, "severity")),
	    "error");
	assert_int_equal(json_array_size(json_object_get(f, "pointers")), 3);
	st = json_object_get(f, "steps");
	assert_int_equal(json_array_size(st), 3);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(st, 1), "where")),
	    "/daemons/syspolicyd/services/assess/1");
	assert_string_equal(json_string_value(json_object_get(f, "scenario")),
	    r.v[0].scenario);
	json_decref(j);
	lint_result_release(&r);
}

/* ---- mute rules -------------------------------------------------------- */

static const struct lint_path none = { LINT_PATH_NONE, NULL };

static enum lint_tri
delivered(const struct m_client *c, const struct lint_mute_set *ds,
    const struct m_process *p, const char *type, struct lint_path path,
    char *why)
{
	return lint_mute_delivered(c, ds, p, evtype_by_name(type), &path,
	    &none, why, 256);
}

static void
test_default_set_contents(void **state)
{
	struct lint_mute_set *a = lint_mute_set_default(M_DEFMUTE_13_3_1);
	struct lint_mute_set *b = lint_mute_set_default(M_DEFMUTE_26);
	const struct m_mute *r;
	size_t targets = 0;

	(void)state;
	assert_null(lint_mute_set_default(M_DEFMUTE_NONE));
	assert_string_equal(lint_mute_set_name(a), "13.3.1");
	/* One rule per line of the dumps (tccd has two paths in 13.3.1). */
	assert_int_equal(lint_mute_set_size(a), 16);
	assert_int_equal(lint_mute_set_size(b), 35);
	r = lint_mute_set_rule(a, 0);
	assert_int_equal(r->kind, M_MUTE_PATH_LITERAL);
	assert_true(evset_has(&r->events, evtype_by_name("AUTH_OPEN")->value));
	assert_false(evset_has(&r->events, evtype_by_name("AUTH_EXEC")->value));
	for (size_t i = 0; i < lint_mute_set_size(b); i++)
		targets += lint_mute_set_rule(b, i)->kind ==
		    M_MUTE_TARGET_LITERAL;
	assert_int_equal(targets, 7);
	assert_null(lint_mute_set_rule(a, 16));
	lint_mute_set_free(a);
	lint_mute_set_free(b);
}

static void
test_mute_dimensions(void **state)
{
	struct m_process spd = { 0 }, fin = { 0 }, spin = { 0 };
	struct m_mute rules[3];
	struct m_client c;
	struct lint_mute_set *ds = lint_mute_set_default(M_DEFMUTE_26);
	struct lint_path lit = { LINT_PATH_KNOWN, "/private/var/db/x" };
	struct lint_path any = { LINT_PATH_ANY, NULL };
	struct lint_path pre = { LINT_PATH_PREFIX, "/Users/u/src/f" };
	struct lint_path sd = { LINT_PATH_KNOWN, "/usr/sbin/spindump" };
	char why[256];

	(void)state;
	spd.name = "syspolicyd";
	spd.path = "/usr/libexec/syspolicyd";
	fin.name = "Finder";
	fin.path = "/System/Library/CoreServices/Finder.app/Contents/MacOS/"
	    "Finder";
	spin.name = "sh";
	spin.path = "/bin/sh";
	memset(&c, 0, sizeof(c));
	memset(rules, 0, sizeof(rules));
	c.name = "acme";
	c.mutes = rules;

	/* Nothing muted; the default set mutes syspolicyd's opens only. */
	assert_int_equal(delivered(&c, NULL, &spd, "AUTH_OPEN", lit, why),
	    LINT_YES);
	assert_string_equal(why, "not muted");
	assert_int_equal(delivered(&c, ds, &spd, "AUTH_OPEN", lit, why),
	    LINT_NO);
	assert_string_equal(why, "muted by the default mute set 26 (path "
	    "/usr/libexec/syspolicyd)");
	assert_int_equal(delivered(&c, ds, &spd, "AUTH_EXEC", lit, why),
	    LINT_YES);
	/* 26 mutes AUTH_EXEC *of* spindump, by target. */
	assert_int_equal(delivered(&c, ds, &spin, "AUTH_EXEC", sd, why),
	    LINT_NO);

	/* Process rule, for some event types only. */
	rules[0].kind = M_MUTE_PROCESS;
	rules[0].process = &spd;
	evset_add(&rules[0].events, evtype_by_name("AUTH_EXEC")->value);
	c.nmutes = 1;
	assert_int_equal(delivered(&c, NULL, &spd, "AUTH_EXEC", lit, why),
	    LINT_NO);
	assert_string_equal(why, "muted by acme's process rule syspolicyd");
	assert_int_equal(delivered(&c, NULL, &spd, "AUTH_OPEN", lit, why),
	    LINT_YES);
	/* Inverted: only what the rules name is delivered. */
	c.invert_process = 1;
	assert_int_equal(delivered(&c, NULL, &spd, "AUTH_EXEC", lit, why),
	    LINT_YES);
	assert_int_equal(delivered(&c, NULL, &fin, "AUTH_EXEC", lit, why),
	    LINT_NO);
	assert_string_equal(why,
	    "not selected by acme's inverted process muting");
	c.invert_process = 0;

	/* Executable path prefix, all events. */
	rules[0].kind = M_MUTE_PATH_PREFIX;
	rules[0].str = "/usr/libexec/";
	rules[0].all_events = 1;
	assert_int_equal(delivered(&c, NULL, &spd, "AUTH_OPEN", lit, why),
	    LINT_NO);
	assert_int_equal(delivered(&c, NULL, &fin, "AUTH_OPEN", lit, why),
	    LINT_YES);

	/* Target prefix: a known path, a zipf prefix, an unknown path. */
	rules[0].kind = M_MUTE_TARGET_PREFIX;
	rules[0].str = "/private/var/";
	assert_int_equal(delivered(&c, NULL, &fin, "AUTH_OPEN", lit, why),
	    LINT_NO);
	assert_string_equal(why,
	    "muted by acme's target prefix rule /private/var/");
	assert_int_equal(delivered(&c, NULL, &fin, "AUTH_OPEN", pre, why),
	    LINT_YES);
	assert_int_equal(delivered(&c, NULL, &fin, "AUTH_OPEN", any, why),
	    LINT_MAYBE);
	assert_int_equal(delivered(&c, NULL, &fin, "AUTH_OPEN", none, why),
	    LINT_YES);
	rules[0].str = "/Users/u/";
	assert_int_equal(delivered(&c, NULL, &fin, "AUTH_OPEN", pre, why),
	    LINT_NO);
	/* Inverted target muting selects only matching paths. */
	c.invert_target_path = 1;
	assert_int_equal(delivered(&c, NULL, &fin, "AUTH_OPEN", pre, why),
	    LINT_YES);
	assert_int_equal(delivered(&c, NULL, &fin, "AUTH_OPEN", lit, why),
	    LINT_NO);
	/* Inversion does not clear the default set. */
	c.invert_target_path = 0;
	c.invert_path = 1;
	c.nmutes = 0;
	assert_int_equal(delivered(&c, ds, &spd, "AUTH_OPEN", lit, why),
	    LINT_NO);
	assert_int_equal(delivered(&c, NULL, &spd, "AUTH_OPEN", lit, why),
	    LINT_NO);
	assert_string_equal(why, "not selected by acme's inverted path muting");

	/* Two paths: muted only when both are. */
	c.invert_path = 0;
	rules[0].kind = M_MUTE_TARGET_LITERAL;
	rules[0].str = "/private/var/db/x";
	c.nmutes = 1;
	{
		struct lint_path other = { LINT_PATH_KNOWN, "/tmp/y" };
		const struct evtype *rn = evtype_by_name("AUTH_RENAME");
		assert_int_equal(lint_mute_delivered(&c, NULL, &fin, rn, &lit,
		    &other, NULL, 0), LINT_YES);
		assert_int_equal(lint_mute_delivered(&c, NULL, &fin, rn, &lit,
		    &lit, NULL, 0), LINT_NO);
	}
	lint_mute_set_free(ds);
}

static void
test_path_logic(void **state)
{
	struct lint_path k = { LINT_PATH_KNOWN, "/a/b/c" };
	struct lint_path p = { LINT_PATH_PREFIX, "/a/b" };
	struct lint_path any = { LINT_PATH_ANY, NULL };

	(void)state;
	assert_int_equal(lint_path_has_prefix(&k, "/a/"), LINT_YES);
	assert_int_equal(lint_path_has_prefix(&k, "/b/"), LINT_NO);
	assert_int_equal(lint_path_has_prefix(&p, "/a/"), LINT_YES);
	assert_int_equal(lint_path_has_prefix(&p, "/a/b/c"), LINT_MAYBE);
	assert_int_equal(lint_path_has_prefix(&p, "/x"), LINT_NO);
	assert_int_equal(lint_path_has_prefix(&any, "/x"), LINT_MAYBE);
	assert_int_equal(lint_path_has_prefix(&none, "/x"), LINT_NO);
	assert_int_equal(lint_path_is(&k, "/a/b/c"), LINT_YES);
	assert_int_equal(lint_path_is(&k, "/a/b"), LINT_NO);
	assert_int_equal(lint_path_is(&p, "/a/b/9"), LINT_MAYBE);
	assert_int_equal(lint_path_is(&p, "/c"), LINT_NO);
	assert_int_equal(lint_tri_and(LINT_YES, LINT_MAYBE), LINT_MAYBE);
	assert_int_equal(lint_tri_and(LINT_NO, LINT_MAYBE), LINT_NO);
	assert_int_equal(lint_tri_or(LINT_NO, LINT_MAYBE), LINT_MAYBE);
	assert_int_equal(lint_tri_or(LINT_YES, LINT_MAYBE), LINT_YES);
	assert_int_equal(lint_tri_not(LINT_MAYBE), LINT_MAYBE);
	assert_int_equal(lint_tri_not(LINT_NO), LINT_YES);
}

/* A process program of n nested "if"s, built in memory. */
static struct model *
nested(int n)
{
	json_t *prog = json_pack("[{s:s}]", "cpu", "1ms");
	struct diag d = DIAG_INIT;
	struct model *m;
	json_t *doc;

	for (int i = 0; i < n; i++)
		prog = json_pack("[{s:{s:f}, s:o}]", "if", "p", 0.5, "then",
		    prog);
	doc = json_pack("{s:i, s:s, s:{s:{s:o}}}", "essim", 1, "name",
	    "nested", "processes", "app", "program", prog);
	m = model_load_json(doc, "nested.json", ".", &d);
	json_decref(doc);
	diag_print(&d, "test-lint", stderr);
	diag_release(&d);
	assert_non_null(m);
	return m;
}

static void
test_too_deep_is_noted(void **state)
{
	struct model *m = nested(LINT_NEST_MAX - 1);
	struct lint_result r;
	char *s;

	(void)state;
	lint_model(m, NULL, &r);
	assert_null(r.too_deep);
	assert_int_equal(r.n, 0);
	lint_result_release(&r);
	model_free(m);
	m = nested(LINT_NEST_MAX + 20);
	lint_model(m, NULL, &r);
	assert_non_null(r.too_deep);
	/* The first program not followed: LINT_NEST_MAX levels down. */
	assert_int_equal(strlen(r.too_deep), strlen("/processes/app/program") +
	    (size_t)LINT_NEST_MAX * strlen("/0/then") + strlen("/0"));
	s = printed(&r);
	assert_non_null(strstr(s, ": note: programs nested more than 100 "
	    "levels deep are not followed\n"));
	free(s);
	lint_result_release(&r);
	model_free(m);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(lint_kind_name(LINT_STATIC_CYCLE), "static_cycle");
	assert_string_equal(lint_kind_name(LINT_RECURSIVE_WAIT),
	    "recursive_wait");
	assert_int_equal(lint_kind_severity(LINT_LOCK_ORDER_INVERSION),
	    LINT_ERROR);
	assert_int_equal(lint_kind_severity(LINT_FLAG_NEVER_SET), LINT_WARNING);
	assert_string_equal(lint_severity_name(LINT_WARNING), "warning");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_design_cycle),
		cmocka_unit_test(test_design_fixed_is_clean),
		cmocka_unit_test(test_serial_work_queue_still_deadlocks),
		cmocka_unit_test(test_concurrent_nesting_is_a_warning),
		cmocka_unit_test(test_ring_of_three),
		cmocka_unit_test(test_default_mute_sets),
		cmocka_unit_test(test_lock_held_across_call),
		cmocka_unit_test(test_flag_wait_cycle),
		cmocka_unit_test(test_sync_on_own_queue),
		cmocka_unit_test(test_sync_through_target_chain),
		cmocka_unit_test(test_queues_sync_each_other),
		cmocka_unit_test(test_lock_order_inversion),
		cmocka_unit_test(test_each_warning),
		cmocka_unit_test(test_warnings_the_loader_prevents),
		cmocka_unit_test(test_cycle_cap),
		cmocka_unit_test(test_print_format),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_json_form),
		cmocka_unit_test(test_default_set_contents),
		cmocka_unit_test(test_mute_dimensions),
		cmocka_unit_test(test_path_logic),
		cmocka_unit_test(test_too_deep_is_noted),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
