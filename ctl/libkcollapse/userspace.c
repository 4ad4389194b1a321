// SPDX-License-Identifier: MIT
/*
 * The userspace engine: the module's COLLAPSE, done from outside the
 * target with process_madvise(MADV_COLLAPSE) one 2 MiB window at a time,
 * for kernels without the module. Same steps as kmod/collapse.c: measure,
 * classify and collapse each window (checking every stop condition
 * between windows, and not starting a collapse expected to end past the
 * deadline: pace.h), measure again.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "classify.h"
#include "frames.h"
#include "huge.h"
#include "op.h"
#include "oplock.h"
#include "pace.h"
#include "target.h"
#include "vmas.h"
#include "window.h"

struct kc_urun {
	const struct kc_collapse_req *req;
	struct kc_result *res;
	struct kc_op *op;
	unsigned int min_fill;
	uint64_t rstart, rend;
	struct kc_pace pace;		/* the deadline, the longest collapse */
	bool thp_disabled;		/* PR_SET_THP_DISABLE on the target */
	struct kc_stop stop;		/* kc_urun_should_stop() */
	struct kc_target target;
	struct kc_oplock lock;
	struct kc_pagemap pm;
	struct kc_huge huge;
	struct kc_vma_list vmas;	/* taken once, before the windows */
	struct kc_window_reader reader;
};

/*
 * The module's kc_stop_decide() order: a request, the target, the clock,
 * if what follows is expected to take @next_ns.
 */
static uint32_t kc_urun_should_stop(const struct kc_urun *run,
				    uint64_t next_ns)
{
	if (kc_op_cancelled(run->op) || kc_oplock_cancel_requested(&run->lock))
		return KC_STOP_CANCELLED;
	if (kc_target_exited(&run->target))
		return KC_STOP_TARGET_EXITED;
	if (kc_pace_late(&run->pace, kc_now_ns(), next_ns))
		return KC_STOP_DEADLINE;
	return KC_STOP_DONE;
}

static uint32_t kc_urun_stop_check(const void *run)
{
	return kc_urun_should_stop(run, 0);
}

/*
 * Frames and present bytes of the covered eligible memory: 0, a stop
 * reason (> 0) or -errno.
 */
static int kc_urun_measure(struct kc_urun *run,
			   const struct kc_vma_list *vmas,
			   struct kc_frames *fr)
{
	return kc_frames_measure(&run->pm, vmas, run->rstart, run->rend,
				 &run->stop, fr);
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
 * The process opted out of THP in @vma: a collapse there is not tried,
 * as the module's kc_vma_thp_opted_out(). KC_MARK_HUGEPAGE cleared
 * VM_NOHUGEPAGE before @vma was read (not in a dry run, which marks
 * nothing), never PR_SET_THP_DISABLE.
 */
static bool kc_urun_opted_out(const struct kc_urun *run,
			      const struct kc_vma *vma)
{
	return run->thp_disabled || vma->nohugepage;
}

/*
 * Collapse the candidate window at @win, timed; its outcome into *@out.
 * Returns 0, or a stop reason (> 0) and the window not reached: a stop
 * held (the deadline counting this collapse as the longest so far), or
 * the process is gone.
 */
static int kc_urun_collapse(struct kc_urun *run, uint64_t win,
			    enum kc_outcome *out)
{
	uint32_t stop = kc_urun_should_stop(run, run->pace.step_max_ns);
	uint64_t start;
	int err;

	if (stop)
		return (int)stop;
	start = kc_pace_step_start(&run->pace);
	err = kc_target_collapse(&run->target, win, KC_WINDOW_SIZE);
	kc_pace_step_end(&run->pace, start);
	/* The process is gone: this window was not reached. */
	if (err == -ESRCH)
		return KC_STOP_TARGET_EXITED;
	*out = kc_outcome_from_errno(err);
	return 0;
}

/*
 * One window: classify, collapse a candidate, count. Returns 0, a stop
 * reason (> 0: the window is not counted), or -errno.
 */
static int kc_urun_window(struct kc_urun *run, uint64_t win, bool trusted,
			  bool opted_out)
{
	struct kc_window_scan scan;
	enum kc_outcome out;
	int err;

	err = kc_window_read(&run->reader, win, trusted, &scan);
	if (err == -ESRCH)
		return KC_STOP_TARGET_EXITED;
	if (err < 0)
		return err;
	out = kc_opted_out_outcome(kc_classify(&scan, run->min_fill),
				   opted_out);
	if (out == KC_OUT_DRY_RUN) {
		if (!(run->req->flags & KC_DRY_RUN)) {
			err = kc_urun_collapse(run, win, &out);
			if (err)
				return err;	/* not started: not counted */
		}
		run->res->candidates++;
	}
	kc_result_count(run->res, out, 1);
	return 0;
}

/*
 * The first window at or after @win, below @we, that may hold data, into
 * *@next (@we if none). With PAGEMAP_SCAN the empty ones in between are
 * skipped without reading their entries (their page tables are not even
 * there, for most); without it every window is looked at.
 */
static int kc_urun_next_live(const struct kc_urun *run, uint64_t win,
			     uint64_t we, uint64_t *next)
{
	struct kc_page_region r;
	uint64_t walk_end;
	long n;

	if (!run->pm.scan) {
		*next = win;
		return 0;
	}
	n = kc_pagemap_runs(&run->pm, win, we, &r, 1, 1, &walk_end);
	if (n < 0)
		return n == -ESRCH ? KC_STOP_TARGET_EXITED : (int)n;
	*next = n ? r.start - r.start % KC_WINDOW_SIZE : we;
	return 0;
}

/*
 * The windows of one mapping: 0 when done, a stop reason (> 0) or
 * -errno. Empty ones are counted in bulk.
 */
static int kc_urun_vma_windows(struct kc_urun *run, const struct kc_vma *vma,
			       uint64_t ws, uint64_t we)
{
	bool opted_out = kc_urun_opted_out(run, vma);
	int trusted = -1, ret;
	uint64_t win, next = we;	/* set by kc_urun_next_live(); gcc cannot tell */

	for (win = ws; win < we; win = next + KC_WINDOW_SIZE) {
		ret = (int)kc_urun_should_stop(run, 0);
		if (!ret)
			ret = kc_urun_next_live(run, win, we, &next);
		if (ret)
			return ret;
		kc_result_count(run->res, KC_OUT_EMPTY,
				(next - win) / KC_WINDOW_SIZE);
		if (next >= we)
			break;
		if (trusted < 0) {
			trusted = kc_urun_trust(run, vma);
			if (trusted == -ESRCH)
				return KC_STOP_TARGET_EXITED;
			if (trusted < 0)
				return trusted;
		}
		ret = kc_urun_window(run, next, trusted, opted_out);
		if (ret)
			return ret;
		kc_pace_pause(&run->pace);
	}
	return 0;
}

/* Classify and collapse each window; returns why it stopped, or -errno. */
static int kc_urun_windows(struct kc_urun *run)
{
	size_t i;

	for (i = 0; i < run->vmas.n; i++) {
		const struct kc_vma *vma = &run->vmas.v[i];
		uint64_t s, e, ws, we;
		int ret;

		if (!kc_clip(vma->start, vma->end, run->rstart, run->rend,
			     run->pm.page_size, &s, &e))
			continue;
		kc_windows(s, e, &ws, &we);
		ret = kc_urun_vma_windows(run, vma, ws, we);
		if (ret)
			return ret;
	}
	return KC_STOP_DONE;
}

/*
 * KC_MARK_HUGEPAGE on the calling process itself: madvise(MADV_HUGEPAGE)
 * of the covered mappings, as the module does for any process (another
 * one was refused: process_madvise() cannot). Counts the mappings that
 * were not VM_HUGEPAGE yet, then takes the mappings again (marking
 * splits and merges them, and clears VM_NOHUGEPAGE).
 */
static int kc_urun_mark(struct kc_urun *run)
{
	size_t i;

	if (!(run->req->flags & KC_MARK_HUGEPAGE) ||
	    (run->req->flags & KC_DRY_RUN))
		return 0;
	for (i = 0; i < run->vmas.n; i++) {
		const struct kc_vma *vma = &run->vmas.v[i];
		uint64_t s, e;

		if (vma->hugepage ||
		    !kc_clip(vma->start, vma->end, run->rstart, run->rend,
			     run->pm.page_size, &s, &e))
			continue;
		if (madvise((void *)(uintptr_t)s, e - s, MADV_HUGEPAGE) < 0) {
			kc_set_error(NULL, "madvise(MADV_HUGEPAGE) of "
				     "0x%llx-0x%llx: %s", (unsigned long long)s,
				     (unsigned long long)e, strerror(errno));
			return -errno;
		}
		run->res->marked++;
	}
	kc_vmas_free(&run->vmas);
	return kc_vmas_read(run->target.tgid, &run->vmas);
}

/*
 * After the windows: frames again, from a fresh view of the mappings,
 * only when every window was reached (a stopped operation ends now, not
 * after one more measurement); a stop during it leaves it incomplete. A
 * dry run changed nothing: before stands for after, as in the module.
 */
static int kc_urun_after(struct kc_urun *run)
{
	struct kc_result *res = run->res;
	struct kc_vma_list vmas;
	struct kc_frames fr;
	int err;

	if (run->req->flags & KC_DRY_RUN) {
		res->frames_after = res->frames_before;
		res->present_after = res->present_before;
		res->after_complete = true;
		return 0;
	}
	if (res->stop_reason != KC_STOP_DONE)
		return 0;
	err = kc_vmas_read(run->target.tgid, &vmas);
	if (!err)
		err = kc_urun_measure(run, &vmas, &fr);
	kc_vmas_free(&vmas);
	/* Exited or stopped just now: the windows were all reached. */
	if (err == -ESRCH || err > 0)
		return 0;
	if (err < 0)
		return err;
	res->frames_after = fr.frames;
	res->present_after = fr.present_bytes;
	res->after_complete = true;
	return 0;
}

static int kc_urun_steps(struct kc_urun *run)
{
	struct kc_result *res = run->res;
	struct kc_frames fr = { 0 };
	int ret;

	ret = kc_urun_mark(run);
	if (!ret)
		ret = kc_urun_measure(run, &run->vmas, &fr);
	if (ret == -ESRCH)
		ret = KC_STOP_TARGET_EXITED;
	if (ret < 0)
		return ret;
	/* A stop during it: what was measured, and no window. */
	res->regions = fr.regions;
	res->frames_before = fr.frames;
	res->present_before = fr.present_bytes;
	if (ret > 0) {
		res->stop_reason = (uint32_t)ret;
		return 0;
	}

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
	if (req->mode != KC_MODE_COLLAPSE) {
		kc_set_error(NULL, "%s mode%s needs the kcollapse module: the "
			     "userspace engine cannot move pages%s",
			     kc_mode_name(req->mode),
			     req->hot_first ? " with hot-first" : "",
			     req->hot_first ? " nor see accessed bits" : "");
		return -EOPNOTSUPP;
	}
	if (!kc_has_cap(CAP_SYS_ADMIN)) {
		kc_set_error(NULL, "the userspace engine needs CAP_SYS_ADMIN "
			     "(page frame numbers)%s",
			     kc_has_cap(CAP_SYS_NICE) ? "" :
			     " and CAP_SYS_NICE (process_madvise)");
		return -EPERM;
	}
	return 0;
}

/*
 * MADV_HUGEPAGE reaches the calling process only: process_madvise()
 * refuses it. Said up front, rather than collapsing less than asked.
 */
static int kc_urun_check_mark(const struct kc_urun *run)
{
	if (!(run->req->flags & KC_MARK_HUGEPAGE) ||
	    (run->req->flags & KC_DRY_RUN) || run->target.tgid == getpid())
		return 0;
	kc_set_error(NULL, "--mark-hugepage needs the kcollapse module for "
		     "another process: the userspace engine cannot "
		     "MADV_HUGEPAGE a remote process; load the module or drop "
		     "--mark-hugepage");
	return -EOPNOTSUPP;
}

/* Open everything a run needs, in order; undone by kc_urun_close(). */
static int kc_urun_open(struct kc_urun *run)
{
	int err;

	err = kc_target_open(run->req->pid, &run->target);
	if (err < 0)
		return err;
	err = kc_urun_check_mark(run);
	if (err < 0)
		return err;
	err = kc_target_thp_disabled(&run->target, &run->thp_disabled);
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
	kc_pace_init(&run.pace, t0, req->deadline_ms);
	run.stop = (struct kc_stop){ kc_urun_stop_check, &run };
	run.min_fill = req->min_fill ? req->min_fill : 1;
	run.rstart = req->range_start;
	run.rend = kc_range_end(req->range_start, req->range_len);

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
