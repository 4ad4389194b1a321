// SPDX-License-Identifier: MIT
/*
 * One-line structured log records on stderr.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define KCD_LOG_LINE 1024

void kcd_log(const char *fmt, ...)
{
	static const char prefix[] = "kcollapsed: ";
	char line[KCD_LOG_LINE];
	size_t len = sizeof(prefix) - 1;
	va_list ap;
	int n;

	memcpy(line, prefix, len);
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
