// SPDX-License-Identifier: MIT
/*
 * /proc/PID/pagemap: opening, reading and decoding entries.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pagemap.h"

/* struct pm_scan_arg of <linux/fs.h>, Linux 6.7+. */
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

ssize_t kc_pread_full(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, off);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/*
 * The PFN of the shared zero page, learnt by read-faulting one page of our
 * own: pagemap reports zero-page PTEs as present anonymous memory, but
 * they hold no data (the collapse path counts them as empty). The page
 * must not read as exclusively mapped, or it is a real page (zero page
 * disabled) and must not be used. 0 if unknown.
 */
static uint64_t kc_zero_pfn(uint64_t page_size)
{
	volatile const char *p;
	uint64_t e = 0, pfn = 0;
	void *map;
	int fd;

	map = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (map == MAP_FAILED)
		return 0;
	p = map;
	(void)*p;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (kc_pread_full(fd, &e, sizeof(e),
				  (off_t)((uintptr_t)map / page_size *
					  sizeof(e))) == (ssize_t)sizeof(e) &&
		    (e & KC_PM_PRESENT) && !(e & KC_PM_EXCLUSIVE))
			pfn = e & KC_PM_PFN_MASK;
		close(fd);
	}
	munmap(map, page_size);
	return pfn;
}

static long kc_scan_ioctl(int fd, struct kc_pm_scan_arg *arg)
{
	long r;

	do
		r = ioctl(fd, KC_PAGEMAP_SCAN, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

/* An empty range: does the kernel know the ioctl at all? */
static bool kc_scan_probe(const struct kc_pagemap *pm)
{
	const char *no_scan = secure_getenv(KC_HUGE_NO_SCAN_ENV);
	struct kc_pm_scan_arg arg = { .size = sizeof(arg) };

	if (no_scan && !strcmp(no_scan, "1"))
		return false;
	return kc_scan_ioctl(pm->fd, &arg) >= 0;
}

long kc_pagemap_scan(const struct kc_pagemap *pm, uint64_t start,
		     uint64_t end, const struct kc_scan_query *q,
		     struct kc_page_region *vec, size_t n, uint64_t *walk_end)
{
	struct kc_pm_scan_arg arg = {
		.size = sizeof(arg),
		.start = start,
		.end = end,
		.vec = (uint64_t)(uintptr_t)vec,
		.vec_len = n,
		.max_pages = q->max_pages,
		.category_inverted = q->category_inverted,
		.category_mask = q->category_mask,
		.category_anyof_mask = q->category_anyof_mask,
		.return_mask = q->return_mask,
	};
	long r = kc_scan_ioctl(pm->fd, &arg);
	uint64_t e;
	ssize_t got;

	if (r < 0) {
		kc_set_error(NULL, "PAGEMAP_SCAN on /proc/%d/pagemap: %s",
			     (int)pm->pid, strerror((int)-r));
		return r;
	}
	/*
	 * The ioctl walks an exited process's torn-down address space and
	 * finds nothing; a read refuses it. Alive now: alive during the walk.
	 */
	got = start < end ? kc_pagemap_read(pm, start, &e, 1) : 1;
	if (got < 0)
		return got;
	if (walk_end)
		*walk_end = arg.walk_end;
	return r;
}

long kc_pagemap_runs(const struct kc_pagemap *pm, uint64_t addr,
		     uint64_t end, struct kc_page_region *runs, size_t n,
		     uint64_t max_pages, uint64_t *next)
{
	static const struct kc_scan_query data = {
		.category_mask = KC_PAGE_IS_PFNZERO,
		.category_inverted = KC_PAGE_IS_PFNZERO,
		.category_anyof_mask = KC_PAGE_IS_PRESENT | KC_PAGE_IS_SWAPPED,
		.return_mask = KC_PAGE_IS_PRESENT | KC_PAGE_IS_SWAPPED,
	};
	struct kc_scan_query q = data;
	uint64_t span = (end - addr) / pm->page_size;
	long r;

	if (!pm->scan) {
		span = span < max_pages ? span : max_pages;
		runs[0] = (struct kc_page_region){
			addr, addr + span * pm->page_size, 0 };
		*next = runs[0].end;
		return 1;
	}
	q.max_pages = max_pages;
	r = kc_pagemap_scan(pm, addr, end, &q, runs, n, next);
	if (r >= 0 && *next <= addr) {
		/* A walk that did not move would never end. */
		kc_set_error(NULL, "PAGEMAP_SCAN on /proc/%d/pagemap did not "
			     "advance past 0x%llx", (int)pm->pid,
			     (unsigned long long)addr);
		return -EIO;
	}
	return r;
}

int kc_pagemap_open(struct kc_pagemap *pm, pid_t pid)
{
	char path[64];
	long ps;

	memset(pm, 0, sizeof(*pm));
	pm->pid = pid;
	ps = sysconf(_SC_PAGESIZE);
	pm->page_size = ps > 0 ? (uint64_t)ps : 4096;
	while ((pm->page_size << pm->frame_shift) < KC_WINDOW_SIZE)
		pm->frame_shift++;
	pm->window_pages = (unsigned int)(KC_WINDOW_SIZE / pm->page_size);
	pm->zero_pfn = kc_zero_pfn(pm->page_size);

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	pm->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pm->fd >= 0) {
		pm->scan = kc_scan_probe(pm);
		return 0;
	}
	if (errno == ENOENT) {
		kc_set_error(NULL, "no such process: %d", (int)pid);
		return -ESRCH;
	}
	kc_set_error(NULL, "cannot open %s: %s", path, strerror(errno));
	return -errno;
}

void kc_pagemap_close(struct kc_pagemap *pm)
{
	if (pm->fd >= 0)
		close(pm->fd);
	pm->fd = -1;
}

ssize_t kc_pagemap_read(const struct kc_pagemap *pm, uint64_t addr,
			uint64_t *buf, size_t n)
{
	ssize_t got;

	got = kc_pread_full(pm->fd, buf, n * sizeof(*buf),
			    (off_t)(addr / pm->page_size * sizeof(*buf)));
	if (got == -ESRCH || (got >= 0 && (size_t)got < sizeof(*buf) && n)) {
		/* A reader of a dead process's pagemap gets 0 bytes. */
		kc_set_error(NULL, "process %d exited", (int)pm->pid);
		return -ESRCH;
	}
	if (got < 0) {
		kc_set_error(NULL, "cannot read /proc/%d/pagemap: %s",
			     (int)pm->pid, strerror((int)-got));
		return got;
	}
	return got / (ssize_t)sizeof(*buf);
}

bool kc_pagemap_data_page(const struct kc_pagemap *pm, uint64_t entry,
			  uint64_t *pfn)
{
	if (!(entry & KC_PM_PRESENT) || (entry & KC_PM_FILE_OR_SHARED))
		return false;
	*pfn = entry & KC_PM_PFN_MASK;
	/* Read faults map the zero page: no data, no frame. */
	return !(*pfn && *pfn == pm->zero_pfn);
}
