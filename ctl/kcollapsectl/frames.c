// SPDX-License-Identifier: MIT
/*
 * kcollapsectl frames PID [--range START:LEN] [--json]
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include <kcollapse/kcollapse.h>

#include "ctl.h"
#include "output.h"
#include "parse.h"

#define FRAMES_USAGE "frames PID [--range START:LEN] [--json]"

enum {
	OPT_RANGE = 256,
	OPT_JSON,
};

static const struct option frames_options[] = {
	{ "range",	required_argument,	NULL, OPT_RANGE },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void frames_help(void)
{
	ctl_usage(stdout, FRAMES_USAGE);
	puts("\n"
	     "Measure, without the kernel module, how the private anonymous memory\n"
	     "of PID is spread over 2 MiB physical frames (reads /proc/PID/smaps and\n"
	     "/proc/PID/pagemap; needs CAP_SYS_ADMIN to see frame numbers). Counts\n"
	     "the mappings 'collapse' would consider.\n"
	     "\n"
	     "  --range START:LEN  only [START, START+LEN) (see 'collapse --help')\n"
	     "  --json             print one JSON object");
}

int frames_main(int argc, char *argv[])
{
	uint64_t start = 0, len = 0;
	struct kc_frames fr;
	char what[64];
	bool json = false;
	pid_t pid;
	int c, err;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", frames_options, NULL)) != -1) {
		switch (c) {
		case OPT_RANGE:
			err = ctl_parse_range(optarg, &start, &len);
			if (err < 0)
				return ctl_usage_error("frames", FRAMES_USAGE,
					"invalid --range '%s': %s (expected START:LEN)",
					optarg, ctl_parse_strerror(err));
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			frames_help();
			return CTL_EXIT_OK;
		default:
			return ctl_option_error("frames", FRAMES_USAGE, c, argv);
		}
	}
	if (optind >= argc)
		return ctl_usage_error("frames", FRAMES_USAGE, "missing PID");
	if (optind + 1 < argc)
		return ctl_usage_error("frames", FRAMES_USAGE,
				       "unexpected argument '%s'", argv[optind + 1]);
	err = ctl_parse_pid(argv[optind], &pid);
	if (err < 0)
		return ctl_usage_error("frames", FRAMES_USAGE,
				       "invalid PID '%s': %s", argv[optind],
				       ctl_parse_strerror(err));

	err = kc_frames(pid, start, len, &fr);
	if (err < 0) {
		snprintf(what, sizeof(what), "frames pid %d", (int)pid);
		ctl_error("%s: %s", what, *kc_last_error(NULL) ?
			  kc_last_error(NULL) : "measurement failed");
		return CTL_EXIT_ERROR;
	}
	if (!json) {
		ctl_print_frames(stdout, pid, &fr);
		return CTL_EXIT_OK;
	}
	if (ctl_print_json(stdout, kc_json_frames(pid, &fr)) < 0) {
		ctl_error("cannot print the answer as JSON");
		return CTL_EXIT_ERROR;
	}
	return CTL_EXIT_OK;
}
