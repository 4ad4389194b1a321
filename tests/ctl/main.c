// SPDX-License-Identifier: MIT
/*
 * test-ctl: every test of tests/ctl (or those whose name contains argv[1]).
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include "test.h"

static const struct kc_test tests[] = {
	KC_TESTS(KC_TEST_ENTRY)
};

int main(int argc, char *argv[])
{
	return kc_test_main(argc, argv, tests,
			    sizeof(tests) / sizeof(tests[0]));
}
