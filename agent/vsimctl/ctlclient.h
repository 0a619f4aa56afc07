/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsimctl's side of vsimd's control socket (control.h): connect, send one
 * JSON request line, read JSON lines back.
 */
#ifndef VSIM_CTLCLIENT_H
#define VSIM_CTLCLIENT_H

#include <stddef.h>

#include <json-c/json.h>

struct vsim_ctl {
	int fd;
	char *buf;
	size_t len, cap;
	unsigned int timeout;	/* seconds vsim_ctl_recv waits; 0: forever */
};

/* 0, or -1 with @err ("PATH: No such file or directory (is vsimd running?)"). */
int vsim_ctl_connect(struct vsim_ctl *c, const char *path, char *err,
		     size_t errlen);
void vsim_ctl_close(struct vsim_ctl *c);
/*
 * Wait at most @seconds for each reply (0: forever, as a trace does), so
 * that a vsimd that hangs is reported instead of hanging its callers.
 */
int vsim_ctl_set_timeout(struct vsim_ctl *c, unsigned int seconds);
/* Send @req (not consumed) as one line. 0 or -1. */
int vsim_ctl_send(struct vsim_ctl *c, json_object *req);
/*
 * The next JSON line; NULL at end of stream or on an error (@err says
 * which; empty at a clean end). The caller puts the object.
 */
json_object *vsim_ctl_recv(struct vsim_ctl *c, char *err, size_t errlen);

#endif /* VSIM_CTLCLIENT_H */
