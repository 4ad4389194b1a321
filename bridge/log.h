/* SPDX-License-Identifier: MIT */
/*
 * kcollapsed's log: one line per event on stderr (the journal under
 * systemd), "kcollapsed: " then logfmt key=value pairs, so that a line
 * per operation can be grepped and parsed.
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#ifndef KCD_LOG_H
#define KCD_LOG_H

/*
 * kcd_log() - format one line and write it with a single write(2), so
 * that lines from several threads never interleave. Values with spaces
 * must be quoted by the caller (kcd_log_quote()).
 */
void kcd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * kcd_log_quote() - @s as a logfmt value: "..." with \" and \\ escaped
 * and control characters dropped, truncated to fit @len.
 */
const char *kcd_log_quote(char *buf, size_t len, const char *s);

#endif /* KCD_LOG_H */
