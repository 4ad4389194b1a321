// SPDX-License-Identifier: MIT
/*
 * JSON output: field names, types and the orchestrator's "skipped".
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <kcollapse/kcollapse.h>

#include "kc_json.h"
#include "output.h"
#include "test.h"

/* Format @obj with the CLI's printer and parse the text back. */
static struct json_object *round_trip(struct json_object *obj)
{
	struct json_object *back;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f) {
		json_object_put(obj);
		return NULL;
	}
	CHECK_INT(ctl_print_json(f, obj), 0);
	fclose(f);
	CHECK(len > 0 && text[len - 1] == '\n');
	CHECK(memchr(text, '\n', len) == text + len - 1);	/* one line */
	back = json_tokener_parse(text);
	free(text);
	return back;
}

static int64_t get_int(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v)) {
		t_fail(__FILE__, __LINE__, "missing key %s", key);
		return -1;
	}
	if (!json_object_is_type(v, json_type_int)) {
		t_fail(__FILE__, __LINE__, "key %s is not an integer", key);
		return -1;
	}
	return json_object_get_int64(v);
}

/* 1 or 0 for a JSON boolean, -1 (and a failure) for anything else. */
static int get_bool(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_boolean)) {
		t_fail(__FILE__, __LINE__, "key %s missing or not a boolean", key);
		return -1;
	}
	return json_object_get_boolean(v);
}

static const char *get_str(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		t_fail(__FILE__, __LINE__, "key %s missing or not a string", key);
		return "";
	}
	return json_object_get_string(v);
}

void test_json_result(void)
{
	static const char *const keys[] = {
		"regions", "chunks", "collapsed", "skipped", "alreadyHuge",
		"elapsedMs", "candidates", "skippedEmpty", "skippedSparse",
		"failedNomem", "failedBusy", "failedAgain", "failedIneligible",
		"failedOther", "elapsedNs", "framesBefore", "framesAfter",
		"presentBytesBefore", "presentBytesAfter", "marked",
		"stopReason", "engine", "pid", "mode", "packMoved",
		"packLeftPinned", "packLeftShared", "packLeftThp",
		"packLeftDense", "packLeftBusy", "packLeftLocked",
		"packDenseFrames",
		"packDestFrames", "packBytesCopied", "packAllocFailed",
		"skippedOptedOut", "afterComplete", "hotPagesBefore",
		"hotFramesBefore", "hotPagesAfter", "hotFramesAfter",
		"hotMeasured",
	};
	struct kc_result res = {
		.regions = 7, .chunks = 100, .candidates = 60, .collapsed = 40,
		.already_huge = 10, .skipped_empty = 20, .skipped_sparse = 10,
		.failed_nomem = 1, .failed_busy = 2, .failed_again = 3,
		.failed_ineligible = 4, .failed_other = 5,
		.skipped_opted_out = 5,
		.elapsed_ns = 428600000, .frames_before = 1586,
		.frames_after = 465, .present_before = 5ULL << 30,
		.present_after = 6ULL << 30, .stop_reason = KC_STOP_DEADLINE,
		.marked = 7, .pid = 4242, .engine = "kmod",
		.mode = KC_MODE_PACK, .pack_moved = 3000,
		.pack_left_pinned = 11, .pack_dest_frames = 6,
		.pack_left_locked = 13,
		.pack_bytes_copied = 3000 * 4096ULL,
		.hot_pages_before = 1200, .hot_frames_before = 300,
		.hot_pages_after = 1201, .hot_frames_after = 4,
		.hot_measured = true,
	};
	struct json_object *obj;
	size_t i;

	obj = round_trip(kc_json_result(&res));
	CHECK(obj != NULL);
	if (!obj)
		return;
	CHECK(json_object_is_type(obj, json_type_object));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!json_object_object_get_ex(obj, keys[i], NULL))
			t_fail(__FILE__, __LINE__, "missing key %s", keys[i]);
	CHECK_INT(json_object_object_length(obj), sizeof(keys) / sizeof(keys[0]));

	/* The orchestrator's CollapseResult: plain integers. */
	CHECK_INT(get_int(obj, "regions"), 7);
	CHECK_INT(get_int(obj, "chunks"), 100);
	CHECK_INT(get_int(obj, "collapsed"), 40);
	CHECK_INT(get_int(obj, "alreadyHuge"), 10);
	CHECK_INT(get_int(obj, "skipped"), 100 - 40 - 10);
	CHECK_INT(get_int(obj, "skipped"), 20 + 10 + 5 + 1 + 2 + 3 + 4 + 5);
	CHECK_INT(get_int(obj, "elapsedMs"), 429);

	CHECK_INT(get_int(obj, "candidates"), 60);
	CHECK_INT(get_int(obj, "skippedEmpty"), 20);
	CHECK_INT(get_int(obj, "skippedSparse"), 10);
	CHECK_INT(get_int(obj, "failedNomem"), 1);
	CHECK_INT(get_int(obj, "failedBusy"), 2);
	CHECK_INT(get_int(obj, "failedAgain"), 3);
	CHECK_INT(get_int(obj, "failedIneligible"), 4);
	CHECK_INT(get_int(obj, "failedOther"), 5);
	CHECK_INT(get_int(obj, "skippedOptedOut"), 5);
	CHECK_INT(get_bool(obj, "afterComplete"), 0);
	CHECK_INT(get_int(obj, "elapsedNs"), 428600000);
	CHECK_INT(get_int(obj, "framesBefore"), 1586);
	CHECK_INT(get_int(obj, "framesAfter"), 465);
	CHECK_INT(get_int(obj, "presentBytesBefore"), 5LL << 30);
	CHECK_INT(get_int(obj, "presentBytesAfter"), 6LL << 30);
	CHECK_INT(get_int(obj, "marked"), 7);
	CHECK_INT(get_int(obj, "pid"), 4242);
	CHECK_STR(get_str(obj, "stopReason"), "deadline");
	CHECK_STR(get_str(obj, "engine"), "kmod");
	CHECK_STR(get_str(obj, "mode"), "pack");
	CHECK_INT(get_int(obj, "packMoved"), 3000);
	CHECK_INT(get_int(obj, "packLeftPinned"), 11);
	CHECK_INT(get_int(obj, "packLeftBusy"), 0);
	CHECK_INT(get_int(obj, "packLeftLocked"), 13);
	CHECK_INT(get_int(obj, "packDestFrames"), 6);
	CHECK_INT(get_int(obj, "packBytesCopied"), 3000 * 4096LL);
	CHECK_INT(get_int(obj, "hotPagesBefore"), 1200);
	CHECK_INT(get_int(obj, "hotFramesBefore"), 300);
	CHECK_INT(get_int(obj, "hotPagesAfter"), 1201);
	CHECK_INT(get_int(obj, "hotFramesAfter"), 4);
	CHECK_INT(get_bool(obj, "hotMeasured"), 1);
	json_object_put(obj);

	/* Inconsistent counts never make "skipped" wrap around. */
	memset(&res, 0, sizeof(res));
	res.chunks = 1;
	res.collapsed = 2;
	res.elapsed_ns = 499999;
	obj = round_trip(kc_json_result(&res));
	CHECK(obj != NULL);
	if (!obj)
		return;
	CHECK_INT(get_int(obj, "skipped"), 0);
	CHECK_INT(get_int(obj, "elapsedMs"), 0);
	CHECK_STR(get_str(obj, "stopReason"), "done");
	/* Not measured (an older module, the userspace engine): false, 0s. */
	CHECK_INT(get_bool(obj, "hotMeasured"), 0);
	CHECK_INT(get_int(obj, "hotFramesBefore"), 0);
	json_object_put(obj);
}

void test_json_frames_info(void)
{
	struct kc_frames fr = {
		.regions = 3, .present_pages = 10, .present_bytes = 40960,
		.frames = 4, .live_windows = 5,
	};
	struct kc_info info = {
		.module_version = "0.1.0", .proto_version = 1,
		.kernel_release = "6.1.0-kc", .engine = "do_madvise",
		.engine_available = true, .engine_status = "ok \"quoted\"",
		.ops_in_flight = 2, .ops_max = 8,
	};
	struct json_object *obj, *v;

	obj = round_trip(kc_json_frames(99, &fr));
	CHECK(obj != NULL);
	if (obj) {
		CHECK_INT(get_int(obj, "pid"), 99);
		CHECK_INT(get_int(obj, "regions"), 3);
		CHECK_INT(get_int(obj, "presentPages"), 10);
		CHECK_INT(get_int(obj, "presentBytes"), 40960);
		CHECK_INT(get_int(obj, "frames"), 4);
		CHECK_INT(get_int(obj, "liveWindows"), 5);
		CHECK_INT(json_object_object_length(obj), 6);
		json_object_put(obj);
	}

	obj = round_trip(kc_json_info(&info));
	CHECK(obj != NULL);
	if (obj) {
		CHECK_STR(get_str(obj, "moduleVersion"), "0.1.0");
		CHECK_INT(get_int(obj, "protocolVersion"), 1);
		CHECK_STR(get_str(obj, "kernelRelease"), "6.1.0-kc");
		CHECK_STR(get_str(obj, "engine"), "do_madvise");
		CHECK(json_object_object_get_ex(obj, "engineAvailable", &v) &&
		      json_object_is_type(v, json_type_boolean) &&
		      json_object_get_boolean(v));
		CHECK_STR(get_str(obj, "engineStatus"), "ok \"quoted\"");
		CHECK_INT(get_int(obj, "opsInFlight"), 2);
		CHECK_INT(get_int(obj, "opsMax"), 8);
		json_object_put(obj);
	}
}

void test_names(void)
{
	struct kc_result res = { .chunks = 10, .collapsed = 3,
				 .already_huge = 2 };
	char buf[32];

	CHECK_STR(kc_stop_reason_name(KC_STOP_DONE), "done");
	CHECK_STR(kc_stop_reason_name(KC_STOP_CANCELLED), "cancelled");
	CHECK_STR(kc_stop_reason_name(KC_STOP_DEADLINE), "deadline");
	CHECK_STR(kc_stop_reason_name(KC_STOP_CALLER_KILLED), "caller-killed");
	CHECK_STR(kc_stop_reason_name(KC_STOP_TARGET_EXITED), "target-exited");
	CHECK_STR(kc_stop_reason_name(KC_STOP_UNLOADING), "unloading");
	CHECK_STR(kc_stop_reason_name(6), "unknown");
	CHECK_STR(kc_stop_reason_name(UINT32_MAX), "unknown");
	{
		enum kc_mode m = KC_MODE_COLLAPSE;

		CHECK_STR(kc_mode_name(KC_MODE_COLLAPSE), "collapse");
		CHECK_STR(kc_mode_name(KC_MODE_PACK), "pack");
		CHECK_STR(kc_mode_name(KC_MODE_AUTO), "auto");
		CHECK_STR(kc_mode_name(3), "unknown");
		CHECK_INT(kc_mode_parse("pack", &m), 0);
		CHECK_INT(m, KC_MODE_PACK);
		CHECK_INT(kc_mode_parse("auto", &m), 0);
		CHECK_INT(m, KC_MODE_AUTO);
		CHECK_INT(kc_mode_parse("Pack", &m), -EINVAL);
		CHECK_INT(kc_mode_parse(NULL, &m), -EINVAL);
		CHECK_INT(m, KC_MODE_AUTO);
	}

	CHECK_U64(kc_result_skipped(&res), 5);
	res.already_huge = 8;
	CHECK_U64(kc_result_skipped(&res), 0);
	res.collapsed = UINT64_MAX;
	res.already_huge = 2;
	CHECK_U64(kc_result_skipped(&res), 0);

	ctl_format_bytes(buf, sizeof(buf), 0);
	CHECK_STR(buf, "0 B");
	ctl_format_bytes(buf, sizeof(buf), 1023);
	CHECK_STR(buf, "1023 B");
	ctl_format_bytes(buf, sizeof(buf), 2048);
	CHECK_STR(buf, "2.0 KiB");
	ctl_format_bytes(buf, sizeof(buf), 3ULL << 29);
	CHECK_STR(buf, "1.5 GiB");
}

static char *capture_result(const struct kc_result *res, bool dry_run)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	ctl_print_result(f, res, dry_run);
	fclose(f);
	return text;
}

void test_human_result(void)
{
	struct kc_result res = {
		.regions = 3, .chunks = 10, .candidates = 6, .collapsed = 4,
		.already_huge = 1, .skipped_empty = 3, .skipped_sparse = 1,
		.failed_again = 1, .elapsed_ns = 428123456,
		.frames_before = 1586, .present_before = 3ULL << 20,
		.stop_reason = KC_STOP_DEADLINE, .marked = 2, .pid = 77,
		.engine = "kmod", .skipped_opted_out = 2,
	};
	char *text = capture_result(&res, false);

	CHECK(text != NULL);
	if (!text)
		return;
	CHECK(strstr(text, "pid 77: collapse stopped early, stop reason: deadline\n"));
	CHECK(strstr(text, "  engine:                 kmod\n"));
	CHECK(strstr(text, "  elapsed:                428.123 ms\n"));
	CHECK(strstr(text, "  regions:                3 (2 marked MADV_HUGEPAGE)\n"));
	CHECK(strstr(text, "  windows:                10 reached, 6 candidates\n"));
	CHECK(strstr(text, "    collapsed:            4\n"));
	CHECK(strstr(text, "    already huge:         1\n"));
	CHECK(strstr(text, "    skipped:              5\n"));
	CHECK(strstr(text, "      opted out of THP:   2\n"));
	/* Stopped early: no after-measurement, and no 0 shown as one. */
	CHECK(strstr(text, "  2 MiB frames:           1586 -> not measured (stopped early)\n"));
	CHECK(strstr(text, "  present bytes:          3.0 MiB -> not measured (stopped early)\n"));
	free(text);

	res.stop_reason = KC_STOP_DONE;
	res.after_complete = true;
	res.frames_after = 465;
	res.present_after = 12ULL << 20;
	text = capture_result(&res, false);
	CHECK(text != NULL);
	if (!text)
		return;
	CHECK(strstr(text, "  2 MiB frames:           1586 -> 465 (-70.7%)\n"));
	CHECK(strstr(text, "  present bytes:          3.0 MiB -> 12.0 MiB (+300.0%)\n"));
	free(text);

	memset(&res, 0, sizeof(res));
	res.pid = 5;
	res.after_complete = true;
	text = capture_result(&res, true);
	CHECK(text != NULL);
	if (!text)
		return;
	CHECK(strstr(text, "pid 5: dry run complete, stop reason: done\n"));
	CHECK(strstr(text, "  2 MiB frames:           0 -> 0\n"));
	free(text);
}
