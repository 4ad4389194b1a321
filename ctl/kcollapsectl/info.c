// SPDX-License-Identifier: MIT
/*
 * kcollapsectl info [--engine auto|kmod|userspace] [--json]
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include <kcollapse/kcollapse.h>

#include "ctl.h"
#include "output.h"

#define INFO_USAGE "info [--engine auto|kmod|userspace] [--json]"

enum {
	OPT_ENGINE = 256,
};

static const struct option info_options[] = {
	{ "engine", required_argument, NULL, OPT_ENGINE },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void info_help(void)
{
	ctl_usage(stdout, INFO_USAGE);
	puts("\n"
	     "Show what 'collapse' would run with: the kcollapse module (its\n"
	     "version, protocol version, the kernel release, its collapse engine\n"
	     "and whether it is available, the operations in flight) or why it\n"
	     "is missing, the userspace fallback engine, and the engine chosen.\n"
	     "Needs no privilege.\n"
	     "\n"
	     "  --engine E   auto (default): the module if loaded, the fallback,\n"
	     "               and which engine 'collapse' would use;\n"
	     "               kmod: the module only, an error if it is not loaded;\n"
	     "               userspace: what the fallback engine can do here\n"
	     "  --json       print one JSON object");
}

/* The module's answer; returns -1 to go on, or an exit code. */
static int info_kmod(struct kc_info *info, bool quiet, const char **err_msg)
{
	struct kc_handle *h;
	int err, ret;

	err = kc_open(&h);
	if (err < 0) {
		if (quiet) {
			*err_msg = kc_last_error(NULL);
			return -2;
		}
		return ctl_open_failed(err);
	}
	err = kc_get_info(h, info);
	if (err < 0) {
		ret = ctl_request_failed("info", err, kc_last_error(h));
		kc_close(h);
		return ret;
	}
	kc_close(h);
	return -1;
}

static int info_show_kmod(bool json)
{
	struct kc_info info;
	int ret = info_kmod(&info, false, NULL);

	if (ret >= 0)
		return ret;
	if (!json) {
		ctl_print_info(stdout, &info);
		return CTL_EXIT_OK;
	}
	if (ctl_print_json(stdout, kc_json_info(&info)) < 0) {
		ctl_error("cannot print the answer as JSON");
		return CTL_EXIT_ERROR;
	}
	return CTL_EXIT_OK;
}

static int info_show_userspace(bool json)
{
	struct kc_userspace_info us;

	kc_userspace_info(&us);
	if (!json) {
		ctl_print_userspace(stdout, &us);
		return CTL_EXIT_OK;
	}
	if (ctl_print_json(stdout, kc_json_userspace(&us)) < 0) {
		ctl_error("cannot print the answer as JSON");
		return CTL_EXIT_ERROR;
	}
	return CTL_EXIT_OK;
}

static int info_show_auto(bool json)
{
	const char *module_err = NULL;
	struct kc_userspace_info us;
	struct ctl_auto_info a = { 0 };
	int ret;

	ret = info_kmod(&a.module, true, &module_err);
	if (ret >= 0)
		return ret;
	a.module_loaded = ret == -1;
	a.module_error = module_err;
	kc_userspace_info(&us);
	a.userspace = &us;
	ret = kc_engine_select(KC_ENGINE_AUTO, 0, &a.selected, a.why,
			       sizeof(a.why));
	if (ret < 0) {
		ctl_error("cannot select an engine: %s", kc_last_error(NULL));
		return CTL_EXIT_ERROR;
	}
	if (!json) {
		ctl_print_auto(stdout, &a);
		return CTL_EXIT_OK;
	}
	if (ctl_print_json(stdout, ctl_auto_json(&a)) < 0) {
		ctl_error("cannot print the answer as JSON");
		return CTL_EXIT_ERROR;
	}
	return CTL_EXIT_OK;
}

int info_main(int argc, char *argv[])
{
	enum kc_engine engine = KC_ENGINE_AUTO;
	bool json = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", info_options, NULL)) != -1) {
		switch (c) {
		case OPT_ENGINE:
			if (kc_engine_parse(optarg, &engine) < 0)
				return ctl_usage_error("info", INFO_USAGE,
					"invalid --engine '%s' (auto, kmod or userspace)",
					optarg);
			break;
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

	switch (engine) {
	case KC_ENGINE_USERSPACE:
		return info_show_userspace(json);
	case KC_ENGINE_KMOD:
		return info_show_kmod(json);
	default:
		return info_show_auto(json);
	}
}
