// SPDX-License-Identifier: GPL-2.0
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/stddef.h>
#include <linux/utsname.h>
#include <net/genetlink.h>
#include <uapi/linux/kcollapse.h>
#include "compat.h"
#include "netlink.h"
#include "job.h"
#include "ops.h"
#include "request.h"
#include "target.h"

static struct genl_family kc_family;

/* Touching another process's memory is an admin's act, not a net admin's. */
static int kc_nl_require_admin(struct sk_buff *skb,
			       struct netlink_ext_ack *extack)
{
	if (netlink_capable(skb, CAP_SYS_ADMIN))
		return 0;
	NL_SET_ERR_MSG(extack,
		       "CAP_SYS_ADMIN in the initial user namespace is required");
	return -EPERM;
}

#define KC_STAT(attr, field) { attr, offsetof(struct kc_stats, field) }

static const struct {
	u16 attr;
	size_t offset;
} kc_stat_attrs[] = {
	KC_STAT(KCOLLAPSE_R_REGIONS, regions),
	KC_STAT(KCOLLAPSE_R_CHUNKS, chunks),
	KC_STAT(KCOLLAPSE_R_CANDIDATES, candidates),
	KC_STAT(KCOLLAPSE_R_COLLAPSED, outcome[KC_OUT_COLLAPSED]),
	KC_STAT(KCOLLAPSE_R_ALREADY_HUGE, outcome[KC_OUT_ALREADY_HUGE]),
	KC_STAT(KCOLLAPSE_R_SKIPPED_EMPTY, outcome[KC_OUT_EMPTY]),
	KC_STAT(KCOLLAPSE_R_SKIPPED_SPARSE, outcome[KC_OUT_SPARSE]),
	KC_STAT(KCOLLAPSE_R_FAILED_NOMEM, outcome[KC_OUT_NOMEM]),
	KC_STAT(KCOLLAPSE_R_FAILED_BUSY, outcome[KC_OUT_BUSY]),
	KC_STAT(KCOLLAPSE_R_FAILED_AGAIN, outcome[KC_OUT_AGAIN]),
	KC_STAT(KCOLLAPSE_R_FAILED_INELIGIBLE, outcome[KC_OUT_INELIGIBLE]),
	KC_STAT(KCOLLAPSE_R_FAILED_OTHER, outcome[KC_OUT_OTHER]),
	KC_STAT(KCOLLAPSE_R_ELAPSED_NS, elapsed_ns),
	KC_STAT(KCOLLAPSE_R_FRAMES_BEFORE, frames_before),
	KC_STAT(KCOLLAPSE_R_FRAMES_AFTER, frames_after),
	KC_STAT(KCOLLAPSE_R_PRESENT_BEFORE, present_before),
	KC_STAT(KCOLLAPSE_R_PRESENT_AFTER, present_after),
	KC_STAT(KCOLLAPSE_R_MARKED, marked),
	KC_STAT(KCOLLAPSE_R_PACK_MOVED, pack.moved),
	KC_STAT(KCOLLAPSE_R_PACK_LEFT_PINNED, pack.left[KC_LEFT_PINNED]),
	KC_STAT(KCOLLAPSE_R_PACK_LEFT_SHARED, pack.left[KC_LEFT_SHARED]),
	KC_STAT(KCOLLAPSE_R_PACK_LEFT_THP, pack.left[KC_LEFT_THP]),
	KC_STAT(KCOLLAPSE_R_PACK_LEFT_DENSE, pack.left[KC_LEFT_DENSE]),
	KC_STAT(KCOLLAPSE_R_PACK_LEFT_BUSY, pack.left[KC_LEFT_BUSY]),
	KC_STAT(KCOLLAPSE_R_PACK_LEFT_LOCKED, pack.left[KC_LEFT_LOCKED]),
	KC_STAT(KCOLLAPSE_R_HOT_PAGES_BEFORE, hot_pages_before),
	KC_STAT(KCOLLAPSE_R_HOT_FRAMES_BEFORE, hot_frames_before),
	KC_STAT(KCOLLAPSE_R_HOT_PAGES_AFTER, hot_pages_after),
	KC_STAT(KCOLLAPSE_R_HOT_FRAMES_AFTER, hot_frames_after),
	KC_STAT(KCOLLAPSE_R_PACK_DENSE_FRAMES, pack.dense_frames),
	KC_STAT(KCOLLAPSE_R_PACK_DEST_FRAMES, pack.dest_frames),
	KC_STAT(KCOLLAPSE_R_PACK_BYTES_COPIED, pack.bytes_copied),
	KC_STAT(KCOLLAPSE_R_PACK_ALLOC_FAILED, pack.alloc_failed),
	KC_STAT(KCOLLAPSE_R_SKIPPED_OPTED_OUT, outcome[KC_OUT_OPTED_OUT]),
};

static int kc_nl_put_stats(struct sk_buff *msg, const struct kc_stats *st)
{
	struct nlattr *nest = nla_nest_start(msg, KCOLLAPSE_A_RESULT);
	const u64 *val;
	size_t i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(kc_stat_attrs); i++) {
		val = (const void *)st + kc_stat_attrs[i].offset;
		if (nla_put_u64_64bit(msg, kc_stat_attrs[i].attr, *val,
				      KCOLLAPSE_R_PAD))
			return -EMSGSIZE;
	}
	if (nla_put_u32(msg, KCOLLAPSE_R_STOP_REASON, st->stop_reason) ||
	    nla_put_u32(msg, KCOLLAPSE_R_MODE, st->mode) ||
	    nla_put_u32(msg, KCOLLAPSE_R_AFTER_COMPLETE, st->after_complete))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* A reply skb with its header, or NULL (out of memory, said in extack). */
static struct sk_buff *kc_nl_reply_new(struct genl_info *info, void **hdr)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (msg) {
		*hdr = genlmsg_put_reply(msg, info, &kc_family, 0,
					 info->genlhdr->cmd);
		if (*hdr)
			return msg;
		nlmsg_free(msg);
	}
	NL_SET_ERR_MSG(info->extack, "out of memory for the reply");
	return NULL;
}

static int kc_nl_reply_send(struct genl_info *info, struct sk_buff *msg,
			    void *hdr, int err)
{
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* PID and the RESULT nest of a finished operation (the COLLAPSE reply). */
static int kc_nl_put_result(struct sk_buff *msg, const struct kc_job *job)
{
	return nla_put_u32(msg, KCOLLAPSE_A_PID, job->req.pid) ?:
	       kc_nl_put_stats(msg, &job->st);
}

/*
 * A waited job ended: its reply goes to the requesting socket, with the
 * request's sequence number, as the handler's own reply would have.
 */
static void kc_nl_collapse_reply(struct kc_job *job)
{
	struct netlink_ext_ack extack = { ._msg = job->err_msg };
	u32 portid = NETLINK_CB(job->skb).portid;
	int err = job->err;
	struct sk_buff *msg;
	void *hdr;

	if (!err) {
		err = -ENOMEM;
		msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
		hdr = msg ? genlmsg_put(msg, portid, job->nlh->nlmsg_seq,
					&kc_family, 0, KCOLLAPSE_CMD_COLLAPSE) :
			    NULL;
		if (hdr && !kc_nl_put_result(msg, job)) {
			genlmsg_end(msg, hdr);
			/* the caller may be gone: nobody to tell then */
			genlmsg_unicast(&init_net, msg, portid);
			return;
		}
		nlmsg_free(msg);
		NL_SET_ERR_MSG(&extack,
			       "out of memory for the reply: the operation ran, its statistics are lost");
	}
	netlink_ack(job->skb, job->nlh, err, &extack);
}

static int kc_nl_collapse(struct sk_buff *skb, struct genl_info *info)
{
	struct kc_request req;
	struct sk_buff *msg;
	void *hdr;
	u64 id;
	int err;

	err = kc_nl_require_admin(skb, info->extack);
	if (!err)
		err = kc_request_parse(info, &req);
	if (!err)
		err = kc_job_start(skb, info, &req,
				   req.no_wait ? NULL : kc_nl_collapse_reply,
				   &id);
	/* a waited job replies when it ends */
	if (err || !req.no_wait)
		return err;

	msg = kc_nl_reply_new(info, &hdr);
	if (!msg) {
		NL_SET_ERR_MSG(info->extack,
			       "out of memory for the reply: the operation runs, cancel it by pid");
		return -ENOMEM;
	}
	err = nla_put_u32(msg, KCOLLAPSE_A_PID, req.pid) ?:
	      nla_put_u64_64bit(msg, KCOLLAPSE_A_OP_ID, id, KCOLLAPSE_A_PAD);
	return kc_nl_reply_send(info, msg, hdr, err);
}

static int kc_nl_get_result(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	struct kc_job *job;
	void *hdr;
	u64 id;
	int err;

	err = kc_nl_require_admin(skb, info->extack);
	if (err)
		return err;
	if (GENL_REQ_ATTR_CHECK(info, KCOLLAPSE_A_OP_ID))
		return -EINVAL;
	id = nla_get_u64(info->attrs[KCOLLAPSE_A_OP_ID]);
	job = kc_jobs_take(id);
	if (IS_ERR(job)) {
		if (PTR_ERR(job) == -EINPROGRESS)
			NL_SET_ERR_MSG(info->extack,
				       "the operation is still running");
		else
			NL_SET_ERR_MSG(info->extack,
				       "no such operation, or its result was fetched or forgotten");
		return PTR_ERR(job);
	}
	err = job->err;
	if (err) {
		/* the message the waiting caller would have had */
		info->extack->_msg = job->err_msg;
		goto out;
	}
	msg = kc_nl_reply_new(info, &hdr);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	err = kc_nl_put_result(msg, job) ?:
	      nla_put_u64_64bit(msg, KCOLLAPSE_A_OP_ID, id, KCOLLAPSE_A_PAD);
	err = kc_nl_reply_send(info, msg, hdr, err);
out:
	kc_job_free(job);
	return err;
}

static int kc_nl_cancel(struct sk_buff *skb, struct genl_info *info)
{
	struct kc_target t;
	struct mm_struct *mm;
	struct sk_buff *msg;
	unsigned int n;
	void *hdr;
	int err;

	err = kc_nl_require_admin(skb, info->extack);
	if (err)
		return err;
	err = kc_request_target(info, &t);
	if (err)
		return err;
	mm = kc_target_mm(&t, info->extack);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	n = kc_ops_cancel(mm);
	mmdrop(mm);

	msg = kc_nl_reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;
	err = nla_put_u32(msg, KCOLLAPSE_A_PID, t.pid) ?:
	      nla_put_u32(msg, KCOLLAPSE_A_CANCELLED, n);
	return kc_nl_reply_send(info, msg, hdr, err);
}

static int kc_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = kc_nl_reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;
	err = nla_put_string(msg, KCOLLAPSE_A_MODULE_VERSION, KCOLLAPSE_VERSION) ?:
	      nla_put_u32(msg, KCOLLAPSE_A_PROTO_VERSION, KCOLLAPSE_GENL_VERSION) ?:
	      nla_put_string(msg, KCOLLAPSE_A_KERNEL_RELEASE,
			     init_utsname()->release) ?:
	      nla_put_string(msg, KCOLLAPSE_A_ENGINE, KC_ENGINE_SYMBOL) ?:
	      nla_put_u8(msg, KCOLLAPSE_A_ENGINE_AVAILABLE,
			 kc_engine_available()) ?:
	      nla_put_string(msg, KCOLLAPSE_A_ENGINE_STATUS,
			     kc_engine_status()) ?:
	      nla_put_u32(msg, KCOLLAPSE_A_OPS_IN_FLIGHT, kc_ops_in_flight()) ?:
	      nla_put_u32(msg, KCOLLAPSE_A_OPS_MAX, KCOLLAPSE_MAX_OPS) ?:
	      nla_put_string(msg, KCOLLAPSE_A_ACCESS_STATUS,
			     kc_access_status());
	return kc_nl_reply_send(info, msg, hdr, err);
}

static const struct genl_ops kc_genl_ops[] = {
	{
		.cmd = KCOLLAPSE_CMD_COLLAPSE,
		.doit = kc_nl_collapse,
		.policy = kc_collapse_policy,
		.maxattr = KC_COLLAPSE_MAXATTR,
	},
	{
		.cmd = KCOLLAPSE_CMD_CANCEL,
		.doit = kc_nl_cancel,
		.policy = kc_cancel_policy,
		.maxattr = KC_CANCEL_MAXATTR,
	},
	{
		/* no policy: any attribute is rejected */
		.cmd = KCOLLAPSE_CMD_GET_INFO,
		.doit = kc_nl_get_info,
	},
	{
		.cmd = KCOLLAPSE_CMD_GET_RESULT,
		.doit = kc_nl_get_result,
		.policy = kc_get_result_policy,
		.maxattr = KC_GET_RESULT_MAXATTR,
	},
};

/*
 * parallel_ops: no handler takes genl_mutex (none needs it; a COLLAPSE's
 * handler only starts its job). netnsok stays false: initial namespace
 * only, which is why replies from jobs go through &init_net.
 */
static struct genl_family kc_family __ro_after_init = {
	.name = KCOLLAPSE_GENL_NAME,
	.version = KCOLLAPSE_GENL_VERSION,
	.module = THIS_MODULE,
	.ops = kc_genl_ops,
	.n_ops = ARRAY_SIZE(kc_genl_ops),
	.parallel_ops = true,
};

/* A socket closed: the operations it was waiting for stop (ops.c). */
static int kc_nl_released(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC &&
	    net_eq(n->net, &init_net) && n->portid)
		kc_ops_caller_gone(n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block kc_nl_notifier = {
	.notifier_call = kc_nl_released,
};

int kc_netlink_init(void)
{
	int err = netlink_register_notifier(&kc_nl_notifier);

	if (err)
		return err;
	err = genl_register_family(&kc_family);
	if (err)
		netlink_unregister_notifier(&kc_nl_notifier);
	return err;
}

/*
 * Handlers return quickly (operations run in jobs, which the caller
 * stopped and waited for first), so unregistering the family, which takes
 * the genetlink callback lock for writing, waits for nothing long.
 */
void kc_netlink_exit(void)
{
	genl_unregister_family(&kc_family);
	netlink_unregister_notifier(&kc_nl_notifier);
}
