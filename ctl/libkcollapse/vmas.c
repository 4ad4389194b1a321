// SPDX-License-Identifier: MIT
/*
 * The eligible mappings of a process, from /proc/PID/smaps: each mapping
 * is a maps-format header line followed by "Name: value" lines, the last
 * of which is VmFlags. The VM flags pick exactly the VMAs the module
 * considers (no stacks, no shared memory...) and say which opted out of
 * THP; AnonHugePages says how much of the mapping is PMD-mapped.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps.h"
#include "pagemap.h"
#include "vmas.h"

/* A mapping whose header was read, waiting for its VmFlags line. */
struct kc_pending {
	bool set;
	bool anon;	/* private, rw, no file, acceptable name */
	struct kc_vma vma;
};

static int kc_vmas_add(struct kc_vma_list *l, const struct kc_vma *v)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct kc_vma *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return kc_oom(NULL);
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = *v;
	return 0;
}

/*
 * Decide on the pending mapping: with its VmFlags if the kernel gave them
 * (3.8+), on its maps line alone otherwise.
 */
static int kc_flush(struct kc_vma_list *l, struct kc_pending *p,
		    const unsigned int *vmflags)
{
	if (!p->set)
		return 0;
	p->set = false;
	if (!p->anon || (vmflags && !kc_vmflags_eligible(*vmflags)))
		return 0;
	if (vmflags) {
		p->vma.nohugepage = *vmflags & KC_VMF_NH;
		p->vma.hugepage = *vmflags & KC_VMF_HG;
	}
	return kc_vmas_add(l, &p->vma);
}

/* "AnonHugePages:      2048 kB" -> bytes; false if @line is another field. */
static bool kc_anon_huge_line(const char *line, uint64_t *bytes)
{
	static const char prefix[] = "AnonHugePages:";
	unsigned long long kb;

	if (strncmp(line, prefix, sizeof(prefix) - 1))
		return false;
	if (sscanf(line + sizeof(prefix) - 1, "%llu", &kb) != 1)
		return false;
	*bytes = (uint64_t)kb * 1024;
	return true;
}

static int kc_vmas_parse(pid_t pid, FILE *smaps, struct kc_vma_list *out)
{
	struct kc_pending pending = { 0 };
	unsigned int vmflags;
	char *line = NULL;
	size_t cap = 0;
	int err = 0;

	while (!err && getline(&line, &cap, smaps) >= 0) {
		struct kc_map m;

		if (kc_smaps_is_field(line)) {
			if (pending.set &&
			    kc_anon_huge_line(line, &pending.vma.anon_huge_bytes))
				continue;
			if (!kc_smaps_vmflags(line, &vmflags))
				err = kc_flush(out, &pending, &vmflags);
			continue;
		}
		err = kc_flush(out, &pending, NULL);
		if (err < 0)
			break;
		if (kc_maps_parse_line(line, &m) < 0) {
			kc_set_error(NULL, "malformed line in /proc/%d/smaps",
				     (int)pid);
			err = -EIO;
			break;
		}
		pending = (struct kc_pending){
			.set = true,
			.anon = kc_map_is_private_anon_rw(&m),
			.vma = { .start = m.start, .end = m.end },
		};
	}
	if (!err)
		err = kc_flush(out, &pending, NULL);
	if (!err && ferror(smaps)) {
		err = -errno;
		kc_set_error(NULL, "cannot read /proc/%d/smaps: %s", (int)pid,
			     strerror(errno));
	}
	free(line);
	return err;
}

int kc_vmas_read(pid_t pid, struct kc_vma_list *out)
{
	char path[64];
	FILE *smaps;
	int fd, err;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT) {
			kc_set_error(NULL, "no such process: %d", (int)pid);
			return -ESRCH;
		}
		kc_set_error(NULL, "cannot open %s: %s", path, strerror(-err));
		return err;
	}
	smaps = fdopen(fd, "r");
	if (!smaps) {
		close(fd);
		return kc_oom(NULL);
	}
	err = kc_vmas_parse(pid, smaps, out);
	fclose(smaps);
	return err;
}

void kc_vmas_free(struct kc_vma_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
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

int kc_clip(uint64_t start, uint64_t end, uint64_t rstart, uint64_t rend,
	    uint64_t page_size, uint64_t *s, uint64_t *e)
{
	*s = kc_align_down(start > rstart ? start : rstart, page_size);
	*e = kc_align_up(end < rend ? end : rend, page_size);
	return *s < *e;
}

void kc_windows(uint64_t s, uint64_t e, uint64_t *ws, uint64_t *we)
{
	*ws = kc_align_up(s, KC_WINDOW_SIZE);
	*we = kc_align_down(e, KC_WINDOW_SIZE);
	if (*ws >= *we)
		*ws = *we = 0;
}
