// SPDX-License-Identifier: GPL-2.0
/*
 * kc_genl_probe.ko, a test module: loading it registers a generic netlink
 * family ("kc_probe") and unloading it removes it. Both take genetlink's
 * callback lock for writing, as any module with a family does when it
 * comes or goes; the guest tests time them while a kcollapse operation
 * runs, which must not hold that lock.
 */
#include <linux/module.h>
#include <net/genetlink.h>

static int kc_probe_echo(struct sk_buff *skb, struct genl_info *info)
{
	return 0;
}

static const struct genl_small_ops kc_probe_ops[] = {
	{ .cmd = 1, .doit = kc_probe_echo },
};

static struct genl_family kc_probe_family __ro_after_init = {
	.name = "kc_probe",
	.version = 1,
	.module = THIS_MODULE,
	.small_ops = kc_probe_ops,
	.n_small_ops = ARRAY_SIZE(kc_probe_ops),
};

static int __init kc_probe_init(void)
{
	return genl_register_family(&kc_probe_family);
}

static void __exit kc_probe_exit(void)
{
	genl_unregister_family(&kc_probe_family);
}

module_init(kc_probe_init);
module_exit(kc_probe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kcollapse test aid: a generic netlink family to register");
