/* SPDX-License-Identifier: MIT */
/*
 * Strict parsing of command-line numbers.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef CTL_PARSE_H
#define CTL_PARSE_H

#include <stdint.h>
#include <sys/types.h>

#define CTL_PARSE_HEX	(1u << 0)	/* accept a 0x/0X hexadecimal number */
#define CTL_PARSE_SIZE	(1u << 1)	/* accept a K, M, G or T suffix (x1024^n) */

/*
 * ctl_parse_u64() - parse all of @s as an unsigned number no larger than
 * @max. Decimal always; hexadecimal with a 0x prefix if CTL_PARSE_HEX.
 * No sign, no white space, no trailing characters.
 * Returns 0, -EINVAL (not a number) or -ERANGE (above @max).
 */
int ctl_parse_u64(const char *s, unsigned int flags, uint64_t max,
		  uint64_t *out);

/* ctl_parse_pid() - a decimal pid, 1..INT32_MAX. */
int ctl_parse_pid(const char *s, pid_t *out);

/*
 * ctl_parse_range() - "START:LEN": START an address (decimal or 0x hex),
 * LEN a size (decimal or 0x hex, optional K/M/G/T suffix), not 0, and
 * START + LEN must fit in 64 bits (the module rejects a wrapping range). Returns 0, -EBADMSG (no ':'), -EINVAL
 * (a malformed number),
 * -ERANGE (a number too large, or the end past 2^64) or -EDOM (LEN 0).
 */
int ctl_parse_range(const char *s, uint64_t *start, uint64_t *len);

/* ctl_parse_strerror() - short text for a ctl_parse_*() error. */
const char *ctl_parse_strerror(int err);

#endif /* CTL_PARSE_H */
