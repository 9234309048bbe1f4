/*
 * Summary lines of settlement beyond the systems' table: each proof
 * aggregator (L1 transactions, proofs, gas per proof, tree depth, proofs
 * pending) and each key-store design (gas per key change, staleness), one
 * line per sweep point.  Components are found by a metric only they
 * report (rounds_closed, keychange_gas).
 */
#include <math.h>
#include <string.h>

#include "analysis_internal.h"

/* Components of the point's first run that report 'marker'. */
static int each_component(struct an_set *set, const struct an_point *p,
			  const char *marker, char names[][96], size_t max,
			  size_t *n, struct l2s_error *err)
{
	sqlite3_stmt *st = NULL;
	*n = 0;
	if (!p->n_runs)
		return 0;
	if (sqlite3_prepare_v2(set->db, "SELECT DISTINCT component FROM metrics "
			       "WHERE run_id = ? AND name = ? ORDER BY component",
			       -1, &st, NULL) != SQLITE_OK)
		return l2s_error_set(err, L2S_EDB, "summary: %s",
				     sqlite3_errmsg(set->db));
	sqlite3_bind_int64(st, 1, p->runs[0]);
	sqlite3_bind_text(st, 2, marker, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && *n < max)
		snprintf(names[(*n)++], 96, "%s",
			 (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return 0;
}

static int stats(struct an_set *set, const struct an_group *g,
		 const struct an_point *p, const char *comp,
		 const char *const *names, size_t k, char v[][32],
		 struct l2s_error *err)
{
	for (size_t i = 0; i < k; i++) {
		struct an_stat st;
		int rc = an_point_stat(set, g, p, comp, names[i], 0, &st, err);
		if (rc < 0)
			return rc;
		an_fmt(st.n ? st.mean : NAN, v[i], sizeof(v[i]));
	}
	return 0;
}

int an_settle_lines(struct an_set *set, const struct an_group *g,
		    struct an_buf *b, struct l2s_error *err)
{
	static const char *const agg[] = {"rounds", "proofs", "gas_per_proof",
					  "proof_levels", "proofs_pending_end"};
	static const char *const ks[] = {"keychange_gas",
					 "keychange_staleness_p99"};
	char names[32][96], v[5][32];
	size_t n;
	int rc;

	for (size_t i = 0; i < g->n_points; i++) {
		const struct an_point *p = &g->points[i];
		const char *sp = p->label[0] ? " " : "";
		if ((rc = each_component(set, p, "rounds_closed", names, 32, &n,
					 err)))
			return rc;
		for (size_t c = 0; c < n; c++) {
			if ((rc = stats(set, g, p, names[c], agg, 5, v, err)))
				return rc;
			an_buf_printf(b, "aggregator %s%s%s: %s L1 txs, %s proofs, "
				      "%s gas/proof, tree depth %s, %s proofs "
				      "pending\n", names[c], sp, p->label, v[0],
				      v[1], v[2], v[3], v[4]);
		}
		if ((rc = each_component(set, p, "keychange_gas", names, 32, &n,
					 err)))
			return rc;
		for (size_t c = 0; c < n; c++) {
			if ((rc = stats(set, g, p, names[c], ks, 2, v, err)))
				return rc;
			an_buf_printf(b, "keystore %s%s%s: %s gas per key change, "
				      "staleness p99 %s s\n", names[c], sp,
				      p->label, v[0], v[1]);
		}
	}
	return 0;
}
