// SPDX-License-Identifier: GPL-2.0
/* KUnit: good and bad COLLAPSE/CANCEL requests through the real policies. */
#include <kunit/test.h>
#include <linux/skbuff.h>
#include <net/genetlink.h>
#include "../request.h"

struct kc_req_test {
	struct sk_buff *skb;
	struct netlink_ext_ack extack;
	struct kc_request req;
};

static int kc_req_test_init(struct kunit *test)
{
	struct kc_req_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->skb = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->skb);
	test->priv = t;
	return 0;
}

static void kc_req_test_exit(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	kfree_skb(t->skb);
}

/* Validate the attributes in t->skb like genetlink does, then parse. */
static int parse_collapse(struct kc_req_test *t)
{
	struct nlattr *tb[KC_COLLAPSE_MAXATTR + 1];
	struct genl_info info = { .attrs = tb, .extack = &t->extack };
	int err;

	err = nla_parse(tb, KC_COLLAPSE_MAXATTR, (struct nlattr *)t->skb->data,
			t->skb->len, kc_collapse_policy, &t->extack);
	return err ?: kc_request_parse(&info, &t->req);
}

static void full_request(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 42) ?:
			nla_put_u64_64bit(t->skb, KCOLLAPSE_A_RANGE_START, 1 << 21, 0) ?:
			nla_put_u64_64bit(t->skb, KCOLLAPSE_A_RANGE_LEN, 1 << 22, 0) ?:
			nla_put_u32(t->skb, KCOLLAPSE_A_DEADLINE_MS, 500) ?:
			nla_put_u32(t->skb, KCOLLAPSE_A_MIN_FILL, 64) ?:
			nla_put_flag(t->skb, KCOLLAPSE_A_MARK_HUGEPAGE) ?:
			nla_put_flag(t->skb, KCOLLAPSE_A_DRY_RUN), 0);
	KUNIT_ASSERT_EQ(test, parse_collapse(t), 0);
	KUNIT_EXPECT_EQ(test, t->req.pid, 42U);
	KUNIT_EXPECT_EQ(test, t->req.start, 1UL << 21);
	KUNIT_EXPECT_EQ(test, t->req.end, (1UL << 21) + (1UL << 22));
	KUNIT_EXPECT_EQ(test, t->req.deadline_ms, 500U);
	KUNIT_EXPECT_EQ(test, t->req.min_fill, 64U);
	KUNIT_EXPECT_TRUE(test, t->req.mark_hugepage);
	KUNIT_EXPECT_TRUE(test, t->req.dry_run);
}

static void defaults(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1), 0);
	KUNIT_ASSERT_EQ(test, parse_collapse(t), 0);
	KUNIT_EXPECT_EQ(test, t->req.start, 0UL);
	KUNIT_EXPECT_EQ(test, t->req.end, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, t->req.deadline_ms, 0U);
	KUNIT_EXPECT_EQ(test, t->req.min_fill, 1U);
	KUNIT_EXPECT_FALSE(test, t->req.mark_hugepage);
	KUNIT_EXPECT_FALSE(test, t->req.dry_run);
}

static void mode_defaults(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1), 0);
	KUNIT_ASSERT_EQ(test, parse_collapse(t), 0);
	KUNIT_EXPECT_EQ(test, t->req.mode, (u32)KCOLLAPSE_MODE_COLLAPSE);
	KUNIT_EXPECT_EQ(test, t->req.auto_threshold,
			(u32)KCOLLAPSE_AUTO_THRESHOLD_DEFAULT);
}

static void mode_pack_and_auto(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1) ?:
			nla_put_u32(t->skb, KCOLLAPSE_A_MODE, KCOLLAPSE_MODE_PACK), 0);
	KUNIT_ASSERT_EQ(test, parse_collapse(t), 0);
	KUNIT_EXPECT_EQ(test, t->req.mode, (u32)KCOLLAPSE_MODE_PACK);
	skb_trim(t->skb, 0);
	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1) ?:
			nla_put_u32(t->skb, KCOLLAPSE_A_MODE, KCOLLAPSE_MODE_AUTO) ?:
			nla_put_u32(t->skb, KCOLLAPSE_A_AUTO_THRESHOLD, 512), 0);
	KUNIT_ASSERT_EQ(test, parse_collapse(t), 0);
	KUNIT_EXPECT_EQ(test, t->req.mode, (u32)KCOLLAPSE_MODE_AUTO);
	KUNIT_EXPECT_EQ(test, t->req.auto_threshold, 512U);
}

static void mode_out_of_range(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1) ?:
			nla_put_u32(t->skb, KCOLLAPSE_A_MODE, KCOLLAPSE_MODE_MAX + 1), 0);
	KUNIT_EXPECT_LT(test, parse_collapse(t), 0);
	KUNIT_EXPECT_NOT_NULL(test, t->extack._msg);
}

static void threshold_needs_auto(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1) ?:
			nla_put_u32(t->skb, KCOLLAPSE_A_AUTO_THRESHOLD, 100), 0);
	KUNIT_EXPECT_EQ(test, parse_collapse(t), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, t->extack._msg);
	skb_trim(t->skb, 0);
	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1) ?:
			nla_put_u32(t->skb, KCOLLAPSE_A_MODE, KCOLLAPSE_MODE_AUTO) ?:
			nla_put_u32(t->skb, KCOLLAPSE_A_AUTO_THRESHOLD, 0), 0);
	KUNIT_EXPECT_EQ(test, parse_collapse(t), -ERANGE);
	skb_trim(t->skb, 0);
	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1) ?:
			nla_put_u32(t->skb, KCOLLAPSE_A_MODE, KCOLLAPSE_MODE_AUTO) ?:
			nla_put_u32(t->skb, KCOLLAPSE_A_AUTO_THRESHOLD, 513), 0);
	KUNIT_EXPECT_EQ(test, parse_collapse(t), -ERANGE);
}

static void missing_pid(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_MIN_FILL, 2), 0);
	KUNIT_EXPECT_EQ(test, parse_collapse(t), -EINVAL);
	KUNIT_EXPECT_EQ(test, t->extack.miss_type, (u32)KCOLLAPSE_A_PID);
}

static void pid_wrong_type(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u8(t->skb, KCOLLAPSE_A_PID, 1), 0);
	KUNIT_EXPECT_EQ(test, parse_collapse(t), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, t->extack._msg);
}

static void pid_zero(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 0), 0);
	KUNIT_EXPECT_EQ(test, parse_collapse(t), -ERANGE);
}

static void min_fill_out_of_range(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1) ?:
			nla_put_u32(t->skb, KCOLLAPSE_A_MIN_FILL, 513), 0);
	KUNIT_EXPECT_EQ(test, parse_collapse(t), -ERANGE);
	skb_trim(t->skb, 0);
	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1) ?:
			nla_put_u32(t->skb, KCOLLAPSE_A_MIN_FILL, 0), 0);
	KUNIT_EXPECT_EQ(test, parse_collapse(t), -ERANGE);
}

static void min_fill_bounds_accepted(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1) ?:
			nla_put_u32(t->skb, KCOLLAPSE_A_MIN_FILL, 512), 0);
	KUNIT_EXPECT_EQ(test, parse_collapse(t), 0);
	KUNIT_EXPECT_EQ(test, t->req.min_fill, 512U);
}

static void range_wraps(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1) ?:
			nla_put_u64_64bit(t->skb, KCOLLAPSE_A_RANGE_START, U64_MAX - 4095, 0) ?:
			nla_put_u64_64bit(t->skb, KCOLLAPSE_A_RANGE_LEN, 4096, 0), 0);
	KUNIT_EXPECT_EQ(test, parse_collapse(t), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, t->extack._msg);
}

static void range_start_unaligned(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1) ?:
			nla_put_u64_64bit(t->skb, KCOLLAPSE_A_RANGE_START, (1 << 21) + 1, 0), 0);
	KUNIT_EXPECT_EQ(test, parse_collapse(t), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, t->extack._msg);
}

static void range_len_rounded_up(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1) ?:
			nla_put_u64_64bit(t->skb, KCOLLAPSE_A_RANGE_START, 1 << 21, 0) ?:
			nla_put_u64_64bit(t->skb, KCOLLAPSE_A_RANGE_LEN, 1, 0), 0);
	KUNIT_ASSERT_EQ(test, parse_collapse(t), 0);
	KUNIT_EXPECT_EQ(test, t->req.end, (1UL << 21) + PAGE_SIZE);
}

static void range_len_zero(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1) ?:
			nla_put_u64_64bit(t->skb, KCOLLAPSE_A_RANGE_LEN, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, parse_collapse(t), -ERANGE);
}

static void unknown_attribute(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1) ?:
			nla_put_u32(t->skb, KCOLLAPSE_A_OPS_MAX, 1), 0);
	KUNIT_EXPECT_EQ(test, parse_collapse(t), -EINVAL);
}

static void flag_with_payload(struct kunit *test)
{
	struct kc_req_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 1) ?:
			nla_put_u32(t->skb, KCOLLAPSE_A_DRY_RUN, 1), 0);
	KUNIT_EXPECT_LT(test, parse_collapse(t), 0);
}

static void cancel_policy(struct kunit *test)
{
	struct kc_req_test *t = test->priv;
	struct nlattr *tb[KC_CANCEL_MAXATTR + 1];

	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_PID, 7), 0);
	KUNIT_EXPECT_EQ(test, nla_parse(tb, KC_CANCEL_MAXATTR,
					(struct nlattr *)t->skb->data, t->skb->len,
					kc_cancel_policy, &t->extack), 0);
	KUNIT_ASSERT_NOT_NULL(test, tb[KCOLLAPSE_A_PID]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[KCOLLAPSE_A_PID]), 7U);
	KUNIT_ASSERT_EQ(test, nla_put_u32(t->skb, KCOLLAPSE_A_MIN_FILL, 1), 0);
	KUNIT_EXPECT_EQ(test, nla_parse(tb, KC_CANCEL_MAXATTR,
					(struct nlattr *)t->skb->data, t->skb->len,
					kc_cancel_policy, &t->extack), -EINVAL);
}

static struct kunit_case kc_request_cases[] = {
	KUNIT_CASE(full_request),
	KUNIT_CASE(defaults),
	KUNIT_CASE(mode_defaults),
	KUNIT_CASE(mode_pack_and_auto),
	KUNIT_CASE(mode_out_of_range),
	KUNIT_CASE(threshold_needs_auto),
	KUNIT_CASE(missing_pid),
	KUNIT_CASE(pid_wrong_type),
	KUNIT_CASE(pid_zero),
	KUNIT_CASE(min_fill_out_of_range),
	KUNIT_CASE(min_fill_bounds_accepted),
	KUNIT_CASE(range_wraps),
	KUNIT_CASE(range_start_unaligned),
	KUNIT_CASE(range_len_rounded_up),
	KUNIT_CASE(range_len_zero),
	KUNIT_CASE(unknown_attribute),
	KUNIT_CASE(flag_with_payload),
	KUNIT_CASE(cancel_policy),
	{}
};

static struct kunit_suite kc_request_suite = {
	.name = "kcollapse_request",
	.init = kc_req_test_init,
	.exit = kc_req_test_exit,
	.test_cases = kc_request_cases,
};

kunit_test_suite(kc_request_suite);
