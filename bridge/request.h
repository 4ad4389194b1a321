/* SPDX-License-Identifier: MIT */
/*
 * The optional JSON body of POST /collapse:
 *   {"pid": N, "deadlineMs": N, "minFill": N, "markHugepage": bool,
 *    "dryRun": bool, "rangeStart": N, "rangeLen": N,
 *    "mode": "collapse"|"pack"|"auto", "autoThreshold": N}
 * autoThreshold (1..512) is refused with a "mode" other than "auto".
 * Every field is optional; an empty body means all defaults (the
 * daemon's --target, --mode, --min-fill, --auto-threshold, --hot-first,
 * --deadline-ms:
 * kcd_request_defaults()). Strict:
 * numbers must be JSON integers in range, booleans JSON booleans, and an
 * unknown field is an error (a typo must not silently change nothing).
 * Parsed with json-c, never by hand. Pure: fuzzed by
 * tests/bridge/fuzz-request.c.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KCD_REQUEST_H
#define KCD_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KCD_BODY_MAX		4096		/* bytes; more is 413 */
#define KCD_DEADLINE_MAX_MS	3600000u	/* an hour */

struct kcd_request {
	int32_t pid;		/* 0: the configured default targets */
	uint32_t deadline_ms;	/* 0: the daemon's default (--deadline-ms) */
	uint32_t min_fill;	/* 0: the engine's default (1) */
	bool mark_hugepage;
	bool dry_run;
	uint64_t range_start;
	uint64_t range_len;	/* 0: to the end of the address space */
	uint32_t mode;		/* KCD_MODE_*, the values of enum kc_mode */
	bool mode_set;		/* the body had "mode" */
	uint32_t auto_threshold;/* 0: the engine's default (448) */
	bool hot_first;		/* no body field: the daemon's --hot-first,
				 * set by kcd_request_defaults() in the pack
				 * and auto modes */
};

#define KCD_MODE_COLLAPSE	0
#define KCD_MODE_PACK		1
#define KCD_MODE_AUTO		2

/* What was wrong: a message, and the field it is about ("": the body). */
struct kcd_error {
	char msg[160];
	char field[64];
};

/*
 * kcd_request_parse() - parse @len bytes of @body (not NUL-terminated,
 * may hold anything). Returns 0, or -EINVAL with @err filled in.
 */
int kcd_request_parse(const char *body, size_t len, struct kcd_request *req,
		      struct kcd_error *err);

/*
 * kcd_request_defaults() - fill what the body left out with the daemon's
 * defaults (@mode, @min_fill, @auto_threshold; 0 for the engine's).
 * @hot_first (the daemon's --hot-first) applies where the mode, the body's
 * or @mode, is pack or auto: a body asking for collapse mode runs it.
 * Returns 0, or -EINVAL with @err filled in when the result is not a
 * valid request (autoThreshold where the mode is not auto).
 */
int kcd_request_defaults(struct kcd_request *req, uint32_t mode,
			 uint32_t min_fill, uint32_t auto_threshold,
			 bool hot_first, struct kcd_error *err);

#endif /* KCD_REQUEST_H */
