/*
 * phold.c - the PHOLD benchmark, run through essim's own engine.
 *
 * PHOLD (Fujimoto 1990) is the standard workload for discrete-event
 * engines: n logical processes (LPs) start with p events each; every event,
 * when it runs at an LP, schedules one new event at an LP drawn uniformly
 * at random, after an exponential delay of mean 1 time unit.  The number
 * of pending events therefore stays n * p, and the run measures the cost
 * of one calendar pop + push, one event allocation and one callback per
 * event, the inner loop of every essim run.
 *
 * Everything goes through the real engine, not a copy: events are
 * loop_after() calls on a struct loop (core/loop.h), ordered by its
 * calendar (core/cal.h), and each LP draws from its own rng stream
 * (core/rng.h, named "lp<i>"), as essim entities do.  One time unit is
 * 1,000,000 ns (1 ms) of virtual time; delays are rounded to whole ns.
 *
 * Prints events/s per repeat and their median, the final virtual time
 * (identical for every repeat and every machine: a determinism check) and
 * the peak resident set size.  See bench/README.md.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/cal.h"
#include "core/loop.h"
#include "core/rng.h"
#include "core/xalloc.h"

/* One PHOLD time unit, in virtual ns. */
#define UNIT_NS	1e6

struct lp {
	struct rng	rng;
};

struct phold {
	struct lp	*lps;
	uint64_t	 nlp;
	uint64_t	 left;		/* events still to run */
};

static void
phold_event(struct loop *l, void *obj, uint64_t arg)
{
	struct phold *ph = obj;
	struct lp *lp = &ph->lps[arg];
	int64_t dt = (int64_t)(rng_exp(&lp->rng, UNIT_NS) + 0.5);
	uint64_t dest = rng_below(&lp->rng, ph->nlp);

	loop_after(l, dt, phold_event, ph, dest);
	if (--ph->left == 0)
		loop_stop(l);
}

/* Wall-clock or CPU seconds (the latter robust on a shared machine). */
static double
seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * One run: returns events per wall-clock second, *cpu_rate gets events per
 * CPU second and *end the final virtual time.
 */
static double
run(uint64_t nlp, uint64_t per_lp, uint64_t nev, uint64_t seed,
    enum cal_kind kind, int64_t *end, double *cpu_rate)
{
	struct phold ph;
	struct loop l;
	char name[32];
	double t0, t1, c0, c1;

	ph.nlp = nlp;
	ph.left = nev;
	ph.lps = xcalloc(nlp, sizeof(*ph.lps));
	loop_init_kind(&l, 0, kind);
	for (uint64_t i = 0; i < nlp; i++) {
		snprintf(name, sizeof(name), "lp%" PRIu64, i);
		rng_init(&ph.lps[i].rng, seed, name);
	}
	for (uint64_t i = 0; i < nlp; i++)
		for (uint64_t j = 0; j < per_lp; j++)
			loop_at(&l, (int64_t)(rng_exp(&ph.lps[i].rng, UNIT_NS) +
			    0.5), phold_event, &ph, i);
	t0 = seconds(CLOCK_MONOTONIC);
	c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
	loop_run(&l, LOOP_FOREVER);
	c1 = seconds(CLOCK_PROCESS_CPUTIME_ID);
	t1 = seconds(CLOCK_MONOTONIC);
	*end = loop_now(&l);
	loop_release(&l);
	free(ph.lps);
	*cpu_rate = (double)nev / (c1 - c0);
	return (double)nev / (t1 - t0);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static long
peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
#ifdef __APPLE__
	return ru.ru_maxrss / 1024;	/* bytes on macOS */
#else
	return ru.ru_maxrss;		/* KiB on Linux and the BSDs */
#endif
}

static uint64_t
number(const char *s, char opt)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*s == '\0' || *s == '-' || *end != '\0' || v == 0) {
		fprintf(stderr, "phold: -%c: expected a positive integer, "
		    "got '%s'\n", opt, s);
		exit(2);
	}
	return v;
}

static void
usage(void)
{
	fprintf(stderr, "usage: phold [-n lps] [-m events] [-p per-lp] "
	    "[-r repeats] [-s seed] [-c radix|binary]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	uint64_t nlp = 1000, nev = 10000000, per_lp = 1, seed = 1;
	int repeats = 5, c;
	enum cal_kind kind = CAL_RADIX;
	double *rate, *cpu;
	int64_t end = 0, first_end = 0;

	while ((c = getopt(argc, argv, "n:m:p:r:s:c:")) != -1) {
		switch (c) {
		case 'n': nlp = number(optarg, 'n'); break;
		case 'm': nev = number(optarg, 'm'); break;
		case 'p': per_lp = number(optarg, 'p'); break;
		case 'r': repeats = (int)number(optarg, 'r'); break;
		case 's': seed = number(optarg, 's'); break;
		case 'c':
			if (strcmp(optarg, "radix") == 0)
				kind = CAL_RADIX;
			else if (strcmp(optarg, "binary") == 0)
				kind = CAL_BINARY;
			else
				usage();
			break;
		default: usage();
		}
	}
	if (optind != argc || repeats > 1000)
		usage();
	rate = xcalloc((size_t)repeats, sizeof(*rate));
	cpu = xcalloc((size_t)repeats, sizeof(*cpu));
	printf("phold (engine, %s calendar): n=%" PRIu64 " m=%" PRIu64
	    " p=%" PRIu64 " seed=%" PRIu64 "\n",
	    kind == CAL_RADIX ? "radix" : "binary", nlp, nev, per_lp, seed);
	for (int i = 0; i < repeats; i++) {
		rate[i] = run(nlp, per_lp, nev, seed, kind, &end, &cpu[i]);
		if (i == 0)
			first_end = end;
		else if (end != first_end)
			printf("  NOT DETERMINISTIC: end time %" PRId64
			    " != %" PRId64 "\n", end, first_end);
		printf("  run %d: %.3f Mevents/s (%.3f per CPU second)\n",
		    i + 1, rate[i] / 1e6, cpu[i] / 1e6);
	}
	qsort(rate, (size_t)repeats, sizeof(*rate), cmp_double);
	qsort(cpu, (size_t)repeats, sizeof(*cpu), cmp_double);
	printf("end time: %" PRId64 " ns\n", first_end);
	printf("median: %.3f Mevents/s\n", rate[repeats / 2] / 1e6);
	printf("median CPU: %.3f Mevents per CPU second\n",
	    cpu[repeats / 2] / 1e6);
	printf("peak RSS: %ld KiB\n", peak_rss_kib());
	free(rate);
	free(cpu);
	return 0;
}
