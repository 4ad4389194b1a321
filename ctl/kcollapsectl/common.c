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

void ctl_usage(FILE *f, const char *usage)
{
	fprintf(f, "Usage: %s %s\n", PROG_NAME, usage);
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
	case EPERM:
		return "permission denied (CAP_SYS_ADMIN is needed)";
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
	if (detail && *detail)
		ctl_error("%s: %s: %s", what, ctl_describe(err), detail);
	else
		ctl_error("%s: %s", what, ctl_describe(err));
	return CTL_EXIT_ERROR;
}
