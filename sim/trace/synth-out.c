/*
 * synth-out.c - one synthetic ES event as one line of eslogger JSON.
 *
 * The layout copies what eslogger prints on macOS 26 (message version 10,
 * tests/data/traces/eslogger/scratchingpost_real_tahoe_capture.jsonl and
 * shared/reference/es.md §1.1): the envelope schema_version, version,
 * event_type, event {<key>: {...}}, process, thread {thread_id}, time
 * (RFC 3339 with ns), mach_time, seq_num (per event type), global_seq_num
 * (per client), action_type 1 (NOTIFY) and action.result; processes with
 * an audit_token object, parent and responsible tokens, executable
 * {path, path_truncated, stat}, signing_id, team_id, cdhash, flags and
 * start_time; files as {path, path_truncated, stat}.  Slashes are escaped
 * "\/" as eslogger's serialiser does.  Values that the simulator never
 * reads but eslogger always writes (stat blocks, cdhash, inode numbers)
 * are derived from the path by a fixed hash, so they look plausible and
 * stay deterministic.
 *
 * mach_time counts Apple silicon ticks (24 MHz: ns * 3 / 125) from a
 * boot one hour before the trace starts.
 *
 * The JSON is written by hand into a growing buffer, not built as jansson
 * values: a line costs a few microseconds this way, and the key order is
 * fixed, which keeps the output byte-identical from run to run.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/xalloc.h"
#include "trace/eslogger.h"
#include "trace/synth-int.h"

#define BOOT_NS		(INT64_C(3600) * 1000000000)
#define ASID		100001

/* The event bodies the generator writes (besides exec, fork, exit). */
enum body { B_OPEN, B_CLOSE, B_CREATE, B_RENAME, B_UNLINK, B_WRITE,
	B_LOOKUP, B_TARGET, B_ACCESS, B_SOURCE, B_DIR };

static const struct {
	const char	*key;
	enum body	 body;
} bodies[] = {
	{ "open", B_OPEN }, { "close", B_CLOSE }, { "create", B_CREATE },
	{ "rename", B_RENAME }, { "unlink", B_UNLINK }, { "write", B_WRITE },
	{ "lookup", B_LOOKUP }, { "stat", B_TARGET }, { "truncate", B_TARGET },
	{ "access", B_ACCESS }, { "readlink", B_SOURCE }, { "chdir", B_DIR },
	{ "readdir", B_DIR }, { "getattrlist", B_TARGET },
	{ "fsgetpath", B_TARGET }, { "utimes", B_TARGET },
};
#define NBODIES	(sizeof(bodies) / sizeof(bodies[0]))

int
sy__out_supported(const char *key)
{
	for (size_t i = 0; i < NBODIES; i++)
		if (strcmp(bodies[i].key, key) == 0)
			return 1;
	return 0;
}

const char *
sy__out_supported_list(void)
{
	return "open close create rename unlink write lookup stat truncate "
	    "access readlink chdir readdir getattrlist fsgetpath utimes";
}

/* ---- the buffer ----------------------------------------------------- */

static void
put(struct sy_buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->alloc) {
		b->alloc = (b->n + n + 1) * 2;
		b->s = xreallocarray(b->s, b->alloc, 1);
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
}

static void
lit(struct sy_buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
num(struct sy_buf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* A JSON string as eslogger writes it: "/" escaped, UTF-8 kept. */
static void
str(struct sy_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	put(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		char esc[6];

		if (ch >= 0x20 && ch != '"' && ch != '\\' && ch != '/')
			continue;
		put(b, run, (size_t)(s - run));
		run = s + 1;
		esc[0] = '\\';
		switch (ch) {
		case '"': case '\\': case '/':
			esc[1] = (char)ch;
			put(b, esc, 2);
			break;
		case '\n':
			put(b, "\\n", 2);
			break;
		case '\t':
			put(b, "\\t", 2);
			break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[ch >> 4];
			esc[5] = hex[ch & 15];
			put(b, esc, 6);
		}
	}
	put(b, run, (size_t)(s - run));
	put(b, "\"", 1);
}

static void
str_or_null(struct sy_buf *b, const char *s)
{
	if (s == NULL)
		lit(b, "null");
	else
		str(b, s);
}

static void
key(struct sy_buf *b, const char *k)
{
	put(b, "\"", 1);
	lit(b, k);
	put(b, "\":", 2);
}

/* ---- files and processes ------------------------------------------- */

static void
stat_obj(struct sy_out *o, const char *path, int mode, uint32_t uid,
    uint32_t gid)
{
	uint64_t h = rng_hash(path);
	int64_t size = mode == 16877 ? 64 * (int64_t)(1 + h % 30) :
	    (int64_t)(h >> 20) % 2000000;

	lit(&o->b, "{\"st_birthtimespec\":\"");
	lit(&o->b, o->ftime);
	lit(&o->b, "\",\"st_dev\":16777232,\"st_mode\":");
	num(&o->b, mode);
	lit(&o->b, ",\"st_atimespec\":\"");
	lit(&o->b, o->ftime);
	lit(&o->b, "\",\"st_rdev\":0,\"st_nlink\":1,\"st_blksize\":4096,"
	    "\"st_gen\":0,\"st_ino\":");
	num(&o->b, (int64_t)(h & ((UINT64_C(1) << 40) - 1)) + 1000);
	lit(&o->b, ",\"st_mtimespec\":\"");
	lit(&o->b, o->ftime);
	lit(&o->b, "\",\"st_gid\":");
	num(&o->b, gid);
	lit(&o->b, ",\"st_size\":");
	num(&o->b, size);
	lit(&o->b, ",\"st_blocks\":");
	num(&o->b, (size + 511) / 512);
	lit(&o->b, ",\"st_flags\":0,\"st_uid\":");
	num(&o->b, uid);
	lit(&o->b, ",\"st_ctimespec\":\"");
	lit(&o->b, o->ftime);
	lit(&o->b, "\"}");
}

static void
file_obj(struct sy_out *o, const char *path, int mode)
{
	lit(&o->b, "{\"path\":");
	str(&o->b, path);
	lit(&o->b, ",\"path_truncated\":false,\"stat\":");
	stat_obj(o, path, mode, 0, 0);
	put(&o->b, "}", 1);
}

static void
token(struct sy_buf *b, const struct sy_tmpl *tm, int32_t pid, int32_t pv)
{
	lit(b, "{\"auid\":");
	num(b, tm->platform ? INT64_C(4294967295) : tm->uid);
	lit(b, ",\"euid\":");
	num(b, tm->uid);
	lit(b, ",\"egid\":");
	num(b, tm->gid);
	lit(b, ",\"ruid\":");
	num(b, tm->uid);
	lit(b, ",\"rgid\":");
	num(b, tm->gid);
	lit(b, ",\"pid\":");
	num(b, pid);
	lit(b, ",\"asid\":");
	num(b, ASID);
	lit(b, ",\"pidversion\":");
	num(b, pv);
	put(b, "}", 1);
}

static void
cdhash(struct sy_buf *b, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	char out[42];
	uint64_t h = rng_hash(path);

	out[0] = '"';
	for (int i = 0; i < 40; i++) {
		if (i % 16 == 0)
			h = h * UINT64_C(6364136223846793005) +
			    UINT64_C(1442695040888963407);
		out[1 + i] = hex[(h >> (60 - 4 * (i % 16))) & 15];
	}
	out[41] = '"';
	put(b, out, 42);
}

static void
proc_obj(struct sy_out *o, const struct sy_image *im)
{
	const struct sy_tmpl *tm = im->tm;
	char tb[ESL_TIME_LEN];
	struct sy_buf *b = &o->b;

	lit(b, "{\"audit_token\":");
	token(b, tm, im->pid, im->pidversion);
	lit(b, ",\"ppid\":");
	num(b, im->ppid);
	lit(b, ",\"original_ppid\":");
	num(b, im->ppid);
	lit(b, ",\"group_id\":");
	num(b, im->pid);
	lit(b, ",\"session_id\":");
	num(b, tm->platform ? 1 : 100001);
	lit(b, ",\"executable\":{\"path\":");
	str(b, tm->path);
	lit(b, ",\"path_truncated\":false,\"stat\":");
	stat_obj(o, tm->path, 33261, 0, 0);
	lit(b, "},\"signing_id\":");
	str_or_null(b, tm->signing_id);
	lit(b, ",\"team_id\":");
	str_or_null(b, tm->team_id);
	lit(b, ",\"is_platform_binary\":");
	lit(b, tm->platform ? "true" : "false");
	lit(b, ",\"is_es_client\":");
	lit(b, tm->es_client ? "true" : "false");
	lit(b, ",\"codesigning_flags\":");
	num(b, tm->platform ? 637618689 : 570522385);
	lit(b, ",\"cs_validation_category\":");
	num(b, tm->platform ? 1 : 6);
	lit(b, ",\"cdhash\":");
	cdhash(b, tm->path);
	lit(b, ",\"start_time\":\"");
	esl_format_time(im->start, tb);
	put(b, tb, 26);		/* eslogger: microseconds */
	lit(b, "Z\",\"tty\":null,\"parent_audit_token\":");
	token(b, tm, im->ppid, im->ppidversion);
	lit(b, ",\"responsible_audit_token\":");
	token(b, tm, im->pid, im->pidversion);
	put(b, "}", 1);
}

/* ---- bodies -------------------------------------------------------- */

/* dir and name of path in dir (SY_PATH_MAX); returns the name. */
static const char *
split(const char *path, char *dir)
{
	const char *s = strrchr(path, '/');
	size_t n;

	if (s == NULL) {
		strcpy(dir, "/");
		return path;
	}
	n = s == path ? 1 : (size_t)(s - path);
	if (n >= SY_PATH_MAX)
		n = SY_PATH_MAX - 1;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return s + 1;
}

static void
exec_body(struct sy_out *o, const struct sy_image *target)
{
	const char *name = strrchr(target->tm->path, '/');
	struct sy_buf *b = &o->b;

	lit(b, "{\"script\":null,\"image_cputype\":16777228,\"target\":");
	proc_obj(o, target);
	lit(b, ",\"last_fd\":2,\"env\":[\"PATH=\\/usr\\/bin:\\/bin:\\/usr\\/"
	    "sbin:\\/sbin\",\"XPC_FLAGS=0x0\"],\"fds\":[{\"fd\":0,\"fdtype\":1},"
	    "{\"fd\":1,\"fdtype\":1},{\"fd\":2,\"fdtype\":1}],\"args\":[");
	str(b, name != NULL ? name + 1 : target->tm->path);
	lit(b, "],\"image_cpusubtype\":-2147483646,\"cwd\":");
	file_obj(o, "/", 16877);
	lit(b, ",\"dyld_exec_path\":");
	str(b, target->tm->path);
	put(b, "}", 1);
}

static void
file_body(struct sy_out *o, enum body kind, const char *path,
    const char *path2)
{
	char dir[SY_PATH_MAX], dir2[SY_PATH_MAX];
	const char *name;
	struct sy_buf *b = &o->b;

	switch (kind) {
	case B_OPEN:
		lit(b, "{\"fflag\":1,\"file\":");
		file_obj(o, path, 33188);
		break;
	case B_CLOSE:
		lit(b, "{\"modified\":false,\"target\":");
		file_obj(o, path, 33188);
		lit(b, ",\"was_mapped_writable\":false");
		break;
	case B_CREATE:
		lit(b, "{\"destination_type\":0,\"destination\":"
		    "{\"existing_file\":");
		file_obj(o, path, 33188);
		lit(b, "},\"acl\":null");
		break;
	case B_RENAME:
		name = split(path2, dir2);
		lit(b, "{\"source\":");
		file_obj(o, path, 33188);
		lit(b, ",\"destination_type\":1,\"destination\":{\"new_path\":"
		    "{\"dir\":");
		file_obj(o, dir2, 16877);
		lit(b, ",\"filename\":");
		str(b, name);
		lit(b, "}}");
		break;
	case B_UNLINK:
		split(path, dir);
		lit(b, "{\"target\":");
		file_obj(o, path, 33188);
		lit(b, ",\"parent_dir\":");
		file_obj(o, dir, 16877);
		break;
	case B_LOOKUP:
		name = split(path, dir);
		lit(b, "{\"source_dir\":");
		file_obj(o, dir, 16877);
		lit(b, ",\"relative_target\":");
		str(b, name);
		break;
	case B_ACCESS:
		lit(b, "{\"mode\":4,\"target\":");
		file_obj(o, path, 33188);
		break;
	case B_SOURCE:
		lit(b, "{\"source\":");
		file_obj(o, path, 41453);
		break;
	case B_DIR:
		lit(b, "{\"target\":");
		file_obj(o, path, 16877);
		break;
	case B_WRITE:
	case B_TARGET:
		lit(b, "{\"target\":");
		file_obj(o, path, 33188);
		break;
	}
	put(b, "}", 1);
}

static enum body
body_of(const char *k)
{
	for (size_t i = 0; i < NBODIES; i++)
		if (strcmp(bodies[i].key, k) == 0)
			return bodies[i].body;
	return B_TARGET;
}

/* ---- the envelope --------------------------------------------------- */

void
sy__out_init(struct sy_out *o, int version, int64_t wall0)
{
	char tb[ESL_TIME_LEN];

	memset(o, 0, sizeof(*o));
	o->version = version;
	o->wall0 = wall0;
	esl_format_time(wall0 >= INT64_C(86400000000000) ?
	    wall0 - INT64_C(86400000000000) : 0, tb);
	memcpy(tb + 11, "00:00:00.000000000Z", 20);
	snprintf(o->ftime, sizeof(o->ftime), "%s", tb);
}

void
sy__out_release(struct sy_out *o)
{
	free(o->b.s);
	o->b.s = NULL;
	o->b.n = o->b.alloc = 0;
}

void
sy__out_event(struct sy_out *o, const struct evtype *type, int64_t t,
    const struct sy_image *act, uint64_t tid, const char *path,
    const char *path2, const struct sy_image *other, int stat)
{
	const char *k = type->eslogger;
	char tb[ESL_TIME_LEN];
	struct sy_buf *b = &o->b;

	b->n = 0;
	lit(b, "{\"schema_version\":1,\"version\":");
	num(b, o->version);
	lit(b, ",\"event_type\":");
	num(b, type->value);
	lit(b, ",\"time\":\"");
	lit(b, esl_format_time(o->wall0 + t, tb));
	lit(b, "\",\"mach_time\":");
	num(b, (int64_t)((uint64_t)(BOOT_NS + t) * 3 / 125));
	lit(b, ",\"seq_num\":");
	num(b, (int64_t)o->seq[type->value]++);
	lit(b, ",\"global_seq_num\":");
	num(b, (int64_t)o->gseq++);
	lit(b, ",\"thread\":{\"thread_id\":");
	num(b, (int64_t)tid);
	lit(b, "},\"action_type\":1,\"action\":{\"result\":");
	lit(b, strcmp(k, "open") == 0 ?
	    "{\"result_type\":1,\"result\":{\"flags\":4294967295}}}" :
	    "{\"result_type\":0,\"result\":{\"auth\":0}}}");
	lit(b, ",\"process\":");
	proc_obj(o, act);
	lit(b, ",\"event\":{");
	key(b, k);
	if (strcmp(k, "exec") == 0)
		exec_body(o, other);
	else if (strcmp(k, "fork") == 0) {
		lit(b, "{\"child\":");
		proc_obj(o, other);
		put(b, "}", 1);
	} else if (strcmp(k, "exit") == 0) {
		lit(b, "{\"stat\":");
		num(b, stat);
		put(b, "}", 1);
	} else
		file_body(o, body_of(k), path, path2);
	lit(b, "}}\n");
}
