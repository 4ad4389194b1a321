// SPDX-License-Identifier: MIT
/*
 * kcollapsectl clear-accessed PID
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <getopt.h>
#include <stdio.h>

#include <kcollapse/kcollapse.h>

#include "ctl.h"
#include "parse.h"

#define CLEAR_ACCESSED_USAGE "clear-accessed PID"

static const struct option clear_accessed_options[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void clear_accessed_help(void)
{
	ctl_usage(stdout, CLEAR_ACCESSED_USAGE);
	puts("\n"
	     "Clear the accessed bits of the anonymous pages of PID (writes 2 to\n"
	     "/proc/PID/clear_refs; no module needed). The pages PID touches from\n"
	     "then on are its working set: 'collapse' (with the module) reports\n"
	     "them as hot pages and frames, and 'collapse --mode pack|auto\n"
	     "--hot-first' packs them apart from the rest. Run it after a resume,\n"
	     "and pack with --hot-first before the pause.");
}

int clear_accessed_main(int argc, char *argv[])
{
	char what[64];
	pid_t pid;
	int c, err;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", clear_accessed_options,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			clear_accessed_help();
			return CTL_EXIT_OK;
		default:
			return ctl_option_error("clear-accessed",
						CLEAR_ACCESSED_USAGE, c, argv);
		}
	}
	if (optind >= argc)
		return ctl_usage_error("clear-accessed", CLEAR_ACCESSED_USAGE,
				       "missing PID");
	if (optind + 1 < argc)
		return ctl_usage_error("clear-accessed", CLEAR_ACCESSED_USAGE,
				       "unexpected argument '%s'",
				       argv[optind + 1]);
	err = ctl_parse_pid(argv[optind], &pid);
	if (err < 0)
		return ctl_usage_error("clear-accessed", CLEAR_ACCESSED_USAGE,
				       "invalid PID '%s': %s", argv[optind],
				       ctl_parse_strerror(err));

	err = kc_clear_accessed(pid);
	if (err < 0) {
		snprintf(what, sizeof(what), "clear-accessed pid %d", (int)pid);
		ctl_error("%s: %s", what, kc_last_error(NULL));
		return CTL_EXIT_ERROR;
	}
	printf("pid %d: accessed bits cleared\n", (int)pid);
	return CTL_EXIT_OK;
}
