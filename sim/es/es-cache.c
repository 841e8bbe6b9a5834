/*
 * es-cache.c - the AUTH result cache, shared by all clients.
 *
 * Facts relied on (reference/es.md §2.6, §2.4, §2.5):
 *   - one global cache stores the combined AUTH responses of all clients;
 *     a hit produces no AUTH message (the NOTIFY twin still goes out);
 *   - the key is the involved files: exec (process exe, target exe), open
 *     (process exe, file), mmap, mount, getextattr ... (process exe,
 *     target); modifications of those files invalidate the entry;
 *   - unlink, rename, create and the other types of the "not cacheable"
 *     list are never cached (the cache argument is ignored);
 *   - AUTH_OPEN caches the authorised flags: a later open is answered by
 *     the cache only if the flags it asks for are a subset;
 *   - creating a client clears the whole cache; entries may expire at any
 *     time.
 * Here the key is (type, acting exe path, event path, version of that
 * path) hashed with 64-bit FNV-1a; collisions between two different keys
 * have probability about n^2 / 2^65 and are ignored.  A modification of a
 * path bumps the version of the path's slot in a fixed table of counters,
 * which orphans every entry keyed on it; two paths that share a slot
 * invalidate each other, which only costs extra misses.  The table holds
 * ESK_CACHE_SLOTS entries; when half full it is cleared (an expiry), so
 * memory is fixed.  An entry is stored only when every client that got
 * the message answered it with cache set (a dropped or missed answer is
 * never cached, as in the WWDC summary "missed deadline = implicit ALLOW,
 * no cache").
 */
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/xalloc.h"
#include "es/wint.h"

#define ESK_CACHE_SLOTS		(1u << 16)
#define ESK_VERSION_SLOTS	(1u << 16)

static const char *const cacheable_types[] = {
	"AUTH_EXEC", "AUTH_OPEN", "AUTH_MMAP", "AUTH_MOUNT", "AUTH_GETEXTATTR",
	"AUTH_LISTEXTATTR", "AUTH_SETMODE", "AUTH_SETFLAGS", "AUTH_SETOWNER",
	"AUTH_GETATTRLIST", "AUTH_UTIMES", "AUTH_FSGETPATH", "AUTH_SEARCHFS",
	"AUTH_CHDIR", "AUTH_CHROOT", "AUTH_READDIR", "AUTH_UIPC_CONNECT",
	"AUTH_GET_TASK", "AUTH_GET_TASK_READ", "AUTH_PROC_CHECK",
};

/* eslogger keys of the types that modify their file(s). */
static const char *const modifying_keys[] = {
	"unlink", "rename", "truncate", "write", "create", "setmode",
	"setowner", "setflags", "setextattr", "deleteextattr", "setacl",
	"utimes", "setattrlist", "exchangedata", "link", "clone", "copyfile",
};

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

#define FNV_BASIS	UINT64_C(0xcbf29ce484222325)

void
esk_cache_init(struct world *w)
{
	struct esk_cache *c = &w->cache;
	size_t i;

	for (i = 0; i < sizeof(cacheable_types) / sizeof(cacheable_types[0]);
	    i++)
		evset_add(&w->cacheable,
		    evtype_by_name(cacheable_types[i])->value);
	for (i = 0; i < sizeof(modifying_keys) / sizeof(modifying_keys[0]);
	    i++) {
		const struct evtype *t;

		if ((t = evtype_by_eslogger(modifying_keys[i],
		    EVTYPE_NOTIFY)) != NULL)
			evset_add(&w->modifying, t->value);
		if ((t = evtype_by_eslogger(modifying_keys[i],
		    EVTYPE_AUTH)) != NULL)
			evset_add(&w->modifying, t->value);
	}
	c->cap = ESK_CACHE_SLOTS;
	c->keys = xcalloc(c->cap, sizeof(*c->keys));
	c->vals = xcalloc(c->cap, sizeof(*c->vals));
	c->allow = xcalloc(c->cap, sizeof(*c->allow));
	c->nversion = ESK_VERSION_SLOTS;
	c->version = xcalloc(c->nversion, sizeof(*c->version));
}

void
esk_cache_release(struct esk_cache *c)
{
	free(c->keys);
	free(c->vals);
	free(c->allow);
	free(c->version);
	memset(c, 0, sizeof(*c));
}

void
esk_cache_clear(struct esk_cache *c)
{
	if (c->n > 0)
		memset(c->keys, 0, c->cap * sizeof(*c->keys));
	c->n = 0;
	c->clears++;
}

static uint32_t *
version_of(struct esk_cache *c, const struct w_path *p)
{
	uint64_t h = fnv(FNV_BASIS, p->s, p->len);

	return &c->version[h & (c->nversion - 1)];
}

static uint64_t
key_of(struct world *w, const struct esk_event *ev)
{
	const char *exe = ev->proc->m->path;
	int v = ev->type->value;
	uint32_t ver = 0;
	uint64_t h = FNV_BASIS;

	h = fnv(h, &v, sizeof(v));
	if (exe != NULL)
		h = fnv(h, exe, strlen(exe) + 1);
	if (ev->path.s != NULL) {
		h = fnv(h, ev->path.s, ev->path.len + 1);
		ver = *version_of(&w->cache, &ev->path);
	}
	h = fnv(h, &ver, sizeof(ver));
	return h == 0 ? 1 : h;
}

static size_t
slot_of(const struct esk_cache *c, uint64_t key)
{
	size_t i = (size_t)(key ^ (key >> 29)) & (c->cap - 1);

	while (c->keys[i] != 0 && c->keys[i] != key)
		i = (i + 1) & (c->cap - 1);
	return i;
}

int
esk_cache_lookup(struct world *w, const struct esk_event *ev, int *allow)
{
	struct esk_cache *c = &w->cache;
	size_t i;

	if (c->n == 0)
		return 0;
	i = slot_of(c, key_of(w, ev));
	if (c->keys[i] == 0)
		return 0;
	if (ev->type == w->t_auth_open) {
		if ((c->vals[i] & ESK_OPEN_FFLAGS) != ESK_OPEN_FFLAGS)
			return 0;
		*allow = 1;
	} else {
		*allow = c->allow[i];
	}
	c->hits++;
	return 1;
}

void
esk_cache_store(struct world *w, const struct esk_event *ev, int allow,
    uint32_t flags)
{
	struct esk_cache *c = &w->cache;
	uint64_t key = key_of(w, ev);
	size_t i;

	if (c->n + 1 > c->cap / 2)
		esk_cache_clear(c);
	i = slot_of(c, key);
	if (c->keys[i] == 0)
		c->n++;
	c->keys[i] = key;
	c->vals[i] = flags;
	c->allow[i] = (uint8_t)allow;
}

void
esk_cache_invalidate(struct world *w, const struct esk_event *ev)
{
	if (ev->path.s != NULL)
		(*version_of(&w->cache, &ev->path))++;
	if (ev->target.s != NULL)
		(*version_of(&w->cache, &ev->target))++;
}
