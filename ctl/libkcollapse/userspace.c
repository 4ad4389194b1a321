// SPDX-License-Identifier: MIT
/*
 * The userspace engine: the module's COLLAPSE, done from outside the
 * target with process_madvise(MADV_COLLAPSE) one 2 MiB window at a time,
 * for kernels without the module. Same steps as kmod/collapse.c: measure,
 * classify and collapse each window (checking every stop condition
 * between windows), measure again.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "frames.h"
#include "huge.h"
#include "op.h"
#include "oplock.h"
#include "target.h"
#include "vmas.h"
#include "window.h"

#define KC_TEST_PACE_ENV	"KCOLLAPSE_TEST_PACE_US"

struct kc_urun {
	const struct kc_collapse_req *req;
	struct kc_result *res;
	struct kc_op *op;
	unsigned int min_fill;
	uint64_t rstart, rend;
	uint64_t deadline_ns;		/* CLOCK_MONOTONIC, 0: none */
	struct timespec pace;		/* KC_TEST_PACE_ENV, between windows */
	struct kc_target target;
	struct kc_oplock lock;
	struct kc_pagemap pm;
	struct kc_huge huge;
	struct kc_vma_list vmas;	/* taken once, before the windows */
	struct kc_window_reader reader;
};

static uint64_t kc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The module's kc_stop_decide() order: a request, the target, the clock. */
static uint32_t kc_urun_should_stop(const struct kc_urun *run)
{
	if (kc_op_cancelled(run->op) || kc_oplock_cancel_requested(&run->lock))
		return KC_STOP_CANCELLED;
	if (kc_target_exited(&run->target))
		return KC_STOP_TARGET_EXITED;
	if (run->deadline_ns && kc_now_ns() > run->deadline_ns)
		return KC_STOP_DEADLINE;
	return KC_STOP_DONE;
}

/* Frames and present bytes of the covered eligible memory. */
static int kc_urun_measure(struct kc_urun *run,
			   const struct kc_vma_list *vmas,
			   struct kc_frames *fr)
{
	return kc_frames_measure(&run->pm, vmas, run->rstart, run->rend, fr);
}

/*
 * Before Linux 6.7, whether this mapping's whole-THP windows may be taken
 * for PMD-mapped (huge.h). Must run before its first collapse: ours would
 * add PMD-mapped windows that smaps, read earlier, does not count.
 */
static int kc_urun_trust(const struct kc_urun *run, const struct kc_vma *vma)
{
	if (run->huge.scan)
		return 1;
	/* No PMD mapping here at all: any whole THP is mapped by PTEs. */
	if (!vma->anon_huge_bytes)
		return 0;
	return kc_huge_vma_trusted(&run->huge, vma);
}

/*
 * One window: classify, collapse a candidate, count. Returns 0, a stop
 * reason (> 0) if the target went away, or -errno.
 */
static int kc_urun_window(struct kc_urun *run, uint64_t win, bool trusted)
{
	struct kc_window_scan scan;
	enum kc_window_class class;
	enum kc_outcome out;
	int err;

	err = kc_window_read(&run->reader, win, trusted, &scan);
	if (err == -ESRCH)
		return KC_STOP_TARGET_EXITED;
	if (err < 0)
		return err;
	class = kc_classify(&scan, run->min_fill);
	out = kc_class_outcome(class);
	if (class == KC_WIN_CANDIDATE) {
		run->res->candidates++;
		if (!(run->req->flags & KC_DRY_RUN)) {
			err = kc_target_collapse(&run->target, win,
						 KC_WINDOW_SIZE);
			/* The process is gone: this window was not reached. */
			if (err == -ESRCH) {
				run->res->candidates--;
				return KC_STOP_TARGET_EXITED;
			}
			out = kc_outcome_from_errno(err);
		}
	}
	kc_result_count(run->res, out);
	return 0;
}

/* Classify and collapse each window; returns why it stopped, or -errno. */
static int kc_urun_windows(struct kc_urun *run)
{
	size_t i;

	for (i = 0; i < run->vmas.n; i++) {
		const struct kc_vma *vma = &run->vmas.v[i];
		uint64_t s, e, ws, we, win;
		int trusted = -1, ret;

		if (!kc_clip(vma->start, vma->end, run->rstart, run->rend,
			     run->pm.page_size, &s, &e))
			continue;
		kc_windows(s, e, &ws, &we);
		for (win = ws; win < we; win += KC_WINDOW_SIZE) {
			ret = (int)kc_urun_should_stop(run);
			if (ret)
				return ret;
			if (trusted < 0) {
				trusted = kc_urun_trust(run, vma);
				if (trusted == -ESRCH)
					return KC_STOP_TARGET_EXITED;
				if (trusted < 0)
					return trusted;
			}
			ret = kc_urun_window(run, win, trusted);
			if (ret)
				return ret;
			if (run->pace.tv_nsec)
				nanosleep(&run->pace, NULL);
		}
	}
	return KC_STOP_DONE;
}

/* After the windows: frames again, from a fresh view of the mappings. */
static int kc_urun_after(struct kc_urun *run)
{
	struct kc_result *res = run->res;
	struct kc_vma_list vmas;
	struct kc_frames fr;
	int err;

	if (run->req->flags & KC_DRY_RUN) {
		res->frames_after = res->frames_before;
		res->present_after = res->present_before;
		return 0;
	}
	/* Nothing left to measure. */
	if (res->stop_reason == KC_STOP_TARGET_EXITED)
		return 0;
	err = kc_vmas_read(run->target.tgid, &vmas);
	if (!err)
		err = kc_urun_measure(run, &vmas, &fr);
	kc_vmas_free(&vmas);
	/* Exited just now: like the module, report what was done. */
	if (err == -ESRCH)
		return 0;
	if (err < 0)
		return err;
	res->frames_after = fr.frames;
	res->present_after = fr.present_bytes;
	return 0;
}

static int kc_urun_steps(struct kc_urun *run)
{
	struct kc_result *res = run->res;
	struct kc_frames fr;
	int ret;

	ret = kc_urun_measure(run, &run->vmas, &fr);
	if (ret == -ESRCH) {
		res->stop_reason = KC_STOP_TARGET_EXITED;
		return 0;
	}
	if (ret < 0)
		return ret;
	res->regions = fr.regions;
	res->frames_before = fr.frames;
	res->present_before = fr.present_bytes;

	ret = kc_urun_windows(run);
	if (ret < 0)
		return ret;
	res->stop_reason = (uint32_t)ret;
	return kc_urun_after(run);
}

/* Everything that can refuse the request before any work. */
static int kc_urun_check(const struct kc_collapse_req *req)
{
	int err = kc_check_collapse_req(NULL, req);

	if (err < 0)
		return err;
	if ((req->flags & KC_MARK_HUGEPAGE) && !(req->flags & KC_DRY_RUN)) {
		kc_set_error(NULL, "mark-hugepage needs the kcollapse module: "
			     "process_madvise() cannot apply MADV_HUGEPAGE to "
			     "another process");
		return -EOPNOTSUPP;
	}
	if (req->mode != KC_MODE_COLLAPSE) {
		kc_set_error(NULL, "%s mode needs the kcollapse module: the "
			     "userspace engine cannot move pages",
			     kc_mode_name(req->mode));
		return -EOPNOTSUPP;
	}
	if (!kc_has_cap_sys_admin()) {
		kc_set_error(NULL, "permission denied: the userspace engine "
			     "needs CAP_SYS_ADMIN (page frame numbers) and "
			     "CAP_SYS_NICE (process_madvise)");
		return -EPERM;
	}
	return 0;
}

/* Open everything a run needs, in order; undone by kc_urun_close(). */
static int kc_urun_open(struct kc_urun *run)
{
	int err;

	err = kc_target_open(run->req->pid, &run->target);
	if (err < 0)
		return err;
	if (!(run->req->flags & KC_DRY_RUN)) {
		err = kc_target_probe(&run->target);
		if (err < 0)
			return err;
	}
	err = kc_oplock_take(run->target.tgid, &run->lock);
	if (err < 0)
		return err;
	err = kc_pagemap_open(&run->pm, run->target.tgid);
	if (err < 0)
		return err;
	err = kc_huge_init(&run->huge, &run->pm);
	if (err < 0)
		return err;
	err = kc_window_reader_init(&run->reader, &run->pm, &run->huge);
	if (err < 0)
		return err;
	return kc_vmas_read(run->target.tgid, &run->vmas);
}

static void kc_urun_close(struct kc_urun *run)
{
	kc_vmas_free(&run->vmas);
	kc_window_reader_free(&run->reader);
	kc_huge_close(&run->huge);
	kc_pagemap_close(&run->pm);
	kc_oplock_release(&run->lock);
	kc_target_close(&run->target);
}

/*
 * Tests only: a pause after each window, so that cancelling or a deadline
 * reliably lands mid-operation whatever the machine's speed.
 */
static struct timespec kc_test_pace(void)
{
	const char *s = secure_getenv(KC_TEST_PACE_ENV);
	long us = s ? strtol(s, NULL, 10) : 0;

	if (us <= 0 || us >= 1000000)
		return (struct timespec){ 0, 0 };
	return (struct timespec){ 0, us * 1000 };
}

int kc_collapse_userspace(const struct kc_collapse_req *req, struct kc_op *op,
			  struct kc_result *res)
{
	struct kc_urun run = {
		.req = req, .res = res, .op = op,
		.target = { .pidfd = -1 }, .lock = { .fd = -1 },
		.pm = { .fd = -1 }, .huge = { .kpageflags_fd = -1 },
	};
	uint64_t t0 = kc_now_ns();
	int err;

	kc_clear_error(NULL);
	if (!req || !res) {
		kc_set_error(NULL, "kc_collapse_userspace: request and result "
			     "are required");
		return kc_ret(-EINVAL);
	}
	memset(res, 0, sizeof(*res));
	err = kc_urun_check(req);
	if (err < 0)
		return kc_ret(err);
	run.pace = kc_test_pace();
	run.min_fill = req->min_fill ? req->min_fill : 1;
	run.rstart = req->range_start;
	run.rend = kc_range_end(req->range_start, req->range_len);
	if (req->deadline_ms)
		run.deadline_ns = t0 + (uint64_t)req->deadline_ms * 1000000ULL;

	err = kc_urun_open(&run);
	if (!err)
		err = kc_urun_steps(&run);
	kc_urun_close(&run);
	if (err < 0) {
		memset(res, 0, sizeof(*res));
		return kc_ret(err);
	}
	res->elapsed_ns = kc_now_ns() - t0;
	res->pid = req->pid;
	snprintf(res->engine, sizeof(res->engine), "userspace");
	return 0;
}

int kc_cancel_userspace(pid_t pid, unsigned int *cancelled)
{
	unsigned int n = 0;
	pid_t tgid;
	int err;

	kc_clear_error(NULL);
	if (pid <= 0) {
		kc_set_error(NULL, "pid must be positive");
		return kc_ret(-EINVAL);
	}
	err = kc_target_tgid(pid, &tgid);
	if (!err)
		err = kc_oplock_cancel(tgid, &n);
	if (!err && cancelled)
		*cancelled = n;
	return kc_ret(err);
}
