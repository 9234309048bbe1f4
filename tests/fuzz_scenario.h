/*
 * The fuzz targets: any bytes read as a scenario and, if they parse,
 * validated by building the world (fuzz_scenario_one), and also run for a
 * short simulated time (fuzz_run_one); any bytes read as a workload's or the
 * L1's CSV trace, then validated and run (fuzz_trace_one).  Nothing may
 * crash, hang, leak or trip a sanitizer; bad input must come back as an
 * error with a message.
 * Used by tests/fuzz_scenario.c (libFuzzer, `make fuzz`) and by
 * tests/test_fuzz_replay.c (deterministic mutations, part of `make test`).
 */
#ifndef L2SIM_FUZZ_SCENARIO_H
#define L2SIM_FUZZ_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <unistd.h>

#include "l2sim/error.h"
#include "l2sim/results.h"
#include "l2sim/scenario.h"
#include "l2sim/world.h"

/* The file name the scenario text is loaded as (traces are found beside
 * it); NULL: "fuzz.json".  Set only around one call, single-threaded. */
static const char *fuzz_scn_path;

/* Builds the world of 'scn' and, with 'run_for' > 0, runs at most that
 * long (the scenario's duration cut to it) and collects the results. */
static int fuzz_world(struct scenario *scn, sim_time_t run_for,
		      struct l2s_error *err)
{
	if (run_for > 0) {
		/* a short run, whatever the scenario asks */
		json_object_set_new(scn->root, "warmup", json_integer(0));
	}
	struct world_settings ws;
	int rc = world_read_settings(scn, &ws, err);
	if (rc)
		return rc;
	if (run_for > 0 && ws.duration > run_for) {
		/* durations in base units are seconds */
		json_object_set_new(scn->root, "duration",
				    json_integer(run_for / SIM_S));
		if ((rc = world_read_settings(scn, &ws, err)))
			return rc;
	}
	struct sim *sim = sim_create(ws.seed, 0);
	struct world *w = NULL;
	rc = sim ? world_create(sim, scn, &w, err) : L2S_ENOMEM;
	if (rc == 0 && run_for > 0) {
		rc = world_run(w, err);
		struct run_result *res = run_result_create();
		if (rc == 0 && res)
			world_collect(w, res);
		run_result_destroy(res);
		const char *why;
		if (rc == 0 && sim_failure(sim, &why))
			rc = l2s_error_set(err, L2S_ENOMEM, "%s", why);
	}
	world_destroy(w);
	sim_destroy(sim);
	return rc;
}

/* Returns 0 when the input was accepted, 1 when it was rejected with an
 * error, -1 when an error came back without a message (a bug). */
static int fuzz_load_run(const uint8_t *data, size_t size, sim_time_t run_for)
{
	char *text = malloc(size + 1);
	if (!text)
		return 1;
	memcpy(text, data, size);
	text[size] = '\0';
	struct scenario *scn = NULL;
	struct l2s_error err;
	l2s_error_clear(&err);
	int rc = scenario_load_text(fuzz_scn_path ? fuzz_scn_path : "fuzz.json",
				    text, &scn, &err);
	free(text);
	if (rc == 0)
		rc = fuzz_world(scn, run_for, &err);
	scenario_destroy(scn);
	if (rc == 0)
		return 0;
	return err.msg[0] ? 1 : -1;
}

/* Validation only (building the world). */
static int fuzz_scenario_one(const uint8_t *data, size_t size)
{
	return fuzz_load_run(data, size, 0);
}

/* Validation, then at most 30 simulated minutes. */
static int fuzz_run_one(const uint8_t *data, size_t size)
{
	return fuzz_load_run(data, size, 30 * SIM_MIN);
}

/*
 * 'data' as the CSV trace of a workload (l1 = 0) or of the L1's background
 * demand (l1 = 1) of a small scenario in directory 'dir', validated and run
 * for two simulated hours.  Same returns.
 */
static int fuzz_trace_one(const char *dir, const uint8_t *data, size_t size,
			  int l1)
{
	char trace[512], scn[600];
	snprintf(trace, sizeof(trace), "%s/trace.csv", dir);
	snprintf(scn, sizeof(scn), "%s/trace.json", dir);
	FILE *f = fopen(trace, "wb");
	if (!f)
		return 1;
	size_t put = fwrite(data, 1, size, f);
	if (fclose(f) || put != size)
		return 1;
	static const char *const wl_text =
		"{\"name\": \"t\", \"duration\": \"2h\", \"output\": "
		"{\"l1_blocks\": true}, \"workloads\": [{\"name\": \"w\", "
		"\"rate\": {\"type\": \"trace\", \"file\": \"trace.csv\", "
		"\"interval\": \"1m\"}}], \"systems\": [{\"name\": \"zk\", "
		"\"type\": \"zk_rollup\", \"workload\": \"w\"}]}";
	static const char *const l1_text =
		"{\"name\": \"t\", \"duration\": \"2h\", \"l1\": "
		"{\"background\": {\"trace\": \"trace.csv\"}}, \"workloads\": "
		"[{\"name\": \"w\", \"rate\": \"20tps\"}], \"systems\": "
		"[{\"name\": \"zk\", \"type\": \"zk_rollup\", \"workload\": "
		"\"w\"}]}";
	const char *text = l1 ? l1_text : wl_text;
	fuzz_scn_path = scn;
	int rc = fuzz_load_run((const uint8_t *)text, strlen(text), 2 * SIM_HOUR);
	fuzz_scn_path = NULL;
	unlink(trace);
	return rc;
}

#endif
