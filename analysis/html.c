/*
 * Text helpers of the report writers: HTML and Markdown escaping, and
 * writing a file below an output directory.  Used by report.c and
 * report_plot.c (and anything else that writes a page); calls nothing of
 * theirs, so the dependency runs one way.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "analysis_internal.h"

void html_escape(struct an_buf *b, const char *text)
{
	for (const char *p = text; *p; p++) {
		switch (*p) {
		case '&': an_buf_puts(b, "&amp;"); break;
		case '<': an_buf_puts(b, "&lt;"); break;
		case '>': an_buf_puts(b, "&gt;"); break;
		case '"': an_buf_puts(b, "&quot;"); break;
		case '\'': an_buf_puts(b, "&#39;"); break;
		default: an_buf_printf(b, "%c", *p);
		}
	}
}

void html_md_escape(struct an_buf *b, const char *text)
{
	for (const char *p = text; *p; p++) {
		if (*p == '|')
			an_buf_puts(b, "\\|");
		else if (*p == '\n')
			an_buf_puts(b, " ");
		else if (strchr("*_`[]<>", *p))
			an_buf_printf(b, "\\%c", *p);
		else
			an_buf_printf(b, "%c", *p);
	}
}

int html_write_file(const char *dir, const char *rel, const char *text,
		    size_t len, struct l2s_error *err)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		int e = errno;
		if (f)
			fclose(f);
		return l2s_error_set(err, L2S_EIO, "cannot write '%s': %s",
				     rel, strerror(e));
	}
	return 0;
}
