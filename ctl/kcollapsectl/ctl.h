/* SPDX-License-Identifier: MIT */
/*
 * kcollapsectl: subcommands and shared helpers.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef CTL_CTL_H
#define CTL_CTL_H

#include <stdio.h>

#define PROG_NAME "kcollapsectl"

/* Exit codes. */
#define CTL_EXIT_OK	0
#define CTL_EXIT_ERROR	1	/* the operation could not run */
#define CTL_EXIT_USAGE	2	/* bad command line */

/* Subcommands: argv[0] is the subcommand name. Return an exit code. */
int collapse_main(int argc, char *argv[]);
int cancel_main(int argc, char *argv[]);
int info_main(int argc, char *argv[]);
int frames_main(int argc, char *argv[]);
int clear_accessed_main(int argc, char *argv[]);
int help_main(int argc, char *argv[]);

/* Print "kcollapsectl: MESSAGE" on stderr. */
void ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Print "kcollapsectl: CMD: MESSAGE" and "Usage: kcollapsectl USAGE" on
 * stderr; returns CTL_EXIT_USAGE.
 */
int ctl_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Explain a getopt_long() failure (return value @c) as a usage error. */
int ctl_option_error(const char *cmd, const char *usage, int c, char *argv[]);

/*
 * Print "Usage: kcollapsectl USAGE" to @f (for --help), wrapped below
 * CTL_USAGE_COLUMNS, continuation lines under the subcommand's first
 * argument; a bracketed option is never split.
 */
#define CTL_USAGE_COLUMNS	79
void ctl_usage(FILE *f, const char *usage);

/*
 * Report a failed kc_open() (the library's message, e.g. "kcollapse module
 * not loaded ...") and return CTL_EXIT_ERROR.
 */
int ctl_open_failed(int err);

/*
 * Report a failed request: "kcollapsectl: WHAT: DESCRIPTION[: DETAIL]" where
 * DESCRIPTION explains -@err for kcollapse and DETAIL is the kernel's
 * extended-ACK or the library's message (which names what is missing, e.g.
 * the capability); DESCRIPTION is left out when DETAIL already says it.
 * Returns CTL_EXIT_ERROR.
 */
int ctl_request_failed(const char *what, int err, const char *detail);

#endif /* CTL_CTL_H */
