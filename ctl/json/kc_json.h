/* SPDX-License-Identifier: MIT */
/*
 * libkcollapse's types as JSON objects (json-c), under the names both
 * kcollapsectl --json and kcollapsed's replies use. A static helper
 * library next to libkcollapse (build/libkcollapse-json.a), not part of
 * its ABI: the shared library does not link json-c.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KC_JSON_H
#define KC_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include <kcollapse/kcollapse.h>

/*
 * kc_json_result() - a collapse result as the orchestrator's
 * CollapseResult (regions, chunks, collapsed, skipped, alreadyHuge,
 * elapsedMs) plus every other statistic in camelCase, stopReason as a
 * string, afterComplete as a boolean, engine and pid.
 * Returns a new object (json_object_put() it) or NULL without memory.
 */
struct json_object *kc_json_result(const struct kc_result *res);

/* pid, regions, presentPages, presentBytes, frames, liveWindows. */
struct json_object *kc_json_frames(pid_t pid, const struct kc_frames *fr);

/* moduleVersion, protocolVersion, kernelRelease, engine, engineAvailable,
 * engineStatus, opsInFlight, opsMax. */
struct json_object *kc_json_info(const struct kc_info *info);

/* available, status, hugeDetection. */
struct json_object *kc_json_userspace(const struct kc_userspace_info *us);

/* Add @value under @key: false (and @value freed) on failure, a NULL
 * @value (failed allocation) included. */
bool kc_json_add(struct json_object *obj, const char *key,
		 struct json_object *value);
bool kc_json_add_u64(struct json_object *obj, const char *key, uint64_t v);
bool kc_json_add_str(struct json_object *obj, const char *key,
		     const char *s);

/* Drop a half-built @obj: NULL, for "return kc_json_fail(obj);". */
struct json_object *kc_json_fail(struct json_object *obj);

#endif /* KC_JSON_H */
