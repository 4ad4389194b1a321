// SPDX-License-Identifier: GPL-2.0
/*
 * Collapse mode. The target's mmap lock is held for a bounded stretch of
 * classification at a time and never across a collapse: the collapse path
 * takes the lock itself, the target keeps running, VMAs may come and go
 * between holds, and every stop condition is checked between holds
 * (madvise_collapse() itself cannot be interrupted).
 */
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <uapi/linux/kcollapse.h>
#include "collapse.h"
#include "compat.h"
#include "run.h"
#include "window.h"

void kc_collapse_count_empty(struct kc_run *run, unsigned long from,
			     unsigned long to)
{
	unsigned long n = kc_windows_in(from, to);

	run->st->chunks += n;
	run->st->outcome[KC_OUT_EMPTY] += n;
}

enum kc_visit kc_collapse_visit(struct kc_run *run,
				struct vm_area_struct *vma,
				unsigned long win, unsigned int fill)
{
	struct kc_window_scan scan;
	enum kc_window_class class;
	enum kc_outcome out;
	ktime_t start;
	int err;

	kc_scan_span(vma, win, win + KC_WINDOW_SIZE, &scan, NULL);
	class = kc_classify(&scan, fill);
	out = kc_opted_out_outcome(class, kc_vma_thp_opted_out(vma));
	if (out != KC_OUT_DRY_RUN) {
		kc_stats_count(run->st, out);
		return out == KC_OUT_SPARSE || out == KC_OUT_OPTED_OUT ?
		       KC_VISIT_PASSED : KC_VISIT_COUNTED;
	}
	run->st->candidates++;
	if (run->req->dry_run) {
		kc_stats_count(run->st, KC_OUT_DRY_RUN);
		return KC_VISIT_COUNTED;
	}
	/* The collapse path takes the lock itself; keep the pin. */
	mmap_read_unlock(run->op->mm);
	start = ktime_get();
	err = kc_engine_madvise(run->op->mm, win, KC_WINDOW_SIZE, MADV_COLLAPSE);
	kc_run_time_step(run, start);
	kc_stats_count(run->st, kc_outcome_from_errno(err));
	mmput_async(run->op->mm);
	return KC_VISIT_ATTEMPTED;
}

/* One lock hold's worth of windows; returns with the lock released. */
static void kc_collapse_hold(struct kc_run *run, struct kc_cursor *cur)
{
	unsigned long end = run->req->end, win;
	struct vm_area_struct *vma;

	while ((vma = kc_run_seek(run, cur, kc_collapse_count_empty))) {
		win = cur->addr;
		cur->addr = kc_span_end(win, min(vma->vm_end, end));
		/* the populated part of a window cut by the VMA or range */
		if (cur->addr - win != KC_WINDOW_SIZE)
			continue;
		kc_cursor_charge(cur, KC_SPAN_COST);
		if (kc_collapse_visit(run, vma, win, run->req->min_fill) ==
		    KC_VISIT_ATTEMPTED)
			return;
		cond_resched();
	}
	kc_run_unlock(run);
}

u32 kc_collapse_windows(struct kc_run *run)
{
	struct kc_cursor cur = { .addr = run->req->start };
	u32 stop;

	while (cur.addr < run->req->end) {
		stop = kc_run_step(run);
		if (stop)
			return stop;
		cur.budget = kc_run_budget();
		kc_collapse_hold(run, &cur);
		cond_resched();
	}
	return KCOLLAPSE_STOP_DONE;
}
