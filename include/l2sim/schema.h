/*
 * The JSON Schema (draft 2020-12) of the scenario format, generated from
 * the loader (sim/schema.c says how).
 */
#ifndef L2SIM_SCHEMA_H
#define L2SIM_SCHEMA_H

#include <stddef.h>

#include <jansson.h>

#include "l2sim/error.h"
#include "l2sim/model.h"

/* Builds the schema by running 'model''s loader (l2sim's: world_model)
 * over the built-in probe; *out is a new reference, *probe_runs (may be NULL)
 * the loader runs it took.  Returns 0, L2S_ENOMEM, or L2S_EINPUT when
 * the built-in probe no longer loads (a bug). */
int schema_build(const struct sim_model *model, json_t **out,
		 size_t *probe_runs, struct l2s_error *err);

#endif
