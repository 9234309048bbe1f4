/*
 * The mechanisms every system instance may carry, in the order they
 * attach.  The order matters where hooks compete: outage policies are
 * asked in this order (a takeover at full capacity before forcing
 * through L1).
 */
#include <math.h>
#include <string.h>

#include "l2sim/mechanism.h"

extern const struct mechanism mech_takeover;
extern const struct mechanism mech_forced_inclusion;
extern const struct mechanism mech_disputes;
extern const struct mechanism mech_exits;
extern const struct mechanism mech_retention;

const struct mechanism *const mech_registry[] = {
	&mech_takeover,
	&mech_forced_inclusion,
	&mech_disputes,
	&mech_exits,
	&mech_retention,
	NULL,
};

size_t mech_count(void)
{
	size_t n = 0;
	while (mech_registry[n])
		n++;
	return n;
}

static void put(struct mech_metrics *m, const char *name, double value,
		bool is_max)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->name[i], name)) {
			if (!m->is_max[i])
				m->value[i] += value;
			else if (isnan(m->value[i]) || value > m->value[i])
				m->value[i] = value;
			return;
		}
	if (m->n < MECH_METRICS_MAX) {
		m->name[m->n] = name;
		m->is_max[m->n] = is_max;
		m->value[m->n++] = value;
	}
}

void mech_metrics_add(struct mech_metrics *m, const char *name, double value)
{
	put(m, name, value, false);
}

void mech_metrics_max(struct mech_metrics *m, const char *name, double value)
{
	put(m, name, value, true);
}
