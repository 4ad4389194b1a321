// SPDX-License-Identifier: MIT
/*
 * One request, one reply: send a generic netlink request and collect the
 * reply, the error (with its extended-ACK message) or the ack through
 * libnl callbacks that each write into one context.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <linux/kcollapse.h>

#include "internal.h"

/* Top-level attributes the kernel may send in a reply. */
static const struct nla_policy kc_reply_policy[KCOLLAPSE_A_MAX + 1] = {
	[KCOLLAPSE_A_PID]		= { .type = NLA_U32 },
	[KCOLLAPSE_A_RESULT]		= { .type = NLA_NESTED },
	[KCOLLAPSE_A_CANCELLED]		= { .type = NLA_U32 },
	[KCOLLAPSE_A_MODULE_VERSION]	= { .type = NLA_STRING },
	[KCOLLAPSE_A_PROTO_VERSION]	= { .type = NLA_U32 },
	[KCOLLAPSE_A_KERNEL_RELEASE]	= { .type = NLA_STRING },
	[KCOLLAPSE_A_ENGINE]		= { .type = NLA_STRING },
	[KCOLLAPSE_A_ENGINE_AVAILABLE]	= { .type = NLA_U8 },
	[KCOLLAPSE_A_ENGINE_STATUS]	= { .type = NLA_STRING },
	[KCOLLAPSE_A_OPS_IN_FLIGHT]	= { .type = NLA_U32 },
	[KCOLLAPSE_A_OPS_MAX]		= { .type = NLA_U32 },
};

static const struct nla_policy kc_extack_policy[NLMSGERR_ATTR_MAX + 1] = {
	[NLMSGERR_ATTR_MSG]		= { .type = NLA_STRING },
	[NLMSGERR_ATTR_OFFS]		= { .type = NLA_U32 },
	[NLMSGERR_ATTR_MISS_TYPE]	= { .type = NLA_U32 },
};

_Static_assert(KCOLLAPSE_A_MAX < KC_MAX_ATTRS, "KC_MAX_ATTRS too small");

struct kc_ctx {
	struct kc_handle *h;
	const struct kc_reply *reply;
	int err;	/* kernel errno, or reply parsing error */
	bool replied;	/* a valid reply was parsed */
	bool done;	/* reply, error, ack or end of multipart seen */
};

void kc_copy_string(char *dst, size_t len, const struct nlattr *a)
{
	size_t n;

	if (!len)
		return;
	if (!a) {
		dst[0] = '\0';
		return;
	}
	n = strnlen(nla_data(a), (size_t)nla_len(a));
	if (n >= len)
		n = len - 1;
	memcpy(dst, nla_data(a), n);
	dst[n] = '\0';
}

/*
 * The extended-ACK TLVs follow the struct nlmsgerr and, unless the kernel
 * capped the ack, a copy of the request. Copies NLMSGERR_ATTR_MSG (or a
 * note about a missing attribute) into @buf; returns its length, 0 if none.
 */
size_t kc_extack_msg(const struct nlmsghdr *nlh, char *buf, size_t len)
{
	const struct nlmsgerr *e = nlmsg_data(nlh);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || !len)
		return 0;
	if (nlh->nlmsg_len < off)
		return 0;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return 0;
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (nlh->nlmsg_len <= off)
		return 0;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlh + off),
		      (int)(nlh->nlmsg_len - off), kc_extack_policy) < 0)
		return 0;

	if (tb[NLMSGERR_ATTR_MSG])
		kc_copy_string(buf, len, tb[NLMSGERR_ATTR_MSG]);
	else if (tb[NLMSGERR_ATTR_MISS_TYPE])
		snprintf(buf, len, "missing attribute %u",
			 nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));
	else
		return 0;
	return strlen(buf);
}

int kc_reply_parse(struct nlmsghdr *nlh, struct nlattr **tb)
{
	return genlmsg_parse(nlh, 0, tb, KCOLLAPSE_A_MAX, kc_reply_policy);
}

static int kc_valid_cb(struct nl_msg *msg, void *arg)
{
	struct kc_ctx *ctx = arg;
	const struct kc_reply *reply = ctx->reply;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[KC_MAX_ATTRS];
	struct genlmsghdr *gnlh;
	int err;

	if (nlh->nlmsg_type != ctx->h->family)
		return NL_SKIP;
	/* The one reply to our request, right or wrong, ends the wait. */
	err = genlmsg_parse(nlh, 0, tb, reply->maxtype, reply->policy);
	if (err < 0) {
		kc_set_error(ctx->h, "malformed reply from the kernel: %s",
			     nl_geterror(err));
		ctx->err = -EPROTO;
		ctx->done = true;
		return NL_STOP;
	}
	gnlh = nlmsg_data(nlh);
	if (gnlh->cmd != reply->cmd) {
		kc_set_error(ctx->h, "unexpected reply command %u (expected %u)",
			     gnlh->cmd, reply->cmd);
		ctx->err = -EPROTO;
		ctx->done = true;
		return NL_STOP;
	}
	err = reply->parse(tb, reply->arg);
	if (err < 0) {
		kc_set_error(ctx->h, "malformed reply from the kernel");
		ctx->err = err;
		ctx->done = true;
		return NL_STOP;
	}
	ctx->replied = true;
	ctx->done = true;
	return NL_STOP;
}

static int kc_error_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct kc_ctx *ctx = arg;

	(void)nla;
	ctx->err = e->error < 0 ? e->error : -EPROTO;
	/*
	 * Refusals before the module's handler (netlink's own) carry no text;
	 * ENOENT there means the family went away since it was resolved.
	 */
	if (kc_extack_msg(nlh, ctx->h->err, sizeof(ctx->h->err)) == 0) {
		if (ctx->err == -ENOENT)
			kc_set_error(ctx->h, "generic netlink family not found: "
				     "the kcollapse module is not loaded (any "
				     "more)");
		else
			kc_set_error(ctx->h, "the kernel refused the request: %s",
				     strerror(-ctx->err));
	}
	ctx->done = true;
	return NL_STOP;
}

static int kc_ack_cb(struct nl_msg *msg, void *arg)
{
	struct kc_ctx *ctx = arg;

	/* A successful ack may still carry a warning. */
	kc_extack_msg(nlmsg_hdr(msg), ctx->h->err, sizeof(ctx->h->err));
	ctx->done = true;
	return NL_STOP;
}

static int kc_finish_cb(struct nl_msg *msg, void *arg)
{
	struct kc_ctx *ctx = arg;

	(void)msg;
	ctx->done = true;
	return NL_STOP;
}

struct nl_msg *kc_msg_new(struct kc_handle *h, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg) {
		kc_oom(h);
		return NULL;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, h->family, 0,
			 0, cmd, KCOLLAPSE_GENL_VERSION)) {
		nlmsg_free(msg);
		kc_oom(h);
		return NULL;
	}
	return msg;
}

/*
 * Receive until the reply or the error for our request. A COLLAPSE's
 * reply comes when its operation ends, maybe seconds later: block for
 * it, and never give up on EINTR or EAGAIN. Killing the caller closes
 * the socket, which stops the operation.
 */
static int kc_receive(struct kc_handle *h, struct nl_cb *cb,
		      struct kc_ctx *ctx)
{
	while (!ctx->done) {
		int err = nl_recvmsgs(h->sk, cb);

		if (ctx->done)
			break;
		if (err == -NLE_INTR || err == -NLE_AGAIN)
			continue;
		if (err < 0) {
			kc_set_error(h, "netlink receive failed: %s",
				     nl_geterror(err));
			return kc_nlerr_to_errno(err);
		}
	}
	return 0;
}

int kc_transact(struct kc_handle *h, struct nl_msg *msg, kc_parse_fn parse,
		void *arg)
{
	const struct kc_reply reply = {
		.cmd = genlmsg_hdr(nlmsg_hdr(msg))->cmd,
		.maxtype = KCOLLAPSE_A_MAX,
		.policy = kc_reply_policy,
		.parse = parse,
		.arg = arg,
	};

	return kc_transact_reply(h, msg, &reply);
}

int kc_transact_reply(struct kc_handle *h, struct nl_msg *msg,
		      const struct kc_reply *reply)
{
	struct kc_ctx ctx = { .h = h, .reply = reply };
	struct nl_cb *cb;
	int err;

	kc_clear_error(h);
	if (reply->maxtype < 0 || reply->maxtype >= KC_MAX_ATTRS) {
		nlmsg_free(msg);
		return -EINVAL;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return kc_oom(h);
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, kc_valid_cb, &ctx);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, kc_ack_cb, &ctx);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, kc_finish_cb, &ctx);
	nl_cb_err(cb, NL_CB_CUSTOM, kc_error_cb, &ctx);

	do
		err = nl_send_auto(h->sk, msg);
	while (err == -NLE_INTR);
	nlmsg_free(msg);
	if (err < 0) {
		kc_set_error(h, "netlink send failed: %s", nl_geterror(err));
		err = kc_nlerr_to_errno(err);
		goto out;
	}

	err = kc_receive(h, cb, &ctx);
	if (err < 0)
		goto out;
	err = ctx.err;
	if (!err && !ctx.replied) {
		kc_set_error(h, "the kernel acknowledged without a reply");
		err = -EPROTO;
	}
out:
	nl_cb_put(cb);
	return err;
}
