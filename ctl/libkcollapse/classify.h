/* SPDX-License-Identifier: MIT */
/*
 * The userspace engine's accounting rules, written to match the module's
 * (kmod/window.c kc_classify(), kmod/stats.c): what a window is before
 * anyone tries to collapse it, and how a collapse's errno is counted.
 * Pure functions.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KC_CLASSIFY_H
#define KC_CLASSIFY_H

#include <stdbool.h>

#include "internal.h"

/* What reading one window found. */
struct kc_win_scan {
	unsigned int present;	/* pages holding data (zero page excluded) */
	bool pmd_mapped;	/* mapped by one PMD: already huge */
	bool unstable;		/* PMD under migration: leave it */
};

enum kc_win_class {
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
	KC_OUT_DRY_RUN,		/* a candidate that a dry run did not try */
};

KC_HIDDEN enum kc_win_class kc_win_classify(const struct kc_win_scan *scan,
					    unsigned int min_fill);

/* A window that is not a candidate: its outcome. */
KC_HIDDEN enum kc_outcome kc_class_outcome(enum kc_win_class class);

/* The -errno of MADV_COLLAPSE on one window: its outcome. */
KC_HIDDEN enum kc_outcome kc_outcome_from_errno(int err);

/* chunks++ and the outcome's counter++. */
KC_HIDDEN void kc_result_count(struct kc_result *res, enum kc_outcome out);

#endif /* KC_CLASSIFY_H */
