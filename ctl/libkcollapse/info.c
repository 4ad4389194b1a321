// SPDX-License-Identifier: MIT
/*
 * KCOLLAPSE_CMD_GET_INFO.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <linux/kcollapse.h>

#include "internal.h"

int kc_info_parse(struct nlattr **tb, void *arg)
{
	struct kc_info *info = arg;

	if (!tb[KCOLLAPSE_A_PROTO_VERSION])
		return -EPROTO;
	info->proto_version = nla_get_u32(tb[KCOLLAPSE_A_PROTO_VERSION]);
	kc_copy_string(info->module_version, sizeof(info->module_version),
		       tb[KCOLLAPSE_A_MODULE_VERSION]);
	kc_copy_string(info->kernel_release, sizeof(info->kernel_release),
		       tb[KCOLLAPSE_A_KERNEL_RELEASE]);
	kc_copy_string(info->engine, sizeof(info->engine),
		       tb[KCOLLAPSE_A_ENGINE]);
	kc_copy_string(info->engine_status, sizeof(info->engine_status),
		       tb[KCOLLAPSE_A_ENGINE_STATUS]);
	if (tb[KCOLLAPSE_A_ENGINE_AVAILABLE])
		info->engine_available =
			nla_get_u8(tb[KCOLLAPSE_A_ENGINE_AVAILABLE]) != 0;
	if (tb[KCOLLAPSE_A_OPS_IN_FLIGHT])
		info->ops_in_flight = nla_get_u32(tb[KCOLLAPSE_A_OPS_IN_FLIGHT]);
	if (tb[KCOLLAPSE_A_OPS_MAX])
		info->ops_max = nla_get_u32(tb[KCOLLAPSE_A_OPS_MAX]);
	return 0;
}

int kc_get_info(struct kc_handle *h, struct kc_info *info)
{
	struct nl_msg *msg;

	if (!h)
		return kc_ret(-EINVAL);
	kc_clear_error(h);
	if (!info) {
		kc_set_error(h, "kc_get_info: no place to store the answer");
		return kc_ret(-EINVAL);
	}
	memset(info, 0, sizeof(*info));

	msg = kc_msg_new(h, KCOLLAPSE_CMD_GET_INFO);
	if (!msg)
		return kc_ret(-ENOMEM);
	return kc_ret(kc_transact(h, msg, kc_info_parse, info));
}
