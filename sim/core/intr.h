/*
 * intr.h - stopping a long command cleanly on SIGINT and SIGTERM.
 *
 * A command that writes outputs for a long time (essim run, essim import)
 * installs the handlers, polls intr_pending() in its long loops, and on a
 * signal stops at the next consistent point, closes its outputs, restores
 * the handlers and exits with intr_exit_status() (128 + the signal: 130
 * for SIGINT, 143 for SIGTERM) after one line on stderr saying what was
 * kept:
 *
 *	intr_install();
 *	while (more() && !intr_pending())
 *		step();
 *	close_outputs();
 *	intr_restore();
 *	if (intr_signal() != 0) {
 *		fprintf(stderr, "essim x: interrupted (%s): ...\n",
 *		    intr_name(intr_signal()));
 *		return intr_exit_status();
 *	}
 *
 * The handlers only record the signal (a volatile sig_atomic_t), so any
 * code may run between polls.  A second SIGINT or SIGTERM while the
 * first is being handled is the user insisting: the handler puts back
 * the default action and re-raises, and the process dies at once, as if
 * no handler had been installed (outputs are then what a kill leaves:
 * SQLite files still consistent, the rest cut anywhere).
 *
 * The discrete-event loop (core/loop.h) polls the flag itself every
 * LOOP_POLL events, so a simulation stops between two events within
 * milliseconds.  When no handler is installed the flag stays 0 and
 * polling costs one predictable branch.
 *
 * Process-wide state, as signal dispositions are: one installation at a
 * time, from the main thread.
 */
#ifndef ESSIM_CORE_INTR_H
#define ESSIM_CORE_INTR_H

#include <signal.h>

/* The signal caught since intr_install(), while installed; 0 if none.
 * Private: read it with intr_pending(). */
extern volatile sig_atomic_t intr__sig;

/*
 * Catch SIGINT and SIGTERM (sigaction; the previous actions are saved)
 * and clear the flag.  Installing twice without intr_restore() is a
 * BUG().
 */
void	intr_install(void);

/*
 * Put back the actions intr_install() saved.  From then on
 * intr_pending() is 0 again (so the library code that polls it runs to
 * its end, as it does without handlers), while intr_signal() and
 * intr_exit_status() still say what was caught, for the final message,
 * until the next intr_install().  Does nothing when not installed.
 */
void	intr_restore(void);

/*
 * Whether a signal was caught and the handlers are still installed:
 * cheap enough for an inner loop.
 */
static inline int
intr_pending(void)
{
	return intr__sig != 0;
}

/*
 * The first signal caught (SIGINT or SIGTERM) by the current or, once
 * restored, the last installation; 0 if none.
 */
int	intr_signal(void);

/* 128 + intr_signal() (130, 143), or 0 when none was caught. */
int	intr_exit_status(void);

/* "SIGINT", "SIGTERM", or "a signal" for any other number. */
const char *intr_name(int sig);

#endif /* ESSIM_CORE_INTR_H */
