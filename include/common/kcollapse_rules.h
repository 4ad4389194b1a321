/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The accounting rules both collapse engines follow, the kernel module's
 * and libkcollapse's userspace fallback, so that one statistic means one
 * thing whichever engine ran: what a 2 MiB window is before anyone tries
 * to collapse it, whether a THP opt-out keeps it from being tried, and
 * how the errno of a collapse attempt is counted.
 * Pure, header-only, and free of kernel or libc types beyond errno names.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef _KCOLLAPSE_RULES_H
#define _KCOLLAPSE_RULES_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#endif

/* What reading one window's page tables (or pagemap) found. */
struct kc_window_scan {
	unsigned int present;	/* present anon pages, zero page excluded */
	bool pmd_mapped;	/* mapped by one PMD: already huge */
	bool unstable;		/* PMD under migration or split: leave it */
};

enum kc_window_class {
	KC_WIN_EMPTY,
	KC_WIN_HUGE,
	KC_WIN_SPARSE,
	KC_WIN_CANDIDATE,
	KC_WIN_UNSTABLE,	/* counted as a transient failure, not tried */
};

/* Exactly one per window reached. */
enum kc_outcome {
	KC_OUT_COLLAPSED,
	KC_OUT_ALREADY_HUGE,
	KC_OUT_EMPTY,
	KC_OUT_SPARSE,
	KC_OUT_NOMEM,
	KC_OUT_BUSY,
	KC_OUT_AGAIN,
	KC_OUT_INELIGIBLE,
	KC_OUT_OTHER,
	KC_OUT_OPTED_OUT,	/* a candidate in memory opted out of THP */
	KC_OUT_DRY_RUN,		/* a candidate that a dry run did not try */
	KC_OUT_MAX
};

static inline enum kc_window_class
kc_classify(const struct kc_window_scan *scan, unsigned int min_fill)
{
	if (scan->pmd_mapped)
		return KC_WIN_HUGE;
	if (scan->unstable)
		return KC_WIN_UNSTABLE;
	if (!scan->present)
		return KC_WIN_EMPTY;
	if (scan->present < min_fill)
		return KC_WIN_SPARSE;
	return KC_WIN_CANDIDATE;
}

/* The outcome of a window that is not tried: a candidate is KC_OUT_DRY_RUN. */
static inline enum kc_outcome kc_class_outcome(enum kc_window_class class)
{
	switch (class) {
	case KC_WIN_EMPTY:
		return KC_OUT_EMPTY;
	case KC_WIN_HUGE:
		return KC_OUT_ALREADY_HUGE;
	case KC_WIN_SPARSE:
		return KC_OUT_SPARSE;
	case KC_WIN_UNSTABLE:
		return KC_OUT_AGAIN;
	case KC_WIN_CANDIDATE:
		break;
	}
	return KC_OUT_DRY_RUN;
}

/*
 * The outcome of a window that is not tried, where the process opted out
 * of THP or not (@opted_out: VM_NOHUGEPAGE that MARK_HUGEPAGE did not
 * clear, or PR_SET_THP_DISABLE). A candidate there is counted as opted
 * out instead of being collapsed, in a dry run too (it would not be
 * attempted); any other class keeps its own outcome, and a candidate
 * elsewhere is KC_OUT_DRY_RUN (the caller tries it unless in a dry run).
 */
static inline enum kc_outcome kc_opted_out_outcome(enum kc_window_class class,
						   bool opted_out)
{
	if (class == KC_WIN_CANDIDATE && opted_out)
		return KC_OUT_OPTED_OUT;
	return kc_class_outcome(class);
}

/* The -errno values madvise_collapse() derives from its SCAN_* results. */
static inline enum kc_outcome kc_outcome_from_errno(int err)
{
	switch (err) {
	case 0:
		return KC_OUT_COLLAPSED;
	case -ENOMEM:
		return KC_OUT_NOMEM;
	case -EBUSY:
		return KC_OUT_BUSY;
	case -EAGAIN:
		return KC_OUT_AGAIN;
	case -EINVAL:
		return KC_OUT_INELIGIBLE;
	default:
		return KC_OUT_OTHER;
	}
}

#endif /* _KCOLLAPSE_RULES_H */
