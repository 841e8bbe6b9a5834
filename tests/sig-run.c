/*
 * sig-run.c - run a command, signal it once it has started writing, and
 * measure how long it takes to stop: the driver of tests/signals.test,
 * written in C because POSIX sh has no sub-second clock and cannot wait
 * for a file to grow without sleeping blindly.
 *
 *	tests/sig-run -s INT -f run.db -z 65536 -m stop_ms -- essim run ...
 *
 * Starts the command (stdin, stdout and stderr inherited), waits until
 * FILE exists with at least BYTES bytes (polling every millisecond;
 * without -f it signals at once), sends the signal (INT, TERM or KILL)
 * and waits for the command.  The milliseconds from the signal to its
 * exit, measured on CLOCK_MONOTONIC, go to the file given by -m.  The
 * exit status is the command's, or 128 + the signal that killed it,
 * like a shell's $?.
 *
 * Failures of its own exit 125 with a message: the command could not be
 * started, ended before the condition was met (the input was too small
 * for this machine: a test bug), or the condition was not met within -t
 * seconds (default 60; the command is then killed).  A command that has
 * not stopped 10 s after the signal is killed, and the status is 124.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A command still running this long after the signal did not stop. */
#define STOP_LIMIT_MS	10000

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int
signum(const char *s)
{
	if (strcmp(s, "INT") == 0)
		return SIGINT;
	if (strcmp(s, "TERM") == 0)
		return SIGTERM;
	if (strcmp(s, "KILL") == 0)
		return SIGKILL;
	return 0;
}

static int
status_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int
usage(void)
{
	fprintf(stderr, "usage: sig-run -s INT|TERM|KILL [-f FILE -z BYTES] "
	    "[-m MSFILE] [-t SECONDS] -- CMD [ARG...]\n");
	return 125;
}

int
main(int argc, char **argv)
{
	const char *file = NULL, *msfile = NULL;
	long long minsize = 0;
	double deadline, t0;
	int sig = 0, c, st;
	long timeout = 60;
	struct stat sb;
	pid_t pid, got;
	FILE *f;

	while ((c = getopt(argc, argv, "s:f:z:m:t:")) != -1) {
		switch (c) {
		case 's':
			sig = signum(optarg);
			break;
		case 'f':
			file = optarg;
			break;
		case 'z':
			minsize = atoll(optarg);
			break;
		case 'm':
			msfile = optarg;
			break;
		case 't':
			timeout = atol(optarg);
			break;
		default:
			return usage();
		}
	}
	if (sig == 0 || optind >= argc)
		return usage();
	if ((pid = fork()) < 0) {
		perror("sig-run: fork");
		return 125;
	}
	if (pid == 0) {
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "sig-run: %s: %s\n", argv[optind],
		    strerror(errno));
		_exit(127);
	}
	deadline = now_ms() + (double)timeout * 1e3;
	while (file != NULL && (stat(file, &sb) != 0 ||
	    (long long)sb.st_size < minsize)) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, "sig-run: the command ended (status "
			    "%d) before %s had %lld bytes\n", status_of(st),
			    file, minsize);
			return 125;
		}
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			fprintf(stderr, "sig-run: %s did not reach %lld bytes "
			    "in %ld s\n", file, minsize, timeout);
			return 125;
		}
		nap_ms(1);
	}
	t0 = now_ms();
	kill(pid, sig);
	while ((got = waitpid(pid, &st, WNOHANG)) != pid) {
		if (got < 0 && errno != EINTR) {
			perror("sig-run: waitpid");
			return 125;
		}
		if (now_ms() - t0 > STOP_LIMIT_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			fprintf(stderr, "sig-run: the command did not stop "
			    "within %d s of the signal; killed\n",
			    STOP_LIMIT_MS / 1000);
			return 124;
		}
		nap_ms(1);
	}
	if (msfile != NULL) {
		if ((f = fopen(msfile, "w")) == NULL) {
			perror(msfile);
			return 125;
		}
		fprintf(f, "%.0f\n", now_ms() - t0);
		fclose(f);
	}
	return status_of(st);
}
