// SPDX-License-Identifier: GPL-2.0
#include <linux/mm.h>
#include <linux/sched.h>
#include "frames.h"
#include "measure.h"
#include "run.h"
#include "walk.h"
#include "window.h"

/* Scan the populated spans of one lock hold into @set. */
static int kc_measure_hold(struct kc_run *run, struct kc_cursor *cur,
			   struct kc_frame_set *set, struct kc_spans *spans)
{
	unsigned long end = run->req->end, s;
	struct kc_window_scan scan;
	struct vm_area_struct *vma;
	int err;

	while ((vma = kc_run_seek(run, cur, NULL))) {
		s = cur->addr;
		cur->addr = kc_span_end(s, min(vma->vm_end, end));
		err = kc_scan_span(vma, s, cur->addr, &scan, set);
		if (!err && spans)
			err = kc_spans_add(spans, s);
		if (err)
			return err;
		kc_cursor_charge(cur, KC_SPAN_COST);
		/* as the kernel's page walkers do, under the read lock */
		cond_resched();
	}
	return 0;
}

int kc_measure_into(struct kc_run *run, struct kc_frame_set *set,
		    u64 *regions, struct kc_spans *spans)
{
	struct kc_cursor cur = {
		.addr = run->req->start,
		.regions = regions,
	};
	int ret;

	while (cur.addr < run->req->end) {
		ret = kc_run_enter(run);
		if (ret)
			return ret;
		cur.budget = KC_HOLD_BUDGET;
		ret = kc_measure_hold(run, &cur, set, spans);
		kc_run_unlock(run);
		if (ret)
			return ret;
		cond_resched();
	}
	return 0;
}

void kc_measured_from(struct kc_measured *m, const struct kc_frame_set *set)
{
	m->frames = set->count;
	m->present_bytes = set->present_bytes;
	m->hot_pages = set->hot_pages;
	m->hot_frames = set->hot_frames;
}

int kc_measure(struct kc_run *run, struct kc_measured *m)
{
	struct kc_frame_set set;
	int ret;

	kc_frames_init(&set);
	ret = kc_measure_into(run, &set, NULL, NULL);
	/* the pending run folded in, for hot_frames */
	if (!ret)
		ret = kc_frames_flush(&set);
	kc_measured_from(m, &set);
	kc_frames_destroy(&set);
	return ret;
}
