// SPDX-License-Identifier: MIT
/*
 * The /proc/PID/maps and smaps line parsers and the eligibility rules.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <string.h>

#include "maps.h"
#include "test.h"

static bool name_is(const struct kc_map *m, const char *s)
{
	return m->name_len == strlen(s) && !memcmp(m->name, s, m->name_len);
}

void test_maps_anonymous(void)
{
	struct kc_map m;

	CHECK_INT(kc_maps_parse_line(
		"7f1c2a000000-7f1c2a400000 rw-p 00000000 00:00 0 \n", &m), 0);
	CHECK_U64(m.start, 0x7f1c2a000000ULL);
	CHECK_U64(m.end, 0x7f1c2a400000ULL);
	CHECK_STR(m.perms, "rw-p");
	CHECK_U64(m.offset, 0);
	CHECK_U64(m.inode, 0);
	CHECK_U64(m.name_len, 0);
	CHECK(kc_map_is_private_anon_rw(&m));

	/* No trailing space or newline at all. */
	CHECK_INT(kc_maps_parse_line(
		"c000000000-c000400000 rw-p 00000000 00:00 0", &m), 0);
	CHECK_U64(m.name_len, 0);
	CHECK(kc_map_is_private_anon_rw(&m));

	/* Upper-case hex is accepted too. */
	CHECK_INT(kc_maps_parse_line(
		"7FFF0000-7FFF1000 rw-p 0000ABCD 00:00 0\n", &m), 0);
	CHECK_U64(m.offset, 0xabcd);
}

void test_maps_named(void)
{
	struct kc_map m;

	CHECK_INT(kc_maps_parse_line("55d0c2b6e000-55d0c2b8f000 rw-p 00000000 "
				     "00:00 0                          [heap]\n",
				     &m), 0);
	CHECK(name_is(&m, "[heap]"));
	CHECK(kc_map_is_private_anon_rw(&m));

	CHECK_INT(kc_maps_parse_line("7f0000000000-7f0000200000 rw-p 00000000 "
				     "00:00 0    [anon:go heap]\n", &m), 0);
	CHECK(name_is(&m, "[anon:go heap]"));
	CHECK(kc_map_is_private_anon_rw(&m));

	/* Not read-write: excluded even though anonymous. */
	CHECK_INT(kc_maps_parse_line("7f0000000000-7f0000200000 ---p 00000000 "
				     "00:00 0\n", &m), 0);
	CHECK(!kc_map_is_private_anon_rw(&m));
	CHECK_INT(kc_maps_parse_line("7f0000000000-7f0000200000 r--p 00000000 "
				     "00:00 0\n", &m), 0);
	CHECK(!kc_map_is_private_anon_rw(&m));
}

void test_maps_excluded(void)
{
	static const char *const lines[] = {
		"7ffc1b6e3000-7ffc1b704000 rw-p 00000000 00:00 0                          [stack]\n",
		"7ffc1b6e3000-7ffc1b704000 rw-p 00000000 00:00 0 [stack:1234]\n",
		"7ffc1b7cc000-7ffc1b7d0000 r--p 00000000 00:00 0                          [vvar]\n",
		"7ffc1b7cc000-7ffc1b7d0000 rw-p 00000000 00:00 0 [vvar_vclock]\n",
		"7ffc1b7d0000-7ffc1b7d2000 r-xp 00000000 00:00 0                          [vdso]\n",
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n",
		/* Shared anonymous memory and named shared anonymous memory. */
		"7f0000000000-7f0000200000 rw-s 00000000 00:01 1025                       /dev/zero (deleted)\n",
		"7f0000000000-7f0000200000 rw-s 00000000 00:00 0\n",
		"7f0000000000-7f0000200000 rw-s 00000000 00:00 0 [anon_shmem:x]\n",
		/* A name that only looks anonymous. */
		"7f0000000000-7f0000200000 rw-p 00000000 00:00 0 [anon:x\n",
	};
	struct kc_map m;
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		CHECK_INT(kc_maps_parse_line(lines[i], &m), 0);
		if (kc_map_is_private_anon_rw(&m))
			t_fail(__FILE__, __LINE__, "eligible: %s", lines[i]);
	}
	CHECK_INT(kc_maps_parse_line(lines[0], &m), 0);
	CHECK(name_is(&m, "[stack]"));
}

void test_maps_file_backed(void)
{
	struct kc_map m;

	CHECK_INT(kc_maps_parse_line(
		"7f1c2a7a4000-7f1c2a7a6000 rw-p 001f5000 fd:01 3671139                    /usr/lib/x86_64-linux-gnu/libc.so.6\n",
		&m), 0);
	CHECK_U64(m.offset, 0x1f5000);
	CHECK_U64(m.dev_major, 0xfd);
	CHECK_U64(m.dev_minor, 1);
	CHECK_U64(m.inode, 3671139);
	CHECK(name_is(&m, "/usr/lib/x86_64-linux-gnu/libc.so.6"));
	CHECK(!kc_map_is_private_anon_rw(&m));

	/* Names may contain spaces. */
	CHECK_INT(kc_maps_parse_line(
		"7f1c2a7a4000-7f1c2a7a6000 rw-p 00000000 08:02 42 /tmp/a b (deleted)\n",
		&m), 0);
	CHECK(name_is(&m, "/tmp/a b (deleted)"));
	CHECK(!kc_map_is_private_anon_rw(&m));

	/* A memfd: inode set, device 00:01. */
	CHECK_INT(kc_maps_parse_line(
		"7f1c2a7a4000-7f1c2a7a6000 rw-p 00000000 00:01 77 /memfd:x (deleted)\n",
		&m), 0);
	CHECK(!kc_map_is_private_anon_rw(&m));
}

void test_maps_malformed(void)
{
	static const char *const lines[] = {
		"",
		"\n",
		"garbage\n",
		"7f00-7f10\n",
		"7f00 7f10 rw-p 00000000 00:00 0\n",		/* no dash */
		"7f00-7f10 rw-p 00000000 00:00\n",		/* no inode */
		"7f00-7f10 rwxq 00000000 00:00 0\n",		/* bad perms */
		"7f00-7f10 rw- 00000000 00:00 0\n",		/* short perms */
		"7f00-7f10 rw-p 0000000g 00:00 0\n",		/* bad hex */
		"7f00-7f10 rw-p 00000000 0000 0\n",		/* no colon */
		"7f10-7f00 rw-p 00000000 00:00 0\n",		/* start > end */
		"7f00-7f00 rw-p 00000000 00:00 0\n",		/* empty */
		"7f00-7f10 rw-p 00000000 00:00 0x\n",		/* junk inode */
		"7f00-7f10 rw-p 00000000 00:00 -1\n",		/* sign */
		"-7f00-7f10 rw-p 00000000 00:00 0\n",		/* sign */
		" 7f00-7f10 rw-p 00000000 00:00 0\n",		/* leading space */
		"10000000000000000-10000000000000001 rw-p 00000000 00:00 0\n",
		"7f00-7f10 rw-p 00000000 00:00 0 [heap]\nnext\n", /* two lines */
	};
	struct kc_map m;
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (kc_maps_parse_line(lines[i], &m) != -EINVAL)
			t_fail(__FILE__, __LINE__, "accepted: \"%s\"", lines[i]);
	CHECK_INT(kc_maps_parse_line(NULL, &m), -EINVAL);
}

void test_smaps_vmflags(void)
{
	unsigned int f = 12345;

	CHECK(kc_smaps_is_field("VmFlags: rd wr mr mw me ac sd\n"));
	CHECK(kc_smaps_is_field("Anonymous:             0 kB\n"));
	CHECK(kc_smaps_is_field("Pss_Dirty:             0 kB\n"));
	CHECK(kc_smaps_is_field("THPeligible:    0\n"));
	CHECK(!kc_smaps_is_field("7f0000000000-7f0000200000 rw-p 00000000 00:00 0\n"));
	CHECK(!kc_smaps_is_field("ab-cd rw-p 00000000 00:00 0\n"));
	CHECK(!kc_smaps_is_field("Abc\n"));
	CHECK(!kc_smaps_is_field(":\n"));

	CHECK_INT(kc_smaps_vmflags("VmFlags: rd wr mr mw me ac sd \n", &f), 0);
	CHECK_U64(f, KC_VMF_RD | KC_VMF_WR);
	CHECK(kc_vmflags_eligible(f));
	CHECK_INT(kc_smaps_vmflags("VmFlags: rd wr mr mw me ac sd hg", &f), 0);
	CHECK(kc_vmflags_eligible(f));
	CHECK(f & KC_VMF_HG);

	/* Opted out of THP: still covered (measured, packed), flagged. */
	CHECK_INT(kc_smaps_vmflags("VmFlags: rd wr mr mw me ac sd nh\n", &f), 0);
	CHECK(kc_vmflags_eligible(f));
	CHECK(f & KC_VMF_NH);
	CHECK_INT(kc_smaps_vmflags("VmFlags: rd wr mr mw me gd ac\n", &f), 0);
	CHECK(!kc_vmflags_eligible(f));				/* stack */
	CHECK_INT(kc_smaps_vmflags("VmFlags: rd wr sh mr mw me ms sd\n", &f), 0);
	CHECK(!kc_vmflags_eligible(f));				/* shared */
	CHECK_INT(kc_smaps_vmflags("VmFlags: rd wr mr mw me ht sd\n", &f), 0);
	CHECK(!kc_vmflags_eligible(f));				/* hugetlb */
	CHECK_INT(kc_smaps_vmflags("VmFlags: rd wr mr mw me de sd\n", &f), 0);
	CHECK(!kc_vmflags_eligible(f));				/* special */
	CHECK_INT(kc_smaps_vmflags("VmFlags: rd wr io pf sd\n", &f), 0);
	CHECK(!kc_vmflags_eligible(f));
	CHECK_INT(kc_smaps_vmflags("VmFlags: rd mr mw me ac sd\n", &f), 0);
	CHECK(!kc_vmflags_eligible(f));				/* read-only */
	CHECK_INT(kc_smaps_vmflags("VmFlags:\n", &f), 0);
	CHECK_U64(f, 0);
	/* Only whole two-letter mnemonics count. */
	CHECK_INT(kc_smaps_vmflags("VmFlags: rdx wr nhh\n", &f), 0);
	CHECK_U64(f, KC_VMF_WR);

	CHECK_INT(kc_smaps_vmflags("Rss: 4 kB\n", &f), -EINVAL);
	CHECK_INT(kc_smaps_vmflags("vmflags: rd wr\n", &f), -EINVAL);
	CHECK_INT(kc_smaps_vmflags(NULL, &f), -EINVAL);
}
