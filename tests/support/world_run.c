/* Whole-world test runs (world_run.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "world_run.h"

void test_run_all(struct test_run *r, const char *json)
{
	memset(r, 0, sizeof(*r));
	struct l2s_error err;
	l2s_error_clear(&err);
	if (scenario_load_text("test.json", json, &r->scn, &err))
		fail_msg("scenario: %s", err.msg);
	struct world_settings s;
	if (world_read_settings(r->scn, &s, &err))
		fail_msg("settings: %s", err.msg);
	r->sim = sim_create(s.seed, 0);
	assert_non_null(r->sim);
	if (world_create(r->sim, r->scn, &r->w, &err))
		fail_msg("world: %s (%s)", err.msg, err.path);
	assert_int_equal(world_run(r->w, &err), 0);
	r->res = run_result_create();
	assert_non_null(r->res);
	world_collect(r->w, r->res);
	assert_int_equal(r->res->oom, 0);
}

void test_run_close(struct test_run *r)
{
	run_result_destroy(r->res);
	world_destroy(r->w);
	sim_destroy(r->sim);
	scenario_destroy(r->scn);
}
