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

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "fuzz_scenario.h"

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*n = (size_t)len;
	return buf;
}

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
	char *src = slurp(path, &n);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
