// SPDX-License-Identifier: MIT
/*
 * kc_frames(): how a process's private anonymous memory is spread over
 * 2 MiB physical frames, from /proc/PID/smaps (which mappings) and
 * /proc/PID/pagemap (which pages, where). The userspace collapse engine
 * measures its frames before and after with the same code.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frames.h"

/* Runs of pages per PAGEMAP_SCAN call. */
#define KC_RUNS			256

/* A growable array of frame numbers, sorted and deduplicated at the end. */
struct kc_pfn_list {
	uint64_t *v;
	size_t n;
	size_t cap;
};

struct kc_scan {
	const struct kc_pagemap *pm;
	const struct kc_stop *stop;
	uint64_t *buf;			/* KC_PM_BATCH pagemap entries */
	struct kc_page_region *runs;	/* KC_RUNS of them */
	struct kc_pfn_list frames;
	bool any_pfn;			/* some present page had PFN != 0 */
	struct kc_frames *out;
};

static int kc_pfn_list_add(struct kc_pfn_list *s, uint64_t frame)
{
	/* Neighbouring pages often share a frame: drop cheap repeats. */
	if (s->n && s->v[s->n - 1] == frame)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		uint64_t *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = frame;
	return 0;
}

static int kc_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static uint64_t kc_pfn_list_count(struct kc_pfn_list *s)
{
	uint64_t distinct = 0;
	size_t i;

	if (!s->n)
		return 0;
	qsort(s->v, s->n, sizeof(*s->v), kc_cmp_u64);
	for (i = 0; i < s->n; i++)
		if (!i || s->v[i] != s->v[i - 1])
			distinct++;
	return distinct;
}

/*
 * Count the pages of [start, end) (page aligned, at most KC_PM_BATCH
 * pages) that hold data; [wstart, wend) are the 2 MiB windows fully
 * inside both the mapping and the range, *@last_window the last one
 * found live.
 */
static int kc_scan_run(struct kc_scan *sc, uint64_t start, uint64_t end,
		       uint64_t wstart, uint64_t wend, uint64_t *last_window)
{
	const struct kc_pagemap *pm = sc->pm;
	uint64_t addr = start;
	ssize_t got;
	size_t i;

	got = kc_pagemap_read(pm, start, sc->buf,
			      (size_t)((end - start) / pm->page_size));
	if (got < 0)
		return (int)got;
	if (got == 0)
		return -ESRCH;
	for (i = 0; i < (size_t)got; i++, addr += pm->page_size) {
		uint64_t pfn, window;

		if (!kc_pagemap_data_page(pm, sc->buf[i], &pfn))
			continue;
		sc->out->present_pages++;
		if (pfn)
			sc->any_pfn = true;
		if (kc_pfn_list_add(&sc->frames, pfn >> pm->frame_shift))
			return kc_oom(NULL);
		if (addr < wstart || addr >= wend)
			continue;
		window = addr / KC_WINDOW_SIZE;
		if (window != *last_window) {
			sc->out->live_windows++;
			*last_window = window;
		}
	}
	return 0;
}

static uint32_t kc_scan_should_stop(const struct kc_scan *sc)
{
	return sc->stop ? sc->stop->check(sc->stop->arg) : 0;
}

/*
 * Scan [start, end) (page aligned), one part of an eligible mapping, at
 * most KC_PM_BATCH pages at a time and asking whether to stop before
 * each: 0, a stop reason or -errno.
 */
static int kc_frames_span(struct kc_scan *sc, uint64_t start, uint64_t end,
			  uint64_t wstart, uint64_t wend)
{
	uint64_t last_window = UINT64_MAX, addr = start;

	while (addr < end) {
		uint32_t stop = kc_scan_should_stop(sc);
		long n, i;
		int err;

		if (stop)
			return (int)stop;
		n = kc_pagemap_runs(sc->pm, addr, end, sc->runs, KC_RUNS,
				    KC_PM_BATCH, &addr);
		if (n < 0)
			return (int)n;
		for (i = 0; i < n; i++) {
			err = kc_scan_run(sc, sc->runs[i].start,
					  sc->runs[i].end, wstart, wend,
					  &last_window);
			if (err < 0)
				return err;
		}
	}
	return 0;
}

int kc_frames_measure(const struct kc_pagemap *pm,
		      const struct kc_vma_list *vmas, uint64_t rstart,
		      uint64_t rend, const struct kc_stop *stop,
		      struct kc_frames *out)
{
	struct kc_scan sc = { .pm = pm, .stop = stop, .out = out };
	int err = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	sc.buf = malloc(KC_PM_BATCH * sizeof(*sc.buf));
	sc.runs = malloc(KC_RUNS * sizeof(*sc.runs));
	if (!sc.buf || !sc.runs) {
		free(sc.buf);
		free(sc.runs);
		return kc_oom(NULL);
	}
	for (i = 0; i < vmas->n && !err; i++) {
		uint64_t s, e, ws, we;

		if (!kc_clip(vmas->v[i].start, vmas->v[i].end, rstart, rend,
			     pm->page_size, &s, &e))
			continue;
		out->regions++;
		kc_windows(s, e, &ws, &we);
		err = kc_frames_span(&sc, s, e, ws, we);
	}
	if (!err && out->present_pages && !sc.any_pfn) {
		kc_set_error(NULL, "/proc/%d/pagemap hides page frame numbers: "
			     "CAP_SYS_ADMIN is needed to count frames",
			     (int)pm->pid);
		err = -EPERM;
	}
	/* Stopped: what was measured until then. */
	if (err >= 0) {
		out->present_bytes = out->present_pages * pm->page_size;
		out->frames = kc_pfn_list_count(&sc.frames);
	}
	free(sc.frames.v);
	free(sc.runs);
	free(sc.buf);
	if (err < 0)
		memset(out, 0, sizeof(*out));
	return err;
}

uint64_t kc_range_end(uint64_t range_start, uint64_t range_len)
{
	return !range_len || range_len > UINT64_MAX - range_start ?
	       UINT64_MAX : range_start + range_len;
}

int kc_frames(pid_t pid, uint64_t range_start, uint64_t range_len,
	      struct kc_frames *out)
{
	struct kc_vma_list vmas;
	struct kc_pagemap pm;
	int err;

	kc_clear_error(NULL);
	if (!out || pid <= 0) {
		kc_set_error(NULL, "kc_frames: bad pid or no output");
		return kc_ret(-EINVAL);
	}
	memset(out, 0, sizeof(*out));
	err = kc_vmas_read(pid, &vmas);
	if (err < 0)
		goto out_vmas;
	err = kc_pagemap_open(&pm, pid);
	if (err < 0)
		goto out_vmas;
	err = kc_frames_measure(&pm, &vmas, range_start,
				kc_range_end(range_start, range_len), NULL,
				out);
	kc_pagemap_close(&pm);
out_vmas:
	kc_vmas_free(&vmas);
	return kc_ret(err);
}

int kc_clear_accessed(pid_t pid)
{
	char path[64];
	ssize_t n;
	int fd, err;

	kc_clear_error(NULL);
	if (pid <= 0) {
		kc_set_error(NULL, "kc_clear_accessed: pid must be positive");
		return kc_ret(-EINVAL);
	}
	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		kc_set_error(NULL, "no such process: %d", (int)pid);
		return kc_ret(-ESRCH);
	}
	if (fd < 0) {
		err = errno;
		kc_set_error(NULL, "cannot open %s: %s", path, strerror(err));
		return kc_ret(-err);
	}
	/* "2": the accessed bits of the anonymous pages (proc(5)). */
	n = write(fd, "2", 1);
	err = n == 1 ? 0 : n < 0 ? errno : EIO;
	close(fd);
	if (err == ESRCH || err == ENOENT) {
		kc_set_error(NULL, "no such process: %d", (int)pid);
		return kc_ret(-ESRCH);
	}
	if (err) {
		kc_set_error(NULL, "cannot write 2 to %s: %s", path,
			     strerror(err));
		return kc_ret(-err);
	}
	return 0;
}
