// SPDX-License-Identifier: MIT
/*
 * One window of another process, as the module's kc_scan_span() sees it.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "window.h"

int kc_window_reader_init(struct kc_window_reader *r,
			  const struct kc_pagemap *pm,
			  const struct kc_huge *huge)
{
	r->pm = pm;
	r->huge = huge;
	r->buf = calloc(pm->window_pages, sizeof(*r->buf));
	if (r->buf)
		return 0;
	return kc_oom(NULL);
}

void kc_window_reader_free(struct kc_window_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* Whether one PMD maps the window; the entries are in r->buf. */
static int kc_window_pmd(const struct kc_window_reader *r, uint64_t win,
			 bool whole_thp_trusted, struct kc_window_scan *out)
{
	int ret;

	if (r->huge->scan) {
		ret = kc_huge_pmd(r->huge, win);
		if (ret < 0)
			return ret;
		out->pmd_mapped = ret == KC_PMD_MAPPED;
		out->unstable = ret == KC_PMD_MIGRATING;
		return 0;
	}
	ret = kc_huge_shape(r->huge, r->buf);
	if (ret < 0)
		return ret;
	/* The huge zero page's entries are not data pages: empty. */
	out->pmd_mapped = ret == KC_SHAPE_THP && whole_thp_trusted;
	return 0;
}

int kc_window_read(const struct kc_window_reader *r, uint64_t win,
		   bool whole_thp_trusted, struct kc_window_scan *out)
{
	const struct kc_pagemap *pm = r->pm;
	unsigned int i;
	ssize_t got;
	int err;

	memset(out, 0, sizeof(*out));
	got = kc_pagemap_read(pm, win, r->buf, pm->window_pages);
	if (got < 0)
		return (int)got;
	/* Past the end of the address space: nothing there. */
	memset(r->buf + got, 0, (pm->window_pages - (size_t)got) *
	       sizeof(*r->buf));
	err = kc_window_pmd(r, win, whole_thp_trusted, out);
	if (err < 0)
		return err;
	if (out->pmd_mapped) {
		/* Like the module: a PMD-mapped window is all present. */
		out->present = pm->window_pages;
		return 0;
	}
	for (i = 0; i < pm->window_pages; i++) {
		uint64_t pfn;

		if (kc_pagemap_data_page(pm, r->buf[i], &pfn))
			out->present++;
	}
	return 0;
}
