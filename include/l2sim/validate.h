/*
 * Checking a scenario for `l2sim validate`: every error it can find, up
 * to a limit (sim/validate.c says how).
 */
#ifndef L2SIM_VALIDATE_H
#define L2SIM_VALIDATE_H

#include <stddef.h>

#include "l2sim/error.h"
#include "l2sim/model.h"
#include "l2sim/runner.h"

/* Errors `l2sim validate` lists at most. */
#define VALIDATE_MAX_ERRORS 20

/*
 * Checks scenario 'path' (built as 'model') with the --set overrides 'sets' (every sweep
 * point).  Fills errs[0 .. *n_errs - 1] (at most 'limit'), each located
 * like the loader's errors; *n_runs gets the runs the scenario makes once
 * it is valid.  Returns 0 when valid, else the code of the first error
 * (L2S_EINPUT, L2S_EUSAGE for a bad --set, L2S_EIO, L2S_ENOMEM).
 */
int validate_all(const struct sim_model *model, const char *path,
		 const char *const *sets, size_t n_sets,
		 size_t limit, struct l2s_error *errs, size_t *n_errs,
		 size_t *n_runs);

#endif
