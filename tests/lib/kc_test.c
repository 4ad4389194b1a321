// SPDX-License-Identifier: MIT
/*
 * The host suites' C test harness (see kc_test.h).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kc_test.h"

static int t_failures;
static const char *t_skipped;

void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "#   %s:%d: check failed: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	t_failures++;
}

void t_skip(const char *why)
{
	t_skipped = why;
}

int kc_test_main(int argc, char *argv[], const struct kc_test *tests,
		 size_t ntests)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	int passed = 0, failed = 0, skipped = 0, n = 0;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < ntests; i++)
		if (!filter || strstr(tests[i].name, filter))
			n++;
	printf("1..%d\n", n);
	n = 0;
	for (i = 0; i < ntests; i++) {
		if (filter && !strstr(tests[i].name, filter))
			continue;
		t_failures = 0;
		t_skipped = NULL;
		tests[i].fn();
		fflush(stderr);
		n++;
		if (t_failures) {
			printf("not ok %d - %s\n", n, tests[i].name);
			failed++;
		} else if (t_skipped) {
			printf("ok %d - %s # SKIP %s\n", n, tests[i].name,
			       t_skipped);
			skipped++;
		} else {
			printf("ok %d - %s\n", n, tests[i].name);
			passed++;
		}
	}
	if (skipped)
		printf("# %d skipped\n", skipped);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
