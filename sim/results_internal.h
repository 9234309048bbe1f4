/*
 * The views of the results database (sim/resviews.c), shared by the
 * writer (sim/results.c) and the commands that read databases.
 *
 *   run_points      one row per run: run_id, [identity,] scenario_name,
 *                   seed, replication, status, then one column per swept
 *                   path ("systems[0].count"), with the value of the run's
 *                   sweep point; a zipped key "a,b" becomes columns "a" and
 *                   "b".  A path that equals one of the fixed columns is
 *                   named "sweep.PATH".
 *   system_metrics  one row per run and component: run_id, component,
 *                   type (the attribute 'type', a system's type as text;
 *                   NULL for components that are not systems), then one
 *                   column per metric name, NULL where the component does
 *                   not report it.  A metric named like a fixed column is
 *                   named "metric.NAME".
 *
 * Their columns follow the data, so they are rebuilt when a run brings a
 * sweep key or a metric name they do not have.
 */
#ifndef L2SIM_RESULTS_INTERNAL_H
#define L2SIM_RESULTS_INTERNAL_H

#include <sqlite3.h>

#include "l2sim/error.h"
#include "l2sim/results.h"

struct resviews;

/* Makes sure the views cover run 'r' (not yet committed, in the open
 * transaction on 'h'): the first call of a writer rebuilds them from the
 * whole database and remembers their columns in *cache; later calls
 * rebuild only when 'r' has something new.  Returns 0, L2S_EDB or
 * L2S_ENOMEM. */
int resviews_update(sqlite3 *h, struct resviews **cache,
		    const struct run_result *r, struct l2s_error *err);
void resviews_destroy(struct resviews *v);

#endif
