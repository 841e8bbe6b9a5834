/*
 * esl-decode.c - one eslogger JSON object to one struct esl_event.
 *
 * eslogger's envelope (man eslogger; shared/reference/es.md §1.1):
 * schema_version, version, event_type (int), event {<key>: {...}} with
 * exactly one key, process, thread {thread_id} or null (message version
 * >= 4), time (RFC 3339 ns), mach_time, seq_num (v >= 2), global_seq_num
 * (v >= 4), action_type, action.  Keys come in any order, unknown keys
 * are ignored (newer macOS adds them), "\/" escapes are jansson's
 * business.  Audit tokens are objects or 8-number arrays.
 *
 * Everything essim relies on is checked for type and range; a wrong one
 * is an error naming its JSON pointer.  The event body is read leniently:
 * a table gives the file paths of the types whose layout is irregular,
 * and a generic rule finds `file`, `target`, `source`, `child` or
 * `destination` objects carrying a `path` (or being a process) for the
 * rest, so new event types still yield their main path.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/xalloc.h"
#include "trace/esl-decode.h"

enum { OPTIONAL, REQUIRED };

static const char *
jtype(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		break;
	}
	return "null";
}

/* Set e to "PTR: text" where PTR is base plus key; returns -1. */
static int
bad(struct err *e, const char *base, const char *key, const char *fmt, ...)
	ESSIM_PRINTF(4, 5);

static int
bad(struct err *e, const char *base, const char *key, const char *fmt, ...)
{
	char ptr[ERR_PTR_MAX];
	va_list ap;

	snprintf(ptr, sizeof(ptr), "%s", base);
	if (key != NULL)
		err_ptr_append(ptr, sizeof(ptr), key);
	va_start(ap, fmt);
	err_vset(e, fmt, ap);
	va_end(ap);
	return err_locate(e, NULL, 0, 0, ptr[0] != '\0' ? ptr : "/");
}

/*
 * o[key] as an integer in [min, max].  Returns 1 when found, 0 when
 * absent or null and not required, -1 on error.
 */
static int
get_int(json_t *o, const char *base, const char *key, int req,
    json_int_t min, json_int_t max, json_int_t *out, struct err *e)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || (json_is_null(v) && !req)) {
		if (req)
			return bad(e, base, key, "missing");
		return 0;
	}
	if (!json_is_integer(v))
		return bad(e, base, key, "expected an integer, found %s",
		    jtype(v));
	*out = json_integer_value(v);
	if (*out < min || *out > max)
		return bad(e, base, key, "%" JSON_INTEGER_FORMAT
		    " out of range %" JSON_INTEGER_FORMAT "..%"
		    JSON_INTEGER_FORMAT, *out, min, max);
	return 1;
}

/* o[key] as a string; absent or null gives NULL unless required. */
static int
get_str(json_t *o, const char *base, const char *key, int req,
    const char **out, struct err *e)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (req)
			return bad(e, base, key, v == NULL ? "missing" :
			    "expected a string, found null");
		return 0;
	}
	if (!json_is_string(v))
		return bad(e, base, key, "expected a string, found %s",
		    jtype(v));
	*out = json_string_value(v);
	return 1;
}

static int
get_bool(json_t *o, const char *base, const char *key, int *out,
    struct err *e)
{
	json_t *v = json_object_get(o, key);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return bad(e, base, key, "expected a boolean, found %s",
		    jtype(v));
	*out = json_is_true(v);
	return 1;
}

static int
get_obj(json_t *o, const char *base, const char *key, json_t **out,
    struct err *e)
{
	*out = json_object_get(o, key);
	if (*out == NULL)
		return bad(e, base, key, "missing");
	if (!json_is_object(*out))
		return bad(e, base, key, "expected an object, found %s",
		    jtype(*out));
	return 0;
}

/* audit_token_t val[] order, which is also the array form's order. */
static const char *const token_keys[8] = {
	"auid", "euid", "egid", "ruid", "rgid", "pid", "asid", "pidversion"
};

static void
token_set(struct esl_token *t, const json_int_t val[8])
{
	t->auid = (uint32_t)val[0];
	t->euid = (uint32_t)val[1];
	t->egid = (uint32_t)val[2];
	t->ruid = (uint32_t)val[3];
	t->rgid = (uint32_t)val[4];
	t->pid = (int32_t)val[5];
	t->asid = (uint32_t)val[6];
	t->pidversion = (int32_t)val[7];
}

static int
token_array(json_t *v, const char *ptr, json_int_t val[8], struct err *e)
{
	char item[ERR_PTR_MAX];

	if (json_array_size(v) != 8)
		return bad(e, ptr, NULL, "expected 8 numbers [auid, euid, egid,"
		    " ruid, rgid, pid, asid, pidversion], found %zu items",
		    json_array_size(v));
	for (size_t i = 0; i < 8; i++) {
		json_t *x = json_array_get(v, i);
		json_int_t max = i == 5 || i == 7 ? INT32_MAX : UINT32_MAX;

		snprintf(item, sizeof(item), "%s", ptr);
		err_ptr_append_index(item, sizeof(item), i);
		if (!json_is_integer(x))
			return bad(e, item, NULL, "expected an integer (%s), "
			    "found %s", token_keys[i], jtype(x));
		val[i] = json_integer_value(x);
		if (val[i] < 0 || val[i] > max)
			return bad(e, item, NULL, "%s %" JSON_INTEGER_FORMAT
			    " out of range 0..%" JSON_INTEGER_FORMAT,
			    token_keys[i], val[i], max);
	}
	return 0;
}

/* An audit token in either form; pid and pidversion are required. */
static int
decode_token(json_t *v, const char *ptr, struct esl_token *t, struct err *e)
{
	json_int_t val[8] = { 0 };

	if (json_is_array(v)) {
		if (token_array(v, ptr, val, e) < 0)
			return -1;
	} else if (json_is_object(v)) {
		for (size_t i = 0; i < 8; i++) {
			int req = i == 5 || i == 7 ? REQUIRED : OPTIONAL;
			json_int_t max = req ? INT32_MAX : UINT32_MAX;

			if (get_int(v, ptr, token_keys[i], req, 0, max,
			    &val[i], e) < 0)
				return -1;
		}
	} else {
		return bad(e, ptr, NULL, "expected an object or an array of 8 "
		    "numbers, found %s", jtype(v));
	}
	token_set(t, val);
	return 0;
}

/* An es_process_t at pointer base. */
static int
decode_process(json_t *p, const char *base, struct esl_process *proc,
    struct err *e)
{
	char ptr[ERR_PTR_MAX];
	json_t *v;
	json_int_t n;
	int rc;

	memset(proc, 0, sizeof(*proc));
	proc->ppid = proc->original_ppid = -1;
	snprintf(ptr, sizeof(ptr), "%s", base);
	err_ptr_append(ptr, sizeof(ptr), "audit_token");
	if ((v = json_object_get(p, "audit_token")) == NULL)
		return bad(e, ptr, NULL, "missing");
	if (decode_token(v, ptr, &proc->token, e) < 0)
		return -1;
	if ((rc = get_int(p, base, "ppid", OPTIONAL, 0, INT32_MAX, &n, e)) < 0)
		return -1;
	if (rc > 0)
		proc->ppid = (int32_t)n;
	if ((rc = get_int(p, base, "original_ppid", OPTIONAL, 0, INT32_MAX,
	    &n, e)) < 0)
		return -1;
	if (rc > 0)
		proc->original_ppid = (int32_t)n;
	snprintf(ptr, sizeof(ptr), "%s", base);
	err_ptr_append(ptr, sizeof(ptr), "executable");
	if (get_obj(p, base, "executable", &v, e) < 0 ||
	    get_str(v, ptr, "path", REQUIRED, &proc->exe, e) < 0 ||
	    get_str(p, base, "signing_id", OPTIONAL, &proc->signing_id, e) < 0 ||
	    get_str(p, base, "team_id", OPTIONAL, &proc->team_id, e) < 0 ||
	    get_bool(p, base, "is_es_client", &proc->is_es_client, e) < 0 ||
	    get_bool(p, base, "is_platform_binary", &proc->is_platform_binary,
	    e) < 0)
		return -1;
	return 0;
}

void
esl__scratch_release(struct esl__scratch *s)
{
	for (int i = 0; i < 2; i++) {
		free(s->buf[i]);
		s->buf[i] = NULL;
		s->alloc[i] = 0;
	}
}

/* "dir" + "/" + "name" in scratch slot; no doubled slash. */
static const char *
join(struct esl__scratch *s, int slot, const char *dir, const char *name)
{
	size_t nd = strlen(dir), nn = strlen(name);
	int slash = nd > 0 && dir[nd - 1] != '/' && nn > 0;

	if (nd + nn + 2 > s->alloc[slot]) {
		s->alloc[slot] = nd + nn + 64;
		s->buf[slot] = xreallocarray(s->buf[slot], s->alloc[slot], 1);
	}
	memcpy(s->buf[slot], dir, nd);
	if (slash)
		s->buf[slot][nd++] = '/';
	memcpy(s->buf[slot] + nd, name, nn + 1);
	return s->buf[slot];
}

/*
 * The path that file-like object v names: {path}, {existing_file: ...},
 * {new_path: {dir, filename}}, a statfs {f_mntonname}, or a process (whose
 * executable path it is; the process also becomes ev->target).  *out is
 * NULL when v names none.
 */
static int
file_path(json_t *v, const char *ptr, int slot, struct esl_event *ev,
    struct esl__scratch *s, const char **out, struct err *e)
{
	char sub[ERR_PTR_MAX];
	json_t *x;
	const char *dir, *name;

	*out = NULL;
	if (!json_is_object(v))
		return 0;
	if (json_object_get(v, "audit_token") != NULL) {
		if (ev->has_target)
			return 0;
		if (decode_process(v, ptr, &ev->target, e) < 0)
			return -1;
		ev->has_target = 1;
		*out = ev->target.exe;
		return 0;
	}
	if (json_object_get(v, "path") != NULL)
		return get_str(v, ptr, "path", OPTIONAL, out, e) < 0 ? -1 : 0;
	if (json_object_get(v, "f_mntonname") != NULL)
		return get_str(v, ptr, "f_mntonname", OPTIONAL, out, e) < 0 ?
		    -1 : 0;
	snprintf(sub, sizeof(sub), "%s", ptr);
	if ((x = json_object_get(v, "existing_file")) != NULL)
		return file_path(x, err_ptr_append(sub, sizeof(sub),
		    "existing_file"), slot, ev, s, out, e);
	if ((x = json_object_get(v, "new_path")) == NULL || !json_is_object(x))
		return 0;
	err_ptr_append(sub, sizeof(sub), "new_path");
	if (get_str(x, sub, "filename", OPTIONAL, &name, e) < 0)
		return -1;
	err_ptr_append(sub, sizeof(sub), "dir");
	if (file_path(json_object_get(x, "dir"), sub, slot, ev, s, &dir,
	    e) < 0)
		return -1;
	if (dir != NULL && name != NULL)
		*out = join(s, slot, dir, name);
	return 0;
}

/*
 * Where the paths are for the types whose body is not the generic
 * shape: path from p1 (joined with the string j1 beside it, if any),
 * path2 from p2 (joined with j2).
 */
struct pathrule {
	const char	*key;
	const char	*p1, *j1;
	const char	*p2, *j2;
};

static const struct pathrule pathrules[] = {
	{ "clone",		"source",	NULL,	"target_dir", "target_name" },
	{ "copyfile",		"source",	NULL,	"target_dir", "target_name" },
	{ "create",		"destination",	NULL,	NULL,	NULL },
	{ "exchangedata",	"file1",	NULL,	"file2", NULL },
	{ "exec",		"target",	NULL,	"script", NULL },
	{ "link",		"source",	NULL,	"target_dir", "target_filename" },
	{ "lookup",		"source_dir",	"relative_target", NULL, NULL },
	{ "mount",		"statfs",	NULL,	NULL,	NULL },
	{ "remount",		"statfs",	NULL,	NULL,	NULL },
	{ "rename",		"source",	NULL,	"destination", NULL },
	{ "uipc_bind",		"dir",		"filename", NULL, NULL },
	{ "unmount",		"statfs",	NULL,	NULL,	NULL },
};

static const char *const generic_keys[] = {
	"file", "target", "source", "child", "destination", NULL
};

static const struct pathrule *
find_rule(const char *key, struct pathrule *generic, json_t *body)
{
	for (size_t i = 0; i < sizeof(pathrules) / sizeof(pathrules[0]); i++)
		if (strcmp(pathrules[i].key, key) == 0)
			return &pathrules[i];
	memset(generic, 0, sizeof(*generic));
	for (size_t i = 0; generic_keys[i] != NULL; i++)
		if (json_object_get(body, generic_keys[i]) != NULL) {
			generic->p1 = generic_keys[i];
			break;
		}
	if (generic->p1 != NULL && strcmp(generic->p1, "source") == 0)
		generic->p2 = "destination";
	return generic;
}

/* One path slot: body[p] (joined with body[j]) into *out. */
static int
rule_path(json_t *body, const char *base, const char *p, const char *j,
    int slot, struct esl_event *ev, struct esl__scratch *s,
    const char **out, struct err *e)
{
	char ptr[ERR_PTR_MAX];
	const char *name;

	*out = NULL;
	if (p == NULL)
		return 0;
	snprintf(ptr, sizeof(ptr), "%s", base);
	err_ptr_append(ptr, sizeof(ptr), p);
	if (file_path(json_object_get(body, p), ptr, slot, ev, s, out, e) < 0)
		return -1;
	if (j == NULL || *out == NULL)
		return 0;
	if (get_str(body, base, j, OPTIONAL, &name, e) < 0)
		return -1;
	if (name != NULL)
		*out = join(s, slot, *out, name);
	return 0;
}

/* The body of event key (at /event/KEY): paths, target, exit status. */
static int
decode_body(const char *key, json_t *body, struct esl_event *ev,
    struct esl__scratch *s, struct err *e)
{
	char base[ERR_PTR_MAX] = "";
	struct pathrule generic;
	const struct pathrule *r;
	json_int_t n;

	if (!json_is_object(body))
		return bad(e, "/event", key, "expected an object, found %s",
		    jtype(body));
	err_ptr_append(base, sizeof(base), "event");
	err_ptr_append(base, sizeof(base), key);
	if (strcmp(key, "exit") == 0) {
		if (get_int(body, base, "stat", OPTIONAL, INT_MIN, INT_MAX, &n,
		    e) < 0)
			return -1;
		ev->has_status = json_object_get(body, "stat") != NULL &&
		    !json_is_null(json_object_get(body, "stat"));
		ev->status = ev->has_status ? (int)n : 0;
		return 0;
	}
	r = find_rule(key, &generic, body);
	if (rule_path(body, base, r->p1, r->j1, 0, ev, s, &ev->path, e) < 0 ||
	    rule_path(body, base, r->p2, r->j2, 1, ev, s, &ev->path2, e) < 0)
		return -1;
	return 0;
}

static int
decode_thread(json_t *o, struct esl_event *ev, struct err *e)
{
	json_t *t = json_object_get(o, "thread");
	json_int_t n;

	if (t == NULL || json_is_null(t))
		return 0;
	if (!json_is_object(t))
		return bad(e, "", "thread", "expected an object or null, "
		    "found %s", jtype(t));
	if (get_int(t, "/thread", "thread_id", REQUIRED, 0, INT64_MAX, &n,
	    e) < 0)
		return -1;
	ev->thread_id = n;
	return 0;
}

/* The optional envelope numbers; absent ones stay -1. */
static int
decode_numbers(json_t *o, struct esl_event *ev, struct err *e)
{
	json_int_t n;
	int rc;

	if ((rc = get_int(o, "", "mach_time", OPTIONAL, 0, INT64_MAX, &n,
	    e)) < 0)
		return -1;
	ev->mach_time = rc > 0 ? n : -1;
	if ((rc = get_int(o, "", "version", OPTIONAL, 0, INT_MAX, &n, e)) < 0)
		return -1;
	ev->version = rc > 0 ? (int)n : -1;
	if ((rc = get_int(o, "", "action_type", OPTIONAL, 0, 1, &n, e)) < 0)
		return -1;
	ev->action_type = rc > 0 ? (int)n : -1;
	if ((rc = get_int(o, "", "seq_num", OPTIONAL, 0, INT64_MAX, &n,
	    e)) < 0)
		return -1;
	ev->seq_num = rc > 0 ? n : -1;
	if ((rc = get_int(o, "", "global_seq_num", OPTIONAL, 0, INT64_MAX,
	    &n, e)) < 0)
		return -1;
	ev->global_seq_num = rc > 0 ? n : -1;
	return 0;
}

/* The single key of "event", in *key. */
static int
event_key(json_t *o, json_t **body, const char **key, struct err *e)
{
	json_t *ev;
	void *it;

	if (get_obj(o, "", "event", &ev, e) < 0)
		return -1;
	if (json_object_size(ev) != 1)
		return bad(e, "", "event", "expected exactly one key (the "
		    "event's name), found %zu", json_object_size(ev));
	it = json_object_iter(ev);
	*key = json_object_iter_key(it);
	*body = json_object_iter_value(it);
	return 0;
}

static int
decode_time(json_t *o, struct esl_event *ev, struct err *e)
{
	const char *s;

	if (get_str(o, "", "time", REQUIRED, &s, e) < 0)
		return -1;
	if (esl_parse_time(s, &ev->time, e) < 0)
		return err_locate(e, NULL, 0, 0, "/time");
	return 0;
}

int
esl__decode(json_t *o, struct esl_event *ev, struct esl__scratch *s,
    struct err *e)
{
	const struct evtype *t;
	const char *key = NULL;
	json_t *body = NULL, *p;
	json_int_t et;

	memset(ev, 0, sizeof(*ev));
	ev->thread_id = -1;
	if (get_int(o, "", "event_type", REQUIRED, 0, ESL_MAX_EVENT_TYPE, &et,
	    e) < 0 || event_key(o, &body, &key, e) < 0 ||
	    decode_time(o, ev, e) < 0 || decode_numbers(o, ev, e) < 0 ||
	    decode_thread(o, ev, e) < 0 || get_obj(o, "", "process", &p, e) < 0 ||
	    decode_process(p, "/process", &ev->proc, e) < 0)
		return -1;
	t = evtype_by_value((int)et);
	if (t == NULL || t->kind == EVTYPE_RESERVED)
		return 0;
	if (strcmp(t->eslogger, key) != 0)
		return bad(e, "", "event", "key \"%s\" does not match "
		    "event_type %d (%s, whose key is \"%s\")", key, t->value,
		    t->name, t->eslogger);
	ev->type = t;
	return decode_body(key, body, ev, s, e) < 0 ? -1 : 1;
}
