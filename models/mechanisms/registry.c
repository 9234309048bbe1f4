/*
 * The mechanisms every system instance may carry, in the order they
 * attach.  The order matters where hooks compete: outage policies are
 * asked in this order (a takeover at full capacity before forcing
 * through L1); ordering comes before rotation, as an epoch's auction
 * reads what ordering earned the sequencer.
 */
#include <math.h>
#include <string.h>

#include "l2sim/mechanism.h"

extern const struct mechanism mech_backpressure;
extern const struct mechanism mech_hot_standby;
extern const struct mechanism mech_takeover;
extern const struct mechanism mech_self_sequencing;
extern const struct mechanism mech_forced_inclusion;
extern const struct mechanism mech_disputes;
extern const struct mechanism mech_exits;
extern const struct mechanism mech_retention;
extern const struct mechanism mech_ordering;
extern const struct mechanism mech_rotation;
extern const struct mechanism mech_cross_system;
extern const struct mechanism mech_operator;

/* Gates first (backpressure halts before the operator's promises are
 * counted); outage policies by how fast they restore full service. */
const struct mechanism *const mech_registry[] = {
	&mech_backpressure,
	&mech_hot_standby,
	&mech_takeover,
	&mech_self_sequencing,
	&mech_forced_inclusion,
	&mech_disputes,
	&mech_exits,
	&mech_retention,
	&mech_ordering,
	&mech_rotation,
	&mech_cross_system,
	&mech_operator,
	NULL,
};

const char *mech_cause_name(enum mech_cause c)
{
	static const char *const names[CAUSES] = {
		"sequencing", "posting", "finality", "dropped", "halted",
	};
	return c >= 0 && c < CAUSES ? names[c] : "?";
}

size_t mech_count(void)
{
	size_t n = 0;
	while (mech_registry[n])
		n++;
	return n;
}

/* The entry of 'name', made with the given combination when new;
 * MECH_METRICS_MAX when full. */
static size_t slot(struct mech_metrics *m, const char *name, bool is_max,
		   bool mean)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->name[i], name))
			return i;
	if (m->n == MECH_METRICS_MAX)
		return MECH_METRICS_MAX;
	m->name[m->n] = name;
	m->value[m->n] = is_max ? NAN : 0;
	m->weight[m->n] = 0;
	m->is_max[m->n] = is_max;
	m->mean[m->n] = mean;
	return m->n++;
}

void mech_metrics_add(struct mech_metrics *m, const char *name, double value)
{
	size_t i = slot(m, name, false, false);
	if (i < MECH_METRICS_MAX)
		m->value[i] += value;
}

void mech_metrics_max(struct mech_metrics *m, const char *name, double value)
{
	size_t i = slot(m, name, true, false);
	if (i < MECH_METRICS_MAX &&
	    (isnan(m->value[i]) || value > m->value[i]))
		m->value[i] = value;
}

void mech_metrics_add_mean(struct mech_metrics *m, const char *name,
			   double value, double weight)
{
	size_t i = slot(m, name, false, true);
	if (i == MECH_METRICS_MAX || weight <= 0)
		return;
	m->value[i] += value * weight;
	m->weight[i] += weight;
}

double mech_metrics_value(const struct mech_metrics *m, size_t i)
{
	if (!m->mean[i])
		return m->value[i];
	return m->weight[i] > 0 ? m->value[i] / m->weight[i] : NAN;
}

void mech_metrics_merge(struct mech_metrics *into,
			const struct mech_metrics *from)
{
	into->failed = into->failed || from->failed;
	for (size_t i = 0; i < from->n; i++) {
		if (from->mean[i])
			mech_metrics_add_mean(into, from->name[i],
					      from->weight[i] > 0
						      ? from->value[i] /
								from->weight[i]
						      : 0,
					      from->weight[i]);
		else if (from->is_max[i])
			mech_metrics_max(into, from->name[i], from->value[i]);
		else
			mech_metrics_add(into, from->name[i], from->value[i]);
	}
}
