/* SPDX-License-Identifier: MIT */
/*
 * The C test harness of the host suites (tests/ctl, tests/bridge): each
 * test is a function; CHECK() records a failure and goes on, t_skip()
 * marks the test skipped. kc_test_main() runs them and prints TAP, then
 * "N passed, N failed".
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KC_TEST_H
#define KC_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

void t_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void t_skip(const char *why);

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			t_fail(__FILE__, __LINE__, "%s", #cond);	\
	} while (0)

#define CHECK_U64(a, b)							\
	do {								\
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);	\
		if (a_ != b_)						\
			t_fail(__FILE__, __LINE__, "%s == %s: %" PRIu64	\
			       " != %" PRIu64, #a, #b, a_, b_);		\
	} while (0)

#define CHECK_INT(a, b)							\
	do {								\
		long long a_ = (long long)(a), b_ = (long long)(b);	\
		if (a_ != b_)						\
			t_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld",\
			       #a, #b, a_, b_);				\
	} while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *a_ = (a), *b_ = (b);			\
		if (!a_ || !b_ || strcmp(a_, b_))			\
			t_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"",\
			       #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");\
	} while (0)

struct kc_test {
	const char *name;
	void (*fn)(void);
};

/* { "name", name }, for a table of tests. */
#define KC_TEST_ENTRY(name) { #name, name },

/*
 * kc_test_main() - run the @n @tests (those whose name contains argv[1]
 * if given), TAP on stdout. Returns the exit status: 0 if none failed.
 */
int kc_test_main(int argc, char *argv[], const struct kc_test *tests,
		 size_t n);

#endif /* KC_TEST_H */
