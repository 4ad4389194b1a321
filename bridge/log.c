// SPDX-License-Identifier: MIT
/*
 * One-line structured log records on stderr.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "log.h"

#define KCD_LOG_LINE 1024

static bool kcd_journal;

void kcd_log_init(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	/* systemd.exec(5): only if stderr is still the stream it names
	 * (not redirected since), prefixes are understood. */
	kcd_journal = js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
		      fstat(STDERR_FILENO, &st) == 0 &&
		      (unsigned long long)st.st_dev == dev &&
		      (unsigned long long)st.st_ino == ino;
}

void kcd_log(int prio, const char *fmt, ...)
{
	char line[KCD_LOG_LINE];
	size_t len;
	va_list ap;
	int n;

	if (kcd_journal)
		len = (size_t)snprintf(line, sizeof(line), "<%d>kcollapsed: ",
				       prio & LOG_PRIMASK);
	else
		len = (size_t)snprintf(line, sizeof(line), "kcollapsed: ");
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	len += (size_t)n < sizeof(line) - len - 1 ? (size_t)n :
	       sizeof(line) - len - 2;
	line[len++] = '\n';
	/* Logging must never take the daemon down. */
	while (write(STDERR_FILENO, line, len) < 0 && errno == EINTR)
		;
}

const char *kcd_log_quote(char *buf, size_t len, const char *s)
{
	size_t o = 0;

	if (len < 3)
		return "\"\"";
	buf[o++] = '"';
	for (; s && *s && o + 3 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			continue;
		if (c == '"' || c == '\\')
			buf[o++] = '\\';
		buf[o++] = (char)c;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}
