// SPDX-License-Identifier: MIT
/*
 * The netlink side without the module: kc_open() failing cleanly, request
 * building, reply and extended-ACK parsing on synthetic messages.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/genetlink.h>
#include <netlink/msg.h>

#include <linux/kcollapse.h>

#include "internal.h"
#include "test.h"

#define FAKE_FAMILY 0x1234

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

void test_open_without_module(void)
{
	struct kc_handle *h = (struct kc_handle *)&h;
	struct kc_handle fake = { .family = FAKE_FAMILY };
	struct kc_collapse_req req = { .pid = 1 };
	struct kc_result res;
	struct kc_info info;
	int fds, i, err;

	if (access("/sys/module/kcollapse", F_OK) == 0) {
		/* Not a host without the module: check the happy path. */
		CHECK_INT(kc_open(&h), 0);
		CHECK_INT(kc_get_info(h, &info), 0);
		CHECK_INT(info.proto_version, KCOLLAPSE_GENL_VERSION);
		kc_close(h);
		return;
	}

	fds = count_fds();
	for (i = 0; i < 3; i++) {
		h = (struct kc_handle *)&h;
		errno = 0;
		err = kc_open(&h);
		CHECK_INT(err, -ENOENT);
		CHECK_INT(errno, ENOENT);
		CHECK(h == NULL);
		CHECK_STR(kc_last_error(NULL),
			  "kcollapse module not loaded (family \"kcollapse\" not found)");
	}
	CHECK_INT(count_fds(), fds);	/* no socket leaked */

	CHECK_INT(kc_open(NULL), -EINVAL);
	kc_close(NULL);
	CHECK_INT(kc_collapse(NULL, &req, &res), -EINVAL);
	CHECK_INT(kc_cancel(NULL, 1, NULL), -EINVAL);
	CHECK_INT(kc_get_info(NULL, &info), -EINVAL);
	CHECK_STR(kc_last_error(&fake), "");

	/* Requests are checked before anything is sent. */
	req.pid = 0;
	CHECK_INT(kc_collapse(&fake, &req, &res), -EINVAL);
	CHECK(strstr(kc_last_error(&fake), "pid") != NULL);
	req.pid = 1;
	req.flags = 1u << 7;
	CHECK_INT(kc_collapse(&fake, &req, &res), -EINVAL);
	CHECK(strstr(kc_last_error(&fake), "flags") != NULL);
	req.flags = 0;
	req.min_fill = KCOLLAPSE_WINDOW_PAGES + 1;
	CHECK_INT(kc_collapse(&fake, &req, &res), -EINVAL);
	CHECK(strstr(kc_last_error(&fake), "min_fill") != NULL);
	req.min_fill = 0;
	req.range_start = 0x1000;
	req.range_len = UINT64_MAX - 0xfff;
	CHECK_INT(kc_collapse(&fake, &req, &res), -EINVAL);
	CHECK(strstr(kc_last_error(&fake), "wraps") != NULL);
	CHECK_INT(kc_collapse(&fake, NULL, &res), -EINVAL);
	CHECK_INT(kc_cancel(&fake, -5, NULL), -EINVAL);
	CHECK_INT(kc_get_info(&fake, NULL), -EINVAL);
}

/* An NLMSG_ERROR as the kernel builds it, with or without the request. */
static struct nl_msg *error_msg(int error, bool capped, const char *text,
				int miss_type)
{
	struct nl_msg *msg;
	struct nlmsgerr *e;
	int flags = NLM_F_ACK_TLVS | (capped ? NLM_F_CAPPED : 0);

	msg = nlmsg_alloc_simple(NLMSG_ERROR, flags);
	if (!msg)
		return NULL;
	e = nlmsg_reserve(msg, sizeof(*e), NLMSG_ALIGNTO);
	if (!e)
		goto err;
	e->error = error;
	e->msg.nlmsg_type = FAKE_FAMILY;
	e->msg.nlmsg_len = NLMSG_HDRLEN + 6;	/* payload not 4-aligned */
	if (!capped && !nlmsg_reserve(msg, 6, NLMSG_ALIGNTO))
		goto err;
	if (text && nla_put_string(msg, NLMSGERR_ATTR_MSG, text) < 0)
		goto err;
	if (nla_put_u32(msg, NLMSGERR_ATTR_OFFS, 20) < 0)
		goto err;
	if (miss_type && nla_put_u32(msg, NLMSGERR_ATTR_MISS_TYPE,
				     (uint32_t)miss_type) < 0)
		goto err;
	return msg;
err:
	nlmsg_free(msg);
	return NULL;
}

void test_extack_parse(void)
{
	static const char text[] = "kcollapse: caller lacks CAP_SYS_ADMIN";
	struct nl_msg *msg;
	char buf[KC_ERR_LEN], small[10];

	msg = error_msg(-EPERM, false, text, 0);
	CHECK(msg != NULL);
	CHECK_U64(kc_extack_msg(nlmsg_hdr(msg), buf, sizeof(buf)),
		  strlen(text));
	CHECK_STR(buf, text);
	CHECK_U64(kc_extack_msg(nlmsg_hdr(msg), small, sizeof(small)), 9);
	CHECK_STR(small, "kcollapse");
	/* Without the TLV flag there is nothing to read. */
	nlmsg_hdr(msg)->nlmsg_flags &= (uint16_t)~NLM_F_ACK_TLVS;
	strcpy(buf, "untouched");
	CHECK_U64(kc_extack_msg(nlmsg_hdr(msg), buf, sizeof(buf)), 0);
	CHECK_STR(buf, "untouched");
	nlmsg_free(msg);

	msg = error_msg(-EINVAL, true, text, 0);
	CHECK(msg != NULL);
	CHECK_U64(kc_extack_msg(nlmsg_hdr(msg), buf, sizeof(buf)),
		  strlen(text));
	CHECK_STR(buf, text);
	nlmsg_free(msg);

	msg = error_msg(-EINVAL, false, NULL, KCOLLAPSE_A_PID);
	CHECK(msg != NULL);
	CHECK(kc_extack_msg(nlmsg_hdr(msg), buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "missing attribute 1");
	nlmsg_free(msg);

	/* A request length pointing past the message is ignored safely. */
	msg = error_msg(-EINVAL, false, text, 0);
	CHECK(msg != NULL);
	((struct nlmsgerr *)nlmsg_data(nlmsg_hdr(msg)))->msg.nlmsg_len = 4096;
	CHECK_U64(kc_extack_msg(nlmsg_hdr(msg), buf, sizeof(buf)), 0);
	((struct nlmsgerr *)nlmsg_data(nlmsg_hdr(msg)))->msg.nlmsg_len = 3;
	CHECK_U64(kc_extack_msg(nlmsg_hdr(msg), buf, sizeof(buf)), 0);
	nlmsg_free(msg);
}

/* What the module's policy will accept, with the exact sizes. */
static const struct nla_policy kernel_policy[KCOLLAPSE_A_MAX + 1] = {
	[KCOLLAPSE_A_PID]		= { .type = NLA_U32 },
	[KCOLLAPSE_A_RANGE_START]	= { .type = NLA_U64 },
	[KCOLLAPSE_A_RANGE_LEN]		= { .type = NLA_U64 },
	[KCOLLAPSE_A_DEADLINE_MS]	= { .type = NLA_U32 },
	[KCOLLAPSE_A_MIN_FILL]		= { .type = NLA_U32 },
	[KCOLLAPSE_A_MARK_HUGEPAGE]	= { .type = NLA_FLAG },
	[KCOLLAPSE_A_DRY_RUN]		= { .type = NLA_FLAG },
	[KCOLLAPSE_A_MODE]		= { .type = NLA_U32 },
	[KCOLLAPSE_A_AUTO_THRESHOLD]	= { .type = NLA_U32 },
	[KCOLLAPSE_A_HOT_FIRST]		= { .type = NLA_FLAG },
};

static int attr_len(int type)
{
	switch (type) {
	case KCOLLAPSE_A_PID:
	case KCOLLAPSE_A_DEADLINE_MS:
	case KCOLLAPSE_A_MIN_FILL:
	case KCOLLAPSE_A_MODE:
	case KCOLLAPSE_A_AUTO_THRESHOLD:
		return 4;
	case KCOLLAPSE_A_RANGE_START:
	case KCOLLAPSE_A_RANGE_LEN:
		return 8;
	case KCOLLAPSE_A_MARK_HUGEPAGE:
	case KCOLLAPSE_A_DRY_RUN:
	case KCOLLAPSE_A_HOT_FIRST:
		return 0;
	default:
		return -1;
	}
}

/* Parse a built request as the kernel would; returns the attribute count. */
static int check_request(struct nl_msg *msg, struct nlattr **tb)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct nlattr *a;
	int rem, n = 0;

	CHECK_INT(nlh->nlmsg_type, FAKE_FAMILY);
	/* no ack: a COLLAPSE's would come before its result */
	CHECK(!(nlh->nlmsg_flags & NLM_F_ACK));
	CHECK_INT(g->cmd, KCOLLAPSE_CMD_COLLAPSE);
	CHECK_INT(g->version, KCOLLAPSE_GENL_VERSION);
	CHECK_INT(genlmsg_parse(nlh, 0, tb, KCOLLAPSE_A_MAX, kernel_policy), 0);
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		if (attr_len(nla_type(a)) != nla_len(a))
			t_fail(__FILE__, __LINE__, "attribute %d has length %d",
			       nla_type(a), nla_len(a));
		n++;
	}
	return n;
}

void test_collapse_request(void)
{
	struct kc_handle h = { .family = FAKE_FAMILY };
	struct kc_collapse_req req = {
		.pid = 42, .range_start = 0x7f0000000000ULL,
		.range_len = 4ULL << 20, .deadline_ms = 1500, .min_fill = 64,
		.flags = KC_MARK_HUGEPAGE | KC_DRY_RUN,
	};
	struct nlattr *tb[KCOLLAPSE_A_MAX + 1];
	struct nl_msg *msg = NULL;

	CHECK_INT(kc_collapse_build(&h, &req, &msg), 0);
	CHECK(msg != NULL);
	if (!msg)
		return;
	CHECK_INT(check_request(msg, tb), 7);
	CHECK_U64(nla_get_u32(tb[KCOLLAPSE_A_PID]), 42);
	CHECK_U64(nla_get_u64(tb[KCOLLAPSE_A_RANGE_START]), 0x7f0000000000ULL);
	CHECK_U64(nla_get_u64(tb[KCOLLAPSE_A_RANGE_LEN]), 4ULL << 20);
	CHECK_U64(nla_get_u32(tb[KCOLLAPSE_A_DEADLINE_MS]), 1500);
	CHECK_U64(nla_get_u32(tb[KCOLLAPSE_A_MIN_FILL]), 64);
	CHECK(nla_get_flag(tb[KCOLLAPSE_A_MARK_HUGEPAGE]));
	CHECK(nla_get_flag(tb[KCOLLAPSE_A_DRY_RUN]));
	nlmsg_free(msg);

	/* Defaults are left to the module: only the pid is sent. */
	memset(&req, 0, sizeof(req));
	req.pid = 7;
	CHECK_INT(kc_collapse_build(&h, &req, &msg), 0);
	CHECK(msg != NULL);
	if (!msg)
		return;
	CHECK_INT(check_request(msg, tb), 1);
	CHECK_U64(nla_get_u32(tb[KCOLLAPSE_A_PID]), 7);
	nlmsg_free(msg);

	/* Mode and threshold, sent when set. */
	req.mode = KC_MODE_AUTO;
	req.auto_threshold = 300;
	CHECK_INT(kc_collapse_build(&h, &req, &msg), 0);
	CHECK(msg != NULL);
	if (!msg)
		return;
	CHECK_INT(check_request(msg, tb), 3);
	CHECK_U64(nla_get_u32(tb[KCOLLAPSE_A_MODE]), KCOLLAPSE_MODE_AUTO);
	CHECK_U64(nla_get_u32(tb[KCOLLAPSE_A_AUTO_THRESHOLD]), 300);
	nlmsg_free(msg);
	CHECK(!tb[KCOLLAPSE_A_HOT_FIRST]);

	/* HOT_FIRST, a flag sent iff hot_first, in pack and auto modes. */
	req.auto_threshold = 0;
	req.hot_first = true;
	for (req.mode = KC_MODE_PACK; req.mode <= KC_MODE_AUTO; req.mode++) {
		CHECK_INT(kc_check_collapse_req(&h, &req), 0);
		CHECK_INT(kc_collapse_build(&h, &req, &msg), 0);
		CHECK(msg != NULL);
		if (!msg)
			return;
		CHECK_INT(check_request(msg, tb), 3);
		CHECK(tb[KCOLLAPSE_A_HOT_FIRST] &&
		      nla_get_flag(tb[KCOLLAPSE_A_HOT_FIRST]));
		CHECK_U64(nla_get_u32(tb[KCOLLAPSE_A_MODE]), req.mode);
		nlmsg_free(msg);
	}
	/* ... refused in collapse mode, before anything is sent. */
	req.mode = KC_MODE_COLLAPSE;
	CHECK_INT(kc_check_collapse_req(&h, &req), -EINVAL);
	CHECK(strstr(kc_last_error(&h), "hot_first needs pack or auto mode") !=
	      NULL);
	req.hot_first = false;
	req.auto_threshold = 300;

	/* A threshold outside auto mode, or an unknown mode, never leaves. */
	req.mode = KC_MODE_PACK;
	CHECK_INT(kc_check_collapse_req(&h, &req), -EINVAL);
	req.mode = 3;
	req.auto_threshold = 0;
	CHECK_INT(kc_check_collapse_req(&h, &req), -EINVAL);
	req.mode = KC_MODE_AUTO;
	req.auto_threshold = 513;
	CHECK_INT(kc_check_collapse_req(&h, &req), -EINVAL);
}

static struct nl_msg *reply_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, 0, 1, FAKE_FAMILY, 0, 0, cmd,
				KCOLLAPSE_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static struct nl_msg *collapse_reply(bool short_u64)
{
	struct nl_msg *msg = reply_msg(KCOLLAPSE_CMD_COLLAPSE);
	struct nlattr *nest;
	uint32_t future = 5;
	int a, ok = 0;

	if (!msg)
		return NULL;
	ok |= nla_put_u32(msg, KCOLLAPSE_A_PID, 4242);
	nest = nla_nest_start(msg, KCOLLAPSE_A_RESULT);
	if (!nest)
		goto err;
	nest->nla_type |= NLA_F_NESTED;		/* as the kernel sets it */
	for (a = KCOLLAPSE_R_REGIONS; a <= KCOLLAPSE_R_MAX; a++) {
		if (a == KCOLLAPSE_R_STOP_REASON || a == KCOLLAPSE_R_PAD ||
		    a == KCOLLAPSE_R_MODE || a == KCOLLAPSE_R_AFTER_COMPLETE)
			continue;
		/* nla_put_u64_64bit() may put a PAD attribute first. */
		ok |= nla_put(msg, KCOLLAPSE_R_PAD, 0, NULL);
		if (short_u64 && a == KCOLLAPSE_R_CHUNKS)
			ok |= nla_put_u32(msg, a, 1);
		else
			ok |= nla_put_u64(msg, a, 1000 + (uint64_t)a);
	}
	ok |= nla_put_u32(msg, KCOLLAPSE_R_STOP_REASON, KCOLLAPSE_STOP_CANCELLED);
	ok |= nla_put_u32(msg, KCOLLAPSE_R_MODE, KCOLLAPSE_MODE_AUTO);
	ok |= nla_put_u32(msg, KCOLLAPSE_R_AFTER_COMPLETE, 0);
	/* An attribute from a newer module is ignored. */
	ok |= nla_put(msg, KCOLLAPSE_R_MAX + 3, sizeof(future), &future);
	nla_nest_end(msg, nest);
	if (ok < 0)
		goto err;
	return msg;
err:
	nlmsg_free(msg);
	return NULL;
}

/* What a reply of a module without KCOLLAPSE_R_AFTER_COMPLETE parses to. */
static bool old_module_after_complete(bool frames_after)
{
	struct nl_msg *msg = reply_msg(KCOLLAPSE_CMD_COLLAPSE);
	struct nlattr *tb[KCOLLAPSE_A_MAX + 1];
	struct kc_result res = { .after_complete = !frames_after };
	struct nlattr *nest;
	int ok = 0;

	if (!msg)
		return !frames_after;
	nest = nla_nest_start(msg, KCOLLAPSE_A_RESULT);
	ok |= nest ? 0 : -1;
	ok |= nla_put_u64(msg, KCOLLAPSE_R_CHUNKS, 3);
	if (frames_after)
		ok |= nla_put_u64(msg, KCOLLAPSE_R_FRAMES_AFTER, 0);
	if (nest)
		nla_nest_end(msg, nest);
	if (ok < 0 || kc_reply_parse(nlmsg_hdr(msg), tb) < 0 ||
	    kc_collapse_parse(tb, &res) < 0)
		res.after_complete = !frames_after;
	nlmsg_free(msg);
	return res.after_complete;
}

/*
 * An older module's reply, with only PACK_LEFT_BUSY (3) and AFTER_COMPLETE,
 * parsed into @res (which holds what a newer field must not keep).
 * False if it could not be built or parsed.
 */
static bool old_module_parse(struct kc_result *res)
{
	struct nl_msg *msg = reply_msg(KCOLLAPSE_CMD_COLLAPSE);
	struct nlattr *tb[KCOLLAPSE_A_MAX + 1];
	struct nlattr *nest;
	int ok = 0;

	if (!msg)
		return false;
	nest = nla_nest_start(msg, KCOLLAPSE_A_RESULT);
	ok |= nest ? 0 : -1;
	ok |= nla_put_u64(msg, KCOLLAPSE_R_PACK_LEFT_BUSY, 3);
	ok |= nla_put_u32(msg, KCOLLAPSE_R_AFTER_COMPLETE, 1);
	if (nest)
		nla_nest_end(msg, nest);
	ok |= kc_reply_parse(nlmsg_hdr(msg), tb) < 0 ? -1 : 0;
	ok |= !ok && kc_collapse_parse(tb, res) < 0 ? -1 : 0;
	nlmsg_free(msg);
	return ok == 0 && res->pack_left_busy == 3;
}

/* pack_left_locked parsed from a reply without KCOLLAPSE_R_PACK_LEFT_LOCKED. */
static uint64_t old_module_pack_left_locked(void)
{
	struct kc_result res = { .pack_left_locked = 77 };

	return old_module_parse(&res) ? res.pack_left_locked : 77;
}

/* The working set parsed from a reply without KCOLLAPSE_R_HOT_*. */
static bool old_module_hot(void)
{
	struct kc_result res = {
		.hot_pages_before = 7, .hot_frames_before = 7,
		.hot_pages_after = 7, .hot_frames_after = 7,
		.hot_measured = true,
	};

	return old_module_parse(&res) && !res.hot_measured &&
	       !res.hot_pages_before && !res.hot_frames_before &&
	       !res.hot_pages_after && !res.hot_frames_after;
}

void test_reply_parse(void)
{
	struct nlattr *tb[KCOLLAPSE_A_MAX + 1];
	struct kc_result res;
	struct kc_info info;
	unsigned int cancelled = 99;
	char long_status[400];
	struct nl_msg *msg;

	msg = collapse_reply(false);
	CHECK(msg != NULL);
	if (!msg)
		return;
	CHECK_INT(kc_reply_parse(nlmsg_hdr(msg), tb), 0);
	memset(&res, 0, sizeof(res));
	CHECK_INT(kc_collapse_parse(tb, &res), 0);
	CHECK_INT(res.pid, 4242);
	CHECK_U64(res.regions, 1000 + KCOLLAPSE_R_REGIONS);
	CHECK_U64(res.chunks, 1000 + KCOLLAPSE_R_CHUNKS);
	CHECK_U64(res.candidates, 1000 + KCOLLAPSE_R_CANDIDATES);
	CHECK_U64(res.collapsed, 1000 + KCOLLAPSE_R_COLLAPSED);
	CHECK_U64(res.already_huge, 1000 + KCOLLAPSE_R_ALREADY_HUGE);
	CHECK_U64(res.skipped_empty, 1000 + KCOLLAPSE_R_SKIPPED_EMPTY);
	CHECK_U64(res.skipped_sparse, 1000 + KCOLLAPSE_R_SKIPPED_SPARSE);
	CHECK_U64(res.failed_nomem, 1000 + KCOLLAPSE_R_FAILED_NOMEM);
	CHECK_U64(res.failed_busy, 1000 + KCOLLAPSE_R_FAILED_BUSY);
	CHECK_U64(res.failed_again, 1000 + KCOLLAPSE_R_FAILED_AGAIN);
	CHECK_U64(res.failed_ineligible, 1000 + KCOLLAPSE_R_FAILED_INELIGIBLE);
	CHECK_U64(res.failed_other, 1000 + KCOLLAPSE_R_FAILED_OTHER);
	CHECK_U64(res.elapsed_ns, 1000 + KCOLLAPSE_R_ELAPSED_NS);
	CHECK_U64(res.frames_before, 1000 + KCOLLAPSE_R_FRAMES_BEFORE);
	CHECK_U64(res.frames_after, 1000 + KCOLLAPSE_R_FRAMES_AFTER);
	CHECK_U64(res.present_before, 1000 + KCOLLAPSE_R_PRESENT_BEFORE);
	CHECK_U64(res.present_after, 1000 + KCOLLAPSE_R_PRESENT_AFTER);
	CHECK_U64(res.marked, 1000 + KCOLLAPSE_R_MARKED);
	CHECK_U64(res.stop_reason, KC_STOP_CANCELLED);
	CHECK_U64(res.mode, KC_MODE_AUTO);
	CHECK_U64(res.pack_moved, 1000 + KCOLLAPSE_R_PACK_MOVED);
	CHECK_U64(res.pack_left_pinned, 1000 + KCOLLAPSE_R_PACK_LEFT_PINNED);
	CHECK_U64(res.pack_left_shared, 1000 + KCOLLAPSE_R_PACK_LEFT_SHARED);
	CHECK_U64(res.pack_left_thp, 1000 + KCOLLAPSE_R_PACK_LEFT_THP);
	CHECK_U64(res.pack_left_dense, 1000 + KCOLLAPSE_R_PACK_LEFT_DENSE);
	CHECK_U64(res.pack_left_busy, 1000 + KCOLLAPSE_R_PACK_LEFT_BUSY);
	CHECK_U64(res.pack_dense_frames, 1000 + KCOLLAPSE_R_PACK_DENSE_FRAMES);
	CHECK_U64(res.pack_dest_frames, 1000 + KCOLLAPSE_R_PACK_DEST_FRAMES);
	CHECK_U64(res.pack_bytes_copied, 1000 + KCOLLAPSE_R_PACK_BYTES_COPIED);
	CHECK_U64(res.pack_alloc_failed, 1000 + KCOLLAPSE_R_PACK_ALLOC_FAILED);
	CHECK_U64(res.skipped_opted_out, 1000 + KCOLLAPSE_R_SKIPPED_OPTED_OUT);
	CHECK_U64(res.pack_left_locked, 1000 + KCOLLAPSE_R_PACK_LEFT_LOCKED);
	CHECK_U64(res.hot_pages_before, 1000 + KCOLLAPSE_R_HOT_PAGES_BEFORE);
	CHECK_U64(res.hot_frames_before, 1000 + KCOLLAPSE_R_HOT_FRAMES_BEFORE);
	CHECK_U64(res.hot_pages_after, 1000 + KCOLLAPSE_R_HOT_PAGES_AFTER);
	CHECK_U64(res.hot_frames_after, 1000 + KCOLLAPSE_R_HOT_FRAMES_AFTER);
	CHECK(res.hot_measured);
	CHECK(!res.after_complete);
	nlmsg_free(msg);

	/* An older module: no AFTER_COMPLETE, FRAMES_AFTER means measured. */
	CHECK(old_module_after_complete(true));
	CHECK(!old_module_after_complete(false));
	/* ... and no PACK_LEFT_LOCKED: 0, whatever the struct held. */
	CHECK_U64(old_module_pack_left_locked(), 0);
	/* ... and no HOT_*: not measured, all 0. */
	CHECK(old_module_hot());

	/* A statistic of the wrong size is a malformed reply. */
	msg = collapse_reply(true);
	CHECK(msg != NULL);
	if (msg) {
		CHECK_INT(kc_reply_parse(nlmsg_hdr(msg), tb), 0);
		CHECK_INT(kc_collapse_parse(tb, &res), -EPROTO);
		nlmsg_free(msg);
	}

	/* A reply without a result nest too. */
	msg = reply_msg(KCOLLAPSE_CMD_COLLAPSE);
	CHECK(msg && nla_put_u32(msg, KCOLLAPSE_A_PID, 1) == 0);
	if (msg) {
		CHECK_INT(kc_reply_parse(nlmsg_hdr(msg), tb), 0);
		CHECK_INT(kc_collapse_parse(tb, &res), -EPROTO);
		nlmsg_free(msg);
	}

	msg = reply_msg(KCOLLAPSE_CMD_CANCEL);
	CHECK(msg && nla_put_u32(msg, KCOLLAPSE_A_PID, 1) == 0 &&
	      nla_put_u32(msg, KCOLLAPSE_A_CANCELLED, 1) == 0);
	if (msg) {
		CHECK_INT(kc_reply_parse(nlmsg_hdr(msg), tb), 0);
		CHECK_INT(kc_cancel_parse(tb, &cancelled), 0);
		CHECK_U64(cancelled, 1);
		nlmsg_free(msg);
	}

	memset(long_status, 'x', sizeof(long_status) - 1);
	long_status[sizeof(long_status) - 1] = '\0';
	msg = reply_msg(KCOLLAPSE_CMD_GET_INFO);
	CHECK(msg &&
	      nla_put_string(msg, KCOLLAPSE_A_MODULE_VERSION, "0.1.0") == 0 &&
	      nla_put_u32(msg, KCOLLAPSE_A_PROTO_VERSION, 1) == 0 &&
	      nla_put_string(msg, KCOLLAPSE_A_KERNEL_RELEASE, "6.1.0") == 0 &&
	      nla_put_string(msg, KCOLLAPSE_A_ENGINE, "do_madvise") == 0 &&
	      nla_put_u8(msg, KCOLLAPSE_A_ENGINE_AVAILABLE, 1) == 0 &&
	      nla_put_string(msg, KCOLLAPSE_A_ENGINE_STATUS, long_status) == 0 &&
	      nla_put_u32(msg, KCOLLAPSE_A_OPS_IN_FLIGHT, 3) == 0 &&
	      nla_put_u32(msg, KCOLLAPSE_A_OPS_MAX, 8) == 0);
	if (msg) {
		CHECK_INT(kc_reply_parse(nlmsg_hdr(msg), tb), 0);
		CHECK_INT(kc_info_parse(tb, &info), 0);
		CHECK_STR(info.module_version, "0.1.0");
		CHECK_INT(info.proto_version, 1);
		CHECK_STR(info.kernel_release, "6.1.0");
		CHECK_STR(info.engine, "do_madvise");
		CHECK(info.engine_available);
		CHECK_U64(strlen(info.engine_status), sizeof(info.engine_status) - 1);
		CHECK_INT(info.ops_in_flight, 3);
		CHECK_INT(info.ops_max, 8);
		nlmsg_free(msg);
	}

	/* A string without its NUL is rejected by the policy. */
	msg = reply_msg(KCOLLAPSE_CMD_GET_INFO);
	CHECK(msg && nla_put(msg, KCOLLAPSE_A_ENGINE, 3, "abc") == 0);
	if (msg) {
		CHECK(kc_reply_parse(nlmsg_hdr(msg), tb) < 0);
		nlmsg_free(msg);
	}
}

/*
 * The whole request path against a family every kernel has: the generic
 * netlink controller. A reply (no ack is asked for), an error with an
 * extended-ACK message, and an error without one.
 */
struct ctrl_answer {
	uint16_t id;
	char name[32];
};

static const struct nla_policy ctrl_policy[CTRL_ATTR_MAX + 1] = {
	[CTRL_ATTR_FAMILY_ID]	= { .type = NLA_U16 },
	[CTRL_ATTR_FAMILY_NAME]	= { .type = NLA_STRING },
};

static int ctrl_parse(struct nlattr **tb, void *arg)
{
	struct ctrl_answer *a = arg;

	if (!tb[CTRL_ATTR_FAMILY_ID] || !tb[CTRL_ATTR_FAMILY_NAME])
		return -EPROTO;
	a->id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	kc_copy_string(a->name, sizeof(a->name), tb[CTRL_ATTR_FAMILY_NAME]);
	return 0;
}

static int ctrl_getfamily(struct kc_handle *h, const char *name,
			  struct ctrl_answer *a)
{
	const struct kc_reply reply = {
		.cmd = CTRL_CMD_NEWFAMILY,
		.maxtype = CTRL_ATTR_MAX,
		.policy = ctrl_policy,
		.parse = ctrl_parse,
		.arg = a,
	};
	struct nl_msg *msg = kc_msg_new(h, CTRL_CMD_GETFAMILY);

	if (!msg)
		return -ENOMEM;
	if (nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, name) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return kc_transact_reply(h, msg, &reply);
}

void test_genl_ctrl_roundtrip(void)
{
	struct ctrl_answer a = { 0 };
	struct kc_handle *h = calloc(1, sizeof(*h));
	char long_name[200];
	int i;

	CHECK(h != NULL);
	if (!h)
		return;
	CHECK_INT(kc_connect(h), 0);
	if (!h->sk) {
		free(h);
		return;
	}
	h->family = GENL_ID_CTRL;

	/* Several round trips on one socket: sequence numbers stay in step. */
	for (i = 0; i < 3; i++) {
		memset(&a, 0, sizeof(a));
		CHECK_INT(ctrl_getfamily(h, "nlctrl", &a), 0);
		CHECK_INT(a.id, GENL_ID_CTRL);
		CHECK_STR(a.name, "nlctrl");
		CHECK_STR(kc_last_error(h), "");
	}

	/* Rejected by the kernel's policy: an extended-ACK message. */
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	CHECK_INT(ctrl_getfamily(h, long_name, &a), -EINVAL);
	if (!*kc_last_error(h))
		t_fail(__FILE__, __LINE__, "no extended-ACK message");
	printf("#   kernel said: \"%s\"\n", kc_last_error(h));

	/* A plain error without a message: the errno is spelled out. */
	CHECK_INT(ctrl_getfamily(h, "kc-nosuch", &a), -ENOENT);
	CHECK(strstr(kc_last_error(h), "policy") == NULL);
	CHECK(*kc_last_error(h) != '\0');
	printf("#   kernel said: \"%s\"\n", kc_last_error(h));

	/* A reply of an unexpected command is refused, the socket stays usable. */
	{
		const struct kc_reply wrong = {
			.cmd = CTRL_CMD_GETFAMILY, .maxtype = CTRL_ATTR_MAX,
			.policy = ctrl_policy, .parse = ctrl_parse, .arg = &a,
		};
		struct nl_msg *msg = kc_msg_new(h, CTRL_CMD_GETFAMILY);

		CHECK(msg && nla_put_string(msg, CTRL_ATTR_FAMILY_NAME,
					    "nlctrl") == 0);
		if (msg)
			CHECK_INT(kc_transact_reply(h, msg, &wrong), -EPROTO);
	}
	CHECK_INT(ctrl_getfamily(h, "nlctrl", &a), 0);
	kc_close(h);
}
