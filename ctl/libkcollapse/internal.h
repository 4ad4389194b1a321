/* SPDX-License-Identifier: MIT */
/*
 * libkcollapse internals shared between the library's source files.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KC_INTERNAL_H
#define KC_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <netlink/attr.h>

#include <kcollapse/kcollapse.h>

#define KC_HIDDEN __attribute__((visibility("hidden")))
#define KC_ERR_LEN 256

struct nl_sock;
struct nl_msg;

struct kc_handle {
	struct nl_sock *sk;
	int family;
	char err[KC_ERR_LEN];
};

/* Error reporting (error.c). @h NULL means the per-thread slot. */
KC_HIDDEN void kc_clear_error(struct kc_handle *h);
KC_HIDDEN void kc_set_error(struct kc_handle *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
KC_HIDDEN int kc_ret(int err);
KC_HIDDEN int kc_oom(struct kc_handle *h);
KC_HIDDEN int kc_nlerr_to_errno(int nlerr);

/*
 * Request/reply (request.c). kc_msg_new() starts a request for @cmd;
 * kc_transact() sends it (consuming @msg), receives the reply through
 * libnl callbacks and hands its attributes, validated against the
 * top-level policy, to @parse. Returns 0 or -errno; the kernel's
 * extended-ACK message, if any, ends up in h->err.
 */
typedef int (*kc_parse_fn)(struct nlattr **tb, void *arg);

KC_HIDDEN struct nl_msg *kc_msg_new(struct kc_handle *h, uint8_t cmd);
KC_HIDDEN int kc_transact(struct kc_handle *h, struct nl_msg *msg,
			  kc_parse_fn parse, void *arg);

/*
 * The general form, for any generic netlink family: the reply must carry
 * @cmd and is validated against @policy (@maxtype < KC_MAX_ATTRS) before
 * @parse sees it. kc_transact() is this with the kcollapse policy and the
 * request's own command.
 */
#define KC_MAX_ATTRS 64
struct kc_reply {
	uint8_t cmd;
	int maxtype;
	const struct nla_policy *policy;
	kc_parse_fn parse;
	void *arg;
};
KC_HIDDEN int kc_transact_reply(struct kc_handle *h, struct nl_msg *msg,
				const struct kc_reply *reply);

/*
 * Set up h->sk: allocate, connect to generic netlink, ask for extended
 * ACKs, no receive timeout. Errors go to the per-thread message; on error
 * h->sk is NULL.
 */
KC_HIDDEN int kc_connect(struct kc_handle *h);
KC_HIDDEN size_t kc_extack_msg(const struct nlmsghdr *nlh, char *buf,
			       size_t len);

/*
 * Reply parsing, split out so that it can be tested without the module.
 * kc_reply_parse() validates a reply against the top-level policy into
 * tb[KCOLLAPSE_A_MAX + 1]; the kc_*_parse() functions are kc_parse_fn.
 */
KC_HIDDEN int kc_reply_parse(struct nlmsghdr *nlh, struct nlattr **tb);
KC_HIDDEN int kc_collapse_parse(struct nlattr **tb, void *res);
KC_HIDDEN int kc_cancel_parse(struct nlattr **tb, void *cancelled);
KC_HIDDEN int kc_info_parse(struct nlattr **tb, void *info);

/* Build the COLLAPSE request for @req (already checked). 0 or -errno. */
KC_HIDDEN int kc_collapse_build(struct kc_handle *h,
				const struct kc_collapse_req *req,
				struct nl_msg **out);

/*
 * Reject a malformed request with -EINVAL and a message on @h (NULL: the
 * per-thread slot). Shared by both engines.
 */
KC_HIDDEN int kc_check_collapse_req(struct kc_handle *h,
				    const struct kc_collapse_req *req);

/* Copy a validated NLA_STRING into a fixed buffer, truncating. */
KC_HIDDEN void kc_copy_string(char *dst, size_t len, const struct nlattr *a);

#endif /* KC_INTERNAL_H */
