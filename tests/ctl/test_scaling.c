// SPDX-License-Identifier: MIT
/*
 * The userspace engine's cost follows the pages, not the address space:
 * a dry run and a collapse over a 64 TiB MAP_NORESERVE reservation holding
 * 1024 pages, side by side with the same over a 2 GiB one. The counts must
 * be exact; the time ratio is printed, and only bounded loosely (10x, with
 * PAGEMAP_SCAN), since the host may be busy.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <kcollapse/kcollapse.h>

#include "test.h"

#define WIN (2ULL << 20)
#define PAGE 4096ULL
#define LIVE_WINDOWS 64		/* spread evenly over the reservation */
#define LIVE_PAGES 16		/* per live window: 1024 pages in all */
#define RUNS 3			/* best of, against a busy host */

struct reservation {
	pid_t pid;
	int cmd;		/* parent -> child: closed to end it */
	uint64_t base;		/* 2 MiB aligned, in the child */
	uint64_t len;
};

/* In the child: reserve, touch, report the base, wait to be told to go. */
static void reservation_child(uint64_t len, int cmd, int ack)
{
	char *raw, *base, c;
	uint64_t stride = len / WIN / LIVE_WINDOWS, w, p;

	raw = mmap(NULL, len + WIN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		_exit(1);
	base = (char *)(((uintptr_t)raw + WIN - 1) & ~(uintptr_t)(WIN - 1));
	/* 4 KiB pages exactly where touched. */
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	for (w = 0; w < LIVE_WINDOWS; w++)
		for (p = 0; p < LIVE_PAGES; p++)
			base[w * stride * WIN + p * PAGE] = (char)(w + p + 1);
	prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
	w = (uintptr_t)base;
	if (write(ack, &w, sizeof(w)) != sizeof(w))
		_exit(1);
	while (read(cmd, &c, 1) > 0)
		;
	_exit(0);
}

static bool reservation_start(struct reservation *r, uint64_t len)
{
	int to[2], from[2];
	bool ok;

	memset(r, 0, sizeof(*r));
	r->len = len;
	if (pipe(to) || pipe(from))
		return false;
	r->pid = fork();
	if (r->pid == 0) {
		close(to[1]);
		close(from[0]);
		reservation_child(len, to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	r->cmd = to[1];
	ok = r->pid > 0 &&
	     read(from[0], &r->base, sizeof(r->base)) == sizeof(r->base);
	close(from[0]);
	return ok;
}

/* Killed: a later child holds a copy of this one's pipe. */
static void reservation_stop(struct reservation *r)
{
	close(r->cmd);
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The best of RUNS runs of @req on @r, its counts checked each time. */
static double timed_runs(const struct reservation *r, uint32_t flags)
{
	struct kc_collapse_req req = {
		.pid = r->pid, .range_start = r->base, .range_len = r->len,
		.flags = flags,
		/* A collapse that reaches every step but changes nothing. */
		.min_fill = LIVE_PAGES + 1,
	};
	uint64_t windows = r->len / WIN;
	double best = 1e9;
	struct kc_result res;
	int i;

	for (i = 0; i < RUNS; i++) {
		double t0 = now_s(), t;

		CHECK_INT(kc_collapse_userspace(&req, NULL, &res), 0);
		t = now_s() - t0;
		best = t < best ? t : best;
		CHECK_INT(res.stop_reason, KC_STOP_DONE);
		CHECK_U64(res.regions, 1);
		CHECK_U64(res.chunks, windows);
		CHECK_U64(res.skipped_empty, windows - LIVE_WINDOWS);
		CHECK_U64(res.skipped_sparse, LIVE_WINDOWS);
		CHECK_U64(res.candidates, 0);
		CHECK_U64(res.present_before, LIVE_WINDOWS * LIVE_PAGES * PAGE);
		CHECK(res.after_complete);
		CHECK_U64(res.present_after, res.present_before);
	}
	return best;
}

static double timed_frames(const struct reservation *r)
{
	struct kc_frames fr;
	double t0 = now_s();

	CHECK_INT(kc_frames(r->pid, r->base, r->len, &fr), 0);
	CHECK_U64(fr.present_pages, LIVE_WINDOWS * LIVE_PAGES);
	CHECK_U64(fr.live_windows, LIVE_WINDOWS);
	return now_s() - t0;
}

/* Loose on purpose: 10x, and never below 50 ms of the small run's time. */
static void check_ratio(const char *what, double small, double big,
			bool scan)
{
	double floor = small > 0.05 ? small : 0.05;

	printf("# %s: 2 GiB %.1f ms, 64 TiB %.1f ms, ratio %.2f\n", what,
	       small * 1e3, big * 1e3, small > 0 ? big / small : 0);
	if (scan && big > 10 * floor)
		t_fail(__FILE__, __LINE__, "%s over 64 TiB took %.1f ms, more "
		       "than 10x the 2 GiB run's %.1f ms", what, big * 1e3,
		       small * 1e3);
}

void test_userspace_scaling(void)
{
	struct kc_userspace_info us;
	struct reservation small, big;
	bool scan;

	CHECK_INT(kc_userspace_info(&us), 0);
	scan = !strcmp(us.huge_detection, "pagemap-scan");
	if (!scan) {
		/* 8 bytes of pagemap per page: 128 GiB read. Not here. */
		t_skip("no PAGEMAP_SCAN (Linux < 6.7): cost is per address space");
		return;
	}
	CHECK(reservation_start(&small, 2ULL << 30));
	if (!reservation_start(&big, 64ULL << 40)) {
		reservation_stop(&small);
		reservation_stop(&big);
		t_skip("no 64 TiB MAP_NORESERVE reservation here");
		return;
	}
	check_ratio("dry run", timed_runs(&small, KC_DRY_RUN),
		    timed_runs(&big, KC_DRY_RUN), scan);
	check_ratio("collapse", timed_runs(&small, 0), timed_runs(&big, 0),
		    scan);
	check_ratio("kc_frames", timed_frames(&small), timed_frames(&big),
		    scan);
	reservation_stop(&small);
	reservation_stop(&big);
}
