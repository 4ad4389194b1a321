// SPDX-License-Identifier: MIT
/*
 * kc-genlping: generic-netlink latencies seen from userspace.
 *
 *   kc-genlping MS [FAMILY]   ask FAMILY (default "nlctrl", the controller
 *                             every genetlink user goes through) again and
 *                             again for MS milliseconds; prints
 *                             "genlping requests=N max_ms=M"
 *   kc-genlping idle          wait until the kcollapse module reports an
 *                             operation in flight and print "busy"; then,
 *                             from SIGUSR1 on, poll GET_INFO every
 *                             millisecond until none is, and print
 *                             "idle_ms=N": how long a stop took to take
 *                             effect once the test had delivered it
 *
 * A genetlink request waits for genl's cb_lock: if an operation kept it
 * from a queued writer (an rmmod), every request on the machine would wait
 * with it. Exits 0, or 1 if a request failed or nothing happened in 60 s.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/kcollapse.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static struct nl_sock *connect_genl(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "kc-genlping: no generic netlink socket\n");
		exit(1);
	}
	return sk;
}

static int ping(double run_ms, const char *family)
{
	struct nl_sock *sk = connect_genl();
	double start = now_ms(), t, took, max = 0;
	unsigned long n = 0;
	int id;

	do {
		t = now_ms();
		id = genl_ctrl_resolve(sk, family);
		took = now_ms() - t;
		if (id < 0) {
			fprintf(stderr, "kc-genlping: resolving %s: %s\n",
				family, nl_geterror(id));
			return 1;
		}
		if (took > max)
			max = took;
		n++;
	} while (now_ms() - start < run_ms);
	printf("genlping requests=%lu max_ms=%.0f\n", n, max);
	nl_socket_free(sk);
	return 0;
}

static int on_info(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KCOLLAPSE_A_MAX + 1];
	long *in_flight = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, KCOLLAPSE_A_MAX, NULL) ||
	    !tb[KCOLLAPSE_A_OPS_IN_FLIGHT])
		return NL_SKIP;
	*in_flight = nla_get_u32(tb[KCOLLAPSE_A_OPS_IN_FLIGHT]);
	return NL_OK;
}

/* Operations in flight per GET_INFO, or -1 if the module did not answer. */
static long in_flight(struct nl_sock *sk)
{
	long n = -1;
	int id = genl_ctrl_resolve(sk, KCOLLAPSE_GENL_NAME);

	if (id < 0)
		return -1;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_info, &n);
	if (genl_send_simple(sk, id, KCOLLAPSE_CMD_GET_INFO,
			     KCOLLAPSE_GENL_VERSION, 0) < 0 ||
	    nl_recvmsgs_default(sk) < 0)
		return -1;
	return n;
}

static int idle(void)
{
	struct nl_sock *sk = connect_genl();
	double deadline = now_ms() + 60000, t0;
	sigset_t usr1;
	int sig;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	while (in_flight(sk) < 1) {
		if (now_ms() > deadline) {
			fprintf(stderr, "kc-genlping: no operation in flight\n");
			return 1;
		}
		usleep(1000);
	}
	printf("busy\n");
	fflush(stdout);
	sigwait(&usr1, &sig);
	t0 = now_ms();
	/* gone with the module (rmmod) counts as idle too */
	while (in_flight(sk) > 0) {
		if (now_ms() - t0 > 60000) {
			fprintf(stderr, "kc-genlping: still busy after 60 s\n");
			return 1;
		}
		usleep(1000);
	}
	printf("idle_ms=%.0f\n", now_ms() - t0);
	nl_socket_free(sk);
	return 0;
}

int main(int argc, char **argv)
{
	double run_ms;

	if (argc == 2 && !strcmp(argv[1], "idle"))
		return idle();
	if (argc < 2 || argc > 3 || (run_ms = atof(argv[1])) <= 0) {
		fprintf(stderr, "usage: kc-genlping MS [FAMILY] | kc-genlping idle\n");
		return 2;
	}
	return ping(run_ms, argc > 2 ? argv[2] : "nlctrl");
}
