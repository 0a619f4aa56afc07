/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsimd's control socket (a UNIX stream socket, mode 0660, group vsim when
 * that group exists): one JSON object per line each way. Requests
 *   {"cmd":"list"}  {"cmd":"status","card":N}  {"cmd":"remove","card":N}
 *   {"cmd":"add","name":N,"profile":TEXT,"profile_name":PATH[,"slot":S]
 *    [,"vpcd":"HOST:PORT"]}  {"cmd":"trace","card":N}
 * answer {"ok":true,...} or {"ok":false,"error":MESSAGE}; after a trace
 * answer the connection carries one {"trace":{...}} line per event until
 * the client leaves or the card goes ({"gone":true}). {"cmd":"add"},
 * "remove" and "app-request" need root, vsimd's uid or group vsim-admin;
 * group vsim gets the rest. docs/vsimd.md "Permissions".
 */
#ifndef VSIMD_CONTROL_H
#define VSIMD_CONTROL_H

#include <poll.h>
#include <stddef.h>

#include "vsimd/vsimd.h"

/* Client connections held at once (more get a JSON refusal line). */
#define VSIMD_CONTROL_MAX_CLIENTS	64

/* Create the socket (replacing a stale one). 0, or -1 with @err. */
int vsimd_control_open(struct vsimd *d, const char *path, char *err,
		       size_t errlen);
/* Close every client and unlink the socket. */
void vsimd_control_close(struct vsimd *d);
/* Append the fds to poll to @pfd (room for @max); returns how many. */
size_t vsimd_control_fill(struct vsimd *d, struct pollfd *pfd, size_t max);
/*
 * How many client descriptors were closed so far: a number may come back
 * for another client, so vsimd's epoll set re-registers them (waitset.h).
 */
unsigned long vsimd_control_closes(const struct vsimd *d);
/* Milliseconds until an idle client must be closed; -1: none waits. */
int vsimd_control_timeout(struct vsimd *d);
/* Handle the results for the fds vsimd_control_fill() gave. */
void vsimd_control_dispatch(struct vsimd *d, const struct pollfd *pfd,
			    size_t n);

#endif /* VSIMD_CONTROL_H */
