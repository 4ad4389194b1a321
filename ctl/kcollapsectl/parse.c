// SPDX-License-Identifier: MIT
/*
 * Strict parsing of command-line numbers.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static unsigned int ctl_suffix_shift(char c)
{
	switch (c) {
	case 'K': case 'k': return 10;
	case 'M': case 'm': return 20;
	case 'G': case 'g': return 30;
	case 'T': case 't': return 40;
	default: return 0;
	}
}

int ctl_parse_u64(const char *s, unsigned int flags, uint64_t max,
		  uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	int base = 10;
	char *end;

	if (!s)
		return -EINVAL;
	if ((flags & CTL_PARSE_HEX) && s[0] == '0' &&
	    (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	/*
	 * strtoull() would accept leading spaces, a sign, an empty number
	 * and, in base 16, a second 0x prefix.
	 */
	if (!*s || !strchr(base == 16 ? "0123456789abcdefABCDEF" :
			   "0123456789", *s))
		return -EINVAL;
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return -EINVAL;

	errno = 0;
	v = strtoull(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || end == s)
		return -EINVAL;
	if (*end && (flags & CTL_PARSE_SIZE)) {
		shift = ctl_suffix_shift(*end);
		if (shift)
			end++;
	}
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	v <<= shift;
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int ctl_parse_pid(const char *s, pid_t *out)
{
	uint64_t v;
	int err = ctl_parse_u64(s, 0, INT32_MAX, &v);

	if (err < 0)
		return err;
	if (v == 0)
		return -ERANGE;
	*out = (pid_t)v;
	return 0;
}

int ctl_parse_range(const char *s, uint64_t *start, uint64_t *len)
{
	const char *colon;
	uint64_t st, ln;
	char buf[64];
	size_t n;
	int err;

	if (!s)
		return -EINVAL;
	colon = strchr(s, ':');
	if (!colon)
		return -EBADMSG;
	n = (size_t)(colon - s);
	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';

	err = ctl_parse_u64(buf, CTL_PARSE_HEX, UINT64_MAX, &st);
	if (err < 0)
		return err;
	err = ctl_parse_u64(colon + 1, CTL_PARSE_HEX | CTL_PARSE_SIZE,
			    UINT64_MAX, &ln);
	if (err < 0)
		return err;
	if (!ln)
		return -EDOM;
	/* START + LEN must fit in 64 bits, as the module requires. */
	if (ln > UINT64_MAX - st)
		return -ERANGE;
	*start = st;
	*len = ln;
	return 0;
}

const char *ctl_parse_strerror(int err)
{
	switch (err) {
	case -EINVAL: return "not a valid number";
	case -ERANGE: return "out of range";
	case -EDOM: return "length must not be 0";
	case -EBADMSG: return "missing ':'";
	default: return strerror(-err);
	}
}
