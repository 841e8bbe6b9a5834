/*
 * deadline.h - AUTH deadlines and latencies, per client and event type.
 *
 * Per (client, event type): messages delivered, deadline misses, kills
 * that followed a miss of that type, the response time of every answer
 * and its headroom (the client's deadline for the type minus the response
 * time: how close it came, even when nothing was missed; its minimum
 * exactly, its quantiles from the response times), as histograms
 * (analysis/hist.h: p50/p90/p99/p99.9/max within 0.4%, exact counts).
 * Per client: response times of all types, the delivery-queue wait of
 * every message (handler start - enqueue), misses, kills, restarts.  Per
 * event type: syscall latency (the syscall to its completion, the verdict
 * for AUTH).  One DEADLINE overrun finding per (client, type) that missed.
 *
 * The deadline of a (client, type) is the model's: es.deadline capped by
 * the client's deadline_max, as the world applies it.
 */
#ifndef ESSIM_ANALYSIS_DEADLINE_H
#define ESSIM_ANALYSIS_DEADLINE_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "analysis/findings.h"
#include "analysis/hist.h"
#include "es/probe.h"
#include "model/model.h"

struct dl;
struct stats;

/*
 * For model m; probes come through dl_probe() (DEADLINE_MISS,
 * CLIENT_KILL, CLIENT_START) and its parts below.  st is the run counters
 * on the same probe bus, whose response and syscall histograms this
 * module reads instead of keeping its own (analysis/stats.h); m and st
 * must outlive it.
 */
struct dl	*dl_new(const struct model *m, const struct stats *st);
void		 dl_free(struct dl *d);
void		 dl_probe(struct dl *d, const struct probe_ev *ev);
/* The parts for MSG_ENQUEUE and MSG_HANDLER_START. */
void		 dl_enqueue(struct dl *d, const struct probe_ev *ev);
void		 dl_handler_start(struct dl *d, const struct probe_ev *ev);
/* The probe kinds it wants, dl_probe() and its parts together. */
uint64_t	 dl_mask(void);

/* Append one finding per (client, type) with misses to out.  Once, after
 * the run. */
void		 dl_finish(struct dl *d, struct fd_list *out);

/* Per (client, type value); NULL histograms when none were recorded (the
 * histograms are the run counters'). */
uint64_t	 dl_messages(const struct dl *d, int client, int type);
uint64_t	 dl_type_misses(const struct dl *d, int client, int type);
uint64_t	 dl_type_kills(const struct dl *d, int client, int type);
/* Smallest headroom of an answer, -1 when nothing was answered. */
int64_t		 dl_min_headroom(const struct dl *d, int client, int type);
/*
 * The q-quantile of headroom: the deadline minus the (1 - q)-quantile of
 * the response times (within hist.h's 0.4% of the response time); -1
 * when nothing was answered.
 */
int64_t		 dl_headroom_quantile(const struct dl *d, int client, int type,
		    double q);
const struct hist *dl_response(const struct dl *d, int client, int type);
/* The deadline in force for (client, type), ns. */
int64_t		 dl_deadline(const struct dl *d, int client, int type);

/* Per client, all types. */
uint64_t	 dl_misses(const struct dl *d, int client);
uint64_t	 dl_kills(const struct dl *d, int client);
uint64_t	 dl_restarts(const struct dl *d, int client);
/* Smallest headroom over all types, -1 when nothing was answered. */
int64_t		 dl_client_min_headroom(const struct dl *d, int client);
/* Response times over all types, and delivery-queue waits; NULL when
 * none. */
const struct hist *dl_client_response(const struct dl *d, int client);
const struct hist *dl_queue_wait(const struct dl *d, int client);

/* Per event type value: syscall latency; NULL when none. */
const struct hist *dl_syscall(const struct dl *d, int type);

/* The tables for people ("deadlines" and "latency"). */
void		 dl_print(const struct dl *d, FILE *f);
/*
 * {"clients": {NAME: {"misses", "kills", "restarts", "response",
 * "queue_wait", "types": {TYPE: {"deadline", "messages", "misses", "kills",
 * "min_headroom", "response", "headroom_p1"}}}}, "syscalls": {TYPE: LAT}}
 * where each latency is {"count", "p50", "p90", "p99", "p99.9", "max"} in
 * ns.  New reference.
 */
json_t		*dl_json(const struct dl *d);

#endif /* ESSIM_ANALYSIS_DEADLINE_H */
