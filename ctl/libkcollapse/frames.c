// SPDX-License-Identifier: MIT
/*
 * kc_frames(): how a process's private anonymous memory is spread over
 * 2 MiB physical frames, from /proc/PID/smaps (the maps lines plus the VM
 * flags) and /proc/PID/pagemap.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "maps.h"

#define KC_WINDOW_SIZE		(2ULL << 20)
#define KC_PM_BATCH		65536		/* entries per pread: 512 KiB */
#define KC_PM_PRESENT		(1ULL << 63)
#define KC_PM_FILE_OR_SHARED	(1ULL << 61)
#define KC_PM_EXCLUSIVE		(1ULL << 56)
#define KC_PM_PFN_MASK		((1ULL << 55) - 1)

/* A growable array of frame numbers, sorted and deduplicated at the end. */
struct kc_frame_set {
	uint64_t *v;
	size_t n;
	size_t cap;
};

struct kc_scan {
	pid_t pid;
	int pagemap_fd;
	uint64_t page_size;
	unsigned int frame_shift;	/* pfn >> frame_shift = 2 MiB frame */
	uint64_t *buf;			/* KC_PM_BATCH pagemap entries */
	struct kc_frame_set frames;
	bool any_pfn;			/* some present page had PFN != 0 */
	uint64_t zero_pfn;		/* the shared zero page, 0 if unknown */
	struct kc_frames *out;
};

static int kc_frame_add(struct kc_frame_set *s, uint64_t frame)
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

static uint64_t kc_frame_count(struct kc_frame_set *s)
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

/* pread() that retries on EINTR; returns bytes read or -errno. */
static ssize_t kc_pread(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, off);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/*
 * Scan the pages of [start, end) (page aligned), one part of an eligible
 * mapping; [wstart, wend) are the 2 MiB windows fully inside both the
 * mapping and the range.
 */
static int kc_scan_span(struct kc_scan *sc, uint64_t start, uint64_t end,
			uint64_t wstart, uint64_t wend)
{
	uint64_t last_window = UINT64_MAX;
	uint64_t addr = start;

	while (addr < end) {
		uint64_t pages = (end - addr) / sc->page_size;
		size_t want = pages < KC_PM_BATCH ? (size_t)pages : KC_PM_BATCH;
		ssize_t got;
		size_t i;

		got = kc_pread(sc->pagemap_fd, sc->buf, want * sizeof(*sc->buf),
			       (off_t)(addr / sc->page_size * sizeof(*sc->buf)));
		if (got < 0) {
			kc_set_error(NULL, "cannot read /proc/%d/pagemap: %s",
				     sc->pid, strerror((int)-got));
			return (int)got;
		}
		if ((size_t)got < sizeof(*sc->buf)) {
			kc_set_error(NULL, "process %d exited during the scan",
				     sc->pid);
			return -ESRCH;
		}
		want = (size_t)got / sizeof(*sc->buf);

		for (i = 0; i < want; i++, addr += sc->page_size) {
			uint64_t e = sc->buf[i], pfn, window;
			int err;

			if (!(e & KC_PM_PRESENT) || (e & KC_PM_FILE_OR_SHARED))
				continue;
			pfn = e & KC_PM_PFN_MASK;
			/* Read faults map the zero page: no data, no frame. */
			if (pfn && pfn == sc->zero_pfn)
				continue;
			sc->out->present_pages++;
			if (pfn)
				sc->any_pfn = true;
			err = kc_frame_add(&sc->frames, pfn >> sc->frame_shift);
			if (err < 0) {
				kc_set_error(NULL, "out of memory");
				return err;
			}
			if (addr < wstart || addr >= wend)
				continue;
			window = addr / KC_WINDOW_SIZE;
			if (window != last_window) {
				sc->out->live_windows++;
				last_window = window;
			}
		}
	}
	return 0;
}

static uint64_t kc_align_down(uint64_t v, uint64_t a)
{
	return v - v % a;
}

static uint64_t kc_align_up(uint64_t v, uint64_t a)
{
	uint64_t d = kc_align_down(v, a);

	return d == v ? v : (d > UINT64_MAX - a ? UINT64_MAX : d + a);
}

/* Clip one eligible mapping [start, end) to the range and scan it. */
static int kc_scan_vma(struct kc_scan *sc, uint64_t start, uint64_t end,
		       uint64_t rstart, uint64_t rend)
{
	uint64_t s = start > rstart ? start : rstart;
	uint64_t e = end < rend ? end : rend;
	uint64_t ws, we;

	s = kc_align_down(s, sc->page_size);
	e = kc_align_up(e, sc->page_size);
	if (s >= e)
		return 0;
	sc->out->regions++;
	ws = kc_align_up(s, KC_WINDOW_SIZE);
	we = kc_align_down(e, KC_WINDOW_SIZE);
	if (ws >= we)
		ws = we = 0;
	return kc_scan_span(sc, s, e, ws, we);
}

/* A mapping whose header was read, waiting for its VmFlags line. */
struct kc_pending {
	bool set;
	bool anon;	/* private, rw, no file, acceptable name */
	uint64_t start;
	uint64_t end;
};

/*
 * Decide on the pending mapping: with its VmFlags if the kernel gave them
 * (3.8+), on its maps line alone otherwise.
 */
static int kc_flush(struct kc_scan *sc, struct kc_pending *p,
		    const unsigned int *vmflags, uint64_t rstart, uint64_t rend)
{
	if (!p->set)
		return 0;
	p->set = false;
	if (!p->anon || (vmflags && !kc_vmflags_eligible(*vmflags)))
		return 0;
	return kc_scan_vma(sc, p->start, p->end, rstart, rend);
}

/*
 * Walk /proc/PID/smaps: each mapping is a maps-format header line followed
 * by "Name: value" lines, the last of which is VmFlags. The VM flags pick
 * exactly the VMAs the module considers (no VM_NOHUGEPAGE, no stacks...).
 */
static int kc_scan_smaps(struct kc_scan *sc, FILE *smaps, uint64_t rstart,
			 uint64_t rend)
{
	struct kc_pending pending = { 0 };
	unsigned int vmflags;
	char *line = NULL;
	size_t cap = 0;
	int err = 0;

	while (!err && getline(&line, &cap, smaps) >= 0) {
		struct kc_map m;

		if (kc_smaps_is_field(line)) {
			if (!kc_smaps_vmflags(line, &vmflags))
				err = kc_flush(sc, &pending, &vmflags, rstart,
					       rend);
			continue;
		}
		err = kc_flush(sc, &pending, NULL, rstart, rend);
		if (err < 0)
			break;
		if (kc_maps_parse_line(line, &m) < 0) {
			kc_set_error(NULL, "malformed line in /proc/%d/smaps",
				     sc->pid);
			err = -EIO;
			break;
		}
		pending = (struct kc_pending){
			.set = true,
			.anon = kc_map_is_private_anon_rw(&m),
			.start = m.start,
			.end = m.end,
		};
	}
	if (!err)
		err = kc_flush(sc, &pending, NULL, rstart, rend);
	if (!err && ferror(smaps)) {
		err = -errno;
		kc_set_error(NULL, "cannot read /proc/%d/smaps: %s", sc->pid,
			     strerror(errno));
	}
	free(line);
	return err;
}

static int kc_open_proc(pid_t pid, const char *what, int *fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	if (errno == ENOENT) {
		kc_set_error(NULL, "no such process: %d", (int)pid);
		return -ESRCH;
	}
	kc_set_error(NULL, "cannot open %s: %s", path, strerror(errno));
	return -errno;
}

/*
 * The PFN of the shared zero page, learnt by read-faulting one page of our
 * own: pagemap reports zero-page PTEs as present anonymous memory, but
 * they hold no data (the collapse path counts them as empty). The page
 * must not read as exclusively mapped, or it is a real page (zero page
 * disabled) and must not be used. 0 if unknown.
 */
static uint64_t kc_zero_pfn(uint64_t page_size)
{
	volatile const char *p;
	uint64_t e = 0, pfn = 0;
	void *map;
	int fd;

	map = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (map == MAP_FAILED)
		return 0;
	p = map;
	(void)*p;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (kc_pread(fd, &e, sizeof(e),
			     (off_t)((uintptr_t)map / page_size * sizeof(e))) ==
		    (ssize_t)sizeof(e) &&
		    (e & KC_PM_PRESENT) && !(e & KC_PM_EXCLUSIVE))
			pfn = e & KC_PM_PFN_MASK;
		close(fd);
	}
	munmap(map, page_size);
	return pfn;
}

static unsigned int kc_frame_shift(uint64_t page_size)
{
	unsigned int shift = 0;

	while ((page_size << shift) < KC_WINDOW_SIZE)
		shift++;
	return shift;
}

int kc_frames(pid_t pid, uint64_t range_start, uint64_t range_len,
	      struct kc_frames *out)
{
	struct kc_scan sc = { .pid = pid, .pagemap_fd = -1, .out = out };
	uint64_t rend;
	FILE *smaps;
	int smaps_fd, err;
	long ps;

	kc_clear_error(NULL);
	if (!out || pid <= 0) {
		kc_set_error(NULL, "kc_frames: bad pid or no output");
		return kc_ret(-EINVAL);
	}
	memset(out, 0, sizeof(*out));
	rend = !range_len || range_len > UINT64_MAX - range_start ?
	       UINT64_MAX : range_start + range_len;
	ps = sysconf(_SC_PAGESIZE);
	sc.page_size = ps > 0 ? (uint64_t)ps : 4096;
	sc.frame_shift = kc_frame_shift(sc.page_size);
	sc.zero_pfn = kc_zero_pfn(sc.page_size);

	err = kc_open_proc(pid, "smaps", &smaps_fd);
	if (err < 0)
		return kc_ret(err);
	smaps = fdopen(smaps_fd, "r");
	if (!smaps) {
		close(smaps_fd);
		return kc_ret(-ENOMEM);
	}
	err = kc_open_proc(pid, "pagemap", &sc.pagemap_fd);
	if (err < 0)
		goto out_smaps;
	sc.buf = malloc(KC_PM_BATCH * sizeof(*sc.buf));
	if (!sc.buf) {
		err = -ENOMEM;
		goto out_pagemap;
	}

	err = kc_scan_smaps(&sc, smaps, range_start, rend);
	if (err < 0)
		goto out_buf;
	if (out->present_pages && !sc.any_pfn) {
		kc_set_error(NULL, "/proc/%d/pagemap hides page frame numbers: "
			     "CAP_SYS_ADMIN is needed to count frames", (int)pid);
		err = -EPERM;
		goto out_buf;
	}
	out->present_bytes = out->present_pages * sc.page_size;
	out->frames = kc_frame_count(&sc.frames);

out_buf:
	free(sc.frames.v);
	free(sc.buf);
out_pagemap:
	close(sc.pagemap_fd);
out_smaps:
	fclose(smaps);
	if (err < 0)
		memset(out, 0, sizeof(*out));
	return kc_ret(err);
}
