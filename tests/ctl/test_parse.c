// SPDX-License-Identifier: MIT
/*
 * Command-line number parsing.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <string.h>

#include "parse.h"
#include "test.h"

static int u64(const char *s, unsigned int flags, uint64_t max, uint64_t *v)
{
	*v = 0xdeadbeef;
	return ctl_parse_u64(s, flags, max, v);
}

void test_parse_u64(void)
{
	uint64_t v;

	CHECK_INT(u64("0", 0, 10, &v), 0);
	CHECK_U64(v, 0);
	CHECK_INT(u64("10", 0, 10, &v), 0);
	CHECK_U64(v, 10);
	CHECK_INT(u64("11", 0, 10, &v), -ERANGE);
	CHECK_INT(u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	CHECK_U64(v, UINT64_MAX);
	CHECK_INT(u64("18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
	CHECK_INT(u64("4294967296", 0, UINT32_MAX, &v), -ERANGE);

	/* Strictness: no sign, space, junk, empty string, hex without flag. */
	CHECK_INT(u64("", 0, UINT64_MAX, &v), -EINVAL);
	CHECK_INT(u64("-1", 0, UINT64_MAX, &v), -EINVAL);
	CHECK_INT(u64("+1", 0, UINT64_MAX, &v), -EINVAL);
	CHECK_INT(u64(" 1", 0, UINT64_MAX, &v), -EINVAL);
	CHECK_INT(u64("1 ", 0, UINT64_MAX, &v), -EINVAL);
	CHECK_INT(u64("12abc", 0, UINT64_MAX, &v), -EINVAL);
	CHECK_INT(u64("0x10", 0, UINT64_MAX, &v), -EINVAL);
	CHECK_INT(u64("1M", 0, UINT64_MAX, &v), -EINVAL);
	CHECK_INT(u64(NULL, 0, UINT64_MAX, &v), -EINVAL);
	CHECK_U64(v, 0xdeadbeef);	/* untouched on error */

	/* Hexadecimal. */
	CHECK_INT(u64("0x7f0000000000", CTL_PARSE_HEX, UINT64_MAX, &v), 0);
	CHECK_U64(v, 0x7f0000000000ULL);
	CHECK_INT(u64("0XfF", CTL_PARSE_HEX, UINT64_MAX, &v), 0);
	CHECK_U64(v, 255);
	CHECK_INT(u64("010", CTL_PARSE_HEX, UINT64_MAX, &v), 0);
	CHECK_U64(v, 10);		/* decimal, never octal */
	CHECK_INT(u64("0x", CTL_PARSE_HEX, UINT64_MAX, &v), -EINVAL);
	CHECK_INT(u64("0x0x10", CTL_PARSE_HEX, UINT64_MAX, &v), -EINVAL);
	CHECK_INT(u64("0x-1", CTL_PARSE_HEX, UINT64_MAX, &v), -EINVAL);
	CHECK_INT(u64("0x10000000000000000", CTL_PARSE_HEX, UINT64_MAX, &v),
		  -ERANGE);

	/* Size suffixes. */
	CHECK_INT(u64("2M", CTL_PARSE_SIZE, UINT64_MAX, &v), 0);
	CHECK_U64(v, 2ULL << 20);
	CHECK_INT(u64("0x2k", CTL_PARSE_SIZE | CTL_PARSE_HEX, UINT64_MAX, &v), 0);
	CHECK_U64(v, 2048);
	CHECK_INT(u64("1T", CTL_PARSE_SIZE, UINT64_MAX, &v), 0);
	CHECK_U64(v, 1ULL << 40);
	CHECK_INT(u64("16777216T", CTL_PARSE_SIZE, UINT64_MAX, &v), -ERANGE);
	CHECK_INT(u64("2MB", CTL_PARSE_SIZE, UINT64_MAX, &v), -EINVAL);
	CHECK_INT(u64("M", CTL_PARSE_SIZE, UINT64_MAX, &v), -EINVAL);
}

void test_parse_pid(void)
{
	pid_t pid = 0;

	CHECK_INT(ctl_parse_pid("1", &pid), 0);
	CHECK_INT(pid, 1);
	CHECK_INT(ctl_parse_pid("2147483647", &pid), 0);
	CHECK_INT(pid, 2147483647);
	CHECK_INT(ctl_parse_pid("2147483648", &pid), -ERANGE);
	CHECK_INT(ctl_parse_pid("0", &pid), -ERANGE);
	CHECK_INT(ctl_parse_pid("-1", &pid), -EINVAL);
	CHECK_INT(ctl_parse_pid("0x10", &pid), -EINVAL);
	CHECK_INT(ctl_parse_pid("12a", &pid), -EINVAL);
	CHECK_INT(ctl_parse_pid("", &pid), -EINVAL);
}

void test_parse_range(void)
{
	uint64_t start = 0, len = 0;

	CHECK_INT(ctl_parse_range("0x7f0000000000:0x200000", &start, &len), 0);
	CHECK_U64(start, 0x7f0000000000ULL);
	CHECK_U64(len, 0x200000);
	CHECK_INT(ctl_parse_range("4096:64M", &start, &len), 0);
	CHECK_U64(start, 4096);
	CHECK_U64(len, 64ULL << 20);
	CHECK_INT(ctl_parse_range("0:1", &start, &len), 0);
	/* START + LEN must fit in 64 bits, as the module requires. */
	CHECK_INT(ctl_parse_range("0xffffffffffffff00:255", &start, &len), 0);
	CHECK_INT(ctl_parse_range("0xffffffffffffff00:256", &start, &len),
		  -ERANGE);
	CHECK_INT(ctl_parse_range("1:18446744073709551615", &start, &len),
		  -ERANGE);
	CHECK_INT(ctl_parse_range("0:18446744073709551615", &start, &len), 0);

	CHECK_INT(ctl_parse_range("4096", &start, &len), -EBADMSG);
	CHECK_INT(ctl_parse_range("4096:", &start, &len), -EINVAL);
	CHECK_INT(ctl_parse_range(":4096", &start, &len), -EINVAL);
	CHECK_INT(ctl_parse_range("4096:0", &start, &len), -EDOM);
	CHECK_INT(ctl_parse_range("4096:1:2", &start, &len), -EINVAL);
	CHECK_INT(ctl_parse_range("1M:4096", &start, &len), -EINVAL);
	CHECK_INT(ctl_parse_range("-1:4096", &start, &len), -EINVAL);
	CHECK_INT(ctl_parse_range(NULL, &start, &len), -EINVAL);
	CHECK(strlen(ctl_parse_strerror(-EDOM)) > 0);
	CHECK(strlen(ctl_parse_strerror(-EBADMSG)) > 0);
}
