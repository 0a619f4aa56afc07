// SPDX-License-Identifier: GPL-2.0-only
/*
 * The HTTPS admin server (https.h): one TLS-PSK session at a time on a
 * blocking socket, each of the card's POSTs answered by the next step of
 * the download flow.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ota-server/https.h"
#include "ota/rapdu.h"

#define ADMIN_PROTOCOL	"globalplatform-remote-admin/1.0"
#define CT_SCRIPT	"application/vnd.globalplatform.card-content-mgt;version=1.0"
#define STORE_BLOCK	200	/* STORE DATA bytes per command, as over SMS */
#define BLOCKS_PER_POST	16	/* one script stays under SCP81_HTTP_MAX */
#define IDLE_SECONDS	10

struct session {
	SSL *ssl;
	const struct ota_https_card *card;
	const struct ota_catapp *app;
	FILE *out;
	unsigned int step, next_block;
	bool created;
	char kcvs[32];
	uint8_t buf[SCP81_HTTP_MAX + 1024];
	size_t len;
};

/* the server's view of all cards, for the PSK callback */
static const struct ota_https_card *psk_cards;
static unsigned int psk_ncards;

static unsigned int psk_cb(SSL *ssl, const char *identity,
			   unsigned char *psk, unsigned int max)
{
	unsigned int i;

	for (i = 0; i < psk_ncards; i++) {
		if (strcmp(identity, psk_cards[i].identity) ||
		    psk_cards[i].psk_len > max)
			continue;
		SSL_set_app_data(ssl, (void *)&psk_cards[i]);
		memcpy(psk, psk_cards[i].psk, psk_cards[i].psk_len);
		return (unsigned int)psk_cards[i].psk_len;
	}
	return 0;	/* unknown identity: the handshake fails */
}

int ota_https_response_script(const uint8_t *b, size_t len,
			      unsigned int *count, uint16_t *sw,
			      const uint8_t **data, size_t *dlen)
{
	size_t o, end, l;

	*count = 0;
	*sw = 0;
	*data = NULL;
	*dlen = 0;
	if (len >= 4 && b[0] == 0xaf && b[1] == 0x80) {
		o = 2;
		end = len - 2;	/* 00 00 */
		if (b[end] || b[end + 1])
			return -1;
	} else if (len >= 2 && b[0] == 0xab) {
		o = 2;
		l = b[1];
		if (l == 0x81 && len >= 3)
			l = b[2], o = 3;
		else if (l == 0x82 && len >= 4)
			l = (size_t)b[2] << 8 | b[3], o = 4;
		if (o + l != len)
			return -1;
		end = len;
	} else {
		return -1;
	}
	while (o < end) {
		uint8_t tag = b[o++];

		if (o >= end)
			return -1;
		l = b[o++];
		if (l == 0x81 && o < end)
			l = b[o++];
		if (o + l > end)
			return -1;
		if (tag == 0x23) {
			if (l < 2)
				return -1;
			(*count)++;
			*sw = (uint16_t)(b[o + l - 2] << 8 | b[o + l - 1]);
			*data = b + o;
			*dlen = l - 2;
		}
		o += l;
	}
	return 0;
}

/* Read one whole request: 0, or -1 (closed, timeout, malformed). */
static int read_request(struct session *s, char *uri, size_t umax,
			const uint8_t **body, size_t *blen)
{
	const char *p = (const char *)s->buf, *end, *cl, *sp;
	size_t hl, want;
	int n;

	for (;;) {
		s->buf[s->len] = 0;
		end = memmem(p, s->len, "\r\n\r\n", 4);
		if (end) {
			hl = (size_t)(end - p) + 4;
			cl = strcasestr(p, "\r\nContent-Length:");
			want = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
			if (want > SCP81_HTTP_MAX)
				return -1;
			if (hl + want <= s->len)
				break;
		}
		if (s->len >= sizeof(s->buf) - 1)
			return -1;
		n = SSL_read(s->ssl, s->buf + s->len,
			     (int)(sizeof(s->buf) - 1 - s->len));
		if (n <= 0)
			return -1;
		s->len += (size_t)n;
	}
	if (strncmp(p, "POST ", 5))
		return -1;
	sp = memchr(p + 5, ' ', hl - 5);
	if (!sp || (size_t)(sp - p - 5) >= umax ||
	    !strcasestr(p, "\r\nX-Admin-Protocol: " ADMIN_PROTOCOL "\r\n"))
		return -1;
	memcpy(uri, p + 5, (size_t)(sp - p - 5));
	uri[sp - p - 5] = 0;
	*body = s->buf + hl;
	*blen = want;
	/* the request is used up; the caller answers before the next */
	s->len = 0;
	return 0;
}

static int reply(struct session *s, int status, const uint8_t *script,
		 size_t slen, const char *target)
{
	char msg[512 + SCP81_HTTP_MAX];
	int n, w;

	if (status == 204)
		n = snprintf(msg, sizeof(msg),
			     "HTTP/1.1 204 No Content\r\n"
			     "X-Admin-Protocol: " ADMIN_PROTOCOL "\r\n\r\n");
	else
		n = snprintf(msg, 512,
			     "HTTP/1.1 200 OK\r\n"
			     "X-Admin-Protocol: " ADMIN_PROTOCOL "\r\n"
			     "X-Admin-Next-URI: /vsim/step%u\r\n"
			     "%s%s%s"
			     "Content-Type: " CT_SCRIPT "\r\n"
			     "Content-Length: %zu\r\n\r\n",
			     s->step, target ? "X-Admin-Targeted-Application: " : "",
			     target ? target : "", target ? "\r\n" : "", slen);
	if (n < 0 || n >= 512 || slen > SCP81_HTTP_MAX)
		return -1;
	/* one write, one TLS record: a peer polling its socket sees it all */
	if (slen)
		memcpy(msg + n, script, slen);
	w = SSL_write(s->ssl, msg, n + (int)slen);
	OPENSSL_cleanse(msg, (size_t)n + slen);
	return w == n + (int)slen ? 0 : -1;
}

/* One command as an expanded script (AA). */
static int script1(const uint8_t *capdu, size_t n, uint8_t *out, size_t max)
{
	const uint8_t *c[1] = { capdu };

	return ota_rapdu_expanded(c, &n, 1, out, max);
}

/* The next STORE DATA blocks, targeted at the domain. */
static int send_data(struct session *s)
{
	const struct ota_catapp *a = s->app;
	size_t blocks = (a->data_len + STORE_BLOCK - 1) / STORE_BLOCK, b, k = 0;
	uint8_t cmds[BLOCKS_PER_POST][5 + STORE_BLOCK], script[SCP81_HTTP_MAX];
	const uint8_t *c[BLOCKS_PER_POST];
	size_t lens[BLOCKS_PER_POST];
	char target[64];
	int n, i;

	if (!blocks)
		blocks = 1;
	for (b = s->next_block; b < blocks && k < BLOCKS_PER_POST; b++, k++) {
		size_t off = b * STORE_BLOCK;
		size_t l = a->data_len - off < STORE_BLOCK ?
			   a->data_len - off : STORE_BLOCK;

		cmds[k][0] = 0x80;
		cmds[k][1] = 0xe2;
		cmds[k][2] = b + 1 == blocks ? 0x80 : 0x00;
		cmds[k][3] = (uint8_t)b;
		cmds[k][4] = (uint8_t)l;
		memcpy(cmds[k] + 5, a->data + off, l);
		c[k] = cmds[k];
		lens[k] = 5 + l;
	}
	s->next_block = (unsigned int)b;
	n = ota_rapdu_expanded(c, lens, k, script, sizeof(script));
	if (n < 0)
		return -1;
	i = snprintf(target, sizeof(target), "//aid/");
	for (b = 0; b < a->aid_len; b++)
		i += snprintf(target + i, sizeof(target) - (size_t)i, "%02X",
			      a->aid[b]);
	return reply(s, 200, script, (size_t)n, target);
}

/* The download flow, one POST at a time; false: the session is over. */
static bool step(struct session *s, const char *uri, const uint8_t *body,
		 size_t blen, const struct ota_catalogue *cat)
{
	const struct ota_catapp *a = s->app;
	uint8_t cmd[300], script[400];
	const uint8_t *d;
	unsigned int count;
	size_t dl, i;
	uint16_t sw = 0;
	const char *q;
	int n;

	if (s->step && ota_https_response_script(body, blen, &count, &sw, &d,
						 &dl)) {
		fprintf(s->out, "download %s: a response script that does not parse\n",
			a->name);
		reply(s, 204, NULL, 0, NULL);
		return false;
	}
	switch (s->step++) {
	case 0:		/* the first POST names the application: ?app=NAME */
		q = strstr(uri, "?app=");
		a = s->app = q ? ota_catalogue_find(cat, q + 5) : NULL;
		fprintf(s->out, "https request from ICCID %s (%s): %s\n",
			s->card->iccid, s->card->identity, q ? q + 5 : "(none)");
		if (!a) {
			fprintf(s->out, "download: not in the catalogue\n");
			reply(s, 204, NULL, 0, NULL);
			return false;
		}
		memcpy(cmd, "\x80\xf2\x40\x02", 4);
		cmd[4] = (uint8_t)(2 + a->aid_len);
		cmd[5] = 0x4f;
		cmd[6] = a->aid_len;
		memcpy(cmd + 7, a->aid, a->aid_len);
		cmd[7 + a->aid_len] = 0x00;
		n = script1(cmd, 8u + a->aid_len, script, sizeof(script));
		return n > 0 && !reply(s, 200, script, (size_t)n, NULL);
	case 1:		/* GET STATUS: missing (6A88) or there */
		if (sw == 0x9000) {
			s->step = 3;
			return !send_data(s);
		}
		if (sw != 0x6a88) {
			fprintf(s->out, "download %s: failed: GET STATUS: SW %04X\n",
				a->name, sw);
			reply(s, 204, NULL, 0, NULL);
			return false;
		}
		n = (int)ota_appserver_install_apdu(a, cmd);
		n = script1(cmd, (size_t)n, script, sizeof(script));
		return n > 0 && !reply(s, 200, script, (size_t)n, NULL);
	case 2:		/* INSTALL: KVN and the KCVs of the generated keys */
		if (sw != 0x9000 || dl != 10) {
			fprintf(s->out, "download %s: failed: INSTALL: SW %04X\n",
				a->name, sw);
			reply(s, 204, NULL, 0, NULL);
			return false;
		}
		for (i = 0; i < dl; i++)
			sprintf(s->kcvs + 2 * i, "%02x", d[i]);
		s->created = true;
		return !send_data(s);
	default:	/* STORE DATA blocks */
		if (sw != 0x9000) {
			fprintf(s->out, "download %s: failed: STORE DATA: SW %04X\n",
				a->name, sw);
			reply(s, 204, NULL, 0, NULL);
			return false;
		}
		if (s->next_block * (size_t)STORE_BLOCK < a->data_len)
			return !send_data(s);
		fprintf(s->out, "download %s: %s, %zu bytes over HTTPS%s%s\n",
			a->name, s->created ? "domain created" : "domain found",
			a->data_len, s->created ? ", KVN+KCVs " : "", s->kcvs);
		reply(s, 204, NULL, 0, NULL);
		return false;
	}
}

static int listen_on(const char *addr, char *err, size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char host[64], *colon;
	unsigned long port;
	int fd, one = 1;

	snprintf(host, sizeof(host), "%s", addr);
	colon = strrchr(host, ':');
	if (!colon || (port = strtoul(colon + 1, NULL, 10)) == 0 ||
	    port > 65535) {
		snprintf(err, errlen, "--https %s: expected A.B.C.D:PORT", addr);
		return -1;
	}
	*colon = 0;
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "--https %s: not an IPv4 address", addr);
		return -1;
	}
	sa.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
		snprintf(err, errlen, "--https %s: %s", addr, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* "A.B.C.D:PORT" to its parts: 0 or -1. */
static int split_addr(const char *addr, struct sockaddr_in *sa)
{
	char host[64], *colon;
	unsigned long port;

	snprintf(host, sizeof(host), "%s", addr);
	colon = strrchr(host, ':');
	if (!colon || (port = strtoul(colon + 1, NULL, 10)) == 0 ||
	    port > 65535)
		return -1;
	*colon = 0;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

/* One TLV with a one-byte length (what the trigger's parts need). */
static size_t tlv(uint8_t *o, uint8_t tag, const void *v, size_t l)
{
	o[0] = tag;
	o[1] = (uint8_t)l;
	memcpy(o + 2, v, l);
	return 2 + l;
}

long ota_https_trigger(const char *listen, const char *identity, uint8_t kvn,
		       const char *app, uint8_t *out, size_t max)
{
	uint8_t in[200], mid[210], conn[32], sec[80], post[SCP81_URI_MAX + 2];
	struct sockaddr_in sa;
	size_t il, n = 0, cl = 0, sl = 0, pl;
	char uri[SCP81_URI_MAX];
	uint16_t port;

	il = strlen(identity);
	if (split_addr(listen, &sa) || !il || il > 63 || !kvn || kvn > 0x7f ||
	    snprintf(uri, sizeof(uri), "/vsim/push?app=%s", app) >=
	    (int)sizeof(uri))
		return -1;
	/* OPEN CHANNEL's TLVs (TS 102 223 §8.52, 8.55, 8.59, 8.58) */
	port = ntohs(sa.sin_port);
	memcpy(conn, "\x35\x01\x03\x39\x02\x05\x78\x3c\x03\x02", 10);
	cl = 10;
	conn[cl++] = (uint8_t)(port >> 8);
	conn[cl++] = (uint8_t)port;
	conn[cl++] = 0x3e;
	conn[cl++] = 5;
	conn[cl++] = 0x21;
	memcpy(conn + cl, &sa.sin_addr, 4);
	cl += 4;
	sec[sl++] = (uint8_t)il;
	memcpy(sec + sl, identity, il);
	sl += il;
	sec[sl++] = 1;
	sec[sl++] = kvn;
	pl = tlv(post, 0x8c, uri, strlen(uri));
	n += tlv(in + n, 0x84, conn, cl);
	n += tlv(in + n, 0x85, sec, sl);
	n += tlv(in + n, 0x89, post, pl);
	if (n > 0x7f)
		return -1;
	n = tlv(mid, 0x83, in, n);
	if (n > 0x7f || n + 2 > max)
		return -1;
	return (long)tlv(out, 0x81, mid, n);
}

int ota_https_serve(const char *listen, const struct ota_https_card *cards,
		    unsigned int ncards, const struct ota_catalogue *cat,
		    unsigned int sessions, FILE *out,
		    int (*ready)(void *ctx), void *ready_ctx, char *err,
		    size_t errlen)
{
	struct timeval tv = { .tv_sec = IDLE_SECONDS };
	unsigned int done = 0;
	struct session *s;
	SSL_CTX *ctx;
	int lfd, fd, ret = 0;

	lfd = listen_on(listen, err, errlen);
	if (lfd < 0)
		return -1;
	/* a card gone mid-session is that session's end, not the server's */
	signal(SIGPIPE, SIG_IGN);
	ctx = SSL_CTX_new(TLS_server_method());
	s = calloc(1, sizeof(*s));
	if (!ctx || !s || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, "PSK-AES128-GCM-SHA256:PSK-AES128-CBC-SHA256")) {
		snprintf(err, errlen, "TLS context: %s",
			 ERR_reason_error_string(ERR_get_error()));
		SSL_CTX_free(ctx);
		free(s);
		close(lfd);
		return -1;
	}
	psk_cards = cards;
	psk_ncards = ncards;
	SSL_CTX_set_psk_server_callback(ctx, psk_cb);
	fprintf(out, "listening on %s\n", listen);
	fflush(out);
	if (ready && ready(ready_ctx)) {
		snprintf(err, errlen, "the push did not go out");
		ret = -1;
	}
	while (!ret && (!sessions || done < sessions)) {
		char uri[SCP81_URI_MAX];
		const uint8_t *body;
		size_t blen;

		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		memset(s, 0, sizeof(*s));
		s->out = out;
		s->ssl = SSL_new(ctx);
		if (s->ssl && SSL_set_fd(s->ssl, fd) && SSL_accept(s->ssl) == 1) {
			s->card = SSL_get_app_data(s->ssl);
			while (s->card && !read_request(s, uri, sizeof(uri), &body,
							&blen) &&
			       step(s, uri, body, blen, cat))
				;
			SSL_shutdown(s->ssl);
		} else {
			const char *why = ERR_reason_error_string(ERR_peek_last_error());

			fprintf(out, "https: a session refused (TLS: %s)\n",
				why ? why : "handshake failed");
		}
		ERR_clear_error();
		SSL_free(s->ssl);
		close(fd);
		OPENSSL_cleanse(s, sizeof(*s));
		fflush(out);
		done++;
	}
	SSL_CTX_free(ctx);
	free(s);
	close(lfd);
	return ret;
}
