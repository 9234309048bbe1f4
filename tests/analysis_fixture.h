/*
 * A small results database for the analysis tests, written through
 * resdb_write_run(): scenario NAME with systems "opti" and "zk" and their
 * sum "all", optionally swept over "workloads[0].rate" = 100 and 200, with
 * REPS replications; metrics are simple functions of (rate, replication k)
 * so that means and confidence intervals can be checked by hand:
 *   opti liveness_failures = k + 1, l1_da_bytes_per_tx = 100 + k,
 *   cost_eth_per_tx = (k + 1) * 1e-6, tps_posted = rate - 1 - k.
 */
#ifndef TESTS_ANALYSIS_FIXTURE_H
#define TESTS_ANALYSIS_FIXTURE_H

#include <math.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2sim/results.h"

static void fixture_system(struct run_result *r, const char *c, double rate,
			   int k, double bytes)
{
	res_metric_set(r, c, "tx_offered", rate * 600);
	res_metric_set(r, c, "tx_sequenced", rate * 600);
	res_metric_set(r, c, "tx_posted", (rate - 1 - k) * 600);
	res_metric_set(r, c, "tx_finalized", (rate - 2 - k) * 600);
	res_metric_set(r, c, "tx_dropped", 0);
	res_metric_set(r, c, "tx_pending_end", (1 + k) * 600);
	res_metric_set(r, c, "tps_offered", rate);
	res_metric_set(r, c, "tps_sequenced", rate);
	res_metric_set(r, c, "tps_posted", rate - 1 - k);
	res_metric_set(r, c, "l1_da_bytes_per_tx", bytes + k);
	res_metric_set(r, c, "da_bytes_per_tx", bytes + k);
	res_metric_set(r, c, "l1_blob_fill", 0.8);
	res_metric_set(r, c, "l1_gas_per_tx", 300 + k);
	res_metric_set(r, c, "blob_gas_per_tx", bytes + k);
	res_metric_set(r, c, "cost_eth_per_tx", (k + 1) * 1e-6);
	res_metric_set(r, c, "latency_sequenced_p50", 0.25);
	/* the same in every replication but for rounding (summed in
	 * another order): shown without a spread */
	res_metric_set(r, c, "latency_sequenced_p99", 0.5 * (1 + k * 1e-15));
	res_metric_set(r, c, "latency_posted_p50", 60 + k);
	res_metric_set(r, c, "latency_posted_p99", 120 + k);
	res_metric_set(r, c, "latency_finalized_p50", bytes > 50 ?
		       604800 : 3600);
	res_metric_set(r, c, "latency_finalized_p99", bytes > 50 ?
		       605000 : 7200);
	res_metric_set(r, c, "backlog_max", 10 + k);
	res_metric_set(r, c, "liveness_failures", k + 1);
	res_metric_set(r, c, "liveness_failure_seconds", 0);
	res_metric_set(r, c, "max_posting_gap_s", 24);
	for (int i = 0; i <= 50; i++) {
		double t = 12.0 * i;
		res_series_add(r, c, "tps_offered", t, rate + 10 * sin(t / 60));
		res_series_add(r, c, "tps_posted", t,
			       rate - 1 - k + 8 * sin(t / 50));
		res_series_add(r, c, "backlog", t, 100 + 50 * cos(t / 70));
		res_series_add(r, c, "l1_da_bytes_per_tx", t,
			       bytes + k + 5 * sin(t / 40));
		res_series_add(r, c, "cost_eth_per_tx", t,
			       (k + 1) * 1e-6 * (1.5 + sin(t / 90)));
	}
}

/* Appends the runs to 'path' (created when missing). */
static int fixture_db(const char *path, const char *name, int sweep,
		      int reps)
{
	struct resdb *db;
	struct l2s_error err;
	int n_points = sweep ? 2 : 1;

	memset(&err, 0, sizeof(err));
	if (resdb_open(path, &db, &err) < 0) {
		fprintf(stderr, "fixture: %s\n", err.msg);
		return -1;
	}
	for (int p = 0; p < n_points; p++) {
		double rate = 100.0 * (p + 1);
		for (int k = 0; k < reps; k++) {
			struct run_result *r = run_result_create();
			char sw[64];
			int64_t id;

			snprintf(sw, sizeof(sw), "{\"workloads[0].rate\": %g}",
				 rate);
			r->scenario_name = strdup(name);
			r->scenario_sha256 = strdup("00ff");
			/* the effective scenario: name and point's value
			 * (runs are identified by it) */
			json_t *sj = json_pack("{s:s, s:f}", "name", name,
					       "rate", sweep ? rate : 0.0);
			r->scenario_json = json_dumps(sj, JSON_COMPACT);
			json_decref(sj);
			r->sweep_json = strdup(sweep ? sw : "{}");
			r->seed = 1;
			r->replication = (uint32_t)k;
			r->status = "ok";
			fixture_system(r, "opti", rate, k, 100);
			fixture_system(r, "zk", rate, k, 20);
			fixture_system(r, "all", 2 * rate, k, 60);
			res_metric_set(r, "l1", "blocks", 50);
			res_metric_set(r, "l1", "base_fee_gwei_mean", 10 + k);
			res_metric_set(r, "l1", "base_fee_gwei_max", 20 + k);
			res_metric_set(r, "l1", "blob_base_fee_gwei_mean",
				       1e-9);
			res_metric_set(r, "l1", "blob_base_fee_gwei_max", 2e-9);
			res_metric_set(r, "l1", "blobs_per_block_mean", 3);
			res_metric_set(r, "l1", "blob_utilization", 0.5);
			res_metric_set(r, "l1", "gas_utilization", 0.5);
			res_metric_set(r, "celestia", "bytes_posted", 1e6);
			for (int i = 0; i <= 50; i++) {
				double t = 12.0 * i;
				res_series_add(r, "l1", "base_fee_gwei", t,
					       10 + 5 * sin(t / 100));
				res_series_add(r, "l1", "blob_base_fee_gwei",
					       t, 1e-9 * exp(t / 30));
				res_series_add(r, "l1", "blobs_per_block", t,
					       i % 7);
			}
			if (resdb_write_run(db, r, &id, &err) < 0) {
				fprintf(stderr, "fixture: %s\n", err.msg);
				run_result_destroy(r);
				resdb_close(db);
				return -1;
			}
			run_result_destroy(r);
		}
	}
	resdb_close(db);
	return 0;
}

#endif
