/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 2 MiB windows: which VMAs qualify, where their aligned windows lie, and
 * what a window holds before anyone tries to collapse it.
 */
#ifndef _KCOLLAPSE_WINDOW_H
#define _KCOLLAPSE_WINDOW_H

#include <linux/bits.h>
#include <linux/mm_types.h>
#include <linux/types.h>
#include <common/kcollapse_rules.h>

#define KC_WINDOW_SHIFT	21
#define KC_WINDOW_SIZE	BIT(KC_WINDOW_SHIFT)
#define KC_WINDOW_MASK	(~(KC_WINDOW_SIZE - 1))
#define KC_WINDOW_PAGES	(KC_WINDOW_SIZE >> 12)

struct kc_frame_set;

bool kc_vma_flags_eligible(unsigned long vm_flags, bool anonymous);
bool kc_vma_eligible(const struct vm_area_struct *vma);

/*
 * The process opted out of transparent hugepages for @vma: VM_NOHUGEPAGE,
 * or PR_SET_THP_DISABLE for the whole mm. Collapse mode leaves it alone.
 */
bool kc_vma_thp_opted_out(const struct vm_area_struct *vma);

/* Number of whole 2 MiB-aligned windows inside [@from, @to). */
unsigned long kc_windows_in(unsigned long from, unsigned long to);

/*
 * First 2 MiB-aligned window at or after @start that ends at or before @end,
 * or 0 if there is none. Window addresses are never 0: page 0 is unmappable.
 */
unsigned long kc_first_window(unsigned long start, unsigned long end);

/* End of the PMD-sized span that starts at @addr, clamped to @end. */
unsigned long kc_span_end(unsigned long addr, unsigned long end);

/*
 * Read the page tables for [@start, @end), which must lie inside one PMD
 * and inside @vma, with mmap_read_lock held. If @frames is not NULL, the
 * 2 MiB physical frames of every present page are added to it; returns
 * -ENOMEM if that fails, else 0.
 */
int kc_scan_span(struct vm_area_struct *vma, unsigned long start,
		 unsigned long end, struct kc_window_scan *scan,
		 struct kc_frame_set *frames);

#endif /* _KCOLLAPSE_WINDOW_H */
