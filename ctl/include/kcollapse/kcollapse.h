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
 */
#ifndef KCOLLAPSE_KCOLLAPSE_H
#define KCOLLAPSE_KCOLLAPSE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KC_API __attribute__((visibility("default")))

/* Library version (not the protocol version). */
#define KC_VERSION_STRING "0.1.0"

/* Size of the engine name buffer in struct kc_result. */
#define KC_ENGINE_NAME_LEN 16

/* kc_collapse_req.flags */
#define KC_MARK_HUGEPAGE (1u << 0)	/* MADV_HUGEPAGE the covered VMAs first */
#define KC_DRY_RUN	 (1u << 1)	/* classify only, change nothing */

/* Why a collapse stopped; same values as enum kcollapse_stop_reason. */
enum kc_stop_reason {
	KC_STOP_DONE = 0,	/* every window reached */
	KC_STOP_CANCELLED,	/* kc_cancel() */
	KC_STOP_DEADLINE,	/* deadline_ms passed */
	KC_STOP_CALLER_KILLED,	/* the calling process got a fatal signal */
	KC_STOP_TARGET_EXITED,	/* the target's address space went away */
	KC_STOP_UNLOADING,	/* the module is being removed */
};

/* Opaque connection to the kcollapse generic netlink family. */
struct kc_handle;

struct kc_collapse_req {
	pid_t pid;		/* any thread id of the target, caller's pid ns */
	uint64_t range_start;	/* start of the covered range (default 0) */
	uint64_t range_len;	/* length of the range; 0 = to the end;
				 * start + len must not wrap past 2^64 */
	uint32_t deadline_ms;	/* 0 = no deadline */
	uint32_t min_fill;	/* 1..512 present 4 KiB pages; 0 = module default */
	uint32_t flags;		/* KC_MARK_HUGEPAGE | KC_DRY_RUN */
};

/*
 * Statistics of one collapse. Every window reached is counted in exactly
 * one outcome:
 *   chunks = collapsed + already_huge + skipped_empty + skipped_sparse +
 *            failed_nomem + failed_busy + failed_again +
 *            failed_ineligible + failed_other
 * Fields the kernel did not send are 0.
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
	uint64_t marked;		/* VMAs given MADV_HUGEPAGE */
	uint32_t stop_reason;		/* enum kc_stop_reason */
	pid_t pid;			/* pid the kernel reported */
	char engine[KC_ENGINE_NAME_LEN];/* "kmod" (later: "userspace") */
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
 * kernel does the work in the context of this call's sendmsg(); a fatal
 * signal to the calling process stops it after the current window (stop
 * reason "caller-killed", the statistics die with the process).
 * Returns 0 whenever the operation ran, including when it stopped early
 * (see res->stop_reason). Errors: -EINVAL (bad request, kernel thread),
 * -ESRCH (no such process or no address space), -EPERM (needs
 * CAP_SYS_ADMIN), -EBUSY (already running on that address space, or too
 * many operations), -EOPNOTSUPP (engine unavailable), -ENOMEM, or a
 * transport error.
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
 * not VM_NOHUGEPAGE, hugetlb, I/O or PFN-mapped; [stack], [vdso], [vvar],
 * [vsyscall] and shared mappings are not. Pages counted: present, not shared
 * (pagemap bit 61 clear) and not the shared zero page (a read fault maps
 * it: it holds no data). Needs CAP_SYS_ADMIN to see physical frame
 * numbers: returns -EPERM if every present page reads PFN 0. Also -ESRCH
 * (no such process, or it exited), -EACCES, -ENOMEM, -EIO.
 * Cost: 8 bytes of pagemap are read per 4 KiB page of the eligible
 * mappings in the range, present or not (1/512 of their size).
 * Thread safe; the message for an error is in kc_last_error(NULL).
 */
KC_API int kc_frames(pid_t pid, uint64_t range_start, uint64_t range_len,
		     struct kc_frames *out);

/*
 * kc_stop_reason_name() - "done", "cancelled", "deadline", "caller-killed",
 * "target-exited", "unloading", or "unknown".
 */
KC_API const char *kc_stop_reason_name(uint32_t reason);

/*
 * kc_result_skipped() - the orchestrator's "skipped": windows reached that
 * are neither collapsed nor already huge (chunks - collapsed -
 * already_huge, 0 if the counts are inconsistent).
 */
KC_API uint64_t kc_result_skipped(const struct kc_result *res);

#ifdef __cplusplus
}
#endif

#endif /* KCOLLAPSE_KCOLLAPSE_H */
