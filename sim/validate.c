/*
 * `l2sim validate`: every error a scenario has, up to a limit, not only
 * the first.
 *
 * The loader stops at the first error it meets.  To find the next one, the
 * value the error points at is removed from a working copy of the scenario
 * (so that its default applies) and the scenario is checked again; this
 * repeats until the scenario passes, the limit is reached, or an error
 * cannot be stepped over (it points at an array element or the whole
 * file, at a value that --set or the sweep puts back, or repeats).  Line
 * and column still refer to the file as written, since the text is never
 * changed.
 *
 * An error that every sweep point has is reported once, without naming a
 * point; one that only some points have names the first of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2sim/engine.h"
#include "l2sim/runner.h"
#include "l2sim/validate.h"
#include "l2sim/model.h"

/* Checks every point of 'work' (with the --set values applied), one point
 * at a time (runner_validate_tree).  The first error goes to *err;
 * returns its code, or 0 with *n_runs set. */
static int check_all(const struct sim_model *model,
		     const struct scenario *scn, json_t *work,
		     const char *const *sets, size_t n_sets, size_t *n_runs,
		     struct l2s_error *err)
{
	struct scenario v = *scn;
	int rc;

	v.root = json_deep_copy(work);
	if (!v.root)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	rc = runner_validate_tree(model, &v, sets, n_sets, n_runs, err);
	json_decref(v.root);
	return rc;
}

/* Whether 'e' only complains that the value removed at 'removed' is
 * missing: an error at its parent ("P" for "P.K") that names K in quotes
 * ("missing key 'K'", "needs a \"K\""). */
static int is_cascade(const struct l2s_error *e, const char *removed)
{
	const char *dot = strrchr(removed, '.');
	const char *key = dot ? dot + 1 : removed;
	size_t plen = dot ? (size_t)(dot - removed) : 0;
	char q1[160], q2[160];

	if (strlen(e->path) != plen || strncmp(e->path, removed, plen))
		return 0;
	snprintf(q1, sizeof(q1), "'%s'", key);
	snprintf(q2, sizeof(q2), "\"%s\"", key);
	return strstr(e->msg, q1) || strstr(e->msg, q2);
}

int validate_all(const struct sim_model *model, const char *path,
		 const char *const *sets, size_t n_sets,
		 size_t limit, struct l2s_error *errs, size_t *n_errs,
		 size_t *n_runs)
{
	struct scenario *scn;
	json_t *work;
	int rc;

	*n_errs = 0;
	if (n_runs)
		*n_runs = 0;
	if (limit == 0)
		return 0;
	l2s_error_clear(&errs[0]);
	if ((rc = scenario_load(path, &scn, &errs[0]))) {
		*n_errs = 1;
		return rc;
	}
	if (!(work = json_deep_copy(scn->root))) {
		scenario_destroy(scn);
		l2s_error_set(&errs[0], L2S_ENOMEM, "out of memory");
		*n_errs = 1;
		return L2S_ENOMEM;
	}
	rc = 0;
	while (*n_errs < limit) {
		struct l2s_error *e = &errs[*n_errs];
		int r;

		l2s_error_clear(e);
		r = check_all(model, scn, work, sets, n_sets, n_runs, e);
		if (r == 0)
			break;
		if (rc == 0 || rc == L2S_EINPUT)
			rc = r;
		int repeat = 0;
		for (size_t k = 0; k < *n_errs; k++)
			repeat |= l2s_error_same(&errs[k], e) ||
				   is_cascade(e, errs[k].path);
		if (repeat)
			break;
		(*n_errs)++;
		if (r != L2S_EINPUT || scenario_remove_json(work, e->path) != 0)
			break;
	}
	json_decref(work);
	scenario_destroy(scn);
	return rc;
}
