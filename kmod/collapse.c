// SPDX-License-Identifier: GPL-2.0
/*
 * One COLLAPSE, from outside the target. The target's mmap lock is taken for
 * one window at a time, never across a collapse: the target keeps running,
 * VMAs may come and go between windows, and every stop condition is checked
 * between windows (madvise_collapse() itself cannot be interrupted).
 */
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <uapi/linux/kcollapse.h>
#include "collapse.h"
#include "compat.h"
#include "frames.h"
#include "pack.h"
#include "run.h"
#include "target.h"
#include "window.h"

/* MADV_HUGEPAGE on every covered eligible VMA not marked yet. */
static void kc_mark_hugepage(struct kc_run *run)
{
	unsigned long addr = run->req->start, end = run->req->end;
	struct vm_area_struct *vma;
	unsigned long s = 0, e = 0;
	bool marked = false;

	while (addr < end) {
		if (kc_run_lock(run))
			return;
		vma = kc_next_eligible(run->op.mm, addr, end);
		if (vma) {
			s = max(addr, vma->vm_start);
			e = min(vma->vm_end, end);
			marked = vma->vm_flags & VM_HUGEPAGE;
		}
		/* do_madvise() takes the lock itself; keep the pin. */
		mmap_read_unlock(run->op.mm);
		if (vma && !marked &&
		    !kc_engine_madvise(run->op.mm, s, e - s, MADV_HUGEPAGE))
			run->st->marked++;
		mmput(run->op.mm);
		if (!vma)
			return;
		addr = e;
	}
}

/*
 * Frames and present bytes of the covered eligible memory into @set, one
 * PMD-sized span per lock hold. Returns a stop reason if it could not
 * finish, or -ENOMEM.
 */
static int kc_measure_into(struct kc_run *run, struct kc_frame_set *set,
			   u64 *regions)
{
	unsigned long addr = run->req->start, end = run->req->end;
	struct kc_window_scan scan;
	struct vm_area_struct *vma;
	int ret = 0;
	unsigned long s;

	while (addr < end && !ret) {
		ret = kc_run_lock(run);
		if (ret)
			break;
		vma = kc_next_eligible(run->op.mm, addr, end);
		if (!vma) {
			kc_run_unlock(run);
			break;
		}
		s = max(addr, vma->vm_start);
		if (regions && s == max(vma->vm_start, run->req->start))
			(*regions)++;
		addr = min(vma->vm_end, end);
		/* Without an anon_vma nothing was ever faulted in: skip it. */
		if (vma->anon_vma) {
			addr = kc_span_end(s, addr);
			ret = kc_scan_span(vma, s, addr, &scan, set);
		}
		kc_run_unlock(run);
		cond_resched();
	}
	return ret;
}

static int kc_measure(struct kc_run *run, u64 *frames, u64 *bytes)
{
	struct kc_frame_set set;
	int ret;

	kc_frames_init(&set);
	ret = kc_measure_into(run, &set, NULL);
	*frames = set.count;
	*bytes = set.present_bytes;
	kc_frames_destroy(&set);
	return ret;
}

enum kc_outcome kc_collapse_window(struct kc_run *run,
				   enum kc_window_class class,
				   unsigned long win)
{
	if (class != KC_WIN_CANDIDATE)
		return kc_class_outcome(class);
	run->st->candidates++;
	if (run->req->dry_run)
		return KC_OUT_DRY_RUN;
	return kc_outcome_from_errno(kc_engine_madvise(run->op.mm, win,
						       KC_WINDOW_SIZE,
						       MADV_COLLAPSE));
}

/* Classify and collapse each window; returns why it stopped. */
static u32 kc_collapse_windows(struct kc_run *run)
{
	unsigned long addr = run->req->start, end = run->req->end;
	struct kc_window_scan scan;
	struct vm_area_struct *vma;
	enum kc_window_class class;
	unsigned long win;
	u32 stop;

	while (addr < end) {
		stop = kc_run_step(run);
		if (stop)
			return stop;
		vma = kc_next_eligible(run->op.mm, addr, end);
		win = 0;
		if (vma)
			win = kc_first_window(max(addr, vma->vm_start),
					      min(vma->vm_end, end));
		if (!win) {
			addr = vma ? vma->vm_end : end;
			kc_run_unlock(run);
			continue;
		}
		kc_scan_span(vma, win, win + KC_WINDOW_SIZE, &scan, NULL);
		class = kc_classify(&scan, run->req->min_fill);
		/* The collapse path takes the lock itself; keep the pin. */
		mmap_read_unlock(run->op.mm);
		kc_stats_count(run->st, kc_collapse_window(run, class, win));
		mmput(run->op.mm);
		addr = win + KC_WINDOW_SIZE;
		cond_resched();
	}
	return KCOLLAPSE_STOP_DONE;
}

/*
 * Returns 0, a stop reason (> 0) if the first measurement could not finish,
 * or -ENOMEM.
 */
static int kc_collapse_steps(struct kc_run *run,
			     struct netlink_ext_ack *extack)
{
	struct kc_stats *st = run->st;
	struct kc_frame_set before;
	int ret;

	if (run->req->mark_hugepage && !run->req->dry_run)
		kc_mark_hugepage(run);
	kc_frames_init(&before);
	ret = kc_measure_into(run, &before, &st->regions);
	st->frames_before = before.count;
	st->present_before = before.present_bytes;
	if (ret) {
		kc_frames_destroy(&before);
		if (ret < 0)
			NL_SET_ERR_MSG(extack,
				       "out of memory while measuring frames; no window was touched");
		return ret;
	}
	run->before = &before;
	if (run->req->mode == KCOLLAPSE_MODE_COLLAPSE)
		st->stop_reason = kc_collapse_windows(run);
	else
		ret = kc_pack_windows(run, &st->stop_reason);
	run->before = NULL;
	kc_frames_destroy(&before);
	if (ret) {
		NL_SET_ERR_MSG(extack,
			       "out of memory setting up pack mode; no page was moved");
		return ret;
	}
	if (run->req->dry_run) {
		st->frames_after = st->frames_before;
		st->present_after = st->present_before;
		return 0;
	}
	/* Nothing left to measure, or nobody left to read it. */
	if (st->stop_reason == KCOLLAPSE_STOP_TARGET_EXITED ||
	    st->stop_reason == KCOLLAPSE_STOP_CALLER_KILLED)
		return 0;
	ret = kc_measure(run, &st->frames_after, &st->present_after);
	if (ret < 0) {
		NL_SET_ERR_MSG(extack,
			       "out of memory while measuring frames after the operation: it ran, its statistics are lost");
		return ret;
	}
	return 0;
}

int kc_collapse(const struct kc_request *req, const struct nlattr *pid_attr,
		struct kc_stats *st, struct netlink_ext_ack *extack)
{
	struct kc_run run = { .req = req, .st = st };
	ktime_t start = ktime_get();
	int ret;

	memset(st, 0, sizeof(*st));
	st->mode = req->mode;
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
	run.op.mm = kc_target_mm(req->pid, pid_attr, extack);
	if (IS_ERR(run.op.mm))
		return PTR_ERR(run.op.mm);
	ret = kc_ops_begin(&run.op, extack);
	if (ret)
		goto out_drop;
	if (req->deadline_ms)
		run.deadline = ktime_add_ms(start, req->deadline_ms);

	ret = kc_collapse_steps(&run, extack);
	if (ret > 0) {
		/* stopped before the first window */
		st->stop_reason = ret;
		ret = 0;
	}
	st->elapsed_ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	kc_ops_end(&run.op);
out_drop:
	mmdrop(run.op.mm);
	return ret;
}
