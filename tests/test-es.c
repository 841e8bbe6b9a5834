/*
 * test-es.c - the ES kernel's rules, one test each, every one of which
 * fails when its rule is broken: verdict combination (all clients, deny
 * wins), AUTH_OPEN flag masks, the NOTIFY twin, the result cache (hit,
 * key, non-cacheable types, invalidation, clear on restart), each kind of
 * muting (process, exe path, target path, inversion per dimension,
 * per-type lists, the multi-path rule, the default mute sets), kill and
 * restart, miss modes, deadline_max, early boot hold and timeout, the
 * dispatch_sync crash of a client, locks and flags, and the probe bus.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/evtype.h"
#include "test-world-util.h"

struct run {
	struct model	*m;
	struct world	*w;
	struct tw_log	 log;
};

#define MASK_ES	(PROBE_BIT(PROBE_SYSCALL_DONE) | PROBE_BIT(PROBE_MSG_ENQUEUE) | \
	PROBE_BIT(PROBE_CACHE_HIT) | PROBE_BIT(PROBE_CLIENT_KILL) | \
	PROBE_BIT(PROBE_CLIENT_START) | PROBE_BIT(PROBE_CLIENT_SUBSCRIBE) | \
	PROBE_BIT(PROBE_DEADLINE_MISS) | PROBE_BIT(PROBE_VERDICT) | \
	PROBE_BIT(PROBE_SYNC_CRASH) | PROBE_BIT(PROBE_PROCESS_EXIT) | \
	PROBE_BIT(PROBE_EARLY_BOOT_HOLD) | PROBE_BIT(PROBE_EARLY_BOOT_RELEASE) | \
	PROBE_BIT(PROBE_LOCK) | PROBE_BIT(PROBE_MSG_DROP))

/* Run the model text (a printf format with the given arguments). */
static void
run(struct run *r, const char *fmt, ...)
{
	static char text[16384];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	r->m = tw_model(text);
	r->w = world_new(r->m, NULL);
	tw_listen(&r->log, r->w, MASK_ES);
	world_run(r->w);
}

static void
done(struct run *r)
{
	tw_log_free(&r->log);
	world_free(r->w);
	model_free(r->m);
}

/* The SYSCALL_DONE of the i-th syscall of process name. */
static const struct tw_rec *
syscall_of(const struct run *r, const char *name, size_t i)
{
	int p = model_process(r->m, name)->id;

	for (size_t j = 0; j < r->log.n; j++)
		if (r->log.r[j].kind == PROBE_SYSCALL_DONE &&
		    r->log.r[j].process == p && i-- == 0)
			return &r->log.r[j];
	fail_msg("no syscall %zu of %s", i, name);
	return NULL;
}

/* Messages queued for client name (of event type t, or any if NULL). */
static size_t
messages(const struct run *r, const char *name, const char *t)
{
	int c = model_client(r->m, name)->id;
	size_t n = 0;

	for (size_t j = 0; j < r->log.n; j++)
		if (r->log.r[j].kind == PROBE_MSG_ENQUEUE &&
		    r->log.r[j].client == c && (t == NULL ||
		    r->log.r[j].evtype == evtype_by_name(t)->value))
			n++;
	return n;
}

/* A client subscribed to AUTH_OPEN: cpu, then respond. */
#define CLIENT(name, cpu, resp) \
	"\"" name "\": {\"subscribe\": [\"AUTH_OPEN\"], \"handler\": {" \
	"\"AUTH_OPEN\": [{\"cpu\": \"" cpu "\"}, {\"respond\": " resp "}]}}"

/* The same for AUTH_EXEC (allow/deny, no flags). */
#define XCLIENT(name, cpu, resp) \
	"\"" name "\": {\"subscribe\": [\"AUTH_EXEC\"], \"handler\": {" \
	"\"AUTH_EXEC\": [{\"cpu\": \"" cpu "\"}, {\"respond\": " resp "}]}}"

#define HEAD	"{\"essim\": 1, \"name\": \"t\", \"duration\": \"20s\"," \
	"\"gcd\": {\"create_latency\": \"0s\"},"

static void
test_verdict_waits_for_every_client(void **state)
{
	struct run r;

	(void)state;
	run(&r, HEAD "\"clients\": {" CLIENT("a", "1ms", "\"allow\"") ","
	    CLIENT("b", "3ms", "\"allow\"") "},"
	    "\"processes\": {\"app\": {\"program\": [{\"open\": \"/x\"}]}}}");
	assert_int_equal(syscall_of(&r, "app", 0)->value, 3 * TW_MS);
	assert_int_equal(syscall_of(&r, "app", 0)->verdict, 1);
	done(&r);
}

static void
test_deny_wins(void **state)
{
	struct run r;

	(void)state;
	/* The deny comes first, the allow later: still denied, at 3 ms. */
	run(&r, HEAD "\"clients\": {" CLIENT("a", "3ms", "\"allow\"") ","
	    CLIENT("b", "1ms", "\"deny\"") "},"
	    "\"processes\": {\"app\": {\"program\": [{\"open\": \"/x\"}]}}}");
	assert_int_equal(syscall_of(&r, "app", 0)->verdict, 0);
	assert_int_equal(syscall_of(&r, "app", 0)->value, 3 * TW_MS);
	done(&r);
	run(&r, HEAD "\"clients\": {" CLIENT("a", "1ms", "\"deny\"") ","
	    CLIENT("b", "3ms", "\"allow\"") "},"
	    "\"processes\": {\"app\": {\"program\": [{\"open\": \"/x\"}]}}}");
	assert_int_equal(syscall_of(&r, "app", 0)->verdict, 0);
	done(&r);
	/* The same with allow/deny answers (AUTH_EXEC), both orders. */
	run(&r, HEAD "\"clients\": {" XCLIENT("a", "3ms", "\"allow\"") ","
	    XCLIENT("b", "1ms", "\"deny\"") "},"
	    "\"processes\": {\"app\": {\"program\": [{\"exec\": \"/x\"}]}}}");
	assert_int_equal(syscall_of(&r, "app", 0)->verdict, 0);
	assert_int_equal(syscall_of(&r, "app", 0)->value, 3 * TW_MS);
	done(&r);
	run(&r, HEAD "\"clients\": {" XCLIENT("a", "1ms", "\"deny\"") ","
	    XCLIENT("b", "3ms", "\"allow\"") "},"
	    "\"processes\": {\"app\": {\"program\": [{\"exec\": \"/x\"}]}}}");
	assert_int_equal(syscall_of(&r, "app", 0)->verdict, 0);
	done(&r);
	run(&r, HEAD "\"clients\": {" XCLIENT("a", "1ms", "\"allow\"") ","
	    XCLIENT("b", "3ms", "\"allow\"") "},"
	    "\"processes\": {\"app\": {\"program\": [{\"exec\": \"/x\"}]}}}");
	assert_int_equal(syscall_of(&r, "app", 0)->verdict, 1);
	done(&r);
}

static void
test_open_flags_are_anded(void **state)
{
	struct run r;

	(void)state;
	/* FREAD|FWRITE and FWRITE: FREAD is not granted: denied. */
	run(&r, HEAD "\"clients\": {"
	    CLIENT("a", "1ms", "\"allow\", \"flags\": 3") ","
	    CLIENT("b", "1ms", "\"allow\", \"flags\": 2") "},"
	    "\"processes\": {\"app\": {\"program\": [{\"open\": \"/x\"}]}}}");
	assert_int_equal(syscall_of(&r, "app", 0)->verdict, 0);
	assert_int_equal(syscall_of(&r, "app", 0)->flags, 2);
	done(&r);
	run(&r, HEAD "\"clients\": {"
	    CLIENT("a", "1ms", "\"allow\"") ","
	    CLIENT("b", "1ms", "\"allow\", \"flags\": 1") "},"
	    "\"processes\": {\"app\": {\"program\": [{\"open\": \"/x\"}]}}}");
	assert_int_equal(syscall_of(&r, "app", 0)->verdict, 1);
	assert_int_equal(syscall_of(&r, "app", 0)->flags, 1);
	done(&r);
}

static void
test_notify_twin_only_when_allowed(void **state)
{
	struct run r;

	(void)state;
	run(&r, HEAD "\"clients\": {" CLIENT("a", "1ms", "\"deny\"") ","
	    "\"n\": {\"subscribe\": [\"NOTIFY_OPEN\", \"NOTIFY_EXEC\"]}},"
	    "\"processes\": {\"app\": {\"program\": [{\"open\": \"/x\"},"
	    "  {\"exec\": \"/bin/ls\"}]}}}");
	/* The denied open has no NOTIFY; the exec (no AUTH client) has. */
	assert_int_equal(messages(&r, "n", "NOTIFY_OPEN"), 0);
	assert_int_equal(messages(&r, "n", "NOTIFY_EXEC"), 1);
	done(&r);
}

static void
test_cache(void **state)
{
	struct run r;

	(void)state;
	/* Same process and file: a hit; another file: a miss. */
	run(&r, HEAD "\"clients\": {"
	    CLIENT("a", "1ms", "\"allow\", \"cache\": true") "},"
	    "\"processes\": {\"app\": {\"program\": [{\"open\": \"/x\"},"
	    "  {\"open\": \"/x\"}, {\"open\": \"/y\"}]},"
	    " \"app2\": {\"program\": [{\"sleep\": \"1s\"}, {\"open\": \"/x\"}]}}}");
	assert_int_equal(messages(&r, "a", NULL), 3);
	assert_int_equal(tw_count(&r.log, PROBE_CACHE_HIT, -1), 1);
	assert_int_equal(syscall_of(&r, "app", 1)->value, 0);
	done(&r);
	/* One client does not cache: the combined answer is not cached. */
	run(&r, HEAD "\"clients\": {"
	    CLIENT("a", "1ms", "\"allow\", \"cache\": true") ","
	    CLIENT("b", "1ms", "\"allow\"") "},"
	    "\"processes\": {\"app\": {\"program\": [{\"open\": \"/x\"},"
	    "  {\"open\": \"/x\"}]}}}");
	assert_int_equal(tw_count(&r.log, PROBE_CACHE_HIT, -1), 0);
	done(&r);
	/* AUTH_UNLINK is never cached. */
	run(&r, HEAD "\"clients\": {\"a\": {\"subscribe\": [\"AUTH_UNLINK\"],"
	    " \"handler\": {\"AUTH_UNLINK\": [{\"respond\": \"allow\","
	    "  \"cache\": true}]}}},"
	    "\"processes\": {\"app\": {\"program\": ["
	    "  {\"event\": \"AUTH_UNLINK\", \"path\": \"/x\"},"
	    "  {\"event\": \"AUTH_UNLINK\", \"path\": \"/x\"}]}}}");
	assert_int_equal(messages(&r, "a", NULL), 2);
	done(&r);
	/* A write to the file invalidates its entry. */
	run(&r, HEAD "\"clients\": {"
	    CLIENT("a", "1ms", "\"allow\", \"cache\": true") "},"
	    "\"processes\": {\"app\": {\"program\": [{\"open\": \"/x\"},"
	    "  {\"event\": \"NOTIFY_WRITE\", \"path\": \"/x\"},"
	    "  {\"open\": \"/x\"}, {\"open\": \"/x\"}]}}}");
	assert_int_equal(messages(&r, "a", NULL), 2);
	assert_int_equal(tw_count(&r.log, PROBE_CACHE_HIT, -1), 1);
	done(&r);
	/* Cached AUTH_OPEN flags without FREAD do not answer an open. */
	run(&r, HEAD "\"clients\": {"
	    CLIENT("a", "1ms", "\"allow\", \"flags\": 2, \"cache\": true") "},"
	    "\"processes\": {\"app\": {\"program\": [{\"open\": \"/x\"},"
	    "  {\"open\": \"/x\"}]}}}");
	assert_int_equal(messages(&r, "a", NULL), 2);
	done(&r);
}

static void
test_cache_cleared_by_restart(void **state)
{
	struct run r;

	(void)state;
	/* /kill is never answered: ES kills a at 1 s, it is back at 2 s. */
	run(&r, HEAD "\"es\": {\"deadline\": {\"AUTH_OPEN\": \"1s\"},"
	    "  \"restart_delay\": \"1s\"},"
	    "\"clients\": {\"a\": {\"subscribe\": [\"AUTH_OPEN\"],"
	    " \"queues\": {\"q\": {\"kind\": \"serial\"}},"
	    " \"handler\": {\"AUTH_OPEN\": [{\"if\": {\"path\": \"/kill\"},"
	    "  \"then\": [], \"else\": [{\"respond\": \"allow\","
	    "  \"cache\": true}]}]}}},"
	    "\"processes\": {\"app\": {\"program\": [{\"open\": \"/x\"},"
	    "  {\"open\": \"/x\"}, {\"open\": \"/kill\"}, {\"sleep\": \"2s\"},"
	    "  {\"open\": \"/x\"}, {\"open\": \"/x\"}]}}}");
	assert_int_equal(tw_count(&r.log, PROBE_CLIENT_KILL, -1), 1);
	assert_int_equal(tw_nth(&r.log, PROBE_CLIENT_KILL, 0)->t, 1 * TW_S);
	/* /x, /kill, and /x again after the restart. */
	assert_int_equal(messages(&r, "a", NULL), 3);
	assert_int_equal(tw_count(&r.log, PROBE_CACHE_HIT, -1), 2);
	done(&r);
}

/* Messages client a gets when app opens `files`, with mute rules `mute`. */
static size_t
muted_run(const char *mute, const char *prog, const char *extra)
{
	struct run r;
	size_t n;

	run(&r, HEAD "%s"
	    "\"clients\": {\"a\": {\"subscribe\": [\"AUTH_OPEN\", \"AUTH_EXEC\","
	    "  \"AUTH_RENAME\"], \"mute\": %s,"
	    " \"handler\": {\"default\": [{\"respond\": \"allow\"}]}}},"
	    "\"processes\": {\"app\": {\"path\": \"/Applications/App.app/App\","
	    "  \"program\": [%s]}}}", extra, mute, prog);
	n = messages(&r, "a", NULL);
	done(&r);
	return n;
}

static void
test_mute_process_and_path(void **state)
{
	const char *open = "{\"open\": \"/tmp/x\"}";

	(void)state;
	assert_int_equal(muted_run("{}", open, ""), 1);
	assert_int_equal(muted_run("{\"processes\": [\"app\"]}", open, ""), 0);
	assert_int_equal(muted_run("{\"processes\": [\"other\"]}", open, ""), 1);
	assert_int_equal(muted_run("{\"paths\": [{\"prefix\": \"/Applications/\"}]}",
	    open, ""), 0);
	assert_int_equal(muted_run("{\"paths\": [{\"literal\": "
	    "\"/Applications/App.app/App\"}]}", open, ""), 0);
	assert_int_equal(muted_run("{\"paths\": [{\"literal\": "
	    "\"/Applications/App.app\"}]}", open, ""), 1);
	/* A process mute limited to AUTH_EXEC leaves opens alone. */
	assert_int_equal(muted_run("{\"processes\": [{\"process\": \"app\","
	    " \"events\": [\"AUTH_EXEC\"]}]}",
	    "{\"open\": \"/tmp/x\"}, {\"exec\": \"/bin/ls\"}", ""), 1);
}

static void
test_mute_target_paths(void **state)
{
	const char *two = "{\"open\": \"/tmp/x\"}, {\"open\": \"/var/y\"}";

	(void)state;
	assert_int_equal(muted_run("{\"target_paths\": [{\"prefix\": \"/tmp/\"}]}",
	    two, ""), 1);
	assert_int_equal(muted_run("{\"target_paths\": [{\"literal\": \"/tmp/x\"}]}",
	    two, ""), 1);
	assert_int_equal(muted_run("{\"target_paths\": [{\"literal\": \"/tmp\"}]}",
	    two, ""), 2);
}

static void
test_mute_inverted(void **state)
{
	const char *two = "{\"open\": \"/tmp/x\"}, {\"open\": \"/var/y\"}";

	(void)state;
	/* Inverted target paths: only /tmp/ is selected. */
	assert_int_equal(muted_run("{\"target_paths\": [{\"prefix\": \"/tmp/\"}],"
	    " \"invert\": {\"target_path\": true}}", two, ""), 1);
	/* Inverted process dimension: only the named process is seen. */
	assert_int_equal(muted_run("{\"processes\": [\"app\"],"
	    " \"invert\": {\"process\": true}}", two, ""), 2);
	assert_int_equal(muted_run("{\"processes\": [\"other\"],"
	    " \"invert\": {\"process\": true}}", two, ""), 0);
	/* Inverted exe path dimension. */
	assert_int_equal(muted_run("{\"paths\": [{\"prefix\": \"/Applications/\"}],"
	    " \"invert\": {\"path\": true}}", two, ""), 2);
	assert_int_equal(muted_run("{\"paths\": [{\"prefix\": \"/usr/\"}],"
	    " \"invert\": {\"path\": true}}", two, ""), 0);
}

static void
test_mute_multi_path(void **state)
{
	const char *mixed = "{\"event\": \"AUTH_RENAME\", \"path\": \"/tmp/a\","
	    " \"target\": \"/var/b\"}";
	const char *both = "{\"event\": \"AUTH_RENAME\", \"path\": \"/tmp/a\","
	    " \"target\": \"/tmp/b\"}";
	const char *none = "{\"event\": \"AUTH_RENAME\", \"path\": \"/var/a\","
	    " \"target\": \"/var/b\"}";
	const char *rule = "{\"target_paths\": [{\"prefix\": \"/tmp/\"}]}";
	const char *inv = "{\"target_paths\": [{\"prefix\": \"/tmp/\"}],"
	    " \"invert\": {\"target_path\": true}}";

	(void)state;
	/* Muted only when every path is muted ... */
	assert_int_equal(muted_run(rule, mixed, ""), 1);
	assert_int_equal(muted_run(rule, both, ""), 0);
	/* ... selected under inversion when any is. */
	assert_int_equal(muted_run(inv, mixed, ""), 1);
	assert_int_equal(muted_run(inv, none, ""), 0);
}

static void
test_default_mute_sets(void **state)
{
	struct run r;
	const char *fmt = HEAD "\"es\": {\"default_mute\": \"%s\"},"
	    "\"clients\": {\"a\": {\"subscribe\": [\"AUTH_OPEN\", \"AUTH_EXEC\"],"
	    " \"mute\": %s,"
	    " \"handler\": {\"default\": [{\"respond\": \"allow\"}]}}},"
	    "\"processes\": {\"spd\": {\"path\": \"/usr/libexec/syspolicyd\","
	    "  \"program\": [{\"open\": \"/x\"},"
	    "  {\"exec\": \"/bin/ls\"}]},"
	    " \"app\": {\"program\": [{\"exec\": \"/usr/sbin/spindump\"},"
	    "  {\"exec\": \"/bin/ls\"}]}}}";

	(void)state;
	/* 13.3.1: syspolicyd's opens are muted, its execs are not. */
	run(&r, fmt, "13.3.1", "{}");
	assert_int_equal(messages(&r, "a", "AUTH_OPEN"), 0);
	assert_int_equal(messages(&r, "a", "AUTH_EXEC"), 3);
	done(&r);
	run(&r, fmt, "none", "{}");
	assert_int_equal(messages(&r, "a", "AUTH_OPEN"), 1);
	done(&r);
	/* 26 also mutes execs OF spindump (a TARGET_LITERAL entry). */
	run(&r, fmt, "26", "{}");
	assert_int_equal(messages(&r, "a", "AUTH_EXEC"), 2);
	done(&r);
	/* Inversion does not clear the default mute set. */
	run(&r, fmt, "13.3.1", "{\"paths\": [{\"prefix\": \"/usr/libexec/\"}],"
	    " \"invert\": {\"path\": true}}");
	assert_int_equal(messages(&r, "a", "AUTH_OPEN"), 0);
	assert_int_equal(messages(&r, "a", "AUTH_EXEC"), 1);
	done(&r);
}

/*
 * Kill and restart: a is killed at 1 s + 1 s, relaunched 2 s later (4 s),
 * runs its 500 ms init and subscribes at 4.5 s.  Opens at 3 s (down) and
 * 4.2 s (initialising) are not delivered; the one at 5 s is.
 */
static void
test_kill_and_restart(void **state)
{
	struct run r;

	(void)state;
	run(&r, HEAD "\"es\": {\"deadline\": {\"AUTH_OPEN\": \"1s\"},"
	    "  \"restart_delay\": \"2s\"},"
	    "\"clients\": {\"a\": {\"subscribe\": [\"AUTH_OPEN\"],"
	    " \"init\": [{\"sleep\": \"500ms\"}],"
	    " \"handler\": {\"AUTH_OPEN\": [{\"sleep\": \"10s\"}]}}},"
	    "\"processes\": {\"app\": {\"program\": [{\"sleep\": \"1s\"},"
	    "  {\"open\": \"/1\"}, {\"sleep\": \"1s\"}, {\"open\": \"/3\"},"
	    "  {\"sleep\": \"1.2s\"}, {\"open\": \"/4.2\"}, {\"sleep\": \"800ms\"},"
	    "  {\"open\": \"/5\"}]}}}");
	/* Subscribed at 0.5 s, 4.5 s, and 8.5 s after the second kill. */
	assert_int_equal(tw_count(&r.log, PROBE_CLIENT_SUBSCRIBE, -1), 3);
	assert_int_equal(tw_nth(&r.log, PROBE_CLIENT_SUBSCRIBE, 0)->t,
	    500 * TW_MS);
	assert_int_equal(tw_nth(&r.log, PROBE_CLIENT_SUBSCRIBE, 1)->t,
	    4500 * TW_MS);
	assert_int_equal(tw_count(&r.log, PROBE_CLIENT_KILL, -1), 2);
	assert_int_equal(tw_nth(&r.log, PROBE_CLIENT_KILL, 0)->t, 2 * TW_S);
	assert_int_equal(tw_nth(&r.log, PROBE_CLIENT_KILL, 1)->t, 6 * TW_S);
	assert_int_equal(tw_nth(&r.log, PROBE_CLIENT_START, 1)->t, 4 * TW_S);
	assert_int_equal(messages(&r, "a", NULL), 2);
	assert_int_equal(syscall_of(&r, "app", 0)->value, 1 * TW_S);
	assert_int_equal(syscall_of(&r, "app", 1)->value, 0);
	assert_int_equal(syscall_of(&r, "app", 2)->value, 0);
	assert_int_equal(syscall_of(&r, "app", 3)->value, 1 * TW_S);
	done(&r);
}

static void
miss_mode(const char *mode, int verdict)
{
	struct run r;

	run(&r, HEAD "\"es\": {\"deadline\": {\"AUTH_OPEN\": \"1s\"}},"
	    "\"clients\": {\"a\": {\"subscribe\": [\"AUTH_OPEN\"],"
	    " \"miss_mode\": \"%s\","
	    " \"handler\": {\"AUTH_OPEN\": [{\"sleep\": \"3s\"},"
	    "  {\"respond\": \"allow\"}]}}},"
	    "\"processes\": {\"app\": {\"program\": [{\"open\": \"/x\"}]}}}",
	    mode);
	assert_int_equal(tw_count(&r.log, PROBE_DEADLINE_MISS, -1), 1);
	assert_int_equal(tw_count(&r.log, PROBE_CLIENT_KILL, -1), 0);
	assert_int_equal(syscall_of(&r, "app", 0)->value, 1 * TW_S);
	assert_int_equal(syscall_of(&r, "app", 0)->verdict, verdict);
	assert_true(world_client_subscribed(r.w, 0));
	done(&r);
}

static void
test_miss_modes(void **state)
{
	(void)state;
	miss_mode("fail_closed", 0);
	miss_mode("fail_open", 1);
}

static void
test_deadline_max_caps(void **state)
{
	struct run r;

	(void)state;
	run(&r, HEAD "\"clients\": {\"a\": {\"subscribe\": [\"AUTH_OPEN\"],"
	    " \"deadline_max\": {\"AUTH_OPEN\": \"2s\"},"
	    " \"handler\": {\"AUTH_OPEN\": [{\"sleep\": \"10s\"}]}}},"
	    "\"processes\": {\"app\": {\"program\": [{\"open\": \"/x\"}]}}}");
	assert_int_equal(tw_nth(&r.log, PROBE_CLIENT_KILL, 0)->t, 2 * TW_S);
	assert_int_equal(syscall_of(&r, "app", 0)->verdict, 1);
	done(&r);
}

static void
test_early_boot(void **state)
{
	struct run r;
	const char *fmt = HEAD "\"es\": {\"early_boot_timeout\": \"%s\"},"
	    "\"clients\": {\"a\": {\"subscribe\": [\"AUTH_EXEC\"],"
	    " \"early_boot\": true, \"init\": [{\"sleep\": \"2s\"}],"
	    " \"handler\": {\"AUTH_EXEC\": [{\"respond\": \"allow\"}]}}},"
	    "\"processes\": {\"app\": {\"program\": [{\"sleep\": \"500ms\"},"
	    "  {\"exec\": \"/bin/ls\"}, {\"open\": \"/x\"}]},"
	    " \"plat\": {\"is_platform\": true, \"program\": [{\"sleep\": \"500ms\"},"
	    "  {\"exec\": \"/bin/ls\"}]}}}";

	(void)state;
	/* Held until a subscribes at 2 s, then seen by it. */
	run(&r, fmt, "60s");
	assert_int_equal(tw_count(&r.log, PROBE_EARLY_BOOT_HOLD, -1), 1);
	assert_int_equal(syscall_of(&r, "app", 0)->value, 1500 * TW_MS);
	assert_int_equal(syscall_of(&r, "app", 1)->value, 0);	/* open */
	assert_int_equal(syscall_of(&r, "plat", 0)->value, 0);
	assert_int_equal(messages(&r, "a", NULL), 1);
	assert_int_equal(world_early_boot_timeouts(r.w), 0);
	done(&r);
	/* Released unobserved by the 1 s timeout. */
	run(&r, fmt, "1s");
	assert_int_equal(syscall_of(&r, "app", 0)->value, 500 * TW_MS);
	assert_int_equal(tw_nth(&r.log, PROBE_EARLY_BOOT_RELEASE, 0)->value, 1);
	assert_int_equal(world_early_boot_timeouts(r.w), 1);
	assert_int_equal(messages(&r, "a", NULL), 0);
	done(&r);
}

/* dispatch_sync onto its own delivery queue crashes the client. */
static void
test_client_sync_crash(void **state)
{
	struct run r;

	(void)state;
	run(&r, HEAD "\"es\": {\"restart_delay\": \"3s\"},"
	    "\"clients\": {\"a\": {\"subscribe\": [\"AUTH_OPEN\"],"
	    " \"handler\": {\"AUTH_OPEN\": [{\"cpu\": \"1ms\"},"
	    "  {\"sync\": \"delivery\", \"do\": [{\"respond\": \"allow\"}]}]}}},"
	    "\"processes\": {\"app\": {\"program\": [{\"open\": \"/x\"}]}}}");
	assert_int_equal(tw_count(&r.log, PROBE_SYNC_CRASH, -1), 1);
	assert_int_equal(tw_nth(&r.log, PROBE_SYNC_CRASH, 0)->t, 1 * TW_MS);
	assert_int_equal(tw_nth(&r.log, PROBE_PROCESS_EXIT, 0)->value,
	    PROBE_KILL_SYNC_CRASH);
	assert_int_equal(tw_count(&r.log, PROBE_CLIENT_KILL, -1), 0);
	/* The message stops counting at the crash: allowed at 1 ms. */
	assert_int_equal(syscall_of(&r, "app", 0)->value, 1 * TW_MS);
	assert_int_equal(syscall_of(&r, "app", 0)->verdict, 1);
	assert_int_equal(tw_nth(&r.log, PROBE_CLIENT_START, 1)->t,
	    3 * TW_S + 1 * TW_MS);
	done(&r);
}

static void
test_locks_fifo_and_flags(void **state)
{
	struct run r;
	const struct tw_rec *l;

	(void)state;
	run(&r, HEAD "\"processes\": {\"app\": {\"threads\": 3, \"program\": ["
	    "  {\"lock\": \"m\"}, {\"sleep\": \"1s\"}, {\"unlock\": \"m\"},"
	    "  {\"set\": \"f\"}]},"
	    " \"w\": {\"program\": [{\"wait_flag\": \"f\"}, {\"set\": \"g\"}]}}}");
	assert_int_equal(tw_count(&r.log, PROBE_LOCK, -1), 3);
	for (size_t i = 0; (l = tw_nth(&r.log, PROBE_LOCK, i)); i++) {
		char want[64];

		assert_int_equal(l->t, (int64_t)i * TW_S);
		snprintf(want, sizeof(want), "app main thread%s%.0zu",
		    i ? " " : "", i ? i + 1 : 0);
		assert_string_equal(l->tname, want);
		assert_string_equal(l->name, "app lock m");
	}
	assert_int_equal(world_flag_first(r.w, 0), 1 * TW_S);
	assert_int_equal(world_flag_first(r.w, 1), 1 * TW_S);
	done(&r);
}

static int bus_calls;

static void
count_fn(void *arg, const struct probe_ev *ev)
{
	(void)arg;
	(void)ev;
	bus_calls++;
}

static void
test_probe_bus(void **state)
{
	struct probe_bus b;
	struct probe_ev ev;
	struct probe_ref ref = { PROBE_OBJ_THREAD, 1, &b };
	char buf[16];

	(void)state;
	probe_init(&b);
	assert_false(probe_on(&b, PROBE_WAIT));
	probe_listen(&b, PROBE_BIT(PROBE_WAIT), count_fn, NULL);
	probe_listen(&b, PROBE_BIT(PROBE_WAIT) | PROBE_BIT(PROBE_WAKE),
	    count_fn, NULL);
	assert_true(probe_on(&b, PROBE_WAIT));
	assert_true(probe_on(&b, PROBE_WAKE));
	assert_false(probe_on(&b, PROBE_LOCK));
	probe_ev_init(&ev, PROBE_WAIT, 5);
	assert_int_equal(ev.process, -1);
	assert_int_equal(ev.verdict, -1);
	probe_emit(&b, &ev);
	assert_int_equal(bus_calls, 2);
	ev.kind = PROBE_WAKE;
	probe_emit(&b, &ev);
	assert_int_equal(bus_calls, 3);
	assert_string_equal(probe_name(&b, &ref, buf, sizeof(buf)), "?");
	assert_string_equal(probe_kind_name(PROBE_SYNC_CRASH), "SYNC_CRASH");
	assert_string_equal(probe_wait_name(PROBE_WAIT_VERDICT), "verdict");
	assert_true(PROBE__COUNT < 64);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict_waits_for_every_client),
		cmocka_unit_test(test_deny_wins),
		cmocka_unit_test(test_open_flags_are_anded),
		cmocka_unit_test(test_notify_twin_only_when_allowed),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_cache_cleared_by_restart),
		cmocka_unit_test(test_mute_process_and_path),
		cmocka_unit_test(test_mute_target_paths),
		cmocka_unit_test(test_mute_inverted),
		cmocka_unit_test(test_mute_multi_path),
		cmocka_unit_test(test_default_mute_sets),
		cmocka_unit_test(test_kill_and_restart),
		cmocka_unit_test(test_miss_modes),
		cmocka_unit_test(test_deadline_max_caps),
		cmocka_unit_test(test_early_boot),
		cmocka_unit_test(test_client_sync_crash),
		cmocka_unit_test(test_locks_fifo_and_flags),
		cmocka_unit_test(test_probe_bus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
