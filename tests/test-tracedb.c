/*
 * test-tracedb.c - the SQLite trace store: SHA-256 against FIPS 180-4
 * vectors; import then cursor gives back exactly what the reader read,
 * in (time, import order) order; filters; idempotent import; every
 * object accounted for; --on-error=fail leaves nothing behind; an
 * interrupted import (a child process killed mid-way) leaves a
 * consistent store that a second import completes; bad database files
 * give errors, not crashes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "config.h"
#include "core/intr.h"
#include "trace/eslogger.h"
#include "trace/sha256.h"
#include "trace/tracedb.h"

static char tmpdir[1024];

static const char *const real[] = {
	"eslogger/tstromberg-esl_opens.json",
	"eslogger/mullvad-process-rs_samples.jsonl",
	"eslogger/scratchingpost_real_tahoe_capture.jsonl",
	"eslogger/tstromberg-esl_exec.json",
	"eslogger/tstromberg-esl_lookup.json",
	"variants/forms.jsonl",
};
#define NREAL	(sizeof(real) / sizeof(real[0]))

static int
setup(void **state)
{
	const char *top = getenv("top_srcdir"), *t = getenv("TMPDIR");
	char dir[4096];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/essim-tdb.XXXXXX",
	    t != NULL ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(dir, sizeof(dir), "%s/tests/data/traces",
	    top != NULL ? top : ".");
	return chdir(dir);
}

static int
teardown(void **state)
{
	char cmd[2048];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A fresh path in the temporary directory. */
static const char *
tmp_path(const char *name)
{
	static char buf[1200];

	snprintf(buf, sizeof(buf), "%s/%s", tmpdir, name);
	unlink(buf);
	return buf;
}

static void
write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void
hex_of(const char *s, size_t n, size_t reps, char hex[SHA256_HEXLEN])
{
	struct sha256 h;
	uint8_t d[SHA256_LEN];

	sha256_init(&h);
	for (size_t i = 0; i < reps; i++)
		sha256_update(&h, s, n);
	sha256_final(&h, d);
	sha256_hex(d, hex);
}

static void
test_sha256(void **state)
{
	static const char two_blocks[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[SHA256_HEXLEN], hex2[SHA256_HEXLEN];
	struct sha256 h;
	uint8_t d[SHA256_LEN];

	(void)state;
	hex_of("", 0, 1, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b"
	    "934ca495991b7852b855");
	hex_of("abc", 3, 1, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a39617"
	    "7a9cb410ff61f20015ad");
	hex_of(two_blocks, strlen(two_blocks), 1, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff"
	    "2167f6ecedd419db06c1");
	hex_of("a", 1, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497"
	    "200e046d39ccc7112cd0");
	/* Chunking does not matter. */
	sha256_init(&h);
	for (size_t i = 0; i < strlen(two_blocks); i += 7)
		sha256_update(&h, two_blocks + i, strlen(two_blocks) - i < 7 ?
		    strlen(two_blocks) - i : 7);
	sha256_final(&h, d);
	hex_of(two_blocks, strlen(two_blocks), 1, hex2);
	assert_string_equal(sha256_hex(d, hex), hex2);
}

static struct tdb *
open_db(const char *path, enum tdb_mode mode)
{
	struct err e = ERR_INIT;
	struct tdb *db = tdb_open(path, mode, &e);

	if (db == NULL)
		fail_msg("%s", e.text);
	return db;
}

static void
import_ok(struct tdb *db, const char *file, struct tdb_import_stats *st)
{
	struct err e = ERR_INIT;

	if (tdb_import(db, file, NULL, st, &e) != TDB_OK)
		fail_msg("%s: %s", file, e.text);
}

static void
render_proc(char *buf, size_t n, const struct esl_process *p)
{
	snprintf(buf, n, "[%d/%d %u %u %u %u %u %u ppid %d/%d %s %s %s %d%d]",
	    p->token.pid, p->token.pidversion, p->token.auid, p->token.euid,
	    p->token.egid, p->token.ruid, p->token.rgid, p->token.asid,
	    p->ppid, p->original_ppid, p->exe,
	    p->signing_id != NULL ? p->signing_id : "(null)",
	    p->team_id != NULL ? p->team_id : "(null)", p->is_es_client,
	    p->is_platform_binary);
}

/* Every field of ev but id, as one line. */
static char *
render(const struct esl_event *ev)
{
	char p[1024], t[1024] = "-", *s;
	size_t n = 4096;

	render_proc(p, sizeof(p), &ev->proc);
	if (ev->has_target)
		render_proc(t, sizeof(t), &ev->target);
	s = malloc(n);
	snprintf(s, n, "%" PRId64 " %" PRId64 " %s v%d a%d seq %" PRId64
	    " gsn %" PRId64 " thr %" PRId64 " %s path %s path2 %s target %s "
	    "status %d/%d at %s:%d", ev->time, ev->mach_time, ev->type->name,
	    ev->version, ev->action_type, ev->seq_num, ev->global_seq_num,
	    ev->thread_id, p, ev->path != NULL ? ev->path : "(null)",
	    ev->path2 != NULL ? ev->path2 : "(null)", t, ev->has_status,
	    ev->status, ev->source, ev->line);
	return s;
}

struct item {
	int64_t		 time;
	size_t		 order;
	char		*text;
};

static int
cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* What the reader yields for real[], in replay order. */
static struct item *
expected_events(size_t *n)
{
	struct item *v = calloc(64, sizeof(*v));

	*n = 0;
	for (size_t f = 0; f < NREAL; f++) {
		struct err e = ERR_INIT;
		struct esl_reader *r = esl_open(real[f], NULL, &e);
		struct esl_event ev;

		assert_non_null(r);
		while (esl_next(r, &ev, &e) == ESL_EVENT) {
			assert_true(*n < 64);
			v[*n].time = ev.time;
			v[*n].order = *n;
			v[*n].text = render(&ev);
			(*n)++;
		}
		esl_close(r);
	}
	qsort(v, *n, sizeof(*v), cmp_item);
	return v;
}

static const char *
import_all(void)
{
	const char *path = tmp_path("all.db");
	struct tdb *db = open_db(path, TDB_WRITE);
	struct tdb_import_stats st;

	for (size_t f = 0; f < NREAL; f++) {
		import_ok(db, real[f], &st);
		assert_false(st.already);
	}
	tdb_close(db);
	return path;
}

static void
test_cursor_order_and_fields(void **state)
{
	const char *path = import_all();
	struct tdb *db = open_db(path, TDB_READ);
	struct tdb_cursor *c;
	struct esl_event ev;
	struct err e = ERR_INIT;
	struct item *want;
	size_t n, i = 0;
	int64_t last_time = INT64_MIN, last_id = 0;

	(void)state;
	want = expected_events(&n);
	assert_int_equal(n, 13 + 16);
	c = tdb_cursor_open(db, NULL, &e);
	assert_non_null(c);
	while (tdb_cursor_next(c, &ev, &e) == 1) {
		char *got = render(&ev);

		assert_true(i < n);
		assert_true(ev.time >= last_time);
		if (ev.time == last_time)
			assert_true(ev.id > last_id);
		last_time = ev.time;
		last_id = ev.id;
		assert_string_equal(got, want[i].text);
		free(got);
		free(want[i++].text);
	}
	assert_false(e.set);
	assert_int_equal(i, n);
	free(want);
	tdb_cursor_close(c);
	tdb_close(db);
}

static size_t
count_events(struct tdb *db, const struct tdb_filter *f, const char *type)
{
	struct err e = ERR_INIT;
	struct tdb_cursor *c = tdb_cursor_open(db, f, &e);
	struct esl_event ev;
	size_t n = 0;

	assert_non_null(c);
	while (tdb_cursor_next(c, &ev, &e) == 1) {
		if (type != NULL)
			assert_string_equal(ev.type->name, type);
		if (f != NULL) {
			assert_true(ev.time >= f->from && ev.time < f->to);
			if (f->pid >= 0)
				assert_int_equal(ev.proc.token.pid, f->pid);
			if (f->exe != NULL)
				assert_string_equal(ev.proc.exe, f->exe);
		}
		n++;
	}
	assert_false(e.set);
	tdb_cursor_close(c);
	return n;
}

static void
test_cursor_filters(void **state)
{
	const struct evtype *exec = evtype_by_name("NOTIFY_EXEC");
	const struct evtype *two[2] = { evtype_by_name("NOTIFY_OPEN"),
	    evtype_by_name("NOTIFY_FORK") };
	struct tdb_filter f = TDB_FILTER_INIT;
	struct tdb *db = open_db(import_all(), TDB_READ);

	(void)state;
	assert_int_equal(count_events(db, NULL, NULL), 29);
	f.types = &exec;
	f.ntypes = 1;
	/* execs: 2 in mullvad, 1 each in scratchingpost, tstromberg, forms */
	assert_int_equal(count_events(db, &f, "NOTIFY_EXEC"), 2 + 1 + 1 + 1);
	f.types = two;
	f.ntypes = 2;
	/* opens: 2 in tstromberg-esl_opens, 4 in forms; forks: 1 + 1 */
	assert_int_equal(count_events(db, &f, NULL), 2 + 4 + 1 + 1);
	f.types = NULL;
	f.ntypes = 0;
	/* 2024-01-01T00:00:00Z .. 2024-01-01T00:00:04Z: forms lines 1-4 */
	f.from = 1704067200000000000LL;
	f.to = 1704067204000000000LL;
	assert_int_equal(count_events(db, &f, NULL), 5);
	f.from = INT64_MIN;
	f.to = INT64_MAX;
	f.pid = 547;
	assert_int_equal(count_events(db, &f, "NOTIFY_OPEN"), 2);
	f.pid = -1;
	f.exe = "/sbin/launchd";
	assert_int_equal(count_events(db, &f, NULL), 2);
	f.pid = 1;
	assert_int_equal(count_events(db, &f, "NOTIFY_FORK"), 1);
	tdb_close(db);
}

static void
test_idempotent(void **state)
{
	const char *path = tmp_path("idem.db");
	char copy[1200], buf[16384];
	struct tdb *db = open_db(path, TDB_WRITE);
	struct tdb_import_stats st;
	struct tdb_summary s;
	struct err e = ERR_INIT;
	FILE *f;
	size_t n;

	(void)state;
	import_ok(db, real[1], &st);
	assert_false(st.already);
	assert_int_equal(st.counts.events, 4);
	import_ok(db, real[1], &st);
	assert_true(st.already);
	assert_string_equal(st.first_name, real[1]);
	assert_int_equal(st.counts.events, 0);
	/* The same content under another name is the same trace. */
	snprintf(copy, sizeof(copy), "%s/copy.jsonl", tmpdir);
	f = fopen(real[1], "rb");
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	write_file(copy, buf, n);
	import_ok(db, copy, &st);
	assert_true(st.already);
	assert_int_equal(tdb_summarize(db, 10, &s, &e), TDB_OK);
	assert_int_equal(s.nsources, 1);
	assert_int_equal(s.events, 4);
	tdb_summary_release(&s);
	/* One byte more is another trace. */
	write_file(copy, buf, n - 1);
	import_ok(db, copy, &st);
	assert_false(st.already);
	assert_int_equal(st.counts.events, 4);
	tdb_close(db);
}

static void
test_skip_accounts_everything(void **state)
{
	struct tdb_import_opts o = TDB_IMPORT_OPTS_INIT;
	struct tdb *db = open_db(tmp_path("skip.db"), TDB_WRITE);
	struct tdb_import_stats st;
	struct tdb_summary s;
	struct err e = ERR_INIT;

	(void)state;
	o.on_error = TDB_SKIP;
	assert_int_equal(tdb_import(db, "bad/nul.jsonl", &o, &st, &e), TDB_OK);
	assert_false(e.set);
	assert_int_equal(st.counts.objects, 3);
	assert_int_equal(st.counts.events, 2);
	assert_int_equal(st.counts.bad, 1);
	assert_int_equal(tdb_import(db, "variants/forms.jsonl", &o, &st, &e),
	    TDB_OK);
	assert_int_equal(st.counts.objects, st.counts.events + st.counts.bad +
	    st.counts.unknown);
	assert_int_equal(st.counts.unknown, 2);
	assert_int_equal(tdb_summarize(db, 10, &s, &e), TDB_OK);
	assert_int_equal(s.nsources, 2);
	assert_int_equal(s.events, 2 + 16);
	assert_int_equal(s.sources[0].skipped, 1);
	assert_int_equal(s.sources[1].unknown, 2);
	assert_int_equal(s.sources[1].drops, 5);
	assert_int_equal(s.drops, 5);
	tdb_summary_release(&s);
	tdb_close(db);
}

static void
test_fail_leaves_nothing(void **state)
{
	struct tdb_import_opts o = TDB_IMPORT_OPTS_INIT;
	struct tdb *db = open_db(tmp_path("fail.db"), TDB_WRITE);
	struct tdb_import_stats st;
	struct tdb_summary s;
	struct err e = ERR_INIT;
	char buf[512];

	(void)state;
	o.batch = 1;	/* the good first event is committed before the bad */
	assert_int_equal(tdb_import(db, "bad/mismatch.jsonl", &o, &st, &e),
	    TDB_EBAD);
	assert_string_equal(err_format(&e, buf, sizeof(buf)),
	    "bad/mismatch.jsonl:2: /event: key \"exec\" does not match "
	    "event_type 10 (NOTIFY_OPEN, whose key is \"open\")");
	assert_int_equal(tdb_summarize(db, 10, &s, &e), TDB_OK);
	assert_int_equal(s.nsources, 0);
	assert_int_equal(s.events, 0);
	tdb_summary_release(&s);
	/* Not "already imported": skip mode imports it now. */
	o.on_error = TDB_SKIP;
	err_clear(&e);
	assert_int_equal(tdb_import(db, "bad/mismatch.jsonl", &o, &st, &e),
	    TDB_OK);
	assert_false(st.already);
	assert_int_equal(st.counts.events, 2);
	tdb_close(db);
}

static void
die_now(void *arg, const struct err *e)
{
	(void)arg;
	(void)e;
	kill(getpid(), SIGKILL);
}

/*
 * A child imports with one event per transaction and is killed (SIGKILL,
 * no cleanup) at the bad object, after the first event was committed:
 * the store must show nothing of that source, and a second import must
 * complete it.
 */
static void
test_interrupted_import(void **state)
{
	const char *path = tmp_path("intr.db");
	struct tdb_import_opts o = TDB_IMPORT_OPTS_INIT;
	struct tdb_import_stats st;
	struct tdb_summary s;
	struct err e = ERR_INIT;
	struct tdb *db;
	char dbpath[1200];
	pid_t pid;
	int status;

	(void)state;
	snprintf(dbpath, sizeof(dbpath), "%s", path);
	db = open_db(dbpath, TDB_WRITE);
	import_ok(db, real[0], &st);
	tdb_close(db);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		db = tdb_open(dbpath, TDB_WRITE, &e);
		o.on_error = TDB_SKIP;
		o.batch = 1;
		o.on_bad = die_now;
		tdb_import(db, "bad/unclosed.jsonl", &o, &st, &e);
		_exit(1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	db = open_db(dbpath, TDB_READ);
	assert_int_equal(tdb_summarize(db, 10, &s, &e), TDB_OK);
	assert_int_equal(s.nsources, 2);
	assert_true(s.sources[0].complete);
	assert_false(s.sources[1].complete);
	assert_int_equal(s.events, 2);
	tdb_summary_release(&s);
	assert_int_equal(count_events(db, NULL, NULL), 2);
	tdb_close(db);

	db = open_db(dbpath, TDB_WRITE);
	o.on_error = TDB_SKIP;
	assert_int_equal(tdb_import(db, "bad/unclosed.jsonl", &o, &st, &e),
	    TDB_OK);
	assert_false(st.already);
	assert_int_equal(tdb_summarize(db, 10, &s, &e), TDB_OK);
	assert_int_equal(s.nsources, 2);
	assert_true(s.sources[1].complete);
	assert_int_equal(s.events, 2 + 2);
	tdb_summary_release(&s);
	assert_int_equal(count_events(db, NULL, NULL), 4);
	tdb_close(db);
}

/*
 * A gzip file that breaks off: fail refuses it; skip keeps what it can,
 * but one that breaks off before its first object is no trace at all.
 */
static void
test_truncated_gzip(void **state)
{
	struct tdb_import_opts o = TDB_IMPORT_OPTS_INIT;
	struct tdb *db = open_db(tmp_path("gz.db"), TDB_WRITE);
	struct tdb_import_stats st;
	struct tdb_summary s;
	struct err e = ERR_INIT;
	int rc;

	(void)state;
	rc = tdb_import(db, "bad/truncated.json.gz", &o, &st, &e);
	assert_int_equal(rc, TDB_EBAD);
#ifdef HAVE_ZLIB
	assert_string_equal(e.text, "corrupt gzip data: unexpected end of "
	    "file");
	o.on_error = TDB_SKIP;
	err_clear(&e);
	rc = tdb_import(db, "bad/truncated.json.gz", &o, &st, &e);
	assert_int_equal(rc, TDB_EBAD);
	assert_string_equal(e.file, "bad/truncated.json.gz");
	assert_string_equal(e.text, "not an eslogger trace (no readable "
	    "object, 1 bad); nothing imported");
	assert_int_equal(st.counts.objects, 1);
	assert_int_equal(st.counts.bad, 1);
	assert_int_equal(st.counts.events, 0);
	assert_int_equal(st.size, 1463);
	/* Three events, then the stream breaks off inside the fourth. */
	err_clear(&e);
	rc = tdb_import(db, "../../bad/traces/gzip-truncated-skip/in.json.gz",
	    &o, &st, &e);
	assert_int_equal(rc, TDB_OK);
	assert_int_equal(st.counts.objects, 4);
	assert_int_equal(st.counts.events, 3);
	assert_int_equal(st.counts.bad, 1);
	assert_int_equal(tdb_summarize(db, 10, &s, &e), TDB_OK);
	assert_int_equal(s.nsources, 1);
	assert_true(s.sources[0].complete);
	assert_int_equal(s.events, 3);
	tdb_summary_release(&s);
#endif
	tdb_close(db);
}

/* Under skip, a file with no readable object is refused, not stored. */
static void
test_skip_nothing_readable(void **state)
{
	struct tdb_import_opts o = TDB_IMPORT_OPTS_INIT;
	struct tdb *db = open_db(tmp_path("garbage.db"), TDB_WRITE);
	struct tdb_import_stats st;
	struct tdb_summary s;
	struct err e = ERR_INIT;

	(void)state;
	o.on_error = TDB_SKIP;
	assert_int_equal(tdb_import(db,
	    "../../bad/traces/gzip-named-garbage-skip/in.json.gz", &o, &st,
	    &e), TDB_EBAD);
	assert_string_equal(e.text, "not an eslogger trace (no readable "
	    "object, 3 bad); nothing imported");
	assert_int_equal(st.counts.bad, 3);
	/* An empty file is an empty trace, and a valid one. */
	err_clear(&e);
	assert_int_equal(tdb_import(db, "../../bad/traces/empty-file/in.jsonl",
	    &o, &st, &e), TDB_OK);
	assert_int_equal(tdb_summarize(db, 10, &s, &e), TDB_OK);
	assert_int_equal(s.nsources, 1);
	assert_int_equal(s.sources[0].objects, 0);
	tdb_summary_release(&s);
	tdb_close(db);
}

static void
raise_sigint(void *arg, const struct err *e)
{
	(void)arg;
	(void)e;
	raise(SIGINT);
}

/* Rows in events, complete sources or not. */
static int64_t
raw_events(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM events",
	    -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/*
 * SIGINT (a real one, raised) stops an import: before it starts, nothing
 * is written; in the middle, the committed batches stay behind an
 * incomplete source, the open one is rolled back, and the same import
 * run again replaces them.
 */
static void
test_sigint_import(void **state)
{
	const char *path = tmp_path("sigint.db");
	struct tdb_import_opts o = TDB_IMPORT_OPTS_INIT;
	struct tdb_import_stats st;
	struct tdb_summary s;
	struct err e = ERR_INIT;
	struct tdb *db;
	char dbpath[1200];

	(void)state;
	snprintf(dbpath, sizeof(dbpath), "%s", path);
	db = open_db(dbpath, TDB_WRITE);
	intr_install();
	raise(SIGINT);
	assert_int_equal(tdb_import(db, real[0], &o, &st, &e), TDB_EINTR);
	assert_string_equal(e.text, "interrupted");
	assert_false(st.partial);
	intr_restore();
	assert_int_equal(tdb_summarize(db, 10, &s, &e), TDB_OK);
	assert_int_equal(s.nsources, 0);
	tdb_summary_release(&s);

	/* One event committed (batch 1), then SIGINT at the bad object. */
	intr_install();
	err_clear(&e);
	o.on_error = TDB_SKIP;
	o.batch = 1;
	o.on_bad = raise_sigint;
	assert_int_equal(tdb_import(db, "bad/unclosed.jsonl", &o, &st, &e),
	    TDB_EINTR);
	assert_true(st.partial);
	intr_restore();
	assert_int_equal(tdb_summarize(db, 10, &s, &e), TDB_OK);
	assert_int_equal(s.nsources, 1);
	assert_false(s.sources[0].complete);
	assert_int_equal(s.events, 0);
	tdb_summary_release(&s);
	assert_int_equal(count_events(db, NULL, NULL), 0);
	tdb_close(db);
	assert_int_equal(raw_events(dbpath), 1);

	db = open_db(dbpath, TDB_WRITE);
	o.on_bad = NULL;
	assert_int_equal(tdb_import(db, "bad/unclosed.jsonl", &o, &st, &e),
	    TDB_OK);
	assert_false(st.already);
	assert_int_equal(tdb_summarize(db, 10, &s, &e), TDB_OK);
	assert_int_equal(s.nsources, 1);
	assert_true(s.sources[0].complete);
	assert_int_equal(s.events, 2);
	tdb_summary_release(&s);
	tdb_close(db);
	assert_int_equal(raw_events(dbpath), 2);
}

static void
test_summary(void **state)
{
	const char *path = tmp_path("sum.db");
	struct tdb *db = open_db(path, TDB_WRITE);
	struct tdb_import_stats st;
	struct tdb_summary s;
	struct err e = ERR_INIT;

	(void)state;
	for (size_t f = 0; f < NREAL - 1; f++)
		import_ok(db, real[f], &st);
	assert_int_equal(tdb_summarize(db, 3, &s, &e), TDB_OK);
	assert_int_equal(s.events, 13);
	assert_int_equal(s.first, 1683465013705540415LL);
	assert_int_equal(s.last, 1785843505825904694LL);
	assert_int_equal(s.drops, 14);
	assert_int_equal(s.ntypes, 8);
	/* by count, then name */
	assert_string_equal(s.types[0].name, "NOTIFY_EXEC");
	assert_int_equal(s.types[0].n, 4);
	assert_string_equal(s.types[1].name, "NOTIFY_FORK");
	assert_string_equal(s.types[2].name, "NOTIFY_OPEN");
	assert_string_equal(s.types[3].name, "NOTIFY_CREATE");
	assert_string_equal(s.types[7].name, "NOTIFY_UNLINK");
	assert_int_equal(s.nprocesses, 12);
	assert_int_equal(s.nprocs, 3);
	assert_string_equal(s.processes[0].name, "/usr/sbin/cfprefsd");
	assert_int_equal(s.processes[0].pid, 547);
	assert_int_equal(s.processes[0].n, 2);
	assert_string_equal(s.processes[1].name,
	    "/Applications/Mullvad VPN.app/Contents/MacOS/Mullvad VPN");
	assert_string_equal(s.processes[2].name, "/bin/bash");
	assert_int_equal(s.npaths, 12);
	assert_int_equal(s.npathcounts, 3);
	assert_int_equal(s.paths[0].n, 1);
	assert_string_equal(s.paths[0].name,
	    "/Applications/Mullvad VPN.app/Contents/MacOS/Mullvad VPN");
	tdb_summary_release(&s);
	tdb_close(db);
}

static void
expect_open_error(const char *path, enum tdb_mode mode, const char *text)
{
	struct err e = ERR_INIT;

	assert_null(tdb_open(path, mode, &e));
	assert_string_equal(e.text, text);
	assert_string_equal(e.file, path);
}

static void
sql(const char *path, const char *stmt)
{
	sqlite3 *h;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, stmt, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

static void
test_bad_databases(void **state)
{
	char path[1200], json[16384];
	FILE *f;
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s", tmp_path("missing.db"));
	expect_open_error(path, TDB_READ, "cannot open: No such file or "
	    "directory");
	/* A trace given where the store goes: refused, left untouched. */
	f = fopen(real[0], "rb");
	n = fread(json, 1, sizeof(json), f);
	fclose(f);
	snprintf(path, sizeof(path), "%s", tmp_path("trace-as-db.db"));
	write_file(path, json, n);
	expect_open_error(path, TDB_WRITE, "not a SQLite database (file is "
	    "not a database)");
	expect_open_error(path, TDB_READ, "not a SQLite database (file is "
	    "not a database)");
	f = fopen(path, "rb");
	assert_int_equal(fread(json + n, 1, n, f), n);
	fclose(f);
	assert_memory_equal(json, json + n, n);

	snprintf(path, sizeof(path), "%s", tmp_path("other.db"));
	sql(path, "CREATE TABLE runs (id INTEGER PRIMARY KEY)");
	expect_open_error(path, TDB_WRITE, "a SQLite database, but not an "
	    "essim trace store (no meta table entry 'format')");
	sql(path, "CREATE TABLE meta (key TEXT, value TEXT);"
	    "INSERT INTO meta VALUES ('format', 'essim-results')");
	expect_open_error(path, TDB_READ, "a SQLite database, but not an "
	    "essim trace store (format 'essim-results')");

	snprintf(path, sizeof(path), "%s", tmp_path("empty.db"));
	write_file(path, "", 0);
	expect_open_error(path, TDB_READ, "an empty SQLite database, not an "
	    "essim trace store");

	snprintf(path, sizeof(path), "%s", tmp_path("newer.db"));
	tdb_close(open_db(path, TDB_WRITE));
	sql(path, "UPDATE meta SET value = '2' WHERE key = 'version'");
	expect_open_error(path, TDB_READ, "trace store schema version 2 is "
	    "newer than this essim understands (1); use a newer essim");
	sql(path, "UPDATE meta SET value = 'x' WHERE key = 'version'");
	expect_open_error(path, TDB_WRITE, "unsupported trace store schema "
	    "version 'x'");
}

/* Garbage over the pages after the header: errors, never a crash. */
static void
test_corrupt_database(void **state)
{
	const char *src = import_all();
	char path[1200], *buf;
	struct tdb_summary s;
	struct err e = ERR_INIT;
	struct tdb *db;
	FILE *f;
	long size;
	int rc = TDB_OK;

	(void)state;
	f = fopen(src, "rb");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc((size_t)size);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	assert_true(size > 8192);
	for (long i = 4096; i < size; i++)
		buf[i] = (char)(i * 7 + 3);
	snprintf(path, sizeof(path), "%s", tmp_path("corrupt.db"));
	write_file(path, buf, (size_t)size);
	free(buf);
	if ((db = tdb_open(path, TDB_READ, &e)) != NULL) {
		rc = tdb_summarize(db, 10, &s, &e);
		tdb_summary_release(&s);
		tdb_close(db);
	}
	assert_true(db == NULL || rc != TDB_OK);
	assert_true(e.set);
	assert_string_equal(e.file, path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_cursor_order_and_fields),
		cmocka_unit_test(test_cursor_filters),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_skip_accounts_everything),
		cmocka_unit_test(test_fail_leaves_nothing),
		cmocka_unit_test(test_interrupted_import),
		cmocka_unit_test(test_truncated_gzip),
		cmocka_unit_test(test_skip_nothing_readable),
		cmocka_unit_test(test_sigint_import),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_bad_databases),
		cmocka_unit_test(test_corrupt_database),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
