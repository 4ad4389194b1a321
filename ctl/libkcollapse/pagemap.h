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

struct kc_pagemap {
	pid_t pid;
	int fd;
	uint64_t page_size;
	unsigned int frame_shift;	/* pfn >> frame_shift = 2 MiB frame */
	unsigned int window_pages;	/* pages per 2 MiB window */
	uint64_t zero_pfn;		/* the shared zero page, 0 if unknown */
};

/*
 * kc_pagemap_open() - open /proc/@pid/pagemap and learn the page size and
 * the zero page's PFN. Returns 0, -ESRCH (no such process) or -errno, with
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
