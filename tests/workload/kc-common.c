// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the kcollapse test workload tools. */
#include "kc-common.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int kc_parse_u64(const char *s, int base, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || end == s || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int kc_parse_pid(const char *s, pid_t *out)
{
	uint64_t v;

	if (!strcmp(s, "self")) {
		*out = getpid();
		return 0;
	}
	if (kc_parse_u64(s, 10, &v) || v == 0 || v > INT32_MAX)
		return -EINVAL;
	*out = (pid_t)v;
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int kc_printf(int fd, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	return write_all(fd, buf, (size_t)n);
}

static void proc_path(char *buf, size_t len, pid_t pid, const char *file)
{
	if (pid)
		snprintf(buf, len, "/proc/%d/%s", (int)pid, file);
	else
		snprintf(buf, len, "/proc/self/%s", file);
}

/* "200000000000-200001000000 rw-p 00000000 00:00 0" starts a VMA block. */
static int smaps_header(const char *line, uint64_t *start, uint64_t *end)
{
	char perms[8];
	uint64_t s, e;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s", &s, &e, perms) != 3)
		return 0;
	if (strlen(perms) != 4 || e <= s)
		return 0;
	*start = s;
	*end = e;
	return 1;
}

/*
 * Sum the VMAs of /proc/@pid/smaps that @want accepts. In exact mode the
 * only VMA wanted starts at @start; otherwise every VMA inside [start, end).
 */
static int smaps_scan(pid_t pid, uint64_t start, uint64_t end, int exact,
		      struct kc_smaps_vma *out)
{
	char path[64], line[512];
	int in_vma = 0;
	uint64_t s, e, kb;
	FILE *f;

	proc_path(path, sizeof(path), pid, "smaps");
	f = fopen(path, "re");
	if (!f)
		return -errno;
	memset(out, 0, sizeof(*out));
	while (fgets(line, sizeof(line), f)) {
		if (smaps_header(line, &s, &e)) {
			in_vma = exact ? s == start : s >= start && e <= end;
			if (in_vma) {
				if (!out->nvmas++)
					out->start = s;
				out->end = e;
				out->covered += e - s;
			}
			if (exact && out->nvmas && !in_vma)
				break;
			continue;
		}
		if (!in_vma)
			continue;
		if (sscanf(line, "Rss: %" SCNu64 " kB", &kb) == 1)
			out->rss_kb += kb;
		else if (sscanf(line, "AnonHugePages: %" SCNu64 " kB", &kb) == 1)
			out->anon_huge_kb += kb;
	}
	fclose(f);
	return out->nvmas ? 0 : -ENOENT;
}

int kc_smaps_lookup(pid_t pid, uint64_t start, struct kc_smaps_vma *out)
{
	return smaps_scan(pid, start, 0, 1, out);
}

int kc_smaps_range(pid_t pid, uint64_t start, uint64_t end,
		   struct kc_smaps_vma *out)
{
	return smaps_scan(pid, start, end, 0, out);
}

int kc_pagemap_open(pid_t pid)
{
	char path[64];
	int fd;

	proc_path(path, sizeof(path), pid, "pagemap");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int kc_pagemap_read(int fd, uint64_t addr, size_t npages, uint64_t *out)
{
	size_t want = npages * sizeof(uint64_t), got = 0;
	off_t off = (off_t)(addr / KC_PAGE_SIZE * sizeof(uint64_t));

	while (got < want) {
		ssize_t n = pread(fd, (char *)out + got, want - got,
				  off + (off_t)got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		got += (size_t)n;
	}
	return 0;
}

int kc_frames_add(struct kc_frames *f, const uint64_t *entries, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t pfn = entries[i] & KC_PM_PFN_MASK;
		uint64_t frame = pfn / KC_WIN_PAGES;

		if (!(entries[i] & KC_PM_PRESENT))
			continue;
		f->present++;
		if (!pfn) {
			f->zero_pfn++;
			continue;
		}
		/* Neighbouring pages often share a frame: cheap dedup. */
		if (f->len && f->frames[f->len - 1] == frame)
			continue;
		if (f->len == f->cap) {
			size_t cap = f->cap ? f->cap * 2 : 1024;
			uint64_t *p = realloc(f->frames, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			f->frames = p;
			f->cap = cap;
		}
		f->frames[f->len++] = frame;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

long kc_frames_count(struct kc_frames *f)
{
	long count = 0;

	if (f->present && f->zero_pfn == f->present)
		return -1;
	if (!f->len)
		return 0;
	qsort(f->frames, f->len, sizeof(*f->frames), cmp_u64);
	for (size_t i = 0; i < f->len; i++)
		if (!i || f->frames[i] != f->frames[i - 1])
			count++;
	return count;
}

void kc_frames_reset(struct kc_frames *f)
{
	f->len = 0;
	f->present = 0;
	f->zero_pfn = 0;
}

void kc_frames_free(struct kc_frames *f)
{
	free(f->frames);
	memset(f, 0, sizeof(*f));
}

const char *kc_errname(int err)
{
	const char *name;

	if (!err)
		return "OK";
	name = strerrorname_np(err);
	return name ? name : "E?";
}
