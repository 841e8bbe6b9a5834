/*
 * probe.c - the probe bus; see probe.h.
 *
 * Nothing here knows about ES or GCD: the bus is a list of callbacks per
 * probe kind and a mask.  Emission is a loop over the kind's callbacks,
 * done only when probe_on() said someone listens, so the world pays one
 * branch per probe site when nobody does.
 */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "es/probe.h"

void
probe_init(struct probe_bus *b)
{
	memset(b, 0, sizeof(*b));
}

void
probe_listen_kind(struct probe_bus *b, enum probe_kind k, probe_fn *fn,
    void *arg)
{
	if ((unsigned)k >= PROBE__COUNT)
		BUG("probe kind %d", (int)k);
	if (b->n[k] >= PROBE_MAX_LISTENERS)
		BUG("more than %d listeners of probe %s", PROBE_MAX_LISTENERS,
		    probe_kind_name(k));
	b->h[k][b->n[k]].fn = fn;
	b->h[k][b->n[k]].arg = arg;
	b->n[k]++;
	b->mask |= PROBE_BIT(k);
}

void
probe_listen(struct probe_bus *b, uint64_t mask, probe_fn *fn, void *arg)
{
	for (int k = 0; k < PROBE__COUNT; k++)
		if (mask & PROBE_BIT(k))
			probe_listen_kind(b, (enum probe_kind)k, fn, arg);
}

void
probe_set_namer(struct probe_bus *b, probe_namer_fn *fn, void *arg)
{
	b->namer = fn;
	b->namer_arg = arg;
}

const char *
probe_name(const struct probe_bus *b, const struct probe_ref *r, char *buf,
    size_t n)
{
	if (n == 0)
		return buf;
	if (b->namer == NULL || r->kind == PROBE_OBJ_NONE || r->p == NULL) {
		snprintf(buf, n, "%s", r->kind == PROBE_OBJ_NONE ? "-" : "?");
		return buf;
	}
	return b->namer(b->namer_arg, r, buf, n);
}

void
probe_set_held(struct probe_bus *b, probe_held_fn *fn, void *arg)
{
	b->held = fn;
	b->held_arg = arg;
}

size_t
probe_held(const struct probe_bus *b, const struct probe_ref *r,
    struct probe_ref *out, size_t n)
{
	if (b->held == NULL || r->kind != PROBE_OBJ_THREAD || r->p == NULL)
		return 0;
	return b->held(b->held_arg, r, out, n);
}

void
probe_set_handling(struct probe_bus *b, probe_handling_fn *fn, void *arg)
{
	b->handling = fn;
	b->handling_arg = arg;
}

uint64_t
probe_handling(const struct probe_bus *b, const struct probe_ref *r,
    struct probe_ref *msg)
{
	if (b->handling == NULL || r->kind != PROBE_OBJ_THREAD || r->p == NULL)
		return 0;
	return b->handling(b->handling_arg, r, msg);
}

static const char *const kind_names[PROBE__COUNT] = {
	[PROBE_THREAD_SPAWN] = "THREAD_SPAWN",
	[PROBE_THREAD_EXIT] = "THREAD_EXIT",
	[PROBE_THREAD_PARK] = "THREAD_PARK",
	[PROBE_THREAD_BIND] = "THREAD_BIND",
	[PROBE_WAIT] = "WAIT",
	[PROBE_WAKE] = "WAKE",
	[PROBE_QUEUE_PUSH] = "QUEUE_PUSH",
	[PROBE_QUEUE_POP] = "QUEUE_POP",
	[PROBE_QUEUE_ACQUIRE] = "QUEUE_ACQUIRE",
	[PROBE_QUEUE_RELEASE] = "QUEUE_RELEASE",
	[PROBE_POOL_REQUEST] = "POOL_REQUEST",
	[PROBE_POOL_REFUSE] = "POOL_REFUSE",
	[PROBE_POOL_TIMER] = "POOL_TIMER",
	[PROBE_SYNC_CRASH] = "SYNC_CRASH",
	[PROBE_SYSCALL] = "SYSCALL",
	[PROBE_SYSCALL_DONE] = "SYSCALL_DONE",
	[PROBE_CACHE_HIT] = "CACHE_HIT",
	[PROBE_EARLY_BOOT_HOLD] = "EARLY_BOOT_HOLD",
	[PROBE_EARLY_BOOT_RELEASE] = "EARLY_BOOT_RELEASE",
	[PROBE_MSG_ENQUEUE] = "MSG_ENQUEUE",
	[PROBE_MSG_HANDLER_START] = "MSG_HANDLER_START",
	[PROBE_MSG_HANDLER_END] = "MSG_HANDLER_END",
	[PROBE_MSG_RETAIN] = "MSG_RETAIN",
	[PROBE_MSG_RESPOND] = "MSG_RESPOND",
	[PROBE_MSG_DROP] = "MSG_DROP",
	[PROBE_VERDICT] = "VERDICT",
	[PROBE_DEADLINE_MISS] = "DEADLINE_MISS",
	[PROBE_CLIENT_KILL] = "CLIENT_KILL",
	[PROBE_CLIENT_START] = "CLIENT_START",
	[PROBE_CLIENT_SUBSCRIBE] = "CLIENT_SUBSCRIBE",
	[PROBE_PROCESS_EXIT] = "PROCESS_EXIT",
	[PROBE_CALL] = "CALL",
	[PROBE_SEND] = "SEND",
	[PROBE_REQUEST_START] = "REQUEST_START",
	[PROBE_REPLY] = "REPLY",
	[PROBE_LOCK] = "LOCK",
	[PROBE_UNLOCK] = "UNLOCK",
	[PROBE_FLAG_SET] = "FLAG_SET",
	[PROBE_SPIN] = "SPIN",
	[PROBE_QUEUE_FULL] = "QUEUE_FULL",
	[PROBE_RUN_END] = "RUN_END",
};

const char *
probe_kind_name(enum probe_kind k)
{
	if ((unsigned)k >= PROBE__COUNT || kind_names[k] == NULL)
		return "?";
	return kind_names[k];
}

const char *
probe_wait_name(enum probe_wait w)
{
	static const char *const names[] = {
		"none", "sleep", "cpu", "verdict", "early_boot", "call",
		"lock", "sync", "flag", "request"
	};

	if ((unsigned)w >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[w];
}
