/* SPDX-License-Identifier: GPL-2.0 */
/* Netlink attribute policies and the COLLAPSE request they admit. */
#ifndef _KCOLLAPSE_REQUEST_H
#define _KCOLLAPSE_REQUEST_H

#include <net/genetlink.h>
#include <uapi/linux/kcollapse.h>
#include "collapse.h"

#define KC_COLLAPSE_MAXATTR	KCOLLAPSE_A_AUTO_THRESHOLD
#define KC_CANCEL_MAXATTR	KCOLLAPSE_A_PID

extern const struct nla_policy kc_collapse_policy[KC_COLLAPSE_MAXATTR + 1];
extern const struct nla_policy kc_cancel_policy[KC_CANCEL_MAXATTR + 1];

/*
 * Fill @req from @info->attrs, already validated against
 * kc_collapse_policy. Returns 0 or -EINVAL with a message in @info->extack.
 */
int kc_request_parse(struct genl_info *info, struct kc_request *req);

#endif /* _KCOLLAPSE_REQUEST_H */
