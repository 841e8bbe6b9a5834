/*
 * test-intr.c - SIGINT/SIGTERM as a polled flag: the handler records the
 * first signal (exit status 130 / 143), the old actions come back on
 * restore, a second signal kills with the default action, and the event
 * loop stops within LOOP_POLL events of a signal, leaving the rest
 * pending.  Signals are real: raise(3) and, for the second-signal case,
 * kill(2) from a parent to a forked child.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/intr.h"
#include "core/loop.h"

static volatile sig_atomic_t custom_calls;

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void
custom(int sig)
{
	(void)sig;
	custom_calls++;
}

static void
test_nothing_caught(void **state)
{
	(void)state;
	intr_install();
	assert_false(intr_pending());
	assert_int_equal(intr_signal(), 0);
	assert_int_equal(intr_exit_status(), 0);
	intr_restore();
	intr_restore();		/* harmless when not installed */
	assert_int_equal(intr_exit_status(), 0);
}

static void
test_sigint_and_sigterm(void **state)
{
	(void)state;
	intr_install();
	raise(SIGINT);
	assert_true(intr_pending());
	assert_int_equal(intr_signal(), SIGINT);
	assert_int_equal(intr_exit_status(), 130);
	intr_restore();
	/* What was caught outlives the handlers, for the final message, */
	assert_int_equal(intr_exit_status(), 130);
	assert_int_equal(intr_signal(), SIGINT);
	/* ...but stops nothing any more. */
	assert_false(intr_pending());
	assert_string_equal(intr_name(intr_signal()), "SIGINT");

	intr_install();		/* clears the flag */
	assert_false(intr_pending());
	raise(SIGTERM);
	assert_int_equal(intr_signal(), SIGTERM);
	assert_int_equal(intr_exit_status(), 143);
	assert_string_equal(intr_name(SIGTERM), "SIGTERM");
	assert_string_equal(intr_name(SIGHUP), "a signal");
	intr_restore();
}

/* intr_restore() puts back exactly the actions found at install. */
static void
test_old_actions_restored(void **state)
{
	struct sigaction sa, old_int, old_term, now;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = custom;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	custom_calls = 0;

	intr_install();
	raise(SIGINT);
	assert_int_equal(custom_calls, 0);
	intr_restore();
	sigaction(SIGINT, NULL, &now);
	assert_true(now.sa_handler == custom);
	raise(SIGINT);
	raise(SIGTERM);
	assert_int_equal(custom_calls, 2);
	/* ...and leave the first signal as the one reported. */
	assert_int_equal(intr_signal(), SIGINT);

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
}

/*
 * A second signal while the first is being handled is the default
 * action, at once: the child must die by the second signal, not reach
 * its exit(0).  The parent sends both signals, as a user would.
 */
static void
second_signal_kills(int first, int second)
{
	int p[2], st;
	char c;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		intr_install();
		if (write(p[1], "r", 1) != 1)
			_exit(3);
		while (!intr_pending())
			nap_ms(1);
		/* Stopping (flushing outputs) takes a while. */
		if (write(p[1], "s", 1) != 1)
			_exit(3);
		for (int i = 0; i < 500; i++)
			nap_ms(10);
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	kill(pid, first);
	/* Only once the child saw the first: the two must not merge. */
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(c, 's');
	kill(pid, second);
	close(p[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), second);
}

static void
test_second_signal_is_default_action(void **state)
{
	(void)state;
	second_signal_kills(SIGINT, SIGINT);
	second_signal_kills(SIGINT, SIGTERM);
	second_signal_kills(SIGTERM, SIGINT);
}

/* A self-rescheduling event that raises SIGINT when it is its turn. */
struct chain {
	uint64_t	 n, raise_at;
};

static void
step(struct loop *l, void *obj, uint64_t arg)
{
	struct chain *c = obj;

	c->n++;
	if (c->n == c->raise_at)
		raise(SIGINT);
	loop_after(l, 10, step, c, arg);
}

static void
test_loop_stops_within_poll(void **state)
{
	static struct loop l;
	struct chain c = { 0, 5000 };
	uint64_t at_stop;

	(void)state;
	loop_init(&l, 0);
	loop_after(&l, 10, step, &c, 0);
	intr_install();
	/* Without the poll this would run ten million events. */
	assert_int_equal(loop_run(&l, 100000000), 1);
	at_stop = c.n;
	assert_true(at_stop >= 5000);
	assert_true(at_stop < 5000 + LOOP_POLL);
	assert_int_equal(at_stop % LOOP_POLL, 0);
	assert_int_equal(loop_now(&l), (int64_t)at_stop * 10);
	assert_int_equal(loop_pending(&l), 1);
	/* Still pending: a second run does nothing at all. */
	assert_int_equal(loop_run(&l, 100000000), 1);
	assert_int_equal(c.n, at_stop);
	intr_restore();

	/* Cleared, the loop goes on from where it stopped. */
	intr_install();
	assert_int_equal(loop_run(&l, 200000), 0);
	assert_int_equal(c.n, 20000);
	assert_int_equal(loop_now(&l), 200000);
	intr_restore();
	loop_release(&l);
}

/* Uninstalled, the flag is never set: the loop ignores nothing. */
static void
test_loop_without_handlers(void **state)
{
	static struct loop l;
	struct chain c = { 0, 0 };

	(void)state;
	intr_install();
	intr_restore();		/* flag cleared, handlers gone */
	loop_init(&l, 0);
	loop_after(&l, 10, step, &c, 0);
	assert_int_equal(loop_run(&l, 10 * 3 * LOOP_POLL), 0);
	assert_int_equal(c.n, 3 * LOOP_POLL);
	loop_release(&l);
}

static void
test_install_twice_is_a_bug(void **state)
{
	int st;
	pid_t pid;

	(void)state;
	if ((pid = fork()) == 0) {
		/* BUG() prints; keep the test output clean. */
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(3);
		intr_install();
		intr_install();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGABRT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_caught),
		cmocka_unit_test(test_sigint_and_sigterm),
		cmocka_unit_test(test_old_actions_restored),
		cmocka_unit_test(test_second_signal_is_default_action),
		cmocka_unit_test(test_loop_stops_within_poll),
		cmocka_unit_test(test_loop_without_handlers),
		cmocka_unit_test(test_install_twice_is_a_bug),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
