// SPDX-License-Identifier: MIT
/*
 * kcd-unit: unit tests of kcollapsed's parts that need no HTTP: the body
 * parser, listen addresses, the token check and its reloading, default
 * targets, metrics and error bodies. TAP, then "N passed, N failed".
 *
 * Copyright (C) 2026 The kcollapse authors.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "kc_test.h"
#include "listen.h"
#include "log.h"
#include "metrics.h"
#include "reply.h"
#include "request.h"
#include "targets.h"
#include "token.h"

/* Parse @body; expect success, or failure naming @field. */
static bool parse(const char *body, struct kcd_request *req,
		  struct kcd_error *err)
{
	return kcd_request_parse(body, strlen(body), req, err) == 0;
}

static bool rejects(const char *body, const char *field)
{
	struct kcd_request req;
	struct kcd_error err;

	if (parse(body, &req, &err)) {
		printf("#   accepted: %s\n", body);
		return false;
	}
	if (strcmp(err.field, field)) {
		printf("#   %s: field \"%s\", want \"%s\" (%s)\n", body,
		       err.field, field, err.msg);
		return false;
	}
	return err.msg[0] != '\0';
}

static void test_request_defaults(void)
{
	struct kcd_request req;
	struct kcd_error err;

	CHECK(parse("", &req, &err) && req.pid == 0 && req.deadline_ms == 0 &&
	      !req.dry_run && !req.range_len);
	CHECK(parse(" \r\n\t", &req, &err) && req.pid == 0);
	CHECK(parse("{}", &req, &err) && req.pid == 0 && req.min_fill == 0);
	CHECK(parse(" { } \n", &req, &err));
}

static void test_request_fields(void)
{
	struct kcd_request req;
	struct kcd_error err;

	CHECK(parse("{\"pid\": 1234, \"deadlineMs\": 500, \"minFill\": 64, "
		    "\"markHugepage\": true, \"dryRun\": true, "
		    "\"rangeStart\": 35184372088832, \"rangeLen\": 2097152}",
		    &req, &err));
	CHECK(req.pid == 1234 && req.deadline_ms == 500 && req.min_fill == 64);
	CHECK(req.mark_hugepage && req.dry_run);
	CHECK(req.range_start == 0x200000000000ULL && req.range_len == 2 << 20);
	CHECK(parse("{\"pid\": 2147483647, \"minFill\": 512, \"deadlineMs\": "
		    "3600000, \"rangeStart\": 0}", &req, &err));
	CHECK(req.pid == 2147483647 && req.min_fill == 512);
	CHECK(parse("{}", &req, &err) && req.mode == KCD_MODE_COLLAPSE &&
	      req.auto_threshold == 0);
	CHECK(parse("{\"mode\": \"pack\"}", &req, &err) &&
	      req.mode == KCD_MODE_PACK);
	CHECK(parse("{\"mode\": \"collapse\"}", &req, &err) &&
	      req.mode == KCD_MODE_COLLAPSE);
	CHECK(parse("{\"autoThreshold\": 300, \"mode\": \"auto\"}", &req,
		    &err) && req.mode == KCD_MODE_AUTO &&
	      req.auto_threshold == 300);
	/* The last of duplicate keys wins, as json-c builds the object. */
	CHECK(parse("{\"pid\": 1, \"pid\": 2}", &req, &err) && req.pid == 2);
}

static void test_request_rejects(void)
{
	CHECK(rejects("{\"pid\": 0}", "pid"));
	CHECK(rejects("{\"pid\": -5}", "pid"));
	CHECK(rejects("{\"pid\": 2147483648}", "pid"));
	CHECK(rejects("{\"pid\": 99999999999999999999999}", "pid"));
	CHECK(rejects("{\"pid\": \"12\"}", "pid"));
	CHECK(rejects("{\"pid\": 1.0}", "pid"));
	CHECK(rejects("{\"pid\": 1e3}", "pid"));
	CHECK(rejects("{\"pid\": null}", "pid"));
	CHECK(rejects("{\"pid\": true}", "pid"));
	CHECK(rejects("{\"deadlineMs\": 0}", "deadlineMs"));
	CHECK(rejects("{\"deadlineMs\": 3600001}", "deadlineMs"));
	CHECK(rejects("{\"minFill\": 0}", "minFill"));
	CHECK(rejects("{\"minFill\": 513}", "minFill"));
	CHECK(rejects("{\"markHugepage\": 1}", "markHugepage"));
	CHECK(rejects("{\"dryRun\": \"yes\"}", "dryRun"));
	CHECK(rejects("{\"rangeStart\": -1}", "rangeStart"));
	CHECK(rejects("{\"rangeStart\": 4097}", "rangeStart"));
	CHECK(rejects("{\"rangeLen\": 0}", "rangeLen"));
	CHECK(rejects("{\"Pid\": 1}", "Pid"));
	CHECK(rejects("{\"mode\": \"Pack\"}", "mode"));
	CHECK(rejects("{\"mode\": 1}", "mode"));
	CHECK(rejects("{\"mode\": \"pack\\u0000x\"}", "mode"));
	CHECK(rejects("{\"mode\": \"pack\", \"autoThreshold\": 100}",
		      "autoThreshold"));
	CHECK(rejects("{\"mode\": \"auto\", \"autoThreshold\": 0}",
		      "autoThreshold"));
	CHECK(rejects("{\"mode\": \"auto\", \"autoThreshold\": 513}",
		      "autoThreshold"));
	CHECK(rejects("{\"deadline\": 5}", "deadline"));
}

/* What a body leaves out comes from --mode, --min-fill, --auto-threshold. */
static void test_request_daemon_defaults(void)
{
	struct kcd_request req;
	struct kcd_error err;

	/* Body-less under "--mode auto --min-fill 8 --auto-threshold 300". */
	CHECK(kcd_request_parse("", 0, &req, &err) == 0 &&
	      kcd_request_defaults(&req, KCD_MODE_AUTO, 8, 300, false, &err) == 0 &&
	      req.mode == KCD_MODE_AUTO && req.min_fill == 8 &&
	      req.auto_threshold == 300 && req.pid == 0);
	/* The body wins field by field. */
	CHECK(parse("{\"mode\": \"collapse\", \"minFill\": 2}", &req, &err) &&
	      kcd_request_defaults(&req, KCD_MODE_PACK, 8, 300, false, &err) == 0 &&
	      req.mode == KCD_MODE_COLLAPSE && req.min_fill == 2 &&
	      req.auto_threshold == 0);
	/* autoThreshold without "mode": fine if the default mode is auto... */
	CHECK(parse("{\"autoThreshold\": 100}", &req, &err) &&
	      kcd_request_defaults(&req, KCD_MODE_AUTO, 0, 300, false, &err) == 0 &&
	      req.auto_threshold == 100);
	/* ...a 400 naming it otherwise. */
	CHECK(parse("{\"autoThreshold\": 100}", &req, &err) &&
	      kcd_request_defaults(&req, KCD_MODE_COLLAPSE, 0, 0, false, &err) < 0 &&
	      !strcmp(err.field, "autoThreshold"));
	/* --hot-first: body-less under --mode pack or auto, it is set... */
	CHECK(kcd_request_parse("", 0, &req, &err) == 0 &&
	      kcd_request_defaults(&req, KCD_MODE_PACK, 0, 0, true, &err) == 0 &&
	      req.hot_first);
	CHECK(kcd_request_parse("", 0, &req, &err) == 0 &&
	      kcd_request_defaults(&req, KCD_MODE_AUTO, 0, 0, true, &err) == 0 &&
	      req.hot_first);
	/* ...not without it, nor for a body asking for collapse mode. */
	CHECK(kcd_request_parse("", 0, &req, &err) == 0 &&
	      kcd_request_defaults(&req, KCD_MODE_PACK, 0, 0, false, &err) == 0 &&
	      !req.hot_first);
	CHECK(parse("{\"mode\": \"collapse\"}", &req, &err) &&
	      kcd_request_defaults(&req, KCD_MODE_PACK, 0, 0, true, &err) == 0 &&
	      req.mode == KCD_MODE_COLLAPSE && !req.hot_first);
	/* A body has no such field: it is the daemon's choice. */
	CHECK(rejects("{\"hotFirst\": true}", "hotFirst"));
}

static void test_request_malformed(void)
{
	static const char *const bad[] = {
		/* (json-c 0.16 accepts a single-quoted key even when strict.) */
		"{", "}", "{\"pid\": 1", "{\"pid\": 1,}", "{pid: 1}",
		"{\"pid\": '1'}", "[]", "null", "1", "\"pid\"", "{} {}",
		"{\"pid\": 1} x", "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":"
		"{\"g\":{\"h\":{\"i\":{}}}}}}}}}}",
	};
	struct kcd_request req;
	struct kcd_error err;
	char big[KCD_BODY_MAX + 16];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(rejects(bad[i], ""));
	/* Over 4 KiB, even if valid JSON: the HTTP side says 413 first. */
	memset(big, ' ', sizeof(big));
	memcpy(big, "{}", 2);
	CHECK(kcd_request_parse(big, sizeof(big), &req, &err) < 0);
	/* Not NUL-terminated: only @len bytes are looked at. */
	CHECK(kcd_request_parse("{\"pid\": 7}garbage", 10, &req, &err) == 0 &&
	      req.pid == 7);
	CHECK(kcd_request_parse("{\"pid\"\0: 7}", 11, &req, &err) < 0);
}

static void test_listen_addresses(void)
{
	struct kcd_addr a;
	char buf[80];

	CHECK(kcd_addr_parse("127.0.0.1:49999", &a) == 0);
	CHECK(kcd_addr_is_loopback(&a));
	kcd_addr_format(&a, buf, sizeof(buf));
	CHECK(!strcmp(buf, "127.0.0.1:49999"));
	CHECK(kcd_addr_parse("127.3.4.5:0", &a) == 0 && kcd_addr_is_loopback(&a));
	CHECK(kcd_addr_parse("[::1]:80", &a) == 0 && kcd_addr_is_loopback(&a));
	kcd_addr_format(&a, buf, sizeof(buf));
	CHECK(!strcmp(buf, "[::1]:80"));
	CHECK(kcd_addr_parse("[::ffff:127.0.0.1]:80", &a) == 0 &&
	      kcd_addr_is_loopback(&a));
	CHECK(kcd_addr_parse("0.0.0.0:49983", &a) == 0 &&
	      !kcd_addr_is_loopback(&a));
	CHECK(kcd_addr_parse("10.1.2.3:1", &a) == 0 && !kcd_addr_is_loopback(&a));
	CHECK(kcd_addr_parse("[::]:49983", &a) == 0 && !kcd_addr_is_loopback(&a));
	CHECK(kcd_addr_parse("[fe80::1]:65535", &a) == 0);
	CHECK(kcd_addr_parse("127.0.0.1", &a) < 0);
	CHECK(kcd_addr_parse("127.0.0.1:", &a) < 0);
	CHECK(kcd_addr_parse("127.0.0.1:65536", &a) < 0);
	CHECK(kcd_addr_parse("127.0.0.1:-1", &a) < 0);
	CHECK(kcd_addr_parse("127.0.0.1:80x", &a) < 0);
	CHECK(kcd_addr_parse("localhost:80", &a) < 0);
	CHECK(kcd_addr_parse("::1:80", &a) < 0);
	CHECK(kcd_addr_parse("[::1]80", &a) < 0);
	CHECK(kcd_addr_parse("[::1:80", &a) < 0);
	CHECK(kcd_addr_parse("[127.0.0.1]:80", &a) < 0);
	CHECK(kcd_addr_parse(":80", &a) < 0);
	CHECK(kcd_addr_parse("unix:/run/kcollapse.sock", &a) == 0 &&
	      a.ss.ss_family == AF_UNIX && !kcd_addr_is_loopback(&a));
	kcd_addr_format(&a, buf, sizeof(buf));
	CHECK(!strcmp(buf, "unix:/run/kcollapse.sock"));
	CHECK(kcd_addr_parse("unix:relative.sock", &a) < 0);
	CHECK(kcd_addr_parse("unix:", &a) < 0);
}

static void test_ct_equal(void)
{
	CHECK(kcd_ct_equal("abc", 3, "abc", 3));
	CHECK(!kcd_ct_equal("abc", 3, "abd", 3));
	CHECK(!kcd_ct_equal("abc", 3, "ab", 2));
	CHECK(!kcd_ct_equal("abc", 3, "abcd", 4));
	CHECK(!kcd_ct_equal("abc", 3, "", 0));
	CHECK(!kcd_ct_equal("a\0c", 3, "a", 1));
}

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	fputs(s, f);
	fclose(f);
	chmod(path, 0600);
}

static void test_token_file(void)
{
	char dir[] = "/tmp/kcd-unit.XXXXXX", path[64], other[80];
	struct kcd_token t;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/token", dir);
	snprintf(other, sizeof(other), "%s/token.new", dir);

	CHECK(kcd_token_init(&t, path) < 0 && strstr(t.error, "cannot read"));
	kcd_token_destroy(&t);
	write_file(path, " \n");
	CHECK(kcd_token_init(&t, path) < 0 && strstr(t.error, "empty"));
	kcd_token_destroy(&t);

	write_file(path, "first-token\n");
	CHECK(kcd_token_init(&t, path) == 0);
	CHECK(kcd_token_check(&t, "first-token") == KCD_AUTH_OK);
	CHECK(kcd_token_check(&t, "first-token\n") == KCD_AUTH_WRONG);
	CHECK(kcd_token_check(&t, "first") == KCD_AUTH_WRONG);
	CHECK(kcd_token_check(&t, NULL) == KCD_AUTH_MISSING);
	CHECK(kcd_token_check(&t, "") == KCD_AUTH_MISSING);

	/* Rewritten in place: a different size or mtime is noticed. */
	write_file(path, "second-token-longer");
	CHECK(kcd_token_check(&t, "first-token") == KCD_AUTH_WRONG);
	CHECK(kcd_token_check(&t, "second-token-longer") == KCD_AUTH_OK);

	/* Rotated by rename(). */
	write_file(other, "third");
	CHECK(rename(other, path) == 0);
	CHECK(kcd_token_check(&t, "second-token-longer") == KCD_AUTH_WRONG);
	CHECK(kcd_token_check(&t, "third") == KCD_AUTH_OK);

	/* Gone or emptied: nobody gets in, not even with the old token. */
	CHECK(unlink(path) == 0);
	CHECK(kcd_token_check(&t, "third") == KCD_AUTH_UNAVAILABLE);
	write_file(path, "");
	CHECK(kcd_token_check(&t, "third") == KCD_AUTH_UNAVAILABLE);
	write_file(path, "fourth\n");
	CHECK(kcd_token_check(&t, "fourth") == KCD_AUTH_OK);
	kcd_token_destroy(&t);

	/* No token file: no check. */
	CHECK(kcd_token_init(&t, NULL) == 0);
	CHECK(kcd_token_check(&t, NULL) == KCD_AUTH_OK);
	kcd_token_destroy(&t);
	unlink(path);
	rmdir(dir);
}

static void test_targets(void)
{
	char dir[] = "/tmp/kcd-unit.XXXXXX", pf[64], bad[64], why[256];
	struct kcd_target_spec specs[5];
	struct kcd_pids pids;
	int sync[2];
	pid_t child;
	char c;

	CHECK(mkdtemp(dir) != NULL && pipe(sync) == 0);
	child = fork();
	if (child == 0) {
		prctl(PR_SET_NAME, "kcd-unit-tgt");
		if (write(sync[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	CHECK(read(sync[0], &c, 1) == 1);
	snprintf(pf, sizeof(pf), "%s/pid", dir);
	snprintf(bad, sizeof(bad), "%s/bad", dir);
	write_file(pf, "4242\n");
	write_file(bad, "12ab\n");

	specs[0] = (struct kcd_target_spec){ KCD_TARGET_PID, 77, NULL };
	specs[1] = (struct kcd_target_spec){ KCD_TARGET_PIDFILE, 0, pf };
	specs[2] = (struct kcd_target_spec){ KCD_TARGET_COMM, 0, "kcd-unit-tgt" };
	specs[3] = (struct kcd_target_spec){ KCD_TARGET_PID, 77, NULL };
	specs[4] = (struct kcd_target_spec){ KCD_TARGET_PIDFILE, 0, bad };
	CHECK(kcd_targets_resolve(specs, 5, &pids, why, sizeof(why)) == 0);
	CHECK(pids.n == 3);
	CHECK(pids.n == 3 && pids.v[0] == 77 && pids.v[1] == 4242 &&
	      pids.v[2] == child);
	CHECK(strstr(why, "no pid in") != NULL);
	kcd_pids_free(&pids);

	specs[0] = (struct kcd_target_spec){ KCD_TARGET_COMM, 0, "no-such-name" };
	specs[1] = (struct kcd_target_spec){ KCD_TARGET_PIDFILE, 0, "/nonexistent" };
	CHECK(kcd_targets_resolve(specs, 2, &pids, why, sizeof(why)) == 0);
	CHECK(pids.n == 0);
	CHECK(strstr(why, "no process named no-such-name") &&
	      strstr(why, "cannot read pid file /nonexistent"));
	kcd_pids_free(&pids);

	CHECK(kcd_comm_valid("envd") && kcd_comm_valid("123456789012345"));

	/* --target SPEC. */
	CHECK(kcd_target_parse("42", &specs[0], why, sizeof(why)) == 0 &&
	      specs[0].kind == KCD_TARGET_PID && specs[0].pid == 42);
	CHECK(kcd_target_parse("pidfile:/run/envd.pid", &specs[0], why,
			       sizeof(why)) == 0 &&
	      specs[0].kind == KCD_TARGET_PIDFILE &&
	      !strcmp(specs[0].arg, "/run/envd.pid"));
	CHECK(kcd_target_parse("comm:envd", &specs[0], why, sizeof(why)) == 0 &&
	      specs[0].kind == KCD_TARGET_COMM);
	CHECK(kcd_target_parse("unit:envd.service", &specs[0], why,
			       sizeof(why)) == 0 &&
	      specs[0].kind == KCD_TARGET_UNIT);
	CHECK(kcd_target_parse("comm:1234567890123456", &specs[0], why,
			       sizeof(why)) < 0);
	CHECK(kcd_target_parse("unit:-x", &specs[0], why, sizeof(why)) < 0);
	CHECK(kcd_target_parse("unit:a b", &specs[0], why, sizeof(why)) < 0);
	CHECK(kcd_target_parse("0", &specs[0], why, sizeof(why)) < 0);
	CHECK(kcd_target_parse("envd", &specs[0], why, sizeof(why)) < 0 &&
	      strstr(why, "unit:NAME"));
	CHECK(kcd_target_parse("pidfile:", &specs[0], why, sizeof(why)) < 0);

	/* --target-cgroup: a directory whose cgroup.procs lists pids. */
	/* Itself and kernel threads (kthreadd is 2) are never targets. */
	snprintf(pf, sizeof(pf), "%s/cgroup.procs", dir);
	snprintf(why, sizeof(why), "%d\n%d\n2\n%d\n%d\n", (int)child,
		 (int)getpid(), (int)getppid(), (int)child);
	write_file(pf, why);
	specs[0] = (struct kcd_target_spec){ KCD_TARGET_CGROUP, 0, dir };
	CHECK(kcd_targets_resolve(specs, 1, &pids, why, sizeof(why)) == 0 &&
	      pids.n == 2 && pids.v[0] == child && pids.v[1] == getppid());
	kcd_pids_free(&pids);
	write_file(pf, "");
	CHECK(kcd_targets_resolve(specs, 1, &pids, why, sizeof(why)) == 0 &&
	      pids.n == 0 && strstr(why, "no process in cgroup"));
	kcd_pids_free(&pids);
	specs[0].arg = "/nonexistent-cgroup";
	CHECK(kcd_targets_resolve(specs, 1, &pids, why, sizeof(why)) == 0 &&
	      pids.n == 0 && strstr(why, "cannot read "
				    "/nonexistent-cgroup/cgroup.procs"));
	kcd_pids_free(&pids);
	unlink(pf);
	snprintf(pf, sizeof(pf), "%s/pid", dir);
	CHECK(!kcd_comm_valid("") && !kcd_comm_valid("1234567890123456") &&
	      !kcd_comm_valid("a/b"));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	unlink(pf);
	unlink(bad);
	rmdir(dir);
}

static void test_metrics(void)
{
	struct kc_result r = { .collapsed = 3, .already_huge = 2,
			       .skipped_empty = 1, .skipped_opted_out = 4,
			       .frames_before = 70,
			       .stop_reason = KC_STOP_DEADLINE };
	struct kc_result done = { .frames_before = 70, .frames_after = 35,
				  .after_complete = true };
	struct kcd_metrics m;
	size_t len;
	char *s;

	kcd_metrics_init(&m);
	kcd_metrics_op(&m, &r, 0.2);
	/* Stopped early: no after-measurement to show. */
	s = kcd_metrics_render(&m, 1, &len);
	CHECK(s && strstr(s, "kcollapsed_last_frames_before 70\n"));
	CHECK(s && !strstr(s, "kcollapsed_last_frames_after"));
	CHECK(s && strstr(s, "kcollapsed_windows_total{outcome=\"skipped_opted_out\"} 4\n"));
	free(s);
	kcd_metrics_op(&m, &done, 30.0);
	kcd_metrics_op(&m, NULL, 0.0);
	kcd_metrics_http(&m, 200);
	kcd_metrics_http(&m, 401);
	kcd_metrics_http(&m, 401);
	kcd_metrics_disconnect(&m);
	s = kcd_metrics_render(&m, 1, &len);
	CHECK(s && len == strlen(s));
	CHECK(s && strstr(s, "kcollapsed_operations_total{result=\"deadline\"} 1\n"));
	CHECK(s && strstr(s, "kcollapsed_operations_total{result=\"error\"} 1\n"));
	CHECK(s && strstr(s, "kcollapsed_windows_total{outcome=\"collapsed\"} 3\n"));
	CHECK(s && strstr(s, "kcollapsed_operation_duration_seconds_bucket{le=\"0.1\"} 0\n"));
	CHECK(s && strstr(s, "kcollapsed_operation_duration_seconds_bucket{le=\"0.25\"} 1\n"));
	CHECK(s && strstr(s, "kcollapsed_operation_duration_seconds_count 2\n"));
	CHECK(s && strstr(s, "kcollapsed_last_frames_before 70\n"));
	CHECK(s && strstr(s, "kcollapsed_last_frames_after 35\n"));
	CHECK(s && strstr(s, "kcollapsed_operations_in_flight 1\n"));
	CHECK(s && strstr(s, "kcollapsed_http_responses_total{code=\"401\"} 2\n"));
	CHECK(s && strstr(s, "kcollapsed_client_disconnects_total 1\n"));
	CHECK(s && strstr(s, "# TYPE kcollapsed_operation_duration_seconds histogram\n"));
	free(s);
	kcd_metrics_destroy(&m);
}

static void test_error_body(void)
{
	struct json_object *o, *v;
	size_t len;
	char *s = kcd_reply_error(400, "pid must be \"1..2\"", "pid", &len);

	CHECK(s && len == strlen(s) && s[len - 1] == '\n');
	o = s ? json_tokener_parse(s) : NULL;
	/* envd's schema: "code" the HTTP status as an int, "message". */
	CHECK(o && json_object_object_get_ex(o, "code", &v) &&
	      json_object_is_type(v, json_type_int) &&
	      json_object_get_int(v) == 400);
	CHECK(o && json_object_object_get_ex(o, "message", &v) &&
	      !strcmp(json_object_get_string(v), "pid must be \"1..2\""));
	CHECK(o && json_object_object_get_ex(o, "field", &v) &&
	      !strcmp(json_object_get_string(v), "pid"));
	json_object_put(o);
	free(s);
	/* No field to blame: no "field" member at all. */
	s = kcd_reply_error(500, "x", NULL, &len);
	CHECK(s && !strcmp(s, "{\"code\":500,\"message\":\"x\"}\n"));
	free(s);
}

static void test_log_quote(void)
{
	char buf[16];

	CHECK(!strcmp(kcd_log_quote(buf, sizeof(buf), "a \"b\"\n\\"),
		      "\"a \\\"b\\\"\\\\\""));
	CHECK(strlen(kcd_log_quote(buf, sizeof(buf),
				   "0123456789012345678901")) < sizeof(buf));
	CHECK(!strcmp(kcd_log_quote(buf, sizeof(buf), NULL), "\"\""));
}

static const struct kc_test tests[] = {
	{ "request_defaults", test_request_defaults },
	{ "request_fields", test_request_fields },
	{ "request_rejects", test_request_rejects },
	{ "request_daemon_defaults", test_request_daemon_defaults },
	{ "request_malformed", test_request_malformed },
	{ "listen_addresses", test_listen_addresses },
	{ "ct_equal", test_ct_equal },
	{ "token_file", test_token_file },
	{ "targets", test_targets },
	{ "metrics", test_metrics },
	{ "error_body", test_error_body },
	{ "log_quote", test_log_quote },
};

int main(int argc, char *argv[])
{
	return kc_test_main(argc, argv, tests,
			    sizeof(tests) / sizeof(tests[0]));
}
