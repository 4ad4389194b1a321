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
#include <sys/ioctl.h>
#include <unistd.h>

#include "huge.h"

/*
 * <linux/fs.h> of Linux 6.7+; Debian 12's headers are older, and the
 * kernel we run on decides anyway.
 */
struct kc_page_region {
	uint64_t start;
	uint64_t end;
	uint64_t categories;
};

struct kc_pm_scan_arg {
	uint64_t size;
	uint64_t flags;
	uint64_t start;
	uint64_t end;
	uint64_t walk_end;
	uint64_t vec;
	uint64_t vec_len;
	uint64_t max_pages;
	uint64_t category_inverted;
	uint64_t category_mask;
	uint64_t category_anyof_mask;
	uint64_t return_mask;
};

#define KC_PAGEMAP_SCAN		_IOWR('f', 16, struct kc_pm_scan_arg)
#define KC_PAGE_IS_PRESENT	(1ULL << 3)
#define KC_PAGE_IS_SWAPPED	(1ULL << 4)
#define KC_PAGE_IS_HUGE		(1ULL << 6)

/* include/uapi/linux/kernel-page-flags.h */
#define KC_KPF_COMPOUND_HEAD	15
#define KC_KPF_THP		22
#define KC_KPF_ZERO_PAGE	24

static long kc_pagemap_scan(int fd, uint64_t start, uint64_t end,
			    struct kc_page_region *vec, size_t n)
{
	struct kc_pm_scan_arg arg = {
		.size = sizeof(arg),
		.start = start,
		.end = end,
		.vec = (uint64_t)(uintptr_t)vec,
		.vec_len = n,
		.category_anyof_mask = KC_PAGE_IS_HUGE,
		.return_mask = KC_PAGE_IS_HUGE | KC_PAGE_IS_PRESENT |
			       KC_PAGE_IS_SWAPPED,
	};
	long r;

	do
		r = ioctl(fd, KC_PAGEMAP_SCAN, &arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

int kc_huge_init(struct kc_huge *h, const struct kc_pagemap *pm)
{
	const char *no_scan = secure_getenv(KC_HUGE_NO_SCAN_ENV);
	int err;

	h->pm = pm;
	h->kpageflags_fd = -1;
	/* An empty range: does the kernel know the ioctl at all? */
	h->scan = !(no_scan && !strcmp(no_scan, "1")) &&
		  kc_pagemap_scan(pm->fd, 0, 0, NULL, 0) >= 0;
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
	struct kc_page_region r[2];
	long n;

	n = kc_pagemap_scan(h->pm->fd, win, win + KC_WINDOW_SIZE, r, 2);
	if (n < 0) {
		kc_set_error(NULL, "PAGEMAP_SCAN on /proc/%d/pagemap: %s",
			     (int)h->pm->pid, strerror((int)-n));
		return (int)n;
	}
	/* A PMD covers the whole window: one region, start to end. */
	if (n != 1 || r[0].start != win || r[0].end != win + KC_WINDOW_SIZE)
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
