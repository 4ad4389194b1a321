// SPDX-License-Identifier: MIT
/*
 * Already-huge windows, seen from outside the process (see huge.h).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "huge.h"

/* include/uapi/linux/kernel-page-flags.h */
#define KC_KPF_COMPOUND_HEAD	15
#define KC_KPF_THP		22
#define KC_KPF_ZERO_PAGE	24

int kc_huge_init(struct kc_huge *h, const struct kc_pagemap *pm)
{
	int err;

	h->pm = pm;
	h->kpageflags_fd = -1;
	h->scan = pm->scan;
	if (h->scan)
		return 0;
	h->kpageflags_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (h->kpageflags_fd >= 0)
		return 0;
	err = -errno;
	if (err == -EACCES || err == -EPERM) {
		kc_set_error(NULL, "cannot read /proc/kpageflags: CAP_SYS_ADMIN "
			     "is needed to tell already-huge windows apart");
		return -EPERM;
	}
	kc_set_error(NULL, "cannot open /proc/kpageflags: %s (needed to tell "
		     "already-huge windows apart before Linux 6.7)",
		     strerror(-err));
	return err;
}

void kc_huge_close(struct kc_huge *h)
{
	if (h->kpageflags_fd >= 0)
		close(h->kpageflags_fd);
	h->kpageflags_fd = -1;
}

const char *kc_huge_method(const struct kc_huge *h)
{
	return h->scan ? "pagemap-scan" : "kpageflags";
}

int kc_huge_pmd(const struct kc_huge *h, uint64_t win)
{
	static const struct kc_scan_query huge = {
		.category_anyof_mask = KC_PAGE_IS_HUGE,
		.return_mask = KC_PAGE_IS_HUGE | KC_PAGE_IS_PRESENT |
			       KC_PAGE_IS_SWAPPED | KC_PAGE_IS_PFNZERO,
	};
	struct kc_page_region r[2];
	long n;

	n = kc_pagemap_scan(h->pm, win, win + KC_WINDOW_SIZE, &huge, r, 2,
			    NULL);
	if (n < 0)
		return (int)n;
	/* A PMD covers the whole window: one region, start to end. */
	if (n != 1 || r[0].start != win || r[0].end != win + KC_WINDOW_SIZE)
		return KC_PMD_NOT_HUGE;
	/* The huge zero page holds no data: an empty window, as the module's. */
	if (r[0].categories & KC_PAGE_IS_PFNZERO)
		return KC_PMD_NOT_HUGE;
	if (r[0].categories & KC_PAGE_IS_PRESENT)
		return KC_PMD_MAPPED;
	if (r[0].categories & KC_PAGE_IS_SWAPPED)
		return KC_PMD_MIGRATING;
	return KC_PMD_NOT_HUGE;
}

static int kc_kpageflags(const struct kc_huge *h, uint64_t pfn, uint64_t *f)
{
	ssize_t n = kc_pread_full(h->kpageflags_fd, f, sizeof(*f),
				  (off_t)(pfn * sizeof(*f)));

	if (n == (ssize_t)sizeof(*f))
		return 0;
	kc_set_error(NULL, "cannot read /proc/kpageflags: %s",
		     n < 0 ? strerror((int)-n) : "short read");
	return n < 0 ? (int)n : -EIO;
}

int kc_huge_shape(const struct kc_huge *h, const uint64_t *e)
{
	uint64_t pfn0 = e[0] & KC_PM_PFN_MASK, flags;
	unsigned int i, n = h->pm->window_pages;
	int err;

	if (!(e[0] & KC_PM_PRESENT) || !pfn0 || pfn0 % n)
		return 0;
	for (i = 1; i < n; i++)
		if (!(e[i] & KC_PM_PRESENT) ||
		    (e[i] & KC_PM_PFN_MASK) != pfn0 + i)
			return 0;
	err = kc_kpageflags(h, pfn0, &flags);
	if (err < 0)
		return err;
	if (!(flags & (1ULL << KC_KPF_THP)) ||
	    !(flags & (1ULL << KC_KPF_COMPOUND_HEAD)))
		return KC_SHAPE_NONE;
	return flags & (1ULL << KC_KPF_ZERO_PAGE) ? KC_SHAPE_HUGE_ZERO :
						    KC_SHAPE_THP;
}

int kc_huge_vma_trusted(const struct kc_huge *h, const struct kc_vma *vma)
{
	const struct kc_pagemap *pm = h->pm;
	uint64_t ws, we, win, whole = 0;
	uint64_t *e;
	int ret = 0;

	kc_windows(vma->start, vma->end, &ws, &we);
	e = malloc(pm->window_pages * sizeof(*e));
	if (!e)
		return kc_oom(NULL);
	for (win = ws; win < we && ret >= 0; win += KC_WINDOW_SIZE) {
		ssize_t got = kc_pagemap_read(pm, win, e, pm->window_pages);

		if (got < 0)
			ret = (int)got;
		else if ((size_t)got < pm->window_pages)
			break;
		else
			ret = kc_huge_shape(h, e);
		/* The huge zero page is not in AnonHugePages. */
		if (ret == KC_SHAPE_THP)
			whole++;
	}
	free(e);
	if (ret < 0)
		return ret;
	return whole * KC_WINDOW_SIZE <= vma->anon_huge_bytes;
}
