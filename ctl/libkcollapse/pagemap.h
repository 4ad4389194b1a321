/* SPDX-License-Identifier: MIT */
/*
 * Reading another process's /proc/PID/pagemap: one 64-bit entry per
 * virtual page. Shared by the frame measurement (frames.c) and the
 * userspace collapse engine, so that both count the same pages.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KC_PAGEMAP_H
#define KC_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "internal.h"

#define KC_WINDOW_SIZE		(2ULL << 20)

/* Bits of a pagemap entry (Documentation/admin-guide/mm/pagemap.rst). */
#define KC_PM_PRESENT		(1ULL << 63)
#define KC_PM_SWAP		(1ULL << 62)
#define KC_PM_FILE_OR_SHARED	(1ULL << 61)
#define KC_PM_EXCLUSIVE		(1ULL << 56)
#define KC_PM_PFN_MASK		((1ULL << 55) - 1)

/*
 * PAGEMAP_SCAN (Linux 6.7+, <linux/fs.h>; Debian 12's headers are older,
 * and the kernel we run on decides anyway): runs of pages by category.
 */
#define KC_PAGE_IS_PRESENT	(1ULL << 3)
#define KC_PAGE_IS_SWAPPED	(1ULL << 4)
#define KC_PAGE_IS_PFNZERO	(1ULL << 5)
#define KC_PAGE_IS_HUGE		(1ULL << 6)

#define KC_HUGE_NO_SCAN_ENV	"KCOLLAPSE_NO_PAGEMAP_SCAN"

/* One run of pages [start, end) that share @categories. */
struct kc_page_region {
	uint64_t start;
	uint64_t end;
	uint64_t categories;
};

/* What to look for: a page matches as for struct pm_scan_arg. */
struct kc_scan_query {
	uint64_t category_mask;
	uint64_t category_inverted;
	uint64_t category_anyof_mask;
	uint64_t return_mask;
	uint64_t max_pages;	/* 0: no limit */
};

struct kc_pagemap {
	pid_t pid;
	int fd;
	bool scan;			/* PAGEMAP_SCAN works on it */
	uint64_t page_size;
	unsigned int frame_shift;	/* pfn >> frame_shift = 2 MiB frame */
	unsigned int window_pages;	/* pages per 2 MiB window */
	uint64_t zero_pfn;		/* the shared zero page, 0 if unknown */
};

/*
 * kc_pagemap_open() - open /proc/@pid/pagemap, learn the page size and
 * the zero page's PFN, and probe PAGEMAP_SCAN (off with
 * KCOLLAPSE_NO_PAGEMAP_SCAN=1 in the environment, for tests). Returns 0, -ESRCH (no such process) or -errno, with
 * a message in the per-thread error slot.
 */
KC_HIDDEN int kc_pagemap_open(struct kc_pagemap *pm, pid_t pid);
KC_HIDDEN void kc_pagemap_close(struct kc_pagemap *pm);

/*
 * kc_pagemap_read() - read up to @n entries for the pages from @addr
 * (page aligned). Returns the number read (fewer at the end of the
 * address space), -ESRCH if the process exited (nothing to read), or
 * another -errno; messages go to the per-thread slot.
 */
KC_HIDDEN ssize_t kc_pagemap_read(const struct kc_pagemap *pm, uint64_t addr,
				  uint64_t *buf, size_t n);

/*
 * kc_pagemap_scan() - PAGEMAP_SCAN over [@start, @end): up to @n regions
 * into @vec; *@walk_end (may be NULL) is where the walk stopped. Returns
 * the number of regions, or -errno with a message (-ESRCH: the process
 * exited).
 */
KC_HIDDEN long kc_pagemap_scan(const struct kc_pagemap *pm, uint64_t start,
			       uint64_t end, const struct kc_scan_query *q,
			       struct kc_page_region *vec, size_t n,
			       uint64_t *walk_end);

/*
 * kc_pagemap_runs() - where in [@addr, @end) pages that may hold data
 * are: at most @n runs of them into @runs, at most @max_pages pages in
 * all, and *@next, where to go on from (@end once done). With
 * PAGEMAP_SCAN, the runs of present or swapped pages but the zero pages
 * (a PMD migration entry is a swapped one), found by walking the page
 * tables: the cost follows the pages, not the address space. Without
 * it, the one run [@addr, @addr + @max_pages pages): every page's entry
 * must be read. Returns the number of runs or -errno.
 */
KC_HIDDEN long kc_pagemap_runs(const struct kc_pagemap *pm, uint64_t addr,
			       uint64_t end, struct kc_page_region *runs,
			       size_t n, uint64_t max_pages, uint64_t *next);

/*
 * kc_pagemap_data_page() - true if @entry maps a page that holds the
 * process's own data: present, anonymous (pagemap bit 61 clear) and not
 * the shared zero page, which a read fault maps and which holds nothing.
 * Its PFN (0 without CAP_SYS_ADMIN) goes to @pfn.
 */
KC_HIDDEN bool kc_pagemap_data_page(const struct kc_pagemap *pm,
				    uint64_t entry, uint64_t *pfn);

/* pread() that retries on EINTR; bytes read or -errno. */
KC_HIDDEN ssize_t kc_pread_full(int fd, void *buf, size_t len, off_t off);

#endif /* KC_PAGEMAP_H */
