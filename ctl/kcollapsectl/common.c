// SPDX-License-Identifier: MIT
/*
 * Error and usage reporting shared by the subcommands.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include <kcollapse/kcollapse.h>

#include "ctl.h"

void ctl_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The length of @s's first word, a bracketed group counting as one. */
static size_t ctl_usage_word(const char *s)
{
	size_t n = 0;
	int depth = 0;

	for (; s[n] && (depth || s[n] != ' '); n++)
		depth += (s[n] == '[') - (s[n] == ']');
	return n;
}

void ctl_usage(FILE *f, const char *usage)
{
	size_t indent, col, n, word;

	/* "Usage: kcollapsectl collapse PID [...]", then under the PID. */
	col = (size_t)fprintf(f, "Usage: %s ", PROG_NAME);
	word = ctl_usage_word(usage);
	indent = col + word + 1;
	for (n = 0; usage[n]; n += word) {
		while (usage[n] == ' ')
			n++;
		word = ctl_usage_word(usage + n);
		if (!word)
			break;
		if (col > indent && col + 1 + word > CTL_USAGE_COLUMNS) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		} else if (n) {
			fputc(' ', f);
			col++;
		}
		col += fwrite(usage + n, 1, word, f);
	}
	fputc('\n', f);
}

int ctl_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", PROG_NAME, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ctl_usage(stderr, usage);
	return CTL_EXIT_USAGE;
}

int ctl_option_error(const char *cmd, const char *usage, int c, char *argv[])
{
	const char *opt = optind > 0 ? argv[optind - 1] : "?";

	if (c == ':')
		return ctl_usage_error(cmd, usage, "option '%s' needs a value",
				       opt);
	return ctl_usage_error(cmd, usage, "unknown option '%s'", opt);
}

int ctl_open_failed(int err)
{
	const char *msg = kc_last_error(NULL);

	if (*msg)
		ctl_error("%s", msg);
	else
		ctl_error("cannot connect to the kcollapse module: %s",
			  strerror(-err));
	return CTL_EXIT_ERROR;
}

static const char *ctl_describe(int err)
{
	switch (-err) {
	case ESRCH:
		return "no such process, or it has no address space";
	case EPERM:	/* the detail names what is missing */
		return "permission denied";
	case EBUSY:
		return "busy: an operation on this address space is already "
		       "running, or too many operations run";
	case EOPNOTSUPP:
		return "not possible with this engine on this kernel "
		       "(see '" PROG_NAME " info')";
	case EINVAL:
		return "invalid request";
	default:
		return strerror(-err);
	}
}

int ctl_request_failed(const char *what, int err, const char *detail)
{
	const char *desc = ctl_describe(err);

	/* Once: a detail that already says it ("...: Permission denied"). */
	if (detail && *detail && strcasestr(detail, desc))
		ctl_error("%s: %s", what, detail);
	else if (detail && *detail)
		ctl_error("%s: %s: %s", what, desc, detail);
	else
		ctl_error("%s: %s", what, desc);
	return CTL_EXIT_ERROR;
}
