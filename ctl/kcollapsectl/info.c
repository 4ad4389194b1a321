// SPDX-License-Identifier: MIT
/*
 * kcollapsectl info [--json]
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include <kcollapse/kcollapse.h>

#include "ctl.h"
#include "output.h"

#define INFO_USAGE "info [--json]"

static const struct option info_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void info_help(void)
{
	ctl_usage(stdout, INFO_USAGE);
	puts("\n"
	     "Show the kcollapse module's version, protocol version, the kernel\n"
	     "release, the collapse engine and whether it is available, and the\n"
	     "operations in flight. Needs no privilege.\n"
	     "\n"
	     "  --json   print one JSON object");
}

int info_main(int argc, char *argv[])
{
	struct kc_handle *h;
	struct kc_info info;
	bool json = false;
	int c, err, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", info_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			info_help();
			return CTL_EXIT_OK;
		default:
			return ctl_option_error("info", INFO_USAGE, c, argv);
		}
	}
	if (optind < argc)
		return ctl_usage_error("info", INFO_USAGE,
				       "unexpected argument '%s'", argv[optind]);

	err = kc_open(&h);
	if (err < 0)
		return ctl_open_failed(err);
	err = kc_get_info(h, &info);
	if (err < 0) {
		ret = ctl_request_failed("info", err, kc_last_error(h));
		kc_close(h);
		return ret;
	}
	kc_close(h);

	if (!json) {
		ctl_print_info(stdout, &info);
		return CTL_EXIT_OK;
	}
	if (ctl_print_json(stdout, ctl_info_json(&info)) < 0) {
		ctl_error("cannot print the answer as JSON");
		return CTL_EXIT_ERROR;
	}
	return CTL_EXIT_OK;
}
