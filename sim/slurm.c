/*
 * `l2sim slurm`: a batch script that spreads a sweep over a Slurm cluster
 * with the scheduler's own job arrays (sbatch(1), "--array"), one shard per
 * array task, and merges the shards in a job that depends on the whole
 * array ("--dependency=afterok:<array job id>", which waits for every
 * task).  The script has both roles: an array task K >= 1 runs shard K/N;
 * the first task to start submits the same script again as a one-task
 * array with index 0, held until the array succeeded, and task 0 merges.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "l2sim/results.h"
#include "l2sim/runner.h"

/* Writes 's' as one word for sh: single quotes, a ' as '\''. */
static void sh_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* 'path' made absolute against the working directory (the file need not
 * exist).  Caller frees. */
static char *absolute(const char *path)
{
	if (path[0] == '/')
		return strdup(path);
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	char *s = malloc(strlen(cwd) + strlen(path) + 2);
	if (s)
		sprintf(s, "%s/%s", cwd, path);
	return s;
}

/* The path of the running l2sim binary. */
static char *self_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

/* A name for jobs and files: letters, digits, '-', '_' and '.'. */
static void job_name(char *out, size_t cap, const char *name)
{
	size_t i = 0;
	for (; name[i] && i + 1 < cap; i++) {
		char c = name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '-' || c == '_' ||
			 c == '.';
		out[i] = ok ? c : '_';
	}
	out[i] = '\0';
}

/* mkdir -p. */
static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0777) && errno != EEXIST ? -1 : 0;
}

/* An sbatch directive value must not hold spaces or newlines. */
static int bad_directive(const char *v)
{
	return v && (strpbrk(v, " \t\r\n#'\"") || !*v);
}

int slurm_script_write(const struct slurm_opts *o, FILE *f,
		       struct l2s_error *err)
{
	if (bad_directive(o->partition) || bad_directive(o->time))
		return l2s_error_set(err, L2S_EUSAGE, "--partition and --time "
				     "take one word each (e.g. --time 2:00:00)");
	size_t n_runs = 0;
	int rc = runner_validate(o->model, o->scenario, o->sets, o->n_sets,
				 &n_runs, err);
	if (rc)
		return rc;
	struct scenario *scn;
	if ((rc = scenario_load(o->scenario, &scn, err)))
		return rc;
	char name[128];
	job_name(name, sizeof(name), scn->name);
	char *def_out = NULL;
	if (!o->out) {
		def_out = malloc(strlen(name) + 16);
		if (def_out)
			sprintf(def_out, "results/%s.db", name);
	}
	char *out = absolute(o->out ? o->out : def_out ? def_out : "");
	char *scenario = absolute(o->scenario);
	char *self = self_path();
	scenario_destroy(scn);
	free(def_out);
	if (!out || !scenario || !self) {
		free(out);
		free(scenario);
		free(self);
		return l2s_error_set(err, L2S_ENOMEM, "cannot build paths");
	}
	/* The shards live beside the merged database: OUT.shards/. */
	size_t ol = strlen(out);
	char *shards = malloc(ol + 16);
	if (!shards) {
		free(out);
		free(scenario);
		free(self);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	snprintf(shards, ol + 16, "%.*s.shards", (int)(ol > 3 &&
		 !strcmp(out + ol - 3, ".db") ? ol - 3 : ol), out);

	/* sbatch opens --output before the script runs: the directory must
	 * exist when the job starts */
	if (mkdir_p(shards)) {
		int e = errno;
		l2s_error_set(err, L2S_EIO, "cannot create directory '%s': %s",
			      shards, strerror(e));
		free(out);
		free(scenario);
		free(self);
		free(shards);
		return err ? err->code : L2S_EIO;
	}
	if (o->reps == NULL && (size_t)o->array > n_runs)
		fprintf(stderr, "l2sim: note: %d tasks for %zu runs: %zu "
			"task%s will have nothing to do\n", o->array, n_runs,
			(size_t)o->array - n_runs,
			(size_t)o->array - n_runs == 1 ? "" : "s");

	fprintf(f, "#!/bin/bash\n");
	fprintf(f, "# l2sim %s: %s as %d shards on Slurm (%zu runs).\n",
		resdb_engine_version(), o->scenario, o->array, n_runs);
	fprintf(f, "# Submit with:  sbatch THIS_FILE\n"
		"# Array tasks 1..%d run one shard each; the first task to "
		"start submits\n# this script again as task 0, held until every "
		"shard succeeded, which\n# merges the shards.  Submitting "
		"again resumes: complete runs are skipped.\n", o->array);
	fprintf(f, "#SBATCH --job-name=l2sim-%s\n", name);
	fprintf(f, "#SBATCH --array=1-%d\n", o->array);
	fprintf(f, "#SBATCH --ntasks=1\n");
	fprintf(f, "#SBATCH --cpus-per-task=%d\n", o->cpus);
	fprintf(f, "#SBATCH --output=%s/slurm-%%A_%%a.out\n", shards);
	if (o->partition)
		fprintf(f, "#SBATCH --partition=%s\n", o->partition);
	if (o->time)
		fprintf(f, "#SBATCH --time=%s\n", o->time);
	fprintf(f, "set -eu\n");
	fprintf(f, "L2SIM=");
	sh_quote(f, self);
	fprintf(f, "\nSCENARIO=");
	sh_quote(f, scenario);
	fprintf(f, "\nOUT=");
	sh_quote(f, out);
	fprintf(f, "\nSHARDS=");
	sh_quote(f, shards);
	fprintf(f, "\nN=%d\n", o->array);
	fprintf(f, "K=${SLURM_ARRAY_TASK_ID:?submit this script with sbatch}\n");
	fprintf(f, "mkdir -p \"$SHARDS\"\n");
	fprintf(f,
		"if [ \"$K\" = 0 ]; then\n"
		"\tshards=()\n"
		"\tfor k in $(seq 1 \"$N\"); do shards+=(\"$SHARDS/shard-$k-of-$N.db\"); done\n"
		"\texec \"$L2SIM\" merge \"$OUT\" \"${shards[@]}\"\n"
		"fi\n"
		"# the first task to start submits the merge, once\n"
		"if ( set -o noclobber; : >\"$SHARDS/.merge-$SLURM_ARRAY_JOB_ID\" ) 2>/dev/null; then\n"
		"\tsbatch --parsable --array=0 --job-name=l2sim-%s-merge \\\n"
		"\t\t--dependency=\"afterok:$SLURM_ARRAY_JOB_ID\" --kill-on-invalid-dep=yes \\\n"
		"\t\t\"$0\" >\"$SHARDS/.merge-$SLURM_ARRAY_JOB_ID\"\n"
		"fi\n", name);
	fprintf(f, "exec \"$L2SIM\" run \"$SCENARIO\" --shard \"$K/$N\" "
		"--out \"$SHARDS/shard-$K-of-$N.db\" \\\n"
		"\t--threads \"${SLURM_CPUS_PER_TASK:-1}\" --no-progress --quiet");
	if (o->seed) {
		fprintf(f, " --seed ");
		sh_quote(f, o->seed);
	}
	if (o->reps) {
		fprintf(f, " --reps ");
		sh_quote(f, o->reps);
	}
	for (size_t i = 0; i < o->n_sets; i++) {
		fprintf(f, " \\\n\t--set ");
		sh_quote(f, o->sets[i]);
	}
	fprintf(f, "\n");
	free(out);
	free(scenario);
	free(self);
	free(shards);
	if (ferror(f) || fflush(f))
		return l2s_error_set(err, L2S_EIO, "cannot write the script: %s",
				     strerror(errno));
	return 0;
}
