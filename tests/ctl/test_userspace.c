// SPDX-License-Identifier: MIT
/*
 * The userspace engine against a forked target on this host (which has
 * THP and process_madvise(MADV_COLLAPSE) but no module): classification,
 * collapse, both already-huge detections, stop conditions, lock files,
 * errors and engine selection.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

#include "classify.h"
#include "oplock.h"
#include "pace.h"
#include "test.h"

#define WIN (2UL << 20)
#define PAGE 4096UL

#define MARK_REMOTE_ERROR "--mark-hugepage needs the kcollapse module for " \
	"another process: the userspace engine cannot MADV_HUGEPAGE a " \
	"remote process; load the module or drop --mark-hugepage"

/* What the child puts in each window of its region. */
enum fill {
	FILL_EMPTY,
	FILL_SPARSE,	/* 3 pages */
	FILL_DENSE,	/* every page, 4 KiB pages */
	FILL_THP,	/* one THP from a fault (MADV_HUGEPAGE) */
	FILL_THP_PTE,	/* a THP whose PMD was split by mprotect() */
	FILL_DENSE_NH,	/* every page, then MADV_NOHUGEPAGE (opted out) */
	FILL_HUGE_ZERO,	/* MADV_HUGEPAGE, one read: the huge zero page */
};

struct child {
	pid_t pid;
	int cmd;	/* parent -> child */
	int ack;	/* child -> parent */
	char *base;	/* 2 MiB aligned, the same address in both */
	size_t nwin;
	void *raw;
	size_t raw_len;
};

static unsigned char pattern(size_t page)
{
	return (unsigned char)(page * 7 + 1);
}

static void touch(char *p, size_t page)
{
	p[page * PAGE] = (char)pattern(page);
}

static void child_fill(struct child *c, const enum fill *fills)
{
	size_t w, i;

	/* 4 KiB pages exactly where touched, even with THP "always". */
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	for (w = 0; w < c->nwin; w++) {
		if (fills[w] == FILL_SPARSE) {
			touch(c->base, w * 512 + 1);
			touch(c->base, w * 512 + 100);
			touch(c->base, w * 512 + 511);
		} else if (fills[w] == FILL_DENSE || fills[w] == FILL_DENSE_NH) {
			for (i = 0; i < 512; i++)
				touch(c->base, w * 512 + i);
		}
		if (fills[w] == FILL_DENSE_NH)
			madvise(c->base + w * WIN, WIN, MADV_NOHUGEPAGE);
	}
	/* THP allowed again: for the faults below and for MADV_COLLAPSE. */
	prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
	for (w = 0; w < c->nwin; w++) {
		char *win = c->base + w * WIN;

		if (fills[w] == FILL_HUGE_ZERO) {
			madvise(win, WIN, MADV_HUGEPAGE);
			(void)*(volatile char *)win;
		}
		if (fills[w] != FILL_THP && fills[w] != FILL_THP_PTE)
			continue;
		madvise(win, WIN, MADV_HUGEPAGE);
		for (i = 0; i < 512; i++)
			touch(c->base, w * 512 + i);
		if (fills[w] == FILL_THP_PTE) {
			/* Split the PMD, keep the THP mapped in order. */
			mprotect(win, PAGE, PROT_READ);
			mprotect(win, PAGE, PROT_READ | PROT_WRITE);
		}
	}
}

/*
 * Every page the child touched still holds its pattern. Untouched pages
 * are not read: a read fault would populate them (with a real page, on
 * kernels without the shared zero page) and change what is measured.
 */
static bool child_verify(const struct child *c, const enum fill *fills)
{
	size_t w, i;

	for (w = 0; w < c->nwin; w++) {
		for (i = 0; i < 512; i++) {
			size_t page = w * 512 + i;
			bool set = fills[w] == FILL_DENSE || fills[w] == FILL_THP ||
				   fills[w] == FILL_THP_PTE ||
				   fills[w] == FILL_DENSE_NH ||
				   (fills[w] == FILL_SPARSE &&
				    (i == 1 || i == 100 || i == 511));

			if (set && (unsigned char)c->base[page * PAGE] !=
				   pattern(page))
				return false;
		}
	}
	return true;
}

/*
 * 'm': the userspace engine with KC_MARK_HUGEPAGE on the child itself,
 * over its region: the one target it may MADV_HUGEPAGE. Replies with the
 * return value and the result.
 */
static bool child_mark_self(const struct child *c)
{
	struct kc_collapse_req req = {
		.pid = getpid(), .range_start = (uintptr_t)c->base,
		.range_len = c->nwin * WIN, .flags = KC_MARK_HUGEPAGE,
	};
	struct kc_result res;
	int ret = kc_collapse_userspace(&req, NULL, &res);

	return write(c->ack, &ret, sizeof(ret)) == sizeof(ret) &&
	       write(c->ack, &res, sizeof(res)) == sizeof(res);
}

static void child_main(struct child *c, const enum fill *fills)
{
	char cmd;

	child_fill(c, fills);
	if (write(c->ack, "r", 1) != 1)
		_exit(1);
	while (read(c->cmd, &cmd, 1) == 1) {
		char a = cmd == 'v' ? (child_verify(c, fills) ? 'y' : 'n') : 'x';

		/* 'd': opt the whole process out of THP. */
		if (cmd == 'd')
			a = prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) ? 'n' : 'y';
		if (cmd == 'm' && !child_mark_self(c))
			break;
		if (cmd != 'm' && (write(c->ack, &a, 1) != 1 || cmd == 'x'))
			break;
	}
	_exit(0);
}

/* Fork a child whose region holds @fills; the parent never touches it. */
static bool child_start(struct child *c, const enum fill *fills, size_t nwin)
{
	int to[2], from[2];
	char r;

	memset(c, 0, sizeof(*c));
	c->nwin = nwin;
	c->raw_len = (nwin + 1) * WIN;
	c->raw = mmap(NULL, c->raw_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->raw == MAP_FAILED || pipe(to) || pipe(from))
		return false;
	c->base = (char *)(((uintptr_t)c->raw + WIN - 1) & ~(WIN - 1));
	c->pid = fork();
	if (c->pid < 0)
		return false;
	if (c->pid == 0) {
		close(to[1]);
		close(from[0]);
		c->cmd = to[0];
		c->ack = from[1];
		child_main(c, fills);
	}
	close(to[0]);
	close(from[1]);
	c->cmd = to[1];
	c->ack = from[0];
	return read(c->ack, &r, 1) == 1 && r == 'r';
}

static bool child_do(struct child *c, char cmd);

static bool child_verify_ok(struct child *c)
{
	return child_do(c, 'v');
}

/* Ask the child to do @cmd ('d', ...), true if it says it did. */
static bool child_do(struct child *c, char cmd)
{
	char r = 0;

	return write(c->cmd, &cmd, 1) == 1 && read(c->ack, &r, 1) == 1 &&
	       r == 'y';
}

/* The child's own KC_MARK_HUGEPAGE run (child_mark_self()). */
static int child_mark(struct child *c, struct kc_result *res)
{
	int ret = -EIO;

	if (write(c->cmd, "m", 1) != 1 ||
	    read(c->ack, &ret, sizeof(ret)) != sizeof(ret) ||
	    read(c->ack, res, sizeof(*res)) != sizeof(*res))
		return -EIO;
	return ret;
}

static void child_stop(struct child *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
	}
	close(c->cmd);
	close(c->ack);
	munmap(c->raw, c->raw_len);
}

static struct kc_collapse_req child_req(const struct child *c)
{
	return (struct kc_collapse_req){
		.pid = c->pid,
		.range_start = (uintptr_t)c->base,
		.range_len = c->nwin * WIN,
	};
}

/*
 * A dry run of the child's region with PAGEMAP_SCAN (where the kernel has
 * it) and one without, as before Linux 6.7.
 */
static void dry_run_both(const struct child *c, struct kc_result *scan,
			 struct kc_result *legacy)
{
	struct kc_collapse_req req = child_req(c);

	req.flags = KC_DRY_RUN;
	CHECK_INT(kc_collapse_userspace(&req, NULL, scan), 0);
	setenv("KCOLLAPSE_NO_PAGEMAP_SCAN", "1", 1);
	CHECK_INT(kc_collapse_userspace(&req, NULL, legacy), 0);
	unsetenv("KCOLLAPSE_NO_PAGEMAP_SCAN");
}

/* AnonHugePages (kB) of the child's mappings meeting its region. */
static long child_anon_huge_kb(const struct child *c)
{
	char path[64], line[512];
	unsigned long s, e;
	long kb, sum = 0;
	bool in = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)c->pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && strchr(line, '-') &&
		    !strncmp(line + strcspn(line, " "), " rw", 3))
			in = e > (uintptr_t)c->base &&
			     s < (uintptr_t)c->base + c->nwin * WIN;
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			sum += kb;
	}
	fclose(f);
	return sum;
}

static char run_dir[] = "/tmp/kc-test-run.XXXXXX";

/* Our own lock directory for every test here. */
static void use_run_dir(void)
{
	static bool done;

	if (!done && mkdtemp(run_dir))
		done = true;
	setenv("KCOLLAPSE_RUN_DIR", run_dir, 1);
}

static bool thp_available(const struct child *c, size_t windows)
{
	return child_anon_huge_kb(c) >= (long)(windows * 2048);
}

void test_classify_rules(void)
{
	struct kc_window_scan s = { 0 };
	struct kc_result r = { 0 };

	CHECK_INT(kc_classify(&s, 1), KC_WIN_EMPTY);
	s.present = 3;
	CHECK_INT(kc_classify(&s, 1), KC_WIN_CANDIDATE);
	CHECK_INT(kc_classify(&s, 4), KC_WIN_SPARSE);
	CHECK_INT(kc_classify(&s, 3), KC_WIN_CANDIDATE);
	s.unstable = true;
	CHECK_INT(kc_classify(&s, 1), KC_WIN_UNSTABLE);
	s.pmd_mapped = true;
	CHECK_INT(kc_classify(&s, 1), KC_WIN_HUGE);

	CHECK_INT(kc_class_outcome(KC_WIN_EMPTY), KC_OUT_EMPTY);
	CHECK_INT(kc_class_outcome(KC_WIN_HUGE), KC_OUT_ALREADY_HUGE);
	CHECK_INT(kc_class_outcome(KC_WIN_SPARSE), KC_OUT_SPARSE);
	CHECK_INT(kc_class_outcome(KC_WIN_UNSTABLE), KC_OUT_AGAIN);
	CHECK_INT(kc_outcome_from_errno(0), KC_OUT_COLLAPSED);
	CHECK_INT(kc_outcome_from_errno(-ENOMEM), KC_OUT_NOMEM);
	CHECK_INT(kc_outcome_from_errno(-EBUSY), KC_OUT_BUSY);
	CHECK_INT(kc_outcome_from_errno(-EAGAIN), KC_OUT_AGAIN);
	CHECK_INT(kc_outcome_from_errno(-EINVAL), KC_OUT_INELIGIBLE);
	CHECK_INT(kc_outcome_from_errno(-EFAULT), KC_OUT_OTHER);

	kc_result_count(&r, KC_OUT_COLLAPSED, 1);
	kc_result_count(&r, KC_OUT_NOMEM, 1);
	kc_result_count(&r, KC_OUT_DRY_RUN, 1);
	CHECK_U64(r.chunks, 3);
	CHECK_U64(r.collapsed, 1);
	CHECK_U64(r.failed_nomem, 1);
}

void test_userspace_collapse(void)
{
	static const enum fill fills[] = {
		FILL_EMPTY, FILL_SPARSE, FILL_DENSE, FILL_SPARSE, FILL_THP,
	};
	struct kc_collapse_req req;
	struct kc_frames before, after;
	struct kc_result res;
	struct child c;
	uint64_t huge;

	use_run_dir();
	CHECK(child_start(&c, fills, 5));
	req = child_req(&c);
	huge = thp_available(&c, 1) ? 1 : 0;

	/* Dry run, min fill 4: the sparse windows are skipped. */
	req.flags = KC_DRY_RUN;
	req.min_fill = 4;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), 0);
	CHECK_STR(res.engine, "userspace");
	/* MADV_HUGEPAGE made the THP window a mapping of its own. */
	CHECK_U64(res.regions, 2);
	CHECK_U64(res.chunks, 5);
	CHECK_U64(res.skipped_empty, 1);
	CHECK_U64(res.skipped_sparse, 2);
	CHECK_U64(res.already_huge, huge);
	CHECK_U64(res.candidates, 2 - huge);
	CHECK_U64(res.collapsed, 0);
	CHECK_U64(res.frames_before, res.frames_after);
	CHECK_INT(res.stop_reason, KC_STOP_DONE);
	CHECK_INT(child_anon_huge_kb(&c), (long)huge * 2048);

	/* For real, min fill 1; frames as kc_frames() sees them. */
	CHECK_INT(kc_frames(c.pid, req.range_start, req.range_len, &before), 0);
	req.flags = 0;
	req.min_fill = 0;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), 0);
	CHECK_INT(kc_frames(c.pid, req.range_start, req.range_len, &after), 0);
	CHECK_U64(res.chunks, 5);
	CHECK_U64(res.skipped_empty, 1);
	CHECK_U64(res.skipped_sparse, 0);
	CHECK_U64(res.collapsed, 4 - huge);
	CHECK_U64(res.already_huge, huge);
	CHECK_U64(res.frames_before, before.frames);
	CHECK_U64(res.present_before, before.present_bytes);
	CHECK_U64(res.frames_after, after.frames);
	CHECK_U64(res.present_after, after.present_bytes);
	CHECK_U64(res.frames_after, 4);
	CHECK_U64(res.present_after, 4 * WIN);
	CHECK_U64(res.pid, c.pid);
	CHECK(res.elapsed_ns > 0);
	CHECK_INT(child_anon_huge_kb(&c), 4 * 2048);
	CHECK(child_verify_ok(&c));

	/* Again: nothing left to do. */
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), 0);
	CHECK_U64(res.already_huge, 4);
	CHECK_U64(res.candidates, 0);
	child_stop(&c);
}

/*
 * A THP mapped by PTEs in order looks like a PMD-mapped one to pagemap:
 * PAGEMAP_SCAN tells them apart, and without it the mapping's
 * AnonHugePages does. Either way the module's answer: a candidate.
 */
void test_userspace_pte_mapped_thp(void)
{
	static const enum fill pte[] = { FILL_THP_PTE, FILL_DENSE };
	static const enum fill pmd[] = { FILL_THP, FILL_DENSE };
	struct kc_collapse_req req;
	struct kc_result scan, legacy;
	struct child c;

	use_run_dir();
	CHECK(child_start(&c, pmd, 2));
	if (!thp_available(&c, 1)) {
		child_stop(&c);
		t_skip("no THP at fault time here");
		return;
	}
	dry_run_both(&c, &scan, &legacy);
	CHECK_U64(scan.already_huge, 1);
	CHECK_U64(legacy.already_huge, 1);
	CHECK_U64(legacy.candidates, 1);
	child_stop(&c);

	CHECK(child_start(&c, pte, 2));
	CHECK_INT(child_anon_huge_kb(&c), 0);
	dry_run_both(&c, &scan, &legacy);
	CHECK_U64(scan.already_huge, 0);
	CHECK_U64(scan.candidates, 2);
	CHECK_U64(legacy.already_huge, 0);
	CHECK_U64(legacy.candidates, 2);
	/* Collapsing it makes a PMD mapping; the data stays. */
	req = child_req(&c);
	CHECK_INT(kc_collapse_userspace(&req, NULL, &scan), 0);
	CHECK_U64(scan.collapsed, 2);
	CHECK_INT(child_anon_huge_kb(&c), 2 * 2048);
	CHECK(child_verify_ok(&c));
	child_stop(&c);
}

/*
 * A read fault in a VM_HUGEPAGE mapping may map the huge zero page: no
 * data, so an empty window and no frame, as the module counts it, with
 * either way of telling huge windows apart.
 */
void test_userspace_huge_zero(void)
{
	static const enum fill fills[] = { FILL_HUGE_ZERO, FILL_DENSE };
	struct kc_result scan, legacy;
	struct child c;

	use_run_dir();
	CHECK(child_start(&c, fills, 2));
	dry_run_both(&c, &scan, &legacy);
	CHECK_U64(scan.skipped_empty, 1);
	CHECK_U64(scan.already_huge, 0);
	CHECK_U64(scan.candidates, 1);
	CHECK_U64(scan.present_before, WIN);
	CHECK_U64(scan.frames_before, legacy.frames_before);
	CHECK_U64(legacy.skipped_empty, 1);
	CHECK_U64(legacy.already_huge, 0);
	CHECK_U64(legacy.present_before, WIN);
	child_stop(&c);
}

/*
 * THP opt-outs: VM_NOHUGEPAGE memory is measured but its candidates are
 * counted, not collapsed; PR_SET_THP_DISABLE opts out every window;
 * KC_MARK_HUGEPAGE on the process itself lifts the first, not the second.
 */
void test_userspace_opt_outs(void)
{
	static const enum fill fills[] = { FILL_DENSE, FILL_DENSE_NH, FILL_DENSE };
	struct kc_collapse_req req;
	struct kc_frames fr;
	struct kc_result res;
	struct child c;
	int i;

	use_run_dir();
	CHECK(child_start(&c, fills, 3));
	req = child_req(&c);
	CHECK_INT(kc_frames(c.pid, req.range_start, req.range_len, &fr), 0);
	CHECK_U64(fr.regions, 3);
	CHECK_U64(fr.present_pages, 3 * 512);
	CHECK_U64(fr.live_windows, 3);

	/*
	 * Dry runs; one with mark-hugepage marks nothing, so the opt-out
	 * stands there too, as in the module.
	 */
	for (i = 0; i < 2; i++) {
		req.flags = KC_DRY_RUN | (i ? KC_MARK_HUGEPAGE : 0);
		CHECK_INT(kc_collapse_userspace(&req, NULL, &res), 0);
		CHECK_U64(res.regions, 3);
		CHECK_U64(res.chunks, 3);
		CHECK_U64(res.candidates, 2);
		CHECK_U64(res.skipped_opted_out, 1);
		CHECK_U64(kc_result_skipped(&res), 3);
		CHECK_U64(res.present_before, 3 * WIN);
		CHECK_U64(res.marked, 0);
	}

	req.flags = 0;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), 0);
	CHECK_U64(res.chunks, 3);
	CHECK_U64(res.collapsed, 2);
	CHECK_U64(res.skipped_opted_out, 1);
	CHECK(res.after_complete);
	CHECK_U64(res.present_after, 3 * WIN);
	CHECK_U64(child_anon_huge_kb(&c), 2 * 2048);

	/* The process itself may: the VM_NOHUGEPAGE mapping is marked too. */
	CHECK_INT(child_mark(&c, &res), 0);
	CHECK_U64(res.marked, 3);
	CHECK_U64(res.already_huge, 2);
	CHECK_U64(res.collapsed, 1);
	CHECK_U64(res.skipped_opted_out, 0);
	CHECK_U64(res.frames_after, 3);
	CHECK_U64(child_anon_huge_kb(&c), 3 * 2048);
	CHECK(child_verify_ok(&c));
	child_stop(&c);

	/* PR_SET_THP_DISABLE: every candidate opted out, marked or not. */
	CHECK(child_start(&c, fills, 3));
	req = child_req(&c);
	CHECK(child_do(&c, 'd'));
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), 0);
	CHECK_U64(res.candidates, 0);
	CHECK_U64(res.skipped_opted_out, 3);
	CHECK_U64(res.frames_after, res.frames_before);
	CHECK_INT(child_mark(&c, &res), 0);
	CHECK_U64(res.marked, 3);
	CHECK_U64(res.collapsed, 0);
	CHECK_U64(res.skipped_opted_out, 3);
	CHECK_U64(child_anon_huge_kb(&c), 0);
	CHECK(child_verify_ok(&c));
	child_stop(&c);
}

struct canceller {
	struct kc_op *op;
	pid_t pid;
	bool cross_process;
	int delay_ms;
};

static void *cancel_later(void *arg)
{
	struct canceller *k = arg;
	struct timespec ts = { k->delay_ms / 1000,
			       (k->delay_ms % 1000) * 1000000L };
	unsigned int n = 0;

	nanosleep(&ts, NULL);
	if (k->cross_process)
		kc_cancel_userspace(k->pid, &n);
	else
		kc_op_cancel(k->op);
	return NULL;
}

static enum fill dense8[] = {
	FILL_DENSE, FILL_DENSE, FILL_DENSE, FILL_DENSE,
	FILL_DENSE, FILL_DENSE, FILL_DENSE, FILL_DENSE,
};

/* Stop conditions, with 30 ms between windows so that they land. */
void test_userspace_stops(void)
{
	struct canceller k = { .delay_ms = 50 };
	struct kc_collapse_req req;
	struct kc_result res;
	pthread_t t;
	struct child c;
	int i;

	use_run_dir();
	setenv("KCOLLAPSE_TEST_PACE_US", "30000", 1);
	CHECK_INT(kc_op_new(&k.op), 0);

	/*
	 * Cancelled before it starts: the before-measurement stops at its
	 * first check, no window, no after-measurement.
	 */
	CHECK(child_start(&c, dense8, 8));
	req = child_req(&c);
	kc_op_cancel(k.op);
	CHECK(kc_op_cancelled(k.op));
	CHECK_INT(kc_collapse_with(KC_ENGINE_USERSPACE, &req, k.op, &res), 0);
	CHECK_INT(res.stop_reason, KC_STOP_CANCELLED);
	CHECK_U64(res.chunks, 0);
	CHECK_U64(res.frames_before, 0);
	CHECK_U64(res.frames_after, 0);
	CHECK(!res.after_complete);
	kc_op_free(k.op);

	/* Cancelled from another thread, then from "another process". */
	for (i = 0; i < 2; i++) {
		CHECK_INT(kc_op_new(&k.op), 0);
		k.pid = c.pid;
		k.cross_process = i == 1;
		CHECK_INT(pthread_create(&t, NULL, cancel_later, &k), 0);
		CHECK_INT(kc_collapse_userspace(&req, k.op, &res), 0);
		pthread_join(t, NULL);
		CHECK_INT(res.stop_reason, KC_STOP_CANCELLED);
		CHECK(res.chunks >= 1 && res.chunks < 8);
		CHECK(res.frames_before > 0);
		CHECK(!res.after_complete);
		CHECK_U64(res.frames_after, 0);
		CHECK_U64(res.present_after, 0);
		kc_op_free(k.op);
	}

	/* The deadline. */
	req.deadline_ms = 50;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), 0);
	CHECK_INT(res.stop_reason, KC_STOP_DEADLINE);
	CHECK(res.chunks >= 1 && res.chunks < 8);
	CHECK(!res.after_complete);
	CHECK(child_verify_ok(&c));
	child_stop(&c);

	/* The target exits: no after-measurement. */
	CHECK(child_start(&c, dense8, 8));
	req = child_req(&c);
	k.op = NULL;
	if (fork() == 0) {
		struct timespec ts = { 0, 50000000L };

		nanosleep(&ts, NULL);
		kill(c.pid, SIGKILL);
		_exit(0);
	}
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), 0);
	CHECK_INT(res.stop_reason, KC_STOP_TARGET_EXITED);
	CHECK(res.chunks < 8);
	CHECK_U64(res.frames_after, 0);
	CHECK(!res.after_complete);
	while (wait(NULL) > 0)
		;
	c.pid = 0;
	child_stop(&c);
	unsetenv("KCOLLAPSE_TEST_PACE_US");
}

/* Milliseconds past @res's deadline its operation ended (< 0: before). */
static double overshoot_ms(const struct kc_result *res, uint32_t deadline_ms)
{
	return (double)res->elapsed_ns / 1e6 - deadline_ms;
}

/*
 * A collapse cannot be interrupted: one expected to end past the
 * deadline, at the longest of the operation so far, is not started, and
 * not counted. With every collapse made to take 100 ms, the first always
 * starts; a deadline at 250 ms lets a second start (at ~100 ms, expected
 * to end at ~200) and never a third (at >= 200 ms, expected >= 300),
 * which used to run past the deadline. Load only delays the starts and
 * lengthens the steps: the counts hold on any machine.
 */
void test_userspace_deadline_ahead(void)
{
	struct kc_pace p = { .deadline_ns = 1000 };
	struct kc_collapse_req req;
	struct kc_result res;
	struct child c;

	/* The rule: late if now plus the expected cost passes the deadline. */
	CHECK(!kc_pace_late(&p, 900, 100));
	CHECK(kc_pace_late(&p, 900, 101));
	CHECK(kc_pace_late(&p, 1001, 0));
	p.deadline_ns = 0;
	CHECK(!kc_pace_late(&p, 1001, 1000));

	use_run_dir();
	setenv("KCOLLAPSE_TEST_COLLAPSE_US", "100000", 1);
	CHECK(child_start(&c, dense8, 8));
	req = child_req(&c);
	req.deadline_ms = 250;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), 0);
	printf("# 100 ms collapses, deadline 250 ms: %" PRIu64 " started, "
	       "ended %+.1f ms from the deadline\n", res.candidates,
	       overshoot_ms(&res, 250));
	CHECK_INT(res.stop_reason, KC_STOP_DEADLINE);
	CHECK(res.candidates >= 1 && res.candidates <= 2);
	CHECK_U64(res.chunks, res.candidates);
	CHECK_U64(res.collapsed, res.candidates);
	CHECK(!res.after_complete);
	CHECK_INT(child_anon_huge_kb(&c), (long)res.collapsed * 2048);

	/* A deadline shorter than one collapse: the first runs, no other. */
	req.deadline_ms = 50;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), 0);
	CHECK_INT(res.stop_reason, KC_STOP_DEADLINE);
	CHECK_U64(res.candidates, 1);
	CHECK_U64(res.chunks, res.already_huge + 1);
	unsetenv("KCOLLAPSE_TEST_COLLAPSE_US");

	/* The pause between windows stops at the deadline too. */
	setenv("KCOLLAPSE_TEST_PACE_US", "900000", 1);
	req.flags = KC_DRY_RUN;
	req.deadline_ms = 100;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), 0);
	printf("# 900 ms pauses, deadline 100 ms: ended %+.1f ms from it\n",
	       overshoot_ms(&res, 100));
	CHECK_INT(res.stop_reason, KC_STOP_DEADLINE);
	CHECK_U64(res.chunks, 1);
	CHECK(res.elapsed_ns < 900000000ULL);
	unsetenv("KCOLLAPSE_TEST_PACE_US");
	CHECK(child_verify_ok(&c));
	child_stop(&c);
}

void test_userspace_lock(void)
{
	struct kc_oplock a, b;
	unsigned int n = 9;

	use_run_dir();
	CHECK_INT(kc_oplock_cancel(424242, &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(kc_oplock_take(424242, &a), 0);
	CHECK(!kc_oplock_cancel_requested(&a));
	CHECK_INT(kc_oplock_take(424242, &b), -EBUSY);
	CHECK(strstr(kc_last_error(NULL), "already running") != NULL);
	CHECK_INT(kc_oplock_cancel(424242, &n), 0);
	CHECK_INT(n, 1);
	CHECK(kc_oplock_cancel_requested(&a));
	kc_oplock_release(&a);
	CHECK_INT(kc_oplock_cancel(424242, &n), 0);
	CHECK_INT(n, 0);
	/* Free again, and a stale cancel does not stick to the next one. */
	CHECK_INT(kc_oplock_take(424242, &b), 0);
	CHECK(!kc_oplock_cancel_requested(&b));
	kc_oplock_release(&b);
}

void test_userspace_errors(void)
{
	struct kc_collapse_req req = { .pid = 2147483000 };
	struct kc_result res;
	struct child c;
	char stat[256] = "";
	pid_t z;
	FILE *f;

	use_run_dir();
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), -ESRCH);
	CHECK(strstr(kc_last_error(NULL), "no such process") != NULL);
	CHECK_INT(kc_cancel_userspace(2147483000, NULL), -ESRCH);
	req.pid = 0;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), -EINVAL);
	CHECK_INT(kc_collapse_userspace(NULL, NULL, &res), -EINVAL);

	/* It cannot move pages: pack and auto are the module's. */
	req.pid = getpid();
	req.mode = KC_MODE_PACK;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), -EOPNOTSUPP);
	CHECK(strstr(kc_last_error(NULL), "pack mode needs the kcollapse module") != NULL);
	req.mode = KC_MODE_AUTO;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), -EOPNOTSUPP);
	CHECK(strstr(kc_last_error(NULL), "auto mode needs") != NULL);
	/* ... nor see accessed bits: hot-first is the module's too. */
	req.hot_first = true;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), -EOPNOTSUPP);
	CHECK(strstr(kc_last_error(NULL), "auto mode with hot-first needs the "
		     "kcollapse module") != NULL);
	req.mode = KC_MODE_COLLAPSE;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), -EINVAL);
	CHECK(strstr(kc_last_error(NULL), "hot_first needs pack or auto") != NULL);
	req.hot_first = false;
	req.mode = KC_MODE_COLLAPSE;

	/* A kernel thread, if pid 2 is kthreadd here. */
	f = fopen("/proc/2/stat", "r");
	if (f && fgets(stat, sizeof(stat), f) && strstr(stat, "(kthreadd)")) {
		req.pid = 2;
		CHECK_INT(kc_collapse_userspace(&req, NULL, &res), -EINVAL);
		CHECK(strstr(kc_last_error(NULL), "kernel thread") != NULL);
	}
	if (f)
		fclose(f);

	/* A zombie. */
	z = fork();
	if (z == 0)
		_exit(0);
	usleep(100000);
	req.pid = z;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), -ESRCH);
	CHECK(strstr(kc_last_error(NULL), "no address space") != NULL);
	waitpid(z, NULL, 0);

	CHECK(child_start(&c, dense8, 1));
	req = child_req(&c);
	req.min_fill = 513;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), -EINVAL);
	req.min_fill = 0;
	req.flags = KC_MARK_HUGEPAGE;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), -EOPNOTSUPP);
	CHECK_STR(kc_last_error(NULL), MARK_REMOTE_ERROR);
	/* Auto without a module is the userspace engine: the same refusal. */
	if (access("/sys/module/kcollapse", F_OK) != 0) {
		CHECK_INT(kc_collapse_with(KC_ENGINE_AUTO, &req, NULL, &res),
			  -EOPNOTSUPP);
		CHECK_STR(kc_last_error(NULL), MARK_REMOTE_ERROR);
	}
	/* An unaligned start is refused before any engine runs. */
	req.flags = 0;
	req.range_start += 1;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), -EINVAL);
	CHECK(strstr(kc_last_error(NULL), "not page aligned") != NULL);
	CHECK_INT(kc_collapse_with(KC_ENGINE_AUTO, &req, NULL, &res), -EINVAL);
	CHECK(strstr(kc_last_error(NULL), "not page aligned") != NULL);
	req.range_start -= 1;
	/* A length is rounded up to whole pages. */
	req.range_len = WIN - PAGE + 1;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), 0);
	CHECK_U64(res.chunks, 1);
	req.range_len = WIN;
	/* A dry run does not mark anything: accepted, like the module. */
	req.flags = KC_MARK_HUGEPAGE | KC_DRY_RUN;
	CHECK_INT(kc_collapse_userspace(&req, NULL, &res), 0);
	CHECK_U64(res.marked, 0);
	child_stop(&c);
}

void test_engine_select(void)
{
	enum kc_engine e = KC_ENGINE_KMOD;
	struct kc_userspace_info us;
	char why[256];

	CHECK_STR(kc_engine_name(KC_ENGINE_AUTO), "auto");
	CHECK_STR(kc_engine_name(KC_ENGINE_USERSPACE), "userspace");
	CHECK_STR(kc_engine_name((enum kc_engine)7), "unknown");
	CHECK_INT(kc_engine_parse("kmod", &e), 0);
	CHECK_INT(e, KC_ENGINE_KMOD);
	CHECK_INT(kc_engine_parse("KMOD", &e), -EINVAL);
	CHECK_INT(kc_userspace_info(&us), 0);
	CHECK(us.available);
	CHECK(!strcmp(us.huge_detection, "pagemap-scan") ||
	      !strcmp(us.huge_detection, "kpageflags"));
	if (access("/sys/module/kcollapse", F_OK) == 0) {
		t_skip("the kcollapse module is loaded");
		return;
	}
	CHECK_INT(kc_engine_select(KC_ENGINE_AUTO, 0, &e, why, sizeof(why)), 0);
	CHECK_INT(e, KC_ENGINE_USERSPACE);
	CHECK(strstr(why, "not loaded") != NULL);
	CHECK_INT(kc_engine_select(KC_ENGINE_KMOD, 0, &e, NULL, 0), -ENOENT);
	CHECK_INT(kc_engine_select(KC_ENGINE_USERSPACE, 0, &e, NULL, 0), 0);
	CHECK_INT(e, KC_ENGINE_USERSPACE);
}

/* Run kcollapsectl ARGS through sh; its stdout in @out, its exit code. */
static int ctl(char *out, size_t len, const char *args)
{
	char cmd[512];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", KCOLLAPSECTL_BIN, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void test_cli_engine(void)
{
	char out[4096], args[256];
	struct child c;

	use_run_dir();
	CHECK(child_start(&c, dense8, 2));
	snprintf(args, sizeof(args), "collapse %d --engine userspace --json "
		 "--range 0x%lx:4M", (int)c.pid, (unsigned long)(uintptr_t)c.base);
	CHECK_INT(ctl(out, sizeof(out), args), 0);
	CHECK(strstr(out, "\"engine\":\"userspace\"") != NULL);
	CHECK(strstr(out, "\"collapsed\":2,") != NULL);
	snprintf(args, sizeof(args), "collapse %d --engine=userspace --range "
		 "0x%lx:4M", (int)c.pid, (unsigned long)(uintptr_t)c.base);
	CHECK_INT(ctl(out, sizeof(out), args), 0);
	CHECK(strstr(out, "  engine:                 userspace\n") != NULL);
	CHECK(strstr(out, "already huge:         2\n") != NULL);
	snprintf(args, sizeof(args), "collapse %d --engine userspace "
		 "--mark-hugepage", (int)c.pid);
	CHECK_INT(ctl(out, sizeof(out), args), 1);
	CHECK(strstr(out, MARK_REMOTE_ERROR) != NULL);
	snprintf(args, sizeof(args), "collapse %d --engine userspace --range "
		 "0x%lx:4M", (int)c.pid, (unsigned long)(uintptr_t)c.base + 1);
	CHECK_INT(ctl(out, sizeof(out), args), 1);
	CHECK(strstr(out, "is not page aligned") != NULL);
	snprintf(args, sizeof(args), "cancel %d --engine userspace", (int)c.pid);
	CHECK_INT(ctl(out, sizeof(out), args), 0);
	CHECK(strstr(out, "no running operation") != NULL);
	CHECK(child_verify_ok(&c));
	child_stop(&c);

	CHECK_INT(ctl(out, sizeof(out), "collapse 1 --engine bogus"), 2);
	CHECK(strstr(out, "invalid --engine 'bogus'") != NULL);
	CHECK_INT(ctl(out, sizeof(out), "info --engine userspace --json"), 0);
	CHECK(strstr(out, "\"available\":true") != NULL);
	CHECK_INT(ctl(out, sizeof(out), "collapse 2147483000 --engine userspace"), 1);
	CHECK(strstr(out, "no such process") != NULL);
	if (access("/sys/module/kcollapse", F_OK) == 0)
		return;
	CHECK_INT(ctl(out, sizeof(out), "info --engine auto --json"), 0);
	CHECK(strstr(out, "\"selectedEngine\":\"userspace\"") != NULL);
	CHECK(strstr(out, "\"module\":null") != NULL);
	/* Without the module, auto means userspace. */
	CHECK_INT(ctl(out, sizeof(out), "collapse 2147483000"), 1);
	CHECK(strstr(out, "no such process: 2147483000") != NULL);
}
