/*
 * model-path.c - the paths a model's syscalls and sources name.
 *
 * A path spec is a literal absolute path, a reference to the path of the
 * ES message being handled ("$path", "$target"), or a random choice drawn
 * at each use: {"choice": {path: weight, ...}} with weights normalised
 * into a cumulative table (binary search at run time), or {"zipf": ...}
 * naming one of n files by a Zipf law, which is how file popularity
 * looks in real workloads (a few hot files, a long tail) and what makes a
 * verdict cache hit or miss.  Only the description is kept; drawing is
 * the simulator's business.
 */
#include <math.h>
#include <string.h>

#include "model/model-path.h"

static const char *const zipf_keys[] = {
	"prefix", "n", "s", "suffix", NULL
};

int
mload__abspath(struct mload *ld, const json_t *v, const char **out)
{
	if (mload__v_type(ld, v, JSON_STRING) < 0)
		return -1;
	if (json_string_value(v)[0] != '/') {
		mload__error(ld, "path must be absolute, got \"%s\"",
		    json_string_value(v));
		return -1;
	}
	return mload__v_str(ld, v, out);
}

static int
path_string(struct mload *ld, const json_t *v, int has_msg,
    struct m_pathspec *ps)
{
	const char *s = json_string_value(v);

	if (s[0] != '$') {
		if (mload__abspath(ld, v, &ps->literal) < 0)
			return -1;
		ps->kind = M_PATH_LITERAL;
		return 0;
	}
	if (strcmp(s, "$path") != 0 && strcmp(s, "$target") != 0) {
		mload__error(ld, "unknown path reference \"%s\" (use \"$path\" "
		    "or \"$target\")", s);
		return -1;
	}
	if (!has_msg) {
		mload__error(ld, "\"%s\" names a path of the ES message being "
		    "handled, and there is none here", s);
		return -1;
	}
	ps->kind = strcmp(s, "$path") == 0 ? M_PATH_MSG : M_PATH_MSG_TARGET;
	return 0;
}

static int
path_choice(struct mload *ld, const json_t *v, struct m_pathspec *ps)
{
	const char *key;
	json_t *w;
	size_t i = 0, n = json_object_size(v);
	double sum = 0;
	int rc = 0;

	if (mload__v_type(ld, v, JSON_OBJECT) < 0)
		return -1;
	if (n == 0) {
		mload__error(ld, "a choice needs at least one path");
		return -1;
	}
	ps->paths = mload__calloc(ld, n, sizeof(*ps->paths));
	ps->cum = mload__calloc(ld, n, sizeof(*ps->cum));
	json_object_foreach((json_t *)v, key, w) {
		size_t mark = mload__push(ld, key);
		double x = 0;
		if (key[0] != '/') {
			mload__error(ld, "path must be absolute, got \"%s\"",
			    key);
			rc = -1;
		} else if (mload__v_num(ld, w, &x) < 0) {
			rc = -1;
		} else if (!(x > 0) || !isfinite(x)) {
			mload__error(ld, "weight must be above 0, got %g", x);
			rc = -1;
		}
		ps->paths[i] = mload__strdup(ld, key);
		sum += x;
		ps->cum[i++] = sum;
		mload__pop(ld, mark);
	}
	if (rc < 0)
		return -1;
	for (i = 0; i < n; i++)
		ps->cum[i] /= sum;
	ps->cum[n - 1] = 1.0;
	ps->n = n;
	ps->kind = M_PATH_CHOICE;
	return 0;
}

static int
path_zipf(struct mload *ld, const json_t *v, struct m_pathspec *ps)
{
	long long n = 0;
	double s = 1.0;
	const json_t *sv;
	int rc = 0;

	if ((rc = mload__keys(ld, v, zipf_keys)) < 0)
		return -1;
	rc = rc > 0 ? -1 : 0;
	if (mload__require(ld, v, "prefix") < 0)
		rc = -1;
	if (mload__require(ld, v, "n") < 0)
		rc = -1;
	ps->suffix = "";
	if (mload__k_str(ld, v, "prefix", &ps->prefix) < 0 ||
	    mload__k_str(ld, v, "suffix", &ps->suffix) < 0 ||
	    mload__k_int(ld, v, "n", 1, INT64_MAX, &n) < 0)
		rc = -1;
	if ((sv = json_object_get(v, "s")) != NULL) {
		size_t mark = mload__push(ld, "s");
		if (mload__v_num(ld, sv, &s) < 0)
			rc = -1;
		else if (!(s > 0) || !isfinite(s)) {
			mload__error(ld, "must be above 0, got %g", s);
			rc = -1;
		}
		mload__pop(ld, mark);
	}
	if (ps->prefix != NULL && ps->prefix[0] != '/') {
		mload__error_key(ld, "prefix", "path must be absolute, got "
		    "\"%s\"", ps->prefix);
		rc = -1;
	}
	ps->zipf_n = (uint64_t)n;
	ps->zipf_s = s;
	ps->kind = M_PATH_ZIPF;
	return rc;
}

static int
path_object(struct mload *ld, const json_t *v, struct m_pathspec *ps)
{
	static const char *const kinds[] = { "choice", "zipf", NULL };
	const char *key = NULL, *hint;
	size_t mark;
	int rc;

	if (json_object_size(v) == 1)
		key = json_object_iter_key(json_object_iter((json_t *)v));
	if (key == NULL || (strcmp(key, "choice") != 0 &&
	    strcmp(key, "zipf") != 0)) {
		hint = key != NULL ? mload__suggest(key, kinds) : NULL;
		if (hint != NULL)
			mload__error(ld, "unknown path spec \"%s\" (did you "
			    "mean \"%s\"?)", key, hint);
		else
			mload__error(ld, "a path spec object has one key, "
			    "\"choice\" or \"zipf\"");
		return -1;
	}
	mark = mload__push(ld, key);
	if (strcmp(key, "choice") == 0)
		rc = path_choice(ld, json_object_get(v, key), ps);
	else
		rc = path_zipf(ld, json_object_get(v, key), ps);
	mload__pop(ld, mark);
	return rc;
}

int
mload__pathspec(struct mload *ld, const json_t *v, int has_msg,
    struct m_pathspec *ps)
{
	memset(ps, 0, sizeof(*ps));
	if (json_is_string(v))
		return path_string(ld, v, has_msg, ps);
	if (json_is_object(v))
		return path_object(ld, v, ps);
	mload__error(ld, "expected a path (a string, or a \"choice\" or "
	    "\"zipf\" object)");
	return -1;
}
