/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kcollapse: consolidate another process's anonymous memory into 2 MiB
 * transparent hugepages, driven over generic netlink.
 *
 * Copyright (C) 2026 The kcollapse authors.
 *
 * Protocol
 * ========
 *
 * Generic netlink family KCOLLAPSE_GENL_NAME ("kcollapse"), version
 * KCOLLAPSE_GENL_VERSION. The family exists in the initial network namespace
 * only. Every request is validated strictly: unknown attributes, wrong types
 * and out-of-range values are rejected with -EINVAL and an extended-ACK
 * message naming the offending attribute. Resolve the family id with the
 * generic netlink controller, then send requests with NLM_F_REQUEST (and
 * NLM_F_ACK if you want an explicit ack on success).
 *
 * All counts are u64 unless noted; times are in nanoseconds or milliseconds
 * as their names say; pids are numbers in the caller's pid namespace. The
 * version field of the generic netlink header is not checked.
 *
 * A request runs synchronously in the caller's sendmsg(): COLLAPSE returns
 * only when the operation ends. Commands run in parallel, so CANCEL and
 * GET_INFO (from another socket) answer while a COLLAPSE runs. Only a fatal
 * signal, not an ordinary one, stops a COLLAPSE early on the caller's side.
 *
 * KCOLLAPSE_CMD_COLLAPSE
 * ----------------------
 *   Privilege: CAP_SYS_ADMIN in the initial user namespace (else -EPERM).
 *   Request attributes:
 *     KCOLLAPSE_A_PID          u32, required. Any thread id of the target.
 *     KCOLLAPSE_A_RANGE_START  u64, optional. Start of the address range to
 *                              cover; default 0.
 *     KCOLLAPSE_A_RANGE_LEN    u64, optional, >= 1. Length of the range;
 *                              start + len must not wrap. Default:
 *                              to the end of the address space. A range is
 *                              clipped to eligible VMAs; windows are 2 MiB
 *                              aligned and must lie fully inside one VMA and
 *                              inside the range.
 *     KCOLLAPSE_A_DEADLINE_MS  u32, optional, 0 = none (default). Checked
 *                              between windows: a window already being
 *                              collapsed finishes first.
 *     KCOLLAPSE_A_MIN_FILL     u32, optional, 1..512, default 1. Windows with
 *                              fewer present 4 KiB pages are skipped as
 *                              sparse (a collapse turns every window into a
 *                              full 2 MiB page: this bounds the bloat).
 *     KCOLLAPSE_A_MARK_HUGEPAGE flag, optional. First apply MADV_HUGEPAGE
 *                              (VM_HUGEPAGE) to the covered eligible VMAs, so
 *                              that later faults there also get hugepages.
 *     KCOLLAPSE_A_DRY_RUN      flag, optional. Classify only: nothing is
 *                              marked or collapsed; KCOLLAPSE_R_CANDIDATES
 *                              says how many windows would be attempted.
 *   Reply (same command): KCOLLAPSE_A_PID and a KCOLLAPSE_A_RESULT nest of
 *   KCOLLAPSE_R_* attributes. A cancelled, timed-out or interrupted operation
 *   still replies with its partial statistics; only a request that could not
 *   start gets an error instead.
 *   Errors: -EINVAL bad or missing attribute, or the pid is a kernel thread;
 *   -ESRCH no such process, or it has no address space (exiting);
 *   -EPERM caller lacks CAP_SYS_ADMIN; -EBUSY an operation on the same
 *   address space is already running, or KCOLLAPSE_MAX_OPS operations run;
 *   -EOPNOTSUPP the collapse entry point is unavailable on this kernel (see
 *   KCOLLAPSE_CMD_GET_INFO) and DRY_RUN was not set; -ENOMEM.
 *
 * KCOLLAPSE_CMD_CANCEL
 * --------------------
 *   Privilege: CAP_SYS_ADMIN in the initial user namespace.
 *   Request: KCOLLAPSE_A_PID u32, required (any thread id of the target).
 *   Reply: KCOLLAPSE_A_PID and KCOLLAPSE_A_CANCELLED (u32: number of running
 *   operations on that process told to stop, 0 or 1). A live process with
 *   no operation running is not an error (CANCELLED = 0). The cancelled
 *   COLLAPSE returns after its current window with stop reason
 *   KCOLLAPSE_STOP_CANCELLED.
 *   Errors: -EINVAL, -ESRCH, -EPERM as for COLLAPSE.
 *
 * KCOLLAPSE_CMD_GET_INFO
 * ----------------------
 *   Privilege: none. Request: no attributes. Reply:
 *     KCOLLAPSE_A_MODULE_VERSION   string
 *     KCOLLAPSE_A_PROTO_VERSION    u32 (KCOLLAPSE_GENL_VERSION)
 *     KCOLLAPSE_A_KERNEL_RELEASE   string (utsname release)
 *     KCOLLAPSE_A_ENGINE           string, the kernel function collapses go
 *                                  through (e.g. "do_madvise")
 *     KCOLLAPSE_A_ENGINE_AVAILABLE u8, 1 if it may be called
 *     KCOLLAPSE_A_ENGINE_STATUS    string, why it is (un)available
 *     KCOLLAPSE_A_OPS_IN_FLIGHT    u32
 *     KCOLLAPSE_A_OPS_MAX          u32
 *
 * Statistics (KCOLLAPSE_A_RESULT nest)
 * ------------------------------------
 *   Every window reached is counted in exactly one outcome, so
 *   chunks = collapsed + already_huge + skipped_empty + skipped_sparse +
 *            failed_nomem + failed_busy + failed_again + failed_ineligible +
 *            failed_other
 *   except in a dry run, where the candidates take the place of collapsed
 *   and failed_* (which stay 0 apart from failed_again, see below).
 *   KCOLLAPSE_R_REGIONS          eligible VMAs visited
 *   KCOLLAPSE_R_CHUNKS           2 MiB windows reached
 *   KCOLLAPSE_R_CANDIDATES       windows that passed classification
 *                                (attempted, or would be in a dry run)
 *   KCOLLAPSE_R_COLLAPSED        windows now mapped by one hugepage
 *   KCOLLAPSE_R_ALREADY_HUGE     windows that were PMD-mapped already
 *   KCOLLAPSE_R_SKIPPED_EMPTY    no page table or no present page
 *   KCOLLAPSE_R_SKIPPED_SPARSE   fewer present pages than MIN_FILL
 *   KCOLLAPSE_R_FAILED_NOMEM     no hugepage could be allocated or charged
 *                                (-ENOMEM from the collapse path)
 *   KCOLLAPSE_R_FAILED_BUSY      memcg charge failed or too many holes
 *                                (-EBUSY)
 *   KCOLLAPSE_R_FAILED_AGAIN     transient: pages locked, pinned or off the
 *                                LRU (-EAGAIN), or the window's PMD was
 *                                being migrated or split when classified
 *                                (then not attempted)
 *   KCOLLAPSE_R_FAILED_INELIGIBLE the kernel refused the window (-EINVAL:
 *                                e.g. THP disabled for the process, uffd-wp)
 *   KCOLLAPSE_R_FAILED_OTHER     any other errno
 *   KCOLLAPSE_R_ELAPSED_NS       wall time of the operation
 *   KCOLLAPSE_R_FRAMES_BEFORE    distinct 2 MiB physical frames holding the
 *                                target's present anonymous pages in the
 *                                covered ranges, before (see "Frames")
 *   KCOLLAPSE_R_FRAMES_AFTER     the same, after (equal to before in a dry
 *                                run; measured even when stopped early,
 *                                0 when the target exited or the caller
 *                                was killed)
 *   KCOLLAPSE_R_PRESENT_BEFORE   present anonymous bytes, covered ranges
 *                                (a PMD-mapped window: its 2 MiB)
 *   KCOLLAPSE_R_PRESENT_AFTER    the same, after
 *   KCOLLAPSE_R_STOP_REASON      u32, enum kcollapse_stop_reason
 *   KCOLLAPSE_R_MARKED           VMAs given MADV_HUGEPAGE (MARK_HUGEPAGE)
 *
 * Frames
 * ------
 *   The covered ranges are the eligible VMAs (private, anonymous, readable
 *   and writable; not shared, VM_NOHUGEPAGE, VM_IO, VM_PFNMAP, hugetlb or
 *   grows-down) clipped to the requested range, including the parts of a
 *   VMA too small for a whole window. Every present PTE there counts
 *   (copy-on-write pages shared with a child too) except the shared zero
 *   page; a PMD-mapped window counts as one frame. A frame is a physical
 *   address >> 21. userspace can compute the same from /proc/PID/pagemap.
 */
#ifndef _UAPI_LINUX_KCOLLAPSE_H
#define _UAPI_LINUX_KCOLLAPSE_H

#define KCOLLAPSE_GENL_NAME	"kcollapse"
#define KCOLLAPSE_GENL_VERSION	1

/* Most operations that may run at once (module-wide). */
#define KCOLLAPSE_MAX_OPS	8
/* MIN_FILL is a count of 4 KiB pages in one 2 MiB window. */
#define KCOLLAPSE_WINDOW_PAGES	512

enum kcollapse_cmd {
	KCOLLAPSE_CMD_UNSPEC,
	KCOLLAPSE_CMD_COLLAPSE,
	KCOLLAPSE_CMD_CANCEL,
	KCOLLAPSE_CMD_GET_INFO,

	__KCOLLAPSE_CMD_MAX
};

#define KCOLLAPSE_CMD_MAX (__KCOLLAPSE_CMD_MAX - 1)

enum kcollapse_attr {
	KCOLLAPSE_A_UNSPEC,
	KCOLLAPSE_A_PID,		/* u32 */
	KCOLLAPSE_A_RANGE_START,	/* u64 */
	KCOLLAPSE_A_RANGE_LEN,		/* u64 */
	KCOLLAPSE_A_DEADLINE_MS,	/* u32 */
	KCOLLAPSE_A_MIN_FILL,		/* u32 */
	KCOLLAPSE_A_MARK_HUGEPAGE,	/* flag */
	KCOLLAPSE_A_DRY_RUN,		/* flag */
	KCOLLAPSE_A_RESULT,		/* nest of KCOLLAPSE_R_* */
	KCOLLAPSE_A_CANCELLED,		/* u32 */
	KCOLLAPSE_A_MODULE_VERSION,	/* string */
	KCOLLAPSE_A_PROTO_VERSION,	/* u32 */
	KCOLLAPSE_A_KERNEL_RELEASE,	/* string */
	KCOLLAPSE_A_ENGINE,		/* string */
	KCOLLAPSE_A_ENGINE_AVAILABLE,	/* u8 */
	KCOLLAPSE_A_ENGINE_STATUS,	/* string */
	KCOLLAPSE_A_OPS_IN_FLIGHT,	/* u32 */
	KCOLLAPSE_A_OPS_MAX,		/* u32 */
	KCOLLAPSE_A_PAD,

	__KCOLLAPSE_A_MAX
};

#define KCOLLAPSE_A_MAX (__KCOLLAPSE_A_MAX - 1)

/* Attributes inside KCOLLAPSE_A_RESULT; all u64 except STOP_REASON (u32). */
enum kcollapse_result_attr {
	KCOLLAPSE_R_UNSPEC,
	KCOLLAPSE_R_REGIONS,
	KCOLLAPSE_R_CHUNKS,
	KCOLLAPSE_R_CANDIDATES,
	KCOLLAPSE_R_COLLAPSED,
	KCOLLAPSE_R_ALREADY_HUGE,
	KCOLLAPSE_R_SKIPPED_EMPTY,
	KCOLLAPSE_R_SKIPPED_SPARSE,
	KCOLLAPSE_R_FAILED_NOMEM,
	KCOLLAPSE_R_FAILED_BUSY,
	KCOLLAPSE_R_FAILED_AGAIN,
	KCOLLAPSE_R_FAILED_INELIGIBLE,
	KCOLLAPSE_R_FAILED_OTHER,
	KCOLLAPSE_R_ELAPSED_NS,
	KCOLLAPSE_R_FRAMES_BEFORE,
	KCOLLAPSE_R_FRAMES_AFTER,
	KCOLLAPSE_R_PRESENT_BEFORE,
	KCOLLAPSE_R_PRESENT_AFTER,
	KCOLLAPSE_R_STOP_REASON,
	KCOLLAPSE_R_MARKED,
	KCOLLAPSE_R_PAD,

	__KCOLLAPSE_R_MAX
};

#define KCOLLAPSE_R_MAX (__KCOLLAPSE_R_MAX - 1)

/* Why a COLLAPSE stopped. Every reason but DONE means "stopped early". */
enum kcollapse_stop_reason {
	KCOLLAPSE_STOP_DONE,		/* every window reached */
	KCOLLAPSE_STOP_CANCELLED,	/* KCOLLAPSE_CMD_CANCEL */
	KCOLLAPSE_STOP_DEADLINE,	/* KCOLLAPSE_A_DEADLINE_MS passed */
	KCOLLAPSE_STOP_CALLER_KILLED,	/* fatal signal on the caller */
	KCOLLAPSE_STOP_TARGET_EXITED,	/* the target's address space went away */
	KCOLLAPSE_STOP_UNLOADING,	/* the module is being removed */

	__KCOLLAPSE_STOP_MAX
};

#endif /* _UAPI_LINUX_KCOLLAPSE_H */
