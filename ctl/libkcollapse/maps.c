// SPDX-License-Identifier: MIT
/*
 * Parsers for lines of /proc/PID/maps and /proc/PID/smaps: pure functions
 * on strings.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <string.h>

#include "maps.h"

static int kc_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse at least one digit in @base (10 or 16); NULL on error/overflow. */
static const char *kc_parse_num(const char *p, unsigned int base,
				uint64_t *out)
{
	uint64_t v = 0;
	const char *start = p;
	int d;

	while ((d = kc_hex_digit(*p)) >= 0 && (unsigned int)d < base) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return NULL;
		v = v * base + (uint64_t)d;
		p++;
	}
	if (p == start)
		return NULL;
	*out = v;
	return p;
}

static const char *kc_expect(const char *p, char c)
{
	return p && *p == c ? p + 1 : NULL;
}

static const char *kc_parse_perms(const char *p, char perms[5])
{
	static const char allowed[4][3] = { "r-", "w-", "x-", "ps" };
	int i;

	for (i = 0; i < 4; i++) {
		if (!p[i] || !strchr(allowed[i], p[i]))
			return NULL;
		perms[i] = p[i];
	}
	perms[4] = '\0';
	return p + 4;
}

int kc_maps_parse_line(const char *line, struct kc_map *m)
{
	const char *p = line;
	uint64_t major, minor;
	size_t len;

	memset(m, 0, sizeof(*m));
	if (!p)
		return -EINVAL;
	p = kc_parse_num(p, 16, &m->start);
	p = kc_expect(p, '-');
	p = p ? kc_parse_num(p, 16, &m->end) : NULL;
	p = kc_expect(p, ' ');
	p = p ? kc_parse_perms(p, m->perms) : NULL;
	p = kc_expect(p, ' ');
	p = p ? kc_parse_num(p, 16, &m->offset) : NULL;
	p = kc_expect(p, ' ');
	p = p ? kc_parse_num(p, 16, &major) : NULL;
	p = kc_expect(p, ':');
	p = p ? kc_parse_num(p, 16, &minor) : NULL;
	p = kc_expect(p, ' ');
	p = p ? kc_parse_num(p, 10, &m->inode) : NULL;
	if (!p || m->start >= m->end || major > 0xfff || minor > 0xfffff)
		return -EINVAL;
	m->dev_major = (unsigned int)major;
	m->dev_minor = (unsigned int)minor;

	/* Either the end of the line or spaces, then the name. */
	if (*p && *p != '\n' && *p != ' ')
		return -EINVAL;
	while (*p == ' ')
		p++;
	len = strlen(p);
	if (len && p[len - 1] == '\n')
		len--;
	if (memchr(p, '\n', len))
		return -EINVAL;
	m->name = p;
	m->name_len = len;
	return 0;
}

static bool kc_name_is(const struct kc_map *m, const char *s)
{
	size_t n = strlen(s);

	return m->name_len == n && !memcmp(m->name, s, n);
}

static bool kc_name_is_anon(const struct kc_map *m)
{
	static const char prefix[] = "[anon:";
	size_t n = sizeof(prefix) - 1;

	return m->name_len > n && !memcmp(m->name, prefix, n) &&
	       m->name[m->name_len - 1] == ']';
}

bool kc_map_is_private_anon_rw(const struct kc_map *m)
{
	if (m->perms[0] != 'r' || m->perms[1] != 'w' || m->perms[3] != 'p')
		return false;
	if (m->inode || m->dev_major || m->dev_minor)
		return false;
	return m->name_len == 0 || kc_name_is(m, "[heap]") ||
	       kc_name_is_anon(m);
}

bool kc_smaps_is_field(const char *line)
{
	const char *p = line;

	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	       *p == '_')
		p++;
	return p != line && *p == ':';
}

int kc_smaps_vmflags(const char *line, unsigned int *flags)
{
	static const struct {
		char name[3];
		unsigned int bit;
	} known[] = {
		{ "rd", KC_VMF_RD }, { "wr", KC_VMF_WR }, { "sh", KC_VMF_SH },
		{ "ms", KC_VMF_MS }, { "io", KC_VMF_IO }, { "pf", KC_VMF_PF },
		{ "mm", KC_VMF_MM }, { "ht", KC_VMF_HT }, { "nh", KC_VMF_NH },
		{ "gd", KC_VMF_GD }, { "de", KC_VMF_DE }, { "hg", KC_VMF_HG },
	};
	static const char prefix[] = "VmFlags:";
	const char *p = line;
	unsigned int f = 0;
	size_t i, n;

	if (!p || strncmp(p, prefix, sizeof(prefix) - 1))
		return -EINVAL;
	p += sizeof(prefix) - 1;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n')
			break;
		n = strcspn(p, " \t\n");
		for (i = 0; n == 2 && i < sizeof(known) / sizeof(known[0]); i++)
			if (!memcmp(p, known[i].name, 2))
				f |= known[i].bit;
		p += n;
	}
	*flags = f;
	return 0;
}

bool kc_vmflags_eligible(unsigned int flags)
{
	const unsigned int excluded = KC_VMF_SH | KC_VMF_MS | KC_VMF_IO |
				      KC_VMF_PF | KC_VMF_MM | KC_VMF_HT |
				      KC_VMF_GD | KC_VMF_DE;

	return (flags & (KC_VMF_RD | KC_VMF_WR)) == (KC_VMF_RD | KC_VMF_WR) &&
	       !(flags & excluded);
}
