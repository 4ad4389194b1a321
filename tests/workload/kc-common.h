/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kcollapse test workload tools: the page pattern,
 * number parsing, line output, and reading /proc/PID/smaps and pagemap.
 *
 * Functions return 0 or a positive count on success and -errno on failure.
 */
#ifndef KC_COMMON_H
#define KC_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define KC_PAGE_SIZE	4096UL
#define KC_WIN_SIZE	(2UL << 20)
#define KC_WIN_PAGES	(KC_WIN_SIZE / KC_PAGE_SIZE)
#define KC_WIN_ALIGN_UP(x)	(((x) + KC_WIN_SIZE - 1) & ~(KC_WIN_SIZE - 1))

/* /proc/PID/pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define KC_PM_PRESENT	(1ULL << 63)
#define KC_PM_SWAPPED	(1ULL << 62)
#define KC_PM_PFN_MASK	((1ULL << 55) - 1)

static inline uint64_t kc_splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The 64-bit word every present page holds at virtual address @addr. */
static inline uint64_t kc_pattern(uint64_t addr, uint64_t seed)
{
	return kc_splitmix64(addr ^ seed);
}

/* A small seeded generator (splitmix64 stream). */
struct kc_rng {
	uint64_t state;
};

static inline uint64_t kc_rng_next(struct kc_rng *rng)
{
	rng->state += 0x9e3779b97f4a7c15ULL;
	return kc_splitmix64(rng->state);
}

/* Uniform-enough value in [0, n), n > 0. */
static inline uint64_t kc_rng_below(struct kc_rng *rng, uint64_t n)
{
	return kc_rng_next(rng) % n;
}

/*
 * Parse an unsigned number (whole string; base as for strtoull, base 16
 * accepts an optional 0x). Returns 0 or -EINVAL / -ERANGE.
 */
int kc_parse_u64(const char *s, int base, uint64_t *out);

/* Parse a pid argument: a positive number, or "self" (this process). */
int kc_parse_pid(const char *s, pid_t *out);

/*
 * Write one formatted line to @fd with a single write(2) where possible, so
 * a reader polling the file never sees half a line. Returns 0 or -errno.
 */
int kc_printf(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Numbers from /proc/PID/smaps for one VMA or the sum of several. */
struct kc_smaps_vma {
	uint64_t start, end;	/* first VMA's start, last VMA's end */
	uint64_t covered;	/* bytes of the VMAs counted */
	uint64_t nvmas;		/* VMAs counted */
	uint64_t rss_kb;
	uint64_t anon_huge_kb;
};

/*
 * Find the VMA that starts exactly at @start in /proc/@pid/smaps (@pid 0
 * means self). Returns 0, -ENOENT if no VMA starts there, or -errno.
 */
int kc_smaps_lookup(pid_t pid, uint64_t start, struct kc_smaps_vma *out);

/*
 * Sum every VMA lying wholly inside [@start, @end): a mapping that has been
 * split (e.g. by madvise on part of it) still adds up. -ENOENT if none.
 */
int kc_smaps_range(pid_t pid, uint64_t start, uint64_t end,
		   struct kc_smaps_vma *out);

/* Open /proc/@pid/pagemap (0 = self) read-only. Returns fd or -errno. */
int kc_pagemap_open(pid_t pid);

/* Read @npages entries starting at virtual address @addr. */
int kc_pagemap_read(int fd, uint64_t addr, size_t npages, uint64_t *out);

/*
 * Distinct-frame counter: feed it pagemap entries, then ask how many
 * distinct 2 MiB physical frames the present ones fall in.
 */
struct kc_frames {
	uint64_t *frames;	/* pfn >> 9 of each present page seen */
	size_t len, cap;
	size_t present;		/* present entries seen */
	size_t zero_pfn;	/* present entries whose PFN was hidden (0) */
};

int kc_frames_add(struct kc_frames *f, const uint64_t *entries, size_t n);
/* Distinct frames, or -1 if PFNs were hidden (not root). Sorts f->frames. */
long kc_frames_count(struct kc_frames *f);
void kc_frames_reset(struct kc_frames *f);
void kc_frames_free(struct kc_frames *f);

/* "OK" for 0, else the errno's symbolic name ("EINVAL"), or "E?". */
const char *kc_errname(int err);

#endif /* KC_COMMON_H */
