/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Collapse mode: each candidate 2 MiB window through the kernel's own
 * MADV_COLLAPSE path, one window per lock hold.
 */
#ifndef _KCOLLAPSE_COLLAPSE_H
#define _KCOLLAPSE_COLLAPSE_H

#include <linux/mm_types.h>
#include <linux/types.h>

struct kc_run;

/* Classify and collapse every window; returns why it stopped. */
u32 kc_collapse_windows(struct kc_run *run);

/* What kc_collapse_visit() did with a window. */
enum kc_visit {
	KC_VISIT_COUNTED,	/* counted; the lock is still held */
	KC_VISIT_PASSED,	/* counted sparse or opted out; lock held */
	KC_VISIT_ATTEMPTED,	/* tried and counted; lock and pin released */
};

/*
 * The whole window at @win of @vma, with the lock held: classify it (a
 * candidate needs @fill present pages), and count it, collapsing it first
 * if it is a candidate the process did not opt out of (not in a dry run).
 */
enum kc_visit kc_collapse_visit(struct kc_run *run,
				struct vm_area_struct *vma,
				unsigned long win, unsigned int fill);

/* A kc_skip_fn: the windows of a stretch with no page table are empty. */
void kc_collapse_count_empty(struct kc_run *run, unsigned long from,
			     unsigned long to);

#endif /* _KCOLLAPSE_COLLAPSE_H */
