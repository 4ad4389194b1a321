// SPDX-License-Identifier: GPL-2.0
/*
 * SIGHUP: show that the heap still works after someone moved its pages
 * (pack mode) or collapsed them: writes, fork with copy-on-write, mremap
 * there and back, munmap and refill. The pattern is the same afterwards,
 * so wl_verify() still holds. Prints "exercise ok pages=P" or
 * "exercise FAIL STEP: DETAIL".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kc-common.h"
#include "layout.h"

#define WIN (2ULL << 20)

static int writable(const struct wl_vma *v)
{
	return v->selected && v->mapped && v->present &&
	       !(v->spec->flags & WL_READONLY);
}

/* Flip word 0 of every expected writable page, check, flip back. */
static uint64_t flip_all(const struct wl_layout *l, uint64_t *pages)
{
	uint64_t bad = 0;

	*pages = 0;
	for (size_t i = 0; i < l->nvmas; i++) {
		const struct wl_vma *v = &l->vmas[i];

		if (!writable(v))
			continue;
		for (uint64_t pg = 0; pg < v->npages; pg++) {
			volatile uint64_t *w;
			uint64_t old;

			if (!wl_expected(v, pg))
				continue;
			w = (volatile uint64_t *)(uintptr_t)(v->start + pg * KC_PAGE_SIZE);
			old = *w;
			*w = ~old;
			if (*w != ~old)
				bad++;
			*w = old;
			(*pages)++;
		}
	}
	return bad;
}

/* The child writes (copy-on-write breaks), checks, and verifies all. */
static const char *fork_cow(const struct wl_layout *l)
{
	int fds[2], status;
	char line[128] = "";
	uint64_t pages;
	ssize_t n;
	pid_t pid;

	if (pipe(fds))
		return "pipe";
	pid = fork();
	if (pid < 0)
		return "fork";
	if (!pid) {
		close(fds[0]);
		if (flip_all(l, &pages))
			_exit(3);
		wl_verify(l, fds[1]);
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], line, sizeof(line) - 1);
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return "child failed its writes";
	if (n <= 0 || strncmp(line, "verify ok", 9))
		return "child saw a wrong pattern";
	return NULL;
}

/* The first writable, not-huge VMA with at least two full windows. */
static const struct wl_vma *pick_vma(const struct wl_layout *l)
{
	for (size_t i = 0; i < l->nvmas; i++) {
		const struct wl_vma *v = &l->vmas[i];

		if (writable(v) && v->windows >= 2 &&
		    !(v->spec->flags & WL_HUGE))
			return v;
	}
	return NULL;
}

/* Move the VMA's first full window away and back. */
static const char *mremap_back(const struct wl_vma *v)
{
	void *home = (void *)(uintptr_t)v->win_start;
	void *away, *p;

	away = mmap(NULL, 2 * WIN, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (away == MAP_FAILED)
		return "mmap scratch";
	/* a 2 MiB-aligned spot inside the reservation */
	away = (void *)(((uintptr_t)away + WIN - 1) & ~(uintptr_t)(WIN - 1));
	p = mremap(home, WIN, WIN, MREMAP_MAYMOVE | MREMAP_FIXED, away);
	if (p != away)
		return "mremap away";
	p = mremap(away, WIN, WIN, MREMAP_MAYMOVE | MREMAP_FIXED, home);
	if (p != home)
		return "mremap back";
	return NULL;
}

/* Save the VMA's last full window, unmap it, map it again, refill it. */
static const char *unmap_refill(const struct wl_vma *v)
{
	uint64_t win = v->win_start + (v->windows - 1) * WIN;
	uint64_t first = (win - v->start) / KC_PAGE_SIZE;
	unsigned char *copy = malloc(WIN);
	void *p;

	if (!copy)
		return "malloc";
	memcpy(copy, (void *)(uintptr_t)win, WIN);
	if (munmap((void *)(uintptr_t)win, WIN)) {
		free(copy);
		return "munmap";
	}
	p = mmap((void *)(uintptr_t)win, WIN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p != (void *)(uintptr_t)win) {
		free(copy);
		return "mmap again";
	}
	for (uint64_t pg = 0; pg < WIN / KC_PAGE_SIZE; pg++)
		if (wl_expected(v, first + pg))
			memcpy((char *)p + pg * KC_PAGE_SIZE,
			       copy + pg * KC_PAGE_SIZE, KC_PAGE_SIZE);
	free(copy);
	return NULL;
}

int wl_exercise(const struct wl_layout *l, int fd)
{
	const struct wl_vma *v = pick_vma(l);
	const char *why = NULL, *step = "write";
	uint64_t pages = 0;

	if (flip_all(l, &pages))
		why = "a word did not read back";
	if (!why) {
		step = "fork";
		why = fork_cow(l);
	}
	if (!why && v) {
		step = "mremap";
		why = mremap_back(v);
	}
	if (!why && v) {
		step = "munmap";
		why = unmap_refill(v);
	}
	if (why)
		return kc_printf(fd, "exercise FAIL %s: %s (%s)\n", step, why,
				 strerror(errno));
	return kc_printf(fd, "exercise ok pages=%" PRIu64 "\n", pages);
}
