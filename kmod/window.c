// SPDX-License-Identifier: GPL-2.0
#include <linux/bitmap.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <kunit/visibility.h>
#include "compat.h"
#include "frames.h"
#include "window.h"

/*
 * Private, anonymous, readable and writable: what a heap (brk or the plain
 * anonymous arenas of a Go runtime) looks like. Shared, special and hugetlb
 * memory is never touched; neither are stacks, whose guard gap moves with
 * them. A THP opt-out (VM_NOHUGEPAGE) does not make memory ineligible: it
 * only keeps collapse mode away (kc_vma_thp_opted_out()); pack makes no
 * hugepage.
 */
#define KC_VM_EXCLUDED (VM_SHARED | VM_MAYSHARE | VM_IO | VM_PFNMAP | \
			VM_MIXEDMAP | VM_HUGETLB | \
			VM_GROWSDOWN | VM_GROWSUP | VM_DONTEXPAND)

bool kc_vma_flags_eligible(unsigned long vm_flags, bool anonymous)
{
	if (!anonymous || (vm_flags & KC_VM_EXCLUDED))
		return false;
	return (vm_flags & (VM_READ | VM_WRITE)) == (VM_READ | VM_WRITE);
}
EXPORT_SYMBOL_IF_KUNIT(kc_vma_flags_eligible);

bool kc_vma_eligible(const struct vm_area_struct *vma)
{
	return kc_vma_flags_eligible(vma->vm_flags,
				     !vma->vm_ops && !vma->vm_file);
}

bool kc_vma_thp_opted_out(const struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_NOHUGEPAGE) ||
	       kc_mm_thp_disabled(vma->vm_mm);
}

unsigned long kc_windows_in(unsigned long from, unsigned long to)
{
	unsigned long win = kc_first_window(from, to);

	return win ? ((to - win) >> KC_WINDOW_SHIFT) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(kc_windows_in);

unsigned long kc_first_window(unsigned long start, unsigned long end)
{
	unsigned long win;

	if (start > ULONG_MAX - (KC_WINDOW_SIZE - 1))
		return 0;
	win = (start + KC_WINDOW_SIZE - 1) & KC_WINDOW_MASK;
	if (win < start || win > end || end - win < KC_WINDOW_SIZE)
		return 0;
	return win;
}
EXPORT_SYMBOL_IF_KUNIT(kc_first_window);

unsigned long kc_span_end(unsigned long addr, unsigned long end)
{
	unsigned long next = (addr & KC_WINDOW_MASK) + KC_WINDOW_SIZE;

	/* next wraps to 0 at the top of the address space */
	if (next < addr || next > end)
		return end;
	return next;
}
EXPORT_SYMBOL_IF_KUNIT(kc_span_end);

/*
 * PTEs read per read-side section (kc_pte_map()): the frames of the pages
 * found are added to the set after it, as adding may allocate.
 */
#define KC_SCAN_CHUNK	64

/*
 * Read the PTEs of [@start, @end) into @scan and their frames into
 * @frames. Returns 0 or -ENOMEM; a table that changed under the read makes
 * the span unstable, counted as far as it was read.
 */
static int kc_scan_ptes(pmd_t *pmd, pmd_t pmdval, unsigned long start,
			unsigned long end, struct kc_window_scan *scan,
			struct kc_frame_set *frames)
{
	unsigned long pfns[KC_SCAN_CHUNK];
	DECLARE_BITMAP(young, KC_SCAN_CHUNK);
	unsigned long addr, next;
	unsigned int i, n;
	const pte_t *pte;
	bool same;
	int err;

	for (addr = start; addr < end; addr = next) {
		next = min(end, addr + KC_SCAN_CHUNK * PAGE_SIZE);
		n = 0;
		pte = kc_pte_map(pmd, pmdval, addr);
		for (i = 0; pte && i < (next - addr) >> PAGE_SHIFT; i++) {
			pte_t val = READ_ONCE(pte[i]);

			if (!pte_present(val) || is_zero_pfn(pte_pfn(val)))
				continue;
			__assign_bit(n, young, pte_young(val));
			pfns[n++] = pte_pfn(val);
		}
		same = kc_pte_unmap(pmd, pmdval);
		if (!pte || !same) {
			scan->unstable = true;
			return 0;
		}
		scan->present += n;
		for (i = 0; frames && i < n; i++) {
			err = kc_frames_add(frames, pfns[i], PAGE_SIZE,
					    test_bit(i, young));
			if (err)
				return err;
		}
	}
	return 0;
}

int kc_scan_span(struct vm_area_struct *vma, unsigned long start,
		 unsigned long end, struct kc_window_scan *scan,
		 struct kc_frame_set *frames)
{
	pmd_t *pmd;
	pmd_t pmdval;

	memset(scan, 0, sizeof(*scan));
	kc_assert_mmap_locked(vma->vm_mm);
	/* No anon_vma: nothing was ever faulted in here. */
	if (!vma->anon_vma)
		return 0;
	pmd = kc_pmd_lookup(vma->vm_mm, start);
	if (!pmd)
		return 0;
	pmdval = READ_ONCE(*pmd);
	if (pmd_none(pmdval))
		return 0;
	/* a migration entry: the PMD is being changed under us */
	if (!pmd_present(pmdval)) {
		scan->unstable = true;
		return 0;
	}
	if (pmd_trans_huge(pmdval)) {
		/* a read fault in a VM_HUGEPAGE VMA: no data, nothing present */
		if (kc_pmd_huge_zero(pmdval))
			return 0;
		scan->pmd_mapped = true;
		scan->present = (end - start) >> PAGE_SHIFT;
		if (!frames)
			return 0;
		return kc_frames_add(frames, pmd_pfn(pmdval), end - start,
				     pmd_young(pmdval));
	}
	if (pmd_bad(pmdval)) {
		scan->unstable = true;
		return 0;
	}
	return kc_scan_ptes(pmd, pmdval, start, end, scan, frames);
}
