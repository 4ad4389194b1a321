// SPDX-License-Identifier: MIT
/*
 * KCOLLAPSE_CMD_COLLAPSE.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <linux/kcollapse.h>

#include "internal.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

_Static_assert((int)KC_STOP_DONE == (int)KCOLLAPSE_STOP_DONE &&
	       (int)KC_STOP_CANCELLED == (int)KCOLLAPSE_STOP_CANCELLED &&
	       (int)KC_STOP_DEADLINE == (int)KCOLLAPSE_STOP_DEADLINE &&
	       (int)KC_STOP_CALLER_KILLED == (int)KCOLLAPSE_STOP_CALLER_KILLED &&
	       (int)KC_STOP_TARGET_EXITED == (int)KCOLLAPSE_STOP_TARGET_EXITED &&
	       (int)KC_STOP_UNLOADING == (int)KCOLLAPSE_STOP_UNLOADING,
	       "enum kc_stop_reason must match enum kcollapse_stop_reason");
_Static_assert((int)KC_MODE_COLLAPSE == (int)KCOLLAPSE_MODE_COLLAPSE &&
	       (int)KC_MODE_PACK == (int)KCOLLAPSE_MODE_PACK &&
	       (int)KC_MODE_AUTO == (int)KCOLLAPSE_MODE_AUTO &&
	       KC_AUTO_THRESHOLD_DEFAULT == KCOLLAPSE_AUTO_THRESHOLD_DEFAULT,
	       "enum kc_mode must match enum kcollapse_mode");

static const struct nla_policy kc_result_policy[KCOLLAPSE_R_MAX + 1] = {
	[KCOLLAPSE_R_REGIONS]		= { .type = NLA_U64 },
	[KCOLLAPSE_R_CHUNKS]		= { .type = NLA_U64 },
	[KCOLLAPSE_R_CANDIDATES]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_COLLAPSED]		= { .type = NLA_U64 },
	[KCOLLAPSE_R_ALREADY_HUGE]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_SKIPPED_EMPTY]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_SKIPPED_SPARSE]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_FAILED_NOMEM]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_FAILED_BUSY]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_FAILED_AGAIN]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_FAILED_INELIGIBLE]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_FAILED_OTHER]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_ELAPSED_NS]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_FRAMES_BEFORE]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_FRAMES_AFTER]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_PRESENT_BEFORE]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_PRESENT_AFTER]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_STOP_REASON]	= { .type = NLA_U32 },
	[KCOLLAPSE_R_MARKED]		= { .type = NLA_U64 },
	[KCOLLAPSE_R_MODE]		= { .type = NLA_U32 },
	[KCOLLAPSE_R_PACK_MOVED]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_PACK_LEFT_PINNED]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_PACK_LEFT_SHARED]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_PACK_LEFT_THP]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_PACK_LEFT_DENSE]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_PACK_LEFT_BUSY]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_PACK_DENSE_FRAMES]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_PACK_DEST_FRAMES]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_PACK_BYTES_COPIED]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_PACK_ALLOC_FAILED]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_SKIPPED_OPTED_OUT]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_AFTER_COMPLETE]	= { .type = NLA_U32 },
	[KCOLLAPSE_R_PACK_LEFT_LOCKED]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_HOT_PAGES_BEFORE]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_HOT_FRAMES_BEFORE]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_HOT_PAGES_AFTER]	= { .type = NLA_U64 },
	[KCOLLAPSE_R_HOT_FRAMES_AFTER]	= { .type = NLA_U64 },
};

/* Where each u64 statistic lands in struct kc_result. */
static const struct {
	int attr;
	size_t offset;
} kc_result_fields[] = {
#define KC_FIELD(a, f) { KCOLLAPSE_R_##a, offsetof(struct kc_result, f) }
	KC_FIELD(REGIONS, regions),
	KC_FIELD(CHUNKS, chunks),
	KC_FIELD(CANDIDATES, candidates),
	KC_FIELD(COLLAPSED, collapsed),
	KC_FIELD(ALREADY_HUGE, already_huge),
	KC_FIELD(SKIPPED_EMPTY, skipped_empty),
	KC_FIELD(SKIPPED_SPARSE, skipped_sparse),
	KC_FIELD(FAILED_NOMEM, failed_nomem),
	KC_FIELD(FAILED_BUSY, failed_busy),
	KC_FIELD(FAILED_AGAIN, failed_again),
	KC_FIELD(FAILED_INELIGIBLE, failed_ineligible),
	KC_FIELD(FAILED_OTHER, failed_other),
	KC_FIELD(ELAPSED_NS, elapsed_ns),
	KC_FIELD(FRAMES_BEFORE, frames_before),
	KC_FIELD(FRAMES_AFTER, frames_after),
	KC_FIELD(PRESENT_BEFORE, present_before),
	KC_FIELD(PRESENT_AFTER, present_after),
	KC_FIELD(MARKED, marked),
	KC_FIELD(PACK_MOVED, pack_moved),
	KC_FIELD(PACK_LEFT_PINNED, pack_left_pinned),
	KC_FIELD(PACK_LEFT_SHARED, pack_left_shared),
	KC_FIELD(PACK_LEFT_THP, pack_left_thp),
	KC_FIELD(PACK_LEFT_DENSE, pack_left_dense),
	KC_FIELD(PACK_LEFT_BUSY, pack_left_busy),
	KC_FIELD(PACK_DENSE_FRAMES, pack_dense_frames),
	KC_FIELD(PACK_DEST_FRAMES, pack_dest_frames),
	KC_FIELD(PACK_BYTES_COPIED, pack_bytes_copied),
	KC_FIELD(PACK_ALLOC_FAILED, pack_alloc_failed),
	KC_FIELD(SKIPPED_OPTED_OUT, skipped_opted_out),
	KC_FIELD(PACK_LEFT_LOCKED, pack_left_locked),
	KC_FIELD(HOT_PAGES_BEFORE, hot_pages_before),
	KC_FIELD(HOT_FRAMES_BEFORE, hot_frames_before),
	KC_FIELD(HOT_PAGES_AFTER, hot_pages_after),
	KC_FIELD(HOT_FRAMES_AFTER, hot_frames_after),
#undef KC_FIELD
};

int kc_collapse_parse(struct nlattr **tb, void *arg)
{
	struct nlattr *rb[KCOLLAPSE_R_MAX + 1];
	struct kc_result *res = arg;
	size_t i;

	if (!tb[KCOLLAPSE_A_RESULT])
		return -EPROTO;
	if (nla_parse_nested(rb, KCOLLAPSE_R_MAX, tb[KCOLLAPSE_A_RESULT],
			     kc_result_policy) < 0)
		return -EPROTO;

	for (i = 0; i < sizeof(kc_result_fields) / sizeof(kc_result_fields[0]);
	     i++) {
		const struct nlattr *a = rb[kc_result_fields[i].attr];
		uint64_t v = a ? nla_get_u64(a) : 0;

		memcpy((char *)res + kc_result_fields[i].offset, &v, sizeof(v));
	}
	if (rb[KCOLLAPSE_R_STOP_REASON])
		res->stop_reason = nla_get_u32(rb[KCOLLAPSE_R_STOP_REASON]);
	if (rb[KCOLLAPSE_R_MODE])
		res->mode = nla_get_u32(rb[KCOLLAPSE_R_MODE]);
	/* Older modules measured after whenever they sent it. */
	if (rb[KCOLLAPSE_R_AFTER_COMPLETE])
		res->after_complete = nla_get_u32(rb[KCOLLAPSE_R_AFTER_COMPLETE]);
	else
		res->after_complete = rb[KCOLLAPSE_R_FRAMES_AFTER] != NULL;
	/* The before measurement is always taken; older modules send none. */
	res->hot_measured = rb[KCOLLAPSE_R_HOT_PAGES_BEFORE] != NULL;
	if (tb[KCOLLAPSE_A_PID])
		res->pid = (pid_t)nla_get_u32(tb[KCOLLAPSE_A_PID]);
	return 0;
}

int kc_check_collapse_req(struct kc_handle *h,
			  const struct kc_collapse_req *req)
{
	if (req->pid <= 0) {
		kc_set_error(h, "pid must be positive");
		return -EINVAL;
	}
	if (req->flags & ~(KC_MARK_HUGEPAGE | KC_DRY_RUN)) {
		kc_set_error(h, "unknown flags 0x%x",
			     req->flags & ~(KC_MARK_HUGEPAGE | KC_DRY_RUN));
		return -EINVAL;
	}
	if (req->range_len && req->range_len > UINT64_MAX - req->range_start) {
		kc_set_error(h, "range wraps around the address space");
		return -EINVAL;
	}
	/* As madvise(2): both engines refuse it alike, the module too. */
	if (req->range_start % (uint64_t)sysconf(_SC_PAGESIZE)) {
		kc_set_error(h, "range start 0x%" PRIx64 " is not page aligned "
			     "(%ld bytes): pass an aligned start (the length "
			     "is rounded up to whole pages)", req->range_start,
			     sysconf(_SC_PAGESIZE));
		return -EINVAL;
	}
	if (req->min_fill > KCOLLAPSE_WINDOW_PAGES) {
		kc_set_error(h, "min_fill must be 1..%d (0 = module default)",
			     KCOLLAPSE_WINDOW_PAGES);
		return -EINVAL;
	}
	if (req->mode > KCOLLAPSE_MODE_MAX) {
		kc_set_error(h, "unknown mode %u", req->mode);
		return -EINVAL;
	}
	if (req->auto_threshold > KCOLLAPSE_WINDOW_PAGES) {
		kc_set_error(h, "auto_threshold must be 1..%d (0 = module "
			     "default)", KCOLLAPSE_WINDOW_PAGES);
		return -EINVAL;
	}
	if (req->auto_threshold && req->mode != KC_MODE_AUTO) {
		kc_set_error(h, "auto_threshold needs auto mode");
		return -EINVAL;
	}
	if (req->hot_first && req->mode == KC_MODE_COLLAPSE) {
		kc_set_error(h, "hot_first needs pack or auto mode (collapse "
			     "mode moves no pages)");
		return -EINVAL;
	}
	return 0;
}

static int kc_put_collapse_req(struct nl_msg *msg,
			       const struct kc_collapse_req *req)
{
	if (nla_put_u32(msg, KCOLLAPSE_A_PID, (uint32_t)req->pid) < 0)
		return -EMSGSIZE;
	if (req->range_start &&
	    nla_put_u64(msg, KCOLLAPSE_A_RANGE_START, req->range_start) < 0)
		return -EMSGSIZE;
	if (req->range_len &&
	    nla_put_u64(msg, KCOLLAPSE_A_RANGE_LEN, req->range_len) < 0)
		return -EMSGSIZE;
	if (req->deadline_ms &&
	    nla_put_u32(msg, KCOLLAPSE_A_DEADLINE_MS, req->deadline_ms) < 0)
		return -EMSGSIZE;
	if (req->min_fill &&
	    nla_put_u32(msg, KCOLLAPSE_A_MIN_FILL, req->min_fill) < 0)
		return -EMSGSIZE;
	if ((req->flags & KC_MARK_HUGEPAGE) &&
	    nla_put_flag(msg, KCOLLAPSE_A_MARK_HUGEPAGE) < 0)
		return -EMSGSIZE;
	if ((req->flags & KC_DRY_RUN) &&
	    nla_put_flag(msg, KCOLLAPSE_A_DRY_RUN) < 0)
		return -EMSGSIZE;
	/* Only when not the default: older modules know no mode. */
	if (req->mode && nla_put_u32(msg, KCOLLAPSE_A_MODE, req->mode) < 0)
		return -EMSGSIZE;
	if (req->auto_threshold &&
	    nla_put_u32(msg, KCOLLAPSE_A_AUTO_THRESHOLD,
			req->auto_threshold) < 0)
		return -EMSGSIZE;
	if (req->hot_first && nla_put_flag(msg, KCOLLAPSE_A_HOT_FIRST) < 0)
		return -EMSGSIZE;
	return 0;
}

int kc_collapse_build(struct kc_handle *h, const struct kc_collapse_req *req,
		      struct nl_msg **out)
{
	struct nl_msg *msg = kc_msg_new(h, KCOLLAPSE_CMD_COLLAPSE);
	int err;

	*out = NULL;
	if (!msg)
		return -ENOMEM;
	err = kc_put_collapse_req(msg, req);
	if (err < 0) {
		nlmsg_free(msg);
		return err;
	}
	*out = msg;
	return 0;
}

/*
 * The target as a pidfd too, where the kernel has them: the module checks
 * that the pid and the pidfd name the same process, so that one whose pid
 * was reused between our open and its lookup is refused, not collapsed.
 * -1 where pidfd_open() cannot name it (a thread id, Linux < 5.3).
 */
static int kc_target_pidfd(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0U);
}

int kc_collapse(struct kc_handle *h, const struct kc_collapse_req *req,
		struct kc_result *res)
{
	struct nl_msg *msg;
	int err, pidfd;

	if (!h)
		return kc_ret(-EINVAL);
	kc_clear_error(h);
	if (!req || !res) {
		kc_set_error(h, "kc_collapse: request and result are required");
		return kc_ret(-EINVAL);
	}
	err = kc_check_collapse_req(h, req);
	if (err < 0)
		return kc_ret(err);

	memset(res, 0, sizeof(*res));
	err = kc_collapse_build(h, req, &msg);
	if (err < 0)
		return kc_ret(err);
	pidfd = kc_target_pidfd(req->pid);
	if (pidfd >= 0 && nla_put_u32(msg, KCOLLAPSE_A_PIDFD, (uint32_t)pidfd) < 0) {
		close(pidfd);
		nlmsg_free(msg);
		return kc_ret(kc_oom(h));
	}

	err = kc_transact(h, msg, kc_collapse_parse, res);
	if (pidfd >= 0)
		close(pidfd);
	if (err < 0)
		return kc_ret(err);
	snprintf(res->engine, sizeof(res->engine), "kmod");
	return 0;
}
