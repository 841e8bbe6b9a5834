/*
 * units.h - durations and rates as written in models ("15s", "200/s").
 *
 * Durations are int64 nanoseconds: 2^63 - 1 ns is about 292 years, far
 * beyond any simulated run.  The written form is
 *
 *     DIGITS [ "." DIGITS ] UNIT        UNIT: ns us µs μs ms s m h
 *
 * with nothing else: no sign, no spaces, no exponent, no missing unit
 * ("0s", not "0").  Fractions are exact, computed with integers: "1.5s" is
 * 1500000000 ns, "0.1h" is 360000000000 ns; a fraction that is not a whole
 * number of nanoseconds ("0.5ns", "1.0000000001s") is an error, as is a
 * value above INT64_MAX ns.  Both spellings of micro are accepted: U+00B5
 * MICRO SIGN and U+03BC GREEK SMALL LETTER MU, in UTF-8.
 *
 * A rate is COUNT "/" UNIT, COUNT a positive decimal ("200/s", "0.5/s",
 * "3/ms", "1000/m"); it is kept exact (count = mant / 10^scale events per
 * unit) and read through units_rate_per_sec() or units_rate_interval_ns().
 *
 * Errors go through struct err (err.h) with a message that quotes the
 * string and says what is wrong with it; no location is set, so callers
 * add one with err_locate().  Nothing here allocates.
 */
#ifndef ESSIM_CORE_UNITS_H
#define ESSIM_CORE_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Buffer size that holds any formatted duration, NUL included. */
#define UNITS_DURATION_MAX	32

/*
 * Parse a duration into *ns (untouched on error).  Returns 0, or -1 with
 * e set, e.g.
 *     bad duration "15 s": unexpected ' ' after "15"
 *     duration "3x" has unknown unit "x" (use ns, us, ms, s, m, h)
 *     duration "0.5ns" is finer than a nanosecond
 */
int	units_parse_duration(const char *s, int64_t *ns, struct err *e);

/*
 * Same, but a bare integer ("2500") is also accepted, as nanoseconds: for
 * data files (empirical distributions) where the unit is implied.
 */
int	units_parse_duration_or_ns(const char *s, int64_t *ns, struct err *e);

/*
 * A rate: mant / 10^scale events per unit_ns nanoseconds, all positive.
 * Open so that it can be kept by value; read it with the accessors.
 */
struct units_rate {
	uint64_t mant;
	int	 scale;		/* 0..18 */
	int64_t	 unit_ns;
};

/* Parse "N/UNIT".  Zero and negative rates are errors. */
int	units_parse_rate(const char *s, struct units_rate *r, struct err *e);

/* Events per second, and the mean interval between events in ns. */
double	units_rate_per_sec(const struct units_rate *r);
double	units_rate_interval_ns(const struct units_rate *r);

/*
 * Write ns as a short, exact duration that units_parse_duration() reads
 * back to the same value.  The rule:
 *   - below one minute, the largest of s, ms, us, ns that is not above the
 *     value, with as many decimals as the value needs ("250ns", "15us",
 *     "2.5ms", "1.000000001s", "59.9s");
 *   - from one minute up, whole hours ("2h") or else whole minutes
 *     ("90m") or else seconds with decimals as needed ("90s", "61.5s").
 * "0s" for zero; a negative value gets a leading '-' (for differences in
 * reports; the parser rejects it).  buf (n bytes, UNITS_DURATION_MAX is
 * always enough) is NUL-terminated, truncated if too small.  Returns buf.
 */
char	*units_format_duration(int64_t ns, char *buf, size_t n);

/*
 * Write ns as seconds with exactly prec (0..9) decimals and an "s":
 * "15.000s" for prec 3.  Rounded half away from zero, exactly (integer
 * arithmetic).  For report columns.  Returns buf.
 */
char	*units_format_seconds(int64_t ns, int prec, char *buf, size_t n);

#endif /* ESSIM_CORE_UNITS_H */
