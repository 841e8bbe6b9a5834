/*
 * synth-int.h - what synth-spec.c (parsing), synth.c (generation) and
 * synth-out.c (eslogger JSON) share.  Not for use outside sim/trace.
 */
#ifndef ESSIM_TRACE_SYNTH_INT_H
#define ESSIM_TRACE_SYNTH_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/dist.h"
#include "core/err.h"
#include "core/evtype.h"
#include "core/rng.h"
#include "trace/synth.h"

#define SY_MAX_THREADS		64
#define SY_MAX_PROCESSES	1000000
#define SY_DEFAULT_MAXPROC	100000
#define SY_PATH_MAX		1024

enum sy_path_kind { SY_PATH_NONE, SY_PATH_LITERAL, SY_PATH_CHOICE,
	SY_PATH_ZIPF, SY_PATH_SEQ };

/*
 * A path distribution.  SEQ walks prefix + k + suffix for k = first,
 * first + 1, ... first + n - 1 and wraps; its position is kept by the
 * generator (one per rule, shared by every instance of the template), so
 * that several workers split one walk between them.
 */
struct sy_path {
	enum sy_path_kind kind;
	char		*literal;
	char		**paths;	/* CHOICE */
	double		*cum;		/* cumulative, last is 1 */
	size_t		 n;		/* CHOICE entries */
	char		*prefix, *suffix; /* ZIPF, SEQ */
	uint64_t	 count;		/* ranks 1..count / walk length */
	uint64_t	 first;		/* SEQ */
	double		 s;		/* ZIPF exponent */
};

/* When a rule fires: Poisson at a rate, or a constant interval. */
struct sy_arrival {
	int		 poisson;
	double		 mean;		/* ns between arrivals */
	int64_t		 start;		/* from the instance's start */
	int64_t		 stop;		/* -1: none */
	int		 has_burst;
	int64_t		 on, off;
	double		 factor;
};

struct sy_rule {			/* one entry of "events" */
	const struct evtype *type;	/* NOTIFY */
	struct sy_arrival arr;
	struct sy_path	 path, target;
	int		 has_close;	/* open: a close follows */
	struct dist	 close_after;
	size_t		 seq_slot;	/* SEQ position of path */
	size_t		 seq_slot2;	/* ...and of target */
};

struct sy_tmpl;

enum sy_spawn_kind { SY_SPAWN_ONE, SY_SPAWN_CHOICE, SY_SPAWN_EACH };

struct sy_spawn {			/* one entry of "spawn" */
	enum sy_spawn_kind kind;
	struct sy_tmpl	**list;
	double		*cum;		/* CHOICE */
	size_t		 n;
	struct sy_arrival arr;
	int64_t		 max;		/* -1: no cap (EACH: n) */
	struct dist	 exec_delay;
};

struct sy_tmpl {
	int		 index;
	char		*name;
	char		*path;
	char		*signing_id;	/* NULL: null */
	char		*team_id;	/* NULL: null */
	int		 platform;
	int		 es_client;
	uint32_t	 uid, gid;
	int		 threads;
	int		 has_lifetime;
	struct dist	 lifetime;
	struct sy_rule	*rules;
	size_t		 nrules;
	struct sy_spawn	*spawns;
	size_t		 nspawns;
};

struct synth {
	char		*file;
	int64_t		 duration;
	uint64_t	 seed;
	int64_t		 wall0;		/* "start": ns since the epoch */
	int		 version;	/* message version written */
	size_t		 max_processes;
	struct sy_tmpl	*tmpls;
	size_t		 ntmpls;
	struct sy_tmpl	**roots;
	size_t		 nroots;
	size_t		 nseq;		/* SEQ path slots */
};

/* Draw a path of p into buf (SY_PATH_MAX bytes); *seqpos for SEQ. */
const char *sy__path_draw(const struct sy_path *p, struct rng *r,
	    uint64_t *seqpos, char *buf);

/* Zipf rank in [1, n] with exponent s > 0 (rejection-inversion). */

/* Next arrival strictly after t of a (instance started at t0). */
int64_t	sy__next_arrival(const struct sy_arrival *a, struct rng *r,
	    int64_t t0, int64_t t);

/* ---- spec parsing (synth-spec.c, synth-val.c, synth-rules.c) ------------ */

/* The parser's state: where it is (a JSON pointer) and what went wrong. */
struct sy_parse {
	struct synth	*s;
	struct diag	*d;
	const char	*file;
	const char	*dir;
	char		 ptr[ERR_PTR_MAX];
	int		 nerr;
};

/*
 * Report a problem at the current pointer (c->ptr); every problem is kept
 * (struct diag), and c->nerr counts them.
 */
void	sy__bad(struct sy_parse *c, const char *fmt, ...) ESSIM_PRINTF(2, 3);
void	sy__bad_err(struct sy_parse *c, const struct err *e);
/* Descend into key / index; sy__pop(c, mark) climbs back. */
size_t	sy__push(struct sy_parse *c, const char *key);
size_t	sy__push_i(struct sy_parse *c, size_t i);
void	sy__pop(struct sy_parse *c, size_t mark);
/* "an object", "a string", ... for messages. */
const char *sy__jtype(const json_t *v);
/* Unknown keys of obj are errors; -1 (reported) if obj is no object. */
int	sy__keys(struct sy_parse *c, const json_t *obj,
	    const char *const *allowed);
/*
 * obj[key] read and checked: 1 found (*out set), 0 absent, -1 wrong
 * (reported at obj's pointer plus key).
 */
int	sy__get_str(struct sy_parse *c, const json_t *obj, const char *key,
	    const char **out, int nonempty);
int	sy__get_bool(struct sy_parse *c, const json_t *obj, const char *key,
	    int *out);
int	sy__get_int(struct sy_parse *c, const json_t *obj, const char *key,
	    json_int_t min, json_int_t max, json_int_t *out);
int	sy__get_positive(struct sy_parse *c, const json_t *obj,
	    const char *key, double *out);
int	sy__get_dur(struct sy_parse *c, const json_t *obj, const char *key,
	    int64_t *out);
int	sy__get_dist(struct sy_parse *c, const json_t *obj, const char *key,
	    struct dist *d);
/* The template named by v (a string), or NULL (reported). */
struct sy_tmpl *sy__tmpl_ref(struct sy_parse *c, const json_t *v);
/* One entry of "events" / "spawn". */
void	sy__read_rule(struct sy_parse *c, struct sy_rule *r, const json_t *obj);
void	sy__read_spawn(struct sy_parse *c, struct sy_spawn *sp,
	    const json_t *obj);

/* ---- output (synth-out.c) ----------------------------------------------- */

/* A growable line buffer. */
struct sy_buf {
	char		*s;
	size_t		 n, alloc;
};

/* One process image as eslogger describes it. */
struct sy_image {
	const struct sy_tmpl *tm;
	int32_t		 pid, pidversion, ppid;
	int32_t		 ppidversion;	/* parent's, for parent_audit_token */
	int64_t		 start;		/* wall ns of its start */
};

struct sy_out {
	struct sy_buf	 b;
	int		 version;
	int64_t		 wall0;
	uint64_t	 gseq;
	uint64_t	 seq[EVSET_BITS];
	char		 ftime[48];	/* file times: the day before */
};

void	sy__out_init(struct sy_out *o, int version, int64_t wall0);
void	sy__out_release(struct sy_out *o);

/*
 * Format one event into o->b (one line, '\n' ended): type, time t (ns
 * from the start), acting image, thread id, and the body's inputs (path,
 * path2 for the file events; other: fork child / exec target image; stat
 * for exit).
 */
void	sy__out_event(struct sy_out *o, const struct evtype *type, int64_t t,
	    const struct sy_image *act, uint64_t tid, const char *path,
	    const char *path2, const struct sy_image *other, int stat);

/* Whether key names an event type the generator can write in "events". */
int	sy__out_supported(const char *eslogger_key);
/* The supported keys, space separated, for messages. */
const char *sy__out_supported_list(void);

#endif /* ESSIM_TRACE_SYNTH_INT_H */
