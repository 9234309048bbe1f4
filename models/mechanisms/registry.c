/*
 * The mechanisms every system instance may carry, in the order they
 * attach.  The order matters where hooks compete: outage policies are
 * asked in this order (a takeover at full capacity before forcing
 * through L1).
 */
#include <string.h>

#include "l2sim/mechanism.h"

extern const struct mechanism mech_takeover;
extern const struct mechanism mech_forced_inclusion;
extern const struct mechanism mech_disputes;

const struct mechanism *const mech_registry[] = {
	&mech_takeover,
	&mech_forced_inclusion,
	&mech_disputes,
	NULL,
};

size_t mech_count(void)
{
	size_t n = 0;
	while (mech_registry[n])
		n++;
	return n;
}

void mech_metrics_add(struct mech_metrics *m, const char *name, double value)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->name[i], name)) {
			m->value[i] += value;
			return;
		}
	if (m->n < MECH_METRICS_MAX) {
		m->name[m->n] = name;
		m->value[m->n++] = value;
	}
}
