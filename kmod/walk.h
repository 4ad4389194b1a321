/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Skipping what is not there: finding the next populated PMD of an
 * address space without visiting the empty ranges above it, so that an
 * operation's cost follows the page tables, not the size of the address
 * space (a 64 TiB MAP_NORESERVE reservation holding a few pages).
 */
#ifndef _KCOLLAPSE_WALK_H
#define _KCOLLAPSE_WALK_H

#include <linux/mm_types.h>
#include <linux/types.h>

/*
 * With mmap_read_lock(@mm) held: advance *@addr to the first address in
 * [*@addr, @end) whose PMD entry is not none and return true; or return
 * false with *@addr at @end, or, when *@budget (page-table entries to read,
 * one per level step) ran out first, at the point to resume from. Every
 * step either skips a whole empty pgd/p4d/pud/pmd range or finds; *@addr
 * only moves to level boundaries (or @end), never past a populated PMD.
 */
bool kc_walk_next_pmd(struct mm_struct *mm, unsigned long *addr,
		      unsigned long end, unsigned int *budget);

/*
 * The populated PMD spans an operation's first walk found, as a sorted
 * array (the walk finds them in address order, so recording one is an
 * append and finding the next one a binary search; a radix tree keyed by
 * address would cost a node per few spans far apart, that is per span in
 * the sparse reservations this is for), so that its
 * later passes (the mode's, the measurement after) visit them without
 * reading the empty rest of the upper tables again: with a few pages
 * spread over a huge sparse reservation, those reads are most of the cost
 * of a pass. A span populated after the first walk is not visited: the
 * operation works on, and measures after, the memory it found.
 */
struct kc_spans {
	unsigned long *pmd;	/* PMD-aligned span starts, ascending */
	unsigned long nr;	/* entries used */
	unsigned long cap;	/* entries allocated */
};

void kc_spans_init(struct kc_spans *sp);
void kc_spans_destroy(struct kc_spans *sp);

/* Record the span holding @addr; 0 or -ENOMEM. May sleep. */
int kc_spans_add(struct kc_spans *sp, unsigned long addr);

/* kc_walk_next_pmd(), answered from @sp instead of the page tables. */
bool kc_spans_next(struct kc_spans *sp, unsigned long *addr,
		   unsigned long end, unsigned int *budget);

#endif /* _KCOLLAPSE_WALK_H */
