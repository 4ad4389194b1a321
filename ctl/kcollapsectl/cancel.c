// SPDX-License-Identifier: MIT
/*
 * kcollapsectl cancel PID
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <getopt.h>
#include <stdio.h>

#include <kcollapse/kcollapse.h>

#include "ctl.h"
#include "parse.h"

#define CANCEL_USAGE "cancel PID"

static const struct option cancel_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void cancel_help(void)
{
	ctl_usage(stdout, CANCEL_USAGE);
	puts("\n"
	     "Tell a running collapse of PID's address space to stop after its\n"
	     "current window; that collapse then reports its partial statistics\n"
	     "with stop reason \"cancelled\". Exits 0 whether or not an operation\n"
	     "was running; non-zero only if the request failed.");
}

int cancel_main(int argc, char *argv[])
{
	struct kc_handle *h;
	unsigned int cancelled = 0;
	char what[64];
	pid_t pid;
	int c, err, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", cancel_options, NULL)) != -1) {
		if (c == 'h') {
			cancel_help();
			return CTL_EXIT_OK;
		}
		return ctl_option_error("cancel", CANCEL_USAGE, c, argv);
	}
	if (optind >= argc)
		return ctl_usage_error("cancel", CANCEL_USAGE, "missing PID");
	if (optind + 1 < argc)
		return ctl_usage_error("cancel", CANCEL_USAGE,
				       "unexpected argument '%s'", argv[optind + 1]);
	err = ctl_parse_pid(argv[optind], &pid);
	if (err < 0)
		return ctl_usage_error("cancel", CANCEL_USAGE,
				       "invalid PID '%s': %s", argv[optind],
				       ctl_parse_strerror(err));

	err = kc_open(&h);
	if (err < 0)
		return ctl_open_failed(err);
	err = kc_cancel(h, pid, &cancelled);
	if (err < 0) {
		snprintf(what, sizeof(what), "cancel pid %d", (int)pid);
		ret = ctl_request_failed(what, err, kc_last_error(h));
		kc_close(h);
		return ret;
	}
	kc_close(h);

	if (cancelled)
		printf("pid %d: cancelled %u running operation%s\n", (int)pid,
		       cancelled, cancelled == 1 ? "" : "s");
	else
		printf("pid %d: no running operation to cancel\n", (int)pid);
	return CTL_EXIT_OK;
}
