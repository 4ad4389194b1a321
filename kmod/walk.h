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

#endif /* _KCOLLAPSE_WALK_H */
