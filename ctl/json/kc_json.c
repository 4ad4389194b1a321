// SPDX-License-Identifier: MIT
/*
 * libkcollapse's results as JSON (see kc_json.h), built with json-c,
 * never printed by hand. kcollapsectl --json and kcollapsed both link it.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <stddef.h>

#include "kc_json.h"

static const struct {
	const char *name;
	size_t offset;
} kc_json_result_fields[] = {
#define KC_JSON_FIELD(n, f) { n, offsetof(struct kc_result, f) }
	KC_JSON_FIELD("regions", regions),
	KC_JSON_FIELD("chunks", chunks),
	KC_JSON_FIELD("candidates", candidates),
	KC_JSON_FIELD("collapsed", collapsed),
	KC_JSON_FIELD("alreadyHuge", already_huge),
	KC_JSON_FIELD("skippedEmpty", skipped_empty),
	KC_JSON_FIELD("skippedSparse", skipped_sparse),
	KC_JSON_FIELD("failedNomem", failed_nomem),
	KC_JSON_FIELD("failedBusy", failed_busy),
	KC_JSON_FIELD("failedAgain", failed_again),
	KC_JSON_FIELD("failedIneligible", failed_ineligible),
	KC_JSON_FIELD("failedOther", failed_other),
	KC_JSON_FIELD("elapsedNs", elapsed_ns),
	KC_JSON_FIELD("framesBefore", frames_before),
	KC_JSON_FIELD("framesAfter", frames_after),
	KC_JSON_FIELD("presentBytesBefore", present_before),
	KC_JSON_FIELD("presentBytesAfter", present_after),
	KC_JSON_FIELD("marked", marked),
	KC_JSON_FIELD("packMoved", pack_moved),
	KC_JSON_FIELD("packLeftPinned", pack_left_pinned),
	KC_JSON_FIELD("packLeftShared", pack_left_shared),
	KC_JSON_FIELD("packLeftThp", pack_left_thp),
	KC_JSON_FIELD("packLeftDense", pack_left_dense),
	KC_JSON_FIELD("packLeftBusy", pack_left_busy),
	KC_JSON_FIELD("packLeftLocked", pack_left_locked),
	KC_JSON_FIELD("packDenseFrames", pack_dense_frames),
	KC_JSON_FIELD("packDestFrames", pack_dest_frames),
	KC_JSON_FIELD("packBytesCopied", pack_bytes_copied),
	KC_JSON_FIELD("packAllocFailed", pack_alloc_failed),
	KC_JSON_FIELD("skippedOptedOut", skipped_opted_out),
	KC_JSON_FIELD("hotPagesBefore", hot_pages_before),
	KC_JSON_FIELD("hotFramesBefore", hot_frames_before),
	KC_JSON_FIELD("hotPagesAfter", hot_pages_after),
	KC_JSON_FIELD("hotFramesAfter", hot_frames_after),
#undef KC_JSON_FIELD
};
#define KC_JSON_NFIELDS \
	(sizeof(kc_json_result_fields) / sizeof(kc_json_result_fields[0]))

bool kc_json_add(struct json_object *obj, const char *key,
		 struct json_object *value)
{
	if (!value)
		return false;
	if (json_object_object_add(obj, key, value) < 0) {
		json_object_put(value);
		return false;
	}
	return true;
}

bool kc_json_add_u64(struct json_object *obj, const char *key, uint64_t v)
{
	return kc_json_add(obj, key, json_object_new_uint64(v));
}

bool kc_json_add_str(struct json_object *obj, const char *key,
		     const char *s)
{
	return kc_json_add(obj, key, json_object_new_string(s));
}

struct json_object *kc_json_fail(struct json_object *obj)
{
	json_object_put(obj);
	return NULL;
}

struct json_object *kc_json_result(const struct kc_result *res)
{
	struct json_object *obj = json_object_new_object();
	size_t i;

	if (!obj)
		return NULL;
	for (i = 0; i < KC_JSON_NFIELDS; i++) {
		const uint64_t *v = (const uint64_t *)(const void *)
			((const char *)res + kc_json_result_fields[i].offset);

		if (!kc_json_add_u64(obj, kc_json_result_fields[i].name, *v))
			return kc_json_fail(obj);
	}
	/* elapsedMs rounds to the nearest millisecond. */
	if (!kc_json_add_u64(obj, "skipped", kc_result_skipped(res)) ||
	    !kc_json_add(obj, "elapsedMs", json_object_new_int64(
			(int64_t)(res->elapsed_ns / 1000000 +
				  (res->elapsed_ns % 1000000 >= 500000)))) ||
	    !kc_json_add_str(obj, "stopReason",
			 kc_stop_reason_name(res->stop_reason)) ||
	    !kc_json_add_str(obj, "engine", res->engine) ||
	    !kc_json_add_str(obj, "mode", kc_mode_name(res->mode)) ||
	    !kc_json_add(obj, "afterComplete",
		     json_object_new_boolean(res->after_complete)) ||
	    !kc_json_add(obj, "hotMeasured",
		     json_object_new_boolean(res->hot_measured)) ||
	    !kc_json_add(obj, "pid", json_object_new_int(res->pid)))
		return kc_json_fail(obj);
	return obj;
}

struct json_object *kc_json_frames(pid_t pid, const struct kc_frames *fr)
{
	struct json_object *obj = json_object_new_object();

	if (!obj)
		return NULL;
	if (!kc_json_add(obj, "pid", json_object_new_int(pid)) ||
	    !kc_json_add_u64(obj, "regions", fr->regions) ||
	    !kc_json_add_u64(obj, "presentPages", fr->present_pages) ||
	    !kc_json_add_u64(obj, "presentBytes", fr->present_bytes) ||
	    !kc_json_add_u64(obj, "frames", fr->frames) ||
	    !kc_json_add_u64(obj, "liveWindows", fr->live_windows))
		return kc_json_fail(obj);
	return obj;
}

struct json_object *kc_json_info(const struct kc_info *info)
{
	struct json_object *obj = json_object_new_object();

	if (!obj)
		return NULL;
	if (!kc_json_add_str(obj, "moduleVersion", info->module_version) ||
	    !kc_json_add_u64(obj, "protocolVersion", info->proto_version) ||
	    !kc_json_add_str(obj, "kernelRelease", info->kernel_release) ||
	    !kc_json_add_str(obj, "engine", info->engine) ||
	    !kc_json_add(obj, "engineAvailable",
		     json_object_new_boolean(info->engine_available)) ||
	    !kc_json_add_str(obj, "engineStatus", info->engine_status) ||
	    !kc_json_add_u64(obj, "opsInFlight", info->ops_in_flight) ||
	    !kc_json_add_u64(obj, "opsMax", info->ops_max))
		return kc_json_fail(obj);
	return obj;
}

struct json_object *kc_json_userspace(const struct kc_userspace_info *us)
{
	struct json_object *obj = json_object_new_object();

	if (!obj)
		return NULL;
	if (!kc_json_add(obj, "available", json_object_new_boolean(us->available)) ||
	    !kc_json_add_str(obj, "status", us->status) ||
	    !kc_json_add_str(obj, "hugeDetection", us->huge_detection))
		return kc_json_fail(obj);
	return obj;
}
