/*
 * model-names.c - the names programs and rules resolve against while a
 * model loads: processes (declared, or created with default attributes
 * the first time something names them), the locks of each process and
 * the flags of the model.
 *
 * Lock arrays are per process and only complete once every program is
 * read, so lock actions are recorded as (action, process, index) and
 * pointed at their struct m_lock by mload__finish(), when the arrays
 * stop growing.  Flags and processes are allocated one by one in the
 * arena, so pointers to them are stable from the start.  Lookups are
 * linear: a model names tens of processes, not thousands.
 *
 * Default attributes of a process nobody declares, and of declared ones
 * that do not say (docs/model-format.md, "Processes"):
 *     plain   /usr/local/bin/NAME, signing id NAME
 *     client  /Library/SystemExtensions/NAME.systemextension/Contents/
 *             MacOS/NAME, signing id NAME
 *     daemon  /usr/libexec/NAME, signing id com.apple.NAME, platform
 */
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "model/model-names.h"

struct m_process *
mload__find_process(struct mload *ld, const char *name)
{
	struct model *m = ld->m;

	for (size_t i = 0; i < m->nprocs; i++)
		if (strcmp(m->procs[i]->name, name) == 0)
			return m->procs[i];
	return NULL;
}

const char *
mload__default_path(struct mload *ld, enum m_proc_kind k, const char *name)
{
	/* By enum m_proc_kind; "%.0s" swallows the unused second name. */
	static const char *const fmt[] = {
		"/usr/local/bin/%s%.0s",
		"/Library/SystemExtensions/%s.systemextension/Contents/MacOS/%s",
		"/usr/libexec/%s%.0s"
	};
	char *s = xasprintf(fmt[k], name, name);
	const char *r = arena_strdup(ld->a, s);

	free(s);
	return r;
}

struct m_process *
mload__new_process(struct mload *ld, const char *name)
{
	struct model *m = ld->m;
	struct m_process *p = mload__alloc(ld, sizeof(*p));

	p->id = (int)m->nprocs;
	p->name = arena_strdup(ld->a, name);
	p->kind = M_PROC_PLAIN;
	p->path = mload__default_path(ld, M_PROC_PLAIN, name);
	p->signing_id = p->name;
	p->threads = 1;
	XGROW(m->procs, m->nprocs + 1, ld->procs_alloc);
	m->procs[m->nprocs++] = p;
	XGROW(ld->locks, m->nprocs, ld->locks_alloc);
	memset(&ld->locks[p->id], 0, sizeof(ld->locks[0]));
	return p;
}

struct m_process *
mload__process_ref(struct mload *ld, const char *name)
{
	struct m_process *p = mload__find_process(ld, name);

	return p != NULL ? p : mload__new_process(ld, name);
}

void
mload__lock_ref(struct mload *ld, struct m_process *proc,
    struct m_action *act, const char *name)
{
	struct mload_locks *l = &ld->locks[proc->id];
	struct mload_lockref *r;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->names[i], name) == 0)
			break;
	if (i == l->n) {
		XGROW(l->names, l->n + 1, l->alloc);
		l->names[l->n++] = arena_strdup(ld->a, name);
	}
	XGROW(ld->lockrefs, ld->nlockrefs + 1, ld->lockrefs_alloc);
	r = &ld->lockrefs[ld->nlockrefs++];
	r->act = act;
	r->proc = proc;
	r->idx = (int)i;
}

const struct m_flag *
mload__flag(struct mload *ld, const char *name)
{
	struct model *m = ld->m;
	struct m_flag *f;

	for (size_t i = 0; i < m->nflags; i++)
		if (strcmp(m->flags[i]->name, name) == 0)
			return m->flags[i];
	f = mload__alloc(ld, sizeof(*f));
	f->id = (int)m->nflags;
	f->name = arena_strdup(ld->a, name);
	XGROW(m->flags, m->nflags + 1, ld->flags_alloc);
	m->flags[m->nflags++] = f;
	return f;
}

void
mload__finish(struct mload *ld)
{
	struct model *m = ld->m;

	for (size_t i = 0; i < m->nprocs && ld->locks != NULL; i++) {
		struct mload_locks *l = &ld->locks[i];
		struct m_process *p = m->procs[i];
		p->nlocks = l->n;
		p->locks = mload__calloc(ld, l->n, sizeof(*p->locks));
		for (size_t j = 0; j < l->n; j++) {
			p->locks[j].id = (int)j;
			p->locks[j].name = l->names[j];
		}
		free(l->names);
	}
	for (size_t i = 0; i < ld->nlockrefs; i++) {
		struct mload_lockref *r = &ld->lockrefs[i];
		r->act->u.lock = &r->proc->locks[r->idx];
	}
	free(ld->locks);
	free(ld->lockrefs);
	ld->locks = NULL;
	ld->lockrefs = NULL;
	ld->nlockrefs = 0;
}
