/*
 * What one run produces, held in memory until the writer stores it, and the
 * SQLite results database (tables in docs/reports.md).
 *
 * Components add metrics (component, name, value), time series points and,
 * when the scenario keeps them, per-block L1 rows.  The runner writes each
 * run in one SQLite transaction, in run order.
 */
#ifndef L2SIM_RESULTS_H
#define L2SIM_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "l2sim/error.h"

struct res_metric {
	char *component;
	char *name;
	double value;
};

/* A text-valued property of a component (table 'attributes'), such as a
 * system's type: what a number would only encode. */
struct res_attr {
	char *component;
	char *name;
	char *value;
};

struct res_point {
	const char *component; /* interned in the run's string table */
	const char *name;
	double t_seconds;
	double value;
};

/* A row of l1_blocks.  Fees may exceed 64 bits (EIP-4844 blob base fee);
 * they are saturated at UINT64_MAX here and stored as INTEGER when they fit
 * in SQLite's signed 64 bits, REAL otherwise. */
struct res_l1_block {
	int64_t slot;
	double t_seconds;
	int64_t gas_used;
	uint64_t base_fee_wei;
	int64_t blob_gas_used;
	uint64_t excess_blob_gas;
	uint64_t blob_base_fee_wei;
	int32_t blobs;
};

/* A row of systems: one instance's trust profile.  Strings are copied. */
struct res_system {
	char *component;
	char *type;
	char *sequencing;
	char *liveness;
	double liveness_bound_s;   /* NAN: unbounded (stored as NULL) */
	char *validity;
	char *data;
	char *settles_on;
	char *depends_on;          /* shared resources, space-separated */
};

/* A row of failures: an interval in which a system broke a promise.
 * 'cause' is a string that outlives the run (sequencing, posting,
 * finality, dropped, halted). */
struct res_failure {
	const char *component; /* interned in the run's string table */
	const char *cause;
	double t_start_s, t_end_s;
	double txs;            /* transactions affected */
};

struct run_result {
	/* metadata filled by the runner */
	char *scenario_name;
	char *scenario_sha256;
	char *scenario_json;   /* the scenario as run (after --set and sweep) */
	char *sweep_json;      /* {"path": value, ...} of this sweep point, or "{}" */
	uint64_t seed;
	uint32_t replication;
	double wall_seconds;
	double sim_seconds;
	uint64_t events;
	uint64_t fingerprint;
	int64_t sweep_index;   /* position of the sweep point, 0 without sweep */
	char *identity;        /* resdb_identity() hex, or NULL: computed */
	char *sets_json;       /* {"path": value} of the --set values, or NULL */
	const char *status;    /* "ok", or "failed" */

	struct res_metric *metrics;
	size_t n_metrics, cap_metrics;
	struct res_point *points;
	size_t n_points, cap_points;
	struct res_l1_block *blocks;
	size_t n_blocks, cap_blocks;
	struct res_system *systems;
	size_t n_systems, cap_systems;
	struct res_attr *attrs;
	size_t n_attrs, cap_attrs;
	struct res_failure *failures;
	size_t n_failures, cap_failures;
	char **strings;        /* interned component and series names */
	size_t n_strings, cap_strings;
	int oom;               /* an add failed for lack of memory */
};

struct run_result *run_result_create(void);
void run_result_destroy(struct run_result *r);

/* Sets metric (component, name); a second call for the same pair replaces
 * the value. */
void res_metric_set(struct run_result *r, const char *component,
		    const char *name, double value);
/* Adds to metric (component, name), creating it at 0. */
void res_metric_add(struct run_result *r, const char *component,
		    const char *name, double value);
/* The value of (component, name), or NAN. */
double res_metric_get(const struct run_result *r, const char *component,
		      const char *name);
/* Sets the text attribute (component, name) to a copy of 'value'; a
 * second call for the same pair replaces it. */
void res_attr_set(struct run_result *r, const char *component,
		  const char *name, const char *value);
void res_series_add(struct run_result *r, const char *component,
		    const char *name, double t_seconds, double value);
void res_l1_block_add(struct run_result *r, const struct res_l1_block *row);
/* Adds a row of the systems table (the strings are copied). */
void res_system_add(struct run_result *r, const struct res_system *row);
/* Adds a row of failures (component interned, cause kept as given). */
void res_failure_add(struct run_result *r, const char *component,
		     const char *cause, double t_start_s, double t_end_s,
		     double txs);

/* The database. */
struct resdb;

/* 2: runs.identity, runs.sets_json, table invocations; 3: table failures */
#define RESDB_SCHEMA_VERSION 3
/* How long a statement waits for another connection's lock. */
#define RESDB_BUSY_TIMEOUT_MS 10000

/*
 * Opens (creating if needed) in WAL mode and upgrades the schema, and takes
 * a new invocation number.  Returns 0; L2S_EINPUT for a file that is not an
 * l2sim results database (foreign, damaged, a directory, or of a newer
 * schema version); L2S_EDB when it cannot be opened or written now.
 */
int resdb_open(const char *path, struct resdb **out, struct l2s_error *err);
/* Opens an existing database for reading (recovering the journal of an
 * interrupted write when the file is writable).  Same returns; an empty or
 * missing file is L2S_EINPUT. */
int resdb_open_readonly(const char *path, struct resdb **out,
			struct l2s_error *err);
/* The file name the database was opened with. */
const char *resdb_path(const struct resdb *db);

/*
 * A run's identity (docs/data.md): the hex SHA-256 of the effective scenario
 * (after --set and the sweep point's values; its "sweep" lists and
 * "replications" count left out, keys sorted), the seed, the replication
 * and the engine version (text that is not JSON is hashed as it is).
 * Returns 0 or L2S_ENOMEM.
 */
int resdb_identity(const char *scenario_json, uint64_t seed,
		   uint32_t replication, const char *engine_version,
		   char hex[65]);
/* The engine version stored with every run. */
const char *resdb_engine_version(void);
/* 1 (and *run_id) when a run of this identity is complete ("ok") in the
 * database, 0 when not, or a negative code. */
int resdb_run_complete(struct resdb *db, const char *identity,
		       int64_t *run_id, struct l2s_error *err);
void resdb_close(struct resdb *db);
/* The sqlite3 handle, for queries by analysis/. */
struct sqlite3 *resdb_handle(struct resdb *db);

/* The invocation number of this handle: runs written through it share it
 * (column runs.invocation), so the runs of one `l2sim run` can be grouped. */
int64_t resdb_invocation(const struct resdb *db);

/* Writes one run in one transaction; *run_id_out gets its run_id.  The
 * views run_points and system_metrics (sim/resviews.c) are rebuilt in
 * the same transaction when the run brings a sweep key or metric name
 * they lack. */
int resdb_write_run(struct resdb *db, const struct run_result *r,
		    int64_t *run_id_out, struct l2s_error *err);

/* (Re)creates the views run_points and system_metrics of the database
 * from its current rows (see sim/results_internal.h for their columns).
 * With temp != 0 as TEMP views, which a read-only connection may create:
 * readers call this so that databases written before the views existed
 * have them too.  Returns 0, L2S_EDB or L2S_ENOMEM. */
int resdb_views_create(struct sqlite3 *h, int temp, struct l2s_error *err);

/* What resdb_merge() did. */
struct resdb_merge_stats {
	size_t runs_copied;     /* runs added to the output */
	size_t runs_present;    /* runs whose identity the output had */
	size_t inputs_skipped;  /* inputs that are the output itself */
};

/*
 * Merges the runs of the databases 'in' into 'out' (opened with
 * resdb_open()), in one transaction: a run whose identity is complete in
 * 'out' is skipped, so merging is idempotent; every table with a run_id
 * column comes along.  Returns 0, L2S_EINPUT (an input that is not an l2sim
 * results database), L2S_EDB, L2S_ENOMEM.
 */
int resdb_merge(struct resdb *out, const char *const *in, size_t n_in,
		struct resdb_merge_stats *stats, struct l2s_error *err);

#endif
