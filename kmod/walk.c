// SPDX-License-Identifier: GPL-2.0
/*
 * The upper page-table levels are read without their locks, one READ_ONCE
 * per entry, as kc_pmd_lookup() and the lockless GUP walk do. Under
 * mmap_read_lock() the tables holding p4d, pud and pmd entries of user
 * memory are not freed (free_pgtables() needs the write lock, or an mm
 * nobody uses any more, and the caller holds mmget()); an entry may turn
 * from none to populated meanwhile, which only means a page faulted in
 * after we looked, as it could a moment later.
 */
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/build_bug.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>
#include "walk.h"

/* The level's entry for @addr is worth descending into. */
static bool kc_walk_pgd(pgd_t val)
{
	return !pgd_none(val) && !pgd_bad(val);
}

static bool kc_walk_p4d(p4d_t val)
{
	return !p4d_none(val) && !p4d_bad(val);
}

static bool kc_walk_pud(pud_t val)
{
	/* a PUD-sized leaf is never private anonymous memory */
	return !pud_none(val) && pud_present(val) && !pud_leaf(val);
}

/*
 * Index of the first entry of @tbl in [@from, @n) that is not zero, or @n.
 * Eight entries per test: most tables met here are nearly empty (a
 * reservation of terabytes holding a few pages), and under TCG a test and
 * branch per entry costs as much as the load.
 */
static unsigned long kc_table_next(const unsigned long *tbl,
				   unsigned long from, unsigned long n)
{
	unsigned long i = from;

	for (; i < n && (i & 7); i++)
		if (tbl[i])
			return i;
	for (; i + 8 <= n; i += 8)
		if (tbl[i] | tbl[i + 1] | tbl[i + 2] | tbl[i + 3] |
		    tbl[i + 4] | tbl[i + 5] | tbl[i + 6] | tbl[i + 7])
			break;
	for (; i < n; i++)
		if (tbl[i])
			return i;
	return n;
}

/*
 * From @a, whose entry @entry (in a table of @ptrs entries each mapping
 * 1 << @shift bytes) is none: the start of the next entry of the same
 * table that is not all zeroes, or of the next table, clamped to @end. A
 * non-zero entry that still reads as none is only skipped by the next
 * step.
 */
static unsigned long kc_walk_skip(const void *entry, unsigned long a,
				  unsigned long end, unsigned int shift,
				  unsigned long ptrs)
{
	unsigned long idx = (a >> shift) & (ptrs - 1);
	const unsigned long *tbl = (const unsigned long *)entry - idx;
	unsigned long n = kc_table_next(tbl, idx + 1, ptrs) - idx;
	unsigned long next = ((a >> shift) + n) << shift;

	return next <= a || next > end ? end : next;
}

bool kc_walk_next_pmd(struct mm_struct *mm, unsigned long *addr,
		      unsigned long end, unsigned int *budget)
{
	unsigned long a = *addr;
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;
	bool found = false;

	/* kc_walk_skip() reads the tables as arrays of unsigned long */
	BUILD_BUG_ON(sizeof(pgd_t) != sizeof(unsigned long) ||
		     sizeof(pud_t) != sizeof(unsigned long) ||
		     sizeof(pmd_t) != sizeof(unsigned long));
	while (a < end && *budget) {
		(*budget)--;
		pgd = pgd_offset(mm, a);
		if (!kc_walk_pgd(READ_ONCE(*pgd))) {
			a = kc_walk_skip(pgd, a, end, PGDIR_SHIFT,
					 PTRS_PER_PGD);
			continue;
		}
		p4d = p4d_offset(pgd, a);
		if (!kc_walk_p4d(READ_ONCE(*p4d))) {
			a = p4d_addr_end(a, end);
			continue;
		}
		pud = pud_offset(p4d, a);
		if (!kc_walk_pud(READ_ONCE(*pud))) {
			a = kc_walk_skip(pud, a, end, PUD_SHIFT,
					 PTRS_PER_PUD);
			continue;
		}
		pmd = pmd_offset(pud, a);
		if (pmd_none(READ_ONCE(*pmd))) {
			a = kc_walk_skip(pmd, a, end, PMD_SHIFT,
					 PTRS_PER_PMD);
			continue;
		}
		found = true;
		break;
	}
	*addr = a;
	return found;
}

void kc_spans_init(struct kc_spans *sp)
{
	sp->pmd = NULL;
	sp->nr = 0;
	sp->cap = 0;
}
EXPORT_SYMBOL_IF_KUNIT(kc_spans_init);

void kc_spans_destroy(struct kc_spans *sp)
{
	kvfree(sp->pmd);
	kc_spans_init(sp);
}
EXPORT_SYMBOL_IF_KUNIT(kc_spans_destroy);

/* Index of the first span that ends after @addr, or sp->nr. */
static unsigned long kc_spans_find(const struct kc_spans *sp,
				   unsigned long addr)
{
	unsigned long lo = 0, hi = sp->nr, mid;

	addr &= PMD_MASK;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sp->pmd[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int kc_spans_grow(struct kc_spans *sp)
{
	unsigned long cap = max(sp->cap * 2, PAGE_SIZE / sizeof(*sp->pmd));
	unsigned long *pmd;

	pmd = kvmalloc_array(cap, sizeof(*pmd), GFP_KERNEL_ACCOUNT);
	if (!pmd)
		return -ENOMEM;
	if (sp->nr)
		memcpy(pmd, sp->pmd, sp->nr * sizeof(*pmd));
	kvfree(sp->pmd);
	sp->pmd = pmd;
	sp->cap = cap;
	return 0;
}

int kc_spans_add(struct kc_spans *sp, unsigned long addr)
{
	unsigned long i;
	int err;

	addr &= PMD_MASK;
	/* in address order, as a walk finds them: an append */
	i = sp->nr && sp->pmd[sp->nr - 1] >= addr ? kc_spans_find(sp, addr)
						   : sp->nr;
	if (i < sp->nr && sp->pmd[i] == addr)
		return 0;
	if (sp->nr == sp->cap) {
		err = kc_spans_grow(sp);
		if (err)
			return err;
	}
	memmove(&sp->pmd[i + 1], &sp->pmd[i], (sp->nr - i) * sizeof(*sp->pmd));
	sp->pmd[i] = addr;
	sp->nr++;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kc_spans_add);

bool kc_spans_next(struct kc_spans *sp, unsigned long *addr,
		   unsigned long end, unsigned int *budget)
{
	unsigned long i = kc_spans_find(sp, *addr);

	*budget -= min(*budget, 1U);
	if (*addr < end && i < sp->nr && sp->pmd[i] < end) {
		*addr = max(*addr, sp->pmd[i]);
		return true;
	}
	*addr = end;
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(kc_spans_next);
