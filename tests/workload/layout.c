// SPDX-License-Identifier: GPL-2.0
/*
 * kc-workload's heap layout: placement at fixed addresses, fill rules, and
 * building it physically scattered.
 *
 * Placement: VMAs follow each other from the base in table order. Each one
 * starts in a fresh 2 MiB-aligned slot (or head_pages before the slot's end,
 * when it has an unaligned head), and one unmapped 2 MiB window separates it
 * from the next, so neighbours never merge. Every VMA of the table is placed
 * whether selected by --only or not, so a VMA's address depends only on the
 * base and the scale.
 *
 * Scattering: the 4 KiB target pages are faulted in a seeded random order,
 * interleaved with pages of a large "spacer" mapping that is unmapped
 * afterwards, the way a long-lived fragmented heap ends up: each 2 MiB
 * physical frame holds a few target pages next to holes.
 */
#include "layout.h"
#include "kc-common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HALF_WIN_PAGES	(KC_WIN_PAGES / 2)

const struct wl_spec wl_default_specs[] = {
	{ "dense",    0, 8,  0, WL_FILL_ALL,       0,  WL_SCALE },
	{ "frag",     0, 16, 0, WL_FILL_RANDOM,    32, WL_SCALE },
	{ "sparse",   0, 8,  0, WL_FILL_RANDOM,    4,  WL_SCALE },
	{ "empty",    0, 8,  0, WL_FILL_NONE,      0,  WL_SCALE },
	{ "mixed",    0, 8,  0, WL_FILL_ALTERNATE, 64, WL_SCALE },
	{ "huge",     0, 4,  0, WL_FILL_ALL,       0,  WL_HUGE },
	{ "nohuge",   0, 4,  0, WL_FILL_STRIDE,    4,  WL_NOHUGE },
	/* 1 MiB head + 2 full windows = 5 MiB from 1 MiB past a boundary. */
	{ "edges", HALF_WIN_PAGES, 2, 0, WL_FILL_ALL,   0,  0 },
	{ "readonly", 0, 2,  0, WL_FILL_ALL,       0,  WL_READONLY },
};
const size_t wl_default_nspecs =
	sizeof(wl_default_specs) / sizeof(wl_default_specs[0]);

static void set_bit(uint8_t *map, uint64_t bit)
{
	map[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return h;
}

/* Set @k of the @n pages from @first, at seeded distinct offsets. */
static void fill_random(struct wl_vma *v, struct kc_rng *rng, uint64_t first,
			unsigned int n, unsigned int k)
{
	uint16_t idx[KC_WIN_PAGES];

	if (k > n)
		k = n;
	for (unsigned int i = 0; i < n; i++)
		idx[i] = (uint16_t)i;
	for (unsigned int i = 0; i < k; i++) {	/* partial Fisher-Yates */
		unsigned int j = i + (unsigned int)kc_rng_below(rng, n - i);
		uint16_t t = idx[i];

		idx[i] = idx[j];
		idx[j] = t;
		set_bit(v->expect, first + idx[i]);
	}
}

/*
 * Fill one chunk: the pages of the VMA between two 2 MiB boundaries. @win is
 * the full window's index, or -1 for a partial head or tail.
 */
static void fill_chunk(struct wl_vma *v, struct kc_rng *rng, uint64_t first,
		       unsigned int n, int64_t win)
{
	const struct wl_spec *s = v->spec;

	switch (s->fill) {
	case WL_FILL_ALL:
		for (unsigned int i = 0; i < n; i++)
			set_bit(v->expect, first + i);
		break;
	case WL_FILL_NONE:
		break;
	case WL_FILL_RANDOM:
		fill_random(v, rng, first, n, s->param);
		break;
	case WL_FILL_STRIDE:
		for (unsigned int i = 0; i < n; i++)
			if ((first + i) % s->param == 0)
				set_bit(v->expect, first + i);
		break;
	case WL_FILL_ALTERNATE:
		if (win >= 0 && win % 2 == 0)
			fill_random(v, rng, first, n, s->param);
		break;
	}
}

static int fill_rule(struct wl_vma *v, uint64_t seed)
{
	struct kc_rng rng = { seed ^ name_hash(v->spec->name) };
	uint64_t page = 0;
	int64_t win = 0;

	v->expect = calloc((v->npages + 7) / 8, 1);
	if (!v->expect)
		return -ENOMEM;
	if (v->spec->head_pages) {
		fill_chunk(v, &rng, 0, v->spec->head_pages, -1);
		page = v->spec->head_pages;
	}
	for (; (uint64_t)win < v->windows; win++, page += KC_WIN_PAGES)
		fill_chunk(v, &rng, page, KC_WIN_PAGES, win);
	if (v->spec->tail_pages)
		fill_chunk(v, &rng, page, v->spec->tail_pages, -1);
	for (uint64_t i = 0; i < v->npages; i++)
		v->present += wl_expected(v, i);
	return 0;
}

static int name_listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == n && !strncmp(p, name, n))
			return 1;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

/* Every name in --only must be in the table. */
int wl_check_only(const char *list)
{
	char name[64];

	for (const char *p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int known = 0;

		if (len == 0 || len >= sizeof(name)) {
			fprintf(stderr, "kc-workload: --only: bad list '%s'\n", list);
			return -EINVAL;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		for (size_t i = 0; i < wl_default_nspecs; i++)
			known |= !strcmp(wl_default_specs[i].name, name);
		if (!known) {
			fprintf(stderr, "kc-workload: --only: no VMA named '%s'\n", name);
			return -EINVAL;
		}
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

int wl_layout_init(struct wl_layout *l, const struct wl_opts *o)
{
	uint64_t cursor = o->base;
	int err;

	memset(l, 0, sizeof(*l));
	l->seed = o->seed;
	l->spacer_mib = o->spacer_mib;
	if (o->only && (err = wl_check_only(o->only)))
		return err;
	l->vmas = calloc(wl_default_nspecs, sizeof(*l->vmas));
	if (!l->vmas)
		return -ENOMEM;
	l->nvmas = wl_default_nspecs;
	for (size_t i = 0; i < l->nvmas; i++) {
		const struct wl_spec *s = &wl_default_specs[i];
		struct wl_vma *v = &l->vmas[i];
		uint64_t head = (uint64_t)s->head_pages * KC_PAGE_SIZE;
		uint64_t tail = (uint64_t)s->tail_pages * KC_PAGE_SIZE;

		v->spec = s;
		v->windows = s->windows;
		if (s->flags & WL_SCALE)
			v->windows *= o->scale;
		v->win_start = head ? cursor + KC_WIN_SIZE : cursor;
		v->start = v->win_start - head;
		v->len = head + v->windows * KC_WIN_SIZE + tail;
		v->npages = v->len / KC_PAGE_SIZE;
		cursor = KC_WIN_ALIGN_UP(v->start + v->len) + KC_WIN_SIZE;
		v->selected = !o->only || name_listed(o->only, s->name);
		if (v->selected && (err = fill_rule(v, o->seed)))
			return err;
	}
	return 0;
}

uint64_t wl_layout_present(const struct wl_layout *l)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < l->nvmas; i++)
		if (l->vmas[i].selected)
			sum += l->vmas[i].present;
	return sum;
}

static void fill_page(uint64_t addr, uint64_t seed)
{
	uint64_t *p = (uint64_t *)(uintptr_t)addr;

	for (size_t w = 0; w < KC_PAGE_SIZE / sizeof(*p); w++)
		p[w] = kc_pattern(addr + w * sizeof(*p), seed);
}

static int map_vma(struct wl_vma *v)
{
	void *want = (void *)(uintptr_t)v->start;
	void *p = mmap(want, v->len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED) {
		int err = errno;

		fprintf(stderr, "kc-workload: cannot map %s at 0x%llx+0x%llx: %s\n",
			v->spec->name, (unsigned long long)v->start,
			(unsigned long long)v->len, strerror(err));
		return -err;
	}
	if (p != want) {	/* pre-4.17 kernels take it as a hint */
		munmap(p, v->len);
		fprintf(stderr, "kc-workload: cannot map %s at 0x%llx: placed at %p (MAP_FIXED_NOREPLACE unsupported?)\n",
			v->spec->name, (unsigned long long)v->start, p);
		return -EEXIST;
	}
	v->mapped = 1;
	if (v->spec->flags & (WL_HUGE | WL_NOHUGE)) {
		int advice = v->spec->flags & WL_HUGE ? MADV_HUGEPAGE
						      : MADV_NOHUGEPAGE;

		/* EINVAL without CONFIG_TRANSPARENT_HUGEPAGE: not fatal. */
		if (madvise(p, v->len, advice))
			fprintf(stderr, "kc-workload: warning: madvise(%s) on %s: %s\n",
				advice == MADV_HUGEPAGE ? "MADV_HUGEPAGE"
							: "MADV_NOHUGEPAGE",
				v->spec->name, strerror(errno));
	}
	return 0;
}

/* Huge VMAs are written whole and in order, so faults allocate THPs. */
static void fill_huge(const struct wl_layout *l)
{
	for (size_t i = 0; i < l->nvmas; i++) {
		const struct wl_vma *v = &l->vmas[i];

		if (!v->selected || !(v->spec->flags & WL_HUGE))
			continue;
		for (uint64_t pg = 0; pg < v->npages; pg++)
			if (wl_expected(v, pg))
				fill_page(v->start + pg * KC_PAGE_SIZE, l->seed);
	}
}

static int collect_targets(const struct wl_layout *l, uint64_t **out,
			   size_t *count)
{
	size_t n = 0, k = 0;
	uint64_t *pages;

	for (size_t i = 0; i < l->nvmas; i++)
		if (l->vmas[i].selected && !(l->vmas[i].spec->flags & WL_HUGE))
			n += l->vmas[i].present;
	pages = malloc((n ? n : 1) * sizeof(*pages));
	if (!pages)
		return -ENOMEM;
	for (size_t i = 0; i < l->nvmas; i++) {
		const struct wl_vma *v = &l->vmas[i];

		if (!v->selected || (v->spec->flags & WL_HUGE))
			continue;
		for (uint64_t pg = 0; pg < v->npages; pg++)
			if (wl_expected(v, pg))
				pages[k++] = v->start + pg * KC_PAGE_SIZE;
	}
	*out = pages;
	*count = n;
	return 0;
}

static void shuffle(uint64_t *a, size_t n, uint64_t seed)
{
	struct kc_rng rng = { seed ^ 0x7363617474657221ULL };

	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)kc_rng_below(&rng, i);
		uint64_t t = a[i - 1];

		a[i - 1] = a[j];
		a[j] = t;
	}
}

int wl_spacer_open(struct wl_spacer *sp, unsigned int mib, size_t n)
{
	*sp = (struct wl_spacer){
		.pages = (size_t)mib * (1 << 20) / KC_PAGE_SIZE,
		.n = n,
	};
	if (!sp->pages || !n)
		return 0;
	sp->mem = mmap(NULL, sp->pages * KC_PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sp->mem == MAP_FAILED) {
		int err = -errno;

		fprintf(stderr, "kc-workload: spacer of %u MiB: %s\n", mib,
			strerror(errno));
		sp->mem = NULL;
		return err;
	}
	/* Spacer pages must be 4 KiB even in "always" mode. */
	madvise(sp->mem, sp->pages * KC_PAGE_SIZE, MADV_NOHUGEPAGE);
	return 0;
}

void wl_spacer_after(struct wl_spacer *sp, size_t i)
{
	size_t goal;

	if (!sp->mem)
		return;
	goal = (size_t)((uint64_t)(i + 1) * sp->pages / sp->n);
	for (; sp->done < goal; sp->done++)
		sp->mem[sp->done * KC_PAGE_SIZE] = (uint8_t)(sp->done | 1);
}

void wl_spacer_close(struct wl_spacer *sp)
{
	if (sp->mem)
		munmap(sp->mem, sp->pages * KC_PAGE_SIZE);
	sp->mem = NULL;
}

/* Fault the target pages in a seeded order, scattered by the spacer. */
static int fill_scattered(const struct wl_layout *l)
{
	struct wl_spacer sp;
	uint64_t *pages;
	size_t n;
	int err;

	err = collect_targets(l, &pages, &n);
	if (err)
		return err;
	shuffle(pages, n, l->seed);
	err = wl_spacer_open(&sp, l->spacer_mib, n);
	if (err) {
		free(pages);
		return err;
	}
	for (size_t i = 0; i < n; i++) {
		fill_page(pages[i], l->seed);
		wl_spacer_after(&sp, i);
	}
	wl_spacer_close(&sp);
	free(pages);
	return 0;
}

static void warn_thp_always(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");

	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f) && strstr(buf, "[always]"))
		fprintf(stderr, "kc-workload: warning: THP mode is \"always\": VMAs other than huge may fault hugepages; the layout assumes \"madvise\"\n");
	fclose(f);
}

int wl_layout_build(struct wl_layout *l)
{
	int err;

	warn_thp_always();
	for (size_t i = 0; i < l->nvmas; i++)
		if (l->vmas[i].selected && (err = map_vma(&l->vmas[i])))
			return err;
	fill_huge(l);
	err = fill_scattered(l);
	if (err)
		return err;
	for (size_t i = 0; i < l->nvmas; i++) {
		struct wl_vma *v = &l->vmas[i];

		if (!v->selected || !(v->spec->flags & WL_READONLY))
			continue;
		if (mprotect((void *)(uintptr_t)v->start, v->len, PROT_READ)) {
			err = -errno;
			fprintf(stderr, "kc-workload: mprotect(%s): %s\n",
				v->spec->name, strerror(errno));
			return err;
		}
	}
	return 0;
}

void wl_layout_free(struct wl_layout *l)
{
	for (size_t i = 0; i < l->nvmas; i++) {
		struct wl_vma *v = &l->vmas[i];

		if (v->mapped)
			munmap((void *)(uintptr_t)v->start, v->len);
		free(v->expect);
	}
	free(l->vmas);
	memset(l, 0, sizeof(*l));
}
