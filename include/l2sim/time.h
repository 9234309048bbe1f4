/*
 * Simulated time: an int64 count of nanoseconds since the start of a run.
 * Integers throughout, so ties are exact and nothing drifts; units are
 * converted only at the scenario edge (parsing) and the output edge.
 */
#ifndef L2SIM_TIME_H
#define L2SIM_TIME_H

#include <stdint.h>

typedef int64_t sim_time_t;

#define SIM_NS ((sim_time_t)1)
#define SIM_US ((sim_time_t)1000)
#define SIM_MS ((sim_time_t)1000000)
#define SIM_S ((sim_time_t)1000000000)
#define SIM_MIN (60 * SIM_S)
#define SIM_HOUR (3600 * SIM_S)
#define SIM_DAY (86400 * SIM_S)
#define SIM_TIME_MAX INT64_MAX

static inline double sim_time_to_s(sim_time_t t) { return (double)t / 1e9; }

/* Rounds to the nearest nanosecond; saturates at +-SIM_TIME_MAX. */
static inline sim_time_t sim_time_from_s(double s)
{
	double ns = s * 1e9;
	if (ns >= 9.2e18)
		return SIM_TIME_MAX;
	if (ns <= -9.2e18)
		return -SIM_TIME_MAX;
	return (sim_time_t)(ns < 0 ? ns - 0.5 : ns + 0.5);
}

#endif
