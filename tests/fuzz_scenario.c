/* libFuzzer entry point for the scenario loader (`make fuzz`). */
#include "fuzz_scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	if (fuzz_scenario_one(data, size) < 0)
		abort(); /* an error without a message */
	return 0;
}
