// SPDX-License-Identifier: MIT
/*
 * POST /collapse bodies (see request.h).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "request.h"

/* Deep nesting is never valid here; refuse it before it costs stack. */
#define KCD_JSON_DEPTH 8

#define KCD_WINDOW_PAGES 512

static int kcd_fail(struct kcd_error *err, const char *field,
		    const char *msg)
{
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
	/* A field name from the body is cut: it is echoed back. */
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	return -EINVAL;
}

/* A JSON integer (not a double, not a string) in [min, max]. */
static int kcd_get_int(struct json_object *v, const char *field,
		       int64_t min, int64_t max, int64_t *out,
		       struct kcd_error *err)
{
	char msg[160];
	int64_t n;

	if (!json_object_is_type(v, json_type_int)) {
		snprintf(msg, sizeof(msg), "%s must be an integer", field);
		return kcd_fail(err, field, msg);
	}
	errno = 0;
	n = json_object_get_int64(v);
	/* json-c clamps what does not fit in an int64 and says so. */
	if (errno || n < min || n > max) {
		snprintf(msg, sizeof(msg), "%s must be %lld..%lld", field,
			 (long long)min, (long long)max);
		return kcd_fail(err, field, msg);
	}
	*out = n;
	return 0;
}

static int kcd_get_bool(struct json_object *v, const char *field, bool *out,
			struct kcd_error *err)
{
	char msg[160];

	if (!json_object_is_type(v, json_type_boolean)) {
		snprintf(msg, sizeof(msg), "%s must be true or false", field);
		return kcd_fail(err, field, msg);
	}
	*out = json_object_get_boolean(v);
	return 0;
}

/* The integer fields: name, range, and where the value goes. */
static const struct kcd_int_field {
	const char *name;
	int64_t min;
	int64_t max;
	size_t offset;
	size_t size;
} kcd_int_fields[] = {
#define KCD_INT(n, lo, hi, f) \
	{ n, lo, hi, offsetof(struct kcd_request, f), \
	  sizeof(((struct kcd_request *)0)->f) }
	KCD_INT("pid", 1, INT32_MAX, pid),
	KCD_INT("deadlineMs", 1, KCD_DEADLINE_MAX_MS, deadline_ms),
	KCD_INT("minFill", 1, KCD_WINDOW_PAGES, min_fill),
	KCD_INT("rangeStart", 0, INT64_MAX, range_start),
	KCD_INT("rangeLen", 1, INT64_MAX, range_len),
	KCD_INT("autoThreshold", 1, KCD_WINDOW_PAGES, auto_threshold),
#undef KCD_INT
};

static void kcd_store(struct kcd_request *req, const struct kcd_int_field *f,
		      int64_t v)
{
	char *p = (char *)req + f->offset;
	uint32_t v32 = (uint32_t)v;
	uint64_t v64 = (uint64_t)v;

	/* Every range above is non-negative and fits the field. */
	if (f->size == sizeof(v32))
		memcpy(p, &v32, sizeof(v32));
	else
		memcpy(p, &v64, sizeof(v64));
}

static int kcd_get_mode(struct json_object *v, struct kcd_request *req,
			struct kcd_error *err)
{
	static const char *const names[] = {
		[KCD_MODE_COLLAPSE] = "collapse",
		[KCD_MODE_PACK] = "pack",
		[KCD_MODE_AUTO] = "auto",
	};
	const char *s;
	uint32_t i;

	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if ((size_t)json_object_get_string_len(v) ==
			    strlen(names[i]) && !strcmp(s, names[i])) {
				req->mode = i;
				req->mode_set = true;
				return 0;
			}
		}
	}
	return kcd_fail(err, "mode",
			"mode must be \"collapse\", \"pack\" or \"auto\"");
}

/* One member of the object. */
static int kcd_member(const char *key, struct json_object *v,
		      struct kcd_request *req, struct kcd_error *err)
{
	char msg[160];
	int64_t n;
	size_t i;

	for (i = 0; i < sizeof(kcd_int_fields) / sizeof(kcd_int_fields[0]);
	     i++) {
		const struct kcd_int_field *f = &kcd_int_fields[i];

		if (strcmp(key, f->name))
			continue;
		if (kcd_get_int(v, f->name, f->min, f->max, &n, err) < 0)
			return -EINVAL;
		kcd_store(req, f, n);
		return 0;
	}
	if (!strcmp(key, "markHugepage"))
		return kcd_get_bool(v, "markHugepage", &req->mark_hugepage,
				    err);
	if (!strcmp(key, "dryRun"))
		return kcd_get_bool(v, "dryRun", &req->dry_run, err);
	if (!strcmp(key, "mode"))
		return kcd_get_mode(v, req, err);
	snprintf(msg, sizeof(msg), "unknown field");
	return kcd_fail(err, key, msg);
}

static int kcd_members(struct json_object *obj, struct kcd_request *req,
		       struct kcd_error *err)
{
	struct json_object_iterator it = json_object_iter_begin(obj);
	struct json_object_iterator end = json_object_iter_end(obj);
	int ret;

	for (; !json_object_iter_equal(&it, &end);
	     json_object_iter_next(&it)) {
		ret = kcd_member(json_object_iter_peek_name(&it),
				 json_object_iter_peek_value(&it), req, err);
		if (ret < 0)
			return ret;
	}
	if (req->range_len && req->range_len > UINT64_MAX - req->range_start)
		return kcd_fail(err, "rangeLen",
				"rangeStart + rangeLen must not wrap");
	/* libkcollapse refuses it too, but its -EINVAL names no field. */
	if (req->range_start % (uint64_t)sysconf(_SC_PAGESIZE))
		return kcd_fail(err, "rangeStart",
				"rangeStart must be page aligned");
	if (req->auto_threshold && req->mode_set && req->mode != KCD_MODE_AUTO)
		return kcd_fail(err, "autoThreshold",
				"autoThreshold needs \"mode\": \"auto\"");
	return 0;
}

int kcd_request_defaults(struct kcd_request *req, uint32_t mode,
			 uint32_t min_fill, uint32_t auto_threshold,
			 bool hot_first, struct kcd_error *err)
{
	memset(err, 0, sizeof(*err));
	if (!req->mode_set)
		req->mode = mode;
	req->hot_first = hot_first && req->mode != KCD_MODE_COLLAPSE;
	if (!req->min_fill)
		req->min_fill = min_fill;
	if (req->mode != KCD_MODE_AUTO) {
		/* The daemon's threshold is for its own auto mode only. */
		if (req->auto_threshold)
			return kcd_fail(err, "autoThreshold", "autoThreshold "
					"needs \"mode\": \"auto\" (this "
					"daemon's default mode is not auto)");
		return 0;
	}
	if (!req->auto_threshold)
		req->auto_threshold = auto_threshold;
	return 0;
}

/* Only white space in [p, end)? */
static bool kcd_blank(const char *p, const char *end)
{
	for (; p < end; p++)
		if (!strchr(" \t\r\n", *p) || !*p)
			return false;
	return true;
}

int kcd_request_parse(const char *body, size_t len, struct kcd_request *req,
		      struct kcd_error *err)
{
	struct json_tokener *tok;
	struct json_object *obj;
	size_t used;
	int ret;

	memset(req, 0, sizeof(*req));
	memset(err, 0, sizeof(*err));
	if (!len || kcd_blank(body, body + len))
		return 0;
	if (len > KCD_BODY_MAX)
		return kcd_fail(err, NULL, "body larger than 4096 bytes");
	tok = json_tokener_new_ex(KCD_JSON_DEPTH);
	if (!tok)
		return kcd_fail(err, NULL, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, body, (int)len);
	used = json_tokener_get_parse_end(tok);
	if (!obj) {
		char msg[160];
		enum json_tokener_error jerr = json_tokener_get_error(tok);

		/* Still waiting for more input: the body ended too soon. */
		snprintf(msg, sizeof(msg), "invalid JSON: %s",
			 jerr == json_tokener_continue ? "unexpected end" :
			 json_tokener_error_desc(jerr));
		json_tokener_free(tok);
		return kcd_fail(err, NULL, msg);
	}
	json_tokener_free(tok);
	if (used > len || !kcd_blank(body + used, body + len)) {
		json_object_put(obj);
		return kcd_fail(err, NULL, "invalid JSON: data after the object");
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return kcd_fail(err, NULL, "the body must be a JSON object");
	}
	ret = kcd_members(obj, req, err);
	json_object_put(obj);
	if (ret < 0)
		memset(req, 0, sizeof(*req));
	return ret;
}
