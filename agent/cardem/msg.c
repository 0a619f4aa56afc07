// SPDX-License-Identifier: GPL-2.0-only
/*
 * SIMtrace2 cardem messages (cardem/msg.h). Layouts from
 * ../shared/REFERENCE-cardem.md §2 (simtrace_prot.h): an 8-byte header
 * {class, type, seq, slot, u16 reserved, u16 msg_len}, msg_len counting the
 * header, little-endian fields. A board's message is never trusted: every
 * length is checked against the bytes the transfer really holds.
 */
#include <stdio.h>
#include <string.h>

#include "cardem/msg.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int st2_msg_parse(const uint8_t *buf, size_t avail, struct st2_msg *m,
		  const char **why)
{
	uint16_t len;

	if (avail < ST2_HDR_LEN) {
		*why = "shorter than a message header";
		return -1;
	}
	len = get16(buf + 6);
	if (len < ST2_HDR_LEN) {
		*why = "msg_len is smaller than the header";
		return -1;
	}
	if (len > avail) {
		*why = "msg_len is beyond the bytes received (truncated)";
		return -1;
	}
	m->cls = buf[0];
	m->type = buf[1];
	m->seq = buf[2];
	m->slot = buf[3];
	m->len = len;
	m->payload = buf + ST2_HDR_LEN;
	m->payload_len = len - ST2_HDR_LEN;
	return len;
}

int st2_data_parse(const struct st2_msg *m, struct st2_data *d,
		   const char **why)
{
	size_t dlen;

	if (m->payload_len < ST2_DATA_HDR_LEN) {
		*why = "data message shorter than its flags and data_len";
		return -1;
	}
	dlen = get16(m->payload + 4);
	/*
	 * The firmware sends data_len == the bytes that follow (card_emu.c);
	 * anything else is a broken or hostile board.
	 */
	if (dlen != m->payload_len - ST2_DATA_HDR_LEN) {
		*why = "data_len does not match the message length";
		return -1;
	}
	d->flags = get32(m->payload);
	d->data = m->payload + ST2_DATA_HDR_LEN;
	d->len = dlen;
	return 0;
}

int st2_status_parse(const struct st2_msg *m, struct st2_status *s,
		     const char **why)
{
	const uint8_t *p = m->payload;

	if (m->payload_len != ST2_STATUS_LEN) {
		*why = "STATUS payload is not 13 bytes";
		return -1;
	}
	s->flags = get32(p);
	s->voltage_mv = get16(p + 4);
	s->fi = p[6];
	s->di = p[7];
	s->wi = p[8];
	s->waiting_time = get32(p + 9);
	return 0;
}

size_t st2_build(uint8_t *out, size_t max, uint8_t cls, uint8_t type,
		 const uint8_t *payload, size_t plen)
{
	size_t len = ST2_HDR_LEN + plen;

	if (len > max || len > 0xffff)
		return 0;
	out[0] = cls;
	out[1] = type;
	out[2] = 0;	/* seq_nr: always 0 in practice */
	out[3] = 0;	/* slot_nr: the firmware takes the slot from the endpoint */
	put16(out + 4, 0);
	put16(out + 6, (uint16_t)len);
	if (plen)
		memcpy(out + ST2_HDR_LEN, payload, plen);
	return len;
}

size_t st2_build_data(uint8_t *out, size_t max, uint8_t type, uint32_t flags,
		      const uint8_t *data, size_t len)
{
	size_t total = ST2_HDR_LEN + ST2_DATA_HDR_LEN + len;
	uint8_t *p = out + ST2_HDR_LEN;

	if (total > max || len > 0xffff)
		return 0;
	st2_build(out, max, ST2_CLASS_CARDEM, type, NULL, 0);
	put16(out + 6, (uint16_t)total);
	put32(p, flags);
	put16(p + 4, (uint16_t)len);
	if (len)
		memcpy(p + ST2_DATA_HDR_LEN, data, len);
	return total;
}

size_t st2_build_status(uint8_t *out, size_t max, const struct st2_status *s)
{
	uint8_t p[ST2_STATUS_LEN];

	put32(p, s->flags);
	put16(p + 4, s->voltage_mv);
	p[6] = s->fi;
	p[7] = s->di;
	p[8] = s->wi;
	put32(p + 9, s->waiting_time);
	return st2_build(out, max, ST2_CLASS_CARDEM, ST2_CEMU_STATUS, p, sizeof(p));
}

size_t st2_build_config(uint8_t *out, size_t max, uint32_t features)
{
	uint8_t p[ST2_CONFIG_LEN] = { 0 };

	put32(p, features);	/* slot_mux_nr 0, pres_pol 0 (not valid) */
	return st2_build(out, max, ST2_CLASS_CARDEM, ST2_CEMU_CONFIG, p, sizeof(p));
}

size_t st2_build_set_atr(uint8_t *out, size_t max, const uint8_t *atr,
			 size_t len)
{
	uint8_t p[1 + ST2_ATR_MAX];

	if (len > ST2_ATR_MAX)
		return 0;
	p[0] = (uint8_t)len;
	memcpy(p + 1, atr, len);
	return st2_build(out, max, ST2_CLASS_CARDEM, ST2_CEMU_SET_ATR, p, 1 + len);
}

size_t st2_build_u8(uint8_t *out, size_t max, uint8_t cls, uint8_t type,
		    uint8_t value)
{
	return st2_build(out, max, cls, type, &value, 1);
}

enum st2_from_board st2_from_board(uint8_t cls, uint8_t type)
{
	if (cls == ST2_CLASS_CARDEM) {
		switch (type) {
		case ST2_CEMU_RX_DATA:
			return ST2_FROM_BOARD_RX_DATA;
		case ST2_CEMU_STATUS:
			return ST2_FROM_BOARD_STATUS;
		case ST2_CEMU_PTS:
			return ST2_FROM_BOARD_PTS;
		case ST2_CEMU_CONFIG:
			return ST2_FROM_BOARD_CONFIG;
		default:
			return ST2_FROM_BOARD_UNKNOWN;
		}
	}
	if (cls == ST2_CLASS_GENERIC && type == ST2_GENERIC_ERROR)
		return ST2_FROM_BOARD_ERROR;
	return ST2_FROM_BOARD_UNKNOWN;
}

bool st2_needs_zlp(size_t len, size_t packet)
{
	return packet && len && len % packet == 0;
}

const char *st2_msg_name(uint8_t cls, uint8_t type, char *buf, size_t len)
{
	static const char *const cemu[] = {
		[ST2_CEMU_TX_DATA] = "TX_DATA", [ST2_CEMU_SET_ATR] = "SET_ATR",
		[ST2_CEMU_STATS] = "STATS", [ST2_CEMU_STATUS] = "STATUS",
		[ST2_CEMU_CARDINSERT] = "CARDINSERT", [ST2_CEMU_RX_DATA] = "RX_DATA",
		[ST2_CEMU_PTS] = "PTS", [ST2_CEMU_CONFIG] = "CONFIG",
	};
	static const char *const modem[] = {
		[ST2_MODEM_RESET] = "RESET", [ST2_MODEM_SIM_SELECT] = "SIM_SELECT",
		[ST2_MODEM_STATUS] = "STATUS",
	};

	if (cls == ST2_CLASS_CARDEM && type < sizeof(cemu) / sizeof(cemu[0]) &&
	    cemu[type])
		snprintf(buf, len, "CARDEM/%s", cemu[type]);
	else if (cls == ST2_CLASS_MODEM && type < sizeof(modem) / sizeof(modem[0]) &&
		 modem[type])
		snprintf(buf, len, "MODEM/%s", modem[type]);
	else
		snprintf(buf, len, "class %u type %u", cls, type);
	return buf;
}
