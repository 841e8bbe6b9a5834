/*
 * model.h - the in-memory model: what a model file (DESIGN §4) says, fully
 * validated and resolved, ready to be simulated or linted.
 *
 * model_load() reads one JSON file with jansson, checks every key, type,
 * unit, name and reference, and reports every problem it finds (not just
 * the first) as "file: /json/pointer: message".  Nothing is simulated from
 * a model that did not load.  Once loaded, a model is read-only: the
 * simulator (sim/es, sim/gcd), the static linter and the analyses read
 * these structs directly, which is why they are open.
 *
 * Resolution: every name in the file is resolved at load time into a
 * pointer to the struct it names (a "call": "syspolicyd.assess" becomes
 * the m_daemon and its m_service; an event type name becomes its
 * struct evtype), so nothing downstream looks names up again.  Each
 * entity carries `id`, its index in its model array, so that the
 * simulator can keep its run-time state in parallel arrays.
 *
 * Order: entities appear in document order (jansson iterates objects in
 * insertion order), so results that list them are deterministic.
 *
 * Ownership: all of it (strings, arrays, programs, distributions) belongs
 * to the model and is released by model_free().  `json` keeps the parsed
 * document (for storing the model text with results, and for sweeps that
 * patch a value by JSON pointer and load again).
 */
#ifndef ESSIM_MODEL_MODEL_H
#define ESSIM_MODEL_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "core/evtype.h"

struct dist;		/* core/dist.h: a duration distribution */
struct m_program;
struct m_process;
struct m_daemon;
struct m_service;
struct m_queue;
struct m_client;

#define MODEL_FORMAT_VERSION	1

/*
 * Where a path comes from: a syscall's argument, a source's paths, a
 * condition's operand.
 *   literal   "/usr/lib/libSystem.B.dylib"
 *   msg       "$path" / "$target": the path (or target path) of the ES
 *             message the running program is handling (in a handler, or
 *             in anything it calls or dispatches; see m_program).  Legal
 *             in handlers and daemon services only; a service serving a
 *             request from a program with no message sees empty paths
 *   choice    {"choice": {path: weight, ...}}
 *   zipf      {"zipf": {"prefix": "/Users/u/src/f", "n": 10000, "s": 1.1,
 *              "suffix": ".c"}}: prefix + rank + suffix, rank 1..n drawn
 *              with probability proportional to 1/rank^s
 */
enum m_path_kind {
	M_PATH_NONE,
	M_PATH_LITERAL,
	M_PATH_MSG,
	M_PATH_MSG_TARGET,
	M_PATH_CHOICE,
	M_PATH_ZIPF
};

struct m_pathspec {
	enum m_path_kind kind;
	const char	*literal;	/* LITERAL */
	/* CHOICE: n paths with cumulative weights normalised to end at 1. */
	const char	**paths;
	double		*cum;
	size_t		 n;
	/* ZIPF: prefix + rank + suffix, rank in [1, zipf_n]. */
	const char	*prefix;
	const char	*suffix;
	uint64_t	 zipf_n;
	double		 zipf_s;
};

/* Conditions of "if". */
enum m_cond_kind {
	M_COND_PATH_PREFIX,	/* {"path_prefix": P}: message path starts with P */
	M_COND_PATH,		/* {"path": P}: message path equals P */
	M_COND_EVENT,		/* {"event": TYPE}: message type is TYPE */
	M_COND_PROCESS,		/* {"process": NAME}: acting process is NAME */
	M_COND_P,		/* {"p": 0.1}: true with probability p */
	M_COND_NOT,		/* {"not": COND}          (extension) */
	M_COND_ALL,		/* {"all": [COND, ...]}   (extension) */
	M_COND_ANY		/* {"any": [COND, ...]}   (extension) */
};

struct m_cond {
	enum m_cond_kind	 kind;
	const char		*str;		/* PATH_PREFIX, PATH */
	const struct evtype	*event;		/* EVENT */
	const struct m_process	*process;	/* PROCESS */
	double			 p;		/* P, in [0, 1] */
	struct m_cond		*sub;		/* NOT (1), ALL/ANY (nsub) */
	size_t			 nsub;
};

enum m_act_kind {
	M_ACT_CPU,		/* {"cpu": DUR} */
	M_ACT_SLEEP,		/* {"sleep": DUR} */
	M_ACT_SYSCALL,		/* {"open": P}, {"exec": P}, {"event": T, ...} */
	M_ACT_CALL,		/* {"call": "daemon.service"} */
	M_ACT_SEND,		/* {"send": "daemon.service"} */
	M_ACT_REPLY,		/* {"reply": true} (services only) */
	M_ACT_ASYNC,		/* {"async": "queue", "do": [...]} */
	M_ACT_SYNC,		/* {"sync": "queue", "do": [...]} */
	M_ACT_LOCK,		/* {"lock": "name"} */
	M_ACT_UNLOCK,		/* {"unlock": "name"} */
	M_ACT_RESPOND,		/* {"respond": "allow"|"deny", ...} */
	M_ACT_RETAIN,		/* {"retain": true} */
	M_ACT_SET,		/* {"set": "flag"} */
	M_ACT_WAIT_FLAG,	/* {"wait_flag": "flag"} */
	M_ACT_IF,		/* {"if": COND, "then": [...], "else": [...]} */
	M_ACT_REPEAT		/* {"repeat": N|"forever", "do": [...]} */
};

/* A program: a list of actions, run in order by one simulated thread. */
struct m_program {
	struct m_action	*acts;
	size_t		 n;
};

/* A per-model flag ("set"/"wait_flag"; "order" expectations name them). */
struct m_flag {
	int		 id;
	const char	*name;
};

/* A per-process mutex ("lock"/"unlock"). */
struct m_lock {
	int		 id;		/* index in its process's locks */
	const char	*name;
};

struct m_action {
	enum m_act_kind	 kind;
	const char	*ptr;		/* JSON pointer of this action, for messages */
	union {
		struct dist	*dur;		/* CPU, SLEEP */
		struct {			/* SYSCALL */
			/*
			 * The AUTH or NOTIFY type the syscall raises.  "open"
			 * and "exec" raise AUTH_OPEN/AUTH_EXEC, followed by
			 * their NOTIFY twins once allowed; {"event": T} raises
			 * T (and, if T is AUTH, its NOTIFY twin once allowed).
			 */
			const struct evtype	*type;
			struct m_pathspec	 path;
			struct m_pathspec	 target;	/* NONE if absent */
		} sys;
		struct {			/* CALL, SEND */
			const struct m_daemon	*daemon;
			const struct m_service	*service;
		} xpc;
		struct {			/* ASYNC, SYNC */
			const struct m_queue	*queue;
			struct m_program	 body;
		} gcd;
		const struct m_lock *lock;	/* LOCK, UNLOCK */
		struct {			/* RESPOND */
			int		 allow;		/* 1 allow, 0 deny */
			int		 cache;		/* -1: client default */
			int		 has_flags;
			uint32_t	 flags;		/* AUTH_OPEN authorised flags */
		} respond;
		const struct m_flag *flag;	/* SET, WAIT_FLAG */
		struct {			/* IF */
			struct m_cond		cond;
			struct m_program	then;
			struct m_program	els;
		} cond;
		struct {			/* REPEAT */
			int64_t			count;	/* -1 = forever */
			struct m_program	body;
		} repeat;
	} u;
};

/* GCD queue of a process (clients.NAME.queues, and the same for any process). */
enum m_queue_kind { M_QUEUE_SERIAL, M_QUEUE_CONCURRENT };

/* QoS classes, low to high; buckets as in reference/gcd.md §1.1. */
enum m_qos {
	M_QOS_BACKGROUND,	/* "background" (and "maintenance") */
	M_QOS_UTILITY,		/* "utility" */
	M_QOS_DEFAULT,		/* "default" */
	M_QOS_USER_INITIATED,	/* "user_initiated" */
	M_QOS_USER_INTERACTIVE	/* "user_interactive" */
};

struct m_queue {
	int			 id;		/* index in its process's queues */
	const char		*name;
	enum m_queue_kind	 kind;
	enum m_qos		 qos;		/* default: M_QOS_DEFAULT */
	const struct m_queue	*target;	/* "target": another queue, or NULL */
	int			 width;		/* concurrent only; default 4094 */
	int			 is_delivery;	/* the client's ES delivery queue */
};

enum m_proc_kind { M_PROC_PLAIN, M_PROC_CLIENT, M_PROC_DAEMON };

/*
 * Every process the simulation knows: clients, daemons, the processes a
 * model declares, and those that workload sources or the trace name
 * without declaring (with default attributes).
 */
struct m_process {
	int			 id;
	const char		*name;
	enum m_proc_kind	 kind;
	const struct m_client	*client;	/* CLIENT */
	const struct m_daemon	*daemon;	/* DAEMON */
	const char		*path;		/* executable; default "/usr/local/bin/NAME" for plain, see docs */
	const char		*signing_id;
	const char		*team_id;	/* NULL = none */
	int			 is_es_client;	/* true for clients */
	int			 is_platform;	/* platform binary (early boot lets these run) */
	int			 declared;	/* named in "processes"/"clients"/"daemons" */
	struct m_queue		*queues;	/* queues[0] is "delivery" for clients */
	size_t			 nqueues;
	struct m_lock		*locks;		/* every lock name its programs use */
	size_t			 nlocks;
	struct m_program	 program;	/* run once at start; n == 0: none */
	int			 threads;	/* threads running program (default 1) */
};

/* A daemon's XPC service. */
struct m_service {
	int			 id;		/* index in its daemon's services */
	const char		*name;
	const struct m_daemon	*daemon;
	struct m_program	 program;
};

struct m_daemon {
	int			 id;
	const char		*name;
	struct m_process	*proc;
	int			 workers;	/* threads serving requests; default 1 */
	struct m_service	*services;
	size_t			 nservices;
};

/* Deadline-miss behaviour, macOS 27 (es_set_deadline_miss_mode). */
enum m_miss_mode { M_MISS_KILL, M_MISS_FAIL_CLOSED, M_MISS_FAIL_OPEN };

/* One mute rule of a client (es_mute_process / es_mute_path ...). */
enum m_mute_kind {
	M_MUTE_PROCESS,		/* mute.processes: a process by name */
	M_MUTE_PATH_PREFIX,	/* mute.paths {"prefix"}: acting exe path */
	M_MUTE_PATH_LITERAL,	/* mute.paths {"literal"} (or a plain string) */
	M_MUTE_TARGET_PREFIX,	/* mute.target_paths {"prefix"} */
	M_MUTE_TARGET_LITERAL	/* mute.target_paths {"literal"} */
};

struct m_mute {
	enum m_mute_kind	 kind;
	const struct m_process	*process;	/* PROCESS */
	const char		*str;		/* the path or prefix */
	/* The event types muted; all types when all_events is set. */
	int			 all_events;
	struct evset		 events;
};

struct m_client {
	int			 id;
	const char		*name;
	struct m_process	*proc;
	struct evset		 subscribe;
	/* handler[v]: program for event type v, NULL = handler.default. */
	const struct m_program	*handler[EVSET_BITS];
	const struct m_program	*handler_default;	/* NULL if none */
	struct m_mute		*mutes;
	size_t			 nmutes;
	/* es_invert_muting per dimension. */
	int			 invert_process;
	int			 invert_path;
	int			 invert_target_path;
	int			 cache;			/* default for respond */
	int			 early_boot;
	struct m_program	 init;			/* n == 0: none */
	int64_t			 restart_delay;		/* -1: es.restart_delay */
	enum m_miss_mode	 miss_mode;
	/* Per-type cap on the deadline (es_set_deadline_max); -1 = none. */
	int64_t			 deadline_max[EVSET_BITS];
};

/* A synthetic workload source (workload.sources[i]). */
enum m_arrival { M_ARRIVAL_POISSON, M_ARRIVAL_CONSTANT };

struct m_source {
	int			 id;
	const char		*ptr;
	const struct m_process	*process;
	const struct evtype	*event;
	enum m_arrival		 arrival;	/* "rate" → poisson, "interval" → constant, unless "arrival" says */
	int64_t			 mean_interval;	/* ns between arrivals */
	struct m_pathspec	 path;
	struct m_pathspec	 target;
	int64_t			 start;		/* default 0 */
	int64_t			 stop;		/* default: model duration */
	/* Bursts (on/off): during `on` the rate is multiplied by `factor`. */
	int			 has_burst;
	int64_t			 burst_on;
	int64_t			 burst_off;
	double			 burst_factor;
	/*
	 * 0: open loop, every arrival is issued by a new thread of the
	 * process (load does not throttle itself).  N > 0: closed loop, N
	 * threads each issue the next syscall when the previous one ended,
	 * after an inter-arrival think time.
	 */
	int			 threads;
};

/* workload.trace */
enum m_trace_mode { M_TRACE_CLOSED, M_TRACE_OPEN };

struct m_trace {
	const char		*file;		/* resolved relative to the model's dir */
	enum m_trace_mode	 mode;
	double			 speed;		/* > 0; default 1 */
	struct evset		 as_auth;	/* NOTIFY types replayed as their AUTH twin */
	int			 has_filter_types;
	struct evset		 filter_types;
	const char		**filter_processes;	/* exe paths or names */
	size_t			 nfilter_processes;
	int64_t			 window_start;	/* -1: none */
	int64_t			 window_end;	/* -1: none */
};

enum m_default_mute { M_DEFMUTE_NONE, M_DEFMUTE_13_3_1, M_DEFMUTE_26 };

struct model {
	const char		*file;		/* as given to model_load */
	const char		*dir;		/* directory of file, for relative paths */
	json_t			*json;		/* the whole document (owned) */
	const char		*name;		/* default: file name without ".json" */
	const char		*about;		/* default "" */
	int64_t			 duration;	/* ns; default 60s */
	uint64_t		 seed;		/* default 1 */

	/* machine */
	int			 cores;		/* default 8 */
	int			 contention;	/* 0: cpu is a delay; 1: threads share cores */

	/* what the programs do, found at load */
	int			 has_sync;	/* some program has a "sync" */

	/* es */
	int64_t			 deadline[EVSET_BITS];	/* ns per AUTH type; default 30s; 0 for non-AUTH values */
	int64_t			 restart_delay;		/* default 5s */
	int64_t			 early_boot_timeout;	/* default 60s (unknown on macOS) */
	enum m_default_mute	 default_mute;		/* default NONE */

	/* gcd limits, from cores unless "gcd" overrides (extension) */
	int			 wq_constrained_max;	/* max(64, 5 * cores) */
	int			 wq_max_threads;	/* 512 */
	int64_t			 wq_create_latency;	/* per thread created */
	int64_t			 wq_idle_timeout;	/* 5s */

	/* "limits": guards on what a run may hold at once (0: none) */
	int			 max_threads;		/* per process; 10000 */
	int			 max_world_threads;	/* all processes; 100000 */
	int			 max_queued;		/* blocks per process; 1000000 */
	int			 max_delivery_queue;	/* per client; 0 */

	struct m_process	**procs;	/* every process, id order */
	size_t			 nprocs;
	struct m_client		**clients;
	size_t			 nclients;
	struct m_daemon		**daemons;
	size_t			 ndaemons;
	struct m_flag		**flags;
	size_t			 nflags;
	struct m_source		*sources;
	size_t			 nsources;
	struct m_trace		*trace;		/* NULL: no trace replay */

	json_t			*expect;	/* borrowed from json; NULL if none */

	/* Every distribution in the model, for model_free(). */
	struct dist		**dists;
	size_t			 ndists;

	struct arena		*arena;		/* owns the strings and arrays */
};

/*
 * Load and validate the model in file.  On success returns the model; on
 * failure returns NULL and appends every problem found to d (each entry
 * "file: /pointer: message"; a JSON syntax error is "file:line:col:
 * message").  d must be initialised.
 */
struct model	*model_load(const char *file, struct diag *d);

/*
 * The same from an in-memory document (sweeps patch a loaded document and
 * load it again).  file names the document in messages and dir is where
 * relative paths resolve.  The model takes its own reference to doc.
 */
struct model	*model_load_json(json_t *doc, const char *file,
		    const char *dir, struct diag *d);

void		 model_free(struct model *m);

/* Lookups by name, NULL if none: O(n), for the CLI and the tests. */
const struct m_process	*model_process(const struct model *m, const char *name);
const struct m_client	*model_client(const struct model *m, const char *name);
const struct m_daemon	*model_daemon(const struct model *m, const char *name);

/* Name of an enum value as the model file spells it. */
const char	*model_qos_name(enum m_qos q);
const char	*model_miss_mode_name(enum m_miss_mode mm);

#endif /* ESSIM_MODEL_MODEL_H */
