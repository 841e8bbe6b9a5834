/*
 * sweep-pool.c - forked workers fed one job at a time over pipes.
 *
 * Processes rather than threads: a simulation keeps all of its state in
 * its own structures, but SQLite connections, jansson's allocator and the
 * xalloc failure hook are simplest to reason about when nothing is shared,
 * a crash in one run cannot take the others down, and fork() and pipes
 * are plain POSIX on Linux and macOS alike.
 *
 * Each worker has two pipes: jobs go down one as 8-byte numbers, replies
 * come up the other as fixed-size messages (the job, a status, an error
 * text).  Closing a worker's job pipe tells it that there are no more; it
 * then runs fini() and sends a last message with job SPOOL_DONE.  The
 * parent poll()s the reply pipes; end of file before that last message
 * means the worker died.  Job handout is dynamic, so which worker runs a
 * job depends on timing; whatever the jobs produce must not (the sweep
 * copies its workers' runs in run order, sweep-out.h).
 *
 * A signal stops the parent's loop within one poll interval (POLL_MS),
 * even where poll() is restarted.  The workers are then sent SIGTERM
 * rather than asked to stop: a run can last long, and what a worker
 * writes must survive its being cut anywhere anyway (a sweep's parts are
 * SQLite databases in WAL mode).  The simulation loop needs no flag.
 *
 * The progress line is drawn on stderr at most ten times a second, only
 * when asked (a terminal); it is the only use of the wall clock.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/intr.h"
#include "core/xalloc.h"
#include "out/sweep-pool.h"

#define SPOOL_DONE	UINT64_MAX
#define POLL_MS		200

struct reply {
	uint64_t	 job;
	int32_t		 rc;
	char		 text[ERR_TEXT_MAX + ERR_PTR_MAX + ERR_FILE_MAX];
};

struct worker {
	pid_t		 pid;
	int		 jobfd;		/* parent writes; -1 once closed */
	int		 replyfd;	/* parent reads; -1 once finished */
	uint64_t	 held;		/* job being run; SPOOL_DONE: none */
	size_t		 got;		/* bytes of rbuf read so far */
	struct reply	 rbuf;
};

struct pool {
	const struct spool_opts	*o;
	struct worker		*w;
	unsigned		 nw;
	size_t			 next;		/* next job to hand out */
	size_t			 done;
	int			 rc;		/* first failure */
	double			 t0, tdraw;
	int			 drawn;
	int			 killed;	/* workers sent SIGTERM */
};

int
spool_signal(void)
{
	return intr_signal();
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

unsigned
spool_ncpus(void)
{
#ifdef _SC_NPROCESSORS_ONLN
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n >= 1)
		return n > 4096 ? 4096 : (unsigned)n;
#endif
	return 1;
}

static int
write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Read exactly n bytes; 0 at a clean end of file before any, -1 error. */
static int
read_all(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, p + got, n - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k == 0 && got == 0)
			return 0;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 1;
}

static void
reply_set(struct reply *r, uint64_t job, int rc, const struct err *e)
{
	memset(r, 0, sizeof(*r));
	r->job = job;
	r->rc = rc;
	if (rc != 0)
		err_format(e, r->text, sizeof(r->text));
}

/* The worker's whole life; never returns. */
static void
worker_main(const struct spool_ops *ops, void *arg, unsigned w, int jobfd,
    int replyfd)
{
	struct err e = ERR_INIT;
	struct reply r;
	void *ctx;
	uint64_t job;
	int rc = 0, k;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if ((ctx = ops->init(arg, w, &e)) == NULL)
		rc = SPOOL_EIO;
	while (rc == 0 && (k = read_all(jobfd, &job, sizeof(job))) > 0) {
		rc = ops->job(ctx, job, &e);
		reply_set(&r, job, rc, &e);
		if (write_all(replyfd, &r, sizeof(r)) != 0)
			_exit(3);
	}
	if (ctx != NULL && ops->fini(ctx, &e) != 0 &&
	    rc == 0)
		rc = SPOOL_EIO;
	reply_set(&r, SPOOL_DONE, rc, &e);
	write_all(replyfd, &r, sizeof(r));
	_exit(0);
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int
start_workers(struct pool *p, const struct spool_ops *ops, void *arg,
    struct err *e)
{
	fflush(NULL);
	for (unsigned i = 0; i < p->nw; i++) {
		int down[2], up[2];
		struct worker *w = &p->w[i];

		if (pipe(down) != 0 || pipe(up) != 0)
			return err_set(e, "pipe: %s", strerror(errno)) * 2;
		if ((w->pid = fork()) < 0)
			return err_set(e, "fork: %s", strerror(errno)) * 2;
		if (w->pid == 0) {
			for (unsigned j = 0; j < i; j++) {
				close_fd(&p->w[j].jobfd);
				close_fd(&p->w[j].replyfd);
			}
			close(down[1]);
			close(up[0]);
			worker_main(ops, arg, i, down[0], up[1]);
		}
		close(down[0]);
		close(up[1]);
		w->jobfd = down[1];
		w->replyfd = up[0];
		w->held = SPOOL_DONE;
	}
	return 0;
}

/* Give worker w its next job, or tell it there is none. */
static void
hand_out(struct pool *p, struct worker *w)
{
	if (p->rc == 0 && p->next < p->o->njobs && !intr_pending()) {
		w->held = p->o->jobs[p->next++];
		if (write_all(w->jobfd, &w->held, sizeof(w->held)) == 0)
			return;
		w->held = SPOOL_DONE;	/* it died: its reply pipe will say */
	}
	close_fd(&w->jobfd);
}

static void
draw(struct pool *p, int force)
{
	double t = now(), el = t - p->t0, rate = el > 0 ? p->done / el : 0;
	size_t n = p->o->njobs, bar = 24, fill = n ? p->done * bar / n : bar;
	char b[32];

	if (!p->o->progress || (!force && t - p->tdraw < 0.1))
		return;
	p->tdraw = t;
	for (size_t i = 0; i < bar; i++)
		b[i] = i < fill ? '#' : '.';
	b[bar] = '\0';
	fprintf(stderr, "\r[%s] %zu/%zu %s  %.1f/s", b, p->done, n,
	    p->o->what, rate);
	if (rate > 0 && p->done < n) {
		long eta = (long)((double)(n - p->done) / rate + 0.5);

		fprintf(stderr, "  ETA %ld:%02ld:%02ld ", eta / 3600,
		    eta / 60 % 60, eta % 60);
	} else {
		fprintf(stderr, "                ");
	}
	fflush(stderr);
	p->drawn = 1;
}

/* A whole reply from w arrived. */
static void
on_reply(struct pool *p, struct worker *w, struct err *e)
{
	struct reply *r = &w->rbuf;

	if (r->rc != 0 && p->rc == 0) {
		p->rc = r->rc;
		err_set(e, "%s", r->text);
	}
	if (r->job == SPOOL_DONE) {
		close_fd(&w->replyfd);
		return;
	}
	w->held = SPOOL_DONE;
	p->done++;
	draw(p, 0);
	hand_out(p, w);
	if (r->rc == 0 && p->o->done != NULL &&
	    p->o->done(p->o->darg, r->job, (unsigned)(w - p->w), e) != 0 &&
	    p->rc == 0)
		p->rc = SPOOL_EIO;
}

/* Read what is there from w; a reply may come in pieces. */
static void
on_readable(struct pool *p, struct worker *w, struct err *e)
{
	ssize_t k = read(w->replyfd, (char *)&w->rbuf + w->got,
	    sizeof(w->rbuf) - w->got);

	if (k < 0 && errno == EINTR)
		return;
	if (k <= 0) {
		if (p->rc == 0 || p->rc == SPOOL_EINTR) {
			if (intr_pending())
				p->rc = SPOOL_EINTR;
			else if (w->held != SPOOL_DONE)
				p->rc = err_set(e, "a worker died running job "
				    "%llu", (unsigned long long)w->held) * 2;
			else
				p->rc = err_set(e, "a worker died") * 2;
		}
		close_fd(&w->replyfd);
		close_fd(&w->jobfd);
		return;
	}
	w->got += (size_t)k;
	if (w->got == sizeof(w->rbuf)) {
		w->got = 0;
		on_reply(p, w, e);
	}
}

static int
loop(struct pool *p, struct err *e)
{
	struct pollfd *pf = xcalloc(p->nw, sizeof(*pf));

	for (;;) {
		nfds_t n = 0;

		if (intr_pending() && p->rc == 0)
			p->rc = SPOOL_EINTR;
		if (intr_pending() && !p->killed) {
			p->killed = 1;
			for (unsigned i = 0; i < p->nw; i++)
				if (p->w[i].pid > 0 && p->w[i].replyfd >= 0)
					kill(p->w[i].pid, SIGTERM);
		}
		if (p->rc != 0)
			for (unsigned i = 0; i < p->nw; i++)
				if (p->w[i].held == SPOOL_DONE)
					close_fd(&p->w[i].jobfd);
		for (unsigned i = 0; i < p->nw; i++) {
			if (p->w[i].replyfd < 0)
				continue;
			pf[n].fd = p->w[i].replyfd;
			pf[n].events = POLLIN;
			pf[n].revents = 0;
			n++;
		}
		if (n == 0)
			break;
		if (poll(pf, n, POLL_MS) < 0) {
			if (errno == EINTR)
				continue;
			free(pf);
			return err_set(e, "poll: %s", strerror(errno)) * 2;
		}
		for (nfds_t k = 0; k < n; k++) {
			if (pf[k].revents == 0)
				continue;
			for (unsigned i = 0; i < p->nw; i++)
				if (p->w[i].replyfd == pf[k].fd)
					on_readable(p, &p->w[i], e);
		}
	}
	free(pf);
	return p->rc;
}

/* Wait for every worker; a worker that did not exit 0 is an error. */
static int
reap(struct pool *p, struct err *e)
{
	int rc = 0;

	for (unsigned i = 0; i < p->nw; i++) {
		int st;

		if (p->w[i].pid <= 0)
			continue;
		while (waitpid(p->w[i].pid, &st, 0) < 0 && errno == EINTR)
			;
		if (WIFSIGNALED(st) && !intr_pending())
			rc = err_set(e, "worker %u was killed by signal %d",
			    i + 1, WTERMSIG(st)) * 2;
		else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
			rc = err_set(e, "worker %u exited with status %d",
			    i + 1, WEXITSTATUS(st)) * 2;
	}
	return rc;
}

int
spool_run(const struct spool_ops *ops, void *arg, const struct spool_opts *o,
    struct err *e)
{
	struct sigaction sa, old_pipe;
	struct pool p;
	int rc, rc2;

	memset(&p, 0, sizeof(p));
	p.o = o;
	p.nw = o->workers < 1 ? 1 : o->workers;
	if (p.nw > o->njobs)
		p.nw = o->njobs > 0 ? (unsigned)o->njobs : 1;
	p.w = xcalloc(p.nw, sizeof(*p.w));
	for (unsigned i = 0; i < p.nw; i++)
		p.w[i].jobfd = p.w[i].replyfd = -1;
	intr_install();
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);
	p.t0 = p.tdraw = now();
	rc = start_workers(&p, ops, arg, e);
	for (unsigned i = 0; i < p.nw; i++)
		if (p.w[i].jobfd >= 0)
			hand_out(&p, &p.w[i]);
	if (rc == 0)
		rc = loop(&p, e);
	else
		for (unsigned i = 0; i < p.nw; i++) {
			close_fd(&p.w[i].jobfd);
			close_fd(&p.w[i].replyfd);
		}
	rc2 = reap(&p, e);
	if (rc == 0)
		rc = rc2;
	if (intr_pending() && rc == 0)
		rc = SPOOL_EINTR;
	if (rc == SPOOL_EINTR)
		err_set(e, "interrupted");
	if (p.drawn) {
		draw(&p, 1);
		fputc('\n', stderr);
	}
	intr_restore();
	sigaction(SIGPIPE, &old_pipe, NULL);
	free(p.w);
	return rc;
}
