// SPDX-License-Identifier: GPL-2.0
/*
 * From a validated COLLAPSE request to a struct kc_request. The policies
 * do all type and range checks; what they cannot express is checked here.
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <uapi/linux/kcollapse.h>
#include <kunit/visibility.h>
#include "request.h"
#include "target.h"
#include "window.h"

/* A file descriptor: an int, never negative (not const: 6.1 wants it so). */
static struct netlink_range_validation kc_fd_range = {
	.max = INT_MAX,
};

const struct nla_policy kc_collapse_policy[KC_COLLAPSE_MAXATTR + 1] = {
	[KCOLLAPSE_A_PID]		= NLA_POLICY_MIN(NLA_U32, 1),
	[KCOLLAPSE_A_RANGE_START]	= { .type = NLA_U64 },
	[KCOLLAPSE_A_RANGE_LEN]		= NLA_POLICY_MIN(NLA_U64, 1),
	[KCOLLAPSE_A_DEADLINE_MS]	= { .type = NLA_U32 },
	[KCOLLAPSE_A_MIN_FILL]		= NLA_POLICY_RANGE(NLA_U32, 1,
							   KC_WINDOW_PAGES),
	[KCOLLAPSE_A_MARK_HUGEPAGE]	= { .type = NLA_FLAG },
	[KCOLLAPSE_A_DRY_RUN]		= { .type = NLA_FLAG },
	[KCOLLAPSE_A_MODE]		= NLA_POLICY_MAX(NLA_U32,
							 KCOLLAPSE_MODE_MAX),
	[KCOLLAPSE_A_AUTO_THRESHOLD]	= NLA_POLICY_RANGE(NLA_U32, 1,
							   KC_WINDOW_PAGES),
	[KCOLLAPSE_A_NO_WAIT]		= { .type = NLA_FLAG },
	[KCOLLAPSE_A_PIDFD]		= NLA_POLICY_FULL_RANGE(NLA_U32, &kc_fd_range),
	[KCOLLAPSE_A_HOT_FIRST]		= { .type = NLA_FLAG },
};
EXPORT_SYMBOL_IF_KUNIT(kc_collapse_policy);

const struct nla_policy kc_cancel_policy[KC_CANCEL_MAXATTR + 1] = {
	[KCOLLAPSE_A_PID]		= NLA_POLICY_MIN(NLA_U32, 1),
	[KCOLLAPSE_A_PIDFD]		= NLA_POLICY_FULL_RANGE(NLA_U32, &kc_fd_range),
};
EXPORT_SYMBOL_IF_KUNIT(kc_cancel_policy);

const struct nla_policy kc_get_result_policy[KC_GET_RESULT_MAXATTR + 1] = {
	[KCOLLAPSE_A_OP_ID]		= NLA_POLICY_MIN(NLA_U64, 1),
};

int kc_request_target(struct genl_info *info, struct kc_target *t)
{
	struct nlattr **a = info->attrs;

	if (!a[KCOLLAPSE_A_PIDFD] && GENL_REQ_ATTR_CHECK(info, KCOLLAPSE_A_PID))
		return -EINVAL;
	t->pid_attr = a[KCOLLAPSE_A_PID];
	t->pidfd_attr = a[KCOLLAPSE_A_PIDFD];
	t->pid = t->pid_attr ? nla_get_u32(t->pid_attr) : 0;
	t->pidfd = t->pidfd_attr ? (int)nla_get_u32(t->pidfd_attr) : -1;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kc_request_target);

int kc_request_parse(struct genl_info *info, struct kc_request *req)
{
	struct nlattr **a = info->attrs;
	u64 start = 0, end = ULONG_MAX;
	struct kc_target t;
	int err;

	err = kc_request_target(info, &t);
	if (err)
		return err;
	req->pid = t.pid;
	req->pidfd = t.pidfd;
	if (a[KCOLLAPSE_A_RANGE_START])
		start = nla_get_u64(a[KCOLLAPSE_A_RANGE_START]);
	if (start & ~PAGE_MASK) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[KCOLLAPSE_A_RANGE_START],
				    "range start must be page aligned");
		return -EINVAL;
	}
	/* As madvise(2): the length is rounded up to whole pages. */
	if (a[KCOLLAPSE_A_RANGE_LEN] &&
	    (check_add_overflow(start, nla_get_u64(a[KCOLLAPSE_A_RANGE_LEN]),
				&end) || end > PAGE_ALIGN_DOWN(ULONG_MAX))) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[KCOLLAPSE_A_RANGE_LEN],
				    "range wraps around the address space");
		return -EINVAL;
	}
	if (a[KCOLLAPSE_A_RANGE_LEN])
		end = PAGE_ALIGN(end);
	req->start = start;
	req->end = end;
	req->deadline_ms = a[KCOLLAPSE_A_DEADLINE_MS] ?
		nla_get_u32(a[KCOLLAPSE_A_DEADLINE_MS]) : 0;
	req->min_fill = a[KCOLLAPSE_A_MIN_FILL] ?
		nla_get_u32(a[KCOLLAPSE_A_MIN_FILL]) : 1;
	req->mark_hugepage = nla_get_flag(a[KCOLLAPSE_A_MARK_HUGEPAGE]);
	req->dry_run = nla_get_flag(a[KCOLLAPSE_A_DRY_RUN]);
	req->no_wait = nla_get_flag(a[KCOLLAPSE_A_NO_WAIT]);
	req->mode = a[KCOLLAPSE_A_MODE] ? nla_get_u32(a[KCOLLAPSE_A_MODE]) :
					  KCOLLAPSE_MODE_COLLAPSE;
	req->auto_threshold = KCOLLAPSE_AUTO_THRESHOLD_DEFAULT;
	if (a[KCOLLAPSE_A_AUTO_THRESHOLD]) {
		if (req->mode != KCOLLAPSE_MODE_AUTO) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    a[KCOLLAPSE_A_AUTO_THRESHOLD],
					    "an auto threshold needs auto mode");
			return -EINVAL;
		}
		req->auto_threshold = nla_get_u32(a[KCOLLAPSE_A_AUTO_THRESHOLD]);
	}
	req->hot_first = nla_get_flag(a[KCOLLAPSE_A_HOT_FIRST]);
	if (req->hot_first && req->mode == KCOLLAPSE_MODE_COLLAPSE) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[KCOLLAPSE_A_HOT_FIRST],
				    "hot-first orders what pack moves: it needs pack or auto mode");
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kc_request_parse);
