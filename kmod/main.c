// SPDX-License-Identifier: GPL-2.0
/*
 * kcollapse: consolidate a target process's anonymous memory into 2 MiB
 * transparent hugepages, from outside that process.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include "compat.h"
#include "job.h"
#include "netlink.h"
#include "ops.h"
#include "testing.h"

static int __init kc_init(void)
{
	int err;

	kc_engine_init(false);
	kc_access_init();
	kc_unevictable_init();
	err = kc_jobs_init();
	if (err)
		return err;
	err = kc_netlink_init();
	if (err) {
		kc_jobs_exit();
		return err;
	}
	kc_testing_init();
	pr_info("version %s loaded; collapse engine %s: %s\n",
		KCOLLAPSE_VERSION, KC_ENGINE_SYMBOL, kc_engine_status());
	return 0;
}

static void __exit kc_exit(void)
{
	/*
	 * Running operations stop at their next step; their jobs reply and
	 * end before the family goes.
	 */
	kc_ops_shutdown();
	kc_jobs_exit();
	kc_netlink_exit();
	kc_testing_exit();
}

module_init(kc_init);
module_exit(kc_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The kcollapse authors");
MODULE_DESCRIPTION("Consolidate a process's anonymous memory into transparent hugepages");
MODULE_VERSION(KCOLLAPSE_VERSION);
MODULE_ALIAS_GENL_FAMILY("kcollapse");
