// SPDX-License-Identifier: MIT
/*
 * POST /collapse replies (see reply.h). The statistics' JSON comes from
 * kc_json_result(), shared with kcollapsectl, so both speak the same names.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "kc_json.h"
#include "log.h"
#include "metrics.h"
#include "op.h"
#include "reply.h"

/*
 * The HTTP status for an error of the engine. What the body asked for
 * (a pid that is no process or a kernel thread, mark-hugepage on the
 * fallback, pack or auto mode where the module cannot pack) is the
 * client's mistake: 400 naming the field. Anything about
 * the daemon or the kernel is 500.
 */
void kcd_reply_map_error(const struct kcd_op *op,
			 struct kcd_target_result *t)
{
	t->field[0] = '\0';
	switch (t->err) {
	case -EBUSY:
		t->status = 409;
		return;
	case -ESRCH:
	case -EINVAL:
		if (op->explicit_pid) {
			t->status = 400;
			snprintf(t->field, sizeof(t->field), "pid");
			return;
		}
		break;
	case -ENOENT:	/* no module: only it can pack */
	case -EOPNOTSUPP:
		if (op->req.mode != KCD_MODE_COLLAPSE) {
			t->status = 400;
			snprintf(t->field, sizeof(t->field), "mode");
			return;
		}
		if (op->req.mark_hugepage && !op->req.dry_run) {
			t->status = 400;
			snprintf(t->field, sizeof(t->field), "markHugepage");
			return;
		}
		break;
	}
	t->status = 500;
}

static bool kcd_ran(const struct kcd_target_result *t)
{
	return t->claimed && !t->err;
}

static void kcd_sum(struct kc_result *sum, const struct kc_result *r)
{
	sum->regions += r->regions;
	sum->chunks += r->chunks;
	sum->candidates += r->candidates;
	sum->collapsed += r->collapsed;
	sum->already_huge += r->already_huge;
	sum->skipped_empty += r->skipped_empty;
	sum->skipped_sparse += r->skipped_sparse;
	sum->skipped_opted_out += r->skipped_opted_out;
	sum->failed_nomem += r->failed_nomem;
	sum->failed_busy += r->failed_busy;
	sum->failed_again += r->failed_again;
	sum->failed_ineligible += r->failed_ineligible;
	sum->failed_other += r->failed_other;
	sum->frames_before += r->frames_before;
	sum->frames_after += r->frames_after;
	sum->present_before += r->present_before;
	sum->present_after += r->present_after;
	sum->marked += r->marked;
	sum->pack_moved += r->pack_moved;
	sum->pack_left_pinned += r->pack_left_pinned;
	sum->pack_left_shared += r->pack_left_shared;
	sum->pack_left_thp += r->pack_left_thp;
	sum->pack_left_dense += r->pack_left_dense;
	sum->pack_left_busy += r->pack_left_busy;
	sum->pack_left_locked += r->pack_left_locked;
	sum->pack_dense_frames += r->pack_dense_frames;
	sum->pack_dest_frames += r->pack_dest_frames;
	sum->pack_bytes_copied += r->pack_bytes_copied;
	sum->pack_alloc_failed += r->pack_alloc_failed;
	sum->hot_pages_before += r->hot_pages_before;
	sum->hot_frames_before += r->hot_frames_before;
	sum->hot_pages_after += r->hot_pages_after;
	sum->hot_frames_after += r->hot_frames_after;
	sum->mode = r->mode;
}

/*
 * The request's totals: the sum over the targets that ran; stopped early
 * if any stopped early, a cancel or the deadline naming it first; the
 * after-measurement complete if it is for every one, the working set
 * measured if it is for every one; one engine name, or "mixed".
 */
static void kcd_total(const struct kcd_op *op, struct kc_result *sum)
{
	uint32_t stop = KC_STOP_DONE;
	size_t i;

	memset(sum, 0, sizeof(*sum));
	sum->after_complete = true;
	sum->hot_measured = true;
	for (i = 0; i < op->ntargets; i++) {
		const struct kcd_target_result *t = &op->targets[i];
		uint32_t r = t->res.stop_reason;

		if (!kcd_ran(t))
			continue;
		kcd_sum(sum, &t->res);
		sum->after_complete &= t->res.after_complete;
		sum->hot_measured &= t->res.hot_measured;
		if (r == KC_STOP_CANCELLED ||
		    (r == KC_STOP_DEADLINE && stop != KC_STOP_CANCELLED) ||
		    (r != KC_STOP_DONE && stop == KC_STOP_DONE))
			stop = r;
		if (t->skipped || !t->res.engine[0])
			continue;
		if (!sum->engine[0])
			memcpy(sum->engine, t->res.engine, sizeof(sum->engine));
		else if (strcmp(sum->engine, t->res.engine))
			snprintf(sum->engine, sizeof(sum->engine), "mixed");
	}
	sum->stop_reason = stop;
	sum->elapsed_ns = op->elapsed_ns;
	sum->pid = op->ntargets == 1 ? op->targets[0].pid : 0;
}

static bool kcd_add(struct json_object *obj, const char *key,
		    struct json_object *v)
{
	if (!v)
		return false;
	if (json_object_object_add(obj, key, v) < 0) {
		json_object_put(v);
		return false;
	}
	return true;
}

/* kc_json_result() plus "timedOut" (and "skipped" for a target). */
static struct json_object *kcd_stats_json(const struct kc_result *res,
					  bool target_skipped)
{
	struct json_object *obj = kc_json_result(res);

	if (!obj)
		return NULL;
	if (!kcd_add(obj, "timedOut", json_object_new_boolean(
			     res->stop_reason == KC_STOP_DEADLINE)) ||
	    (target_skipped &&
	     !kcd_add(obj, "notStarted", json_object_new_boolean(true)))) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static struct json_object *kcd_target_json(const struct kcd_target_result *t)
{
	struct json_object *obj;

	if (kcd_ran(t))
		return kcd_stats_json(&t->res, t->skipped);
	obj = json_object_new_object();
	if (!obj)
		return NULL;
	if (!kcd_add(obj, "pid", json_object_new_int(t->pid)) ||
	    !kcd_add(obj, "code", json_object_new_int((int)t->status)) ||
	    !kcd_add(obj, "message", json_object_new_string(t->msg))) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static struct json_object *kcd_targets_json(const struct kcd_op *op)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; arr && i < op->ntargets; i++) {
		struct json_object *t = kcd_target_json(&op->targets[i]);

		if (!t || json_object_array_add(arr, t) < 0) {
			json_object_put(t);
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

static char *kcd_json_string(struct json_object *obj, size_t *len)
{
	const char *s;
	char *out = NULL;

	if (!obj)
		return NULL;
	s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s) {
		*len = strlen(s);
		out = malloc(*len + 2);
		if (out) {
			memcpy(out, s, *len);
			out[(*len)++] = '\n';
			out[*len] = '\0';
		}
	}
	json_object_put(obj);
	return out;
}

char *kcd_reply_error(unsigned int status, const char *msg, const char *field,
		      size_t *len)
{
	struct json_object *obj = json_object_new_object();

	if (!obj)
		return NULL;
	if (!kcd_add(obj, "code", json_object_new_int((int)status)) ||
	    !kcd_add(obj, "message", json_object_new_string(msg)) ||
	    (field && *field &&
	     !kcd_add(obj, "field", json_object_new_string(field)))) {
		json_object_put(obj);
		return NULL;
	}
	return kcd_json_string(obj, len);
}

/* Time spent inside the engines, the rest being the daemon's own. */
static uint64_t kcd_operation_ns(const struct kcd_op *op)
{
	uint64_t ns = 0;
	size_t i;

	for (i = 0; i < op->ntargets; i++)
		if (kcd_ran(&op->targets[i]))
			ns += op->targets[i].res.elapsed_ns;
	return ns;
}

static struct json_object *kcd_result_json(const struct kcd_op *op)
{
	struct json_object *obj, *targets;
	struct kc_result sum;

	kcd_total(op, &sum);
	obj = kcd_stats_json(&sum, false);
	if (obj && !kcd_add(obj, "operationNs",
			    json_object_new_uint64(kcd_operation_ns(op)))) {
		json_object_put(obj);
		return NULL;
	}
	if (!obj || op->ntargets == 1)
		return obj;
	/* Several targets: no one pid at the top, one entry each. */
	json_object_object_del(obj, "pid");
	targets = kcd_targets_json(op);
	if (!kcd_add(obj, "targets", targets)) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

/* The first target that could not run, or NULL if one did run. */
static const struct kcd_target_result *kcd_failed(const struct kcd_op *op)
{
	size_t i;

	for (i = 0; i < op->ntargets; i++)
		if (kcd_ran(&op->targets[i]))
			return NULL;
	return op->ntargets ? &op->targets[0] : NULL;
}

void kcd_reply_build(struct kcd_op *op)
{
	const struct kcd_target_result *first_err = kcd_failed(op);

	if (!first_err) {
		op->status = 200;
		op->body = kcd_json_string(kcd_result_json(op), &op->body_len);
	} else {
		op->status = first_err->status;
		op->body = kcd_reply_error(op->status, first_err->msg,
					   first_err->field, &op->body_len);
	}
	if (!op->body) {
		op->status = 500;
		op->body = NULL;
		op->body_len = 0;
	}
}

/*
 * Several targets (a cgroup, a name): one line per process before the
 * totals, so that the journal says which process gave what.
 */
static void kcd_log_targets(const struct kcd_op *op)
{
	char q[300];
	size_t i;

	if (op->ntargets < 2)
		return;
	for (i = 0; i < op->ntargets; i++) {
		const struct kcd_target_result *t = &op->targets[i];
		const struct kc_result *r = &t->res;

		if (!kcd_ran(t)) {
			kcd_log(LOG_WARNING, "event=collapse-target remote=%s "
				"pid=%d status=%u error=%s", op->remote,
				(int)t->pid, t->status,
				kcd_log_quote(q, sizeof(q), t->msg));
			continue;
		}
		kcd_log(LOG_INFO, "event=collapse-target remote=%s pid=%d "
			"engine=%s stop=%s notStarted=%d regions=%" PRIu64
			" chunks=%" PRIu64 " collapsed=%" PRIu64 " alreadyHuge=%"
			PRIu64 " skipped=%" PRIu64 " framesBefore=%" PRIu64
			" framesAfter=%" PRIu64 " elapsedMs=%" PRIu64,
			op->remote, (int)t->pid,
			r->engine[0] ? r->engine : "none",
			kc_stop_reason_name(r->stop_reason), (int)t->skipped,
			r->regions, r->chunks, r->collapsed, r->already_huge,
			kc_result_skipped(r), r->frames_before, r->frames_after,
			r->elapsed_ns / 1000000);
	}
}

/* The log line: what ran and how, or why not. */
void kcd_reply_account(const struct kcd_op *op)
{
	double seconds = (double)op->elapsed_ns / 1e9;
	const struct kcd_target_result *t = kcd_failed(op);
	struct kc_result sum;
	char q[300];

	kcd_total(op, &sum);
	kcd_log_targets(op);
	if (t) {
		kcd_metrics_op(op->metrics, NULL, seconds);
		kcd_log(op->status >= 500 ? LOG_ERR : LOG_WARNING,
			"event=collapse status=%u remote=%s pid=%d targets=%zu "
			"error=%s elapsedMs=%" PRIu64 " clientGone=%d",
			op->status, op->remote, (int)t->pid,
			op->ntargets, kcd_log_quote(q, sizeof(q), t->msg),
			op->elapsed_ns / 1000000,
			(int)atomic_load(&op->client_gone));
		return;
	}
	kcd_metrics_op(op->metrics, &sum, seconds);
	kcd_log(LOG_INFO, "event=collapse status=200 remote=%s pid=%d targets=%zu "
		"engine=%s stop=%s regions=%" PRIu64 " chunks=%" PRIu64
		" collapsed=%" PRIu64 " alreadyHuge=%" PRIu64 " skipped=%"
		PRIu64 " framesBefore=%" PRIu64 " framesAfter=%" PRIu64
		" afterComplete=%d elapsedMs=%" PRIu64 " clientGone=%d",
		op->remote, (int)sum.pid, op->ntargets,
		sum.engine[0] ? sum.engine : "none",
		kc_stop_reason_name(sum.stop_reason), sum.regions, sum.chunks,
		sum.collapsed, sum.already_huge, kc_result_skipped(&sum),
		sum.frames_before, sum.frames_after, (int)sum.after_complete,
		op->elapsed_ns / 1000000,
		(int)atomic_load(&op->client_gone));
}
