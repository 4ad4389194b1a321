/* SPDX-License-Identifier: MIT */
/*
 * libkcollapse: client library for the kcollapse kernel module.
 *
 * Copyright (C) 2026 The kcollapse authors.
 *
 * The library speaks the generic netlink protocol described in
 * <linux/kcollapse.h> (family "kcollapse"): one function per command. It
 * also measures how a process's anonymous memory is spread over 2 MiB
 * physical frames without the module (kc_frames()).
 *
 * Conventions
 * -----------
 * - Every function that can fail returns 0 on success or a negative errno
 *   value, and sets errno to the positive value as well.
 * - kc_last_error() gives a human-readable message about the last call on a
 *   handle: the kernel's extended-ACK message if it sent one, otherwise a
 *   library message, or "" when there is nothing to add to the errno.
 *   Calls that have no handle (kc_open(), kc_frames()) leave their message
 *   in a per-thread slot read with kc_last_error(NULL).
 * - A handle owns one netlink socket and is not thread safe: use one handle
 *   per thread. To cancel a collapse that blocks one thread, call
 *   kc_cancel() on a second handle from another thread or process.
 *
 * Engines
 * -------
 * kc_collapse() talks to the module. kc_collapse_with() runs the same
 * operation on a chosen engine: "kmod" (the module), "userspace" (the
 * fallback: process_madvise(MADV_COLLAPSE) window by window, for kernels
 * without the module) or "auto" (the module when it is loaded and its
 * collapse entry point is available, else userspace). Both fill the same
 * struct kc_result with the same statistics; its engine field says which
 * ran. See kc_collapse_userspace() for what the fallback cannot do.
 */
#ifndef KCOLLAPSE_KCOLLAPSE_H
#define KCOLLAPSE_KCOLLAPSE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <kcollapse/version.h>	/* KC_VERSION_STRING */

#ifdef __cplusplus
extern "C" {
#endif

#define KC_API __attribute__((visibility("default")))

/* Size of the engine name buffer in struct kc_result. */
#define KC_ENGINE_NAME_LEN 16

/* kc_collapse_req.flags */
#define KC_MARK_HUGEPAGE (1u << 0)	/* MADV_HUGEPAGE the covered VMAs first,
					 * VM_NOHUGEPAGE ones included */
#define KC_DRY_RUN	 (1u << 1)	/* classify only, change nothing */

/* Why a collapse stopped; same values as enum kcollapse_stop_reason. */
enum kc_stop_reason {
	KC_STOP_DONE = 0,	/* every window reached */
	KC_STOP_CANCELLED,	/* kc_cancel() */
	KC_STOP_DEADLINE,	/* deadline_ms passed */
	KC_STOP_CALLER_KILLED,	/* the waiting caller's socket closed (it died) */
	KC_STOP_TARGET_EXITED,	/* the target's address space went away */
	KC_STOP_UNLOADING,	/* the module is being removed */
};

/*
 * What a collapse request does; same values as enum kcollapse_mode (see
 * <linux/kcollapse.h>, "Modes").
 */
enum kc_mode {
	KC_MODE_COLLAPSE = 0,	/* windows into transparent hugepages */
	KC_MODE_PACK,		/* live 4 KiB pages moved into few frames */
	KC_MODE_AUTO,		/* dense windows collapsed, the rest packed */
};

/* Default auto_threshold: 7/8 of a 2 MiB window. */
#define KC_AUTO_THRESHOLD_DEFAULT 448

/* Opaque connection to the kcollapse generic netlink family. */
struct kc_handle;

struct kc_collapse_req {
	pid_t pid;		/* any thread id of the target, caller's pid ns */
	uint64_t range_start;	/* start of the covered range (default 0);
				 * page aligned, else -EINVAL (both engines) */
	uint64_t range_len;	/* length of the range, rounded up to whole
				 * pages; 0 = to the end; start + len must
				 * not wrap past 2^64 */
	uint32_t deadline_ms;	/* 0 = no deadline */
	uint32_t min_fill;	/* 1..512 present 4 KiB pages; 0 = module default */
	uint32_t flags;		/* KC_MARK_HUGEPAGE | KC_DRY_RUN */
	uint32_t mode;		/* enum kc_mode; 0 = KC_MODE_COLLAPSE */
	uint32_t auto_threshold;/* KC_MODE_AUTO only: 1..512 present pages a
				 * window needs to be collapsed rather than
				 * packed; 0 = module default (448) */
	bool hot_first;		/* KC_MODE_PACK and KC_MODE_AUTO only (else
				 * -EINVAL), the module only: the pages
				 * accessed since kc_clear_accessed() go
				 * into destination blocks of their own
				 * (KCOLLAPSE_A_HOT_FIRST, "Working set") */
};

/*
 * Statistics of one collapse. Every window reached is counted in exactly
 * one outcome:
 *   chunks = collapsed + already_huge + skipped_empty + skipped_sparse +
 *            skipped_opted_out + failed_nomem + failed_busy +
 *            failed_again + failed_ineligible + failed_other
 * (in a dry run the candidates take the place of collapsed and failed_*).
 * skipped_opted_out counts the windows that would have been collapsed but
 * lie in memory the process opted out of THP for (VM_NOHUGEPAGE, unless
 * KC_MARK_HUGEPAGE cleared it, or PR_SET_THP_DISABLE): collapse mode
 * respects opt-outs, pack mode ignores them (it makes no hugepage), auto
 * mode packs such windows. frames_after and present_after are valid only
 * when after_complete is true: the after-measurement is skipped when the
 * operation stopped early (stop_reason not KC_STOP_DONE), and cut short by
 * a stop request that comes during it. A module that does not send
 * KCOLLAPSE_R_AFTER_COMPLETE (older ones) measured after whenever it sent
 * KCOLLAPSE_R_FRAMES_AFTER: after_complete is then true.
 * Fields the kernel did not send are 0. The pack_* fields count 4 KiB
 * pages the pack step reached (KC_MODE_PACK, and the sparse windows of
 * KC_MODE_AUTO): each is either moved or left in place for one cause:
 *   reached = pack_moved + pack_left_pinned + pack_left_shared +
 *             pack_left_thp + pack_left_dense + pack_left_busy +
 *             pack_left_locked
 * The hot_* fields are the working set (<linux/kcollapse.h>, "Working
 * set"): present pages accessed since the last kc_clear_accessed() (a
 * PMD-mapped window counts 512) and the distinct 2 MiB frames holding
 * them, before and after (after: 0 unless after_complete). hot_measured
 * is true when the module sent them; an older module and the userspace
 * engine do not (hot_measured false, the four 0).
 */
struct kc_result {
	uint64_t regions;		/* eligible VMAs visited */
	uint64_t chunks;		/* 2 MiB windows reached */
	uint64_t candidates;		/* windows attempted (or, dry run, would be) */
	uint64_t collapsed;		/* windows now mapped by one hugepage */
	uint64_t already_huge;		/* windows that were PMD-mapped already */
	uint64_t skipped_empty;		/* no page table or no present page */
	uint64_t skipped_sparse;	/* fewer present pages than min_fill */
	uint64_t failed_nomem;		/* -ENOMEM from the collapse path */
	uint64_t failed_busy;		/* -EBUSY */
	uint64_t failed_again;		/* -EAGAIN (transient) */
	uint64_t failed_ineligible;	/* -EINVAL: the kernel refused */
	uint64_t failed_other;		/* any other errno */
	uint64_t elapsed_ns;		/* wall time of the operation */
	uint64_t frames_before;		/* distinct 2 MiB frames, before */
	uint64_t frames_after;		/* distinct 2 MiB frames, after */
	uint64_t present_before;	/* present anonymous bytes, before */
	uint64_t present_after;		/* present anonymous bytes, after */
	uint64_t marked;		/* VMAs MADV_HUGEPAGE changed */
	uint32_t stop_reason;		/* enum kc_stop_reason */
	pid_t pid;			/* pid the kernel reported */
	char engine[KC_ENGINE_NAME_LEN];/* "kmod", "userspace" or
					 * "userspace+kmod" (split AUTO) */
	uint32_t mode;			/* enum kc_mode that ran */
	uint64_t pack_moved;		/* pages moved (dry run: would be) */
	uint64_t pack_left_pinned;	/* left: pinned or extra references */
	uint64_t pack_left_shared;	/* left: mapped more than once */
	uint64_t pack_left_thp;		/* left: part of a hugepage */
	uint64_t pack_left_dense;	/* left: in a frame already dense */
	uint64_t pack_left_busy;	/* left: page locked, changing, no room */
	uint64_t pack_dense_frames;	/* frames the dense rule kept */
	uint64_t pack_dest_frames;	/* 2 MiB destination blocks allocated */
	uint64_t pack_bytes_copied;	/* bytes copied into them */
	uint64_t pack_alloc_failed;	/* order-9 allocations that failed */
	uint64_t skipped_opted_out;	/* candidates not tried: THP opt-out */
	bool after_complete;		/* frames_after and present_after are
					 * a complete measurement (else 0) */
	uint64_t pack_left_locked;	/* left: mlock(2)ed memory while
					 * compact_unevictable_allowed is 0 */
	uint64_t hot_pages_before;	/* pages accessed since the clear */
	uint64_t hot_frames_before;	/* distinct 2 MiB frames holding them */
	uint64_t hot_pages_after;	/* the same, after */
	uint64_t hot_frames_after;
	bool hot_measured;		/* the module sent the four above */
};

struct kc_info {
	char module_version[64];
	uint32_t proto_version;		/* KCOLLAPSE_GENL_VERSION of the module */
	char kernel_release[65];	/* utsname release */
	char engine[64];		/* kernel function collapses go through */
	bool engine_available;
	char engine_status[256];	/* why the engine is (un)available */
	uint32_t ops_in_flight;
	uint32_t ops_max;
};

/* Module-less measurement of a process's private anonymous memory. */
struct kc_frames {
	uint64_t regions;	/* eligible mappings intersecting the range */
	uint64_t present_pages;	/* present, exclusively mapped anon pages */
	uint64_t present_bytes;	/* present_pages * page size */
	uint64_t frames;	/* distinct 2 MiB physical frames holding them */
	uint64_t live_windows;	/* 2 MiB windows fully inside a mapping and
				 * the range, with at least one such page */
};

/*
 * kc_open() - connect to the kcollapse generic netlink family.
 * @out: receives the new handle; set to NULL on failure.
 *
 * Returns 0, or -ENOENT if the family is not registered (message
 * "kcollapse module not loaded (family \"kcollapse\" not found)"; the
 * family exists in the initial network namespace only, so this is also
 * the answer inside another network namespace), or
 * another -errno if no generic netlink socket could be set up. On failure
 * the message is available from kc_last_error(NULL).
 */
KC_API int kc_open(struct kc_handle **out);

/* kc_close() - close the socket and free the handle. NULL is ignored. */
KC_API void kc_close(struct kc_handle *h);

/*
 * kc_collapse() - run KCOLLAPSE_CMD_COLLAPSE and wait for its statistics.
 * @h:   handle from kc_open()
 * @req: what to collapse (see struct kc_collapse_req)
 * @res: receives the statistics; engine is set to "kmod"
 *
 * Blocks until the kernel replies, which can take seconds to minutes for a
 * big process: there is no client-side timeout, bound it with
 * req->deadline_ms or cancel it with kc_cancel() on another handle. The
 * kernel does the work in its own context and replies when it ends; if
 * the calling process dies meanwhile, its socket closes and the operation
 * stops after the current step (stop reason "caller-killed", the
 * statistics die with the process). Other signals do not stop it.
 * Returns 0 whenever the operation ran, including when it stopped early
 * (see res->stop_reason). Errors: -EINVAL (bad request, kernel thread),
 * -ESRCH (no such process or no address space), -EPERM (needs
 * CAP_SYS_ADMIN), -EBUSY (already running on that address space, or too
 * many operations), -EOPNOTSUPP (engine unavailable; or pack/auto mode
 * on a kernel without CONFIG_DEVICE_MIGRATION), -ENOMEM, or a transport
 * error.
 */
KC_API int kc_collapse(struct kc_handle *h, const struct kc_collapse_req *req,
		       struct kc_result *res);

/*
 * kc_cancel() - ask a running collapse on @pid's address space to stop.
 * @cancelled: if not NULL, receives the number of operations told to stop
 *             (0 or 1). Finding none is not an error.
 * The cancelled kc_collapse() returns after its current window with its
 * partial statistics and stop reason KC_STOP_CANCELLED. Errors: -ESRCH (no
 * such process), -EPERM (needs CAP_SYS_ADMIN), -EINVAL, or a transport
 * error.
 */
KC_API int kc_cancel(struct kc_handle *h, pid_t pid, unsigned int *cancelled);

/* kc_get_info() - run KCOLLAPSE_CMD_GET_INFO. Needs no privilege. */
KC_API int kc_get_info(struct kc_handle *h, struct kc_info *info);

/*
 * kc_last_error() - message about the last call on @h, or, with @h NULL,
 * about the last kc_open() or kc_frames() of this thread. Never NULL;
 * "" when there is none. Valid until the next call on the same handle
 * (or, for NULL, the next handle-less call in this thread).
 */
KC_API const char *kc_last_error(const struct kc_handle *h);

/*
 * kc_frames() - measure @pid's private anonymous read-write memory in
 * [range_start, range_start + range_len) (range_len 0 = to the end) from
 * /proc/PID/smaps (the maps lines and VM flags) and /proc/PID/pagemap,
 * without the module.
 *
 * Mappings considered, the same as the module's: private, readable and
 * writable, not backed by a file (anonymous, [heap] or [anon:NAME]), and
 * not hugetlb, I/O or PFN-mapped; VM_NOHUGEPAGE ones included (an opt-out
 * of THP keeps collapses away, not measurements or packing); [stack],
 * [vdso], [vvar], [vsyscall] and shared mappings are not. Pages counted:
 * present, not shared (pagemap bit 61 clear) and not the shared zero page
 * or the huge zero page (a read fault maps them: they hold no data).
 * Needs CAP_SYS_ADMIN to see physical frame numbers: returns -EPERM if
 * every present page reads PFN 0. Also -ESRCH (no such process, or it
 * exited), -EACCES, -ENOMEM, -EIO.
 * Cost: on Linux 6.7+ the PAGEMAP_SCAN ioctl finds the present pages by
 * walking the page tables and only their 8-byte pagemap entries are read:
 * it follows the present pages and page tables, not the address space.
 * Before (Debian 12's 6.1): 8 bytes of pagemap per 4 KiB of address space
 * of the covered mappings, present or not (1/512 of their size).
 * Thread safe; the message for an error is in kc_last_error(NULL).
 */
KC_API int kc_frames(pid_t pid, uint64_t range_start, uint64_t range_len,
		     struct kc_frames *out);

/*
 * kc_clear_accessed() - clear the accessed bits of @pid's anonymous pages:
 * writes "2" to /proc/PID/clear_refs (see proc(5)), the kernel's own
 * primitive, with its locking and TLB flush. The pages the process
 * touches from then on are its working set: the hot_* fields of the next
 * KC_MODE_PACK or KC_MODE_AUTO collapse count them, and hot_first packs
 * them first. Call it after a resume, then collapse with hot_first
 * before the next pause. Needs the privilege to write that file (ptrace
 * access to @pid, as root for another user's process).
 * Returns 0, or -EINVAL (@pid not positive), -ESRCH (no such process, or
 * it exited), -EACCES/-EPERM, or another -errno of open(2)/write(2).
 * Thread safe; the message for an error is in kc_last_error(NULL).
 */
KC_API int kc_clear_accessed(pid_t pid);

/*
 * kc_stop_reason_name() - "done", "cancelled", "deadline", "caller-killed",
 * "target-exited", "unloading", or "unknown".
 */
KC_API const char *kc_stop_reason_name(uint32_t reason);

/*
 * kc_result_skipped() - the orchestrator's "skipped": windows reached that
 * are neither collapsed nor already huge (chunks - collapsed -
 * already_huge, 0 if the counts are inconsistent), opted-out ones too.
 */
KC_API uint64_t kc_result_skipped(const struct kc_result *res);

/* "collapse", "pack", "auto" (or "unknown"). */
KC_API const char *kc_mode_name(uint32_t mode);

/* kc_mode_parse() - the inverse; -EINVAL for anything else. */
KC_API int kc_mode_parse(const char *name, enum kc_mode *mode);

/* Which engine runs a collapse (kc_collapse_with()). */
enum kc_engine {
	KC_ENGINE_AUTO = 0,	/* the module if it can collapse, else userspace */
	KC_ENGINE_KMOD,		/* the kernel module only */
	KC_ENGINE_USERSPACE,	/* the userspace fallback only */
};

/* "auto", "kmod", "userspace" (or "unknown"). */
KC_API const char *kc_engine_name(enum kc_engine engine);

/* kc_engine_parse() - the inverse; -EINVAL for anything else. */
KC_API int kc_engine_parse(const char *name, enum kc_engine *engine);

/*
 * A cancellable operation: pass one to kc_collapse_with() and call
 * kc_op_cancel() on it from any other thread to stop that collapse after
 * its current window (stop reason KC_STOP_CANCELLED, partial statistics).
 * Cancelling is sticky: every later kc_collapse_with() with the same
 * object stops before its first window. One collapse at a time per
 * object.
 */
struct kc_op;

/* kc_op_new() - 0 or -ENOMEM. */
KC_API int kc_op_new(struct kc_op **out);

/* kc_op_free() - NULL is ignored. The object must not be in use. */
KC_API void kc_op_free(struct kc_op *op);

/*
 * kc_op_cancel() - ask the collapse running with @op to stop; thread safe,
 * not async-signal safe. With the module it sends KCOLLAPSE_CMD_CANCEL
 * (retrying briefly while the kernel has not registered the operation
 * yet), so it may block for a few milliseconds.
 */
KC_API void kc_op_cancel(struct kc_op *op);

/* kc_op_cancelled() - true once kc_op_cancel() was called. */
KC_API bool kc_op_cancelled(const struct kc_op *op);

/*
 * kc_collapse_with() - run a collapse on @engine.
 * @engine: KC_ENGINE_AUTO picks the module when it is loaded and its
 *          collapse entry point is available (or the request is a dry
 *          run), else the userspace engine. Pack and auto modes go to
 *          the module, the only engine that moves pages; where it cannot
 *          collapse (IBT), auto mode is split: the userspace engine
 *          collapses the windows with at least auto_threshold present
 *          pages, then the module packs the rest, one result with engine
 *          "userspace+kmod" (windows and collapses from the first half,
 *          pages moved and left and frames after from the second).
 * @req:    as for kc_collapse()
 * @op:     NULL, or an object another thread may kc_op_cancel()
 * @res:    receives the statistics; res->engine names the engine used
 *
 * Returns 0 whenever the operation ran (see res->stop_reason), else
 * -errno with a message in kc_last_error(NULL): the errors of
 * kc_open()/kc_collapse() for the module, of kc_collapse_userspace() for
 * the fallback. Thread safe: no handle is shared.
 */
KC_API int kc_collapse_with(enum kc_engine engine,
			    const struct kc_collapse_req *req,
			    struct kc_op *op, struct kc_result *res);

/*
 * kc_collapse_userspace() - the fallback engine, without the module:
 * 0. with KC_MARK_HUGEPAGE (not a dry run), on the calling process only:
 *    madvise(MADV_HUGEPAGE) of the covered mappings not VM_HUGEPAGE yet
 *    (counted in marked), VM_NOHUGEPAGE ones included;
 * 1. the eligible mappings (the module's selection) from /proc/PID/smaps,
 *    frames and present bytes before from /proc/PID/pagemap (kc_frames());
 * 2. for each 2 MiB window, from the pagemap entries read just before
 *    (with PAGEMAP_SCAN, windows without a present page are counted as
 *    empty without being read):
 *    empty (no present page but the zero page), already huge (mapped by
 *    one PMD: the PAGEMAP_SCAN ioctl's PAGE_IS_HUGE where the kernel has
 *    it, Linux 6.7+; before that, a whole THP mapped in order, per
 *    /proc/kpageflags, in a mapping whose smaps AnonHugePages accounts
 *    for every such window), sparse (fewer present pages than min_fill)
 *    or a candidate, collapsed with process_madvise(MADV_COLLAPSE) and
 *    counted by the errno it returns, the same mapping as the module's;
 *    a candidate in a VM_NOHUGEPAGE mapping, or in a process with
 *    PR_SET_THP_DISABLE (/proc/PID/status THP_enabled: 0), is counted in
 *    skipped_opted_out and not tried (kc_opted_out_outcome());
 * 3. frames after, as before, only if every window was reached
 *    (after_complete).
 * Cancellation (kc_op_cancel(), or kc_cancel_userspace() from another
 * process), the deadline and the target's exit are checked between
 * windows and, in the measurements, between pieces of at most 64 Ki
 * pages (a few milliseconds); a collapse that, at the longest one of the
 * operation so far, would end past the deadline is not started (nor
 * counted). The statistics so far are returned with the stop reason. A
 * stop during the measurement before leaves no window reached and
 * frames_before covering what was measured until then.
 * Cost: as kc_frames() for each measurement; the windows add one 4 KiB
 * pagemap read per window with a present page (before Linux 6.7: per
 * window).
 *
 * At most one userspace operation per target process, across processes:
 * each holds an OFD lock on KCOLLAPSE_RUN_DIR/TGID.lock (default
 * /run/kcollapse); a second one gets -EBUSY.
 *
 * Needs CAP_SYS_ADMIN (physical frame numbers and /proc/kpageflags) and
 * what process_madvise() needs: CAP_SYS_NICE and ptrace read access to
 * the target. It cannot apply MADV_HUGEPAGE to another process
 * (process_madvise() refuses it), so KC_MARK_HUGEPAGE (without
 * KC_DRY_RUN) for any target but the calling process is refused up front
 * with -EOPNOTSUPP and a message saying to load the module or drop the
 * flag, rather than collapsing less than asked; it cannot move pages
 * either, so KC_MODE_PACK and KC_MODE_AUTO are refused with -EOPNOTSUPP
 * too.
 * Errors: -EINVAL (bad request, unaligned range start, kernel thread),
 * -ESRCH (no such process, or no address space), -EPERM, -EBUSY,
 * -EOPNOTSUPP (MARK_HUGEPAGE on another process; or no
 * process_madvise(MADV_COLLAPSE) before Linux 6.1), -ENOMEM, -EIO.
 * Unlike the module it works from a snapshot of the mappings taken at the
 * start, and runs the collapses in the caller's context (a fatal signal
 * kills the caller between two windows, with nothing reported).
 * For tests: KCOLLAPSE_NO_PAGEMAP_SCAN=1 forces the Linux 6.1 ways (every
 * pagemap entry read, /proc/kpageflags detection);
 * KCOLLAPSE_TEST_PACE_US=N (< 1000000) pauses N us after every window
 * (never past the deadline); KCOLLAPSE_TEST_COLLAPSE_US=N (< 1000000)
 * makes every collapse N us longer, as a slow THP allocation would.
 */
KC_API int kc_collapse_userspace(const struct kc_collapse_req *req,
				 struct kc_op *op, struct kc_result *res);

/*
 * kc_cancel_userspace() - ask a userspace-engine collapse of @pid's process
 * running in any process to stop after its current window.
 * @cancelled: if not NULL, receives 0 or 1. Errors: -ESRCH, -EINVAL,
 * -EACCES (the lock directory is not ours to write), -errno.
 */
KC_API int kc_cancel_userspace(pid_t pid, unsigned int *cancelled);

/* What the userspace engine can do on this kernel, as this caller. */
struct kc_userspace_info {
	bool available;		/* process_madvise(MADV_COLLAPSE) usable */
	char status[256];	/* why (un)available */
	char huge_detection[32];/* "pagemap-scan" or "kpageflags" */
};

/* kc_userspace_info() - probe on the calling process itself. 0 or -errno. */
KC_API int kc_userspace_info(struct kc_userspace_info *info);

/*
 * kc_engine_select() - the engine kc_collapse_with(@requested) would use
 * for a request with @flags (KC_DRY_RUN matters); @why gets a short reason
 * (may be NULL). KC_ENGINE_KMOD and KC_ENGINE_USERSPACE choose
 * themselves. 0 or -errno.
 */
KC_API int kc_engine_select(enum kc_engine requested, uint32_t flags,
			    enum kc_engine *chosen, char *why, size_t why_len);

#ifdef __cplusplus
}
#endif

#endif /* KCOLLAPSE_KCOLLAPSE_H */
