/* SPDX-License-Identifier: MIT */
/*
 * kcollapsed's log: one line per event on stderr (the journal under
 * systemd), "kcollapsed: " then logfmt key=value pairs, so that a line
 * per operation can be grepped and parsed. When stderr is the journal
 * (JOURNAL_STREAM names it, see systemd.exec(5)), each line starts with
 * its syslog priority, "<3>" to "<7>", which journald strips and keeps
 * as the record's PRIORITY: `journalctl -p warning` then finds refusals
 * and failures without a grep.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KCD_LOG_H
#define KCD_LOG_H

#include <stddef.h>
#include <syslog.h>

/*
 * kcd_log_init() - decide once, before any thread exists, whether stderr
 * is the journal (JOURNAL_STREAM's "DEV:INODE" is stderr's).
 */
void kcd_log_init(void);

/*
 * kcd_log() - format one line and write it with a single write(2), so
 * that lines from several threads never interleave. @prio: LOG_ERR,
 * LOG_WARNING, LOG_NOTICE, LOG_INFO or LOG_DEBUG. Values with spaces
 * must be quoted by the caller (kcd_log_quote()).
 */
void kcd_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * kcd_log_quote() - @s as a logfmt value: "..." with \" and \\ escaped
 * and control characters dropped, truncated to fit @len.
 */
const char *kcd_log_quote(char *buf, size_t len, const char *s);

#endif /* KCD_LOG_H */
