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
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(7, 0), PAGE_SIZE, false), 0);
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(7, 1), PAGE_SIZE, false), 0);
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(9, 3), PAGE_SIZE, false), 0);
	/* back to a frame seen before, not the last one */
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(7, 511), PAGE_SIZE, false), 0);
	KUNIT_EXPECT_EQ(test, set.count, 2ULL);
	KUNIT_EXPECT_EQ(test, set.present_bytes, 4ULL * PAGE_SIZE);
	kc_frames_destroy(&set);
}

static void frames_huge_counts_once(struct kunit *test)
{
	struct kc_frame_set set;

	kc_frames_init(&set);
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(3, 0), PMD_SIZE, false), 0);
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(1 << 20, 0), PAGE_SIZE, false), 0);
	KUNIT_EXPECT_EQ(test, set.count, 2ULL);
	KUNIT_EXPECT_EQ(test, set.present_bytes, (u64)PMD_SIZE + PAGE_SIZE);
	kc_frames_destroy(&set);
}

/* Pages per frame, across runs, revisits and a flush. */
static void frames_page_counts(struct kunit *test)
{
	struct kc_frame_set set;
	unsigned long frame, pages = 0;
	void *entry;
	int i;

	kc_frames_init(&set);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(5, i), PAGE_SIZE, false), 0);
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(6, 0), PAGE_SIZE, false), 0);
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(5, 9), PAGE_SIZE, false), 0);
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(8, 0), PMD_SIZE, false), 0);
	/* the last run is still pending, and already counted */
	KUNIT_EXPECT_EQ(test, kc_frames_pages(&set, 5), 4UL);
	KUNIT_EXPECT_EQ(test, kc_frames_pages(&set, 6), 1UL);
	KUNIT_EXPECT_EQ(test, kc_frames_pages(&set, 8), 512UL);
	KUNIT_EXPECT_EQ(test, kc_frames_pages(&set, 7), 0UL);
	KUNIT_EXPECT_EQ(test, set.count, 3ULL);
	KUNIT_ASSERT_EQ(test, kc_frames_flush(&set), 0);
	xa_for_each(&set.frames, frame, entry)
		pages += kc_frames_entry_pages(entry);
	KUNIT_EXPECT_EQ(test, pages, 517UL);
	KUNIT_EXPECT_EQ(test, kc_frames_pages(&set, 8), 512UL);
	kc_frames_destroy(&set);
}

/* Hot pages and the frames holding one, across runs and revisits. */
static void frames_hot(struct kunit *test)
{
	struct kc_frame_set set;

	kc_frames_init(&set);
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(5, 0), PAGE_SIZE, false), 0);
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(5, 1), PAGE_SIZE, true), 0);
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(6, 0), PAGE_SIZE, false), 0);
	/* frame 5 again: hot already, not a second hot frame */
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(5, 2), PAGE_SIZE, true), 0);
	KUNIT_ASSERT_EQ(test, kc_frames_add(&set, FRAME_PFN(8, 0), PMD_SIZE, true), 0);
	KUNIT_ASSERT_EQ(test, kc_frames_flush(&set), 0);
	KUNIT_EXPECT_EQ(test, set.count, 3ULL);
	KUNIT_EXPECT_EQ(test, set.hot_pages, 514ULL);
	KUNIT_EXPECT_EQ(test, set.hot_frames, 2ULL);
	KUNIT_EXPECT_EQ(test, kc_frames_pages(&set, 5), 3UL);
	KUNIT_EXPECT_EQ(test, kc_frames_hot(&set, 5), 2UL);
	KUNIT_EXPECT_EQ(test, kc_frames_hot(&set, 6), 0UL);
	KUNIT_EXPECT_EQ(test, kc_frames_hot(&set, 8), 512UL);
	KUNIT_EXPECT_EQ(test, kc_frames_pages(&set, 8), 512UL);
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
	KUNIT_CASE(frames_page_counts),
	KUNIT_CASE(frames_hot),
	KUNIT_CASE(frames_empty),
	{}
};

static struct kunit_suite kc_frames_suite = {
	.name = "kcollapse_frames",
	.test_cases = kc_frames_cases,
};

kunit_test_suite(kc_frames_suite);
