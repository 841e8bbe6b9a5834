/*
 * timeline-json.h - the writer under timeline.c: Chrome trace-event JSON
 * records, one per line, straight to a file.
 *
 * Private to sim/out/timeline*.c (the tl__ prefix).  Times are virtual
 * nanoseconds, written as microseconds with three decimals.  Strings are
 * escaped for JSON, and bytes that are not UTF-8 become U+FFFD, so the
 * file parses whatever paths a trace carried.  The writer counts the
 * records that open something (slices, instants, flows, counters) against
 * a cap; tl__room() says whether one more fits, and ends (E) and
 * metadata are always written so that what was opened is closed.
 */
#ifndef ESSIM_OUT_TIMELINE_JSON_H
#define ESSIM_OUT_TIMELINE_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

struct tl_out {
	FILE		*f;
	char		*path;
	uint64_t	 written;	/* every record */
	uint64_t	 counted;	/* records against max */
	uint64_t	 max;		/* 0: no cap */
	int		 truncated;	/* the cap refused a record */
	int		 first;		/* no record yet */
};

/* Create path and write the header.  Returns 0 or -1 with e set. */
int	tl__open(struct tl_out *o, const char *path, uint64_t max,
	    struct err *e);

/* Whether n more counted records fit; counts them when they do. */
int	tl__room(struct tl_out *o, unsigned n);

/* JSON-escape s (NULL: "") into buf with its quotes; returns buf. */
char	*tl__esc(const char *s, char *buf, size_t n);

/* "M" metadata: what is "process_name" or "thread_name". */
void	tl__meta(struct tl_out *o, const char *what, int pid, int64_t tid,
	    const char *name);
void	tl__sort(struct tl_out *o, const char *what, int pid, int64_t tid,
	    int64_t index);

/* B and E; args is a JSON object's text or NULL. */
void	tl__begin(struct tl_out *o, int pid, int64_t tid, int64_t ts,
	    const char *cat, const char *name, const char *args);
void	tl__end(struct tl_out *o, int pid, int64_t tid, int64_t ts,
	    const char *args);

/* An instant; scope 't' (thread), 'p' (process) or 'g' (global). */
void	tl__instant(struct tl_out *o, int pid, int64_t tid, int64_t ts,
	    char scope, const char *cat, const char *name, const char *args);

/* A flow record: ph 's' (start) or 'f' (finish, bound to the enclosing
 * slice). */
void	tl__flow(struct tl_out *o, char ph, uint64_t id, int pid,
	    int64_t tid, int64_t ts, const char *name);

/* A counter sample of process pid: track name, series key, value. */
void	tl__counter(struct tl_out *o, int pid, int64_t ts, const char *name,
	    const char *key, int64_t value);

/*
 * Write the trailer (other is the text of the "otherData" object) and
 * close.  Returns 0 or -1 with e set (a write failed at any point).
 */
int	tl__close(struct tl_out *o, const char *other, struct err *e);

#endif /* ESSIM_OUT_TIMELINE_JSON_H */
