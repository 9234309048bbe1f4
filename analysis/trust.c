/*
 * The trust table: each system's profile from the systems table (who can
 * stop a user's transaction and for how long, validity, data, settlement)
 * beside its measured scaling (L1 bytes per transaction) and what it
 * shares with others.  Rendered as text for the summary and as HTML and
 * Markdown for the report.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis_internal.h"

struct trow {
	char comp[112], type[32], seq[24], live[24], validity[24], data[24];
	char settles[112], depends[192];
	double bound, bytes;
};

/* Formats a bound in the largest whole unit: "24h", "7d", "12s". */
static void fmt_bound(double s, char *buf, size_t cap)
{
	if (!isfinite(s))
		snprintf(buf, cap, "unbounded");
	else if (s >= 86400 && fmod(s, 86400) == 0)
		snprintf(buf, cap, "%.0fd", s / 86400);
	else if (s >= 3600 && fmod(s, 3600) == 0)
		snprintf(buf, cap, "%.0fh", s / 3600);
	else if (s >= 60 && fmod(s, 60) == 0)
		snprintf(buf, cap, "%.0fmin", s / 60);
	else
		snprintf(buf, cap, "%.3gs", s);
}

static void col(char *dst, size_t cap, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/* Calls 'fn' for each row of run 'run'; returns the row count, or
 * L2S_EDB.  A database without the table has no rows. */
static int each_row(sqlite3 *db, int64_t run,
		    void (*fn)(void *, const struct trow *), void *ctx,
		    struct l2s_error *err)
{
	sqlite3_stmt *st = NULL;
	const char *sql =
		"SELECT s.component, s.type, s.sequencing, s.liveness,"
		" s.liveness_bound_s, s.validity, s.data, s.settles_on,"
		" s.depends_on, m.value FROM systems s LEFT JOIN metrics m"
		" ON m.run_id = s.run_id AND m.component = s.component"
		" AND m.name = 'l1_da_bytes_per_tx' WHERE s.run_id = ?"
		" ORDER BY s.component";
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		/* Results from before the table existed. */
		if (strstr(sqlite3_errmsg(db), "no such"))
			return 0;
		return l2s_error_set(err, L2S_EDB, "cannot read systems: %s",
				     sqlite3_errmsg(db));
	}
	sqlite3_bind_int64(st, 1, run);
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct trow r;
		col(r.comp, sizeof(r.comp), st, 0);
		col(r.type, sizeof(r.type), st, 1);
		col(r.seq, sizeof(r.seq), st, 2);
		col(r.live, sizeof(r.live), st, 3);
		r.bound = sqlite3_column_type(st, 4) == SQLITE_NULL
				  ? NAN
				  : sqlite3_column_double(st, 4);
		col(r.validity, sizeof(r.validity), st, 5);
		col(r.data, sizeof(r.data), st, 6);
		col(r.settles, sizeof(r.settles), st, 7);
		col(r.depends, sizeof(r.depends), st, 8);
		r.bytes = sqlite3_column_type(st, 9) == SQLITE_NULL
				  ? NAN
				  : sqlite3_column_double(st, 9);
		fn(ctx, &r);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return l2s_error_set(err, L2S_EDB, "cannot read systems: %s",
				     sqlite3_errmsg(db));
	return n;
}

static void text_row(void *ctx, const struct trow *r)
{
	struct an_buf *b = ctx;
	char bound[32], bytes[32], live[64];
	fmt_bound(r->bound, bound, sizeof(bound));
	snprintf(live, sizeof(live), "%s (%s)", r->live, bound);
	an_fmt(r->bytes, bytes, sizeof(bytes));
	an_buf_printf(b, "%-14.14s%-10.10s%-28.28s%-16.16s%-11.11s%-8.8s%-9.9s%s\n",
		      r->comp, r->seq, live, r->validity, r->data, r->settles,
		      bytes, r->depends);
}

int an_trust_text(sqlite3 *db, int64_t run, struct an_buf *b,
		  struct l2s_error *err)
{
	size_t mark = b->len;
	an_buf_printf(b, "%-14s%-10s%-28s%-16s%-11s%-8s%-9s%s\n", "trust",
		      "seq.", "liveness (bound)", "validity", "data",
		      "settles", "L1 B/tx", "depends on");
	int n = each_row(db, run, text_row, b, err);
	if (n <= 0 && b->s) {
		/* Nothing to show: drop the header. */
		b->len = mark;
		b->s[mark] = '\0';
	}
	return n < 0 ? n : 0;
}

struct html_ctx {
	struct an_buf *html, *md;
};

static void html_row(void *ctx, const struct trow *r)
{
	struct html_ctx *c = ctx;
	char bound[32], bytes[32];
	fmt_bound(r->bound, bound, sizeof(bound));
	an_fmt(r->bytes, bytes, sizeof(bytes));
	const char *cells[] = {r->comp, r->type, r->seq, r->live, bound,
			       r->validity, r->data, r->settles, bytes,
			       r->depends};
	an_buf_puts(c->html, "<tr>");
	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		an_buf_puts(c->html, "<td>");
		html_escape(c->html, cells[i]);
		an_buf_puts(c->html, "</td>");
	}
	an_buf_puts(c->html, "</tr>\n");
	an_buf_puts(c->md, "|");
	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
		an_buf_printf(c->md, " %s |", cells[i]);
	an_buf_puts(c->md, "\n");
}

int an_trust_html(sqlite3 *db, int64_t run, struct an_buf *html,
		  struct an_buf *md, struct l2s_error *err)
{
	size_t mh = html->len, mm = md->len;
	static const char *const heads[] = {
		"system", "type", "sequencing", "liveness", "bound",
		"validity", "data", "settles on", "L1 bytes/tx", "depends on",
	};
	an_buf_puts(html, "<h3>Trust</h3>\n<p>Who can stop a user's "
		    "transaction and for how long (the bound: forced "
		    "inclusion, takeover, or the next L1 proposer), what makes "
		    "the state valid, where the data is, beside the measured "
		    "L1 bytes per transaction and what the system shares "
		    "with others.</p>\n<table>\n<tr>");
	an_buf_puts(md, "### Trust\n\n|");
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		an_buf_printf(html, "<th>%s</th>", heads[i]);
		an_buf_printf(md, " %s |", heads[i]);
	}
	an_buf_puts(html, "</tr>\n");
	an_buf_puts(md, "\n|");
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		an_buf_puts(md, "---|");
	an_buf_puts(md, "\n");
	struct html_ctx c = {html, md};
	int n = each_row(db, run, html_row, &c, err);
	if (n <= 0) {
		if (html->s) {
			html->len = mh;
			html->s[mh] = '\0';
		}
		if (md->s) {
			md->len = mm;
			md->s[mm] = '\0';
		}
		return n < 0 ? n : 0;
	}
	an_buf_puts(html, "</table>\n");
	an_buf_puts(md, "\n");
	return 0;
}
