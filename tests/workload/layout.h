/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kc-workload's heap: a table of VMAs at fixed 2 MiB-aligned addresses, each
 * a number of 2 MiB windows with a fill rule (layout.c), and the code that
 * reports on and verifies it (inspect.c).
 */
#ifndef KC_LAYOUT_H
#define KC_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

enum wl_fill {
	WL_FILL_ALL,		/* every page */
	WL_FILL_NONE,		/* nothing touched */
	WL_FILL_RANDOM,		/* param pages per window, seeded offsets */
	WL_FILL_STRIDE,		/* one page in param (page index % param == 0) */
	WL_FILL_ALTERNATE,	/* even windows: param random pages; odd: none */
};

enum wl_flags {
	WL_SCALE	= 1 << 0,	/* --scale multiplies the window count */
	WL_HUGE		= 1 << 1,	/* MADV_HUGEPAGE, then every byte written */
	WL_NOHUGE	= 1 << 2,	/* MADV_NOHUGEPAGE before touching */
	WL_READONLY	= 1 << 3,	/* mprotect(PROT_READ) once filled */
};

struct wl_spec {
	const char *name;
	unsigned int head_pages;	/* partial window before the first full one */
	unsigned int windows;		/* full 2 MiB windows (before --scale) */
	unsigned int tail_pages;	/* partial window after the last full one */
	enum wl_fill fill;
	unsigned int param;
	unsigned int flags;
};

struct wl_vma {
	const struct wl_spec *spec;
	uint64_t start, len;	/* the VMA */
	uint64_t win_start;	/* first full window */
	uint64_t windows;	/* full windows, scaled */
	uint64_t npages;
	uint64_t present;	/* pages expected present */
	uint8_t *expect;	/* bitmap over npages */
	int selected, mapped;
};

struct wl_opts {
	uint64_t seed;
	uint64_t base;
	unsigned int scale;
	unsigned int spacer_mib;
	const char *only;	/* comma-separated names, or NULL for all */
};

/*
 * A spacer: @mib MiB of 4 KiB pages faulted in step with @n target pages
 * (wl_spacer_after() after the i-th), then unmapped, so that each 2 MiB
 * physical frame gets a few target pages next to holes.
 */
struct wl_spacer {
	uint8_t *mem;		/* NULL: no spacer */
	size_t pages, done, n;
};
int wl_spacer_open(struct wl_spacer *sp, unsigned int mib, size_t n);
void wl_spacer_after(struct wl_spacer *sp, size_t i);
void wl_spacer_close(struct wl_spacer *sp);

struct wl_layout {
	struct wl_vma *vmas;
	size_t nvmas;
	uint64_t seed;
	unsigned int spacer_mib;
};

/* The default table (names are relied upon by the tests). */
extern const struct wl_spec wl_default_specs[];
extern const size_t wl_default_nspecs;

static inline int wl_expected(const struct wl_vma *v, uint64_t page)
{
	return v->expect[page / 8] >> (page % 8) & 1;
}

/* layout.c */
/* 0 if every name in the comma-separated @list is in the table. */
int wl_check_only(const char *list);
int wl_layout_init(struct wl_layout *l, const struct wl_opts *o);
int wl_layout_build(struct wl_layout *l);
void wl_layout_free(struct wl_layout *l);
uint64_t wl_layout_present(const struct wl_layout *l);

/* inspect.c */
/*
 * Write one "[PREFIX]vma ..." line per selected VMA, then "[PREFIX]phys NAME
 * frames=F" lines and "[PREFIX]frames N". present= is the expected count
 * unless @current, when it is the VMA's resident pages now (smaps Rss).
 */
int wl_report(const struct wl_layout *l, int fd, const char *prefix,
	      int current);
/* Write "verify ok pages=P" or "verify FAIL mismatches=M first=ADDR". */
int wl_verify(const struct wl_layout *l, int fd);
/*
 * Self tests of the verifier. wl_corrupt() flips one word of an expected,
 * writable page (the word's address in *addr); wl_drop() discards another
 * such page with MADV_DONTNEED (its address in *addr).
 */
int wl_corrupt(struct wl_layout *l, uint64_t *addr);
int wl_drop(struct wl_layout *l, uint64_t *addr);

/*
 * Read every @stride-th expected page (the hot set of a working-set test)
 * and write "touched pages=N frames=F sum=S": F the distinct frames of
 * those pages now, from pagemap (root).
 */
int wl_touch(const struct wl_layout *l, unsigned int stride, int fd);

/* exercise.c */
/*
 * Writes, fork with copy-on-write, mremap away and back, munmap and refill
 * of the heap, leaving every pattern as it was. Writes "exercise ok
 * pages=P" or "exercise FAIL STEP: DETAIL".
 */
int wl_exercise(const struct wl_layout *l, int fd);

/*
 * wl_in_process_collapse() - the in-process method (SIGURG), over every
 * private anonymous rw mapping of this process; prints "inprocess ...".
 */
int wl_in_process_collapse(int fd);

/* pin.c */
/*
 * Pin the first @uring expected pages of the writable, not-huge VMAs as
 * io_uring fixed buffers (FOLL_PIN), and vmsplice the next @splice into a
 * pipe nobody reads; both last until exit. Writes "pinned uring=U
 * splice=S first=ADDR". 0 or -errno (-ERANGE: not enough pages).
 */
int wl_pin(const struct wl_layout *l, unsigned int uring, unsigned int splice,
	   int out);
/* Fork a child that sleeps until the parent dies; writes "child PID". */
int wl_fork_child(int out);
/* After it: every other present page written, no longer shared. */
void wl_unshare_half(const struct wl_layout *l, int out);

#endif /* KC_LAYOUT_H */
