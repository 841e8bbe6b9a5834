/*
 * intr.c - SIGINT and SIGTERM as a flag to poll; see intr.h.
 *
 * Why a flag and not longjmp or work in the handler: an interrupted
 * command must leave its outputs consistent (a results database whose
 * run says 'incomplete', a timeline that is still valid JSON, a trace
 * store whose partial import is invisible), and only the code that owns
 * them knows where the consistent points are.  The handler therefore does
 * the one thing that is safe in a handler, storing to a volatile
 * sig_atomic_t, and the long loops look at it: the event loop every
 * LOOP_POLL events, the importer once per object.
 *
 * The second signal.  Someone who presses ^C twice means it: while the
 * first is handled (outputs being flushed), another SIGINT or SIGTERM
 * restores the default action for it and raises it again.  The signal is
 * blocked while its handler runs (both are in sa_mask), so it is
 * delivered as the handler returns, and the default action ends the
 * process with that signal, which the shell reports as usual.
 * sigaction() and raise() are async-signal-safe (POSIX.1-2008 XSH
 * 2.4.3).
 *
 * SA_RESTART is set so that a read() or write() the signal lands in is
 * resumed rather than failing with EINTR: the stop happens at the next
 * poll, not as a spurious I/O error in SQLite or stdio.
 */
#include <signal.h>
#include <string.h>

#include "core/err.h"
#include "core/intr.h"

volatile sig_atomic_t intr__sig;

static struct sigaction old_int, old_term;
static int installed, last;	/* last: what the last installation caught */

static void
on_signal(int sig)
{
	struct sigaction dfl;

	if (intr__sig != 0) {
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigemptyset(&dfl.sa_mask);
		sigaction(sig, &dfl, NULL);
		raise(sig);
		return;
	}
	intr__sig = sig;
}

void
intr_install(void)
{
	struct sigaction sa;

	if (installed)
		BUG("intr_install: already installed");
	intr__sig = 0;
	last = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	installed = 1;
}

void
intr_restore(void)
{
	if (!installed)
		return;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	/* Our handler can no longer run: the flag is ours to move. */
	last = intr__sig;
	intr__sig = 0;
	installed = 0;
}

int
intr_signal(void)
{
	return installed ? intr__sig : last;
}

int
intr_exit_status(void)
{
	int sig = intr_signal();

	return sig != 0 ? 128 + sig : 0;
}

const char *
intr_name(int sig)
{
	if (sig == SIGINT)
		return "SIGINT";
	if (sig == SIGTERM)
		return "SIGTERM";
	return "a signal";
}
