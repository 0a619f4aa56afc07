// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vpcd bridge: what a card does with each vpcd frame (vpcd.h). Control
 * codes map to the card's power events; get-ATR is answered from the image
 * without touching the card, because pcscd polls it constantly
 * (../shared/REFERENCE.md "Peers worth knowing"); anything longer is a
 * C-APDU for the engine.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "vsimd/bridge.h"
#include "vsimd/events.h"

static int bridge_control(struct vsimd_card *c, uint8_t code, uint8_t *reply,
			  size_t *reply_len)
{
	uint8_t atr[VSIM_ATR_MAX];
	int n;

	switch (code) {
	case VPCD_CTRL_OFF:
		c->d->backend->power_off(c);
		c->powered = false;
		log_debug("card %s: power off", c->name);
		vsimd_publish_trace(c, "off", NULL, 0, NULL, 0);
		return 0;
	case VPCD_CTRL_ON:
	case VPCD_CTRL_RESET:
		/* ISO 7816-3 lets a warm reset reset everything: both are a cold reset */
		n = c->d->backend->power_on(c, atr);
		if (n < 0) {
			log_err("card %s: power on failed", c->name);
			return -1;
		}
		c->powered = true;
		log_debug("card %s: %s", c->name,
			  code == VPCD_CTRL_ON ? "power on" : "reset");
		vsimd_publish_trace(c, code == VPCD_CTRL_ON ? "on" : "reset",
				    NULL, 0, atr, (size_t)n);
		return 0;
	case VPCD_CTRL_ATR:
		memcpy(reply, c->atr, c->atr_len);
		*reply_len = c->atr_len;
		return 0;
	default:
		/* vpcd 3.3 sends no other code; say so and keep the connection */
		log_warn("card %s: vpcd sent unknown control code 0x%02x (ignored)",
			 c->name, code);
		return 0;
	}
}

int vsimd_bridge_frame(struct vsimd_card *c, const uint8_t *frame, size_t len,
		       uint8_t *reply, size_t *reply_len)
{
	size_t rlen = 0;

	c->frames++;
	*reply_len = 0;
	if (len == 0) {
		/* no defined meaning, and no answer would keep vpcd waiting */
		log_warn("card %s: vpcd sent an empty frame: protocol error, reconnecting",
			 c->name);
		snprintf(c->vpcd.last_error, sizeof(c->vpcd.last_error),
			 "protocol error: empty frame");
		return -1;
	}
	if (len == 1)
		return bridge_control(c, frame[0], reply, reply_len);
	if (len > VSIM_CAPDU_MAX) {
		/*
		 * Extended APDUs: the ATR offers none (docs/profile.md), so a
		 * C-APDU this long is a wrong length (ISO 7816-4 §5.1: 6700).
		 */
		log_warn("card %s: %zu-byte C-APDU is longer than %d: 6700",
			 c->name, len, VSIM_CAPDU_MAX);
		reply[0] = 0x67;
		reply[1] = 0x00;
		*reply_len = 2;
		vsimd_publish_trace(c, "apdu", frame, 5, reply, 2);
		return 0;
	}
	if (c->d->backend->transmit(c, frame, len, reply, &rlen)) {
		snprintf(c->vpcd.last_error, sizeof(c->vpcd.last_error),
			 "card unreachable");
		log_err("card %s: the card is gone; dropping the reader connection",
			c->name);
		return -1;
	}
	*reply_len = rlen;
	vsimd_publish_trace(c, "apdu", frame, len, reply, rlen);
	return 0;
}
