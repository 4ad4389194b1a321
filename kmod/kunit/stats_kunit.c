// SPDX-License-Identifier: GPL-2.0
/* KUnit: errno accounting and the stop-reason rules. */
#include <kunit/test.h>
#include <uapi/linux/kcollapse.h>
#include "../stats.h"

static void errno_mapping(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kc_outcome_from_errno(0), KC_OUT_COLLAPSED);
	KUNIT_EXPECT_EQ(test, kc_outcome_from_errno(-ENOMEM), KC_OUT_NOMEM);
	KUNIT_EXPECT_EQ(test, kc_outcome_from_errno(-EBUSY), KC_OUT_BUSY);
	KUNIT_EXPECT_EQ(test, kc_outcome_from_errno(-EAGAIN), KC_OUT_AGAIN);
	KUNIT_EXPECT_EQ(test, kc_outcome_from_errno(-EINVAL), KC_OUT_INELIGIBLE);
}

static void errno_mapping_unknown(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, kc_outcome_from_errno(-EFAULT), KC_OUT_OTHER);
	KUNIT_EXPECT_EQ(test, kc_outcome_from_errno(-EINTR), KC_OUT_OTHER);
	KUNIT_EXPECT_EQ(test, kc_outcome_from_errno(1), KC_OUT_OTHER);
}

static void count_one_outcome_per_window(struct kunit *test)
{
	struct kc_stats st = {};
	u64 sum = 0;
	int i;

	for (i = 0; i < KC_OUT_MAX; i++)
		kc_stats_count(&st, i);
	kc_stats_count(&st, KC_OUT_COLLAPSED);
	for (i = 0; i < KC_OUT_MAX; i++)
		sum += st.outcome[i];
	KUNIT_EXPECT_EQ(test, st.chunks, (u64)KC_OUT_MAX + 1);
	KUNIT_EXPECT_EQ(test, sum, st.chunks);
	KUNIT_EXPECT_EQ(test, st.outcome[KC_OUT_COLLAPSED], 2ULL);
}

static u32 decide(int requested, bool killed, bool gone, s64 now, s64 deadline)
{
	struct kc_stop_inputs in = {
		.requested = requested, .caller_killed = killed,
		.target_gone = gone, .now = ns_to_ktime(now),
		.deadline = ns_to_ktime(deadline),
	};

	return kc_stop_decide(&in);
}

static void stop_nothing(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, decide(0, false, false, 100, 200),
			(u32)KCOLLAPSE_STOP_DONE);
}

static void stop_request_wins(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, decide(KCOLLAPSE_STOP_CANCELLED, true, true, 300, 200),
			(u32)KCOLLAPSE_STOP_CANCELLED);
	KUNIT_EXPECT_EQ(test, decide(KCOLLAPSE_STOP_UNLOADING, false, false, 0, 0),
			(u32)KCOLLAPSE_STOP_UNLOADING);
}

static void stop_killed_before_target(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, decide(0, true, true, 300, 200),
			(u32)KCOLLAPSE_STOP_CALLER_KILLED);
}

static void stop_target_before_deadline(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, decide(0, false, true, 300, 200),
			(u32)KCOLLAPSE_STOP_TARGET_EXITED);
}

static void stop_deadline(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, decide(0, false, false, 201, 200),
			(u32)KCOLLAPSE_STOP_DEADLINE);
	KUNIT_EXPECT_EQ(test, decide(0, false, false, 200, 200),
			(u32)KCOLLAPSE_STOP_DONE);
}

static void stop_next_step_would_overrun(struct kunit *test)
{
	struct kc_stop_inputs in = {
		.now = ns_to_ktime(150), .deadline = ns_to_ktime(200),
		.next_cost = ns_to_ktime(50),
	};

	KUNIT_EXPECT_EQ(test, kc_stop_decide(&in), (u32)KCOLLAPSE_STOP_DONE);
	in.next_cost = ns_to_ktime(51);
	KUNIT_EXPECT_EQ(test, kc_stop_decide(&in), (u32)KCOLLAPSE_STOP_DEADLINE);
	/* no deadline: any cost goes */
	in.deadline = 0;
	in.next_cost = ns_to_ktime(S64_MAX / 2);
	KUNIT_EXPECT_EQ(test, kc_stop_decide(&in), (u32)KCOLLAPSE_STOP_DONE);
}

static void stop_no_deadline(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, decide(0, false, false, S64_MAX, 0),
			(u32)KCOLLAPSE_STOP_DONE);
}

static struct kunit_case kc_stats_cases[] = {
	KUNIT_CASE(errno_mapping),
	KUNIT_CASE(errno_mapping_unknown),
	KUNIT_CASE(count_one_outcome_per_window),
	KUNIT_CASE(stop_nothing),
	KUNIT_CASE(stop_request_wins),
	KUNIT_CASE(stop_killed_before_target),
	KUNIT_CASE(stop_target_before_deadline),
	KUNIT_CASE(stop_deadline),
	KUNIT_CASE(stop_next_step_would_overrun),
	KUNIT_CASE(stop_no_deadline),
	{}
};

static struct kunit_suite kc_stats_suite = {
	.name = "kcollapse_stats",
	.test_cases = kc_stats_cases,
};

kunit_test_suite(kc_stats_suite);
