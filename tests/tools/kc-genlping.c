// SPDX-License-Identifier: MIT
/*
 * kc-genlping: generic-netlink latencies seen from userspace.
 *
 *   kc-genlping MS [FAMILY]   ask FAMILY (default "nlctrl", the controller
 *                             every genetlink user goes through) again and
 *                             again for MS milliseconds (FAMILY "info":
 *                             kcollapse's GET_INFO, the controller's lookup
 *                             of the family included); prints
 *                             "genlping requests=N max_ms=M"
 *   kc-genlping idle          wait until the kcollapse module reports an
 *                             operation in flight and print "busy"; then,
 *                             from SIGUSR1 on, poll GET_INFO every
 *                             millisecond until none is, and print
 *                             "idle_ms=N": how long a stop took to take
 *                             effect once the test had delivered it
 *   kc-genlping nowait PID [ARG...]
 *                             start a COLLAPSE of PID with NO_WAIT (ARGs:
 *                             "dry-run", "pack"), print "op_id=N", then ask
 *                             GET_RESULT every 10 ms until it is not
 *                             running any more and print "result rc=R
 *                             polls=P stop=S chunks=C moved=M", then once
 *                             more: "again rc=R" (-ENOENT: returned once)
 *   kc-genlping pmadv-access PID
 *                             what process_madvise(2)'s access check says
 *                             of PID for this caller ("access rc=R")
 *   kc-genlping stale-pidfd   a dry run of a pidfd whose process exited
 *                             ("exited rc=R"), and of that pidfd with our
 *                             own pid ("mismatch rc=R")
 *
 * A genetlink request waits for genl's cb_lock: if an operation kept it
 * from a queued writer (an rmmod), every request on the machine would wait
 * with it. Exits 0, or 1 if a request failed or nothing happened in 60 s.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
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
	/* one reply per request, no ack left behind to trip the next one */
	nl_socket_disable_auto_ack(sk);
	return sk;
}

/* The one reply to a request: its attributes, or the kernel's error. */
struct reply {
	int err;
	bool done;
	uint64_t op_id;
	uint32_t stop;
	uint64_t chunks, moved;
	long in_flight;
};

static int on_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[KCOLLAPSE_A_MAX + 1], *r[KCOLLAPSE_R_MAX + 1];
	struct reply *rep = arg;

	rep->done = true;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, KCOLLAPSE_A_MAX, NULL)) {
		rep->err = -EPROTO;
		return NL_STOP;
	}
	if (tb[KCOLLAPSE_A_OPS_IN_FLIGHT])
		rep->in_flight = nla_get_u32(tb[KCOLLAPSE_A_OPS_IN_FLIGHT]);
	if (tb[KCOLLAPSE_A_OP_ID])
		rep->op_id = nla_get_u64(tb[KCOLLAPSE_A_OP_ID]);
	if (tb[KCOLLAPSE_A_RESULT] &&
	    !nla_parse_nested(r, KCOLLAPSE_R_MAX, tb[KCOLLAPSE_A_RESULT], NULL)) {
		if (r[KCOLLAPSE_R_STOP_REASON])
			rep->stop = nla_get_u32(r[KCOLLAPSE_R_STOP_REASON]);
		if (r[KCOLLAPSE_R_CHUNKS])
			rep->chunks = nla_get_u64(r[KCOLLAPSE_R_CHUNKS]);
		if (r[KCOLLAPSE_R_PACK_MOVED])
			rep->moved = nla_get_u64(r[KCOLLAPSE_R_PACK_MOVED]);
	}
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct reply *rep = arg;

	(void)nla;
	rep->err = e->error;
	rep->done = true;
	return NL_STOP;
}

/* Send @msg (freed) and wait for its one reply (no ack asked for). */
static struct reply transact(struct nl_sock *sk, struct nl_msg *msg)
{
	struct reply rep = { 0 };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb || nl_send_auto(sk, msg) < 0) {
		fprintf(stderr, "kc-genlping: cannot send\n");
		exit(1);
	}
	nlmsg_free(msg);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_reply, &rep);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &rep);
	while (!rep.done)
		if (nl_recvmsgs(sk, cb) < 0 && !rep.done) {
			fprintf(stderr, "kc-genlping: receive failed\n");
			exit(1);
		}
	nl_cb_put(cb);
	return rep;
}

static struct nl_msg *request(int family, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
				 cmd, KCOLLAPSE_GENL_VERSION)) {
		fprintf(stderr, "kc-genlping: out of memory\n");
		exit(1);
	}
	return msg;
}

/* Operations in flight per GET_INFO, or -1 if the module did not answer. */
static long in_flight(struct nl_sock *sk)
{
	int id = genl_ctrl_resolve(sk, KCOLLAPSE_GENL_NAME);
	struct reply rep;

	if (id < 0)
		return -1;
	rep = transact(sk, request(id, KCOLLAPSE_CMD_GET_INFO));
	return rep.err ? -1 : rep.in_flight;
}

static int ping(double run_ms, const char *family)
{
	struct nl_sock *sk = connect_genl();
	double start = now_ms(), t, took, max = 0;
	unsigned long n = 0;
	int id;

	do {
		t = now_ms();
		if (!strcmp(family, "info"))
			id = in_flight(sk) < 0 ? -NLE_OBJ_NOTFOUND : 0;
		else
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

static int nowait(int argc, char **argv)
{
	struct nl_sock *sk = connect_genl();
	int family = genl_ctrl_resolve(sk, KCOLLAPSE_GENL_NAME);
	struct nl_msg *msg;
	struct reply rep;
	uint64_t id;
	int i, polls = 0;

	if (family < 0) {
		fprintf(stderr, "kc-genlping: the kcollapse family is not registered\n");
		return 1;
	}
	msg = request(family, KCOLLAPSE_CMD_COLLAPSE);
	nla_put_u32(msg, KCOLLAPSE_A_PID, (uint32_t)atol(argv[0]));
	nla_put_flag(msg, KCOLLAPSE_A_NO_WAIT);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "dry-run"))
			nla_put_flag(msg, KCOLLAPSE_A_DRY_RUN);
		else if (!strcmp(argv[i], "pack"))
			nla_put_u32(msg, KCOLLAPSE_A_MODE, KCOLLAPSE_MODE_PACK);
	}
	rep = transact(sk, msg);
	if (rep.err || !rep.op_id) {
		printf("start rc=%d op_id=0\n", rep.err);
		return 1;
	}
	id = rep.op_id;
	printf("op_id=%llu\n", (unsigned long long)id);
	fflush(stdout);
	do {
		usleep(polls++ ? 10000 : 0);
		msg = request(family, KCOLLAPSE_CMD_GET_RESULT);
		nla_put_u64(msg, KCOLLAPSE_A_OP_ID, id);
		rep = transact(sk, msg);
	} while (rep.err == -EINPROGRESS && polls < 60000);
	printf("result rc=%d polls=%d stop=%u chunks=%llu moved=%llu\n",
	       rep.err, polls, rep.stop, (unsigned long long)rep.chunks,
	       (unsigned long long)rep.moved);
	msg = request(family, KCOLLAPSE_CMD_GET_RESULT);
	nla_put_u64(msg, KCOLLAPSE_A_OP_ID, id);
	rep = transact(sk, msg);
	printf("again rc=%d\n", rep.err);
	nl_socket_free(sk);
	return 0;
}

/*
 * The pidfd of a child that has exited (and been reaped, so its pid may
 * be reused): a dry-run COLLAPSE of it; then a live child's pidfd with
 * another live pid (ours). Prints "exited rc=R" and "mismatch rc=R".
 */
static int stale_pidfd(void)
{
	struct nl_sock *sk = connect_genl();
	int family = genl_ctrl_resolve(sk, KCOLLAPSE_GENL_NAME);
	struct nl_msg *msg;
	struct reply rep;
	pid_t child;
	int fd;

	if (family < 0) {
		fprintf(stderr, "kc-genlping: the kcollapse family is not registered\n");
		return 1;
	}
	child = fork();
	if (child == 0)
		_exit(0);
	fd = (int)syscall(SYS_pidfd_open, child, 0U);
	if (child < 0 || fd < 0) {
		perror("kc-genlping: fork or pidfd_open");
		return 1;
	}
	waitpid(child, NULL, 0);
	msg = request(family, KCOLLAPSE_CMD_COLLAPSE);
	nla_put_u32(msg, KCOLLAPSE_A_PIDFD, (uint32_t)fd);
	nla_put_flag(msg, KCOLLAPSE_A_DRY_RUN);
	rep = transact(sk, msg);
	printf("exited rc=%d\n", rep.err);
	close(fd);
	/* a live child's pidfd, with our own pid */
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	fd = (int)syscall(SYS_pidfd_open, child, 0U);
	if (child < 0 || fd < 0) {
		perror("kc-genlping: fork or pidfd_open");
		return 1;
	}
	msg = request(family, KCOLLAPSE_CMD_COLLAPSE);
	nla_put_u32(msg, KCOLLAPSE_A_PIDFD, (uint32_t)fd);
	nla_put_u32(msg, KCOLLAPSE_A_PID, (uint32_t)getpid());
	nla_put_flag(msg, KCOLLAPSE_A_DRY_RUN);
	rep = transact(sk, msg);
	printf("mismatch rc=%d\n", rep.err);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(fd);
	nl_socket_free(sk);
	return 0;
}

/*
 * process_madvise(2)'s own verdict on PID for this caller: MADV_COLD of
 * one page at address 0 (never mapped). Prints "access rc=R": -EACCES if
 * its access check (mm_access(PTRACE_MODE_READ_FSCREDS)) refused, another
 * error (-EPERM without CAP_SYS_NICE, -ENOMEM for the unmapped page) if
 * it passed.
 */
static int pmadv_access(pid_t pid)
{
	struct iovec iov = { .iov_base = NULL, .iov_len = 4096 };
	int fd = (int)syscall(SYS_pidfd_open, pid, 0U);
	long rc;

	if (fd < 0) {
		perror("kc-genlping: pidfd_open");
		return 1;
	}
	rc = syscall(SYS_process_madvise, fd, &iov, 1UL, 20 /* MADV_COLD */, 0U);
	printf("access rc=%ld\n", rc < 0 ? -(long)errno : rc);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	double run_ms;

	if (argc == 2 && !strcmp(argv[1], "idle"))
		return idle();
	if (argc == 2 && !strcmp(argv[1], "stale-pidfd"))
		return stale_pidfd();
	if (argc == 3 && !strcmp(argv[1], "pmadv-access"))
		return pmadv_access((pid_t)atol(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "nowait"))
		return nowait(argc - 2, argv + 2);
	if (argc < 2 || argc > 3 || (run_ms = atof(argv[1])) <= 0) {
		fprintf(stderr, "usage: kc-genlping MS [FAMILY] | kc-genlping idle | kc-genlping nowait PID [dry-run] [pack] | kc-genlping stale-pidfd | kc-genlping pmadv-access PID\n");
		return 2;
	}
	return ping(run_ms, argc > 2 ? argv[2] : "nlctrl");
}
