/*
 * The scenario loader's fuzz target: any bytes are read as a scenario and,
 * if they parse, validated by building (not running) the world.  Nothing may
 * crash, leak or trip a sanitizer; bad input must come back as an error.
 * Used by tests/fuzz_scenario.c (libFuzzer, `make fuzz`) and by
 * tests/test_fuzz_replay.c (deterministic mutations, part of `make test`).
 */
#ifndef L2SIM_FUZZ_SCENARIO_H
#define L2SIM_FUZZ_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2sim/error.h"
#include "l2sim/scenario.h"
#include "l2sim/world.h"

/* Returns 0 when the input was accepted, 1 when it was rejected with an
 * error, -1 when an error came back without a message (a bug). */
static int fuzz_scenario_one(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 1;
	memcpy(text, data, size);
	text[size] = '\0';
	struct scenario *scn = NULL;
	struct l2s_error err;
	l2s_error_clear(&err);
	int rc = scenario_load_text("fuzz.json", text, &scn, &err);
	free(text);
	if (rc == 0) {
		struct world_settings ws;
		rc = world_read_settings(scn, &ws, &err);
		if (rc == 0) {
			struct sim *sim = sim_create(ws.seed, 0);
			struct world *w = NULL;
			rc = sim ? world_create(sim, scn, &w, &err) : L2S_ENOMEM;
			world_destroy(w);
			sim_destroy(sim);
		}
	}
	scenario_destroy(scn);
	if (rc == 0)
		return 0;
	return err.msg[0] ? 1 : -1;
}

#endif
