// SPDX-License-Identifier: MIT
/*
 * Choosing the engine for a collapse: the module when it can, the
 * userspace fallback otherwise.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "huge.h"
#include "op.h"
#include "pace.h"
#include "pagemap.h"
#include "target.h"

static const char *const kc_engine_names[] = {
	[KC_ENGINE_AUTO]	= "auto",
	[KC_ENGINE_KMOD]	= "kmod",
	[KC_ENGINE_USERSPACE]	= "userspace",
};

const char *kc_engine_name(enum kc_engine engine)
{
	if ((unsigned int)engine < sizeof(kc_engine_names) /
				   sizeof(kc_engine_names[0]))
		return kc_engine_names[engine];
	return "unknown";
}

int kc_engine_parse(const char *name, enum kc_engine *engine)
{
	unsigned int i;

	for (i = 0; name && i < sizeof(kc_engine_names) /
				sizeof(kc_engine_names[0]); i++) {
		if (!strcmp(name, kc_engine_names[i])) {
			*engine = (enum kc_engine)i;
			return 0;
		}
	}
	return kc_ret(-EINVAL);
}

static void kc_why(char *why, size_t len, const char *fmt, const char *arg)
{
	if (why && len)
		snprintf(why, len, fmt, arg);
}

/*
 * Pick the engine; when it is the module, *@h is an open handle for it.
 * With KC_ENGINE_AUTO, any failure to reach a module that can collapse
 * (not loaded, no netlink, IBT refusal) means the fallback; a dry run
 * only needs the module to be loaded.
 */
static int kc_pick(enum kc_engine requested, uint32_t flags,
		   enum kc_engine *chosen, struct kc_handle **h, char *why,
		   size_t why_len)
{
	struct kc_info info;
	int err;

	*h = NULL;
	*chosen = requested;
	if (requested == KC_ENGINE_USERSPACE) {
		kc_why(why, why_len, "%s", "requested");
		return 0;
	}
	err = kc_open(h);
	if (requested == KC_ENGINE_KMOD) {
		kc_why(why, why_len, "%s", "requested");
		return err;
	}
	if (err == -ENOMEM)
		return err;
	*chosen = KC_ENGINE_USERSPACE;
	if (err < 0) {
		kc_why(why, why_len, "module unavailable: %s",
		       kc_last_error(NULL));
		return 0;
	}
	err = kc_get_info(*h, &info);
	if (err < 0 || (!info.engine_available && !(flags & KC_DRY_RUN))) {
		kc_why(why, why_len, "module cannot collapse: %s",
		       err < 0 ? kc_last_error(*h) : info.engine_status);
		kc_close(*h);
		*h = NULL;
		return 0;
	}
	*chosen = KC_ENGINE_KMOD;
	kc_why(why, why_len, "%s", "module loaded, engine available");
	return 0;
}

int kc_engine_select(enum kc_engine requested, uint32_t flags,
		     enum kc_engine *chosen, char *why, size_t why_len)
{
	struct kc_handle *h;
	int err;

	kc_clear_error(NULL);
	if (!chosen || (unsigned int)requested > KC_ENGINE_USERSPACE) {
		kc_set_error(NULL, "kc_engine_select: bad engine or no output");
		return kc_ret(-EINVAL);
	}
	err = kc_pick(requested, flags, chosen, &h, why, why_len);
	kc_close(h);
	return kc_ret(err);
}

static int kc_collapse_kmod(struct kc_handle *h,
			    const struct kc_collapse_req *req,
			    struct kc_op *op, struct kc_result *res)
{
	int err;

	if (!kc_op_kmod_begin(op, req->pid)) {
		/* Cancelled before it reached the kernel: nothing done. */
		memset(res, 0, sizeof(*res));
		res->stop_reason = KC_STOP_CANCELLED;
		res->pid = req->pid;
		snprintf(res->engine, sizeof(res->engine), "kmod");
		return 0;
	}
	err = kc_collapse(h, req, res);
	kc_op_kmod_end(op);
	if (err < 0)
		kc_set_error(NULL, "%s", kc_last_error(h));
	return err;
}

/* The pack half of a split AUTO: the first half's result is in @res. */
static int kc_split_pack(struct kc_handle *h, const struct kc_collapse_req *req,
			 struct kc_op *op, struct kc_result *res, uint64_t t0)
{
	struct kc_collapse_req pack = *req;
	uint64_t spent_ms = (kc_now_ns() - t0) / 1000000ULL;
	struct kc_result p;
	int err;

	pack.mode = KC_MODE_PACK;
	if (req->deadline_ms) {
		if (spent_ms >= req->deadline_ms) {
			res->stop_reason = KC_STOP_DEADLINE;
			return 0;
		}
		pack.deadline_ms = req->deadline_ms - (uint32_t)spent_ms;
	}
	err = kc_collapse_kmod(h, &pack, op, &p);
	if (err < 0) {
		kc_set_error(NULL, "auto mode: the userspace engine collapsed "
			     "%llu windows, then the module's pack failed: %s",
			     (unsigned long long)res->collapsed,
			     kc_last_error(NULL));
		return err;
	}
	res->frames_after = p.frames_after;
	res->present_after = p.present_after;
	res->after_complete = p.after_complete;
	res->stop_reason = p.stop_reason;
	res->pack_moved = p.pack_moved;
	res->pack_left_pinned = p.pack_left_pinned;
	res->pack_left_shared = p.pack_left_shared;
	res->pack_left_thp = p.pack_left_thp;
	res->pack_left_dense = p.pack_left_dense;
	res->pack_left_busy = p.pack_left_busy;
	res->pack_left_locked = p.pack_left_locked;
	res->pack_dense_frames = p.pack_dense_frames;
	res->pack_dest_frames = p.pack_dest_frames;
	res->pack_bytes_copied = p.pack_bytes_copied;
	res->pack_alloc_failed = p.pack_alloc_failed;
	/*
	 * The working set comes from the module's half alone (the userspace
	 * engine cannot see accessed bits): "before" is the pack's before,
	 * measured after the userspace half's collapses, where a collapsed
	 * window is young as a whole (it counts 512 hot pages in one frame).
	 * Without the pack half (a stop in the first) hot_measured stays
	 * false.
	 */
	res->hot_pages_before = p.hot_pages_before;
	res->hot_frames_before = p.hot_frames_before;
	res->hot_pages_after = p.hot_pages_after;
	res->hot_frames_after = p.hot_frames_after;
	res->hot_measured = p.hot_measured;
	return 0;
}

/*
 * AUTO mode where the module may not collapse (an IBT kernel: see
 * kc_get_info()'s engine_status): the userspace engine collapses the
 * windows AUTO collapses (at least auto_threshold present pages), then the
 * module packs what is left, as one operation: one result, counted as the
 * module's AUTO counts (windows and collapses from the first half, pages
 * moved and left from the second, frames before from the first and after
 * from the second), engine "userspace+kmod". A stop in the first half
 * ends it; the deadline covers both.
 */
static int kc_collapse_split(struct kc_handle *h,
			     const struct kc_collapse_req *req,
			     struct kc_op *op, struct kc_result *res)
{
	struct kc_collapse_req first = *req;
	uint64_t t0 = kc_now_ns();
	int err;

	first.mode = KC_MODE_COLLAPSE;
	first.hot_first = false;	/* the pack half's (kc_split_pack()) */
	first.min_fill = req->auto_threshold ? req->auto_threshold :
			 KC_AUTO_THRESHOLD_DEFAULT;
	err = kc_collapse_userspace(&first, op, res);
	if (!err && res->stop_reason == KC_STOP_DONE)
		err = kc_split_pack(h, req, op, res, t0);
	if (err < 0)
		return err;
	res->mode = KC_MODE_AUTO;
	res->elapsed_ns = kc_now_ns() - t0;
	snprintf(res->engine, sizeof(res->engine), "userspace+kmod");
	return 0;
}

/*
 * With KC_ENGINE_AUTO, pack and auto modes go to the module, the only one
 * that moves pages; auto mode is split between the engines when the
 * module cannot collapse (kc_collapse_split()).
 */
static int kc_collapse_moving(const struct kc_collapse_req *req,
			      struct kc_op *op, struct kc_result *res)
{
	struct kc_handle *h;
	struct kc_info info;
	int err;

	err = kc_open(&h);
	if (err < 0)
		return err;
	if (req->mode == KC_MODE_AUTO && !(req->flags & KC_DRY_RUN) &&
	    !kc_get_info(h, &info) && !info.engine_available)
		err = kc_collapse_split(h, req, op, res);
	else
		err = kc_collapse_kmod(h, req, op, res);
	kc_close(h);
	return err;
}

int kc_collapse_with(enum kc_engine engine, const struct kc_collapse_req *req,
		     struct kc_op *op, struct kc_result *res)
{
	struct kc_handle *h;
	enum kc_engine chosen;
	int err;

	kc_clear_error(NULL);
	if (!req || !res || (unsigned int)engine > KC_ENGINE_USERSPACE) {
		kc_set_error(NULL, "kc_collapse_with: bad engine, or no request "
			     "or result");
		return kc_ret(-EINVAL);
	}
	if (req->mode != KC_MODE_COLLAPSE && engine == KC_ENGINE_AUTO)
		return kc_ret(kc_collapse_moving(req, op, res));
	err = kc_pick(engine, req->flags, &chosen, &h, NULL, 0);
	if (err < 0)
		return kc_ret(err);
	if (chosen == KC_ENGINE_USERSPACE)
		return kc_collapse_userspace(req, op, res);
	err = kc_collapse_kmod(h, req, op, res);
	kc_close(h);
	return kc_ret(err);
}

int kc_userspace_info(struct kc_userspace_info *info)
{
	struct kc_target self = { .pidfd = -1 };
	struct kc_huge huge = { .kpageflags_fd = -1 };
	struct kc_pagemap pm = { .fd = -1 };
	int err;

	kc_clear_error(NULL);
	if (!info) {
		kc_set_error(NULL, "kc_userspace_info: no output");
		return kc_ret(-EINVAL);
	}
	memset(info, 0, sizeof(*info));
	err = kc_target_open(getpid(), &self);
	if (!err)
		err = kc_target_probe(&self);
	if (!err && !kc_has_cap(CAP_SYS_ADMIN)) {
		kc_set_error(NULL, "CAP_SYS_ADMIN is needed (page frame "
			     "numbers)");
		err = -EPERM;
	}
	if (!err)
		err = kc_pagemap_open(&pm, getpid());
	if (!err)
		err = kc_huge_init(&huge, &pm);
	if (!err)
		snprintf(info->huge_detection, sizeof(info->huge_detection),
			 "%s", kc_huge_method(&huge));
	info->available = !err;
	snprintf(info->status, sizeof(info->status), "%s: %s",
		 err ? "unavailable" : "available",
		 err ? kc_last_error(NULL) :
		 "process_madvise(MADV_COLLAPSE) accepted");
	kc_huge_close(&huge);
	kc_pagemap_close(&pm);
	kc_target_close(&self);
	kc_clear_error(NULL);
	return 0;
}
