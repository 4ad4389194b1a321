/* SPDX-License-Identifier: MIT */
/*
 * "Is this 2 MiB window mapped by one PMD?" from outside the process, the
 * question the module answers with pmd_trans_huge(). pagemap alone cannot
 * tell a PMD-mapped THP from 512 PTEs mapping the same pages, so:
 *
 * - Linux 6.7+: the PAGEMAP_SCAN ioctl on /proc/PID/pagemap reports
 *   PAGE_IS_HUGE exactly for PMD mappings (and a PMD migration entry as
 *   PAGE_IS_HUGE | PAGE_IS_SWAPPED, the module's "unstable" window).
 * - Before: a window whose 512 entries are present with consecutive PFNs
 *   from a 2 MiB-aligned one that /proc/kpageflags calls a THP head is one
 *   whole THP mapped in order. That is PMD-mapped unless it was remapped
 *   with PTEs in place (mprotect() or mremap() of part of it), which
 *   /proc/PID/smaps AnonHugePages (PMD-mapped bytes per mapping) detects:
 *   if a mapping has more such windows than AnonHugePages accounts for,
 *   they are not trusted and get attempted instead (MADV_COLLAPSE of a
 *   PMD-mapped window is a successful no-op), so they count as collapsed.
 *   The huge zero page (KPF_ZERO_PAGE) can only be PMD-mapped, and
 *   holds no data: its window is empty, as for the module.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KC_HUGE_H
#define KC_HUGE_H

#include <stdbool.h>
#include <stdint.h>

#include "pagemap.h"
#include "vmas.h"

enum kc_pmd_state {
	KC_PMD_NOT_HUGE,	/* no PMD mapping: look at the PTEs */
	KC_PMD_MAPPED,		/* one PMD maps the window */
	KC_PMD_MIGRATING,	/* a PMD migration entry: leave it */
};

struct kc_huge {
	const struct kc_pagemap *pm;
	bool scan;		/* PAGEMAP_SCAN works */
	int kpageflags_fd;	/* without it: /proc/kpageflags */
};

/*
 * kc_huge_init() - use PAGEMAP_SCAN if @pm has it (kc_pagemap_open());
 * without it open /proc/kpageflags. Returns 0 or -errno (-EPERM: kpageflags needs
 * CAP_SYS_ADMIN), with a message in the per-thread slot.
 */
KC_HIDDEN int kc_huge_init(struct kc_huge *h, const struct kc_pagemap *pm);
KC_HIDDEN void kc_huge_close(struct kc_huge *h);

/* "pagemap-scan" or "kpageflags". */
KC_HIDDEN const char *kc_huge_method(const struct kc_huge *h);

/*
 * kc_huge_pmd() - PAGEMAP_SCAN only: the PMD state of the window at @win.
 * Returns an enum kc_pmd_state, or -errno (-ESRCH: the process exited).
 */
KC_HIDDEN int kc_huge_pmd(const struct kc_huge *h, uint64_t win);

enum kc_shape {
	KC_SHAPE_NONE,		/* not one whole THP */
	KC_SHAPE_THP,		/* one whole anonymous THP, in order */
	KC_SHAPE_HUGE_ZERO,	/* the huge zero page: only ever PMD-mapped */
};

/*
 * kc_huge_shape() - kpageflags only: whether the window's pagemap
 * entries @e (pm->window_pages of them) map one whole THP in order.
 * Returns an enum kc_shape, or -errno.
 */
KC_HIDDEN int kc_huge_shape(const struct kc_huge *h, const uint64_t *e);

/*
 * kc_huge_vma_trusted() - kpageflags only: whether every whole-THP window
 * of @vma is PMD-mapped, from its AnonHugePages. Reads the pagemap of the
 * whole mapping (8 bytes per page). Returns 1, 0, or -errno.
 */
KC_HIDDEN int kc_huge_vma_trusted(const struct kc_huge *h,
				  const struct kc_vma *vma);

#endif /* KC_HUGE_H */
