// SPDX-License-Identifier: MIT
/*
 * kc-nlfuzz: throws malformed generic-netlink messages at the kcollapse
 * family, interleaved with valid ones that must keep working.
 *
 *   kc-nlfuzz COUNT SEED TARGET_PID
 *
 * Message shapes, chosen per message from a seeded PRNG: random commands
 * and versions with random attributes (types 0..63, any length), the real
 * commands with every attribute given the wrong type or size, nested and
 * NLA_F_NESTED garbage, oversized attributes, messages truncated or with a
 * lying nlmsg_len (sent as raw bytes: malformed framing is the point), and
 * odd header flags. Every 100th message is GET_INFO, which must answer;
 * every 1000th a dry-run COLLAPSE of TARGET_PID, which must succeed when
 * run as root and must be refused otherwise.
 *
 * Unprivileged (euid != 0): any success for COLLAPSE or CANCEL (a data
 * reply naming the command, or a success ack to a message sent as one)
 * counts as a violation. Prints counts by outcome and exits 0 only with no violation
 * and every valid request answered as it should be.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linux/kcollapse.h"

#define SEQ_SLOTS 65536

static struct {
	struct nl_sock *sk;
	int family;
	uint64_t rnd;
	bool root;
	uint32_t seq;
	uint8_t sent_cmd[SEQ_SLOTS];	/* by seq: command, 0xff for probes */
	unsigned long errors[4096];	/* error acks by errno */
	unsigned long ok_acks, data_replies, violations, foreign;
	unsigned long info_sent, info_ok, dry_sent, dry_ok, dry_refused, dry_busy;
	unsigned long by_shape[8];
} g;

enum probe { PROBE_NONE, PROBE_INFO, PROBE_DRY };
static uint8_t probe_of[SEQ_SLOTS];

static uint64_t rnd(void)
{
	g.rnd ^= g.rnd >> 12;
	g.rnd ^= g.rnd << 25;
	g.rnd ^= g.rnd >> 27;
	return g.rnd * 2685821657736338717ULL;
}

static uint32_t pick(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/*
 * A sequence number this run sent among its last SEQ_SLOTS messages. A
 * datagram whose first header claims less than was sent holds further
 * "messages" cut from its payload, and their replies carry whatever bytes
 * stood where a sequence number would be: those are foreign.
 */
static bool seq_ours(uint32_t seq)
{
	return seq && seq <= g.seq && g.seq - seq < SEQ_SLOTS;
}

/*
 * Replies: count them, and judge probes and unprivileged successes. A data
 * reply names its command in its own genetlink header (the module answers
 * with the request's command), so it is judged by that, whatever its
 * sequence number; an ack only by the command sent under its number.
 */
static void account(struct nlmsghdr *h)
{
	uint32_t slot = h->nlmsg_seq % SEQ_SLOTS;
	bool ours = seq_ours(h->nlmsg_seq);
	uint8_t cmd = ours ? g.sent_cmd[slot] : 0;
	enum probe p = ours ? probe_of[slot] : PROBE_NONE;
	bool success, data = false;
	int err = 0;

	if (h->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = nlmsg_data(h);

		err = -e->error;
		if (h->nlmsg_len < (uint32_t)nlmsg_size(sizeof(*e)))
			return;
		if (err) {
			g.errors[err > 0 && err < 4096 ? err : 0]++;
		} else {
			g.ok_acks++;
		}
		success = !err;
	} else if (h->nlmsg_type == g.family) {
		g.data_replies++;
		success = data = true;
		cmd = 0xff;
		if (h->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN))
			cmd = ((struct genlmsghdr *)nlmsg_data(h))->cmd;
	} else {
		return;
	}
	if (!ours)
		g.foreign++;
	if (p == PROBE_INFO && data && cmd == KCOLLAPSE_CMD_GET_INFO)
		g.info_ok++;
	if (p == PROBE_DRY && data && cmd == KCOLLAPSE_CMD_COLLAPSE)
		g.dry_ok++;
	/*
	 * Operations run after their request returns: a random COLLAPSE of
	 * the target sent before may still run, and the probe then finds
	 * it busy. Only root's probes can meet that.
	 */
	if (p == PROBE_DRY && !success && g.root && err == EBUSY)
		g.dry_busy++;
	else if (p == PROBE_DRY && !success)
		g.dry_refused++;
	if (!g.root && success &&
	    (cmd == KCOLLAPSE_CMD_COLLAPSE || cmd == KCOLLAPSE_CMD_CANCEL)) {
		fprintf(stderr, "kc-nlfuzz: VIOLATION: unprivileged cmd %u "
			"succeeded (%s, seq %u%s)\n", cmd,
			data ? "data reply" : "ack", h->nlmsg_seq,
			ours ? "" : ", not one this run sent");
		g.violations++;
	}
}

/* Read whatever replies are queued (the socket is non-blocking). */
static void drain(void)
{
	for (;;) {
		struct sockaddr_nl peer;
		unsigned char *buf = NULL;
		struct nlmsghdr *h;
		int len = nl_recv(g.sk, &peer, &buf, NULL);

		if (len <= 0) {
			free(buf);
			return;
		}
		for (h = (struct nlmsghdr *)buf; nlmsg_ok(h, len);
		     h = nlmsg_next(h, &len))
			account(h);
		free(buf);
	}
}

static uint32_t next_seq(uint8_t cmd, enum probe p)
{
	uint32_t s = ++g.seq;

	g.sent_cmd[s % SEQ_SLOTS] = cmd;
	probe_of[s % SEQ_SLOTS] = (uint8_t)p;
	return s;
}

/* Random bytes of random length as one attribute of type t. */
static void put_random_attr(struct nl_msg *m, int t, size_t maxlen)
{
	size_t len = pick((uint32_t)maxlen + 1), i;
	unsigned char *b = malloc(len + 1);

	if (!b)
		abort();
	for (i = 0; i < len; i++)
		b[i] = (unsigned char)rnd();
	nla_put(m, t, (int)len, b);
	free(b);
}

/* A genl message: header via libnl, attributes chosen by shape. */
static struct nl_msg *build(int shape, uint8_t *cmd_out)
{
	static const int real_cmds[] = {
		KCOLLAPSE_CMD_COLLAPSE, KCOLLAPSE_CMD_CANCEL,
		KCOLLAPSE_CMD_GET_INFO,
	};
	struct nl_msg *m = nlmsg_alloc_size(128 * 1024);
	uint8_t cmd;
	int n, i, flags = NLM_F_REQUEST;
	struct nlattr *nest;

	if (!m)
		abort();
	cmd = shape == 0 ? (uint8_t)pick(256) : (uint8_t)real_cmds[pick(3)];
	if (pick(4) == 0)
		flags |= NLM_F_ACK;
	if (pick(16) == 0)
		flags |= (int)(pick(0x1000) & ~NLM_F_REQUEST) | NLM_F_DUMP;
	if (!genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, g.family, 0, flags, cmd,
			 pick(8) ? KCOLLAPSE_GENL_VERSION : (uint8_t)pick(256)))
		abort();
	switch (shape) {
	case 0:	/* random command, random attributes */
	case 1:	/* real command, random attributes */
		n = (int)pick(12);
		for (i = 0; i < n; i++)
			put_random_attr(m, (int)pick(64), pick(4) ? 16 : 600);
		break;
	case 2:	/* every known attribute with a wrong size */
		for (i = 1; i <= KCOLLAPSE_A_MAX + 4; i++) {
			static const size_t sizes[] = { 0, 1, 2, 3, 5, 7, 9, 16 };

			if (pick(2))
				put_random_attr(m, i, sizes[pick(8)]);
		}
		break;
	case 3:	/* nested garbage, NLA_F_NESTED on anything */
		nest = nla_nest_start(m, (int)(pick(KCOLLAPSE_A_MAX + 2) | (pick(2) ? NLA_F_NESTED : 0)));
		if (!nest)
			break;
		n = (int)pick(6);
		for (i = 0; i < n; i++)
			put_random_attr(m, (int)pick(32) | (pick(2) ? NLA_F_NESTED : 0), 24);
		nla_nest_end(m, nest);
		break;
	case 4:	/* oversized attributes */
		put_random_attr(m, (int)pick(KCOLLAPSE_A_MAX + 2), 65000);
		break;
	default: /* plausible: right types, random values */
		if (pick(2))
			nla_put_u32(m, KCOLLAPSE_A_PID, (uint32_t)rnd());
		if (pick(2))
			nla_put_u64(m, KCOLLAPSE_A_RANGE_START, rnd());
		if (pick(2))
			nla_put_u64(m, KCOLLAPSE_A_RANGE_LEN, rnd());
		if (pick(2))
			nla_put_u32(m, KCOLLAPSE_A_DEADLINE_MS, (uint32_t)pick(50));
		if (pick(2))
			nla_put_u32(m, KCOLLAPSE_A_MIN_FILL, (uint32_t)rnd());
		if (pick(2))
			nla_put_flag(m, KCOLLAPSE_A_MARK_HUGEPAGE);
		/* mostly dry runs: real work on random pids is slow under TCG */
		if (pick(8))
			nla_put_flag(m, KCOLLAPSE_A_DRY_RUN);
		break;
	}
	*cmd_out = cmd;
	return m;
}

/* Send m; for the raw shapes, as bytes truncated or with a lying length. */
static void send_msg(struct nl_msg *m, bool raw, uint8_t cmd, enum probe p)
{
	struct nlmsghdr *h = nlmsg_hdr(m);
	size_t len;

	h->nlmsg_seq = next_seq(cmd, p);
	h->nlmsg_pid = 0;
	if (!raw) {
		nl_sendto(g.sk, h, h->nlmsg_len);
		return;
	}
	switch (pick(3)) {
	case 0:	/* cut short, and the header says so */
		h->nlmsg_len = (uint32_t)pick(h->nlmsg_len + 1);
		nl_sendto(g.sk, h, h->nlmsg_len);
		break;
	case 1:	/* the header claims more than is sent */
		len = h->nlmsg_len;
		h->nlmsg_len += 1 + pick(4096);
		nl_sendto(g.sk, h, len);
		break;
	default: /* the header claims less than is sent */
		len = h->nlmsg_len;
		h->nlmsg_len = (uint32_t)pick((uint32_t)len + 1);
		nl_sendto(g.sk, h, len);
		break;
	}
}

static void send_info(void)
{
	struct nl_msg *m = nlmsg_alloc();

	genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, g.family, 0, NLM_F_REQUEST,
		    KCOLLAPSE_CMD_GET_INFO, KCOLLAPSE_GENL_VERSION);
	send_msg(m, false, KCOLLAPSE_CMD_GET_INFO, PROBE_INFO);
	nlmsg_free(m);
	g.info_sent++;
}

static void send_dry(uint32_t pid)
{
	struct nl_msg *m = nlmsg_alloc();

	genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, g.family, 0, NLM_F_REQUEST,
		    KCOLLAPSE_CMD_COLLAPSE, KCOLLAPSE_GENL_VERSION);
	nla_put_u32(m, KCOLLAPSE_A_PID, pid);
	nla_put_flag(m, KCOLLAPSE_A_DRY_RUN);
	send_msg(m, false, KCOLLAPSE_CMD_COLLAPSE, PROBE_DRY);
	nlmsg_free(m);
	g.dry_sent++;
}

int main(int argc, char **argv)
{
	unsigned long count, i;
	uint32_t target;
	int bad = 0, e;

	if (argc != 4) {
		fprintf(stderr, "usage: %s COUNT SEED TARGET_PID\n", argv[0]);
		return 2;
	}
	count = strtoul(argv[1], NULL, 10);
	g.rnd = strtoull(argv[2], NULL, 10) | 1;
	target = (uint32_t)strtoul(argv[3], NULL, 10);
	g.root = geteuid() == 0;

	g.sk = nl_socket_alloc();
	if (!g.sk || genl_connect(g.sk)) {
		fprintf(stderr, "kc-nlfuzz: no generic netlink socket\n");
		return 1;
	}
	g.family = genl_ctrl_resolve(g.sk, KCOLLAPSE_GENL_NAME);
	if (g.family < 0) {
		fprintf(stderr, "kc-nlfuzz: family %s not found: module not loaded?\n",
			KCOLLAPSE_GENL_NAME);
		return 1;
	}
	/* Replies are many and unread for a while: a large buffer. */
	nl_socket_set_buffer_size(g.sk, 4 << 20, 4 << 20);
	nl_socket_disable_auto_ack(g.sk);
	nl_socket_set_nonblocking(g.sk);

	for (i = 1; i <= count; i++) {
		int shape = (int)pick(7);
		uint8_t cmd;
		struct nl_msg *m;

		if (i % 1000 == 0) {
			send_dry(target);
		} else if (i % 100 == 0) {
			send_info();
		} else {
			m = build(shape == 6 ? 5 : shape, &cmd);
			g.by_shape[shape]++;
			send_msg(m, shape == 6, cmd, PROBE_NONE);
			nlmsg_free(m);
		}
		drain();
	}
	/*
	 * The last replies. A COLLAPSE replies when its operation ends, after
	 * its request returned: wait (60 s at most) until every probe has.
	 */
	for (i = 0; i < 1200; i++) {
		drain();
		if (g.dry_ok + g.dry_refused + g.dry_busy == g.dry_sent &&
		    g.info_ok == g.info_sent)
			break;
		usleep(50 * 1000);
	}

	printf("kc-nlfuzz: %s, %lu messages (random %lu, real-cmd %lu, "
	       "wrong-size %lu, nested %lu, oversized %lu, plausible %lu, "
	       "raw-framing %lu)\n", g.root ? "root" : "unprivileged", count,
	       g.by_shape[0], g.by_shape[1], g.by_shape[2], g.by_shape[3],
	       g.by_shape[4], g.by_shape[5], g.by_shape[6]);
	printf("kc-nlfuzz: replies: %lu data, %lu ok acks, %lu of all to "
	       "messages cut from lying framing; errors:",
	       g.data_replies, g.ok_acks, g.foreign);
	for (e = 0; e < 4096; e++)
		if (g.errors[e])
			printf(" %s=%lu", e ? strerror(e) : "other", g.errors[e]);
	printf("\nkc-nlfuzz: GET_INFO %lu/%lu answered; dry runs: %lu sent, "
	       "%lu succeeded, %lu busy, %lu refused; violations %lu\n",
	       g.info_ok, g.info_sent, g.dry_sent, g.dry_ok, g.dry_busy,
	       g.dry_refused, g.violations);
	if (g.violations || g.info_ok != g.info_sent)
		bad = 1;
	if (g.root ? g.dry_ok + g.dry_busy != g.dry_sent || !g.dry_ok :
		     g.dry_refused != g.dry_sent)
		bad = 1;
	nl_socket_free(g.sk);
	return bad;
}
