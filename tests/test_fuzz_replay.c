/*
 * The loader's fuzz target on deterministic mutations of every shipped and
 * test scenario: truncations, byte flips, deletions, and values replaced by
 * hostile ones (negative, huge, wrong type, bad unit).  Under `make
 * sanitize` this is a small fuzz run on every CI; `make fuzz` runs the same
 * target under libFuzzer for as long as one likes.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "fuzz_scenario.h"
#include "support/testutil.h"

static const char *const hostile[] = {
	"-1", "0", "1e308", "-1e308", "\"\"", "null", "[]", "{}", "true",
	"\"-5s\"", "\"1e30eth\"", "\"12 parsecs\"", "\"0.5ns\"", "99999999999999999999",
	"\"systems[0]\"", "[[]]", "\"\\u0000\"",
};

/* Replaces the value after the k-th ':' by a hostile one. */
static size_t replace_value(const char *in, size_t n, size_t k,
			    const char *val, char *out)
{
	size_t seen = 0, i = 0, o = 0;
	for (; i < n; i++) {
		out[o++] = in[i];
		if (in[i] == ':' && seen++ == k)
			break;
	}
	if (i == n)
		return 0;
	i++;
	while (i < n && in[i] == ' ')
		i++;
	/* Skip one scalar or string value. */
	if (i < n && in[i] == '"') {
		i++;
		while (i < n && in[i] != '"')
			i += in[i] == '\\' ? 2 : 1;
		i++;
	} else {
		while (i < n && !strchr(",}]\n", in[i]))
			i++;
	}
	o += (size_t)sprintf(out + o, " %s", val);
	while (i < n)
		out[o++] = in[i++];
	return o;
}

static void fuzz_file(const char *path, gsl_rng *r, int *runs, int *bugs)
{
	size_t n;
	char *src = test_read_file(path, &n);
	if (!src)
		return;
	char *buf = malloc(n * 2 + 256);
	assert_non_null(buf);
	if (fuzz_scenario_one((const uint8_t *)src, n) < 0)
		(*bugs)++;
	(*runs)++;
	for (int m = 0; m < 60; m++) {
		size_t len = n;
		memcpy(buf, src, n);
		switch (m % 4) {
		case 0: /* truncate */
			len = gsl_rng_uniform_int(r, n);
			break;
		case 1: /* flip a few bytes */
			for (int k = 0; k < 3; k++)
				buf[gsl_rng_uniform_int(r, n)] =
					(char)gsl_rng_uniform_int(r, 256);
			break;
		case 2: { /* delete a run of bytes */
			size_t at = gsl_rng_uniform_int(r, n);
			size_t del = 1 + gsl_rng_uniform_int(r, 16);
			if (at + del > n)
				del = n - at;
			memmove(buf + at, buf + at + del, n - at - del);
			len = n - del;
			break;
		}
		default: { /* a hostile value */
			size_t colons = 0;
			for (size_t i = 0; i < n; i++)
				colons += src[i] == ':';
			const char *v = hostile[gsl_rng_uniform_int(
				r, sizeof(hostile) / sizeof(hostile[0]))];
			len = colons ? replace_value(src, n,
						     gsl_rng_uniform_int(r, colons),
						     v, buf)
				     : 0;
			break;
		}
		}
		if (len == 0)
			continue;
		int rc = fuzz_scenario_one((const uint8_t *)buf, len);
		(*runs)++;
		if (rc < 0) {
			(*bugs)++;
			print_message("error without a message: %s mutation %d\n",
				      path, m);
		}
	}
	free(buf);
	free(src);
}

static void fuzz_dir(const char *dir, gsl_rng *r, int *runs, int *bugs)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	/* Sorted names: the mutation stream must not depend on readdir. */
	char *names[256];
	size_t k = 0;
	struct dirent *e;
	while ((e = readdir(d)) && k < 256)
		if (strstr(e->d_name, ".json"))
			names[k++] = strdup(e->d_name);
	closedir(d);
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	for (size_t i = 0; i < k; i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		fuzz_file(path, r, runs, bugs);
		free(names[i]);
	}
}

/* A mutation of 'src' into 'buf' (cap 2n + 64): truncation, byte flip,
 * deletion, or a hostile field.  Returns the length (0: none). */
static size_t mutate_csv(const char *src, size_t n, char *buf, gsl_rng *r)
{
	static const char *const fields[] = {
		"-1", "9200000000000000000", "18446744073709551616", "1e9",
		"0x10", "", " ", "nan", "\"3\"", "1,2,3,4,5,6,7,8,9,10,11,12",
		"t_seconds", "count", "\xff\xfe", "0.5", "99999999999",
	};
	size_t len = n, at = n ? gsl_rng_uniform_int(r, n) : 0;
	memcpy(buf, src, n);
	switch (gsl_rng_uniform_int(r, 5)) {
	case 0:
		return at;
	case 1:
		if (!n)
			return 0;
		buf[at] = (char)gsl_rng_uniform_int(r, 256);
		return len;
	case 2: {
		size_t del = 1 + gsl_rng_uniform_int(r, 8);
		if (at + del > n)
			del = n - at;
		memmove(buf + at, buf + at + del, n - at - del);
		return n - del;
	}
	default: {
		/* the value after a comma or a line start, replaced */
		const char *f = fields[gsl_rng_uniform_int(
			r, sizeof(fields) / sizeof(fields[0]))];
		while (at < n && src[at] != ',' && src[at] != '\n')
			at++;
		if (at >= n)
			return 0;
		at++;
		size_t end = at;
		while (end < n && src[end] != ',' && src[end] != '\n')
			end++;
		size_t fl = strlen(f);
		memcpy(buf + at, f, fl);
		memcpy(buf + at + fl, src + end, n - end);
		return at + fl + n - end;
	}
	}
}

static void test_mutated_traces(void **state)
{
	(void)state;
	static const char *const seeds[2][3] = {
		{"t_seconds,count\n0,100\n600,2500\n1200,40\n3000,7\n",
		 "count,transfer,swap\n10,20,3\n0,0,0\n# note\n\n5,6,7\n",
		 "t_seconds,inscription\n0,1\n1m,100000\n2m,3\n"},
		{"slot,gas_used,blobs\n1,15000000,3\n2,36000000,6\n3,0,0\n",
		 "number,gas,timestamp\n10,30000000,1\n11,1,2\n",
		 "blobs\n9\n0\n21\n"},
	};
	char dir[] = "/tmp/l2sim-test-fuzz-XXXXXX";
	assert_non_null(mkdtemp(dir));
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
	gsl_rng_set(r, 20261127);
	char buf[1024];
	int runs = 0, bugs = 0, accepted = 0;
	for (int l1 = 0; l1 < 2; l1++)
		for (int k = 0; k < 3; k++) {
			const char *src = seeds[l1][k];
			size_t n = strlen(src);
			int rc = fuzz_trace_one(dir, (const uint8_t *)src, n, l1);
			assert_int_equal(rc, 0); /* the seeds are valid */
			for (int m = 0; m < 40; m++) {
				size_t len = mutate_csv(src, n, buf, r);
				rc = fuzz_trace_one(dir, (const uint8_t *)buf,
						    len, l1);
				runs++;
				accepted += rc == 0;
				if (rc < 0) {
					bugs++;
					print_message("error without a message: "
						      "trace %d/%d mutation %d\n",
						      l1, k, m);
				}
			}
		}
	gsl_rng_free(r);
	rmdir(dir);
	print_message("%d traces (%d accepted and run)\n", runs, accepted);
	assert_true(accepted > 20);
	assert_int_equal(bugs, 0);
}

/* Short runs of mutated test scenarios: what validates must also run. */
static void test_mutated_runs(void **state)
{
	(void)state;
	static const char *const files[] = {"tests/data/tiny.json",
					    "tests/data/sweep.json",
					    "scenarios/default.json"};
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
	gsl_rng_set(r, 1127);
	int runs = 0, bugs = 0, accepted = 0;
	for (size_t f = 0; f < sizeof(files) / sizeof(*files); f++) {
		size_t n;
		char *src = test_read_file(files[f], &n);
		assert_non_null(src);
		char *buf = malloc(2 * n + 256);
		assert_non_null(buf);
		for (int m = 0; m < 40; m++) {
			size_t colons = 0;
			for (size_t i = 0; i < n; i++)
				colons += src[i] == ':';
			/* every other value plausible, so that runs happen */
			static const char *const plausible[] = {
				"1", "2", "0.5", "\"10m\"", "\"1h\"",
				"\"200tps\"", "\"pectra\"", "0", "3", "true",
			};
			const char *v = m % 2 ? hostile[gsl_rng_uniform_int(
				r, sizeof(hostile) / sizeof(hostile[0]))] :
				plausible[gsl_rng_uniform_int(r,
				sizeof(plausible) / sizeof(plausible[0]))];
			size_t len = replace_value(src, n,
						   gsl_rng_uniform_int(r, colons),
						   v, buf);
			if (!len)
				continue;
			int rc = fuzz_run_one((const uint8_t *)buf, len);
			runs++;
			accepted += rc == 0;
			if (rc < 0) {
				bugs++;
				print_message("error without a message: %s "
					      "mutation %d\n", files[f], m);
			}
		}
		free(buf);
		free(src);
	}
	gsl_rng_free(r);
	print_message("%d runs of mutated scenarios (%d accepted)\n", runs,
		      accepted);
	assert_true(accepted > 10);
	assert_int_equal(bugs, 0);
}

static void test_mutated_scenarios(void **state)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
	gsl_rng_set(r, 20261121);
	int runs = 0, bugs = 0;
	fuzz_dir("scenarios", r, &runs, &bugs);
	fuzz_dir("tests/data", r, &runs, &bugs);
	gsl_rng_free(r);
	print_message("%d inputs\n", runs);
	assert_true(runs > 300);
	assert_int_equal(bugs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutated_scenarios),
		cmocka_unit_test(test_mutated_traces),
		cmocka_unit_test(test_mutated_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
