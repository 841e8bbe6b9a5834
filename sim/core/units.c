/*
 * units.c - exact parsing and formatting of durations and rates.
 *
 * Every duration in a model passes through here once, at load time, so the
 * code favours exactness and precise messages over speed.  No floating
 * point touches a duration: the integer part and the fraction are scanned
 * as digit strings and combined with integer arithmetic, checking each
 * step for int64 overflow.  A fraction f / 10^k of a unit of u ns is a
 * whole number of nanoseconds iff 10^k / gcd(u, 10^k) divides f; with the
 * fraction's trailing zeros removed, no unit up to an hour (2^13 3^2 5^11
 * ns) admits more than 13 significant decimals, so k > 18 is rejected
 * before any product is formed and f * u never overflows.
 *
 * Rates keep their count as a decimal mantissa and scale, so "0.5/s" loses
 * nothing until a caller asks for a double.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/units.h"

#define UNIT_LIST	"ns, us, ms, s, m, h"
#define NS_PER_S	INT64_C(1000000000)
#define NS_PER_MIN	(60 * NS_PER_S)
#define NS_PER_HOUR	(3600 * NS_PER_S)
#define SHOW_MAX	48	/* bytes of input quoted in messages */

static const struct unit {
	const char	*name;
	int64_t		 ns;
} units[] = {
	{ "ns", 1 },
	{ "us", 1000 },
	{ "\xc2\xb5s", 1000 },		/* U+00B5 MICRO SIGN */
	{ "\xce\xbcs", 1000 },		/* U+03BC GREEK SMALL LETTER MU */
	{ "ms", 1000000 },
	{ "s", NS_PER_S },
	{ "m", NS_PER_MIN },
	{ "h", NS_PER_HOUR },
};

static const uint64_t pow10_tab[] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
};
#define POW10_MAX	18

/* A number as scanned: integer part, fraction digits, and where it ends. */
struct num {
	uint64_t	 ipart;
	int		 ibig;		/* integer part above UINT64_MAX */
	const char	*frac;		/* fraction digits, no trailing 0s */
	size_t		 nfrac;
	const char	*end;		/* first byte after the number */
};

/* What is being parsed, for messages: "duration" or "rate". */
struct what {
	const char	*name;
	const char	*s;
	char		 shown[SHOW_MAX + 8];	/* s, escaped for quoting */
};

/*
 * Copy at most max bytes of s (n bytes) into buf, escaping '"', '\\' and
 * control bytes, cutting only at a UTF-8 character boundary and adding
 * "..." when cut.
 */
static void
show_n(const char *s, size_t n, char *buf, size_t size, size_t max)
{
	size_t o = 0, i = 0, whole = n;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (; i < n && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	if (i < whole && o + 4 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

static void
what_init(struct what *w, const char *name, const char *s)
{
	w->name = name;
	w->s = s;
	show_n(s, strlen(s), w->shown, sizeof(w->shown), SHOW_MAX);
}

/* Describe the byte at p: "' '", "'x'", "byte 0xc2", "end of string". */
static const char *
show_char(const char *p, char *buf, size_t size)
{
	unsigned char c = (unsigned char)*p;

	if (c == '\0')
		snprintf(buf, size, "end of string");
	else if (c > 0x20 && c < 0x7f && c != '\'')
		snprintf(buf, size, "'%c'", c);
	else if (c == ' ')
		snprintf(buf, size, "' '");
	else if (c == '\'')
		snprintf(buf, size, "\"'\"");
	else if (c == '\t')
		snprintf(buf, size, "a tab");
	else
		snprintf(buf, size, "byte 0x%02x", c);
	return buf;
}

/* "bad duration "S": unexpected C after "PREFIX"" (or "at the start"). */
static int
unexpected(const struct what *w, const char *p, struct err *e)
{
	char c[16], before[SHOW_MAX + 8];

	show_char(p, c, sizeof(c));
	if (p == w->s)
		return err_set(e, "bad %s \"%s\": unexpected %s at the start",
		    w->name, w->shown, c);
	show_n(w->s, (size_t)(p - w->s), before, sizeof(before), SHOW_MAX);
	if ((size_t)(p - w->s) > SHOW_MAX)
		return err_set(e, "bad %s \"%s\": unexpected %s after %zu "
		    "characters", w->name, w->shown, c, (size_t)(p - w->s));
	return err_set(e, "bad %s \"%s\": unexpected %s after \"%s\"",
	    w->name, w->shown, c, before);
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Scan DIGITS [ "." DIGITS ] at the start of w->s. */
static int
scan_num(const struct what *w, struct num *n, struct err *e)
{
	const char *p = w->s;

	memset(n, 0, sizeof(*n));
	if (*p == '\0')
		return err_set(e, "bad %s \"\": empty string", w->name);
	if (*p == '-')
		return err_set(e, "bad %s \"%s\": negative %ss are not allowed",
		    w->name, w->shown, w->name);
	if (!is_digit(*p))
		return unexpected(w, p, e);
	for (; is_digit(*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (n->ipart > (UINT64_MAX - d) / 10)
			n->ibig = 1;
		else
			n->ipart = n->ipart * 10 + d;
	}
	if (*p == '.') {
		if (!is_digit(p[1]))
			return unexpected(w, p + 1, e);
		n->frac = ++p;
		while (is_digit(*p))
			p++;
		n->nfrac = (size_t)(p - n->frac);
		while (n->nfrac > 0 && n->frac[n->nfrac - 1] == '0')
			n->nfrac--;
	}
	n->end = p;
	return 0;
}

/* The fraction's digits as an integer; nfrac <= POW10_MAX. */
static uint64_t
frac_value(const struct num *n)
{
	uint64_t f = 0;

	for (size_t i = 0; i < n->nfrac; i++)
		f = f * 10 + (uint64_t)(n->frac[i] - '0');
	return f;
}

static int
is_unit_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (unsigned char)c >= 0x80;
}

/*
 * Scan the unit starting at p, which must run to the end of the string.
 * Sets *unit_ns; on error, after names what the unit follows ("" or "/").
 */
static int
scan_unit(const struct what *w, const char *p, int64_t *unit_ns,
    struct err *e)
{
	const char *q = p;
	char name[SHOW_MAX + 8];

	while (is_unit_byte(*q))
		q++;
	if (q == p && *q == '\0')
		return err_set(e, "%s \"%s\" has no unit (use " UNIT_LIST ")",
		    w->name, w->shown);
	if (*q != '\0')
		return unexpected(w, q, e);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].name) == 0) {
			*unit_ns = units[i].ns;
			return 0;
		}
	}
	show_n(p, (size_t)(q - p), name, sizeof(name), SHOW_MAX);
	return err_set(e, "%s \"%s\" has unknown unit \"%s\" (use " UNIT_LIST
	    ")", w->name, w->shown, name);
}

static uint64_t
gcd_u64(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static int
too_large(const struct what *w, struct err *e)
{
	char max[UNITS_DURATION_MAX];

	return err_set(e, "%s \"%s\" is too large (the maximum is %s)",
	    w->name, w->shown, units_format_duration(INT64_MAX, max,
	    sizeof(max)));
}

/* n units of unit_ns, exactly, into *ns. */
static int
num_to_ns(const struct what *w, const struct num *n, int64_t unit_ns,
    int64_t *ns, struct err *e)
{
	uint64_t u = (uint64_t)unit_ns, frac_ns = 0, whole;

	if (n->nfrac > 0) {
		uint64_t f, g, d;

		if (n->nfrac > POW10_MAX)
			goto finer;
		f = frac_value(n);
		g = gcd_u64(u, pow10_tab[n->nfrac]);
		d = pow10_tab[n->nfrac] / g;
		if (f % d != 0)
			goto finer;
		frac_ns = f / d * (u / g);	/* < u: cannot overflow */
	}
	if (n->ibig || n->ipart > (uint64_t)INT64_MAX / u)
		return too_large(w, e);
	whole = n->ipart * u;
	if (frac_ns > (uint64_t)INT64_MAX - whole)
		return too_large(w, e);
	*ns = (int64_t)(whole + frac_ns);
	return 0;
finer:
	return err_set(e, "%s \"%s\" is finer than a nanosecond", w->name,
	    w->shown);
}

static int
parse_duration(const char *s, int bare_ns, int64_t *ns, struct err *e)
{
	struct what w;
	struct num n;
	int64_t unit_ns = 1;

	what_init(&w, "duration", s);
	if (scan_num(&w, &n, e) == -1)
		return -1;
	if (!(bare_ns && *n.end == '\0' && n.frac == NULL) &&
	    scan_unit(&w, n.end, &unit_ns, e) == -1)
		return -1;
	return num_to_ns(&w, &n, unit_ns, ns, e);
}

int
units_parse_duration(const char *s, int64_t *ns, struct err *e)
{
	return parse_duration(s, 0, ns, e);
}

int
units_parse_duration_or_ns(const char *s, int64_t *ns, struct err *e)
{
	return parse_duration(s, 1, ns, e);
}

int
units_parse_rate(const char *s, struct units_rate *r, struct err *e)
{
	struct what w;
	struct num n;
	int64_t unit_ns;
	uint64_t f;

	what_init(&w, "rate", s);
	if (scan_num(&w, &n, e) == -1)
		return -1;
	if (*n.end == '\0')
		return err_set(e, "rate \"%s\" has no unit (write e.g. "
		    "\"%s/s\")", w.shown, w.shown);
	if (*n.end != '/')
		return unexpected(&w, n.end, e);
	if (scan_unit(&w, n.end + 1, &unit_ns, e) == -1)
		return -1;
	f = n.nfrac > 0 && n.nfrac <= POW10_MAX ? frac_value(&n) : 0;
	if (n.ibig || n.nfrac > POW10_MAX ||
	    n.ipart > (UINT64_MAX - f) / pow10_tab[n.nfrac])
		return err_set(e, "rate \"%s\" has too many digits", w.shown);
	if (n.ipart == 0 && f == 0)
		return err_set(e, "rate \"%s\" is zero; a rate must be "
		    "positive", w.shown);
	r->mant = n.ipart * pow10_tab[n.nfrac] + f;
	r->scale = (int)n.nfrac;
	r->unit_ns = unit_ns;
	return 0;
}

double
units_rate_per_sec(const struct units_rate *r)
{
	return (double)r->mant * 1e9 /
	    ((double)r->unit_ns * (double)pow10_tab[r->scale]);
}

double
units_rate_interval_ns(const struct units_rate *r)
{
	return (double)r->unit_ns * (double)pow10_tab[r->scale] /
	    (double)r->mant;
}

/*
 * Write u / unit with its fraction, trailing zeros cut; digits is
 * log10(unit).
 */
static void
format_frac(uint64_t u, uint64_t unit, int digits, const char *name,
    char *buf, size_t n)
{
	uint64_t ip = u / unit, fp = u % unit;
	char frac[24];
	int len = digits;

	if (fp == 0) {
		snprintf(buf, n, "%" PRIu64 "%s", ip, name);
		return;
	}
	snprintf(frac, sizeof(frac), "%0*" PRIu64, digits, fp);
	while (len > 0 && frac[len - 1] == '0')
		len--;
	snprintf(buf, n, "%" PRIu64 ".%.*s%s", ip, len, frac, name);
}

char *
units_format_duration(int64_t ns, char *buf, size_t n)
{
	uint64_t u;
	size_t o = 0;

	if (n == 0)
		return buf;
	if (ns < 0) {
		if (n > 1)
			buf[o++] = '-';
		u = (uint64_t)0 - (uint64_t)ns;
	} else {
		u = (uint64_t)ns;
	}
	buf += o;
	n -= o;
	if (u == 0)
		snprintf(buf, n, "0s");
	else if (u < 1000)
		snprintf(buf, n, "%" PRIu64 "ns", u);
	else if (u < 1000000)
		format_frac(u, 1000, 3, "us", buf, n);
	else if (u < (uint64_t)NS_PER_S)
		format_frac(u, 1000000, 6, "ms", buf, n);
	else if (u < (uint64_t)NS_PER_MIN)
		format_frac(u, NS_PER_S, 9, "s", buf, n);
	else if (u % NS_PER_HOUR == 0)
		snprintf(buf, n, "%" PRIu64 "h", u / NS_PER_HOUR);
	else if (u % NS_PER_MIN == 0)
		snprintf(buf, n, "%" PRIu64 "m", u / NS_PER_MIN);
	else
		format_frac(u, NS_PER_S, 9, "s", buf, n);
	return buf - o;
}

char *
units_format_seconds(int64_t ns, int prec, char *buf, size_t n)
{
	uint64_t u, unit, q;

	if (prec < 0)
		prec = 0;
	if (prec > 9)
		prec = 9;
	u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	unit = pow10_tab[9 - prec];
	q = (u + unit / 2) / unit;
	if (prec == 0)
		snprintf(buf, n, "%s%" PRIu64 "s", ns < 0 && q > 0 ? "-" : "",
		    q);
	else
		snprintf(buf, n, "%s%" PRIu64 ".%0*" PRIu64 "s",
		    ns < 0 && q > 0 ? "-" : "", q / pow10_tab[prec], prec,
		    q % pow10_tab[prec]);
	return buf;
}
