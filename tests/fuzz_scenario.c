/*
 * libFuzzer entry point (`make fuzz`).  The first byte picks the target:
 * 0-3 the scenario loader (validation), 4-5 the scenario loader and a short
 * run, 6 a workload's CSV trace, 7 the L1's CSV trace (each validated and
 * run); the rest of the input is the file.
 */
#include <stdio.h>

#include "fuzz_scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1 << 16)
		return 0;
	if (!scratch[0]) {
		snprintf(scratch, sizeof(scratch), "/tmp/l2sim-fuzz-XXXXXX");
		if (!mkdtemp(scratch))
			abort();
	}
	int mode = data[0] & 7, rc;
	data++;
	size--;
	if (mode < 4)
		rc = fuzz_scenario_one(data, size);
	else if (mode < 6)
		rc = fuzz_run_one(data, size);
	else
		rc = fuzz_trace_one(scratch, data, size, mode == 7);
	if (rc < 0)
		abort(); /* an error without a message */
	return 0;
}
