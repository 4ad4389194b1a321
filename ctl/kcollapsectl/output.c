// SPDX-License-Identifier: MIT
/*
 * Human-readable output of kcollapse results, and the JSON of what only
 * the CLI shows (info --engine auto); the JSON of libkcollapse's own
 * types is ../json/kc_json.c, shared with kcollapsed.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include <linux/kcollapse.h>

#include "output.h"

#define CTL_STR_(x) #x
#define CTL_STR(x) CTL_STR_(x)

struct json_object *ctl_auto_json(const struct ctl_auto_info *a)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *module = NULL;

	if (!obj)
		return NULL;
	if (a->module_loaded) {
		module = kc_json_info(&a->module);
		if (!module)
			return kc_json_fail(obj);
	}
	if (json_object_object_add(obj, "module", module) < 0) {
		json_object_put(module);
		return kc_json_fail(obj);
	}
	if (!kc_json_add_str(obj, "selectedEngine",
			     kc_engine_name(a->selected)) ||
	    !kc_json_add_str(obj, "selectedBecause", a->why) ||
	    (!a->module_loaded &&
	     !kc_json_add_str(obj, "moduleError",
			      a->module_error ? a->module_error : "")) ||
	    !kc_json_add(obj, "userspace", kc_json_userspace(a->userspace)))
		return kc_json_fail(obj);
	return obj;
}

int ctl_print_json(FILE *f, struct json_object *obj)
{
	const char *s;
	int err = 0;

	if (!obj)
		return -ENOMEM;
	s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		err = -ENOMEM;
	else if (fprintf(f, "%s\n", s) < 0)
		err = -EIO;
	json_object_put(obj);
	return err;
}

void ctl_format_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	size_t u = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
}

/* " (-71.7%)" change from @before to @after, or "" when before is 0. */
static void ctl_format_change(char *buf, size_t len, uint64_t before,
			      uint64_t after)
{
	if (!before) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, len, " (%+.1f%%)",
		 ((double)after - (double)before) * 100.0 / (double)before);
}

/* One "  label:      value" row; @label carries its own indentation. */
static void ctl_row(FILE *f, const char *label, uint64_t v)
{
	fprintf(f, "  %-24s%" PRIu64 "\n", label, v);
}

static void ctl_print_pack(FILE *f, const struct kc_result *res)
{
	char bytes[32];

	ctl_row(f, "pages moved:", res->pack_moved);
	ctl_row(f, "pages left in place:", res->pack_left_pinned +
		res->pack_left_shared + res->pack_left_thp +
		res->pack_left_dense + res->pack_left_busy +
		res->pack_left_locked);
	ctl_row(f, "  pinned:", res->pack_left_pinned);
	ctl_row(f, "  shared:", res->pack_left_shared);
	ctl_row(f, "  hugepage:", res->pack_left_thp);
	ctl_row(f, "  dense frame:", res->pack_left_dense);
	ctl_row(f, "  busy or other:", res->pack_left_busy);
	ctl_row(f, "  mlocked:", res->pack_left_locked);
	ctl_row(f, "dense frames kept:", res->pack_dense_frames);
	ctl_row(f, "destination frames:", res->pack_dest_frames);
	ctl_format_bytes(bytes, sizeof(bytes), res->pack_bytes_copied);
	fprintf(f, "  %-24s%s\n", "bytes copied:", bytes);
	ctl_row(f, "allocation failures:", res->pack_alloc_failed);
}

/*
 * Frames and present bytes, before -> after. A missing after-measurement
 * (stopped early) says so rather than showing its zeros as figures.
 */
static void ctl_print_measures(FILE *f, const struct kc_result *res)
{
	static const char missing[] = "not measured (stopped early)";
	char before[32], after[32], change[32];

	if (!res->after_complete) {
		fprintf(f, "  %-24s%" PRIu64 " -> %s\n", "2 MiB frames:",
			res->frames_before, missing);
		ctl_format_bytes(before, sizeof(before), res->present_before);
		fprintf(f, "  %-24s%s -> %s\n", "present bytes:", before,
			missing);
		return;
	}
	ctl_format_change(change, sizeof(change), res->frames_before,
			  res->frames_after);
	fprintf(f, "  %-24s%" PRIu64 " -> %" PRIu64 "%s\n", "2 MiB frames:",
		res->frames_before, res->frames_after, change);
	ctl_format_bytes(before, sizeof(before), res->present_before);
	ctl_format_bytes(after, sizeof(after), res->present_after);
	ctl_format_change(change, sizeof(change), res->present_before,
			  res->present_after);
	fprintf(f, "  %-24s%s -> %s%s\n", "present bytes:", before, after,
		change);
}

/*
 * The working set: pages accessed since the last clear-accessed and their
 * frames, before -> after, when the module measured it.
 */
static void ctl_print_hot(FILE *f, const struct kc_result *res)
{
	char change[32];

	if (!res->hot_measured)
		return;
	if (!res->after_complete) {
		fprintf(f, "  %-24s%" PRIu64 " -> not measured (stopped early)\n",
			"hot pages:", res->hot_pages_before);
		fprintf(f, "  %-24s%" PRIu64 " -> not measured (stopped early)\n",
			"hot 2 MiB frames:", res->hot_frames_before);
		return;
	}
	fprintf(f, "  %-24s%" PRIu64 " -> %" PRIu64 "\n", "hot pages:",
		res->hot_pages_before, res->hot_pages_after);
	ctl_format_change(change, sizeof(change), res->hot_frames_before,
			  res->hot_frames_after);
	fprintf(f, "  %-24s%" PRIu64 " -> %" PRIu64 "%s\n", "hot 2 MiB frames:",
		res->hot_frames_before, res->hot_frames_after, change);
}

void ctl_print_result(FILE *f, const struct kc_result *res, bool dry_run)
{
	const char *what = kc_mode_name(res->mode);

	if (dry_run)
		what = res->mode == KC_MODE_COLLAPSE ? "dry run" :
		       res->mode == KC_MODE_PACK ? "pack dry run" : "auto dry run";
	fprintf(f, "pid %d: %s%s, stop reason: %s\n", (int)res->pid, what,
		res->stop_reason == KC_STOP_DONE ? " complete" : " stopped early",
		kc_stop_reason_name(res->stop_reason));
	fprintf(f, "  %-24s%s\n", "engine:", res->engine);
	fprintf(f, "  %-24s%.3f ms\n", "elapsed:",
		(double)res->elapsed_ns / 1e6);
	fprintf(f, "  %-24s%" PRIu64, "regions:", res->regions);
	if (res->marked)
		fprintf(f, " (%" PRIu64 " marked MADV_HUGEPAGE)", res->marked);
	fputc('\n', f);
	fprintf(f, "  %-24s%" PRIu64 " reached, %" PRIu64 " candidates\n",
		"windows:", res->chunks, res->candidates);
	ctl_row(f, "  collapsed:", res->collapsed);
	ctl_row(f, "  already huge:", res->already_huge);
	ctl_row(f, "  skipped:", kc_result_skipped(res));
	ctl_row(f, "    empty:", res->skipped_empty);
	ctl_row(f, "    sparse:", res->skipped_sparse);
	ctl_row(f, "    opted out of THP:", res->skipped_opted_out);
	ctl_row(f, "    failed nomem:", res->failed_nomem);
	ctl_row(f, "    failed busy:", res->failed_busy);
	ctl_row(f, "    failed again:", res->failed_again);
	ctl_row(f, "    failed ineligible:", res->failed_ineligible);
	ctl_row(f, "    failed other:", res->failed_other);
	if (res->mode != KC_MODE_COLLAPSE)
		ctl_print_pack(f, res);
	ctl_print_measures(f, res);
	ctl_print_hot(f, res);
}

void ctl_print_frames(FILE *f, pid_t pid, const struct kc_frames *fr)
{
	char bytes[32];

	ctl_format_bytes(bytes, sizeof(bytes), fr->present_bytes);
	fprintf(f, "pid %d: private anonymous memory\n", (int)pid);
	ctl_row(f, "regions:", fr->regions);
	ctl_row(f, "present pages:", fr->present_pages);
	fprintf(f, "  %-24s%s (%" PRIu64 ")\n", "present bytes:", bytes,
		fr->present_bytes);
	fprintf(f, "  %-24s%" PRIu64, "2 MiB frames:", fr->frames);
	if (fr->frames)
		fprintf(f, " (%.1f%% full)", (double)fr->present_bytes * 100.0 /
			((double)fr->frames * (2 << 20)));
	fputc('\n', f);
	ctl_row(f, "windows with pages:", fr->live_windows);
}

void ctl_print_info(FILE *f, const struct kc_info *info)
{
	fprintf(f, "%-24s%s\n", "module version:", info->module_version);
	fprintf(f, "%-24s%u%s\n", "protocol version:", info->proto_version,
		info->proto_version == KCOLLAPSE_GENL_VERSION ? "" :
		" (this tool speaks " CTL_STR(KCOLLAPSE_GENL_VERSION) ")");
	fprintf(f, "%-24s%s\n", "kernel:", info->kernel_release);
	fprintf(f, "%-24s%s (%s)\n", "engine:", info->engine,
		info->engine_available ? "available" : "unavailable");
	fprintf(f, "%-24s%s\n", "engine status:", info->engine_status);
	fprintf(f, "%-24s%u in flight, %u max\n", "operations:",
		info->ops_in_flight, info->ops_max);
}

void ctl_print_userspace(FILE *f, const struct kc_userspace_info *us)
{
	fprintf(f, "%-24s%s\n", "userspace engine:", us->status);
	if (us->available)
		fprintf(f, "%-24s%s\n", "already-huge detection:",
			us->huge_detection);
}

/*
 * How much of the choice's reason to print: not the module's error again
 * ("module unavailable: <error>" after a "module: <error>" line).
 */
static int ctl_auto_why_len(const struct ctl_auto_info *a)
{
	const char *err = a->module_error, *p;
	size_t n = strlen(a->why);

	if (!a->module_loaded && err && *err) {
		p = strstr(a->why, err);
		if (p && p - a->why >= 2 && !p[strlen(err)] &&
		    !strncmp(p - 2, ": ", 2))
			n = (size_t)(p - 2 - a->why);
	}
	return (int)n;
}

void ctl_print_auto(FILE *f, const struct ctl_auto_info *a)
{
	if (a->module_loaded)
		ctl_print_info(f, &a->module);
	else
		fprintf(f, "%-24s%s\n", "module:", a->module_error ?
			a->module_error : "not loaded");
	ctl_print_userspace(f, a->userspace);
	fprintf(f, "%-24s%s (%.*s)\n", "collapse uses:",
		kc_engine_name(a->selected), ctl_auto_why_len(a), a->why);
}
