/* Helpers shared by the cmocka tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "testutil.h"

void test_assert_near_at(double got, double want, double tol, const char *file,
			 int line)
{
	if (!(got >= want - tol && got <= want + tol))
		fail_msg("%s:%d: got %.17g, want %.17g (+-%g)", file, line, got,
			 want, tol);
}

int test_rmdir(const char *dir)
{
	char cmd[512];
	if (snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) >= (int)sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}
