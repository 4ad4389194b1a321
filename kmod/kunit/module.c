// SPDX-License-Identifier: GPL-2.0
/*
 * kcollapse_kunit.ko: the module's KUnit suites, in a module of their own
 * so that kcollapse.ko carries no test code. Built only on kernels with
 * KUnit (Kbuild); there kcollapse.ko exports what the suites test with
 * EXPORT_SYMBOL_IF_KUNIT(), and the suites run when this module loads
 * (after kcollapse.ko, which modprobe or insmod order ensures).
 */
#include <linux/module.h>

/*
 * MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING), spelled so that kernels
 * whose namespaces are identifiers and kernels whose namespaces are
 * strings (6.13 on) read it alike.
 */
MODULE_INFO(import_ns, "EXPORTED_FOR_KUNIT_TESTING");
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The kcollapse authors");
MODULE_DESCRIPTION("KUnit suites of the kcollapse module");
