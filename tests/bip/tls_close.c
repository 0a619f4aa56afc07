// SPDX-License-Identifier: GPL-2.0-only
/*
 * An SCP81 admin server for one test: the server that ends its TLS session
 * with close_notify in the middle of the card's session, which openssl
 * s_server cannot do (its Q and q close the socket before SSL_shutdown).
 * TLS 1.2 with a pre-shared key (OpenSSL), one connection on
 * 127.0.0.1:PORT. It reads N HTTP requests (headers, then Content-Length
 * bytes); the first N - 1 get FILE (a whole HTTP response) each, the N-th
 * gets a close_notify alert (SSL_shutdown), then it waits for the peer's
 * close_notify or end of file, and closes. What happened goes to stdout,
 * one line a step. Nothing waits longer than 20 s.
 *
 * usage: tls-close PORT PSK-HEX IDENTITY N [FILE]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

static unsigned char psk[64];
static unsigned int psk_len;
static const char *identity;

static unsigned int psk_cb(SSL *ssl, const char *id, unsigned char *out,
			   unsigned int max)
{
	(void)ssl;
	if (!id || strcmp(id, identity) || psk_len > max) {
		printf("unknown identity %s\n", id ? id : "(none)");
		return 0;
	}
	memcpy(out, psk, psk_len);
	return psk_len;
}

/* One HTTP request: headers, then its Content-Length body. 0 or -1. */
static int read_request(SSL *ssl, char *first, size_t max)
{
	char buf[8192], *end, *cl;
	size_t len = 0, need;
	int n;

	for (;;) {
		buf[len] = 0;
		end = strstr(buf, "\r\n\r\n");
		if (end) {
			need = (size_t)(end + 4 - buf);
			for (cl = buf; cl < end; cl++)
				if (!strncasecmp(cl, "\r\nContent-Length:", 17))
					need += strtoul(cl + 17, NULL, 10);
			if (len >= need)
				break;
		}
		if (len == sizeof(buf) - 1)
			return -1;
		n = SSL_read(ssl, buf + len, (int)(sizeof(buf) - 1 - len));
		if (n <= 0)
			return -1;
		len += (size_t)n;
	}
	n = (int)strcspn(buf, "\r");
	snprintf(first, max, "%.*s", n, buf);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 20 };
	char resp[4096], line[256];
	size_t resp_len = 0;
	int ls, fd, one = 1, n, k, ret = 1;
	SSL_CTX *ctx;
	SSL *ssl;
	FILE *f;

	if (argc < 5 || argc > 6 || (n = atoi(argv[4])) < 1 ||
	    (n > 1 && argc != 6)) {
		fprintf(stderr, "usage: tls-close PORT PSK-HEX IDENTITY N [FILE]\n");
		return 2;
	}
	for (const char *h = argv[2]; h[0] && h[1] && psk_len < sizeof(psk); h += 2)
		psk[psk_len++] = (unsigned char)strtoul((char[3]){ h[0], h[1], 0 },
							NULL, 16);
	identity = argv[3];
	if (argc == 6) {
		f = fopen(argv[5], "rb");
		if (!f) {
			perror(argv[5]);
			return 2;
		}
		resp_len = fread(resp, 1, sizeof(resp), f);
		fclose(f);
	}
	sa.sin_port = htons((uint16_t)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(ls, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(ls, 1)) {
		perror("listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	fd = accept(ls, NULL, NULL);	/* SO_RCVTIMEO bounds this too */
	if (fd < 0) {
		perror("accept");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, "PSK-AES128-GCM-SHA256"))
		goto out;
	SSL_CTX_set_psk_server_callback(ctx, psk_cb);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) != 1) {
		printf("handshake failed\n");
		goto free;
	}
	for (k = 1; k <= n; k++) {
		if (read_request(ssl, line, sizeof(line))) {
			printf("no request %d\n", k);
			goto free;
		}
		printf("request %d: %s\n", k, line);
		fflush(stdout);
		if (k < n && SSL_write(ssl, resp, (int)resp_len) != (int)resp_len)
			goto free;
	}
	/* close_notify; a second call waits for the peer's (RFC 5246 §7.2.1) */
	if (SSL_shutdown(ssl) < 0)
		goto free;
	printf("close_notify sent\n");
	fflush(stdout);
	k = SSL_shutdown(ssl);
	printf(k == 1 ? "close_notify received\n" : "no close_notify back\n");
	ret = 0;
free:
	SSL_free(ssl);
out:
	ERR_print_errors_fp(stderr);
	SSL_CTX_free(ctx);
	close(fd);
	close(ls);
	return ret;
}
