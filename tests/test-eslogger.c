/*
 * test-eslogger.c - the eslogger reader: every real recording in
 * tests/data/traces/eslogger/ reads with no error and no unknown type,
 * with per-file and per-event values checked against an independent
 * decoder; every format variant; every kind of bad input, one by one,
 * with its exact message; time parsing; memory bounds on huge input.
 *
 * The expected values for real traces were computed with python3, not
 * with essim (run in tests/data/traces/eslogger):
 *
 *   python3 -c 'import json,sys,collections,glob,datetime
 *   for f in sorted(glob.glob("*.json*")):
 *     s=open(f).read(); d=json.JSONDecoder(); i=0; c=collections.Counter()
 *     while True:
 *       while i<len(s) and s[i].isspace(): i+=1
 *       if i>=len(s): break
 *       o,j=d.raw_decode(s,i); t=o["time"]
 *       ns=int(datetime.datetime.strptime(t[:19],"%Y-%m-%dT%H:%M:%S")
 *         .replace(tzinfo=datetime.timezone.utc).timestamp())*10**9
 *         +int((t[20:-1]+"000000000")[:9])
 *       c[(o["event_type"],list(o["event"])[0])]+=1
 *       print(f,s.count("\n",0,i)+1,o["event_type"],ns,
 *         o.get("global_seq_num"),o["process"]["executable"]["path"])
 *       i=j
 *     print(f,dict(c))'
 *
 * Object start lines of the variant files come from the same loop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "trace/eslogger.h"

/* Fixture paths are relative to tests/data/traces (see setup). */
static int
setup(void **state)
{
	const char *top = getenv("top_srcdir");
	char dir[4096];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/data/traces",
	    top != NULL ? top : ".");
	return chdir(dir);
}

struct want_event {
	int		 line;
	int		 type;
	int64_t		 time;
	int64_t		 gsn;
	const char	*exe;
};

struct want_file {
	const char	*file;
	size_t		 n;
	uint64_t	 drops;
	struct want_event ev[5];
};

static const struct want_file real[] = {
	{ "eslogger/mullvad-process-rs_samples.jsonl", 4, 14, {
	    { 1, 15, 1754579589811587464LL, 1103, "/usr/sbin/ipconfig" },
	    { 2, 9, 1754572895880814738LL, 75, "/bin/nu" },
	    { 3, 11, 1753196941084030274LL, 1,
	      "/Applications/Mullvad VPN.app/Contents/MacOS/Mullvad VPN" },
	    { 4, 9, 1785843505825904694LL, 16, "/usr/libexec/xpcproxy" } } },
	{ "eslogger/scratchingpost_real_tahoe_capture.jsonl", 5, 0, {
	    { 1, 9, 1782942633240504956LL, 189, "/sbin/launchd" },
	    { 2, 11, 1782942633239905081LL, 188, "/sbin/launchd" },
	    { 3, 13, 1782942704524332789LL, 3, "/bin/bash" },
	    { 4, 25, 1782942704519765748LL, 1, "/bin/mv" },
	    { 5, 32, 1782942704523487706LL, 2, "/bin/rm" } } },
	{ "eslogger/tstromberg-esl_exec.json", 1, 0, {
	    { 1, 9, 1683469544366219837LL, 6,
	      "/opt/homebrew/Cellar/fish/3.6.0/bin/fish" } } },
	{ "eslogger/tstromberg-esl_lookup.json", 1, 0, {
	    { 1, 43, 1683469918253828482LL, 639, "/usr/sbin/distnoted" } } },
	{ "eslogger/tstromberg-esl_opens.json", 2, 0, {
	    { 1, 10, 1683465013705540415LL, 261, "/usr/sbin/cfprefsd" },
	    { 115, 10, 1683465013705753532LL, 262, "/usr/sbin/cfprefsd" } } },
};

/* Read the next event, which must exist. */
static void
next_event(struct esl_reader *r, struct esl_event *ev)
{
	struct err e = ERR_INIT;
	int rc = esl_next(r, ev, &e);

	if (rc != ESL_EVENT)
		fail_msg("%s: expected an event, got %d: %s", esl_name(r), rc,
		    e.text);
}

static struct esl_reader *
open_ok(const char *path, const struct esl_opts *o)
{
	struct err e = ERR_INIT;
	struct esl_reader *r = esl_open(path, o, &e);

	if (r == NULL)
		fail_msg("%s: %s", path, e.text);
	return r;
}

static void
expect_end(struct esl_reader *r)
{
	struct esl_event ev;
	struct err e = ERR_INIT;

	assert_int_equal(esl_next(r, &ev, &e), ESL_END);
	assert_int_equal(e.set, 0);
}

static void
test_real_traces(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(real) / sizeof(real[0]); f++) {
		struct esl_reader *r = open_ok(real[f].file, NULL);
		const struct esl_counts *c = esl_counts(r);
		struct esl_event ev;

		for (size_t i = 0; i < real[f].n; i++) {
			const struct want_event *w = &real[f].ev[i];

			next_event(r, &ev);
			assert_string_equal(ev.source, real[f].file);
			assert_int_equal(ev.line, w->line);
			assert_int_equal(ev.id, (int64_t)i + 1);
			assert_int_equal(ev.type->value, w->type);
			assert_int_equal(ev.type->kind, EVTYPE_NOTIFY);
			assert_int_equal(ev.time, w->time);
			assert_int_equal(ev.global_seq_num, w->gsn);
			assert_string_equal(ev.proc.exe, w->exe);
			assert_int_equal(ev.action_type, 1);
		}
		expect_end(r);
		assert_int_equal(c->objects, real[f].n);
		assert_int_equal(c->events, real[f].n);
		assert_int_equal(c->bad, 0);
		assert_int_equal(c->unknown, 0);
		assert_int_equal(c->drops, real[f].drops);
		esl_close(r);
	}
}

/* Mullvad line 3 writes audit tokens as arrays and has a team id. */
static void
test_array_tokens(void **state)
{
	struct esl_reader *r;
	struct esl_event ev;

	(void)state;
	r = open_ok("eslogger/mullvad-process-rs_samples.jsonl", NULL);
	next_event(r, &ev);
	assert_true(ev.has_status);
	assert_int_equal(ev.status, 0);
	assert_null(ev.proc.team_id);
	assert_int_equal(ev.proc.token.pid, 11221);
	assert_int_equal(ev.proc.token.pidversion, 170692);
	assert_int_equal(ev.proc.token.auid, 4294967295U);
	next_event(r, &ev);
	next_event(r, &ev);
	/* [auid, euid, egid, ruid, rgid, pid, asid, pidversion] */
	assert_int_equal(ev.proc.token.auid, 501);
	assert_int_equal(ev.proc.token.euid, 501);
	assert_int_equal(ev.proc.token.egid, 20);
	assert_int_equal(ev.proc.token.ruid, 501);
	assert_int_equal(ev.proc.token.rgid, 20);
	assert_int_equal(ev.proc.token.pid, 19745);
	assert_int_equal(ev.proc.token.asid, 100013);
	assert_int_equal(ev.proc.token.pidversion, 35165);
	assert_string_equal(ev.proc.team_id, "CKG9MXH72F");
	assert_string_equal(ev.proc.signing_id, "net.mullvad.vpn");
	assert_int_equal(ev.proc.ppid, 1);
	assert_int_equal(ev.version, 10);
	assert_int_equal(ev.thread_id, 227846);
	assert_int_equal(ev.mach_time, 241051246374LL);
	assert_true(ev.has_target);
	assert_int_equal(ev.target.token.pid, 21497);
	assert_int_equal(ev.target.token.pidversion, 38282);
	assert_int_equal(ev.target.ppid, 19745);
	assert_string_equal(ev.path, ev.target.exe);
	esl_close(r);
}

/* Pretty-printed, "\/" escapes, lookup join, exec target, file events. */
static void
test_real_fields(void **state)
{
	struct esl_reader *r;
	struct esl_event ev;

	(void)state;
	r = open_ok("eslogger/tstromberg-esl_lookup.json", NULL);
	next_event(r, &ev);
	assert_string_equal(ev.path, "/Library/SystemExtensions/3E480FC1-57F3-"
	    "4BDD-B22E-4FF5A4A01D3B/com.objective-see.lulu.extension."
	    "systemextension/Contents/MacOS/com.objective-see.lulu.extension");
	assert_null(ev.path2);
	assert_int_equal(ev.seq_num, 639);
	assert_int_equal(ev.thread_id, 266160);
	assert_true(ev.proc.is_platform_binary);
	assert_false(ev.proc.is_es_client);
	esl_close(r);

	r = open_ok("eslogger/tstromberg-esl_opens.json", NULL);
	next_event(r, &ev);
	assert_string_equal(ev.path, "/Users/t/Library/Preferences");
	assert_int_equal(ev.proc.token.pid, 547);
	assert_int_equal(ev.proc.token.pidversion, 1273);
	assert_int_equal(ev.version, 6);
	next_event(r, &ev);
	assert_string_equal(ev.path,
	    "/Users/t/Library/Preferences/com.apple.Terminal.plist");
	esl_close(r);

	r = open_ok("eslogger/tstromberg-esl_exec.json", NULL);
	next_event(r, &ev);
	assert_true(ev.has_target);
	assert_string_equal(ev.path, "/bin/date");
	assert_int_equal(ev.target.token.pid, ev.proc.token.pid);
	assert_int_equal(ev.target.token.pidversion,
	    ev.proc.token.pidversion + 1);
	esl_close(r);

	r = open_ok("eslogger/scratchingpost_real_tahoe_capture.jsonl", NULL);
	next_event(r, &ev);
	next_event(r, &ev);
	assert_int_equal(ev.proc.ppid, 0);
	next_event(r, &ev);
	assert_string_equal(ev.path, "/private/tmp/spd_2.txt");	/* create */
	next_event(r, &ev);
	assert_string_equal(ev.path, "/private/tmp/spd_1.txt");	/* rename */
	assert_string_equal(ev.path2, "/private/tmp/spdm_1.txt");
	next_event(r, &ev);
	assert_string_equal(ev.path, "/private/tmp/spdm_1.txt");	/* unlink */
	assert_null(ev.path2);
	esl_close(r);
}

struct want_form {
	int		 line;
	const char	*type;
	int64_t		 time;
	const char	*path, *path2;
	int64_t		 thread;
};

/* tests/data/traces/variants/forms.jsonl, object by object. */
static const struct want_form forms[] = {
	{ 1, "NOTIFY_OPEN", 1704067200500000000LL, "/tmp/a", NULL, -1 },
	{ 2, "NOTIFY_OPEN", 1704067201000000000LL, "/tmp/b", NULL, -1 },
	{ 3, "NOTIFY_CLOSE", 1704067202000000001LL, "/tmp/a", NULL, 4242 },
	{ 3, "NOTIFY_WRITE", 1704067202000000002LL, "/tmp/w", NULL, 4242 },
	{ 4, "NOTIFY_RENAME", 1704067203000000000LL, "/tmp/old",
	  "/tmp/existing", 4242 },
	{ 5, "NOTIFY_LOOKUP", 1704067204000000000LL, "/private/var/db/x", NULL,
	  4242 },
	{ 6, "NOTIFY_LINK", 1704067205000000000LL, "/tmp/src", "/tmp/dir/lnk",
	  4242 },
	{ 7, "NOTIFY_EXCHANGEDATA", 1704067206000000000LL, "/tmp/f1",
	  "/tmp/f2", 4242 },
	{ 8, "NOTIFY_MOUNT", 1704067207000000000LL, "/Volumes/USB", NULL,
	  4242 },
	{ 9, "NOTIFY_SIGNAL", 1704067208000000000LL, "/usr/bin/victim", NULL,
	  4242 },
	{ 10, "NOTIFY_SETMODE", 1704067209000000000LL, "/tmp/mode", NULL,
	  4242 },
	{ 11, "NOTIFY_OPEN", 1704067210250000000LL, "/tmp/tz", NULL, 4242 },
	{ 14, "NOTIFY_EXIT", 1704067213000000000LL, NULL, NULL, 4242 },
	{ 15, "NOTIFY_EXEC", 1704067214000000000LL, "/bin/sh", "/tmp/s.sh",
	  4242 },
	{ 16, "NOTIFY_OPEN", 1704067215000000000LL, "/tmp/caf\xc3\xa9", NULL,
	  4242 },
	{ 17, "NOTIFY_COPYFILE", 1704067216000000000LL, "/tmp/c1",
	  "/tmp/cdir/c2", 4242 },
};

static void
check_form(const struct esl_event *ev, const struct want_form *w)
{
	assert_int_equal(ev->line, w->line);
	assert_string_equal(ev->type->name, w->type);
	assert_int_equal(ev->time, w->time);
	assert_int_equal(ev->thread_id, w->thread);
	if (w->path == NULL)
		assert_null(ev->path);
	else
		assert_string_equal(ev->path, w->path);
	if (w->path2 == NULL)
		assert_null(ev->path2);
	else
		assert_string_equal(ev->path2, w->path2);
}

static void
test_variants(void **state)
{
	struct esl_reader *r = open_ok("variants/forms.jsonl", NULL);
	const struct esl_counts *c = esl_counts(r);
	struct esl_event ev;

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		next_event(r, &ev);
		check_form(&ev, &forms[i]);
		if (i == 1) {		/* thread null, no signing_id */
			assert_string_equal(ev.proc.team_id, "ABCDE12345");
			assert_null(ev.proc.signing_id);
			assert_true(ev.proc.is_es_client);
		}
		if (i == 9) {		/* signal: the target process */
			assert_true(ev.has_target);
			assert_int_equal(ev.target.token.pid, 555);
			assert_int_equal(ev.target.token.pidversion, 9);
		}
		if (i == 12)
			assert_int_equal(ev.status, 256);
		if (i == 13) {		/* exec of an array-token target */
			assert_int_equal(ev.target.token.pidversion, 8);
			assert_int_equal(ev.target.token.asid, 100001);
		}
	}
	expect_end(r);
	/* 18 objects: 16 events, type 170 and RESERVED_0 unknown. */
	assert_int_equal(c->objects, 18);
	assert_int_equal(c->events, 16);
	assert_int_equal(c->unknown, 2);
	assert_int_equal(c->bad, 0);
	/* global_seq_num 10 -> 16 loses 5; the reset to 1 loses none. */
	assert_int_equal(c->drops, 5);
	esl_close(r);
}

static void
test_pretty_concatenated(void **state)
{
	struct esl_reader *r = open_ok("variants/pretty.json", NULL);
	struct esl_event ev;

	(void)state;
	next_event(r, &ev);
	assert_int_equal(ev.line, 1);
	assert_string_equal(ev.path, "/p/one");
	assert_int_equal(ev.thread_id, -1);
	next_event(r, &ev);
	assert_int_equal(ev.line, 55);
	assert_string_equal(ev.type->name, "NOTIFY_FORK");
	assert_int_equal(ev.proc.token.pid, 100);
	assert_int_equal(ev.target.token.pid, 300);
	assert_string_equal(ev.path, "/bin/zsh");
	expect_end(r);
	esl_close(r);
}

static void
test_gzip(void **state)
{
	struct esl_event ev;
	struct err e = ERR_INIT;
	struct esl_reader *r;
	uint8_t d1[32], d2[32];
	uint64_t n1, n2;

	(void)state;
#ifdef HAVE_ZLIB
	r = open_ok("variants/opens.json.gz", NULL);
	next_event(r, &ev);
	assert_int_equal(ev.time, 1683465013705540415LL);
	next_event(r, &ev);
	assert_int_equal(ev.line, 115);
	expect_end(r);
	assert_int_equal(esl_counts(r)->bytes, 6830);
	esl_close(r);
	/* Same content, same digest, compressed or not. */
	assert_int_equal(esl_digest("variants/opens.json.gz", d1, &n1, &e), 0);
	assert_int_equal(esl_digest("eslogger/tstromberg-esl_opens.json", d2,
	    &n2, &e), 0);
	assert_int_equal(n1, 6830);
	assert_int_equal(n2, 6830);
	assert_memory_equal(d1, d2, 32);

	r = open_ok("bad/truncated.json.gz", NULL);
	assert_int_equal(esl_next(r, &ev, &e), ESL_FATAL);
	assert_string_equal(e.text, "corrupt gzip data: unexpected end of "
	    "file");
	assert_string_equal(e.file, "bad/truncated.json.gz");
	assert_int_equal(esl_next(r, &ev, NULL), ESL_END);
	assert_int_equal(esl_counts(r)->objects, 1);
	assert_int_equal(esl_counts(r)->bad, 1);
	esl_close(r);
#else
	(void)ev; (void)d1; (void)d2; (void)n1; (void)n2;
	r = esl_open("variants/opens.json.gz", NULL, &e);
	assert_null(r);
	assert_string_equal(e.text, "gzip-compressed, but this essim was "
	    "built without zlib (gunzip it first)");
#endif
}

struct want_bad {
	const char	*file;
	const char	*msg;	/* as err_format prints it */
};

static const struct want_bad bad[] = {
	{ "bad/not-json.jsonl", "bad/not-json.jsonl:2:1: expected a JSON "
	  "object ('{'), found 'h'; skipping the rest of the line" },
	{ "bad/not-object.jsonl", "bad/not-object.jsonl:2:1: expected a JSON "
	  "object ('{'), found '['; skipping the rest of the line" },
	{ "bad/truncated-line.jsonl", "bad/truncated-line.jsonl:2:56: line "
	  "ends inside a string (truncated line?)" },
	{ "bad/unclosed.jsonl", "bad/unclosed.jsonl:2: truncated object: "
	  "another object starts at line 3 before this one is closed" },
	{ "bad/syntax.jsonl", "bad/syntax.jsonl:2:193: string or '}' expected "
	  "near '}'" },
	{ "bad/dup-key.jsonl", "bad/dup-key.jsonl:2:179: duplicate object key "
	  "near '\"time\"'" },
	{ "bad/nul.jsonl", "bad/nul.jsonl:2:56: NUL byte" },
	{ "bad/utf8.jsonl", "bad/utf8.jsonl:2:55: unable to decode byte 0xff "
	  "near '\"/tmp/'" },
	{ "bad/type-string.jsonl", "bad/type-string.jsonl:2: /event_type: "
	  "expected an integer, found a string" },
	{ "bad/huge-type.jsonl", "bad/huge-type.jsonl:2: /event_type: 2000000 "
	  "out of range 0..1000000" },
	{ "bad/negative-pid.jsonl", "bad/negative-pid.jsonl:2: "
	  "/process/audit_token/pid: -5 out of range 0..2147483647" },
	{ "bad/token-array.jsonl", "bad/token-array.jsonl:2: "
	  "/process/audit_token: expected 8 numbers [auid, euid, egid, ruid, "
	  "rgid, pid, asid, pidversion], found 7 items" },
	{ "bad/token-item.jsonl", "bad/token-item.jsonl:2: "
	  "/process/audit_token/5: expected an integer (pid), found a string" },
	{ "bad/no-process.jsonl", "bad/no-process.jsonl:2: /process: "
	  "missing" },
	{ "bad/two-keys.jsonl", "bad/two-keys.jsonl:2: /event: expected "
	  "exactly one key (the event's name), found 2" },
	{ "bad/mismatch.jsonl", "bad/mismatch.jsonl:2: /event: key \"exec\" "
	  "does not match event_type 10 (NOTIFY_OPEN, whose key is "
	  "\"open\")" },
	{ "bad/thread-string.jsonl", "bad/thread-string.jsonl:2: /thread: "
	  "expected an object or null, found a string" },
	{ "bad/before-1970.jsonl", "bad/before-1970.jsonl:2: /time: time "
	  "\"1969-12-31T23:59:59.999Z\" is before 1970" },
	{ "bad/bad-time.jsonl", "bad/bad-time.jsonl:2: /time: unparsable time "
	  "\"07/05/2023 13:10\" (expected YYYY-MM-DDThh:mm:ss[.fraction]Z)" },
	{ "bad/bad-date.jsonl", "bad/bad-date.jsonl:2: /time: invalid date or "
	  "time \"2023-02-29T00:00:00Z\"" },
};

/*
 * Each file holds a good event, the bad object on line 2, and another
 * good event: the reader reports exactly one error and carries on.
 */
static void
test_bad_inputs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct esl_reader *r = open_ok(bad[i].file, NULL);
		const struct esl_counts *c = esl_counts(r);
		struct esl_event ev;
		struct err e = ERR_INIT;
		char buf[1024];

		next_event(r, &ev);
		assert_int_equal(ev.global_seq_num, 1);
		assert_int_equal(esl_next(r, &ev, &e), ESL_BAD);
		assert_string_equal(err_format(&e, buf, sizeof(buf)),
		    bad[i].msg);
		next_event(r, &ev);
		assert_int_equal(ev.line, 3);
		assert_int_equal(ev.global_seq_num, 2);
		expect_end(r);
		assert_int_equal(c->objects, 3);
		assert_int_equal(c->events, 2);
		assert_int_equal(c->bad, 1);
		assert_int_equal(c->objects, c->events + c->bad + c->unknown);
		assert_int_equal(c->drops, 0);
		esl_close(r);
	}
}

static void
test_truncated_at_end(void **state)
{
	struct esl_reader *r = open_ok("bad/truncated-end.json", NULL);
	struct esl_event ev;
	struct err e = ERR_INIT;
	char buf[512];

	(void)state;
	next_event(r, &ev);
	assert_int_equal(esl_next(r, &ev, &e), ESL_BAD);
	assert_string_equal(err_format(&e, buf, sizeof(buf)),
	    "bad/truncated-end.json:22: truncated object: the input ends "
	    "before its closing '}'");
	expect_end(r);
	esl_close(r);
}

static const char good_line[] =
    "{\"event_type\":10,\"event\":{\"open\":{\"file\":{\"path\":\"/a\"}}},"
    "\"time\":\"2024-01-01T00:00:00Z\",\"process\":{\"audit_token\":"
    "{\"pid\":1,\"pidversion\":1},\"executable\":{\"path\":\"/bin/x\"}}}\n";

/* A 1 MB line of garbage, then a good event: one error, no 1 MB buffer. */
static void
test_huge_garbage_line(void **state)
{
	size_t big = 1024 * 1024, n = big + 1 + sizeof(good_line);
	char *buf = malloc(n);
	struct esl_opts o = ESL_OPTS_INIT;
	struct esl_reader *r;
	struct esl_event ev;
	struct err e = ERR_INIT;
	char msg[512];

	(void)state;
	memset(buf, 'x', big);
	buf[big] = '\n';
	memcpy(buf + big + 1, good_line, sizeof(good_line) - 1);
	o.max_object = 4096;
	r = esl_open_mem("mem", buf, n - 1, &o);
	assert_int_equal(esl_next(r, &ev, &e), ESL_BAD);
	assert_string_equal(err_format(&e, msg, sizeof(msg)), "mem:1:1: "
	    "expected a JSON object ('{'), found 'x'; skipping the rest of "
	    "the line");
	next_event(r, &ev);
	assert_int_equal(ev.line, 2);
	expect_end(r);
	esl_close(r);
	free(buf);
}

/* A 1 MB object: fine by default, an error past --max-object. */
static void
test_huge_object(void **state)
{
	size_t big = 1024 * 1024, n;
	char *buf = malloc(big + 2 * sizeof(good_line) + 64);
	struct esl_opts o = ESL_OPTS_INIT;
	struct esl_reader *r;
	struct esl_event ev;
	struct err e = ERR_INIT;
	char msg[512];

	(void)state;
	n = (size_t)sprintf(buf, "%.*s\"pad\":\"", 1, good_line);
	memset(buf + n, 'p', big);
	n += big;
	n += (size_t)sprintf(buf + n, "\",%s%s", good_line + 1, good_line);
	r = esl_open_mem("big", buf, n, NULL);
	next_event(r, &ev);
	assert_string_equal(ev.path, "/a");
	next_event(r, &ev);
	esl_close(r);

	o.max_object = 65536;
	r = esl_open_mem("big", buf, n, &o);
	assert_int_equal(esl_next(r, &ev, &e), ESL_BAD);
	assert_string_equal(err_format(&e, msg, sizeof(msg)), "big:1: object "
	    "larger than 65536 bytes (the --max-object limit)");
	next_event(r, &ev);
	assert_int_equal(ev.line, 2);
	expect_end(r);
	assert_int_equal(esl_counts(r)->objects, 2);
	esl_close(r);
	free(buf);
}

static void
test_empty_and_blank(void **state)
{
	struct esl_reader *r;
	struct esl_event ev;

	(void)state;
	r = esl_open_mem("empty", NULL, 0, NULL);
	assert_int_equal(esl_next(r, &ev, NULL), ESL_END);
	esl_close(r);
	r = esl_open_mem("blank", " \n\r\n\t\n", 6, NULL);
	assert_int_equal(esl_next(r, &ev, NULL), ESL_END);
	assert_int_equal(esl_counts(r)->objects, 0);
	esl_close(r);
}

static void
test_open_errors(void **state)
{
	struct err e = ERR_INIT;
	char buf[512];

	(void)state;
	assert_null(esl_open("no/such/file.jsonl", NULL, &e));
	assert_string_equal(err_format(&e, buf, sizeof(buf)),
	    "no/such/file.jsonl: cannot open: No such file or directory");
	err_clear(&e);
	assert_null(esl_open("bad", NULL, &e));
	assert_string_equal(err_format(&e, buf, sizeof(buf)),
	    "bad: is a directory");
}

static int64_t
parse_ok(const char *s)
{
	struct err e = ERR_INIT;
	int64_t ns = -1;

	if (esl_parse_time(s, &ns, &e) < 0)
		fail_msg("%s: %s", s, e.text);
	return ns;
}

static void
test_parse_time(void **state)
{
	static const char *const invalid[] = {
		"", "2024-01-01", "2024-01-01T00:00:00", "2024-01-01T00:00:00.Z",
		"2024-01-01T00:00:00.1234567890Z", "2024-13-01T00:00:00Z",
		"2024-00-10T00:00:00Z", "2024-04-31T00:00:00Z",
		"2100-02-29T00:00:00Z", "2024-01-01T24:00:00Z",
		"2024-01-01T00:60:00Z", "2024-01-01T00:00:00Zjunk",
		"2024-01-01 00:00:00Z", "2024-01-01T00:00:00+0100",
		"1969-12-31T23:59:59Z", "2262-04-11T23:47:16Z",
		"+2024-01-01T00:00:00Z", "2024-1-01T00:00:00Z"
	};
	struct err e = ERR_INIT;
	char buf[ESL_TIME_LEN];
	int64_t ns;

	(void)state;
	assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parse_ok("1970-01-01T00:00:00.000000001Z"), 1);
	/* python3: calendar.timegm((2000,3,1,0,0,0)) == 951868800 */
	assert_int_equal(parse_ok("2000-03-01T00:00:00Z"),
	    951868800LL * 1000000000);
	assert_int_equal(parse_ok("2024-02-29T12:00:00.25Z"),
	    1709208000LL * 1000000000 + 250000000);
	assert_int_equal(parse_ok("2024-02-29T14:30:00.25+02:30"),
	    1709208000LL * 1000000000 + 250000000);
	assert_int_equal(parse_ok("2024-02-29T11:00:00.25-01:00"),
	    1709208000LL * 1000000000 + 250000000);
	assert_int_equal(parse_ok("2262-04-11T23:47:15.999999999Z"),
	    9223372035999999999LL);
	assert_string_equal(esl_format_time(parse_ok(
	    "2023-05-07T13:10:13.705540415Z"), buf),
	    "2023-05-07T13:10:13.705540415Z");
	assert_string_equal(esl_format_time(0, buf),
	    "1970-01-01T00:00:00.000000000Z");
	assert_string_equal(esl_format_time(9223372035999999999LL, buf),
	    "2262-04-11T23:47:15.999999999Z");
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		err_clear(&e);
		if (esl_parse_time(invalid[i], &ns, &e) == 0)
			fail_msg("accepted \"%s\"", invalid[i]);
		assert_true(e.set);
	}
}

/* Every day from 1970 to 2100 survives format -> parse. */
static void
test_time_round_trip(void **state)
{
	char buf[ESL_TIME_LEN];

	(void)state;
	for (int64_t d = 0; d < 47847; d++) {
		int64_t ns = d * 86400 * 1000000000LL + d * 1234567;

		assert_int_equal(parse_ok(esl_format_time(ns, buf)), ns);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_traces),
		cmocka_unit_test(test_array_tokens),
		cmocka_unit_test(test_real_fields),
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_pretty_concatenated),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_truncated_at_end),
		cmocka_unit_test(test_huge_garbage_line),
		cmocka_unit_test(test_huge_object),
		cmocka_unit_test(test_empty_and_blank),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_time_round_trip),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
