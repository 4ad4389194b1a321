/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything that differs between the kernels kcollapse supports, and every
 * route to a function the kernel does not export, lives behind this header.
 * The rest of the module reads like ordinary kernel code.
 */
#ifndef _KCOLLAPSE_COMPAT_H
#define _KCOLLAPSE_COMPAT_H

#include <linux/mm.h>
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
pte_t *kc_pte_table(pmd_t pmdval, unsigned long addr);

#endif /* _KCOLLAPSE_COMPAT_H */
