/*
 * Helpers shared by the cmocka tests (tests/support/testutil.c is linked
 * into every test binary).
 */
#ifndef L2SIM_TESTUTIL_H
#define L2SIM_TESTUTIL_H

/* Fails the test unless want - tol <= got <= want + tol, naming the
 * caller's file and line. */
#include <stddef.h>

#define assert_near(got, want, tol) \
	test_assert_near_at((got), (want), (tol), __FILE__, __LINE__)
void test_assert_near_at(double got, double want, double tol, const char *file,
			 int line);

/* Removes a test's scratch directory and everything in it.  Returns 0, or
 * -1 when that fails. */
int test_rmdir(const char *dir);
/* The whole of file 'path', NUL-terminated (*len, when not NULL, gets its
 * length without the NUL); NULL when it cannot be read.  Caller frees. */
char *test_read_file(const char *path, size_t *len);

#endif
