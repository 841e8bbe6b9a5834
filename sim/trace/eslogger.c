/*
 * eslogger.c - framing eslogger output into objects, and the reader.
 *
 * Input arrives in 64 KiB chunks from a file, a gzip stream or memory.
 * A small state machine (depth, in-string, escape) finds where each
 * top-level object ends, copying its bytes into one buffer that is
 * reused from object to object; jansson then parses exactly those bytes
 * and esl-decode.c turns the tree into a struct esl_event.  Memory is
 * therefore the largest object (capped by max_object: a bigger one is
 * scanned to its end without being stored, and rejected) plus one parsed
 * tree, whatever the file's size.
 *
 * Bad input is reported once per object at the most precise place known:
 * the byte for NUL bytes, stray text and newlines inside strings, the
 * position jansson gives for syntax errors (translated from the object
 * to the file), the object's first line for everything else.  The
 * framer then resynchronises: stray text is skipped to the end of its
 * line, a broken object to its closing brace or to the next '{' in
 * column 1.  Columns count characters, not bytes, as jansson's do.
 *
 * Drops: global_seq_num counts every message one ES client was sent, so
 * a step of more than one between consecutive objects means the kernel
 * dropped messages (es.md §2.9).  A step backwards means a new session
 * (eslogger restarted) and counts nothing.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#include "core/intr.h"
#include "core/xalloc.h"
#include "trace/esl-decode.h"
#include "trace/eslogger.h"
#include "trace/sha256.h"

#define CHUNK	(64 * 1024)

/* Internal results, beside ESL_EVENT, ESL_END, ESL_BAD and ESL_FATAL. */
enum {
	FRAMED = 2,		/* an object is in r->obj */
	UNKNOWN = 3,		/* a valid object of an unknown type */
	FATAL = -2
};

/* Where bytes come from. */
struct src {
	const char	*name;
	FILE		*fp;
#ifdef HAVE_ZLIB
	gzFile		 gz;
#endif
	const unsigned char *mem;
	size_t		 memlen, mempos;
};

struct esl_reader {
	char		*name;
	struct src	 src;
	unsigned char	*in;		/* CHUNK bytes of input */
	size_t		 ipos, ilen;
	int		 eof, failed;
	struct err	 ferr;		/* the read error when failed */
	int		 line, col;	/* of the next byte, 1-based */
	char		*obj;		/* the current object's bytes */
	size_t		 olen, oalloc, max;
	json_t		*cur;		/* parse tree behind the last event */
	struct esl__scratch scratch;
	int64_t		 last_gsn;
	struct esl_counts c;
};

static int
src_open(struct src *s, const char *path, struct err *e)
{
	unsigned char magic[2];
	struct stat st;
	size_t n;

	memset(s, 0, sizeof(*s));
	s->name = path;
	if ((s->fp = fopen(path, "rb")) == NULL)
		return err_setloc(e, path, 0, 0, "cannot open: %s",
		    strerror(errno));
	if (fstat(fileno(s->fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(s->fp);
		s->fp = NULL;
		return err_setloc(e, path, 0, 0, "is a directory");
	}
	n = fread(magic, 1, 2, s->fp);
	if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
#ifdef HAVE_ZLIB
		fclose(s->fp);
		s->fp = NULL;
		if ((s->gz = gzopen(path, "rb")) == NULL)
			return err_setloc(e, path, 0, 0, "cannot open: %s",
			    strerror(errno));
		gzbuffer(s->gz, 128 * 1024);
		return 0;
#else
		fclose(s->fp);
		s->fp = NULL;
		return err_setloc(e, path, 0, 0, "gzip-compressed, but this "
		    "essim was built without zlib (gunzip it first)");
#endif
	}
	rewind(s->fp);
	return 0;
}

/* Up to n bytes into buf; 0 at the end; -1 with e set on error. */
static long
src_read(struct src *s, unsigned char *buf, size_t n, struct err *e)
{
	size_t got;

#ifdef HAVE_ZLIB
	if (s->gz != NULL) {
		int rc = gzread(s->gz, buf, (unsigned)n), zerr;
		const char *msg = gzerror(s->gz, &zerr);
		size_t nl = strlen(s->name);

		if (rc >= 0 && (rc > 0 || zerr == Z_OK))
			return rc;
		/* zlib prefixes its message with the path: drop that. */
		if (strncmp(msg, s->name, nl) == 0 && msg[nl] == ':')
			msg += nl + 2;
		return err_setloc(e, s->name, 0, 0, "corrupt gzip data: %s",
		    msg);
	}
#endif
	if (s->fp != NULL) {
		got = fread(buf, 1, n, s->fp);
		if (got == 0 && ferror(s->fp))
			return err_setloc(e, s->name, 0, 0, "read error: %s",
			    strerror(errno));
		return (long)got;
	}
	got = s->memlen - s->mempos < n ? s->memlen - s->mempos : n;
	if (got > 0)
		memcpy(buf, s->mem + s->mempos, got);
	s->mempos += got;
	return (long)got;
}

static void
src_close(struct src *s)
{
	if (s->fp != NULL)
		fclose(s->fp);
#ifdef HAVE_ZLIB
	if (s->gz != NULL)
		gzclose(s->gz);
#endif
	memset(s, 0, sizeof(*s));
}

static struct esl_reader *
reader_new(const char *name, const struct esl_opts *o)
{
	struct esl_reader *r = xcalloc(1, sizeof(*r));

	r->name = xstrdup(name);
	r->in = xmalloc(CHUNK);
	r->line = r->col = 1;
	r->max = o != NULL && o->max_object > 0 ? o->max_object :
	    ESL_MAX_OBJECT;
	r->last_gsn = -1;
	return r;
}

struct esl_reader *
esl_open(const char *path, const struct esl_opts *o, struct err *e)
{
	struct esl_reader *r = reader_new(path, o);

	if (src_open(&r->src, path, e) < 0) {
		esl_close(r);
		return NULL;
	}
	r->src.name = r->name;
	return r;
}

struct esl_reader *
esl_open_mem(const char *name, const void *buf, size_t len,
    const struct esl_opts *o)
{
	struct esl_reader *r = reader_new(name, o);

	r->src.name = r->name;
	r->src.mem = buf != NULL ? buf : (const void *)"";
	r->src.memlen = len;
	return r;
}

void
esl_close(struct esl_reader *r)
{
	if (r == NULL)
		return;
	src_close(&r->src);
	json_decref(r->cur);
	esl__scratch_release(&r->scratch);
	free(r->obj);
	free(r->in);
	free(r->name);
	free(r);
}

const struct esl_counts *
esl_counts(const struct esl_reader *r)
{
	return &r->c;
}

const char *
esl_name(const struct esl_reader *r)
{
	return r->name;
}

/* The next byte without consuming it, or -1 at the end (or on error). */
static int
peek(struct esl_reader *r)
{
	long n;

	if (r->ipos < r->ilen)
		return r->in[r->ipos];
	if (r->eof)
		return -1;
	if ((n = src_read(&r->src, r->in, CHUNK, &r->ferr)) <= 0) {
		r->eof = 1;
		r->failed = n < 0;
		return -1;
	}
	r->ipos = 0;
	r->ilen = (size_t)n;
	return r->in[0];
}

static void
advance(struct esl_reader *r, int c)
{
	r->ipos++;
	r->c.bytes++;
	if (c == '\n') {
		r->line++;
		r->col = 1;
	} else if ((c & 0xc0) != 0x80) {
		r->col++;
	}
}

static void
skip_line(struct esl_reader *r)
{
	int c;

	while ((c = peek(r)) >= 0) {
		advance(r, c);
		if (c == '\n')
			break;
	}
}

/* Append n bytes to the object, up to max_object; past it, an error. */
static void
obj_append(struct esl_reader *r, const unsigned char *p, size_t n, int line,
    struct err *le)
{
	size_t room = r->max - r->olen;

	if (n > room) {
		err_setloc(le, r->name, line, 0, "object larger than %zu "
		    "bytes (the --max-object limit)", r->max);
		n = room;
	}
	if (n == 0)
		return;
	if (r->olen + n > r->oalloc) {
		r->oalloc = r->oalloc < 4096 ? 4096 : r->oalloc;
		while (r->oalloc < r->olen + n)
			r->oalloc *= 2;
		if (r->oalloc > r->max)
			r->oalloc = r->max;
		r->obj = xreallocarray(r->obj, r->oalloc, 1);
	}
	memcpy(r->obj + r->olen, p, n);
	r->olen += n;
}

/* Scanner state inside one object. */
struct scan {
	int	 depth, instr, esc;
};

enum { SCAN_MORE, SCAN_CLOSED, SCAN_NEXT };

/*
 * Scan the buffered input from r->ipos: one tight loop per chunk, since
 * this runs over every byte of a trace.  Returns SCAN_CLOSED after the
 * object's closing brace, SCAN_NEXT before a '{' in column 1 that starts
 * another object, SCAN_MORE at the end of the chunk.  Errors inside the
 * object (NUL, newline in a string) go to le, and scanning goes on.
 */
static int
scan_chunk(struct esl_reader *r, struct scan *s, struct err *le)
{
	const unsigned char *p = r->in;
	size_t i = r->ipos, n = r->ilen;
	int line = r->line, col = r->col, rc = SCAN_MORE, c;

	for (; i < n && rc == SCAN_MORE; i++) {
		c = p[i];
		if (c == 0)
			err_setloc(le, r->name, line, col, "NUL byte");
		if (s->instr) {
			if (s->esc)
				s->esc = 0;
			else if (c == '\\')
				s->esc = 1;
			else if (c == '"')
				s->instr = 0;
			else if (c == '\n') {
				err_setloc(le, r->name, line, col, "line ends "
				    "inside a string (truncated line?)");
				s->instr = 0;
			}
		} else if (c == '{' && col == 1 && s->depth > 0) {
			rc = SCAN_NEXT;
			break;
		} else if (c == '"') {
			s->instr = 1;
		} else if (c == '{' || c == '[') {
			s->depth++;
		} else if ((c == '}' || c == ']') && --s->depth == 0) {
			rc = SCAN_CLOSED;
		}
		if (c == '\n') {
			line++;
			col = 1;
		} else if ((c & 0xc0) != 0x80) {
			col++;
		}
	}
	r->c.bytes += i - r->ipos;
	r->ipos = i;
	r->line = line;
	r->col = col;
	return rc;
}

/*
 * Frame the object starting at the current '{' (at line) into r->obj.
 * Returns 0 when it is complete and clean, -1 with le set otherwise,
 * FATAL when reading failed.
 */
static int
frame_object(struct esl_reader *r, int line, struct err *le)
{
	struct scan s = { 0, 0, 0 };
	size_t from;
	int rc;

	r->olen = 0;
	for (;;) {
		if (peek(r) < 0) {
			if (r->failed)
				return FATAL;
			return err_setloc(le, r->name, line, 0, "truncated "
			    "object: the input ends before its closing '}'");
		}
		from = r->ipos;
		rc = scan_chunk(r, &s, le);
		obj_append(r, r->in + from, r->ipos - from, line, le);
		if (rc == SCAN_CLOSED)
			return le->set ? -1 : 0;
		if (rc == SCAN_NEXT)
			return err_setloc(le, r->name, line, 0, "truncated "
			    "object: another object starts at line %d before "
			    "this one is closed", r->line);
	}
}

static void
describe_byte(int c, char *buf, size_t size)
{
	if (c >= 0x20 && c < 0x7f && c != '\'')
		snprintf(buf, size, "'%c'", c);
	else
		snprintf(buf, size, "byte 0x%02x", c);
}

/*
 * Skip blanks, then frame the next top-level item.  Returns FRAMED with
 * the object in r->obj, ESL_END, ESL_BAD with le set, or ESL_FATAL.
 */
static int
frame(struct esl_reader *r, int *line, int *col, struct err *le)
{
	char what[16];
	int c, rc;

	/*
	 * A UTF-8 byte order mark opening the content (editors, PowerShell's
	 * redirections) is skipped; not being a column, it moves nothing.
	 */
	if (r->c.bytes == 0 && peek(r) == 0xef && r->ilen - r->ipos >= 3 &&
	    memcmp(r->in + r->ipos, "\xef\xbb\xbf", 3) == 0) {
		r->ipos += 3;
		r->c.bytes += 3;
	}
	while ((c = peek(r)) == ' ' || c == '\t' || c == '\r' || c == '\n')
		advance(r, c);
	if (c < 0)
		return r->failed ? ESL_FATAL : ESL_END;
	*line = r->line;
	*col = r->col;
	r->c.objects++;
	if (c == '{') {
		if ((rc = frame_object(r, *line, le)) == FATAL) {
			r->c.bad++;	/* the object cut short */
			return ESL_FATAL;
		}
		return rc < 0 ? ESL_BAD : FRAMED;
	}
	describe_byte(c, what, sizeof(what));
	if (c == 0)
		err_setloc(le, r->name, r->line, r->col, "NUL byte");
	else
		err_setloc(le, r->name, r->line, r->col, "expected a JSON "
		    "object ('{'), found %s; skipping the rest of the line",
		    what);
	skip_line(r);
	return ESL_BAD;
}

/* jansson's error, moved from object coordinates to file coordinates. */
static void
json_error_at(struct esl_reader *r, const json_error_t *je, int line,
    int col, struct err *le)
{
	int l = line, c = 0;

	if (je->line > 0) {
		l = line + je->line - 1;
		c = je->line == 1 ? col + je->column - 1 : je->column;
	}
	if (json_error_code(je) == json_error_null_character)
		err_setloc(le, r->name, l, c, "a string holds \\u0000 (NUL), "
		    "which essim does not accept");
	else
		err_setloc(le, r->name, l, c, "%s", je->text);
}

static void
count_drops(struct esl_reader *r, int64_t gsn)
{
	if (gsn < 0)
		return;
	if (r->last_gsn >= 0 && gsn > r->last_gsn + 1)
		r->c.drops += (uint64_t)(gsn - r->last_gsn - 1);
	r->last_gsn = gsn;
}

/* Parse and decode the framed object: ESL_EVENT, UNKNOWN or ESL_BAD. */
static int
decode(struct esl_reader *r, struct esl_event *ev, int line, int col,
    struct err *le)
{
	json_error_t je;
	json_t *o;
	int rc;

	o = json_loadb(r->obj, r->olen, JSON_REJECT_DUPLICATES, &je);
	if (o == NULL) {
		json_error_at(r, &je, line, col, le);
		return ESL_BAD;
	}
	if ((rc = esl__decode(o, ev, &r->scratch, le)) < 0) {
		json_decref(o);
		err_locate(le, r->name, line, 0, NULL);
		return ESL_BAD;
	}
	count_drops(r, ev->global_seq_num);
	r->cur = o;
	ev->source = r->name;
	ev->line = line;
	ev->id = (int64_t)r->c.objects;
	return rc == 1 ? ESL_EVENT : UNKNOWN;
}

int
esl_next(struct esl_reader *r, struct esl_event *ev, struct err *e)
{
	struct err le = ERR_INIT;
	int rc, line = 0, col = 0;

	do {
		json_decref(r->cur);
		r->cur = NULL;
		if ((rc = frame(r, &line, &col, &le)) == FRAMED)
			rc = decode(r, ev, line, col, &le);
		if (rc == UNKNOWN)
			r->c.unknown++;
	} while (rc == UNKNOWN);
	if (rc == ESL_EVENT)
		r->c.events++;
	else if (rc == ESL_BAD) {
		/*
		 * A bad object's global_seq_num is unknown: the step across
		 * it is not evidence of kernel drops, so start afresh.
		 */
		r->c.bad++;
		r->last_gsn = -1;
	}
	else if (rc == ESL_FATAL) {
		le = r->ferr;
		r->failed = 0;		/* reported once; END from now on */
	}
	if ((rc == ESL_BAD || rc == ESL_FATAL) && e != NULL && !e->set)
		*e = le;
	return rc;
}

int
esl_digest(const char *path, uint8_t sha[32], uint64_t *size, struct err *e)
{
	struct sha256 h;
	struct src s;
	unsigned char *buf;
	long n = 0;

	if (src_open(&s, path, e) < 0)
		return -1;
	buf = xmalloc(CHUNK);
	sha256_init(&h);
	while (!intr_pending() && (n = src_read(&s, buf, CHUNK, e)) > 0)
		sha256_update(&h, buf, (size_t)n);
	free(buf);
	src_close(&s);
	if (intr_pending())
		return -3;
	*size = h.nbytes;
	sha256_final(&h, sha);
	return n < 0 ? -2 : 0;
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so no timegm(3), which POSIX lacks.
 */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil (Hinnant's civil_from_days). */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* n digits at *s as an integer; advances *s.  -1 if not n digits. */
static int
digits(const char **s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		v = v * 10 + (**s - '0');
	}
	return v;
}

/* The digits of a fraction of a second, as ns; advances *s. */
static int
fraction(const char **s, int64_t *ns)
{
	int64_t scale = 100000000;
	int n = 0;

	*ns = 0;
	for (; **s >= '0' && **s <= '9'; (*s)++, n++) {
		if (n >= 9)
			return -1;
		*ns += (**s - '0') * scale;
		scale /= 10;
	}
	return n > 0 ? 0 : -1;
}

/* "Z", "+hh:mm" or "-hh:mm" at s, as seconds east of UTC. */
static int
utc_offset(const char *s, int64_t *off)
{
	int sign, h, m;

	if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
		*off = 0;
		return 0;
	}
	if (s[0] != '+' && s[0] != '-')
		return -1;
	sign = s[0] == '-' ? -1 : 1;
	s++;
	if ((h = digits(&s, 2)) < 0 || *s++ != ':' ||
	    (m = digits(&s, 2)) < 0 || *s != '\0' || h > 23 || m > 59)
		return -1;
	*off = sign * (h * 3600 + m * 60);
	return 0;
}

/* Consume one character of set at *s. */
static int
expect(const char **s, const char *set)
{
	if (**s == '\0' || strchr(set, **s) == NULL)
		return -1;
	(*s)++;
	return 0;
}

int
esl_parse_time(const char *s, int64_t *ns, struct err *e)
{
	const char *p = s;
	int y, mo, d, h, mi, sec;
	int64_t frac = 0, off, secs;

	if ((y = digits(&p, 4)) < 0 || expect(&p, "-") < 0 ||
	    (mo = digits(&p, 2)) < 0 || expect(&p, "-") < 0 ||
	    (d = digits(&p, 2)) < 0 || expect(&p, "Tt") < 0 ||
	    (h = digits(&p, 2)) < 0 || expect(&p, ":") < 0 ||
	    (mi = digits(&p, 2)) < 0 || expect(&p, ":") < 0 ||
	    (sec = digits(&p, 2)) < 0 ||
	    (expect(&p, ".") == 0 && fraction(&p, &frac) < 0) ||
	    utc_offset(p, &off) < 0)
		return err_set(e, "unparsable time \"%.40s\" (expected "
		    "YYYY-MM-DDThh:mm:ss[.fraction]Z)", s);
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h > 23 || mi > 59 || sec > 60)
		return err_set(e, "invalid date or time \"%.40s\"", s);
	secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	    off;
	if (secs < 0)
		return err_set(e, "time \"%.40s\" is before 1970", s);
	if (secs > INT64_MAX / 1000000000 - 1)
		return err_set(e, "time \"%.40s\" is out of range (after "
		    "2262)", s);
	*ns = secs * 1000000000 + frac;
	return 0;
}

char *
esl_format_time(int64_t ns, char buf[ESL_TIME_LEN])
{
	int64_t secs = ns / 1000000000, frac = ns % 1000000000, y;
	int64_t sod = secs % 86400;
	int m, d;

	civil_from_days(secs / 86400, &y, &m, &d);
	snprintf(buf, ESL_TIME_LEN, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d."
	    "%09" PRId64 "Z", y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60),
	    (int)(sod % 60), frac);
	return buf;
}
