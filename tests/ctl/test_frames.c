// SPDX-License-Identifier: MIT
/*
 * kc_frames() against the test process itself.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kcollapse/kcollapse.h>

#include "frames.h"
#include "test.h"

#define WIN (2UL << 20)

struct region {
	void *raw;
	size_t raw_len;
	char *base;	/* 2 MiB aligned, nwin windows, no THP */
	size_t len;
};

static bool region_map(struct region *r, size_t nwin)
{
	uintptr_t a;

	r->raw_len = (nwin + 1) * WIN;
	r->raw = mmap(NULL, r->raw_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->raw == MAP_FAILED)
		return false;
	a = ((uintptr_t)r->raw + WIN - 1) & ~(uintptr_t)(WIN - 1);
	r->base = (char *)a;
	r->len = nwin * WIN;
	/*
	 * 4 KiB pages only, so that present pages are exactly those touched,
	 * even with THP "always". Not MADV_NOHUGEPAGE: that would split the
	 * VMA (regions) and opt it out of collapses. Fork and exec keep the
	 * setting: fine for tests.
	 */
	return prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0;
}

static void region_unmap(struct region *r)
{
	munmap(r->raw, r->raw_len);
}

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* Touch pages 0, 1, 100, 511 of window 0 and page 7 of window 1. */
static const size_t touched[] = { 0, 1, 100, 511, 512 + 7 };

static void touch(struct region *r)
{
	size_t i;

	for (i = 0; i < sizeof(touched) / sizeof(touched[0]); i++)
		r->base[touched[i] * page_size()] = (char)(i + 1);
}

void test_frames_self(void)
{
	struct kc_frames fr;
	struct region r;
	size_t n = sizeof(touched) / sizeof(touched[0]);

	CHECK(region_map(&r, 2));
	touch(&r);
	CHECK_INT(kc_frames(getpid(), (uintptr_t)r.base, r.len, &fr), 0);
	CHECK_STR(kc_last_error(NULL), "");
	CHECK_U64(fr.regions, 1);
	CHECK_U64(fr.present_pages, n);
	CHECK_U64(fr.present_bytes, n * page_size());
	CHECK_U64(fr.live_windows, 2);
	CHECK(fr.frames >= 1);
	CHECK(fr.frames <= fr.present_pages);

	region_unmap(&r);
}

/* Is @pid blocked in (clock_)nanosleep, i.e. done loading? */
static bool in_nanosleep(pid_t pid)
{
	char path[64], buf[64] = "";
	long nr = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f))
		nr = strtol(buf, NULL, 10);
	fclose(f);
	return nr == SYS_nanosleep || nr == SYS_clock_nanosleep;
}

/* Start sleep(1) and wait until it sleeps; 0 on failure. */
static pid_t spawn_sleep(void)
{
	pid_t pid = fork();
	int i;

	if (pid < 0)
		return 0;
	if (pid == 0) {
		execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 1000; i++) {
		if (in_nanosleep(pid))
			return pid;
		usleep(5000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 0;
}

/*
 * A whole other process. (Not this one: a sanitizer build maps terabytes of
 * shadow memory, and reading pagemap costs 8 bytes per mapped page.)
 */
void test_frames_other_process(void)
{
	struct kc_frames fr;
	pid_t pid = spawn_sleep();

	CHECK(pid > 0);
	if (pid <= 0)
		return;
	CHECK_INT(kc_frames(pid, 0, 0, &fr), 0);
	CHECK(fr.regions >= 1);
	CHECK(fr.present_pages >= 1);
	CHECK_U64(fr.present_bytes, fr.present_pages * page_size());
	CHECK(fr.frames >= 1 && fr.frames <= fr.present_pages);
	CHECK(fr.live_windows <= fr.present_pages);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

void test_frames_range(void)
{
	uintptr_t base;
	struct kc_frames fr;
	struct region r;

	CHECK(region_map(&r, 2));
	touch(&r);
	base = (uintptr_t)r.base;

	/* Window 1 only. */
	CHECK_INT(kc_frames(getpid(), base + WIN, WIN, &fr), 0);
	CHECK_U64(fr.regions, 1);
	CHECK_U64(fr.present_pages, 1);
	CHECK_U64(fr.live_windows, 1);
	CHECK_U64(fr.frames, 1);

	/* Unaligned start: window 0 is no longer fully inside the range. */
	CHECK_INT(kc_frames(getpid(), base + page_size(), r.len - page_size(),
			    &fr), 0);
	CHECK_U64(fr.present_pages, 4);
	CHECK_U64(fr.live_windows, 1);

	/* Half a window: pages count, no window is fully covered. */
	CHECK_INT(kc_frames(getpid(), base, WIN / 2, &fr), 0);
	CHECK_U64(fr.present_pages, 3);
	CHECK_U64(fr.live_windows, 0);

	/* Untouched memory. */
	region_unmap(&r);
	CHECK(region_map(&r, 2));
	CHECK_INT(kc_frames(getpid(), (uintptr_t)r.base, r.len, &fr), 0);
	CHECK_U64(fr.regions, 1);
	CHECK_U64(fr.present_pages, 0);
	CHECK_U64(fr.frames, 0);
	CHECK_U64(fr.live_windows, 0);
	region_unmap(&r);
}

/* Is the (already read) page at @p the shared zero page? */
static bool read_faults_map_zero_page(const void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return false;
	if (pread(fd, &e, sizeof(e),
		  (off_t)((uintptr_t)p / page_size() * sizeof(e))) != sizeof(e))
		e = 0;
	close(fd);
	/* Present, but not exclusively mapped: no struct page behind it. */
	return (e >> 63 & 1) && !(e >> 56 & 1);
}

void test_frames_ignores_ineligible(void)
{
	struct kc_frames fr;
	volatile char sink = 0;
	struct region r;
	char *p;
	size_t i;

	/* Shared anonymous memory. */
	p = mmap(NULL, WIN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	CHECK(p != MAP_FAILED);
	memset(p, 1, WIN);
	CHECK_INT(kc_frames(getpid(), (uintptr_t)p, WIN, &fr), 0);
	CHECK_U64(fr.regions, 0);
	CHECK_U64(fr.present_pages, 0);
	munmap(p, WIN);

	/*
	 * MADV_NOHUGEPAGE memory is measured like any other: only collapsing
	 * it respects the opt-out (a mapping of its own now).
	 */
	CHECK(region_map(&r, 2));
	touch(&r);
	CHECK(madvise(r.base + WIN, WIN, MADV_NOHUGEPAGE) == 0);
	CHECK_INT(kc_frames(getpid(), (uintptr_t)r.base, r.len, &fr), 0);
	CHECK_U64(fr.regions, 2);
	CHECK_U64(fr.present_pages, sizeof(touched) / sizeof(touched[0]));
	CHECK_U64(fr.live_windows, 2);
	CHECK_INT(kc_frames(getpid(), (uintptr_t)r.base + WIN, WIN, &fr), 0);
	CHECK_U64(fr.regions, 1);
	CHECK_U64(fr.present_pages, 1);		/* window 1 only */
	region_unmap(&r);

	/* Read-only private anonymous memory. */
	p = mmap(NULL, WIN, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	for (i = 0; i < WIN; i += page_size())
		sink += p[i];
	CHECK_INT(kc_frames(getpid(), (uintptr_t)p, WIN, &fr), 0);
	CHECK_U64(fr.regions, 0);
	munmap(p, WIN);

	/*
	 * Pages only read map the shared zero page (present in pagemap, but
	 * no data): not counted. Some kernels allocate a real page instead.
	 */
	CHECK(region_map(&r, 1));
	for (i = 0; i < 16; i++)
		sink += r.base[i * page_size()];
	r.base[20 * page_size()] = 1;
	CHECK_INT(kc_frames(getpid(), (uintptr_t)r.base, r.len, &fr), 0);
	CHECK_U64(fr.regions, 1);
	if (read_faults_map_zero_page(r.base)) {
		CHECK_U64(fr.present_pages, 1);
		CHECK_U64(fr.frames, 1);
	} else {
		CHECK_U64(fr.present_pages, 17);
	}
	region_unmap(&r);
	(void)sink;
}

void test_frames_no_such_pid(void)
{
	struct kc_frames fr;

	/* Above PID_MAX_LIMIT (4M): never a process. */
	CHECK_INT(kc_frames(0x7ffffff0, 0, 0, &fr), -ESRCH);
	CHECK_INT(errno, ESRCH);
	CHECK(strstr(kc_last_error(NULL), "no such process") != NULL);
	CHECK_INT(kc_frames(0, 0, 0, &fr), -EINVAL);
	CHECK_INT(kc_frames(-1, 0, 0, &fr), -EINVAL);
	CHECK_INT(kc_frames(getpid(), 0, 0, NULL), -EINVAL);
}

/* Without CAP_SYS_ADMIN pagemap reads PFN 0: kc_frames() says -EPERM. */
static int hidden_pfns_child(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	struct kc_frames fr;
	struct region r;

	if (syscall(SYS_capget, &hdr, data) < 0)
		return 77;
	data[0].effective &= ~(1u << CAP_SYS_ADMIN);
	data[0].permitted &= ~(1u << CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data) < 0)
		return 77;
	if (!region_map(&r, 1))
		return 2;
	touch(&r);
	if (kc_frames(getpid(), (uintptr_t)r.base, r.len, &fr) != -EPERM)
		return 3;
	if (!strstr(kc_last_error(NULL), "CAP_SYS_ADMIN"))
		return 4;
	if (fr.present_pages || fr.frames)
		return 5;
	return 0;
}

void test_frames_hidden_pfns(void)
{
	int status = 0;
	pid_t pid;

	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(hidden_pfns_child());
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		t_skip("cannot drop CAP_SYS_ADMIN");
		return;
	}
	CHECK_INT(WEXITSTATUS(status), 0);
}

/* A stop that comes at the @after-th question. */
struct stop_after {
	unsigned int asked;
	unsigned int after;
};

static uint32_t stop_at(const void *arg)
{
	struct stop_after *s = (struct stop_after *)arg;

	return ++s->asked >= s->after ? KC_STOP_DEADLINE : 0;
}

/* kc_frames_measure() of our own region, stopping at question @after. */
static int measure_stopping(const struct region *r, unsigned int after,
			    struct kc_frames *fr)
{
	struct stop_after s = { .after = after };
	const struct kc_stop stop = { stop_at, &s };
	struct kc_vma_list vmas;
	struct kc_pagemap pm;
	int ret;

	ret = kc_vmas_read(getpid(), &vmas);
	if (!ret)
		ret = kc_pagemap_open(&pm, getpid());
	if (!ret) {
		ret = kc_frames_measure(&pm, &vmas, (uintptr_t)r->base,
					(uintptr_t)r->base + r->len, &stop, fr);
		kc_pagemap_close(&pm);
	}
	kc_vmas_free(&vmas);
	return ret;
}

/*
 * Both ways of finding the pages (PAGEMAP_SCAN, or every pagemap entry
 * as before Linux 6.7) count the same; and a measurement asks whether to
 * stop before each piece of work, reporting what it measured until then.
 */
void test_frames_scan_and_stops(void)
{
	struct kc_frames scan, legacy, fr;
	struct region r;

	CHECK(region_map(&r, 2));
	touch(&r);
	CHECK_INT(kc_frames(getpid(), (uintptr_t)r.base, r.len, &scan), 0);
	setenv("KCOLLAPSE_NO_PAGEMAP_SCAN", "1", 1);
	CHECK_INT(kc_frames(getpid(), (uintptr_t)r.base, r.len, &legacy), 0);
	unsetenv("KCOLLAPSE_NO_PAGEMAP_SCAN");
	CHECK_U64(scan.present_pages, legacy.present_pages);
	CHECK_U64(scan.frames, legacy.frames);
	CHECK_U64(scan.live_windows, legacy.live_windows);
	CHECK_U64(scan.regions, legacy.regions);

	CHECK_INT(measure_stopping(&r, 1, &fr), KC_STOP_DEADLINE);
	CHECK_U64(fr.present_pages, 0);
	CHECK_U64(fr.regions, 1);
	CHECK_INT(measure_stopping(&r, 1000, &fr), 0);
	CHECK_U64(fr.present_pages, scan.present_pages);
	region_unmap(&r);
}

/* smaps "Referenced:" (kB of young pages) of @pid's mapping at @addr. */
static long referenced_kb(pid_t pid, uintptr_t addr)
{
	char path[64], line[256];
	bool in = false;
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in = addr >= lo && addr < hi;
			continue;
		}
		if (in && sscanf(line, "Referenced: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/*
 * kc_clear_accessed() on a child that touched 16 pages and waits: the
 * kernel's own count of its young pages (smaps Referenced) drops to 0.
 * Once the child is gone: -ESRCH, as for a pid that never was.
 */
void test_clear_accessed(void)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int fds[2], status = 0;
	uintptr_t addr = 0;
	pid_t pid;

	CHECK_INT(kc_clear_accessed(0), -EINVAL);
	CHECK_INT(kc_clear_accessed(0x7ffffff0), -ESRCH);
	CHECK(strstr(kc_last_error(NULL), "no such process") != NULL);
	if (pipe(fds) < 0) {
		t_fail(__FILE__, __LINE__, "pipe: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		char *p = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		size_t i;

		if (p == MAP_FAILED)
			_exit(1);
		madvise(p, 16 * page, MADV_NOHUGEPAGE);
		for (i = 0; i < 16; i++)
			p[i * page] = 1;
		addr = (uintptr_t)p;
		if (write(fds[1], &addr, sizeof(addr)) != sizeof(addr))
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	CHECK(pid > 0);
	if (pid < 0 || read(fds[0], &addr, sizeof(addr)) != sizeof(addr)) {
		close(fds[0]);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		t_fail(__FILE__, __LINE__, "child did not start");
		return;
	}
	close(fds[0]);
	CHECK_INT(referenced_kb(pid, addr), (long)(16 * page / 1024));
	CHECK_INT(kc_clear_accessed(pid), 0);
	CHECK_INT(referenced_kb(pid, addr), 0);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	CHECK_INT(kc_clear_accessed(pid), -ESRCH);
}
