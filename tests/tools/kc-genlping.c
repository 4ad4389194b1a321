// SPDX-License-Identifier: MIT
/*
 * kc-genlping MS [FAMILY]: how long the kernel takes to answer generic
 * netlink requests of a family other than kcollapse (default "nlctrl",
 * the controller every genetlink user goes through), asked again and
 * again for MS milliseconds. A genetlink request waits for genl's cb_lock:
 * if an operation kept it from a queued writer (an rmmod), every request
 * on the machine would wait with it.
 *
 * Prints "genlping requests=N max_ms=M" and exits 0, or 1 if a request
 * failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	const char *family = argc > 2 ? argv[2] : "nlctrl";
	double start, t, took, max = 0, run_ms;
	struct nl_sock *sk;
	unsigned long n = 0;
	int id;

	if (argc < 2 || argc > 3 || (run_ms = atof(argv[1])) <= 0) {
		fprintf(stderr, "usage: kc-genlping MS [FAMILY]\n");
		return 2;
	}
	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "kc-genlping: no generic netlink socket\n");
		return 1;
	}
	start = now_ms();
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
