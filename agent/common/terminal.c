// SPDX-License-Identifier: GPL-2.0-only
/* A terminal's view of a card: embedded engine or /dev/vsimN (terminal.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/profile.h"
#include "common/terminal.h"

int vsim_terminal_open(struct vsim_terminal *t, const char *device,
		       const char *profile, const char *state_dir, char *err,
		       size_t errlen)
{
	uint8_t *img;
	size_t len;
	int ret;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (device) {
		t->fd = open(device, O_RDWR | O_CLOEXEC);
		if (t->fd < 0) {
			snprintf(err, errlen, "%s: %s", device, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (vsim_profile_compile(profile, &img, &len, err, errlen))
		return -1;
	ret = vsim_host_card_open(&t->host, img, len, state_dir, err, errlen);
	memset(img, 0, len);
	free(img);
	return ret;
}

int vsim_terminal_power_on(struct vsim_terminal *t, uint8_t *atr, size_t max)
{
	struct vsim_atr a = { .size = sizeof(a) };

	if (t->fd < 0) {
		vsim_card_power_off(t->host.card);
		return (int)vsim_card_power_on(t->host.card, atr, max);
	}
	if (ioctl(t->fd, VSIM_IOC_POWER_ON, &a))
		return -1;
	if (a.len > max)
		a.len = (uint32_t)max;
	memcpy(atr, a.atr, a.len);
	return (int)a.len;
}

int vsim_terminal_transmit(struct vsim_terminal *t, const uint8_t *capdu,
			   size_t len, uint8_t *rapdu, size_t max)
{
	struct vsim_transmit x = {
		.size = sizeof(x),
		.capdu = (uintptr_t)capdu,
		.rapdu = (uintptr_t)rapdu,
		.capdu_len = (uint32_t)len,
		.rapdu_max = (uint32_t)max,
	};

	if (max < VSIM_RAPDU_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (t->fd < 0)
		return (int)vsim_card_transact(t->host.card, capdu, len, rapdu);
	if (ioctl(t->fd, VSIM_IOC_TRANSMIT, &x))
		return -1;
	return (int)x.rapdu_len;
}

void vsim_terminal_close(struct vsim_terminal *t)
{
	if (t->fd >= 0)
		close(t->fd);
	else if (t->host.card)
		vsim_host_card_close(&t->host);
	t->fd = -1;
}
