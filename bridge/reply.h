/* SPDX-License-Identifier: MIT */
/*
 * Replies of POST /collapse, built with json-c: a superset of the
 * orchestrator's CollapseResult (regions, chunks, collapsed, skipped,
 * alreadyHuge, elapsedMs, all integers) with every other statistic under
 * the names kcollapsectl --json uses, plus "timedOut", "operationNs" (time
 * inside the engines; elapsedNs/elapsedMs are the request's wall time from
 * its body to its reply), and "targets" (one entry per target) when a
 * request covered several. Errors are
 * {"error": "...", "field": "..."}.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KCD_REPLY_H
#define KCD_REPLY_H

#include <stddef.h>

struct kcd_op;
struct kcd_target_result;

/*
 * kcd_reply_map_error() - @t->status (and @t->field) for the engine's
 * error @t->err: 400 naming the field for what the body asked wrongly,
 * 409 for a target busy elsewhere, else 500.
 */
void kcd_reply_map_error(const struct kcd_op *op,
			 struct kcd_target_result *t);

/*
 * kcd_reply_build() - op->status and op->body from op->targets: 200 with
 * the statistics if any target ran, else the first target's error.
 */
void kcd_reply_build(struct kcd_op *op);

/* kcd_reply_account() - metrics and the log line of a finished @op. */
void kcd_reply_account(const struct kcd_op *op);

/*
 * kcd_reply_error() - {"code": @status, "message": @msg, "field": @field}
 * ("field" only when @field is neither NULL nor ""). Returns a malloc()ed
 * string and its length, or NULL without memory.
 */
char *kcd_reply_error(unsigned int status, const char *msg, const char *field,
		      size_t *len);

#endif /* KCD_REPLY_H */
