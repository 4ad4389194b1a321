// SPDX-License-Identifier: MIT
/*
 * kc-nlprobe: send one deliberately malformed (or odd) request to the
 * kcollapse family and print what the kernel answered:
 *
 *     rc=-22 (Invalid argument) msg=missing attribute 1
 *
 * Exit status: 0 if the kernel refused the request, 1 if it accepted it,
 * 2 on a usage or setup error. It reuses libkcollapse's request plumbing
 * (linked statically), so only the message contents are hand-made here.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <linux/kcollapse.h>

#include "internal.h"

struct kc_probe {
	const char *name;
	uint8_t cmd;
	int (*build)(struct nl_msg *msg);
};

static int put_nothing(struct nl_msg *msg)
{
	(void)msg;
	return 0;
}

static int put_pid_u8(struct nl_msg *msg)
{
	return nla_put_u8(msg, KCOLLAPSE_A_PID, 1);
}

static int put_pid_zero(struct nl_msg *msg)
{
	return nla_put_u32(msg, KCOLLAPSE_A_PID, 0);
}

static int put_self(struct nl_msg *msg)
{
	return nla_put_u32(msg, KCOLLAPSE_A_PID, (uint32_t)getpid());
}

static int put_min_fill_0(struct nl_msg *msg)
{
	return put_self(msg) ?: nla_put_u32(msg, KCOLLAPSE_A_MIN_FILL, 0);
}

static int put_min_fill_513(struct nl_msg *msg)
{
	return put_self(msg) ?: nla_put_u32(msg, KCOLLAPSE_A_MIN_FILL, 513);
}

static int put_unknown_attr(struct nl_msg *msg)
{
	return put_self(msg) ?: nla_put_u32(msg, KCOLLAPSE_A_MAX + 20, 1);
}

static int put_reply_only_attr(struct nl_msg *msg)
{
	return put_self(msg) ?: nla_put_u32(msg, KCOLLAPSE_A_OPS_MAX, 1);
}

static int put_range_wrap(struct nl_msg *msg)
{
	return put_self(msg) ?:
	       nla_put_u64(msg, KCOLLAPSE_A_RANGE_START, UINT64_MAX - 4095) ?:
	       nla_put_u64(msg, KCOLLAPSE_A_RANGE_LEN, 8192);
}

static int put_range_len_0(struct nl_msg *msg)
{
	return put_self(msg) ?: nla_put_u64(msg, KCOLLAPSE_A_RANGE_LEN, 0);
}

static int put_flag_with_data(struct nl_msg *msg)
{
	return put_self(msg) ?: nla_put_u32(msg, KCOLLAPSE_A_DRY_RUN, 1);
}

static int put_deadline_u64(struct nl_msg *msg)
{
	return put_self(msg) ?: nla_put_u64(msg, KCOLLAPSE_A_DEADLINE_MS, 1);
}

static int put_mode_3(struct nl_msg *msg)
{
	return put_self(msg) ?: nla_put_u32(msg, KCOLLAPSE_A_MODE, 3);
}

static int put_threshold_no_auto(struct nl_msg *msg)
{
	return put_self(msg) ?:
	       nla_put_u32(msg, KCOLLAPSE_A_MODE, KCOLLAPSE_MODE_PACK) ?:
	       nla_put_u32(msg, KCOLLAPSE_A_AUTO_THRESHOLD, 100);
}

static int put_threshold_0(struct nl_msg *msg)
{
	return put_self(msg) ?:
	       nla_put_u32(msg, KCOLLAPSE_A_MODE, KCOLLAPSE_MODE_AUTO) ?:
	       nla_put_u32(msg, KCOLLAPSE_A_AUTO_THRESHOLD, 0);
}

static const struct kc_probe kc_probes[] = {
	{ "collapse-no-pid", KCOLLAPSE_CMD_COLLAPSE, put_nothing },
	{ "collapse-pid-u8", KCOLLAPSE_CMD_COLLAPSE, put_pid_u8 },
	{ "collapse-pid-zero", KCOLLAPSE_CMD_COLLAPSE, put_pid_zero },
	{ "collapse-min-fill-0", KCOLLAPSE_CMD_COLLAPSE, put_min_fill_0 },
	{ "collapse-min-fill-513", KCOLLAPSE_CMD_COLLAPSE, put_min_fill_513 },
	{ "collapse-unknown-attr", KCOLLAPSE_CMD_COLLAPSE, put_unknown_attr },
	{ "collapse-reply-attr", KCOLLAPSE_CMD_COLLAPSE, put_reply_only_attr },
	{ "collapse-range-wrap", KCOLLAPSE_CMD_COLLAPSE, put_range_wrap },
	{ "collapse-range-len-0", KCOLLAPSE_CMD_COLLAPSE, put_range_len_0 },
	{ "collapse-flag-with-data", KCOLLAPSE_CMD_COLLAPSE, put_flag_with_data },
	{ "collapse-deadline-u64", KCOLLAPSE_CMD_COLLAPSE, put_deadline_u64 },
	{ "collapse-mode-3", KCOLLAPSE_CMD_COLLAPSE, put_mode_3 },
	{ "collapse-threshold-no-auto", KCOLLAPSE_CMD_COLLAPSE,
	  put_threshold_no_auto },
	{ "collapse-threshold-0", KCOLLAPSE_CMD_COLLAPSE, put_threshold_0 },
	{ "cancel-no-pid", KCOLLAPSE_CMD_CANCEL, put_nothing },
	{ "cancel-pid-u8", KCOLLAPSE_CMD_CANCEL, put_pid_u8 },
	{ "info-with-attr", KCOLLAPSE_CMD_GET_INFO, put_self },
	{ "unknown-command", KCOLLAPSE_CMD_MAX + 10, put_nothing },
	{ "unspec-command", KCOLLAPSE_CMD_UNSPEC, put_nothing },
};

static int kc_accept_any(struct nlattr **tb, void *arg)
{
	(void)tb;
	(void)arg;
	return 0;
}

static int kc_probe_run(struct kc_handle *h, const struct kc_probe *p)
{
	struct nl_msg *msg = kc_msg_new(h, p->cmd);
	int rc;

	if (!msg || p->build(msg) < 0) {
		nlmsg_free(msg);
		fprintf(stderr, "kc-nlprobe: cannot build %s\n", p->name);
		return 2;
	}
	rc = kc_transact(h, msg, kc_accept_any, NULL);
	printf("%s: rc=%d (%s) msg=%s\n", p->name, rc,
	       rc ? strerror(-rc) : "accepted", kc_last_error(h));
	return rc < 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct kc_handle *h;
	size_t i;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: kc-nlprobe CASE|list\n");
		return 2;
	}
	for (i = 0; i < sizeof(kc_probes) / sizeof(kc_probes[0]); i++) {
		if (!strcmp(argv[1], "list")) {
			puts(kc_probes[i].name);
			continue;
		}
		if (strcmp(argv[1], kc_probes[i].name))
			continue;
		if (kc_open(&h) < 0) {
			fprintf(stderr, "kc-nlprobe: %s\n", kc_last_error(NULL));
			return 2;
		}
		rc = kc_probe_run(h, &kc_probes[i]);
		kc_close(h);
		return rc;
	}
	if (strcmp(argv[1], "list")) {
		fprintf(stderr, "kc-nlprobe: unknown case '%s' (try 'list')\n",
			argv[1]);
		return 2;
	}
	return 0;
}
