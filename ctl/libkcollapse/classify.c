// SPDX-License-Identifier: MIT
/*
 * Window classes and outcomes, the module's rules (see classify.h).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>

#include "classify.h"

enum kc_win_class kc_win_classify(const struct kc_win_scan *scan,
				  unsigned int min_fill)
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

enum kc_outcome kc_class_outcome(enum kc_win_class class)
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

/* The errno values madvise_collapse() derives from its SCAN_* results. */
enum kc_outcome kc_outcome_from_errno(int err)
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

void kc_result_count(struct kc_result *res, enum kc_outcome out)
{
	uint64_t *counter[] = {
		[KC_OUT_COLLAPSED]	= &res->collapsed,
		[KC_OUT_ALREADY_HUGE]	= &res->already_huge,
		[KC_OUT_EMPTY]		= &res->skipped_empty,
		[KC_OUT_SPARSE]		= &res->skipped_sparse,
		[KC_OUT_NOMEM]		= &res->failed_nomem,
		[KC_OUT_BUSY]		= &res->failed_busy,
		[KC_OUT_AGAIN]		= &res->failed_again,
		[KC_OUT_INELIGIBLE]	= &res->failed_ineligible,
		[KC_OUT_OTHER]		= &res->failed_other,
		[KC_OUT_DRY_RUN]	= NULL,	/* counted as a candidate */
	};

	res->chunks++;
	if ((unsigned int)out < sizeof(counter) / sizeof(counter[0]) &&
	    counter[out])
		(*counter[out])++;
}
