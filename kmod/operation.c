// SPDX-License-Identifier: GPL-2.0
/*
 * One COLLAPSE, from outside the target. Every step takes the target's
 * mmap lock for a bounded amount of work at a time and checks every stop
 * condition between two holds (run.c), so the operation can be stopped
 * within milliseconds of work whatever the size of the address space.
 */
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <uapi/linux/kcollapse.h>
#include "collapse.h"
#include "compat.h"
#include "frames.h"
#include "measure.h"
#include "operation.h"
#include "pack.h"
#include "run.h"
#include "target.h"
#include "walk.h"
#include "window.h"

/*
 * MADV_HUGEPAGE on every covered eligible VMA not marked yet, as the
 * target calling it would: VM_NOHUGEPAGE is cleared. One VMA per hold; a
 * stop request ends it (the measurement after it returns the reason).
 */
static void kc_mark_hugepage(struct kc_run *run)
{
	unsigned long addr = run->req->start, end = run->req->end;
	struct vm_area_struct *vma;
	unsigned long s = 0, e = 0;
	bool marked = false;

	while (addr < end) {
		if (kc_run_enter(run))
			return;
		vma = kc_next_eligible(run->op->mm, addr, end);
		if (vma) {
			s = max(addr, vma->vm_start);
			e = min(vma->vm_end, end);
			marked = vma->vm_flags & VM_HUGEPAGE;
		}
		/* do_madvise() takes the lock itself; keep the pin. */
		mmap_read_unlock(run->op->mm);
		if (vma && !marked &&
		    !kc_engine_madvise(run->op->mm, s, e - s, MADV_HUGEPAGE))
			run->st->marked++;
		mmput_async(run->op->mm);
		if (!vma)
			return;
		addr = e;
	}
}

/* The mode's own step; returns 0 or -ENOMEM, the stop reason in @st. */
static int kc_operation_mode(struct kc_run *run)
{
	if (run->req->mode == KCOLLAPSE_MODE_COLLAPSE) {
		run->st->stop_reason = kc_collapse_windows(run);
		return 0;
	}
	return kc_pack_windows(run, &run->st->stop_reason);
}

/*
 * The measurement after: only after a complete operation (a stop must not
 * wait for it), itself stoppable; after_complete says if it finished.
 */
static int kc_measure_after(struct kc_run *run,
			    struct netlink_ext_ack *extack)
{
	struct kc_stats *st = run->st;
	struct kc_measured m = {};
	int ret;

	if (run->req->dry_run) {
		st->frames_after = st->frames_before;
		st->present_after = st->present_before;
		st->hot_pages_after = st->hot_pages_before;
		st->hot_frames_after = st->hot_frames_before;
		st->after_complete = 1;
		return 0;
	}
	if (st->stop_reason != KCOLLAPSE_STOP_DONE)
		return 0;
	ret = kc_measure(run, &m);
	if (ret < 0) {
		NL_SET_ERR_MSG(extack,
			       "out of memory while measuring frames after the operation: it ran, its statistics are lost");
		return ret;
	}
	if (ret > 0)
		return 0;	/* stopped: the after-measurement stays 0 */
	st->frames_after = m.frames;
	st->present_after = m.present_bytes;
	st->hot_pages_after = m.hot_pages;
	st->hot_frames_after = m.hot_frames;
	st->after_complete = 1;
	return 0;
}

/*
 * Returns 0, a stop reason (> 0) if the first measurement could not finish,
 * or -ENOMEM.
 */
static int kc_operation_steps(struct kc_run *run,
			      struct netlink_ext_ack *extack)
{
	struct kc_stats *st = run->st;
	struct kc_frame_set before;
	struct kc_measured m;
	struct kc_spans spans;
	int ret;

	if (run->req->mark_hugepage && !run->req->dry_run &&
	    run->req->mode != KCOLLAPSE_MODE_PACK)
		kc_mark_hugepage(run);
	kc_frames_init(&before);
	kc_spans_init(&spans);
	ret = kc_measure_into(run, &before, &st->regions, &spans);
	/* the pending run folded in: hot_frames, and pack's density */
	if (!ret)
		ret = kc_frames_flush(&before);
	kc_measured_from(&m, &before);
	st->frames_before = m.frames;
	st->present_before = m.present_bytes;
	st->hot_pages_before = m.hot_pages;
	st->hot_frames_before = m.hot_frames;
	if (ret) {
		if (ret < 0)
			NL_SET_ERR_MSG(extack,
				       "out of memory while measuring frames; no window was touched");
		goto out;
	}
	run->before = &before;
	run->spans = &spans;
	ret = kc_operation_mode(run);
	run->before = NULL;
	if (ret) {
		NL_SET_ERR_MSG(extack,
			       "out of memory setting up pack mode; no page was moved");
		goto out;
	}
	ret = kc_measure_after(run, extack);
out:
	run->spans = NULL;
	kc_spans_destroy(&spans);
	kc_frames_destroy(&before);
	return ret;
}

/* Refuse what this kernel cannot do, before touching the target. */
static int kc_operation_supported(const struct kc_request *req,
				  struct netlink_ext_ack *extack)
{
	if (req->mode != KCOLLAPSE_MODE_COLLAPSE && !KC_HAVE_PACK) {
		NL_SET_ERR_MSG(extack,
			       "pack mode needs CONFIG_DEVICE_MIGRATION");
		return -EOPNOTSUPP;
	}
	if (!req->dry_run && req->mode != KCOLLAPSE_MODE_PACK &&
	    !kc_engine_available()) {
		NL_SET_ERR_MSG(extack,
			       "collapse is unavailable on this kernel (see kcollapsectl info); only dry runs work");
		return -EOPNOTSUPP;
	}
	return 0;
}

int kc_operation_begin(const struct kc_request *req, struct kc_target *t,
		       struct kc_inflight *op, struct netlink_ext_ack *extack)
{
	int ret;

	ret = kc_operation_supported(req, extack);
	if (ret)
		return ret;
	op->mm = kc_target_mm(t, extack);
	if (IS_ERR(op->mm))
		return PTR_ERR(op->mm);
	ret = kc_ops_begin(op, extack);
	if (ret)
		mmdrop(op->mm);
	return ret;
}

int kc_operation_run(const struct kc_request *req, struct kc_inflight *op,
		     ktime_t start, struct kc_stats *st,
		     struct netlink_ext_ack *extack)
{
	struct kc_run run = { .req = req, .st = st, .op = op };
	int ret;

	memset(st, 0, sizeof(*st));
	st->mode = req->mode;
	if (req->deadline_ms)
		run.deadline = ktime_add_ms(start, req->deadline_ms);

	ret = kc_operation_steps(&run, extack);
	if (ret > 0) {
		/* stopped before the first window */
		st->stop_reason = ret;
		ret = 0;
	}
	st->elapsed_ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	kc_ops_end(op);
	mmdrop(op->mm);
	return ret;
}
