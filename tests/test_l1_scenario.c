/*
 * The L1 model driven through a whole scenario (runner, world, results
 * database): a per-block blob trace under Pectra, every block of l1_blocks
 * checked against an independent implementation of EIP-4844 written here,
 * the per-block growth and decay factors the spec predicts, and the blob
 * payload ceiling of 9 x 131,072 B per 12 s slot.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "l2sim/runner.h"
#include "l2sim/world.h"

typedef unsigned __int128 u128;

/* EIP-4844 fake_exponential, written independently of models/l1. */
static u128 fake_exp(u128 factor, u128 num, u128 den)
{
	u128 out = 0, acc = factor * den;
	for (u128 i = 1; acc > 0; i++) {
		out += acc;
		acc = acc * num / (den * i);
	}
	return out / den;
}

#define FULL 250  /* blocks at the pectra max (9 blobs) */
#define EMPTY 150 /* then blocks with no blobs */

struct row {
	int64_t slot;
	double t;
	int64_t blob_gas_used;
	uint64_t excess;
	double fee;
	int blobs;
};

static char dir[64];

static void write_files(void)
{
	snprintf(dir, sizeof(dir), "/tmp/l2sim-l1scn-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/blobs.csv", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "slot,blobs\n");
	for (int i = 0; i < FULL + EMPTY; i++)
		fprintf(f, "%d,%d\n", i + 1, i < FULL ? 9 : 0);
	fclose(f);
	snprintf(path, sizeof(path), "%s/l1trace.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	/* 400 slots of 12 s = 4800 s; the first block is at slot 1. */
	fprintf(f, "{\"name\": \"l1trace\", \"duration\": \"4800s\", "
		   "\"output\": {\"l1_blocks\": true}, "
		   "\"l1\": {\"fork\": \"pectra\", "
		   "\"background\": {\"trace\": \"blobs.csv\", "
		   "\"trace_end\": \"hold\"}}}\n");
	fclose(f);
}

static size_t read_rows(const char *db_path, struct row *rows, size_t cap)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db,
		"SELECT slot, t_seconds, blob_gas_used, excess_blob_gas, "
		"blob_base_fee_wei, blobs FROM l1_blocks ORDER BY slot",
		-1, &st, NULL), SQLITE_OK);
	size_t n = 0;
	while (sqlite3_step(st) == SQLITE_ROW && n < cap) {
		rows[n].slot = sqlite3_column_int64(st, 0);
		rows[n].t = sqlite3_column_double(st, 1);
		rows[n].blob_gas_used = sqlite3_column_int64(st, 2);
		rows[n].excess = (uint64_t)sqlite3_column_int64(st, 3);
		rows[n].fee = sqlite3_column_double(st, 4);
		rows[n].blobs = sqlite3_column_int(st, 5);
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void test_trace_blocks_match_spec(void **state)
{
	(void)state;
	write_files();
	char scn[128], db[128];
	snprintf(scn, sizeof(scn), "%s/l1trace.json", dir);
	snprintf(db, sizeof(db), "%s/out.db", dir);
	struct runner_opts o = {.model = &world_model, .scenario_path = scn, .out = db, .threads = 1,
				.progress = 0, .quiet = 1};
	struct l2s_error err;
	l2s_error_clear(&err);
	FILE *devnull = fopen("/dev/null", "w");
	int rc = runner_run(&o, devnull, &err);
	fclose(devnull);
	if (rc)
		fail_msg("runner_run: %s", err.msg);

	static struct row rows[400];
	size_t n = read_rows(db, rows, 400);
	assert_int_equal(n, FULL + EMPTY);

	const uint64_t target = 6 * 131072, fraction = 5007716;
	uint64_t excess = 0; /* initial_excess_blob_gas */
	double full_payload = 0, full_seconds = 0;
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		/* The trace: 9 blobs, then none. */
		assert_int_equal(r->blobs, i < FULL ? 9 : 0);
		assert_int_equal(r->blob_gas_used, (int64_t)r->blobs * 131072);
		/* Excess blob gas: EIP-4844 calc_excess_blob_gas with the
		 * EIP-7691 target (pectra has no EIP-7918 branch). */
		assert_int_equal(r->excess, excess);
		u128 fee = fake_exp(1, excess, fraction);
		assert_true(fee < ((u128)1 << 53)); /* exact as a double */
		assert_true(r->fee == (double)fee);
		uint64_t s = excess + (uint64_t)r->blob_gas_used;
		excess = s < target ? 0 : s - target;
		if (i < FULL) {
			full_payload += (double)r->blobs * 131072;
			full_seconds += 12;
		}
	}
	/* The ceiling: 9 x 131,072 B every 12 s under pectra. */
	assert_true(fabs(full_payload / full_seconds - 9.0 * 131072 / 12) < 1e-9);

	/* Growth per full block ~ e^(3*131072/5007716) = 1.0817 once the fee
	 * is large enough for integer rounding not to matter; decay per empty
	 * block e^(-6*131072/5007716) = 0.8547. */
	double up = exp(3.0 * 131072 / 5007716), down = exp(-6.0 * 131072 / 5007716);
	int checked_up = 0, checked_down = 0;
	for (size_t i = 1; i < n; i++) {
		if (rows[i - 1].fee < 1e6 || rows[i].fee < 1e6)
			continue;
		double ratio = rows[i].fee / rows[i - 1].fee;
		if (i < FULL) {
			assert_true(fabs(ratio - up) < 1e-4);
			checked_up++;
		} else if (i > FULL) {
			assert_true(fabs(ratio - down) < 1e-4);
			checked_down++;
		}
	}
	assert_true(checked_up > 50);
	assert_true(checked_down > 20);
	assert_true(fabs(up - 1.0817) < 1e-4);
	assert_true(fabs(down - 0.8547) < 1e-4);

	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_blocks_match_spec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
