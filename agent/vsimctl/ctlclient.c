// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimctl's control-socket client (ctlclient.h): blocking I/O, one JSON
 * object per line, parsed with json-c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "vsimctl/ctlclient.h"

int vsim_ctl_connect(struct vsim_ctl *c, const char *path, char *err,
		     size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
			 errno == ENOENT || errno == ECONNREFUSED ?
			 " (is vsimd running?)" :
			 errno == EACCES ? " (root or group vsim only)" : "");
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

void vsim_ctl_close(struct vsim_ctl *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->buf) {
		explicit_bzero(c->buf, c->cap);
		free(c->buf);
	}
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

int vsim_ctl_set_timeout(struct vsim_ctl *c, unsigned int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	c->timeout = seconds;
	return setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

int vsim_ctl_send(struct vsim_ctl *c, json_object *req)
{
	const char *s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	size_t n = strlen(s), off = 0;

	while (off <= n) {
		/* the line, then its newline */
		const char *p = off < n ? s + off : "\n";
		size_t left = off < n ? n - off : 1;
		ssize_t w = send(c->fd, p, left, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

json_object *vsim_ctl_recv(struct vsim_ctl *c, char *err, size_t errlen)
{
	enum json_tokener_error jerr;
	json_object *o;
	ssize_t n;
	char *nl;

	err[0] = '\0';
	for (;;) {
		nl = c->buf ? memchr(c->buf, '\n', c->len) : NULL;
		if (nl)
			break;
		if (c->len + 4096 > c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 8192;
			char *p = cap > 64 * 1024 * 1024 ? NULL :
				  realloc(c->buf, cap);

			if (!p) {
				snprintf(err, errlen, "reply too large");
				return NULL;
			}
			c->buf = p;
			c->cap = cap;
		}
		n = read(c->fd, c->buf + c->len, c->cap - c->len - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			snprintf(err, errlen,
				 "no answer from vsimd within %u s (--timeout)",
				 c->timeout);
			return NULL;
		}
		if (n < 0) {
			snprintf(err, errlen, "read: %s", strerror(errno));
			return NULL;
		}
		if (n == 0) {
			if (c->len)
				snprintf(err, errlen, "vsimd closed the connection mid-reply");
			return NULL;
		}
		c->len += (size_t)n;
	}
	*nl = '\0';
	o = json_tokener_parse_verbose(c->buf, &jerr);
	c->len -= (size_t)(nl - c->buf) + 1;
	memmove(c->buf, nl + 1, c->len);
	if (!o)
		snprintf(err, errlen, "bad reply from vsimd: %s",
			 json_tokener_error_desc(jerr));
	return o;
}
