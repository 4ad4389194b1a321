// SPDX-License-Identifier: MIT
/*
 * kc-abuse: a live run of malformed HTTP against a running kcollapsed.
 *
 *   kc-abuse HOST:PORT TOKEN TARGET_PID REQUESTS PARALLEL SLOW SEED
 *
 * REQUESTS malformed requests, PARALLEL connections at a time, while SLOW
 * slow clients trickle a request one byte at a time and a prober asks
 * GET /health every 20 ms on a fresh connection. The requests are broken
 * on purpose (that is the point: no HTTP library would send them), so they
 * are written by hand here; only the status line of a reply is read.
 *
 * Every request that carries the right token has a body that must not
 * validate, and every well-formed body aimed at TARGET_PID carries a
 * wrong token: a 2xx reply to POST /collapse means work started where it
 * must not, and fails the run. So does any /health probe that is not
 * answered 204 within 2 s. Prints one summary line per category and a
 * final "abuse: ..." line; exits 0 only if nothing failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum cat {
	CAT_METHOD,	/* wrong methods, odd method tokens */
	CAT_LINE,	/* garbage request lines, random bytes */
	CAT_HEADERS,	/* header floods, huge values, no colon, NULs */
	CAT_LENGTH,	/* Content-Length lies and nonsense */
	CAT_CHUNKED,	/* broken chunked encoding */
	CAT_BODY,	/* right token, bodies that must not validate */
	CAT_TOKEN,	/* valid body, wrong tokens */
	CAT_URL,	/* odd paths, versions, HTTP/2 preface */
	CAT_PIPELINE,	/* many requests in one write */
	CAT_EARLY_CLOSE, /* half a request, then close */
	CAT_COUNT
};

static const char *const cat_name[CAT_COUNT] = {
	"method", "request-line", "headers", "content-length", "chunked",
	"body", "token", "url", "pipeline", "early-close",
};

struct stats {
	atomic_ulong sent[CAT_COUNT];
	atomic_ulong replied[CAT_COUNT];	/* a status line came back */
	atomic_ulong closed[CAT_COUNT];		/* closed without a reply */
	atomic_ulong work[CAT_COUNT];		/* 2xx on /collapse: a failure */
	atomic_ulong status[600];
	atomic_ulong health_ok, health_bad, slow_rounds;
};

static struct {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	const char *token;
	long target;
	unsigned long requests, seed;
	int only;	/* KC_ABUSE_ONLY=CATEGORY, for debugging: else -1 */
	atomic_ulong next;
	atomic_bool done;
	struct stats st;
} g;

/* xorshift64*: a reproducible stream per request. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static int dial(int timeout_ms)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000,
			      .tv_usec = (timeout_ms % 1000) * 1000 };
	int fd = socket(g.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&g.addr, g.addrlen)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Best effort: the server may close early, which is its right. */
static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* The status code of the first reply on fd, 0 if none came. */
static int read_status(int fd)
{
	char buf[64];
	size_t len = 0;
	int code;

	while (len < sizeof(buf) - 1) {
		ssize_t r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);

		if (r <= 0)
			break;
		len += (size_t)r;
		if (memchr(buf, '\n', len))
			break;
	}
	buf[len] = '\0';
	if (sscanf(buf, "HTTP/1.%*d %d", &code) != 1 || code < 100 || code > 599)
		return 0;
	return code;
}

struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* A string literal, embedded NULs and all. */
#define PUTS(b, lit) put(b, lit, sizeof(lit) - 1)

static void putf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void putf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	put(b, tmp, n < (int)sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void put_random(struct buf *b, uint64_t *s, size_t n)
{
	while (n--) {
		char c = (char)rnd(s);

		put(b, &c, 1);
	}
}

static void put_repeat(struct buf *b, char c, size_t n)
{
	while (n--)
		put(b, &c, 1);
}

/* A POST /collapse head with TOKEN (NULL: no header) and a body. */
static void post(struct buf *b, const char *token, const char *body)
{
	PUTS(b, "POST /collapse HTTP/1.1\r\nHost: x\r\n");
	if (token)
		putf(b, "X-Access-Token: %s\r\n", token);
	putf(b, "Content-Length: %zu\r\n\r\n", strlen(body));
	put(b, body, strlen(body));
}

/* Bodies that must never validate, whatever the token. */
static const char *const bad_bodies[] = {
	"", "{", "}", "[]", "null", "42", "\"pid\"", "{\"pid\":}",
	"{\"pid\": \"1\"}", "{\"pid\": -1}", "{\"pid\": 0}", "{\"pid\": 1.5}",
	"{\"pid\": 99999999999999999999999}", "{\"pid\": 4194305}",
	"{\"pid\": true}", "{\"pid\": null}", "{\"pid\": [1]}",
	"{\"pid\": 2147483648}", "{\"pid\": 1e3}",
	"{\"pid\": 4194305, \"deadlineMs\": -5}",
	"{\"pid\": 4194305, \"minFill\": 513}",
	"{\"pid\": 4194305, \"rangeStart\": \"x\"}",
	"{\"pid\": 4194305, \"bogus\": 1}",
	"{\"pid\": 4194305, \"dryRun\": \"yes\"}",
	"{\"pid\": 4194305}{\"pid\": 4194305}",
	"{\"pid\": 4194305, \"pid\": 4194306}",
	"{\"pid\": 4194305} trailing",
	"\xff\xfe{\"pid\": 4194305}",
};

/* Tokens that are wrong in every way but being absent. */
static void wrong_token(char *out, size_t n, uint64_t *s)
{
	size_t len = strlen(g.token);

	switch (rnd(s) % 6) {
	case 0:
		snprintf(out, n, "%.*s", (int)(len ? len - 1 : 0), g.token);
		break;
	case 1:
		snprintf(out, n, "%sx", g.token);
		break;
	case 2:
		/* (not " TOKEN": HTTP strips leading blanks, that one is right) */
		snprintf(out, n, "Bearer %s", g.token);
		break;
	case 3:
		snprintf(out, n, "%s", "");
		break;
	case 4:
		snprintf(out, n, "%.*sX", (int)(len ? len - 1 : 0), g.token);
		break;
	default:
		snprintf(out, n, "%016llx", (unsigned long long)rnd(s));
		break;
	}
}

/* Request i of category c, into b. Returns whether to half-close. */
static bool build(struct buf *b, enum cat c, uint64_t *s)
{
	static const char *const methods[] = {
		"GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "P0ST",
		"post", "CONNECT", "HEAD",
	};
	char tok[256], body[128];
	unsigned int k, n;

	switch (c) {
	case CAT_METHOD:
		k = (unsigned int)(rnd(s) % (sizeof(methods) / sizeof(*methods) + 1));
		if (k < sizeof(methods) / sizeof(*methods))
			putf(b, "%s /collapse HTTP/1.1\r\nHost: x\r\n", methods[k]);
		else
			put_repeat(b, 'P', 5000);
		putf(b, "X-Access-Token: %s\r\n\r\n", g.token);
		return true;
	case CAT_LINE:
		put_random(b, s, 1 + rnd(s) % 2000);
		if (rnd(s) & 1)
			PUTS(b, "\r\n\r\n");
		return true;
	case CAT_HEADERS:
		PUTS(b, "POST /collapse HTTP/1.1\r\nHost: x\r\n");
		switch (rnd(s) % 5) {
		case 0:
			for (n = 0; n < 400; n++)
				putf(b, "X-H%u: %u\r\n", n, n);
			break;
		case 1:
			PUTS(b, "X-Big: ");
			put_repeat(b, 'a', 40000);
			PUTS(b, "\r\n");
			break;
		case 2:
			PUTS(b, "no colon here\r\n");
			break;
		case 3:
			PUTS(b, "X-Access-Token: a\0b\r\n");
			break;
		default:
			PUTS(b, "X-Access-Token: x\r\n  folded\r\n");
			break;
		}
		PUTS(b, "Content-Length: 2\r\n\r\n{}");
		return true;
	case CAT_LENGTH: {
		static const char *const lens[] = {
			"-1", "abc", "18446744073709551616", "100", "1",
			"4097", "99999999999", " 5", "0x10",
		};
		k = (unsigned int)(rnd(s) % (sizeof(lens) / sizeof(*lens)));
		/* Either the target with a wrong token, or the right token
		 * with a pid no process has. */
		if (rnd(s) & 1) {
			wrong_token(tok, sizeof(tok), s);
			snprintf(body, sizeof(body), "{\"pid\": %ld}", g.target);
		} else {
			snprintf(tok, sizeof(tok), "%s", g.token);
			snprintf(body, sizeof(body), "{\"pid\": 4194305}");
		}
		PUTS(b, "POST /collapse HTTP/1.1\r\nHost: x\r\n");
		putf(b, "X-Access-Token: %s\r\n", tok);
		putf(b, "Content-Length: %s\r\n", lens[k]);
		if (rnd(s) & 1)
			putf(b, "Content-Length: %u\r\n", (unsigned int)(rnd(s) % 64));
		PUTS(b, "\r\n");
		put(b, body, strlen(body));
		return true;
	}
	case CAT_CHUNKED:
		PUTS(b, "POST /collapse HTTP/1.1\r\nHost: x\r\n");
		putf(b, "X-Access-Token: %s\r\n", g.token);
		PUTS(b, "Transfer-Encoding: chunked\r\n\r\n");
		switch (rnd(s) % 4) {
		case 0:
			PUTS(b, "ffffffffffffffff\r\nab\r\n");
			break;
		case 1:
			PUTS(b, "zz\r\n{}\r\n0\r\n\r\n");
			break;
		case 2:
			PUTS(b, "2\r\n{}");	/* no terminator */
			break;
		default:
			for (n = 0; n < 3000; n++)
				PUTS(b, "1\r\n \r\n");	/* 3000 bytes of space */
			PUTS(b, "0\r\n\r\n");
			break;
		}
		return true;
	case CAT_BODY:
		k = (unsigned int)(rnd(s) % (sizeof(bad_bodies) / sizeof(*bad_bodies) + 2));
		if (k < sizeof(bad_bodies) / sizeof(*bad_bodies)) {
			post(b, g.token, bad_bodies[k]);
		} else if (k == sizeof(bad_bodies) / sizeof(*bad_bodies)) {
			struct buf d = { 0 };

			put_repeat(&d, '[', 3000);
			post(b, g.token, d.p);
			free(d.p);
		} else {
			struct buf d = { 0 };

			put_random(&d, s, 1 + rnd(s) % 3000);
			d.p[0] = '#';	/* random bytes: never valid JSON */
			post(b, g.token, d.p);
			free(d.p);
		}
		return true;
	case CAT_TOKEN:
		snprintf(body, sizeof(body), "{\"pid\": %ld}", g.target);
		if (rnd(s) % 4 == 0) {
			/* the right value under the wrong header name */
			PUTS(b, "POST /collapse HTTP/1.1\r\nHost: x\r\n");
			putf(b, "X-Access-Tokens: %s\r\n", g.token);
			putf(b, "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
		} else if (rnd(s) % 3 == 0) {
			post(b, NULL, body);
		} else {
			wrong_token(tok, sizeof(tok), s);
			post(b, tok, body);
		}
		return true;
	case CAT_URL: {
		static const char *const urls[] = {
			"/collapse?pid=1", "//collapse", "/collapse/../health",
			"/collapse%00", "/COLLAPSE", "*", "/collapse#x",
			"http://x/collapse", "/%zz",
		};
		k = (unsigned int)(rnd(s) % (sizeof(urls) / sizeof(*urls) + 3));
		if (k < sizeof(urls) / sizeof(*urls)) {
			putf(b, "POST %s HTTP/1.1\r\nHost: x\r\n", urls[k]);
		} else if (k == sizeof(urls) / sizeof(*urls)) {
			PUTS(b, "POST /");
			put_repeat(b, 'c', 9000);
			PUTS(b, " HTTP/1.1\r\nHost: x\r\n");
		} else if (k == sizeof(urls) / sizeof(*urls) + 1) {
			PUTS(b, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
			return true;
		} else {
			PUTS(b, "POST /collapse HTTP/9.9\r\nHost: x\r\n");
		}
		wrong_token(tok, sizeof(tok), s);
		putf(b, "X-Access-Token: %s\r\nContent-Length: 0\r\n\r\n", tok);
		return true;
	}
	case CAT_PIPELINE:
		n = 2 + (unsigned int)(rnd(s) % 30);
		while (n--) {
			wrong_token(tok, sizeof(tok), s);
			snprintf(body, sizeof(body), "{\"pid\": %ld}", g.target);
			post(b, tok, body);
			PUTS(b, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
		}
		return true;
	case CAT_EARLY_CLOSE:
	default:
		snprintf(body, sizeof(body), "{\"pid\": %ld}", g.target);
		post(b, g.token, body);
		b->len = rnd(s) % b->len;	/* never the whole request */
		return false;
	}
}

static void *worker(void *arg)
{
	struct buf b = { 0 };

	(void)arg;
	for (;;) {
		unsigned long i = atomic_fetch_add(&g.next, 1);
		uint64_t s = (g.seed ^ (i * 0x9e3779b97f4a7c15ULL)) | 1;
		enum cat c = (enum cat)(g.only >= 0 ? g.only : (int)(i % CAT_COUNT));
		bool half_close;
		int fd, code;

		if (i >= g.requests)
			break;
		b.len = 0;
		half_close = build(&b, c, &s);
		atomic_fetch_add(&g.st.sent[c], 1);
		fd = dial(3000);
		if (fd < 0) {
			atomic_fetch_add(&g.st.closed[c], 1);
			continue;
		}
		send_all(fd, b.p, b.len);
		if (!half_close) {
			close(fd);
			atomic_fetch_add(&g.st.closed[c], 1);
			continue;
		}
		shutdown(fd, SHUT_WR);
		code = read_status(fd);
		close(fd);
		if (!code) {
			atomic_fetch_add(&g.st.closed[c], 1);
			continue;
		}
		atomic_fetch_add(&g.st.replied[c], 1);
		atomic_fetch_add(&g.st.status[code], 1);
		/* Only POST /collapse answers 200 (health is 204, metrics is
		 * never asked for): a 200 is an operation that ran. Pipelines
		 * carry GET /health too, but only the first reply is read. */
		if (code == 200)
			atomic_fetch_add(&g.st.work[c], 1);
	}
	free(b.p);
	return NULL;
}

/* Slow clients: a request head one byte every 100 ms, reconnecting. */
static void *slow(void *arg)
{
	static const char head[] = "POST /collapse HTTP/1.1\r\nHost: x\r\n"
				   "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	struct timespec ts = { .tv_nsec = 100 * 1000 * 1000 };

	(void)arg;
	while (!atomic_load(&g.done)) {
		int fd = dial(1000);
		size_t i;

		if (fd < 0) {
			nanosleep(&ts, NULL);
			continue;
		}
		for (i = 0; i < sizeof(head) - 1 && !atomic_load(&g.done); i++) {
			if (send(fd, head + i, 1, MSG_NOSIGNAL) != 1)
				break;
			nanosleep(&ts, NULL);
		}
		close(fd);
		atomic_fetch_add(&g.st.slow_rounds, 1);
	}
	return NULL;
}

static void probe_health(void)
{
	static const char req[] = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
	int fd = dial(2000), code = 0;

	if (fd >= 0) {
		send_all(fd, req, sizeof(req) - 1);
		shutdown(fd, SHUT_WR);
		code = read_status(fd);
		close(fd);
	}
	if (code == 204)
		atomic_fetch_add(&g.st.health_ok, 1);
	else
		atomic_fetch_add(&g.st.health_bad, 1);
}

/* HOST:PORT, PORT pointing at the last colon; "[::1]:N" works too. */
static int resolve(const char *hostport, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	char host[256];
	size_t n = (size_t)(port - hostport);
	int err;

	if (n >= sizeof(host))
		return -1;
	memcpy(host, hostport, n);
	host[n] = '\0';
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	err = getaddrinfo(host, port + 1, &hints, &ai);
	if (err)
		return -1;
	memcpy(&g.addr, ai->ai_addr, ai->ai_addrlen);
	g.addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

int main(int argc, char **argv)
{
	struct timespec tick = { .tv_nsec = 20 * 1000 * 1000 };
	unsigned long parallel, nslow, work = 0, i;
	pthread_t *th;
	int c, rc = 0;
	char *port;

	if (argc != 8) {
		fprintf(stderr, "usage: %s HOST:PORT TOKEN TARGET_PID REQUESTS "
			"PARALLEL SLOW SEED\n", argv[0]);
		return 2;
	}
	port = strrchr(argv[1], ':');
	if (!port || resolve(argv[1], port)) {
		fprintf(stderr, "kc-abuse: cannot resolve %s\n", argv[1]);
		return 2;
	}
	g.token = argv[2];
	g.target = strtol(argv[3], NULL, 10);
	g.requests = strtoul(argv[4], NULL, 10);
	parallel = strtoul(argv[5], NULL, 10);
	nslow = strtoul(argv[6], NULL, 10);
	g.seed = strtoul(argv[7], NULL, 10);
	g.only = -1;
	for (c = 0; c < CAT_COUNT && getenv("KC_ABUSE_ONLY"); c++)
		if (!strcmp(getenv("KC_ABUSE_ONLY"), cat_name[c]))
			g.only = c;
	if (!parallel || parallel > 256 || nslow > 256) {
		fprintf(stderr, "kc-abuse: PARALLEL 1..256, SLOW 0..256\n");
		return 2;
	}
	th = calloc(parallel + nslow, sizeof(*th));
	if (!th)
		return 1;
	for (i = 0; i < nslow; i++)
		pthread_create(&th[parallel + i], NULL, slow, NULL);
	for (i = 0; i < parallel; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	while (atomic_load(&g.next) < g.requests) {
		probe_health();
		nanosleep(&tick, NULL);
	}
	for (i = 0; i < parallel; i++)
		pthread_join(th[i], NULL);
	probe_health();
	atomic_store(&g.done, true);
	for (i = 0; i < nslow; i++)
		pthread_join(th[parallel + i], NULL);
	free(th);

	for (c = 0; c < CAT_COUNT; c++) {
		printf("abuse: %-14s sent=%lu replied=%lu closed=%lu work-started=%lu\n",
		       cat_name[c], atomic_load(&g.st.sent[c]),
		       atomic_load(&g.st.replied[c]), atomic_load(&g.st.closed[c]),
		       atomic_load(&g.st.work[c]));
		work += atomic_load(&g.st.work[c]);
	}
	printf("abuse: statuses:");
	for (c = 0; c < 600; c++)
		if (atomic_load(&g.st.status[c]))
			printf(" %d=%lu", c, atomic_load(&g.st.status[c]));
	printf("\nabuse: requests=%lu work-started=%lu health-ok=%lu "
	       "health-failed=%lu slow-rounds=%lu\n", g.requests, work,
	       atomic_load(&g.st.health_ok), atomic_load(&g.st.health_bad),
	       atomic_load(&g.st.slow_rounds));
	if (work || atomic_load(&g.st.health_bad) || !atomic_load(&g.st.health_ok))
		rc = 1;
	return rc;
}
