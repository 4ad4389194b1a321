/* SPDX-License-Identifier: GPL-2.0 */
/* The "kcollapse" generic netlink family: see include/uapi/linux/kcollapse.h. */
#ifndef _KCOLLAPSE_NETLINK_H
#define _KCOLLAPSE_NETLINK_H

int kc_netlink_init(void);
/* Waits for every running command to return. */
void kc_netlink_exit(void);

#endif /* _KCOLLAPSE_NETLINK_H */
