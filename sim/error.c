/* Error structs, message formatting and "did you mean" suggestions. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2sim/error.h"

void l2s_error_clear(struct l2s_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

int l2s_error_same(const struct l2s_error *a, const struct l2s_error *b)
{
	return a->code == b->code && !strcmp(a->path, b->path) &&
	       !strcmp(a->msg, b->msg);
}

int l2s_error_set(struct l2s_error *err, int code, const char *fmt, ...)
{
	if (!err)
		return code;
	va_list ap;
	va_start(ap, fmt);
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void l2s_error_hint(struct l2s_error *err, const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
}

void l2s_error_format(const struct l2s_error *err, char *buf, unsigned long len)
{
	size_t n = 0;
	buf[0] = '\0';
#define PUT(...)                                                               \
	do {                                                                   \
		if (n < len)                                                   \
			n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__);  \
	} while (0)
	if (err->file[0]) {
		PUT("%s:", err->file);
		if (err->line > 0)
			PUT("%d:%d:", err->line, err->column);
		PUT(" ");
	}
	if (err->path[0])
		PUT("%s: ", err->path);
	PUT("%s", err->msg[0] ? err->msg : "unknown error");
	if (err->hint[0])
		PUT(" (%s)", err->hint);
#undef PUT
}

int l2s_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return (int)(la > lb ? la : lb);
	int row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int cost = a[i - 1] == b[j - 1] ? 0 : 1;
			int best = diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *l2s_closest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	int best_d = 1 << 30;
	for (size_t i = 0; candidates && candidates[i]; i++) {
		int d = l2s_edit_distance(word, candidates[i]);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	/* A plausible typo: at most a third of the word's length, at least 2. */
	int limit = (int)strlen(word) / 3;
	if (limit < 2)
		limit = 2;
	return best_d <= limit ? best : NULL;
}
