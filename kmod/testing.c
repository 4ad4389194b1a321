// SPDX-License-Identifier: GPL-2.0
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/mutex.h>
#include "compat.h"
#include "testing.h"

struct kc_testing kc_testing;

static struct dentry *kc_testing_dir;
/* Serializes re-vetting the entry point. */
static DEFINE_MUTEX(kc_testing_ibt_lock);

static ssize_t kc_assume_ibt_write(struct file *file, const char __user *buf,
				   size_t count, loff_t *ppos)
{
	bool val;
	int err;

	err = kstrtobool_from_user(buf, count, &val);
	if (err)
		return err;
	mutex_lock(&kc_testing_ibt_lock);
	WRITE_ONCE(kc_testing.assume_ibt, val);
	kc_engine_init(val);
	mutex_unlock(&kc_testing_ibt_lock);
	return count;
}

static ssize_t kc_assume_ibt_read(struct file *file, char __user *buf,
				  size_t count, loff_t *ppos)
{
	char s[3] = { READ_ONCE(kc_testing.assume_ibt) ? 'Y' : 'N', '\n' };

	return simple_read_from_buffer(buf, count, ppos, s, 2);
}

static const struct file_operations kc_assume_ibt_fops = {
	.owner = THIS_MODULE,
	.read = kc_assume_ibt_read,
	.write = kc_assume_ibt_write,
	.llseek = default_llseek,
};

void kc_testing_init(void)
{
	kc_testing_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_u32("window_delay_us", 0600, kc_testing_dir,
			   &kc_testing.window_delay_us);
	debugfs_create_bool("pack_alloc_fail", 0600, kc_testing_dir,
			    &kc_testing.pack_alloc_fail);
	debugfs_create_bool("pack_alloc_locked_fail", 0600, kc_testing_dir,
			    &kc_testing.pack_alloc_locked_fail);
	debugfs_create_file("assume_ibt", 0600, kc_testing_dir, NULL,
			    &kc_assume_ibt_fops);
}

void kc_testing_exit(void)
{
	debugfs_remove(kc_testing_dir);
}
