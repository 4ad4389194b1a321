// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-version and symbol differences, kept in one place.
 *
 * The collapse path is do_madvise(mm, start, len, MADV_COLLAPSE): it has the
 * same signature on every supported kernel (6.1 to 6.18), takes the target's
 * mmap lock itself, only uses the mm it is given, and absorbs the
 * madvise_collapse() signature change of 6.17 and that function's habit of
 * dropping the lock. It is not exported, so its address comes from a kprobe
 * lookup, done once at load time.
 *
 * With CONFIG_X86_KERNEL_IBT the kernel seals (overwrites the ENDBR of)
 * every function whose address is never taken; do_madvise is one of them. An
 * indirect call into it on a CPU that enforces IBT is a #CP and a kernel BUG.
 * So before the first call we look at the function's first instruction and
 * refuse to use it unless IBT is not enforced or a real ENDBR64 is there.
 *
 * Built into the kernel (CONFIG_KCOLLAPSE=y, scripts/kernel-tree.sh) none
 * of that applies: do_madvise() is declared in <linux/mm.h> and linked
 * like any other kernel function, and a direct call needs no ENDBR. The
 * engine is then always available and assume_ibt changes nothing.
 */
#include <linux/capability.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/pid.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <kunit/visibility.h>
#include "compat.h"

/* endbr64 is f3 0f 1e fa; read as a little-endian u32. */
#define KC_ENDBR64		0xfa1e0ff3U
/* What apply_seal_endbr() writes over ENDBR: 6.1..6.12, then 6.13+. */
#define KC_ENDBR_POISON_OSP	0x001f0f66U
#define KC_ENDBR_POISON_NOPL	0xd6401f0fU

enum kc_ibt_verdict kc_ibt_verdict(u32 first_insn, bool enforced)
{
	if (!enforced)
		return KC_IBT_NOT_ENFORCED;
	return first_insn == KC_ENDBR64 ? KC_IBT_ENDBR : KC_IBT_NO_ENDBR;
}
EXPORT_SYMBOL_IF_KUNIT(kc_ibt_verdict);

/*
 * kprobes places a probe on a function's entry past its ENDBR, sealed or
 * not, so kp.addr may be symbol + 4: only on kernels built with IBT.
 */
unsigned int kc_probe_skew(u32 insn_before_probe, bool ibt_built)
{
	if (!ibt_built)
		return 0;
	switch (insn_before_probe) {
	case KC_ENDBR64:
	case KC_ENDBR_POISON_OSP:
	case KC_ENDBR_POISON_NOPL:
		return 4;
	default:
		return 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(kc_probe_skew);

#ifdef MODULE
typedef int (*kc_do_madvise_t)(struct mm_struct *mm, unsigned long start,
			       size_t len, int behavior);

#define KC_NO_ENDBR(why) \
	"unavailable: " why " and " KC_ENGINE_SYMBOL " has no ENDBR64"

static kc_do_madvise_t kc_do_madvise;
static const char *kc_status = "not resolved";

static void *kc_function_start(void *probe_addr)
{
	u32 insn;

	if (copy_from_kernel_nofault(&insn, (u8 *)probe_addr - 4, sizeof(insn)))
		return probe_addr;
	return (u8 *)probe_addr -
	       kc_probe_skew(insn, IS_ENABLED(CONFIG_X86_KERNEL_IBT));
}

static void *kc_lookup(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	void *addr;

	if (register_kprobe(&kp) < 0)
		return NULL;
	addr = kp.addr;
	unregister_kprobe(&kp);
	return addr ? kc_function_start(addr) : NULL;
}

void kc_engine_init(bool assume_ibt)
{
	bool enforced = assume_ibt || cpu_feature_enabled(X86_FEATURE_IBT);
	void *fn = kc_lookup(KC_ENGINE_SYMBOL);
	const char *status;
	u32 insn;

	if (!fn) {
		status = KC_ENGINE_SYMBOL " not found (kprobes unavailable?)";
	} else if (copy_from_kernel_nofault(&insn, fn, sizeof(insn))) {
		status = KC_ENGINE_SYMBOL " text unreadable";
		fn = NULL;
	} else {
		switch (kc_ibt_verdict(insn, enforced)) {
		case KC_IBT_NOT_ENFORCED:
			status = "ok (IBT not enforced)";
			break;
		case KC_IBT_ENDBR:
			status = "ok (IBT enforced, target has ENDBR64)";
			break;
		default:
			status = assume_ibt ?
				 KC_NO_ENDBR("IBT assumed (testing aid)") :
				 KC_NO_ENDBR("IBT enforced");
			pr_warn("%s; collapse disabled, dry runs still work\n",
				status);
			fn = NULL;
		}
	}
	/* Called again by the assume_ibt testing aid while operations run. */
	WRITE_ONCE(kc_status, status);
	WRITE_ONCE(kc_do_madvise, fn);
}

bool kc_engine_available(void)
{
	return READ_ONCE(kc_do_madvise);
}

const char *kc_engine_status(void)
{
	return READ_ONCE(kc_status);
}

int kc_engine_madvise(struct mm_struct *mm, unsigned long start, size_t len,
		      int behavior)
{
	kc_do_madvise_t fn = READ_ONCE(kc_do_madvise);

	if (!fn)
		return -EOPNOTSUPP;
	return fn(mm, start, len, behavior);
}
#else /* built in: a direct call, which IBT does not check */
void kc_engine_init(bool assume_ibt)
{
}

bool kc_engine_available(void)
{
	return true;
}

const char *kc_engine_status(void)
{
	return "ok (built in, direct call)";
}

int kc_engine_madvise(struct mm_struct *mm, unsigned long start, size_t len,
		      int behavior)
{
	return do_madvise(mm, start, len, behavior);
}
#endif

/*
 * Page-table reads. __pte_offset_map() and pte_offset_map_nolock() are not
 * exported on 6.12, so we read the tables the way the lockless GUP walk
 * does: one READ_ONCE per level, then index the PTE page directly, valid
 * under mmap_read_lock() on a private anonymous VMA. PGD, P4D, PUD and PMD
 * tables of such a VMA are freed only under the mmap write lock (munmap,
 * or an mm nobody uses any more), so the upper levels need nothing more.
 * A PTE table is different: since 6.14 an empty one may be freed after
 * MADV_DONTNEED under the read lock (or a per-VMA lock), RCU-deferred.
 * Hence, as __pte_offset_map() and the GUP-fast walk do, each PTE-table
 * read is an RCU read-side section that starts by checking that the PMD
 * still points to the table (so it cannot have been freed before the
 * section began) and ends by checking it again (entries read from a table
 * detached meanwhile are thrown away). Where tables are never freed under
 * the read lock this costs two loads per read.
 */
pmd_t *kc_pmd_lookup(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;
	pud_t pudval;

	if (pgd_none(READ_ONCE(*pgd)) || pgd_bad(READ_ONCE(*pgd)))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(READ_ONCE(*p4d)) || p4d_bad(READ_ONCE(*p4d)))
		return NULL;
	pud = pud_offset(p4d, addr);
	pudval = READ_ONCE(*pud);
	if (pud_none(pudval) || !pud_present(pudval) || pud_leaf(pudval))
		return NULL;
	return pmd_offset(pud, addr);
}

const pte_t *kc_pte_map(pmd_t *pmd, pmd_t pmdval, unsigned long addr)
{
	rcu_read_lock();
	if (!pmd_same(READ_ONCE(*pmd), pmdval))
		return NULL;
	return (const pte_t *)pmd_page_vaddr(pmdval) + pte_index(addr);
}

bool kc_pte_unmap(pmd_t *pmd, pmd_t pmdval)
{
	bool same = pmd_same(READ_ONCE(*pmd), pmdval);

	rcu_read_unlock();
	return same;
}

/*
 * In a private anonymous VMA a PMD maps either an anonymous THP or the huge
 * zero page, which is not anonymous.
 */
bool kc_pmd_huge_zero(pmd_t pmdval)
{
	return !PageAnon(pmd_page(pmdval));
}

/*
 * Since mm->flags became an mm_flags_t (read through mm_flags_test()),
 * PR_SET_THP_DISABLE sets MMF_DISABLE_THP_COMPLETELY, or with
 * PR_THP_DISABLE_EXCEPT_ADVISED MMF_DISABLE_THP_EXCEPT_ADVISED, which does
 * not stop MADV_COLLAPSE (vma_thp_disabled(): a forced collapse is advice):
 * only the first is an opt-out the collapse must respect.
 */
bool kc_mm_thp_disabled(const struct mm_struct *mm)
{
#ifdef MMF_DISABLE_THP_COMPLETELY
	return mm_flags_test(MMF_DISABLE_THP_COMPLETELY, mm);
#else
	return test_bit(MMF_DISABLE_THP, &mm->flags);
#endif
}

#if KC_HAVE_PACK
int kc_migrate_setup(struct kc_migrate *m, struct vm_area_struct *vma,
		     unsigned long start, unsigned long npages,
		     unsigned long *src, unsigned long *dst)
{
	int err;

	memset(&m->args, 0, sizeof(m->args));
	m->args.vma = vma;
	m->args.start = start;
	m->args.end = start + (npages << PAGE_SHIFT);
	m->args.src = src;
	m->args.dst = dst;
	m->args.flags = MIGRATE_VMA_SELECT_SYSTEM;
	memset(dst, 0, npages * sizeof(*dst));
	m->npages = 0;
	err = migrate_vma_setup(&m->args);
	if (!err)
		m->npages = m->args.npages;
	return err;
}

struct page *kc_migrate_src(const struct kc_migrate *m, unsigned long i)
{
	unsigned long mpfn = m->args.src[i];

	if (i >= m->npages || !(mpfn & MIGRATE_PFN_MIGRATE))
		return NULL;
	return migrate_pfn_to_page(mpfn);
}

void kc_migrate_set_dst(struct kc_migrate *m, unsigned long i,
			struct page *dst)
{
	m->args.dst[i] = migrate_pfn(page_to_pfn(dst));
}

void kc_migrate_pages(struct kc_migrate *m)
{
	migrate_vma_pages(&m->args);
}

bool kc_migrate_moved(const struct kc_migrate *m, unsigned long i)
{
	return i < m->npages && m->args.dst[i] &&
	       (m->args.src[i] & MIGRATE_PFN_MIGRATE);
}

void kc_migrate_finalize(struct kc_migrate *m)
{
	migrate_vma_finalize(&m->args);
}
#else
int kc_migrate_setup(struct kc_migrate *m, struct vm_area_struct *vma,
		     unsigned long start, unsigned long npages,
		     unsigned long *src, unsigned long *dst)
{
	m->npages = 0;
	return -EOPNOTSUPP;
}

struct page *kc_migrate_src(const struct kc_migrate *m, unsigned long i)
{
	return NULL;
}

void kc_migrate_set_dst(struct kc_migrate *m, unsigned long i,
			struct page *dst)
{
}

void kc_migrate_pages(struct kc_migrate *m)
{
}

bool kc_migrate_moved(const struct kc_migrate *m, unsigned long i)
{
	return false;
}

void kc_migrate_finalize(struct kc_migrate *m)
{
}
#endif

/*
 * Target access. process_madvise() takes its target's mm with
 * mm_access(task, PTRACE_MODE_READ_FSCREDS), so that the ptrace rules,
 * Yama and the other LSMs decide, and a pidfd's task with
 * pidfd_get_task(). Neither is exported to modules: like do_madvise they
 * are looked up, and used only where an indirect call into them is safe
 * under IBT. Built into the kernel, they are called directly.
 */
typedef struct mm_struct *(*kc_mm_access_t)(struct task_struct *task,
					     unsigned int mode);
typedef struct task_struct *(*kc_pidfd_get_task_t)(int pidfd,
						   unsigned int *flags);

#ifdef MODULE
static kc_mm_access_t kc_mm_access_fn;
static kc_pidfd_get_task_t kc_pidfd_get_task_fn;

/* @name's address if it may be called indirectly, else NULL. */
static void *kc_lookup_callable(const char *name)
{
	bool enforced = cpu_feature_enabled(X86_FEATURE_IBT);
	void *fn = kc_lookup(name);
	u32 insn;

	if (!fn || copy_from_kernel_nofault(&insn, fn, sizeof(insn)))
		return NULL;
	return kc_ibt_verdict(insn, enforced) == KC_IBT_NO_ENDBR ? NULL : fn;
}

void kc_access_init(void)
{
	kc_mm_access_fn = kc_lookup_callable("mm_access");
	kc_pidfd_get_task_fn = kc_lookup_callable("pidfd_get_task");
}
#else
static kc_mm_access_t kc_mm_access_fn = mm_access;
static kc_pidfd_get_task_t kc_pidfd_get_task_fn = pidfd_get_task;

void kc_access_init(void)
{
}
#endif

const char *kc_access_status(void)
{
	return kc_mm_access_fn ?
	       "mm_access (as process_madvise: ptrace rules, Yama, LSMs)" :
	       "mm_access not callable here: CAP_SYS_PTRACE required";
}

struct mm_struct *kc_access_mm(struct task_struct *task)
{
	if (kc_mm_access_fn)
		return kc_mm_access_fn(task, PTRACE_MODE_READ_FSCREDS);
	/* What passes every ptrace check short of an LSM's or Yama's veto. */
	if (!capable(CAP_SYS_PTRACE))
		return ERR_PTR(-EACCES);
	return get_task_mm(task);
}

struct task_struct *kc_pidfd_task(int fd)
{
	unsigned int flags;

	if (!kc_pidfd_get_task_fn)
		return ERR_PTR(-EOPNOTSUPP);
	return kc_pidfd_get_task_fn(fd, &flags);
}

/*
 * vm.compact_unevictable_allowed lives in mm/compaction.c: global but not
 * exported on 6.1, static since. Its address comes from kallsyms (data
 * symbols are there with CONFIG_KALLSYMS_ALL, as on Debian's kernels);
 * a module reaches kallsyms_lookup_name() itself through a kprobe, as it
 * does do_madvise().
 */
typedef unsigned long (*kc_kallsyms_lookup_name_t)(const char *name);

static const int *kc_unevictable_allowed;

void kc_unevictable_init(void)
{
#ifdef MODULE
	kc_kallsyms_lookup_name_t lookup =
		kc_lookup_callable("kallsyms_lookup_name");
#else
	kc_kallsyms_lookup_name_t lookup = kallsyms_lookup_name;
#endif

	if (IS_ENABLED(CONFIG_COMPACTION) && lookup)
		kc_unevictable_allowed = (const int *)
			lookup("sysctl_compact_unevictable_allowed");
	if (!kc_unevictable_allowed)
		pr_info("vm.compact_unevictable_allowed not found: mlocked memory is never packed\n");
}

bool kc_unevictable_movable(void)
{
	return kc_unevictable_allowed && READ_ONCE(*kc_unevictable_allowed);
}
