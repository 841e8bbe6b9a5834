/*
 * err.h - errors caused by bad input, with their location.
 *
 * essim keeps three kinds of error apart (STYLE §8.5):
 *   - programmer bugs: assert() and BUG(), which print file:line and abort;
 *   - out of memory: xmalloc() and friends die with the byte count, so no
 *     caller checks for NULL;
 *   - bad input (a model, a trace line, a command-line argument): the
 *     function returns -1 or NULL and fills a caller-owned struct err.
 *
 * A struct err holds one error.  The first error set wins: later calls to
 * err_set*() on an error that is already set are ignored, so a low-level
 * parser can say precisely what is wrong and the layers above may add
 * context without overwriting it.  Readers that must report every problem
 * at once (the model validator) collect several in a struct diag.
 *
 * A location is printed the way compilers and jq do:
 *     file:line:col: text        (text formats: traces, TSV files)
 *     file:line: text            (a line-oriented input without column)
 *     file: /json/pointer: text  (JSON documents: models)
 *     text                       (nothing known: command-line values)
 */
#ifndef ESSIM_CORE_ERR_H
#define ESSIM_CORE_ERR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define ERR_FILE_MAX	256
#define ERR_PTR_MAX	256
#define ERR_TEXT_MAX	320

struct err {
	int	 set;			/* non-zero once an error is recorded */
	int	 line;			/* 1-based; 0 when unknown */
	int	 col;			/* 1-based; 0 when unknown */
	char	 file[ERR_FILE_MAX];	/* "" when unknown */
	char	 ptr[ERR_PTR_MAX];	/* RFC 6901 JSON pointer, "" when none */
	char	 text[ERR_TEXT_MAX];
};

#define ERR_INIT { 0, 0, 0, "", "", "" }

#if defined(__GNUC__) || defined(__clang__)
#define ESSIM_PRINTF(f, a)	__attribute__((format(printf, f, a)))
#define ESSIM_NORETURN		__attribute__((noreturn))
#else
#define ESSIM_PRINTF(f, a)
#define ESSIM_NORETURN
#endif

/* Reset e to "no error". */
void	err_clear(struct err *e);

/*
 * Record an error without a location; returns -1 so that call sites read
 * "return err_set(e, ...);".  e may be NULL (the error is then dropped).
 * Does nothing but return -1 when e already holds an error.
 */
int	err_set(struct err *e, const char *fmt, ...) ESSIM_PRINTF(2, 3);
int	err_vset(struct err *e, const char *fmt, va_list ap);

/* Same, at file:line:col (line or col may be 0 for "unknown"). */
int	err_setloc(struct err *e, const char *file, int line, int col,
	    const char *fmt, ...) ESSIM_PRINTF(5, 6);

/* Same, at a JSON pointer inside file (file may be NULL). */
int	err_setptr(struct err *e, const char *file, const char *ptr,
	    const char *fmt, ...) ESSIM_PRINTF(4, 5);

/*
 * Add a location to an error that has none yet: used by callers that know
 * where a value came from when the parser they called did not.  Fields
 * already set are kept.  Returns -1.
 */
int	err_locate(struct err *e, const char *file, int line, int col,
	    const char *ptr);

/*
 * Write the error as one line "LOCATION: text" into buf (always
 * NUL-terminated, truncated if needed).  Returns buf.
 */
const char *err_format(const struct err *e, char *buf, size_t size);

/* Print "prog: LOCATION: text\n" on f; prog may be NULL. */
void	err_print(const struct err *e, const char *prog, FILE *f);

/*
 * struct diag - a list of errors, for readers that report every problem
 * they find before giving up (model validation).  Each entry is kept
 * formatted.  Entries are capped at DIAG_MAX; past it one "too many
 * errors" line is kept and the rest are counted, not stored.
 */
#define DIAG_MAX	200

struct diag {
	char	**msgs;
	size_t	  n;
	size_t	  alloc;
	size_t	  dropped;
};

#define DIAG_INIT { NULL, 0, 0, 0 }

void	diag_init(struct diag *d);
void	diag_release(struct diag *d);
/* Append e (formatted) to d; e is left unchanged. */
void	diag_add_err(struct diag *d, const struct err *e);
/* Append "file: ptr: text".  file or ptr may be NULL. */
void	diag_addptr(struct diag *d, const char *file, const char *ptr,
	    const char *fmt, ...) ESSIM_PRINTF(4, 5);
size_t	diag_count(const struct diag *d);
/* Entry i, 0 <= i < diag_count(d) (dropped entries are not counted). */
const char *diag_msg(const struct diag *d, size_t i);
/* Print every entry, one per line, prefixed by "prog: " when prog is set. */
void	diag_print(const struct diag *d, const char *prog, FILE *f);

/*
 * Programmer errors: print file:line and the message, then abort().  For
 * conditions that no input can cause.
 */
#define BUG(...)	bug_at(__FILE__, __LINE__, __VA_ARGS__)
ESSIM_NORETURN void bug_at(const char *file, int line, const char *fmt, ...)
	ESSIM_PRINTF(3, 4);

/* Fatal system errors (cannot write the output file, ...): print, exit 3. */
ESSIM_NORETURN void die(const char *fmt, ...) ESSIM_PRINTF(1, 2);

/*
 * Escape one reference token of a JSON pointer (RFC 6901: "~" -> "~0",
 * "/" -> "~1") and append "/token" to ptr (size bytes, NUL-terminated,
 * truncated if needed).  Returns ptr.
 */
char	*err_ptr_append(char *ptr, size_t size, const char *token);
/* Append "/index". */
char	*err_ptr_append_index(char *ptr, size_t size, size_t index);

#endif /* ESSIM_CORE_ERR_H */
