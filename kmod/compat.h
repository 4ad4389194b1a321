/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything that differs between the kernels kcollapse supports, and every
 * route to a function the kernel does not export, lives behind this header.
 * The rest of the module reads like ordinary kernel code.
 */
#ifndef _KCOLLAPSE_COMPAT_H
#define _KCOLLAPSE_COMPAT_H

#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/types.h>

/* The kernel function collapses go through (see compat.c for why). */
#define KC_ENGINE_SYMBOL "do_madvise"

/* Resolve the collapse entry point; never fails the module load. */
void kc_engine_init(bool assume_ibt);
bool kc_engine_available(void);
const char *kc_engine_status(void);

/*
 * do_madvise(mm, start, len, behavior) on another process's mm. Only call
 * when kc_engine_available(); returns -EOPNOTSUPP otherwise.
 */
int kc_engine_madvise(struct mm_struct *mm, unsigned long start, size_t len,
		      int behavior);

/*
 * IBT verdict on the first four bytes of an indirect-call target, split out
 * so that it can be tested on synthetic bytes.
 */
enum kc_ibt_verdict {
	KC_IBT_NOT_ENFORCED,	/* callable: the CPU does not enforce IBT */
	KC_IBT_ENDBR,		/* callable: starts with a real ENDBR64 */
	KC_IBT_NO_ENDBR,	/* not callable: sealed or never had ENDBR */
};

enum kc_ibt_verdict kc_ibt_verdict(u32 first_insn, bool enforced);

/* Bytes between a kprobe's address and its function's start (0 or 4). */
unsigned int kc_probe_skew(u32 insn_before_probe, bool ibt_built);

/*
 * Lockless read of one PMD entry and of the PTE table below it. Only valid
 * under mmap_read_lock() on a private anonymous VMA: see compat.c.
 */
pmd_t *kc_pmd_lookup(struct mm_struct *mm, unsigned long addr);

/*
 * mmap_assert_locked() calls dump_mm() under CONFIG_DEBUG_VM, which 6.1
 * does not export; lockdep's half of it is all a module can use.
 */
#define kc_assert_mmap_locked(mm) lockdep_assert_held(&(mm)->mmap_lock)

/*
 * A lockless read of the PTE table that @pmdval, read from @pmd, points
 * to: kc_pte_map() enters the read-side section that keeps the table
 * alive on kernels that free empty PTE tables under the mmap read lock,
 * and returns the entry for @addr, or NULL if the PMD changed since
 * @pmdval was read (nothing to read then). Nothing until kc_pte_unmap()
 * may sleep. kc_pte_unmap(), called either way, ends the section and says
 * whether what was read is to be trusted: the PMD still pointed to that
 * table afterwards.
 */
const pte_t *kc_pte_map(pmd_t *pmd, pmd_t pmdval, unsigned long addr)
	__acquires(RCU);
bool kc_pte_unmap(pmd_t *pmd, pmd_t pmdval) __releases(RCU);

/*
 * A present PMD-mapped entry of a private anonymous VMA that maps the huge
 * zero page (is_huge_zero_pmd() reads a symbol modules cannot reach).
 */
bool kc_pmd_huge_zero(pmd_t pmdval);

/* prctl(PR_SET_THP_DISABLE) is in force for @mm. */
bool kc_mm_thp_disabled(const struct mm_struct *mm);

/*
 * Moving pages (pack mode) goes through the exported device-migration API,
 * migrate_vma_setup/pages/finalize() with MIGRATE_VMA_SELECT_SYSTEM, which
 * only exists with CONFIG_DEVICE_MIGRATION. Without it every call fails or
 * does nothing, and the COLLAPSE command refuses pack mode up front.
 *
 * Contract, the same on 6.1 and 6.12 (mm/migrate_device.c): with the mmap
 * lock held for reading, kc_migrate_setup() collects [start, start +
 * npages) and unmaps and locks each page it can move; kc_migrate_src()
 * gives those. For each one to move, the caller copies the contents into a
 * locked order-0 destination page holding one reference and passes it to
 * kc_migrate_set_dst(). kc_migrate_pages() moves the page metadata;
 * kc_migrate_moved() then says which succeeded. kc_migrate_finalize()
 * remaps every entry (to the new page or back to the old one) and consumes
 * the destination pages' references and locks, freeing the ones unused.
 */
#define KC_HAVE_PACK IS_ENABLED(CONFIG_DEVICE_MIGRATION)

struct kc_migrate {
#if KC_HAVE_PACK
	struct migrate_vma args;
#endif
	unsigned long npages;
};

int kc_migrate_setup(struct kc_migrate *m, struct vm_area_struct *vma,
		     unsigned long start, unsigned long npages,
		     unsigned long *src, unsigned long *dst);
struct page *kc_migrate_src(const struct kc_migrate *m, unsigned long i);
void kc_migrate_set_dst(struct kc_migrate *m, unsigned long i,
			struct page *dst);
void kc_migrate_pages(struct kc_migrate *m);
bool kc_migrate_moved(const struct kc_migrate *m, unsigned long i);
void kc_migrate_finalize(struct kc_migrate *m);

/*
 * Target access (compat.c): resolve what the checks need, once at load.
 * kc_access_mm() is @task's mm with mmget() held, as process_madvise()
 * would take it (NULL: no address space; ERR_PTR(-EACCES) or another
 * error: refused). kc_pidfd_task() is the task of the caller's pidfd @fd
 * with a reference (ERR_PTR(-EBADF) not a pidfd, -ESRCH exited,
 * -EOPNOTSUPP not callable on this kernel).
 */
void kc_access_init(void);
const char *kc_access_status(void);
struct mm_struct *kc_access_mm(struct task_struct *task);
struct task_struct *kc_pidfd_task(int fd);

/*
 * vm.compact_unevictable_allowed, read when an operation starts: whether
 * the kernel's own compaction may move mlock()ed pages, and so whether
 * pack may. False if this kernel's setting cannot be found (no
 * compaction, no kallsyms, or kallsyms_lookup_name() not callable under
 * IBT): mlock()ed memory then stays where it is. kc_unevictable_init()
 * looks the setting up once, at load.
 */
void kc_unevictable_init(void);
bool kc_unevictable_movable(void);

/*
 * The kernel's fault injection marks tasks (/proc/PID/make-it-fail). An
 * operation runs in a worker on its caller's behalf: the caller's mark
 * goes with it, so that failures injected for the caller reach the
 * allocations made for it. kc_fault_mark_swap() sets current's mark and
 * returns the one it had. Both 0 without CONFIG_FAULT_INJECTION.
 */
static inline int kc_fault_mark(void)
{
#ifdef CONFIG_FAULT_INJECTION
	return current->make_it_fail;
#else
	return 0;
#endif
}

static inline int kc_fault_mark_swap(int mark)
{
#ifdef CONFIG_FAULT_INJECTION
	int old = current->make_it_fail;

	current->make_it_fail = mark;
	return old;
#else
	return mark;
#endif
}

#endif /* _KCOLLAPSE_COMPAT_H */
