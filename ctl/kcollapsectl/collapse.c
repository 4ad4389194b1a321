// SPDX-License-Identifier: MIT
/*
 * kcollapsectl collapse PID [options]
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <kcollapse/kcollapse.h>
#include <linux/kcollapse.h>

#include "ctl.h"
#include "output.h"
#include "parse.h"

#define COLLAPSE_USAGE \
	"collapse PID [--range START:LEN] [--deadline-ms N] [--min-fill N] " \
	"[--mark-hugepage] [--dry-run] [--mode collapse|pack|auto] " \
	"[--auto-threshold N] [--hot-first] [--engine auto|kmod|userspace] " \
	"[--json]"

enum {
	OPT_RANGE = 256,
	OPT_DEADLINE,
	OPT_MIN_FILL,
	OPT_MARK,
	OPT_DRY_RUN,
	OPT_ENGINE,
	OPT_JSON,
	OPT_MODE,
	OPT_AUTO_THRESHOLD,
	OPT_HOT_FIRST,
};

static const struct option collapse_options[] = {
	{ "range",		required_argument,	NULL, OPT_RANGE },
	{ "deadline-ms",	required_argument,	NULL, OPT_DEADLINE },
	{ "min-fill",		required_argument,	NULL, OPT_MIN_FILL },
	{ "mark-hugepage",	no_argument,		NULL, OPT_MARK },
	{ "dry-run",		no_argument,		NULL, OPT_DRY_RUN },
	{ "engine",		required_argument,	NULL, OPT_ENGINE },
	{ "json",		no_argument,		NULL, OPT_JSON },
	{ "mode",		required_argument,	NULL, OPT_MODE },
	{ "auto-threshold",	required_argument,	NULL, OPT_AUTO_THRESHOLD },
	{ "hot-first",		no_argument,		NULL, OPT_HOT_FIRST },
	{ "help",		no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void collapse_help(void)
{
	ctl_usage(stdout, COLLAPSE_USAGE);
	puts("\n"
	     "Consolidate the private anonymous memory of process PID into 2 MiB\n"
	     "transparent hugepages, through the kcollapse kernel module or, without\n"
	     "it, from userspace with process_madvise(MADV_COLLAPSE).\n"
	     "\n"
	     "  --range START:LEN  only [START, START+LEN); START and LEN in decimal or\n"
	     "                     0x hex, LEN may end in K, M, G or T (default: all)\n"
	     "  --deadline-ms N    stop after N ms, between windows, not starting a\n"
	     "                     collapse expected to end later (default: none)\n"
	     "  --min-fill N       skip windows with fewer than N present 4 KiB pages,\n"
	     "                     1..512 (default: the module's, 1)\n"
	     "  --mark-hugepage    apply MADV_HUGEPAGE to the covered mappings first\n"
	     "  --dry-run          classify windows only, change nothing\n"
	     "  --mode M           collapse (default): windows into hugepages; pack:\n"
	     "                     move the live 4 KiB pages into as few 2 MiB frames\n"
	     "                     as possible, no hugepages; auto: collapse windows\n"
	     "                     with at least --auto-threshold present pages, pack\n"
	     "                     the rest (pack and auto need the module)\n"
	     "  --auto-threshold N with --mode auto, 1..512 (default: the module's, 448)\n"
	     "  --hot-first        with --mode pack or auto: the pages accessed since\n"
	     "                     clear-accessed go into frames of their own, first\n"
	     "  --engine E         auto (default: the module if it can collapse, else\n"
	     "                     userspace), kmod, or userspace (no --mark-hugepage)\n"
	     "  --json             print one JSON object instead of a summary\n"
	     "\n"
	     "Exits 0 whenever the operation ran, even if it stopped early or some\n"
	     "windows failed; non-zero if it could not run.");
}

/* Parse the command line into @req; returns -1 to go on, or an exit code. */
static int collapse_parse(int argc, char *argv[], struct kc_collapse_req *req,
			  enum kc_engine *engine, bool *json)
{
	uint64_t v;
	int c, err;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", collapse_options, NULL)) != -1) {
		switch (c) {
		case OPT_RANGE:
			err = ctl_parse_range(optarg, &req->range_start,
					      &req->range_len);
			if (err < 0)
				return ctl_usage_error("collapse", COLLAPSE_USAGE,
					"invalid --range '%s': %s (expected START:LEN)",
					optarg, ctl_parse_strerror(err));
			break;
		case OPT_DEADLINE:
			err = ctl_parse_u64(optarg, 0, UINT32_MAX, &v);
			if (err < 0)
				return ctl_usage_error("collapse", COLLAPSE_USAGE,
					"invalid --deadline-ms '%s': %s (0..%u)",
					optarg, ctl_parse_strerror(err),
					UINT32_MAX);
			req->deadline_ms = (uint32_t)v;
			break;
		case OPT_MIN_FILL:
			err = ctl_parse_u64(optarg, 0, KCOLLAPSE_WINDOW_PAGES, &v);
			if (!err && !v)
				err = -ERANGE;
			if (err < 0)
				return ctl_usage_error("collapse", COLLAPSE_USAGE,
					"invalid --min-fill '%s': %s (1..%d)",
					optarg, ctl_parse_strerror(err),
					KCOLLAPSE_WINDOW_PAGES);
			req->min_fill = (uint32_t)v;
			break;
		case OPT_MARK:
			req->flags |= KC_MARK_HUGEPAGE;
			break;
		case OPT_DRY_RUN:
			req->flags |= KC_DRY_RUN;
			break;
		case OPT_ENGINE:
			if (kc_engine_parse(optarg, engine) < 0)
				return ctl_usage_error("collapse", COLLAPSE_USAGE,
					"invalid --engine '%s' (auto, kmod or userspace)",
					optarg);
			break;
		case OPT_JSON:
			*json = true;
			break;
		case OPT_MODE: {
			enum kc_mode mode;

			if (kc_mode_parse(optarg, &mode) < 0)
				return ctl_usage_error("collapse", COLLAPSE_USAGE,
					"invalid --mode '%s' (collapse, pack or auto)",
					optarg);
			req->mode = (uint32_t)mode;
			break;
		}
		case OPT_AUTO_THRESHOLD:
			err = ctl_parse_u64(optarg, 0, KCOLLAPSE_WINDOW_PAGES, &v);
			if (!err && !v)
				err = -ERANGE;
			if (err < 0)
				return ctl_usage_error("collapse", COLLAPSE_USAGE,
					"invalid --auto-threshold '%s': %s (1..%d)",
					optarg, ctl_parse_strerror(err),
					KCOLLAPSE_WINDOW_PAGES);
			req->auto_threshold = (uint32_t)v;
			break;
		case OPT_HOT_FIRST:
			req->hot_first = true;
			break;
		case 'h':
			collapse_help();
			return CTL_EXIT_OK;
		default:
			return ctl_option_error("collapse", COLLAPSE_USAGE, c, argv);
		}
	}
	if (req->auto_threshold && req->mode != KC_MODE_AUTO)
		return ctl_usage_error("collapse", COLLAPSE_USAGE,
				       "--auto-threshold needs --mode auto");
	if (req->hot_first && req->mode == KC_MODE_COLLAPSE)
		return ctl_usage_error("collapse", COLLAPSE_USAGE,
				       "--hot-first needs --mode pack or auto");
	if (optind >= argc)
		return ctl_usage_error("collapse", COLLAPSE_USAGE, "missing PID");
	if (optind + 1 < argc)
		return ctl_usage_error("collapse", COLLAPSE_USAGE,
				       "unexpected argument '%s'", argv[optind + 1]);
	err = ctl_parse_pid(argv[optind], &req->pid);
	if (err < 0)
		return ctl_usage_error("collapse", COLLAPSE_USAGE,
				       "invalid PID '%s': %s", argv[optind],
				       ctl_parse_strerror(err));
	return -1;
}

int collapse_main(int argc, char *argv[])
{
	enum kc_engine engine = KC_ENGINE_AUTO;
	struct kc_collapse_req req = { 0 };
	struct kc_result res;
	char what[64];
	bool json = false;
	int ret, err;

	ret = collapse_parse(argc, argv, &req, &engine, &json);
	if (ret >= 0)
		return ret;

	err = kc_collapse_with(engine, &req, NULL, &res);
	if (err == -ENOENT && engine == KC_ENGINE_KMOD)
		return ctl_open_failed(err);
	if (err < 0) {
		snprintf(what, sizeof(what), "collapse pid %d", (int)req.pid);
		return ctl_request_failed(what, err, kc_last_error(NULL));
	}

	if (!res.pid)
		res.pid = req.pid;
	if (!json) {
		ctl_print_result(stdout, &res, req.flags & KC_DRY_RUN);
		return CTL_EXIT_OK;
	}
	if (ctl_print_json(stdout, kc_json_result(&res)) < 0) {
		ctl_error("cannot print the result as JSON");
		return CTL_EXIT_ERROR;
	}
	return CTL_EXIT_OK;
}
