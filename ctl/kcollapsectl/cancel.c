// SPDX-License-Identifier: MIT
/*
 * kcollapsectl cancel PID [--engine auto|kmod|userspace]
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include <kcollapse/kcollapse.h>

#include "ctl.h"
#include "parse.h"

#define CANCEL_USAGE "cancel PID [--engine auto|kmod|userspace]"

enum {
	OPT_ENGINE = 256,
};

static const struct option cancel_options[] = {
	{ "engine", required_argument, NULL, OPT_ENGINE },
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
	     "was running; non-zero only if the request failed.\n"
	     "\n"
	     "  --engine E   kmod: the module's operations; userspace: those of the\n"
	     "               fallback engine in any process; auto (default): both,\n"
	     "               the module's only if it is loaded");
}

static int cancel_kmod(pid_t pid, unsigned int *cancelled, bool required)
{
	struct kc_handle *h;
	char what[64];
	int err, ret;

	err = kc_open(&h);
	if (err == -ENOENT && !required)
		return -1;
	if (err < 0)
		return ctl_open_failed(err);
	err = kc_cancel(h, pid, cancelled);
	if (err < 0) {
		snprintf(what, sizeof(what), "cancel pid %d", (int)pid);
		ret = ctl_request_failed(what, err, kc_last_error(h));
		kc_close(h);
		return ret;
	}
	kc_close(h);
	return -1;
}

static int cancel_userspace(pid_t pid, unsigned int *cancelled)
{
	char what[64];
	int err;

	err = kc_cancel_userspace(pid, cancelled);
	if (err < 0) {
		snprintf(what, sizeof(what), "cancel pid %d", (int)pid);
		return ctl_request_failed(what, err, kc_last_error(NULL));
	}
	return -1;
}

/* Returns -1 to go on, or an exit code. */
static int cancel_parse(int argc, char *argv[], pid_t *pid,
			enum kc_engine *engine)
{
	int c, err;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", cancel_options, NULL)) != -1) {
		switch (c) {
		case OPT_ENGINE:
			if (kc_engine_parse(optarg, engine) < 0)
				return ctl_usage_error("cancel", CANCEL_USAGE,
					"invalid --engine '%s' (auto, kmod or userspace)",
					optarg);
			break;
		case 'h':
			cancel_help();
			return CTL_EXIT_OK;
		default:
			return ctl_option_error("cancel", CANCEL_USAGE, c, argv);
		}
	}
	if (optind >= argc)
		return ctl_usage_error("cancel", CANCEL_USAGE, "missing PID");
	if (optind + 1 < argc)
		return ctl_usage_error("cancel", CANCEL_USAGE,
				       "unexpected argument '%s'", argv[optind + 1]);
	err = ctl_parse_pid(argv[optind], pid);
	if (err < 0)
		return ctl_usage_error("cancel", CANCEL_USAGE,
				       "invalid PID '%s': %s", argv[optind],
				       ctl_parse_strerror(err));
	return -1;
}

int cancel_main(int argc, char *argv[])
{
	enum kc_engine engine = KC_ENGINE_AUTO;
	unsigned int kmod = 0, user = 0, cancelled;
	pid_t pid;
	int ret;

	ret = cancel_parse(argc, argv, &pid, &engine);
	if (ret >= 0)
		return ret;
	if (engine != KC_ENGINE_USERSPACE) {
		ret = cancel_kmod(pid, &kmod, engine == KC_ENGINE_KMOD);
		if (ret >= 0)
			return ret;
	}
	if (engine != KC_ENGINE_KMOD) {
		ret = cancel_userspace(pid, &user);
		if (ret >= 0)
			return ret;
	}

	cancelled = kmod + user;
	if (cancelled)
		printf("pid %d: cancelled %u running operation%s\n", (int)pid,
		       cancelled, cancelled == 1 ? "" : "s");
	else
		printf("pid %d: no running operation to cancel\n", (int)pid);
	return CTL_EXIT_OK;
}
