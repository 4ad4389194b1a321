// SPDX-License-Identifier: GPL-2.0
/* KUnit: the populated-span record an operation's later passes follow. */
#include <kunit/test.h>
#include <linux/mm.h>
#include "../walk.h"

#define SPAN(n) ((unsigned long)(n) << PMD_SHIFT)

/* Record @n spans, @stride PMDs apart, from @first, in address order. */
static void spans_fill(struct kunit *test, struct kc_spans *sp,
		       unsigned long first, unsigned long stride,
		       unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, kc_spans_add(sp, SPAN(first + i * stride)), 0);
}

static void spans_next_in_order(struct kunit *test)
{
	unsigned int budget = 100;
	struct kc_spans sp;
	unsigned long a;

	kc_spans_init(&sp);
	spans_fill(test, &sp, 4, 1000, 3);
	/* an unaligned address inside a span stays where it is */
	a = SPAN(4) + PAGE_SIZE;
	KUNIT_EXPECT_TRUE(test, kc_spans_next(&sp, &a, SPAN(1ul << 20), &budget));
	KUNIT_EXPECT_EQ(test, a, SPAN(4) + PAGE_SIZE);
	a = SPAN(5);
	KUNIT_EXPECT_TRUE(test, kc_spans_next(&sp, &a, SPAN(1ul << 20), &budget));
	KUNIT_EXPECT_EQ(test, a, SPAN(1004));
	/* the next span starts at or after the end: none */
	a = SPAN(1005);
	KUNIT_EXPECT_FALSE(test, kc_spans_next(&sp, &a, SPAN(2004), &budget));
	KUNIT_EXPECT_EQ(test, a, SPAN(2004));
	a = SPAN(2005);
	KUNIT_EXPECT_FALSE(test, kc_spans_next(&sp, &a, SPAN(1ul << 20), &budget));
	KUNIT_EXPECT_EQ(test, a, SPAN(1ul << 20));
	KUNIT_EXPECT_EQ(test, budget, 96U);
	kc_spans_destroy(&sp);
}

/* Growth past the first allocation, repeats and out-of-order additions. */
static void spans_grow_and_insert(struct kunit *test)
{
	unsigned long n = 3 * PAGE_SIZE / sizeof(unsigned long) + 7, i, a;
	unsigned int budget = UINT_MAX;
	struct kc_spans sp;

	kc_spans_init(&sp);
	spans_fill(test, &sp, 10, 2, n);
	/* a repeat of a recorded span, unaligned, changes nothing */
	KUNIT_ASSERT_EQ(test, kc_spans_add(&sp, SPAN(12) + 5 * PAGE_SIZE), 0);
	/* between two recorded spans, and before the first */
	KUNIT_ASSERT_EQ(test, kc_spans_add(&sp, SPAN(13)), 0);
	KUNIT_ASSERT_EQ(test, kc_spans_add(&sp, SPAN(1)), 0);
	KUNIT_ASSERT_EQ(test, sp.nr, n + 2);
	for (i = 1; i < sp.nr; i++)
		KUNIT_ASSERT_LT(test, sp.pmd[i - 1], sp.pmd[i]);
	a = 0;
	KUNIT_EXPECT_TRUE(test, kc_spans_next(&sp, &a, ULONG_MAX, &budget));
	KUNIT_EXPECT_EQ(test, a, SPAN(1));
	a = SPAN(12) + PMD_SIZE;
	KUNIT_EXPECT_TRUE(test, kc_spans_next(&sp, &a, ULONG_MAX, &budget));
	KUNIT_EXPECT_EQ(test, a, SPAN(13));
	a = SPAN(10 + 2 * (n - 1)) + 1;
	KUNIT_EXPECT_TRUE(test, kc_spans_next(&sp, &a, ULONG_MAX, &budget));
	KUNIT_EXPECT_EQ(test, a, SPAN(10 + 2 * (n - 1)) + 1);
	a += PMD_SIZE;
	KUNIT_EXPECT_FALSE(test, kc_spans_next(&sp, &a, ULONG_MAX, &budget));
	kc_spans_destroy(&sp);
	KUNIT_EXPECT_EQ(test, sp.nr, 0UL);
}

static void spans_empty(struct kunit *test)
{
	unsigned int budget = 1;
	struct kc_spans sp;
	unsigned long a = SPAN(3);

	kc_spans_init(&sp);
	KUNIT_EXPECT_FALSE(test, kc_spans_next(&sp, &a, SPAN(9), &budget));
	KUNIT_EXPECT_EQ(test, a, SPAN(9));
	KUNIT_EXPECT_EQ(test, budget, 0U);
	kc_spans_destroy(&sp);
}

static struct kunit_case kc_walk_cases[] = {
	KUNIT_CASE(spans_next_in_order),
	KUNIT_CASE(spans_grow_and_insert),
	KUNIT_CASE(spans_empty),
	{}
};

static struct kunit_suite kc_walk_suite = {
	.name = "kcollapse_walk",
	.test_cases = kc_walk_cases,
};

kunit_test_suite(kc_walk_suite);
