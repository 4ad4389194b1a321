// SPDX-License-Identifier: GPL-2.0
/* KUnit: the distinct-frame set. */
#include <kunit/test.h>
#include <linux/mm.h>
#include "../frames.h"

#define FRAME_PFN(f, i) (((unsigned long)(f) << (PMD_SHIFT - PAGE_SHIFT)) + (i))

static void frames_distinct(struct kunit *test)
{
	struct kc_frame_set set;

	kc_frames_init(&set);
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(7, 0), PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(7, 1), PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(9, 3), PAGE_SIZE), 0);
	/* back to a frame seen before, not the last one */
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(7, 511), PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, set.count, 2ULL);
	KUNIT_EXPECT_EQ(test, set.present_bytes, 4ULL * PAGE_SIZE);
	kc_frames_destroy(&set);
}

static void frames_huge_counts_once(struct kunit *test)
{
	struct kc_frame_set set;

	kc_frames_init(&set);
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(3, 0), PMD_SIZE), 0);
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(1 << 20, 0), PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, set.count, 2ULL);
	KUNIT_EXPECT_EQ(test, set.present_bytes, (u64)PMD_SIZE + PAGE_SIZE);
	kc_frames_destroy(&set);
}

static void frames_empty(struct kunit *test)
{
	struct kc_frame_set set;

	kc_frames_init(&set);
	KUNIT_EXPECT_EQ(test, set.count, 0ULL);
	KUNIT_EXPECT_EQ(test, set.present_bytes, 0ULL);
	kc_frames_destroy(&set);
}

static struct kunit_case kc_frames_cases[] = {
	KUNIT_CASE(frames_distinct),
	KUNIT_CASE(frames_huge_counts_once),
	KUNIT_CASE(frames_empty),
	{}
};

static struct kunit_suite kc_frames_suite = {
	.name = "kcollapse_frames",
	.test_cases = kc_frames_cases,
};

kunit_test_suite(kc_frames_suite);
