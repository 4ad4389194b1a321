// SPDX-License-Identifier: GPL-2.0
/* KUnit: the IBT verdict on synthetic instruction bytes. */
#include <kunit/test.h>
#include "../compat.h"

#define ENDBR64		0xfa1e0ff3U	/* f3 0f 1e fa */
#define ENDBR32		0xfb1e0ff3U	/* f3 0f 1e fb */
#define POISON_OSP	0x001f0f66U	/* 66 0f 1f 00: 6.1..6.12 seal */
#define POISON_NOPL	0xd6401f0fU	/* 0f 1f 40 d6: 6.13+ seal */
#define PUSH_RBP_MOV	0xe5894855U	/* 55 48 89 e5 */
#define INT3_PAD	0xccccccccU

static void ibt_not_enforced_allows_anything(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kc_ibt_verdict(POISON_OSP, false), KC_IBT_NOT_ENFORCED);
	KUNIT_EXPECT_EQ(test, kc_ibt_verdict(PUSH_RBP_MOV, false), KC_IBT_NOT_ENFORCED);
	KUNIT_EXPECT_EQ(test, kc_ibt_verdict(ENDBR64, false), KC_IBT_NOT_ENFORCED);
}

static void ibt_enforced_endbr64_ok(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kc_ibt_verdict(ENDBR64, true), KC_IBT_ENDBR);
}

static void ibt_enforced_sealed_refused(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kc_ibt_verdict(POISON_OSP, true), KC_IBT_NO_ENDBR);
	KUNIT_EXPECT_EQ(test, kc_ibt_verdict(POISON_NOPL, true), KC_IBT_NO_ENDBR);
}

static void ibt_enforced_plain_code_refused(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kc_ibt_verdict(PUSH_RBP_MOV, true), KC_IBT_NO_ENDBR);
	KUNIT_EXPECT_EQ(test, kc_ibt_verdict(ENDBR32, true), KC_IBT_NO_ENDBR);
	KUNIT_EXPECT_EQ(test, kc_ibt_verdict(0, true), KC_IBT_NO_ENDBR);
}

static void probe_skew_over_endbr_and_seals(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kc_probe_skew(ENDBR64, true), 4U);
	KUNIT_EXPECT_EQ(test, kc_probe_skew(POISON_OSP, true), 4U);
	KUNIT_EXPECT_EQ(test, kc_probe_skew(POISON_NOPL, true), 4U);
}

static void probe_skew_none(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kc_probe_skew(INT3_PAD, true), 0U);
	KUNIT_EXPECT_EQ(test, kc_probe_skew(PUSH_RBP_MOV, true), 0U);
	/* without IBT in the build, kprobes never skips anything */
	KUNIT_EXPECT_EQ(test, kc_probe_skew(ENDBR64, false), 0U);
}

static struct kunit_case kc_compat_cases[] = {
	KUNIT_CASE(ibt_not_enforced_allows_anything),
	KUNIT_CASE(ibt_enforced_endbr64_ok),
	KUNIT_CASE(ibt_enforced_sealed_refused),
	KUNIT_CASE(ibt_enforced_plain_code_refused),
	KUNIT_CASE(probe_skew_over_endbr_and_seals),
	KUNIT_CASE(probe_skew_none),
	{}
};

static struct kunit_suite kc_compat_suite = {
	.name = "kcollapse_ibt",
	.test_cases = kc_compat_cases,
};

kunit_test_suite(kc_compat_suite);
