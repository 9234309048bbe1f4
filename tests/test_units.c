/*
 * The unit grammar (sim/units.c): durations, sizes, rates and fees parsed
 * to exact integers, and every way a value can be rejected.  Each expected
 * integer is worked out in the comment or the expression beside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "l2sim/scenario.h"

enum kind { DUR, SIZE, RATE, FEE };

struct good {
	enum kind kind;
	const char *text;
	uint64_t want; /* every kind fits in uint64 here */
};

#define E6 UINT64_C(1000000)
#define E9 UINT64_C(1000000000)

static const struct good goods[] = {
	/* durations, in ns */
	{DUR, "12s", 12 * E9},
	{DUR, "78m", 78 * 60 * E9},
	{DUR, "78min", 78 * 60 * E9},
	{DUR, "6h", 6 * 3600 * E9},
	{DUR, "7d", 7 * 86400 * E9},
	{DUR, "2w", 14 * 86400 * E9},
	{DUR, "250ms", 250 * E6},
	{DUR, "3us", 3000},
	{DUR, "1ns", 1},
	{DUR, "1.5s", 1500 * E6},
	{DUR, "0.5ms", 500000},
	{DUR, "1e3s", 1000 * E9},
	{DUR, "1.5e-3s", 1500 * E6 / 1000},  /* 1.5 ms */
	{DUR, "2E2ms", 200 * E6},
	{DUR, "12", 12 * E9},                /* a bare number is seconds */
	{DUR, "0.25", 250 * E6},
	{DUR, "0s", 0},
	{DUR, "+5s", 5 * E9},
	{DUR, " 12 s ", 12 * E9},            /* blanks around and between */
	{DUR, "9223372036854775807ns", UINT64_C(9223372036854775807)},
	/* sizes, in bytes */
	{SIZE, "6.67MB", 6670000},
	{SIZE, "128KiB", 131072},
	{SIZE, "1GiB", UINT64_C(1073741824)},
	{SIZE, "1MiB", 1048576},
	{SIZE, "2kB", 2000},
	{SIZE, "2KB", 2000},
	{SIZE, "1.5GB", 1500 * E6},
	{SIZE, "1TiB", UINT64_C(1099511627776)},
	{SIZE, "100", 100},                  /* bare: bytes */
	{SIZE, "100B", 100},
	{SIZE, "0.5KiB", 512},
	{SIZE, "1mb", 1000000},              /* case fallback: MB */
	/* rates, in millionths per second */
	{RATE, "500tps", 500 * E6},
	{RATE, "15MB/s", 15 * E6 * E6},
	{RATE, "60/min", E6},
	{RATE, "2.5/s", 2500000},
	{RATE, "7200/h", 2 * E6},
	{RATE, "1/h", 278},                  /* 277.77.. rounds to nearest */
	{RATE, "1/d", 12},                   /* 11.574.. */
	{RATE, "3tx/s", 3 * E6},
	{RATE, "1KiB/s", 1024 * E6},
	{RATE, "0.0000005/s", 1},            /* 0.5 millionths rounds up */
	{RATE, "0.0000004/s", 0},
	{RATE, "40", 40 * E6},               /* bare: per second */
	/* fees, in wei */
	{FEE, "10gwei", 10 * E9},
	{FEE, "0.01eth", 10 * E6 * E9},
	{FEE, "1wei", 1},
	{FEE, "1", 1},                       /* bare: wei */
	{FEE, "1.5gwei", 1500 * E6},
	{FEE, "2ether", 2 * E9 * E9},
	{FEE, "3mwei", 3 * E6},
	{FEE, "10GWEI", 10 * E9},            /* case fallback */
	{FEE, "18446744073709551615wei", UINT64_MAX},
	{FEE, "18.446744073709551615eth", UINT64_MAX},
};

struct bad {
	enum kind kind;
	const char *text;
	const char *why; /* fragment of the reason */
};

static const struct bad bads[] = {
	{DUR, "1.5ns", "not a whole number"},
	{DUR, "1e-10s", "not a whole number"},
	{DUR, "-1s", "negative"},
	{DUR, " -1s", "negative"},
	{DUR, "12 parsecs", "unknown duration unit 'parsecs'"},
	{DUR, "12 parsecs", "expected one of: ns, us, ms, s"},
	{DUR, "", "expected a number"},
	{DUR, "   ", "expected a number"},
	{DUR, "s", "expected a number"},
	{DUR, ".s", "expected a number"},
	{DUR, "1..5s", "unknown duration unit"},
	{DUR, "12s junk", "unknown duration unit"},
	{DUR, "0x10s", "unknown duration unit"},
	{DUR, "12sec", "unknown duration unit 'sec'"},
	{DUR, "9223372036854775808ns", "too large"},     /* INT64_MAX + 1 */
	{DUR, "106752d", "too large"},                   /* > 2^63 ns */
	{DUR, "1e99d", "too large"},
	{DUR, "99999999999999999999999999999999999999999999s", "too large"},
	{SIZE, "1.5B", "not a whole number"},
	{SIZE, "0.1KiB", "not a whole number"},          /* 102.4 B */
	{SIZE, "5 bananas", "unknown size unit"},
	{SIZE, "-1KiB", "negative"},
	{SIZE, "10EiB", "unknown size unit"},
	{RATE, "500 tpm", "unknown rate unit"},
	{RATE, "-3tps", "negative"},
	{RATE, "1e-200/s", "too many decimals"},
	{FEE, "1e30eth", "too large"},
	{FEE, "18446744073709551616wei", "too large"},   /* UINT64_MAX + 1 */
	{FEE, "19eth", "too large"},                     /* 1.9e19 > 2^64 */
	{FEE, "0.5wei", "not a whole number"},
	{FEE, "1.0000000001gwei", "not a whole number"},
	{FEE, "-1gwei", "negative"},
	{FEE, "10 dollars", "unknown fee unit"},
};

static int parse(enum kind k, const char *s, uint64_t *out, char *why,
		 int len)
{
	int rc;
	switch (k) {
	case DUR: {
		sim_time_t v = -7;
		rc = units_parse_duration(s, &v, why, len);
		*out = (uint64_t)v;
		break;
	}
	case SIZE: {
		int64_t v = -7;
		rc = units_parse_size(s, &v, why, len);
		*out = (uint64_t)v;
		break;
	}
	case RATE: {
		int64_t v = -7;
		rc = units_parse_rate(s, &v, why, len);
		*out = (uint64_t)v;
		break;
	}
	default:
		rc = units_parse_fee(s, out, why, len);
		break;
	}
	return rc;
}

static const char *const kind_name[] = {"duration", "size", "rate", "fee"};

static void test_good(void **state)
{
	int failures = 0;
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		char why[256] = "";
		uint64_t got = 0;
		int rc = parse(g->kind, g->text, &got, why, sizeof(why));
		if (rc != 0 || got != g->want) {
			print_error("%s '%s': rc %d, got %llu, want %llu (%s)\n",
				    kind_name[g->kind], g->text, rc,
				    (unsigned long long)got,
				    (unsigned long long)g->want, why);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_bad(void **state)
{
	int failures = 0;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		char why[256] = "";
		uint64_t got = 0;
		int rc = parse(b->kind, b->text, &got, why, sizeof(why));
		if (rc == 0 || !strstr(why, b->why)) {
			print_error("%s '%s': rc %d (value %llu), reason '%s', "
				    "want an error with '%s'\n",
				    kind_name[b->kind], b->text, rc,
				    (unsigned long long)got, why, b->why);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_failure_leaves_output(void **state)
{
	/* A rejected value does not write the output. */
	sim_time_t t = 123;
	assert_int_equal(units_parse_duration("1.5ns", &t, NULL, 0), -1);
	assert_int_equal(t, 123);
	uint64_t fee = 9;
	assert_int_equal(units_parse_fee("1e30eth", &fee, NULL, 0), -1);
	assert_int_equal(fee, 9);
}

static void test_why_is_optional_and_bounded(void **state)
{
	sim_time_t t;
	/* No reason buffer: still an error, no crash. */
	assert_int_equal(units_parse_duration("12 parsecs", &t, NULL, 0), -1);
	/* A small buffer is truncated, still terminated. */
	char why[8];
	memset(why, 'x', sizeof(why));
	assert_int_equal(units_parse_duration("12 parsecs", &t, why,
					      sizeof(why)), -1);
	assert_true(memchr(why, '\0', sizeof(why)) != NULL);
}

static void test_exact_not_float(void **state)
{
	/* Values a double cannot hold exactly still come out exact:
	 * 2^53 + 1 ns and 0.1 eth + 1 wei. */
	sim_time_t t;
	assert_int_equal(units_parse_duration("9007199254740993ns", &t, NULL, 0),
			 0);
	assert_int_equal(t, INT64_C(9007199254740993));
	uint64_t fee;
	assert_int_equal(units_parse_fee("0.100000000000000001eth", &fee, NULL,
					 0), 0);
	assert_true(fee == UINT64_C(100000000000000001));
	/* 0.1 s is exactly 1e8 ns (no 0.1-as-double error). */
	assert_int_equal(units_parse_duration("0.1s", &t, NULL, 0), 0);
	assert_int_equal(t, 100000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_failure_leaves_output),
		cmocka_unit_test(test_why_is_optional_and_bounded),
		cmocka_unit_test(test_exact_not_float),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
