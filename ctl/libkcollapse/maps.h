/* SPDX-License-Identifier: MIT */
/*
 * Parsers for lines of /proc/PID/maps and /proc/PID/smaps.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KC_MAPS_H
#define KC_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/*
 * One mapping. @name points into the parsed line (not NUL-terminated at
 * @name_len if the line had a newline); it is "" with length 0 for an
 * anonymous mapping without a name.
 */
struct kc_map {
	uint64_t start;
	uint64_t end;
	uint64_t offset;
	uint64_t inode;
	unsigned int dev_major;
	unsigned int dev_minor;
	char perms[5];		/* "rw-p" */
	const char *name;
	size_t name_len;
};

/*
 * kc_maps_parse_line() - parse "START-END PERMS OFFSET MAJ:MIN INODE [NAME]"
 * with hexadecimal START, END, OFFSET, MAJ, MIN and decimal INODE. A
 * trailing newline is allowed. Returns 0, or -EINVAL for a malformed line
 * (including START >= END).
 */
KC_HIDDEN int kc_maps_parse_line(const char *line, struct kc_map *m);

/*
 * kc_map_is_private_anon_rw() - true for the mappings kcollapse considers:
 * private, readable and writable, no backing file (inode 0, device 0:0),
 * and either unnamed, "[heap]" or "[anon:NAME]".
 */
KC_HIDDEN bool kc_map_is_private_anon_rw(const struct kc_map *m);

/* Bits of the VmFlags line of /proc/PID/smaps that kcollapse looks at. */
enum {
	KC_VMF_RD = 1u << 0,	/* rd: readable */
	KC_VMF_WR = 1u << 1,	/* wr: writable */
	KC_VMF_SH = 1u << 2,	/* sh: VM_SHARED */
	KC_VMF_MS = 1u << 3,	/* ms: VM_MAYSHARE */
	KC_VMF_IO = 1u << 4,	/* io: VM_IO */
	KC_VMF_PF = 1u << 5,	/* pf: VM_PFNMAP */
	KC_VMF_MM = 1u << 6,	/* mm: VM_MIXEDMAP */
	KC_VMF_HT = 1u << 7,	/* ht: VM_HUGETLB */
	KC_VMF_NH = 1u << 8,	/* nh: VM_NOHUGEPAGE */
	KC_VMF_GD = 1u << 9,	/* gd: VM_GROWSDOWN (stacks) */
	KC_VMF_DE = 1u << 10,	/* de: VM_DONTEXPAND (special mappings) */
	KC_VMF_HG = 1u << 11,	/* hg: VM_HUGEPAGE */
};

/*
 * kc_smaps_vmflags() - parse "VmFlags: rd wr mr ..." into KC_VMF_* bits
 * (unknown mnemonics are ignored). Returns 0, or -EINVAL if @line is not a
 * VmFlags line.
 */
KC_HIDDEN int kc_smaps_vmflags(const char *line, unsigned int *flags);

/*
 * kc_smaps_is_field() - true for a "Name: value" line of smaps, false for
 * a mapping's header line.
 */
KC_HIDDEN bool kc_smaps_is_field(const char *line);

/*
 * kc_vmflags_eligible() - the flags the kernel module requires: readable
 * and writable; not shared, I/O, PFN or mixed map, hugetlb, a stack or a
 * special mapping. VM_NOHUGEPAGE ones are eligible: measured and packed,
 * and only their collapse respects the opt-out.
 */
KC_HIDDEN bool kc_vmflags_eligible(unsigned int flags);

#endif /* KC_MAPS_H */
