/* SPDX-License-Identifier: GPL-2.0 */
/* Netlink attribute policies and the COLLAPSE request they admit. */
#ifndef _KCOLLAPSE_REQUEST_H
#define _KCOLLAPSE_REQUEST_H

#include <net/genetlink.h>
#include <uapi/linux/kcollapse.h>

#define KC_COLLAPSE_MAXATTR	KCOLLAPSE_A_HOT_FIRST
#define KC_CANCEL_MAXATTR	KCOLLAPSE_A_PIDFD
#define KC_GET_RESULT_MAXATTR	KCOLLAPSE_A_OP_ID

struct kc_request {
	u32 pid;		/* from PID, or the PIDFD's process */
	int pidfd;		/* -1: none */
	unsigned long start;	/* covered range [start, end), page aligned */
	unsigned long end;	/* page aligned, or ULONG_MAX: to the end */
	u32 deadline_ms;	/* 0: none */
	u32 min_fill;		/* 1..KC_WINDOW_PAGES */
	bool mark_hugepage;
	bool dry_run;
	u32 mode;		/* enum kcollapse_mode */
	u32 auto_threshold;	/* 1..KC_WINDOW_PAGES, AUTO mode only */
	bool no_wait;		/* reply at once, result by GET_RESULT */
	bool hot_first;		/* PACK, AUTO: hot pages in blocks of their own */
};

extern const struct nla_policy kc_collapse_policy[KC_COLLAPSE_MAXATTR + 1];
extern const struct nla_policy kc_cancel_policy[KC_CANCEL_MAXATTR + 1];
extern const struct nla_policy
	kc_get_result_policy[KC_GET_RESULT_MAXATTR + 1];

/*
 * Fill @req from @info->attrs, already validated against
 * kc_collapse_policy. Returns 0 or -EINVAL with a message in @info->extack.
 */
int kc_request_parse(struct genl_info *info, struct kc_request *req);

struct kc_target;

/*
 * The target of a COLLAPSE or CANCEL request (KCOLLAPSE_A_PID,
 * KCOLLAPSE_A_PIDFD or both) into @t; -EINVAL, said in the extended ACK,
 * if it names none.
 */
int kc_request_target(struct genl_info *info, struct kc_target *t);

#endif /* _KCOLLAPSE_REQUEST_H */
