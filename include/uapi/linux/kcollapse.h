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
 * CANCEL, GET_INFO and GET_RESULT are answered inside the caller's
 * sendmsg(). A COLLAPSE is checked there (every error below but -ENOMEM
 * comes at once) and then runs in the module's own context, not in the
 * caller's: no generic netlink lock is held while it runs, so requests of
 * any family, module loads and unloads never wait for it. Its reply goes
 * to the requesting socket, with the request's sequence number, when the
 * operation ends (see "Waiting, or not").
 *
 * Waiting, or not
 * ---------------
 *   By default the caller waits: the one reply to a COLLAPSE is its result
 *   (or its error), sent when the operation ends. Send it without NLM_F_ACK:
 *   with NLM_F_ACK an ack comes too, when the operation has been queued,
 *   and as the operation runs in a worker a short one may send its result
 *   before that ack, so the caller must read until it has both. The
 *   operation stops early (stop reason CALLER_KILLED) when the
 *   requesting socket is closed, as it is when the caller dies; an ordinary
 *   signal does not stop it.
 *
 *   With KCOLLAPSE_A_NO_WAIT the reply comes at once and carries
 *   KCOLLAPSE_A_PID and KCOLLAPSE_A_OP_ID; the operation runs on whatever
 *   the caller does (closing the socket does not stop it; CANCEL does).
 *   KCOLLAPSE_CMD_GET_RESULT with that id then returns the reply the
 *   waiting caller would have had: the result, or the operation's error
 *   with its message. The module keeps the results of the last
 *   KCOLLAPSE_MAX_RESULTS finished operations nobody fetched; a result is
 *   returned once.
 *   Tools that always ask for an ack and stop reading at it (the kernel's
 *   ynl CLI, for one) see a waited COLLAPSE's result only if it came first:
 *   use NO_WAIT and GET_RESULT there.
 *
 * KCOLLAPSE_CMD_COLLAPSE
 * ----------------------
 *   Privilege: CAP_SYS_ADMIN in the initial user namespace (else -EPERM),
 *   and the access process_madvise(2) needs to the target: its mm is
 *   taken with mm_access(PTRACE_MODE_READ_FSCREDS), so the ptrace rules,
 *   Yama and other LSMs decide (else -EACCES). On a kernel where that
 *   check cannot be called (IBT, see GET_INFO's ACCESS_STATUS), the
 *   caller needs CAP_SYS_PTRACE instead.
 *   Request attributes:
 *     KCOLLAPSE_A_PID          u32. Any thread id of the target.
 *     KCOLLAPSE_A_PIDFD        u32, a pidfd (pidfd_open(2)) of the target,
 *                              open in the caller: names the process
 *                              itself, where a pid may have been reused
 *                              since the caller looked. One of PID and
 *                              PIDFD is required; with both they must
 *                              name the same process (-EINVAL), and the
 *                              reply's PID is the target's pid in the
 *                              caller's namespace either way.
 *     KCOLLAPSE_A_RANGE_START  u64, optional. Start of the address range to
 *                              cover; default 0. Must be page aligned
 *                              (-EINVAL otherwise), as for madvise(2).
 *     KCOLLAPSE_A_RANGE_LEN    u64, optional, >= 1. Length of the range,
 *                              rounded up to whole pages as madvise(2)
 *                              does; start + len must not wrap. Default:
 *                              to the end of the address space. A range is
 *                              clipped to eligible VMAs; windows are 2 MiB
 *                              aligned and must lie fully inside one VMA and
 *                              inside the range.
 *     KCOLLAPSE_A_DEADLINE_MS  u32, optional, 0 = none (default). Checked
 *                              every few milliseconds of work, in every
 *                              step (measurements included). A collapse
 *                              or a migration cannot be interrupted: one
 *                              is not started when one as long as the
 *                              longest of this operation so far would
 *                              end past the deadline (the stop reason is
 *                              then DEADLINE), and the first one of an
 *                              operation, if running when the deadline
 *                              passes, finishes first.
 *     KCOLLAPSE_A_MIN_FILL     u32, optional, 1..512, default 1. Windows with
 *                              fewer present 4 KiB pages are skipped as
 *                              sparse (a collapse turns every window into a
 *                              full 2 MiB page: this bounds the bloat).
 *     KCOLLAPSE_A_MARK_HUGEPAGE flag, optional. First apply MADV_HUGEPAGE
 *                              to the covered eligible VMAs, exactly as the
 *                              target calling madvise(MADV_HUGEPAGE) would:
 *                              VM_NOHUGEPAGE VMAs included (their opt-out
 *                              is cleared), so that they are collapsed too
 *                              and later faults there also get hugepages.
 *                              It cannot override PR_SET_THP_DISABLE (see
 *                              "THP opt-outs"). Not in PACK mode (pack
 *                              makes no hugepage): ignored there.
 *     KCOLLAPSE_A_DRY_RUN      flag, optional. Classify only: nothing is
 *                              marked, collapsed or moved;
 *                              KCOLLAPSE_R_CANDIDATES says how many windows
 *                              would be attempted, KCOLLAPSE_R_PACK_MOVED
 *                              how many pages would be moved.
 *     KCOLLAPSE_A_MODE         u32, optional, enum kcollapse_mode, default
 *                              KCOLLAPSE_MODE_COLLAPSE. See "Modes".
 *     KCOLLAPSE_A_NO_WAIT      flag, optional. Reply at once with an
 *                              operation id; see "Waiting, or not".
 *     KCOLLAPSE_A_AUTO_THRESHOLD u32, optional, 1..512, default
 *                              KCOLLAPSE_AUTO_THRESHOLD_DEFAULT (448, 7/8
 *                              of a window). In KCOLLAPSE_MODE_AUTO, a
 *                              window with at least this many present
 *                              4 KiB pages is collapsed, a sparser one is
 *                              packed; MIN_FILL is not used in that mode.
 *                              Rejected (-EINVAL) in the other modes.
 *     KCOLLAPSE_A_HOT_FIRST    flag, optional, PACK and AUTO modes only
 *                              (-EINVAL in COLLAPSE mode). The pages
 *                              accessed since the last clear go into
 *                              destination blocks of their own; see
 *                              "Working set".
 *   Reply (same command): KCOLLAPSE_A_PID and a KCOLLAPSE_A_RESULT nest of
 *   KCOLLAPSE_R_* attributes. A cancelled, timed-out or interrupted operation
 *   still replies with its partial statistics; only a request that could not
 *   start gets an error instead, with one exception: -ENOMEM after the
 *   windows were worked on (no memory to measure the frames after, or for
 *   the reply), whose extended-ACK message says the operation ran and its
 *   statistics are lost.
 *   Errors: -EINVAL bad or missing attribute, or the pid is a kernel thread;
 *   -ESRCH no such process, or it has no address space (exiting), or
 *   the pidfd's process has exited; -EBADF PIDFD is not a pidfd;
 *   -EACCES the access check refused the target;
 *   -EPERM caller lacks CAP_SYS_ADMIN; -EBUSY an operation on the same
 *   address space is already running, or KCOLLAPSE_MAX_OPS operations run;
 *   -EOPNOTSUPP the collapse entry point is unavailable on this kernel (see
 *   KCOLLAPSE_CMD_GET_INFO) and DRY_RUN was not set (modes COLLAPSE and
 *   AUTO), or the mode is PACK or AUTO and the kernel was built without
 *   CONFIG_DEVICE_MIGRATION (the page-moving API pack mode uses); -ENOMEM
 *   out of memory (the message says at which step).
 *
 * THP opt-outs
 * ------------
 *   A process opts out of transparent hugepages with madvise(MADV_NOHUGEPAGE)
 *   on a range (VM_NOHUGEPAGE; Go up to 1.20 does so on its scavenged heap,
 *   as do jemalloc and many databases) or with prctl(PR_SET_THP_DISABLE)
 *   for its whole address space. Such memory is covered like any other (it
 *   is measured, and counted in REGIONS), and:
 *   - COLLAPSE mode respects the opt-out: a window that would be a
 *     candidate there is not collapsed but counted as
 *     KCOLLAPSE_R_SKIPPED_OPTED_OUT. With MARK_HUGEPAGE, VM_NOHUGEPAGE is
 *     cleared first (the VMAs are marked VM_HUGEPAGE, counted in
 *     KCOLLAPSE_R_MARKED) and the windows are collapsed; PR_SET_THP_DISABLE
 *     still wins (madvise cannot lift it either).
 *   - PACK mode makes no hugepage, so opt-outs do not matter to it: the
 *     pages are packed like any others.
 *   - AUTO mode: a dense window the process opted out of is counted as
 *     SKIPPED_OPTED_OUT and its pages are packed, as a sparse window's are.
 *
 * Modes
 * -----
 *   KCOLLAPSE_MODE_COLLAPSE (0, the default): every candidate window is
 *   collapsed into a transparent hugepage (MADV_COLLAPSE). A window with p
 *   present pages then holds 512: one frame, 512 - p pages of bloat.
 *
 *   KCOLLAPSE_MODE_PACK (1): no hugepage is made. The target's present,
 *   exclusively mapped, order-0 anonymous pages are moved (migrated, their
 *   contents copied, the page tables updated; the process sees no change)
 *   into 4 KiB pages carved out of freshly allocated, physically
 *   contiguous, 2 MiB-aligned blocks, each filled before the next one is
 *   allocated: n live pages end up in about ceil(n / 512) frames, with no
 *   bloat. Pages left in place, counted by cause:
 *     pinned  FOLL_PIN-pinned, or holding references beyond its mappings
 *             (e.g. spliced into a pipe, I/O in flight);
 *     shared  mapped more than once (copy-on-write after fork, KSM);
 *     thp     part of a transparent hugepage (PMD- or PTE-mapped);
 *     dense   in a frame the target already uses densely (below);
 *     busy    locked, under writeback, off the LRU or changed while being
 *             moved, or no destination page could be allocated;
 *     locked  in mlock(2)ed memory that may not move (below).
 *   Dense frames: from the "before" measurement, the number c(f) of the
 *   target's pages in each frame f. Keeping every frame with c(f) >= t and
 *   moving the pages of the others ends with about K(t) + ceil(M(t) / 512)
 *   frames, K(t) the frames kept and M(t) the pages moved. The module
 *   picks the t (1..513, 513 = keep none) that minimises that figure,
 *   and among equal figures the one that moves the fewest pages, for each
 *   NUMA node on its own (pages do not leave their node). So full
 *   frames are never emptied only to be refilled, and a second pack of a
 *   packed process moves nothing. Windows are visited in address order,
 *   a batch of at most 128 pages (512 KiB of address space) at a time;
 *   stop requests are honoured between batches. Only the pages to move
 *   are isolated, locked and unmapped, one run of consecutive ones at a
 *   time: a page that stays (shared with another process, pinned, dense)
 *   is never unmapped, from the target or from anyone else. Destination
 *   blocks are allocated without reclaim while the target's mmap lock is
 *   held, and with reclaim only between lock holds. A page never changes
 *   NUMA node: each node gets its own destination blocks, allocated on
 *   that node only, so a target bound to a node (mbind(2),
 *   cpuset.mems) stays there; pages whose node has no free block are left
 *   (PACK_LEFT_BUSY, PACK_ALLOC_FAILED). Memory locked with mlock(2)
 *   (VM_LOCKED) is moved only where the kernel's own compaction may move
 *   it, i.e. while vm.compact_unevictable_allowed is 1 (the default but
 *   on PREEMPT_RT kernels); otherwise its pages are left
 *   (PACK_LEFT_LOCKED), as are all of them if the module cannot read
 *   that setting.
 *
 *   KCOLLAPSE_MODE_AUTO (2): each whole 2 MiB window with at least
 *   AUTO_THRESHOLD present pages is handled as in COLLAPSE mode; the
 *   pages of sparser windows (counted as KCOLLAPSE_R_SKIPPED_SPARSE) and
 *   of the parts of VMAs too small for a window are packed as in PACK mode.
 *
 *   In PACK mode the window outcomes (CHUNKS .. FAILED_OTHER, CANDIDATES)
 *   stay 0; in all modes the KCOLLAPSE_R_PACK_* statistics count pages the
 *   pack step reached, so in PACK and AUTO mode
 *   pages reached = PACK_MOVED + PACK_LEFT_PINNED + PACK_LEFT_SHARED +
 *                   PACK_LEFT_THP + PACK_LEFT_DENSE + PACK_LEFT_BUSY +
 *                   PACK_LEFT_LOCKED.
 *
 * Working set
 * -----------
 *   A page is hot if the target accessed it since its accessed bits were
 *   last cleared: its PTE (or its hugepage's PMD) is young. The module
 *   does not clear them: the kernel's own /proc/PID/clear_refs does
 *   ("2": the anonymous pages'; libkcollapse's kc_clear_accessed()), with
 *   its locking and TLB flush. What the target touches between that clear
 *   and a pause is what a resume will touch if it behaves the same way:
 *   the working set. Every measurement counts the hot pages and the
 *   frames that hold them (KCOLLAPSE_R_HOT_*): before, and after, as for
 *   FRAMES_*. A collapsed window is young as a whole. A moved page stays
 *   young only where the kernel's migration entries carry the accessed
 *   bit (with CONFIG_SWAP, as Debian's kernels); elsewhere (the project's
 *   guest kernels, built without swap) it is old after the move, so
 *   HOT_*_AFTER then counts only the hot pages that did not move. Without
 *   a clear since the target started, every page it ever touched is hot.
 *
 *   HOT_FIRST (PACK and AUTO modes): hot pages and the others go to
 *   separate destination blocks, so the hot set ends in about
 *   ceil(hot pages / 512) frames per NUMA node plus the frames it already
 *   filled densely. The dense rule is then worked out twice per node:
 *   for hot pages over the frames' hot pages, for the others over all
 *   pages as without HOT_FIRST. A hot page stays in a frame that is dense
 *   with hot pages (moving it would not shrink the hot set), a cold one
 *   in a frame that is dense with pages.
 *
 * KCOLLAPSE_CMD_CANCEL
 * --------------------
 *   Privilege: CAP_SYS_ADMIN in the initial user namespace.
 *   Request: KCOLLAPSE_A_PID u32 (any thread id of the target) or
 *   KCOLLAPSE_A_PIDFD u32, or both, as for COLLAPSE.
 *   Reply: KCOLLAPSE_A_PID and KCOLLAPSE_A_CANCELLED (u32: number of running
 *   operations on that process told to stop, 0 or 1). A live process with
 *   no operation running is not an error (CANCELLED = 0). The cancelled
 *   COLLAPSE returns after its current window with stop reason
 *   KCOLLAPSE_STOP_CANCELLED.
 *   Errors: -EINVAL, -ESRCH, -EBADF, -EACCES, -EPERM as for COLLAPSE.
 *
 * KCOLLAPSE_CMD_GET_RESULT
 * ------------------------
 *   Privilege: CAP_SYS_ADMIN in the initial user namespace.
 *   Request: KCOLLAPSE_A_OP_ID u64, required (from a NO_WAIT COLLAPSE).
 *   Reply: as a COLLAPSE that waited (KCOLLAPSE_A_PID, KCOLLAPSE_A_RESULT)
 *   plus KCOLLAPSE_A_OP_ID; or that operation's error. The result is then
 *   forgotten.
 *   Errors: -EINPROGRESS the operation still runs (ask again later);
 *   -ENOENT no such operation, its result was fetched already, or it was
 *   forgotten (more than KCOLLAPSE_MAX_RESULTS finished after it);
 *   -EPERM as for COLLAPSE.
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
 *     KCOLLAPSE_A_ACCESS_STATUS    string, how targets are checked:
 *                                  mm_access() (as process_madvise),
 *                                  or CAP_SYS_PTRACE where it cannot be
 *                                  called
 *
 * Statistics (KCOLLAPSE_A_RESULT nest)
 * ------------------------------------
 *   Every window reached is counted in exactly one outcome, so
 *   chunks = collapsed + already_huge + skipped_empty + skipped_sparse +
 *            skipped_opted_out + failed_nomem + failed_busy + failed_again +
 *            failed_ineligible + failed_other
 *   except in a dry run, where the candidates take the place of collapsed
 *   and failed_* (which stay 0 apart from failed_again, see below).
 *   KCOLLAPSE_R_REGIONS          eligible VMAs visited
 *   KCOLLAPSE_R_CHUNKS           2 MiB windows reached
 *   KCOLLAPSE_R_CANDIDATES       windows that passed classification
 *                                (attempted, or would be in a dry run)
 *   KCOLLAPSE_R_COLLAPSED        windows now mapped by one hugepage
 *   KCOLLAPSE_R_ALREADY_HUGE     windows that were PMD-mapped already
 *   KCOLLAPSE_R_SKIPPED_EMPTY    no page table or no present page (a PMD
 *                                mapping the huge zero page is empty)
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
 *                                run); valid only when
 *                                KCOLLAPSE_R_AFTER_COMPLETE is 1, else 0
 *   KCOLLAPSE_R_PRESENT_BEFORE   present anonymous bytes, covered ranges
 *                                (a PMD-mapped window: its 2 MiB)
 *   KCOLLAPSE_R_PRESENT_AFTER    the same, after
 *   KCOLLAPSE_R_STOP_REASON      u32, enum kcollapse_stop_reason
 *   KCOLLAPSE_R_MARKED           VMAs MARK_HUGEPAGE changed to VM_HUGEPAGE
 *                                (VM_NOHUGEPAGE ones included)
 *   KCOLLAPSE_R_MODE             u32, enum kcollapse_mode that ran
 *   KCOLLAPSE_R_PACK_MOVED       pages moved (dry run: would be moved)
 *   KCOLLAPSE_R_PACK_LEFT_PINNED pages left in place: pinned
 *   KCOLLAPSE_R_PACK_LEFT_SHARED pages left in place: mapped more than once
 *   KCOLLAPSE_R_PACK_LEFT_THP    pages left in place: part of a hugepage
 *   KCOLLAPSE_R_PACK_LEFT_DENSE  pages left in place: their frame is dense
 *   KCOLLAPSE_R_PACK_LEFT_BUSY   pages left in place: anything else (see
 *                                "Modes"), no destination page included
 *   KCOLLAPSE_R_PACK_DENSE_FRAMES frames the dense rule keeps (K(t)); with
 *                                HOT_FIRST, plus those its hot rule keeps
 *   KCOLLAPSE_R_PACK_DEST_FRAMES 2 MiB destination blocks allocated
 *   KCOLLAPSE_R_PACK_BYTES_COPIED bytes copied into destination pages
 *   KCOLLAPSE_R_PACK_ALLOC_FAILED order-9 block allocations that failed
 *                                (no retry, no warning: the pages waiting
 *                                for a destination are left, as busy, and
 *                                the next 15 batches needing a block do
 *                                not try, to spare repeated compaction)
 *   KCOLLAPSE_R_SKIPPED_OPTED_OUT windows that would have been collapsed but
 *                                the process opted out of THP there
 *                                (VM_NOHUGEPAGE, PR_SET_THP_DISABLE); see
 *                                "THP opt-outs"
 *   KCOLLAPSE_R_AFTER_COMPLETE   u32, 1 if FRAMES_AFTER and PRESENT_AFTER
 *                                are a complete measurement. 0 when the
 *                                operation stopped early (any stop reason
 *                                but DONE: the after-measurement is then
 *                                skipped, so a stop is not delayed by it)
 *                                or a stop request came during the
 *                                after-measurement itself (STOP_REASON
 *                                then stays DONE: every window was
 *                                reached).
 *   KCOLLAPSE_R_PACK_LEFT_LOCKED pages left in place: in mlock(2)ed memory
 *                                while vm.compact_unevictable_allowed
 *                                is 0 (see "Modes")
 *   KCOLLAPSE_R_HOT_PAGES_BEFORE present pages accessed since the last
 *                                clear, before (see "Working set"); a
 *                                PMD-mapped window counts 512
 *   KCOLLAPSE_R_HOT_FRAMES_BEFORE distinct 2 MiB frames holding them
 *   KCOLLAPSE_R_HOT_PAGES_AFTER  the same, after (with FRAMES_AFTER: 0 if
 *   KCOLLAPSE_R_HOT_FRAMES_AFTER AFTER_COMPLETE is 0)
 *
 * Cost and stops
 * --------------
 *   Every step walks the page tables from the top and skips whole empty
 *   p4d/pud/pmd ranges, counting the windows there as empty without
 *   visiting them: the cost follows the present pages and page tables, not
 *   the size of the address space (a 64 TiB MAP_NORESERVE reservation
 *   holding a few pages costs about what a 2 GiB one does). Only the
 *   measurement before walks the page tables that way; it records the
 *   populated 2 MiB spans it found, and the later passes (the mode's, the
 *   measurement after) visit those spans only. A span that gets its first
 *   page during the operation is neither worked on nor measured after:
 *   FRAMES_AFTER and PRESENT_AFTER describe the memory the operation
 *   found, which is all of it for a target that is not running. The mmap lock
 *   is taken for a bounded amount of work at a time, and between two lock
 *   holds every stop condition (cancel, deadline, caller killed, target
 *   exit, module unload) is checked, in the measurements too.
 *
 * Frames
 * ------
 *   The covered ranges are the eligible VMAs (private, anonymous, readable
 *   and writable; not shared, VM_IO, VM_PFNMAP, hugetlb or grows-down;
 *   VM_NOHUGEPAGE ones included, see "THP opt-outs") clipped to the
 *   requested range, including the parts of a
 *   VMA too small for a whole window. Every present PTE there counts
 *   (copy-on-write pages shared with a child too) except the shared zero
 *   page and the huge zero page; a PMD-mapped window counts as one frame. A frame is a physical
 *   address >> 21. userspace can compute the same from /proc/PID/pagemap.
 */
#ifndef _UAPI_LINUX_KCOLLAPSE_H
#define _UAPI_LINUX_KCOLLAPSE_H

#define KCOLLAPSE_GENL_NAME	"kcollapse"
#define KCOLLAPSE_GENL_VERSION	1

/* Most operations that may run at once (module-wide). */
#define KCOLLAPSE_MAX_OPS	8
/* Most results of NO_WAIT operations kept for KCOLLAPSE_CMD_GET_RESULT. */
#define KCOLLAPSE_MAX_RESULTS	16
/* MIN_FILL is a count of 4 KiB pages in one 2 MiB window. */
#define KCOLLAPSE_WINDOW_PAGES	512
/* Default KCOLLAPSE_A_AUTO_THRESHOLD: 7/8 of a window. */
#define KCOLLAPSE_AUTO_THRESHOLD_DEFAULT	448

/* KCOLLAPSE_A_MODE: see "Modes". */
enum kcollapse_mode {
	KCOLLAPSE_MODE_COLLAPSE,
	KCOLLAPSE_MODE_PACK,
	KCOLLAPSE_MODE_AUTO,

	__KCOLLAPSE_MODE_MAX
};

#define KCOLLAPSE_MODE_MAX (__KCOLLAPSE_MODE_MAX - 1)

enum kcollapse_cmd {
	KCOLLAPSE_CMD_UNSPEC,
	KCOLLAPSE_CMD_COLLAPSE,
	KCOLLAPSE_CMD_CANCEL,
	KCOLLAPSE_CMD_GET_INFO,
	KCOLLAPSE_CMD_GET_RESULT,

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
	KCOLLAPSE_A_MODE,		/* u32, enum kcollapse_mode */
	KCOLLAPSE_A_AUTO_THRESHOLD,	/* u32 */
	KCOLLAPSE_A_NO_WAIT,		/* flag */
	KCOLLAPSE_A_OP_ID,		/* u64 */
	KCOLLAPSE_A_PIDFD,		/* u32, a pidfd of the caller's */
	KCOLLAPSE_A_ACCESS_STATUS,	/* string */
	KCOLLAPSE_A_HOT_FIRST,		/* flag */

	__KCOLLAPSE_A_MAX
};

#define KCOLLAPSE_A_MAX (__KCOLLAPSE_A_MAX - 1)

/*
 * Attributes inside KCOLLAPSE_A_RESULT; all u64 but STOP_REASON, MODE and
 * AFTER_COMPLETE (u32).
 */
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
	KCOLLAPSE_R_MODE,		/* u32 */
	KCOLLAPSE_R_PACK_MOVED,
	KCOLLAPSE_R_PACK_LEFT_PINNED,
	KCOLLAPSE_R_PACK_LEFT_SHARED,
	KCOLLAPSE_R_PACK_LEFT_THP,
	KCOLLAPSE_R_PACK_LEFT_DENSE,
	KCOLLAPSE_R_PACK_LEFT_BUSY,
	KCOLLAPSE_R_PACK_DENSE_FRAMES,
	KCOLLAPSE_R_PACK_DEST_FRAMES,
	KCOLLAPSE_R_PACK_BYTES_COPIED,
	KCOLLAPSE_R_PACK_ALLOC_FAILED,
	KCOLLAPSE_R_SKIPPED_OPTED_OUT,
	KCOLLAPSE_R_AFTER_COMPLETE,	/* u32 */
	KCOLLAPSE_R_PACK_LEFT_LOCKED,
	KCOLLAPSE_R_HOT_PAGES_BEFORE,
	KCOLLAPSE_R_HOT_FRAMES_BEFORE,
	KCOLLAPSE_R_HOT_PAGES_AFTER,
	KCOLLAPSE_R_HOT_FRAMES_AFTER,

	__KCOLLAPSE_R_MAX
};

#define KCOLLAPSE_R_MAX (__KCOLLAPSE_R_MAX - 1)

/* Why a COLLAPSE stopped. Every reason but DONE means "stopped early". */
enum kcollapse_stop_reason {
	KCOLLAPSE_STOP_DONE,		/* every window reached */
	KCOLLAPSE_STOP_CANCELLED,	/* KCOLLAPSE_CMD_CANCEL */
	KCOLLAPSE_STOP_DEADLINE,	/* KCOLLAPSE_A_DEADLINE_MS passed */
	KCOLLAPSE_STOP_CALLER_KILLED,	/* the waiting caller's socket closed */
	KCOLLAPSE_STOP_TARGET_EXITED,	/* the target's address space went away */
	KCOLLAPSE_STOP_UNLOADING,	/* the module is being removed */

	__KCOLLAPSE_STOP_MAX
};

#endif /* _UAPI_LINUX_KCOLLAPSE_H */
