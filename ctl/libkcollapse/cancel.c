// SPDX-License-Identifier: MIT
/*
 * KCOLLAPSE_CMD_CANCEL.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <linux/kcollapse.h>

#include "internal.h"

int kc_cancel_parse(struct nlattr **tb, void *arg)
{
	unsigned int *cancelled = arg;

	if (!tb[KCOLLAPSE_A_CANCELLED])
		return -EPROTO;
	*cancelled = nla_get_u32(tb[KCOLLAPSE_A_CANCELLED]);
	return 0;
}

int kc_cancel(struct kc_handle *h, pid_t pid, unsigned int *cancelled)
{
	unsigned int n = 0;
	struct nl_msg *msg;
	int err;

	if (!h)
		return kc_ret(-EINVAL);
	kc_clear_error(h);
	if (pid <= 0) {
		kc_set_error(h, "pid must be positive");
		return kc_ret(-EINVAL);
	}

	msg = kc_msg_new(h, KCOLLAPSE_CMD_CANCEL);
	if (!msg)
		return kc_ret(-ENOMEM);
	if (nla_put_u32(msg, KCOLLAPSE_A_PID, (uint32_t)pid) < 0) {
		nlmsg_free(msg);
		return kc_ret(-EMSGSIZE);
	}

	err = kc_transact(h, msg, kc_cancel_parse, &n);
	if (err < 0)
		return kc_ret(err);
	if (cancelled)
		*cancelled = n;
	return 0;
}
