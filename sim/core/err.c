/*
 * err.c - errors caused by bad input, with their location.
 *
 * Kept deliberately small: formatting into fixed buffers, first error
 * wins, and a growable list for the readers that must report everything.
 * See err.h for the contract.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"

static void
copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void
err_clear(struct err *e)
{
	memset(e, 0, sizeof(*e));
}

int
err_vset(struct err *e, const char *fmt, va_list ap)
{
	if (e == NULL || e->set)
		return -1;
	e->set = 1;
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	return -1;
}

int
err_set(struct err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_locate(struct err *e, const char *file, int line, int col,
    const char *ptr)
{
	if (e == NULL)
		return -1;
	if (file != NULL && e->file[0] == '\0')
		copy_str(e->file, sizeof(e->file), file);
	if (line > 0 && e->line == 0) {
		e->line = line;
		if (col > 0 && e->col == 0)
			e->col = col;
	}
	if (ptr != NULL && e->ptr[0] == '\0')
		copy_str(e->ptr, sizeof(e->ptr), ptr);
	return -1;
}

int
err_setloc(struct err *e, const char *file, int line, int col,
    const char *fmt, ...)
{
	va_list ap;

	if (e == NULL || e->set)
		return -1;
	va_start(ap, fmt);
	err_vset(e, fmt, ap);
	va_end(ap);
	return err_locate(e, file, line, col, NULL);
}

int
err_setptr(struct err *e, const char *file, const char *ptr,
    const char *fmt, ...)
{
	va_list ap;

	if (e == NULL || e->set)
		return -1;
	va_start(ap, fmt);
	err_vset(e, fmt, ap);
	va_end(ap);
	/* The document root is the pointer "", shown as "/" for humans. */
	if (ptr != NULL && ptr[0] == '\0')
		ptr = "/";
	return err_locate(e, file, 0, 0, ptr);
}

const char *
err_format(const struct err *e, char *buf, size_t size)
{
	char loc[ERR_FILE_MAX + ERR_PTR_MAX + 32];
	size_t n = 0;

	loc[0] = '\0';
	if (e->file[0] != '\0') {
		n += (size_t)snprintf(loc + n, sizeof(loc) - n, "%s", e->file);
		if (e->line > 0)
			n += (size_t)snprintf(loc + n, sizeof(loc) - n, ":%d",
			    e->line);
		if (e->line > 0 && e->col > 0)
			n += (size_t)snprintf(loc + n, sizeof(loc) - n, ":%d",
			    e->col);
	}
	if (e->ptr[0] != '\0' && n < sizeof(loc))
		snprintf(loc + n, sizeof(loc) - n, "%s%s",
		    n > 0 ? ": " : "", e->ptr);
	if (loc[0] != '\0')
		snprintf(buf, size, "%s: %s", loc, e->text);
	else
		snprintf(buf, size, "%s", e->text);
	return buf;
}

void
err_print(const struct err *e, const char *prog, FILE *f)
{
	char buf[ERR_FILE_MAX + ERR_PTR_MAX + ERR_TEXT_MAX + 40];

	err_format(e, buf, sizeof(buf));
	if (prog != NULL)
		fprintf(f, "%s: %s\n", prog, buf);
	else
		fprintf(f, "%s\n", buf);
}

char *
err_ptr_append(char *ptr, size_t size, const char *token)
{
	size_t n = strlen(ptr);

	if (n + 1 >= size)
		return ptr;
	ptr[n++] = '/';
	for (; *token != '\0' && n + 1 < size; token++) {
		if (*token == '~' || *token == '/') {
			if (n + 2 >= size)
				break;
			ptr[n++] = '~';
			ptr[n++] = *token == '~' ? '0' : '1';
		} else {
			ptr[n++] = *token;
		}
	}
	ptr[n] = '\0';
	return ptr;
}

char *
err_ptr_append_index(char *ptr, size_t size, size_t index)
{
	char num[32];

	snprintf(num, sizeof(num), "%zu", index);
	return err_ptr_append(ptr, size, num);
}

void
diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
}

void
diag_release(struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	diag_init(d);
}

static void
diag_push(struct diag *d, char *msg)
{
	if (d->n >= DIAG_MAX) {
		d->dropped++;
		free(msg);
		return;
	}
	XGROW(d->msgs, d->n + 1, d->alloc);
	d->msgs[d->n++] = msg;
}

void
diag_add_err(struct diag *d, const struct err *e)
{
	char buf[ERR_FILE_MAX + ERR_PTR_MAX + ERR_TEXT_MAX + 40];

	diag_push(d, xstrdup(err_format(e, buf, sizeof(buf))));
}

void
diag_addptr(struct diag *d, const char *file, const char *ptr,
    const char *fmt, ...)
{
	struct err e;
	va_list ap;

	err_clear(&e);
	va_start(ap, fmt);
	err_vset(&e, fmt, ap);
	va_end(ap);
	if (ptr != NULL && ptr[0] == '\0')
		ptr = "/";
	err_locate(&e, file, 0, 0, ptr);
	diag_add_err(d, &e);
}

size_t
diag_count(const struct diag *d)
{
	return d->n;
}

const char *
diag_msg(const struct diag *d, size_t i)
{
	return i < d->n ? d->msgs[i] : NULL;
}

void
diag_print(const struct diag *d, const char *prog, FILE *f)
{
	for (size_t i = 0; i < d->n; i++) {
		if (prog != NULL)
			fprintf(f, "%s: ", prog);
		fprintf(f, "%s\n", d->msgs[i]);
	}
	if (d->dropped > 0)
		fprintf(f, "%s%s%zu more errors not shown\n",
		    prog != NULL ? prog : "", prog != NULL ? ": " : "",
		    d->dropped);
}

void
bug_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "essim: BUG at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "essim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(3);
}
