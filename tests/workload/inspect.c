// SPDX-License-Identifier: GPL-2.0
/*
 * kc-workload's view of its own heap: per-VMA hugepage counts (smaps),
 * physical frames (pagemap), and pattern verification.
 */
#include "layout.h"
#include "kc-common.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define WORDS_PER_PAGE	(KC_PAGE_SIZE / sizeof(uint64_t))

/* Feed the pagemap entries of @v to @one and @all. */
static int vma_frames(int pm, const struct wl_vma *v, struct kc_frames *one,
		      struct kc_frames *all)
{
	uint64_t buf[KC_WIN_PAGES];
	int err;

	for (uint64_t pg = 0; pg < v->npages; pg += KC_WIN_PAGES) {
		size_t n = v->npages - pg < KC_WIN_PAGES ? v->npages - pg
							: KC_WIN_PAGES;

		err = kc_pagemap_read(pm, v->start + pg * KC_PAGE_SIZE, n, buf);
		if (!err)
			err = kc_frames_add(one, buf, n);
		if (!err)
			err = kc_frames_add(all, buf, n);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Hugepage and resident counts of @v from smaps. @v may have been split
 * since it was built (madvise on part of it): every piece inside it counts,
 * but they must still cover it exactly.
 */
static int report_vma(const struct wl_vma *v, int fd, const char *prefix,
		      int current)
{
	struct kc_smaps_vma sm;
	long long huge = -1, present = current ? -1 : (long long)v->present;
	int err;

	err = kc_smaps_range(0, v->start, v->start + v->len, &sm);
	if (!err && sm.covered == v->len) {
		huge = (long long)(sm.anon_huge_kb / (KC_WIN_SIZE >> 10));
		if (current)
			present = (long long)(sm.rss_kb / (KC_PAGE_SIZE >> 10));
	} else {
		fprintf(stderr, "kc-workload: %s: 0x%llx-0x%llx is not covered by VMAs in smaps: %s\n",
			v->spec->name, (unsigned long long)v->start,
			(unsigned long long)(v->start + v->len),
			err ? strerror(-err) : "it was unmapped in part");
		err = err ? err : -ESPIPE;
	}
	kc_printf(fd, "%svma %s 0x%llx 0x%llx windows=%llu present=%lld huge_windows=%lld\n",
		  prefix, v->spec->name, (unsigned long long)v->start,
		  (unsigned long long)v->len, (unsigned long long)v->windows,
		  present, huge);
	return err;
}

int wl_report(const struct wl_layout *l, int fd, const char *prefix,
	      int current)
{
	struct kc_frames one = { 0 }, all = { 0 };
	long *frames = calloc(l->nvmas, sizeof(*frames));
	int pm = kc_pagemap_open(0), err = 0, e;

	if (!frames) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < l->nvmas; i++) {
		const struct wl_vma *v = &l->vmas[i];

		if (!v->selected)
			continue;
		e = report_vma(v, fd, prefix, current);
		err = err ? err : e;
		frames[i] = -1;
		if (pm < 0)
			continue;
		kc_frames_reset(&one);
		e = vma_frames(pm, v, &one, &all);
		if (!e)
			frames[i] = kc_frames_count(&one);
		err = err ? err : e;
	}
	for (size_t i = 0; i < l->nvmas; i++)
		if (l->vmas[i].selected)
			kc_printf(fd, "%sphys %s frames=%ld\n", prefix,
				  l->vmas[i].spec->name, frames[i]);
	kc_printf(fd, "%sframes %ld\n", prefix,
		  pm < 0 ? -1L : kc_frames_count(&all));
out:
	if (pm >= 0)
		close(pm);
	kc_frames_free(&one);
	kc_frames_free(&all);
	free(frames);
	return err;
}

struct verify_state {
	uint64_t pages;		/* expected pages checked */
	uint64_t bad;		/* pages that failed */
	uint64_t first;		/* lowest failing address */
};

static void note_bad(struct verify_state *st, uint64_t addr)
{
	if (!st->bad || addr < st->first)
		st->first = addr;
	st->bad++;
}

/* Returns the address of the first wrong word, or 0. */
static uint64_t check_page(uint64_t addr, uint64_t seed, int expected)
{
	const volatile uint64_t *p = (const volatile uint64_t *)(uintptr_t)addr;

	for (size_t w = 0; w < WORDS_PER_PAGE; w++) {
		uint64_t want = expected ? kc_pattern(addr + w * 8, seed) : 0;

		if (p[w] != want)
			return addr + w * 8;
	}
	return 0;
}

/*
 * An expected page must still be present (pagemap, checked before touching
 * it: a read would map the zero page) and hold its pattern. A page that was
 * never written is not read unless pagemap says it is present now (a
 * collapse fills holes): then it must read as zeroes.
 */
static void verify_vma(const struct wl_vma *v, uint64_t seed, int pm,
		       struct verify_state *st)
{
	uint64_t buf[KC_WIN_PAGES];

	for (uint64_t pg0 = 0; pg0 < v->npages; pg0 += KC_WIN_PAGES) {
		size_t n = v->npages - pg0 < KC_WIN_PAGES ? v->npages - pg0
							 : KC_WIN_PAGES;
		uint64_t base = v->start + pg0 * KC_PAGE_SIZE;
		int have_pm = pm >= 0 && !kc_pagemap_read(pm, base, n, buf);

		for (size_t i = 0; i < n; i++) {
			uint64_t addr = base + i * KC_PAGE_SIZE, bad;
			int expected = wl_expected(v, pg0 + i);
			int there = have_pm &&
				(buf[i] & (KC_PM_PRESENT | KC_PM_SWAPPED));

			if (expected)
				st->pages++;
			if (expected && have_pm && !there) {
				note_bad(st, addr);
				continue;
			}
			if (!expected && !there)
				continue;
			bad = check_page(addr, seed, expected);
			if (bad)
				note_bad(st, bad);
		}
	}
}

int wl_verify(const struct wl_layout *l, int fd)
{
	struct verify_state st = { 0 };
	int pm = kc_pagemap_open(0);

	for (size_t i = 0; i < l->nvmas; i++)
		if (l->vmas[i].selected)
			verify_vma(&l->vmas[i], l->seed, pm, &st);
	if (pm >= 0)
		close(pm);
	if (st.bad)
		return kc_printf(fd, "verify FAIL mismatches=%" PRIu64 " first=0x%" PRIx64 "\n",
				 st.bad, st.first);
	return kc_printf(fd, "verify ok pages=%" PRIu64 "\n", st.pages);
}

/* The @num/@den-th expected page of the first writable VMA holding any. */
static int pick_page(const struct wl_layout *l, uint64_t num, uint64_t den,
		     uint64_t *addr)
{
	for (size_t i = 0; i < l->nvmas; i++) {
		const struct wl_vma *v = &l->vmas[i];
		uint64_t nth, pg;

		if (!v->selected || !v->present || (v->spec->flags & WL_READONLY))
			continue;
		nth = v->present * num / den;
		for (pg = 0; pg < v->npages; pg++)
			if (wl_expected(v, pg) && nth-- == 0)
				break;
		*addr = v->start + pg * KC_PAGE_SIZE;
		return 0;
	}
	return -ENOENT;
}

int wl_corrupt(struct wl_layout *l, uint64_t *addr)
{
	int err = pick_page(l, 1, 2, addr);	/* the middle page */

	if (err)
		return err;
	*addr += 5 * sizeof(uint64_t);
	*(volatile uint64_t *)(uintptr_t)*addr ^= ~0ULL;
	return 0;
}

int wl_drop(struct wl_layout *l, uint64_t *addr)
{
	int err = pick_page(l, 1, 4, addr);	/* a quarter in */

	if (err)
		return err;
	if (madvise((void *)(uintptr_t)*addr, KC_PAGE_SIZE, MADV_DONTNEED))
		return -errno;
	return 0;
}

/*
 * Read every @stride-th expected page (a word of it, so the access sets
 * its PTE's accessed bit and changes nothing), then count the distinct
 * frames those pages are in, from pagemap.
 */
int wl_touch(const struct wl_layout *l, unsigned int stride, int fd)
{
	struct kc_frames frames = { 0 };
	uint64_t k = 0, touched = 0, ent, sum = 0;
	int pm = kc_pagemap_open(0), err = 0;

	if (pm < 0) {
		kc_printf(fd, "touched FAIL pagemap: %s\n", strerror(-pm));
		return pm;
	}
	for (size_t i = 0; i < l->nvmas && !err; i++) {
		const struct wl_vma *v = &l->vmas[i];

		if (!v->selected || !v->mapped)
			continue;
		for (uint64_t p = 0; p < v->npages && !err; p++) {
			uint64_t addr = v->start + p * KC_PAGE_SIZE;

			if (!wl_expected(v, p) || k++ % stride)
				continue;
			sum += *(volatile uint64_t *)(uintptr_t)addr;
			touched++;
			err = kc_pagemap_read(pm, addr, 1, &ent);
			if (!err)
				err = kc_frames_add(&frames, &ent, 1);
		}
	}
	close(pm);
	if (err)
		kc_printf(fd, "touched FAIL %s\n", strerror(-err));
	else
		kc_printf(fd, "touched pages=%llu frames=%ld sum=%llx\n",
			  (unsigned long long)touched, kc_frames_count(&frames),
			  (unsigned long long)sum);
	kc_frames_free(&frames);
	return err;
}
