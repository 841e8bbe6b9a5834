/*
 * timeline-json.c - trace-event JSON records; see timeline-json.h.
 *
 * The format is Chrome's "Trace Event Format" (the JSON object form):
 * {"traceEvents": [...], "displayTimeUnit": "ns", "otherData": {...}}.
 * Each record is written with fprintf as soon as it is made, on its own
 * line, keys in a fixed order, so equal runs give equal bytes.  Times are
 * integers printed as "µs.nnn": exact, no floating point.  Write errors
 * are noticed once, at tl__close(), through ferror().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "out/timeline-json.h"

int
tl__open(struct tl_out *o, const char *path, uint64_t max, struct err *e)
{
	memset(o, 0, sizeof(*o));
	if ((o->f = fopen(path, "w")) == NULL)
		return err_set(e, "%s: %s", path, strerror(errno));
	o->path = xstrdup(path);
	o->max = max;
	o->first = 1;
	fputs("{\"traceEvents\":[\n", o->f);
	return 0;
}

int
tl__room(struct tl_out *o, unsigned n)
{
	if (o->max > 0 && o->counted + n > o->max) {
		o->truncated = 1;
		return 0;
	}
	o->counted += n;
	return 1;
}

/* Length of the UTF-8 sequence at s (1-4), or 0 when it is not one. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;		/* overlong, surrogate, > U+10FFFF */
	return n;
}

char *
tl__esc(const char *s, char *buf, size_t n)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t o = 0, k;

	if (n < 3)
		BUG("tl__esc: buffer of %zu bytes", n);
	buf[o++] = '"';
	while (*p != '\0' && o + 8 < n) {
		if (*p == '"' || *p == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)*p++;
		} else if (*p < 0x20) {
			o += (size_t)snprintf(buf + o, n - o, "\\u%04x", *p++);
		} else if ((k = utf8_len(p)) == 0) {
			o += (size_t)snprintf(buf + o, n - o, "\\ufffd");
			p++;
		} else {
			memcpy(buf + o, p, k);
			o += k;
			p += k;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* ",\n" between records. */
static FILE *
next(struct tl_out *o)
{
	if (!o->first)
		fputs(",\n", o->f);
	o->first = 0;
	o->written++;
	return o->f;
}

static void
put_ts(FILE *f, int64_t ns)
{
	if (ns < 0)
		ns = 0;
	fprintf(f, "\"ts\":%" PRId64 ".%03d", ns / 1000, (int)(ns % 1000));
}

void
tl__meta(struct tl_out *o, const char *what, int pid, int64_t tid,
    const char *name)
{
	char b[512];

	fprintf(next(o), "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%d,"
	    "\"tid\":%" PRId64 ",\"args\":{\"name\":%s}}", what, pid, tid,
	    tl__esc(name, b, sizeof(b)));
}

void
tl__sort(struct tl_out *o, const char *what, int pid, int64_t tid,
    int64_t index)
{
	fprintf(next(o), "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%d,"
	    "\"tid\":%" PRId64 ",\"args\":{\"sort_index\":%" PRId64 "}}",
	    what, pid, tid, index);
}

void
tl__begin(struct tl_out *o, int pid, int64_t tid, int64_t ts,
    const char *cat, const char *name, const char *args)
{
	FILE *f = next(o);
	char b[1024];

	fprintf(f, "{\"ph\":\"B\",\"pid\":%d,\"tid\":%" PRId64 ",", pid, tid);
	put_ts(f, ts);
	fprintf(f, ",\"cat\":\"%s\",\"name\":%s", cat,
	    tl__esc(name, b, sizeof(b)));
	if (args != NULL)
		fprintf(f, ",\"args\":%s", args);
	fputc('}', f);
}

void
tl__end(struct tl_out *o, int pid, int64_t tid, int64_t ts, const char *args)
{
	FILE *f = next(o);

	fprintf(f, "{\"ph\":\"E\",\"pid\":%d,\"tid\":%" PRId64 ",", pid, tid);
	put_ts(f, ts);
	if (args != NULL)
		fprintf(f, ",\"args\":%s", args);
	fputc('}', f);
}

void
tl__instant(struct tl_out *o, int pid, int64_t tid, int64_t ts, char scope,
    const char *cat, const char *name, const char *args)
{
	FILE *f = next(o);
	char b[1024];

	fprintf(f, "{\"ph\":\"i\",\"pid\":%d,\"tid\":%" PRId64 ",", pid, tid);
	put_ts(f, ts);
	fprintf(f, ",\"s\":\"%c\",\"cat\":\"%s\",\"name\":%s", scope, cat,
	    tl__esc(name, b, sizeof(b)));
	if (args != NULL)
		fprintf(f, ",\"args\":%s", args);
	fputc('}', f);
}

void
tl__flow(struct tl_out *o, char ph, uint64_t id, int pid, int64_t tid,
    int64_t ts, const char *name)
{
	FILE *f = next(o);

	fprintf(f, "{\"ph\":\"%c\",\"id\":%" PRIu64 ",\"pid\":%d,"
	    "\"tid\":%" PRId64 ",", ph, id, pid, tid);
	put_ts(f, ts);
	fprintf(f, ",\"cat\":\"flow\",\"name\":\"%s\"%s}", name,
	    ph == 'f' ? ",\"bp\":\"e\"" : "");
}

void
tl__counter(struct tl_out *o, int pid, int64_t ts, const char *name,
    const char *key, int64_t value)
{
	FILE *f = next(o);
	char b[512];

	fprintf(f, "{\"ph\":\"C\",\"pid\":%d,\"tid\":0,", pid);
	put_ts(f, ts);
	fprintf(f, ",\"name\":%s,\"args\":{\"%s\":%" PRId64 "}}",
	    tl__esc(name, b, sizeof(b)), key, value);
}

int
tl__close(struct tl_out *o, const char *other, struct err *e)
{
	int bad;

	fprintf(o->f, "\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":%s}\n",
	    other);
	bad = ferror(o->f);
	if (fclose(o->f) != 0)
		bad = 1;
	if (bad)
		err_set(e, "%s: write error", o->path);
	free(o->path);
	o->f = NULL;
	o->path = NULL;
	return bad ? -1 : 0;
}
