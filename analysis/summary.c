/*
 * The table printed after `l2sim run`: per scenario, per system, the sweep
 * points as rows, mean ± 95% CI across replications.  Two tables per
 * scenario (throughput and cost; latency tiers) keep lines within 100
 * columns.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "analysis_internal.h"

#define LABEL_W 22
#define COL_W 14
#define LAT_W 25

/* Display width of UTF-8 text (each code point one column). */
static size_t text_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

/* Appends 's' padded (or cut, with '~') to 'width' columns. */
static void put_cell(struct an_buf *b, const char *s, size_t width)
{
	size_t w = text_width(s);

	if (w >= width) {
		/* cut at a code point boundary, leaving room for '~ ' */
		size_t cols = 0, i = 0;
		while (s[i] && cols < width - 2) {
			i++;
			while (((unsigned char)s[i] & 0xC0) == 0x80)
				i++;
			cols++;
		}
		an_buf_printf(b, "%.*s~ ", (int)i, s);
		return;
	}
	an_buf_printf(b, "%s%*s", s, (int)(width - w), "");
}

struct col {
	const char *name;
	double scale;
};

static const struct col main_cols[] = {
	{"tps_offered", 1}, {"tps_posted", 1}, {"l1_da_bytes_per_tx", 1},
	{"cost_eth_per_tx", 1e9}, {"liveness_failures", 1},
};

static const char *const tiers[] = {"sequenced", "posted", "finalized"};

/* Liveness by cause: the union, then each cause (seconds). */
#define LIVE_W 13
static const char *const live_cols[] = {
	"liveness_failure_seconds",
	"liveness_failure_seconds_sequencing",
	"liveness_failure_seconds_posting",
	"liveness_failure_seconds_finality",
	"liveness_failure_seconds_dropped",
	"liveness_failure_seconds_halted",
};
#define LIVE_COLS (sizeof(live_cols) / sizeof(live_cols[0]))

/* What the liveness mechanisms did: forcing through L1, its gas and fees,
 * slashing, broken pre-confirmations, soft confirmations reverted. */
static const char *const rec_cols[] = {
	"tx_forced", "forced_l1_gas", "forced_l1_fee_eth", "slashed_eth",
	"preconf_broken", "soft_reverted_txs",
};
#define REC_COLS (sizeof(rec_cols) / sizeof(rec_cols[0]))

static int row_main(struct an_set *set, const struct an_group *g,
		    const struct an_point *p, const char *sys,
		    const char *label, struct an_buf *b,
		    struct l2s_error *err)
{
	char cell[64];
	struct an_stat st;
	int rc;

	put_cell(b, label, LABEL_W);
	for (size_t i = 0; i < sizeof(main_cols) / sizeof(main_cols[0]); i++) {
		rc = an_point_stat(set, g, p, sys, main_cols[i].name, 0, &st,
				   err);
		if (rc < 0)
			return rc;
		an_fmt_stat(&st, main_cols[i].scale, cell, sizeof(cell));
		put_cell(b, cell, COL_W);
	}
	while (b->len && b->s[b->len - 1] == ' ')
		b->s[--b->len] = '\0';
	an_buf_puts(b, "\n");
	return 0;
}

static int row_live(struct an_set *set, const struct an_group *g,
		    const struct an_point *p, const char *sys,
		    const char *label, const char *const *cols, size_t n,
		    struct an_buf *b, struct l2s_error *err)
{
	char cell[64];
	struct an_stat st;
	int rc;

	put_cell(b, label, LABEL_W);
	for (size_t i = 0; i < n; i++) {
		rc = an_point_stat(set, g, p, sys, cols[i], 0, &st, err);
		if (rc < 0)
			return rc;
		an_fmt_stat(&st, 1, cell, sizeof(cell));
		put_cell(b, cell, LIVE_W);
	}
	while (b->len && b->s[b->len - 1] == ' ')
		b->s[--b->len] = '\0';
	an_buf_puts(b, "\n");
	return 0;
}

/* Whether any of metrics cols[0..n-1] is above 0 for a system at a
 * point: 1, 0, or an error. */
static int any_positive(struct an_set *set, const struct an_group *g,
			const char *const *cols, size_t n,
			struct l2s_error *err)
{
	for (size_t s = 0; s < g->n_systems; s++)
		for (size_t i = 0; i < g->n_points; i++)
			for (size_t c = 0; c < n; c++) {
				struct an_stat st;
				int rc = an_point_stat(set, g, &g->points[i],
						       g->systems[s], cols[c],
						       0, &st, err);
				if (rc < 0)
					return rc;
				if (st.n && st.mean > 0)
					return 1;
			}
	return 0;
}

static int row_latency(struct an_set *set, const struct an_group *g,
		       const struct an_point *p, const char *sys,
		       const char *label, struct an_buf *b,
		       struct l2s_error *err)
{
	char name[64], c50[48], c99[48], cell[100];
	struct an_stat s50, s99;
	int rc;

	put_cell(b, label, LABEL_W);
	for (size_t i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "latency_%s_p50", tiers[i]);
		if ((rc = an_point_stat(set, g, p, sys, name, 0, &s50,
					err)) < 0)
			return rc;
		snprintf(name, sizeof(name), "latency_%s_p99", tiers[i]);
		if ((rc = an_point_stat(set, g, p, sys, name, 0, &s99,
					err)) < 0)
			return rc;
		an_fmt_stat(&s50, 1, c50, sizeof(c50));
		an_fmt_stat(&s99, 1, c99, sizeof(c99));
		snprintf(cell, sizeof(cell), "%s / %s", c50, c99);
		put_cell(b, cell, LAT_W);
	}
	while (b->len && b->s[b->len - 1] == ' ')
		b->s[--b->len] = '\0';
	an_buf_puts(b, "\n");
	return 0;
}

/* Rows of one table: without a sweep one row per system, else a heading
 * per system and a row per sweep point. */
static int table_rows(struct an_set *set, const struct an_group *g,
		      int kind, struct an_buf *b, struct l2s_error *err)
{
	int flat = g->n_points == 1 && g->points[0].label[0] == '\0';
	int rc;

	for (size_t s = 0; s < g->n_systems; s++) {
		const char *sys = g->systems[s];

		if (!flat)
			an_buf_printf(b, "%s\n", sys);
		for (size_t i = 0; i < g->n_points; i++) {
			const struct an_point *p = &g->points[i];
			char label[256];

			if (flat)
				snprintf(label, sizeof(label), "%s", sys);
			else
				snprintf(label, sizeof(label), "  %s",
					 p->label);
			rc = kind == 1 ?
				row_latency(set, g, p, sys, label, b, err) :
			     kind == 2 ?
				row_live(set, g, p, sys, label, live_cols,
					 LIVE_COLS, b, err) :
			     kind == 3 ?
				row_live(set, g, p, sys, label, rec_cols,
					 REC_COLS, b, err) :
				row_main(set, g, p, sys, label, b, err);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static int l1_lines(struct an_set *set, const struct an_group *g,
		    struct an_buf *b, struct l2s_error *err)
{
	static const char *const names[] = {
		"blocks", "base_fee_gwei_mean", "blob_base_fee_gwei_mean",
		"blob_utilization",
	};
	struct an_stat st[4];
	char v[4][32];

	for (size_t i = 0; i < g->n_points; i++) {
		const struct an_point *p = &g->points[i];
		size_t have = 0;

		for (size_t k = 0; k < 4; k++) {
			int rc = an_point_stat(set, g, p, "l1", names[k], 0,
					       &st[k], err);
			if (rc < 0)
				return rc;
			have += st[k].n > 0;
			an_fmt(st[k].n ? st[k].mean : NAN, v[k],
			       sizeof(v[k]));
		}
		if (!have)
			continue;
		if (st[0].n)
			snprintf(v[0], sizeof(v[0]), "%.0f", st[0].mean);
		if (st[3].n)
			snprintf(v[3], sizeof(v[3]), "%.1f%%",
				 st[3].mean * 100);
		an_buf_printf(b, "l1%s%s: %s blocks, base fee %s gwei, "
			      "blob fee %s gwei, blob utilization %s\n",
			      p->label[0] ? " " : "", p->label, v[0], v[1],
			      v[2], v[3]);
	}
	return 0;
}

/*
 * One line per sweep point on sequencing and composability ("all"), when
 * the scenario uses more than an own sequencer's default ordering: MEV
 * and where it went, bundles, messages (docs/model-sequencing.md).
 */
static int seq_lines(struct an_set *set, const struct an_group *g,
		     struct an_buf *b, struct l2s_error *err)
{
	enum { MEV, SEQ, SYS, L1, SRCH, OK, FAIL, SENT, DEL, P50, COST, AUC, N };
	static const char *const names[N] = {
		"mev_eth", "mev_to_sequencer_eth", "mev_to_system_eth",
		"mev_to_l1_eth", "mev_to_searchers_eth", "bundles_atomic",
		"bundles_failed", "msg_sent", "msg_delivered",
		"msg_latency_p50", "msg_cost_eth", "auction_revenue_eth",
	};
	struct an_stat st[N];
	char v[N][32];

	for (size_t i = 0; i < g->n_points; i++) {
		const struct an_point *p = &g->points[i];
		for (size_t k = 0; k < N; k++) {
			int rc = an_point_stat(set, g, p, "all", names[k], 0,
					       &st[k], err);
			if (rc < 0)
				return rc;
			an_fmt(st[k].n ? st[k].mean : NAN, v[k],
			       sizeof(v[k]));
		}
		bool bundles = st[OK].n && st[OK].mean + st[FAIL].mean > 0;
		bool msgs = st[SENT].n && st[SENT].mean > 0;
		bool other = (st[SYS].n && st[SYS].mean > 0) ||
			     (st[L1].n && st[L1].mean > 0) ||
			     (st[AUC].n && st[AUC].mean > 0);
		if (!bundles && !msgs && !other)
			continue;
		an_buf_printf(b, "sequencing%s%s: MEV %s ETH (sequencer %s, "
			      "system %s, L1 %s, searchers %s)",
			      p->label[0] ? " " : "", p->label, v[MEV],
			      v[SEQ], v[SYS], v[L1], v[SRCH]);
		if (st[AUC].n)
			an_buf_printf(b, ", auctions %s ETH", v[AUC]);
		if (bundles)
			an_buf_printf(b, ", bundles %s atomic / %s failed",
				      v[OK], v[FAIL]);
		if (msgs)
			an_buf_printf(b, ", messages %s of %s delivered, "
				      "p50 %s s, relays %s ETH", v[DEL],
				      v[SENT], v[P50], v[COST]);
		an_buf_puts(b, "\n");
	}
	return 0;
}

/*
 * One line per system and sweep point where an internal limit bound
 * during the run (mean over replications), so that a plateau or a drop
 * is not mistaken for the modelled system's: the mempool limit dropping
 * arrivals, max_pending_txs holding back a ready batch, a queue of more
 * than COHORT_Q_MAX cohorts merging neighbours (coarser latencies), a
 * proof transaction cut to the L1 per-transaction gas cap.
 */
static int limit_lines(struct an_set *set, const struct an_group *g,
		       struct an_buf *b, struct l2s_error *err)
{
	static const char *const names[] = {
		"limit_mempool_ticks", "limit_pending_ticks",
		"limit_queue_merges", "tx_dropped", "limit_tx_gas_capped",
	};
	for (size_t s = 0; s < g->n_systems; s++) {
		const char *sys = g->systems[s];
		if (!strcmp(sys, "all"))
			continue;
		for (size_t i = 0; i < g->n_points; i++) {
			const struct an_point *p = &g->points[i];
			struct an_stat st[5];
			for (size_t k = 0; k < 5; k++) {
				int rc = an_point_stat(set, g, p, sys, names[k],
						       0, &st[k], err);
				if (rc < 0)
					return rc;
				if (!st[k].n)
					st[k].mean = 0;
			}
			if (!(st[0].mean > 0 || st[1].mean > 0 ||
			      st[2].mean > 0 || st[4].mean > 0))
				continue;
			an_buf_printf(b, "limits bound: %s%s%s:", sys,
				      p->label[0] ? " " : "", p->label);
			const char *sep = "";
			if (st[0].mean > 0) {
				an_buf_printf(b, " mempool_limit dropped %.0f "
					      "txs in %.0f ticks", st[3].mean,
					      st[0].mean);
				sep = ";";
			}
			if (st[1].mean > 0) {
				an_buf_printf(b, "%s max_pending_txs held a "
					      "ready batch in %.0f ticks", sep,
					      st[1].mean);
				sep = ";";
			}
			if (st[2].mean > 0) {
				an_buf_printf(b, "%s queues merged cohorts "
					      "%.0f times (coarser latencies)",
					      sep, st[2].mean);
				sep = ";";
			}
			if (st[4].mean > 0)
				an_buf_printf(b, "%s %.0f proof transactions cut "
					      "to the L1 per-transaction gas cap "
					      "(cost understated)", sep,
					      st[4].mean);
			an_buf_puts(b, "\n");
		}
	}
	return 0;
}

static int print_group(struct an_set *set, const struct an_group *g,
		       struct an_buf *b, struct l2s_error *err)
{
	size_t rmin = (size_t)-1, rmax = 0;
	int rc;

	for (size_t i = 0; i < g->n_points; i++) {
		if (g->points[i].n_runs < rmin)
			rmin = g->points[i].n_runs;
		if (g->points[i].n_runs > rmax)
			rmax = g->points[i].n_runs;
	}
	an_buf_printf(b, "scenario \"%s\": %zu run%s", g->scenario,
		      g->n_runs, g->n_runs == 1 ? "" : "s");
	if (g->n_points > 1 || (g->n_points && g->points[0].label[0]))
		an_buf_printf(b, ", %zu sweep point%s", g->n_points,
			      g->n_points == 1 ? "" : "s");
	if (g->n_points) {
		if (rmin == rmax)
			an_buf_printf(b, " x %zu replication%s", rmin,
				      rmin == 1 ? "" : "s");
		else
			an_buf_printf(b, " x %zu-%zu replications", rmin,
				      rmax);
		an_buf_puts(b, rmax > 1 ? ", mean ± 95% CI" : "");
	}
	an_buf_puts(b, "\n");
	if (g->n_skipped)
		an_buf_printf(b, "(%zu run%s not \"ok\" left out)\n",
			      g->n_skipped, g->n_skipped == 1 ? "" : "s");
	if (!g->n_points)
		return 0;
	if (g->n_systems == 0) {
		an_buf_puts(b, "no system reported tx_offered\n");
	} else {
		static const char *const h1[] = {"TPS", "TPS", "L1 bytes",
						 "cost", "liveness"};
		static const char *const h2[] = {"offered", "posted", "per tx",
						 "gwei/tx", "failures"};
		const char *first = g->n_points == 1 &&
			g->points[0].label[0] == '\0' ? "system" :
			"system / sweep point";

		an_buf_puts(b, "\n");
		put_cell(b, "", LABEL_W);
		for (size_t i = 0; i < 5; i++)
			put_cell(b, h1[i], COL_W);
		an_buf_puts(b, "\n");
		put_cell(b, first, LABEL_W);
		for (size_t i = 0; i < 5; i++)
			put_cell(b, h2[i], COL_W);
		an_buf_puts(b, "\n");
		if ((rc = table_rows(set, g, 0, b, err)) < 0)
			return rc;

		an_buf_puts(b, "\n");
		put_cell(b, "", LABEL_W);
		an_buf_puts(b, "latency p50 / p99 (s)\n");
		put_cell(b, first, LABEL_W);
		for (size_t i = 0; i < 3; i++)
			put_cell(b, tiers[i], LAT_W);
		an_buf_puts(b, "\n");
		if ((rc = table_rows(set, g, 1, b, err)) < 0)
			return rc;
		an_buf_puts(b, "\n");
		/* Liveness by cause, when anything failed. */
		if ((rc = any_positive(set, g, live_cols, 1, err)) < 0)
			return rc;
		if (rc) {
			static const char *const lh[LIVE_COLS] = {
				"all", "sequencing", "posting", "finality",
				"dropped", "halted",
			};
			put_cell(b, "", LABEL_W);
			an_buf_puts(b, "liveness failure seconds by cause\n");
			put_cell(b, first, LABEL_W);
			for (size_t i = 0; i < LIVE_COLS; i++)
				put_cell(b, lh[i], LIVE_W);
			an_buf_puts(b, "\n");
			if ((rc = table_rows(set, g, 2, b, err)) < 0)
				return rc;
			an_buf_puts(b, "\n");
		}
		/* What the liveness mechanisms did, when they did. */
		if ((rc = any_positive(set, g, rec_cols, REC_COLS, err)) < 0)
			return rc;
		if (rc) {
			static const char *const rh1[REC_COLS] = {
				"forced", "forced L1", "forced L1", "slashed",
				"preconfs", "soft conf.",
			};
			static const char *const rh2[REC_COLS] = {
				"txs", "gas", "fees ETH", "ETH", "broken",
				"reverted",
			};
			put_cell(b, "", LABEL_W);
			an_buf_puts(b, "liveness mechanisms\n");
			put_cell(b, "", LABEL_W);
			for (size_t i = 0; i < REC_COLS; i++)
				put_cell(b, rh1[i], LIVE_W);
			an_buf_puts(b, "\n");
			put_cell(b, first, LABEL_W);
			for (size_t i = 0; i < REC_COLS; i++)
				put_cell(b, rh2[i], LIVE_W);
			an_buf_puts(b, "\n");
			if ((rc = table_rows(set, g, 3, b, err)) < 0)
				return rc;
			an_buf_puts(b, "\n");
		}
	}
	if ((rc = limit_lines(set, g, b, err)) < 0)
		return rc;
	if ((rc = l1_lines(set, g, b, err)) < 0)
		return rc;
	if ((rc = an_settle_lines(set, g, b, err)) < 0)
		return rc;
	if ((rc = seq_lines(set, g, b, err)) < 0)
		return rc;
	if ((rc = summary_fee_lines(set, g, b, err)) < 0)
		return rc;
	/* The trust profile of the first run (it follows the configuration,
	 * so a sweep point may change it; the report shows each point). */
	an_buf_puts(b, "\n");
	return an_trust_text(set->db, g->points[0].runs[0], b, err);
}

int summary_print(struct sqlite3 *db, const int64_t *run_ids, size_t n,
		  FILE *out, struct l2s_error *err)
{
	struct an_set set;
	struct an_buf b = {0};
	int rc;

	if (n == 0)
		return 0;
	rc = an_set_load(&set, db, run_ids, n, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < set.n_groups && rc == 0; i++) {
		if (i)
			an_buf_puts(&b, "\n");
		rc = print_group(&set, &set.groups[i], &b, err);
	}
	an_set_release(&set);
	if (rc == 0 && b.oom)
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
	/* trailing spaces of padded header cells */
	if (rc == 0 && b.s) {
		struct an_buf clean = {0};
		char *line = b.s, *nl;

		while ((nl = strchr(line, '\n'))) {
			char *e = nl;
			while (e > line && e[-1] == ' ')
				e--;
			an_buf_printf(&clean, "%.*s\n", (int)(e - line), line);
			line = nl + 1;
		}
		an_buf_puts(&clean, line);
		if (clean.oom)
			rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		else if (fputs(clean.s, out) == EOF || fflush(out) != 0)
			rc = l2s_error_set(err, L2S_EIO,
					   "cannot write the summary");
		an_buf_release(&clean);
	}
	an_buf_release(&b);
	return rc;
}
