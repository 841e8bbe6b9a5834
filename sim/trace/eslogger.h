/*
 * eslogger.h - a streaming reader of macOS eslogger(1) JSON output.
 *
 * eslogger writes one JSON object per ES message.  The reader accepts JSON
 * Lines, pretty-printed objects, concatenated objects ("}{"), and gzip
 * files (by magic bytes, when built with zlib), and hands back one
 * struct esl_event per NOTIFY message.  Memory is bounded by the largest
 * single object (ESL_MAX_OBJECT by default), never by file size.
 *
 * The record type, struct esl_event, is shared by every producer of
 * recorded events: this reader, the trace store's cursor (tracedb.h) and
 * the replayer that feeds them to the simulator.  Its strings are
 * borrowed from whoever filled it and stay valid until the next call on
 * that producer.
 *
 * Framing rule: objects are found by brace matching outside strings.  A
 * '{' in column 1 while an object is still open ends that object as
 * truncated and starts the next one, so one cut-off line in a JSON Lines
 * file costs one event, not the rest of the file.  (Pretty printers
 * indent nested objects, so valid input never has one there.)
 */
#ifndef ESSIM_TRACE_ESLOGGER_H
#define ESSIM_TRACE_ESLOGGER_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/evtype.h"

#define ESL_MAX_OBJECT	(16u * 1024 * 1024)	/* default object size cap */
#define ESL_MAX_EVENT_TYPE 1000000		/* larger is an error */

/*
 * An audit token (audit_token_t val[0..7]).  eslogger writes it either as
 * an object {pid, pidversion, euid, ...} or as the 8-number array
 * [auid, euid, egid, ruid, rgid, pid, asid, pidversion]; both land here.
 * (pid, pidversion) identifies one process image: exec changes pidversion.
 */
struct esl_token {
	uint32_t	 auid, euid, egid, ruid, rgid, asid;
	int32_t		 pid, pidversion;	/* both >= 0 */
};

/* The acting process of an event, or its target (fork child, exec image). */
struct esl_process {
	struct esl_token token;
	int32_t		 ppid;		/* -1 when absent */
	int32_t		 original_ppid;	/* -1 when absent */
	const char	*exe;		/* executable.path; never NULL */
	const char	*signing_id;	/* NULL when absent or null */
	const char	*team_id;	/* NULL when absent or null */
	int		 is_es_client;	/* 0 or 1 (0 when absent) */
	int		 is_platform_binary;
};

/*
 * One recorded ES message.  Absent optional numbers are -1 (sequence
 * numbers exist from message version 2 and 4, thread from 4).
 *
 * Times: `time` is the wall clock eslogger printed (RFC 3339, ns), as ns
 * since 1970-01-01 UTC; it orders events across files and is the replay
 * clock.  `mach_time` is kept raw: it counts mach ticks (1 ns on Intel,
 * 125/3 ns on Apple silicon), and no timebase is recorded to convert it.
 *
 * Paths: `path` is the primary file of the event (open: the file; exec
 * and fork: the new image; rename: the source; lookup: source_dir joined
 * with relative_target; create: the destination), `path2` the second
 * file where there is one (rename and link destination, exec script,
 * exchangedata file2).  Either may be NULL.
 */
struct esl_event {
	int64_t		 time;		/* ns since the epoch, UTC */
	int64_t		 mach_time;	/* raw ticks, -1 when absent */
	const struct evtype *type;	/* never NULL: unknown types are skipped */
	int		 version;	/* message version, -1 when absent */
	int		 action_type;	/* 0 AUTH, 1 NOTIFY; -1 when absent */
	int64_t		 seq_num;	/* per client and event type */
	int64_t		 global_seq_num; /* per client: gaps are drops */
	int64_t		 thread_id;	/* -1 when thread is absent or null */
	struct esl_process proc;	/* the acting process */
	const char	*path;
	const char	*path2;
	int		 has_target;	/* target is filled */
	struct esl_process target;	/* fork child, exec image, signal... */
	int		 has_status;
	int		 status;	/* exit: wait(2) status */
	/* Where the event came from, for messages and citations. */
	const char	*source;	/* file name as given to the producer */
	int		 line;		/* line of the object's '{' (1-based) */
	int64_t		 id;		/* object ordinal in the file (1-based),
					   or the trace store's event id */
};

/*
 * Counters of one reader; the invariant objects == events + bad +
 * unknown holds after every call.  An "object" is anything framed at the
 * top level, well-formed or not (a garbage line counts as one).
 */
struct esl_counts {
	uint64_t	 objects;
	uint64_t	 events;	/* returned by esl_next */
	uint64_t	 bad;		/* rejected with an error */
	uint64_t	 unknown;	/* valid, but an event type essim lacks */
	uint64_t	 drops;		/* messages missing per global_seq_num */
	uint64_t	 bytes;		/* input bytes consumed (uncompressed) */
};

struct esl_opts {
	size_t		 max_object;	/* 0: ESL_MAX_OBJECT */
};

#define ESL_OPTS_INIT	{ 0 }

/* Results of esl_next(). */
enum {
	ESL_EVENT = 1,		/* *ev is filled */
	ESL_END = 0,		/* no more input */
	ESL_BAD = -1,		/* one bad object, e says why; call again */
	ESL_FATAL = -2		/* cannot go on (read error, corrupt gzip) */
};

struct esl_reader;

/*
 * Open a trace file (gzip detected by its magic bytes).  o may be NULL.
 * Returns NULL and fills e when the file cannot be opened, or is gzip and
 * essim was built without zlib.  The reader keeps a copy of path, which
 * is also the name in messages.
 */
struct esl_reader *esl_open(const char *path, const struct esl_opts *o,
	    struct err *e);

/*
 * Read from memory (tests, fuzzers).  buf is borrowed and must outlive
 * the reader; name is used in messages.  Gzip is not detected here.
 */
struct esl_reader *esl_open_mem(const char *name, const void *buf,
	    size_t len, const struct esl_opts *o);

/*
 * The next event.  Returns ESL_EVENT with *ev filled (strings borrowed
 * until the next call or esl_close), ESL_END, ESL_BAD with e filled as
 * "file:line[:col]: text" (the reader has moved past the bad object, so
 * a caller that skips bad input just calls again), or ESL_FATAL with e
 * filled (the input cannot be read further - a read error, corrupt or
 * truncated gzip data; an object it cut short counts as bad; later
 * calls return ESL_END).  Objects of unknown event types are counted and
 * passed over silently.
 * Cost: O(object size).
 */
int	esl_next(struct esl_reader *r, struct esl_event *ev, struct err *e);

/* The counters so far. */
const struct esl_counts *esl_counts(const struct esl_reader *r);

/* The name messages use (the path given to esl_open). */
const char *esl_name(const struct esl_reader *r);

void	esl_close(struct esl_reader *r);

/*
 * The SHA-256 of the file's content (decompressed when it is gzip) and
 * its length in bytes, in one streaming pass.  Returns 0; -1 with e
 * filled when the file cannot be opened; -2 with e filled when reading
 * failed part-way (corrupt gzip data), sha and size then covering the
 * bytes that could be read; -3 when intr_pending() (core/intr.h), polled
 * between chunks, stopped it (sha and size unset).
 */
int	esl_digest(const char *path, uint8_t sha[32], uint64_t *size,
	    struct err *e);

/*
 * Parse an RFC 3339 time as eslogger writes it,
 * "2023-05-07T13:10:13.705540415Z" (fraction optional, up to 9 digits; "Z"
 * or a "+hh:mm" offset), into ns since 1970-01-01 UTC.  Years 1970..2262
 * (int64 ns).  Returns 0, or -1 with a reason in e (no location).
 */
int	esl_parse_time(const char *s, int64_t *ns, struct err *e);

/*
 * The inverse: ns since the epoch (>= 0) as "YYYY-MM-DDThh:mm:ss.fffffffffZ"
 * into buf (ESL_TIME_LEN bytes).  Returns buf.
 */
#define ESL_TIME_LEN	48
char	*esl_format_time(int64_t ns, char buf[ESL_TIME_LEN]);

#endif /* ESSIM_TRACE_ESLOGGER_H */
