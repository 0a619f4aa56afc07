// SPDX-License-Identifier: GPL-2.0-only
/*
 * The admin agent (ota/scp81.h): TLS-PSK with OpenSSL over memory BIOs fed
 * by the BIP channel, HTTP/1.1 in and out, the scripts run at the
 * targeted security domain through the card's GlobalPlatform side.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <linux/vsim.h>

#include "common/apdu_sw.h"
#include "ota/bip.h"
#include "ota/card.h"
#include "ota/gp.h"
#include "ota/rapdu.h"
#include "ota/scp81.h"
#include "ota/store.h"

#define ADMIN_PROTOCOL	"globalplatform-remote-admin/1.0"
#define CT_RESPONSE	"application/vnd.globalplatform.card-content-mgt-response;version=1.0"
/*
 * TLS 1.2 PSK suites (Amendment B asks for PSK key exchange with AES-CBC
 * or GCM; the exact list of its tables was not at hand [unverified])
 */
#define PSK_CIPHERS	"PSK-AES128-GCM-SHA256:PSK-AES128-CBC-SHA256"

struct ota_scp81 {
	struct ota_scp81_cfg cfg;	/* the profile's, with a trigger's values */
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *in, *out;		/* channel -> TLS, TLS -> channel */
	uint8_t psk[SCP81_PSK_MAX];	/* this session's: the ISD's current */
	unsigned int psk_len;
	bool posted;		/* the first POST went out */
	bool over;
	bool closed;		/* the channel is gone: the retry decided */
	bool retryable;		/* it failed on the way, not by the server's word */
	char uri[SCP81_URI_MAX];
	uint8_t http[SCP81_HTTP_MAX + 1];
	size_t http_len;
};

/* ---- HTTP ---- */

static bool header_is(const char *line, size_t len, const char *name,
		      const char **val, size_t *vlen)
{
	size_t n = strlen(name);

	if (len <= n || line[n] != ':' || strncasecmp(line, name, n))
		return false;
	line += n + 1;
	len -= n + 1;
	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	*val = line;
	*vlen = len;
	return true;
}

/*
 * A chunked body (RFC 9112 §7.1, which every HTTP/1.1 recipient must
 * parse) from @p, @len bytes after the headers, joined into r->body_buf:
 * the bytes it takes through the last CRLF, 0 for more, -1 if broken.
 * Chunk extensions and trailer fields are skipped (§7.1.1, §7.1.2).
 */
static long chunked_body(const char *p, size_t len,
			 struct ota_http_response *r)
{
	const char *q = p, *end = p + len, *eol;
	size_t size, total = 0;
	int digits;

	for (;;) {
		eol = memmem(q, (size_t)(end - q), "\r\n", 2);
		if (!eol)
			return len > SCP81_HTTP_MAX + 1024 ? -1 : 0;
		for (size = 0, digits = 0; q < eol && isxdigit((unsigned char)*q);
		     q++, digits++) {
			size = size * 16 + (size_t)(isdigit((unsigned char)*q) ?
				*q - '0' : (tolower((unsigned char)*q) - 'a' + 10));
			if (size > SCP81_HTTP_MAX)	/* never overflows */
				return -1;
		}
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		if (!digits || (q < eol && *q != ';'))
			return -1;
		for (; q < eol; q++)	/* an extension: visible ASCII */
			if ((*q < 0x20 && *q != '\t') || *q == 0x7f)
				return -1;
		q = eol + 2;
		if (!size)
			break;
		if (total + size > SCP81_HTTP_MAX)
			return -1;
		if ((size_t)(end - q) < size + 2)
			return 0;
		if (q[size] != '\r' || q[size + 1] != '\n')
			return -1;
		memcpy(r->body_buf + total, q, size);
		total += size;
		q += size + 2;
	}
	/* trailer fields, then the empty line */
	for (;;) {
		eol = memmem(q, (size_t)(end - q), "\r\n", 2);
		if (!eol)
			return len > SCP81_HTTP_MAX + 1024 ? -1 : 0;
		if (eol == q)
			break;
		if (!memchr(q, ':', (size_t)(eol - q)))
			return -1;
		q = eol + 2;
	}
	r->body = r->body_buf;
	r->body_len = total;
	return (long)(eol + 2 - p);
}

long ota_http_response_parse(const uint8_t *buf, size_t len,
			     struct ota_http_response *r)
{
	const char *p = (const char *)buf, *end, *eol, *v;
	bool have_length = false, chunked = false;
	long body;
	size_t vl, hl;
	char num[16];

	memset(r, 0, sizeof(*r));
	end = memmem(p, len, "\r\n\r\n", 4);
	if (!end)
		return len > SCP81_HTTP_MAX ? -1 : 0;
	hl = (size_t)(end - p) + 4;
	/* status line: HTTP/1.1 NNN reason */
	if (hl < 14 || memcmp(p, "HTTP/1.1 ", 9) || !isdigit((unsigned char)p[9]) ||
	    !isdigit((unsigned char)p[10]) || !isdigit((unsigned char)p[11]) ||
	    (p[12] != ' ' && p[12] != '\r'))
		return -1;
	r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	for (p = memchr(p, '\n', hl) + 1; p < end + 2; p = eol + 2) {
		eol = memmem(p, (size_t)(end + 2 - p), "\r\n", 2);
		if (!eol)
			return -1;
		if (header_is(p, (size_t)(eol - p), "Content-Length", &v, &vl)) {
			if (!vl || vl >= sizeof(num) || have_length)
				return -1;
			memcpy(num, v, vl);
			num[vl] = 0;
			for (size_t i = 0; i < vl; i++)
				if (!isdigit((unsigned char)num[i]))
					return -1;
			r->body_len = strtoul(num, NULL, 10);
			if (r->body_len > SCP81_HTTP_MAX)
				return -1;
			have_length = true;
		} else if (header_is(p, (size_t)(eol - p), "Transfer-Encoding",
				     &v, &vl)) {
			/* only chunked, once: we know no other coding */
			if (chunked || vl != 7 || strncasecmp(v, "chunked", 7))
				return -1;
			chunked = true;
		} else if (header_is(p, (size_t)(eol - p), "X-Admin-Protocol",
				     &v, &vl)) {
			r->admin_protocol = vl == strlen(ADMIN_PROTOCOL) &&
					    !memcmp(v, ADMIN_PROTOCOL, vl);
		} else if (header_is(p, (size_t)(eol - p), "X-Admin-Next-URI",
				     &v, &vl)) {
			if (!vl || vl >= sizeof(r->next_uri) || v[0] != '/')
				return -1;
			/* it goes into our request line: visible ASCII only */
			for (size_t i = 0; i < vl; i++)
				if (v[i] < 0x21 || v[i] > 0x7e)
					return -1;
			memcpy(r->next_uri, v, vl);
		} else if (header_is(p, (size_t)(eol - p),
				     "X-Admin-Targeted-Application", &v, &vl)) {
			if (vl >= sizeof(r->target))
				return -1;
			memcpy(r->target, v, vl);
		}
	}
	/*
	 * A length and chunks at once is how requests get smuggled (RFC 9112
	 * §6.3): refused. A body without either cannot be delimited; 204 has
	 * none at all.
	 */
	if ((have_length && chunked) || (chunked && r->status == 204) ||
	    (!have_length && !chunked && r->status != 204))
		return -1;
	if (chunked) {
		body = chunked_body((const char *)buf + hl, len - hl, r);
		if (body <= 0)
			return body;
		r->header_len = hl;
		return (long)hl + body;
	}
	if (hl + r->body_len > len)
		return hl + r->body_len > SCP81_HTTP_MAX + 1024 ? -1 : 0;
	r->header_len = hl;
	r->body = buf + hl;
	return (long)(hl + r->body_len);
}

long ota_http_post_build(const struct ota_scp81_cfg *cfg, const char *uri,
			 const char *status, const uint8_t *body, size_t blen,
			 uint8_t *out, size_t max)
{
	int n;

	n = snprintf((char *)out, max,
		     "POST %s HTTP/1.1\r\n"
		     "Host: %s\r\n"
		     "X-Admin-Protocol: " ADMIN_PROTOCOL "\r\n"
		     "X-Admin-From: %s%s\r\n"
		     "%s%s%s"
		     "Content-Type: " CT_RESPONSE "\r\n"
		     "Content-Length: %zu\r\n"
		     "\r\n",
		     uri, cfg->host, cfg->from[0] ? "" : "//se-id/iccid/",
		     cfg->from[0] ? cfg->from : cfg->iccid,
		     status ? "X-Admin-Script-Status: " : "",
		     status ? status : "", status ? "\r\n" : "", blen);
	if (n < 0 || (size_t)n + blen > max)
		return -1;
	if (blen)
		memcpy(out + n, body, blen);
	return (long)((size_t)n + blen);
}

int ota_http_target_aid(const char *target, uint8_t *aid, size_t max)
{
	size_t n = 0;
	const char *p;

	if (strncmp(target, "//aid/", 6))
		return -1;
	for (p = target + 6; *p; p++) {
		unsigned int b;

		if (*p == '/')
			continue;
		if (!isxdigit((unsigned char)p[0]) ||
		    !isxdigit((unsigned char)p[1]) || n == max ||
		    sscanf(p, "%2x", &b) != 1)
			return -1;
		aid[n++] = (uint8_t)b;
		p++;
	}
	return n >= 5 ? (int)n : -1;
}

/* ---- the session ---- */

static unsigned int psk_cb(SSL *ssl, const char *hint, char *identity,
			   unsigned int max_id, unsigned char *psk,
			   unsigned int max_psk)
{
	const struct ota_card *o = SSL_get_app_data(ssl);
	const struct ota_scp81 *s = o->scp81;
	const struct ota_scp81_cfg *c = &s->cfg;

	(void)hint;
	if (strlen(c->identity) + 1 > max_id || s->psk_len > max_psk)
		return 0;
	strcpy(identity, c->identity);
	memcpy(psk, s->psk, s->psk_len);
	return s->psk_len;
}

void ota_scp81_free(struct ota_card *o)
{
	struct ota_scp81 *s = o->scp81;

	if (!s)
		return;
	SSL_free(s->ssl);	/* frees both BIOs */
	SSL_CTX_free(s->ctx);
	OPENSSL_clear_free(s, sizeof(*s));
	o->scp81 = NULL;
}

/* What TLS wrote goes on the channel. */
static void flush(struct ota_card *o)
{
	struct ota_scp81 *s = o->scp81;
	uint8_t buf[1024];
	int n;

	while ((n = BIO_read(s->out, buf, sizeof(buf))) > 0)
		if (ota_bip_send(o, buf, (size_t)n)) {
			o->scp81_last.why = "channel buffer full";
			break;
		}
	OPENSSL_cleanse(buf, sizeof(buf));
}

/*
 * The session ends: close_notify, then the channel once it is sent.
 * @retry: a failure on the way to the server (TLS), which the push's
 * retry policy may try again; what the server said is not.
 */
static void end(struct ota_card *o, const char *why, bool retry)
{
	struct ota_scp81 *s = o->scp81;

	if (s->over)
		return;
	s->over = true;
	s->retryable = retry;
	if (why && !o->scp81_last.why)
		o->scp81_last.why = why;
	if (SSL_is_init_finished(s->ssl))
		SSL_shutdown(s->ssl);
	flush(o);
	ota_bip_finish(o);
}

static int post(struct ota_card *o, const char *status, const uint8_t *body,
		size_t blen)
{
	struct ota_scp81 *s = o->scp81;
	uint8_t *msg = malloc(SCP81_HTTP_MAX + 512);
	long n;
	int w;

	if (!msg)
		return -1;
	n = ota_http_post_build(&s->cfg, s->uri, status, body, blen, msg,
				SCP81_HTTP_MAX + 512);
	w = n < 0 ? -1 : SSL_write(s->ssl, msg, (int)n);
	OPENSSL_clear_free(msg, SCP81_HTTP_MAX + 512);
	if (w <= 0)
		return -1;
	o->scp81_last.posts++;
	flush(o);
	return 0;
}

/* The security domain a script is for: the ISD unless the header names another. */
static int target_tar(struct ota_card *o, const char *target, uint32_t *tar)
{
	struct ota_gp *g = o->gp;
	struct ota_domain d;
	uint8_t aid[16];
	int n;

	*tar = OTA_TAR_ISD;
	if (!target[0])
		return 0;
	n = ota_http_target_aid(target, aid, sizeof(aid));
	if (n < 0)
		return -1;
	if (n == OTA_ISD_AID_LEN && !memcmp(aid, OTA_ISD_AID, OTA_ISD_AID_LEN))
		return 0;
	if (!g || ota_store_domain_get(g->store, aid, (size_t)n, &d))
		return -1;
	*tar = d.tar;
	return 0;
}

struct run_ctx {
	struct ota_card *o;
	uint32_t tar;
};

static size_t exec_one(void *ctx, const uint8_t *capdu, size_t len,
		       uint8_t *rapdu)
{
	struct run_ctx *c = ctx;

	c->o->scp81_last.commands++;
	return c->o->gp_exec(c->o->gp, c->tar, capdu, len, rapdu);
}

/* One whole response: run its script and post the answer, or end. */
static void handle(struct ota_card *o, const struct ota_http_response *r)
{
	struct ota_scp81 *s = o->scp81;
	struct run_ctx c = { o, 0 };
	uint8_t *out;
	size_t n;

	if (!r->admin_protocol) {
		end(o, "response without X-Admin-Protocol 1.0", false);
		return;
	}
	if (r->status == 204) {
		o->scp81_last.done = true;
		end(o, NULL, false);
		return;
	}
	if (r->status != 200 || !r->body_len) {
		end(o, "unexpected HTTP status", false);
		return;
	}
	if (r->next_uri[0])
		snprintf(s->uri, sizeof(s->uri), "%s", r->next_uri);
	if (!o->gp_exec || target_tar(o, r->target, &c.tar)) {
		/* Amendment B: the application is not there */
		post(o, "unknown-application", NULL, 0);
		return;
	}
	out = malloc(SCP81_HTTP_MAX);
	if (!out) {
		end(o, "out of memory", false);
		return;
	}
	o->scp81_last.scripts++;
	if (r->body[0] == 0xaa || r->body[0] == 0xae) {
		n = ota_rapdu_run(r->body, r->body_len, exec_one, &c, out,
				  SCP81_HTTP_MAX);
	} else {
		/*
		 * over HTTP only the expanded format (TS 102 226 §5.2):
		 * anything else runs nothing and answers "bad format"
		 */
		static const uint8_t bad[] = { 0xaf, 0x80, 0x90, 0x01, 0x01,
					       0x00, 0x00 };

		memcpy(out, bad, sizeof(bad));
		n = sizeof(bad);
	}
	if (post(o, "ok", out, n))
		end(o, "POST failed", false);
	OPENSSL_clear_free(out, SCP81_HTTP_MAX);
}

static void step(struct ota_card *o)
{
	struct ota_scp81 *s = o->scp81;
	struct ota_http_response r;
	long used;
	int n, e;

	if (!SSL_is_init_finished(s->ssl)) {
		n = SSL_do_handshake(s->ssl);
		flush(o);
		if (n != 1) {
			e = SSL_get_error(s->ssl, n);
			if (e != SSL_ERROR_WANT_READ)
				end(o, "TLS handshake failed", true);
			return;
		}
		o->scp81_last.handshake = true;
	}
	if (!s->posted) {
		s->posted = true;
		if (post(o, NULL, NULL, 0)) {
			end(o, "POST failed", false);
			return;
		}
	}
	while (!s->over) {
		n = SSL_read(s->ssl, s->http + s->http_len,
			     (int)(sizeof(s->http) - 1 - s->http_len));
		if (n > 0) {
			s->http_len += (size_t)n;
		} else {
			e = SSL_get_error(s->ssl, n);
			flush(o);
			if (e == SSL_ERROR_WANT_READ)
				return;
			/* the server's close_notify is its word, an alert is not */
			end(o, e == SSL_ERROR_ZERO_RETURN ?
			    "the server closed the TLS session" :
			    "TLS error (an alert)", e != SSL_ERROR_ZERO_RETURN);
			return;
		}
		while (!s->over && s->http_len) {
			used = ota_http_response_parse(s->http, s->http_len, &r);
			if (!used)
				break;
			if (used < 0) {
				end(o, "malformed HTTP response", false);
				return;
			}
			handle(o, &r);
			memmove(s->http, s->http + used, s->http_len - (size_t)used);
			s->http_len -= (size_t)used;
		}
		if (s->http_len == sizeof(s->http) - 1) {
			end(o, "HTTP response too long", false);
			return;
		}
	}
}

/* EF_ICCID (TS 102 221 §13.2), its digits, for X-Admin-From. */
static void read_iccid(struct ota_card *o)
{
	static const uint8_t sel[] = { 0x00, 0xa4, 0x00, 0x0c, 0x02, 0x2f, 0xe2 };
	static const uint8_t rd[] = { 0x00, 0xb0, 0x00, 0x00, 0x0a };
	static const char dig[] = "0123456789";
	uint8_t r[VSIM_RAPDU_MAX];
	size_t n, i, k = 0;

	o->scp81_cfg.iccid[0] = 0;
	o->exec(o->card, sel, sizeof(sel), r);
	n = o->exec(o->card, rd, sizeof(rd), r);
	if (n != 12 || r[10] != 0x90)
		return;
	for (i = 0; i < 10 && k < 20; i++) {
		if ((r[i] & 0x0f) > 9)
			break;
		o->scp81_cfg.iccid[k++] = dig[r[i] & 0x0f];
		if ((r[i] >> 4) > 9)
			break;
		o->scp81_cfg.iccid[k++] = dig[r[i] >> 4];
	}
	o->scp81_cfg.iccid[k] = 0;
}

/*
 * The PSK of the session: the ISD's key of version @kvn (0: current),
 * from the OTA store or the profile (ota_gp_psk()); without domains (no
 * store), the profile's.
 */
static int load_psk(struct ota_card *o, uint8_t kvn)
{
	struct ota_scp81 *s = o->scp81;
	struct ota_gp_key k;

	if (!o->gp) {
		if (kvn && kvn != o->scp81_cfg.kvn)
			return -1;
		memcpy(s->psk, o->scp81_cfg.psk, o->scp81_cfg.psk_len);
		s->psk_len = (unsigned int)o->scp81_cfg.psk_len;
		return 0;
	}
	if (ota_gp_psk(o->gp, kvn, &k))
		return -1;
	memcpy(s->psk, k.value, k.len);
	s->psk_len = k.len;
	OPENSSL_cleanse(&k, sizeof(k));
	return 0;
}

/*
 * Open a session: the profile's parameters, or those of @t (a trigger)
 * where it names them; @retry: an attempt of the push's retry policy,
 * which stays in force (any other session replaces the policy). 0,
 * -EOPNOTSUPP, -EBUSY, -ENOKEY (no PSK of the version asked for),
 * -ENOMEM, or as ota_bip_open_stream().
 */
static int session_start(struct ota_card *o, const struct ota_scp81_trigger *t,
			 bool retry)
{
	struct ota_scp81_retry *r = &o->scp81_retry;
	struct ota_bip_cfg to = o->bip_cfg;
	struct ota_scp81_cfg *c;
	struct ota_scp81 *s;
	int ret;

	if (!o->scp81_cfg.enabled || !o->bip_cfg.enabled)
		return -EOPNOTSUPP;
	if (o->scp81 && !o->scp81->over && o->bip.state != BIP_IDLE)
		return -EBUSY;
	ota_scp81_free(o);
	memset(&o->scp81_last, 0, sizeof(o->scp81_last));
	s = OPENSSL_zalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	o->scp81 = s;
	read_iccid(o);
	s->cfg = o->scp81_cfg;
	c = &s->cfg;
	if (t) {
		/* a push names no menu choice; its own values win */
		c->app[0] = 0;
		if (t->have_to) {
			memcpy(to.ip, t->ip, 4);
			to.port = t->port;
			snprintf(c->host, sizeof(c->host), "%u.%u.%u.%u:%u",
				 t->ip[0], t->ip[1], t->ip[2], t->ip[3], t->port);
		}
		if (t->identity[0])
			memcpy(c->identity, t->identity, sizeof(c->identity));
		if (t->host[0])
			memcpy(c->host, t->host, sizeof(c->host));
		if (t->from[0])
			memcpy(c->from, t->from, sizeof(c->from));
		if (t->uri[0])
			memcpy(c->uri, t->uri, sizeof(c->uri));
	}
	if (load_psk(o, t ? t->kvn : 0)) {
		ota_scp81_free(o);
		return -ENOKEY;
	}
	s->ctx = SSL_CTX_new(TLS_client_method());
	if (!s->ctx || !SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(s->ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(s->ctx, PSK_CIPHERS))
		goto fail;
	s->ssl = SSL_new(s->ctx);
	s->in = BIO_new(BIO_s_mem());
	s->out = BIO_new(BIO_s_mem());
	if (!s->ssl || !s->in || !s->out) {
		BIO_free(s->in);
		BIO_free(s->out);
		goto fail;
	}
	SSL_set_bio(s->ssl, s->in, s->out);
	SSL_set_app_data(s->ssl, o);
	SSL_set_psk_client_callback(s->ssl, psk_cb);
	SSL_set_connect_state(s->ssl);
	/* the profile keeps the URI under 100 bytes, the name under 24 */
	if (strlen(c->uri) + strlen(c->app) + 6 > sizeof(s->uri))
		goto fail;
	strcpy(s->uri, c->uri);
	if (c->app[0]) {
		strcat(s->uri, "?app=");
		strcat(s->uri, c->app);
	}
	ret = ota_bip_open_stream(o, &to);
	if (ret) {
		ota_scp81_free(o);
		return ret;
	}
	if (retry) {
		r->attempts++;
		r->armed = true;
	} else if (t && t->have_retry && t->retries) {
		memset(r, 0, sizeof(*r));
		r->armed = true;
		r->left = t->retries;
		/* a timer of 0 s is none: at least a second between attempts */
		r->delay = t->retry_delay ? t->retry_delay : 1;
		r->attempts = 1;
		r->trig = *t;
	} else {
		/* a new session: an old policy's timer, if any, is ignored */
		memset(r, 0, sizeof(*r));
		r->attempts = 1;
	}
	return 0;
fail:
	ERR_clear_error();
	ota_scp81_free(o);
	return -ENOMEM;
}

int ota_scp81_start(struct ota_card *o)
{
	return session_start(o, NULL, false);
}

/* ---- the push: administration session triggering ---- */

/* One BER-TLV of @p..@end (one-byte tag, length up to 81 xx). */
static const uint8_t *ber_next(const uint8_t **p, const uint8_t *end,
			       uint8_t *tag, size_t *l)
{
	const uint8_t *q = *p;

	if (end - q < 2)
		return NULL;
	*tag = *q++;
	*l = *q++;
	if (*l == 0x81) {
		if (q == end || *q < 0x80)
			return NULL;
		*l = *q++;
	} else if (*l > 0x7f) {
		return NULL;
	}
	if ((size_t)(end - q) < *l)
		return NULL;
	*p = q + *l;
	return q;
}

/* A text value (identity, host, agent ID, URI): visible ASCII, fits. */
static int text(const uint8_t *v, size_t l, char *out, size_t max)
{
	size_t i;

	if (!l || l >= max)
		return -1;
	for (i = 0; i < l; i++)
		if (v[i] < 0x21 || v[i] > 0x7e)
			return -1;
	memcpy(out, v, l);
	out[l] = 0;
	return 0;
}

/* 84: OPEN CHANNEL's COMPREHENSION-TLVs; the port and the IPv4 address. */
static int connection(const uint8_t *p, size_t len,
		      struct ota_scp81_trigger *t)
{
	const uint8_t *end = p + len, *v;
	bool port = false, addr = false;
	uint8_t tag;
	size_t l;

	while (p < end) {
		v = ber_next(&p, end, &tag, &l);
		if (!v)
			return -1;
		switch (tag & 0x7f) {
		case BIP_TAG_TRANSPORT:		/* §8.59: 02 TCP client */
			if (l != 3 || v[0] != 0x02)
				return -1;
			t->port = (uint16_t)(v[1] << 8 | v[2]);
			port = true;
			break;
		case BIP_TAG_OTHER_ADDRESS:	/* §8.58: 21 IPv4 */
			if (l != 5 || v[0] != 0x21)
				return -1;
			memcpy(t->ip, v + 1, 4);
			addr = true;
			break;
		default:			/* bearer, buffer size, ... */
			break;
		}
	}
	if (port != addr || (port && !t->port))
		return -1;	/* half a destination is none */
	t->have_to = port;
	return 0;
}

/* 85: LV PSK identity, LV key version [key ID]. */
static int security(const uint8_t *p, size_t len, struct ota_scp81_trigger *t)
{
	const uint8_t *end = p + len;

	if (p == end || (size_t)(end - p) < 1u + p[0])
		return -1;
	if (p[0] && text(p + 1, p[0], t->identity, sizeof(t->identity)))
		return -1;
	p += 1 + p[0];
	if (p == end)
		return 0;
	if ((size_t)(end - p) != 1u + p[0] || p[0] < 1 || p[0] > 2 ||
	    !p[1] || p[1] > 0x7f || (p[0] == 2 && p[2] != 0x01))
		return -1;
	t->kvn = p[1];
	return 0;
}

/* TS 102 223 §8.38 timer value: hours, minutes, seconds in swapped BCD. */
static int bcd(uint8_t b, unsigned int max, unsigned int *v)
{
	if ((b & 0x0f) > 9 || (b >> 4) > 9)
		return -1;
	*v = (b & 0x0f) * 10u + (b >> 4);
	return *v > max ? -1 : 0;
}

/* 86: retry counter (2 bytes), retry waiting delay (timer value TLV). */
static int retry(const uint8_t *p, size_t len, struct ota_scp81_trigger *t)
{
	unsigned int h, m, sec;

	if (len < 2)
		return -1;
	t->retries = (unsigned int)(p[0] << 8 | p[1]);
	if (len >= 7 && (p[2] & 0x7f) == 0x25 && p[3] == 3) {
		if (bcd(p[4], 23, &h) || bcd(p[5], 59, &m) || bcd(p[6], 59, &sec))
			return -1;
		t->retry_delay = h * 3600 + m * 60 + sec;
	} else if (len != 2) {
		return -1;
	}
	t->have_retry = true;
	return 0;
}

/* 89: Host (8A), agent ID for X-Admin-From (8B), URI (8C). */
static int http_post(const uint8_t *p, size_t len, struct ota_scp81_trigger *t)
{
	const uint8_t *end = p + len, *v;
	uint8_t tag;
	size_t l;

	while (p < end) {
		v = ber_next(&p, end, &tag, &l);
		if (!v)
			return -1;
		if ((tag == 0x8a && text(v, l, t->host, sizeof(t->host))) ||
		    (tag == 0x8b && text(v, l, t->from, sizeof(t->from))) ||
		    (tag == 0x8c && (text(v, l, t->uri, sizeof(t->uri)) ||
				     t->uri[0] != '/')))
			return -1;
	}
	return 0;
}

int ota_scp81_trigger_parse(const uint8_t *d, size_t len,
			    struct ota_scp81_trigger *t)
{
	const uint8_t *p = d, *end = d + len, *v, *pe;
	uint8_t tag, seen = 0, bit;
	size_t l;

	memset(t, 0, sizeof(*t));
	v = ber_next(&p, end, &tag, &l);
	if (!v || tag != 0x81 || p != end)
		return -1;
	p = v;
	end = v + l;
	v = ber_next(&p, end, &tag, &l);
	if (!v || (tag != 0x83 && tag != 0xa3) || p != end)
		return -1;
	p = v;
	pe = v + l;
	while (p < pe) {
		v = ber_next(&p, pe, &tag, &l);
		if (!v)
			return -1;
		bit = tag == 0x84 ? 1 : tag == 0x85 ? 2 : tag == 0x86 ? 4 :
		      tag == 0x89 || tag == 0xa9 ? 8 : 0;
		if (!bit)
			continue;	/* a parameter vsim does not use */
		if (seen & bit)
			return -1;	/* twice: which one counts? */
		seen |= bit;
		if ((bit == 1 && connection(v, l, t)) ||
		    (bit == 2 && security(v, l, t)) ||
		    (bit == 4 && retry(v, l, t)) ||
		    (bit == 8 && http_post(v, l, t)))
			return -1;
	}
	return 0;
}

uint16_t ota_scp81_push(struct ota_card *o, const uint8_t *d, size_t len)
{
	struct ota_scp81_trigger t;

	if (ota_scp81_trigger_parse(d, len, &t))
		return 0x6a80;
	switch (session_start(o, &t, false)) {
	case 0:
		return 0x9000;
	case -EBUSY:
		return 0x9300;
	case -ENOKEY:
		return 0x6a88;
	case -EOPNOTSUPP:
		return 0x6985;
	default:
		return 0x6f00;
	}
}

void ota_scp81_ready(struct ota_card *o)
{
	if (o->scp81 && !o->scp81->over)
		step(o);
}

void ota_scp81_input(struct ota_card *o, const uint8_t *data, size_t len)
{
	struct ota_scp81 *s = o->scp81;

	if (!s || s->over)
		return;
	if (BIO_write(s->in, data, (int)len) != (int)len) {
		end(o, "out of memory", false);
		return;
	}
	step(o);
}

/* ---- the retry policy ---- */

/* TS 102 223 §8.38: one byte of the timer value, BCD, low nibble first. */
static uint8_t to_bcd(unsigned int v)
{
	return (uint8_t)((v % 10) << 4 | (v / 10 % 10));
}

/*
 * The session is over and its channel gone: another attempt after the
 * retry delay if the push's policy asks for one, the failure is one to
 * try again and retries are left. TIMER MANAGEMENT start (§6.4.21) goes
 * only to a terminal that declares it and TIMER EXPIRATION (§5.2 byte 8
 * b1, byte 1 b6: VSIM_PROACTIVE_F_DECLARED); without, no retry.
 */
static void retry_or_stop(struct ota_card *o, bool retryable)
{
	struct ota_scp81_retry *r = &o->scp81_retry;
	unsigned int d = r->delay;
	uint8_t t[8];
	int ret;

	if (!r->armed)
		return;
	r->armed = false;
	if (o->scp81_last.done)
		return;
	if (!retryable) {
		r->stopped = "the server ended it: not retried";
		return;
	}
	if (!r->left) {
		r->stopped = "retries exhausted";
		return;
	}
	t[0] = 0x80 | 0x24;		/* timer identifier, §8.37 */
	t[1] = 1;
	t[2] = SCP81_RETRY_TIMER;
	t[3] = 0x80 | 0x25;		/* timer value, §8.38 */
	t[4] = 3;
	t[5] = to_bcd(d / 3600 > 23 ? 23 : d / 3600);
	t[6] = to_bcd(d / 3600 > 23 ? 59 : d / 60 % 60);
	t[7] = to_bcd(d / 3600 > 23 ? 59 : d % 60);
	ret = o->queue_proactive(o->card, BIP_TIMER_MANAGEMENT, 0x00, 0x82, t,
				 sizeof(t), VSIM_PROACTIVE_F_DECLARED |
				 VSIM_PROACTIVE_F_RESPONSE);
	if (ret) {
		r->stopped = ret == -EOPNOTSUPP ?
			     "the terminal declares no timers: not retried" :
			     "the retry's timer could not be queued";
		return;
	}
	r->waiting = true;
}

void ota_scp81_timer_response(struct ota_card *o, uint8_t qualifier,
			      uint8_t result)
{
	struct ota_scp81_retry *r = &o->scp81_retry;

	/* §8.12: 0x (performed) starts the timer; anything else does not */
	if (!r->waiting || (qualifier & 0x03) || result < 0x10)
		return;
	r->waiting = false;
	r->stopped = "the terminal refused the retry's timer";
}

size_t ota_scp81_timer_expiration(struct ota_card *o, const uint8_t *env,
				  size_t len, uint8_t *rapdu)
{
	struct ota_scp81_retry *r = &o->scp81_retry;
	const uint8_t *p = env, *end = env + len, *v, *id = NULL, *dev = NULL;
	bool value = false;
	uint8_t tag;
	size_t l;
	int ret;

	v = ber_next(&p, end, &tag, &l);
	if (!v || tag != 0xd7 || p != end)
		return apdu_put_sw(rapdu, 0x6a80);
	for (p = v, end = v + l; p < end; ) {
		v = ber_next(&p, end, &tag, &l);
		if (!v)
			return apdu_put_sw(rapdu, 0x6a80);
		if ((tag & 0x7f) == 0x02 && l == 2)
			dev = v;
		else if ((tag & 0x7f) == 0x24 && l == 1)
			id = v;
		else if ((tag & 0x7f) == 0x25 && l == 3)
			value = true;
	}
	if (!dev || dev[0] != 0x82 || dev[1] != 0x81 || !id || !id[0] ||
	    id[0] > 8 || !value)
		return apdu_put_sw(rapdu, 0x6a80);
	/* another timer, or ours when no retry waits on it: noted */
	if (id[0] != SCP81_RETRY_TIMER || !r->waiting)
		return apdu_put_sw(rapdu, 0x9000);
	r->waiting = false;
	r->left--;
	ret = session_start(o, &r->trig, true);
	if (ret)
		r->stopped = ret == -EBUSY ? "a session is running" :
			     "the retry could not open its session";
	return apdu_put_sw(rapdu, 0x9000);
}

void ota_scp81_closed(struct ota_card *o)
{
	struct ota_scp81 *s = o->scp81;

	if (!s || s->closed)
		return;
	s->closed = true;
	if (!s->over) {
		/* the link went, not the server's answer: worth another try */
		s->over = true;
		s->retryable = true;
		if (!o->scp81_last.why && !o->scp81_last.done)
			o->scp81_last.why = o->bip.ready ? "the channel closed" :
					    "the channel did not open";
	}
	retry_or_stop(o, s->retryable);
}
