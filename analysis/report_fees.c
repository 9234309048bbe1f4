/*
 * The report's users'-fee view (docs/model-fees.md): for scenarios whose
 * systems charge fees, a table per sweep point of what users paid, the
 * share priced out, the L2 base fee, the cost per posted transaction and
 * the operator's margin.  Systems without fees are left out; a scenario
 * without any adds nothing.
 */
#include <string.h>

#include "analysis_internal.h"

static const struct an_col fee_cols[] = {
	{"l2_fee_eth_per_tx", "users' fee gwei/tx", 1e9},
	{"priced_out_share", "priced out", 1},
	{"tx_priced_out", "priced out (txs)", 1},
	{"l2_base_fee_gwei_mean", "L2 base fee gwei", 1},
	{"cost_eth_per_tx", "cost gwei/posted tx", 1e9},
	{"operator_margin_eth", "operator margin ETH", 1},
};

#define N_FEE_COLS (sizeof(fee_cols) / sizeof(fee_cols[0]))

/* 1 when 'comp' has a fee metric at point p, 0 when not, < 0 on error. */
static int has_fees(struct report *r, const struct an_group *g,
		    const struct an_point *p, const char *comp)
{
	struct an_stat st;
	int rc = an_point_stat(r->set, g, p, comp, "l2_fee_eth_per_tx", 0,
			       &st, r->err);
	return rc < 0 ? rc : st.n > 0;
}

static int fee_row(struct report *r, const struct an_group *g,
		   const struct an_point *p, const char *comp)
{
	struct an_stat st;
	char cell[64];

	an_buf_puts(&r->html, "<tr><th>");
	html_escape(&r->html, comp);
	an_buf_puts(&r->html, "</th>");
	an_buf_printf(&r->md, "| %s", comp);
	for (size_t i = 0; i < N_FEE_COLS; i++) {
		int rc = an_point_stat(r->set, g, p, comp, fee_cols[i].name, 0,
				       &st, r->err);
		if (rc < 0)
			return rc;
		an_fmt_stat(&st, fee_cols[i].scale, cell, sizeof(cell));
		an_buf_puts(&r->html, "<td>");
		html_escape(&r->html, cell);
		an_buf_puts(&r->html, "</td>");
		an_buf_printf(&r->md, " | %s", cell);
	}
	an_buf_puts(&r->html, "</tr>\n");
	an_buf_puts(&r->md, " |\n");
	return 0;
}

static void fee_head(struct report *r)
{
	an_buf_puts(&r->html, "<div class=\"scroll\"><table>\n<tr><th>system"
		    "</th>");
	an_buf_puts(&r->md, "| system |");
	for (size_t i = 0; i < N_FEE_COLS; i++) {
		an_buf_printf(&r->html, "<th>%s</th>", fee_cols[i].head);
		an_buf_printf(&r->md, " %s |", fee_cols[i].head);
	}
	an_buf_puts(&r->html, "</tr>\n");
	an_buf_puts(&r->md, "\n|---|");
	for (size_t i = 0; i < N_FEE_COLS; i++)
		an_buf_puts(&r->md, "---:|");
	an_buf_puts(&r->md, "\n");
}

/* Names the systems whose fees did not cover their costs at point p. */
static int losses(struct report *r, const struct an_group *g,
		  const struct an_point *p)
{
	struct an_stat st;
	int n = 0;

	for (size_t s = 0; s < g->n_systems; s++) {
		const char *comp = g->systems[s];
		if (!strcmp(comp, "all"))
			continue;
		int rc = an_point_stat(r->set, g, p, comp,
				       "operator_margin_eth", 0, &st, r->err);
		if (rc < 0)
			return rc;
		if (st.n == 0 || !(st.mean < 0))
			continue;
		if (n++ == 0) {
			an_buf_puts(&r->html, "<p>Lost money (fees collected "
				    "below L1, DA and proof costs paid): ");
			an_buf_puts(&r->md, "Lost money (fees collected below "
				    "L1, DA and proof costs paid): ");
		} else {
			an_buf_puts(&r->html, ", ");
			an_buf_puts(&r->md, ", ");
		}
		html_escape(&r->html, comp);
		an_buf_printf(&r->html, " (%.3g ETH)", st.mean);
		an_buf_printf(&r->md, "%s (%.3g ETH)", comp, st.mean);
	}
	if (n) {
		static const char why[] =
			".  A fee set from L1 fees seen earlier (scalars tuned "
			"for other blob fees or fuller blobs, a pricer that "
			"learns its costs from late reports, a running average "
			"of past costs) does not cover what the system pays "
			"when L1 fees rise before its batches land.";
		an_buf_printf(&r->html, "%s</p>\n", why);
		an_buf_printf(&r->md, "%s\n\n", why);
	}
	return 0;
}

int report_fee_tables(struct report *r, const struct an_group *g)
{
	int any = 0, rc;

	for (size_t i = 0; i < g->n_points && !any; i++)
		for (size_t s = 0; s < g->n_systems && !any; s++) {
			rc = has_fees(r, g, &g->points[i], g->systems[s]);
			if (rc < 0)
				return rc;
			any = rc;
		}
	if (!any)
		return 0;
	an_buf_puts(&r->html, "<h3>Users' fees</h3>\n<p>What users paid per "
		    "transaction (L2 execution and L1 data fee), the share of "
		    "arrivals that left because the fee exceeded what their "
		    "transaction was worth to them, and the operator's margin "
		    "(fees collected minus L1, DA and proof costs paid), after "
		    "warm-up.  Mean over replications.</p>\n");
	an_buf_puts(&r->md, "### Users' fees\n\nWhat users paid per "
		    "transaction (L2 execution and L1 data fee), the share of "
		    "arrivals that left because the fee exceeded what their "
		    "transaction was worth to them, and the operator's margin "
		    "(fees collected minus L1, DA and proof costs paid), after "
		    "warm-up.  Mean over replications.\n\n");
	for (size_t i = 0; i < g->n_points; i++) {
		const struct an_point *p = &g->points[i];
		if (p->label[0]) {
			an_buf_puts(&r->html, "<h4>sweep point ");
			html_escape(&r->html, p->label);
			an_buf_puts(&r->html, "</h4>\n");
			an_buf_printf(&r->md, "#### Sweep point %s\n\n",
				      p->label);
		}
		fee_head(r);
		for (size_t s = 0; s < g->n_systems; s++) {
			rc = has_fees(r, g, p, g->systems[s]);
			if (rc < 0)
				return rc;
			if (rc && (rc = fee_row(r, g, p, g->systems[s])) < 0)
				return rc;
		}
		an_buf_puts(&r->html, "</table></div>\n");
		an_buf_puts(&r->md, "\n");
		if ((rc = losses(r, g, p)) < 0)
			return rc;
	}
	return 1;
}

/* ---- the summary printed after a run ------------------------------------- */

int summary_fee_lines(struct an_set *set, const struct an_group *g,
		      struct an_buf *b, struct l2s_error *err)
{
	static const struct {
		const char *name;
		double scale;
	} cols[] = {
		{"l2_fee_eth_per_tx", 1e9}, {"priced_out_share", 1},
		{"l2_base_fee_gwei_mean", 1}, {"operator_margin_eth", 1},
	};
	int head = 0;

	for (size_t i = 0; i < g->n_points; i++) {
		const struct an_point *p = &g->points[i];
		for (size_t s = 0; s < g->n_systems; s++) {
			char cell[4][64], label[300];
			struct an_stat st;
			int have = 0;
			for (size_t c = 0; c < 4; c++) {
				int rc = an_point_stat(set, g, p,
						       g->systems[s],
						       cols[c].name, 0, &st,
						       err);
				if (rc < 0)
					return rc;
				have |= st.n > 0;
				an_fmt_stat(&st, cols[c].scale, cell[c],
					    sizeof(cell[c]));
			}
			if (!have)
				continue;
			if (!head++)
				an_buf_printf(b, "\n%-25s %-15s %-13s %-17s %s\n",
					      "users' fees", "fee gwei/tx",
					      "priced out", "L2 base gwei",
					      "operator margin ETH");
			snprintf(label, sizeof(label), "%s%s%s",
				 g->systems[s], p->label[0] ? " " : "",
				 p->label);
			an_buf_printf(b, "%-25s %-15s %-13s %-17s %s\n", label,
				      cell[0], cell[1], cell[2], cell[3]);
		}
	}
	return 0;
}
