/*
 * phold-baseline.c - PHOLD with no engine around it: the reference that
 * bench/phold is compared against.
 *
 * The same workload as bench/phold.c (n LPs, p events each, exponential
 * delays of mean 1 time unit, uniform random destination), written the
 * way a small, self-contained simulator would be: one array binary heap
 * of (double time, sequence, lp) entries ordered by (time, sequence), one
 * inline xoshiro256** generator for the whole run, delays drawn as
 * -log(1 - u).  Each event is a pop followed by a push.  No allocation,
 * no callbacks, no per-LP streams: whatever the engine adds on top of
 * this is its overhead, and whatever it saves is its calendar.
 *
 * Prints events/s per repeat and the median, and the peak RSS.
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

__extension__ typedef unsigned __int128 u128;

struct entry {
	double		time;
	uint64_t	seq;
	uint32_t	lp;
};

struct heap {
	struct entry	*a;
	size_t		 n;
	uint64_t	 seq;
};

static uint64_t state[4];

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
next(void)
{
	uint64_t result = rotl(state[1] * 5, 7) * 9;
	uint64_t t = state[1] << 17;

	state[2] ^= state[0];
	state[3] ^= state[1];
	state[1] ^= state[2];
	state[0] ^= state[3];
	state[2] ^= t;
	state[3] = rotl(state[3], 45);
	return result;
}

static void
seed_rng(uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		state[i] = z ^ (z >> 31);
	}
}

static inline double
uniform(void)
{
	return (double)(next() >> 11) * 0x1.0p-53;
}

static inline int
less(const struct entry *a, const struct entry *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void
push(struct heap *h, double time, uint32_t lp)
{
	struct entry e = { time, h->seq++, lp };
	size_t i = h->n++;

	while (i > 0 && less(&e, &h->a[(i - 1) / 2])) {
		h->a[i] = h->a[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->a[i] = e;
}

static struct entry
pop(struct heap *h)
{
	struct entry top = h->a[0], last = h->a[--h->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && less(&h->a[c + 1], &h->a[c]))
			c++;
		if (!less(&h->a[c], &last))
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	h->a[i] = last;
	return top;
}

/* Wall-clock or CPU seconds (the latter robust on a shared machine). */
static double
seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double
run(uint64_t nlp, uint64_t per_lp, uint64_t nev, uint64_t seed, double *end,
    double *cpu_rate)
{
	struct heap h = { NULL, 0, 0 };
	double t0, t1, c0, c1, now = 0;

	h.a = malloc(nlp * per_lp * sizeof(*h.a));
	if (h.a == NULL) {
		fprintf(stderr, "phold-baseline: out of memory\n");
		exit(3);
	}
	seed_rng(seed);
	for (uint64_t i = 0; i < nlp; i++)
		for (uint64_t j = 0; j < per_lp; j++)
			push(&h, -log(1.0 - uniform()), (uint32_t)i);
	t0 = seconds(CLOCK_MONOTONIC);
	c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
	for (uint64_t k = 0; k < nev; k++) {
		struct entry e = pop(&h);
		uint32_t dest = (uint32_t)(((u128)next() * nlp) >> 64);

		now = e.time;
		push(&h, now - log(1.0 - uniform()), dest);
	}
	c1 = seconds(CLOCK_PROCESS_CPUTIME_ID);
	t1 = seconds(CLOCK_MONOTONIC);
	*end = now;
	free(h.a);
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
		fprintf(stderr, "phold-baseline: -%c: expected a positive "
		    "integer, got '%s'\n", opt, s);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	uint64_t nlp = 1000, nev = 10000000, per_lp = 1, seed = 1;
	int repeats = 5, c;
	double rate[1000], cpu[1000], end = 0;

	while ((c = getopt(argc, argv, "n:m:p:r:s:")) != -1) {
		switch (c) {
		case 'n': nlp = number(optarg, 'n'); break;
		case 'm': nev = number(optarg, 'm'); break;
		case 'p': per_lp = number(optarg, 'p'); break;
		case 'r': repeats = (int)number(optarg, 'r'); break;
		case 's': seed = number(optarg, 's'); break;
		default: goto usage;
		}
	}
	if (optind != argc || repeats > 1000 || nlp > UINT32_MAX)
		goto usage;
	printf("phold-baseline (binary heap, no engine): n=%" PRIu64
	    " m=%" PRIu64 " p=%" PRIu64 " seed=%" PRIu64 "\n",
	    nlp, nev, per_lp, seed);
	for (int i = 0; i < repeats; i++) {
		rate[i] = run(nlp, per_lp, nev, seed, &end, &cpu[i]);
		printf("  run %d: %.3f Mevents/s (%.3f per CPU second)\n",
		    i + 1, rate[i] / 1e6, cpu[i] / 1e6);
	}
	qsort(rate, (size_t)repeats, sizeof(*rate), cmp_double);
	qsort(cpu, (size_t)repeats, sizeof(*cpu), cmp_double);
	printf("end time: %.6f units\n", end);
	printf("median: %.3f Mevents/s\n", rate[repeats / 2] / 1e6);
	printf("median CPU: %.3f Mevents per CPU second\n",
	    cpu[repeats / 2] / 1e6);
	printf("peak RSS: %ld KiB\n", peak_rss_kib());
	return 0;
usage:
	fprintf(stderr, "usage: phold-baseline [-n lps] [-m events] "
	    "[-p per-lp] [-r repeats] [-s seed]\n");
	return 2;
}
