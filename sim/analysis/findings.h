/*
 * findings.h - the findings of one run, as one list that the run summary,
 * the results database and the reports all read.
 *
 * A finding is what DESIGN §5 calls one: a deadlock (a cycle of the
 * wait-for graph, with when it closed and how it ended), a potential cycle
 * (a cycle of the class dependency graph, lockdep-style), a thread
 * explosion (a process's pool past its threshold), a deadline overrun (a
 * client that missed AUTH deadlines of a type), an ordering violation
 * (from `essim check`).  Each carries a one-line summary, and when it has
 * one, a chain: the cycle in words on one line ("a → b → c → a") and the
 * same as rows (who waits, what for, when the step was first seen), and
 * for potential cycles a scenario a person can replay (STYLE §7).
 *
 * Everything is copied in: a list owns its strings.  Order: fd_sort()
 * orders by time, then kind, then the order of insertion, so a list built
 * from one run's probes is the same bytes on every machine.
 */
#ifndef ESSIM_ANALYSIS_FINDINGS_H
#define ESSIM_ANALYSIS_FINDINGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

enum fd_kind {
	FD_DEADLOCK,		/* "deadlock" */
	FD_POTENTIAL_CYCLE,	/* "potential_cycle" */
	FD_THREAD_EXPLOSION,	/* "thread_explosion" */
	FD_DEADLINE,		/* "deadline_overrun" */
	FD_ORDER,		/* "ordering_violation" */
	FD_NKINDS
};

/* One step of a chain. */
struct fd_row {
	char		*who;		/* "syspolicyd worker 2" */
	char		*what;		/* "waits for the verdict of ..." */
	int64_t		 t;		/* first seen (ns), -1 when not known */
	uint64_t	 count;		/* times seen; 0 when not counted */
};

struct finding {
	enum fd_kind	 kind;
	int64_t		 t;		/* found: closed, crossed, first miss */
	int64_t		 t_end;		/* deadlock: when it ended; -1 still */
	int		 process;	/* model id, -1 none */
	int		 client;	/* model id, -1 none */
	uint64_t	 count;		/* kind-specific, see docs/findings.md */
	int64_t		 value;		/* kind-specific */
	char		*summary;	/* one line */
	char		*chain;		/* "a → b → a", or NULL */
	char		*ended;		/* how a deadlock ended, or NULL */
	char		*scenario;	/* "\n"-ended lines, or NULL */
	struct fd_row	*rows;
	size_t		 nrows, arows;
	size_t		 seq;		/* insertion order */
};

struct fd_list {
	struct finding	**v;
	size_t		  n, alloc;
};

#define FD_LIST_INIT	{ NULL, 0, 0 }

void	fd_list_release(struct fd_list *l);

/* A new finding of kind k found at t, appended to l; fields zeroed but
 * t_end, process and client (-1). */
struct finding *fd_add(struct fd_list *l, enum fd_kind k, int64_t t);

/* Set (replace) the strings; printf formats. */
void	fd_summary(struct finding *f, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
void	fd_set_chain(struct finding *f, const char *chain);
void	fd_set_ended(struct finding *f, const char *ended);
void	fd_set_scenario(struct finding *f, const char *scenario);
void	fd_row(struct finding *f, const char *who, const char *what,
	    int64_t t, uint64_t count);

/* Sort by (t, kind, insertion). */
void	fd_sort(struct fd_list *l);

/* Findings of kind k (any kind when k == FD_NKINDS). */
size_t	fd_count(const struct fd_list *l, enum fd_kind k);

const char *fd_kind_name(enum fd_kind k);

/*
 * For people: per finding "  T  KIND  SUMMARY", then the chain, how it
 * ended and the scenario, indented.  Nothing when the list is empty.
 */
void	fd_print(const struct fd_list *l, FILE *f);

/*
 * As a JSON array of {"kind", "t", "t_end", "process", "client",
 * "count", "value", "summary", "chain", "ended", "scenario", "rows":
 * [{"who", "what", "t", "count"}]} (absent strings are null; times in
 * ns).  New reference.
 */
json_t	*fd_json(const struct fd_list *l);

#endif /* ESSIM_ANALYSIS_FINDINGS_H */
