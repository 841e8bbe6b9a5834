/*
 * jsonfile.h - reading the JSON files users write: models, synth specs.
 *
 *	struct err e = ERR_INIT;
 *	json_t *doc = jsonfile_load("m.json", &e);	// NULL: e says why
 *	char *dir = jsonfile_dir("m.json");		// where relative
 *							// paths start
 *
 * Every reader of a user's JSON file goes through here so that they all
 * take the same input and word the same faults the same way: a UTF-8
 * byte order mark (some editors write one) is skipped and positions stay
 * what an editor shows; a directory, a missing or unreadable file is
 * named once; a \u0000 escape, which jansson describes by its API flag,
 * gets our words.  Duplicate object keys are errors (JSON_REJECT_
 * DUPLICATES): in a model a second "duration" silently winning is a bug
 * waiting to happen.
 */
#ifndef ESSIM_CORE_JSONFILE_H
#define ESSIM_CORE_JSONFILE_H

#include <jansson.h>

#include "core/err.h"

/*
 * The JSON document in file (any value at top level is the caller's to
 * check), or NULL with e set: "FILE: cannot open: ...", "FILE: is a
 * directory", or "FILE:LINE:COL: jansson's text".
 */
json_t	*jsonfile_load(const char *file, struct err *e);

/* The directory part of file, "." when it has none; free() it. */
char	*jsonfile_dir(const char *file);

#endif /* ESSIM_CORE_JSONFILE_H */
