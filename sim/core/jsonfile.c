/*
 * jsonfile.c - a user's JSON file, read the one way; see jsonfile.h.
 *
 * The file is opened here rather than by json_load_file() so that the
 * mark can be skipped before jansson sees it and so that the "cannot
 * open" message is ours (jansson's repeats the path).  jansson reads a
 * directory as an empty file, hence the stat().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/jsonfile.h"
#include "core/xalloc.h"

json_t *
jsonfile_load(const char *file, struct err *e)
{
	unsigned char bom[3];
	json_error_t jerr;
	struct stat sb;
	json_t *doc;
	FILE *f;

	if (stat(file, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		err_setloc(e, file, 0, 0, "is a directory");
		return NULL;
	}
	if ((f = fopen(file, "rb")) == NULL) {
		err_setloc(e, file, 0, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fread(bom, 1, 3, f) != 3 || bom[0] != 0xef || bom[1] != 0xbb ||
	    bom[2] != 0xbf)
		rewind(f);
	doc = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	if (doc == NULL) {
		if (json_error_code(&jerr) == json_error_null_character)
			err_setloc(e, file, jerr.line, jerr.column, "a string "
			    "holds \\u0000 (NUL), which essim does not accept");
		else
			err_setloc(e, file, jerr.line, jerr.column, "%s",
			    jerr.text);
	}
	return doc;
}

char *
jsonfile_dir(const char *file)
{
	const char *slash = strrchr(file, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == file)
		return xstrdup("/");
	return xstrndup(file, (size_t)(slash - file));
}
