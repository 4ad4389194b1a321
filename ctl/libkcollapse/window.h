/* SPDX-License-Identifier: MIT */
/*
 * Reading one 2 MiB window of another process: its present pages from
 * /proc/PID/pagemap and whether one PMD maps it (huge.h).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KC_WINDOW_H
#define KC_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "classify.h"
#include "huge.h"
#include "pagemap.h"

struct kc_window_reader {
	const struct kc_pagemap *pm;
	const struct kc_huge *huge;
	uint64_t *buf;		/* pm->window_pages entries */
};

/* 0 or -ENOMEM. */
KC_HIDDEN int kc_window_reader_init(struct kc_window_reader *r,
				    const struct kc_pagemap *pm,
				    const struct kc_huge *huge);
KC_HIDDEN void kc_window_reader_free(struct kc_window_reader *r);

/*
 * kc_window_read() - scan the window at @win. @whole_thp_trusted: without
 * PAGEMAP_SCAN, whether a whole THP mapped in order in this mapping may be
 * taken for PMD-mapped (kc_huge_vma_trusted()). Returns 0 or -errno
 * (-ESRCH: the process exited).
 */
KC_HIDDEN int kc_window_read(const struct kc_window_reader *r, uint64_t win,
			     bool whole_thp_trusted, struct kc_window_scan *out);

#endif /* KC_WINDOW_H */
