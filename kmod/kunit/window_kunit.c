// SPDX-License-Identifier: GPL-2.0
/* KUnit: window arithmetic, classification and VMA eligibility. */
#include <kunit/test.h>
#include <linux/mm.h>
#include "../window.h"

#define MIB(x) ((unsigned long)(x) << 20)

static void first_window_aligned_start(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kc_first_window(MIB(4), MIB(8)), MIB(4));
}

static void first_window_rounds_up(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kc_first_window(MIB(3), MIB(8)), MIB(4));
	KUNIT_EXPECT_EQ(test, kc_first_window(MIB(4) + 4096, MIB(8)), MIB(6));
}

static void first_window_exact_fit(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kc_first_window(MIB(2), MIB(4)), MIB(2));
}

static void first_window_none_in_small_span(struct kunit *test)
{
	/* 5 MiB VMA starting 1 MiB past a boundary: windows at 2 and 4 MiB */
	KUNIT_EXPECT_EQ(test, kc_first_window(MIB(1), MIB(6)), MIB(2));
	KUNIT_EXPECT_EQ(test, kc_first_window(MIB(5), MIB(6)), 0UL);
	KUNIT_EXPECT_EQ(test, kc_first_window(MIB(2) + 4096, MIB(4)), 0UL);
}

static void first_window_never_wraps(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kc_first_window(ULONG_MAX - 4095, ULONG_MAX), 0UL);
	KUNIT_EXPECT_EQ(test, kc_first_window(MIB(8), MIB(4)), 0UL);
}

static void span_end_stops_at_pmd(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kc_span_end(MIB(3), MIB(100)), MIB(4));
	KUNIT_EXPECT_EQ(test, kc_span_end(MIB(4), MIB(100)), MIB(6));
}

static void span_end_clamped(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kc_span_end(MIB(3), MIB(3) + 8192), MIB(3) + 8192);
}

static void span_end_top_of_address_space(struct kunit *test)
{
	unsigned long top = ULONG_MAX & KC_WINDOW_MASK;

	KUNIT_EXPECT_EQ(test, kc_span_end(top + 4096, ULONG_MAX), ULONG_MAX);
}

static void windows_in_counts_whole_windows(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kc_windows_in(MIB(2), MIB(8)), 3UL);
	KUNIT_EXPECT_EQ(test, kc_windows_in(MIB(1), MIB(8)), 3UL);
	KUNIT_EXPECT_EQ(test, kc_windows_in(MIB(1), MIB(7)), 2UL);
	KUNIT_EXPECT_EQ(test, kc_windows_in(MIB(3), MIB(5)), 0UL);
	KUNIT_EXPECT_EQ(test, kc_windows_in(MIB(4), MIB(4)), 0UL);
	/* 64 TiB of address space in one go */
	KUNIT_EXPECT_EQ(test, kc_windows_in(MIB(2), MIB(2) + (64UL << 40)),
			32UL << 20);
}

static void opted_out_only_changes_candidates(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kc_opted_out_outcome(KC_WIN_CANDIDATE, true),
			KC_OUT_OPTED_OUT);
	KUNIT_EXPECT_EQ(test, kc_opted_out_outcome(KC_WIN_CANDIDATE, false),
			KC_OUT_DRY_RUN);
	KUNIT_EXPECT_EQ(test, kc_opted_out_outcome(KC_WIN_EMPTY, true),
			KC_OUT_EMPTY);
	KUNIT_EXPECT_EQ(test, kc_opted_out_outcome(KC_WIN_HUGE, true),
			KC_OUT_ALREADY_HUGE);
	KUNIT_EXPECT_EQ(test, kc_opted_out_outcome(KC_WIN_SPARSE, true),
			KC_OUT_SPARSE);
}

static enum kc_window_class classify(unsigned int present, bool pmd,
				     bool unstable, unsigned int min_fill)
{
	struct kc_window_scan s = {
		.present = present, .pmd_mapped = pmd, .unstable = unstable,
	};

	return kc_classify(&s, min_fill);
}

static void classify_empty(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, classify(0, false, false, 1), KC_WIN_EMPTY);
}

static void classify_huge_first(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, classify(512, true, false, 1), KC_WIN_HUGE);
	KUNIT_EXPECT_EQ(test, classify(512, true, false, 512), KC_WIN_HUGE);
}

static void classify_sparse(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, classify(63, false, false, 64), KC_WIN_SPARSE);
	KUNIT_EXPECT_EQ(test, classify(1, false, false, 512), KC_WIN_SPARSE);
}

static void classify_candidate_at_min_fill(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, classify(64, false, false, 64), KC_WIN_CANDIDATE);
	KUNIT_EXPECT_EQ(test, classify(1, false, false, 1), KC_WIN_CANDIDATE);
	KUNIT_EXPECT_EQ(test, classify(512, false, false, 512), KC_WIN_CANDIDATE);
}

static void classify_unstable(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, classify(0, false, true, 1), KC_WIN_UNSTABLE);
}

#define RW (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE)

static void eligible_private_anon_rw(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, kc_vma_flags_eligible(RW, true));
	KUNIT_EXPECT_TRUE(test, kc_vma_flags_eligible(RW | VM_HUGEPAGE, true));
	KUNIT_EXPECT_TRUE(test, kc_vma_flags_eligible(RW | VM_EXEC, true));
	/* an opt-out of THP keeps collapse away, not pack: still covered */
	KUNIT_EXPECT_TRUE(test, kc_vma_flags_eligible(RW | VM_NOHUGEPAGE, true));
}

static void ineligible_not_writable(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, kc_vma_flags_eligible(VM_READ, true));
	KUNIT_EXPECT_FALSE(test, kc_vma_flags_eligible(VM_WRITE, true));
	KUNIT_EXPECT_FALSE(test, kc_vma_flags_eligible(0, true));
}

static void ineligible_file_backed(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, kc_vma_flags_eligible(RW, false));
}

static void ineligible_flags(struct kunit *test)
{
	static const unsigned long bad[] = {
		VM_SHARED, VM_MAYSHARE, VM_GROWSDOWN, VM_IO,
		VM_PFNMAP, VM_MIXEDMAP, VM_HUGETLB, VM_DONTEXPAND,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_FALSE_MSG(test, kc_vma_flags_eligible(RW | bad[i], true),
				       "flag %#lx", bad[i]);
}

static struct kunit_case kc_window_cases[] = {
	KUNIT_CASE(first_window_aligned_start),
	KUNIT_CASE(first_window_rounds_up),
	KUNIT_CASE(first_window_exact_fit),
	KUNIT_CASE(first_window_none_in_small_span),
	KUNIT_CASE(first_window_never_wraps),
	KUNIT_CASE(span_end_stops_at_pmd),
	KUNIT_CASE(span_end_clamped),
	KUNIT_CASE(span_end_top_of_address_space),
	KUNIT_CASE(windows_in_counts_whole_windows),
	KUNIT_CASE(opted_out_only_changes_candidates),
	KUNIT_CASE(classify_empty),
	KUNIT_CASE(classify_huge_first),
	KUNIT_CASE(classify_sparse),
	KUNIT_CASE(classify_candidate_at_min_fill),
	KUNIT_CASE(classify_unstable),
	KUNIT_CASE(eligible_private_anon_rw),
	KUNIT_CASE(ineligible_not_writable),
	KUNIT_CASE(ineligible_file_backed),
	KUNIT_CASE(ineligible_flags),
	{}
};

static struct kunit_suite kc_window_suite = {
	.name = "kcollapse_window",
	.test_cases = kc_window_cases,
};

kunit_test_suite(kc_window_suite);
