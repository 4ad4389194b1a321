// SPDX-License-Identifier: MIT
/*
 * /proc/PID/pagemap: opening, reading and decoding entries.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pagemap.h"

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
	if (pm->fd >= 0)
		return 0;
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
