/* `l2sim report`: files, decodable non-blank PNGs, links that resolve. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "support/testutil.h"
#include <gsl/gsl_errno.h>
#include <zlib.h>

#include "l2sim/analysis.h"
#include "l2sim/results.h"

#include "analysis_fixture.h"

struct paths {
	char dir[64];
	char db[128];
	char out[128];
};

static int setup(void **state)
{
	struct paths *p = calloc(1, sizeof(*p));

	snprintf(p->dir, sizeof(p->dir), "/tmp/l2sim-test-report-XXXXXX");
	if (!mkdtemp(p->dir))
		return -1;
	snprintf(p->db, sizeof(p->db), "%s/two.db", p->dir);
	snprintf(p->out, sizeof(p->out), "%s/report", p->dir);
	/* a swept scenario with 3 replications, and a plain one whose name
	 * needs escaping */
	if (fixture_db(p->db, "demo", 1, 3) < 0 ||
	    fixture_db(p->db, "x<b>&\"y", 0, 1) < 0)
		return -1;
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct paths *p = *state;
	if (test_rmdir(p->dir) != 0)
		return -1;
	free(p);
	return 0;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/*
 * Decodes a PNG (8-bit, any colour type, not interlaced): checks the
 * signature and IHDR, inflates the IDAT chunks, undoes the row filters and
 * returns the fraction of pixels that differ from the top-left one.
 */
static double png_ink(const char *path, uint32_t *w_out, uint32_t *h_out)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n',
					     0x1a, '\n'};
	static const int channels[7] = {1, 0, 3, 1, 2, 0, 4};
	size_t len, pos = 8, zlen = 0;
	unsigned char *png = (unsigned char *)test_read_file(path, &len), *z = NULL;

	assert_non_null(png);
	assert_true(len > 33);
	assert_memory_equal(png, sig, 8);
	assert_memory_equal(png + 12, "IHDR", 4);
	uint32_t w = be32(png + 16), h = be32(png + 20);
	int depth = png[24], type = png[25], interlace = png[28];
	assert_int_equal(depth, 8);
	assert_true(type <= 6 && channels[type] > 0);
	assert_int_equal(interlace, 0);
	z = malloc(len);
	while (pos + 8 <= len) {
		uint32_t n = be32(png + pos);
		if (memcmp(png + pos + 4, "IDAT", 4) == 0) {
			memcpy(z + zlen, png + pos + 8, n);
			zlen += n;
		}
		if (memcmp(png + pos + 4, "IEND", 4) == 0)
			break;
		pos += 12 + n;
	}
	size_t bpp = (size_t)channels[type], stride = w * bpp;
	uLongf raw_len = (uLongf)(h * (stride + 1));
	unsigned char *raw = malloc(raw_len);
	assert_int_equal(uncompress(raw, &raw_len, z, zlen), Z_OK);
	assert_int_equal(raw_len, h * (stride + 1));
	for (uint32_t y = 0; y < h; y++) {
		unsigned char *row = raw + y * (stride + 1), f = row[0];
		unsigned char *cur = row + 1;
		unsigned char *up = y ? raw + (y - 1) * (stride + 1) + 1 : NULL;
		for (size_t x = 0; x < stride; x++) {
			int a = x >= bpp ? cur[x - bpp] : 0;
			int b = up ? up[x] : 0;
			int c = up && x >= bpp ? up[x - bpp] : 0;
			switch (f) {
			case 0: break;
			case 1: cur[x] = (unsigned char)(cur[x] + a); break;
			case 2: cur[x] = (unsigned char)(cur[x] + b); break;
			case 3: cur[x] = (unsigned char)(cur[x] + (a + b) / 2);
				break;
			case 4: cur[x] = (unsigned char)(cur[x] +
							 paeth(a, b, c));
				break;
			default: fail_msg("bad PNG filter %d", f);
			}
		}
	}
	size_t ink = 0;
	const unsigned char *bg = raw + 1;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			ink += memcmp(raw + y * (stride + 1) + 1 + x * bpp, bg,
				      bpp) != 0;
	free(raw);
	free(z);
	free(png);
	*w_out = w;
	*h_out = h;
	return (double)ink / ((double)w * h);
}

static int file_size(const char *dir, const char *rel)
{
	char path[512];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return stat(path, &sb) == 0 ? (int)sb.st_size : -1;
}

static void build(struct paths *p)
{
	struct l2s_error err;

	memset(&err, 0, sizeof(err));
	if (report_build(p->db, p->out, &err) != 0)
		fail_msg("report_build: %s (%s)", err.msg, err.hint);
}

static void test_expected_files(void **state)
{
	struct paths *p = *state;
	/* one figure per quantity, sweep points as panels */
	static const char *const plots[] = {
		"s1-ts-throughput", "s1-ts-backlog", "s1-ts-bytes",
		"s1-ts-cost", "s1-ts-l1-fees", "s1-sweep1", "s1-bars",
		"s1-latency", "s2-ts-throughput", "s2-ts-bytes", "s2-bars",
		"s2-latency", "scenarios",
	};
	char rel[256];

	build(p);
	assert_true(file_size(p->out, "report.html") > 1000);
	assert_true(file_size(p->out, "report.md") > 500);
	assert_true(file_size(p->out, "gnuplot/all.gp") > 0);
	for (size_t i = 0; i < sizeof(plots) / sizeof(plots[0]); i++) {
		static const char *const ext[] = {"plots/%s.png",
						  "plots/%s.svg",
						  "gnuplot/%s.gp",
						  "data/%s.dat"};
		for (int k = 0; k < 4; k++) {
			snprintf(rel, sizeof(rel), ext[k], plots[i]);
			if (file_size(p->out, rel) <= 0)
				fail_msg("missing %s", rel);
		}
	}
	/* no sweep in the second scenario: no sweep plots */
	assert_int_equal(file_size(p->out, "plots/s2-sweep1.png"), -1);
	/* no page per sweep point any more */
	assert_int_equal(file_size(p->out, "plots/s1-p2-throughput.png"), -1);
	/* nothing left from staging */
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "ls -d '%s'/report.* 2>/dev/null | "
		 "grep -q .", p->dir);
	assert_int_not_equal(system(cmd), 0);
}

static void test_pngs_not_blank(void **state)
{
	struct paths *p = *state;
	char dir[256], cmd[300], line[256];

	snprintf(dir, sizeof(dir), "%s/plots", p->out);
	snprintf(cmd, sizeof(cmd), "ls '%s' | grep 'png$'", dir);
	FILE *ls = popen(cmd, "r");
	int n = 0;

	assert_non_null(ls);
	while (fgets(line, sizeof(line), ls)) {
		char path[600];
		uint32_t w, h;

		line[strcspn(line, "\n")] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, line);
		double ink = png_ink(path, &w, &h);
		/* single plots 960 x 540, small multiples larger */
		assert_true(w >= 960 && w <= 1400);
		assert_true(h >= 480 && h <= 3000);
		/* axes, labels and a frame alone cover about 1.5% of an
		 * empty plot; data adds to that */
		if (ink < 0.02)
			fail_msg("%s looks blank (%.4f of pixels drawn)", line,
				 ink);
		n++;
	}
	pclose(ls);
	assert_true(n >= 13);
}

static void test_html_links_resolve(void **state)
{
	struct paths *p = *state;
	char path[256];
	size_t len;

	snprintf(path, sizeof(path), "%s/report.html", p->out);
	char *html = test_read_file(path, &len);
	assert_non_null(html);
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "://"));
	/* the scenario name is escaped */
	assert_non_null(strstr(html, "x&lt;b&gt;&amp;&quot;y"));
	assert_null(strstr(html, "x<b>"));
	/* one section per scenario */
	assert_non_null(strstr(html, "<section id=\"s1\">"));
	assert_non_null(strstr(html, "<section id=\"s2\">"));
	/* the tables show mean ± CI */
	assert_non_null(strstr(html, "101±2.48"));

	int refs = 0;
	for (const char *attr = html; (attr = strstr(attr, "=\"")); ) {
		int src = attr >= html + 3 && !memcmp(attr - 3, "src", 3);
		int href = attr >= html + 4 && !memcmp(attr - 4, "href", 4);
		attr += 2;
		if (!src && !href)
			continue;
		size_t n = strcspn(attr, "\"");
		char rel[256], file[600];
		snprintf(rel, sizeof(rel), "%.*s", (int)n, attr);
		if (rel[0] == '#')
			continue;
		assert_null(strstr(rel, ".."));
		assert_true(rel[0] != '/');
		snprintf(file, sizeof(file), "%s/%s", p->out, rel);
		if (access(file, R_OK) != 0)
			fail_msg("report.html refers to missing '%s'", rel);
		refs++;
	}
	assert_true(refs >= 26);
	free(html);

	/* Markdown images too */
	snprintf(path, sizeof(path), "%s/report.md", p->out);
	char *md = test_read_file(path, &len);
	assert_non_null(md);
	int imgs = 0;
	for (const char *m = md; (m = strstr(m, "](plots/")); imgs++) {
		char rel[256], file[600];
		m += 2;
		snprintf(rel, sizeof(rel), "%.*s", (int)strcspn(m, ")"), m);
		snprintf(file, sizeof(file), "%s/%s", p->out, rel);
		if (access(file, R_OK) != 0)
			fail_msg("report.md refers to missing '%s'", rel);
	}
	assert_true(imgs >= 13);
	free(md);
}

static void test_rebuild_replaces_report(void **state)
{
	struct paths *p = *state;
	char stale[256];

	snprintf(stale, sizeof(stale), "%s/plots/stale.png", p->out);
	FILE *f = fopen(stale, "w");
	assert_non_null(f);
	fclose(f);
	build(p);
	assert_int_not_equal(access(stale, F_OK), 0);
	assert_true(file_size(p->out, "report.html") > 0);
}

/* With rows in the tables of the trust and liveness models, the report
 * shows the trust profile and a timeline of failures (synthetic rows). */
static void test_trust_and_liveness(void **state)
{
	struct paths *p = *state;
	char db2[160], out2[160], path[256], cmd[600];
	struct l2s_error err;
	sqlite3 *db;
	size_t len;

	snprintf(db2, sizeof(db2), "%s/trust.db", p->dir);
	snprintf(out2, sizeof(out2), "%s/trust-report", p->dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", p->db, db2);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(sqlite3_open(db2, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE TABLE IF NOT EXISTS failures(run_id, component, cause, "
		"t_start_s, t_end_s, txs);"
		"DELETE FROM systems;"
		"INSERT INTO systems VALUES(1, 'opti', 'optimistic_rollup', "
		"'own', 'operator', 86400, 'fraud_proof', 'l1', 'l1', NULL),"
		"(1, 'zk', 'zk_rollup', 'based', 'l1', NULL, 'validity_proof', "
		"'committee', 'l1', NULL);"
		"INSERT INTO failures VALUES(1, 'opti', 'posting', 100, 400, 50),"
		"(1, 'zk', 'sequencing', 200, 260, 10),"
		"(1, 'opti', 'finality', 500, 590, 7);",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	memset(&err, 0, sizeof(err));
	if (report_build(db2, out2, &err) != 0)
		fail_msg("report_build: %s", err.msg);
	snprintf(path, sizeof(path), "%s/report.html", out2);
	char *html = test_read_file(path, &len);
	assert_non_null(html);
	assert_non_null(strstr(html, "<h3>Trust</h3>"));
	assert_non_null(strstr(html, "fraud_proof"));
	assert_non_null(strstr(html, "unbounded"));
	assert_non_null(strstr(html, "plots/s1-liveness.png"));
	free(html);
	uint32_t w, h;
	snprintf(path, sizeof(path), "%s/plots/s1-liveness.png", out2);
	assert_true(png_ink(path, &w, &h) > 0.02);
	/* the report without those tables has neither */
	snprintf(path, sizeof(path), "%s/report.html", p->out);
	html = test_read_file(path, &len);
	assert_non_null(html);
	assert_null(strstr(html, "<h3>Trust</h3>"));
	assert_null(strstr(html, "s1-liveness"));
	free(html);
}

static void test_refuses_foreign_directory(void **state)
{
	struct paths *p = *state;
	struct l2s_error err;
	char other[256], keep[300];

	snprintf(other, sizeof(other), "%s/notes", p->dir);
	snprintf(keep, sizeof(keep), "%s/keep.txt", other);
	assert_int_equal(mkdir(other, 0755), 0);
	FILE *f = fopen(keep, "w");
	assert_non_null(f);
	fclose(f);
	memset(&err, 0, sizeof(err));
	assert_int_equal(report_build(p->db, other, &err), L2S_EUSAGE);
	assert_int_equal(access(keep, F_OK), 0);
}

static void test_missing_gnuplot(void **state)
{
	struct paths *p = *state;
	struct l2s_error err;
	char out[256], *path = strdup(getenv("PATH"));

	snprintf(out, sizeof(out), "%s/nognuplot", p->dir);
	setenv("PATH", "/nonexistent", 1);
	memset(&err, 0, sizeof(err));
	int rc = report_build(p->db, out, &err);
	setenv("PATH", path, 1);
	free(path);
	assert_int_equal(rc, L2S_EIO);
	assert_non_null(strstr(err.msg, "gnuplot"));
	assert_non_null(strstr(err.hint, "gnuplot-nox"));
	assert_int_not_equal(access(out, F_OK), 0);
}

static void test_empty_database(void **state)
{
	struct paths *p = *state;
	struct l2s_error err;
	struct resdb *db;
	char empty[256], out[256];

	snprintf(empty, sizeof(empty), "%s/empty.db", p->dir);
	snprintf(out, sizeof(out), "%s/empty-report", p->dir);
	memset(&err, 0, sizeof(err));
	assert_int_equal(resdb_open(empty, &db, &err), 0);
	resdb_close(db);
	assert_int_equal(report_build(empty, out, &err), L2S_EINPUT);
	assert_int_not_equal(access(out, F_OK), 0);
}

int main(void)
{
	gsl_set_error_handler_off();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expected_files),
		cmocka_unit_test(test_pngs_not_blank),
		cmocka_unit_test(test_html_links_resolve),
		cmocka_unit_test(test_rebuild_replaces_report),
		cmocka_unit_test(test_trust_and_liveness),
		cmocka_unit_test(test_refuses_foreign_directory),
		cmocka_unit_test(test_missing_gnuplot),
		cmocka_unit_test(test_empty_database),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
