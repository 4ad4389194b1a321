// SPDX-License-Identifier: GPL-2.0
/* KUnit: pack mode's dense rule and block-filling arithmetic. */
#include <kunit/test.h>
#include "../pack.h"

struct pack_hist {
	u64 h[KC_PACK_BLOCK_PAGES + 1];
};

static struct pack_hist *hist_new(struct kunit *test)
{
	struct pack_hist *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

/* Scattered pages: move them all (513 keeps nothing). */
static void keep_none_when_sparse(struct kunit *test)
{
	struct pack_hist *p = hist_new(test);
	u64 kept = 99;

	p->h[8] = 120;		/* 960 pages over 120 frames */
	KUNIT_EXPECT_EQ(test, kc_pack_keep_min(p->h, &kept),
			KC_PACK_BLOCK_PAGES + 1);
	KUNIT_EXPECT_EQ(test, kept, 0ULL);
}

/* Full frames stay: moving them gains nothing. */
static void keep_full_frames(struct kunit *test)
{
	struct pack_hist *p = hist_new(test);
	u64 kept;

	p->h[KC_PACK_BLOCK_PAGES] = 5;
	KUNIT_EXPECT_EQ(test, kc_pack_keep_min(p->h, &kept), KC_PACK_BLOCK_PAGES);
	KUNIT_EXPECT_EQ(test, kept, 5ULL);
}

/* A packed process (full blocks and one partial): nothing moves again. */
static void repack_moves_nothing(struct kunit *test)
{
	struct pack_hist *p = hist_new(test);
	u64 kept;

	p->h[KC_PACK_BLOCK_PAGES] = 3;
	p->h[200] = 1;
	KUNIT_EXPECT_EQ(test, kc_pack_keep_min(p->h, &kept), 200U);
	KUNIT_EXPECT_EQ(test, kept, 4ULL);
}

/* Dense frames kept, the scattered pages beside them moved. */
static void keep_dense_move_rest(struct kunit *test)
{
	struct pack_hist *p = hist_new(test);
	u64 kept;

	p->h[KC_PACK_BLOCK_PAGES] = 2;
	p->h[500] = 1;
	p->h[10] = 50;		/* 500 pages: one block */
	KUNIT_EXPECT_EQ(test, kc_pack_keep_min(p->h, &kept), 500U);
	KUNIT_EXPECT_EQ(test, kept, 3ULL);
}

/* Half-full frames: two of them fit in one block, so they move. */
static void half_full_frames_move(struct kunit *test)
{
	struct pack_hist *p = hist_new(test);
	u64 kept;

	p->h[256] = 10;
	KUNIT_EXPECT_EQ(test, kc_pack_keep_min(p->h, &kept),
			KC_PACK_BLOCK_PAGES + 1);
	KUNIT_EXPECT_EQ(test, kept, 0ULL);
}

static void nothing_measured(struct kunit *test)
{
	struct pack_hist *p = hist_new(test);
	u64 kept = 99;

	kc_pack_keep_min(p->h, &kept);
	KUNIT_EXPECT_EQ(test, kept, 0ULL);
}

static void blocks_needed(struct kunit *test)
{
	const unsigned int none = KC_PACK_BLOCK_PAGES;

	KUNIT_EXPECT_EQ(test, kc_pack_blocks_needed(none, 0), 0U);
	KUNIT_EXPECT_EQ(test, kc_pack_blocks_needed(none, 1), 1U);
	KUNIT_EXPECT_EQ(test, kc_pack_blocks_needed(none, KC_PACK_BATCH), 1U);
	KUNIT_EXPECT_EQ(test, kc_pack_blocks_needed(none, 1024), 2U);
	KUNIT_EXPECT_EQ(test, kc_pack_blocks_needed(0, KC_PACK_BLOCK_PAGES), 0U);
	KUNIT_EXPECT_EQ(test, kc_pack_blocks_needed(0, KC_PACK_BLOCK_PAGES + 1), 1U);
	KUNIT_EXPECT_EQ(test, kc_pack_blocks_needed(500, 12), 0U);
	KUNIT_EXPECT_EQ(test, kc_pack_blocks_needed(500, 13), 1U);
	/* a batch never needs more than the current block and one more */
	KUNIT_EXPECT_LE(test, kc_pack_blocks_needed(KC_PACK_BLOCK_PAGES - 1,
						    KC_PACK_BATCH), 1U);
}

static struct kunit_case kc_pack_cases[] = {
	KUNIT_CASE(keep_none_when_sparse),
	KUNIT_CASE(keep_full_frames),
	KUNIT_CASE(repack_moves_nothing),
	KUNIT_CASE(keep_dense_move_rest),
	KUNIT_CASE(half_full_frames_move),
	KUNIT_CASE(nothing_measured),
	KUNIT_CASE(blocks_needed),
	{}
};

static struct kunit_suite kc_pack_suite = {
	.name = "kcollapse_pack",
	.test_cases = kc_pack_cases,
};

kunit_test_suite(kc_pack_suite);
