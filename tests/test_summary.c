/* The summary table after a run: rows, means and confidence intervals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <sqlite3.h>

#include "l2sim/analysis.h"
#include "l2sim/results.h"

#include "analysis_fixture.h"

static void test_mean_ci_known_answer(void **state)
{
	(void)state;
	double x[] = {1, 2, 3}, mean, half;

	assert_int_equal(analysis_mean_ci(x, 3, &mean, &half), 0);
	assert_true(fabs(mean - 2) < 1e-12);
	/* t(0.975, 2) = 4.302653, sd = 1: 4.302653 / sqrt(3) = 2.484138 */
	assert_true(fabs(half - 2.484138) < 1e-5);
	assert_int_equal(analysis_mean_ci(x, 1, &mean, &half), 0);
	assert_true(mean == 1 && isnan(half));
	assert_int_equal(analysis_mean_ci(x, 0, &mean, &half), L2S_EINPUT);
}

/* Runs summary_print on every run of 'path'; returns the text. */
static char *summary_of(const char *path, int64_t first, int64_t n)
{
	struct resdb *db;
	struct l2s_error err;
	int64_t ids[16];
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	memset(&err, 0, sizeof(err));
	for (int64_t i = 0; i < n; i++)
		ids[i] = first + i;
	assert_int_equal(resdb_open_readonly(path, &db, &err), 0);
	assert_int_equal(summary_print(resdb_handle(db), ids, (size_t)n, out,
				       &err), 0);
	resdb_close(db);
	fclose(out);
	return text;
}

static void check_width(const char *text)
{
	const char *line = text;
	while (*line) {
		size_t cols = 0;
		const char *p = line;
		for (; *p && *p != '\n'; p++)
			cols += ((unsigned char)*p & 0xC0) != 0x80;
		if (cols > 100)
			fail_msg("line wider than 100 columns: %.*s",
				 (int)(p - line), line);
		line = *p ? p + 1 : p;
	}
}

static void test_summary_sweep(void **state)
{
	(void)state;
	char path[] = "/tmp/l2sim-test-summary-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	assert_int_equal(fixture_db(path, "demo", 1, 3), 0);
	char *text = summary_of(path, 1, 6);

	printf("%s", text);
	check_width(text);
	assert_non_null(strstr(text, "scenario \"demo\": 6 runs, 2 sweep "
			       "points x 3 replications"));
	/* a heading per system, "all" last, a row per sweep point */
	char *opti = strstr(text, "\nopti\n");
	char *zk = strstr(text, "\nzk\n");
	char *all = strstr(text, "\nall\n");
	assert_non_null(opti);
	assert_non_null(zk);
	assert_non_null(all);
	assert_true(opti < zk && zk < all);
	assert_non_null(strstr(opti, "  rate=100"));
	assert_non_null(strstr(opti, "  rate=200"));
	/* opti at rate 100: tps offered 100 (no spread), posted 98 ± 2.48,
	 * bytes 101 ± 2.48, cost 2000 ± 2484 gwei, liveness 2.00 ± 2.48 */
	char *row = strstr(opti, "  rate=100");
	char *eol = strchr(row, '\n');
	*eol = '\0';
	assert_non_null(strstr(row, "  100 "));
	assert_non_null(strstr(row, "98.0±2.48"));
	assert_non_null(strstr(row, "101±2.48"));
	assert_non_null(strstr(row, "2000±2484"));
	assert_non_null(strstr(row, "2.00±2.48"));
	*eol = '\n';
	/* latency table: p50 / p99 per tier; a spread of rounding (1e-15
	 * of the mean) is not shown */
	assert_non_null(strstr(text, "0.250 / 0.500 "));
	assert_non_null(strstr(text, "61.0±2.48 / 121±2.48"));
	assert_non_null(strstr(text, "605k / 605k"));
	/* the l1 line */
	assert_non_null(strstr(text, "l1 rate=100: 50 blocks, base fee "
			       "11.0 gwei"));
	assert_non_null(strstr(text, "blob utilization 50.0%"));
	/* DA components are not systems */
	assert_null(strstr(text, "celestia"));
	free(text);
	unlink(path);
}

static void test_summary_single_replication(void **state)
{
	(void)state;
	char path[] = "/tmp/l2sim-test-summary-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	assert_int_equal(fixture_db(path, "plain", 0, 1), 0);
	char *text = summary_of(path, 1, 1);

	printf("%s", text);
	check_width(text);
	assert_non_null(strstr(text, "scenario \"plain\": 1 run x 1 "
			       "replication\n"));
	assert_null(strstr(text, "±"));
	/* without a sweep the systems are the rows */
	assert_non_null(strstr(text, "\nopti "));
	assert_non_null(strstr(text, "\nall "));
	assert_non_null(strstr(text, "l1: 50 blocks"));
	free(text);
	unlink(path);
}

static void test_summary_unknown_run(void **state)
{
	(void)state;
	char path[] = "/tmp/l2sim-test-summary-XXXXXX";
	int fd = mkstemp(path);
	struct resdb *db;
	struct l2s_error err;
	int64_t id = 99;

	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	memset(&err, 0, sizeof(err));
	assert_int_equal(fixture_db(path, "plain", 0, 1), 0);
	assert_int_equal(resdb_open_readonly(path, &db, &err), 0);
	assert_int_equal(summary_print(resdb_handle(db), &id, 1, stdout,
				       &err), L2S_EINPUT);
	assert_non_null(strstr(err.msg, "99"));
	resdb_close(db);
	unlink(path);
}

int main(void)
{
	gsl_set_error_handler_off();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mean_ci_known_answer),
		cmocka_unit_test(test_summary_sweep),
		cmocka_unit_test(test_summary_single_replication),
		cmocka_unit_test(test_summary_unknown_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
