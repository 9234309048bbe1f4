/*
 * l2sim error convention.
 *
 * Functions in sim/, models/ and analysis/ return 0 on success or a negative
 * L2S_E* code, and describe the failure in a caller-supplied struct
 * l2s_error.  Only main() prints errors and chooses the process exit code:
 * L2S_EINPUT and L2S_EUSAGE map to exit 2, everything else to exit 3.
 */
#ifndef L2SIM_ERROR_H
#define L2SIM_ERROR_H

enum {
	L2S_OK = 0,
	L2S_EINPUT = -1,   /* bad scenario, value, or file content */
	L2S_EUSAGE = -2,   /* bad command line */
	L2S_ENOMEM = -3,   /* allocation failed */
	L2S_EIO = -4,      /* file or process I/O failed */
	L2S_EDB = -5,      /* SQLite failed */
	L2S_ERUNTIME = -6, /* anything else that went wrong while running */
};

struct l2s_error {
	int code;
	char file[256];  /* input file, or "" */
	int line;        /* 1-based, 0 when unknown */
	int column;      /* 1-based, 0 when unknown */
	char path[256];  /* JSON path such as systems[0].batcher.max_delay, or "" */
	char msg[512];   /* lowercase, problem first, culprit in quotes */
	char hint[256];  /* suggestion, or "" */
};

/* Clears 'err' (all fields empty, code 0). */
void l2s_error_clear(struct l2s_error *err);
/* Whether two errors say the same: code, JSON path and message. */
int l2s_error_same(const struct l2s_error *a, const struct l2s_error *b);

/* Fills err->code and err->msg (printf-style) and returns 'code'.  Leaves
 * file, line, column, path and hint as they were.  'err' may be NULL. */
int l2s_error_set(struct l2s_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets err->hint (printf-style). */
void l2s_error_hint(struct l2s_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes "file:line:column: path: msg (hint)" in the usual compiler form. */
void l2s_error_format(const struct l2s_error *err, char *buf, unsigned long len);

/* Levenshtein distance, for "did you mean" hints. */
int l2s_edit_distance(const char *a, const char *b);

/* Returns the candidate closest to 'word' (NULL-terminated list), or NULL when
 * none is close enough to be a plausible typo. */
const char *l2s_closest(const char *word, const char *const *candidates);

#endif
